/*
 * check_follow.c - following a growing buffer (format 1.1): buffers whose
 * first dimension grows with the length (GROWING), as writers keep it and
 * as a reader of format 1.0 sees it.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

/* A row of the growing buffers below: 3 little-endian doubles. */
#define ROW 24u

/* Create name as a growing buffer of rows of 3 "<f8", empty. */
static mmbuf *growing(const char *name, uint64_t capacity)
{
	mmbuf_create_opts o;

	tu_opts(&o, capacity);
	o.length = 0;
	o.dtype = "<f8";
	o.ndim = 2;
	o.shape[1] = 3;
	o.flags = MMBUF_CREATE_GROWING;
	return tu_create(name, &o);
}

/*
 * A reader of format 1.0 only, written from the 1.0 rules here (not from
 * the library): the intact slot with the higher generation, major 1, no
 * incompat bit, the 1.0 field rules that concern the shape; an unknown
 * ro_compat bit is ignored for reading.  Returns 0 and the slot's ndim,
 * shape and length, or -1 when a 1.0 reader would refuse the file.
 */
struct v10 {
	uint32_t ndim;
	uint64_t shape[8];
	uint64_t length, capacity, generation;
};

static bool v10_intact(const uint8_t *s, int index)
{
	return memcmp(s, MMBUF_MAGIC, 8) == 0 &&
	       tu_slot_crc(s) == tu_le32(s + TU_CRC) &&
	       tu_le64(s + TU_GENERATION) == tu_le64(s + TU_GENERATION_TAIL) &&
	       tu_le64(s + TU_GENERATION) % 2 == (uint64_t)index &&
	       tu_le32(s + TU_SLOT_SIZE) == 512;
}

static int v10_read(const char *path, struct v10 *r)
{
	uint8_t s[2][MMBUF_SLOT_SIZE];
	const uint8_t *c;
	uint64_t bytes;
	int ok[2], cur;

	for (int i = 0; i < 2; i++) {
		tu_slot_read(path, i, s[i]);
		ok[i] = v10_intact(s[i], i);
	}
	if (!ok[0] && !ok[1])
		return -1;
	if (ok[0] && ok[1])
		cur = tu_le64(s[1] + TU_GENERATION) >
		      tu_le64(s[0] + TU_GENERATION);
	else
		cur = ok[1];
	c = s[cur];
	if (tu_le16(c + TU_VERSION_MAJOR) != 1 ||
	    tu_le64(c + TU_INCOMPAT) != 0)
		return -1;
	memset(r, 0, sizeof *r);
	r->generation = tu_le64(c + TU_GENERATION);
	r->length = tu_le64(c + TU_LENGTH);
	r->capacity = tu_le64(c + TU_CAPACITY);
	r->ndim = tu_le32(c + TU_NDIM);
	if (r->ndim > 8 || r->length > r->capacity ||
	    memcmp(c + TU_DTYPE, "<f8", 4) != 0)
		return -1;
	bytes = 8;
	for (uint32_t i = 0; i < r->ndim; i++) {
		r->shape[i] = tu_le64(c + TU_SHAPE + 8 * i);
		if (__builtin_mul_overflow(bytes, r->shape[i], &bytes))
			return -1;
	}
	return bytes <= r->capacity ? 0 : -1;
}

/*
 * The rule of GROWING, checked three ways after a commit of b (a growing
 * buffer of rows of ROW bytes at path): the handle's shape, the slot the
 * commit wrote, and what a 1.0 reader sees.
 */
static void check_rows(mmbuf *b, const char *path)
{
	const uint64_t *dims;
	uint64_t rows = mmbuf_length(b) / ROW;
	struct v10 r;

	ck_assert_uint_eq(mmbuf_shape(b, &dims), 2);
	ck_assert_uint_eq(dims[0], rows);
	ck_assert_uint_eq(dims[1], 3);
	ck_assert_int_eq(mmbuf_growing(b), 1);
	ck_assert_int_eq(v10_read(path, &r), 0);
	ck_assert_uint_eq(r.generation, mmbuf_generation(b));
	ck_assert_uint_eq(r.ndim, 2);
	ck_assert_uint_eq(r.shape[0], rows);
	ck_assert_uint_eq(r.shape[1], 3);
	ck_assert_uint_eq(r.length, mmbuf_length(b));
}

