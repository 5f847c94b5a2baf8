# editbuf: the scripted patch mode (editbuf.c, patch.c), the pending-edit
# log and typed values both modes share (edit.c), and the terminal UI
# (editbuf-tui.c, ncurses).
bin_PROGRAMS += tools/editbuf
tools_editbuf_SOURCES = tools/editbuf.c tools/editbuf.h tools/edit.c \
	tools/edit.h tools/patch.c tools/patch.h tools/editbuf-tui.c
tools_editbuf_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS)
tools_editbuf_LDADD = tools/libcommon.la lib/libmmbuf.la $(ZLIB_LIBS) \
	$(NCURSES_LIBS) -lm
dist_man_MANS += man/editbuf.1
