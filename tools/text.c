/*
 * text.c - text taken from a file (labels, dtypes, file names) made safe
 * for a terminal and for JSON (see common.h).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mmbuf.h"

#include "common.h"

/*
 * The code points above U+007F that do not show as themselves: the C1
 * controls, format characters (bidi overrides and isolates, zero-width
 * characters, tags), separators other than the space, private use.  These
 * are the Unicode 14 categories Cc, Cf, Zs, Zl, Zp, Co and Cs, the ones
 * Python's str.isprintable() refuses, less the unassigned code points,
 * which need the whole Unicode table.
 */
static const struct {
	uint32_t lo, hi;
} unprintable[] = {
	{ 0x80, 0xa0 }, { 0xad, 0xad }, { 0x600, 0x605 }, { 0x61c, 0x61c },
	{ 0x6dd, 0x6dd }, { 0x70f, 0x70f }, { 0x890, 0x891 }, { 0x8e2, 0x8e2 },
	{ 0x1680, 0x1680 }, { 0x180e, 0x180e }, { 0x2000, 0x200f },
	{ 0x2028, 0x202f }, { 0x205f, 0x2064 }, { 0x2066, 0x206f },
	{ 0x3000, 0x3000 }, { 0xd800, 0xf8ff }, { 0xfeff, 0xfeff },
	{ 0xfff9, 0xfffb }, { 0x110bd, 0x110bd }, { 0x110cd, 0x110cd },
	{ 0x13430, 0x13438 }, { 0x1bca0, 0x1bca3 }, { 0x1d173, 0x1d17a },
	{ 0xe0001, 0xe0001 }, { 0xe0020, 0xe007f }, { 0xf0000, 0xffffd },
	{ 0x100000, 0x10fffd },
};

int tool_printable(uint32_t cp)
{
	if (cp < 0x80)
		return cp >= 0x20 && cp != 0x7f;
	for (size_t i = 0; i < sizeof unprintable / sizeof unprintable[0]; i++)
		if (cp >= unprintable[i].lo && cp <= unprintable[i].hi)
			return 0;
	return cp <= 0x10ffff;
}

/*
 * The next character of s[0, n) as it is shown: its escape or its bytes
 * at o (at most TEXT_MAX bytes, and room for a NUL after them), the length
 * of that at *olen, and the bytes of s it takes as the result.  A byte
 * that is not UTF-8 is \xNN, a character that does not print \xNN below
 * U+0080 (the same byte) and \u or \U above, so the two never look alike.
 */
#define TEXT_MAX 10

static size_t text_char(char *o, size_t *olen, const uint8_t *s, size_t n)
{
	uint32_t cp;
	int k = mmbuf_utf8_decode(s, n, &cp);

	if (k < 0) {
		*olen = (size_t)sprintf(o, "\\x%02x", s[0]);
		return 1;
	}
	if (cp == '"' || cp == '\\') {
		o[0] = '\\';
		o[1] = (char)cp;
		*olen = 2;
	} else if (cp == '\t' || cp == '\n') {
		o[0] = '\\';
		o[1] = cp == '\t' ? 't' : 'n';
		*olen = 2;
	} else if (tool_printable(cp)) {
		memcpy(o, s, (size_t)k);
		*olen = (size_t)k;
	} else if (cp < 0x80) {
		*olen = (size_t)sprintf(o, "\\x%02" PRIx32, cp);
	} else if (cp < 0x10000) {
		*olen = (size_t)sprintf(o, "\\u%04" PRIx32, cp);
	} else {
		*olen = (size_t)sprintf(o, "\\U%08" PRIx32, cp);
	}
	return (size_t)k;
}

size_t tool_text(char *o, size_t sz, const uint8_t *s, size_t n)
{
	size_t k = 0, i = 0;

	if (sz == 0)
		return 0;
	while (i < n) {
		char e[TEXT_MAX + 1];
		size_t elen, used = text_char(e, &elen, s + i, n - i);

		if (k + elen >= sz)
			break;
		memcpy(o + k, e, elen);
		k += elen;
		i += used;
	}
	o[k] = '\0';
	return k;
}

void tool_out_text(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		char *o = tool_out_reserve(TEXT_MAX + 1);
		size_t elen;

		i += text_char(o, &elen, s + i, n - i);
		tool_out_commit(o + elen);
	}
}

void tool_out_ctext(const char *s)
{
	tool_out_text((const uint8_t *)s, strlen(s));
}

/*
 * A JSON string (RFC 8259) that is valid UTF-8 whatever s holds: a byte
 * that does not start a valid sequence becomes U+FFFD; what does not print
 * (tool_printable) is escaped, so the JSON is safe on a terminal too.
 */
void tool_json_str(const uint8_t *s, size_t n)
{
	tool_out_mem("\"", 1);
	for (size_t i = 0; i < n;) {
		char *o = tool_out_reserve(16);
		uint32_t cp;
		int k = mmbuf_utf8_decode(s + i, n - i, &cp);

		if (k < 0) {
			memcpy(o, "\\ufffd", 6);
			o += 6;
			k = 1;
		} else if (cp == '"' || cp == '\\') {
			*o++ = '\\';
			*o++ = (char)cp;
		} else if (tool_printable(cp)) {
			memcpy(o, s + i, (size_t)k);
			o += k;
		} else if (cp < 0x10000) {
			o += sprintf(o, "\\u%04" PRIx32, cp);
		} else {
			/* A surrogate pair: JSON has no longer escape. */
			cp -= 0x10000;
			o += sprintf(o, "\\u%04" PRIx32 "\\u%04" PRIx32,
				     0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
		}
		tool_out_commit(o);
		i += (size_t)k;
	}
	tool_out_mem("\"", 1);
}

void tool_json_cstr(const char *s)
{
	tool_json_str((const uint8_t *)s, strlen(s));
}
