/*
 * check_commit.c - what a writer leaves in the file and what others see:
 * persistence (across processes too), the generation each commit adds,
 * the length and the label, the slot a commit writes, a commit into a
 * truncated file, the last generation, and ro_compat LOCKING.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xxhash.h>

#include "testutil.h"

/* ---------------------------------------------------------------- */
/* Persistence                                                      */

START_TEST(test_persist_reopen)
{
	const uint64_t cap = 300 * KIB + 5;
	mmbuf *b;
	uint8_t *d;

	tu_create_closed("p.mmb", cap, 1);
	b = tu_open(tu_path("p.mmb"), MMBUF_RDWR);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), cap, 1), -1);
	d = mmbuf_data(b);
	d[0] = 0xaa;
	d[cap - 1] = 0xbb;
	d[cap / 2] = 0xcc;
	ck_assert_int_eq(mmbuf_close(b), 0);

	/* Through plain read(), not the library. */
	{
		uint8_t c;

		tu_pread(tu_path("p.mmb"), 8192, &c, 1);
		ck_assert_uint_eq(c, 0xaa);
		tu_pread(tu_path("p.mmb"), 8192 + cap - 1, &c, 1);
		ck_assert_uint_eq(c, 0xbb);
		tu_pread(tu_path("p.mmb"), 8192 + cap / 2, &c, 1);
		ck_assert_uint_eq(c, 0xcc);
	}
	b = tu_open(tu_path("p.mmb"), MMBUF_RDONLY);
	{
		uint8_t *want = malloc(cap);

		ck_assert_ptr_nonnull(want);
		tu_fill(want, cap, 1);
		want[0] = 0xaa;
		want[cap - 1] = 0xbb;
		want[cap / 2] = 0xcc;
		ck_assert_msg(memcmp(mmbuf_data(b), want, cap) == 0,
			      "data changed across close and reopen");
		free(want);
	}
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* A child process creates and writes, then exits; the parent reads. */
START_TEST(test_persist_child_process)
{
	const uint64_t cap = 100000;
	pid_t pid;
	int status;
	mmbuf *b;

	pid = tu_fork();
	if (pid == 0) {
		mmbuf_create_opts o;
		mmbuf *c = NULL;

		mmbuf_create_opts_init(&o);
		o.capacity = cap;
		o.dtype = "<u2";
		o.label = "made by a child";
		if (mmbuf_create(tu_path("c.mmb"), &o, &c) != 0)
			_exit(1);
		tu_fill(mmbuf_data(c), cap, 77);
		if (mmbuf_set_length(c, 50000, MMBUF_DURABLE_SYNC) != 0)
			_exit(2);
		_exit(mmbuf_close(c) == 0 ? 0 : 3);
	}
	status = tu_wait(pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child failed: status %#x", status);

	b = tu_open(tu_path("c.mmb"), MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_capacity(b), cap);
	ck_assert_uint_eq(mmbuf_length(b), 50000);
	ck_assert_str_eq(mmbuf_dtype(b), "<u2");
	ck_assert_str_eq(mmbuf_label(b), "made by a child");
	ck_assert_int_eq(mmbuf_unclean(b), 0);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), 50000, 77), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* Writes through a writer's mapping are seen at once by a reader in
 * another process. */
START_TEST(test_live_visibility)
{
	int up[2], down[2], v;
	pid_t pid;
	mmbuf *b;

	ck_assert_int_eq(pipe(up), 0);
	ck_assert_int_eq(pipe(down), 0);
	pid = tu_fork();
	if (pid == 0) {
		mmbuf_create_opts o;
		mmbuf *c = NULL;

		close(up[0]);
		close(down[1]);
		mmbuf_create_opts_init(&o);
		o.capacity = 8192;
		if (mmbuf_create(tu_path("v.mmb"), &o, &c) != 0)
			_exit(1);
		tu_send(up[1], 1);
		if (!tu_recv(down[0], &v))
			_exit(2);
		tu_fill(mmbuf_data(c), 8192, 5); /* no sync */
		tu_send(up[1], 2);
		if (!tu_recv(down[0], &v))
			_exit(3);
		_exit(mmbuf_close(c) == 0 ? 0 : 4);
	}
	close(up[1]);
	close(down[0]);
	ck_assert(tu_recv(up[0], &v) && v == 1);
	b = tu_open(tu_path("v.mmb"), MMBUF_RDONLY);
	ck_assert_int_eq(mmbuf_writer_active(b), 1);
	ck_assert(tu_all_zero(mmbuf_data(b), 8192));
	ck_assert(tu_send(down[1], 1));
	ck_assert(tu_recv(up[0], &v) && v == 2);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), 8192, 5), -1);
	ck_assert(tu_send(down[1], 2));
	v = tu_wait(pid);
	ck_assert_msg(WIFEXITED(v) && WEXITSTATUS(v) == 0, "child: %#x", v);
	ck_assert_int_eq(mmbuf_close(b), 0);
	close(up[0]);
	close(down[1]);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Commits                                                          */

