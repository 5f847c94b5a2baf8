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
#include "pow10.h"

/* ------------------------------------------------------------------ */
/* Integers                                                            */

static const char digit_pairs[201] =
	"00010203040506070809" "10111213141516171819"
	"20212223242526272829" "30313233343536373839"
	"40414243444546474849" "50515253545556575859"
	"60616263646566676869" "70717273747576777879"
	"80818283848586878889" "90919293949596979899";

/* The decimal digits of v, written backwards so that they end at end;
 * returns their count (1 to 20). */
static int digits_before(uint64_t v, char *end)
{
	char *p = end;

	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);

		v /= 100;
		p -= 2;
		memcpy(p, digit_pairs + 2 * r, 2);
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, digit_pairs + 2 * v, 2);
	} else {
		*--p = (char)('0' + v);
	}
	return (int)(end - p);
}

char *tool_put_u64(char *o, uint64_t v)
{
	char tmp[24];
	int n = digits_before(v, tmp + sizeof tmp);

	memcpy(o, tmp + sizeof tmp - n, (size_t)n);
	return o + n;
}

char *tool_put_i64(char *o, int64_t v)
{
	if (v < 0) {
		*o++ = '-';
		return tool_put_u64(o, -(uint64_t)v);
	}
	return tool_put_u64(o, (uint64_t)v);
}

/* ------------------------------------------------------------------ */
/* The shortest float text                                             */
/*
 * Floats print as the shortest text that reads back to the same value and,
 * of those, the nearest to it (what Python's repr and NumPy's repr of a
 * float32 or float16 print), in the layout of Python's repr: fixed notation
 * for decimal exponents from -4 to 15 (with ".0" on whole numbers), else
 * d.ddde+XX (for f4 and f2, NumPy's choice of the two; see numpy_sci).
 *
 * The digits come from Schubfach (Raffaello Giulietti, "The Schubfach way
 * to render doubles", 2020-2021), written here from the paper: of the
 * published shortest round-trip algorithms it needs the smallest table (one
 * 126-bit power of ten per decimal exponent, tools/pow10.h, made and checked
 * by tools/gen-pow10.py), three multiplications and no loop, and it is
 * plain C (Debian's libdouble-conversion and libdragonbox are C++).  The
 * scaled value and both ends of the interval that reads back are rounded to
 * odd from 10^-k to 126 bits (64 for f4 and f2), which the paper proves
 * keeps every comparison with the candidates exact; then the one candidate
 * of 10^(k+1) in the interval, if there is one, else of 10^k s and s + 1
 * the one in it or the nearer to the value.  Unlike Java's Double.toString,
 * which the paper's code serves, a single digit is never widened to two
 * (Java prints 4.9E-324, Python 5e-324): no minimum of 100 for s and no
 * scaling of tiny subnormals by 10 (the few significands below the paper's
 * C_TINY, 3 for f8 and 8 for f4, are among those the test checks one by
 * one).  f2 goes through the f4 computation with the half's own
 * interval.  tests/tools/dumpbuf-shortest.sh checks every f2 value against
 * NumPy, and random and special f8 and f4 bit patterns against Python and
 * NumPy.
 */

/* floor(x / 2^s) for any sign, without relying on >> of negatives. */
static int floor_shift(int64_t x, int s)
{
	return (int)(x >= 0 ? x >> s : -((-x - 1) >> s) - 1);
}

/* floor(q log10 2), floor(log10(3/4 2^q)), floor(e log2 10), exact over
 * the exponents used here (checked by tools/gen-pow10.py). */
static int flog10pow2(int q)
{
	return floor_shift((int64_t)q * 661971961083, 41);
}

static int flog10_3q_pow2(int q)
{
	return floor_shift((int64_t)q * 661971961083 - 274743187321, 41);
}

static int flog2pow10(int e)
{
	return floor_shift((int64_t)e * 913124641741, 38);
}

static uint64_t mul_high(uint64_t a, uint64_t b)
{
#ifdef __SIZEOF_INT128__
	return (uint64_t)(((unsigned __int128)a * b) >> 64);
#else
	uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
	uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
	uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;

	return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
#endif
}

