"""One Buffer shared by threads: appends and other commits from several
threads all land, none lost; several threads may wait() on one reader,
and a close() from another thread ends a wait() with ValueError.  A
writer inherited by a child of fork() stays the parent's: the child
cannot commit through it, and its close() commits nothing.

Without the Buffer's lock, two threads that append at once read the same
header, write their rows at the same offset and commit the same
generation: half the rows were lost.  Without the fork rule, a child
leaving a ``with`` block committed its stale header over the parent's
last commit, with "writer open" cleared."""

import array
import os
import threading
import time
import unittest
from unittest import mock

from testlib import TempDirCase, main, mmbuf

import mmbuf._notify


def run_threads(targets):
    """Start a thread per function, join them all; the first exception
    any of them raised is raised here."""
    errors = []

    def guard(f):
        try:
            f()
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=guard, args=(f,)) for f in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    if errors:
        raise errors[0]


class WriterThreadsTest(TempDirCase):
    """Several threads commit through one writable Buffer."""

    N = 2000

    def test_appends_from_four_threads(self):
        # From 4 KiB up: the appends grow the capacity on the way.
        w = mmbuf.create(self.path(), dtype="<u8", shape=(None,),
                         capacity=4096)
        self.addCleanup(w.close)
        g0 = w.generation

        def appender(k):
            def run():
                for i in range(self.N):
                    w.append(array.array("Q", [k << 32 | i]),
                             durable=False)
            return run

        run_threads([appender(k) for k in range(4)])
        self.assertEqual(w.length, 4 * self.N * 8)
        w.close()
        with mmbuf.open(self.path()) as r:
            got = r.raw.cast("Q").tolist()
            # Every append a commit of its own, and growths besides.
            self.assertGreaterEqual(r.generation, g0 + 1 + 4 * self.N)
        self.assertEqual(len(got), 4 * self.N)
        for k in range(4):
            # Each thread's rows, once each, in its order.
            self.assertEqual([v & 0xffffffff for v in got if v >> 32 == k],
                             list(range(self.N)))

    def test_labels_and_appends(self):
        # Commits of different fields from two threads: none overwrites
        # the other's (each reads the header the other committed).
        w = mmbuf.create(self.path(), dtype="u1", shape=(None,))
        self.addCleanup(w.close)

        def labels():
            for i in range(self.N):
                w.set_label("label %d" % i, durable=False)

        def appends():
            for i in range(self.N):
                w.append(bytes([i & 0xff]), durable=False)

        run_threads([labels, appends])
        w.close()
        with mmbuf.open(self.path()) as r:
            self.assertEqual(r.label, "label %d" % (self.N - 1))
            self.assertEqual(bytes(r.raw),
                             bytes(i & 0xff for i in range(self.N)))
            # Both threads' commits, and the clean close.
            self.assertEqual(r.generation, w.generation)
            self.assertGreaterEqual(r.generation, 2 * self.N + 2)


class WaiterThreadsTest(TempDirCase):
    """Threads waiting on one reader."""

    def setUp(self):
        super().setUp()
        self.w = mmbuf.create(self.path(), dtype="<u8", shape=(None,),
                              capacity=4096)
        self.addCleanup(lambda: self.w.close())
        self.r = mmbuf.open(self.path())
        self.addCleanup(lambda: self.r.close())

    def test_two_waiters_one_commit(self):
        # Whichever thread takes the commit, both waits end with it.
        got = []
        started = threading.Barrier(3)

        def waiter():
            started.wait()
            got.append(self.r.wait(10))

        def writer():
            started.wait()
            time.sleep(0.2)     # both asleep by now
            self.w.append(array.array("Q", [7]), durable=False)

        t = time.monotonic()
        run_threads([waiter, waiter, writer])
        self.assertEqual(got, [True, True])
        self.assertLess(time.monotonic() - t, 5)
        self.assertEqual(self.r.length, 8)

    def close_during_wait(self):
        """A thread waits for ever; this one closes the reader: the wait
        ends with ValueError, soon."""
        outcome = []
        asleep = threading.Event()

        def waiter():
            asleep.set()
            try:
                self.r.wait()
            except Exception as e:
                outcome.append(e)
            else:
                outcome.append(None)

        t = threading.Thread(target=waiter)
        t.start()
        asleep.wait()
        time.sleep(0.2)
        start = time.monotonic()
        self.r.close()
        t.join(10)
        self.assertFalse(t.is_alive())
        self.assertEqual(len(outcome), 1)
        self.assertIsInstance(outcome[0], ValueError)
        self.assertIn("closed", str(outcome[0]))
        return time.monotonic() - start

    def test_close_ends_a_futex_wait(self):
        self.assertTrue(mmbuf._notify.AVAILABLE, "no futex on this Linux")
        # close() wakes it: well within the 0.5 s slice (a generous
        # bound: this machine is shared).
        self.assertLess(self.close_during_wait(), 5)

    def test_close_ends_a_polling_wait(self):
        with mock.patch.object(mmbuf._notify, "AVAILABLE", False):
            self.r.close()
            self.r = mmbuf.open(self.path())
            self.assertLess(self.close_during_wait(), 5)

    def test_commits_while_waiting(self):
        # A waiter and a reader's refresh() in another thread, while the
        # writer appends: the waiter sees every commit or a later one,
        # and the generation it sees never goes back.
        seen = []
        done = threading.Event()

        def waiter():
            while not done.is_set():
                if self.r.wait(0.2):
                    seen.append(self.r.generation)

        def refresher():
            while not done.is_set():
                self.r.refresh()

        def writer():
            for i in range(300):
                self.w.append(array.array("Q", [i]), durable=False)
            time.sleep(0.3)
            done.set()

        run_threads([waiter, refresher, writer])
        self.assertTrue(seen)
        self.assertEqual(seen, sorted(seen))
        self.assertEqual(self.r.generation, self.w.generation)
        self.assertEqual(self.r.raw.cast("Q").tolist(), list(range(300)))


