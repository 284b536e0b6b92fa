// SPDX-License-Identifier: GPL-2.0
/*
 * parent_standin.c - a guest's parent, with its home parent's id (see
 * parent_standin.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "migrate/parent_standin.h"

/* How long ssid waits for the stand-in's answers. */
#define STANDIN_WAIT_MS		2000

void standin_none(struct standin *s)
{
	s->pid = 0;
	s->ctl = -1;
}

/* The pid of @pidfd's process as ssid's /proc names it (its fdinfo). */
static pid_t pidfd_pid(int pidfd)
{
	char path[64], line[128];
	pid_t pid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Pid: %d", &pid) == 1)
			break;
	fclose(f);
	return pid;
}

/* A message from the stand-in within STANDIN_WAIT_MS: its length or -errno. */
static ssize_t recv_answer(int ctl, void *buf, size_t len, int *fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct pollfd p = { .fd = ctl, .events = POLLIN };
	struct cmsghdr *c;
	ssize_t n;

	if (poll(&p, 1, STANDIN_WAIT_MS) != 1)
		return -ETIMEDOUT;
	n = recvmsg(ctl, &mh, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return n ? -errno : -EPIPE;
	c = CMSG_FIRSTHDR(&mh);
	if (fd && c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(c), sizeof(*fd));
	return n;
}

int standin_child(struct standin *s, pid_t *pid)
{
	struct standin_child a;
	int pidfd = -1;
	ssize_t n;

	if (write(s->ctl, "g", 1) != 1)
		return -errno;
	n = recv_answer(s->ctl, &a, sizeof(a), &pidfd);
	if (n >= 0 && (n != sizeof(a) || (!a.err && pidfd < 0)))
		n = -EPROTO;
	if (n >= 0 && a.err)
		n = -a.err;
	if (n >= 0 && (*pid = pidfd_pid(pidfd)) <= 0)
		n = -ESRCH;
	if (n < 0) {
		if (pidfd >= 0)
			close(pidfd);
		return (int)n;
	}
	return pidfd;
}

int standin_child_ended(struct standin *s, siginfo_t *si)
{
	ssize_t n = recv_answer(s->ctl, si, sizeof(*si), NULL);

	return n < 0 ? (int)n : n == sizeof(*si) ? 0 : -EPROTO;
}

void standin_end(struct standin *s)
{
	if (s->ctl >= 0)
		close(s->ctl);
	if (s->pid > 0)
		waitpid(s->pid, NULL, 0);
	standin_none(s);
}

/* ------------------------------------------------- the stand-in itself */

static void answer(int ctl, int err, pid_t pid, int pidfd)
{
	struct standin_child a = { .err = err, .pid = pid };
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &a, sizeof(a) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (pidfd >= 0) {
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pidfd, sizeof(pidfd));
	}
	if (sendmsg(ctl, &mh, MSG_NOSIGNAL) < 0)
		_exit(1);
}

void standin_serve(int ctl, char **argv)
{
	struct pollfd p[2];
	siginfo_t si;
	char go;
	pid_t pid;
	int pidfd;

	/* ssid's child: gone with it (then init takes the guest) */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || read(ctl, &go, 1) != 1)
		_exit(1);
	pid = fork();
	if (pid == 0) {
		close(ctl);
		setsid();
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	/* the guest's fds are the guest's: ssid sees EOF on them when it ends */
	syscall(SYS_close_range, 3, (unsigned int)ctl - 1, 0);
	syscall(SYS_close_range, (unsigned int)ctl + 1, ~0U, 0);
	if (pid < 0) {
		answer(ctl, errno, 0, -1);
		_exit(1);
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	answer(ctl, pidfd < 0 ? errno : 0, pid, pidfd);
	/* until it ends, or ssid gives up on it (the socket closed) */
	p[0] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = ctl, .events = POLLIN };
	while (pidfd >= 0 && poll(p, 2, -1) < 0 && errno == EINTR)
		;
	memset(&si, 0, sizeof(si));
	if (pidfd >= 0 && (p[0].revents & POLLIN) &&
	    !waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT | WNOHANG) && si.si_pid)
		send(ctl, &si, sizeof(si), MSG_NOSIGNAL);
	/* ssid reads the zombie's counters, then closes the socket */
	while (read(ctl, &go, 1) > 0)
		;
	kill(pid, SIGKILL);	/* if ssid gave up before it ended */
	waitpid(pid, NULL, 0);
	_exit(0);
}
