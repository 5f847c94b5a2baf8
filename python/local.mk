# python: the mmbuf package, pure Python, installed through Automake's own
# Python support into $(pythondir)/mmbuf.  The tests import it from the
# source tree (PYTHONPATH=$(srcdir)/python), so they work under VPATH
# builds and distcheck without installing anything.
mmbufdir = $(pythondir)/mmbuf
mmbuf_PYTHON = \
	python/mmbuf/__init__.py \
	python/mmbuf/__main__.py \
	python/mmbuf/_array.py \
	python/mmbuf/_buffer.py \
	python/mmbuf/_checksum.py \
	python/mmbuf/_errors.py \
	python/mmbuf/_format.py \
	python/mmbuf/_lock.py \
	python/mmbuf/_notify.py \
	python/mmbuf/_types.py \
	python/mmbuf/_verify.py \
	python/mmbuf/_version.py
# PEP 561: the package has type hints; type checkers read them only from
# an installed package that has this (empty) marker.
dist_mmbuf_DATA = python/mmbuf/py.typed

# The version is written once, in python/mmbuf/_version.py, which
# configure.ac reads with m4_esyscmd: a change to it remakes configure.
CONFIGURE_DEPENDENCIES = $(srcdir)/python/mmbuf/_version.py

# pip install ./python (a virtual environment, or any interpreter) builds
# the same pure-Python package with setuptools; see README, "Installing".
EXTRA_DIST += python/pyproject.toml

# What the installed package records of this installation: the path of the
# libmmbuf installed beside it, which _checksum.py loads first.  It is made
# outside python/mmbuf, so that the package of the source tree (the tests,
# pip) never sees it, and installed as mmbuf/_installed.py.  It is
# remade on every make (kept if unchanged), so that "make install
# prefix=..." or "libdir=..." records the directory actually installed to.
# The library's file name is libtool's dlname (empty when only a static
# library is built: then nothing is recorded).
nodist_mmbuf_PYTHON = python/_installed.py
CLEANFILES += python/_installed.py python/_installed.py-t
all-local: python/_installed.py
python/_installed.py: lib/libmmbuf.la mmbuf-installed-force
	$(AM_V_GEN)$(MKDIR_P) python && \
	dlname=`sed -n "s/^dlname='\(.*\)'$$/\1/p" lib/libmmbuf.la` && \
	if test -n "$$dlname"; then lib="'$(libdir)/$$dlname'"; else lib=None; fi && \
	{ echo '# Made by make (python/local.mk): the libmmbuf that make install'; \
	  echo '# puts beside this package, which _checksum.py loads first.'; \
	  echo "LIBRARY = $$lib"; } > $@-t && \
	if cmp -s $@-t $@; then rm -f $@-t; else mv -f $@-t $@; fi
mmbuf-installed-force:
.PHONY: mmbuf-installed-force

# The tests are unittest modules run one per TESTS entry by
# tests/python/run-test.sh, with the configured $(PYTHON); the NumPy tests
# (test_numpy.py) run with an interpreter that has NumPy: $(PYTHON) if it
# has it, else /usr/bin/python3 (Debian's python3-numpy), and fail when
# none has it; the checksum tests (test_checksum.py) likewise with the
# xxhash module (python3-xxhash), comparing it with libmmbuf of the build
# tree.  The C programs and the library of the build tree are
# found through MMBUF_BUILDDIR.
PYTHON_TESTS = \
	tests/python/test_format.py \
	tests/python/test_api.py \
	tests/python/test_buffer.py \
	tests/python/test_crosslang.py \
	tests/python/test_badfiles.py \
	tests/python/test_numpy.py \
	tests/python/test_grow.py \
	tests/python/test_growing.py \
	tests/python/test_wait.py \
	tests/python/test_follow.py \
	tests/python/test_checksum.py \
	tests/python/test_errors.py \
	tests/python/test_cli.py \
	tests/python/test_install.py \
	tests/python/test_pip.py
TESTS += $(PYTHON_TESTS)
TEST_EXTENSIONS = .test .py
PY_LOG_COMPILER = env PYTHON='$(PYTHON)' MMBUF_SRCDIR='$(abs_top_srcdir)' \
	MMBUF_BUILDDIR='$(abs_top_builddir)' MAKE='$(MAKE)' \
	MMBUF_PREFIX='$(prefix)' MMBUF_PYTHONDIR='$(pythondir)' \
	MMBUF_LIBDIR='$(libdir)' MMBUF_VERSION='$(PACKAGE_VERSION)' \
	$(PY_SAN_ENV) $(SHELL) \
	$(top_srcdir)/tests/python/run-test.sh
# A sanitizer build's libmmbuf.so can only be loaded (by ctypes) into a
# process whose first library is the ASan runtime: run-test.sh preloads it.
if SANITIZERS
PY_SAN_ENV = MMBUF_SANITIZERS=1 CC='$(CC)'
endif
EXTRA_DIST += $(PYTHON_TESTS) tests/python/run-test.sh \
	tests/python/testlib.py tests/python/strictjson.py \
	tests/python/rowwriter.py tests/python/rowcheck.py

# make check-long also runs the Python followers' test with a million
# rows (MMBUF_LONG=1; make check runs it with 50,000).
check-long: check-long-python
check-long-python:
	MMBUF_LONG=1 $(MAKE) $(AM_MAKEFLAGS) check \
	  TESTS=tests/python/test_follow.py
.PHONY: check-long-python
