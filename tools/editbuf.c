/*
 * editbuf - edit the data of a buffer file in place: interactively on a
 * terminal (editbuf-tui.c, left out of a build without ncurses), or from
 * the command line and hex dumps (here).  See editbuf(1).
 *
 * The scripted mode is all-or-nothing: every option and every patch is
 * parsed and checked (offsets against the capacity, indexes against the
 * shape, values against the dtype) into an edit log while the buffer is
 * open read-only, and only when all of it is good is the file opened for
 * writing, once.  Opening for writing commits a header change (the
 * "writer open" state, a stale seal), so it must not happen for input
 * that is then refused.  The writer opens the very file that was checked
 * (through its descriptor), checks it again under the writer lock, and
 * edit_save() puts the old bytes back if a write fails: the data is then
 * either all edited or unchanged.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmbuf.h"
#include "common.h"
#include "edit.h"
#include "editbuf.h"
#include "patch.h"

/* The exit statuses of editbuf(1). */
enum {
	EXIT_APPLIED = 0,
	EXIT_BAD_INPUT = 1,     /* a bad edit for this file (an index outside
				 * the shape, a bad patch line, an offset past
				 * the data); nothing was written */
	EXIT_FILE = 2           /* the buffer could not be opened or written */
};

enum { OPT_SET = 256, OPT_SET_ITEM, OPT_FILL, OPT_PATCH, OPT_PATCH_PLAIN,
       OPT_AT };

static const char short_opts[] = "RnvhV";

