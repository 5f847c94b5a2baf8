"""rowwriter.py PATH [options] - a writer of the following tests: append
rows of a growing buffer ("<u8", shape (None, 3)) in random bursts with
random pauses, row i being (i, value(i), check(i)) as rowcheck.py
computes them.

--create makes the file (capacity 4096, so that appends grow it many
times; replaces what is there), else it is opened for writing (after a
writer that died, say).  --start K: the first row index (the length must
then be K rows).  --rows N rows are appended, in bursts of 1 to --burst
rows, each followed with probability 1/3 by a pause of up to --pause-ms
milliseconds.  Prints "open" once the file is open for writing and
"done" after the last row, then --then close (the default) closes the
file, hang waits for its standard input to close (for a SIGKILL), and
crash kills the process with SIGKILL, without closing.
"""

import argparse
import os
import random
import signal
import sys
import time

import mmbuf
import rowcheck


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("path")
    ap.add_argument("--create", action="store_true")
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--burst", type=int, default=1000)
    ap.add_argument("--pause-ms", type=float, default=2.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--then", choices=("close", "hang", "crash"),
                    default="close")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    if a.create:
        w = mmbuf.create(a.path, dtype="<u8", shape=(None, 3),
                         capacity=4096, exist_ok=True)
    else:
        w = mmbuf.open(a.path, "r+")
    if w.shape[0] != a.start:
        sys.exit("rowwriter: %d rows, not --start %d" % (w.shape[0], a.start))
    print("open", flush=True)
    i, end = a.start, a.start + a.rows
    while i < end:
        n = min(end - i, rnd.randint(1, a.burst))
        w.append(rowcheck.rows(i, n), durable=False)
        i += n
        if rnd.random() < 1 / 3:
            time.sleep(rnd.uniform(0, a.pause_ms) / 1000)
    print("done", flush=True)
    if a.then == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    if a.then == "hang":
        sys.stdin.read()
    w.close()


if __name__ == "__main__":
    main()
