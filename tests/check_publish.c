/*
 * check_publish.c - how a new buffer comes to its name: atomically (a
 * writer killed while creating or replacing leaves the old file or the
 * new one, complete), exclusively, replacing only a regular file, with no
 * temporary file left behind, and unpublished until mmbuf_publish().
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

/* ---------------------------------------------------------------- */
/* Atomic creation: writers killed at random moments                */

/* Kills per test: make check-long runs ten times as many. */
#define KILL_ROUNDS tu_rounds(24, 240)

static unsigned seed_random(void)
{
	const char *env = getenv("MMBUF_TEST_SEED"); /* to replay a run */
	unsigned seed = env ? (unsigned)strtoul(env, NULL, 0)
			    : (unsigned)time(NULL) ^ (unsigned)getpid() << 8;

	srand(seed);
	return seed;
}

/* Microseconds to create and close a buffer like o here (then removed):
 * the kill delays are spread over that window. */
static unsigned create_time_us(const char *path, const mmbuf_create_opts *o)
{
	struct timespec t0, t1;
	mmbuf *b = NULL;
	long us;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(mmbuf_create(path, o, &b), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_eq(unlink(path), 0);
	us = (t1.tv_sec - t0.tv_sec) * 1000000L +
	     (t1.tv_nsec - t0.tv_nsec) / 1000;
	return (unsigned)(us < 100 ? 100 : us);
}

/*
 * Fork a child that creates path (after telling us it is about to), kill
 * it after delay_us, and return whether it had finished.
 */
static bool create_and_kill(const char *path, const mmbuf_create_opts *o,
			    unsigned delay_us)
{
	int up[2], v, status;
	pid_t pid;

	ck_assert_int_eq(pipe(up), 0);
	pid = tu_fork();
	if (pid == 0) {
		mmbuf *c = NULL;

		close(up[0]);
		tu_send(up[1], 1);
		if (mmbuf_create(path, o, &c) != 0)
			_exit(1);
		mmbuf_close(c);
		_exit(0);
	}
	close(up[1]);
	ck_assert(tu_recv(up[0], &v));
	close(up[0]);
	if (delay_us)
		usleep(delay_us);
	kill(pid, SIGKILL);
	status = tu_wait(pid);
	ck_assert_msg(WIFSIGNALED(status) ||
			      (WIFEXITED(status) && WEXITSTATUS(status) == 0),
		      "child failed to create: %#x", status);
	return WIFEXITED(status);
}

/* The path names a buffer that opens and validates; returns its capacity. */
static uint64_t check_complete(const char *path, char label[256])
{
	mmbuf *b = NULL;
	mmbuf_info info;
	uint8_t head[MMBUF_HEADER_SIZE];
	uint64_t size = tu_file_size(path), cap;
	int rc;

	rc = mmbuf_open(path, MMBUF_RDONLY, &b);
	ck_assert_msg(rc == 0, "interrupted create left a bad file: %s (size %llu)",
		      mmbuf_err_name(rc), (unsigned long long)size);
	ck_assert_uint_ge(size, MMBUF_HEADER_SIZE);
	tu_pread(path, 0, head, sizeof head);
	ck_assert_int_eq(mmbuf_validate_header(head, sizeof head, size, &info), 0);
	cap = mmbuf_capacity(b);
	ck_assert_uint_eq(info.capacity, cap);
	strcpy(label, mmbuf_label(b));
	ck_assert_int_eq(mmbuf_close(b), 0);
	return cap;
}

START_TEST(test_atomic_create_kill)
{
	const char *p = tu_path("atomic.mmb");
	unsigned seed = seed_random(), window;
	int absent = 0, complete = 0, finished = 0, strays = 0;
	mmbuf_create_opts o;

	tu_opts(&o, 64 * MIB);
	window = create_time_us(p, &o) * 3 / 2;
	for (int r = 0; r < KILL_ROUNDS; r++) {
		uint64_t want = r % 3 ? 64 * MIB : (uint64_t)(rand() % 100000);
		char label[256];

		tu_opts(&o, want);
		o.label = "new";
		if (create_and_kill(p, &o, (unsigned)rand() % window))
			finished++;
		/* A killed creator may leave a named temporary file (not with
		 * O_TMPFILE); the promise is about the target name only. */
		strays += tu_remove_others(tu_dir, "atomic.mmb");
		if (!tu_exists(p)) {
			absent++;
			continue;
		}
		ck_assert_uint_eq(check_complete(p, label), want);
		ck_assert_str_eq(label, "new");
		complete++;
		ck_assert_int_eq(unlink(p), 0);
	}
	printf("atomic create (seed %u, kills within %u us): %d absent, "
	       "%d complete, %d finished before the kill, %d stray files\n",
	       seed, window, absent, complete, finished, strays);
}
END_TEST

/* Killed while replacing: the old buffer or the complete new one. */
START_TEST(test_atomic_replace_kill)
{
	const char *p = tu_path("atomic.mmb");
	unsigned seed = seed_random(), window;
	int old = 0, new = 0, strays = 0;
	mmbuf_create_opts o;

	tu_opts(&o, 64 * MIB);
	window = create_time_us(p, &o) * 3 / 2;
	tu_opts(&o, 4096);
	o.label = "old";
	ck_assert_int_eq(mmbuf_close(tu_create("atomic.mmb", &o)), 0);
	for (int r = 0; r < KILL_ROUNDS / 2; r++) {
		char label[256];
		uint64_t cap;

		tu_opts(&o, 64 * MIB);
		o.label = "new";
		o.flags = MMBUF_CREATE_REPLACE;
		create_and_kill(p, &o, (unsigned)rand() % window);
		strays += tu_remove_others(tu_dir, "atomic.mmb");
		ck_assert_msg(tu_exists(p), "replace lost the old file");
		cap = check_complete(p, label);
		if (strcmp(label, "old") == 0) {
			ck_assert_uint_eq(cap, 4096);
			old++;
			continue;
		}
		ck_assert_str_eq(label, "new");
		ck_assert_uint_eq(cap, 64 * MIB);
		new++;
		/* Put the old one back. */
		tu_opts(&o, 4096);
		o.label = "old";
		o.flags = MMBUF_CREATE_REPLACE;
		ck_assert_int_eq(mmbuf_close(tu_create("atomic.mmb", &o)), 0);
	}
	printf("atomic replace (seed %u, kills within %u us): %d old, %d new, "
	       "%d stray files\n", seed, window, old, new, strays);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Exclusive and replacing creation                                 */

START_TEST(test_exclusive_create)
{
	static const char precious[] = "precious, not a buffer\n";
	const char *p = tu_path("x.mmb");
	mmbuf_create_opts o;
	struct stat st1, st2;
	uint8_t *before, *after;
	size_t n1, n2;
	mmbuf *b;

	tu_opts(&o, 4096);

	/* A plain file. */
	tu_write_file(p, precious, sizeof precious);
	ck_assert_int_eq(stat(p, &st1), 0);
	b = (mmbuf *)&o;
	ck_assert_err(mmbuf_create(p, &o, &b), -EEXIST);
	ck_assert_ptr_null(b);
	ck_assert_int_eq(stat(p, &st2), 0);
	ck_assert_uint_eq(st1.st_ino, st2.st_ino);
	after = tu_read_file(p, &n2);
	ck_assert_uint_eq(n2, sizeof precious);
	ck_assert_mem_eq(after, precious, sizeof precious);
	free(after);
	ck_assert_int_eq(tu_dir_entries(tu_dir), 1);
	ck_assert_int_eq(unlink(p), 0);

	/* A buffer, closed, then open by a writer. */
	tu_create_closed("x.mmb", 4096, 21);
	before = tu_read_file(p, &n1);
	for (int round = 0; round < 2; round++) {
		mmbuf *w = NULL;

		if (round == 1) {
			w = tu_open(p, MMBUF_RDWR); /* commits: new bytes */
			free(before);
			before = tu_read_file(p, &n1);
		}
		o.capacity = 8192;
		b = (mmbuf *)&o;
		ck_assert_err(mmbuf_create(p, &o, &b), -EEXIST);
		ck_assert_ptr_null(b);
		after = tu_read_file(p, &n2);
		ck_assert_uint_eq(n2, n1);
		ck_assert_mem_eq(after, before, n1);
		free(after);
		ck_assert_int_eq(tu_dir_entries(tu_dir), 1);
		ck_assert_int_eq(mmbuf_close(w), 0);
	}
	free(before);

	/* A directory, and a dangling symlink, are existing names too. */
	ck_assert_int_eq(mkdir(tu_path("dir"), 0755), 0);
	ck_assert_err(mmbuf_create(tu_path("dir"), &o, &b), -EEXIST);
	ck_assert_int_eq(tu_dir_entries(tu_path("dir")), 0);
	ck_assert_int_eq(symlink("nowhere", tu_path("link")), 0);
	ck_assert_err(mmbuf_create(tu_path("link"), &o, &b), -EEXIST);
	ck_assert(!tu_exists(tu_path("nowhere")));
	ck_assert_int_eq(tu_dir_entries(tu_dir), 3);
}
END_TEST

START_TEST(test_replace)
{
	const char *p = tu_path("r.mmb");
	mmbuf_create_opts o;
	uint8_t old_uuid[16];
	mmbuf *reader, *b;

	tu_create_closed("r.mmb", 4096, 31);
	reader = tu_open(p, MMBUF_RDONLY);
	memcpy(old_uuid, mmbuf_uuid(reader), 16);

	/* Without the flag: refused. */
	tu_opts(&o, 8192);
	o.label = "replacement";
	b = (mmbuf *)&o;
	ck_assert_err(mmbuf_create(p, &o, &b), -EEXIST);
	ck_assert_ptr_null(b);

	o.flags = MMBUF_CREATE_REPLACE;
	b = tu_create("r.mmb", &o);
	ck_assert_mem_ne(mmbuf_uuid(b), old_uuid, 16);
	ck_assert(tu_all_zero(mmbuf_data(b), 8192));
	tu_fill(mmbuf_data(b), 8192, 32);
	/* The old reader keeps the old file, unchanged. */
	ck_assert_uint_eq(mmbuf_capacity(reader), 4096);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(reader), 4096, 31), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_int_eq(mmbuf_close(reader), 0);
	ck_assert_int_eq(tu_dir_entries(tu_dir), 1);

	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_str_eq(mmbuf_label(b), "replacement");
	ck_assert_uint_eq(mmbuf_capacity(b), 8192);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), 8192, 32), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);

	/* Replacing a file that is not a buffer, and a missing one. */
	tu_write_file(tu_path("plain"), "hello", 5);
	tu_opts(&o, 100);
	o.flags = MMBUF_CREATE_REPLACE;
	ck_assert_int_eq(mmbuf_close(tu_create("plain", &o)), 0);
	ck_assert_uint_eq(tu_file_size(tu_path("plain")), 8192 + 100);
	ck_assert_int_eq(mmbuf_close(tu_create("fresh", &o)), 0);
	ck_assert_int_eq(tu_dir_entries(tu_dir), 3);

	/* A failed replace leaves the old file as it was. */
	{
		uint8_t *before, *after;
		size_t n1, n2;

		before = tu_read_file(p, &n1);
		o.dtype = "<f3";
		ck_assert_err(mmbuf_create(p, &o, &b), MMBUF_EDTYPE);
		o.dtype = NULL;
		o.capacity = 1ull << 62; /* no room for that */
		ck_assert_int_lt(mmbuf_create(p, &o, &b), 0);
		ck_assert_ptr_null(b);
		after = tu_read_file(p, &n2);
		ck_assert_uint_eq(n1, n2);
		ck_assert_mem_eq(before, after, n1);
		free(before);
		free(after);
		ck_assert_int_eq(tu_dir_entries(tu_dir), 3);
	}
}
END_TEST

