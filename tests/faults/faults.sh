#!/bin/sh
# faults.sh - fault injection: a full disk, a file size limit, permission
# and read-only filesystem errors, interrupted system calls and failing
# syncs, each during creation, replacement and commits.  Every one must
# give a clear error, leave an existing file exactly as it was, and leave
# no partial or temporary file behind.
#
# Three sources of faults:
#   - a real small tmpfs, mounted in a private mount namespace (unshare -m)
#     when this process may do so (root with CAP_SYS_ADMIN); otherwise those
#     cases are skipped, and the shim below still covers the same errors;
#   - tests/faults/faultshim, an LD_PRELOAD library failing chosen calls;
#   - RLIMIT_FSIZE (ulimit -f) for EFBIG, setpriv for EACCES.

. "${srcdir:-.}/tests/tools/mkbuf-lib.sh"

FAULTOP=$PWD/tests/faults/faultop
SHIM=$PWD/tests/faults/.libs/faultshim.so
case $VERIFYBUF in /*) ;; *) VERIFYBUF=$PWD/$VERIFYBUF ;; esac
for f in "$FAULTOP" "$SHIM" "$VERIFYBUF"; do
    if [ ! -e "$f" ]; then
        echo "ERROR: $f is not built" >&2
        exit 99
    fi
done
# In the sanitizer build the programs carry ASan, which wants to come
# first in the library list; the shim only wraps a few libc calls.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS

d=$tmp/d
mkdir "$d"

# errno_text NAME: glibc's strerror text, as the library reports it.
errno_text() {
    case $1 in
    ENOSPC) echo "No space left on device" ;;
    EIO) echo "Input/output error" ;;
    EDQUOT) echo "Disk quota exceeded" ;;
    EROFS) echo "Read-only file system" ;;
    EACCES) echo "Permission denied" ;;
    EFBIG) echo "File too large" ;;
    *) echo "errno_text: $1?" >&2; exit 99 ;;
    esac
}

# op WANT-STATUS FAULTS ARGS...: faultop under the shim with MMBUF_FAULT
# set to FAULTS (empty: no fault); its output in $tmp/out.
op() {
    want=$1 faults=$2
    shift 2
    if [ -n "$faults" ]; then
        MMBUF_FAULT=$faults LD_PRELOAD=$SHIM "$FAULTOP" "$@" \
            > "$tmp/out" 2> "$tmp/err"
    else
        "$FAULTOP" "$@" > "$tmp/out" 2> "$tmp/err"
    fi
    status "faultop $* ($faults)" "$want" $?
}

# only ENTRIES...: the directory $d holds exactly these names (ls -A), so
# no temporary or partial file was left.
only() {
    checks=$((checks + 1))
    got=$(cd "$d" && ls -A | tr '\n' ' ')
    want="$* "
    [ "$*" = "" ] && want=
    [ "$got" = "$want" ] || fail "directory holds '$got', expected '$want'"
}

# A buffer with data to keep: 64 KiB of 0x11, length 1000, a label.
"$MKBUF" -q -s 64K --fill 0x11 --length 1000 -L keep "$d/keep" ||
    fail "cannot make the buffer to keep"
cp "$d/keep" "$tmp/keep.orig"
unchanged() {
    same "keep is unchanged ($1)" "$d/keep" "$tmp/keep.orig"
}

# --- creation and replacement under every fault the shim can make ------
for fault in fallocate=ENOSPC fallocate=EIO fallocate=EDQUOT pwrite=ENOSPC \
             pwrite=EIO fsync=EIO open=EROFS open=EACCES linkat=ENOSPC \
             linkat=EROFS; do
    name=${fault#*=}
    op 1 "$fault" create "$d/new" 1048576
    expect_out "create: $name: $(errno_text "$name")"
    only keep
    op 1 "$fault" create "$d/keep" 1048576 replace
    expect_out "create: $name: $(errno_text "$name")"
    only keep
    unchanged "replace, $fault"
done

# A sparse creation meets the full disk at ftruncate.
op 1 ftruncate=ENOSPC create "$d/new" 1048576 sparse
expect_out "create: ENOSPC: $(errno_text ENOSPC)"
op 1 ftruncate=ENOSPC create "$d/keep" 1048576 sparse replace
expect_out "create: ENOSPC: $(errno_text ENOSPC)"
only keep
unchanged "sparse replace, ftruncate=ENOSPC"

# The same through mkbuf: exit 3, the message names the file.
expect 3 MMBUF_FAULT=fallocate=ENOSPC LD_PRELOAD="$SHIM" \
    mkbuf -q -s 1048576 "$d/new"
expect_err "mkbuf: $d/new: No space left on device (--sparse does not reserve the space on disk)"
only keep
expect 3 MMBUF_FAULT=fallocate=ENOSPC LD_PRELOAD="$SHIM" \
    mkbuf -q -f -s 1048576 "$d/keep"
expect_err "mkbuf: $d/keep: No space left on device (--sparse does not reserve the space on disk)"
only keep
unchanged "mkbuf -f, disk full"
# Data that is written needs the space whatever --sparse does: no hint.
expect 3 MMBUF_FAULT=fallocate=ENOSPC LD_PRELOAD="$SHIM" \
    mkbuf -q -s 1048576 --fill 7 "$d/new"
expect_err "mkbuf: $d/new: No space left on device"
only keep
# mkbuf --from spools standard input that is not a regular file to a
# temporary file with write(2): a full disk there too.
printf 'some bytes' | MMBUF_FAULT=write=ENOSPC LD_PRELOAD=$SHIM "$MKBUF" -q \
    --from - "$d/new" > "$tmp/out" 2> "$tmp/err"
rc=$?
checks=$((checks + 1))
[ $rc -ne 0 ] || fail "mkbuf --from - with write=ENOSPC succeeded"
grep -q "No space left on device" "$tmp/err" ||
    fail "mkbuf --from -, write=ENOSPC: $(cat "$tmp/err")"
only keep

# --- buffers built unpublished (MMBUF_CREATE_UNPUBLISHED) --------------
# A publish that fails leaves the buffer unpublished and the name as it
# was; the close that follows discards it.
for fault in fsync=EIO linkat=ENOSPC linkat=EROFS; do
    name=${fault#*=}
    op 1 "$fault" create "$d/new" 1048576 unpublished
    expect_out "publish: $name: $(errno_text "$name")"
    only keep
done
for fault in fsync=EIO linkat=ENOSPC rename=EIO rename=EROFS; do
    name=${fault#*=}
    op 1 "$fault" create "$d/keep" 1048576 replace unpublished
    expect_out "publish: $name: $(errno_text "$name")"
    only keep
    unchanged "unpublished replace, $fault"
done
op 0 "" discard "$d/new" 1048576
only keep
op 0 "" discard "$d/keep" 1048576 replace
only keep
unchanged "unpublished replace discarded"

# --- a filesystem without O_TMPFILE: hidden temporary names -------------
# (tmpfile=EOPNOTSUPP fails O_TMPFILE opens as such filesystems do.)  The
# temporary name goes whatever happens, short of a kill.
nt=tmpfile=EOPNOTSUPP
op 0 "$nt" create "$d/new" 1048576
only keep new
op 0 "$nt" create "$d/new" 1048576 replace unpublished
only keep new
rm -f "$d/new"
op 0 "$nt" discard "$d/new" 1048576
only keep
op 1 "$nt,pwrite=ENOSPC" create "$d/new" 1048576
expect_out "create: ENOSPC: $(errno_text ENOSPC)"
only keep
op 1 "$nt,rename=EIO" create "$d/keep" 1048576 replace unpublished
expect_out "publish: EIO: $(errno_text EIO)"
only keep
unchanged "no O_TMPFILE, publish by rename=EIO"
expect 0 MMBUF_FAULT="$nt" LD_PRELOAD="$SHIM" mkbuf -q -s 1M --fill 7 "$d/new"
only keep new
rm -f "$d/new"
# mkbuf interrupted while it copies: its hidden file is removed.
mkfifo "$tmp/fifo"
MMBUF_FAULT=$nt LD_PRELOAD=$SHIM "$MKBUF" -q -s 1M --from "$tmp/fifo" \
    "$d/int" 2> "$tmp/err" &
pid=$!
exec 3> "$tmp/fifo"
printf 'partial data' >&3
n=0
while [ -z "$(cd "$d" && ls -A | grep '^\.int\.mmbuf-')" ] && [ $n -lt 100 ]; do
    sleep 0.05
    n=$((n + 1))
done
checks=$((checks + 1))
[ $n -lt 100 ] || fail "no hidden file seen while mkbuf copied"
kill -TERM $pid
wait $pid 2> /dev/null
status "mkbuf without O_TMPFILE, SIGTERM" 143 $?
exec 3>&-
rm -f "$tmp/fifo"
only keep

# --- interrupted calls are retried: the operation succeeds --------------
for fault in pwrite=EINTR@1x3 fallocate=EINTR@1x2 ftruncate=EINTR@1x2; do
    op 0 "$fault" create "$d/new" 1048576
    expect_out ok
    op 0 "$fault" create "$d/sparse" 1048576 sparse
    expect_out ok
    rm -f "$d/new" "$d/sparse"
done
cp "$d/keep" "$d/w"
op 0 pwrite=EINTR@1x5 write "$d/w" 4096 20000
expect_out ok
"$DUMPBUF" -s 4096 -l 20000 -p "$d/w" | tr -d '\n' | tr -d a5 > "$tmp/left"
same "the interrupted write wrote every byte" "$tmp/left" /dev/null
rm -f "$d/w"

# --- commits: a failing data sync commits no length ---------------------
# Header slots are written with pwrite and synced with fdatasync; the data
# is synced with msync.  faultop's first pwrite and fdatasync are the
# open's commit of the "writer open" state; its first msync is
# set_length's data sync, its second pwrite and fdatasync set_length's
# header.  When the data sync fails the header is not written, so the
# length stays as it was.
cp "$d/keep" "$d/c"
op 1 msync=EIO@1x1 length "$d/c" 2000
expect_out "length: EIO: $(errno_text EIO)"
"$DUMPBUF" --json "$d/c" > "$tmp/json" 2>&1 || fail "dumpbuf --json after a failed commit"
grep -q '"length": 1000,' "$tmp/json" ||
    fail "a failed data sync changed the length: $(grep '"length"' "$tmp/json" | head -1)"
op 1 msync=ENOSPC@1x1 length "$d/c" 3000
expect_out "length: ENOSPC: $(errno_text ENOSPC)"
"$DUMPBUF" --json "$d/c" > "$tmp/json" 2>&1 || fail "dumpbuf --json after ENOSPC"
grep -q '"length": 1000,' "$tmp/json" || fail "ENOSPC in the data sync changed the length"
# A failing header sync: the commit is reported as failed; the previous
# generation stays intact in the other slot, and the file opens.
op 1 fdatasync=EIO@2x1 length "$d/c" 2000
expect_out "length: EIO: $(errno_text EIO)"
"$FAULTOP" open "$d/c" > "$tmp/out" 2>&1
status "open after a failed header sync" 0 $?
rm -f "$d/c"
# A failing write reports the error (no SIGBUS, no silence).
cp "$d/keep" "$d/w"
op 1 pwrite=ENOSPC@2x1 write "$d/w" 0 65536
expect_out "write: ENOSPC: $(errno_text ENOSPC)"
rm -f "$d/w"
only keep

# --- a file truncated under its writer ----------------------------------
# (The hook empties the file just before the seal's first msync, the
# sync of the data it is about to hash in place, from the mapping: the
# seal then finds it short, under its SIGBUS guard, on every thread.)  The
# closing commit writes its header slot with pwrite, never through a
# mapping, so it cannot die of SIGBUS; the verdict is the truncated
# file's, exit 2, as verifybuf(1) says.
for threads in 1 2; do
"$MKBUF" -q -s 64K --fill 7 "$d/t" || fail "cannot make the buffer to cut"
expect 2 MMBUF_FAULT_HOOK="msync@1:truncate -s 0 '$d/t'" LD_PRELOAD="$SHIM" \
    verifybuf --threads $threads --block-size 4K --seal "$d/t"
expect_out "$d/t: CORRUPT (slot 0 bad magic; truncated: expected 73728 bytes, found 4608)"
expect_err "verifybuf: $d/t: cannot seal: file is truncated"
rm -f "$d/t"
done
only keep

# --- growth: a failed grow or append changes nothing --------------------
# field FILE KEY is mkbuf-lib.sh's: a field of the current slot.
cp "$d/keep" "$d/g"
op 1 fallocate=ENOSPC resize "$d/g" 1048576
expect_out "resize: ENOSPC: $(errno_text ENOSPC)"
[ "$(field "$d/g" capacity)" = 65536 ] || fail "a failed grow changed the capacity"
[ "$(stat -c %s "$d/g")" = $((8192 + 65536)) ] ||
    fail "a failed grow left the file at $(stat -c %s "$d/g") bytes"
# (pwrite 1 is the open's header, 2 the grown capacity's, 3 the data.)
op 1 pwrite=ENOSPC@3x1 append "$d/g" 100000
expect_out "append: ENOSPC: $(errno_text ENOSPC)"
[ "$(field "$d/g" length)" = 1000 ] || fail "a failed append changed the length"
op 1 msync=EIO@1x1 append "$d/g" 100
expect_out "append: EIO: $(errno_text EIO)"
[ "$(field "$d/g" length)" = 1000 ] ||
    fail "an append whose data sync failed committed its length"
# A failed shrink (its header sync) leaves a file that opens.
op 1 fdatasync=EIO@2x1 resize "$d/g" 4096
expect_out "resize: EIO: $(errno_text EIO)"
"$FAULTOP" open "$d/g" > "$tmp/out" 2>&1
status "open after a failed shrink" 0 $?
rm -f "$d/g"
only keep

# --- EFBIG: a file size limit below the buffer's size ------------------
# SIGXFSZ is ignored so that the call fails instead of killing us.
(trap '' XFSZ; ulimit -f 100; exec "$FAULTOP" create "$d/big" 4194304) \
    > "$tmp/out" 2> "$tmp/err"
status "create past RLIMIT_FSIZE" 1 $?
expect_out "create: EFBIG: $(errno_text EFBIG)"
(trap '' XFSZ; ulimit -f 100; exec "$FAULTOP" create "$d/keep" 4194304 replace) \
    > "$tmp/out" 2> "$tmp/err"
status "replace past RLIMIT_FSIZE" 1 $?
expect_out "create: EFBIG: $(errno_text EFBIG)"
only keep
unchanged "EFBIG"
# The tools ignore SIGXFSZ themselves: the error with their documented
# status, nothing left behind, and no buffer left "writer open".
(ulimit -f 100; exec "$MKBUF" -q -s 4M "$d/big") > "$tmp/out" 2> "$tmp/err"
status "mkbuf past RLIMIT_FSIZE" 3 $?
expect_err "mkbuf: $d/big: File too large"
only keep
"$MKBUF" -q -s 8K "$d/g" || fail "cannot make the buffer to grow"
(ulimit -f 100; exec "$MKBUF" -q --resize 4M "$d/g") > "$tmp/out" 2> "$tmp/err"
status "mkbuf --resize past RLIMIT_FSIZE" 3 $?
expect_err "mkbuf: $d/g: cannot resize: File too large"
expect 1 verifybuf "$d/g"
expect_out "$d/g: not verifiable (never sealed)"
[ "$(field "$d/g" capacity)" = 8192 ] ||
    fail "mkbuf --resize past RLIMIT_FSIZE changed the capacity"
[ "$(stat -c %s "$d/g")" = $((8192 + 8192)) ] ||
    fail "mkbuf --resize past RLIMIT_FSIZE left $(stat -c %s "$d/g") bytes"
# --seal: the table after the 4 MiB of data is what passes the limit.
"$MKBUF" -q --sparse -s 4M "$d/s" || fail "cannot make the buffer to seal"
(ulimit -f $(((8192 + 4194304) / 1024)); exec "$VERIFYBUF" --seal \
    --block-size 4K "$d/s") > "$tmp/out" 2> "$tmp/err"
status "verifybuf --seal past RLIMIT_FSIZE" 3 $?
expect_out "$d/s: not verifiable (never sealed)"
expect_err "verifybuf: $d/s: cannot seal: File too large"
rm -f "$d/g" "$d/s"
only keep

# --- a lock probe that fails tells nothing of the writer ---------------
# A reader's refresh tests the writer lock with F_OFD_GETLK.  When that
# probe fails (here EPERM, whose value is that of -1), what is known of
# the writer stays: the probe at the open saw it at work, so it still is,
# and it is not taken for gone.
"$FAULTOP" create "$d/h" 4096 > /dev/null || fail "cannot make $d/h"
mkfifo "$tmp/holdin"
"$FAULTOP" hold "$d/h" < "$tmp/holdin" > "$tmp/held" 2>&1 &
holder=$!
exec 4> "$tmp/holdin"
n=0
until grep -q '^held$' "$tmp/held" 2> /dev/null || [ $n -ge 100 ]; do
    sleep 0.1
    n=$((n + 1))
done
op 0 "" refresh "$d/h"
expect_out "writer_active 1 unclean 0" ok
op 0 getlk=EPERM@2 refresh "$d/h"
expect_out "writer_active 1 unclean 0" ok
op 0 getlk=EIO@2 refresh "$d/h"
expect_out "writer_active 1 unclean 0" ok
exec 4>&-
wait $holder
status "faultop hold" 0 $?
rm -f "$d/h" "$tmp/holdin"
only keep

# --- EACCES: as nobody, a root-owned directory and file -----------------
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null 2>&1; then
    chmod 755 "$tmp" "$d"
    chmod 644 "$d/keep"
    if setpriv --reuid=65534 --regid=65534 --clear-groups "$FAULTOP" \
        open /nonexistent > /dev/null 2>&1 ||
        [ $? -ne 1 ]; then
        echo "SKIP (EACCES only): nobody cannot run $FAULTOP" \
            "(the build tree is private)" >&2
    else
        setpriv --reuid=65534 --regid=65534 --clear-groups "$FAULTOP" \
            create "$d/new" 1048576 > "$tmp/out" 2> "$tmp/err"
        status "create in a directory nobody may not write" 1 $?
        expect_out "create: EACCES: $(errno_text EACCES)"
        setpriv --reuid=65534 --regid=65534 --clear-groups "$FAULTOP" \
            length "$d/keep" 5 > "$tmp/out" 2> "$tmp/err"
        status "open a file nobody may not write" 1 $?
        expect_out "open: EACCES: $(errno_text EACCES)"
        only keep
        unchanged "EACCES"
    fi
fi

# --- a real full filesystem and a real read-only one (tmpfs) -----------
if [ "$(id -u)" = 0 ] && command -v unshare > /dev/null 2>&1 &&
    unshare -m sh -c "mount -t tmpfs -o size=1m none '$d' 2>/dev/null" \
        2>/dev/null; then
    # Everything below runs in a private mount namespace: the tmpfs is
    # gone when the shell exits, whatever happens.
    unshare -m sh -c '
        set -u
        d=$1 MKBUF=$2 FAULTOP=$3 tmp=$4
        mount -t tmpfs -o size=1m none "$d" || exit 90
        "$MKBUF" -q -s 256K --fill 0x22 "$d/keep" || exit 91
        cp "$d/keep" "$tmp/tmpfs-keep.orig"
        r() { printf "%s: " "$1"; shift; "$@" 2>&1; echo "exit $?"; }
        r create "$FAULTOP" create "$d/new" 4194304
        r replace "$FAULTOP" create "$d/keep" 4194304 replace
        r mkbuf "$MKBUF" -q -s 4M "$d/new"
        r mkbuf-f "$MKBUF" -q -f -s 4M "$d/keep"
        r mkbuf-100G "$MKBUF" -s 100G "$d/new"
        cp "$d/keep" "$d/grow"
        r grow "$FAULTOP" resize "$d/grow" 4194304
        r mkbuf-grow "$MKBUF" --resize 4M "$d/grow"
        r grow-size stat -c %s "$d/grow"
        rm -f "$d/grow"
        r sparse "$FAULTOP" create "$d/sparse" 4194304 sparse
        r write "$FAULTOP" write "$d/sparse" 0 4194304
        rm -f "$d/sparse"
        r ls ls -A "$d"
        cmp -s "$d/keep" "$tmp/tmpfs-keep.orig" && echo "keep unchanged"
        mount -o remount,ro "$d" || exit 92
        r ro-open "$FAULTOP" open "$d/keep"
        r ro-create "$FAULTOP" create "$d/new" 4096
        r ro-mkbuf "$MKBUF" -q -s 4K "$d/new"
        r ro-ls ls -A "$d"
        cmp -s "$d/keep" "$tmp/tmpfs-keep.orig" && echo "keep unchanged"
    ' sh "$d" "$MKBUF" "$FAULTOP" "$tmp" > "$tmp/tmpfs.out" 2>&1
    status "the tmpfs cases ran" 0 $?
    cat > "$tmp/tmpfs.want" <<WANT
create: create: ENOSPC: $(errno_text ENOSPC)
exit 1
replace: create: ENOSPC: $(errno_text ENOSPC)
exit 1
mkbuf: mkbuf: $d/new: No space left on device (--sparse does not reserve the space on disk)
exit 3
mkbuf-f: mkbuf: $d/keep: No space left on device (--sparse does not reserve the space on disk)
exit 3
mkbuf-100G: mkbuf: $d/new: No space left on device (--sparse does not reserve the space on disk)
exit 3
grow: resize: ENOSPC: $(errno_text ENOSPC)
exit 1
mkbuf-grow: mkbuf: $d/grow: cannot resize: No space left on device (--sparse does not reserve the space on disk)
exit 3
grow-size: $((8192 + 262144))
exit 0
sparse: ok
exit 0
write: write: ENOSPC: $(errno_text ENOSPC)
exit 1
ls: keep
exit 0
keep unchanged
ro-open: open: EROFS: $(errno_text EROFS)
exit 1
ro-create: create: EROFS: $(errno_text EROFS)
exit 1
ro-mkbuf: mkbuf: $d/new: Read-only file system
exit 3
ro-ls: keep
exit 0
keep unchanged
WANT
    same "a full and a read-only tmpfs" "$tmp/tmpfs.out" "$tmp/tmpfs.want"
    only keep
else
    echo "SKIP (tmpfs cases only): cannot mount a tmpfs here;" \
        "the shim cases above cover ENOSPC and EROFS" >&2
fi

finish
