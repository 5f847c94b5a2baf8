#!/bin/sh
# dumpbuf -t --csv and --tsv: values only, one row per line (the last axis
# as columns, a 1-D array one value per line, the leading axes of ndim > 2
# in C order), with fixed expected output; and the same values read back
# by Python's csv module and by numpy.loadtxt and numpy.genfromtxt (where
# NumPy is installed), against the --npy export of the buffer.

. "${srcdir:-.}/tests/tools/lib.sh"

# 1.5 -0.25 3e100 inf nan 1e-05 100.0 0.1 1/3 -0.0 1e16 5e-324
mk_typed f8 '<f8' 4,3 '\000\000\000\000\000\000\370\077\000\000\000\000\000\000\320\277\073\045\137\270\203\156\313\124\000\000\000\000\000\000\360\177\000\000\000\000\000\000\370\177\361\150\343\210\265\370\344\076\000\000\000\000\000\000\131\100\232\231\231\231\231\231\271\077\125\125\125\125\125\125\325\077\000\000\000\000\000\000\000\200\000\200\340\067\171\303\101\103\001\000\000\000\000\000\000\000'
mk_typed c16 '<c16' 3 '\000\000\000\000\000\000\360\077\000\000\000\000\000\000\000\100\000\000\000\000\000\000\370\077\000\000\000\000\000\000\320\277\000\000\000\000\000\000\370\177\000\000\000\000\000\000\360\177'
mk_typed i2x3 '>i2' 2,3,2 '\377\373\377\374\377\375\377\376\377\377\000\000\000\001\000\002\000\003\000\004\000\005\000\006'
mk_typed b1 '<b1' '' '\000\001\002'
mk_typed f2 '<f2' 2,2 '\377\173\001\000\146\056\000\300'

expect_typed f8 --csv <<'OUT'
1.5,-0.25,3e+100
inf,nan,1e-05
100.0,0.1,0.3333333333333333
-0.0,1e+16,5e-324
OUT
expect_typed f8 --tsv --rows ::-2 <<'OUT'
-0.0	1e+16	5e-324
inf	nan	1e-05
OUT
expect_typed c16 --csv <<'OUT'
(1+2j)
(1.5-0.25j)
(nan+infj)
OUT
expect_typed i2x3 --csv <<'OUT'
-5,-4
-3,-2
-1,0
1,2
3,4
5,6
OUT
expect_typed i2x3 --tsv --rows 4 <<'OUT'
3	4
OUT
expect_typed b1 --csv <<'OUT'
False
True
True
OUT
# The last of --csv and --tsv counts.
expect_typed f2 --csv --tsv <<'OUT'
65500.0	6e-08
0.1	-2.0
OUT

expect 64 dumpbuf --csv "$tmp/f8.mmbuf"
expect 64 dumpbuf -C --tsv "$tmp/f8.mmbuf"

# Read back: Python's csv module always; NumPy's loadtxt and genfromtxt
# where NumPy is installed.
if find_python; then
    "$py" - "$tmp" "$DUMPBUF" <<'PY' > "$tmp/out" 2>&1
import csv, struct, subprocess, sys
tmp, dumpbuf = sys.argv[1:3]
# Random f8 values of every kind: csv's rows read back the same floats.
import random
rnd = random.Random(7)
vals = [struct.unpack('<d', rnd.getrandbits(64).to_bytes(8, 'little'))[0]
        for _ in range(3000)]
with open(tmp + '/rnd.raw', 'wb') as f:
    f.write(struct.pack('<3000d', *vals))
for opt, dialect in (('--csv', csv.excel), ('--tsv', csv.excel_tab)):
    out = subprocess.run([dumpbuf, '-F', '-t', '<f8', opt, tmp + '/rnd.raw'],
                         check=True, capture_output=True, text=True).stdout
    rows = list(csv.reader(out.splitlines(), dialect))
    assert len(rows) == 3000, len(rows)
    for row, v in zip(rows, vals):
        assert len(row) == 1, row
        x = float(row[0])
        assert x == v or (x != x and v != v), (row, v)
print('csv ok')
PY
    expect_out "csv ok"
    if "$py" -c 'import numpy' > /dev/null 2>&1; then
        checks=$((checks + 1))
        "$py" - "$tmp" "$DUMPBUF" <<'PY' || fail "numpy.loadtxt and genfromtxt read back --csv and --tsv"
import subprocess, sys, warnings
import numpy as np
warnings.simplefilter('ignore')
tmp, dumpbuf = sys.argv[1:3]

def same(x, a):
    # The same values, nan where nan, and the sign of zero.
    assert x.shape == a.shape, (x.shape, a.shape)
    for u, v in zip(x.ravel(), a.ravel()):
        for p, q in ((u.real, v.real), (u.imag, v.imag)):
            assert p == q or (np.isnan(p) and np.isnan(q)), (u, v)
            assert np.signbit(p) == np.signbit(q), (u, v)

for name in ('f8', 'c16', 'i2x3', 'f2'):
    buf = '%s/%s.mmbuf' % (tmp, name)
    with open(tmp + '/a.npy', 'wb') as f:
        subprocess.run([dumpbuf, '--npy', buf], check=True, stdout=f)
    a = np.load(tmp + '/a.npy')
    a = a.reshape(-1, a.shape[-1]) if a.ndim > 1 else a
    for opt, sep in (('--csv', ','), ('--tsv', '\t')):
        path = '%s/%s%s' % (tmp, name, opt)
        with open(path, 'w') as f:
            subprocess.run([dumpbuf, '-t', opt, buf], check=True, stdout=f)
        same(np.loadtxt(path, delimiter=sep, dtype=a.dtype, ndmin=a.ndim), a)
        same(np.genfromtxt(path, delimiter=sep, dtype=a.dtype), a)
PY
    fi
else
    echo "python3 is not installed: the read-back is not run"
fi

finish
