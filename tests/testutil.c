/* testutil.c - fixtures and helpers shared by the Check programs. */
#include "config.h"

#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

const struct tu_field tu_fields[] = {
	{"magic", TU_MAGIC, 8},
	{"generation", TU_GENERATION, 8},
	{"version_major", TU_VERSION_MAJOR, 2},
	{"version_minor", TU_VERSION_MINOR, 2},
	{"slot_size", TU_SLOT_SIZE, 4},
	{"compat", TU_COMPAT, 8},
	{"ro_compat", TU_RO_COMPAT, 8},
	{"incompat", TU_INCOMPAT, 8},
	{"uuid", TU_UUID, 16},
	{"ctime_ns", TU_CTIME, 8},
	{"mtime_ns", TU_MTIME, 8},
	{"data_offset", TU_DATA_OFFSET, 8},
	{"capacity", TU_CAPACITY, 8},
	{"length", TU_LENGTH, 8},
	{"file_size", TU_FILE_SIZE, 8},
	{"state", TU_STATE, 4},
	{"writer_pid", TU_WRITER_PID, 4},
	{"dtype", TU_DTYPE, 8},
	{"ndim", TU_NDIM, 4},
	{"block_shift", TU_BLOCK_SHIFT, 4},
	{"shape", TU_SHAPE, 64},
	{"data_checksum", TU_DATA_CHECKSUM, 8},
	{"checksum_generation", TU_CHECKSUM_GENERATION, 8},
	{"table_offset", TU_TABLE_OFFSET, 8},
	{"table_size", TU_TABLE_SIZE, 8},
	{"reserved (232)", TU_RESERVED1, 8},
	{"label", TU_LABEL, 256},
	{"reserved (496)", TU_RESERVED2, 4},
	{"generation_tail", TU_GENERATION_TAIL, 8},
	{"crc32", TU_CRC, 4},
};
const size_t tu_nfields = sizeof tu_fields / sizeof tu_fields[0];

const struct tu_dtype tu_dtypes[] = {
	{"b1", 1}, {"u1", 1}, {"i1", 1}, {"u2", 2}, {"i2", 2},
	{"u4", 4}, {"i4", 4}, {"u8", 8}, {"i8", 8}, {"f2", 2},
	{"f4", 4}, {"f8", 8}, {"c8", 8}, {"c16", 16},
};
const size_t tu_ndtypes = sizeof tu_dtypes / sizeof tu_dtypes[0];

/* ---------------------------------------------------------------- */
/* Fixtures                                                          */

char tu_root[PATH_MAX];
char tu_dir[PATH_MAX];

static bool keep(void)
{
	const char *k = getenv("MMBUF_TEST_KEEP");

	return k != NULL && *k != '\0';
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) != 0)
		fprintf(stderr, "testutil: cannot remove %s: %s\n", path,
			strerror(errno));
	return 0;
}

static int unlock_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)ftw;
	/* A test may leave a directory without write or search permission. */
	if (flag == FTW_D && (st->st_mode & 0700) != 0700)
		chmod(path, 0700);
	return 0;
}

static void rm_rf(const char *dir)
{
	nftw(dir, unlock_entry, 16, FTW_PHYS);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

bool tu_long(void)
{
	const char *l = getenv("MMBUF_LONG");

	return l != NULL && strcmp(l, "1") == 0;
}

int tu_rounds(int short_rounds, int long_rounds)
{
	return tu_long() ? long_rounds : short_rounds;
}

void tu_init(const char *program)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	size_t n;

	/* "mmbuf_lock_suite" -> "lock" */
	if (strncmp(program, "mmbuf_", 6) == 0)
		program += 6;
	n = strlen(program);
	if (n > 6 && strcmp(program + n - 6, "_suite") == 0)
		n -= 6;
	if (snprintf(tu_root, sizeof tu_root, "%s/mmbuf-test-%.*s-XXXXXX", tmp,
		     (int)n, program) >= (int)sizeof tu_root ||
	    mkdtemp(tu_root) == NULL) {
		fprintf(stderr, "%s: cannot make a directory in %s: %s\n",
			program, tmp, strerror(errno));
		exit(99); /* a hard error for the Automake harness */
	}
	if (keep())
		printf("MMBUF_TEST_KEEP: keeping %s\n", tu_root);
}

void tu_fini(void)
{
	if (!keep())
		rm_rf(tu_root);
}

