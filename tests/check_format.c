/*
 * check_format.c - the pure functions over bytes: mmbuf_validate_header()
 * and mmbuf_dtype_parse().
 *
 * Headers are built by the test's own encoder (testutil.c, from mmbuf(5)),
 * so these tests also hold the library to the byte layout of the spec.
 * No files are involved.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define CAP 4096u               /* capacity of the forged headers */
#define FSIZE (8192u + CAP)     /* the file size they expect */
#define BIG ((uint64_t)1 << 40) /* a file size that truncates nothing */

static uint8_t hdr[MMBUF_HEADER_SIZE];

static uint8_t *slot(int i)
{
	return hdr + (size_t)i * MMBUF_PAGE;
}

/* The default forged header: gen 2 in slot 0, gen 1 in slot 1. */
static void build(tu_hdr *h)
{
	tu_hdr_init(h, CAP);
	tu_encode_header(h, hdr);
}

static int validate(uint64_t file_size, mmbuf_info *info)
{
	memset(info, 0x55, sizeof *info); /* nothing may be left unset */
	return mmbuf_validate_header(hdr, sizeof hdr, file_size, info);
}

/* ---------------------------------------------------------------- */

START_TEST(test_decode_fields)
{
	tu_hdr h;
	mmbuf_info info;

	tu_hdr_init(&h, 3 * 4096 + 100);
	h.generation = 7; /* gen 7 in slot 1, gen 6 in slot 0 */
	h.version_minor = 0;
	h.compat = MMBUF_COMPAT_DATA_CHECKSUM;
	h.data_checksum = 0x0123456789abcdefull;
	h.checksum_generation = 5;
	h.state = MMBUF_STATE_WRITER_OPEN | MMBUF_STATE_SEALED;
	h.writer_pid = 0xfedcba98u;
	h.ctime_ns = -5; /* before the epoch: i64 */
	h.mtime_ns = INT64_MAX;
	h.data_offset = 3 * 4096;
	h.length = 1000;
	h.file_size = h.data_offset + h.capacity;
	strcpy(h.dtype, ">c16");
	h.ndim = 3;
	h.shape[0] = 3;
	h.shape[1] = 4;
	h.shape[2] = 64; /* 3*4*64*16 = 12288 <= 12388 */
	memset(h.label, 0, sizeof h.label);
	strcpy(h.label, "d\xc3\xa9" "cod\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80");
	tu_encode_header(&h, hdr);

	ck_assert_err(validate(h.file_size, &info), 0);
	ck_assert_uint_eq(info.generation, 7);
	ck_assert_int_eq(info.slot, 1);
	ck_assert_int_eq(info.slot_status[0], 0);
	ck_assert_int_eq(info.slot_status[1], 0);
	ck_assert_uint_eq(info.version_major, 1);
	ck_assert_uint_eq(info.version_minor, 0);
	ck_assert_uint_eq(info.compat, MMBUF_COMPAT_DATA_CHECKSUM);
	ck_assert_uint_eq(info.ro_compat, MMBUF_RO_COMPAT_LOCKING);
	ck_assert_uint_eq(info.incompat, 0);
	ck_assert_mem_eq(info.uuid, h.uuid, 16);
	ck_assert(info.ctime_ns == -5);
	ck_assert(info.mtime_ns == INT64_MAX);
	ck_assert_uint_eq(info.data_offset, 3 * 4096);
	ck_assert_uint_eq(info.capacity, 3 * 4096 + 100);
	ck_assert_uint_eq(info.length, 1000);
	ck_assert_uint_eq(info.file_size, h.file_size);
	ck_assert_uint_eq(info.state,
			  MMBUF_STATE_WRITER_OPEN | MMBUF_STATE_SEALED);
	ck_assert_uint_eq(info.writer_pid, 0xfedcba98u);
	ck_assert_str_eq(info.dtype, ">c16");
	ck_assert_uint_eq(info.itemsize, 16);
	ck_assert_uint_eq(info.ndim, 3);
	ck_assert_uint_eq(info.shape[0], 3);
	ck_assert_uint_eq(info.shape[1], 4);
	ck_assert_uint_eq(info.shape[2], 64);
	for (int i = 3; i < MMBUF_MAX_DIMS; i++)
		ck_assert_uint_eq(info.shape[i], 0);
	ck_assert_str_eq(info.label, h.label);
	ck_assert_uint_eq(info.data_checksum, 0x0123456789abcdefull);
	ck_assert_uint_eq(info.checksum_generation, 5);
	ck_assert_uint_eq(info.block_shift, 0);
	ck_assert_uint_eq(info.table_offset, 0);
	ck_assert_uint_eq(info.table_size, 0);

	/* out may be NULL; more bytes than the header pages are fine. */
	ck_assert_err(mmbuf_validate_header(hdr, sizeof hdr, h.file_size, NULL),
		      0);
	{
		uint8_t *whole = calloc(1, (size_t)h.file_size);

		ck_assert_ptr_nonnull(whole);
		memcpy(whole, hdr, sizeof hdr);
		ck_assert_err(mmbuf_validate_header(whole, (size_t)h.file_size,
						    h.file_size, &info),
			      0);
		ck_assert_uint_eq(info.generation, 7);
		free(whole);
	}
}
END_TEST

