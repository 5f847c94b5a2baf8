/*
 * rowlog - a writer of rows and the checkers of what followers see, for
 * the tests of following a growing buffer (tests/tools/follow-*.sh).
 *
 *   rowlog write [-b BURST] [-p PAUSE_US] [-s SEED] [--hold] FILE N
 *   rowlog follow FILE N
 *   rowlog check N
 *   rowlog cut FILE ROWS
 *
 * The rows are (index, value, checksum) as <u8, in a buffer whose first
 * dimension grows (shape (*, 3)); value and checksum are functions of the
 * index (row_value, row_check), so any row can be checked on its own.
 *
 * write appends rows until there are N, in bursts of 1 to BURST rows (one
 * commit per row, or one per burst, at random) with pauses of 0 to
 * PAUSE_US microseconds between bursts.  It creates FILE, with a small
 * capacity that the appends grow many times, or opens it and goes on from
 * its last whole row (a writer restarting after a crash).  It prints
 * "open" once FILE is open.  Then it closes FILE, or with --hold prints
 * "done" and waits to be killed.
 *
 * follow follows FILE with mmbuf_wait(), as examples of followers do,
 * waiting for it to appear first, and checks that it sees every row from 0
 * to N - 1 exactly once, in order, with the right values, and that
 * mmbuf_shape() gives the committed rows.  It prints "crashed" (and the
 * pid) when it learns that the writer died, once per death, and "ok N"
 * at the end.
 *
 * check reads dumpbuf -t output ("[i] index value checksum" lines) on
 * standard input and checks the same; it prints "ok N" when it has seen
 * row N - 1 (to a file named by $ROWLOG_REACHED, if set, as well), then
 * goes on reading to the end to check that nothing follows.
 *
 * cut commits a length of ROWS rows (fewer than there are: a shrink).
 *
 * Exit status 0 when all is well, 1 with a message otherwise.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mmbuf.h"

#define ROW 24

/* Below 2^53, so that tests in awk or Python could check them too. */
static uint64_t row_value(uint64_t i)
{
	return i * 2654435761u % 4294967291u;
}

static uint64_t row_check(uint64_t i)
{
	return (i + 3 * row_value(i)) % 1000000007u;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "rowlog: %s: %s\n", what, mmbuf_strerror(err));
	exit(1);
}

static uint64_t rng = 88172645463325252u;

static uint64_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void put_row(uint8_t *p, uint64_t i)
{
	uint64_t v[3] = { i, row_value(i), row_check(i) };

	for (int k = 0; k < 3; k++)
		for (int b = 0; b < 8; b++)
			p[8 * k + b] = (uint8_t)(v[k] >> (8 * b));
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int b = 7; b >= 0; b--)
		v = v << 8 | p[b];
	return v;
}

static int write_main(int argc, char **argv)
{
	uint64_t burst = 200, pause_us = 2000, n, i;
	int hold = 0, err, a;
	const char *path;
	mmbuf *buf;
	static uint8_t rows[ROW * 4096];

	for (a = 2; a < argc - 2; a++) {
		if (strcmp(argv[a], "-b") == 0 && a + 1 < argc - 2)
			burst = strtoull(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "-p") == 0 && a + 1 < argc - 2)
			pause_us = strtoull(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "-s") == 0 && a + 1 < argc - 2)
			rng = strtoull(argv[++a], NULL, 10) * 2 + 1;
		else if (strcmp(argv[a], "--hold") == 0)
			hold = 1;
		else
			goto usage;
	}
	if (a != argc - 2 || burst < 1 || burst > 4096)
		goto usage;
	path = argv[argc - 2];
	n = strtoull(argv[argc - 1], NULL, 10);

	err = mmbuf_open(path, MMBUF_RDWR, &buf);
	if (err == -ENOENT) {
		mmbuf_create_opts o;

		mmbuf_create_opts_init(&o);
		o.capacity = 4096;
		o.length = 0;
		o.dtype = "<u8";
		o.ndim = 2;
		o.shape[1] = 3;
		o.flags = MMBUF_CREATE_GROWING;
		err = mmbuf_create(path, &o, &buf);
	}
	if (err < 0)
		die(path, err);
	printf("open\n");
	fflush(stdout);
	/* A crashed writer may have left a partial row: cut it off. */
	i = mmbuf_length(buf) / ROW;
	if (mmbuf_length(buf) % ROW != 0 &&
	    (err = mmbuf_set_length(buf, i * ROW, MMBUF_DURABLE_NONE)) < 0)
		die(path, err);
	/* Grow by a small factor: many capacity changes under the readers. */
	(void)mmbuf_set_growth(buf, 1.5);
	while (i < n) {
		uint64_t k = 1 + next_random() % burst, pause;

		if (k > n - i)
			k = n - i;
		for (uint64_t j = 0; j < k; j++)
			put_row(rows + ROW * j, i + j);
		if (next_random() % 2) {
			err = mmbuf_append(buf, rows, (size_t)(ROW * k),
					   MMBUF_DURABLE_NONE);
		} else {
			for (uint64_t j = 0; j < k && err >= 0; j++)
				err = mmbuf_append(buf, rows + ROW * j, ROW,
						   MMBUF_DURABLE_NONE);
		}
		if (err < 0)
			die(path, err);
		i += k;
		pause = pause_us ? next_random() % (pause_us + 1) : 0;
		if (pause > 0) {
			struct timespec ts = { (time_t)(pause / 1000000),
					       (long)(pause % 1000000 * 1000) };

			nanosleep(&ts, NULL);
		}
	}
	if (hold) {
		printf("done\n");
		fflush(stdout);
		alarm(120);
		for (;;)
			pause();
	}
	err = mmbuf_close(buf);
	if (err < 0)
		die(path, err);
	return 0;
