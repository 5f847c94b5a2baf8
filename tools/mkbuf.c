/*
 * mkbuf - create a buffer file, empty, filled with a byte, or holding the
 * bytes of a file, of standard input or of a NumPy .npy array.  See
 * mkbuf(1).
 *
 * The buffer is never built under its final name.  mmbuf_create() makes
 * it unpublished (MMBUF_CREATE_UNPUBLISHED: an unnamed file where the
 * filesystem has O_TMPFILE), the data is written into it with
 * mmbuf_write(), it is sealed if asked, and only then does mmbuf_publish()
 * sync it and give it its name: renamed over FILE with -f, linked without,
 * so an existing FILE is never touched.  Any failure, and SIGINT, SIGTERM
 * or SIGHUP, closes the unpublished buffer, which discards it, so no
 * partial buffer is ever left behind under any name; a SIGKILL leaves
 * nothing either where the file has no name.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mmbuf.h"
#include "common.h"

/* Exit statuses: see EXIT STATUS in mkbuf(1). */
#define EXIT_USAGE TOOL_EXIT_USAGE   /* 64: the command line is wrong */
#define EXIT_INPUT TOOL_EXIT_INPUT   /* 2: cannot read --from, bad .npy */
#define EXIT_CREATE TOOL_EXIT_OUTPUT /* 3: cannot create or write FILE */

#define CHUNK (4u << 20)

/* After a full disk, when the space was only reserved, not written. */
#define SPARSE_HINT "--sparse does not reserve the space on disk"

/* The one copy buffer: static, so that no exit path leaks it. */
static uint8_t chunk[CHUNK];

enum {
	OPT_SHAPE = 256, OPT_LENGTH, OPT_ALIGN, OPT_SPARSE, OPT_MODE, OPT_FROM,
	OPT_FROM_NPY, OPT_FILL, OPT_SEAL, OPT_JSON, OPT_RESIZE
};

struct opts {
	const char *path;
	uint64_t capacity;
	int capacity_set;
	const char *dtype_arg;
	int dtype_set;
	char dtype[MMBUF_DTYPE_MAX + 1];
	uint32_t itemsize;
	const char *shape_arg;
	int growing;            /* --shape '*,...': the first dimension grows */
	uint32_t ndim;
	uint64_t shape[MMBUF_MAX_DIMS];
	uint64_t length;
	int length_set;
	const char *label;
	uint64_t align;
	int sparse;
	mode_t mode;
	int mode_set;
	int force;
	const char *from;
	const char *from_npy;
	int fill;               /* -1: none */
	int seal;
	int json, quiet;
	uint64_t resize;        /* --resize: the new capacity */
	int resize_set;
};

static const char short_opts[] = "s:t:L:fqhV";

