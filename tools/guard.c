/*
 * guard.c - the SIGBUS guard over a mapped range (see common.h).
 */
#include "config.h"

#include <setjmp.h>
#include <signal.h>
#include <string.h>

#include "mmbuf.h"

#include "common.h"

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