static const struct option long_opts[] = {
	{ "read-only", no_argument, NULL, 'R' },
	{ "set", required_argument, NULL, OPT_SET },
	{ "set-item", required_argument, NULL, OPT_SET_ITEM },
	{ "fill", required_argument, NULL, OPT_FILL },
	{ "patch", required_argument, NULL, OPT_PATCH },
	{ "patch-plain", required_argument, NULL, OPT_PATCH_PLAIN },
	{ "at", required_argument, NULL, OPT_AT },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/* One scripted edit, in command-line order. */
struct op {
	int kind;               /* OPT_SET, ... */
	const char *arg;        /* the option's argument as given */
	uint64_t off, len;      /* --set, --fill; --at for --patch-plain */
	uint8_t *bytes;         /* --set */
	uint8_t byte;           /* --fill */
};

struct opts {
	int read_only, dry_run, verbose;
	struct op *ops;
	size_t nops;
	const char *path;
};

static void usage(FILE *fp, int status)
{
	fprintf(fp,
"Usage: %s [-R] FILE\n"
"       %s [-nv] EDIT... FILE\n"
"Edit the data of a buffer file in place: on a terminal with no EDIT, a\n"
"full-screen hex editor; otherwise the EDITs below, applied in order (a\n"
"later one wins where they overlap), all or nothing.\n"
"\n"
"  -R, --read-only          view only (interactive mode)\n"
"      --set OFF=HEX        write the bytes HEX (e.g. deadbeef) at OFF\n"
"      --set-item IDX=VALUE write one element of the dtype at index IDX\n"
"                           (e.g. 5,2=3.25, 0=0x7f, 3=(1+2j)); a negative\n"
"                           index counts from the end (-1,0=7)\n"
"      --fill OFF:LEN=BYTE  write LEN copies of BYTE (0 to 255) from OFF\n"
"      --patch FILE         write what an xxd or hexdump -C dump shows\n"
"                           (e.g. edited output of dumpbuf); - is stdin\n"
"      --patch-plain FILE   write plain hex (xxd -p) from offset 0, or from\n"
"                           the last --at before it; - is stdin\n"
"      --at OFF             the offset of the --patch-plain options after it\n"
"  -n, --dry-run            check everything, write nothing\n"
"  -v, --verbose            tell how many bytes were written\n"
"  -h, --help               show this help and exit\n"
"  -V, --version            show the version and exit\n"
"\n"
"Offsets are data offsets, as decimal, 0x hex or 0 octal numbers with an\n"
"optional K, M, G or T suffix.  Nothing is written if any EDIT is bad.\n"
"\n"
"Exit status: 0 applied, 1 bad input (nothing written), 2 the file could\n"
"not be opened or written, 64 usage error (nothing written).\n",
		tool_name, tool_name);
	exit(status);
}

#define bad_usage(...) tool_usage_error(__VA_ARGS__)

/* "OFF=HEX" */
static void parse_set(struct op *op)
{
	const char *eq = strchr(op->arg, '=');
	char num[64];
	size_t nd, i;

	if (eq == NULL || eq == op->arg || (size_t)(eq - op->arg) >= sizeof num)
		bad_usage("invalid --set '%s' (OFFSET=HEXBYTES, e.g. 0x10=cafe)",
			  op->arg);
	memcpy(num, op->arg, (size_t)(eq - op->arg));
	num[eq - op->arg] = '\0';
	if (tool_parse_u64(num, &op->off) < 0)
		bad_usage("invalid --set '%s': bad offset '%s'", op->arg, num);
	nd = strlen(eq + 1);
	if (nd == 0)
		bad_usage("invalid --set '%s': no hex bytes after '='", op->arg);
	for (i = 0; i < nd; i++)
		if (tool_hexval(eq[1 + i]) < 0)
			bad_usage("invalid --set '%s': '%c' is not a hex digit",
				  op->arg, eq[1 + i]);
	if (nd % 2 != 0)
		bad_usage("invalid --set '%s': odd number of hex digits (%zu)",
			  op->arg, nd);
	op->len = nd / 2;
	op->bytes = malloc(nd / 2);
	if (op->bytes == NULL)
		tool_die(EXIT_BAD_INPUT, NULL, "out of memory");
	for (i = 0; i < nd / 2; i++)
		op->bytes[i] = (uint8_t)(tool_hexval(eq[1 + 2 * i]) << 4 |
					 tool_hexval(eq[2 + 2 * i]));
}

/* "OFF:LEN=BYTE" */
static void parse_fill(struct op *op)
{
	const char *colon = strchr(op->arg, ':');
	const char *eq = colon != NULL ? strchr(colon, '=') : NULL;
	char num[64];
	uint64_t b;

	if (colon == NULL || eq == NULL || colon == op->arg ||
	    (size_t)(colon - op->arg) >= sizeof num ||
	    (size_t)(eq - colon) > sizeof num)
		bad_usage("invalid --fill '%s' (OFFSET:LENGTH=BYTE, e.g. 0:4K=0xff)",
			  op->arg);
	memcpy(num, op->arg, (size_t)(colon - op->arg));
	num[colon - op->arg] = '\0';
	if (tool_parse_u64(num, &op->off) < 0)
		bad_usage("invalid --fill '%s': bad offset '%s'", op->arg, num);
	memcpy(num, colon + 1, (size_t)(eq - colon - 1));
	num[eq - colon - 1] = '\0';
	if (tool_parse_size(num, &op->len) < 0)
		bad_usage("invalid --fill '%s': bad length '%s'", op->arg, num);
	if (tool_parse_u64(eq + 1, &b) < 0 || b > 255)
		bad_usage("invalid --fill '%s': bad byte '%s' (0 to 255, e.g. "
			  "0xff)", op->arg, eq + 1);
	op->byte = (uint8_t)b;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	uint64_t at = 0;
	int c, stdin_used = 0, at_pending = 0;

	memset(o, 0, sizeof *o);
	o->ops = calloc((size_t)argc, sizeof *o->ops);
	if (o->ops == NULL)
		tool_die(EXIT_BAD_INPUT, NULL, "out of memory");
	opterr = 0;
	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		struct op *op = &o->ops[o->nops];

		switch (c) {
		case 'R': o->read_only = 1; break;
		case 'n': o->dry_run = 1; break;
		case 'v': o->verbose = 1; break;
		case OPT_AT:
			if (tool_parse_u64(optarg, &at) < 0)
				bad_usage("invalid --at '%s'", optarg);
			at_pending = 1;
			break;
		case OPT_SET:
		case OPT_SET_ITEM:
		case OPT_FILL:
		case OPT_PATCH:
		case OPT_PATCH_PLAIN:
			op->kind = c;
			op->arg = optarg;
			if (c == OPT_SET)
				parse_set(op);
			else if (c == OPT_FILL)
				parse_fill(op);
			else if (c == OPT_SET_ITEM && strchr(optarg, '=') == NULL)
				bad_usage("invalid --set-item '%s' (INDEX=VALUE, "
					  "e.g. 5,2=3.25)", optarg);
			if ((c == OPT_PATCH || c == OPT_PATCH_PLAIN) &&
			    strcmp(optarg, "-") == 0) {
				if (stdin_used++)
					bad_usage("%s", "only one patch can be "
						  "read from standard input");
			}
			if (c == OPT_PATCH_PLAIN) {
				op->off = at;
				at_pending = 0;
			}
			o->nops++;
			break;
		case 'h': usage(stdout, EXIT_APPLIED); break;
		case 'V': tool_print_version(); exit(EXIT_APPLIED);
		default:
			tool_getopt_error(short_opts, long_opts, argv);
		}
	}
	o->path = tool_one_operand(argc, argv);
	if (at_pending)
		bad_usage("%s", "--at applies to a --patch-plain after it");
	if (o->read_only && o->nops > 0)
		bad_usage("%s", "-R cannot be used with edits");
	if ((o->dry_run || o->verbose) && o->nops == 0)
		bad_usage("%s %s", o->dry_run ? "--dry-run" : "--verbose",
			  "needs an edit (--set, --set-item, --fill, --patch...)");
}

