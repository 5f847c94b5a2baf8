"""Unit tests of mmbuf._format: header encoding, decoding and validation,
against the rules and the worked example of man/mmbuf.5; and the examples
of man/mmbuf.5 themselves, taken from the page and run."""

import errno
import fcntl
import os
import platform
import re
import struct
import sys
import zlib

from testlib import SRCDIR, F, TempDirCase, main, mmbuf
import unittest

# Slot 0 of the example in mmbuf(5), EXAMPLES (xxd -a -l 512), non-zero
# lines only: offset -> 16 bytes.
EXAMPLE_LINES = {
    0x00: "8d4d 4d42 0d0a 1a0a 0400 0000 0000 0000",
    0x10: "0100 0100 0002 0000 0200 0000 0000 0000",
    0x20: "0100 0000 0000 0000 0000 0000 0000 0000",
    0x30: "6f1c 2e0a 94b7 4d2c 8e5a 03f1 d7b2 6c49",
    0x40: "15cd b2c7 7e68 1618 15c6 b55c 7f68 1618",
    0x50: "0020 0000 0000 0000 00fa 0000 0000 0000",
    0x60: "00fa 0000 0000 0000 001a 0100 0000 0000",
    0x70: "0000 0000 9210 0000 3c66 3800 0000 0000",
    0x80: "0200 0000 0000 0000 e803 0000 0000 0000",
    0x90: "0800 0000 0000 0000 0000 0000 0000 0000",
    0xf0: "7465 6d70 6572 6174 7572 6500 0000 0000",
    0x1f0: "0000 0000 0400 0000 0000 0000 ff8c 3e40",
}


def example_slot():
    s = bytearray(512)
    for off, hx in EXAMPLE_LINES.items():
        s[off:off + 16] = bytes.fromhex(hx.replace(" ", ""))
    return bytes(s)


def header(**kw):
    base = dict(generation=2, version_major=1, version_minor=0, compat=0,
                ro_compat=1, incompat=0, uuid=bytes(range(16)), ctime_ns=5,
                mtime_ns=6, data_offset=8192, capacity=800, length=800,
                file_size=8992, state=0, writer_pid=42, dtype="<f8",
                itemsize=8, ndim=2, shape=(10, 10), block_shift=0,
                data_checksum=0, checksum_generation=0, table_offset=0,
                table_size=0, label="t", slot=0)
    base.update(kw)
    return F.Header(**base)


def file_of(h0, h1=None):
    """Header pages holding h0 in slot 0 and h1 (or nothing) in slot 1."""
    b = bytearray(8192)
    if h0 is not None:
        b[0:512] = F.encode_slot(h0)
    if h1 is not None:
        b[4096:4608] = F.encode_slot(h1)
    return bytes(b)


class TestExample(unittest.TestCase):
    def test_decode_example(self):
        s = example_slot()
        self.assertEqual(F.slot_integrity(s, 0), None)
        h = F.decode_slot(s, 0)
        self.assertEqual((h.generation, h.dtype, h.shape, h.label),
                         (4, "<f8", (1000, 8), "temperature"))
        self.assertEqual((h.data_offset, h.capacity, h.length, h.file_size),
                         (8192, 64000, 64000, 72192))
        self.assertEqual((h.ro_compat, h.state, h.writer_pid),
                         (1, 0, 4242))
        self.assertEqual((h.version_major, h.version_minor, h.compat),
                         (1, 1, 2))
        self.assertEqual(h.ctime_ns, 0x1816687ec7b2cd15)
        self.assertEqual(h.mtime_ns - h.ctime_ns, 2500000000)
        self.assertEqual(h.uuid.hex(), "6f1c2e0a94b74d2c8e5a03f1d7b26c49")

    def test_encode_example_byte_exact(self):
        s = example_slot()
        self.assertEqual(F.encode_slot(F.decode_slot(s, 0)), s)
        self.assertEqual(struct.unpack_from("<I", s, 508)[0], 0x403e8cff)

    def test_crc_check_value(self):
        self.assertEqual(zlib.crc32(b"123456789"), 0xCBF43926)


