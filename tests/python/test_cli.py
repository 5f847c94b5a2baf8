"""The command line, python3 -m mmbuf: --version, info --json against the
real dumpbuf --json (keys, values and bytes, damaged files included),
strict JSON whatever the file holds, and one line per failed file."""

import os
import re
import shutil
import sys

import mmbuf
import strictjson
from testlib import BUILDDIR, TempDirCase, prog, rewrite_slot, main


def strict_json(data):
    """data (bytes), one JSON value or several one after another, parsed
    as strict JSON: a list of the values."""
    return strictjson.parse(data, "seq")


def keys(v):
    """The key structure of a JSON value: nested key sets."""
    if isinstance(v, dict):
        return {k: keys(x) for k, x in v.items()}
    if isinstance(v, list):
        return [keys(x) for x in v]
    return None


class CliCase(TempDirCase):
    def mmbuf_cli(self, *args, **kw):
        return self.run_prog(sys.executable, "-m", "mmbuf", *args, **kw)

    def mkbuf(self, name, *args):
        p = os.path.join(os.fsencode(self.dir), os.fsencode(name))
        res = self.run_prog(prog("tools/mkbuf"), "-q", *args, p)
        self.assertEqual(res.returncode, 0, res.stderr)
        return p

    def some_files(self):
        """A buffer, a file that is not one and a missing file."""
        bad = os.path.join(self.dir, "bad")
        with open(bad, "wb") as f:
            f.write(b"hello\n")
        return (self.mkbuf("a.mmbuf", "-s", "8"), bad,
                os.path.join(self.dir, "missing"))


class TestVersion(CliCase):
    def test_version(self):
        res = self.mmbuf_cli("--version")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stdout, b"mmbuf %s\n"
                         % mmbuf.__version__.encode())
        # The version of the package is the version of the tools.
        c = self.run_prog(prog("tools/dumpbuf"), "--version")
        self.assertEqual(c.stdout.split()[-1], res.stdout.split()[-1])

    def test_help_names_json(self):
        res = self.mmbuf_cli("--help")
        self.assertIn(b"--version", res.stdout)
        res = self.mmbuf_cli("info", "--help")
        self.assertIn(b"--json", res.stdout)
        self.assertIn(b"dumpbuf --json", res.stdout)