START_TEST(test_decode_label_and_dtype_limits)
{
	tu_hdr h;
	mmbuf_info info;

	/* A label of exactly 255 bytes, and a 2-byte character at the end. */
	tu_hdr_init(&h, CAP);
	memset(h.label, 'x', 253);
	memcpy(h.label + 253, "\xc3\xa9", 2);
	tu_encode_header(&h, hdr);
	ck_assert_err(validate(FSIZE, &info), 0);
	ck_assert_uint_eq(strlen(info.label), 255);
	ck_assert_mem_eq(info.label, h.label, 255);

	/* The empty label. */
	tu_hdr_init(&h, CAP);
	memset(h.label, 0, sizeof h.label);
	tu_encode_header(&h, hdr);
	ck_assert_err(validate(FSIZE, &info), 0);
	ck_assert_str_eq(info.label, "");

	/* Every dtype in both byte orders decodes with its item size. */
	for (size_t i = 0; i < tu_ndtypes; i++) {
		for (int o = 0; o < 2; o++) {
			char want[8];

			tu_hdr_init(&h, CAP);
			memset(h.dtype, 0, sizeof h.dtype);
			want[0] = o ? '>' : '<';
			strcpy(want + 1, tu_dtypes[i].code);
			strcpy(h.dtype, want);
			h.ndim = 1;
			h.shape[0] = CAP / tu_dtypes[i].itemsize;
			h.shape[1] = 0;
			tu_encode_header(&h, hdr);
			ck_assert_err(validate(FSIZE, &info), 0);
			ck_assert_str_eq(info.dtype, want);
			ck_assert_uint_eq(info.itemsize, tu_dtypes[i].itemsize);
		}
	}
}
END_TEST

/* The intact slot with the higher generation wins, whichever slot it is. */
START_TEST(test_slot_choice)
{
	tu_hdr h;
	mmbuf_info info;
	static const uint64_t gens[] = {2, 3, 4, 1001, (1ull << 40) + 1,
					UINT64_MAX - 1, UINT64_MAX};

	for (size_t i = 0; i < sizeof gens / sizeof gens[0]; i++) {
		tu_hdr_init(&h, CAP);
		h.generation = gens[i];
		h.length = gens[i] % CAP; /* tell the slots apart */
		tu_encode_header(&h, hdr);
		/* The older slot says something else. */
		{
			uint8_t *old = slot((int)((gens[i] - 1) % 2));

			tu_put64(old + TU_LENGTH, 7);
			tu_fix_crc(old);
		}
		ck_assert_err(validate(FSIZE, &info), 0);
		ck_assert_uint_eq(info.generation, gens[i]);
		ck_assert_int_eq(info.slot, (int)(gens[i] % 2));
		ck_assert_uint_eq(info.length, gens[i] % CAP);
	}
}
END_TEST

/*
 * Flip each byte of one slot: the header still validates, from the other
 * slot, and the damaged slot's status says what is wrong with it.
 */
START_TEST(test_damage_every_byte)
{
	tu_hdr h;
	mmbuf_info info;
	uint8_t pristine[MMBUF_HEADER_SIZE];

	build(&h);
	memcpy(pristine, hdr, sizeof hdr);
	for (int s = 0; s < 2; s++) {
		for (size_t i = 0; i < MMBUF_SLOT_SIZE; i++) {
			int want = i < 8 ? MMBUF_EMAGIC : MMBUF_ECHECKSUM;

			memcpy(hdr, pristine, sizeof hdr);
			slot(s)[i] ^= 0xff;
			ck_assert_msg(validate(FSIZE, &info) == 0,
				      "slot %d byte %zu flipped: no fallback", s,
				      i);
			ck_assert_int_eq(info.slot, 1 - s);
			ck_assert_uint_eq(info.generation, s == 0 ? 1 : 2);
			ck_assert_msg(info.slot_status[s] == want,
				      "slot %d byte %zu: status %s, want %s", s,
				      i, mmbuf_err_name(info.slot_status[s]),
				      mmbuf_err_name(want));
			ck_assert_int_eq(info.slot_status[1 - s], 0);
			ck_assert_str_eq(info.label, h.label);
		}
	}
}
END_TEST

/* Bytes 512..4095 of each header page are ignored by readers. */
START_TEST(test_page_tail_ignored)
{
	tu_hdr h;
	mmbuf_info info;

	build(&h);
	for (int s = 0; s < 2; s++)
		memset(slot(s) + MMBUF_SLOT_SIZE, 0xa5,
		       MMBUF_PAGE - MMBUF_SLOT_SIZE);
	ck_assert_err(validate(FSIZE, &info), 0);
	ck_assert_int_eq(info.slot_status[0], 0);
	ck_assert_int_eq(info.slot_status[1], 0);
	ck_assert_uint_eq(info.generation, 2);
}
END_TEST

/* Reserved fields: writers write zero, readers do not reject. */
START_TEST(test_reserved_ignored)
{
	tu_hdr h;
	mmbuf_info info;

	build(&h);
	for (int s = 0; s < 2; s++) {
		memset(slot(s) + TU_RESERVED1, 0xee, 8);
		memset(slot(s) + TU_RESERVED2, 0xee, 4);
		tu_fix_crc(slot(s));
	}
	ck_assert_err(validate(FSIZE, &info), 0);
	ck_assert_int_eq(info.slot_status[0], 0);
	ck_assert_int_eq(info.slot_status[1], 0);
}
END_TEST

