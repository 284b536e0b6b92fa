// SPDX-License-Identifier: GPL-2.0
/*
 * stub.c - the deputy stub: what a migrated process's home task runs.
 *
 * Built freestanding and position-independent into a flat blob
 * (stub.lds) that ssi.ko embeds, maps into the home task after the dump
 * and enters (entry contract in deputy_proto.h).  It has no writable data
 * and no relocations: its state lives on its own stack, and the FS base
 * points at it so that signal handlers find the channel.
 *
 * It only does what ssid tells it: run one system call, exit, die of a
 * signal, or start one more deputy thread.  Every decision (which calls, which arguments) is ssid's, which
 * validates requests from the remote node before they get here.
 */
#include <linux/types.h>
#include <asm/unistd.h>
#include <asm/prctl.h>
#include <asm/signal.h>
#include <asm/siginfo.h>
#include <asm/sigcontext.h>
#include <asm/ucontext.h>
#include <linux/resource.h>
#include <linux/sched.h>
#include <linux/socket.h>

#include "deputy_proto.h"

#define HIGH_FD_MAX	(1L << 20)	/* the kernel's fs.nr_open ceiling */

struct stub_state {
	struct stub_state *self;	/* at %fs:0 */
	long chan;
};

struct k_sigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	unsigned long mask;
};

#define SA_SIGINFO_	0x00000004
#define SA_RESTORER_	0x04000000
#define SA_RESTART_	0x10000000
#define SIG_DFL_	((void *)0)
#define MSG_NOSIGNAL_	0x4000
#define O_CLOEXEC_	02000000
#define EINTR_		4

static inline long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile ("syscall"
			  : "=a"(ret)
			  : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			  : "rcx", "r11", "memory");
	return ret;
}

#define sys1(n, a)		sys6(n, (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b)		sys6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c)	sys6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d)	sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

/* gcc may emit calls to these even when freestanding. */
void *memset(void *s, int c, unsigned long n);
void *memset(void *s, int c, unsigned long n)
{
	unsigned char *p = s;

	while (n--)
		*p++ = (unsigned char)c;
	return s;
}

