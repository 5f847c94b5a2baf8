#!/bin/sh
# dumpbuf -t (typed dumps) with fixed expected output, and --npy: a fixed
# header, and the file read back by NumPy wherever NumPy is installed.
# The data bytes are written out here, so no other tool makes them.

. "${srcdir:-.}/tests/tools/lib.sh"

# 1.5 -0.25 3e100 inf nan 1e-05 100.0 0.1 1/3 -0.0 1e16 5e-324
mk_typed f8 '<f8' 4,3 '\000\000\000\000\000\000\370\077\000\000\000\000\000\000\320\277\073\045\137\270\203\156\313\124\000\000\000\000\000\000\360\177\000\000\000\000\000\000\370\177\361\150\343\210\265\370\344\076\000\000\000\000\000\000\131\100\232\231\231\231\231\231\271\077\125\125\125\125\125\125\325\077\000\000\000\000\000\000\000\200\000\200\340\067\171\303\101\103\001\000\000\000\000\000\000\000'
# 0.1 1/3 16777216 1e-45 -inf as big-endian f4, and the f4 nearest 1e-4
# (9.99999975e-05): NumPy's notation goes by the value, so 1e-04.
mk_typed f4be '>f4' '' '\075\314\314\315\076\252\252\253\113\200\000\000\000\000\000\001\377\200\000\000\070\321\267\027'
# 65504 6e-8 0.1 1/3 -2 as f2
mk_typed f2 '<f2' '' '\377\173\001\000\146\056\125\065\000\300'
mk_typed c16 '<c16' 3 '\000\000\000\000\000\000\360\077\000\000\000\000\000\000\000\100\000\000\000\000\000\000\370\077\000\000\000\000\000\000\320\277\000\000\000\000\000\000\370\177\000\000\000\000\000\000\360\177'
mk_typed c8be '>c8' '' '\075\314\314\315\277\200\000\000\140\255\170\354\000\000\000\000'
mk_typed i4 '<i4' 2,2 '\377\377\377\377\377\377\377\177\000\000\000\200\000\000\000\000'
mk_typed u2be '>u2' '' '\377\377\000\001\001\002'
mk_typed i8 '<i8' '' '\000\000\000\000\000\000\000\200\377\377\377\377\377\377\377\177'
mk_typed u8 '<u8' '' '\377\377\377\377\377\377\377\377\001\000\000\000\000\000\000\000'
mk_typed b1 '<b1' '' '\000\001\002'
mk_typed i2x3 '>i2' 2,3,4 '\377\373\377\374\377\375\377\376\377\377\000\000\000\001\000\002\000\003\000\004\000\005\000\006\000\007\000\010\000\011\000\012\000\013\000\014\000\015\000\016\000\017\000\020\000\021\000\022' --capacity 64
# A 4x3 table of which only 7 elements are written: 2 complete rows.
mk_typed part '<f8' 4,3 '\000\000\000\000\000\000\360\077\000\000\000\000\000\000\000\100\000\000\000\000\000\000\010\100\000\000\000\000\000\000\020\100\000\000\000\000\000\000\024\100\000\000\000\000\000\000\030\100\000\000\000\000\000\000\034\100' --capacity 96

expect_typed f8 <<'OUT'
[0] 1.5 -0.25 3e+100
[1] inf nan 1e-05
[2] 100.0 0.1 0.3333333333333333
[3] -0.0 1e+16 5e-324
OUT
expect_typed f8 --rows 1:3 <<'OUT'
[1] inf nan 1e-05
[2] 100.0 0.1 0.3333333333333333
OUT
expect_typed f8 --rows -1: <<'OUT'
[3] -0.0 1e+16 5e-324
OUT
expect_typed f8 --rows :1 <<'OUT'
[0] 1.5 -0.25 3e+100
OUT
expect_typed f8 --rows 5:9 < /dev/null
expect_typed f8 --rows 3:1 < /dev/null

# No elements: a dimension of 0 prints nothing, however large the others
# (2^63 rows of nothing would never end), with --rows too.
mk_typed zero2 '<u1' 9223372036854775808,0 ''
mk_typed zero3 '<i2' 3,0 ''
mk_typed zero4 '<u1' 2,0,5 ''
# (Through head, so that a dumpbuf that prints rows stops at once.)
for rows in '' 5:10 -3: :9223372036854775807; do
    ("$DUMPBUF" -t ${rows:+--rows "$rows"} "$tmp/zero2.mmbuf"; echo "exit $?") |
        head -n 3 > "$tmp/out"
    expect_out "exit 0"
