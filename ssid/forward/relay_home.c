// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * relay_home.c - the home half of the forwarding relay (see relay_home.h):
 * forwarded calls queued and run in the deputy.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#include "kmod/uapi/ssi.h"

#include "common/log.h"
#include "forward/relay_home.h"

/* How long the deputy may take to start, and to park its itimers. */
#define RELAY_ATTACH_TIMEOUT_MS	5000
/*
 * How often a cancel is sent again to a deputy still in the call (a
 * cancel that lands before the call blocks is lost).
 */
#define RELAY_CANCEL_RETRY_MS	20

struct relay_home_req {
	struct relay_home_req *next;
	uint64_t seq;
	size_t len;
	uint8_t data[];
};

static void on_signal(struct ssi_deputy *d, int sig, const void *siginfo, void *arg)
{
	struct relay_home *r = arg;

	r->ops->signal(r->arg, d->tid, sig, siginfo);
}

void relay_home_init(struct relay_home *r, struct loop *loop, pid_t pid, pid_t tid,
		     const char *remote, const struct relay_home_ops *ops,
		     void *arg)
{
	memset(r, 0, sizeof(*r));
	r->dep.chan = -1;
	r->dep.on_signal = on_signal;
	r->dep.arg = r;
	r->loop = loop;
	r->q_tail = &r->q;
	r->pid = pid;
	r->tid = tid;
	r->remote = remote;
	r->ops = ops;
	r->arg = arg;
}

static void send_reply(struct relay_home *r, uint64_t seq, const void *rep, size_t len)
{
	r->bytes += len;
	r->ops->reply(r->arg, seq, rep, len);
}

/* Ask the stub to give up the call in flight; the timer repeats it. */
static void cancel_now(struct relay_home *r)
{
	int rc = ssi_deputy_cancel(&r->dep);

	if (rc)
		log_debug("pid %d: cancel: %s", (int)r->pid, strerror(-rc));
	r->cancel_next_ms = clock_mono_ms() + RELAY_CANCEL_RETRY_MS;
}

/* The stub answered request @seq: a cancel of it is over. */
static void answered(struct relay_home *r, uint64_t seq)
{
	if (r->cancel_seq == seq)
		r->cancel_seq = 0;
	r->forwarded++;
}

int relay_home_run(struct relay_home *r)
{
	struct relay_home_req *q;
	void *rep;
	size_t rlen;
	int rc;

	while (!r->dep.cur.busy && (q = r->q)) {
		r->q = q->next;
		if (!r->q)
			r->q_tail = &r->q;
		rc = ssi_deputy_start(&r->dep, q->data, q->len, &rep, &rlen);
		if (rc == 1) {
			send_reply(r, q->seq, rep, rlen);
			free(rep);
			answered(r, q->seq);
		} else if (rc == 0) {
			r->cur_seq = q->seq;
			if (r->cancel_seq == q->seq)
				cancel_now(r);	/* cancelled before it started */
		} else if (rc == -EPIPE || rc == -ESRCH) {
			free(q);
			r->ops->gone(r->arg, "channel closed");
			return -1;
		} else {
			/* malformed: an empty reply, which the remote refuses
			 * and answers with EIO; the process goes on
			 */
			log_warn("pid %d: forwarded request from %s refused: %s",
				 (int)r->pid, r->remote, strerror(-rc));
			send_reply(r, q->seq, NULL, 0);
		}
		free(q);
	}
	if (r->end_asked && !r->ending && !r->dep.cur.busy && !r->q)
		relay_home_end_thread(r);
	return 0;
}

static void unwatch(struct relay_home *r)
{
	if (r->chan_added)
		loop_del(r->loop, &r->chan_h);
	r->chan_added = false;
	if (r->dep.chan > 0)
		close(r->dep.chan);
	r->dep.chan = -1;
}