START_TEST(test_growing_commits)
{
	const char *p = tu_path("g.mmbuf");
	mmbuf *b = growing("g.mmbuf", 0), *r;
	double row[3];
	uint8_t s[MMBUF_SLOT_SIZE];
	const uint64_t *dims;

	check_rows(b, p);
	tu_slot_read(p, tu_current_slot(p), s);
	ck_assert_uint_eq(tu_le64(s + TU_RO_COMPAT),
			  MMBUF_RO_COMPAT_LOCKING | MMBUF_RO_COMPAT_GROWING);
	ck_assert_uint_eq(tu_le16(s + TU_VERSION_MINOR), 1);
	/* Every append commits the rows it completes, across growths. */
	for (int i = 0; i < 3000; i++) {
		row[0] = i;
		row[1] = i * 0.5;
		row[2] = -i;
		ck_assert_int_eq(mmbuf_append(b, row, sizeof row,
					      MMBUF_DURABLE_NONE), 0);
		if (i % 97 == 0)
			check_rows(b, p);
	}
	check_rows(b, p);
	ck_assert_uint_eq(mmbuf_shape(b, &dims), 2);
	ck_assert_uint_eq(dims[0], 3000);
	/* A partial row is committed but not counted until it is whole. */
	ck_assert_int_eq(mmbuf_append(b, row, 10, MMBUF_DURABLE_NONE), 0);
	check_rows(b, p);
	ck_assert_uint_eq(dims[0], 3000);
	ck_assert_int_eq(mmbuf_append(b, row, 14, MMBUF_DURABLE_NONE), 0);
	check_rows(b, p);
	ck_assert_uint_eq(dims[0], 3001);
	/* A shorter length drops rows. */
	ck_assert_int_eq(mmbuf_set_length(b, 100 * ROW + 5, MMBUF_DURABLE_NONE),
			 0);
	check_rows(b, p);
	ck_assert_uint_eq(dims[0], 100);
	/* Commits of other fields keep it. */
	ck_assert_int_eq(mmbuf_set_label(b, "rows", MMBUF_DURABLE_NONE), 0);
	check_rows(b, p);
	ck_assert_int_eq(mmbuf_resize(b, 1 << 20, 0), 0);
	check_rows(b, p);
	ck_assert_int_eq(mmbuf_resize(b, 100 * ROW + 5, 0), 0);
	check_rows(b, p);
	ck_assert_err(mmbuf_resize(b, 100 * ROW, 0), MMBUF_ELENGTH);
	ck_assert_int_eq(mmbuf_seal(b, 0, 1, NULL, NULL), 0);
	check_rows(b, p);
	ck_assert_int_eq(mmbuf_close(b), 0);
	/* Both slots of a sealed close, and every open, keep it. */
	r = tu_open(p, MMBUF_RDONLY);
	check_rows(r, p);
	ck_assert_int_eq(mmbuf_close(r), 0);
	b = tu_open(p, MMBUF_RDWR);
	check_rows(b, p);
	ck_assert_int_eq(mmbuf_set_length(b, 0, MMBUF_DURABLE_NONE), 0);
	check_rows(b, p);
	ck_assert_uint_eq(mmbuf_shape(b, &dims), 2);
	ck_assert_uint_eq(dims[0], 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* A reader of the library follows the rows with mmbuf_refresh. */
START_TEST(test_growing_refresh)
{
	const char *p = tu_path("g.mmbuf");
	mmbuf *b = growing("g.mmbuf", 0), *r;
	double row[3] = { 1, 2, 3 };
	const uint64_t *dims;
	int changed;

	r = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(mmbuf_growing(r), 1);
	for (int i = 1; i <= 50; i++) {
		ck_assert_int_eq(mmbuf_append(b, row, sizeof row,
					      MMBUF_DURABLE_NONE), 0);
		ck_assert_int_eq(mmbuf_refresh(r, &changed), 0);
		ck_assert_int_eq(changed, 1);
		ck_assert_uint_eq(mmbuf_shape(r, &dims), 2);
		ck_assert_uint_eq(dims[0], (uint64_t)i);
		ck_assert_uint_eq(mmbuf_length(r), (uint64_t)i * ROW);
	}
	ck_assert_int_eq(mmbuf_close(r), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

START_TEST(test_growing_create)
{
	mmbuf_create_opts o;
	const uint64_t *dims;
	mmbuf *b = NULL;

	/* The default length, the capacity, makes whole rows of it. */
	tu_opts(&o, 1000);
	o.dtype = "<i4";
	o.ndim = 3;
	o.shape[1] = 2;
	o.shape[2] = 5;
	o.flags = MMBUF_CREATE_GROWING;
	b = tu_create("a.mmbuf", &o);
	ck_assert_uint_eq(mmbuf_shape(b, &dims), 3);
	ck_assert_uint_eq(dims[0], 25);
	ck_assert_uint_eq(dims[1], 2);
	ck_assert_uint_eq(dims[2], 5);
	ck_assert_int_eq(mmbuf_close(b), 0);
	/* One dimension: rows of one item. */
	tu_opts(&o, 100);
	o.length = 17;
	o.ndim = 1;
	o.flags = MMBUF_CREATE_GROWING;
	b = tu_create("b.mmbuf", &o);
	ck_assert_uint_eq(mmbuf_shape(b, &dims), 1);
	ck_assert_uint_eq(dims[0], 17);
	ck_assert_int_eq(mmbuf_close(b), 0);
	/* A plain buffer does not grow. */
	tu_opts(&o, 100);
	b = tu_create("c.mmbuf", &o);
	ck_assert_int_eq(mmbuf_growing(b), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

START_TEST(test_growing_create_errors)
{
	mmbuf_create_opts o;
	mmbuf *b = NULL;

	/* No dimension to grow. */
	tu_opts(&o, 100);
	o.flags = MMBUF_CREATE_GROWING;
	ck_assert_err(mmbuf_create(tu_path("x"), &o, &b), -EINVAL);
	/* shape[0] is the library's to set. */
	o.ndim = 2;
	o.shape[0] = 1;
	o.shape[1] = 3;
	ck_assert_err(mmbuf_create(tu_path("x"), &o, &b), -EINVAL);
	/* A row of no bytes. */
	o.shape[0] = 0;
	o.shape[1] = 0;
	ck_assert_err(mmbuf_create(tu_path("x"), &o, &b), -EINVAL);
	o.ndim = 3;
	o.shape[1] = 4;
	o.shape[2] = 0;
	ck_assert_err(mmbuf_create(tu_path("x"), &o, &b), -EINVAL);
	/* A row whose size overflows. */
	o.shape[2] = UINT64_MAX / 2;
	ck_assert_err(mmbuf_create(tu_path("x"), &o, &b), -EINVAL);
	ck_assert_ptr_null(b);
	ck_assert(!tu_exists(tu_path("x")));
}
END_TEST

/* A forged GROWING header (rows of 4 "<f8") of 100 rows and more. */
static void forged(tu_hdr *h)
{
	tu_hdr_init(h, 4096);
	h->ro_compat |= MMBUF_RO_COMPAT_GROWING;
	h->length = 100 * 32 + 31;
	h->shape[0] = 100;
	h->shape[1] = 4;
}

static int validate(const tu_hdr *h, mmbuf_info *info)
{
	uint8_t page[MMBUF_HEADER_SIZE];

	tu_encode_header(h, page);
	return mmbuf_validate_header(page, sizeof page, 8192 + 4096, info);
}

START_TEST(test_growing_validation)
{
	uint8_t page[MMBUF_HEADER_SIZE];
	mmbuf_info info;
	tu_hdr h;

	forged(&h);
	ck_assert_err(validate(&h, &info), 0);
	ck_assert_uint_eq(info.shape[0], 100);
	/* shape[0] must be the rows of the length, no more, no less. */
	forged(&h);
	h.shape[0] = 101;
	ck_assert_err(validate(&h, NULL), MMBUF_EINCONSISTENT);
	h.shape[0] = 99;
	ck_assert_err(validate(&h, NULL), MMBUF_EINCONSISTENT);
	/* Without the bit, that is any shape that fits. */
	h.ro_compat &= ~MMBUF_RO_COMPAT_GROWING;
	ck_assert_err(validate(&h, NULL), 0);
	/* No dimension, a row of 0 bytes, a row that overflows. */
	forged(&h);
	h.ndim = 0;
	memset(h.shape, 0, sizeof h.shape);
	ck_assert_err(validate(&h, NULL), MMBUF_EINCONSISTENT);
	forged(&h);
	h.shape[0] = 0;
	h.shape[1] = 0;
	ck_assert_err(validate(&h, NULL), MMBUF_EINCONSISTENT);
	forged(&h);
	h.ndim = 3;
	h.shape[0] = 0;
	h.shape[1] = UINT64_MAX / 4;
	h.shape[2] = 8;
	ck_assert_err(validate(&h, NULL), MMBUF_EINCONSISTENT);
	/* A slot that breaks the rule is damage: the other slot serves. */
	forged(&h);
	tu_encode_header(&h, page);
	tu_put64(page + TU_SHAPE, 7);
	tu_fix_crc(page);
	ck_assert_err(mmbuf_validate_header(page, sizeof page, 8192 + 4096,
					    &info), 0);
	ck_assert_int_eq(info.slot, 1);
	ck_assert_err(info.slot_status[0], MMBUF_EINCONSISTENT);
}
END_TEST

Suite *mmbuf_follow_suite(void);

Suite *mmbuf_follow_suite(void)
{
	Suite *s = suite_create("follow");
	TCase *tc;

	tc = tu_tcase(s, "growing", 60);
	tcase_add_test(tc, test_growing_commits);
	tcase_add_test(tc, test_growing_refresh);
	tcase_add_test(tc, test_growing_create);
	tcase_add_test(tc, test_growing_create_errors);
	tcase_add_test(tc, test_growing_validation);
	return s;
}
