"""Cross-language tests: buffers made by the C library read in Python and
the reverse, writer exclusion between C and Python, unclean close in both
directions.  The C side is the build tree's mktestbuf, dumpbuf and
libmmbuf (through ctypes)."""

import ctypes
import json
import math
import os
import re
import signal
import struct
import subprocess
import sys

from mmbuf import _errors as E
from testlib import (BUILDDIR, DTYPES, F, SRCDIR, Lib, TempDirCase, main,
                     mmbuf, prog, rewrite_slot, sampled, slot_bytes)

STRUCT = {"b1": "?", "u1": "B", "i1": "b", "u2": "H", "i2": "h",
          "u4": "I", "i4": "i", "u8": "Q", "i8": "q", "f2": "e",
          "f4": "f", "f8": "d", "c8": "f", "c16": "d"}

SHAPES = [(), (7,), (3, 2), (2, 1, 3, 1, 2, 1, 1, 2)]


def py_values(dtype, data):
    """The elements of data (bytes), decoded with struct alone."""
    code = dtype[1:]
    n = F.ITEMSIZES[code]
    count = len(data) // n
    if code in ("c8", "c16"):
        parts = struct.unpack("%s%d%s" % (dtype[0], 2 * count, STRUCT[code]),
                              data[:count * n])
        return [complex(parts[k], parts[k + 1])
                for k in range(0, len(parts), 2)]
    return list(struct.unpack("%s%d%s" % (dtype[0], count, STRUCT[code]),
                              data[:count * n]))


def c_values(text):
    """The values that dumpbuf -t printed, in order."""
    out = []
    for line in text.splitlines():
        line = re.sub(r"^\[[0-9, ]*\] ?", "", line)
        for tok in line.split():
            if tok in ("True", "False"):
                out.append(tok == "True")
            elif tok.startswith("("):
                out.append(complex(tok))
            elif re.fullmatch(r"-?[0-9]+", tok):
                out.append(int(tok))
            else:
                out.append(float(tok))
    return out


def same(dtype, py, c):
    """Whether a value read by Python and one printed by C are the same
    element: C prints the shortest text of the element's own precision,
    so it is rounded to that precision before comparing."""
    code = dtype[1:]
    if isinstance(py, complex):
        fmt = STRUCT[code]
        return all(same("<" + ("f4" if fmt == "f" else "f8"), a, b)
                   for a, b in ((py.real, c.real), (py.imag, c.imag)))
    if isinstance(py, float):
        if math.isnan(py):
            return math.isnan(c)
        c = struct.unpack("<" + STRUCT[code],
                          struct.pack("<" + STRUCT[code], c))[0]
        return py == c and math.copysign(1, py) == math.copysign(1, c)
    return py == c and type(py) is type(c)


class CrossCase(TempDirCase):
    def dump(self, *args):
        res = self.run_prog(prog("tools/dumpbuf"), *args)
        self.assertEqual(res.returncode, 0, res.stderr)
        return res.stdout

    def check_same(self, p, dtype, shape, label):
        """Python and C read the same header, bytes and values of p."""
        info = json.loads(self.dump("--json", p))
        cur = info["slots"][info["current_slot"]]
        with mmbuf.open(p) as b:
            self.assertEqual((b.header.shape, b.label), (shape, label))
            self.assertEqual(b.dtype, cur["dtype"])
            # One-byte types: '<' and '>' mean the same (mmbuf(5)).
            self.assertEqual(b.dtype[1:], dtype[1:])
            if b.itemsize > 1:
                self.assertEqual(b.dtype[0], dtype[0])
            dtype = b.dtype
            for k in ("generation", "length", "capacity", "data_offset",
                      "file_size", "state", "ndim", "writer_pid"):
                self.assertEqual(getattr(b.header, k), cur[k], k)
            self.assertEqual(list(b.header.shape), cur["shape"])
            self.assertEqual(b.slot, info["current_slot"])
            raw = bytes(b.raw)
            self.assertEqual(raw, self.dump("--raw", p))
            py = py_values(dtype, raw)
            c = c_values(self.dump("-t", p).decode())
            if shape:      # dumpbuf shows the declared array
                py = py[:len(c)]
            self.assertEqual(len(py), len(c))
            for k, (x, y) in enumerate(zip(py, c)):
                self.assertTrue(same(dtype, x, y),
                                "%s element %d: Python %r, C %r"
                                % (dtype, k, x, y))
            try:
                view = b.view
            except mmbuf.ViewError:
                return
            flat = view.cast("B").cast(view.format).tolist() \
                if view.ndim > 1 else view.tolist()
            want = py_values(dtype, bytes(view.cast("B")))
            self.assertEqual(len(flat), len(want))
            for k, (x, y) in enumerate(zip(flat, want)):   # NaN != NaN
                self.assertTrue(same(dtype, x, y), "%s .view element %d: "
                                "%r, not %r" % (dtype, k, x, y))


