/*
 * mktestbuf - make a buffer file for the tool tests through the public
 * API, with its data read from standard input.
 *
 *   mktestbuf [--capacity N] [--length N] [--at OFF] [--dtype T]
 *             [--shape D0,D1,...] [--label L] [--sparse] FILE < data
 *   mktestbuf --random SEED:LEN[:KIND] [options] FILE
 *
 * --random makes LEN bytes from a PRNG seeded with SEED instead of reading
 * standard input, so tests are reproducible without other tools.  KIND is
 * "bytes" (uniform, the default), "zeros" (mostly zero lines with a few
 * random ones and runs of every length, for the squeezing rules) or "text".
 * The data read is stored at data offset --at (default 0).  The capacity
 * defaults to the end of the data, the length to the end of the data (or
 * --length).  The buffer is closed cleanly.  Exit status 0, or 1 with a
 * message.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmbuf.h"

static void die(const char *what, int err)
{
	fprintf(stderr, "mktestbuf: %s: %s\n", what,
		err ? mmbuf_strerror(err) : "invalid argument");
	exit(1);
}

/* xorshift64*: small, fast, the same everywhere. */
static uint64_t rng(uint64_t *st)
{
	*st ^= *st >> 12;
	*st ^= *st << 25;
	*st ^= *st >> 27;
	return *st * 0x2545F4914F6CDD1Dull;
}

static unsigned char *random_data(const char *spec, size_t *len)
{
	unsigned long long seed, n;
	char kind[16] = "bytes";
	unsigned char *d;
	uint64_t st;

	if (sscanf(spec, "%llu:%llu:%15s", &seed, &n, kind) < 2)
		die(spec, 0);
	st = seed * 0x9E3779B97F4A7C15ull + 1;
	d = malloc(n ? n : 1);
	if (d == NULL)
		die(spec, -ENOMEM);
	if (strcmp(kind, "bytes") == 0) {
		for (size_t i = 0; i < n; i++)
			d[i] = (unsigned char)(rng(&st) >> 56);
	} else if (strcmp(kind, "text") == 0) {
		static const char chars[] =
			"abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789.,\n\t\r~";

		for (size_t i = 0; i < n; i++)
			d[i] = (unsigned char)chars[rng(&st) % (sizeof chars - 1)];
	} else if (strcmp(kind, "zeros") == 0) {
		/* Runs of 16-byte lines: zero, repeated non-zero, random. */
		size_t i = 0;

		memset(d, 0, n);
		while (i < n) {
			size_t run = 16 * (rng(&st) % 6);
			unsigned what = (unsigned)(rng(&st) % 4);

			if (what == 1) {
				unsigned char b = (unsigned char)(rng(&st) >> 56);

				for (size_t k = 0; k < run && i + k < n; k++)
					d[i + k] = b;
			} else if (what == 2) {
				for (size_t k = 0; k < run && i + k < n; k++)
					d[i + k] = (unsigned char)(rng(&st) >> 56);
			}
			if (rng(&st) % 3 == 0)
				i += (size_t)(rng(&st) % 16);
			i += run ? run : 1;
		}
	} else {
		die(kind, 0);
	}
	*len = (size_t)n;
	return d;
}

static uint64_t num(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		die(s, 0);
	return v;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "capacity", required_argument, NULL, 'c' },
		{ "length", required_argument, NULL, 'l' },
		{ "at", required_argument, NULL, 'a' },
		{ "dtype", required_argument, NULL, 'd' },
		{ "shape", required_argument, NULL, 's' },
		{ "label", required_argument, NULL, 'L' },
		{ "sparse", no_argument, NULL, 'S' },
		{ "random", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	mmbuf_create_opts co;
	mmbuf *buf;
	uint64_t at = 0, length = UINT64_MAX, capacity = UINT64_MAX;
	unsigned char *data = NULL;
	const char *random = NULL;
	size_t n = 0, cap = 0, r;
	int c, err;

	mmbuf_create_opts_init(&co);
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'c': capacity = num(optarg); break;
		case 'l': length = num(optarg); break;
		case 'a': at = num(optarg); break;
		case 'd': co.dtype = optarg; break;
		case 'L': co.label = optarg; break;
		case 'S': co.flags |= MMBUF_CREATE_SPARSE; break;
		case 'r': random = optarg; break;
		case 's': {
			char *p = optarg, *end;

			co.ndim = 0;
			while (*p && co.ndim < MMBUF_MAX_DIMS) {
				co.shape[co.ndim++] = strtoull(p, &end, 0);
				if (end == p)
					die(optarg, 0);
				p = *end == ',' ? end + 1 : end;
			}
			break;
		}
		default:
			return 1;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: mktestbuf [options] FILE < data\n");
		return 1;
	}
	if (random != NULL)
		data = random_data(random, &n);
	while (random == NULL) {
		if (n == cap) {
			cap = cap ? 2 * cap : 65536;
			data = realloc(data, cap);
			if (data == NULL)
				die("stdin", -ENOMEM);
		}
		r = fread(data + n, 1, cap - n, stdin);
		if (r == 0)
			break;
		n += r;
	}
	if (random == NULL && ferror(stdin))
		die("stdin", -EIO);
	co.capacity = capacity != UINT64_MAX ? capacity : at + n;
	co.length = 0;
	err = mmbuf_create(argv[optind], &co, &buf);
	if (err < 0)
		die(argv[optind], err);
	if (n > 0) {
		if (at + n > co.capacity)
			die("data does not fit the capacity", 0);
		memcpy((unsigned char *)mmbuf_data(buf) + at, data, n);
	}
	err = mmbuf_set_length(buf, length != UINT64_MAX ? length : at + n,
			       MMBUF_DURABLE_NONE);
	if (err < 0)
		die("set length", err);
	err = mmbuf_close(buf);
	if (err < 0)
		die("close", err);
	free(data);
	return 0;
}
