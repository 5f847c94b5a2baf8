/*
 * check_create.c - creating buffers: round trips of every dtype and shape,
 * the create options and their errors, and the bytes of a new file read
 * without the library, against mmbuf(5), with the data offset's alignment.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

/* What a buffer should say about itself. */
struct expect {
	uint64_t capacity, length;
	const char *dtype;
	uint32_t itemsize, ndim;
	uint64_t shape[MMBUF_MAX_DIMS];
	const char *label;
};

static void check_accessors(mmbuf *b, const struct expect *e)
{
	const uint64_t *dims = NULL;
	mmbuf_info info;

	ck_assert_uint_eq(mmbuf_capacity(b), e->capacity);
	ck_assert_uint_eq(mmbuf_length(b), e->length);
	ck_assert_str_eq(mmbuf_dtype(b), e->dtype);
	ck_assert_uint_eq(mmbuf_itemsize(b), e->itemsize);
	ck_assert_uint_eq(mmbuf_shape(b, &dims), e->ndim);
	for (uint32_t i = 0; i < e->ndim; i++)
		ck_assert_uint_eq(dims[i], e->shape[i]);
	ck_assert_str_eq(mmbuf_label(b), e->label);
	if (e->capacity == 0)
		ck_assert_ptr_null(mmbuf_data(b));
	else
		ck_assert_ptr_nonnull(mmbuf_data(b));

	/* mmbuf_get_info agrees with the accessors. */
	memset(&info, 0x55, sizeof info);
	mmbuf_get_info(b, &info);
	ck_assert_uint_eq(info.capacity, e->capacity);
	ck_assert_uint_eq(info.length, e->length);
	ck_assert_str_eq(info.dtype, e->dtype);
	ck_assert_uint_eq(info.itemsize, e->itemsize);
	ck_assert_uint_eq(info.ndim, e->ndim);
	for (uint32_t i = 0; i < MMBUF_MAX_DIMS; i++)
		ck_assert_uint_eq(info.shape[i], i < e->ndim ? e->shape[i] : 0);
	ck_assert_str_eq(info.label, e->label);
	ck_assert_mem_eq(info.uuid, mmbuf_uuid(b), 16);
	ck_assert_uint_eq(info.generation, mmbuf_generation(b));
	ck_assert_uint_eq(info.state, mmbuf_state(b));
	ck_assert_int_eq(info.slot, (int)(info.generation % 2));
	ck_assert_uint_eq(info.version_major, 1);
	ck_assert_uint_eq(info.data_offset, 8192);
	ck_assert_uint_eq(info.file_size, 8192 + e->capacity);
	ck_assert_uint_eq(info.ro_compat, MMBUF_RO_COMPAT_LOCKING);
}

static void check_uuid_v4(const uint8_t *u)
{
	ck_assert_msg(!tu_all_zero(u, 16), "uuid is zero");
	ck_assert_msg((u[6] & 0xf0) == 0x40, "uuid version %x", u[6] >> 4);
	ck_assert_msg((u[8] & 0xc0) == 0x80, "uuid variant %x", u[8] >> 6);
}

/* ---------------------------------------------------------------- */
/* Round trips                                                      */

