/*
 * signals.c - stopping long work on SIGINT, SIGTERM or SIGHUP (see
 * common.h).
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "common.h"

volatile sig_atomic_t tool_caught;

static void on_signal(int sig)
{
	tool_caught = sig;
}

/* No SA_RESTART: a read blocked on a pipe or FIFO returns EINTR. */
void tool_catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

void tool_die_of_signal(void)
{
	int sig = tool_caught;

	if (sig == 0)
		return;
	signal(sig, SIG_DFL);
	raise(sig);
}
