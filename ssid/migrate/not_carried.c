// SPDX-License-Identifier: GPL-2.0
/*
 * not_carried.c - state a migration does not carry yet (see
 * not_carried.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/procfs.h"
#include "cluster/peer_msg.h"
#include "forward/signalfd_here.h"
#include "migrate/not_carried.h"

/* Descriptors whose meaning is the task that uses them: their link text. */
static const struct {
	const char *link;
	const char *what;
} fd_kinds[] = {
	{ "anon_inode:[perf_event]", "a perf event (it counts the task it was opened for)" },
	{ "anon_inode:[userfaultfd]", "a userfaultfd (it serves faults of the address space it was made in)" },
};

struct refusal {
	pid_t pid;
	char *err;
	size_t errlen;
};

static int fd_refused(int fd, void *arg)
{
	const struct refusal *r = arg;
	char link[128];
	unsigned int i;

	if (procfs_fd_link(r->pid, fd, link, sizeof(link)))
		return 0;
	for (i = 0; i < sizeof(fd_kinds) / sizeof(fd_kinds[0]); i++) {
		if (strcmp(link, fd_kinds[i].link))
			continue;
		snprintf(r->err, r->errlen, "pid %d has %s as fd %d, which is not carried yet; it continues on this node",
			 (int)r->pid, fd_kinds[i].what, fd);
		return EOPNOTSUPP;
	}
	return 0;
}

static int fd_not_carried(pid_t pid, char *err, size_t errlen)
{
	struct refusal r = { pid, err, errlen };
	int rc = procfs_each_fd(pid, fd_refused, &r);

	return rc < 0 ? 0 : rc;	/* gone: the dump says so */
}

/*
 * As ssi.ko refuses at the dump (kmod/ssi_ptimer.c), but before the
 * freeze.  A CPU-time clock is the kernel's encoding (~pid << 3 | thread
 * bit | which): a thread's is always one of the process's; a process's
 * names pid 0 (itself) or a pid of the process's own pid namespace.
 */
static int timer_refused(int id, int clock, void *arg)
{
	const struct refusal *r = arg;
	const char *what;
	pid_t of = (pid_t)~(clock >> 3);

	if (clock < 0 && !(clock & 4) && of && of != procfs_ns_tid(r->pid, r->pid))
		what = "has a POSIX timer on another process's CPU clock";
	else if (clock == CLOCK_REALTIME_ALARM || clock == CLOCK_BOOTTIME_ALARM)
		what = "has a POSIX timer on an alarm clock";
	else
		return 0;
	snprintf(r->err, r->errlen, "pid %d %s (timer %d), which is not carried; it continues on this node",
		 (int)r->pid, what, id);
	return EOPNOTSUPP;
}

static int timers_not_carried(pid_t pid, char *err, size_t errlen)
{
	struct refusal r = { pid, err, errlen };
	int rc = procfs_each_timer(pid, timer_refused, &r);

	return rc < 0 ? 0 : rc;	/* gone: the dump says so */
}

static void ignore(void *arg, int fd, int flags, uint64_t mask,
		   const struct seq_pos *none, const char *name)
{
}

/* Its signalfds are carried, unless one of them is watched by an epoll. */
static int signalfds_not_carried(pid_t pid, char *err, size_t errlen)
{
	size_t len;
	int rc = signalfd_held(pid, MSG_MIG_PROC_FDS_MAX, ignore, NULL, err, errlen);

	if (rc <= 0)
		return 0;	/* cannot be listed: gone, the dump says so */
	len = strlen(err);
	snprintf(err + len, errlen - len, "; it continues on this node");
	return rc;
}

int not_carried(pid_t pid, const char *status, char *err, size_t errlen)
{
	uint64_t seccomp = 0;

	/*
	 * Strict mode allows read, write, _exit and sigreturn: not even the
	 * restore could run under it.  Filters travel (seccomp_carry.h).
	 */
	procfs_status_u64(status, "Seccomp", 10, &seccomp);
	if (seccomp == 1) {
		snprintf(err, errlen, "pid %d is in seccomp strict mode, which is not carried; it continues on this node",
			 (int)pid);
		return EOPNOTSUPP;
	}
	return fd_not_carried(pid, err, errlen) ?: signalfds_not_carried(pid, err, errlen) ?:
	       timers_not_carried(pid, err, errlen);
}
