/*
 * dumpbuf-follow.c - dumpbuf --follow: the data shown as a writer commits
 * it, like tail -f, in the xxd, -C, --raw and -t layouts (see dumpbuf.h).
 *
 * The follower blocks in mmbuf_wait() until the next commit, in slices of
 * SLICE so that it also sees a signal and a new file put at the path.  Only
 * committed data is shown, read with pread (mmbuf_read) rather than through
 * the mapping, so a writer that shrinks the file makes a short read, not a
 * SIGBUS.  Hex layouts show whole lines as they complete; the partial last
 * line, and -C's end address, come when following ends, so that the output
 * of a follow that ran to the end is that of one dump of the final data.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mmbuf.h"
#include "common.h"
#include "dumpbuf.h"

/* How long one wait lasts at most before the signal and path checks. */
#define SLICE_NS 100000000

struct follower {
	const struct opts *o;
	struct input in;
	dev_t dev;              /* the open file, to see a new one at the path */
	ino_t ino;
	uint64_t start;         /* where the range starts (-s, --rows A:) */
	uint64_t pos;           /* next byte (hex layouts) or row (-t) */
	uint64_t end;           /* end of the range (-n); UINT64_MAX: none */
	uint64_t last_len;      /* the length as last seen */
	uint64_t first_base;    /* x.base at the start of this file */
	int crash_told;         /* the crashed writer was reported */
	int ended;              /* the dump of this file is complete */
	int color;
	struct xxd x;
	struct canon c;
	struct typed_view v;
	uint8_t *rows;          /* -t: rows read for formatting */
	size_t rows_size;
};

static void sleep_slice(void)
{
	struct timespec ts = { 0, SLICE_NS };

	nanosleep(&ts, NULL);
}

/*
 * Open the buffer at the path, as the file it names now; with wait, a
 * missing file is waited for (told once on stderr).  Returns 0, or 1 when
 * a signal came while waiting.
 */
static int open_path(struct follower *f, int wait)
{
	const char *path = f->o->path;
	struct stat st;
	int told = 0, fd, err;

	for (;;) {
		if (tool_caught)
			return 1;
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd >= 0)
			break;
		if (errno != ENOENT || !wait)
			tool_die(TOOL_EXIT_INPUT, path, "%s", strerror(errno));
		if (!told)
			tool_err(path, "%s; waiting for it to appear",
				 strerror(errno));
		told = 1;
		sleep_slice();
	}
	if (fstat(fd, &st) < 0)
		tool_die(TOOL_EXIT_INPUT, path, "%s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		tool_die(TOOL_EXIT_INPUT, path, "%s", strerror(EISDIR));
	err = S_ISREG(st.st_mode) ? mmbuf_open_fd(fd, MMBUF_RDONLY, &f->in.buf)
				  : MMBUF_ENOTREG;
	close(fd);
	if (err < 0)
		open_failed(path, err);
	if (told)
		tool_err(path, "the file appeared; following it");
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->in.path = path;
	f->in.fd = -1;
	f->in.label = mmbuf_label(f->in.buf);
	f->in.len = mmbuf_length(f->in.buf);
	f->last_len = f->in.len;
	return 0;
}

/* Whether another file than the one open is now at the path. */
static int replaced(const struct follower *f)
{
	struct stat st;

	return stat(f->o->path, &st) == 0 &&
	       (st.st_dev != f->dev || st.st_ino != f->ino);
}

/* The state of the layouts at the start of a file (or the range in it). */
static void layout_start(struct follower *f, uint64_t pos)
{
	f->pos = pos;
	f->x.base = pos + f->o->display_off;
	f->x.zero_seen = 0;
	f->first_base = f->x.base;
	f->ended = 0;
	canon_setup(&f->c, f->o, f->color);
	f->c.addr = pos;
}

/* The bytes each layout shows at a time: a line, or a byte for --raw. */
static uint64_t unit_of(const struct follower *f)
{
	switch (f->o->mode) {
	case MODE_XXD: return (uint64_t)f->x.cols;
	case MODE_CANON: return 16;
	default: return 1;
	}
}

