/*
 * header.c - the header pages read raw, so that damaged ones can be
 * shown too, and their JSON form (dumpbuf --json, mkbuf --json); see
 * common.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "mmbuf.h"

#include "common.h"

const struct tool_field tool_fields[TOOL_F_COUNT] = {
	[TOOL_F_MAGIC] = { 0, 8, TOOL_FT_MAGIC, "magic" },
	[TOOL_F_GENERATION] = { 8, 8, TOOL_FT_U64, "generation" },
	[TOOL_F_VERSION_MAJOR] = { 16, 2, TOOL_FT_U16, "version_major" },
	[TOOL_F_VERSION_MINOR] = { 18, 2, TOOL_FT_U16, "version_minor" },
	[TOOL_F_SLOT_SIZE] = { 20, 4, TOOL_FT_U32, "slot_size" },
	[TOOL_F_COMPAT] = { 24, 8, TOOL_FT_FLAGS, "compat" },
	[TOOL_F_RO_COMPAT] = { 32, 8, TOOL_FT_FLAGS, "ro_compat" },
	[TOOL_F_INCOMPAT] = { 40, 8, TOOL_FT_FLAGS, "incompat" },
	[TOOL_F_UUID] = { 48, 16, TOOL_FT_UUID, "uuid" },
	[TOOL_F_CTIME_NS] = { 64, 8, TOOL_FT_TIME, "ctime_ns" },
	[TOOL_F_MTIME_NS] = { 72, 8, TOOL_FT_TIME, "mtime_ns" },
	[TOOL_F_DATA_OFFSET] = { 80, 8, TOOL_FT_U64, "data_offset" },
	[TOOL_F_CAPACITY] = { 88, 8, TOOL_FT_U64, "capacity" },
	[TOOL_F_LENGTH] = { 96, 8, TOOL_FT_U64, "length" },
	[TOOL_F_FILE_SIZE] = { 104, 8, TOOL_FT_U64, "file_size" },
	[TOOL_F_STATE] = { 112, 4, TOOL_FT_STATE, "state" },
	[TOOL_F_WRITER_PID] = { 116, 4, TOOL_FT_U32, "writer_pid" },
	[TOOL_F_DTYPE] = { 120, 8, TOOL_FT_DTYPE, "dtype" },
	[TOOL_F_NDIM] = { 128, 4, TOOL_FT_U32, "ndim" },
	[TOOL_F_BLOCK_SHIFT] = { 132, 4, TOOL_FT_U32, "block_shift" },
	[TOOL_F_SHAPE] = { 136, 64, TOOL_FT_SHAPE, "shape" },
	[TOOL_F_DATA_CHECKSUM] = { 200, 8, TOOL_FT_U64, "data_checksum" },
	[TOOL_F_CHECKSUM_GENERATION] = { 208, 8, TOOL_FT_U64, "checksum_generation" },
	[TOOL_F_TABLE_OFFSET] = { 216, 8, TOOL_FT_U64, "table_offset" },
	[TOOL_F_TABLE_SIZE] = { 224, 8, TOOL_FT_U64, "table_size" },
	[TOOL_F_RESERVED1] = { 232, 8, TOOL_FT_RESERVED, "reserved" },
	[TOOL_F_LABEL] = { 240, 256, TOOL_FT_LABEL, "label" },
	[TOOL_F_RESERVED2] = { 496, 4, TOOL_FT_RESERVED, "reserved" },
	[TOOL_F_GENERATION_TAIL] = { 500, 8, TOOL_FT_TAIL, "generation_tail" },
	[TOOL_F_CRC32] = { 508, 4, TOOL_FT_CRC, "crc32" },
};

/* The header pages of path into h (as much of them as the file holds). */
static int read_pages(struct tool_header *h, const char *path)
{
	struct stat st;
	ssize_t r;
	int fd, err = 0;

	/* A FIFO or a device would block the open (a FIFO until a writer
	 * comes); O_NONBLOCK lets it through to the check below. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		err = -errno;
	else if (!S_ISREG(st.st_mode))
		err = S_ISDIR(st.st_mode) ? -EISDIR : MMBUF_ENOTREG;
	else
		h->file_size = (uint64_t)st.st_size;
	while (err == 0 && h->n < sizeof h->bytes) {
		r = pread(fd, h->bytes + h->n, sizeof h->bytes - h->n,
			  (off_t)h->n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			h->read_failed = 1;
		}
		if (r <= 0)
			break;
		h->n += (size_t)r;
	}
	close(fd);
	return err;
}

int tool_read_header(struct tool_header *h, const char *path)
{
	int err;

	memset(h, 0, sizeof *h);
	h->path = path;
	err = read_pages(h, path);
	if (err != 0)
		return err;
	h->err = mmbuf_validate_header(h->bytes, h->n, h->file_size, &h->info);
	return 0;
}

void tool_read_header_or_die(struct tool_header *h, const char *path)
{
	int err = tool_read_header(h, path);

	if (err != 0)
		tool_die(TOOL_EXIT_INPUT, path, "%s%s",
			 h->read_failed ? "read error: " : "",
			 mmbuf_strerror(err));
}

const uint8_t *tool_slot_bytes(const struct tool_header *h, int i)
{
	return h->n >= (size_t)i * MMBUF_PAGE + MMBUF_SLOT_SIZE
	       ? h->bytes + (size_t)i * MMBUF_PAGE : NULL;
}

int tool_slot_has_magic(const struct tool_header *h, int i)
{
	const uint8_t *p = tool_slot_bytes(h, i);

	return p != NULL && memcmp(p, MMBUF_MAGIC, MMBUF_MAGIC_LEN) == 0;
}

/* The library's verdict, as verifybuf gives it: a slot cut short is
 * TRUNCATED only if its bytes are a prefix of the magic (mmbuf(5), "Slot
 * integrity", check 1), else MAGIC. */
int tool_slot_status(const struct tool_header *h, int i)
{
	return h->info.slot_status[i];
}

int tool_slot_current(const struct tool_header *h, int i)
{
	return h->err == 0 && h->info.slot == i;
}

void tool_fmt_uuid(char *o, const uint8_t *u)
{
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = "0123456789abcdef"[u[i] >> 4];
		*o++ = "0123456789abcdef"[u[i] & 15];
	}
	*o = '\0';
}

