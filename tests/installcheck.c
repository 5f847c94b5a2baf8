/*
 * installcheck.c - built by "make installcheck" against the installed
 * library, with nothing but the flags of "pkg-config --cflags --libs mmbuf",
 * to prove that they are enough.
 */
#include <mmbuf.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	mmbuf_create_opts opts;
	mmbuf *b;
	double *d;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: installcheck FILE\n");
		return 2;
	}
	mmbuf_create_opts_init(&opts);
	opts.capacity = 4 * sizeof(double);
	opts.dtype = "<f8";
	opts.flags = MMBUF_CREATE_REPLACE;
	if ((err = mmbuf_create(argv[1], &opts, &b)) != 0)
		goto fail;
	d = mmbuf_data(b);
	for (int i = 0; i < 4; i++)
		d[i] = i + 0.5;
	if ((err = mmbuf_close(b)) != 0)
		goto fail;
	if ((err = mmbuf_open(argv[1], MMBUF_RDONLY, &b)) != 0)
		goto fail;
	d = mmbuf_data(b);
	if (strcmp(mmbuf_dtype(b), "<f8") != 0 || d[3] != 3.5) {
		fprintf(stderr, "installcheck: %s: wrong contents\n", argv[1]);
		return 1;
	}
	mmbuf_close(b);
	/* The installed header and library are of one version. */
	if (strcmp(mmbuf_version(), MMBUF_VERSION_STRING) != 0) {
		fprintf(stderr, "installcheck: mmbuf.h is %s, libmmbuf %s\n",
			MMBUF_VERSION_STRING, mmbuf_version());
		return 1;
	}
	printf("installcheck: libmmbuf %s works through pkg-config\n",
	       mmbuf_version());
	return 0;
fail:
	fprintf(stderr, "installcheck: %s: %s\n", argv[1], mmbuf_strerror(err));
	return 1;
}
