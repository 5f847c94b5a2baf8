/*
 * dumpbuf-hex.c - dumpbuf's hex layouts: xxd's (normal, -e, -b, -p, -i),
 * hexdump -C and --raw, formatted with lookup tables (see dumpbuf.h).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "mmbuf.h"
#include "common.h"
#include "dumpbuf.h"

/* ------------------------------------------------------------------ */
/* Tables                                                              */

static char hexpair[2][256][2];     /* [upper][byte] */
static char bits8[256][8];
static char printable[256];         /* the byte, or '.' */
static char spaces[4096 + 64];
const uint8_t zeros[256];

void init_tables(void)
{
	static const char lo[] = "0123456789abcdef", up[] = "0123456789ABCDEF";

	memset(spaces, ' ', sizeof spaces);

	for (int b = 0; b < 256; b++) {
		hexpair[0][b][0] = lo[b >> 4];
		hexpair[0][b][1] = lo[b & 15];
		hexpair[1][b][0] = up[b >> 4];
		hexpair[1][b][1] = up[b & 15];
		for (int i = 0; i < 8; i++)
			bits8[b][i] = (char)('0' + ((b >> (7 - i)) & 1));
		printable[b] = (char)(b > 31 && b < 127 ? b : '.');
	}
}

/* "%08lx": at least 8 lower-case hex digits. */
static inline char *put_hex_addr(char *o, uint64_t v)
{
	if (v <= 0xffffffffu) {
		memcpy(o, hexpair[0][v >> 24], 2);
		memcpy(o + 2, hexpair[0][(v >> 16) & 0xff], 2);
		memcpy(o + 4, hexpair[0][(v >> 8) & 0xff], 2);
		memcpy(o + 6, hexpair[0][v & 0xff], 2);
		return o + 8;
	}
	int nd = (64 - __builtin_clzll(v) + 3) / 4;
	for (int i = nd - 1; i >= 0; i--, v >>= 4)
		o[i] = "0123456789abcdef"[v & 15];
	return o + nd;
}

/* "%08ld" of the value taken as signed, as xxd -d prints it. */
static char *put_dec_addr(char *o, uint64_t u)
{
	char tmp[24];
	int n = 0, neg = (int64_t)u < 0;
	uint64_t m = neg ? (uint64_t)0 - u : u;

	do {
		tmp[n++] = (char)('0' + m % 10);
		m /= 10;
	} while (m > 0);
	if (neg)
		*o++ = '-';
	for (int w = n + neg; w < 8; w++)
		*o++ = '0';
	while (n > 0)
		*o++ = tmp[--n];
	return o;
}

/*
 * The 2n hex digits of p[0, n) at o, and the n characters of the text
 * column.  SSE2 does 16 bytes at a time (x86-64 always has it); the
 * tables do the rest.  asc_encode may write up to 15 bytes past o + n.
 */
static inline void hex_encode(char *o, const uint8_t *p, size_t n, int upper)
{
	size_t i = 0;
#if defined(__SSE2__)
	const __m128i m0f = _mm_set1_epi8(0x0f), nine = _mm_set1_epi8(9);
	const __m128i zero = _mm_set1_epi8('0');
	const __m128i adj = _mm_set1_epi8(upper ? 'A' - '0' - 10 : 'a' - '0' - 10);

	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		__m128i hi = _mm_and_si128(_mm_srli_epi16(v, 4), m0f);
		__m128i lo = _mm_and_si128(v, m0f);
		__m128i a = _mm_unpacklo_epi8(hi, lo);
		__m128i b = _mm_unpackhi_epi8(hi, lo);

		a = _mm_add_epi8(_mm_add_epi8(a, zero),
				 _mm_and_si128(_mm_cmpgt_epi8(a, nine), adj));
		b = _mm_add_epi8(_mm_add_epi8(b, zero),
				 _mm_and_si128(_mm_cmpgt_epi8(b, nine), adj));
		_mm_storeu_si128((__m128i *)(void *)(o + 2 * i), a);
		_mm_storeu_si128((__m128i *)(void *)(o + 2 * i + 16), b);
	}
#endif
	for (; i < n; i++)
		memcpy(o + 2 * i, hexpair[upper][p[i]], 2);
}

