// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ssi-migrate-bench - what a migrated process pays per system call.
 *
 *   ssi-migrate-bench MIB GOFILE ITERS
 *
 * Fills MIB MiB (so the image has a size worth timing), prints its pid,
 * waits until GOFILE exists (the test migrates it meanwhile), then times
 * ITERS calls of each kind and prints the mean in microseconds:
 *   read64_us  read(fd, buf, 64) on /dev/zero: forwarded home and back
 *   cached_us  getppid(): answered by the remote ssid (seccomp round trip)
 *   local_us   getrandom(buf, 64): runs on the node itself
 * Clocks are read through the vDSO, which stays local.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/syscall.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	char buf[64];
	size_t mib, i;
	int iters, fd, waited = 0;
	uint8_t *mem;
	double t;

	if (argc != 4) {
		fprintf(stderr, "usage: %s MIB GOFILE ITERS\n", argv[0]);
		return 2;
	}
	mib = strtoul(argv[1], NULL, 10);
	iters = atoi(argv[3]);
	mem = malloc(mib << 20 | 1);
	if (!mem || iters < 1)
		return 3;
	for (i = 0; i < mib << 20; i++)
		mem[i] = (uint8_t)(i * 131 + (i >> 12));
	printf("pid before=%d\n", (int)getpid());
	fflush(stdout);
	while (access(argv[2], F_OK) != 0 && waited++ < 12000)
		nanosleep(&ts, NULL);

	fd = open("/dev/zero", O_RDONLY);
	if (fd < 0)
		return 4;
	t = now_us();
	for (i = 0; i < (size_t)iters; i++)
		if (read(fd, buf, sizeof(buf)) != sizeof(buf))
			return 5;
	printf("read64_us=%.1f\n", (now_us() - t) / iters);
	t = now_us();
	for (i = 0; i < (size_t)iters; i++)
		syscall(SYS_getppid);
	printf("cached_us=%.1f\n", (now_us() - t) / iters);
	t = now_us();
	for (i = 0; i < (size_t)iters; i++)
		if (getrandom(buf, sizeof(buf), 0) != sizeof(buf))
			return 6;
	printf("local_us=%.2f\n", (now_us() - t) / iters);
	return 0;
}
