/*
 * producer - write a table of doubles into a new buffer file.
 *
 * usage: producer [-f] FILE [ROWS]
 *
 * Creates FILE as a ROWS x 3 buffer of doubles (default 1000000 rows),
 * fills row i with (i, i / 2, sin i) through the mapping, commits the
 * length and closes.  Run consumer(FILE) afterwards, in another process,
 * to read the table back.  -f replaces an existing FILE atomically; without
 * it an existing FILE is an error and is left alone.
 *
 * Exit status: 0 on success, 1 on failure, 64 on a usage error (EX_USAGE,
 * as the mmbuf tools).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mmbuf.h>

#include "demo.h"

static const char *prog = "producer";

static void usage(FILE *f, int status)
{
	fprintf(f, "usage: %s [-f] FILE [ROWS]\n"
		   "Create FILE holding ROWS x 3 doubles, row i = (i, i/2, sin i)"
		   " (default %u rows).\n"
		   "  -f  replace FILE if it exists\n",
		prog, DEMO_ROWS_DEFAULT);
	exit(status);
}

/* ROWS: a decimal count whose table fits in 64 bits of bytes. */
static int parse_rows(const char *s, uint64_t *rows)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' ||
	    v > UINT64_MAX / (DEMO_COLS * sizeof(double)) || v > SIZE_MAX)
		return -1;
	*rows = v;
	return 0;
}

static void print_uuid(const uint8_t u[16])
{
	for (int i = 0; i < 16; i++)
		printf("%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "",
		       u[i]);
}

int main(int argc, char **argv)
{
	mmbuf_create_opts opts;
	mmbuf *buf;
	uint64_t rows = DEMO_ROWS_DEFAULT, bytes, generation;
	const char *path;
	double *table;
	int c, err;
	int replace = 0;

	while ((c = getopt(argc, argv, "fh")) != -1) {
		switch (c) {
		case 'f':
			replace = 1;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		default:
			usage(stderr, 64);
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		usage(stderr, 64);
	path = argv[optind];
	if (argc - optind == 2 && parse_rows(argv[optind + 1], &rows) != 0) {
		fprintf(stderr, "%s: %s: not a valid number of rows\n", prog,
			argv[optind + 1]);
		exit(64);
	}
	bytes = rows * DEMO_COLS * sizeof(double);

	/*
	 * The shape is declared up front; the length starts at 0 and is
	 * committed only once every row is written, so a reader never takes
	 * a half-written table for a finished one.
	 */
	mmbuf_create_opts_init(&opts);
	opts.capacity = bytes;
	opts.length = 0;
	opts.dtype = DEMO_DTYPE;
	opts.ndim = 2;
	opts.shape[0] = rows;
	opts.shape[1] = DEMO_COLS;
	opts.label = "mmbuf example: row i = (i, i/2, sin i)";
	if (replace)
		opts.flags |= MMBUF_CREATE_REPLACE;

	err = mmbuf_create(path, &opts, &buf);
	if (err != 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, mmbuf_strerror(err));
		return 1;
	}

	/* Populate the page tables at once rather than one fault per page. */
	err = mmbuf_prefault(buf, 0, 0);
	if (err != 0) {
		fprintf(stderr, "%s: %s: prefault: %s\n", prog, path,
			mmbuf_strerror(err));
		mmbuf_close(buf);
		return 1;
	}

	table = mmbuf_data(buf); /* NULL for 0 rows; the loop then does nothing */
	for (uint64_t i = 0; i < rows; i++)
		demo_row(i, &table[i * DEMO_COLS]);

	/* Publish the rows: the data is synced before the header names it. */
	err = mmbuf_set_length(buf, bytes, MMBUF_DURABLE_SYNC);
	if (err != 0) {
		fprintf(stderr, "%s: %s: commit length: %s\n", prog, path,
			mmbuf_strerror(err));
		mmbuf_close(buf);
		return 1;
	}

	printf("%s: %s: wrote %" PRIu64 " x %d %s (%" PRIu64 " bytes), uuid ",
	       prog, path, rows, DEMO_COLS, mmbuf_dtype(buf), bytes);
	print_uuid(mmbuf_uuid(buf));
	printf("\n");
	generation = mmbuf_generation(buf);

	/* Close commits the clean state, durably; its result matters. */
	err = mmbuf_close(buf);
	if (err != 0) {
		fprintf(stderr, "%s: %s: close: %s\n", prog, path,
			mmbuf_strerror(err));
		return 1;
	}
	printf("%s: %s: committed length at generation %" PRIu64
	       ", closed cleanly\n", prog, path, generation);
	return 0;
}
