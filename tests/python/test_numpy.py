"""NumPy tests: Buffer.to_numpy() is zero-copy and reads every dtype as
NumPy does, including those memoryview cannot express.  Run by
run-test.sh with an interpreter that has NumPy; never skipped silently."""

import importlib.util
import os
import unittest
from unittest import mock

import numpy as np
from mmbuf import _lock

from testlib import BUILDDIR, CODES, DTYPES, TempDirCase, main, mmbuf, prog


class TestToNumpy(TempDirCase):
    def test_zero_dimension(self):
        # (2**63, 0) is a valid shape that NumPy cannot hold: an
        # mmbuf.Error, not NumPy's ValueError.  (3, 0) works.
        with mmbuf.create(self.path(), shape=(2**63, 0)) as b:
            with self.assertRaisesRegex(mmbuf.ViewError, "NumPy"):
                b.to_numpy()
        with mmbuf.create(self.path("b"), dtype="<f8", shape=(3, 0)) as b:
            a = b.to_numpy()
            self.assertEqual(a.shape, (3, 0))
            self.assertEqual(a.dtype, np.dtype("<f8"))
            del a

    def test_every_dtype_zero_copy(self):
        for k, dt in enumerate(DTYPES):
            with self.subTest(dtype=dt):
                p = self.path("%d.mmbuf" % k)
                with mmbuf.create(p, dtype=dt, shape=(3, 4)) as b:
                    data = os.urandom(b.capacity)
                    b.raw[:] = data
                    a = b.to_numpy()
                    self.assertEqual(a.dtype, np.dtype(dt))
                    self.assertEqual(a.shape, (3, 4))
                    self.assertTrue(a.flags.writeable)
                    want = np.frombuffer(data, dtype=dt).reshape(3, 4)
                    np.testing.assert_array_equal(a, want)
                    # zero-copy: the array is the mapping
                    self.assertTrue(np.shares_memory(a, np.asarray(b.raw)))
                    a[1, 2] = a[0, 0]
                    # as NumPy stores it (a bool becomes 0 or 1)
                    stored = np.array(a[0, 0], dtype=dt).tobytes()
                    self.assertEqual(bytes(b.raw[6 * a.itemsize:
                                                 7 * a.itemsize]), stored)
                    del a
                with mmbuf.open(p) as r:
                    a = r.to_numpy()
                    self.assertFalse(a.flags.writeable)
                    self.assertEqual(a.tobytes()[6 * a.itemsize:
                                                 7 * a.itemsize], stored)
                    del a

    def test_flat_buffer_follows_length(self):
        with mmbuf.create(self.path(), dtype="<u4", capacity=40) as b:
            b.set_length(14)
            a = b.to_numpy()
            self.assertEqual(a.shape, (3,))
            del a

    def test_close_with_live_array(self):
        # Rules (a) to (d) of item 4 with a NumPy array: close() commits
        # and does not raise; the array stays valid, and the writer lock
        # with it, until it goes.
        p = self.path()
        b = mmbuf.create(p, dtype="f8", shape=(10,))
        a = b.to_numpy()
        a[:] = np.arange(10)
        b.close()
        self.assertTrue(b.closed)
        self.assertEqual(a.tolist(), list(range(10)))
        with mmbuf.open(p) as r:
            self.assertFalse(r.state & mmbuf.STATE_WRITER_OPEN)
            self.assertEqual(r.to_numpy().tolist(), list(range(10)))
        with self.assertRaises(mmbuf.BusyError):
            mmbuf.open(p, "r+")
        del a
        with mmbuf.open(p, "r+") as w:
            self.assertFalse(w.unclean)

    def test_with_block_and_array(self):
        # The first example: an array kept past the block, and an
        # exception in the body, which is the one that leaves.
        p = self.path()
        mmbuf.create(p, dtype="<i4", shape=(4,)).close()
        with self.assertRaises(ZeroDivisionError) as cm:
            with mmbuf.open(p, "r+") as b:
                a = b.to_numpy()
                a[1] = 5
                1 / 0
        self.assertIsNone(cm.exception.__context__)
        self.assertEqual(a.tolist(), [0, 5, 0, 0])
        del a
        with mmbuf.open(p, "r+") as b:
            self.assertEqual(b.to_numpy().tolist(), [0, 5, 0, 0])

    def test_numpy_writes_seen_by_c(self):
        p = self.path()
        with mmbuf.create(p, dtype=">i4", shape=(2, 3)) as b:
            b.to_numpy()[...] = [[1, -2, 3], [4, 5, -6]]
        res = self.run_prog(prog("tools/dumpbuf"), "-t", p)
        self.assertEqual(res.stdout.decode(), "[0] 1 -2 3\n[1] 4 5 -6\n")

    def test_c_made_buffer(self):
        p = self.path()
        res = self.run_prog(prog("tests/tools/mktestbuf"), "--dtype", ">c8",
                            "--shape", "2,2,2", "--random", "7:64", p)
        self.assertEqual(res.returncode, 0, res.stderr)
        raw = self.run_prog(prog("tools/dumpbuf"), "--raw", p).stdout
        with mmbuf.open(p) as b:
            a = b.to_numpy()
            np.testing.assert_array_equal(
                a, np.frombuffer(raw, ">c8").reshape(2, 2, 2))
            del a