static const struct option long_opts[] = {
	{ "capacity", required_argument, NULL, 's' },
	{ "size", required_argument, NULL, 's' },  /* deprecated: --capacity */
	{ "dtype", required_argument, NULL, 't' },
	{ "shape", required_argument, NULL, OPT_SHAPE },
	{ "length", required_argument, NULL, OPT_LENGTH },
	{ "label", required_argument, NULL, 'L' },
	{ "align", required_argument, NULL, OPT_ALIGN },
	{ "sparse", no_argument, NULL, OPT_SPARSE },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "force", no_argument, NULL, 'f' },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "from-npy", required_argument, NULL, OPT_FROM_NPY },
	{ "fill", required_argument, NULL, OPT_FILL },
	{ "seal", no_argument, NULL, OPT_SEAL },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "resize", required_argument, NULL, OPT_RESIZE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void usage(FILE *fp, int status)
{
	fprintf(fp,
"Usage: %s [OPTION]... FILE\n"
"  or:  %s --resize BYTES [--sparse] [--json] [-q] FILE\n"
"Create a buffer file, or change the capacity of one.\n"
"\n"
"Capacity and layout (one of -s, --shape, --from, --from-npy is needed):\n"
"  -s, --capacity BYTES  bytes of data (suffixes K, M, G, T or KiB, MiB,\n"
"                        GiB, TiB: powers of 1024; at most 8388607T);\n"
"                        --size is a deprecated name of --capacity\n"
"  -t, --dtype TYPE      element type, e.g. u1 (default), <f8, >i4\n"
"      --shape DIMS      dimensions, e.g. 1000x3; without -s the capacity\n"
"                        is their product times the item size, with -s\n"
"                        they must agree; a first dimension '*' (e.g. '*,3')\n"
"                        grows with the length, as rows are appended\n"
"                        (the capacity is then -s, or 0)\n"
"      --length N        committed length in bytes (default: the capacity;\n"
"                        with '*', that of the --from data, or 0; 0 makes\n"
"                        an appendable buffer)\n"
"  -L, --label TEXT      a label (UTF-8, at most 255 bytes)\n"
"      --align BYTES     align the data to BYTES (a power of two, at most\n"
"                        2M; default 4096)\n"
"      --sparse          do not preallocate the data on disk\n"
"      --mode OCTAL      permissions before the umask (default 0666)\n"
"  -f, --force           replace an existing regular FILE atomically\n"
"\n"
"Initial data (default: zeros):\n"
"      --from FILE       the bytes of FILE, or of standard input for -;\n"
"                        the capacity defaults to its length\n"
"      --from-npy FILE   dtype, shape and data of a NumPy .npy file\n"
"      --fill BYTE       every byte of the data set to BYTE (0-255)\n"
"      --seal            store the checksums of the data [0, length)\n"
"\n"
"Resizing an existing buffer:\n"
"      --resize BYTES    grow or shrink the capacity of FILE to BYTES\n"
"                        (preallocated unless --sparse or the file is\n"
"                        sparse); a shrink needs the length to fit and no\n"
"                        other process to have FILE open\n"
"\n"
"Output:\n"
"      --json            print the created header as JSON (dumpbuf --json)\n"
"  -q, --quiet           no summary line and no progress bar\n"
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n"
"\n"
"Exit status: 0 success, 2 cannot read the --from or --from-npy input or\n"
"it is invalid, 3 cannot create or write FILE, 64 usage error.\n",
		tool_name, tool_name);
	exit(status);
}

/* Misuse: a message, a hint, and the usage exit status. */
#define bad_usage(...) tool_usage_error(__VA_ARGS__)

/* "1000x3" or "1000,3"; a single number is one dimension.  A first
 * dimension of "*" grows with the length (MMBUF_CREATE_GROWING). */
static void parse_shape(struct opts *o, const char *arg)
{
	char dim[64];
	const char *p = arg;

	o->ndim = 0;
	o->growing = 0;
	for (;;) {
		size_t n = strcspn(p, "x,");

		if (n == 0 || n >= sizeof dim || o->ndim == MMBUF_MAX_DIMS)
			goto bad;
		memcpy(dim, p, n);
		dim[n] = '\0';
		if (o->ndim == 0 && strcmp(dim, "*") == 0) {
			o->growing = 1;
			o->shape[0] = 0;
		} else if (dim[0] < '0' || dim[0] > '9' ||
			   tool_parse_u64(dim, &o->shape[o->ndim]) < 0) {
			goto bad;
		}
		o->ndim++;
		p += n;
		if (*p == '\0')
			return;
		p++;
	}
bad:
	bad_usage("invalid shape: '%s' (dimensions separated by 'x' or ',',"
		  " at most %d; the first may be '*')", arg, MMBUF_MAX_DIMS);
}

