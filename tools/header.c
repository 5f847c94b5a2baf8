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

/* The text of a NUL-padded string field, without the padding. */
size_t tool_field_strlen(const uint8_t *p, size_t max)
{
	const uint8_t *z = memchr(p, 0, max);

	return z != NULL ? (size_t)(z - p) : max;
}

uint32_t tool_slot_crc(const uint8_t *slot)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), slot, 508);
}

const char *tool_status_text(int st)
{
	return st == 0 ? "intact" : mmbuf_strerror(st);
}

/* --json: the keys are documented in dumpbuf(1) and stay stable. */
void tool_header_json(const struct tool_header *h)
{
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
		uint32_t ndim, itemsize = 0;
		char dtype[9];

		tool_out_printf("%s\n    {\n      \"slot\": %d,\n", i ? "," : "", i);
		tool_out_printf("      \"status\": \"%s\",\n",
				st == 0 ? "ok" : mmbuf_err_name(st));
		tool_out_str("      \"message\": ");
		tool_json_cstr(tool_status_text(st));
		tool_out_printf(",\n      \"current\": %s",
				tool_slot_current(h, i) ? "true" : "false");
		if (!tool_slot_has_magic(h, i)) {
			tool_out_str("\n    }");
			continue;
		}
		tool_out_printf(",\n      \"generation\": %" PRIu64, tool_le(p + 8, 8));
		tool_out_printf(",\n      \"generation_tail\": %" PRIu64,
				tool_le(p + 500, 8));
		tool_out_printf(",\n      \"version\": \"%u.%u\"",
				(unsigned)tool_le(p + 16, 2), (unsigned)tool_le(p + 18, 2));
		tool_out_printf(",\n      \"slot_size\": %" PRIu64, tool_le(p + 20, 4));
		tool_out_printf(",\n      \"compat\": %" PRIu64, tool_le(p + 24, 8));
		tool_out_printf(",\n      \"ro_compat\": %" PRIu64, tool_le(p + 32, 8));
		tool_out_printf(",\n      \"incompat\": %" PRIu64, tool_le(p + 40, 8));
		tool_fmt_uuid(buf, p + 48);
		tool_out_printf(",\n      \"uuid\": \"%s\"", buf);
		tool_out_printf(",\n      \"ctime_ns\": %" PRId64, (int64_t)tool_le(p + 64, 8));
		tool_out_printf(",\n      \"mtime_ns\": %" PRId64, (int64_t)tool_le(p + 72, 8));
		tool_out_printf(",\n      \"data_offset\": %" PRIu64, tool_le(p + 80, 8));
		tool_out_printf(",\n      \"capacity\": %" PRIu64, tool_le(p + 88, 8));
		tool_out_printf(",\n      \"length\": %" PRIu64, tool_le(p + 96, 8));
		tool_out_printf(",\n      \"file_size\": %" PRIu64, tool_le(p + 104, 8));
		tool_out_printf(",\n      \"state\": %" PRIu64, tool_le(p + 112, 4));
		tool_out_printf(",\n      \"writer_open\": %s",
				tool_le(p + 112, 4) & MMBUF_STATE_WRITER_OPEN ? "true" : "false");
		tool_out_printf(",\n      \"sealed\": %s",
				tool_le(p + 112, 4) & MMBUF_STATE_SEALED ? "true" : "false");
		tool_out_printf(",\n      \"writer_pid\": %" PRIu64, tool_le(p + 116, 4));
		memcpy(dtype, p + 120, 8);
		dtype[tool_field_strlen(p + 120, 8)] = '\0';
		tool_out_str(",\n      \"dtype\": ");
		tool_json_cstr(dtype);
		if (mmbuf_dtype_check(dtype, &itemsize) == 0)
			tool_out_printf(",\n      \"itemsize\": %" PRIu32, itemsize);
		else
			tool_out_str(",\n      \"itemsize\": null");
		ndim = (uint32_t)tool_le(p + 128, 4);
		tool_out_printf(",\n      \"ndim\": %" PRIu32, ndim);
		tool_out_str(",\n      \"shape\": [");
		for (uint32_t d = 0; d < ndim && d < MMBUF_MAX_DIMS; d++)
			tool_out_printf("%s%" PRIu64, d ? ", " : "",
					tool_le(p + 136 + 8 * d, 8));
		tool_out_str("]");
		tool_out_str(",\n      \"label\": ");
		tool_json_str(p + 240, tool_field_strlen(p + 240, 256));
		if (tool_le(p + 24, 8) & MMBUF_COMPAT_DATA_CHECKSUM)
			tool_out_printf(",\n      \"data_checksum\": \"%016" PRIx64 "\"",
					tool_le(p + 200, 8));
		else
			tool_out_str(",\n      \"data_checksum\": null");
		tool_out_printf(",\n      \"checksum_generation\": %" PRIu64,
				tool_le(p + 208, 8));
		tool_out_printf(",\n      \"block_shift\": %" PRIu64, tool_le(p + 132, 4));
		tool_out_printf(",\n      \"table_offset\": %" PRIu64, tool_le(p + 216, 8));
		tool_out_printf(",\n      \"table_size\": %" PRIu64, tool_le(p + 224, 8));
		tool_out_printf(",\n      \"crc32\": \"%08" PRIx64 "\"", tool_le(p + 508, 4));
		tool_out_printf(",\n      \"crc32_ok\": %s\n    }",
				tool_slot_crc(p) == (uint32_t)tool_le(p + 508, 4) ? "true" : "false");
	}
	tool_out_str("\n  ]\n}\n");
}
