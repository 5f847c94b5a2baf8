/*
 * progress.c - a progress bar on stderr for long work (see common.h).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mmbuf.h"

#include "common.h"

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void progress_draw(const struct tool_progress *p, uint64_t done)
{
	char bar[41], line[512], what[256];
	unsigned pct;
	size_t fill;

	/* "what" names a file, which can hold anything a terminal obeys. */
	tool_text(what, sizeof what, (const uint8_t *)p->what, strlen(p->what));
	if (p->total == TOOL_PROGRESS_UNKNOWN) {
		/* No end to measure against: the count, on a cleared line. */
		snprintf(line, sizeof line, "\r%s: %s %" PRIu64 " MiB\033[K",
			 tool_name, what, done >> 20);
	} else {
		pct = p->total ? (unsigned)(done * 100 / p->total) : 100;
		fill = (size_t)pct * 40 / 100;
		memset(bar, '#', fill);
		memset(bar + fill, '.', 40 - fill);
		bar[40] = '\0';
		snprintf(line, sizeof line, "\r%s: %s [%s] %3u%% %" PRIu64
			 "/%" PRIu64 " MiB", tool_name, what, bar, pct,
			 done >> 20, p->total >> 20);
	}
	/* One write per redraw; a failed one only loses the bar. */
	if (write(STDERR_FILENO, line, strlen(line)) < 0)
		return;
}

void tool_progress_start(struct tool_progress *p, const char *what,
			 uint64_t total, int enable)
{
	p->what = what;
	p->total = total;
	p->on = enable && total >= TOOL_PROGRESS_MIN && isatty(STDERR_FILENO);
	p->last_ns = 0;
	/* Of unknown size: drawn once TOOL_PROGRESS_MIN is done. */
	if (p->on && total != TOOL_PROGRESS_UNKNOWN) {
		progress_draw(p, 0);
		p->last_ns = now_ns();
	}
}

void tool_lib_progress_init(struct tool_lib_progress *p, const char *what,
			    int enable)
{
	p->what = what;
	p->enable = enable;
	p->started = 0;
}

int tool_lib_progress(uint64_t done, uint64_t total, void *arg)
{
	struct tool_lib_progress *p = arg;

	if (tool_caught)
		return -ECANCELED;
	if (!p->started) {
		tool_progress_start(&p->bar, p->what, total, p->enable);
		p->started = 1;
	}
	tool_progress_update(&p->bar, done);
	return 0;
}

void tool_lib_progress_end(struct tool_lib_progress *p)
{
	if (p->started)
		tool_progress_end(&p->bar);
}

void tool_progress_update(struct tool_progress *p, uint64_t done)
{
	int64_t t;

	if (!p->on)
		return;
	if (p->total == TOOL_PROGRESS_UNKNOWN && done < TOOL_PROGRESS_MIN)
		return;
	t = now_ns();
	if (t - p->last_ns < 100000000 && done < p->total)
		return;
	progress_draw(p, done);
	p->last_ns = t;
}

void tool_progress_end(struct tool_progress *p)
{
	/* Nothing was drawn for a small input of unknown size. */
	if (p->on && p->last_ns != 0 &&
	    write(STDERR_FILENO, "\r\033[K", 4) < 0)
		p->on = 0;
	p->on = 0;
}
