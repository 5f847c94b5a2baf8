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

void tool_usage_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", tool_name, msg);
	fprintf(stderr, "Try '%s --help' for more information.\n", tool_name);
	exit(TOOL_EXIT_USAGE);
}

/*
 * The long option that the first n bytes of name stand for, as
 * getopt_long() matches them: exactly, or as the prefix of one option
 * (options that differ only in name, as an alias, count as one).  NULL
 * when none does, or several, which sets *ambiguous.
 */
static const struct option *long_option(const struct option *opts,
					const char *name, size_t n,
					int *ambiguous)
{
	const struct option *found = NULL;

	*ambiguous = 0;
	for (const struct option *o = opts; o->name != NULL; o++) {
		if (strncmp(o->name, name, n) != 0)
			continue;
		if (o->name[n] == '\0') {
			*ambiguous = 0;
			return o;
		}
		if (found == NULL)
			found = o;
		else if (found->has_arg != o->has_arg || found->val != o->val)
			*ambiguous = 1;
	}
	return *ambiguous ? NULL : found;
}

/* "option '--s' is ambiguous; possibilities: '--seal' '--size'" */
static void ambiguous_error(const struct option *opts, const char *name,
			    size_t n)
{
	char list[400];
	size_t len = 0;

	list[0] = '\0';
	for (const struct option *o = opts; o->name != NULL; o++)
		if (strncmp(o->name, name, n) == 0 && len < sizeof list)
			len += (size_t)snprintf(list + len, sizeof list - len,
						" '--%s'", o->name);
	tool_usage_error("option '--%.*s' is ambiguous; possibilities:%s",
			 (int)n, name, list);
}

void tool_getopt_error(const char *short_opts,
		       const struct option *long_opts, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	const char *p;

	/* "--=x" names no option at all: unrecognized, below. */
	if (strncmp(arg, "--", 2) == 0 && arg[2] != '\0' && arg[2] != '=') {
		const char *name = arg + 2;
		size_t n = strcspn(name, "=");
		int ambiguous;
		const struct option *o = long_option(long_opts, name, n,
						     &ambiguous);

		/*
		 * The '?' is for this argument unless it is a short option
		 * of a cluster after it, which getopt() has not passed yet:
		 * optopt is 0 for an unknown long option, the option's val
		 * for a known one.
		 */
		if (ambiguous && optopt == 0)
			ambiguous_error(long_opts, name, n);
		if (o == NULL && optopt == 0)
			tool_usage_error("unrecognized option '%s'", arg);
		if (o != NULL && o->val == optopt) {
			if (name[n] == '=')
				tool_usage_error("option '--%s' doesn't allow "
						 "an argument", o->name);
			tool_usage_error("option '--%s' requires an argument",
					 o->name);
		}
	}
	if (optopt <= 0 || optopt >= 256)
		tool_usage_error("unrecognized option '%s'", arg);
	/* strchr() would find a NUL optopt as the terminating NUL. */
	p = strchr(short_opts, optopt);
	if (p != NULL && p[1] == ':')
		tool_usage_error("option requires an argument -- '%c'", optopt);
	tool_usage_error("invalid option -- '%c'", optopt);
}

void tool_print_version(void)
{
	printf("%s (mmbuf) %s\n", tool_name, PACKAGE_VERSION);
}

const char *tool_one_operand(int argc, char **argv)
{
	if (optind >= argc)
		tool_usage_error("%s", "missing FILE operand");
	if (optind + 1 < argc)
		tool_usage_error("extra operand '%s'", argv[optind + 1]);
	return argv[optind];
}
