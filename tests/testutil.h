/*
 * testutil.h - fixtures and helpers shared by the Check programs of mmbuf.
 *
 * The slot layout is written out here again on purpose, from the format
 * specification (mmbuf(5)) and not from lib/internal.h: the tests check the
 * library against the spec, so the two must not share a table.
 */
#ifndef MMBUF_TESTUTIL_H
#define MMBUF_TESTUTIL_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mmbuf.h"

/* Assert that an mmbuf call returned the code wanted, naming both. */
#define ck_assert_err(got, want)                                          \
	do {                                                                \
		int got_ = (got), want_ = (want);                               \
		ck_assert_msg(got_ == want_, "%s: got %d %s, want %d %s", #got, \
			      got_, mmbuf_err_name(got_), want_,                \
			      mmbuf_err_name(want_));                           \
	} while (0)

#define KIB 1024u
#define MIB (1024u * 1024u)

/* Byte offsets of the fields of a 512-byte header slot (mmbuf(5)). */
enum {
	TU_MAGIC = 0,
	TU_GENERATION = 8,
	TU_VERSION_MAJOR = 16,
	TU_VERSION_MINOR = 18,
	TU_SLOT_SIZE = 20,
	TU_COMPAT = 24,
	TU_RO_COMPAT = 32,
	TU_INCOMPAT = 40,
	TU_UUID = 48,
	TU_CTIME = 64,
	TU_MTIME = 72,
	TU_DATA_OFFSET = 80,
	TU_CAPACITY = 88,
	TU_LENGTH = 96,
	TU_FILE_SIZE = 104,
	TU_STATE = 112,
	TU_WRITER_PID = 116,
	TU_DTYPE = 120,
	TU_NDIM = 128,
	TU_BLOCK_SHIFT = 132,
	TU_SHAPE = 136,
	TU_DATA_CHECKSUM = 200,
	TU_CHECKSUM_GENERATION = 208,
	TU_TABLE_OFFSET = 216,
	TU_TABLE_SIZE = 224,
	TU_RESERVED1 = 232,
	TU_LABEL = 240,
	TU_RESERVED2 = 496,
	TU_GENERATION_TAIL = 500,
	TU_CRC = 508
};

/* Every field of a slot, in order, covering bytes [0, 512) exactly. */
struct tu_field {
	const char *name;
	size_t off, size;
};
extern const struct tu_field tu_fields[];
extern const size_t tu_nfields;

/* The fourteen element codes and their item sizes, in the spec's order. */
struct tu_dtype {
	const char *code;
	uint32_t itemsize;
};
extern const struct tu_dtype tu_dtypes[];
extern const size_t tu_ndtypes;

/* ---------------------------------------------------------------- */
/* Fixtures                                                          */

/*
 * tu_init/tu_fini make and remove (recursively) one directory per test
 * program under $TMPDIR (or /tmp); tu_setup/tu_teardown, the checked
 * fixture of every TCase, make a private mkdtemp directory in it per test.
 * With MMBUF_TEST_KEEP set in the environment nothing is removed and the
 * paths are printed.  The per-program directory catches what a failed
 * test (which exits without its teardown) leaves behind.
 */
void tu_init(const char *program);
void tu_fini(void);
void tu_setup(void);
void tu_teardown(void);
extern char tu_root[];  /* the program's directory */
extern char tu_dir[];   /* the current test's directory */

/*
 * How many rounds a randomized or torture test runs: short in make check,
 * long in make check-long, which sets MMBUF_LONG=1 (the TCase's
 * timeout must allow for the long count).
 */
bool tu_long(void);
int tu_rounds(int short_rounds, int long_rounds);

/* A TCase with the fixture and a timeout in seconds, added to s. */
TCase *tu_tcase(Suite *s, const char *name, double timeout);

/* tu_dir + "/" + name, in one of a few rotating static buffers. */
const char *tu_path(const char *name);

/* ---------------------------------------------------------------- */
/* Raw files                                                         */

void tu_write_file(const char *path, const void *buf, size_t n);
void tu_pwrite(const char *path, uint64_t off, const void *buf, size_t n);
void tu_pread(const char *path, uint64_t off, void *buf, size_t n);
/* The whole file, malloc'ed; its size in *n. */
uint8_t *tu_read_file(const char *path, size_t *n);
uint64_t tu_file_size(const char *path);
void tu_truncate(const char *path, uint64_t size);
/* XOR one byte of a file with 0xff. */
void tu_flip(const char *path, uint64_t off);
bool tu_exists(const char *path);
/* Entries of a directory other than . and .. */
int tu_dir_entries(const char *dir);
/* Remove every entry of dir but keep; returns how many were removed. */
int tu_remove_others(const char *dir, const char *keep);
/* Copy a file (content only). */
void tu_copy(const char *from, const char *to);
/* Whether the n bytes at p are all 0. */
bool tu_all_zero(const void *p, size_t n);

