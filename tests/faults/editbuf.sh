#!/bin/sh
# editbuf.sh - editbuf's scripted mode is all or nothing for the data:
# when a write or the sync fails after the buffer was opened for writing
# (faults of tests/faults/faultshim, a real full tmpfs), the bytes already
# written are put back; and when the buffer changes between the check of
# the edits and the open for writing (a hook of the shim runs mkbuf in that
# gap), nothing is written.  The header may change: opening for writing is
# a commit.

. "${srcdir:-.}/tests/tools/editbuf-lib.sh"

SHIM=$PWD/tests/faults/.libs/faultshim.so
case $MKBUF in /*) ;; *) MKBUF=$PWD/$MKBUF ;; esac
need_built "$SHIM" "$MKBUF"
case $EDITBUF in /*) ;; *) EDITBUF=$PWD/$EDITBUF ;; esac
case $DUMPBUF in /*) ;; *) DUMPBUF=$PWD/$DUMPBUF ;; esac
# In the sanitizer build the programs carry ASan, which wants to come
# first in the library list; the shim only wraps a few libc calls.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS

# region BUF OUT: the whole data region of BUF (default layout: it starts
# at byte 8192), whatever the length.
region() {
    tail -c +8193 "$1" > "$2" || exit 99
}

# 64 KiB of data, length 16 (so that it can be shrunk).
b=$tmp/b
mkraw 7 65536 "$tmp/raw"
"$MKBUF" -q --length 16 --from "$tmp/raw" "$b" || exit 99
cp "$b" "$tmp/orig"
region "$b" "$tmp/orig.data"
edits="--set 0x100=aabb --fill 0x2000:0x3000=0xee --set 0xf000=ccdd"
patch_raw "$tmp/orig.data" "$tmp/edited.data" '
d[0x100:0x102] = b"\xaa\xbb"
d[0x2000:0x5000] = b"\xee" * 0x3000
d[0xf000:0xf002] = b"\xcc\xdd"'

# shimmed FAULTS: editbuf $edits on a fresh copy of the buffer under the
# shim with MMBUF_FAULT=FAULTS; $rc, and its data region in $tmp/got.
shimmed() {
    cp "$tmp/orig" "$b"
    # shellcheck disable=SC2086
    MMBUF_FAULT=$1 LD_PRELOAD=$SHIM "$EDITBUF" $edits "$b" \
        > "$tmp/out" 2> "$tmp/err"
    rc=$?
    region "$b" "$tmp/got"
}

# all_or_nothing DESC: after shimmed, every edit is in the data (exit 0,
# or 2 when only the final close failed) or none is (exit 2).
all_or_nothing() {
    checks=$((checks + 1))
    if cmp -s "$tmp/got" "$tmp/edited.data"; then
        case $rc in
        0) ;;
        2) grep -q "close failed: .*; the edits are written$" "$tmp/err" ||
            fail "$1: exit 2 with the edits written: $(cat "$tmp/err")" ;;
        *) fail "$1: exit status $rc: $(cat "$tmp/err")" ;;
        esac
    elif cmp -s "$tmp/got" "$tmp/orig.data"; then
        [ $rc = 2 ] || fail "$1: nothing written, exit status $rc"
    else
        fail "$1: the edits are partly written (exit $rc): $(cat "$tmp/err")"
    fi
}

# A write or the sync fails once, at every point of the save: whatever
# failed, the data is all edited or unchanged.  Failures after a write
# that went out (the second and third edits) must put it back.
EIO_TEXT="Input/output error"
ENOSPC_TEXT="No space left on device"
for fault in pwrite=EIO pwrite=ENOSPC msync=EIO; do
    call=${fault%%=*}
    case $fault in *EIO) text=$EIO_TEXT ;; *) text=$ENOSPC_TEXT ;; esac
    case $call in pwrite) step=write ;; msync) step=sync ;; esac
    put_back=0
    for n in 1 2 3 4 5 6; do
        shimmed "$fault@${n}x1"
        all_or_nothing "$fault@${n}x1"
        if [ "$(cat "$tmp/err")" = "editbuf: $b: $step failed: $text; the data is unchanged" ]; then
            put_back=$((put_back + 1))
        fi
    done
    checks=$((checks + 1))
    case $call in pwrite) want=2 ;; msync) want=1 ;; esac
    [ $put_back -ge $want ] ||
        fail "$fault: $put_back failed ${step}s put the data back, expected $want or more"
done

# A write that keeps failing (from the third, so that one edit went out
# before, even if header commits use pwrite too): the old bytes cannot be
# put back either, and the message says so.
shimmed pwrite=EIO@3
status "pwrite=EIO@3 for ever" 2 $rc
expect_err "editbuf: $b: write failed: $EIO_TEXT; the old data could not be put back, the edits may be partly written"

# More than the 16 MiB kept in memory: the rest of the old bytes go to a
# temporary file in $TMPDIR.  Without one, the save stops before writing
# what it could not keep, and puts back what it wrote.
big=$tmp/big
"$MKBUF" -q -s 20M --fill 0x5a "$big" || exit 99
cp "$big" "$tmp/big.orig"
expect 2 TMPDIR="$tmp/none" editbuf --fill 0:20M=0 "$big"
expect_err "editbuf: $big: temporary file failed: No such file or directory; the data is unchanged"
region "$big" "$tmp/got"
region "$tmp/big.orig" "$tmp/want"
same "no temporary directory: the data unchanged" "$tmp/got" "$tmp/want"
# With one, a write failing at the end (the 20th piece of 1 MiB) puts back
# the bytes kept in both places.
mkdir "$tmp/undo"
cp "$tmp/big.orig" "$big"
expect 2 TMPDIR="$tmp/undo" MMBUF_FAULT=pwrite=EIO@20x1 LD_PRELOAD="$SHIM" \
    editbuf --fill 0:20M=0 "$big"
expect_err "editbuf: $big: write failed: $EIO_TEXT; the data is unchanged"
region "$big" "$tmp/got"
same "a write failing after 19 MiB: the data unchanged" "$tmp/got" "$tmp/want"
checks=$((checks + 1))
[ -z "$(ls -A "$tmp/undo")" ] || fail "a temporary file was left behind"
rm -f "$big" "$tmp/big.orig" "$tmp/got" "$tmp/want"

# The buffer changes between the check and the open for writing: the
# shim runs mkbuf just before editbuf's first open that may write.
# hooked STATUS COMMAND: editbuf --set 0=aabb --set 0x8000=ccdd on a fresh
# copy exits with STATUS, with COMMAND run in the gap (its stderr in
# $tmp/hook.err).
hooked() {
    cp "$tmp/orig" "$b"
    expect "$1" MMBUF_FAULT_HOOK="open@1:$2 2> '$tmp/hook.err'" \
        LD_PRELOAD="$SHIM" editbuf --set 0=aabb --set 0x8000=ccdd "$b"
}
patch_raw "$tmp/orig.data" "$tmp/two.data" '
d[0:2] = b"\xaa\xbb"
d[0x8000:0x8002] = b"\xcc\xdd"'

# A shrink: editbuf still has the buffer open for reading, so the shrink
# is refused, and every edit goes in.
hooked 0 "'$MKBUF' --resize 4K '$b'"
expect_err
echo "mkbuf: $b: cannot shrink: other processes have it open" \
    > "$tmp/hook.want"
same "the shrink in the gap is refused" "$tmp/hook.err" "$tmp/hook.want"
region "$b" "$tmp/got"
same "a shrink in the gap: both edits in" "$tmp/got" "$tmp/two.data"

# A grow: checked again under the writer lock, the capacity changed, and
# nothing is written.
hooked 2 "'$MKBUF' -q --resize 128K '$b'"
expect_err "editbuf: $b: the buffer changed while the edits were checked: its capacity is now 131072 bytes, it was 65536; nothing written"
region "$b" "$tmp/got"
head -c 65536 "$tmp/got" > "$tmp/got64"
same "a grow in the gap: the data unchanged" "$tmp/got64" "$tmp/orig.data"

# A replace: the name is another file's now; neither file is written.
hooked 2 "'$MKBUF' -q -f -s 64K '$b'"
expect_err "editbuf: $b: the buffer changed while the edits were checked: the name now belongs to another file; nothing written"
region "$b" "$tmp/got"
head -c 65536 /dev/zero > "$tmp/zeros"
same "a replace in the gap: the new file untouched" "$tmp/got" "$tmp/zeros"

# A real full filesystem: a sparse buffer on a 1 MiB tmpfs, a fill that
# needs 3 MiB.  The first edit and the first part of the fill went out
# before the disk was full: they are put back.
d=$tmp/d
mkdir "$d"
if [ "$(id -u)" = 0 ] && command -v unshare > /dev/null 2>&1 &&
    unshare -m sh -c "mount -t tmpfs -o size=1m none '$d' 2>/dev/null" \
        2>/dev/null; then
    # In a private mount namespace: the tmpfs goes with the shell.
    unshare -m sh -c '
        d=$1 MKBUF=$2 EDITBUF=$3 tmp=$4
        mount -t tmpfs -o size=1m none "$d" || exit 90
        "$MKBUF" -q --sparse -s 4M "$d/s" || exit 91
        tail -c +8193 "$d/s" > "$tmp/full.before"
        "$EDITBUF" --set 0=aabb --fill 0x10000:3M=0xee "$d/s" 2>&1
        echo "exit $?"
        tail -c +8193 "$d/s" > "$tmp/full.after"
        "$EDITBUF" -v --set 0x100=01 "$d/s" 2>&1
        echo "exit $?"
    ' sh "$d" "$MKBUF" "$EDITBUF" "$tmp" > "$tmp/full.out" 2>&1
    status "the tmpfs case ran" 0 $?
    cat > "$tmp/full.want" <<WANT
editbuf: $d/s: write failed: $ENOSPC_TEXT; the data is unchanged
exit 2
$d/s: 1 byte written
exit 0
WANT
    same "a full tmpfs: messages" "$tmp/full.out" "$tmp/full.want"
    same "a full tmpfs: the data unchanged" "$tmp/full.after" \
        "$tmp/full.before"
else
    echo "SKIP (the tmpfs case only): cannot mount a tmpfs here;" \
        "the shim cases above cover ENOSPC" >&2
fi

finish
