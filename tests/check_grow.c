/*
 * check_grow.c - buffers whose capacity changes: mmbuf_resize in both
 * directions, mmbuf_append and the reserve/commit pair with geometric
 * growth, and readers that follow a writer with mmbuf_refresh.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

static uint64_t blocks_bytes(const char *path)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	return (uint64_t)st.st_blocks * 512;
}

/* A buffer of cap bytes filled from seed, open for writing. */
static mmbuf *filled(const char *name, uint64_t cap, unsigned flags)
{
	mmbuf_create_opts o;
	mmbuf *b;

	tu_opts(&o, cap);
	o.flags = flags;
	b = tu_create(name, &o);
	tu_fill(mmbuf_data(b), (size_t)cap, 3);
	return b;
}

/* One assertion for the whole range: Check reports every assertion that
 * passes to its runner, which costs a system call each. */
static void assert_zeros(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i] == 0)
		i++;
	ck_assert_msg(i == n, "byte %zu is %#x, not 0", i, i < n ? p[i] : 0);
}

START_TEST(test_grow)
{
	const char *p = tu_path("g.mmbuf");
	mmbuf *b = filled("g.mmbuf", 10000, 0);
	const uint8_t *d;

	ck_assert_int_eq(mmbuf_resize(b, 3 * MIB + 5, 0), 0);
	ck_assert_uint_eq(mmbuf_capacity(b), 3 * MIB + 5);
	ck_assert_uint_eq(mmbuf_length(b), 10000);
	d = mmbuf_data(b);
	ck_assert_int_eq(tu_check_fill(d, 10000, 3), -1);
	assert_zeros(d + 10000, 3 * MIB + 5 - 10000);
	/* Stores reach the whole new region. */
	memset((uint8_t *)mmbuf_data(b) + 3 * MIB, 0x5A, 5);
	ck_assert_uint_eq(tu_file_size(p), 8192 + 3 * MIB + 5);
	/* Preallocated, as at creation. */
	ck_assert_uint_ge(blocks_bytes(p), 3 * MIB);
	ck_assert_int_eq(mmbuf_close(b), 0);

	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_capacity(b), 3 * MIB + 5);
	d = mmbuf_data(b);
	ck_assert_int_eq(tu_check_fill(d, 10000, 3), -1);
	ck_assert_uint_eq(d[3 * MIB + 4], 0x5A);
	mmbuf_close(b);
}
END_TEST

START_TEST(test_grow_sparse)
{
	const char *p = tu_path("s.mmbuf"), *q = tu_path("q.mmbuf");
	mmbuf *b;

	/* Asked for... */
	b = filled("s.mmbuf", 4096, 0);
	ck_assert_int_eq(mmbuf_resize(b, 64 * MIB, MMBUF_RESIZE_SPARSE), 0);
	ck_assert_uint_lt(blocks_bytes(p), 8 * MIB);
	ck_assert_int_eq(mmbuf_close(b), 0);
	/* ...or inherited from a sparse creation, across an open (a file
	 * with fewer blocks than bytes). */
	{
		mmbuf_create_opts o;

		tu_opts(&o, 1 * MIB);
		o.flags = MMBUF_CREATE_SPARSE;
		b = tu_create("q.mmbuf", &o);
		tu_fill(mmbuf_data(b), 4096, 3);
		ck_assert_int_eq(mmbuf_close(b), 0);
	}
	b = tu_open(q, MMBUF_RDWR);
	ck_assert_int_eq(mmbuf_resize(b, 64 * MIB, 0), 0);
	ck_assert_uint_lt(blocks_bytes(q), 8 * MIB);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

START_TEST(test_shrink)
{
	const char *p = tu_path("k.mmbuf");
	mmbuf *b = filled("k.mmbuf", MIB, 0), *r = NULL;

	ck_assert_int_eq(mmbuf_set_length(b, 5000, MMBUF_DURABLE_NONE), 0);
	ck_assert_err(mmbuf_resize(b, 4999, 0), MMBUF_ELENGTH);
	/* A reader has it open, in this process or another: busy. */
	r = tu_open(p, MMBUF_RDONLY);
	ck_assert_err(mmbuf_resize(b, 8192, 0), MMBUF_EBUSY);
	ck_assert_uint_eq(mmbuf_capacity(b), MIB);
	mmbuf_close(r);
	ck_assert_int_eq(mmbuf_resize(b, 8192, 0), 0);
	ck_assert_uint_eq(mmbuf_capacity(b), 8192);
	ck_assert_uint_eq(tu_file_size(p), 8192 + 8192);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), 8192, 3), -1);
	/* Down to the length exactly, and to nothing once empty. */
	ck_assert_int_eq(mmbuf_resize(b, 5000, 0), 0);
	ck_assert_int_eq(mmbuf_set_length(b, 0, MMBUF_DURABLE_NONE), 0);
	ck_assert_int_eq(mmbuf_resize(b, 0, 0), 0);
	ck_assert_ptr_null(mmbuf_data(b));
	ck_assert_int_eq(mmbuf_close(b), 0);
	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_capacity(b), 0);
	mmbuf_close(b);
}
END_TEST

