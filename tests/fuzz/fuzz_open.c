/*
 * fuzz_open - the whole open path over arbitrary file contents: the input
 * becomes a file (a memfd, so nothing touches the disk), which is opened
 * read-only and read-write, verified, repaired (dry run and for real) and
 * read through the accessors, as a program given a hostile file would.
 * The library must return errors, never crash, hang or read outside the
 * mapping; ASan and UBSan watch.  Each input also runs with its slot
 * CRCs fixed (fuzz_fix_crcs), to get past the checksums.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mmbuf.h"
#include "fuzz.h"

/* Bigger claims would only exercise the "truncated" check. */
#define MAX_INPUT (4u << 20)

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Touch everything a successful open hands out. */
static void use(mmbuf *b)
{
	const uint64_t *dims;
	const volatile uint8_t *d = mmbuf_data(b);
	uint64_t cap = mmbuf_capacity(b), len = mmbuf_length(b);
	uint32_t ndim = mmbuf_shape(b, &dims);
	mmbuf_info info;
	mmbuf_report *rep = NULL;
	uint8_t sum = 0;

	if (len > cap || ndim > MMBUF_MAX_DIMS)
		abort();
	for (uint32_t i = 0; i < ndim; i++)
		sum ^= (uint8_t)dims[i];
	if (cap > 0) {
		if (d == NULL)
			abort();
		/* The first and last bytes of the mapping must be readable. */
		sum ^= d[0];
		sum ^= d[cap - 1];
	}
	sum ^= (uint8_t)strlen(mmbuf_label(b));
	sum ^= (uint8_t)strlen(mmbuf_dtype(b));
	sum ^= mmbuf_uuid(b)[15];
	mmbuf_get_info(b, &info);
	if (mmbuf_verify(b, 0, 1, NULL, NULL, &rep) == 0) {
		if (rep->verdict < MMBUF_VERDICT_OK ||
		    rep->verdict > MMBUF_VERDICT_FAILED)
			abort();
		mmbuf_report_free(rep);
	}
	(void)sum;
}

static void run(const uint8_t *data, size_t size)
{
	char path[64];
	mmbuf *b = NULL;
	mmbuf_report *rep = NULL;
	int fd, err, repaired;

	fd = memfd_create("fuzz_open", MFD_CLOEXEC);
	if (fd < 0 || write_all(fd, data, size) != 0) {
		perror("fuzz_open: memfd");
		abort();
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

	if (mmbuf_verify_path(path, 0, 1, NULL, NULL, &rep) == 0)
		mmbuf_report_free(rep);

	err = mmbuf_open(path, MMBUF_RDONLY, &b);
	if (err == 0) {
		use(b);
		mmbuf_close(b);
	} else if (b != NULL) {
		abort();
	}

	if (mmbuf_repair_path(path, MMBUF_REPAIR_DRY_RUN, &repaired) == 0 &&
	    repaired != -1 && repaired != 0 && repaired != 1)
		abort();

	/* The writer's path: commits, a seal, a clean close. */
	err = mmbuf_open(path, MMBUF_RDWR, &b);
	if (err == 0) {
		use(b);
		mmbuf_set_length(b, mmbuf_length(b) / 2, MMBUF_DURABLE_NONE);
		mmbuf_set_label(b, "fuzz", MMBUF_DURABLE_NONE);
		mmbuf_seal(b, 0, 0, 1, NULL, NULL);
		mmbuf_close(b);
		/* What the writer left must open again. */
		if (mmbuf_open(path, MMBUF_RDONLY, &b) != 0)
			abort();
		use(b);
		mmbuf_close(b);
	}
	(void)mmbuf_repair_path(path, 0, &repaired);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size <= MAX_INPUT)
		fuzz_run_fixed_too(run, data, size);
	return 0;
}
