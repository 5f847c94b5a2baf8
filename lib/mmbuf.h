/*
 * mmbuf.h - persistent off-heap buffers backed by memory-mapped files.
 *
 * This is the only public header of libmmbuf.  The on-disk format is
 * specified in mmbuf(5); the API is described in mmbuf(3).
 *
 * Conventions
 *   - A buffer is an opaque handle, made by mmbuf_create() or mmbuf_open()
 *     and released by mmbuf_close(), which accepts NULL.
 *   - Functions that can fail return int: 0 on success, a negative value on
 *     failure.  A negative errno value (-ENOENT, -EACCES, ...) reports a
 *     system error; values in [MMBUF_ERR_MIN, MMBUF_ERR_MAX] are mmbuf's own
 *     codes (bad magic, checksum, ...).  mmbuf_strerror() and
 *     mmbuf_err_name() describe every code.
 *   - Results come back through out-parameters.
 *   - The library never prints, exits or aborts.  It is thread-compatible:
 *     distinct handles may be used from distinct threads; one handle must
 *     not be used from two threads at once without external locking.
 *   - Public structs can grow without breaking the ABI.  A struct that
 *     the caller allocates (mmbuf_create_opts, mmbuf_info) or indexes in
 *     an array (mmbuf_bad_range) ends with reserved[] fields, where later
 *     versions add fields whose value 0 means what the library does
 *     today: they are 0 in what the library fills in, and a caller zeroes
 *     them (mmbuf_create_opts_init() does) or mmbuf_create() refuses the
 *     options with -EINVAL.  A struct that only the library allocates and
 *     the caller only reads (mmbuf_report) grows at its end.
 *   - Offsets and sizes are 64-bit everywhere.  Data offsets given to the
 *     API (mmbuf_sync, mmbuf_advise, mmbuf_prefault) are relative to the
 *     start of the data region, not to the start of the file.
 */
#ifndef MMBUF_H
#define MMBUF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(MMBUF_BUILDING) && defined(__GNUC__)
#define MMBUF_EXPORT __attribute__((visibility("default")))
#else
#define MMBUF_EXPORT
#endif

/* ------------------------------------------------------------------ */
/* Format constants (see mmbuf(5))                                     */

#define MMBUF_MAGIC "\x8dMMB\r\n\x1a\n" /* 8 bytes, no terminator */
#define MMBUF_MAGIC_LEN 8
#define MMBUF_VERSION_MAJOR 1
#define MMBUF_VERSION_MINOR 0
#define MMBUF_PAGE 4096u          /* header pages are this size */
#define MMBUF_SLOT_SIZE 512u      /* bytes of a header slot */
#define MMBUF_HEADER_SIZE 8192u   /* the two header pages */
#define MMBUF_MAX_DIMS 8
#define MMBUF_LABEL_MAX 255       /* bytes of UTF-8, without terminator */
#define MMBUF_DTYPE_MAX 4         /* e.g. "<c16", without terminator */
#define MMBUF_DATA_OFFSET_MIN 8192u
#define MMBUF_DATA_OFFSET_MAX (2u * 1024 * 1024)

/* Feature flags.  An unknown incompat flag refuses the file, an unknown
 * ro_compat flag allows read-only opens only, an unknown compat flag is
 * ignored. */
#define MMBUF_COMPAT_DATA_CHECKSUM 0x1ull   /* data_checksum fields valid */
#define MMBUF_RO_COMPAT_LOCKING 0x1ull      /* writers take the lock */
#define MMBUF_RO_COMPAT_BLOCK_TABLE 0x2ull  /* block checksum table */
/* The flags this library version implements.  A file with a ro_compat
 * flag outside MMBUF_RO_COMPAT_KNOWN opens read-only only. */
#define MMBUF_COMPAT_KNOWN MMBUF_COMPAT_DATA_CHECKSUM
#define MMBUF_RO_COMPAT_KNOWN \
	(MMBUF_RO_COMPAT_LOCKING | MMBUF_RO_COMPAT_BLOCK_TABLE)
#define MMBUF_INCOMPAT_KNOWN 0x0ull

/* State flags (mmbuf_state()). */
#define MMBUF_STATE_WRITER_OPEN 0x1u  /* a writer has it open, or crashed */
#define MMBUF_STATE_SEALED 0x2u       /* the data checksum is current */
#define MMBUF_STATE_KNOWN (MMBUF_STATE_WRITER_OPEN | MMBUF_STATE_SEALED)

/* ------------------------------------------------------------------ */
/* Errors                                                              */

/*
 * mmbuf's own error codes: XX(NAME, value, message).  Each expands to
 * MMBUF_E<NAME>.  System errors are reported as -errno instead.
 */
#define MMBUF_ERROR_MAP(XX)                                                 \
	XX(MAGIC, -10001, "not an mmbuf buffer file (bad magic)")           \
	XX(CHECKSUM, -10002, "header checksum mismatch")                    \
	XX(TORN, -10003, "torn header slot (generation copies differ)")     \
	XX(VERSION, -10004, "unsupported format version")                   \
	XX(FEATURE, -10005, "unsupported incompatible feature")             \
	XX(ROFEATURE, -10006,                                               \
	   "unsupported read-only-compatible feature: open read-only")     \
	XX(TRUNCATED, -10007, "file is truncated")                          \
	XX(INCONSISTENT, -10008, "inconsistent header")                     \
	XX(NOTREG, -10009, "not a regular file")                            \
	XX(BUSY, -10010, "buffer is busy: another writer has it open")      \
	XX(READONLY, -10011, "buffer is open read-only")                    \
	XX(DTYPE, -10012, "invalid dtype")                                  \
	XX(SHAPE, -10013, "shape does not fit the capacity")                \
	XX(LABEL, -10014, "label is too long or not UTF-8")                 \
	XX(LENGTH, -10015, "length exceeds the capacity")                   \
	XX(ALIGN, -10016, "alignment must be a power of two up to 2 MiB")   \
	XX(READLOCK, -10017,                                                \
	   "buffer is busy: a read lock on it keeps writers out")

