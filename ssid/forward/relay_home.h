/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * relay_home.h - the home half of the forwarding relay: the calls a
 * migrated process forwarded home, queued and run one at a time in its
 * deputy (deputy_driver.h) on ssid's event loop; their replies, and the
 * signals the deputy catches, handed to the owner (migrate/home_side.c)
 * to send to the remote node.
 *
 * One relay per thread of the process: each deputy thread runs its own
 * stub on its own channel, one call at a time; requests of that thread
 * that arrive meanwhile wait in order, while the other threads' relays
 * run theirs.  A request the remote
 * node gave up (a signal interrupted it there) is cancelled in the stub,
 * again every RELAY_CANCEL_RETRY_MS until it answers, since a cancel that
 * lands before the call blocks is lost.
 *
 * The relay knows no peers and no messages: the owner moves the bytes.
 */
#ifndef SSID_RELAY_HOME_H
#define SSID_RELAY_HOME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemon/loop.h"
#include "forward/deputy_driver.h"

struct relay_home_req;

/* What the relay asks of its owner; every callback gets the owner's @arg. */
struct relay_home_ops {
	/*
	 * The reply to request @seq (call_wire.h bytes); @rep NULL and
	 * @len 0 when the request was refused here (the remote answers
	 * EIO and the process goes on).
	 */
	void (*reply)(void *arg, uint64_t seq, const void *rep, size_t len);
	/*
	 * a signal deputy thread @tid caught, with its 128-byte siginfo
	 * (si_code SI_TKILL: it was sent to that thread)
	 */
	void (*signal)(void *arg, pid_t tid, int sig, const void *siginfo);
	/*
	 * The deputy is gone (its channel closed or broke): the owner ends
	 * the migration and may free the relay.
	 */
	void (*gone)(void *arg, const char *why);
};

struct relay_home {
	struct ssi_deputy dep;		/* dep.chan: -1 until attached */
	struct loop *loop;
	struct loop_handler chan_h;
	bool chan_added;
	struct relay_home_req *q, **q_tail;	/* waiting for the stub */
	uint64_t cur_seq;		/* request the stub runs, if busy */
	uint64_t cancel_seq;		/* request the remote gave up, or 0 */
	uint64_t cancel_next_ms;	/* when to send its cancel again */
	uint64_t forwarded, bytes;	/* calls run, bytes both ways */
	bool end_asked;			/* to end alone once idle */
	bool ending;			/* told to end alone: its EOF is expected */
	pid_t pid;			/* the home pid, the deputy's */
	pid_t tid;			/* the deputy thread this relay drives */
	const char *remote;		/* the node it runs on, for the log */
	const struct relay_home_ops *ops;
	void *arg;
};

/*
 * relay_home_init - an idle relay for thread @tid (@pid: the leader) of
 * home pid @pid, whose process runs on node @remote (kept, not copied).
 * Requests may be queued at once; they run once the deputy is attached
 * and relay_home_run() is called.
 */
void relay_home_init(struct relay_home *r, struct loop *loop, pid_t pid, pid_t tid,
		     const char *remote, const struct relay_home_ops *ops,
		     void *arg);

/*
 * relay_home_attach - the task became a deputy with channel @chan (taken:
 * relay_home_destroy() closes it) and its stub's area at @area_addr: wait
 * for the stub, park the process's CPU itimers (the leader's relay,
 * deputy_driver.h), and watch the channel on the loop.
 * Return: 0, or -errno with @what saying which step failed.
 */
int relay_home_attach(struct relay_home *r, int chan, uint64_t area_addr,
		      const char **what);

/*
 * relay_home_request - queue request @seq (@len bytes at @data, copied).
 * Without memory it is refused at once through ops->reply.
 */
void relay_home_request(struct relay_home *r, uint64_t seq, const void *data,
			size_t len);

/*
 * relay_home_run - start queued requests while the stub is idle.
 * Return: 0, or -1 when ops->gone was called (the owner may have freed
 * @r: touch nothing).
 */
int relay_home_run(struct relay_home *r);

/*
 * relay_home_cancel - the remote node gave up request @seq: stop it in the
 * stub, or as soon as it starts if it waits.  An answered one needs
 * nothing: its reply is on its way.
 */
void relay_home_cancel(struct relay_home *r, uint64_t seq);

/* relay_home_cancel_current - cancel whatever the stub runs now, if anything. */
void relay_home_cancel_current(struct relay_home *r);

/*
 * relay_home_end_thread - this deputy thread ends alone (its thread on the
 * remote node is gone): its stub exits, now or as soon as the call in
 * flight is answered, and its channel's EOF is no reason to call
 * ops->gone.  Return: 0 (told, or to be told), or -errno.
 */
int relay_home_end_thread(struct relay_home *r);

/* relay_home_timer - repeat a pending cancel; the next deadline. */
uint64_t relay_home_timer(struct relay_home *r, uint64_t now_ms);

/*
 * relay_home_destroy - stop watching the channel, close it, forget the
 * call in flight and the queue.
 */
void relay_home_destroy(struct relay_home *r);

#endif /* SSID_RELAY_HOME_H */
