# tests: one Check program per area, each built from tests/main.c, the
# shared fixtures of tests/testutil.c and the area's tests/check_<area>.c.
# The programs make their temporary files under $TMPDIR (or /tmp), never in
# the source or build tree, so they run the same under VPATH and distcheck.

MMBUF_CHECKS = \
	tests/check_format \
	tests/check_buffer \
	tests/check_lock \
	tests/check_errors \
	tests/check_seal \
	tests/check_crash \
	tests/check_grow \
	tests/check_follow

check_PROGRAMS += $(MMBUF_CHECKS)
TESTS += $(MMBUF_CHECKS)
EXTRA_DIST += tests/summary.sh

tests_common_sources = tests/main.c tests/testutil.c tests/testutil.h
tests_common_cflags = $(AM_CFLAGS) $(CHECK_CFLAGS) $(ZLIB_CFLAGS) $(XXHASH_CFLAGS)
tests_common_ldadd = lib/libmmbuf.la $(CHECK_LIBS) $(ZLIB_LIBS) $(XXHASH_LIBS)

tests_check_format_SOURCES = tests/check_format.c $(tests_common_sources)
tests_check_format_CPPFLAGS = $(AM_CPPFLAGS) -DMMBUF_TEST_SUITE=mmbuf_format_suite
tests_check_format_CFLAGS = $(tests_common_cflags)
tests_check_format_LDADD = $(tests_common_ldadd)

tests_check_buffer_SOURCES = tests/check_buffer.c $(tests_common_sources)
tests_check_buffer_CPPFLAGS = $(AM_CPPFLAGS) -DMMBUF_TEST_SUITE=mmbuf_buffer_suite
tests_check_buffer_CFLAGS = $(tests_common_cflags)
tests_check_buffer_LDADD = $(tests_common_ldadd)

tests_check_lock_SOURCES = tests/check_lock.c $(tests_common_sources)
tests_check_lock_CPPFLAGS = $(AM_CPPFLAGS) -DMMBUF_TEST_SUITE=mmbuf_lock_suite
tests_check_lock_CFLAGS = $(tests_common_cflags)
tests_check_lock_LDADD = $(tests_common_ldadd)

tests_check_errors_SOURCES = tests/check_errors.c $(tests_common_sources)
tests_check_errors_CPPFLAGS = $(AM_CPPFLAGS) -DMMBUF_TEST_SUITE=mmbuf_errors_suite
tests_check_errors_CFLAGS = $(tests_common_cflags)
tests_check_errors_LDADD = $(tests_common_ldadd)

tests_check_seal_SOURCES = tests/check_seal.c $(tests_common_sources)
tests_check_seal_CPPFLAGS = $(AM_CPPFLAGS) -DMMBUF_TEST_SUITE=mmbuf_seal_suite
tests_check_seal_CFLAGS = $(tests_common_cflags)
tests_check_seal_LDADD = $(tests_common_ldadd)

tests_check_crash_SOURCES = tests/check_crash.c $(tests_common_sources)
tests_check_crash_CPPFLAGS = $(AM_CPPFLAGS) -DMMBUF_TEST_SUITE=mmbuf_crash_suite
tests_check_crash_CFLAGS = $(tests_common_cflags)
tests_check_crash_LDADD = $(tests_common_ldadd)

tests_check_grow_SOURCES = tests/check_grow.c $(tests_common_sources)
tests_check_grow_CPPFLAGS = $(AM_CPPFLAGS) -DMMBUF_TEST_SUITE=mmbuf_grow_suite
tests_check_grow_CFLAGS = $(tests_common_cflags)
tests_check_grow_LDADD = $(tests_common_ldadd)

tests_check_follow_SOURCES = tests/check_follow.c $(tests_common_sources)
tests_check_follow_CPPFLAGS = $(AM_CPPFLAGS) -DMMBUF_TEST_SUITE=mmbuf_follow_suite
tests_check_follow_CFLAGS = $(tests_common_cflags)
tests_check_follow_LDADD = $(tests_common_ldadd)

# After the harness has run the programs (whose output it keeps in their
# .log files), print each program's Check summary line and one total line,
# "N passed, N failed", and fail if any Check test failed.  check-TESTS
# comes first, even under make -j.  When a program fails, check-TESTS fails
# and stops make before this rule runs: "make check-summary" then prints
# the same summary from the logs at hand.  Only the programs that were run
# are counted (TEST_LOGS follows TESTS=... on the command line).
mmbuf_check_summary = \
	logs=; for log in $(TEST_LOGS); do \
	  case " $(MMBUF_CHECKS:=.log) " in *" $$log "*) logs="$$logs $$log";; esac; \
	done; \
	$(SHELL) $(top_srcdir)/tests/summary.sh $$logs

check-local: check-TESTS
	@$(mmbuf_check_summary)

check-summary:
	@$(mmbuf_check_summary)

.PHONY: check-summary

# check-valgrind: the Check programs under valgrind memcheck, in one
# process each (CK_FORK=no, so that every test runs under valgrind's eye);
# any memory error or definite leak fails.  CI runs it; it needs valgrind.
VALGRIND = valgrind
VALGRIND_FLAGS = -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect

check-valgrind: $(MMBUF_CHECKS)
	@status=0; for t in $(MMBUF_CHECKS); do \
	  echo "== $(VALGRIND) $$t"; \
	  CK_FORK=no $(LIBTOOL) --mode=execute $(VALGRIND) $(VALGRIND_FLAGS) \
	    ./$$t || status=1; \
	done; exit $$status

.PHONY: check-valgrind

# torture: writers killed with SIGKILL at random moments during creation,
# header commits, seals, appends (also of rows to a buffer whose first
# dimension grows) and resizes, and the files they leave
# checked.  make check
# runs 150 kills; make check-long runs 10,000 (TORTURE_KILLS=N for more).
check_PROGRAMS += tests/torture
tests_torture_SOURCES = tests/torture.c
tests_torture_LDADD = lib/libmmbuf.la
tests_torture_LDFLAGS = $(AM_LDFLAGS) -no-install
TESTS += tests/torture.sh
EXTRA_DIST += tests/torture.sh

TORTURE_KILLS = 10000
check-long: tests/torture$(EXEEXT)
	./tests/torture$(EXEEXT) --kills $(TORTURE_KILLS)

.PHONY: check-long

# concurrency: a writer appends for 10 seconds while 4 C readers and 2
# Python readers (tests/python/follow.py) follow it.
check_PROGRAMS += tests/concurrency
tests_concurrency_SOURCES = tests/concurrency.c
tests_concurrency_LDADD = lib/libmmbuf.la
tests_concurrency_LDFLAGS = $(AM_LDFLAGS) -no-install
TESTS += tests/concurrency.sh
EXTRA_DIST += tests/concurrency.sh tests/python/follow.py
