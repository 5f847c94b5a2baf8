"""The public API as its users and their tools see it: type hints on every
public function, method and property (PEP 484, resolvable at run time by
typing.get_type_hints() without NumPy, and checked by mypy), docstrings
that name the C function each call corresponds to, and the C library's
words where Python has no convention of its own (create(capacity=), with
size= a deprecated alias).  That py.typed is installed is checked where
the package is installed: test_install.py (make install) and test_pip.py
(pip install).

mypy (Debian: apt-get install mypy) is needed: without it the test fails,
unless MMBUF_TEST_NO_MYPY=1 turns that into a skip."""

import dataclasses
import inspect
import os
import pydoc
import shutil
import subprocess
import sys
import typing
import warnings

from testlib import SRCDIR, TempDirCase, main, mmbuf

# The C counterpart that each docstring names, for each public callable
# and property; None where C has none.  A public name missing here fails
# test_every_public_name_is_classified: say what it corresponds to.
C_NAMES = {
    "open": "mmbuf_open()",
    "create": "mmbuf_create()",
    "save": "mmbuf_publish()",
    "load": "mmbuf_open()",
    "verify": "mmbuf_verify_path()",
    "parse_dtype": "mmbuf_dtype_parse()",
    "validate_header": "mmbuf_validate_header()",
    "checksum_backend": "mmbuf_checksum()",
    "Header": "mmbuf_info",
    "Header.replace": None,
    "Header.data_end": None,
    "Header.growing": None,
    "Header.row_bytes": None,
    "follow": None,
    "FollowWarning": None,
    "Report": "mmbuf_report",
    "Report.ok": None,
    "BadRange": "mmbuf_bad_range",
    "Buffer": None,
    "Buffer.__enter__": None,
    "Buffer.__exit__": "mmbuf_close()",
    "Buffer.__repr__": None,
    "Buffer.__len__": None,
    "Buffer.__iter__": None,
    "Buffer.__getitem__": None,
    "Buffer.__setitem__": None,
    "Buffer.__array__": "mmbuf_data()",
    "Buffer.__buffer__": None,
    "Buffer.__reduce__": None,
    "Buffer.__dlpack__": None,
    "Buffer.__dlpack_device__": None,
    "Buffer.close": "mmbuf_close()",
    "Buffer.flush": "mmbuf_sync()",
    "Buffer.advise": "mmbuf_advise()",
    "Buffer.set_length": "mmbuf_set_length()",
    "Buffer.set_label": "mmbuf_set_label()",
    "Buffer.refresh": "mmbuf_refresh()",
    "Buffer.wait": "mmbuf_wait()",
    "Buffer.follow": None,
    "Buffer.growing": "mmbuf_growing()",
    "Buffer.resize": "mmbuf_resize()",
    "Buffer.append": "mmbuf_append()",
    "Buffer.seal": "mmbuf_seal()",
    "Buffer.publish": "mmbuf_publish()",
    "Buffer.to_numpy": "mmbuf_data()",
    "Buffer.rows": None,
    "Buffer.header": "mmbuf_get_info()",
    "Buffer.path": None,
    "Buffer.dtype": "mmbuf_dtype()",
    "Buffer.itemsize": "mmbuf_itemsize()",
    "Buffer.ndim": "mmbuf_shape()",
    "Buffer.shape": "mmbuf_shape()",
    "Buffer.capacity": "mmbuf_capacity()",
    "Buffer.length": "mmbuf_length()",
    "Buffer.label": "mmbuf_label()",
    "Buffer.uuid": "mmbuf_uuid()",
    "Buffer.generation": "mmbuf_generation()",
    "Buffer.slot": "mmbuf_get_info()",
    "Buffer.state": "mmbuf_state()",
    "Buffer.unclean": "mmbuf_unclean()",
    "Buffer.writer_active": "mmbuf_writer_active()",
    "Buffer.writable": "mmbuf_writable()",
    "Buffer.closed": None,
    "Buffer.published": None,
    "Buffer.raw": "mmbuf_data()",
    "Buffer.view": "mmbuf_data()",
    "Buffer.growth": "mmbuf_set_growth()",
    "Error": "mmbuf_err_name()",
    "ViewsAliveError": None,
    "ViewError": None,
    "NoChecksumError": None,
}

# Attributes of the errors, beyond code and name, that must be annotated.
ERROR_ATTRS = {"BusyError": ("path", "writer_pid"),
               "ReadLockError": ("path", "writer_pid"),
               "ViewsAliveError": ("count",)}


def coded_error(obj):
    """Whether obj is the exception of an error code of libmmbuf."""
    return inspect.isclass(obj) and issubclass(obj, mmbuf.Error) and \
        obj.code is not None