/* ------------------------------------------------------------------ */
/* Scripted mode                                                       */

/* The whole of a patch file, or of standard input for "-". */
static char *slurp(const char *name, size_t *len)
{
	FILE *fp = strcmp(name, "-") == 0 ? stdin : fopen(name, "rb");
	const char *shown = strcmp(name, "-") == 0 ? "(stdin)" : name;
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (fp == NULL)
		tool_die(EXIT_BAD_INPUT, shown, "cannot open the patch: %s",
			 strerror(errno));
	for (;;) {
		size_t k;

		if (n == cap) {
			char *q;

			cap = cap ? cap * 2 : 65536;
			q = realloc(buf, cap);
			if (q == NULL)
				tool_die(EXIT_BAD_INPUT, shown, "out of memory");
			buf = q;
		}
		k = fread(buf + n, 1, cap - n, fp);
		n += k;
		if (k == 0)
			break;
	}
	if (ferror(fp))
		tool_die(EXIT_BAD_INPUT, shown, "cannot read the patch: %s",
			 strerror(errno));
	if (fp != stdin)
		fclose(fp);
	*len = n;
	return buf;
}

static void past_capacity(const struct opts *o, const struct op *op,
			  uint64_t cap)
{
	const char *name = op->kind == OPT_SET ? "--set" : "--fill";

	if (op->off >= cap)
		tool_die(EXIT_BAD_INPUT, o->path, "%s %s: offset %" PRIu64
			 " is past the capacity (%" PRIu64 " bytes)", name,
			 op->arg, op->off, cap);
	tool_die(EXIT_BAD_INPUT, o->path, "%s %s: bytes %" PRIu64 " to %" PRIu64
		 " are past the capacity (%" PRIu64 " bytes)", name, op->arg,
		 op->off, op->off + op->len - 1, cap);
}

static void out_of_memory(const struct opts *o)
{
	tool_die(EXIT_BAD_INPUT, o->path, "out of memory");
}

/* Record one edit; exits on bad input. */
static void record(const struct opts *o, const struct op *op,
		   struct edit_log *log, const struct edit_layout *lay)
{
	uint8_t item[16];
	const char *why;
	uint64_t off;
	int e = 0;

