/*
 * common.c - helpers shared by the mmbuf tools (see common.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "mmbuf.h"

#include "common.h"

const char *tool_name = "mmbuf";

static char out_storage[TOOL_OUT_SIZE];
char *tool_out_buf = out_storage;
size_t tool_out_len;

void tool_init(const char *argv0)
{
	const char *slash;

	if (argv0 != NULL && argv0[0] != '\0') {
		slash = strrchr(argv0, '/');
		tool_name = slash != NULL ? slash + 1 : argv0;
	}
	/*
	 * A write or allocation past the file size limit (ulimit -f) raises
	 * SIGXFSZ, which kills without a word and leaves a buffer open for
	 * writing as a crash would.  Ignored, the call fails with EFBIG
	 * instead, which the tools report and clean up after.  The library
	 * leaves this signal to its caller.
	 */
	signal(SIGXFSZ, SIG_IGN);
}

static void verr(const char *file, const char *fmt, va_list ap)
	TOOL_PRINTF(2, 0);

static void verr(const char *file, const char *fmt, va_list ap)
{
	/* One fprintf per piece is fine: stderr is unbuffered but messages
	 * are rare; build the line first so it is written in one go. */
	char msg[1024], name[4096];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (file != NULL) {
		/* A file name can hold anything a terminal obeys. */
		tool_text(name, sizeof name, (const uint8_t *)file,
			  strlen(file));
		fprintf(stderr, "%s: %s: %s\n", tool_name, name, msg);
	} else {
		fprintf(stderr, "%s: %s\n", tool_name, msg);
	}
}

void tool_err(const char *file, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(file, fmt, ap);
	va_end(ap);
}

void tool_die(int status, const char *file, const char *fmt, ...)
{
	va_list ap;

	/* What was formatted so far goes out first, so that the message
	 * follows the last complete line of output. */
	if (status != TOOL_EXIT_OUTPUT) {
		if (tool_out_len > 0 &&
		    fwrite(tool_out_buf, 1, tool_out_len, stdout) == tool_out_len)
			tool_out_len = 0;
		fflush(stdout);
	}
	va_start(ap, fmt);
	verr(file, fmt, ap);
	va_end(ap);
	exit(status);
}

void tool_usage_error(int status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", tool_name, msg);
	fprintf(stderr, "Try '%s --help' for more information.\n", tool_name);
	exit(status);
}

void tool_getopt_error(const char *short_opts, char **argv)
{
	/* strchr() would take a long option's value (256 and up) as a char,
	 * and find 256 as the terminating NUL. */
	if (optopt > 0 && optopt < 256 && strchr(short_opts, optopt) != NULL)
		fprintf(stderr, "%s: option requires an argument -- '%c'\n",
			tool_name, optopt);
	else if (optopt != 0 && optopt < 256)
		fprintf(stderr, "%s: invalid option -- '%c'\n", tool_name,
			optopt);
	else if (optopt != 0) /* a long option's own value: no letter */
		fprintf(stderr, "%s: option '%s' requires an argument\n",
			tool_name, argv[optind - 1]);
	else
		fprintf(stderr, "%s: unrecognized option '%s'\n", tool_name,
			argv[optind - 1]);
}

void tool_print_version(void)
{
	printf("%s (mmbuf) %s\n", tool_name, PACKAGE_VERSION);
}

/* ------------------------------------------------------------------ */
/* Numbers                                                             */

static int parse_mag(const char *s, uint64_t *out)
{
	uint64_t v = 0, mult = 1;
	unsigned base = 10, digit;
	const char *p = s;

	if (*p == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
		if (!*p)
			return -1;
	} else if (*p == '0') {
		base = 8;
	}
	if (!*p)
		return -1;
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digit = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			digit = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			digit = (unsigned)(*p - 'A' + 10);
		else
			break;
		if (digit >= base)
			return -1;
		if (v > (UINT64_MAX - digit) / base)
			return -1;
		v = v * base + digit;
	}
	if (p == s)
		return -1;
	if (*p) {
		switch (*p) {
		case 'k': case 'K': mult = 1ull << 10; break;
		case 'm': case 'M': mult = 1ull << 20; break;
		case 'g': case 'G': mult = 1ull << 30; break;
		case 't': case 'T': mult = 1ull << 40; break;
		default: return -1;
		}
		if (p[1] != '\0')
			return -1;
		if (v > UINT64_MAX / mult)
			return -1;
		v *= mult;
	}
	*out = v;
	return 0;
}

