/*
 * check_lock.c - one writer at a time, in this process or any other;
 * readers alongside; a crashed writer's lock is released and its unclean
 * close is reported; the lock protocol of mmbuf(5) on the file's bytes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define CAP (4 * 4096)

/* An open that must fail with want, leaving *out NULL. */
static void refuse(const char *path, unsigned flags, int want)
{
	mmbuf *b = (mmbuf *)&want;

	ck_assert_err(mmbuf_open(path, flags, &b), want);
	ck_assert_ptr_null(b);
}

/* ---------------------------------------------------------------- */
/* A writer in another process                                       */

enum how { BY_OPEN, BY_CREATE, BY_CLASSIC_LOCK, BY_READ_LOCK };

struct child {
	pid_t pid;
	int up;   /* read: the child says it is ready */
	int down; /* write: tell the child to close cleanly and exit */
};

/*
 * Start a child that becomes the writer of path (opening it, creating it,
 * or only taking a classic fcntl lock on byte 0 as Python's lockf would),
 * writes tu_fill(seed) over the data, and waits.  Returns once it is ready.
 * BY_READ_LOCK makes no writer: the child opens the file read-only and
 * takes a classic read lock over the whole file, as anyone who can read it
 * may.
 */
static struct child start_writer(const char *path, enum how how, uint32_t seed)
{
	int up[2], down[2], v;
	struct child c;

	ck_assert_int_eq(pipe(up), 0);
	ck_assert_int_eq(pipe(down), 0);
	c.pid = tu_fork();
	if (c.pid == 0) {
		mmbuf *b = NULL;
		int fd = -1, rc = 0;

		close(up[0]);
		close(down[1]);
		if (how == BY_OPEN) {
			rc = mmbuf_open(path, MMBUF_RDWR, &b);
		} else if (how == BY_CREATE) {
			mmbuf_create_opts o;

			mmbuf_create_opts_init(&o);
			o.capacity = CAP;
			rc = mmbuf_create(path, &o, &b);
		} else {
			bool rd = how == BY_READ_LOCK;
			struct flock fl = {.l_type = rd ? F_RDLCK : F_WRLCK,
					   .l_whence = SEEK_SET,
					   .l_start = 0,
					   .l_len = rd ? 0 : 1};

			fd = open(path, rd ? O_RDONLY : O_RDWR);
			if (fd < 0 || fcntl(fd, F_SETLK, &fl) != 0)
				rc = -errno;
		}
		if (rc == 0 && b != NULL)
			tu_fill(mmbuf_data(b), CAP, seed);
		tu_send(up[1], rc);
		if (rc != 0)
			_exit(1);
		tu_recv(down[0], &v);
		if (fd >= 0)
			close(fd);
		_exit(mmbuf_close(b) == 0 ? 0 : 2);
	}
	close(up[1]);
	close(down[0]);
	c.up = up[0];
	c.down = down[1];
	ck_assert_msg(tu_recv(c.up, &v), "writer child died");
	ck_assert_msg(v == 0, "writer child: %s", mmbuf_err_name(v));
	return c;
}

/* Let the child close cleanly; it must exit 0. */
static void finish_writer(struct child *c)
{
	int status;

	ck_assert(tu_send(c->down, 1));
	status = tu_wait(c->pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "writer child: status %#x", status);
	close(c->up);
	close(c->down);
}

