/*
 * torture - kill -9 writers at random moments and check what they leave.
 *
 *   torture [--kills N] [--seed S] [--dir DIR] [--verbose]
 *
 * Each round forks a writer that works on a buffer file in DIR (default:
 * a fresh directory under $TMPDIR) through one scenario, waits a random
 * time, kills it with SIGKILL, and checks the file it left:
 *
 *   create   the writer creates the buffer again and again, replacing it
 *            atomically (MMBUF_CREATE_REPLACE), fills, sometimes seals, and
 *            closes; every other time it builds the buffer unpublished
 *            (MMBUF_CREATE_UNPUBLISHED) and publishes it before the close,
 *            and then it must be complete as soon as it has its name.  The path must always be a complete buffer (never
 *            absent once a create has finished, never a partial file), the
 *            directory must hold nothing else, and every buffer whose close
 *            returned must hold all its data.
 *   commit   the writer appends 64-byte records through the mapping and
 *            commits the length every few records (set_length, with a
 *            random durability), and sometimes the label.  The buffer must
 *            open, with the length it last committed or the one it was
 *            committing, and every record within the length must be
 *            intact.  The next round's writer goes on from there.
 *   seal     the writer rewrites part of the data, seals and closes, in a
 *            loop.  The buffer must open with its data intact.
 *   append   the writer appends batches of records with mmbuf_append,
 *            which grows the capacity geometrically, and now and then
 *            shrinks the capacity back to the length (mmbuf_resize).  As
 *            for commit, and the file must be at least as long as its
 *            header says, whatever step of a resize the kill hit.
 *   rows     the append scenario on a buffer whose first dimension grows
 *            (MMBUF_CREATE_GROWING, rows of 8 "<u8", one record each),
 *            each batch appended in two parts so that a partial row is
 *            committed in between.  As for append, and the shape must
 *            count the whole rows of the length, in the library's view
 *            and in every intact slot of the file.
 *
 * After every kill the file must open (read-only, then read-write, which a
 * crashed writer's successor must be able to do), and mmbuf_verify_path
 * must never call it corrupt: a merely unclean close is "not verifiable",
 * and a header commit cut short by the kill is an interrupted commit, not
 * damage.
 *
 * Exit status 0, or 1 after the first violation (the file is kept and its
 * path printed), or 2 on a usage or setup error.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mmbuf.h"

#define REC 64u                 /* bytes per record */
#define COMMIT_CAP (1u << 20)   /* capacity of the commit scenario's buffer */
/* What a replace killed between its link and its rename leaves, for the
 * next replace to remove (mmbuf(3), "Creating and opening"). */
#define STAGING ".c.mmbuf.mmbuf-new"
static unsigned long stale_removed;

enum scenario { SC_CREATE, SC_COMMIT, SC_SEAL, SC_APPEND, SC_ROWS,
		SC_COUNT };
static const char *const sc_names[SC_COUNT] = { "create", "commit", "seal",
						"append", "rows" };
static const char *const sc_files[SC_COUNT] = { "c.mmbuf", "a.mmbuf",
						"s.mmbuf", "g.mmbuf",
						"r.mmbuf" };

/*
 * What the writer tells the checker, in a shared anonymous page.  The
 * writer stores a value only after the step it describes has returned, so
 * a value the checker reads was true before the kill.
 */
struct progress {
	volatile uint64_t creates_done;  /* create: buffers closed */
	volatile uint64_t committed;     /* commit: length last committed */
	volatile uint64_t committing;    /* commit: length being committed */
	volatile uint64_t seals_done;    /* seal: seal + close completed */
	volatile uint64_t appended;      /* append: length last committed */
	volatile uint64_t appending;     /* append: length being committed */
	volatile uint64_t resizes;       /* append, rows: shrinks completed */
	volatile uint64_t rows_appended; /* rows: length last committed */
	volatile uint64_t rows_appending;/* rows: length being committed */
	volatile uint64_t steps;         /* anything done, for the timing */
};