int tool_parse_u64(const char *s, uint64_t *out)
{
	if (*s == '+')
		s++;
	return parse_mag(s, out);
}

int tool_parse_signed(const char *s, int *neg, uint64_t *mag)
{
	*neg = 0;
	if (*s == '+')
		s++;
	else if (*s == '-') {
		*neg = 1;
		s++;
	}
	return parse_mag(s, mag);
}

int tool_parse_int(const char *s, long min, long max, int *out)
{
	int neg;
	uint64_t mag;
	long v;

	if (tool_parse_signed(s, &neg, &mag) < 0 || mag > (uint64_t)1 << 40)
		return -1;
	v = neg ? -(long)mag : (long)mag;
	if (v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

int tool_parse_size(const char *s, uint64_t *out)
{
	char tmp[64];
	size_t n = strlen(s);

	/* "4KiB" is "4K": drop the "iB" after a suffix letter. */
	if (n >= 4 && n < sizeof tmp && strcmp(s + n - 2, "iB") == 0 &&
	    strchr("KMGTkmgt", s[n - 3]) != NULL) {
		memcpy(tmp, s, n - 2);
		tmp[n - 2] = '\0';
		s = tmp;
	}
	return tool_parse_u64(s, out);
}

/* ------------------------------------------------------------------ */
/* Output                                                              */

static void write_failed(void)
{
	int e = errno;

	/* Do not try to flush the failed buffer again on the way out. */
	tool_out_len = 0;
	tool_die(TOOL_EXIT_OUTPUT, NULL, "write error: %s",
		 e ? strerror(e) : "short write");
}

void tool_out_flush(void)
{
	if (tool_out_len == 0)
		return;
	errno = 0;
	if (fwrite(tool_out_buf, 1, tool_out_len, stdout) != tool_out_len)
		write_failed();
	tool_out_len = 0;
}

void tool_out_finish(void)
{
	tool_out_flush();
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout))
		write_failed();
	if (fclose(stdout) != 0)
		write_failed();
}

void tool_out_printf(const char *fmt, ...)
{
	char small[512], *big = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		tool_out_mem(small, (size_t)n);
		return;
	}
	big = malloc((size_t)n + 1);
	if (big == NULL)
		tool_die(TOOL_EXIT_OUTPUT, NULL, "out of memory");
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	tool_out_mem(big, (size_t)n);
	free(big);
}