static void kill_writer(struct child *c)
{
	int status;

	ck_assert_int_eq(kill(c->pid, SIGKILL), 0);
	status = tu_wait(c->pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(c->up);
	close(c->down);
}

/* ---------------------------------------------------------------- */

START_TEST(test_busy_same_process)
{
	const char *p = tu_path("w.mmb");
	mmbuf_create_opts o;
	mmbuf *w, *r;

	/* The creating handle is a writer. */
	tu_opts(&o, CAP);
	w = tu_create("w.mmb", &o);
	refuse(p, MMBUF_RDWR, MMBUF_EBUSY);
	r = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(mmbuf_writer_active(r), 1);
	ck_assert_int_eq(mmbuf_unclean(r), 0);
	ck_assert_uint_ne(mmbuf_state(r) & MMBUF_STATE_WRITER_OPEN, 0);
	ck_assert_int_eq(mmbuf_close(r), 0);
	ck_assert_int_eq(mmbuf_close(w), 0);

	/* An opened writer too, and the lock goes with the close. */
	for (int round = 0; round < 3; round++) {
		w = tu_open(p, MMBUF_RDWR);
		ck_assert_int_eq(mmbuf_unclean(w), 0);
		refuse(p, MMBUF_RDWR, MMBUF_EBUSY);
		refuse(p, MMBUF_RDWR, MMBUF_EBUSY);
		r = tu_open(p, MMBUF_RDONLY);
		ck_assert_int_eq(mmbuf_writer_active(r), 1);
		ck_assert_int_eq(mmbuf_close(r), 0);
		ck_assert_int_eq(mmbuf_close(w), 0);
	}
	r = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(mmbuf_writer_active(r), 0);
	ck_assert_int_eq(mmbuf_unclean(r), 0);
	ck_assert_int_eq(mmbuf_close(r), 0);
}
END_TEST

/* A writer in another process: busy for writers, fine for readers. */
START_TEST(test_busy_other_process)
{
	const char *p = tu_path("w.mmb");
	struct child c;
	mmbuf *r, *w;

	if (_i == BY_OPEN)
		tu_create_closed("w.mmb", CAP, 1);
	c = start_writer(p, (enum how)_i, 7);
	refuse(p, MMBUF_RDWR, MMBUF_EBUSY);
	r = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(mmbuf_writer_active(r), 1);
	ck_assert_int_eq(mmbuf_unclean(r), 0);
	ck_assert_uint_ne(mmbuf_state(r) & MMBUF_STATE_WRITER_OPEN, 0);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(r), CAP, 7), -1);
	refuse(p, MMBUF_RDWR, MMBUF_EBUSY);
	finish_writer(&c);

	/* Still open, the reader sees the writer's data. */
	ck_assert_int_eq(tu_check_fill(mmbuf_data(r), CAP, 7), -1);
	ck_assert_int_eq(mmbuf_close(r), 0);
	w = tu_open(p, MMBUF_RDWR);
	ck_assert_int_eq(mmbuf_unclean(w), 0);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(w), CAP, 7), -1);
	ck_assert_int_eq(mmbuf_close(w), 0);
}
END_TEST

/*
 * The writer is killed: its lock goes with it, the open succeeds, and the
 * unclean close is reported to readers and writers until a clean close.
 */
START_TEST(test_crashed_writer)
{
	const char *p = tu_path("w.mmb");
	struct child c;
	mmbuf *r, *w, *live;

	if (_i == BY_OPEN)
		tu_create_closed("w.mmb", CAP, 1);
	c = start_writer(p, (enum how)_i, 8);
	live = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(mmbuf_writer_active(live), 1);
	ck_assert_int_eq(mmbuf_unclean(live), 0); /* alive is not unclean */
	kill_writer(&c);

	r = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(mmbuf_unclean(r), 1);
	ck_assert_int_eq(mmbuf_writer_active(r), 0);
	ck_assert_uint_ne(mmbuf_state(r) & MMBUF_STATE_WRITER_OPEN, 0);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(r), CAP, 8), -1);
	ck_assert_int_eq(mmbuf_close(r), 0);

	w = tu_open(p, MMBUF_RDWR);
	ck_assert_int_eq(mmbuf_unclean(w), 1);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(w), CAP, 8), -1);
	/* A reader now sees a live writer, not a crashed one. */
	r = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(mmbuf_unclean(r), 0);
	ck_assert_int_eq(mmbuf_writer_active(r), 1);
	ck_assert_int_eq(mmbuf_close(r), 0);
	ck_assert_int_eq(mmbuf_close(w), 0);
	ck_assert_int_eq(mmbuf_close(live), 0);

	/* The clean close cleared it. */
	r = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(mmbuf_unclean(r), 0);
	ck_assert_uint_eq(mmbuf_state(r) & MMBUF_STATE_WRITER_OPEN, 0);
	ck_assert_int_eq(mmbuf_close(r), 0);
	w = tu_open(p, MMBUF_RDWR);
	ck_assert_int_eq(mmbuf_unclean(w), 0);
	ck_assert_int_eq(mmbuf_close(w), 0);
}
END_TEST

/* WRITER_OPEN is in the file (current slot) while a writer has it open. */
START_TEST(test_writer_open_state)
{
	const char *p = tu_path("st.mmb");
	uint8_t s[MMBUF_SLOT_SIZE];
	mmbuf *w, *r;

	tu_create_closed("st.mmb", CAP, 2);
	tu_slot_read(p, tu_current_slot(p), s);
	ck_assert_uint_eq(tu_le32(s + TU_STATE) & MMBUF_STATE_WRITER_OPEN, 0);
	r = tu_open(p, MMBUF_RDONLY);
	ck_assert_uint_eq(mmbuf_state(r) & MMBUF_STATE_WRITER_OPEN, 0);
	ck_assert_int_eq(mmbuf_unclean(r), 0);
	ck_assert_int_eq(mmbuf_writer_active(r), 0);
	ck_assert_int_eq(mmbuf_close(r), 0);

	w = tu_open(p, MMBUF_RDWR);
	ck_assert_uint_ne(mmbuf_state(w) & MMBUF_STATE_WRITER_OPEN, 0);
	tu_slot_read(p, tu_current_slot(p), s);
	ck_assert_uint_ne(tu_le32(s + TU_STATE) & MMBUF_STATE_WRITER_OPEN, 0);
	ck_assert_uint_eq(tu_le32(s + TU_WRITER_PID), (uint32_t)getpid());
	ck_assert_uint_eq(tu_le64(s + TU_GENERATION), mmbuf_generation(w));
	ck_assert_int_eq(mmbuf_close(w), 0);

	tu_slot_read(p, tu_current_slot(p), s);
	ck_assert_uint_eq(tu_le32(s + TU_STATE) & MMBUF_STATE_WRITER_OPEN, 0);
}
END_TEST

