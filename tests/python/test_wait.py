"""Buffer.wait() and refresh() against writers in other processes
(mmbuf(5), "Waiting for a commit" and "Locking"): a commit wakes a waiter, the
timeout bounds the wait, a waiting reader uses no CPU, a writer that
cannot wake clears NOTIFY and is followed by polling, and a writer's
death is seen by refresh() and ends a wait."""

import os
import signal
import subprocess
import sys
import time
from unittest import mock

from testlib import TempDirCase, main, mmbuf

import mmbuf._buffer
import mmbuf._notify

NO_FUTEX = dict(os.environ, MMBUF_NO_FUTEX="1")

# A writer in a child: opens PATH for writing, says "ok", then appends one
# byte for each line of its standard input (as the line says: "sleep S"
# sleeps first), and closes at its end.
WRITER = r"""
import sys, time, mmbuf
w = mmbuf.open(sys.argv[1], "r+")
print("ok", flush=True)
for line in sys.stdin:
    if line.startswith("sleep"):
        time.sleep(float(line.split()[1]))
    w.append(b"x", durable=False)
    print("appended %.6f" % time.monotonic(), flush=True)
w.close()
"""


class WaitCase(TempDirCase):

    def setUp(self):
        super().setUp()
        mmbuf.create(self.path(), capacity=4096).close()

    def writer(self, env=None):
        child = subprocess.Popen([sys.executable, "-c", WRITER, self.path()],
                                 stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, env=env)
        self.addCleanup(child.wait, timeout=30)
        self.addCleanup(child.stdout.close)
        self.addCleanup(child.stdin.close)
        self.assertEqual(child.stdout.readline().strip(), b"ok")
        return child

    def command(self, child, line):
        child.stdin.write(line.encode() + b"\n")
        child.stdin.flush()


class WakeTest(WaitCase):

    def test_a_commit_wakes_a_waiter(self):
        self.assertTrue(mmbuf._notify.AVAILABLE, "no futex on this Linux")
        w = self.writer()
        with mmbuf.open(self.path()) as r:
            self.assertTrue(r.header.compat & mmbuf.COMPAT_NOTIFY)
            self.assertTrue(r.writer_active)
            # Slices of 20 s: only the writer's wake can end the wait in
            # time, not a look at the header between slices.
            with mock.patch.object(mmbuf._buffer, "_SLICE", 20.0):
                self.command(w, "sleep 0.3")
                t = time.monotonic()
                # The append commits twice: a grown capacity, then the
                # length.
                while r.length < 4097:
                    self.assertTrue(r.wait(timeout=30))
                took = time.monotonic() - t
            self.assertLess(took, 5.0)
            self.assertGreater(took, 0.25)
        w.stdin.close()

    def test_every_commit_wakes(self):
        w = self.writer()
        with mmbuf.open(self.path()) as r, \
                mock.patch.object(mmbuf._buffer, "_SLICE", 20.0):
            for k in range(1, 21):
                self.command(w, "sleep 0.01")
                while r.length < 4096 + k:
                    self.assertTrue(r.wait(timeout=30))
            w.stdin.close()       # the close commits and wakes too
            self.assertTrue(r.wait(timeout=30))
            self.assertFalse(r.writer_active)
            self.assertFalse(r.unclean)

    def test_timeout(self):
        self.writer()
        with mmbuf.open(self.path()) as r:
            for timeout in (0, 0.05, 0.3):
                t = time.monotonic()
                self.assertFalse(r.wait(timeout))
                took = time.monotonic() - t
                self.assertGreaterEqual(took, timeout)
                # A generous bound: the machine may be busy.
                self.assertLess(took, timeout + 0.5)

    def test_writers_wait_not(self):
        with mmbuf.open(self.path(), "r+") as w:
            with self.assertRaises(ValueError):
                w.wait(0)
            with self.assertRaises(ValueError):
                w.follow()

    def test_idle_waiter_uses_no_cpu(self):
        # A reader waiting 2 s while the writer is open and idle: its CPU
        # time, with a futex and by polling.
        self.writer()
        code = ("import resource, sys, mmbuf\n"
                "r = mmbuf.open(sys.argv[1])\n"
                "u0 = resource.getrusage(resource.RUSAGE_SELF)\n"
                "assert not r.wait(2.0)\n"
                "u1 = resource.getrusage(resource.RUSAGE_SELF)\n"
                "print(u1.ru_utime + u1.ru_stime - u0.ru_utime - "
                "u0.ru_stime)\n")
        for env, limit in ((None, 0.05), (NO_FUTEX, 0.1)):
            with self.subTest(polling=env is not None):
                res = self.run_py(code, self.path(), env=env)
                self.assertEqual(res.returncode, 0, res.stderr)
                self.assertLess(float(res.stdout), limit)


class PollingTest(WaitCase):

    def test_writer_without_futex_clears_notify(self):
        w = self.writer(env=NO_FUTEX)
        with mmbuf.open(self.path()) as r:
            self.assertFalse(r.header.compat & mmbuf.COMPAT_NOTIFY)
            self.command(w, "sleep 0.2")
            t = time.monotonic()
            while r.length < 4097:
                self.assertTrue(r.wait(timeout=5))
            # Polled: the pause is at most a slice (0.1 s), plus a
            # generous margin for a busy machine.
            self.assertLess(time.monotonic() - t, 0.2 + 0.1 + 0.4)

    def test_reader_without_futex_polls(self):
        w = self.writer()
        code = ("import sys, time, mmbuf\n"
                "r = mmbuf.open(sys.argv[1])\n"
                "print('ok', flush=True)\n"
                "while r.length < 4097:\n"
                "    assert r.wait(timeout=10)\n"
                "print('%.6f' % time.monotonic(), r.length)\n")
        child = subprocess.Popen([sys.executable, "-c", code, self.path()],
                                 stdout=subprocess.PIPE, env=NO_FUTEX)
        self.assertEqual(child.stdout.readline(), b"ok\n")
        self.command(w, "sleep 0.3")
        seen, length = child.stdout.readline().split()
        child.stdout.close()
        self.assertEqual(child.wait(timeout=30), 0)
        appended = float(w.stdout.readline().split()[1])
        self.assertEqual(int(length), 4097)
        self.assertLess(float(seen) - appended, 0.1 + 0.3)


