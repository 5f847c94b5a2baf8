/*
 * edit.c - editbuf's pending edits (an undoable log over the data region)
 * and the element indexes and typed values both of its modes share.
 *
 * The log keeps every recorded write as a record (a copy of the bytes, or
 * one byte and a count for a fill) and groups consecutive records into
 * undo steps.  What the file would hold after saving is kept separately
 * as an extent map: a sorted array of non-overlapping byte ranges, each
 * naming the record whose bytes it shows.  Reading a range is a binary
 * search plus copies; recording a write replaces the extents it covers;
 * undo and redo rebuild the map by replaying the records of the steps
 * still applied (simple, and edits are typed by a person).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmbuf.h"
#include "common.h"
#include "edit.h"

struct rec {
	uint64_t off, len;
	uint8_t *data;          /* the bytes of a put; NULL for a fill */
	uint8_t byte;           /* a fill's byte */
};

struct ext {
	uint64_t off, len;
	size_t rec;             /* the record the bytes come from */
	uint64_t roff;          /* offset of off inside that record */
};

struct edit_log {
	uint64_t capacity;
	struct rec *recs;
	size_t nrecs, recs_cap;
	/* step i holds records [step_end[i - 1], step_end[i]) (0 for i = 0) */
	size_t *step_end;
	size_t nsteps, steps_cap;
	size_t applied;         /* steps in effect; the rest can be redone */
	int group_depth;
	int group_started;      /* the open group already has its step */
	struct ext *exts;
	size_t nexts, exts_cap;
};

struct edit_log *edit_log_new(uint64_t capacity)
{
	struct edit_log *log = calloc(1, sizeof *log);

	if (log != NULL)
		log->capacity = capacity;
	return log;
}

static void free_recs(struct edit_log *log, size_t from)
{
	for (size_t i = from; i < log->nrecs; i++)
		free(log->recs[i].data);
	log->nrecs = from;
}

void edit_log_free(struct edit_log *log)
{
	if (log == NULL)
		return;
	free_recs(log, 0);
	free(log->recs);
	free(log->step_end);
	free(log->exts);
	free(log);
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n;
	void *q;

	if (need <= *cap)
		return 0;
	n = *cap ? *cap * 2 : 16;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * size);
	if (q == NULL)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

