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

#include "mmbuf.h"
#include "common.h"
#include "dumpbuf.h"

/* ------------------------------------------------------------------ */

static const char short_opts[] = "c:g:ueapibdo:s:n:l:CvHt::FfhV";

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
	{ "length", required_argument, NULL, OPT_LENGTH },
	{ "len", required_argument, NULL, OPT_LENGTH },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "capitalize", no_argument, NULL, OPT_CAPITALIZE },
	{ "canonical", no_argument, NULL, 'C' },
	{ "no-squeeze", no_argument, NULL, 'v' },
	{ "raw", no_argument, NULL, OPT_RAW },
	{ "typed", optional_argument, NULL, 't' },
	{ "rows", required_argument, NULL, OPT_ROWS },
	{ "csv", no_argument, NULL, OPT_CSV },
	{ "tsv", no_argument, NULL, OPT_TSV },
	{ "npy", no_argument, NULL, OPT_NPY },
	{ "header", no_argument, NULL, 'H' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "slots", no_argument, NULL, OPT_SLOTS },
	{ "any-file", no_argument, NULL, 'F' },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "follow", no_argument, NULL, 'f' },
	{ "until-closed", no_argument, NULL, OPT_UNTIL_CLOSED },
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
"      --raw             write the data bytes unchanged (not to a\n"
"                        terminal unless --force)\n"
"  -t, --typed[=TYPE]    the values as elements of the dtype (or TYPE), one\n"
"                        row per last-axis row; also -t TYPE FILE\n"
"      --rows SLICE      with -t, only these rows, as Python slices a list:\n"
"                        I (one row; -1 is the last), A:B or A:B:STEP\n"
"      --csv, --tsv      with -t, values only, comma or tab separated, one\n"
"                        row per line (ndim > 2: the leading axes in turn)\n"
"      --npy             write a NumPy .npy file of the data (not to a\n"
"                        terminal unless --force)\n"
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
"  -i, --include         C include file; the name is -n, the buffer's\n"
"                        label, or FILE\n"
"  -n, --name NAME       the variable name for -i (-n is the length\n"
"                        with -C, as in hexdump)\n"
"      --capitalize      capitalise the variable names of -i (xxd -C)\n"
"  -b, --bits            binary digits instead of hex\n"
"  -d, --decimal         decimal offsets\n"
"  -o, --offset OFF      add OFF to the displayed offsets\n"
"\n"
"Range (relative to the start of the data):\n"
"  -s, --skip OFF        start at OFF; a negative OFF counts from the end\n"
"  -l, --len LEN         show at most LEN bytes (also --length; -n LEN\n"
"                        with -C and outside the xxd layouts)\n"
"  -v, --no-squeeze      with -C, show repeated lines\n"
"\n"
"Following a writer (tail -f):\n"
"  -f, --follow          after the data, show what writers commit as they\n"
"                        commit it (xxd layout, -C, --raw, -t), until\n"
"                        SIGINT, SIGTERM or SIGHUP; waits for FILE to\n"
"                        appear\n"
"      --until-closed    with -f, end when no writer has FILE open (at\n"
"                        once if none has)\n"
"\n"
"Other options:\n"
"  -F, --any-file        read FILE as raw data without a buffer header\n"
"                        (FILE may be - for standard input)\n"
"      --force           write --raw or --npy output to a terminal too\n"
"      --color[=WHEN]    colour bytes by class: auto (the default: on a\n"
"                        terminal, unless NO_COLOR is set or TERM=dumb),\n"
"                        always (also --color alone) or never\n"
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n"
"\n"
"Numbers: decimal, 0x hex or leading-0 octal, with an optional K, M, G or T\n"
"suffix (powers of 1024).\n"
"\n"
"Exit status: 0 success, 2 input error (cannot open or read FILE, bad\n"
"header, FILE shrank while read; with --until-closed, the writer ended\n"
"without closing FILE), 3 write error or binary output refused on a\n"
"terminal, 4 a seek before the start of the data, 64 usage error.\n",
		tool_name);
	exit(status);
}

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
			/* A name or a length: the layout decides, below. */
			o->n_arg = optarg;
			break;
		case 'l':
		case OPT_LENGTH:
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
		case OPT_CSV: o->sep = ','; break;
		case OPT_TSV: o->sep = '\t'; break;
		case OPT_NPY: set_mode(o, MODE_NPY, "--npy"); break;
		case 'H': set_mode(o, MODE_HEADER, "-H"); break;
		case OPT_JSON: set_mode(o, MODE_JSON, "--json"); break;
		case OPT_SLOTS: set_mode(o, MODE_SLOTS, "--slots"); break;
		case 'F': o->any_file = 1; break;
		case OPT_FORCE: o->force = 1; break;
		case 'f': o->follow = 1; break;
		case OPT_UNTIL_CLOSED: o->until_closed = 1; break;
		case OPT_COLOR:
			o->color = tool_color_parse(optarg);
			if (o->color < 0)
				bad_usage("invalid --color argument: '%s' "
					  "(auto, always or never)", optarg);
			break;
		case 'h': usage(stdout, TOOL_EXIT_OK); break;
		case 'V': tool_print_version(); exit(TOOL_EXIT_OK);
		default:
			tool_getopt_error(short_opts, long_opts, argv);
		}
	}
	/* "-t TYPE FILE": an optional argument must be attached to -t, so
	 * a type given as a separate word comes as an extra operand. */
	if (o->mode == MODE_TYPED && o->type == NULL && optind + 2 == argc)
		o->type = argv[optind++];
	o->path = tool_one_operand(argc, argv);

	/*
	 * -n means what it means to the peer whose layout is shown: in
	 * xxd's layouts the name of -i's C variable (xxd -n), elsewhere the
	 * length (hexdump -n).  xxd ignores -n without -i; here that is an
	 * error, since -n was the length in every layout before.
	 */
	if (o->n_arg != NULL && o->mode == MODE_XXD) {
		if (o->xtype != X_INCLUDE)
			bad_usage("-n names the C variable of -i, as in xxd; "
				  "the length is -l LEN");
		if (o->name == NULL)
			o->name = o->n_arg;
	} else if (o->n_arg != NULL &&
		   tool_parse_u64(o->n_arg, &o->limit) < 0) {
		bad_usage("invalid length: '%s'", o->n_arg);
	}

	if (o->xxd_opts && o->mode != MODE_XXD)
		bad_usage("%s cannot be used with this mode", o->xxd_opt);
	if (o->nosqueeze && o->mode != MODE_CANON)
		bad_usage("%s", "-v is only meaningful with -C");
	if (o->display_off && o->mode == MODE_RAW)
		bad_usage("%s", "-o cannot be used with --raw");
	if (o->rows != NULL && o->mode != MODE_TYPED)
		bad_usage("%s", "--rows is only meaningful with -t");
	if (o->sep && o->mode != MODE_TYPED)
		bad_usage("%s is only meaningful with -t",
			  o->sep == ',' ? "--csv" : "--tsv");
	if ((o->mode == MODE_TYPED || o->mode == MODE_NPY) &&
	    (o->skip_arg != NULL || o->limit != UINT64_MAX || o->display_off))
		bad_usage("%s cannot be used with -s, -n or -o (use --rows)",
			  o->mode_name);
	if (o->until_closed && !o->follow)
		bad_usage("%s", "--until-closed is only meaningful with --follow");
	if (o->follow) {
		if (o->any_file)
			bad_usage("%s", "--follow cannot be used with -F");
		if (o->mode != MODE_XXD && o->mode != MODE_CANON &&
		    o->mode != MODE_RAW && o->mode != MODE_TYPED)
			bad_usage("--follow cannot be used with %s", o->mode_name);
		if (o->mode == MODE_XXD && o->xtype == X_PLAIN)
			bad_usage("%s", "--follow cannot be used with -p");
		if (o->mode == MODE_XXD && o->xtype == X_INCLUDE)
			bad_usage("%s", "--follow cannot be used with -i");
		if (o->rows != NULL && o->rows[0] != '\0' &&
		    o->rows[strlen(o->rows) - 1] != ':')
			bad_usage("%s", "--rows with --follow takes a start "
				  "only (A:)");
	}
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
TOOL_NORETURN void open_failed(const char *path, int err)
{
	static struct tool_header h;
	int s0, s1;

	/* Not a buffer: a .npy file is named as one; anything else -F
	 * dumps. */
	if (err == MMBUF_EMAGIC && tool_file_is_npy(path))
		tool_die(TOOL_EXIT_INPUT, path, "%s", TOOL_NPY_NOT_BUFFER);
	if (err == MMBUF_EMAGIC)
		tool_die(TOOL_EXIT_INPUT, path, "%s; -F dumps any file",
			 mmbuf_strerror(err));
	if (err > MMBUF_ERR_MAX || err < MMBUF_ERR_MIN || err == MMBUF_ENOTREG ||
	    tool_read_header(&h, path) != 0)
		tool_die(TOOL_EXIT_INPUT, path, "%s", mmbuf_strerror(err));
	s0 = h.info.slot_status[0];
	s1 = h.info.slot_status[1];
	tool_die(TOOL_EXIT_INPUT, path,
		 "%s (slot 0: %s; slot 1: %s); see dumpbuf --slots",
		 mmbuf_strerror(err), tool_status_text(s0),
		 tool_status_text(s1));
}

