// SPDX-License-Identifier: GPL-2.0
/*
 * loop.c - epoll wrapper (see loop.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "common/defaults.h"
#include "daemon/loop.h"

struct loop {
	int epfd;
	/* events of the current round, so loop_del() can void them */
	struct epoll_event ev[SSI_EPOLL_EVENTS];
	int nev;
};

struct loop *loop_create(void)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		int saved = errno;

		free(l);
		errno = saved;
		return NULL;
	}
	return l;
}

void loop_destroy(struct loop *l)
{
	if (!l)
		return;
	close(l->epfd);
	free(l);
}

int loop_add(struct loop *l, struct loop_handler *h, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };

	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, h->fd, &ev);
}

int loop_mod(struct loop *l, struct loop_handler *h, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };

	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, h->fd, &ev);
}

void loop_del(struct loop *l, struct loop_handler *h)
{
	int i;

	epoll_ctl(l->epfd, EPOLL_CTL_DEL, h->fd, NULL);
	for (i = 0; i < l->nev; i++)
		if (l->ev[i].data.ptr == h)
			l->ev[i].data.ptr = NULL;
}

int loop_wait(struct loop *l, uint64_t deadline_ms)
{
	int timeout, n, i;

	if (deadline_ms == LOOP_NEVER) {
		timeout = -1;
	} else {
		uint64_t now = clock_mono_ms();

		if (deadline_ms <= now)
			timeout = 0;
		else if (deadline_ms - now > 3600000)
			timeout = 3600000;
		else
			timeout = (int)(deadline_ms - now);
	}
	n = epoll_wait(l->epfd, l->ev, SSI_EPOLL_EVENTS, timeout);
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	l->nev = n;
	for (i = 0; i < n; i++) {
		struct loop_handler *h = l->ev[i].data.ptr;

		if (h)
			h->cb(h, l->ev[i].events);
	}
	l->nev = 0;
	return n;
}
