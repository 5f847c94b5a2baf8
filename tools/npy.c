/*
 * npy.c - NumPy's .npy format: read by mkbuf --from-npy, written by
 * dumpbuf --npy (see common.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmbuf.h"

#include "common.h"

int tool_shape_bytes(const uint64_t *shape, uint32_t ndim, uint32_t itemsize,
		     uint64_t *out)
{
	uint64_t n = itemsize;

	for (uint32_t i = 0; i < ndim; i++) {
		if (shape[i] != 0 && n > UINT64_MAX / shape[i])
			return -1;
		n *= shape[i];
	}
	*out = n;
	return 0;
}

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6

int tool_file_is_npy(const char *path)
{
	uint8_t pre[NPY_MAGIC_LEN];
	size_t got;
	int fd, ok;

	/* Non-blocking: a FIFO is never waited on for a writer. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0;
	ok = tool_read_full(fd, pre, sizeof pre, &got, NULL) == 0 &&
	     got == NPY_MAGIC_LEN && memcmp(pre, NPY_MAGIC, NPY_MAGIC_LEN) == 0;
	close(fd);
	return ok;
}

const char *tool_buffer_strerror(const char *path, int err)
{
	if (err == MMBUF_EMAGIC && path != NULL && tool_file_is_npy(path))
		return TOOL_NPY_NOT_BUFFER;
	return mmbuf_strerror(err);
}

static void npy_bad(const char *path, const char *what) TOOL_NORETURN;

static void npy_bad(const char *path, const char *what)
{
	tool_die(TOOL_EXIT_INPUT, path, "%s", what);
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* A Python string literal in ' or "; its contents (no escapes: NumPy's
 * keys and type strings have none) into out. */
static const char *py_str(const char *p, char *out, size_t sz)
{
	char q = *p;
	const char *e;

	if (q != '\'' && q != '"')
		return NULL;
	e = strchr(p + 1, q);
	if (e == NULL || (size_t)(e - p - 1) >= sz)
		return NULL;
	memcpy(out, p + 1, (size_t)(e - p - 1));
	out[e - p - 1] = '\0';
	return e + 1;
}

/*
 * The header dict, as NumPy writes it:
 *   {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
 * Exactly the three keys, in any order.
 */
static void npy_dict(const char *path, const char *p, struct tool_npy *n)
{
	char key[32], descr[64];
	int seen = 0, fortran = 0;

	p = skip_ws(p);
	if (*p++ != '{')
		npy_bad(path, "malformed .npy header");
	for (;;) {
		p = skip_ws(p);
		if (*p == '}')
			break;
		if ((p = py_str(p, key, sizeof key)) == NULL)
			npy_bad(path, "malformed .npy header");
		p = skip_ws(p);
		if (*p++ != ':')
			npy_bad(path, "malformed .npy header");
		p = skip_ws(p);
		if (strcmp(key, "descr") == 0) {
			if (*p == '[')
				npy_bad(path, "structured dtypes (with fields) "
					"are not supported");
			if ((p = py_str(p, descr, sizeof descr)) == NULL)
				npy_bad(path, "malformed .npy header");
			seen |= 1;
		} else if (strcmp(key, "fortran_order") == 0) {
			if (strncmp(p, "True", 4) == 0) {
				fortran = 1;
				p += 4;
			} else if (strncmp(p, "False", 5) == 0) {
				p += 5;
			} else {
				npy_bad(path, "malformed .npy header");
			}
			seen |= 2;
		} else if (strcmp(key, "shape") == 0) {
			char *end;

			if (*p++ != '(')
				npy_bad(path, "malformed .npy header");
			n->ndim = 0;
			for (;;) {
				p = skip_ws(p);
				if (*p == ')')
					break;
				if (*p < '0' || *p > '9')
					npy_bad(path, "malformed .npy header");
				if (n->ndim == MMBUF_MAX_DIMS)
					npy_bad(path, "too many dimensions (a "
						"buffer has at most 8)");
				errno = 0;
				n->shape[n->ndim++] = strtoull(p, &end, 10);
				if (errno != 0)
					npy_bad(path, "malformed .npy header");
				p = skip_ws(end);
				if (*p == ',')
					p++;
				else if (*p != ')')
					npy_bad(path, "malformed .npy header");
			}
			p++;
			seen |= 4;
		} else {
			npy_bad(path, "malformed .npy header");
		}
		p = skip_ws(p);
		if (*p == ',')
			p++;
		else if (*p != '}')
			npy_bad(path, "malformed .npy header");
	}
	if (seen != 7)
		npy_bad(path, "malformed .npy header");
	if (strchr(descr, 'O') != NULL && strlen(descr) <= 2)
		npy_bad(path, "object arrays cannot be stored in a buffer");
	if (fortran)
		tool_die(TOOL_EXIT_INPUT, path, "Fortran-order arrays are not supported "
			 "(save a C-order copy: numpy.ascontiguousarray)");
	if (mmbuf_dtype_parse(descr, n->dtype, &n->itemsize) < 0)
		tool_die(TOOL_EXIT_INPUT, path, "unsupported dtype '%s'", descr);
}

