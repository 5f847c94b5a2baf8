/*
 * dumpbuf-header.c - dumpbuf's header views: -H and --slots (--json is
 * tool_header_json in header.c), read from the raw header pages so that a
 * damaged one can be shown too (see dumpbuf.h).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mmbuf.h"
#include "common.h"
#include "dumpbuf.h"

/* ------------------------------------------------------------------ */
/* Header views: -H, --json, --slots                                   */
/*
 * These read the header pages themselves (not through mmbuf_open), so a
 * damaged file can still be looked at.  The library says which slots are
 * intact (mmbuf_validate_header); the fields of each slot are decoded here
 * through tool_fields[] (header.c), so a damaged slot shows what it holds.
 */

/* ISO 8601 UTC with nanoseconds. */
static void fmt_time(char *o, size_t sz, int64_t ns)
{
	time_t t = (time_t)(ns / 1000000000);
	long frac = (long)(ns % 1000000000);
	struct tm tm;

	if (frac < 0) {
		frac += 1000000000;
		t--;
	}
	if (gmtime_r(&t, &tm) == NULL) {
		snprintf(o, sz, "?");
		return;
	}
	snprintf(o, sz, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, frac);
}

/* The names of the feature bits of mmbuf(5), "Feature flags". */
static const struct {
	const char *kind;
	uint64_t bit;
	const char *name;
} flag_names[] = {
	{ "compat", MMBUF_COMPAT_DATA_CHECKSUM, "data-checksum" },
	{ "compat", MMBUF_COMPAT_NOTIFY, "notify" },
	{ "ro_compat", MMBUF_RO_COMPAT_LOCKING, "locking" },
	{ "ro_compat", MMBUF_RO_COMPAT_BLOCK_TABLE, "block-table" },
	{ "ro_compat", MMBUF_RO_COMPAT_GROWING, "growing" },
};

static void fmt_flags(char *o, size_t sz, const char *kind, uint64_t v)
{
	size_t n = (size_t)snprintf(o, sz, "0x%" PRIx64, v);
	const char *sep = " [";

	for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++) {
		if (strcmp(kind, flag_names[i].kind) != 0 ||
		    !(v & flag_names[i].bit) || n >= sz)
			continue;
		n += (size_t)snprintf(o + n, sz - n, "%s%s", sep,
				      flag_names[i].name);
		sep = ", ";
	}
	if (sep[0] == ',' && n < sz)
		snprintf(o + n, sz - n, "]");
}

static void fmt_state(char *o, size_t sz, uint32_t st)
{
	snprintf(o, sz, "%s%s%s%s",
		 st == 0 ? "clean" : "",
		 st & MMBUF_STATE_WRITER_OPEN ? "writer open" : "",
		 (st & MMBUF_STATE_WRITER_OPEN) && (st & MMBUF_STATE_SEALED)
		 ? ", " : "",
		 st & MMBUF_STATE_SEALED ? "sealed" : "");
	if (st & ~MMBUF_STATE_KNOWN)
		snprintf(o + strlen(o), sz - strlen(o), "%sunknown bits 0x%x",
			 st & MMBUF_STATE_KNOWN ? ", " : "",
			 (unsigned)(st & ~MMBUF_STATE_KNOWN));
}

static void fmt_shape(char *o, size_t sz, const uint8_t *slot)
{
	uint32_t ndim = (uint32_t)tool_slot_u(slot, TOOL_F_NDIM);
	size_t n = 0;

	if (ndim == 0) {
		snprintf(o, sz, "none (flat)");
		return;
	}
	if (ndim > MMBUF_MAX_DIMS) {
		snprintf(o, sz, "invalid (ndim %" PRIu32 ")", ndim);
		return;
	}
	n += (size_t)snprintf(o + n, sz - n, "(");
	for (uint32_t i = 0; i < ndim; i++)
		n += (size_t)snprintf(o + n, sz - n, "%s%" PRIu64, i ? ", " : "",
				      tool_slot_dim(slot, i));
	snprintf(o + n, sz - n, ndim == 1 ? ",)" : ")");
}

