/*
 * grow.c - buffers whose capacity changes: resize, append with geometric
 * growth, and readers that follow a writer (refresh).
 *
 * The order of the steps is what makes a crash harmless (mmbuf(5),
 * "Resizing"): a file may be longer than its header says, never shorter.
 * So a grow extends the file first and commits the new capacity last, and
 * a shrink commits the smaller capacity first and cuts the file last.
 */
#include "internal.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GROWTH_DEFAULT 2.0
#define GROWTH_MIN_BYTES (64u * 1024u)  /* the first growth of an empty one */

/* Commit the header without the block checksum table, then cut the table
 * off the file: the data region can then grow over where it was. */
static int drop_table(mmbuf *b)
{
	mmbuf_info *h = &b->hdr;
	int err;

	if (!(h->ro_compat & MMBUF_RO_COMPAT_BLOCK_TABLE))
		return 0;
	h->ro_compat &= ~MMBUF_RO_COMPAT_BLOCK_TABLE;
	h->block_shift = 0;
	h->table_offset = 0;
	h->table_size = 0;
	h->file_size = h->data_offset + h->capacity;
	if ((err = mmbuf__commit(b, MMBUF_DURABLE_SYNC)) != 0)
		return err;
	return mmbuf__truncate(b->fd, h->file_size);
}

/* Make the data mapping cover capacity bytes; the address may move. */
static int remap(mmbuf *b, uint64_t old_cap, uint64_t new_cap)
{
	void *p;
	int err;

	if (new_cap == 0) {
		mmbuf__unmap(b->data, old_cap);
		b->data = NULL;
		return 0;
	}
	if (new_cap > SIZE_MAX)
		return -ENOMEM;
	if (b->data != NULL) {
		p = b->data;
		if ((err = mmbuf__remap(&p, old_cap, new_cap)) <= 0) {
			if (err == 0)
				b->data = p;
			return err;
		}
	}
	err = mmbuf__map(b->fd, b->writable, b->hdr.data_offset, new_cap, &p);
	if (err != 0)
		return err;
	mmbuf__unmap(b->data, old_cap);
	b->data = p;
	return 0;
}

/*
 * Grow to capacity.  The new header is committed with the durability
 * given: losing it to a power loss leaves the old capacity and a longer
 * file, which is harmless, so an append commits it with its length.
 */
static int grow(mmbuf *b, uint64_t capacity, bool sparse, int durability)
{
	mmbuf_info *h = &b->hdr;
	uint64_t old = h->capacity, end;
	int err;

	if (__builtin_add_overflow(h->data_offset, capacity, &end) ||
	    end > (uint64_t)INT64_MAX)
		return -EFBIG;
	if ((err = drop_table(b)) != 0)
		return err;
	/* The file first: a crash now leaves it longer than its header
	 * says, which every reader accepts. */
	if ((err = mmbuf__allocate(b->fd, end, sparse)) != 0) {
		/* Give back what a failed preallocation may have taken. */
		(void)mmbuf__truncate(b->fd, h->file_size);
		return err;
	}
	if ((err = remap(b, old, capacity)) != 0)
		return err;
	h->capacity = capacity;
	h->file_size = end;
	return mmbuf__commit(b, durability);
}

static int shrink(mmbuf *b, uint64_t capacity)
{
	mmbuf_info *h = &b->hdr;
	uint64_t old = h->capacity;
	int err;

	if (h->length > capacity)
		return MMBUF_ELENGTH;
	if (h->ndim > 0 &&
	    mmbuf__check_shape(h->ndim, h->shape, h->itemsize, capacity) != 0)
		return MMBUF_ESHAPE;
	/* No reader may have the pages we are about to cut mapped: hold the
	 * readers' byte exclusively meanwhile (a reader opening now gets
	 * MMBUF_EBUSY). */
	if ((err = mmbuf__lock_readers_out(b->fd)) != 0)
		return err;
	if ((err = drop_table(b)) == 0) {
		/* The header first: a crash now leaves the file longer than
		 * the header says. */
		h->capacity = capacity;
		h->file_size = h->data_offset + capacity;
		err = mmbuf__commit(b, MMBUF_DURABLE_SYNC);
	}
	if (err == 0)
		err = remap(b, old, capacity);
	if (err == 0)
		err = mmbuf__truncate(b->fd, h->file_size);
	mmbuf__unlock_readers(b->fd);
	return err;
}

