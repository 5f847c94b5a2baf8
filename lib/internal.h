/*
 * internal.h - declarations shared by the files of libmmbuf (not installed).
 * Internal functions shared across files are named mmbuf__*.
 */
#ifndef MMBUF_INTERNAL_H
#define MMBUF_INTERNAL_H

#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "mmbuf.h"

/* Byte offsets of the fields of a header slot (mmbuf(5), "Header slot"). */
enum {
	SLOT_MAGIC = 0,
	SLOT_GENERATION = 8,
	SLOT_VERSION_MAJOR = 16,
	SLOT_VERSION_MINOR = 18,
	SLOT_SLOT_SIZE = 20,
	SLOT_COMPAT = 24,
	SLOT_RO_COMPAT = 32,
	SLOT_INCOMPAT = 40,
	SLOT_UUID = 48,
	SLOT_CTIME = 64,
	SLOT_MTIME = 72,
	SLOT_DATA_OFFSET = 80,
	SLOT_CAPACITY = 88,
	SLOT_LENGTH = 96,
	SLOT_FILE_SIZE = 104,
	SLOT_STATE = 112,
	SLOT_WRITER_PID = 116,
	SLOT_DTYPE = 120,
	SLOT_NDIM = 128,
	SLOT_BLOCK_SHIFT = 132,
	SLOT_SHAPE = 136,
	SLOT_DATA_CHECKSUM = 200,
	SLOT_CHECKSUM_GENERATION = 208,
	SLOT_TABLE_OFFSET = 216,
	SLOT_TABLE_SIZE = 224,
	SLOT_LABEL = 240,
	SLOT_LABEL_SIZE = 256,
	SLOT_GENERATION_TAIL = 500,
	SLOT_CRC = 508
};

/* Little-endian loads and stores, independent of the host's byte order. */
static inline uint16_t mmbuf__le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t mmbuf__le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t mmbuf__le64(const uint8_t *p)
{
	return (uint64_t)mmbuf__le32(p) | (uint64_t)mmbuf__le32(p + 4) << 32;
}

static inline void mmbuf__put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void mmbuf__put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void mmbuf__put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* format.c: encoding and validation, pure functions over bytes. */
void mmbuf__encode_slot(const mmbuf_info *h, uint8_t slot[MMBUF_SLOT_SIZE]);
int mmbuf__check_fields(const mmbuf_info *h);
int mmbuf__validate_slot(const uint8_t *p, int index, mmbuf_info *out);
int mmbuf__check_label(const char *label);
int mmbuf__layout(uint64_t capacity, uint64_t align, uint64_t *data_offset,
		  uint64_t *file_size);
int mmbuf__check_shape(uint32_t ndim, const uint64_t *shape,
		       uint32_t itemsize, uint64_t capacity);
/* The block checksum table (mmbuf(5)): its entries for n bytes of data,
 * and its file offset for a data region ending at end. */
uint64_t mmbuf__nblocks(uint64_t n, uint32_t shift);
/* The bytes of one row (one index of the first dimension) of a shape:
 * itemsize * shape[1] * ... * shape[ndim - 1]; MMBUF_ESHAPE for ndim 0, an
 * overflow or a row of 0 bytes (mmbuf(5), feature GROWING). */
int mmbuf__row_bytes(uint32_t ndim, const uint64_t *shape, uint32_t itemsize,
		     uint64_t *row);
/* Set shape[0] of a GROWING header to the whole rows within its length;
 * nothing for other headers. */
void mmbuf__grow_rows(mmbuf_info *h);
uint64_t mmbuf__table_offset(uint64_t end);

/* pool.c: running a job on several threads. */
#define MMBUF__MAX_THREADS 256
/*
 * The number of threads for a job: threads, or one per online CPU when
 * it is 0, at most MMBUF__MAX_THREADS and at most `most` (the pieces the
 * job can be cut into), and at least 1.
 */
unsigned mmbuf__pool_threads(unsigned threads, uint64_t most);
typedef void mmbuf__pool_task(void *arg, unsigned k);
/*
 * Run fn(arg, k) for each k in [0, n): k = 0 on the calling thread, each
 * other on a thread of its own; a task whose thread cannot be started runs
 * on the calling thread after task 0.  Returns when all have returned.
 */
