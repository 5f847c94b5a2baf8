/*
 * guard.c - reading a buffer whose file may shrink under us.
 *
 * A store or load through a mapping past the end of its file raises
 * SIGBUS, which kills a program that did nothing wrong but read a file
 * someone else truncated.  Two ways around it, for library users:
 * mmbuf_read() copies with pread(2), which reports a short file as an
 * error; mmbuf_guard() runs a function over the mapping with SIGBUS from
 * the buffer's data region turned into MMBUF_ETRUNCATED.
 *
 * The guard needs a process-wide SIGBUS handler.  It is installed on the
 * first mmbuf_guard() call (and again if the program replaced it since),
 * and passes every SIGBUS that is not an armed guard's to the handler it
 * found there, or to the default action.  The checksums hash in place
 * under the same guard, on each of their threads, when the caller asks
 * for it (MMBUF_CHECKSUM_MAPPED): mmbuf__guarded() over what they read.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

struct guard_frame {
	const uint8_t *lo, *hi;     /* the armed range */
	sigjmp_buf env;
	struct guard_frame *prev;   /* an enclosing guard of this thread */
};

/* Initial-exec TLS: a signal handler must not make the dynamic linker
 * allocate a TLS block. */
static __thread struct guard_frame *guard_top
	__attribute__((tls_model("initial-exec")));

static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sigaction guard_prev;  /* what was there before us */

static void guard_handler(int sig, siginfo_t *si, void *ctx)
{
	const uint8_t *addr = si != NULL ? (const uint8_t *)si->si_addr : NULL;

	for (struct guard_frame *f = guard_top; f != NULL; f = f->prev)
		if (addr >= f->lo && addr < f->hi)
			siglongjmp(f->env, 1);

	/* Not ours: behave as if we had never been installed. */
	if (guard_prev.sa_flags & SA_SIGINFO) {
		guard_prev.sa_sigaction(sig, si, ctx);
	} else if (guard_prev.sa_handler != SIG_DFL &&
		   guard_prev.sa_handler != SIG_IGN) {
		guard_prev.sa_handler(sig);
	} else {
		/* The default action (a SIGBUS from a fault cannot be
		 * ignored): return, and the access faults again, now fatal. */
		signal(sig, SIG_DFL);
	}
}

static int guard_install(void)
{
	struct sigaction cur, sa;
	int err = 0;

	if (sigaction(SIGBUS, NULL, &cur) != 0)
		return -errno;
	if ((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == guard_handler)
		return 0;
	pthread_mutex_lock(&guard_lock);
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = guard_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &cur) != 0)
		err = -errno;
	else if (!((cur.sa_flags & SA_SIGINFO) &&
		   cur.sa_sigaction == guard_handler))
		guard_prev = cur;
	pthread_mutex_unlock(&guard_lock);
	return err;
}

int mmbuf__guarded(const void *lo, const void *hi, mmbuf_guarded_fn *fn,
		   void *arg)
{
	struct guard_frame frame;
	int err;

	if ((err = guard_install()) != 0)
		return err;
	frame.lo = lo;
	frame.hi = hi;
	frame.prev = guard_top;
	if (sigsetjmp(frame.env, 1) != 0) {
		guard_top = frame.prev;
		return MMBUF_ETRUNCATED;
	}
	guard_top = &frame;
	err = fn(arg);
	guard_top = frame.prev;
	return err;
}

int mmbuf_guard(const mmbuf *b, mmbuf_guarded_fn *fn, void *arg)
{
	if (b == NULL || fn == NULL)
		return -EINVAL;
	return mmbuf__guarded(b->data, b->data != NULL ? b->data +
			      b->hdr.capacity : NULL, fn, arg);
}

int mmbuf_read(const mmbuf *b, uint64_t offset, void *dst, size_t len)
{
	size_t got = 0;
	int err;

	if (b == NULL || offset > b->hdr.capacity ||
	    len > b->hdr.capacity - offset)
		return -EINVAL;
	err = mmbuf__pread_full(b->fd, dst, len, b->hdr.data_offset + offset,
				&got);
	if (err != 0)
		return err;
	return got < len ? MMBUF_ETRUNCATED : 0;
}