def setUpModule():
    # seal=True needs an XXH3-64 back end: the library of the build tree.
    os.environ["MMBUF_LIBRARY"] = os.path.join(BUILDDIR, "lib", ".libs",
                                               "libmmbuf.so")


# Shapes of 1 to 8 dimensions, zero dimensions included.
SHAPES = [(5,), (0,), (3, 4), (2, 0, 3), (2, 3, 1, 2), (1, 2, 1, 2, 1),
          (2, 1, 2, 1, 2, 1), (1, 1, 2, 1, 1, 2, 1), (2, 1, 1, 2, 1, 1, 2, 1)]


class TestGrowingAndFollow(TempDirCase):
    """A growing buffer's array, and follow()'s arrays: typed, shaped,
    read-only views of the mapping."""

    def test_growing_to_numpy(self):
        with mmbuf.create(self.path(), dtype="<i4", shape=(None, 2, 2)) as w:
            self.assertEqual(w.to_numpy().shape, (0, 2, 2))
            w.append(np.arange(12, dtype="<i4"))
            self.assertEqual(w.to_numpy().shape, (3, 2, 2))
            self.assertEqual(np.asarray(w)[2, 1].tolist(), [10, 11])

    def test_follow_yields_typed_views(self):
        import rowcheck
        p = self.path()
        w = mmbuf.create(p, dtype="<u8", shape=(None, 3), capacity=4096)
        self.addCleanup(w.close)
        w.append(rowcheck.rows(0, 5))
        g = mmbuf.follow(p, timeout=5)
        first = next(g)
        self.assertIsInstance(first, np.ndarray)
        self.assertEqual((first.shape, first.dtype), ((5, 3), np.dtype("<u8")))
        self.assertFalse(first.flags.writeable)
        self.assertIsNotNone(first.base)    # a view of the mapping
        self.assertTrue(rowcheck.check_numpy(np, first, 0))
        for k in range(5, 2000, 61):    # grows the capacity on the way
            w.append(rowcheck.rows(k, 61))
            self.assertTrue(rowcheck.check_numpy(np, next(g), k), k)
        self.assertTrue(rowcheck.check_numpy(np, first, 0))
        g.close()