	switch (op->kind) {
	case OPT_SET:
		e = edit_put(log, op->off, op->bytes, (size_t)op->len);
		break;
	case OPT_FILL:
		e = edit_fill(log, op->off, op->len, op->byte);
		break;
	case OPT_SET_ITEM: {
		const char *eq = strchr(op->arg, '=');
		char idx[256];

		if ((size_t)(eq - op->arg) >= sizeof idx)
			tool_die(EXIT_BAD_INPUT, o->path,
				 "--set-item %s: index too long", op->arg);
		memcpy(idx, op->arg, (size_t)(eq - op->arg));
		idx[eq - op->arg] = '\0';
		if (edit_parse_index(lay, idx, 1, &off, &why) < 0)
			tool_die(EXIT_BAD_INPUT, o->path, "--set-item %s: %s",
				 op->arg, why);
		if (edit_parse_value(lay->dtype, eq + 1, item, &why) < 0)
			tool_die(EXIT_BAD_INPUT, o->path, "--set-item %s: %s",
				 op->arg, why);
		e = edit_put(log, off, item, lay->itemsize);
		if (e == -ERANGE)
			tool_die(EXIT_BAD_INPUT, o->path, "--set-item %s: the "
				 "element is past the capacity", op->arg);
		break;
	}
	default: {
		struct patch_error perr;
		const char *shown = strcmp(op->arg, "-") == 0 ? "(stdin)" : op->arg;
		size_t len;
		char *text = slurp(op->arg, &len);

		if (op->kind == OPT_PATCH)
			e = patch_parse_dump(text, len, log, &perr);
		else
			e = patch_parse_plain(text, len, op->off, log, &perr);
		free(text);
		if (e < 0 && perr.line > 0)
			tool_die(EXIT_BAD_INPUT, NULL, "%s:%lu: %s", shown,
				 perr.line, perr.msg);
		if (e < 0)
			tool_die(EXIT_BAD_INPUT, shown, "%s", perr.msg);
		return;
	}
	}
	if (e == -ERANGE)
		past_capacity(o, op, edit_capacity(log));
	if (e < 0)
		out_of_memory(o);
}

int editbuf_open(const char *path, int *fd, mmbuf **buf)
{
	int e;

	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (*fd < 0)
		return -errno;
	e = mmbuf_open_fd(*fd, MMBUF_RDONLY, buf);
	if (e < 0) {
		close(*fd);
		*fd = -1;
	}
	return e;
}

static char changed_buf[256];