static inline void asc_encode(char *o, const uint8_t *p, size_t n)
{
	size_t i = 0;
#if defined(__SSE2__)
	const __m128i lo = _mm_set1_epi8(0x1f), hi = _mm_set1_epi8(0x7f);
	const __m128i dot = _mm_set1_epi8('.');

	/* Signed compares: bytes from 0x80 up are negative, not printable. */
	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		__m128i m = _mm_and_si128(_mm_cmpgt_epi8(v, lo),
					  _mm_cmplt_epi8(v, hi));

		_mm_storeu_si128((__m128i *)(void *)(o + i),
				 _mm_or_si128(_mm_and_si128(m, v),
					      _mm_andnot_si128(m, dot)));
	}
#endif
	for (; i < n; i++)
		o[i] = printable[p[i]];
}

/* ------------------------------------------------------------------ */
/* Colour: one escape per run of a byte class                          */

enum { CL_NONE = -1, CL_NUL, CL_PRINT, CL_SPACE, CL_ASCII, CL_HIGH };

static const char *const class_esc[] = {
	"\033[90m",     /* NUL: grey */
	"\033[36m",     /* printable ASCII: cyan */
	"\033[32m",     /* whitespace: green */
	"\033[35m",     /* other ASCII: magenta */
	"\033[33m",     /* non-ASCII: yellow */
};
#define COLOR_RESET "\033[0m"

static int byte_class(uint8_t b)
{
	if (b == 0)
		return CL_NUL;
	if (b == ' ' || (b >= '\t' && b <= '\r'))
		return CL_SPACE;
	if (b > 32 && b < 127)
		return CL_PRINT;
	if (b < 128)
		return CL_ASCII;
	return CL_HIGH;
}

/*
 * Write a formatted line with colour: owner[i] is the index of the byte
 * that char i shows, or -1.  An escape goes out only where the class
 * changes; chars that show no byte leave the current colour alone, and the
 * line ends with a reset.
 */
static void put_colored(const char *line, size_t len, const int16_t *owner,
			const uint8_t *p)
{
	char *o = tool_out_reserve(len * 6 + 16);
	int cur = CL_NONE;

	for (size_t i = 0; i < len; i++) {
		if (owner[i] < 0 && line[i] != ' ' && cur != CL_NONE) {
			/* The '|' of -C and the like: not a byte's colour. */
			memcpy(o, COLOR_RESET, sizeof COLOR_RESET - 1);
			o += sizeof COLOR_RESET - 1;
			cur = CL_NONE;
		}
		if (owner[i] >= 0) {
			int cl = byte_class(p[owner[i]]);

			if (cl != cur) {
				size_t k = strlen(class_esc[cl]);

				memcpy(o, class_esc[cl], k);
				o += k;
				cur = cl;
			}
		}
		*o++ = line[i];
	}
	if (cur != CL_NONE) {
		memcpy(o, COLOR_RESET, sizeof COLOR_RESET - 1);
		o += sizeof COLOR_RESET - 1;
	}
	tool_out_commit(o);
}

/* ------------------------------------------------------------------ */
/* xxd layout: normal, -e, -b                                          */

void xxd_setup(struct xxd *x, const struct opts *o)
{
	static uint8_t hits[8192];

	memset(x, 0, sizeof *x);
	x->type = o->xtype;
	x->upper = o->upper;
	x->decimal = o->decimal;
	x->autoskip = o->autoskip;
	x->cols = o->cols;
	if (!o->cols_given || x->cols == 0)
		x->cols = x->type == X_BITS ? 6 : 16;
	if (x->cols < 1 || x->cols > 256)
		bad_usage("invalid number of columns: %d (1 to 256)", x->cols);
	x->grp = o->grp;
	if (x->grp < 0)
		x->grp = x->type == X_BITS ? 1 : x->type == X_LE ? 4 : 2;
	if (x->grp < 1 || x->grp > x->cols)
		x->grp = x->cols;
	else if (x->type == X_LE && (x->grp & (x->grp - 1)))
		bad_usage("%s", "the group size of -e must be a power of 2");
	x->digits = x->type == X_BITS ? 8 : 2;
	x->grplen = x->digits * x->grp + 1;
	/* The width of the hex columns; xxd 2022-01-14 uses it for -e as
	 * well, so digits of a last partial -e group can land in the
	 * character column. */
	x->W = (x->grplen * x->cols - 1) / x->grp;

	/* Count the writes that land on each column of a full line. */
	memset(hits, 0, sizeof hits);
	for (int p = 0; p < x->cols; p++) {
		int xi = x->type == X_LE ? p ^ (x->grp - 1) : p;
		int off = 1 + (x->grplen * xi) / x->grp;

		x->hexoff[p] = (uint16_t)off;
		for (int k = 0; k < x->digits; k++)
			if (hits[off + k]++)
				x->exact = 1;
		if (hits[3 + x->W + p]++)
			x->exact = 1;
	}
}