static struct progress *prog;
static char dir[PATH_MAX];
static char path[PATH_MAX + 32];
static uint64_t rng_state;
static int verbose;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("torture: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

/* A violation: say what, keep the file, stop. */
static void violation(enum scenario sc, unsigned round, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void violation(enum scenario sc, unsigned round, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "torture: VIOLATION in round %u (%s): ", round,
		sc_names[sc]);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\ntorture: the file is kept: %s\n", path);
	va_end(ap);
	exit(1);
}

/* The byte j of record k, and of the data of create number id. */
static uint8_t rec_byte(uint64_t k, unsigned j)
{
	if (j < 8)
		return (uint8_t)(k >> (8 * j));
	return (uint8_t)(k * 31 + j * 7 + 1);
}

static uint8_t create_byte(uint64_t id, uint64_t i)
{
	return (uint8_t)((i * 2654435761u) >> 13 ^ id * 97);
}

/* ------------------------------------------------------------------ */
/* The writers: they run until killed                                  */

/* Whether create number id is made unpublished, and published once it is
 * filled (and maybe sealed), rather than published at once. */
static bool create_unpublished(uint64_t id)
{
	return id % 2 == 1;
}

/* Create number id of the create scenario: replace, fill, maybe seal,
 * close (every other one: built unpublished and published before the
 * close).  0 or an error. */
static int create_one(uint64_t id, uint64_t seed)
{
	mmbuf_create_opts o;
	char label[64];
	mmbuf *b;
	uint8_t *d;
	uint64_t cap = 16384 + (seed + id) % 13 * 4096;
	int err;

	mmbuf_create_opts_init(&o);
	o.capacity = cap;
	o.flags = MMBUF_CREATE_REPLACE |
		  (create_unpublished(id) ? MMBUF_CREATE_UNPUBLISHED : 0);
	snprintf(label, sizeof label, "create %" PRIu64, id);
	o.label = label;
	if ((err = mmbuf_create(path, &o, &b)) != 0)
		return err;
	d = mmbuf_data(b);
	for (uint64_t i = 0; i < cap; i++)
		d[i] = create_byte(id, i);
	prog->steps++;
	if (((id + seed) % 3 == 0 &&
	     (err = mmbuf_seal(b, 12, 0, 1, NULL, NULL)) != 0) ||
	    (create_unpublished(id) && (err = mmbuf_publish(b)) != 0)) {
		mmbuf_close(b);
		return err;
	}
	if ((err = mmbuf_close(b)) != 0)
		return err;
	prog->creates_done = id + 1;
	prog->steps++;
	return 0;
}

static void writer_create(uint64_t seed)
{
	for (uint64_t id = prog->creates_done;; id++)
		if (create_one(id, seed) != 0)
			_exit(3);
}

static void writer_commit(uint64_t seed)
{
	mmbuf *b;
	uint8_t *d;
	uint64_t k;

	if (mmbuf_open(path, MMBUF_RDWR, &b) != 0)
		_exit(3);
	d = mmbuf_data(b);
	k = mmbuf_length(b) / REC;
	for (uint64_t n = 0;; n++) {
		uint64_t len;
		int dur = (int)((seed + n) % 3);

		if ((k + 1) * REC > COMMIT_CAP)
			k = 0;  /* start over: commit a short length first */
		for (unsigned j = 0; j < REC; j++)
			d[k * REC + j] = rec_byte(k, j);
		k++;
		prog->steps++;
		if (k % 4 != 0 && k != 1)
			continue;
		len = k * REC;
		prog->committing = len;
		if (mmbuf_set_length(b, len, dur) != 0)
			_exit(3);
		prog->committed = len;
		if (n % 16 == 5) {
			char label[32];

			snprintf(label, sizeof label, "at %" PRIu64, len);
			if (mmbuf_set_label(b, label, dur) != 0)
				_exit(3);
		}
		prog->steps++;
	}
}

static void writer_seal(uint64_t seed)
{
	for (uint64_t n = 0;; n++) {
		mmbuf *b;
		uint8_t *d;
		uint64_t len;

		if (mmbuf_open(path, MMBUF_RDWR, &b) != 0)
			_exit(3);
		d = mmbuf_data(b);
		len = mmbuf_capacity(b);
		/* The same bytes again: the data never changes, so every
		 * seal is of the same content, whatever the kill hits. */
		for (uint64_t i = (seed + n) % 7 * 4096; i < len; i += 4096)
			d[i] = create_byte(0, i);
		prog->steps++;
		if (mmbuf_seal(b, 12, 0, 1, NULL, NULL) != 0 ||
		    mmbuf_close(b) != 0)
			_exit(3);
		prog->seals_done++;
		prog->steps++;
	}
}

/*
 * The append scenario, on the progress fields given; with split, each
 * batch is appended in two parts (the first ends within a record).
 */
static void writer_append(uint64_t seed, volatile uint64_t *appended,
			  volatile uint64_t *appending, bool split)
{
	uint8_t batch[16 * REC];
	mmbuf *b;
	uint64_t k;

	if (mmbuf_open(path, MMBUF_RDWR, &b) != 0)
		_exit(3);
	if (mmbuf_set_growth(b, 1.5 + (double)(seed % 4) / 2) != 0)
		_exit(3);
	k = mmbuf_length(b) / REC;
	if (mmbuf_length(b) != k * REC) {
		/* A partial record that a kill left: drop it. */
		*appending = k * REC;
		if (mmbuf_set_length(b, k * REC, MMBUF_DURABLE_NONE) != 0)
			_exit(3);
		*appended = k * REC;
	}
	for (uint64_t n = 0;; n++) {
		unsigned m = 1 + (unsigned)((seed + n) % 16);
		int dur = (int)((seed + n) % 3);

		/* The first part of a split batch ends within a record. */
		size_t part = split ? m * REC - 1 - (size_t)(seed + n) % REC
				    : 0;

		if ((k + m) * REC > 8 * COMMIT_CAP) {
			/* Start over: a short length, then shrink to it. */
			*appending = 0;
			if (mmbuf_set_length(b, 0, dur) != 0)
				_exit(3);
			*appended = 0;
			k = 0;
		}
		for (unsigned r = 0; r < m; r++)
			for (unsigned j = 0; j < REC; j++)
				batch[r * REC + j] = rec_byte(k + r, j);
		if (part > 0) {
			*appending = k * REC + part;
			if (mmbuf_append(b, batch, part, dur) != 0)
				_exit(3);
			*appended = k * REC + part;
		}
		*appending = (k + m) * REC;
		if (mmbuf_append(b, batch + part, m * REC - part, dur) != 0)
			_exit(3);
		k += m;
		*appended = k * REC;
		prog->steps++;
		if (n % 8 == 7) {
			if (mmbuf_resize(b, k * REC, 0) != 0)
				_exit(3);
			prog->resizes++;
			prog->steps++;
		}
	}
}

/* ------------------------------------------------------------------ */
/* The checks                                                          */

/* Entries of dir other than . and .., the buffers and the staging name. */
static int strays(void)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (dp == NULL)
		die("%s: %s", dir, strerror(errno));
	while ((e = readdir(dp)) != NULL) {
		bool ours = strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0 ||
			    strcmp(e->d_name, STAGING) == 0;

		for (int sc = 0; sc < SC_COUNT; sc++)
			ours = ours || strcmp(e->d_name, sc_files[sc]) == 0;
		if (!ours) {
			fprintf(stderr, "torture: stray file %s\n", e->d_name);
			n++;
		}
	}
	closedir(dp);
	return n;
}

