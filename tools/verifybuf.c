/*
 * verifybuf - check buffer files against their seal, seal them, and
 * repair a damaged header slot from the intact one.  See verifybuf(1).
 *
 * The checking is the library's: mmbuf_verify_path() hashes the file in
 * place (MMBUF_CHECKSUM_MAPPED: this program accepts the library's SIGBUS
 * handler) on several threads and returns a report; this program turns
 * the report into one verdict line per file (or JSON) and an exit status.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmbuf.h"
#include "common.h"

/* The exit statuses of verifybuf(1); the worst over all files wins.  They
 * are the verdicts of mmbuf_verify_path(); misuse is TOOL_EXIT_USAGE. */
enum {
	EXIT_VERIFIED = 0,      /* every file matches its seal */
	EXIT_UNVERIFIABLE = 1,  /* consistent, but no current seal */
	EXIT_CORRUPT = 2,       /* damage found */
	EXIT_CANNOT = 3         /* could not check (or seal, or repair) */
};

enum { OPT_JSON = 256, OPT_SEAL, OPT_REPAIR, OPT_DRY_RUN, OPT_BACKUP,
       OPT_THREADS, OPT_BLOCK_SIZE };

static const char short_opts[] = "vqhV";

static const struct option long_opts[] = {
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "seal", no_argument, NULL, OPT_SEAL },
	{ "block-size", required_argument, NULL, OPT_BLOCK_SIZE },
	{ "repair", no_argument, NULL, OPT_REPAIR },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "backup", required_argument, NULL, OPT_BACKUP },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

struct opts {
	int verbose, quiet, json;
	unsigned threads;       /* 0: one per online CPU */
	int seal;
	uint32_t block_shift;   /* for --seal; 0: the library's default */
	int repair, dry_run;
	const char *backup;
};

/* What --seal or --repair did to a file before it was verified. */
struct action {
	const char *what;       /* NULL, "sealed", "repaired", "would_repair" */
	int slot;               /* the slot repaired, or -1 */
};

static void usage(FILE *fp, int status)
{
	fprintf(fp,
"Usage: %s [OPTION]... FILE...\n"
"Verify buffer files against their seal: both header slots, the file\n"
"size, the state and the data checksums.  One verdict line per file.\n"
"\n"
"  -v, --verbose         add the details: slots, state, sizes, block size,\n"
"                        bytes checked, each damaged block run\n"
"  -q, --quiet           print verdict lines only for files that are not ok\n"
"      --json            one JSON object per file and line (see verifybuf(1))\n"
"      --threads N       hash on N threads (default 0: one per CPU)\n"
"\n"
"      --seal            (re)compute and store the checksums first; takes\n"
"                        the writer lock and refuses while a writer is open\n"
"      --block-size SIZE block size of the checksum table for --seal (a\n"
"                        power of two, 4K to 1G; default 1M)\n"
"      --repair          rewrite a damaged header slot from the intact one\n"
"                        first; the data is never changed\n"
"      --dry-run         with --repair: tell what would be done, write nothing\n"
"      --backup FILE     with --repair: save both header pages (8192 bytes)\n"
"                        to the new file FILE before repairing\n"
"\n"
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n"
"\n"
"Exit status (the worst over all files): 0 all verified, 1 consistent but\n"
"not verifiable, 2 corruption found, 3 could not check; 64 usage error.\n"
"Ctrl-C stops a seal or a check cleanly, then kills verifybuf (status 130).\n",
		tool_name);
	exit(status);
}

/* Misuse: a message, a hint, and the usage exit status. */
#define bad_usage(...) tool_usage_error(__VA_ARGS__)

