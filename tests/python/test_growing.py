"""Growing buffers (mmbuf(5), "Shape", feature GROWING): create(...,
shape=(None, ...)), a first dimension that is the committed rows at every
commit, what a reader that knows the feature checks, and what a reader
of format 1.0, which knows nothing of it, sees."""

import array
import ctypes
import io
import os

from testlib import F, Lib, TempDirCase, main, mmbuf, slot_bytes


def rows_of(n, start=0):
    return array.array("d", [float(x) for x in range(3 * start,
                                                    3 * (start + n))])


def v10_shape(path):
    """The shape as a reader of format 1.0 takes it from the current
    slot: the ndim and shape fields as stored, nothing else known (an
    unknown read-only-compatible bit is ignored for reading)."""
    best = None
    for i in (0, 1):
        s = bytes(slot_bytes(path, i))
        fields = F.SLOT.unpack(s)
        gen, ndim = fields[1], fields[18]
        if best is None or gen > best[0]:
            best = (gen, tuple(fields[20:20 + ndim]), fields[13])
    return best[1], best[2]     # shape, length


def current(path):
    """The current header of the file path, as validate_header() of the
    format module chooses it."""
    with open(path, "rb") as f:
        return F.validate_header(f.read(F.HEADER_SIZE),
                                 os.fstat(f.fileno()).st_size)


class CreateTest(TempDirCase):

    def test_none_first_dimension(self):
        with mmbuf.create(self.path(), dtype="<f8", shape=(None, 3)) as b:
            self.assertTrue(b.growing)
            self.assertEqual(b.shape, (0, 3))
            self.assertEqual((b.length, b.capacity), (0, 0))
            self.assertTrue(b.header.ro_compat & mmbuf.RO_COMPAT_GROWING)
            self.assertEqual((b.header.version_major,
                              b.header.version_minor), (1, 1))
            self.assertEqual(len(b), 0)
        with mmbuf.create(self.path("c"), dtype="u1", shape=[None],
                          capacity=100) as b:
            self.assertEqual((b.shape, b.length, b.capacity), ((0,), 0, 100))
        with mmbuf.create(self.path("f"), dtype="u1", shape=(4, 3)) as b:
            self.assertFalse(b.growing)
            self.assertFalse(b.header.ro_compat & mmbuf.RO_COMPAT_GROWING)

    def test_rows_of_no_bytes_refused(self):
        for shape in ((None, 0), (None, 3, 0)):
            with self.subTest(shape):
                with self.assertRaises(ValueError) as cm:
                    mmbuf.create(self.path(), dtype="f8", shape=shape)
                self.assertIsInstance(cm.exception, mmbuf.ShapeError)
                self.assertFalse(os.path.exists(self.path()))
        with self.assertRaises(mmbuf.ShapeError):     # rows too large
            mmbuf.create(self.path(), dtype="f8", shape=(None, 2 ** 62))
        with self.assertRaises(ValueError):     # None elsewhere
            mmbuf.create(self.path(), dtype="f8", shape=(3, None))


class CommitTest(TempDirCase):
    """shape[0] == length // row bytes in every slot that any commit of
    this package writes, seen by a 1.0 reader as by this one."""

    def assert_rows(self, b, rows):
        p = b.path
        self.assertEqual(b.shape, (rows, 3))
        self.assertEqual(v10_shape(p), ((rows, 3), b.length))
        self.assertEqual(current(p).shape, (rows, 3))

    def test_every_commit(self):
        p = self.path()
        b = mmbuf.create(p, dtype="<f8", shape=(None, 3))
        self.assert_rows(b, 0)
        for k in range(1, 40):          # grows the capacity on the way
            b.append(rows_of(k, 0), durable=False)
            self.assert_rows(b, sum(range(1, k + 1)))
        n = b.shape[0]
        b.append(b"\0" * 8)             # not a whole row: floor
        self.assert_rows(b, n)
        b.append(b"\0" * 16)
        self.assert_rows(b, n + 1)
        b.set_length(24 * 5 + 7)
        self.assert_rows(b, 5)
        b.set_label("x")
        self.assert_rows(b, 5)
        b.resize(b.capacity * 2)
        self.assert_rows(b, 5)
        b.resize(4096)
        self.assert_rows(b, 5)
        b.seal(block_size=4096)
        self.assert_rows(b, 5)
        b.close()
        self.assertEqual(v10_shape(p), ((5, 3), 24 * 5 + 7))
        with mmbuf.open(p, "r+") as w:      # open and close commit too
            self.assert_rows(w, 5)
            w.set_length(0)
            self.assert_rows(w, 0)
        # Both slots keep it (a sealed close commits twice).
        for i in (0, 1):
            F.decode_slot(slot_bytes(p, i))

    def test_reader_follows_the_rows(self):
        p = self.path()
        w = mmbuf.create(p, dtype="<f8", shape=(None, 3))
        w.append(rows_of(2))
        with mmbuf.open(p) as r:
            self.assertTrue(r.growing)
            self.assertEqual(r.shape, (2, 3))
            w.append(rows_of(3, 2))
            self.assertEqual(r.shape, (2, 3))
            self.assertTrue(r.refresh())
            self.assertEqual(r.shape, (5, 3))
            self.assertEqual(len(r), 5)
            self.assertEqual(r.view.shape, (5, 3))
            self.assertEqual(r.rows(3, None).tolist(),
                             [[9.0, 10.0, 11.0], [12.0, 13.0, 14.0]])
            self.assertEqual([row.tolist() for row in r][4],
                             [12.0, 13.0, 14.0])
            self.assertEqual(r[1].tolist(), [3.0, 4.0, 5.0])
        w.close()


