/*
 * bench_follow - the C side of "make bench-follow" (bench/follow-bench.py
 * runs it and prints the table): a writer and its followers, each in a
 * process of its own.
 *
 *   bench_follow latency KIND N FILE -- FOLLOWER...
 *   bench_follow follow-wait|follow-poll FILE N
 *   bench_follow follow-pipe N
 *   bench_follow idle KIND FILE SECONDS
 *   bench_follow append FILE ROWS FOLLOWERS [sync]
 *   bench_follow follow-count FILE ROWS
 *
 * latency is the writer: it starts FOLLOWER (argv after --) with its
 * standard output a pipe, waits for its "ready" line, then makes N
 * commits of one 64-byte row each, spaced by random pauses of 1 to 3 ms.
 * Each row holds its number and the CLOCK_MONOTONIC time taken just
 * before the commit.  KIND "mmbuf": rows appended to FILE (created
 * anew, the capacity preallocated, not synced: MMBUF_DURABLE_NONE);
 * KIND "pipe": the 16 bytes written to the follower's standard input.
 * The follower prints, once it has the N rows, one latency a line (ns,
 * its clock when it saw the row minus the row's time); the writer prints
 * them on its standard output.
 *
 * follow-wait blocks in mmbuf_wait(); follow-poll calls mmbuf_refresh()
 * and sleeps 1 ms, the classic polling loop; follow-pipe blocks in
 * read(2) on standard input.
 *
 * idle starts a follower of KIND wait or poll on FILE, whose writer stays
 * open and commits nothing for SECONDS, then commits once; the follower
 * prints the CPU time it used meanwhile (CLOCK_PROCESS_CPUTIME_ID, ns).
 *
 * append appends ROWS 64-byte rows, one commit each (not synced, or with
 * "sync" MMBUF_DURABLE_SYNC), while FOLLOWERS processes follow with
 * mmbuf_wait() and read every row (follow-count); prints the writer's
 * rows per second.
 *
 * Exit status 0, or 1 with a message.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mmbuf.h"

#define ROW 64

static void die(const char *what, int err)
{
	fprintf(stderr, "bench_follow: %s: %s\n", what,
		err ? mmbuf_strerror(err) : strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000u),
			       (long)(ns % 1000000000u) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A new buffer of rows, its capacity made for n rows (no growth while
 * measuring latency), opened for writing. */
static mmbuf *create(const char *path, uint64_t n)
{
	mmbuf_create_opts o;
	mmbuf *buf;
	int err;

	mmbuf_create_opts_init(&o);
	o.capacity = (n + 1) * ROW;
	o.length = 0;
	o.dtype = "<u8";
	o.ndim = 2;
	o.shape[1] = ROW / 8;
	o.flags = MMBUF_CREATE_GROWING | MMBUF_CREATE_REPLACE;
	err = mmbuf_create(path, &o, &buf);
	if (err < 0)
		die(path, err);
	return buf;
}

static mmbuf *open_ro(const char *path)
{
	mmbuf *buf;
	int err = mmbuf_open(path, MMBUF_RDONLY, &buf);

	if (err < 0)
		die(path, err);
	return buf;
}

/* Start argv with its standard output a pipe (and, with in_fd >= 0, that
 * as its standard input); wait for its "ready" line. */
static FILE *start(char **argv, int in_fd, pid_t *pid)
{
	int out[2];
	char line[64];
	FILE *fp;

	if (pipe(out) < 0)
		die("pipe", 0);
	*pid = fork();
	if (*pid < 0)
		die("fork", 0);
	if (*pid == 0) {
		dup2(out[1], STDOUT_FILENO);
		if (in_fd >= 0)
			dup2(in_fd, STDIN_FILENO);
		close(out[0]);
		close(out[1]);
		execvp(argv[0], argv);
		fprintf(stderr, "bench_follow: %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(out[1]);
	fp = fdopen(out[0], "r");
	if (fp == NULL || fgets(line, sizeof line, fp) == NULL ||
	    strcmp(line, "ready\n") != 0) {
		fprintf(stderr, "bench_follow: %s did not start\n", argv[0]);
		exit(1);
	}
	return fp;
}

static void finish(FILE *fp, pid_t pid, int copy)
{
	char line[128];
	int st;

	while (fgets(line, sizeof line, fp) != NULL)
		if (copy)
			fputs(line, stdout);
	fclose(fp);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "bench_follow: a follower failed\n");
		exit(1);
	}
}

