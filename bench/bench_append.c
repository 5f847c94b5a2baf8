/*
 * bench_append - appending records: the library against write(2).
 *
 * usage: bench_append [--records N] [--rounds N] [--dir DIR]
 *
 * Appends N 64-byte records (default 8 Mi, 512 MiB) to a new file,
 * committing the length every 4,096 records, four ways:
 *
 *   mmbuf_append   the 4,096 records made in a buffer, then one
 *                  mmbuf_append (MMBUF_DURABLE_NONE), which commits the
 *                  length; the buffer starts empty and grows geometrically
 *   write(2)       the 4,096 records made in a buffer, then one write(2)
 *                  to a file opened with O_APPEND
 *   mmbuf reserve  mmbuf_reserve room for 4,096 records, make them in
 *                  place in the mapping, mmbuf_commit_reserved
 *   mmbuf sync     as mmbuf_append, committing with MMBUF_DURABLE_SYNC
 *   write+fdatasync as write(2), with fdatasync(2) after each write
 *
 * Every method makes the same records (a counter and a pattern) the same
 * way.  The methods run interleaved, one run of each per round,
 * the order rotated each round; a warm-up round is not counted.  The
 * medians are reported, with the ratios of the library to write(2) for
 * each pair and the target for the pair without sync (at least 1.0x).  A
 * missed target is reported, never an error: the exit status is 0 unless
 * the benchmark could not run (1) or was misused (2).
 *
 * Environment: MMBUF_BENCH_DIR (default: the current directory); the sync
 * pair runs on a twentieth of the records (it is bound by the disk).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mmbuf.h"

#define REC 64u
#define BATCH 4096u

static const char *prog = "bench_append";
static char path[PATH_MAX];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what,
		err < 0 ? mmbuf_strerror(err) : strerror(err));
	unlink(path);
	exit(1);
}

/* Records k .. k + n - 1 into dst. */
static void make_records(uint8_t *dst, uint64_t k, unsigned n)
{
	for (unsigned r = 0; r < n; r++, k++) {
		uint64_t *q = (uint64_t *)(void *)(dst + (size_t)r * REC);

		q[0] = k;
		for (unsigned j = 1; j < REC / 8; j++)
			q[j] = k * 0x9E3779B97F4A7C15ull + j;
	}
}

/* in_place: mmbuf_reserve + records made in the mapping + commit;
 * otherwise mmbuf_append of records made in a buffer. */
static double run_mmbuf(uint64_t records, int durability, int in_place)
{
	static uint8_t buf[BATCH * REC];
	mmbuf_create_opts o;
	mmbuf *b;
	double t0, t;
	int err;

	unlink(path);
	t0 = now();
	mmbuf_create_opts_init(&o);
	o.capacity = 0;
	o.length = 0;
	if ((err = mmbuf_create(path, &o, &b)) != 0)
		die("mmbuf_create", err);
	for (uint64_t k = 0; k < records; k += BATCH) {
		unsigned n = records - k < BATCH ? (unsigned)(records - k) : BATCH;
		size_t len = (size_t)n * REC;
		void *dst;

		if (in_place) {
			if ((err = mmbuf_reserve(b, len, &dst)) != 0)
				die("mmbuf_reserve", err);
			make_records(dst, k, n);
			err = mmbuf_commit_reserved(b, len, durability);
		} else {
			make_records(buf, k, n);
			err = mmbuf_append(b, buf, len, durability);
		}
		if (err != 0)
			die("append", err);
	}
	t = now() - t0;
	if (mmbuf_length(b) != records * REC)
		die("the length", EINVAL);
	if ((err = mmbuf_close(b)) != 0)
		die("mmbuf_close", err);
	unlink(path);
	return t;
}