void *memcpy(void *d, const void *s, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

static struct stub_state *state(void)
{
	struct stub_state *st;

	__asm__ volatile ("movq %%fs:0, %0" : "=r"(st));
	return st;
}

static void send_event(long chan, __u32 type, __u64 seq, __s64 value, const void *info)
{
	struct ssi_dep_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.magic = SSI_DEP_MAGIC;
	ev.type = type;
	ev.seq = seq;
	ev.value = value;
	if (info)
		memcpy(ev.siginfo, info, sizeof(ev.siginfo));
	sys6(__NR_sendto, chan, (long)&ev, sizeof(ev), MSG_NOSIGNAL_, 0, 0);
}

/*
 * The forwarded call's syscall instruction, alone in its own function so
 * that the cancel handler can tell "interrupted in the forwarded call" from
 * any other syscall by the saved instruction pointer.
 */
static __attribute__((noinline)) long fwd_syscall(const struct ssi_dep_cmd *cmd)
{
	register long r10 __asm__("r10") = (long)cmd->args[3];
	register long r8 __asm__("r8") = (long)cmd->args[4];
	register long r9 __asm__("r9") = (long)cmd->args[5];
	long ret;

	__asm__ volatile (".globl stub_fwd_insn\n\t.hidden stub_fwd_insn\n"
			  "stub_fwd_insn:\n\tsyscall"
			  : "=a"(ret)
			  : "a"((long)cmd->nr), "D"((long)cmd->args[0]), "S"((long)cmd->args[1]),
			    "d"((long)cmd->args[2]), "r"(r10), "r"(r8), "r"(r9)
			  : "rcx", "r11", "memory");
	return ret;
}

/* The kernel returns from a handler through this (SA_RESTORER). */
__attribute__((naked)) static void stub_restorer(void)
{
	__asm__ volatile ("mov $%c0, %%eax\n\tsyscall\n\thlt" : : "i"(__NR_rt_sigreturn));
}

/*
 * ssid's cancel: with SA_RESTART the kernel has already rewound a call it
 * restarts (ip back on the syscall instruction, ax = the syscall number),
 * and a call interrupted before it started looks the same.  Make it
 * return -ERESTARTSYS instead: the remote node restarts it, or not, as its
 * own kernel decides.  Anything else is left alone.
 */
static void cancel(struct ucontext *uc)
{
	struct sigcontext *mc = &uc->uc_mcontext;
	unsigned long insn;

	/* where the blob is mapped now: the link-time address is 0-based */
	__asm__ ("lea stub_fwd_insn(%%rip), %0" : "=r"(insn));
	if (mc->rip != insn)
		return;
	mc->rax = (__u64)-SSI_DEP_ERESTARTSYS;
	mc->rip += 2;		/* past the syscall instruction */
}

/* Every catchable signal sent to the home pid goes to ssid. */
static void on_signal(int sig, siginfo_t *info, struct ucontext *uc)
{
	if (sig == SSI_DEP_CANCEL_SIG && info->si_code == SI_QUEUE &&
	    info->si_int == (int)SSI_DEP_MAGIC) {
		cancel(uc);
		return;
	}
	send_event(state()->chan, SSI_DEP_SIGNAL, 0, sig, info);
}

static __attribute__((noreturn)) void die(long sig)
{
	struct k_sigaction sa;
	struct rlimit64 nocore = { 0, 0 };
	unsigned long none = 0;
	long pid;

	/* Die of @sig as the remote did, without leaving a core file here. */
	memset(&sa, 0, sizeof(sa));
	sa.handler = SIG_DFL_;
	sys4(__NR_rt_sigaction, sig, &sa, 0, 8);
	sys4(__NR_prlimit64, 0, RLIMIT_CORE, &nocore, 0);
	sys4(__NR_rt_sigprocmask, SIG_SETMASK, &none, 0, 8);
	pid = sys1(__NR_getpid, 0);
	sys3(__NR_tgkill, pid, sys1(__NR_gettid, 0), sig);
	/* Not fatal by default (cannot be the remote's cause of death). */
	for (;;)
		sys1(__NR_exit_group, 128 + (sig & 127));
}

__attribute__((section(".text.entry"), used, noreturn))
void stub_entry(long chan, long area, long area_len, long index);

/*
 * SPAWN: a thread of the deputy for a thread the remote process created.
 * It enters stub_entry on its own stack as the module starts the others
 * (deputy_proto.h); its arguments ride in callee-saved registers, which
 * the clone keeps.  Every signal is blocked across the clone, so the new
 * thread takes none before it has its own state (FS base, channel):
 * stub_entry unblocks them once its handlers are in place.
 */
static long spawn(const struct ssi_dep_cmd *cmd)
{
	const unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
				    CLONE_THREAD | CLONE_SYSVSEM;
	unsigned long all = ~0UL, old = 0, top;
	long ret;

	if ((long)cmd->args[0] < 0 || (long)cmd->args[3] < 0 || cmd->args[5] < 4096 ||
	    cmd->args[4] + cmd->args[5] < cmd->args[4])
		return -22;
	/* 16-byte aligned top minus 8, as if stub_entry had been called */
	top = ((cmd->args[4] + cmd->args[5]) & ~15UL) - 8;
	sys4(__NR_rt_sigprocmask, SIG_SETMASK, &all, &old, 8);
	{
	/* declared here: the syscall above uses r10 for its own argument */
	register long r12 __asm__("r12") = (long)cmd->args[0];
	register long r13 __asm__("r13") = (long)cmd->args[1];
	register long r14 __asm__("r14") = (long)cmd->args[2];
	register long r15 __asm__("r15") = (long)cmd->args[3];
	register long r10 __asm__("r10") = 0;
	register long r8 __asm__("r8") = 0;

	__asm__ volatile ("syscall\n\t"
			  "test %%rax, %%rax\n\t"
			  "jnz 1f\n\t"
			  "mov %%r12, %%rdi\n\t"
			  "mov %%r13, %%rsi\n\t"
			  "mov %%r14, %%rdx\n\t"
			  "mov %%r15, %%rcx\n\t"
			  "jmp stub_entry\n"
			  "1:"
			  : "=a"(ret)
			  : "a"((long)__NR_clone), "D"(flags), "S"(top), "d"(0L), "r"(r10),
			    "r"(r8), "r"(r12), "r"(r13), "r"(r14), "r"(r15)
			  : "rcx", "r11", "memory");
	}
	sys4(__NR_rt_sigprocmask, SIG_SETMASK, &old, 0, 8);
	return ret;
}

void stub_entry(long chan, long area, long area_len, long index)
{
	struct stub_state st;
	struct k_sigaction sa;
	struct ssi_dep_cmd cmd;
	struct rlimit64 rl;
	unsigned long none = 0;
	long sig, high, n;

	(void)area;
	(void)area_len;
	st.self = &st;
	st.chan = chan;
	sys2(__NR_arch_prctl, ARCH_SET_FS, &st);

	/*
	 * Move the channel out of the way of the process's own fd numbers:
	 * thread @index of the deputy takes the @index-th highest fd.
	 */
	if (!sys4(__NR_prlimit64, 0, RLIMIT_NOFILE, 0, &rl)) {
		high = (rl.rlim_cur > (__u64)HIGH_FD_MAX ? HIGH_FD_MAX : (long)rl.rlim_cur) -
		       1 - index;
		if (high > chan && sys3(__NR_dup3, chan, high, O_CLOEXEC_) == high) {
			sys1(__NR_close, chan);
			st.chan = high;
		}
	}

	memset(&sa, 0, sizeof(sa));
	sa.handler = (void *)on_signal;
	sa.flags = SA_SIGINFO_ | SA_RESTORER_ | SA_RESTART_;
	sa.restorer = (void *)stub_restorer;
	for (sig = 1; sig <= 64; sig++)
		if (sig != 9 && sig != 19)	/* SIGKILL, SIGSTOP */
			sys4(__NR_rt_sigaction, sig, &sa, 0, 8);
	sys4(__NR_rt_sigprocmask, SIG_SETMASK, &none, 0, 8);

	send_event(st.chan, SSI_DEP_READY, 0, st.chan, 0);
	for (;;) {
		n = sys6(__NR_recvfrom, st.chan, (long)&cmd, sizeof(cmd), 0, 0, 0);
		if (n == -EINTR_)
			continue;
		if (n <= 0)
			die(9);	/* ssid is gone: end as if SIGKILLed */
		if (n != sizeof(cmd) || cmd.magic != SSI_DEP_MAGIC) {
			send_event(st.chan, SSI_DEP_ERROR, 0, -22, 0);
			continue;
		}
		switch (cmd.op) {
		case SSI_DEP_SYSCALL:
			n = fwd_syscall(&cmd);
			send_event(st.chan, SSI_DEP_RESULT, cmd.seq, n, 0);
			break;
		case SSI_DEP_EXIT:
			for (;;)
				sys1(__NR_exit_group, cmd.value);
		case SSI_DEP_EXIT_THREAD:
			/* the channel's number is free again for the process */
			sys1(__NR_close, st.chan);
			for (;;)
				sys1(__NR_exit, 0);
		case SSI_DEP_SPAWN:
			send_event(st.chan, SSI_DEP_RESULT, cmd.seq, spawn(&cmd), 0);
			break;
		case SSI_DEP_KILL:
			if (cmd.value > 0 && cmd.value <= 64)
				die(cmd.value);
			send_event(st.chan, SSI_DEP_ERROR, cmd.seq, -22, 0);
			break;
		default:
			send_event(st.chan, SSI_DEP_ERROR, cmd.seq, -22, 0);
			break;
		}
	}
}
