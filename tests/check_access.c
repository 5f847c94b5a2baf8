/*
 * check_access.c - the data region: mmbuf_sync, mmbuf_write, mmbuf_advise,
 * mmbuf_prefault, mmbuf_fill from many threads, and all of them on a
 * buffer of capacity 0.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

/* ---------------------------------------------------------------- */
/* sync, write, advise, prefault                                    */

#define RCAP (3 * 4096 + 123)

START_TEST(test_sync)
{
	mmbuf_create_opts o;
	mmbuf *b;

	tu_opts(&o, RCAP);
	b = tu_create("s.mmb", &o);
	tu_fill(mmbuf_data(b), RCAP, 4);
	for (int d = MMBUF_DURABLE_NONE; d <= MMBUF_DURABLE_SYNC; d++) {
		ck_assert_err(mmbuf_sync(b, 0, 0, d), 0);
		ck_assert_err(mmbuf_sync(b, 0, RCAP, d), 0);
		ck_assert_err(mmbuf_sync(b, 1, 100, d), 0); /* unaligned */
		ck_assert_err(mmbuf_sync(b, 4095, 2, d), 0); /* two pages */
		ck_assert_err(mmbuf_sync(b, RCAP - 1, 1, d), 0);
		ck_assert_err(mmbuf_sync(b, 5000, 0, d), 0); /* to the end */
	}
	ck_assert_err(mmbuf_sync(b, 0, RCAP + 1, MMBUF_DURABLE_SYNC), -EINVAL);
	ck_assert_err(mmbuf_sync(b, RCAP, 1, MMBUF_DURABLE_SYNC), -EINVAL);
	ck_assert_err(mmbuf_sync(b, RCAP + 1, 0, MMBUF_DURABLE_SYNC), -EINVAL);
	ck_assert_err(mmbuf_sync(b, 1, RCAP, MMBUF_DURABLE_SYNC), -EINVAL);
	ck_assert_err(mmbuf_sync(b, UINT64_MAX, 2, MMBUF_DURABLE_SYNC), -EINVAL);
	ck_assert_err(mmbuf_sync(b, 2, UINT64_MAX, MMBUF_DURABLE_SYNC), -EINVAL);
	ck_assert_err(mmbuf_sync(b, UINT64_MAX, 0, MMBUF_DURABLE_SYNC), -EINVAL);
	ck_assert_err(mmbuf_sync(b, 0, 0, 3), -EINVAL);
	ck_assert_err(mmbuf_sync(b, 0, 0, -1), -EINVAL);
	ck_assert_int_eq(mmbuf_close(b), 0);

	/* The synced data is in the file. */
	{
		uint8_t *d = malloc(RCAP);

		ck_assert_ptr_nonnull(d);
		tu_pread(tu_path("s.mmb"), 8192, d, RCAP);
		ck_assert_int_eq(tu_check_fill(d, RCAP, 4), -1);
		free(d);
	}
}
END_TEST

/* mmbuf_write: the bytes land in the region, seen by the mapping at once,
 * and persist; the length is not touched; ranges and modes are checked. */
