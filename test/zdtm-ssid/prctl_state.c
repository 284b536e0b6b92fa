// SPDX-License-Identifier: GPL-2.0
/*
 * prctl_state WHAT: the prctl() state of the process and of each of its
 * two threads reads the same after the move.  WHAT sets one item before
 * it (dumpable off, THP disabled, a timer slack per thread, a
 * parent-death signal per thread, no_new_privs), or nothing ("default":
 * the values a process starts with, which the restore helper's own must
 * not replace).  Every round reads all of them, in both threads.
 */
#include "zs.h"

#include <pthread.h>
#include <sys/prctl.h>

struct state {
	long dumpable, thp_disable, slack, pdeathsig, nnp;
};

static struct state want[2];	/* [0]: the main thread, [1]: the other */
static pthread_barrier_t go, done;
static volatile int stop;
static int round_no;

static void read_state(struct state *s)
{
	int sig = 0;

	s->dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	s->thp_disable = prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0);
	s->slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	zs_check(!prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0), "PR_GET_PDEATHSIG: %s",
		 strerror(errno));
	s->pdeathsig = sig;
	s->nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
}

static void check_state(int who)
{
	struct state s;

	read_state(&s);
	zs_check(!memcmp(&s, &want[who], sizeof(s)),
		 "round %d, thread %d: dumpable %ld thp_disable %ld slack %ld pdeathsig %ld "
		 "nnp %ld; was %ld %ld %ld %ld %ld", round_no, who, s.dumpable,
		 s.thp_disable, s.slack, s.pdeathsig, s.nnp, want[who].dumpable,
		 want[who].thp_disable, want[who].slack, want[who].pdeathsig,
		 want[who].nnp);
}

/* Thread 1's own items, then its checks, in step with the main thread. */
static void set_items(const char *what, int who)
{
	if (!strcmp(what, "timerslack"))
		zs_check(!prctl(PR_SET_TIMERSLACK, who ? 777777 : 123457, 0, 0, 0),
			 "PR_SET_TIMERSLACK: %s", strerror(errno));
	if (!strcmp(what, "pdeathsig"))
		zs_check(!prctl(PR_SET_PDEATHSIG, who ? SIGUSR1 : SIGUSR2, 0, 0, 0),
			 "PR_SET_PDEATHSIG: %s", strerror(errno));
}

static void *other(void *arg)
{
	set_items(arg, 1);
	read_state(&want[1]);
	pthread_barrier_wait(&go);
	for (;;) {
		pthread_barrier_wait(&go);
		if (stop)
			break;
		check_state(1);
		pthread_barrier_wait(&done);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	pthread_t t;

	if (!strcmp(what, "dumpable"))
		zs_check(!prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "PR_SET_DUMPABLE: %s",
			 strerror(errno));
	else if (!strcmp(what, "thp_disable"))
		zs_check(!prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0), "PR_SET_THP_DISABLE: %s",
			 strerror(errno));
	else if (!strcmp(what, "nnp"))
		zs_check(!prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "PR_SET_NO_NEW_PRIVS: %s",
			 strerror(errno));
	else if (strcmp(what, "timerslack") && strcmp(what, "pdeathsig") &&
		 strcmp(what, "default"))
		zs_fail("usage: prctl_state default|dumpable|thp_disable|timerslack|"
			"pdeathsig|nnp");
	set_items(what, 0);
	read_state(&want[0]);
	pthread_barrier_init(&go, NULL, 2);
	pthread_barrier_init(&done, NULL, 2);
	zs_check(!pthread_create(&t, NULL, other, (void *)what), "pthread_create");
	pthread_barrier_wait(&go);
	zs_ready(getpid());
	while (zs_more()) {
		round_no++;
		check_state(0);
		pthread_barrier_wait(&go);
		pthread_barrier_wait(&done);
		usleep(20000);
	}
	stop = 1;
	pthread_barrier_wait(&go);
	pthread_join(t, NULL);
	zdtm_say("prctl_state %s: the same in both threads in every round\n", what);
	return 0;
}