class TestInfoJson(CliCase):
    def assert_like_dumpbuf(self, p, env=None):
        """info --json of p against dumpbuf --json of p: the same keys and
        values, and the same bytes; one error line where dumpbuf has one;
        statuses 0 and 1 where dumpbuf has 0 and 2."""
        py = self.mmbuf_cli("info", "--json", p, env=env)
        c = self.run_prog(prog("tools/dumpbuf"), "--json", p)
        self.assertIn(c.returncode, (0, 2), c.stderr)
        objs = strict_json(py.stdout)
        self.assertEqual(len(objs), 1)
        self.assertEqual(keys(objs[0]), keys(strict_json(c.stdout)[0]))
        self.assertEqual(objs, strict_json(c.stdout))
        self.assertEqual(py.stdout, c.stdout)
        self.assertEqual(py.returncode, {0: 0, 2: 1}[c.returncode],
                         py.stderr)
        # The error line names the file (its message may say more than
        # dumpbuf's, as info's does).
        if c.returncode:
            self.assertRegex(py.stderr, b"^mmbuf: %s: [^\n]+\n$"
                             % re.escape(os.fsencode(p)))
        else:
            self.assertEqual(py.stderr, b"")
        return objs[0]

    def test_valid_files(self):
        a = self.mkbuf("a.mmbuf", "-s", "4096", "-L", "h\u00e9llo \U0001f600")
        o = self.assert_like_dumpbuf(a)
        self.assertTrue(o["valid"])
        self.assertEqual(o["slots"][o["current_slot"]]["label"],
                         "h\u00e9llo \U0001f600")
        b = self.mkbuf("b.mmbuf", "-t", ">f8", "--shape", "3x4x5", "--seal")
        o = self.assert_like_dumpbuf(b)
        cur = o["slots"][o["current_slot"]]
        self.assertEqual((cur["shape"], cur["itemsize"], cur["sealed"]),
                         ([3, 4, 5], 8, True))
        self.assertIsNotNone(cur["data_checksum"])
        # What a terminal would obey is escaped, in the label and in the
        # file name; a byte of the name that is not UTF-8 is U+FFFD.
        label = "\x1b]0;x\x07\u009b\u202e\U000e0001\t\"q\\\x7f"
        c = self.mkbuf(b"n\x1b[2J\x9b.mmbuf", "-s", "8", "-L", label)
        o = self.assert_like_dumpbuf(c)
        self.assertEqual(o["file"], os.fsdecode(c).replace(
            "\udc9b", "\ufffd"))
        self.assertEqual(o["slots"][1]["label"], label)
        res = self.mmbuf_cli("info", "--json", c)
        for byte in res.stdout:
            self.assertTrue(byte >= 0x20 or byte == 0x0a, res.stdout)

    def test_utf8_whatever_the_locale(self):
        a = self.mkbuf("a.mmbuf", "-s", "8", "-L", "h\u00e9llo")
        self.assert_like_dumpbuf(
            a, env=dict(os.environ, PYTHONIOENCODING="ascii"))

    def test_damaged_files(self):
        a = self.mkbuf("a.mmbuf", "-s", "4096", "-L", "lbl")
        variants = {}

        def variant(name, edit):
            p = os.path.join(self.dir, name)
            shutil.copyfile(a, p)
            edit(p)
            variants[name] = p

        def flip(off):
            def edit(p):
                with open(p, "r+b") as f:
                    f.seek(off)
                    b = f.read(1)
                    f.seek(off)
                    f.write(bytes([b[0] ^ 0xff]))
            return edit

        def cut(n):
            return lambda p: os.truncate(p, n)

        variant("crc0", flip(300))                   # slot 0 CRC
        variant("crc01", lambda p: (flip(300)(p), flip(4096 + 300)(p)))
        variant("torn", lambda p: rewrite_slot(p, 1, generation_tail=99))
        variant("badlabel", lambda p: rewrite_slot(
            p, 1, label=b"ok\xff\xc3(\xed\xa0\x80\xe2\x82end"))
        variant("baddtype", lambda p: rewrite_slot(p, 1, dtype=b"<\x9bx"))
        variant("version", lambda p: rewrite_slot(p, 1, version_major=9))
        variant("short", cut(8192 + 100))            # data cut
        variant("headonly", cut(5000))               # slot 1 cut
        variant("tiny", cut(4))                      # a prefix of the magic
        variant("empty", cut(0))
        variant("zeros", lambda p: os.truncate(cut(0)(p) or p, 9000))
        errors = {"crc0": None, "crc01": "MMBUF_ECHECKSUM",
                  "torn": None, "badlabel": None, "baddtype": None,
                  "version": "MMBUF_EVERSION", "short": "MMBUF_ETRUNCATED",
                  "headonly": "MMBUF_ETRUNCATED", "tiny": "MMBUF_EMAGIC",
                  "empty": "MMBUF_EMAGIC", "zeros": "MMBUF_EMAGIC"}
        seen = set()
        for name, p in sorted(variants.items()):
            with self.subTest(name):
                o = self.assert_like_dumpbuf(p)
                seen.add(o["valid"])
                self.assertEqual(o["error"], errors[name])
                if name == "badlabel":
                    self.assertEqual(o["slots"][1]["label"],
                                     "ok\ufffd\ufffd(\ufffd\ufffd\ufffd"
                                     "\ufffd\ufffdend")
                if name == "baddtype":
                    self.assertIsNone(o["slots"][1]["itemsize"])
        self.assertEqual(seen, {True, False})

    def test_several_files_and_failures(self):
        a, bad, missing = self.some_files()
        fifo = os.path.join(self.dir, "fifo")
        os.mkfifo(fifo)             # refused, without waiting for a peer
        res = self.mmbuf_cli("info", "--json", a, bad, missing, self.dir,
                             fifo, a)
        one = self.run_prog(prog("tools/dumpbuf"), "--json", a).stdout
        two = self.run_prog(prog("tools/dumpbuf"), "--json", bad).stdout
        self.assertEqual(res.returncode, 1)
        # One object per file that could be read, damaged or not, and
        # nothing else on standard output.
        self.assertEqual(res.stdout, one + two + one)
        self.assertEqual(len(strict_json(res.stdout)), 3)
        self.assertEqual(res.stderr.decode().splitlines(), [
            "mmbuf: %s: not an mmbuf buffer file (bad magic)" % bad,
            "mmbuf: %s: No such file or directory" % missing,
            "mmbuf: %s: not a regular file" % self.dir,
            "mmbuf: %s: not a regular file" % fifo])


class TestInfoText(CliCase):
    def test_failed_files_print_one_line(self):
        a, bad, missing = self.some_files()
        alone = self.mmbuf_cli("info", a)
        self.assertEqual(alone.returncode, 0, alone.stderr)
        res = self.mmbuf_cli("info", bad, a, missing, self.dir, a, bad)
        self.assertEqual(res.returncode, 1)
        # No blank line for a file that failed: only between records.
        self.assertEqual(res.stdout, alone.stdout + b"\n" + alone.stdout)
        self.assertEqual(res.stderr.decode().splitlines(), [
            "mmbuf: %s: not an mmbuf buffer file (bad magic)" % bad,
            "mmbuf: %s: No such file or directory" % missing,
            "mmbuf: %s: not a regular file" % self.dir,
            "mmbuf: %s: not an mmbuf buffer file (bad magic)" % bad])

    def test_state_words(self):
        # "writer open", as dumpbuf -H and mmbuf(5) say it, and "unclean".
        a = self.mkbuf("a.mmbuf", "-s", "8")
        with mmbuf.open(a, "r+"):
            res = self.mmbuf_cli("info", a)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn(b"\nstate:        writer open (a writer is at work)\n",
                      res.stdout)
        res = self.run_py("import mmbuf, os, sys\n"
                          "b = mmbuf.open(sys.argv[1], 'r+')\n"
                          "os.kill(os.getpid(), 9)\n", a)
        res = self.mmbuf_cli("info", a)
        self.assertIn(b"\nstate:        writer open (unclean)\n", res.stdout)


