// SPDX-License-Identifier: GPL-2.0
/*
 * kill_self: a signal a process sends itself is pending when the call
 * returns (POSIX: kill() of the caller's own pid).  With SIGUSR2 blocked,
 * each round sends it with kill(), raise() and sigqueue(), checks that
 * sigpending() shows it at once, and unblocks it: the handler runs then,
 * exactly once.  Migrated, kill, tgkill and rt_sigqueueinfo name home
 * pids and are forwarded; the signal goes to the deputy and is relayed.
 * Blocked, it cannot interrupt the forwarded call (a known limit, see
 * doc/forwarding.md), so only the order of reply and signal is tested.
 */
#include "zs.h"

static volatile sig_atomic_t got;

static void on_usr2(int sig)
{
	got++;
}

/* @what sent SIGUSR2 (blocked): pending now, handled once when unblocked. */
static void sent(const char *what, unsigned round, int r, const sigset_t *usr2)
{
	sigset_t pending;

	zs_check(r == 0, "round %u: %s: %s", round, what, strerror(errno));
	zs_check(!sigpending(&pending) && sigismember(&pending, SIGUSR2) && !got,
		 "round %u: %s returned, SIGUSR2 is not pending", round, what);
	sigprocmask(SIG_UNBLOCK, usr2, NULL);
	zs_check(got == 1, "round %u: %s: handler ran %d times once unblocked", round, what, (int)got);
	got = 0;
	sigprocmask(SIG_BLOCK, usr2, NULL);
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_usr2, .sa_flags = SA_RESTART };
	union sigval v = { .sival_int = 1 };
	unsigned round;
	sigset_t usr2;

	sigemptyset(&sa.sa_mask);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	zs_check(!sigaction(SIGUSR2, &sa, NULL), "sigaction: %s", strerror(errno));
	sigprocmask(SIG_BLOCK, &usr2, NULL);
	zs_ready(getpid());

	for (round = 1; zs_more(); round++) {
		sent("kill", round, kill(getpid(), SIGUSR2), &usr2);
		sent("raise", round, raise(SIGUSR2), &usr2);
		sent("sigqueue", round, sigqueue(getpid(), SIGUSR2, v), &usr2);
	}
	zdtm_say("kill_self: ok, a signal to itself is pending when the call returns\n");
	return 73;
}
