// SPDX-License-Identifier: GPL-2.0
/*
 * proc_self_threads: four threads open, read and close the process's own
 * /proc entries at once, every round.  Away from home each open is made
 * at home and installed where the process runs, under the number home
 * gave; a close frees the number at home for another thread's open.
 * Every fd must read its own entry, describing the process where it runs,
 * never fail with EBADF nor read another's.
 */
#include "zs.h"

#include <sys/syscall.h>

#define NTHREADS	4
#define OPENS		6

/* The pid /proc/self/stat starts with, and the tid of thread-self's. */
static void read_own(int who, int k)
{
	const char *path = k % 2 ? "/proc/thread-self/stat" : "/proc/self/stat";
	long want = k % 2 ? (long)syscall(SYS_gettid) : (long)getpid();
	char buf[1024] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	zs_check(fd >= 0, "round %d, thread %d: open %s: %s", zs_round, who, path,
		 strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	zs_check(n > 0, "round %d, thread %d: read %s from fd %d: %s", zs_round, who,
		 path, fd, n < 0 ? strerror(errno) : "nothing");
	zs_check(strtol(buf, NULL, 10) == want, "round %d, thread %d: %s (fd %d) says %.20s, not %ld",
		 zs_round, who, path, fd, buf, want);
	zs_check(!close(fd), "round %d, thread %d: close fd %d: %s", zs_round, who, fd,
		 strerror(errno));
}

static void setup(int who)
{
	(void)who;
}

static void check(int who)
{
	int k;

	for (k = 0; k < OPENS; k++)
		read_own(who, k + who);
}

int main(void)
{
	zs_in_step(NTHREADS, setup, check);
	zs_in_step_join();
	zdtm_say("proc_self_threads: %d threads read their own entries in every round\n",
		 NTHREADS);
	return 0;
}
