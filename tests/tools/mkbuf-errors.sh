#!/bin/sh
# mkbuf's exit statuses and exact messages: usage errors (64), input errors
# are in mkbuf-from.sh and mkbuf-npy.sh (2), files that cannot be created
# (3): an existing FILE without -f, a directory the user cannot write (run
# as an unprivileged user when the test runs as root), a missing
# directory.  After every failure nothing is left behind.  Also the
# progress bar, shown on a terminal only.

. "${srcdir:-.}/tests/tools/mkbuf-lib.sh"

d=$tmp/d
mkdir "$d"
hint="Try 'mkbuf --help' for more information."

# usage WANT-MESSAGE ARGS...: exit 64 (EX_USAGE), the message and the
# hint, no file.
usage() {
    msg=$1
    shift
    expect 64 mkbuf "$@"
    expect_err "mkbuf: $msg
$hint"
    [ -s "$tmp/out" ] && fail "mkbuf $*: stdout not empty"
    empty_dir "$d"
}

size_rule="bytes, with an optional suffix K, M, G, T or KiB, MiB, GiB, TiB, powers of 1024; at most 8388607T"
usage "missing FILE operand"
usage "missing FILE operand" -s 1K
usage "extra operand '$d/b'" -s 1K "$d/a" "$d/b"
usage "no capacity: give -s, --shape, --from or --from-npy" "$d/a"
usage "no capacity: give -s, --shape, --from or --from-npy" --fill 1 "$d/a"
usage "invalid capacity: '12Q' ($size_rule)" -s 12Q "$d/a"
usage "invalid capacity: 'abc' ($size_rule)" -s abc "$d/a"
usage "invalid capacity: '-1' ($size_rule)" -s -1 "$d/a"
usage "invalid capacity: '1KB' ($size_rule)" -s 1KB "$d/a"
usage "invalid capacity: '99999999999999999999' ($size_rule)" -s 99999999999999999999 "$d/a"
usage "invalid capacity: '16777216T' ($size_rule)" -s 16777216T "$d/a"
usage "invalid capacity: '1P' ($size_rule)" -s 1P "$d/a"
usage "invalid capacity: '8388608T' ($size_rule)" -s 8388608T "$d/a"
usage "invalid capacity: '1P' ($size_rule)" --resize 1P "$d/a"
usage "unknown dtype: 'f3'" -t f3 -s 1K "$d/a"
usage "unknown dtype: 'float64'" --dtype float64 -s 1K "$d/a"
usage "shape 1000x3 of <f8 is 24000 bytes, but the capacity is 1000" -t f8 --shape 1000x3 -s 1000 "$d/a"
usage "shape 10 of <u1 is 10 bytes, but the capacity is 11" --shape 10 -s 11 "$d/a"
usage "invalid shape: '10x' (dimensions separated by 'x' or ',', at most 8; the first may be '*')" --shape 10x "$d/a"
usage "invalid shape: 'ax3' (dimensions separated by 'x' or ',', at most 8; the first may be '*')" --shape ax3 "$d/a"
usage "invalid shape: '3,*' (dimensions separated by 'x' or ',', at most 8; the first may be '*')" --shape '3,*' "$d/a"
usage "invalid shape: '1x1x1x1x1x1x1x1x1' (dimensions separated by 'x' or ',', at most 8; the first may be '*')" --shape 1x1x1x1x1x1x1x1x1 "$d/a"
usage "shape 65536x65536x65536x65536 of <u1 is too large" --shape 65536x65536x65536x65536 "$d/a"
usage "invalid length: 'x'" -s 1K --length x "$d/a"
usage "length 2048 exceeds the capacity (1024 bytes)" -s 1K --length 2K "$d/a"
usage "invalid alignment: '3' (a power of two up to 2M)" -s 1K --align 3 "$d/a"
usage "invalid alignment: '4M' (a power of two up to 2M)" -s 1K --align 4M "$d/a"
usage "invalid alignment: '0' (a power of two up to 2M)" -s 1K --align 0 "$d/a"
usage "invalid mode: '8' (octal, at most 7777)" -s 1K --mode 8 "$d/a"
usage "invalid mode: 'rw' (octal, at most 7777)" -s 1K --mode rw "$d/a"
usage "invalid mode: '17777' (octal, at most 7777)" -s 1K --mode 17777 "$d/a"
usage "invalid fill byte: '256' (0 to 255)" -s 1K --fill 256 "$d/a"
usage "invalid fill byte: '-1' (0 to 255)" -s 1K --fill -1 "$d/a"
usage "--fill cannot be used with --from or --from-npy" --fill 1 --from /dev/null "$d/a"
usage "--from and --from-npy cannot be used together" --from /dev/null --from-npy x "$d/a"
usage "--from-npy takes the capacity, dtype and shape from the file: -s, -t and --shape cannot be used with it" --from-npy x -s 1K "$d/a"
long=$(printf '%0256d' 0)
usage "label too long: 256 bytes (at most 255)" -s 1K -L "$long" "$d/a"
# The library's own checks name FILE, and are usage errors too.
expect 64 mkbuf -s 1K -L "$(printf 'bad \377')" "$d/a"
expect_err "mkbuf: $d/a: label is too long or not UTF-8"
empty_dir "$d"