usage:
	fprintf(stderr, "usage: rowlog write [-b BURST] [-p PAUSE_US] "
		"[-s SEED] [--hold] FILE N\n");
	return 1;
}

static void check_row(uint64_t want, uint64_t i, uint64_t v, uint64_t c)
{
	if (i != want || v != row_value(i) || c != row_check(i)) {
		fprintf(stderr, "rowlog: row %" PRIu64 " is (%" PRIu64 ", %"
			PRIu64 ", %" PRIu64 "), expected (%" PRIu64 ", %" PRIu64
			", %" PRIu64 ")\n", want, i, v, c, want,
			row_value(want), row_check(want));
		exit(1);
	}
}

static int follow_main(const char *path, uint64_t n)
{
	uint64_t next = 0;
	int err, changed, told = 0;
	mmbuf *buf;

	/* Started before the writer: wait for the file. */
	while ((err = mmbuf_open(path, MMBUF_RDONLY, &buf)) == -ENOENT) {
		struct timespec ts = { 0, 10000000 };

		nanosleep(&ts, NULL);
	}
	if (err < 0)
		die(path, err);
	for (;;) {
		const uint64_t *dims;
		const uint8_t *data = mmbuf_data(buf);
		uint64_t rows = mmbuf_length(buf) / ROW;

		if (mmbuf_shape(buf, &dims) != 2 || dims[0] != rows ||
		    dims[1] != 3 || !mmbuf_growing(buf)) {
			fprintf(stderr, "rowlog: shape (%" PRIu64 ", %" PRIu64
				") for length %" PRIu64 "\n", dims[0], dims[1],
				mmbuf_length(buf));
			return 1;
		}
		for (; next < rows; next++) {
			const uint8_t *p = data + ROW * next;

			check_row(next, get_u64(p), get_u64(p + 8),
				  get_u64(p + 16));
		}
		if (next > n) {
			fprintf(stderr, "rowlog: %" PRIu64 " rows, expected %"
				PRIu64 "\n", next, n);
			return 1;
		}
		if (next == n)
			break;
		if (!mmbuf_writer_active(buf) && mmbuf_unclean(buf)) {
			if (!told) {
				mmbuf_info info;

				mmbuf_get_info(buf, &info);
				printf("crashed %" PRIu32 "\n", info.writer_pid);
				fflush(stdout);
			}
			told = 1;
		} else if (mmbuf_writer_active(buf)) {
			told = 0;
		}
		err = mmbuf_wait(buf, -1, &changed);
		if (err < 0)
			die(path, err);
	}
	printf("ok %" PRIu64 "\n", next);
	mmbuf_close(buf);
	return 0;
}

static int check_main(uint64_t n)
{
	const char *reached = getenv("ROWLOG_REACHED");
	char line[512];
	uint64_t next = 0, idx, i, v, c;

	while (fgets(line, sizeof line, stdin) != NULL) {
		if (sscanf(line, "[%" SCNu64 "] %" SCNu64 " %" SCNu64 " %"
			   SCNu64, &idx, &i, &v, &c) != 4 || idx != next) {
			fprintf(stderr, "rowlog: line for row %" PRIu64
				": %s", next, line);
			return 1;
		}
		check_row(next, i, v, c);
		if (++next == n) {
			printf("ok %" PRIu64 "\n", n);
			fflush(stdout);
			if (reached != NULL) {
				FILE *f = fopen(reached, "w");

				if (f != NULL)
					fclose(f);
			}
		}
	}
	if (next != n) {
		fprintf(stderr, "rowlog: %" PRIu64 " rows, expected %" PRIu64
			"\n", next, n);
		return 1;
	}
	return 0;
}

static int cut_main(const char *path, uint64_t rows)
{
	mmbuf *buf;
	int err = mmbuf_open(path, MMBUF_RDWR, &buf);

	if (err < 0)
		die(path, err);
	err = mmbuf_set_length(buf, rows * ROW, MMBUF_DURABLE_NONE);
	if (err < 0)
		die(path, err);
	err = mmbuf_close(buf);
	if (err < 0)
		die(path, err);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "write") == 0)
		return write_main(argc, argv);
	if (argc == 4 && strcmp(argv[1], "follow") == 0)
		return follow_main(argv[2], strtoull(argv[3], NULL, 10));
	if (argc == 3 && strcmp(argv[1], "check") == 0)
		return check_main(strtoull(argv[2], NULL, 10));
	if (argc == 4 && strcmp(argv[1], "cut") == 0)
		return cut_main(argv[2], strtoull(argv[3], NULL, 10));
	fprintf(stderr, "usage: rowlog write|follow|check|cut ...\n");
	return 1;
}
