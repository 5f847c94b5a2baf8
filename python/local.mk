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
	python/mmbuf/_verify.py

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
	tests/python/test_buffer.py \
	tests/python/test_crosslang.py \
	tests/python/test_badfiles.py \
	tests/python/test_numpy.py \
	tests/python/test_grow.py \
	tests/python/test_checksum.py
TESTS += $(PYTHON_TESTS)
TEST_EXTENSIONS = .test .py
PY_LOG_COMPILER = env PYTHON='$(PYTHON)' MMBUF_SRCDIR='$(abs_top_srcdir)' \
	MMBUF_BUILDDIR='$(abs_top_builddir)' $(PY_SAN_ENV) $(SHELL) \
	$(top_srcdir)/tests/python/run-test.sh
# A sanitizer build's libmmbuf.so can only be loaded (by ctypes) into a
# process whose first library is the ASan runtime: run-test.sh preloads it.
if SANITIZERS
PY_SAN_ENV = MMBUF_SANITIZERS=1 CC='$(CC)'
endif
EXTRA_DIST += $(PYTHON_TESTS) tests/python/run-test.sh \
	tests/python/testlib.py
