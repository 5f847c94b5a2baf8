/*
 * check_errors.c - error codes and their messages, and every way an open
 * can fail: files that are not buffers, damaged, forged, truncated, not
 * regular, missing or forbidden.  A failed open must leave *out NULL,
 * leave the file as it was, and never crash.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define CAP (16 * 4096)

/* ---------------------------------------------------------------- */
/* Codes and messages                                                */

static const struct {
	int value;
	const char *name, *msg;
} codes[] = {
#define CODE_(name, value, msg) {MMBUF_E##name, "MMBUF_E" #name, msg},
	MMBUF_ERROR_MAP(CODE_)
#undef CODE_
};
#define NCODES (sizeof codes / sizeof codes[0])

START_TEST(test_error_map)
{
	ck_assert_uint_ge(NCODES, 16);
	for (size_t i = 0; i < NCODES; i++) {
		const char *msg = mmbuf_strerror(codes[i].value);
		const char *name = mmbuf_err_name(codes[i].value);

		ck_assert_ptr_nonnull(msg);
		ck_assert_ptr_nonnull(name);
		ck_assert_msg(*msg != '\0', "%s has no message", codes[i].name);
		ck_assert_str_eq(msg, codes[i].msg);
		ck_assert_str_eq(name, codes[i].name);
		ck_assert_msg(strncmp(name, "MMBUF_E", 7) == 0 && name[7] != '\0',
			      "bad name %s", name);
		ck_assert_int_ge(codes[i].value, MMBUF_ERR_MIN);
		ck_assert_int_le(codes[i].value, MMBUF_ERR_MAX);
		ck_assert_str_ne(msg, mmbuf_strerror(0));
		ck_assert_str_ne(name, "UNKNOWN");
		for (size_t j = 0; j < i; j++) {
			ck_assert_int_ne(codes[i].value, codes[j].value);
			ck_assert_str_ne(msg, mmbuf_strerror(codes[j].value));
			ck_assert_str_ne(name, mmbuf_err_name(codes[j].value));
		}
	}
}
END_TEST

START_TEST(test_errno_messages)
{
	static const struct {
		int e;
		const char *name;
	} errs[] = {
		{ENOENT, "ENOENT"}, {EACCES, "EACCES"}, {EEXIST, "EEXIST"},
		{EINVAL, "EINVAL"}, {ENOSPC, "ENOSPC"}, {ENOMEM, "ENOMEM"},
		{EIO, "EIO"},       {EBUSY, "EBUSY"},   {ENOTDIR, "ENOTDIR"},
		{EFBIG, "EFBIG"},   {EPERM, "EPERM"},
	};

	for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
		const char *msg = mmbuf_strerror(-errs[i].e);

		ck_assert_ptr_nonnull(msg);
		ck_assert_str_eq(msg, strerror(errs[i].e));
		ck_assert_str_eq(mmbuf_err_name(-errs[i].e), errs[i].name);
		for (size_t j = 0; j < NCODES; j++)
			ck_assert_str_ne(msg, codes[j].msg);
	}
}
END_TEST

START_TEST(test_success_and_unknown)
{
	static const int unknown[] = {
		1, 2, 12345, INT_MAX, INT_MIN, INT_MIN + 1, MMBUF_ERR_MIN,
		MMBUF_ERR_MAX, -10018, -10098, -100000,
	};

	ck_assert_ptr_nonnull(mmbuf_strerror(0));
	ck_assert_msg(strcasestr(mmbuf_strerror(0), "success") != NULL,
		      "strerror(0) = \"%s\"", mmbuf_strerror(0));
	ck_assert_str_eq(mmbuf_err_name(0), "OK");
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
		const char *msg = mmbuf_strerror(unknown[i]);

		ck_assert_ptr_nonnull(msg);
		ck_assert_msg(*msg != '\0', "no message for %d", unknown[i]);
		ck_assert_str_eq(mmbuf_err_name(unknown[i]), "UNKNOWN");
		ck_assert_str_ne(msg, mmbuf_strerror(0));
	}
	/* An errno with no name is not a crash either. */
	ck_assert_ptr_nonnull(mmbuf_strerror(-4000));
	ck_assert_ptr_nonnull(mmbuf_err_name(-4000));
	ck_assert_ptr_nonnull(mmbuf_version());
	ck_assert_str_eq(mmbuf_version(), PACKAGE_VERSION);
}
END_TEST

