# tests: one Check program per area, each built from tests/main.c, the
# shared fixtures of tests/testutil.c and the area's tests/check_<area>.c.
# The programs make their temporary files under $TMPDIR (or /tmp), never in
# the source or build tree, so they run the same under VPATH and distcheck.
#
# Only these need Check.  A build without it (configure found none, or
# --without-check) runs tests/nocheck.sh instead, which says so and is
# counted as skipped.
MMBUF_CHECKS = \
	tests/check_format \
	tests/check_create \
	tests/check_commit \
	tests/check_access \
	tests/check_publish \
	tests/check_open \
	tests/check_fallback \
	tests/check_lock \
	tests/check_errors \
	tests/check_seal \
	tests/check_crash \
	tests/check_grow \
	tests/check_follow \
	tests/check_edit

if HAVE_CHECK
check_PROGRAMS += $(MMBUF_CHECKS)
TESTS += $(MMBUF_CHECKS)
else
TESTS += tests/nocheck.sh
endif
EXTRA_DIST += tests/summary.sh tests/nocheck.sh

# What the tests need to know of the build.
AM_TESTS_ENVIRONMENT = MMBUF_EDITBUF_TUI='$(MMBUF_EDITBUF_TUI)'; \
	export MMBUF_EDITBUF_TUI;

tests_common_sources = tests/main.c tests/testutil.c tests/testutil.h
tests_common_cflags = $(AM_CFLAGS) $(CHECK_CFLAGS) $(ZLIB_CFLAGS) $(XXHASH_CFLAGS)
tests_common_ldadd = lib/libmmbuf.la $(CHECK_LIBS) $(ZLIB_LIBS) $(XXHASH_LIBS)

tests_check_format_SOURCES = tests/check_format.c $(tests_common_sources)
tests_check_format_CPPFLAGS = $(AM_CPPFLAGS) -DMMBUF_TEST_SUITE=mmbuf_format_suite
tests_check_format_CFLAGS = $(tests_common_cflags)
tests_check_format_LDADD = $(tests_common_ldadd)

tests_check_create_SOURCES = tests/check_create.c $(tests_common_sources)
tests_check_create_CPPFLAGS = $(AM_CPPFLAGS) -DMMBUF_TEST_SUITE=mmbuf_create_suite
tests_check_create_CFLAGS = $(tests_common_cflags)
tests_check_create_LDADD = $(tests_common_ldadd)

tests_check_commit_SOURCES = tests/check_commit.c $(tests_common_sources)
tests_check_commit_CPPFLAGS = $(AM_CPPFLAGS) -DMMBUF_TEST_SUITE=mmbuf_commit_suite
tests_check_commit_CFLAGS = $(tests_common_cflags)
tests_check_commit_LDADD = $(tests_common_ldadd)

tests_check_access_SOURCES = tests/check_access.c $(tests_common_sources)
tests_check_access_CPPFLAGS = $(AM_CPPFLAGS) -DMMBUF_TEST_SUITE=mmbuf_access_suite
tests_check_access_CFLAGS = $(tests_common_cflags)
tests_check_access_LDADD = $(tests_common_ldadd)

tests_check_publish_SOURCES = tests/check_publish.c $(tests_common_sources)
tests_check_publish_CPPFLAGS = $(AM_CPPFLAGS) -DMMBUF_TEST_SUITE=mmbuf_publish_suite
tests_check_publish_CFLAGS = $(tests_common_cflags)
tests_check_publish_LDADD = $(tests_common_ldadd)

tests_check_open_SOURCES = tests/check_open.c $(tests_common_sources)
tests_check_open_CPPFLAGS = $(AM_CPPFLAGS) -DMMBUF_TEST_SUITE=mmbuf_open_suite
tests_check_open_CFLAGS = $(tests_common_cflags)
tests_check_open_LDADD = $(tests_common_ldadd)

tests_check_fallback_SOURCES = tests/check_fallback.c $(tests_common_sources)
tests_check_fallback_CPPFLAGS = $(AM_CPPFLAGS) -DMMBUF_TEST_SUITE=mmbuf_fallback_suite
tests_check_fallback_CFLAGS = $(tests_common_cflags)
tests_check_fallback_LDADD = $(tests_common_ldadd)

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

# editbuf's edit log, typed values and dump parsers called directly; the
# typed values are compared with what the built dumpbuf prints.
tests_check_edit_SOURCES = tests/check_edit.c $(tests_common_sources)
tests_check_edit_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools \
	-DMMBUF_TEST_SUITE=mmbuf_edit_suite
tests_check_edit_CFLAGS = $(tests_common_cflags)
tests_check_edit_LDADD = tools/libeditbuf.la tools/libcommon.la \
	$(tests_common_ldadd) -lm

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

if HAVE_CHECK
check-local: check-TESTS
	@$(mmbuf_check_summary)