/* -H */
void show_header(const struct tool_header *h)
{
	char buf[1400];

	tool_out_str("file:            ");
	tool_out_ctext(h->path);
	tool_out_str("\n");
	tool_out_printf("file size:       %" PRIu64 "\n", h->file_size);
	if (h->err == 0)
		tool_out_printf("header:          valid, slot %d is current\n",
				h->info.slot);
	else
		tool_out_printf("header:          INVALID: %s\n",
				mmbuf_strerror(h->err));
	for (int i = 0; i < 2; i++) {
		const uint8_t *p = tool_slot_bytes(h, i);
		int st = tool_slot_status(h, i);
		uint64_t v[TOOL_F_COUNT];
		uint32_t itemsize = 0;
		char dtype[9];

		tool_out_printf("\nslot %d:          %s%s\n", i, tool_status_text(st),
				tool_slot_current(h, i) ? " (current)" : "");
		if (!tool_slot_has_magic(h, i))
			continue;
		tool_slot_values(p, v);
		tool_out_printf("  generation:    %" PRIu64 "\n",
				v[TOOL_F_GENERATION]);
		tool_out_printf("  version:       %u.%u\n",
				(unsigned)v[TOOL_F_VERSION_MAJOR],
				(unsigned)v[TOOL_F_VERSION_MINOR]);
		fmt_state(buf, sizeof buf, (uint32_t)v[TOOL_F_STATE]);
		tool_out_printf("  state:         %s\n", buf);
		tool_out_printf("  writer pid:    %" PRIu32 "\n",
				(uint32_t)v[TOOL_F_WRITER_PID]);
		tool_slot_dtype(dtype, p);
		if (mmbuf_dtype_check(dtype, &itemsize) == 0)
			tool_out_printf("  dtype:         %s (%" PRIu32
					" bytes per element)\n", dtype, itemsize);
		else {
			tool_text(buf, sizeof buf, tool_slot_field(p, TOOL_F_DTYPE),
				  tool_slot_strlen(p, TOOL_F_DTYPE));
			tool_out_printf("  dtype:         \"%s\" (invalid)\n", buf);
		}
		fmt_shape(buf, sizeof buf, p);
		tool_out_printf("  shape:         %s%s\n", buf,
				v[TOOL_F_RO_COMPAT] & MMBUF_RO_COMPAT_GROWING
				? ", the first dimension growing" : "");
		tool_text(buf, sizeof buf, tool_slot_field(p, TOOL_F_LABEL),
			  tool_slot_strlen(p, TOOL_F_LABEL));
		tool_out_printf("  label:         \"%s\"\n", buf);
		tool_fmt_uuid(buf, tool_slot_field(p, TOOL_F_UUID));
		tool_out_printf("  uuid:          %s\n", buf);
		fmt_time(buf, sizeof buf, (int64_t)v[TOOL_F_CTIME_NS]);
		tool_out_printf("  created:       %s\n", buf);
		fmt_time(buf, sizeof buf, (int64_t)v[TOOL_F_MTIME_NS]);
		tool_out_printf("  modified:      %s\n", buf);
		tool_out_printf("  data offset:   %" PRIu64 "\n",
				v[TOOL_F_DATA_OFFSET]);
		tool_out_printf("  capacity:      %" PRIu64 "\n", v[TOOL_F_CAPACITY]);
		tool_out_printf("  length:        %" PRIu64 "\n", v[TOOL_F_LENGTH]);
		tool_out_printf("  file size:     %" PRIu64 "\n", v[TOOL_F_FILE_SIZE]);
		fmt_flags(buf, sizeof buf, "compat", v[TOOL_F_COMPAT]);
		tool_out_printf("  compat:        %s\n", buf);
		fmt_flags(buf, sizeof buf, "ro_compat", v[TOOL_F_RO_COMPAT]);
		tool_out_printf("  ro_compat:     %s\n", buf);
		fmt_flags(buf, sizeof buf, "incompat", v[TOOL_F_INCOMPAT]);
		tool_out_printf("  incompat:      %s\n", buf);
		if (v[TOOL_F_COMPAT] & MMBUF_COMPAT_DATA_CHECKSUM)
			tool_out_printf("  data checksum: 0x%016" PRIx64
					" (XXH3-64 at generation %" PRIu64 ", %s)\n",
					v[TOOL_F_DATA_CHECKSUM],
					v[TOOL_F_CHECKSUM_GENERATION],
					v[TOOL_F_STATE] & MMBUF_STATE_SEALED
					? "sealed: current" : "not sealed: may be stale");
		else
			tool_out_printf("  data checksum: none\n");
		tool_out_printf("  header crc32:  0x%08" PRIx32 " (%s)\n",
				(uint32_t)v[TOOL_F_CRC32],
				tool_slot_crc(p) == (uint32_t)v[TOOL_F_CRC32]
				? "matches" : "MISMATCH");
	}
}

