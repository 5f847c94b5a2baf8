/*
 * buffer.c - the buffer handle: create, open, commit, access, close.
 */
#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#if !defined(MADV_POPULATE_WRITE) && defined(__linux__)
#define MADV_POPULATE_READ 22  /* Linux 5.14 */
#define MADV_POPULATE_WRITE 23
#endif

static bool valid_durability(int d)
{
	return d == MMBUF_DURABLE_NONE || d == MMBUF_DURABLE_ASYNC ||
	       d == MMBUF_DURABLE_SYNC;
}

/*
 * The header that the commit after cur writes (mmbuf(5), "Committing a
 * header"): the next generation, in the slot of its parity.  The file's
 * version is that of its last writer, a compat flag we do not know
 * describes fields we did not keep up to date, and we take the locks of
 * mmbuf(5), "Locking", so LOCKING is set in every slot we write.  A
 * GROWING buffer's shape[0] counts the whole rows of the length, whatever
 * the commit is for, so every slot is right for a 1.0 reader.  NOTIFY
 * says that we wake the waiters after the commit, where we can.
 * MMBUF_EINCONSISTENT when cur has the last generation, 2^64 - 1: a commit
 * would wrap to 0, which readers would take for older than every slot.
 */
static uint64_t notify_flag(void)
{
	return MMBUF__HAVE_FUTEX ? MMBUF_COMPAT_NOTIFY : 0;
}

/*
 * The process's pid for writer_pid, read once: getpid(2) is a system call
 * (glibc caches it no longer), and a commit is a few.  A child of fork(2)
 * forgets it, through an atfork handler, so that it writes its own.
 */
static pid_t cached_pid;
static pthread_once_t pid_once = PTHREAD_ONCE_INIT;

static void forget_pid(void)
{
	__atomic_store_n(&cached_pid, 0, __ATOMIC_RELAXED);
}

static void forget_pid_at_fork(void)
{
	(void)pthread_atfork(NULL, NULL, forget_pid);
}

uint32_t mmbuf__self_pid(void)
{
	pid_t pid = __atomic_load_n(&cached_pid, __ATOMIC_RELAXED);

	if (pid == 0) {
		(void)pthread_once(&pid_once, forget_pid_at_fork);
		pid = getpid();
		__atomic_store_n(&cached_pid, pid, __ATOMIC_RELAXED);
	}
	return (uint32_t)pid;
}

static int next_header(const mmbuf_info *cur, mmbuf_info *next)
{
	if (cur->generation == UINT64_MAX)
		return MMBUF_EINCONSISTENT;
	*next = *cur;
	next->generation = mmbuf__next_generation(cur);
	next->version_major = MMBUF_FORMAT_VERSION_MAJOR;
	next->version_minor = MMBUF_FORMAT_VERSION_MINOR;
	next->compat &= MMBUF_COMPAT_KNOWN & ~MMBUF_COMPAT_NOTIFY;
	next->compat |= notify_flag();
	next->ro_compat |= MMBUF_RO_COMPAT_LOCKING;
	mmbuf__grow_rows(next);
	next->mtime_ns = mmbuf__now_ns();
	next->writer_pid = mmbuf__self_pid();
	next->slot = (int)(next->generation % 2);
	return 0;
}

uint64_t mmbuf__next_generation(const mmbuf_info *h)
{
	return h->generation + 1;
}

/*
 * Wake the waiters of a commit into slot (mmbuf(5), "Waiting for a
 * commit"): every process blocked on that slot's generation word, through
 * header, a read-only shared mapping of the header pages, or through one
 * made for the occasion when header is NULL.  A failure changes nothing
 * for the commit, which is done: the waiters see it within their slice.
 */
static void wake(int fd, const uint8_t *header, int slot)
{
	void *p = NULL;

	if (header == NULL) {
		if (mmbuf__map(fd, false, 0, MMBUF_HEADER_SIZE, &p) != 0)
			return;
		header = p;
	}
	(void)mmbuf__futex_wake((const uint32_t *)(const void *)(
		header + (size_t)slot * MMBUF_PAGE + SLOT_GENERATION));
	mmbuf__unmap(p, MMBUF_HEADER_SIZE);
}