const char *editbuf_changed(const char *path, int fd, const mmbuf_info *seen,
			    mmbuf *w)
{
	struct stat a, b;
	mmbuf_info now;

	mmbuf_get_info(w, &now);
	if (stat(path, &a) != 0 || fstat(fd, &b) != 0 ||
	    a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		return "the name now belongs to another file";
	if (memcmp(now.uuid, seen->uuid, sizeof now.uuid) != 0 ||
	    now.data_offset != seen->data_offset)
		return "it is now another buffer (its UUID changed)";
	if (now.capacity != seen->capacity) {
		snprintf(changed_buf, sizeof changed_buf, "its capacity is now %"
			 PRIu64 " bytes, it was %" PRIu64, now.capacity,
			 seen->capacity);
		return changed_buf;
	}
	if (now.length != seen->length) {
		snprintf(changed_buf, sizeof changed_buf, "its length is now %"
			 PRIu64 " bytes, it was %" PRIu64, now.length,
			 seen->length);
		return changed_buf;
	}
	if (strcmp(now.dtype, seen->dtype) != 0 || now.ndim != seen->ndim ||
	    memcmp(now.shape, seen->shape, sizeof now.shape) != 0)
		return "its dtype or shape changed";
	return NULL;
}

static int run_script(const struct opts *o)
{
	struct edit_layout lay;
	struct edit_log *log;
	mmbuf_info info;
	mmbuf *buf, *w;
	const char *stage, *why;
	uint64_t n;
	int e, fd, restored;

	e = editbuf_open(o->path, &fd, &buf);
	if (e < 0)
		tool_die(EXIT_FILE, o->path, "%s",
			 tool_buffer_strerror(o->path, e));
	mmbuf_get_info(buf, &info);
	edit_layout_init(&lay, &info);
	log = edit_log_new(info.capacity);
	if (log == NULL)
		out_of_memory(o);
	for (size_t i = 0; i < o->nops; i++)
		record(o, &o->ops[i], log, &lay);
	n = edit_pending(log);
	if (o->dry_run) {
		if (o->verbose)
			printf("%s: %" PRIu64 " byte%s would be written\n",
			       o->path, n, n == 1 ? "" : "s");
		edit_log_free(log);
		mmbuf_close(buf);
		close(fd);
		return EXIT_APPLIED;
	}
	if (n == 0) {
		/* Nothing to write: opening for writing would still commit a
		 * header (and make a seal stale). */
		if (o->verbose)
			printf("%s: 0 bytes written\n", o->path);
		edit_log_free(log);
		mmbuf_close(buf);
		close(fd);
		return EXIT_APPLIED;
	}
	/*
	 * The read-only handle stays open until the writer is: while a reader
	 * has it open, the buffer cannot be shrunk (mmbuf_resize()).  The
	 * writer opens the very file that was checked, and checks it again
	 * under the writer lock against what the edits were checked against.
	 */
	e = mmbuf_open_fd(fd, MMBUF_RDWR, &w);
	mmbuf_close(buf);
	if (e < 0)
		tool_die(EXIT_FILE, o->path,
			 "cannot open for writing: %s; nothing written",
			 mmbuf_strerror(e));
	why = editbuf_changed(o->path, fd, &info, w);
	if (why != NULL) {
		mmbuf_close(w);
		tool_die(EXIT_FILE, o->path, "the buffer changed while the "
			 "edits were checked: %s; nothing written", why);
	}
	e = edit_save(log, w, &stage, &restored);
	edit_log_free(log);
	if (e < 0) {
		mmbuf_close(w);
		tool_die(EXIT_FILE, o->path, "%s failed: %s; %s", stage,
			 mmbuf_strerror(e), restored ? "the data is unchanged" :
			 "the old data could not be put back, the edits may be "
			 "partly written");
	}
	e = mmbuf_close(w);
	close(fd);
	if (e < 0)
		tool_die(EXIT_FILE, o->path, "close failed: %s; the edits are "
			 "written", mmbuf_strerror(e));
	if (o->verbose)
		printf("%s: %" PRIu64 " byte%s written\n", o->path, n,
		       n == 1 ? "" : "s");
	return EXIT_APPLIED;
}

/* ------------------------------------------------------------------ */
/* Interactive mode                                                    */

static int run_tui(const struct opts *o)
{
#ifdef MMBUF_EDITBUF_TUI
	mmbuf *buf;
	int e, fd;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		bad_usage("%s", "no edits given, and standard input and output "
			  "are not a terminal (use --set, --set-item, --fill, "
			  "--patch or --patch-plain)");
	e = editbuf_open(o->path, &fd, &buf);
	if (e < 0)
		tool_die(EXIT_FILE, o->path, "%s",
			 tool_buffer_strerror(o->path, e));
	return editbuf_tui(o->path, fd, buf, o->read_only);
#else
	/* Built without ncurses (configure --without-ncurses, or none found):
	 * say so before anything else, terminal or not. */
	bad_usage("%s", "no edits given, and this editbuf was built without "
		  "the interactive editor (configure found no ncurses): give "
		  "edits with --set, --set-item, --fill, --patch or "
		  "--patch-plain");
#endif
}

int main(int argc, char **argv)
{
	struct opts o;
	int st;

	tool_init(argv[0]);
	parse_args(argc, argv, &o);
	st = o.nops > 0 ? run_script(&o) : run_tui(&o);
	for (size_t i = 0; i < o.nops; i++)
		free(o.ops[i].bytes);
	free(o.ops);
	if (fflush(stdout) != 0 || ferror(stdout))
		tool_die(EXIT_FILE, NULL, "cannot write the output: %s",
			 strerror(errno));
	return st;
}