static void make_row(uint64_t *row, uint64_t i)
{
	memset(row, 0, ROW);
	row[0] = i;
	row[1] = now_ns();
}

static int latency_main(const char *kind, uint64_t n, const char *path,
			char **fargv)
{
	uint64_t row[ROW / 8];
	mmbuf *buf = NULL;
	int in[2] = { -1, -1 }, err;
	pid_t pid;
	FILE *fp;

	if (strcmp(kind, "mmbuf") == 0) {
		buf = create(path, n);
	} else if (pipe(in) < 0) {
		die("pipe", 0);
	}
	fp = start(fargv, in[0], &pid);
	if (in[0] >= 0)
		close(in[0]);
	for (uint64_t i = 0; i < n; i++) {
		sleep_ns(1000000 + next_random() % 2000000);
		make_row(row, i);
		if (buf != NULL) {
			err = mmbuf_append(buf, row, ROW, MMBUF_DURABLE_NONE);
			if (err < 0)
				die(path, err);
		} else if (write(in[1], row, 16) != 16) {
			die("write", 0);
		}
	}
	finish(fp, pid, 1);
	if (buf != NULL)
		mmbuf_close(buf);
	else
		close(in[1]);
	return 0;
}

static void print_latencies(const uint64_t *lat, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		printf("%" PRIu64 "\n", lat[i]);
}

/* The latency of each new row, from the handle's current length. */
static uint64_t take_rows(mmbuf *buf, uint64_t next, uint64_t *lat,
			  uint64_t n)
{
	uint64_t t = now_ns(), rows = mmbuf_length(buf) / ROW;
	const uint64_t *data = mmbuf_data(buf);

	for (; next < rows && next < n; next++)
		lat[next] = t - data[next * (ROW / 8) + 1];
	return next;
}

static int follow_main(const char *kind, const char *path, uint64_t n)
{
	uint64_t *lat = calloc(n, sizeof *lat), next = 0;
	int poll = strcmp(kind, "follow-poll") == 0, err, changed;
	mmbuf *buf = open_ro(path);

	if (lat == NULL)
		die("calloc", 0);
	printf("ready\n");
	fflush(stdout);
	while (next < n) {
		if (poll) {
			err = mmbuf_refresh(buf, &changed);
			if (err < 0)
				die(path, err);
			next = take_rows(buf, next, lat, n);
			if (next < n)
				sleep_ns(1000000);
			continue;
		}
		err = mmbuf_wait(buf, -1, &changed);
		if (err < 0)
			die(path, err);
		next = take_rows(buf, next, lat, n);
	}
	print_latencies(lat, n);
	free(lat);
	mmbuf_close(buf);
	return 0;
}

static int follow_pipe_main(uint64_t n)
{
	uint64_t *lat = calloc(n, sizeof *lat), rec[2];

	if (lat == NULL)
		die("calloc", 0);
	printf("ready\n");
	fflush(stdout);
	for (uint64_t i = 0; i < n; i++) {
		size_t got = 0;

		while (got < sizeof rec) {
			ssize_t r = read(STDIN_FILENO, (char *)rec + got,
					 sizeof rec - got);

			if (r <= 0)
				die("read", 0);
			got += (size_t)r;
		}
		lat[i] = now_ns() - rec[1];
	}
	print_latencies(lat, n);
	free(lat);
	return 0;
}

static int idle_main(const char *kind, const char *path, double seconds,
		     char *self)
{
	char *fargv[] = { self, NULL, (char *)path, (char *)"1", NULL };
	uint64_t row[ROW / 8];
	mmbuf *buf = create(path, 1);
	pid_t pid;
	FILE *fp;
	int err;

	fargv[1] = strcmp(kind, "wait") == 0 ? (char *)"idle-wait"
					     : (char *)"idle-poll";
	fp = start(fargv, -1, &pid);
	sleep_ns((uint64_t)(seconds * 1e9));
	make_row(row, 0);
	err = mmbuf_append(buf, row, ROW, MMBUF_DURABLE_NONE);
	if (err < 0)
		die(path, err);
	finish(fp, pid, 1);
	mmbuf_close(buf);
	return 0;
}

