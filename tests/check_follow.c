/*
 * check_follow.c - following a growing buffer (format 1.1): buffers whose
 * first dimension grows with the length (GROWING), as writers keep it and
 * as a reader of format 1.0 sees it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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
	ck_assert_int_eq(mmbuf_seal(b, 0, 0, 1, NULL, NULL), 0);
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

	/* By default a growing buffer starts with no rows, as in Python
	 * and mkbuf, whatever its capacity. */
	tu_opts(&o, 1000);
	o.dtype = "<i4";
	o.ndim = 3;
	o.shape[1] = 2;
	o.shape[2] = 5;
	o.flags = MMBUF_CREATE_GROWING;
	b = tu_create("z.mmbuf", &o);
	ck_assert_uint_eq(mmbuf_length(b), 0);
	ck_assert_uint_eq(mmbuf_shape(b, &dims), 3);
	ck_assert_uint_eq(dims[0], 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
	/* A length given makes whole rows of it. */
	o.length = 1000;
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

/* ---------------------------------------------------------------- */
/* Waiting for a commit                                              */

#define MS 1000000LL

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Write an int64 over a pipe (a child's report); read one. */
static void send64(int fd, int64_t v)
{
	if (write(fd, &v, sizeof v) != (ssize_t)sizeof v)
		_exit(90);
}

static int64_t recv64(int fd)
{
	int64_t v = 0;

	ck_assert_int_eq(read(fd, &v, sizeof v), (ssize_t)sizeof v);
	return v;
}

/* A child that opens path for writing, says so on fd, and sleeps until
 * it is killed. */
static pid_t holding_writer(const char *path)
{
	int fds[2], v;
	pid_t pid;

	ck_assert_int_eq(pipe(fds), 0);
	pid = tu_fork();
	if (pid == 0) {
		mmbuf *w = NULL;

		close(fds[0]);
		if (mmbuf_open(path, MMBUF_RDWR, &w) != 0)
			_exit(1);
		tu_send(fds[1], 1);
		for (;;)
			pause();
	}
	close(fds[1]);
	ck_assert(tu_recv(fds[0], &v));
	close(fds[0]);
	return pid;
}

/* A writer in another process commits: the reader wakes, every time. */
START_TEST(test_wait_wakes)
{
	const char *p = tu_path("w.mmbuf");
	mmbuf *b = growing("w.mmbuf", 0), *r;
	int changed = -1, go[2];
	pid_t pid;

	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_int_eq(pipe(go), 0);
	/* Forked before the parent opens anything, so that the child holds
	 * no handle of the parent's (valgrind would count it as lost). */
	pid = tu_fork();
	if (pid == 0) {
		double row[3] = { 0, 1, 2 };
		mmbuf *w = NULL;
		int v;

		close(go[1]);
		if (!tu_recv(go[0], &v))
			_exit(4);
		sleep_ms(50);
		if (mmbuf_open(p, MMBUF_RDWR, &w) != 0)
			_exit(1);
		for (int i = 0; i < 20; i++) {
			sleep_ms(20);
			row[0] = i;
			if (mmbuf_append(w, row, sizeof row,
					 MMBUF_DURABLE_NONE) != 0)
				_exit(2);
		}
		sleep_ms(20);
		_exit(mmbuf_close(w) == 0 ? 0 : 3);
	}
	close(go[0]);
	r = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(mmbuf_writer_active(r), 0);
	ck_assert(tu_send(go[1], 1));
	close(go[1]);
	/* With no writer yet, the open is the commit waited for. */
	ck_assert_err(mmbuf_wait(r, 10000 * MS, &changed), 0);
	ck_assert_int_eq(changed, 1);
	ck_assert_int_eq(mmbuf_writer_active(r), 1);
	/* Every commit is seen, whether or not the reader was waiting. */
	while (mmbuf_writer_active(r)) {
		uint64_t gen = mmbuf_generation(r);
		const uint64_t *dims;

		ck_assert_err(mmbuf_wait(r, 10000 * MS, &changed), 0);
		ck_assert_int_eq(changed, 1);
		ck_assert_uint_gt(mmbuf_generation(r), gen);
		mmbuf_shape(r, &dims);
		ck_assert_uint_eq(dims[0], mmbuf_length(r) / ROW);
	}
	ck_assert_uint_eq(mmbuf_length(r), 20 * ROW);
	ck_assert_int_eq(mmbuf_unclean(r), 0);
	ck_assert_int_eq(tu_wait(pid), 0);
	ck_assert_int_eq(mmbuf_close(r), 0);
}
END_TEST

START_TEST(test_wait_timeout)
{
	const char *p = tu_path("t.mmbuf");
	mmbuf *b = growing("t.mmbuf", 0), *r;
	int64_t t0, dt;
	int changed = -1;

	/* With the writer open (no commits) and without. */
	r = tu_open(p, MMBUF_RDONLY);
	for (int round = 0; round < 2; round++) {
		t0 = mono_ns();
		ck_assert_err(mmbuf_wait(r, 250 * MS, &changed), -ETIMEDOUT);
		dt = mono_ns() - t0;
		ck_assert_int_eq(changed, 0);
		ck_assert_msg(dt >= 250 * MS && dt < 250 * MS + 500 * MS,
			      "waited %lld ms", (long long)(dt / MS));
		t0 = mono_ns();
		ck_assert_err(mmbuf_wait(r, 0, &changed), -ETIMEDOUT);
		ck_assert_msg(mono_ns() - t0 < 500 * MS, "no wait for 0");
		if (round == 0) {
			ck_assert_int_eq(mmbuf_close(b), 0);
			ck_assert_err(mmbuf_wait(r, 0, &changed), 0);
			ck_assert_int_eq(changed, 1);
		}
	}
	ck_assert_err(mmbuf_wait(NULL, 0, NULL), -EINVAL);
	b = tu_open(p, MMBUF_RDWR);
	ck_assert_err(mmbuf_wait(b, 0, NULL), -EINVAL);
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_int_eq(mmbuf_close(r), 0);
}
END_TEST

/* A killed writer commits nothing: the waiter learns within a slice. */
START_TEST(test_wait_writer_killed)
{
	const char *p = tu_path("k.mmbuf");
	mmbuf *b = growing("k.mmbuf", 0), *r;
	int fds[2], status;
	pid_t writer, waiter;
	int64_t killed, woke;

	ck_assert_int_eq(mmbuf_close(b), 0);
	writer = holding_writer(p);
	ck_assert_int_eq(pipe(fds), 0);
	waiter = tu_fork();
	if (waiter == 0) {
		int changed = -1, err;

		close(fds[0]);
		if (mmbuf_open(p, MMBUF_RDONLY, &r) != 0 ||
		    !mmbuf_writer_active(r))
			_exit(1);
		send64(fds[1], 0);
		err = mmbuf_wait(r, 20000 * MS, &changed);
		send64(fds[1], mono_ns());
		err = err != 0 ? 2 : changed != 0 ? 3
				: mmbuf_writer_active(r) ? 4
				: !mmbuf_unclean(r) ? 5 : 0;
		mmbuf_close(r);
		_exit(err);
	}
	close(fds[1]);
	ck_assert_int_eq(recv64(fds[0]), 0);
	sleep_ms(300);
	killed = mono_ns();
	ck_assert_int_eq(kill(writer, SIGKILL), 0);
	status = tu_wait(writer);
	ck_assert(WIFSIGNALED(status));
	woke = recv64(fds[0]);
	close(fds[0]);
	ck_assert_int_eq(tu_wait(waiter), 0);
	ck_assert_msg(woke - killed < 1000 * MS, "saw the crash after %lld ms",
		      (long long)((woke - killed) / MS));
}
END_TEST

/* mmbuf_refresh sees a crash without a commit, and the next writer. */
START_TEST(test_refresh_sees_crash)
{
	const char *p = tu_path("c.mmbuf");
	mmbuf *b = growing("c.mmbuf", 0), *r, *w;
	int changed = -1;
	pid_t writer;

	ck_assert_int_eq(mmbuf_close(b), 0);
	writer = holding_writer(p);
	r = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(mmbuf_writer_active(r), 1);
	ck_assert_int_eq(mmbuf_unclean(r), 0);
	ck_assert_int_eq(mmbuf_refresh(r, &changed), 0);
	ck_assert_int_eq(changed, 0);
	ck_assert_int_eq(mmbuf_writer_active(r), 1);
	ck_assert_int_eq(kill(writer, SIGKILL), 0);
	tu_wait(writer);
	ck_assert_int_eq(mmbuf_refresh(r, &changed), 0);
	ck_assert_int_eq(changed, 0);
	ck_assert_int_eq(mmbuf_writer_active(r), 0);
	ck_assert_int_eq(mmbuf_unclean(r), 1);
	/* A new writer: at work, not unclean; then a clean close. */
	w = tu_open(p, MMBUF_RDWR);
	ck_assert_int_eq(mmbuf_refresh(r, &changed), 0);
	ck_assert_int_eq(changed, 1);
	ck_assert_int_eq(mmbuf_writer_active(r), 1);
	ck_assert_int_eq(mmbuf_unclean(r), 0);
	ck_assert_int_eq(mmbuf_close(w), 0);
	ck_assert_int_eq(mmbuf_refresh(r, &changed), 0);
	ck_assert_int_eq(changed, 1);
	ck_assert_int_eq(mmbuf_writer_active(r), 0);
	ck_assert_int_eq(mmbuf_unclean(r), 0);
	ck_assert_int_eq(mmbuf_close(r), 0);
}
END_TEST

/*
 * A writer that commits and dies at once: mmbuf_wait returns the commit,
 * taking the writer for present from the slot it wrote (it held the lock
 * to commit), and the next call returns the crash, at once; mmbuf_refresh
 * tests the lock and sees both in one call.  (The capacity holds the row:
 * a commit that grows it is read in full, the lock tested.)
 */
START_TEST(test_commit_then_kill)
{
	for (int use_wait = 0; use_wait < 2; use_wait++) {
		const char *p = tu_path("ck.mmbuf");
		mmbuf *b = growing("ck.mmbuf", 4096), *r;
		int changed = -1, up[2], go[2], v;
		int64_t t0;
		pid_t pid;

		ck_assert_int_eq(mmbuf_close(b), 0);
		ck_assert_int_eq(pipe(up), 0);
		ck_assert_int_eq(pipe(go), 0);
		pid = tu_fork();
		if (pid == 0) {
			double row[3] = { 1, 2, 3 };
			mmbuf *w = NULL;

			close(up[0]);
			close(go[1]);
			if (mmbuf_open(p, MMBUF_RDWR, &w) != 0)
				_exit(1);
			tu_send(up[1], 1);
			if (!tu_recv(go[0], &v) ||
			    mmbuf_append(w, row, sizeof row,
					 MMBUF_DURABLE_NONE) != 0)
				_exit(2);
			raise(SIGKILL);
			_exit(3);
		}
		close(up[1]);
		close(go[0]);
		ck_assert(tu_recv(up[0], &v));
		close(up[0]);
		r = tu_open(p, MMBUF_RDONLY);
		ck_assert_int_eq(mmbuf_writer_active(r), 1);
		ck_assert(tu_send(go[1], 1));
		close(go[1]);
		ck_assert(WIFSIGNALED(tu_wait(pid)));
		if (use_wait) {
			ck_assert_err(mmbuf_wait(r, 5000 * MS, &changed), 0);
			ck_assert_int_eq(changed, 1);
			ck_assert_uint_eq(mmbuf_length(r), ROW);
			ck_assert_int_eq(mmbuf_writer_active(r), 1);
			ck_assert_int_eq(mmbuf_unclean(r), 0);
			t0 = mono_ns();
			ck_assert_err(mmbuf_wait(r, 5000 * MS, &changed), 0);
			ck_assert_int_eq(changed, 0);
			ck_assert_msg(mono_ns() - t0 < 1000 * MS,
				      "the crash took %lld ms",
				      (long long)((mono_ns() - t0) / MS));
		} else {
			ck_assert_int_eq(mmbuf_refresh(r, &changed), 0);
			ck_assert_int_eq(changed, 1);
			ck_assert_uint_eq(mmbuf_length(r), ROW);
		}
		ck_assert_int_eq(mmbuf_writer_active(r), 0);
		ck_assert_int_eq(mmbuf_unclean(r), 1);
		ck_assert_int_eq(mmbuf_close(r), 0);
		unlink(p);
	}
}
END_TEST

/* A waiting process uses no CPU while nothing happens. */
START_TEST(test_wait_idle_cpu)
{
	const char *p = tu_path("i.mmbuf");
	mmbuf *b = growing("i.mmbuf", 0);
	int fds[2];
	pid_t pid, writer;
	int64_t used;

	ck_assert_int_eq(mmbuf_close(b), 0);
	writer = holding_writer(p);
	ck_assert_int_eq(pipe(fds), 0);
	pid = tu_fork();
	if (pid == 0) {
		struct rusage u0, u1;
		mmbuf *r = NULL;
		int err;

		close(fds[0]);
		if (mmbuf_open(p, MMBUF_RDONLY, &r) != 0)
			_exit(1);
		getrusage(RUSAGE_SELF, &u0);
		err = mmbuf_wait(r, 2000 * MS, NULL);
		getrusage(RUSAGE_SELF, &u1);
		mmbuf_close(r);
		send64(fds[1], ((int64_t)u1.ru_utime.tv_sec - u0.ru_utime.tv_sec +
				u1.ru_stime.tv_sec - u0.ru_stime.tv_sec) *
					       1000000 +
				       u1.ru_utime.tv_usec - u0.ru_utime.tv_usec +
				       u1.ru_stime.tv_usec - u0.ru_stime.tv_usec);
		_exit(err == -ETIMEDOUT ? 0 : 2);
	}
	close(fds[1]);
	used = recv64(fds[0]);
	close(fds[0]);
	ck_assert_int_eq(tu_wait(pid), 0);
	ck_assert_msg(used < 20000, "2 s of waiting took %lld us of CPU",
		      (long long)used);
	ck_assert_int_eq(kill(writer, SIGKILL), 0);
	tu_wait(writer);
}
END_TEST

/* Commit the current slot of path again as a writer of format 1.0 would:
 * the next generation, version 1.0, unknown compat bits (NOTIFY) clear,
 * nobody woken; with a new length (and shape[0] kept right). */
static void commit_as_v10(const char *path, uint64_t length)
{
	uint8_t s[MMBUF_SLOT_SIZE];
	int cur = tu_current_slot(path);
	uint64_t g;

	tu_slot_read(path, cur, s);
	g = tu_le64(s + TU_GENERATION);
	tu_put16(s + TU_VERSION_MINOR, 0);
	tu_put64(s + TU_COMPAT, tu_le64(s + TU_COMPAT) & ~MMBUF_COMPAT_NOTIFY);
	tu_put64(s + TU_LENGTH, length);
	tu_put64(s + TU_SHAPE, length / ROW);
	tu_set_generation(s, g + 1);
	tu_slot_write(path, 1 - cur, s);
}

/*
 * A commit that wakes nobody, as a 1.0 writer's, is seen within the slice
 * by a waiter blocked in the futex; the file then lacks NOTIFY, and is
 * followed by polling.
 */
START_TEST(test_wait_without_notify)
{
	const char *p = tu_path("n.mmbuf");
	mmbuf *b = growing("n.mmbuf", 4096), *r;
	mmbuf_info info;
	int changed = -1, go[2];
	pid_t pid;
	int64_t t0, dt;

	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_int_eq(pipe(go), 0);
	pid = tu_fork();
	if (pid == 0) {
		int v;

		close(go[1]);
		if (!tu_recv(go[0], &v))
			_exit(4);
		sleep_ms(300);
		commit_as_v10(p, 2 * ROW);
		sleep_ms(300);
		commit_as_v10(p, 3 * ROW);
		_exit(0);
	}
	close(go[0]);
	r = tu_open(p, MMBUF_RDONLY);
	mmbuf_get_info(r, &info);
	ck_assert_uint_eq(info.compat & MMBUF_COMPAT_NOTIFY,
			  MMBUF_COMPAT_NOTIFY);
	ck_assert(tu_send(go[1], 1));
	close(go[1]);
	for (uint64_t rows = 2; rows <= 3; rows++) {
		const uint64_t *dims;

		t0 = mono_ns();
		ck_assert_err(mmbuf_wait(r, 10000 * MS, &changed), 0);
		dt = mono_ns() - t0;
		ck_assert_int_eq(changed, 1);
		ck_assert_uint_eq(mmbuf_length(r), rows * ROW);
		mmbuf_shape(r, &dims);
		ck_assert_uint_eq(dims[0], rows);
		mmbuf_get_info(r, &info);
		ck_assert_uint_eq(info.compat & MMBUF_COMPAT_NOTIFY, 0);
		ck_assert_uint_eq(info.version_minor, 0);
		ck_assert_msg(dt < 300 * MS + 1000 * MS, "took %lld ms",
			      (long long)(dt / MS));
	}
	ck_assert_int_eq(tu_wait(pid), 0);
	ck_assert_int_eq(mmbuf_close(r), 0);
}
END_TEST

#ifdef __linux__
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>

/* The commands of the writer child of test_wakes_every_commit. */
enum { C_OPEN = 1, C_LENGTH, C_LABEL, C_APPEND, C_RESERVED, C_GROW, C_SHRINK,
       C_SEAL, C_CLOSE, C_REPAIR, C_QUIT };

static void commit_child(const char *path, int in, int out)
{
	double row[3] = { 1, 2, 3 };
	mmbuf *w = NULL;
	void *ptr;
	int cmd, err = 0, repaired;

	while (tu_recv(in, &cmd) && cmd != C_QUIT) {
		sleep_ms(100);  /* the parent is in FUTEX_WAIT by then */
		switch (cmd) {
		case C_OPEN:
			err = mmbuf_open(path, MMBUF_RDWR, &w);
			break;
		case C_LENGTH:
			err = mmbuf_set_length(w, ROW, MMBUF_DURABLE_NONE);
			break;
		case C_LABEL:
			err = mmbuf_set_label(w, "x", MMBUF_DURABLE_NONE);
			break;
		case C_APPEND:
			err = mmbuf_append(w, row, sizeof row,
					   MMBUF_DURABLE_NONE);
			break;
		case C_RESERVED:
			if ((err = mmbuf_reserve(w, ROW, &ptr)) == 0)
				err = mmbuf_commit_reserved(w, ROW,
							    MMBUF_DURABLE_NONE);
			break;
		case C_GROW:
			err = mmbuf_resize(w, 1 << 20, 0);
			break;
		case C_SHRINK:
			err = mmbuf_resize(w, 4096, 0);
			break;
		case C_SEAL:
			err = mmbuf_seal(w, 0, 0, 1, NULL, NULL);
			break;
		case C_CLOSE:
			err = mmbuf_close(w);
			w = NULL;
			break;
		case C_REPAIR:
			err = mmbuf_repair_path(path, 0, &repaired);
			if (err == 0 && repaired < 0)
				err = -1;
			break;
		}
		tu_send(out, err);
	}
	_exit(0);
}

/*
 * Each kind of commit wakes the waiters (mmbuf(5), "Waiting for a
 * commit"), seen by a waiter written here from the spec: FUTEX_WAIT on
 * the generation word of the slot the next commit writes, in a read-only
 * shared mapping, returns 0 (woken), not ETIMEDOUT.
 */
START_TEST(test_wakes_every_commit)
{
	static const int cmds[] = { C_OPEN, C_LENGTH, C_LABEL, C_APPEND,
				    C_RESERVED, C_GROW, C_SHRINK, C_SEAL,
				    C_CLOSE, C_REPAIR };
	const char *p = tu_path("e.mmbuf");
	mmbuf *b = growing("e.mmbuf", 4096);
	int to[2], from[2], reply;
	const uint8_t *map;
	pid_t pid;

	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_int_eq(pipe(to), 0);
	ck_assert_int_eq(pipe(from), 0);
	pid = tu_fork();
	if (pid == 0) {
		close(to[1]);
		close(from[0]);
		commit_child(p, to[0], from[1]);
	}
	close(to[0]);
	close(from[1]);
	{
		int fd = open(p, O_RDONLY);

		ck_assert_int_ge(fd, 0);
		map = mmap(NULL, MMBUF_HEADER_SIZE, PROT_READ, MAP_SHARED, fd,
			   0);
		ck_assert(map != MAP_FAILED);
		close(fd);
	}
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		struct timespec ts = { 5, 0 };
		uint8_t word[4];
		uint32_t v;
		long rc;
		int cur, tries = 0;

		if (cmds[i] == C_REPAIR) {
			/* Damage the slot the repair rewrites, not its word. */
			tu_flip(p, (uint64_t)(1 - tu_current_slot(p)) *
					   MMBUF_PAGE + TU_LABEL + 3);
		}
	again:
		cur = tu_current_slot(p);
		tu_pread(p, (uint64_t)(1 - cur) * MMBUF_PAGE + TU_GENERATION,
			 word, 4);
		memcpy(&v, word, 4);
		ck_assert(tu_send(to[1], cmds[i]));
		rc = syscall(SYS_futex, map + (1 - cur) * MMBUF_PAGE +
						TU_GENERATION,
			     FUTEX_WAIT, v, &ts, NULL, 0);
		ck_assert_msg(rc == 0 || errno == EAGAIN,
			      "command %d: FUTEX_WAIT: %s", cmds[i],
			      strerror(errno));
		ck_assert(tu_recv(from[0], &reply));
		ck_assert_msg(reply == 0, "command %d: %s", cmds[i],
			      mmbuf_strerror(reply));
		/* EAGAIN: the commit came before the wait, which proves
		 * nothing; the commands can all be repeated but the open, the
		 * close and the repair, whose repeats are other commits. */
		if (rc != 0 && cmds[i] != C_OPEN && cmds[i] != C_CLOSE &&
		    cmds[i] != C_REPAIR && ++tries < 5)
			goto again;
		ck_assert_msg(rc == 0, "command %d: the commit came first",
			      cmds[i]);
	}
	tu_send(to[1], C_QUIT);
	close(to[1]);
	close(from[0]);
	ck_assert_int_eq(tu_wait(pid), 0);
	munmap((void *)map, MMBUF_HEADER_SIZE);
}
END_TEST
#endif

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
	tc = tu_tcase(s, "wait", 60);
	tcase_add_test(tc, test_wait_wakes);
	tcase_add_test(tc, test_wait_timeout);
	tcase_add_test(tc, test_wait_writer_killed);
	tcase_add_test(tc, test_refresh_sees_crash);
	tcase_add_test(tc, test_commit_then_kill);
	tcase_add_test(tc, test_wait_idle_cpu);
	tcase_add_test(tc, test_wait_without_notify);
#ifdef __linux__
	tcase_add_test(tc, test_wakes_every_commit);
#endif
	return s;
}