/* lstat of name in the test's directory. */
static struct stat node_of(const char *name)
{
	struct stat st;

	ck_assert_msg(lstat(tu_path(name), &st) == 0, "lstat %s: %s", name,
		      strerror(errno));
	return st;
}

/* name is still the node it was: same inode, type, mode and size. */
static void same_node(const char *name, const struct stat *was)
{
	struct stat now = node_of(name);

	ck_assert_msg(now.st_ino == was->st_ino &&
		      now.st_mode == was->st_mode &&
		      now.st_uid == was->st_uid && now.st_size == was->st_size,
		      "%s was replaced or changed", name);
}

/*
 * A replace replaces a regular file and nothing else: a FIFO, a socket, a
 * directory, a character device, a symbolic link (to a buffer, or to
 * nowhere) stays where it is, and the call fails with MMBUF_ENOTREG, at
 * mmbuf_create() and again at mmbuf_publish().
 */
START_TEST(test_replace_not_regular)
{
	static const char *const names[] = {"fifo", "sock", "dir", "link",
					    "dangling", "chr"};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	mmbuf_create_opts o;
	struct stat was;
	int sock, cwd, entries;
	mmbuf *b;

	tu_create_closed("target.mmb", 4096, 5);
	ck_assert_int_eq(mkfifo(tu_path("fifo"), 0600), 0);
	/* Bound by a relative name: the directory's may be too long. */
	strcpy(sa.sun_path, "sock");
	sock = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(sock, 0);
	cwd = open(".", O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(cwd, 0);
	ck_assert_int_eq(chdir(tu_dir), 0);
	ck_assert_int_eq(bind(sock, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(fchdir(cwd), 0);
	close(cwd);
	ck_assert_int_eq(mkdir(tu_path("dir"), 0755), 0);
	ck_assert_int_eq(symlink("target.mmb", tu_path("link")), 0);
	ck_assert_int_eq(symlink("nowhere", tu_path("dangling")), 0);
	/* /dev/null's numbers, in the scratch directory (CI runs as root). */
	if (geteuid() == 0)
		ck_assert_int_eq(mknod(tu_path("chr"), S_IFCHR | 0666,
				       makedev(1, 3)), 0);
	entries = tu_dir_entries(tu_dir);

	tu_opts(&o, 100);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(names[i], "chr") == 0 && geteuid() != 0)
			continue;
		was = node_of(names[i]);
		o.flags = MMBUF_CREATE_REPLACE;
		b = (mmbuf *)&o;
		ck_assert_err(mmbuf_create(tu_path(names[i]), &o, &b),
			      MMBUF_ENOTREG);
		ck_assert_ptr_null(b);
		o.flags = MMBUF_CREATE_REPLACE | MMBUF_CREATE_UNPUBLISHED;
		ck_assert_err(mmbuf_create(tu_path(names[i]), &o, &b),
			      MMBUF_ENOTREG);
		same_node(names[i], &was);
		ck_assert_int_eq(tu_dir_entries(tu_dir), entries);
	}
	close(sock);
	ck_assert_int_eq(tu_dir_entries(tu_path("dir")), 0);
	/* The buffer behind the link is as it was. */
	b = tu_open(tu_path("target.mmb"), MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_capacity(b), 4096);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), 4096, 5), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);

	/* Checked again at publication: a FIFO made meanwhile stays. */
	o.flags = MMBUF_CREATE_REPLACE | MMBUF_CREATE_UNPUBLISHED;
	b = tu_create("late", &o);
	ck_assert_int_eq(mkfifo(tu_path("late"), 0600), 0);
	was = node_of("late");
	ck_assert_err(mmbuf_publish(b), MMBUF_ENOTREG);
	same_node("late", &was);
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_int_eq(tu_dir_entries(tu_dir), entries + 1);
}
END_TEST