done
expect_typed zero3 < /dev/null
expect_typed zero4 < /dev/null
expect_typed zero2 '>u2' < /dev/null
expect_typed f4be <<'OUT'
[0] 0.1
[1] 0.33333334
[2] 16777216.0
[3] 1e-45
[4] -inf
[5] 1e-04
OUT
expect_typed f2 <<'OUT'
[0] 65500.0
[1] 6e-08
[2] 0.1
[3] 0.3333
[4] -2.0
OUT
expect_typed c16 <<'OUT'
[0] (1+2j)
[1] (1.5-0.25j)
[2] (nan+infj)
OUT
expect_typed c8be <<'OUT'
[0] (0.1-1j)
[1] (1e+20+0j)
OUT
expect_typed i4 <<'OUT'
[0] -1 2147483647
[1] -2147483648 0
OUT
expect_typed u2be <<'OUT'
[0] 65535
[1] 1
[2] 258
OUT
expect_typed i8 <<'OUT'
[0] -9223372036854775808
[1] 9223372036854775807
OUT
expect_typed u8 <<'OUT'
[0] 18446744073709551615
[1] 1
OUT
expect_typed b1 <<'OUT'
[0] False
[1] True
[2] True
OUT
expect_typed i2x3 <<'OUT'
[0, 0] -5 -4 -3 -2
[0, 1] -1 0 1 2
[0, 2] 3 4 5 6
[1, 0] 7 8 9 10
[1, 1] 11 12 13 14
[1, 2] 15 16 17 18
OUT
expect_typed i2x3 --rows 4: <<'OUT'
[1, 1] 11 12 13 14
[1, 2] 15 16 17 18
OUT
expect_typed part <<'OUT'
[0] 1.0 2.0 3.0
[1] 4.0 5.0 6.0
OUT
# A TYPE of the dtype's size keeps the shape; another size makes it flat.
# "-t TYPE FILE", "-tTYPE" and "--typed=TYPE" are the same.
expect_typed i4 '>u2' --rows :3 <<'OUT'
[0] 65535
[1] 65535
[2] 65535
OUT
expect_typed i4 --typed=u4 <<'OUT'
[0] 4294967295 2147483647
[1] 2147483648 0
OUT
expect_typed i4 -ti1 --rows 6:9 <<'OUT'
[6] -1
[7] 127
[8] 0
OUT
# Any file: u1 unless a type is given.
printf '\001\377' > "$tmp/two"
"$DUMPBUF" -F -t "$tmp/two" > "$tmp/got"
printf '[0] 1\n[1] 255\n' > "$tmp/exp"
same "dumpbuf -F -t" "$tmp/got" "$tmp/exp"
"$DUMPBUF" -F -t '>i2' "$tmp/two" > "$tmp/got"
printf '[0] 511\n' > "$tmp/exp"
same "dumpbuf -F -t >i2" "$tmp/got" "$tmp/exp"

expect 64 dumpbuf -t c32 "$tmp/f8.mmbuf"
expect 64 dumpbuf -t --rows x "$tmp/f8.mmbuf"
expect 64 dumpbuf --rows 1:2 "$tmp/f8.mmbuf"

# --npy: the header is fixed (v1.0, padded to 64 bytes), the data follows.
expect 0 dumpbuf --npy "$tmp/i2x3.mmbuf"
mv "$tmp/out" "$tmp/i2x3.npy"
dict="{'descr': '>i2', 'fortran_order': False, 'shape': (2, 3, 4), }"
printf '\223NUMPY\001\000v\000%s%55s\n' "$dict" "" > "$tmp/exp"
head -c 128 "$tmp/i2x3.npy" > "$tmp/got"
same "--npy header" "$tmp/got" "$tmp/exp"
tail -c +129 "$tmp/i2x3.npy" > "$tmp/got"
"$DUMPBUF" --raw "$tmp/i2x3.mmbuf" | head -c 48 > "$tmp/exp"
same "--npy data" "$tmp/got" "$tmp/exp"

"$DUMPBUF" --npy "$tmp/b1.mmbuf" | head -c 67 | tail -c 57 > "$tmp/got"
printf "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }" > "$tmp/exp"
same "--npy of a one-byte type says |, a 1-D shape has its comma" "$tmp/got" "$tmp/exp"

# NumPy reads every one of them back with the dtype, shape and values.
if find_python numpy; then
    for name in f8 f4be f2 c16 c8be i4 u2be i8 u8 b1 i2x3 part; do
        "$DUMPBUF" --npy "$tmp/$name.mmbuf" > "$tmp/$name.npy" ||
            fail "--npy $name"
        "$DUMPBUF" -t "$tmp/$name.mmbuf" > "$tmp/$name.txt"
        checks=$((checks + 1))
        "$py" - "$tmp/$name.npy" "$tmp/$name.txt" "$tmp/$name.mmbuf" <<'PY' ||
import json, subprocess, sys
import numpy as np
npy, txt, buf = sys.argv[1:4]
a = np.load(npy)
# The bytes after the header are the buffer's data, in the same order.
raw = open(npy, 'rb').read()
hlen = int.from_bytes(raw[8:10], 'little')
assert raw[:8] == b'\x93NUMPY\x01\x00', raw[:8]
assert (10 + hlen) % 64 == 0, hlen
rows = open(txt).read().splitlines()
flat = a.reshape(-1, a.shape[-1]) if a.ndim > 1 else a.reshape(-1, 1)
assert len(rows) == len(flat), (len(rows), a.shape)
for row, vals in zip(rows, flat):
    words = row.split('] ', 1)[1].split(' ')
    for w, v in zip(words, vals):
        if a.dtype.kind == 'b':
            assert w == str(bool(v)), (w, v)
        elif a.dtype.kind in 'iu':
            assert int(w) == int(v), (w, v)
        elif a.dtype.kind == 'f':
            x = a.dtype.type(float(w))
            assert x == v or (np.isnan(x) and np.isnan(v)), (w, v)
            assert np.signbit(x) == np.signbit(v), (w, v)
        else:
            x = a.dtype.type(complex(w.replace('inf', 'inf').strip('()')))
            assert (x == v or (np.isnan(x.real) and np.isnan(v.real)
                               and x.imag == v.imag)), (w, v)
PY
            fail "numpy reads back --npy of $name"
    done
else
    echo "numpy is not installed: the --npy read-back is not run"
fi

finish
