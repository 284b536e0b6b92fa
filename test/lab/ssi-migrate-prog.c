// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ssi-migrate-prog - the process the migration lab tests move.
 *
 *   ssi-migrate-prog MIB GOFILE OUTFILE EXITCODE
 *
 * 1. fills MIB MiB with a pattern and prints "pid=P" (before migration);
 * 2. waits (nanosleep, local) until GOFILE exists (access(): forwarded
 *    once migrated, so it looks at the home node's file system);
 * 3. checks the pattern, writes OUTFILE, reads stdin to its end, and
 *    prints what it saw: getpid() (the home pid, even remotely), the
 *    memory check, a checksum of stdin, and a line written in pieces;
 * 4. exits with EXITCODE.
 * With SSI_TEST_MAP=FILE in the environment it also maps FILE privately
 * (deleted after, it makes the migration refused; only at home, it is
 * copied to the remote node).  With
 * SSI_TEST_VFORK=S a second thread vforks a child that sleeps S seconds
 * before it exits: meanwhile that thread is in vfork (its child shares
 * the memory), which no migration can carry.
 * The output is the same whether or not it was migrated in step 2, so
 * the tests compare a migrated run with an unmigrated one byte for byte.
 * The pid differs between runs: it is printed on its own lines, and the
 * test compares "pid before" with "pid after" itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static uint64_t pattern(uint64_t i)
{
	i ^= i >> 33;
	i *= 0xff51afd7ed558ccdULL;
	i ^= i >> 33;
	return i;
}

/* The vfork child only makes raw system calls: it shares our memory. */
static void *vforker(void *arg)
{
	struct timespec ts = { atoi(arg), 0 };
	pid_t child = vfork();

	if (child == 0) {
		syscall(SYS_nanosleep, &ts, NULL);
		syscall(SYS_exit, 0);
	}
	if (child > 0)
		waitpid(child, NULL, 0);
	return NULL;
}

int main(int argc, char **argv)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	size_t mib, n, i, bad = 0, total = 0;
	uint64_t *mem;
	uint32_t sum = 0;
	char buf[65536], line[256];
	int code, fd, waited = 0, len;
	ssize_t r;

	if (argc != 5) {
		fprintf(stderr, "usage: %s MIB GOFILE OUTFILE EXITCODE\n", argv[0]);
		return 2;
	}
	mib = strtoul(argv[1], NULL, 10);
	code = atoi(argv[4]);
	n = mib * (1u << 20) / sizeof(*mem);
	mem = malloc(n * sizeof(*mem) + 1);
	if (!mem)
		return 3;
	for (i = 0; i < n; i++)
		mem[i] = pattern(i);
	if (getenv("SSI_TEST_MAP")) {
		fd = open(getenv("SSI_TEST_MAP"), O_RDONLY);
		if (fd < 0 || mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED)
			return 6;
		close(fd);
	}
	if (getenv("SSI_TEST_VFORK")) {
		pthread_t t;

		if (pthread_create(&t, NULL, vforker, getenv("SSI_TEST_VFORK")))
			return 7;
	}
	printf("pid before=%d\n", (int)getpid());
	fflush(stdout);

	/* up to 10 minutes: a slow TCG lab moves big images slowly */
	while (access(argv[2], F_OK) != 0 && waited++ < 12000)
		nanosleep(&ts, NULL);

	for (i = 0; i < n; i++)
		if (mem[i] != pattern(i))
			bad++;
	fd = open(argv[3], O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0)
		return 4;
	len = snprintf(line, sizeof(line), "memory %zu MiB, %zu bad words\n", mib, bad);
	if (write(fd, line, (size_t)len) != len || close(fd))
		return 5;
	while ((r = read(0, buf, sizeof(buf))) > 0) {
		for (i = 0; i < (size_t)r; i++)
			sum = sum * 31 + (unsigned char)buf[i];
		total += (size_t)r;
	}
	if (r < 0)
		printf("read error: %s\n", strerror(errno));
	printf("pid after=%d\n", (int)getpid());
	printf("ppid-is-home=%d\n", getppid() > 1);
	printf("memory %s (%zu bad words of %zu)\n", bad ? "CORRUPT" : "intact", bad, n);
	printf("stdin %zu bytes, sum %08x\n", total, sum);
	fputs("a line ", stdout);
	fflush(stdout);
	fputs("written in ", stdout);
	fflush(stdout);
	fputs("pieces\n", stdout);
	fprintf(stderr, "to stderr: exiting %d\n", code);
	return code;
}
