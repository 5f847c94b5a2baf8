/*
 * faultop - one library operation on a buffer file, for the fault
 * injection tests: run it under tests/faults/faultshim (LD_PRELOAD), a
 * full filesystem or a file size limit, and see what the operation says
 * and what it leaves behind.
 *
 *   faultop create FILE CAPACITY [sparse|replace|unpublished]...
 *                                        (unpublished: then writes the
 *                                         whole capacity and publishes)
 *   faultop discard FILE CAPACITY        (created unpublished, written,
 *                                         closed without publishing)
 *   faultop write FILE OFFSET LEN        (mmbuf_write, then mmbuf_close)
 *   faultop store FILE OFFSET LEN        (stores through the mapping,
 *                                         mmbuf_sync durable, mmbuf_close)
 *   faultop length FILE N                (mmbuf_set_length durable)
 *   faultop label FILE TEXT              (mmbuf_set_label durable)
 *   faultop seal FILE
 *   faultop open FILE                    (MMBUF_RDWR, then mmbuf_close)
 *   faultop resize FILE CAPACITY         (mmbuf_resize)
 *   faultop append FILE LEN              (mmbuf_append, durable)
 *   faultop hold FILE                    (MMBUF_RDWR; prints "held",
 *                                         reads standard input to its
 *                                         end, then mmbuf_close)
 *   faultop refresh FILE                 (MMBUF_RDONLY, mmbuf_refresh,
 *                                         then prints "writer_active W
 *                                         unclean U" before "ok")
 *
 * The bytes written are 0xA5.  Prints "ok", or the failing step and the
 * error's name and message ("create: ENOSPC: No space left on device"),
 * and exits 0 or 1 accordingly.  The buffer is always closed when it was
 * opened, so a failing close is reported too.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "mmbuf.h"

static int report(const char *step, int err)
{
	if (err == 0)
		return 0;
	printf("%s: %s: %s\n", step, mmbuf_err_name(err), mmbuf_strerror(err));
	return 1;
}

static uint64_t num(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	if (*s == '\0' || *end != '\0') {
		fprintf(stderr, "faultop: bad number: %s\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	const char *op, *path;
	mmbuf *b = NULL;
	int failed = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: faultop OP FILE [ARGS]\n");
		return 2;
	}
	op = argv[1];
	path = argv[2];
	if ((strcmp(op, "create") == 0 || strcmp(op, "discard") == 0) &&
	    argc >= 4) {
		mmbuf_create_opts o;

		mmbuf_create_opts_init(&o);
		o.capacity = num(argv[3]);
		if (strcmp(op, "discard") == 0)
			o.flags = MMBUF_CREATE_UNPUBLISHED;
		for (int i = 4; i < argc; i++)
			o.flags |= strcmp(argv[i], "sparse") == 0
					   ? MMBUF_CREATE_SPARSE
				   : strcmp(argv[i], "replace") == 0
					   ? MMBUF_CREATE_REPLACE
				   : strcmp(argv[i], "unpublished") == 0
					   ? MMBUF_CREATE_UNPUBLISHED
					   : 0;
		failed = report("create", mmbuf_create(path, &o, &b));
		if (!failed && (o.flags & MMBUF_CREATE_UNPUBLISHED)) {
			memset(mmbuf_data(b), 0xA5, (size_t)o.capacity);
			if (strcmp(op, "create") == 0)
				failed = report("publish", mmbuf_publish(b));
		}
	} else if (strcmp(op, "refresh") == 0 && argc == 3) {
		int changed;

		failed = report("open", mmbuf_open(path, MMBUF_RDONLY, &b));
		if (failed)
			return 1;
		failed = report("refresh", mmbuf_refresh(b, &changed));
		printf("writer_active %d unclean %d\n", mmbuf_writer_active(b),
		       mmbuf_unclean(b));
	} else if (strcmp(op, "hold") == 0 && argc == 3) {
		char c;

		failed = report("open", mmbuf_open(path, MMBUF_RDWR, &b));
		if (failed)
			return 1;
		printf("held\n");
		fflush(stdout);
		while (read(STDIN_FILENO, &c, 1) > 0)
			;
	} else {
		failed = report("open", mmbuf_open(path, MMBUF_RDWR, &b));
		if (failed)
			return 1;
		if ((strcmp(op, "write") == 0 || strcmp(op, "store") == 0) &&
		    argc == 5) {
			uint64_t off = num(argv[3]), len = num(argv[4]);
			uint8_t *src;

			if (strcmp(op, "store") == 0) {
				memset((uint8_t *)mmbuf_data(b) + off, 0xA5, len);
				failed = report("sync",
						mmbuf_sync(b, off, len,
							   MMBUF_DURABLE_SYNC));
			} else {
				src = malloc(len ? len : 1);
				if (src == NULL)
					return 2;
				memset(src, 0xA5, len);
				failed = report("write",
						mmbuf_write(b, off, src, len));
				free(src);
			}
		} else if (strcmp(op, "length") == 0 && argc == 4) {
			failed = report("length",
					mmbuf_set_length(b, num(argv[3]),
							 MMBUF_DURABLE_SYNC));
		} else if (strcmp(op, "label") == 0 && argc == 4) {
			failed = report("label",
					mmbuf_set_label(b, argv[3],
							MMBUF_DURABLE_SYNC));
		} else if (strcmp(op, "resize") == 0 && argc == 4) {
			failed = report("resize",
					mmbuf_resize(b, num(argv[3]), 0));
		} else if (strcmp(op, "append") == 0 && argc == 4) {
			uint64_t len = num(argv[3]);
			uint8_t *src = malloc(len ? len : 1);

			if (src == NULL)
				return 2;
			memset(src, 0xA5, len);
			failed = report("append",
					mmbuf_append(b, src, len,
						     MMBUF_DURABLE_SYNC));
			free(src);
		} else if (strcmp(op, "seal") == 0 && argc == 3) {
			failed = report("seal",
					mmbuf_seal(b, 0, 0, 1, NULL, NULL));
		} else if (strcmp(op, "open") != 0 || argc != 3) {
			fprintf(stderr, "faultop: bad operation\n");
			mmbuf_close(b);
			return 2;
		}
	}
	if (b != NULL && report("close", mmbuf_close(b)) != 0)
		failed = 1;
	if (!failed)
		printf("ok\n");
	return failed;
}
