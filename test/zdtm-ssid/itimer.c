// SPDX-License-Identifier: GPL-2.0
/*
 * itimer: timers armed at home keep running after the move.  An alarm()
 * of 1000 s armed before ready is still armed (alarm(0) returns 1..1000)
 * every round; meanwhile a 20 ms one-shot ITIMER_REAL must fire into a
 * sigsuspend; periodic ITIMER_VIRTUAL and ITIMER_PROF (CPU time) tick
 * while the process spins; getitimer reports values within the intervals.
 */
#include "zs.h"

#include <stdbool.h>
#include <sys/time.h>
#include <time.h>

static volatile sig_atomic_t alrm, vtalrm, prof;

static void on_sig(int sig)
{
	if (sig == SIGALRM)
		alrm++;
	else if (sig == SIGVTALRM)
		vtalrm++;
	else
		prof++;
}

static long usec(const struct timeval *tv)
{
	return tv->tv_sec * 1000000L + tv->tv_usec;
}

/*
 * ITIMER_VIRTUAL as getitimer() reports it, within its interval and the
 * tick it is rounded up to (up to 10 ms at HZ=100).  The kernel reports
 * 0 for a CPU timer due at this very sample (get_cpu_itimer(): an expiry
 * equal to the clock reads as 0, one below it as a tick), which happens
 * when its check comes late and the timer lags its clock: it then fires
 * at the next check.  So a 0 is read again after the next SIGVTALRM (a
 * disarmed timer never sends one: the 5 s deadline fails it).
 */
static bool virtual_ok(unsigned round, struct itimerval *cur)
{
	time_t deadline = time(NULL) + 5;
	int tries;

	for (tries = 0; tries < 8; tries++) {
		sig_atomic_t want = vtalrm + 1;

		if (getitimer(ITIMER_VIRTUAL, cur) || usec(&cur->it_interval) != 5000)
			return false;
		if (usec(&cur->it_value))
			return usec(&cur->it_value) <= 15000;
		while (vtalrm < want)
			zs_check(time(NULL) <= deadline, "round %u: ITIMER_VIRTUAL read 0 and "
				 "sent nothing in 5 s", round);
	}
	return false;
}

int main(void)
{
	static const int sigs[] = { SIGALRM, SIGVTALRM, SIGPROF };
	struct itimerval cpu = { { 0, 5000 }, { 0, 5000 } }, shot = { { 0, 0 }, { 0, 20000 } }, cur;
	struct sigaction sa = { .sa_handler = on_sig, .sa_flags = SA_RESTART };
	sig_atomic_t want;
	unsigned round, left, i;
	time_t deadline;
	sigset_t none, timers, alrm_only;

	sigemptyset(&sa.sa_mask);
	sigemptyset(&none);
	sigemptyset(&timers);
	for (i = 0; i < 3; i++)
		sigaddset(&timers, sigs[i]);
	for (i = 0; i < 3; i++)
		zs_check(!sigaction(sigs[i], &sa, NULL), "sigaction: %s", strerror(errno));
	zs_check(!setitimer(ITIMER_VIRTUAL, &cpu, NULL) && !setitimer(ITIMER_PROF, &cpu, NULL),
		 "setitimer: %s", strerror(errno));
	/*
	 * SIGALRM only ever arrives inside sigsuspend(), so that no alarm is
	 * handled between the check and the wait (a racy wait could sleep
	 * for ever, here or after a restore that re-executes the sigsuspend).
	 */
	sigemptyset(&alrm_only);
	sigaddset(&alrm_only, SIGALRM);
	sigprocmask(SIG_BLOCK, &alrm_only, NULL);
	alarm(1000);
	zs_ready(getpid());

	for (round = 1; zs_more_blocking(&timers); round++) {
		/* The alarm and the one-shot share ITIMER_REAL: take it, give it back. */
		left = alarm(0);
		zs_check(left >= 1 && left <= 1000, "round %u: alarm(0) returned %u", round, left);
		want = alrm + 1;
		zs_check(!setitimer(ITIMER_REAL, &shot, NULL), "setitimer: %s", strerror(errno));
		while (alrm < want)
			sigsuspend(&none);
		alarm(left);
		/*
		 * Spin until both CPU timers ticked twice: 10 ms of CPU, far
		 * less than 5 s of wall time (time() is the vDSO's, no call).
		 */
		want = vtalrm + 2;
		i = prof + 2;
		deadline = time(NULL) + 5;
		while (vtalrm < want || prof < (sig_atomic_t)i)
			zs_check(time(NULL) <= deadline, "round %u: no tick of ITIMER_%s in 5 s", round,
				 vtalrm < want ? "VIRTUAL" : "PROF");
		zs_check(virtual_ok(round, &cur), "round %u: ITIMER_VIRTUAL %ld/%ld us", round,
			 usec(&cur.it_value), usec(&cur.it_interval));
		zs_check(!getitimer(ITIMER_REAL, &cur) && cur.it_interval.tv_sec == 0 &&
			 cur.it_value.tv_sec > 0 && cur.it_value.tv_sec <= 1000,
			 "round %u: ITIMER_REAL %lds left", round, (long)cur.it_value.tv_sec);
	}
	left = alarm(0);
	zs_check(left >= 1 && left <= 1000, "alarm(0) returned %u at the end", left);
	zdtm_say("itimer: ok, alarm, one-shot, virtual and prof timers kept running\n");
	return 65;
}