/* The follower of idle: the CPU it used until the one commit. */
static int idle_follow_main(const char *kind, const char *path)
{
	uint64_t lat, c0;
	int poll = strcmp(kind, "idle-poll") == 0, err, changed;
	mmbuf *buf = open_ro(path);

	printf("ready\n");
	fflush(stdout);
	c0 = cpu_ns();
	while (mmbuf_length(buf) < ROW) {
		if (poll) {
			err = mmbuf_refresh(buf, &changed);
			if (err == 0 && mmbuf_length(buf) < ROW)
				sleep_ns(1000000);
		} else {
			err = mmbuf_wait(buf, -1, &changed);
		}
		if (err < 0)
			die(path, err);
	}
	lat = cpu_ns() - c0;
	printf("%" PRIu64 "\n", lat);
	mmbuf_close(buf);
	return 0;
}

/* A follower of append: every row read, until there are rows of them. */
static int count_main(const char *path, uint64_t rows)
{
	uint64_t next = 0, sum = 0;
	mmbuf *buf = open_ro(path);
	int err, changed;

	printf("ready\n");
	fflush(stdout);
	while (next < rows) {
		const uint64_t *data;
		uint64_t have;

		err = mmbuf_wait(buf, -1, &changed);
		if (err < 0)
			die(path, err);
		data = mmbuf_data(buf);
		have = mmbuf_length(buf) / ROW;
		for (; next < have; next++)
			sum += data[next * (ROW / 8)];
	}
	if (sum != rows * (rows - 1) / 2) {
		fprintf(stderr, "bench_follow: the follower read wrong rows\n");
		return 1;
	}
	mmbuf_close(buf);
	return 0;
}

static int append_main(const char *path, uint64_t rows, int followers,
		       int sync, char *self)
{
	char nbuf[32];
	char *fargv[] = { self, (char *)"follow-count", (char *)path, nbuf,
			  NULL };
	uint64_t row[ROW / 8], t0, t1;
	mmbuf *buf;
	pid_t pids[16];
	FILE *fps[16];
	int err;

	if (followers > 16)
		followers = 16;
	snprintf(nbuf, sizeof nbuf, "%" PRIu64, rows);
	buf = create(path, 0);
	for (int k = 0; k < followers; k++)
		fps[k] = start(fargv, -1, &pids[k]);
	t0 = now_ns();
	for (uint64_t i = 0; i < rows; i++) {
		memset(row, 0, sizeof row);
		row[0] = i;
		err = mmbuf_append(buf, row, ROW, sync ? MMBUF_DURABLE_SYNC
						       : MMBUF_DURABLE_NONE);
		if (err < 0)
			die(path, err);
	}
	t1 = now_ns();
	for (int k = 0; k < followers; k++)
		finish(fps[k], pids[k], 0);
	mmbuf_close(buf);
	printf("%.1f\n", (double)rows / ((double)(t1 - t0) / 1e9));
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc >= 7 && strcmp(argv[1], "latency") == 0 &&
	    strcmp(argv[5], "--") == 0)
		return latency_main(argv[2], strtoull(argv[3], NULL, 10),
				    argv[4], argv + 6);
	if (argc == 4 && (strcmp(argv[1], "follow-wait") == 0 ||
			  strcmp(argv[1], "follow-poll") == 0))
		return follow_main(argv[1], argv[2],
				   strtoull(argv[3], NULL, 10));
	if (argc == 3 && strcmp(argv[1], "follow-pipe") == 0)
		return follow_pipe_main(strtoull(argv[2], NULL, 10));
	if (argc == 5 && strcmp(argv[1], "idle") == 0)
		return idle_main(argv[2], argv[3], atof(argv[4]), argv[0]);
	if (argc == 4 && (strcmp(argv[1], "idle-wait") == 0 ||
			  strcmp(argv[1], "idle-poll") == 0))
		return idle_follow_main(argv[1], argv[2]);
	if (argc == 4 && strcmp(argv[1], "follow-count") == 0)
		return count_main(argv[2], strtoull(argv[3], NULL, 10));
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "append") == 0)
		return append_main(argv[2], strtoull(argv[3], NULL, 10),
				   atoi(argv[4]), argc == 6, argv[0]);
	fprintf(stderr, "usage: bench_follow latency|follow-wait|follow-poll|"
		"follow-pipe|idle|append|follow-count ...\n");
	return 2;
}