enum mmbuf_error {
#define MMBUF_ERROR_ENUM_(name, value, msg) MMBUF_E##name = (value),
	MMBUF_ERROR_MAP(MMBUF_ERROR_ENUM_)
#undef MMBUF_ERROR_ENUM_
	MMBUF_ERR_MIN = -10099,
	MMBUF_ERR_MAX = -10000
};

/*
 * mmbuf_strerror - a message for any value returned by this library.
 * Covers 0 ("success"), every MMBUF_E* code and every -errno value.
 * Returns a static string; never NULL.  Thread-safe.
 */
MMBUF_EXPORT const char *mmbuf_strerror(int err);

/*
 * mmbuf_err_name - the symbolic name of a code: "MMBUF_EMAGIC", "ENOENT",
 * "OK" for 0, "UNKNOWN" for a value that is neither.  Static; never NULL.
 */
MMBUF_EXPORT const char *mmbuf_err_name(int err);

/* ------------------------------------------------------------------ */
/* The header, decoded                                                 */

/*
 * The decoded contents of one header slot plus what validation found.
 * Filled by mmbuf_validate_header() and mmbuf_get_info().
 */
typedef struct mmbuf_info {
	uint64_t generation;
	uint16_t version_major, version_minor;
	uint64_t compat, ro_compat, incompat;
	uint8_t uuid[16];
	int64_t ctime_ns, mtime_ns;     /* nanoseconds since the Unix epoch */
	uint64_t data_offset;           /* file offset of the data region */
	uint64_t capacity;              /* bytes in the data region */
	uint64_t length;                /* committed bytes in use */
	uint64_t file_size;             /* expected size of the file */
	uint32_t state;                 /* MMBUF_STATE_* */
	uint32_t writer_pid;            /* last writer, for diagnosis only */
	char dtype[MMBUF_DTYPE_MAX + 1];/* e.g. "<f8", NUL-terminated */
	uint32_t itemsize;              /* bytes of one element */
	uint32_t ndim;                  /* 0 to MMBUF_MAX_DIMS */
	uint64_t shape[MMBUF_MAX_DIMS]; /* unused dimensions are 0 */
	char label[MMBUF_LABEL_MAX + 1];/* UTF-8, NUL-terminated */
	uint64_t data_checksum;         /* XXH3-64, valid with COMPAT_DATA_CHECKSUM */
	uint64_t checksum_generation;   /* generation the checksum was made at */
	uint32_t block_shift;           /* log2 of the table's block size */
	uint64_t table_offset, table_size; /* block checksum table, or 0 */
	int slot;                       /* the slot this came from: 0 or 1 */
	int slot_status[2];             /* 0, or the MMBUF_E* code of a slot */
	uint64_t reserved[8];           /* 0: room for fields to come */
} mmbuf_info;

/*
 * mmbuf_validate_header - validate and decode the header of a buffer file.
 *
 * A pure function over bytes, with no I/O: tests and fuzzers call it
 * directly.  bytes holds the first len bytes of the file (at most
 * MMBUF_HEADER_SIZE are looked at); file_size is the size of the whole file.
 * Both slots are checked; the intact slot with the higher generation is
 * decoded into *out (which may be NULL), with out->slot naming it and
 * out->slot_status[] telling what was found in each slot.
 *
 * Returns 0, or MMBUF_EMAGIC, MMBUF_ECHECKSUM, MMBUF_ETORN, MMBUF_EVERSION,
 * MMBUF_EFEATURE, MMBUF_ETRUNCATED or MMBUF_EINCONSISTENT.  An unknown
 * ro_compat feature is not an error here: mmbuf_open() refuses it for
 * writing.  On error *out holds the slot statuses and nothing else.
 */
MMBUF_EXPORT int mmbuf_validate_header(const void *bytes, size_t len,
				       uint64_t file_size, mmbuf_info *out);

/* ------------------------------------------------------------------ */
/* Element types                                                       */

/*
 * mmbuf_dtype_parse - check and normalise a type string.
 * Accepts "<f8", ">i4", "|u1", "=f4" (native order) and bare codes such as
 * "f8" (little-endian).  Codes: b1 u1 i1 u2 i2 u4 i4 u8 i8 f2 f4 f8 c8 c16.
 * Writes the canonical form ('<' or '>' + code; always '<' for the
 * one-byte types b1, u1 and i1) to canon (at least
 * MMBUF_DTYPE_MAX + 1 bytes, may be NULL) and the item size to *itemsize
 * (may be NULL).  Returns 0 or MMBUF_EDTYPE.
 */
MMBUF_EXPORT int mmbuf_dtype_parse(const char *dtype, char *canon,
				   uint32_t *itemsize);

/*
 * mmbuf_dtype_check - whether dtype is valid as the dtype field of a header
 * slot (mmbuf(5), "Element types"): '<' or '>' followed by a code.  That is
 * narrower than what mmbuf_dtype_parse() accepts ("=f8", "|u1" and "f8"
 * are not stored forms).  Writers store '<' for the one-byte types, but
 * '>' is accepted there too, as readers accept it.  Sets *itemsize (may be
 * NULL) and returns 0, or returns MMBUF_EDTYPE.
 */
MMBUF_EXPORT int mmbuf_dtype_check(const char *dtype, uint32_t *itemsize);

/* ------------------------------------------------------------------ */
/* Text                                                                */