/* The version macros of mmbuf.h: the library's come from the package
 * version, and agree with each other and with mmbuf_version(); the
 * format's are those of mmbuf(5). */
START_TEST(test_version_macros)
{
	char s[64];

	ck_assert_str_eq(MMBUF_VERSION_STRING, PACKAGE_VERSION);
	ck_assert_str_eq(MMBUF_VERSION_STRING, mmbuf_version());
	snprintf(s, sizeof s, "%d.%d.%d", MMBUF_VERSION_MAJOR,
		 MMBUF_VERSION_MINOR, MMBUF_VERSION_PATCH);
	ck_assert_str_eq(s, MMBUF_VERSION_STRING);
	ck_assert_int_eq(MMBUF_VERSION_NUMBER,
			 MMBUF_VERSION_MAJOR * 10000 +
				 MMBUF_VERSION_MINOR * 100 +
				 MMBUF_VERSION_PATCH);
	ck_assert_int_eq(MMBUF_FORMAT_VERSION_MAJOR, 1);
	ck_assert_int_eq(MMBUF_FORMAT_VERSION_MINOR, 1);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Opens that fail                                                   */

/*
 * The open in one mode fails with want, with *out NULL and a message, and
 * the file (if it is one we can read) is left as it was.
 */
static void refuse_mode(const char *path, unsigned flags, int want)
{
	struct stat st;
	uint8_t *before = NULL, *after;
	size_t n1 = 0, n2;
	bool regular = stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		       access(path, R_OK) == 0;
	mmbuf *b = (mmbuf *)&st;
	int rc;

	if (regular)
		before = tu_read_file(path, &n1);
	rc = mmbuf_open(path, flags, &b);
	ck_assert_msg(rc == want, "%s (%s): got %s, want %s", path,
		      flags & MMBUF_RDWR ? "rdwr" : "rdonly", mmbuf_err_name(rc),
		      mmbuf_err_name(want));
	ck_assert_ptr_null(b);
	ck_assert(*mmbuf_strerror(rc) != '\0');
	ck_assert_str_ne(mmbuf_err_name(rc), "UNKNOWN");
	if (regular) {
		after = tu_read_file(path, &n2);
		ck_assert_uint_eq(n1, n2);
		ck_assert_mem_eq(before, after, n1);
		free(before);
		free(after);
	}
}

static void refuse(const char *path, int want)
{
	refuse_mode(path, MMBUF_RDONLY, want);
	refuse_mode(path, MMBUF_RDWR, want);
}

START_TEST(test_not_regular)
{
	const char *fifo = tu_path("fifo");

	ck_assert_int_eq(mkdir(tu_path("dir"), 0755), 0);
	refuse(tu_path("dir"), MMBUF_ENOTREG);
	/* A FIFO with no writer: must not hang (the test would time out). */
	ck_assert_int_eq(mkfifo(fifo, 0644), 0);
	refuse(fifo, MMBUF_ENOTREG);
	refuse("/dev/null", MMBUF_ENOTREG);
	refuse("/dev/zero", MMBUF_ENOTREG);
	ck_assert_int_eq(symlink("fifo", tu_path("to-fifo")), 0);
	refuse(tu_path("to-fifo"), MMBUF_ENOTREG);
	ck_assert_int_eq(symlink("dir", tu_path("to-dir")), 0);
	refuse(tu_path("to-dir"), MMBUF_ENOTREG);

	/* A symlink to a buffer is fine. */
	tu_create_closed("buf.mmb", 100, 1);
	ck_assert_int_eq(symlink("buf.mmb", tu_path("to-buf")), 0);
	ck_assert_int_eq(mmbuf_close(tu_open(tu_path("to-buf"), MMBUF_RDONLY)),
			 0);
	ck_assert_int_eq(mmbuf_close(tu_open(tu_path("to-buf"), MMBUF_RDWR)),
			 0);
}
END_TEST

START_TEST(test_missing)
{
	refuse(tu_path("nothing.mmb"), -ENOENT);
	refuse(tu_path("no/such/dir.mmb"), -ENOENT);
	refuse("", -ENOENT);
	ck_assert_int_eq(symlink("nowhere", tu_path("dangling")), 0);
	refuse(tu_path("dangling"), -ENOENT);
	tu_write_file(tu_path("file"), "x", 1);
	refuse(tu_path("file/below"), -ENOTDIR);
}
END_TEST

/*
 * Permission denied, for real: as root, a child drops to uid/gid 65534
 * (root would read a mode 000 file); otherwise the owner's own modes deny.
 */
START_TEST(test_permission_denied)
{
	const char *secret = tu_path("secret.mmb");
	const char *public = tu_path("public.mmb");
	int up[2], status, got[5];
	static const char *const what[5] = {
		"rdonly open of a mode 000 file",
		"rdwr open of a mode 000 file",
		"rdonly open of a mode 0444 file",
		"rdwr open of a mode 0444 file",
		"create in a mode 0555 directory",
	};
	const int want[5] = {-EACCES, -EACCES, 0, -EACCES, -EACCES};
	pid_t pid;

	tu_create_closed("secret.mmb", 4096, 1);
	tu_create_closed("public.mmb", 4096, 2);
	ck_assert_int_eq(chmod(secret, 0), 0);
	ck_assert_int_eq(chmod(public, 0444), 0);
	/* Let the unprivileged user reach the files, but not write here. */
	ck_assert_int_eq(chmod(tu_root, 0755), 0);
	ck_assert_int_eq(chmod(tu_dir, 0555), 0);

	ck_assert_int_eq(pipe(up), 0);
	pid = tu_fork();
	if (pid == 0) {
		mmbuf_create_opts o;
		mmbuf *b = NULL;

		close(up[0]);
		tu_become_nobody();
		if (access(tu_dir, X_OK) != 0)
			_exit(103);
		tu_send(up[1], mmbuf_open(secret, MMBUF_RDONLY, &b));
		mmbuf_close(b);
		b = NULL;
		tu_send(up[1], mmbuf_open(secret, MMBUF_RDWR, &b));
		mmbuf_close(b);
		b = NULL;
		tu_send(up[1], mmbuf_open(public, MMBUF_RDONLY, &b));
		mmbuf_close(b);
		b = NULL;
		tu_send(up[1], mmbuf_open(public, MMBUF_RDWR, &b));
		mmbuf_close(b);
		b = NULL;
		mmbuf_create_opts_init(&o);
		o.capacity = 4096;
		tu_send(up[1], mmbuf_create(tu_path("new.mmb"), &o, &b));
		mmbuf_close(b);
		_exit(0);
	}
	close(up[1]);
	for (int i = 0; i < 5; i++)
		if (!tu_recv(up[0], &got[i]))
			break;
	close(up[0]);
	status = tu_wait(pid);
	ck_assert_msg(!(WIFEXITED(status) && WEXITSTATUS(status) == 101),
		      "cannot drop privileges to 65534");
	ck_assert_msg(!(WIFEXITED(status) && WEXITSTATUS(status) == 103),
		      "uid 65534 cannot reach %s: set TMPDIR to a directory "
		      "it can traverse", tu_dir);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child: status %#x", status);
	for (int i = 0; i < 5; i++)
		ck_assert_msg(got[i] == want[i], "%s: got %s, want %s", what[i],
			      mmbuf_err_name(got[i]), mmbuf_err_name(want[i]));
	ck_assert_int_eq(chmod(tu_dir, 0700), 0);
	ck_assert_int_eq(tu_dir_entries(tu_dir), 2);
}
END_TEST

START_TEST(test_not_buffers)
{
	static const char magic_only[] = MMBUF_MAGIC;
	uint8_t *junk = malloc(3 * 8192);

	ck_assert_ptr_nonnull(junk);
	tu_write_file(tu_path("empty"), "", 0);
	refuse(tu_path("empty"), MMBUF_EMAGIC);
	tu_write_file(tu_path("hello"), "hello", 5);
	refuse(tu_path("hello"), MMBUF_EMAGIC);
	tu_write_file(tu_path("magic8"), magic_only, 8);
	refuse(tu_path("magic8"), MMBUF_ETRUNCATED);
	tu_write_file(tu_path("magic3"), magic_only, 3);
	refuse(tu_path("magic3"), MMBUF_EMAGIC);
	memset(junk, 0, 3 * 8192);
	tu_write_file(tu_path("zeros"), junk, 3 * 8192);
	refuse(tu_path("zeros"), MMBUF_EMAGIC);
	tu_fill(junk, 3 * 8192, 1234);
	tu_write_file(tu_path("noise"), junk, 3 * 8192);
	refuse(tu_path("noise"), MMBUF_EMAGIC);
	/* The magic on noise: a header that fails its checksum. */
	memcpy(junk, MMBUF_MAGIC, 8);
	memcpy(junk + 4096, MMBUF_MAGIC, 8);
	tu_write_file(tu_path("noise2"), junk, 3 * 8192);
	refuse(tu_path("noise2"), MMBUF_ECHECKSUM);
	free(junk);
}
END_TEST

/* Damage or forge slot s (or both, s == 2) of path with fn; CRC fixed
 * when fix is set. */
static void forge(const char *path, int s, bool fix,
		  void (*fn)(uint8_t *slot, void *arg), void *arg)
{
	for (int i = 0; i < 2; i++) {
		uint8_t slot[MMBUF_SLOT_SIZE];

		if (s != 2 && s != i)
			continue;
		tu_slot_read(path, i, slot);
		fn(slot, arg);
		if (fix)
			tu_fix_crc(slot);
		tu_slot_write(path, i, slot);
	}
}

static void set64(uint8_t *slot, void *arg)
{
	const uint64_t *kv = arg; /* offset, value */

	tu_put64(slot + kv[0], kv[1]);
}

static void set16(uint8_t *slot, void *arg)
{
	const uint64_t *kv = arg;

	tu_put16(slot + kv[0], (uint16_t)kv[1]);
}

static void set32(uint8_t *slot, void *arg)
{
	const uint64_t *kv = arg;

	tu_put32(slot + kv[0], (uint32_t)kv[1]);
}

static void flip(uint8_t *slot, void *arg)
{
	slot[*(const uint64_t *)arg] ^= 0xff;
}

static void torn(uint8_t *slot, void *arg)
{
	(void)arg;
	tu_put64(slot + TU_GENERATION_TAIL, tu_le64(slot + TU_GENERATION) + 2);
}

/* A fresh, cleanly closed buffer (current slot 1, gen 3). */
static const char *fresh(void)
{
	const char *p = tu_path("f.mmb");

	if (tu_exists(p))
		ck_assert_int_eq(unlink(p), 0);
	tu_create_closed("f.mmb", CAP, 77);
	return p;
}

START_TEST(test_damaged_both_slots)
{
	const char *p;
	uint64_t off;

	p = fresh();
	off = TU_LENGTH;
	forge(p, 2, false, flip, &off);
	refuse(p, MMBUF_ECHECKSUM);

	p = fresh();
	off = TU_CRC + 1;
	forge(p, 2, false, flip, &off);
	refuse(p, MMBUF_ECHECKSUM);

	p = fresh();
	off = 0;
	forge(p, 2, false, flip, &off);
	refuse(p, MMBUF_EMAGIC);

	p = fresh();
	forge(p, 2, true, torn, NULL);
	refuse(p, MMBUF_ETORN);

	/* The first slot with a good magic names the error. */
	p = fresh();
	off = 3;
	forge(p, 0, false, flip, &off);
	forge(p, 1, true, torn, NULL);
	refuse(p, MMBUF_ETORN);
}
END_TEST

/* The newest slot decides version and incompat features: no rollback. */
START_TEST(test_forged_version_feature)
{
	uint64_t kv[2];
	const char *p;
	mmbuf *b;

	/* After a clean close the newest is gen 3, in slot 1. */
	p = fresh();
	ck_assert_int_eq(tu_current_slot(p), 1);
	kv[0] = TU_VERSION_MAJOR;
	kv[1] = 2;
	forge(p, 1, true, set16, kv);
	refuse(p, MMBUF_EVERSION);
	/* In the older slot only: opens from the newest. */
	p = fresh();
	forge(p, 0, true, set16, kv);
	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(mmbuf_generation(b), 3);
	ck_assert_int_eq(mmbuf_close(b), 0);

	p = fresh();
	kv[0] = TU_INCOMPAT;
	kv[1] = 1;
	forge(p, 1, true, set64, kv);
	refuse(p, MMBUF_EFEATURE);
	p = fresh();
	kv[1] = 1ull << 63;
	forge(p, 2, true, set64, kv);
	refuse(p, MMBUF_EFEATURE);
}
END_TEST

/* Unknown ro_compat: readable, not writable; unknown compat: ignored. */
START_TEST(test_forged_ro_compat)
{
	uint64_t kv[2];
	const char *p;
	mmbuf *b;
	mmbuf_info info;

	p = fresh();
	kv[0] = TU_RO_COMPAT;
	kv[1] = MMBUF_RO_COMPAT_LOCKING | 1ull << 20;
	forge(p, 2, true, set64, kv);
	refuse_mode(p, MMBUF_RDWR, MMBUF_EROFEATURE);
	b = tu_open(p, MMBUF_RDONLY);
	mmbuf_get_info(b, &info);
	ck_assert_uint_eq(info.ro_compat, kv[1]);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), CAP, 77), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);

	/* BLOCK_TABLE is known and maintained (mmbuf_seal): a file with a
	 * valid forged table opens for writing too, and the open makes the
	 * table stale (SEALED stays clear). */
	p = fresh();
	{
		const uint64_t table_offset = 8192 + CAP; /* a page multiple */
		const uint64_t table_size = 8 * (CAP >> 12);

		kv[0] = TU_RO_COMPAT;
		kv[1] = MMBUF_RO_COMPAT_LOCKING | MMBUF_RO_COMPAT_BLOCK_TABLE;
		forge(p, 2, false, set64, kv);
		kv[0] = TU_BLOCK_SHIFT;
		kv[1] = 12;
		forge(p, 2, false, set32, kv);
		kv[0] = TU_TABLE_OFFSET;
		kv[1] = table_offset;
		forge(p, 2, false, set64, kv);
		kv[0] = TU_TABLE_SIZE;
		kv[1] = table_size;
		forge(p, 2, false, set64, kv);
		kv[0] = TU_FILE_SIZE;
		kv[1] = table_offset + table_size;
		forge(p, 2, true, set64, kv);
		tu_truncate(p, table_offset + table_size);
	}
	b = tu_open(p, MMBUF_RDWR);
	ck_assert_uint_eq(mmbuf_state(b) & MMBUF_STATE_SEALED, 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
	b = tu_open(p, MMBUF_RDONLY);
	mmbuf_get_info(b, &info);
	ck_assert_uint_eq(info.block_shift, 12);
	ck_assert_uint_eq(info.ro_compat & MMBUF_RO_COMPAT_BLOCK_TABLE,
			  MMBUF_RO_COMPAT_BLOCK_TABLE);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), CAP, 77), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);

	p = fresh();
	kv[0] = TU_COMPAT;
	kv[1] = 1ull << 33;
	forge(p, 2, true, set64, kv);
	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(mmbuf_close(b), 0);
	b = tu_open(p, MMBUF_RDWR);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), CAP, 77), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);
	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/*
 * Inconsistent fields, forged with a correct CRC in both slots so there
 * is no fallback.  Each case is {offset, size, value}.
 */
