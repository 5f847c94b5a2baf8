#!/bin/sh
# dumpbuf -t --rows takes Python's slice syntax: random slices (steps,
# negative steps, bounds far out of range, parts left out) and single
# indexes over several row counts, against Python's own slicing of
# range(n); a 2-D buffer shows the same rows with their indexes.

. "${srcdir:-.}/tests/tools/lib.sh"

if ! find_python; then
    echo "SKIP: no python3"
    exit 77
fi

# rN.mmbuf: <i4 values 0 .. N-1; t7.mmbuf: 7 x 2, row r holds r and -r.
for n in 0 1 2 7 10; do
    "$py" -c "import struct, sys; sys.stdout.buffer.write(struct.pack('<%di' % $n, *range($n)))" |
        "$MKTESTBUF" --dtype '<i4' "$tmp/r$n.mmbuf" || fail "mktestbuf r$n"
done
"$py" -c "import struct, sys; sys.stdout.buffer.write(struct.pack('<14i', *[x for r in range(7) for x in (r, -r)]))" |
    "$MKTESTBUF" --dtype '<i4' --shape 7,2 "$tmp/t7.mmbuf" || fail "mktestbuf t7"

checks=$((checks + 1))
"$py" - "$tmp" "$DUMPBUF" <<'PY' || fail "--rows against Python's slices"
import random, subprocess, sys
tmp, dumpbuf = sys.argv[1:3]
rnd = random.Random(5)
bad = 0


def run(name, spec):
    p = subprocess.run([dumpbuf, '-t', '--rows', spec,
                        '%s/%s.mmbuf' % (tmp, name)],
                       capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def bound():
    return rnd.choice(['', str(rnd.randint(-12, 12)),
                       str(rnd.choice([-1, 1]) * rnd.randint(13, 2 ** 70))])


def check(n, spec, want):
    global bad
    status, out, err = run('r%d' % n, spec)
    if want is None:
        ok = status == 64 and out == '' and err.startswith('dumpbuf: ')
    else:
        got = [tuple(map(int, l[1:].split('] '))) for l in out.splitlines()]
        ok = status == 0 and got == [(r, r) for r in want]
    if not ok:
        bad += 1
        print('n=%d --rows %s: want %r, got %d %r %r'
              % (n, spec, want, status, out, err), file=sys.stderr)


for n in (0, 1, 2, 7, 10):
    rows = list(range(n))
    for _ in range(60):
        parts = [bound(), bound()]
        if rnd.random() < 0.7:
            step = rnd.choice(['', str(rnd.choice([-1, 1]) * rnd.randint(1, 4)),
                               str(rnd.choice([-1, 1]) * rnd.randint(5, 2 ** 66))])
            parts.append(step)
        spec = ':'.join(parts)
        sl = slice(*[int(p) if p else None for p in parts])
        check(n, spec, rows[sl])
    for i in range(-n - 2, n + 2):
        try:
            want = [rows[i]]
        except IndexError:
            want = None
        check(n, str(i), want)
    # A step of zero, and what is not a slice, are usage errors.
    for spec in ('::0', '1:2:0', '', 'x', '1:2:3:4', '1.5', '--1', ':x'):
        check(n, spec, None)
# The 2-D buffer: rows with their index, the last axis in columns.
status, out, err = run('t7', '::-3')
if status != 0 or out != '[6] 6 -6\n[3] 3 -3\n[0] 0 0\n':
    bad += 1
    print('t7 ::-3: %d %r %r' % (status, out, err), file=sys.stderr)
sys.exit(1 if bad else 0)
PY

finish
