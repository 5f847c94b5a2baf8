/*
 * common.h - the helpers every mmbuf command-line tool shares, built once
 * as tools/libcommon.la from one small file per concern; each section
 * below names its file.  One header, not one per file: every tool uses
 * most of them, and the sections are short enough to read as one page.
 */
#ifndef MMBUF_TOOLS_COMMON_H
#define MMBUF_TOOLS_COMMON_H

#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mmbuf.h"

/* ------------------------------------------------------------------ */
/* Messages and exit statuses (message.c)                             */

/*
 * Exit statuses shared by the tools; each man page lists the ones it uses.
 * A usage error, the command line itself being wrong (an unknown option, a
 * missing or malformed option argument, options that do not go together,
 * no file), is 64 in every tool, EX_USAGE of sysexits.h, so that it is
 * never mistaken for a status that tells what a file holds.
 */
#define TOOL_EXIT_OK 0
#define TOOL_EXIT_USAGE 64  /* EX_USAGE: the command line is wrong */
#define TOOL_EXIT_INPUT 2   /* cannot open or read the file, bad header */
#define TOOL_EXIT_OUTPUT 3  /* cannot write the output */
#define TOOL_EXIT_SEEK 4    /* a seek before the start of the data */

#if defined(__GNUC__)
#define TOOL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define TOOL_NORETURN __attribute__((noreturn))
#else
#define TOOL_PRINTF(f, a)
#define TOOL_NORETURN
#endif

/* The program name used in messages: the last component of argv[0]. */
extern const char *tool_name;
void tool_init(const char *argv0);

/* "prog: FILE: message" (or "prog: message" when file is NULL) on stderr. */
void tool_err(const char *file, const char *fmt, ...) TOOL_PRINTF(2, 3);
/* tool_err, flush stdout, then exit with status. */
void tool_die(int status, const char *file, const char *fmt, ...)
	TOOL_PRINTF(3, 4) TOOL_NORETURN;

/* A misused command line: "prog: message", then "Try 'prog --help' for
 * more information." on stderr, and exit TOOL_EXIT_USAGE. */
void tool_usage_error(const char *fmt, ...) TOOL_PRINTF(1, 2) TOOL_NORETURN;
/* The one FILE operand of a command line that getopt has read up to
 * optind: its path, or a usage error for none or more than one. */
const char *tool_one_operand(int argc, char **argv);
/* What getopt_long() refused (run with opterr = 0), as tool_usage_error()
 * does: one line in getopt's words, but named with tool_name (getopt's own
 * messages would name argv[0] as given); call it from the '?' case. */
struct option;
void tool_getopt_error(const char *short_opts,
		       const struct option *long_opts, char **argv)
	TOOL_NORETURN;
/* "prog (mmbuf) VERSION" on stdout. */
void tool_print_version(void);

/* ------------------------------------------------------------------ */
/* Numbers and sizes (parse.c)                                        */

/*
 * Numbers as xxd reads them: decimal, 0x hexadecimal or leading-0 octal,
 * optionally followed by a binary suffix K, M, G or T (case-insensitive:
 * 1024, 1024^2, ...).  tool_parse_u64 takes an optional leading '+';
 * tool_parse_signed also takes '-' and reports it in *neg, with the
 * magnitude in *mag (so "-0" is told apart from "0").  Both return 0, or
 * -1 for a malformed number or one that does not fit in 64 bits.
 */
int tool_parse_u64(const char *s, uint64_t *out);
int tool_parse_signed(const char *s, int *neg, uint64_t *mag);
/* An int in [min, max], or -1 (malformed or out of range). */
int tool_parse_int(const char *s, long min, long max, int *out);
/*
 * A size in bytes: a number as for tool_parse_u64, whose suffix may also
 * be spelt KiB, MiB, GiB or TiB (the same powers of 1024).  0 or -1.
 */
int tool_parse_size(const char *s, uint64_t *out);
/*
 * The largest size of data, 8388607T: a buffer file's size must fit in an
 * off_t (mmbuf(5)), with room for the header pages and the alignment.
 * TOOL_SIZE_RULE says what a size may be, for messages.
 */
#define TOOL_SIZE_MAX ((((uint64_t)1 << 23) - 1) << 40)
#define TOOL_SIZE_RULE "bytes, with an optional suffix K, M, G, T or " \
	"KiB, MiB, GiB, TiB, powers of 1024; at most 8388607T"

/* The value of the hex digit c (either case), or -1. */
static inline int tool_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Reading input (input.c)                                            */