static const struct {
	const char *what;
	size_t off, size;
	uint64_t value;
} bad_fields[] = {
	{"capacity near UINT64_MAX", TU_CAPACITY, 8, UINT64_MAX - 100},
	{"capacity UINT64_MAX", TU_CAPACITY, 8, UINT64_MAX},
	{"data_offset + capacity overflows", TU_DATA_OFFSET, 8,
	 UINT64_MAX - 4095},
	{"data_offset not a multiple of 4096", TU_DATA_OFFSET, 8, 8192 + 8},
	{"data_offset below 8192", TU_DATA_OFFSET, 8, 4096},
	{"data_offset above 2 MiB", TU_DATA_OFFSET, 8, 2 * 1024 * 1024 + 4096},
	{"length > capacity", TU_LENGTH, 8, CAP + 1},
	{"length UINT64_MAX", TU_LENGTH, 8, UINT64_MAX},
	{"shape product overflows", TU_SHAPE, 8, 1ull << 63},
	{"shape * itemsize > capacity", TU_SHAPE, 8, CAP + 1},
	{"ndim 9", TU_NDIM, 4, 9},
	{"file_size wrong", TU_FILE_SIZE, 8, 8192 + CAP - 1},
	{"unknown state bit", TU_STATE, 4, 0x100},
	{"sealed without checksum", TU_STATE, 4, MMBUF_STATE_SEALED},
	{"data_checksum without compat", TU_DATA_CHECKSUM, 8, 1},
	{"block_shift without table", TU_BLOCK_SHIFT, 4, 12},
	{"table_offset without table", TU_TABLE_OFFSET, 8, 8192 + CAP},
	{"dtype", TU_DTYPE, 4, 0x00337a3c}, /* "<z3" */
	{"label not UTF-8", TU_LABEL, 4, 0x00ff4141},
	{"slot_size", TU_SLOT_SIZE, 4, 1024},
};
#define NBAD ((int)(sizeof bad_fields / sizeof bad_fields[0]))

