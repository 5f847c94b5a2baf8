#!/bin/sh
# growing.sh - a buffer whose first dimension grows (mkbuf --shape '*,3'):
# mkbuf makes it, and dumpbuf -t, -H, --json, --npy and editbuf --set-item
# see the first dimension as the rows committed.

. "${srcdir:-.}/tests/tools/lib.sh"
. "$srcdir/tests/tools/follow-lib.sh"

need_built "$MKBUF" "$EDITBUF"
f=$tmp/g.mmbuf

# mkbuf: no rows yet, the capacity -s or 0.
expect 0 mkbuf --shape '*,3' -t '<u8' "$f"
expect_out "$f: created, dtype <u8, shape 0x3 (the first dimension growing), capacity 0, length 0, data offset 8192"
expect_err
expect 0 dumpbuf -t "$f"
expect_out
"$DUMPBUF" -H "$f" > "$tmp/out"
checks=$((checks + 1))
grep -q '^  shape:         (0, 3), the first dimension growing$' "$tmp/out" ||
    fail "-H: $(grep shape "$tmp/out")"
checks=$((checks + 1))
grep -q '^  ro_compat:     0x5 \[locking, growing\]$' "$tmp/out" ||
    fail "-H: $(grep ro_compat "$tmp/out")"

# Rows appended: the shape follows.
"$ROWLOG" write -p 0 "$f" 5 > /dev/null || exit 99
expect 0 dumpbuf -t "$f"
expect_out "[0] 0 0 0" \
    "[1] 1 2654435761 963307235" \
    "[2] 2 1013904231 41712674" \
    "[3] 3 3668339992 5019902" \
    "[4] 4 2027808462 83425348"
"$DUMPBUF" -t --rows -2: "$f" > "$tmp/out"
expect_out "[3] 3 3668339992 5019902" "[4] 4 2027808462 83425348"
"$DUMPBUF" --json "$f" > "$tmp/out"
json_strict "--json" "$tmp/out"
checks=$((checks + 1))
[ "$(grep -c '"shape": \[5, 3\],' "$tmp/out")" = 2 ] &&
    [ "$(grep -c '"growing": true,' "$tmp/out")" = 2 ] ||
    fail "--json: $(grep -E 'shape|growing' "$tmp/out")"
"$DUMPBUF" -H "$f" > "$tmp/out"
checks=$((checks + 1))
grep -q '^  shape:         (5, 3), the first dimension growing$' "$tmp/out" ||
    fail "-H after appends: $(grep shape "$tmp/out")"
"$DUMPBUF" --npy "$f" > "$tmp/npy"
checks=$((checks + 1))
head -c 128 "$tmp/npy" | grep -q "'shape': (5, 3)" ||
    fail "--npy: $(head -c 128 "$tmp/npy")"
checks=$((checks + 1))
[ "$(wc -c < "$tmp/npy")" = $((128 + 5 * 24)) ] ||
    fail "--npy: $(wc -c < "$tmp/npy") bytes"

# editbuf --set-item: the committed rows, not the capacity.
expect 0 editbuf --set-item 4,2=7 "$f"
"$DUMPBUF" -t --rows 4: "$f" > "$tmp/out"
expect_out "[4] 4 2027808462 7"
expect 1 editbuf --set-item 5,0=1 "$f"
expect_err "editbuf: $f: --set-item 5,0=1: index 5 is outside dimension 0 (size 5)"

# A partial row is not a row; -s gives the capacity.
printf '0123456789ab' > "$tmp/in"
"$MKBUF" --shape '*x5' -s 64 --from "$tmp/in" "$tmp/p.mmbuf" > "$tmp/out"
expect_out "$tmp/p.mmbuf: created, dtype <u1, shape 2x5 (the first dimension growing), capacity 64, length 12, data offset 8192"
"$DUMPBUF" -t "$tmp/p.mmbuf" > "$tmp/out"
expect_out "[0] 48 49 50 51 52" "[1] 53 54 55 56 57"

# From a pipe, whose size is known only at its end, with a capacity: the
# length is that of the data too, not the capacity.
printf '0123456789ab' | "$MKBUF" --shape '*x4' -s 64 --from - \
    "$tmp/pipe.mmbuf" > "$tmp/out"
status "--from - with -s" 0 $?
expect_out "$tmp/pipe.mmbuf: created, dtype <u1, shape 3x4 (the first dimension growing), capacity 64, length 12, data offset 8192"

# Refused: rows of no bytes, '*' past the first dimension.
expect 64 mkbuf --shape '*,0' "$tmp/z.mmbuf"
expect_err "mkbuf: shape *,0 of <u1: the rows of a growing first dimension cannot be empty" \
    "Try 'mkbuf --help' for more information."
expect 64 mkbuf --shape '3,*' "$tmp/z.mmbuf"
checks=$((checks + 1))
[ ! -e "$tmp/z.mmbuf" ] || fail "a refused mkbuf left a file"

finish