int mmbuf__commit_fd(int fd, const uint8_t *header, mmbuf_info *h,
		     int durability)
{
	uint8_t img[MMBUF_SLOT_SIZE];
	mmbuf_info next;
	uint64_t off;
	int err;

	if ((err = next_header(h, &next)) != 0)
		return err;
	mmbuf__encode_slot(&next, img);
	off = (uint64_t)next.slot * MMBUF_PAGE;
	/* The data stores the new header covers become visible to readers
	 * before the header does (readers fence after reading it). */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	/*
	 * pwrite(2), not a store through a mapping: a file truncated under
	 * us makes a store fault (SIGBUS), but a write only lengthens it.
	 * Readers that map the header see the write at once (one page cache).
	 */
	if ((err = mmbuf__pwrite_full(fd, img, sizeof img, off)) != 0)
		return err;
	/* Written: readers may see it, so it is the current header now,
	 * whether or not it reaches the disk.  Waiters need not wait for
	 * the disk either: they read the page cache. */
	*h = next;
	if (next.compat & MMBUF_COMPAT_NOTIFY)
		wake(fd, header, next.slot);
	return mmbuf__sync_file(fd, off, sizeof img, durability);
}

/* Commit the header state b->hdr as the next generation. */
int mmbuf__commit(mmbuf *b, int durability)
{
	if (mmbuf__inherited(b))
		return MMBUF_EBUSY;
	return mmbuf__commit_fd(b->fd, b->header, &b->hdr, durability);
}

bool mmbuf__inherited(const mmbuf *b)
{
	return b->writable && b->owner != mmbuf__self_pid();
}

int mmbuf__check_writer(const mmbuf *b)
{
	if (!b->writable)
		return MMBUF_EREADONLY;
	return mmbuf__inherited(b) ? MMBUF_EBUSY : 0;
}

int mmbuf__map_header(mmbuf *b)
{
	void *p;
	int err;

	if (b->header != NULL)
		return 0;
	if ((err = mmbuf__map(b->fd, false, 0, MMBUF_HEADER_SIZE, &p)) != 0)
		return err;
	b->header = p;
	return 0;
}

static void release(mmbuf *b)
{
	mmbuf__unmap(b->data, b->hdr.capacity);
	mmbuf__unmap((void *)b->header, MMBUF_HEADER_SIZE);
	if (b->fd >= 0)
		close(b->fd); /* drops the locks */
	/* Never published: its temporary name goes (an unnamed file goes
	 * with its last descriptor). */
	if (b->unpublished)
		mmbuf__tmp_discard(&b->tmp);
	free(b->path);
	free(b);
}

/* Map the data region of an open file (the header is read and written
 * with pread and pwrite), and for a writer the header pages, read-only,
 * for the wakes of its commits. */
static int map_all(mmbuf *b)
{
	void *p;
	int err;

	if (b->writable && MMBUF__HAVE_FUTEX &&
	    (err = mmbuf__map_header(b)) != 0)
		return err;
	if (b->hdr.capacity > 0) {
		err = mmbuf__map(b->fd, b->writable, b->hdr.data_offset,
				 b->hdr.capacity, &p);
		if (err != 0)
			return err;
		b->data = p;
	}
	return 0;
}

void mmbuf_create_opts_init(mmbuf_create_opts *opts)
{
	memset(opts, 0, sizeof *opts);
	opts->length = MMBUF_LENGTH_CAPACITY;
}

/* Whether the options leave reserved[] as mmbuf_create_opts_init() does:
 * options added there later must find 0 in the callers of today. */
static bool reserved_zero(const mmbuf_create_opts *o)
{
	for (size_t i = 0; i < sizeof o->reserved / sizeof o->reserved[0]; i++)
		if (o->reserved[i] != 0)
			return false;
	return true;
}

