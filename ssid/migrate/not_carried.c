// SPDX-License-Identifier: GPL-2.0
/*
 * not_carried.c - state a migration does not carry yet (see
 * not_carried.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/procfs.h"
#include "migrate/not_carried.h"

/* Descriptors whose meaning is the task that uses them: their link text. */
static const struct {
	const char *link;
	const char *what;
} fd_kinds[] = {
	{ "anon_inode:[signalfd]", "a signalfd (it reads the signals of the task that reads it)" },
	{ "anon_inode:[perf_event]", "a perf event (it counts the task it was opened for)" },
	{ "anon_inode:[userfaultfd]", "a userfaultfd (it serves faults of the address space it was made in)" },
};

static int fd_not_carried(pid_t pid, char *err, size_t errlen)
{
	char path[64], link[128], *end;
	struct dirent *e;
	unsigned int i;
	ssize_t n;
	long fd;
	DIR *d;
	int rc = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return 0;	/* gone: the dump says so */
	while (!rc && (e = readdir(d))) {
		fd = strtol(e->d_name, &end, 10);
		if (end == e->d_name || *end)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%ld", (int)pid, fd);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		for (i = 0; i < sizeof(fd_kinds) / sizeof(fd_kinds[0]); i++) {
			if (strcmp(link, fd_kinds[i].link))
				continue;
			snprintf(err, errlen, "pid %d has %s as fd %ld, which is not carried yet; it continues on this node",
				 (int)pid, fd_kinds[i].what, fd);
			rc = EOPNOTSUPP;
			break;
		}
	}
	closedir(d);
	return rc;
}

int not_carried(pid_t pid, const char *status, char *err, size_t errlen)
{
	uint64_t seccomp = 0;

	/*
	 * A filter of its own (the remote node installs ssid's alone): moved
	 * without it, the process could make calls it had forbidden itself.
	 */
	procfs_status_u64(status, "Seccomp", 10, &seccomp);
	if (seccomp) {
		snprintf(err, errlen, "pid %d has a seccomp %s of its own, which is not carried yet; it continues on this node",
			 (int)pid, seccomp == 1 ? "strict mode" : "filter");
		return EOPNOTSUPP;
	}
	return fd_not_carried(pid, err, errlen);
}