/* Each commit adds one to the generation (mmbuf(5), commit protocol). */
START_TEST(test_generation)
{
	mmbuf_create_opts o;
	mmbuf *b;

	tu_opts(&o, 4096);
	b = tu_create("g.mmb", &o);
	/* Creation writes gen 1 into slot 1 and gen 2 into slot 0. */
	ck_assert_uint_eq(mmbuf_generation(b), 2);
	ck_assert_int_eq(mmbuf_set_length(b, 10, MMBUF_DURABLE_SYNC), 0);
	ck_assert_uint_eq(mmbuf_generation(b), 3);
	ck_assert_int_eq(mmbuf_set_label(b, "g", MMBUF_DURABLE_NONE), 0);
	ck_assert_uint_eq(mmbuf_generation(b), 4);
	ck_assert_int_eq(mmbuf_close(b), 0); /* commits the clean state */

	b = tu_open(tu_path("g.mmb"), MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_generation(b), 5);
	ck_assert_int_eq(mmbuf_close(b), 0);
	/* A reader commits nothing. */
	b = tu_open(tu_path("g.mmb"), MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_generation(b), 5);
	ck_assert_int_eq(mmbuf_close(b), 0);
	/* A writer commits "writer open" at open and the clean state at close. */
	b = tu_open(tu_path("g.mmb"), MMBUF_RDWR);
	ck_assert_uint_eq(mmbuf_generation(b), 6);
	ck_assert_int_eq(mmbuf_close(b), 0);
	b = tu_open(tu_path("g.mmb"), MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_generation(b), 7);
	ck_assert_int_eq(tu_current_slot(tu_path("g.mmb")), 1);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

START_TEST(test_set_length)
{
	const uint64_t cap = 10000;
	mmbuf_create_opts o;
	uint64_t gen;
	mmbuf *b;

	tu_opts(&o, cap);
	b = tu_create("l.mmb", &o);
	for (int d = MMBUF_DURABLE_NONE; d <= MMBUF_DURABLE_SYNC; d++) {
		uint64_t len = 1000 * (uint64_t)(d + 1);

		ck_assert_int_eq(mmbuf_set_length(b, len, d), 0);
		ck_assert_uint_eq(mmbuf_length(b), len);
	}
	ck_assert_int_eq(mmbuf_set_length(b, cap, MMBUF_DURABLE_SYNC), 0);
	ck_assert_uint_eq(mmbuf_length(b), cap);
	ck_assert_int_eq(mmbuf_set_length(b, 0, MMBUF_DURABLE_ASYNC), 0);
	ck_assert_uint_eq(mmbuf_length(b), 0);
	ck_assert_int_eq(mmbuf_set_length(b, 4321, MMBUF_DURABLE_SYNC), 0);

	/* Refusals change nothing. */
	gen = mmbuf_generation(b);
	ck_assert_err(mmbuf_set_length(b, cap + 1, MMBUF_DURABLE_SYNC),
		      MMBUF_ELENGTH);
	ck_assert_err(mmbuf_set_length(b, UINT64_MAX, MMBUF_DURABLE_SYNC),
		      MMBUF_ELENGTH);
	ck_assert_err(mmbuf_set_length(b, 5, 3), -EINVAL);
	ck_assert_err(mmbuf_set_length(b, 5, -1), -EINVAL);
	ck_assert_uint_eq(mmbuf_length(b), 4321);
	ck_assert_uint_eq(mmbuf_generation(b), gen);
	ck_assert_int_eq(mmbuf_close(b), 0);

	b = tu_open(tu_path("l.mmb"), MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_length(b), 4321);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* MMBUF_DURABLE_NONE survives a process crash (the page cache). */
START_TEST(test_length_survives_crash)
{
	int up[2], v, status;
	pid_t pid;
	mmbuf *b;

	ck_assert_int_eq(pipe(up), 0);
	pid = tu_fork();
	if (pid == 0) {
		mmbuf_create_opts o;
		mmbuf *c = NULL;

		close(up[0]);
		mmbuf_create_opts_init(&o);
		o.capacity = 8192;
		o.length = 0;
		if (mmbuf_create(tu_path("k.mmb"), &o, &c) != 0)
			_exit(1);
		tu_fill(mmbuf_data(c), 4000, 9);
		if (mmbuf_set_length(c, 4000, MMBUF_DURABLE_NONE) != 0 ||
		    mmbuf_set_label(c, "before the crash",
				    MMBUF_DURABLE_NONE) != 0)
			_exit(2);
		tu_send(up[1], 1);
		for (;;)
			pause();
	}
	close(up[1]);
	ck_assert(tu_recv(up[0], &v) && v == 1);
	kill(pid, SIGKILL);
	status = tu_wait(pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(up[0]);

	b = tu_open(tu_path("k.mmb"), MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_length(b), 4000);
	ck_assert_str_eq(mmbuf_label(b), "before the crash");
	ck_assert_int_eq(mmbuf_unclean(b), 1);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), 4000, 9), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

START_TEST(test_set_label)
{
	static const char *const labels[] = {
		"", "plain", "\xce\xb1\xce\xb2\xce\xb3 \xf0\x9f\x98\x80",
	};
	char l255[256], l256[257];
	mmbuf_create_opts o;
	uint64_t gen;
	mmbuf *b;

	memset(l255, 'q', 255);
	l255[255] = '\0';
	memset(l256, 'q', 256);
	l256[256] = '\0';

	tu_opts(&o, 100);
	o.label = "first";
	b = tu_create("lab.mmb", &o);
	ck_assert_str_eq(mmbuf_label(b), "first");
	for (int d = MMBUF_DURABLE_NONE; d <= MMBUF_DURABLE_SYNC; d++) {
		ck_assert_int_eq(mmbuf_set_label(b, labels[d], d), 0);
		ck_assert_str_eq(mmbuf_label(b), labels[d]);
	}
	ck_assert_int_eq(mmbuf_set_label(b, l255, MMBUF_DURABLE_SYNC), 0);
	ck_assert_str_eq(mmbuf_label(b), l255);

	gen = mmbuf_generation(b);
	ck_assert_err(mmbuf_set_label(b, l256, MMBUF_DURABLE_SYNC), MMBUF_ELABEL);
	ck_assert_err(mmbuf_set_label(b, "bad \xff", MMBUF_DURABLE_SYNC),
		      MMBUF_ELABEL);
	ck_assert_err(mmbuf_set_label(b, "\xc0\xaf", MMBUF_DURABLE_SYNC),
		      MMBUF_ELABEL);
	ck_assert_err(mmbuf_set_label(b, "ok", 7), -EINVAL);
	ck_assert_str_eq(mmbuf_label(b), l255);
	ck_assert_uint_eq(mmbuf_generation(b), gen);

	ck_assert_int_eq(mmbuf_set_label(b, labels[2], MMBUF_DURABLE_ASYNC), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
	b = tu_open(tu_path("lab.mmb"), MMBUF_RDONLY);
	ck_assert_str_eq(mmbuf_label(b), labels[2]);
	ck_assert_err(mmbuf_set_label(b, "x", MMBUF_DURABLE_SYNC),
		      MMBUF_EREADONLY);
	ck_assert_str_eq(mmbuf_label(b), labels[2]);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* A commit writes the other slot and never touches the current one. */
START_TEST(test_commit_other_slot)
{
	const char *p = tu_path("cs.mmb");
	uint8_t before[2][MMBUF_SLOT_SIZE], after[2][MMBUF_SLOT_SIZE];
	int cur;
	uint64_t gen;
	mmbuf *b;

	tu_create_closed("cs.mmb", 4096, 3);
	b = tu_open(p, MMBUF_RDWR);
	gen = mmbuf_generation(b);
	cur = tu_current_slot(p);
	ck_assert_int_eq(cur, (int)(gen % 2));
	for (int round = 0; round < 4; round++) {
		int other = 1 - cur;

		tu_slot_read(p, 0, before[0]);
		tu_slot_read(p, 1, before[1]);
		if (round % 2)
			ck_assert_int_eq(mmbuf_set_label(b, round == 1 ? "a" : "b",
							 MMBUF_DURABLE_SYNC),
					 0);
		else
			ck_assert_int_eq(mmbuf_set_length(b, 100 + (uint64_t)round,
							  MMBUF_DURABLE_SYNC),
					 0);
		tu_slot_read(p, 0, after[0]);
		tu_slot_read(p, 1, after[1]);
		ck_assert_mem_eq(after[cur], before[cur], MMBUF_SLOT_SIZE);
		ck_assert_uint_eq(tu_le64(after[other] + TU_GENERATION), gen + 1);
		ck_assert_uint_eq(tu_le64(after[other] + TU_GENERATION_TAIL),
				  gen + 1);
		ck_assert_uint_eq(tu_le32(after[other] + TU_CRC),
				  tu_slot_crc(after[other]));
		ck_assert_uint_eq(tu_le64(after[other] + TU_LENGTH),
				  mmbuf_length(b));
		ck_assert_str_eq((const char *)after[other] + TU_LABEL,
				 mmbuf_label(b));
		ck_assert_uint_eq(tu_le32(after[other] + TU_WRITER_PID),
				  (uint32_t)getpid());
		ck_assert_uint_eq(mmbuf_generation(b), gen + 1);
		gen++;
		cur = other;
	}
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/*
 * SEALED is cleared by any read-write open (mmbuf(5)).  The seal is
 * forged here as a later version would write it: DATA_CHECKSUM with the
 * XXH3-64 of data[0:length] and the generation it was taken at.
 */
START_TEST(test_sealed_cleared_by_writer)
{
	const char *p = tu_path("seal.mmb");
	uint8_t s[MMBUF_SLOT_SIZE], *data;
	mmbuf *b;

	tu_create_closed("seal.mmb", 4096, 61);
	data = malloc(4096);
	ck_assert_ptr_nonnull(data);
	tu_pread(p, 8192, data, 4096);
	for (int i = 0; i < 2; i++) {
		tu_slot_read(p, i, s);
		tu_put64(s + TU_COMPAT, MMBUF_COMPAT_DATA_CHECKSUM);
		tu_put32(s + TU_STATE, MMBUF_STATE_SEALED);
		tu_put64(s + TU_DATA_CHECKSUM, XXH3_64bits(data, 4096));
		tu_put64(s + TU_CHECKSUM_GENERATION, tu_le64(s + TU_GENERATION));
		tu_fix_crc(s);
		tu_slot_write(p, i, s);
	}
	free(data);

	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_state(b), MMBUF_STATE_SEALED);
	ck_assert_int_eq(mmbuf_unclean(b), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);

	b = tu_open(p, MMBUF_RDWR);
	ck_assert_uint_eq(mmbuf_state(b), MMBUF_STATE_WRITER_OPEN);
	tu_slot_read(p, tu_current_slot(p), s);
	ck_assert_uint_eq(tu_le32(s + TU_STATE), MMBUF_STATE_WRITER_OPEN);
	ck_assert_int_eq(mmbuf_close(b), 0);

	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_state(b), 0);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), 4096, 61), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/*
 * A file truncated under its writer: every commit, the close's included,
 * writes the header with pwrite, so it fails or lengthens the file again,
 * but never faults (a store through a mapping of the missing page would be
 * SIGBUS, which kills the test).  The verifier then calls it truncated.
 */
START_TEST(test_commit_truncated)
{
	const char *p = tu_path("trunc.mmb");
	mmbuf_report *r;
	mmbuf *b;

	tu_create_closed("trunc.mmb", 64 * KIB, 13);
	b = tu_open(p, MMBUF_RDWR);
	tu_truncate(p, 0);
	ck_assert_int_eq(mmbuf_set_label(b, "after", MMBUF_DURABLE_SYNC), 0);
	ck_assert_int_eq(mmbuf_set_length(b, 100, MMBUF_DURABLE_NONE), 0);
	ck_assert_err(mmbuf_seal(b, 0, 0, 1, NULL, NULL), MMBUF_ETRUNCATED);
	tu_truncate(p, 100);
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_uint_eq(tu_file_size(p), MMBUF_PAGE + MMBUF_SLOT_SIZE);
	ck_assert_int_eq(mmbuf_verify_path(p, 0, 1, NULL, NULL, &r), 0);
	ck_assert_int_eq(r->verdict, MMBUF_VERDICT_CORRUPT);
	ck_assert_err(r->error, MMBUF_ETRUNCATED);
	mmbuf_report_free(r);
}
END_TEST

/* Give both slots of a closed buffer the generations gen (in its slot)
 * and gen - 1 (in the other), as if it had had that many commits. */
static void set_generations(const char *p, uint64_t gen)
{
	uint8_t s[MMBUF_SLOT_SIZE];

	for (int i = 0; i < 2; i++) {
		tu_slot_read(p, i, s);
		tu_set_generation(s, gen % 2 == (uint64_t)i ? gen : gen - 1);
		tu_slot_write(p, i, s);
	}
}

/* Both header pages of p are as they were in before. */
static void header_unchanged(const char *p, const uint8_t *before,
			     const char *after_what)
{
	uint8_t now[MMBUF_HEADER_SIZE];

	tu_pread(p, 0, now, sizeof now);
	ck_assert_msg(memcmp(now, before, sizeof now) == 0,
		      "%s changed the header", after_what);
}

/*
 * The last generation is 2^64 - 1: no writer commits after it (mmbuf(5),
 * "Committing a header"), since generation 0 would read as older than
 * every slot, so the commit would be lost and a crash after it unseen.
 * Every kind of commit is refused with MMBUF_EINCONSISTENT, writing
 * nothing, as Python refuses it.
 */
START_TEST(test_generation_last)
{
	const char *p = tu_path("last.mmb");
	uint8_t before[MMBUF_HEADER_SIZE], bytes[100] = { 0 };
	mmbuf *b = NULL;
	int repaired;

	tu_create_closed("last.mmb", 8 * KIB, 5);
	set_generations(p, UINT64_MAX);
	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_generation(b), UINT64_MAX);
	ck_assert_int_eq(mmbuf_close(b), 0);
	tu_pread(p, 0, before, sizeof before);
	/* Opening for writing commits "writer open". */
	ck_assert_err(mmbuf_open(p, MMBUF_RDWR, &b), MMBUF_EINCONSISTENT);
	ck_assert_ptr_null(b);
	header_unchanged(p, before, "a refused open");
	/* A repair of the older slot would be the next commit too. */
	tu_flip(p, TU_LABEL);
	tu_pread(p, 0, before, sizeof before);
	ck_assert_err(mmbuf_repair_path(p, 0, &repaired), MMBUF_EINCONSISTENT);
	header_unchanged(p, before, "a refused repair");

	/* One commit before the last: the open takes 2^64 - 1, and every
	 * later commit is refused. */
	p = tu_path("next.mmb");
	tu_create_closed("next.mmb", 8 * KIB, 5);
	set_generations(p, UINT64_MAX - 1);
	b = tu_open(p, MMBUF_RDWR);
	ck_assert_uint_eq(mmbuf_generation(b), UINT64_MAX);
	ck_assert_int_eq(tu_current_slot(p), 1);
	tu_pread(p, 0, before, sizeof before);
	ck_assert_err(mmbuf_set_length(b, 10, MMBUF_DURABLE_SYNC),
		      MMBUF_EINCONSISTENT);
	ck_assert_err(mmbuf_set_label(b, "x", MMBUF_DURABLE_NONE),
		      MMBUF_EINCONSISTENT);
	ck_assert_err(mmbuf_append(b, bytes, sizeof bytes, MMBUF_DURABLE_NONE),
		      MMBUF_EINCONSISTENT);
	ck_assert_err(mmbuf_seal(b, 0, 0, 1, NULL, NULL), MMBUF_EINCONSISTENT);
	ck_assert_err(mmbuf_resize(b, 4 * KIB, 0), MMBUF_EINCONSISTENT);
	ck_assert_err(mmbuf_resize(b, 1 * MIB, 0), MMBUF_EINCONSISTENT);
	ck_assert_uint_eq(mmbuf_generation(b), UINT64_MAX);
	header_unchanged(p, before, "a refused commit");
	ck_assert_err(mmbuf_close(b), MMBUF_EINCONSISTENT);
	header_unchanged(p, before, "a refused close");
}
END_TEST

/* ro_compat of slot i of p. */
static uint64_t slot_ro_compat(const char *p, int i)
{
	uint8_t s[MMBUF_SLOT_SIZE];

	tu_slot_read(p, i, s);
	return tu_le64(s + TU_RO_COMPAT);
}

/* Clear LOCKING in both slots, as a writer that takes no locks would
 * leave them. */
static void clear_locking(const char *p)
{
	uint8_t s[MMBUF_SLOT_SIZE];

	for (int i = 0; i < 2; i++) {
		tu_slot_read(p, i, s);
		tu_put64(s + TU_RO_COMPAT,
			 tu_le64(s + TU_RO_COMPAT) & ~MMBUF_RO_COMPAT_LOCKING);
		tu_fix_crc(s);
		tu_slot_write(p, i, s);
	}
}

/* The slot that the last commit wrote has LOCKING. */
static void check_locking(const char *p, const char *after_what)
{
	int cur = tu_current_slot(p);

	ck_assert_msg(slot_ro_compat(p, cur) & MMBUF_RO_COMPAT_LOCKING,
		      "slot %d lacks LOCKING after %s", cur, after_what);
}

/*
 * A writer that takes the locks sets LOCKING in every slot it writes
 * (mmbuf(5), "Feature flags"), also in a file whose slots lack it: every
 * kind of commit, from the open's to the close's, and a repair.
 */
START_TEST(test_commit_sets_locking)
{
	const char *p = tu_path("lk.mmb");
	uint8_t bytes[100] = { 0 };
	int repaired;
	mmbuf *b;

	tu_create_closed("lk.mmb", 8 * KIB, 3);
	clear_locking(p);
	b = tu_open(p, MMBUF_RDWR);
	check_locking(p, "open");
	ck_assert_uint_eq(mmbuf_set_length(b, 10, MMBUF_DURABLE_SYNC), 0);
	check_locking(p, "set_length");
	ck_assert_uint_eq(mmbuf_set_label(b, "l", MMBUF_DURABLE_NONE), 0);
	check_locking(p, "set_label");
	ck_assert_uint_eq(mmbuf_append(b, bytes, sizeof bytes,
				       MMBUF_DURABLE_ASYNC), 0);
	check_locking(p, "append");
	ck_assert_uint_eq(mmbuf_resize(b, 64 * KIB, 0), 0);
	check_locking(p, "resize (grow)");
	ck_assert_uint_eq(mmbuf_resize(b, 16 * KIB, 0), 0);
	check_locking(p, "resize (shrink)");
	ck_assert_uint_eq(mmbuf_seal(b, 0, 0, 1, NULL, NULL), 0);
	check_locking(p, "seal");
	ck_assert_int_eq(mmbuf_close(b), 0);
	/* A sealed close commits twice: both slots. */
	ck_assert(slot_ro_compat(p, 0) & MMBUF_RO_COMPAT_LOCKING);
	ck_assert(slot_ro_compat(p, 1) & MMBUF_RO_COMPAT_LOCKING);

	/* A repair rewrites the older slot from the current one. */
	clear_locking(p);
	tu_flip(p, (uint64_t)(1 - tu_current_slot(p)) * MMBUF_PAGE + TU_LABEL);
	ck_assert_int_eq(mmbuf_repair_path(p, 0, &repaired), 0);
	ck_assert_int_ge(repaired, 0);
	check_locking(p, "repair");
}
END_TEST

/*
 * writer_pid is the committing process's own.  The library reads its pid
 * once and forgets it at fork(2): a child that commits writes its pid,
 * not its parent's.  (The child holds no handle of the parent's, which
 * valgrind would count as lost.)
 */
START_TEST(test_writer_pid_after_fork)
{
	const char *p = tu_path("pid.mmb");
	mmbuf_info info;
	mmbuf *b;
	pid_t pid;

	tu_create_closed("pid.mmb", 8 * KIB, 3);
	b = tu_open(p, MMBUF_RDWR);
	mmbuf_get_info(b, &info);
	ck_assert_uint_eq(info.writer_pid, (uint32_t)getpid());
	ck_assert_int_eq(mmbuf_close(b), 0);
	pid = tu_fork();
	if (pid == 0) {
		mmbuf *c;
		int ok;

		if (mmbuf_open(p, MMBUF_RDWR, &c) != 0)
			_exit(1);
		mmbuf_get_info(c, &info);
		ok = info.writer_pid == (uint32_t)getpid();
		_exit(mmbuf_close(c) == 0 && ok ? 0 : 2);
	}
	ck_assert_int_eq(tu_wait(pid), 0);
	/* And the parent still writes its own. */
	b = tu_open(p, MMBUF_RDWR);
	mmbuf_get_info(b, &info);
	ck_assert_uint_eq(info.writer_pid, (uint32_t)getpid());
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/*
 * A writer handle inherited by a child of fork(2) stays its parent's: in
 * the child every call that commits fails with MMBUF_EBUSY and changes
 * nothing, and mmbuf_close() commits nothing.  The child's close used to
 * commit its stale copy of the header, "writer open" cleared, over the
 * parent's last commit.
 */
START_TEST(test_inherited_writer)
{
	const char *p = tu_path("fork.mmb");
	mmbuf *b, *r;
	pid_t pid;

	tu_create_closed("fork.mmb", 8 * KIB, 3);
	b = tu_open(p, MMBUF_RDWR);
	ck_assert_int_eq(mmbuf_set_length(b, 100, MMBUF_DURABLE_NONE), 0);
	pid = tu_fork();
	if (pid == 0) {
		void *ptr;
		int bad = 0;

		bad |= mmbuf_set_length(b, 10, MMBUF_DURABLE_NONE) !=
		       MMBUF_EBUSY;
		bad |= mmbuf_set_label(b, "x", MMBUF_DURABLE_NONE) !=
		       MMBUF_EBUSY;
		bad |= mmbuf_append(b, "abc", 3, MMBUF_DURABLE_NONE) !=
		       MMBUF_EBUSY;
		bad |= mmbuf_reserve(b, 3, &ptr) != MMBUF_EBUSY;
		bad |= mmbuf_commit_reserved(b, 0, MMBUF_DURABLE_NONE) !=
		       MMBUF_EBUSY;
		bad |= mmbuf_resize(b, 16 * KIB, 0) != MMBUF_EBUSY;
		bad |= mmbuf_seal(b, 12, 0, 1, NULL, NULL) != MMBUF_EBUSY;
		/* Its header is the fork's: no catching up either. */
		bad |= mmbuf_refresh(b, NULL) != MMBUF_EBUSY;
		bad |= mmbuf_wait(b, 0, NULL) != MMBUF_EBUSY;
		/* Reading is fine. */
		bad |= mmbuf_length(b) != 100;
		bad |= mmbuf_close(b) != 0;
		_exit(bad ? 2 : 0);
	}
	ck_assert_int_eq(tu_wait(pid), 0);
	/* The parent's header stands, "writer open" and all. */
	r = tu_open(p, MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_length(r), 100);
	ck_assert(mmbuf_writer_active(r));
	ck_assert_uint_eq(mmbuf_generation(r), mmbuf_generation(b));
	ck_assert_int_eq(mmbuf_close(r), 0);
	/* The parent goes on, and closes cleanly. */
	ck_assert_int_eq(mmbuf_set_length(b, 200, MMBUF_DURABLE_NONE), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
	r = tu_open(p, MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_length(r), 200);
	ck_assert(!mmbuf_unclean(r));
	ck_assert_int_eq(mmbuf_close(r), 0);
}
END_TEST

Suite *mmbuf_commit_suite(void);

Suite *mmbuf_commit_suite(void)
{
	Suite *s = suite_create("commit");
	TCase *tc;

	tc = tu_tcase(s, "persistence", 60);
	tcase_add_test(tc, test_persist_reopen);
	tcase_add_test(tc, test_persist_child_process);
	tcase_add_test(tc, test_live_visibility);
	tc = tu_tcase(s, "generation", 60);
	tcase_add_test(tc, test_generation);
	tc = tu_tcase(s, "set_length", 60);
	tcase_add_test(tc, test_set_length);
	tcase_add_test(tc, test_length_survives_crash);
	tc = tu_tcase(s, "set_label", 60);
	tcase_add_test(tc, test_set_label);
	tc = tu_tcase(s, "commit", 60);
	tcase_add_test(tc, test_commit_other_slot);
	tcase_add_test(tc, test_sealed_cleared_by_writer);
	tc = tu_tcase(s, "commit_truncated", 60);
	tcase_add_test(tc, test_commit_truncated);
	tc = tu_tcase(s, "generation_last", 60);
	tcase_add_test(tc, test_generation_last);
	tc = tu_tcase(s, "commit_locking", 60);
	tcase_add_test(tc, test_commit_sets_locking);
	tcase_add_test(tc, test_writer_pid_after_fork);
	tcase_add_test(tc, test_inherited_writer);
	return s;
}