/* ------------------------------------------------------------------ */
/* Progress bar                                                        */

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void progress_draw(const struct tool_progress *p, uint64_t done)
{
	char bar[41], line[512], what[256];
	unsigned pct = p->total ? (unsigned)(done * 100 / p->total) : 100;
	size_t fill = (size_t)pct * 40 / 100;

	/* "what" names a file, which can hold anything a terminal obeys. */
	tool_text(what, sizeof what, (const uint8_t *)p->what, strlen(p->what));
	memset(bar, '#', fill);
	memset(bar + fill, '.', 40 - fill);
	bar[40] = '\0';
	snprintf(line, sizeof line, "\r%s: %s [%s] %3u%% %" PRIu64 "/%" PRIu64
		 " MiB", tool_name, what, bar, pct, done >> 20,
		 p->total >> 20);
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
	if (p->on) {
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

void tool_lib_progress(uint64_t done, uint64_t total, void *arg)
{
	struct tool_lib_progress *p = arg;

	if (!p->started) {
		tool_progress_start(&p->bar, p->what, total, p->enable);
		p->started = 1;
	}
	tool_progress_update(&p->bar, done);
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
	t = now_ns();
	if (t - p->last_ns < 100000000 && done < p->total)
		return;
	progress_draw(p, done);
	p->last_ns = t;
}

void tool_progress_end(struct tool_progress *p)
{
	if (p->on && write(STDERR_FILENO, "\r\033[K", 4) < 0)
		p->on = 0;
	p->on = 0;
}

/* ------------------------------------------------------------------ */
/* Colour                                                              */

int tool_color_parse(const char *when)
{
	static const struct {
		const char *name;
		int mode;
	} names[] = {
		{ "auto", TOOL_COLOR_AUTO }, { "tty", TOOL_COLOR_AUTO },
		{ "if-tty", TOOL_COLOR_AUTO },
		{ "always", TOOL_COLOR_ALWAYS }, { "yes", TOOL_COLOR_ALWAYS },
		{ "force", TOOL_COLOR_ALWAYS },
		{ "never", TOOL_COLOR_NEVER }, { "no", TOOL_COLOR_NEVER },
		{ "none", TOOL_COLOR_NEVER },
	};
	size_t i;

	if (when == NULL)
		return TOOL_COLOR_AUTO;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcasecmp(when, names[i].name) == 0)
			return names[i].mode;
	return -1;
}

int tool_color_enabled(int mode)
{
	const char *nc;

	if (mode == TOOL_COLOR_ALWAYS)
		return 1;
	if (mode == TOOL_COLOR_NEVER)
		return 0;
	nc = getenv("NO_COLOR");
	if (nc != NULL && nc[0] != '\0')
		return 0;
	return isatty(STDOUT_FILENO);
}

/* ------------------------------------------------------------------ */
/* SIGBUS guard                                                        */

sigjmp_buf tool_guard_env;

static volatile sig_atomic_t guard_armed;
static const char *volatile guard_base;
static volatile uint64_t guard_len;
static volatile uint64_t guard_fault;
static int guard_installed;

static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
	const char *addr = si != NULL ? (const char *)si->si_addr : NULL;

	(void)ctx;
	if (guard_armed && addr != NULL && addr >= guard_base &&
	    (uint64_t)(addr - guard_base) < guard_len) {
		guard_fault = (uint64_t)(addr - guard_base);
		guard_armed = 0;
		siglongjmp(tool_guard_env, 1);
	}
	/* Not a fault in the data we guard: a bug.  Let it kill us with
	 * the default action when the access is retried. */
	signal(sig, SIG_DFL);
}

void tool_guard_arm(const void *base, uint64_t len)
{
	if (!guard_installed) {
		struct sigaction sa;

		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = on_sigbus;
		sa.sa_flags = SA_SIGINFO;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGBUS, &sa, NULL);
		guard_installed = 1;
	}
	guard_base = base;
	guard_len = len;
	guard_armed = 1;
}

void tool_guard_disarm(void)
{
	guard_armed = 0;
}

uint64_t tool_guard_fault_offset(void)
{
	return guard_fault;
}

/* ------------------------------------------------------------------ */
/* Header pages and their JSON form (dumpbuf --json, mkbuf --json)     */

/* A little-endian unsigned integer of n bytes. */
uint64_t tool_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = n; i > 0; i--)
		v = v << 8 | p[i - 1];
	return v;
}


