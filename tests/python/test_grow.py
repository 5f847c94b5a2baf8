"""Growing buffers from Python, and following a writer: Buffer.resize()
against the C library (libmmbuf of the build tree through ctypes) in both
directions, and Buffer.refresh() following a C writer that appends."""

import ctypes
import os

from testlib import mmbuf, F, TempDirCase, Lib, prog, main

EBUSY = -10010


class CLib(Lib):
    """Lib, with the growth calls."""

    def __init__(self):
        super().__init__()
        so = self.so
        so.mmbuf_append.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                    ctypes.c_size_t, ctypes.c_int]
        so.mmbuf_resize.argtypes = [ctypes.c_void_p, ctypes.c_uint64,
                                    ctypes.c_uint]
        so.mmbuf_refresh.argtypes = [ctypes.c_void_p,
                                     ctypes.POINTER(ctypes.c_int)]
        so.mmbuf_capacity.argtypes = [ctypes.c_void_p]
        so.mmbuf_capacity.restype = ctypes.c_uint64
        so.mmbuf_set_length.argtypes = [ctypes.c_void_p, ctypes.c_uint64,
                                        ctypes.c_int]


class ResizeTest(TempDirCase):

    def setUp(self):
        super().setUp()
        self.c = CLib()

    def make(self, size=4096, length=100, **kw):
        b = mmbuf.create(self.path(), size=size, **kw)
        b.raw[:] = bytes(range(256)) * (size // 256) + bytes(size % 256)
        b.set_length(length)
        return b

    def test_grow(self):
        with self.make() as b:
            b.resize(1 << 20)
            self.assertEqual(b.capacity, 1 << 20)
            self.assertEqual(b.length, 100)
            self.assertEqual(os.path.getsize(self.path()), 8192 + (1 << 20))
            self.assertGreaterEqual(os.stat(self.path()).st_blocks * 512,
                                    1 << 20)
            b.set_length(1 << 20)
            raw = b.raw
            self.assertEqual(bytes(raw[:4096]),
                             bytes(range(256)) * 16)
            self.assertEqual(bytes(raw[4096:]), bytes((1 << 20) - 4096))
            raw[-1] = 7
            del raw
        err, h = self.c.open(self.path(), Lib.RDONLY)
        self.assertEqual(err, 0)
        self.assertEqual(self.c.so.mmbuf_capacity(h), 1 << 20)
        self.assertEqual(self.c.so.mmbuf_length(h), 1 << 20)
        self.c.close(h)

    def test_grow_sparse(self):
        with self.make() as b:
            b.resize(64 << 20, sparse=True)
            self.assertLess(os.stat(self.path()).st_blocks * 512, 8 << 20)
        with mmbuf.create(self.path("s.mmbuf"), size=1 << 20,
                          sparse=True) as b:
            b.resize(64 << 20)     # sparse as it was made
            self.assertLess(os.stat(self.path("s.mmbuf")).st_blocks * 512,
                            8 << 20)

    def test_shrink(self):
        with self.make(size=1 << 20, length=5000) as b:
            with self.assertRaises(mmbuf.LengthError):
                b.resize(4999)
            # A C reader is attached: busy; then not.
            err, h = self.c.open(self.path(), Lib.RDONLY)
            self.assertEqual(err, 0)
            with self.assertRaises(mmbuf.BusyError):
                b.resize(8192)
            self.assertEqual(b.capacity, 1 << 20)
            self.c.close(h)
            b.resize(8192)
            self.assertEqual(b.capacity, 8192)
            self.assertEqual(os.path.getsize(self.path()), 8192 + 8192)
            self.assertEqual(bytes(b.raw[:256]), bytes(range(256)))
        r = mmbuf.open(self.path())
        self.assertEqual((r.capacity, r.length), (8192, 5000))
        r.close()

    def test_shrink_shape(self):
        with mmbuf.create(self.path(), size=64 << 10, dtype="f8",
                          shape=(1000, 2)) as b:
            b.set_length(0)
            with self.assertRaises(mmbuf.ShapeError):
                b.resize(15999)
            b.resize(16000)

    def test_live_view_refuses(self):
        with self.make() as b:
            arr = b.raw[10:20]      # a slice the caller keeps
            with self.assertRaises(mmbuf.ViewsAliveError):
                b.resize(1 << 20)
            self.assertEqual(b.capacity, 4096)
            del arr
            b.resize(1 << 20)
            self.assertEqual(b.capacity, 1 << 20)

    def test_python_reader_excludes_c_shrink(self):
        with self.make(size=1 << 20) as b:
            b.close()
        r = mmbuf.open(self.path())
        err, h = self.c.open(self.path(), Lib.RDWR)
        self.assertEqual(err, 0)
        self.assertEqual(self.c.so.mmbuf_resize(h, 8192, 0), EBUSY)
        r.close()
        self.assertEqual(self.c.so.mmbuf_resize(h, 8192, 0), 0)
        self.assertEqual(self.c.close(h), 0)

    def test_grow_over_block_table(self):
        with self.make(size=3 * 4096, length=3 * 4096) as b:
            b.seal(block_size=4096)
        with mmbuf.open(self.path(), "r+") as b:
            self.assertTrue(b.header.ro_compat & F.RO_COMPAT_BLOCK_TABLE)
            b.resize(64 << 10)
            self.assertFalse(b.header.ro_compat & F.RO_COMPAT_BLOCK_TABLE)
            self.assertEqual(b.header.table_offset, 0)
            b.set_length(64 << 10)
            self.assertEqual(bytes(b.raw[3 * 4096:]),
                             bytes((64 << 10) - 3 * 4096))
        out = self.run_prog(prog("tools/verifybuf"), self.path())
        self.assertEqual(out.returncode, 1, out.stdout)   # modified
        self.assertIn(b"not verifiable", out.stdout)

    def test_read_only_refuses(self):
        self.make().close()
        with mmbuf.open(self.path()) as r:
            with self.assertRaises(mmbuf.ReadOnlyError):
                r.resize(8192)


class RefreshTest(TempDirCase):

    def setUp(self):
        super().setUp()
        self.c = CLib()

    def test_follow_a_c_writer(self):
        mmbuf.create(self.path(), size=0).close()
        err, w = self.c.open(self.path(), Lib.RDWR)
        self.assertEqual(err, 0)
        r = mmbuf.open(self.path())
        self.assertTrue(r.writer_active)
        self.assertFalse(r.refresh())
        old = r.raw
        self.assertEqual(len(old), 0)
        rec = bytes(range(64))
        for _ in range(5000):
            self.assertEqual(self.c.so.mmbuf_append(w, rec, 64, 0), 0)
        self.assertTrue(r.refresh())
        self.assertEqual(r.length, 5000 * 64)
        self.assertEqual(r.capacity, self.c.so.mmbuf_capacity(w))
        raw = r.raw
        self.assertEqual(bytes(raw[-64:]), rec)
        self.assertEqual(len(old), 0)       # old views keep what they had
        self.assertFalse(r.refresh())
        self.assertEqual(self.c.close(w), 0)
        self.assertTrue(r.refresh())
        self.assertFalse(r.writer_active)
        self.assertFalse(r.state & F.STATE_WRITER_OPEN)
        del raw, old
        r.close()

    def test_writer_refresh_is_noop(self):
        with mmbuf.create(self.path(), size=4096) as b:
            self.assertFalse(b.refresh())


if __name__ == "__main__":
    main()
