/*
 * concurrency - one writer appending, readers following it, for a while.
 *
 *   concurrency [--seconds S] [--readers N] [--dir DIR] [-- CMD ARG...]
 *
 * A writer process appends 64-byte patterned records (record k holds k
 * and a pattern of k) with mmbuf_append, in batches of 1 to 64, committing
 * each batch (mostly without sync, every 256th batch durably), so the
 * capacity grows geometrically under the readers.  N reader processes
 * (default 4) open the buffer read-only and follow it with mmbuf_refresh:
 * every record within the committed length they see must be right, the
 * length must never go back, and the header must never be torn (a failed
 * refresh is a failure).  Meanwhile the writer checks that:
 *
 *   - a second writer is refused (MMBUF_EBUSY), in another process;
 *   - a shrink is refused (MMBUF_EBUSY) while readers are attached.
 *
 * Each CMD after "--" is started too, with the buffer's path and the
 * number of seconds appended to its arguments, as another reader (the
 * Python readers of tests/concurrency.sh); it must exit 0.
 *
 * Prints what each side did and exits 0, or 1 on the first failure.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mmbuf.h"

#define REC 64u

struct shared {
	volatile int writer_ready;
	volatile int stop;
	volatile uint64_t records;           /* committed by the writer */
	volatile uint64_t second_writer_refused;
	volatile uint64_t shrinks_refused;
	volatile uint64_t grows;
	volatile uint64_t reader_checked[64];
	volatile uint64_t reader_refreshes[64];
};

static struct shared *sh;
static char path[PATH_MAX + 32];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint8_t rec_byte(uint64_t k, unsigned j)
{
	if (j < 8)
		return (uint8_t)(k >> (8 * j));
	return (uint8_t)(k * 131 + j * 17 + 3);
}

static void fail(const char *who, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

static void fail(const char *who, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "concurrency: %s: FAIL: ", who);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	sh->stop = 1;
	_exit(1);
}