/* Replace name (in dir, or the test's directory) by a new buffer of
 * capacity cap, closed; the result. */
static int replace_with(const char *path, uint64_t cap)
{
	mmbuf_create_opts o;
	mmbuf *b = NULL;
	int err;

	tu_opts(&o, cap);
	o.flags = MMBUF_CREATE_REPLACE;
	err = mmbuf_create(path, &o, &b);
	if (err == 0)
		err = mmbuf_close(b);
	return err;
}

static void check_capacity(const char *path, uint64_t cap)
{
	mmbuf *b = tu_open(path, MMBUF_RDONLY);

	ck_assert_uint_eq(mmbuf_capacity(b), cap);
	ck_assert_int_eq(mmbuf_close(b), 0);
}

/*
 * mmbuf(5), "Creating a file": what was planted under the staging name and
 * is not a dead creator's file of the writer's own user (a symbolic link,
 * another user's file, a file the writer may not open) neither stops a
 * replace nor is removed by it: the replace goes through a name of its own.
 */
START_TEST(test_replace_staging_planted)
{
	static const char planted[] = "planted\n";
	char p[PATH_MAX], staging[PATH_MAX];
	struct stat was, victim;
	int up[2], got[2] = {1, 1}, status;
	pid_t pid;

	/* Copies: tu_path() reuses its buffers. */
	snprintf(p, sizeof p, "%s", tu_path("s.mmb"));
	snprintf(staging, sizeof staging, "%s", tu_path(".s.mmb.mmbuf-new"));
	tu_create_closed("s.mmb", 100, 1);
	tu_write_file(tu_path("victim"), planted, sizeof planted);
	victim = node_of("victim");

	/* A symbolic link, to a file of ours. */
	ck_assert_int_eq(symlink("victim", staging), 0);
	was = node_of(".s.mmb.mmbuf-new");
	ck_assert_int_eq(replace_with(p, 200), 0);
	check_capacity(p, 200);
	same_node(".s.mmb.mmbuf-new", &was);
	same_node("victim", &victim);
	ck_assert_int_eq(tu_dir_entries(tu_dir), 3);
	ck_assert_int_eq(unlink(staging), 0);

	/* Another user's file, in a sticky directory: root could remove it,
	 * and must not. */
	if (geteuid() == 0) {
		ck_assert_int_eq(chmod(tu_dir, 01777), 0);
		tu_write_file(staging, planted, sizeof planted);
		ck_assert_int_eq(chown(staging, 65534, 65534), 0);
		was = node_of(".s.mmb.mmbuf-new");
		ck_assert_int_eq(replace_with(p, 300), 0);
		check_capacity(p, 300);
		same_node(".s.mmb.mmbuf-new", &was);
		ck_assert_int_eq(tu_dir_entries(tu_dir), 3);
		ck_assert_int_eq(unlink(staging), 0);
		ck_assert_int_eq(chmod(tu_dir, 0700), 0);
	}

	/*
	 * A mode 000 file of the writer's own, which it cannot open to see
	 * whether a creator holds it.  Run as nobody when we are root (who can
	 * open anything), in a directory nobody owns.
	 */
	ck_assert_int_eq(chmod(tu_root, 0755), 0);
	ck_assert_int_eq(chmod(tu_dir, 0755), 0);
	ck_assert_int_eq(mkdir(tu_path("nb"), 0755), 0);
	if (geteuid() == 0)
		ck_assert_int_eq(chown(tu_path("nb"), 65534, 65534), 0);
	ck_assert_int_eq(pipe(up), 0);
	pid = tu_fork();
	if (pid == 0) {
		int fd;

		close(up[0]);
		tu_become_nobody();
		if (replace_with(tu_path("nb/s.mmb"), 100) != 0)
			_exit(103);
		fd = open(tu_path("nb/.s.mmb.mmbuf-new"),
			  O_WRONLY | O_CREAT | O_EXCL, 0);
		if (fd < 0 || write(fd, planted, sizeof planted) < 0)
			_exit(104);
		close(fd);
		tu_send(up[1], replace_with(tu_path("nb/s.mmb"), 400));
		tu_send(up[1], access(tu_path("nb/.s.mmb.mmbuf-new"), F_OK));
		_exit(0);
	}
	close(up[1]);
	for (int i = 0; i < 2; i++)
		if (!tu_recv(up[0], &got[i]))
			break;
	close(up[0]);
	status = tu_wait(pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child: status %#x", status);
	ck_assert_msg(got[0] == 0, "replace: %s", mmbuf_err_name(got[0]));
	ck_assert_int_eq(got[1], 0);
	check_capacity(tu_path("nb/s.mmb"), 400);
	was = node_of("nb/.s.mmb.mmbuf-new");
	ck_assert_uint_eq(was.st_mode & 07777, 0);
	ck_assert_uint_eq(was.st_size, sizeof planted);
	ck_assert_int_eq(tu_dir_entries(tu_path("nb")), 2);
	ck_assert_int_eq(chmod(tu_dir, 0700), 0);
}
END_TEST

/* Whatever the outcome, nothing but the target is left in the directory. */
START_TEST(test_no_temp_files)
{
	char l256[257];
	mmbuf_create_opts o;
	mmbuf *b;

	memset(l256, 'a', 256);
	l256[256] = '\0';

	tu_opts(&o, 4096);
	ck_assert_int_eq(mmbuf_close(tu_create("ok.mmb", &o)), 0);
	ck_assert_int_eq(tu_dir_entries(tu_dir), 1);

	o.dtype = "bad";
	ck_assert_err(mmbuf_create(tu_path("f1"), &o, &b), MMBUF_EDTYPE);
	o.dtype = NULL;
	o.label = l256;
	ck_assert_err(mmbuf_create(tu_path("f2"), &o, &b), MMBUF_ELABEL);
	o.label = NULL;
	o.length = 4097;
	ck_assert_err(mmbuf_create(tu_path("f3"), &o, &b), MMBUF_ELENGTH);
	o.length = MMBUF_LENGTH_CAPACITY;
	ck_assert_err(mmbuf_create(tu_path("ok.mmb"), &o, &b), -EEXIST);
	o.capacity = 1ull << 62;
	ck_assert_int_lt(mmbuf_create(tu_path("f4"), &o, &b), 0);
	ck_assert_ptr_null(b);
	ck_assert_int_eq(tu_dir_entries(tu_dir), 1);
	o.capacity = 10;
	ck_assert_err(mmbuf_create(tu_path("no/such/dir"), &o, &b), -ENOENT);
	ck_assert_err(mmbuf_create(tu_path("ok.mmb/below"), &o, &b), -ENOTDIR);
	ck_assert_int_eq(tu_dir_entries(tu_dir), 1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* MMBUF_CREATE_UNPUBLISHED and mmbuf_publish                          */

/* Whether the test directory's file system has O_TMPFILE (without it an
 * unpublished buffer has a hidden name, which a kill leaves behind). */
static bool have_tmpfile(void)
{
#ifdef O_TMPFILE
	int fd = open(tu_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0) {
		close(fd);
		return true;
	}
#endif
	return false;
}

START_TEST(test_unpublished_create)
{
	const char *p = tu_path("u.mmb");
	mmbuf_create_opts o;
	mmbuf *b, *r;
	int entries = have_tmpfile() ? 0 : 1;

	tu_opts(&o, 64 * 1024);
	o.label = "fresh";
	o.length = 0;
	o.flags = MMBUF_CREATE_UNPUBLISHED;
	b = tu_create("u.mmb", &o);
	/* No name yet, and a handle that works as any other. */
	ck_assert(!tu_exists(p));
	ck_assert_int_eq(tu_dir_entries(tu_dir), entries);
	tu_fill(mmbuf_data(b), 32 * 1024, 41);
	ck_assert_int_eq(mmbuf_write(b, 32 * 1024, "tail", 4), 0);
	ck_assert_int_eq(mmbuf_set_length(b, 32 * 1024 + 4, MMBUF_DURABLE_NONE), 0);
	ck_assert_int_eq(mmbuf_seal(b, 0, 0, 0, NULL, NULL), 0);
	ck_assert_err(mmbuf_open(p, MMBUF_RDONLY, &r), -ENOENT);

	ck_assert_int_eq(mmbuf_publish(b), 0);
	ck_assert(tu_exists(p));
	ck_assert_int_eq(tu_dir_entries(tu_dir), 1);
	/* Published: the usual writer, whose file a reader can open. */
	r = tu_open(p, MMBUF_RDONLY);
	ck_assert(mmbuf_writer_active(r));
	ck_assert_str_eq(mmbuf_label(r), "fresh");
	ck_assert_uint_eq(mmbuf_length(r), 32 * 1024 + 4);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(r), 32 * 1024, 41), -1);
	ck_assert_mem_eq((uint8_t *)mmbuf_data(r) + 32 * 1024, "tail", 4);
	ck_assert_int_eq(mmbuf_close(r), 0);
	ck_assert_err(mmbuf_publish(b), -EINVAL);
	ck_assert_int_eq(mmbuf_close(b), 0);

	{
		mmbuf_report *rep = NULL;

		ck_assert_int_eq(mmbuf_verify_path(p, 0, 0, NULL, NULL, &rep), 0);
		ck_assert_int_eq(rep->verdict, MMBUF_VERDICT_OK);
		mmbuf_report_free(rep);
	}

	/* Only for a buffer made unpublished. */
	b = tu_open(p, MMBUF_RDWR);
	ck_assert_err(mmbuf_publish(b), -EINVAL);
	ck_assert_int_eq(mmbuf_close(b), 0);
	tu_opts(&o, 4096);
	ck_assert_err(mmbuf_publish(b = tu_create("plain.mmb", &o)), -EINVAL);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/* Closed before it is published: it was never there. */
START_TEST(test_unpublished_discard)
{
	const char *p = tu_path("d.mmb");
	mmbuf_create_opts o;
	mmbuf *b;

	tu_opts(&o, 1 << 20);
	o.flags = MMBUF_CREATE_UNPUBLISHED;
	b = tu_create("d.mmb", &o);
	tu_fill(mmbuf_data(b), 1 << 20, 42);
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert(!tu_exists(p));
	ck_assert_int_eq(tu_dir_entries(tu_dir), 0);

	/* A replacement discarded: the old file stays as it was. */
	tu_create_closed("d.mmb", 4096, 43);
	o.flags = MMBUF_CREATE_UNPUBLISHED | MMBUF_CREATE_REPLACE;
	b = tu_create("d.mmb", &o);
	tu_fill(mmbuf_data(b), 1 << 20, 44);
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_int_eq(tu_dir_entries(tu_dir), 1);
	b = tu_open(p, MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_capacity(b), 4096);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(b), 4096, 43), -1);
	ck_assert_int_eq(mmbuf_close(b), 0);

	/* Unknown flags are refused. */
	o.flags = 0x80;
	ck_assert_err(mmbuf_create(tu_path("z.mmb"), &o, &b), -EINVAL);
	ck_assert_ptr_null(b);
	ck_assert_int_eq(tu_dir_entries(tu_dir), 1);
}
END_TEST

