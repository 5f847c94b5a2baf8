"""The command line, python3 -m mmbuf: --version, and one line per
failed file."""

import os
import sys

import mmbuf
from testlib import TempDirCase, prog, main


class CliCase(TempDirCase):
    def mmbuf_cli(self, *args, **kw):
        return self.run_prog(sys.executable, "-m", "mmbuf", *args, **kw)

    def mkbuf(self, name, *args):
        p = os.path.join(os.fsencode(self.dir), os.fsencode(name))
        res = self.run_prog(prog("tools/mkbuf"), "-q", *args, p)
        self.assertEqual(res.returncode, 0, res.stderr)
        return p


class TestVersion(CliCase):
    def test_version(self):
        res = self.mmbuf_cli("--version")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stdout, b"mmbuf %s\n"
                         % mmbuf.__version__.encode())
        # The version of the package is the version of the tools.
        c = self.run_prog(prog("tools/dumpbuf"), "--version")
        self.assertEqual(c.stdout.split()[-1], res.stdout.split()[-1])
        res = self.mmbuf_cli("--help")
        self.assertIn(b"--version", res.stdout)


class TestInfoText(CliCase):
    def test_failed_files_print_one_line(self):
        a = self.mkbuf("a.mmbuf", "-s", "8")
        bad = os.path.join(self.dir, "bad")
        with open(bad, "wb") as f:
            f.write(b"hello\n")
        missing = os.path.join(self.dir, "missing")
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


if __name__ == "__main__":
    main()