class CrossLanguageTest(TempDirCase):
    """libmmbuf and this package on one growing file: each writer keeps
    the other's rows, and each reader sees the other's shape."""

    def c_shape(self, lib, path):
        err, h = lib.open(path, lib.RDONLY)
        self.assertEqual(err, 0)
        try:
            dims = ctypes.POINTER(ctypes.c_uint64)()
            n = lib.so.mmbuf_shape(h, ctypes.byref(dims))
            return tuple(dims[i] for i in range(n)), lib.so.mmbuf_growing(h)
        finally:
            lib.close(h)

    def test_c_and_python_writers(self):
        lib = Lib()
        lib.so.mmbuf_shape.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        lib.so.mmbuf_shape.restype = ctypes.c_uint32
        lib.so.mmbuf_growing.argtypes = [ctypes.c_void_p]
        lib.so.mmbuf_append.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                        ctypes.c_size_t, ctypes.c_int]
        p = self.path()
        with mmbuf.create(p, dtype="<f8", shape=(None, 3)) as w:
            w.append(rows_of(4))
        self.assertEqual(self.c_shape(lib, p), ((4, 3), 1))
        err, h = lib.open(p, lib.RDWR)     # a C writer appends a row
        self.assertEqual(err, 0)
        self.assertEqual(lib.so.mmbuf_append(h, rows_of(1, 4).tobytes(),
                                             24, 0), 0)
        self.assertEqual(lib.close(h), 0)
        with mmbuf.open(p, "r+") as w:
            self.assertEqual(w.shape, (5, 3))
            self.assertEqual(w[4].tolist(), [12.0, 13.0, 14.0])
            w.append(rows_of(2, 5))
        self.assertEqual(self.c_shape(lib, p), ((7, 3), 1))


class ValidationTest(TempDirCase):
    """A slot with GROWING must have ndim >= 1, rows of at least one byte
    and shape[0] == length // row bytes, or it fails field validation."""

    def good(self):
        p = self.path()
        with mmbuf.create(p, dtype="<f4", shape=(None, 2),
                          capacity=64) as b:
            b.append(b"\0" * 20)
        return p, current(p)

    def test_bad_slots(self):
        p, h = self.good()
        self.assertEqual(h.shape, (2, 2))
        for bad in (h.replace(shape=(3, 2)), h.replace(shape=(1, 2)),
                    h.replace(shape=(), ndim=0),
                    h.replace(shape=(0, 0), length=0)):
            with self.subTest(bad.shape):
                with self.assertRaises(mmbuf.InconsistentError):
                    F.decode_slot(F.encode_slot(bad))
        # Without GROWING the same fields are a fixed shape.
        F.decode_slot(F.encode_slot(h.replace(
            shape=(3, 2), ro_compat=h.ro_compat & ~F.RO_COMPAT_GROWING)))

    def test_open_falls_back_to_the_other_slot(self):
        p, h = self.good()
        bad = h.replace(generation=h.generation + 1, shape=(9, 2))
        with open(p, "r+b") as f:
            f.seek(F.PAGE * (bad.generation % 2))
            f.write(F.encode_slot(bad))
        with mmbuf.open(p) as r:
            self.assertEqual(r.generation, h.generation)
            self.assertEqual(r.header.slot_status[bad.generation % 2],
                             "MMBUF_EINCONSISTENT")

    def test_info_says_growing(self):
        p, h = self.good()
        from mmbuf import __main__ as cli
        out = io.StringIO()
        cli.info(p, out)
        self.assertIn("shape:        (2, 2), the first dimension growing\n",
                      out.getvalue())

if __name__ == "__main__":
    main()
