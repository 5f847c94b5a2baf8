"""Bad files raise a Python exception and never crash the interpreter.

Each case is opened in a child process, in both modes, so that a crash
(SIGBUS, SIGSEGV) shows up as a signal instead of killing the test run;
the C library (dumpbuf) must refuse the same files."""

import os

from testlib import F, TempDirCase, main, mmbuf, prog, rewrite_slot

PROBE = """
import sys, mmbuf
for mode in ("r", "r+"):
    try:
        with mmbuf.open(sys.argv[1], mode) as b:
            bytes(b.raw)          # touch every byte of the contents
            print(mode, "OK")
    except mmbuf.Error as e:
        print(mode, type(e).__name__, e.name)
    except OSError as e:
        print(mode, type(e).__name__, "OSError")
"""

CAPACITY = 10000


class TestBadFiles(TempDirCase):
    def good(self, name):
        p = self.path(name)
        with mmbuf.create(p, capacity=CAPACITY, dtype="<f8",
                          shape=(1000,)) as b:
            b.raw[:] = b"\x01" * CAPACITY
        return p

    def probe(self, p, expect_r, expect_rw=None, c_refuses=True):
        res = self.run_py(PROBE, p)
        self.assertEqual(res.returncode, 0,
                         "child died: %d %s" % (res.returncode, res.stderr))
        lines = res.stdout.decode().splitlines()
        self.assertEqual(lines[0].split()[1], expect_r, lines)
        self.assertEqual(lines[1].split()[1], expect_rw or expect_r, lines)
        if c_refuses:
            c = self.run_prog(prog("tools/dumpbuf"), "-l", "16", p)
            self.assertNotEqual(c.returncode, 0, "C accepts %s" % p)
            self.assertGreater(c.returncode, 0)

    def test_empty(self):
        p = self.path()
        open(p, "wb").close()
        self.probe(p, "MagicError")

    def test_magic_prefix(self):
        p = self.path()
        with open(p, "wb") as f:
            f.write(b"\x8dMMB")
        self.probe(p, "MagicError")

    def test_bad_magic(self):
        p = self.path()
        with open(p, "wb") as f:
            f.write(b"hello, world\n" * 1000)
        self.probe(p, "MagicError")

    def test_checksum_in_both_slots(self):
        p = self.good("c")
        with open(p, "r+b") as f:
            for off in (300, 4096 + 300):
                f.seek(off)
                f.write(b"\xff")
        self.probe(p, "ChecksumError")

    def test_torn_in_both_slots(self):
        p = self.good("t")
        for i in (0, 1):
            rewrite_slot(p, i, generation_tail=99)
        self.probe(p, "TornError")

    def test_truncated_at_many_offsets(self):
        p = self.good("src")
        with open(p, "rb") as f:
            whole = f.read()
        offsets = [0, 1, 5, 7, 8, 9, 100, 511, 512, 513, 4095, 4096, 4097,
                   4600, 4607, 4608, 8191, 8192, 8193, 12288,
                   len(whole) - 1]
        for n in offsets:
            with self.subTest(size=n):
                q = self.path("t%d" % n)
                with open(q, "wb") as f:
                    f.write(whole[:n])
                # shorter than the magic: not a buffer file
                self.probe(q, "MagicError" if n < 8 else "TruncatedError")
        # one byte more than needed is fine
        with open(q, "wb") as f:
            f.write(whole + b"\0")
        self.probe(q, "OK", c_refuses=False)

    def test_truncated_after_huge_capacity(self):
        p = self.good("h")
        cap = 2 ** 62
        for i in (0, 1):
            rewrite_slot(p, i, capacity=cap, length=0,
                         file_size=8192 + cap)
        self.probe(p, "TruncatedError")

    def test_future_version(self):
        p = self.good("v")
        rewrite_slot(p, 1, version_major=2)     # the current slot
        self.probe(p, "VersionError")

    def test_unknown_incompat(self):
        p = self.good("i")
        rewrite_slot(p, 1, incompat=1 << 40)
        self.probe(p, "FeatureError")

    def test_unknown_ro_compat(self):
        p = self.good("r")
        rewrite_slot(p, 1, ro_compat=F.RO_COMPAT_LOCKING | (1 << 33))
        self.probe(p, "OK", "ROFeatureError", c_refuses=False)

    def test_inconsistent_fields(self):
        cases = {
            "length": dict(length=CAPACITY + 1),
            "data_offset": dict(data_offset=8192 + 100),
            "file_size": dict(file_size=1),
            "dtype": dict(dtype=b"<q8"),
            "ndim": dict(ndim=9),
            "state": dict(state=8),
            "label": dict(label=b"\xff" * 256),
        }
        for name, fields in cases.items():
            with self.subTest(field=name):
                p = self.good(name)
                for i in (0, 1):
                    rewrite_slot(p, i, **fields)
                self.probe(p, "InconsistentError")

    def test_not_regular_files(self):
        fifo = self.path("fifo")
        os.mkfifo(fifo)
        for p in (self.dir, fifo, "/dev/null"):
            with self.subTest(path=p):
                self.probe(p, "NotRegularError")

    def test_missing(self):
        self.probe(self.path("none"), "FileNotFoundError")

    def test_good_file_opens(self):
        # the probe itself can tell a good file from a bad one
        self.probe(self.good("g"), "OK", c_refuses=False)


if __name__ == "__main__":
    main()
