// SPDX-License-Identifier: GPL-2.0
/*
 * posix_timer: POSIX timers (timer_create) made at home are the same
 * timers after the move, with their ids, clocks, sigevents, intervals and
 * time left, and the next timer_create gets the id it would have got.
 * One thread.  Before ready:
 *   A..E     five CLOCK_MONOTONIC SIGEV_NONE timers, never armed; B and D
 *            are deleted, so the ids in use are not contiguous.  Every
 *            round A, C and E read back disarmed and B and D EINVAL.
 *   T1       CLOCK_MONOTONIC, SIGRTMIN+1 with value 0x1234, every 20 ms.
 *   T2       CLOCK_REALTIME, one shot in 1000 s, SIGUSR1: never fires;
 *            the time left never grows from one round to the next.
 *   T3       CLOCK_BOOTTIME, SIGRTMIN+2 with value 0x5678 to this thread
 *            (SIGEV_THREAD_ID), every 30 ms.
 *   T4       CLOCK_MONOTONIC SIGEV_NONE, due in 500 s, then every 7 s.
 *   T5       CLOCK_REALTIME, SIGRTMIN+3 with value 0x9abc, armed every
 *            round to an absolute time 50 ms ahead (TIMER_ABSTIME): it
 *            must not fire before it.  Only within a second: CLOCK_REALTIME
 *            is each node's own (a time namespace cannot shift it), the
 *            lab's wall clocks differ by about half a second, and a
 *            signal sent at home may be taken after the move, where the
 *            clock reads earlier.
 * Every round each timer reads back its own setting (a restore that
 * swapped two ids shows there) and the signals of T1, T3 and T5 (two,
 * two and one) arrive in sigsuspend() within 5 s, each with SI_TIMER, its
 * value and its timer's id.  At the end one more timer gets the id after
 * T5's: the process's next timer id is carried too.
 *
 * A timer_t of glibc is, for all but SIGEV_THREAD timers, the kernel's
 * id as a pointer-sized integer (kernel_timer_to_timerid(); the kernel's
 * ids are never negative, a SIGEV_THREAD timer_t has the top bit set):
 * si_timerid, an int, is compared with it.  Ids are never printed: the
 * output must not depend on them.
 */
#include "zs_timer.h"

#include <sys/time.h>
#include <time.h>

/* How far apart two nodes' wall clocks may be (see T5). */
#define SKEW		NS(1LL, 0)

enum { T1, T2, T3, T4, T5, NT };

static struct tmr {
	const char *name;
	clockid_t clock;
	int notify, sig, value;
	struct itimerspec arm;		/* before ready; T5's every round */
	timer_t t;
	volatile sig_atomic_t fired, bad;
	volatile int code, got_value, got_id, overrun;	/* the first bad signal's */
} tmr[NT] = {
	[T1] = { "T1", CLOCK_MONOTONIC, SIGEV_SIGNAL, 0, 0x1234,
		 { { 0, 20 * MS }, { 0, 20 * MS } } },
	[T2] = { "T2", CLOCK_REALTIME, SIGEV_SIGNAL, SIGUSR1, 0x2468,
		 { { 0, 0 }, { 1000, 0 } } },
	[T3] = { "T3", CLOCK_BOOTTIME, SIGEV_THREAD_ID, 0, 0x5678,
		 { { 0, 30 * MS }, { 0, 30 * MS } } },
	[T4] = { "T4", CLOCK_MONOTONIC, SIGEV_NONE, 0, 0,
		 { { 7, 0 }, { 500, 0 } } },
	[T5] = { "T5", CLOCK_REALTIME, SIGEV_SIGNAL, 0, 0x9abc },
};

/* A, C and E, kept; B and D, deleted. */
static timer_t kept[3], gone[2];
static const char *const kept_name[3] = { "A", "C", "E" }, *const gone_name[2] = { "B", "D" };

/* When T5's signal came, on CLOCK_REALTIME. */
static struct timespec t5_at;

/* What sigsuspend() lets in: the timers' signals and SIGALRM. */
static sigset_t open_mask;

static void on_timer(int sig, siginfo_t *si, void *uc)
{
	struct timespec now;
	struct tmr *m;

	clock_gettime(CLOCK_REALTIME, &now);
	for (m = tmr; m < tmr + NT; m++)
		if (m->notify != SIGEV_NONE && m->sig == sig)
			break;
	if (m == tmr + NT)
		return;
	if (m == &tmr[T5])
		t5_at = now;
	if (!m->bad && (si->si_code != SI_TIMER || si->si_value.sival_int != m->value ||
			si->si_timerid != kid(m->t) || si->si_overrun < 0)) {
		m->code = si->si_code;
		m->got_value = si->si_value.sival_int;
		m->got_id = si->si_timerid;
		m->overrun = si->si_overrun;
		m->bad = 1;
	}
	m->fired++;
}

/* SIGALRM, every 250 ms: wakes sigsuspend() to look at the deadline. */
static void on_guard(int sig)
{
}