def own_function(f):
    """Whether f is a function written in the package (not one that
    dataclasses generated, nor inherited from object)."""
    code = getattr(f, "__code__", None)
    return code is not None and os.path.basename(
        os.path.dirname(code.co_filename)) == "mmbuf"


def public_members():
    """(qualified name, function or property) of every public callable:
    the functions of mmbuf.__all__, the classes themselves, and the public
    methods, properties and protocol methods (dunders) each class of
    mmbuf.__all__ defines."""
    out = []
    for name in mmbuf.__all__:
        obj = getattr(mmbuf, name)
        if inspect.isfunction(obj):
            out.append((name, obj))
        elif inspect.isclass(obj):
            out.append((name, obj))
            for attr, member in vars(obj).items():
                dunder = attr.startswith("__") and attr.endswith("__")
                if attr.startswith("_") and not dunder or \
                        attr in ("__init__", "__del__"):
                    continue
                if isinstance(member, property):
                    out.append(("%s.%s" % (name, attr), member))
                elif inspect.isfunction(member) and own_function(member):
                    out.append(("%s.%s" % (name, attr), member))
    return out


class AnnotationTest(TempDirCase):

    def check_function(self, qual, f, method):
        sig = inspect.signature(f)
        hints = typing.get_type_hints(f)
        params = list(sig.parameters)
        if method:
            params = params[1:]     # self
        for p in params:
            self.assertIn(p, hints, "%s: parameter %s has no annotation"
                          % (qual, p))
        self.assertIn("return", hints, "%s: no return annotation" % qual)

    def test_every_public_callable_is_annotated(self):
        seen = 0
        for qual, obj in public_members():
            with self.subTest(qual):
                method = "." in qual
                if isinstance(obj, property):
                    self.check_function(qual, obj.fget, True)
                    if obj.fset is not None:
                        self.check_function(qual + ".setter", obj.fset, True)
                elif inspect.isclass(obj):
                    if own_function(getattr(obj, "__init__", None)):
                        self.check_function(qual + ".__init__",
                                            obj.__init__, True)
                    # Class attributes and dataclass fields resolve.
                    typing.get_type_hints(obj)
                else:
                    self.check_function(qual, obj, method)
                seen += 1
        self.assertGreater(seen, 60)

    def test_dataclass_fields_and_error_attributes(self):
        for cls in (mmbuf.Header, mmbuf.Report, mmbuf.BadRange):
            hints = typing.get_type_hints(cls)
            self.assertEqual(sorted(hints),
                             sorted(f.name for f in dataclasses.fields(cls)))
        self.assertEqual(typing.get_type_hints(mmbuf.Report)["reason"],
                         typing.Optional[str])
        for name in mmbuf.__all__:
            obj = getattr(mmbuf, name)
            if inspect.isclass(obj) and issubclass(obj, mmbuf.Error):
                with self.subTest(name):
                    hints = typing.get_type_hints(obj)
                    for attr in ("code", "name") + ERROR_ATTRS.get(name, ()):
                        self.assertIn(attr, hints)

    def test_some_types(self):
        hints = typing.get_type_hints(mmbuf.open)
        self.assertIs(hints["return"], mmbuf.Buffer)
        self.assertIs(hints["mode"], str)
        self.assertIn(os.PathLike[str], typing.get_args(hints["path"]))
        self.assertIs(typing.get_type_hints(mmbuf.verify)["return"],
                      mmbuf.Report)
        self.assertIs(typing.get_type_hints(
            mmbuf.Buffer.capacity.fget)["return"], int)
        self.assertEqual(typing.get_type_hints(
            mmbuf.parse_dtype)["return"], typing.Tuple[str, int])

    def test_hints_import_no_numpy(self):
        # The annotations name NumPy's types for type checkers only.
        r = self.run_py(
            "import sys, typing, test_api\n"
            "for q, o in test_api.public_members():\n"
            "    for f in (o.fget, o.fset) if isinstance(o, property) "
            "else (o,):\n"
            "        if f is not None:\n"
            "            typing.get_type_hints(f)\n"
            "print('numpy' in sys.modules)\n")
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.assertEqual(r.stdout, b"False\n")