/* Every code in both byte orders, with 1 to 8 dimensions. */
START_TEST(test_roundtrip_dtype)
{
	char want[8];
	const struct tu_dtype *dt = &tu_dtypes[_i / 2];
	char dtype[8], label[64];
	struct expect e;
	mmbuf_create_opts o;
	uint8_t uuid[16];
	uint64_t gen, product = 1;
	mmbuf *b;

	memset(&e, 0, sizeof e);
	snprintf(dtype, sizeof dtype, "%c%s", _i % 2 ? '>' : '<', dt->code);
	snprintf(label, sizeof label, "round trip %s \xe2\x9c\x93", dtype);
	e.ndim = 1 + (uint32_t)_i % 8;
	for (uint32_t k = 0; k < e.ndim; k++) {
		e.shape[k] = 1 + (k + (uint32_t)_i) % 3;
		product *= e.shape[k];
	}
	e.capacity = product * dt->itemsize + (uint64_t)(_i * 37 % 300);
	e.length = e.capacity;
	/* One-byte types are stored with '<' whatever order was asked. */
	snprintf(want, sizeof want, "%c%s",
		 dt->itemsize == 1 ? '<' : dtype[0], dt->code);
	e.dtype = want;
	e.itemsize = dt->itemsize;
	e.label = label;

	tu_opts(&o, e.capacity);
	o.dtype = dtype;
	o.ndim = e.ndim;
	memcpy(o.shape, e.shape, sizeof o.shape);
	o.label = label;
	b = tu_create("rt.mmb", &o);
	check_accessors(b, &e);
	ck_assert_int_eq(mmbuf_writable(b), 1);
	ck_assert_int_eq(mmbuf_unclean(b), 0);
	ck_assert_uint_ne(mmbuf_state(b) & MMBUF_STATE_WRITER_OPEN, 0);
	check_uuid_v4(mmbuf_uuid(b));
	memcpy(uuid, mmbuf_uuid(b), 16);
	gen = mmbuf_generation(b);
	ck_assert_msg(tu_all_zero(mmbuf_data(b), (size_t)e.capacity),
		      "new data is not zero");
	tu_fill(mmbuf_data(b), (size_t)e.capacity, (uint32_t)_i);
	ck_assert_int_eq(mmbuf_close(b), 0);

	/* Read-only: the same buffer, the data persisted. */
	b = tu_open(tu_path("rt.mmb"), MMBUF_RDONLY);
	check_accessors(b, &e);
	ck_assert_int_eq(mmbuf_writable(b), 0);
	ck_assert_int_eq(mmbuf_unclean(b), 0);
	ck_assert_int_eq(mmbuf_writer_active(b), 0);
	ck_assert_uint_eq(mmbuf_state(b) & MMBUF_STATE_WRITER_OPEN, 0);
	ck_assert_mem_eq(mmbuf_uuid(b), uuid, 16);
	ck_assert_uint_gt(mmbuf_generation(b), gen);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), (size_t)e.capacity,
				       (uint32_t)_i),
			 -1);
	gen = mmbuf_generation(b);
	ck_assert_int_eq(mmbuf_close(b), 0);

	/* Read-write. */
	b = tu_open(tu_path("rt.mmb"), MMBUF_RDWR);
	check_accessors(b, &e);
	ck_assert_int_eq(mmbuf_writable(b), 1);
	ck_assert_mem_eq(mmbuf_uuid(b), uuid, 16);
	ck_assert_uint_gt(mmbuf_generation(b), gen);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), (size_t)e.capacity,
				       (uint32_t)_i),
			 -1);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* ndim 0 to 8, with product(shape) * itemsize exactly the capacity. */
START_TEST(test_roundtrip_ndim)
{
	struct expect e;
	mmbuf_create_opts o;
	mmbuf *b;

	memset(&e, 0, sizeof e);
	e.ndim = (uint32_t)_i;
	e.capacity = 4;
	for (uint32_t k = 0; k < e.ndim; k++) {
		e.shape[k] = k + 2;
		e.capacity *= e.shape[k];
	}
	if (e.ndim == 0)
		e.capacity = 4096;
	e.length = e.capacity;
	e.dtype = "<i4";
	e.itemsize = 4;
	e.label = "";

	tu_opts(&o, e.capacity);
	o.dtype = "i4";
	o.ndim = e.ndim;
	memcpy(o.shape, e.shape, sizeof o.shape);
	b = tu_create("nd.mmb", &o);
	check_accessors(b, &e);
	tu_fill(mmbuf_data(b), (size_t)e.capacity, 99);
	ck_assert_int_eq(mmbuf_close(b), 0);
	b = tu_open(tu_path("nd.mmb"), MMBUF_RDONLY);
	check_accessors(b, &e);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), (size_t)e.capacity, 99),
			 -1);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