/* The header of a new buffer, from the options. */
static int new_header(const mmbuf_create_opts *o, mmbuf_info *h)
{
	const char *label = o->label ? o->label : "";
	int err;

	memset(h, 0, sizeof *h);
	if ((err = mmbuf_dtype_parse(o->dtype ? o->dtype : "<u1", h->dtype,
				     &h->itemsize)) != 0)
		return err;
	if ((err = mmbuf__check_label(label)) != 0)
		return err;
	strcpy(h->label, label);
	if ((err = mmbuf__check_shape(o->ndim, o->shape, h->itemsize,
				      o->capacity)) != 0)
		return err;
	h->ndim = o->ndim;
	memcpy(h->shape, o->shape, sizeof(uint64_t) * o->ndim);
	if (o->flags & MMBUF_CREATE_GROWING) {
		uint64_t row;

		/* An open first dimension of rows of at least one byte. */
		if (o->ndim < 1 || o->shape[0] != 0 ||
		    mmbuf__row_bytes(o->ndim, o->shape, h->itemsize, &row) != 0)
			return -EINVAL;
		h->ro_compat |= MMBUF_RO_COMPAT_GROWING;
	}
	if ((err = mmbuf__layout(o->capacity, o->align, &h->data_offset,
				 &h->file_size)) != 0)
		return err;
	h->capacity = o->capacity;
	/* The default: all of the capacity in use, but no rows of a
	 * growing buffer, which starts empty. */
	if (o->length != MMBUF_LENGTH_CAPACITY)
		h->length = o->length;
	else
		h->length = o->flags & MMBUF_CREATE_GROWING ? 0 : o->capacity;
	if (h->length > h->capacity)
		return MMBUF_ELENGTH;
	if ((err = mmbuf__random(h->uuid, sizeof h->uuid)) != 0)
		return err;
	h->uuid[6] = (uint8_t)((h->uuid[6] & 0x0f) | 0x40); /* version 4 */
	h->uuid[8] = (uint8_t)((h->uuid[8] & 0x3f) | 0x80); /* variant 1 */
	h->version_major = MMBUF_FORMAT_VERSION_MAJOR;
	h->version_minor = MMBUF_FORMAT_VERSION_MINOR;
	h->ro_compat |= MMBUF_RO_COMPAT_LOCKING;
	h->compat = notify_flag();
	mmbuf__grow_rows(h);
	h->ctime_ns = h->mtime_ns = mmbuf__now_ns();
	h->state = MMBUF_STATE_WRITER_OPEN;
	h->writer_pid = mmbuf__self_pid();
	return 0;
}

/* Write both header pages of a new file: generation 1 in slot 1 and
 * generation 2 in slot 0, otherwise alike, so either slot can serve. */
static int write_headers(int fd, mmbuf_info *h)
{
	uint8_t *buf = calloc(1, MMBUF_HEADER_SIZE);
	int err;

	if (buf == NULL)
		return -ENOMEM;
	h->generation = 1;
	mmbuf__encode_slot(h, buf + MMBUF_PAGE);
	h->generation = 2;
	mmbuf__encode_slot(h, buf);
	h->slot = 0;
	err = mmbuf__pwrite_full(fd, buf, MMBUF_HEADER_SIZE, 0);
	free(buf);
	return err;
}

int mmbuf_create(const char *path, const mmbuf_create_opts *opts, mmbuf **out)
{
	struct mmbuf__tmpfile t;
	mmbuf_create_opts defaults;
	mmbuf *b;
	bool replace;
	mode_t mode;
	int err;

	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (path == NULL)
		return -EINVAL;
	if (opts != NULL &&
	    ((opts->flags & ~(MMBUF_CREATE_SPARSE | MMBUF_CREATE_REPLACE |
			      MMBUF_CREATE_UNPUBLISHED | MMBUF_CREATE_MODE |
			      MMBUF_CREATE_GROWING)) != 0 ||
	     !reserved_zero(opts)))
		return -EINVAL;
	if (opts == NULL) {
		mmbuf_create_opts_init(&defaults);
		opts = &defaults;
	}
	b = calloc(1, sizeof *b);
	if (b == NULL)
		return -ENOMEM;
	b->fd = -1;
	b->writable = true;
	b->owner = mmbuf__self_pid();
	b->sparse = (opts->flags & MMBUF_CREATE_SPARSE) != 0;
	replace = (opts->flags & MMBUF_CREATE_REPLACE) != 0;
	if ((err = new_header(opts, &b->hdr)) != 0 ||
	    /* Before any work; mmbuf__tmp_publish() checks again. */
	    (replace && (err = mmbuf__replaceable(path)) != 0)) {
		free(b);
		return err;
	}
	mode = opts->mode;
	if (mode == 0 && !(opts->flags & MMBUF_CREATE_MODE))
		mode = 0666;
	err = mmbuf__tmp_create(path, mode, &t);
	if (err != 0) {
		free(b);
		return err;
	}
	b->fd = t.fd;
	/* Locked before it has a name, so no other writer can slip in. */
	if ((err = mmbuf__lock_writer(b->fd)) == 0 &&
	    (err = mmbuf__allocate(b->fd, b->hdr.file_size, b->sparse)) == 0 &&
	    (err = write_headers(b->fd, &b->hdr)) == 0)
		err = map_all(b);
	if (err == 0 && (opts->flags & MMBUF_CREATE_UNPUBLISHED)) {
		/* Named later by mmbuf_publish(), or never. */
		b->path = strdup(path);
		if (b->path == NULL) {
			err = -ENOMEM;
		} else {
			b->tmp = t;
			b->replace = replace;
			b->unpublished = true;
			*out = b;
			return 0;
		}
	}
	if (err == 0 && (err = mmbuf__fsync(b->fd)) == 0 &&
	    (err = mmbuf__tmp_publish(&t, path, replace)) == 0 &&
	    (err = mmbuf__tmp_sync_dir(&t)) != 0 && !replace)
		unlink(path); /* ours: a name we could not make durable */
	mmbuf__tmp_discard(&t);
	if (err != 0) {
		release(b);
		return err;
	}
	*out = b;
	return 0;
}