/*
 * mmbuf_utf8_decode - the UTF-8 sequence at the start of the n bytes at s,
 * decoded strictly as labels are checked (RFC 3629; mmbuf(5), "Label"):
 * no overlong forms, no surrogates (U+D800 to U+DFFF), nothing above
 * U+10FFFF, no truncated sequence.  Returns its length, 1 to 4, and sets
 * *cp (may be NULL) to its code point; or returns -EILSEQ when s does not
 * start with a valid sequence (also for n == 0), and then a caller that
 * shows the text substitutes U+FFFD for the byte s[0] and goes on at
 * s + 1.  A pure function, safe on any bytes.
 */
MMBUF_EXPORT int mmbuf_utf8_decode(const void *s, size_t n, uint32_t *cp);

/* ------------------------------------------------------------------ */
/* Creating and opening                                                */

typedef struct mmbuf mmbuf;

/* Create flags. */
#define MMBUF_CREATE_SPARSE 0x1u   /* do not preallocate the data region */
#define MMBUF_CREATE_REPLACE 0x2u  /* atomically replace an existing file */
#define MMBUF_CREATE_UNPUBLISHED 0x4u /* give it its name at mmbuf_publish() */
#define MMBUF_CREATE_MODE 0x8u     /* opts.mode as given, even 0 */

/* opts.length value meaning "the whole capacity is in use". */
#define MMBUF_LENGTH_CAPACITY UINT64_MAX

typedef struct mmbuf_create_opts {
	uint64_t capacity;     /* bytes of the data region (default 0) */
	uint64_t length;       /* initial length; default MMBUF_LENGTH_CAPACITY */
	const char *dtype;     /* NULL means "<u1" */
	uint32_t ndim;         /* 0: a flat buffer of capacity / itemsize */
	uint64_t shape[MMBUF_MAX_DIMS];
	const char *label;     /* NULL means "" */
	uint64_t align;        /* data alignment, power of two; 0: 4096 */
	unsigned flags;        /* MMBUF_CREATE_* */
	mode_t mode;           /* permissions before umask; 0 means 0666
				  unless MMBUF_CREATE_MODE is set */
	uint64_t reserved[8];  /* must be 0: room for options to come */
} mmbuf_create_opts;

/* mmbuf_create_opts_init - fill *opts with the defaults, reserved[] with
 * zeros.  Call it first, then set the fields you need: a program so
 * written keeps today's behaviour when a later version adds options. */
MMBUF_EXPORT void mmbuf_create_opts_init(mmbuf_create_opts *opts);

/*
 * mmbuf_create - create a buffer file and open it for reading and writing.
 *
 * The data region is preallocated on disk (posix_fallocate) unless
 * MMBUF_CREATE_SPARSE is set, so stores through the mapping cannot fail for
 * lack of space.  The data starts at the smallest multiple of opts->align
 * that is at least 8192; opts->align must be a power of two from 1 to 2 MiB.
 * The new data reads as zeros.  With ndim > 0, product(shape) * itemsize
 * must not exceed the capacity.
 *
 * Creation is atomic: the file is built under no name (O_TMPFILE) or under
 * a temporary name in the same directory, synced, then linked into place
 * and the directory synced.  Without MMBUF_CREATE_REPLACE an existing path
 * is never touched and the call fails with -EEXIST.  With it, only a
 * regular file is replaced: anything else at path (a symbolic link, even
 * to a regular file, a directory, a device, a FIFO, a socket) is left as
 * it is and the call fails with MMBUF_ENOTREG.  A crash at any moment
 * leaves the path either absent (or as it was) or a complete buffer.
 *
 * The file gets opts->mode, less the umask: 0666 when opts->mode is 0,
 * unless MMBUF_CREATE_MODE is set, which makes opts->mode the mode as
 * given, 0 included (a file that only the root user can open again).
 *
 * With MMBUF_CREATE_UNPUBLISHED the file is not put in place yet: the
 * buffer can be filled, committed, resized and sealed under no name, and
 * mmbuf_publish() names it; mmbuf_close() before that discards it.  So a
 * writer killed before it is done leaves nothing behind (with O_TMPFILE;
 * a filesystem without it holds the file under a hidden temporary name
 * meanwhile, ".NAME.mmbuf-XXXXXXXXXXXX", which a kill leaves behind).
 *
 * On success *out is a read-write handle holding the writer lock.
 * Returns 0, a negative errno (-EEXIST, -ENOSPC, -EACCES, -EOPNOTSUPP when
 * the filesystem cannot preallocate: ask for a sparse buffer there,
 * -EINVAL for an unknown flag or a nonzero reserved[] field, ...),
 * MMBUF_ENOTREG (a replace of what is
 * not a regular file), or MMBUF_EDTYPE, MMBUF_ESHAPE, MMBUF_ELABEL,
 * MMBUF_ELENGTH, MMBUF_EALIGN.  On failure *out is NULL and nothing is
 * left behind.
 */
MMBUF_EXPORT int mmbuf_create(const char *path, const mmbuf_create_opts *opts,
			      mmbuf **out);

/*
 * mmbuf_publish - put a buffer made with MMBUF_CREATE_UNPUBLISHED in place
 * under the path it was created with: sync the file (data and header),
 * then link it there (or, with MMBUF_CREATE_REPLACE, rename it over what
 * is there, atomically), and sync the directory.  The handle stays open
 * for writing, as after a plain mmbuf_create().
 *
 * Returns 0; -EINVAL if the buffer is not awaiting publication; -EEXIST
 * if the path exists and MMBUF_CREATE_REPLACE was not given; MMBUF_ENOTREG
 * if it was given and the path is not a regular file (checked right
 * before the rename, see mmbuf_create()); or another negative errno.
 * On those errors the buffer is still unpublished and the path untouched:
 * mmbuf_close() discards it (a second mmbuf_publish() may fail with
 * -ENOENT if the first got as far as a temporary name).  An error from
 * syncing the directory is returned after the buffer is in place: it is
 * then published, only its name might not survive a power loss.
 */