static timer_t make(clockid_t clock, struct sigevent *sev, const char *name)
{
	timer_t t;

	zs_check(!timer_create(clock, sev, &t), "timer_create %s: %s", name, strerror(errno));
	zs_check((intptr_t)t >= 0 && (intptr_t)t <= INT32_MAX,
		 "timer_create %s: a timer_t that is not a kernel id", name);
	return t;
}

/*
 * Its id must come from the process's counter: the one after the last
 * (which the end of the run checks again, after the move).
 */
static timer_t make_next(clockid_t clock, struct sigevent *sev, const char *name, int *last)
{
	timer_t t = make(clock, sev, name);

	zs_check(kid(t) == *last + 1, "timer %s: id %d, not the one after %d", name, kid(t),
		 *last);
	*last = kid(t);
	return t;
}

static void get(timer_t t, struct itimerspec *cur, unsigned round, const char *name)
{
	zs_check(!timer_gettime(t, cur), "round %u: timer_gettime %s: %s", round, name,
		 strerror(errno));
}

/* Each timer reads back its own setting; B and D are gone. */
static void check_settings(unsigned round, long long *t2_prev)
{
	struct itimerspec cur;
	long long v;
	int i;

	for (i = 0; i < 3; i++) {
		get(kept[i], &cur, round, kept_name[i]);
		zs_check(!ns_of(&cur.it_value) && !ns_of(&cur.it_interval),
			 "round %u: timer %s, never armed, reads %lld ns every %lld ns", round,
			 kept_name[i], ns_of(&cur.it_value), ns_of(&cur.it_interval));
	}
	for (i = 0; i < 2; i++) {
		errno = 0;
		zs_check(timer_gettime(gone[i], &cur) < 0 && errno == EINVAL,
			 "round %u: timer_gettime of the deleted timer %s: %s", round,
			 gone_name[i], errno ? strerror(errno) : "it exists");
	}
	for (i = T1; i <= T3; i += 2) {
		get(tmr[i].t, &cur, round, tmr[i].name);
		v = ns_of(&cur.it_value);
		zs_check(ns_of(&cur.it_interval) == ns_of(&tmr[i].arm.it_interval) && v > 0 &&
			 v <= ns_of(&tmr[i].arm.it_interval),
			 "round %u: timer %s: %lld ns left of %lld ns every %lld ns", round,
			 tmr[i].name, v, ns_of(&cur.it_interval), ns_of(&tmr[i].arm.it_interval));
	}
	get(tmr[T2].t, &cur, round, "T2");
	v = ns_of(&cur.it_value);
	zs_check(!ns_of(&cur.it_interval) && v >= NS(1LL, 0) && v <= NS(1000LL, 0),
		 "round %u: timer T2: %lld ns left, every %lld ns", round, v,
		 ns_of(&cur.it_interval));
	zs_check(v <= *t2_prev, "round %u: timer T2: %lld ns left, %lld ns the round before",
		 round, v, *t2_prev);
	*t2_prev = v;
	zs_check(!tmr[T2].fired, "round %u: timer T2 fired, 1000 s early", round);
	get(tmr[T4].t, &cur, round, "T4");
	v = ns_of(&cur.it_value);
	zs_check(ns_of(&cur.it_interval) == NS(7LL, 0) && v > 0 && v <= NS(500LL, 0),
		 "round %u: timer T4: %lld ns left, every %lld ns", round, v,
		 ns_of(&cur.it_interval));
	get(tmr[T5].t, &cur, round, "T5");
	zs_check(!ns_of(&cur.it_value) && !ns_of(&cur.it_interval),
		 "round %u: timer T5, fired, reads %lld ns every %lld ns", round,
		 ns_of(&cur.it_value), ns_of(&cur.it_interval));
}