int mmbuf_resize(mmbuf *b, uint64_t capacity, unsigned flags)
{
	int err;

	if (b == NULL || (flags & ~MMBUF_RESIZE_SPARSE) != 0)
		return -EINVAL;
	if ((err = mmbuf__check_writer(b)) != 0)
		return err;
	if (capacity == b->hdr.capacity)
		return 0;
	if (capacity > b->hdr.capacity)
		return grow(b, capacity,
			    b->sparse || (flags & MMBUF_RESIZE_SPARSE),
			    MMBUF_DURABLE_SYNC);
	return shrink(b, capacity);
}

int mmbuf_set_growth(mmbuf *b, double factor)
{
	if (b == NULL || !(factor >= 1.0625 && factor <= 16.0))
		return -EINVAL;
	b->growth = factor;
	return 0;
}

/* Room for n more bytes after the length, growing geometrically. */
static int make_room(mmbuf *b, uint64_t n)
{
	uint64_t need, cap = b->hdr.capacity, next;
	double factor = b->growth != 0.0 ? b->growth : GROWTH_DEFAULT;

	if (__builtin_add_overflow(b->hdr.length, n, &need))
		return -EFBIG;
	if (need <= cap)
		return 0;
	next = cap * factor > (double)(UINT64_MAX / 2) ? need
						       : (uint64_t)(cap * factor);
	if (next < need)
		next = need;
	if (next < GROWTH_MIN_BYTES)
		next = GROWTH_MIN_BYTES;
	/* Whole pages: the file grows by pages anyway. */
	if (next <= UINT64_MAX - (MMBUF_PAGE - 1))
		next = (next + MMBUF_PAGE - 1) & ~(uint64_t)(MMBUF_PAGE - 1);
	/* The next commit of the length carries the capacity with it. */
	return grow(b, next, b->sparse, MMBUF_DURABLE_NONE);
}

int mmbuf_reserve(mmbuf *b, size_t n, void **ptr)
{
	int err;

	if (ptr != NULL)
		*ptr = NULL;
	if (b == NULL || ptr == NULL)
		return -EINVAL;
	if ((err = mmbuf__check_writer(b)) != 0)
		return err;
	if ((err = make_room(b, n)) != 0)
		return err;
	*ptr = b->data != NULL ? b->data + b->hdr.length : NULL;
	return 0;
}

int mmbuf_commit_reserved(mmbuf *b, size_t n, int durability)
{
	uint64_t len;
	int err;

	if (b == NULL)
		return -EINVAL;
	if ((err = mmbuf__check_writer(b)) != 0)
		return err;
	if (__builtin_add_overflow(b->hdr.length, n, &len) ||
	    len > b->hdr.capacity)
		return MMBUF_ELENGTH;
	return mmbuf_set_length(b, len, durability);
}

int mmbuf_append(mmbuf *b, const void *src, size_t n, int durability)
{
	int err;

	if (b == NULL || (src == NULL && n > 0))
		return -EINVAL;
	if (durability < MMBUF_DURABLE_NONE || durability > MMBUF_DURABLE_SYNC)
		return -EINVAL;
	if ((err = mmbuf__check_writer(b)) != 0)
		return err;
	if ((err = make_room(b, n)) != 0)
		return err;
	/*
	 * pwrite, not a copy through the mapping: a store to a page not yet
	 * in the page cache faults and has the kernel read (zero) it first,
	 * which costs more than the copy; pwrite of the bytes we have does
	 * neither, and the mapping sees them at once (one page cache).
	 */
	if (n > 0 && (err = mmbuf__pwrite_full(b->fd, src, n,
					       b->hdr.data_offset +
						       b->hdr.length)) != 0)
		return err;
	return mmbuf_commit_reserved(b, n, durability);
}

