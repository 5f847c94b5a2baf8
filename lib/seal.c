/*
 * seal.c - sealing a buffer and verifying it (mmbuf(5), "Data checksum and
 * sealing" and "Block checksum table").
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * Table entries handled at a time by a seal or a verification: 256 Ki
 * entries, 2 MiB of table and 2 MiB of hashes, whatever the size of the
 * table, which the header sets (a sparse file of a few KiB can claim a
 * table of gigabytes).  Whole slices of data are hashed on all threads.
 */
enum { TABLE_SLICE = 256 << 10 };

/* Progress over all the slices, from mmbuf__hash_data's of one. */
struct slices {
	mmbuf_progress_fn *fn;
	void *arg;
	uint64_t before;   /* bytes hashed before this slice, both passes */
	uint64_t total;    /* bytes to hash in all */
	uint64_t bytes;    /* bytes hashed into blocks so far */
};

static int slice_progress(uint64_t done, uint64_t total, void *arg)
{
	struct slices *sl = arg;

	(void)total;
	return sl->fn(sl->before + done, sl->total, sl->arg);
}

/*
 * The hashes of the blocks of entries [first, first + n) of the table of
 * h, blocks of 2^shift bytes, into out[]: 0 for blocks past the length,
 * which hash nothing.  With whole (first slice only), also the hash of all
 * the data, on this thread while the others hash blocks.  The data is read
 * from fd, or from map (the data region mapped) if it is not NULL.
 */
static int hash_slice(int fd, const uint8_t *map, const mmbuf_info *h,
		      uint32_t shift,
		      uint64_t first, uint64_t n, unsigned threads,
		      uint64_t *out, uint64_t *whole, struct slices *sl)
{
	uint64_t start = first << shift, len = 0, got = 0;
	struct mmbuf__hash_source src;
	int err;

	memset(out, 0, (size_t)n * sizeof *out);
	if (start < h->length)
		len = h->length - start < n << shift ? h->length - start
						     : n << shift;
	if (len == 0 && whole == NULL)
		return 0;
	src.fd = fd;
	src.base = h->data_offset + start;
	src.map = map != NULL ? map + start : NULL;
	err = mmbuf__hash_data(&src, len, shift, threads, out, whole,
			       whole != NULL ? h->length : 0, &got,
			       sl->fn != NULL ? slice_progress : NULL, sl);
	sl->before += got + (whole != NULL ? h->length : 0);
	sl->bytes += got;
	return err;
}

