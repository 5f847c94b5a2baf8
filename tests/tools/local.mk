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
	tests/tools/dumpbuf-shortest.sh \
	tests/tools/dumpbuf-rows.sh \
	tests/tools/dumpbuf-csv.sh \
	tests/tools/dumpbuf-color.sh \
	tests/tools/dumpbuf-terminal.sh \
	tests/tools/dumpbuf-peers.sh \
	tests/tools/dumpbuf-text.sh
TESTS += $(DUMPBUF_TESTS)
EXTRA_DIST += $(DUMPBUF_TESTS) tests/tools/lib.sh
# make check compares a third of the option sets and files with xxd, 240
# random cases, and the shortest float text of 100,000 bit patterns of f8
# and of f4 with Python's and NumPy's; make check-long every pair, 2,400
# cases and 2,000,000 bit patterns.
MMBUF_LONG_TESTS += tests/tools/dumpbuf-xxd.sh tests/tools/dumpbuf-random.sh \
	tests/tools/dumpbuf-shortest.sh

# The long expected outputs of the tests (see expect_file in lib.sh).
EXTRA_DIST += \
	tests/tools/expected/dumpbuf-header-H.txt \
	tests/tools/expected/dumpbuf-header-json.txt \
	tests/tools/expected/dumpbuf-header-slots.txt \
	tests/tools/expected/mkbuf-create-json.txt

# mkbuf: every option, every bad argument, .npy files made by NumPy.
MKBUF_TESTS = \
	tests/tools/mkbuf-create.sh \
	tests/tools/mkbuf-from.sh \
	tests/tools/mkbuf-npy.sh \
	tests/tools/mkbuf-errors.sh \
	tests/tools/mkbuf-seal.sh \
	tests/tools/mkbuf-resize.sh \
	tests/tools/mkbuf-replace.sh
TESTS += $(MKBUF_TESTS)
EXTRA_DIST += $(MKBUF_TESTS) tests/tools/mkbuf-lib.sh

# verifybuf: holdbuf keeps a writer open (or opens and closes one) so the
# tests can make the "writer open", "crashed" and "modified" states.
check_PROGRAMS += tests/tools/holdbuf
tests_tools_holdbuf_SOURCES = tests/tools/holdbuf.c
tests_tools_holdbuf_LDADD = lib/libmmbuf.la
tests_tools_holdbuf_LDFLAGS = $(AM_LDFLAGS) -no-install

VERIFYBUF_TESTS = \
	tests/tools/verifybuf-options.sh \
	tests/tools/verifybuf-damage.sh \
	tests/tools/verifybuf-writer.sh \
	tests/tools/verifybuf-readlock.sh \
	tests/tools/verifybuf-names.sh
TESTS += $(VERIFYBUF_TESTS)
EXTRA_DIST += $(VERIFYBUF_TESTS) tests/tools/verifybuf-lib.sh

# editbuf's scripted mode: every option and every kind of bad input, and
# its dump parsers against the real xxd and hexdump.  (tests/check_edit,
# in tests/local.mk, calls the edit log and the parsers directly.)
EDITBUF_TESTS = \
	tests/tools/editbuf-set.sh \
	tests/tools/editbuf-patch.sh \
	tests/tools/editbuf-errors.sh
TESTS += $(EDITBUF_TESTS)
EXTRA_DIST += $(EDITBUF_TESTS) tests/tools/editbuf-lib.sh

# editbuf's terminal UI, driven end to end through tmux (send-keys,
# capture-pane) on a private server socket; holdbuf (above),
# editbuf and mkbuf play the other writers.
EDITBUF_TUI_TESTS = \
	tests/tools/editbuf-tui-view.sh \
	tests/tools/editbuf-tui-edit.sh \
	tests/tools/editbuf-tui-readonly.sh \
	tests/tools/editbuf-tui-replaced.sh \
	tests/tools/editbuf-tui-changed.sh \
	tests/tools/editbuf-tui-growing.sh
TESTS += $(EDITBUF_TUI_TESTS)
EXTRA_DIST += $(EDITBUF_TUI_TESTS) tests/tools/editbuf-tui-lib.sh \
	tests/lsan.supp

# The errors that say what to do, in every tool and in python3 -m mmbuf.
TESTS += tests/tools/hints.sh
EXTRA_DIST += tests/tools/hints.sh

# Growing buffers and following a writer (issue 15): rowlog writes rows of
# (index, value, checksum), follows them with mmbuf_wait and checks what
# dumpbuf --follow -t shows.
check_PROGRAMS += tests/tools/rowlog
tests_tools_rowlog_SOURCES = tests/tools/rowlog.c
tests_tools_rowlog_LDADD = lib/libmmbuf.la
tests_tools_rowlog_LDFLAGS = $(AM_LDFLAGS) -no-install

FOLLOW_TESTS = \
	tests/tools/growing.sh \
	tests/tools/follow-rows.sh \
	tests/tools/follow-events.sh
TESTS += $(FOLLOW_TESTS)
EXTRA_DIST += $(FOLLOW_TESTS) tests/tools/follow-lib.sh
# make check follows 50,000 rows, make check-long 1,000,000.
MMBUF_LONG_TESTS += tests/tools/follow-rows.sh