static void parse_opts(struct opts *o, int argc, char **argv)
{
	char *end;
	unsigned long m;
	int c;

	memset(o, 0, sizeof *o);
	o->fill = -1;
	o->dtype_arg = "u1";

	opterr = 0;
	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (tool_parse_size(optarg, &o->capacity) < 0 ||
			    o->capacity > TOOL_SIZE_MAX)
				bad_usage("invalid capacity: '%s' (%s)", optarg,
					  TOOL_SIZE_RULE);
			o->capacity_set = 1;
			break;
		case 't': o->dtype_arg = optarg; o->dtype_set = 1; break;
		case OPT_SHAPE: o->shape_arg = optarg; parse_shape(o, optarg); break;
		case OPT_LENGTH:
			if (tool_parse_size(optarg, &o->length) < 0)
				bad_usage("invalid length: '%s'", optarg);
			o->length_set = 1;
			break;
		case 'L': o->label = optarg; break;
		case OPT_ALIGN:
			if (tool_parse_size(optarg, &o->align) < 0 || o->align == 0 ||
			    (o->align & (o->align - 1)) != 0 ||
			    o->align > MMBUF_DATA_OFFSET_MAX)
				bad_usage("invalid alignment: '%s' (a power of two "
					  "up to 2M)", optarg);
			break;
		case OPT_SPARSE: o->sparse = 1; break;
		case OPT_MODE:
			errno = 0;
			m = strtoul(optarg, &end, 8);
			if (optarg[0] < '0' || optarg[0] > '7' || *end != '\0' ||
			    errno != 0 || m > 07777)
				bad_usage("invalid mode: '%s' (octal, at most 7777)",
					  optarg);
			o->mode = (mode_t)m;
			o->mode_set = 1;
			break;
		case 'f': o->force = 1; break;
		case OPT_FROM: o->from = optarg; break;
		case OPT_FROM_NPY: o->from_npy = optarg; break;
		case OPT_FILL:
			if (tool_parse_int(optarg, 0, 255, &o->fill) < 0)
				bad_usage("invalid fill byte: '%s' (0 to 255)", optarg);
			break;
		case OPT_SEAL: o->seal = 1; break;
		case OPT_JSON: o->json = 1; break;
		case OPT_RESIZE:
			if (tool_parse_size(optarg, &o->resize) < 0 ||
			    o->resize > TOOL_SIZE_MAX)
				bad_usage("invalid capacity: '%s' (%s)", optarg,
					  TOOL_SIZE_RULE);
			o->resize_set = 1;
			break;
		case 'q': o->quiet = 1; break;
		case 'h': usage(stdout, TOOL_EXIT_OK); break;
		case 'V': tool_print_version(); exit(TOOL_EXIT_OK);
		default:
			tool_getopt_error(short_opts, long_opts, argv);
		}
	}
	o->path = tool_one_operand(argc, argv);

	if (o->resize_set) {
		/* Only what applies to an existing buffer. */
		if (o->capacity_set || o->shape_arg != NULL || o->dtype_set ||
		    o->length_set || o->label != NULL || o->align != 0 ||
		    o->mode_set || o->force || o->from != NULL ||
		    o->from_npy != NULL || o->fill >= 0 || o->seal)
			bad_usage("%s", "--resize takes only --sparse, --json "
				  "and -q");
		return;
	}

	if (o->from != NULL && o->from_npy != NULL)
		bad_usage("%s", "--from and --from-npy cannot be used together");
	if (o->fill >= 0 && (o->from != NULL || o->from_npy != NULL))
		bad_usage("%s", "--fill cannot be used with --from or --from-npy");
	if (o->from_npy != NULL &&
	    (o->capacity_set || o->shape_arg != NULL || o->dtype_set))
		bad_usage("%s", "--from-npy takes the capacity, dtype and "
			  "shape from the file: -s, -t and --shape cannot be "
			  "used with it");
	if (!o->capacity_set && o->shape_arg == NULL && o->from == NULL &&
	    o->from_npy == NULL)
		bad_usage("%s", "no capacity: give -s, --shape, --from or "
			  "--from-npy");
	if (mmbuf_dtype_parse(o->dtype_arg, o->dtype, &o->itemsize) < 0)
		bad_usage("unknown dtype: '%s'", o->dtype_arg);
	if (o->label != NULL && strlen(o->label) > MMBUF_LABEL_MAX)
		bad_usage("label too long: %zu bytes (at most %d)",
			  strlen(o->label), MMBUF_LABEL_MAX);
}

/* The bytes of the shape, or -1 when they overflow 64 bits. */
/* ------------------------------------------------------------------ */
/* The buffer being built, discarded on any failure or signal          */

/* Unpublished until the end: closing it discards it. */
static mmbuf *building;
static const char *target;

/* After a signal: discard the buffer, then die of the signal. */
static void check_signal(void)
{
	if (tool_caught == 0)
		return;
	mmbuf_close(building);
	building = NULL;
	tool_die_of_signal();
}

/* Report, discard the buffer, exit. */
static void fail(int status, const char *file, const char *fmt, ...)
	TOOL_PRINTF(3, 4) TOOL_NORETURN;

static void fail(int status, const char *file, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	mmbuf_close(building);
	building = NULL;
	tool_die(status, file, "%s", msg);
}

/* -f met something other than a regular file at path: status 3. */
static void not_replaced(const char *path) TOOL_NORETURN;

static void not_replaced(const char *path)
{
	fail(EXIT_CREATE, path, "%s: -f replaces only a regular file",
	     mmbuf_strerror(MMBUF_ENOTREG));
}

