/*
 * patch.h - editbuf's strict parsers of hex dumps (--patch, --patch-plain).
 *
 * Pure functions over bytes in memory: no I/O, no exit, no global state,
 * so tests and fuzz targets call them directly.  What a dump says is
 * recorded into an edit log (one undo step per call); nothing is written.
 * Every line must parse: the first one that does not is reported with its
 * number, and the caller then throws the log away (editbuf writes nothing
 * when any input is bad).
 */
#ifndef MMBUF_TOOLS_PATCH_H
#define MMBUF_TOOLS_PATCH_H

#include <stddef.h>
#include <stdint.h>

#include "edit.h"

struct patch_error {
	unsigned long line;     /* 1-based line of the input; 0: none */
	char msg[200];          /* what was wrong, e.g. "odd number of hex digits" */
};

/*
 * Parse a dump in the layout of xxd(1) (any -c, -g, -u, -s, -o, and -a
 * with its "*" lines) or of hexdump -C (dumpbuf -C included) and record
 * its bytes at the offsets it shows, which are data offsets.
 *
 * An xxd line is "OFFSET:", then groups of an even number of hex digits
 * each after one space, then, after two or more spaces, the text column,
 * which is ignored (so hand-edited hex need not update it) but may not be
 * longer than the line's bytes.  A hexdump -C line is "OFFSET", two
 * spaces, two-digit bytes separated by spaces, then optionally
 * "|text|".  A line holding only an offset ends the dump (hexdump's last
 * line) and must be where the data before it ends.  A line "*" repeats
 * the line before it up to the offset of the next line, which must be a
 * whole number of repetitions away (xxd -a and hexdump squeeze repeated
 * lines so).  A trailing '\r' is ignored; an empty line is an error.
 *
 * Returns 0; -1 for bad input, with err filled in (also for bytes past the
 * log's capacity); or -ENOMEM (err says so too).  On error some lines may
 * already be recorded.
 */
int patch_parse_dump(const char *text, size_t len, struct edit_log *log,
		     struct patch_error *err);

/*
 * Parse plain hex (xxd -p): byte pairs of hex digits in either case,
 * with any white space (spaces, tabs, newlines, carriage returns) between
 * pairs, and record the bytes from data offset at onwards.  A run of hex
 * digits of odd length, any other character, or bytes past the capacity
 * are errors.  Returns as patch_parse_dump().
 */
int patch_parse_plain(const char *text, size_t len, uint64_t at,
		      struct edit_log *log, struct patch_error *err);

#endif /* MMBUF_TOOLS_PATCH_H */