void tu_setup(void)
{
	const char *name = tcase_name();
	char *p;

	ck_assert_int_lt(snprintf(tu_dir, sizeof tu_dir, "%s/%s-XXXXXX",
				  tu_root, name ? name : "test"),
			 (int)sizeof tu_dir);
	for (p = tu_dir + strlen(tu_root) + 1; *p; p++)
		if (*p == '/' || *p == ' ')
			*p = '_';
	ck_assert_msg(mkdtemp(tu_dir) != NULL, "mkdtemp %s: %s", tu_dir,
		      strerror(errno));
	if (keep()) {
		printf("MMBUF_TEST_KEEP: test directory %s\n", tu_dir);
		fflush(stdout);
	}
}

void tu_teardown(void)
{
	if (!keep())
		rm_rf(tu_dir);
}

TCase *tu_tcase(Suite *s, const char *name, double timeout)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
	tcase_set_timeout(tc, timeout);
	suite_add_tcase(s, tc);
	return tc;
}

const char *tu_path(const char *name)
{
	static char ring[8][PATH_MAX];
	static unsigned next;
	char *p = ring[next++ % 8];

	ck_assert_int_lt(snprintf(p, PATH_MAX, "%s/%s", tu_dir, name),
			 PATH_MAX);
	return p;
}

/* ---------------------------------------------------------------- */
/* Raw files                                                         */

static int xopen(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0644);

	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	return fd;
}

void tu_write_file(const char *path, const void *buf, size_t n)
{
	int fd = xopen(path, O_WRONLY | O_CREAT | O_TRUNC);

	close(fd);
	tu_pwrite(path, 0, buf, n);
}

void tu_pwrite(const char *path, uint64_t off, const void *buf, size_t n)
{
	int fd = xopen(path, O_WRONLY);
	const uint8_t *p = buf;
	size_t done = 0;

	while (done < n) {
		ssize_t r = pwrite(fd, p + done, n - done, (off_t)(off + done));

		ck_assert_msg(r > 0, "pwrite %s: %s", path, strerror(errno));
		done += (size_t)r;
	}
	close(fd);
}

void tu_pread(const char *path, uint64_t off, void *buf, size_t n)
{
	int fd = xopen(path, O_RDONLY);
	uint8_t *p = buf;
	size_t done = 0;

	while (done < n) {
		ssize_t r = pread(fd, p + done, n - done, (off_t)(off + done));

		ck_assert_msg(r > 0, "pread %s at %llu: %s", path,
			      (unsigned long long)(off + done),
			      r == 0 ? "end of file" : strerror(errno));
		done += (size_t)r;
	}
	close(fd);
}

uint8_t *tu_read_file(const char *path, size_t *n)
{
	uint64_t size = tu_file_size(path);
	uint8_t *p = malloc(size ? size : 1);

	ck_assert_ptr_nonnull(p);
	/* Plain read(), independent of the library. */
	{
		int fd = xopen(path, O_RDONLY);
		size_t done = 0;

		while (done < size) {
			ssize_t r = read(fd, p + done, size - done);

			ck_assert_msg(r > 0, "read %s: %s", path,
				      r == 0 ? "end of file" : strerror(errno));
			done += (size_t)r;
		}
		close(fd);
	}
	*n = size;
	return p;
}

uint64_t tu_file_size(const char *path)
{
	struct stat st;

	ck_assert_msg(stat(path, &st) == 0, "stat %s: %s", path,
		      strerror(errno));
	return (uint64_t)st.st_size;
}

void tu_truncate(const char *path, uint64_t size)
{
	ck_assert_msg(truncate(path, (off_t)size) == 0, "truncate %s: %s", path,
		      strerror(errno));
}

void tu_flip(const char *path, uint64_t off)
{
	uint8_t b;

	tu_pread(path, off, &b, 1);
	b ^= 0xff;
	tu_pwrite(path, off, &b, 1);
}

bool tu_exists(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0)
		return true;
	ck_assert_msg(errno == ENOENT, "lstat %s: %s", path, strerror(errno));
	return false;
}

int tu_dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	ck_assert_msg(d != NULL, "opendir %s: %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

int tu_remove_others(const char *dir, const char *keep)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];
	int n = 0;

	ck_assert_msg(d != NULL, "opendir %s: %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0 ||
		    strcmp(e->d_name, keep) == 0)
			continue;
		ck_assert_int_lt(snprintf(path, sizeof path, "%s/%s", dir,
					  e->d_name),
				 (int)sizeof path);
		printf("stray file %s\n", path);
		rm_rf(path);
		n++;
	}
	closedir(d);
	return n;
}