class TestUsage(CliCase):
    """A wrong command line exits with 64 (EX_USAGE), as the C tools do,
    whatever the command, after one line naming the problem and a pointer
    to --help; argparse's 2 would read as verify's "corruption found"."""

    def test_usage_errors(self):
        f = self.mkbuf("a.mmbuf", "-s", "8")
        cases = [
            ((), "python3 -m mmbuf", "COMMAND"),
            (("frob", f), "python3 -m mmbuf", "invalid choice: 'frob'"),
            (("--bogus",), "python3 -m mmbuf", "COMMAND"),
            (("--bogus", "info", f), "python3 -m mmbuf info", "--bogus"),
            (("--version=3",), "python3 -m mmbuf", "--version"),
            (("info",), "python3 -m mmbuf info", "FILE"),
            (("info", "--bogus", f), "python3 -m mmbuf info", "--bogus"),
            (("info", "--json=1", f), "python3 -m mmbuf info", "--json"),
            (("verify",), "python3 -m mmbuf verify", "FILE"),
            (("verify", "-x", f), "python3 -m mmbuf verify", "-x"),
            (("verify", "--backend", "nope", f), "python3 -m mmbuf verify",
             "invalid choice: 'nope'"),
        ]
        for args, prog_name, names in cases:
            with self.subTest(args=args):
                res = self.mmbuf_cli(*args)
                self.assertEqual(res.returncode, 64, res.stderr)
                self.assertEqual(res.stdout, b"")
                lines = res.stderr.decode().splitlines()
                self.assertEqual(len(lines), 2, lines)
                self.assertTrue(lines[0].startswith(prog_name + ": "),
                                lines)
                self.assertIn(names, lines[0])
                self.assertEqual(lines[1], "Try '%s --help' for more "
                                 "information." % prog_name)

    def test_help_names_the_status(self):
        for cmd in ("info", "verify"):
            with self.subTest(cmd):
                res = self.mmbuf_cli(cmd, "--help")
                self.assertEqual(res.returncode, 0, res.stderr)
                self.assertIn(b"64 usage error", b" ".join(res.stdout.split()))


class TestNotABuffer(CliCase):
    """What python3 -m mmbuf says of files that are not buffers, word for
    word as verifybuf and dumpbuf say it (tests/tools/hints.sh): a .npy
    file is named as one, and an empty file or one shorter than the magic
    is not a buffer file (mmbuf(5), "Magic")."""

    NPY = ("a NumPy .npy file, not an mmbuf buffer file "
           "(mkbuf --from-npy makes a buffer of it)")
    MAGIC = "not an mmbuf buffer file (bad magic)"

    def files(self):
        out = {}
        for name, data in (("a.npy", b"\x93NUMPY\x01\x00v\x00{'descr': "
                            b"'|u1', 'fortran_order': False, 'shape': "
                            b"(4,), }" + b" " * 51 + b"\nabcd"),
                           ("empty", b""), ("prefix", b"\x8dMMB")):
            p = os.path.join(self.dir, name)
            with open(p, "wb") as f:
                f.write(data)
            out[name] = p
        return out

    def test_info_and_verify(self):
        # verify needs an XXH3-64 back end before it reads a file: the
        # libmmbuf of the build tree (a VPATH build has no _installed.py
        # in the source tree to find it by).
        lib = os.path.join(BUILDDIR, "lib", ".libs", "libmmbuf.so")
        if not os.path.exists(lib):
            self.skipTest("no shared libmmbuf in the build tree "
                          "(built with --disable-shared?)")
        env = dict(os.environ, MMBUF_LIBRARY=lib)
        for name, p in sorted(self.files().items()):
            msg = self.NPY if name == "a.npy" else self.MAGIC
            with self.subTest(name):
                res = self.mmbuf_cli("info", p)
                self.assertEqual(res.returncode, 1)
                self.assertEqual(res.stderr.decode(),
                                 "mmbuf: %s: %s\n" % (p, msg))
                res = self.mmbuf_cli("verify", p, env=env)
                self.assertEqual(res.returncode, 3, res.stderr)
                self.assertEqual(res.stdout.decode(),
                                 "%s: cannot check: %s\n" % (p, msg))
                c = self.run_prog(prog("tools/verifybuf"), p)
                self.assertEqual(c.stdout, res.stdout)
                self.assertEqual(c.returncode, res.returncode)


if __name__ == "__main__":
    main()