int mmbuf_publish(mmbuf *b)
{
	int err;

	if (!b->unpublished)
		return -EINVAL;
	if (mmbuf__inherited(b))
		return MMBUF_EBUSY;
	/* Everything it holds reaches the disk before it has a name. */
	if ((err = mmbuf__fsync(b->fd)) != 0)
		return err;
	if ((err = mmbuf__tmp_publish(&b->tmp, b->path, b->replace)) != 0)
		return err;
	/* From here it is in place: a failure below is reported, but the
	 * buffer stays published (only the name's durability is in doubt). */
	err = mmbuf__tmp_sync_dir(&b->tmp);
	mmbuf__tmp_discard(&b->tmp);
	b->unpublished = false;
	return err;
}

/*
 * Make the handle of an open file (fd, of size bytes, which it now owns):
 * lock, validate, map and, for a writer, commit the "writer open" state.
 * What mmbuf_open() and mmbuf_open_fd() share.
 */
static int open_handle(int fd, uint64_t size, bool writable, mmbuf **out)
{
	uint8_t hdr[MMBUF_HEADER_SIZE];
	size_t got;
	mmbuf *b;
	int err;

	b = calloc(1, sizeof *b);
	if (b == NULL) {
		close(fd);
		return -ENOMEM;
	}
	b->fd = fd;
	b->writable = writable;
	b->owner = mmbuf__self_pid();
	/* The lock comes first: what we validate is then what we own. */
	err = b->writable ? mmbuf__lock_writer(b->fd)
			  : mmbuf__lock_reader(b->fd);
	if (err == 0)
		err = mmbuf__pread_full(b->fd, hdr, sizeof hdr, 0, &got);
	if (err == 0)
		err = mmbuf_validate_header(hdr, got, size, &b->hdr);
	if (err == 0 && b->writable &&
	    (b->hdr.ro_compat & ~MMBUF_RO_COMPAT_KNOWN))
		err = MMBUF_EROFEATURE;
	if (err == 0)
		err = map_all(b);
	if (err != 0) {
		release(b);
		return err;
	}
	if (b->hdr.state & MMBUF_STATE_WRITER_OPEN) {
		int present = b->writable ? 0 : mmbuf__writer_present(b->fd);

		/* An error from the probe is no proof of a crash. */
		b->writer_active = present > 0;
		b->unclean = present == 0;
	}
	if (b->writable) {
		uint64_t bytes, disk;

		/* Grow it as it was made: a file with fewer blocks than bytes
		 * was made sparse (or has holes), so do not preallocate. */
		b->sparse = mmbuf__file_size(b->fd, &bytes, &disk) == 0 &&
			    disk < b->hdr.file_size;
		b->hdr.state |= MMBUF_STATE_WRITER_OPEN;
		b->hdr.state &= ~MMBUF_STATE_SEALED;
		if ((err = mmbuf__commit(b, MMBUF_DURABLE_SYNC)) != 0) {
			release(b);
			return err;
		}
	}
	*out = b;
	return 0;
}

int mmbuf_open(const char *path, unsigned flags, mmbuf **out)
{
	uint64_t size;
	int fd, err;

	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (path == NULL || (flags & ~MMBUF_RDWR) != 0)
		return -EINVAL;
	err = mmbuf__open_file(path, flags & MMBUF_RDWR, &fd, &size);
	if (err != 0)
		return err;
	return open_handle(fd, size, flags & MMBUF_RDWR, out);
}