/* Readers do not keep a writer out. */
START_TEST(test_readers_and_writer)
{
	const char *p = tu_path("rw.mmb");
	mmbuf *r1, *r2, *w;

	tu_create_closed("rw.mmb", CAP, 3);
	r1 = tu_open(p, MMBUF_RDONLY);
	r2 = tu_open(p, MMBUF_RDONLY);
	w = tu_open(p, MMBUF_RDWR);
	((uint8_t *)mmbuf_data(w))[5] = 0x5a;
	ck_assert_uint_eq(((uint8_t *)mmbuf_data(r1))[5], 0x5a);
	ck_assert_int_eq(mmbuf_close(r1), 0);
	ck_assert_int_eq(mmbuf_close(w), 0);
	ck_assert_uint_eq(((uint8_t *)mmbuf_data(r2))[5], 0x5a);
	ck_assert_int_eq(mmbuf_close(r2), 0);
}
END_TEST

/* ---------------------------------------------------------------- */
/* The lock protocol, seen with classic fcntl locks from another process */

/* A classic lock (a process other than the library's) on [0,1). */
START_TEST(test_classic_lock_excludes)
{
	const char *p = tu_path("cl.mmb");
	struct child c;
	mmbuf *r, *w;

	tu_create_closed("cl.mmb", CAP, 4);
	c = start_writer(p, BY_CLASSIC_LOCK, 0);
	refuse(p, MMBUF_RDWR, MMBUF_EBUSY);
	/* Readers are not kept out.  (The lock holder never committed
	 * WRITER_OPEN, so what writer_active says is not asked here.) */
	r = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(mmbuf_unclean(r), 0);
	ck_assert_int_eq(mmbuf_close(r), 0);
	finish_writer(&c);
	w = tu_open(p, MMBUF_RDWR);
	ck_assert_int_eq(mmbuf_close(w), 0);
}
END_TEST

/*
 * In a child: try a classic lock of type on byte [start, start+1) without
 * waiting; 0 if it was granted (and released), else errno.
 */
