/*
 * color.c - whether to colour the output (see common.h).
 */
#include "config.h"

#include <stdlib.h>
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
