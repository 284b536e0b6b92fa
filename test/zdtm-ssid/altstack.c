// SPDX-License-Identifier: GPL-2.0
/*
 * altstack: handlers marked SA_ONSTACK run on the sigaltstack, before and
 * after the move: SIGSEGV from a store into a PROT_NONE page (the handler
 * opens the page and the store is retried) and SIGALRM from a periodic
 * ITIMER_REAL.  Outside a handler sigaltstack() reports the same stack,
 * not in use; inside, SS_ONSTACK.  Handlers cannot print: they count.
 */
#include "zs.h"

#include <sys/mman.h>
#include <sys/time.h>

#define ALT_SIZE (64 * 1024)

static char *alt, *page;
static volatile sig_atomic_t segvs, alrms, bad;

static int on_alt(void)
{
	char here;
	stack_t cur;

	return &here >= alt && &here < alt + ALT_SIZE && !sigaltstack(NULL, &cur) &&
	       cur.ss_flags == SS_ONSTACK && cur.ss_sp == alt;
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	segvs++;
	if (!on_alt() || si->si_addr != page || si->si_code != SEGV_ACCERR)
		bad |= 1;
	if (mprotect(page, 4096, PROT_READ | PROT_WRITE))
		_exit(9);
}

static void on_alrm(int sig, siginfo_t *si, void *uc)
{
	alrms++;
	if (!on_alt() || si->si_signo != SIGALRM)
		bad |= 2;
}

static void handle(int sig, void (*fn)(int, siginfo_t *, void *))
{
	struct sigaction sa = { .sa_sigaction = fn, .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART };

	sigemptyset(&sa.sa_mask);
	zs_check(!sigaction(sig, &sa, NULL), "sigaction %d: %s", sig, strerror(errno));
}

int main(void)
{
	struct itimerval it = { { 0, 7000 }, { 0, 7000 } };
	stack_t ss = { .ss_size = ALT_SIZE }, cur;
	sig_atomic_t want;
	sigset_t none, alrm;
	unsigned round;

	alt = mmap(NULL, ALT_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	zs_check(alt != MAP_FAILED && page != MAP_FAILED, "mmap: %s", strerror(errno));
	ss.ss_sp = alt;
	zs_check(!sigaltstack(&ss, NULL), "sigaltstack: %s", strerror(errno));
	handle(SIGSEGV, on_segv);
	handle(SIGALRM, on_alrm);
	zs_check(!setitimer(ITIMER_REAL, &it, NULL), "setitimer: %s", strerror(errno));
	sigemptyset(&none);
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	zs_ready(getpid());

	for (round = 1; zs_more_blocking(&alrm); round++) {
		zs_check(!mprotect(page, 4096, PROT_NONE), "mprotect: %s", strerror(errno));
		want = segvs + 1;
		*(volatile unsigned *)page = round;
		zs_check(segvs == want && *(volatile unsigned *)page == round,
			 "round %u: store after SIGSEGV: %d faults, wanted %d", round, (int)segvs, (int)want);
		want = alrms + 2;
		while (alrms < want)
			sigsuspend(&none);
		zs_check(!sigaltstack(NULL, &cur) && cur.ss_sp == alt && cur.ss_size == ALT_SIZE &&
			 cur.ss_flags == 0, "round %u: sigaltstack outside a handler: %p %zu %#x",
			 round, cur.ss_sp, cur.ss_size, cur.ss_flags);
		zs_check(!bad, "round %u: a handler saw the wrong stack or siginfo (%#x)", round, (int)bad);
	}
	it = (struct itimerval){ { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &it, NULL);
	zdtm_say("altstack: ok, SIGSEGV and SIGALRM handled on the alternate stack\n");
	return 64;
}
