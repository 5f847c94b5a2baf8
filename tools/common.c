/*
 * common.c - helpers shared by the mmbuf tools (see common.h).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

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
}

static void verr(const char *file, const char *fmt, va_list ap)
{
	/* One fprintf per piece is fine: stderr is unbuffered but messages
	 * are rare; build the line first so it is written in one go. */
	char msg[1024];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (file != NULL)
		fprintf(stderr, "%s: %s: %s\n", tool_name, file, msg);
	else
		fprintf(stderr, "%s: %s\n", tool_name, msg);
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