MMBUF_EXPORT int mmbuf_publish(mmbuf *buf);

/* Open flags. */
#define MMBUF_RDONLY 0x0u
#define MMBUF_RDWR 0x1u

/*
 * mmbuf_open - open an existing buffer file.
 *
 * Everything is validated before anything is mapped: the file type, both
 * header slots (magic, checksum, generation copies), version and features,
 * the fields, and the file size against the expected size, so a truncated
 * file is an error and never a SIGBUS.  If one slot is damaged the buffer
 * opens from the other: mmbuf_slot_status() tells which.
 *
 * MMBUF_RDWR takes the writer lock without waiting: if another handle, in
 * any process, has the buffer open for writing the call fails at once with
 * MMBUF_EBUSY.  The locks are advisory: any process that can read the file
 * can hold a read lock on the writer's byte (mmbuf(5), "Locking") and so
 * keep every writer out; the call then fails with MMBUF_EREADLOCK.  Once
 * it has the lock it commits the "writer open" state (and clears
 * MMBUF_STATE_SEALED) durably before returning.  If the previous writer
 * did not close cleanly the open succeeds and mmbuf_unclean() returns 1.
 *
 * Returns 0, a negative errno, MMBUF_ENOTREG, MMBUF_EBUSY, MMBUF_EREADLOCK
 * and MMBUF_EROFEATURE (for MMBUF_RDWR), or any error of
 * mmbuf_validate_header().  On failure *out is NULL.
 */
MMBUF_EXPORT int mmbuf_open(const char *path, unsigned flags, mmbuf **out);

/*
 * mmbuf_open_fd - open, as mmbuf_open() does, the buffer file that the
 * descriptor fd refers to, whatever name it has now, or none: the way to
 * write into the very file a program opened earlier, even if its name has
 * since been given to another file (a replace by mmbuf_create()).
 *
 * fd is neither used for I/O, nor kept, nor closed: the file is opened
 * anew through /proc/self/fd/FD (/dev/fd/FD on systems without /proc), so
 * the handle has an open file description of its own, and with it locks
 * of its own (the locks of mmbuf(5) belong to the open file description;
 * a duplicate of fd would share them with fd).  The caller may close fd at
 * any time.  fd may be open for reading only: MMBUF_RDWR needs permission
 * to write the file now, as an open by name would.  The checks, the
 * locking and the commit of MMBUF_RDWR are those of mmbuf_open().
 *
 * Returns what mmbuf_open() returns, and -EBADF if fd is not an open
 * descriptor, MMBUF_ENOTREG if it is not a regular file, -ENOENT if /proc
 * is not mounted.  On failure *out is NULL.
 */
MMBUF_EXPORT int mmbuf_open_fd(int fd, unsigned flags, mmbuf **out);

/*
 * mmbuf_close - commit the clean state, sync, unmap and close.
 *
 * For a writer: syncs the data region, then commits the header with the
 * "writer open" state cleared, durably (twice for a sealed buffer, so that
 * both slots hold the clean, sealed state), then releases the lock.  Every
 * step is attempted; the first error is returned, and the handle is freed
 * in every case.  Pointers from mmbuf_data() become invalid.  Accepts NULL
 * (returns 0).  A buffer made with MMBUF_CREATE_UNPUBLISHED and never
 * published is discarded instead: nothing is synced, the file goes, and 0
 * is returned.
 */
MMBUF_EXPORT int mmbuf_close(mmbuf *buf);

/* ------------------------------------------------------------------ */
/* Access                                                              */

/*
 * mmbuf_data - the start of the data region in memory, or NULL when the
 * capacity is 0.  Writable only for a MMBUF_RDWR handle (writes through a
 * read-only handle fault).  The pointer stays valid until mmbuf_close()
 * or a call that may move it: mmbuf_resize(), mmbuf_append(),
 * mmbuf_reserve() (when they grow the buffer) and mmbuf_refresh() (when
 * the writer changed the capacity).
 * Writes become visible to other processes at once and durable after
 * mmbuf_sync() or mmbuf_close().
 */
MMBUF_EXPORT void *mmbuf_data(const mmbuf *buf);

MMBUF_EXPORT uint64_t mmbuf_capacity(const mmbuf *buf);
MMBUF_EXPORT uint64_t mmbuf_length(const mmbuf *buf);
/* The canonical type string, e.g. "<f8"; valid until mmbuf_close(). */
MMBUF_EXPORT const char *mmbuf_dtype(const mmbuf *buf);
MMBUF_EXPORT uint32_t mmbuf_itemsize(const mmbuf *buf);
/* The shape: ndim is returned, the dimensions stay valid until close. */
MMBUF_EXPORT uint32_t mmbuf_shape(const mmbuf *buf, const uint64_t **dims);
/* The label, NUL-terminated; valid until the next mmbuf_set_label(). */
MMBUF_EXPORT const char *mmbuf_label(const mmbuf *buf);
/* The 16 bytes of the UUID; valid until mmbuf_close(). */
MMBUF_EXPORT const uint8_t *mmbuf_uuid(const mmbuf *buf);
MMBUF_EXPORT uint64_t mmbuf_generation(const mmbuf *buf);
/* MMBUF_STATE_* flags as they were read at open or last committed. */
MMBUF_EXPORT unsigned mmbuf_state(const mmbuf *buf);
/* 1 for a read-write handle, 0 for a read-only one. */
MMBUF_EXPORT int mmbuf_writable(const mmbuf *buf);