/* cp g / 2^127 rounded to odd, g = g1 2^63 + g0 (f8). */
static uint64_t rop8(uint64_t g1, uint64_t g0, uint64_t cp)
{
	uint64_t x1 = mul_high(g0, cp);
	uint64_t y0 = g1 * cp, y1 = mul_high(g1, cp);
	uint64_t z = (y0 >> 1) + x1;
	uint64_t mask = ((uint64_t)1 << 63) - 1;

	return (y1 + (z >> 63)) | (((z & mask) + mask) >> 63);
}

/* cp g / 2^95 rounded to odd (f4, f2). */
static uint64_t rop4(uint64_t g, uint64_t cp)
{
	uint64_t x1 = mul_high(g, cp);
	uint64_t mask = ((uint64_t)1 << 32) - 1;

	return (x1 >> 31) | (((x1 & mask) + mask) >> 32);
}

/*
 * The shortest decimal m 10^e in the interval of c 2^q that reads back (c
 * even: ends included), nearest to it; irregular when c is the least
 * significand of a binade above the subnormals, whose interval reaches a
 * quarter of 2^q below and a half above.  wide: f8 (126-bit powers), else
 * f4 and f2 (64-bit).
 */
static void shortest(int q, uint64_t c, int irregular, int wide,
		     uint64_t *m, int *e)
{
	uint64_t out = c & 1, cb = c << 2, cbr = cb + 2, cbl;
	uint64_t vb, vbl, vbr, s, t, sp10, tp10;
	int k, h, uin, win;

	if (!irregular) {
		cbl = cb - 2;
		k = flog10pow2(q);
	} else {
		cbl = cb - 1;
		k = flog10_3q_pow2(q);
	}
	h = q + flog2pow10(-k) + (wide ? 2 : 33);
	if (wide) {
		const uint64_t *g = pow10_g[k - POW10_K_MIN];

		vb = rop8(g[0], g[1], cb << h);
		vbl = rop8(g[0], g[1], cbl << h);
		vbr = rop8(g[0], g[1], cbr << h);
	} else {
		uint64_t g = pow10_g[k - POW10_K_MIN][0] + 1;

		vb = rop4(g, cb << h);
		vbl = rop4(g, cbl << h);
		vbr = rop4(g, cbr << h);
	}
	s = vb >> 2;
	/* A candidate of 10^(k+1): the interval is narrower than 10^(k+1),
	 * so at most one of them is in it.  (sp10 = 0 never is.) */
	sp10 = 10 * (s / 10);
	tp10 = sp10 + 10;
	uin = vbl + out <= sp10 << 2;
	win = (tp10 << 2) + out <= vbr;
	if (uin != win) {
		*m = uin ? sp10 : tp10;
		*e = k;
		return;
	}
	/* Of 10^k: at least one of s and s + 1 is in the interval. */
	t = s + 1;
	uin = vbl + out <= s << 2;
	win = (t << 2) + out <= vbr;
	if (uin != win) {
		*m = uin ? s : t;
	} else {
		int64_t cmp = (int64_t)(vb - ((s + t) << 1));

		*m = cmp < 0 || (cmp == 0 && (s & 1) == 0) ? s : t;
	}
	*e = k;
}

/*
 * Python's repr of m 10^e (m > 0); dot0 adds ".0" to whole numbers in
 * fixed notation (repr(float) does, complex parts do not).  sci: -1 for
 * Python's choice of notation by the decimal exponent, else 1 for
 * d.ddde+XX or 0 for fixed.
 */
