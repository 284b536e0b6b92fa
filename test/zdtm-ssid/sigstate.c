// SPDX-License-Identifier: GPL-2.0
/*
 * sigstate WHAT: the signal state of the process and of its threads
 * reads the same after the move, and signals still arrive as they did.
 *   mask     the main thread and a second one each block a set of their
 *            own (standard signals, realtime ones, numbers above 32; the
 *            second thread all it may but two): every round both read
 *            their mask back, in step, and find nothing pending.  The
 *            mask is per thread: a restore that gave every thread the
 *            leader's, or the helper's own, shows here.
 *   actions  every signal a process may catch (1..64 but SIGKILL,
 *            SIGSTOP and glibc's 32 and 33) gets a handler (plain or
 *            SA_SIGINFO), SIG_IGN or SIG_DFL, with flags and an sa_mask
 *            that vary from one signal to the next: every round
 *            sigaction() reads each back, restorer included, and
 *            sigaltstack() the stack SA_ONSTACK means.
 *   deliver  every round sigqueue()s SIGUSR1 and three SIGRTMIN+3 to its
 *            own pid while it blocks them, then waits in sigsuspend():
 *            the handlers see SIGUSR1 first, then the realtime ones in
 *            the order they were sent (the kernel's order, whenever each
 *            arrives), each with SI_QUEUE, its own pid and uid and the
 *            value sent; then two SIGRTMIN+4 queued to the thread itself.
 *            Once it has moved, these calls run at home and the signals
 *            come back through ssid.
 *   pending  SIGUSR1, SIGTERM and SIGCHLD (kill()), SIGUSR2 and two
 *            SIGRTMIN+1 (sigqueue(), with values), blocked and left at
 *            their default actions (most of which
 *            kill), are sent to the process once; they stay pending
 *            through every round and every move.  At the end the main
 *            thread takes each with its code, sender and value, the
 *            realtime ones as many as sent, in order.  A restore that
 *            let a thread see one unblocked, for a moment, under the
 *            image's dispositions would kill the process.  One thread: a
 *            deputy of several relays what it holds through whichever of
 *            its threads catches each, out of order (doc/state.md).
 */
#include "zs.h"

#include <pthread.h>

#ifndef SA_RESTORER
#define SA_RESTORER	0x04000000	/* glibc sets it, the kernel reports it */
#endif

#define NSIG_K		64	/* the kernel's signals: what sigset_t holds of them */


/* Signals no process may catch or block, and the two glibc keeps. */
static int reserved(int sig)
{
	return sig == SIGKILL || sig == SIGSTOP || sig == 32 || sig == 33;
}

/* The first of 1..64 where @a and @b differ; 0 if none. */
static int sigset_diff(const sigset_t *a, const sigset_t *b)
{
	int sig;

	for (sig = 1; sig <= NSIG_K; sig++)
		if (sigismember(a, sig) != sigismember(b, sig))
			return sig;
	return 0;
}

/* --- mask --------------------------------------------------------------- */

static sigset_t mask_want[2];	/* [0]: the main thread, [1]: the other */

/*
 * What thread @who blocks: the main thread a few of each kind, the other
 * all but SIGUSR1 and SIGRTMIN+3 (glibc leaves out 32 and 33, the
 * kernel SIGKILL and SIGSTOP: checked too, against what was asked).
 */
static void mask_set(int who)
{
	sigset_t s, got;
	int sig;

	if (!who) {
		sigemptyset(&s);
		sigaddset(&s, SIGUSR1);
		sigaddset(&s, SIGPIPE);
		sigaddset(&s, SIGTERM);
		sigaddset(&s, SIGRTMIN + 3);
		sigaddset(&s, 40);
		sigaddset(&s, 50);
		sigaddset(&s, SIGRTMAX);
	} else {
		sigfillset(&s);
		sigdelset(&s, SIGUSR1);
		sigdelset(&s, SIGRTMIN + 3);
	}
	/* SETMASK: the other thread starts with the main thread's */
	zs_check(!pthread_sigmask(SIG_SETMASK, &s, NULL), "pthread_sigmask");
	zs_check(!pthread_sigmask(SIG_BLOCK, NULL, &got), "pthread_sigmask read");
	for (sig = 1; sig <= NSIG_K; sig++)
		zs_check(sigismember(&got, sig) == (sigismember(&s, sig) && !reserved(sig)),
			 "thread %d: signal %d %sblocked at setup", who, sig,
			 sigismember(&got, sig) ? "" : "not ");
	mask_want[who] = got;
}

