// SPDX-License-Identifier: GPL-2.0
/*
 * sched_state WHAT: the scheduling state of each of the process's two
 * threads reads the same after the move: policy, realtime priority,
 * reset-on-fork, nice value and io priority.  The kernel keeps them per
 * thread, and the remote node's restorer (ssid's helper, which runs at
 * ssid's nice value) has values of its own that must not leak into the
 * process.  WHAT sets one kind of item, different in the two threads, or
 * nothing ("default": what a process starts with).  Every round each
 * thread reads all of them.
 */
#include "zs.h"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>

/* <linux/ioprio.h> is not in every libc's headers */
#define IOPRIO_CLASS_SHIFT	13
#define IOPRIO_CLASS_BE		2
#define IOPRIO_CLASS_IDLE	3
#define IOPRIO_WHO_PROCESS	1
#define IOPRIO(class, level)	((class) << IOPRIO_CLASS_SHIFT | (level))

struct state {
	int policy, rt_priority, nice, ioprio;
};

static struct state want[2];	/* [0]: the main thread, [1]: the other */
static const char *what;

/* All of them of the calling thread: 0 names the caller, not the process. */
static void read_state(struct state *s)
{
	struct sched_param sp;

	s->policy = sched_getscheduler(0);
	zs_check(s->policy >= 0, "sched_getscheduler: %s", strerror(errno));
	zs_check(!sched_getparam(0, &sp), "sched_getparam: %s", strerror(errno));
	s->rt_priority = sp.sched_priority;
	errno = 0;
	s->nice = getpriority(PRIO_PROCESS, 0);
	zs_check(!errno, "getpriority: %s", strerror(errno));
	s->ioprio = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0);
	zs_check(s->ioprio >= 0, "ioprio_get: %s", strerror(errno));
}

static void check_state(int who)
{
	struct state s;

	read_state(&s);
	zs_check(!memcmp(&s, &want[who], sizeof(s)),
		 "round %d, thread %d: policy %#x priority %d nice %d ioprio %#x; "
		 "was %#x %d %d %#x", zs_round, who, s.policy, s.rt_priority, s.nice,
		 s.ioprio, want[who].policy, want[who].rt_priority, want[who].nice,
		 want[who].ioprio);
}

static void set_policy(int policy, int prio)
{
	struct sched_param sp = { .sched_priority = prio };

	zs_check(!sched_setscheduler(0, policy, &sp), "sched_setscheduler %#x: %s",
		 policy, strerror(errno));
}

/* Each thread's own items; @who 1 gets values unlike the main thread's. */
static void set_items(const char *what, int who)
{
	if (!strcmp(what, "nice"))
		zs_check(!setpriority(PRIO_PROCESS, 0, who ? 13 : 7),
			 "setpriority: %s", strerror(errno));
	else if (!strcmp(what, "batch"))
		set_policy(who ? SCHED_IDLE : SCHED_BATCH, 0);
	else if (!strcmp(what, "rr"))
		/* the other thread only: it sleeps between rounds */
		set_policy(who ? SCHED_RR : SCHED_OTHER, who ? 3 : 0);
	else if (!strcmp(what, "reset_on_fork"))
		set_policy((who ? SCHED_BATCH : SCHED_OTHER) | SCHED_RESET_ON_FORK, 0);
	else if (!strcmp(what, "ioprio"))
		zs_check(!syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0,
				  who ? IOPRIO(IOPRIO_CLASS_IDLE, 0) : IOPRIO(IOPRIO_CLASS_BE, 6)),
			 "ioprio_set: %s", strerror(errno));
	else if (strcmp(what, "default"))
		zs_fail("usage: sched_state default|nice|batch|rr|reset_on_fork|ioprio");
	/* under SCHED_BATCH a nice value still weighs: give one */
	if (!strcmp(what, "batch"))
		zs_check(!setpriority(PRIO_PROCESS, 0, who ? 0 : 4), "setpriority: %s",
			 strerror(errno));
}

/* The item @what names, set in each thread, and what it reads then. */
static void setup(int who)
{
	set_items(what, who);
	read_state(&want[who]);
}

int main(int argc, char **argv)
{
	what = argc > 1 ? argv[1] : "";

	zs_in_step(2, setup, check_state);
	zs_in_step_join();
	zdtm_say("sched_state %s: the same in both threads in every round\n", what);
	return 0;
}
