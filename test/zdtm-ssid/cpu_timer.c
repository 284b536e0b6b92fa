// SPDX-License-Identifier: GPL-2.0
/*
 * cpu_timer: POSIX timers on CPU-time clocks made before the move keep
 * counting the process's CPU time after it, where it runs:
 *  - a periodic one on the process's clock (CLOCK_PROCESS_CPUTIME_ID,
 *    SIGUSR1 every 20 ms of CPU): its expirations (signals and overruns)
 *    are never ahead of the CPU time used since it was armed, and never
 *    far behind (a timer left parked at home would stop);
 *  - a SIGEV_NONE one-shot on the process's clock, 1000 s out: what
 *    timer_gettime says is left plus the CPU time used stays the same;
 *  - a periodic one on a worker thread's own clock (CLOCK_THREAD_CPUTIME_ID,
 *    SIGUSR2 to that thread every 30 ms of its CPU): it keeps firing, is
 *    never ahead of the CPU time the thread used since it was armed (the
 *    thread's clock goes on from home's), and never says more than its
 *    period is left.
 * The main thread and the worker burn CPU; every round the main thread
 * burns 20 ms of it and checks.
 */
#include "zs_timer.h"

#include <signal.h>

#define PERIOD		(20 * MS)
#define THREAD_PERIOD	(30 * MS)
#define NONE_VALUE	NS(1000, 0)
#define SLACK		(10 * MS)	/* ticks: the tick fires a CPU timer */

static timer_t proc_t, none_t, thread_t;
static volatile long long proc_exp, thread_exp;
static volatile int stop, thread_ready;
static long long proc_armed, none_sum;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	proc_exp += 1 + si->si_overrun;
}

static void on_usr2(int sig, siginfo_t *si, void *uc)
{
	thread_exp += 1 + si->si_overrun;
}

static void *worker(void *arg)
{
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGUSR2 };
	struct itimerspec its = { .it_interval = { 0, THREAD_PERIOD }, .it_value = { 0, THREAD_PERIOD } };
	struct itimerspec left;
	volatile unsigned long spin = 0;
	long long armed, used, exp;

	sev.sigev_notify_thread_id = gettid();
	zs_check(!timer_create(CLOCK_THREAD_CPUTIME_ID, &sev, &thread_t),
		 "thread timer: %s", strerror(errno));
	armed = now_ns(CLOCK_THREAD_CPUTIME_ID);
	zs_check(!timer_settime(thread_t, 0, &its, NULL), "thread timer: %s", strerror(errno));
	thread_ready = 1;
	while (!stop) {
		spin++;
		if (!(spin & 0xfffff)) {
			zs_check(!timer_gettime(thread_t, &left), "timer_gettime: %s", strerror(errno));
			zs_check(ns_of(&left.it_value) <= THREAD_PERIOD,
				 "the thread timer says %lld ns are left, its period is %ld",
				 ns_of(&left.it_value), THREAD_PERIOD);
			exp = thread_exp;
			used = now_ns(CLOCK_THREAD_CPUTIME_ID) - armed;
			zs_check(exp <= used / THREAD_PERIOD + 1,
				 "%lld thread timer expirations after %lld ns of the thread's CPU: early",
				 exp, used);
		}
	}
	return NULL;
}

static void check(int round)
{
	struct itimerspec left;
	long long used = now_ns(CLOCK_PROCESS_CPUTIME_ID) - proc_armed, exp = proc_exp;

	zs_check(exp <= used / PERIOD + 1,
		 "round %d: %lld expirations after %lld ns of CPU: early", round, exp, used);
	zs_check(exp >= (used - 2 * SLACK) / PERIOD - 2,
		 "round %d: %lld expirations after %lld ns of CPU: late", round, exp, used);
	zs_check(!timer_gettime(none_t, &left), "timer_gettime: %s", strerror(errno));
	used = ns_of(&left.it_value) + now_ns(CLOCK_PROCESS_CPUTIME_ID);
	zs_check(llabs(used - none_sum) < 5 * SLACK,
		 "round %d: the SIGEV_NONE timer's time left plus the CPU used is %lld, was %lld",
		 round, used, none_sum);
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO | SA_RESTART };
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	struct sigevent none = { .sigev_notify = SIGEV_NONE };
	struct itimerspec its = { .it_interval = { 0, PERIOD }, .it_value = { 0, PERIOD } };
	struct itimerspec one = { .it_value = { NONE_VALUE / NS(1, 0), 0 } };
	long long thread_before = 0;
	pthread_t th;
	int round = 0, fired_after_stop = 0;

	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_sigaction = on_usr2;
	sigaction(SIGUSR2, &sa, NULL);
	zs_check(!pthread_create(&th, NULL, worker, NULL), "pthread_create");
	while (!thread_ready)
		usleep(1000);
	zs_check(!timer_create(CLOCK_PROCESS_CPUTIME_ID, &sev, &proc_t) &&
		 !timer_create(CLOCK_PROCESS_CPUTIME_ID, &none, &none_t),
		 "timer_create: %s", strerror(errno));
	proc_armed = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	zs_check(!timer_settime(proc_t, 0, &its, NULL) && !timer_settime(none_t, 0, &one, NULL),
		 "timer_settime: %s", strerror(errno));
	none_sum = NONE_VALUE + now_ns(CLOCK_PROCESS_CPUTIME_ID);
	zs_ready(getpid());
	while (zs_more()) {
		round++;
		zs_burn(CLOCK_THREAD_CPUTIME_ID, 20 * MS);
		check(round);
		if (zs_stopped()) {
			/* the tail rounds, where the process is now: the thread's timer fires */
			if (!thread_before)
				thread_before = thread_exp;
			else if (thread_exp > thread_before)
				fired_after_stop = 1;
		}
	}
	stop = 1;
	pthread_join(th, NULL);
	zs_check(fired_after_stop, "the thread's CPU timer did not fire in the last rounds");
	zdtm_say("cpu_timer: process, SIGEV_NONE and thread CPU timers as without a move\n");
	return 0;
}
