// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ssi-clock-prog - the process the clock test (t-32) migrates.
 *
 *   ssi-clock-prog GOFILE
 *
 * Prints "pid=P", then reads CLOCK_MONOTONIC and CLOCK_BOOTTIME (through
 * the vDSO) in a loop until GOFILE exists, remembering the largest step
 * backwards of each, and prints them: a process must never see its clocks
 * run backwards, whichever node it runs on.  Exits 0 if they never did.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static int64_t ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	int64_t m, b, pm, pb, back_m = 0, back_b = 0, reads = 0, next;

	if (argc != 2) {
		fprintf(stderr, "usage: %s GOFILE\n", argv[0]);
		return 2;
	}
	printf("pid=%d\n", (int)getpid());
	fflush(stdout);
	pm = ns(CLOCK_MONOTONIC);
	pb = ns(CLOCK_BOOTTIME);
	next = pm;
	for (;;) {
		m = ns(CLOCK_MONOTONIC);
		b = ns(CLOCK_BOOTTIME);
		reads++;
		if (pm - m > back_m)
			back_m = pm - m;
		if (pb - b > back_b)
			back_b = pb - b;
		pm = m;
		pb = b;
		if (m >= next) {	/* a forwarded call now and then */
			if (access(argv[1], F_OK) == 0)
				break;
			next = m + 20 * 1000000LL;
		}
	}
	printf("reads=%lld monotonic_back_ns=%lld boottime_back_ns=%lld\n",
	       (long long)reads, (long long)back_m, (long long)back_b);
	return back_m || back_b;
}
