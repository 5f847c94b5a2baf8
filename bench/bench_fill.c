/*
 * bench_fill - how fast does a fresh buffer fill up?
 *
 * usage: bench_fill [--size SIZE] [--rounds N] [--warmup N] [--dir DIR]
 *
 * Fills a new file of SIZE bytes (default 1 GiB) from a 1 MiB source
 * chunk, copied in again and again, five ways:
 *
 *   library     mmbuf_create (preallocated), mmbuf_write of each chunk:
 *               pwrite(2) into the preallocated region, the library's
 *               fastest way here, judged against the targets
 *   mmbuf_fill  mmbuf_create (preallocated), mmbuf_fill: one slice per
 *               online CPU, whose thread copies the chunk into 256 KiB
 *               pieces and writes each with pwrite(2)
 *   prefault    mmbuf_create (preallocated), mmbuf_prefault, memcpy
 *   write(2)    open, write(2) of each 1 MiB chunk
 *   naive mmap  open, ftruncate, mmap, memcpy (pages fault in lazily)
 *
 * The methods run interleaved, one run of each per round, so that noise
 * (other processes, writeback, the disk) hits them alike; the order is
 * rotated from round to round so that no method always follows the same
 * one.  A warm-up round comes first and is not counted: the first touch
 * of memory a process has not used yet can cost several times a normal
 * run (in a virtual machine the host may have to supply the pages).  Each
 * run is timed twice:
 *
 *   fill     from the start to the moment the data is in the page cache
 *            (create or open, allocate, prefault, copy), without the final
 *            sync and close;
 *   durable  the same run carried on to stable storage: mmbuf_close (which
 *            syncs), fsync + close, msync + munmap + close.
 *
 * The file is deleted after every run and the filesystem synced (untimed),
 * so that no run pays for the previous one's cleanup.  Nothing is dropped
 * from the page cache by force.  The medians are reported, with the ratios
 * of the library fill (mmbuf_write) to the others and the project's targets
 * for the fill phase (at least as fast as write(2), at least 3x the naive
 * mmap), judged on the medians; the ratio of the fastest runs is shown
 * beside each.  The two other library ways are shown for comparison.  A
 * target missed is reported, never an error: the exit status is 0 unless
 * the benchmark itself could not run (1) or was misused (2).
 *
 * Environment: MMBUF_BENCH_DIR (default: the current directory),
 * MMBUF_BENCH_SIZE, MMBUF_BENCH_ROUNDS; options override them.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "mmbuf.h"

#define CHUNK (1u << 20)
#define GIB 1073741824.0
#define DEFAULT_SIZE (1ull << 30)
#define DEFAULT_ROUNDS 11
#define DEFAULT_WARMUP 1
#define MAX_ROUNDS 1000

/* The targets of the fill phase, as ratios of throughput. */
#define TARGET_VS_WRITE 1.0
#define TARGET_VS_MMAP 3.0

static const char *prog = "bench_fill";

/* The file of the run in progress, removed if we are interrupted. */
static char current[PATH_MAX];

enum { M_LIBRARY, M_FILL, M_PREFAULT, M_WRITE, M_MMAP, NMETHODS };

/*
 * What one run measured, in seconds from its start: phase[] are the ends
 * of its steps, fill and durable the two totals.
 */
#define NPHASES 3
struct run {
	double phase[NPHASES];
	double fill;
	double durable;
};

struct method {
	const char *name;
	const char *phases[NPHASES]; /* names of the steps, NULL if unused */
	int (*run)(const char *path, uint64_t size, const unsigned char *src,
		   struct run *r);
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Copy the chunk in again and again: the same loop for both mappings. */
static void fill(unsigned char *dst, uint64_t size,
		 const unsigned char *src)
{
	for (uint64_t off = 0; off < size; off += CHUNK) {
		uint64_t n = size - off < CHUNK ? size - off : CHUNK;

		memcpy(dst + off, src, (size_t)n);
	}
}

/* The producer for mmbuf_fill: the chunk, again and again, from any
 * offset (the pieces need not start on a chunk). */
static int fill_piece(void *dst, uint64_t offset, size_t len, void *arg)
{
	const unsigned char *src = arg;
	unsigned char *d = dst;

	while (len > 0) {
		size_t pos = (size_t)(offset % CHUNK);
		size_t n = CHUNK - pos < len ? CHUNK - pos : len;

		memcpy(d, src + pos, n);
		d += n;
		offset += n;
		len -= n;
	}
	return 0;
}

/* The three library ways share their start and end: create the buffer
 * (preallocated, the whole capacity in use), and close it, which syncs. */
static int lib_start(const char *path, uint64_t size, mmbuf **buf,
		     struct run *r, double *t0)
{
	mmbuf_create_opts opts;
	int err;