/* A slot with a good CRC whose generation copies differ is torn. */
START_TEST(test_torn)
{
	tu_hdr h;
	mmbuf_info info;

	for (int s = 0; s < 2; s++) {
		build(&h);
		tu_put64(slot(s) + TU_GENERATION_TAIL,
			 tu_le64(slot(s) + TU_GENERATION) + 2);
		tu_fix_crc(slot(s));
		ck_assert_err(validate(FSIZE, &info), 0);
		ck_assert_int_eq(info.slot, 1 - s);
		ck_assert_err(info.slot_status[s], MMBUF_ETORN);
		ck_assert_int_eq(info.slot_status[1 - s], 0);
	}
	/* Both torn. */
	build(&h);
	for (int s = 0; s < 2; s++) {
		tu_put64(slot(s) + TU_GENERATION, 100 + (uint64_t)s);
		tu_fix_crc(slot(s));
	}
	ck_assert_err(validate(FSIZE, &info), MMBUF_ETORN);
	ck_assert_err(info.slot_status[0], MMBUF_ETORN);
	ck_assert_err(info.slot_status[1], MMBUF_ETORN);
}
END_TEST

/* Generation g lives in slot g % 2, and slot_size is 512. */
START_TEST(test_parity_and_slot_size)
{
	tu_hdr h;
	mmbuf_info info;

	/* Slot 0 holding an odd generation (the highest) is not intact. */
	build(&h);
	tu_set_generation(slot(0), 9);
	ck_assert_err(validate(FSIZE, &info), 0);
	ck_assert_int_eq(info.slot, 1);
	ck_assert_uint_eq(info.generation, 1);
	ck_assert_err(info.slot_status[0], MMBUF_EINCONSISTENT);

	/* Both slots with the wrong parity. */
	build(&h);
	tu_set_generation(slot(0), 3);
	tu_set_generation(slot(1), 2);
	ck_assert_err(validate(FSIZE, &info), MMBUF_EINCONSISTENT);

	for (int s = 0; s < 2; s++) {
		build(&h);
		tu_put32(slot(s) + TU_SLOT_SIZE, 511);
		tu_fix_crc(slot(s));
		ck_assert_err(validate(FSIZE, &info), 0);
		ck_assert_int_eq(info.slot, 1 - s);
		ck_assert_err(info.slot_status[s], MMBUF_EINCONSISTENT);
	}
	build(&h);
	for (int s = 0; s < 2; s++) {
		tu_put32(slot(s) + TU_SLOT_SIZE, 4096);
		tu_fix_crc(slot(s));
	}
	ck_assert_err(validate(FSIZE, &info), MMBUF_EINCONSISTENT);
}
END_TEST

/*
 * Both slots damaged: the error is MAGIC when neither has the magic, else
 * that of the first slot with a good magic; the statuses are reported.
 */
START_TEST(test_both_damaged)
{
	static const struct {
		int how[2]; /* 0 magic, 1 crc, 2 torn */
		int want;
	} cases[] = {
		{{1, 1}, MMBUF_ECHECKSUM}, {{0, 0}, MMBUF_EMAGIC},
		{{0, 1}, MMBUF_ECHECKSUM}, {{1, 0}, MMBUF_ECHECKSUM},
		{{2, 1}, MMBUF_ETORN},     {{1, 2}, MMBUF_ECHECKSUM},
		{{0, 2}, MMBUF_ETORN},     {{2, 0}, MMBUF_ETORN},
	};
	static const int status_of[] = {MMBUF_EMAGIC, MMBUF_ECHECKSUM,
					MMBUF_ETORN};
	tu_hdr h;
	mmbuf_info info;

	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		build(&h);
		for (int s = 0; s < 2; s++) {
			switch (cases[c].how[s]) {
			case 0:
				slot(s)[0] = 'X';
				break;
			case 1:
				slot(s)[TU_LENGTH] ^= 1;
				break;
			case 2:
				slot(s)[TU_GENERATION_TAIL] ^= 0x10;
				tu_fix_crc(slot(s));
				break;
			}
		}
		ck_assert_msg(validate(FSIZE, &info) == cases[c].want,
			      "case %zu: got %s, want %s", c,
			      mmbuf_err_name(validate(FSIZE, &info)),
			      mmbuf_err_name(cases[c].want));
		for (int s = 0; s < 2; s++)
			ck_assert_err(info.slot_status[s],
				      status_of[cases[c].how[s]]);
	}
}
END_TEST

START_TEST(test_version)
{
	tu_hdr h;
	mmbuf_info info;

	/* A newer major version in the newest slot refuses the file even
	 * though the older slot is fine: no rollback. */
	static const uint16_t majors[] = {0, 2, 0xffff};
	for (size_t i = 0; i < sizeof majors / sizeof majors[0]; i++) {
		for (int s = 0; s < 2; s++) {
			tu_hdr_init(&h, CAP);
			h.generation = 2 + (uint64_t)s; /* newest in slot s */
			tu_encode_header(&h, hdr);
			tu_put16(slot(s) + TU_VERSION_MAJOR, majors[i]);
			tu_fix_crc(slot(s));
			ck_assert_err(validate(FSIZE, &info), MMBUF_EVERSION);
			/* In the older slot only: the newest serves. */
			tu_encode_header(&h, hdr);
			tu_put16(slot(1 - s) + TU_VERSION_MAJOR, majors[i]);
			tu_fix_crc(slot(1 - s));
			ck_assert_err(validate(FSIZE, &info), 0);
			ck_assert_int_eq(info.slot, s);
		}
	}

	/* A newer minor version is readable. */
	tu_hdr_init(&h, CAP);
	h.version_minor = 7;
	tu_encode_header(&h, hdr);
	ck_assert_err(validate(FSIZE, &info), 0);
	ck_assert_uint_eq(info.version_minor, 7);
}
END_TEST

