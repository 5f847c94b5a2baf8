/*
 * editbuf-tui.c - editbuf's interactive mode: a full-screen hex editor on
 * ncurses, with hexedit's key bindings where hexedit has them.
 *
 * Nothing is written while the user edits: every keystroke goes into an
 * edit log (edit.h), the screen shows the read-only mapping overlaid with
 * it, and only a save writes the file, through the library, into the file
 * that was opened and no other: if the name now holds another file, or
 * another writer committed since the editor read the buffer, the save
 * says so and asks.  Only what is
 * on screen is read, and a search streams through the data in chunks, so
 * a file larger than memory costs no more than a small one.
 *
 * The keys live in one table, each with the handler that does its work,
 * which the dispatcher and the help screen both read: dispatching is a
 * lookup, and the help cannot drift from what the keys do.
 */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmbuf.h"
#include "common.h"
#include "edit.h"
#include "editbuf.h"

/* Keys: Esc (or Alt) followed by c is META(c); Ctrl-c is CTRL(c). */
#define META(c) (0x10000 | (c))
#define CTRL(c) ((c) & 0x1f)
#define CTRL_SPACE (-1)

/* Lines at the bottom: status, four of inspector, message. */
#define BOTTOM_LINES 6
#define HEADER_LINES 4
#define MIN_COLS 44
#define MIN_LINES 10
/* A search reads this much at a time. */
#define SEARCH_CHUNK (1u << 20)
#define PATTERN_MAX 256
/* Copying is into memory: a bigger range is refused, not truncated. */
#define CLIP_MAX (16u << 20)

enum { PANE_HEX, PANE_ASCII };
enum { PAIR_STATUS = 1, PAIR_MODIFIED, PAIR_PAST, PAIR_MSG };

struct ed {
	const char *path;
	char name[1024];        /* path as shown (tool_text) */
	int fd;                 /* the file opened: saves go there only */
	mmbuf *buf;             /* read-only, on the file of fd */
	int read_only;          /* -R */
	const char *ro;
	uint64_t gen;           /* the generation last read or saved */
	struct edit_log *log;
	mmbuf_info info;
	struct edit_layout lay;
	const uint8_t *base;
	uint64_t cap;
	uint64_t cur, top, mark;
	int marking, nib, pane, header;
	int bpl, offw, rows, data_row0;
	int too_small;
	char msg[256];
	uint8_t *clip;
	size_t clipn;
	uint8_t pat[PATTERN_MAX];
	size_t patn;
	int color;
	int bus;                /* a read hit SIGBUS: the file shrank */
};

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void set_msg(struct ed *e, const char *fmt, ...) TOOL_PRINTF(2, 3);

static void set_msg(struct ed *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
}

/* Bytes [off, off + n) as they would be after saving; zeros and a message
 * when the mapping faults because the file was truncated under us. */
static void rd(struct ed *e, uint64_t off, uint8_t *out, size_t n)
{
	if (n == 0)
		return;
	if (TOOL_GUARD_SETJMP()) {
		/* a fault disarms the guard: arm it again for the next read */
		tool_guard_arm(e->base, e->cap);
		memset(out, 0, n);
		e->bus = 1;
		return;
	}
	edit_read(e->log, e->base, off, out, n);
}

static void load_info(struct ed *e)
{
	mmbuf_get_info(e->buf, &e->info);
	edit_layout_init(&e->lay, &e->info);
	e->base = mmbuf_data(e->buf);
	e->cap = mmbuf_capacity(e->buf);
	if (e->base != NULL)
		tool_guard_arm(e->base, e->cap);
	else
		tool_guard_disarm();
}

/* ------------------------------------------------------------------ */
/* Layout and drawing                                                  */

static void layout(struct ed *e)
{
	int w = 8, avail;
	uint64_t last = e->cap ? e->cap - 1 : 0;

	while (w < 16 && (last >> (4 * w)) != 0)
		w++;
	e->offw = w;
	e->bpl = 32;
	/* offset, two spaces, "xx " per byte, a space, a char per byte */
	while (e->bpl > 4 && w + 3 + 4 * e->bpl > COLS)
		e->bpl /= 2;
	e->too_small = COLS < MIN_COLS || LINES < MIN_LINES ||
		w + 3 + 4 * e->bpl > COLS;
	avail = LINES - BOTTOM_LINES;
	e->data_row0 = 0;
	if (e->header && avail - HEADER_LINES >= 2) {
		e->data_row0 = HEADER_LINES;
		avail -= HEADER_LINES;
	}
	e->rows = avail > 1 ? avail : 1;
}

/* Keep the cursor on screen. */
static void scroll_to_cursor(struct ed *e)
{
	uint64_t page = (uint64_t)e->rows * (uint64_t)e->bpl;
	uint64_t line = e->cur - e->cur % (uint64_t)e->bpl;

	if (e->cur < e->top)
		e->top = line;
	else if (e->cur >= e->top + page)
		e->top = line - (uint64_t)(e->rows - 1) * (uint64_t)e->bpl;
	e->top -= e->top % (uint64_t)e->bpl;
}

static int hex_col(const struct ed *e, int i)
{
	return e->offw + 2 + 3 * i;
}

static int ascii_col(const struct ed *e, int i)
{
	return e->offw + 3 + 3 * e->bpl + i;
}

static void pen_on(const struct ed *e, int pair, attr_t fallback)
{
	if (e->color)
		attron(COLOR_PAIR(pair) | (pair == PAIR_MODIFIED ? A_BOLD : 0));
	else
		attron(fallback);
}

static void pen_off(const struct ed *e, int pair, attr_t fallback)
{
	if (e->color)
		attroff(COLOR_PAIR(pair) | A_BOLD);
	else
		attroff(fallback);
}

