/*
 * dumpbuf-typed.c - dumpbuf's typed views: -t elements as text, one row a
 * line, and the --npy export (see dumpbuf.h).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmbuf.h"
#include "common.h"
#include "dumpbuf.h"

/* ------------------------------------------------------------------ */
/* Typed dumps: -t                                                     */

/* The longest text of one element: a complex of two f8 parts, each at
 * most 24 bytes ("-2.2250738585072014e-308"). */
#define VALUE_MAX 64

/* One element as text; returns the end. */
static char *put_value(char *o, const struct typed *t, const uint8_t *p)
{
	unsigned n = t->itemsize, half = n / 2;
	uint64_t v, re, im, sign, inf;

	switch (t->kind) {
	case 'b':
		if (p[0]) {
			memcpy(o, "True", 4);
			return o + 4;
		}
		memcpy(o, "False", 5);
		return o + 5;
	case 'u':
		return tool_put_u64(o, tool_load_swapped(p, n, t->swap));
	case 'i':
		v = tool_load_swapped(p, n, t->swap);
		if (n < 8 && (v >> (8 * n - 1)) & 1)
			v |= ~(uint64_t)0 << (8 * n);
		return tool_put_i64(o, (int64_t)v);
	case 'f':
		return tool_put_float_bits(o, tool_load_swapped(p, n, t->swap), n, 1);
	default:
		/* Complex, as Python and NumPy show scalars: (a+bj), the
		 * imaginary part's sign always written, but none on nan. */
		re = tool_load_swapped(p, half, t->swap);
		im = tool_load_swapped(p + half, half, t->swap);
		sign = (uint64_t)1 << (8 * half - 1);
		inf = half == 8 ? 0x7ff0000000000000 :
		      half == 4 ? 0x7f800000 : 0x7c00;
		*o++ = '(';
		o = tool_put_float_bits(o, re, half, 0);
		*o++ = (im & sign) && (im & ~sign) <= inf ? '-' : '+';
		o = tool_put_float_bits(o, im & ~sign, half, 0);
		*o++ = 'j';
		*o++ = ')';
		return o;
	}
}

/* One part of SLICE: 0 when empty, 1 with *v (clamped to +-(n + 1),
 * which picks the same rows as any larger value), -1 when malformed.
 * The numbers are those of the other options (0x hex, K suffixes...). */
static int slice_part(const char *s, size_t len, uint64_t n, int64_t *v)
{
	char buf[64];
	uint64_t mag;
	int neg = len > 0 && s[0] == '-';
	size_t first = (size_t)neg, digits;

	if (len == 0)
		return 0;
	while (first < len && s[first] == '0')
		first++;
	digits = strspn(s + first, "0123456789");
	if (first + digits == len && digits >= 20) {
		/* Python takes integers of any size: a decimal one of 20
		 * digits or more (more than n + 1) is as good as n + 1. */
		mag = n + 1;
	} else if (len >= sizeof buf) {
		return -1;
	} else {
		memcpy(buf, s, len);
		buf[len] = '\0';
		if (tool_parse_signed(buf, &neg, &mag) < 0)
			return -1;
	}
	if (mag > n + 1)
		mag = n + 1;
	*v = neg ? -(int64_t)mag : (int64_t)mag;
	return 1;
}

/* A bound of a slice with Python's rules: a negative one counts from the
 * end, then it is clamped to [0, n] (step > 0) or [-1, n - 1]. */
static int64_t slice_bound(int64_t v, int64_t n, int64_t step)
{
	if (v < 0)
		v += n;
	if (v < 0)
		return step > 0 ? 0 : -1;
	if (v >= n)
		return step > 0 ? n : n - 1;
	return v;
}

