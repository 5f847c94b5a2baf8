/*
 * check_open.c - opening a buffer other than by its name and closing it:
 * mmbuf_open_fd, mmbuf_close(NULL), and what a read-only handle refuses
 * and maps.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

/* mmbuf_open_fd: the file behind the descriptor, read-only or for
 * writing (even from a read-only descriptor), whatever the name now
 * holds; the descriptor stays the caller's. */
START_TEST(test_open_fd_same_file)
{
	const char *p = tu_path("fd.mmb"), *q = tu_path("other.mmb");
	uint8_t x = 0xee, back;
	mmbuf *r, *w;
	int fd;

	tu_create_closed("fd.mmb", 4096, 61);
	tu_create_closed("other.mmb", 4096, 62);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(mmbuf_open_fd(fd, MMBUF_RDONLY, &r), 0);
	ck_assert_int_eq(mmbuf_writable(r), 0);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(r), 4096, 61), -1);
	/* The name now holds another buffer: the descriptor's file is the
	 * one opened, for writing too. */
	ck_assert_int_eq(rename(q, p), 0);
	ck_assert_int_eq(mmbuf_open_fd(fd, MMBUF_RDWR, &w), 0);
	ck_assert_int_eq(mmbuf_writable(w), 1);
	ck_assert_int_eq(memcmp(mmbuf_uuid(w), mmbuf_uuid(r), 16), 0);
	ck_assert_int_eq(mmbuf_write(w, 5, &x, 1), 0);
	ck_assert_int_eq(mmbuf_close(w), 0);
	ck_assert_uint_eq(((const uint8_t *)mmbuf_data(r))[5], 0xee);
	ck_assert_int_eq(pread(fd, &back, 1, MMBUF_DATA_OFFSET_MIN + 5), 1);
	ck_assert_uint_eq(back, 0xee);
	/* ...and not the file that has the name now. */
	w = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(w), 4096, 62), -1);
	ck_assert_int_eq(mmbuf_close(w), 0);
	/* The handle does not need the descriptor, nor the name. */
	ck_assert_int_eq(unlink(p), 0);
	ck_assert_int_eq(mmbuf_open_fd(fd, MMBUF_RDWR, &w), 0);
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(mmbuf_write(w, 6, &x, 1), 0);
	ck_assert_uint_eq(((const uint8_t *)mmbuf_data(r))[6], 0xee);
	ck_assert_int_eq(mmbuf_close(w), 0);
	ck_assert_int_eq(mmbuf_close(r), 0);
}
END_TEST

/* The handle's locks are its own: a second writer through the same
 * descriptor is refused, and closing the handle releases the lock while
 * the descriptor stays open (a duplicate descriptor would hold it). */