static void draw_header(struct ed *e)
{
	const mmbuf_info *in = &e->info;
	char shape[MMBUF_MAX_DIMS * 22 + 4], uuid[37];
	char label[4 * MMBUF_LABEL_MAX + 1];
	size_t k = 0;
	const char *state;

	shape[k++] = '(';
	shape[k] = '\0';
	for (uint32_t d = 0; d < in->ndim; d++)
		k += (size_t)snprintf(shape + k, sizeof shape - k, "%s%" PRIu64,
				      d ? ", " : "", in->shape[d]);
	snprintf(shape + k, sizeof shape - k, "%s)", in->ndim == 1 ? "," : "");
	tool_fmt_uuid(uuid, in->uuid);
	if (in->state & MMBUF_STATE_WRITER_OPEN)
		state = "writer open";
	else if (in->state & MMBUF_STATE_SEALED)
		state = "sealed";
	else
		state = "clean, not sealed";
	tool_text(label, sizeof label, (const uint8_t *)in->label,
		  strlen(in->label));
	mvprintw(0, 0, "dtype %s  shape %s  itemsize %" PRIu32 "  label \"%s\"",
		 in->dtype, shape, in->itemsize, label);
	mvprintw(1, 0, "length %" PRIu64 "  capacity %" PRIu64
		 "  data offset %" PRIu64 "  file size %" PRIu64,
		 in->length, in->capacity, in->data_offset, in->file_size);
	mvprintw(2, 0, "generation %" PRIu64 "  state %s  version %u.%u  uuid %s",
		 in->generation, state, in->version_major, in->version_minor,
		 uuid);
	mvhline(3, 0, ACS_HLINE, COLS);
}

static void draw_data(struct ed *e)
{
	size_t n = (size_t)e->rows * (size_t)e->bpl;
	uint64_t lo, hi;
	uint8_t *b;

	if (e->top >= e->cap)
		return;
	if (n > e->cap - e->top)
		n = (size_t)(e->cap - e->top);
	b = malloc(n ? n : 1);
	if (b == NULL) {
		set_msg(e, "out of memory");
		return;
	}
	rd(e, e->top, b, n);
	lo = e->marking ? (e->mark < e->cur ? e->mark : e->cur) : 1;
	hi = e->marking ? (e->mark < e->cur ? e->cur : e->mark) : 0;
	for (int r = 0; r < e->rows; r++) {
		uint64_t line = e->top + (uint64_t)r * (uint64_t)e->bpl;
		int y = e->data_row0 + r;

		if (line >= e->cap)
			break;
		mvprintw(y, 0, "%0*" PRIx64, e->offw, line);
		for (int i = 0; i < e->bpl; i++) {
			uint64_t off = line + (uint64_t)i;
			size_t at = (size_t)(off - e->top);
			attr_t a = 0;
			int c;

			if (off >= e->cap)
				break;
			if (off >= lo && off <= hi)
				a |= A_REVERSE;
			if (off == e->cur)
				a |= A_UNDERLINE;
			if (edit_is_modified(e->log, off))
				pen_on(e, PAIR_MODIFIED, A_BOLD);
			else if (off >= e->info.length)
				pen_on(e, PAIR_PAST, A_DIM);
			attron(a);
			mvprintw(y, hex_col(e, i), "%02x", b[at]);
			c = b[at];
			mvaddch(y, ascii_col(e, i),
				(chtype)(c >= 0x20 && c < 0x7f ? c : '.'));
			attroff(a);
			pen_off(e, PAIR_MODIFIED, A_BOLD);
			pen_off(e, PAIR_PAST, A_DIM);
		}
	}
	free(b);
}

static void draw_inspector(struct ed *e, int y)
{
	uint8_t b[8];
	size_t n = e->cur < e->cap ?
		(e->cap - e->cur < 8 ? (size_t)(e->cap - e->cur) : 8) : 0;

	rd(e, e->cur, b, n);
	for (int big = 0; big < 2; big++) {
		const char *bo = big ? "BE" : "LE";
		char order = big ? '>' : '<', l1[160], l2[160];
		size_t k;

		k = (size_t)snprintf(l1, sizeof l1, "%s", bo);
		if (n >= 1)
			k += (size_t)snprintf(l1 + k, sizeof l1 - k,
					      " i8 %d u8 %u", (int8_t)b[0], b[0]);
		if (n >= 2) {
			uint16_t v = (uint16_t)tool_load(b, 2, order);

			k += (size_t)snprintf(l1 + k, sizeof l1 - k,
					      " i16 %d u16 %u", (int16_t)v, v);
		}
		if (n >= 4) {
			uint32_t v = (uint32_t)tool_load(b, 4, order);
			float f;

			memcpy(&f, &v, 4);
			snprintf(l1 + k, sizeof l1 - k,
				 " i32 %" PRId32 " u32 %" PRIu32 " f32 %.9g",
				 (int32_t)v, v, (double)f);
		}
		snprintf(l2, sizeof l2, "%s", bo);
		if (n >= 8) {
			uint64_t v = tool_load(b, 8, order);
			double f;

			memcpy(&f, &v, 8);
			snprintf(l2, sizeof l2, "%s i64 %" PRId64 " u64 %" PRIu64
				 " f64 %.17g", bo, (int64_t)v, v, f);
		}
		mvaddnstr(y + big, 0, l1, COLS);
		mvaddnstr(y + 2 + big, 0, l2, COLS);
	}
}

/* printf at *k in buf, truncating at the end of buf. */
static void append(char *buf, size_t size, size_t *k, const char *fmt, ...)
	TOOL_PRINTF(4, 5);

static void append(char *buf, size_t size, size_t *k, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*k + 1 >= size)
		return;
	va_start(ap, fmt);
	w = vsnprintf(buf + *k, size - *k, fmt, ap);
	va_end(ap);
	if (w > 0)
		*k = *k + (size_t)w < size ? *k + (size_t)w : size - 1;
}

