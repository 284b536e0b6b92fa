/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clock.h - the clocks ssid and ssictl read: every deadline, timer and
 * age in ssid is on the monotonic clock (it never jumps with the wall
 * clock); a migration also carries CLOCK_BOOTTIME to the remote node.
 */
#ifndef SSID_CLOCK_H
#define SSID_CLOCK_H

#include <stdint.h>
#include <time.h>

/* clock_ns - @clock now, in ns (0 if the clock cannot be read). */
static inline uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* clock_mono_ns, clock_mono_ms - the monotonic clock. */
static inline uint64_t clock_mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static inline uint64_t clock_mono_ms(void)
{
	return clock_mono_ns() / 1000000ull;
}

#endif /* SSID_CLOCK_H */