/* Exclusive: a file made meanwhile wins and is not touched; replace: the
 * old file serves readers until the new one takes its name. */
START_TEST(test_unpublished_publish_races)
{
	static const char precious[] = "made meanwhile\n";
	const char *p = tu_path("e.mmb");
	mmbuf_create_opts o;
	uint8_t *after;
	size_t n;
	mmbuf *b, *r;

	tu_opts(&o, 8192);
	o.flags = MMBUF_CREATE_UNPUBLISHED;
	b = tu_create("e.mmb", &o);
	tu_fill(mmbuf_data(b), 8192, 45);
	tu_write_file(p, precious, sizeof precious);
	ck_assert_err(mmbuf_publish(b), -EEXIST);
	after = tu_read_file(p, &n);
	ck_assert_uint_eq(n, sizeof precious);
	ck_assert_mem_eq(after, precious, n);
	free(after);
	ck_assert_int_eq(mmbuf_close(b), 0);
	ck_assert_int_eq(tu_dir_entries(tu_dir), 1);
	ck_assert_int_eq(unlink(p), 0);

	tu_create_closed("e.mmb", 4096, 46);
	r = tu_open(p, MMBUF_RDONLY);
	o.flags = MMBUF_CREATE_UNPUBLISHED | MMBUF_CREATE_REPLACE;
	o.label = "new";
	b = tu_create("e.mmb", &o);
	tu_fill(mmbuf_data(b), 8192, 47);
	/* Before publication a new reader still finds the old buffer. */
	{
		mmbuf *r2 = tu_open(p, MMBUF_RDONLY);

		ck_assert_uint_eq(mmbuf_capacity(r2), 4096);
		ck_assert_int_eq(mmbuf_close(r2), 0);
	}
	ck_assert_int_eq(mmbuf_publish(b), 0);
	ck_assert_int_eq(tu_dir_entries(tu_dir), 1);
	/* The old reader keeps the old file; a new one sees the new. */
	ck_assert_int_eq(tu_check_fill(mmbuf_data(r), 4096, 46), -1);
	ck_assert_int_eq(mmbuf_close(r), 0);
	r = tu_open(p, MMBUF_RDONLY);
	ck_assert_str_eq(mmbuf_label(r), "new");
	ck_assert_int_eq(tu_check_fill(mmbuf_data(r), 8192, 47), -1);
	ck_assert_int_eq(mmbuf_close(r), 0);
	ck_assert_int_eq(mmbuf_close(b), 0);
}
END_TEST

