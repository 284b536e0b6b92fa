// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ssi-syscall-loop - time a loop of ordinary system calls, for the
 * zero-cost benchmark (t-26): a process that never migrates must not pay
 * for ssi.ko being loaded or ssid running.
 *
 *   ssi-syscall-loop ITERATIONS
 *
 * Each iteration: getppid(2), read(2) of 64 bytes from /dev/zero and
 * write(2) of them to /dev/null.  Prints the nanoseconds per iteration.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	char buf[64];
	long i, n;
	int in, out;

	n = argc == 2 ? atol(argv[1]) : 0;
	in = open("/dev/zero", O_RDONLY);
	out = open("/dev/null", O_WRONLY);
	if (n <= 0 || in < 0 || out < 0) {
		fprintf(stderr, "usage: %s ITERATIONS\n", argv[0]);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		syscall(SYS_getppid);
		if (read(in, buf, sizeof(buf)) != sizeof(buf) ||
		    write(out, buf, sizeof(buf)) != sizeof(buf))
			return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}
