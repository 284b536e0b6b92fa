// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * clone_thread.c - a migrated process makes a thread on the remote node
 * (see clone_thread.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/sched.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/procfs.h"
#include "forward/seccomp_filter.h"
#include "forward/clone_thread.h"

#ifndef CLONE_ARGS_SIZE_VER0
#define CLONE_ARGS_SIZE_VER0	64
#endif

/* How often a traced thread is looked at while it has not stopped yet. */
#define CLONE_POLL_NS		100000L
/* How long a thread told to stop (PTRACE_INTERRUPT) may take to. */
#define CLONE_LATE_MS		1000

int clone_thread_args(pid_t pid, const struct seccomp_notif *n, struct clone_thread *ct)
{
	memset(ct, 0, sizeof(*ct));
	if (n->data.nr == __NR_clone) {
		/* x86-64: clone(flags, stack, parent_tid, child_tid, tls) */
		ct->flags = n->data.args[0];
		ct->parent_tid = n->data.args[2];
		ct->child_tid = n->data.args[3];
	} else if (n->data.nr == __NR_clone3) {
		/* the first fields of struct clone_args, the same in every version */
		uint64_t ca[CLONE_ARGS_SIZE_VER0 / 8];
		struct iovec l = { ca, sizeof(ca) };
		struct iovec r = { (void *)(uintptr_t)n->data.args[0], sizeof(ca) };

		if (n->data.args[1] < CLONE_ARGS_SIZE_VER0)
			return -EINVAL;
		if (process_vm_readv(pid, &l, 1, &r, 1, 0) != (ssize_t)sizeof(ca))
			return -EFAULT;
		ct->flags = ca[0];
		ct->child_tid = ca[2];
		ct->parent_tid = ca[3];
	} else {
		return -EINVAL;
	}
	if (!(ct->flags & CLONE_PARENT_SETTID))
		ct->parent_tid = 0;
	if (!(ct->flags & CLONE_CHILD_SETTID))
		ct->child_tid = 0;
	return (ct->flags & CLONE_THREAD) ? 1 : 0;
}

/* Thread @tid's voluntary context switches so far (0 if unknown). */
static uint64_t sleeps_of(pid_t tid)
{
	char file[32], text[4096];
	uint64_t v = 0;

	snprintf(file, sizeof(file), "task/%d/status", (int)tid);
	if (!procfs_read(tid, file, text, sizeof(text)))
		procfs_status_u64(text, "voluntary_ctxt_switches", 10, &v);
	return v;
}

/*
 * Has thread @tid surely left system call @nr, which it was blocked in
 * after @sleeps voluntary switches: is it blocked in another call, or in
 * a new seccomp notification (it slept since, and waits for ssid), or
 * gone?  A thread that runs shows no call: it may still be in @nr.
 */
static bool left_syscall(pid_t tid, long nr, uint64_t sleeps)
{
	char file[32], buf[64];

	snprintf(file, sizeof(file), "task/%d/syscall", (int)tid);
	if (procfs_read(tid, file, buf, sizeof(buf)))
		return access(file, F_OK) && errno == ENOENT;
	if (buf[0] < '0' || buf[0] > '9')
		return false;		/* "running" */
	if (strtol(buf, NULL, 10) != nr)
		return true;
	snprintf(file, sizeof(file), "task/%d/wchan", (int)tid);
	return sleeps_of(tid) > sleeps && !procfs_read(tid, file, buf, sizeof(buf)) &&
	       strstr(buf, "seccomp");
}

/*
 * Wait for thread @tid to stop (or end) until @deadline_ms.
 * Return: 1 with *@status, 0 at the deadline, -errno.  When @nr is not
 * negative, also return 0 as soon as @tid has surely left system call @nr
 * (left_syscall()): it will not stop in it any more.
 */
static int wait_stop(pid_t tid, int *status, uint64_t deadline_ms, long nr,
		     uint64_t sleeps)
{
	struct timespec nap = { 0, CLONE_POLL_NS };
	pid_t w;

	for (;;) {
		w = waitpid(tid, status, __WALL | WNOHANG);
		if (w == tid)
			return 1;
		if (w < 0 && errno != EINTR)
			return -errno;
		if (nr >= 0 && left_syscall(tid, nr, sleeps)) {
			/* a stop that came just before it left is reported by now */
			w = waitpid(tid, status, __WALL | WNOHANG);
			return w == tid ? 1 : 0;
		}
		if (clock_mono_ms() >= deadline_ms)
			return 0;
		nanosleep(&nap, NULL);
	}
}

/* The signal to give back when detaching from the stop @status reported. */
static int stop_signal(int status)
{
	if (!WIFSTOPPED(status) || (status >> 16) != 0)
		return 0;		/* an event stop (PTRACE_EVENT_*) */
	if (WSTOPSIG(status) == (SIGTRAP | 0x80))
		return 0;		/* a syscall stop */
	return WSTOPSIG(status);	/* a signal it was about to take */
}

/* Let @tid go, stopping it first if it runs; its last stop in *@status. */
static void untrace(pid_t tid, int *status)
{
	if (!ptrace(PTRACE_DETACH, tid, 0, 0))
		return;
	if (errno == ESRCH && !ptrace(PTRACE_INTERRUPT, tid, 0, 0) &&
	    wait_stop(tid, status, clock_mono_ms() + CLONE_LATE_MS, -1, 0) == 1 &&
	    WIFSTOPPED(*status))
		ptrace(PTRACE_DETACH, tid, 0, (void *)(long)stop_signal(*status));
}

/* Write @home at @addr in @pid if the kernel wrote @tid there. */
static void retid(pid_t pid, uint64_t addr, pid_t tid, pid_t home)
{
	struct iovec l, r = { (void *)(uintptr_t)addr, sizeof(int32_t) };
	int32_t v = 0;

	if (!addr)
		return;
	l = (struct iovec){ &v, sizeof(v) };
	if (process_vm_readv(pid, &l, 1, &r, 1, 0) != sizeof(v) || v != tid)
		return;
	v = home;
	process_vm_writev(pid, &l, 1, &r, 1, 0);
}

int clone_thread_run(int listener, const struct seccomp_notif *n,
		     const struct clone_thread *ct, pid_t home_tid, pid_t *made,
		     int timeout_ms)
{
	uint64_t deadline = clock_mono_ms() + (uint64_t)timeout_ms;
	pid_t t = (pid_t)n->pid, c;
	unsigned long msg = 0;
	uint64_t sleeps;
	int status = 0, cstatus = 0, rc;
	long rax;

	if (ptrace(PTRACE_SEIZE, t, 0, PTRACE_O_TRACECLONE | PTRACE_O_TRACESYSGOOD))
		return -errno;
	sleeps = sleeps_of(t);	/* it waits for this answer */
	rc = -ssi_seccomp_continue(listener, n->id);
	if (rc) {
		untrace(t, &status);
		if (rc != ENOENT)
			log_warn("thread %d: clone cannot go on: %s", (int)t, strerror(rc));
		return 0;	/* gone (ENOENT), or it fails for want of an answer */
	}

	/*
	 * PTRACE_EVENT_CLONE; or a signal it takes (the kernel restarts a
	 * clone a signal interrupts: it comes back as a new notification);
	 * or nothing, when the clone failed.  A failed clone is seen when the
	 * thread waits in another call, or at the deadline: then it is
	 * stopped to be let go, and that stop may be the event after all.
	 */
	rc = wait_stop(t, &status, deadline, (long)n->data.nr, sleeps);
	if (rc == 0 && !ptrace(PTRACE_INTERRUPT, t, 0, 0))
		rc = wait_stop(t, &status, clock_mono_ms() + CLONE_LATE_MS, -1, 0);
	if (rc != 1 || !WIFSTOPPED(status) ||
	    status >> 8 != (SIGTRAP | (PTRACE_EVENT_CLONE << 8))) {
		if (rc == 1 && WIFSTOPPED(status))
			ptrace(PTRACE_DETACH, t, 0, (void *)(long)stop_signal(status));
		else if (rc != 1)
			untrace(t, &status);
		return 0;
	}
	ptrace(PTRACE_GETEVENTMSG, t, 0, &msg);
	c = (pid_t)msg;

	/* the new thread starts stopped; the kernel set its tid words by then */
	rc = c > 0 ? wait_stop(c, &cstatus, deadline, -1, 0) : 0;
	if (rc == 1 && WIFSTOPPED(cstatus)) {
		retid(t, ct->parent_tid, c, home_tid);
		retid(t, ct->child_tid, c, home_tid);
	} else {
		log_warn("thread %d: its new thread %d did not stop: its tid words stay %d",
			 (int)t, (int)c, (int)c);
	}

	/* the creator's return value, at the syscall's exit */
	if (!ptrace(PTRACE_SYSCALL, t, 0, 0) &&
	    wait_stop(t, &status, deadline, -1, 0) == 1 && WIFSTOPPED(status)) {
		if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
			errno = 0;
			rax = ptrace(PTRACE_PEEKUSER, t, offsetof(struct user_regs_struct, rax), 0);
			if (!errno && rax == c)
				ptrace(PTRACE_POKEUSER, t, offsetof(struct user_regs_struct, rax),
				       (void *)(long)home_tid);
		}
		ptrace(PTRACE_DETACH, t, 0, (void *)(long)stop_signal(status));
	} else {
		untrace(t, &status);
	}
	if (rc == 1 && WIFSTOPPED(cstatus))
		ptrace(PTRACE_DETACH, c, 0, (void *)(long)stop_signal(cstatus));
	else if (c > 0)
		untrace(c, &cstatus);
	*made = c;
	return c > 0;
}
