// SPDX-License-Identifier: GPL-2.0
/*
 * prctl_state WHAT: the prctl() state of the process and of each of its
 * two threads reads the same after the move.  WHAT sets one item before
 * it (dumpable off, THP disabled, a timer slack per thread, a
 * parent-death signal per thread, no_new_privs, the process a child
 * subreaper, its oom_score_adj), or nothing ("default":
 * the values a process starts with, which the restore helper's own must
 * not replace).  Every round reads all of them, in both threads, and the
 * seccomp mode: 0, no filter of its own (ssid's does not count).
 */
#include "zs.h"

#include <pthread.h>
#include <sys/prctl.h>

struct state {
	long dumpable, thp_disable, slack, pdeathsig, nnp, subreaper, oom, seccomp;
};

static struct state want[2];	/* [0]: the main thread, [1]: the other */
static const char *what;

/* /proc/self/oom_score_adj: what the OOM killer reads where it runs */
static long read_oom(void)
{
	char buf[32] = "";
	int fd = open("/proc/self/oom_score_adj", O_RDONLY);

	zs_check(fd >= 0, "open oom_score_adj: %s", strerror(errno));
	zs_read_to_eof(fd, buf, sizeof(buf) - 1);
	close(fd);
	return strtol(buf, NULL, 10);
}

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
	zs_check(!prctl(PR_GET_CHILD_SUBREAPER, &sig, 0, 0, 0),
		 "PR_GET_CHILD_SUBREAPER: %s", strerror(errno));
	s->subreaper = sig;
	s->oom = read_oom();
	s->seccomp = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);	/* 0: no filter of its own */
}

static void check_state(int who)
{
	struct state s;

	read_state(&s);
	zs_check(!memcmp(&s, &want[who], sizeof(s)),
		 "round %d, thread %d: dumpable %ld thp_disable %ld slack %ld pdeathsig %ld "
		 "nnp %ld subreaper %ld oom %ld seccomp %ld; was %ld %ld %ld %ld %ld %ld %ld %ld",
		 zs_round, who, s.dumpable, s.thp_disable, s.slack, s.pdeathsig, s.nnp,
		 s.subreaper, s.oom, s.seccomp, want[who].dumpable, want[who].thp_disable,
		 want[who].slack, want[who].pdeathsig, want[who].nnp, want[who].subreaper,
		 want[who].oom, want[who].seccomp);
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

/* The item @what names, set in each thread, and what it reads then. */
static void setup(int who)
{
	set_items(what, who);
	read_state(&want[who]);
}

int main(int argc, char **argv)
{
	what = argc > 1 ? argv[1] : "";

	if (!strcmp(what, "dumpable"))
		zs_check(!prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "PR_SET_DUMPABLE: %s",
			 strerror(errno));
	else if (!strcmp(what, "thp_disable"))
		zs_check(!prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0), "PR_SET_THP_DISABLE: %s",
			 strerror(errno));
	else if (!strcmp(what, "nnp"))
		zs_check(!prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "PR_SET_NO_NEW_PRIVS: %s",
			 strerror(errno));
	else if (!strcmp(what, "subreaper"))
		zs_check(!prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0),
			 "PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
	else if (!strcmp(what, "oom")) {
		int fd = open("/proc/self/oom_score_adj", O_WRONLY);

		zs_check(fd >= 0 && write(fd, "321", 3) == 3, "oom_score_adj: %s",
			 strerror(errno));
		close(fd);
	} else if (strcmp(what, "timerslack") && strcmp(what, "pdeathsig") &&
		   strcmp(what, "default"))
		zs_fail("usage: prctl_state default|dumpable|thp_disable|timerslack|"
			"pdeathsig|nnp|subreaper|oom");
	zs_in_step(2, setup, check_state);
	zs_in_step_join();
	zdtm_say("prctl_state %s: the same in both threads in every round\n", what);
	return 0;
}
