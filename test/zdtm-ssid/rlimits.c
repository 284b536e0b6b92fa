// SPDX-License-Identifier: GPL-2.0
/*
 * rlimits: every resource limit the process set before the move is the
 * same after it, where it runs (getrlimit reads the kernel's limit there,
 * the one it enforces).  Each soft limit is lowered to a value of its own
 * (none that would stop this program), the hard ones left as they are;
 * every round reads all of them back.
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