static void draw_status(struct ed *e, int y)
{
	char line[1024], idx[8 * 21 + 8], val[128];
	size_t k;
	uint64_t isz = e->lay.itemsize ? e->lay.itemsize : 1;
	uint64_t elem = e->cur / isz, nelem = 1;

	for (uint32_t d = 0; d < e->lay.ndim; d++)
		nelem *= e->lay.shape[d];
	idx[0] = val[0] = '\0';
	if (e->cap > 0 && elem < nelem && (elem + 1) * isz <= e->cap) {
		uint8_t b[64];
		size_t n = isz <= sizeof b ? (size_t)isz : 0;

		edit_format_index(&e->lay, e->cur, idx, sizeof idx);
		if (n > 0) {
			rd(e, elem * isz, b, n);
			edit_format_value(e->lay.dtype, b, val, sizeof val);
		}
	}
	k = 0;
	append(line, sizeof line, &k, "%s  0x%0*" PRIx64, e->name, e->offw,
	       e->cur);
	if (idx[0])
		append(line, sizeof line, &k, "  #%s  %s %s", idx,
		       e->lay.dtype, val);
	if (e->marking) {
		uint64_t lo = e->mark < e->cur ? e->mark : e->cur;
		uint64_t hi = e->mark < e->cur ? e->cur : e->mark;

		append(line, sizeof line, &k, "  marked %" PRIu64, hi - lo + 1);
	}
	if (edit_pending(e->log) > 0)
		append(line, sizeof line, &k, "  modified");
	if (e->ro != NULL)
		append(line, sizeof line, &k, "  %s", e->ro);
	pen_on(e, PAIR_STATUS, A_REVERSE);
	mvhline(y, 0, ' ', COLS);
	mvaddnstr(y, 0, line, COLS);
	pen_off(e, PAIR_STATUS, A_REVERSE);
}

static void draw(struct ed *e)
{
	erase();
	if (e->too_small) {
		mvprintw(0, 0, "too small: need %dx%d",
			 e->offw + 3 + 4 * 4 > MIN_COLS ?
			 e->offw + 3 + 4 * 4 : MIN_COLS, MIN_LINES);
		mvprintw(1, 0, "Ctrl-C quits");
		refresh();
		return;
	}
	scroll_to_cursor(e);
	if (e->data_row0 > 0)
		draw_header(e);
	if (e->cap == 0)
		mvprintw(e->data_row0, 0, "(no data: the capacity is 0)");
	draw_data(e);
	draw_status(e, LINES - BOTTOM_LINES);
	draw_inspector(e, LINES - BOTTOM_LINES + 1);
	if (e->bus)
		set_msg(e, "%s: cannot read the data: the file was truncated",
			e->name);
	e->bus = 0;
	if (e->msg[0]) {
		pen_on(e, PAIR_MSG, A_BOLD);
		mvaddnstr(LINES - 1, 0, e->msg, COLS);
		pen_off(e, PAIR_MSG, A_BOLD);
	}
	if (e->cap > 0) {
		int r = (int)((e->cur - e->top) / (uint64_t)e->bpl);
		int i = (int)(e->cur % (uint64_t)e->bpl);

		move(e->data_row0 + r, e->pane == PANE_HEX ?
		     hex_col(e, i) + e->nib : ascii_col(e, i));
	}
	refresh();
}

/* ------------------------------------------------------------------ */
/* Input                                                               */

/* The next key, with Esc-prefixed keys folded into META(); 0 when a
 * signal asked us to stop. */
static int get_key(void)
{
	for (;;) {
		int c;

		if (got_signal)
			return 0;
		c = getch();
		if (c == ERR)
			continue;
		if (c == 0)
			return CTRL_SPACE;
		if (c == 27) {
			int d;

			timeout(500);
			d = getch();
			timeout(250);
			if (d == ERR || d == 27)
				return 27;
			return META(d >= 'A' && d <= 'Z' ? d - 'A' + 'a' : d);
		}
		return c;
	}
}

/* Redraw with line on the bottom line, as a question; the key answered. */
static int ask_key(struct ed *e, const char *line)
{
	e->msg[0] = '\0';
	draw(e);
	pen_on(e, PAIR_MSG, A_BOLD);
	mvhline(LINES - 1, 0, ' ', COLS);
	mvaddnstr(LINES - 1, 0, line, COLS);
	pen_off(e, PAIR_MSG, A_BOLD);
	refresh();
	return get_key();
}

/*
 * A line of text typed on the bottom line after prompt.  Returns 0, or -1
 * when cancelled (Esc, Ctrl-G, Ctrl-C) or stopped by a signal.
 */
static int prompt(struct ed *e, const char *question, char *out, size_t outlen)
{
	size_t n = 0;

	out[0] = '\0';
	for (;;) {
		char line[1024];
		int c;

		snprintf(line, sizeof line, "%s %s", question, out);
		c = ask_key(e, line);
		if (c == 0 || c == 27 || c == CTRL('G') || c == CTRL('C')) {
			set_msg(e, "cancelled");
			return -1;
		}
		if (c == '\r' || c == '\n' || c == KEY_ENTER)
			return 0;
		if (c == KEY_RESIZE) {
			layout(e);
		} else if (c == KEY_BACKSPACE || c == 0x7f || c == CTRL('H')) {
			if (n > 0)
				out[--n] = '\0';
		} else if (c == CTRL('U')) {
			n = 0;
			out[0] = '\0';
		} else if (c >= 0x20 && c < 0x7f && n + 1 < outlen) {
			out[n++] = (char)c;
			out[n] = '\0';
		}
	}
}

