#!/bin/sh
# Exit statuses and messages of dumpbuf: usage errors (64), input errors
# (2), write errors (3), seeks before the data (4), and a file that shrinks
# while it is dumped (2, never a crash).

. "${srcdir:-.}/tests/tools/lib.sh"

# run WANT-STATUS WANT-STDERR-PATTERN ARGS...: stderr must match (grep -E).
run() {
    want=$1 pat=$2
    shift 2
    "$DUMPBUF" "$@" > "$tmp/out" 2> "$tmp/err"
    rc=$?
    status "dumpbuf $*" "$want" $rc
    checks=$((checks + 1))
    if [ -n "$pat" ] && ! grep -Eq -- "$pat" "$tmp/err"; then
        fail "dumpbuf $*: stderr does not match '$pat':"
        cat "$tmp/err" >&2
    fi
    if [ "$want" -ne 0 ] && [ "$want" -ne 3 ] && [ -z "$pat" ] && [ ! -s "$tmp/err" ]; then
        fail "dumpbuf $*: no message"
    fi
}

printf 'some data, 32 bytes of it.......' | "$MKTESTBUF" --label ok "$tmp/ok.mmbuf"
printf 'not a buffer\n' > "$tmp/plain"
: > "$tmp/empty"

# Usage errors: 64 (EX_USAGE), with a message and a hint.
run 64 "missing FILE operand"
run 64 "unrecognized option|invalid option" --bogus "$tmp/ok.mmbuf"
run 64 "extra operand" "$tmp/ok.mmbuf" "$tmp/ok.mmbuf"
run 64 "invalid number of columns" -c abc "$tmp/ok.mmbuf"
run 64 "invalid number of columns" -c 257 "$tmp/ok.mmbuf"
run 64 "invalid number of columns" -c -1 "$tmp/ok.mmbuf"
run 64 "invalid number of columns" -p -c -1 "$tmp/ok.mmbuf"
run 64 "power of 2" -e -g 3 "$tmp/ok.mmbuf"
run 64 "invalid group size" -g 1x "$tmp/ok.mmbuf"
run 64 "invalid skip" -s 08 "$tmp/ok.mmbuf"
run 64 "invalid length" -l -1 "$tmp/ok.mmbuf"
run 64 "invalid length" -C -n 1Q "$tmp/ok.mmbuf"
run 64 "invalid offset" -o 99999999999999999999 "$tmp/ok.mmbuf"
run 64 "conflicting modes" -C --raw "$tmp/ok.mmbuf"
run 64 "cannot be used" -C -e "$tmp/ok.mmbuf"
run 64 "cannot be used" --raw -p "$tmp/ok.mmbuf"
run 64 "only meaningful with -C" -v "$tmp/ok.mmbuf"
run 64 "invalid --color" --color=sometimes "$tmp/ok.mmbuf"
# What getopt refuses: one line naming the problem, then the hint, and
# not the whole help.
try="Try 'dumpbuf --help' for more information."
run 64 "" --bogus "$tmp/ok.mmbuf"
expect_err "dumpbuf: unrecognized option '--bogus'" "$try"
run 64 "" -Z "$tmp/ok.mmbuf"
expect_err "dumpbuf: invalid option -- 'Z'" "$try"
run 64 "" "$tmp/ok.mmbuf" -c
expect_err "dumpbuf: option requires an argument -- 'c'" "$try"
run 64 "" "$tmp/ok.mmbuf" --cols
expect_err "dumpbuf: option '--cols' requires an argument" "$try"
run 64 "" --json=yes "$tmp/ok.mmbuf"
expect_err "dumpbuf: option '--json' doesn't allow an argument" "$try"
run 64 "" --s "$tmp/ok.mmbuf"
expect_err "dumpbuf: option '--s' is ambiguous; possibilities: '--skip' '--seek' '--slots'" "$try"
run 64 "" --=x "$tmp/ok.mmbuf"
expect_err "dumpbuf: unrecognized option '--=x'" "$try"
run 64 "" -c 0x "$tmp/ok.mmbuf"
expect_err "dumpbuf: invalid number of columns: '0x'" "$try"
grep -q '^Usage: dumpbuf ' "$tmp/out" && fail "usage errors print nothing on stdout"

run 0 "" --help
grep -q '^Usage: dumpbuf ' "$tmp/out" || fail "--help prints the usage on stdout"
grep -q ", 64 usage error\.$" "$tmp/out" || fail "--help: no status 64"
run 0 "" --version
grep -Eq '^dumpbuf \(mmbuf\) [0-9]' "$tmp/out" || fail "--version"

