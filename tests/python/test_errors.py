"""Errors carry the path and the who: BusyError and ReadLockError name the
file and the last writer's process ID as the header records it."""

import os
import pickle
import unittest

import mmbuf
import mmbuf._errors
from testlib import TempDirCase, Lib

HOLD_WRITER = """
import mmbuf, sys
b = mmbuf.open(sys.argv[1], "r+")
print("ok", flush=True)
sys.stdin.read()
"""

READ_LOCKER = """
import fcntl, os, struct, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
# An open file description read lock on the writer's byte, byte 0.
fcntl.fcntl(fd, fcntl.F_OFD_SETLK,
            struct.pack("@hhqqi0q", fcntl.F_RDLCK, os.SEEK_SET, 0, 1, 0))
print("ok", flush=True)
sys.stdin.read()
"""


def busy_text(path, what, pid):
    return ("%s: buffer is busy: %s (the header names pid %d as the last "
            "writer; this may be stale: the lock does not tell who holds it)"
            % (path, what, pid))


class TestBusyNamesPathAndWriter(TempDirCase):
    def test_writer_in_another_process(self):
        p = self.path()
        mmbuf.create(p, capacity=8).close()
        child = self.hold_py(HOLD_WRITER, p)
        with self.assertRaises(mmbuf.BusyError) as cm:
            mmbuf.open(p, "r+")
        e = cm.exception
        self.assertNotIsInstance(e, mmbuf.ReadLockError)
        self.assertEqual(e.path, p)
        self.assertEqual(e.writer_pid, child.pid)
        self.assertEqual(str(e), busy_text(
            p, "another writer has it open", child.pid))
        self.assertEqual((e.code, e.name), (-10010, "MMBUF_EBUSY"))
        # Through pickle (a multiprocessing worker's exception) too.
        e2 = pickle.loads(pickle.dumps(e))
        self.assertEqual((type(e2), str(e2), e2.path, e2.writer_pid),
                         (type(e), str(e), e.path, e.writer_pid))

    def test_c_writer_in_this_process(self):
        lib = Lib()
        p = self.path()
        mmbuf.create(p, capacity=8).close()
        err, h = lib.open(p, lib.RDWR)
        self.assertEqual(err, 0)
        try:
            with self.assertRaises(mmbuf.BusyError) as cm:
                mmbuf.open(p, "r+")
        finally:
            lib.close(h)
        self.assertEqual((cm.exception.path, cm.exception.writer_pid),
                         (p, os.getpid()))
        # Not "may be stale": this process, and where to look.
        self.assertEqual(str(cm.exception), (
            "%s: buffer is busy: another writer has it open (the header "
            "names this process, pid %d, as the last writer: a writer it "
            "still has open, or one that a child of fork() inherited and "
            "has not closed, holds the lock)" % (p, os.getpid())))

    @unittest.skipUnless(hasattr(__import__("fcntl"), "F_OFD_SETLK"),
                         "open file description locks")
    def test_read_lock(self):
        p = self.path()
        mmbuf.create(p, capacity=8).close()
        self.hold_py(READ_LOCKER, p)
        with self.assertRaises(mmbuf.ReadLockError) as cm:
            mmbuf.open(p, "r+")
        e = cm.exception
        # The holder of a read lock is not known: the pid is the header's
        # last writer, this process, and the message says so.
        self.assertEqual((e.path, e.writer_pid), (p, os.getpid()))
        self.assertEqual(str(e), busy_text(
            p, "a read lock on it keeps writers out", os.getpid()))

    def test_shrink_names_the_path(self):
        p = self.path()
        mmbuf.create(p, capacity=8192).close()
        with mmbuf.open(p, "r+") as w, mmbuf.open(p):
            w.set_length(0)
            with self.assertRaises(mmbuf.BusyError) as cm:
                w.resize(4096)
        self.assertEqual(cm.exception.path, p)
        self.assertTrue(str(cm.exception).startswith(p + ": cannot shrink: "),
                        str(cm.exception))

    def test_read_only_names_the_path(self):
        p = self.path()
        mmbuf.create(p, capacity=8).close()
        with mmbuf.open(p) as r:
            for call in (lambda: r.append(b"x"), lambda: r.set_length(0),
                         lambda: r.__setitem__(0, 1)):
                with self.assertRaises(mmbuf.ReadOnlyError) as cm:
                    call()
                self.assertEqual(str(cm.exception),
                                 p + ": buffer is open read-only")

    def test_no_pid_recorded(self):
        # writer_pid 0 means unknown (mmbuf(5)): no pid, no clause.
        e = mmbuf.BusyError(path="t.mmbuf", writer_pid=0)
        self.assertIsNone(e.writer_pid)
        self.assertEqual(str(e), "t.mmbuf: buffer is busy: another writer "
                         "has it open")



class TestDocstrings(unittest.TestCase):
    def test_each_names_its_c_code(self):
        for cls in mmbuf._errors.BY_NAME.values():
            with self.subTest(cls.__name__):
                self.assertIn("In C: %s (%d)." % (cls.name, cls.code),
                              cls.__doc__)
        self.assertIn("mmbuf_open()", mmbuf.BusyError.__doc__)


if __name__ == "__main__":
    unittest.main()
