#!/bin/sh
# dumpbuf -t prints floats as the shortest text that reads back: checked
# against Python's repr (f8) and NumPy's (f4, f2; str() of the scalar,
# which repr wraps in NumPy 2) on every f2 value and on random and
# special bit patterns of f8 and f4 (subnormals, +-0, +-inf, NaN payloads,
# powers of two and their neighbours, short decimals, integers):
# 100,000 of each in "make check", 2,000,000 with MMBUF_LONG=1 ("make
# check-long").  Skipped where no python3 has NumPy.

. "${srcdir:-.}/tests/tools/lib.sh"

if ! find_python numpy; then
    echo "SKIP: no python3 with NumPy"
    exit 77
fi
count=100000
if [ -n "${MMBUF_LONG:-}" ]; then
    count=2000000
fi

checks=$((checks + 1))
"$py" - "$tmp" "$DUMPBUF" "$count" <<'PY' || fail "shortest float text against Python and NumPy"
import random, struct, subprocess, sys, warnings
import numpy as np
warnings.simplefilter('ignore')
tmp, dumpbuf, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
rnd = random.Random(16)


def typed(t, data):
    with open(tmp + '/floats', 'wb') as f:
        f.write(data)
    out = subprocess.run([dumpbuf, '-F', '-t', t, tmp + '/floats'],
                         check=True, capture_output=True).stdout
    return [l.split(b' ', 1)[1].decode() for l in out.splitlines()]


def patterns(mbits, ebits, n):
    """n bit patterns of a float with mbits of fraction, ebits of
    exponent: the specials, then random ones of several kinds."""
    top = mbits + ebits
    emax = (1 << ebits) - 1
    fmask = (1 << mbits) - 1
    out = []
    for sign in (0, 1 << top):
        out += [sign, sign | emax << mbits, sign | 1, sign | fmask,
                sign | emax << mbits | 1, sign | emax << mbits | fmask,
                sign | emax << mbits | 1 << (mbits - 1)]
        for e in range(1, emax):
            for f in (0, 1, fmask):
                out.append(sign | e << mbits | f)
        # The smallest subnormals, one by one.
        out += [sign | f for f in range(1, min(fmask, 4096))]
    fmt = {52: '<d', 23: '<f', 10: '<e'}[mbits]
    ifmt = {52: '<Q', 23: '<I', 10: '<H'}[mbits]
    while len(out) < n:
        kind = rnd.randrange(8)
        sign = rnd.getrandbits(1) << top
        if kind < 3:                                  # any bits
            out.append(rnd.getrandbits(top + 1))
        elif kind == 3:                               # subnormal
            out.append(sign | rnd.getrandbits(rnd.randrange(1, mbits + 1)))
        elif kind == 4:                               # NaN payload
            out.append(sign | emax << mbits | (rnd.getrandbits(mbits) or 1))
        elif kind == 5:                               # a short decimal
            d = rnd.randrange(1, 10 ** rnd.randrange(1, 8))
            e = rnd.randrange(-330, 310)
            try:
                b = struct.pack(fmt, float('%de%d' % (d, e)))
            except OverflowError:
                continue
            out.append(sign | struct.unpack(ifmt, b)[0])
        elif kind == 6:                               # an integer
            v = rnd.getrandbits(rnd.randrange(1, 70))
            try:
                b = struct.pack(fmt, float(v))
            except OverflowError:
                continue
            out.append(sign | struct.unpack(ifmt, b)[0])
        else:                  # next to a power of two, or a binade's end
            e = rnd.randrange(emax + 1)
            f = rnd.choice((rnd.getrandbits(4), fmask - rnd.getrandbits(4)))
            out.append(sign | e << mbits | f)
    return out


bad = 0


def report(t, bits, want, got):
    global bad
    bad += 1
    if bad <= 20:
        print('%s %#x: want %s, got %s' % (t, bits, want, got),
              file=sys.stderr)


# f8 against Python's repr.
b8 = patterns(52, 11, count)
data = struct.pack('<%dQ' % len(b8), *b8)
for bits, v, got in zip(b8, struct.unpack('<%dd' % len(b8), data),
                        typed('<f8', data)):
    if got != repr(v):
        report('f8', bits, repr(v), got)
# f4 against NumPy, and every f2.
for t, bits in (('<f4', patterns(23, 8, count)), ('<f2', range(65536))):
    a = np.array(bits, dtype={'<f4': '<u4', '<f2': '<u2'}[t])
    vals = a.view(t)
    got = typed(t, a.tobytes())
    assert len(got) == len(vals), (t, len(got))
    for b, v, g in zip(bits, vals, got):
        want = str(v)
        if g != want:
            report(t, b, want, g)
print('%d wrong' % bad, file=sys.stderr)
sys.exit(1 if bad else 0)
PY

finish
