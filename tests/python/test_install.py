"""make install and the Python package: the package lands where the
configured interpreter looks for it (README).  Runs make in the build tree
(MMBUF_BUILDDIR, MAKE), installing into a private DESTDIR only.  The
configuration comes from make (python/local.mk): MMBUF_PREFIX,
MMBUF_PYTHONDIR and MMBUF_VERSION."""

import json
import os
import subprocess
import sys

from testlib import BUILDDIR, TempDirCase, main

PREFIX = os.environ.get("MMBUF_PREFIX", "")
PYTHONDIR = os.environ.get("MMBUF_PYTHONDIR", "")
VERSION = os.environ.get("MMBUF_VERSION", "")


def setUpModule():
    if not (BUILDDIR and PREFIX and PYTHONDIR and VERSION):
        raise AssertionError("run through make check: MMBUF_BUILDDIR, "
                             "MMBUF_PREFIX, MMBUF_PYTHONDIR and "
                             "MMBUF_VERSION come from the makefile")


def site_dirs(prefix):
    """The directories under prefix where the interpreter of the tests
    (configure's PYTHON) looks for packages: its site directories, its
    user site and sys.path (which lists only those that exist, and a
    fresh system may not have /usr/local/lib/python3.X/dist-packages yet),
    without PYTHONPATH (-E)."""
    out = subprocess.run(
        [sys.executable, "-E", "-c",
         "import json, site, sys; d = list(site.getsitepackages()); "
         "d += [site.getusersitepackages()] if site.ENABLE_USER_SITE else []; "
         "print(json.dumps(d + sys.path))"],
        stdout=subprocess.PIPE, check=True, timeout=60).stdout
    top = os.path.normpath(prefix).rstrip("/") + "/"
    return list(dict.fromkeys(
        os.path.normpath(d) for d in json.loads(out)
        if d and os.path.normpath(d).startswith(top)
        and os.path.basename(d) in ("site-packages", "dist-packages")))


class InstallCase(TempDirCase):

    def make(self, *args):
        """make ARGS in the build tree, not as part of the parent make's
        job server, with no overrides of the parent make's command line."""
        env = {k: v for k, v in os.environ.items()
               if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
        r = subprocess.run(
            [os.environ.get("MAKE", "make"), "-s", "-C", BUILDDIR] +
            list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env=env, timeout=300)
        self.assertEqual(r.returncode, 0, r.stdout.decode(errors="replace"))

    def python(self, code, pythonpath, **env):
        """Run code with the installed package: PYTHONPATH only, and no
        LD_LIBRARY_PATH or MMBUF_LIBRARY unless given."""
        e = {k: v for k, v in os.environ.items()
             if k not in ("PYTHONPATH", "LD_LIBRARY_PATH", "MMBUF_LIBRARY")}
        e["PYTHONPATH"] = pythonpath
        e.update(env)
        r = subprocess.run([sys.executable, "-c", code], cwd=self.dir,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=e, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode(errors="replace"))
        return r.stdout.decode().split("\n")

    def test_staged_where_the_interpreter_looks(self):
        stage = os.path.join(self.dir, "stage")
        self.make("install", "DESTDIR=" + stage)
        staged = stage + PYTHONDIR
        self.assertTrue(os.path.isfile(
            os.path.join(staged, "mmbuf", "__init__.py")),
            "make install DESTDIR=%s did not stage %s/mmbuf"
            % (stage, PYTHONDIR))
        looks = site_dirs(PREFIX)
        if looks:
            # Debian's python3 and the default prefix /usr/local: the
            # package goes to /usr/local/lib/python3.X/dist-packages.
            self.assertIn(os.path.normpath(PYTHONDIR), looks,
                          "%s looks for packages under %s in %s only"
                          % (sys.executable, PREFIX, ", ".join(looks)))
        else:
            # A private prefix (for this interpreter): the PYTHONPATH that
            # README and configure's message give.
            self.assertEqual(
                os.path.normpath(PYTHONDIR),
                os.path.join(PREFIX, "lib", "python%d.%d" %
                             sys.version_info[:2], "site-packages"))
        out = self.python(
            "import mmbuf; print(mmbuf.__file__); print(mmbuf.__version__)",
            staged)
        self.assertEqual(out[0],
                         os.path.join(staged, "mmbuf", "__init__.py"))
        self.assertEqual(out[1], VERSION)


if __name__ == "__main__":
    main()
