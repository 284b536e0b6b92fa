// SPDX-License-Identifier: GPL-2.0
/*
 * threads_spawn: a single-threaded process makes threads after it moved,
 * and they run where it runs (nothing pulls it home for them).  Every
 * round it makes three threads (pthread_create: clone3 in glibc), and one
 * with clone() as a runtime of its own would (CLONE_PARENT_SETTID,
 * CLONE_CHILD_SETTID, CLONE_CHILD_CLEARTID); each new thread checks that
 * its id is the same wherever it is read: gettid(), the word the kernel
 * wrote for its creator and for itself, clone()'s return value, and
 * /proc/self/task/TID (which the process reads at home once it moved).
 * Each worker writes into a pipe (a forwarded call once away) and sums
 * its own sequence; pthread_kill reaches exactly the thread it names;
 * pthread_join and the CLONE_CHILD_CLEARTID futex wake their waiters.
 * At the end a thread made last ends the whole process with exit() while
 * the main thread waits in pthread_join.
 */
#include "zs.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#define WORKERS		3
#define STACK_LEN	(256 << 10)

struct worker {
	pthread_t t;
	pid_t tid;		/* its gettid() */
	atomic_int usr1;	/* SIGUSR1s it handled */
	uint64_t n, sum;
};

static struct worker w[WORKERS];
static int pipefd[2];
static __thread struct worker *me;

static pid_t my_tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static void on_usr1(int sig)
{
	if (me)
		me->usr1++;
}

static int task_visible(pid_t tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d", (int)tid);
	return access(path, F_OK) == 0;
}

static void *work(void *arg)
{
	struct timespec ts = { 0, 1000000 };
	uint64_t i, v;

	me = arg;
	me->tid = my_tid();
	zs_check(task_visible(me->tid), "worker: /proc/self/task/%d is missing", (int)me->tid);
	for (i = 1; i <= 20; i++) {
		me->n = i;
		me->sum += i;
		v = i;
		zs_write_all(pipefd[1], &v, sizeof(v));
		nanosleep(&ts, NULL);
	}
	/* wait for the main thread's pthread_kill */
	while (!me->usr1)
		nanosleep(&ts, NULL);
	return arg;
}

/* A thread made with clone() itself: no TLS of its own, no libc call. */
static volatile pid_t raw_seen;

static int raw_fn(void *arg)
{
	raw_seen = (pid_t)syscall(SYS_gettid);
	return 0;
}

static void raw_thread(char *stack, int round)
{
	pid_t ptid = 0, ctid = -1, ret, v;
	struct timespec ms = { 0, 1000000 };
	int i;

	raw_seen = 0;
	ret = clone(raw_fn, stack + STACK_LEN,
		    CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
		    CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID |
		    CLONE_CHILD_CLEARTID, NULL, &ptid, NULL, &ctid);
	zs_check(ret > 0, "round %d: clone: %s", round, strerror(errno));
	zs_check(ptid == ret, "round %d: clone returned %d, parent tid word %d", round,
		 (int)ret, (int)ptid);
	/*
	 * -1 until it starts (CLONE_CHILD_SETTID), its tid while it runs, 0
	 * and a futex wake when it ends (CLONE_CHILD_CLEARTID)
	 */
	for (i = 0; i < 10000 && (v = __atomic_load_n(&ctid, __ATOMIC_ACQUIRE)); i++) {
		zs_check(v == ret || v == -1, "round %d: child tid word %d, clone returned %d",
			 round, (int)v, (int)ret);
		syscall(SYS_futex, &ctid, FUTEX_WAIT, v, &ms, NULL, 0);
	}
	zs_check(!ctid, "round %d: the clone()d thread did not end", round);
	zs_check(raw_seen == ret, "round %d: it said gettid() %d, clone returned %d", round,
		 (int)raw_seen, (int)ret);
}

static void round_of_threads(char *stack, int round)
{
	struct timespec ts = { 0, 2000000 };
	uint64_t v, got = 0, want = 0;
	void *res;
	int i;

	memset(w, 0, sizeof(w));
	for (i = 0; i < WORKERS; i++)
		zs_check(pthread_create(&w[i].t, NULL, work, &w[i]) == 0,
			 "round %d: pthread_create %d", round, i);
	/* each worker's 20 numbers, in any interleaving */
	for (i = 0; i < WORKERS * 20; i++) {
		zs_check(zs_read_all(pipefd[0], &v, sizeof(v)), "round %d: pipe EOF", round);
		got += v;
	}
	want = WORKERS * 210;
	zs_check(got == want, "round %d: pipe carried %llu, expected %llu", round,
		 (unsigned long long)got, (unsigned long long)want);
	for (i = 0; i < WORKERS; i++) {
		while (!w[i].tid)
			nanosleep(&ts, NULL);
		zs_check(pthread_kill(w[i].t, SIGUSR1) == 0, "round %d: pthread_kill %d",
			 round, i);
	}
	for (i = 0; i < WORKERS; i++) {
		zs_check(pthread_join(w[i].t, &res) == 0 && res == &w[i],
			 "round %d: pthread_join %d", round, i);
		zs_check(w[i].usr1 == 1, "round %d: worker %d handled %d SIGUSR1s", round,
			 i, (int)w[i].usr1);
		zs_check(w[i].sum == 210, "round %d: worker %d summed %llu", round, i,
			 (unsigned long long)w[i].sum);
	}
	raw_thread(stack, round);
}

static void *last(void *arg)
{
	zdtm_say("threads_spawn: every thread's id and sum check out\n");
	exit(64);
}

int main(void)
{
	char *stack = mmap(NULL, STACK_LEN, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	struct sigaction sa = { .sa_handler = on_usr1 };
	pthread_t t;
	int round = 0;

	zs_check(stack != MAP_FAILED, "mmap: %s", strerror(errno));
	zs_check(pipe(pipefd) == 0, "pipe: %s", strerror(errno));
	zs_check(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
	zs_ready(getpid());
	while (zs_more())
		round_of_threads(stack, ++round);
	zs_check(pthread_create(&t, NULL, last, NULL) == 0, "pthread_create last");
	pthread_join(t, NULL);
	zs_fail("the last thread's exit() did not end the process");
	return 1;
}