static void set_field(uint8_t *slot, void *arg)
{
	const int *i = arg;
	size_t off = bad_fields[*i].off;
	uint64_t v = bad_fields[*i].value;

	if (bad_fields[*i].size == 8)
		tu_put64(slot + off, v);
	else
		tu_put32(slot + off, (uint32_t)v);
	/* The shape cases need a dimension. */
	if (off == TU_SHAPE) {
		tu_put32(slot + TU_NDIM, v == 1ull << 63 ? 2 : 1);
		tu_put64(slot + TU_SHAPE + 8, v == 1ull << 63 ? 4 : 0);
	}
}

START_TEST(test_forged_inconsistent)
{
	const char *p = fresh();
	int i = _i;
	mmbuf *b;

	forge(p, 2, true, set_field, &i);
	{
		int rc = mmbuf_open(p, MMBUF_RDONLY, &b);

		ck_assert_msg(rc == MMBUF_EINCONSISTENT, "%s: got %s",
			      bad_fields[_i].what, mmbuf_err_name(rc));
	}
	refuse(p, MMBUF_EINCONSISTENT);

	/* In the newest slot only, the older one serves. */
	p = fresh();
	forge(p, 1, true, set_field, &i);
	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(mmbuf_generation(b), 2);
	ck_assert_err(mmbuf_slot_status(b, 1), MMBUF_EINCONSISTENT);
	ck_assert_int_eq(mmbuf_slot_status(b, 0), 0);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), CAP, 77), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/*
 * Truncated files: every 64 bytes of the header pages and the edges of
 * each slot, then in the data.  Opens refuse them and do not change them.
 */