static void mask_check(int who)
{
	sigset_t cur, pend;
	int sig;

	zs_check(!pthread_sigmask(SIG_BLOCK, NULL, &cur), "pthread_sigmask read");
	sig = sigset_diff(&cur, &mask_want[who]);
	zs_check(!sig, "round %d, thread %d: signal %d is %sblocked, was %s", zs_round, who,
		 sig, sigismember(&cur, sig) ? "" : "not ",
		 sigismember(&cur, sig) ? "not" : "blocked");
	zs_check(!sigpending(&pend), "sigpending: %s", strerror(errno));
	sigemptyset(&cur);
	sig = sigset_diff(&pend, &cur);
	zs_check(!sig, "round %d, thread %d: signal %d pending", zs_round, who, sig);
}


static void run_mask(void)
{
	zs_in_step(2, mask_set, mask_check);
	zs_in_step_join();
	zdtm_say("sigstate mask: the same in both threads in every round\n");
}

/* --- actions ------------------------------------------------------------ */

#define ALT_SIZE	(64 * 1024)

static struct sigaction act_want[NSIG_K + 1];
static char altstack[ALT_SIZE];

/* Never run: nobody sends these signals.  Distinct, so each is told apart. */
static void on_plain(int sig)
{
}

static void on_info(int sig, siginfo_t *si, void *uc)
{
}

/*
 * Signal @sig's action: the handler kind goes round with the number, the
 * flags and sa_mask vary with it.  Faults a handler could not cure
 * (SIGSEGV and the like, should one really happen) get SA_RESETHAND: the
 * second one kills the process instead of looping.
 */
static void act_build(int sig, struct sigaction *sa)
{
	static const int flag_bits[] = { SA_RESTART, SA_NODEFER, SA_RESETHAND, SA_ONSTACK };
	int i, s;

	memset(sa, 0, sizeof(*sa));
	switch (sig % 4) {
	case 0:
		sa->sa_handler = on_plain;
		break;
	case 1:
		sa->sa_sigaction = on_info;
		sa->sa_flags = SA_SIGINFO;
		break;
	case 2:
		sa->sa_handler = SIG_IGN;
		break;
	default:
		sa->sa_handler = SIG_DFL;
	}
	for (i = 0; i < 4; i++)
		if ((sig * 5 + 3) >> i & 1)
			sa->sa_flags |= flag_bits[i];
	if (sig == SIGCHLD)
		sa->sa_flags |= SA_NOCLDSTOP;
	if ((sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
	     sig == SIGTRAP || sig == SIGSYS) && sig % 4 < 2)
		sa->sa_flags |= SA_RESETHAND;
	sigemptyset(&sa->sa_mask);
	for (s = 1; s <= NSIG_K; s++)
		if (!reserved(s) && (s * 7 + sig) % 5 == 0)
			sigaddset(&sa->sa_mask, s);
}

static void act_check(int sig, const struct sigaction *want, const char *when)
{
	struct sigaction old;
	int s;

	memset(&old, 0, sizeof(old));
	zs_check(!sigaction(sig, NULL, &old), "%s: sigaction %d: %s", when, sig,
		 strerror(errno));
	zs_check(old.sa_handler == want->sa_handler, "%s: signal %d: another handler", when,
		 sig);
	zs_check((old.sa_flags & ~SA_RESTORER) == (want->sa_flags & ~SA_RESTORER),
		 "%s: signal %d: flags %#x, set %#x", when, sig, old.sa_flags & ~SA_RESTORER,
		 want->sa_flags & ~SA_RESTORER);
	s = sigset_diff(&old.sa_mask, &want->sa_mask);
	zs_check(!s, "%s: signal %d: sa_mask %s signal %d", when, sig,
		 sigismember(&old.sa_mask, s) ? "gained" : "lost", s);
	/* glibc's sigreturn trampoline, in the process's own memory */
	zs_check(!want->sa_restorer || old.sa_restorer == want->sa_restorer,
		 "%s: signal %d: another sa_restorer", when, sig);
}

