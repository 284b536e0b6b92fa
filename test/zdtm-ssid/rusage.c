// SPDX-License-Identifier: GPL-2.0
/*
 * rusage: what getrusage and times count for the process goes on from
 * where it was after the move, and its children's stays what it was.
 * Before: a child burns 200 ms of CPU and touches 32 MiB, and is waited
 * for; the process touches 64 MiB and unmaps it, burns 100 ms, sleeps a
 * few times.  Every round (5 ms of CPU, a sleep): getrusage(RUSAGE_SELF)
 * and times() never go back (CPU times, faults, context switches), the
 * largest resident set stays at least 64 MiB; getrusage(RUSAGE_CHILDREN)
 * and times()'s children times stay exactly as they were.
 */
#include "zs_timer.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>

static void touch(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	zs_check(p != MAP_FAILED, "mmap: %s", strerror(errno));
	memset(p, 1, len);
	munmap(p, len);
}

static long long us(const struct timeval *tv)
{
	return tv->tv_sec * 1000000LL + tv->tv_usec;
}

int main(void)
{
	struct rusage self0, child0, prev, r;
	struct tms t0, tprev, t;
	int round = 0, status;
	pid_t pid;

	pid = fork();
	zs_check(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		touch(32 << 20);
		zs_burn(CLOCK_PROCESS_CPUTIME_ID, 200 * MS);
		_exit(0);
	}
	zs_check(waitpid(pid, &status, 0) == pid && WIFEXITED(status), "waitpid");
	touch(64 << 20);
	zs_burn(CLOCK_PROCESS_CPUTIME_ID, 100 * MS);
	for (int i = 0; i < 5; i++)
		usleep(1000);
	zs_check(!getrusage(RUSAGE_SELF, &self0) && !getrusage(RUSAGE_CHILDREN, &child0) &&
		 times(&t0) != (clock_t)-1, "getrusage: %s", strerror(errno));
	zs_check(self0.ru_maxrss >= 64 << 10 && child0.ru_maxrss >= 32 << 10 &&
		 us(&child0.ru_utime) + us(&child0.ru_stime) >= 150000,
		 "before the move: maxrss %ld KiB, children's %ld KiB, children's CPU %lld us",
		 self0.ru_maxrss, child0.ru_maxrss,
		 us(&child0.ru_utime) + us(&child0.ru_stime));
	prev = self0;
	tprev = t0;
	zs_ready(getpid());
	while (zs_more()) {
		round++;
		zs_burn(CLOCK_PROCESS_CPUTIME_ID, 5 * MS);
		usleep(2000);
		zs_check(!getrusage(RUSAGE_SELF, &r), "getrusage: %s", strerror(errno));
		zs_check(us(&r.ru_utime) + us(&r.ru_stime) >= us(&prev.ru_utime) + us(&prev.ru_stime) &&
			 us(&r.ru_utime) >= us(&prev.ru_utime) && us(&r.ru_stime) >= us(&prev.ru_stime),
			 "round %d: CPU time went back: user %lld system %lld us, was %lld %lld",
			 round, us(&r.ru_utime), us(&r.ru_stime), us(&prev.ru_utime),
			 us(&prev.ru_stime));
		zs_check(r.ru_minflt >= prev.ru_minflt && r.ru_majflt >= prev.ru_majflt &&
			 r.ru_nvcsw >= prev.ru_nvcsw && r.ru_nivcsw >= prev.ru_nivcsw &&
			 r.ru_inblock >= prev.ru_inblock && r.ru_oublock >= prev.ru_oublock,
			 "round %d: a counter went back: faults %ld/%ld, switches %ld/%ld, "
			 "blocks %ld/%ld (were %ld/%ld, %ld/%ld, %ld/%ld)", round, r.ru_minflt,
			 r.ru_majflt, r.ru_nvcsw, r.ru_nivcsw, r.ru_inblock, r.ru_oublock,
			 prev.ru_minflt, prev.ru_majflt, prev.ru_nvcsw, prev.ru_nivcsw,
			 prev.ru_inblock, prev.ru_oublock);
		zs_check(r.ru_maxrss >= self0.ru_maxrss, "round %d: maxrss %ld KiB, was %ld",
			 round, r.ru_maxrss, self0.ru_maxrss);
		prev = r;
		zs_check(!getrusage(RUSAGE_CHILDREN, &r), "getrusage: %s", strerror(errno));
		zs_check(!memcmp(&r, &child0, sizeof(r)),
			 "round %d: the children's usage changed: CPU %lld us, maxrss %ld KiB "
			 "(was %lld, %ld)", round, us(&r.ru_utime) + us(&r.ru_stime), r.ru_maxrss,
			 us(&child0.ru_utime) + us(&child0.ru_stime), child0.ru_maxrss);
		zs_check(times(&t) != (clock_t)-1, "times: %s", strerror(errno));
		zs_check(t.tms_utime + t.tms_stime >= tprev.tms_utime + tprev.tms_stime &&
			 t.tms_cutime == t0.tms_cutime && t.tms_cstime == t0.tms_cstime,
			 "round %d: times() says %ld+%ld, children %ld+%ld (was %ld+%ld, %ld+%ld)",
			 round, (long)t.tms_utime, (long)t.tms_stime, (long)t.tms_cutime,
			 (long)t.tms_cstime, (long)tprev.tms_utime, (long)tprev.tms_stime,
			 (long)t0.tms_cutime, (long)t0.tms_cstime);
		tprev = t;
	}
	zdtm_say("rusage: the process's usage never went back, its children's stayed\n");
	return 0;
}
