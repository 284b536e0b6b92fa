// SPDX-License-Identifier: GPL-2.0
/*
 * pidns_init.c - the init of a guest's pid namespace (see pidns_init.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "kmod/tools/ssi_dev_open.h"
#include "migrate/pidns_init.h"

/* The kernel takes the id after ns_last_pid, when it is free. */
static int32_t set_next(int32_t id)
{
	char buf[16];
	int fd, n, err = 0;

	/* pid 1 is this init; ids above pid_max the kernel refuses */
	if (id < 2)
		return EINVAL;
	fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	n = snprintf(buf, sizeof(buf), "%d", (int)id - 1);
	if (write(fd, buf, (size_t)n) != n)
		err = errno ? errno : EIO;
	close(fd);
	return err;
}

/* With the module, from in here: the sender's pid stays in the siginfo. */
static int32_t send_signal(struct ssi_signal *sig)
{
	static int dev = -1;

	if (dev < 0)
		dev = ssi_dev_open(O_CLOEXEC, NULL);
	if (dev < 0)
		return errno;
	return ioctl(dev, SSI_IOC_SIGNAL, sig) ? errno : 0;
}

/*
 * A proc instance of this namespace (the maker's), mounted nowhere: only
 * ssid reaches it, through the fd.  Return: the fd, or -errno.
 */
static int proc_mount(void)
{
	int fs, mnt, err;

	fs = fsopen("proc", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) {
		err = errno;
		close(fs);
		return -err;
	}
	mnt = fsmount(fs, FSMOUNT_CLOEXEC,
		      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	err = errno;
	close(fs);
	return mnt < 0 ? -err : mnt;
}

/* The answer @err to request @seq, with @fd (>= 0) attached. */
static int answer(int ctl, uint32_t seq, int32_t err, int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} c;
	struct pidns_answer a = { .err = err, .seq = seq };
	struct iovec iov = { .iov_base = &a, .iov_len = sizeof(a) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		memset(&c, 0, sizeof(c));
		m.msg_control = c.buf;
		m.msg_controllen = sizeof(c.buf);
		c.h.cmsg_level = SOL_SOCKET;
		c.h.cmsg_type = SCM_RIGHTS;
		c.h.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&c.h), &fd, sizeof(int));
	}
	return sendmsg(ctl, &m, MSG_NOSIGNAL) == sizeof(a) ? 0 : -1;
}

/* One request from @ctl, answered on it: 0, or -1 when @ctl is done. */
static int serve_one(int ctl)
{
	struct pidns_req req;
	int32_t err;
	ssize_t n;
	int fd = -1;

	n = recv(ctl, &req, sizeof(req), 0);
	if (n < 0 && errno == EINTR)
		return 0;
	if (n != sizeof(req))
		return -1;	/* closed (0), or not ours */
	switch (req.op) {
	case PIDNS_NEXT_ID:
		err = set_next(req.id);
		break;
	case PIDNS_SIGNAL:
		err = send_signal(&req.sig);
		break;
	case PIDNS_PROC:
		fd = proc_mount();
		err = fd < 0 ? -fd : 0;
		break;
	default:
		err = EINVAL;
	}
	n = answer(ctl, req.seq, err, fd);
	if (fd >= 0)
		close(fd);
	return n ? -1 : 0;
}

void pidns_init_serve(int ctl, int helper_ctl)
{
	struct pollfd p[2] = { { .fd = ctl, .events = POLLIN },
			       { .fd = helper_ctl, .events = POLLIN } };

	/* ssid's death ends the namespace even if the socket lingers */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* orphans (there should be none) are reaped by the kernel */
	signal(SIGCHLD, SIG_IGN);
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		/* ssid's socket: its end is the namespace's */
		if (p[0].revents && serve_one(ctl))
			_exit(0);
		/* the helper's: done when the helper is */
		if (p[1].revents && serve_one(helper_ctl)) {
			close(helper_ctl);
			p[1].fd = -1;
		}
	}
}

/*
 * One answer into @a; an fd that comes with it goes to @fd (closed if
 * @fd is NULL or set).  Its length, or -errno (EAGAIN: a receive timeout).
 */
static ssize_t recv_answer(int ctl, struct pidns_answer *a, int *fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} c;
	struct iovec iov = { .iov_base = a, .iov_len = sizeof(*a) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = c.buf, .msg_controllen = sizeof(c.buf) };
	struct cmsghdr *h;
	ssize_t n;

	do
		n = recvmsg(ctl, &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
		int got;

		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS ||
		    h->cmsg_len != CMSG_LEN(sizeof(int)))
			continue;
		memcpy(&got, CMSG_DATA(h), sizeof(got));
		if (fd && *fd < 0)
			*fd = got;
		else
			close(got);
	}
	return n;
}

/*
 * Ask, and wait for the answer to this request: an answer to an earlier
 * one, whose asker gave up waiting, is dropped (with its fd).  An fd
 * that comes with ours goes to @fd.
 */
static int call(int ctl, struct pidns_req *req, int *fd)
{
	static uint32_t seq;
	struct pidns_answer a;
	ssize_t n;

	req->seq = ++seq;
	if (send(ctl, req, sizeof(*req), MSG_NOSIGNAL) != sizeof(*req))
		return -errno;
	for (;;) {
		n = recv_answer(ctl, &a, fd);
		if (n < 0)
			return (int)n;
		if (n != sizeof(a))
			return -EPIPE;
		if (a.seq == req->seq)
			return a.err > 0 ? -a.err : 0;
		if (fd && *fd >= 0) {		/* a late answer's fd, not ours */
			close(*fd);
			*fd = -1;
		}
	}
}

int pidns_init_next(int ctl, pid_t id)
{
	struct pidns_req req = { .op = PIDNS_NEXT_ID, .id = (int32_t)id };

	return call(ctl, &req, NULL);
}

int pidns_init_signal(int ctl, const struct ssi_signal *sig)
{
	struct pidns_req req = { .op = PIDNS_SIGNAL, .sig = *sig };

	return call(ctl, &req, NULL);
}

int pidns_init_proc(int ctl)
{
	struct pidns_req req = { .op = PIDNS_PROC };
	int fd = -1, rc;

	rc = call(ctl, &req, &fd);
	if (rc || fd < 0) {
		if (fd >= 0)
			close(fd);
		return rc ? rc : -EPROTO;
	}
	return fd;
}
