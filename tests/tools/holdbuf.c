/*
 * holdbuf - hold a buffer file open for writing, for the verifybuf tests.
 *
 *   holdbuf FILE
 *   holdbuf -c FILE
 *   holdbuf -r FILE
 *
 * Opens FILE with MMBUF_RDWR (taking the writer lock), prints "ready" on
 * standard output, and waits for a signal.  The test kills it when done:
 * the default action of the signal ends it without mmbuf_close(), so the
 * buffer is left as a crashed writer leaves it.  alarm(60) makes sure it
 * never outlives a test that forgot it.  With -c it closes the buffer
 * cleanly at once instead: a write open that changed nothing, which is
 * enough to make a seal stale.  With -r it holds a read-only handle (and
 * so the reader lock) instead.  Exit status 1 with a message if the open
 * fails.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mmbuf.h"

int main(int argc, char **argv)
{
	const char *path = argv[argc - 1];
	int close_now = argc == 3 && strcmp(argv[1], "-c") == 0;
	int reader = argc == 3 && strcmp(argv[1], "-r") == 0;
	mmbuf *buf;
	int err;

	if (argc != 2 && !close_now && !reader) {
		fprintf(stderr, "usage: holdbuf [-c | -r] FILE\n");
		return 1;
	}
	err = mmbuf_open(path, reader ? MMBUF_RDONLY : MMBUF_RDWR, &buf);
	if (err != 0) {
		fprintf(stderr, "holdbuf: %s: %s\n", path, mmbuf_strerror(err));
		return 1;
	}
	if (close_now) {
		err = mmbuf_close(buf);
		if (err != 0) {
			fprintf(stderr, "holdbuf: %s: %s\n", path,
				mmbuf_strerror(err));
			return 1;
		}
		return 0;
	}
	printf("ready\n");
	fflush(stdout);
	alarm(60);
	for (;;)
		pause();
}
