// SPDX-License-Identifier: GPL-2.0
/* threads_churn: threads are created and joined all the time while the process is dumped; the dump freezes the ones that exist and the process goes on. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>

#include "zdtm.h"

static volatile int stop;
static unsigned long made;

static void *short_lived(void *arg)
{
	return (void *)((uintptr_t)arg + 1);
}

/* Keeps four threads coming and going until told to stop. */
static void *spawner(void *arg)
{
	pthread_t t[4];
	void *r;
	int i;

	while (!stop) {
		for (i = 0; i < 4; i++)
			if (pthread_create(&t[i], NULL, short_lived, (void *)(uintptr_t)i))
				return (void *)1;
		for (i = 0; i < 4; i++) {
			pthread_join(t[i], &r);
			if ((uintptr_t)r != (uintptr_t)i + 1)
				return (void *)2;
		}
		made += 4;
	}
	return NULL;
}

int main(void)
{
	pthread_t s[2];
	sigset_t set;
	void *r;
	int i, bad = 0;

	zdtm_init();
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < 2; i++)
		if (pthread_create(&s[i], NULL, spawner, NULL))
			return 2;
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	zdtm_ready();
	zdtm_wait_pause();
	stop = 1;
	for (i = 0; i < 2; i++) {
		pthread_join(s[i], &r);
		bad |= r != NULL;
	}
	if (bad || !made) {
		zdtm_say("threads_churn: FAIL\n");
		return 1;
	}
	zdtm_say("threads_churn: ok\n");
	return 49;
}
