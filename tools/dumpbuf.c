/*
 * dumpbuf - inspect buffer files: hex dumps byte-identical to xxd and
 * hexdump -C, the header, typed dumps and exports.  See dumpbuf(1).
 *
 * The data is read through the library's read-only mapping (or, with
 * --any-file, a mapping of the whole file), formatted with lookup tables
 * into a large output buffer and written with fwrite.  Every access to
 * mapped bytes happens under the SIGBUS guard, so a file truncated under
 * us ends in an error message, never a crash.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <zlib.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "mmbuf.h"
#include "common.h"

/* ------------------------------------------------------------------ */
/* Options                                                             */

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
	OPT_JSON = 256, OPT_SLOTS, OPT_ROWS, OPT_RAW, OPT_NPY, OPT_COLOR,
	OPT_NAME, OPT_CAPITALIZE
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
	uint64_t limit;         /* -n; UINT64_MAX: none */
	const char *name;       /* --name for -i */
	const char *type;       /* -t TYPE */
	const char *rows;       /* --rows A:B */
	int any_file;
	int color;
	const char *path;
};

static const char short_opts[] = "c:g:ueapibdo:s:n:l:CvHt::FhV";

static const struct option long_opts[] = {
	{ "cols", required_argument, NULL, 'c' },
	{ "group", required_argument, NULL, 'g' },
	{ "groupsize", required_argument, NULL, 'g' },
	{ "upper", no_argument, NULL, 'u' },
	{ "little-endian", no_argument, NULL, 'e' },
	{ "autoskip", no_argument, NULL, 'a' },
	{ "plain", no_argument, NULL, 'p' },
	{ "postscript", no_argument, NULL, 'p' },
	{ "include", no_argument, NULL, 'i' },
	{ "bits", no_argument, NULL, 'b' },
	{ "decimal", no_argument, NULL, 'd' },
	{ "offset", required_argument, NULL, 'o' },
	{ "skip", required_argument, NULL, 's' },
	{ "seek", required_argument, NULL, 's' },
	{ "length", required_argument, NULL, 'n' },
	{ "len", required_argument, NULL, 'l' },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "capitalize", no_argument, NULL, OPT_CAPITALIZE },
	{ "canonical", no_argument, NULL, 'C' },
	{ "no-squeeze", no_argument, NULL, 'v' },
	{ "raw", no_argument, NULL, OPT_RAW },
	{ "typed", optional_argument, NULL, 't' },
	{ "rows", required_argument, NULL, OPT_ROWS },
	{ "npy", no_argument, NULL, OPT_NPY },
	{ "header", no_argument, NULL, 'H' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "slots", no_argument, NULL, OPT_SLOTS },
	{ "any-file", no_argument, NULL, 'F' },
	{ "color", optional_argument, NULL, OPT_COLOR },
	{ "colour", optional_argument, NULL, OPT_COLOR },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void usage(FILE *fp, int status)
{
	fprintf(fp,
"Usage: %s [OPTION]... FILE\n"
"Show the data of a buffer file (or, with -F, of any file).\n"
"\n"
"Modes (default: a hex dump of the data in xxd's layout):\n"
"  -C, --canonical       hexdump -C layout; squeezes repeated lines with '*'\n"
"      --raw             write the data bytes unchanged\n"
"  -t, --typed[=TYPE]    the values as elements of the dtype (or TYPE), one\n"
"                        row per last-axis row; also -t TYPE FILE\n"
"      --rows A:B        with -t, only rows A to B (as a Python slice)\n"
"      --npy             write a NumPy .npy file of the data\n"
"  -H, --header          show both header slots\n"
"      --json            the same as JSON\n"
"      --slots           annotated hex dump of the header pages (works on\n"
"                        damaged files)\n"
"\n"
"xxd layout (xxd's meanings and defaults):\n"
"  -c, --cols COLS       bytes per line (16; -p: 30, -i: 12, -b: 6)\n"
"  -g, --group BYTES     bytes per group (2; -e: 4, -b: 1)\n"
"  -u, --upper           upper-case hex digits\n"
"  -e, --little-endian   little-endian groups\n"
"  -a, --autoskip        replace runs of zero lines with '*' (toggles)\n"
"  -p, --plain           plain hex, 30 bytes per line\n"
"  -i, --include         C include file; the name is --name, the buffer's\n"
"                        label, or FILE\n"
"      --name NAME       the variable name for -i\n"
"      --capitalize      capitalise the variable names of -i (xxd -C)\n"
"  -b, --bits            binary digits instead of hex\n"
"  -d, --decimal         decimal offsets\n"
"  -o, --offset OFF      add OFF to the displayed offsets\n"
"\n"
"Range (relative to the start of the data):\n"
"  -s, --skip OFF        start at OFF; a negative OFF counts from the end\n"
"  -n, --length LEN      show at most LEN bytes (also -l, --len)\n"
"  -v, --no-squeeze      with -C, show repeated lines\n"
"\n"
"Other options:\n"
"  -F, --any-file        read FILE as raw data without a buffer header\n"
"                        (FILE may be - for standard input)\n"
"      --color[=WHEN]    colour bytes by class: auto (default), always, never\n"
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n"
"\n"
"Numbers: decimal, 0x hex or leading-0 octal, with an optional K, M, G or T\n"
"suffix (powers of 1024).\n"
"\n"
"Exit status: 0 success, 1 usage error, 2 input error (cannot open or read\n"
"FILE, bad header, FILE shrank while read), 3 write error, 4 a seek before\n"
"the start of the data.\n",
		tool_name);
	exit(status);
}

/* Misuse: a message, a hint, and the usage exit status. */
#define bad_usage(...) tool_usage_error(TOOL_EXIT_USAGE, __VA_ARGS__)

static void set_mode(struct opts *o, enum mode m, const char *name)
{
	if (o->mode_set && o->mode != m)
		bad_usage("conflicting modes: %s", name);
	o->mode = m;
	o->mode_set = 1;
	o->mode_name = name;
}

static void xxd_opt(struct opts *o, const char *name)
{
	o->xxd_opts = 1;
	o->xxd_opt = name;
}

