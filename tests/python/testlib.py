"""Shared fixtures of the Python tests: a private temporary directory per
test (kept when MMBUF_TEST_KEEP is set), the C programs and library of the
build tree (MMBUF_BUILDDIR), and a way to run Python code in a child
process (where a crash cannot hide)."""

import ctypes
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import mmbuf
from mmbuf import _format as F

BUILDDIR = os.environ.get("MMBUF_BUILDDIR", "")
SRCDIR = os.environ.get("MMBUF_SRCDIR",
                        os.path.join(os.path.dirname(__file__), "..", ".."))
# make check-long sets it: every case of the tests that sample their cases
# in make check.
LONG = os.environ.get("MMBUF_LONG") == "1"


def sampled(n, k):
    """Whether case n runs: every case in make check-long, one in k in
    make check."""
    return LONG or n % k == 0

# All 28 dtypes of mmbuf(5), "Field validation", rule 6.
CODES = ["b1", "u1", "i1", "u2", "i2", "u4", "i4", "u8", "i8", "f2", "f4",
         "f8", "c8", "c16"]
DTYPES = [o + c for c in CODES for o in "<>"]


def prog(name):
    """Path of a program of the build tree; fails the test if missing."""
    path = os.path.join(BUILDDIR, name)
    if not BUILDDIR or not os.access(path, os.X_OK):
        raise AssertionError("%s not found: run through make check, or set "
                             "MMBUF_BUILDDIR to the build tree" % path)
    return path


class TempDirCase(unittest.TestCase):
    """A test case with a private directory, self.dir."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mmbuf-py-")

    def tearDown(self):
        if os.environ.get("MMBUF_TEST_KEEP"):
            sys.stderr.write("kept %s\n" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name="b.mmbuf"):
        return os.path.join(self.dir, name)

    def run_prog(self, *args, **kw):
        """Run a program; returns CompletedProcess (bytes output)."""
        return subprocess.run(list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=60, **kw)

    def run_py(self, code, *args, **kw):
        """Run Python code in a child with the same interpreter."""
        return subprocess.run([sys.executable, "-c", code] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=60, **kw)

    def hold_py(self, code, *args):
        """Start Python code in a child that holds something (a lock, a
        buffer) once it has printed "ok", until its standard input closes
        at the end of the test; returns the child when it is ready."""
        child = subprocess.Popen([sys.executable, "-c", code] + list(args),
                                 stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE)
        self.addCleanup(child.wait, timeout=30)
        self.addCleanup(child.stdout.close)
        self.addCleanup(child.stdin.close)
        self.assertEqual(child.stdout.readline().strip(), b"ok")
        return child


class Lib:
    """libmmbuf of the build tree through ctypes: the C writer and reader
    of the cross-language tests."""

    RDONLY, RDWR = 0, 1
    EBUSY = -10010

    def __init__(self):
        path = os.path.join(BUILDDIR, "lib", ".libs", "libmmbuf.so")
        if not os.path.exists(path):
            raise unittest.SkipTest("no shared libmmbuf in the build tree "
                                    "(built with --disable-shared?)")
        self.so = ctypes.CDLL(path)
        self.so.mmbuf_open.argtypes = [ctypes.c_char_p, ctypes.c_uint,
                                       ctypes.POINTER(ctypes.c_void_p)]
        for name in ("mmbuf_close", "mmbuf_unclean", "mmbuf_writer_active"):
            getattr(self.so, name).argtypes = [ctypes.c_void_p]
        self.so.mmbuf_length.argtypes = [ctypes.c_void_p]
        self.so.mmbuf_length.restype = ctypes.c_uint64
        self.so.mmbuf_strerror.restype = ctypes.c_char_p

    def open(self, path, flags):
        """(error code, handle or None)."""
        h = ctypes.c_void_p()
        err = self.so.mmbuf_open(os.fsencode(path), flags, ctypes.byref(h))
        return err, (h if err == 0 else None)

    def close(self, h):
        return self.so.mmbuf_close(h)


def slot_bytes(path, i):
    with open(path, "rb") as f:
        f.seek(F.PAGE * i)
        return bytearray(f.read(F.SLOT_SIZE))


def rewrite_slot(path, i, **fields):
    """Rewrite slot i of a file with fields changed, with a correct CRC:
    for making files that are intact but invalid."""
    import struct
    import zlib
    s = slot_bytes(path, i)
    offsets = {"version_major": ("<H", 16), "incompat": ("<Q", 40),
               "ro_compat": ("<Q", 32), "length": ("<Q", 96),
               "capacity": ("<Q", 88), "data_offset": ("<Q", 80),
               "file_size": ("<Q", 104), "state": ("<I", 112),
               "ndim": ("<I", 128), "dtype": ("8s", 120),
               "label": ("256s", 240), "generation": ("<Q", 8),
               "generation_tail": ("<Q", 500)}
    for k, v in fields.items():
        fmt, off = offsets[k]
        struct.pack_into(fmt, s, off, v)
    struct.pack_into("<I", s, 508, zlib.crc32(bytes(s[:508])))
    with open(path, "r+b") as f:
        f.seek(F.PAGE * i)
        f.write(s)


def main():
    unittest.main(verbosity=2)


__all__ = ["mmbuf", "F", "TempDirCase", "Lib", "prog", "DTYPES", "CODES",
           "slot_bytes", "rewrite_slot", "main"]
