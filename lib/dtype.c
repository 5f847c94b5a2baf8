/* dtype.c - element type strings (mmbuf(5), "Element types"). */
#include "internal.h"

static const struct {
	const char *code;
	uint32_t itemsize;
} codes[] = {
	{"b1", 1}, {"u1", 1}, {"i1", 1}, {"u2", 2}, {"i2", 2},
	{"u4", 4}, {"i4", 4}, {"u8", 8}, {"i8", 8}, {"f2", 2},
	{"f4", 4}, {"f8", 8}, {"c8", 8}, {"c16", 16},
};

int mmbuf_dtype_parse(const char *dtype, char *canon, uint32_t *itemsize)
{
	char order = '<';
	const char *code = dtype;

	if (dtype == NULL)
		return MMBUF_EDTYPE;
	switch (dtype[0]) {
	case '<':
	case '>':
		order = dtype[0];
		code++;
		break;
	case '|': /* NumPy's "not applicable", for one-byte types only */
		code++;
		break;
	case '=': /* native */
		order = '=';
		code++;
		break;
	}
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		if (strcmp(code, codes[i].code) != 0)
			continue;
		if (dtype[0] == '|' && codes[i].itemsize != 1)
			return MMBUF_EDTYPE;
		/* Byte order means nothing for one byte: mmbuf(5) says '<'. */
		if (codes[i].itemsize == 1)
			order = '<';
		if (order == '=') {
			union { uint16_t u; uint8_t b[2]; } probe = {.u = 1};
			order = probe.b[0] == 1 ? '<' : '>';
		}
		if (canon != NULL) {
			canon[0] = order;
			strcpy(canon + 1, codes[i].code);
		}
		if (itemsize != NULL)
			*itemsize = codes[i].itemsize;
		return 0;
	}
	return MMBUF_EDTYPE;
}

int mmbuf_dtype_check(const char *dtype, uint32_t *itemsize)
{
	/* A parse succeeds on '<' or '>' only with a code exactly after it. */
	if (dtype == NULL || (dtype[0] != '<' && dtype[0] != '>'))
		return MMBUF_EDTYPE;
	return mmbuf_dtype_parse(dtype, NULL, itemsize);
}
