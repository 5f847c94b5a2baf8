"""Buffer.follow() and mmbuf.follow(): every committed row exactly once,
in order, typed and without a copy; a follower started before the file;
writer restarts and deaths; a replaced file; a length that goes down.
Writers and followers in other processes are tests/python/rowwriter.py
and rowcheck.py.  The run with a million rows is in make check-long
(MMBUF_LONG=1); make check runs 50,000."""

import array
import math
import os
import subprocess
import sys
import threading
import time
import unittest
import warnings
from unittest import mock

from testlib import SRCDIR, TempDirCase, main, mmbuf, prog

import mmbuf._buffer

import rowcheck

HERE = os.path.join(SRCDIR, "tests", "python")


def firsts(rows):
    """The first column of rows from follow() (an array or a
    memoryview)."""
    return [r[0] for r in rows.tolist()]


class InProcessTest(TempDirCase):
    """Writer and follower in this process, one step at a time."""

    def setUp(self):
        super().setUp()
        self.w = mmbuf.create(self.path(), dtype="<u8", shape=(None, 3),
                              capacity=4096)
        self.addCleanup(lambda: self.w.close())

    def rows(self, start, n):
        self.w.append(rowcheck.rows(start, n), durable=False)

    def test_rows_once_in_order(self):
        # Typed and zero-copy with NumPy: test_numpy.py.
        self.rows(0, 5)
        g = mmbuf.follow(self.path(), timeout=5)
        first = next(g)
        self.assertEqual(rowcheck.check_rows(first, 0), (True, 5))
        for k in range(5, 400, 7):      # grows the capacity on the way
            self.rows(k, 7)
            self.assertEqual(rowcheck.check_rows(next(g), k), (True, 7))
        self.assertEqual(rowcheck.check_rows(first, 0), (True, 5))
        g.close()

    def test_without_numpy_memoryviews(self):
        self.rows(0, 3)
        self.w.close()
        code = ("import sys\n"
                "sys.modules['numpy'] = None\n"
                "import mmbuf\n"
                "for rows in mmbuf.follow(sys.argv[1], until_closed=True):\n"
                "    print(type(rows).__name__, rows.format, rows.shape,"
                " rows.tolist()[2][0])\n")
        res = self.run_py(code, self.path())
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stdout, b"memoryview Q (3, 3) 2\n")

    def test_flat_and_fixed_shapes(self):
        p = self.path("flat")
        with mmbuf.create(p, dtype="<i2", capacity=8) as w:
            w.set_length(6)
        got = list(mmbuf.follow(p, until_closed=True))
        self.assertEqual([g.tolist() for g in got], [[0, 0, 0]])
        q = self.path("fixed")
        with mmbuf.create(q, dtype="u1", shape=(4, 2)) as w:
            w.set_length(5)     # two whole rows of the four
        got = list(mmbuf.follow(q, until_closed=True))
        self.assertEqual([g.shape for g in got], [(2, 2)])

    def test_timeout_ends_it(self):
        g = mmbuf.follow(self.path(), timeout=0.3)
        t = time.monotonic()
        self.assertEqual(list(g), [])
        self.assertLess(time.monotonic() - t, 0.3 + 0.3)
        # Counted from the moment the loop asks again, not from the last
        # rows: the caller's own work does not count.
        self.rows(0, 1)
        g = mmbuf.follow(self.path(), timeout=0.3)
        self.assertEqual(len(next(g)), 1)
        time.sleep(0.5)
        later = threading.Timer(0.1, self.rows, (1, 1))
        later.start()
        self.addCleanup(later.join)
        self.assertEqual(len(next(g)), 1)
        g.close()
        t = time.monotonic()
        self.assertEqual(list(mmbuf.follow(self.path("none"), timeout=0.2)),
                         [])
        self.assertLess(time.monotonic() - t, 0.2 + 0.3)

    def test_until_closed_and_restart(self):
        self.rows(0, 10)
        with mmbuf.open(self.path()) as r:
            g = r.follow(timeout=5)
            self.assertEqual(len(next(g)), 10)
            self.w.close()
            # Closed: until_closed ends after the rows; plain goes on.
            self.assertEqual(len(list(mmbuf.follow(self.path(),
                                                   until_closed=True))), 1)
            self.w = mmbuf.open(self.path(), "r+")
            self.rows(10, 5)
            got = next(g)
            self.assertEqual(firsts(got), list(range(10, 15)))
            g.close()
        self.assertTrue(r.closed)

    def test_shrink_is_reported(self):
        self.rows(0, 10)
        g = mmbuf.follow(self.path(), timeout=5)
        self.assertEqual(len(next(g)), 10)
        self.w.set_length(24 * 4, durable=False)
        # Appended once the follower has seen the shrink (it waits).
        later = threading.Timer(0.3, self.rows, (4, 2))
        later.start()
        self.addCleanup(later.join)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            got = next(g)
        self.assertEqual(len(caught), 1)
        e = caught[0].message
        self.assertIsInstance(e, mmbuf.FollowWarning)
        self.assertEqual((e.kind, e.rows_before, e.rows_now),
                         ("shrink", 10, 4))
        # Rows 4 and 5 again, the new ones, once.
        self.assertEqual(firsts(got), [4, 5])
        with warnings.catch_warnings():
            warnings.simplefilter("error", mmbuf.FollowWarning)
            self.w.set_length(0, durable=False)
            with self.assertRaises(mmbuf.FollowWarning):
                next(g)

    def test_replaced_file(self):
        self.rows(0, 3)
        g = mmbuf.follow(self.path(), timeout=5)
        self.assertEqual(len(next(g)), 3)
        self.rows(3, 2)     # the old file's last rows are not lost
        self.w.close()
        with mmbuf.create(self.path(), dtype="<f4", shape=(None, 2),
                          exist_ok=True) as w2:
            w2.append(array.array("f", [1.5, 2.5]))
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                old = next(g)
                new = next(g)
            self.assertEqual(firsts(old), [3, 4])
            self.assertEqual(new.tolist(), [[1.5, 2.5]])
            self.assertEqual([c.message.kind for c in caught], ["replaced"])
            self.assertEqual(caught[0].message.rows_before, 5)
            w2.append(array.array("f", [3.5, 4.5]))
            self.assertEqual(next(g).tolist(), [[3.5, 4.5]])
        g.close()

    def test_file_rewritten_in_place(self):
        # cp of another buffer over the followed file keeps its inode:
        # the header the follower reads is now another buffer's
        # (InconsistentError in refresh()), which is a replacement too.
        self.rows(0, 3)
        g = mmbuf.follow(self.path(), timeout=5)
        self.assertEqual(len(next(g)), 3)
        self.w.close()
        other = self.path("other.mmbuf")
        with mmbuf.create(other, dtype="<f4", shape=(None, 2)) as w2:
            w2.append(array.array("f", [1.5, 2.5, 3.5, 4.5]))
        with open(other, "rb") as src, open(self.path(), "r+b") as dst:
            dst.write(src.read())
            dst.truncate()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            new = next(g)
        self.assertEqual(new.tolist(), [[1.5, 2.5], [3.5, 4.5]])
        self.assertEqual([c.message.kind for c in caught], ["replaced"])
        self.assertEqual(caught[0].message.rows_before, 3)
        self.assertIn("rewritten in place", str(caught[0].message))
        g.close()


