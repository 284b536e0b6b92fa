// SPDX-License-Identifier: GPL-2.0
/*
 * fatal_child: a migrated child dies of a fatal signal of its own making
 * (SIGSEGV from a bad pointer, or SIGABRT from abort()) and its parent at
 * home sees exactly the wait status an unmigrated child gives: the deputy
 * dies of the same signal.  Core dumps are off (RLIMIT_CORE 0) in both
 * runs: the deputy never leaves a core file at home.
 *
 *   fatal_child segv|abrt
 */
#include "zs.h"

#include <sys/resource.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	struct rlimit nocore = { 0, 0 };
	int segv = argc > 1 && !strcmp(argv[1], "segv"), st;
	uint32_t seed = 1, sum = 0;
	pid_t pid;

	zs_check(argc > 1 && (segv || !strcmp(argv[1], "abrt")), "usage: fatal_child segv|abrt");
	zs_check(!setrlimit(RLIMIT_CORE, &nocore), "setrlimit: %s", strerror(errno));
	pid = fork();
	zs_check(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		/* work in rounds (forwarded stop checks), then die */
		while (zs_more())
			for (int i = 0; i < 100000; i++)
				sum += zs_rand(&seed);
		if (segv)
			*(volatile uint32_t *)(uintptr_t)(sum | 1) = 0;	/* never mapped */
		abort();
	}
	zs_ready(pid);
	zs_check(waitpid(pid, &st, 0) == pid, "waitpid: %s", strerror(errno));
	zdtm_say("fatal_child: status 0x%x: %s %d%s\n", st,
		 WIFSIGNALED(st) ? "signal" : "exit",
		 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st),
		 WIFSIGNALED(st) && WCOREDUMP(st) ? " (core)" : "");
	return 75;
}
