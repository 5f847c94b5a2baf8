#!/bin/sh
# follow-rows.sh - followers of a growing buffer see every row once, in
# order, across a writer's crash and restart.
#
# A writer (rowlog write) appends rows of (index, value, checksum) in
# random bursts with random pauses, growing the capacity many times, then
# is killed with SIGKILL half way; a second writer reopens the file and
# appends the rest.  Meanwhile:
#   - two C followers (rowlog follow, built on mmbuf_wait), one started
#     before the file exists, check every row and report the crash;
#   - two Python followers (tests/python/rowcheck.py, on mmbuf.follow()),
#     one with NumPy started before the file exists, one without NumPy
#     started during the first writer, check every row and report the
#     crash;
#   - dumpbuf --follow -t, started before the file exists, is checked row
#     by row and ended with SIGINT (status 0);
#   - dumpbuf --follow -C, started before the file exists, and ended with
#     SIGTERM, shows what dumpbuf -C shows of the final file;
#   - dumpbuf --follow --until-closed (xxd layout) ends at the crash with
#     status 2, having shown the data as it was then;
#   - dumpbuf --follow --until-closed -t started during the second writer
#     ends at its clean close with what dumpbuf -t shows.
# Every follower must learn of the crash within 1 s.
# 50,000 rows; MMBUF_LONG=1 (make check-long) makes it 1,000,000.

. "$srcdir/tests/tools/lib.sh"

. "$srcdir/tests/tools/follow-lib.sh"

if [ -n "${MMBUF_LONG:-}" ]; then
    N=1000000 BURST=2000 PAUSE=2000
else
    N=50000 BURST=200 PAUSE=2000
fi
HALF=$((N / 2 + 17))
f=$tmp/rows.mmbuf
find_python numpy || fail "no python3 with NumPy (apt-get install python3-numpy)"
PYTHONPATH=$srcdir/python:$srcdir/tests/python${PYTHONPATH:+:$PYTHONPATH}
PYTHONDONTWRITEBYTECODE=1
export PYTHONPATH PYTHONDONTWRITEBYTECODE

# Started before the file exists.
"$ROWLOG" follow "$f" $N > "$tmp/c1.out" 2> "$tmp/c1.err" &
c1=$!
"$py" "$srcdir/tests/python/rowcheck.py" --rowlog --rows $N "$f" \
    > "$tmp/p1.out" 2> "$tmp/p1.err" &
p1=$!
( "$DUMPBUF" --follow -t "$f" 2> "$tmp/t.err" &
  echo $! > "$tmp/t.pid"; wait $!; echo $? > "$tmp/t.status" ) |
    ROWLOG_REACHED=$tmp/t.reached "$ROWLOG" check $N \
        > "$tmp/t.out" 2> "$tmp/t.chk" &
tcheck=$!
"$DUMPBUF" --follow -C "$f" > "$tmp/C.out" 2> "$tmp/C.err" &
dC=$!
wait_for "dumpbuf --follow waits" "$tmp/C.err" "waiting for it to appear" 30
sleep 0.2

# The first writer, killed once it has appended HALF rows.
"$ROWLOG" write -b $BURST -p $PAUSE -s 1 --hold "$f" $HALF \
    > "$tmp/w1.out" 2> "$tmp/w1.err" &
w1=$!
wait_for "first writer opens" "$tmp/w1.out" '^open$'
"$ROWLOG" follow "$f" $N > "$tmp/c2.out" 2> "$tmp/c2.err" &
c2=$!
"$py" "$srcdir/tests/python/rowcheck.py" --rowlog --no-numpy --rows $N "$f" \
    > "$tmp/p2.out" 2> "$tmp/p2.err" &
p2=$!
"$DUMPBUF" --follow --until-closed "$f" > "$tmp/x.out" 2> "$tmp/x.err" &
dx=$!
wait_for "first writer appends" "$tmp/w1.out" '^done$' 600
# The crash.
t0=$(date +%s%N)
{ kill -9 $w1; wait $w1; } 2>/dev/null
for out in c1.out c2.out p1.out p2.out t.err C.err x.err; do
    case $out in
    c*) pat='^crashed [0-9]+$' ;;
    p*) pat='^warning crash ' ;;
    *) pat='ended without closing the buffer' ;;
    esac
    wait_for "$out: the crash" "$tmp/$out" "$pat" 10
