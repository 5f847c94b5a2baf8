"""python-open-bench.py - how long the Python package takes to open a
buffer and give its typed view, to load and save an array, and to give
np.asarray(buf), against NumPy's own ways of doing the same.

    python3 bench/python-open-bench.py [--iterations N] [--rounds R]
                                       [--save-rounds S] [--dir DIR]

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

    load    a = mmbuf.load(path)                    (then del a)
    numpy   a = numpy.load(path.npy, mmap_mode="r") (the same as above)
    asarray np.asarray(b), on the 16 MiB buffer open, in batches of 1000
    numpy   np.frombuffer(m, "<f8") on the buffer's own mmap m, likewise,
            and np.frombuffer(m, "<f8").reshape(shape), the same array as
            np.asarray(buf) gives (the target is taken against this one)

and the median over all iterations of all rounds is reported.  Then S
rounds (default 3) time the save of a 1 GiB float64 array, which writes
1 GiB to the disk each time:

    save    mmbuf.save(path, a, exist_ok=True)      (atomic and durable)
    numpy   np.save(f, a) to an open file, then os.fsync(f)

The issue's targets are printed as ratios (1.0 or less meets a target,
except the throughput ratio of save, where 1.0 or more does):

    4 GiB open + view          at most 50 us
    16 MiB against 4 GiB       at most 2x
    mmbuf against numpy.load   at most 0.5x, for each size (open + view,
                               and mmbuf.load)
    mmbuf.save throughput against np.save + fsync   at least 1.0x
    np.asarray(buf) against np.frombuffer           at most 2x

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


def time_load(path, n, out):
    clock = time.perf_counter_ns
    for _ in range(n):
        t0 = clock()
        a = mmbuf.load(path)
        t1 = clock()
        out.append(t1 - t0)
        del a


def time_batches(fn, n, out, batch=1000):
    """The mean time of one call of fn, in batches of batch calls."""
    clock = time.perf_counter_ns
    for _ in range(max(1, n // 10)):
        t0 = clock()
        for _ in range(batch):
            fn()
        out.append((clock() - t0) / batch)


def time_save(path, arr, out):
    t0 = time.perf_counter_ns()
    mmbuf.save(path, arr, exist_ok=True)
    out.append(time.perf_counter_ns() - t0)


def time_np_save(path, arr, out):
    t0 = time.perf_counter_ns()
    with open(path, "wb") as f:
        np.save(f, arr)
        f.flush()
        os.fsync(f.fileno())
    out.append(time.perf_counter_ns() - t0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--iterations", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--save-rounds", type=int, default=3)
    ap.add_argument("--dir", default=os.environ.get("MMBUF_BENCH_DIR", "."))
    args = ap.parse_args()
    if args.iterations < 1 or args.rounds < 1 or args.save_rounds < 0:
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
                 for kind in ("mmbuf", "numpy", "load")}
        times["asarray"], times["frombuffer"], times["reshaped"] = [], [], []
        small_buf = mmbuf.open(files["16 MiB"][0])
        m = small_buf._mm           # the buffer's own mapping
        shape = small_buf.shape
        gc.disable()        # no collection inside a timed call
        try:
            for _ in range(args.rounds):
                for name, _rows in SIZES:
                    p, q = files[name]
                    time_mmbuf(p, args.iterations, times[name, "mmbuf"])
                    time_numpy(q, args.iterations, times[name, "numpy"])
                    time_load(p, args.iterations, times[name, "load"])
                    gc.collect()
                time_batches(lambda: np.asarray(small_buf), args.iterations,
                             times["asarray"])
                time_batches(lambda: np.frombuffer(m, "<f8"),
                             args.iterations, times["frombuffer"])
                time_batches(lambda: np.frombuffer(m, "<f8").reshape(shape),
                             args.iterations, times["reshaped"])
        finally:
            gc.enable()
        del m
        small_buf.close()
        med = {k: statistics.median(v) / 1000 for k, v in times.items()}
        for name, _ in SIZES:
            print("  %-7s mmbuf.open(p).view %8.1f us   mmbuf.load(p) %8.1f "
                  "us   numpy.load(mmap_mode='r') %8.1f us"
                  % (name, med[name, "mmbuf"], med[name, "load"],
                     med[name, "numpy"]))
        print("  16 MiB  np.asarray(buf) %6.3f us   np.frombuffer(mmap) "
              "%6.3f us   np.frombuffer(mmap).reshape(shape) %6.3f us"
              % (med["asarray"], med["frombuffer"], med["reshaped"]))
        save = {"save": [], "np.save": []}
        if args.save_rounds:
            arr = np.arange(1 << 27, dtype="<f8")       # 1 GiB
            p = os.path.join(work, "save.mmbuf")
            q = os.path.join(work, "save.npy")
            for _ in range(args.save_rounds):
                time_save(p, arr, save["save"])
                time_np_save(q, arr, save["np.save"])
            del arr
            for k in save:
                save[k] = statistics.median(save[k]) / 1e9
            print("  1 GiB   mmbuf.save %6.2f s (%.0f MiB/s)   np.save + "
                  "fsync %6.2f s (%.0f MiB/s)"
                  % (save["save"], 1024 / save["save"], save["np.save"],
                     1024 / save["np.save"]))
        big, small = med["4 GiB", "mmbuf"], med["16 MiB", "mmbuf"]
        rows = [
            ("4 GiB open + view / 50 us", big / TARGET_US, 1.0),
            ("16 MiB / 4 GiB (at most 2x)", small / big, 2.0),
            ("mmbuf / numpy.load, 4 GiB (at most 0.5x)",
             big / med["4 GiB", "numpy"], 0.5),
            ("mmbuf / numpy.load, 16 MiB (at most 0.5x)",
             small / med["16 MiB", "numpy"], 0.5),
            ("mmbuf.load / numpy.load, 4 GiB (at most 0.5x)",
             med["4 GiB", "load"] / med["4 GiB", "numpy"], 0.5),
            ("mmbuf.load / numpy.load, 16 MiB (at most 0.5x)",
             med["16 MiB", "load"] / med["16 MiB", "numpy"], 0.5),
            ("np.asarray(buf) / np.frombuffer+reshape (<= 2x)",
             med["asarray"] / med["reshaped"], 2.0),
            ("np.asarray(buf) / bare np.frombuffer (no target)",
             med["asarray"] / med["frombuffer"], None),
        ]
        print("  targets:")
        for what, ratio, limit in rows:
            print("    %-48s %6.2f  %s" % (what, ratio, "" if limit is None
                                           else "met" if ratio <= limit
                                           else "MISSED"))
        if args.save_rounds:
            ratio = save["np.save"] / save["save"]
            print("    %-48s %6.2f  %s" % (
                "mmbuf.save / np.save+fsync throughput (>= 1.0x)", ratio,
                "met" if ratio >= 1.0 else "MISSED"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