static void run_actions(void)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = ALT_SIZE }, cur;
	struct sigaction sa;
	char when[32];
	int sig;

	zs_check(!sigaltstack(&ss, NULL), "sigaltstack: %s", strerror(errno));
	for (sig = 1; sig <= NSIG_K; sig++) {
		if (reserved(sig))
			continue;
		act_build(sig, &sa);
		zs_check(!sigaction(sig, &sa, NULL), "sigaction %d: %s", sig, strerror(errno));
		act_check(sig, &sa, "setup");
		/* what the kernel holds: with glibc's SA_RESTORER and restorer */
		zs_check(!sigaction(sig, NULL, &act_want[sig]), "sigaction %d", sig);
	}
	zs_ready(getpid());
	while (zs_more()) {
		zs_round++;
		snprintf(when, sizeof(when), "round %d", zs_round);
		for (sig = 1; sig <= NSIG_K; sig++)
			if (!reserved(sig))
				act_check(sig, &act_want[sig], when);
		zs_check(!sigaltstack(NULL, &cur) && cur.ss_sp == altstack &&
			 cur.ss_size == ALT_SIZE && cur.ss_flags == 0,
			 "round %d: sigaltstack: another stack, or flags %#x", zs_round,
			 cur.ss_flags);
		usleep(20000);
	}
	zdtm_say("sigstate actions: every signal's action the same in every round\n");
}

/* --- deliver ------------------------------------------------------------ */

#define NREC	8

struct rec {
	int signo, code, value;
	pid_t pid;
	uid_t uid;
};

static struct rec rec[NREC];
static volatile sig_atomic_t nrec;

static void on_deliver(int sig, siginfo_t *si, void *uc)
{
	if (nrec < NREC)
		rec[nrec] = (struct rec){ si->si_signo, si->si_code, si->si_value.sival_int,
					  si->si_pid, si->si_uid };
	nrec++;
}

/* Unblocked in sigsuspend() until @n signals came; then what came. */
static void deliver_wait(const sigset_t *open, int n, const int *signo, const int *value,
			 pid_t pid, const char *what)
{
	int i;

	while (nrec < n)
		sigsuspend(open);
	zs_check(nrec == n, "round %d, %s: %d signals, sent %d", zs_round, what, nrec, n);
	for (i = 0; i < n; i++) {
		zs_check(rec[i].signo == signo[i] && rec[i].value == value[i],
			 "round %d, %s: signal %d came %d with value %d, sent %d with %d",
			 zs_round, what, i, rec[i].signo, rec[i].value, signo[i], value[i]);
		zs_check(rec[i].code == SI_QUEUE, "round %d, %s: signal %d has si_code %d",
			 zs_round, what, i, rec[i].code);
		zs_check(rec[i].pid == pid && rec[i].uid == getuid(),
			 "round %d, %s: signal %d from pid %d uid %d, not %d %d", zs_round,
			 what, i, (int)rec[i].pid, (int)rec[i].uid, (int)pid, (int)getuid());
	}
	nrec = 0;
}

static void run_deliver(void)
{
	struct sigaction sa = { .sa_sigaction = on_deliver, .sa_flags = SA_SIGINFO | SA_RESTART };
	int rt3 = SIGRTMIN + 3, rt4 = SIGRTMIN + 4;
	int proc_sig[4] = { SIGUSR1, rt3, rt3, rt3 }, thr_sig[2] = { rt4, rt4 };
	int proc_val[4], thr_val[2], i;
	sigset_t ours, open;
	pid_t pid = getpid();

	sigemptyset(&ours);
	sigaddset(&ours, SIGUSR1);
	sigaddset(&ours, rt3);
	sigaddset(&ours, rt4);
	/*
	 * Each handler blocks all three: one runs at a time, in the order the
	 * kernel takes them, not nested in the reverse order.
	 */
	sa.sa_mask = ours;
	zs_check(!sigaction(SIGUSR1, &sa, NULL) && !sigaction(rt3, &sa, NULL) &&
		 !sigaction(rt4, &sa, NULL), "sigaction: %s", strerror(errno));
	/* blocked but in sigsuspend(), where @open lets them in */
	zs_check(!sigprocmask(SIG_BLOCK, &ours, &open), "sigprocmask");
	sigdelset(&open, SIGUSR1);
	sigdelset(&open, rt3);
	sigdelset(&open, rt4);
	zs_ready(pid);
	while (zs_more()) {
		zs_round++;
		zs_check(getpid() == pid, "round %d: getpid() %d, was %d", zs_round,
			 (int)getpid(), (int)pid);
		/* for the process: the lowest number first, realtime in FIFO order */
		for (i = 0; i < 4; i++) {
			union sigval v = { .sival_int = zs_round * 16 + i };

			proc_val[i] = v.sival_int;
			zs_check(!sigqueue(pid, proc_sig[i], v), "round %d: sigqueue %d: %s",
				 zs_round, proc_sig[i], strerror(errno));
		}
		deliver_wait(&open, 4, proc_sig, proc_val, pid, "sigqueue");
		/* for this thread (rt_tgsigqueueinfo) */
		for (i = 0; i < 2; i++) {
			union sigval v = { .sival_int = zs_round * 16 + 8 + i };

			thr_val[i] = v.sival_int;
			zs_check(!pthread_sigqueue(pthread_self(), rt4, v),
				 "round %d: pthread_sigqueue: refused", zs_round);
		}
		deliver_wait(&open, 2, thr_sig, thr_val, pid, "pthread_sigqueue");
		usleep(20000);
	}
	zdtm_say("sigstate deliver: every queued signal came in order with its value "
		 "in every round\n");
}