START_TEST(test_features)
{
	tu_hdr h;
	mmbuf_info info;
	static const uint64_t bits[] = {1, 2, 1ull << 17, 1ull << 63};

	for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
		/* Unknown incompat feature in the newest slot: refused. */
		tu_hdr_init(&h, CAP);
		tu_encode_header(&h, hdr);
		tu_put64(slot(0) + TU_INCOMPAT, bits[i]);
		tu_fix_crc(slot(0));
		ck_assert_err(validate(FSIZE, &info), MMBUF_EFEATURE);
		/* In the older slot only: fine. */
		tu_encode_header(&h, hdr);
		tu_put64(slot(1) + TU_INCOMPAT, bits[i]);
		tu_fix_crc(slot(1));
		ck_assert_err(validate(FSIZE, &info), 0);
		ck_assert_int_eq(info.slot, 0);
		ck_assert_uint_eq(info.incompat, 0);
	}

	/* Unknown ro_compat: not an error here (mmbuf_open refuses RDWR). */
	tu_hdr_init(&h, CAP);
	h.ro_compat = MMBUF_RO_COMPAT_LOCKING | 1ull << 9;
	tu_encode_header(&h, hdr);
	ck_assert_err(validate(FSIZE, &info), 0);
	ck_assert_uint_eq(info.ro_compat, MMBUF_RO_COMPAT_LOCKING | 1ull << 9);

	/* Unknown compat: ignored. */
	tu_hdr_init(&h, CAP);
	h.compat = 1ull << 40 | 1ull << 5;
	tu_encode_header(&h, hdr);
	ck_assert_err(validate(FSIZE, &info), 0);
	ck_assert_uint_eq(info.compat, 1ull << 40 | 1ull << 5);
}
END_TEST

/*
 * A file cut at every offset of the header pages is truncated: the first
 * n bytes of the header for a file of n bytes; cut before the end of the
 * magic, it is not a buffer file (mmbuf(5), "Magic").
 */
START_TEST(test_truncated_header_every_offset)
{
	tu_hdr h;
	mmbuf_info info;
	static const uint64_t caps[] = {0, CAP};

	for (size_t c = 0; c < 2; c++) {
		tu_hdr_init(&h, caps[c]);
		tu_encode_header(&h, hdr);
		for (size_t n = 0; n < MMBUF_HEADER_SIZE; n++) {
			/* A private copy of exactly n bytes, so reading past
			 * it is caught by ASan. */
			uint8_t *p = malloc(n ? n : 1);
			int rc;

			ck_assert_ptr_nonnull(p);
			memcpy(p, hdr, n);
			rc = mmbuf_validate_header(p, n, n, &info);
			if (rc != (n < MMBUF_MAGIC_LEN ? MMBUF_EMAGIC
						       : MMBUF_ETRUNCATED))
				ck_abort_msg("capacity %llu cut at %zu: %s",
					     (unsigned long long)caps[c], n,
					     mmbuf_err_name(rc));
			free(p);
		}
	}
}
END_TEST

/* Cut in the data region, or not at all, or longer than needed. */
START_TEST(test_truncated_data)
{
	tu_hdr h;
	mmbuf_info info;

	build(&h);
	for (uint64_t n = MMBUF_HEADER_SIZE; n < FSIZE; n += 97)
		ck_assert_err(validate(n, &info), MMBUF_ETRUNCATED);
	ck_assert_err(validate(FSIZE - 1, &info), MMBUF_ETRUNCATED);
	ck_assert_err(validate(MMBUF_HEADER_SIZE, &info), MMBUF_ETRUNCATED);
	ck_assert_err(validate(FSIZE, &info), 0);
	/* A longer file (an interrupted resize) is accepted. */
	ck_assert_err(validate(FSIZE + 1, &info), 0);
	ck_assert_err(validate(BIG, &info), 0);

	/* Capacity 0: the file is exactly the two header pages. */
	tu_hdr_init(&h, 0);
	tu_encode_header(&h, hdr);
	ck_assert_err(validate(MMBUF_HEADER_SIZE, &info), 0);
	ck_assert_err(validate(MMBUF_HEADER_SIZE - 1, &info), MMBUF_ETRUNCATED);
}
END_TEST

/* A file shorter than the magic is not a buffer file, even a prefix of
 * the magic or an empty one (mmbuf(5), "Magic"); its slot is truncated. */
START_TEST(test_short_files)
{
	static const uint8_t junk[] = "PK\x03\x04zip";
	mmbuf_info info;

	ck_assert_err(mmbuf_validate_header(MMBUF_MAGIC, 0, 0, &info),
		      MMBUF_EMAGIC);
	ck_assert_err(info.slot_status[0], MMBUF_ETRUNCATED);
	for (size_t n = 1; n < MMBUF_MAGIC_LEN; n++) {
		ck_assert_err(mmbuf_validate_header(MMBUF_MAGIC, n, n, &info),
			      MMBUF_EMAGIC);
		ck_assert_err(info.slot_status[0], MMBUF_ETRUNCATED);
		ck_assert_err(mmbuf_validate_header(junk, n, n, &info),
			      MMBUF_EMAGIC);
	}
	memset(hdr, 0, sizeof hdr);
	ck_assert_err(validate(FSIZE, &info), MMBUF_EMAGIC);
	ck_assert_err(info.slot_status[0], MMBUF_EMAGIC);
	memset(hdr, 'A', sizeof hdr);
	ck_assert_err(validate(FSIZE, &info), MMBUF_EMAGIC);
	/* An almost-right magic (CR LF converted to LF). */
	{
		tu_hdr h;

		build(&h);
		for (int s = 0; s < 2; s++)
			memcpy(slot(s), "\x8dMMB\n\x1a\n\0", 8);
		ck_assert_err(validate(FSIZE, &info), MMBUF_EMAGIC);
	}
}
END_TEST