int mmbuf_seal(mmbuf *b, uint32_t shift, unsigned flags, unsigned threads,
	       mmbuf_progress_fn *fn, void *arg)
{
	mmbuf_info *h = &b->hdr;
	struct slices sl = { fn, arg, 0, 2 * h->length, 0 };
	uint64_t n, slice, table_off, whole, k = 0;
	const uint8_t *map = flags & MMBUF_CHECKSUM_MAPPED ? b->data : NULL;
	uint64_t *table;
	int err;

	if (flags & ~MMBUF_CHECKSUM_MAPPED)
		return -EINVAL;
	if ((err = mmbuf__check_writer(b)) != 0)
		return err;
	if (shift == 0)
		shift = MMBUF_BLOCK_SHIFT_DEFAULT;
	if (shift < MMBUF_BLOCK_SHIFT_MIN || shift > MMBUF_BLOCK_SHIFT_MAX)
		return -EINVAL;
	/* What we are about to vouch for must be on disk first. */
	if (h->length > 0 && (err = mmbuf__msync(b->data, h->length,
						 MMBUF_DURABLE_SYNC, b->fd,
						 h->data_offset)) != 0)
		return err;
	/*
	 * The table below goes where the current slot's table is: stop
	 * vouching for that one first (mmbuf(5), "Data checksum and sealing",
	 * step 2), so that a failure or crash before our commit cannot leave
	 * a sealed header beside a table that no longer matches it.
	 */
	if ((h->state & MMBUF_STATE_SEALED) &&
	    (h->ro_compat & MMBUF_RO_COMPAT_BLOCK_TABLE)) {
		h->state &= ~MMBUF_STATE_SEALED;
		if ((err = mmbuf__commit(b, MMBUF_DURABLE_SYNC)) != 0)
			return err;
	}
	n = mmbuf__nblocks(h->capacity, shift);
	slice = n < TABLE_SLICE ? n : TABLE_SLICE;
	table = malloc((slice > 0 ? slice : 1) * sizeof *table);
	if (table == NULL)
		return -ENOMEM;
	table_off = mmbuf__table_offset(h->data_offset + h->capacity);
	/* A slice at a time; the first also hashes all the data (a buffer
	 * of capacity 0 has one slice, of no blocks). */
	do {
		uint64_t m = n - k < slice ? n - k : slice;

		err = hash_slice(b->fd, map, h, shift, k, m, threads, table,
				 k == 0 ? &whole : NULL, &sl);
		/* In place: entry i becomes its little-endian bytes. */
		for (uint64_t i = 0; err == 0 && i < m; i++)
			mmbuf__put64((uint8_t *)&table[i], table[i]);
		if (err == 0)
			err = mmbuf__pwrite_full(b->fd, table, (size_t)(m * 8),
						 table_off + k * 8);
		k += m;
	} while (err == 0 && k < n);
	free(table);
	if (err == 0)
		err = mmbuf__fdatasync(b->fd);
	if (err != 0) {
		/*
		 * Failed or stopped: the header in force is the one we
		 * found, or the unsealed one committed above.  Drop what we
		 * wrote past its file_size, so that the file is as it was
		 * (never extend one that shrank under us).
		 */
		uint64_t now;

		if (mmbuf__file_size(b->fd, &now, NULL) == 0 &&
		    now > h->file_size)
			mmbuf__truncate(b->fd, h->file_size);
		return err;
	}
	/* A crash before this commit leaves the previous header in force,
	 * and the table past its file_size, where readers ignore it. */
	h->compat |= MMBUF_COMPAT_DATA_CHECKSUM;
	h->ro_compat |= MMBUF_RO_COMPAT_BLOCK_TABLE;
	h->block_shift = shift;
	h->table_offset = table_off;
	h->table_size = n * 8;
	h->file_size = table_off + n * 8;
	h->data_checksum = whole;
	h->checksum_generation = mmbuf__next_generation(h);
	h->state |= MMBUF_STATE_SEALED;
	if ((err = mmbuf__commit(b, MMBUF_DURABLE_SYNC)) != 0)
		return err;
	/* A smaller table than a previous seal's leaves a tail: drop it. */
	return mmbuf__truncate(b->fd, h->file_size);
}

void mmbuf_report_free(mmbuf_report *r)
{
	if (r != NULL) {
		free(r->bad);
		free(r);
	}
}

static void verdict(mmbuf_report *r, int v)
{
	if (v > r->verdict)
		r->verdict = v;
}

/* Record damaged block k, merging it with the run before it. */
static int add_bad(mmbuf_report *r, uint64_t k, uint32_t shift,
		   uint64_t limit)
{
	mmbuf_bad_range *last = r->nbad ? &r->bad[r->nbad - 1] : NULL;
	uint64_t end = (k + 1) << shift;

	if (end > limit)
		end = limit;
	if (last != NULL && last->last_block + 1 == k) {
		last->last_block = k;
		last->end = end;
		return 0;
	}
	if (r->nbad == 0 || (r->nbad >= 4 && (r->nbad & (r->nbad - 1)) == 0)) {
		/* The array is full at 0, 4, 8, 16...: double it. */
		size_t cap = r->nbad ? r->nbad * 2 : 4;
		mmbuf_bad_range *p = realloc(r->bad, cap * sizeof *p);

		if (p == NULL)
			return -ENOMEM;
		r->bad = p;
	}
	r->bad[r->nbad++] = (mmbuf_bad_range){
		.first_block = k, .last_block = k,
		.offset = k << shift, .end = end,
	};
	return 0;
}

/*
 * Check the data of a sealed buffer against its block table, a slice of
 * the table at a time: the memory needed does not grow with the table.
 * Damaged blocks are recorded by their index in the whole table, so a run
 * that crosses slices is still one run.
 */
