#!/bin/sh
# follow-events.sh - dumpbuf --follow: a length that goes down, a file
# replaced at the path, a range, --until-closed with no writer, the
# options it refuses.

. "${srcdir:-.}/tests/tools/lib.sh"
. "$srcdir/tests/tools/follow-lib.sh"

f=$tmp/rows.mmbuf
"$ROWLOG" write -p 0 "$f" 10 > /dev/null || exit 99

# No writer: --until-closed shows the data and ends; so does a range that
# the data already holds.
"$DUMPBUF" -t "$f" > "$tmp/expect"
expect 0 dumpbuf --follow --until-closed -t "$f"
same "--until-closed, no writer: the rows" "$tmp/out" "$tmp/expect"
expect_err
"$DUMPBUF" -t --rows 7: "$f" > "$tmp/expect"
expect 0 dumpbuf --follow --until-closed -t --rows -3: "$f"
same "--rows -3: starts 3 rows before the end" "$tmp/out" "$tmp/expect"
for layout in "" -C --raw -g4; do
    "$DUMPBUF" $layout -s 20 -l 100 "$f" > "$tmp/expect"
    expect 0 dumpbuf --follow $layout -s 20 -l 100 "$f"
    same "--follow $layout -s 20 -l 100: ends with the range" "$tmp/out" \
        "$tmp/expect"
    expect_err
    off="-o 5"
    [ "$layout" = --raw ] && off=
    "$DUMPBUF" $layout $off "$f" > "$tmp/expect"
    expect 0 dumpbuf --follow --until-closed $layout $off "$f"
    same "--follow --until-closed $layout $off: the whole dump" "$tmp/out" \
        "$tmp/expect"
done

# Squeezing (-a, -C): runs of zero lines and repeated lines, across the
# whole lines shown while following and the partial line at the end.
"$MKTESTBUF" --random 7:5000:zeros "$tmp/z.mmbuf" || exit 99
for layout in -a -C "-a -c 7"; do
    "$DUMPBUF" $layout "$tmp/z.mmbuf" > "$tmp/expect"
    expect 0 dumpbuf --follow --until-closed $layout "$tmp/z.mmbuf"
    same "--follow --until-closed $layout, zero runs: the whole dump" \
        "$tmp/out" "$tmp/expect"
done

# A length that goes down: told on stderr, and the rows from the new end
# are shown as they come again.
"$DUMPBUF" -t "$f" > "$tmp/expect"
"$DUMPBUF" --follow -t "$f" > "$tmp/out" 2> "$tmp/err" &
d=$!
wait_lines "--follow -t: the 10 rows" "$tmp/out" 10
"$ROWLOG" cut "$f" 4 || exit 99
wait_for "--follow -t: the shrink" "$tmp/err" "going on from row 4"
"$ROWLOG" write -p 0 "$f" 6 > /dev/null || exit 99
"$DUMPBUF" -t --rows 4: "$f" >> "$tmp/expect"
wait_lines "--follow -t: rows 4 and 5 again" "$tmp/out" 12
kill -INT $d
wait $d
status "--follow -t, SIGINT after a shrink" 0 $?
same "--follow -t: rows 0 to 9, then 4 and 5" "$tmp/out" "$tmp/expect"
expect_err "dumpbuf: $f: the length went down from 240 to 96 bytes" \
    "dumpbuf: $f: going on from row 4, the end of the data now"

# The same in the xxd layout: the whole lines before the new end stay
# shown, the dump goes on from the last of them.
rm -f "$f"
"$ROWLOG" write -p 0 "$f" 4 > /dev/null || exit 99
"$DUMPBUF" "$f" > "$tmp/full"
"$DUMPBUF" --follow "$f" > "$tmp/out" 2> "$tmp/err" &
d=$!
wait_lines "--follow: the 6 lines of 4 rows" "$tmp/out" 6
"$ROWLOG" cut "$f" 1 || exit 99
wait_for "--follow: the shrink" "$tmp/err" "going on from data offset 16"
"$ROWLOG" write -p 0 "$f" 3 > /dev/null || exit 99
wait_lines "--follow: the whole lines from 16" "$tmp/out" 9
kill -TERM $d
wait $d
status "--follow, SIGTERM after a shrink" 0 $?
{ cat "$tmp/full"; "$DUMPBUF" -s 16 "$f"; } > "$tmp/expect"
same "--follow: the lines to 96, then from 16 to 72" "$tmp/out" "$tmp/expect"
expect_err "dumpbuf: $f: the length went down from 96 to 24 bytes" \
    "dumpbuf: $f: going on from data offset 16, the end of the whole lines now"

# A new file put at the path: the old one's dump is finished (its partial
# last line), then the new one is followed from its start.
rm -f "$f"
"$ROWLOG" write -p 0 "$f" 3 > /dev/null || exit 99
"$DUMPBUF" "$f" > "$tmp/expect"
"$DUMPBUF" --follow "$f" > "$tmp/out" 2> "$tmp/err" &
d=$!
wait_lines "--follow: 4 whole lines" "$tmp/out" 4
"$ROWLOG" write -p 0 "$tmp/new.mmbuf" 2 > /dev/null || exit 99
mv "$tmp/new.mmbuf" "$f"
wait_for "--follow: the new file" "$tmp/err" "replaced"
"$DUMPBUF" "$f" >> "$tmp/expect"
wait_lines "--follow: the new file's 3 lines" "$tmp/out" 8
kill -INT $d
wait $d
status "--follow, SIGINT after a replace" 0 $?
same "--follow: the old file, then the new one" "$tmp/out" "$tmp/expect"
expect_err "dumpbuf: $f: the file was replaced; following the new file from its start"

# An empty --rows is malformed, as without --follow (it was read from the
# byte before it).
expect 64 dumpbuf --follow -t --rows '' "$f"
expect_err "dumpbuf: invalid --rows '' (I, A:B or A:B:STEP)" \
    "Try 'dumpbuf --help' for more information."

# Refused combinations.
for args in "--until-closed" "--follow --npy" "--follow -H" "--follow -p" \
    "--follow -i" "--follow -F" "--follow -t --rows 1:2"; do
    expect 64 dumpbuf $args "$f"
    checks=$((checks + 1))
    grep -Eq "only meaningful with --follow|cannot be used with|takes a start only" \
        "$tmp/err" || fail "dumpbuf $args: $(cat "$tmp/err")"
done

finish
