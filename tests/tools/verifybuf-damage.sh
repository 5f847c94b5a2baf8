#!/bin/sh
# verifybuf-damage.sh - every kind of damage, made with dd and printf,
# and what verifybuf says about it; --repair, --dry-run and --backup.
#
# Buffers made by mktestbuf start their data at offset 8192 (after the two
# header pages: slot 0 at 0, slot 1 at 4096) and are sealed with 4 KiB
# blocks unless told otherwise.

. "${srcdir:-.}/tests/tools/verifybuf-lib.sh"

b=$tmp/buf

# A sealed buffer verifies.
sealed "$b" 1 100000
expect 0 verifybuf "$b"
expect_out "$b: ok"
expect_err

# One byte flipped in the data: exit 2, naming the block.
cp "$b" "$tmp/flip"
flip "$tmp/flip" $((8192 + 17 * 4096 + 5))
expect 2 verifybuf "$tmp/flip"
expect_out "$tmp/flip: CORRUPT (block 17 at [0x11000, 0x12000))"
expect_err
# Two adjacent blocks make one run; a third, apart, another.
flip "$tmp/flip" $((8192 + 18 * 4096))
flip "$tmp/flip" $((8192 + 99999))
expect 2 verifybuf "$tmp/flip"
expect_out "$tmp/flip: CORRUPT (blocks 17-18 at [0x11000, 0x13000); block 24 at [0x18000, 0x186a0))"

# The example of the issue, with the default 1 MiB blocks.
"$MKTESTBUF" --random 2:$((20 << 20)) "$tmp/big" || exit 99
"$VERIFYBUF" -q --seal "$tmp/big" || exit 99
flip "$tmp/big" $((8192 + 0x1100000 + 5))
flip "$tmp/big" $((8192 + 0x12fffff))
expect 2 verifybuf "$tmp/big"
expect_out "$tmp/big: CORRUPT (blocks 17-18 at [0x1100000, 0x1300000))"
rm -f "$tmp/big"

# Truncated: exit 2 with the expected and actual sizes.
size=$(wc -c < "$b")
cp "$b" "$tmp/short"
truncate -s 100000 "$tmp/short"
expect 2 verifybuf "$tmp/short"
expect_out "$tmp/short: CORRUPT (truncated: expected $size bytes, found 100000)"
# Even shorter than the header pages.
truncate -s 5000 "$tmp/short"
expect 2 verifybuf "$tmp/short"
expect_out "$tmp/short: CORRUPT (truncated: expected $size bytes, found 5000)"

# Not a buffer file: exit 3.
printf 'hello, world\n' > "$tmp/text"
expect 3 verifybuf "$tmp/text"
expect_out "$tmp/text: cannot check: not an mmbuf buffer file (bad magic)"
# An empty file, or one shorter than the magic even if it is a prefix of
# it, is not a buffer file either (mmbuf(5), "Magic"), not a damaged one.
: > "$tmp/empty"
expect 3 verifybuf "$tmp/empty"
expect_out "$tmp/empty: cannot check: not an mmbuf buffer file (bad magic)"
printf '\215MMB' > "$tmp/prefix"
expect 3 verifybuf "$tmp/prefix"
expect_out "$tmp/prefix: cannot check: not an mmbuf buffer file (bad magic)"
expect 3 verifybuf "$tmp/missing"
expect_out "$tmp/missing: cannot check: No such file or directory"
expect 3 verifybuf "$tmp"
expect_out "$tmp: cannot check: not a regular file"