class TestCMadeReadInPython(CrossCase):
    def make(self, p, dtype, shape, seed, label=""):
        n = F.ITEMSIZES[dtype[1:]]
        for d in shape:
            n *= d
        if not shape:
            n *= 5
        args = [prog("tests/tools/mktestbuf"), "--dtype", dtype,
                "--random", "%d:%d" % (seed, n), "--label", label]
        if shape:
            args += ["--shape", ",".join(map(str, shape))]
        res = self.run_prog(*args, p)
        self.assertEqual(res.returncode, 0, res.stderr)

    def test_every_dtype_and_shape(self):
        # Every pair in make check-long; in make check, each dtype with one
        # shape, each shape with 7 dtypes.
        seed = 1
        for i, dtype in enumerate(DTYPES):
            for j, shape in enumerate(SHAPES):
                if not sampled(i + j, len(SHAPES)):
                    seed += 1
                    continue
                with self.subTest(dtype=dtype, shape=shape):
                    p = self.path("%d.mmbuf" % seed)
                    self.make(p, dtype, shape, seed, "s%d" % seed)
                    self.check_same(p, dtype, shape, "s%d" % seed)
                seed += 1

    def test_every_ndim(self):
        for ndim in range(0, 9):
            shape = (2, 3, 1, 2, 2, 1, 3, 2)[:ndim]
            with self.subTest(ndim=ndim):
                p = self.path("n%d.mmbuf" % ndim)
                self.make(p, "<i2", shape, 100 + ndim)
                self.check_same(p, "<i2", shape, "")
                with mmbuf.open(p) as b:
                    if ndim:
                        self.assertEqual(b.view.shape, shape)


class TestPythonMadeReadInC(CrossCase):
    def test_every_dtype(self):
        lib = Lib()
        for k, dtype in enumerate(DTYPES):
            shape = SHAPES[k % len(SHAPES)]
            with self.subTest(dtype=dtype, shape=shape):
                p = self.path("%d.mmbuf" % k)
                n = F.ITEMSIZES[dtype[1:]] * (math.prod(shape) if shape
                                              else 6)
                with mmbuf.create(p, dtype=dtype, shape=shape or None,
                                  capacity=n + 3,
                                  label="py\u00e9%d" % k) as b:
                    b.raw[:n] = os.urandom(n)
                    b.set_length(n)
                self.check_same(p, dtype, shape, "py\u00e9%d" % k)
                err, h = lib.open(p, lib.RDONLY)
                self.assertEqual(err, 0, lib.so.mmbuf_strerror(err))
                self.assertEqual(lib.so.mmbuf_length(h), n)
                self.assertEqual(lib.so.mmbuf_unclean(h), 0)
                lib.close(h)
                err, h = lib.open(p, lib.RDWR)
                self.assertEqual(err, 0, lib.so.mmbuf_strerror(err))
                self.assertEqual(lib.close(h), 0)
                with mmbuf.open(p) as b:     # and back after a C writer
                    self.assertEqual(b.length, n)
                    self.assertFalse(b.unclean)