void tool_read_header(struct tool_header *h, const char *path)
{
	struct stat st;
	ssize_t r;
	int fd;

	memset(h, 0, sizeof *h);
	h->path = path;
	/* A FIFO or a device would block the open (a FIFO until a writer
	 * comes); O_NONBLOCK lets it through to the check below. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		tool_die(TOOL_EXIT_INPUT, path, "%s", strerror(errno));
	if (fstat(fd, &st) < 0)
		tool_die(TOOL_EXIT_INPUT, path, "%s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		tool_die(TOOL_EXIT_INPUT, path, "%s",
			 S_ISDIR(st.st_mode) ? strerror(EISDIR)
					     : mmbuf_strerror(MMBUF_ENOTREG));
	h->file_size = (uint64_t)st.st_size;
	while (h->n < sizeof h->bytes) {
		r = pread(fd, h->bytes + h->n, sizeof h->bytes - h->n,
			  (off_t)h->n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			tool_die(TOOL_EXIT_INPUT, path, "read error: %s",
				 strerror(errno));
		if (r == 0)
			break;
		h->n += (size_t)r;
	}
	close(fd);
	h->err = mmbuf_validate_header(h->bytes, h->n, h->file_size, &h->info);
}


const uint8_t *tool_slot_bytes(const struct tool_header *h, int i)
{
	return h->n >= (size_t)i * MMBUF_PAGE + MMBUF_SLOT_SIZE
	       ? h->bytes + (size_t)i * MMBUF_PAGE : NULL;
}


int tool_slot_has_magic(const struct tool_header *h, int i)
{
	const uint8_t *p = tool_slot_bytes(h, i);

	return p != NULL && memcmp(p, MMBUF_MAGIC, MMBUF_MAGIC_LEN) == 0;
}


/* The library's verdict, as verifybuf gives it: a slot cut short is
 * TRUNCATED only if its bytes are a prefix of the magic (mmbuf(5), "Slot
 * integrity", check 1), else MAGIC. */
int tool_slot_status(const struct tool_header *h, int i)
{
	return h->info.slot_status[i];
}


int tool_slot_current(const struct tool_header *h, int i)
{
	return h->err == 0 && h->info.slot == i;
}


void tool_fmt_uuid(char *o, const uint8_t *u)
{
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = "0123456789abcdef"[u[i] >> 4];
		*o++ = "0123456789abcdef"[u[i] & 15];
	}
	*o = '\0';
}


/* The text of a NUL-padded string field, without the padding. */
size_t tool_field_strlen(const uint8_t *p, size_t max)
{
	const uint8_t *z = memchr(p, 0, max);

	return z != NULL ? (size_t)(z - p) : max;
}


uint32_t tool_slot_crc(const uint8_t *slot)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), slot, 508);
}


const char *tool_status_text(int st)
{
	return st == 0 ? "intact" : mmbuf_strerror(st);
}


/* ------------------------------------------------------------------ */
/* Text from a file: labels, dtypes, file names                        */

/*
 * The code points above U+007F that do not show as themselves: the C1
 * controls, format characters (bidi overrides and isolates, zero-width
 * characters, tags), separators other than the space, private use.  These
 * are the Unicode 14 categories Cc, Cf, Zs, Zl, Zp, Co and Cs, the ones
 * Python's str.isprintable() refuses, less the unassigned code points,
 * which need the whole Unicode table.
 */
static const struct {
	uint32_t lo, hi;
} unprintable[] = {
	{ 0x80, 0xa0 }, { 0xad, 0xad }, { 0x600, 0x605 }, { 0x61c, 0x61c },
	{ 0x6dd, 0x6dd }, { 0x70f, 0x70f }, { 0x890, 0x891 }, { 0x8e2, 0x8e2 },
	{ 0x1680, 0x1680 }, { 0x180e, 0x180e }, { 0x2000, 0x200f },
	{ 0x2028, 0x202f }, { 0x205f, 0x2064 }, { 0x2066, 0x206f },
	{ 0x3000, 0x3000 }, { 0xd800, 0xf8ff }, { 0xfeff, 0xfeff },
	{ 0xfff9, 0xfffb }, { 0x110bd, 0x110bd }, { 0x110cd, 0x110cd },
	{ 0x13430, 0x13438 }, { 0x1bca0, 0x1bca3 }, { 0x1d173, 0x1d17a },
	{ 0xe0001, 0xe0001 }, { 0xe0020, 0xe007f }, { 0xf0000, 0xffffd },
	{ 0x100000, 0x10fffd },
};

int tool_printable(uint32_t cp)
{
	if (cp < 0x80)
		return cp >= 0x20 && cp != 0x7f;
	for (size_t i = 0; i < sizeof unprintable / sizeof unprintable[0]; i++)
		if (cp >= unprintable[i].lo && cp <= unprintable[i].hi)
			return 0;
	return cp <= 0x10ffff;
}

/*
 * The next character of s[0, n) as it is shown: its escape or its bytes
 * at o (at most TEXT_MAX bytes, and room for a NUL after them), the length
 * of that at *olen, and the bytes of s it takes as the result.  A byte
 * that is not UTF-8 is \xNN, a character that does not print \xNN below
 * U+0080 (the same byte) and \u or \U above, so the two never look alike.
 */