START_TEST(test_shrink_busy_other_process)
{
	const char *p = tu_path("o.mmbuf");
	mmbuf *b = filled("o.mmbuf", MIB, 0);
	int fds[2], v;
	pid_t pid;

	ck_assert_int_eq(mmbuf_set_length(b, 100, MMBUF_DURABLE_NONE), 0);
	ck_assert_int_eq(pipe(fds), 0);
	pid = tu_fork();
	if (pid == 0) {
		mmbuf *r;

		close(fds[0]);
		if (mmbuf_open(p, MMBUF_RDONLY, &r) != 0)
			_exit(1);
		tu_send(fds[1], 1);
		pause();
		_exit(0);
	}
	close(fds[1]);
	ck_assert(tu_recv(fds[0], &v));
	ck_assert_err(mmbuf_resize(b, 4096, 0), MMBUF_EBUSY);
	kill(pid, SIGKILL);
	tu_wait(pid);
	close(fds[0]);
	ck_assert_int_eq(mmbuf_resize(b, 4096, 0), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

START_TEST(test_shrink_shape)
{
	mmbuf_create_opts o;
	mmbuf *b;

	tu_opts(&o, 64 * KIB);
	o.dtype = "<f8";
	o.ndim = 2;
	o.shape[0] = 1000;
	o.shape[1] = 2;
	o.length = 0;
	b = tu_create("sh.mmbuf", &o);
	ck_assert_err(mmbuf_resize(b, 15999, 0), MMBUF_ESHAPE);
	ck_assert_int_eq(mmbuf_resize(b, 16000, 0), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

START_TEST(test_resize_errors)
{
	const char *p = tu_path("e.mmbuf");
	mmbuf *b = filled("e.mmbuf", 4096, 0);

	ck_assert_err(mmbuf_resize(b, 8192, 0x80), -EINVAL);
	ck_assert_err(mmbuf_resize(NULL, 8192, 0), -EINVAL);
	ck_assert_int_eq(mmbuf_resize(b, 4096, 0), 0);
	ck_assert_err(mmbuf_resize(b, UINT64_MAX - 100, 0), -EFBIG);
	ck_assert_uint_eq(mmbuf_capacity(b), 4096);
	ck_assert_int_eq(mmbuf_close(b), 0);
	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_err(mmbuf_resize(b, 8192, 0), MMBUF_EREADONLY);
	mmbuf_close(b);
	ck_assert_uint_eq(tu_file_size(p), 8192 + 4096);
}
END_TEST

/* A sealed buffer with a block table: the table goes, the data grows over
 * where it was, and reads as zeros there. */
START_TEST(test_grow_over_table)
{
	const char *p = tu_path("t.mmbuf");
	mmbuf *b = filled("t.mmbuf", 3 * 4096, 0);
	mmbuf_info info;
	mmbuf_report *rep = NULL;

	ck_assert_int_eq(mmbuf_seal(b, 12, 0, 1, NULL, NULL), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_uint_gt(tu_file_size(p), 8192 + 3 * 4096);
	b = tu_open(p, MMBUF_RDWR);
	ck_assert_int_eq(mmbuf_resize(b, 64 * KIB, 0), 0);
	mmbuf_get_info(b, &info);
	ck_assert_uint_eq(info.ro_compat & MMBUF_RO_COMPAT_BLOCK_TABLE, 0);
	ck_assert_uint_eq(info.table_offset, 0);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), 3 * 4096, 3), -1);
	assert_zeros((const uint8_t *)mmbuf_data(b) + 3 * 4096,
		     64 * KIB - 3 * 4096);
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_uint_eq(tu_file_size(p), 8192 + 64 * KIB);
	ck_assert_int_eq(mmbuf_verify_path(p, 0, 1, NULL, NULL, &rep), 0);
	ck_assert_int_ne(rep->verdict, MMBUF_VERDICT_CORRUPT);
	mmbuf_report_free(rep);
}
END_TEST

START_TEST(test_append)
{
	const char *p = tu_path("a.mmbuf");
	mmbuf_create_opts o;
	uint8_t rec[100];
	uint64_t last_cap = 0;
	int grows = 0;
	mmbuf *b;

	tu_opts(&o, 0);
	o.length = 0;
	b = tu_create("a.mmbuf", &o);
	for (uint32_t k = 0; k < 20000; k++) {
		for (unsigned j = 0; j < sizeof rec; j++)
			rec[j] = (uint8_t)(k * 7 + j);
		ck_assert_int_eq(mmbuf_append(b, rec, sizeof rec,
					      MMBUF_DURABLE_NONE), 0);
		ck_assert_uint_eq(mmbuf_length(b), (k + 1) * sizeof rec);
		if (mmbuf_capacity(b) != last_cap) {
			grows++;
			/* Geometric: at least double, whole pages. */
			ck_assert(last_cap == 0 ||
				  mmbuf_capacity(b) >= 2 * last_cap);
			ck_assert_uint_eq(mmbuf_capacity(b) % 4096, 0);
			last_cap = mmbuf_capacity(b);
		}
	}
	/* 2 MB in 64 KiB doublings: 6 growths. */
	ck_assert_int_le(grows, 7);
	ck_assert_int_eq(mmbuf_append(b, NULL, 0, MMBUF_DURABLE_SYNC), 0);
	ck_assert_err(mmbuf_append(b, NULL, 1, MMBUF_DURABLE_NONE), -EINVAL);
	ck_assert_err(mmbuf_append(b, rec, 1, 9), -EINVAL);
	ck_assert_int_eq(mmbuf_close(b), 0);

	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_length(b), 20000 * sizeof rec);
	for (uint32_t k = 0; k < 20000; k += 997) {
		const uint8_t *d = (const uint8_t *)mmbuf_data(b) + k * sizeof rec;

		for (unsigned j = 0; j < sizeof rec; j++)
			ck_assert_uint_eq(d[j], (uint8_t)(k * 7 + j));
	}
	ck_assert_err(mmbuf_append(b, rec, 1, MMBUF_DURABLE_NONE),
		      MMBUF_EREADONLY);
	mmbuf_close(b);
}
END_TEST

START_TEST(test_growth_factor)
{
	mmbuf_create_opts o;
	mmbuf *b;
	void *ptr;

	tu_opts(&o, 1 * MIB);
	o.length = MMBUF_LENGTH_CAPACITY;
	b = tu_create("f.mmbuf", &o);
	ck_assert_err(mmbuf_set_growth(b, 1.0), -EINVAL);
	ck_assert_err(mmbuf_set_growth(b, 17.0), -EINVAL);
	ck_assert_err(mmbuf_set_growth(b, 0.0 / 0.0), -EINVAL);
	ck_assert_int_eq(mmbuf_set_growth(b, 1.5), 0);
	ck_assert_int_eq(mmbuf_reserve(b, 1, &ptr), 0);
	ck_assert_uint_eq(mmbuf_capacity(b), 3 * MIB / 2);
	ck_assert_ptr_eq(ptr, (uint8_t *)mmbuf_data(b) + MIB);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

START_TEST(test_reserve_commit)
{
	const char *p = tu_path("r.mmbuf");
	mmbuf_create_opts o;
	mmbuf *b, *r;
	void *ptr = NULL;

	tu_opts(&o, 4096);
	o.length = 0;
	b = tu_create("r.mmbuf", &o);
	r = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(mmbuf_reserve(b, 3000, &ptr), 0);
	ck_assert_ptr_eq(ptr, mmbuf_data(b));
	tu_fill(ptr, 3000, 9);
	/* Not committed: a reader does not see it. */
	ck_assert_int_eq(mmbuf_refresh(r, NULL), 0);
	ck_assert_uint_eq(mmbuf_length(r), 0);
	ck_assert_int_eq(mmbuf_commit_reserved(b, 3000, MMBUF_DURABLE_ASYNC), 0);
	ck_assert_uint_eq(mmbuf_length(b), 3000);
	ck_assert_int_eq(mmbuf_refresh(r, NULL), 0);
	ck_assert_uint_eq(mmbuf_length(r), 3000);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(r), 3000, 9), -1);
	ck_assert_err(mmbuf_commit_reserved(b, 2000, MMBUF_DURABLE_NONE),
		      MMBUF_ELENGTH);
	ck_assert_err(mmbuf_reserve(b, 10, NULL), -EINVAL);
	mmbuf_close(r);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

START_TEST(test_refresh)
{
	const char *p = tu_path("f.mmbuf");
	mmbuf_create_opts o;
	mmbuf *w, *r;
	uint8_t rec[4096];
	int changed = -1;

	tu_opts(&o, 8192);
	o.length = 0;
	o.label = "one";
	w = tu_create("f.mmbuf", &o);
	r = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(mmbuf_writer_active(r), 1);
	ck_assert_int_eq(mmbuf_refresh(r, &changed), 0);
	ck_assert_int_eq(changed, 0);
	/* The writer grows it well past the reader's mapping. */
	for (int k = 0; k < 300; k++) {
		memset(rec, k, sizeof rec);
		ck_assert_int_eq(mmbuf_append(w, rec, sizeof rec,
					      MMBUF_DURABLE_NONE), 0);
	}
	ck_assert_int_eq(mmbuf_set_label(w, "two", MMBUF_DURABLE_NONE), 0);
	ck_assert_uint_eq(mmbuf_length(r), 0);
	ck_assert_int_eq(mmbuf_refresh(r, &changed), 0);
	ck_assert_int_eq(changed, 1);
	ck_assert_uint_eq(mmbuf_length(r), 300 * sizeof rec);
	ck_assert_uint_eq(mmbuf_capacity(r), mmbuf_capacity(w));
	ck_assert_str_eq(mmbuf_label(r), "two");
	ck_assert_uint_eq(((const uint8_t *)mmbuf_data(r))[299 * 4096 + 7], 43);
	ck_assert_int_eq(mmbuf_refresh(r, &changed), 0);
	ck_assert_int_eq(changed, 0);
	/* The writer closes: the reader sees it gone. */
	ck_assert_int_eq(mmbuf_close(w), 0);
	ck_assert_int_eq(mmbuf_refresh(r, &changed), 0);
	ck_assert_int_eq(changed, 1);
	ck_assert_int_eq(mmbuf_writer_active(r), 0);
	ck_assert_uint_eq(mmbuf_state(r) & MMBUF_STATE_WRITER_OPEN, 0);
	mmbuf_close(r);
	/* Another buffer under the same name is not this one. */
	r = tu_open(p, MMBUF_RDONLY);
	tu_opts(&o, 8192);
	o.flags = MMBUF_CREATE_REPLACE;
	w = tu_create("f.mmbuf", &o);
	ck_assert_int_eq(mmbuf_close(w), 0);
	/* (r still reads the old, unlinked file: nothing changed there.) */
	ck_assert_int_eq(mmbuf_refresh(r, &changed), 0);
	ck_assert_int_eq(changed, 0);
	mmbuf_close(r);
}
END_TEST

/*
 * A reader refreshing as fast as it can while a writer in another process
 * commits as fast as it can: every refresh succeeds, and every length seen
 * is one the writer committed (they are multiples of 64), in order.
 */
START_TEST(test_refresh_never_torn)
{
	const char *p = tu_path("n.mmbuf");
	mmbuf_create_opts o;
	mmbuf *w, *r;
	uint64_t last = 0, changes = 0;
	int fds[2], v;
	pid_t pid;

	tu_opts(&o, 4 * MIB);
	o.length = 0;
	w = tu_create("n.mmbuf", &o);
	ck_assert_int_eq(mmbuf_close(w), 0);
	ck_assert_int_eq(pipe(fds), 0);
	pid = tu_fork();
	if (pid == 0) {
		close(fds[0]);
		if (mmbuf_open(p, MMBUF_RDWR, &w) != 0)
			_exit(1);
		tu_send(fds[1], 1);
		for (uint64_t len = 64; len <= 4 * MIB; len += 64)
			if (mmbuf_set_length(w, len, MMBUF_DURABLE_NONE) != 0)
				_exit(2);
		_exit(mmbuf_close(w) == 0 ? 0 : 3);
	}
	close(fds[1]);
	ck_assert(tu_recv(fds[0], &v));
	r = tu_open(p, MMBUF_RDONLY);
	for (;;) {
		int changed, status;
		pid_t done;

		ck_assert_int_eq(mmbuf_refresh(r, &changed), 0);
		ck_assert_uint_eq(mmbuf_length(r) % 64, 0);
		ck_assert_uint_ge(mmbuf_length(r), last);
		last = mmbuf_length(r);
		changes += (uint64_t)changed;
		done = waitpid(pid, &status, WNOHANG);
		if (done == pid) {
			ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
			break;
		}
	}
	ck_assert_int_eq(mmbuf_refresh(r, NULL), 0);
	ck_assert_uint_eq(mmbuf_length(r), 4 * MIB);
	ck_assert_uint_gt(changes, 1);
	mmbuf_close(r);
	close(fds[0]);
}
END_TEST

Suite *mmbuf_grow_suite(void);

Suite *mmbuf_grow_suite(void)
{
	Suite *s = suite_create("grow");
	TCase *tc;

	tc = tu_tcase(s, "resize", 60);
	tcase_add_test(tc, test_grow);
	tcase_add_test(tc, test_grow_sparse);
	tcase_add_test(tc, test_shrink);
	tcase_add_test(tc, test_shrink_busy_other_process);
	tcase_add_test(tc, test_shrink_shape);
	tcase_add_test(tc, test_resize_errors);
	tcase_add_test(tc, test_grow_over_table);
	tc = tu_tcase(s, "append", 60);
	tcase_add_test(tc, test_append);
	tcase_add_test(tc, test_growth_factor);
	tcase_add_test(tc, test_reserve_commit);
	tc = tu_tcase(s, "refresh", 120);
	tcase_add_test(tc, test_refresh);
	tcase_add_test(tc, test_refresh_never_torn);
	return s;
}
