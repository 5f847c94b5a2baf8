/*
 * check_edit.c - editbuf's edit log (tools/edit.c) and dump parsers
 * (tools/patch.c), called directly: random edits, undo, redo and groups
 * against a model of snapshots; huge fills; saving; typed values against
 * what dumpbuf --type prints for the same bytes; the chunked search.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "edit.h"
#include "patch.h"

/* ------------------------------------------------------------------ */
/* The log against a model: one snapshot of the whole region per step.  */

#define CAP 512
#define MAXSTEPS 4096

static uint8_t snaps[MAXSTEPS][CAP];
static uint8_t covered[MAXSTEPS][CAP];

static uint32_t rng_state = 12345;
static uint32_t rnd(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

static void check_view(const struct edit_log *log, const uint8_t *base,
		       const uint8_t *want, const uint8_t *cov)
{
	uint8_t got[CAP];
	uint64_t npend = 0;
	int i;

	edit_read(log, base, 0, got, CAP);
	ck_assert_mem_eq(got, want, CAP);
	for (int k = 0; k < 20; k++) {
		uint64_t off = rnd() % CAP, n = rnd() % (CAP - off + 1);

		edit_read(log, base, off, got, (size_t)n);
		ck_assert_mem_eq(got, want + off, (size_t)n);
	}
	/* One assertion for all the bytes: each passing assertion costs
	 * Check a system call, and this runs 3000 times. */
	for (i = 0; i < CAP; i++) {
		if (edit_is_modified(log, (uint64_t)i) != cov[i])
			break;
		npend += cov[i];
	}
	ck_assert_msg(i == CAP, "byte %d: edit_is_modified() is %d, want %d",
		      i, i < CAP ? (int)edit_is_modified(log, (uint64_t)i) : 0,
		      i < CAP ? cov[i] : 0);
	ck_assert_uint_eq(edit_pending(log), npend);
}

START_TEST(test_random_model)
{
	uint8_t base[CAP];
	struct edit_log *log = edit_log_new(CAP);
	size_t top = 0, cur = 0;   /* steps recorded, steps applied */

	ck_assert_ptr_nonnull(log);
	tu_fill(base, CAP, 7);
	memcpy(snaps[0], base, CAP);
	memset(covered[0], 0, CAP);
	for (int it = 0; it < 3000; it++) {
		unsigned op = rnd() % 10;
		uint64_t off, len;

		if (op < 5 && cur + 1 < MAXSTEPS) {
			/* A step of one to three writes, grouped. */
			int nw = 1 + (int)(rnd() % 3), grouped = nw > 1;

			memcpy(snaps[cur + 1], snaps[cur], CAP);
			memcpy(covered[cur + 1], covered[cur], CAP);
			if (grouped)
				edit_group_begin(log);
			for (int w = 0; w < nw; w++) {
				uint8_t bytes[CAP];
				uint64_t o = rnd() % CAP;
				uint64_t n = 1 + rnd() % (CAP - o < 64 ? CAP - o : 64);

				if (rnd() % 2) {
					for (uint64_t i = 0; i < n; i++)
						bytes[i] = (uint8_t)rnd();
					ck_assert_int_eq(edit_put(log, o, bytes,
								  (size_t)n), 0);
					memcpy(snaps[cur + 1] + o, bytes, (size_t)n);
				} else {
					uint8_t b = (uint8_t)rnd();

					ck_assert_int_eq(edit_fill(log, o, n, b), 0);
					memset(snaps[cur + 1] + o, b, (size_t)n);
				}
				memset(covered[cur + 1] + o, 1, (size_t)n);
			}
			if (grouped)
				edit_group_end(log);
			top = ++cur;
		} else if (op < 8) {
			int r = edit_undo(log, &off, &len);

			ck_assert_int_eq(r, cur > 0);
			if (r)
				cur--;
		} else {
			int r = edit_redo(log, &off, &len);

			ck_assert_int_eq(r, cur < top);
			if (r)
				cur++;
		}
		check_view(log, base, snaps[cur], covered[cur]);
	}
	edit_log_free(log);
}
END_TEST

START_TEST(test_undo_range_and_groups)
{
	uint8_t base[64] = { 0 }, out[64];
	struct edit_log *log = edit_log_new(64);
	uint64_t off, len;

	edit_group_begin(log);
	ck_assert_int_eq(edit_put(log, 10, "ab", 2), 0);
	ck_assert_int_eq(edit_fill(log, 30, 4, 'x'), 0);
	edit_group_end(log);
	ck_assert_int_eq(edit_put(log, 0, "Z", 1), 0);
	/* An empty group is no step. */
	edit_group_begin(log);
	edit_group_end(log);
	ck_assert_int_eq(edit_undo(log, &off, &len), 1);
	ck_assert_uint_eq(off, 0);
	ck_assert_uint_eq(len, 1);
	ck_assert_int_eq(edit_undo(log, &off, &len), 1);
	ck_assert_uint_eq(off, 10);
	ck_assert_uint_eq(len, 24);
	ck_assert_int_eq(edit_undo(log, &off, &len), 0);
	ck_assert_uint_eq(edit_pending(log), 0);
	ck_assert_int_eq(edit_redo(log, &off, &len), 1);
	ck_assert_uint_eq(off, 10);
	ck_assert_uint_eq(len, 24);
	edit_read(log, base, 0, out, 64);
	ck_assert_int_eq(out[10], 'a');
	ck_assert_int_eq(out[33], 'x');
	ck_assert_int_eq(out[0], 0);
	/* A new step forgets the redo. */
	ck_assert_int_eq(edit_put(log, 1, "Q", 1), 0);
	ck_assert_int_eq(edit_redo(log, &off, &len), 0);
	/* Out of range and empty writes record nothing. */
	ck_assert_int_eq(edit_put(log, 63, "ab", 2), -ERANGE);
	ck_assert_int_eq(edit_fill(log, 65, 0, 1), -ERANGE);
	ck_assert_int_eq(edit_fill(log, UINT64_MAX, 2, 1), -ERANGE);
	ck_assert_int_eq(edit_put(log, 64, "", 0), 0);
	ck_assert_uint_eq(edit_pending(log), 7);
	edit_log_free(log);
	edit_log_free(NULL);
}
END_TEST

START_TEST(test_huge_fill)
{
	/* A fill of 1 TiB is one record: nothing proportional to it. */
	uint64_t cap = (uint64_t)1 << 42, t = (uint64_t)1 << 40;
	struct edit_log *log = edit_log_new(cap);
	uint8_t out[8];

	ck_assert_int_eq(edit_fill(log, 0, t, 0xab), 0);
	ck_assert_int_eq(edit_put(log, t - 4, "wxyz", 4), 0);
	ck_assert_uint_eq(edit_pending(log), t);
	edit_read(log, NULL, t - 6, out, 4);
	ck_assert_mem_eq(out, "\xab\xabwx", 4);
	ck_assert_int_eq(edit_is_modified(log, t - 1), 1);
	ck_assert_int_eq(edit_is_modified(log, t), 0);
	edit_log_free(log);
}
END_TEST

START_TEST(test_save)
{
	const char *p = tu_path("b");
	struct edit_log *log;
	const char *stage = NULL;
	mmbuf *b;
	static uint8_t want[3 << 20];
	uint8_t *got;
	int restored = -1;

	tu_create_closed("b", sizeof want, 3);
	b = tu_open(p, MMBUF_RDONLY);
	memcpy(want, mmbuf_data(b), sizeof want);
	mmbuf_close(b);
	log = edit_log_new(sizeof want);
	/* A fill longer than the chunk it is written in. */
	ck_assert_int_eq(edit_fill(log, 100, (5u << 19) + 3, 0x5a), 0);
	memset(want + 100, 0x5a, (5u << 19) + 3);
	ck_assert_int_eq(edit_put(log, 7, "hello", 5), 0);
	memcpy(want + 7, "hello", 5);
	b = tu_open(p, MMBUF_RDWR);
	ck_assert_int_eq(edit_save(log, b, &stage, &restored), 0);
	ck_assert_int_eq(restored, 1);
	ck_assert_int_eq(mmbuf_close(b), 0);
	/* The log is the caller's to clear. */
	ck_assert_uint_eq(edit_pending(log), (5u << 19) + 3 + 5);
	edit_clear(log);
	ck_assert_uint_eq(edit_pending(log), 0);
	ck_assert_int_eq(edit_undo(log, NULL, NULL), 0);
	b = tu_open(p, MMBUF_RDONLY);
	got = mmbuf_data(b);
	ck_assert_mem_eq(got, want, sizeof want);
	ck_assert_int_eq(mmbuf_unclean(b), 0);
	mmbuf_close(b);
	edit_log_free(log);
}
END_TEST

/*
 * A save whose last write fails puts back every byte it wrote before:
 * the log is made for a larger capacity than the buffer has (as when the
 * buffer shrank), so the write past the buffer's end fails after the fill
 * before it went out.  _i chooses a fill kept in memory, or one larger
 * than the 16 MiB kept there, whose old bytes partly go to a temporary
 * file.
 */
START_TEST(test_save_restores)
{
	const char *p = tu_path("r");
	uint64_t cap = _i == 0 ? (3u << 20) : (20u << 20);
	uint64_t fill = cap - 4096;
	struct edit_log *log;
	const char *stage = NULL;
	uint8_t *want;
	mmbuf *b;
	int restored = -1;

	tu_create_closed("r", cap, 5);
	b = tu_open(p, MMBUF_RDONLY);
	want = malloc(cap);
	ck_assert_ptr_nonnull(want);
	memcpy(want, mmbuf_data(b), cap);
	mmbuf_close(b);
	log = edit_log_new(cap + 4096);
	ck_assert_int_eq(edit_put(log, 3, "abc", 3), 0);
	ck_assert_int_eq(edit_fill(log, 4096, fill, 0xc3), 0);
	ck_assert_int_eq(edit_put(log, cap + 10, "xyz", 3), 0);
	b = tu_open(p, MMBUF_RDWR);
	/* Reading the old bytes past the end is what fails. */
	ck_assert_int_eq(edit_save(log, b, &stage, &restored), -EINVAL);
	ck_assert_str_eq(stage, "read");
	ck_assert_int_eq(restored, 1);
	ck_assert_int_eq(memcmp(mmbuf_data(b), want, cap), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_uint_eq(edit_pending(log), 3 + fill + 3);
	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(memcmp(mmbuf_data(b), want, cap), 0);
	mmbuf_close(b);
	free(want);
	edit_log_free(log);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Indexes and typed values                                            */

START_TEST(test_index)
{
	mmbuf_info info;
	struct edit_layout lay;
	const char *why;
	uint64_t off;
	char s[8 * 21];

	memset(&info, 0, sizeof info);
	strcpy(info.dtype, "<c16");
	info.capacity = 2 * 3 * 4 * 16;
	info.ndim = 3;
	info.shape[0] = 2;
	info.shape[1] = 3;
	info.shape[2] = 4;
	edit_layout_init(&lay, &info);
	ck_assert_str_eq(lay.dtype, "<c16");
	ck_assert_uint_eq(lay.itemsize, 16);
	ck_assert_int_eq(edit_parse_index(&lay, "1,2,3", 1, &off, &why), 0);
	ck_assert_uint_eq(off, 23 * 16);
	edit_format_index(&lay, off + 5, s, sizeof s);
	ck_assert_str_eq(s, "1,2,3");
	ck_assert_int_eq(edit_parse_index(&lay, "1", 0, &off, &why), 0);
	ck_assert_uint_eq(off, 12 * 16);
	ck_assert_int_eq(edit_parse_index(&lay, "1", 1, &off, &why), -1);
	ck_assert_int_eq(edit_parse_index(&lay, "0,3", 0, &off, &why), -1);
	ck_assert_str_eq(why, "index 3 is outside dimension 1 (size 3)");
	ck_assert_int_eq(edit_parse_index(&lay, "0,,1", 0, &off, &why), -1);
	/* Flat: capacity / itemsize elements. */
	memset(&info, 0, sizeof info);
	strcpy(info.dtype, ">f4");
	info.capacity = 41;
	edit_layout_init(&lay, &info);
	ck_assert_uint_eq(lay.ndim, 1);
	ck_assert_uint_eq(lay.shape[0], 10);
	ck_assert_int_eq(edit_parse_index(&lay, "9", 1, &off, &why), 0);
	ck_assert_uint_eq(off, 36);
	ck_assert_int_eq(edit_parse_index(&lay, "10", 1, &off, &why), -1);
	ck_assert_str_eq(why, "index 10 is outside dimension 0 (size 10)");
}
END_TEST

static const char *const dtypes[] = {
	"<b1", "<u1", "<i1", "<u2", ">u2", "<i2", ">i2", "<u4", ">i4", "<u8",
	">i8", "<f2", ">f2", "<f4", ">f4", "<f8", ">f8", "<c8", ">c8", "<c16",
	">c16"
};

/*
 * For each dtype, a buffer of random elements (plus floats made from
 * random doubles, and specials) goes through dumpbuf -t: every value it
 * prints must be edit_format_value's text for the same bytes, and parse
 * back (edit_parse_value) to the same bytes, NaN payloads aside.
 */
START_TEST(test_values_match_dumpbuf)
{
	static uint8_t data[4096];
	const char *p = tu_path("t");
	mmbuf_create_opts o;
	mmbuf *b;

	for (size_t d = 0; d < sizeof dtypes / sizeof *dtypes; d++) {
		uint32_t isz;
		size_t n;
		char cmd[4200], line[512];
		FILE *fp;
		unsigned long rows = 0;

		ck_assert_int_eq(mmbuf_dtype_parse(dtypes[d], NULL, &isz), 0);
		n = sizeof data / isz;
		tu_fill(data, sizeof data, (uint32_t)d + 1);
		if (dtypes[d][1] == 'f' || dtypes[d][1] == 'c') {
			/* Half of them from doubles of assorted magnitudes, so
			 * that the shortest-digits rule is exercised on values
			 * people type, not only on random bit patterns. */
			for (size_t i = 0; i < n / 2; i++) {
				double v = ldexp((double)(rnd() % 100000) / 1000,
						 (int)(rnd() % 60) - 30);
				char t[64];
				const char *why;
				int part = dtypes[d][1] == 'c';

				snprintf(t, sizeof t, part ? "%.17g+%.17gj" :
					 "%.17g", (rnd() % 2 ? -v : v), v / 3);
				if (edit_parse_value(dtypes[d], t, data + i * isz,
						     &why) < 0)
					memset(data + i * isz, 0, isz);
			}
		}
		remove(p);
		mmbuf_create_opts_init(&o);
		o.capacity = n * isz;
		o.dtype = dtypes[d];
		ck_assert_int_eq(mmbuf_create(p, &o, &b), 0);
		ck_assert_int_eq(mmbuf_write(b, 0, data, n * isz), 0);
		ck_assert_int_eq(mmbuf_close(b), 0);
		snprintf(cmd, sizeof cmd, "./tools/dumpbuf -t '%s'", p);
		fp = popen(cmd, "r");
		ck_assert_ptr_nonnull(fp);
		while (fgets(line, sizeof line, fp) != NULL) {
			unsigned long idx;
			char val[256], mine[256], *sp;
			uint8_t back[16];
			const char *why;

			line[strcspn(line, "\n")] = '\0';
			ck_assert_int_eq(sscanf(line, "[%lu]", &idx), 1);
			sp = strchr(line, ' ');
			ck_assert_ptr_nonnull(sp);
			snprintf(val, sizeof val, "%s", sp + 1);
			ck_assert_uint_lt(idx, n);
			edit_format_value(dtypes[d], data + idx * isz, mine,
					  sizeof mine);
			ck_assert_msg(strcmp(mine, val) == 0,
				      "%s [%lu]: editbuf '%s', dumpbuf '%s'",
				      dtypes[d], idx, mine, val);
			ck_assert_msg(edit_parse_value(dtypes[d], mine, back,
						       &why) == 0,
				      "%s: '%s' does not parse: %s", dtypes[d],
				      mine, why);
			if (strstr(mine, "nan") == NULL && dtypes[d][1] != 'b')
				ck_assert_msg(memcmp(back, data + idx * isz,
						     isz) == 0,
					      "%s: '%s' reads back differently",
					      dtypes[d], mine);
			rows++;
		}
		ck_assert_int_eq(pclose(fp), 0);
		ck_assert_uint_eq(rows, n);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* The parsers, directly (they are pure functions over bytes).         */

START_TEST(test_parsers)
{
	static const char dump[] =
		"00000000: 4142 4344  ABCD\n"
		"00000004: 0000 0000  ....\n"
		"*\n"
		"00000010: 45                                  E\n";
	uint8_t base[32], out[32], want[32];
	struct edit_log *log = edit_log_new(32);
	struct patch_error err;

	memset(base, 0xee, sizeof base);
	ck_assert_int_eq(patch_parse_dump(dump, strlen(dump), log, &err), 0);
	edit_read(log, base, 0, out, 32);
	memset(want, 0xee, sizeof want);
	memcpy(want, "ABCD", 4);
	memset(want + 4, 0, 12);
	want[16] = 'E';
	ck_assert_mem_eq(out, want, 32);
	/* One undo step for the whole patch. */
	ck_assert_int_eq(edit_undo(log, NULL, NULL), 1);
	ck_assert_int_eq(edit_undo(log, NULL, NULL), 0);
	/* Not NUL-terminated, and NUL inside: the length rules. */
	ck_assert_int_eq(patch_parse_plain("41 4243", 5, 2, log, &err), 0);
	edit_read(log, base, 0, out, 5);
	ck_assert_mem_eq(out, "\xee\xee" "AB\xee", 5);
	ck_assert_int_eq(patch_parse_dump("0\0: 41\n", 7, log, &err), -1);
	ck_assert_uint_eq(err.line, 1);
	ck_assert_int_eq(patch_parse_plain("41\n\n4", 5, 0, log, &err), -1);
	ck_assert_uint_eq(err.line, 3);
	ck_assert_str_eq(err.msg, "odd number of hex digits (1) at column 1");
	edit_log_free(log);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The chunked search, against a search of the whole data at once.     */

struct find_data {
	const uint8_t *data;
	int stop_at;            /* read() says stop on this call; -1: never */
	int calls, ticks, cancel;
};

static int find_read(void *arg, uint64_t off, uint8_t *out, size_t n)
{
	struct find_data *d = arg;

	memcpy(out, d->data + off, n);
	return d->calls++ == d->stop_at;
}

static int find_tick(void *arg, uint64_t done)
{
	struct find_data *d = arg;

	(void)done;
	d->ticks++;
	return d->cancel;
}

/* The first match after from, or the last before it; -1 for none. */
static int64_t find_model(const uint8_t *data, uint64_t cap, uint64_t from,
			  int dir, const uint8_t *pat, size_t pn)
{
	int64_t r = -1;

	for (uint64_t i = 0; i + pn <= cap; i++)
		if (memcmp(data + i, pat, pn) == 0) {
			if (dir > 0 && i > from)
				return (int64_t)i;
			if (dir < 0 && i < from)
				r = (int64_t)i;
		}
	return r;
}

START_TEST(test_find)
{
	enum { N = 600 };
	static uint8_t data[N];
	struct find_data d = { data, -1, 0, 0, 0 };
	struct edit_search s = { find_read, find_tick, &d, 7 };
	uint64_t found;

	/* Few byte values, so that patterns repeat and straddle chunks. */
	for (int i = 0; i < N; i++)
		data[i] = (uint8_t)(rnd() % 3);
	for (size_t pn = 1; pn <= 6; pn++) {
		for (uint64_t from = 0; from < N; from += 1 + from % 5) {
			const uint8_t *pat = data + (rnd() % (N - pn));

			for (int dir = -1; dir <= 1; dir += 2) {
				int64_t want = find_model(data, N, from, dir,
							  pat, pn);
				int r = edit_find(&s, N, from, dir, pat, pn,
						  &found);

				if (want < 0) {
					ck_assert_int_eq(r, EDIT_NOT_FOUND);
				} else {
					ck_assert_int_eq(r, EDIT_FOUND);
					ck_assert_uint_eq(found, (uint64_t)want);
				}
			}
		}
	}
	ck_assert_int_gt(d.ticks, 0);

	/* A pattern that is not there: tick() cancels, read() stops. */
	{
		const uint8_t none[] = { 9, 9 };

		d.cancel = 1;
		ck_assert_int_eq(edit_find(&s, N, 0, 1, none, 2, &found),
				 EDIT_CANCELLED);
		ck_assert_int_eq(edit_find(&s, N, N - 1, -1, none, 2, &found),
				 EDIT_CANCELLED);
		d.cancel = 0;
		d.calls = 0;
		d.stop_at = 3;
		ck_assert_int_eq(edit_find(&s, N, 0, 1, none, 2, &found),
				 EDIT_STOPPED);
		ck_assert_int_eq(d.calls, 4);
		d.calls = 0;
		ck_assert_int_eq(edit_find(&s, N, N - 1, -1, none, 2, &found),
				 EDIT_STOPPED);
		ck_assert_int_eq(d.calls, 4);
	}
}
END_TEST

Suite *mmbuf_edit_suite(void);
Suite *mmbuf_edit_suite(void)
{
	Suite *s = suite_create("edit");
	TCase *tc;

	tc = tu_tcase(s, "random edits, undo and redo against a model", 60);
	tcase_add_test(tc, test_random_model);
	tc = tu_tcase(s, "undo ranges, groups, range errors", 10);
	tcase_add_test(tc, test_undo_range_and_groups);
	tc = tu_tcase(s, "a 1 TiB fill is one record", 10);
	tcase_add_test(tc, test_huge_fill);
	tc = tu_tcase(s, "save writes the edits", 30);
	tcase_add_test(tc, test_save);
	tc = tu_tcase(s, "a failed save puts the old bytes back", 60);
	tcase_add_loop_test(tc, test_save_restores, 0, 2);
	tc = tu_tcase(s, "element indexes", 10);
	tcase_add_test(tc, test_index);
	tc = tu_tcase(s, "typed values as dumpbuf --type prints them", 60);
	tcase_add_test(tc, test_values_match_dumpbuf);
	tc = tu_tcase(s, "dump parsers over bytes", 10);
	tcase_add_test(tc, test_parsers);
	tc = tu_tcase(s, "the chunked search finds what a whole search finds", 30);
	tcase_add_test(tc, test_find);
	return s;
}
