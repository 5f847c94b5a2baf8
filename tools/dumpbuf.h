/*
 * dumpbuf.h - what dumpbuf's files share: the options, the input and its
 * chunked reading (dumpbuf.c), and the output modes, one file each: the
 * hex layouts (dumpbuf-hex.c), the typed views and --npy
 * (dumpbuf-typed.c), and the header views (dumpbuf-header.c).
 */
#ifndef MMBUF_TOOLS_DUMPBUF_H
#define MMBUF_TOOLS_DUMPBUF_H

#include <stdint.h>

#include "mmbuf.h"
#include "common.h"

/* Misuse: a message, a hint, and the usage exit status. */
#define bad_usage(...) tool_usage_error(__VA_ARGS__)

enum mode {
	MODE_XXD,       /* default: xxd layout (and -p, -i, -b, -e) */
	MODE_CANON,     /* -C: hexdump -C layout */
	MODE_RAW,       /* --raw */
	MODE_TYPED,     /* -t */
	MODE_NPY,       /* --npy */
	MODE_HEADER,    /* -H */
	MODE_JSON,      /* --json */
	MODE_SLOTS      /* --slots */
};

/* The xxd output types; as in xxd, the last of -b -e -p -i given wins. */
enum xtype { X_NORMAL, X_LE, X_BITS, X_PLAIN, X_INCLUDE };

enum {
	OPT_JSON = 256, OPT_SLOTS, OPT_ROWS, OPT_CSV, OPT_TSV, OPT_RAW, OPT_NPY,
	OPT_COLOR, OPT_NAME, OPT_CAPITALIZE, OPT_FORCE, OPT_LENGTH,
	OPT_UNTIL_CLOSED
};

struct opts {
	enum mode mode;
	int mode_set;           /* a mode option was given */
	const char *mode_name;  /* its spelling, for messages */
	enum xtype xtype;
	int xxd_opts;           /* an xxd layout option was given */
	const char *xxd_opt;    /* the last one, for messages */
	int cols, cols_given;
	int grp;                /* -1: the default of the type */
	int upper, autoskip, decimal, capitalize, nosqueeze;
	uint64_t display_off;
	const char *skip_arg;   /* -s as given, resolved once the length is known */
	uint64_t limit;         /* -l (-n with -C); UINT64_MAX: none */
	const char *n_arg;      /* -n as given: a name or a length by layout */
	const char *name;       /* --name for -i */
	const char *type;       /* -t TYPE */
	const char *rows;       /* --rows A:B:C */
	char sep;               /* --csv ',', --tsv '\t', else 0 */
	int any_file;
	int force;              /* --force: binary output to a terminal */
	int follow, until_closed;
	int color;
	const char *path;
};

/*
 * The bytes to show: a mapping (of the buffer's data or of a whole file),
 * a file descriptor read in chunks when FILE is not a regular file, or
 * (--follow: data NULL, fd -1) the buffer's data read with mmbuf_read().
 */
struct input {
	const char *path;
	mmbuf *buf;
	const uint8_t *data;    /* mapped data, NULL when reading fd */
	uint64_t len;           /* bytes of data; UINT64_MAX: unknown (fd) */
	int fd;                 /* -1 unless reading */
	void *map;              /* our own mapping (-F), to unmap */
	size_t maplen;
	const char *label;      /* the buffer's label, "" for -F */
};

/*
 * A source of successive chunks of the selected range.  Chunks are at most
 * CHUNK bytes and a multiple of the caller's unit except the last one, so
 * formatters see whole lines.
 */
#define CHUNK (1u << 20)

struct source {
	const struct input *in;
	uint64_t pos;           /* next data offset */
	uint64_t released;      /* mapped pages before this are let go */
	uint64_t end;           /* end of the range; UINT64_MAX: to EOF (fd) */
	uint8_t *buf;           /* for fd and mmbuf_read input */
	int eof;                /* the end of an fd; for mmbuf_read, the file
				   no longer holds the data */
};

