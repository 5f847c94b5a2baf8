/*
 * holdbuf - hold a buffer file open for writing, for the verifybuf tests.
 *
 *   holdbuf FILE
 *   holdbuf -c FILE
 *   holdbuf -r FILE
 *   holdbuf -l FILE
 *
 * Opens FILE with MMBUF_RDWR (taking the writer lock), prints "ready" on
 * standard output, and waits for a signal.  The test kills it when done:
 * the default action of the signal ends it without mmbuf_close(), so the
 * buffer is left as a crashed writer leaves it.  alarm(60) makes sure it
 * never outlives a test that forgot it.  With -c it closes the buffer
 * cleanly at once instead: a write open that changed nothing, which is
 * enough to make a seal stale.  With -r it holds a read-only handle (and
 * so the reader lock) instead.  With -l it is no buffer client at
 * all: it opens FILE read-only and holds a classic fcntl read lock over the
 * whole file, as any program that can read the file may, which keeps every
 * writer out (mmbuf(5), "Locking").  Exit status 1 with a message if the
 * open fails.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mmbuf.h"

int main(int argc, char **argv)
{
	const char *path = argv[argc - 1];
	int close_now = argc == 3 && strcmp(argv[1], "-c") == 0;
	int reader = argc == 3 && strcmp(argv[1], "-r") == 0;
	int read_lock = argc == 3 && strcmp(argv[1], "-l") == 0;
	mmbuf *buf;
	int err;

	if (argc != 2 && !close_now && !reader && !read_lock) {
		fprintf(stderr, "usage: holdbuf [-c | -r | -l] FILE\n");
		return 1;
	}
	if (read_lock) {
		struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0 || fcntl(fd, F_SETLK, &fl) != 0) {
			fprintf(stderr, "holdbuf: %s: %s\n", path,
				strerror(errno));
			return 1;
		}
		goto wait;
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
wait:
	printf("ready\n");
	fflush(stdout);
	alarm(60);
	for (;;)
		pause();
}
