/*
 * fuzz_header - mmbuf_validate_header() over arbitrary bytes: the pure
 * validator that every open runs on untrusted header pages.
 *
 * The input is the start of a file.  It is validated against two file
 * sizes: the input's own length, and the size the header itself claims
 * (so inputs that get past the slot checks also reach the size rules).
 * Whatever it returns, a success must describe a self-consistent buffer.
 * Each input also runs with its slot CRCs fixed (fuzz_fix_crcs).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mmbuf.h"
#include "fuzz.h"

static void check_info(const mmbuf_info *in, uint64_t file_size)
{
	uint32_t itemsize = 0;
	uint64_t elems = 1;

	/* What a successful validation promises the rest of the library. */
	if (in->slot != 0 && in->slot != 1)
		abort();
	if (in->slot_status[in->slot] != 0)
		abort();
	if (in->data_offset < 8192 || in->data_offset % 4096 != 0 ||
	    in->data_offset > (2u << 20))
		abort();
	if (in->length > in->capacity)
		abort();
	if (in->file_size > file_size)
		abort();
	if (in->capacity > in->file_size - in->data_offset)
		abort();
	if (mmbuf_dtype_parse(in->dtype, NULL, &itemsize) != 0 ||
	    itemsize != in->itemsize)
		abort();
	if (in->ndim > MMBUF_MAX_DIMS)
		abort();
	for (uint32_t i = 0; i < in->ndim; i++) {
		if (in->shape[i] != 0 && elems > UINT64_MAX / in->shape[i])
			abort();
		elems *= in->shape[i];
	}
	if (in->ndim > 0 && elems > in->capacity / itemsize)
		abort();
	if (memchr(in->label, '\0', sizeof in->label) == NULL)
		abort();
}

static void run(const uint8_t *data, size_t size)
{
	mmbuf_info info;
	int err;

	err = mmbuf_validate_header(data, size, size, &info);
	if (err == 0)
		check_info(&info, size);
	else if (err >= 0 || mmbuf_strerror(err) == NULL)
		abort();

	/* Again against the size the header asks for, when it names one. */
	if (err == MMBUF_ETRUNCATED || err == 0) {
		mmbuf_info again;
		uint64_t want;

		memset(&again, 0, sizeof again);
		err = mmbuf_validate_header(data, size, UINT64_MAX, &again);
		want = again.file_size;
		if (err == 0 && want != UINT64_MAX) {
			err = mmbuf_validate_header(data, size, want, &again);
			if (err == 0)
				check_info(&again, want);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_run_fixed_too(run, data, size);
	return 0;
}
