/*
 * patch.c - strict parsers of xxd, hexdump -C and plain hex dumps for
 * editbuf's --patch and --patch-plain.  See patch.h for the grammar.
 *
 * xxd -r reads what it can and skips the rest; these parsers accept only
 * what the dumpers print (plus edits of the hex digits), so a damaged or
 * wrong dump is reported instead of half-applied.  Consecutive lines are
 * gathered into one run of bytes, so a whole dump usually becomes a single
 * record of the edit log.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "edit.h"
#include "patch.h"

static int fail(struct patch_error *err, unsigned long line,
		const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct patch_error *err, unsigned long line,
		const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

static int no_memory(struct patch_error *err, unsigned long line)
{
	fail(err, line, "out of memory");
	return -ENOMEM;
}

/* A character for a message: itself when printable, else \xNN. */
static const char *show(char c, char *buf)
{
	unsigned char u = (unsigned char)c;

	if (u >= 0x20 && u < 0x7f && u != '\'')
		snprintf(buf, 8, "'%c'", u);
	else
		snprintf(buf, 8, "'\\x%02x'", u);
	return buf;
}

/* Bytes gathered at consecutive offsets, recorded as one edit. */
struct run {
	uint64_t off;
	uint8_t *buf;
	size_t n, cap;
};

static int run_flush(struct run *r, struct edit_log *log)
{
	int e = 0;

	if (r->n > 0)
		e = edit_put(log, r->off, r->buf, r->n);
	r->n = 0;
	return e;
}

static int run_add(struct run *r, struct edit_log *log, uint64_t off,
		   const uint8_t *p, size_t n)
{
	if (r->n > 0 && r->off + r->n != off) {
		int e = run_flush(r, log);

		if (e < 0)
			return e;
	}
	if (r->n == 0)
		r->off = off;
	if (r->n + n > r->cap) {
		size_t cap = r->cap ? r->cap : 4096;
		uint8_t *q;

		while (cap < r->n + n)
			cap *= 2;
		q = realloc(r->buf, cap);
		if (q == NULL)
			return -ENOMEM;
		r->buf = q;
		r->cap = cap;
	}
	memcpy(r->buf + r->n, p, n);
	r->n += n;
	return 0;
}

static int past_capacity(const struct edit_log *log, uint64_t off, uint64_t n)
{
	uint64_t cap = edit_capacity(log);

	return off > cap || n > cap - off;
}

/* ------------------------------------------------------------------ */
/* xxd and hexdump -C                                                  */

struct dump {
	struct edit_log *log;
	struct patch_error *err;
	struct run run;
	unsigned long lineno;
	const char *bol;        /* the start of the current line */
	int have_prev;          /* a data line came before */
	uint64_t prev_off;      /* ... at this offset */
	uint8_t prev[256 * 8];  /* ... with these bytes */
	size_t prev_n;
	int star;               /* the line before was "*" */
	unsigned long star_line;
	uint8_t bytes[4096];    /* the current line's bytes */
};

/* The hex-digit groups of an xxd line after the colon; *n gets the byte
 * count.  Returns 0 or -1 (err filled). */
static int xxd_body(struct dump *d, const char *p, const char *end,
		    size_t *n)
{
	const char *q = p;

	*n = 0;
	for (;;) {
		const char *sp = q;
		const char *g;

		while (q < end && *q == ' ')
			q++;
		if (q == end)
			break;
		if (q - sp == 0) {
			char c[8];

			return fail(d->err, d->lineno,
				    "expected a space after the offset's ':', "
				    "found %s", show(*q, c));
		}
		if (q - sp >= 2 && *n > 0) {
			/* The text column: ignored, but no longer than the
			 * bytes (a longer one means the hex was misread). */
			if ((size_t)(end - q) > *n)
				return fail(d->err, d->lineno,
					    "the text after the hex is longer "
					    "than the line's %zu bytes "
					    "(groups must be one space apart)",
					    *n);
			break;
		}
		if (q - sp >= 2)
			return fail(d->err, d->lineno,
				    "expected hex digits one space after ':'");
		g = q;
		while (q < end && tool_hexval(*q) >= 0)
			q++;
		if (q < end && *q != ' ') {
			char c[8];

			return fail(d->err, d->lineno,
				    "%s is not a hex digit (column %zu)",
				    show(*q, c), (size_t)(q - d->bol) + 1);
		}
		if ((q - g) % 2 != 0)
			return fail(d->err, d->lineno,
				    "odd number of hex digits in group '%.*s'",
				    (int)(q - g), g);
		for (; g < q; g += 2) {
			if (*n == sizeof d->bytes)
				return fail(d->err, d->lineno,
					    "more than %zu bytes on a line",
					    sizeof d->bytes);
			d->bytes[(*n)++] = (uint8_t)(tool_hexval(g[0]) << 4 |
						     tool_hexval(g[1]));
		}
	}
	if (*n == 0)
		return fail(d->err, d->lineno, "no bytes after the offset");
	return 0;
}

