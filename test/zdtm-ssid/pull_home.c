// SPDX-License-Identifier: GPL-2.0
/*
 * pull_home fork|mmap: calls only the home node can run.  fork: every
 * round forks a child that execs /bin/echo into a pipe, and reaps it.
 * mmap: every round maps its own executable privately and compares it
 * with what read() gives.  The migration may find such a mapping: then
 * it must be of a file with the same path on every node (the remote node
 * opens it again), and private (a shared file mapping cannot be dumped).
 * Migrated, the first such call sends the process home (pull-home), where
 * it runs natively and the rest of the rounds too; the results are the
 * same.
 */
#include "zs.h"

#include <sys/mman.h>
#include <sys/wait.h>

#define LEN 16384	/* of the executable, which is larger */

static void fork_round(unsigned round)
{
	char out[64], want[64];
	pid_t me = getpid(), pid;
	int p[2], st, n;

	zs_check(!pipe(p), "pipe: %s", strerror(errno));
	pid = fork();
	zs_check(pid >= 0, "round %u: fork: %s", round, strerror(errno));
	if (!pid) {
		snprintf(out, sizeof(out), "%u %s", round, getppid() == me ? "parent" : "orphan");
		dup2(p[1], 1);
		execl("/bin/echo", "echo", "child of round", out, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	snprintf(want, sizeof(want), "child of round %u parent\n", round);
	n = zs_read_all(p[0], out, strlen(want));
	zs_check(n && !memcmp(out, want, n) && !zs_read_all(p[0], out, 1),
		 "round %u: the child said %.*s", round, n, out);
	close(p[0]);
	zs_check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st),
		 "round %u: child status %#x", round, st);
}

static void mmap_round(unsigned round, int fd, const char *exe)
{
	char *map = mmap(NULL, LEN, PROT_READ, MAP_PRIVATE, fd, 0);

	zs_check(map != MAP_FAILED, "round %u: mmap: %s", round, strerror(errno));
	zs_check(!memcmp(map, exe, LEN), "round %u: the mapping differs from the file", round);
	munmap(map, LEN);
}

int main(int argc, char **argv)
{
	int fork_mode = argc > 1 && !strcmp(argv[1], "fork");
	static char exe[LEN];
	unsigned round;
	int fd;

	zs_check(argc > 1 && (fork_mode || !strcmp(argv[1], "mmap")), "usage: pull_home fork|mmap");
	fd = open("/proc/self/exe", O_RDONLY);
	zs_check(fd >= 0 && zs_read_all(fd, exe, LEN), "reading /proc/self/exe: %s", strerror(errno));
	zs_ready(getpid());

	for (round = 1; zs_more(); round++)
		if (fork_mode)
			fork_round(round);
		else
			mmap_round(round, fd, exe);
	zdtm_say("pull_home %s: ok\n", argv[1]);
	return 72;
}
