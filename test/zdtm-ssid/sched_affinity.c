// SPDX-License-Identifier: GPL-2.0
/*
 * sched_affinity bound|free: the CPU affinity of each of the process's
 * two threads after the move.  "bound": the main thread is bound to the
 * node's last CPU, the other to CPU 0 (one CPU each, unlike each other):
 * each reads the same mask where it runs and runs on that CPU.  "free":
 * nothing set: each may run on every CPU of the node it is on (the
 * remote node's, not home's numbers, not the restorer's own mask).  The
 * kernel keeps the mask per thread; the image carries it per thread.
 */
#include "zs.h"

#include <sched.h>
#include <unistd.h>

static cpu_set_t want[2];	/* [0]: the main thread, [1]: the other */
static int bound;

static void read_mask(cpu_set_t *m)
{
	CPU_ZERO(m);
	zs_check(!sched_getaffinity(0, sizeof(*m), m), "sched_getaffinity: %s",
		 strerror(errno));
}

static void check_mask(int who)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t m;
	int cpu;

	read_mask(&m);
	if (!bound) {
		zs_check(CPU_COUNT(&m) == online,
			 "round %d, thread %d: free, but %d of the %ld CPUs here",
			 zs_round, who, CPU_COUNT(&m), online);
		return;
	}
	zs_check(CPU_EQUAL(&m, &want[who]),
		 "round %d, thread %d: mask of %d CPUs, first %s; was bound to CPU %d",
		 zs_round, who, CPU_COUNT(&m), CPU_ISSET(0, &m) ? "0" : "not 0",
		 who ? 0 : (int)online - 1);
	cpu = sched_getcpu();
	zs_check(cpu >= 0 && CPU_ISSET(cpu, &want[who]),
		 "round %d, thread %d: runs on CPU %d, outside its mask", zs_round, who, cpu);
}

static void setup(int who)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t m;

	if (bound) {
		CPU_ZERO(&m);
		CPU_SET(who ? 0 : online - 1, &m);
		zs_check(!sched_setaffinity(0, sizeof(m), &m), "sched_setaffinity: %s",
			 strerror(errno));
	}
	read_mask(&want[who]);
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";

	if (!strcmp(what, "bound"))
		bound = 1;
	else if (strcmp(what, "free"))
		zs_fail("usage: sched_affinity bound|free");
	zs_in_step(2, setup, check_mask);
	zs_in_step_join();
	zdtm_say("sched_affinity %s: the same in both threads in every round\n", what);
	return 0;
}
