// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab_tool.c - see lab_tool.h.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "ssid/forward/call_remote.h"
#include "lab_tool.h"

int failures;

int64_t fwd_self(struct ssi_deputy *d, long nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct ssi_fwd_pending p = { 0 };
	uint64_t args[6] = { a0, a1, a2 };
	int64_t ret = -EIO;
	void *rep;
	size_t rlen;
	int err;

	err = ssi_fwd_build(&p, nr, args, &ssi_mem_self, NULL);
	if (!err)
		err = ssi_deputy_call(d, p.msg, p.msg_len, &rep, &rlen);
	if (!err) {
		err = ssi_fwd_apply(&p, rep, rlen, &ret, &ssi_mem_self, NULL);
		free(rep);
	}
	ssi_fwd_pending_free(&p);
	return err ? err : ret;
}

int lab_read_tids(pid_t pid, pid_t *out, int max)
{
	char path[64];
	int n = 1;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	for (int tries = 0; tries < 100; tries++) {
		struct dirent *e;
		DIR *dir = opendir(path);

		if (!dir)
			return 0;
		out[0] = pid;
		n = 1;
		while ((e = readdir(dir)))
			if (atoi(e->d_name) > 0 && atoi(e->d_name) != pid && n < max)
				out[n++] = (pid_t)atoi(e->d_name);
		closedir(dir);
		if (n == max)
			break;
		usleep(20000);
	}
	return n;
}

int lab_freeze(int dev, pid_t pid, int out_fd, unsigned int flags, struct ssi_dump *dump)
{
	memset(dump, 0, sizeof(*dump));
	dump->pid = pid;
	dump->out_fd = out_fd;
	dump->flags = flags;
	dump->timeout_ms = 10000;
	return ioctl(dev, SSI_IOC_DUMP, dump);
}

void lab_deputy_channels(int (*sv)[2], struct ssi_deputy_thread *th, const pid_t *tids,
			 int n)
{
	int i;

	for (i = 0; i < n; i++)
		socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv[i]);
	for (i = 1; i < n; i++)
		th[i - 1] = (struct ssi_deputy_thread){ .tid = tids[i], .chan_fd = sv[i][1] };
}

int lab_deputy_attach(struct ssi_deputy *d, int i, int (*sv)[2], const pid_t *tids,
		      const struct ssi_become_deputy *dep, const struct ssi_deputy_thread *th)
{
	close(sv[i][1]);
	memset(d, 0, sizeof(*d));
	return ssi_deputy_attach_thread(d, dep->pid, tids[i], sv[i][0],
					i ? th[i - 1].area_addr : dep->area_addr,
					SSI_DEPUTY_AREA_DEFAULT, 5000);
}