/* The directory part of path ("." when there is none), in dir. */
static void dir_of(const char *path, char *dir, size_t sz)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, sz, ".");
	else if (slash == path)
		snprintf(dir, sz, "/");
	else
		snprintf(dir, sz, "%.*s", (int)(slash - path), path);
}

/* ------------------------------------------------------------------ */
/* Input                                                               */

/*
 * Standard input of unknown length: copied to an unnamed file in FILE's
 * directory (O_TMPFILE, or a name unlinked at once where that is not
 * supported), so its size is known before the buffer is made, and nothing
 * is left behind whatever happens.  The spool is on the same filesystem as
 * the buffer, which has to hold the data anyway.
 */
static int spool_stdin(const char *path, uint64_t *size, int quiet)
{
	char dir[PATH_MAX], name[PATH_MAX + 32];
	struct tool_progress pr;
	size_t got;
	uint64_t total = 0;
	int fd;

	dir_of(path, dir, sizeof dir);
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(name, sizeof name, "%s/.mkbuf-stdin-XXXXXX", dir);
		fd = mkstemp(name);
		if (fd < 0)
			tool_die(EXIT_CREATE, path, "%s", strerror(errno));
		unlink(name);
	}
	tool_progress_start(&pr, "reading standard input",
			    TOOL_PROGRESS_UNKNOWN, !quiet);
	for (;;) {
		if (tool_read_full(STDIN_FILENO, chunk, CHUNK, &got,
				   check_signal) < 0) {
			tool_progress_end(&pr);
			tool_die(EXIT_INPUT, "(standard input)", "read error: %s",
				 strerror(errno));
		}
		if (got == 0)
			break;
		for (size_t off = 0; off < got;) {
			ssize_t w = write(fd, chunk + off, got - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				tool_progress_end(&pr);
				tool_die(EXIT_CREATE, path,
					 "cannot spool standard input: %s",
					 strerror(errno));
			}
			off += (size_t)w;
		}
		total += got;
		tool_progress_update(&pr, total);
	}
	tool_progress_end(&pr);
	if (lseek(fd, 0, SEEK_SET) < 0)
		tool_die(EXIT_CREATE, path, "%s", strerror(errno));
	*size = total;
	return fd;
}

/* ------------------------------------------------------------------ */
/* Filling the buffer                                                  */

static void write_or_fail(mmbuf *buf, uint64_t off, const void *p, size_t n)
{
	int err = mmbuf_write(buf, off, p, n);

	if (err < 0)
		fail(EXIT_CREATE, target, "%s", mmbuf_strerror(err));
	check_signal();
}

/* Every byte of the data set to byte. */
static void fill(mmbuf *buf, uint64_t cap, int byte, int quiet)
{
	struct tool_progress pr;
	char what[PATH_MAX + 16];

	memset(chunk, byte, CHUNK);
	snprintf(what, sizeof what, "filling %s", target);
	tool_progress_start(&pr, what, cap, !quiet);
	for (uint64_t off = 0; off < cap;) {
		size_t n = cap - off < CHUNK ? (size_t)(cap - off) : CHUNK;

		write_or_fail(buf, off, chunk, n);
		off += n;
		tool_progress_update(&pr, off);
	}
	tool_progress_end(&pr);
}

/* Copy fd to the data, at most cap bytes; more is an error unless
 * the_rest_is_not_data (bytes after the array of a .npy file). */
/* Copy the input into the data region, at most cap bytes; returns the
 * bytes copied. */
static uint64_t copy_in(mmbuf *buf, uint64_t cap, int fd, const char *src,
			uint64_t expect, int quiet, int the_rest_is_not_data)
{
	struct tool_progress pr;
	char what[PATH_MAX + 16];
	uint8_t extra;
	uint64_t off = 0;
	size_t got;

	snprintf(what, sizeof what, "copying to %s", target);
	tool_progress_start(&pr, what, expect, !quiet);
	while (off < cap) {
		size_t want = cap - off < CHUNK ? (size_t)(cap - off) : CHUNK;

		if (tool_read_full(fd, chunk, want, &got, check_signal) < 0) {
			tool_progress_end(&pr);
			fail(EXIT_INPUT, src, "read error: %s", strerror(errno));
		}
		if (got == 0)
			break;
		write_or_fail(buf, off, chunk, got);
		off += got;
		tool_progress_update(&pr, off);
		if (got < want)
			break;
	}
	tool_progress_end(&pr);
	if (!the_rest_is_not_data && off == cap &&
	    tool_read_full(fd, &extra, 1, &got, check_signal) == 0 && got > 0)
		fail(EXIT_INPUT, src, "larger than the capacity of the buffer "
		     "(%" PRIu64 " bytes)", cap);
	return off;
}