/*
 * Up to n bytes of fd into p, fewer only at its end, their count at *got;
 * 0, or -1 with errno.  A read interrupted by a signal is retried, after
 * on_eintr() when it is set (mkbuf acts on SIGINT there).
 */
int tool_read_full(int fd, uint8_t *p, size_t n, size_t *got,
		   void (*on_eintr)(void));

/* ------------------------------------------------------------------ */
/* Buffered output to stdout (output.c)                               */
/*
 * Formatters reserve room, write into it directly, and commit; the buffer
 * goes out with fwrite in large pieces.
 */

#define TOOL_OUT_SIZE (1u << 20)

extern char *tool_out_buf;    /* TOOL_OUT_SIZE bytes */
extern size_t tool_out_len;   /* bytes pending */

/* Write everything pending; on failure report and exit TOOL_EXIT_OUTPUT. */
void tool_out_flush(void);
/* Flush stdout at the end; reports a failed write or close and exits. */
void tool_out_finish(void);

/* A pointer with room for n bytes (n <= TOOL_OUT_SIZE). */
static inline char *tool_out_reserve(size_t n)
{
	if (tool_out_len + n > TOOL_OUT_SIZE)
		tool_out_flush();
	return tool_out_buf + tool_out_len;
}

static inline void tool_out_commit(const char *end)
{
	tool_out_len = (size_t)(end - tool_out_buf);
}

static inline void tool_out_mem(const void *p, size_t n)
{
	while (n > 0) {
		size_t room, k;

		if (tool_out_len == TOOL_OUT_SIZE)
			tool_out_flush();
		room = TOOL_OUT_SIZE - tool_out_len;
		k = n < room ? n : room;
		memcpy(tool_out_buf + tool_out_len, p, k);
		tool_out_len += k;
		p = (const char *)p + k;
		n -= k;
	}
}

static inline void tool_out_str(const char *s)
{
	tool_out_mem(s, strlen(s));
}

void tool_out_printf(const char *fmt, ...) TOOL_PRINTF(1, 2);

/* ------------------------------------------------------------------ */
/* Progress bar (progress.c)                                          */
/*
 * A one-line bar on stderr for long work: shown only when enabled, stderr
 * is a terminal and the work is at least TOOL_PROGRESS_MIN bytes, redrawn
 * at most ten times a second, and erased at the end so that messages and
 * the shell prompt start on a clean line.  Work of unknown size (standard
 * input) has total TOOL_PROGRESS_UNKNOWN: the line then shows the bytes
 * done so far, from the moment they reach TOOL_PROGRESS_MIN.
 */
#define TOOL_PROGRESS_MIN (64ull << 20)
#define TOOL_PROGRESS_UNKNOWN UINT64_MAX

struct tool_progress {
	const char *what;       /* "filling FILE", "copying FILE" */
	uint64_t total;
	int on;
	int64_t last_ns;        /* monotonic time of the last redraw */
};

void tool_progress_start(struct tool_progress *p, const char *what,
			 uint64_t total, int enable);
void tool_progress_update(struct tool_progress *p, uint64_t done);
void tool_progress_end(struct tool_progress *p);

/*
 * The same bar driven by the library's mmbuf_progress_fn (mmbuf_seal,
 * mmbuf_verify_path), which learns the total on its first call.
 */
struct tool_lib_progress {
	struct tool_progress bar;
	const char *what;
	int enable, started;
};
void tool_lib_progress_init(struct tool_lib_progress *p, const char *what,
			    int enable);
/* Draws the bar; returns -ECANCELED, which stops the library's call, once
 * a signal caught by tool_catch_signals() has arrived, else 0. */
int tool_lib_progress(uint64_t done, uint64_t total, void *arg);
void tool_lib_progress_end(struct tool_lib_progress *p);

/* ------------------------------------------------------------------ */
/* Stopping on a signal (signals.c)                                    */
/*
 * tool_catch_signals() makes SIGINT, SIGTERM and SIGHUP set tool_caught
 * (without SA_RESTART) rather than kill the tool, so that it can stop its
 * work cleanly (tool_lib_progress() stops a library call): discard or
 * close what it was writing, then call tool_die_of_signal(), which dies
 * of the caught signal, as the tool would have without the handler (the
 * shell's status 128 + N: 130 for Ctrl-C), and returns if none came.
 */
extern volatile sig_atomic_t tool_caught;
void tool_catch_signals(void);
void tool_die_of_signal(void);