/* The first extent that ends after off. */
static size_t ext_find(const struct edit_log *log, uint64_t off)
{
	size_t lo = 0, hi = log->nexts;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ext *e = &log->exts[mid];

		if (e->off + e->len <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Make record ri the visible content of its range. */
static int ext_apply(struct edit_log *log, size_t ri)
{
	const struct rec *r = &log->recs[ri];
	uint64_t a = r->off, b = r->off + r->len;
	struct ext repl[3];
	size_t i, j, k = 0;

	if (grow((void **)&log->exts, &log->exts_cap, log->nexts + 2,
		 sizeof *log->exts) < 0)
		return -ENOMEM;
	i = ext_find(log, a);
	for (j = i; j < log->nexts && log->exts[j].off < b; j++)
		;
	if (i < j && log->exts[i].off < a) {
		repl[k] = log->exts[i];
		repl[k].len = a - repl[k].off;
		k++;
	}
	repl[k].off = a;
	repl[k].len = r->len;
	repl[k].rec = ri;
	repl[k].roff = 0;
	k++;
	if (i < j) {
		const struct ext *last = &log->exts[j - 1];
		uint64_t end = last->off + last->len;

		if (end > b) {
			repl[k] = *last;
			repl[k].off = b;
			repl[k].len = end - b;
			repl[k].roff = last->roff + (b - last->off);
			k++;
		}
	}
	memmove(&log->exts[i + k], &log->exts[j],
		(log->nexts - j) * sizeof *log->exts);
	memcpy(&log->exts[i], repl, k * sizeof *repl);
	log->nexts = log->nexts - (j - i) + k;
	return 0;
}

static size_t step_first(const struct edit_log *log, size_t s)
{
	return s == 0 ? 0 : log->step_end[s - 1];
}

static int rebuild(struct edit_log *log)
{
	size_t end = log->applied ? log->step_end[log->applied - 1] : 0;

	log->nexts = 0;
	for (size_t i = 0; i < end; i++)
		if (ext_apply(log, i) < 0)
			return -ENOMEM;
	return 0;
}

/* Append a record, opening a new step unless a started group takes it. */
static int add_rec(struct edit_log *log, uint64_t off, uint64_t n,
		   uint8_t *data, uint8_t byte)
{
	int new_step = !(log->group_depth > 0 && log->group_started);
	size_t first;

	if (new_step && log->applied < log->nsteps) {
		/* A new step forgets what could have been redone. */
		free_recs(log, log->applied ? log->step_end[log->applied - 1] : 0);
		log->nsteps = log->applied;
	}
	if (grow((void **)&log->recs, &log->recs_cap, log->nrecs + 1,
		 sizeof *log->recs) < 0 ||
	    grow((void **)&log->step_end, &log->steps_cap, log->nsteps + 1,
		 sizeof *log->step_end) < 0)
		return -ENOMEM;
	first = log->nrecs;
	log->recs[first].off = off;
	log->recs[first].len = n;
	log->recs[first].data = data;
	log->recs[first].byte = byte;
	log->nrecs++;
	if (ext_apply(log, first) < 0) {
		log->nrecs--;
		/* The map may be half-changed: rebuild it from the records. */
		(void)rebuild(log);
		return -ENOMEM;
	}
	if (new_step) {
		log->step_end[log->nsteps++] = log->nrecs;
		log->applied = log->nsteps;
		if (log->group_depth > 0)
			log->group_started = 1;
	} else {
		log->step_end[log->nsteps - 1] = log->nrecs;
	}
	return 0;
}

static int in_range(const struct edit_log *log, uint64_t off, uint64_t n)
{
	return off <= log->capacity && n <= log->capacity - off;
}

int edit_put(struct edit_log *log, uint64_t off, const void *bytes, size_t n)
{
	uint8_t *copy;
	int e;

	if (!in_range(log, off, n))
		return -ERANGE;
	if (n == 0)
		return 0;
	copy = malloc(n);
	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, bytes, n);
	e = add_rec(log, off, n, copy, 0);
	if (e < 0)
		free(copy);
	return e;
}

int edit_fill(struct edit_log *log, uint64_t off, uint64_t n, uint8_t byte)
{
	if (!in_range(log, off, n))
		return -ERANGE;
	if (n == 0)
		return 0;
	return add_rec(log, off, n, NULL, byte);
}

void edit_group_begin(struct edit_log *log)
{
	if (log->group_depth++ == 0)
		log->group_started = 0;
}

void edit_group_end(struct edit_log *log)
{
	if (log->group_depth > 0 && --log->group_depth == 0)
		log->group_started = 0;
}

static void step_range(const struct edit_log *log, size_t s, uint64_t *off,
		       uint64_t *len)
{
	uint64_t lo = UINT64_MAX, hi = 0;

	for (size_t i = step_first(log, s); i < log->step_end[s]; i++) {
		if (log->recs[i].off < lo)
			lo = log->recs[i].off;
		if (log->recs[i].off + log->recs[i].len > hi)
			hi = log->recs[i].off + log->recs[i].len;
	}
	if (off != NULL)
		*off = lo;
	if (len != NULL)
		*len = hi - lo;
}

int edit_undo(struct edit_log *log, uint64_t *off, uint64_t *len)
{
	if (log->applied == 0)
		return 0;
	log->applied--;
	/* An undo closes any open group: later edits start a new step. */
	log->group_started = 0;
	step_range(log, log->applied, off, len);
	if (rebuild(log) < 0) {
		log->applied++;
		(void)rebuild(log);
		return 0;
	}
	return 1;
}

int edit_redo(struct edit_log *log, uint64_t *off, uint64_t *len)
{
	size_t s = log->applied;

	if (s >= log->nsteps)
		return 0;
	for (size_t i = step_first(log, s); i < log->step_end[s]; i++)
		if (ext_apply(log, i) < 0) {
			(void)rebuild(log);
			return 0;
		}
	log->applied++;
	log->group_started = 0;
	step_range(log, s, off, len);
	return 1;
}

void edit_read(const struct edit_log *log, const uint8_t *base, uint64_t off,
	       uint8_t *out, size_t n)
{
	size_t i = ext_find(log, off);
	uint64_t end = off + n, pos = off;

	while (pos < end) {
		const struct ext *e = i < log->nexts ? &log->exts[i] : NULL;
		uint64_t stop;

		if (e == NULL || e->off >= end) {
			memcpy(out + (pos - off), base + pos, end - pos);
			break;
		}
		if (e->off > pos) {
			memcpy(out + (pos - off), base + pos, e->off - pos);
			pos = e->off;
		}
		stop = e->off + e->len < end ? e->off + e->len : end;
		{
			const struct rec *r = &log->recs[e->rec];
			uint64_t from = e->roff + (pos - e->off);

			if (r->data != NULL)
				memcpy(out + (pos - off), r->data + from,
				       stop - pos);
			else
				memset(out + (pos - off), r->byte, stop - pos);
		}
		pos = stop;
		i++;
	}
}

int edit_is_modified(const struct edit_log *log, uint64_t off)
{
	size_t i = ext_find(log, off);

	return i < log->nexts && log->exts[i].off <= off;
}

uint64_t edit_capacity(const struct edit_log *log)
{
	return log->capacity;
}

uint64_t edit_pending(const struct edit_log *log)
{
	uint64_t n = 0;

	for (size_t i = 0; i < log->nexts; i++)
		n += log->exts[i].len;
	return n;
}

/* Edits go out in pieces of this size, whatever their length. */
#define CHUNK ((size_t)1 << 20)
/* The old bytes a save keeps in memory; the rest go to a temporary file. */
#define UNDO_MEM ((size_t)16 << 20)

/*
 * The old bytes of the ranges a save overwrites, in the order it writes
 * them, kept so that a failed save can put them back: the first UNDO_MEM
 * bytes in memory, the rest in an unlinked temporary file in $TMPDIR (or
 * /tmp), so that memory does not grow with the size of the edits (a fill
 * may cover the whole buffer).
 */
struct undo {
	uint8_t *mem;
	size_t nmem, memcap;
	int fd;                 /* the temporary file, or -1 */
	uint64_t total;         /* bytes kept */
};

static int undo_file(struct undo *u)
{
	const char *dir = getenv("TMPDIR");
	char *name;
	int err = 0;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	if (asprintf(&name, "%s/editbuf-undo.XXXXXX", dir) < 0)
		return -ENOMEM;
	u->fd = mkostemp(name, O_CLOEXEC);
	if (u->fd < 0)
		err = -errno;
	else
		unlink(name);
	free(name);
	return err;
}

static int undo_keep(struct undo *u, const uint8_t *p, size_t n)
{
	if (u->nmem < UNDO_MEM) {
		size_t k = n < UNDO_MEM - u->nmem ? n : UNDO_MEM - u->nmem;

		if (u->nmem + k > u->memcap) {
			/* Doubling, but never past UNDO_MEM. */
			size_t cap = u->memcap * 2 > u->nmem + k ?
				u->memcap * 2 : u->nmem + k;
			uint8_t *q = realloc(u->mem, cap < UNDO_MEM ? cap
								    : UNDO_MEM);

			if (q == NULL)
				return -ENOMEM;
			u->mem = q;
			u->memcap = cap < UNDO_MEM ? cap : UNDO_MEM;
		}
		memcpy(u->mem + u->nmem, p, k);
		u->nmem += k;
		u->total += k;
		p += k;
		n -= k;
	}
	if (n > 0 && u->fd < 0) {
		int err = undo_file(u);

		if (err < 0)
			return err;
	}
	while (n > 0) {
		ssize_t w = write(u->fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
		u->total += (uint64_t)w;
	}
	return 0;
}

/* Bytes [pos, pos + n) of what was kept. */
static int undo_get(const struct undo *u, uint64_t pos, uint8_t *out, size_t n)
{
	if (pos < u->nmem) {
		size_t k = n < u->nmem - pos ? n : (size_t)(u->nmem - pos);

		memcpy(out, u->mem + pos, k);
		out += k;
		pos += k;
		n -= k;
	}
	while (n > 0) {
		ssize_t r = pread(u->fd, out, n, (off_t)(pos - u->nmem));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		out += r;
		pos += (uint64_t)r;
		n -= (size_t)r;
	}
	return 0;
}

static void undo_free(struct undo *u)
{
	free(u->mem);
	if (u->fd >= 0)
		close(u->fd);
}

/* Extent e's bytes [done, done + k) (k <= CHUNK) into out. */
static void ext_bytes(const struct edit_log *log, const struct ext *e,
		      uint64_t done, uint8_t *out, size_t k)
{
	const struct rec *r = &log->recs[e->rec];

	if (r->data != NULL)
		memcpy(out, r->data + e->roff + done, k);
	else
		memset(out, r->byte, k);
}

/* Sync [exts[0].off, end), where the pending edits start. */
static int sync_edits(const struct edit_log *log, mmbuf *buf, uint64_t end)
{
	uint64_t lo = log->exts[0].off;

	return mmbuf_sync(buf, lo, end - lo, MMBUF_DURABLE_SYNC);
}

/*
 * Write back the first u->total old bytes where they came from, but only
 * the blocks of RESTORE_BLOCK bytes that now differ: the kept range goes
 * past what a failed write got to write, and writing zeros back into a
 * hole there would take the space a full disk does not have.
 */
#define RESTORE_BLOCK 4096u

static int restore(const struct edit_log *log, mmbuf *buf,
		   const struct undo *u, uint8_t *old, uint8_t *cur)
{
	uint64_t pos = 0, end = 0;
	int err;

	for (size_t i = 0; i < log->nexts && pos < u->total; i++) {
		const struct ext *e = &log->exts[i];

		for (uint64_t done = 0; done < e->len && pos < u->total;) {
			uint64_t left = e->len - done < u->total - pos ?
				e->len - done : u->total - pos;
			size_t k = left < CHUNK ? (size_t)left : CHUNK;

			if ((err = undo_get(u, pos, old, k)) < 0 ||
			    (err = mmbuf_read(buf, e->off + done, cur, k)) < 0)
				return err;
			for (size_t b = 0; b < k; b += RESTORE_BLOCK) {
				size_t n = k - b < RESTORE_BLOCK ? k - b
								 : RESTORE_BLOCK;

				if (memcmp(old + b, cur + b, n) != 0 &&
				    (err = mmbuf_write(buf, e->off + done + b,
						       old + b, n)) < 0)
					return err;
			}
			done += k;
			pos += k;
			end = e->off + done;
		}
	}
	return sync_edits(log, buf, end);
}

int edit_save(struct edit_log *log, mmbuf *buf, const char **stage,
	      int *restored)
{
	struct undo u = { .fd = -1 };
	uint8_t *chunk, *old;
	int err = 0;

	*restored = 1;
	if (log->nexts == 0)
		return 0;
	chunk = malloc(CHUNK);
	old = malloc(CHUNK);
	if (chunk == NULL || old == NULL) {
		free(chunk);
		free(old);
		*stage = "write";
		return -ENOMEM;
	}
	for (size_t i = 0; i < log->nexts && err == 0; i++) {
		const struct ext *e = &log->exts[i];

		for (uint64_t done = 0; done < e->len && err == 0;) {
			size_t k = e->len - done < CHUNK ?
				(size_t)(e->len - done) : CHUNK;

			/* The old bytes are kept before the new ones go out,
			 * so a write that fails half-way is covered too. */
			*stage = "read";
			if ((err = mmbuf_read(buf, e->off + done, old, k)) < 0)
				break;
			*stage = "temporary file";
			if ((err = undo_keep(&u, old, k)) < 0)
				break;
			*stage = "write";
			ext_bytes(log, e, done, chunk, k);
			err = mmbuf_write(buf, e->off + done, chunk, k);
			done += k;
		}
	}
	if (err == 0) {
		*stage = "sync";
		err = sync_edits(log, buf, log->exts[log->nexts - 1].off +
					   log->exts[log->nexts - 1].len);
	}
	if (err < 0 && u.total > 0)
		*restored = restore(log, buf, &u, chunk, old) == 0;
	undo_free(&u);
	free(chunk);
	free(old);
	return err;
}

void edit_clear(struct edit_log *log)
{
	free_recs(log, 0);
	log->nsteps = log->applied = 0;
	log->nexts = 0;
	log->group_started = 0;
}

/* ------------------------------------------------------------------ */
/* Element indexes                                                     */

void edit_layout_init(struct edit_layout *lay, const mmbuf_info *info)
{
	memset(lay, 0, sizeof *lay);
	if (mmbuf_dtype_parse(info->dtype, lay->dtype, &lay->itemsize) < 0) {
		/* The library validated it; keep going as bytes anyway. */
		strcpy(lay->dtype, "<u1");
		lay->itemsize = 1;
	}
	lay->ndim = info->ndim;
	for (uint32_t i = 0; i < info->ndim && i < MMBUF_MAX_DIMS; i++)
		lay->shape[i] = info->shape[i];
	if (lay->ndim == 0) {
		lay->ndim = 1;
		lay->shape[0] = info->capacity / lay->itemsize;
	}
}

/* Messages returned through *why live here (editbuf is single-threaded). */
static char why_buf[256];

int edit_parse_index(const struct edit_layout *lay, const char *s, int full,
		     uint64_t *byte_off, const char **why)
{
	uint64_t idx[MMBUF_MAX_DIMS], elem = 0;
	uint32_t n = 0;
	const char *p = s;
	int neg;

	for (;;) {
		char comp[64];
		size_t len;
		const char *comma = strchr(p, ',');
		const char *end = comma != NULL ? comma : p + strlen(p);

		while (p < end && isspace((unsigned char)*p))
			p++;
		len = (size_t)(end - p);
		while (len > 0 && isspace((unsigned char)p[len - 1]))
			len--;
		if (n == lay->ndim) {
			snprintf(why_buf, sizeof why_buf,
				 "too many indexes for %" PRIu32 " dimension%s",
				 lay->ndim, lay->ndim == 1 ? "" : "s");
			*why = why_buf;
			return -1;
		}
		if (len == 0 || len >= sizeof comp) {
			snprintf(why_buf, sizeof why_buf,
				 "invalid index '%s' (e.g. 5 or 5,2)", s);
			*why = why_buf;
			return -1;
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		if (tool_parse_signed(comp, &neg, &idx[n]) < 0) {
			snprintf(why_buf, sizeof why_buf,
				 "invalid index '%s' (e.g. 5 or 5,2)", s);
			*why = why_buf;
			return -1;
		}
		/* A negative component counts from the end of its
		 * dimension, as in Python: -1 is the last. */
		if (neg ? idx[n] > lay->shape[n] : idx[n] >= lay->shape[n]) {
			snprintf(why_buf, sizeof why_buf,
				 "index %s%" PRIu64 " is outside dimension %" PRIu32
				 " (size %" PRIu64 ")", neg ? "-" : "", idx[n], n,
				 lay->shape[n]);
			*why = why_buf;
			return -1;
		}
		if (neg && idx[n] > 0)
			idx[n] = lay->shape[n] - idx[n];
		n++;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	if (full && n < lay->ndim) {
		snprintf(why_buf, sizeof why_buf,
			 "index '%s' has %" PRIu32 " of %" PRIu32
			 " components", s, n, lay->ndim);
		*why = why_buf;
		return -1;
	}
	/* Row-major; missing trailing components are 0.  Every index is
	 * inside its dimension and the shape fits the capacity, so this
	 * cannot overflow. */
	for (uint32_t d = 0; d < lay->ndim; d++)
		elem = elem * lay->shape[d] + (d < n ? idx[d] : 0);
	*byte_off = elem * lay->itemsize;
	return 0;
}

void edit_format_index(const struct edit_layout *lay, uint64_t off,
		       char *out, size_t outlen)
{
	uint64_t elem = off / lay->itemsize, idx[MMBUF_MAX_DIMS];
	size_t k = 0;

	/* The leading index is not reduced: bytes past the shape show an
	 * index past its first dimension rather than a wrong one. */
	for (int d = (int)lay->ndim - 1; d >= 0; d--) {
		if (d == 0 || lay->shape[d] == 0) {
			idx[d] = elem;
			elem = 0;
		} else {
			idx[d] = elem % lay->shape[d];
			elem /= lay->shape[d];
		}
	}
	if (outlen == 0)
		return;
	out[0] = '\0';
	for (uint32_t d = 0; d < lay->ndim && k < outlen; d++) {
		int w = snprintf(out + k, outlen - k, "%s%" PRIu64,
				 d ? "," : "", idx[d]);

		if (w < 0)
			break;
		k += (size_t)w;
	}
}

/* ------------------------------------------------------------------ */
/* Typed values                                                        */

static void store(uint8_t *p, unsigned n, char order, uint64_t v)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned shift = 8 * (order == '>' ? n - 1 - i : i);

		p[i] = (uint8_t)(v >> shift);
	}
}

void edit_format_value(const char *dtype, const uint8_t *p, char *out,
		       size_t outlen)
{
	char canon[MMBUF_DTYPE_MAX + 1], tmp[128], *o = tmp;
	uint32_t n;
	char order;
	uint64_t v;

	if (outlen == 0)
		return;
	if (mmbuf_dtype_parse(dtype, canon, &n) < 0) {
		snprintf(out, outlen, "?");
		return;
	}
	order = canon[0];
	switch (canon[1]) {
	case 'b':
		o += sprintf(o, "%s", p[0] ? "True" : "False");
		break;
	case 'u':
		o += sprintf(o, "%" PRIu64, tool_load(p, n, order));
		break;
	case 'i':
		v = tool_load(p, n, order);
		if (n < 8 && (v >> (8 * n - 1)) & 1)
			v |= ~(uint64_t)0 << (8 * n);
		o += sprintf(o, "%" PRId64, (int64_t)v);
		break;
	case 'f':
		o = tool_put_float(o, tool_load_float(p, n, order), n, 1);
		break;
	default: {
		double re = tool_load_float(p, n / 2, order);
		double im = tool_load_float(p + n / 2, n / 2, order);

		*o++ = '(';
		o = tool_put_float(o, re, n / 2, 0);
		if (!signbit(im) || isnan(im))
			*o++ = '+';
		o = tool_put_float(o, isnan(im) ? fabs(im) : im, n / 2, 0);
		*o++ = 'j';
		*o++ = ')';
		break;
	}
	}
	*o = '\0';
	snprintf(out, outlen, "%s", tmp);
}

/* An integer in decimal or 0x hex with an optional sign; -1 when it is
 * malformed, 1 when its magnitude does not fit in 64 bits. */
static int parse_int(const char *s, int *neg, uint64_t *mag)
{
	unsigned base = 10;
	uint64_t v = 0;
	int any = 0;

	*neg = 0;
	if (*s == '+' || *s == '-')
		*neg = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; *s; s++) {
		unsigned dig;

		if (isdigit((unsigned char)*s))
			dig = (unsigned)(*s - '0');
		else if (base == 16 && isxdigit((unsigned char)*s))
			dig = (unsigned)(tolower((unsigned char)*s) - 'a' + 10);
		else
			return -1;
		if (v > (UINT64_MAX - dig) / base)
			return 1;
		v = v * base + dig;
		any = 1;
	}
	if (!any)
		return -1;
	*mag = v;
	return 0;
}

static int bad_value(const char **why, const char *code, const char *text,
		     const char *hint)
{
	/* A value too long for the message is cut short, and says so. */
	if (snprintf(why_buf, sizeof why_buf, "invalid %s value '%s'%s", code,
		     text, hint) >= (int)sizeof why_buf)
		memcpy(why_buf + sizeof why_buf - 4, "...", 4);
	*why = why_buf;
	return -1;
}

static int parse_integer(const char *code, unsigned n, char order, int sign,
			 const char *text, uint8_t *out, const char **why)
{
	uint64_t mag = 0, max;
	int neg, r = parse_int(text, &neg, &mag);

	if (r < 0)
		return bad_value(why, code, text, "");
	max = n == 8 ? UINT64_MAX : ((uint64_t)1 << (8 * n)) - 1;
	if (sign) {
		uint64_t pmax = max >> 1;   /* 127, 32767, ... */

		if (r > 0 || (neg ? mag > pmax + 1 : mag > pmax)) {
			snprintf(why_buf, sizeof why_buf,
				 "%s is out of range for %s (-%" PRIu64
				 " to %" PRIu64 ")", text, code, pmax + 1, pmax);
			*why = why_buf;
			return -1;
		}
		store(out, n, order, neg ? (uint64_t)0 - mag : mag);
		return 0;
	}
	if (r > 0 || mag > max || (neg && mag != 0)) {
		snprintf(why_buf, sizeof why_buf,
			 "%s is out of range for %s (0 to %" PRIu64 ")",
			 text, code, max);
		*why = why_buf;
		return -1;
	}
	store(out, n, order, mag);
	return 0;
}

/*
 * One floating-point number of n bytes (2, 4 or 8) from the start of s,
 * stored at out; *end is set past it.  Returns 0, -1 for no number, or 1
 * for a finite number too large for the type.
 */
static int parse_float(const char *s, unsigned n, char order, uint8_t *out,
		       char **end)
{
	if (n == 4) {
		float f;
		uint32_t b;

		errno = 0;
		f = strtof(s, end);
		if (*end == s)
			return -1;
		if (isinf(f) && errno == ERANGE)
			return 1;
		memcpy(&b, &f, 4);
		store(out, 4, order, b);
	} else {
		double d;
		uint64_t b;

		errno = 0;
		d = strtod(s, end);
		if (*end == s)
			return -1;
		if (isinf(d) && errno == ERANGE)
			return 1;
		if (n == 2) {
			uint16_t h = tool_double_to_half(d);

			if (isfinite(d) && (h & 0x7c00) == 0x7c00)
				return 1;
			store(out, 2, order, h);
		} else {
			memcpy(&b, &d, 8);
			store(out, 8, order, b);
		}
	}
	return 0;
}

static const char *float_max(unsigned n)
{
	return n == 2 ? "65504" : n == 4 ? "3.4028235e+38"
		: "1.7976931348623157e+308";
}

static int float_range(const char **why, const char *text, const char *code,
		       unsigned n)
{
	snprintf(why_buf, sizeof why_buf,
		 "%s is out of range for %s (largest finite value %s)",
		 text, code, float_max(n));
	*why = why_buf;
	return -1;
}

/* "re+imj", "imj", "re", in parentheses or not. */
static int parse_complex(const char *code, unsigned n, char order,
			 const char *text, uint8_t *out, const char **why)
{
	char buf[256], *s = buf, *end;
	size_t len = strlen(text);
	unsigned h = n / 2;
	int r;

	if (len >= sizeof buf)
		return bad_value(why, code, text, "");
	memcpy(buf, text, len + 1);
	if (s[0] == '(' && len >= 2 && s[len - 1] == ')') {
		s[len - 1] = '\0';
		s++;
	}
	if (*s == '\0' || isspace((unsigned char)*s))
		return bad_value(why, code, text, "");
	memset(out, 0, n);
	r = parse_float(s, h, order, out, &end);
	if (r < 0)
		return bad_value(why, code, text, "");
	if (r > 0)
		return float_range(why, text, code, h);
	if ((*end == 'j' || *end == 'J') && end[1] == '\0') {
		/* Imaginary only: what was parsed is the imaginary part. */
		memmove(out + h, out, h);
		memset(out, 0, h);
		return 0;
	}
	if (*end == '\0')
		return 0;
	if (*end != '+' && *end != '-')
		return bad_value(why, code, text, "");
	s = end;
	r = parse_float(s, h, order, out + h, &end);
	if (r < 0 || end == s || !((*end == 'j' || *end == 'J') && end[1] == '\0'))
		return bad_value(why, code, text, "");
	if (r > 0)
		return float_range(why, text, code, h);
	return 0;
}

int edit_parse_value(const char *dtype, const char *text, uint8_t *out,
		     const char **why)
{
	char canon[MMBUF_DTYPE_MAX + 1], code[MMBUF_DTYPE_MAX];
	uint32_t n;
	char order, *end;
	int r;

	if (mmbuf_dtype_parse(dtype, canon, &n) < 0) {
		snprintf(why_buf, sizeof why_buf, "invalid dtype '%s'", dtype);
		*why = why_buf;
		return -1;
	}
	order = canon[0];
	memcpy(code, canon + 1, sizeof code);
	switch (code[0]) {
	case 'b':
		if (strcmp(text, "1") == 0 || strcasecmp(text, "true") == 0)
			out[0] = 1;
		else if (strcmp(text, "0") == 0 ||
			 strcasecmp(text, "false") == 0)
			out[0] = 0;
		else
			return bad_value(why, code, text,
					 " (0, 1, true or false)");
		return 0;
	case 'u':
	case 'i':
		return parse_integer(code, n, order, code[0] == 'i', text, out,
				     why);
	case 'f':
		if (*text == '\0' || isspace((unsigned char)*text))
			return bad_value(why, code, text, "");
		r = parse_float(text, n, order, out, &end);
		if (r < 0 || *end != '\0')
			return bad_value(why, code, text, "");
		if (r > 0)
			return float_range(why, text, code, n);
		return 0;
	default:
		return parse_complex(code, n, order, text, out, why);
	}
}

/* The first (dir > 0) or last match in b[0, n), or -1. */
static long match_in(const uint8_t *b, size_t n, const uint8_t *pat,
		     size_t pn, int dir)
{
	if (n < pn)
		return -1;
	if (dir > 0) {
		for (size_t i = 0; i + pn <= n; i++)
			if (b[i] == pat[0] && memcmp(b + i, pat, pn) == 0)
				return (long)i;
	} else {
		for (size_t i = n - pn + 1; i-- > 0;)
			if (b[i] == pat[0] && memcmp(b + i, pat, pn) == 0)
				return (long)i;
	}
	return -1;
}

/* Every 16 chunks: whether tick() cancels. */
static int ticked(const struct edit_search *s, unsigned *chunks,
		  uint64_t done)
{
	return ++*chunks % 16 == 0 && s->tick != NULL &&
	       s->tick(s->arg, done) != 0;
}

int edit_find(const struct edit_search *s, uint64_t cap, uint64_t from,
	      int dir, const uint8_t *pat, size_t pn, uint64_t *found)
{
	size_t span = s->chunk + pn - 1;  /* a chunk and the overlap */
	uint64_t done = 0;
	unsigned chunks = 0;
	int r = EDIT_NOT_FOUND, stop;
	uint8_t *b;
	long i;

	b = malloc(span);
	if (b == NULL)
		return -ENOMEM;
	if (dir > 0) {
		uint64_t pos = from + 1;

		while (cap >= pn && pos <= cap - pn) {
			size_t n = cap - pos < span ? (size_t)(cap - pos) : span;

			stop = s->read(s->arg, pos, b, n);
			if ((i = match_in(b, n, pat, pn, 1)) >= 0) {
				*found = pos + (uint64_t)i;
				r = EDIT_FOUND;
				break;
			}
			if (stop) {
				r = EDIT_STOPPED;
				break;
			}
			pos += n - pn + 1;
			done += n - pn + 1;
			if (ticked(s, &chunks, done)) {
				r = EDIT_CANCELLED;
				break;
			}
		}
	} else {
		/* Matches starting before from end before hi. */
		uint64_t hi = from + pn - 1 < cap ? from + pn - 1 : cap;

		while (from > 0 && hi >= pn) {
			uint64_t lo = hi - pn + 1 > s->chunk ? hi - span : 0;
			size_t n = (size_t)(hi - lo);

			stop = s->read(s->arg, lo, b, n);
			if ((i = match_in(b, n, pat, pn, -1)) >= 0) {
				*found = lo + (uint64_t)i;
				r = EDIT_FOUND;
				break;
			}
			if (stop) {
				r = EDIT_STOPPED;
				break;
			}
			if (lo == 0)
				break;
			hi = lo + pn - 1;
			done += n;
			if (ticked(s, &chunks, done)) {
				r = EDIT_CANCELLED;
				break;
			}
		}
	}
	free(b);
	return r;
}