size_t tool_slot_strlen(const uint8_t *slot, int f)
{
	const uint8_t *p = tool_slot_field(slot, f);
	const uint8_t *z = memchr(p, 0, tool_fields[f].size);

	return z != NULL ? (size_t)(z - p) : tool_fields[f].size;
}

void tool_slot_dtype(char *o, const uint8_t *slot)
{
	size_t n = tool_slot_strlen(slot, TOOL_F_DTYPE);

	memcpy(o, tool_slot_field(slot, TOOL_F_DTYPE), n);
	o[n] = '\0';
}

void tool_slot_values(const uint8_t *slot, uint64_t *v)
{
	for (int f = 0; f < TOOL_F_COUNT; f++)
		v[f] = tool_fields[f].size <= 8 ? tool_slot_u(slot, f) : 0;
}

uint64_t tool_slot_dim(const uint8_t *slot, unsigned d)
{
	return tool_le(tool_slot_field(slot, TOOL_F_SHAPE) + 8 * d, 8);
}

uint32_t tool_slot_crc(const uint8_t *slot)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), slot, 508);
}

const char *tool_status_text(int st)
{
	return st == 0 ? "intact" : mmbuf_strerror(st);
}

const char *tool_status_name(int st)
{
	/* Not mmbuf_err_name(0), "OK", the name of success. */
	return st == 0 ? "intact" : mmbuf_err_name(st);
}

/* The integer fields ids[0, n) as JSON members named as in tool_fields[]. */
static void json_fields(const uint64_t *v, const enum tool_field_id *ids,
			size_t n)
{
	for (size_t i = 0; i < n; i++) {
		enum tool_field_id f = ids[i];

		if (tool_fields[f].type == TOOL_FT_TIME)
			tool_out_printf(",\n      \"%s\": %" PRId64,
					tool_fields[f].name, (int64_t)v[f]);
		else
			tool_out_printf(",\n      \"%s\": %" PRIu64,
					tool_fields[f].name, v[f]);
	}
}

