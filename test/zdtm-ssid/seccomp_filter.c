// SPDX-License-Identifier: GPL-2.0
/*
 * seccomp_filter: a process's own seccomp filters, installed at two
 * moments before the move, stay in force after it with their meaning:
 *   the older: dup(0x5eed) -> EPERM; getpgid(MAGIC) -> E2BIG;
 *   the newer: getpriority(0x77, ...) -> SIGSYS (RET_TRAP, data 0x42);
 *              getpgid(MAGIC) -> ENOTTY: both filters match, the
 *              newest's errno wins;
 * and every other call works as before.  The SIGSYS carries si_code
 * SYS_SECCOMP, si_syscall, si_arch and the filter's data in si_errno.
 * PR_GET_SECCOMP says 2 and no_new_privs stays set.  /proc/self/status
 * counts 2 filters at home; away it counts ssid's own too (3): a known
 * difference (doc/state.md).
 *
 * "threads": the same in 4 threads in step; the older filter is
 * inherited by the threads made after it, the newer installed with
 * SECCOMP_FILTER_FLAG_TSYNC by the last thread on all of them.
 */
#include "zs.h"

#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#define DUP_ARG		0x5eed
#define PGID_MAGIC	0x7fff1234
#define PRIO_ARG	0x77
#define TRAP_DATA	0x42
#define NTHREADS	4

#define LD(off)		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define NR		offsetof(struct seccomp_data, nr)
#define ARG0		offsetof(struct seccomp_data, args[0])
#define JEQ(k, t, f)	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define RET(k)		BPF_STMT(BPF_RET | BPF_K, (k))

static struct sock_filter older[] = {
	LD(NR),
	JEQ(__NR_dup, 0, 3),
	LD(ARG0),
	JEQ(DUP_ARG, 0, 5),
	RET(SECCOMP_RET_ERRNO | EPERM),
	JEQ(__NR_getpgid, 0, 3),
	LD(ARG0),
	JEQ(PGID_MAGIC, 0, 1),
	RET(SECCOMP_RET_ERRNO | E2BIG),
	RET(SECCOMP_RET_ALLOW),
};

static struct sock_filter newer[] = {
	LD(NR),
	JEQ(__NR_getpriority, 0, 3),
	LD(ARG0),
	JEQ(PRIO_ARG, 0, 5),
	RET(SECCOMP_RET_TRAP | TRAP_DATA),
	JEQ(__NR_getpgid, 0, 3),
	LD(ARG0),
	JEQ(PGID_MAGIC, 0, 1),
	RET(SECCOMP_RET_ERRNO | ENOTTY),
	RET(SECCOMP_RET_ALLOW),
};

static __thread volatile int sys_seen;
static __thread siginfo_t sys_info;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	sys_info = *si;
	sys_seen++;
}

static void install(struct sock_filter *f, unsigned short len, unsigned int flags)
{
	struct sock_fprog p = { len, f };

	zs_check(!syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &p),
		 "installing a filter: %s", strerror(errno));
}

/* "Seccomp_filters:" of /proc/self/status, -1 if none */
static int filters_counted(void)
{
	char buf[4096], *p;
	int fd = open("/proc/self/status", O_RDONLY), n = -1;
	size_t len;

	zs_check(fd >= 0, "/proc/self/status: %s", strerror(errno));
	len = zs_read_to_eof(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[len] = '\0';
	p = strstr(buf, "\nSeccomp_filters:");
	if (p)
		n = atoi(p + 17);
	return n;
}

/* Every call the filters touch, and some they do not: in each thread. */
static void check(int who)
{
	int fd, n;

	errno = 0;
	zs_check(syscall(SYS_dup, DUP_ARG) == -1 && errno == EPERM,
		 "thread %d: dup(0x5eed) gives errno %d, not EPERM", who, errno);
	errno = 0;
	zs_check(syscall(SYS_dup, DUP_ARG + 1) == -1 && errno == EBADF,
		 "thread %d: dup of a closed fd gives errno %d, not EBADF", who, errno);
	errno = 0;
	zs_check(syscall(SYS_getpgid, PGID_MAGIC) == -1 && errno == ENOTTY,
		 "thread %d: getpgid(MAGIC) gives errno %d, not the newest filter's ENOTTY",
		 who, errno);
	zs_check(syscall(SYS_getpgid, 0) == getpgrp(), "thread %d: getpgid(0)", who);
	n = sys_seen;
	syscall(SYS_getpriority, PRIO_ARG, 0);
	zs_check(sys_seen == n + 1, "thread %d: getpriority(0x77) raised no SIGSYS", who);
	zs_check(sys_info.si_signo == SIGSYS && sys_info.si_code == 1 /* SYS_SECCOMP */ &&
		 sys_info.si_syscall == __NR_getpriority && sys_info.si_errno == TRAP_DATA &&
		 sys_info.si_arch == AUDIT_ARCH_X86_64,
		 "thread %d: SIGSYS with code %d, syscall %d, errno %d, arch %#x", who,
		 sys_info.si_code, sys_info.si_syscall, sys_info.si_errno, sys_info.si_arch);
	errno = 0;
	zs_check(getpriority(PRIO_PROCESS, 0) != -1 || !errno, "thread %d: getpriority: %s",
		 who, strerror(errno));
	zs_check(prctl(PR_GET_SECCOMP) == 2, "thread %d: PR_GET_SECCOMP is %d", who,
		 prctl(PR_GET_SECCOMP));
	zs_check(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1, "thread %d: no_new_privs is off", who);
	/*
	 * Fds in one thread only: a close in one thread racing an open of
	 * /proc/self/status in another is not what this program tests.
	 */
	if (who)
		return;
	fd = dup(1);
	zs_check(fd >= 0 && !close(fd), "thread %d: dup(1): %s", who, strerror(errno));
	/* 2 of its own; away, ssid's is counted too (doc/state.md) */
	n = filters_counted();
	zs_check(n == 2 || n == 3, "thread %d: /proc/self/status counts %d filters", who, n);
}

static void setup(int who)
{
	if (who == NTHREADS - 1)
		install(newer, sizeof(newer) / sizeof(newer[0]), SECCOMP_FILTER_FLAG_TSYNC);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	int threads = argc > 1 && !strcmp(argv[1], "threads");

	zs_check(!sigaction(SIGSYS, &sa, NULL), "sigaction");
	zs_check(!prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs");
	install(older, sizeof(older) / sizeof(older[0]), 0);
	errno = 0;
	zs_check(syscall(SYS_getpgid, PGID_MAGIC) == -1 && errno == E2BIG,
		 "with the older filter alone, getpgid(MAGIC) gives errno %d", errno);
	if (threads) {
		zs_in_step(NTHREADS, setup, check);
		zs_in_step_join();
	} else {
		install(newer, sizeof(newer) / sizeof(newer[0]), 0);
		zs_check(filters_counted() == 2, "%d filters counted", filters_counted());
		check(0);
		zs_ready(getpid());
		while (zs_more()) {
			check(0);
			usleep(20000);
		}
	}
	zdtm_say("%s%s: dup(0x5eed) EPERM, getpgid(MAGIC) ENOTTY (the newest filter's), getpriority(0x77) SIGSYS with SYS_SECCOMP and data 0x%x, other calls as usual, Seccomp 2\n",
		 program_invocation_short_name, threads ? " (4 threads)" : "", TRAP_DATA);
	return 0;
}