/*
 * Format one line of n bytes at p, displayed at addr; returns the end.
 * Digits and characters are written in byte order, as xxd does.
 */
char *xxd_line_exact(const struct xxd *x, char *o, uint64_t addr,
		     const uint8_t *p, int n)
{
	const char (*pair)[2] = hexpair[x->upper];
	char *body;
	int asc = 3 + x->W;

	o = x->decimal ? put_dec_addr(o, addr) : put_hex_addr(o, addr);
	*o++ = ':';
	body = o;
	memcpy(body, spaces, (size_t)(asc + n));
	if (x->type == X_BITS) {
		for (int i = 0; i < n; i++) {
			memcpy(body + x->hexoff[i], bits8[p[i]], 8);
			body[asc + i] = printable[p[i]];
		}
	} else {
		for (int i = 0; i < n; i++) {
			memcpy(body + x->hexoff[i], pair[p[i]], 2);
			body[asc + i] = printable[p[i]];
		}
	}
	body[asc + n] = '\n';
	return body + asc + n + 1;
}

/*
 * The same for the layouts where no column is written twice (all but odd
 * -e ones): digits are made 16 bytes at a time and copied a group (or,
 * for -e, a byte) at a time.  Writes up to 16 bytes past the end.
 */
static char *xxd_line(const struct xxd *x, char *o, uint64_t addr,
		      const uint8_t *p, int n)
{
	char hx[512 + 32];
	char *body;
	int asc = 3 + x->W, g = x->grp;

	if (x->exact || x->type == X_BITS)
		return xxd_line_exact(x, o, addr, p, n);
	o = x->decimal ? put_dec_addr(o, addr) : put_hex_addr(o, addr);
	*o++ = ':';
	body = o;
	memcpy(body, spaces, (size_t)asc);
	hex_encode(hx, p, (size_t)n, x->upper);
	if (x->type == X_LE) {
		for (int i = 0; i < n; i++)
			memcpy(body + x->hexoff[i], hx + 2 * i, 2);
	} else if (g == 2 && n == x->cols && n % 2 == 0) {
		for (int i = 0; i < n; i += 2)
			memcpy(body + x->hexoff[i], hx + 2 * i, 4);
	} else if (g == 4 && n == x->cols && n % 4 == 0) {
		for (int i = 0; i < n; i += 4)
			memcpy(body + x->hexoff[i], hx + 2 * i, 8);
	} else {
		for (int i = 0; i < n; i += g)
			memcpy(body + x->hexoff[i], hx + 2 * i,
			       2 * (size_t)(n - i < g ? n - i : g));
	}
	asc_encode(body + asc, p, (size_t)n);
	body[asc + n] = '\n';
	return body + asc + n + 1;
}

/*
 * xxd's default line (16 bytes in groups of 2), unrolled: the columns are
 * constants, so every store is a fixed-size move.  Same output as
 * xxd_line, which the tests check against xxd.
 */
static char *xxd_line16x2(char *o, uint64_t addr, const uint8_t *p, int upper)
{
	char hx[32];

	o = put_hex_addr(o, addr);
	*o++ = ':';
	hex_encode(hx, p, 16, upper);
	memcpy(o, spaces, 42);
#define CP4(k) memcpy(o + 1 + 5 * (k), hx + 4 * (k), 4)
	CP4(0); CP4(1); CP4(2); CP4(3); CP4(4); CP4(5); CP4(6); CP4(7);
#undef CP4
	asc_encode(o + 42, p, 16);
	o[58] = '\n';
	return o + 59;
}

/* The most a line can take, including the writes past its end in the
 * exact layouts. */
static size_t xxd_line_max(const struct xxd *x)
{
	return 24 + 3 + (size_t)x->W + (size_t)x->cols + 1 + 3 * 512 + 64 + 16;
}

