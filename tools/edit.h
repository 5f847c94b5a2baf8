/*
 * edit.h - editbuf's pending edits and typed values.
 *
 * editbuf never writes through a mapping while the user edits: every
 * change is recorded here, in memory, as an edit log over the buffer's
 * data region [0, capacity), and reaches the file only through
 * edit_save().  The scripted mode (tools/editbuf.c) records everything
 * the command line asks for and saves once, so bad input writes nothing;
 * the terminal UI (tools/editbuf-tui.c) records keystrokes and saves on
 * request, with undo and redo in between.
 *
 * Memory is proportional to the bytes edited, never to the file: a fill
 * is kept as (offset, length, byte), however long.
 */
#ifndef MMBUF_TOOLS_EDIT_H
#define MMBUF_TOOLS_EDIT_H

#include <stddef.h>
#include <stdint.h>

#include "mmbuf.h"

struct edit_log;

/* A log over a data region of capacity bytes; NULL when out of memory. */
struct edit_log *edit_log_new(uint64_t capacity);
/* Accepts NULL. */
void edit_log_free(struct edit_log *log);

/*
 * Record a write of n bytes at off, or n copies of byte at off.  Each call
 * is one undo step, unless it falls inside an edit_group_begin() /
 * edit_group_end() pair, which makes the calls between them one step.  A
 * new step discards whatever could have been redone.  n == 0 records
 * nothing.  Returns 0, -ERANGE when [off, off + n) is not inside
 * [0, capacity) (nothing is recorded), or -ENOMEM.
 */
int edit_put(struct edit_log *log, uint64_t off, const void *bytes, size_t n);
int edit_fill(struct edit_log *log, uint64_t off, uint64_t n, uint8_t byte);
void edit_group_begin(struct edit_log *log);
void edit_group_end(struct edit_log *log);

/*
 * Undo the last step, or redo the last undone one.  Return 1 and the
 * byte range the step covered (for placing the cursor), or 0 when there
 * is nothing to undo or redo.
 */
int edit_undo(struct edit_log *log, uint64_t *off, uint64_t *len);
int edit_redo(struct edit_log *log, uint64_t *off, uint64_t *len);

/*
 * The bytes [off, off + n) as they would be after saving: base (the
 * buffer's data region as mapped or read; NULL only when the capacity is
 * 0) overlaid with the edits.  The range must lie inside the capacity.
 * Costs O(n + log edits), so a screenful can be read on every keystroke.
 */
void edit_read(const struct edit_log *log, const uint8_t *base, uint64_t off,
	       uint8_t *out, size_t n);

/* 1 if the byte at off is covered by a pending edit (for highlighting),
 * else 0.  An edit that rewrites a byte with its old value still counts. */
int edit_is_modified(const struct edit_log *log, uint64_t off);

/* The capacity the log was made for. */
uint64_t edit_capacity(const struct edit_log *log);

/* Bytes covered by pending edits; 0 means nothing to save. */
uint64_t edit_pending(const struct edit_log *log);

/*
 * Save: write every pending edit into buf, a read-write handle the caller
 * opened (and checked) and closes, with mmbuf_write(), and sync them
 * durably.  The length is left as it was.
 *
 * All or nothing for the data: before each piece is written, the bytes it
 * overwrites are read (mmbuf_read()) and kept, the first 16 MiB in memory
 * and the rest in an unlinked temporary file in $TMPDIR (or /tmp), so
 * memory does not grow with the size of the edits.  When a write or the
 * sync fails, the kept bytes are written back and synced, and *restored is
 * set to 1 if that worked (the data is as it was), 0 if not (the data may
 * be partly written); it is 1 on success.  *stage names the step that
 * failed: "read" or "temporary file" (reading or keeping the old bytes;
 * nothing of that piece was written), "write" or "sync".  Returns 0 or the error.
 * The log is kept either way: edit_clear() empties it after the caller
 * closed the buffer.
 */
