/*
 * check_crash.c - what survives crashes and hostile files.
 *
 * Torn header slots, simulated: random byte ranges of the newest slot are
 * overwritten, as a write cut short by a power loss could leave them.  The
 * buffer must open from the previous generation, the damage must be
 * reported (mmbuf_slot_status, mmbuf_verify_path), and mmbuf_repair_path must
 * rewrite the slot so that both are intact again.
 *
 * A file truncated under its mapping: mmbuf_read and mmbuf_guard turn
 * what would be a SIGBUS into MMBUF_ETRUNCATED, and leave every other
 * SIGBUS to the program's own handler or the default action.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define ROUNDS 200

/* xorshift64*: the same sequence everywhere for one seed. */
static uint64_t rng(uint64_t *st)
{
	*st ^= *st >> 12;
	*st ^= *st << 25;
	*st ^= *st >> 27;
	return *st * 0x2545F4914F6CDD1Dull;
}

/*
 * A buffer whose two slots hold different lengths: a writer committed
 * len_new and was killed before closing, so the newest slot (generation
 * g, returned) says len_new and the previous one (g - 1) len_old.
 */
static uint64_t two_generations(const char *name, uint64_t len_old,
				uint64_t len_new)
{
	const char *p = tu_path(name);
	mmbuf_create_opts o;
	mmbuf *b;
	uint64_t gen;
	pid_t pid;
	int status;

	unlink(p);
	tu_opts(&o, 1u << 16);
	o.length = len_old;
	b = tu_create(name, &o);
	tu_fill(mmbuf_data(b), 1u << 16, 7);
	ck_assert_int_eq(mmbuf_close(b), 0);
	pid = tu_fork();
	if (pid == 0) {
		if (mmbuf_open(p, MMBUF_RDWR, &b) != 0 ||
		    mmbuf_set_length(b, len_new, MMBUF_DURABLE_NONE) != 0)
			_exit(1);
		_exit(0);  /* no close: the writer "crashes" */
	}
	status = tu_wait(pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "the writer failed");
	b = tu_open(p, MMBUF_RDONLY);
	gen = mmbuf_generation(b);
	ck_assert_uint_eq(mmbuf_length(b), len_new);
	ck_assert_int_eq(mmbuf_unclean(b), 1);
	mmbuf_close(b);
	return gen;
}

/*
 * A buffer whose two slots hold different lengths and are both clean:
 * sealed, so that the close commits the clean state into both, then the
 * length changed and sealed again.  Returns the newest generation.
 */