/*
 * mmbuf_slot_status - what open found in header slot 0 or 1: 0 if the slot
 * is intact, else the MMBUF_E* code of its damage.  -EINVAL for another
 * slot number.
 */
MMBUF_EXPORT int mmbuf_slot_status(const mmbuf *buf, int slot);

/*
 * mmbuf_unclean - 1 if the last writer did not close cleanly (it crashed
 * or was killed while it had the buffer open), else 0.  A writer that is
 * still running is not unclean: see mmbuf_writer_active().
 */
MMBUF_EXPORT int mmbuf_unclean(const mmbuf *buf);

/* mmbuf_writer_active - for a read-only handle, 1 if a writer held the
 * lock when it was opened; always 0 for a read-write handle. */
MMBUF_EXPORT int mmbuf_writer_active(const mmbuf *buf);

/* mmbuf_get_info - copy the whole decoded header into *out. */
MMBUF_EXPORT void mmbuf_get_info(const mmbuf *buf, mmbuf_info *out);

/* ------------------------------------------------------------------ */
/* Commit, sync, advice                                                */

/*
 * Every call that commits a header (an open for writing, mmbuf_close() of
 * a writer, mmbuf_set_length(), mmbuf_set_label(), mmbuf_append(),
 * mmbuf_commit_reserved(), mmbuf_resize(), mmbuf_seal(), mmbuf_repair())
 * writes the next generation into the older slot with pwrite(2), setting
 * MMBUF_RO_COMPAT_LOCKING, since this library takes the locks of mmbuf(5).
 * It fails with MMBUF_EINCONSISTENT, writing nothing, when the generation
 * is already 2^64 - 1, the last one: a commit would wrap it to 0.  Such a
 * file can still be opened read-only and copied into a new buffer.
 */

/* Durability of a commit or sync. */
enum mmbuf_durability {
	MMBUF_DURABLE_NONE = 0,  /* in the page cache: survives a process crash */
	MMBUF_DURABLE_ASYNC = 1, /* writeback started, not waited for */
	MMBUF_DURABLE_SYNC = 2   /* on stable storage when the call returns */
};

/*
 * mmbuf_set_length - commit a new length (at most the capacity).
 *
 * The header is written into the older slot with generation + 1; the
 * current slot is not touched.  With MMBUF_DURABLE_SYNC the data [0,
 * length) is synced first, then the header page, so after a power loss the
 * committed length never covers unsynced data.  A change of length clears
 * MMBUF_STATE_SEALED.  Returns 0, MMBUF_EREADONLY, MMBUF_ELENGTH, -EINVAL
 * for a bad durability, or a negative errno from msync.
 */
MMBUF_EXPORT int mmbuf_set_length(mmbuf *buf, uint64_t length, int durability);

/*
 * mmbuf_set_label - commit a new label (UTF-8, at most MMBUF_LABEL_MAX
 * bytes).  Returns 0, MMBUF_EREADONLY, MMBUF_ELABEL, -EINVAL or -errno.
 */
MMBUF_EXPORT int mmbuf_set_label(mmbuf *buf, const char *label, int durability);

/*
 * mmbuf_sync - write back the data range [offset, offset + len); len 0
 * means "to the end of the capacity".  MMBUF_DURABLE_SYNC waits for stable
 * storage, MMBUF_DURABLE_ASYNC starts writeback, MMBUF_DURABLE_NONE does
 * nothing.  Page alignment is handled here.  Returns 0, -EINVAL for a range
 * outside the capacity or a bad durability, or -errno.
 */
MMBUF_EXPORT int mmbuf_sync(mmbuf *buf, uint64_t offset, uint64_t len,
			    int durability);

/*
 * mmbuf_write - copy len bytes from src into the data region at offset,
 * with pwrite(2) on the file rather than stores through the mapping.
 *
 * The fastest way to fill a fresh buffer with bytes you already have: the
 * pages are written whole, so the kernel neither faults them in nor zeroes
 * them first.  The mapping sees the bytes at once (one page cache).  It
 * does not change the length: commit that with mmbuf_set_length().  On a
 * sparse buffer a full disk is reported as -ENOSPC here, where a store
 * through the mapping would raise SIGBUS.  Returns 0, MMBUF_EREADONLY,
 * -EINVAL for a range outside the capacity, or -errno (-ENOSPC, -EIO, ...);
 * after an error some of the bytes may have been written.
 */
MMBUF_EXPORT int mmbuf_write(mmbuf *buf, uint64_t offset, const void *src,
			     size_t len);

/* Advice for mmbuf_advise(). */
enum mmbuf_advice {
	MMBUF_ADVICE_NORMAL = 0,
	MMBUF_ADVICE_SEQUENTIAL = 1,
	MMBUF_ADVICE_RANDOM = 2,
	MMBUF_ADVICE_WILLNEED = 3,
	MMBUF_ADVICE_DONTNEED = 4,  /* drop the pages; data is kept in the file */
	MMBUF_ADVICE_HUGEPAGE = 5   /* -EINVAL where the kernel lacks it */
};

/*
 * mmbuf_advise - give the kernel advice about a data range (len 0: to the
 * end).  Returns 0, -EINVAL, or -errno from madvise.
 */
MMBUF_EXPORT int mmbuf_advise(mmbuf *buf, uint64_t offset, uint64_t len,
			      int advice);

/*
 * mmbuf_prefault - populate the page tables of a data range (len 0: to the
 * end) up front, so later accesses take no page faults: writable for a
 * read-write handle, readable otherwise.  Uses MADV_POPULATE_WRITE/READ
 * where the kernel has them and touches each page otherwise.  Returns 0,
 * -EINVAL, or -errno (for instance -EFAULT if the file shrank under us).
 */
