/*
 * editbuf.h - what editbuf's main (tools/editbuf.c) and its terminal UI
 * (tools/editbuf-tui.c) share.
 */
#ifndef MMBUF_TOOLS_EDITBUF_H
#define MMBUF_TOOLS_EDITBUF_H

#include "mmbuf.h"

/*
 * Run the interactive editor on path, already opened read-only as buf
 * (the TUI never writes through buf; it saves through edit_save()).
 * ro_reason is NULL when the buffer may be edited, else why it may not,
 * for the status line: "read-only (-R)", "read-only (file not writable)",
 * "read-only (another writer has it open)", ...  Returns the exit status
 * of editbuf(1).  The caller closes buf afterwards.
 */
int editbuf_tui(const char *path, mmbuf *buf, const char *ro_reason);

#endif /* MMBUF_TOOLS_EDITBUF_H */
