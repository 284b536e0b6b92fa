// SPDX-License-Identifier: GPL-2.0
/*
 * ssi-state-prog - a process with kernel state that migration does not
 * carry yet, or that pulls it home once made away, for
 * t-35-state-refused.sh:
 *
 *   ssi-state-prog STATE WHEN GO
 *
 * STATE: seccomp_notif (a filter of its own that returns USER_NOTIF
 * for mknodat, its listener held), seccomp_strict (a second thread in
 * seccomp strict mode; early only), seccomp_no_restore and
 * seccomp_kill_restore (a filter that answers the ioctl that restores a
 * process, which it never makes, with EPERM or a kill), seccomp_deputy
 * (one that answers recvfrom, which its deputy makes, with EPERM),
 * seccomp_prctl (a filter that allows all, made with prctl), ldt (an LDT entry written with
 * modify_ldt: carried, but a write away pulls home), signalfd_epoll (a signalfd for
 * SIGUSR1, blocked, watched by an epoll set), memfd
 * (a private mapping of one), userfaultfd (one registered on a mapping),
 * deadline (the main thread under SCHED_DEADLINE).  WHEN: early (made before "ready") or
 * late (made once the file GO exists, i.e. after the test moved it).
 * Prints "pid before=PID", "ready", then, once GO exists and the state
 * is made, checks it and prints "STATE ok" and "pid after=PID"; exits 3.
 * Prints "STATE unsupported" and exits 4 where the kernel lacks it.
 */
#include <asm/ldt.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/mempolicy.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>

#include "kmod/uapi/ssi.h"

static char *page;
static int sfd = -1, epfd = -1, ufd = -1, listener = -1;
static pthread_t strict_thread;
static volatile pid_t strict_tid;

static void *go_strict(void *arg)
{
	char c;

	strict_tid = (pid_t)syscall(SYS_gettid);
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT))
		strict_tid = -1;
	/* strict mode: read, write, exit, sigreturn; the process's exit ends it */
	if (read((int)(long)arg, &c, 1) < 0)
		syscall(SYS_exit, 1);
	syscall(SYS_exit, 0);
	return NULL;
}

/* <linux/sched/types.h>'s, which not every libc's headers pull in */
struct k_sched_attr {
	unsigned int size, sched_policy;
	unsigned long long sched_flags;
	int sched_nice;
	unsigned int sched_priority;
	unsigned long long sched_runtime, sched_deadline, sched_period;
};

static int make(const char *state)
{
	if (!strcmp(state, "seccomp_notif")) {
		/* mknodat goes to a listener (it holds it), the rest is allowed */
		struct sock_filter f[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mknodat, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog prog = { 4, f };

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			return -1;
		listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
					SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
		return listener < 0 ? -1 : 0;
	}
	if (!strcmp(state, "seccomp_prctl")) {
		/* a filter of its own, made with prctl rather than seccomp */
		struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		struct sock_fprog prog = { 1, &allow };

		return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		       prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) ? -1 : 0;
	}
	if (!strcmp(state, "seccomp_deputy")) {
		/* recvfrom, which it never makes but its deputy would */
		struct sock_filter f[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_recvfrom, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog prog = { 4, f };

		return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		       syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) ? -1 : 0;
	}
	if (!strcmp(state, "seccomp_no_restore") || !strcmp(state, "seccomp_kill_restore")) {
		/*
		 * The call that restores a process (which it never makes) is
		 * refused, or kills: the restore helper, which runs under the
		 * process's filters, cannot make it.
		 */
		struct sock_filter f[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ioctl, 0, 3),
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)SSI_IOC_RESTORE, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, state[8] == 'n' ? SECCOMP_RET_ERRNO | EPERM :
						  SECCOMP_RET_KILL_PROCESS),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog prog = { 6, f };

		return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		       syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) ? -1 : 0;
	}
	if (!strcmp(state, "seccomp_strict")) {
		/* one thread in strict mode, blocked in read (which it may make) */
		int p[2];

		if (pipe(p) || pthread_create(&strict_thread, NULL, go_strict, (void *)(long)p[0]))
			return -1;
		while (!strict_tid)
			usleep(1000);
		return 0;
	}
	if (!strcmp(state, "ldt")) {
		struct user_desc d = { .entry_number = 0, .limit = 0xfff, .seg_32bit = 1,
				       .contents = MODIFY_LDT_CONTENTS_DATA, .useable = 1 };

		return syscall(SYS_modify_ldt, 1, &d, sizeof(d)) ? -1 : 0;
	}
	if (!strcmp(state, "memfd")) {
		int fd = memfd_create("ssi-state", 0);

		if (fd < 0 || ftruncate(fd, 4096))
			return -1;
		page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		if (page == MAP_FAILED)
			return -1;
		memcpy(page, "memfd page", 11);
		return 0;
	}
	if (!strcmp(state, "signalfd_epoll")) {
		struct epoll_event ev = { .events = EPOLLIN };
		sigset_t s;

		sigemptyset(&s);
		sigaddset(&s, SIGUSR1);
		sigprocmask(SIG_BLOCK, &s, NULL);
		sfd = signalfd(-1, &s, 0);
		epfd = epoll_create1(0);
		return sfd < 0 || epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &ev) ? -1 : 0;
	}
	if (!strcmp(state, "userfaultfd")) {
		struct uffdio_api api = { .api = UFFD_API };
		struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };

		page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ufd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
		if (ufd < 0)
			return errno == ENOSYS ? 1 : -1;
		reg.range.start = (unsigned long)page;
		reg.range.len = 4096;
		return ioctl(ufd, UFFDIO_API, &api) || ioctl(ufd, UFFDIO_REGISTER, &reg) ?
		       -1 : 0;
	}
	if (!strcmp(state, "mempolicy")) {
		unsigned long node0 = 1;

		return syscall(SYS_set_mempolicy, MPOL_PREFERRED, &node0, 8 * sizeof(node0)) ?
		       -1 : 0;
	}
	if (!strcmp(state, "deadline")) {
		struct k_sched_attr a = {
			.size = sizeof(a), .sched_policy = SCHED_DEADLINE,
			.sched_runtime = 1000000, .sched_deadline = 100000000,
			.sched_period = 100000000,
		};

		return syscall(SYS_sched_setattr, 0, &a, 0) ? -1 : 0;
	}
	errno = EINVAL;
	return -1;
}