MMBUF_EXPORT int mmbuf_prefault(mmbuf *buf, uint64_t offset, uint64_t len);

/*
 * The producer of mmbuf_fill(): write the len bytes that belong at the
 * data range [offset, offset + len) to dst, a buffer of the library's
 * (not the mapping; its previous contents are undefined).  Return 0 to
 * go on; any other value stops the fill and is what mmbuf_fill() returns
 * (use a negative value: 0 means success to the caller).
 */
typedef int mmbuf_fill_fn(void *dst, uint64_t offset, size_t len, void *arg);

/*
 * mmbuf_fill - fill a data range (len 0: to the end) on several threads,
 * with bytes that can be produced in parallel (copied from memory,
 * computed, read).  The pages are written whole, as by mmbuf_write(), so
 * they are not zeroed first.  The threads produce the bytes in parallel;
 * the writes themselves may not overlap (Linux serializes buffered
 * writes to one file on ext4 and xfs), so when producing costs little (a
 * copy), one mmbuf_write() of the whole range is as fast or faster.
 *
 * The range is cut into one contiguous slice per thread (`threads`
 * threads, the caller's included; 0: one per online CPU; a range under
 * 32 MiB per thread uses fewer, down to the caller alone).  Each thread
 * works through its slice in pieces of at most 256 KiB, in increasing
 * order: fn produces a piece into a buffer of the thread, and the thread
 * writes it to the file with pwrite(2).  fn is therefore called
 * concurrently from several threads, for disjoint pieces that together
 * cover the range exactly once; it must be thread-safe and must not call
 * into buf.  The mapping sees the bytes at once (one page cache).
 *
 * Like mmbuf_write(), it does not change the length (commit that with
 * mmbuf_set_length()), and the bytes become durable with mmbuf_sync() or
 * mmbuf_close(); on a sparse buffer a full disk is -ENOSPC here, not a
 * SIGBUS.  Returns 0, MMBUF_EREADONLY, -EINVAL (a range outside the
 * capacity, or fn NULL), the first nonzero value fn returned, or -errno
 * (-ENOSPC, -EIO, -ENOMEM, ...).  After an error the other threads stop
 * at their next piece; some of the range may have been written.
 */
MMBUF_EXPORT int mmbuf_fill(mmbuf *buf, uint64_t offset, uint64_t len,
			    unsigned threads, mmbuf_fill_fn *fn, void *arg);

/* ------------------------------------------------------------------ */
/* Checksums: seal and verify                                          */

/*
 * Progress.  Every call that may take long (mmbuf_seal(), mmbuf_verify(),
 * mmbuf_verify_path()) takes a progress callback and its argument, after
 * `threads`; NULL for none.  The callback gets done of total bytes (for
 * the checksums: bytes hashed).  It is called from the thread that made
 * the call, never from a worker, about once per block and a last time
 * with done == total, and must not call into the handle being worked on.
 */
typedef void mmbuf_progress_fn(uint64_t done, uint64_t total, void *arg);

/* The default block size of the block checksum table: 1 MiB. */
#define MMBUF_BLOCK_SHIFT_DEFAULT 20
#define MMBUF_BLOCK_SHIFT_MIN 12
#define MMBUF_BLOCK_SHIFT_MAX 30

/*
 * mmbuf_checksum - the data checksum of mmbuf(5): XXH3-64 with seed 0 of
 * len bytes.  For other implementations (Python through ctypes) that want
 * to check a buffer without their own XXH3.
 */
MMBUF_EXPORT uint64_t mmbuf_checksum(const void *data, size_t len);

/*
 * mmbuf_seal - compute and store the checksums of the contents [0, length).
 *
 * progress (may be NULL) is called with arg as mmbuf_progress_fn says.
 * Syncs the data, then computes the XXH3-64 of data [0, length) and of each
 * block of 2^block_shift bytes (0 means MMBUF_BLOCK_SHIFT_DEFAULT; else
 * MMBUF_BLOCK_SHIFT_MIN to MMBUF_BLOCK_SHIFT_MAX), hashing blocks on
 * `threads` threads (0: one per online CPU).  The data is read with
 * pread(2), so a file that shrinks under us is an error, not a SIGBUS.
 * The block table is written after the data region (mmbuf(5), "Block
 * checksum table") and synced; then one durable commit stores the
 * checksum, the table's place, and sets MMBUF_STATE_SEALED.  A crash
 * before that commit leaves the previous header in force.
 *
 * Sealing again a buffer that this handle sealed first commits it
 * unsealed, as its table is about to be overwritten: a failure on the way
 * leaves it "modified", never sealed over a table that does not match.
 * The seal stays current until the buffer is opened for writing again or
 * its length changes; this handle may keep writing, but must not store
 * into [0, length) after sealing (mmbuf(5)).  Returns 0, MMBUF_EREADONLY,
 * -EINVAL (block_shift), MMBUF_ETRUNCATED (the file shrank), or -errno
 * (-ENOSPC for the table, -EIO, -ENOMEM, ...).
 */
MMBUF_EXPORT int mmbuf_seal(mmbuf *buf, uint32_t block_shift, unsigned threads,
			    mmbuf_progress_fn *progress, void *arg);

/* The verdict of a verification, ordered from good to bad. */
enum mmbuf_verdict {
	MMBUF_VERDICT_OK = 0,          /* the data matches its seal */
	MMBUF_VERDICT_UNVERIFIABLE = 1,/* consistent, but no current seal */
	MMBUF_VERDICT_CORRUPT = 2,     /* damage found */
	MMBUF_VERDICT_FAILED = 3       /* could not check */
};