static void xxd_emit(struct xxd *x, uint64_t addr, const uint8_t *p, int n)
{
	char *o = tool_out_reserve(xxd_line_max(x));

	if (!x->color) {
		if (n == 16 && x->cols == 16 && x->type == X_NORMAL &&
		    x->grp == 2 && !x->decimal)
			tool_out_commit(xxd_line16x2(o, addr, p, x->upper));
		else
			tool_out_commit(xxd_line(x, o, addr, p, n));
		return;
	}
	/* Colour: format into a scratch line, noting which byte each
	 * column shows (the last write wins, as in xxd). */
	{
		static char line[8192];
		static int16_t owner[8192];
		char *end = xxd_line_exact(x, line, addr, p, n);
		size_t len = (size_t)(end - line);
		size_t b0 = len - (size_t)(3 + x->W + n + 1);

		for (size_t i = 0; i < len; i++)
			owner[i] = -1;
		for (int i = 0; i < n; i++) {
			for (int k = 0; k < x->digits; k++)
				if (b0 + x->hexoff[i] + k < len - 1)
					owner[b0 + x->hexoff[i] + k] = (int16_t)i;
			owner[b0 + 3 + x->W + i] = (int16_t)i;
		}
		put_colored(line, len, owner, p);
	}
}

/*
 * One full or partial line through xxd's autoskip rule (xxdline()): the
 * first zero line of a run is shown; a run of exactly two shows both; a
 * longer run shows its first line, then "*" when the next non-zero line
 * comes.  Zero lines are detected before anything is formatted.
 */
static void xxd_put(struct xxd *x, uint64_t addr, const uint8_t *p, int n)
{
	if (!x->autoskip) {
		xxd_emit(x, addr, p, n);
		return;
	}
	if (n == x->cols && memcmp(p, zeros, (size_t)n) == 0) {
		if (x->zero_seen == 0)
			xxd_emit(x, addr, p, n);
		else if (x->zero_seen == 1)
			x->z_addr = addr;
		x->zero_seen++;
		return;
	}
	if (x->zero_seen == 2)
		xxd_emit(x, x->z_addr, zeros, x->cols);
	else if (x->zero_seen > 2)
		tool_out_mem("*\n", 2);
	xxd_emit(x, addr, p, n);
	x->zero_seen = 0;
}

/* At the end, after full lines only: xxdline(l, -1). */
static void xxd_finish(struct xxd *x, uint64_t last_addr)
{
	if (!x->autoskip || x->zero_seen == 0)
		return;
	x->zero_seen--;
	if (x->zero_seen == 2)
		xxd_emit(x, x->z_addr, zeros, x->cols);
	else if (x->zero_seen > 2)
		tool_out_mem("*\n", 2);
	if (x->zero_seen > 0)
		xxd_emit(x, last_addr, zeros, x->cols);
}

/*
 * The lines of s from x->base on, which it advances: whole lines, and a
 * partial last line if the source ends in one (then returns 1).  The
 * autoskip state carries over from call to call, so --follow shows a
 * growing file in pieces exactly as one dump of the whole.
 */
int xxd_lines(struct xxd *x, struct source *s)
{
	const uint8_t *p;
	size_t n, i;
	uint64_t addr = x->base;
	int partial = 0;

	while ((n = src_next(s, (size_t)x->cols, &p)) > 0) {
		size_t full = n - n % (size_t)x->cols;

		if (!x->autoskip && !x->color && !x->exact) {
			/* The hot loop: whole lines, no squeezing. */
			size_t max = xxd_line_max(x);

			if (x->type == X_NORMAL && x->cols == 16 && x->grp == 2 &&
			    !x->decimal) {
				for (i = 0; i < full; i += 16) {
					char *o = tool_out_reserve(128);

					tool_out_commit(xxd_line16x2(o, addr, p + i,
								     x->upper));
					addr += 16;
				}
			} else {
				for (i = 0; i < full; i += (size_t)x->cols) {
					char *o = tool_out_reserve(max);

					tool_out_commit(xxd_line(x, o, addr, p + i,
								 x->cols));
					addr += (uint64_t)x->cols;
				}
			}
		} else {
			for (i = 0; i < full; i += (size_t)x->cols) {
				xxd_put(x, addr, p + i, x->cols);
				addr += (uint64_t)x->cols;
			}
		}
		if (full < n) {
			/* Only the last chunk can end in a partial line; xxd
			 * always shows it (as a non-zero line). */
			if (x->autoskip) {
				if (x->zero_seen == 2)
					xxd_emit(x, x->z_addr, zeros, x->cols);
				else if (x->zero_seen > 2)
					tool_out_mem("*\n", 2);
				x->zero_seen = 0;
			}
			xxd_emit(x, addr, p + full, (int)(n - full));
			addr += n - full;
			partial = 1;
		}
	}
	x->base = addr;
	return partial;
}

