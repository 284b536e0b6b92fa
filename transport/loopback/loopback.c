// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * loopback.c - the "loopback" transport plugin: connections between
 * endpoints of the same process, for tests.  Frames are copied into
 * in-memory queues; everything else (handshake with munge, sequence
 * numbers, callbacks) is the real core.  Endpoints may live in different
 * threads: one mutex guards the registry and all queues, and each endpoint
 * is woken through its own eventfd.
 *
 * Addresses: ssi_tp_listen(tp, NAME, PORT) registers NAME:PORT (PORT 0
 * picks an unused one); ssi_tp_connect(tp, NAME, PORT, ...) reaches it.
 * Backpressure is real: a link's queued bytes are those the peer has not
 * consumed yet.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "transport/ssi_tp_plugin.h"

const char plugin_name[] = "in-process loopback transport (tests)";
const char plugin_type[] = "transport/loopback";
const uint32_t plugin_version = SSI_TP_PLUGIN_VERSION;

#define MSG_BUDGET	64	/* frames per link per wake-up */

struct lb_msg {
	struct lb_msg *next;
	size_t len;		/* header + inline */
	size_t bulk_len;	/* follows data[len] */
	uint8_t data[];
};

enum lb_side_state { LB_NEW_ACCEPT, LB_NEW_CONNECT, LB_UP, LB_ENDED };

struct lb_state;
struct lb_pipe;

struct lb_side {
	struct lb_pipe *pipe;
	int idx;
	struct lb_state *st;
	struct lb_side *next, *prev;	/* in st->sides */
	enum lb_side_state state;
	ssi_conn_t conn;
	struct lb_msg *rxq, **rxtail;
	size_t rxbytes;			/* queued to this side */
	int peer_closed;
	int refused;
	int need_sent;			/* the peer consumed our data */
	struct ssi_tp_deferred free_d;
};

struct lb_pipe {
	int refs;
	struct lb_side side[2];
};

struct lb_state {
	ssi_tp_t tp;
	int efd;
	struct ssi_tp_watch w;
	char *name;			/* listening name, or NULL */
	uint16_t port;
	struct lb_state *lnext;		/* registry of listeners */
	struct lb_side *sides;
};

static pthread_mutex_t lb_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lb_state *lb_listeners;
static uint16_t lb_next_port = 1;