/* ---------------------------------------------------------------- */
/* Little-endian fields, CRC, slots                                  */

uint16_t tu_le16(const uint8_t *p);
uint32_t tu_le32(const uint8_t *p);
uint64_t tu_le64(const uint8_t *p);
void tu_put16(uint8_t *p, uint16_t v);
void tu_put32(uint8_t *p, uint32_t v);
void tu_put64(uint8_t *p, uint64_t v);

/* zlib's crc32 of slot[0, 508). */
uint32_t tu_slot_crc(const uint8_t *slot);
/* Store the right CRC at slot[508]. */
void tu_fix_crc(uint8_t *slot);
/* Set generation and generation_tail, then fix the CRC. */
void tu_set_generation(uint8_t *slot, uint64_t gen);

void tu_slot_read(const char *path, int slot, uint8_t s[MMBUF_SLOT_SIZE]);
void tu_slot_write(const char *path, int slot, const uint8_t s[MMBUF_SLOT_SIZE]);
/* The slot holding the higher generation, by the test's own reading. */
int tu_current_slot(const char *path);

/*
 * A header as the test itself encodes it, following mmbuf(5) only.
 * tu_hdr_init gives a valid header for a capacity: gen 2, "<f8", ndim 2,
 * a label, ro_compat LOCKING.
 */
typedef struct tu_hdr {
	uint64_t generation;
	uint16_t version_major, version_minor;
	uint32_t slot_size;
	uint64_t compat, ro_compat, incompat;
	uint8_t uuid[16];
	int64_t ctime_ns, mtime_ns;
	uint64_t data_offset, capacity, length, file_size;
	uint32_t state, writer_pid;
	char dtype[8];
	uint32_t ndim, block_shift;
	uint64_t shape[8];
	uint64_t data_checksum, checksum_generation, table_offset, table_size;
	char label[256];
} tu_hdr;

void tu_hdr_init(tu_hdr *h, uint64_t capacity);
/* The slot image of h with generation gen (head and tail) and its CRC. */
void tu_encode_slot(const tu_hdr *h, uint64_t gen, uint8_t s[MMBUF_SLOT_SIZE]);
/*
 * Both header pages: h->generation in slot generation % 2, and
 * h->generation - 1 in the other slot, otherwise the same.
 */
void tu_encode_header(const tu_hdr *h, uint8_t page[MMBUF_HEADER_SIZE]);

/* ---------------------------------------------------------------- */
/* Buffers                                                           */

/* mmbuf_create_opts_init plus a capacity. */
void tu_opts(mmbuf_create_opts *o, uint64_t capacity);
/* Create tu_path(name), asserting success; returns the writer handle. */
mmbuf *tu_create(const char *name, const mmbuf_create_opts *o);
/* Create with a capacity, fill the data with tu_fill(seed), close cleanly. */
void tu_create_closed(const char *name, uint64_t capacity, uint32_t seed);
/* Open, asserting success. */
mmbuf *tu_open(const char *path, unsigned flags);

/* A deterministic byte pattern, and a check of it (index of the first
 * wrong byte, or -1). */
void tu_fill(void *p, size_t n, uint32_t seed);
long tu_check_fill(const void *p, size_t n, uint32_t seed);

/* ---------------------------------------------------------------- */
/* Processes                                                         */

/*
 * fork(), asserting success.  A child must not use ck_assert (the Check
 * runner is its grandparent): it reports through its exit status or a
 * pipe and leaves with _exit().
 */
pid_t tu_fork(void);
/* In a child of tu_fork(): if root, become uid and gid 65534 without
 * groups, so that permission bits apply; _exit(101) if that fails, 102 if
 * root's rights could come back. */
void tu_become_nobody(void);
/* waitpid, asserting success; returns the raw status. */
int tu_wait(pid_t pid);
/* Write/read one int over a pipe; false on error or at EOF. */
bool tu_send(int fd, int v);
bool tu_recv(int fd, int *v);

#endif /* MMBUF_TESTUTIL_H */