/*
 * "-" names standard input only with -F: a buffer is mapped, so it must be
 * a file.  A file that is really called "-" is still opened as a buffer.
 */
static void refuse_stdin_buffer(const struct opts *o)
{
	struct stat st;

	if (o->any_file || strcmp(o->path, "-") != 0 ||
	    stat(o->path, &st) == 0 || errno != ENOENT)
		return;
	if (o->mode >= MODE_HEADER)
		tool_die(TOOL_EXIT_INPUT, o->path, "a buffer must be a file, "
			 "not standard input");
	tool_die(TOOL_EXIT_INPUT, o->path, "a buffer must be a file, not "
		 "standard input; -F - dumps standard input as raw data");
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
 * Memory stays bounded however large the file: the pages of the mapping
 * that were formatted are dropped from our page tables as we go (they
 * stay in the page cache), so the resident size does not grow with the
 * file.  Two chunks stay mapped: the one being formatted may be read
 * again (-C compares a line with the one before it).
 */
void release_behind(struct source *s)
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

size_t src_next(struct source *s, size_t unit, const uint8_t **p)
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
	if (s->eof)
		return 0;
	if (s->in->fd < 0 && s->in->buf == NULL)
		return 0;
	if (s->buf == NULL && (s->buf = malloc(CHUNK)) == NULL)
		tool_die(TOOL_EXIT_INPUT, NULL, "out of memory");
	if (s->in->fd < 0) {
		int err = mmbuf_read(s->in->buf, s->pos, s->buf, want);

		if (err == MMBUF_ETRUNCATED) {
			s->eof = 1;
			return 0;
		}
		if (err < 0)
			tool_die(TOOL_EXIT_INPUT, s->in->path, "read error: %s",
				 mmbuf_strerror(err));
		*p = s->buf;
		s->pos += want;
		return want;
	}
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
/* Range                                                               */

/*
 * Resolve -s as xxd does on a file: OFF and +OFF from the start of the
 * data, -OFF from its end; a position past the end shows nothing but
 * keeps its offset; one before the start is an error.
 */
uint64_t resolve_skip(const struct opts *o, const struct input *in)
{
	uint64_t pos = 0, mag = 0;
	int neg = 0;
	const char *arg = o->skip_arg;

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
	return pos;
}

static void resolve_range(const struct opts *o, struct input *in,
			  struct source *s, uint64_t *start)
{
	uint64_t pos = resolve_skip(o, in);

	memset(s, 0, sizeof *s);
	s->in = in;
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
		tool_err(o->path, "%s", tool_buffer_strerror(o->path, h.err));
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
		struct canon c;
		uint64_t first = start;

		canon_setup(&c, o, g_color);

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

	/* Binary on a terminal garbles it and helps nobody (as zstd). */
	if ((o.mode == MODE_RAW || o.mode == MODE_NPY) && !o.force &&
	    isatty(STDOUT_FILENO))
		tool_die(TOOL_EXIT_OUTPUT, NULL, "refusing to write binary data "
			 "(%s) to a terminal; redirect the output, or give "
			 "--force", o.mode_name);
	refuse_stdin_buffer(&o);
	if (o.mode >= MODE_HEADER)
		return run_header(&o);
	if (o.follow)
		return follow(&o, g_color);
	open_input(&in, &o);
	run_dump(&o, &in);
	tool_out_finish();
	close_input(&in);
	return TOOL_EXIT_OK;
}
