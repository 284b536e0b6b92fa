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

void pidns_init_serve(int ctl)
{
	int32_t id, err;
	ssize_t n;

	/* ssid's death ends the namespace even if the socket lingers */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* orphans (there should be none) are reaped by the kernel */
	signal(SIGCHLD, SIG_IGN);
	for (;;) {
		n = recv(ctl, &id, sizeof(id), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != sizeof(id))
			_exit(n == 0 ? 0 : 1);
		err = set_next(id);
		if (send(ctl, &err, sizeof(err), MSG_NOSIGNAL) != sizeof(err))
			_exit(1);
	}
}

int pidns_init_ask(int ctl, pid_t id)
{
	int32_t v = (int32_t)id, err;
	ssize_t n;

	if (send(ctl, &v, sizeof(v), MSG_NOSIGNAL) != sizeof(v))
		return -errno;
	do
		n = recv(ctl, &err, sizeof(err), 0);
	while (n < 0 && errno == EINTR);
	if (n != sizeof(err))
		return n < 0 ? -errno : -EPIPE;	/* EAGAIN: a receive timeout */
	return err > 0 ? -err : 0;
}