	mmbuf_create_opts_init(&opts);
	opts.capacity = size;
	*t0 = now();
	err = mmbuf_create(path, &opts, buf);
	r->phase[0] = now() - *t0;
	return err;
}

/* After the fill proper (err its result): the fill time, then the close. */
static int lib_finish(mmbuf *buf, int err, struct run *r, double t0)
{
	if (err != 0) {
		mmbuf_close(buf);
		return err;
	}
	r->fill = now() - t0;
	err = mmbuf_close(buf);
	r->durable = now() - t0;
	return err;
}

static int run_fill(const char *path, uint64_t size,
		    const unsigned char *src, struct run *r)
{
	mmbuf *buf;
	double t0;
	int err = lib_start(path, size, &buf, r, &t0);

	if (err != 0)
		return err;
	/* The callback only reads src: the cast drops no real constness. */
	err = mmbuf_fill(buf, 0, 0, 0, fill_piece, (void *)(uintptr_t)src);
	r->phase[1] = now() - t0;
	return lib_finish(buf, err, r, t0);
}

static int run_prefault(const char *path, uint64_t size,
			const unsigned char *src, struct run *r)
{
	mmbuf *buf;
	double t0;
	int err = lib_start(path, size, &buf, r, &t0);

	if (err != 0)
		return err;
	err = mmbuf_prefault(buf, 0, 0);
	r->phase[1] = now() - t0;
	if (err == 0) {
		fill(mmbuf_data(buf), size, src);
		r->phase[2] = now() - t0;
	}
	return lib_finish(buf, err, r, t0);
}

/* The library fill: mmbuf_write(), pwrite(2) into the preallocated
 * region, with no page faults and no zeroing pass. */
static int run_library(const char *path, uint64_t size,
		       const unsigned char *src, struct run *r)
{
	mmbuf *buf;
	double t0;
	int err = lib_start(path, size, &buf, r, &t0);

	if (err != 0)
		return err;
	for (uint64_t off = 0; off < size && err == 0; off += CHUNK) {
		uint64_t n = size - off < CHUNK ? size - off : CHUNK;

		err = mmbuf_write(buf, off, src, (size_t)n);
	}
	r->phase[1] = now() - t0;
	return lib_finish(buf, err, r, t0);
}

static int run_write(const char *path, uint64_t size,
		     const unsigned char *src, struct run *r)
{
	double t0;
	int fd, err = 0;

	t0 = now();
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		return -errno;
	r->phase[0] = now() - t0;
	for (uint64_t off = 0; off < size;) {
		/* After a short write, carry on from the same place. */
		size_t pos = (size_t)(off % CHUNK), want = CHUNK - pos;
		ssize_t n;

		if (size - off < want)
			want = (size_t)(size - off);
		n = write(fd, src + pos, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			close(fd);
			return err;
		}
		off += (uint64_t)n;
	}
	r->phase[1] = r->fill = now() - t0;
	if (fsync(fd) != 0)
		err = -errno;
	if (close(fd) != 0 && err == 0)
		err = -errno;
	r->durable = now() - t0;
	return err;
}

static int run_mmap(const char *path, uint64_t size,
		    const unsigned char *src, struct run *r)
{
	unsigned char *p;
	double t0;
	int fd, err = 0;

	t0 = now();
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) != 0) {
		err = -errno;
		close(fd);
		return err;
	}
	p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		err = -errno;
		close(fd);
		return err;
	}
	r->phase[0] = now() - t0;
	fill(p, size, src);
	r->phase[1] = r->fill = now() - t0;
	if (msync(p, (size_t)size, MS_SYNC) != 0)
		err = -errno;
	munmap(p, (size_t)size);
	if (close(fd) != 0 && err == 0)
		err = -errno;
	r->durable = now() - t0;
	return err;
}

static const struct method methods[NMETHODS] = {
	[M_LIBRARY] = { "library", { "create", "mmbuf_write", NULL },
			run_library },
	[M_FILL] = { "mmbuf_fill", { "create", "mmbuf_fill", NULL }, run_fill },
	[M_PREFAULT] = { "prefault", { "create", "prefault", "copy" },
			 run_prefault },
	[M_WRITE] = { "write(2)", { "open", "write", NULL }, run_write },
	[M_MMAP] = { "naive mmap", { "open+ftruncate+mmap", "copy+faults", NULL },
		     run_mmap },
};