/* ------------------------------------------------------------------ */

/* Whether the shape of buf fits in capacity bytes. */
static int shape_fits(mmbuf *buf, uint64_t capacity)
{
	const uint64_t *dims;
	uint32_t ndim = mmbuf_shape(buf, &dims);
	uint64_t need;

	return tool_shape_bytes(dims, ndim, mmbuf_itemsize(buf), &need) == 0 &&
	       need <= capacity;
}

/* mkbuf --resize: open FILE for writing, resize, close. */
static int resize_main(const struct opts *o)
{
	struct tool_header h;
	const uint64_t *dims;
	uint64_t old;
	mmbuf *buf;
	int err;

	/* Refuse what cannot be done before the read-write open, which
	 * commits a header of its own. */

	err = mmbuf_open(o->path, MMBUF_RDONLY, &buf);
	if (err < 0)
		tool_die(EXIT_CREATE, o->path, "%s",
			 tool_buffer_strerror(o->path, err));
	old = mmbuf_capacity(buf);
	if (o->resize < mmbuf_length(buf))
		err = MMBUF_ELENGTH;
	else if (o->resize < old && mmbuf_shape(buf, &dims) > 0)
		err = shape_fits(buf, o->resize) ? 0 : MMBUF_ESHAPE;
	if (err == 0) {
		mmbuf_close(buf);
		err = mmbuf_open(o->path, MMBUF_RDWR, &buf);
		if (err < 0)
			tool_die(EXIT_CREATE, o->path, "%s", mmbuf_strerror(err));
		err = mmbuf_resize(buf, o->resize,
				   o->sparse ? MMBUF_RESIZE_SPARSE : 0);
	}
	if (err < 0) {
		uint64_t len = mmbuf_length(buf);

		mmbuf_close(buf);
		if (err == MMBUF_ELENGTH)
			tool_die(EXIT_CREATE, o->path, "cannot shrink to %" PRIu64
				 " bytes: the length is %" PRIu64 " bytes",
				 o->resize, len);
		if (err == MMBUF_ESHAPE)
			tool_die(EXIT_CREATE, o->path, "cannot shrink to %" PRIu64
				 " bytes: the shape needs more", o->resize);
		if (err == MMBUF_EBUSY)
			tool_die(EXIT_CREATE, o->path, "cannot shrink: other "
				 "processes have it open");
		if ((err == -ENOSPC || err == -EDQUOT) && !o->sparse &&
		    o->resize > old)
			tool_die(EXIT_CREATE, o->path, "cannot resize: %s ("
				 SPARSE_HINT ")", mmbuf_strerror(err));
		tool_die(EXIT_CREATE, o->path, "cannot resize: %s",
			 mmbuf_strerror(err));
	}
	err = mmbuf_close(buf);
	if (err < 0)
		tool_die(EXIT_CREATE, o->path, "%s", mmbuf_strerror(err));
	if (o->json) {
		tool_read_header_or_die(&h, o->path);
		tool_header_json(&h);
	} else if (!o->quiet) {
		tool_out_ctext(o->path);
		tool_out_printf(": resized, capacity %" PRIu64 " -> %" PRIu64
				"\n", old, o->resize);
	}
	tool_out_finish();
	return TOOL_EXIT_OK;
}

/* The summary line of the buffer described by i, or with --json both
 * header slots, read back from the file. */
static void print_summary(const struct opts *o, const mmbuf_info *i)
{
	struct tool_header h;

	if (o->json) {
		tool_read_header_or_die(&h, o->path);
		tool_header_json(&h);
		return;
	}
	tool_out_ctext(o->path);
	tool_out_printf(": created, dtype %s, shape ", i->dtype);
	if (i->ndim == 0)
		tool_out_str("none");
	for (uint32_t d = 0; d < i->ndim; d++)
		tool_out_printf("%s%" PRIu64, d ? "x" : "", i->shape[d]);
	if (i->ro_compat & MMBUF_RO_COMPAT_GROWING)
		tool_out_str(" (the first dimension growing)");
	tool_out_printf(", capacity %" PRIu64 ", length %" PRIu64
			", data offset %" PRIu64 "%s\n",
			i->capacity, i->length, i->data_offset,
			i->state & MMBUF_STATE_SEALED ? ", sealed" : "");
}

