// SPDX-License-Identifier: GPL-2.0
/*
 * thread_attrs WHAT: what the kernel keeps for each thread apart, read
 * in every thread every round, in step, reads the same after the move:
 * a restore that gave every thread the leader's, or mixed them up,
 * shows here.
 *   names   the main thread and three others each set a name of their
 *           own with PR_SET_NAME (one of the full 15 characters):
 *           PR_GET_NAME reads it back (not /proc: that is another path).
 *   robust  the robust-list head glibc registers for each of two threads
 *           (get_robust_list() of the thread itself, and of the other by
 *           its tid, so each registration is in the right thread); the
 *           second thread holds three robust mutexes across the move and
 *           ends without unlocking them after it: the kernel walks its
 *           list where it runs, and the main thread then gets EOWNERDEAD
 *           on each (a mutex that does not come in 5 s fails the test
 *           rather than hang it).
 *   rseq    the rseq area glibc registers for each of two threads: the
 *           kernel still updates it (cpu_id and cpu_id_start agree with
 *           sched_getcpu() and getcpu(), node_id with getcpu()'s node,
 *           rseq_cs stays 0) and still holds the same registration
 *           (registering it again gets EBUSY: not registered, the call
 *           would register it and succeed).  Without <sys/rseq.h>, or if
 *           glibc registered none, sched_getcpu() and getcpu() agree.
 */
#include "zs.h"

#include <stdbool.h>
#include <sys/auxv.h>

#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <linux/futex.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#if defined(__has_include)
#if __has_include(<sys/rseq.h>)
#include <sys/rseq.h>
#define HAVE_RSEQ 1
#endif
#endif

#define MAX_THREADS	4
#define WAIT_S		5



/* --- names -------------------------------------------------------------- */

static const char *const names[MAX_THREADS] = {
	"zs-main", "abcdefghijklmno", "t 2 with space", "zs:three",
};

static void names_setup(int who)
{
	char got[16] = "";

	zs_check(!prctl(PR_SET_NAME, names[who], 0, 0, 0), "PR_SET_NAME: %s", strerror(errno));
	zs_check(!prctl(PR_GET_NAME, got, 0, 0, 0) && !strcmp(got, names[who]),
		 "thread %d: PR_GET_NAME read \"%s\" at setup, set \"%s\"", who, got,
		 names[who]);
}

static void names_check(int who)
{
	char got[17] = "";

	zs_check(!prctl(PR_GET_NAME, got, 0, 0, 0), "PR_GET_NAME: %s", strerror(errno));
	zs_check(!strcmp(got, names[who]), "round %d, thread %d: named \"%s\", not \"%s\"",
		 zs_round, who, got, names[who]);
}

static void run_names(void)
{

	zs_in_step(MAX_THREADS, names_setup, names_check);
	zs_in_step_join();
	zdtm_say("thread_attrs names: each of the 4 threads keeps its own in every round\n");
}

/* --- robust ------------------------------------------------------------- */

#define HELD	3

struct robust_reg {
	void *head;
	size_t len;
	pid_t tid;
};

static struct robust_reg robust_want[2];
static pthread_mutex_t held[HELD];

static struct robust_reg robust_get(pid_t tid, const char *when, int who)
{
	struct robust_reg r = { .tid = tid };

	zs_check(!syscall(SYS_get_robust_list, tid, &r.head, &r.len),
		 "%s, thread %d: get_robust_list(%s): %s", when, who, tid ? "the other" : "0",
		 strerror(errno));
	return r;
}

static void robust_setup(int who)
{
	struct robust_reg *r = &robust_want[who];
	int i;

	*r = robust_get(0, "setup", who);
	r->tid = gettid();
	zs_check(r->head && r->len == sizeof(struct robust_list_head),
		 "thread %d: glibc registered no robust list (len %zu)", who, r->len);
	if (who)
		for (i = 0; i < HELD; i++)
			zs_check(!pthread_mutex_lock(&held[i]), "lock robust mutex %d", i);
}

static void robust_check(int who)
{
	struct robust_reg mine, theirs, *w = &robust_want[who], *o = &robust_want[!who];
	char when[32];

	snprintf(when, sizeof(when), "round %d", zs_round);
	mine = robust_get(0, when, who);
	theirs = robust_get(o->tid, when, who);
	zs_check(mine.head == w->head && mine.len == w->len,
		 "round %d, thread %d: its robust list head moved (len %zu, was %zu)", zs_round,
		 who, mine.len, w->len);
	zs_check(theirs.head == o->head && theirs.len == o->len,
		 "round %d, thread %d: the other thread's robust list head is not the one it "
		 "registered", zs_round, who);
}

