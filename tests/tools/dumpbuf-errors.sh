#!/bin/sh
# Exit statuses and messages of dumpbuf: usage errors (64), input errors
# (2), write errors (3), seeks before the data (4), and a file that shrinks
# while it is dumped (2, never a crash).

. "${srcdir:-.}/tests/tools/lib.sh"

printf 'some data, 32 bytes of it.......' | "$MKTESTBUF" --label ok "$tmp/ok.mmbuf"
printf 'not a buffer\n' > "$tmp/plain"
: > "$tmp/empty"

# Usage errors: 64 (EX_USAGE), with a message and a hint.
expect 64 dumpbuf
err_match "missing FILE operand"
expect 64 dumpbuf --bogus "$tmp/ok.mmbuf"
err_match "unrecognized option|invalid option"
expect 64 dumpbuf "$tmp/ok.mmbuf" "$tmp/ok.mmbuf"
err_match "extra operand"
expect 64 dumpbuf -c abc "$tmp/ok.mmbuf"
err_match "invalid number of columns"
expect 64 dumpbuf -c 257 "$tmp/ok.mmbuf"
err_match "invalid number of columns"
expect 64 dumpbuf -c -1 "$tmp/ok.mmbuf"
err_match "invalid number of columns"
expect 64 dumpbuf -p -c -1 "$tmp/ok.mmbuf"
err_match "invalid number of columns"
expect 64 dumpbuf -e -g 3 "$tmp/ok.mmbuf"
err_match "power of 2"
expect 64 dumpbuf -g 1x "$tmp/ok.mmbuf"
err_match "invalid group size"
expect 64 dumpbuf -s 08 "$tmp/ok.mmbuf"
err_match "invalid skip"
expect 64 dumpbuf -l -1 "$tmp/ok.mmbuf"
err_match "invalid length"
expect 64 dumpbuf -C -n 1Q "$tmp/ok.mmbuf"
err_match "invalid length"
expect 64 dumpbuf -o 99999999999999999999 "$tmp/ok.mmbuf"
err_match "invalid offset"
expect 64 dumpbuf -C --raw "$tmp/ok.mmbuf"
err_match "conflicting modes"
expect 64 dumpbuf -C -e "$tmp/ok.mmbuf"
err_match "cannot be used"
expect 64 dumpbuf --raw -p "$tmp/ok.mmbuf"
err_match "cannot be used"
expect 64 dumpbuf -v "$tmp/ok.mmbuf"
err_match "only meaningful with -C"
expect 64 dumpbuf --color=sometimes "$tmp/ok.mmbuf"
err_match "invalid --color"
# What getopt refuses: one line naming the problem, then the hint, and
# not the whole help.
try="Try 'dumpbuf --help' for more information."
expect 64 dumpbuf --bogus "$tmp/ok.mmbuf"
expect_err "dumpbuf: unrecognized option '--bogus'" "$try"
expect 64 dumpbuf -Z "$tmp/ok.mmbuf"
expect_err "dumpbuf: invalid option -- 'Z'" "$try"
expect 64 dumpbuf "$tmp/ok.mmbuf" -c
expect_err "dumpbuf: option requires an argument -- 'c'" "$try"
expect 64 dumpbuf "$tmp/ok.mmbuf" --cols
expect_err "dumpbuf: option '--cols' requires an argument" "$try"
expect 64 dumpbuf --json=yes "$tmp/ok.mmbuf"
expect_err "dumpbuf: option '--json' doesn't allow an argument" "$try"
expect 64 dumpbuf --s "$tmp/ok.mmbuf"
expect_err "dumpbuf: option '--s' is ambiguous; possibilities: '--skip' '--seek' '--slots'" "$try"
expect 64 dumpbuf --=x "$tmp/ok.mmbuf"
expect_err "dumpbuf: unrecognized option '--=x'" "$try"
expect 64 dumpbuf -c 0x "$tmp/ok.mmbuf"
expect_err "dumpbuf: invalid number of columns: '0x'" "$try"
grep -q '^Usage: dumpbuf ' "$tmp/out" && fail "usage errors print nothing on stdout"

expect 0 dumpbuf --help
grep -q '^Usage: dumpbuf ' "$tmp/out" || fail "--help prints the usage on stdout"
grep -q ", 64 usage error\.$" "$tmp/out" || fail "--help: no status 64"
expect 0 dumpbuf --version
grep -Eq '^dumpbuf \(mmbuf\) [0-9]' "$tmp/out" || fail "--version"

# Input errors: 2, "dumpbuf: FILE: message".
expect 2 dumpbuf "$tmp/nope"
err_match "^dumpbuf: $tmp/nope: No such file or directory$"
expect 2 dumpbuf "$tmp/plain"
err_match "^dumpbuf: $tmp/plain: not an mmbuf buffer file \\(bad magic\\)"
expect 2 dumpbuf "$tmp/empty"
err_match "^dumpbuf: $tmp/empty: "
expect 2 dumpbuf "$tmp"
err_match "^dumpbuf: $tmp: "
expect 2 dumpbuf -F "$tmp"
err_match "^dumpbuf: $tmp: Is a directory"
expect 2 dumpbuf -F "$tmp/nope"
err_match "^dumpbuf: $tmp/nope: No such file or directory$"

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
expect 2 dumpbuf "$tmp/short.mmbuf"
err_match "^dumpbuf: $tmp/short.mmbuf: file is truncated"

# One damaged slot: the other one is used, and the data is shown.
"$DUMPBUF" "$tmp/ok.mmbuf" > "$tmp/good"
cp "$tmp/ok.mmbuf" "$tmp/one.mmbuf"
printf 'X' | dd of="$tmp/one.mmbuf" bs=1 seek=300 conv=notrunc status=none
expect 0 dumpbuf "$tmp/one.mmbuf"
same "a buffer with one damaged slot still dumps" "$tmp/out" "$tmp/good"
cp "$tmp/one.mmbuf" "$tmp/two.mmbuf"
printf 'X' | dd of="$tmp/two.mmbuf" bs=1 seek=$((4096 + 300)) conv=notrunc status=none
expect 2 dumpbuf \
    "$tmp/two.mmbuf"
err_match "^dumpbuf: $tmp/two.mmbuf: header CRC mismatch \\(slot 0: header CRC mismatch; slot 1: header CRC mismatch\\)"

# Seeks before the start of the data: 4, as xxd.
expect 4 dumpbuf -s -33 "$tmp/ok.mmbuf"
err_match "before the"
expect 4 dumpbuf -s +-1 "$tmp/ok.mmbuf"
err_match "before the"
expect 4 dumpbuf -C -s -100 "$tmp/ok.mmbuf"
err_match "before the"
expect 0 dumpbuf -s -32 "$tmp/ok.mmbuf"
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