int tool_npy_open(const char *path, struct tool_npy *n)
{
	uint8_t pre[12];
	struct stat st;
	char *dict;
	size_t got, pl;
	uint64_t hlen;
	int fd;

	memset(n, 0, sizeof *n);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		tool_die(TOOL_EXIT_INPUT, path, "%s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		tool_die(TOOL_EXIT_INPUT, path, "%s", strerror(EISDIR));
	if (tool_read_full(fd, pre, sizeof pre, &got, NULL) < 0)
		tool_die(TOOL_EXIT_INPUT, path, "read error: %s", strerror(errno));
	if (got < NPY_MAGIC_LEN || memcmp(pre, NPY_MAGIC, NPY_MAGIC_LEN) != 0)
		npy_bad(path, "not a NumPy .npy file (bad magic)");
	if (got < 10)
		npy_bad(path, "truncated .npy file (in the header)");
	if (pre[6] < 1 || pre[6] > 3 || pre[7] != 0)
		tool_die(TOOL_EXIT_INPUT, path, "unsupported .npy format version %u.%u",
			 pre[6], pre[7]);
	if (pre[6] == 1) {
		pl = 10;
		hlen = (uint64_t)pre[8] | (uint64_t)pre[9] << 8;
	} else {
		if (got < 12)
			npy_bad(path, "truncated .npy file (in the header)");
		pl = 12;
		hlen = tool_le(pre + 8, 4);
	}
	if (hlen > (64u << 20))
		npy_bad(path, "malformed .npy header");
	dict = malloc((size_t)hlen + 1);
	if (dict == NULL)
		tool_die(TOOL_EXIT_INPUT, NULL, "out of memory");
	if (lseek(fd, (off_t)pl, SEEK_SET) < 0 ||
	    tool_read_full(fd, (uint8_t *)dict, (size_t)hlen, &got, NULL) < 0)
		tool_die(TOOL_EXIT_INPUT, path, "read error: %s", strerror(errno));
	if (got < hlen)
		npy_bad(path, "truncated .npy file (in the header)");
	dict[hlen] = '\0';
	if (strlen(dict) != hlen)
		npy_bad(path, "malformed .npy header");
	npy_dict(path, dict, n);
	free(dict);
	n->data_off = pl + hlen;
	if (tool_shape_bytes(n->shape, n->ndim, n->itemsize, &n->nbytes) < 0)
		npy_bad(path, "malformed .npy header");
	/* Not data_off + nbytes: the header may claim up to 2^64 - 1 bytes.
	 * The header was read whole, so the file holds data_off bytes. */
	if ((uint64_t)st.st_size - n->data_off < n->nbytes)
		tool_die(TOOL_EXIT_INPUT, path, "truncated .npy file: the data needs %"
			 PRIu64 " bytes, %" PRIu64 " are present", n->nbytes,
			 (uint64_t)st.st_size - n->data_off);
	if (lseek(fd, (off_t)n->data_off, SEEK_SET) < 0)
		tool_die(TOOL_EXIT_INPUT, path, "%s", strerror(errno));
	return fd;
}

/*
 * NumPy's format: magic, version, header length, then a Python dict
 * literal padded with spaces and a newline so the data starts on a
 * multiple of 64 bytes.  Version 1.0 has a 2-byte length; 2.0, for headers
 * of 64 KiB or more, a 4-byte one (our headers are far smaller, but the
 * rule is the format's).
 */
uint64_t tool_npy_write_header(const char *dtype, uint32_t itemsize,
			       uint32_t ndim, const uint64_t *shape)
{
	char dict[512], descr[16];
	size_t n, total, hlen, pre;
	uint64_t count = 1;
	int v2;

	/* NumPy writes '|' for the byte order of one-byte types. */
	snprintf(descr, sizeof descr, "%c%.4s", itemsize == 1 ? '|' : dtype[0],
		 dtype + 1);
	n = (size_t)snprintf(dict, sizeof dict,
			     "{'descr': '%s', 'fortran_order': False, 'shape': (",
			     descr);
	for (uint32_t i = 0; i < ndim; i++) {
		n += (size_t)snprintf(dict + n, sizeof dict - n, "%s%" PRIu64,
				      i ? ", " : "", shape[i]);
		count *= shape[i];
	}
	n += (size_t)snprintf(dict + n, sizeof dict - n, "%s), }",
			      ndim == 1 ? "," : "");
	v2 = n + 1 + 10 > 65535;
	pre = v2 ? 12 : 10;
	total = (pre + n + 1 + 63) / 64 * 64;
	hlen = total - pre;
	{
		char *w = tool_out_reserve(total);

		memcpy(w, NPY_MAGIC, NPY_MAGIC_LEN);
		w[6] = v2 ? 2 : 1;
		w[7] = 0;
		for (size_t i = 0; i < (v2 ? 4u : 2u); i++)
			w[8 + i] = (char)(hlen >> (8 * i));
		memcpy(w + pre, dict, n);
		memset(w + pre + n, ' ', hlen - n - 1);
		w[total - 1] = '\n';
		tool_out_commit(w + total);
	}
	return count * itemsize;
}