static void parse_opts(struct opts *o, int argc, char **argv)
{
	int c, neg;
	uint64_t v;

	memset(o, 0, sizeof *o);
	o->mode = MODE_XXD;
	o->grp = -1;
	o->limit = UINT64_MAX;
	o->color = TOOL_COLOR_AUTO;

	opterr = 0;
	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (tool_parse_int(optarg, INT_MIN, INT_MAX, &o->cols) < 0)
				bad_usage("invalid number of columns: '%s'", optarg);
			o->cols_given = 1;
			xxd_opt(o, "-c");
			break;
		case 'g':
			if (tool_parse_int(optarg, INT_MIN, INT_MAX, &o->grp) < 0)
				bad_usage("invalid group size: '%s'", optarg);
			xxd_opt(o, "-g");
			break;
		case 'u': o->upper = 1; xxd_opt(o, "-u"); break;
		case 'e': o->xtype = X_LE; xxd_opt(o, "-e"); break;
		case 'a': o->autoskip = !o->autoskip; xxd_opt(o, "-a"); break;
		case 'p': o->xtype = X_PLAIN; xxd_opt(o, "-p"); break;
		case 'i': o->xtype = X_INCLUDE; xxd_opt(o, "-i"); break;
		case 'b': o->xtype = X_BITS; xxd_opt(o, "-b"); break;
		case 'd': o->decimal = 1; xxd_opt(o, "-d"); break;
		case OPT_NAME: o->name = optarg; xxd_opt(o, "--name"); break;
		case OPT_CAPITALIZE: o->capitalize = 1; xxd_opt(o, "--capitalize"); break;
		case 'o':
			/* As xxd: a negative offset wraps around 2^64. */
			if (tool_parse_signed(optarg, &neg, &v) < 0)
				bad_usage("invalid offset: '%s'", optarg);
			o->display_off = neg ? (uint64_t)0 - v : v;
			break;
		case 's':
			if (tool_parse_signed(optarg[0] == '+' ? optarg + 1 : optarg,
					      &neg, &v) < 0)
				bad_usage("invalid skip: '%s'", optarg);
			o->skip_arg = optarg;
			break;
		case 'n':
		case 'l':
			if (tool_parse_u64(optarg, &o->limit) < 0)
				bad_usage("invalid length: '%s'", optarg);
			break;
		case 'C': set_mode(o, MODE_CANON, "-C"); break;
		case 'v': o->nosqueeze = 1; break;
		case OPT_RAW: set_mode(o, MODE_RAW, "--raw"); break;
		case 't':
			set_mode(o, MODE_TYPED, "-t");
			o->type = optarg;
			break;
		case OPT_ROWS: o->rows = optarg; break;
		case OPT_NPY: set_mode(o, MODE_NPY, "--npy"); break;
		case 'H': set_mode(o, MODE_HEADER, "-H"); break;
		case OPT_JSON: set_mode(o, MODE_JSON, "--json"); break;
		case OPT_SLOTS: set_mode(o, MODE_SLOTS, "--slots"); break;
		case 'F': o->any_file = 1; break;
		case OPT_COLOR:
			o->color = tool_color_parse(optarg);
			if (o->color < 0)
				bad_usage("invalid --color argument: '%s' "
					  "(auto, always or never)", optarg);
			break;
		case 'h': usage(stdout, TOOL_EXIT_OK); break;
		case 'V': tool_print_version(); exit(TOOL_EXIT_OK);
		default:
			tool_getopt_error(short_opts, argv);
			usage(stderr, TOOL_EXIT_USAGE);
		}
	}
	/* "-t TYPE FILE": an optional argument must be attached to -t, so
	 * a type given as a separate word comes as an extra operand. */
	if (o->mode == MODE_TYPED && o->type == NULL && optind + 2 == argc)
		o->type = argv[optind++];
	if (optind >= argc)
		bad_usage("%s", "missing FILE operand");
	if (optind + 1 < argc)
		bad_usage("extra operand '%s'", argv[optind + 1]);
	o->path = argv[optind];

	if (o->xxd_opts && o->mode != MODE_XXD)
		bad_usage("%s cannot be used with this mode", o->xxd_opt);
	if (o->nosqueeze && o->mode != MODE_CANON)
		bad_usage("%s", "-v is only meaningful with -C");
	if (o->display_off && o->mode == MODE_RAW)
		bad_usage("%s", "-o cannot be used with --raw");
	if (o->rows != NULL && o->mode != MODE_TYPED)
		bad_usage("%s", "--rows is only meaningful with -t");
	if ((o->mode == MODE_TYPED || o->mode == MODE_NPY) &&
	    (o->skip_arg != NULL || o->limit != UINT64_MAX || o->display_off))
		bad_usage("%s cannot be used with -s, -n or -o (use --rows)",
			  o->mode_name);
	if (o->mode >= MODE_HEADER) {
		if (o->skip_arg != NULL || o->limit != UINT64_MAX ||
		    o->display_off)
			bad_usage("%s cannot be used with -s, -n or -o",
				  o->mode_name);
		if (o->any_file)
			bad_usage("%s cannot be used with -F", o->mode_name);
	}
}

/* ------------------------------------------------------------------ */
/* Input                                                               */

/*
 * The bytes to show: a mapping (of the buffer's data or of a whole file),
 * or a file descriptor read in chunks when FILE is not a regular file.
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

static void open_any(struct input *in, const char *path)
{
	struct stat st;
	int fd;

	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
		in->path = "(standard input)";
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			tool_die(TOOL_EXIT_INPUT, path, "%s", strerror(errno));
	}
	if (fstat(fd, &st) < 0)
		tool_die(TOOL_EXIT_INPUT, in->path, "%s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		tool_die(TOOL_EXIT_INPUT, in->path, "%s", strerror(EISDIR));
	if (!S_ISREG(st.st_mode)) {
		in->fd = fd;
		in->len = UINT64_MAX;
		return;
	}
	in->len = (uint64_t)st.st_size;
	if (st.st_size > 0) {
		if ((uint64_t)st.st_size > SIZE_MAX)
			tool_die(TOOL_EXIT_INPUT, in->path, "%s", strerror(EFBIG));
		in->maplen = (size_t)st.st_size;
		in->map = mmap(NULL, in->maplen, PROT_READ, MAP_SHARED, fd, 0);
		if (in->map == MAP_FAILED)
			tool_die(TOOL_EXIT_INPUT, in->path, "%s", strerror(errno));
		(void)madvise(in->map, in->maplen, MADV_SEQUENTIAL);
		in->data = in->map;
	}
	if (fd != STDIN_FILENO)
		close(fd);
}

/* A message for a buffer that does not open, naming each slot's damage. */
static TOOL_NORETURN void open_failed(const char *path, int err)
{
	static struct tool_header h;
	int s0, s1;

	if (err > MMBUF_ERR_MAX || err < MMBUF_ERR_MIN || err == MMBUF_ENOTREG ||
	    err == MMBUF_EMAGIC || tool_read_header(&h, path) != 0)
		tool_die(TOOL_EXIT_INPUT, path, "%s", mmbuf_strerror(err));
	s0 = h.info.slot_status[0];
	s1 = h.info.slot_status[1];
	tool_die(TOOL_EXIT_INPUT, path,
		 "%s (slot 0: %s; slot 1: %s); see dumpbuf --slots",
		 mmbuf_strerror(err), tool_status_text(s0),
		 tool_status_text(s1));
}

static void open_input(struct input *in, const struct opts *o)
{
	int err;

	memset(in, 0, sizeof *in);
	in->path = o->path;
	in->fd = -1;
	in->label = "";
	if (o->any_file) {
		open_any(in, o->path);
		return;
	}
	err = mmbuf_open(o->path, MMBUF_RDONLY, &in->buf);
	if (err < 0)
		open_failed(o->path, err);
	in->data = mmbuf_data(in->buf);
	in->len = mmbuf_length(in->buf);
	in->label = mmbuf_label(in->buf);
}

static void close_input(struct input *in)
{
	if (in->map != NULL)
		munmap(in->map, in->maplen);
	mmbuf_close(in->buf);
}

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
	uint8_t *buf;           /* for fd input */
	int eof;
};

/*
 * Memory stays bounded however large the file: the pages of the mapping
 * that were formatted are dropped from our page tables as we go (they
 * stay in the page cache), so the resident size does not grow with the
 * file.  Two chunks stay mapped: the one being formatted may be read
 * again (-C compares a line with the one before it).
 */
static void release_behind(struct source *s)
{
	uint64_t start = (s->released + 4095) & ~(uint64_t)4095;
	uint64_t end = s->pos > 2 * (uint64_t)CHUNK
		       ? (s->pos - 2 * (uint64_t)CHUNK) & ~(uint64_t)4095 : 0;

	if (end <= start || end - start < 8 * (uint64_t)CHUNK)
		return;
	if (s->in->buf != NULL)
		(void)mmbuf_advise(s->in->buf, start, end - start,
				   MMBUF_ADVICE_DONTNEED);
	else
		(void)madvise((void *)(uintptr_t)(s->in->data + start),
			      (size_t)(end - start), MADV_DONTNEED);
	s->released = end;
}