class ProcessCase(TempDirCase):

    def start(self, script, *args, env=None):
        child = subprocess.Popen(
            [sys.executable, os.path.join(HERE, script)] + list(args),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.addCleanup(child.wait, timeout=120)
        self.addCleanup(child.kill)     # a test that failed half way
        self.addCleanup(child.stdout.close)
        self.addCleanup(child.stdin.close)
        return child

    def line(self, child):
        return child.stdout.readline().decode().split()

    def until(self, child, words):
        """Read lines of child until one is words."""
        while True:
            got = self.line(child)
            self.assertTrue(got, "%r never came" % (words,))
            if got == words:
                return

    def finish(self, child, rows):
        out = child.stdout.read().decode()
        self.assertEqual(child.wait(timeout=120), 0, out)
        self.assertIn("ok %d\n" % rows, out)
        return out


class ProcessTest(ProcessCase):

    def test_follower_before_the_file(self):
        fol = self.start("rowcheck.py", self.path(), "--until-closed")
        time.sleep(0.3)
        self.assertFalse(os.path.exists(self.path()))
        wr = self.start("rowwriter.py", self.path(), "--create", "--rows",
                        "3000", "--burst", "50")
        self.assertEqual(self.line(wr), ["open"])
        self.assertEqual(self.line(wr), ["done"])
        self.finish(fol, 3000)

    def test_kill_restart(self):
        # Followers that go on and one that ends: the kill is seen
        # within 1 s, and a new writer's rows follow the old ones.
        wr = self.start("rowwriter.py", self.path(), "--create", "--rows",
                        "2000", "--then", "hang")
        self.assertEqual(self.line(wr), ["open"])
        goes_on = [self.start("rowcheck.py", self.path(), "--rows", "5000",
                              "--progress", *opt)
                   for opt in ((), ("--no-numpy",))]
        ends = self.start("rowcheck.py", self.path(), "--until-closed",
                          "--progress")
        self.assertEqual(self.line(wr), ["done"])
        for fol in goes_on + [ends]:     # each has checked every row
            self.until(fol, ["rows", "2000"])
        time.sleep(0.3)
        killed = time.monotonic()
        wr.kill()
        for fol in goes_on + [ends]:
            kind, when = self.line(fol)[1:]
            self.assertEqual(kind, "crash")
            self.assertLess(float(when) - killed, 1.0)
        self.finish(ends, 2000)
        wr2 = self.start("rowwriter.py", self.path(), "--start", "2000",
                         "--rows", "3000")
        self.assertEqual(self.line(wr2), ["open"])
        for fol in goes_on:
            self.finish(fol, 5000)

    def test_kill_with_polling(self):
        # A writer that cannot wake (NOTIFY clear) and its death.
        env = dict(os.environ, MMBUF_NO_FUTEX="1")
        wr = self.start("rowwriter.py", self.path(), "--create", "--rows",
                        "500", "--then", "hang", env=env)
        self.assertEqual(self.line(wr), ["open"])
        fol = self.start("rowcheck.py", self.path(), "--until-closed",
                         "--progress")
        self.assertEqual(self.line(wr), ["done"])
        self.until(fol, ["rows", "500"])
        time.sleep(0.3)
        killed = time.monotonic()
        wr.kill()
        kind, when = self.line(fol)[1:]
        self.assertEqual(kind, "crash")
        self.assertLess(float(when) - killed, 1.0)
        self.finish(fol, 500)


class CrossLanguageTest(ProcessCase):
    """The C programs of the demo (libmmbuf: GROWING, NOTIFY): a Python
    follower of examples/logger, whose slice is made 20 s long, so that
    only the C writer's wakes can bring the rows in time; and
    examples/follow following a Python writer."""

    def test_follow_the_c_logger(self):
        p = self.path()
        logger = subprocess.Popen([prog("examples/logger"), p, "1500"],
                                  stdout=subprocess.PIPE)
        self.addCleanup(logger.wait, timeout=60)
        self.addCleanup(logger.stdout.close)
        got = []
        t = time.monotonic()
        with mock.patch.object(mmbuf._buffer, "_SLICE", 20.0):
            for rows in mmbuf.follow(p, until_closed=True, timeout=60):
                got.extend(rows.tolist())
        took = time.monotonic() - t
        self.assertEqual(logger.wait(timeout=60), 0)
        self.assertEqual(len(got), 1500)
        for i, (a, b, c) in enumerate(got):
            self.assertEqual((a, b), (i, i / 2))
            self.assertAlmostEqual(c, math.sin(i), places=12)
        # 15 bursts 10 ms apart; a missed wake would cost 20 s.
        self.assertLess(took, 10.0)
        with mmbuf.open(p) as r:
            self.assertTrue(r.growing)
            self.assertTrue(r.header.compat & mmbuf.COMPAT_NOTIFY)
            self.assertEqual(r.shape, (1500, 3))

    def test_c_follower_of_a_python_writer(self):
        # examples/follow (mmbuf_wait()), started before the file exists,
        # prints each row of this writer once, and ends at its close.
        p = self.path()
        fol = subprocess.Popen([prog("examples/follow"), p],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(fol.wait, timeout=60)
        self.addCleanup(fol.kill)
        time.sleep(0.2)
        want = []
        with mmbuf.create(p, dtype="<f8", shape=(None, 3)) as w:
            for burst in range(20):
                rows = array.array("d")
                for k in range(burst + 1):
                    i = len(want)
                    want.append("%d %s 0.25" % (i, repr(i / 2).rstrip("0")
                                                .rstrip(".")))
                    rows.extend([i, i / 2, 0.25])
                w.append(rows, durable=False)
                time.sleep(0.01)
        out, err = fol.communicate(timeout=60)
        self.assertEqual(fol.returncode, 0, err)
        self.assertEqual(out.decode().splitlines(), want)


class ManyRowsTest(ProcessCase):
    """A writer appends rows in random bursts with random pauses, growing
    the capacity many times, followed by two Python followers (one
    without NumPy) that each check every row once, in order."""

    def many(self, rows):
        fols = [self.start("rowcheck.py", self.path(), "--until-closed",
                           *opt) for opt in ((), ("--no-numpy",))]
        wr = self.start("rowwriter.py", self.path(), "--create", "--rows",
                        str(rows), "--burst", "2000", "--pause-ms", "5")
        self.assertEqual(self.line(wr), ["open"])
        self.assertEqual(self.line(wr), ["done"])
        for fol in fols:
            self.finish(fol, rows)
        with mmbuf.open(self.path()) as r:
            self.assertEqual(r.shape, (rows, 3))
            # From 4096 bytes: 64 KiB, then doubled at least 4 times.
            self.assertGreaterEqual(r.capacity, 16 * 64 * 1024)

    def test_50k_rows(self):
        self.many(50000)

    @unittest.skipUnless(os.environ.get("MMBUF_LONG") == "1",
                         "a million rows: make check-long (MMBUF_LONG=1)")
    def test_a_million_rows(self):
        self.many(1000000)


if __name__ == "__main__":
    main()