static char *put_decimal(char *o, uint64_t m, int e, int dot0, int sci)
{
	char tmp[24], *d;
	int n, exp;

	while (m % 10 == 0) {
		m /= 10;
		e++;
	}
	n = digits_before(m, tmp + sizeof tmp);
	d = tmp + sizeof tmp - n;
	exp = e + n - 1;
	if (sci < 0)
		sci = exp < -4 || exp >= 16;
	if (!sci) {
		if (exp < 0) {
			memcpy(o, "0.0000", (size_t)(1 - exp));
			o += 1 - exp;
			memcpy(o, d, (size_t)n);
			return o + n;
		}
		if (n > exp + 1) {
			memcpy(o, d, (size_t)exp + 1);
			o += exp + 1;
			*o++ = '.';
			memcpy(o, d + exp + 1, (size_t)(n - exp - 1));
			return o + n - exp - 1;
		}
		memcpy(o, d, (size_t)n);
		o += n;
		memset(o, '0', (size_t)(exp + 1 - n));
		o += exp + 1 - n;
		if (dot0) {
			memcpy(o, ".0", 2);
			o += 2;
		}
		return o;
	}
	*o++ = d[0];
	if (n > 1) {
		*o++ = '.';
		memcpy(o, d + 1, (size_t)(n - 1));
		o += n - 1;
	}
	*o++ = 'e';
	*o++ = exp < 0 ? '-' : '+';
	exp = abs(exp);
	if (exp >= 100) {
		*o++ = (char)('0' + exp / 100);
		exp %= 100;
	}
	memcpy(o, digit_pairs + 2 * exp, 2);
	return o + 2;
}

/*
 * The shortest text of a float with mbits bits of fraction and ebits of
 * exponent (f8 52/11, f4 23/8, f2 10/5) given as its bits; sci as for
 * put_decimal.
 */
static char *put_binary(char *o, uint64_t bits, int mbits, int ebits,
			int dot0, int sci)
{
	uint64_t frac = bits & (((uint64_t)1 << mbits) - 1);
	int bexp = (int)(bits >> mbits) & ((1 << ebits) - 1);
	int emax = (1 << ebits) - 1, bias = (1 << (ebits - 1)) - 1;
	int qmin = 1 - bias - mbits;
	uint64_t m;
	int e;

	if (bexp == emax && frac != 0) {
		memcpy(o, "nan", 3);
		return o + 3;
	}
	if (bits >> (mbits + ebits))
		*o++ = '-';
	if (bexp == emax) {
		memcpy(o, "inf", 3);
		return o + 3;
	}
	if (bexp == 0 && frac == 0) {
		memcpy(o, dot0 ? "0.0" : "0", dot0 ? 3 : 1);
		return o + (dot0 ? 3 : 1);
	}
	if (bexp == 0)
		shortest(qmin, frac, 0, mbits > 23, &m, &e);
	else
		shortest(qmin + bexp - 1, frac | (uint64_t)1 << mbits,
			 frac == 0 && bexp > 1, mbits > 23, &m, &e);
	return put_decimal(o, m, e, dot0, sci);
}

/*
 * NumPy chooses the notation of a float32 or float16 by its value, fixed
 * from 1e-4 (inclusive) to 1e16, where Python looks at the decimal
 * exponent of the digits: they differ on the float32 nearest 1e-4,
 * 9.99999975e-05, whose shortest digits are 1e-4 (NumPy prints 1e-04).
 */
static int numpy_sci(double v)
{
	v = fabs(v);
	return !(v >= 1e-4 && v < 1e16);
}

char *tool_put_float_bits(char *o, uint64_t bits, unsigned n, int dot0)
{
	if (n == 2)
		return put_binary(o, bits, 10, 5, dot0,
				  numpy_sci(tool_half_to_double((uint16_t)bits)));
	if (n == 4) {
		uint32_t b32 = (uint32_t)bits;
		float f;

		memcpy(&f, &b32, 4);
		return put_binary(o, bits, 23, 8, dot0, numpy_sci(f));
	}
	return put_binary(o, bits, 52, 11, dot0, -1);
}

/* ------------------------------------------------------------------ */
/* Loads                                                               */

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
	uint64_t b = 0;

	if (n == 2) {
		b = tool_double_to_half(v);
	} else if (n == 4) {
		float f = (float)v;
		uint32_t b32;

		memcpy(&b32, &f, 4);
		b = b32;
	} else {
		memcpy(&b, &v, 8);
	}
	return tool_put_float_bits(o, b, n, dot0);
}