/* ------------------------------------------------------------------ */
/* Colour (color.c)                                                   */

enum { TOOL_COLOR_NEVER, TOOL_COLOR_ALWAYS, TOOL_COLOR_AUTO };

/* "auto", "always", "never" (and "yes"/"no"/"force"/"none"/"tty"), or -1;
 * NULL (--color without WHEN) is always, as in GNU ls and grep. */
int tool_color_parse(const char *when);
/*
 * Whether to colour stdout: always, never, or for auto only when stdout is
 * a terminal, NO_COLOR is unset or empty (https://no-color.org) and TERM
 * is not "dumb".
 */
int tool_color_enabled(int mode);

/* ------------------------------------------------------------------ */
/* SIGBUS guard (guard.c)                                             */
/*
 * Reading a mapped file that another process truncated raises SIGBUS.  A
 * tool arms the guard over the mapped range, and calls TOOL_GUARD_SETJMP()
 * as the whole controlling expression of an if: it returns 0 at once, and
 * non-zero when a SIGBUS hit the armed range, after which the tool reports
 * the error instead of dying.  A SIGBUS outside the range is not ours: it
 * gets the default action.
 */
extern sigjmp_buf tool_guard_env;
#define TOOL_GUARD_SETJMP() sigsetjmp(tool_guard_env, 1)

void tool_guard_arm(const void *base, uint64_t len);
void tool_guard_disarm(void);
/* The offset in the armed range of the faulting access. */
uint64_t tool_guard_fault_offset(void);

/* ------------------------------------------------------------------ */
/* Header pages, read raw so that damaged ones can be shown too, and  */
/* their JSON form (header.c)                                         */

static inline uint64_t tool_le(const uint8_t *p, unsigned n);

/*
 * The fields of a header slot at their byte offsets in mmbuf(5): one table,
 * from which -H, --json and --slots all read.  tool_fields[] is indexed
 * by enum tool_field_id, in the order of the slot.
 */
enum tool_field_type { TOOL_FT_MAGIC, TOOL_FT_U16, TOOL_FT_U32, TOOL_FT_U64, TOOL_FT_FLAGS, TOOL_FT_UUID, TOOL_FT_TIME, TOOL_FT_STATE, TOOL_FT_DTYPE, TOOL_FT_SHAPE, TOOL_FT_LABEL, TOOL_FT_RESERVED, TOOL_FT_TAIL, TOOL_FT_CRC };

enum tool_field_id {
	TOOL_F_MAGIC,
	TOOL_F_GENERATION,
	TOOL_F_VERSION_MAJOR,
	TOOL_F_VERSION_MINOR,
	TOOL_F_SLOT_SIZE,
	TOOL_F_COMPAT,
	TOOL_F_RO_COMPAT,
	TOOL_F_INCOMPAT,
	TOOL_F_UUID,
	TOOL_F_CTIME_NS,
	TOOL_F_MTIME_NS,
	TOOL_F_DATA_OFFSET,
	TOOL_F_CAPACITY,
	TOOL_F_LENGTH,
	TOOL_F_FILE_SIZE,
	TOOL_F_STATE,
	TOOL_F_WRITER_PID,
	TOOL_F_DTYPE,
	TOOL_F_NDIM,
	TOOL_F_BLOCK_SHIFT,
	TOOL_F_SHAPE,
	TOOL_F_DATA_CHECKSUM,
	TOOL_F_CHECKSUM_GENERATION,
	TOOL_F_TABLE_OFFSET,
	TOOL_F_TABLE_SIZE,
	TOOL_F_RESERVED1,
	TOOL_F_LABEL,
	TOOL_F_RESERVED2,
	TOOL_F_GENERATION_TAIL,
	TOOL_F_CRC32,
	TOOL_F_COUNT
};

struct tool_field {
	unsigned off, size;
	enum tool_field_type type;
	const char *name;
};

extern const struct tool_field tool_fields[TOOL_F_COUNT];

/* Where field f starts in slot. */
static inline const uint8_t *tool_slot_field(const uint8_t *slot, int f)
{
	return slot + tool_fields[f].off;
}

/* The value of the integer field f (at most 8 bytes) of slot. */
static inline uint64_t tool_slot_u(const uint8_t *slot, int f)
{
	return tool_le(slot + tool_fields[f].off, tool_fields[f].size);
}

