#!/bin/sh
# interrupt.sh - Ctrl-C (SIGINT) during a seal stops it at once and
# cleanly: verifybuf --seal closes the buffer clean and unsealed, mkbuf
# --seal discards the buffer it was building, and both then die of the
# signal (status 130 in the shell), as verifybuf(1) and mkbuf(1) say; a
# check stops too.
#
# The signal comes at a chosen moment: the fault shim's hook runs
# "kill -INT" on the tool from its first msync(2), the seal's sync of the
# data before it hashes; the seal must then stop at its first block.

. "${srcdir:-.}/tests/tools/mkbuf-lib.sh"

SHIM=$PWD/tests/faults/.libs/faultshim.so
need_built "$SHIM" "$VERIFYBUF"
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS

d=$tmp/d
mkdir "$d"
# The hook's sh is a child of the tool: $PPID is the tool.
hook='msync@1:kill -INT $PPID'

# interrupted STATUS PROG ARGS...: expect STATUS of the tool PROG under the
# shim, interrupted at its first msync, with the MMBUF_FAULT of $faults.
interrupted() {
    want=$1
    shift
    expect "$want" MMBUF_FAULT="$faults" MMBUF_FAULT_HOOK="$hook" \
        LD_PRELOAD="$SHIM" "$@"
}

# verdict FILE: verifybuf's line for FILE, its status in $tmp/status.
verdict() {
    "$VERIFYBUF" "$1" 2>&1
    echo $? > "$tmp/status"
}

# verifybuf --seal of a never-sealed buffer: stopped, it stays never
# sealed (a seal that ran to its end, as one deferring the signal would,
# leaves it sealed), and closed clean (killed mid-seal, it would say "last
# writer crashed"); no table is left past the data.
faults=
"$MKTESTBUF" --random 1:4194304 "$d/v.buf" || exit 99
size=$(stat -c %s "$d/v.buf")
interrupted 130 verifybuf --seal "$d/v.buf"
expect_out
expect_err
[ "$(verdict "$d/v.buf")" = "$d/v.buf: not verifiable (never sealed)" ] ||
    fail "verifybuf --seal, interrupted: $(verdict "$d/v.buf")"
[ "$(cat "$tmp/status")" = 1 ] || fail "verifybuf: status $(cat "$tmp/status")"
[ "$(stat -c %s "$d/v.buf")" = "$size" ] ||
    fail "verifybuf --seal, interrupted: the file grew"

# A sealed buffer sealed again and stopped: unsealed (the open for writing
# withdrew the seal), clean, as large as it was.
"$VERIFYBUF" -q --seal "$d/v.buf" || fail "verifybuf --seal"
size=$(stat -c %s "$d/v.buf")
interrupted 130 verifybuf --seal --block-size 4K "$d/v.buf"
expect_out
expect_err
[ "$(verdict "$d/v.buf")" = "$d/v.buf: not verifiable (modified since seal)" ] ||
    fail "verifybuf --seal again, interrupted: $(verdict "$d/v.buf")"
[ "$(stat -c %s "$d/v.buf")" = "$size" ] ||
    fail "verifybuf --seal again, interrupted: the size changed"

# A check stopped so (the hook at its first pread(2), the header's, as
# nothing else is read with pread in place) prints no verdict.
"$VERIFYBUF" -q --seal "$d/v.buf" || fail "verifybuf --seal"
hook='pread@1:kill -INT $PPID'
interrupted 130 verifybuf "$d/v.buf"
expect_out
expect_err
hook='msync@1:kill -INT $PPID'

# mkbuf --seal: the buffer is discarded, and the seal stopped before it
# wrote its table (the second pwrite(2) of this mkbuf, after the header's,
# made to fail here: a seal that went on would say "cannot seal").
faults=pwrite=EIO@2
mkdir "$d/m"
interrupted 130 mkbuf -s 4M --seal "$d/m/m.buf"
expect_out
expect_err
empty_dir "$d/m"

finish
