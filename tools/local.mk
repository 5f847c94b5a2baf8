# tools: one program per command, sharing the helpers of tools/common.c
# through a convenience library.
bin_PROGRAMS =
noinst_LTLIBRARIES += tools/libcommon.la
tools_libcommon_la_SOURCES = tools/common.c tools/common.h
tools_libcommon_la_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS)
# nearbyint, frexp, ldexp: the value formatting of dumpbuf and editbuf.
tools_libcommon_la_LIBADD = $(LIBM)

bin_PROGRAMS += tools/dumpbuf
tools_dumpbuf_SOURCES = tools/dumpbuf.c
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
