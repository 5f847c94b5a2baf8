/*
 * editbuf.h - what editbuf's main (tools/editbuf.c) and its terminal UI
 * (tools/editbuf-tui.c) share.
 */
#ifndef MMBUF_TOOLS_EDITBUF_H
#define MMBUF_TOOLS_EDITBUF_H

#include "mmbuf.h"

/*
 * Open path as the buffer editbuf edits: *fd is a descriptor of the very
 * file opened (read-only; saves go into this file and no other, through
 * mmbuf_open_fd()), *buf a read-only handle on it.  Returns 0 or the
 * library's error (-ENOENT, MMBUF_EMAGIC, ...); on error nothing is open.
 */
int editbuf_open(const char *path, int *fd, mmbuf **buf);

/*
 * Check w, just opened for writing from fd (so under the writer lock),
 * against *seen, what the edits were checked against: path must still
 * name the file of fd, and the UUID, data offset, capacity, length, dtype
 * and shape must be those of *seen.  Returns NULL if they are, else what
 * changed, e.g. "its capacity is now 4096 bytes, it was 65536" (a static
 * string, valid until the next call).
 */
const char *editbuf_changed(const char *path, int fd, const mmbuf_info *seen,
			    mmbuf *w);

/*
 * Run the interactive editor on path, opened with editbuf_open() as fd and
 * buf, which it takes over (and closes; a reload may replace them).
 * read_only is set for -R.  The editor never writes through buf; it saves
 * through edit_save(), into the file of fd only.  Returns the exit status
 * of editbuf(1).
 */
int editbuf_tui(const char *path, int fd, mmbuf *buf, int read_only);

#endif /* MMBUF_TOOLS_EDITBUF_H */
