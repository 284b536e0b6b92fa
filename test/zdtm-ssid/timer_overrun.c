// SPDX-License-Identifier: GPL-2.0
/*
 * timer_overrun: a periodic POSIX timer whose signal waits, blocked,
 * counts every period that passes as an overrun of that one signal
 * (posixtimer_rearm() adds them when it is taken); a move while it waits
 * keeps the count.  One thread, with SIGUSR1 and SIGUSR2 blocked:
 *   P  CLOCK_PROCESS_CPUTIME_ID, SIGUSR1 every 10 ms of the process's CPU;
 *   T  CLOCK_THREAD_CPUTIME_ID, SIGUSR2 to this thread every 15 ms of its
 *      CPU;
 *   M  CLOCK_MONOTONIC, SIGRTMIN every 10 ms.
 * The process burns CPU until told to stop, then takes what is pending:
 * the expirations of P and T (each signal's 1 + si_overrun, summed: a
 * move may split one signal in two) are the periods of CPU time used
 * since each was armed, within a tick; M's are never more than the
 * periods of the time passed (a move only makes it late by the freeze).
 */
#include "zs_timer.h"

#include <signal.h>

#define SLACK	(10 * MS)	/* ticks: the tick fires a CPU timer */

static struct tmr {
	const char *name;
	clockid_t clock;
	int signo, notify;
	long long period, armed;
	timer_t t;
} tmr[] = {
	{ .name = "P", .clock = CLOCK_PROCESS_CPUTIME_ID, .signo = SIGUSR1,
	  .notify = SIGEV_SIGNAL, .period = 10 * MS },
	{ .name = "T", .clock = CLOCK_THREAD_CPUTIME_ID, .signo = SIGUSR2,
	  .notify = SIGEV_THREAD_ID, .period = 15 * MS },
	{ .name = "M", .clock = CLOCK_MONOTONIC, .notify = SIGEV_SIGNAL,	/* SIGRTMIN */
	  .period = 10 * MS },
};
#define NT	(int)(sizeof(tmr) / sizeof(tmr[0]))

/* Take every pending signal of @m: its expirations; @each, what each said. */
static long long take(struct tmr *m, long long *signals, char *each, size_t size)
{
	size_t at = 0;

	const struct timespec none = { 0, 0 };
	long long exp = 0;
	siginfo_t si;
	sigset_t one;

	sigemptyset(&one);
	sigaddset(&one, m->signo);
	*signals = 0;
	while (sigtimedwait(&one, &si, &none) == m->signo) {
		zs_check(si.si_code == SI_TIMER && si.si_overrun >= 0,
			 "timer %s: a signal with si_code %d, si_overrun %d", m->name, si.si_code,
			 si.si_overrun);
		exp += 1 + si.si_overrun;
		(*signals)++;
		if (at < size)
			at += snprintf(each + at, size - at, " %d", 1 + si.si_overrun);
	}
	zs_check(errno == EAGAIN, "sigtimedwait: %s", strerror(errno));
	return exp;
}

int main(void)
{
	struct sigevent sev = { 0 };
	long long used, exp, signals;
	char each[64];
	sigset_t block;
	int i;

	tmr[2].signo = SIGRTMIN;
	sigemptyset(&block);
	for (i = 0; i < NT; i++)
		sigaddset(&block, tmr[i].signo);
	zs_check(!sigprocmask(SIG_BLOCK, &block, NULL), "sigprocmask: %s", strerror(errno));
	for (i = 0; i < NT; i++) {
		struct tmr *m = &tmr[i];
		struct itimerspec its = { { 0, m->period }, { 0, m->period } };

		sev.sigev_notify = m->notify;
		sev.sigev_signo = m->signo;
		sev.sigev_notify_thread_id = gettid();
		zs_check(!timer_create(m->clock, &sev, &m->t), "timer_create %s: %s", m->name,
			 strerror(errno));
		m->armed = now_ns(m->clock);
		zs_check(!timer_settime(m->t, 0, &its, NULL), "timer_settime %s: %s", m->name,
			 strerror(errno));
	}
	zs_ready(getpid());
	while (zs_more())
		zs_burn(CLOCK_THREAD_CPUTIME_ID, 20 * MS);
	for (i = 0; i < NT; i++) {
		struct tmr *m = &tmr[i];

		used = now_ns(m->clock) - m->armed;
		each[0] = 0;
		exp = take(m, &signals, each, sizeof(each));
		zs_check(exp <= used / m->period + 1,
			 "timer %s: %lld expirations in %lld signal(s) (%s ) after %lld ns: early",
			 m->name, exp, signals, each, used);
		zs_check(m->clock == CLOCK_MONOTONIC || exp >= (used - SLACK) / m->period - 1,
			 "timer %s: %lld expirations in %lld signal(s) (%s ) after %lld ns of CPU: "
			 "periods lost", m->name, exp, signals, each, used);
	}
	zdtm_say("timer_overrun: the overruns of blocked timer signals as without a move\n");
	return 0;
}