static void writer(double seconds)
{
	uint8_t batch[64 * REC];
	double end = now() + seconds, next_probe = 0;
	uint64_t k = 0, cap = 0;
	mmbuf *b;
	int err;

	if ((err = mmbuf_open(path, MMBUF_RDWR, &b)) != 0)
		fail("writer", "open: %s", mmbuf_strerror(err));
	sh->writer_ready = 1;
	for (uint64_t n = 0; now() < end && !sh->stop; n++) {
		unsigned m = 1 + (unsigned)(n * 7 % 64);

		for (unsigned r = 0; r < m; r++)
			for (unsigned j = 0; j < REC; j++)
				batch[r * REC + j] = rec_byte(k + r, j);
		err = mmbuf_append(b, batch, m * REC,
				   n % 256 == 255 ? MMBUF_DURABLE_SYNC
						  : MMBUF_DURABLE_NONE);
		if (err != 0)
			fail("writer", "append: %s", mmbuf_strerror(err));
		k += m;
		sh->records = k;
		if (mmbuf_capacity(b) != cap) {
			cap = mmbuf_capacity(b);
			sh->grows++;
		}
		if (now() >= next_probe) {
			pid_t pid;
			int status;

			next_probe = now() + 0.2;
			/* A shrink, with readers attached: refused. */
			err = mmbuf_resize(b, mmbuf_length(b), 0);
			if (err != MMBUF_EBUSY)
				fail("writer", "a shrink under readers gave %s",
				     mmbuf_err_name(err));
			sh->shrinks_refused++;
			/* A second writer, in another process: refused. */
			pid = fork();
			if (pid == 0) {
				mmbuf *w2;

				_exit(mmbuf_open(path, MMBUF_RDWR, &w2) ==
				      MMBUF_EBUSY ? 0 : 1);
			}
			if (pid < 0 || waitpid(pid, &status, 0) != pid ||
			    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
				fail("writer", "a second writer was not refused");
			sh->second_writer_refused++;
		}
	}
	sh->stop = 1;
	if ((err = mmbuf_close(b)) != 0)
		fail("writer", "close: %s", mmbuf_strerror(err));
	_exit(0);
}

static void reader(int id)
{
	char who[32];
	uint64_t checked = 0, last_len = 0;
	mmbuf *b;
	int err;

	snprintf(who, sizeof who, "reader %d", id);
	if ((err = mmbuf_open(path, MMBUF_RDONLY, &b)) != 0)
		fail(who, "open: %s", mmbuf_strerror(err));
	for (;;) {
		int stop = sh->stop, changed;
		uint64_t len;
		const uint8_t *d;

		if ((err = mmbuf_refresh(b, &changed)) != 0)
			fail(who, "refresh: %s", mmbuf_strerror(err));
		sh->reader_refreshes[id]++;
		len = mmbuf_length(b);
		if (len < last_len)
			fail(who, "the length went back from %" PRIu64
			     " to %" PRIu64, last_len, len);
		if (len % REC != 0)
			fail(who, "length %" PRIu64 " is not whole records",
			     len);
		d = mmbuf_data(b);
		for (; checked < len / REC; checked++)
			for (unsigned j = 0; j < REC; j++)
				if (d[checked * REC + j] != rec_byte(checked, j))
					fail(who, "record %" PRIu64 " byte %u is "
					     "wrong within length %" PRIu64,
					     checked, j, len);
		last_len = len;
		sh->reader_checked[id] = checked;
		if (stop)
			break;
	}
	mmbuf_close(b);
	_exit(0);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "readers", required_argument, NULL, 'r' },
		{ "dir", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 }
	};
	double seconds = 10;
	int nreaders = 4, c, failed = 0, ncmds;
	const char *dir = getenv("TMPDIR");
	char tmpl[PATH_MAX], secs[32];
	pid_t pids[64 + 16];
	int npids = 0;
	mmbuf_create_opts o;
	mmbuf *b;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': seconds = atof(optarg); break;
		case 'r': nreaders = atoi(optarg); break;
		case 'd': dir = optarg; break;
		default: return 2;
		}
	}
	ncmds = argc - optind;
	if (nreaders < 1 || nreaders > 64 || seconds <= 0 || ncmds > 16)
		return 2;
	snprintf(tmpl, sizeof tmpl, "%s/mmbuf-conc.XXXXXX",
		 dir != NULL && *dir != '\0' ? dir : "/tmp");
	if (mkdtemp(tmpl) == NULL) {
		perror("concurrency: mkdtemp");
		return 1;
	}
	snprintf(path, sizeof path, "%s/follow.mmbuf", tmpl);
	sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	memset((void *)sh, 0, sizeof *sh);
	mmbuf_create_opts_init(&o);
	o.capacity = 0;
	o.length = 0;
	o.label = "concurrency";
	if (mmbuf_create(path, &o, &b) != 0 || mmbuf_close(b) != 0) {
		fprintf(stderr, "concurrency: cannot create %s\n", path);
		return 1;
	}
	/* Readers first, so that every shrink meets them. */
	for (int i = 0; i < nreaders; i++) {
		pid_t pid = fork();

		if (pid == 0)
			reader(i);
		pids[npids++] = pid;
	}
	snprintf(secs, sizeof secs, "%g", seconds);
	for (int i = 0; i < ncmds; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			execlp(argv[optind + i], argv[optind + i], path, secs,
			       (char *)NULL);
			perror(argv[optind + i]);
			_exit(127);
		}
		pids[npids++] = pid;
	}
	/* Let the readers attach before the first shrink attempt. */
	usleep(300000);
	{
		pid_t pid = fork();

		if (pid == 0)
			writer(seconds);
		pids[npids++] = pid;
	}
	for (int i = 0; i < npids; i++) {
		int status;

		if (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "concurrency: process %d (%s) failed, "
				"status %#x\n", i,
				i < nreaders ? "C reader"
				: i < nreaders + ncmds ? argv[optind + i - nreaders]
						       : "writer", status);
			failed = 1;
			sh->stop = 1;
		}
	}
	printf("concurrency: %.0f s: the writer appended %" PRIu64
	       " records (%" PRIu64 " MiB), growing the capacity %" PRIu64
	       " times; %" PRIu64 " second writers and %" PRIu64
	       " shrinks refused\n", seconds, sh->records,
	       sh->records * REC >> 20, sh->grows, sh->second_writer_refused,
	       sh->shrinks_refused);
	for (int i = 0; i < nreaders; i++)
		printf("concurrency: C reader %d: %" PRIu64 " refreshes, %" PRIu64
		       " records checked\n", i, sh->reader_refreshes[i],
		       sh->reader_checked[i]);
	if (sh->second_writer_refused == 0 || sh->shrinks_refused == 0) {
		fprintf(stderr, "concurrency: the writer never probed\n");
		failed = 1;
	}
	unlink(path);
	rmdir(tmpl);
	printf("concurrency: %s\n", failed ? "FAILED" : "no torn header, no "
	       "wrong record");
	return failed;
}