/*
 * Show the committed data from f->pos up to end (bytes), through the
 * layout's formatter reading with pread; with last, the end of the dump
 * too.  Returns 0, or 1 when the file no longer held the data (shrunk
 * under us: the next commit tells more).
 */
static int show_bytes(struct follower *f, uint64_t end, int last)
{
	struct source s;
	int partial = 0;

	memset(&s, 0, sizeof s);
	if (end > f->pos) {
		s.in = &f->in;
		s.pos = f->pos;
		s.released = f->pos;
		s.end = end;
		switch (f->o->mode) {
		case MODE_XXD:
			partial = xxd_lines(&f->x, &s);
			break;
		case MODE_CANON:
			canon_lines(&f->c, &s);
			break;
		default:
			dump_raw(&s);
			break;
		}
		free(s.buf);
		f->pos = s.pos;
	}
	if (last && !s.eof) {
		if (f->o->mode == MODE_XXD)
			xxd_end(&f->x, f->first_base, partial);
		else if (f->o->mode == MODE_CANON && f->o->limit != 0)
			canon_end(&f->c);
	}
	return s.eof;
}

/* -t: the rows committed since the last call. */
static int show_rows(struct follower *f, uint64_t end)
{
	struct typed_view *v = &f->v;

	while (f->pos < end && f->pos < v->rows) {
		uint64_t n = v->rows - f->pos, max;
		int err;

		if (end - f->pos < n)
			n = end - f->pos;
		max = v->rowbytes >= CHUNK ? 1 : CHUNK / v->rowbytes;
		if (n > max)
			n = max;
		if (n * v->rowbytes > f->rows_size) {
			free(f->rows);
			f->rows_size = (size_t)(n * v->rowbytes);
			f->rows = malloc(f->rows_size);
			if (f->rows == NULL)
				tool_die(TOOL_EXIT_INPUT, NULL, "out of memory");
		}
		err = mmbuf_read(f->in.buf, f->pos * v->rowbytes, f->rows,
				 (size_t)(n * v->rowbytes));
		if (err == MMBUF_ETRUNCATED)
			return 1;
		if (err < 0)
			tool_die(TOOL_EXIT_INPUT, f->in.path, "read error: %s",
				 mmbuf_strerror(err));
		typed_rows(v, f->o->sep, f->rows, f->pos, f->pos + n);
		f->pos += n;
	}
	return 0;
}

static void flush_out(void)
{
	tool_out_flush();
	errno = 0;
	if (fflush(stdout) != 0) {
		tool_out_len = 0;
		tool_die(TOOL_EXIT_OUTPUT, NULL, "write error: %s",
			 errno ? strerror(errno) : "short write");
	}
}

/*
 * Show what was committed since the last call: whole lines (rows), or
 * with last everything, the partial last line and -C's end address too.
 * A length that went down is told on stderr, and the dump goes on from
 * the new end (the lines after it will be shown again as they come).
 */
static void show_new(struct follower *f, int last)
{
	uint64_t len = mmbuf_length(f->in.buf), avail, unit = unit_of(f);

	f->in.len = len;
	if (len < f->last_len)
		tool_err(f->in.path, "the length went down from %" PRIu64
			 " to %" PRIu64 " bytes", f->last_len, len);
	f->last_len = len;
	if (f->o->mode == MODE_TYPED) {
		typed_setup(&f->v, f->o->type, &f->in);
		if (f->v.rows < f->pos) {
			tool_err(f->in.path, "going on from row %" PRIu64
				 ", the end of the data now", f->v.rows);
			f->pos = f->v.rows;
		}
		(void)show_rows(f, f->end);
		flush_out();
		return;
	}
	if (f->ended)
		return;
	if (len < f->pos) {
		uint64_t back = len < f->start ? f->start
					       : len - (len - f->start) % unit;

		tool_err(f->in.path, "going on from data offset %" PRIu64
			 ", the end of the whole lines now", back);
		layout_start(f, back);
	}
	avail = len < f->end ? len : f->end;
	if (avail == f->end)
		last = 1;       /* the whole range is there */
	if (!last && avail > f->pos)
		avail -= (avail - f->pos) % unit;
	if (show_bytes(f, avail, last) == 0 && last)
		f->ended = 1;
	flush_out();
}