static void parse_args(int argc, char **argv, struct opts *o)
{
	uint64_t v;
	int c, n;

	memset(o, 0, sizeof *o);
	opterr = 0;
	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		switch (c) {
		case 'v': o->verbose = 1; break;
		case 'q': o->quiet = 1; break;
		case OPT_JSON: o->json = 1; break;
		case OPT_THREADS:
			if (tool_parse_int(optarg, 0, 1024, &n) < 0)
				bad_usage("invalid thread count: '%s' (0 to 1024)",
					  optarg);
			o->threads = (unsigned)n;
			break;
		case OPT_SEAL: o->seal = 1; break;
		case OPT_BLOCK_SIZE:
			if (tool_parse_size(optarg, &v) < 0 || v == 0 ||
			    (v & (v - 1)) != 0 ||
			    v < 1ull << MMBUF_BLOCK_SHIFT_MIN ||
			    v > 1ull << MMBUF_BLOCK_SHIFT_MAX)
				bad_usage("invalid block size: '%s' (a power of two "
					  "from 4K to 1G)", optarg);
			o->block_shift = (uint32_t)__builtin_ctzll(v);
			break;
		case OPT_REPAIR: o->repair = 1; break;
		case OPT_DRY_RUN: o->dry_run = 1; break;
		case OPT_BACKUP: o->backup = optarg; break;
		case 'h': usage(stdout, EXIT_VERIFIED); break;
		case 'V': tool_print_version(); exit(EXIT_VERIFIED);
		default:
			tool_getopt_error(short_opts, long_opts, argv);
		}
	}
	if (optind >= argc)
		bad_usage("%s", "missing FILE operand");
	if (o->verbose && o->json)
		bad_usage("%s", "-v and --json cannot be used together");
	if (o->verbose && o->quiet)
		bad_usage("%s", "-v and -q cannot be used together");
	if (o->seal && o->repair)
		bad_usage("%s", "--seal and --repair cannot be used together");
	if (o->block_shift != 0 && !o->seal)
		bad_usage("%s", "--block-size needs --seal");
	if (o->dry_run && !o->repair)
		bad_usage("%s", "--dry-run needs --repair");
	if (o->backup != NULL && !o->repair)
		bad_usage("%s", "--backup needs --repair");
	/* One backup file holds the header of one buffer. */
	if (o->backup != NULL && optind + 1 < argc)
		bad_usage("%s", "--backup takes a single FILE operand");
}

/* ------------------------------------------------------------------ */
/* Seal and repair                                                     */

/* The exit status that an error of the library means. */
static int err_status(int err)
{
	switch (err) {
	case 0:
		return EXIT_VERIFIED;
	case MMBUF_EBUSY:
		return EXIT_UNVERIFIABLE;  /* a writer is open */
	case MMBUF_ECHECKSUM: case MMBUF_ETORN: case MMBUF_ETRUNCATED:
	case MMBUF_EINCONSISTENT:
		return EXIT_CORRUPT;
	default:
		return EXIT_CANNOT;
	}
}

static int do_seal(const struct opts *o, const char *path, struct action *a)
{
	mmbuf *buf;
	int err;

	/* The writer lock: MMBUF_EBUSY while another writer is open. */
	err = mmbuf_open(path, MMBUF_RDWR, &buf);
	if (err != 0) {
		tool_err(path, "cannot seal: %s",
			 tool_buffer_strerror(path, err));
		return err;
	}
	{
		char what[PATH_MAX + 16];
		struct tool_lib_progress pr;

		snprintf(what, sizeof what, "sealing %s", path);
		tool_lib_progress_init(&pr, what, !o->quiet);
		err = mmbuf_seal(buf, o->block_shift, MMBUF_CHECKSUM_MAPPED,
				 o->threads, tool_lib_progress, &pr);
		tool_lib_progress_end(&pr);
	}
	if (tool_caught) {
		/* Stopped by a signal: nothing more was committed; the
		 * buffer closes clean, unsealed. */
		mmbuf_close(buf);
		tool_die_of_signal();
	}
	if (err != 0) {
		tool_err(path, "cannot seal: %s", mmbuf_strerror(err));
		mmbuf_close(buf);
		return err;
	}
	/* The seal stays current only through a clean close. */
	err = mmbuf_close(buf);
	if (err != 0) {
		tool_err(path, "cannot seal: %s", mmbuf_strerror(err));
		return err;
	}
	a->what = "sealed";
	return 0;
}

