"""follow.py PATH SECONDS - a Python reader for tests/concurrency: open
the buffer read-only, follow the writer with Buffer.refresh() until it has
come and gone, and check every record within each committed length, as
the C readers do (record k: k as a little-endian u64, then bytes
(k * 131 + j * 17 + 3) mod 256 for j = 8 .. 63).  Needs NumPy, to check
millions of records as fast as the writer appends them.  Exit 0, or 1
with a message on the first wrong record, torn header or length that
goes back."""

import sys
import time

import numpy as np

import mmbuf

REC = 64
# Records checked at a time: the check makes arrays of 8 bytes per record
# byte, so a length of millions of records at once would take gigabytes
# (two followers behind a fast writer were killed by the OOM killer).
CHUNK = 1 << 18


def fail(msg):
    sys.stderr.write("follow.py: FAIL: %s\n" % msg)
    sys.exit(1)


def main():
    path, seconds = sys.argv[1], float(sys.argv[2])
    deadline = time.monotonic() + seconds + 60
    j = np.arange(8, REC, dtype=np.uint64)
    checked = last = refreshes = 0
    seen_writer = False
    with mmbuf.open(path) as b:
        first_gen = b.header.generation
        while True:
            try:
                b.refresh()
            except mmbuf.Error as e:
                fail("refresh: %s" % e)
            refreshes += 1
            h = b.header
            open_now = bool(h.state & mmbuf.STATE_WRITER_OPEN)
            # Seen open, or opened and closed since (two commits at least).
            seen_writer = seen_writer or open_now or \
                h.generation >= first_gen + 2
            if h.length < last:
                fail("the length went back from %d to %d" % (last, h.length))
            if h.length % REC:
                fail("length %d is not whole records" % h.length)
            last = h.length
            n = min(h.length // REC, checked + CHUNK)
            if n > checked:
                raw = b.raw
                recs = np.frombuffer(raw, dtype=np.uint8,
                                     count=(n - checked) * REC,
                                     offset=checked * REC).reshape(-1, REC)
                k = np.arange(checked, n, dtype=np.uint64)
                ok = recs[:, :8].copy().view("<u8")[:, 0] == k
                want = ((k[:, None] * np.uint64(131) + j * np.uint64(17)
                         + np.uint64(3)) % np.uint64(256)).astype(np.uint8)
                ok &= (recs[:, 8:] == want).all(axis=1)
                if not ok.all():
                    bad = checked + int(np.argmin(ok))
                    fail("record %d is wrong within length %d"
                         % (bad, h.length))
                del recs, raw
                checked = n
            if seen_writer and not open_now and checked == h.length // REC:
                break
            if time.monotonic() > deadline:
                fail("the writer never finished")
            time.sleep(0.001)
    print("follow.py: %d refreshes, %d records checked" % (refreshes,
                                                          checked))


if __name__ == "__main__":
    main()