static size_t src_next(struct source *s, size_t unit, const uint8_t **p)
{
	size_t want = unit > 0 && unit < CHUNK ? CHUNK - CHUNK % unit : CHUNK;
	size_t got = 0;
	ssize_t r;

	if (s->pos >= s->end)
		return 0;
	if (s->end - s->pos < want)
		want = (size_t)(s->end - s->pos);
	if (s->in->data != NULL) {
		release_behind(s);
		*p = s->in->data + s->pos;
		s->pos += want;
		return want;
	}
	if (s->in->fd < 0 || s->eof)
		return 0;
	if (s->buf == NULL && (s->buf = malloc(CHUNK)) == NULL)
		tool_die(TOOL_EXIT_INPUT, NULL, "out of memory");
	while (got < want) {
		r = read(s->in->fd, s->buf + got, want - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			tool_die(TOOL_EXIT_INPUT, s->in->path, "read error: %s",
				 strerror(errno));
		if (r == 0) {
			s->eof = 1;
			break;
		}
		got += (size_t)r;
	}
	*p = s->buf;
	s->pos += got;
	return got;
}

/* Skip n bytes of an fd input by reading them; returns the bytes skipped. */
static uint64_t src_discard(struct source *s, uint64_t n)
{
	uint64_t done = 0;
	const uint8_t *p;
	size_t k;
	uint64_t end = s->end;

	s->end = s->pos + n;
	while (done < n && (k = src_next(s, 1, &p)) > 0)
		done += k;
	s->end = end;
	return done;
}

/* ------------------------------------------------------------------ */
/* Tables                                                              */

static char hexpair[2][256][2];     /* [upper][byte] */
static char bits8[256][8];
static char printable[256];         /* the byte, or '.' */
static char spaces[4096 + 64];
static const uint8_t zeros[256];

static void init_tables(void)
{
	static const char lo[] = "0123456789abcdef", up[] = "0123456789ABCDEF";

	memset(spaces, ' ', sizeof spaces);

	for (int b = 0; b < 256; b++) {
		hexpair[0][b][0] = lo[b >> 4];
		hexpair[0][b][1] = lo[b & 15];
		hexpair[1][b][0] = up[b >> 4];
		hexpair[1][b][1] = up[b & 15];
		for (int i = 0; i < 8; i++)
			bits8[b][i] = (char)('0' + ((b >> (7 - i)) & 1));
		printable[b] = (char)(b > 31 && b < 127 ? b : '.');
	}
}

/* "%08lx": at least 8 lower-case hex digits. */
static inline char *put_hex_addr(char *o, uint64_t v)
{
	if (v <= 0xffffffffu) {
		memcpy(o, hexpair[0][v >> 24], 2);
		memcpy(o + 2, hexpair[0][(v >> 16) & 0xff], 2);
		memcpy(o + 4, hexpair[0][(v >> 8) & 0xff], 2);
		memcpy(o + 6, hexpair[0][v & 0xff], 2);
		return o + 8;
	}
	int nd = (64 - __builtin_clzll(v) + 3) / 4;
	for (int i = nd - 1; i >= 0; i--, v >>= 4)
		o[i] = "0123456789abcdef"[v & 15];
	return o + nd;
}

/* "%08ld" of the value taken as signed, as xxd -d prints it. */
static char *put_dec_addr(char *o, uint64_t u)
{
	char tmp[24];
	int n = 0, neg = (int64_t)u < 0;
	uint64_t m = neg ? (uint64_t)0 - u : u;

	do {
		tmp[n++] = (char)('0' + m % 10);
		m /= 10;
	} while (m > 0);
	if (neg)
		*o++ = '-';
	for (int w = n + neg; w < 8; w++)
		*o++ = '0';
	while (n > 0)
		*o++ = tmp[--n];
	return o;
}

/*
 * The 2n hex digits of p[0, n) at o, and the n characters of the text
 * column.  SSE2 does 16 bytes at a time (x86-64 always has it); the
 * tables do the rest.  asc_encode may write up to 15 bytes past o + n.
 */
static inline void hex_encode(char *o, const uint8_t *p, size_t n, int upper)
{
	size_t i = 0;
#if defined(__SSE2__)
	const __m128i m0f = _mm_set1_epi8(0x0f), nine = _mm_set1_epi8(9);
	const __m128i zero = _mm_set1_epi8('0');
	const __m128i adj = _mm_set1_epi8(upper ? 'A' - '0' - 10 : 'a' - '0' - 10);

	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		__m128i hi = _mm_and_si128(_mm_srli_epi16(v, 4), m0f);
		__m128i lo = _mm_and_si128(v, m0f);
		__m128i a = _mm_unpacklo_epi8(hi, lo);
		__m128i b = _mm_unpackhi_epi8(hi, lo);

		a = _mm_add_epi8(_mm_add_epi8(a, zero),
				 _mm_and_si128(_mm_cmpgt_epi8(a, nine), adj));
		b = _mm_add_epi8(_mm_add_epi8(b, zero),
				 _mm_and_si128(_mm_cmpgt_epi8(b, nine), adj));
		_mm_storeu_si128((__m128i *)(void *)(o + 2 * i), a);
		_mm_storeu_si128((__m128i *)(void *)(o + 2 * i + 16), b);
	}
#endif
	for (; i < n; i++)
		memcpy(o + 2 * i, hexpair[upper][p[i]], 2);
}

static inline void asc_encode(char *o, const uint8_t *p, size_t n)
{
	size_t i = 0;
#if defined(__SSE2__)
	const __m128i lo = _mm_set1_epi8(0x1f), hi = _mm_set1_epi8(0x7f);
	const __m128i dot = _mm_set1_epi8('.');

	/* Signed compares: bytes from 0x80 up are negative, not printable. */
	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		__m128i m = _mm_and_si128(_mm_cmpgt_epi8(v, lo),
					  _mm_cmplt_epi8(v, hi));

		_mm_storeu_si128((__m128i *)(void *)(o + i),
				 _mm_or_si128(_mm_and_si128(m, v),
					      _mm_andnot_si128(m, dot)));
	}
#endif
	for (; i < n; i++)
		o[i] = printable[p[i]];
}

/* ------------------------------------------------------------------ */
/* Colour: one escape per run of a byte class                          */

enum { CL_NONE = -1, CL_NUL, CL_PRINT, CL_SPACE, CL_ASCII, CL_HIGH };

static const char *const class_esc[] = {
	"\033[90m",     /* NUL: grey */
	"\033[36m",     /* printable ASCII: cyan */
	"\033[32m",     /* whitespace: green */
	"\033[35m",     /* other ASCII: magenta */
	"\033[33m",     /* non-ASCII: yellow */
};
#define COLOR_RESET "\033[0m"

static int byte_class(uint8_t b)
{
	if (b == 0)
		return CL_NUL;
	if (b == ' ' || (b >= '\t' && b <= '\r'))
		return CL_SPACE;
	if (b > 32 && b < 127)
		return CL_PRINT;
	if (b < 128)
		return CL_ASCII;
	return CL_HIGH;
}

/*
 * Write a formatted line with colour: owner[i] is the index of the byte
 * that char i shows, or -1.  An escape goes out only where the class
 * changes; chars that show no byte leave the current colour alone, and the
 * line ends with a reset.
 */
static void put_colored(const char *line, size_t len, const int16_t *owner,
			const uint8_t *p)
{
	char *o = tool_out_reserve(len * 6 + 16);
	int cur = CL_NONE;

	for (size_t i = 0; i < len; i++) {
		if (owner[i] < 0 && line[i] != ' ' && cur != CL_NONE) {
			/* The '|' of -C and the like: not a byte's colour. */
			memcpy(o, COLOR_RESET, sizeof COLOR_RESET - 1);
			o += sizeof COLOR_RESET - 1;
			cur = CL_NONE;
		}
		if (owner[i] >= 0) {
			int cl = byte_class(p[owner[i]]);

			if (cl != cur) {
				size_t k = strlen(class_esc[cl]);

				memcpy(o, class_esc[cl], k);
				o += k;
				cur = cl;
			}
		}
		*o++ = line[i];
	}
	if (cur != CL_NONE) {
		memcpy(o, COLOR_RESET, sizeof COLOR_RESET - 1);
		o += sizeof COLOR_RESET - 1;
	}
	tool_out_commit(o);
}

/* ------------------------------------------------------------------ */
/* xxd layout: normal, -e, -b                                          */

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

static void xxd_setup(struct xxd *x, const struct opts *o)
{
	static uint8_t hits[8192];

	memset(x, 0, sizeof *x);
	x->type = o->xtype;
	x->upper = o->upper;
	x->decimal = o->decimal;
	x->autoskip = o->autoskip;
	x->cols = o->cols;
	if (!o->cols_given || x->cols == 0)
		x->cols = x->type == X_BITS ? 6 : 16;
	if (x->cols < 1 || x->cols > 256)
		bad_usage("invalid number of columns: %d (1 to 256)", x->cols);
	x->grp = o->grp;
	if (x->grp < 0)
		x->grp = x->type == X_BITS ? 1 : x->type == X_LE ? 4 : 2;
	if (x->grp < 1 || x->grp > x->cols)
		x->grp = x->cols;
	else if (x->type == X_LE && (x->grp & (x->grp - 1)))
		bad_usage("%s", "the group size of -e must be a power of 2");
	x->digits = x->type == X_BITS ? 8 : 2;
	x->grplen = x->digits * x->grp + 1;
	/* The width of the hex columns; xxd 2022-01-14 uses it for -e as
	 * well, so digits of a last partial -e group can land in the
	 * character column. */
	x->W = (x->grplen * x->cols - 1) / x->grp;

	/* Count the writes that land on each column of a full line. */
	memset(hits, 0, sizeof hits);
	for (int p = 0; p < x->cols; p++) {
		int xi = x->type == X_LE ? p ^ (x->grp - 1) : p;
		int off = 1 + (x->grplen * xi) / x->grp;

		x->hexoff[p] = (uint16_t)off;
		for (int k = 0; k < x->digits; k++)
			if (hits[off + k]++)
				x->exact = 1;
		if (hits[3 + x->W + p]++)
			x->exact = 1;
	}
}

/*
 * Format one line of n bytes at p, displayed at addr; returns the end.
 * Digits and characters are written in byte order, as xxd does.
 */