/* Copy the two header pages of path to a new file; never overwrite. */
static int save_backup(const char *path, const char *backup)
{
	static struct tool_header h;
	const uint8_t *page = h.bytes;
	size_t n;
	ssize_t r;
	int out, err;

	err = tool_read_header(&h, path);
	if (err == 0 && h.n < sizeof h.bytes)
		err = MMBUF_ETRUNCATED;
	if (err != 0) {
		tool_err(path, "cannot read the header pages: %s",
			 mmbuf_strerror(err));
		return err;
	}
	out = open(backup, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (out < 0) {
		err = -errno;
		tool_err(backup, "cannot create the backup: %s", strerror(errno));
		return err;
	}
	for (n = 0; n < sizeof h.bytes;) {
		r = write(out, page + n, sizeof h.bytes - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			break;
		}
		n += (size_t)r;
	}
	/* The repair must not go ahead of a backup that is not on disk. */
	if (err == 0 && fsync(out) != 0)
		err = -errno;
	if (close(out) != 0 && err == 0)
		err = -errno;
	if (err != 0) {
		tool_err(backup, "cannot write the backup: %s", strerror(-err));
		unlink(backup);
	}
	return err;
}

static int do_repair(const struct opts *o, const char *path, struct action *a)
{
	int err, slot = -1;

	/* Find out first, so that a backup is made only when needed. */
	err = mmbuf_repair_path(path, MMBUF_REPAIR_DRY_RUN, &slot);
	if (err == 0 && slot >= 0 && !o->dry_run) {
		if (o->backup != NULL && (err = save_backup(path, o->backup)) != 0)
			return err;
		err = mmbuf_repair_path(path, 0, &slot);
	}
	if (err != 0) {
		tool_err(path, "cannot repair: %s",
			 tool_buffer_strerror(path, err));
		return err;
	}
	a->slot = slot;
	if (slot >= 0)
		a->what = o->dry_run ? "would_repair" : "repaired";
	return 0;
}

/* ------------------------------------------------------------------ */
/* The report as text                                                  */

/* A slot's damage in a word or two, for the verdict line. */
static const char *slot_damage(int st)
{
	switch (st) {
	case MMBUF_EMAGIC: return "bad magic";
	case MMBUF_ECHECKSUM: return "CRC";  /* the header CRC, not a checksum */
	case MMBUF_ETORN: return "torn";
	case MMBUF_EVERSION: return "version";
	case MMBUF_EFEATURE: return "feature";
	case MMBUF_ETRUNCATED: return "missing";
	case MMBUF_EINCONSISTENT: return "inconsistent";
	default: return mmbuf_err_name(st);
	}
}

static const char *reason_text(int reason)
{
	switch (reason) {
	case MMBUF_REASON_NEVER_SEALED: return "never sealed";
	case MMBUF_REASON_MODIFIED: return "modified since seal";
	case MMBUF_REASON_WRITER_OPEN: return "writer open";
	case MMBUF_REASON_UNCLEAN:
		return "unclean, the last writer did not close it";
	default: return "unknown reason";
	}
}

static const char *reason_key(int reason)
{
	switch (reason) {
	case MMBUF_REASON_NEVER_SEALED: return "\"never_sealed\"";
	case MMBUF_REASON_MODIFIED: return "\"modified\"";
	case MMBUF_REASON_WRITER_OPEN: return "\"writer_open\"";
	case MMBUF_REASON_UNCLEAN: return "\"unclean\"";
	default: return "null";
	}
}

/* Whether the slots were read at all: not when the file could not be
 * opened or read (a system error before any header was seen). */
static int slots_known(const mmbuf_report *r)
{
	return r->slot >= 0 || (r->error >= MMBUF_ERR_MIN &&
				r->error <= MMBUF_ERR_MAX);
}

static int truncated(const mmbuf_report *r)
{
	return r->error == MMBUF_ETRUNCATED;
}

/* "slot 0 CRC; blocks 17-18 at [0x1100000, 0x1300000)" */
static void corrupt_parts(const mmbuf_report *r)
{
	const char *sep = "";

	for (int i = 0; i < 2; i++) {
		/* A file too short for a slot is told by "truncated". */
		if (r->slot_status[i] == 0 ||
		    (truncated(r) && r->slot_status[i] == MMBUF_ETRUNCATED))
			continue;
		tool_out_printf("%sslot %d %s", sep, i,
				slot_damage(r->slot_status[i]));
		sep = "; ";
	}
	for (size_t k = 0; k < r->nbad; k++) {
		const mmbuf_bad_range *b = &r->bad[k];

		if (r->block_size == 0)
			tool_out_printf("%sdata checksum", sep);
		else if (b->first_block == b->last_block)
			tool_out_printf("%sblock %" PRIu64, sep, b->first_block);
		else
			tool_out_printf("%sblocks %" PRIu64 "-%" PRIu64, sep,
					b->first_block, b->last_block);
		/* Half-open, as in --json and mmbuf(3): end is excluded. */
		tool_out_printf(" at [0x%" PRIx64 ", 0x%" PRIx64 ")", b->offset,
				b->end);
		sep = "; ";
	}
	if (truncated(r)) {
		if (r->expected_size > r->file_size)
			tool_out_printf("%struncated: expected %" PRIu64
					" bytes, found %" PRIu64, sep,
					r->expected_size, r->file_size);
		else
			tool_out_printf("%struncated: %" PRIu64 " bytes",
					sep, r->file_size);
		sep = "; ";
	} else if (r->error != 0 && *sep == '\0') {
		/* A header that is wrong as a whole, not in one slot. */
		tool_out_printf("%s", mmbuf_strerror(r->error));
		sep = "; ";
	}
	if (r->reason != MMBUF_REASON_NONE)
		tool_out_printf("%sdata not verified: %s", sep,
				reason_text(r->reason));
}

static void verdict_line(const char *path, const mmbuf_report *r)
{
	tool_out_ctext(path);
	tool_out_str(": ");
	switch (r->verdict) {
	case MMBUF_VERDICT_OK:
		tool_out_str("ok\n");
		break;
	case MMBUF_VERDICT_UNVERIFIABLE:
		tool_out_printf("not verifiable (%s", reason_text(r->reason));
		/* The older slot of an unclean buffer: its last commit, cut
		 * short (mmbuf_verify_path in mmbuf(3)). */
		for (int i = 0; i < 2; i++)
			if (r->slot_status[i] != 0)
				tool_out_printf("; slot %d %s: an interrupted "
						"commit", i,
						slot_damage(r->slot_status[i]));
		tool_out_str(")\n");
		break;
	case MMBUF_VERDICT_CORRUPT:
		tool_out_str("CORRUPT (");
		corrupt_parts(r);
		tool_out_str(")\n");
		break;
	default:
		tool_out_printf("cannot check: %s\n",
				tool_buffer_strerror(path, r->error));
		break;
	}
}

static void details(const mmbuf_report *r)
{
	if (!slots_known(r))
		return;
	for (int i = 0; i < 2; i++)
		tool_out_printf("  slot %d: %s%s\n", i,
				tool_status_text(r->slot_status[i]),
				r->slot == i ? " (current)" : "");
	if (r->slot >= 0) {
		tool_out_printf("  generation: %" PRIu64 "\n", r->generation);
		tool_out_printf("  state: %s%s\n",
				r->state & MMBUF_STATE_SEALED ? "sealed"
							      : "not sealed",
				r->state & MMBUF_STATE_WRITER_OPEN
				? ", writer open" : "");
	}
	tool_out_printf("  file size: %" PRIu64 " bytes", r->file_size);
	if (r->expected_size != 0)
		tool_out_printf(" (expected %" PRIu64 ")", r->expected_size);
	tool_out_str("\n");
	if (r->slot < 0)
		return;
	tool_out_printf("  length: %" PRIu64 " bytes\n", r->length);
	if (r->checksum_generation != 0)
		tool_out_printf("  sealed at generation: %" PRIu64 "\n",
				r->checksum_generation);
	if (r->block_size != 0)
		tool_out_printf("  block size: %" PRIu64 " bytes (%" PRIu64
				" blocks)\n", r->block_size, r->blocks);
	tool_out_printf("  bytes checked: %" PRIu64 "\n", r->bytes_checked);
	for (size_t k = 0; k < r->nbad; k++)
		tool_out_printf("  bad: blocks %" PRIu64 "-%" PRIu64
				", bytes [0x%" PRIx64 ", 0x%" PRIx64 ")\n",
				r->bad[k].first_block, r->bad[k].last_block,
				r->bad[k].offset, r->bad[k].end);
}

/* ------------------------------------------------------------------ */
/* The report as JSON: one object per line, keys documented in          */
/* verifybuf(1).                                                        */

static void json_u64_or_null(const char *key, uint64_t v, int known)
{
	if (known)
		tool_out_printf(", \"%s\": %" PRIu64, key, v);
	else
		tool_out_printf(", \"%s\": null", key);
}

static void json_report(const char *path, const mmbuf_report *r,
			const struct action *a, int status)
{
	static const char *const verdicts[] = {
		"ok", "not_verifiable", "corrupt", "failed"
	};
	int hdr = r->slot >= 0;

	tool_out_str("{\"file\": ");
	tool_json_cstr(path);
	tool_out_printf(", \"verdict\": \"%s\", \"status\": %d",
			verdicts[r->verdict & 3], status);
	tool_out_printf(", \"reason\": %s", reason_key(r->reason));
	if (r->error != 0) {
		tool_out_printf(", \"error\": \"%s\", \"message\": ",
				mmbuf_err_name(r->error));
		tool_json_cstr(mmbuf_strerror(r->error));
	} else {
		tool_out_str(", \"error\": null, \"message\": null");
	}
	if (a->what != NULL)
		tool_out_printf(", \"action\": \"%s\"", a->what);
	else
		tool_out_str(", \"action\": null");
	json_u64_or_null("repaired_slot", (uint64_t)a->slot, a->slot >= 0);
	json_u64_or_null("slot", (uint64_t)r->slot, hdr);
	if (slots_known(r)) {
		tool_out_str(", \"slots\": [");
		for (int i = 0; i < 2; i++)
			tool_out_printf("%s\"%s\"", i ? ", " : "",
					tool_status_name(r->slot_status[i]));
		tool_out_str("]");
	} else {
		tool_out_str(", \"slots\": null");
	}
	if (hdr)
		tool_out_printf(", \"sealed\": %s, \"writer_open\": %s",
				r->state & MMBUF_STATE_SEALED ? "true" : "false",
				r->state & MMBUF_STATE_WRITER_OPEN ? "true"
								   : "false");
	else
		tool_out_str(", \"sealed\": null, \"writer_open\": null");
	json_u64_or_null("generation", r->generation, hdr);
	json_u64_or_null("file_size", r->file_size, slots_known(r));
	json_u64_or_null("expected_size", r->expected_size,
			 r->expected_size != 0);
	json_u64_or_null("length", r->length, hdr);
	json_u64_or_null("checksum_generation", r->checksum_generation,
			 hdr && r->checksum_generation != 0);
	json_u64_or_null("block_size", r->block_size, r->block_size != 0);
	json_u64_or_null("blocks", r->blocks, r->block_size != 0);
	tool_out_printf(", \"bytes_checked\": %" PRIu64, r->bytes_checked);
	tool_out_str(", \"bad\": [");
	for (size_t k = 0; k < r->nbad; k++)
		tool_out_printf("%s{\"first_block\": %" PRIu64
				", \"last_block\": %" PRIu64 ", \"offset\": %"
				PRIu64 ", \"end\": %" PRIu64 "}", k ? ", " : "",
				r->bad[k].first_block, r->bad[k].last_block,
				r->bad[k].offset, r->bad[k].end);
	tool_out_str("]}\n");
}

/* ------------------------------------------------------------------ */

static int check_file(const struct opts *o, const char *path)
{
	struct action a = { NULL, -1 };
	mmbuf_report *r;
	int err, status, pre = EXIT_VERIFIED;

	if (o->seal && (err = do_seal(o, path, &a)) != 0)
		pre = err_status(err);
	if (o->repair && (err = do_repair(o, path, &a)) != 0)
		pre = err_status(err);

	{
		char what[PATH_MAX + 16];
		struct tool_lib_progress pr;

		snprintf(what, sizeof what, "verifying %s", path);
		tool_lib_progress_init(&pr, what, !o->quiet);
		err = mmbuf_verify_path(path, MMBUF_CHECKSUM_MAPPED, o->threads,
					tool_lib_progress, &pr, &r);
		tool_lib_progress_end(&pr);
	}
	tool_die_of_signal();
	if (err != 0)
		tool_die(EXIT_CANNOT, path, "%s", mmbuf_strerror(err));
	status = r->verdict;
	if (pre > status)
		status = pre;
	if (o->json) {
		json_report(path, r, &a, status);
	} else {
		if (a.what != NULL && !o->quiet) {
			tool_out_ctext(path);
			if (a.what[0] == 's')
				tool_out_str(": sealed\n");
			else
				tool_out_printf(": %s slot %d from slot %d\n",
						o->dry_run ? "would repair"
							   : "repaired",
						a.slot, 1 - a.slot);
		}
		if (!o->quiet || r->verdict != MMBUF_VERDICT_OK)
			verdict_line(path, r);
		if (o->verbose)
			details(r);
	}
	mmbuf_report_free(r);
	/* Keep lines in order with the messages on stderr. */
	tool_out_flush();
	if (fflush(stdout) != 0)
		tool_die(TOOL_EXIT_OUTPUT, NULL, "write error: %s",
			 strerror(errno));
	return status;
}

int main(int argc, char **argv)
{
	struct opts o;
	int worst = EXIT_VERIFIED;

	tool_init(argv[0]);
	parse_args(argc, argv, &o);
	/* Ctrl-C stops a seal or a check cleanly (verifybuf(1)). */
	tool_catch_signals();
	for (int i = optind; i < argc; i++) {
		int st = check_file(&o, argv[i]);

		if (st > worst)
			worst = st;
	}
	tool_out_finish();
	return worst;
}