static void chan_ready(struct loop_handler *lh, uint32_t events)
{
	struct relay_home *r = (struct relay_home *)((char *)lh -
						     offsetof(struct relay_home, chan_h));
	void *rep;
	size_t rlen;
	int rc;

	for (;;) {
		rc = ssi_deputy_event(&r->dep, &rep, &rlen);
		if (rc == -EAGAIN)
			break;
		if (rc < 0 && r->ending) {
			unwatch(r);	/* the thread ended as it was told */
			return;
		}
		if (rc < 0) {
			r->ops->gone(r->arg, rc == -EPIPE ? "channel closed" : strerror(-rc));
			return;
		}
		if (rc == 1) {
			send_reply(r, r->cur_seq, rep, rlen);
			free(rep);
			answered(r, r->cur_seq);
			if (relay_home_run(r))
				return;
		}
	}
	if (events & (EPOLLHUP | EPOLLERR) && r->ending)
		unwatch(r);
	else if (events & (EPOLLHUP | EPOLLERR))
		r->ops->gone(r->arg, "channel hung up");
}

int relay_home_attach(struct relay_home *r, int chan, uint64_t area_addr,
		      const char **what)
{
	int rc;

	rc = ssi_deputy_attach_thread(&r->dep, r->pid, r->tid, chan, area_addr,
				      SSI_DEPUTY_AREA_DEFAULT, RELAY_ATTACH_TIMEOUT_MS);
	if (!rc && r->tid == r->pid)	/* process-wide: once */
		rc = ssi_deputy_park_itimers(&r->dep, RELAY_ATTACH_TIMEOUT_MS);
	r->dep.chan = chan;
	if (rc) {
		*what = "the deputy did not start";
		return rc;
	}
	r->chan_h.fd = chan;
	r->chan_h.cb = chan_ready;
	if (loop_add(r->loop, &r->chan_h, EPOLLIN)) {
		*what = "epoll";
		return -errno;
	}
	r->chan_added = true;
	return 0;
}

void relay_home_request(struct relay_home *r, uint64_t seq, const void *data,
			size_t len)
{
	struct relay_home_req *q = malloc(sizeof(*q) + len);

	if (!q) {
		send_reply(r, seq, NULL, 0);
		return;
	}
	q->next = NULL;
	q->seq = seq;
	q->len = len;
	memcpy(q->data, data, len);
	r->bytes += len;
	*r->q_tail = q;
	r->q_tail = &q->next;
}

void relay_home_cancel(struct relay_home *r, uint64_t seq)
{
	struct relay_home_req *q;

	if (r->dep.cur.busy && r->cur_seq == seq) {
		r->cancel_seq = seq;
		cancel_now(r);
		return;
	}
	for (q = r->q; q; q = q->next)
		if (q->seq == seq)
			r->cancel_seq = seq;
}

void relay_home_cancel_current(struct relay_home *r)
{
	if (r->dep.cur.busy)
		relay_home_cancel(r, r->cur_seq);
}

int relay_home_end_thread(struct relay_home *r)
{
	int rc = 0;

	r->end_asked = true;
	if (r->dep.chan >= 0 && !r->ending && !r->dep.cur.busy)
		rc = ssi_deputy_end_thread(&r->dep);
	if (!rc && !r->dep.cur.busy)
		r->ending = true;
	return rc;
}

uint64_t relay_home_timer(struct relay_home *r, uint64_t now_ms)
{
	if (!r->cancel_seq || !r->dep.cur.busy || r->cur_seq != r->cancel_seq)
		return LOOP_NEVER;
	if (now_ms >= r->cancel_next_ms)
		cancel_now(r);
	return r->cancel_next_ms;
}

void relay_home_destroy(struct relay_home *r)
{
	struct relay_home_req *q;

	unwatch(r);
	ssi_deputy_abandon(&r->dep);
	while ((q = r->q)) {
		r->q = q->next;
		free(q);
	}
	r->q_tail = &r->q;
}