/*
 * A child builds a buffer unpublished (fills 16 MiB, seals), publishes and
 * closes it; killed at random, it leaves the name absent or the whole,
 * sealed buffer, and with O_TMPFILE nothing else at all.
 */
START_TEST(test_unpublished_kill)
{
	const char *p = tu_path("k.mmb");
	unsigned seed = seed_random(), window = 0;
	bool tmpfile = have_tmpfile();
	int absent = 0, complete = 0, strays = 0;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Each round writes and seals 16 MiB: fewer rounds than the others
	 * in make check. */
	for (int r = -1, rounds = tu_rounds(8, 240); r < rounds; r++) {
		int up[2], v;
		pid_t pid;

		ck_assert_int_eq(pipe(up), 0);
		pid = tu_fork();
		if (pid == 0) {
			mmbuf_create_opts o;
			mmbuf *c = NULL;

			close(up[0]);
			tu_send(up[1], 1);
			tu_opts(&o, 16 * MIB);
			o.flags = MMBUF_CREATE_UNPUBLISHED;
			if (mmbuf_create(p, &o, &c) != 0)
				_exit(1);
			tu_fill(mmbuf_data(c), 16 * MIB, 48);
			if (mmbuf_seal(c, 0, 0, 0, NULL, NULL) != 0 ||
			    mmbuf_publish(c) != 0 || mmbuf_close(c) != 0)
				_exit(1);
			_exit(0);
		}
		close(up[1]);
		ck_assert(tu_recv(up[0], &v));
		close(up[0]);
		if (r < 0) {
			/* A first run to time: the kills are spread over it. */
			ck_assert_int_eq(tu_wait(pid), 0);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			window = (unsigned)((t1.tv_sec - t0.tv_sec) * 1000000L +
					    (t1.tv_nsec - t0.tv_nsec) / 1000);
			window = window * 3 / 2 + 100;
		} else {
			usleep((unsigned)rand() % window);
			kill(pid, SIGKILL);
			v = tu_wait(pid);
			ck_assert_msg(WIFSIGNALED(v) || (WIFEXITED(v) &&
							 WEXITSTATUS(v) == 0),
				      "child failed: %#x", v);
		}
		strays += tu_remove_others(tu_dir, "k.mmb");
		if (!tu_exists(p)) {
			absent++;
			continue;
		}
		{
			mmbuf *b = tu_open(p, MMBUF_RDONLY);

			ck_assert_int_eq(tu_check_fill(mmbuf_data(b), 16 * MIB, 48),
					 -1);
			ck_assert(mmbuf_state(b) & MMBUF_STATE_SEALED);
			ck_assert_int_eq(mmbuf_close(b), 0);
		}
		complete++;
		ck_assert_int_eq(unlink(p), 0);
	}
	printf("unpublished create (seed %u, kills within %u us): %d absent, "
	       "%d complete, %d stray files\n", seed, window, absent, complete,
	       strays);
	if (tmpfile)
		ck_assert_int_eq(strays, 0);
}
END_TEST

Suite *mmbuf_publish_suite(void);

Suite *mmbuf_publish_suite(void)
{
	Suite *s = suite_create("publish");
	TCase *tc;

	tc = tu_tcase(s, "atomic_create", 120);
	tcase_add_test(tc, test_atomic_create_kill);
	tcase_add_test(tc, test_atomic_replace_kill);
	tc = tu_tcase(s, "exclusive_create", 60);
	tcase_add_test(tc, test_exclusive_create);
	tc = tu_tcase(s, "replace", 60);
	tcase_add_test(tc, test_replace);
	tcase_add_test(tc, test_replace_not_regular);
	tcase_add_test(tc, test_replace_staging_planted);
	tcase_add_test(tc, test_no_temp_files);
	tc = tu_tcase(s, "unpublished", 60);
	tcase_add_test(tc, test_unpublished_create);
	tcase_add_test(tc, test_unpublished_discard);
	tcase_add_test(tc, test_unpublished_publish_races);
	tcase_add_test(tc, test_unpublished_kill);
	return s;
}