#define TEXT_MAX 10

static size_t text_char(char *o, size_t *olen, const uint8_t *s, size_t n)
{
	uint32_t cp;
	int k = mmbuf_utf8_decode(s, n, &cp);

	if (k < 0) {
		*olen = (size_t)sprintf(o, "\\x%02x", s[0]);
		return 1;
	}
	if (cp == '"' || cp == '\\') {
		o[0] = '\\';
		o[1] = (char)cp;
		*olen = 2;
	} else if (cp == '\t' || cp == '\n') {
		o[0] = '\\';
		o[1] = cp == '\t' ? 't' : 'n';
		*olen = 2;
	} else if (tool_printable(cp)) {
		memcpy(o, s, (size_t)k);
		*olen = (size_t)k;
	} else if (cp < 0x80) {
		*olen = (size_t)sprintf(o, "\\x%02" PRIx32, cp);
	} else if (cp < 0x10000) {
		*olen = (size_t)sprintf(o, "\\u%04" PRIx32, cp);
	} else {
		*olen = (size_t)sprintf(o, "\\U%08" PRIx32, cp);
	}
	return (size_t)k;
}

size_t tool_text(char *o, size_t sz, const uint8_t *s, size_t n)
{
	size_t k = 0, i = 0;

	if (sz == 0)
		return 0;
	while (i < n) {
		char e[TEXT_MAX + 1];
		size_t elen, used = text_char(e, &elen, s + i, n - i);

		if (k + elen >= sz)
			break;
		memcpy(o + k, e, elen);
		k += elen;
		i += used;
	}
	o[k] = '\0';
	return k;
}

void tool_out_text(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		char *o = tool_out_reserve(TEXT_MAX + 1);
		size_t elen;

		i += text_char(o, &elen, s + i, n - i);
		tool_out_commit(o + elen);
	}
}

void tool_out_ctext(const char *s)
{
	tool_out_text((const uint8_t *)s, strlen(s));
}

/*
 * A JSON string (RFC 8259) that is valid UTF-8 whatever s holds: a byte
 * that does not start a valid sequence becomes U+FFFD; what does not print
 * (tool_printable) is escaped, so the JSON is safe on a terminal too.
 */