void parse_rows(const char *arg, uint64_t n, struct rows *r)
{
	const char *p[3], *end;
	int64_t v[3] = { 0, 0, 1 }, nn = (int64_t)n;
	int given[3] = { 0, 0, 0 }, parts = 1;

	r->start = 0;
	r->step = 1;
	r->count = n;
	if (arg == NULL)
		return;
	p[0] = arg;
	for (const char *c = arg; *c != '\0'; c++)
		if (*c == ':') {
			if (parts == 3)
				bad_usage("invalid --rows '%s' (I, A:B or A:B:STEP)", arg);
			p[parts++] = c + 1;
		}
	for (int i = 0; i < parts; i++) {
		end = i + 1 < parts ? p[i + 1] - 1 : p[i] + strlen(p[i]);
		given[i] = slice_part(p[i], (size_t)(end - p[i]), n, &v[i]);
		if (given[i] < 0 || (parts == 1 && !given[i]))
			bad_usage("invalid --rows '%s' (I, A:B or A:B:STEP)", arg);
	}
	if (parts == 1) {
		/* One row, as a list's [I]: an error out of range. */
		if (v[0] < -nn || v[0] >= nn)
			bad_usage("--rows %s: there is no row %s (%" PRIu64
				  " rows)", arg, arg, n);
		r->start = v[0] < 0 ? v[0] + nn : v[0];
		r->count = 1;
		return;
	}
	if (!given[2])
		v[2] = 1;
	if (v[2] == 0)
		bad_usage("--rows %s: the step cannot be zero", arg);
	r->step = v[2];
	r->start = given[0] ? slice_bound(v[0], nn, r->step)
			    : r->step > 0 ? 0 : nn - 1;
	v[1] = given[1] ? slice_bound(v[1], nn, r->step)
			: r->step > 0 ? nn : -1;
	if (r->step > 0)
		r->count = v[1] > r->start
			   ? (uint64_t)(v[1] - r->start - 1) / (uint64_t)r->step + 1
			   : 0;
	else
		r->count = r->start > v[1]
			   ? (uint64_t)(r->start - v[1] - 1) / (uint64_t)-r->step + 1
			   : 0;
}

/*
 * The buffer's dtype and shape, or TYPE's (a TYPE of another size than the
 * dtype's makes the data flat).  Only complete rows of the leading axis are
 * used: a shape larger than the length is a table still being filled.
 */
static void get_layout(struct layout *l, const struct input *in,
		       const char *type)
{
	const char *dt = in->buf != NULL ? mmbuf_dtype(in->buf) : "<u1";
	uint32_t bufsize = in->buf != NULL ? mmbuf_itemsize(in->buf) : 1;
	uint64_t row = 1;

	memset(l, 0, sizeof *l);
	if (mmbuf_dtype_parse(type != NULL ? type : dt, l->dtype, &l->itemsize) < 0)
		bad_usage("invalid type '%s' (e.g. <f8, >i4, u1, c16)", type);
	if (in->buf != NULL && l->itemsize == bufsize) {
		const uint64_t *dims;

		l->ndim = mmbuf_shape(in->buf, &dims);
		for (uint32_t i = 0; i < l->ndim; i++)
			l->shape[i] = dims[i];
	}
	if (l->ndim == 0) {
		l->ndim = 1;
		l->shape[0] = in->len / l->itemsize;
		return;
	}
	for (uint32_t i = 1; i < l->ndim; i++)
		row *= l->shape[i];
	if (row > 0 && in->len / l->itemsize / row < l->shape[0])
		l->shape[0] = in->len / l->itemsize / row;
}

/*
 * The view of the data as it is now (in->len): the layout, and the rows
 * it makes.  --follow sets it up again after each commit.
 */
void typed_setup(struct typed_view *v, const char *type,
		 const struct input *in)
{
	struct layout *l = &v->l;
	const uint16_t one = 1;
	uint8_t machine_le;

	get_layout(l, in, type);
	memcpy(&machine_le, &one, 1);
	v->t.kind = l->dtype[1];
	v->t.swap = l->itemsize > 1 && (l->dtype[0] == '<') != (machine_le == 1);
	v->t.itemsize = l->itemsize;
	v->rows = 1;
	if (l->ndim == 1) {
		v->rowlen = 1;
		v->rows = l->shape[0];
	} else {
		v->rowlen = l->shape[l->ndim - 1];
		for (uint32_t i = 0; i + 1 < l->ndim; i++)
			v->rows *= l->shape[i];
	}
	/* No elements, no rows: a shape of 2^63 x 0 is 2^63 empty rows,
	 * which would never end. */
	for (uint32_t i = 0; i < l->ndim; i++)
		if (l->shape[i] == 0)
			v->rows = 0;
	v->rowbytes = v->rowlen * l->itemsize;
}

