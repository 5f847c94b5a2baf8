# editbuf: the scripted patch mode (editbuf.c, patch.c), the pending-edit
# log and typed values both modes share (edit.c), and the terminal UI
# (editbuf-tui.c, ncurses).

# The edit log and the dump parsers are built once, for editbuf, its Check
# test (tests/check_edit) and its fuzz target (tests/fuzz/fuzz_patch).
noinst_LTLIBRARIES += tools/libeditbuf.la
tools_libeditbuf_la_SOURCES = tools/edit.c tools/edit.h tools/patch.c \
	tools/patch.h

bin_PROGRAMS += tools/editbuf
tools_editbuf_SOURCES = tools/editbuf.c tools/editbuf.h tools/editbuf-tui.c
tools_editbuf_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS)
tools_editbuf_LDADD = tools/libeditbuf.la tools/libcommon.la lib/libmmbuf.la \
	$(ZLIB_LIBS) $(NCURSES_LIBS) -lm
dist_man_MANS += man/editbuf.1