static int probe_lock(const char *path, short type, off_t start)
{
	pid_t pid = tu_fork();
	int status;

	if (pid == 0) {
		struct flock fl = {.l_type = type,
				   .l_whence = SEEK_SET,
				   .l_start = start,
				   .l_len = 1};
		int fd = open(path, O_RDWR);

		if (fd < 0)
			_exit(100);
		if (fcntl(fd, F_SETLK, &fl) != 0)
			_exit(errno == EACCES ? EAGAIN : errno);
		_exit(0);
	}
	status = tu_wait(pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_ne(WEXITSTATUS(status), 100);
	return WEXITSTATUS(status);
}

START_TEST(test_lock_bytes)
{
	const char *p = tu_path("lb.mmb");
	mmbuf *w, *r;

	tu_create_closed("lb.mmb", CAP, 5);
	/* Nobody: both bytes free. */
	ck_assert_int_eq(probe_lock(p, F_WRLCK, 0), 0);
	ck_assert_int_eq(probe_lock(p, F_WRLCK, 1), 0);

	/* A writer holds [0,1) exclusively, and nothing on [1,2). */
	w = tu_open(p, MMBUF_RDWR);
	ck_assert_int_eq(probe_lock(p, F_WRLCK, 0), EAGAIN);
	ck_assert_int_eq(probe_lock(p, F_RDLCK, 0), EAGAIN);
	ck_assert_int_eq(probe_lock(p, F_WRLCK, 1), 0);
	ck_assert_int_eq(mmbuf_close(w), 0);
	ck_assert_int_eq(probe_lock(p, F_WRLCK, 0), 0);

	/* A reader holds [1,2) shared, and nothing on [0,1). */
	r = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(probe_lock(p, F_WRLCK, 1), EAGAIN);
	ck_assert_int_eq(probe_lock(p, F_RDLCK, 1), 0);
	ck_assert_int_eq(probe_lock(p, F_WRLCK, 0), 0);
	ck_assert_int_eq(mmbuf_close(r), 0);
	ck_assert_int_eq(probe_lock(p, F_WRLCK, 1), 0);

	/* The creating handle holds the writer lock too. */
	{
		mmbuf_create_opts o;

		tu_opts(&o, CAP);
		w = tu_create("lb2.mmb", &o);
		ck_assert_int_eq(probe_lock(tu_path("lb2.mmb"), F_WRLCK, 0),
				 EAGAIN);
		ck_assert_int_eq(mmbuf_close(w), 0);
		ck_assert_int_eq(probe_lock(tu_path("lb2.mmb"), F_WRLCK, 0), 0);
	}
}
END_TEST

/* ---------------------------------------------------------------- */
/* A read lock on the writer's byte: advisory locks can be abused       */

/*
 * Anyone who can read a buffer can keep its writers out: a read lock on
 * byte 0, which no writer takes.  The error says so, and does not claim
 * that a writer has it open; readers are not kept out.
 */
START_TEST(test_read_lock_keeps_writers_out)
{
	const char *p = tu_path("rl.mmb");
	struct child c;
	mmbuf *r, *w;
	int rep;

	tu_create_closed("rl.mmb", CAP, 6);
	c = start_writer(p, BY_READ_LOCK, 0);
	refuse(p, MMBUF_RDWR, MMBUF_EREADLOCK);
	ck_assert_str_eq(mmbuf_strerror(MMBUF_EREADLOCK),
			 "buffer is busy: a read lock on it keeps writers out");
	ck_assert_err(mmbuf_repair_path(p, 0, &rep), MMBUF_EREADLOCK);
	r = tu_open(p, MMBUF_RDONLY);
	ck_assert_int_eq(mmbuf_writer_active(r), 0);
	ck_assert_int_eq(mmbuf_unclean(r), 0);
	ck_assert_int_eq(tu_check_fill(mmbuf_data(r), CAP, 6), -1);
	ck_assert_int_eq(mmbuf_close(r), 0);
	finish_writer(&c);
	w = tu_open(p, MMBUF_RDWR);
	ck_assert_int_eq(mmbuf_close(w), 0);

	/* A real writer is still a writer. */
	c = start_writer(p, BY_OPEN, 6);
	refuse(p, MMBUF_RDWR, MMBUF_EBUSY);
	finish_writer(&c);
}
END_TEST

/*
 * A read lock on byte 0 is no writer: beside a crashed writer's "writer
 * open" state, readers, the verifier and a dry-run repair see an unclean
 * file, not a live writer.
 */
START_TEST(test_read_lock_is_no_writer)
{
	const char *p = tu_path("rl.mmb");
	mmbuf_report *rep;
	struct child c, lk;
	mmbuf *r;
	int slot;

	tu_create_closed("rl.mmb", CAP, 7);
	c = start_writer(p, BY_OPEN, 7);
	kill_writer(&c);
	lk = start_writer(p, BY_READ_LOCK, 0);
	r = tu_open(p, MMBUF_RDONLY);
	ck_assert_uint_ne(mmbuf_state(r) & MMBUF_STATE_WRITER_OPEN, 0);
	ck_assert_int_eq(mmbuf_writer_active(r), 0);
	ck_assert_int_eq(mmbuf_unclean(r), 1);
	ck_assert_int_eq(mmbuf_close(r), 0);
	ck_assert_int_eq(mmbuf_verify_path(p, 0, 1, NULL, NULL, &rep), 0);
	ck_assert_int_eq(rep->verdict, MMBUF_VERDICT_UNVERIFIABLE);
	ck_assert_int_eq(rep->reason, MMBUF_REASON_UNCLEAN);
	mmbuf_report_free(rep);
	ck_assert_int_eq(mmbuf_repair_path(p, MMBUF_REPAIR_DRY_RUN, &slot), 0);
	ck_assert_int_eq(slot, -1);
	refuse(p, MMBUF_RDWR, MMBUF_EREADLOCK);
	finish_writer(&lk);
}
END_TEST

Suite *mmbuf_lock_suite(void);

Suite *mmbuf_lock_suite(void)
{
	Suite *s = suite_create("lock");
	TCase *tc;

	tc = tu_tcase(s, "single_writer", 60);
	tcase_add_test(tc, test_busy_same_process);
	tcase_add_loop_test(tc, test_busy_other_process, BY_OPEN, BY_CREATE + 1);
	tcase_add_test(tc, test_readers_and_writer);
	tc = tu_tcase(s, "unclean_close", 60);
	tcase_add_loop_test(tc, test_crashed_writer, BY_OPEN, BY_CREATE + 1);
	tcase_add_test(tc, test_writer_open_state);
	tc = tu_tcase(s, "lock_protocol", 60);
	tcase_add_test(tc, test_classic_lock_excludes);
	tcase_add_test(tc, test_lock_bytes);
	tc = tu_tcase(s, "read_lock", 60);
	tcase_add_test(tc, test_read_lock_keeps_writers_out);
	tcase_add_test(tc, test_read_lock_is_no_writer);
	return s;
}