/* The state is still there, as made. */
static int check(const char *state)
{
	char buf[16];
	struct signalfd_siginfo si;
	struct epoll_event ev;

	if (!strcmp(state, "seccomp_notif"))
		return prctl(PR_GET_SECCOMP) == 2 && listener >= 0 ? 0 : -1;
	if (!strcmp(state, "seccomp_no_restore") || !strcmp(state, "seccomp_kill_restore") ||
	    !strcmp(state, "seccomp_deputy") || !strcmp(state, "seccomp_prctl"))
		return prctl(PR_GET_SECCOMP) == 2 ? 0 : -1;
	if (!strcmp(state, "seccomp_strict")) {
		char path[64], text[2048];
		int fd, n;

		snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)strict_tid);
		fd = open(path, O_RDONLY);
		n = fd < 0 ? -1 : (int)read(fd, text, sizeof(text) - 1);
		if (fd >= 0)
			close(fd);
		if (n <= 0)
			return -1;
		text[n] = '\0';
		return strstr(text, "\nSeccomp:\t1\n") ? 0 : -1;
	}
	if (!strcmp(state, "ldt"))
		return syscall(SYS_modify_ldt, 0, buf, sizeof(buf)) == sizeof(buf) ? 0 : -1;
	if (!strcmp(state, "memfd"))
		return memcmp(page, "memfd page", 11) ? -1 : 0;
	if (!strcmp(state, "signalfd_epoll"))
		return kill(getpid(), SIGUSR1) || epoll_wait(epfd, &ev, 1, 5000) != 1 ||
		       read(sfd, &si, sizeof(si)) != sizeof(si) || si.ssi_signo != SIGUSR1 ? -1 : 0;
	if (!strcmp(state, "userfaultfd")) {
		struct uffdio_range r = { .start = (unsigned long)page, .len = 4096 };

		return ioctl(ufd, UFFDIO_UNREGISTER, &r) ? -1 : 0;
	}
	if (!strcmp(state, "mempolicy")) {
		int mode = -1;

		return syscall(SYS_get_mempolicy, &mode, NULL, 0, NULL, 0) ||
		       mode != MPOL_PREFERRED ? -1 : 0;
	}
	if (!strcmp(state, "deadline"))
		return syscall(SYS_sched_getscheduler, 0) == SCHED_DEADLINE ? 0 : -1;
	errno = EINVAL;
	return -1;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc != 4 || (strcmp(argv[2], "early") && strcmp(argv[2], "late"))) {
		fprintf(stderr, "usage: ssi-state-prog seccomp_notif|seccomp_strict|seccomp_no_restore|seccomp_kill_restore|seccomp_deputy|seccomp_prctl|ldt|signalfd_epoll|memfd|userfaultfd|deadline early|late GO\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("pid before=%d\n", (int)getpid());
	if (!strcmp(argv[2], "early"))
		rc = make(argv[1]);
	printf("ready\n");
	while (access(argv[3], F_OK))
		usleep(50000);
	if (!strcmp(argv[2], "late"))
		rc = make(argv[1]);
	if (rc == 1) {
		printf("%s unsupported\n", argv[1]);
		return 4;
	}
	if (rc) {
		printf("%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("%s %s\n", argv[1], check(argv[1]) ? "lost" : "ok");
	printf("pid after=%d\n", (int)getpid());
	return 3;
}
