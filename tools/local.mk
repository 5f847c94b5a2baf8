# tools: one program per command, sharing helpers built once as a
# convenience library of small files, one concern each, all declared in
# tools/common.h (as libarchive's libarchive_fe).
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
dist_man_MANS += man/dumpbuf.1

bin_PROGRAMS += tools/mkbuf
tools_mkbuf_SOURCES = tools/mkbuf.c
tools_mkbuf_LDADD = tools/libcommon.la lib/libmmbuf.la $(ZLIB_LIBS)
dist_man_MANS += man/mkbuf.1

bin_PROGRAMS += tools/verifybuf
tools_verifybuf_SOURCES = tools/verifybuf.c
tools_verifybuf_LDADD = tools/libcommon.la lib/libmmbuf.la $(ZLIB_LIBS)
dist_man_MANS += man/verifybuf.1