/* The bytes of a hexdump -C line after its offset. */
static int canon_body(struct dump *d, const char *p, const char *end,
		      size_t *n)
{
	const char *q = p;
	char c[8];

	*n = 0;
	if (end - q < 2 || q[0] != ' ' || q[1] != ' ')
		return fail(d->err, d->lineno,
			    "expected ':' or two spaces after the offset");
	for (;;) {
		while (q < end && *q == ' ')
			q++;
		if (q == end)
			break;
		if (*q == '|') {
			if (end - q < 2 || end[-1] != '|')
				return fail(d->err, d->lineno,
					    "the text column must end with '|'");
			if ((size_t)(end - q - 2) > *n)
				return fail(d->err, d->lineno,
					    "the text between '|' is longer "
					    "than the line's %zu bytes", *n);
			break;
		}
		if (end - q < 2 || tool_hexval(q[0]) < 0 || tool_hexval(q[1]) < 0 ||
		    (end - q > 2 && q[2] != ' '))
			return fail(d->err, d->lineno,
				    "expected a byte of two hex digits at "
				    "column %zu, found %s", (size_t)(q - d->bol) + 1,
				    show(tool_hexval(q[0]) < 0 ? q[0] :
					 end - q < 2 ? q[0] :
					 tool_hexval(q[1]) < 0 ? q[1] : q[2], c));
		if (*n == sizeof d->bytes)
			return fail(d->err, d->lineno,
				    "more than %zu bytes on a line",
				    sizeof d->bytes);
		d->bytes[(*n)++] = (uint8_t)(tool_hexval(q[0]) << 4 | tool_hexval(q[1]));
		q += 2;
	}
	if (*n == 0)
		return fail(d->err, d->lineno, "no bytes after the offset");
	return 0;
}

/* Repeat the previous line from its end up to off (the line after "*"). */
static int repeat_to(struct dump *d, uint64_t off)
{
	uint64_t from = d->prev_off + d->prev_n, gap, reps;
	size_t k;
	int e, same = 1;

	if (off < from)
		return fail(d->err, d->lineno,
			    "offset 0x%" PRIx64 " is before the end (0x%" PRIx64
			    ") of the line repeated by '*'", off, from);
	gap = off - from;
	if (gap % d->prev_n != 0)
		return fail(d->err, d->lineno,
			    "offset 0x%" PRIx64 " is not a whole number of "
			    "%zu-byte lines after the line repeated by '*'",
			    off, d->prev_n);
	if (gap == 0)
		return 0;
	if (past_capacity(d->log, from, gap))
		return fail(d->err, d->star_line,
			    "the lines repeated up to 0x%" PRIx64 " are past "
			    "the capacity (%" PRIu64 " bytes)", off,
			    edit_capacity(d->log));
	for (k = 1; k < d->prev_n; k++)
		if (d->prev[k] != d->prev[0])
			same = 0;
	if (same) {
		/* The usual case (xxd -a squeezes only zeros): one fill,
		 * however long. */
		e = run_flush(&d->run, d->log);
		if (e == 0)
			e = edit_fill(d->log, from, gap, d->prev[0]);
		return e < 0 ? no_memory(d->err, d->lineno) : 0;
	}
	reps = gap / d->prev_n;
	for (uint64_t i = 0; i < reps; i++)
		if (run_add(&d->run, d->log, from + i * d->prev_n, d->prev,
			    d->prev_n) < 0)
			return no_memory(d->err, d->lineno);
	return 0;
}