START_TEST(test_open_fd_own_locks)
{
	const char *p = tu_path("lk.mmb");
	mmbuf *w, *w2;
	int fd;

	tu_create_closed("lk.mmb", 4096, 63);
	fd = open(p, O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(mmbuf_open_fd(fd, MMBUF_RDWR, &w), 0);
	ck_assert_err(mmbuf_open_fd(fd, MMBUF_RDWR, &w2), MMBUF_EBUSY);
	ck_assert_ptr_null(w2);
	ck_assert_err(mmbuf_open(p, MMBUF_RDWR, &w2), MMBUF_EBUSY);
	ck_assert_int_eq(mmbuf_close(w), 0);
	w = tu_open(p, MMBUF_RDWR);
	ck_assert_int_eq(mmbuf_close(w), 0);
	ck_assert_int_eq(mmbuf_open_fd(fd, MMBUF_RDWR, &w), 0);
	ck_assert_int_eq(mmbuf_close(w), 0);
	ck_assert_int_eq(close(fd), 0);
}
END_TEST

/* What mmbuf_open refuses, mmbuf_open_fd refuses the same way. */
START_TEST(test_open_fd_errors)
{
	uint8_t junk[MMBUF_HEADER_SIZE + 4096];
	mmbuf *b = (mmbuf *)&b;
	int fd, dir;

	ck_assert_err(mmbuf_open_fd(-1, MMBUF_RDONLY, &b), -EBADF);
	ck_assert_ptr_null(b);
	fd = open(tu_path("x"), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_err(mmbuf_open_fd(fd, MMBUF_RDONLY, NULL), -EINVAL);
	ck_assert_err(mmbuf_open_fd(fd, 0x2, &b), -EINVAL);
	/* Empty (not a buffer file, mmbuf(5) "Magic"), then junk: the
	 * errors of mmbuf_open. */
	ck_assert_err(mmbuf_open_fd(fd, MMBUF_RDONLY, &b), MMBUF_EMAGIC);
	ck_assert_err(mmbuf_open(tu_path("x"), MMBUF_RDONLY, &b),
		      MMBUF_EMAGIC);
	memset(junk, 'j', sizeof junk);
	tu_write_file(tu_path("x"), junk, sizeof junk);
	ck_assert_err(mmbuf_open_fd(fd, MMBUF_RDWR, &b), MMBUF_EMAGIC);
	ck_assert_int_eq(close(fd), 0);
	/* A truncated buffer. */
	tu_create_closed("t.mmb", 8192, 64);
	tu_truncate(tu_path("t.mmb"), MMBUF_HEADER_SIZE + 4096);
	fd = open(tu_path("t.mmb"), O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_err(mmbuf_open_fd(fd, MMBUF_RDONLY, &b), MMBUF_ETRUNCATED);
	ck_assert_err(mmbuf_open_fd(fd, MMBUF_RDWR, &b), MMBUF_ETRUNCATED);
	ck_assert_int_eq(close(fd), 0);
	ck_assert_err(mmbuf_open_fd(fd, MMBUF_RDONLY, &b), -EBADF);
	/* Not a regular file. */
	dir = open(tu_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dir, 0);
	ck_assert_err(mmbuf_open_fd(dir, MMBUF_RDONLY, &b), MMBUF_ENOTREG);
	ck_assert_int_eq(close(dir), 0);
	ck_assert_ptr_null(b);
	/* No descriptor leaked by the failures: the next one is dir's. */
	fd = open(tu_dir, O_RDONLY | O_CLOEXEC);
	ck_assert_int_eq(fd, dir);
	ck_assert_int_eq(close(fd), 0);
}
END_TEST

START_TEST(test_close_null)
{
	ck_assert_int_eq(mmbuf_close(NULL), 0);
}
END_TEST

START_TEST(test_readonly_handle)
{
	mmbuf *b;
	uint64_t gen;

	tu_create_closed("ro.mmb", 4096, 41);
	b = tu_open(tu_path("ro.mmb"), MMBUF_RDONLY);
	gen = mmbuf_generation(b);
	ck_assert_int_eq(mmbuf_writable(b), 0);
	ck_assert_err(mmbuf_set_length(b, 10, MMBUF_DURABLE_SYNC),
		      MMBUF_EREADONLY);
	ck_assert_err(mmbuf_set_length(b, 4096, MMBUF_DURABLE_NONE),
		      MMBUF_EREADONLY);
	ck_assert_err(mmbuf_set_label(b, "no", MMBUF_DURABLE_SYNC),
		      MMBUF_EREADONLY);
	ck_assert_uint_eq(mmbuf_length(b), 4096);
	ck_assert_uint_eq(mmbuf_generation(b), gen);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), 4096, 41), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);
	b = tu_open(tu_path("ro.mmb"), MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_generation(b), gen);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* The permissions of the mapping holding addr, from /proc/self/maps. */
static void map_perms(const void *addr, char perms[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	unsigned long lo, hi, a = (unsigned long)addr;

	ck_assert_ptr_nonnull(f);
	strcpy(perms, "none");
	while (fgets(line, sizeof line, f) != NULL) {
		char p[5];

		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, p) == 3 && a >= lo &&
		    a < hi) {
			strcpy(perms, p);
			break;
		}
	}
	fclose(f);
}

/* A read-only handle's data is mapped read-only (stores fault), shared. */
START_TEST(test_readonly_mapping)
{
	char perms[5];
	mmbuf *b;

	tu_create_closed("ro.mmb", 3 * 4096, 41);
	b = tu_open(tu_path("ro.mmb"), MMBUF_RDONLY);
	map_perms(mmbuf_data(b), perms);
	ck_assert_str_eq(perms, "r--s");
	map_perms((uint8_t *)mmbuf_data(b) + 3 * 4096 - 1, perms);
	ck_assert_str_eq(perms, "r--s");
	ck_assert_int_eq(mmbuf_close(b), 0);

	b = tu_open(tu_path("ro.mmb"), MMBUF_RDWR);
	map_perms(mmbuf_data(b), perms);
	ck_assert_str_eq(perms, "rw-s");
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

Suite *mmbuf_open_suite(void);

Suite *mmbuf_open_suite(void)
{
	Suite *s = suite_create("open");
	TCase *tc;

	tc = tu_tcase(s, "open_fd", 60);
	tcase_add_test(tc, test_open_fd_same_file);
	tcase_add_test(tc, test_open_fd_own_locks);
	tcase_add_test(tc, test_open_fd_errors);
	tc = tu_tcase(s, "close", 60);
	tcase_add_test(tc, test_close_null);
	tc = tu_tcase(s, "readonly", 60);
	tcase_add_test(tc, test_readonly_handle);
	tcase_add_test(tc, test_readonly_mapping);
	return s;
}
