/*
 * bench_checksum - one seal or one verification of a buffer file, for
 * bench/verifybuf-bench.sh, which times it against xxhsum -H3.
 *
 * usage: bench_checksum seal|verify pread|mapped FILE
 *
 * seal: open FILE for writing, mmbuf_seal() with the default block size
 * on one thread per CPU, close.  verify: mmbuf_verify_path() on one thread
 * per CPU; the verdict must be "ok".  pread or mapped: without or with
 * MMBUF_CHECKSUM_MAPPED.  Exit status 0, or 1 with a message.
 */
#include <stdio.h>
#include <string.h>

#include "mmbuf.h"

int main(int argc, char **argv)
{
	unsigned flags;
	mmbuf_report *r;
	mmbuf *b;
	int err;

	if (argc != 4 || (strcmp(argv[1], "seal") != 0 &&
			  strcmp(argv[1], "verify") != 0) ||
	    (strcmp(argv[2], "pread") != 0 && strcmp(argv[2], "mapped") != 0)) {
		fprintf(stderr, "usage: %s seal|verify pread|mapped FILE\n",
			argv[0]);
		return 1;
	}
	flags = strcmp(argv[2], "mapped") == 0 ? MMBUF_CHECKSUM_MAPPED : 0;
	if (strcmp(argv[1], "seal") == 0) {
		if ((err = mmbuf_open(argv[3], MMBUF_RDWR, &b)) == 0) {
			err = mmbuf_seal(b, 0, flags, 0, NULL, NULL);
			if (mmbuf_close(b) != 0 && err == 0)
				err = -1;
		}
	} else {
		err = mmbuf_verify_path(argv[3], flags, 0, NULL, NULL, &r);
		if (err == 0 && r->verdict != MMBUF_VERDICT_OK)
			err = r->error != 0 ? r->error : -1;
		mmbuf_report_free(r);
	}
	if (err != 0) {
		fprintf(stderr, "%s: %s %s: %s\n", argv[0], argv[1], argv[3],
			mmbuf_strerror(err));
		return 1;
	}
	return 0;
}