/* The end of a dump whose lines xxd_lines() showed from first on. */
void xxd_end(struct xxd *x, uint64_t first, int partial)
{
	if (!partial && x->base != first)
		xxd_finish(x, x->base - (uint64_t)x->cols);
}

void dump_xxd(struct xxd *x, struct source *s)
{
	uint64_t first = x->base;

	xxd_end(x, first, xxd_lines(x, s));
}

/* ------------------------------------------------------------------ */
/* xxd -p and -i                                                       */

void dump_plain(const struct opts *o, struct source *s)
{
	int cols = o->cols_given ? o->cols : 30;
	const uint8_t *p;
	size_t n, col = 0;

	if (cols < 0)
		bad_usage("%s", "invalid number of columns: negative");
	while ((n = src_next(s, 0, &p)) > 0) {
		size_t i = 0;

		while (i < n) {
			/* Up to the end of the line, or of the chunk. */
			size_t k = n - i, room = cols > 0 ? (size_t)cols - col : k;
			char *w;

			if (k > room)
				k = room;
			if (k > TOOL_OUT_SIZE / 4)
				k = TOOL_OUT_SIZE / 4;
			w = tool_out_reserve(2 * k + 1);
			hex_encode(w, p + i, k, o->upper);
			w += 2 * k;
			i += k;
			col += k;
			if (cols > 0 && col == (size_t)cols) {
				*w++ = '\n';
				col = 0;
			}
			tool_out_commit(w);
		}
	}
	/* As xxd: a final newline after a partial line, and always with -c 0. */
	if (cols == 0 || col > 0)
		tool_out_mem("\n", 1);
}

/* xxd's mangling: non-alphanumerics become '_', a leading digit gets
 * "__", and --capitalize upper-cases the letters (C locale). */
static void put_c_name(const char *name, int capitalize)
{
	if (name[0] >= '0' && name[0] <= '9')
		tool_out_str("__");
	for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
		char ch = (char)*c;

		if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') ||
		      (*c >= 'A' && *c <= 'Z')))
			ch = '_';
		else if (capitalize && *c >= 'a' && *c <= 'z')
			ch = (char)(*c - 'a' + 'A');
		tool_out_mem(&ch, 1);
	}
}

void dump_include(const struct opts *o, const struct input *in,
		  struct source *s)
{
	const char (*pair)[2] = hexpair[o->upper];
	const char *name = o->name;
	int cols = o->cols_given ? o->cols : 12;
	const uint8_t *p;
	size_t n;
	uint64_t count = 0;

	if (cols < 0)
		bad_usage("%s", "invalid number of columns: negative");
	if (cols == 0)
		cols = 12;
	if (name == NULL && in->label[0] != '\0')
		name = in->label;
	/* As xxd: standard input has no name, and then no declarations. */
	if (name == NULL && strcmp(o->path, "-") != 0)
		name = o->path;
	if (name != NULL) {
		tool_out_str("unsigned char ");
		put_c_name(name, o->capitalize);
		tool_out_str("[] = {\n");
	}
	while ((n = src_next(s, 0, &p)) > 0) {
		for (size_t i = 0; i < n; i++, count++) {
			char *w = tool_out_reserve(16);

			if (count == 0) {
				memcpy(w, "  ", 2);
				w += 2;
			} else if (count % (uint64_t)cols == 0) {
				memcpy(w, ",\n  ", 4);
				w += 4;
			} else {
				memcpy(w, ", ", 2);
				w += 2;
			}
			*w++ = '0';
			*w++ = o->upper ? 'X' : 'x';
			memcpy(w, pair[p[i]], 2);
			tool_out_commit(w + 2);
		}
	}
	if (count > 0)
		tool_out_str("\n");
	if (name == NULL)
		return;
	tool_out_str("};\nunsigned int ");
	put_c_name(name, o->capitalize);
	/* xxd prints the count as a C int. */
	tool_out_printf("_%s = %d;\n", o->capitalize ? "LEN" : "len",
			(int)(unsigned)count);
}

/* ------------------------------------------------------------------ */

/* "%08.8_ax  " then 16 columns of "xx " with an extra space after the
 * eighth, " |", the characters, "|\n".  Missing bytes of the last line
 * are blanks; its character column is as long as the line. */
