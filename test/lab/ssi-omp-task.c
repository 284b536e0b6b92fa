// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ssi-omp-task - one task of a threaded Slurm job (lab/s-01-threads-smp.sh):
 * an OpenMP program that counts the primes below 100000 * (task + 1)
 * with its team (OMP_NUM_THREADS, one per CPU Slurm gave it), again and
 * again until GOFILE exists, then prints the count and its team size.
 *
 *   ssi-omp-task GOFILE
 *
 * "started" comes once the team exists, so a rebalance moves a process of
 * several threads.  The counts are known (9592, 17984, ...): the output
 * shows that the moves changed nothing.
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int is_prime(long n)
{
	long d;

	if (n < 2)
		return 0;
	for (d = 2; d * d <= n; d++)
		if (n % d == 0)
			return 0;
	return 1;
}

static long count(long bound)
{
	long n, c = 0;

#pragma omp parallel for reduction(+:c) schedule(dynamic, 256)
	for (n = 0; n < bound; n++)
		c += is_prime(n);
	return c;
}

int main(int argc, char **argv)
{
	const char *id = getenv("SLURM_PROCID");
	long task = id ? atol(id) : 0, bound = 100000 * (task + 1), c;
	int team = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s GOFILE\n", argv[0]);
		return 2;
	}
#pragma omp parallel
#pragma omp single
	team = omp_get_num_threads();
	printf("task %ld: started, pid %d, %d threads\n", task, (int)getpid(), team);
	fflush(stdout);
	do
		c = count(bound);
	while (access(argv[1], F_OK) != 0);
	printf("task %ld: %ld primes below %ld, %d threads\n", task, c, bound, team);
	return 0;
}
