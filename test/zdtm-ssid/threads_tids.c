// SPDX-License-Identifier: GPL-2.0
/*
 * threads_tids: the kernel where the process runs reads the thread ids
 * its memory holds (glibc's struct pthread, futex words) as its own.
 * Two threads made before the move and two made in each round check:
 *  - pthread_setaffinity_np() / pthread_getaffinity_np() on themselves
 *    (glibc passes the tid it keeps to sched_setaffinity) change the
 *    calling thread and no other: sched_getaffinity(0) agrees;
 *  - a priority-inheritance mutex held by one thread and wanted by
 *    another (FUTEX_LOCK_PI finds the owner by the tid in the word), both
 *    ways between the main thread and each other thread;
 *  - a robust mutex whose owner thread ends holding it: the kernel marks
 *    it FUTEX_OWNER_DIED (it matches the word against the ending
 *    thread's tid) and the next locker gets EOWNERDEAD.
 * A mutex that does not come in 5 s fails the test rather than hang it.
 */
#include "zs.h"

#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <sys/syscall.h>
#include <time.h>

#define OLD_THREADS	2
#define NEW_THREADS	2
#define WAIT_S		5

static pthread_mutex_t pi, robust;

struct runner {
	pthread_t t;
	sem_t go, done;
	int round;
	int hold_pi;	/* hold pi while the main thread wants it */
};

static struct runner old[OLD_THREADS];

static void lock_by(pthread_mutex_t *m, int want, const char *what, int round)
{
	struct timespec until;
	int rc;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += WAIT_S;
	rc = pthread_mutex_timedlock(m, &until);
	zs_check(rc == want, "round %d: %s: %s", round, what, rc ? strerror(rc) : "got it");
}

static void check_affinity(int round)
{
	cpu_set_t was, one, now;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	zs_check(!sched_getaffinity(0, sizeof(was), &was), "round %d: sched_getaffinity", round);
	zs_check(!pthread_setaffinity_np(pthread_self(), sizeof(one), &one),
		 "round %d: pthread_setaffinity_np: refused", round);
	zs_check(!sched_getaffinity(0, sizeof(now), &now) && CPU_EQUAL(&now, &one),
		 "round %d: pthread_setaffinity_np set another thread's CPUs", round);
	zs_check(!pthread_getaffinity_np(pthread_self(), sizeof(now), &now) &&
		 CPU_EQUAL(&now, &one), "round %d: pthread_getaffinity_np read another thread's",
		 round);
	zs_check(!pthread_setaffinity_np(pthread_self(), sizeof(was), &was),
		 "round %d: pthread_setaffinity_np back", round);
}

/* What every thread but main does in a round. */
static void thread_round(struct runner *r)
{
	check_affinity(r->round);
	if (!r->hold_pi) {
		/* main holds pi: the kernel must find main by its tid */
		lock_by(&pi, 0, "PI mutex held by the main thread", r->round);
		pthread_mutex_unlock(&pi);
		return;
	}
	zs_check(!pthread_mutex_lock(&pi), "round %d: PI mutex", r->round);
	sem_post(&r->done);
	/* main wants it now, through the kernel: give it a moment to block */
	usleep(20000);
	pthread_mutex_unlock(&pi);
}

static void *old_main(void *arg)
{
	struct runner *r = arg;

	for (;;) {
		sem_wait(&r->go);
		thread_round(r);
		sem_post(&r->done);
	}
	return NULL;
}

static void *new_main(void *arg)
{
	struct runner *r = arg;

	thread_round(r);
	return NULL;
}

/* The robust mutex's owner ends without unlocking it. */
static void *die_holding(void *arg)
{
	zs_check(!pthread_mutex_lock(&robust), "robust mutex");
	return NULL;
}

/* Main wants pi while @r holds it (r->done once taken, again once through). */
static void pi_from(struct runner *r, int round)
{
	sem_wait(&r->done);
	lock_by(&pi, 0, "PI mutex held by another thread", round);
	pthread_mutex_unlock(&pi);
}

static void one_round(int round)
{
	struct runner fresh[NEW_THREADS];
	pthread_t t;
	int i;

	check_affinity(round);
	for (i = 0; i < OLD_THREADS; i++) {
		old[i].round = round;
		old[i].hold_pi = i == round % OLD_THREADS;
		if (!old[i].hold_pi)
			pthread_mutex_lock(&pi);
		sem_post(&old[i].go);
		if (old[i].hold_pi) {
			pi_from(&old[i], round);
		} else {
			usleep(20000);	/* let it block on pi */
			pthread_mutex_unlock(&pi);
		}
		sem_wait(&old[i].done);
	}
	for (i = 0; i < NEW_THREADS; i++) {
		memset(&fresh[i], 0, sizeof(fresh[i]));
		sem_init(&fresh[i].done, 0, 0);
		fresh[i].round = round;
		fresh[i].hold_pi = i == 1;
		if (!fresh[i].hold_pi)
			pthread_mutex_lock(&pi);
		zs_check(!pthread_create(&fresh[i].t, NULL, new_main, &fresh[i]),
			 "round %d: pthread_create", round);
		if (fresh[i].hold_pi) {
			pi_from(&fresh[i], round);
		} else {
			usleep(20000);
			pthread_mutex_unlock(&pi);
		}
		zs_check(!pthread_join(fresh[i].t, NULL), "round %d: pthread_join", round);
		sem_destroy(&fresh[i].done);
	}
	zs_check(!pthread_create(&t, NULL, die_holding, NULL) && !pthread_join(t, NULL),
		 "round %d: the robust mutex's owner", round);
	lock_by(&robust, EOWNERDEAD, "robust mutex whose owner ended", round);
	zs_check(!pthread_mutex_consistent(&robust) && !pthread_mutex_unlock(&robust),
		 "round %d: making the robust mutex consistent", round);
}

int main(void)
{
	pthread_mutexattr_t a;
	int i, round = 0;

	pthread_mutexattr_init(&a);
	zs_check(!pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT) &&
		 !pthread_mutex_init(&pi, &a), "PI mutex");
	pthread_mutexattr_destroy(&a);
	pthread_mutexattr_init(&a);
	zs_check(!pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST) &&
		 !pthread_mutex_init(&robust, &a), "robust mutex");
	pthread_mutexattr_destroy(&a);
	for (i = 0; i < OLD_THREADS; i++) {
		sem_init(&old[i].go, 0, 0);
		sem_init(&old[i].done, 0, 0);
		zs_check(!pthread_create(&old[i].t, NULL, old_main, &old[i]), "pthread_create");
	}
	zs_ready(getpid());
	while (zs_more())
		one_round(++round);
	zdtm_say("threads_tids: affinity, PI and robust mutexes check out in every thread\n");
	return 0;
}