# No permission to read it: exit 3.  Root reads anything, so as root the
# case runs as nobody (setpriv, util-linux), on a file only root may read.
printf 'x' > "$tmp/secret"
chmod 600 "$tmp/secret"
chmod 755 "$tmp"
if [ "$(id -u)" = 0 ]; then
    if ! command -v setpriv > /dev/null 2>&1; then
        echo "SKIP (this case only): setpriv is missing, cannot drop root" >&2
    elif ! setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$VERIFYBUF" --version > /dev/null 2>&1; then
        echo "SKIP (this case only): nobody cannot run $VERIFYBUF" \
            "(the build tree is private)" >&2
    else
        setpriv --reuid=65534 --regid=65534 --clear-groups \
            "$VERIFYBUF" "$tmp/secret" > "$tmp/out" 2> "$tmp/err"
        status "verifybuf, no permission" 3 $?
        expect_out "$tmp/secret: cannot check: Permission denied"
    fi
else
    chmod 000 "$tmp/secret"
    expect 3 verifybuf "$tmp/secret"
    expect_out "$tmp/secret: cannot check: Permission denied"
fi

# Never sealed, modified since the seal: exit 1.
"$MKTESTBUF" --random 3:5000 "$tmp/plain" || exit 99
expect 1 verifybuf "$tmp/plain"
expect_out "$tmp/plain: not verifiable (never sealed)"
cp "$b" "$tmp/mod"
"$HOLDBUF" -c "$tmp/mod" || exit 99
expect 1 verifybuf "$tmp/mod"
expect_out "$tmp/mod: not verifiable (modified since seal)"

# data FILE: the bytes after the header pages, to compare across repairs.
data() {
    tail -c +8193 "$1"
}

# Slot 0 damaged.  After a seal (open, seal, close, and a second clean
# commit that a sealed buffer's close makes) both slots hold the clean,
# sealed state, slot 1 the newer.
cp "$b" "$tmp/s0"
printf 'XX' | dd of="$tmp/s0" bs=1 seek=300 conv=notrunc status=none
cp "$tmp/s0" "$tmp/s0.orig"
data "$tmp/s0" > "$tmp/s0.data"
expect 2 verifybuf "$tmp/s0"
expect_out "$tmp/s0: CORRUPT (slot 0 CRC)"
# --dry-run tells and writes nothing.
expect 2 verifybuf --repair --dry-run "$tmp/s0"
expect_out "$tmp/s0: would repair slot 0 from slot 1" \
    "$tmp/s0: CORRUPT (slot 0 CRC)"
same "--dry-run wrote nothing" "$tmp/s0" "$tmp/s0.orig"
# --dry-run with --backup saves nothing either.
expect 2 verifybuf --repair --dry-run --backup "$tmp/s0.bak" "$tmp/s0"
checks=$((checks + 1))
[ ! -e "$tmp/s0.bak" ] || fail "--dry-run --backup made a backup"
same "--dry-run --backup wrote nothing" "$tmp/s0" "$tmp/s0.orig"
# --repair --backup: the backup is the two header pages as they were.
expect 0 verifybuf --repair --backup "$tmp/s0.bak" "$tmp/s0"
expect_out "$tmp/s0: repaired slot 0 from slot 1" "$tmp/s0: ok"
expect_err
head -c 8192 "$tmp/s0.orig" > "$tmp/s0.hdr"
same "--backup holds the header pages" "$tmp/s0.bak" "$tmp/s0.hdr"
data "$tmp/s0" > "$tmp/s0.after"
same "--repair left the data alone" "$tmp/s0.after" "$tmp/s0.data"
expect 0 verifybuf "$tmp/s0"
expect_out "$tmp/s0: ok"
# Nothing to repair: no backup, exit 0.
expect 0 verifybuf --repair --backup "$tmp/none.bak" "$tmp/s0"
expect_out "$tmp/s0: ok"
checks=$((checks + 1))
[ ! -e "$tmp/none.bak" ] || fail "a backup made with nothing to repair"
# An existing backup file is never overwritten, and then nothing is
# repaired.
cp "$tmp/s0.orig" "$tmp/s0"
echo keep > "$tmp/old.bak"
expect 3 verifybuf --repair --backup "$tmp/old.bak" "$tmp/s0"
expect_out "$tmp/s0: CORRUPT (slot 0 CRC)"
expect_err "verifybuf: $tmp/old.bak: cannot create the backup: File exists"
echo keep > "$tmp/keep"
same "existing backup kept" "$tmp/old.bak" "$tmp/keep"
same "no repair without the backup" "$tmp/s0" "$tmp/s0.orig"

