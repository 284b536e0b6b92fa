// SPDX-License-Identifier: GPL-2.0
/*
 * sa_restart: a periodic ITIMER_REAL delivers SIGALRM during a futex wait
 * (a local blocking call; intr_fwd does the same with forwarded ones).  Even rounds: the handler has SA_RESTART
 * and sets the futex word, so the wait is restarted and ends in EAGAIN,
 * never EINTR.  Odd rounds: the handler has no SA_RESTART and leaves the
 * word alone, so only EINTR can end the wait.  The handler, its flags
 * and the armed timer must all survive the move.
 */
#include "zs.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <sys/time.h>

static volatile int word;
static volatile sig_atomic_t ticks;

static void on_alrm_restart(int sig)
{
	ticks++;
	word = 1;
}

static void on_alrm_plain(int sig)
{
	ticks++;
}

static void handle(void (*fn)(int), int flags)
{
	struct sigaction sa = { .sa_handler = fn, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	zs_check(!sigaction(SIGALRM, &sa, NULL), "sigaction: %s", strerror(errno));
}

static long futex_wait(void)
{
	return syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
}

int main(void)
{
	struct itimerval it = { { 0, 5000 }, { 0, 5000 } };
	unsigned round;
	sigset_t alrm;
	long r;

	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);

	handle(on_alrm_restart, SA_RESTART);
	zs_check(!setitimer(ITIMER_REAL, &it, NULL), "setitimer: %s", strerror(errno));
	zs_ready(getpid());

	for (round = 0; zs_more_blocking(&alrm); round++) {
		if (round % 2 == 0) {
			word = 0;
			do {
				r = futex_wait();
				zs_check(r == 0 || errno == EAGAIN,
					 "round %u: futex wait ended with %s under SA_RESTART",
					 round, strerror(errno));
			} while (!word);
			continue;
		}
		/*
		 * The handler first, then the word: a tick between the two
		 * the other way round runs the restarting handler, which sets
		 * the word, and the wait ends in EAGAIN (seen after a move,
		 * where a loaded node makes that window longer).
		 */
		handle(on_alrm_plain, 0);
		word = 0;
		r = futex_wait();
		zs_check(r < 0 && errno == EINTR, "round %u: futex wait returned %ld (%s), not EINTR",
			 round, r, strerror(errno));
		zs_check(!word, "round %u: the word changed", round);
		handle(on_alrm_restart, SA_RESTART);
	}
	it = (struct itimerval){ { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &it, NULL);
	zs_check((unsigned)ticks >= round, "%d ticks in %u rounds", (int)ticks, round);
	zdtm_say("sa_restart: ok, restarted under SA_RESTART, EINTR without\n");
	return 63;
}
