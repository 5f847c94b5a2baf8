/*
 * follow - print the rows of a growing buffer as a writer commits them,
 * like tail -f, until the writer closes it.
 *
 * usage: follow FILE
 *
 * FILE holds rows of doubles in the machine's byte order (logger makes
 * one).  It may not exist yet: follow waits for it to appear.  Each row is
 * printed once, as soon as it is committed: mmbuf_wait() blocks, using no
 * CPU, until the writer's next commit wakes it.
 *
 * Exit status: 0 when the writer closed the buffer, 1 on an error or when
 * the writer died, 2 on a usage error.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mmbuf.h>

#include "demo.h"

static int fail(const char *path, int err)
{
	fprintf(stderr, "follow: %s: %s\n", path, mmbuf_strerror(err));
	return 1;
}

int main(int argc, char **argv)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	char native[MMBUF_DTYPE_MAX + 1];
	uint64_t seen = 0;
	int changed = 1, err;
	mmbuf *buf;

	if (argc != 2) {
		fprintf(stderr, "usage: follow FILE\n");
		return 2;
	}
	while ((err = mmbuf_open(argv[1], MMBUF_RDONLY, &buf)) == -ENOENT)
		nanosleep(&pause, NULL);  /* not there yet */
	if (err != 0)
		return fail(argv[1], err);
	mmbuf_dtype_parse(DEMO_DTYPE, native, NULL);
	if (strcmp(mmbuf_dtype(buf), native) != 0) {
		fprintf(stderr, "follow: %s: not doubles of this machine\n",
			argv[1]);
		return 1;
	}
	for (;;) {
		const uint64_t *dims;
		uint32_t ndim = mmbuf_shape(buf, &dims);
		uint64_t cols = 1, rows;
		const double *v = mmbuf_data(buf);

		/* Rows and columns as of the last commit seen. */
		for (uint32_t i = 1; i < ndim; i++)
			cols *= dims[i];
		rows = ndim > 0 ? dims[0] : mmbuf_length(buf) / sizeof *v;
		if (rows < seen) {
			fprintf(stderr, "follow: %s: down to %" PRIu64
				" rows\n", argv[1], rows);
			seen = rows;
		}
		for (; seen < rows; seen++) {
			for (uint64_t j = 0; j < cols; j++)
				printf("%s%.17g", j ? " " : "",
				       v[seen * cols + j]);
			putchar('\n');
		}
		fflush(stdout);
		if (!(mmbuf_state(buf) & MMBUF_STATE_WRITER_OPEN))
			break;  /* the writer closed it */
		if (!changed) {
			fprintf(stderr, "follow: %s: the writer died\n",
				argv[1]);
			mmbuf_close(buf);
			return 1;
		}
		/* Sleep in the kernel until the next commit (or a crash). */
		if ((err = mmbuf_wait(buf, -1, &changed)) != 0)
			return fail(argv[1], err);
	}
	mmbuf_close(buf);
	return 0;
}
