# tests/tools: end-to-end tests of the command-line tools, shell scripts
# comparing their output with the real xxd and hexdump and with fixed
# expected output.  mktestbuf makes the buffer files they read.
check_PROGRAMS += tests/tools/mktestbuf
tests_tools_mktestbuf_SOURCES = tests/tools/mktestbuf.c
tests_tools_mktestbuf_LDADD = lib/libmmbuf.la
# No libtool wrapper script: the tests start it many times.
tests_tools_mktestbuf_LDFLAGS = $(AM_LDFLAGS) -no-install

DUMPBUF_TESTS = \
	tests/tools/dumpbuf-xxd.sh \
	tests/tools/dumpbuf-hexdump.sh \
	tests/tools/dumpbuf-random.sh \
	tests/tools/dumpbuf-bigoffset.sh \
	tests/tools/dumpbuf-errors.sh \
	tests/tools/dumpbuf-header.sh \
	tests/tools/dumpbuf-typed.sh \
	tests/tools/dumpbuf-color.sh
TESTS += $(DUMPBUF_TESTS)
EXTRA_DIST += $(DUMPBUF_TESTS) tests/tools/lib.sh
