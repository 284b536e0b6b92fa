// SPDX-License-Identifier: GPL-2.0
/*
 * posix_timer_threads: POSIX timers of a process of three threads are the
 * same timers after the move, each signalling the thread it signalled at
 * home: a SIGEV_THREAD_ID timer is aimed at a thread by its tid, which the
 * restore must aim it at again (the process's threads exist then), and a
 * process-directed timer's signal goes to the one thread that takes it.
 * The main thread and two workers, W1 and W2, made before ready:
 *   TW1      CLOCK_MONOTONIC, SIGRTMIN+4 with value 0x1111 to W1
 *            (SIGEV_THREAD_ID, W1's gettid()), every 25 ms.
 *   TW2      CLOCK_MONOTONIC, SIGRTMIN+5 with value 0x2222 to W2, every
 *            35 ms.
 *   TP       CLOCK_MONOTONIC, SIGRTMIN+6 with value 0x3333 to the process
 *            (SIGEV_SIGNAL), every 40 ms: the main thread takes it.
 * Every thread blocks the three signals and SIGALRM; each takes its own
 * only in sigsuspend(), which lets in that one (the main thread's also
 * lets in SIGALRM): a signal handled by another thread than the one it
 * is aimed at is a wrong thread, not a choice of the kernel's.  The
 * workers block every other signal too and sleep in sigsuspend() until
 * told to stop, which they see at their next signal.
 * Every round the main thread waits (5 s at most) until each timer has
 * sent two more signals, each with SI_TIMER, its value and its timer's id,
 * handled by its thread, and each timer reads back its interval and a time
 * left within it.  At the end one more timer gets the id after TP's: the
 * process's next timer id is carried too.
 *
 * Timer ids and thread ids are never printed but on a failure (see
 * posix_timer.c for why a timer_t is compared with si_timerid).
 */
#include "zs_timer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/time.h>
#include <time.h>


enum { TW1, TW2, TP, NT };

static struct tmr {
	const char *name, *thread;	/* the timer, the thread it signals */
	int notify, rt, value;		/* rt: SIGRTMIN + rt */
	long period;			/* ns */
	int sig;
	timer_t t;
	pthread_t worker;		/* TW1's and TW2's */
	sigset_t wait_mask;		/* what its thread's sigsuspend() lets in */
	atomic_int id;			/* the kernel's id, for the handler */
	atomic_int tid;			/* the thread it is aimed at */
	atomic_int fired, bad;
	/* the first bad signal's */
	atomic_int code, got_value, got_id, got_tid, overrun;
} tmr[NT] = {
	[TW1] = { .name = "TW1", .thread = "W1", .notify = SIGEV_THREAD_ID, .rt = 4,
		  .value = 0x1111, .period = 25 * MS },
	[TW2] = { .name = "TW2", .thread = "W2", .notify = SIGEV_THREAD_ID, .rt = 5,
		  .value = 0x2222, .period = 35 * MS },
	[TP] = { .name = "TP", .thread = "the main thread", .notify = SIGEV_SIGNAL, .rt = 6,
		 .value = 0x3333, .period = 40 * MS },
};

/* The workers stop at their next signal. */
static atomic_int stop;

/* The workers have their tids and masks. */
static pthread_barrier_t started;

static void on_timer(int sig, siginfo_t *si, void *uc)
{
	int tid = gettid();
	struct tmr *m;

	for (m = tmr; m < tmr + NT; m++)
		if (m->sig == sig)
			break;
	if (m == tmr + NT)
		return;
	if (!m->bad && (tid != m->tid || si->si_code != SI_TIMER ||
			si->si_value.sival_int != m->value || si->si_timerid != m->id ||
			si->si_overrun < 0)) {
		m->code = si->si_code;
		m->got_value = si->si_value.sival_int;
		m->got_id = si->si_timerid;
		m->got_tid = tid;
		m->overrun = si->si_overrun;
		m->bad = 1;
	}
	m->fired++;
}

/* SIGALRM, every 250 ms: wakes the main thread to look at the deadline. */
static void on_guard(int sig)
{
}