# getopt's errors: one line naming the problem, then the hint, and not
# the whole help.
usage "unrecognized option '--bogus'" --bogus "$d/a"
[ -s "$tmp/out" ] && fail "--bogus: stdout"
usage "invalid option -- 'Z'" -Z "$d/a"
usage "invalid option -- 'Z'" -qZ "$d/a"
# A long option missing its argument is named in full, whether or not it
# has a letter, and so is one given an argument it does not take.
usage "option '--shape' requires an argument" --shape
usage "option '--fill' requires an argument" -s 1K "$d/a" --fill
usage "option '--seal' doesn't allow an argument" -s 1K --seal=yes "$d/a"
usage "option '--f' is ambiguous; possibilities: '--force' '--from' '--from-npy' '--fill'" --f "$d/a"
usage "option '--from-npy' requires an argument" -s 1K "$d/a" --from-n
usage "option requires an argument -- 's'" "$d/a" -s
empty_dir "$d"
expect 0 mkbuf --help
grep -q ", 64 usage error\.$" "$tmp/out" || fail "--help: no status 64"

# Cannot create: 3.
printf 'keep' > "$d/exists"
expect 3 mkbuf -s 1K "$d/exists"
expect_err "mkbuf: $d/exists: File exists"
[ "$(cat "$d/exists")" = keep ] || fail "existing file changed"
expect 3 mkbuf -s 1K --fill 9 "$d/exists"
[ "$(cat "$d/exists")" = keep ] || fail "existing file changed (--fill)"
mkdir "$d/sub"
expect 3 mkbuf -f -s 1K "$d/sub"
expect_err "mkbuf: $d/sub: not a regular file: -f replaces only a regular file"
[ "$(ls -A "$d")" = "$(printf 'exists\nsub')" ] || fail "left behind: $(ls -A "$d")"
expect 3 mkbuf -s 1K "$d/nodir/a"
expect_err "mkbuf: $d/nodir/a: No such file or directory"

# A directory we may not write.  As root the permission bits do not stop
# us, so the case runs as nobody (setpriv, util-linux); as another user
# the directory's mode is enough.
ro=$tmp/ro
mkdir "$ro"
chmod 755 "$tmp"
if [ "$(id -u)" = 0 ]; then
    if can_be_nobody "$MKBUF"; then
        as_nobody "$MKBUF" -s 1K "$ro/a" > "$tmp/out" 2> "$tmp/err"
        status "unwritable directory" 3 $?
        expect_err "mkbuf: $ro/a: Permission denied"
        cat "$tmp/in" 2>/dev/null |
            as_nobody "$MKBUF" --from - "$ro/a" > "$tmp/out" 2> "$tmp/err"
        status "unwritable directory, spooling" 3 $?
        expect_err "mkbuf: $ro/a: Permission denied"
    fi