void tu_copy(const char *from, const char *to)
{
	size_t n;
	uint8_t *p = tu_read_file(from, &n);

	tu_write_file(to, p, n);
	free(p);
}

bool tu_all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

/* ---------------------------------------------------------------- */
/* Little-endian fields, CRC, slots                                  */

uint16_t tu_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t tu_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

uint64_t tu_le64(const uint8_t *p)
{
	return (uint64_t)tu_le32(p) | (uint64_t)tu_le32(p + 4) << 32;
}

void tu_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void tu_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void tu_put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

uint32_t tu_slot_crc(const uint8_t *slot)
{
	return (uint32_t)crc32(0L, slot, TU_CRC);
}

void tu_fix_crc(uint8_t *slot)
{
	tu_put32(slot + TU_CRC, tu_slot_crc(slot));
}

void tu_set_generation(uint8_t *slot, uint64_t gen)
{
	tu_put64(slot + TU_GENERATION, gen);
	tu_put64(slot + TU_GENERATION_TAIL, gen);
	tu_fix_crc(slot);
}

void tu_slot_read(const char *path, int slot, uint8_t s[MMBUF_SLOT_SIZE])
{
	tu_pread(path, (uint64_t)slot * MMBUF_PAGE, s, MMBUF_SLOT_SIZE);
}

void tu_slot_write(const char *path, int slot,
		   const uint8_t s[MMBUF_SLOT_SIZE])
{
	tu_pwrite(path, (uint64_t)slot * MMBUF_PAGE, s, MMBUF_SLOT_SIZE);
}

int tu_current_slot(const char *path)
{
	uint8_t s0[MMBUF_SLOT_SIZE], s1[MMBUF_SLOT_SIZE];

	tu_slot_read(path, 0, s0);
	tu_slot_read(path, 1, s1);
	return tu_le64(s1 + TU_GENERATION) > tu_le64(s0 + TU_GENERATION);
}

void tu_hdr_init(tu_hdr *h, uint64_t capacity)
{
	static const uint8_t uuid[16] = {
		0x3f, 0x2a, 0x91, 0x0c, 0x5e, 0x77, 0x4b, 0x21,
		0x9a, 0x13, 0x6d, 0xe0, 0x42, 0x88, 0xc5, 0x1b,
	};

	memset(h, 0, sizeof *h);
	h->generation = 2;
	h->version_major = 1;
	h->version_minor = 0;
	h->slot_size = MMBUF_SLOT_SIZE;
	h->ro_compat = MMBUF_RO_COMPAT_LOCKING;
	memcpy(h->uuid, uuid, 16);
	h->ctime_ns = INT64_C(1700000000123456789);
	h->mtime_ns = h->ctime_ns + 1000;
	h->data_offset = 8192;
	h->capacity = capacity;
	h->length = capacity;
	h->file_size = 8192 + capacity;
	h->writer_pid = 4242;
	strcpy(h->dtype, "<f8");
	if (capacity >= 32) {
		h->ndim = 2;
		h->shape[0] = capacity / 8 / 4;
		h->shape[1] = 4;
	}
	strcpy(h->label, "forged by the tests");
}

void tu_encode_slot(const tu_hdr *h, uint64_t gen, uint8_t s[MMBUF_SLOT_SIZE])
{
	memset(s, 0, MMBUF_SLOT_SIZE);
	memcpy(s + TU_MAGIC, MMBUF_MAGIC, 8);
	tu_put64(s + TU_GENERATION, gen);
	tu_put16(s + TU_VERSION_MAJOR, h->version_major);
	tu_put16(s + TU_VERSION_MINOR, h->version_minor);
	tu_put32(s + TU_SLOT_SIZE, h->slot_size);
	tu_put64(s + TU_COMPAT, h->compat);
	tu_put64(s + TU_RO_COMPAT, h->ro_compat);
	tu_put64(s + TU_INCOMPAT, h->incompat);
	memcpy(s + TU_UUID, h->uuid, 16);
	tu_put64(s + TU_CTIME, (uint64_t)h->ctime_ns);
	tu_put64(s + TU_MTIME, (uint64_t)h->mtime_ns);
	tu_put64(s + TU_DATA_OFFSET, h->data_offset);
	tu_put64(s + TU_CAPACITY, h->capacity);
	tu_put64(s + TU_LENGTH, h->length);
	tu_put64(s + TU_FILE_SIZE, h->file_size);
	tu_put32(s + TU_STATE, h->state);
	tu_put32(s + TU_WRITER_PID, h->writer_pid);
	memcpy(s + TU_DTYPE, h->dtype, 8); /* raw: tests forge bad ones */
	tu_put32(s + TU_NDIM, h->ndim);
	tu_put32(s + TU_BLOCK_SHIFT, h->block_shift);
	for (int i = 0; i < 8; i++)
		tu_put64(s + TU_SHAPE + 8 * i, h->shape[i]);
	tu_put64(s + TU_DATA_CHECKSUM, h->data_checksum);
	tu_put64(s + TU_CHECKSUM_GENERATION, h->checksum_generation);
	tu_put64(s + TU_TABLE_OFFSET, h->table_offset);
	tu_put64(s + TU_TABLE_SIZE, h->table_size);
	memcpy(s + TU_LABEL, h->label, 256);
	tu_put64(s + TU_GENERATION_TAIL, gen);
	tu_fix_crc(s);
}

