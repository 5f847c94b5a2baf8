"""The command line, python3 -m mmbuf: --version."""

import sys

import mmbuf
from testlib import TempDirCase, prog, main


class CliCase(TempDirCase):
    def mmbuf_cli(self, *args, **kw):
        return self.run_prog(sys.executable, "-m", "mmbuf", *args, **kw)


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


if __name__ == "__main__":
    main()