class TestSaveLoad(TempDirCase):
    def sample(self, dt, shape, seed):
        rng = np.random.default_rng(seed)
        raw = rng.integers(0, 256, int(np.prod(shape)) * np.dtype(dt).itemsize,
                           dtype=np.uint8)
        a = raw.view(dt).reshape(shape)
        if np.dtype(dt).kind == "b":
            a = a.astype(dt)       # 0 or 1, as NumPy keeps a bool
        return a

    def test_round_trip_every_dtype_and_shape(self):
        k = 0
        for dt in DTYPES:
            for shape in SHAPES:
                with self.subTest(dtype=dt, shape=shape):
                    a = self.sample(dt, shape, k)
                    p = self.path("%d.mmbuf" % k)
                    k += 1
                    self.assertIsNone(mmbuf.save(p, a))
                    b = mmbuf.load(p)
                    self.assertIs(type(b), np.ndarray)
                    self.assertEqual((b.dtype, b.shape), (np.dtype(dt), shape))
                    self.assertEqual(b.tobytes(), a.tobytes())
                    self.assertFalse(b.flags.writeable)
                    del b
                    with mmbuf.open(p) as r:
                        self.assertEqual((r.dtype, r.shape, r.label),
                                         (mmbuf.parse_dtype(dt)[0], shape,
                                          ""))
                        self.assertFalse(r.state & mmbuf.STATE_WRITER_OPEN)

    def test_from_non_contiguous_and_lists(self):
        a = np.arange(24, dtype=">i4").reshape(4, 6)
        p = self.path()
        mmbuf.save(p, a.T[::2], label="t")
        np.testing.assert_array_equal(mmbuf.load(p), a.T[::2])
        mmbuf.save(os.fspath(self.path("l")), [[1.5, 2], [3, 4]])
        self.assertEqual(mmbuf.load(self.path("l")).dtype, np.float64)
        with mmbuf.open(p) as r:
            self.assertEqual(r.label, "t")

    def test_what_cannot_be_saved(self):
        cases = [(np.array([1, "x"], dtype=object), mmbuf.DtypeError),
                 (np.array(["ab", "c"]), mmbuf.DtypeError),
                 (np.zeros(2, dtype="i4,f8"), mmbuf.DtypeError),
                 (np.zeros(2, dtype="M8[ns]"), mmbuf.DtypeError),
                 (np.array(3.0), mmbuf.ShapeError),
                 (np.zeros((1,) * 9), mmbuf.ShapeError)]
        if np.dtype(np.longdouble).itemsize == 16:
            cases.append((np.zeros(2, np.longdouble), mmbuf.DtypeError))
        for a, err in cases:
            with self.subTest(dtype=a.dtype, ndim=a.ndim):
                with self.assertRaises(err) as cm:
                    mmbuf.save(self.path(), a)
                self.assertIsInstance(cm.exception, mmbuf.Error)
                self.assertIn(self.path(), str(cm.exception))
                self.assertEqual(os.listdir(self.dir), [])

    def test_exist_ok_and_failure_leave_the_old_file(self):
        p = self.path()
        mmbuf.save(p, np.arange(3))
        with self.assertRaises(FileExistsError):
            mmbuf.save(p, np.arange(4))
        self.assertEqual(mmbuf.load(p).tolist(), [0, 1, 2])
        # A failure half-way (at seal time, after the data is written)
        # leaves the old file and nothing else.
        with mock.patch.object(mmbuf.Buffer, "seal",
                               side_effect=OSError(5, "injected")):
            with self.assertRaisesRegex(OSError, "injected"):
                mmbuf.save(p, np.arange(5), seal=True, exist_ok=True)
        self.assertEqual(mmbuf.load(p).tolist(), [0, 1, 2])
        self.assertEqual(os.listdir(self.dir), ["b.mmbuf"])
        mmbuf.save(p, np.arange(5), exist_ok=True)
        self.assertEqual(mmbuf.load(p).tolist(), [0, 1, 2, 3, 4])
        self.assertEqual(os.listdir(self.dir), ["b.mmbuf"])

    def test_seal(self):
        p = self.path()
        mmbuf.save(p, np.linspace(0, 1, 10000), seal=True, label="x")
        self.assertEqual(mmbuf.verify(p).verdict, mmbuf.VERDICT_OK)
        res = self.run_prog(prog("tools/verifybuf"), p)
        self.assertEqual(res.returncode, 0, res.stderr)
        with mmbuf.open(p) as r:
            self.assertTrue(r.state & mmbuf.STATE_SEALED)
            self.assertFalse(r.unclean)

    def test_load_is_zero_copy_and_holds_the_reader_lock(self):
        p = self.path()
        mmbuf.save(p, np.zeros((1000, 8)))
        a = mmbuf.load(p)
        with mmbuf.open(p, "r+") as w:
            w.to_numpy()[3, 2] = 7.5
            self.assertEqual(a[3, 2], 7.5)     # the same memory
        # A shrink, which would pull the pages from under a, takes the
        # readers' byte exclusively first: refused while a lives.
        fd = os.open(p, os.O_RDWR)
        try:
            with self.assertRaises(mmbuf.BusyError):
                _lock.lock_readers_out(fd)
            del a
            _lock.lock_readers_out(fd)
        finally:
            os.close(fd)

    def test_load_rw_lock_lasts_with_the_array(self):
        p = self.path()
        mmbuf.save(p, np.zeros(6, "<u2"))
        a = mmbuf.load(p, mode="r+")
        self.assertTrue(a.flags.writeable)
        part = a[2:4]
        del a
        part[:] = [7, 8]
        with self.assertRaises(mmbuf.BusyError):
            mmbuf.open(p, "r+")
        with mmbuf.open(p) as r:
            self.assertTrue(r.writer_active)
        del part            # the last view: closed, committed, unlocked
        with mmbuf.open(p, "r+") as w:
            self.assertFalse(w.unclean)
            self.assertEqual(w.to_numpy().tolist(), [0, 0, 7, 8, 0, 0])
        with self.assertRaises(ValueError):
            mmbuf.load(p, "w")