/*
 * Field validation.  Each case changes one thing in both slots (CRC fixed,
 * so no fallback); the file size passed is large, so only the field rule
 * can fire.  Positive controls next to each rule check its boundary.
 */
typedef void (*mutator)(tu_hdr *h);

/* A label field holding exactly s, NUL-padded. */
static void set_label(tu_hdr *h, const char *s)
{
	memset(h->label, 0, sizeof h->label);
	strcpy(h->label, s);
}

#define MUT(name, body) \
	static void name(tu_hdr *h) { body; }

MUT(m_none, (void)h)
MUT(m_off_unaligned, h->data_offset = 8192 + 512; h->file_size = h->data_offset + h->capacity)
MUT(m_off_small, h->data_offset = 4096; h->file_size = h->data_offset + h->capacity)
MUT(m_off_zero, h->data_offset = 0; h->file_size = h->capacity)
MUT(m_off_large, h->data_offset = 2097152 + 4096; h->file_size = h->data_offset + h->capacity)
MUT(m_off_huge, h->data_offset = UINT64_MAX - 4095; h->file_size = h->data_offset + h->capacity)
MUT(m_off_max_ok, h->data_offset = 2097152; h->file_size = h->data_offset + h->capacity)
MUT(m_off_12k_ok, h->data_offset = 12288; h->file_size = h->data_offset + h->capacity)
MUT(m_cap_overflow, h->capacity = UINT64_MAX - 4096; h->length = 0; h->ndim = 0; h->shape[0] = h->shape[1] = 0; h->file_size = h->data_offset + h->capacity)
MUT(m_cap_max, h->capacity = UINT64_MAX; h->length = 0; h->ndim = 0; h->shape[0] = h->shape[1] = 0; h->file_size = h->data_offset + h->capacity)
MUT(m_length_over, h->length = h->capacity + 1)
MUT(m_length_max, h->length = UINT64_MAX)
MUT(m_length_cap_ok, h->length = h->capacity)
MUT(m_length_zero_ok, h->length = 0)
MUT(m_fsize_more, h->file_size++)
MUT(m_fsize_less, h->file_size--)
MUT(m_shape_overflow, h->ndim = 2; h->shape[0] = 1ull << 32; h->shape[1] = 1ull << 32)
MUT(m_shape_item_overflow, h->ndim = 1; h->shape[0] = 1ull << 61; h->shape[1] = 0)
MUT(m_shape_8d_overflow, h->ndim = 8; for (int i = 0; i < 8; i++) h->shape[i] = 1ull << 8)
MUT(m_shape_too_big, h->ndim = 1; h->shape[0] = CAP / 8 + 1; h->shape[1] = 0)
MUT(m_shape_exact_ok, h->ndim = 1; h->shape[0] = CAP / 8; h->shape[1] = 0)
MUT(m_shape_8d_ok, h->ndim = 8; for (int i = 0; i < 8; i++) h->shape[i] = 2)
MUT(m_shape_zero_dim_ok, h->ndim = 3; h->shape[0] = 5; h->shape[1] = 0; h->shape[2] = 7)
MUT(m_ndim_9, h->ndim = 9)
MUT(m_ndim_huge, h->ndim = UINT32_MAX)
MUT(m_shape_past_ndim, h->shape[2] = 1)
MUT(m_shape_past_ndim_last, h->shape[7] = 1)
MUT(m_ndim0_shape, h->ndim = 0)
MUT(m_state_unknown, h->state = 0x4)
MUT(m_state_high, h->state = 0x80000000u)
MUT(m_state_writer_ok, h->state = MMBUF_STATE_WRITER_OPEN)
MUT(m_sealed_no_checksum, h->state = MMBUF_STATE_SEALED)
MUT(m_sealed_checksum_ok, h->state = MMBUF_STATE_SEALED; h->compat = MMBUF_COMPAT_DATA_CHECKSUM; h->data_checksum = 42; h->checksum_generation = 1)
MUT(m_checksum_no_compat, h->data_checksum = 42)
MUT(m_checksum_gen_no_compat, h->checksum_generation = 1)
MUT(m_block_shift_alone, h->block_shift = 12)
MUT(m_table_offset_alone, h->table_offset = h->file_size)
MUT(m_table_size_alone, h->table_size = 8)
MUT(m_table_ok, h->ro_compat |= MMBUF_RO_COMPAT_BLOCK_TABLE; h->block_shift = 12; h->table_offset = 8192 + CAP; h->table_size = 8; h->file_size = h->table_offset + 8)
MUT(m_table_odd_ok, h->ro_compat |= MMBUF_RO_COMPAT_BLOCK_TABLE; h->capacity = 3 * 4096 + 1; h->length = 100; h->block_shift = 12; h->table_offset = 8192 + 4 * 4096; h->table_size = 32; h->file_size = h->table_offset + 32)
MUT(m_table_shift_small, m_table_ok(h); h->block_shift = 11)
MUT(m_table_shift_large, m_table_ok(h); h->block_shift = 31)
MUT(m_table_off_wrong, m_table_ok(h); h->table_offset += 4096; h->file_size += 4096)
MUT(m_table_size_wrong, m_table_ok(h); h->table_size = 16; h->file_size += 8)
MUT(m_table_fsize_wrong, m_table_ok(h); h->file_size += 1)
MUT(m_dtype_bad_code, memcpy(h->dtype, "<f3\0\0\0\0\0", 8))
MUT(m_dtype_bare, memcpy(h->dtype, "f8\0\0\0\0\0\0", 8))
MUT(m_dtype_pipe, memcpy(h->dtype, "|u1\0\0\0\0\0", 8))
MUT(m_dtype_native, memcpy(h->dtype, "=f8\0\0\0\0\0", 8))
MUT(m_dtype_empty, memset(h->dtype, 0, 8))
MUT(m_dtype_after_nul, memcpy(h->dtype, "<f8\0X\0\0\0", 8))
MUT(m_dtype_no_nul, memcpy(h->dtype, "<f8xxxxx", 8))
MUT(m_dtype_upper, memcpy(h->dtype, "<F8\0\0\0\0\0", 8))
MUT(m_dtype_c16_ok, memcpy(h->dtype, ">c16\0\0\0\0", 8); h->ndim = 0; h->shape[0] = h->shape[1] = 0)
MUT(m_label_ff, set_label(h, "bad \xff byte"))
MUT(m_label_overlong, set_label(h, "\xc0\x80"))
MUT(m_label_surrogate, set_label(h, "\xed\xa0\x80"))
MUT(m_label_cut, set_label(h, "euro \xe2\x82"))
MUT(m_label_too_high, set_label(h, "\xf4\x90\x80\x80"))
MUT(m_label_lone_cont, set_label(h, "\x80"))
MUT(m_label_no_nul, memset(h->label, 'a', 256))
MUT(m_label_after_nul, memcpy(h->label, "abc\0def", 8))
MUT(m_label_last_byte, h->label[255] = 'z')
MUT(m_label_255_ok, memset(h->label, 'a', 255); h->label[255] = 0)
MUT(m_label_utf8_ok, set_label(h, "\xf4\x8f\xbf\xbf \xef\xbf\xbd \xe2\x82\xac"))