int main(int argc, char **argv)
{
	struct opts o;
	mmbuf_create_opts co;
	mmbuf_info info;
	mmbuf *buf = NULL;
	struct stat st;
	uint64_t cap = 0, need, src_size = 0;
	int in_fd = -1, err;
	const char *src = NULL;
	struct tool_npy npy;
	int sized;              /* -s or a fixed shape give the capacity */

	tool_init(argv[0]);
	parse_opts(&o, argc, argv);
	if (o.resize_set)
		return resize_main(&o);
	target = o.path;

	/* Fail before any work when FILE is there and may not be replaced. */
	if (!o.force && lstat(o.path, &st) == 0)
		tool_die(EXIT_CREATE, o.path, "%s", strerror(EEXIST));

	mmbuf_create_opts_init(&co);
	if (o.from_npy != NULL) {
		in_fd = tool_npy_open(o.from_npy, &npy);
		src = o.from_npy;
		cap = src_size = npy.nbytes;
		memcpy(o.dtype, npy.dtype, sizeof o.dtype);
		o.ndim = npy.ndim;
		memcpy(o.shape, npy.shape, sizeof o.shape);
	} else {
		sized = o.capacity_set || (o.shape_arg != NULL && !o.growing);
		if (o.growing) {
			/* The rows are whole rows of the length: a row of no
			 * bytes would make any length a shape of no end. */
			if (tool_shape_bytes(o.shape + 1, o.ndim - 1, o.itemsize,
					     &need) < 0)
				bad_usage("shape %s of %s is too large", o.shape_arg,
					  o.dtype);
			if (need == 0)
				bad_usage("shape %s of %s: the rows of a growing "
					  "first dimension cannot be empty",
					  o.shape_arg, o.dtype);
			cap = o.capacity_set ? o.capacity : 0;
		} else if (o.shape_arg != NULL) {
			if (tool_shape_bytes(o.shape, o.ndim, o.itemsize, &need) < 0)
				bad_usage("shape %s of %s is too large", o.shape_arg,
					  o.dtype);
			if (o.capacity_set && o.capacity != need)
				bad_usage("shape %s of %s is %" PRIu64 " bytes, "
					  "but the capacity is %" PRIu64,
					  o.shape_arg, o.dtype, need,
					  o.capacity);
			cap = need;
		} else if (o.capacity_set) {
			cap = o.capacity;
		}
		if (o.from != NULL && strcmp(o.from, "-") == 0) {
			off_t pos;

			src = "(standard input)";
			in_fd = STDIN_FILENO;
			if (fstat(in_fd, &st) == 0 && S_ISREG(st.st_mode) &&
			    (pos = lseek(in_fd, 0, SEEK_CUR)) >= 0)
				/* A position past the end leaves nothing. */
				src_size = (uint64_t)pos < (uint64_t)st.st_size
					   ? (uint64_t)st.st_size - (uint64_t)pos
					   : 0;
			else if (!sized)
				in_fd = spool_stdin(o.path, &src_size, o.quiet);
			if (!sized)
				cap = src_size;
		} else if (o.from != NULL) {
			src = o.from;
			/* Checked before open(2), which would wait for a
			 * writer on a FIFO. */
			if (stat(o.from, &st) < 0)
				tool_die(EXIT_INPUT, o.from, "%s", strerror(errno));
			if (S_ISDIR(st.st_mode))
				tool_die(EXIT_INPUT, o.from, "%s", strerror(EISDIR));
			if (!S_ISREG(st.st_mode) && !sized)
				tool_die(EXIT_INPUT, o.from, "not a regular file: "
					 "give -s or --shape, or use --from - "
					 "with a redirection");
			in_fd = open(o.from, O_RDONLY | O_CLOEXEC);
			if (in_fd < 0 || fstat(in_fd, &st) < 0)
				tool_die(EXIT_INPUT, o.from, "%s", strerror(errno));
			if (S_ISREG(st.st_mode))
				src_size = (uint64_t)st.st_size;
			if (!sized)
				cap = src_size;
			else if (S_ISREG(st.st_mode) && src_size > cap)
				tool_die(EXIT_INPUT, o.from, "larger than the "
					 "capacity of the buffer (%" PRIu64
					 " bytes)", cap);
		}
		if (o.from != NULL && !sized && cap % o.itemsize != 0)
			tool_die(EXIT_INPUT, src, "%" PRIu64 " bytes is not a "
				 "whole number of %s elements", cap, o.dtype);
	}
	if (o.length_set && o.length > cap)
		bad_usage("length %" PRIu64 " exceeds the capacity (%" PRIu64
			  " bytes)", o.length, cap);

	co.capacity = cap;
	/* A growing buffer has the rows of the data given, else none yet. */
	if (o.length_set)
		co.length = o.length;
	else if (!o.growing)
		co.length = MMBUF_LENGTH_CAPACITY;
	else if (in_fd < 0)
		co.length = 0;
	else
		co.length = src_size > 0 && src_size < cap ? src_size : cap;
	co.dtype = o.dtype;
	co.ndim = o.ndim;
	memcpy(co.shape, o.shape, sizeof co.shape);
	co.label = o.label;
	co.align = o.align;
	co.flags = MMBUF_CREATE_UNPUBLISHED | (o.force ? MMBUF_CREATE_REPLACE : 0) |
		   (o.sparse ? MMBUF_CREATE_SPARSE : 0) |
		   (o.mode_set ? MMBUF_CREATE_MODE : 0) | /* --mode 0 is 0 */
		   (o.growing ? MMBUF_CREATE_GROWING : 0);
	co.mode = o.mode;

	tool_catch_signals();
	err = mmbuf_create(o.path, &co, &buf);
	if (err < 0) {
		if (err == -EOPNOTSUPP && !o.sparse)
			fail(EXIT_CREATE, o.path, "%s (try --sparse)",
			     mmbuf_strerror(err));
		/* The space was reserved for data that is not written now;
		 * --sparse does not reserve it. */
		if ((err == -ENOSPC || err == -EDQUOT) && !o.sparse &&
		    in_fd < 0 && o.fill <= 0)
			fail(EXIT_CREATE, o.path, "%s (" SPARSE_HINT ")",
			     mmbuf_strerror(err));
		if (err == MMBUF_ENOTREG)
			not_replaced(o.path);
		fail(err >= MMBUF_ERR_MIN && err <= MMBUF_ERR_MAX ? EXIT_USAGE
								  : EXIT_CREATE,
		     o.path, "%s", mmbuf_strerror(err));
	}
	building = buf;
	check_signal();
	if (in_fd >= 0) {
		uint64_t got = copy_in(buf, cap, in_fd, src,
				       src_size ? src_size : cap, o.quiet,
				       o.from_npy != NULL);

		/* A growing buffer has the rows of the data read: from a
		 * pipe, its size is known only now. */
		if (o.growing && !o.length_set && got != co.length &&
		    (err = mmbuf_set_length(buf, got, MMBUF_DURABLE_NONE)) < 0)
			fail(EXIT_CREATE, o.path, "%s", mmbuf_strerror(err));
	} else if (o.fill > 0)
		fill(buf, cap, o.fill, o.quiet);
	if (o.seal) {
		char what[PATH_MAX + 16];
		struct tool_lib_progress pr;

		snprintf(what, sizeof what, "sealing %s", target);
		tool_lib_progress_init(&pr, what, !o.quiet);
		/* The tools accept the SIGBUS handler of a mapped seal. */
		err = mmbuf_seal(buf, 0, MMBUF_CHECKSUM_MAPPED, 0,
				 tool_lib_progress, &pr);
		tool_lib_progress_end(&pr);
		/* A signal stopped the seal: discard the buffer, and die. */
		check_signal();
		if (err < 0)
			fail(EXIT_CREATE, o.path, "cannot seal: %s",
			     mmbuf_strerror(err));
	}
	check_signal();
	/* Synced, then named: linked, or renamed over FILE with -f. */
	err = mmbuf_publish(buf);
	if (err == MMBUF_ENOTREG)
		not_replaced(o.path);
	if (err < 0)
		fail(EXIT_CREATE, o.path, "%s", mmbuf_strerror(err));
	building = NULL;
	/* From the handle: a file made with --mode 0 may not be readable. */
	mmbuf_get_info(buf, &info);
	err = mmbuf_close(buf);
	if (err < 0)
		tool_die(EXIT_CREATE, o.path, "%s", mmbuf_strerror(err));

	if (o.json || !o.quiet) {
		print_summary(&o, &info);
		tool_out_finish();
	}
	return TOOL_EXIT_OK;
}
