/*
 * dumpbuf-typed.c - dumpbuf's typed views: -t elements as text, one row a
 * line, and the --npy export (see dumpbuf.h).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmbuf.h"
#include "common.h"
#include "dumpbuf.h"

/* ------------------------------------------------------------------ */
/* Typed dumps: -t                                                     */

/* One element as text; returns the end. */
static char *put_value(char *o, const struct typed *t, const uint8_t *p)
{
	unsigned n = t->itemsize;
	uint64_t v;

	switch (t->kind) {
	case 'b':
		return o + sprintf(o, "%s", p[0] ? "True" : "False");
	case 'u':
		return o + sprintf(o, "%" PRIu64, tool_load(p, n, t->order));
	case 'i':
		v = tool_load(p, n, t->order);
		if (n < 8 && (v >> (8 * n - 1)) & 1)
			v |= ~(uint64_t)0 << (8 * n);
		return o + sprintf(o, "%" PRId64, (int64_t)v);
	case 'f':
		return tool_put_float(o, tool_load_float(p, n, t->order), n, 1);
	default: {
		/* Complex, as Python and NumPy show scalars: (a+bj). */
		double re = tool_load_float(p, n / 2, t->order);
		double im = tool_load_float(p + n / 2, n / 2, t->order);

		*o++ = '(';
		o = tool_put_float(o, re, n / 2, 0);
		if (!signbit(im) || isnan(im))
			*o++ = '+';
		o = tool_put_float(o, isnan(im) ? fabs(im) : im, n / 2, 0);
		*o++ = 'j';
		*o++ = ')';
		return o;
	}
	}
}

/* Python slice bounds A:B over n rows. */
void parse_rows(const char *arg, uint64_t n, uint64_t *a, uint64_t *b)
{
	const char *colon = arg != NULL ? strchr(arg, ':') : NULL;
	char first[64];
	int neg;
	uint64_t mag;

	*a = 0;
	*b = n;
	if (arg == NULL)
		return;
	if (colon == NULL || (size_t)(colon - arg) >= sizeof first)
		bad_usage("invalid --rows '%s' (A:B, A: or :B)", arg);
	memcpy(first, arg, (size_t)(colon - arg));
	first[colon - arg] = '\0';
	if (first[0] != '\0') {
		if (tool_parse_signed(first, &neg, &mag) < 0)
			bad_usage("invalid --rows '%s' (A:B, A: or :B)", arg);
		*a = neg ? (mag > n ? 0 : n - mag) : (mag > n ? n : mag);
	}
	if (colon[1] != '\0') {
		if (tool_parse_signed(colon + 1, &neg, &mag) < 0)
			bad_usage("invalid --rows '%s' (A:B, A: or :B)", arg);
		*b = neg ? (mag > n ? 0 : n - mag) : (mag > n ? n : mag);
	}
	if (*b < *a)
		*b = *a;
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

	get_layout(l, in, type);
	v->t.order = l->dtype[0];
	v->t.kind = l->dtype[1];
	v->t.itemsize = l->itemsize;
	v->rows = 1;
	if (l->ndim == 1) {
		/* One element per line, indexed. */
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

/* Rows a to b, one a line with its index; p points at row a. */
void typed_rows(const struct typed_view *v, const uint8_t *p, uint64_t a,
		uint64_t b)
{
	const struct layout *l = &v->l;

	for (uint64_t r = a; r < b; r++, p += v->rowbytes) {
		char *w = tool_out_reserve(96);
		uint64_t rem = r;
		uint64_t idx[MMBUF_MAX_DIMS] = { 0 };

		/* The index of the row over the leading axes. */
		if (l->ndim == 1) {
			idx[0] = r;
		} else {
			for (int d = (int)l->ndim - 2; d >= 0; d--) {
				idx[d] = l->shape[d] ? rem % l->shape[d] : 0;
				rem = l->shape[d] ? rem / l->shape[d] : 0;
			}
		}
		*w++ = '[';
		for (uint32_t d = 0; d < (l->ndim == 1 ? 1 : l->ndim - 1); d++)
			w += sprintf(w, "%s%" PRIu64, d ? ", " : "", idx[d]);
		*w++ = ']';
		tool_out_commit(w);
		for (uint64_t k = 0; k < v->rowlen; k++) {
			w = tool_out_reserve(96);
			*w++ = ' ';
			w = put_value(w, &v->t, p + k * l->itemsize);
			tool_out_commit(w);
		}
		tool_out_mem("\n", 1);
	}
}

void dump_typed(const struct opts *o, const struct input *in)
{
	struct typed_view v;
	struct source rs;       /* only to let go of the rows shown */
	uint64_t a, b;

	if (in->data == NULL && in->fd >= 0)
		tool_die(TOOL_EXIT_INPUT, in->path, "-t needs a regular file");
	typed_setup(&v, o->type, in);
	parse_rows(o->rows, v.rows, &a, &b);
	memset(&rs, 0, sizeof rs);
	rs.in = in;
	rs.released = a * v.rowbytes;
	for (uint64_t r = a; r < b; r++) {
		typed_rows(&v, in->data + r * v.rowbytes, r, r + 1);
		rs.pos = (r + 1) * v.rowbytes;
		release_behind(&rs);
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
