// SPDX-License-Identifier: GPL-2.0
/*
 * omp_loop: an OpenMP program (gcc -fopenmp, libgomp) migrated in the
 * middle of its parallel loops.  Its team of four threads is made before
 * the move and reused by every parallel region after it, on the remote
 * node: each round a parallel loop reduces a checksum over an array that
 * the threads also update, checked against the same work done by one
 * thread; every thread of the team keeps its id from round to round.
 */
#include "zs.h"

#include <omp.h>
#include <sys/syscall.h>

#define N	(1 << 18)
#define TEAM	4

static uint64_t a[N];

static uint64_t mix(uint64_t x, uint64_t r)
{
	x ^= r * 0x9e3779b97f4a7c15ULL;
	x *= 0xff51afd7ed558ccdULL;
	return x ^ (x >> 29);
}

int main(void)
{
	pid_t team[TEAM] = { 0 };
	uint64_t round = 0, want, got;
	long i;
	int bad = 0;

	for (i = 0; i < N; i++)
		a[i] = (uint64_t)i * 2654435761u;
	omp_set_dynamic(0);
#pragma omp parallel num_threads(TEAM)
	{
		zs_check(omp_get_num_threads() == TEAM, "a team of %d", omp_get_num_threads());
		team[omp_get_thread_num()] = (pid_t)syscall(SYS_gettid);
	}
	zs_ready(getpid());

	while (zs_more()) {
		round++;
		want = 0;
		for (i = 0; i < N; i++)
			want += mix(a[i], round);
		got = 0;
#pragma omp parallel num_threads(TEAM) reduction(+:got) reduction(|:bad)
		{
			int me = omp_get_thread_num();

			bad |= (pid_t)syscall(SYS_gettid) != team[me];
#pragma omp for schedule(static)
			for (i = 0; i < N; i++) {
				got += mix(a[i], round);
				a[i] = mix(a[i], round + 1);
			}
		}
		zs_check(!bad, "round %llu: a team thread changed its id",
			 (unsigned long long)round);
		zs_check(got == want, "round %llu: parallel sum %016llx, serial %016llx",
			 (unsigned long long)round, (unsigned long long)got,
			 (unsigned long long)want);
	}
	zdtm_say("omp_loop: every parallel sum matched, the team of %d kept its ids\n", TEAM);
	return 63;
}
