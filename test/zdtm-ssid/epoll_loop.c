// SPDX-License-Identifier: GPL-2.0
/*
 * epoll_loop: an event loop over a pipe, an edge-triggered pipe, an
 * eventfd, a one-shot socketpair end and a periodic timerfd.  Every round
 * makes a pseudo-random subset ready and checks that epoll reports exactly
 * that subset; every fourth round waits (blocking) for the timer.  All the
 * fds, the epoll instance included, live at home once the process moves.
 *
 * epoll_wait may fail with EINTR after the process was stopped or frozen
 * (signal(7)), so a migration may show one: it is retried, not reported.
 */
#include "zs.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

enum { LEVEL, EDGE, EVENT, ONESHOT, TIMER, NSRC };

static int ep, lvl[2], edge[2], efd, sp[2], tfd;

static void add(int fd, uint32_t events, int src)
{
	struct epoll_event ev = { .events = events, .data.u32 = src };

	zs_check(!epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), "epoll_ctl add %d: %s", src, strerror(errno));
}

/* The sources epoll reports ready now (timeout 0), as a bit mask. */
static unsigned ready(int timeout, int with_mask)
{
	struct epoll_event ev[NSRC + 2];
	unsigned mask = 0;
	sigset_t none;
	int n, i;

	sigemptyset(&none);
	do {
		n = with_mask ? epoll_pwait(ep, ev, NSRC + 2, timeout, &none) :
				epoll_wait(ep, ev, NSRC + 2, timeout);
	} while (n < 0 && errno == EINTR);
	zs_check(n >= 0, "epoll_wait: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		zs_check(ev[i].data.u32 < NSRC && !(mask & 1u << ev[i].data.u32),
			 "epoll_wait: event %u twice or unknown", ev[i].data.u32);
		mask |= 1u << ev[i].data.u32;
	}
	return mask;
}

static void make_ready(unsigned bits)
{
	uint64_t one = 1;

	if (bits & 1u << LEVEL)
		zs_write_all(lvl[1], "l", 1);
	if (bits & 1u << EDGE)
		zs_write_all(edge[1], "ee", 2);		/* two bytes, one read */
	if (bits & 1u << EVENT)
		zs_write_all(efd, &one, sizeof(one));
	if (bits & 1u << ONESHOT)
		zs_write_all(sp[0], "o", 1);
}

static void drain(unsigned bits)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.u32 = ONESHOT };
	uint64_t v;
	char c;

	if (bits & 1u << LEVEL)
		zs_read_all(lvl[0], &c, 1);
	if (bits & 1u << EDGE)
		zs_read_all(edge[0], &c, 1);
	if (bits & 1u << EVENT) {
		zs_read_all(efd, &v, sizeof(v));
		zs_check(v == 1, "eventfd read %llu", (unsigned long long)v);
	}
	if (bits & 1u << ONESHOT) {
		zs_read_all(sp[1], &c, 1);
		zs_check(!epoll_ctl(ep, EPOLL_CTL_MOD, sp[1], &ev), "rearm: %s", strerror(errno));
	}
}

int main(void)
{
	struct itimerspec its = { { 0, 20000000 }, { 0, 20000000 } };
	unsigned bits, got, round;
	uint32_t seed = 3;
	uint64_t ticks;
	char c;

	ep = epoll_create1(EPOLL_CLOEXEC);
	efd = eventfd(0, 0);
	tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	if (ep < 0 || efd < 0 || tfd < 0 || pipe(lvl) || pipe(edge) ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sp) || timerfd_settime(tfd, 0, &its, NULL))
		zs_fail("setting up: %s", strerror(errno));
	add(lvl[0], EPOLLIN, LEVEL);
	add(edge[0], EPOLLIN | EPOLLET, EDGE);
	add(efd, EPOLLIN, EVENT);
	add(sp[1], EPOLLIN | EPOLLONESHOT, ONESHOT);
	add(tfd, EPOLLIN, TIMER);
	zs_ready(getpid());

	for (round = 1; zs_more(); round++) {
		bits = zs_rand(&seed) & 0xf;
		make_ready(bits);
		got = ready(0, round & 1) & ~(1u << TIMER);
		zs_check(got == bits, "round %u: ready %#x, expected %#x", round, got, bits);
		/* Edge-triggered: the byte left in the pipe is no new edge. */
		drain(bits);
		got = ready(0, 0) & ~(1u << TIMER);
		zs_check(got == 0, "round %u: ready %#x after draining", round, got);
		if (bits & 1u << EDGE)
			zs_read_all(edge[0], &c, 1);
		if (round % 4)
			continue;
		while (!(ready(-1, 0) & 1u << TIMER))
			;
		zs_read_all(tfd, &ticks, sizeof(ticks));
		zs_check(ticks >= 1, "timerfd: %llu expirations", (unsigned long long)ticks);
	}
	zdtm_say("epoll_loop: ok\n");
	return 62;
}
