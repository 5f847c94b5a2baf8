# libmmbuf
lib_LTLIBRARIES += lib/libmmbuf.la
# lib/mmbuf.h is made by configure from lib/mmbuf.h.in (the version).
nodist_include_HEADERS = lib/mmbuf.h
EXTRA_DIST += lib/mmbuf.h.in

lib_libmmbuf_la_SOURCES = \
	lib/internal.h \
	lib/error.c \
	lib/format.c \
	lib/dtype.c \
	lib/pool.c \
	lib/checksum.c \
	lib/lock.c \
	lib/file.c \
	lib/buffer.c \
	lib/seal.c \
	lib/guard.c \
	lib/grow.c
lib_libmmbuf_la_CPPFLAGS = $(AM_CPPFLAGS) -DMMBUF_BUILDING
lib_libmmbuf_la_CFLAGS = $(AM_CFLAGS) $(MMBUF_VISIBILITY_CFLAGS) \
	$(ZLIB_CFLAGS) $(XXHASH_CFLAGS) $(PTHREAD_CFLAGS)
lib_libmmbuf_la_LIBADD = $(ZLIB_LIBS) $(XXHASH_LIBS) $(PTHREAD_LIBS)
# Only the public API is exported: hidden visibility by default, and the
# symbol list is the public mmbuf_ names (not the internal mmbuf__ ones).
lib_libmmbuf_la_LDFLAGS = $(AM_LDFLAGS) -version-info $(MMBUF_LT_VERSION) \
	-export-symbols-regex '^mmbuf_[a-z]'