static uint64_t two_clean_generations(const char *name, uint64_t len_old,
				      uint64_t len_new)
{
	const char *p = tu_path(name);
	mmbuf_create_opts o;
	mmbuf *b;
	uint64_t gen;

	unlink(p);
	tu_opts(&o, 1u << 16);
	o.length = len_old;
	b = tu_create(name, &o);
	tu_fill(mmbuf_data(b), 1u << 16, 7);
	ck_assert_int_eq(mmbuf_set_length(b, len_new, MMBUF_DURABLE_NONE), 0);
	ck_assert_int_eq(mmbuf_seal(b, 0, 0, 1, NULL, NULL), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
	b = tu_open(p, MMBUF_RDONLY);
	gen = mmbuf_generation(b);
	ck_assert_uint_eq(mmbuf_length(b), len_new);
	mmbuf_close(b);
	return gen;
}

/*
 * _i 0 and 1: the newest slot of a crashed writer's buffer is torn.  The
 * previous generation says "writer open", so a checksum or generation
 * mismatch reads as the commit the crash cut short: an unclean close, not
 * corruption, with the slot still reported.  Other damage (a hit on the
 * magic, impossible fields that happen to pass...) is corruption.
 * _i 2 and 3: a sealed buffer, whose previous generation is clean and
 * sealed too: any damage to the newest slot is corruption, and the data
 * still verifies from the previous generation's seal.
 */
START_TEST(test_torn_newest_slot)
{
	uint64_t st = 0x9E3779B97F4A7C15ull * (uint64_t)(_i + 1);
	int sealed = _i >= 2;

	for (int round = 0; round < ROUNDS / 4; round++) {
		const char *p = tu_path("torn.mmbuf");
		uint8_t before[MMBUF_SLOT_SIZE], slot[MMBUF_SLOT_SIZE];
		uint64_t gen, prev_len, off, len;
		mmbuf_report *rep = NULL;
		mmbuf *b;
		int cur, repaired = -2, dmg;

		gen = sealed ? two_clean_generations("torn.mmbuf", 100,
						     1000 + (uint64_t)round)
			     : two_generations("torn.mmbuf", 100,
					       1000 + (uint64_t)round);
		cur = tu_current_slot(p);
		ck_assert_int_eq((int)(gen % 2), cur);
		tu_slot_read(p, 1 - cur, slot);
		prev_len = tu_le64(slot + TU_LENGTH);
		ck_assert_uint_eq(prev_len, sealed ? 1000 + (uint64_t)round : 100);
		ck_assert_uint_eq(tu_le64(slot + TU_GENERATION), gen - 1);

		/* Overwrite [off, off + len) of the newest slot with random
		 * bytes, at least one of them different. */
		tu_slot_read(p, cur, before);
		memcpy(slot, before, sizeof slot);
		off = rng(&st) % MMBUF_SLOT_SIZE;
		len = 1 + rng(&st) % (MMBUF_SLOT_SIZE - off);
		for (uint64_t i = off; i < off + len; i++)
			slot[i] = (uint8_t)(rng(&st) >> 56);
		if (memcmp(slot, before, sizeof slot) == 0)
			slot[off] ^= 0xff;
		tu_slot_write(p, cur, slot);

		/* Open falls back to the previous generation and says why. */
		b = tu_open(p, MMBUF_RDONLY);
		ck_assert_msg(mmbuf_generation(b) == gen - 1,
			      "round %d: [%llu, +%llu) torn: generation %llu, "
			      "want %llu", round, (unsigned long long)off,
			      (unsigned long long)len,
			      (unsigned long long)mmbuf_generation(b),
			      (unsigned long long)(gen - 1));
		ck_assert_uint_eq(mmbuf_length(b), prev_len);
		dmg = mmbuf_slot_status(b, cur);
		ck_assert_int_ne(dmg, 0);
		ck_assert_int_eq(mmbuf_slot_status(b, 1 - cur), 0);
		mmbuf_close(b);

		/* verify reports the damaged slot... */
		ck_assert_int_eq(mmbuf_verify_path(p, 0, 1, NULL, NULL, &rep), 0);
		ck_assert_int_eq(rep->slot_status[cur], dmg);
		ck_assert_int_eq(rep->slot_status[1 - cur], 0);
		ck_assert_err(rep->error, dmg);
		ck_assert_uint_eq(rep->generation, gen - 1);
		if (!sealed && (dmg == MMBUF_ECHECKSUM || dmg == MMBUF_ETORN)) {
			ck_assert_int_eq(rep->verdict,
					 MMBUF_VERDICT_UNVERIFIABLE);
			ck_assert_int_eq(rep->reason, MMBUF_REASON_UNCLEAN);
		} else {
			ck_assert_int_eq(rep->verdict, MMBUF_VERDICT_CORRUPT);
		}
		if (sealed)
			ck_assert_uint_eq(rep->nbad, 0);
		mmbuf_report_free(rep);

		/* ...and repair rewrites it as generation gen, from the
		 * intact slot: both intact, the older state kept. */
		ck_assert_int_eq(mmbuf_repair_path(p, 0, &repaired), 0);
		ck_assert_int_eq(repaired, cur);
		ck_assert_int_eq(mmbuf_verify_path(p, 0, 1, NULL, NULL, &rep), 0);
		ck_assert_int_eq(rep->verdict, sealed ? MMBUF_VERDICT_OK
						      : MMBUF_VERDICT_UNVERIFIABLE);
		ck_assert_int_eq(rep->slot_status[0], 0);
		ck_assert_int_eq(rep->slot_status[1], 0);
		mmbuf_report_free(rep);
		b = tu_open(p, MMBUF_RDONLY);
		ck_assert_uint_eq(mmbuf_generation(b), gen);
		ck_assert_uint_eq(mmbuf_length(b), prev_len);
		ck_assert_int_eq(mmbuf_slot_status(b, 0), 0);
		ck_assert_int_eq(mmbuf_slot_status(b, 1), 0);
		mmbuf_close(b);
	}
}
END_TEST

/* A torn slot that is the older one costs nothing: the newest serves. */
START_TEST(test_torn_older_slot)
{
	const char *p = tu_path("older.mmbuf");
	uint8_t slot[MMBUF_SLOT_SIZE];
	uint64_t gen;
	mmbuf *b;
	int cur;

	gen = two_generations("older.mmbuf", 10, 20);
	cur = tu_current_slot(p);
	tu_slot_read(p, 1 - cur, slot);
	memset(slot + 100, 0xEE, 300);
	tu_slot_write(p, 1 - cur, slot);
	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_generation(b), gen);
	ck_assert_uint_eq(mmbuf_length(b), 20);
	ck_assert_int_ne(mmbuf_slot_status(b, 1 - cur), 0);
	mmbuf_close(b);
	/* A writer's first commit goes into the damaged (older) slot,
	 * which repairs it by itself. */
	b = tu_open(p, MMBUF_RDWR);
	ck_assert_int_eq(mmbuf_unclean(b), 1);
	ck_assert_int_eq(mmbuf_close(b), 0);
	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(mmbuf_slot_status(b, 0), 0);
	ck_assert_int_eq(mmbuf_slot_status(b, 1), 0);
	ck_assert_int_eq(mmbuf_unclean(b), 0);
	ck_assert_uint_eq(mmbuf_length(b), 20);
	mmbuf_close(b);
}
END_TEST

