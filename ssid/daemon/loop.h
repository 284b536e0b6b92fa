/* SPDX-License-Identifier: GPL-2.0 */
/*
 * loop.h - the one epoll event loop of ssid.
 *
 * Each file descriptor is registered with a handler: a struct embedded in
 * its owner's state, whose callback receives the epoll events.  Timers are
 * deadlines on the monotonic clock that the modules report to main.c; the
 * loop sleeps in epoll_wait() until the earliest one.
 */
#ifndef SSID_LOOP_H
#define SSID_LOOP_H

#include <stdint.h>

#include "common/clock.h"

struct loop;
struct loop_handler;

typedef void (*loop_cb)(struct loop_handler *h, uint32_t events);

struct loop_handler {
	int fd;
	loop_cb cb;
};

/* A deadline that never comes. */
#define LOOP_NEVER	UINT64_MAX

/* loop_create - a new loop, or NULL with errno set. */
struct loop *loop_create(void);

/* loop_destroy - close the epoll fd and free @l; handlers are not touched. */
void loop_destroy(struct loop *l);

/*
 * loop_add - watch h->fd for @events (EPOLLIN, EPOLLOUT, ...) and call
 * h->cb when they occur.  @h must stay valid until loop_del().
 * Returns 0 or -1 with errno set.
 */
int loop_add(struct loop *l, struct loop_handler *h, uint32_t events);

/* loop_mod - change the events watched for @h; 0 or -1 with errno. */
int loop_mod(struct loop *l, struct loop_handler *h, uint32_t events);

/*
 * loop_del - stop watching @h.  Safe from inside any callback, also for a
 * handler whose events are still pending in the current round: those are
 * dropped.  Close the fd after this, never before.
 */
void loop_del(struct loop *l, struct loop_handler *h);

/*
 * loop_wait - wait until an event or @deadline_ms (monotonic, LOOP_NEVER)
 * and run the callbacks of what happened.  Returns the number of events
 * handled, 0 on timeout or EINTR, or -1 with errno set on a failure of
 * epoll itself (which the caller treats as fatal).
 */
int loop_wait(struct loop *l, uint64_t deadline_ms);

#endif /* SSID_LOOP_H */