static int check_blocks(int fd, const uint8_t *map, const mmbuf_info *h,
			unsigned threads, mmbuf_progress_fn *fn, void *arg,
			mmbuf_report *r)
{
	uint64_t n = h->table_size / 8;
	uint64_t slice = n < TABLE_SLICE ? n : TABLE_SLICE;
	uint8_t *table = malloc((slice > 0 ? slice : 1) * 8);
	uint64_t *got = malloc((slice > 0 ? slice : 1) * sizeof *got);
	struct slices sl = { fn, arg, 0, h->length, 0 };
	size_t nread;
	int err = 0;

	r->block_size = 1ull << h->block_shift;
	r->blocks = mmbuf__nblocks(h->length, h->block_shift);
	if (table == NULL || got == NULL)
		err = -ENOMEM;
	for (uint64_t k = 0; err == 0 && k < n; k += slice) {
		uint64_t m = n - k < slice ? n - k : slice;

		err = mmbuf__pread_full(fd, table, (size_t)(m * 8),
					h->table_offset + k * 8, &nread);
		if (err == 0 && nread < m * 8)
			err = MMBUF_ETRUNCATED;
		if (err == 0)
			err = hash_slice(fd, map, h, h->block_shift, k, m,
					 threads, got, NULL, &sl);
		/* Blocks past the length hash nothing: their entries must
		 * be 0. */
		for (uint64_t i = 0; err == 0 && i < m; i++)
			if (mmbuf__le64(table + 8 * i) != got[i])
				err = add_bad(r, k + i, h->block_shift,
					      h->capacity);
	}
	r->bytes_checked = sl.bytes;
	free(table);
	free(got);
	return err;
}

/* The checks of mmbuf_verify*() on an open file descriptor. */
static void verify_fd(int fd, bool self_writer, unsigned flags,
		      unsigned threads, mmbuf_progress_fn *fn, void *arg,
		      mmbuf_report *r)
{
	uint8_t hdr[MMBUF_HEADER_SIZE];
	mmbuf_info h, any;
	void *map = NULL;
	size_t got;
	int err;

	if ((err = mmbuf__file_size(fd, &r->file_size, NULL)) != 0 ||
	    (err = mmbuf__pread_full(fd, hdr, sizeof hdr, 0, &got)) != 0) {
		r->error = err;
		verdict(r, MMBUF_VERDICT_FAILED);
		return;
	}
	err = mmbuf_validate_header(hdr, got, r->file_size, &h);
	r->slot_status[0] = h.slot_status[0];
	r->slot_status[1] = h.slot_status[1];
	if (err != 0) {
		r->error = err;
		/* What the header expects, even of a file too short for it. */
		if (mmbuf_validate_header(hdr, got, UINT64_MAX, &any) == 0)
			r->expected_size = any.file_size;
		verdict(r, err == MMBUF_EMAGIC || err == MMBUF_EVERSION ||
				   err == MMBUF_EFEATURE
			       ? MMBUF_VERDICT_FAILED : MMBUF_VERDICT_CORRUPT);
		return;
	}
	r->slot = h.slot;
	r->state = h.state;
	r->generation = h.generation;
	r->expected_size = h.file_size;
	r->length = h.length;
	r->checksum_generation = h.checksum_generation;
	if (h.state & MMBUF_STATE_WRITER_OPEN) {
		int present = self_writer ? 1 : mmbuf__writer_present(fd);

		if (present < 0) {
			r->error = present;
			verdict(r, MMBUF_VERDICT_FAILED);
			return;
		}
		r->reason = present ? MMBUF_REASON_WRITER_OPEN
				    : MMBUF_REASON_UNCLEAN;
	} else if (!(h.compat & MMBUF_COMPAT_DATA_CHECKSUM)) {
		r->reason = MMBUF_REASON_NEVER_SEALED;
	} else if (!(h.state & MMBUF_STATE_SEALED)) {
		r->reason = MMBUF_REASON_MODIFIED;
	}
	if (h.slot_status[1 - h.slot] != 0) {
		int dmg = h.slot_status[1 - h.slot];

		r->error = dmg;
		/*
		 * A writer killed while it copied a commit into the older slot
		 * leaves exactly this: that slot fails its CRC or its
		 * generation copies disagree, the current one says "writer
		 * open", and no writer is left.  That is an unclean close (the
		 * header is the last complete commit), not damage; the slot is
		 * still reported, and the next commit or a repair rewrites it.
		 */
		if (!(r->reason == MMBUF_REASON_UNCLEAN &&
		      (dmg == MMBUF_ECHECKSUM || dmg == MMBUF_ETORN)))
			verdict(r, MMBUF_VERDICT_CORRUPT);
	}
	if (r->reason != MMBUF_REASON_NONE) {
		verdict(r, MMBUF_VERDICT_UNVERIFIABLE);
		return;
	}

	/* The data in place, read under a SIGBUS guard, if the caller
	 * accepts its process-wide handler; with pread(2) where the file
	 * cannot be mapped (or not whole, on a 32-bit system). */
	if ((flags & MMBUF_CHECKSUM_MAPPED) && h.length > 0 &&
	    mmbuf__map(fd, false, h.data_offset, h.length, &map) != 0)
		map = NULL;
	if (h.ro_compat & MMBUF_RO_COMPAT_BLOCK_TABLE) {
		err = check_blocks(fd, map, &h, threads, fn, arg, r);
	} else {
		struct mmbuf__hash_source src = { fd, h.data_offset, map };
		uint64_t whole;

		/* No blocks: the "block size" is only how often fn is
		 * called. */
		err = mmbuf__hash_data(&src, 0, 20, threads, NULL, &whole,
				       h.length, &r->bytes_checked, fn, arg);
		if (err == 0)
			r->checksum_ok = whole == h.data_checksum;
		if (err == 0 && !r->checksum_ok)
			err = add_bad(r, 0, 63, h.length);
	}
	mmbuf__unmap(map, h.length);
	if (err == MMBUF_ETRUNCATED) {
		r->error = err; /* it shrank while we read it */
		verdict(r, MMBUF_VERDICT_CORRUPT);
	} else if (err != 0) {
		r->error = err;
		verdict(r, MMBUF_VERDICT_FAILED);
	} else if (r->nbad > 0) {
		verdict(r, MMBUF_VERDICT_CORRUPT);
	}
}

