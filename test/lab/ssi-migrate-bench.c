// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ssi-migrate-bench - what a migrated process pays per system call.
 *
 *   ssi-migrate-bench MIB GOFILE ITERS [THREADS]
 *
 * Fills MIB MiB (so the image has a size worth timing), starts THREADS - 1
 * more threads (default 1: none), which wait, prints its pid, waits until
 * GOFILE exists (the test migrates it meanwhile), then times ITERS calls
 * of each kind and prints the mean in microseconds:
 *   read64_us  read(fd, buf, 64) on /dev/zero: forwarded home and back
 *   cached_us  getppid(): answered by the remote ssid (seccomp round trip)
 *   local_us   getrandom(buf, 64): runs on the node itself
 * and, with THREADS > 1, the throughput of forwarded 64 B reads, ITERS
 * each, by one thread and then by all THREADS at once (calls per second):
 *   read64_tput_1, read64_tput_n
 * Clocks are read through the vDSO, which stays local.
 */
#include <fcntl.h>
#include <pthread.h>
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

static int zero_fd, iters, nthreads = 1;
static pthread_barrier_t start_line;

/* ITERS forwarded reads; 0, or 5 for a short one. */
static int reads(void)
{
	char buf[64];
	int i;

	for (i = 0; i < iters; i++)
		if (read(zero_fd, buf, sizeof(buf)) != sizeof(buf))
			return 5;
	return 0;
}

/* An extra thread: waits for the go, then reads with the others. */
static void *reader(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&start_line);
	return (void *)(intptr_t)reads();
}

/* Forwarded reads by one thread, then by all at once: calls per second. */
static int throughput(pthread_t *t)
{
	double t0, one, all;
	void *ret;
	int i, rc = 0;

	t0 = now_us();
	if (reads())
		return 5;
	one = iters / ((now_us() - t0) / 1e6);
	t0 = now_us();
	pthread_barrier_wait(&start_line);
	rc = reads();
	for (i = 1; i < nthreads; i++) {
		pthread_join(t[i], &ret);
		rc |= (int)(intptr_t)ret;
	}
	all = (double)iters * nthreads / ((now_us() - t0) / 1e6);
	printf("read64_tput_1=%.0f\nread64_tput_n=%.0f\n", one, all);
	return rc;
}

int main(int argc, char **argv)
{
	pthread_t th[64];
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	char buf[64];
	size_t mib, i;
	int fd, waited = 0;
	uint8_t *mem;
	double t;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: %s MIB GOFILE ITERS [THREADS]\n", argv[0]);
		return 2;
	}
	mib = strtoul(argv[1], NULL, 10);
	iters = atoi(argv[3]);
	if (argc == 5)
		nthreads = atoi(argv[4]);
	mem = malloc(mib << 20 | 1);
	if (!mem || iters < 1 || nthreads < 1 || nthreads > 64)
		return 3;
	for (i = 0; i < mib << 20; i++)
		mem[i] = (uint8_t)(i * 131 + (i >> 12));
	pthread_barrier_init(&start_line, NULL, (unsigned int)nthreads);
	for (i = 1; i < (size_t)nthreads; i++)
		if (pthread_create(&th[i], NULL, reader, NULL))
			return 3;
	printf("pid before=%d\n", (int)getpid());
	fflush(stdout);
	while (access(argv[2], F_OK) != 0 && waited++ < 12000)
		nanosleep(&ts, NULL);

	fd = zero_fd = open("/dev/zero", O_RDONLY);
	if (fd < 0)
		return 4;
	if (nthreads > 1)
		return throughput(th);
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