/*
 * Tell, once, that the writer went away without closing the buffer.
 * Returns whether it did.
 */
static int check_crash(struct follower *f)
{
	mmbuf_info info;

	if (mmbuf_writer_active(f->in.buf)) {
		f->crash_told = 0;
		return 0;
	}
	if (!mmbuf_unclean(f->in.buf))
		return 0;
	if (!f->crash_told) {
		mmbuf_get_info(f->in.buf, &info);
		tool_err(f->in.path, "the writer (pid %" PRIu32 ") ended "
			 "without closing the buffer%s", info.writer_pid,
			 f->o->until_closed ? "" : "; waiting for a new writer");
	}
	f->crash_told = 1;
	return 1;
}

/* The first position of the range: -s for the hex layouts, --rows A: for
 * -t, both resolved against the data there is now. */
static void range_start(struct follower *f)
{
	struct rows sel;

	f->end = UINT64_MAX;
	if (f->o->mode == MODE_TYPED) {
		f->in.len = mmbuf_length(f->in.buf);
		typed_setup(&f->v, f->o->type, &f->in);
		parse_rows(f->o->rows, f->v.rows, &sel);
		f->start = (uint64_t)sel.start;
		layout_start(f, f->start);
		return;
	}
	f->start = resolve_skip(f->o, &f->in);
	if (f->o->limit != UINT64_MAX)
		f->end = f->start > UINT64_MAX - f->o->limit
			 ? UINT64_MAX : f->start + f->o->limit;
	layout_start(f, f->start);
}

int follow(const struct opts *o, int color)
{
	struct follower f;
	int status = TOOL_EXIT_OK, err, changed;

	memset(&f, 0, sizeof f);
	f.o = o;
	f.color = color;
	/* SIGINT, SIGTERM and SIGHUP end the follow, which then finishes
	 * its output and exits 0. */
	tool_catch_signals();
	if (o->mode == MODE_XXD) {
		xxd_setup(&f.x, o);
		f.x.color = color;
	}
	if (open_path(&f, 1) != 0)
		return TOOL_EXIT_OK;
	range_start(&f);
	(void)check_crash(&f);
	for (;;) {
		show_new(&f, 0);
		if (tool_caught || f.ended)     /* f.ended: all of -n */
			break;
		if (o->until_closed && !mmbuf_writer_active(f.in.buf)) {
			if (check_crash(&f))
				status = TOOL_EXIT_INPUT;
			break;
		}
		(void)check_crash(&f);
		err = mmbuf_wait(f.in.buf, SLICE_NS, &changed);
		if (err == -ETIMEDOUT) {
			err = 0;
			changed = 0;
		}
		if (err < 0 && err != MMBUF_EINCONSISTENT)
			tool_die(TOOL_EXIT_INPUT, f.in.path, "%s",
				 mmbuf_strerror(err));
		if (tool_caught) {
			/* All that was committed before the signal. */
			(void)mmbuf_refresh(f.in.buf, NULL);
			continue;
		}
		if (err == MMBUF_EINCONSISTENT || (!changed && replaced(&f))) {
			/* The old file first: what its writer committed
			 * last, and the end of its dump. */
			show_new(&f, 1);
			mmbuf_close(f.in.buf);
			f.in.buf = NULL;
			tool_err(o->path, "the file was replaced; following "
				 "the new file from its start");
			if (open_path(&f, 1) != 0)
				return TOOL_EXIT_OK;
			f.crash_told = 0;
			range_start(&f);
			(void)check_crash(&f);
		}
	}
	show_new(&f, 1);
	free(f.rows);
	mmbuf_close(f.in.buf);
	return status;
}