/* Row r, whose bytes are at p: "[I, J] v v v", the index over the leading
 * axes, or with a separator sep (--csv, --tsv) only the values. */
static void typed_row(const struct typed_view *v, int sep, const uint8_t *p,
		      uint64_t r)
{
	const struct layout *l = &v->l;
	char *w = tool_out_reserve(MMBUF_MAX_DIMS * 22 + 2);

	if (!sep) {
		uint64_t idx[MMBUF_MAX_DIMS] = { 0 }, rem = r;
		uint32_t nidx = l->ndim == 1 ? 1 : l->ndim - 1;

		if (l->ndim == 1)
			idx[0] = r;
		for (int d = (int)nidx - 1; l->ndim > 1 && d >= 0; d--) {
			idx[d] = rem % l->shape[d];
			rem /= l->shape[d];
		}
		*w++ = '[';
		for (uint32_t d = 0; d < nidx; d++) {
			if (d) {
				*w++ = ',';
				*w++ = ' ';
			}
			w = tool_put_u64(w, idx[d]);
		}
		*w++ = ']';
	}
	tool_out_commit(w);
	for (uint64_t k = 0; k < v->rowlen; k++) {
		w = tool_out_reserve(VALUE_MAX + 2);
		if (!sep)
			*w++ = ' ';
		else if (k)
			*w++ = (char)sep;
		w = put_value(w, &v->t, p + k * l->itemsize);
		tool_out_commit(w);
	}
	tool_out_mem("\n", 1);
}

void typed_rows(const struct typed_view *v, int sep, const uint8_t *p,
		uint64_t a, uint64_t b)
{
	for (uint64_t r = a; r < b; r++, p += v->rowbytes)
		typed_row(v, sep, p, r);
}

/*
 * -t: one line per row of the last axis ("[I, J] v v v", the index over the
 * leading axes), a 1-D array one element per line.  With --csv or --tsv
 * only the values, separated by the one character: the rows are those of
 * a C-order reshape to (-1, last), so any ndim reads back as a table.  No
 * element's text holds a comma, tab, quote or newline, so none is quoted.
 */
void dump_typed(const struct opts *o, const struct input *in)
{
	struct typed_view v;
	struct rows sel;
	struct source rs;       /* only to let go of the rows shown */

	if (in->data == NULL && in->fd >= 0)
		tool_die(TOOL_EXIT_INPUT, in->path, "-t needs a regular file");
	typed_setup(&v, o->type, in);
	parse_rows(o->rows, v.rows, &sel);
	memset(&rs, 0, sizeof rs);
	rs.in = in;
	rs.released = sel.step > 0 ? (uint64_t)sel.start * v.rowbytes : 0;
	for (uint64_t i = 0; i < sel.count; i++) {
		uint64_t r = (uint64_t)(sel.start + (int64_t)i * sel.step);

		typed_row(&v, o->sep, in->data + r * v.rowbytes, r);
		if (sel.step > 0) {
			rs.pos = (r + 1) * v.rowbytes;
			release_behind(&rs);
		}
	}
}

/* ------------------------------------------------------------------ */
/* --npy                                                               */

void dump_npy(const struct input *in)
{
	struct layout l;
	uint64_t bytes;
	const uint8_t *p;
	struct source s;
	size_t n;

	if (in->data == NULL && in->fd >= 0)
		tool_die(TOOL_EXIT_INPUT, in->path, "--npy needs a regular file");
	get_layout(&l, in, NULL);
	bytes = tool_npy_write_header(l.dtype, l.itemsize, l.ndim, l.shape);
	memset(&s, 0, sizeof s);
	s.in = in;
	s.end = bytes;
	while ((n = src_next(&s, 0, &p)) > 0)
		tool_out_mem(p, n);
}