/* Open read-only, check the header is usable, verify. */
static mmbuf *check_opens(enum scenario sc, unsigned round)
{
	mmbuf_report *rep = NULL;
	mmbuf *b = NULL;
	int err;

	err = mmbuf_open(path, MMBUF_RDONLY, &b);
	if (err != 0)
		violation(sc, round, "open: %s", mmbuf_strerror(err));
	err = mmbuf_verify_path(path, 0, 1, NULL, NULL, &rep);
	if (err != 0)
		die("verify: %s", mmbuf_strerror(err));
	if (rep->verdict == MMBUF_VERDICT_CORRUPT ||
	    rep->verdict == MMBUF_VERDICT_FAILED)
		violation(sc, round,
			  "verify says %s (error %s, slots %d/%d, reason %d)",
			  rep->verdict == MMBUF_VERDICT_CORRUPT ? "corrupt"
								: "failed",
			  mmbuf_err_name(rep->error), rep->slot_status[0],
			  rep->slot_status[1], rep->reason);
	mmbuf_report_free(rep);
	return b;
}

static void check_create(unsigned round)
{
	char staging[PATH_MAX + 32];
	uint64_t done = prog->creates_done, id;
	const uint8_t *d;
	mmbuf *b;
	char *end;

	if (strays() != 0)
		violation(SC_CREATE, round, "files left beside the buffer");
	if (access(path, F_OK) != 0) {
		if (done > 0)
			violation(SC_CREATE, round, "the buffer is gone");
		return;
	}
	b = check_opens(SC_CREATE, round);
	if (strncmp(mmbuf_label(b), "create ", 7) != 0)
		violation(SC_CREATE, round, "label %s", mmbuf_label(b));
	id = strtoull(mmbuf_label(b) + 7, &end, 10);
	/* The last one closed, or the one after it, published but maybe
	 * not filled (filled if it was built unpublished). */
	if (done > 0 && id + 1 < done)
		violation(SC_CREATE, round, "create %" PRIu64 " is there, "
			  "%" PRIu64 " had been closed", id, done - 1);
	if (id > done)
		violation(SC_CREATE, round, "create %" PRIu64 " is there, "
			  "only %" PRIu64 " were begun", id, done + 1);
	if (id + 1 == done || (id == done && create_unpublished(id))) {
		d = mmbuf_data(b);
		for (uint64_t i = 0; i < mmbuf_capacity(b); i++)
			if (d[i] != create_byte(id, i))
				violation(SC_CREATE, round, "create %" PRIu64
					  ": wrong byte at %" PRIu64, id, i);
		if (mmbuf_length(b) != mmbuf_capacity(b))
			violation(SC_CREATE, round, "length %" PRIu64,
				  mmbuf_length(b));
	}
	mmbuf_close(b);

	/* A staging file left by the kill: the next replace removes it. */
	snprintf(staging, sizeof staging, "%s/" STAGING, dir);
	if (access(staging, F_OK) == 0) {
		int err = create_one(prog->creates_done, round);

		if (err != 0)
			violation(SC_CREATE, round, "replace after a kill: %s",
				  mmbuf_strerror(err));
		if (access(staging, F_OK) == 0)
			violation(SC_CREATE, round, "the replace left the "
				  "stale %s", STAGING);
		stale_removed++;
	}
}