/* --json: the keys are documented in dumpbuf(1) and stay stable. */
void tool_header_json(const struct tool_header *h)
{
	/* The members in the order dumpbuf(1) shows them, between those
	 * that are not a field's plain number. */
	static const enum tool_field_id ids_a[] = {
		TOOL_F_GENERATION, TOOL_F_GENERATION_TAIL,
	}, ids_b[] = {
		TOOL_F_SLOT_SIZE, TOOL_F_COMPAT, TOOL_F_RO_COMPAT,
		TOOL_F_INCOMPAT,
	}, ids_c[] = {
		TOOL_F_CTIME_NS, TOOL_F_MTIME_NS, TOOL_F_DATA_OFFSET,
		TOOL_F_CAPACITY, TOOL_F_LENGTH, TOOL_F_FILE_SIZE, TOOL_F_STATE,
	}, ids_d[] = {
		TOOL_F_WRITER_PID,
	}, ids_e[] = {
		TOOL_F_NDIM,
	}, ids_f[] = {
		TOOL_F_CHECKSUM_GENERATION, TOOL_F_BLOCK_SHIFT,
		TOOL_F_TABLE_OFFSET, TOOL_F_TABLE_SIZE,
	};
	char buf[256];

	tool_out_str("{\n  \"file\": ");
	tool_json_cstr(h->path);
	tool_out_printf(",\n  \"file_size\": %" PRIu64 ",\n", h->file_size);
	tool_out_printf("  \"valid\": %s,\n", h->err == 0 ? "true" : "false");
	if (h->err == 0) {
		tool_out_str("  \"error\": null,\n");
		tool_out_printf("  \"current_slot\": %d,\n", h->info.slot);
	} else {
		tool_out_printf("  \"error\": \"%s\",\n  \"message\": ",
				mmbuf_err_name(h->err));
		tool_json_cstr(mmbuf_strerror(h->err));
		tool_out_str(",\n  \"current_slot\": null,\n");
	}
	tool_out_str("  \"slots\": [");
	for (int i = 0; i < 2; i++) {
		const uint8_t *p = tool_slot_bytes(h, i);
		int st = tool_slot_status(h, i);
		uint64_t v[TOOL_F_COUNT];
		uint32_t ndim, itemsize = 0;
		char dtype[9];

		tool_out_printf("%s\n    {\n      \"slot\": %d,\n", i ? "," : "", i);
		tool_out_printf("      \"status\": \"%s\",\n",
				tool_status_name(st));
		tool_out_str("      \"message\": ");
		tool_json_cstr(tool_status_text(st));
		tool_out_printf(",\n      \"current\": %s",
				tool_slot_current(h, i) ? "true" : "false");
		if (!tool_slot_has_magic(h, i)) {
			tool_out_str("\n    }");
			continue;
		}
		tool_slot_values(p, v);
		json_fields(v, ids_a, sizeof ids_a / sizeof ids_a[0]);
		tool_out_printf(",\n      \"version\": \"%u.%u\"",
				(unsigned)v[TOOL_F_VERSION_MAJOR],
				(unsigned)v[TOOL_F_VERSION_MINOR]);
		json_fields(v, ids_b, sizeof ids_b / sizeof ids_b[0]);
		tool_fmt_uuid(buf, tool_slot_field(p, TOOL_F_UUID));
		tool_out_printf(",\n      \"uuid\": \"%s\"", buf);
		json_fields(v, ids_c, sizeof ids_c / sizeof ids_c[0]);
		tool_out_printf(",\n      \"writer_open\": %s",
				v[TOOL_F_STATE] & MMBUF_STATE_WRITER_OPEN
				? "true" : "false");
		tool_out_printf(",\n      \"sealed\": %s",
				v[TOOL_F_STATE] & MMBUF_STATE_SEALED
				? "true" : "false");
		json_fields(v, ids_d, sizeof ids_d / sizeof ids_d[0]);
		tool_slot_dtype(dtype, p);
		tool_out_str(",\n      \"dtype\": ");
		tool_json_cstr(dtype);
		if (mmbuf_dtype_check(dtype, &itemsize) == 0)
			tool_out_printf(",\n      \"itemsize\": %" PRIu32, itemsize);
		else
			tool_out_str(",\n      \"itemsize\": null");
		ndim = (uint32_t)v[TOOL_F_NDIM];
		json_fields(v, ids_e, sizeof ids_e / sizeof ids_e[0]);
		tool_out_str(",\n      \"shape\": [");
		for (uint32_t d = 0; d < ndim && d < MMBUF_MAX_DIMS; d++)
			tool_out_printf("%s%" PRIu64, d ? ", " : "",
					tool_slot_dim(p, d));
		tool_out_str("]");
		tool_out_printf(",\n      \"growing\": %s",
				v[TOOL_F_RO_COMPAT] & MMBUF_RO_COMPAT_GROWING
				? "true" : "false");
		tool_out_str(",\n      \"label\": ");
		tool_json_str(tool_slot_field(p, TOOL_F_LABEL),
			      tool_slot_strlen(p, TOOL_F_LABEL));
		if (v[TOOL_F_COMPAT] & MMBUF_COMPAT_DATA_CHECKSUM)
			tool_out_printf(",\n      \"data_checksum\": \"%016" PRIx64
					"\"", v[TOOL_F_DATA_CHECKSUM]);
		else
			tool_out_str(",\n      \"data_checksum\": null");
		json_fields(v, ids_f, sizeof ids_f / sizeof ids_f[0]);
		tool_out_printf(",\n      \"crc32\": \"%08" PRIx64 "\"", v[TOOL_F_CRC32]);
		tool_out_printf(",\n      \"crc32_ok\": %s\n    }",
				tool_slot_crc(p) == (uint32_t)v[TOOL_F_CRC32]
				? "true" : "false");
	}
	tool_out_str("\n  ]\n}\n");
}
