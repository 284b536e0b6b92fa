// SPDX-License-Identifier: GPL-2.0
/*
 * pull_home fork|mmap: calls only the home node can run.  fork: every
 * round forks a child that execs /bin/echo into a pipe, and reaps it.
 * mmap: every round maps a file made at home (privately: a shared file
 * mapping cannot be dumped, and the random moment of the migration could
 * find one) and sees a change made to the file with pwrite.  Migrated,
 * the first such call sends the process home (pull-home), where it runs
 * natively and the rest of the rounds too; the results are the same.
 */
#include "zs.h"

#include <sys/mman.h>
#include <sys/wait.h>

#define LEN 65536

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

static void mmap_round(unsigned round, char *data)
{
	int fd = open("data", O_RDWR);
	unsigned at = round % LEN;
	char *map;

	zs_check(fd >= 0, "open: %s", strerror(errno));
	map = mmap(NULL, LEN, PROT_READ, MAP_PRIVATE, fd, 0);
	zs_check(map != MAP_FAILED, "round %u: mmap: %s", round, strerror(errno));
	zs_check(!memcmp(map, data, LEN), "round %u: mapped data", round);
	/* A page not copied on write shows what the file holds now. */
	data[at] ^= 0xff;
	zs_check(pwrite(fd, data + at, 1, at) == 1 && map[at] == data[at],
		 "round %u: the mapping does not show a pwrite", round);
	munmap(map, LEN);
	close(fd);
}

int main(int argc, char **argv)
{
	int fork_mode = argc > 1 && !strcmp(argv[1], "fork");
	static char data[LEN];
	uint32_t seed = 5;
	unsigned round, i;
	int fd;

	zs_check(argc > 1 && (fork_mode || !strcmp(argv[1], "mmap")), "usage: pull_home fork|mmap");
	for (i = 0; i < LEN; i++)
		data[i] = zs_rand(&seed);
	fd = open("data", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	zs_check(fd >= 0, "open: %s", strerror(errno));
	zs_write_all(fd, data, LEN);
	close(fd);
	zs_ready(getpid());

	for (round = 1; zs_more(); round++)
		if (fork_mode)
			fork_round(round);
		else
			mmap_round(round, data);
	zdtm_say("pull_home %s: ok\n", argv[1]);
	return 72;
}
