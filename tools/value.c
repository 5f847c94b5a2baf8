/*
 * value.c - element values as text: integers and floats of any byte
 * order, the shortest float text (dumpbuf --type, editbuf); see common.h.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmbuf.h"

#include "common.h"

/*
 * Floats print as the shortest text that reads back to the same value, in
 * the layout of Python's repr: fixed notation for decimal exponents from
 * -4 to 15 (with ".0" on whole numbers), else d.ddde+XX.  The digits come
 * from %.*e (correctly rounded by the C library) at the smallest precision
 * that reads back through strtod (strtof for f4, a rounding to the nearest
 * half for f2).
 */

/* Split "d.ddde+XX" (from %.*e of a non-negative value) into the digits
 * without trailing zeros and the decimal exponent of the first one. */
static void split_e(const char *buf, char *d, int *exp)
{
	const char *e = strchr(buf, 'e');
	size_t n = 0;

	for (const char *q = buf; q < e; q++)
		if (*q != '.')
			d[n++] = *q;
	while (n > 1 && d[n - 1] == '0')
		n--;
	d[n] = '\0';
	*exp = atoi(e + 1);
}

/*
 * The shortest digits of v (not negative) that read back (through ok()) as
 * v: the digit string without a point in d, the decimal exponent of its
 * first digit in *exp.
 */
static void shortest_digits(double v, int maxprec,
			    int (*ok)(const char *, double), char *d, int *exp)
{
	char buf[64];
	int prec, e2;

	if (v == 0 || frexp(v, &e2) != 0.5) {
		/* If p digits read back then p + 1 digits do (they are at
		 * least as close, and the interval that reads back is
		 * symmetric): search for the smallest p. */
		int lo = 1, hi = maxprec;

		while (lo < hi) {
			int mid = (lo + hi) / 2;

			snprintf(buf, sizeof buf, "%.*e", mid - 1, v);
			if (ok(buf, v))
				hi = mid;
			else
				lo = mid + 1;
		}
		snprintf(buf, sizeof buf, "%.*e", lo - 1, v);
		split_e(buf, d, exp);
		return;
	}
	/* A power of two: the interval that reads back is twice as wide
	 * above it as below, so the nearest p-digit number can fail where
	 * the next one up reads back (0.01563 for the f2 value 0.015625);
	 * try both at every precision. */
	for (prec = 1; prec <= maxprec; prec++) {
		unsigned long long m;
		char up[64];
		int x;

		snprintf(buf, sizeof buf, "%.*e", prec - 1, v);
		if (ok(buf, v) || prec == maxprec) {
			split_e(buf, d, exp);
			return;
		}
		split_e(buf, d, &x);
		/* The digits as an integer, plus one in the last place. */
		m = strtoull(d, NULL, 10);
		for (size_t k = strlen(d); k < (size_t)prec; k++)
			m *= 10;
		snprintf(up, sizeof up, "%llue%d", m + 1, x - prec + 1);
		if (ok(up, v)) {
			/* Its digits; 99..9 + 1 carries into a new first one. */
			size_t n = (size_t)snprintf(d, 24, "%llu", m + 1);

			*exp = x + (n > (size_t)prec);
			while (n > 1 && d[n - 1] == '0')
				d[--n] = '\0';
			return;
		}
	}
}

static int ok_f8(const char *s, double v)
{
	return strtod(s, NULL) == v;
}

static int ok_f4(const char *s, double v)
{
	return strtof(s, NULL) == (float)v;
}

double tool_half_to_double(uint16_t h)
{
	int e = (h >> 10) & 0x1f;
	double m = h & 0x3ff, v;

	if (e == 0)
		v = ldexp(m, -24);
	else if (e == 31)
		v = m ? NAN : INFINITY;
	else
		v = ldexp(m + 1024, e - 25);
	return h & 0x8000 ? -v : v;
}

/* The half nearest to x, ties to even (the default rounding mode). */
uint16_t tool_double_to_half(double x)
{
	uint16_t sign = signbit(x) ? 0x8000 : 0;
	double a = fabs(x), f, r;
	int e, E;

	if (isnan(x))
		return sign | 0x7e00;
	if (a >= 65520.0)
		return sign | 0x7c00;
	if (a < 0x1p-14)
		return sign | (uint16_t)nearbyint(a * 0x1p24);
	f = frexp(a, &e);
	r = nearbyint((f * 2 - 1) * 1024);
	E = e - 1 + 15;
	if (r == 1024) {
		r = 0;
		E++;
	}
	return sign | (uint16_t)(E << 10) | (uint16_t)r;
}

static int ok_f2(const char *s, double v)
{
	return tool_double_to_half(strtod(s, NULL)) == tool_double_to_half(v);
}

/* Python's repr of a float given its shortest digits; dot0 adds ".0" to
 * whole numbers in fixed notation (repr(float) does, complex parts do
 * not). */
static char *put_float(char *o, double v, int maxprec,
		       int (*ok)(const char *, double), int dot0)
{
	char d[40];
	int exp = 0, n;

	if (isnan(v))
		return o + sprintf(o, "nan");
	if (signbit(v))
		*o++ = '-';
	if (isinf(v))
		return o + sprintf(o, "inf");
	shortest_digits(fabs(v), maxprec, ok, d, &exp);
	n = (int)strlen(d);
	if (exp >= -4 && exp < 16) {
		if (exp < 0) {
			*o++ = '0';
			*o++ = '.';
			for (int i = -1; i > exp; i--)
				*o++ = '0';
			memcpy(o, d, (size_t)n);
			o += n;
		} else {
			for (int i = 0; i <= exp; i++)
				*o++ = i < n ? d[i] : '0';
			if (n > exp + 1) {
				*o++ = '.';
				memcpy(o, d + exp + 1, (size_t)(n - exp - 1));
				o += n - exp - 1;
			} else if (dot0) {
				*o++ = '.';
				*o++ = '0';
			}
		}
	} else {
		*o++ = d[0];
		if (n > 1) {
			*o++ = '.';
			memcpy(o, d + 1, (size_t)(n - 1));
			o += n - 1;
		}
		o += sprintf(o, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
	}
	return o;
}

uint64_t tool_load(const uint8_t *p, unsigned n, char order)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[order == '>' ? i : n - 1 - i];
	return v;
}

double tool_load_float(const uint8_t *p, unsigned n, char order)
{
	uint64_t bits = tool_load(p, n, order);

	if (n == 2)
		return tool_half_to_double((uint16_t)bits);
	if (n == 4) {
		uint32_t b32 = (uint32_t)bits;
		float f;

		memcpy(&f, &b32, 4);
		return f;
	} else {
		double d;

		memcpy(&d, &bits, 8);
		return d;
	}
}

char *tool_put_float(char *o, double v, unsigned n, int dot0)
{
	if (n == 2)
		return put_float(o, v, 5, ok_f2, dot0);
	if (n == 4)
		return put_float(o, v, 9, ok_f4, dot0);
	return put_float(o, v, 17, ok_f8, dot0);
}