START_TEST(test_truncated_files)
{
	const char *p = fresh();
	const char *t = tu_path("t.mmb");
	size_t n;
	uint8_t *whole = tu_read_file(p, &n);
	static const size_t edges[] = {
		1, 7, 8, 9, 20, 511, 512, 513, 4095, 4096, 4097, 4103, 4104,
		4607, 4608, 4609, 8191, 8192, 8193, 8192 + 4096,
		8192 + CAP - 4096, 8192 + CAP - 1,
	};

	ck_assert_uint_eq(n, 8192 + CAP);
	/* Cut before the end of the magic, it is not a buffer file any
	 * more (mmbuf(5), "Magic"). */
	for (size_t cut = 0; cut < MMBUF_HEADER_SIZE + 64; cut += 64) {
		tu_write_file(t, whole, cut);
		refuse(t, cut < MMBUF_MAGIC_LEN ? MMBUF_EMAGIC
						: MMBUF_ETRUNCATED);
		ck_assert_uint_eq(tu_file_size(t), cut);
	}
	for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
		tu_write_file(t, whole, edges[i]);
		refuse(t, edges[i] < MMBUF_MAGIC_LEN ? MMBUF_EMAGIC
						     : MMBUF_ETRUNCATED);
		ck_assert_uint_eq(tu_file_size(t), edges[i]);
	}
	free(whole);

	/* Real files cut with truncate(2), in the header pages... */
	{
		static const uint64_t cuts[] = {0, 100, 4096, 4608, 8000};

		for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
			tu_copy(p, t);
			tu_truncate(t, cuts[i]);
			refuse(t, cuts[i] < MMBUF_MAGIC_LEN ? MMBUF_EMAGIC
							    : MMBUF_ETRUNCATED);
			ck_assert_uint_eq(tu_file_size(t), cuts[i]);
		}
	}
	/* ...and in the data. */
	tu_truncate(p, 8192 + CAP / 2);
	refuse(p, MMBUF_ETRUNCATED);
	ck_assert_uint_eq(tu_file_size(p), 8192 + CAP / 2);
}
END_TEST