# Input errors: 2, "dumpbuf: FILE: message".
run 2 "^dumpbuf: $tmp/nope: No such file or directory$" "$tmp/nope"
run 2 "^dumpbuf: $tmp/plain: not an mmbuf buffer file \\(bad magic\\)" "$tmp/plain"
run 2 "^dumpbuf: $tmp/empty: " "$tmp/empty"
run 2 "^dumpbuf: $tmp: " "$tmp"
run 2 "^dumpbuf: $tmp: Is a directory" -F "$tmp"
run 2 "^dumpbuf: $tmp/nope: No such file or directory$" -F "$tmp/nope"

# A FIFO is refused at once in every mode, never waited on for a writer
# (-H, --json and --slots read the header pages themselves).  timeout
# turns a hang into a failure (status 124).
mkfifo "$tmp/fifo"
for mode in "" -H --json --slots; do
    timeout 20 "$DUMPBUF" $mode "$tmp/fifo" > "$tmp/out" 2> "$tmp/err"
    status "dumpbuf $mode FIFO" 2 $?
    checks=$((checks + 1))
    grep -q "^dumpbuf: $tmp/fifo: not a regular file$" "$tmp/err" ||
        fail "dumpbuf $mode FIFO: $(cat "$tmp/err")"
done

# A buffer file shorter than its header says.
cp "$tmp/ok.mmbuf" "$tmp/short.mmbuf"
truncate -s 8200 "$tmp/short.mmbuf"
run 2 "^dumpbuf: $tmp/short.mmbuf: file is truncated" "$tmp/short.mmbuf"

# One damaged slot: the other one is used, and the data is shown.
"$DUMPBUF" "$tmp/ok.mmbuf" > "$tmp/good"
cp "$tmp/ok.mmbuf" "$tmp/one.mmbuf"
printf 'X' | dd of="$tmp/one.mmbuf" bs=1 seek=300 conv=notrunc status=none
run 0 "" "$tmp/one.mmbuf"
same "a buffer with one damaged slot still dumps" "$tmp/out" "$tmp/good"
cp "$tmp/one.mmbuf" "$tmp/two.mmbuf"
printf 'X' | dd of="$tmp/two.mmbuf" bs=1 seek=$((4096 + 300)) conv=notrunc status=none
run 2 "^dumpbuf: $tmp/two.mmbuf: header CRC mismatch \\(slot 0: header CRC mismatch; slot 1: header CRC mismatch\\)" \
    "$tmp/two.mmbuf"

# Seeks before the start of the data: 4, as xxd.
run 4 "before the" -s -33 "$tmp/ok.mmbuf"
run 4 "before the" -s +-1 "$tmp/ok.mmbuf"
run 4 "before the" -C -s -100 "$tmp/ok.mmbuf"
run 0 "" -s -32 "$tmp/ok.mmbuf"
# shellcheck disable=SC2002 # a pipe, not a file, on standard input
cat "$tmp/plain" | "$DUMPBUF" -F -s -3 - > /dev/null 2> "$tmp/err"
status "dumpbuf -F -s -3 - (a stream)" 4 $?
# shellcheck disable=SC2002
cat "$tmp/plain" | "$DUMPBUF" -F -t - > /dev/null 2> "$tmp/err"
status "dumpbuf -F -t - (a stream)" 2 $?

# Write errors: 3.
if [ -w /dev/full ]; then
    "$DUMPBUF" "$tmp/ok.mmbuf" > /dev/full 2> "$tmp/err"
    status "dumpbuf > /dev/full" 3 $?
    grep -q '^dumpbuf: write error: No space left on device$' "$tmp/err" ||
        fail "write error message: $(cat "$tmp/err")"
fi

# A file that shrinks under dumpbuf: once dumpbuf has started writing (and
# is blocked on the full pipe) the reader truncates the file, then drains
# the pipe.  dumpbuf must report it and exit 2, not die of SIGBUS.
shrink() {
    file=$1 keep=$2
    shift 2
    { "$DUMPBUF" "$@" "$file"; echo $? > "$tmp/rc"; } 2> "$tmp/err" |
        { dd bs=1 count=1 status=none > /dev/null
          truncate -s "$keep" "$file"
          cat > /dev/null; }
    status "dumpbuf $* on a file that shrinks" 2 "$(cat "$tmp/rc")"
    grep -q "^dumpbuf: $file: the file shrank while it was read" "$tmp/err" ||
        fail "shrink message: $(cat "$tmp/err")"
}
truncate -s 32M "$tmp/shrink"
shrink "$tmp/shrink" 4096 -F
head -c 32M /dev/urandom > "$tmp/shrink"
shrink "$tmp/shrink" 4096 -F -C
"$MKTESTBUF" --random 1:33554432 "$tmp/shrink.mmbuf"
shrink "$tmp/shrink.mmbuf" 12288
"$MKTESTBUF" --random 2:33554432 "$tmp/shrink2.mmbuf"
shrink "$tmp/shrink2.mmbuf" 12288 --raw

finish