void tu_encode_header(const tu_hdr *h, uint8_t page[MMBUF_HEADER_SIZE])
{
	uint64_t g = h->generation;

	memset(page, 0, MMBUF_HEADER_SIZE);
	tu_encode_slot(h, g, page + (g % 2) * MMBUF_PAGE);
	tu_encode_slot(h, g - 1, page + ((g - 1) % 2) * MMBUF_PAGE);
}

/* ---------------------------------------------------------------- */
/* Buffers                                                           */

void tu_opts(mmbuf_create_opts *o, uint64_t capacity)
{
	mmbuf_create_opts_init(o);
	o->capacity = capacity;
}

mmbuf *tu_create(const char *name, const mmbuf_create_opts *o)
{
	mmbuf *b = NULL;
	int rc = mmbuf_create(tu_path(name), o, &b);

	ck_assert_msg(rc == 0, "mmbuf_create %s: %s (%s)", name,
		      mmbuf_strerror(rc), mmbuf_err_name(rc));
	ck_assert_ptr_nonnull(b);
	return b;
}

void tu_create_closed(const char *name, uint64_t capacity, uint32_t seed)
{
	mmbuf_create_opts o;
	mmbuf *b;

	tu_opts(&o, capacity);
	b = tu_create(name, &o);
	if (capacity > 0)
		tu_fill(mmbuf_data(b), (size_t)capacity, seed);
	ck_assert_int_eq(mmbuf_close(b), 0);
}

mmbuf *tu_open(const char *path, unsigned flags)
{
	mmbuf *b = NULL;
	int rc = mmbuf_open(path, flags, &b);

	ck_assert_msg(rc == 0, "mmbuf_open %s (%s): %s (%s)", path,
		      flags & MMBUF_RDWR ? "rdwr" : "rdonly",
		      mmbuf_strerror(rc), mmbuf_err_name(rc));
	ck_assert_ptr_nonnull(b);
	return b;
}

static uint8_t pattern_byte(size_t i, uint32_t seed)
{
	uint32_t x = (uint32_t)i * 2654435761u ^ seed * 40503u;

	x ^= x >> 15;
	x *= 2246822519u;
	x ^= x >> 13;
	return (uint8_t)x;
}

void tu_fill(void *p, size_t n, uint32_t seed)
{
	uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = pattern_byte(i, seed);
}

long tu_check_fill(const void *p, size_t n, uint32_t seed)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != pattern_byte(i, seed))
			return (long)i;
	return -1;
}

/* ---------------------------------------------------------------- */
/* Processes                                                         */

pid_t tu_fork(void)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
	return pid;
}

void tu_become_nobody(void)
{
	if (geteuid() != 0)
		return;
	if (setgroups(0, NULL) != 0 || setgid(65534) != 0 ||
	    setuid(65534) != 0)
		_exit(101);
	if (geteuid() != 65534 || setuid(0) == 0)
		_exit(102);
}

int tu_wait(pid_t pid)
{
	int status;
	pid_t r;

	do
		r = waitpid(pid, &status, 0);
	while (r < 0 && errno == EINTR);
	ck_assert_msg(r == pid, "waitpid: %s", strerror(errno));
	return status;
}

bool tu_send(int fd, int v)
{
	ssize_t r;

	do
		r = write(fd, &v, sizeof v);
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)sizeof v;
}

bool tu_recv(int fd, int *v)
{
	size_t done = 0;

	while (done < sizeof *v) {
		ssize_t r = read(fd, (char *)v + done, sizeof *v - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		done += (size_t)r;
	}
	return true;
}
