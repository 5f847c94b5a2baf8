"""The rows of the following tests, and a follower that checks them.

Row i of a growing "<u8" buffer of shape (None, 3) is (i, value(i),
check(i)).  As a program, rowcheck.py PATH [options] follows PATH with
mmbuf.follow() and checks that it yields every row exactly once, in
order, with the right values: prints "warning KIND TIME" for each
FollowWarning (TIME: time.monotonic(), which is the same clock in every
process), then "ok ROWS" at the end; exit 1 with a message on the first
wrong row.  --rows N stops after N rows, --until-closed and --timeout are
those of mmbuf.follow(), --no-numpy checks the memoryviews that follow()
yields without NumPy, and --progress prints "rows N" each time N rows
in all have been checked.
"""

import array
import sys
import time
import warnings

M = 2 ** 64 - 1
K = 0x9E3779B97F4A7C15


def value(i):
    return (i * K + 12345) & M


def check(i):
    return i ^ value(i) ^ 0xA5A5A5A5A5A5A5A5


def rows(start, n):
    """The bytes of rows start to start + n, as an array.array("Q")
    (native order: the tests run on little-endian machines, which the
    "<u8" rows ask for)."""
    out = array.array("Q", bytes(24 * n))
    for k in range(n):
        i = start + k
        out[3 * k], out[3 * k + 1], out[3 * k + 2] = i, value(i), check(i)
    return out


def check_numpy(np, got, start):
    """Whether the NumPy rows got are rows start, start + 1, ..."""
    n = got.shape[0]
    i = np.arange(start, start + n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        v = i * np.uint64(K) + np.uint64(12345)
    c = i ^ v ^ np.uint64(0xA5A5A5A5A5A5A5A5)
    return got.shape == (n, 3) and got.dtype == np.dtype("<u8") and \
        bool((got[:, 0] == i).all() and (got[:, 1] == v).all()
             and (got[:, 2] == c).all())


def check_rows(got, start):
    """Whether got, rows from follow(), are rows start, start + 1, ...;
    their number."""
    if isinstance(got, memoryview):
        if got.format != "Q" or got.ndim != 2 or got.shape[1] != 3:
            return False, 0
        flat = got.cast("B").cast("Q")
        n = got.shape[0]
        want = rows(start, n)
        return flat.tolist() == want.tolist(), n
    import numpy as np
    return check_numpy(np, got, start), got.shape[0]


def main():
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("path")
    ap.add_argument("--rows", type=int)
    ap.add_argument("--until-closed", action="store_true")
    ap.add_argument("--timeout", type=float)
    ap.add_argument("--no-numpy", action="store_true")
    ap.add_argument("--progress", action="store_true")
    a = ap.parse_args()
    if a.no_numpy:
        sys.modules["numpy"] = None     # import numpy raises ImportError
    import mmbuf

    def show(message, category, *rest, **kw):
        if isinstance(message, mmbuf.FollowWarning):
            print("warning %s %.6f" % (message.kind, time.monotonic()),
                  flush=True)
        else:
            sys.stderr.write("rowcheck: %s\n" % message)
    warnings.showwarning = show
    warnings.simplefilter("always")
    seen = 0
    for got in mmbuf.follow(a.path, timeout=a.timeout,
                            until_closed=a.until_closed):
        ok, n = check_rows(got, seen)
        if not ok or n == 0:
            sys.exit("rowcheck: FAIL: rows %d to %d are wrong: %r"
                     % (seen, seen + n - 1, got[:3].tolist()))
        seen += n
        del got
        if a.progress:
            print("rows %d" % seen, flush=True)
        if a.rows is not None and seen >= a.rows:
            break
    print("ok %d" % seen, flush=True)


if __name__ == "__main__":
    main()