static char *xxd_line_exact(const struct xxd *x, char *o, uint64_t addr,
			    const uint8_t *p, int n)
{
	const char (*pair)[2] = hexpair[x->upper];
	char *body;
	int asc = 3 + x->W;

	o = x->decimal ? put_dec_addr(o, addr) : put_hex_addr(o, addr);
	*o++ = ':';
	body = o;
	memcpy(body, spaces, (size_t)(asc + n));
	if (x->type == X_BITS) {
		for (int i = 0; i < n; i++) {
			memcpy(body + x->hexoff[i], bits8[p[i]], 8);
			body[asc + i] = printable[p[i]];
		}
	} else {
		for (int i = 0; i < n; i++) {
			memcpy(body + x->hexoff[i], pair[p[i]], 2);
			body[asc + i] = printable[p[i]];
		}
	}
	body[asc + n] = '\n';
	return body + asc + n + 1;
}

/*
 * The same for the layouts where no column is written twice (all but odd
 * -e ones): digits are made 16 bytes at a time and copied a group (or,
 * for -e, a byte) at a time.  Writes up to 16 bytes past the end.
 */
static char *xxd_line(const struct xxd *x, char *o, uint64_t addr,
		      const uint8_t *p, int n)
{
	char hx[512 + 32];
	char *body;
	int asc = 3 + x->W, g = x->grp;

	if (x->exact || x->type == X_BITS)
		return xxd_line_exact(x, o, addr, p, n);
	o = x->decimal ? put_dec_addr(o, addr) : put_hex_addr(o, addr);
	*o++ = ':';
	body = o;
	memcpy(body, spaces, (size_t)asc);
	hex_encode(hx, p, (size_t)n, x->upper);
	if (x->type == X_LE) {
		for (int i = 0; i < n; i++)
			memcpy(body + x->hexoff[i], hx + 2 * i, 2);
	} else if (g == 2 && n == x->cols && n % 2 == 0) {
		for (int i = 0; i < n; i += 2)
			memcpy(body + x->hexoff[i], hx + 2 * i, 4);
	} else if (g == 4 && n == x->cols && n % 4 == 0) {
		for (int i = 0; i < n; i += 4)
			memcpy(body + x->hexoff[i], hx + 2 * i, 8);
	} else {
		for (int i = 0; i < n; i += g)
			memcpy(body + x->hexoff[i], hx + 2 * i,
			       2 * (size_t)(n - i < g ? n - i : g));
	}
	asc_encode(body + asc, p, (size_t)n);
	body[asc + n] = '\n';
	return body + asc + n + 1;
}

/*
 * xxd's default line (16 bytes in groups of 2), unrolled: the columns are
 * constants, so every store is a fixed-size move.  Same output as
 * xxd_line, which the tests check against xxd.
 */
static char *xxd_line16x2(char *o, uint64_t addr, const uint8_t *p, int upper)
{
	char hx[32];

	o = put_hex_addr(o, addr);
	*o++ = ':';
	hex_encode(hx, p, 16, upper);
	memcpy(o, spaces, 42);
#define CP4(k) memcpy(o + 1 + 5 * (k), hx + 4 * (k), 4)
	CP4(0); CP4(1); CP4(2); CP4(3); CP4(4); CP4(5); CP4(6); CP4(7);
#undef CP4
	asc_encode(o + 42, p, 16);
	o[58] = '\n';
	return o + 59;
}

/* The most a line can take, including the writes past its end in the
 * exact layouts. */
static size_t xxd_line_max(const struct xxd *x)
{
	return 24 + 3 + (size_t)x->W + (size_t)x->cols + 1 + 3 * 512 + 64 + 16;
}

static void xxd_emit(struct xxd *x, uint64_t addr, const uint8_t *p, int n)
{
	char *o = tool_out_reserve(xxd_line_max(x));

	if (!x->color) {
		if (n == 16 && x->cols == 16 && x->type == X_NORMAL &&
		    x->grp == 2 && !x->decimal)
			tool_out_commit(xxd_line16x2(o, addr, p, x->upper));
		else
			tool_out_commit(xxd_line(x, o, addr, p, n));
		return;
	}
	/* Colour: format into a scratch line, noting which byte each
	 * column shows (the last write wins, as in xxd). */
	{
		static char line[8192];
		static int16_t owner[8192];
		char *end = xxd_line_exact(x, line, addr, p, n);
		size_t len = (size_t)(end - line);
		size_t b0 = len - (size_t)(3 + x->W + n + 1);

		for (size_t i = 0; i < len; i++)
			owner[i] = -1;
		for (int i = 0; i < n; i++) {
			for (int k = 0; k < x->digits; k++)
				if (b0 + x->hexoff[i] + k < len - 1)
					owner[b0 + x->hexoff[i] + k] = (int16_t)i;
			owner[b0 + 3 + x->W + i] = (int16_t)i;
		}
		put_colored(line, len, owner, p);
	}
}

/*
 * One full or partial line through xxd's autoskip rule (xxdline()): the
 * first zero line of a run is shown; a run of exactly two shows both; a
 * longer run shows its first line, then "*" when the next non-zero line
 * comes.  Zero lines are detected before anything is formatted.
 */
static void xxd_put(struct xxd *x, uint64_t addr, const uint8_t *p, int n)
{
	if (!x->autoskip) {
		xxd_emit(x, addr, p, n);
		return;
	}
	if (n == x->cols && memcmp(p, zeros, (size_t)n) == 0) {
		if (x->zero_seen == 0)
			xxd_emit(x, addr, p, n);
		else if (x->zero_seen == 1)
			x->z_addr = addr;
		x->zero_seen++;
		return;
	}
	if (x->zero_seen == 2)
		xxd_emit(x, x->z_addr, zeros, x->cols);
	else if (x->zero_seen > 2)
		tool_out_mem("*\n", 2);
	xxd_emit(x, addr, p, n);
	x->zero_seen = 0;
}

/* At the end, after full lines only: xxdline(l, -1). */
static void xxd_finish(struct xxd *x, uint64_t last_addr)
{
	if (!x->autoskip || x->zero_seen == 0)
		return;
	x->zero_seen--;
	if (x->zero_seen == 2)
		xxd_emit(x, x->z_addr, zeros, x->cols);
	else if (x->zero_seen > 2)
		tool_out_mem("*\n", 2);
	if (x->zero_seen > 0)
		xxd_emit(x, last_addr, zeros, x->cols);
}

static void dump_xxd(struct xxd *x, struct source *s)
{
	const uint8_t *p;
	size_t n, i;
	uint64_t addr = x->base, last = 0;
	int any = 0, partial = 0;

	while ((n = src_next(s, (size_t)x->cols, &p)) > 0) {
		size_t full = n - n % (size_t)x->cols;

		if (!x->autoskip && !x->color && !x->exact) {
			/* The hot loop: whole lines, no squeezing. */
			size_t max = xxd_line_max(x);

			if (x->type == X_NORMAL && x->cols == 16 && x->grp == 2 &&
			    !x->decimal) {
				for (i = 0; i < full; i += 16) {
					char *o = tool_out_reserve(128);

					tool_out_commit(xxd_line16x2(o, addr, p + i,
								     x->upper));
					addr += 16;
				}
			} else {
				for (i = 0; i < full; i += (size_t)x->cols) {
					char *o = tool_out_reserve(max);

					tool_out_commit(xxd_line(x, o, addr, p + i,
								 x->cols));
					addr += (uint64_t)x->cols;
				}
			}
		} else {
			for (i = 0; i < full; i += (size_t)x->cols) {
				xxd_put(x, addr, p + i, x->cols);
				last = addr;
				addr += (uint64_t)x->cols;
			}
		}
		any = any || full > 0;
		if (full < n) {
			/* Only the last chunk can end in a partial line; xxd
			 * always shows it (as a non-zero line). */
			if (x->autoskip) {
				if (x->zero_seen == 2)
					xxd_emit(x, x->z_addr, zeros, x->cols);
				else if (x->zero_seen > 2)
					tool_out_mem("*\n", 2);
				x->zero_seen = 0;
			}
			xxd_emit(x, addr, p + full, (int)(n - full));
			addr += n - full;
			partial = 1;
		}
	}
	if (!partial && any)
		xxd_finish(x, last);
}

/* ------------------------------------------------------------------ */
/* xxd -p and -i                                                       */

