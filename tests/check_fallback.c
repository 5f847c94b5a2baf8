/*
 * check_fallback.c - slot fallback on real files: a slot damaged in any
 * field, or torn, is passed over for the other one, and what a writer
 * opening such a file commits.
 */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "testutil.h"

#define FCAP (3 * 4096)

/*
 * Flip a byte in the middle of one field of one slot of a cleanly closed
 * buffer: it opens from the other slot, read-only and read-write, with its
 * data, and a writer's commits repair the damaged slot.
 */
START_TEST(test_fallback_field)
{
	int s = _i / (int)tu_nfields;
	const struct tu_field *f = &tu_fields[_i % (int)tu_nfields];
	const char *p = tu_path("fb.mmb");
	int want = f->off == TU_MAGIC ? MMBUF_EMAGIC : MMBUF_ECHECKSUM;
	mmbuf_info info;
	mmbuf *b;

	tu_create_closed("fb.mmb", FCAP, 51);
	tu_flip(p, (uint64_t)s * MMBUF_PAGE + f->off + f->size / 2);

	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_msg(mmbuf_slot_status(b, s) == want,
		      "slot %d field %s: status %s, want %s", s, f->name,
		      mmbuf_err_name(mmbuf_slot_status(b, s)),
		      mmbuf_err_name(want));
	ck_assert_int_eq(mmbuf_slot_status(b, 1 - s), 0);
	ck_assert_err(mmbuf_slot_status(b, 2), -EINVAL);
	ck_assert_err(mmbuf_slot_status(b, -1), -EINVAL);
	mmbuf_get_info(b, &info);
	ck_assert_int_eq(info.slot, 1 - s);
	ck_assert_int_eq(info.slot_status[s], want);
	ck_assert_uint_eq(mmbuf_capacity(b), FCAP);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), FCAP, 51), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);

	/* (What a writer's slot_status says: test_fallback_rdwr_status.) */
	b = tu_open(p, MMBUF_RDWR);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), FCAP, 51), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);

	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(mmbuf_slot_status(b, 0), 0);
	ck_assert_int_eq(mmbuf_slot_status(b, 1), 0);
	ck_assert_int_eq(mmbuf_unclean(b), 0);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), FCAP, 51), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/*
 * A read-write open reports what it found too ("what open found in header
 * slot 0 or 1"), although its own first commit overwrites the damaged
 * slot (the older one, or the one that was current but unreadable).
 */
START_TEST(test_fallback_rdwr_status)
{
	const char *p = tu_path("fbw.mmb");

	for (int s = 0; s < 2; s++) {
		mmbuf *b;

		tu_create_closed("fbw.mmb", FCAP, 53);
		tu_flip(p, (uint64_t)s * MMBUF_PAGE + TU_LENGTH);
		b = tu_open(p, MMBUF_RDWR);
		ck_assert_int_eq(tu_check_fill(mmbuf_data(b), FCAP, 53), -1);
		ck_assert_msg(mmbuf_slot_status(b, s) == MMBUF_ECHECKSUM,
			      "rdwr open, slot %d damaged: slot_status %s",
			      s, mmbuf_err_name(mmbuf_slot_status(b, s)));
		ck_assert_int_eq(mmbuf_slot_status(b, 1 - s), 0);
		ck_assert_int_eq(mmbuf_close(b), 0);
		ck_assert_int_eq(unlink(p), 0);
	}
}
END_TEST

/* A forged slot with a good CRC but generation head != tail is torn. */
START_TEST(test_fallback_torn)
{
	const char *p = tu_path("torn.mmb");

	for (int s = 0; s < 2; s++) {
		uint8_t slot[MMBUF_SLOT_SIZE];
		mmbuf *b;

		tu_create_closed("torn.mmb", FCAP, 52);
		tu_slot_read(p, s, slot);
		tu_put64(slot + TU_GENERATION, tu_le64(slot + TU_GENERATION) + 2);
		tu_fix_crc(slot);
		tu_slot_write(p, s, slot);
		b = tu_open(p, MMBUF_RDONLY);
		ck_assert_err(mmbuf_slot_status(b, s), MMBUF_ETORN);
		ck_assert_int_eq(mmbuf_slot_status(b, 1 - s), 0);
		ck_assert_int_eq(tu_check_fill(mmbuf_data(b), FCAP, 52), -1);
		ck_assert_int_eq(mmbuf_close(b), 0);
		ck_assert_int_eq(unlink(p), 0);
	}
}
END_TEST

Suite *mmbuf_fallback_suite(void);

Suite *mmbuf_fallback_suite(void)
{
	Suite *s = suite_create("fallback");
	TCase *tc;

	tc = tu_tcase(s, "slot_fallback", 60);
	tcase_add_loop_test(tc, test_fallback_field, 0, (int)(2 * tu_nfields));
	tcase_add_test(tc, test_fallback_rdwr_status);
	tcase_add_test(tc, test_fallback_torn);
	return s;
}