int mmbuf_open_fd(int fd, unsigned flags, mmbuf **out)
{
	uint64_t size;
	int own, err;

	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if ((flags & ~MMBUF_RDWR) != 0)
		return -EINVAL;
	err = mmbuf__reopen_file(fd, flags & MMBUF_RDWR, &own, &size);
	if (err != 0)
		return err;
	return open_handle(own, size, flags & MMBUF_RDWR, out);
}

int mmbuf_close(mmbuf *b)
{
	int err = 0, e;

	if (b == NULL)
		return 0;
	if (mmbuf__inherited(b)) {
		/* Inherited across fork(): the parent is the writer, and its
		 * header, data and unpublished file are its own.  Only this
		 * process's mappings and descriptor go: a temporary name is
		 * the parent's to publish or remove. */
		if (b->unpublished) {
			free(b->tmp.tmpname);
			b->tmp.tmpname = NULL;
			b->unpublished = false;
		}
		free(b->tmp.dir);
		b->tmp.dir = NULL;
		release(b);
		return 0;
	}
	if (b->writable && !b->unpublished) {
		/* Data first, then the header that calls it clean. */
		if (b->data != NULL)
			err = mmbuf__msync(b->data, b->hdr.capacity,
					   MMBUF_DURABLE_SYNC, b->fd,
					   b->hdr.data_offset);
		b->hdr.state &= ~MMBUF_STATE_WRITER_OPEN;
		e = mmbuf__commit(b, MMBUF_DURABLE_SYNC);
		/*
		 * A sealed buffer is meant to be final: commit the clean state
		 * into the other slot too, so that either slot alone still
		 * holds the seal and a clean close (otherwise the other slot
		 * holds the seal's own commit, made while the writer was open,
		 * and losing the current slot would read as a crash).
		 */
		if (e == 0 && (b->hdr.state & MMBUF_STATE_SEALED))
			e = mmbuf__commit(b, MMBUF_DURABLE_SYNC);
		if (err == 0)
			err = e;
	}
	release(b);
	return err;
}

/* ------------------------------------------------------------------ */

void *mmbuf_data(const mmbuf *b)
{
	return b->data;
}

uint64_t mmbuf_capacity(const mmbuf *b)
{
	return b->hdr.capacity;
}

uint64_t mmbuf_length(const mmbuf *b)
{
	return b->hdr.length;
}

const char *mmbuf_dtype(const mmbuf *b)
{
	return b->hdr.dtype;
}

uint32_t mmbuf_itemsize(const mmbuf *b)
{
	return b->hdr.itemsize;
}

uint32_t mmbuf_shape(const mmbuf *b, const uint64_t **dims)
{
	if (dims != NULL)
		*dims = b->hdr.shape;
	return b->hdr.ndim;
}

const char *mmbuf_label(const mmbuf *b)
{
	return b->hdr.label;
}

int mmbuf_growing(const mmbuf *b)
{
	return (b->hdr.ro_compat & MMBUF_RO_COMPAT_GROWING) != 0;
}

const uint8_t *mmbuf_uuid(const mmbuf *b)
{
	return b->hdr.uuid;
}

uint64_t mmbuf_generation(const mmbuf *b)
{
	return b->hdr.generation;
}

unsigned mmbuf_state(const mmbuf *b)
{
	return b->hdr.state;
}

int mmbuf_writable(const mmbuf *b)
{
	return b->writable;
}

int mmbuf_slot_status(const mmbuf *b, int slot)
{
	if (slot != 0 && slot != 1)
		return -EINVAL;
	return b->hdr.slot_status[slot];
}

int mmbuf_unclean(const mmbuf *b)
{
	return b->unclean;
}

int mmbuf_writer_active(const mmbuf *b)
{
	return b->writer_active;
}

void mmbuf_get_info(const mmbuf *b, mmbuf_info *out)
{
	*out = b->hdr;
}

/* ------------------------------------------------------------------ */

int mmbuf_set_length(mmbuf *b, uint64_t length, int durability)
{
	int err;

	if ((err = mmbuf__check_writer(b)) != 0)
		return err;
	if (!valid_durability(durability))
		return -EINVAL;
	if (length > b->hdr.capacity)
		return MMBUF_ELENGTH;
	/* The data the new length covers reaches the disk before the
	 * header that covers it. */
	if (length > 0 && (err = mmbuf__msync(b->data, length, durability,
					      b->fd, b->hdr.data_offset)) != 0)
		return err;
	if (length != b->hdr.length)
		b->hdr.state &= ~MMBUF_STATE_SEALED;
	b->hdr.length = length;
	return mmbuf__commit(b, durability);
}

