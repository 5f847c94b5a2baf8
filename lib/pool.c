/*
 * pool.c - running a job on several threads: the one thread runner of
 * mmbuf_fill() and of the checksums of mmbuf_seal() and mmbuf_verify*(),
 * with one rule for the number of threads and one for errors (the first
 * error wins, and the other tasks stop at their next step).
 */
#include "internal.h"

#include <pthread.h>
#include <unistd.h>

unsigned mmbuf__pool_threads(unsigned threads, uint64_t most)
{
	if (threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (unsigned)n : 1;
	}
	if (threads > MMBUF__MAX_THREADS)
		threads = MMBUF__MAX_THREADS;
	if ((uint64_t)threads > most)
		threads = most > 0 ? (unsigned)most : 1;
	return threads;
}

struct task {
	mmbuf__pool_task *fn;
	void *arg;
	unsigned k;
};

static void *run_task(void *p)
{
	struct task *t = p;

	t->fn(t->arg, t->k);
	return NULL;
}

void mmbuf__pool_run(unsigned n, mmbuf__pool_task *fn, void *arg)
{
	pthread_t tid[MMBUF__MAX_THREADS];
	struct task task[MMBUF__MAX_THREADS];
	bool started[MMBUF__MAX_THREADS];

	if (n > MMBUF__MAX_THREADS)
		n = MMBUF__MAX_THREADS;
	for (unsigned k = 1; k < n; k++) {
		task[k] = (struct task){ fn, arg, k };
		started[k] = pthread_create(&tid[k], NULL, run_task,
					    &task[k]) == 0;
	}
	if (n > 0)
		fn(arg, 0);
	/* Fewer threads still finish the job. */
	for (unsigned k = 1; k < n; k++)
		if (!started[k])
			fn(arg, k);
	for (unsigned k = 1; k < n; k++)
		if (started[k])
			pthread_join(tid[k], NULL);
}

void mmbuf__pool_fail(int *error, int err)
{
	int none = 0;

	__atomic_compare_exchange_n(error, &none, err, false,
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

bool mmbuf__pool_failed(const int *error)
{
	return __atomic_load_n(error, __ATOMIC_RELAXED) != 0;
}