class TestIntegrity(unittest.TestCase):
    def status(self, b, i=0):
        cls = F.slot_integrity(b, i)
        return cls and cls.name

    def test_order_of_checks(self):
        s = bytearray(F.encode_slot(header()))
        self.assertIsNone(self.status(s))
        self.assertEqual(self.status(s[:5]), "MMBUF_ETRUNCATED")
        self.assertEqual(self.status(b""), "MMBUF_ETRUNCATED")
        self.assertEqual(self.status(b"\x8dMx"), "MMBUF_EMAGIC")
        self.assertEqual(self.status(s[:100]), "MMBUF_ETRUNCATED")
        bad = bytearray(s)
        bad[0] ^= 1
        self.assertEqual(self.status(bad), "MMBUF_EMAGIC")
        bad = bytearray(s)
        bad[300] ^= 1
        self.assertEqual(self.status(bad), "MMBUF_ECHECKSUM")
        torn = F.encode_slot(header())[:500] + struct.pack("<Q", 9)
        torn += struct.pack("<I", zlib.crc32(torn))
        self.assertEqual(self.status(torn), "MMBUF_ETORN")
        odd = F.encode_slot(header(generation=3))
        self.assertEqual(self.status(odd, 0), "MMBUF_EINCONSISTENT")
        self.assertEqual(self.status(bytes(4096) + odd, 1), None)


class TestChoose(unittest.TestCase):
    def test_higher_generation_wins(self):
        h = F.validate_header(file_of(header(generation=2),
                                      header(generation=3, length=8)),
                              10 ** 6)
        self.assertEqual((h.slot, h.generation, h.length), (1, 3, 8))
        self.assertEqual(h.slot_status, (None, None))

    def test_damaged_slot_falls_back(self):
        b = bytearray(file_of(header(generation=4),
                              header(generation=3, length=8)))
        b[100] ^= 0xFF
        h = F.validate_header(b, 10 ** 6)
        self.assertEqual((h.slot, h.length), (1, 8))
        self.assertEqual(h.slot_status, ("MMBUF_ECHECKSUM", None))

    def test_invalid_fields_fall_back(self):
        h = F.validate_header(file_of(header(generation=4, length=900),
                                      header(generation=3)), 10 ** 6)
        self.assertEqual(h.slot, 1)
        self.assertEqual(h.slot_status, ("MMBUF_EINCONSISTENT", None))

    def test_version_and_feature_never_fall_back(self):
        for kw, exc in ((dict(version_major=2), mmbuf.VersionError),
                        (dict(incompat=4), mmbuf.FeatureError)):
            with self.assertRaises(exc):
                F.validate_header(file_of(header(generation=4, **kw),
                                          header(generation=3)), 10 ** 6)

    def test_no_intact_slot(self):
        with self.assertRaises(mmbuf.MagicError):
            F.validate_header(bytes(8192), 8192)
        # Shorter than the magic: not a buffer file (mmbuf(5), "Magic").
        with self.assertRaises(mmbuf.MagicError):
            F.validate_header(b"\x8dMM", 3)
        with self.assertRaises(mmbuf.MagicError):
            F.validate_header(b"", 0)
        with self.assertRaises(mmbuf.TruncatedError):
            F.validate_header(b"\x8dMMB\r\n\x1a\n", 8)
        b = bytearray(file_of(header(), header(generation=3)))
        b[10] ^= 1
        b[4096 + 10] ^= 1
        with self.assertRaises(mmbuf.ChecksumError):
            F.validate_header(b, 10 ** 6)

    def test_truncated_file(self):
        with self.assertRaises(mmbuf.TruncatedError):
            F.validate_header(file_of(header()), 8991)
        F.validate_header(file_of(header()), 8992)


def outcome(hdr, size, cache=None):
    """What validate_header() gives: the Header's fields, or the error's
    class and message."""
    try:
        return F.validate_header(hdr, size, cache).__dict__
    except mmbuf.Error as e:
        return type(e), str(e)


def slot_with(base, gen, off, value):
    """The slot base with generation gen (both copies), then the 8 bytes
    at off set to value, and the CRC made good."""
    b = bytearray(base)
    struct.pack_into("<Q", b, 8, gen)
    struct.pack_into("<Q", b, 500, gen)
    struct.pack_into("<Q", b, off, value)
    struct.pack_into("<I", b, 508, zlib.crc32(bytes(b[:508])))
    return bytes(b)


