// SPDX-License-Identifier: GPL-2.0
/*
 * intr_fwd: signals interrupt calls that block at home (forwarded) exactly
 * as they would interrupt them locally, and the call is stopped at home.
 *
 * A child (it stays at home) feeds a pipe: after every third byte it
 * reads from the "kick" pipe it writes "data" into the "feed" pipe.  A
 * periodic ITIMER_REAL (armed at home: its SIGALRM is relayed) ticks every
 * 20 ms; each round:
 *
 *  - SA_RESTART, the handler writes three kicks, one per tick (forwarded
 *    calls from a handler while the main flow blocks in a forwarded read):
 *    the read of the empty feed pipe is restarted, never EINTR, and gets
 *    "data";
 *  - no SA_RESTART: the read ends in EINTR; the next read (three kicks
 *    again) gets the whole "data": the interrupted read did not go on at
 *    home and eat it;
 *  - SA_RESTART: poll and epoll_wait end in EINTR all the same (the kernel
 *    never restarts them after a handler).
 */
#include "zs.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/time.h>
#include <sys/wait.h>

static int kick_w, feed_r;
static volatile sig_atomic_t ticks, kicks;

static void on_alrm(int sig)
{
	int e = errno;

	ticks++;
	if (kicks > 0) {
		kicks--;
		if (write(kick_w, "k", 1) != 1)
			_exit(9);
	}
	errno = e;
}

static void handle(int flags)
{
	struct sigaction sa = { .sa_handler = on_alrm, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	zs_check(!sigaction(SIGALRM, &sa, NULL), "sigaction: %s", strerror(errno));
}

/* The child: "data" into the feed pipe after every third kick. */
static void feeder(int kick_r, int feed_w)
{
	char c;
	int n = 0;

	while (read(kick_r, &c, 1) == 1)
		if (++n % 3 == 0 && write(feed_w, "data", 4) != 4)
			_exit(2);
	_exit(0);
}

/* A read of the feed pipe while three kicks come from the handler: "data". */
static void read_fed(unsigned round, const char *what)
{
	char buf[16];
	ssize_t n;

	kicks = 3;
	n = read(feed_r, buf, sizeof(buf));
	zs_check(n == 4 && !memcmp(buf, "data", 4), "round %u, %s: read returned %zd (%s)",
		 round, what, n, n < 0 ? strerror(errno) : "short or wrong data");
}

int main(void)
{
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } };
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int kick[2], feed[2], ep, status;
	struct pollfd pfd;
	unsigned round;
	sigset_t alrm;
	char buf[16];
	pid_t child;
	ssize_t n;

	zs_check(!pipe(kick) && !pipe(feed), "pipe: %s", strerror(errno));
	child = fork();
	zs_check(child >= 0, "fork: %s", strerror(errno));
	if (child == 0) {
		close(kick[1]);
		close(feed[0]);
		feeder(kick[0], feed[1]);
	}
	close(kick[0]);
	close(feed[1]);
	kick_w = kick[1];
	feed_r = feed[0];
	ep = epoll_create1(0);
	ev.data.fd = feed_r;
	zs_check(ep >= 0 && !epoll_ctl(ep, EPOLL_CTL_ADD, feed_r, &ev), "epoll: %s",
		 strerror(errno));
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	handle(SA_RESTART);
	zs_check(!setitimer(ITIMER_REAL, &it, NULL), "setitimer: %s", strerror(errno));
	zs_ready(getpid());

	for (round = 0; zs_more_blocking(&alrm); round++) {
		read_fed(round, "SA_RESTART");

		handle(0);
		n = read(feed_r, buf, sizeof(buf));
		zs_check(n < 0 && errno == EINTR, "round %u: read returned %zd (%s), not EINTR",
			 round, n, n < 0 ? strerror(errno) : "data");
		handle(SA_RESTART);
		read_fed(round, "after EINTR");

		pfd = (struct pollfd){ .fd = feed_r, .events = POLLIN };
		n = poll(&pfd, 1, -1);
		zs_check(n < 0 && errno == EINTR, "round %u: poll returned %zd (%s), not EINTR",
			 round, n, n < 0 ? strerror(errno) : "ready");
		n = epoll_wait(ep, &out, 1, -1);
		zs_check(n < 0 && errno == EINTR,
			 "round %u: epoll_wait returned %zd (%s), not EINTR", round, n,
			 n < 0 ? strerror(errno) : "ready");
	}
	it = (struct itimerval){ { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &it, NULL);
	close(kick_w);
	zs_check(waitpid(child, &status, 0) == child && WIFEXITED(status) &&
		 WEXITSTATUS(status) == 0, "the feeder ended with status 0x%x", status);
	zs_check((unsigned)ticks >= 3 * round, "%d ticks in %u rounds", (int)ticks, round);
	zdtm_say("intr_fwd: ok, reads restarted or EINTR as asked, poll and epoll EINTR\n");
	return 74;
}