/* One xxd-style line of at most 16 bytes at file offset off, padded so
 * that notes line up, with an optional note. */
static void slots_line(uint64_t off, const uint8_t *p, int n, const char *note)
{
	struct xxd x;
	struct opts o;
	char *w, *end;

	memset(&o, 0, sizeof o);
	o.grp = -1;
	xxd_setup(&x, &o);
	w = tool_out_reserve(256 + (note ? strlen(note) : 0));
	end = xxd_line_exact(&x, w, off, p, n);
	if (note != NULL) {
		end--;  /* before the newline */
		memset(end, ' ', (size_t)(16 - n) + 2);
		end += 16 - n + 2;
		memcpy(end, note, strlen(note));
		end += strlen(note);
		*end++ = '\n';
	}
	tool_out_commit(end);
}

/* Bytes [off, off + n) of the file, 16 per line; runs of zero lines after
 * the first become one "*" line. */
static void slots_bytes(const struct tool_header *h, uint64_t off, uint64_t n,
			const char *note)
{
	int zero_run = 0;

	for (uint64_t i = 0; i < n; i += 16) {
		int k = n - i < 16 ? (int)(n - i) : 16;
		const uint8_t *p = h->bytes + off + i;

		if (i > 0 && memcmp(p, zeros, (size_t)k) == 0) {
			if (!zero_run++)
				tool_out_str("*\n");
			continue;
		}
		zero_run = 0;
		slots_line(off + i, p, k, i == 0 ? note : NULL);
	}
}

