/*
 * output.c - buffered output to stdout, written in large pieces (see
 * common.h).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmbuf.h"

#include "common.h"

static char out_storage[TOOL_OUT_SIZE];
char *tool_out_buf = out_storage;
size_t tool_out_len;

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