static void on_signal(int sig)
{
	if (current[0] != '\0')
		unlink(current);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void usage(FILE *f, int status)
{
	fprintf(f,
		"usage: %s [--size SIZE] [--rounds N] [--warmup N] [--dir DIR]\n"
		"Time filling a fresh file through libmmbuf, write(2) and a naive mmap.\n"
		"  -s, --size SIZE   bytes per file, with K, M, G or T (default 1G;\n"
		"                    env MMBUF_BENCH_SIZE)\n"
		"  -r, --rounds N    rounds of the five methods (default %d;\n"
		"                    env MMBUF_BENCH_ROUNDS)\n"
		"  -w, --warmup N    uncounted rounds first (default %d)\n"
		"  -d, --dir DIR     where to write the files (default: env\n"
		"                    MMBUF_BENCH_DIR, else the current directory)\n"
		"  -h, --help        show this help\n",
		prog, DEFAULT_ROUNDS, DEFAULT_WARMUP);
	exit(status);
}

/* SIZE: a positive integer with an optional binary suffix K, M, G, T
 * (also KiB, MiB, ...). */
static int parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	unsigned long long v;
	const char *u;
	char *end;
	int shift = 0;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	if (*end != '\0') {
		u = strchr(units, end[0] & ~0x20);
		if (u == NULL || *u == '\0')
			return -1;
		shift = 10 * (int)(u - units + 1);
		end++;
		if (strcmp(end, "") != 0 && strcmp(end, "iB") != 0 &&
		    strcmp(end, "B") != 0)
			return -1;
	}
	if (v == 0 || v > (UINT64_MAX >> shift) ||
	    (v << shift) > (uint64_t)SIZE_MAX / 2)
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_rounds(const char *s, int min, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > MAX_ROUNDS)
		return -1;
	*out = (int)v;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, (size_t)n * sizeof *v);
	qsort(s, (size_t)n, sizeof *s, cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static const char *fs_name(const char *dir)
{
	/* Not statfs(2) magic numbers: /proc/self/mounts knows the names. */
	static char best_type[64];
	char real[PATH_MAX], mnt[PATH_MAX], type[64];
	size_t best = 0;
	FILE *f;

	if (realpath(dir, real) == NULL)
		return "?";
	f = fopen("/proc/self/mounts", "r");
	if (f == NULL)
		return "?";
	snprintf(best_type, sizeof best_type, "?");
	while (fscanf(f, "%*s %4095s %63s %*[^\n]", mnt, type) == 2) {
		size_t n = strlen(mnt);

		if (strncmp(real, mnt, n) == 0 &&
		    (real[n] == '/' || real[n] == '\0' || n == 1) && n >= best) {
			best = n;
			snprintf(best_type, sizeof best_type, "%s", type);
		}
	}
	fclose(f);
	return best_type;
}

/* A size for people: "1 GiB", "256 MiB", "1.50 GiB", "4096 bytes". */
static const char *human(uint64_t n)
{
	static char s[32];

	if (n >= (1u << 30) && n % (1u << 30) == 0)
		snprintf(s, sizeof s, "%" PRIu64 " GiB", n >> 30);
	else if (n >= (1u << 30))
		snprintf(s, sizeof s, "%.2f GiB", (double)n / GIB);
	else if (n >= (1u << 20) && n % (1u << 20) == 0)
		snprintf(s, sizeof s, "%" PRIu64 " MiB", n >> 20);
	else
		snprintf(s, sizeof s, "%" PRIu64 " bytes", n);
	return s;
}

static void print_table(const char *title,
			double t[NMETHODS][MAX_ROUNDS], int rounds,
			uint64_t size)
{
	printf("\n%s\n", title);
	printf("  %-12s %10s %10s %10s %10s\n", "method", "median s", "GiB/s",
	       "min s", "max s");
	for (int m = 0; m < NMETHODS; m++) {
		double s[MAX_ROUNDS], med = median(t[m], rounds);

		memcpy(s, t[m], (size_t)rounds * sizeof *s);
		qsort(s, (size_t)rounds, sizeof *s, cmp_double);
		printf("  %-12s %10.3f %10.2f %10.3f %10.3f\n", methods[m].name,
		       med, (double)size / GIB / med, s[0], s[rounds - 1]);
	}
}

static double minimum(const double *v, int n)
{
	double m = v[0];

	for (int i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

/*
 * The library's throughput over another method's, that is their time over
 * ours, from the medians; the target is judged on that.  The same ratio
 * of the fastest runs is shown beside it: on a noisy machine it is the
 * steadier estimate of what each method costs when nothing interferes.
 */
static void print_ratio(const char *what, const double *lib,
			const double *other, int rounds, double target)
{
	double ratio = median(other, rounds) / median(lib, rounds);
	double best = minimum(other, rounds) / minimum(lib, rounds);

	if (target > 0)
		printf("    / %-11s %6.2fx   target >= %.1fx   %s"
		       "   (fastest runs: %.2fx)\n", what, ratio, target,
		       ratio >= target ? "PASS" : "MISS", best);
	else
		printf("    / %-11s %6.2fx   (fastest runs: %.2fx)\n",
		       what, ratio, best);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static double fill_t[NMETHODS][MAX_ROUNDS], durable_t[NMETHODS][MAX_ROUNDS];
	static double phase_t[NMETHODS][NPHASES][MAX_ROUNDS];
	uint64_t size = DEFAULT_SIZE;
	int rounds = DEFAULT_ROUNDS, warmup = DEFAULT_WARMUP;
	const char *dir = getenv("MMBUF_BENCH_DIR");
	const char *env;
	unsigned char *src;
	struct statvfs vfs;
	struct utsname uts;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	int c, dirfd;

	if ((env = getenv("MMBUF_BENCH_SIZE")) != NULL && *env != '\0' &&
	    parse_size(env, &size) != 0) {
		fprintf(stderr, "%s: MMBUF_BENCH_SIZE=%s: not a size\n", prog, env);
		return 2;
	}
	if ((env = getenv("MMBUF_BENCH_ROUNDS")) != NULL && *env != '\0' &&
	    parse_rounds(env, 1, &rounds) != 0) {
		fprintf(stderr, "%s: MMBUF_BENCH_ROUNDS=%s: not a number of "
				"rounds (1 to %d)\n", prog, env, MAX_ROUNDS);
		return 2;
	}
	while ((c = getopt_long(argc, argv, "s:r:w:d:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (parse_size(optarg, &size) != 0) {
				fprintf(stderr, "%s: %s: not a size\n", prog, optarg);
				return 2;
			}
			break;
		case 'r':
			if (parse_rounds(optarg, 1, &rounds) != 0) {
				fprintf(stderr, "%s: %s: not a number of rounds "
						"(1 to %d)\n", prog, optarg, MAX_ROUNDS);
				return 2;
			}
			break;
		case 'w':
			if (parse_rounds(optarg, 0, &warmup) != 0) {
				fprintf(stderr, "%s: %s: not a number of warm-up "
						"rounds (0 to %d)\n", prog, optarg, MAX_ROUNDS);
				return 2;
			}
			break;
		case 'd':
			dir = optarg;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		default:
			usage(stderr, 2);
		}
	}
	if (optind != argc)
		usage(stderr, 2);
	if (dir == NULL || *dir == '\0')
		dir = ".";

	/* One file at a time lives on the disk; keep a margin for metadata. */
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    fstatvfs(dirfd, &vfs) != 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, dir, strerror(errno));
		return 1;
	}
	if ((uint64_t)vfs.f_bavail * vfs.f_frsize < size + (64u << 20)) {
		fprintf(stderr, "%s: %s: not enough free space for %s\n", prog,
			dir, human(size));
		return 1;
	}

	/* A source chunk that is not zeros, resident before the first run. */
	src = malloc(CHUNK);
	if (src == NULL) {
		fprintf(stderr, "%s: %s\n", prog, strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < CHUNK; i += 8) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		memcpy(src + i, &x, 8);
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);

	if (uname(&uts) != 0)
		snprintf(uts.release, sizeof uts.release, "?");
	printf("%s: libmmbuf %s, fill a fresh %s file from a 1 MiB chunk\n",
	       prog, mmbuf_version(), human(size));
	printf("%s: directory %s (%s), Linux %s, %ld online CPUs\n", prog,
	       dir, fs_name(dir), uts.release, ncpus);
	printf("%s: %d counted rounds after %d warm-up, order rotated each "
	       "round; times in seconds\n", prog, rounds, warmup);
	if (rounds < 5)
		printf("%s: note: fewer than 5 rounds, the medians are rough\n",
		       prog);
	printf("\n%-6s", "");
	for (int m = 0; m < NMETHODS; m++)
		printf("  %-19s", methods[m].name);
	printf("\n%-6s", "round");
	for (int m = 0; m < NMETHODS; m++)
		printf("  %8s %10s", "fill", "durable");
	printf("\n");

	for (int k = -warmup; k < rounds; k++) {
		double row_fill[NMETHODS], row_durable[NMETHODS];

		for (int i = 0; i < NMETHODS; i++) {
			int m = (k + warmup + i) % NMETHODS;
			struct run r = { { 0 }, 0, 0 };
			int err, n;

			n = snprintf(current, sizeof current, "%s/bench_fill.%ld.%d",
				     dir, (long)getpid(), m);
			if (n < 0 || (size_t)n >= sizeof current) {
				fprintf(stderr, "%s: %s: path too long\n", prog, dir);
				return 1;
			}
			unlink(current);
			err = methods[m].run(current, size, src, &r);
			unlink(current);
			/*
			 * Let the filesystem finish with the deleted file (its
			 * journal commit, freeing and discarding its blocks)
			 * before the next run starts its clock, instead of
			 * charging that to whichever method comes next.  This
			 * writes, it drops nothing from the page cache.
			 */
			syncfs(dirfd);
			if (err != 0) {
				fprintf(stderr, "%s: %s: %s: %s\n", prog, current,
					methods[m].name, mmbuf_strerror(err));
				current[0] = '\0';
				return 1;
			}
			current[0] = '\0';
			row_fill[m] = r.fill;
			row_durable[m] = r.durable;
			if (k < 0)
				continue;
			fill_t[m][k] = r.fill;
			durable_t[m][k] = r.durable;
			/* Phases as durations, not as times since the start. */
			for (int p = 0; p < NPHASES; p++)
				phase_t[m][p][k] = r.phase[p] - (p ? r.phase[p - 1] : 0);
		}
		if (k < 0)
			printf("%-6s", "warm");
		else
			printf("%-6d", k + 1);
		for (int m = 0; m < NMETHODS; m++)
			printf("  %8.3f %10.3f", row_fill[m], row_durable[m]);
		printf("\n");
		fflush(stdout);
	}

	print_table("fill phase: create/open + allocate + prefault + copy, data "
		    "in the page cache", fill_t, rounds, size);
	printf("  library fill (mmbuf_write: pwrite into the preallocated "
	       "region):\n");
	print_ratio("write(2)", fill_t[M_LIBRARY], fill_t[M_WRITE], rounds,
		    TARGET_VS_WRITE);
	print_ratio("naive mmap", fill_t[M_LIBRARY], fill_t[M_MMAP], rounds,
		    TARGET_VS_MMAP);
	printf("  the other library ways, for comparison (no target):\n");
	printf("  mmbuf_fill (%ld online CPUs):\n", ncpus);
	print_ratio("write(2)", fill_t[M_FILL], fill_t[M_WRITE], rounds, 0);
	print_ratio("naive mmap", fill_t[M_FILL], fill_t[M_MMAP], rounds, 0);
	printf("  mmbuf_prefault + memcpy:\n");
	print_ratio("write(2)", fill_t[M_PREFAULT], fill_t[M_WRITE], rounds, 0);
	print_ratio("naive mmap", fill_t[M_PREFAULT], fill_t[M_MMAP], rounds, 0);

	printf("\n  where the fill time goes (medians):\n");
	for (int m = 0; m < NMETHODS; m++) {
		printf("  %-12s", methods[m].name);
		for (int p = 0; p < NPHASES && methods[m].phases[p]; p++)
			printf(" %s %.3f s%s", methods[m].phases[p],
			       median(phase_t[m][p], rounds),
			       p + 1 < NPHASES && methods[m].phases[p + 1] ? "," : "");
		printf("\n");
	}

	print_table("durable: the same runs up to stable storage (mmbuf_close / "
		    "fsync+close / msync+munmap+close)", durable_t, rounds, size);
	printf("  library (mmbuf_write):\n");
	print_ratio("write(2)", durable_t[M_LIBRARY], durable_t[M_WRITE],
		    rounds, 0);
	print_ratio("naive mmap", durable_t[M_LIBRARY], durable_t[M_MMAP],
		    rounds, 0);
	printf("  mmbuf_fill:\n");
	print_ratio("write(2)", durable_t[M_FILL], durable_t[M_WRITE],
		    rounds, 0);
	printf("  prefault + copy:\n");
	print_ratio("write(2)", durable_t[M_PREFAULT], durable_t[M_WRITE],
		    rounds, 0);
	printf("\n%s: targets apply to the fill phase; a MISS is a finding, "
	       "not a failure\n", prog);
	free(src);
	close(dirfd);
	return 0;
}
