// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ssi-sig-prog - signals with their siginfo, for the lab test t-33.
 *
 *   ssi-sig-prog wait GOFILE      print "pid=P", record every SIGUSR1 and
 *                                 SIGUSR2 (SA_SIGINFO) until GOFILE exists,
 *                                 then print one line per signal: number,
 *                                 si_code, sender pid and uid, si_value
 *   ssi-sig-prog send PID VALUE   sigqueue(PID, SIGUSR1, VALUE); prints
 *                                 its own pid (the sender's)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIGS 16

static siginfo_t got[MAX_SIGS];
static volatile sig_atomic_t ngot;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	if (ngot < MAX_SIGS)
		got[ngot++] = *si;
}

int main(int argc, char **argv)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	struct sigaction sa;
	int i;

	if (argc == 4 && !strcmp(argv[1], "send")) {
		union sigval v = { .sival_int = atoi(argv[3]) };

		printf("%d\n", (int)getpid());
		return sigqueue(atoi(argv[2]), SIGUSR1, v) ? 1 : 0;
	}
	if (argc != 3 || strcmp(argv[1], "wait")) {
		fprintf(stderr, "usage: %s wait GOFILE | send PID VALUE\n", argv[0]);
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sig;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	printf("pid=%d\n", (int)getpid());
	fflush(stdout);
	while (access(argv[2], F_OK) != 0)
		nanosleep(&ts, NULL);
	for (i = 0; i < ngot; i++)
		printf("sig=%d code=%d pid=%d uid=%d value=%d\n", got[i].si_signo,
		       got[i].si_code, (int)got[i].si_pid, (int)got[i].si_uid,
		       got[i].si_value.sival_int);
	return 0;
}
