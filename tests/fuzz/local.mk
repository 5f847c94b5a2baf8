# tests/fuzz: fuzz targets for everything that parses untrusted bytes (the
# header validator, the open path, editbuf's dump parsers) or shows them
# (the tools' JSON and terminal text of a header and a file name), and
# their seed corpora (tests/fuzz/corpus/TARGET/).
#
# configure --enable-fuzzing CC=clang links them with libFuzzer;
# "make fuzz" then runs each for FUZZ_SECONDS (default 60), starting from
# a copy of its seed corpus.  In every other build they are linked with
# tests/fuzz/driver.c instead, and "make check" replays the seed corpora
# through them (tests/fuzz/replay.sh), under the sanitizers in CI's
# sanitizer build.
FUZZ_TARGETS = tests/fuzz/fuzz_header tests/fuzz/fuzz_open \
	tests/fuzz/fuzz_patch tests/fuzz/fuzz_json
check_PROGRAMS += $(FUZZ_TARGETS)
TESTS += tests/fuzz/replay.sh
EXTRA_DIST += tests/fuzz/replay.sh tests/fuzz/corpus

fuzz_corpus = $(abs_top_srcdir)/tests/fuzz/corpus
fuzz_ldflags = $(AM_LDFLAGS) $(MMBUF_FUZZ_LDFLAGS) -no-install

tests_fuzz_fuzz_header_SOURCES = tests/fuzz/fuzz_header.c tests/fuzz/fuzz.h \
	tests/fuzz/fuzz_crc.c
tests_fuzz_fuzz_header_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS)
tests_fuzz_fuzz_header_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"$(fuzz_corpus)/header"'
tests_fuzz_fuzz_header_LDADD = lib/libmmbuf.la $(ZLIB_LIBS)
tests_fuzz_fuzz_header_LDFLAGS = $(fuzz_ldflags)

tests_fuzz_fuzz_open_SOURCES = tests/fuzz/fuzz_open.c tests/fuzz/fuzz.h \
	tests/fuzz/fuzz_crc.c
tests_fuzz_fuzz_open_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS)
tests_fuzz_fuzz_open_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"$(fuzz_corpus)/open"'
tests_fuzz_fuzz_open_LDADD = lib/libmmbuf.la $(ZLIB_LIBS)
tests_fuzz_fuzz_open_LDFLAGS = $(fuzz_ldflags)

# The tools' JSON and terminal text of what a file holds, checked strictly.
tests_fuzz_fuzz_json_SOURCES = tests/fuzz/fuzz_json.c tests/fuzz/fuzz.h \
	tests/fuzz/fuzz_crc.c
tests_fuzz_fuzz_json_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS)
tests_fuzz_fuzz_json_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools \
	-DFUZZ_CORPUS='"$(fuzz_corpus)/json"'
tests_fuzz_fuzz_json_LDADD = tools/libcommon.la lib/libmmbuf.la \
	$(ZLIB_LIBS) -lm
tests_fuzz_fuzz_json_LDFLAGS = $(fuzz_ldflags)

# editbuf's dump parsers, with the edit log they record into.
tests_fuzz_fuzz_patch_SOURCES = tests/fuzz/fuzz_patch.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_patch_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools \
	-DFUZZ_CORPUS='"$(fuzz_corpus)/patch"'
tests_fuzz_fuzz_patch_LDADD = tools/libeditbuf.la tools/libcommon.la \
	lib/libmmbuf.la $(ZLIB_LIBS) -lm
tests_fuzz_fuzz_patch_LDFLAGS = $(fuzz_ldflags)

if !FUZZING
tests_fuzz_fuzz_header_SOURCES += tests/fuzz/driver.c
tests_fuzz_fuzz_open_SOURCES += tests/fuzz/driver.c
tests_fuzz_fuzz_patch_SOURCES += tests/fuzz/driver.c
tests_fuzz_fuzz_json_SOURCES += tests/fuzz/driver.c
endif

FUZZ_SECONDS = 60
FUZZ_WORK = fuzz-work

if FUZZING
# Each target from a copy of its seeds, so the source tree stays as it is;
# new inputs that found coverage are kept in $(FUZZ_WORK)/TARGET, and a
# crash leaves its input as crash-* in the build directory.
fuzz: $(FUZZ_TARGETS)
	@for t in $(FUZZ_TARGETS); do \
	  name=`basename $$t`; name=$${name#fuzz_}; \
	  mkdir -p $(FUZZ_WORK)/$$name || exit 1; \
	  echo "== fuzzing $$name for $(FUZZ_SECONDS) s"; \
	  ./$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=20 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    $(FUZZ_WORK)/$$name $(srcdir)/tests/fuzz/corpus/$$name \
	    || exit 1; \
	done
else
fuzz:
	@echo "make fuzz: configure with --enable-fuzzing CC=clang first" >&2; exit 1
endif

clean-local: clean-fuzz
clean-fuzz:
	rm -rf $(FUZZ_WORK)

.PHONY: fuzz clean-fuzz
