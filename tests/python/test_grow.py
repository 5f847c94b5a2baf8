"""Growing buffers from Python, and following a writer: Buffer.resize()
against the C library (libmmbuf of the build tree through ctypes) in both
directions, Buffer.append() against mmbuf_append() and the C tools, and
Buffer.refresh() following a C writer that appends."""

import array
import ctypes
import errno
import json
import math
import os
import struct
import subprocess
import sys
from unittest import mock

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
        so.mmbuf_set_growth.argtypes = [ctypes.c_void_p, ctypes.c_double]


class ResizeTest(TempDirCase):

    def setUp(self):
        super().setUp()
        self.c = CLib()

    def make(self, size=4096, length=100, **kw):
        b = mmbuf.create(self.path(), capacity=size, **kw)
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
        with mmbuf.create(self.path("s.mmbuf"), capacity=1 << 20,
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
        with mmbuf.create(self.path(), capacity=64 << 10, dtype="f8",
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


def expected_capacity(cap, need, factor):
    """The capacity mmbuf_append() grows to, from the rule of mmbuf(3)
    (not from the package): cap * factor, at least need and 64 KiB, in
    whole 4096-byte pages."""
    if need <= cap:
        return cap
    want = max(math.floor(cap * factor), need, 65536)
    return math.ceil(want / 4096) * 4096


# A reader in another process: prints the length it opened with, then,
# for each line on stdin, refreshes and prints what changed, the length
# and the hex of the contents.
FOLLOWER = """
import sys, mmbuf
r = mmbuf.open(sys.argv[1])
print(r.length, flush=True)
for _ in sys.stdin:
    changed = r.refresh()
    raw = r.raw
    print(int(changed), r.length, r.capacity, bytes(raw).hex(), flush=True)
    del raw
r.close()
"""


class AppendTest(TempDirCase):

    def setUp(self):
        super().setUp()
        self.c = CLib()

    def empty(self, name="b.mmbuf", **kw):
        """A new buffer of capacity 0, open for writing."""
        return mmbuf.create(self.path(name), capacity=0, **kw)

    def numpy(self):
        try:
            import numpy
        except ImportError:
            self.skipTest("NumPy is not installed for %s" % sys.executable)
        return numpy

    def test_kinds_of_data(self):
        parts = [b"hello", bytearray(b" world"), memoryview(b"0123456789"),
                 memoryview(b"abcdefgh").cast("I"),
                 array.array("d", [1.5, -2.25, 3.0]),
                 array.array("h", [-1, 2, 300])]
        want = b"".join(bytes(memoryview(p)) for p in parts)
        with self.empty() as b:
            offset = 0
            for p in parts:
                n = memoryview(p).nbytes
                self.assertEqual(b.append(p), offset)
                offset += n
                self.assertEqual(b.length, offset)
            self.assertEqual(bytes(b.raw), want)
            self.assertEqual(b.capacity, 65536)
        with mmbuf.open(self.path()) as r:
            self.assertEqual((r.length, r.capacity), (len(want), 65536))
            self.assertEqual(bytes(r.raw), want)

    def test_numpy(self):
        np = self.numpy()
        a = np.arange(12, dtype="<f8").reshape(3, 4)
        big = np.arange(5, dtype=">i4")
        rec = np.zeros(2, dtype=[("t", "<u8"), ("x", "<f4")])
        rec["t"], rec["x"] = (7, 9), (0.5, -1)
        with mmbuf.create(self.path(), capacity=16) as b:
            b.raw[:] = b"H" * 16
            self.assertEqual(b.append(a), 16)
            self.assertEqual(b.append(big), 16 + 96)
            self.assertEqual(b.append(rec), 16 + 96 + 20)
            self.assertEqual(b.length, 16 + 96 + 20 + 24)
            want = b"H" * 16 + a.tobytes() + big.tobytes() + rec.tobytes()
            self.assertEqual(bytes(b.raw), want)
            # Not C-contiguous: refused, nothing written or committed.
            gen = b.generation
            for bad in (a[:, :2], a.T, a[::2], big[::-1]):
                with self.assertRaises((ValueError, BufferError)) as cm:
                    b.append(bad)
                self.assertIn("contiguous", str(cm.exception))
            self.assertEqual((b.length, b.generation), (len(want), gen))
            # An empty array, even a strided one, is a no-op.
            self.assertEqual(b.append(a[:0, ::2]), len(want))
            self.assertEqual(b.generation, gen)
            # A NumPy array read back as written.
            self.assertTrue(np.array_equal(
                np.frombuffer(bytes(b.raw[16:112]), "<f8").reshape(3, 4), a))

    def test_item_type_must_match(self):
        """A typed buffer takes data of its dtype or raw bytes; items of
        another type, whose bytes are not the values, raise DtypeError
        and write nothing.  A buffer of bytes takes anything."""
        with mmbuf.create(self.path(), dtype="<f8", shape=(None, 3)) as b:
            self.assertEqual(b.append(array.array("d", [1.0, 2.0, 3.0])), 0)
            self.assertEqual(b.append(struct.pack("<3d", 4, 5, 6)), 24)
            self.assertEqual(b.append(bytearray(24)), 48)
            gen = b.generation
            for bad, what in ((array.array("q", [7, 8, 9]), "<i8"),
                              (array.array("f", [1, 2, 3, 4, 5, 6]), "<f4"),
                              (memoryview(bytes(24)).cast("Q"), "<u8")):
                with self.assertRaises(mmbuf.DtypeError) as cm:
                    b.append(bad)
                self.assertIn("holds items of %s, not of the buffer's "
                              "dtype <f8" % what, str(cm.exception))
                self.assertIsInstance(cm.exception, ValueError)
            self.assertEqual((b.length, b.generation, b.shape),
                             (72, gen, (3, 3)))
        with mmbuf.create(self.path("i2.mmbuf"), dtype="<i2", capacity=0) as b:
            b.append(array.array("h", [1, -2]))
            with self.assertRaises(mmbuf.DtypeError):
                b.append(array.array("H", [1, 2]))      # signedness
            self.assertEqual(b.length, 4)

    def test_item_type_must_match_numpy(self):
        np = self.numpy()
        with mmbuf.create(self.path(), dtype="<f8", shape=(None, 3)) as b:
            b.append(np.array([1.0, 2.0, 3.0]))
            b.append(np.zeros((2, 3), dtype="<f8"))
            b.append(np.frombuffer(bytes(24), dtype=np.uint8))  # raw
            # The slip this guards against: an int in the row.
            for bad in (np.array([1, 2, 3]), np.array([1.0, 2, 3], ">f8"),
                        np.zeros(3, dtype="<f4"),
                        np.zeros(1, dtype=[("t", "<u8"), ("x", "<f8")])):
                with self.assertRaises(mmbuf.DtypeError, msg=bad.dtype):
                    b.append(bad)
            self.assertEqual(b.shape, (4, 3))
            b.append(np.asarray([7, 8, 9], dtype=b.dtype))
            self.assertEqual(b.to_numpy()[-1].tolist(), [7.0, 8.0, 9.0])
        with mmbuf.create(self.path("c.mmbuf"), dtype="<c16",
                          capacity=0) as b:
            b.append(np.array([1 + 2j]))
            with self.assertRaises(mmbuf.DtypeError):
                b.append(np.array([1 + 2j], dtype="<c8"))
            self.assertEqual(b.length, 16)

    def test_growth_sequence(self):
        """Capacities follow the rule of grow.c and those of
        mmbuf_append() on a twin buffer, for several factors and sizes."""
        sizes = [1, 1000, 4095, 70000, 3, 250000, 17, 1 << 20, 5]
        for factor, first in ((2.0, 0), (1.0625, 0), (16.0, 0),
                              (1.5, 100000), (3.3, 5000)):
            with self.subTest(factor=factor, first=first):
                name = "p%s-%d.mmbuf" % (factor, first)
                cname = "c" + name
                for n in (name, cname):
                    mmbuf.create(self.path(n), capacity=first).close()
                err, h = self.c.open(self.path(cname), Lib.RDWR)
                self.assertEqual(err, 0)
                if factor != 2.0:
                    self.assertEqual(
                        self.c.so.mmbuf_set_growth(h, factor), 0)
                b = mmbuf.open(self.path(name), "r+")
                self.assertEqual(b.growth, 2.0)
                b.growth = factor
                cap, length = first, first
                seen = []
                for k in range(60):
                    n = sizes[k % len(sizes)]
                    data = bytes([k]) * n
                    want = expected_capacity(cap, length + n, factor)
                    self.assertEqual(b.append(data, durable=False), length)
                    self.assertEqual(
                        self.c.so.mmbuf_append(h, data, n, 0), 0)
                    length += n
                    cap = want
                    self.assertEqual((b.length, b.capacity), (length, cap),
                                     "append %d of %d bytes" % (k, n))
                    self.assertEqual(self.c.so.mmbuf_capacity(h), cap)
                    self.assertEqual(os.path.getsize(self.path(name)),
                                     8192 + cap)
                    seen.append(cap)
                self.assertGreaterEqual(len(set(seen)), 3)  # it grew
                b.close()
                self.assertEqual(self.c.close(h), 0)
                with open(self.path(name), "rb") as f, \
                        open(self.path(cname), "rb") as g:
                    f.seek(8192)
                    g.seek(8192)
                    self.assertEqual(f.read(length), g.read(length))

    def test_growth_steps(self):
        """A few capacities worked out by hand."""
        with mmbuf.create(self.path(), capacity=100000) as b:
            self.assertEqual(b.append(b"x"), 100000)
            self.assertEqual(b.capacity, 200704)        # 2 * 100000 paged
            b.append(bytes(200704 - b.length))
            self.assertEqual(b.capacity, 200704)        # fits exactly
            b.growth = 1.0625
            b.append(b"y")
            self.assertEqual(b.capacity, 217088)        # 213248.0 paged
            b.append(bytes(1 << 20))                    # need wins
            self.assertEqual(b.capacity, 1253376)       # 1249281 paged
            self.assertEqual(b.length, 200705 + (1 << 20))

    def test_growth_property(self):
        with self.empty() as b:
            self.assertEqual(b.growth, 2.0)
            for ok in (1.0625, 16, 16.0, 3, 1.5):
                b.growth = ok
                self.assertEqual(b.growth, float(ok))
                self.assertIs(type(b.growth), float)
            for bad in (1.0624, 1.0, 0, -2, 16.001, 100, float("nan"),
                        float("inf"), float("-inf")):
                with self.assertRaises(ValueError, msg=repr(bad)):
                    b.growth = bad
                self.assertEqual(b.growth, 1.5)
            with self.assertRaises((TypeError, ValueError)):
                b.growth = "fast"
            self.assertEqual(b.growth, 1.5)

    def test_read_only(self):
        with mmbuf.create(self.path(), capacity=4096) as b:
            b.set_length(10)
        with mmbuf.open(self.path()) as r:
            for data in (b"abc", b"", bytes(1 << 20)):
                with self.assertRaises(mmbuf.ReadOnlyError):
                    r.append(data)
            self.assertEqual((r.length, r.capacity), (10, 4096))
        self.assertEqual(os.path.getsize(self.path()), 8192 + 4096)

    def test_zero_length(self):
        with self.empty() as b:
            gen = b.generation
            for data in (b"", bytearray(), memoryview(b""),
                         array.array("d")):
                self.assertEqual(b.append(data), 0)
            self.assertEqual((b.length, b.capacity, b.generation),
                             (0, 0, gen))
            b.append(b"abc")
            gen = b.generation
            self.assertEqual(b.append(b"", durable=False), 3)
            self.assertEqual((b.length, b.generation), (3, gen))
        with self.assertRaises(TypeError):
            with self.empty("t.mmbuf") as b:
                b.append("text is not bytes")

    def test_closed(self):
        b = self.empty()
        b.close()
        with self.assertRaises(ValueError):
            b.append(b"x")

    def test_preallocated_and_sparse(self):
        with self.empty() as b:
            b.append(b"x")
            b.append(bytes(5 << 20))
            cap = b.capacity
            self.assertGreaterEqual(os.stat(self.path()).st_blocks * 512,
                                    cap)
        with mmbuf.create(self.path("s.mmbuf"), capacity=8 << 20,
                          sparse=True) as b:
            b.append(b"x")          # 16 MiB now, sparse as it was made
            self.assertEqual(b.capacity, 16 << 20)
            self.assertLess(os.stat(self.path("s.mmbuf")).st_blocks * 512,
                            4 << 20)
        # Opened from a sparse file, it grows sparse too.
        with mmbuf.open(self.path("s.mmbuf"), "r+") as b:
            b.append(bytes(8 << 20))
            self.assertEqual(b.capacity, 32 << 20)
            self.assertLess(os.stat(self.path("s.mmbuf")).st_blocks * 512,
                            (8 << 20) + (4 << 20))
            self.assertEqual(bytes(b.raw[(8 << 20) - 1:(8 << 20) + 1]),
                             b"\0x")

    def check_unchanged(self, b, before, contents):
        self.assertEqual((b.length, b.capacity, b.generation,
                          os.path.getsize(self.path())), before)
        self.assertEqual(bytes(b.raw), contents)

    def test_views_alive(self):
        with mmbuf.create(self.path(), capacity=4096) as b:
            b.raw[:] = bytes(range(256)) * 16
            b.set_length(100)
            contents = bytes(b.raw)
            before = (b.length, b.capacity, b.generation,
                      os.path.getsize(self.path()))
            held = b.raw[10:20]       # a slice the caller keeps
            with self.assertRaises(mmbuf.ViewsAliveError) as cm:
                b.append(bytes(5000))
            self.assertEqual(cm.exception.count, 1)
            self.assertIn("append()", str(cm.exception))
            self.check_unchanged(b, before, contents)
            # What fits needs no remap: the view stays valid.
            self.assertEqual(b.append(b"fits"), 100)
            self.assertEqual(bytes(held), bytes(range(10, 20)))
            del held
            # A view of the buffer itself as data that needs a growth.
            b.set_length(3000)
            contents = bytes(b.raw)
            before = (b.length, b.capacity, b.generation,
                      os.path.getsize(self.path()))
            src = b.raw
            with self.assertRaises(mmbuf.ViewsAliveError):
                b.append(src)
            self.check_unchanged(b, before, contents)
            del src
            self.assertEqual(b.append(bytes(5000)), 3000)
            self.assertEqual(b.capacity, 65536)
            self.assertEqual(bytes(b.raw[:3000]), contents)

    def test_views_alive_numpy(self):
        np = self.numpy()
        with mmbuf.create(self.path(), capacity=4096, dtype="<f8") as b:
            arr = b.to_numpy()
            arr[:] = 1.5
            contents = bytes(b.raw)
            before = (b.length, b.capacity, b.generation,
                      os.path.getsize(self.path()))
            with self.assertRaises(mmbuf.ViewsAliveError):
                b.append(np.zeros(4, "<f8"))
            self.check_unchanged(b, before, contents)
            del arr
            self.assertEqual(b.append(np.zeros(4, "<f8")), 4096)
            self.assertEqual(b.length, 4096 + 32)

    def test_error_keeps_length(self):
        with self.empty() as b:
            b.append(b"abc")
            gen = b.generation

            real = os.pwrite

            def full(fd, data, offset):
                # The data region is full; the header pages are not.
                if offset >= b.header.data_offset:
                    raise OSError(errno.ENOSPC, "No space left on device")
                return real(fd, data, offset)
            with mock.patch("os.pwrite", full):
                with self.assertRaises(OSError) as cm:
                    b.append(b"more")
                self.assertEqual(cm.exception.errno, errno.ENOSPC)
                with self.assertRaises(OSError):
                    b.append(bytes(1 << 20))    # after a growth
            self.assertEqual(b.length, 3)
            self.assertEqual(b.header.length, 3)
            self.assertGreaterEqual(b.capacity, 1 << 20)
            self.assertGreater(b.generation, gen)   # the growth commit
        with mmbuf.open(self.path()) as r:
            self.assertEqual((r.length, bytes(r.raw)), (3, b"abc"))

    def test_syncs(self):
        """The growth is committed without a sync of its own: one
        fdatasync, that of the length commit, when durable; none when
        not.  resize() still commits durably."""
        real = os.fdatasync
        with self.empty() as b:
            with mock.patch("os.fdatasync", side_effect=real) as sync:
                b.append(bytes(100000), durable=False)
                self.assertEqual(sync.call_count, 0)
                self.assertEqual(b.capacity, 102400)
                b.append(bytes(100000))
                self.assertEqual(sync.call_count, 1)
                self.assertEqual(b.capacity, 204800)
                b.append(b"small")
                self.assertEqual(sync.call_count, 2)
                b.resize(1 << 20)
                self.assertEqual(sync.call_count, 3)

    def test_readers_follow(self):
        with self.empty() as b:
            b.append(b"first;")
            r = mmbuf.open(self.path())
            child = subprocess.Popen(
                [sys.executable, "-c", FOLLOWER, self.path()],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            try:
                self.assertEqual(child.stdout.readline().split(), ["6"])
                want = b"first;"
                for k, n in enumerate((10, 100000, 3, 300000)):
                    rec = bytes([65 + k]) * n
                    self.assertEqual(b.append(rec, durable=k % 2 == 0),
                                     len(want))
                    want += rec
                    self.assertTrue(r.refresh())
                    self.assertEqual((r.length, r.capacity),
                                     (len(want), b.capacity))
                    self.assertEqual(bytes(r.raw), want)
                    self.assertFalse(r.refresh())
                    child.stdin.write("\n")
                    child.stdin.flush()
                    out = child.stdout.readline().split()
                    self.assertEqual(out[:3], ["1", str(len(want)),
                                               str(b.capacity)])
                    self.assertEqual(bytes.fromhex(out[3]), want)
            finally:
                child.stdin.close()
                self.assertEqual(child.wait(60), 0)
                child.stdout.close()
            r.close()

    def test_c_reads_python_appends(self):
        want = bytearray()
        with self.empty() as b:
            for k in range(2000):
                rec = bytes([k % 251]) * (k % 97 + 1)
                self.assertEqual(b.append(rec, durable=k % 7 == 0),
                                 len(want))
                want += rec
            cap = b.capacity
        dump = self.run_prog(prog("tools/dumpbuf"), "--raw", self.path())
        self.assertEqual(dump.returncode, 0, dump.stderr)
        self.assertEqual(dump.stdout, bytes(want))
        dump = self.run_prog(prog("tools/dumpbuf"), "--json", self.path())
        self.assertEqual(dump.returncode, 0, dump.stderr)
        info = json.loads(dump.stdout)
        cur = info["slots"][info["current_slot"]]
        self.assertTrue(info["valid"])
        self.assertEqual((cur["length"], cur["capacity"]), (len(want), cap))
        self.assertEqual(info["file_size"], 8192 + cap)
        self.assertFalse(cur["writer_open"])
        err, h = self.c.open(self.path(), Lib.RDONLY)
        self.assertEqual(err, 0)
        self.assertEqual(self.c.so.mmbuf_length(h), len(want))
        self.assertEqual(self.c.so.mmbuf_unclean(h), 0)
        self.c.close(h)
        # Consistent (not sealed yet), then sealed by C and verified.
        verify = prog("tools/verifybuf")
        out = self.run_prog(verify, self.path())
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn(b"never sealed", out.stdout)
        out = self.run_prog(verify, "--seal", self.path())
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        out = self.run_prog(verify, self.path())
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn(b": ok", out.stdout)

    def test_over_block_table(self):
        with mmbuf.create(self.path(), capacity=3 * 4096) as b:
            b.raw[:] = b"s" * (3 * 4096)
        out = self.run_prog(prog("tools/verifybuf"), "--seal", self.path())
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        with mmbuf.open(self.path(), "r+") as b:
            self.assertTrue(b.header.ro_compat & F.RO_COMPAT_BLOCK_TABLE)
            self.assertEqual(b.append(b"tail"), 3 * 4096)
            self.assertFalse(b.header.ro_compat & F.RO_COMPAT_BLOCK_TABLE)
            self.assertEqual(b.capacity, 65536)
            self.assertEqual(bytes(b.raw[-8:]), b"sssstail")
        self.assertEqual(os.path.getsize(self.path()), 8192 + 65536)
        out = self.run_prog(prog("tools/verifybuf"), self.path())
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn(b"not verifiable", out.stdout)


class RefreshTest(TempDirCase):

    def setUp(self):
        super().setUp()
        self.c = CLib()

    def test_follow_a_c_writer(self):
        mmbuf.create(self.path(), capacity=0).close()
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
        with mmbuf.create(self.path(), capacity=4096) as b:
            self.assertFalse(b.refresh())


if __name__ == "__main__":
    main()
