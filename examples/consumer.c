/*
 * consumer - read back, describe and check the table written by producer.
 *
 * usage: consumer FILE
 *
 * Opens FILE read-only, checks that it holds ROWS x 3 doubles in this
 * machine's byte order with every row committed, prints a summary (label,
 * uuid, generation, shape, first and last rows, per-column sum, minimum and
 * maximum) and compares every value with what producer writes.
 *
 * Exit status: 0 if the table is as expected, 1 if it cannot be opened,
 * is not a table of the expected kind, or holds a wrong value, 64 on a
 * usage error (EX_USAGE, as the mmbuf tools).
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mmbuf.h>

#include "demo.h"

static const char *prog = "consumer";

/*
 * sin() may differ in the last bit between C libraries, and the consumer
 * may run on another machine than the producer: allow a few units in the
 * last place for that column.  The other two columns must be exact.
 */
#define SIN_TOLERANCE 1e-15

static void usage(FILE *f, int status)
{
	fprintf(f, "usage: %s FILE\n"
		   "Check and describe the table that producer wrote into FILE.\n",
		prog);
	exit(status);
}

static void print_uuid(const uint8_t u[16])
{
	for (int i = 0; i < 16; i++)
		printf("%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "",
		       u[i]);
}

static void print_time(int64_t ns)
{
	time_t t = (time_t)(ns / 1000000000);
	struct tm tm;
	char s[32];

	if (gmtime_r(&t, &tm) != NULL &&
	    strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
		printf("%s", s);
	else
		printf("%" PRId64 " ns", ns);
}

static void print_row(uint64_t i, const double *row)
{
	printf("  row %-10" PRIu64 " %14.1f %14.1f %+.17f\n", i, row[0], row[1],
	       row[2]);
}

/* Refuse a buffer that is not a table this program knows how to read. */
static int check_layout(const char *path, mmbuf *buf, uint64_t *rows)
{
	char native[MMBUF_DTYPE_MAX + 1];
	const uint64_t *dims;
	uint32_t ndim = mmbuf_shape(buf, &dims);
	uint64_t row_bytes = DEMO_COLS * sizeof(double);
	uint64_t committed;

	if (mmbuf_dtype_parse(DEMO_DTYPE, native, NULL) != 0 ||
	    strcmp(mmbuf_dtype(buf), native) != 0) {
		fprintf(stderr, "%s: %s: dtype is %s, expected %s\n", prog, path,
			mmbuf_dtype(buf), native);
		return -1;
	}
	if (ndim != 2 || dims[1] != DEMO_COLS) {
		fprintf(stderr, "%s: %s: shape is (", prog, path);
		for (uint32_t d = 0; d < ndim; d++)
			fprintf(stderr, "%s%" PRIu64, d ? ", " : "", dims[d]);
		fprintf(stderr, "%s), expected (ROWS, %d)\n",
			ndim == 1 ? "," : "", DEMO_COLS);
		return -1;
	}
	/* Only committed bytes count; a trailing partial row is ignored. */
	committed = mmbuf_length(buf) / row_bytes;
	if (committed < dims[0]) {
		fprintf(stderr,
			"%s: %s: only %" PRIu64 " of %" PRIu64
			" rows are committed (did the producer finish?)\n",
			prog, path, committed, dims[0]);
		return -1;
	}
	*rows = dims[0];
	return 0;
}

int main(int argc, char **argv)
{
	mmbuf_info info;
	mmbuf *buf;
	const double *table;
	const char *path;
	double sum[DEMO_COLS] = {0}, min[DEMO_COLS], max[DEMO_COLS];
	uint64_t rows, bad = 0, first_bad = 0;
	int c, err, status = 0;

	while ((c = getopt(argc, argv, "h")) != -1) {
		if (c == 'h')
			usage(stdout, 0);
		usage(stderr, 64);
	}
	if (argc - optind != 1)
		usage(stderr, 64);
	path = argv[optind];

	err = mmbuf_open(path, MMBUF_RDONLY, &buf);
	if (err != 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, mmbuf_strerror(err));
		return 1;
	}
	for (int s = 0; s < 2; s++)
		if (mmbuf_slot_status(buf, s) != 0)
			fprintf(stderr, "%s: %s: warning: header slot %d: %s "
					"(opened from the other slot)\n",
				prog, path, s,
				mmbuf_strerror(mmbuf_slot_status(buf, s)));
	if (mmbuf_writer_active(buf))
		fprintf(stderr, "%s: %s: warning: a writer has the buffer open; "
				"reading what it has committed\n", prog, path);
	else if (mmbuf_unclean(buf))
		fprintf(stderr, "%s: %s: warning: the last writer did not close "
				"cleanly\n", prog, path);
	if (check_layout(path, buf, &rows) != 0) {
		mmbuf_close(buf);
		return 1;
	}

	mmbuf_get_info(buf, &info);
	printf("%s: %s\n", prog, path);
	printf("  label       %s\n", mmbuf_label(buf));
	printf("  uuid        ");
	print_uuid(mmbuf_uuid(buf));
	printf("\n  created     ");
	print_time(info.ctime_ns);
	printf("\n  generation  %" PRIu64 " (last commit ", mmbuf_generation(buf));
	print_time(info.mtime_ns);
	printf(", by pid %" PRIu32 ")\n", info.writer_pid);
	printf("  dtype       %s\n", mmbuf_dtype(buf));
	printf("  shape       (%" PRIu64 ", %d)\n", rows, DEMO_COLS);
	printf("  length      %" PRIu64 " of %" PRIu64 " bytes\n",
	       mmbuf_length(buf), mmbuf_capacity(buf));

	/* Read the table in place: no copy, the pointer is into the map. */
	table = mmbuf_data(buf);
	for (int j = 0; j < DEMO_COLS; j++) {
		min[j] = rows ? table[j] : 0;
		max[j] = min[j];
	}
	for (uint64_t i = 0; i < rows; i++) {
		const double *row = &table[i * DEMO_COLS];
		double want[DEMO_COLS];

		demo_row(i, want);
		if (row[0] != want[0] || row[1] != want[1] ||
		    !(fabs(row[2] - want[2]) <= SIN_TOLERANCE)) {
			if (bad++ == 0)
				first_bad = i;
		}
		for (int j = 0; j < DEMO_COLS; j++) {
			sum[j] += row[j];
			if (row[j] < min[j])
				min[j] = row[j];
			if (row[j] > max[j])
				max[j] = row[j];
		}
	}

	if (rows > 0) {
		printf("  first rows\n");
		for (uint64_t i = 0; i < rows && i < 2; i++)
			print_row(i, &table[i * DEMO_COLS]);
		printf("  last rows\n");
		for (uint64_t i = rows >= 2 ? rows - 2 : 0; i < rows; i++)
			print_row(i, &table[i * DEMO_COLS]);
	}
	printf("  %-7s %20s %20s %20s\n", "column", "sum", "min", "max");
	for (int j = 0; j < DEMO_COLS; j++)
		printf("  %-7d %20.6f %20.6f %20.6f\n", j, sum[j], min[j], max[j]);

	if (bad != 0) {
		const double *row = &table[first_bad * DEMO_COLS];
		double want[DEMO_COLS];

		demo_row(first_bad, want);
		fprintf(stderr,
			"%s: %s: %" PRIu64 " of %" PRIu64 " rows are wrong; "
			"first: row %" PRIu64 " is (%.17g, %.17g, %.17g), "
			"expected (%.17g, %.17g, %.17g)\n",
			prog, path, bad, rows, first_bad, row[0], row[1], row[2],
			want[0], want[1], want[2]);
		status = 1;
	} else {
		printf("%s: %s: all %" PRIu64 " rows match row i = "
		       "(i, i/2, sin i)\n", prog, path, rows);
	}

	err = mmbuf_close(buf);
	if (err != 0) {
		fprintf(stderr, "%s: %s: close: %s\n", prog, path,
			mmbuf_strerror(err));
		status = 1;
	}
	return status;
}
