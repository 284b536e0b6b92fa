// SPDX-License-Identifier: GPL-2.0
/*
 * threads_fwd: a process of four threads migrates as one.  Its pipes lead
 * to a child at home that echoes what it reads, so after the move the
 * reader thread waits at home in a forwarded read while the writer
 * thread's forwarded writes, the signal thread's handlers and the main
 * thread's checks go on: one thread blocked in a forwarded call must not
 * hold up the others.  Every round the main thread checks that each
 * thread keeps its id (gettid, /proc/self/task), sends a signal to one
 * thread (pthread_kill: that thread handles it) and one to the process
 * (only the signal thread does not block it: it handles it).  At the end
 * the signal thread, not the leader, ends the process with exit().
 */
#include "zs.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <time.h>

enum { T_MAIN, T_READER, T_WRITER, T_SIG, NTHREADS };

static pid_t tids[NTHREADS];
static atomic_int running = 1, sig_done;
static atomic_int usr1_seen, usr2_seen;
static atomic_int usr1_tid, usr2_tid;
static int down[2], up[2];

static pid_t my_tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static void check_tid(int who)
{
	pid_t t = my_tid();

	zs_check(t == tids[who], "thread %d: gettid() %d, was %d", who, (int)t, (int)tids[who]);
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void on_usr1(int sig)
{
	usr1_tid = my_tid();
	usr1_seen++;
}

static void on_usr2(int sig)
{
	usr2_tid = my_tid();
	usr2_seen++;
}

/* Reads the echoes until the 0 that ends them: blocks at home meanwhile. */
static void *reader(void *arg)
{
	uint64_t v, want = 1;

	tids[T_READER] = my_tid();
	for (;;) {
		zs_check(zs_read_all(up[0], &v, sizeof(v)), "reader: EOF");
		check_tid(T_READER);
		if (!v)
			break;
		zs_check(v == want, "reader: echo %llu, expected %llu",
			 (unsigned long long)v, (unsigned long long)want);
		want++;
	}
	return NULL;
}

/* Writes 1, 2, ... every few ms while the process runs, then 0. */
static void *writer(void *arg)
{
	uint64_t v = 0;

	tids[T_WRITER] = my_tid();
	while (running) {
		v++;
		zs_write_all(down[1], &v, sizeof(v));
		check_tid(T_WRITER);
		nap_ms(3);
	}
	v = 0;
	zs_write_all(down[1], &v, sizeof(v));
	return NULL;
}

/* Takes the signals, then ends the process when told to. */
static void *sig_thread(void *arg)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	tids[T_SIG] = my_tid();
	while (!sig_done) {
		nap_ms(2);
		check_tid(T_SIG);
	}
	zdtm_say("threads_fwd: the signal thread ends the process\n");
	exit(61);
}

/* Wait until *@seen passes @was, 20 s at most. */
static void wait_seen(atomic_int *seen, int was, const char *what)
{
	int i;

	for (i = 0; i < 20000 && *seen == was; i++)
		nap_ms(1);
	zs_check(*seen != was, "%s never handled", what);
}

static void echo_child(void)
{
	uint64_t v;

	close(down[1]);
	close(up[0]);
	while (zs_read_all(down[0], &v, sizeof(v)) == sizeof(v))
		zs_write_all(up[1], &v, sizeof(v));
	_exit(0);
}

int main(void)
{
	pthread_t t[NTHREADS];
	char path[64];
	sigset_t s;
	int i, was;
	pid_t pid;

	if (pipe(down) || pipe(up))
		zs_fail("pipe: %s", strerror(errno));
	pid = fork();
	zs_check(pid >= 0, "fork: %s", strerror(errno));
	if (!pid)
		echo_child();
	close(down[0]);
	close(up[1]);

	signal(SIGUSR1, on_usr1);
	signal(SIGUSR2, on_usr2);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &s, NULL);	/* all but the signal thread */
	tids[T_MAIN] = my_tid();
	zs_check(pthread_create(&t[T_READER], NULL, reader, NULL) == 0, "pthread_create");
	zs_check(pthread_create(&t[T_WRITER], NULL, writer, NULL) == 0, "pthread_create");
	zs_check(pthread_create(&t[T_SIG], NULL, sig_thread, NULL) == 0, "pthread_create");
	while (!tids[T_READER] || !tids[T_WRITER] || !tids[T_SIG])
		nap_ms(1);
	zs_ready(getpid());

	while (zs_more()) {
		check_tid(T_MAIN);
		for (i = 0; i < NTHREADS; i++) {
			snprintf(path, sizeof(path), "/proc/self/task/%d", (int)tids[i]);
			zs_check(access(path, F_OK) == 0, "%s: %s", path, strerror(errno));
		}
		was = usr1_seen;
		zs_check(pthread_kill(t[T_SIG], SIGUSR1) == 0, "pthread_kill");
		wait_seen(&usr1_seen, was, "SIGUSR1 to the signal thread");
		zs_check(usr1_tid == tids[T_SIG], "SIGUSR1 for thread %d handled by %d",
			 (int)tids[T_SIG], usr1_tid);
		was = usr2_seen;
		zs_check(kill(getpid(), SIGUSR2) == 0, "kill: %s", strerror(errno));
		wait_seen(&usr2_seen, was, "SIGUSR2 to the process");
		zs_check(usr2_tid == tids[T_SIG], "SIGUSR2 handled by %d, not the only thread that takes it (%d)",
			 usr2_tid, (int)tids[T_SIG]);
		nap_ms(20);
	}
	running = 0;
	zs_check(pthread_join(t[T_WRITER], NULL) == 0, "join writer");
	zs_check(pthread_join(t[T_READER], NULL) == 0, "join reader");
	zdtm_say("threads_fwd: reader and writer joined; %d threads kept their ids\n", NTHREADS);
	sig_done = 1;
	pthread_join(t[T_SIG], NULL);	/* never returns: that thread exits */
	zs_fail("the signal thread returned");
}