void tool_json_str(const uint8_t *s, size_t n)
{
	tool_out_mem("\"", 1);
	for (size_t i = 0; i < n;) {
		char *o = tool_out_reserve(16);
		uint32_t cp;
		int k = mmbuf_utf8_decode(s + i, n - i, &cp);

		if (k < 0) {
			memcpy(o, "\\ufffd", 6);
			o += 6;
			k = 1;
		} else if (cp == '"' || cp == '\\') {
			*o++ = '\\';
			*o++ = (char)cp;
		} else if (tool_printable(cp)) {
			memcpy(o, s + i, (size_t)k);
			o += k;
		} else if (cp < 0x10000) {
			o += sprintf(o, "\\u%04" PRIx32, cp);
		} else {
			/* A surrogate pair: JSON has no longer escape. */
			cp -= 0x10000;
			o += sprintf(o, "\\u%04" PRIx32 "\\u%04" PRIx32,
				     0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
		}
		tool_out_commit(o);
		i += (size_t)k;
	}
	tool_out_mem("\"", 1);
}


void tool_json_cstr(const char *s)
{
	tool_json_str((const uint8_t *)s, strlen(s));
}


/* --json: the keys are documented in dumpbuf(1) and stay stable. */
void tool_header_json(const struct tool_header *h)
{
	char buf[256];

	tool_out_str("{\n  \"file\": ");
	tool_json_cstr(h->path);
	tool_out_printf(",\n  \"file_size\": %" PRIu64 ",\n", h->file_size);
	tool_out_printf("  \"valid\": %s,\n", h->err == 0 ? "true" : "false");
	if (h->err == 0) {
		tool_out_str("  \"error\": null,\n");
		tool_out_printf("  \"current_slot\": %d,\n", h->info.slot);
	} else {
		tool_out_printf("  \"error\": \"%s\",\n  \"message\": ",
				mmbuf_err_name(h->err));
		tool_json_cstr(mmbuf_strerror(h->err));
		tool_out_str(",\n  \"current_slot\": null,\n");
	}
	tool_out_str("  \"slots\": [");
	for (int i = 0; i < 2; i++) {
		const uint8_t *p = tool_slot_bytes(h, i);
		int st = tool_slot_status(h, i);
		uint32_t ndim, itemsize = 0;
		char dtype[9];

		tool_out_printf("%s\n    {\n      \"slot\": %d,\n", i ? "," : "", i);
		tool_out_printf("      \"status\": \"%s\",\n",
				st == 0 ? "ok" : mmbuf_err_name(st));
		tool_out_str("      \"message\": ");
		tool_json_cstr(tool_status_text(st));
		tool_out_printf(",\n      \"current\": %s",
				tool_slot_current(h, i) ? "true" : "false");
		if (!tool_slot_has_magic(h, i)) {
			tool_out_str("\n    }");
			continue;
		}
		tool_out_printf(",\n      \"generation\": %" PRIu64, tool_le(p + 8, 8));
		tool_out_printf(",\n      \"generation_tail\": %" PRIu64,
				tool_le(p + 500, 8));
		tool_out_printf(",\n      \"version\": \"%u.%u\"",
				(unsigned)tool_le(p + 16, 2), (unsigned)tool_le(p + 18, 2));
		tool_out_printf(",\n      \"slot_size\": %" PRIu64, tool_le(p + 20, 4));
		tool_out_printf(",\n      \"compat\": %" PRIu64, tool_le(p + 24, 8));
		tool_out_printf(",\n      \"ro_compat\": %" PRIu64, tool_le(p + 32, 8));
		tool_out_printf(",\n      \"incompat\": %" PRIu64, tool_le(p + 40, 8));
		tool_fmt_uuid(buf, p + 48);
		tool_out_printf(",\n      \"uuid\": \"%s\"", buf);
		tool_out_printf(",\n      \"ctime_ns\": %" PRId64, (int64_t)tool_le(p + 64, 8));
		tool_out_printf(",\n      \"mtime_ns\": %" PRId64, (int64_t)tool_le(p + 72, 8));
		tool_out_printf(",\n      \"data_offset\": %" PRIu64, tool_le(p + 80, 8));
		tool_out_printf(",\n      \"capacity\": %" PRIu64, tool_le(p + 88, 8));
		tool_out_printf(",\n      \"length\": %" PRIu64, tool_le(p + 96, 8));
		tool_out_printf(",\n      \"file_size\": %" PRIu64, tool_le(p + 104, 8));
		tool_out_printf(",\n      \"state\": %" PRIu64, tool_le(p + 112, 4));
		tool_out_printf(",\n      \"writer_open\": %s",
				tool_le(p + 112, 4) & MMBUF_STATE_WRITER_OPEN ? "true" : "false");
		tool_out_printf(",\n      \"sealed\": %s",
				tool_le(p + 112, 4) & MMBUF_STATE_SEALED ? "true" : "false");
		tool_out_printf(",\n      \"writer_pid\": %" PRIu64, tool_le(p + 116, 4));
		memcpy(dtype, p + 120, 8);
		dtype[tool_field_strlen(p + 120, 8)] = '\0';
		tool_out_str(",\n      \"dtype\": ");
		tool_json_cstr(dtype);
		if (mmbuf_dtype_check(dtype, &itemsize) == 0)
			tool_out_printf(",\n      \"itemsize\": %" PRIu32, itemsize);
		else
			tool_out_str(",\n      \"itemsize\": null");
		ndim = (uint32_t)tool_le(p + 128, 4);
		tool_out_printf(",\n      \"ndim\": %" PRIu32, ndim);
		tool_out_str(",\n      \"shape\": [");
		for (uint32_t d = 0; d < ndim && d < MMBUF_MAX_DIMS; d++)
			tool_out_printf("%s%" PRIu64, d ? ", " : "",
					tool_le(p + 136 + 8 * d, 8));
		tool_out_str("]");
		tool_out_str(",\n      \"label\": ");
		tool_json_str(p + 240, tool_field_strlen(p + 240, 256));
		if (tool_le(p + 24, 8) & MMBUF_COMPAT_DATA_CHECKSUM)
			tool_out_printf(",\n      \"data_checksum\": \"%016" PRIx64 "\"",
					tool_le(p + 200, 8));
		else
			tool_out_str(",\n      \"data_checksum\": null");
		tool_out_printf(",\n      \"checksum_generation\": %" PRIu64,
				tool_le(p + 208, 8));
		tool_out_printf(",\n      \"block_shift\": %" PRIu64, tool_le(p + 132, 4));
		tool_out_printf(",\n      \"table_offset\": %" PRIu64, tool_le(p + 216, 8));
		tool_out_printf(",\n      \"table_size\": %" PRIu64, tool_le(p + 224, 8));
		tool_out_printf(",\n      \"crc32\": \"%08" PRIx64 "\"", tool_le(p + 508, 4));
		tool_out_printf(",\n      \"crc32_ok\": %s\n    }",
				tool_slot_crc(p) == (uint32_t)tool_le(p + 508, 4) ? "true" : "false");
	}
	tool_out_str("\n  ]\n}\n");
}

/* ------------------------------------------------------------------ */
/* Element values as text (dumpbuf --type, editbuf)                     */

/*
 * Floats print as the shortest text that reads back to the same value, in
 * the layout of Python's repr: fixed notation for decimal exponents from
 * -4 to 15 (with ".0" on whole numbers), else d.ddde+XX.  The digits come
 * from %.*e (correctly rounded by the C library) at the smallest precision
 * that reads back through strtod (strtof for f4, a rounding to the nearest
 * half for f2).
 */

/* Split "d.ddde+XX" (from %.*e of a non-negative value) into the digits
 * without trailing zeros and the decimal exponent of the first one. */
static void split_e(const char *buf, char *d, int *exp)
{
	const char *e = strchr(buf, 'e');
	size_t n = 0;

	for (const char *q = buf; q < e; q++)
		if (*q != '.')
			d[n++] = *q;
	while (n > 1 && d[n - 1] == '0')
		n--;
	d[n] = '\0';
	*exp = atoi(e + 1);
}

/*
 * The shortest digits of v (not negative) that read back (through ok()) as
 * v: the digit string without a point in d, the decimal exponent of its
 * first digit in *exp.
 */
static void shortest_digits(double v, int maxprec,
			    int (*ok)(const char *, double), char *d, int *exp)
{
	char buf[64];
	int prec, e2;

	if (v == 0 || frexp(v, &e2) != 0.5) {
		/* If p digits read back then p + 1 digits do (they are at
		 * least as close, and the interval that reads back is
		 * symmetric): search for the smallest p. */
		int lo = 1, hi = maxprec;

		while (lo < hi) {
			int mid = (lo + hi) / 2;

			snprintf(buf, sizeof buf, "%.*e", mid - 1, v);
			if (ok(buf, v))
				hi = mid;
			else
				lo = mid + 1;
		}
		snprintf(buf, sizeof buf, "%.*e", lo - 1, v);
		split_e(buf, d, exp);
		return;
	}
	/* A power of two: the interval that reads back is twice as wide
	 * above it as below, so the nearest p-digit number can fail where
	 * the next one up reads back (0.01563 for the f2 value 0.015625);
	 * try both at every precision. */
	for (prec = 1; prec <= maxprec; prec++) {
		unsigned long long m;
		char up[64];
		int x;

		snprintf(buf, sizeof buf, "%.*e", prec - 1, v);
		if (ok(buf, v) || prec == maxprec) {
			split_e(buf, d, exp);
			return;
		}
		split_e(buf, d, &x);
		/* The digits as an integer, plus one in the last place. */
		m = strtoull(d, NULL, 10);
		for (size_t k = strlen(d); k < (size_t)prec; k++)
			m *= 10;
		snprintf(up, sizeof up, "%llue%d", m + 1, x - prec + 1);
		if (ok(up, v)) {
			/* Its digits; 99..9 + 1 carries into a new first one. */
			size_t n = (size_t)snprintf(d, 24, "%llu", m + 1);

			*exp = x + (n > (size_t)prec);
			while (n > 1 && d[n - 1] == '0')
				d[--n] = '\0';
			return;
		}
	}
}

static int ok_f8(const char *s, double v)
{
	return strtod(s, NULL) == v;
}

static int ok_f4(const char *s, double v)
{
	return strtof(s, NULL) == (float)v;
}

double tool_half_to_double(uint16_t h)
{
	int e = (h >> 10) & 0x1f;
	double m = h & 0x3ff, v;

	if (e == 0)
		v = ldexp(m, -24);
	else if (e == 31)
		v = m ? NAN : INFINITY;
	else
		v = ldexp(m + 1024, e - 25);
	return h & 0x8000 ? -v : v;
}

/* The half nearest to x, ties to even (the default rounding mode). */
uint16_t tool_double_to_half(double x)
{
	uint16_t sign = signbit(x) ? 0x8000 : 0;
	double a = fabs(x), f, r;
	int e, E;

	if (isnan(x))
		return sign | 0x7e00;
	if (a >= 65520.0)
		return sign | 0x7c00;
	if (a < 0x1p-14)
		return sign | (uint16_t)nearbyint(a * 0x1p24);
	f = frexp(a, &e);
	r = nearbyint((f * 2 - 1) * 1024);
	E = e - 1 + 15;
	if (r == 1024) {
		r = 0;
		E++;
	}
	return sign | (uint16_t)(E << 10) | (uint16_t)r;
}

static int ok_f2(const char *s, double v)
{
	return tool_double_to_half(strtod(s, NULL)) == tool_double_to_half(v);
}

/* Python's repr of a float given its shortest digits; dot0 adds ".0" to
 * whole numbers in fixed notation (repr(float) does, complex parts do
 * not). */
static char *put_float(char *o, double v, int maxprec,
		       int (*ok)(const char *, double), int dot0)
{
	char d[40];
	int exp = 0, n;

	if (isnan(v))
		return o + sprintf(o, "nan");
	if (signbit(v))
		*o++ = '-';
	if (isinf(v))
		return o + sprintf(o, "inf");
	shortest_digits(fabs(v), maxprec, ok, d, &exp);
	n = (int)strlen(d);
	if (exp >= -4 && exp < 16) {
		if (exp < 0) {
			*o++ = '0';
			*o++ = '.';
			for (int i = -1; i > exp; i--)
				*o++ = '0';
			memcpy(o, d, (size_t)n);
			o += n;
		} else {
			for (int i = 0; i <= exp; i++)
				*o++ = i < n ? d[i] : '0';
			if (n > exp + 1) {
				*o++ = '.';
				memcpy(o, d + exp + 1, (size_t)(n - exp - 1));
				o += n - exp - 1;
			} else if (dot0) {
				*o++ = '.';
				*o++ = '0';
			}
		}
	} else {
		*o++ = d[0];
		if (n > 1) {
			*o++ = '.';
			memcpy(o, d + 1, (size_t)(n - 1));
			o += n - 1;
		}
		o += sprintf(o, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
	}
	return o;
}


uint64_t tool_load(const uint8_t *p, unsigned n, char order)
{
	uint64_t v = 0;

	if (order == '>')
		for (unsigned i = 0; i < n; i++)
			v = v << 8 | p[i];
	else
		v = tool_le(p, n);
	return v;
}

double tool_load_float(const uint8_t *p, unsigned n, char order)
{
	uint64_t bits = tool_load(p, n, order);

	if (n == 2)
		return tool_half_to_double((uint16_t)bits);
	if (n == 4) {
		uint32_t b32 = (uint32_t)bits;
		float f;

		memcpy(&f, &b32, 4);
		return f;
	} else {
		double d;

		memcpy(&d, &bits, 8);
		return d;
	}
}

char *tool_put_float(char *o, double v, unsigned n, int dot0)
{
	if (n == 2)
		return put_float(o, v, 5, ok_f2, dot0);
	if (n == 4)
		return put_float(o, v, 9, ok_f4, dot0);
	return put_float(o, v, 17, ok_f8, dot0);
}