int edit_save(struct edit_log *log, mmbuf *buf, const char **stage,
	      int *restored);

/* Forget every edit and the undo history (after a save). */
void edit_clear(struct edit_log *log);

/* ------------------------------------------------------------------ */
/* Element indexes and typed values                                    */

/*
 * The elements of a buffer: its dtype and shape as the header gives them.
 * A buffer with no shape (ndim 0) is flat: capacity / itemsize elements.
 */
struct edit_layout {
	char dtype[MMBUF_DTYPE_MAX + 1]; /* canonical, e.g. "<f8", "<c16" */
	uint32_t itemsize;
	uint32_t ndim;          /* at least 1: a flat buffer gets ndim 1 */
	uint64_t shape[MMBUF_MAX_DIMS];
};

void edit_layout_init(struct edit_layout *lay, const mmbuf_info *info);

/*
 * The *why messages below point into one static buffer, valid until the
 * next call of edit_parse_index() or edit_parse_value().
 *
 * Parse an element index: comma-separated integers (as tool_parse_signed
 * reads them), at most ndim of them, each inside its dimension, a negative
 * one counting from its end as in Python (-1 is the last), e.g. "5,2" or
 * "-1,0".  Fewer than ndim components name the first
 * element of that sub-array, as NumPy's a[5] does; with full != 0 all ndim
 * are required.  On success stores the byte offset of the element in the
 * data region and returns 0; otherwise returns -1 and points *why at a
 * message such as "index 7 is outside dimension 0 (size 4)".
 */
int edit_parse_index(const struct edit_layout *lay, const char *s, int full,
		     uint64_t *byte_off, const char **why);

/* The index of the element holding byte off, e.g. "5,2" (out has at least
 * 8 * 21 bytes). */
void edit_format_index(const struct edit_layout *lay, uint64_t off,
		       char *out, size_t outlen);

/*
 * Parse a value of the dtype into its itemsize bytes, in the dtype's byte
 * order: integers in decimal or 0x hex, range-checked; floats as strtod
 * reads them (inf and nan included), refusing finite values that overflow
 * the type; b1 as 0, 1, true or false; complex as "re+imj", "imj" or a
 * real number, with optional parentheses.  Returns 0, or -1 with *why set,
 * e.g. "300 is out of range for u1 (0 to 255)".
 */
int edit_parse_value(const char *dtype, const char *text, uint8_t *out,
		     const char **why);

/* One element's bytes as text, as dumpbuf --type would print it. */
void edit_format_value(const char *dtype, const uint8_t *bytes, char *out,
		       size_t outlen);

/*
 * A search for pat[0, pn) in the bytes [0, cap) of the edited view, read
 * a chunk at a time, so that a file larger than memory costs no more than
 * a small one.  read() fills out with [off, off + n) and returns non-zero
 * once the search must stop (the data faulted: the bytes it gave are
 * still searched); every 16 chunks, tick(), when set, gets the bytes read
 * so far and returns non-zero to cancel.
 */
struct edit_search {
	int (*read)(void *arg, uint64_t off, uint8_t *out, size_t n);
	int (*tick)(void *arg, uint64_t done);
	void *arg;
	size_t chunk;           /* bytes read at a time, besides the overlap */
};

enum { EDIT_FOUND, EDIT_NOT_FOUND, EDIT_STOPPED, EDIT_CANCELLED };

/*
 * The first match starting after from (dir > 0), or the last one starting
 * before it (dir < 0), at *found.  Returns EDIT_FOUND, EDIT_NOT_FOUND,
 * EDIT_STOPPED (read() said stop), EDIT_CANCELLED (tick() said cancel) or
 * -ENOMEM.  pn is at least 1.
 */
int edit_find(const struct edit_search *s, uint64_t cap, uint64_t from,
	      int dir, const uint8_t *pat, size_t pn, uint64_t *found);

#endif /* MMBUF_TOOLS_EDIT_H */