/* Both slots torn: nothing to fall back to, and nothing is invented. */
START_TEST(test_both_torn)
{
	const char *p = tu_path("both.mmbuf");
	uint8_t slot[MMBUF_SLOT_SIZE];
	mmbuf *b = NULL;
	int repaired = -2;

	two_generations("both.mmbuf", 10, 20);
	for (int i = 0; i < 2; i++) {
		tu_slot_read(p, i, slot);
		slot[300] ^= 0x55;
		tu_slot_write(p, i, slot);
	}
	ck_assert_err(mmbuf_open(p, MMBUF_RDONLY, &b), MMBUF_ECHECKSUM);
	ck_assert_ptr_null(b);
	ck_assert_err(mmbuf_repair_path(p, 0, &repaired), MMBUF_ECHECKSUM);
}
END_TEST


/* ---------------------------------------------------------------- */
/* SIGBUS: mmbuf_read and mmbuf_guard                                */

#define PAGE 4096u

/* A closed buffer of 16 pages filled from seed 5, opened read-only and
 * then cut to its header and first two data pages. */
static mmbuf *shrunk(const char *name)
{
	mmbuf *b;

	tu_create_closed(name, 16 * PAGE, 5);
	b = tu_open(tu_path(name), MMBUF_RDONLY);
	tu_truncate(tu_path(name), 8192 + 2 * PAGE);
	return b;
}

struct sum_arg {
	const volatile uint8_t *p;
	size_t n;
	unsigned sum;
};

static int sum_bytes(void *arg)
{
	struct sum_arg *a = arg;

	for (size_t i = 0; i < a->n; i++)
		a->sum += a->p[i];
	return 7;
}

START_TEST(test_read_shrunk)
{
	mmbuf *b = shrunk("r.mmbuf");
	uint8_t buf[3 * PAGE], want[16 * PAGE];

	tu_fill(want, sizeof want, 5);
	ck_assert_int_eq(mmbuf_read(b, 100, buf, PAGE), 0);
	ck_assert_mem_eq(buf, want + 100, PAGE);
	ck_assert_err(mmbuf_read(b, PAGE, buf, 3 * PAGE), MMBUF_ETRUNCATED);
	/* What the file still held was copied. */
	ck_assert_mem_eq(buf, want + PAGE, PAGE);
	ck_assert_err(mmbuf_read(b, 15 * PAGE, buf, 2 * PAGE), -EINVAL);
	ck_assert_err(mmbuf_read(b, UINT64_MAX, buf, 1), -EINVAL);
	ck_assert_int_eq(mmbuf_read(b, 16 * PAGE, buf, 0), 0);
	mmbuf_close(b);
}
END_TEST

START_TEST(test_guard_shrunk)
{
	mmbuf *b = shrunk("g.mmbuf");
	const uint8_t *d = mmbuf_data(b);
	uint8_t want[2 * PAGE];
	struct sum_arg a = { d, 2 * PAGE, 0 };
	unsigned expect = 0;

	tu_fill(want, sizeof want, 5);
	for (size_t i = 0; i < sizeof want; i++)
		expect += want[i];
	/* Within what is left: fn's own result. */
	ck_assert_int_eq(mmbuf_guard(b, sum_bytes, &a), 7);
	ck_assert_uint_eq(a.sum, expect);
	/* Past the end of the file: an error instead of SIGBUS, every
	 * time (the handler stays usable). */
	for (int i = 0; i < 3; i++) {
		struct sum_arg past = { d + PAGE, 5 * PAGE, 0 };

		ck_assert_err(mmbuf_guard(b, sum_bytes, &past),
			      MMBUF_ETRUNCATED);
	}
	ck_assert_err(mmbuf_guard(NULL, sum_bytes, &a), -EINVAL);
	ck_assert_err(mmbuf_guard(b, NULL, &a), -EINVAL);
	mmbuf_close(b);
}
END_TEST