/* The first uint64 at off of path, read with pread. */
static uint64_t pread64_at(uint64_t off)
{
	uint8_t v[8];
	uint64_t x = 0;
	FILE *f = fopen(path, "rb");

	if (f == NULL || fseek(f, (long)off, SEEK_SET) != 0 ||
	    fread(v, 1, 8, f) != 8)
		die("%s: cannot read", path);
	fclose(f);
	for (int i = 7; i >= 0; i--)
		x = x << 8 | v[i];
	return x;
}

/*
 * The rows scenario: the shape counts the whole rows of the length, in the
 * header read, and in each intact slot of the file as the bytes stand
 * (what a reader of format 1.0 reads: shape[0] at slot offset 136 against
 * length at 96).
 */
static void check_rows(unsigned round, const mmbuf_info *info)
{
	if (!(info->ro_compat & MMBUF_RO_COMPAT_GROWING) || info->ndim != 2 ||
	    info->shape[0] != info->length / REC || info->shape[1] != REC / 8)
		violation(SC_ROWS, round, "shape %" PRIu64 " x %" PRIu64
			  " for length %" PRIu64, info->shape[0],
			  info->shape[1], info->length);
	for (int i = 0; i < 2; i++) {
		uint64_t base = (uint64_t)i * MMBUF_PAGE;

		if (info->slot_status[i] != 0)
			continue;
		if (pread64_at(base + 136) != pread64_at(base + 96) / REC)
			violation(SC_ROWS, round, "slot %d: shape[0] %" PRIu64
				  " for length %" PRIu64, i,
				  pread64_at(base + 136),
				  pread64_at(base + 96));
	}
}

/*
 * The commit and append scenarios: the length is the one the writer last
 * committed (*committed) or the one it was committing (*committing), the
 * file is at least as long as its header says (a resize may have been cut
 * short), and every record within the length is intact.  The next writer
 * goes on from this length.
 */
