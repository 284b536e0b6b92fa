/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zs.h - what the test/zdtm-ssid programs add to ../zdtm/zdtm.h.
 *
 * These programs are migrated by ssid, with real forwarding, at a random
 * moment of a busy phase; the busy phase is a loop of rounds that each
 * exercise the behaviour and check it.  The driver (zdtm-ssid-run.sh)
 * cannot know how long the migration takes, so the busy phase has no
 * fixed length: it goes on until the file $ZDTM_STOP exists, then runs
 * ZS_TAIL more rounds, so that some rounds always run after the
 * migration.  Nothing printed may depend on the number of rounds: the
 * output is compared byte for byte with an unmigrated run's.
 *
 * The ready file holds the pid to migrate, which need not be the pid the
 * driver started: pipe_child moves its child, pty_run.py's program is the
 * one that moves, not pty_run.py.
 *
 * Include this first: it defines _GNU_SOURCE (program_invocation_short_name).
 */
#ifndef ZS_H
#define ZS_H

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>

#include "../zdtm/zdtm.h"

/*
 * Rounds after the stop file appears: work done where the process is now.
 * A program whose rounds are slow when forwarded may define fewer first.
 */
#ifndef ZS_TAIL
#define ZS_TAIL 5
#endif

/* Print "<program>: FAIL <why>" and exit 1: the output then differs. */
#define zs_fail(fmt, ...)							\
	do {									\
		zdtm_say("%s: FAIL " fmt "\n", program_invocation_short_name,	\
			 ##__VA_ARGS__);					\
		exit(1);							\
	} while (0)

#define zs_check(cond, fmt, ...)						\
	do {									\
		if (!(cond))							\
			zs_fail(fmt, ##__VA_ARGS__);				\
	} while (0)

/*
 * Tell the driver the state is built and which pid to migrate.  Written
 * under another name and renamed, so the driver never reads it half done.
 */
static inline void zs_ready(pid_t pid)
{
	const char *path = getenv("ZDTM_READY");
	char tmp[4096], line[32];
	int fd, n;

	if (!path)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	n = snprintf(line, sizeof(line), "%d\n", (int)pid);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, line, n) != n || close(fd) || rename(tmp, path))
		zs_fail("cannot write the ready file %s", path);
}

/* Has the driver asked to stop?  Without $ZDTM_STOP (run by hand): yes. */
static inline int zs_stopped(void)
{
	const char *path = getenv("ZDTM_STOP");

	return !path || access(path, F_OK) == 0;
}

/* Loop condition of the busy phase: true until ZS_TAIL rounds after stop. */
static inline int zs_more(void)
{
	static int left = -1;

	if (left < 0 && zs_stopped())
		left = ZS_TAIL;
	if (left == 0)
		return 0;
	if (left > 0)
		left--;
	return 1;
}

/*
 * zs_more() with @sigs blocked: the stop check is forwarded once the
 * process has moved, and a program whose signals come every few
 * milliseconds would otherwise see its stop check interrupted and made
 * again, each time a little later, without end.
 */
static inline int zs_more_blocking(const sigset_t *sigs)
{
	sigset_t old;
	int more;

	sigprocmask(SIG_BLOCK, sigs, &old);
	more = zs_more();
	sigprocmask(SIG_SETMASK, &old, NULL);
	return more;
}

/*
 * Rounds in step over threads, for programs that check per-thread state:
 * the main thread (who 0) and @n - 1 more each run @setup(who) before the
 * process is ready; then, every round, all run @check(who) at once between
 * two barriers, and the main thread sleeps 20 ms between rounds (zs_round
 * counts them).  zs_in_step() returns when the rounds are over, the other
 * threads on their way out: zs_in_step_join() waits for them.
 */
#define ZS_MAX_THREADS	8

static int zs_round;
static struct {
	void (*setup)(int who), (*check)(int who);
	pthread_barrier_t go, done;
	pthread_t t[ZS_MAX_THREADS];
	int n;
	volatile int stop;
} zs_step;

static inline void *zs_step_thread(void *arg)
{
	int who = (int)(long)arg;

	zs_step.setup(who);
	pthread_barrier_wait(&zs_step.go);
	for (;;) {
		pthread_barrier_wait(&zs_step.go);
		if (zs_step.stop)
			break;
		zs_step.check(who);
		pthread_barrier_wait(&zs_step.done);
	}
	return NULL;
}

static inline void zs_in_step(int n, void (*setup)(int who), void (*check)(int who))
{
	long i;

	zs_check(n >= 1 && n <= ZS_MAX_THREADS, "zs_in_step: %d threads", n);
	zs_step.setup = setup;
	zs_step.check = check;
	zs_step.n = n;
	setup(0);
	pthread_barrier_init(&zs_step.go, NULL, n);
	pthread_barrier_init(&zs_step.done, NULL, n);
	for (i = 1; i < n; i++)
		zs_check(!pthread_create(&zs_step.t[i], NULL, zs_step_thread, (void *)i),
			 "pthread_create");
	pthread_barrier_wait(&zs_step.go);
	zs_ready(getpid());
	while (zs_more()) {
		zs_round++;
		pthread_barrier_wait(&zs_step.go);
		check(0);
		pthread_barrier_wait(&zs_step.done);
		usleep(20000);
	}
	zs_step.stop = 1;
	pthread_barrier_wait(&zs_step.go);
}

static inline void zs_in_step_join(void)
{
	int i;

	for (i = 1; i < zs_step.n; i++)
		pthread_join(zs_step.t[i], NULL);
}

/* A deterministic pseudo-random sequence: both runs do the same work. */
static inline uint32_t zs_rand(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/* All of @len bytes, whatever short counts the forwarding returns. */
static inline void zs_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		zs_check(n > 0, "write of %zu bytes to fd %d: %s", len, fd, strerror(errno));
		p += n;
		len -= n;
	}
}

/* Up to EOF, at most @cap bytes (files of any length): how many. */
static inline size_t zs_read_to_eof(int fd, void *buf, size_t cap)
{
	char *p = buf;
	size_t got = 0;
	ssize_t n;

	while (got < cap) {
		n = read(fd, p + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		zs_check(n >= 0, "read from fd %d: %s", fd, strerror(errno));
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return got;
}

/* All of @len bytes; 0 at once on EOF, else @len. */
static inline size_t zs_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, p + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		zs_check(n >= 0, "read of %zu bytes from fd %d: %s", len - got, fd, strerror(errno));
		if (n == 0)
			break;
		got += n;
	}
	zs_check(got == 0 || got == len, "short read: %zu of %zu bytes from fd %d", got, len, fd);
	return got;
}

/* FNV-1a: a cheap digest both sides of a channel can compute. */
static inline uint32_t zs_hash(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

#endif /* ZS_H */