# Slot 1 damaged.  A second seal (three more commits) leaves the current
# header in slot 0, so slot 1 is the one to rewrite.
cp "$b" "$tmp/s1"
"$VERIFYBUF" -q --seal --block-size 4K "$tmp/s1" || exit 99
printf '\001' | dd of="$tmp/s1" bs=1 seek=$((4096 + 96)) conv=notrunc status=none
data "$tmp/s1" > "$tmp/s1.data"
expect 2 verifybuf "$tmp/s1"
expect_out "$tmp/s1: CORRUPT (slot 1 CRC)"
expect 0 verifybuf --repair "$tmp/s1"
expect_out "$tmp/s1: repaired slot 1 from slot 0" "$tmp/s1: ok"
data "$tmp/s1" > "$tmp/s1.after"
same "--repair left the data alone (slot 1)" "$tmp/s1.after" "$tmp/s1.data"

# The current slot damaged: a sealed buffer's clean close committed the
# clean state into both slots, so the other one serves with the seal, and
# once repaired the buffer verifies.
cp "$b" "$tmp/cur"
printf 'XX' | dd of="$tmp/cur" bs=1 seek=$((4096 + 300)) conv=notrunc status=none
data "$tmp/cur" > "$tmp/cur.data"
expect 2 verifybuf "$tmp/cur"
expect_out "$tmp/cur: CORRUPT (slot 1 CRC)"
expect 0 verifybuf --repair "$tmp/cur"
expect_out "$tmp/cur: repaired slot 1 from slot 0" \
    "$tmp/cur: ok"
data "$tmp/cur" > "$tmp/cur.after"
same "--repair left the data alone (current slot)" "$tmp/cur.after" "$tmp/cur.data"

# A damaged slot and a damaged block: --repair mends the slot, never the
# data, whose damage is still reported.
cp "$b" "$tmp/mixed"
printf 'XX' | dd of="$tmp/mixed" bs=1 seek=300 conv=notrunc status=none
flip "$tmp/mixed" $((8192 + 2 * 4096 + 7))
data "$tmp/mixed" > "$tmp/mixed.data"
expect 2 verifybuf "$tmp/mixed"
expect_out "$tmp/mixed: CORRUPT (slot 0 CRC; block 2 at [0x2000, 0x3000))"
expect 2 verifybuf --repair "$tmp/mixed"
expect_out "$tmp/mixed: repaired slot 0 from slot 1" \
    "$tmp/mixed: CORRUPT (block 2 at [0x2000, 0x3000))"
data "$tmp/mixed" > "$tmp/mixed.after"
same "--repair left the damaged data alone" "$tmp/mixed.after" "$tmp/mixed.data"

# Both slots damaged: nothing to repair from; the data is never touched.
cp "$b" "$tmp/both"
printf 'XX' | dd of="$tmp/both" bs=1 seek=300 conv=notrunc status=none
printf 'XX' | dd of="$tmp/both" bs=1 seek=$((4096 + 300)) conv=notrunc status=none
cp "$tmp/both" "$tmp/both.orig"
expect 2 verifybuf "$tmp/both"
expect_out "$tmp/both: CORRUPT (slot 0 CRC; slot 1 CRC)"
expect 2 verifybuf --repair "$tmp/both"
expect_out "$tmp/both: CORRUPT (slot 0 CRC; slot 1 CRC)"
expect_err "verifybuf: $tmp/both: cannot repair: header CRC mismatch"
same "unrepairable file untouched" "$tmp/both" "$tmp/both.orig"

finish