void mmbuf__pool_run(unsigned n, mmbuf__pool_task *fn, void *arg);
/* The first error of a job wins: *error becomes err unless it is set. */
void mmbuf__pool_fail(int *error, int err);
/* Whether a task of the job failed: the others stop at their next step. */
bool mmbuf__pool_failed(const int *error);

/* checksum.c */
uint32_t mmbuf__crc32(const void *p, size_t n);
/* Where mmbuf__hash_data() finds the bytes: at file offset base of fd,
 * read with pread(2), or, if map is not NULL, at map, a mapping of them,
 * read under a SIGBUS guard (MMBUF_CHECKSUM_MAPPED). */
struct mmbuf__hash_source {
	int fd;
	uint64_t base;
	const uint8_t *map;
};
/*
 * Hash the bytes of src: each block of 2^shift bytes of [0, length) into
 * blocks[] (if not NULL), on `threads` threads (0: one per CPU), and
 * meanwhile, on the calling thread, [0, whole_length) into *whole (if not
 * NULL), reading each byte from memory once (whole_length >= length).
 * *bytes (if not NULL) is the bytes hashed into blocks[], or without
 * blocks[] into *whole; fn sees both, and a nonzero return of fn stops the
 * job and is returned.  Returns 0, MMBUF_ETRUNCATED if the file ends
 * early, what fn returned, or -errno.
 */
int mmbuf__hash_data(const struct mmbuf__hash_source *src, uint64_t length,
		     uint32_t shift, unsigned threads, uint64_t *blocks,
		     uint64_t *whole, uint64_t whole_length, uint64_t *bytes,
		     mmbuf_progress_fn *fn, void *arg);

/* guard.c */
/*
 * mmbuf_guard() over any range [lo, hi): fn(arg), or MMBUF_ETRUNCATED if
 * an access of fn there raised SIGBUS (the process-wide handler is
 * installed on first use).  Guards are per thread.
 */
int mmbuf__guarded(const void *lo, const void *hi, mmbuf_guarded_fn *fn,
		   void *arg);

/* buffer.c */
/*
 * Commit the header that follows h into its older slot of fd (mmbuf(5),
 * "Committing a header"), and make h that header once its slot is
 * written, even if the sync that durability asks for then fails.  Then
 * wake the waiters through header, a read-only mapping of fd's header
 * pages, or NULL to map them for the occasion.  Returns
 * 0, -errno, or MMBUF_EINCONSISTENT when h has the last generation.
 */
int mmbuf__commit_fd(int fd, const uint8_t *header, mmbuf_info *h,
		     int durability);
/* The generation that the commit after h writes, which a seal records as
 * its checksum's before committing. */
uint64_t mmbuf__next_generation(const mmbuf_info *h);
/* mmbuf__commit_fd() of the handle's header; MMBUF_EBUSY in a child of
 * fork() of the process that opened b (see mmbuf__check_writer()). */
int mmbuf__commit(mmbuf *b, int durability);
/* Whether b is a writer that a child of fork() inherited: the parent is
 * the writer, a commit here would race its commits, and the header is
 * the fork's. */
bool mmbuf__inherited(const mmbuf *b);
/* Whether the calling process may change b: MMBUF_EREADONLY for a reader,
 * MMBUF_EBUSY for an inherited writer, else 0.  What every function that
 * commits checks first. */
int mmbuf__check_writer(const mmbuf *b);
/* The calling process's ID, read once and forgotten at fork(). */
uint32_t mmbuf__self_pid(void);
/* Map the header pages of the handle's file read-only into b->header,
 * if not yet done: for the futex of mmbuf(5), "Waiting for a commit". */
int mmbuf__map_header(mmbuf *b);

/* lock.c: the lock protocol of mmbuf(5). */
int mmbuf__lock_writer(int fd);
int mmbuf__lock_reader(int fd);
int mmbuf__writer_present(int fd);
/* Hold the readers' byte exclusively (MMBUF_EBUSY while any reader, in
 * any process, has the buffer open), and let it go again. */