static const struct {
	const char *name;
	mutator fn;
	int want;
} fields[] = {
#define BAD(f) {#f, f, MMBUF_EINCONSISTENT}
#define OK(f) {#f, f, 0}
	OK(m_none),
	BAD(m_off_unaligned), BAD(m_off_small), BAD(m_off_zero),
	BAD(m_off_large), BAD(m_off_huge), OK(m_off_max_ok), OK(m_off_12k_ok),
	BAD(m_cap_overflow), BAD(m_cap_max),
	BAD(m_length_over), BAD(m_length_max), OK(m_length_cap_ok),
	OK(m_length_zero_ok),
	BAD(m_fsize_more), BAD(m_fsize_less),
	BAD(m_shape_overflow), BAD(m_shape_item_overflow),
	BAD(m_shape_8d_overflow), BAD(m_shape_too_big), OK(m_shape_exact_ok),
	OK(m_shape_8d_ok), OK(m_shape_zero_dim_ok),
	BAD(m_ndim_9), BAD(m_ndim_huge), BAD(m_shape_past_ndim),
	BAD(m_shape_past_ndim_last), BAD(m_ndim0_shape),
	BAD(m_state_unknown), BAD(m_state_high), OK(m_state_writer_ok),
	BAD(m_sealed_no_checksum), OK(m_sealed_checksum_ok),
	BAD(m_checksum_no_compat), BAD(m_checksum_gen_no_compat),
	BAD(m_block_shift_alone), BAD(m_table_offset_alone),
	BAD(m_table_size_alone), OK(m_table_ok), OK(m_table_odd_ok),
	BAD(m_table_shift_small), BAD(m_table_shift_large),
	BAD(m_table_off_wrong), BAD(m_table_size_wrong),
	BAD(m_table_fsize_wrong),
	BAD(m_dtype_bad_code), BAD(m_dtype_bare), BAD(m_dtype_pipe),
	BAD(m_dtype_native), BAD(m_dtype_empty), BAD(m_dtype_after_nul),
	BAD(m_dtype_no_nul), BAD(m_dtype_upper), OK(m_dtype_c16_ok),
	BAD(m_label_ff), BAD(m_label_overlong), BAD(m_label_surrogate),
	BAD(m_label_cut), BAD(m_label_too_high), BAD(m_label_lone_cont),
	BAD(m_label_no_nul), BAD(m_label_after_nul), BAD(m_label_last_byte),
	OK(m_label_255_ok), OK(m_label_utf8_ok),
#undef BAD
#undef OK
};
#define NFIELDS ((int)(sizeof fields / sizeof fields[0]))

/* Both slots forged the same way: no fallback, so the rule decides. */
START_TEST(test_fields_both_slots)
{
	tu_hdr h;
	mmbuf_info info;
	int rc;

	tu_hdr_init(&h, CAP);
	fields[_i].fn(&h);
	tu_encode_header(&h, hdr);
	rc = validate(BIG, &info);
	ck_assert_msg(rc == fields[_i].want, "%s: got %s, want %s",
		      fields[_i].name, mmbuf_err_name(rc),
		      mmbuf_err_name(fields[_i].want));
	if (rc == 0) {
		ck_assert_uint_eq(info.capacity, h.capacity);
		ck_assert_uint_eq(info.data_offset, h.data_offset);
		ck_assert_uint_eq(info.file_size, h.file_size);
	} else {
		ck_assert_err(info.slot_status[0], fields[_i].want);
		ck_assert_err(info.slot_status[1], fields[_i].want);
	}
}
END_TEST

