/*
 * message.c - messages and exit: the program name, "prog: FILE: message",
 * usage errors and --version (see common.h).
 */
#include "config.h"

#include <signal.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmbuf.h"

#include "common.h"

const char *tool_name = "mmbuf";

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
