// SPDX-License-Identifier: GPL-2.0
/*
 * pidns_init.c - the init of a guest's pid namespace (see pidns_init.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
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

void pidns_init_serve(int ctl)
{
	struct pidns_req req;
	int32_t err;
	ssize_t n;

	/* ssid's death ends the namespace even if the socket lingers */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* orphans (there should be none) are reaped by the kernel */
	signal(SIGCHLD, SIG_IGN);
	for (;;) {
		n = recv(ctl, &req, sizeof(req), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			_exit(0);
		if (n != sizeof(req))
			_exit(1);
		switch (req.op) {
		case PIDNS_NEXT_ID:
			err = set_next(req.id);
			break;
		case PIDNS_SIGNAL:
			err = send_signal(&req.sig);
			break;
		default:
			err = EINVAL;
		}
		if (send(ctl, &err, sizeof(err), MSG_NOSIGNAL) != sizeof(err))
			_exit(1);
	}
}

static int call(int ctl, const struct pidns_req *req)
{
	int32_t err;
	ssize_t n;

	if (send(ctl, req, sizeof(*req), MSG_NOSIGNAL) != sizeof(*req))
		return -errno;
	do
		n = recv(ctl, &err, sizeof(err), 0);
	while (n < 0 && errno == EINTR);
	if (n != sizeof(err))
		return n < 0 ? -errno : -EPIPE;	/* EAGAIN: a receive timeout */
	return err > 0 ? -err : 0;
}

int pidns_init_next(int ctl, pid_t id)
{
	struct pidns_req req = { .op = PIDNS_NEXT_ID, .id = (int32_t)id };

	return call(ctl, &req);
}

int pidns_init_signal(int ctl, const struct ssi_signal *sig)
{
	struct pidns_req req = { .op = PIDNS_SIGNAL, .sig = *sig };

	return call(ctl, &req);
}
