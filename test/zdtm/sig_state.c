// SPDX-License-Identifier: GPL-2.0
/* sig_state: dispositions, the blocked mask, sigaltstack and a sigsuspend wait (with its temporary mask) survive a migration. */
#include <stdint.h>

#include "zdtm.h"

static char altstack[1 << 16];
static volatile sig_atomic_t usr2_count, usr2_on_alt, usr2_signo;

static void on_usr2(int sig, siginfo_t *si, void *uc)
{
	char here;

	usr2_count++;
	usr2_signo = si->si_signo;
	usr2_on_alt = &here >= altstack && &here < altstack + sizeof(altstack);
}

static void on_term(int sig)
{
}

/* Signals 1..64 only: glibc leaves the rest of a returned sa_mask undefined. */
static int same_set(const sigset_t *a, const sigset_t *b)
{
	int i;

	for (i = 1; i < 65; i++)
		if (sigismember(a, i) != sigismember(b, i))
			return 0;
	return 1;
}

static int same_action(const struct sigaction *a, const struct sigaction *b)
{
	return a->sa_handler == b->sa_handler && a->sa_flags == b->sa_flags &&
	       a->sa_restorer == b->sa_restorer && same_set(&a->sa_mask, &b->sa_mask);
}

int main(void)
{
	static const int sigs[] = { SIGUSR2, SIGHUP, SIGTERM, SIGCHLD };
	struct sigaction sa, before[4], after;
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) }, ss_before, ss_after;
	sigset_t block, waitmask, cur;
	unsigned i;

	zdtm_init();
	if (sigaltstack(&ss, NULL))
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr2;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaction(SIGUSR2, &sa, NULL);
	signal(SIGHUP, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sa.sa_flags = SA_NODEFER | SA_RESETHAND;
	sigaction(SIGTERM, &sa, NULL);
	for (i = 0; i < 4; i++)
		sigaction(sigs[i], NULL, &before[i]);
	sigaltstack(NULL, &ss_before);

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGQUIT);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_SETMASK, &block, NULL);
	/* sigsuspend swaps in this temporary mask; the real one must migrate. */
	sigfillset(&waitmask);
	sigdelset(&waitmask, SIGUSR1);

	zdtm_ready();
	while (!zdtm_go)
		sigsuspend(&waitmask);

	sigprocmask(SIG_BLOCK, NULL, &cur);
	if (!same_set(&cur, &block)) {
		zdtm_say("sig_state: FAIL blocked mask\n");
		return 1;
	}
	for (i = 0; i < 4; i++) {
		sigaction(sigs[i], NULL, &after);
		if (!same_action(&before[i], &after)) {
			zdtm_say("sig_state: FAIL disposition of %d\n", sigs[i]);
			return 1;
		}
	}
	sigaltstack(NULL, &ss_after);
	if (ss_after.ss_sp != ss_before.ss_sp || ss_after.ss_size != ss_before.ss_size ||
	    ss_after.ss_flags != ss_before.ss_flags) {
		zdtm_say("sig_state: FAIL sigaltstack\n");
		return 1;
	}
	raise(SIGUSR2);
	if (usr2_count != 1 || usr2_signo != SIGUSR2 || !usr2_on_alt) {
		zdtm_say("sig_state: FAIL SIGUSR2 count %d on altstack %d\n",
			 usr2_count, usr2_on_alt);
		return 1;
	}
	zdtm_say("sig_state: ok\n");
	return 46;
}
