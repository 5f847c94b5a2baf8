"""consumer.py - the Python twin of examples/consumer.c.

usage: python3 consumer.py [--no-numpy] FILE

Opens FILE, the table that examples/producer (C) wrote, read-only with the
mmbuf package, checks that it holds ROWS x 3 doubles in this machine's
byte order with every row committed, prints the same summary as the C
consumer (label, uuid, generation, shape, first and last rows, per-column
sum, minimum and maximum), number for number, and compares every value
with row i = (i, i/2, sin i).  Only the standard library is needed; with
NumPy installed (and without --no-numpy) the checks run on a zero-copy
NumPy array instead of a memoryview.  One line tells which.

Exit status: 0 if the table is as expected, 1 if it cannot be opened, is
not a table of the expected kind, or holds a wrong value, 64 on a usage
error (EX_USAGE, as the mmbuf tools).
"""

import datetime
import functools
import math
import operator
import os
import sys
import uuid

import mmbuf

PROG = "consumer.py"
COLS = 3
# sin() may differ in the last bit between C libraries: as consumer.c.
SIN_TOLERANCE = 1e-15


def fail(path, msg):
    sys.stderr.write("%s: %s: %s\n" % (PROG, path, msg))
    return 1


def utc(ns):
    t = datetime.datetime.fromtimestamp(ns // 10**9, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def row_line(i, row):
    return "  row %-10d %14.1f %14.1f %+.17f" % (i, row[0], row[1], row[2])


def check_layout(path, b):
    """The number of rows, or None after a message."""
    native = mmbuf.parse_dtype("=f8")[0]
    if b.dtype != native:
        fail(path, "dtype is %s, expected %s" % (b.dtype, native))
        return None
    shape = b.header.shape
    if len(shape) != 2 or shape[1] != COLS:
        fail(path, "shape is (%s%s), expected (ROWS, %d)"
             % (", ".join(map(str, shape)), "," if len(shape) == 1 else "",
                COLS))
        return None
    committed = b.length // (COLS * 8)
    if committed < shape[0]:
        fail(path, "only %d of %d rows are committed (did the producer "
             "finish?)" % (committed, shape[0]))
        return None
    return shape[0]


def first_bad_plain(flat, rows):
    """(number of wrong rows, first one) with the standard library."""
    bad, first = 0, 0
    sin = math.sin
    for i in range(rows):
        a, b, c = flat[3 * i], flat[3 * i + 1], flat[3 * i + 2]
        if a != i or b != i * 0.5 or not abs(c - sin(i)) <= SIN_TOLERANCE:
            if bad == 0:
                first = i
            bad += 1
    return bad, first


def first_bad_numpy(np, table):
    i = np.arange(table.shape[0], dtype=np.float64)
    wrong = (table[:, 0] != i) | (table[:, 1] != i * 0.5) | \
        ~(np.abs(table[:, 2] - np.sin(i)) <= SIN_TOLERANCE)
    idx = np.flatnonzero(wrong)
    return len(idx), int(idx[0]) if len(idx) else 0


def main(argv):
    args = argv[1:]
    use_numpy = True
    if args and args[0] in ("-h", "--help"):
        sys.stdout.write(__doc__.split("\n\n")[1] + "\n")
        return 0
    if args and args[0] == "--no-numpy":
        use_numpy = False
        args = args[1:]
    if len(args) != 1 or args[0].startswith("-"):
        sys.stderr.write("usage: %s [--no-numpy] FILE\n" % PROG)
        return 64
    path = args[0]
    np = None
    if use_numpy:
        try:
            import numpy as np
        except ImportError:
            np = None
    try:
        b = mmbuf.open(path)
    except (mmbuf.Error, OSError) as e:
        return fail(path, e.strerror if isinstance(e, OSError) and
                    e.strerror else str(e))
    with b:
        for s, st in enumerate(b.header.slot_status):
            if st is not None:
                fail(path, "warning: header slot %d: %s (opened from the "
                     "other slot)" % (s, st))
        if b.writer_active:
            fail(path, "warning: a writer has the buffer open; reading "
                 "what it has committed")
        elif b.unclean:
            fail(path, "warning: the last writer did not close cleanly")
        rows = check_layout(path, b)
        if rows is None:
            return 1
        h = b.header
        print("%s: %s" % (PROG, path))
        print("  label       %s" % b.label)
        print("  uuid        %s" % uuid.UUID(bytes=b.uuid))
        print("  created     %s" % utc(h.ctime_ns))
        print("  generation  %d (last commit %s, by pid %d)"
              % (b.generation, utc(h.mtime_ns), h.writer_pid))
        print("  dtype       %s" % b.dtype)
        print("  shape       (%d, %d)" % (rows, COLS))
        print("  length      %d of %d bytes" % (b.length, b.capacity))
        # Read the table in place: the memoryview is the mapping.
        flat = b.raw[:rows * COLS * 8].cast("d")
        cols = [flat[j::COLS] for j in range(COLS)]
        if np is not None:
            table = b.to_numpy()
            bad, first = first_bad_numpy(np, table)
            print("  checked     with NumPy %s (Buffer.to_numpy(), no copy)"
                  % np.__version__)
            del table
        else:
            bad, first = first_bad_plain(flat, rows)
            print("  checked     with memoryview (standard library only)")
        if rows > 0:
            print("  first rows")
            for i in range(min(rows, 2)):
                print(row_line(i, flat[3 * i:3 * i + 3]))
            print("  last rows")
            for i in range(max(rows - 2, 0), rows):
                print(row_line(i, flat[3 * i:3 * i + 3]))
        print("  %-7s %20s %20s %20s" % ("column", "sum", "min", "max"))
        for j in range(COLS):
            c = cols[j]
            # Added from the first row to the last, as consumer.c does
            # (sum() may compensate rounding, which would differ).
            total = functools.reduce(operator.add, c, 0.0)
            lo, hi = (min(c), max(c)) if rows else (0.0, 0.0)
            print("  %-7d %20.6f %20.6f %20.6f" % (j, total, lo, hi))
        if bad:
            got = tuple(flat[3 * first:3 * first + 3])
            want = (float(first), first * 0.5, math.sin(first))
            fail(path, "%d of %d rows are wrong; first: row %d is "
                 "(%.17g, %.17g, %.17g), expected (%.17g, %.17g, %.17g)"
                 % ((bad, rows, first) + got + want))
            status = 1
        else:
            print("%s: %s: all %d rows match row i = (i, i/2, sin i)"
                  % (PROG, path, rows))
            status = 0
        for c in cols:
            c.release()
        flat.release()
    return status


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except BrokenPipeError:
        os._exit(1)