/* Hex digits, spaces allowed between bytes, into bytes; -1 if malformed. */
static int parse_hex(const char *s, uint8_t *out, size_t max, size_t *n)
{
	*n = 0;
	while (*s) {
		int hi, lo;

		if (*s == ' ') {
			s++;
			continue;
		}
		hi = tool_hexval((unsigned char)s[0]);
		lo = hi < 0 ? -1 : tool_hexval((unsigned char)s[1]);
		if (lo < 0 || *n == max)
			return -1;
		out[(*n)++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return *n > 0 ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */

static void move_to(struct ed *e, uint64_t off)
{
	if (e->cap == 0)
		return;
	e->cur = off < e->cap ? off : e->cap - 1;
	e->nib = 0;
}

static void cmd_goto(struct ed *e)
{
	char in[200];
	uint64_t off;
	const char *why;

	if (prompt(e, "Go to (0x hex, decimal, #index):", in, sizeof in) != 0)
		return;
	if (in[0] == '#') {
		if (edit_parse_index(&e->lay, in + 1, 0, &off, &why) != 0) {
			set_msg(e, "go to %s: %s", in, why);
			return;
		}
	} else if (tool_parse_u64(in, &off) != 0) {
		set_msg(e, "go to %s: not an offset or #index", in);
		return;
	}
	if (off >= e->cap) {
		set_msg(e, "go to %s: offset 0x%" PRIx64 " is past the end of "
			"the data (capacity %" PRIu64 ")", in, off, e->cap);
		return;
	}
	move_to(e, off);
}

/* Whether the user pressed a key that cancels a long search. */
static int search_cancelled(void)
{
	int c;

	nodelay(stdscr, TRUE);
	c = getch();
	nodelay(stdscr, FALSE);
	timeout(250);
	return got_signal || c == 27 || c == CTRL('C') || c == CTRL('G');
}

static int find_read(void *arg, uint64_t off, uint8_t *out, size_t n)
{
	struct ed *e = arg;

	rd(e, off, out, n);
	return e->bus;
}

static int find_tick(void *arg, uint64_t done)
{
	struct ed *e = arg;

	set_msg(e, "searching: %" PRIu64 " MiB read (Esc cancels)", done >> 20);
	draw(e);
	return search_cancelled();
}

/* Find the pattern starting after (dir > 0) or before the cursor. */
static void find(struct ed *e, int dir)
{
	struct edit_search s = { find_read, find_tick, e, SEARCH_CHUNK };
	uint64_t found = 0;
	int r;

	if (e->patn == 0) {
		set_msg(e, "no search yet (Ctrl-S or Ctrl-R)");
		return;
	}
	r = edit_find(&s, e->cap, e->cur, dir, e->pat, e->patn, &found);
	if (r < 0) {
		set_msg(e, "out of memory");
	} else if (r == EDIT_FOUND) {
		move_to(e, found);
		set_msg(e, "found at 0x%" PRIx64, found);
	} else if (r == EDIT_CANCELLED) {
		set_msg(e, "search cancelled");
	} else if (!e->bus) {
		set_msg(e, "not found");
	}
}

static void cmd_search(struct ed *e, int dir)
{
	char in[PATTERN_MAX * 3 + 1];
	const char *q;

	if (e->pane == PANE_HEX)
		q = dir > 0 ? "Search forward (hex bytes):" :
			"Search backward (hex bytes):";
	else
		q = dir > 0 ? "Search forward (text):" :
			"Search backward (text):";
	if (prompt(e, q, in, sizeof in) != 0)
		return;
	if (in[0] != '\0') {
		size_t n;

		if (e->pane == PANE_ASCII) {
			n = strlen(in);
			if (n > PATTERN_MAX) {
				set_msg(e, "search: at most %d bytes",
					PATTERN_MAX);
				return;
			}
			memcpy(e->pat, in, n);
		} else if (parse_hex(in, e->pat, PATTERN_MAX, &n) != 0) {
			set_msg(e, "search: \"%s\" is not hex bytes (two hex "
				"digits a byte, e.g. de ad be ef)", in);
			return;
		}
		e->patn = n;
	}
	e->msg[0] = '\0';
	find(e, dir);
}

static void range(const struct ed *e, uint64_t *lo, uint64_t *n)
{
	uint64_t a = e->mark < e->cur ? e->mark : e->cur;
	uint64_t b = e->mark < e->cur ? e->cur : e->mark;

	*lo = a;
	*n = b - a + 1;
}

static void cmd_copy(struct ed *e)
{
	uint64_t lo, n;
	uint8_t *c;

	if (!e->marking) {
		set_msg(e, "copy: no range marked (Ctrl-Space or F9 sets the "
			"mark)");
		return;
	}
	range(e, &lo, &n);
	if (n > CLIP_MAX) {
		set_msg(e, "copy: %" PRIu64 " bytes is more than the %u MiB "
			"that can be copied", n, CLIP_MAX >> 20);
		return;
	}
	c = malloc((size_t)n);
	if (c == NULL) {
		set_msg(e, "copy: out of memory");
		return;
	}
	rd(e, lo, c, (size_t)n);
	free(e->clip);
	e->clip = c;
	e->clipn = (size_t)n;
	e->marking = 0;
	set_msg(e, "copied %" PRIu64 " bytes", n);
}

static void report_edit(struct ed *e, int err, const char *what)
{
	if (err == -ERANGE)
		set_msg(e, "%s: past the end of the data (capacity %" PRIu64
			")", what, e->cap);
	else if (err != 0)
		set_msg(e, "%s: %s", what, mmbuf_strerror(err));
}

static void cmd_paste(struct ed *e)
{
	if (e->clipn == 0) {
		set_msg(e, "paste: nothing copied (Esc-W copies)");
		return;
	}
	if (e->clipn > e->cap - e->cur) {
		set_msg(e, "paste: %zu bytes do not fit before the end of the "
			"data", e->clipn);
		return;
	}
	report_edit(e, edit_put(e->log, e->cur, e->clip, e->clipn), "paste");
	if (e->msg[0] == '\0')
		set_msg(e, "pasted %zu bytes", e->clipn);
}

static void cmd_fill(struct ed *e)
{
	char in[64], q[128];
	uint64_t lo, n;
	uint8_t byte;
	size_t k;

	if (!e->marking) {
		set_msg(e, "fill: no range marked (Ctrl-Space or F9 sets the "
			"mark)");
		return;
	}
	range(e, &lo, &n);
	snprintf(q, sizeof q, "Fill %" PRIu64 " bytes with (%s):", n,
		 e->pane == PANE_HEX ? "a hex byte" : "a character");
	if (prompt(e, q, in, sizeof in) != 0)
		return;
	if (e->pane == PANE_HEX) {
		if (parse_hex(in, &byte, 1, &k) != 0) {
			set_msg(e, "fill: \"%s\" is not a hex byte", in);
			return;
		}
	} else if (strlen(in) != 1) {
		set_msg(e, "fill: type one character");
		return;
	} else {
		byte = (uint8_t)in[0];
	}
	e->msg[0] = '\0';
	report_edit(e, edit_fill(e->log, lo, n, byte), "fill");
	if (e->msg[0] == '\0') {
		e->marking = 0;
		set_msg(e, "filled %" PRIu64 " bytes with %02x", n, byte);
	}
}

static void cmd_undo(struct ed *e, int redo)
{
	uint64_t off, len;

	if (!(redo ? edit_redo : edit_undo)(e->log, &off, &len)) {
		set_msg(e, redo ? "nothing to redo" : "nothing to undo");
		return;
	}
	move_to(e, off);
	set_msg(e, "%s %" PRIu64 " bytes at 0x%" PRIx64,
		redo ? "redid" : "undid", len, off);
}

/* Why the buffer may not be edited, for the status line; NULL if it may. */
static const char *ro_reason(const struct ed *e)
{
	if (e->read_only)
		return "read-only (-R)";
	if (access(e->path, W_OK) != 0)
		return "read-only (file not writable)";
	if (mmbuf_writer_active(e->buf))
		return "read-only (another writer has it open)";
	if (e->info.ro_compat & ~(uint64_t)MMBUF_RO_COMPAT_KNOWN)
		return "read-only (unknown read-only-compatible feature)";
	return NULL;
}

/* Drop every edit and take the buffer as it is now; 0, or -1 (the
 * message says why, and nothing changed). */
static int take_buffer(struct ed *e, int fd, mmbuf *buf)
{
	struct edit_log *log;
	mmbuf_info info;

	mmbuf_get_info(buf, &info);
	log = edit_log_new(info.capacity);
	if (log == NULL) {
		set_msg(e, "cannot reload: out of memory; the changes are kept");
		return -1;
	}
	edit_log_free(e->log);
	e->log = log;
	if (buf != e->buf) {
		mmbuf_close(e->buf);
		close(e->fd);
		e->buf = buf;
		e->fd = fd;
	}
	load_info(e);
	e->gen = e->info.generation;
	e->ro = ro_reason(e);
	e->marking = 0;
	e->cur = e->cap > 0 && e->cur >= e->cap ? e->cap - 1 : e->cur;
	e->nib = 0;
	layout(e);
	return 0;
}

/* Reload the file the name holds now, dropping the edits. */
static void reload_path(struct ed *e)
{
	mmbuf *buf;
	int fd, err = editbuf_open(e->path, &fd, &buf);

	if (err != 0) {
		set_msg(e, "cannot reload: %s; the changes are kept",
			mmbuf_strerror(err));
		return;
	}
	if (take_buffer(e, fd, buf) != 0) {
		mmbuf_close(buf);
		close(fd);
		return;
	}
	set_msg(e, "reloaded %s; the changes were dropped", e->name);
}

/*
 * Ask what to do with a buffer changed under the editor: question is the
 * line to show, overwrite whether (o)verwrite is on offer.  Returns 'o',
 * 'r' or 'c' (a signal cancels).
 */
static int ask_changed(struct ed *e, const char *question, int overwrite)
{
	for (;;) {
		int c = ask_key(e, question);

		switch (c) {
		case 'o': case 'O':
			if (overwrite)
				return 'o';
			break;
		case 'r': case 'R':
			return 'r';
		case 0: case 'c': case 'C': case 27: case CTRL('G'):
		case CTRL('C'):
			set_msg(e, "cancelled; the changes are kept");
			return 'c';
		case KEY_RESIZE:
			layout(e);
			break;
		default:
			break;
		}
	}
}

/*
 * MMBUF_EBUSY if a writer has the buffer open now (asked afresh: a handle
 * learns it only when the generation moves), 0 if not, or an error.
 */
static int writer_busy(const struct ed *e)
{
	mmbuf *probe;
	int err = mmbuf_open_fd(e->fd, MMBUF_RDONLY, &probe);

	if (err == 0 && mmbuf_writer_active(probe))
		err = MMBUF_EBUSY;
	mmbuf_close(probe);
	return err;
}

/*
 * Before a save: is the file of e->fd still the one the name holds, and
 * the buffer the editor read?  Returns 0 to go on saving, -1 when the
 * save is off (the message says why, or the buffer was reloaded).
 */
static int check_before_save(struct ed *e)
{
	struct stat a, b;
	int err, c, fits;

	if (stat(e->path, &a) != 0) {
		set_msg(e, "cannot save: %s: %s; the changes are kept", e->name,
			mmbuf_strerror(-errno));
		return -1;
	}
	err = fstat(e->fd, &b) != 0 ? -errno : 0;
	if (err == 0 && (a.st_dev != b.st_dev || a.st_ino != b.st_ino))
		err = MMBUF_EINCONSISTENT;
	if (err == 0) {
		/* Catch up with other writers: a new header, their data. */
		err = mmbuf_refresh(e->buf, NULL);
		load_info(e);
	}
	if (err == MMBUF_EINCONSISTENT) {
		/* Not the file the user saw: writing it is not on offer. */
		if (ask_changed(e, "The file was replaced by another: (r)eload "
				"it, dropping your changes, or (c)ancel?", 0) ==
		    'r')
			reload_path(e);
		return -1;
	}
	if (err != 0) {
		set_msg(e, "cannot save: cannot read the header again: %s; the "
			"changes are kept", mmbuf_strerror(err));
		return -1;
	}
	if ((err = writer_busy(e)) != 0) {
		set_msg(e, "cannot save (open): %s; the changes are kept",
			mmbuf_strerror(err));
		return -1;
	}
	if (e->info.generation == e->gen)
		return 0;
	/* Another writer committed since we read it: as an editor does for
	 * a file changed on disk, ask.  Overwriting writes our edits over
	 * theirs, as long as the edits still fit. */
	fits = e->cap == edit_capacity(e->log);
	c = ask_changed(e, fits ? "Another writer changed the buffer: "
			"(o)verwrite, (r)eload dropping your changes, (c)ancel?"
			: "Another writer resized the buffer: (r)eload it, "
			"dropping your changes, or (c)ancel?", fits);
	if (c == 'r') {
		if (take_buffer(e, e->fd, e->buf) == 0)
			set_msg(e, "reloaded %s; the changes were dropped",
				e->name);
		return -1;
	}
	if (c == 'c')
		return -1;
	e->gen = e->info.generation;
	return 0;
}

/* Save; 0 on success, else the message says why. */
static int save(struct ed *e)
{
	const char *stage = NULL, *why;
	uint64_t n = edit_pending(e->log);
	mmbuf *w;
	int err, restored;

	if (e->ro != NULL) {
		set_msg(e, "cannot save: %s", e->ro);
		return -1;
	}
	if (n == 0) {
		set_msg(e, "nothing to save");
		return 0;
	}
	if (check_before_save(e) != 0)
		return -1;
	set_msg(e, "saving...");
	draw(e);
	err = mmbuf_open_fd(e->fd, MMBUF_RDWR, &w);
	if (err != 0) {
		set_msg(e, "cannot save (open): %s; the changes are kept",
			mmbuf_strerror(err));
		return -1;
	}
	/*
	 * Under the writer lock nobody else commits.  What was checked still
	 * holds if the open's own commit (mmbuf(5), "Opening for writing")
	 * is the only one since.
	 */
	why = editbuf_changed(e->path, e->fd, &e->info, w);
	if (why == NULL && mmbuf_generation(w) != e->gen + 1)
		why = "another writer committed";
	if (why != NULL) {
		mmbuf_close(w);
		set_msg(e, "cannot save: the buffer changed during the save "
			"(%s); the changes are kept", why);
		return -1;
	}
	err = edit_save(e->log, w, &stage, &restored);
	if (err != 0) {
		mmbuf_close(w);
		set_msg(e, "cannot save (%s): %s; %s, the changes are kept",
			stage, mmbuf_strerror(err), restored ?
			"the data is unchanged" : "the file may be partly written");
		return -1;
	}
	err = mmbuf_close(w);
	if (err != 0) {
		set_msg(e, "cannot save (close): %s; the changes are kept",
			mmbuf_strerror(err));
		return -1;
	}
	edit_clear(e->log);
	err = mmbuf_refresh(e->buf, NULL);
	load_info(e);
	e->gen = e->info.generation;
	if (err != 0)
		set_msg(e, "saved %" PRIu64 " bytes; cannot reread the header: "
			"%s", n, mmbuf_strerror(err));
	else
		set_msg(e, "saved %" PRIu64 " bytes", n);
	return 0;
}

/* With unsaved changes ask; 1 to quit, 0 to stay. */
static int ask_quit(struct ed *e)
{
	if (edit_pending(e->log) == 0)
		return 1;
	for (;;) {
		int c = ask_key(e, "Unsaved changes: (s)ave, (d)iscard, "
				   "(c)ancel?");

		switch (c) {
		case 0:
			return 1;
		case 's': case 'S': case 'y': case 'Y':
			return save(e) == 0;
		case 'd': case 'D': case 'n': case 'N':
			return 1;
		case 'c': case 'C': case 27: case CTRL('G'): case CTRL('C'):
			set_msg(e, "cancelled");
			return 0;
		case KEY_RESIZE:
			layout(e);
			break;
		default:
			break;
		}
	}
}

static void suspend(struct ed *e)
{
	endwin();
	raise(SIGTSTP);
	refresh();
	layout(e);
}

/* Type c into the byte under the cursor; 1 if c is data here. */
static int type_data(struct ed *e, int c)
{
	uint8_t b;
	int err;

	if (e->pane == PANE_HEX ? tool_hexval(c) < 0 : c < 0x20 || c >= 0x7f)
		return 0;
	if (e->ro != NULL) {
		set_msg(e, "%s: changes are refused", e->ro);
		return 1;
	}
	if (e->cap == 0) {
		set_msg(e, "no data to edit: the capacity is 0");
		return 1;
	}
	if (e->pane == PANE_HEX) {
		rd(e, e->cur, &b, 1);
		if (e->nib == 0)
			b = (uint8_t)((b & 0x0f) | tool_hexval(c) << 4);
		else
			b = (uint8_t)((b & 0xf0) | tool_hexval(c));
	} else {
		b = (uint8_t)c;
	}
	err = edit_put(e->log, e->cur, &b, 1);
	if (err != 0) {
		report_edit(e, err, "edit");
		return 1;
	}
	if (e->pane == PANE_HEX && e->nib == 0) {
		e->nib = 1;
	} else if (e->cur + 1 < e->cap) {
		e->cur++;
		e->nib = 0;
	}
	return 1;
}

/* The handlers of the key table below; each returns 1 to quit. */

static int k_left(struct ed *e)
{
	if (e->pane == PANE_HEX && e->nib == 1)
		e->nib = 0;
	else if (e->cur > 0)
		move_to(e, e->cur - 1);
	return 0;
}

static int k_right(struct ed *e)
{
	move_to(e, e->cur + 1 < e->cap ? e->cur + 1 : e->cur);
	return 0;
}

static int k_up(struct ed *e)
{
	if (e->cur >= (uint64_t)e->bpl)
		move_to(e, e->cur - (uint64_t)e->bpl);
	return 0;
}

static int k_down(struct ed *e)
{
	uint64_t bpl = (uint64_t)e->bpl;

	if (e->cap > bpl && e->cur < e->cap - bpl)
		move_to(e, e->cur + bpl);
	return 0;
}

static uint64_t page_bytes(const struct ed *e)
{
	return (uint64_t)e->rows * (uint64_t)e->bpl;
}

static int k_pgup(struct ed *e)
{
	uint64_t page = page_bytes(e);

	move_to(e, e->cur >= page ? e->cur - page : e->cur % (uint64_t)e->bpl);
	e->top = e->top >= page ? e->top - page : 0;
	return 0;
}

static int k_pgdn(struct ed *e)
{
	uint64_t page = page_bytes(e);

	if (e->cap > page && e->cur < e->cap - page) {
		move_to(e, e->cur + page);
		e->top += page;
	} else {
		move_to(e, e->cap ? e->cap - 1 : 0);
	}
	return 0;
}

static int k_home(struct ed *e)
{
	move_to(e, e->cur - e->cur % (uint64_t)e->bpl);
	return 0;
}

static int k_end(struct ed *e)
{
	uint64_t bpl = (uint64_t)e->bpl;

	move_to(e, e->cur - e->cur % bpl + bpl - 1);
	return 0;
}

static int k_start(struct ed *e)
{
	move_to(e, 0);
	return 0;
}

static int k_eof(struct ed *e)
{
	move_to(e, e->cap ? e->cap - 1 : 0);
	return 0;
}

static int k_pane(struct ed *e)
{
	e->pane = !e->pane;
	e->nib = 0;
	return 0;
}

static int k_goto(struct ed *e)
{
	cmd_goto(e);
	return 0;
}

static int k_sfwd(struct ed *e)
{
	cmd_search(e, 1);
	return 0;
}

static int k_sback(struct ed *e)
{
	cmd_search(e, -1);
	return 0;
}

static int k_snext(struct ed *e)
{
	find(e, 1);
	return 0;
}

static int k_sprev(struct ed *e)
{
	find(e, -1);
	return 0;
}

static int k_mark(struct ed *e)
{
	e->marking = !e->marking;
	e->mark = e->cur;
	set_msg(e, e->marking ? "mark set" : "mark cleared");
	return 0;
}

static int k_copy(struct ed *e)
{
	cmd_copy(e);
	return 0;
}

static int k_paste(struct ed *e)
{
	cmd_paste(e);
	return 0;
}

static int k_fill(struct ed *e)
{
	cmd_fill(e);
	return 0;
}

static int k_undo(struct ed *e)
{
	cmd_undo(e, 0);
	return 0;
}

static int k_redo(struct ed *e)
{
	cmd_undo(e, 1);
	return 0;
}

static int k_save(struct ed *e)
{
	save(e);
	return 0;
}

static int k_savequit(struct ed *e)
{
	if (e->ro == NULL && edit_pending(e->log) > 0)
		return save(e) == 0;
	return 1;
}

static int k_quit(struct ed *e)
{
	return ask_quit(e);
}

static int k_header(struct ed *e)
{
	e->header = !e->header;
	layout(e);
	return 0;
}

static int k_redraw(struct ed *e)
{
	(void)e;
	clearok(curscr, TRUE);
	return 0;
}

static int k_suspend(struct ed *e)
{
	suspend(e);
	return 0;
}

/* The help screen lists the table that holds its own key. */
static int k_help(struct ed *e);

/* Flags of a binding. */
#define K_EDIT 1u       /* changes the data: refused when read-only */
#define K_ANYSIZE 2u    /* works while the window is too small */

/* A key binding, with the handler that does its work (as tmux's
 * cmd_entry): the handler returns 1 to quit the editor. */
struct binding {
	const char *names;      /* as the help screen and editbuf(1) show it */
	int keys[4];            /* 0-terminated (Ctrl-Space is spelt -1) */
	int (*run)(struct ed *e);
	unsigned flags;
	const char *help;
};

static const struct binding bindings[] = {
	{ "Left, Ctrl-B", { KEY_LEFT, CTRL('B') }, k_left, 0,
	  "previous byte" },
	{ "Right, Ctrl-F", { KEY_RIGHT, CTRL('F') }, k_right, 0,
	  "next byte" },
	{ "Up, Ctrl-P", { KEY_UP, CTRL('P') }, k_up, 0, "previous line" },
	{ "Down, Ctrl-N", { KEY_DOWN, CTRL('N') }, k_down, 0, "next line" },
	{ "PgUp, Esc-V", { KEY_PPAGE, META('v') }, k_pgup, 0,
	  "previous page" },
	{ "PgDn, Ctrl-V", { KEY_NPAGE, CTRL('V') }, k_pgdn, 0, "next page" },
	{ "Home, Ctrl-A", { KEY_HOME, CTRL('A') }, k_home, 0,
	  "start of the line" },
	{ "End, Ctrl-E", { KEY_END, CTRL('E') }, k_end, 0,
	  "end of the line" },
	{ "Esc-<, < (hex pane)", { META('<'), '<' }, k_start, 0,
	  "start of the data" },
	{ "Esc->, > (hex pane)", { META('>'), '>' }, k_eof, 0,
	  "end of the data (last byte of the capacity)" },
	{ "Tab", { '\t' }, k_pane, 0, "switch between the hex and ASCII panes" },
	{ "Enter, Ctrl-G", { '\r', '\n', KEY_ENTER, CTRL('G') }, k_goto, 0,
	  "go to an offset: 0x hex, decimal, or #index such as #5,2" },
	{ "Ctrl-S", { CTRL('S') }, k_sfwd, 0,
	  "search forward: hex bytes (hex pane) or text (ASCII pane)" },
	{ "Ctrl-R", { CTRL('R') }, k_sback, 0,
	  "search backward; Enter alone repeats the last search" },
	{ "F3, Esc-S", { KEY_F(3), META('s') }, k_snext, 0,
	  "next match of the last search, forward" },
	{ "Shift-F3, Esc-R", { KEY_F(15), META('r') }, k_sprev, 0,
	  "previous match of the last search, backward" },
	{ "Ctrl-Space, F9", { CTRL_SPACE, KEY_F(9) }, k_mark, 0,
	  "set the mark at the cursor, or clear it" },
	{ "Esc-W", { META('w') }, k_copy, 0, "copy the marked range" },
	{ "Ctrl-Y", { CTRL('Y') }, k_paste, K_EDIT,
	  "paste at the cursor, overwriting" },
	{ "Esc-I", { META('i') }, k_fill, K_EDIT,
	  "fill the marked range with a byte" },
	{ "Ctrl-U, Ctrl-_, Backspace", { CTRL('U'), 0x1f, KEY_BACKSPACE, 0x7f },
	  k_undo, K_EDIT, "undo the last change" },
	{ "Esc-U, Ctrl-^", { META('u'), 0x1e }, k_redo, K_EDIT,
	  "redo the last undone change" },
	{ "F2, Ctrl-W", { KEY_F(2), CTRL('W') }, k_save, K_EDIT,
	  "save: write the pending changes to the file" },
	{ "Ctrl-X", { CTRL('X') }, k_savequit, 0, "save and quit" },
	{ "Ctrl-C, F10", { CTRL('C'), KEY_F(10) }, k_quit, K_ANYSIZE,
	  "quit; with unsaved changes, asks: save, discard or cancel" },
	{ "F4, Esc-D", { KEY_F(4), META('d') }, k_header, 0,
	  "show or hide the header panel" },
	{ "F1, ? (hex pane)", { KEY_F(1), '?' }, k_help, 0,
	  "this help" },
	{ "Ctrl-L", { CTRL('L') }, k_redraw, K_ANYSIZE, "redraw the screen" },
	{ "Ctrl-Z", { CTRL('Z') }, k_suspend, 0, "suspend editbuf" },
};

#define NBINDINGS (sizeof bindings / sizeof bindings[0])

static void help(struct ed *e)
{
	int first = 0;
	int n = (int)NBINDINGS + 6;

	for (;;) {
		int c, y = 0;

		erase();
		pen_on(e, PAIR_STATUS, A_REVERSE);
		mvhline(0, 0, ' ', COLS);
		mvaddnstr(0, 0, "editbuf keys (arrows scroll; q or Esc "
			  "closes)", COLS);
		pen_off(e, PAIR_STATUS, A_REVERSE);
		for (int i = first; i < n && ++y < LINES; i++) {
			if (i < (int)NBINDINGS) {
				char l[160];

				snprintf(l, sizeof l, "%-27s %s",
					 bindings[i].names, bindings[i].help);
				mvaddnstr(y, 0, l, COLS);
			}
			else if (i == (int)NBINDINGS + 1)
				mvaddnstr(y, 0, "0-9 a-f (hex pane)          "
					  "type a hex digit: edit the nibble "
					  "under the cursor", COLS);
			else if (i == (int)NBINDINGS + 2)
				mvaddnstr(y, 0, "a character (ASCII pane)    "
					  "type it into the byte under the "
					  "cursor", COLS);
			else if (i == (int)NBINDINGS + 4)
				mvaddnstr(y, 0, "In the ASCII pane, ? < > are "
					  "data: use F1, Esc-<, Esc->.", COLS);
		}
		refresh();
		c = get_key();
		if (c == KEY_DOWN || c == CTRL('N') || c == KEY_NPAGE ||
		    c == ' ') {
			int step = c == KEY_NPAGE || c == ' ' ? LINES - 2 : 1;

			if (first + step < n)
				first += step;
		} else if (c == KEY_UP || c == CTRL('P') || c == KEY_PPAGE) {
			first -= c == KEY_PPAGE ? LINES - 2 : 1;
			if (first < 0)
				first = 0;
		} else if (c == KEY_RESIZE) {
			layout(e);
		} else {
			return;
		}
	}
}

static int k_help(struct ed *e)
{
	help(e);
	return 0;
}

static const struct binding *lookup(const struct ed *e, int c)
{
	for (size_t i = 0; i < NBINDINGS; i++)
		for (int j = 0; j < 4 && bindings[i].keys[j]; j++)
			if (bindings[i].keys[j] == c) {
				/* printable keys are data in the ASCII pane */
				if (c >= 0x20 && c < 0x7f &&
				    e->pane == PANE_ASCII)
					return NULL;
				return &bindings[i];
			}
	return NULL;
}

/* Run one key; 1 to quit. */
static int dispatch(struct ed *e, int c)
{
	const struct binding *k;

	if (c == KEY_RESIZE) {
		layout(e);
		return 0;
	}
	k = lookup(e, c);
	if (e->too_small && (k == NULL || !(k->flags & K_ANYSIZE)))
		return 0;
	e->msg[0] = '\0';
	if (k == NULL) {
		if (!type_data(e, c))
			set_msg(e, "unknown key (F1 lists the keys)");
		return 0;
	}
	if ((k->flags & K_EDIT) && e->ro != NULL) {
		set_msg(e, "%s: changes are refused", e->ro);
		return 0;
	}
	return k->run(e);
}

int editbuf_tui(const char *path, int fd, mmbuf *buf, int read_only)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct sigaction sa, old[3];
	struct ed e;
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
	SCREEN *scr;
	int sig;

	memset(&e, 0, sizeof e);
	e.path = path;
	tool_text(e.name, sizeof e.name, (const uint8_t *)path, strlen(path));
	e.fd = fd;
	e.buf = buf;
	e.read_only = read_only;
	load_info(&e);
	e.gen = e.info.generation;
	e.ro = ro_reason(&e);
	e.log = edit_log_new(e.cap);
	if (e.log == NULL) {
		tool_err(path, "out of memory");
		mmbuf_close(e.buf);
		close(e.fd);
		return TOOL_EXIT_INPUT;
	}
	/* not initscr(): it exits on a terminal it does not know */
	scr = newterm(NULL, stdout, stdin);
	if (scr == NULL) {
		tool_err(path, "cannot start the editor on terminal type "
			 "\"%s\"", term != NULL ? term : "");
		edit_log_free(e.log);
		mmbuf_close(e.buf);
		close(e.fd);
		return TOOL_EXIT_INPUT;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(100);
	timeout(250);
	if (has_colors() && (nc == NULL || nc[0] == '\0') &&
	    start_color() == OK) {
		use_default_colors();
		init_pair(PAIR_STATUS, COLOR_BLACK, COLOR_CYAN);
		init_pair(PAIR_MODIFIED, COLOR_RED, -1);
		init_pair(PAIR_PAST, COLOR_BLUE, -1);
		init_pair(PAIR_MSG, COLOR_YELLOW, -1);
		e.color = 1;
	}
	layout(&e);
	if (e.ro != NULL)
		set_msg(&e, "%s; F1 for help", e.ro);
	else
		set_msg(&e, "F1 for help");
	for (;;) {
		int c;

		draw(&e);
		c = get_key();
		if (c == 0 || dispatch(&e, c))
			break;
	}
	endwin();
	delscreen(scr);
	tool_guard_disarm();
	sig = got_signal;
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	edit_log_free(e.log);
	free(e.clip);
	mmbuf_close(e.buf);
	close(e.fd);
	if (sig != 0) {
		/* die of the signal, as we would have without the handler */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return TOOL_EXIT_OK;
}