/* ------------------------------------------------------------------ */
/* Readers following a writer                                          */

/* How often a reader reads the header again when a commit tore both of
 * its reads; each retry yields the CPU to the writer. */
#define REFRESH_TRIES 1000
/* How often a reader that found the writer lock free reads the header
 * again because it moved meanwhile. */
#define LOCK_TRIES 8

/* Read the current header of b's file into *h, never an older one than
 * b holds. */
static int read_header(mmbuf *b, mmbuf_info *h)
{
	uint8_t hdr[MMBUF_HEADER_SIZE];
	uint64_t size;
	size_t got;
	int err = 0;

	for (int tries = 0; tries < REFRESH_TRIES; tries++) {
		if ((err = mmbuf__file_size(b->fd, &size, NULL)) != 0 ||
		    (err = mmbuf__pread_full(b->fd, hdr, sizeof hdr, 0,
					     &got)) != 0)
			return err;
		/* A slot counts only when its CRC and both copies of its
		 * generation agree; a commit in flight tears one slot at most,
		 * and the other is the previous, whole one. */
		err = mmbuf_validate_header(hdr, got, size, h);
		/*
		 * An older generation than the one we hold is a stale mix:
		 * the read took the older slot's page before two commits and
		 * found the newer slot torn by a third.  Read again.
		 */
		if (err == 0 && h->generation < b->hdr.generation)
			err = MMBUF_ETORN;
		if (err == 0)
			break;
		if (err != MMBUF_ECHECKSUM && err != MMBUF_ETORN &&
		    err != MMBUF_ETRUNCATED)
			return err;
		sched_yield();
	}
	if (err != 0)
		return err;
	/* Pairs with the writer's fence before a commit: the data the new
	 * length covers is visible once the header is. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return 0;
}

/*
 * Read the current header into *h and test the writer lock (mmbuf(5),
 * "Opening for writing, closing, unclean close"): *present is 1 if a
 * writer holds it, 0 if WRITER_OPEN is set and none does (a crash),
 * NO_WRITER if WRITER_OPEN is clear, or a negative errno when the probe
 * failed or the header would not hold still (then nothing is known).  A clean
 * close commits, then lets the lock go: a lock found free while the
 * header moved is no crash, so the header is read again.
 */
#define NO_WRITER 2  /* WRITER_OPEN is clear: not an errno, not 0 or 1 */

static int read_header_and_writer(mmbuf *b, mmbuf_info *h, int *present)
{
	mmbuf_info again;
	int err;

	*present = -EAGAIN;
	for (int tries = 0; tries < LOCK_TRIES; tries++) {
		if ((err = read_header(b, h)) != 0)
			return err;
		if (!(h->state & MMBUF_STATE_WRITER_OPEN)) {
			*present = NO_WRITER;
			return 0;
		}
		if ((*present = mmbuf__writer_present(b->fd)) != 0)
			return 0;
		if ((err = read_header(b, &again)) != 0)
			return err;
		if (again.generation == h->generation)
			return 0;
		*present = -EAGAIN;
	}
	return 0;
}

/*
 * The slot the next commit writes, read alone (mmbuf(5), "Waiting for a
 * commit", the cheaper form of step 1).  Returns 1 with *h when it holds
 * a later generation that keeps the file's layout (uuid, data_offset,
 * capacity, file_size), as a new length, label or state does: it was the
 * current header at some moment since (the other slot held ours, or a
 * later commit since), and nothing in it asks to look at the file's size
 * again.  Returns 0 with *word (the generation word's bytes as read)
 * when it is intact and older than ours: no commit was made since ours,
 * and a FUTEX_WAIT on *word returns at the next one.  -1 otherwise
 * (torn, damaged, a new layout, a short file): read the whole header.
 */
static int read_next_slot(mmbuf *b, mmbuf_info *h, uint32_t *word)
{
	uint8_t s[MMBUF_SLOT_SIZE];
	int i = (int)((b->hdr.generation + 1) % 2);
	size_t got;

	if (mmbuf__pread_full(b->fd, s, sizeof s, (uint64_t)i * MMBUF_PAGE,
			      &got) != 0 ||
	    got != sizeof s || mmbuf__validate_slot(s, i, h) != 0)
		return -1;
	if (h->generation < b->hdr.generation) {
		memcpy(word, s + SLOT_GENERATION, sizeof *word);
		return 0;
	}
	if (h->generation <= b->hdr.generation ||
	    h->capacity != b->hdr.capacity ||
	    h->file_size != b->hdr.file_size ||
	    h->data_offset != b->hdr.data_offset ||
	    memcmp(h->uuid, b->hdr.uuid, sizeof h->uuid) != 0)
		return -1;
	/* Pairs with the writer's fence before a commit, as in
	 * read_header(). */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return 1;
}

int mmbuf_refresh(mmbuf *b, int *changed)
{
	mmbuf_info h;
	int err, present;

	if (changed != NULL)
		*changed = 0;
	if (b == NULL)
		return -EINVAL;
	if (b->writable)  /* the writer's header is the current one */
		return mmbuf__inherited(b) ? MMBUF_EBUSY : 0;
	if ((err = read_header_and_writer(b, &h, &present)) != 0)
		return err;
	if (h.generation != b->hdr.generation) {
		/* Only a writer changes these; a new one is another buffer. */
		if (h.data_offset != b->hdr.data_offset ||
		    memcmp(h.uuid, b->hdr.uuid, sizeof h.uuid) != 0)
			return MMBUF_EINCONSISTENT;
		if (h.capacity != b->hdr.capacity &&
		    (err = remap(b, b->hdr.capacity, h.capacity)) != 0)
			return err;
		b->hdr = h;
		if (changed != NULL)
			*changed = 1;
	}
	/* Even without a commit: a killed writer commits nothing.  A failed
	 * probe is no proof either way. */
	if (present == NO_WRITER || present == 0 || present == 1) {
		b->writer_active = present == 1;
		b->unclean = present == 0;
	}
	return 0;
}

/* mmbuf(5), "Waiting for a commit": the slice of a futex wait, and the
 * first and the longest pause of a poll. */
#define WAIT_SLICE_NS 500000000
#define POLL_FIRST_NS 1000000
#define POLL_MAX_NS 100000000

/*
 * FUTEX_WAIT on the word at off while it holds v, slice after slice until
 * the deadline (mmbuf(5), "Waiting for a commit").  A slice that times out
 * with v other than the low 32 bits of the next generation saw no commit,
 * since every commit stores those bits there (and one that wakes nobody
 * leaves the word changed: the next FUTEX_WAIT returns -EAGAIN at once).
 * So between such slices only the writer lock is tested, for a crash,
 * and the header is not read: two system calls a slice.  Returns what the
 * last FUTEX_WAIT returned, or -ETIMEDOUT when the lock was found free.
 */
static int wait_word(mmbuf *b, uint64_t off, uint32_t v, int64_t deadline,
		     int64_t slice)
{
	const uint32_t *word = (const uint32_t *)(const void *)(b->header +
								 off);
	/* v holds the file's bytes, little-endian. */
	bool moves = mmbuf__le32((const uint8_t *)&v) !=
		     (uint32_t)(b->hdr.generation + 1);
	int64_t now;
	int err;

	for (;;) {
		err = mmbuf__futex_wait(word, v, slice);
		if (err != -ETIMEDOUT || !moves)
			return err;
		if ((b->hdr.state & MMBUF_STATE_WRITER_OPEN) &&
		    mmbuf__writer_present(b->fd) != 1)
			return err;
		now = mmbuf__monotonic_ns();
		if (now >= deadline)
			return err;
		slice = deadline - now < WAIT_SLICE_NS ? deadline - now
						       : WAIT_SLICE_NS;
	}
}

/* Sleep as a poller does (no NOTIFY, no futexes), and double the next
 * pause, up to POLL_MAX_NS. */
static void poll_pause(int64_t *poll, int64_t left)
{
	mmbuf__sleep_ns(left < *poll ? left : *poll);
	*poll = *poll < POLL_MAX_NS / 2 ? *poll * 2 : POLL_MAX_NS;
}

int mmbuf_wait(mmbuf *b, int64_t timeout_ns, int *changed)
{
	int64_t now, deadline, poll = POLL_FIRST_NS;
	bool had_writer, quick = true, looked_again = false;
	int err, ch;

	if (changed != NULL)
		*changed = 0;
	if (b == NULL)
		return -EINVAL;
	if (b->writable)
		return mmbuf__inherited(b) ? MMBUF_EBUSY : -EINVAL;
	now = mmbuf__monotonic_ns();
	deadline = timeout_ns < 0 || timeout_ns > INT64_MAX - now
			   ? INT64_MAX
			   : now + timeout_ns;
	had_writer = b->writer_active;
	for (;;) {
		uint64_t off = (b->hdr.generation + 1) % 2 * MMBUF_PAGE +
			       SLOT_GENERATION;
		bool notify = (b->hdr.compat & MMBUF_COMPAT_NOTIFY) &&
			      mmbuf__map_header(b) == 0;
		int q = -1;
		uint32_t v = 0;
		mmbuf_info h;
		size_t got;

		/* On the way in and after a wake: the slot the next commit
		 * writes, alone.  A commit in it is taken, its writer present
		 * if WRITER_OPEN (it held the lock to commit; the next call
		 * tests it); an older generation there means no commit yet,
		 * and gives the word to wait on. */
		if (quick && (q = read_next_slot(b, &h, &v)) == 1) {
			b->hdr = h;
			b->writer_active =
				(h.state & MMBUF_STATE_WRITER_OPEN) != 0;
			b->unclean = false;
			if (changed != NULL)
				*changed = 1;
			return 0;
		}
		quick = false;
		if (q != 0 || !notify) {
			/* The whole header and the writer lock. */
			if ((err = mmbuf_refresh(b, &ch)) != 0)
				return err;
			if (ch) {
				if (changed != NULL)
					*changed = 1;
				return 0;
			}
			if (had_writer && !b->writer_active)
				return 0;  /* it crashed */
		}
		now = mmbuf__monotonic_ns();
		if (now >= deadline)
			return -ETIMEDOUT;
		if (!notify) {
			poll_pause(&poll, deadline - now);
			continue;
		}
		if (q != 0) {
			/* The word, read after the header (which did not
			 * move, so off stands): pread, not a load, since a
			 * truncated file would fault. */
			if ((err = mmbuf__pread_full(b->fd, &v, sizeof v, off,
						     &got)) != 0)
				return err;
			if (got != sizeof v) {
				poll_pause(&poll, deadline - now);
				continue;
			}
			/* A commit made in between may have stored the next
			 * generation already (and woken nobody yet queued):
			 * look once more; a damaged slot may hold those bits
			 * for good. */
			if (mmbuf__le32((const uint8_t *)&v) ==
				    (uint32_t)(b->hdr.generation + 1) &&
			    !looked_again) {
				looked_again = quick = true;
				continue;
			}
		}
		looked_again = false;
		err = wait_word(b, off, v, deadline,
				deadline - now < WAIT_SLICE_NS ? deadline - now
							       : WAIT_SLICE_NS);
		/* Woken, or the word changed: a commit, most likely.  Timed
		 * out, interrupted, the lock let go: look at it all.
		 * Anything else (no futexes after all): poll. */
		if (err == 0 || err == -EAGAIN)
			quick = true;
		else if (err != -ETIMEDOUT && err != -EINTR)
			poll_pause(&poll, deadline - now);
	}
}