/*
 * Positions follow xxd's own arithmetic.  A line is the address with its
 * ':' and then a "body": body[0] is a space, the digits of byte p start at
 * body[1 + (grplen * x) / grp] with x = p (x = p ^ (grp - 1) for -e), its
 * character is at body[3 + W + p], and the newline follows the last
 * character.  xxd writes digits and characters in byte order into a line
 * of spaces; in the odd layouts where two writes hit the same column (-e
 * when a line does not end on a whole group) we do the same, in order
 * ("exact"); otherwise every column is written once and the order is free.
 */
struct xxd {
	enum xtype type;
	int cols, grp, grplen, W, digits, upper, decimal, autoskip, exact, color;
	uint16_t hexoff[256];
	uint64_t base;          /* displayed offset of the first byte */
	/* autoskip state, as xxd's xxdline() */
	uint64_t zero_seen, z_addr;
};

struct canon {
	int squeeze, color;
	uint64_t shown;         /* display offset added to addresses */
	/* squeezing state, as canon_lines() leaves it */
	uint64_t addr;          /* data offset of the next line */
	uint8_t prev[16];       /* the last line shown */
	int have_prev, starred;
};

/* Input (dumpbuf.c) */
TOOL_NORETURN void open_failed(const char *path, int err);
uint64_t resolve_skip(const struct opts *o, const struct input *in);
void release_behind(struct source *s);
size_t src_next(struct source *s, size_t unit, const uint8_t **p);

/* Hex layouts: xxd, -p, -i, hexdump -C, --raw (dumpbuf-hex.c) */
extern const uint8_t zeros[256];
void init_tables(void);
void xxd_setup(struct xxd *x, const struct opts *o);
char *xxd_line_exact(const struct xxd *x, char *o, uint64_t addr,
		     const uint8_t *p, int n);
int xxd_lines(struct xxd *x, struct source *s);
void xxd_end(struct xxd *x, uint64_t first, int partial);
void dump_xxd(struct xxd *x, struct source *s);
void dump_plain(const struct opts *o, struct source *s);
void dump_include(const struct opts *o, const struct input *in,
		  struct source *s);
void canon_setup(struct canon *c, const struct opts *o, int color);
void canon_lines(struct canon *c, struct source *s);
void canon_end(const struct canon *c);
void dump_canon(struct canon *c, struct source *s, uint64_t start,
		uint64_t limit);
void dump_raw(struct source *s);

/* Typed views: -t, --npy (dumpbuf-typed.c) */
struct typed {
	char kind;              /* b u i f c */
	int swap;               /* the byte order is not the machine's */
	uint32_t itemsize;
};

/* The dtype and shape a typed view or an export uses. */
struct layout {
	char dtype[MMBUF_DTYPE_MAX + 1];
	uint32_t itemsize, ndim;
	uint64_t shape[MMBUF_MAX_DIMS];
};

struct typed_view {
	struct layout l;
	struct typed t;
	uint64_t rows;          /* lines: rows of the last axis */
	uint64_t rowlen;        /* elements of a line */
	uint64_t rowbytes;
};

/* The rows of --rows: Python's slice of a list of n rows (n < 2^63), as
 * the first row, the step and the count. */
struct rows {
	int64_t start, step;
	uint64_t count;
};

void parse_rows(const char *arg, uint64_t n, struct rows *r);
void typed_setup(struct typed_view *v, const char *type,
		 const struct input *in);
/* Rows a to b, the first at p, as -t shows them (sep: see opts.sep). */
void typed_rows(const struct typed_view *v, int sep, const uint8_t *p,
		uint64_t a, uint64_t b);
void dump_typed(const struct opts *o, const struct input *in);
void dump_npy(const struct input *in);

/* --follow (dumpbuf-follow.c): returns the exit status. */
int follow(const struct opts *o, int color);

/* Header views: -H, --slots (dumpbuf-header.c) */
void show_header(const struct tool_header *h);
void show_slots(const struct tool_header *h);

#endif /* MMBUF_TOOLS_DUMPBUF_H */