class ForkTest(TempDirCase):
    """A Buffer in a child of fork()."""

    def setUp(self):
        super().setUp()
        self.w = mmbuf.create(self.path(), dtype="<u8", shape=(None,),
                              capacity=4096)
        self.addCleanup(lambda: self.w.close())
        self.w.append(array.array("Q", [1, 2, 3]), durable=False)

    def child(self, body):
        """Run body() in a child of fork(); its exit status: 0 when body
        returned, 1 when it raised (the traceback goes to stderr)."""
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                body()
                status = 0
            except BaseException:
                import traceback
                traceback.print_exc()
            finally:
                os._exit(status)
        deadline = time.monotonic() + 30
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status)
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                self.fail("the child hung")
            time.sleep(0.01)

    def test_with_block_in_the_child(self):
        # The child leaves the with block (sys.exit, an exception): the
        # parent's commits and its "writer open" stand.
        def body():
            try:
                with self.w:
                    self.w.append(array.array("Q", [4]), durable=False)
            except mmbuf.BusyError:
                assert self.w.closed
            else:
                raise AssertionError("no BusyError")
        self.assertEqual(self.child(body), 0)
        self.w.append(array.array("Q", [5, 6]), durable=False)
        self.assertEqual(self.child(lambda: self.w.close()), 0)
        with mmbuf.open(self.path()) as r:
            self.assertEqual(r.raw.cast("Q").tolist(), [1, 2, 3, 5, 6])
            self.assertTrue(r.writer_active)
            self.assertEqual(r.generation, self.w.generation)

    def test_the_child_cannot_commit(self):
        def body():
            calls = [
                lambda: self.w.append(array.array("Q", [9])),
                lambda: self.w.set_length(0),
                lambda: self.w.set_label("x"),
                lambda: self.w.resize(8192),
                lambda: self.w.seal(),
                # Its header is the fork's: no catching up either.
                lambda: self.w.refresh(),
                lambda: self.w.wait(0),
                lambda: self.w.follow(),
            ]
            for call in calls:
                try:
                    call()
                except mmbuf.BusyError as e:
                    assert e.writer_pid == os.getppid(), e.writer_pid
                    assert "fork()" in str(e), str(e)
                else:
                    raise AssertionError("no BusyError")
            # Reading is fine, and so is a store (it commits nothing).
            assert self.w.raw.cast("Q").tolist() == [1, 2, 3]
            self.w[0] = 1
        g = self.w.generation
        self.assertEqual(self.child(body), 0)
        with mmbuf.open(self.path()) as r:
            self.assertEqual(r.generation, g)
            self.assertEqual(r.raw.cast("Q").tolist(), [1, 2, 3])

    def test_the_child_writes_once_it_closed_its_copy(self):
        # What the BusyError says to do: close the inherited writer (it
        # shares the parent's open file, and so the writer lock), then
        # open the file again once the parent has closed its own.
        rd, wr = os.pipe()
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                os.close(wr)
                os.read(rd, 1)          # the parent has closed
                try:
                    mmbuf.open(self.path(), "r+").close()
                except mmbuf.BusyError:
                    pass                # its own copy holds the lock
                else:
                    raise AssertionError("no BusyError")
                self.w.close()
                with mmbuf.open(self.path(), "r+") as w:
                    w.append(array.array("Q", [4]), durable=False)
                status = 0
            finally:
                os._exit(status)
        os.close(rd)
        self.w.close()
        os.write(wr, b"x")
        os.close(wr)
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        with mmbuf.open(self.path()) as r:
            self.assertEqual(r.raw.cast("Q").tolist(), [1, 2, 3, 4])
            self.assertFalse(r.unclean)

    def test_a_reader_in_the_child(self):
        r = mmbuf.open(self.path())
        self.addCleanup(r.close)

        def body():
            assert r.wait(10)       # the parent's commit below
            assert r.raw.cast("Q").tolist() == [1, 2, 3, 4], r.length
            r.close()

        later = threading.Timer(0.2, self.w.append,
                                (array.array("Q", [4]),),
                                {"durable": False})
        later.start()
        self.addCleanup(later.join)
        self.assertEqual(self.child(body), 0)

    def test_lock_held_by_a_thread_at_fork(self):
        # A thread of the parent holds the Buffer's lock when the process
        # forks: the child, which has no such thread, is not stuck.
        held, release = threading.Event(), threading.Event()

        def holder():
            with self.w._lock:
                held.set()
                release.wait(30)

        t = threading.Thread(target=holder)
        t.start()
        try:
            held.wait(10)
            self.assertEqual(
                self.child(lambda: self.w.raw.cast("Q").tolist()), 0)
        finally:
            release.set()
            t.join()


if __name__ == "__main__":
    main()