int mmbuf_set_label(mmbuf *b, const char *label, int durability)
{
	int err;

	if ((err = mmbuf__check_writer(b)) != 0)
		return err;
	if (!valid_durability(durability) || label == NULL)
		return -EINVAL;
	if ((err = mmbuf__check_label(label)) != 0)
		return err;
	memset(b->hdr.label, 0, sizeof b->hdr.label);
	strcpy(b->hdr.label, label);
	return mmbuf__commit(b, durability);
}

/*
 * Turn a data range (len 0: to the end) into a page-aligned one; false if
 * it lies outside the capacity.
 */
static bool data_range(const mmbuf *b, uint64_t offset, uint64_t len,
		       uint64_t *start, uint64_t *plen)
{
	uint64_t cap = b->hdr.capacity;

	if (offset > cap || (len != 0 && len > cap - offset))
		return false;
	if (len == 0)
		len = cap - offset;
	*start = offset & ~(uint64_t)(MMBUF_PAGE - 1);
	*plen = len + (offset - *start);
	return true;
}

int mmbuf_sync(mmbuf *b, uint64_t offset, uint64_t len, int durability)
{
	uint64_t start, plen;

	if (!valid_durability(durability) ||
	    !data_range(b, offset, len, &start, &plen))
		return -EINVAL;
	if (!b->writable || plen == 0)
		return 0;
	return mmbuf__msync(b->data + start, plen, durability, b->fd,
			    b->hdr.data_offset + start);
}

int mmbuf_write(mmbuf *b, uint64_t offset, const void *src, size_t len)
{
	if (!b->writable)
		return MMBUF_EREADONLY;
	if (offset > b->hdr.capacity || len > b->hdr.capacity - offset ||
	    (src == NULL && len > 0))
		return -EINVAL;
	return mmbuf__pwrite_full(b->fd, src, len, b->hdr.data_offset + offset);
}

int mmbuf_advise(mmbuf *b, uint64_t offset, uint64_t len, int advice)
{
	static const int map[] = {
		[MMBUF_ADVICE_NORMAL] = MADV_NORMAL,
		[MMBUF_ADVICE_SEQUENTIAL] = MADV_SEQUENTIAL,
		[MMBUF_ADVICE_RANDOM] = MADV_RANDOM,
		[MMBUF_ADVICE_WILLNEED] = MADV_WILLNEED,
		[MMBUF_ADVICE_DONTNEED] = MADV_DONTNEED,
#ifdef MADV_HUGEPAGE
		[MMBUF_ADVICE_HUGEPAGE] = MADV_HUGEPAGE,
#else
		[MMBUF_ADVICE_HUGEPAGE] = -1,
#endif
	};
	uint64_t start, plen;

	if (advice < 0 || advice > MMBUF_ADVICE_HUGEPAGE || map[advice] < 0 ||
	    !data_range(b, offset, len, &start, &plen))
		return -EINVAL;
	if (plen == 0)
		return 0;
	return mmbuf__madvise(b->data + start, plen, map[advice]);
}

/*
 * Populate the page tables of [start, start + len) of the data region,
 * start page aligned: writable for a writer, readable otherwise.
 */
static int populate(mmbuf *b, uint64_t start, uint64_t len)
{
#ifdef MADV_POPULATE_WRITE
	int err = mmbuf__madvise(b->data + start, len,
				 b->writable ? MADV_POPULATE_WRITE
					     : MADV_POPULATE_READ);

	if (err != -EINVAL)
		return err;
#endif
	/* An older kernel: touch every page.  Adding 0 atomically makes a
	 * write fault without racing with the owner's own stores. */
	for (uint64_t off = start; off < start + len; off += MMBUF_PAGE) {
		uint8_t *p = b->data + off;

		if (b->writable)
			__atomic_fetch_add(p, 0, __ATOMIC_RELAXED);
		else
			(void)*(volatile uint8_t *)p;
	}
	return 0;
}