static mmbuf_report *new_report(void)
{
	mmbuf_report *r = calloc(1, sizeof *r);

	if (r != NULL) {
		r->slot = -1;
		r->checksum_ok = -1;
	}
	return r;
}

int mmbuf_verify_path(const char *path, unsigned flags, unsigned threads,
		      mmbuf_progress_fn *fn, void *arg, mmbuf_report **out)
{
	mmbuf_report *r;
	uint64_t size;
	int fd, err;

	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (flags & ~MMBUF_CHECKSUM_MAPPED)
		return -EINVAL;
	if ((r = new_report()) == NULL)
		return -ENOMEM;
	err = path ? mmbuf__open_file(path, false, &fd, &size) : -EINVAL;
	if (err != 0) {
		r->error = err;
		r->verdict = MMBUF_VERDICT_FAILED;
	} else {
		/* As a reader: a writer's shrink, which takes this lock
		 * exclusively first, then fails with MMBUF_EBUSY rather than
		 * cut the file under the check.  Best effort: a shrink under
		 * way (the lock is busy) is no reason not to check. */
		(void)mmbuf__lock_reader(fd);
		verify_fd(fd, false, flags, threads, fn, arg, r);
		close(fd);
	}
	*out = r;
	return 0;
}

int mmbuf_verify(const mmbuf *b, unsigned flags, unsigned threads,
		 mmbuf_progress_fn *fn, void *arg, mmbuf_report **out)
{
	mmbuf_report *r;

	if (out == NULL || b == NULL || (flags & ~MMBUF_CHECKSUM_MAPPED))
		return -EINVAL;
	if ((r = new_report()) == NULL)
		return -ENOMEM;
	verify_fd(b->fd, b->writable, flags, threads, fn, arg, r);
	*out = r;
	return 0;
}

int mmbuf_repair_path(const char *path, unsigned flags, int *repaired)
{
	bool dry = flags & MMBUF_REPAIR_DRY_RUN;
	uint8_t hdr[MMBUF_HEADER_SIZE];
	mmbuf_info h;
	uint64_t size;
	size_t got;
	int fd, err, bad;

	if (repaired != NULL)
		*repaired = -1;
	if (path == NULL || (flags & ~MMBUF_REPAIR_DRY_RUN) != 0)
		return -EINVAL;
	if ((err = mmbuf__open_file(path, !dry, &fd, &size)) != 0)
		return err;
	/* A live writer owns the header: never write under it. */
	if (dry) {
		int present = mmbuf__writer_present(fd);

		err = present > 0 ? MMBUF_EBUSY : present;
	} else {
		err = mmbuf__lock_writer(fd);
	}
	if (err == 0)
		err = mmbuf__pread_full(fd, hdr, sizeof hdr, 0, &got);
	if (err == 0)
		err = mmbuf_validate_header(hdr, got, size, &h);
	if (err == 0 && !dry && (h.ro_compat & ~MMBUF_RO_COMPAT_KNOWN))
		err = MMBUF_EROFEATURE;
	bad = err == 0 && h.slot_status[1 - h.slot] != 0 ? 1 - h.slot : -1;
	if (bad >= 0 && repaired != NULL)
		*repaired = bad;
	if (err == 0 && bad >= 0 && !dry) {
		/* The next generation lives in the other slot, the damaged
		 * one: an ordinary commit of the unchanged state. */
		err = mmbuf__commit_fd(fd, NULL, &h, MMBUF_DURABLE_SYNC);
	}
	close(fd);
	return err;
}
