// SPDX-License-Identifier: GPL-2.0
/*
 * thread_cputime: each thread's own CPU clock (CLOCK_THREAD_CPUTIME_ID,
 * and pthread_getcpuclockid() of it read by another thread) and what
 * getrusage(RUSAGE_THREAD) counts go on after the move from where they
 * were before it, and the process's CPU clock stays at least their sum.
 * Before: the main thread and three workers burn 60, 120, 180 and 240 ms
 * of their own CPU, so every clock differs.  Every round each thread
 * burns 2 ms more and checks that its clock and its RUSAGE_THREAD
 * counters (CPU times, faults, context switches) never went back; the
 * main thread also reads every worker's clock from outside and checks
 * that the process clock is at least their sum and never went back.
 */
#include "zs_timer.h"

#include <pthread.h>
#include <sys/resource.h>

#define NR_WORKERS	3

struct seen {
	long long clock;	/* ns, its own clock */
	struct rusage ru;
};

static volatile int stop;
static pthread_barrier_t burnt;

static long long us(const struct timeval *tv)
{
	return tv->tv_sec * 1000000LL + tv->tv_usec;
}

/* One round of thread @who: burn, then nothing it counts went back. */
static void round_of(const char *who, int round, struct seen *prev)
{
	struct seen now;

	zs_burn(CLOCK_THREAD_CPUTIME_ID, 2 * MS);
	now.clock = now_ns(CLOCK_THREAD_CPUTIME_ID);
	zs_check(!getrusage(RUSAGE_THREAD, &now.ru), "getrusage: %s", strerror(errno));
	zs_check(now.clock >= prev->clock + 2 * MS,
		 "%s, round %d: its CPU clock reads %lld ns, was %lld before 2 ms more",
		 who, round, now.clock, prev->clock);
	zs_check(us(&now.ru.ru_utime) >= us(&prev->ru.ru_utime) &&
		 us(&now.ru.ru_stime) >= us(&prev->ru.ru_stime),
		 "%s, round %d: RUSAGE_THREAD CPU went back: user %lld system %lld us, was %lld %lld",
		 who, round, us(&now.ru.ru_utime), us(&now.ru.ru_stime),
		 us(&prev->ru.ru_utime), us(&prev->ru.ru_stime));
	zs_check(now.ru.ru_minflt >= prev->ru.ru_minflt &&
		 now.ru.ru_majflt >= prev->ru.ru_majflt &&
		 now.ru.ru_nvcsw >= prev->ru.ru_nvcsw && now.ru.ru_nivcsw >= prev->ru.ru_nivcsw,
		 "%s, round %d: a RUSAGE_THREAD counter went back: faults %ld/%ld, "
		 "switches %ld/%ld (were %ld/%ld, %ld/%ld)", who, round, now.ru.ru_minflt,
		 now.ru.ru_majflt, now.ru.ru_nvcsw, now.ru.ru_nivcsw, prev->ru.ru_minflt,
		 prev->ru.ru_majflt, prev->ru.ru_nvcsw, prev->ru.ru_nivcsw);
	*prev = now;
}

static void start(struct seen *s, long long burn)
{
	zs_burn(CLOCK_THREAD_CPUTIME_ID, burn);
	s->clock = now_ns(CLOCK_THREAD_CPUTIME_ID);
	zs_check(!getrusage(RUSAGE_THREAD, &s->ru), "getrusage: %s", strerror(errno));
	zs_check(us(&s->ru.ru_utime) + us(&s->ru.ru_stime) >= burn / 2000,
		 "RUSAGE_THREAD says %lld us of CPU after %lld burnt",
		 us(&s->ru.ru_utime) + us(&s->ru.ru_stime), burn / 1000);
}

static void *worker(void *arg)
{
	int i = (int)(intptr_t)arg, round = 0;
	char who[16];
	struct seen s;

	snprintf(who, sizeof(who), "worker %d", i);
	start(&s, (i + 2) * 60 * MS);
	pthread_barrier_wait(&burnt);
	while (!stop)
		round_of(who, ++round, &s);
	return NULL;
}

int main(void)
{
	long long proc_prev = 0, sum, proc;
	clockid_t clocks[NR_WORKERS];
	pthread_t th[NR_WORKERS];
	int round = 0, i;
	struct seen s;

	zs_check(!pthread_barrier_init(&burnt, NULL, NR_WORKERS + 1), "pthread_barrier_init");
	for (i = 0; i < NR_WORKERS; i++) {
		zs_check(!pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i),
			 "pthread_create");
		zs_check(!pthread_getcpuclockid(th[i], &clocks[i]), "pthread_getcpuclockid");
	}
	start(&s, 60 * MS);
	pthread_barrier_wait(&burnt);
	zs_ready(getpid());
	while (zs_more()) {
		round_of("main", ++round, &s);
		sum = s.clock;
		for (i = 0; i < NR_WORKERS; i++)
			sum += now_ns(clocks[i]);
		proc = now_ns(CLOCK_PROCESS_CPUTIME_ID);
		zs_check(proc >= sum, "round %d: the process clock reads %lld ns, its threads' %lld",
			 round, proc, sum);
		zs_check(proc >= proc_prev, "round %d: the process clock went back: %lld ns, was %lld",
			 round, proc, proc_prev);
		proc_prev = proc;
	}
	stop = 1;
	for (i = 0; i < NR_WORKERS; i++)
		pthread_join(th[i], NULL);
	zdtm_say("thread_cputime: every thread's CPU clock and RUSAGE_THREAD went on\n");
	return 0;
}
