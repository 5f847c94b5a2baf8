/*
 * fuzz_json - the tools' text output over arbitrary bytes: the header as
 * JSON (dumpbuf --json and mkbuf --json, tool_header_json) of arbitrary
 * header pages under an arbitrary file name, and tool_json_str() and
 * tool_text() of arbitrary bytes.  Every JSON output must be strict JSON
 * (RFC 8259: well-formed UTF-8, no control character in a string, no lone
 * surrogate escape), and neither JSON nor text for a terminal may hold a
 * character a terminal obeys; anything else aborts.  The checks below are
 * written from the RFCs, independently of the code under test.  Each
 * input also runs with its slot CRCs fixed (fuzz_fix_crcs), so that
 * labels and dtypes of intact slots are reached too.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mmbuf.h"
#include "common.h"
#include "fuzz.h"

/* Up to 64 KiB of input: the output stays within the output buffer. */
#define MAX_INPUT 65536

/*
 * The length of the well-formed UTF-8 sequence at p (Unicode, Table 3-7),
 * with its code point in *cp; 0 when there is none.
 */
static size_t well_formed(const uint8_t *p, size_t n, uint32_t *cp)
{
	static const struct {
		uint8_t lead_lo, lead_hi, len, second_lo, second_hi;
	} table[] = {
		{ 0x00, 0x7f, 1, 0, 0 },
		{ 0xc2, 0xdf, 2, 0x80, 0xbf },
		{ 0xe0, 0xe0, 3, 0xa0, 0xbf },
		{ 0xe1, 0xec, 3, 0x80, 0xbf },
		{ 0xed, 0xed, 3, 0x80, 0x9f },
		{ 0xee, 0xef, 3, 0x80, 0xbf },
		{ 0xf0, 0xf0, 4, 0x90, 0xbf },
		{ 0xf1, 0xf3, 4, 0x80, 0xbf },
		{ 0xf4, 0xf4, 4, 0x80, 0x8f },
	};

	for (size_t t = 0; t < sizeof table / sizeof table[0]; t++) {
		size_t len = table[t].len;

		if (p[0] < table[t].lead_lo || p[0] > table[t].lead_hi)
			continue;
		if (n < len)
			return 0;
		if (len > 1 && (p[1] < table[t].second_lo ||
				p[1] > table[t].second_hi))
			return 0;
		for (size_t k = 2; k < len; k++)
			if (p[k] < 0x80 || p[k] > 0xbf)
				return 0;
		*cp = len == 1 ? p[0] : p[0] & (0x7f >> len);
		for (size_t k = 1; k < len; k++)
			*cp = *cp << 6 | (p[k] & 0x3f);
		return len;
	}
	return 0;
}

/* Characters that make a terminal do something rather than show them. */
static int obeyed(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	       (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff;
}

/* Well-formed UTF-8 with nothing a terminal obeys, bar newlines if nl. */
static void check_shown(const uint8_t *p, size_t n, int nl)
{
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = well_formed(p + i, n - i, &cp);

		if (k == 0 || (obeyed(cp) && !(nl && cp == '\n')))
			abort();
		i += k;
	}
}

/* A strict JSON parser that only says yes or no (by aborting). */
struct json {
	const uint8_t *p, *end;
	int depth;
};

static void ws(struct json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
				 *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static void lit(struct json *j, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, s, n) != 0)
		abort();
	j->p += n;
}

static int digit(struct json *j)
{
	return j->p < j->end && *j->p >= '0' && *j->p <= '9';
}

static void number(struct json *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (!digit(j))
		abort();
	if (*j->p == '0')
		j->p++;
	else
		while (digit(j))
			j->p++;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!digit(j))
			abort();
		while (digit(j))
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!digit(j))
			abort();
		while (digit(j))
			j->p++;
	}
}

static unsigned hex4(struct json *j)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		int d = j->p < j->end ? tool_hexval(*j->p) : -1;

		if (d < 0)
			abort();
		v = v << 4 | (unsigned)d;
		j->p++;
	}
	return v;
}

static void string(struct json *j)
{
	lit(j, "\"");
	for (;;) {
		uint32_t cp;
		size_t k;

		if (j->p >= j->end)
			abort();
		if (*j->p == '"') {
			j->p++;
			return;
		}
		if (*j->p == '\\') {
			j->p++;
			if (j->p >= j->end)
				abort();
			if (*j->p != 'u') {
				if (strchr("\"\\/bfnrt", *j->p) == NULL ||
				    *j->p == '\0')
					abort();
				j->p++;
				continue;
			}
			j->p++;
			cp = hex4(j);
			if (cp >= 0xdc00 && cp <= 0xdfff)
				abort();        /* a low surrogate alone */
			if (cp >= 0xd800 && cp <= 0xdbff) {
				lit(j, "\\u");
				cp = hex4(j);
				if (cp < 0xdc00 || cp > 0xdfff)
					abort();
			}
			continue;
		}
		k = well_formed(j->p, (size_t)(j->end - j->p), &cp);
		if (k == 0 || obeyed(cp))
			abort();
		j->p += k;
	}
}

static void value(struct json *j);

/* The members of an object (close '}') or the elements of an array (']'),
 * after the opening bracket. */
static void items(struct json *j, char close)
{
	ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return;
	}
	for (;;) {
		if (close == '}') {
			ws(j);
			string(j);
			ws(j);
			lit(j, ":");
		}
		value(j);
		ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		lit(j, close == '}' ? "}" : "]");
		return;
	}
}

static void value(struct json *j)
{
	if (++j->depth > 16)
		abort();
	ws(j);
	if (j->p >= j->end)
		abort();
	switch (*j->p) {
	case '{': j->p++; items(j, '}'); break;
	case '[': j->p++; items(j, ']'); break;
	case '"': string(j); break;
	case 't': lit(j, "true"); break;
	case 'f': lit(j, "false"); break;
	case 'n': lit(j, "null"); break;
	default: number(j); break;
	}
	ws(j);
	j->depth--;
}

/* What was formatted is one JSON value and nothing else; then forget it. */
static void check_json(void)
{
	struct json j = { (const uint8_t *)tool_out_buf,
			  (const uint8_t *)tool_out_buf + tool_out_len, 0 };

	value(&j);
	if (j.p != j.end)
		abort();
	tool_out_len = 0;
}

static void run(const uint8_t *data, size_t size)
{
	static struct tool_header h;
	static char text[4 * MAX_INPUT + 1];
	char path[301];
	size_t n = size < sizeof path - 1 ? size : sizeof path - 1;

	/* The file name: the input's first bytes, up to a NUL. */
	memcpy(path, data, n);
	path[n] = '\0';

	memset(&h, 0, sizeof h);
	h.path = path;
	h.n = size < sizeof h.bytes ? size : sizeof h.bytes;
	memcpy(h.bytes, data, h.n);
	h.file_size = size;
	h.err = mmbuf_validate_header(h.bytes, h.n, h.file_size, &h.info);
	tool_header_json(&h);
	check_json();

	tool_json_str(data, size);
	check_json();

	n = tool_text(text, sizeof text, data, size);
	if (n != strlen(text))
		abort();
	check_shown((const uint8_t *)text, n, 0);
	tool_out_text(data, size);
	check_shown((const uint8_t *)tool_out_buf, tool_out_len, 0);
	tool_out_len = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size <= MAX_INPUT)
		fuzz_run_fixed_too(run, data, size);
	return 0;
}
