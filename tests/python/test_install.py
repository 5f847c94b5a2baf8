"""make install and the Python package: the package lands where the
configured interpreter looks for it (README, "Installing"), and, installed
into a private prefix, finds the libmmbuf installed beside it without
LD_LIBRARY_PATH.  Runs make in the build tree (MMBUF_BUILDDIR, MAKE),
installing into private directories only: DESTDIR for the staged install,
and a private prefix for the libmmbuf lookup.  The configuration comes
from make (tests/python/local.mk): MMBUF_PREFIX, MMBUF_PYTHONDIR,
MMBUF_LIBDIR and MMBUF_VERSION."""

import json
import os
import subprocess
import sys

from testlib import BUILDDIR, TempDirCase, main, mmbuf, prog

PREFIX = os.environ.get("MMBUF_PREFIX", "")
PYTHONDIR = os.environ.get("MMBUF_PYTHONDIR", "")
LIBDIR = os.environ.get("MMBUF_LIBDIR", "")
VERSION = os.environ.get("MMBUF_VERSION", "")


def setUpModule():
    if not (BUILDDIR and PREFIX and PYTHONDIR and LIBDIR and VERSION):
        raise AssertionError("run through make check: MMBUF_BUILDDIR, "
                             "MMBUF_PREFIX, MMBUF_PYTHONDIR, MMBUF_LIBDIR "
                             "and MMBUF_VERSION come from the makefile")


def dlname():
    """The file name of the shared libmmbuf (libtool's dlname), or ''."""
    with open(os.path.join(BUILDDIR, "lib", "libmmbuf.la")) as f:
        for line in f:
            if line.startswith("dlname='"):
                return line.strip()[len("dlname='"):-1]
    return ""


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

    def tearDown(self):
        # The private prefix install remade python/_installed.py of the
        # build tree for that prefix: make it again for the configured one.
        self.make("python/_installed.py")
        super().tearDown()

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
        # PEP 561: type checkers read the hints of an installed package
        # only if it has this marker.
        self.assertTrue(os.path.isfile(
            os.path.join(staged, "mmbuf", "py.typed")))
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
            "import mmbuf, mmbuf._installed as i; "
            "print(mmbuf.__file__); print(mmbuf.__version__); "
            "print(i.LIBRARY)", staged)
        self.assertEqual(out[0],
                         os.path.join(staged, "mmbuf", "__init__.py"))
        self.assertEqual(out[1], VERSION)
        self.assertEqual(out[2], os.path.join(LIBDIR, dlname())
                         if dlname() else "None")

    def test_private_prefix_finds_its_libmmbuf(self):
        if not dlname():
            self.skipTest("no shared libmmbuf (built with --disable-shared)")
        pfx = os.path.join(self.dir, "pfx")
        pydir = os.path.join(pfx, "python")
        # Only the library and the package, and every directory they use
        # given, so that nothing can go outside the private prefix even if
        # configure was given an absolute --libdir.
        self.make("install-libLTLIBRARIES", "install-mmbufPYTHON",
                  "install-nodist_mmbufPYTHON", "prefix=" + pfx,
                  "exec_prefix=" + pfx, "libdir=" + pfx + "/lib",
                  "pythondir=" + pydir)
        lib = os.path.join(pfx, "lib", dlname())
        seal = ("import mmbuf\n"
                "with mmbuf.create('s.mmbuf', dtype='<f8', shape=(1000,)) "
                "as b:\n"
                "    b.view[7] = 1.5\n"
                "    b.seal()\n"
                "b = mmbuf.checksum_backend()\n"
                "print(getattr(b, 'path', b.name))\n"
                "print(mmbuf.verify('s.mmbuf').verdict)\n")
        out = self.python(seal, pydir)
        self.assertEqual(out[:2], [lib, str(mmbuf.VERDICT_OK)])
        r = self.run_prog(prog("tools/verifybuf"), self.path("s.mmbuf"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # MMBUF_LIBRARY still wins.
        other = os.path.join(BUILDDIR, "lib", ".libs", "libmmbuf.so")
        out = self.python("import mmbuf\n"
                          "print(mmbuf.checksum_backend('libmmbuf').path)",
                          pydir, MMBUF_LIBRARY=other)
        self.assertEqual(out[0], other)


if __name__ == "__main__":
    main()