struct tool_header {
	const char *path;
	uint8_t bytes[MMBUF_HEADER_SIZE];
	size_t n;               /* bytes read (the file may be shorter) */
	uint64_t file_size;
	int err;                /* mmbuf_validate_header's result */
	int read_failed;        /* the error came from read, not open */
	mmbuf_info info;
};

/*
 * Read the header pages of path, as much of them as the file holds, and
 * validate them into h->err and h->info.  Returns 0, or -errno (or
 * MMBUF_ENOTREG) when the file cannot be opened or read: then h->err is 0
 * and h->info empty.  The _or_die form reports that and exits
 * TOOL_EXIT_INPUT.
 */
int tool_read_header(struct tool_header *h, const char *path);
void tool_read_header_or_die(struct tool_header *h, const char *path);
/* Slot i's bytes, or NULL when the file is too short to hold it. */
const uint8_t *tool_slot_bytes(const struct tool_header *h, int i);
int tool_slot_has_magic(const struct tool_header *h, int i);
/* 0 or the MMBUF_E* damage of slot i. */
int tool_slot_status(const struct tool_header *h, int i);
int tool_slot_current(const struct tool_header *h, int i);
/* "intact" or the message of a slot status. */
const char *tool_status_text(int st);
/* "intact" or the error name of a slot status, for --json. */
const char *tool_status_name(int st);
/* The UUID in its 36-character text form (o has room for 37 bytes). */
void tool_fmt_uuid(char *o, const uint8_t *u);
/* The length of the NUL-padded string field f of slot, without the
 * padding; the dtype field as a C string (o has room for 9 bytes). */
size_t tool_slot_strlen(const uint8_t *slot, int f);
void tool_slot_dtype(char *o, const uint8_t *slot);
/* Every integer field of slot into v[TOOL_F_COUNT] (0 for the others). */
void tool_slot_values(const uint8_t *slot, uint64_t *v);
/* The extent of dimension d of the shape field. */
uint64_t tool_slot_dim(const uint8_t *slot, unsigned d);
/* The CRC-32 of a slot's first 508 bytes, as stored at offset 508. */
uint32_t tool_slot_crc(const uint8_t *slot);
/* The header as JSON, both slots, with the keys documented in dumpbuf(1). */
void tool_header_json(const struct tool_header *h);

/* ------------------------------------------------------------------ */
/* Text from a file, for a terminal and for JSON (text.c)             */

/*
 * Text taken from a file (a label, a dtype, a file name) is never written
 * raw to a terminal: what does not print is escaped, the same way in every
 * tool.  tool_printable() says whether a code point shows as itself: not a
 * control (C0, DEL, C1), a format character (bidi overrides, zero-width
 * characters), a separator other than the space or private use.
 */
int tool_printable(uint32_t cp);
/*
 * s[0, n) for a terminal: valid UTF-8 that prints as it is; \" \\ \t \n;
 * other characters that do not print as \xNN below U+0080, else \uNNNN
 * or \UNNNNNNNN (their code point); a byte that is not valid UTF-8
 * (mmbuf_utf8_decode) as \xNN, the byte.
 * tool_text() writes it NUL-terminated to o (sz bytes, cut at a whole
 * escape) and returns its length; tool_out_text() to the output buffer.
 */
size_t tool_text(char *o, size_t sz, const uint8_t *s, size_t n);
void tool_out_text(const uint8_t *s, size_t n);
void tool_out_ctext(const char *s);

/* A JSON string to the output buffer, valid UTF-8 whatever s holds: bytes
 * that are not valid UTF-8 become U+FFFD, and what does not print
 * (tool_printable) is a \u escape. */
void tool_json_str(const uint8_t *s, size_t n);
void tool_json_cstr(const char *s);

/* ------------------------------------------------------------------ */
/* Element values as text: dumpbuf --type, editbuf (value.c)          */

static inline uint16_t tool_swap16(uint16_t v)
{
	return (uint16_t)(v << 8 | v >> 8);
}

static inline uint32_t tool_swap32(uint32_t v)
{
	return (uint32_t)tool_swap16((uint16_t)v) << 16 |
	       tool_swap16((uint16_t)(v >> 16));
}

static inline uint64_t tool_swap64(uint64_t v)
{
	return (uint64_t)tool_swap32((uint32_t)v) << 32 |
	       tool_swap32((uint32_t)(v >> 32));
}

/*
 * The n bytes (1 to 8) at p as an unsigned integer in the machine's byte
 * order, byte-swapped if swap: for 1, 2, 4 and 8 bytes, which compilers
 * make one load and one byte swap.
 */