/* What run_pending() queues on the process, in the order they come out. */
static const struct {
	int sig, code, value;
} pending_sent[] = {
	{ SIGUSR1, SI_USER, 0 },
	{ SIGUSR2, SI_QUEUE, 12 },
	{ SIGTERM, SI_USER, 0 },
	{ SIGCHLD, SI_USER, 0 },
	{ 0, SI_QUEUE, 1 },		/* SIGRTMIN + 1, twice, in order */
	{ 0, SI_QUEUE, 2 },
};
#define NR_PENDING	(int)(sizeof(pending_sent) / sizeof(pending_sent[0]))

static int pending_sig(int i)
{
	return pending_sent[i].sig ?: SIGRTMIN + 1;
}

static void run_pending(void)
{
	struct timespec zero = { 0, 0 };
	sigset_t set, pend;
	siginfo_t si;
	int i, sig;

	sigemptyset(&set);
	for (i = 0; i < NR_PENDING; i++)
		sigaddset(&set, pending_sig(i));
	zs_check(!sigprocmask(SIG_BLOCK, &set, NULL), "sigprocmask");
	for (i = 0; i < NR_PENDING; i++) {
		sig = pending_sig(i);
		if (pending_sent[i].code == SI_USER)
			zs_check(!kill(getpid(), sig), "kill %d: %s", sig, strerror(errno));
		else
			zs_check(!sigqueue(getpid(), sig,
					   (union sigval){ .sival_int = pending_sent[i].value }),
				 "sigqueue %d: %s", sig, strerror(errno));
	}
	zs_ready(getpid());
	while (zs_more()) {
		zs_round++;
		zs_check(!sigpending(&pend), "sigpending");
		for (i = 0; i < NR_PENDING; i++)
			zs_check(sigismember(&pend, pending_sig(i)),
				 "round %d: signal %d not pending", zs_round, pending_sig(i));
		usleep(20000);
	}
	/* the lowest number first, a realtime one's instances in order */
	for (i = 0; i < NR_PENDING; i++) {
		memset(&si, 0, sizeof(si));
		sig = sigtimedwait(&set, &si, &zero);
		zs_check(sig == pending_sig(i) && si.si_code == pending_sent[i].code &&
			 si.si_pid == getpid() && si.si_uid == getuid() &&
			 (si.si_code != SI_QUEUE ||
			  si.si_value.sival_int == pending_sent[i].value),
			 "signal %d: got %d code %d pid %d value %d", pending_sig(i), sig,
			 si.si_code, (int)si.si_pid, si.si_value.sival_int);
	}
	zs_check(sigtimedwait(&set, NULL, &zero) < 0 && errno == EAGAIN,
		 "a signal pending twice");
	zdtm_say("sigstate pending: standard and realtime signals pending through every "
		 "round, then taken in order with their siginfo\n");
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";

	if (!strcmp(what, "mask"))
		run_mask();
	else if (!strcmp(what, "actions"))
		run_actions();
	else if (!strcmp(what, "deliver"))
		run_deliver();
	else if (!strcmp(what, "pending"))
		run_pending();
	else
		zs_fail("usage: sigstate mask|actions|deliver|pending");
	return 0;
}