/* A longer file is accepted (an interrupted resize can leave one). */
START_TEST(test_longer_file)
{
	const char *p = fresh();
	mmbuf *b;

	tu_truncate(p, 8192 + CAP + 12345);
	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_capacity(b), CAP);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), CAP, 77), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);
	b = tu_open(p, MMBUF_RDWR);
	ck_assert_uint_eq(mmbuf_capacity(b), CAP);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* The file shrinks under a reader: prefault reports it, no SIGBUS. */
START_TEST(test_shrunk_under_reader)
{
	const char *p = fresh();
	mmbuf *b = tu_open(p, MMBUF_RDONLY);
	int rc;

	tu_truncate(p, 8192);
	rc = mmbuf_prefault(b, 0, 0);
	ck_assert_msg(rc < 0, "prefault of a shrunk file: %s",
		      mmbuf_err_name(rc));
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

Suite *mmbuf_errors_suite(void);

Suite *mmbuf_errors_suite(void)
{
	Suite *s = suite_create("errors");
	TCase *tc;

	tc = tu_tcase(s, "messages", 30);
	tcase_add_test(tc, test_error_map);
	tcase_add_test(tc, test_errno_messages);
	tcase_add_test(tc, test_success_and_unknown);
	tc = tu_tcase(s, "version", 30);
	tcase_add_test(tc, test_version_macros);
	tc = tu_tcase(s, "not_regular", 30);
	tcase_add_test(tc, test_not_regular);
	tc = tu_tcase(s, "missing", 30);
	tcase_add_test(tc, test_missing);
	tc = tu_tcase(s, "permission", 30);
	tcase_add_test(tc, test_permission_denied);
	tc = tu_tcase(s, "not_buffers", 30);
	tcase_add_test(tc, test_not_buffers);
	tc = tu_tcase(s, "damaged", 60);
	tcase_add_test(tc, test_damaged_both_slots);
	tc = tu_tcase(s, "forged", 60);
	tcase_add_test(tc, test_forged_version_feature);
	tcase_add_test(tc, test_forged_ro_compat);
	tcase_add_loop_test(tc, test_forged_inconsistent, 0, NBAD);
	tc = tu_tcase(s, "truncated", 60);
	tcase_add_test(tc, test_truncated_files);
	tcase_add_test(tc, test_longer_file);
	tcase_add_test(tc, test_shrunk_under_reader);
	return s;
}