/* Only the newest slot forged: an invalid one falls back to the older. */
START_TEST(test_fields_newest_slot)
{
	tu_hdr good, bad;
	mmbuf_info info;
	int rc;

	tu_hdr_init(&good, CAP);
	good.length = 123; /* tell the slots apart */
	bad = good;
	fields[_i].fn(&bad);
	tu_encode_header(&good, hdr);
	tu_encode_slot(&bad, 2, slot(0)); /* gen 2 is the newest */
	rc = validate(BIG, &info);
	ck_assert_msg(rc == 0, "%s: %s", fields[_i].name, mmbuf_err_name(rc));
	if (fields[_i].want == 0) {
		ck_assert_int_eq(info.slot, 0);
		ck_assert_int_eq(info.slot_status[0], 0);
	} else {
		ck_assert_int_eq(info.slot, 1);
		ck_assert_uint_eq(info.generation, 1);
		ck_assert_uint_eq(info.length, 123);
		ck_assert_err(info.slot_status[0], fields[_i].want);
	}
	ck_assert_int_eq(info.slot_status[1], 0);
}
END_TEST

/* ---------------------------------------------------------------- */
/* mmbuf_dtype_parse                                                 */

START_TEST(test_dtype_all_codes)
{
	for (size_t i = 0; i < tu_ndtypes; i++) {
		const char *code = tu_dtypes[i].code;
		char in[8], canon[MMBUF_DTYPE_MAX + 1], want[8];
		uint32_t itemsize;

		for (int o = 0; o < 2; o++) {
			snprintf(in, sizeof in, "%c%s", o ? '>' : '<', code);
			memset(canon, 'Z', sizeof canon);
			itemsize = 0;
			ck_assert_err(mmbuf_dtype_parse(in, canon, &itemsize), 0);
			/* One byte has no byte order: always '<'. */
			if (tu_dtypes[i].itemsize == 1)
				in[0] = '<';
			ck_assert_str_eq(canon, in);
			ck_assert_uint_eq(itemsize, tu_dtypes[i].itemsize);
		}
		/* A bare code is little-endian. */
		snprintf(want, sizeof want, "<%s", code);
		ck_assert_err(mmbuf_dtype_parse(code, canon, &itemsize), 0);
		ck_assert_str_eq(canon, want);
		ck_assert_uint_eq(itemsize, tu_dtypes[i].itemsize);
		/* '=' is the native order. */
		snprintf(in, sizeof in, "=%s", code);
		snprintf(want, sizeof want, "%c%s",
			 __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? '<' : '>',
			 code);
		ck_assert_err(mmbuf_dtype_parse(in, canon, &itemsize), 0);
		ck_assert_str_eq(canon, want);
		/* NULL outputs are allowed. */
		ck_assert_err(mmbuf_dtype_parse(in, NULL, NULL), 0);
	}
}
END_TEST

START_TEST(test_dtype_pipe)
{
	char canon[MMBUF_DTYPE_MAX + 1];
	uint32_t itemsize = 0;

	/* NumPy writes '|' for one-byte types. */
	ck_assert_err(mmbuf_dtype_parse("|u1", canon, &itemsize), 0);
	ck_assert_str_eq(canon, "<u1");
	ck_assert_uint_eq(itemsize, 1);
	ck_assert_err(mmbuf_dtype_parse("|i1", canon, &itemsize), 0);
	ck_assert_str_eq(canon, "<i1");
	ck_assert_err(mmbuf_dtype_parse("|b1", canon, &itemsize), 0);
	ck_assert_str_eq(canon, "<b1");
}
END_TEST

START_TEST(test_dtype_invalid)
{
	static const char *const bad[] = {
		"", "<", ">", "|", "=", "f", "f3", "<f3", "<f16", "u16", "c4",
		"<c32", "F8", "<F8", "<b2", "<<f8", "<>f8", "<f8 ", " <f8",
		"<f8x", "<c16x", "f8<", "<i", "<8", "<u1\n", "?u1", "<U1",
		"float64", "<f8\xff",
	};
	char canon[MMBUF_DTYPE_MAX + 1] = "ok";
	uint32_t itemsize = 99;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(mmbuf_dtype_parse(bad[i], canon, &itemsize) ==
				      MMBUF_EDTYPE,
			      "\"%s\" accepted", bad[i]);
}
END_TEST

