/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zdtm.h - the protocol every test/zdtm program follows (after CRIU's
 * zdtm): build some state, create the ready file, wait for SIGUSR1 (the
 * migration happens meanwhile), check the state, print one result line on
 * stdout, exit with the code its .desc file names.
 *
 * Output goes through write(2), never stdio buffers: a buffer would travel
 * inside the image and be flushed twice.  The result line must be the same
 * for a migrated and an unmigrated run (the lab compares them byte by byte).
 */
#ifndef ZDTM_H
#define ZDTM_H

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t zdtm_go;

static void zdtm_on_usr1(int sig)
{
	zdtm_go = 1;
}

static inline void __attribute__((format(printf, 1, 2))) zdtm_say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	if (write(1, buf, n) != n)
		_exit(3);
}

/* Install the SIGUSR1 handler; call before zdtm_ready(). */
static inline void zdtm_init(void)
{
	struct sigaction sa = { .sa_handler = zdtm_on_usr1 };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

/* Tell the driver the state is built: create the file named by $ZDTM_READY. */
static inline void zdtm_ready(void)
{
	const char *path = getenv("ZDTM_READY");
	int fd;

	if (!path)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0)
		close(fd);
}

/* Nonzero unless all @n bytes at @p equal @c. */
static inline int memchr_inv_check(const void *p, int c, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != (unsigned char)c)
			return 1;
	return 0;
}

/* Wait for SIGUSR1 in pause(): the dump sees an interrupted syscall. */
static inline void zdtm_wait_pause(void)
{
	while (!zdtm_go)
		pause();
}

#endif /* ZDTM_H */
