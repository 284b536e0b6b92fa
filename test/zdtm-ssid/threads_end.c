// SPDX-License-Identifier: GPL-2.0
/*
 * threads_end: threads end and begin while the process may be away.
 * Eight workers start; each round one of them ends (pthread_exit, joined
 * by the main thread) and, every other round, a new one is made
 * (pthread_create: it runs where the process runs).  The workers sum
 * their own sequences, checked when they are joined.  /proc/self/task
 * (at home, where the deputy is, once the process has moved) shows the
 * live threads, soon after one ends: a thread that ended away leaves
 * nothing behind at home.
 */
#include "zs.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#define NSLOTS 64

struct worker {
	pthread_t t;
	atomic_int stop;
	uint64_t sum, n;
	int live;
};

static struct worker w[NSLOTS];

static void *work(void *arg)
{
	struct worker *me = arg;
	struct timespec ts = { 0, 2000000 };

	while (!me->stop) {
		me->n++;
		me->sum += me->n;
		nanosleep(&ts, NULL);
	}
	return (void *)(uintptr_t)me->n;
}

static int tasks(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	zs_check(d, "/proc/self/task: %s", strerror(errno));
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void start(int i)
{
	w[i].stop = 0;
	w[i].sum = w[i].n = 0;
	zs_check(pthread_create(&w[i].t, NULL, work, &w[i]) == 0, "pthread_create %d", i);
	w[i].live = 1;
}

static void end(int i)
{
	void *ret;

	w[i].stop = 1;
	zs_check(pthread_join(w[i].t, &ret) == 0, "pthread_join %d", i);
	zs_check((uint64_t)(uintptr_t)ret == w[i].n, "worker %d counted %llu, says %llu", i,
		 (unsigned long long)w[i].n, (unsigned long long)(uintptr_t)ret);
	zs_check(w[i].sum == w[i].n * (w[i].n + 1) / 2, "worker %d: sum %llu of %llu",
		 i, (unsigned long long)w[i].sum, (unsigned long long)w[i].n);
	w[i].live = 0;
}

/*
 * /proc/self/task shows @want threads within 3 s: a joined thread may be
 * on its way out for a moment, and away its deputy thread at home ends
 * when the remote node has seen it end (every 100 ms).
 */
static void settle(int want, int round)
{
	struct timespec ts = { 0, 10000000 };
	int i, n = 0;

	for (i = 0; i < 300 && (n = tasks()) != want; i++)
		nanosleep(&ts, NULL);
	zs_check(n == want, "round %d: %d tasks for %d threads", round, n, want);
}

int main(void)
{
	struct timespec ts = { 0, 10000000 };
	int i, live = 8, next = 8, oldest = 0, round = 0;

	for (i = 0; i < 8; i++)
		start(i);
	zs_ready(getpid());
	while (zs_more()) {
		round++;
		nanosleep(&ts, NULL);
		nanosleep(&ts, NULL);
		nanosleep(&ts, NULL);
		if (live > 2) {
			end(oldest++ % NSLOTS);
			live--;
		}
		if (round % 2 == 0 && live < 8) {
			start(next++ % NSLOTS);
			live++;
		}
		settle(live + 1, round);
	}
	for (i = 0; i < NSLOTS; i++)
		if (w[i].live)
			end(i);
	settle(1, round);
	zdtm_say("threads_end: every worker's sum checks out\n");
	return 62;
}
