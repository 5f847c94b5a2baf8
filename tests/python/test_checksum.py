"""Checksums: Buffer.seal(), mmbuf.verify() and "python3 -m mmbuf verify"
against the C side (verifybuf, mkbuf --seal, mmbuf_verify_path()), with
both XXH3-64 back ends: libmmbuf of the build tree through ctypes
(MMBUF_LIBRARY) and the xxhash module.  Run by run-test.sh with an
interpreter that has the xxhash module; never skipped silently."""

import ctypes
import errno
import functools
import os
import shutil
import signal
import struct
import sys
import unittest.mock
import zlib

import xxhash  # noqa: F401 - run-test.sh picks an interpreter with it

from mmbuf import _checksum as C
from testlib import (BUILDDIR, F, TempDirCase, main, mmbuf, prog,
                     rewrite_slot, slot_bytes)

LIBPATH = os.path.join(BUILDDIR, "lib", ".libs", "libmmbuf.so")
BACKENDS = ("libmmbuf", "xxhash")


def setUpModule():
    if not os.path.exists(LIBPATH):
        raise AssertionError("%s not found: the libmmbuf back end needs the "
                             "shared library of the build tree" % LIBPATH)
    os.environ["MMBUF_LIBRARY"] = LIBPATH


class CLib:
    """mmbuf_verify_path() of the build tree: the library's verdict."""

    def __init__(self):
        self.so = ctypes.CDLL(LIBPATH)
        # path, flags, threads, progress, arg, out
        self.so.mmbuf_verify_path.argtypes = [
            ctypes.c_char_p, ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p,
            ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
        self.so.mmbuf_report_free.argtypes = [ctypes.c_void_p]

    def verdict(self, path):
        r = ctypes.c_void_p()
        err = self.so.mmbuf_verify_path(os.fsencode(path), 0, 1, None, None,
                                        ctypes.byref(r))
        assert err == 0, err
        # int verdict is the first field of mmbuf_report.
        v = ctypes.cast(r, ctypes.POINTER(ctypes.c_int))[0]
        self.so.mmbuf_report_free(r)
        return v


@functools.lru_cache(maxsize=4)
def pattern(capacity, seed):
    """capacity random-looking (deterministic) bytes; made once for the
    whole module, since most tests want the same few."""
    return b"".join(xxhash.xxh3_128_digest(seed + k.to_bytes(8, "little"))
                    for k in range((capacity + 15) // 16))[:capacity]


def fill(path, capacity, length=None, seed=b"", **kw):
    """A buffer of random-looking (deterministic) data."""
    with mmbuf.create(path, capacity=capacity, sparse=True, **kw) as b:
        b.raw[:] = pattern(capacity, seed)
        if length is not None:
            b.set_length(length)


class Case(TempDirCase):
    def verifybuf(self, *args):
        return self.run_prog(prog("tools/verifybuf"), *args)

    def py_verify(self, *args, backend=None):
        extra = ["--backend", backend] if backend else []
        return self.run_prog(sys.executable, "-m", "mmbuf", "verify",
                             *(extra + list(args)))

    def assert_same_verdict(self, path):
        """python3 -m mmbuf verify prints verifybuf's line and exits with
        its status, with each back end; returns verifybuf's result."""
        c = self.verifybuf(path)
        for be in BACKENDS:
            with self.subTest(backend=be):
                p = self.py_verify(path, backend=be)
                self.assertEqual(p.stdout.decode(), c.stdout.decode())
                self.assertEqual(p.returncode, c.returncode, p.stderr)
                self.assertEqual(mmbuf.verify(path, be).verdict,
                                 c.returncode)
        return c


class TestBackends(Case):
    def test_known_values(self):
        for be in BACKENDS:
            h = mmbuf.checksum_backend(be)
            self.assertEqual(h.name, be)
            self.assertEqual(h.checksum(b""), 0x2D06800538D394C2)
            self.assertEqual(h.checksum(b"123456789"), 0x72DCB18B67A17DFF)

    def test_repr_names_the_back_end(self):
        # What a user sees when printing mmbuf.checksum_backend().
        for be in BACKENDS:
            self.assertRegex(repr(mmbuf.checksum_backend(be)),
                             r"^<mmbuf checksum back end %s( \(.+\))?>$"
                             % be)

    def test_backends_agree_on_files(self):
        p = self.path()
        size = 3 * (1 << 20) + 12345
        fill(p, size)
        with open(p, "rb") as f:
            contents = f.read()
        fd = os.open(p, os.O_RDONLY)
        libm = mmbuf.checksum_backend("libmmbuf")
        xx = mmbuf.checksum_backend("xxhash")
        pread_max = C.PREAD_MAX
        try:
            # libmmbuf maps ranges above PREAD_MAX: make both ways run.
            for C.PREAD_MAX in (pread_max, 4096):
                for off, n in ((8192, 0), (8192, 1), (8192, 240),
                               (8193, 4097), (8192, 65536),
                               (8192, 65537), (8192, 1 << 20),
                               (8192, (1 << 20) + 1), (12288, size - 4096),
                               (8192 + 7, size - 7)):
                    with self.subTest(off=off, n=n, pread_max=C.PREAD_MAX):
                        want = xxhash.xxh3_64_intdigest(
                            contents[off:off + n])
                        self.assertEqual(libm.hash_file(fd, off, n), want)
                        self.assertEqual(xx.hash_file(fd, off, n), want)
        finally:
            C.PREAD_MAX = pread_max
            os.close(fd)

    def test_shrunk_file(self):
        # A file that is shorter than the range: TruncatedError, whichever
        # way the range is read.
        p = self.path()
        fill(p, 1 << 20)
        os.truncate(p, 8192 + 5000)
        fd = os.open(p, os.O_RDONLY)
        pread_max = C.PREAD_MAX
        try:
            for C.PREAD_MAX in (pread_max, 4096):
                for be in BACKENDS:
                    with self.subTest(backend=be, pread_max=C.PREAD_MAX):
                        with self.assertRaises(mmbuf.TruncatedError):
                            mmbuf.checksum_backend(be).hash_file(
                                fd, 8192, 1 << 20)
        finally:
            C.PREAD_MAX = pread_max
            os.close(fd)

    def test_same_reports(self):
        p = self.path()
        fill(p, 5 << 20, length=(3 << 20) + 5)
        with mmbuf.open(p, "r+") as b:
            b.seal(block_size=1 << 16)
        with open(p, "r+b") as f:        # damage blocks 3 and 40-41
            for off in (3 << 16, (40 << 16) + 1, (41 << 16) + 9):
                f.seek(8192 + off)
                f.write(b"\xa5")
        reports = [mmbuf.verify(p, be) for be in BACKENDS]
        self.assertEqual(reports[0].backend, "libmmbuf")
        self.assertEqual(reports[1].backend, "xxhash")
        reports[0].backend = reports[1].backend = None
        self.assertEqual(reports[0], reports[1])
        self.assertEqual(reports[0].verdict, mmbuf.VERDICT_CORRUPT)
        self.assertEqual([(b.first_block, b.last_block) for b in
                          reports[0].bad], [(3, 3), (40, 41)])

    def test_threads(self):
        # The back ends are shared: verifying from several threads at once
        # must not mix up their reads.
        import threading
        paths = []
        for k in range(2):
            p = self.path("%d" % k)
            fill(p, 4 << 20, seed=b"%d" % k)
            with mmbuf.open(p, "r+") as b:
                b.seal(block_size=1 << 16)
            paths.append(p)
        for be in BACKENDS:
            verdicts = []

            def work(p, be=be, verdicts=verdicts):
                for _ in range(4):
                    verdicts.append(mmbuf.verify(p, be).verdict)
            threads = [threading.Thread(target=work, args=(p,))
                       for p in paths * 2]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(verdicts, [0] * 16, be)

    def test_same_seal(self):
        # Both back ends seal one file into the same bytes.
        p, q = self.path("p"), self.path("q")
        fill(p, (2 << 20) + 100, length=(1 << 20) + 3)
        shutil.copyfile(p, q)
        sums = []
        for path, be in ((p, "libmmbuf"), (q, "xxhash")):
            with mmbuf.open(path, "r+") as b:
                sums.append(b.seal(backend=be))
        self.assertEqual(sums[0], sums[1])
        with open(p, "rb") as f1, open(q, "rb") as f2:
            a, b = f1.read(), f2.read()
        self.assertEqual(a[8192:], b[8192:])


class TestPythonSeal(Case):
    def test_sealed_by_python_passes_c(self):
        lib = CLib()
        cases = [  # capacity, length, block size
            (1 << 20, None, 1 << 20), (0, None, 1 << 20),
            (5000, 0, 4096), (3 * 4096 + 1, 4097, 4096),
            ((4 << 20) + 3, (2 << 20) + 1, 1 << 20),
            (10 << 20, None, 1 << 30), (100000, 99999, 1 << 12)]
        for k, (cap, length, bs) in enumerate(cases):
            for be in BACKENDS:
                with self.subTest(capacity=cap, length=length,
                                  block_size=bs, backend=be):
                    p = self.path("%d-%s" % (k, be))
                    fill(p, cap, length, dtype="u1")
                    with mmbuf.open(p, "r+") as b:
                        b.seal(block_size=bs, backend=be)
                    c = self.verifybuf("-v", p)
                    self.assertEqual(c.returncode, 0, c.stdout)
                    self.assertIn("block size: %d bytes" % bs,
                                  c.stdout.decode())
                    self.assertEqual(lib.verdict(p), 0)
                    self.assertTrue(mmbuf.verify(p, be).ok)
                    # Both slots hold the clean, sealed state.
                    for i in (0, 1):
                        st, = struct.unpack_from("<I", slot_bytes(p, i),
                                                 112)
                        self.assertEqual(st, F.STATE_SEALED)

    def test_same_bytes_as_c_seal(self):
        # Python's seal of a copy writes what verifybuf --seal writes:
        # the same header fields (but the times and pid) and table.
        p, q = self.path("py"), self.path("c")
        fill(p, (3 << 20) + 77, length=(2 << 20) + 5, dtype="<u4",
             label="x")
        shutil.copyfile(p, q)
        with mmbuf.open(p, "r+") as b:
            b.seal(block_size=1 << 16)
        c = self.verifybuf("--seal", "--block-size", "64K", q)
        self.assertEqual(c.returncode, 0, c.stdout + c.stderr)
        # The version and NOTIFY (compat 0x2) are the writer's own: the C
        # library writes format 1.1 and wakes waiters, a writer that does
        # not wake clears NOTIFY (mmbuf(5), "Feature flags").
        def same(h):
            return h.replace(mtime_ns=0, writer_pid=0, version_minor=0,
                             compat=h.compat & ~0x2)
        for i in (0, 1):
            hp = F.decode_slot(slot_bytes(p, i), i)
            hq = F.decode_slot(slot_bytes(q, i), i)
            self.assertEqual(same(hp), same(hq))
        self.assertEqual(os.path.getsize(p), os.path.getsize(q))
        with open(p, "rb") as f1, open(q, "rb") as f2:
            self.assertEqual(f1.read()[8192:], f2.read()[8192:])

    def test_table_in_slices(self):
        # seal() and verify() go through the table TABLE_SLICE entries at
        # a time: make slices of 3 cut it in several, with a partial one.
        from mmbuf import _verify
        p = self.path()
        fill(p, 11 * 4096 - 5, length=7 * 4096 + 1)
        saved = _verify.TABLE_SLICE
        try:
            _verify.TABLE_SLICE = 3
            with mmbuf.open(p, "r+") as b:
                b.seal(block_size=4096)
            self.assertEqual(self.verifybuf(p).returncode, 0)
            with open(p, "r+b") as f:
                for off in (2 * 4096 + 1, 3 * 4096, 7 * 4096):
                    f.seek(8192 + off)
                    f.write(b"\xee")
            c = self.verifybuf(p)
            for be in BACKENDS:
                r = mmbuf.verify(p, be)
                self.assertEqual(r.verdict, c.returncode)
                self.assertEqual([(x.first_block, x.last_block)
                                  for x in r.bad], [(2, 3), (7, 7)])
            self.assertRegex(c.stdout.decode(),
                             r"CORRUPT \(blocks 2-3 at \[0x2000, 0x4000\); "
                             r"block 7 at \[0x7000, 0x8000\)\)")
        finally:
            _verify.TABLE_SLICE = saved

    def test_info_shows_seal(self):
        p = self.path()
        fill(p, 5 << 16)
        with mmbuf.open(p, "r+") as b:
            whole = b.seal(block_size=1 << 16)
        res = self.run_prog(sys.executable, "-m", "mmbuf", "info", p)
        out = res.stdout.decode()
        self.assertIn("\nchecksum:     0x%016x (stored at generation 5)\n"
                      % whole, out)
        self.assertIn("\nblock table:  5 entries for blocks of 65536 "
                      "bytes, at offset %d\n" % (8192 + (5 << 16)), out)
        with open(p, "rb") as f:
            f.seek(8192)
            self.assertEqual(whole, xxhash.xxh3_64_intdigest(f.read(
                5 << 16)))
        with mmbuf.open(p, "r+"):
            pass
        res = self.run_prog(sys.executable, "-m", "mmbuf", "info", p)
        self.assertIn("(stored at generation 5; not current)",
                      res.stdout.decode())

    def test_reseal_smaller_table_truncates(self):
        p = self.path()
        fill(p, 1 << 20)
        with mmbuf.open(p, "r+") as b:
            b.seal(block_size=4096)
        with mmbuf.open(p, "r+") as b:
            b.seal(block_size=1 << 20)
        self.assertEqual(os.path.getsize(p), 8192 + (1 << 20) + 8)
        self.assertEqual(self.verifybuf(p).returncode, 0)

    def test_failed_reseal_leaves_no_false_seal(self):
        # A second seal in one session writes its table over the first
        # one's: if it fails after that, the file must not still vouch
        # for the old table (mmbuf(5), sealing, step 2), or a verifier
        # finds damage where there is none.
        p = self.path()
        fill(p, 16 * 4096)
        real = C.backend

        class Failing:
            def __init__(self, name):
                self.inner = real(name)
                self.name = self.inner.name

            def hash_file(self, fd, off, n):
                if n == 16 * 4096:      # the whole data, after the table
                    raise OSError(errno.EIO, os.strerror(errno.EIO))
                return self.inner.hash_file(fd, off, n)

        with mmbuf.open(p, "r+") as b:
            b.seal(block_size=4096)
            with unittest.mock.patch.object(C, "backend", Failing):
                with self.assertRaises(OSError):
                    b.seal(block_size=8192)
            self.assertFalse(b.state & F.STATE_SEALED)
        res = self.verifybuf(p)
        self.assertEqual(res.stdout.decode(),
                         "%s: not verifiable (modified since seal)\n" % p)
        self.assertEqual(res.returncode, 1)

    def test_same_length_keeps_seal(self):
        # Only a commit that changes the length unseals (mmbuf(5)), as
        # in mmbuf_set_length().
        p = self.path()
        fill(p, 8192)
        with mmbuf.open(p, "r+") as b:
            b.seal()
            b.set_length(8192)
            self.assertTrue(b.state & F.STATE_SEALED)
        self.assertEqual(self.assert_same_verdict(p).returncode, 0)
        with mmbuf.open(p, "r+") as b:
            b.seal()
            b.set_length(4096)
            self.assertFalse(b.state & F.STATE_SEALED)

    def test_seal_errors(self):
        p = self.path()
        fill(p, 4096)
        with mmbuf.open(p) as b:
            with self.assertRaises(mmbuf.ReadOnlyError):
                b.seal()
        with mmbuf.open(p, "r+") as b:
            for bad in (0, 2048, 3 << 12, 1 << 31):
                with self.assertRaisesRegex(ValueError, "power of two"):
                    b.seal(block_size=bad)
            with self.assertRaisesRegex(ValueError, "back end"):
                b.seal(backend="md5")

    def test_open_for_writing_clears_seal(self):
        p = self.path()
        fill(p, 8192)
        with mmbuf.open(p, "r+") as b:
            b.seal()
            self.assertTrue(b.state & F.STATE_SEALED)
        with mmbuf.open(p, "r+") as b:
            self.assertFalse(b.state & F.STATE_SEALED)
        self.assertEqual(self.assert_same_verdict(p).stdout.decode(),
                         "%s: not verifiable (modified since seal)\n" % p)


class TestCSeal(Case):
    def test_verifybuf_seal(self):
        p = self.path()
        fill(p, (3 << 20) + 1, length=(2 << 20) + 9)
        c = self.verifybuf("--seal", "--block-size", "8K", p)
        self.assertEqual(c.returncode, 0)
        for be in BACKENDS:
            r = mmbuf.verify(p, be)
            self.assertTrue(r.ok, r)
            self.assertEqual(r.block_size, 8192)
            self.assertEqual(r.bytes_checked, (2 << 20) + 9)

    def test_mkbuf_seal(self):
        p, src = self.path(), self.path("src")
        with open(src, "wb") as f:
            f.write(os.urandom(300000))
        c = self.run_prog(prog("tools/mkbuf"), "-q", "--from", src,
                          "--seal", p)
        self.assertEqual(c.returncode, 0, c.stderr)
        self.assertEqual(self.assert_same_verdict(p).stdout.decode(),
                         "%s: ok\n" % p)
        # A C-sealed buffer opens for writing in Python (BLOCK_TABLE is
        # kept up to date here too), which ends the seal.
        with mmbuf.open(p, "r+"):
            pass
        self.assertEqual(mmbuf.verify(p).reason, "modified")


class TestVerdicts(Case):
    """Damage found by verifybuf is found by mmbuf.verify, with the same
    verdict line and exit status."""

    def sealed(self, name="b.mmbuf", capacity=(4 << 20) + 100, bs=1 << 16,
               length=None):
        p = self.path(name)
        fill(p, capacity, length)
        with mmbuf.open(p, "r+") as b:
            b.seal(block_size=bs)
        return p

    def poke(self, path, off, data=b"\x5a"):
        with open(path, "r+b") as f:
            f.seek(off)
            old = f.read(len(data))
            f.seek(off)
            f.write(bytes(x ^ y for x, y in zip(old, data)))

    def check(self, path, want_status, want_line):
        c = self.assert_same_verdict(path)
        self.assertEqual(c.returncode, want_status, c.stdout)
        self.assertRegex(c.stdout.decode(), "^%s: %s\n$" % (path, want_line))

    def test_ok(self):
        self.check(self.sealed(), 0, "ok")

    def test_never_sealed(self):
        p = self.path()
        fill(p, 4096)
        self.check(p, 1, r"not verifiable \(never sealed\)")

    def test_damaged_blocks(self):
        p = self.sealed()
        for off in (0, (5 << 16) + 3, (6 << 16), (7 << 16) + 65535,
                    (4 << 20) + 99):
            self.poke(p, 8192 + off)
        self.check(p, 2, r"CORRUPT \(block 0 at \[0x0, 0x10000\); blocks 5-7 "
                   r"at \[0x50000, 0x80000\); block 64 at "
                   r"\[0x400000, 0x400064\)\)")

    def test_damaged_table(self):
        p = self.sealed()
        h = mmbuf.open(p).header
        self.poke(p, h.table_offset + 8 * 2)
        self.check(p, 2, r"CORRUPT \(block 2 at \[0x20000, 0x30000\)\)")

    def test_nonzero_entry_past_length(self):
        p = self.sealed(length=1 << 16)
        with mmbuf.open(p) as b:
            off = b.header.table_offset
        self.poke(p, off + 8 * 3)
        self.check(p, 2, r"CORRUPT \(block 3 at \[0x30000, 0x40000\)\)")

    def test_damaged_slot(self):
        p = self.sealed()
        self.poke(p, 4096 + 300)     # slot 1: its CRC fails
        self.check(p, 2, r"CORRUPT \(slot 1 CRC\)")
        self.poke(p, 8192 + 70000)
        self.check(p, 2, r"CORRUPT \(slot 1 CRC; block 1 at "
                   r"\[0x10000, 0x20000\)\)")

    def test_both_slots_damaged(self):
        p = self.sealed()
        self.poke(p, 300)
        self.poke(p, 4096 + 300)
        self.check(p, 2, r"CORRUPT \(slot 0 CRC; slot 1 CRC\)")

    def test_truncated(self):
        p = self.sealed()
        size = os.path.getsize(p)
        os.truncate(p, size - 8)
        self.check(p, 2, r"CORRUPT \(truncated: expected %d bytes, found "
                   r"%d\)" % (size, size - 8))

    def test_not_buffer_files(self):
        p = self.path()
        with open(p, "wb") as f:
            f.write(b"hello, world\n" * 1000)
        self.check(p, 3, r"cannot check: not an mmbuf buffer file "
                   r"\(bad magic\)")
        self.check(self.path("none"), 3,
                   "cannot check: No such file or directory")
        self.check(self.dir, 3, "cannot check: not a regular file")

    def test_future_version(self):
        p = self.sealed()
        rewrite_slot(p, 0, version_major=2)
        rewrite_slot(p, 1, version_major=2)
        self.check(p, 3, "cannot check: unsupported format version")

    def test_inconsistent(self):
        p = self.sealed()
        rewrite_slot(p, 0, state=8)
        rewrite_slot(p, 1, state=8)
        self.check(p, 2, r"CORRUPT \(slot 0 inconsistent; slot 1 "
                   r"inconsistent\)")

    def test_writer_open(self):
        p = self.sealed()
        with mmbuf.open(p, "r+"):
            self.check(p, 1, r"not verifiable \(writer open\)")

    def test_unclean(self):
        p = self.sealed()
        res = self.run_py("import mmbuf, os, sys\n"
                          "b = mmbuf.open(sys.argv[1], 'r+')\n"
                          "os.kill(os.getpid(), 9)\n", p)
        self.assertEqual(res.returncode, -signal.SIGKILL)
        self.check(p, 1, r"not verifiable \(unclean, the last writer did "
                   r"not close it\)")

    def test_unclean_with_torn_slot(self):
        p = self.sealed()
        res = self.run_py("import mmbuf, os, sys\n"
                          "b = mmbuf.open(sys.argv[1], 'r+')\n"
                          "os.kill(os.getpid(), 9)\n", p)
        self.assertEqual(res.returncode, -signal.SIGKILL)
        cur = mmbuf.open(p).header.slot
        self.poke(p, 4096 * (1 - cur) + 300)
        self.check(p, 1, r"not verifiable \(unclean, the last writer did "
                   r"not close it; slot %d CRC: an interrupted "
                   r"commit\)" % (1 - cur))

    def test_without_block_table(self):
        # A seal without a table (as a writer that only keeps
        # data_checksum makes): the whole-data checksum decides.
        p = self.sealed(capacity=3 << 20)
        with mmbuf.open(p) as b:
            end = b.header.data_end
        for i in (0, 1):
            rewrite_slot(p, i, ro_compat=F.RO_COMPAT_LOCKING,
                         file_size=end)
            s = slot_bytes(p, i)
            s[132:136] = bytes(4)          # block_shift
            s[216:232] = bytes(16)         # table_offset, table_size
            s[508:512] = struct.pack("<I", zlib.crc32(bytes(s[:508])))
            with open(p, "r+b") as f:
                f.seek(4096 * i)
                f.write(s)
        os.truncate(p, end)
        self.check(p, 0, "ok")
        self.poke(p, 8192 + (2 << 20) + 5)
        self.check(p, 2, r"CORRUPT \(data checksum at \[0x0, 0x300000\)\)")
        self.assertIs(mmbuf.verify(p).checksum_ok, False)

    def test_several_files_worst_wins(self):
        ok, bad = self.sealed("ok"), self.sealed("bad")
        self.poke(bad, 8192 + 10)
        never = self.path("never")
        fill(never, 4096)
        args = [ok, never, bad, ok]
        c = self.verifybuf(*args)
        self.assertEqual(c.returncode, 2)
        for be in BACKENDS:
            p = self.py_verify(*args, backend=be)
            self.assertEqual((p.returncode, p.stdout), (2, c.stdout))
        c = self.verifybuf("-q", *args)
        p = self.py_verify("-q", *args)
        self.assertEqual((p.returncode, p.stdout), (c.returncode, c.stdout))
        self.assertNotIn(b": ok", p.stdout)

    def test_usage(self):
        # verifybuf's status for a usage error: 64, EX_USAGE.
        for args in ((), ("--bogus", self.path())):
            with self.subTest(args=args):
                c = self.verifybuf(*args)
                p = self.py_verify(*args)
                self.assertEqual((c.returncode, p.returncode), (64, 64))
                self.assertEqual(p.stderr.splitlines()[-1],
                                 b"Try 'python3 -m mmbuf verify --help' for "
                                 b"more information.")


class TestReadme(TempDirCase):
    def test_readme_seal_example_runs(self):
        import contextlib
        import io
        import re
        # The second Python block of README's "## Python" section, on a
        # file like the one the first block makes.
        with open(os.path.join(os.environ.get("MMBUF_SRCDIR", "."),
                               "README"), encoding="utf-8") as f:
            section = f.read().split("\n## Python\n", 1)[1]
        section = section.split("\n## ", 1)[0]
        code = re.findall(r"```python\n(.*?)```", section, re.S)[1]
        fill(self.path("temperature.mmbuf"), 64000, dtype="<f8",
             shape=(1000, 8))
        cwd = os.getcwd()
        os.chdir(self.dir)
        try:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(code, {"mmbuf": mmbuf})
        finally:
            os.chdir(cwd)
        self.assertEqual(out.getvalue(), "True []\n")
        c = self.run_prog(prog("tools/verifybuf"),
                          self.path("temperature.mmbuf"))
        self.assertEqual(c.returncode, 0, c.stdout)


# Run in a child: neither back end can be found.
SHIM = """
import sys, ctypes, ctypes.util
sys.modules["xxhash"] = None           # import xxhash fails
ctypes.util.find_library = lambda name: None
_cdll = ctypes.CDLL
def _no_libmmbuf(name, *a, **k):
    if name and "mmbuf" in str(name):
        raise OSError(name + ": cannot open shared object file")
    return _cdll(name, *a, **k)
ctypes.CDLL = _no_libmmbuf
"""


class TestNoBackend(Case):
    def env(self, **kw):
        env = dict(os.environ)
        env.pop("MMBUF_LIBRARY", None)
        env.update(kw)
        return env

    def test_neither_available(self):
        p = self.path()
        fill(p, 4096, dtype="<u4")
        code = SHIM + """
import io, mmbuf, mmbuf.__main__ as cli
with mmbuf.open(sys.argv[1]) as b:          # reading works
    print(b.dtype, b.shape, b.view[3])
cli.info(sys.argv[1], io.StringIO())
for call in (lambda: mmbuf.verify(sys.argv[1]),
             lambda: mmbuf.open(sys.argv[1], "r+").seal(),
             lambda: mmbuf.checksum_backend()):
    try:
        call()
        print("no error")
    except mmbuf.NoChecksumError as e:
        print("error:", e)
sys.exit(cli.main(["verify", sys.argv[1]]))
"""
        res = self.run_py(code, p, env=self.env())
        out = res.stdout.decode().splitlines()
        with open(p, "rb") as f:
            f.seek(8192 + 12)
            third, = struct.unpack("<I", f.read(4))
        self.assertEqual(out[0], "<u4 (1024,) %d" % third, res.stderr)
        self.assertEqual(len(out), 4, out)
        for line in out[1:]:
            self.assertRegex(line, r"^error: no XXH3-64 implementation "
                             r"for checksums: libmmbuf not found .*; the "
                             r"xxhash module cannot be imported .*install "
                             r"libmmbuf .*MMBUF_LIBRARY.*python3-xxhash")
        self.assertEqual(res.returncode, 3)
        self.assertRegex(res.stderr.decode(),
                         "^mmbuf: %s: no XXH3-64 implementation" % p)
        # The file was not changed by the refused seal.
        self.assertEqual(mmbuf.verify(p).reason, "never_sealed")

    def test_only_xxhash(self):
        p = self.path()
        fill(p, 4096)
        code = SHIM.replace('sys.modules["xxhash"] = None', "") + """
import mmbuf
with mmbuf.open(sys.argv[1], "r+") as b:
    b.seal()
print(mmbuf.checksum_backend().name, mmbuf.verify(sys.argv[1]).verdict)
"""
        res = self.run_py(code, p, env=self.env())
        self.assertEqual(res.stdout.decode(), "xxhash 0\n", res.stderr)

    def test_only_libmmbuf(self):
        code = """
import sys
sys.modules["xxhash"] = None
import mmbuf
print(mmbuf.checksum_backend().name,
      hex(mmbuf.checksum_backend().checksum(b"123456789")))
"""
        res = self.run_py(code, env=self.env(MMBUF_LIBRARY=LIBPATH))
        self.assertEqual(res.stdout.decode(),
                         "libmmbuf 0x72dcb18b67a17dff\n", res.stderr)

    def test_mmbuf_library_nowhere(self):
        # MMBUF_LIBRARY names exactly the library: no silent fallback to
        # the xxhash module, which is importable here.
        p = self.path()
        fill(p, 4096)
        nowhere = os.path.join(self.dir, "nowhere", "libmmbuf.so")
        res = self.run_prog(sys.executable, "-m", "mmbuf", "verify", p,
                            env=self.env(MMBUF_LIBRARY=nowhere))
        self.assertEqual(res.returncode, 3)
        self.assertEqual(res.stdout, b"")
        self.assertIn("mmbuf: %s: MMBUF_LIBRARY=%s: cannot use it for "
                      "checksums" % (p, nowhere), res.stderr.decode())
        res = self.run_prog(sys.executable, "-m", "mmbuf", "info", p,
                            env=self.env(MMBUF_LIBRARY=nowhere))
        self.assertEqual(res.returncode, 0, res.stderr)


if __name__ == "__main__":
    main()