class DocstringTest(TempDirCase):

    def test_every_public_name_is_classified(self):
        missing = [q for q, o in public_members()
                   if q not in C_NAMES and not coded_error(o)]
        self.assertEqual(missing, [], "add these to C_NAMES, with the C "
                         "function their docstrings name, or None")

    def test_docstrings_name_their_c_counterpart(self):
        for qual, obj in public_members():
            with self.subTest(qual):
                doc = inspect.getdoc(obj)
                self.assertTrue(doc, "%s has no docstring" % qual)
                if coded_error(obj):
                    want = "In C: %s (%d)." % (obj.name, obj.code)
                else:
                    want = C_NAMES[qual]
                if want is not None:
                    self.assertIn(want, doc)

    def test_c_names_exist(self):
        # What the docstrings name is in the C library's header (its
        # source: configure makes lib/mmbuf.h in the build tree).
        with open(os.path.join(SRCDIR, "lib", "mmbuf.h.in")) as f:
            header = f.read()
        for qual, want in C_NAMES.items():
            if want is not None:
                with self.subTest(qual):
                    self.assertIn(want.rstrip("()"), header)

    def test_help_of_open(self):
        text = pydoc.render_doc(mmbuf.open, renderer=pydoc.plaintext)
        for want in ("mode: 'str' = 'r'", "-> 'Buffer'", "In C: mmbuf_open()",
                     "BusyError", "TruncatedError", "os.PathLike"):
            self.assertIn(want, text)


class CapacityTest(TempDirCase):
    """create() takes the C library's word, capacity; size= still works,
    deprecated."""

    def test_capacity(self):
        self.assertIn("capacity", inspect.signature(mmbuf.create).parameters)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with mmbuf.create(self.path(), capacity=8192) as b:
                self.assertEqual(b.capacity, 8192)

    def test_size_is_a_deprecated_alias(self):
        with self.assertWarns(DeprecationWarning) as cm:
            b = mmbuf.create(self.path(), size=4096)
        with b:
            self.assertEqual(b.capacity, 4096)
        self.assertIn("capacity=", str(cm.warning))
        self.assertEqual(cm.filename, __file__)     # the caller's line
        with self.assertRaises(TypeError), \
                self.assertWarns(DeprecationWarning):
            mmbuf.create(self.path("2"), size=4096, capacity=4096)
        self.assertFalse(os.path.exists(self.path("2")))


class FormatVersionTest(TempDirCase):
    """The format's version has C's name, MMBUF_FORMAT_VERSION_* without
    the prefix; VERSION_MAJOR and VERSION_MINOR still work, deprecated."""

    def test_format_version_matches_c(self):
        with open(os.path.join(SRCDIR, "lib", "mmbuf.h.in")) as f:
            header = f.read()
        for part in ("MAJOR", "MINOR"):
            with self.subTest(part):
                value = getattr(mmbuf, "FORMAT_VERSION_" + part)
                self.assertIn("#define MMBUF_FORMAT_VERSION_%s %d\n"
                              % (part, value), header)
                self.assertIn("FORMAT_VERSION_" + part, mmbuf.__all__)
                self.assertNotIn("VERSION_" + part, mmbuf.__all__)

    def test_old_names_are_deprecated_aliases(self):
        for part in ("MAJOR", "MINOR"):
            with self.subTest(part):
                with self.assertWarns(DeprecationWarning) as cm:
                    value = getattr(mmbuf, "VERSION_" + part)
                self.assertEqual(value,
                                 getattr(mmbuf, "FORMAT_VERSION_" + part))
                self.assertIn("FORMAT_VERSION_" + part, str(cm.warning))
                self.assertEqual(cm.filename, __file__)
        with self.assertRaises(AttributeError):
            mmbuf.VERSION_PATCH


class BytesPathTest(TempDirCase):
    """A path given as bytes is shown as text in messages, not b'...'."""

    def test_busy_error_message(self):
        p = os.fsencode(self.path())
        with mmbuf.create(p, capacity=64):
            with self.assertRaises(mmbuf.BusyError) as cm:
                mmbuf.open(p, "r+")
        self.assertEqual(cm.exception.path, p)
        self.assertTrue(str(cm.exception).startswith(self.path() + ": "),
                        str(cm.exception))

    def test_buffer_message(self):
        p = os.fsencode(self.path())
        mmbuf.create(p, capacity=64).close()
        with mmbuf.open(p) as b:
            with self.assertRaises(mmbuf.ReadOnlyError) as cm:
                b.__dlpack__()
        self.assertTrue(str(cm.exception).startswith(self.path() + " "),
                        str(cm.exception))


class MypyTest(TempDirCase):

    def test_mypy_finds_nothing(self):
        mypy = shutil.which("mypy")
        if mypy is None:
            if os.environ.get("MMBUF_TEST_NO_MYPY") == "1":
                self.skipTest("no mypy (MMBUF_TEST_NO_MYPY=1)")
            self.fail("mypy not found (apt-get install mypy, or set "
                      "MMBUF_TEST_NO_MYPY=1 to skip)")
        # Checked for the oldest Python the package supports, with the
        # cache in the private directory.
        r = subprocess.run(
            [mypy, "--python-version", "3.9", "--cache-dir",
             os.path.join(self.dir, "cache"), "--disallow-incomplete-defs",
             os.path.join(SRCDIR, "python", "mmbuf")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300,
            env=dict(os.environ, MYPYPATH=""), cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stdout.decode(errors="replace"))


if __name__ == "__main__":
    main()