check-summary:
	@$(mmbuf_check_summary)
else
mmbuf_nocheck_note = echo "The C unit tests were skipped: this build has no" \
	"Check (Debian: apt-get install check; then run configure again)"
check-local: check-TESTS
	@$(mmbuf_nocheck_note)

check-summary:
	@$(mmbuf_nocheck_note)
endif

.PHONY: check-summary

# check-valgrind: the Check programs under valgrind memcheck, in one
# process each (CK_FORK=no, so that every test runs under valgrind's eye);
# any memory error or definite leak fails.  CI runs it; it needs valgrind.
VALGRIND = valgrind
VALGRIND_FLAGS = -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect

if HAVE_CHECK
check-valgrind: $(MMBUF_CHECKS)
	@status=0; for t in $(MMBUF_CHECKS); do \
	  echo "== $(VALGRIND) $$t"; \
	  CK_FORK=no $(LIBTOOL) --mode=execute $(VALGRIND) $(VALGRIND_FLAGS) \
	    ./$$t || status=1; \
	done; exit $$status
else
check-valgrind:
	@echo "make check-valgrind: the C unit tests need Check, which configure" \
	  "did not find (Debian: apt-get install check); install it and run" \
	  "configure again" >&2; exit 1
endif

.PHONY: check-valgrind

# check-long: the long variants of the tests that have one (more kills,
# more rounds, longer runs, every case where make check samples them),
# run by the same harness with MMBUF_LONG=1, into
# test-suite-long.log.  CI runs it after make check, so that what make
# check leaves out still runs there.  Each directory's local.mk adds its
# tests to MMBUF_LONG_TESTS.  (It reuses the tests' .log names: run it
# after make check, not beside it.)
MMBUF_LONG_TESTS = tests/torture.sh tests/concurrency.sh
if HAVE_CHECK
MMBUF_LONG_TESTS += tests/check_publish
endif
TORTURE_KILLS = 10000

check-long:
	MMBUF_LONG=1 MMBUF_TORTURE_KILLS=$(TORTURE_KILLS) \
	  $(MAKE) $(AM_MAKEFLAGS) check TESTS='$(MMBUF_LONG_TESTS)' \
	  TEST_SUITE_LOG=test-suite-long.log

.PHONY: check-long
CLEANFILES += test-suite-long.log

# torture: writers killed with SIGKILL at random moments during creation,
# header commits, seals, appends (also of rows to a buffer whose first
# dimension grows) and resizes, and the files they leave checked.  make
# check runs 150 kills; make check-long runs 10,000 (TORTURE_KILLS=N for
# another number).
check_PROGRAMS += tests/torture
tests_torture_SOURCES = tests/torture.c
tests_torture_LDADD = lib/libmmbuf.la
tests_torture_LDFLAGS = $(AM_LDFLAGS) -no-install
TESTS += tests/torture.sh
EXTRA_DIST += tests/torture.sh

# concurrency: a writer appends for 4 seconds (60 in make check-long)
# while 4 C readers and 2 Python readers (tests/python/follow.py) follow
# it.
check_PROGRAMS += tests/concurrency
tests_concurrency_SOURCES = tests/concurrency.c
tests_concurrency_LDADD = lib/libmmbuf.la
tests_concurrency_LDFLAGS = $(AM_LDFLAGS) -no-install
TESTS += tests/concurrency.sh
EXTRA_DIST += tests/concurrency.sh tests/python/follow.py

# The installed library must be usable with pkg-config's flags alone.
EXTRA_DIST += tests/installcheck.c
CLEANFILES += installcheck-prog installcheck.mmbuf
installcheck-local:
	@PKG_CONFIG_PATH="$(DESTDIR)$(pkgconfigdir)$${PKG_CONFIG_PATH:+:$$PKG_CONFIG_PATH}"; \
	export PKG_CONFIG_PATH; \
	cflags=`$(PKG_CONFIG) --cflags mmbuf` && libs=`$(PKG_CONFIG) --libs mmbuf` && \
	echo "$(CC) $$cflags tests/installcheck.c $$libs" && \
	$(CC) $$cflags $(top_srcdir)/tests/installcheck.c -o installcheck-prog $$libs && \
	LD_LIBRARY_PATH="$(DESTDIR)$(libdir)" ./installcheck-prog installcheck.mmbuf
	@# Each function's name leads to mmbuf(3) (man/local.mk).
	@for f in `$(MMBUF3_NAMES)`; do \
	  test "`readlink "$(DESTDIR)$(man3dir)/$$f.3"`" = mmbuf.3 || \
	    { echo "installcheck: $(man3dir)/$$f.3 is not a link to mmbuf.3"; \
	      exit 1; }; \
	done; \
	echo "installcheck: mmbuf(3) is installed under every function's name"
