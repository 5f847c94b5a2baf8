/*
 * color.c - whether to colour the output (see common.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mmbuf.h"

#include "common.h"

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

	/* GNU's meaning: --color alone is --color=always. */
	if (when == NULL)
		return TOOL_COLOR_ALWAYS;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcasecmp(when, names[i].name) == 0)
			return names[i].mode;
	return -1;
}

int tool_color_enabled(int mode)
{
	const char *nc, *term;

	if (mode == TOOL_COLOR_ALWAYS)
		return 1;
	if (mode == TOOL_COLOR_NEVER)
		return 0;
	nc = getenv("NO_COLOR");
	if (nc != NULL && nc[0] != '\0')
		return 0;
	/* A terminal that says it cannot show escapes (GNU ls, grep). */
	term = getenv("TERM");
	if (term != NULL && strcmp(term, "dumb") == 0)
		return 0;
	return isatty(STDOUT_FILENO);
}
