// SPDX-License-Identifier: GPL-2.0
/*
 * guest_pidns.c - a guest's own pid namespace (see guest_pidns.h).
 *
 * unshare(CLONE_NEWPID) and setns(CLONE_NEWPID) change only where the
 * calling thread's next children go, never the thread itself: ssid's
 * main thread points them at the namespace for one fork, then back at
 * its own namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "common/defaults.h"
#include "common/log.h"
#include "migrate/guest_pidns.h"
#include "migrate/pidns_init.h"

void guest_pidns_none(struct guest_pidns *ns)
{
	ns->init = 0;
	ns->ctl = -1;
	ns->helper_ctl = -1;
	ns->nsfd = -1;
	ns->procfd = -1;
}

static int own_ns(void)
{
	return open("/proc/thread-self/ns/pid", O_RDONLY | O_CLOEXEC);
}

/*
 * ssid's next children in its own namespace again.  Should that fail,
 * every later child would land in a guest's namespace: ssid stops.
 */
static void back_to_own(int self)
{
	if (setns(self, CLONE_NEWPID))
		log_fatal("cannot return to ssid's own pid namespace: %m");
	close(self);
}

/* The init, with ssid's socket on fd 0 and the restore helper's on fd 1. */
static void __attribute__((noreturn)) exec_init(const char *helper, int ctl, int helper_ctl)
{
	char *argv[] = { "ssi-restore-helper", PIDNS_INIT_ARG, NULL };
	char *envp[] = { NULL };
	sigset_t none;
	int sig;

	/* above 1 first, so that dup2 never clobbers the other one */
	ctl = fcntl(ctl, F_DUPFD, 2);
	helper_ctl = fcntl(helper_ctl, F_DUPFD, 2);
	if (ctl < 0 || helper_ctl < 0 || dup2(ctl, 0) != 0 || dup2(helper_ctl, 1) != 1)
		_exit(126);
	syscall(__NR_close_range, 2, ~0U, 0);
	for (sig = 1; sig < 65; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	execve(helper, argv, envp);
	_exit(127);
}

int guest_pidns_open(struct guest_pidns *ns, const char *helper)
{
	struct timeval tv = { .tv_sec = SSI_PIDNS_ANSWER_MS / 1000,
			      .tv_usec = SSI_PIDNS_ANSWER_MS % 1000 * 1000 };
	char path[64];
	int sv[2], hv[2], self, rc;
	pid_t pid;

	guest_pidns_none(ns);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, hv)) {
		rc = -errno;
		close(sv[0]);
		close(sv[1]);
		return rc;
	}
	self = own_ns();
	if (self < 0 || unshare(CLONE_NEWPID)) {
		rc = -errno;
		if (self >= 0)
			close(self);
		close(sv[0]);
		close(sv[1]);
		close(hv[0]);
		close(hv[1]);
		return rc;
	}
	pid = fork();	/* pid 1 of the new namespace */
	if (pid == 0)
		exec_init(helper, sv[1], hv[1]);
	rc = pid < 0 ? -errno : 0;
	back_to_own(self);
	close(sv[1]);
	close(hv[1]);
	if (rc) {
		close(sv[0]);
		close(hv[0]);
		return rc;
	}
	ns->init = pid;
	ns->ctl = sv[0];
	ns->helper_ctl = hv[0];
	if (setsockopt(ns->ctl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(ns->helper_ctl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		rc = -errno;
		guest_pidns_close(ns);
		return rc;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	ns->nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (ns->nsfd < 0) {
		rc = -errno;
		guest_pidns_close(ns);
		return rc;
	}
	ns->procfd = pidns_init_proc(ns->ctl);
	if (ns->procfd < 0) {
		log_warn("no proc mount of a guest's pid namespace: %s",
			 strerror(-ns->procfd));
		ns->procfd = -1;
	}
	return 0;
}

int guest_pidns_next(const struct guest_pidns *ns, pid_t id)
{
	return ns->ctl < 0 ? -EBADF : pidns_init_next(ns->ctl, id);
}

int guest_pidns_signal(const struct guest_pidns *ns, const struct ssi_signal *sig)
{
	return ns->ctl < 0 ? -EBADF : pidns_init_signal(ns->ctl, sig);
}

pid_t guest_pidns_fork(const struct guest_pidns *ns)
{
	int self = own_ns(), err;
	pid_t pid;

	if (self < 0)
		return -errno;
	if (setns(ns->nsfd, CLONE_NEWPID)) {
		err = errno;
		close(self);
		return -err;
	}
	pid = fork();
	if (pid == 0)
		return 0;	/* in the namespace; @self is close-on-exec */
	err = errno;
	back_to_own(self);
	return pid < 0 ? -err : pid;
}

void guest_pidns_helper_done(struct guest_pidns *ns)
{
	if (ns->helper_ctl >= 0)
		close(ns->helper_ctl);
	ns->helper_ctl = -1;
}

void guest_pidns_close(struct guest_pidns *ns)
{
	int i;

	if (ns->procfd >= 0)
		close(ns->procfd);
	if (ns->nsfd >= 0)
		close(ns->nsfd);
	guest_pidns_helper_done(ns);
	if (ns->ctl >= 0)
		close(ns->ctl);	/* init reads the end of its requests */
	if (ns->init > 0) {
		/* at once, unless a task of the namespace is not reaped yet */
		for (i = 0; i < 100 && !waitpid(ns->init, NULL, WNOHANG); i++)
			usleep(10000);
		if (i == 100)
			log_err("init %d of a guest's pid namespace does not end",
				(int)ns->init);
	}
	guest_pidns_none(ns);
}
