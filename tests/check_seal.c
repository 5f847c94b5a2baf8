/*
 * check_seal.c - sealing and verifying: the checksums stored match an
 * independent XXH3, parallel hashing agrees with serial, stale seals are
 * "not verifiable", and every kind of damage is found and located.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xxhash.h>

#include "testutil.h"

/* A new buffer of cap bytes filled from seed, open for writing. */
static mmbuf *filled(const char *name, uint64_t cap, uint32_t seed)
{
	mmbuf_create_opts o;
	mmbuf *b;

	tu_opts(&o, cap);
	b = tu_create(name, &o);
	tu_fill(mmbuf_data(b), (size_t)cap, seed);
	return b;
}

/* A closed, sealed buffer of cap bytes filled from seed. */
static const char *sealed(const char *name, uint64_t cap, uint32_t shift,
			  unsigned threads, uint32_t seed)
{
	mmbuf *b = filled(name, cap, seed);

	ck_assert_int_eq(mmbuf_seal(b, shift, 0, threads, NULL, NULL), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
	return tu_path(name);
}

static mmbuf_report *verify_flags(const char *path, unsigned flags,
				  unsigned threads)
{
	mmbuf_report *r = NULL;

	ck_assert_int_eq(mmbuf_verify_path(path, flags, threads, NULL, NULL,
					   &r), 0);
	ck_assert_ptr_nonnull(r);
	return r;
}

static mmbuf_report *verify(const char *path, unsigned threads)
{
	return verify_flags(path, 0, threads);
}

START_TEST(test_checksum_function)
{
	uint8_t buf[1000];

	tu_fill(buf, sizeof buf, 3);
	ck_assert_uint_eq(mmbuf_checksum(buf, sizeof buf),
			  XXH3_64bits(buf, sizeof buf));
	ck_assert_uint_eq(mmbuf_checksum(buf, 0), XXH3_64bits(buf, 0));
}
END_TEST

/* The header and the table hold what mmbuf(5) says, computed here with
 * libxxhash directly, independently of the library. */
START_TEST(test_seal_contents)
{
	const uint64_t cap = 5 * MIB + 123, len = 3 * MIB + 7;
	mmbuf_create_opts o;
	uint8_t slot[MMBUF_SLOT_SIZE];
	uint8_t *file;
	uint64_t toff, n, gen;
	size_t size;
	mmbuf *b;
	int cur;

	tu_opts(&o, cap);
	o.length = len;
	b = tu_create("s.mmb", &o);
	tu_fill(mmbuf_data(b), (size_t)cap, 9);
	ck_assert_int_eq(mmbuf_seal(b, 20, 0, 2, NULL, NULL), 0);
	gen = mmbuf_generation(b);
	ck_assert_uint_eq(mmbuf_state(b) & MMBUF_STATE_SEALED,
			  MMBUF_STATE_SEALED);
	ck_assert_int_eq(mmbuf_close(b), 0);

	file = tu_read_file(tu_path("s.mmb"), &size);
	cur = tu_current_slot(tu_path("s.mmb"));
	memcpy(slot, file + (size_t)cur * 4096, sizeof slot);
	toff = (8192 + cap + 4095) / 4096 * 4096;
	n = (cap + MIB - 1) / MIB;
	ck_assert_uint_eq(tu_le64(slot + TU_COMPAT) & MMBUF_COMPAT_DATA_CHECKSUM,
			  MMBUF_COMPAT_DATA_CHECKSUM);
	ck_assert_uint_eq(tu_le64(slot + TU_RO_COMPAT),
			  MMBUF_RO_COMPAT_LOCKING | MMBUF_RO_COMPAT_BLOCK_TABLE);
	ck_assert_uint_eq(tu_le32(slot + TU_BLOCK_SHIFT), 20);
	ck_assert_uint_eq(tu_le64(slot + TU_TABLE_OFFSET), toff);
	ck_assert_uint_eq(tu_le64(slot + TU_TABLE_SIZE), 8 * n);
	ck_assert_uint_eq(tu_le64(slot + TU_FILE_SIZE), toff + 8 * n);
	ck_assert_uint_eq(size, toff + 8 * n);
	ck_assert_uint_eq(tu_le64(slot + TU_DATA_CHECKSUM),
			  XXH3_64bits(file + 8192, (size_t)len));
	ck_assert_uint_eq(tu_le64(slot + TU_CHECKSUM_GENERATION), gen);
	/* Sealed, and closed cleanly: the close kept the seal. */
	ck_assert_uint_eq(tu_le32(slot + TU_STATE), MMBUF_STATE_SEALED);
	for (uint64_t k = 0; k < n; k++) {
		uint64_t start = k * MIB, end = start + MIB;
		uint64_t want = 0;

		if (end > len)
			end = len;
		if (start < len)
			want = XXH3_64bits(file + 8192 + start,
					   (size_t)(end - start));
		ck_assert_msg(tu_le64(file + toff + 8 * k) == want,
			      "table entry %llu", (unsigned long long)k);
	}
	free(file);
}
END_TEST

/* More blocks than threads × cores: every thread count gives the same
 * table, and verification with any count agrees. */
START_TEST(test_parallel_equals_serial)
{
	const uint64_t cap = 24 * 64 * 1024 + 100;
	uint8_t *a, *b;
	size_t na, nb;

	sealed("one.mmb", cap, 16, 1, 5);
	sealed("many.mmb", cap, 16, 8, 5);
	a = tu_read_file(tu_path("one.mmb"), &na);
	b = tu_read_file(tu_path("many.mmb"), &nb);
	ck_assert_uint_eq(na, nb);
	/* Same data, same table; the headers differ in uuid and times. */
	ck_assert_int_eq(memcmp(a + 8192, b + 8192, na - 8192), 0);
	free(a);
	free(b);
	for (unsigned t = 0; t <= 8; t += 4) {
		mmbuf_report *r = verify(tu_path("many.mmb"), t);

		ck_assert_int_eq(r->verdict, MMBUF_VERDICT_OK);
		ck_assert_uint_eq(r->bytes_checked, cap);
		ck_assert_uint_eq(r->blocks, 25);
		ck_assert_uint_eq(r->block_size, 65536);
		mmbuf_report_free(r);
	}
}
END_TEST

START_TEST(test_verify_ok)
{
	const char *p = sealed("ok.mmb", 3 * MIB, 0, 0, 1);
	mmbuf_report *r = verify(p, 0);

	ck_assert_int_eq(r->verdict, MMBUF_VERDICT_OK);
	ck_assert_int_eq(r->reason, MMBUF_REASON_NONE);
	ck_assert_int_eq(r->error, 0);
	ck_assert_int_eq(r->slot_status[0], 0);
	ck_assert_int_eq(r->slot_status[1], 0);
	ck_assert_uint_eq(r->nbad, 0);
	ck_assert_uint_eq(r->block_size, MIB);
	ck_assert_uint_eq(r->bytes_checked, 3 * MIB);
	ck_assert_uint_eq(r->file_size, r->expected_size);
	mmbuf_report_free(r);
	mmbuf_report_free(NULL);
}
END_TEST

/* Damage in the data is found and located, as runs of blocks. */
START_TEST(test_verify_damaged_blocks)
{
	const char *p = sealed("bad.mmb", 40 * MIB, 20, 0, 2);
	mmbuf_report *r;

	tu_flip(p, 8192 + 17 * MIB + 5);
	tu_flip(p, 8192 + 18 * MIB + MIB - 1);
	tu_flip(p, 8192 + 30 * MIB);
	r = verify(p, 0);
	ck_assert_int_eq(r->verdict, MMBUF_VERDICT_CORRUPT);
	ck_assert_uint_eq(r->nbad, 2);
	ck_assert_uint_eq(r->bad[0].first_block, 17);
	ck_assert_uint_eq(r->bad[0].last_block, 18);
	ck_assert_uint_eq(r->bad[0].offset, 0x1100000);
	ck_assert_uint_eq(r->bad[0].end, 0x1300000);
	ck_assert_uint_eq(r->bad[1].first_block, 30);
	ck_assert_uint_eq(r->bad[1].last_block, 30);
	mmbuf_report_free(r);
}
END_TEST

/* Many separate runs: the report grows past its first allocation. */
START_TEST(test_verify_many_runs)
{
	const char *p = sealed("runs.mmb", 64 * 4096, 12, 0, 4);
	mmbuf_report *r;

	for (int k = 0; k < 64; k += 2)
		tu_flip(p, 8192 + (uint64_t)k * 4096 + 100);
	r = verify(p, 3);
	ck_assert_int_eq(r->verdict, MMBUF_VERDICT_CORRUPT);
	ck_assert_uint_eq(r->nbad, 32);
	for (size_t i = 0; i < r->nbad; i++) {
		ck_assert_uint_eq(r->bad[i].first_block, 2 * i);
		ck_assert_uint_eq(r->bad[i].last_block, 2 * i);
	}
	mmbuf_report_free(r);
}
END_TEST

/* A damaged table entry is damage too, as is a non-zero entry past the
 * length. */
START_TEST(test_verify_damaged_table)
{
	const uint64_t cap = 8 * 4096;
	mmbuf_create_opts o;
	mmbuf_report *r;
	uint64_t toff = 8192 + cap;
	mmbuf *b;

	tu_opts(&o, cap);
	o.length = 2 * 4096;
	b = tu_create("t.mmb", &o);
	ck_assert_int_eq(mmbuf_seal(b, 12, 0, 0, NULL, NULL), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
	tu_flip(tu_path("t.mmb"), toff + 8 * 1);
	tu_flip(tu_path("t.mmb"), toff + 8 * 6 + 3);
	r = verify(tu_path("t.mmb"), 0);
	ck_assert_int_eq(r->verdict, MMBUF_VERDICT_CORRUPT);
	ck_assert_uint_eq(r->nbad, 2);
	ck_assert_uint_eq(r->bad[0].first_block, 1);
	ck_assert_uint_eq(r->bad[1].first_block, 6);
	mmbuf_report_free(r);
}
END_TEST

/* A sealed buffer whose seal has no block table: the whole checksum. */
START_TEST(test_verify_whole_checksum)
{
	const char *p = sealed("w.mmb", 100000, 12, 0, 6);
	uint8_t s[MMBUF_SLOT_SIZE];
	mmbuf_report *r;

	for (int i = 0; i < 2; i++) {
		tu_slot_read(p, i, s);
		tu_put64(s + TU_RO_COMPAT, MMBUF_RO_COMPAT_LOCKING);
		tu_put32(s + TU_BLOCK_SHIFT, 0);
		tu_put64(s + TU_TABLE_OFFSET, 0);
		tu_put64(s + TU_TABLE_SIZE, 0);
		tu_put64(s + TU_FILE_SIZE, 8192 + 100000);
		tu_fix_crc(s);
		tu_slot_write(p, i, s);
	}
	/* With pread(2), and in place. */
	for (unsigned f = 0; f <= MMBUF_CHECKSUM_MAPPED; f++) {
		r = verify_flags(p, f, 0);
		ck_assert_int_eq(r->verdict, MMBUF_VERDICT_OK);
		ck_assert_int_eq(r->checksum_ok, 1);
		ck_assert_uint_eq(r->bytes_checked, 100000);
		mmbuf_report_free(r);
	}
	tu_flip(p, 8192 + 99999);
	for (unsigned f = 0; f <= MMBUF_CHECKSUM_MAPPED; f++) {
		r = verify_flags(p, f, 0);
		ck_assert_int_eq(r->verdict, MMBUF_VERDICT_CORRUPT);
		ck_assert_int_eq(r->checksum_ok, 0);
		ck_assert_uint_eq(r->nbad, 1);
		mmbuf_report_free(r);
	}
}
END_TEST

/* Not verifiable, for each reason, and never "corrupt". */
START_TEST(test_unverifiable)
{
	mmbuf_create_opts o;
	mmbuf_report *r;
	mmbuf *b, *w;
	const char *p;
	pid_t pid;

	tu_create_closed("never.mmb", 8192, 1);
	r = verify(tu_path("never.mmb"), 0);
	ck_assert_int_eq(r->verdict, MMBUF_VERDICT_UNVERIFIABLE);
	ck_assert_int_eq(r->reason, MMBUF_REASON_NEVER_SEALED);
	mmbuf_report_free(r);

	/* Opened for writing since the seal, even if nothing changed. */
	p = sealed("mod.mmb", 8192, 12, 0, 1);
	b = tu_open(p, MMBUF_RDWR);
	ck_assert_int_eq(mmbuf_close(b), 0);
	r = verify(p, 0);
	ck_assert_int_eq(r->verdict, MMBUF_VERDICT_UNVERIFIABLE);
	ck_assert_int_eq(r->reason, MMBUF_REASON_MODIFIED);
	mmbuf_report_free(r);

	/* A length change clears the seal at once. */
	tu_opts(&o, 8192);
	b = tu_create("len.mmb", &o);
	ck_assert_int_eq(mmbuf_seal(b, 0, 0, 0, NULL, NULL), 0);
	ck_assert_int_eq(mmbuf_set_length(b, 100, MMBUF_DURABLE_SYNC), 0);
	ck_assert_uint_eq(mmbuf_state(b) & MMBUF_STATE_SEALED, 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
	r = verify(tu_path("len.mmb"), 0);
	ck_assert_int_eq(r->reason, MMBUF_REASON_MODIFIED);
	mmbuf_report_free(r);

	/* A live writer, seen from outside and by the writer itself. */
	p = sealed("live.mmb", 8192, 12, 0, 1);
	w = tu_open(p, MMBUF_RDWR);
	r = verify(p, 0);
	ck_assert_int_eq(r->verdict, MMBUF_VERDICT_UNVERIFIABLE);
	ck_assert_int_eq(r->reason, MMBUF_REASON_WRITER_OPEN);
	mmbuf_report_free(r);
	ck_assert_int_eq(mmbuf_verify(w, 0, 0, NULL, NULL, &r), 0);
	ck_assert_int_eq(r->reason, MMBUF_REASON_WRITER_OPEN);
	mmbuf_report_free(r);
	ck_assert_int_eq(mmbuf_close(w), 0);

	/* A writer killed while it had the buffer open. */
	p = sealed("crash.mmb", 8192, 12, 0, 1);
	pid = tu_fork();
	if (pid == 0) {
		mmbuf *c;

		if (mmbuf_open(p, MMBUF_RDWR, &c) != 0)
			_exit(1);
		raise(SIGKILL);
		_exit(2);
	}
	{
		int st = tu_wait(pid);

		ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	}
	r = verify(p, 0);
	ck_assert_int_eq(r->verdict, MMBUF_VERDICT_UNVERIFIABLE);
	ck_assert_int_eq(r->reason, MMBUF_REASON_UNCLEAN);
	mmbuf_report_free(r);
}
END_TEST

/* Header damage, truncation and files that are not buffers. */
START_TEST(test_verify_header_and_file)
{
	const char *p = sealed("h.mmb", 2 * MIB, 0, 0, 8);
	mmbuf_report *r;
	uint64_t full = tu_file_size(p);
	int other;

	/* The slot not in use is damaged: corrupt, data still checked. */
	other = 1 - tu_current_slot(p);
	tu_flip(p, (uint64_t)other * 4096 + TU_LENGTH);
	r = verify(p, 0);
	ck_assert_int_eq(r->verdict, MMBUF_VERDICT_CORRUPT);
	ck_assert_err(r->slot_status[other], MMBUF_ECHECKSUM);
	ck_assert_err(r->error, MMBUF_ECHECKSUM);
	ck_assert_uint_eq(r->bytes_checked, 2 * MIB);
	ck_assert_uint_eq(r->nbad, 0);
	mmbuf_report_free(r);

	tu_truncate(p, full - 1);
	r = verify(p, 0);
	ck_assert_int_eq(r->verdict, MMBUF_VERDICT_CORRUPT);
	ck_assert_err(r->error, MMBUF_ETRUNCATED);
	ck_assert_uint_eq(r->expected_size, full);
	ck_assert_uint_eq(r->file_size, full - 1);
	mmbuf_report_free(r);

	tu_write_file(tu_path("text"), "hello\n", 6);
	r = verify(tu_path("text"), 0);
	ck_assert_int_eq(r->verdict, MMBUF_VERDICT_FAILED);
	ck_assert_err(r->error, MMBUF_EMAGIC);
	mmbuf_report_free(r);

	r = verify(tu_path("absent"), 0);
	ck_assert_int_eq(r->verdict, MMBUF_VERDICT_FAILED);
	ck_assert_err(r->error, -ENOENT);
	mmbuf_report_free(r);

	r = verify(tu_dir, 0);
	ck_assert_int_eq(r->verdict, MMBUF_VERDICT_FAILED);
	ck_assert_err(r->error, MMBUF_ENOTREG);
	mmbuf_report_free(r);
}
END_TEST

START_TEST(test_seal_errors)
{
	const char *p = sealed("e.mmb", 8192, 0, 0, 1);
	mmbuf_create_opts o;
	mmbuf *b;

	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_err(mmbuf_seal(b, 0, 0, 0, NULL, NULL), MMBUF_EREADONLY);
	ck_assert_int_eq(mmbuf_close(b), 0);
	b = tu_open(p, MMBUF_RDWR);
	ck_assert_err(mmbuf_seal(b, 11, 0, 0, NULL, NULL), -EINVAL);
	ck_assert_err(mmbuf_seal(b, 31, 0, 0, NULL, NULL), -EINVAL);
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_err(mmbuf_verify_path(p, 0, 0, NULL, NULL, NULL), -EINVAL);

	/* Capacity 0 and length 0 seal to an empty table. */
	tu_opts(&o, 0);
	b = tu_create("z.mmb", &o);
	ck_assert_int_eq(mmbuf_seal(b, 0, 0, 0, NULL, NULL), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
	{
		mmbuf_report *r = verify(tu_path("z.mmb"), 0);

		ck_assert_int_eq(r->verdict, MMBUF_VERDICT_OK);
		ck_assert_uint_eq(r->bytes_checked, 0);
		mmbuf_report_free(r);
	}
}
END_TEST

/* Resealing with bigger blocks shrinks the table and the file. */
START_TEST(test_reseal)
{
	const char *p = sealed("r.mmb", 64 * 4096, 12, 0, 3);
	uint64_t before = tu_file_size(p);
	mmbuf_report *r;
	mmbuf *b;

	b = tu_open(p, MMBUF_RDWR);
	ck_assert_int_eq(mmbuf_seal(b, 16, 0, 0, NULL, NULL), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_uint_lt(tu_file_size(p), before);
	r = verify(p, 0);
	ck_assert_int_eq(r->verdict, MMBUF_VERDICT_OK);
	ck_assert_uint_eq(r->block_size, 65536);
	mmbuf_report_free(r);
	/* A sealed file opens for writing: the library keeps the table. */
	b = tu_open(p, MMBUF_RDWR);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), 64 * 4096, 3), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* What the file's current slot says while a seal hashes. */
struct on_disk {
	const char *path;
	unsigned state;
	int calls;
};

static int read_state(uint64_t done, uint64_t total, void *arg)
{
	struct on_disk *d = arg;
	uint8_t s[MMBUF_SLOT_SIZE];

	(void)done;
	(void)total;
	if (d->calls++ == 0) {
		tu_slot_read(d->path, tu_current_slot(d->path), s);
		d->state = tu_le32(s + TU_STATE);
	}
	return 0;
}

/*
 * Sealing again, in the same session, a buffer sealed with a table: the
 * new table overwrites the old one, so the file stops vouching for it
 * before (mmbuf(5), step 2 of sealing): a seal that fails or dies while
 * it writes the table never leaves a sealed header over a table of
 * another block size.
 */
START_TEST(test_reseal_unseals_first)
{
	const uint64_t cap = 16 * 4096;
	struct on_disk d = {.path = tu_path("u.mmb")};
	mmbuf *b = filled("u.mmb", cap, 9);
	mmbuf_report *r;

	ck_assert_int_eq(mmbuf_seal(b, 12, 0, 1, NULL, NULL), 0);
	ck_assert_uint_ne(mmbuf_state(b) & MMBUF_STATE_SEALED, 0);
	ck_assert_int_eq(mmbuf_seal(b, 13, 0, 1, read_state, &d), 0);
	ck_assert_int_gt(d.calls, 0);
	ck_assert_uint_eq(d.state & MMBUF_STATE_SEALED, 0);
	ck_assert_uint_ne(mmbuf_state(b) & MMBUF_STATE_SEALED, 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
	r = verify(d.path, 1);
	ck_assert_int_eq(r->verdict, MMBUF_VERDICT_OK);
	ck_assert_uint_eq(r->block_size, 8192);
	mmbuf_report_free(r);
}
END_TEST

/* Repair rewrites the damaged slot from the intact one, keeps the seal,
 * and never touches the data; a dry run writes nothing. */
START_TEST(test_repair)
{
	const char *p = sealed("rep.mmb", 3 * MIB, 0, 0, 12);
	uint8_t *before, *after;
	size_t nb, na;
	mmbuf_report *r;
	mmbuf *b;
	int cur, other, slot;

	ck_assert_int_eq(mmbuf_repair_path(p, 0, &slot), 0);
	ck_assert_int_eq(slot, -1);
	cur = tu_current_slot(p);
	other = 1 - cur;
	tu_flip(p, (uint64_t)other * 4096 + TU_LABEL + 3);
	before = tu_read_file(p, &nb);

	ck_assert_int_eq(mmbuf_repair_path(p, MMBUF_REPAIR_DRY_RUN, &slot), 0);
	ck_assert_int_eq(slot, other);
	after = tu_read_file(p, &na);
	ck_assert_uint_eq(na, nb);
	ck_assert_int_eq(memcmp(before, after, nb), 0);
	free(after);

	/* Refused while a writer has it open, dry or not. */
	b = tu_open(p, MMBUF_RDWR);
	ck_assert_err(mmbuf_repair_path(p, 0, NULL), MMBUF_EBUSY);
	ck_assert_err(mmbuf_repair_path(p, MMBUF_REPAIR_DRY_RUN, NULL), MMBUF_EBUSY);
	/* The writer fixed the damaged slot itself by committing into it:
	 * start again from a fresh seal. */
	ck_assert_int_eq(mmbuf_seal(b, 0, 0, 0, NULL, NULL), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
	cur = tu_current_slot(p);
	other = 1 - cur;
	tu_flip(p, (uint64_t)other * 4096 + TU_LENGTH);
	free(before);
	before = tu_read_file(p, &nb);

	ck_assert_int_eq(mmbuf_repair_path(p, 0, &slot), 0);
	ck_assert_int_eq(slot, other);
	after = tu_read_file(p, &na);
	/* Only that slot's page changed: the data, the table, the slot in
	 * use are as they were. */
	ck_assert_int_eq(memcmp(before + (size_t)cur * 4096,
				after + (size_t)cur * 4096, 4096), 0);
	ck_assert_int_eq(memcmp(before + 8192, after + 8192, nb - 8192), 0);
	free(before);
	free(after);
	r = verify(p, 0);
	ck_assert_int_eq(r->verdict, MMBUF_VERDICT_OK);
	ck_assert_int_eq(r->slot_status[0], 0);
	ck_assert_int_eq(r->slot_status[1], 0);
	ck_assert_int_eq(r->slot, other);
	mmbuf_report_free(r);

	/* Both slots damaged: nothing can serve, nothing is written. */
	tu_flip(p, TU_LENGTH);
	tu_flip(p, 4096 + TU_LENGTH);
	before = tu_read_file(p, &nb);
	ck_assert_err(mmbuf_repair_path(p, 0, &slot), MMBUF_ECHECKSUM);
	ck_assert_int_eq(slot, -1);
	after = tu_read_file(p, &na);
	ck_assert_int_eq(memcmp(before, after, nb), 0);
	free(before);
	free(after);
	ck_assert_err(mmbuf_repair_path(tu_path("none"), 0, NULL), -ENOENT);

	/* A sealed buffer's clean close leaves the clean, sealed state in
	 * both slots: losing the current one loses nothing. */
	p = sealed("both.mmb", 2 * MIB, 0, 0, 13);
	for (int i = 0; i < 2; i++) {
		uint8_t s[MMBUF_SLOT_SIZE];

		tu_slot_read(p, i, s);
		ck_assert_uint_eq(tu_le32(s + TU_STATE), MMBUF_STATE_SEALED);
	}
	cur = tu_current_slot(p);
	tu_flip(p, (uint64_t)cur * 4096 + TU_LABEL);
	r = verify(p, 0);
	ck_assert_int_eq(r->verdict, MMBUF_VERDICT_CORRUPT);
	ck_assert_uint_eq(r->nbad, 0);
	mmbuf_report_free(r);
	ck_assert_int_eq(mmbuf_repair_path(p, 0, &slot), 0);
	ck_assert_int_eq(slot, cur);
	r = verify(p, 0);
	ck_assert_int_eq(r->verdict, MMBUF_VERDICT_OK);
	mmbuf_report_free(r);
	ck_assert_err(mmbuf_repair_path(p, 0x80, NULL), -EINVAL);
}
END_TEST

struct progress_log {
	int calls;
	uint64_t last, total;
	bool monotonic;
};

static int log_progress(uint64_t done, uint64_t total, void *arg)
{
	struct progress_log *l = arg;

	if (done < l->last || done > total)
		l->monotonic = false;
	l->calls++;
	l->last = done;
	l->total = total;
	return 0;
}

/* Progress reaches the total, never goes back, and comes about once per
 * block (here: many blocks, several threads). */
START_TEST(test_progress)
{
	const uint64_t cap = 40 * 4096 + 10;
	struct progress_log l = {.monotonic = true};
	mmbuf *b = filled("p.mmb", cap, 21);
	mmbuf_report *r;

	ck_assert_int_eq(mmbuf_seal(b, 12, 0, 3, log_progress, &l), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
	/* Each byte is hashed twice: into the whole data's hash and into
	 * its block's. */
	ck_assert_uint_eq(l.total, 2 * cap);
	ck_assert_uint_eq(l.last, 2 * cap);
	ck_assert(l.monotonic);
	ck_assert_int_ge(l.calls, 2);
	/* The whole-data stream's 41 blocks, the blocks the calling thread
	 * hashes too, the end. */
	ck_assert_int_le(l.calls, 83);

	memset(&l, 0, sizeof l);
	l.monotonic = true;
	ck_assert_int_eq(mmbuf_verify_path(tu_path("p.mmb"), 0, 2, log_progress,
					   &l, &r), 0);
	ck_assert_int_eq(r->verdict, MMBUF_VERDICT_OK);
	mmbuf_report_free(r);
	ck_assert_uint_eq(l.total, cap);
	ck_assert_uint_eq(l.last, cap);
	ck_assert(l.monotonic);
	ck_assert_int_ge(l.calls, 1);
	ck_assert_int_le(l.calls, 42); /* 41 blocks and the end */

	/* mmbuf_verify() of a handle reports the same way. */
	memset(&l, 0, sizeof l);
	l.monotonic = true;
	ck_assert_int_eq(mmbuf_open(tu_path("p.mmb"), MMBUF_RDONLY, &b), 0);
	ck_assert_int_eq(mmbuf_verify(b, 0, 2, log_progress, &l, &r), 0);
	ck_assert_int_eq(r->verdict, MMBUF_VERDICT_OK);
	mmbuf_report_free(r);
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_uint_eq(l.total, cap);
	ck_assert_uint_eq(l.last, cap);
	ck_assert(l.monotonic);
	ck_assert_int_ge(l.calls, 1);
}
END_TEST

/*
 * A sealed sparse buffer of cap bytes, length 0, with 4 KiB blocks, forged
 * as a sealing writer would leave it, without mapping it (valgrind cannot
 * map tens of GiB) and without writing a table of cap / 512 bytes to the
 * disk: its table is a hole, and every entry is right, since past the
 * length they are all 0.
 */
static const char *forged_seal(const char *name, uint64_t cap)
{
	const char *p = tu_path(name);
	uint8_t hdr[MMBUF_HEADER_SIZE];
	tu_hdr h;

	tu_hdr_init(&h, cap);
	h.generation = 3;
	h.length = 0;
	h.compat = MMBUF_COMPAT_DATA_CHECKSUM;
	h.ro_compat = MMBUF_RO_COMPAT_LOCKING | MMBUF_RO_COMPAT_BLOCK_TABLE;
	h.block_shift = 12;
	h.table_offset = 8192 + cap;
	h.table_size = cap / 4096 * 8;
	h.file_size = h.table_offset + h.table_size;
	h.data_checksum = XXH3_64bits("", 0);
	h.checksum_generation = 2;
	h.state = MMBUF_STATE_SEALED;
	tu_encode_header(&h, hdr);
	tu_write_file(p, hdr, sizeof hdr);
	tu_truncate(p, h.file_size);
	return p;
}

/*
 * The header sets the size of the block table: an 8 KiB sparse file can
 * claim one of gigabytes.  Verifying reads and compares it a slice at a
 * time, so the memory it takes does not grow with the table.  Measured by
 * the growth of the peak RSS of a child that verifies a table of 128 MiB
 * (64 GiB of capacity in 4 KiB blocks): it was more than 128 MiB when the
 * whole table was loaded.
 */
START_TEST(test_verify_memory)
{
	const char *p = forged_seal("big.mmb", 64ull << 30);
	int up[2], v = 0;
	pid_t pid;

	ck_assert_int_eq(pipe(up), 0);
	pid = tu_fork();
	if (pid == 0) {
		struct rusage before, after;
		mmbuf_report *r = NULL;

		close(up[0]);
		if (getrusage(RUSAGE_SELF, &before) != 0 ||
		    mmbuf_verify_path(p, 0, 2, NULL, NULL, &r) != 0 ||
		    getrusage(RUSAGE_SELF, &after) != 0)
			_exit(1);
		if (r->verdict != MMBUF_VERDICT_OK)
			_exit(2);
		mmbuf_report_free(r);
		/* KiB, on Linux. */
		tu_send(up[1], (int)(after.ru_maxrss - before.ru_maxrss));
		_exit(0);
	}
	close(up[1]);
	ck_assert_msg(tu_recv(up[0], &v), "the child sent nothing");
	close(up[0]);
	ck_assert_int_eq(tu_wait(pid), 0);
	ck_assert_msg(v < 32 * 1024, "verifying a 128 MiB table took %d KiB",
		      v);
}
END_TEST

/* Damage that crosses from one slice of the table to the next is still
 * one run: here table entries past the length, which must be 0, from
 * entry 1000 to the last, in a table of more than one slice. */
START_TEST(test_verify_run_across_slices)
{
	const uint64_t cap = 300000ull * 4096;
	const char *p = forged_seal("runs.mmb", cap);
	uint64_t n = cap / 4096, first = 1000;
	uint8_t *junk = malloc((size_t)(n - first) * 8);
	mmbuf_report *r;

	ck_assert_ptr_nonnull(junk);
	memset(junk, 0x5a, (size_t)(n - first) * 8);
	tu_pwrite(p, 8192 + cap + first * 8, junk, (size_t)(n - first) * 8);
	free(junk);
	r = verify(p, 2);
	ck_assert_int_eq(r->verdict, MMBUF_VERDICT_CORRUPT);
	ck_assert_uint_eq(r->nbad, 1);
	ck_assert_uint_eq(r->bad[0].first_block, first);
	ck_assert_uint_eq(r->bad[0].last_block, n - 1);
	ck_assert_uint_eq(r->bad[0].offset, first * 4096);
	ck_assert_uint_eq(r->bad[0].end, cap);
	mmbuf_report_free(r);
}
END_TEST

/* A seal writes a table of more than one slice, each at its place, and
 * verifies; entries past the length are 0. */
START_TEST(test_seal_large_table)
{
	const uint64_t cap = 300000ull * 4096, n = cap / 4096;
	const char *p = tu_path("seal.mmb");
	uint8_t e[8], *data;
	mmbuf_create_opts o;
	mmbuf_report *r;
	mmbuf *b;

	tu_opts(&o, cap);
	o.length = 2 * 4096;
	o.flags = MMBUF_CREATE_SPARSE;
	b = tu_create("seal.mmb", &o);
	data = mmbuf_data(b);
	tu_fill(data, 2 * 4096, 77);
	ck_assert_int_eq(mmbuf_seal(b, 12, 0, 2, NULL, NULL), 0);
	for (uint64_t k = 0; k < 2; k++) {
		tu_pread(p, 8192 + cap + k * 8, e, 8);
		ck_assert_uint_eq(tu_le64(e), XXH3_64bits(data + k * 4096, 4096));
	}
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_uint_eq(tu_file_size(p), 8192 + cap + n * 8);
	for (uint64_t k = 2; k < n; k += n / 7) {
		tu_pread(p, 8192 + cap + k * 8, e, 8);
		ck_assert_uint_eq(tu_le64(e), 0);
	}
	tu_pread(p, 8192 + cap + (n - 1) * 8, e, 8);
	ck_assert_uint_eq(tu_le64(e), 0);
	r = verify(p, 2);
	ck_assert_int_eq(r->verdict, MMBUF_VERDICT_OK);
	ck_assert_uint_eq(r->bytes_checked, 2 * 4096);
	mmbuf_report_free(r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Hashing in place (MMBUF_CHECKSUM_MAPPED) and stopping from progress  */

/* In place or with pread(2), on any number of threads, a seal stores the
 * same checksums, and a verification finds the same damage. */
START_TEST(test_mapped_equals_pread)
{
	const uint64_t cap = 40 * 65536 + 77;
	uint8_t *a, *b;
	size_t na, nb;

	sealed("pread.mmb", cap, 16, 1, 8);
	for (unsigned t = 1; t <= 3; t += 2) {
		mmbuf *w;
		mmbuf_report *r = NULL;

		unlink(tu_path("mapped.mmb"));
		w = filled("mapped.mmb", cap, 8);
		ck_assert_int_eq(mmbuf_seal(w, 16, MMBUF_CHECKSUM_MAPPED, t,
					    NULL, NULL), 0);
		ck_assert_int_eq(mmbuf_close(w), 0);
		a = tu_read_file(tu_path("pread.mmb"), &na);
		b = tu_read_file(tu_path("mapped.mmb"), &nb);
		ck_assert_uint_eq(na, nb);
		ck_assert_int_eq(memcmp(a + 8192, b + 8192, na - 8192), 0);
		free(a);
		free(b);
		ck_assert_int_eq(mmbuf_verify_path(tu_path("mapped.mmb"),
						   MMBUF_CHECKSUM_MAPPED, t,
						   NULL, NULL, &r), 0);
		ck_assert_int_eq(r->verdict, MMBUF_VERDICT_OK);
		ck_assert_uint_eq(r->bytes_checked, cap);
		mmbuf_report_free(r);
		tu_flip(tu_path("mapped.mmb"), 8192 + 3 * 65536 + 5);
		ck_assert_int_eq(mmbuf_verify_path(tu_path("mapped.mmb"),
						   MMBUF_CHECKSUM_MAPPED, t,
						   NULL, NULL, &r), 0);
		ck_assert_int_eq(r->verdict, MMBUF_VERDICT_CORRUPT);
		ck_assert_uint_eq(r->nbad, 1);
		ck_assert_uint_eq(r->bad[0].first_block, 3);
		ck_assert_uint_eq(r->bad[0].last_block, 3);
		mmbuf_report_free(r);
	}
	/* An unknown flag. */
	{
		mmbuf_report *r = NULL;
		mmbuf *w = filled("flags.mmb", 4096, 1);

		ck_assert_err(mmbuf_verify_path(tu_path("mapped.mmb"), 0x2, 0,
						NULL, NULL, &r), -EINVAL);
		ck_assert_err(mmbuf_verify(w, 0x2, 0, NULL, NULL, &r), -EINVAL);
		ck_assert_err(mmbuf_seal(w, 0, 0x2, 0, NULL, NULL), -EINVAL);
		ck_assert_int_eq(mmbuf_close(w), 0);
	}
}
END_TEST

/*
 * Truncates the file at the first progress call, if that call comes while
 * at most half of the bytes are done.  Each thread has at most one block
 * in hand beyond what it reported, so some block is then still unread and
 * the check must see the file shrink.  A later first call (another thread
 * hashed nearly everything first, as under valgrind, which runs one thread
 * at a time) leaves the file alone and says so.
 */
struct shrinker {
	const char *path;
	bool cut, late;
};

static int truncate_early(uint64_t done, uint64_t total, void *arg)
{
	struct shrinker *s = arg;

	if (done == 0 || s->cut || s->late)
		return 0;
	if (done > total / 2) {
		s->late = true;
		return 0;
	}
	ck_assert_int_eq(truncate(s->path, 8192 + 4096), 0);
	s->cut = true;
	return 0;
}

/*
 * A file truncated while it is hashed in place is MMBUF_ETRUNCATED, never
 * a crash (the SIGBUS guard of each thread), as it is with pread(2); the
 * whole-data stream of a seal too.  A try whose first progress call came
 * too late to cut the file must end as if nothing happened; the tries go
 * on until one cuts it, which must end in MMBUF_ETRUNCATED.
 */
START_TEST(test_mapped_truncated)
{
	static const unsigned flags[] = { 0, MMBUF_CHECKSUM_MAPPED };
	const uint64_t cap = 128 * 65536;
	const int tries = 20;

	for (int i = 0; i < 2; i++) {
		for (unsigned t = 1; t <= 2; t++) {
			struct shrinker s = { NULL, false, false };
			int n;

			for (n = 0; n < tries && !s.cut; n++) {
				mmbuf_report *r = NULL;

				unlink(tu_path("t.mmb"));
				s.path = sealed("t.mmb", cap, 16, 0, 4);
				s.late = false;
				ck_assert_int_eq(
					mmbuf_verify_path(s.path, flags[i], t,
							  truncate_early, &s,
							  &r),
					0);
				if (s.cut) {
					ck_assert_int_eq(r->verdict,
							 MMBUF_VERDICT_CORRUPT);
					ck_assert_err(r->error,
						      MMBUF_ETRUNCATED);
				} else {
					ck_assert_int_eq(r->verdict,
							 MMBUF_VERDICT_OK);
				}
				mmbuf_report_free(r);
			}
			ck_assert_msg(s.cut, "verify: no try of %d cut the "
				      "file in time", tries);

			s.cut = false;
			for (n = 0; n < tries && !s.cut; n++) {
				mmbuf *w;
				int err;

				unlink(s.path);
				w = filled("t.mmb", cap, 4);
				s.late = false;
				err = mmbuf_seal(w, 16, flags[i], t,
						 truncate_early, &s);
				if (s.cut)
					ck_assert_err(err, MMBUF_ETRUNCATED);
				else
					ck_assert_int_eq(err, 0);
				mmbuf_close(w); /* the file is short: may fail */
			}
			ck_assert_msg(s.cut, "seal: no try of %d cut the "
				      "file in time", tries);
		}
	}
}
END_TEST

/* The progress callback of test_verify_keeps_shrinks_out: at its first
 * call, a writer opens the file, commits a shorter length and tries to
 * shrink the capacity to it. */
struct shrink_try {
	const char *path;
	int calls, err;
};

static int shrink_now(uint64_t done, uint64_t total, void *arg)
{
	struct shrink_try *s = arg;
	mmbuf *w;

	(void)done;
	(void)total;
	if (s->calls++ > 0)
		return 0;
	ck_assert_int_eq(mmbuf_open(s->path, MMBUF_RDWR, &w), 0);
	ck_assert_int_eq(mmbuf_set_length(w, 65536, MMBUF_DURABLE_NONE), 0);
	s->err = mmbuf_resize(w, 65536, 0);
	ck_assert_int_eq(mmbuf_close(w), 0);
	return 0;
}

/*
 * mmbuf_verify_path holds the reader lock while it checks: a writer's
 * shrink then fails with MMBUF_EBUSY, as it does while a reader has the
 * buffer open, instead of cutting the file under the check.
 */
START_TEST(test_verify_keeps_shrinks_out)
{
	struct shrink_try s = { NULL, 0, 1 };
	mmbuf_report *r = NULL;

	s.path = sealed("shrink.mmb", 2 * MIB, 16, 0, 4);
	ck_assert_int_eq(mmbuf_verify_path(s.path, 0, 1, shrink_now, &s, &r),
			 0);
	ck_assert_int_gt(s.calls, 0);
	ck_assert_err(s.err, MMBUF_EBUSY);
	mmbuf_report_free(r);
	/* Afterwards, the shrink goes. */
	{
		mmbuf *w = tu_open(s.path, MMBUF_RDWR);

		ck_assert_int_eq(mmbuf_resize(w, 65536, 0), 0);
		ck_assert_int_eq(mmbuf_close(w), 0);
	}
}
END_TEST

struct stopper {
	int calls, stop_at;
};

static int stop_at(uint64_t done, uint64_t total, void *arg)
{
	struct stopper *st = arg;

	(void)done;
	(void)total;
	return ++st->calls >= st->stop_at ? -ECANCELED : 0;
}

/*
 * Progress stops a seal at once: the call returns what progress returned,
 * nothing more is committed, no table is left past the data, and the
 * buffer closes clean: never sealed stays never sealed, a seal withdrawn
 * by reopening stays withdrawn.  It stops a verification too.
 */
START_TEST(test_progress_stops)
{
	static const unsigned flags[] = { 0, MMBUF_CHECKSUM_MAPPED };
	const uint64_t cap = 64 * 65536;

	for (int i = 0; i < 2; i++) {
		for (unsigned t = 1; t <= 2; t++) {
			struct stopper st = { 0, 3 };
			mmbuf_report *r = NULL;
			const char *p = tu_path("c.mmb");
			mmbuf *w;

			unlink(p);
			w = filled("c.mmb", cap, 2);
			ck_assert_err(mmbuf_seal(w, 16, flags[i], t, stop_at,
						 &st), -ECANCELED);
			ck_assert_int_eq(st.calls, 3);
			ck_assert_uint_eq(mmbuf_state(w) & MMBUF_STATE_SEALED,
					  0);
			ck_assert_int_eq(mmbuf_close(w), 0);
			ck_assert_uint_eq(tu_file_size(p), 8192 + cap);
			r = verify(p, 0);
			ck_assert_int_eq(r->verdict,
					 MMBUF_VERDICT_UNVERIFIABLE);
			ck_assert_int_eq(r->reason, MMBUF_REASON_NEVER_SEALED);
			mmbuf_report_free(r);

			/* Sealed, reopened, stopped: modified, and clean. */
			unlink(p);
			sealed("c.mmb", cap, 16, t, 2);
			ck_assert_int_eq(mmbuf_open(p, MMBUF_RDWR, &w), 0);
			st.calls = 0;
			ck_assert_err(mmbuf_seal(w, 16, flags[i], t, stop_at,
						 &st), -ECANCELED);
			ck_assert_int_eq(mmbuf_close(w), 0);
			r = verify(p, 0);
			ck_assert_int_eq(r->verdict,
					 MMBUF_VERDICT_UNVERIFIABLE);
			ck_assert_int_eq(r->reason, MMBUF_REASON_MODIFIED);
			mmbuf_report_free(r);

			/* A verification it stops has failed.  With a second
			 * thread, the calling thread may report only once, at
			 * the end (the other took every block first, as under
			 * valgrind, which runs one thread at a time): stop it
			 * at the first call then. */
			unlink(p);
			sealed("c.mmb", cap, 16, t, 2);
			st.calls = 0;
			st.stop_at = t == 1 ? 3 : 1;
			ck_assert_int_eq(mmbuf_verify_path(p, flags[i], t,
							   stop_at, &st, &r),
					 0);
			ck_assert_int_eq(st.calls, st.stop_at);
			ck_assert_int_eq(r->verdict, MMBUF_VERDICT_FAILED);
			ck_assert_err(r->error, -ECANCELED);
			mmbuf_report_free(r);
		}
	}
}
END_TEST

Suite *mmbuf_seal_suite(void);

Suite *mmbuf_seal_suite(void)
{
	Suite *s = suite_create("seal");
	TCase *tc;

	tc = tu_tcase(s, "checksum", 30);
	tcase_add_test(tc, test_checksum_function);
	tc = tu_tcase(s, "seal", 60);
	tcase_add_test(tc, test_seal_contents);
	tcase_add_test(tc, test_parallel_equals_serial);
	tcase_add_test(tc, test_seal_errors);
	tcase_add_test(tc, test_reseal);
	tcase_add_test(tc, test_reseal_unseals_first);
	tcase_add_test(tc, test_progress);
	tc = tu_tcase(s, "verify", 60);
	tcase_add_test(tc, test_verify_ok);
	tcase_add_test(tc, test_verify_damaged_blocks);
	tcase_add_test(tc, test_verify_many_runs);
	tcase_add_test(tc, test_verify_damaged_table);
	tcase_add_test(tc, test_verify_whole_checksum);
	tcase_add_test(tc, test_verify_header_and_file);
	tc = tu_tcase(s, "verify_large_table", 60);
	tcase_add_test(tc, test_verify_memory);
	tcase_add_test(tc, test_verify_run_across_slices);
	tcase_add_test(tc, test_seal_large_table);
	tc = tu_tcase(s, "mapped", 60);
	tcase_add_test(tc, test_mapped_equals_pread);
	tcase_add_test(tc, test_mapped_truncated);
	tcase_add_test(tc, test_verify_keeps_shrinks_out);
	tcase_add_test(tc, test_progress_stops);
	tc = tu_tcase(s, "repair", 60);
	tcase_add_test(tc, test_repair);
	tc = tu_tcase(s, "unverifiable", 60);
	tcase_add_test(tc, test_unverifiable);
	return s;
}
