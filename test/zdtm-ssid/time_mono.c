// SPDX-License-Identifier: GPL-2.0
/*
 * time_mono: CLOCK_MONOTONIC and CLOCK_BOOTTIME never go back, across the
 * move included, and advance like CLOCK_REALTIME (to 2 s: the lab's nodes
 * set their wall clocks independently, about half a second apart);
 * the process CPU clock never goes back either, and an absolute
 * CLOCK_MONOTONIC sleep ends after its deadline.  Samples every 2 ms.
 *
 * Every failing check is printed once, with the size of the jump, and the
 * run goes on: all of them show up in the difference.
 */
#include "zs.h"

#include <time.h>

#define SLACK_NS 2000000000LL

static const struct {
	clockid_t id;
	const char *name;
} clocks[] = {
	{ CLOCK_MONOTONIC, "CLOCK_MONOTONIC" },
	{ CLOCK_BOOTTIME, "CLOCK_BOOTTIME" },
	{ CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID" },
	{ CLOCK_REALTIME, "CLOCK_REALTIME" },
};
enum { MONO, BOOT, CPU, REAL, NCLOCKS };

static long long now(int i)
{
	struct timespec ts;

	if (clock_gettime(clocks[i].id, &ts))
		zs_fail("clock_gettime %s: %s", clocks[i].name, strerror(errno));
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int failed[NCLOCKS][3];	/* went back, jumped, woke early */

static void report(int i, int kind, const char *what, long long ns)
{
	if (failed[i][kind]++)
		return;
	zdtm_say("time_mono: FAIL %s %s by %lld.%09lld s\n", clocks[i].name, what,
		 ns / 1000000000LL, ns % 1000000000LL);
}

int main(void)
{
	struct timespec tick = { 0, 2000000 }, abs;
	long long prev[NCLOCKS], cur[NCLOCKS], d_real, dev;
	unsigned round;
	int i, bad = 0;

	/*
	 * 0.3 s of CPU first: more than the remote restore helper uses, so a
	 * CPU clock that starts again from the helper's shows as going back.
	 */
	while (now(CPU) < 300000000LL)
		;
	for (i = 0; i < NCLOCKS; i++)
		prev[i] = now(i);
	zs_ready(getpid());

	for (round = 1; zs_more(); round++) {
		if (round % 10) {
			nanosleep(&tick, NULL);
		} else {
			/* An absolute sleep 20 ms after now, interrupted or not. */
			long long t = now(MONO) + 20000000;

			abs = (struct timespec){ t / 1000000000LL, t % 1000000000LL };
			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL) == EINTR)
				;
			if (now(MONO) < t)
				report(MONO, 2, "woke from an absolute sleep early", t - now(MONO));
		}
		for (i = 0; i < NCLOCKS; i++)
			cur[i] = now(i);
		for (i = 0; i < REAL; i++)
			if (cur[i] < prev[i])
				report(i, 0, "went back", prev[i] - cur[i]);
		d_real = cur[REAL] - prev[REAL];
		for (i = MONO; i <= BOOT; i++) {
			dev = (cur[i] - prev[i]) - d_real;
			if (dev > SLACK_NS || dev < -SLACK_NS)
				report(i, 1, "jumped against CLOCK_REALTIME", dev < 0 ? -dev : dev);
		}
		memcpy(prev, cur, sizeof(prev));
	}
	for (i = 0; i < NCLOCKS; i++)
		bad += failed[i][0] + failed[i][1] + failed[i][2];
	if (bad)
		return 1;
	zdtm_say("time_mono: ok, monotonic, boot and CPU clocks never went back\n");
	return 68;
}