HOLD_C_WRITER = """
import ctypes, os, sys, time
so = ctypes.CDLL(sys.argv[2])
h = ctypes.c_void_p()
err = so.mmbuf_open(sys.argv[1].encode(), 1, ctypes.byref(h))
print(err, flush=True)
if sys.argv[3] == "kill":
    os.kill(os.getpid(), 9)
sys.stdin.read()
"""


class TestLocksAcrossLanguages(TempDirCase):
    def setUp(self):
        super().setUp()
        self.lib = Lib()
        self.p = self.path()
        mmbuf.create(self.p, capacity=64).close()

    def test_c_writer_excludes_python_in_process(self):
        # One process: only open file description locks can tell the two
        # opens apart (lockf() locks would not conflict here).
        err, h = self.lib.open(self.p, self.lib.RDWR)
        self.assertEqual(err, 0)
        with self.assertRaises(mmbuf.BusyError):
            mmbuf.open(self.p, "r+")
        with mmbuf.open(self.p) as r:
            self.assertTrue(r.writer_active)
        self.assertEqual(self.lib.close(h), 0)
        mmbuf.open(self.p, "r+").close()

    def test_python_writer_excludes_c_in_process(self):
        w = mmbuf.open(self.p, "r+")
        err, h = self.lib.open(self.p, self.lib.RDWR)
        self.assertEqual(err, self.lib.EBUSY)
        err, h = self.lib.open(self.p, self.lib.RDONLY)
        self.assertEqual(err, 0)
        self.assertEqual(self.lib.so.mmbuf_writer_active(h), 1)
        self.lib.close(h)
        w.close()
        err, h = self.lib.open(self.p, self.lib.RDWR)
        self.assertEqual(err, 0)
        self.lib.close(h)

    def test_c_writer_in_another_process(self):
        child = subprocess.Popen(
            [sys.executable, "-c", HOLD_C_WRITER, self.p, self.lib.so._name,
             "hold"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        try:
            self.assertEqual(child.stdout.readline().strip(), b"0")
            with self.assertRaises(mmbuf.BusyError):
                mmbuf.open(self.p, "r+")
        finally:
            child.stdin.close()
            child.wait(timeout=30)
            child.stdout.close()
        mmbuf.open(self.p, "r+").close()

    def test_python_writer_in_another_process(self):
        child = subprocess.Popen(
            [sys.executable, "-c", "import mmbuf, sys\n"
             "b = mmbuf.open(sys.argv[1], 'r+')\nprint('ok', flush=True)\n"
             "sys.stdin.read()\nb.close()\n", self.p],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        try:
            self.assertEqual(child.stdout.readline().strip(), b"ok")
            err, h = self.lib.open(self.p, self.lib.RDWR)
            self.assertEqual(err, self.lib.EBUSY)
        finally:
            child.stdin.close()
            child.wait(timeout=30)
            child.stdout.close()
        self.assertEqual(child.returncode, 0)
        err, h = self.lib.open(self.p, self.lib.RDWR)
        self.assertEqual(err, 0)
        self.lib.close(h)

    def test_killed_python_writer_seen_by_c(self):
        res = self.run_py("import mmbuf, os, sys\n"
                          "b = mmbuf.open(sys.argv[1], 'r+')\n"
                          "os.kill(os.getpid(), 9)\n", self.p)
        self.assertEqual(res.returncode, -signal.SIGKILL)
        out = self.run_prog(prog("tools/dumpbuf"), "--json", self.p)
        info = json.loads(out.stdout)
        self.assertTrue(info["slots"][info["current_slot"]]["writer_open"])
        err, h = self.lib.open(self.p, self.lib.RDONLY)
        self.assertEqual(err, 0)
        self.assertEqual(self.lib.so.mmbuf_unclean(h), 1)
        self.assertEqual(self.lib.so.mmbuf_writer_active(h), 0)
        self.lib.close(h)

    def test_killed_c_writer_seen_by_python(self):
        res = self.run_prog(sys.executable, "-c", HOLD_C_WRITER, self.p,
                            self.lib.so._name, "kill")
        self.assertEqual(res.returncode, -signal.SIGKILL)
        self.assertEqual(res.stdout.strip(), b"0")
        with mmbuf.open(self.p) as r:
            self.assertTrue(r.unclean)
            self.assertFalse(r.writer_active)
        with mmbuf.open(self.p, "r+") as w:
            self.assertTrue(w.unclean)
        err, h = self.lib.open(self.p, self.lib.RDONLY)
        self.assertEqual(self.lib.so.mmbuf_unclean(h), 0)
        self.lib.close(h)


def c_error_map():
    """{name: (code, message)} of MMBUF_ERROR_MAP, the X-macro list of
    mmbuf's own error codes in lib/mmbuf.h.in (the header's source:
    configure makes lib/mmbuf.h in the build tree), and MMBUF_ERR_MIN and
    MMBUF_ERR_MAX, the range reserved for them."""
    with open(os.path.join(SRCDIR, "lib", "mmbuf.h.in")) as f:
        header = f.read()
    m = re.search(r"^#define MMBUF_ERROR_MAP\(XX\)((?:.*\\\n)*.*)$",
                  header, re.M)
    body = m.group(1).replace("\\\n", " ")
    entries = re.findall(r'XX\((\w+),\s*(-?\d+),\s*((?:"[^"\\]*"\s*)+)\)',
                         body)
    # Every entry was read: none is left out by a spelling the pattern
    # above does not know.
    if len(entries) != body.count("XX("):
        raise AssertionError("MMBUF_ERROR_MAP not understood: " + body)
    errors = {"MMBUF_E" + name: (int(code), "".join(re.findall(
        r'"([^"]*)"', msg))) for name, code, msg in entries}
    low, high = (int(re.search(r"\b%s = (-\d+)" % n, header).group(1))
                 for n in ("MMBUF_ERR_MIN", "MMBUF_ERR_MAX"))
    return errors, low, high


class TestErrorsAcrossLanguages(TempDirCase):
    """Python raises, and prints, what libmmbuf returns and prints: every
    code of the C library has its class in Python, with the same name,
    code and message, and Python has no code that C lacks."""

    maxDiff = None

    def python_errors(self):
        """{name: (code, message)} of Python's table, after checking that
        each class is exported by mmbuf under its own name."""
        self.assertEqual(set(E.BY_NAME), set(E.MESSAGES))
        for name, cls in E.BY_NAME.items():
            with self.subTest(name):
                self.assertEqual(cls.name, name)
                self.assertTrue(issubclass(cls, mmbuf.Error))
                self.assertIn(cls.__name__, mmbuf.__all__)
                self.assertIs(getattr(mmbuf, cls.__name__), cls)
        # And every exported class with a code is in the table.
        exported = [getattr(mmbuf, n) for n in mmbuf.__all__]
        coded = {c.name for c in exported if isinstance(c, type) and
                 issubclass(c, mmbuf.Error) and c.code is not None}
        self.assertEqual(coded, set(E.BY_NAME))
        return {name: (cls.code, E.MESSAGES[name])
                for name, cls in E.BY_NAME.items()}

    def test_python_has_every_code_of_the_header(self):
        # Also where libmmbuf is built static only.
        errors, _, _ = c_error_map()
        self.assertIn("MMBUF_EREADLOCK", errors)
        self.assertEqual(self.python_errors(), errors)

    def test_python_names_and_messages_are_libmmbufs(self):
        # What mmbuf_err_name() and mmbuf_strerror() return for every
        # value of the reserved range, compared with Python's table, both
        # ways.
        so = Lib().so
        so.mmbuf_err_name.restype = ctypes.c_char_p
        _, low, high = c_error_map()
        c_errors = {}
        for code in range(low, high + 1):
            name = so.mmbuf_err_name(code).decode()
            if name != "UNKNOWN":
                c_errors[name] = (code, so.mmbuf_strerror(code).decode())
        self.assertIn("MMBUF_EREADLOCK", c_errors)
        self.assertEqual(self.python_errors(), c_errors)


class TestLockingSetByEveryWriter(TempDirCase):
    """mmbuf(5), "Feature flags": writers that take the locks set LOCKING
    in every slot they write, also in a file whose slots lack it (as a
    writer that takes no locks leaves them).  Every kind of commit, by the
    C tools and by Python, each starting from such a file."""

    def setUp(self):
        super().setUp()
        self.p = self.path()
        self.run_ok(prog("tools/mkbuf"), "-q", "-s", "16K", "--fill", "1",
                    self.p)
        # Sealing in Python needs an XXH3-64 back end: the build tree's.
        lib = os.path.join(BUILDDIR, "lib", ".libs", "libmmbuf.so")
        if os.path.exists(lib):
            os.environ["MMBUF_LIBRARY"] = lib

    def run_ok(self, *args, ok=(0,)):
        res = self.run_prog(*args)
        self.assertIn(res.returncode, ok, res.stderr)

    def slot(self, i):
        """(generation, ro_compat) of slot i."""
        s = slot_bytes(self.p, i)
        return struct.unpack_from("<Q", s, 8)[0], \
            struct.unpack_from("<Q", s, 32)[0]

    def current(self):
        return max((0, 1), key=lambda i: self.slot(i)[0])

    def clear(self):
        for i in (0, 1):
            rewrite_slot(self.p, i,
                         ro_compat=self.slot(i)[1] & ~F.RO_COMPAT_LOCKING)

    def assert_locking(self, what, slots=None):
        for i in (self.current(),) if slots is None else slots:
            self.assertTrue(self.slot(i)[1] & F.RO_COMPAT_LOCKING,
                            "slot %d lacks LOCKING after %s" % (i, what))

    def test_tools(self):
        self.clear()
        self.run_ok(prog("tools/editbuf"), "--set", "0=ff", self.p)
        self.assert_locking("editbuf --set")
        self.clear()
        self.run_ok(prog("tools/mkbuf"), "-q", "--resize", "32K", self.p)
        self.assert_locking("mkbuf --resize")
        self.clear()
        self.run_ok(prog("tools/verifybuf"), "-q", "--seal", self.p)
        self.assert_locking("verifybuf --seal", (0, 1))
        # A repair rewrites the older slot, damaged here, from the other.
        self.clear()
        older = 1 - self.current()
        with open(self.p, "r+b") as f:
            f.seek(F.PAGE * older + 300)
            f.write(b"\xff")
        self.run_ok(prog("tools/verifybuf"), "-q", "--repair", self.p)
        self.assertEqual(self.current(), older)
        self.assert_locking("verifybuf --repair")

    def test_python(self):
        steps = [
            ("set_length", lambda b: b.set_length(100)),
            ("set_label", lambda b: b.set_label("x", durable=False)),
            ("append", lambda b: b.append(b"abc")),
            ("resize", lambda b: b.resize(64 * 1024)),
        ]
        if "MMBUF_LIBRARY" in os.environ:
            steps.append(("seal", lambda b: b.seal(block_size=4096)))
        for name, step in steps:
            self.clear()
            b = mmbuf.open(self.p, "r+")
            try:
                self.assert_locking("open r+")
                self.clear()
                step(b)
                self.assert_locking(name)
                self.clear()
            finally:
                b.close()
            self.assert_locking("close", (0, 1) if name == "seal" else None)


if __name__ == "__main__":
    main()
