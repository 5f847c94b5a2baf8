# tests/python: the tests of the Python package (python/local.mk),
# unittest modules run one per TESTS entry by tests/python/run-test.sh,
# with the configured $(PYTHON); the NumPy tests (test_numpy.py) run with
# an interpreter that has NumPy: $(PYTHON) if it has it, else
# /usr/bin/python3 (Debian's python3-numpy), and fail when none has it;
# the checksum tests (test_checksum.py) likewise with the xxhash module
# (python3-xxhash), comparing it with libmmbuf of the build tree.  The C
# programs and the library of the build tree are found through
# MMBUF_BUILDDIR.
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
	tests/python/test_threads.py \
	tests/python/test_checksum.py \
	tests/python/test_errors.py \
	tests/python/test_cli.py \
	tests/python/test_install.py \
	tests/python/test_pip.py
TESTS += $(PYTHON_TESTS)
# make check reads a C-made buffer of every dtype in one shape each in
# Python, and has the Python followers follow 50,000 rows; make check-long
# every dtype in every shape, and a million rows.
MMBUF_LONG_TESTS += tests/python/test_crosslang.py tests/python/test_follow.py
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
