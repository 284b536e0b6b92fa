// SPDX-License-Identifier: GPL-2.0
/* threads: a process of five threads (spinning with live vector registers, in a futex wait, in nanosleep, blocked in sigtimedwait) migrates; TLS, names, masks, futex wakeups and join work afterwards. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "zdtm.h"

#define NT 4

static __thread uint64_t tls_pattern[64];
static __thread int tls_id;
static volatile int stop;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int released;

static void tls_fill(int id)
{
	int i;

	tls_id = id;
	for (i = 0; i < 64; i++)
		tls_pattern[i] = (uint64_t)id * 0x9e3779b97f4a7c15ULL + i;
}

/* Nonzero if this thread's TLS, name and blocked mask are not its own. */
static int self_check(int id, const char *name, int blocked_sig)
{
	char got[16];
	sigset_t cur;
	int i;

	if (tls_id != id)
		return 1;
	for (i = 0; i < 64; i++)
		if (tls_pattern[i] != (uint64_t)id * 0x9e3779b97f4a7c15ULL + i)
			return 2;
	if (pthread_getname_np(pthread_self(), got, sizeof(got)) || strcmp(got, name))
		return 3;
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	if (!sigismember(&cur, SIGUSR1) || sigismember(&cur, blocked_sig) != 1)
		return 4;
	return 0;
}

static void *spinner(void *arg)
{
	double acc[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint64_t n = 0;
	int i;

	tls_fill(1);
	pthread_setname_np(pthread_self(), "spinner");
	/* Invariant of every iteration: acc[i] - acc[0] == i. */
	while (!stop) {
		for (i = 0; i < 8; i++)
			acc[i] += 0.5;
		for (i = 1; i < 8; i++)
			if (acc[i] - acc[0] != (double)i)
				return (void *)(intptr_t)10;
		n++;
	}
	return (void *)(intptr_t)self_check(1, "spinner", SIGUSR1);
}

static void *waiter(void *arg)
{
	tls_fill(2);
	pthread_setname_np(pthread_self(), "waiter");
	pthread_mutex_lock(&mu);
	while (!released)
		pthread_cond_wait(&cv, &mu);	/* futex wait: -ERESTARTSYS */
	pthread_mutex_unlock(&mu);
	return (void *)(intptr_t)self_check(2, "waiter", SIGUSR1);
}

static void *sleeper(void *arg)
{
	struct timespec req = { 3, 0 };

	tls_fill(3);
	pthread_setname_np(pthread_self(), "sleeper");
	if (nanosleep(&req, NULL))		/* -ERESTART_RESTARTBLOCK */
		return (void *)(intptr_t)11;
	return (void *)(intptr_t)self_check(3, "sleeper", SIGUSR1);
}

static void *sigwaiter(void *arg)
{
	struct timespec ts = { 4, 0 };
	sigset_t set;
	int r;

	tls_fill(4);
	pthread_setname_np(pthread_self(), "sigwaiter");
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/* Nobody sends SIGUSR2: it times out, migrated or not. */
	r = sigtimedwait(&set, NULL, &ts);
	if (r != -1 || errno != EAGAIN)
		return (void *)(intptr_t)12;
	return (void *)(intptr_t)self_check(4, "sigwaiter", SIGUSR2);
}

int main(void)
{
	void *(*fn[NT])(void *) = { spinner, waiter, sleeper, sigwaiter };
	pthread_t t[NT];
	sigset_t set;
	void *ret;
	int i, bad = 0;

	zdtm_init();
	tls_fill(0);
	/* SIGUSR1 is for the main thread only. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < NT; i++)
		if (pthread_create(&t[i], NULL, fn[i], NULL))
			return 2;
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	usleep(300000);			/* everyone where it should be */

	zdtm_ready();
	zdtm_wait_pause();

	stop = 1;
	pthread_mutex_lock(&mu);
	released = 1;
	pthread_cond_signal(&cv);		/* wakes a migrated futex waiter */
	pthread_mutex_unlock(&mu);
	for (i = 0; i < NT; i++) {
		pthread_join(t[i], &ret);	/* CLONE_CHILD_CLEARTID futex */
		if (ret) {
			zdtm_say("threads: FAIL thread %d: %ld\n", i + 1, (long)(intptr_t)ret);
			bad = 1;
		}
	}
	if (tls_id != 0)
		bad = 1;
	if (bad)
		return 1;
	zdtm_say("threads: %d threads ok\n", NT + 1);
	return 48;
}