class CrashTest(WaitCase):

    def test_refresh_sees_a_dead_writer(self):
        w = self.writer()
        with mmbuf.open(self.path()) as r:
            self.assertTrue(r.writer_active)
            self.assertFalse(r.unclean)
            w.kill()
            w.wait()
            self.assertFalse(r.refresh())       # no commit...
            self.assertFalse(r.writer_active)   # ...but the lock is free
            self.assertTrue(r.unclean)
            # A new writer: a commit, and it is at work.
            w2 = self.writer()
            self.assertTrue(r.refresh())
            self.assertTrue(r.writer_active)
            self.assertFalse(r.unclean)
            w2.stdin.close()
            w2.wait()
            self.assertTrue(r.refresh())
            self.assertEqual((r.writer_active, r.unclean), (False, False))

    def test_clean_close_is_not_a_crash(self):
        # The close commits and then lets the lock go: a reader that read
        # the header before the commit and finds the lock free after it
        # reads again before it calls the writer dead.
        w = mmbuf.open(self.path(), "r+")
        with mmbuf.open(self.path()) as r:
            w.append(b"x")
            real = mmbuf._lock.writer_present

            def close_first(fd):
                if not w.closed:
                    w.close()
                return real(fd)
            with mock.patch.object(mmbuf._lock, "writer_present",
                                   close_first):
                self.assertTrue(r.refresh())
            self.assertEqual((r.writer_active, r.unclean), (False, False))
            self.assertFalse(r.state & mmbuf.STATE_WRITER_OPEN)

    def test_a_commit_then_a_kill(self):
        # wait() takes the commit from the slot it wrote, and the writer
        # for present (it held the lock to commit); the next wait() tests
        # the lock and returns the crash at once.  refresh() tests the
        # lock and sees both in one call.
        for use_wait in (True, False):
            w = self.writer()
            with mmbuf.open(self.path()) as r:
                # The first append grows the capacity (the buffer is
                # full): a new layout, which wait() reads in full.
                self.command(w, "x")
                self.assertTrue(w.stdout.readline().startswith(b"appended"))
                self.assertTrue(r.refresh())
                n = r.length
                self.command(w, "x")
                self.assertTrue(w.stdout.readline().startswith(b"appended"))
                w.kill()
                w.wait()
                if use_wait:
                    self.assertTrue(r.wait(timeout=5))
                    self.assertEqual(r.length, n + 1)
                    self.assertEqual((r.writer_active, r.unclean),
                                     (True, False))
                    t = time.monotonic()
                    self.assertFalse(r.wait(timeout=5))
                    self.assertLess(time.monotonic() - t, 1.0)
                else:
                    self.assertTrue(r.refresh())
                    self.assertEqual(r.length, n + 1)
                self.assertEqual((r.writer_active, r.unclean),
                                 (False, True))

    def test_a_header_that_never_holds_still_ends_the_lock_test(self):
        # The lock free and the header moving at every read (a process
        # that commits without the lock, or a fault): refresh() reads it
        # again at most 8 times, as mmbuf_refresh() does, and then says
        # nothing of the writer instead of looping for ever.
        w = mmbuf.open(self.path(), "r+")
        self.addCleanup(w.close)
        with mmbuf.open(self.path()) as r:
            real = mmbuf.Buffer._read_header
            reads = []

            def moving(buf, cur):
                h = real(buf, buf._header)
                reads.append(h)
                if len(reads) > 100:
                    raise AssertionError("the header was read %d times"
                                         % len(reads))
                d = dict(h.__dict__, generation=h.generation + len(reads))
                moved = object.__new__(type(h))
                moved.__dict__.update(d)
                return moved
            with mock.patch.object(mmbuf._lock, "writer_present",
                                   lambda fd: False), \
                    mock.patch.object(mmbuf.Buffer, "_read_header", moving):
                self.assertTrue(r.refresh())
            self.assertEqual(len(reads), 9)
            # Unknown: what was known stays.
            self.assertEqual((r.writer_active, r.unclean), (True, False))

    def test_wait_ends_at_a_kill(self):
        w = self.writer()
        with mmbuf.open(self.path()) as r:
            code = ("import os, signal, sys, time\n"
                    "time.sleep(0.3)\n"
                    "print('%.6f' % time.monotonic(), flush=True)\n"
                    "os.kill(int(sys.argv[1]), signal.SIGKILL)\n")
            killer = subprocess.Popen([sys.executable, "-c", code,
                                       str(w.pid)], stdout=subprocess.PIPE)
            self.assertFalse(r.wait(timeout=30))
            now = time.monotonic()
            killed = float(killer.stdout.readline())
            killer.stdout.close()
            killer.wait()
            self.assertLess(now - killed, 1.0)
            self.assertFalse(r.writer_active)
            self.assertTrue(r.unclean)
            # Told once: the next wait waits for a new writer.
            self.assertFalse(r.wait(0.2))
            w2 = self.writer()
            self.assertTrue(r.wait(timeout=30))
            self.assertTrue(r.writer_active)
            w2.stdin.close()
        w.wait()


if __name__ == "__main__":
    main()