/* mmbuf_dtype_check: only the stored forms of mmbuf(5). */
START_TEST(test_dtype_check)
{
	static const char *const bad[] = {
		"=f8", "|u1", "f8", "u1", "=u1", "", "<", "<f3", "<<f8", NULL,
	};
	uint32_t itemsize = 99;

	for (size_t i = 0; i < tu_ndtypes; i++) {
		char in[8];

		for (int o = 0; o < 2; o++) {
			snprintf(in, sizeof in, "%c%s", o ? '>' : '<',
				 tu_dtypes[i].code);
			itemsize = 0;
			ck_assert_err(mmbuf_dtype_check(in, &itemsize), 0);
			ck_assert_uint_eq(itemsize, tu_dtypes[i].itemsize);
			ck_assert_err(mmbuf_dtype_check(in, NULL), 0);
		}
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(mmbuf_dtype_check(bad[i], &itemsize) ==
				      MMBUF_EDTYPE,
			      "\"%s\" accepted", bad[i] ? bad[i] : "(null)");
}
END_TEST

/* ---------------------------------------------------------------- */
/* mmbuf_utf8_decode                                                 */

START_TEST(test_utf8_valid)
{
	static const struct {
		const char *s;
		int len;
		uint32_t cp;
	} good[] = {
		{ "A", 1, 0x41 }, { "\x7f", 1, 0x7f },
		{ "\xc2\x80", 2, 0x80 }, { "\xc2\x9b", 2, 0x9b },
		{ "\xdf\xbf", 2, 0x7ff }, { "\xe0\xa0\x80", 3, 0x800 },
		{ "\xe2\x80\xae", 3, 0x202e }, { "\xed\x9f\xbf", 3, 0xd7ff },
		{ "\xee\x80\x80", 3, 0xe000 }, { "\xef\xbf\xbf", 3, 0xffff },
		{ "\xf0\x90\x80\x80", 4, 0x10000 },
		{ "\xf4\x8f\xbf\xbf", 4, 0x10ffff },
	};
	uint32_t cp;

	/* The NUL byte is a character like any other here. */
	ck_assert_int_eq(mmbuf_utf8_decode("", 1, &cp), 1);
	ck_assert_uint_eq(cp, 0);
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		size_t n = strlen(good[i].s);

		cp = 0xdeadbeef;
		ck_assert_int_eq(mmbuf_utf8_decode(good[i].s, n, &cp),
				 good[i].len);
		ck_assert_uint_eq(cp, good[i].cp);
	}
	/* Only the first sequence counts; cp may be NULL. */
	ck_assert_int_eq(mmbuf_utf8_decode("\xc3\xa9xyz", 5, NULL), 2);
}
END_TEST

START_TEST(test_utf8_invalid)
{
	static const char *const bad[] = {
		"\x80", "\xbf", "\x9b",                  /* continuation bytes */
		"\xc0\x80", "\xc1\xbf",                 /* overlong 2 */
		"\xe0\x80\x80", "\xe0\x9f\xbf",         /* overlong 3 */
		"\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf", /* overlong 4 */
		"\xed\xa0\x80", "\xed\xbf\xbf",         /* surrogates */
		"\xf4\x90\x80\x80", "\xf7\xbf\xbf\xbf", /* above U+10FFFF */
		"\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80", "\xfe", "\xff",
		"\xc3", "\xe2\x80", "\xf0\x90\x80",     /* cut short */
		"\xc3\x41", "\xe2\x28\xa1", "\xf0\x90\x28\xbc",
	};
	uint32_t cp = 7;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(mmbuf_utf8_decode(bad[i], strlen(bad[i]), &cp) ==
				      -EILSEQ, "bad[%zu] accepted", i);
	/* A valid sequence cut by n, and no bytes at all. */
	ck_assert_int_eq(mmbuf_utf8_decode("\xe2\x80\xae", 2, &cp), -EILSEQ);
	ck_assert_int_eq(mmbuf_utf8_decode("A", 0, &cp), -EILSEQ);
	ck_assert_int_eq(mmbuf_utf8_decode(NULL, 0, &cp), -EILSEQ);
	ck_assert_uint_eq(cp, 7);
}
END_TEST

Suite *mmbuf_format_suite(void);

Suite *mmbuf_format_suite(void)
{
	Suite *s = suite_create("format");
	TCase *tc;

	tc = tu_tcase(s, "decode", 30);
	tcase_add_test(tc, test_decode_fields);
	tcase_add_test(tc, test_decode_label_and_dtype_limits);
	tc = tu_tcase(s, "slot_choice", 30);
	tcase_add_test(tc, test_slot_choice);
	tc = tu_tcase(s, "slot_damage", 60);
	tcase_add_test(tc, test_damage_every_byte);
	tcase_add_test(tc, test_both_damaged);
	tc = tu_tcase(s, "ignored_bytes", 30);
	tcase_add_test(tc, test_page_tail_ignored);
	tcase_add_test(tc, test_reserved_ignored);
	tc = tu_tcase(s, "torn", 30);
	tcase_add_test(tc, test_torn);
	tc = tu_tcase(s, "parity", 30);
	tcase_add_test(tc, test_parity_and_slot_size);
	tc = tu_tcase(s, "version", 30);
	tcase_add_test(tc, test_version);
	tc = tu_tcase(s, "features", 30);
	tcase_add_test(tc, test_features);
	tc = tu_tcase(s, "truncated", 60);
	tcase_add_test(tc, test_truncated_header_every_offset);
	tcase_add_test(tc, test_truncated_data);
	tcase_add_test(tc, test_short_files);
	tc = tu_tcase(s, "fields", 30);
	tcase_add_loop_test(tc, test_fields_both_slots, 0, NFIELDS);
	tcase_add_loop_test(tc, test_fields_newest_slot, 0, NFIELDS);
	tc = tu_tcase(s, "dtype_parse", 30);
	tcase_add_test(tc, test_dtype_all_codes);
	tcase_add_test(tc, test_dtype_pipe);
	tcase_add_test(tc, test_dtype_invalid);
	tcase_add_test(tc, test_dtype_check);
	tc = tu_tcase(s, "utf8", 30);
	tcase_add_test(tc, test_utf8_valid);
	tcase_add_test(tc, test_utf8_invalid);
	return s;
}