done
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
checks=$((checks + 1))
if [ $ms -gt 1000 ]; then
    fail "the followers learnt of the crash after $ms ms (more than 1 s)"
fi
"$DUMPBUF" "$f" > "$tmp/x.expect"
wait $dx
status "dumpbuf --follow --until-closed, writer crashed" 2 $?
same "dumpbuf --follow --until-closed: the data up to the crash" \
    "$tmp/x.out" "$tmp/x.expect"
checks=$((checks + 1))
pid=$(sed -n 's/^crashed //p' "$tmp/c1.out")
printf '%s\n' "dumpbuf: $f: the writer (pid $pid) ended without closing the buffer" \
    > "$tmp/x.experr"
same "dumpbuf --until-closed reports the crash" "$tmp/x.err" "$tmp/x.experr"

# The second writer goes on from the last row.
"$ROWLOG" write -b $BURST -p $PAUSE -s 2 "$f" $N \
    > "$tmp/w2.out" 2> "$tmp/w2.err" &
w2=$!
wait_for "second writer opens" "$tmp/w2.out" '^open$'
"$DUMPBUF" --follow --until-closed -t "$f" > "$tmp/u.out" 2> "$tmp/u.err" &
du=$!
wait $w2
status "second writer" 0 $?
wait $c1
status "C follower 1" 0 $?
wait $c2
status "C follower 2" 0 $?
wait $p1
status "Python follower 1 (NumPy)" 0 $?
wait $p2
status "Python follower 2 (no NumPy)" 0 $?
for c in c1 c2 p1 p2; do
    case $c in
    c*) pat='^crashed' ;;
    p*) pat='^warning crash ' ;;
    esac
    same "$c: stderr" "$tmp/$c.err" /dev/null
    checks=$((checks + 1))
    [ "$(sed -n '$p' "$tmp/$c.out")" = "ok $N" ] ||
        fail "$c: $(cat "$tmp/$c.out")"
    checks=$((checks + 1))
    [ "$(grep -c "$pat" "$tmp/$c.out")" = 1 ] ||
        fail "$c: the crash reported $(grep -c "$pat" "$tmp/$c.out") times"
done

wait $du
status "dumpbuf --follow --until-closed -t, clean close" 0 $?
"$DUMPBUF" -t "$f" > "$tmp/t.expect"
same "dumpbuf --follow --until-closed -t: all rows" "$tmp/u.out" \
    "$tmp/t.expect"
same "dumpbuf --follow --until-closed -t: stderr" "$tmp/u.err" /dev/null

# dumpbuf --follow -t: every row, then SIGINT ends it with status 0.
wait_for "dumpbuf --follow -t reaches the last row" "$tmp/t.out" "^ok $N\$" 600
kill -INT "$(cat "$tmp/t.pid")"
wait $tcheck
status "the check of dumpbuf --follow -t" 0 $?
status "dumpbuf --follow -t, SIGINT" 0 "$(cat "$tmp/t.status")"
same "the check of dumpbuf --follow -t: stderr" "$tmp/t.chk" /dev/null
checks=$((checks + 1))
[ "$(grep -c 'ended without closing' "$tmp/t.err")" = 1 ] ||
    fail "dumpbuf --follow -t: the crash reported other than once"

# dumpbuf --follow -C: what dumpbuf -C shows, then SIGTERM, status 0.
"$DUMPBUF" -C "$f" > "$tmp/C.expect"
# All but the end address come while following (N is even: no partial
# line), the end address at the end.
want=$(( $(wc -c < "$tmp/C.expect") - $(tail -n 1 "$tmp/C.expect" | wc -c) ))
n=0
until [ "$(wc -c < "$tmp/C.out")" -ge $want ] || [ $n -gt 2400 ]; do
    n=$((n + 1))
    sleep 0.05
done
kill -TERM $dC
wait $dC
status "dumpbuf --follow -C, SIGTERM" 0 $?
same "dumpbuf --follow -C: the whole dump" "$tmp/C.out" "$tmp/C.expect"
printf '%s\n' \
    "dumpbuf: $f: No such file or directory; waiting for it to appear" \
    "dumpbuf: $f: the file appeared; following it" \
    "dumpbuf: $f: the writer (pid $pid) ended without closing the buffer; waiting for a new writer" \
    > "$tmp/C.experr"
same "dumpbuf --follow -C: stderr" "$tmp/C.err" "$tmp/C.experr"

finish