/*
 * W1 and W2: everything blocked, their own timer's signal let in by
 * sigsuspend() alone; it comes every 25 or 35 ms, so the stop is seen.
 */
static void *worker(void *arg)
{
	struct tmr *m = arg;
	sigset_t all;

	sigfillset(&all);
	zs_check(!pthread_sigmask(SIG_SETMASK, &all, NULL), "%s: pthread_sigmask", m->thread);
	/* as glibc left it: its own signals are never blocked */
	zs_check(!pthread_sigmask(SIG_SETMASK, NULL, &m->wait_mask), "%s: pthread_sigmask",
		 m->thread);
	sigdelset(&m->wait_mask, m->sig);
	m->tid = gettid();
	pthread_barrier_wait(&started);
	while (!stop)
		sigsuspend(&m->wait_mask);
	return NULL;
}

static timer_t make(clockid_t clock, struct sigevent *sev, const char *name)
{
	timer_t t;

	zs_check(!timer_create(clock, sev, &t), "timer_create %s: %s", name, strerror(errno));
	zs_check((intptr_t)t >= 0 && (intptr_t)t <= INT32_MAX,
		 "timer_create %s: a timer_t that is not a kernel id", name);
	return t;
}

/* Each timer reads back its interval and a time left within it. */
static void check_settings(unsigned round)
{
	struct itimerspec cur;
	long long v;
	int i;

	for (i = 0; i < NT; i++) {
		zs_check(!timer_gettime(tmr[i].t, &cur), "round %u: timer_gettime %s: %s", round,
			 tmr[i].name, strerror(errno));
		v = ns_of(&cur.it_value);
		zs_check(ns_of(&cur.it_interval) == tmr[i].period && v > 0 && v <= tmr[i].period,
			 "round %u: timer %s: %lld ns left of %lld ns every %ld ns", round,
			 tmr[i].name, v, ns_of(&cur.it_interval), tmr[i].period);
	}
}

/*
 * Two more signals of each timer within 5 s.  The main thread sleeps in
 * sigsuspend(), woken by TP's signals and SIGALRM: the workers' counts
 * are looked at again at least every 250 ms.
 */