START_TEST(test_write)
{
	mmbuf_create_opts o;
	uint8_t src[3 * 4096 + 100], back[sizeof src];
	mmbuf *b;

	tu_opts(&o, 5 * 4096);
	o.length = 0;
	b = tu_create("w.mmb", &o);
	tu_fill(src, sizeof src, 77);
	ck_assert_int_eq(mmbuf_write(b, 1000, src, sizeof src), 0);
	ck_assert_int_eq(memcmp((uint8_t *)mmbuf_data(b) + 1000, src,
				sizeof src), 0);
	ck_assert_uint_eq(mmbuf_length(b), 0);
	ck_assert_int_eq(mmbuf_write(b, 5 * 4096, src, 0), 0);
	ck_assert_err(mmbuf_write(b, 5 * 4096 - 10, src, 11), -EINVAL);
	ck_assert_err(mmbuf_write(b, 5 * 4096 + 1, src, 0), -EINVAL);
	ck_assert_err(mmbuf_write(b, UINT64_MAX, src, 2), -EINVAL);
	ck_assert_int_eq(mmbuf_set_length(b, 5 * 4096, MMBUF_DURABLE_SYNC), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);

	b = tu_open(tu_path("w.mmb"), MMBUF_RDONLY);
	ck_assert_int_eq(memcmp((uint8_t *)mmbuf_data(b) + 1000, src,
				sizeof src), 0);
	ck_assert_err(mmbuf_write(b, 0, src, 1), MMBUF_EREADONLY);
	ck_assert_int_eq(mmbuf_close(b), 0);
	/* Independently of the library: the bytes are in the file. */
	tu_pread(tu_path("w.mmb"), MMBUF_DATA_OFFSET_MIN + 1000, back,
		 sizeof back);
	ck_assert_int_eq(memcmp(back, src, sizeof src), 0);
}
END_TEST

START_TEST(test_advise)
{
	mmbuf_create_opts o;
	mmbuf *b;
	int rc;

	tu_opts(&o, RCAP);
	b = tu_create("a.mmb", &o);
	tu_fill(mmbuf_data(b), RCAP, 6);
	for (int a = MMBUF_ADVICE_NORMAL; a <= MMBUF_ADVICE_DONTNEED; a++) {
		ck_assert_err(mmbuf_advise(b, 0, 0, a), 0);
		ck_assert_err(mmbuf_advise(b, 100, 5000, a), 0);
		ck_assert_err(mmbuf_advise(b, RCAP - 1, 1, a), 0);
	}
	rc = mmbuf_advise(b, 0, 0, MMBUF_ADVICE_HUGEPAGE);
	ck_assert_msg(rc == 0 || rc == -EINVAL, "HUGEPAGE: %s",
		      mmbuf_err_name(rc));
	/* DONTNEED drops pages, not data. */
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), RCAP, 6), -1);

	ck_assert_err(mmbuf_advise(b, 0, 0, 6), -EINVAL);
	ck_assert_err(mmbuf_advise(b, 0, 0, -1), -EINVAL);
	ck_assert_err(mmbuf_advise(b, 0, RCAP + 1, MMBUF_ADVICE_NORMAL), -EINVAL);
	ck_assert_err(mmbuf_advise(b, RCAP, 1, MMBUF_ADVICE_NORMAL), -EINVAL);
	ck_assert_err(mmbuf_advise(b, RCAP + 1, 0, MMBUF_ADVICE_NORMAL), -EINVAL);
	ck_assert_err(mmbuf_advise(b, UINT64_MAX, 2, MMBUF_ADVICE_WILLNEED),
		      -EINVAL);
	ck_assert_err(mmbuf_advise(b, 2, UINT64_MAX, MMBUF_ADVICE_DONTNEED),
		      -EINVAL);
	ck_assert_int_eq(mmbuf_close(b), 0);

	/* Read-only handles take advice too. */
	b = tu_open(tu_path("a.mmb"), MMBUF_RDONLY);
	ck_assert_err(mmbuf_advise(b, 0, 0, MMBUF_ADVICE_SEQUENTIAL), 0);
	ck_assert_err(mmbuf_advise(b, 0, 0, MMBUF_ADVICE_DONTNEED), 0);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), RCAP, 6), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