static double run_write(uint64_t records, int sync)
{
	static uint8_t buf[BATCH * REC];
	double t0, t;
	int fd;

	unlink(path);
	t0 = now();
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
		  0644);
	if (fd < 0)
		die(path, errno);
	for (uint64_t k = 0; k < records; k += BATCH) {
		unsigned n = records - k < BATCH ? (unsigned)(records - k) : BATCH;
		size_t len = (size_t)n * REC, done = 0;

		make_records(buf, k, n);
		while (done < len) {
			ssize_t w = write(fd, buf + done, len - done);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				die("write", errno);
			done += (size_t)w;
		}
		if (sync && fdatasync(fd) != 0)
			die("fdatasync", errno);
	}
	t = now() - t0;
	if (close(fd) != 0)
		die("close", errno);
	unlink(path);
	return t;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "records", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum { M = 5 };
	const char *names[M] = { "mmbuf_append", "write(2)", "mmbuf reserve",
				 "mmbuf sync", "write+fdatasync" };
	uint64_t records = 8u << 20;
	int rounds = 7, c;
	const char *dir = getenv("MMBUF_BENCH_DIR");
	double *t[M], med[M];

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': records = strtoull(optarg, NULL, 0); break;
		case 'r': rounds = atoi(optarg); break;
		case 'd': dir = optarg; break;
		case 'h':
			printf("usage: %s [--records N] [--rounds N] [--dir DIR]\n",
			       prog);
			return 0;
		default:
			return 2;
		}
	}
	if (records < BATCH || rounds < 1 || optind != argc) {
		fprintf(stderr, "%s: bad arguments (records >= %u, rounds >= 1)\n",
			prog, BATCH);
		return 2;
	}
	if (dir == NULL || *dir == '\0')
		dir = ".";
	snprintf(path, sizeof path, "%s/bench-append.%ld.tmp", dir,
		 (long)getpid());
	for (int m = 0; m < M; m++) {
		t[m] = calloc((size_t)rounds, sizeof(double));
		if (t[m] == NULL)
			die("calloc", ENOMEM);
	}
	printf("%s: libmmbuf %s, %" PRIu64 " records of %u bytes (%.0f MiB), "
	       "length committed every %u records\n", prog, mmbuf_version(),
	       records, REC, (double)(records * REC) / (1 << 20), BATCH);
	printf("%s: the sync pair appends %" PRIu64 " records; directory %s; "
	       "%d rounds after a warm-up, order rotated\n", prog,
	       records / 20 / BATCH * BATCH, dir, rounds);
	for (int round = -1; round < rounds; round++) {
		for (int i = 0; i < M; i++) {
			int m = (i + (round < 0 ? 0 : round)) % M;
			uint64_t n = m < 3 ? records : records / 20 / BATCH * BATCH;
			double s;

			if (n < BATCH)
				n = BATCH;
			s = m == 0 ? run_mmbuf(n, MMBUF_DURABLE_NONE, 0)
			  : m == 1 ? run_write(n, 0)
			  : m == 2 ? run_mmbuf(n, MMBUF_DURABLE_NONE, 1)
			  : m == 3 ? run_mmbuf(n, MMBUF_DURABLE_SYNC, 0)
				   : run_write(n, 1);
			if (round >= 0)
				t[m][round] = (double)(n * REC) / s / (1 << 20);
		}
	}
	printf("\n  %-16s %14s\n", "method", "median MiB/s");
	for (int m = 0; m < M; m++) {
		med[m] = median(t[m], rounds);
		printf("  %-16s %14.1f\n", names[m], med[m]);
	}
	printf("\n  mmbuf_append / write(2):          %5.2fx   target >= 1.0x   %s\n",
	       med[0] / med[1], med[0] >= med[1] ? "PASS" : "MISS");
	printf("  mmbuf reserve / write(2):         %5.2fx   (in place, reported)\n",
	       med[2] / med[1]);
	printf("  mmbuf sync / write+fdatasync:     %5.2fx   (reported, no target)\n",
	       med[3] / med[4]);
	for (int m = 0; m < M; m++)
		free(t[m]);
	return 0;
}