else
    chmod 555 "$ro"
    expect 3 mkbuf -s 1K "$ro/a"
    expect_err "mkbuf: $ro/a: Permission denied"
fi
empty_dir "$ro"

# The progress bar: on a terminal (script(1) gives one) for large work,
# never with -q, never when stderr is not a terminal.
if command -v script > /dev/null 2>&1; then
    script -qec "'$MKBUF' -s 80M --fill 1 '$d/p.buf'" /dev/null > "$tmp/tty" 2>&1
    status "progress on a terminal" 0 $?
    grep -q "mkbuf: filling $d/p.buf \[#*\.*\] *[0-9]*% [0-9]*/80 MiB" "$tmp/tty" ||
        { fail "no progress bar on a terminal"; cat -v "$tmp/tty" >&2; }
    grep -q "100% 80/80 MiB" "$tmp/tty" || fail "progress does not reach 100%"
    rm -f "$d/p.buf"
    script -qec "'$MKBUF' -s 80M --fill 1 --seal '$d/p.buf'" /dev/null > "$tmp/tty" 2>&1
    status "sealing on a terminal" 0 $?
    grep -q "mkbuf: sealing $d/p.buf .*100% 160/160 MiB" "$tmp/tty" ||
        { fail "no progress bar for --seal"; cat -v "$tmp/tty" >&2; }
    rm -f "$d/p.buf"
    script -qec "'$MKBUF' -q -s 80M --fill 1 '$d/p.buf'" /dev/null > "$tmp/tty" 2>&1
    grep -q "filling" "$tmp/tty" && fail "progress bar with -q"
    rm -f "$d/p.buf"
    script -qec "'$MKBUF' -s 1M --fill 1 '$d/p.buf'" /dev/null > "$tmp/tty" 2>&1
    grep -q "filling" "$tmp/tty" && fail "progress bar for small work"
    rm -f "$d/p.buf"
    head -c 70000000 /dev/zero > "$tmp/big"
    script -qec "'$MKBUF' -q --from '$tmp/big' '$d/p.buf' && '$MKBUF' --from '$tmp/big' '$d/p2.buf'" /dev/null > "$tmp/tty" 2>&1
    grep -q "copying to $d/p2.buf .*100% 66/66 MiB" "$tmp/tty" || fail "no progress bar for --from"
    grep -q "p.buf .*MiB" "$tmp/tty" && fail "progress bar for --from with -q"
    rm -f "$d/p.buf" "$d/p2.buf" "$tmp/big"
    # Standard input of unknown length: the bytes read so far while it
    # is read (no total to show), then the copy's bar; nothing with -q,
    # nothing for a small input.
    script -qec "head -c 70000000 /dev/zero | '$MKBUF' --from - '$d/p.buf'" /dev/null > "$tmp/tty" 2>&1
    status "--from - on a terminal" 0 $?
    grep -q "mkbuf: reading standard input 6[4-6] MiB" "$tmp/tty" ||
        { fail "no progress for --from - of unknown length"; cat -v "$tmp/tty" >&2; }
    grep -q "copying to $d/p.buf .*100% 66/66 MiB" "$tmp/tty" ||
        fail "no progress bar for the copy of --from -"
    rm -f "$d/p.buf"
    script -qec "head -c 70000000 /dev/zero | '$MKBUF' -q --from - '$d/p.buf'" /dev/null > "$tmp/tty" 2>&1
    grep -q "MiB" "$tmp/tty" && fail "progress for --from - with -q"
    rm -f "$d/p.buf"
    script -qec "head -c 1000000 /dev/zero | '$MKBUF' --from - '$d/p.buf'" /dev/null > "$tmp/tty" 2>&1
    grep -q "reading standard input" "$tmp/tty" && fail "progress for a small --from -"
    rm -f "$d/p.buf"
else
    echo "SKIP (progress cases only): script(1) is missing" >&2
fi
"$MKBUF" -s 80M --fill 1 "$d/p.buf" > /dev/null 2> "$tmp/err"
checks=$((checks + 1))
[ -s "$tmp/err" ] && fail "progress bar when stderr is not a terminal"

finish
