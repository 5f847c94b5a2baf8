"""pip install ./python in a virtual environment, offline, as README's
"Installing" says: a venv that sees Debian's setuptools and wheel
(--system-site-packages), pip install --no-index --no-build-isolation.
The result is a pure-Python wheel (py3-none-any; CC is false, so a
compiler call would fail) whose version is configure's, and whose package
records no libmmbuf (it finds one through ctypes).  Run by run-test.sh
with an interpreter that has venv, pip, setuptools and wheel (Debian:
python3-venv, python3-pip, python3-setuptools); never skipped silently."""

import glob
import os
import shutil
import subprocess
import sys

from testlib import SRCDIR, TempDirCase, main

VERSION = os.environ.get("MMBUF_VERSION", "")


class PipCase(TempDirCase):

    def run_ok(self, args, **kw):
        r = subprocess.run(args, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=300, **kw)
        self.assertEqual(r.returncode, 0, "%s:\n%s" % (
            " ".join(args), r.stdout.decode(errors="replace")))
        return r.stdout.decode()

    def test_pip_install_in_a_venv_offline(self):
        self.assertTrue(VERSION, "run through make check (MMBUF_VERSION)")
        # A copy: pip builds in place, and the source tree may be
        # read-only (distcheck).
        src = os.path.join(self.dir, "python")
        os.mkdir(src)
        shutil.copy(os.path.join(SRCDIR, "python", "pyproject.toml"), src)
        shutil.copytree(os.path.join(SRCDIR, "python", "mmbuf"),
                        os.path.join(src, "mmbuf"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        venv = os.path.join(self.dir, "venv")
        self.run_ok([sys.executable, "-m", "venv", "--without-pip",
                     "--system-site-packages", venv])
        py = os.path.join(venv, "bin", "python")
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONPATH", "PIP_FIND_LINKS")}
        env.update(CC="false", CXX="false", PIP_NO_INDEX="1",
                   PIP_DISABLE_PIP_VERSION_CHECK="1")
        self.run_ok([py, "-m", "pip", "install", "--no-index",
                     "--no-build-isolation", src], env=env)
        out = self.run_ok(
            [py, "-c", "import importlib.metadata as m, mmbuf, "
             "mmbuf._checksum as c; print(mmbuf.__version__); "
             "print(m.version('mmbuf')); print(mmbuf.__file__); "
             "print(c._installed_library())"], env=env, cwd=self.dir).split()
        self.assertEqual(out[:2], [VERSION, VERSION])
        self.assertTrue(out[2].startswith(venv + os.sep), out[2])
        # PEP 561: the marker of a package with type hints.
        self.assertTrue(os.path.isfile(os.path.join(
            os.path.dirname(out[2]), "py.typed")))
        self.assertEqual(out[3], "None")
        wheel, = glob.glob(os.path.join(
            venv, "lib", "python*", "site-packages",
            "mmbuf-%s.dist-info" % VERSION, "WHEEL"))
        with open(wheel) as f:
            tags = f.read()
        self.assertIn("Root-Is-Purelib: true", tags)
        self.assertIn("Tag: py3-none-any", tags)


if __name__ == "__main__":
    main()
