/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zs_timer.h - what the timer and clock programs (posix_timer*.c,
 * cpu_timer.c, rusage.c) share: nanosecond arithmetic, a clock read that
 * fails the test, a timer's kernel id (si_timerid) from glibc's timer_t
 * (see posix_timer.c), and burning CPU time.
 */
#ifndef ZS_TIMER_H
#define ZS_TIMER_H

#include "zs.h"

#include <stdint.h>
#include <time.h>

/* glibc 2.36 (Debian 12) documents the name but does not define it. */
#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id	_sigev_un._tid
#endif

#define MS		1000000L	/* ns */
#define NS(s, ns)	((s) * 1000000000LL + (ns))

static inline int kid(timer_t t)
{
	return (int)(intptr_t)t;
}

static inline long long ns_of(const struct timespec *ts)
{
	return NS((long long)ts->tv_sec, ts->tv_nsec);
}

static inline long long now_ns(clockid_t clock)
{
	struct timespec ts;

	zs_check(!clock_gettime(clock, &ts), "clock_gettime %d: %s", (int)clock, strerror(errno));
	return ns_of(&ts);
}

/* Burn @ns of CPU time as @clock counts it (a thread's or the process's). */
static inline void zs_burn(clockid_t clock, long long ns)
{
	long long end = now_ns(clock) + ns;
	volatile unsigned long spin = 0;

	while (now_ns(clock) < end)
		spin++;
}

#endif /* ZS_TIMER_H */