static void check_records(enum scenario sc, unsigned round,
			  volatile uint64_t *committed,
			  volatile uint64_t *committing)
{
	uint64_t lo = *committed, hi = *committing, len;
	mmbuf_info info;
	struct stat st;
	const uint8_t *d;
	mmbuf *b;

	b = check_opens(sc, round);
	len = mmbuf_length(b);
	if (!(len == lo || len == hi))
		violation(sc, round, "length %" PRIu64 ", the writer had "
			  "committed %" PRIu64 " and was committing %" PRIu64,
			  len, lo, hi);
	mmbuf_get_info(b, &info);
	if (stat(path, &st) != 0 || (uint64_t)st.st_size < info.file_size)
		violation(sc, round, "the file is shorter than its header says");
	d = mmbuf_data(b);
	for (uint64_t k = 0; k < len / REC; k++)
		for (unsigned j = 0; j < REC; j++)
			if (d[k * REC + j] != rec_byte(k, j))
				violation(sc, round, "record %" PRIu64
					  " byte %u is wrong", k, j);
	if (sc == SC_ROWS)
		check_rows(round, &info);
	/* A partial record is the next writer's to complete. */
	*committed = *committing = len;
	mmbuf_close(b);
}

static void check_seal(unsigned round)
{
	const uint8_t *d;
	mmbuf *b = check_opens(SC_SEAL, round);

	d = mmbuf_data(b);
	for (uint64_t i = 0; i < mmbuf_capacity(b); i++)
		if (d[i] != create_byte(0, i))
			violation(SC_SEAL, round, "wrong byte at %" PRIu64, i);
	mmbuf_close(b);
}

/* A crashed writer's successor must be able to open it for writing. */
static void check_reopen(enum scenario sc, unsigned round)
{
	mmbuf *b = NULL;
	int err = mmbuf_open(path, MMBUF_RDWR, &b);

	if (err != 0)
		violation(sc, round, "read-write open: %s", mmbuf_strerror(err));
	if (mmbuf_close(b) != 0)
		violation(sc, round, "close after the read-write open");
}

/* ------------------------------------------------------------------ */