static char *canon_line(char *o, uint64_t addr, const uint8_t *p, int n)
{
	char hx[32], *h;

	o = put_hex_addr(o, addr);
	memcpy(o, spaces, 52);
	h = o + 2;
	hex_encode(hx, p, (size_t)n, 0);
	if (n == 16) {
		/* Spelt out: compilers keep these short loops as loops. */
#define CP2(i) memcpy(h + 3 * (i) + ((i) >= 8), hx + 2 * (i), 2)
		CP2(0); CP2(1); CP2(2); CP2(3); CP2(4); CP2(5); CP2(6); CP2(7);
		CP2(8); CP2(9); CP2(10); CP2(11); CP2(12); CP2(13); CP2(14); CP2(15);
#undef CP2
	} else {
		for (int i = 0; i < n; i++)
			memcpy(h + 3 * i + (i >= 8), hx + 2 * i, 2);
	}
	o[52] = '|';
	asc_encode(o + 53, p, (size_t)n);
	o[53 + n] = '|';
	o[54 + n] = '\n';
	return o + 55 + n;
}

static void canon_emit(const struct canon *c, uint64_t addr, const uint8_t *p,
		       int n)
{
	char *o = tool_out_reserve(96);

	if (!c->color) {
		tool_out_commit(canon_line(o, addr, p, n));
		return;
	}
	{
		char line[160];
		int16_t owner[160];
		char *end = canon_line(line, addr, p, n);
		size_t len = (size_t)(end - line);
		size_t a = len - (size_t)n - 53; /* start of the hex */

		for (size_t i = 0; i < len; i++)
			owner[i] = -1;
		for (int i = 0; i < n; i++) {
			size_t h = a + 3 * (size_t)i + (i >= 8);

			owner[h] = owner[h + 1] = (int16_t)i;
			owner[len - 2 - (size_t)n + (size_t)i] = (int16_t)i;
		}
		put_colored(line, len, owner, p);
	}
}

/*
 * hexdump's rules (util-linux): a full line equal to the one before it is
 * replaced by a single "*" per run (never the first line, never a partial
 * last line); the end address follows the data.  With no data at all the
 * end address is printed only when it is not 0 (a skip into a non-empty
 * input), and -n 0 prints nothing.
 *
 * canon_lines() shows the lines of s from c->addr on, which it advances,
 * keeping the squeezing state in c from call to call (for --follow);
 * canon_end() writes the end address.
 */
void canon_setup(struct canon *c, const struct opts *o, int color)
{
	memset(c, 0, sizeof *c);
	c->squeeze = !o->nosqueeze;
	c->color = color;
	c->shown = o->display_off;
}

void canon_lines(struct canon *c, struct source *s)
{
	const uint8_t *p;
	size_t n, i;
	uint64_t addr = c->addr;

	while ((n = src_next(s, 16, &p)) > 0) {
		for (i = 0; i + 16 <= n; i += 16) {
			if (c->squeeze && c->have_prev &&
			    memcmp(p + i, c->prev, 16) == 0) {
				if (!c->starred) {
					tool_out_mem("*\n", 2);
					c->starred = 1;
				}
			} else {
				canon_emit(c, addr + c->shown, p + i, 16);
				memcpy(c->prev, p + i, 16);
				c->have_prev = 1;
				c->starred = 0;
			}
			addr += 16;
		}
		if (i < n) {
			canon_emit(c, addr + c->shown, p + i, (int)(n - i));
			addr += n - i;
		}
	}
	c->addr = addr;
}

void canon_end(const struct canon *c)
{
	if (c->addr != 0) {
		char *o = tool_out_reserve(24);

		o = put_hex_addr(o, c->addr + c->shown);
		*o++ = '\n';
		tool_out_commit(o);
	}
}

void dump_canon(struct canon *c, struct source *s, uint64_t start,
		uint64_t limit)
{
	if (limit == 0)
		return;
	c->addr = start;
	canon_lines(c, s);
	canon_end(c);
}

/* ------------------------------------------------------------------ */
/* --raw                                                               */

void dump_raw(struct source *s)
{
	const uint8_t *p;
	size_t n;

	/* Copied through the output buffer, not handed to write(2) straight
	 * from the mapping: a page truncated away must fault here, under the
	 * guard, and not come back as EFAULT from the kernel. */
	while ((n = src_next(s, 0, &p)) > 0)
		tool_out_mem(p, n);
}