static void dump_plain(const struct opts *o, struct source *s)
{
	int cols = o->cols_given ? o->cols : 30;
	const uint8_t *p;
	size_t n, col = 0;

	if (cols < 0)
		bad_usage("%s", "invalid number of columns: negative");
	while ((n = src_next(s, 0, &p)) > 0) {
		size_t i = 0;

		while (i < n) {
			/* Up to the end of the line, or of the chunk. */
			size_t k = n - i, room = cols > 0 ? (size_t)cols - col : k;
			char *w;

			if (k > room)
				k = room;
			if (k > TOOL_OUT_SIZE / 4)
				k = TOOL_OUT_SIZE / 4;
			w = tool_out_reserve(2 * k + 1);
			hex_encode(w, p + i, k, o->upper);
			w += 2 * k;
			i += k;
			col += k;
			if (cols > 0 && col == (size_t)cols) {
				*w++ = '\n';
				col = 0;
			}
			tool_out_commit(w);
		}
	}
	/* As xxd: a final newline after a partial line, and always with -c 0. */
	if (cols == 0 || col > 0)
		tool_out_mem("\n", 1);
}

/* xxd's mangling: non-alphanumerics become '_', a leading digit gets
 * "__", and --capitalize upper-cases the letters (C locale). */
static void put_c_name(const char *name, int capitalize)
{
	if (name[0] >= '0' && name[0] <= '9')
		tool_out_str("__");
	for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
		char ch = (char)*c;

		if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') ||
		      (*c >= 'A' && *c <= 'Z')))
			ch = '_';
		else if (capitalize && *c >= 'a' && *c <= 'z')
			ch = (char)(*c - 'a' + 'A');
		tool_out_mem(&ch, 1);
	}
}

static void dump_include(const struct opts *o, const struct input *in,
			 struct source *s)
{
	const char (*pair)[2] = hexpair[o->upper];
	const char *name = o->name;
	int cols = o->cols_given ? o->cols : 12;
	const uint8_t *p;
	size_t n;
	uint64_t count = 0;

	if (cols < 0)
		bad_usage("%s", "invalid number of columns: negative");
	if (cols == 0)
		cols = 12;
	if (name == NULL && in->label[0] != '\0')
		name = in->label;
	/* As xxd: standard input has no name, and then no declarations. */
	if (name == NULL && strcmp(o->path, "-") != 0)
		name = o->path;
	if (name != NULL) {
		tool_out_str("unsigned char ");
		put_c_name(name, o->capitalize);
		tool_out_str("[] = {\n");
	}
	while ((n = src_next(s, 0, &p)) > 0) {
		for (size_t i = 0; i < n; i++, count++) {
			char *w = tool_out_reserve(16);

			if (count == 0) {
				memcpy(w, "  ", 2);
				w += 2;
			} else if (count % (uint64_t)cols == 0) {
				memcpy(w, ",\n  ", 4);
				w += 4;
			} else {
				memcpy(w, ", ", 2);
				w += 2;
			}
			*w++ = '0';
			*w++ = o->upper ? 'X' : 'x';
			memcpy(w, pair[p[i]], 2);
			tool_out_commit(w + 2);
		}
	}
	if (count > 0)
		tool_out_str("\n");
	if (name == NULL)
		return;
	tool_out_str("};\nunsigned int ");
	put_c_name(name, o->capitalize);
	/* xxd prints the count as a C int. */
	tool_out_printf("_%s = %d;\n", o->capitalize ? "LEN" : "len",
			(int)(unsigned)count);
}

/* ------------------------------------------------------------------ */
/* hexdump -C                                                          */

struct canon {
	int squeeze, color;
	uint64_t shown;         /* display offset added to addresses */
};

/* "%08.8_ax  " then 16 columns of "xx " with an extra space after the
 * eighth, " |", the characters, "|\n".  Missing bytes of the last line
 * are blanks; its character column is as long as the line. */
static char *canon_line(char *o, uint64_t addr, const uint8_t *p, int n)
{
	char hx[32], *h;

	o = put_hex_addr(o, addr);
	memcpy(o, spaces, 52);
	h = o + 2;
	hex_encode(hx, p, (size_t)n, 0);
	if (n == 16) {
		/* Spelt out: compilers keep these short loops as loops. */
#define CP2(i) memcpy(h + 3 * (i) + ((i) >= 8), hx + 2 * (i), 2)
		CP2(0); CP2(1); CP2(2); CP2(3); CP2(4); CP2(5); CP2(6); CP2(7);
		CP2(8); CP2(9); CP2(10); CP2(11); CP2(12); CP2(13); CP2(14); CP2(15);
#undef CP2
	} else {
		for (int i = 0; i < n; i++)
			memcpy(h + 3 * i + (i >= 8), hx + 2 * i, 2);
	}
	o[52] = '|';
	asc_encode(o + 53, p, (size_t)n);
	o[53 + n] = '|';
	o[54 + n] = '\n';
	return o + 55 + n;
}

static void canon_emit(const struct canon *c, uint64_t addr, const uint8_t *p,
		       int n)
{
	char *o = tool_out_reserve(96);

	if (!c->color) {
		tool_out_commit(canon_line(o, addr, p, n));
		return;
	}
	{
		char line[160];
		int16_t owner[160];
		char *end = canon_line(line, addr, p, n);
		size_t len = (size_t)(end - line);
		size_t a = len - (size_t)n - 53; /* start of the hex */

		for (size_t i = 0; i < len; i++)
			owner[i] = -1;
		for (int i = 0; i < n; i++) {
			size_t h = a + 3 * (size_t)i + (i >= 8);

			owner[h] = owner[h + 1] = (int16_t)i;
			owner[len - 2 - (size_t)n + (size_t)i] = (int16_t)i;
		}
		put_colored(line, len, owner, p);
	}
}

/*
 * hexdump's rules (util-linux): a full line equal to the one before it is
 * replaced by a single "*" per run (never the first line, never a partial
 * last line); the end address follows the data.  With no data at all the
 * end address is printed only when it is not 0 (a skip into a non-empty
 * input), and -n 0 prints nothing.
 */
static void dump_canon(struct canon *c, struct source *s, uint64_t start,
		       uint64_t limit)
{
	const uint8_t *p;
	uint8_t prev[16];
	size_t n, i;
	uint64_t addr = start;
	int have_prev = 0, starred = 0;

	if (limit == 0)
		return;
	while ((n = src_next(s, 16, &p)) > 0) {
		for (i = 0; i + 16 <= n; i += 16) {
			if (c->squeeze && have_prev &&
			    memcmp(p + i, prev, 16) == 0) {
				if (!starred) {
					tool_out_mem("*\n", 2);
					starred = 1;
				}
			} else {
				canon_emit(c, addr + c->shown, p + i, 16);
				memcpy(prev, p + i, 16);
				have_prev = 1;
				starred = 0;
			}
			addr += 16;
		}
		if (i < n) {
			canon_emit(c, addr + c->shown, p + i, (int)(n - i));
			addr += n - i;
		}
	}
	if (addr != 0) {
		char *o = tool_out_reserve(24);

		o = put_hex_addr(o, addr + c->shown);
		*o++ = '\n';
		tool_out_commit(o);
	}
}

/* ------------------------------------------------------------------ */
/* --raw                                                               */

static void dump_raw(struct source *s)
{
	const uint8_t *p;
	size_t n;

	/* Copied through the output buffer, not handed to write(2) straight
	 * from the mapping: a page truncated away must fault here, under the
	 * guard, and not come back as EFAULT from the kernel. */
	while ((n = src_next(s, 0, &p)) > 0)
		tool_out_mem(p, n);
}

/* ------------------------------------------------------------------ */
/* Typed dumps: -t                                                     */

struct typed {
	char order;             /* '<' or '>' */
	char kind;              /* b u i f c */
	uint32_t itemsize;
};

/* One element as text; returns the end. */
static char *put_value(char *o, const struct typed *t, const uint8_t *p)
{
	unsigned n = t->itemsize;
	uint64_t v;

	switch (t->kind) {
	case 'b':
		return o + sprintf(o, "%s", p[0] ? "True" : "False");
	case 'u':
		return o + sprintf(o, "%" PRIu64, tool_load(p, n, t->order));
	case 'i':
		v = tool_load(p, n, t->order);
		if (n < 8 && (v >> (8 * n - 1)) & 1)
			v |= ~(uint64_t)0 << (8 * n);
		return o + sprintf(o, "%" PRId64, (int64_t)v);
	case 'f':
		return tool_put_float(o, tool_load_float(p, n, t->order), n, 1);
	default: {
		/* Complex, as Python and NumPy show scalars: (a+bj). */
		double re = tool_load_float(p, n / 2, t->order);
		double im = tool_load_float(p + n / 2, n / 2, t->order);

		*o++ = '(';
		o = tool_put_float(o, re, n / 2, 0);
		if (!signbit(im) || isnan(im))
			*o++ = '+';
		o = tool_put_float(o, isnan(im) ? fabs(im) : im, n / 2, 0);
		*o++ = 'j';
		*o++ = ')';
		return o;
	}
	}
}

