#!/bin/sh
# mkbuf-resize.sh - mkbuf --resize: grow (preallocated or sparse), shrink,
# and every refusal: below the length, below the shape, readers or a
# writer holding the buffer, a read-only file, bad arguments.

. "${srcdir:-.}/tests/tools/mkbuf-lib.sh"


d=$tmp/d
mkdir "$d"
b=$d/b.mmbuf

# blocks FILE: bytes allocated on disk.
blocks() {
    echo $(($(stat -c %b "$1") * $(stat -c %B "$1")))
}

expect 0 mkbuf -q -s 4K --fill 0x41 --length 100 "$b"
cp "$b" "$tmp/orig"

# Grow: the data kept, the new bytes zero, the space preallocated.
expect 0 mkbuf --resize 1M "$b"
expect_out "$b: resized, capacity 4096 -> 1048576"
same "no message" "$tmp/err" /dev/null
[ "$(stat -c %s "$b")" = $((8192 + 1048576)) ] || fail "size $(stat -c %s "$b")"
[ "$(blocks "$b")" -ge 1048576 ] || fail "not preallocated: $(blocks "$b")"
dd if="$b" bs=4096 skip=2 count=1 status=none > "$tmp/head"
head -c 4096 /dev/zero | tr '\0' A > "$tmp/want"
same "the old data is kept" "$tmp/head" "$tmp/want"
tail -c +$((8192 + 4096 + 1)) "$b" | tr -d '\0' > "$tmp/tail"
same "the new bytes are zero" "$tmp/tail" /dev/null
field "$b" capacity > "$tmp/v"; echo 1048576 > "$tmp/w"
same "capacity in the header" "$tmp/v" "$tmp/w"
field "$b" length > "$tmp/v"; echo 100 > "$tmp/w"
same "length unchanged" "$tmp/v" "$tmp/w"

# Sparse growth.
expect 0 mkbuf -q --resize 64M --sparse "$b"
same "-q: no output" "$tmp/out" /dev/null
[ "$(blocks "$b")" -lt $((8 * 1048576)) ] || fail "--sparse preallocated"

# Shrink: to the length exactly, not below it.
expect 0 mkbuf -q --resize 100 "$b"
[ "$(stat -c %s "$b")" = 8292 ] || fail "shrunk size $(stat -c %s "$b")"
cp "$b" "$tmp/small"
expect 3 mkbuf --resize 99 "$b"
expect_err "mkbuf: $b: cannot shrink to 99 bytes: the length is 100 bytes"
same "a refused shrink changes nothing" "$b" "$tmp/small"

# --json prints the new header.
expect 0 mkbuf --json --resize 8K "$b"
grep -q '"capacity": 8192,' "$tmp/out" || fail "--json: $(head -c 300 "$tmp/out")"

# A shape that would not fit.
expect 0 mkbuf -q -t f8 --shape 100x2 --length 0 "$d/s.mmbuf"
expect 3 mkbuf --resize 1599 "$d/s.mmbuf"
expect_err "mkbuf: $d/s.mmbuf: cannot shrink to 1599 bytes: the shape needs more"


# A writer holds it: busy, for growing and shrinking alike.
hold "$b"
expect 3 mkbuf --resize 1M "$b"
expect_err "mkbuf: $b: buffer is busy: another writer has it open"
expect 3 mkbuf --resize 4K "$b"
expect_err "mkbuf: $b: buffer is busy: another writer has it open"
unhold

# A reader has it open: a shrink is refused, a grow is not.
expect 0 mkbuf -q --resize 1M "$b"
hold -r "$b"
expect 3 mkbuf --resize 8K "$b"
expect_err "mkbuf: $b: cannot shrink: other processes have it open"
expect 0 mkbuf -q --resize 2M "$b"
unhold
expect 0 mkbuf -q --resize 8K "$b"

# Usage errors.
expect 64 mkbuf --resize 1M -s 4K "$b"
expect_err "mkbuf: --resize takes only --sparse, --json and -q
Try 'mkbuf --help' for more information."
expect 64 mkbuf --resize lots "$b"
expect_err "mkbuf: invalid capacity: 'lots' (bytes, with an optional suffix K, M, G, T or KiB, MiB, GiB, TiB, powers of 1024; at most 8388607T)
Try 'mkbuf --help' for more information."
expect 3 mkbuf --resize 1M "$d/missing.mmbuf"
expect_err "mkbuf: $d/missing.mmbuf: No such file or directory"
[ ! -e "$d/missing.mmbuf" ] || fail "--resize created a file"
echo text > "$d/t.txt"
expect 3 mkbuf --resize 1M "$d/t.txt"
expect_err "mkbuf: $d/t.txt: not an mmbuf buffer file (bad magic)"

finish