static void run_robust(void)
{
	pthread_mutexattr_t ma;
	struct timespec until;
	int i, rc;

	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	for (i = 0; i < HELD; i++)
		pthread_mutex_init(&held[i], &ma);
	zs_in_step(2, robust_setup, robust_check);
	/* the holder ends here, after the move, with all HELD still locked */
	zs_in_step_join();
	for (i = 0; i < HELD; i++) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += WAIT_S;
		rc = pthread_mutex_timedlock(&held[i], &until);
		zs_check(rc == EOWNERDEAD, "robust mutex %d held by an ended thread: %s", i,
			 rc ? strerror(rc) : "locked, not EOWNERDEAD");
		zs_check(!pthread_mutex_consistent(&held[i]) && !pthread_mutex_unlock(&held[i]),
			 "robust mutex %d: cannot make it consistent", i);
		zs_check(!pthread_mutex_lock(&held[i]) && !pthread_mutex_unlock(&held[i]),
			 "robust mutex %d: unusable once consistent", i);
	}
	zdtm_say("thread_attrs robust: both threads' lists the same in every round, "
		 "EOWNERDEAD on the %d mutexes left held\n", HELD);
}

/* --- rseq --------------------------------------------------------------- */

#ifdef HAVE_RSEQ
static int rseq_len[2];		/* the length glibc registered, 0: none */

static volatile struct rseq *rseq_area(void)
{
	return (volatile struct rseq *)((char *)__builtin_thread_pointer() + __rseq_offset);
}

/* EBUSY: @len is this thread's registration (the kernel changes nothing). */
static int rseq_registered(int len)
{
	return syscall(SYS_rseq, rseq_area(), len, 0, RSEQ_SIG) == -1 && errno == EBUSY;
}
#endif

static void rseq_setup(int who)
{
#ifdef HAVE_RSEQ
	int len;

	/*
	 * glibc registers none if the kernel refused (cpu_id then is < 0);
	 * else probing is harmless: another length gets EINVAL.
	 */
	if (!__rseq_size || (int)rseq_area()->cpu_id < 0)
		return;
	for (len = 32; len <= 1024 && !rseq_len[who]; len += 32)
		if (rseq_registered(len))
			rseq_len[who] = len;
	zs_check(rseq_len[who], "thread %d: glibc's rseq area is not what the kernel has", who);
#endif
}

static void rseq_check(int who)
{
	unsigned int cpu = 0, node = 0;
	int tries, a, b, c, ok = 0;
#ifdef HAVE_RSEQ
	volatile struct rseq *rs = rseq_area();
	/*
	 * node_id (Linux 6.3) follows flags: not in older headers, and an
	 * older kernel never writes it (AT_RSEQ_FEATURE_SIZE, 27, says).
	 */
	volatile uint32_t *rs_node = (volatile uint32_t *)((char *)rs + 20);
	bool has_node = getauxval(27) >= 24;
	uint32_t start = 0, n = 0;
	uint64_t cs = 0;
#endif

	/* the thread may change CPU between reads: until one pass agrees */
	for (tries = 0; tries < 100 && !ok; tries++) {
		c = sched_getcpu();
		zs_check(c >= 0, "round %d, thread %d: sched_getcpu: %s", zs_round, who,
			 strerror(errno));
		zs_check(!syscall(SYS_getcpu, &cpu, &node, NULL), "getcpu: %s", strerror(errno));
		a = b = c;
#ifdef HAVE_RSEQ
		if (rseq_len[who]) {
			a = rs->cpu_id;
			start = rs->cpu_id_start;
			n = *rs_node;
			cs = rs->rseq_cs;
			b = sched_getcpu();
		}
#endif
		ok = a == c && b == c && (int)cpu == c;
#ifdef HAVE_RSEQ
		if (rseq_len[who])
			ok = ok && (int)start == c && (!has_node || n == node) && !cs;
#endif
	}
	zs_check(ok, "round %d, thread %d: the CPU ids never agreed in %d tries (sched_getcpu %d, "
		 "getcpu %u, rseq %d)", zs_round, who, tries, c, cpu, a);
#ifdef HAVE_RSEQ
	zs_check(!rseq_len[who] || rseq_registered(rseq_len[who]),
		 "round %d, thread %d: its rseq area is not registered as it was (%s)", zs_round,
		 who, strerror(errno));
#endif
}

static void run_rseq(void)
{

	zs_in_step(2, rseq_setup, rseq_check);
	zs_in_step_join();
	zdtm_say("thread_attrs rseq: the CPU ids agree in both threads in every round\n");
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";

	if (!strcmp(what, "names"))
		run_names();
	else if (!strcmp(what, "robust"))
		run_robust();
	else if (!strcmp(what, "rseq"))
		run_rseq();
	else
		zs_fail("usage: thread_attrs names|robust|rseq");
	return 0;
}