START_TEST(test_prefault)
{
	mmbuf_create_opts o;
	mmbuf *b;

	tu_opts(&o, RCAP);
	b = tu_create("pf.mmb", &o);
	tu_fill(mmbuf_data(b), RCAP, 8);
	ck_assert_err(mmbuf_prefault(b, 0, 0), 0);
	ck_assert_err(mmbuf_prefault(b, 4096, 8192), 0);
	ck_assert_err(mmbuf_prefault(b, 1, 1), 0);
	ck_assert_err(mmbuf_prefault(b, RCAP - 1, 1), 0);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), RCAP, 8), -1);
	ck_assert_err(mmbuf_prefault(b, 0, RCAP + 1), -EINVAL);
	ck_assert_err(mmbuf_prefault(b, RCAP, 1), -EINVAL);
	ck_assert_err(mmbuf_prefault(b, RCAP + 1, 0), -EINVAL);
	ck_assert_err(mmbuf_prefault(b, UINT64_MAX, 2), -EINVAL);
	ck_assert_err(mmbuf_prefault(b, 2, UINT64_MAX), -EINVAL);
	ck_assert_int_eq(mmbuf_close(b), 0);

	b = tu_open(tu_path("pf.mmb"), MMBUF_RDONLY);
	ck_assert_err(mmbuf_prefault(b, 0, 0), 0);
	ck_assert_err(mmbuf_prefault(b, 5, 10000), 0);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), RCAP, 8), -1);
	ck_assert_err(mmbuf_prefault(b, 0, RCAP + 1), -EINVAL);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* mmbuf_prefault over a large sparse range: every page ends up resident
 * and the contents are untouched, for a writer and a reader. */
START_TEST(test_prefault_large)
{
	const uint64_t cap = 96 * MIB + 8192;
	const size_t pages = (size_t)(cap / 4096);
	mmbuf_create_opts o;
	unsigned char *vec = malloc(pages);
	uint8_t *d;
	mmbuf *b;

	ck_assert_ptr_nonnull(vec);
	tu_opts(&o, cap);
	o.flags = MMBUF_CREATE_SPARSE;
	b = tu_create("pfl.mmb", &o);
	d = mmbuf_data(b);
	ck_assert_int_eq(mincore(d, (size_t)cap, vec), 0);
	ck_assert_int_eq(vec[pages / 2] & 1, 0); /* a sparse file: a hole */
	memset(d + 50 * MIB, 0xab, 4096);
	ck_assert_err(mmbuf_prefault(b, 0, 0), 0);
	ck_assert_int_eq(mincore(d, (size_t)cap, vec), 0);
	for (size_t i = 0; i < pages; i++)
		ck_assert_msg(vec[i] & 1, "page %zu not resident", i);
	ck_assert(tu_all_zero(d, 50 * MIB));
	ck_assert_int_eq(d[50 * MIB + 4095], 0xab);
	ck_assert(tu_all_zero(d + 50 * MIB + 4096, cap - 50 * MIB - 4096));
	ck_assert_int_eq(mmbuf_close(b), 0);

	b = tu_open(tu_path("pfl.mmb"), MMBUF_RDONLY);
	ck_assert_err(mmbuf_prefault(b, 4097, 80 * MIB), 0);
	ck_assert_int_eq(((uint8_t *)mmbuf_data(b))[50 * MIB], 0xab);
	ck_assert_int_eq(mmbuf_close(b), 0);
	free(vec);
}
END_TEST

/* ---------------------------------------------------------------- */
/* mmbuf_fill                                                       */

/* The byte a fill test expects at a data offset. */
static uint8_t fill_byte(uint64_t off, uint8_t seed)
{
	return (uint8_t)((off * 2654435761u) >> 13) ^ seed;
}

/* What the fill producer saw, shared by its threads. */
struct fillrec {
	uint8_t seed;
	uint64_t bytes;         /* bytes handed out (atomic) */
	uint64_t calls;         /* calls (atomic) */
	int bad;                /* a piece broke a rule (atomic) */
	pid_t tids[64];         /* the distinct threads that called */
	int ntids;
	uint64_t fail_at;       /* return -ECANCELED for the piece holding
				 * this offset; UINT64_MAX: never */
	uint64_t after_fail;    /* calls that started after the failure */
	int failed;
	bool wait_fail;         /* the other pieces wait for the failure
				 * (at most 10 s) before they return */
};

