"""NumPy tests: Buffer.to_numpy() is zero-copy and reads every dtype as
NumPy does, including those memoryview cannot express.  Run by
run-test.sh with an interpreter that has NumPy; never skipped silently."""

import os

import numpy as np

from testlib import DTYPES, TempDirCase, main, mmbuf, prog


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
        with mmbuf.create(self.path(), dtype="<u4", size=40) as b:
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