/* Python slice bounds A:B over n rows. */
static void parse_rows(const char *arg, uint64_t n, uint64_t *a, uint64_t *b)
{
	const char *colon = arg != NULL ? strchr(arg, ':') : NULL;
	char first[64];
	int neg;
	uint64_t mag;

	*a = 0;
	*b = n;
	if (arg == NULL)
		return;
	if (colon == NULL || (size_t)(colon - arg) >= sizeof first)
		bad_usage("invalid --rows '%s' (A:B, A: or :B)", arg);
	memcpy(first, arg, (size_t)(colon - arg));
	first[colon - arg] = '\0';
	if (first[0] != '\0') {
		if (tool_parse_signed(first, &neg, &mag) < 0)
			bad_usage("invalid --rows '%s' (A:B, A: or :B)", arg);
		*a = neg ? (mag > n ? 0 : n - mag) : (mag > n ? n : mag);
	}
	if (colon[1] != '\0') {
		if (tool_parse_signed(colon + 1, &neg, &mag) < 0)
			bad_usage("invalid --rows '%s' (A:B, A: or :B)", arg);
		*b = neg ? (mag > n ? 0 : n - mag) : (mag > n ? n : mag);
	}
	if (*b < *a)
		*b = *a;
}

/* The dtype and shape a typed view or an export uses. */
struct layout {
	char dtype[MMBUF_DTYPE_MAX + 1];
	uint32_t itemsize, ndim;
	uint64_t shape[MMBUF_MAX_DIMS];
};

/*
 * The buffer's dtype and shape, or TYPE's (a TYPE of another size than the
 * dtype's makes the data flat).  Only complete rows of the leading axis are
 * used: a shape larger than the length is a table still being filled.
 */
static void get_layout(struct layout *l, const struct input *in,
		       const char *type)
{
	const char *dt = in->buf != NULL ? mmbuf_dtype(in->buf) : "<u1";
	uint32_t bufsize = in->buf != NULL ? mmbuf_itemsize(in->buf) : 1;
	uint64_t row = 1;

	memset(l, 0, sizeof *l);
	if (mmbuf_dtype_parse(type != NULL ? type : dt, l->dtype, &l->itemsize) < 0)
		bad_usage("invalid type '%s' (e.g. <f8, >i4, u1, c16)", type);
	if (in->buf != NULL && l->itemsize == bufsize) {
		const uint64_t *dims;

		l->ndim = mmbuf_shape(in->buf, &dims);
		for (uint32_t i = 0; i < l->ndim; i++)
			l->shape[i] = dims[i];
	}
	if (l->ndim == 0) {
		l->ndim = 1;
		l->shape[0] = in->len / l->itemsize;
		return;
	}
	for (uint32_t i = 1; i < l->ndim; i++)
		row *= l->shape[i];
	if (row > 0 && in->len / l->itemsize / row < l->shape[0])
		l->shape[0] = in->len / l->itemsize / row;
}

static void dump_typed(const struct opts *o, const struct input *in)
{
	struct layout l;
	struct typed t;
	struct source rs;       /* only to let go of the rows shown */
	uint64_t rows = 1, rowlen, a, b;
	const char *code;

	if (in->data == NULL && in->fd >= 0)
		tool_die(TOOL_EXIT_INPUT, in->path, "-t needs a regular file");
	get_layout(&l, in, o->type);
	t.order = l.dtype[0];
	code = l.dtype + 1;
	t.kind = code[0];
	t.itemsize = l.itemsize;
	if (l.ndim == 1) {
		/* One element per line, indexed. */
		rowlen = 1;
		rows = l.shape[0];
	} else {
		rowlen = l.shape[l.ndim - 1];
		for (uint32_t i = 0; i + 1 < l.ndim; i++)
			rows *= l.shape[i];
	}
	/* No elements, no rows: a shape of 2^63 x 0 is 2^63 empty rows,
	 * which would never end. */
	for (uint32_t i = 0; i < l.ndim; i++)
		if (l.shape[i] == 0)
			rows = 0;
	parse_rows(o->rows, rows, &a, &b);
	memset(&rs, 0, sizeof rs);
	rs.in = in;
	rs.released = a * rowlen * l.itemsize;
	for (uint64_t r = a; r < b; r++) {
		const uint8_t *p = in->data + r * rowlen * l.itemsize;
		char *w = tool_out_reserve(96);
		uint64_t rem = r;
		uint64_t idx[MMBUF_MAX_DIMS];

		/* The index of the row over the leading axes. */
		if (l.ndim == 1) {
			idx[0] = r;
		} else {
			for (int d = (int)l.ndim - 2; d >= 0; d--) {
				idx[d] = l.shape[d] ? rem % l.shape[d] : 0;
				rem = l.shape[d] ? rem / l.shape[d] : 0;
			}
		}
		*w++ = '[';
		for (uint32_t d = 0; d < (l.ndim == 1 ? 1 : l.ndim - 1); d++)
			w += sprintf(w, "%s%" PRIu64, d ? ", " : "", idx[d]);
		*w++ = ']';
		tool_out_commit(w);
		for (uint64_t k = 0; k < rowlen; k++) {
			w = tool_out_reserve(96);
			*w++ = ' ';
			w = put_value(w, &t, p + k * l.itemsize);
			tool_out_commit(w);
		}
		tool_out_mem("\n", 1);
		rs.pos = (r + 1) * rowlen * l.itemsize;
		release_behind(&rs);
	}
}

/* ------------------------------------------------------------------ */
/* --npy                                                               */

static void dump_npy(const struct input *in)
{
	struct layout l;
	uint64_t bytes;
	const uint8_t *p;
	struct source s;
	size_t n;

	if (in->data == NULL && in->fd >= 0)
		tool_die(TOOL_EXIT_INPUT, in->path, "--npy needs a regular file");
	get_layout(&l, in, NULL);
	bytes = tool_npy_write_header(l.dtype, l.itemsize, l.ndim, l.shape);
	memset(&s, 0, sizeof s);
	s.in = in;
	s.end = bytes;
	while ((n = src_next(&s, 0, &p)) > 0)
		tool_out_mem(p, n);
}
/* ------------------------------------------------------------------ */
/* Range                                                               */

/*
 * Resolve -s as xxd does on a file: OFF and +OFF from the start of the
 * data, -OFF from its end; a position past the end shows nothing but
 * keeps its offset; one before the start is an error.
 */
static void resolve_range(const struct opts *o, struct input *in,
			  struct source *s, uint64_t *start)
{
	uint64_t pos = 0, mag = 0;
	int neg = 0;
	const char *arg = o->skip_arg;

	memset(s, 0, sizeof *s);
	s->in = in;
	if (arg != NULL) {
		int rel = arg[0] == '+';

		(void)tool_parse_signed(arg + rel, &neg, &mag);
		if (neg) {
			if (rel) {
				if (mag > 0)
					tool_die(TOOL_EXIT_SEEK, in->path,
						 "cannot seek to -%" PRIu64
						 ": before the start of the data",
						 mag);
			} else if (in->len == UINT64_MAX) {
				tool_die(TOOL_EXIT_SEEK, in->path,
					 "cannot seek from the end of a stream");
			} else if (mag > in->len) {
				tool_die(TOOL_EXIT_SEEK, in->path,
					 "cannot seek to %" PRIu64 " before the end: "
					 "the data has %" PRIu64 " bytes",
					 mag, in->len);
			} else {
				pos = in->len - mag;
			}
		} else {
			pos = mag;
		}
	}
	*start = pos;
	if (in->len == UINT64_MAX) {
		s->end = o->limit == UINT64_MAX || pos > UINT64_MAX - o->limit
			 ? UINT64_MAX : pos + o->limit;
		(void)src_discard(s, pos);
		if (s->pos < pos) {
			/* A stream shorter than the skip: like a file, show
			 * nothing (the offsets keep the skip). */
			s->end = s->pos;
		}
		return;
	}
	s->pos = pos < in->len ? pos : in->len;
	s->released = s->pos;
	s->end = in->len;
	if (o->limit < s->end - s->pos)
		s->end = s->pos + o->limit;
}


/* ------------------------------------------------------------------ */
/* Header views: -H, --json, --slots                                   */
/*
 * These read the header pages themselves (not through mmbuf_open), so a
 * damaged file can still be looked at.  The library says which slots are
 * intact (mmbuf_validate_header); the fields of each slot are decoded here
 * from the byte offsets of mmbuf(5), so a damaged slot shows what it holds.
 */