static int fill_producer(void *dst, uint64_t offset, size_t len, void *arg)
{
	struct fillrec *r = arg;
	uint8_t *d = dst;
	pid_t me = gettid();
	bool known = false;

	if (__atomic_load_n(&r->failed, __ATOMIC_SEQ_CST))
		__atomic_fetch_add(&r->after_fail, 1, __ATOMIC_SEQ_CST);
	if (len == 0 || len > 256 * KIB)
		__atomic_store_n(&r->bad, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&r->calls, 1, __ATOMIC_SEQ_CST);
	/* Few threads, few calls: a lock-free list is not needed. */
	for (int i = 0; i < __atomic_load_n(&r->ntids, __ATOMIC_SEQ_CST); i++)
		known = known || r->tids[i] == me;
	if (!known) {
		int i = __atomic_fetch_add(&r->ntids, 1, __ATOMIC_SEQ_CST);

		if (i < 64)
			r->tids[i] = me;
	}
	if (r->fail_at >= offset && r->fail_at - offset < len) {
		__atomic_store_n(&r->failed, 1, __ATOMIC_SEQ_CST);
		return -ECANCELED;
	}
	for (size_t i = 0; i < len; i++)
		d[i] = fill_byte(offset + i, r->seed);
	for (int ms = 0; r->wait_fail && ms < 10000 &&
			 !__atomic_load_n(&r->failed, __ATOMIC_SEQ_CST); ms++)
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	__atomic_fetch_add(&r->bytes, len, __ATOMIC_SEQ_CST);
	return 0;
}

static void fillrec_init(struct fillrec *r, uint8_t seed)
{
	memset(r, 0, sizeof *r);
	r->seed = seed;
	r->fail_at = UINT64_MAX;
}

/* -1 if the n bytes at p hold the fill pattern of the data offsets
 * [base, base + n), else the index of the first wrong byte. */
static long check_fill_at(const uint8_t *p, uint64_t base, uint64_t n,
			  uint8_t seed)
{
	for (uint64_t i = 0; i < n; i++)
		if (p[i] != fill_byte(base + i, seed))
			return (long)i;
	return -1;
}

/* The same for the bytes [from, to) of a data region. */
static long check_fill_range(const uint8_t *data, uint64_t from, uint64_t to,
			     uint8_t seed)
{
	return check_fill_at(data + from, from, to - from, seed);
}

/* A large fill on several threads: every byte written once (the pieces
 * add up to the range, and every byte is right), in pieces of at most
 * 256 KiB, by two threads; the mapping sees the bytes, and they are in
 * the file after close. */
START_TEST(test_fill_threads)
{
	const uint64_t cap = 72 * MIB + 4096 + 17;
	mmbuf_create_opts o;
	struct fillrec r;
	uint8_t back[4096];
	mmbuf *b;

	tu_opts(&o, cap);
	o.flags = MMBUF_CREATE_SPARSE;
	b = tu_create("fill.mmb", &o);
	fillrec_init(&r, 0x5a);
	ck_assert_err(mmbuf_fill(b, 0, 0, 2, fill_producer, &r), 0);
	ck_assert_int_eq(r.bad, 0);
	ck_assert_uint_eq(r.bytes, cap);
	ck_assert_uint_ge(r.calls, (cap + 256 * KIB - 1) / (256 * KIB));
	ck_assert_int_eq(r.ntids, 2);
	ck_assert_int_eq(check_fill_range(mmbuf_data(b), 0, cap, 0x5a), -1);
	ck_assert_uint_eq(mmbuf_length(b), cap);
	ck_assert_int_eq(mmbuf_close(b), 0);
	/* Independently of the library: the last bytes are in the file. */
	tu_pread(tu_path("fill.mmb"), MMBUF_DATA_OFFSET_MIN + cap - sizeof back,
		 back, sizeof back);
	ck_assert_int_eq(check_fill_at(back, cap - sizeof back, sizeof back,
				       0x5a), -1);
}
END_TEST

/* A small range: the caller's thread alone, exactly the bytes asked for,
 * the rest untouched; one thread asked for on a large range. */