static inline uint64_t tool_load_swapped(const uint8_t *p, unsigned n,
					 int swap)
{
	uint16_t v16;
	uint32_t v32;
	uint64_t v64 = 0;

	switch (n) {
	case 1:
		return p[0];
	case 2:
		memcpy(&v16, p, 2);
		return swap ? tool_swap16(v16) : v16;
	case 4:
		memcpy(&v32, p, 4);
		return swap ? tool_swap32(v32) : v32;
	case 8:
		memcpy(&v64, p, 8);
		return swap ? tool_swap64(v64) : v64;
	default:
		/* Other sizes, byte by byte, little-endian unless swap
		 * says the other order of this machine. */
		for (unsigned i = 0; i < n; i++) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
			v64 = v64 << 8 | p[swap ? n - 1 - i : i];
#else
			v64 = v64 << 8 | p[swap ? i : n - 1 - i];
#endif
		}
		return v64;
	}
}

/*
 * An unsigned integer of n bytes (1 to 8) in byte order '<' or '>': the
 * tools' one load (the library's own are internal); tool_le() for the
 * little-endian fields of the format.
 */
static inline uint64_t tool_load(const uint8_t *p, unsigned n, char order)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return tool_load_swapped(p, n, order != '>');
#else
	return tool_load_swapped(p, n, order == '>');
#endif
}

static inline uint64_t tool_le(const uint8_t *p, unsigned n)
{
	return tool_load(p, n, '<');
}
/* A float of n bytes (2: IEEE half, 4, 8) in byte order '<' or '>'. */
double tool_load_float(const uint8_t *p, unsigned n, char order);
double tool_half_to_double(uint16_t h);
/* The half nearest to x, ties to even; 65520 and above become inf. */
uint16_t tool_double_to_half(double x);
/*
 * v as the shortest text that reads back to the same value of a float of
 * n bytes (2, 4 or 8), in the layout of Python's repr: fixed notation for
 * decimal exponents from -4 to 15, else d.ddde+XX; dot0 adds ".0" to whole
 * numbers in fixed notation.  Writes at most 32 bytes at o (no NUL) and
 * returns the end.
 */
char *tool_put_float(char *o, double v, unsigned n, int dot0);
/* The same from the bits of the float (as tool_load gives them). */
char *tool_put_float_bits(char *o, uint64_t bits, unsigned n, int dot0);
/* v in decimal (at most 20 bytes, 21 with the sign), no NUL; returns the
 * end. */
char *tool_put_u64(char *o, uint64_t v);
char *tool_put_i64(char *o, int64_t v);

/* ------------------------------------------------------------------ */
/* NumPy .npy files: mkbuf --from-npy, dumpbuf --npy (npy.c)           */

/* The bytes of an array of that shape, or -1 when they overflow 64 bits. */
int tool_shape_bytes(const uint64_t *shape, uint32_t ndim, uint32_t itemsize,
		     uint64_t *out);

struct tool_npy {
	char dtype[MMBUF_DTYPE_MAX + 1];
	uint32_t itemsize;
	uint32_t ndim;
	uint64_t shape[MMBUF_MAX_DIMS];
	uint64_t data_off, nbytes;
};

/*
 * Open a .npy file and read its header into n; the descriptor returned is
 * at the start of the data.  What is not a .npy array a buffer can hold
 * (Fortran order, objects, structured dtypes) is reported, and the tool
 * exits TOOL_EXIT_INPUT.
 */
int tool_npy_open(const char *path, struct tool_npy *n);
/*
 * A .npy file given where a buffer file is wanted: whether path starts
 * with the magic of a .npy file, and the message that says so and how to
 * make a buffer of it.  tool_buffer_strerror() is mmbuf_strerror(err),
 * except for a .npy file refused as not a buffer (MMBUF_EMAGIC), for
 * which it is TOOL_NPY_NOT_BUFFER.
 */
#define TOOL_NPY_NOT_BUFFER \
	"a NumPy .npy file, not an mmbuf buffer file " \
	"(mkbuf --from-npy makes a buffer of it)"
int tool_file_is_npy(const char *path);
const char *tool_buffer_strerror(const char *path, int err);
/* The .npy header of an array to the output buffer; returns the bytes of
 * data that must follow it. */
uint64_t tool_npy_write_header(const char *dtype, uint32_t itemsize,
			       uint32_t ndim, const uint64_t *shape);

#endif /* MMBUF_TOOLS_COMMON_H */
