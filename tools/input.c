/*
 * input.c - reading a stretch of a file whole (see common.h).
 */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "mmbuf.h"

#include "common.h"

int tool_read_full(int fd, uint8_t *p, size_t n, size_t *got,
		   void (*on_eintr)(void))
{
	ssize_t r;

	*got = 0;
	while (*got < n) {
		r = read(fd, p + *got, n - *got);
		if (r < 0 && errno == EINTR) {
			if (on_eintr != NULL)
				on_eintr();
			continue;
		}
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		*got += (size_t)r;
	}
	return 0;
}
