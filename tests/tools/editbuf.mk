# editbuf's scripted mode: every option and every kind of bad input, and
# its dump parsers against the real xxd and hexdump.
EDITBUF_TESTS = \
	tests/tools/editbuf-set.sh \
	tests/tools/editbuf-patch.sh \
	tests/tools/editbuf-errors.sh
TESTS += $(EDITBUF_TESTS)
EXTRA_DIST += $(EDITBUF_TESTS) tests/tools/editbuf-lib.sh

# The edit log, typed values and dump parsers called directly (Check); the
# typed values are compared with what the built dumpbuf prints.  Joining
# MMBUF_CHECKS (tests/local.mk) builds and runs it with the other Check
# programs, and counts it in their summary and in check-valgrind.
MMBUF_CHECKS += tests/check_edit
tests_check_edit_SOURCES = tests/check_edit.c $(tests_common_sources)
tests_check_edit_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools \
	-DMMBUF_TEST_SUITE=mmbuf_edit_suite
tests_check_edit_CFLAGS = $(tests_common_cflags)
tests_check_edit_LDADD = tools/libeditbuf.la tools/libcommon.la \
	$(tests_common_ldadd) -lm