START_TEST(test_fill_range)
{
	const uint64_t cap = 40 * MIB;
	mmbuf_create_opts o;
	struct fillrec r;
	uint8_t *d;
	mmbuf *b;

	tu_opts(&o, cap);
	o.flags = MMBUF_CREATE_SPARSE;
	o.length = 0;
	b = tu_create("fillr.mmb", &o);
	d = mmbuf_data(b);
	fillrec_init(&r, 7);
	ck_assert_err(mmbuf_fill(b, 1000, 5000, 0, fill_producer, &r), 0);
	ck_assert_int_eq(r.bad, 0);
	ck_assert_uint_eq(r.calls, 1);
	ck_assert_int_eq(r.ntids, 1);
	ck_assert_int_eq(r.tids[0], gettid());
	ck_assert_int_eq(check_fill_range(d, 1000, 6000, 7), -1);
	ck_assert(tu_all_zero(d, 1000));
	ck_assert(tu_all_zero(d + 6000, 3 * 4096));
	ck_assert_uint_eq(mmbuf_length(b), 0);

	/* To the end, from an odd offset, on one thread: 40 MiB - 3 bytes
	 * in pieces of 256 KiB, over the first fill. */
	fillrec_init(&r, 9);
	ck_assert_err(mmbuf_fill(b, 3, 0, 1, fill_producer, &r), 0);
	ck_assert_int_eq(r.bad, 0);
	ck_assert_uint_eq(r.calls, 160);
	ck_assert_int_eq(r.ntids, 1);
	ck_assert_uint_eq(r.bytes, cap - 3);
	ck_assert(tu_all_zero(d, 3));
	ck_assert_int_eq(check_fill_range(d, 3, cap, 9), -1);

	/* An empty range at the end calls nothing. */
	fillrec_init(&r, 1);
	ck_assert_err(mmbuf_fill(b, cap, 0, 0, fill_producer, &r), 0);
	ck_assert_uint_eq(r.calls, 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* A failing producer stops the fill: its value comes back, and no piece
 * is started after it; a full disk is an error code. */
START_TEST(test_fill_error)
{
	const uint64_t cap = 80 * MIB;
	mmbuf_create_opts o;
	struct fillrec r;
	mmbuf *b;

	tu_opts(&o, cap);
	o.flags = MMBUF_CREATE_SPARSE;
	b = tu_create("fille.mmb", &o);

	fillrec_init(&r, 3);
	r.fail_at = 9 * MIB + 1;
	ck_assert_err(mmbuf_fill(b, 0, 0, 1, fill_producer, &r), -ECANCELED);
	ck_assert_uint_eq(r.calls, 37);
	ck_assert_uint_eq(r.after_fail, 0);
	ck_assert_uint_eq(r.bytes, 9 * MIB);
	ck_assert_int_eq(check_fill_range(mmbuf_data(b), 0, 9 * MIB, 3), -1);
	ck_assert(tu_all_zero((uint8_t *)mmbuf_data(b) + 9 * MIB, 4 * MIB));

	/* On two threads (slices of 40 MiB), a failure in the first piece
	 * of the first slice: its value comes back, nothing of that slice
	 * is written, and the other thread stops at its next piece (how
	 * far it got depends on timing). */
	fillrec_init(&r, 3);
	r.fail_at = 0;
	ck_assert_err(mmbuf_fill(b, 0, 0, 2, fill_producer, &r), -ECANCELED);
	ck_assert_uint_le(r.bytes, 40 * MIB);
	ck_assert_int_eq(check_fill_range(mmbuf_data(b), 0, 9 * MIB, 3), -1);
	ck_assert(tu_all_zero((uint8_t *)mmbuf_data(b) + 9 * MIB, 31 * MIB));

	/* The same, with the second thread's pieces held until the first
	 * has failed: at most one of them starts after the failure (one it
	 * may have begun before seeing it), where without the stop it would
	 * go through all ten. */
	fillrec_init(&r, 5);
	r.fail_at = 0;
	r.wait_fail = true;
	ck_assert_err(mmbuf_fill(b, 0, 0, 2, fill_producer, &r), -ECANCELED);
	ck_assert_uint_le(r.after_fail, 1);
	ck_assert_uint_le(r.bytes, 256 * KIB);

	/* Arguments. */
	ck_assert_err(mmbuf_fill(b, 0, 0, 0, NULL, &r), -EINVAL);
	ck_assert_err(mmbuf_fill(b, 0, cap + 1, 0, fill_producer, &r), -EINVAL);
	ck_assert_err(mmbuf_fill(b, cap + 1, 0, 0, fill_producer, &r), -EINVAL);
	ck_assert_err(mmbuf_fill(b, UINT64_MAX, 2, 0, fill_producer, &r),
		      -EINVAL);
	ck_assert_err(mmbuf_fill(b, 2, UINT64_MAX, 0, fill_producer, &r),
		      -EINVAL);
	ck_assert_int_eq(mmbuf_close(b), 0);

	b = tu_open(tu_path("fille.mmb"), MMBUF_RDONLY);
	fillrec_init(&r, 3);
	ck_assert_err(mmbuf_fill(b, 0, 0, 0, fill_producer, &r),
		      MMBUF_EREADONLY);
	ck_assert_uint_eq(r.calls, 0);
	ck_assert_int_eq(mmbuf_close(b), 0);

	tu_opts(&o, 0);
	b = tu_create("fillz.mmb", &o);
	fillrec_init(&r, 3);
	ck_assert_err(mmbuf_fill(b, 0, 0, 0, fill_producer, &r), 0);
	ck_assert_uint_eq(r.calls, 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Capacity 0                                                       */

START_TEST(test_capacity_zero)
{
	mmbuf_create_opts o;
	mmbuf *b;

	tu_opts(&o, 0);
	b = tu_create("z.mmb", &o);
	ck_assert_ptr_null(mmbuf_data(b));
	ck_assert_uint_eq(mmbuf_capacity(b), 0);
	ck_assert_uint_eq(mmbuf_length(b), 0);
	ck_assert_err(mmbuf_sync(b, 0, 0, MMBUF_DURABLE_SYNC), 0);
	ck_assert_err(mmbuf_advise(b, 0, 0, MMBUF_ADVICE_NORMAL), 0);
	ck_assert_err(mmbuf_prefault(b, 0, 0), 0);
	ck_assert_err(mmbuf_sync(b, 0, 1, MMBUF_DURABLE_SYNC), -EINVAL);
	ck_assert_err(mmbuf_set_length(b, 0, MMBUF_DURABLE_SYNC), 0);
	ck_assert_err(mmbuf_set_length(b, 1, MMBUF_DURABLE_SYNC), MMBUF_ELENGTH);
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_uint_eq(tu_file_size(tu_path("z.mmb")), 8192);
	b = tu_open(tu_path("z.mmb"), MMBUF_RDONLY);
	ck_assert_ptr_null(mmbuf_data(b));
	ck_assert_uint_eq(mmbuf_capacity(b), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

Suite *mmbuf_access_suite(void);

Suite *mmbuf_access_suite(void)
{
	Suite *s = suite_create("access");
	TCase *tc;

	tc = tu_tcase(s, "sync", 60);
	tcase_add_test(tc, test_sync);
	tcase_add_test(tc, test_write);
	tc = tu_tcase(s, "advise", 60);
	tcase_add_test(tc, test_advise);
	tc = tu_tcase(s, "prefault", 60);
	tcase_add_test(tc, test_prefault);
	tcase_add_test(tc, test_prefault_large);
	tc = tu_tcase(s, "fill", 120);
	tcase_add_test(tc, test_fill_threads);
	tcase_add_test(tc, test_fill_range);
	tcase_add_test(tc, test_fill_error);
	tc = tu_tcase(s, "capacity_zero", 60);
	tcase_add_test(tc, test_capacity_zero);
	return s;
}