static void wait_signals(unsigned round, const sigset_t *open_mask)
{
	long long deadline = now_ns(CLOCK_MONOTONIC) + NS(5LL, 0);
	int want[NT], k;

	for (k = 0; k < NT; k++)
		want[k] = tmr[k].fired + 2;
	for (;;) {
		for (k = 0; k < NT && tmr[k].fired >= want[k]; k++)
			;
		if (k == NT)
			break;
		zs_check(now_ns(CLOCK_MONOTONIC) <= deadline,
			 "round %u: timer %s sent %d signals in 5 s, %d short", round,
			 tmr[k].name, tmr[k].fired - want[k] + 2, want[k] - tmr[k].fired);
		sigsuspend(open_mask);
	}
	for (k = 0; k < NT; k++) {
		struct tmr *m = &tmr[k];

		zs_check(!m->bad, "round %u: timer %s (id %d) sent si_code %d, value %#x, "
			 "timer id %d, overrun %d, to thread %d, not %s (%d)", round, m->name,
			 kid(m->t), m->code, m->got_value, m->got_id, m->overrun, m->got_tid,
			 m->thread, m->tid);
	}
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_timer, .sa_flags = SA_SIGINFO };
	struct sigaction guard = { .sa_handler = on_guard };
	struct itimerval quarter = { { 0, 250000 }, { 0, 250000 } };
	struct sigevent none = { .sigev_notify = SIGEV_NONE };
	struct timespec until;
	sigset_t ours, open_mask;
	unsigned round;
	int i, rc, top = 0;
	timer_t last;

	for (i = 0; i < NT; i++)
		tmr[i].sig = SIGRTMIN + tmr[i].rt;
	sigemptyset(&ours);
	sigaddset(&ours, SIGALRM);
	for (i = 0; i < NT; i++)
		sigaddset(&ours, tmr[i].sig);
	/*
	 * Blocked in every thread (the workers inherit it) but in
	 * sigsuspend(): no signal is handled between a check and the wait,
	 * and no other call is interrupted.  The main thread's sigsuspend()
	 * lets in SIGALRM and TP's signal, never TW1's or TW2's.
	 */
	zs_check(!sigprocmask(SIG_BLOCK, &ours, &open_mask), "sigprocmask: %s", strerror(errno));
	sigaddset(&open_mask, tmr[TW1].sig);
	sigaddset(&open_mask, tmr[TW2].sig);
	sigdelset(&open_mask, tmr[TP].sig);
	sigdelset(&open_mask, SIGALRM);
	sa.sa_mask = ours;
	guard.sa_mask = ours;
	for (i = 0; i < NT; i++)
		zs_check(!sigaction(tmr[i].sig, &sa, NULL), "sigaction %d: %s", tmr[i].sig,
			 strerror(errno));
	zs_check(!sigaction(SIGALRM, &guard, NULL), "sigaction SIGALRM: %s", strerror(errno));

	tmr[TP].tid = gettid();
	zs_check(!pthread_barrier_init(&started, NULL, 3), "pthread_barrier_init");
	for (i = TW1; i <= TW2; i++)
		zs_check(!pthread_create(&tmr[i].worker, NULL, worker, &tmr[i]),
			 "pthread_create %s", tmr[i].thread);
	pthread_barrier_wait(&started);

	/* In a row: TW1, TW2, TP. */
	for (i = 0; i < NT; i++) {
		struct sigevent sev = { .sigev_notify = tmr[i].notify, .sigev_signo = tmr[i].sig,
					.sigev_value.sival_int = tmr[i].value };

		if (tmr[i].notify == SIGEV_THREAD_ID)
			sev.sigev_notify_thread_id = tmr[i].tid;
		tmr[i].t = make(CLOCK_MONOTONIC, &sev, tmr[i].name);
		tmr[i].id = kid(tmr[i].t);
		zs_check(!i || kid(tmr[i].t) == top + 1, "timer %s: id %d, not the one after %d",
			 tmr[i].name, kid(tmr[i].t), top);
		top = kid(tmr[i].t);
	}
	for (i = 0; i < NT; i++) {
		struct itimerspec arm = { { 0, tmr[i].period }, { 0, tmr[i].period } };

		zs_check(!timer_settime(tmr[i].t, 0, &arm, NULL), "timer_settime %s: %s",
			 tmr[i].name, strerror(errno));
	}
	/* A deadline is seen even if every timer stopped. */
	zs_check(!setitimer(ITIMER_REAL, &quarter, NULL), "setitimer: %s", strerror(errno));
	zs_ready(getpid());

	for (round = 1; zs_more_blocking(&ours); round++) {
		check_settings(round);
		wait_signals(round, &open_mask);
	}

	/* The next id is the one after TP's, as where the process began. */
	last = make(CLOCK_MONOTONIC, &none, "last");
	zs_check(kid(last) == top + 1, "the timer made at the end has id %d, not %d", kid(last),
		 top + 1);
	/* The workers see the stop at their timers' next signals. */
	stop = 1;
	for (i = TW1; i <= TW2; i++) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += 5;
		rc = pthread_clockjoin_np(tmr[i].worker, NULL, CLOCK_MONOTONIC, &until);
		zs_check(!rc, "%s did not stop in 5 s: %s", tmr[i].thread, strerror(rc));
	}
	zs_check(!setitimer(ITIMER_REAL, &(struct itimerval){}, NULL), "setitimer: %s",
		 strerror(errno));
	zs_check(!timer_delete(last), "timer_delete last: %s", strerror(errno));
	for (i = 0; i < NT; i++)
		zs_check(!timer_delete(tmr[i].t), "timer_delete %s: %s", tmr[i].name,
			 strerror(errno));
	zdtm_say("posix_timer_threads: ok, each thread's timers kept their ids, clocks, "
		 "signals, targets and times, and the next id\n");
	return 77;
}
