// SPDX-License-Identifier: GPL-2.0
/*
 * rlimits: every resource limit the process set before the move is the
 * same after it, where it runs (getrlimit reads the kernel's limit there,
 * the one it enforces).  Each soft limit is set to a value of its own
 * (none that would stop this program), the hard ones left as they are;
 * every round reads all of them back.  Every round also sets RLIMIT_NOFILE
 * and RLIMIT_CPU again (setrlimit, prlimit64), which once away must
 * change both where it runs (getrlimit, /proc/self/limits, which a moved
 * process reads there) and at home, where its fds are: dup2() to the
 * highest fd the new RLIMIT_NOFILE allows works, one above it is EBADF.
 */
#include "zs.h"

#include <sys/resource.h>

static const struct {
	int res;
	const char *name;
	rlim_t soft;		/* at most: the hard limit may be lower */
} want[] = {
	{ RLIMIT_CPU, "CPU", 360000 },
	{ RLIMIT_FSIZE, "FSIZE", 1ULL << 41 },
	{ RLIMIT_DATA, "DATA", 1ULL << 42 },
	{ RLIMIT_STACK, "STACK", 16 << 20 },
	{ RLIMIT_CORE, "CORE", 12345 << 12 },
	{ RLIMIT_RSS, "RSS", 1ULL << 43 },
	{ RLIMIT_NPROC, "NPROC", 54321 },
	{ RLIMIT_NOFILE, "NOFILE", 777 },
	{ RLIMIT_MEMLOCK, "MEMLOCK", 3 << 20 },
	{ RLIMIT_AS, "AS", 1ULL << 44 },
	{ RLIMIT_LOCKS, "LOCKS", 4242 },
	{ RLIMIT_SIGPENDING, "SIGPENDING", 3333 },
	{ RLIMIT_MSGQUEUE, "MSGQUEUE", 818181 },
	{ RLIMIT_NICE, "NICE", 7 },
	{ RLIMIT_RTPRIO, "RTPRIO", 3 },
	{ RLIMIT_RTTIME, "RTTIME", 4000000 },
};
#define N (sizeof(want) / sizeof(want[0]))

static struct rlimit set[N];

/* The soft limit /proc/self/limits shows on the line starting @name. */
static unsigned long long proc_soft(const char *name)
{
	char line[256];
	unsigned long long v = 0;
	FILE *f = fopen("/proc/self/limits", "r");

	zs_check(f != NULL, "/proc/self/limits: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, strlen(name)))
			v = strtoull(line + 26, NULL, 10);	/* "unlimited": 0 */
	fclose(f);
	return v;
}

/* Round @round's RLIMIT_NOFILE and RLIMIT_CPU: set, then read on both sides. */
static void change_limits(int round)
{
	struct rlimit r;
	unsigned int i;

	for (i = 0; i < N; i++) {
		if (want[i].res != RLIMIT_NOFILE && want[i].res != RLIMIT_CPU)
			continue;
		set[i].rlim_cur = want[i].soft - 1 - round % 50;
		if (set[i].rlim_cur > set[i].rlim_max)
			set[i].rlim_cur = set[i].rlim_max;
		if (want[i].res == RLIMIT_CPU)
			zs_check(!setrlimit(RLIMIT_CPU, &set[i]), "round %d: setrlimit CPU: %s",
				 round, strerror(errno));
		else
			zs_check(!prlimit(0, RLIMIT_NOFILE, &set[i], &r), "round %d: prlimit NOFILE: %s",
				 round, strerror(errno));
	}
	zs_check(dup2(0, (int)set[7].rlim_cur - 1) == (int)set[7].rlim_cur - 1,
		 "round %d: dup2 to fd %d: %s", round, (int)set[7].rlim_cur - 1,
		 strerror(errno));
	close((int)set[7].rlim_cur - 1);
	zs_check(dup2(0, (int)set[7].rlim_cur) < 0 && errno == EBADF,
		 "round %d: dup2 to fd %d, beyond RLIMIT_NOFILE, did not fail with EBADF",
		 round, (int)set[7].rlim_cur);
	zs_check(proc_soft("Max open files") == set[7].rlim_cur,
		 "round %d: /proc/self/limits shows %llu open files, set %llu", round,
		 proc_soft("Max open files"), (unsigned long long)set[7].rlim_cur);
	zs_check(proc_soft("Max cpu time") == set[0].rlim_cur,
		 "round %d: /proc/self/limits shows %llu s of CPU, set %llu", round,
		 proc_soft("Max cpu time"), (unsigned long long)set[0].rlim_cur);
}

int main(void)
{
	struct rlimit r;
	unsigned int i;
	int round = 0;

	for (i = 0; i < N; i++) {
		zs_check(!getrlimit(want[i].res, &r), "getrlimit %s", want[i].name);
		r.rlim_cur = want[i].soft < r.rlim_max ? want[i].soft : r.rlim_max;
		zs_check(!setrlimit(want[i].res, &r), "setrlimit %s: %s", want[i].name,
			 strerror(errno));
		set[i] = r;
	}
	zs_ready(getpid());
	while (zs_more()) {
		round++;
		change_limits(round);
		for (i = 0; i < N; i++) {
			zs_check(!getrlimit(want[i].res, &r), "getrlimit %s", want[i].name);
			zs_check(r.rlim_cur == set[i].rlim_cur && r.rlim_max == set[i].rlim_max,
				 "round %d: RLIMIT_%s is %llu/%llu, was set to %llu/%llu", round,
				 want[i].name, (unsigned long long)r.rlim_cur,
				 (unsigned long long)r.rlim_max,
				 (unsigned long long)set[i].rlim_cur,
				 (unsigned long long)set[i].rlim_max);
		}
		usleep(20000);
	}
	zdtm_say("rlimits: all %u limits are the same in every round\n", (unsigned int)N);
	return 0;
}
