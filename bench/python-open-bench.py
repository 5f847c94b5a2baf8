"""python-open-bench.py - how long the Python package takes to open a
buffer and give its typed view, against numpy.load(mmap_mode="r").

    python3 bench/python-open-bench.py [--iterations N] [--rounds R]
                                       [--dir DIR]

Run from the top build directory by "make bench-python", with the mmbuf
package of the source tree on PYTHONPATH and an interpreter that has
NumPy.  It makes, in a new directory under DIR (default $MMBUF_BENCH_DIR,
else .), a 4 GiB buffer of float64 of shape (2**26, 8) and a 16 MiB one of
shape (2**18, 8), both sparse (the data is never touched, so the disk is
not filled), and the same arrays as .npy files (numpy.lib.format.
open_memmap, sparse too).  Each of R rounds (interleaved: a round runs
every case once) times N iterations of:

    mmbuf   b = mmbuf.open(path); v = b.view        (then v.release(),
                                                     b.close(), untimed)
    numpy   a = numpy.load(path.npy, mmap_mode="r") (then del a, untimed)

and the median over all iterations of all rounds is reported, with the
issue's targets as ratios (1.0 or less meets a target):

    4 GiB open + view          at most 50 us
    16 MiB against 4 GiB       at most 2x
    mmbuf against numpy.load   at most 0.5x, for each size

A measurement, not a test: the exit status is 0 unless something fails.
The machine may be busy (parallel builds), which the medians soften but do
not remove; rerun for steadier figures.
"""

import argparse
import gc
import os
import shutil
import statistics
import sys
import tempfile
import time

try:
    import numpy as np
except ImportError:
    sys.stderr.write("python-open-bench: NumPy is needed (apt-get install "
                     "python3-numpy)\n")
    sys.exit(2)

import mmbuf

TARGET_US = 50.0
SIZES = (("4 GiB", 1 << 26), ("16 MiB", 1 << 18))   # rows of 8 float64


def time_mmbuf(path, n, out):
    clock = time.perf_counter_ns
    for _ in range(n):
        t0 = clock()
        b = mmbuf.open(path)
        v = b.view
        t1 = clock()
        out.append(t1 - t0)
        v.release()
        b.close()


def time_numpy(path, n, out):
    clock = time.perf_counter_ns
    for _ in range(n):
        t0 = clock()
        a = np.load(path, mmap_mode="r")
        t1 = clock()
        out.append(t1 - t0)
        del a


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--iterations", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--dir", default=os.environ.get("MMBUF_BENCH_DIR", "."))
    args = ap.parse_args()
    if args.iterations < 1 or args.rounds < 1:
        ap.error("--iterations and --rounds must be at least 1")

    work = tempfile.mkdtemp(prefix="python-open-bench.", dir=args.dir)
    try:
        files = {}
        for name, rows in SIZES:
            p = os.path.join(work, "%s.mmbuf" % rows)
            mmbuf.create(p, dtype="<f8", shape=(rows, 8),
                         sparse=True).close()
            q = os.path.join(work, "%s.npy" % rows)
            a = np.lib.format.open_memmap(q, mode="w+", dtype="<f8",
                                          shape=(rows, 8))
            a.flush()
            del a
            files[name] = (p, q)
        print("python open benchmark: %s, NumPy %s; %d rounds of %d "
              "iterations, files in %s (sparse: the data is never touched)"
              % (sys.version.split()[0], np.__version__, args.rounds,
                 args.iterations, args.dir))
        print("open + typed view, median over all iterations; the machine "
              "may be shared, so rerun for steadier figures")
        times = {(name, kind): [] for name, _ in SIZES
                 for kind in ("mmbuf", "numpy")}
        gc.disable()        # no collection inside a timed call
        try:
            for _ in range(args.rounds):
                for name, _rows in SIZES:
                    p, q = files[name]
                    time_mmbuf(p, args.iterations, times[name, "mmbuf"])
                    time_numpy(q, args.iterations, times[name, "numpy"])
                    gc.collect()
        finally:
            gc.enable()
        med = {k: statistics.median(v) / 1000 for k, v in times.items()}
        for name, _ in SIZES:
            print("  %-7s mmbuf.open(p).view %8.1f us   numpy.load(mmap_mode="
                  "'r') %8.1f us" % (name, med[name, "mmbuf"],
                                     med[name, "numpy"]))
        big, small = med["4 GiB", "mmbuf"], med["16 MiB", "mmbuf"]
        rows = [
            ("4 GiB open + view / 50 us", big / TARGET_US, 1.0),
            ("16 MiB / 4 GiB (at most 2x)", small / big, 2.0),
            ("mmbuf / numpy.load, 4 GiB (at most 0.5x)",
             big / med["4 GiB", "numpy"], 0.5),
            ("mmbuf / numpy.load, 16 MiB (at most 0.5x)",
             small / med["16 MiB", "numpy"], 0.5),
        ]
        print("  targets:")
        for what, ratio, limit in rows:
            print("    %-44s %6.2f  %s" % (what, ratio, "met" if ratio
                                           <= limit else "MISSED"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
