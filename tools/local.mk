# tools: one program per command, sharing helpers built once as a
# convenience library of small files, one concern each, all declared in
# tools/common.h (as libarchive's libarchive_fe).  Their manual pages are
# in man/local.mk.
bin_PROGRAMS =
noinst_LTLIBRARIES += tools/libcommon.la
tools_libcommon_la_SOURCES = tools/common.h \
	tools/message.c tools/parse.c tools/output.c tools/progress.c \
	tools/color.c tools/guard.c tools/text.c tools/header.c tools/value.c \
	tools/npy.c tools/input.c tools/signals.c tools/pow10.h
tools_libcommon_la_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS)
# nearbyint, frexp, ldexp: the value formatting of dumpbuf and editbuf.
# tools/pow10.h is made by tools/gen-pow10.py (by hand; it is in git).
EXTRA_DIST += tools/gen-pow10.py
tools_libcommon_la_LIBADD = $(LIBM)

bin_PROGRAMS += tools/dumpbuf
tools_dumpbuf_SOURCES = tools/dumpbuf.c tools/dumpbuf.h tools/dumpbuf-hex.c \
	tools/dumpbuf-typed.c tools/dumpbuf-header.c tools/dumpbuf-follow.c
tools_dumpbuf_LDADD = tools/libcommon.la lib/libmmbuf.la $(ZLIB_LIBS) -lm
tools_dumpbuf_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS)

bin_PROGRAMS += tools/mkbuf
tools_mkbuf_SOURCES = tools/mkbuf.c
tools_mkbuf_LDADD = tools/libcommon.la lib/libmmbuf.la $(ZLIB_LIBS)

bin_PROGRAMS += tools/verifybuf
tools_verifybuf_SOURCES = tools/verifybuf.c
tools_verifybuf_LDADD = tools/libcommon.la lib/libmmbuf.la $(ZLIB_LIBS)

# editbuf: the scripted patch mode (editbuf.c, patch.c), the pending-edit
# log and typed values both modes share (edit.c), and the terminal UI
# (editbuf-tui.c, ncurses), which a build without ncurses leaves out.
#
# The edit log and the dump parsers are built once, for editbuf, its Check
# test (tests/check_edit) and its fuzz target (tests/fuzz/fuzz_patch).
noinst_LTLIBRARIES += tools/libeditbuf.la
tools_libeditbuf_la_SOURCES = tools/edit.c tools/edit.h tools/patch.c \
	tools/patch.h

bin_PROGRAMS += tools/editbuf
tools_editbuf_SOURCES = tools/editbuf.c tools/editbuf.h
if HAVE_NCURSES
tools_editbuf_SOURCES += tools/editbuf-tui.c
endif
tools_editbuf_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS)
tools_editbuf_LDADD = tools/libeditbuf.la tools/libcommon.la lib/libmmbuf.la \
	$(ZLIB_LIBS) $(NCURSES_LIBS) -lm