/* ISO 8601 UTC with nanoseconds. */
static void fmt_time(char *o, size_t sz, int64_t ns)
{
	time_t t = (time_t)(ns / 1000000000);
	long frac = (long)(ns % 1000000000);
	struct tm tm;

	if (frac < 0) {
		frac += 1000000000;
		t--;
	}
	if (gmtime_r(&t, &tm) == NULL) {
		snprintf(o, sz, "?");
		return;
	}
	snprintf(o, sz, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, frac);
}

static void fmt_flags(char *o, size_t sz, const char *kind, uint64_t v)
{
	int n = snprintf(o, sz, "0x%" PRIx64, v);
	const char *a = NULL, *b = NULL;

	if (strcmp(kind, "compat") == 0 && (v & MMBUF_COMPAT_DATA_CHECKSUM))
		a = "data-checksum";
	if (strcmp(kind, "ro_compat") == 0) {
		if (v & MMBUF_RO_COMPAT_LOCKING)
			a = "locking";
		if (v & MMBUF_RO_COMPAT_BLOCK_TABLE)
			b = "block-table";
	}
	if (a != NULL || b != NULL)
		snprintf(o + n, sz - (size_t)n, " [%s%s%s]", a ? a : "",
			 a && b ? ", " : "", b ? b : "");
}

static void fmt_state(char *o, size_t sz, uint32_t st)
{
	snprintf(o, sz, "%s%s%s%s",
		 st == 0 ? "clean" : "",
		 st & MMBUF_STATE_WRITER_OPEN ? "writer-open" : "",
		 (st & MMBUF_STATE_WRITER_OPEN) && (st & MMBUF_STATE_SEALED)
		 ? ", " : "",
		 st & MMBUF_STATE_SEALED ? "sealed" : "");
	if (st & ~MMBUF_STATE_KNOWN)
		snprintf(o + strlen(o), sz - strlen(o), "%sunknown bits 0x%x",
			 st & MMBUF_STATE_KNOWN ? ", " : "",
			 (unsigned)(st & ~MMBUF_STATE_KNOWN));
}

static void fmt_shape(char *o, size_t sz, const uint8_t *slot)
{
	uint32_t ndim = (uint32_t)tool_slot_u(slot, TOOL_F_NDIM);
	size_t n = 0;

	if (ndim == 0) {
		snprintf(o, sz, "none (flat)");
		return;
	}
	if (ndim > MMBUF_MAX_DIMS) {
		snprintf(o, sz, "invalid (ndim %" PRIu32 ")", ndim);
		return;
	}
	n += (size_t)snprintf(o + n, sz - n, "(");
	for (uint32_t i = 0; i < ndim; i++)
		n += (size_t)snprintf(o + n, sz - n, "%s%" PRIu64, i ? ", " : "",
				      tool_slot_dim(slot, i));
	snprintf(o + n, sz - n, ndim == 1 ? ",)" : ")");
}

/* -H */
static void show_header(const struct tool_header *h)
{
	char buf[1400];

	tool_out_str("file:            ");
	tool_out_ctext(h->path);
	tool_out_str("\n");
	tool_out_printf("file size:       %" PRIu64 "\n", h->file_size);
	if (h->err == 0)
		tool_out_printf("header:          valid, slot %d is current\n",
				h->info.slot);
	else
		tool_out_printf("header:          INVALID: %s\n",
				mmbuf_strerror(h->err));
	for (int i = 0; i < 2; i++) {
		const uint8_t *p = tool_slot_bytes(h, i);
		int st = tool_slot_status(h, i);
		uint64_t v[TOOL_F_COUNT];
		uint32_t itemsize = 0;
		char dtype[9];

		tool_out_printf("\nslot %d:          %s%s\n", i, tool_status_text(st),
				tool_slot_current(h, i) ? " (current)" : "");
		if (!tool_slot_has_magic(h, i))
			continue;
		tool_slot_values(p, v);
		tool_out_printf("  generation:    %" PRIu64 "\n",
				v[TOOL_F_GENERATION]);
		tool_out_printf("  version:       %u.%u\n",
				(unsigned)v[TOOL_F_VERSION_MAJOR],
				(unsigned)v[TOOL_F_VERSION_MINOR]);
		fmt_state(buf, sizeof buf, (uint32_t)v[TOOL_F_STATE]);
		tool_out_printf("  state:         %s\n", buf);
		tool_out_printf("  writer pid:    %" PRIu32 "\n",
				(uint32_t)v[TOOL_F_WRITER_PID]);
		tool_slot_dtype(dtype, p);
		if (mmbuf_dtype_check(dtype, &itemsize) == 0)
			tool_out_printf("  dtype:         %s (%" PRIu32
					" bytes per element)\n", dtype, itemsize);
		else {
			tool_text(buf, sizeof buf, tool_slot_field(p, TOOL_F_DTYPE),
				  tool_slot_strlen(p, TOOL_F_DTYPE));
			tool_out_printf("  dtype:         \"%s\" (invalid)\n", buf);
		}
		fmt_shape(buf, sizeof buf, p);
		tool_out_printf("  shape:         %s\n", buf);
		tool_text(buf, sizeof buf, tool_slot_field(p, TOOL_F_LABEL),
			  tool_slot_strlen(p, TOOL_F_LABEL));
		tool_out_printf("  label:         \"%s\"\n", buf);
		tool_fmt_uuid(buf, tool_slot_field(p, TOOL_F_UUID));
		tool_out_printf("  uuid:          %s\n", buf);
		fmt_time(buf, sizeof buf, (int64_t)v[TOOL_F_CTIME_NS]);
		tool_out_printf("  created:       %s\n", buf);
		fmt_time(buf, sizeof buf, (int64_t)v[TOOL_F_MTIME_NS]);
		tool_out_printf("  modified:      %s\n", buf);
		tool_out_printf("  data offset:   %" PRIu64 "\n",
				v[TOOL_F_DATA_OFFSET]);
		tool_out_printf("  capacity:      %" PRIu64 "\n", v[TOOL_F_CAPACITY]);
		tool_out_printf("  length:        %" PRIu64 "\n", v[TOOL_F_LENGTH]);
		tool_out_printf("  file size:     %" PRIu64 "\n", v[TOOL_F_FILE_SIZE]);
		fmt_flags(buf, sizeof buf, "compat", v[TOOL_F_COMPAT]);
		tool_out_printf("  compat:        %s\n", buf);
		fmt_flags(buf, sizeof buf, "ro_compat", v[TOOL_F_RO_COMPAT]);
		tool_out_printf("  ro_compat:     %s\n", buf);
		fmt_flags(buf, sizeof buf, "incompat", v[TOOL_F_INCOMPAT]);
		tool_out_printf("  incompat:      %s\n", buf);
		if (v[TOOL_F_COMPAT] & MMBUF_COMPAT_DATA_CHECKSUM)
			tool_out_printf("  data checksum: 0x%016" PRIx64
					" (XXH3-64 at generation %" PRIu64 ", %s)\n",
					v[TOOL_F_DATA_CHECKSUM],
					v[TOOL_F_CHECKSUM_GENERATION],
					v[TOOL_F_STATE] & MMBUF_STATE_SEALED
					? "sealed: current" : "not sealed: may be stale");
		else
			tool_out_printf("  data checksum: none\n");
		tool_out_printf("  header crc32:  0x%08" PRIx32 " (%s)\n",
				(uint32_t)v[TOOL_F_CRC32],
				tool_slot_crc(p) == (uint32_t)v[TOOL_F_CRC32]
				? "matches" : "MISMATCH");
	}
}

/* One xxd-style line of at most 16 bytes at file offset off, padded so
 * that notes line up, with an optional note. */
static void slots_line(uint64_t off, const uint8_t *p, int n, const char *note)
{
	struct xxd x;
	struct opts o;
	char *w, *end;

	memset(&o, 0, sizeof o);
	o.grp = -1;
	xxd_setup(&x, &o);
	w = tool_out_reserve(256 + (note ? strlen(note) : 0));
	end = xxd_line_exact(&x, w, off, p, n);
	if (note != NULL) {
		end--;  /* before the newline */
		memset(end, ' ', (size_t)(16 - n) + 2);
		end += 16 - n + 2;
		memcpy(end, note, strlen(note));
		end += strlen(note);
		*end++ = '\n';
	}
	tool_out_commit(end);
}

/* Bytes [off, off + n) of the file, 16 per line; runs of zero lines after
 * the first become one "*" line. */