/* Why a consistent buffer could not be verified (report->reason). */
enum mmbuf_unverifiable {
	MMBUF_REASON_NONE = 0,
	MMBUF_REASON_NEVER_SEALED = 1,   /* no checksum was ever stored */
	MMBUF_REASON_MODIFIED = 2,       /* opened for writing since the seal */
	MMBUF_REASON_WRITER_OPEN = 3,    /* a writer has it open now */
	MMBUF_REASON_UNCLEAN = 4         /* the last writer crashed */
};

/* A run of damaged blocks: data bytes [offset, end). */
typedef struct mmbuf_bad_range {
	uint64_t first_block, last_block;  /* inclusive */
	uint64_t offset, end;
	uint64_t reserved[2];              /* 0: room for fields to come */
} mmbuf_bad_range;

/* What mmbuf_verify() found.  Allocated by the library only, freed by
 * mmbuf_report_free(); later versions may add fields at its end. */
typedef struct mmbuf_report {
	int verdict;             /* enum mmbuf_verdict */
	int reason;              /* enum mmbuf_unverifiable, for UNVERIFIABLE */
	int error;               /* 0, or what made the header unusable, the
				  * check fail, or the file shrink */
	int slot;                /* slot in use, or -1 */
	int slot_status[2];      /* 0, or the MMBUF_E* damage of each slot */
	uint32_t state;          /* MMBUF_STATE_* of the slot in use */
	uint64_t generation;
	uint64_t file_size;      /* actual size of the file */
	uint64_t expected_size;  /* file_size of the header, 0 if unknown */
	uint64_t length;
	uint64_t block_size;     /* 0 without a block table */
	uint64_t blocks;         /* blocks covering [0, length) */
	uint64_t checksum_generation;
	uint64_t bytes_checked;  /* data bytes hashed and compared */
	int checksum_ok;         /* whole-data checksum: 1 ok, 0 bad, -1 not
				  * checked (the block table was used) */
	size_t nbad;             /* damaged block runs, in bad[] */
	mmbuf_bad_range *bad;
} mmbuf_report;

/*
 * mmbuf_verify_path - verify a buffer file without opening it as a buffer:
 * both header slots, the file size, the state, and, when the buffer is
 * sealed and the seal is current, every block of the data against the
 * block table (or the whole data against the data checksum), on `threads`
 * threads (0: one per online CPU), reading with pread(2).
 *
 * Damage in either slot, a truncated file or a mismatching block is
 * MMBUF_VERDICT_CORRUPT, with one exception: when the last writer crashed
 * (MMBUF_REASON_UNCLEAN) and the older slot fails its checksum or its
 * generation copies disagree, that is the commit the crash cut short, and
 * the verdict stays MMBUF_VERDICT_UNVERIFIABLE (slot_status[] and error
 * still name the slot).  A file that is not a buffer file, cannot be read,
 * or hits an I/O error is MMBUF_VERDICT_FAILED with report->error set.
 * progress (may be NULL) reports the data check, as mmbuf_progress_fn
 * says.  Returns 0 with *out set whatever the verdict, -EINVAL (out
 * NULL), or -ENOMEM (*out NULL).
 */
MMBUF_EXPORT int mmbuf_verify_path(const char *path, unsigned threads,
				   mmbuf_progress_fn *progress, void *arg,
				   mmbuf_report **out);

/* mmbuf_verify - the same for an open handle (its file and its header). */
MMBUF_EXPORT int mmbuf_verify(const mmbuf *buf, unsigned threads,
			      mmbuf_progress_fn *progress, void *arg,
			      mmbuf_report **out);

/* mmbuf_report_free - free a report; accepts NULL. */
MMBUF_EXPORT void mmbuf_report_free(mmbuf_report *report);

/* mmbuf_repair() flags. */
#define MMBUF_REPAIR_DRY_RUN 0x1u  /* find what to repair, write nothing */

/*
 * mmbuf_repair - rewrite a damaged header slot from the intact one.
 *
 * Takes the writer lock (MMBUF_EBUSY if a writer has the buffer open,
 * MMBUF_EREADLOCK if a read lock keeps writers out, as for mmbuf_open()),
 * validates the header as mmbuf_open() does, and if one slot is damaged,
 * writes the current state into it as the next generation, by the commit
 * protocol of mmbuf(5): the intact slot is not touched, every field
 * (seal, state, length) is kept, the data is never read nor written.  The
 * page is synced before the call returns.  *repaired (may be NULL) is set
 * to the slot repaired, or that would be with MMBUF_REPAIR_DRY_RUN, or -1
 * when both slots are intact.  Returns 0, MMBUF_EBUSY, MMBUF_EREADLOCK, an
 * error of mmbuf_validate_header() when no slot can serve (nothing is
 * written then), or -errno.
 */
MMBUF_EXPORT int mmbuf_repair(const char *path, unsigned flags, int *repaired);

/* ------------------------------------------------------------------ */
/* Growth: resize, append, and readers that follow a writer            */

/* mmbuf_resize() flags. */
#define MMBUF_RESIZE_SPARSE 0x1u  /* do not preallocate the new space */

/*
 * mmbuf_resize - change the capacity of the data region, in either
 * direction, committing the new header durably.
 *
 * Growing extends the file first, preallocating the new space with
 * posix_fallocate (as mmbuf_create does) unless the buffer is sparse (made
 * with MMBUF_CREATE_SPARSE, or opened from a file with fewer blocks than
 * bytes) or MMBUF_RESIZE_SPARSE is given; the new bytes read as zeros.
 * Shrinking requires length <= capacity (else MMBUF_ELENGTH) and the shape
 * to fit (else MMBUF_ESHAPE), and is refused with MMBUF_EBUSY while any
 * other handle, in any process, has the buffer open, readers included.
 * A block checksum table is dropped (the seal's whole-data checksum
 * stays).  A crash at any point leaves the old or the new capacity, and a
 * file at least as long as the header says.
 *
 * The data pointer may move: pointers from mmbuf_data() before the call
 * are invalid after it, whatever it returned.  Returns 0, MMBUF_EREADONLY,
 * MMBUF_ELENGTH, MMBUF_ESHAPE, MMBUF_EBUSY, -EINVAL (bad flags), -EFBIG,
 * or -errno (-ENOSPC, ...); after -ENOSPC and the like the buffer keeps
 * its old capacity.
 */
