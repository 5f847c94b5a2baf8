/*
 * parse.c - numbers and sizes from the command line, as xxd reads them
 * (see common.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mmbuf.h"

#include "common.h"

static int parse_mag(const char *s, uint64_t *out)
{
	uint64_t v = 0, mult = 1;
	unsigned base = 10, digit;
	const char *p = s;

	if (*p == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
		if (!*p)
			return -1;
	} else if (*p == '0') {
		base = 8;
	}
	if (!*p)
		return -1;
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digit = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			digit = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			digit = (unsigned)(*p - 'A' + 10);
		else
			break;
		if (digit >= base)
			return -1;
		if (v > (UINT64_MAX - digit) / base)
			return -1;
		v = v * base + digit;
	}
	if (p == s)
		return -1;
	if (*p) {
		switch (*p) {
		case 'k': case 'K': mult = 1ull << 10; break;
		case 'm': case 'M': mult = 1ull << 20; break;
		case 'g': case 'G': mult = 1ull << 30; break;
		case 't': case 'T': mult = 1ull << 40; break;
		default: return -1;
		}
		if (p[1] != '\0')
			return -1;
		if (v > UINT64_MAX / mult)
			return -1;
		v *= mult;
	}
	*out = v;
	return 0;
}

int tool_parse_u64(const char *s, uint64_t *out)
{
	if (*s == '+')
		s++;
	return parse_mag(s, out);
}

int tool_parse_signed(const char *s, int *neg, uint64_t *mag)
{
	*neg = 0;
	if (*s == '+')
		s++;
	else if (*s == '-') {
		*neg = 1;
		s++;
	}
	return parse_mag(s, mag);
}

int tool_parse_int(const char *s, long min, long max, int *out)
{
	int neg;
	uint64_t mag;
	long v;

	if (tool_parse_signed(s, &neg, &mag) < 0 || mag > (uint64_t)1 << 40)
		return -1;
	v = neg ? -(long)mag : (long)mag;
	if (v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

int tool_parse_size(const char *s, uint64_t *out)
{
	char tmp[64];
	size_t n = strlen(s);

	/* "4KiB" is "4K": drop the "iB" after a suffix letter. */
	if (n >= 4 && n < sizeof tmp && strcmp(s + n - 2, "iB") == 0 &&
	    strchr("KMGTkmgt", s[n - 3]) != NULL) {
		memcpy(tmp, s, n - 2);
		tmp[n - 2] = '\0';
		s = tmp;
	}
	return tool_parse_u64(s, out);
}