class TestSlotCache(unittest.TestCase):
    """A SlotCache decodes only what changed, and a slot that differs from
    the other by a new length alone is decoded from it: the results must
    be those of a validation without a cache, error for error."""

    def commits(self, growing):
        """Header pages after each of a series of commits, as a writer
        makes them: length (and shape[0]) grow, generation goes up."""
        ro = 1 | (F.RO_COMPAT_GROWING if growing else 0)
        pages = [bytearray(8192)]
        for g in range(2, 12):
            length = 80 * (g - 2)
            shape = ((length // 80, 10) if growing else (10, 10))
            pages[-1][4096 * (g % 2):4096 * (g % 2) + 512] = F.encode_slot(
                header(generation=g, length=length, shape=shape,
                       ro_compat=ro, mtime_ns=1000 + g, slot=g % 2))
            pages.append(bytearray(pages[-1]))
        return [bytes(p) for p in pages[1:-1]]

    def test_commits_give_what_a_full_validation_gives(self):
        for growing in (False, True):
            cache = F.SlotCache()
            for hdr in self.commits(growing):
                self.assertEqual(outcome(hdr, 10 ** 6, cache),
                                 outcome(hdr, 10 ** 6))
            # The last one came from the other slot, not decoded in full.
            self.assertIsNotNone(cache.slots[0][3])

    def test_every_changed_field_gives_what_a_full_validation_gives(self):
        """Each 8-byte field of the new slot set to values that break
        rules, the CRC made good: the cache must refuse or accept as a
        full decode does."""
        for growing in (False, True):
            hdr = self.commits(growing)[4]
            cur = 4096 * (F.validate_header(hdr, 10 ** 6).slot)
            new = 4096 - cur
            base = hdr[cur:cur + 512]
            gen = struct.unpack_from("<Q", base, 8)[0] + 1
            accepted = 0
            for off in range(0, 504, 4):
                old = struct.unpack_from("<Q", base, off)[0]
                for value in (0, 1, 3, 79, 80, 81, 800, 801, 2 ** 63,
                              old, old + 1, old ^ (1 << 32)):
                    b = bytearray(hdr)
                    b[new:new + 512] = slot_with(base, gen, off, value)
                    b = bytes(b)
                    cache = F.SlotCache()
                    cache.examine(hdr)
                    want = outcome(b, 10 ** 6)
                    self.assertEqual(outcome(b, 10 ** 6, cache), want,
                                     "offset %d value %d" % (off, value))
                    accepted += isinstance(want, dict) and \
                        want["generation"] == gen
            # Some changes make a good new slot (a new length, mtime,
            # label...), most do not.
            self.assertGreater(accepted, 50)
            # A new length whose CRC is wrong, in any of its 32 bits.
            good = slot_with(base, gen, 96, 160)
            for bit in range(32):
                bad = bytearray(good)
                bad[508 + bit // 8] ^= 1 << bit % 8
                b = bytearray(hdr)
                b[new:new + 512] = bad
                b = bytes(b)
                cache = F.SlotCache()
                cache.examine(hdr)
                self.assertEqual(outcome(b, 10 ** 6, cache),
                                 outcome(b, 10 ** 6), "bit %d" % bit)


class TestFields(unittest.TestCase):
    def check_bad(self, **kw):
        with self.assertRaises(mmbuf.InconsistentError, msg=kw):
            F.decode_slot(F.encode_slot(header(**kw)))

    def test_rules(self):
        self.check_bad(data_offset=8192 + 512)
        self.check_bad(data_offset=4096)
        self.check_bad(data_offset=4 * 1024 * 1024)
        self.check_bad(length=801)
        self.check_bad(file_size=8993)
        self.check_bad(capacity=2 ** 63, length=0, file_size=0)
        self.check_bad(block_shift=12)
        self.check_bad(dtype="<f3")
        self.check_bad(dtype="=f8")
        self.check_bad(shape=(10, 11))
        self.check_bad(shape=(2 ** 40, 2 ** 40, 0))   # overflow before the 0
        self.check_bad(state=4)
        self.check_bad(state=2)                        # SEALED w/o checksum
        self.check_bad(data_checksum=1)

    def test_ndim_above_8_and_stray_shape(self):
        s = bytearray(F.encode_slot(header()))
        struct.pack_into("<I", s, 128, 9)
        with self.assertRaises(mmbuf.InconsistentError):
            F.decode_slot(s)
        s = bytearray(F.encode_slot(header(ndim=1, shape=(10,))))
        struct.pack_into("<Q", s, 136 + 8 * 5, 1)
        with self.assertRaises(mmbuf.InconsistentError):
            F.decode_slot(s)

    def test_label_rules(self):
        ok = b"caf\xc3\xa9".ljust(256, b"\0")
        self.assertEqual(F.valid_label(ok), "caf\u00e9")
        self.assertIsNone(F.valid_label(b"x" * 256))           # no NUL
        self.assertIsNone(F.valid_label(b"a\0b".ljust(256, b"\0")))
        self.assertIsNone(F.valid_label(b"\xc0\xaf".ljust(256, b"\0")))
        self.assertIsNone(F.valid_label(b"\xed\xa0\x80".ljust(256, b"\0")))
        self.assertIsNone(F.valid_label(b"\xf4\x90\x80\x80".ljust(256,
                                                                b"\0")))

    def test_good_values_pass(self):
        for dt in ("<b1", ">c16", "<f2", ">u8"):
            it = F.ITEMSIZES[dt[1:]]
            F.decode_slot(F.encode_slot(header(dtype=dt, itemsize=it,
                                               shape=(2, 3))))
        F.decode_slot(F.encode_slot(header(shape=(0, 2 ** 60))))
        F.decode_slot(F.encode_slot(header(ndim=0, shape=())))
        F.decode_slot(F.encode_slot(header(version_minor=7, compat=0x80)))

    def test_parse_dtype(self):
        self.assertEqual(F.parse_dtype("f8"), ("<f8", 8))
        self.assertEqual(F.parse_dtype(">c16"), (">c16", 16))
        self.assertEqual(F.parse_dtype("|u1"), ("<u1", 1))
        self.assertEqual(F.parse_dtype(">i1"), ("<i1", 1))
        # NumPy's spellings, without NumPy (test_numpy.py checks them
        # all against np.dtype()).
        native = "<" if sys.byteorder == "little" else ">"
        for spelling, want in (("float64", native + "f8"),
                               ("d", native + "f8"), (float, native + "f8"),
                               ("double", native + "f8"), (bool, "<b1"),
                               ("?", "<b1"), ("!i4", ">i4"), (">d", ">f8"),
                               ("<complex64", "<c8"), ("B", "<u1"),
                               ("int16", native + "i2"), ("e", native + "f2"),
                               ("longlong", native + "i8")):
            self.assertEqual(F.parse_dtype(spelling)[0], want, spelling)
        for bad in ("f16", "<", "", "u3", ">f8x", 8, "g", "float128", "O",
                    "object", "U", "str", "M8", object, str, bytes):
            with self.assertRaises(mmbuf.DtypeError, msg=bad):
                F.parse_dtype(bad)


class TestDocstrings(unittest.TestCase):
    def test_every_public_name_has_a_docstring(self):
        missing = []
        for name in mmbuf.__all__:
            obj = getattr(mmbuf, name)
            if callable(obj) and not (obj.__doc__ or "").strip():
                missing.append(name)
        for cls in (mmbuf.Buffer, mmbuf.Header):
            for name, obj in vars(cls).items():
                if name.startswith("_") and name not in (
                        "__iter__", "__len__"):
                    continue
                if name in cls.__dataclass_fields__ if hasattr(
                        cls, "__dataclass_fields__") else False:
                    continue
                if not (getattr(obj, "__doc__", None) or "").strip():
                    missing.append("%s.%s" % (cls.__name__, name))
        self.assertEqual(missing, [])


# mdoc escapes that the literal blocks of EXAMPLES may use, and what they
# stand for; any other escape fails the test, rather than run something
# that the page does not show.
_ESCAPES = {"e": "\\", "&": "", "-": "-"}


def spec_examples():
    """The literal blocks of EXAMPLES in man/mmbuf.5, as the reader sees
    them: [Python reader, NumPy lines, xxd dump]."""
    with open(os.path.join(SRCDIR, "man", "mmbuf.5"), encoding="utf-8") as f:
        page = f.read()
    part = page[page.index("\n.Sh EXAMPLES\n"):page.index("\n.Sh SEE ALSO\n")]
    blocks = re.findall(r"^\.Bd -literal[^\n]*\n(.*?)^\.Ed$", part,
                        re.M | re.S)
    return [re.sub(r"\\(.)", lambda m: _ESCAPES[m.group(1)], b)
            for b in blocks]


def spec_namespace():
    """The names that the Python reader of EXAMPLES defines."""
    ns = {"__name__": "mmbuf_5_example"}
    exec(compile(spec_examples()[0], "mmbuf.5 EXAMPLES", "exec"), ns)
    return ns


# The layout of struct flock in the example is that of Linux on x86-64 and
# aarch64, as it says; elsewhere its locks cannot be run.
FLOCK_ABI = (sys.platform.startswith("linux") and hasattr(fcntl, "F_OFD_SETLK")
             and platform.machine() in ("x86_64", "aarch64"))


class TestSpecExamples(TempDirCase):
    def make(self):
        # Room past the array and the length, for a shrink.
        p = self.path("temperature.mmbuf")
        with mmbuf.create(p, capacity=64000 + 4096, dtype="<f8",
                          shape=(1000, 8), label="temperature") as b:
            b.set_length(64000)
            b.view[3, 2] = 1.5
            b.view[999, 7] = -2.25
        return p

    def test_dump_is_the_worked_example(self):
        # The xxd dump on the page is the slot the tests above decode.
        lines = spec_examples()[2].splitlines()
        self.assertTrue(lines[0].startswith("$ xxd -a -l 512 "))
        slot = bytearray()
        for line in lines[1:]:
            if line == "*":     # xxd -a: lines like the one before
                continue
            off, hx = re.match(r"([0-9a-f]{8}): ((?:[0-9a-f]{4} ?){8})",
                               line).groups()
            slot += bytes(int(off, 16) - len(slot))
            slot += bytes.fromhex(hx.replace(" ", ""))
        self.assertEqual(bytes(slot), example_slot())

    @unittest.skipUnless(FLOCK_ABI, "struct flock of x86-64 or aarch64 Linux")
    def test_reader_reads_and_holds_the_reader_lock(self):
        ns = spec_namespace()
        p = self.make()
        data, dtype, shape, label = ns["open_mmbuf"](p)
        self.assertEqual((dtype, shape, label),
                         ("<f8", (1000, 8), "temperature"))
        with mmbuf.open(p) as b:
            self.assertEqual(bytes(data), bytes(b.raw))
        self.assertEqual(struct.unpack_from("<d", data, (3 * 8 + 2) * 8),
                         (1.5,))
        # Its reader lock, on an open file of this very process, keeps a
        # shrink out, and goes with the mapping; writers may open.
        with mmbuf.open(p, "r+") as w:
            with self.assertRaises(mmbuf.BusyError):
                w.resize(64000)
            data.release()
            del data
            w.resize(64000)

    @unittest.skipUnless(FLOCK_ABI, "struct flock of x86-64 or aarch64 Linux")
    def test_writer_lock_and_writer_present(self):
        ns = spec_namespace()
        p = self.make()
        with open(p, "r+b") as f, open(p, "rb") as g:
            self.assertFalse(ns["writer_present"](g))
            ns["lock"](f, fcntl.F_WRLCK, 0)
            self.assertTrue(ns["writer_present"](g))
            # An open file description lock: a second open of this process
            # is kept out, C or Python.
            with self.assertRaises(OSError) as cm:
                ns["lock"](g, fcntl.F_RDLCK, 0)
            self.assertIn(cm.exception.errno, (errno.EAGAIN, errno.EACCES))
            with self.assertRaises(mmbuf.BusyError) as cm:
                mmbuf.open(p, "r+")
            self.assertNotIsInstance(cm.exception, mmbuf.ReadLockError)
        with open(p, "rb") as f, open(p, "rb") as g:
            # A read lock on the writer's byte is no writer, but keeps
            # writers out.
            ns["lock"](f, fcntl.F_RDLCK, 0)
            self.assertFalse(ns["writer_present"](g))
            with self.assertRaises(mmbuf.ReadLockError):
                mmbuf.open(p, "r+")
        mmbuf.open(p, "r+").close()

    @unittest.skipUnless(FLOCK_ABI, "struct flock of x86-64 or aarch64 Linux")
    def test_numpy_lines(self):
        try:
            import numpy
        except ImportError:
            self.skipTest("no NumPy in this interpreter")
        ns = spec_namespace()
        ns["numpy"] = numpy
        p = self.make()
        self.addCleanup(os.chdir, os.getcwd())
        os.chdir(self.dir)
        exec(compile(spec_examples()[1], "mmbuf.5 EXAMPLES", "exec"), ns)
        a = ns["a"]
        self.assertEqual(a.shape, (1000, 8))
        self.assertEqual((a[3, 2], a[999, 7]), (1.5, -2.25))
        self.assertTrue(os.path.samefile(p, "temperature.mmbuf"))


if __name__ == "__main__":
    main()
