// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab_tool.c - see lab_tool.h.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

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