static void wake(struct lb_state *st)
{
	uint64_t one = 1;

	if (write(st->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		ssi_tp_core_log(st->tp, LOG_ERR, "loopback: eventfd: %s",
				strerror(errno));
}

static struct lb_side *peer_of(struct lb_side *s)
{
	return &s->pipe->side[!s->idx];
}

static void rxq_free(struct lb_side *s)
{
	struct lb_msg *m;

	while ((m = s->rxq)) {
		s->rxq = m->next;
		free(m);
	}
	s->rxtail = &s->rxq;
	s->rxbytes = 0;
}

/* Under lb_lock: unlink [s] from its endpoint, drop its pipe reference. */
static void side_release(struct lb_side *s)
{
	struct lb_pipe *p = s->pipe;

	if (s->prev)
		s->prev->next = s->next;
	else
		s->st->sides = s->next;
	if (s->next)
		s->next->prev = s->prev;
	rxq_free(s);
	if (--p->refs == 0)
		free(p);
}

static void side_free(struct ssi_tp_deferred *d)
{
	struct lb_side *s = ssi_container_of(d, struct lb_side, free_d);

	pthread_mutex_lock(&lb_lock);
	side_release(s);
	pthread_mutex_unlock(&lb_lock);
}

/* Under lb_lock: the side stops; its peer learns after draining. */
static void side_end(struct lb_side *s)
{
	struct lb_side *p = peer_of(s);

	s->state = LB_ENDED;
	s->conn = NULL;
	rxq_free(s);
	if (s->pipe->refs == 2 && p->state != LB_ENDED) {
		p->peer_closed = 1;
		p->need_sent = 1;	/* our queue toward it is void */
		wake(p->st);
	}
}

static void side_insert(struct lb_state *st, struct lb_side *s)
{
	s->st = st;
	s->rxtail = &s->rxq;
	s->prev = NULL;
	s->next = st->sides;
	if (st->sides)
		st->sides->prev = s;
	st->sides = s;
}

/* ------------------------------------------------------------------------ */

static void deliver(struct lb_side *s, struct lb_msg *m, int *gone)
{
	struct ssi_tp_bulk *b = NULL;

	if (m->bulk_len) {
		b = ssi_tp_core_bulk_get(s->st->tp, m->bulk_len);
		if (!b) {
			ssi_tp_core_closed(s->conn, SSI_TP_ERR_NO_MEMORY,
					   "out of memory for a bulk payload");
			*gone = 1;
			return;
		}
		memcpy(ssi_tp_core_bulk_data(b), m->data + m->len, m->bulk_len);
	}
	*gone = ssi_tp_core_recv(s->conn, m->data, m->len,
				 b ? ssi_tp_core_bulk_data(b) : NULL,
				 m->bulk_len);
	ssi_tp_core_bulk_put(s->st->tp, b);
}

/* Works on one side; called and returns with lb_lock held. */
static void side_work(struct lb_side *s)
{
	struct lb_state *st = s->st;
	ssi_conn_t conn;
	struct lb_msg *m;
	int n, gone = 0;

	if (s->state == LB_NEW_ACCEPT) {
		s->state = LB_UP;
		pthread_mutex_unlock(&lb_lock);
		conn = ssi_tp_core_accept(st->tp, s, "loopback");
		pthread_mutex_lock(&lb_lock);
		if (!conn) {
			side_end(s);
			ssi_tp_core_defer(st->tp, &s->free_d, side_free);
			return;
		}
		s->conn = conn;
	}
	if (s->state == LB_NEW_CONNECT) {
		conn = s->conn;
		if (s->refused) {
			side_end(s);
			pthread_mutex_unlock(&lb_lock);
			ssi_tp_core_closed(conn, SSI_TP_ERR_CONNECT,
					   "connect: no such loopback listener");
			pthread_mutex_lock(&lb_lock);
			return;
		}
		s->state = LB_UP;
		pthread_mutex_unlock(&lb_lock);
		gone = ssi_tp_core_connected(conn);
		pthread_mutex_lock(&lb_lock);
		if (gone)
			return;
	}
	for (n = 0; s->state == LB_UP && s->rxq && n < MSG_BUDGET; n++) {
		m = s->rxq;
		s->rxq = m->next;
		if (!s->rxq)
			s->rxtail = &s->rxq;
		s->rxbytes -= m->len + m->bulk_len;
		if (s->pipe->refs == 2 && peer_of(s)->state != LB_ENDED) {
			peer_of(s)->need_sent = 1;
			wake(peer_of(s)->st);
		}
		pthread_mutex_unlock(&lb_lock);
		deliver(s, m, &gone);
		free(m);
		pthread_mutex_lock(&lb_lock);
		if (gone)
			return;
	}
	if (s->state == LB_UP && s->rxq)
		wake(st);			/* budget used up */
	if (s->state == LB_UP && s->need_sent) {
		s->need_sent = 0;
		pthread_mutex_unlock(&lb_lock);
		gone = ssi_tp_core_sent(s->conn);
		pthread_mutex_lock(&lb_lock);
		if (gone)
			return;
	}
	if (s->state == LB_UP && s->peer_closed && !s->rxq) {
		conn = s->conn;
		side_end(s);
		pthread_mutex_unlock(&lb_lock);
		ssi_tp_core_closed(conn, SSI_TP_ERR_PEER_CLOSED, "closed by peer");
		pthread_mutex_lock(&lb_lock);
	}
}

static void lb_event(struct ssi_tp_watch *w, uint32_t events)
{
	struct lb_state *st = ssi_container_of(w, struct lb_state, w);
	struct lb_side *s;
	uint64_t v;

	if (read(st->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		ssi_tp_core_log(st->tp, LOG_ERR, "loopback: eventfd: %s",
				strerror(errno));
	pthread_mutex_lock(&lb_lock);
	/* sides are unlinked only by deferred work: the walk is safe */
	for (s = st->sides; s; s = s->next)
		if (s->state != LB_ENDED)
			side_work(s);
	pthread_mutex_unlock(&lb_lock);
}

/* ------------------------------------------------------------------------ */

ssi_tp_err_t tp_p_send(void *link, const struct iovec *iov, int iovcnt,
		       size_t len, struct ssi_tp_bulk *bulk, size_t bulk_len)
{
	struct lb_side *s = link, *p;
	struct lb_msg *m;
	uint8_t *d;
	int i;

	m = malloc(sizeof(*m) + len + bulk_len);
	if (!m)
		return SSI_TP_ERR_NO_MEMORY;
	m->next = NULL;
	m->len = len;
	m->bulk_len = bulk_len;
	for (d = m->data, i = 0; i < iovcnt; i++) {
		/* an empty one may have no base (memcpy's is never NULL) */
		if (!iov[i].iov_len)
			continue;
		memcpy(d, iov[i].iov_base, iov[i].iov_len);
		d += iov[i].iov_len;
	}
	if (bulk_len)
		memcpy(d, ssi_tp_core_bulk_data(bulk), bulk_len);
	ssi_tp_core_bulk_put(s->st->tp, bulk);

	pthread_mutex_lock(&lb_lock);
	p = peer_of(s);
	if (s->state != LB_UP || s->pipe->refs != 2 || p->state == LB_ENDED ||
	    s->peer_closed) {
		pthread_mutex_unlock(&lb_lock);
		free(m);			/* dropped, as on a dead socket */
		return SSI_TP_OK;
	}
	*p->rxtail = m;
	p->rxtail = &m->next;
	p->rxbytes += len + bulk_len;
	wake(p->st);
	pthread_mutex_unlock(&lb_lock);
	return SSI_TP_OK;
}

size_t tp_p_queued(void *link)
{
	struct lb_side *s = link;
	size_t n = 0;

	pthread_mutex_lock(&lb_lock);
	if (s->pipe->refs == 2)
		n = peer_of(s)->rxbytes;
	pthread_mutex_unlock(&lb_lock);
	return n;
}

void tp_p_close(void *link)
{
	struct lb_side *s = link;

	pthread_mutex_lock(&lb_lock);
	side_end(s);
	pthread_mutex_unlock(&lb_lock);
	ssi_tp_core_defer(s->st->tp, &s->free_d, side_free);
}

ssi_tp_err_t tp_p_init(ssi_tp_t tp, const char *opts, void **statep)
{
	static const char *const keys[] = { NULL };
	struct lb_state *st;

	if (ssi_tp_core_opts_check(tp, opts, keys))
		return SSI_TP_ERR_BAD_ARG;
	st = calloc(1, sizeof(*st));
	if (!st)
		return SSI_TP_ERR_NO_MEMORY;
	st->tp = tp;
	st->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (st->efd < 0) {
		ssi_tp_core_errmsg(tp, "loopback: eventfd: %s", strerror(errno));
		free(st);
		return SSI_TP_ERR_SYSTEM;
	}
	if (ssi_tp_core_watch(tp, &st->w, st->efd, EPOLLIN, lb_event)) {
		close(st->efd);
		free(st);
		return SSI_TP_ERR_SYSTEM;
	}
	*statep = st;
	return SSI_TP_OK;
}

void tp_p_fini(void *state)
{
	struct lb_state *st = state, **pp;

	pthread_mutex_lock(&lb_lock);
	for (pp = &lb_listeners; *pp; pp = &(*pp)->lnext) {
		if (*pp == st) {
			*pp = st->lnext;
			break;
		}
	}
	/* sides never announced to the core (accepts not yet seen) */
	while (st->sides) {
		side_end(st->sides);
		side_release(st->sides);
	}
	pthread_mutex_unlock(&lb_lock);
	ssi_tp_core_unwatch(st->tp, &st->w);
	close(st->efd);
	free(st->name);
	free(st);
}

static struct lb_state *find_listener(const char *name, uint16_t port)
{
	struct lb_state *l;

	for (l = lb_listeners; l; l = l->lnext)
		if (!strcmp(l->name, name) && l->port == port)
			return l;
	return NULL;
}

ssi_tp_err_t tp_p_listen(void *state, const char *addr, uint16_t port,
			 uint16_t *bound)
{
	struct lb_state *st = state;
	const char *name = addr && *addr ? addr : "loopback";

	st->name = strdup(name);
	if (!st->name)
		return SSI_TP_ERR_NO_MEMORY;
	pthread_mutex_lock(&lb_lock);
	if (port == 0) {
		do
			port = lb_next_port++ ?: lb_next_port++;
		while (find_listener(name, port));
	} else if (find_listener(name, port)) {
		pthread_mutex_unlock(&lb_lock);
		ssi_tp_core_errmsg(st->tp, "loopback: %s:%u: address in use",
				   name, port);
		free(st->name);
		st->name = NULL;
		return SSI_TP_ERR_SYSTEM;
	}
	st->port = port;
	st->lnext = lb_listeners;
	lb_listeners = st;
	pthread_mutex_unlock(&lb_lock);
	*bound = port;
	return SSI_TP_OK;
}

ssi_tp_err_t tp_p_connect(void *state, ssi_conn_t conn, const char *host,
			  uint16_t port, void **linkp)
{
	struct lb_state *st = state, *l;
	struct lb_pipe *p;

	p = calloc(1, sizeof(*p));
	if (!p)
		return SSI_TP_ERR_NO_MEMORY;
	p->side[0].pipe = p->side[1].pipe = p;
	p->side[1].idx = 1;
	p->side[0].state = LB_NEW_CONNECT;
	p->side[0].conn = conn;
	p->side[1].state = LB_NEW_ACCEPT;

	pthread_mutex_lock(&lb_lock);
	side_insert(st, &p->side[0]);
	p->refs = 1;
	l = find_listener(host, port);
	if (l) {
		side_insert(l, &p->side[1]);
		p->refs = 2;
		wake(l);
	} else {
		p->side[0].refused = 1;
	}
	wake(st);
	pthread_mutex_unlock(&lb_lock);
	*linkp = &p->side[0];
	return SSI_TP_OK;
}