static void setup(enum scenario sc)
{
	mmbuf_create_opts o;
	mmbuf *b;

	snprintf(path, sizeof path, "%s/%s", dir, sc_files[sc]);
	if (sc == SC_CREATE)
		return;
	unlink(path);
	mmbuf_create_opts_init(&o);
	o.capacity = sc == SC_COMMIT ? COMMIT_CAP : sc == SC_SEAL ? 256 * 1024
								    : 0;
	o.length = sc == SC_SEAL ? MMBUF_LENGTH_CAPACITY : 0;
	if (sc == SC_ROWS) {
		o.dtype = "<u8";
		o.ndim = 2;
		o.shape[1] = REC / 8;
		o.flags = MMBUF_CREATE_GROWING;
	}
	if (mmbuf_create(path, &o, &b) != 0)
		die("%s: cannot create", path);
	if (sc == SC_SEAL) {
		uint8_t *d = mmbuf_data(b);

		for (uint64_t i = 0; i < o.capacity; i++)
			d[i] = create_byte(0, i);
	}
	if (mmbuf_close(b) != 0)
		die("%s: cannot close", path);
}

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void usage(FILE *fp, int status)
{
	fprintf(fp,
"Usage: torture [--kills N] [--seed S] [--dir DIR] [--verbose]\n"
"Kill writers with SIGKILL at random moments and check the buffer files\n"
"they leave.  Exit 0, 1 on a violation, 2 on a usage or setup error.\n");
	exit(status);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kills", required_argument, NULL, 'k' },
		{ "seed", required_argument, NULL, 's' },
		{ "dir", required_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long kills = 100, done[SC_COUNT] = { 0 };
	uint64_t seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 20;
	/* How long a writer lives before the kill, per scenario, in us:
	 * adapted so that kills land all over the writer's cycle. */
	int64_t span[SC_COUNT] = { 4000, 3000, 6000, 4000, 4000 };
	const char *tmpdir = getenv("TMPDIR");
	int own_dir = 1, c;

	while ((c = getopt_long(argc, argv, "k:s:d:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'k': kills = strtoul(optarg, NULL, 10); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'd':
			snprintf(dir, sizeof dir, "%s", optarg);
			own_dir = 0;
			break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout, 0); break;
		default: usage(stderr, 2);
		}
	}
	if (optind != argc || kills == 0)
		usage(stderr, 2);
	if (own_dir) {
		snprintf(dir, sizeof dir, "%s/mmbuf-torture.XXXXXX",
			 tmpdir != NULL && *tmpdir != '\0' ? tmpdir : "/tmp");
		if (mkdtemp(dir) == NULL)
			die("mkdtemp: %s", strerror(errno));
	}
	rng_state = seed * 0x9E3779B97F4A7C15ull + 1;
	printf("torture: seed %" PRIu64 ", %lu kills, in %s\n", seed, kills,
	       dir);
	fflush(stdout);
	prog = mmap(NULL, sizeof *prog, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (prog == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	memset(prog, 0, sizeof *prog);
	for (int sc = 0; sc < SC_COUNT; sc++)
		setup((enum scenario)sc);

	for (unsigned long round = 0; round < kills; round++) {
		enum scenario sc = (enum scenario)(rng() % SC_COUNT);
		uint64_t before;
		int64_t wait_us, t0;
		pid_t pid;
		int status;

		snprintf(path, sizeof path, "%s/%s", dir, sc_files[sc]);
		before = prog->steps;
		wait_us = (int64_t)(rng() % (uint64_t)span[sc]);
		fflush(stdout);
		pid = fork();
		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			uint64_t s = rng();

			if (sc == SC_CREATE)
				writer_create(s);
			else if (sc == SC_COMMIT)
				writer_commit(s);
			else if (sc == SC_SEAL)
				writer_seal(s);
			else if (sc == SC_APPEND)
				writer_append(s, &prog->appended,
					      &prog->appending, false);
			else
				writer_append(s, &prog->rows_appended,
					      &prog->rows_appending, true);
			_exit(4);
		}
		t0 = now_us();
		while (now_us() - t0 < wait_us)
			usleep((useconds_t)(wait_us - (now_us() - t0)));
		kill(pid, SIGKILL);
		if (waitpid(pid, &status, 0) != pid)
			die("waitpid: %s", strerror(errno));
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
			violation(sc, (unsigned)round, "the writer failed "
				  "before the kill (status %#x)", status);
		/* Keep the kills inside the writer's work: a writer that
		 * never got going needs more time, one that did much less. */
		if (prog->steps == before && span[sc] < 200000)
			span[sc] += span[sc] / 4;
		else if (prog->steps - before > 64 && span[sc] > 500)
			span[sc] -= span[sc] / 8;
		if (sc == SC_CREATE)
			check_create((unsigned)round);
		else if (sc == SC_COMMIT)
			check_records(sc, (unsigned)round, &prog->committed,
				      &prog->committing);
		else if (sc == SC_SEAL)
			check_seal((unsigned)round);
		else if (sc == SC_APPEND)
			check_records(sc, (unsigned)round, &prog->appended,
				      &prog->appending);
		else
			check_records(sc, (unsigned)round,
				      &prog->rows_appended,
				      &prog->rows_appending);
		if (sc != SC_CREATE || access(path, F_OK) == 0)
			check_reopen(sc, (unsigned)round);
		done[sc]++;
		if (verbose)
			printf("round %lu: %s, killed after %" PRId64 " us, "
			       "%" PRIu64 " steps\n", round, sc_names[sc],
			       wait_us, prog->steps - before);
	}
	printf("torture: %lu kills (create %lu, commit %lu, seal %lu, "
	       "append %lu, rows %lu, with %" PRIu64 " shrinks), %lu stale "
	       "staging files removed by the next replace: no violation\n",
	       kills, done[SC_CREATE], done[SC_COMMIT], done[SC_SEAL],
	       done[SC_APPEND], done[SC_ROWS], prog->resizes, stale_removed);
	if (own_dir) {
		char p[PATH_MAX + 32];

		for (int i = 0; i < SC_COUNT; i++) {
			snprintf(p, sizeof p, "%s/%s", dir, sc_files[i]);
			unlink(p);
		}
		if (rmdir(dir) != 0)
			fprintf(stderr, "torture: cannot remove %s: %s\n", dir,
				strerror(errno));
	}
	return 0;
}