START_TEST(test_uuid_distinct)
{
	mmbuf_create_opts o;
	mmbuf *a, *b;

	tu_opts(&o, 100);
	a = tu_create("a.mmb", &o);
	b = tu_create("b.mmb", &o);
	ck_assert_mem_ne(mmbuf_uuid(a), mmbuf_uuid(b), 16);
	ck_assert_int_eq(mmbuf_close(a), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Create options                                                   */

START_TEST(test_create_defaults)
{
	mmbuf_create_opts o;
	mmbuf *b;
	const uint64_t *dims;

	memset(&o, 0xa5, sizeof o);
	mmbuf_create_opts_init(&o);
	ck_assert_uint_eq(o.capacity, 0);
	ck_assert_uint_eq(o.length, MMBUF_LENGTH_CAPACITY);
	ck_assert_ptr_null(o.dtype);
	ck_assert_uint_eq(o.ndim, 0);
	for (int i = 0; i < MMBUF_MAX_DIMS; i++)
		ck_assert_uint_eq(o.shape[i], 0);
	ck_assert_ptr_null(o.label);
	ck_assert_uint_eq(o.align, 0);
	ck_assert_uint_eq(o.flags, 0);
	ck_assert_uint_eq(o.mode, 0);

	o.capacity = 1000;
	b = tu_create("d.mmb", &o);
	ck_assert_str_eq(mmbuf_dtype(b), "<u1");
	ck_assert_uint_eq(mmbuf_itemsize(b), 1);
	ck_assert_uint_eq(mmbuf_shape(b, &dims), 0);
	ck_assert_str_eq(mmbuf_label(b), "");
	ck_assert_uint_eq(mmbuf_length(b), 1000);
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_uint_eq(tu_file_size(tu_path("d.mmb")), 8192 + 1000);

	/* An explicit initial length. */
	o.length = 10;
	o.flags = MMBUF_CREATE_REPLACE;
	b = tu_create("d.mmb", &o);
	ck_assert_uint_eq(mmbuf_length(b), 10);
	ck_assert_int_eq(mmbuf_close(b), 0);
	b = tu_open(tu_path("d.mmb"), MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_length(b), 10);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* reserved[] is 0 from mmbuf_create_opts_init() and in what the library
 * fills in; mmbuf_create() refuses options with a reserved field set. */
START_TEST(test_reserved_fields)
{
	const char *p = tu_path("r.mmb");
	uint8_t hdr[MMBUF_HEADER_SIZE];
	mmbuf_create_opts o;
	mmbuf_info info;
	mmbuf *b;

	memset(&o, 0xa5, sizeof o);
	mmbuf_create_opts_init(&o);
	for (size_t i = 0; i < sizeof o.reserved / sizeof o.reserved[0]; i++)
		ck_assert_uint_eq(o.reserved[i], 0);
	o.capacity = 100;
	for (size_t i = 0; i < sizeof o.reserved / sizeof o.reserved[0]; i++) {
		o.reserved[i] = 1;
		ck_assert_err(mmbuf_create(p, &o, &b), -EINVAL);
		ck_assert_ptr_null(b);
		ck_assert(!tu_exists(p));
		o.reserved[i] = 0;
	}
	b = tu_create("r.mmb", &o);
	memset(&info, 0xa5, sizeof info);
	mmbuf_get_info(b, &info);
	for (size_t i = 0; i < sizeof info.reserved / sizeof info.reserved[0];
	     i++)
		ck_assert_uint_eq(info.reserved[i], 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
	tu_pread(p, 0, hdr, sizeof hdr);
	memset(&info, 0xa5, sizeof info);
	ck_assert_int_eq(mmbuf_validate_header(hdr, sizeof hdr,
					       tu_file_size(p), &info), 0);
	for (size_t i = 0; i < sizeof info.reserved / sizeof info.reserved[0];
	     i++)
		ck_assert_uint_eq(info.reserved[i], 0);
}
END_TEST

/* Type strings are normalised on input ('|', '=', bare codes). */
START_TEST(test_create_dtype_forms)
{
	static const struct {
		const char *in, *out;
	} forms[] = {
		{"|u1", "<u1"}, {"|b1", "<b1"}, {"f8", "<f8"}, {"c16", "<c16"},
		{"=f4", __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "<f4" : ">f4"},
		{">u2", ">u2"},
	};

	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		mmbuf_create_opts o;
		mmbuf *b;

		tu_opts(&o, 64);
		o.dtype = forms[i].in;
		o.flags = MMBUF_CREATE_REPLACE;
		b = tu_create("f.mmb", &o);
		ck_assert_str_eq(mmbuf_dtype(b), forms[i].out);
		ck_assert_int_eq(mmbuf_close(b), 0);
		b = tu_open(tu_path("f.mmb"), MMBUF_RDONLY);
		ck_assert_str_eq(mmbuf_dtype(b), forms[i].out);
		ck_assert_int_eq(mmbuf_close(b), 0);
	}
}
END_TEST

/* Mode 0 is the default (0666) unless MMBUF_CREATE_MODE says it is given. */
START_TEST(test_create_mode)
{
	static const struct {
		mode_t mode;
		unsigned flags;
		mode_t want;
	} modes[] = {{0600, 0, 0600}, {0, 0, 0644}, {0777, 0, 0755},
		     {0640, 0, 0640}, {0, MMBUF_CREATE_MODE, 0},
		     {0640, MMBUF_CREATE_MODE, 0640},
		     {0777, MMBUF_CREATE_MODE, 0755}};

	umask(022);
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		mmbuf_create_opts o;
		struct stat st;

		tu_opts(&o, 10);
		o.mode = modes[i].mode;
		o.flags = MMBUF_CREATE_REPLACE | modes[i].flags;
		ck_assert_int_eq(mmbuf_close(tu_create("m.mmb", &o)), 0);
		ck_assert_int_eq(stat(tu_path("m.mmb"), &st), 0);
		ck_assert_msg((st.st_mode & 07777) == modes[i].want,
			      "mode %o, flags %#x: file has %o, want %o",
			      modes[i].mode, modes[i].flags, st.st_mode & 07777,
			      modes[i].want);
	}
	ck_assert_int_eq(tu_dir_entries(tu_dir), 1);
}
END_TEST

/* Preallocated by default, sparse on request; zeros either way. */
START_TEST(test_create_sparse)
{
	const uint64_t cap = 16 * MIB;
	mmbuf_create_opts o;
	struct stat st;
	mmbuf *b;

	tu_opts(&o, cap);
	b = tu_create("full.mmb", &o);
	ck_assert(tu_all_zero(mmbuf_data(b), cap));
	ck_assert_int_eq(stat(tu_path("full.mmb"), &st), 0);
	ck_assert_msg((uint64_t)st.st_blocks * 512 >= cap,
		      "not preallocated: %lld blocks", (long long)st.st_blocks);
	ck_assert_int_eq(mmbuf_close(b), 0);

	o.flags = MMBUF_CREATE_SPARSE;
	b = tu_create("sparse.mmb", &o);
	ck_assert_int_eq(stat(tu_path("sparse.mmb"), &st), 0);
	ck_assert_msg((uint64_t)st.st_blocks * 512 < cap / 2,
		      "not sparse: %lld blocks", (long long)st.st_blocks);
	ck_assert(tu_all_zero(mmbuf_data(b), cap));
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_uint_eq(tu_file_size(tu_path("sparse.mmb")), 8192 + cap);
}
END_TEST

START_TEST(test_create_arg_errors)
{
	char l256[257];
	mmbuf_create_opts o;
	mmbuf *b;
	static const char *const bad_labels[] = {
		"\xff", "caf\xc3", "\xc0\x80", "\xed\xb2\x80", "\xf5\x80\x80\x80",
	};

	memset(l256, 'a', 256);
	l256[256] = '\0';
#define REFUSE(want)                                                   \
	do {                                                           \
		b = (mmbuf *)&o;                                           \
		ck_assert_err(mmbuf_create(tu_path("e.mmb"), &o, &b), want); \
		ck_assert_ptr_null(b);                                     \
		ck_assert(!tu_exists(tu_path("e.mmb")));                   \
		tu_opts(&o, 4096);                                         \
	} while (0)

	tu_opts(&o, 4096);
	o.dtype = "<f3";
	REFUSE(MMBUF_EDTYPE);
	o.dtype = "";
	REFUSE(MMBUF_EDTYPE);
	o.dtype = "|f8"; /* '|' only for one-byte types */
	REFUSE(MMBUF_EDTYPE);
	o.ndim = 9;
	REFUSE(MMBUF_ESHAPE);
	o.ndim = 1;
	o.shape[0] = 4097; /* 4097 bytes of u1 in 4096 */
	REFUSE(MMBUF_ESHAPE);
	o.dtype = "<f8";
	o.ndim = 2;
	o.shape[0] = 32;
	o.shape[1] = 17; /* 32*17*8 = 4352 > 4096 */
	REFUSE(MMBUF_ESHAPE);
	o.ndim = 2;
	o.shape[0] = 1ull << 32;
	o.shape[1] = 1ull << 32; /* overflows */
	REFUSE(MMBUF_ESHAPE);
	o.dtype = "<c16";
	o.ndim = 1;
	o.shape[0] = 1ull << 60; /* times 16 overflows */
	REFUSE(MMBUF_ESHAPE);
	o.label = l256;
	REFUSE(MMBUF_ELABEL);
	for (size_t i = 0; i < sizeof bad_labels / sizeof bad_labels[0]; i++) {
		o.label = bad_labels[i];
		REFUSE(MMBUF_ELABEL);
	}
	o.length = 4097;
	REFUSE(MMBUF_ELENGTH);
	o.length = UINT64_MAX - 1;
	REFUSE(MMBUF_ELENGTH);
	o.align = 3;
	REFUSE(MMBUF_EALIGN);
	o.align = 4 * MIB;
	REFUSE(MMBUF_EALIGN);
#undef REFUSE

	/* The limits themselves are fine. */
	{
		char l255[256];

		memset(l255, 'a', 255);
		l255[255] = '\0';
		tu_opts(&o, 4096);
		o.label = l255;
		o.dtype = "<f8";
		o.ndim = 2;
		o.shape[0] = 16;
		o.shape[1] = 32; /* exactly 4096 bytes */
		o.length = 4096;
		b = tu_create("limits.mmb", &o);
		ck_assert_str_eq(mmbuf_label(b), l255);
		ck_assert_int_eq(mmbuf_close(b), 0);
	}
}
END_TEST

/* ---------------------------------------------------------------- */
/* The bytes of the file, read without the library                  */

/* What every slot written by this implementation must hold. */
static void check_slot_bytes(const uint8_t *s, int index, mmbuf *b,
			     const mmbuf_create_opts *o, uint32_t state)
{
	char dtype[8] = {0};
	uint8_t label[256] = {0};
	int64_t now = (int64_t)time(NULL) * 1000000000;
	int64_t ctime_ns = (int64_t)tu_le64(s + TU_CTIME);
	int64_t mtime_ns = (int64_t)tu_le64(s + TU_MTIME);

	ck_assert_mem_eq(s, "\x8d\x4d\x4d\x42\x0d\x0a\x1a\x0a", 8);
	ck_assert_uint_eq(tu_le32(s + TU_CRC), (uint32_t)tu_slot_crc(s));
	ck_assert_uint_eq(tu_le64(s + TU_GENERATION),
			  tu_le64(s + TU_GENERATION_TAIL));
	ck_assert_int_eq((int)(tu_le64(s + TU_GENERATION) % 2), index);
	ck_assert_uint_eq(tu_le16(s + TU_VERSION_MAJOR), 1);
	ck_assert_uint_eq(tu_le16(s + TU_VERSION_MINOR), 1);
	ck_assert_uint_eq(tu_le32(s + TU_SLOT_SIZE), 512);
	ck_assert_uint_eq(tu_le64(s + TU_COMPAT), MMBUF_COMPAT_NOTIFY);
	ck_assert_uint_eq(tu_le64(s + TU_RO_COMPAT), MMBUF_RO_COMPAT_LOCKING);
	ck_assert_uint_eq(tu_le64(s + TU_INCOMPAT), 0);
	ck_assert_mem_eq(s + TU_UUID, mmbuf_uuid(b), 16);
	check_uuid_v4(s + TU_UUID);
	ck_assert_msg(ctime_ns > now - INT64_C(600000000000) &&
			      ctime_ns < now + INT64_C(600000000000),
		      "ctime %lld is not now (%lld)", (long long)ctime_ns,
		      (long long)now);
	ck_assert_msg(mtime_ns >= ctime_ns, "mtime before ctime");
	ck_assert_uint_eq(tu_le64(s + TU_DATA_OFFSET), 8192);
	ck_assert_uint_eq(tu_le64(s + TU_CAPACITY), o->capacity);
	ck_assert_uint_eq(tu_le64(s + TU_LENGTH), mmbuf_length(b));
	ck_assert_uint_eq(tu_le64(s + TU_FILE_SIZE), 8192 + o->capacity);
	ck_assert_uint_eq(tu_le32(s + TU_STATE), state);
	ck_assert_uint_eq(tu_le32(s + TU_WRITER_PID), (uint32_t)getpid());
	strcpy(dtype, mmbuf_dtype(b));
	ck_assert_mem_eq(s + TU_DTYPE, dtype, 8);
	ck_assert_uint_eq(tu_le32(s + TU_NDIM), o->ndim);
	ck_assert_uint_eq(tu_le32(s + TU_BLOCK_SHIFT), 0);
	for (int i = 0; i < 8; i++)
		ck_assert_uint_eq(tu_le64(s + TU_SHAPE + 8 * i),
				  (uint32_t)i < o->ndim ? o->shape[i] : 0);
	ck_assert_uint_eq(tu_le64(s + TU_DATA_CHECKSUM), 0);
	ck_assert_uint_eq(tu_le64(s + TU_CHECKSUM_GENERATION), 0);
	ck_assert_uint_eq(tu_le64(s + TU_TABLE_OFFSET), 0);
	ck_assert_uint_eq(tu_le64(s + TU_TABLE_SIZE), 0);
	ck_assert(tu_all_zero(s + TU_RESERVED1, 8));
	memcpy(label, mmbuf_label(b), strlen(mmbuf_label(b)));
	ck_assert_mem_eq(s + TU_LABEL, label, 256);
	ck_assert(tu_all_zero(s + TU_RESERVED2, 4));
}

START_TEST(test_spec_bytes)
{
	const char *p = tu_path("spec.mmb");
	mmbuf_create_opts o;
	uint8_t *f, *s0, *s1;
	size_t n;
	mmbuf *b;

	tu_opts(&o, 10000);
	o.length = 1234;
	o.dtype = ">i2";
	o.ndim = 2;
	o.shape[0] = 100;
	o.shape[1] = 50;
	o.label = "spec \xe2\x9c\x93";
	b = tu_create("spec.mmb", &o);

	/* While the creating writer has it open. */
	f = tu_read_file(p, &n);
	ck_assert_uint_eq(n, 8192 + 10000);
	s0 = f;
	s1 = f + 4096;
	ck_assert_mem_eq(f, MMBUF_MAGIC, 8);
	ck_assert_mem_eq(f + 4096, MMBUF_MAGIC, 8);
	check_slot_bytes(s0, 0, b, &o, MMBUF_STATE_WRITER_OPEN);
	check_slot_bytes(s1, 1, b, &o, MMBUF_STATE_WRITER_OPEN);
	ck_assert_mem_eq(s0 + TU_DTYPE, ">i2\0\0\0\0\0", 8);
	ck_assert_str_eq((const char *)s0 + TU_LABEL, "spec \xe2\x9c\x93");
	/* Creation: gen 1 in slot 1, gen 2 in slot 0, otherwise the same. */
	ck_assert_uint_eq(tu_le64(s0 + TU_GENERATION), 2);
	ck_assert_uint_eq(tu_le64(s1 + TU_GENERATION), 1);
	ck_assert_mem_eq(s0 + 16, s1 + 16, TU_GENERATION_TAIL - 16);
	/* The rest of each header page is zero, and so is the new data. */
	ck_assert(tu_all_zero(f + 512, 4096 - 512));
	ck_assert(tu_all_zero(f + 4096 + 512, 4096 - 512));
	ck_assert(tu_all_zero(f + 8192, 10000));
	/* The library agrees with our reading. */
	{
		mmbuf_info info;

		ck_assert_int_eq(mmbuf_validate_header(f, n, n, &info), 0);
		ck_assert_uint_eq(info.generation, 2);
		ck_assert_int_eq(info.slot, 0);
		ck_assert_uint_eq(info.length, 1234);
		ck_assert_str_eq(info.dtype, ">i2");
	}
	free(f);

	/* Stores through the mapping are the file's bytes. */
	((uint8_t *)mmbuf_data(b))[0] = 0xab;
	((uint8_t *)mmbuf_data(b))[9999] = 0xcd;
	f = tu_read_file(p, &n);
	ck_assert_uint_eq(f[8192], 0xab);
	ck_assert_uint_eq(f[8192 + 9999], 0xcd);
	free(f);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* After a clean close: gen 3 in slot 1, clean; slot 0 untouched. */
START_TEST(test_spec_after_close)
{
	const char *p = tu_path("spec.mmb");
	mmbuf_create_opts o;
	uint8_t *before, *after;
	size_t n;
	mmbuf *b;

	tu_opts(&o, 5000);
	o.dtype = "<c8";
	o.ndim = 1;
	o.shape[0] = 625;
	b = tu_create("spec.mmb", &o);
	before = tu_read_file(p, &n);
	ck_assert_int_eq(mmbuf_close(b), 0);
	after = tu_read_file(p, &n);
	ck_assert_uint_eq(n, 8192 + 5000);
	ck_assert_mem_eq(after, before, 4096); /* slot 0 (gen 2) untouched */
	ck_assert_uint_eq(tu_le64(after + 4096 + TU_GENERATION), 3);
	ck_assert_uint_eq(tu_le64(after + 4096 + TU_GENERATION_TAIL), 3);
	ck_assert_uint_eq(tu_le32(after + 4096 + TU_CRC),
			  tu_slot_crc(after + 4096));
	ck_assert_uint_eq(tu_le32(after + 4096 + TU_STATE), 0);
	ck_assert_mem_eq(after + 4096 + TU_UUID, before + TU_UUID, 16);
	ck_assert_mem_eq(after + 4096 + TU_DATA_OFFSET,
			 before + TU_DATA_OFFSET, TU_STATE - TU_DATA_OFFSET);
	ck_assert_mem_eq(after + 4096 + TU_DTYPE, "<c8\0\0\0\0\0", 8);
	ck_assert(tu_all_zero(after + 4096 + 512, 4096 - 512));
	free(before);
	free(after);
}
END_TEST

START_TEST(test_align)
{
	static const struct {
		uint64_t align, offset;
	} ok[] = {
		{0, 8192}, {1, 8192}, {2, 8192}, {4096, 8192}, {8192, 8192},
		{16384, 16384}, {65536, 65536}, {2 * MIB, 2 * MIB},
	};
	static const uint64_t bad[] = {
		3, 6, 4097, 12288, 4 * MIB, 1ull << 40, 1ull << 63, UINT64_MAX,
	};
	const char *p = tu_path("al.mmb");

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		mmbuf_create_opts o;
		mmbuf_info info;
		mmbuf *b;
		uint8_t s[MMBUF_SLOT_SIZE];

		tu_opts(&o, 5000);
		o.align = ok[i].align;
		o.flags = MMBUF_CREATE_REPLACE;
		b = tu_create("al.mmb", &o);
		mmbuf_get_info(b, &info);
		ck_assert_uint_eq(info.data_offset, ok[i].offset);
		tu_fill(mmbuf_data(b), 5000, 12);
		ck_assert_int_eq(mmbuf_close(b), 0);
		ck_assert_uint_eq(tu_file_size(p), ok[i].offset + 5000);
		tu_slot_read(p, 1, s);
		ck_assert_uint_eq(tu_le64(s + TU_DATA_OFFSET), ok[i].offset);
		ck_assert_uint_eq(tu_le64(s + TU_FILE_SIZE), ok[i].offset + 5000);
		{
			size_t n;
			uint8_t *f = tu_read_file(p, &n);

			/* Padding between the header pages and the data. */
			ck_assert(tu_all_zero(f + 8192, ok[i].offset - 8192));
			ck_assert_int_eq(tu_check_fill(f + ok[i].offset, 5000, 12),
					 -1);
			free(f);
		}
		b = tu_open(p, MMBUF_RDONLY);
		ck_assert_int_eq(tu_check_fill(mmbuf_data(b), 5000, 12), -1);
		ck_assert_int_eq(mmbuf_close(b), 0);
	}
	ck_assert_int_eq(unlink(p), 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		mmbuf_create_opts o;
		mmbuf *b = (mmbuf *)&o;

		tu_opts(&o, 5000);
		o.align = bad[i];
		ck_assert_err(mmbuf_create(p, &o, &b), MMBUF_EALIGN);
		ck_assert_ptr_null(b);
		ck_assert_int_eq(tu_dir_entries(tu_dir), 0);
	}
}
END_TEST

Suite *mmbuf_create_suite(void);

Suite *mmbuf_create_suite(void)
{
	Suite *s = suite_create("create");
	TCase *tc;

	tc = tu_tcase(s, "roundtrip", 60);
	tcase_add_loop_test(tc, test_roundtrip_dtype, 0, (int)(2 * tu_ndtypes));
	tcase_add_loop_test(tc, test_roundtrip_ndim, 0, MMBUF_MAX_DIMS + 1);
	tcase_add_test(tc, test_uuid_distinct);
	tc = tu_tcase(s, "create_opts", 60);
	tcase_add_test(tc, test_create_defaults);
	tcase_add_test(tc, test_reserved_fields);
	tcase_add_test(tc, test_create_dtype_forms);
	tcase_add_test(tc, test_create_mode);
	tcase_add_test(tc, test_create_sparse);
	tc = tu_tcase(s, "create_errors", 60);
	tcase_add_test(tc, test_create_arg_errors);
	tc = tu_tcase(s, "spec_bytes", 60);
	tcase_add_test(tc, test_spec_bytes);
	tcase_add_test(tc, test_spec_after_close);
	tc = tu_tcase(s, "align", 60);
	tcase_add_test(tc, test_align);
	return s;
}