static int dump_line(struct dump *d, const char *p, const char *end)
{
	const char *q = p;
	uint64_t off = 0;
	size_t n, ndig;
	int e;

	if (end > p && end[-1] == '\r')
		end--;
	if (end == p)
		return fail(d->err, d->lineno, "empty line");
	if (end - p == 1 && *p == '*') {
		if (!d->have_prev || d->star)
			return fail(d->err, d->lineno,
				    "'*' must follow a line of bytes");
		d->star = 1;
		d->star_line = d->lineno;
		return 0;
	}
	for (ndig = 0; q < end && tool_hexval(*q) >= 0; q++, ndig++) {
		if (off >> 60)
			return fail(d->err, d->lineno,
				    "offset does not fit in 64 bits");
		off = off << 4 | (uint64_t)tool_hexval(*q);
	}
	if (ndig == 0) {
		char c[8];

		return fail(d->err, d->lineno,
			    "expected an offset in hex digits, found %s",
			    show(*p, c));
	}
	if (q == end) {
		/* hexdump's last line: where the data ends. */
		if (d->star) {
			if (repeat_to(d, off) < 0)
				return -1;
			d->star = 0;
			d->have_prev = 0;
			return 0;
		}
		if (d->have_prev && off != d->prev_off + d->prev_n)
			return fail(d->err, d->lineno,
				    "end offset 0x%" PRIx64 " is not where the "
				    "line before ends (0x%" PRIx64 ")", off,
				    d->prev_off + d->prev_n);
		d->have_prev = 0;
		return 0;
	}
	if (*q == ':')
		e = xxd_body(d, q + 1, end, &n);
	else
		e = canon_body(d, q, end, &n);
	if (e < 0)
		return -1;
	if (d->star) {
		e = repeat_to(d, off);
		if (e < 0)
			return e;
		d->star = 0;
	}
	if (past_capacity(d->log, off, n))
		return fail(d->err, d->lineno,
			    "bytes 0x%" PRIx64 " to 0x%" PRIx64 " are past the "
			    "capacity (%" PRIu64 " bytes)", off, off + n - 1,
			    edit_capacity(d->log));
	if (run_add(&d->run, d->log, off, d->bytes, n) < 0)
		return no_memory(d->err, d->lineno);
	d->have_prev = 1;
	d->prev_off = off;
	if (n <= sizeof d->prev) {
		memcpy(d->prev, d->bytes, n);
		d->prev_n = n;
	} else {
		/* Too long to repeat: a "*" after it is refused. */
		d->have_prev = 0;
	}
	return 0;
}

int patch_parse_dump(const char *text, size_t len, struct edit_log *log,
		     struct patch_error *err)
{
	struct dump *d = calloc(1, sizeof *d);
	const char *p = text, *end = text + len;
	int e = 0;

	err->line = 0;
	err->msg[0] = '\0';
	if (d == NULL)
		return no_memory(err, 0);
	d->log = log;
	d->err = err;
	edit_group_begin(log);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl != NULL ? nl : end;

		d->lineno++;
		if (memchr(p, '\0', (size_t)(le - p)) != NULL) {
			e = fail(err, d->lineno, "NUL byte in a text line");
			break;
		}
		d->bol = p;
		e = dump_line(d, p, le);
		if (e < 0)
			break;
		p = nl != NULL ? nl + 1 : end;
	}
	if (e == 0 && d->star)
		e = fail(err, d->star_line,
			 "'*' must be followed by the line where the repeats end");
	if (e == 0 && run_flush(&d->run, log) < 0)
		e = no_memory(err, d->lineno);
	edit_group_end(log);
	free(d->run.buf);
	free(d);
	return e;
}

/* ------------------------------------------------------------------ */
/* Plain hex                                                           */

int patch_parse_plain(const char *text, size_t len, uint64_t at,
		      struct edit_log *log, struct patch_error *err)
{
	struct run run = { 0, NULL, 0, 0 };
	const char *p = text, *end = text + len, *bol = text;
	unsigned long line = 1;
	uint64_t cap = edit_capacity(log);
	int e = 0;

	err->line = 0;
	err->msg[0] = '\0';
	if (at > cap)
		return fail(err, 0, "offset %" PRIu64 " is past the capacity "
			    "(%" PRIu64 " bytes)", at, cap);
	while (p < end) {
		const char *g;
		uint8_t byte;

		if (*p == '\n') {
			line++;
			bol = ++p;
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\r') {
			p++;
			continue;
		}
		if (tool_hexval(*p) < 0) {
			char c[8];

			e = fail(err, line, "%s is not a hex digit (column %zu)",
				 show(*p, c), (size_t)(p - bol) + 1);
			break;
		}
		for (g = p; p < end && tool_hexval(*p) >= 0; p++)
			;
		if (p < end && *p != ' ' && *p != '\t' && *p != '\r' &&
		    *p != '\n') {
			char c[8];

			e = fail(err, line, "%s is not a hex digit (column %zu)",
				 show(*p, c), (size_t)(p - bol) + 1);
			break;
		}
		if ((p - g) % 2 != 0) {
			e = fail(err, line, "odd number of hex digits (%zu) "
				 "at column %zu", (size_t)(p - g),
				 (size_t)(g - bol) + 1);
			break;
		}
		for (; g < p; g += 2) {
			if (run.n == cap - at) {
				e = fail(err, line, "byte %" PRIu64 " (at offset "
					 "%" PRIu64 ") is past the capacity "
					 "(%" PRIu64 " bytes)",
					 (uint64_t)run.n + 1, at + run.n, cap);
				break;
			}
			byte = (uint8_t)(tool_hexval(g[0]) << 4 | tool_hexval(g[1]));
			if (run_add(&run, log, at + run.n, &byte, 1) < 0) {
				e = no_memory(err, line);
				break;
			}
		}
		if (e < 0)
			break;
	}
	if (e == 0 && run.n > 0) {
		edit_group_begin(log);
		if (run_flush(&run, log) < 0)
			e = no_memory(err, line);
		edit_group_end(log);
	}
	free(run.buf);
	return e;
}