MMBUF_EXPORT int mmbuf_resize(mmbuf *buf, uint64_t capacity, unsigned flags);

/*
 * mmbuf_append - copy n bytes to the end of the contents, [length, length
 * + n), growing the capacity when needed, and commit the new length with
 * the given durability (as mmbuf_set_length does: with MMBUF_DURABLE_SYNC
 * the data reaches the disk before the header that covers it).  Readers
 * see only committed lengths.  The bytes are written with pwrite(2), as
 * mmbuf_write() does: no page faults, and a full disk is -ENOSPC even on
 * a sparse buffer.
 *
 * The capacity grows geometrically, by the growth factor (default 2, see
 * mmbuf_set_growth()), to at least 64 KiB and whole pages, so n appends
 * cost O(log n) resizes.  A growth moves the data pointer, as
 * mmbuf_resize() does.  Returns 0, MMBUF_EREADONLY, -EINVAL, or an error
 * of mmbuf_resize() or mmbuf_set_length(); on error the length is
 * unchanged.
 */
MMBUF_EXPORT int mmbuf_append(mmbuf *buf, const void *src, size_t n,
			      int durability);

/*
 * mmbuf_reserve - make room for n bytes after the length, growing as
 * mmbuf_append() does, and point *ptr at them (data + length), so they can
 * be written in place.  Nothing is committed: mmbuf_commit_reserved()
 * does that.  *ptr stays valid until the next call that may move the data
 * pointer.  Returns 0 or an error of mmbuf_append() (*ptr NULL).
 */
MMBUF_EXPORT int mmbuf_reserve(mmbuf *buf, size_t n, void **ptr);

/*
 * mmbuf_commit_reserved - commit length + n, after the bytes reserved by
 * mmbuf_reserve() have been written.  Returns 0, MMBUF_EREADONLY,
 * MMBUF_ELENGTH (past the capacity), or an error of mmbuf_set_length().
 */
MMBUF_EXPORT int mmbuf_commit_reserved(mmbuf *buf, size_t n, int durability);

/*
 * mmbuf_set_growth - the factor by which mmbuf_append() and
 * mmbuf_reserve() multiply the capacity when they must grow it: from
 * 1.0625 to 16 (default 2).  Returns 0 or -EINVAL.
 */
MMBUF_EXPORT int mmbuf_set_growth(mmbuf *buf, double factor);

/*
 * mmbuf_refresh - for a read-only handle, catch up with the writer: read
 * the header again and, if its generation changed, take the new state
 * (length, label, state...) and remap the data region if the capacity
 * changed (the data pointer may then move).  Cheap when nothing changed:
 * one fstat and one pread of the header pages.
 *
 * A slot is accepted only when its checksum and both copies of its
 * generation agree; when a commit in flight makes the read fail, or the
 * read mixes an old copy of one slot with the other torn (a generation
 * older than the handle's), the read is retried, so a torn header is
 * never observed and the generation never goes back.  *changed (may be NULL)
 * is set to 1 when the state changed, else 0.  A read-write handle always
 * has the current header: the call does nothing.  Returns 0,
 * MMBUF_EINCONSISTENT if the file is now another buffer, an error of
 * mmbuf_validate_header(), or -errno.
 */
MMBUF_EXPORT int mmbuf_refresh(mmbuf *buf, int *changed);

/* ------------------------------------------------------------------ */
/* A file that shrinks under the mapping                               */

/*
 * mmbuf_read - copy len bytes of the data region from offset into dst with
 * pread(2), not through the mapping: the safe way to read a buffer whose
 * file another process may truncate (the mapping would raise SIGBUS).
 * Returns 0, -EINVAL for a range outside the capacity, MMBUF_ETRUNCATED
 * when the file no longer holds the range (the bytes before its end are
 * copied), or -errno.
 */
MMBUF_EXPORT int mmbuf_read(const mmbuf *buf, uint64_t offset, void *dst,
			    size_t len);

typedef int mmbuf_guarded_fn(void *arg);

/*
 * mmbuf_guard - run fn(arg) with SIGBUS from buf's data region caught.
 *
 * If an access of fn to the mapped data faults because the file shrank
 * under it, fn is abandoned at that point (siglongjmp) and mmbuf_guard
 * returns MMBUF_ETRUNCATED; otherwise it returns what fn returned.  fn must
 * therefore not take locks or allocate memory that it frees only later:
 * an abandoned fn leaves them as they were.  Guards nest and are per
 * thread.  The first call installs a process-wide SIGBUS handler (again
 * if the program has replaced it since), which passes every other SIGBUS
 * to the handler it replaced, or to the default action.
 * Returns fn's value, MMBUF_ETRUNCATED, -EINVAL (NULL buf or fn), or
 * -errno from sigaction.
 */
MMBUF_EXPORT int mmbuf_guard(const mmbuf *buf, mmbuf_guarded_fn *fn,
			     void *arg);

/* ------------------------------------------------------------------ */
/* Library version                                                     */

/* The package version string, e.g. "0.1.0". */
MMBUF_EXPORT const char *mmbuf_version(void);

#ifdef __cplusplus
}
#endif

#endif /* MMBUF_H */
