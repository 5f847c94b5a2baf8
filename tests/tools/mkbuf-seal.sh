#!/bin/sh
# mkbuf --seal: the buffer appears sealed, with the XXH3-64 of data
# [0, length) that xxhsum -H3 computes on the same bytes, and a block
# table; without --seal it is not sealed.

. "${srcdir:-.}/tests/tools/mkbuf-lib.sh"

d=$tmp/d
mkdir "$d"

# xxh3 FILE: the XXH3-64 of FILE in hex, or "" when xxhsum is missing.
xxh3() {
    xxhsum -H3 < "$1" | sed 's/^XXH3 (stdin) = //; s/ .*//'
}
have_xxhsum=yes
command -v xxhsum > /dev/null 2>&1 || {
    have_xxhsum=no
    echo "SKIP (checksum comparisons only): xxhsum is not installed" >&2
}

expect 0 mkbuf -s 3M --fill 5 --seal "$d/a.buf"
expect_out "$d/a.buf: created, dtype <u1, shape none, capacity 3145728, length 3145728, data offset 8192, sealed"
[ "$(field "$d/a.buf" sealed)" = true ] || fail "--seal: not sealed"
[ "$(field "$d/a.buf" block_shift)" = 20 ] || fail "--seal: block size"
[ "$(field "$d/a.buf" table_size)" = 24 ] || fail "--seal: 3 blocks of 8 bytes"
if [ $have_xxhsum = yes ]; then
    "$DUMPBUF" --raw "$d/a.buf" > "$tmp/data"
    [ "$(field "$d/a.buf" data_checksum)" = "\"$(xxh3 "$tmp/data")\"" ] ||
        fail "--seal --fill: checksum is not XXH3-64 of the data"
fi

# --from, and a length shorter than the capacity: only [0, length) counts.
awk 'BEGIN { for (i = 0; i < 50000; i++) printf "%d\n", i * i }' > "$tmp/in"
expect 0 mkbuf -q --seal -s 1M --length 100000 --from "$tmp/in" "$d/b.buf"
[ "$(field "$d/b.buf" sealed)" = true ] || fail "--seal --from: not sealed"
[ "$(field "$d/b.buf" length)" = 100000 ] || fail "--seal --from: length"
if [ $have_xxhsum = yes ]; then
    head -c 100000 "$tmp/in" > "$tmp/data"
    [ "$(field "$d/b.buf" data_checksum)" = "\"$(xxh3 "$tmp/data")\"" ] ||
        fail "--seal --from --length: checksum is not over [0, length)"
fi

# Without --seal: never sealed.
expect 0 mkbuf -q -s 1M --fill 5 "$d/c.buf"
[ "$(field "$d/c.buf" sealed)" = false ] || fail "sealed without --seal"
[ "$(field "$d/c.buf" data_checksum)" = null ] || fail "checksum without --seal"

# --seal --json: the JSON shows the seal.
expect 0 mkbuf --seal --json -s 4K "$d/j.buf"
grep -q '"sealed": true' "$tmp/out" || fail "--seal --json"

finish