class TestProtocols(TempDirCase):
    def test_numpy_not_imported_at_package_import(self):
        res = self.run_py("import sys, mmbuf; print('numpy' in sys.modules)")
        self.assertEqual((res.returncode, res.stdout), (0, b"False\n"),
                         res.stderr)

    def test_asarray_zero_copy(self):
        p = self.path()
        with mmbuf.create(p, dtype=">i4", shape=(3, 4)) as b:
            a = np.asarray(b)
            self.assertIs(type(a), np.ndarray)
            self.assertEqual((a.dtype, a.shape), (np.dtype(">i4"), (3, 4)))
            self.assertTrue(a.flags.writeable)
            a[2, 3] = -5
            self.assertEqual(bytes(b.raw[-4:]), (-5).to_bytes(4, "big",
                                                               signed=True))
            self.assertIs(np.asarray(b), a)        # kept by the buffer
            self.assertTrue(np.shares_memory(np.array(b, copy=False), a))
            c = np.array(b)                        # copy=True: a copy
            self.assertFalse(np.shares_memory(c, a))
            f = np.asarray(b, dtype="f8")
            self.assertEqual(f[2, 3], -5.0)
            del a
        with mmbuf.create(self.path("g"), dtype="<u1", capacity=4096) as w, \
                mmbuf.open(self.path("g")) as r:
            first = np.asarray(r)
            self.assertFalse(first.flags.writeable)
            w.append(b"\1" * 8192)      # grows: the reader remaps
            r.refresh()
            again = np.asarray(r)
            self.assertIsNot(again, first)
            self.assertEqual(again.shape, (4096 + 8192,))
            self.assertEqual(first.shape, (4096,))      # still valid
            self.assertEqual(int(again[-1]), 1)
        with self.assertRaises(ValueError):
            np.asarray(r)          # closed

    def test_indexing_has_numpy_meaning(self):
        p = self.path()
        with mmbuf.create(p, dtype="<f4", shape=(3, 4, 2)) as b:
            ref = np.arange(24, dtype="<f4").reshape(3, 4, 2)
            b[...] = ref
            for key in (1, -1, slice(1, None), (1, 2), (1, 2, 0), (..., 0),
                        (slice(None, None, 2), 1), ([0, 2],), (ref > 5),
                        (None, 1)):
                with self.subTest(key=key):
                    np.testing.assert_array_equal(b[key], ref[key])
            self.assertTrue(np.shares_memory(b[1:, ::2], np.asarray(b)))
            self.assertIsInstance(b[1, 2, 0], np.float32)
            b[1] = 7
            b[:, 0, 1] = [1, 2, 3]
            ref[1] = 7
            ref[:, 0, 1] = [1, 2, 3]
            np.testing.assert_array_equal(np.asarray(b), ref)
            with self.assertRaises(IndexError):
                b[3]
        with mmbuf.open(p) as r:
            np.testing.assert_array_equal(r[2], ref[2])
            with self.assertRaises(mmbuf.ReadOnlyError):
                r[0] = 1

    def test_every_numpy_spelling(self):
        # Every string np.dtype() accepts for a supported type, with every
        # byte-order prefix it takes, means what it means to NumPy; the
        # others are refused.
        supported = {c for c in CODES}
        tried = 0
        for key in list(np.sctypeDict) + list(set(np.sctypeDict.values())):
            for pre in ("", "<", ">", "=", "|", "!"):
                if pre and not isinstance(key, str):
                    continue
                spelling = pre + key if pre else key
                try:
                    want = np.dtype(spelling)
                except TypeError:
                    continue
                tried += 1
                with self.subTest(spelling=spelling):
                    if want.kind in "biufc" and want.str[1:] in supported:
                        canon = ("<" if want.itemsize == 1 else want.str[0]) \
                            + want.str[1:]
                        self.assertEqual(mmbuf.parse_dtype(spelling),
                                         (canon, want.itemsize))
                    elif isinstance(key, str) and not pre:
                        with self.assertRaises(mmbuf.DtypeError):
                            mmbuf.parse_dtype(spelling)
        self.assertGreater(tried, 100)
        for dt in (np.float64, np.dtype("float64"), "float64", "d", float):
            with mmbuf.create(self.path(), dtype=dt, shape=(2,),
                              exist_ok=True) as b:
                self.assertEqual(np.asarray(b).dtype, np.float64)

    def test_dlpack_writable_only(self):
        p = self.path()
        with mmbuf.create(p, dtype="<i8", shape=(2, 3)) as b:
            t = np.from_dlpack(b)      # NumPy makes it read-only itself
            self.assertEqual(t.shape, (2, 3))
            self.assertTrue(np.shares_memory(t, np.asarray(b)))
            b[1, 2] = 42
            self.assertEqual(t[1, 2], 42)
            self.assertEqual(b.__dlpack_device__(), (1, 0))
            del t
        with mmbuf.open(p) as r:
            with self.assertRaisesRegex(mmbuf.ReadOnlyError,
                                        "read-only.*DLPack"):
                np.from_dlpack(r)

    @unittest.skipUnless(importlib.util.find_spec("torch"),
                         "python3-torch is not installed")
    def test_torch_dlpack(self):
        import torch
        p = self.path()
        with mmbuf.create(p, dtype="<f4", shape=(4,)) as b:
            t = torch.from_dlpack(b)
            t[2] = 1.5
            self.assertEqual(b[2], 1.5)
            del t
        with mmbuf.open(p) as r:
            with self.assertRaises(mmbuf.ReadOnlyError):
                torch.from_dlpack(r)


class TestReadme(TempDirCase):
    def test_readme_example_runs(self):
        import contextlib
        import io
        import re
        # The first Python block of README's "## Python" section.
        src = os.path.join(os.environ.get("MMBUF_SRCDIR", "."), "README")
        with open(src, encoding="utf-8") as f:
            section = f.read().split("\n## Python\n", 1)[1]
        section = section.split("\n## ", 1)[0]
        code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
        cwd = os.getcwd()
        os.chdir(self.dir)
        try:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(code, {})
        finally:
            os.chdir(cwd)
        self.assertTrue(out.getvalue().startswith(
            "<f8 (1000, 8) temperature\n"), out.getvalue())


if __name__ == "__main__":
    main()