int mmbuf__lock_readers_out(int fd);
void mmbuf__unlock_readers(int fd);

/* file.c: files, names and mappings, and the system calls on them. */
struct mmbuf__tmpfile {
	int fd;
	char *dir;      /* directory of the target, for fsync */
	char *tmpname;  /* named temporary, or NULL with O_TMPFILE */
};
int mmbuf__open_file(const char *path, bool rw, int *fd, uint64_t *size);
int mmbuf__reopen_file(int fd, bool rw, int *own, uint64_t *size);
int mmbuf__pread_full(int fd, void *buf, size_t n, uint64_t off, size_t *got);
int mmbuf__pwrite_full(int fd, const void *buf, size_t n, uint64_t off);
int mmbuf__tmp_create(const char *path, mode_t mode,
		      struct mmbuf__tmpfile *t);
int mmbuf__replaceable(const char *path);
int mmbuf__tmp_publish(struct mmbuf__tmpfile *t, const char *path,
		       bool replace);
int mmbuf__tmp_sync_dir(const struct mmbuf__tmpfile *t);
void mmbuf__tmp_discard(struct mmbuf__tmpfile *t);
int mmbuf__file_size(int fd, uint64_t *size, uint64_t *allocated);
int mmbuf__truncate(int fd, uint64_t size);
int mmbuf__fsync(int fd);
int mmbuf__fdatasync(int fd);
int mmbuf__allocate(int fd, uint64_t size, bool sparse);
int mmbuf__map(int fd, bool rw, uint64_t offset, uint64_t len, void **addr);
void mmbuf__unmap(void *addr, uint64_t len);
int mmbuf__remap(void **addr, uint64_t old_len, uint64_t new_len);
int mmbuf__madvise(void *addr, uint64_t len, int advice);
int mmbuf__sync_file(int fd, uint64_t off, uint64_t len, int durability);
int mmbuf__msync(void *addr, uint64_t len, int durability, int fd,
		 uint64_t file_offset);
int64_t mmbuf__now_ns(void);
int mmbuf__random(void *buf, size_t n);
/* Waiting for a commit (mmbuf(5), "Waiting for a commit"): futexes on a
 * word of a shared file mapping, where the system has them.  Without
 * them both calls return -ENOSYS and writers clear NOTIFY. */
#if defined(__linux__)
#define MMBUF__HAVE_FUTEX 1
#else
#define MMBUF__HAVE_FUTEX 0
#endif
/* Block while *addr == v, at most timeout_ns (relative, monotonic): 0
 * when woken, -EAGAIN when *addr != v, -ETIMEDOUT, -EINTR, -EFAULT (a
 * page past the end of the file), -ENOSYS. */
int mmbuf__futex_wait(const uint32_t *addr, uint32_t v, int64_t timeout_ns);
/* Wake every process blocked on addr: 0 or -errno. */
int mmbuf__futex_wake(const uint32_t *addr);
int64_t mmbuf__monotonic_ns(void);
void mmbuf__sleep_ns(int64_t ns);

/* The handle. */
struct mmbuf {
	int fd;
	bool writable;
	bool unclean;
	bool writer_active;
	mmbuf_info hdr;       /* the committed header, hdr.slot is current */
	uint8_t *data;        /* the data region, NULL when capacity is 0 */
	/* The header pages, mapped shared and read-only, never loaded from
	 * (a truncated file would fault): only the futex calls use it.
	 * Writers map it at open, readers at their first mmbuf_wait(). */
	const uint8_t *header;
	bool sparse;          /* grow without preallocating (grow.c) */
	/* The process that opened it: a writer inherited by a child of
	 * fork() stays that process's (mmbuf__check_writer()). */
	uint32_t owner;
	double growth;        /* append's growth factor; 0: the default */
	/* Made with MMBUF_CREATE_UNPUBLISHED and not yet published: */
	bool unpublished;
	bool replace;         /* publish by rename, not by link */
	char *path;           /* the name it is to have */
	struct mmbuf__tmpfile tmp;
};

#endif /* MMBUF_INTERNAL_H */