/* The signals of T1, T3 and T5: @want of each, within 5 s. */
static void wait_signals(unsigned round, const sig_atomic_t *want)
{
	static const int which[3] = { T1, T3, T5 };
	long long deadline = now_ns(CLOCK_MONOTONIC) + NS(5LL, 0);
	int k;

	for (;;) {
		for (k = 0; k < 3 && tmr[which[k]].fired >= want[k]; k++)
			;
		if (k == 3)
			break;
		zs_check(now_ns(CLOCK_MONOTONIC) <= deadline,
			 "round %u: timer %s sent %d signals in 5 s, %d short", round,
			 tmr[which[k]].name, (int)tmr[which[k]].fired,
			 (int)(want[k] - tmr[which[k]].fired));
		sigsuspend(&open_mask);
	}
	for (k = 0; k < 3; k++) {
		struct tmr *m = &tmr[which[k]];

		zs_check(!m->bad, "round %u: timer %s (id %d) sent si_code %d, value %#x, "
			 "timer id %d, overrun %d", round, m->name, kid(m->t), m->code,
			 m->got_value, m->got_id, m->overrun);
	}
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_timer, .sa_flags = SA_SIGINFO };
	struct sigaction guard = { .sa_handler = on_guard };
	struct itimerval quarter = { { 0, 250000 }, { 0, 250000 } };
	struct sigevent none = { .sigev_notify = SIGEV_NONE };
	long long t2_prev = NS(1000LL, 0), at;
	sig_atomic_t want[3];
	unsigned round;
	timer_t all[5], last;
	sigset_t ours;
	int i, n, top;

	tmr[T1].sig = SIGRTMIN + 1;
	tmr[T3].sig = SIGRTMIN + 2;
	tmr[T5].sig = SIGRTMIN + 3;
	sigemptyset(&ours);
	sigaddset(&ours, SIGALRM);
	for (i = 0; i < NT; i++)
		if (tmr[i].notify != SIGEV_NONE)
			sigaddset(&ours, tmr[i].sig);
	/*
	 * Blocked but in sigsuspend(), which @open_mask lets them into: no
	 * signal is handled between a check and the wait (a racy wait could
	 * sleep for ever, here or after a restore that re-executes it), and
	 * no other call is interrupted.  One handler at a time.
	 */
	zs_check(!sigprocmask(SIG_BLOCK, &ours, &open_mask), "sigprocmask: %s", strerror(errno));
	for (i = 1; i < NSIG; i++)
		if (sigismember(&ours, i))
			sigdelset(&open_mask, i);
	sa.sa_mask = ours;
	guard.sa_mask = ours;
	for (i = 0; i < NT; i++)
		if (tmr[i].notify != SIGEV_NONE)
			zs_check(!sigaction(tmr[i].sig, &sa, NULL), "sigaction %d: %s", tmr[i].sig,
				 strerror(errno));
	zs_check(!sigaction(SIGALRM, &guard, NULL), "sigaction SIGALRM: %s", strerror(errno));

	/* A..E, in a row; then B and D go. */
	all[0] = make(CLOCK_MONOTONIC, &none, "A");
	top = kid(all[0]);
	for (i = 1; i < 5; i++) {
		const char name[2] = { (char)('A' + i), 0 };

		all[i] = make_next(CLOCK_MONOTONIC, &none, name, &top);
	}
	kept[0] = all[0];
	kept[1] = all[2];
	kept[2] = all[4];
	gone[0] = all[1];
	gone[1] = all[3];
	for (i = 0; i < 2; i++)
		zs_check(!timer_delete(gone[i]), "timer_delete %s: %s", gone_name[i],
			 strerror(errno));

	for (i = 0; i < NT; i++) {
		struct sigevent sev = { .sigev_notify = tmr[i].notify, .sigev_signo = tmr[i].sig,
					.sigev_value.sival_int = tmr[i].value };

		if (tmr[i].notify == SIGEV_THREAD_ID)
			sev.sigev_notify_thread_id = gettid();
		tmr[i].t = make_next(tmr[i].clock, &sev, tmr[i].name, &top);
	}
	for (i = 0; i < NT; i++)
		if (i != T5)
			zs_check(!timer_settime(tmr[i].t, 0, &tmr[i].arm, NULL),
				 "timer_settime %s: %s", tmr[i].name, strerror(errno));
	/* A deadline is seen even if every timer stopped. */
	zs_check(!setitimer(ITIMER_REAL, &quarter, NULL), "setitimer: %s", strerror(errno));
	zs_ready(getpid());

	for (round = 1; zs_more_blocking(&ours); round++) {
		check_settings(round, &t2_prev);
		want[0] = tmr[T1].fired + 2;
		want[1] = tmr[T3].fired + 2;
		want[2] = tmr[T5].fired + 1;
		at = now_ns(CLOCK_REALTIME) + 50 * MS;
		tmr[T5].arm.it_value = (struct timespec){ at / NS(1LL, 0), at % NS(1LL, 0) };
		zs_check(!timer_settime(tmr[T5].t, TIMER_ABSTIME, &tmr[T5].arm, NULL),
			 "round %u: timer_settime T5: %s", round, strerror(errno));
		wait_signals(round, want);
		zs_check(ns_of(&t5_at) >= at - SKEW && now_ns(CLOCK_REALTIME) >= at - SKEW,
			 "round %u: timer T5 fired %lld ns before its time", round,
			 at - ns_of(&t5_at));
		n = timer_getoverrun(tmr[T1].t);
		zs_check(n >= 0, "round %u: timer_getoverrun T1: %d (%s)", round, n,
			 strerror(errno));
	}

	/* The next id is the one after T5's, as where the process began. */
	last = make(CLOCK_MONOTONIC, &none, "last");
	zs_check(kid(last) == top + 1, "the timer made at the end has id %d, not %d", kid(last),
		 top + 1);
	zs_check(!setitimer(ITIMER_REAL, &(struct itimerval){}, NULL), "setitimer: %s",
		 strerror(errno));
	zs_check(!timer_delete(last), "timer_delete last: %s", strerror(errno));
	for (i = 0; i < 3; i++)
		zs_check(!timer_delete(kept[i]), "timer_delete %s: %s", kept_name[i],
			 strerror(errno));
	for (i = 0; i < NT; i++)
		zs_check(!timer_delete(tmr[i].t), "timer_delete %s: %s", tmr[i].name,
			 strerror(errno));
	zdtm_say("posix_timer: ok, the timers kept their ids, clocks, signals and times, "
		 "and the next id\n");
	return 76;
}
