/*
 * logger - append rows of doubles to a growing buffer, in bursts, as an
 * acquisition loop would.
 *
 * usage: logger FILE [ROWS]
 *
 * Creates (or replaces) FILE as a buffer of rows of 3 doubles whose first
 * dimension grows with the length (MMBUF_CREATE_GROWING), appends ROWS
 * rows (default 2000), row i = (i, i / 2, sin i), one commit per row, in
 * bursts of 100 rows 10 ms apart, and closes.  Run follow(FILE) in
 * another process, before or meanwhile, to see the rows as they come.
 *
 * Exit status: 0 on success, 1 on failure, 2 on a usage error.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <mmbuf.h>

#include "demo.h"

int main(int argc, char **argv)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	mmbuf_create_opts opts;
	unsigned long rows = 2000;
	char *end = NULL;
	mmbuf *buf;
	int err;

	if (argc < 2 || argc > 3 ||
	    (argc == 3 && ((rows = strtoul(argv[2], &end, 10)) == 0 ||
			   *end != '\0'))) {
		fprintf(stderr, "usage: logger FILE [ROWS]\n");
		return 2;
	}
	/* Rows of 3 doubles, as many as are appended: shape[0] is 0 and
	 * the library keeps it at the rows committed. */
	mmbuf_create_opts_init(&opts);
	opts.length = 0;
	opts.dtype = DEMO_DTYPE;
	opts.ndim = 2;
	opts.shape[1] = DEMO_COLS;
	opts.label = "mmbuf example: a log of rows (i, i/2, sin i)";
	opts.flags = MMBUF_CREATE_GROWING | MMBUF_CREATE_REPLACE;
	if ((err = mmbuf_create(argv[1], &opts, &buf)) != 0) {
		fprintf(stderr, "logger: %s: %s\n", argv[1], mmbuf_strerror(err));
		return 1;
	}
	for (unsigned long i = 0; i < rows && err == 0; i++) {
		double row[DEMO_COLS];

		demo_row(i, row);
		/* Each append commits the new row and wakes the followers. */
		err = mmbuf_append(buf, row, sizeof row, MMBUF_DURABLE_NONE);
		if (i % 100 == 99)
			nanosleep(&pause, NULL);
	}
	if (err != 0)
		fprintf(stderr, "logger: %s: append: %s\n", argv[1],
			mmbuf_strerror(err));
	if ((err = mmbuf_close(buf)) != 0)
		fprintf(stderr, "logger: %s: close: %s\n", argv[1],
			mmbuf_strerror(err));
	return err != 0;
}