/*
 * Filling a range on several threads.  A fresh page costs the kernel an
 * allocation and a zeroing pass (in a virtual machine often also the
 * host's first touch of the memory): that, not the copy, is most of the
 * time of a fill.  The range is cut into one contiguous slice per thread;
 * each thread has fn produce its pieces into a small buffer of its own,
 * which stays in its cache, and writes each with pwrite(2): whole pages
 * written so are not zeroed first, and a full disk is an error code, not
 * a SIGBUS.  Measured on fresh 1 GiB ext4 files, 2 busy CPUs: this was
 * faster than populating each piece and having fn store through the
 * mapping, but slower than one thread's mmbuf_write() when fn only
 * copies: ext4 serializes buffered writes to a file (the inode lock), so
 * the threads overlap only fn's work (bench/bench_fill.c).  Tried and no
 * faster there: the caller writing with pwrite(2) from the start while
 * another thread populates and fills through the mapping from a split
 * point (that thread zeroes every page before filling it, and slows the
 * writer down: 0.18-0.19 s per GiB either way; populating in descending
 * order is 2-3 times slower still), and a thread reading ahead
 * (readahead(2)) so that the writer finds its pages allocated (slower).
 */
enum {
	FILL_STAGE = 256 << 10,     /* produced by fn at a time, then written */
	FILL_MIN_SLICE = 32 << 20,  /* no thread for less than this */
	FILL_ALIGN = 2 << 20        /* slice lengths: whole huge pages */
};

struct filljob {
	mmbuf *b;
	uint64_t start, end;  /* the data range, [start, end) */
	uint64_t slice;       /* bytes per slice, a multiple of FILL_ALIGN */
	mmbuf_fill_fn *fn;
	void *arg;
	int error;            /* the first error (atomic) */
};

/* One thread's share: slice k of the job. */
static void fill_slice(void *arg, unsigned k)
{
	struct filljob *j = arg;
	uint64_t from = j->start + k * j->slice;
	uint64_t to = j->end - from < j->slice ? j->end : from + j->slice;
	uint8_t *stage = malloc(FILL_STAGE);

	if (stage == NULL) {
		mmbuf__pool_fail(&j->error, -ENOMEM);
		return;
	}
	for (uint64_t off = from; off < to; off += FILL_STAGE) {
		uint64_t n = to - off < FILL_STAGE ? to - off : FILL_STAGE;
		int err;

		if (mmbuf__pool_failed(&j->error))
			break; /* another slice failed: stop */
		if ((err = j->fn(stage, off, (size_t)n, j->arg)) == 0)
			err = mmbuf__pwrite_full(j->b->fd, stage, (size_t)n,
						 j->b->hdr.data_offset + off);
		if (err != 0) {
			mmbuf__pool_fail(&j->error, err);
			break;
		}
	}
	free(stage);
}

/*
 * Run the job on up to `threads` threads (0: one per online CPU), the
 * caller's included, slice k on thread k.
 */
static int fill_run(struct filljob *j, unsigned threads)
{
	uint64_t len = j->end - j->start;
	unsigned nslices;

	threads = mmbuf__pool_threads(threads, len / FILL_MIN_SLICE);
	/* Slices are whole huge pages long, so that in a region aligned to
	 * 2 MiB no huge page is split between two threads. */
	j->slice = (len / threads + FILL_ALIGN - 1) & ~(uint64_t)(FILL_ALIGN - 1);
	if (j->slice == 0)
		j->slice = len;
	nslices = (unsigned)((len + j->slice - 1) / j->slice);
	mmbuf__pool_run(nslices, fill_slice, j);
	return j->error;
}

int mmbuf_prefault(mmbuf *b, uint64_t offset, uint64_t len)
{
	uint64_t start, plen;

	if (!data_range(b, offset, len, &start, &plen))
		return -EINVAL;
	if (plen == 0)
		return 0;
	/*
	 * One thread: populating a fresh ext4 file from two threads was no
	 * faster in bench/bench_fill.c on 2 busy CPUs, often slower
	 * (probably: the write faults of one file meet in ext4's locks).
	 */
	return populate(b, start, plen);
}

int mmbuf_fill(mmbuf *b, uint64_t offset, uint64_t len, unsigned threads,
	       mmbuf_fill_fn *fn, void *arg)
{
	struct filljob j = { .b = b, .fn = fn, .arg = arg };

	if (!b->writable)
		return MMBUF_EREADONLY;
	if (fn == NULL || offset > b->hdr.capacity ||
	    (len != 0 && len > b->hdr.capacity - offset))
		return -EINVAL;
	if (len == 0)
		len = b->hdr.capacity - offset;
	if (len == 0)
		return 0;
	j.start = offset;
	j.end = offset + len;
	return fill_run(&j, threads);
}