static void field_note(char *o, size_t sz, const struct tool_field *f,
		       const uint8_t *slot)
{
	const uint8_t *p = slot + f->off;
	uint64_t v = f->size <= 8 ? tool_le(p, f->size) : 0;
	char t[300];

	switch (f->type) {
	case TOOL_FT_MAGIC:
		snprintf(o, sz, "%s (%s)", f->name,
			 memcmp(p, MMBUF_MAGIC, 8) == 0 ? "ok" : "BAD");
		break;
	case TOOL_FT_U16: case TOOL_FT_U32: case TOOL_FT_U64:
		snprintf(o, sz, "%s = %" PRIu64, f->name, v);
		break;
	case TOOL_FT_FLAGS:
		fmt_flags(t, sizeof t, f->name, v);
		snprintf(o, sz, "%s = %s", f->name, t);
		break;
	case TOOL_FT_UUID:
		tool_fmt_uuid(t, p);
		snprintf(o, sz, "%s = %s", f->name, t);
		break;
	case TOOL_FT_TIME:
		fmt_time(t, sizeof t, (int64_t)v);
		snprintf(o, sz, "%s = %" PRId64 " (%s)", f->name, (int64_t)v, t);
		break;
	case TOOL_FT_STATE:
		fmt_state(t, sizeof t, (uint32_t)v);
		snprintf(o, sz, "%s = 0x%" PRIx64 " (%s)", f->name, v, t);
		break;
	case TOOL_FT_DTYPE:
		tool_text(t, sizeof t, p, tool_slot_strlen(slot, TOOL_F_DTYPE));
		snprintf(o, sz, "%s = \"%s\"", f->name, t);
		break;
	case TOOL_FT_SHAPE:
		fmt_shape(t, sizeof t, slot);
		snprintf(o, sz, "%s = %s", f->name, t);
		break;
	case TOOL_FT_LABEL: {
		size_t n = tool_slot_strlen(slot, TOOL_F_LABEL), k = n < 64 ? n : 64;

		/* Cut between characters, not inside one. */
		while (k < n && k > 0 && (p[k] & 0xc0) == 0x80)
			k--;
		tool_text(t, sizeof t, p, k);
		snprintf(o, sz, "%s = \"%s\"%s", f->name, t, n > k ? "..." : "");
		break;
	}
	case TOOL_FT_RESERVED:
		snprintf(o, sz, "%s (%s)", f->name,
			 memcmp(p, zeros, f->size) == 0 ? "zero" : "NOT ZERO");
		break;
	case TOOL_FT_TAIL:
		snprintf(o, sz, "%s = %" PRIu64 " (%s)", f->name, v,
			 v == tool_slot_u(slot, TOOL_F_GENERATION) ? "matches generation"
					      : "TORN: differs from generation");
		break;
	case TOOL_FT_CRC:
		if (tool_slot_crc(slot) == (uint32_t)v)
			snprintf(o, sz, "%s = 0x%08" PRIx64 " (ok)", f->name, v);
		else
			snprintf(o, sz, "%s = 0x%08" PRIx64 " (BAD: computed 0x%08"
				 PRIx32 ")", f->name, v, tool_slot_crc(slot));
		break;
	}
}

/* --slots: like pmempool info -x, every field of both slots. */
void show_slots(const struct tool_header *h)
{
	char note[512];

	tool_out_str("# ");
	tool_out_ctext(h->path);
	tool_out_printf(": %" PRIu64 " bytes; header: %s%s\n",
			h->file_size, h->err == 0 ? "valid" : "INVALID: ",
			h->err == 0 ? "" : mmbuf_strerror(h->err));
	for (int i = 0; i < 2; i++) {
		uint64_t base = (uint64_t)i * MMBUF_PAGE;
		const uint8_t *p = tool_slot_bytes(h, i);
		int st = tool_slot_status(h, i);

		tool_out_printf("\n# header page %d, slot %d: %s%s\n", i, i,
				tool_status_text(st),
				tool_slot_current(h, i) ? " (current)" : "");
		if (p == NULL) {
			if (h->n > base) {
				tool_out_printf("# only %zu bytes of the slot "
						"are in the file\n",
						(size_t)(h->n - base));
				slots_bytes(h, base, h->n - base, NULL);
			}
			continue;
		}
		for (size_t f = 0; f < TOOL_F_COUNT; f++) {
			field_note(note, sizeof note, &tool_fields[f], p);
			slots_bytes(h, base + tool_fields[f].off, tool_fields[f].size, note);
		}
		{
			uint64_t rest = (h->n < base + MMBUF_PAGE ? h->n : base + MMBUF_PAGE)
					- base - MMBUF_SLOT_SIZE;

			if (rest > 0) {
				int allzero = 1;

				for (uint64_t k = 0; k < rest && allzero; k++)
					allzero = h->bytes[base + MMBUF_SLOT_SIZE + k] == 0;
				if (allzero) {
					tool_out_printf("%08" PRIx64 "-%08" PRIx64
							": %" PRIu64 " bytes of zeros "
							"(rest of the page)\n",
							base + MMBUF_SLOT_SIZE,
							base + MMBUF_SLOT_SIZE + rest - 1,
							rest);
				} else {
					tool_out_str("# rest of the page (not zero):\n");
					slots_bytes(h, base + MMBUF_SLOT_SIZE, rest,
						    NULL);
				}
			}
		}
	}
}