/* Guards nest: a fault in the inner buffer returns from the inner guard
 * only; the outer one goes on. */
struct nest_arg {
	mmbuf *inner;
	int inner_result;
};

static int nest_outer(void *arg)
{
	struct nest_arg *n = arg;
	struct sum_arg past = { (const uint8_t *)mmbuf_data(n->inner) + PAGE,
				4 * PAGE, 0 };

	n->inner_result = mmbuf_guard(n->inner, sum_bytes, &past);
	return 11;
}

START_TEST(test_guard_nested)
{
	mmbuf *outer = shrunk("o.mmbuf"), *inner = shrunk("i.mmbuf");
	struct nest_arg n = { inner, 0 };

	ck_assert_int_eq(mmbuf_guard(outer, nest_outer, &n), 11);
	ck_assert_err(n.inner_result, MMBUF_ETRUNCATED);
	mmbuf_close(inner);
	mmbuf_close(outer);
}
END_TEST

/* Under AddressSanitizer the default action is ASan's own SIGBUS
 * handler, which reports the fault and exits 1, or aborts with
 * ASAN_OPTIONS=abort_on_error=1 (as CI sets it). */
#define ASAN_DIED(st) ((WIFEXITED(st) && WEXITSTATUS(st) == 1) || \
		       (WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT))

static int asan_report(int status)
{
#if defined(__SANITIZE_ADDRESS__)
	return ASAN_DIED(status);
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	return ASAN_DIED(status);
#else
	(void)status;
	return 0;
#endif
#else
	(void)status;
	return 0;
#endif
}

static void own_handler(int sig)
{
	(void)sig;
	_exit(42);
}

/*
 * A SIGBUS outside any guard is not the library's business: in a child,
 * (a) with the program's own handler installed before the first guard,
 * that handler gets it; (b) without one, the default action kills.
 */
START_TEST(test_guard_passes_others)
{
	for (int with_handler = 0; with_handler < 2; with_handler++) {
		pid_t pid = tu_fork();
		int status;

		if (pid == 0) {
			mmbuf *b, *other;
			struct sum_arg a;

			if (with_handler)
				signal(SIGBUS, own_handler);
			tu_create_closed(with_handler ? "h1.mmbuf" : "h0.mmbuf",
					 16 * PAGE, 5);
			if (mmbuf_open(tu_path(with_handler ? "h1.mmbuf"
							      : "h0.mmbuf"),
				       MMBUF_RDONLY, &b) != 0)
				_exit(1);
			tu_create_closed(with_handler ? "x1.mmbuf" : "x0.mmbuf",
					 16 * PAGE, 5);
			if (mmbuf_open(tu_path(with_handler ? "x1.mmbuf"
							      : "x0.mmbuf"),
				       MMBUF_RDONLY, &other) != 0)
				_exit(1);
			tu_truncate(tu_path(with_handler ? "x1.mmbuf"
							 : "x0.mmbuf"), 8192);
			/* Install the guard's handler. */
			a.p = mmbuf_data(b);
			a.n = 16;
			a.sum = 0;
			if (mmbuf_guard(b, sum_bytes, &a) != 7)
				_exit(2);
			/* An unguarded fault in another buffer. */
			a.sum = ((const volatile uint8_t *)mmbuf_data(other))[0];
			_exit(3);
		}
		status = tu_wait(pid);
		if (with_handler)
			ck_assert_msg(WIFEXITED(status) &&
					      WEXITSTATUS(status) == 42,
				      "the program's handler did not run "
				      "(status %#x)", status);
		else
			ck_assert_msg((WIFSIGNALED(status) &&
				       WTERMSIG(status) == SIGBUS) ||
					      asan_report(status),
				      "not killed by SIGBUS (status %#x)",
				      status);
	}
}
END_TEST

Suite *mmbuf_crash_suite(void);

Suite *mmbuf_crash_suite(void)
{
	Suite *s = suite_create("crash");
	TCase *tc;

	tc = tu_tcase(s, "torn_slot", 120);
	tcase_add_loop_test(tc, test_torn_newest_slot, 0, 4);
	tcase_add_test(tc, test_torn_older_slot);
	tcase_add_test(tc, test_both_torn);
	tc = tu_tcase(s, "sigbus", 60);
	tcase_add_test(tc, test_read_shrunk);
	tcase_add_test(tc, test_guard_shrunk);
	tcase_add_test(tc, test_guard_nested);
	tcase_add_test(tc, test_guard_passes_others);
	return s;
}