static void slots_bytes(const struct tool_header *h, uint64_t off, uint64_t n,
			const char *note)
{
	int zero_run = 0;

	for (uint64_t i = 0; i < n; i += 16) {
		int k = n - i < 16 ? (int)(n - i) : 16;
		const uint8_t *p = h->bytes + off + i;

		if (i > 0 && memcmp(p, zeros, (size_t)k) == 0) {
			if (!zero_run++)
				tool_out_str("*\n");
			continue;
		}
		zero_run = 0;
		slots_line(off + i, p, k, i == 0 ? note : NULL);
	}
}

static void field_note(char *o, size_t sz, const struct tool_field *f,
		       const uint8_t *slot)
{
	const uint8_t *p = slot + f->off;
	uint64_t v = f->size <= 8 ? tool_le(p, f->size) : 0;
	char t[300];

	switch (f->type) {
	case TOOL_FT_MAGIC:
		snprintf(o, sz, "%s (%s)", f->name,
			 memcmp(p, MMBUF_MAGIC, 8) == 0 ? "ok" : "BAD");
		break;
	case TOOL_FT_U16: case TOOL_FT_U32: case TOOL_FT_U64:
		snprintf(o, sz, "%s = %" PRIu64, f->name, v);
		break;
	case TOOL_FT_FLAGS:
		fmt_flags(t, sizeof t, f->name, v);
		snprintf(o, sz, "%s = %s", f->name, t);
		break;
	case TOOL_FT_UUID:
		tool_fmt_uuid(t, p);
		snprintf(o, sz, "%s = %s", f->name, t);
		break;
	case TOOL_FT_TIME:
		fmt_time(t, sizeof t, (int64_t)v);
		snprintf(o, sz, "%s = %" PRId64 " (%s)", f->name, (int64_t)v, t);
		break;
	case TOOL_FT_STATE:
		fmt_state(t, sizeof t, (uint32_t)v);
		snprintf(o, sz, "%s = 0x%" PRIx64 " (%s)", f->name, v, t);
		break;
	case TOOL_FT_DTYPE:
		tool_text(t, sizeof t, p, tool_slot_strlen(slot, TOOL_F_DTYPE));
		snprintf(o, sz, "%s = \"%s\"", f->name, t);
		break;
	case TOOL_FT_SHAPE:
		fmt_shape(t, sizeof t, slot);
		snprintf(o, sz, "%s = %s", f->name, t);
		break;
	case TOOL_FT_LABEL: {
		size_t n = tool_slot_strlen(slot, TOOL_F_LABEL), k = n < 64 ? n : 64;

		/* Cut between characters, not inside one. */
		while (k < n && k > 0 && (p[k] & 0xc0) == 0x80)
			k--;
		tool_text(t, sizeof t, p, k);
		snprintf(o, sz, "%s = \"%s\"%s", f->name, t, n > k ? "..." : "");
		break;
	}
	case TOOL_FT_RESERVED:
		snprintf(o, sz, "%s (%s)", f->name,
			 memcmp(p, zeros, f->size) == 0 ? "zero" : "NOT ZERO");
		break;
	case TOOL_FT_TAIL:
		snprintf(o, sz, "%s = %" PRIu64 " (%s)", f->name, v,
			 v == tool_slot_u(slot, TOOL_F_GENERATION) ? "matches generation"
					      : "TORN: differs from generation");
		break;
	case TOOL_FT_CRC:
		if (tool_slot_crc(slot) == (uint32_t)v)
			snprintf(o, sz, "%s = 0x%08" PRIx64 " (ok)", f->name, v);
		else
			snprintf(o, sz, "%s = 0x%08" PRIx64 " (BAD: computed 0x%08"
				 PRIx32 ")", f->name, v, tool_slot_crc(slot));
		break;
	}
}

/* --slots: like pmempool info -x, every field of both slots. */
static void show_slots(const struct tool_header *h)
{
	char note[512];

	tool_out_str("# ");
	tool_out_ctext(h->path);
	tool_out_printf(": %" PRIu64 " bytes; header: %s%s\n",
			h->file_size, h->err == 0 ? "valid" : "INVALID: ",
			h->err == 0 ? "" : mmbuf_strerror(h->err));
	for (int i = 0; i < 2; i++) {
		uint64_t base = (uint64_t)i * MMBUF_PAGE;
		const uint8_t *p = tool_slot_bytes(h, i);
		int st = tool_slot_status(h, i);

		tool_out_printf("\n# header page %d, slot %d: %s%s\n", i, i,
				tool_status_text(st),
				tool_slot_current(h, i) ? " (current)" : "");
		if (p == NULL) {
			if (h->n > base) {
				tool_out_printf("# only %zu bytes of the slot "
						"are in the file\n",
						(size_t)(h->n - base));
				slots_bytes(h, base, h->n - base, NULL);
			}
			continue;
		}
		for (size_t f = 0; f < TOOL_F_COUNT; f++) {
			field_note(note, sizeof note, &tool_fields[f], p);
			slots_bytes(h, base + tool_fields[f].off, tool_fields[f].size, note);
		}
		{
			uint64_t rest = (h->n < base + MMBUF_PAGE ? h->n : base + MMBUF_PAGE)
					- base - MMBUF_SLOT_SIZE;

			if (rest > 0) {
				int allzero = 1;

				for (uint64_t k = 0; k < rest && allzero; k++)
					allzero = h->bytes[base + MMBUF_SLOT_SIZE + k] == 0;
				if (allzero) {
					tool_out_printf("%08" PRIx64 "-%08" PRIx64
							": %" PRIu64 " bytes of zeros "
							"(rest of the page)\n",
							base + MMBUF_SLOT_SIZE,
							base + MMBUF_SLOT_SIZE + rest - 1,
							rest);
				} else {
					tool_out_str("# rest of the page (not zero):\n");
					slots_bytes(h, base + MMBUF_SLOT_SIZE, rest,
						    NULL);
				}
			}
		}
	}
}

static int run_header(const struct opts *o)
{
	static struct tool_header h;

	tool_read_header_or_die(&h, o->path);
	if (o->mode == MODE_HEADER)
		show_header(&h);
	else if (o->mode == MODE_JSON)
		tool_header_json(&h);
	else
		show_slots(&h);
	tool_out_finish();
	/* -H and --json show a damaged header but say so in the status;
	 * --slots is the tool for looking at the damage and succeeds. */
	if (h.err != 0 && o->mode != MODE_SLOTS) {
		tool_err(o->path, "%s", mmbuf_strerror(h.err));
		return TOOL_EXIT_INPUT;
	}
	return TOOL_EXIT_OK;
}

/* ------------------------------------------------------------------ */

static int g_color;

static void run_dump(const struct opts *o, struct input *in)
{
	struct source s;
	uint64_t start;

	resolve_range(o, in, &s, &start);
	if (TOOL_GUARD_SETJMP() != 0) {
		tool_die(TOOL_EXIT_INPUT, in->path,
			 "the file shrank while it was read (at data offset %"
			 PRIu64 ")", tool_guard_fault_offset());
	}
	if (in->data != NULL)
		tool_guard_arm(in->data, in->len);

	switch (o->mode) {
	case MODE_RAW:
		dump_raw(&s);
		break;
	case MODE_CANON: {
		struct canon c = { !o->nosqueeze, g_color, o->display_off };
		uint64_t first = start;

		/* hexdump -s past the end of a regular file starts at its
		 * size. */
		if (in->len != UINT64_MAX && first > in->len)
			first = in->len;
		else if (in->len == UINT64_MAX)
			first = s.pos;
		dump_canon(&c, &s, first, o->limit);
		break;
	}
	case MODE_TYPED:
		dump_typed(o, in);
		break;
	case MODE_NPY:
		dump_npy(in);
		break;
	case MODE_HEADER:
	case MODE_JSON:
	case MODE_SLOTS:
		break;
	case MODE_XXD:
		if (o->xtype == X_PLAIN) {
			dump_plain(o, &s);
		} else if (o->xtype == X_INCLUDE) {
			dump_include(o, in, &s);
		} else {
			struct xxd x;

			xxd_setup(&x, o);
			x.color = g_color;
			x.base = start + o->display_off;
			dump_xxd(&x, &s);
		}
		break;
	}
	tool_guard_disarm();
	free(s.buf);
}

int main(int argc, char **argv)
{
	struct opts o;
	struct input in;

	tool_init(argv[0]);
	parse_opts(&o, argc, argv);
	init_tables();
	g_color = tool_color_enabled(o.color);
	if (o.mode != MODE_XXD && o.mode != MODE_CANON)
		g_color = 0;

	if (o.mode >= MODE_HEADER)
		return run_header(&o);
	open_input(&in, &o);
	run_dump(&o, &in);
	tool_out_finish();
	close_input(&in);
	return TOOL_EXIT_OK;
}
