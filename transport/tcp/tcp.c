// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tcp.c - the "tcp" transport plugin: non-blocking sockets on the core's
 * epoll set, TCP_NODELAY, keepalive, frames cut from the byte stream.
 *
 * Receiving: small frames are read in batches into a per-link buffer and
 * delivered in place; a larger frame (over DIRECT_MIN) not yet complete in
 * it, or one with a bulk part, switches the link to "direct" mode where the
 * rest of the frame is read straight into its own buffer (a page-aligned
 * bulk buffer for the bulk part) together with the next header only, so
 * large payloads are copied once, by the kernel.
 * Sending: frames are written at once with sendmsg() from the caller's
 * iovecs; only what the socket does not take is copied (bulk buffers are
 * queued by reference, not copied).
 *
 * Options (plugin_opts): sndbuf=BYTES, rcvbuf=BYTES (default: kernel
 * autotuning), keepidle=S, keepintvl=S, keepcnt=N (30, 10, 3),
 * user_timeout=MS (60000).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "transport/ssi_tp_plugin.h"

const char plugin_name[] = "TCP transport";
const char plugin_type[] = "transport/tcp";
const uint32_t plugin_version = SSI_TP_PLUGIN_VERSION;

#define RXBUF_SIZE	(256u << 10)	/* batch of small frames */
#define RXBUF_HELLO	(8u << 10)	/* until the handshake: one frame of
					 * at most SSI_FRAME_HANDSHAKE_MAX */
#define DIRECT_MIN	(32u << 10)	/* larger frames: read directly */
#define READ_BUDGET	16		/* reads per readiness event */
#define ACCEPT_BUDGET	32
#define TX_IOV		64		/* iovecs per sendmsg */
#define TX_DIRECT_IOV	64		/* larger frames are queued first */

struct tcp_state {
	ssi_tp_t tp;
	int lfd;			/* listener, -1 if none */
	struct ssi_tp_watch lw;
	int spare_fd;			/* released to shed load on EMFILE */
	int sndbuf, rcvbuf;
	int keepidle, keepintvl, keepcnt, user_timeout;
};

/* One queued piece of outgoing data. */
struct txbuf {
	struct txbuf *next;
	const char *data;
	size_t len, off;
	struct ssi_tp_bulk *bulk;	/* data is the bulk's, else inl[] */
	char inl[];
};

struct tcp_link {
	struct tcp_state *st;
	ssi_conn_t conn;		/* NULL once the link ended */
	int fd;
	int connecting;
	uint32_t events;
	struct ssi_tp_watch w;
	struct ssi_tp_deferred fail_d;	/* reports a send failure */
	int fail_errno;
	struct ssi_tp_deferred free_d;
	char name[INET6_ADDRSTRLEN + 8];

	struct txbuf *txq, **txtail;
	size_t queued;

	uint8_t *rxbuf;
	size_t rxcap;			/* RXBUF_HELLO, then RXBUF_SIZE */
	size_t rxoff, rxlen;		/* unparsed bytes: [rxoff, rxlen) */

	int direct;			/* reading one frame into dframe/dbulk */
	uint8_t *dframe;
	size_t dframe_len, dframe_got;
	uint8_t *spare;			/* last dframe, kept for reuse */
	size_t spare_cap;
	struct ssi_tp_bulk *dbulk;
	size_t dbulk_len, dbulk_got;
};

/* ------------------------------------------------------------------------ */
/* Link lifetime                                                            */

static void txq_free(struct tcp_link *l)
{
	struct txbuf *t;

	while ((t = l->txq)) {
		l->txq = t->next;
		ssi_tp_core_bulk_put(l->st->tp, t->bulk);
		free(t);
	}
	l->txtail = &l->txq;
	l->queued = 0;
}

static void link_free(struct ssi_tp_deferred *d)
{
	struct tcp_link *l = ssi_container_of(d, struct tcp_link, free_d);

	txq_free(l);
	ssi_tp_core_bulk_put(l->st->tp, l->dbulk);
	free(l->dframe);
	free(l->spare);
	free(l->rxbuf);
	free(l);
}

/* Ends the link's socket; the memory goes after the dispatch round. */
static void link_end(struct tcp_link *l)
{
	l->conn = NULL;
	if (l->fd >= 0) {
		ssi_tp_core_unwatch(l->st->tp, &l->w);
		close(l->fd);
		l->fd = -1;
	}
	txq_free(l);
	ssi_tp_core_defer(l->st->tp, &l->free_d, link_free);
}

static void link_fail(struct tcp_link *l, ssi_tp_err_t reason, int err,
		      const char *what)
{
	ssi_conn_t conn = l->conn;

	link_end(l);
	if (err)
		ssi_tp_core_closed(conn, reason, "%s: %s", what, strerror(err));
	else
		ssi_tp_core_closed(conn, reason, "%s", what);
}

static ssi_tp_err_t reason_of(int err)
{
	switch (err) {
	case ECONNRESET:
	case EPIPE:
	case ETIMEDOUT:
	case EHOSTUNREACH:
	case ENETUNREACH:
		return SSI_TP_ERR_PEER_CLOSED;
	case ENOMEM:
	case ENOBUFS:
		return SSI_TP_ERR_NO_MEMORY;
	default:
		return SSI_TP_ERR_SYSTEM;
	}
}

static void fail_deferred(struct ssi_tp_deferred *d)
{
	struct tcp_link *l = ssi_container_of(d, struct tcp_link, fail_d);

	if (l->conn)
		link_fail(l, reason_of(l->fail_errno), l->fail_errno, "send");
}

static void set_events(struct tcp_link *l, uint32_t events)
{
	if (l->fd < 0 || l->events == events)
		return;
	if (ssi_tp_core_rewatch(l->st->tp, &l->w, events) == SSI_TP_OK)
		l->events = events;
}

/* ------------------------------------------------------------------------ */
/* Sending                                                                  */

static ssize_t send_iov(int fd, struct iovec *iov, int cnt)
{
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)cnt };
	ssize_t n;

	do
		n = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	return n;
}

/* Writes queued data until the socket is full.  Returns -1 on failure. */
static int flush(struct tcp_link *l)
{
	struct iovec iov[TX_IOV];
	struct txbuf *t;
	size_t sent, want;
	ssize_t n;
	int cnt;

	while (l->txq) {
		want = 0;
		for (cnt = 0, t = l->txq; t && cnt < TX_IOV; t = t->next, cnt++) {
			iov[cnt].iov_base = (char *)t->data + t->off;
			iov[cnt].iov_len = t->len - t->off;
			want += iov[cnt].iov_len;
		}
		n = send_iov(l->fd, iov, cnt);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			l->fail_errno = errno;
			return -1;
		}
		sent = (size_t)n;
		l->queued -= sent;
		while ((t = l->txq) && sent >= t->len - t->off) {
			sent -= t->len - t->off;
			l->txq = t->next;
			ssi_tp_core_bulk_put(l->st->tp, t->bulk);
			free(t);
		}
		if (!l->txq) {
			l->txtail = &l->txq;
			break;
		}
		l->txq->off += sent;
		if ((size_t)n < want)
			break;		/* socket full */
	}
	set_events(l, l->txq ? EPOLLIN | EPOLLOUT : EPOLLIN);
	return 0;
}

static void txq_add(struct tcp_link *l, struct txbuf *t)
{
	t->next = NULL;
	*l->txtail = t;
	l->txtail = &t->next;
	l->queued += t->len - t->off;
}

ssi_tp_err_t tp_p_send(void *link, const struct iovec *iov, int iovcnt,
		       size_t len, struct ssi_tp_bulk *bulk, size_t bulk_len)
{
	struct tcp_link *l = link;
	struct iovec v[TX_DIRECT_IOV + 1];
	size_t skip = 0, n, i;
	struct txbuf *t, *tb = NULL;
	ssize_t w;
	char *p;
	int cnt;

	if (!l->conn) {				/* ended: drop */
		ssi_tp_core_bulk_put(l->st->tp, bulk);
		return SSI_TP_OK;
	}
	if (!l->txq && !l->connecting && !l->fail_errno &&
	    iovcnt <= TX_DIRECT_IOV) {
		cnt = iovcnt;
		memcpy(v, iov, sizeof(*v) * (size_t)iovcnt);
		if (bulk) {
			v[cnt].iov_base = ssi_tp_core_bulk_data(bulk);
			v[cnt++].iov_len = bulk_len;
		}
		w = send_iov(l->fd, v, cnt);
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			l->fail_errno = errno;
			ssi_tp_core_defer(l->st->tp, &l->fail_d, fail_deferred);
			ssi_tp_core_bulk_put(l->st->tp, bulk);
			return SSI_TP_OK;
		}
		skip = w < 0 ? 0 : (size_t)w;
		if (skip == len + bulk_len) {
			ssi_tp_core_bulk_put(l->st->tp, bulk);
			return SSI_TP_OK;
		}
	} else if (l->fail_errno) {
		ssi_tp_core_bulk_put(l->st->tp, bulk);
		return SSI_TP_OK;
	}

	/* queue what was not written: the inline part copied, bulk by ref */
	if (bulk) {
		tb = malloc(sizeof(*tb));
		if (!tb)
			goto nomem;
		tb->data = ssi_tp_core_bulk_data(bulk);
		tb->len = bulk_len;
		tb->off = skip > len ? skip - len : 0;
		tb->bulk = bulk;
	}
	if (skip < len) {
		t = malloc(sizeof(*t) + len - skip);
		if (!t) {
			free(tb);
			goto nomem;
		}
		p = t->inl;
		for (i = 0; i < (size_t)iovcnt; i++) {
			n = iov[i].iov_len;
			if (skip >= n) {
				skip -= n;
				continue;
			}
			memcpy(p, (char *)iov[i].iov_base + skip, n - skip);
			p += n - skip;
			skip = 0;
		}
		t->data = t->inl;
		t->len = (size_t)(p - t->inl);
		t->off = 0;
		t->bulk = NULL;
		txq_add(l, t);
	}
	if (tb)
		txq_add(l, tb);
	if (!l->connecting)
		set_events(l, EPOLLIN | EPOLLOUT);
	return SSI_TP_OK;
nomem:
	/* part of the frame may be on the wire: the stream is unusable */
	l->fail_errno = ENOMEM;
	ssi_tp_core_defer(l->st->tp, &l->fail_d, fail_deferred);
	ssi_tp_core_bulk_put(l->st->tp, bulk);
	return SSI_TP_OK;
}

size_t tp_p_queued(void *link)
{
	return ((struct tcp_link *)link)->queued;
}

void tp_p_close(void *link)
{
	link_end(link);
}

/* ------------------------------------------------------------------------ */
/* Receiving                                                                */

/* Delivers the frame collected in direct mode.  Returns non-zero if the
 * link ended. */
static int direct_done(struct tcp_link *l)
{
	ssi_tp_t tp = l->st->tp;
	int gone;

	gone = ssi_tp_core_recv(l->conn, l->dframe, l->dframe_len,
				l->dbulk ? ssi_tp_core_bulk_data(l->dbulk) : NULL,
				l->dbulk_len);
	/* keep the larger of the two buffers for the next big frame */
	if (l->dframe_len > l->spare_cap) {
		free(l->spare);
		l->spare = l->dframe;
		l->spare_cap = l->dframe_len;
	} else {
		free(l->dframe);
	}
	ssi_tp_core_bulk_put(tp, l->dbulk);
	l->dframe = NULL;
	l->dbulk = NULL;
	l->direct = 0;
	return gone || !l->conn;
}

/* Starts direct mode for the frame whose header is at rxbuf + rxoff,
 * moving the bytes already buffered.  Returns -1 on allocation failure. */
static int direct_start(struct tcp_link *l, const struct ssi_frame_hdr *h)
{
	size_t inl = h->flags & SSI_FRAME_F_BULK ? h->bulk_off : h->length;
	size_t avail = l->rxlen - l->rxoff, n;

	l->dframe_len = SSI_FRAME_HDR_LEN + inl;
	l->dbulk_len = h->length - inl;
	if (l->spare && l->spare_cap >= l->dframe_len) {
		l->dframe = l->spare;
		l->spare = NULL;
		l->spare_cap = 0;
	} else {
		l->dframe = malloc(l->dframe_len);
		if (!l->dframe)
			return -1;
	}
	if (l->dbulk_len) {
		l->dbulk = ssi_tp_core_bulk_get(l->st->tp, l->dbulk_len);
		if (!l->dbulk) {
			free(l->dframe);
			l->dframe = NULL;
			return -1;
		}
	}
	n = avail < l->dframe_len ? avail : l->dframe_len;
	memcpy(l->dframe, l->rxbuf + l->rxoff, n);
	l->dframe_got = n;
	avail -= n;
	l->rxoff += n;
	n = avail < l->dbulk_len ? avail : l->dbulk_len;
	if (n)
		memcpy(ssi_tp_core_bulk_data(l->dbulk), l->rxbuf + l->rxoff, n);
	l->dbulk_got = n;
	l->rxoff += n;
	l->direct = 1;
	return 0;
}

/*
 * The first frame delivered was the peer's credential, and the link lives:
 * the peer is authenticated and gets the buffer of a batch of frames (an
 * unauthenticated one gets no more than its handshake needs).  Returns
 * non-zero if the link ended.
 */
static int grow_rxbuf(struct tcp_link *l)
{
	uint8_t *b = realloc(l->rxbuf, RXBUF_SIZE);

	if (!b) {
		link_fail(l, SSI_TP_ERR_NO_MEMORY, 0, "out of memory");
		return 1;
	}
	l->rxbuf = b;
	l->rxcap = RXBUF_SIZE;
	return 0;
}

/* Delivers every complete frame in the buffer.  Returns non-zero if the
 * link ended. */
static int parse(struct tcp_link *l)
{
	struct ssi_frame_hdr h;
	size_t avail, total;

	while (!l->direct && (avail = l->rxlen - l->rxoff) >= SSI_FRAME_HDR_LEN) {
		if (ssi_tp_core_check_hdr(l->conn, l->rxbuf + l->rxoff, &h))
			return 1;
		total = SSI_FRAME_HDR_LEN + (size_t)h.length;
		if (!(h.flags & SSI_FRAME_F_BULK) && total <= avail) {
			l->rxoff += total;
			if (ssi_tp_core_recv(l->conn, l->rxbuf + l->rxoff - total,
					     total, NULL, 0) || !l->conn)
				return 1;
			if (l->rxcap < RXBUF_SIZE && grow_rxbuf(l))
				return 1;
			continue;
		}
		if (!(h.flags & SSI_FRAME_F_BULK) && total <= DIRECT_MIN)
			break;		/* small: read more into the buffer */
		if (direct_start(l, &h)) {
			link_fail(l, SSI_TP_ERR_NO_MEMORY, 0,
				  "out of memory for a frame");
			return 1;
		}
		if (l->dframe_got == l->dframe_len &&
		    l->dbulk_got == l->dbulk_len && direct_done(l))
			return 1;
	}
	if (l->rxoff == l->rxlen) {
		l->rxoff = l->rxlen = 0;
	} else if (l->rxoff && l->rxcap - l->rxlen < SSI_FRAME_HDR_LEN + 4096) {
		memmove(l->rxbuf, l->rxbuf + l->rxoff, l->rxlen - l->rxoff);
		l->rxlen -= l->rxoff;
		l->rxoff = 0;
	}
	return 0;
}

static void do_read(struct tcp_link *l)
{
	struct iovec v[3];
	size_t want;
	ssize_t n;
	int i, j, cnt;

	if (!l->rxbuf) {
		l->rxcap = RXBUF_HELLO;
		l->rxbuf = malloc(l->rxcap);
		if (!l->rxbuf) {
			link_fail(l, SSI_TP_ERR_NO_MEMORY, 0, "out of memory");
			return;
		}
	}
	for (i = 0; i < READ_BUDGET; i++) {
		cnt = 0;
		if (l->direct) {
			if (l->dframe_got < l->dframe_len) {
				v[cnt].iov_base = l->dframe + l->dframe_got;
				v[cnt++].iov_len = l->dframe_len - l->dframe_got;
			}
			if (l->dbulk_got < l->dbulk_len) {
				v[cnt].iov_base = (char *)ssi_tp_core_bulk_data(l->dbulk) +
						  l->dbulk_got;
				v[cnt++].iov_len = l->dbulk_len - l->dbulk_got;
			}
			/* and no more than the next header: the next
			 * payload, if large, goes straight to its buffer */
			if (l->rxoff == l->rxlen)
				l->rxoff = l->rxlen = 0;
			v[cnt].iov_base = l->rxbuf + l->rxlen;
			v[cnt++].iov_len = SSI_FRAME_HDR_LEN;
		} else {
			if (l->rxoff && l->rxlen == l->rxcap) {
				memmove(l->rxbuf, l->rxbuf + l->rxoff,
					l->rxlen - l->rxoff);
				l->rxlen -= l->rxoff;
				l->rxoff = 0;
			}
			v[0].iov_base = l->rxbuf + l->rxlen;
			v[0].iov_len = l->rxcap - l->rxlen;
			cnt = 1;
		}
		for (want = 0, j = 0; j < cnt; j++)
			want += v[j].iov_len;
		do
			n = readv(l->fd, v, cnt);
		while (n < 0 && errno == EINTR);
		if (n == 0) {
			link_fail(l, SSI_TP_ERR_PEER_CLOSED, 0, "closed by peer");
			return;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			link_fail(l, reason_of(errno), errno, "read");
			return;
		}
		if (l->direct) {
			size_t a = (size_t)n, f;

			f = l->dframe_len - l->dframe_got;
			f = a < f ? a : f;
			l->dframe_got += f;
			a -= f;
			f = l->dbulk_len - l->dbulk_got;
			f = a < f ? a : f;
			l->dbulk_got += f;
			l->rxlen += a - f;	/* the next header */
			if (l->dframe_got == l->dframe_len &&
			    l->dbulk_got == l->dbulk_len && direct_done(l))
				return;
		} else {
			l->rxlen += (size_t)n;
		}
		if (parse(l))
			return;
		if ((size_t)n < want)
			return;		/* drained; epoll says when more */
	}
}

/* ------------------------------------------------------------------------ */
/* Events                                                                   */

static void connect_done(struct tcp_link *l)
{
	int err = 0;
	socklen_t elen = sizeof(err);

	if (getsockopt(l->fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
		err = errno;
	if (err) {
		link_fail(l, SSI_TP_ERR_CONNECT, err, "connect");
		return;
	}
	l->connecting = 0;
	set_events(l, l->txq ? EPOLLIN | EPOLLOUT : EPOLLIN);
	ssi_tp_core_connected(l->conn);
}

static void link_event(struct ssi_tp_watch *w, uint32_t events)
{
	struct tcp_link *l = ssi_container_of(w, struct tcp_link, w);
	size_t before;

	if (!l->conn)
		return;
	if (l->connecting) {
		connect_done(l);
		return;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		do_read(l);
		if (!l->conn || l->fd < 0)
			return;
	}
	if ((events & EPOLLOUT) && l->txq) {
		before = l->queued;
		if (flush(l)) {
			link_fail(l, reason_of(l->fail_errno), l->fail_errno,
				  "send");
			return;
		}
		if (l->queued < before)
			ssi_tp_core_sent(l->conn);
	}
}

static void sockopt(struct tcp_state *st, int fd, int level, int name,
		    int val, const char *what)
{
	if (setsockopt(fd, level, name, &val, sizeof(val)) < 0)
		ssi_tp_core_log(st->tp, LOG_WARNING, "tcp: setsockopt %s: %s",
				what, strerror(errno));
}

static void tune(struct tcp_state *st, int fd)
{
	sockopt(st, fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
	sockopt(st, fd, SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE");
	sockopt(st, fd, IPPROTO_TCP, TCP_KEEPIDLE, st->keepidle, "TCP_KEEPIDLE");
	sockopt(st, fd, IPPROTO_TCP, TCP_KEEPINTVL, st->keepintvl,
		"TCP_KEEPINTVL");
	sockopt(st, fd, IPPROTO_TCP, TCP_KEEPCNT, st->keepcnt, "TCP_KEEPCNT");
	sockopt(st, fd, IPPROTO_TCP, TCP_USER_TIMEOUT, st->user_timeout,
		"TCP_USER_TIMEOUT");
	if (st->sndbuf)
		sockopt(st, fd, SOL_SOCKET, SO_SNDBUF, st->sndbuf, "SO_SNDBUF");
	if (st->rcvbuf)
		sockopt(st, fd, SOL_SOCKET, SO_RCVBUF, st->rcvbuf, "SO_RCVBUF");
}

static struct tcp_link *link_new(struct tcp_state *st, int fd)
{
	struct tcp_link *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->st = st;
	l->fd = fd;
	l->txtail = &l->txq;
	l->w.fd = -1;
	return l;
}

static void addr_name(const struct sockaddr *sa, socklen_t len, char *buf,
		      size_t size)
{
	char host[INET6_ADDRSTRLEN], port[8];

	if (getnameinfo(sa, len, host, sizeof(host), port, sizeof(port),
			NI_NUMERICHOST | NI_NUMERICSERV)) {
		snprintf(buf, size, "?");
		return;
	}
	snprintf(buf, size, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
		 host, port);
}

static void accept_one(struct tcp_state *st, int fd,
		       const struct sockaddr_storage *ss, socklen_t slen)
{
	struct tcp_link *l;

	tune(st, fd);
	l = link_new(st, fd);
	if (!l) {
		close(fd);
		return;
	}
	addr_name((const struct sockaddr *)ss, slen, l->name, sizeof(l->name));
	l->conn = ssi_tp_core_accept(st->tp, l, l->name);
	if (!l->conn) {
		close(fd);
		free(l);
		return;
	}
	l->events = EPOLLIN;
	if (ssi_tp_core_watch(st->tp, &l->w, fd, EPOLLIN, link_event))
		link_fail(l, SSI_TP_ERR_SYSTEM, 0, "epoll_ctl failed");
}

static void listen_event(struct ssi_tp_watch *w, uint32_t events)
{
	struct tcp_state *st = ssi_container_of(w, struct tcp_state, lw);
	struct sockaddr_storage ss;
	socklen_t slen;
	int i, fd;

	for (i = 0; i < ACCEPT_BUDGET; i++) {
		slen = sizeof(ss);
		fd = accept4(st->lfd, (struct sockaddr *)&ss, &slen,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			accept_one(st, fd, &ss, slen);
			continue;
		}
		switch (errno) {
		case EINTR:
		case ECONNABORTED:
		case EPROTO:
			continue;
		case EMFILE:
		case ENFILE:
			/* shed load: accept with the spare fd, drop at once */
			ssi_tp_core_log(st->tp, LOG_ERR, "tcp: accept: %s: "
					"dropping a connection", strerror(errno));
			if (st->spare_fd >= 0) {
				close(st->spare_fd);
				fd = accept(st->lfd, NULL, NULL);
				if (fd >= 0)
					close(fd);
				st->spare_fd = open("/dev/null",
						    O_RDONLY | O_CLOEXEC);
			}
			return;
		case EAGAIN:
		default:
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				ssi_tp_core_log(st->tp, LOG_ERR, "tcp: accept: %s",
						strerror(errno));
			return;
		}
	}
}

/* ------------------------------------------------------------------------ */
/* Plugin entry points                                                      */

static int opt_int(struct tcp_state *st, const char *opts, const char *key,
		   int *val)
{
	char buf[32], *end;
	long v;
	int r;

	r = ssi_tp_core_opt(opts, key, buf, sizeof(buf));
	if (r == 0)
		return 0;
	errno = 0;
	v = r > 0 ? strtol(buf, &end, 10) : -1;
	if (r < 0 || errno || *end || v < 0 || v > INT_MAX) {
		ssi_tp_core_errmsg(st->tp, "tcp: bad value for option %s", key);
		return -1;
	}
	*val = (int)v;
	return 0;
}

ssi_tp_err_t tp_p_init(ssi_tp_t tp, const char *opts, void **statep)
{
	static const char *const keys[] = {
		"sndbuf", "rcvbuf", "keepidle", "keepintvl", "keepcnt",
		"user_timeout", NULL
	};
	struct tcp_state *st;

	st = calloc(1, sizeof(*st));
	if (!st)
		return SSI_TP_ERR_NO_MEMORY;
	st->tp = tp;
	st->lfd = -1;
	st->lw.fd = -1;
	st->keepidle = 30;
	st->keepintvl = 10;
	st->keepcnt = 3;
	st->user_timeout = 60000;
	if (ssi_tp_core_opts_check(tp, opts, keys) ||
	    opt_int(st, opts, "sndbuf", &st->sndbuf) ||
	    opt_int(st, opts, "rcvbuf", &st->rcvbuf) ||
	    opt_int(st, opts, "keepidle", &st->keepidle) ||
	    opt_int(st, opts, "keepintvl", &st->keepintvl) ||
	    opt_int(st, opts, "keepcnt", &st->keepcnt) ||
	    opt_int(st, opts, "user_timeout", &st->user_timeout)) {
		free(st);
		return SSI_TP_ERR_BAD_ARG;
	}
	st->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	*statep = st;
	return SSI_TP_OK;
}

void tp_p_fini(void *state)
{
	struct tcp_state *st = state;

	if (st->lfd >= 0) {
		ssi_tp_core_unwatch(st->tp, &st->lw);
		close(st->lfd);
	}
	if (st->spare_fd >= 0)
		close(st->spare_fd);
	free(st);
}

static int bind_any(struct tcp_state *st, uint16_t port)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6,
				   .sin6_addr = IN6ADDR_ANY_INIT,
				   .sin6_port = htons(port) };
	struct sockaddr_in s4 = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_ANY),
				  .sin_port = htons(port) };
	int fd;

	/* dual-stack IPv6 socket if the host has IPv6, else IPv4 */
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		sockopt(st, fd, IPPROTO_IPV6, IPV6_V6ONLY, 0, "IPV6_V6ONLY");
		sockopt(st, fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
		if (bind(fd, (struct sockaddr *)&s6, sizeof(s6)) == 0)
			return fd;
		close(fd);
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	sockopt(st, fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
	if (bind(fd, (struct sockaddr *)&s4, sizeof(s4)) == 0)
		return fd;
	close(fd);
	return -1;
}

/* A socket for @ai, non-blocking (the loop polls it) and close-on-exec. */
static int addr_socket(const struct addrinfo *ai)
{
	return socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		      ai->ai_protocol);
}

static int bind_addr(struct tcp_state *st, const char *addr, uint16_t port,
		     int *gai)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res, *ai;
	char sport[8];
	int fd = -1, saved = 0;

	snprintf(sport, sizeof(sport), "%u", port);
	*gai = getaddrinfo(addr, sport, &hints, &res);
	if (*gai)
		return -1;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = addr_socket(ai);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		sockopt(st, fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	errno = saved;
	return fd;
}

ssi_tp_err_t tp_p_listen(void *state, const char *addr, uint16_t port,
			 uint16_t *bound)
{
	struct tcp_state *st = state;
	struct sockaddr_storage ss;
	socklen_t slen = sizeof(ss);
	const char *what = "bind";
	int fd, gai = 0;

	if (addr && *addr)
		fd = bind_addr(st, addr, port, &gai);
	else
		fd = bind_any(st, port);
	if (fd < 0) {
		ssi_tp_core_errmsg(st->tp, "tcp: listen on %s:%u: %s",
				   addr && *addr ? addr : "*", port,
				   gai ? gai_strerror(gai) : strerror(errno));
		return gai ? SSI_TP_ERR_BAD_ARG : SSI_TP_ERR_SYSTEM;
	}
	if (listen(fd, SOMAXCONN) < 0 ||
	    (what = "getsockname",
	     getsockname(fd, (struct sockaddr *)&ss, &slen) < 0)) {
		ssi_tp_core_errmsg(st->tp, "tcp: %s: %s", what, strerror(errno));
		close(fd);
		return SSI_TP_ERR_SYSTEM;
	}
	*bound = ntohs(ss.ss_family == AF_INET6 ?
		       ((struct sockaddr_in6 *)&ss)->sin6_port :
		       ((struct sockaddr_in *)&ss)->sin_port);
	if (ssi_tp_core_watch(st->tp, &st->lw, fd, EPOLLIN, listen_event)) {
		close(fd);
		return SSI_TP_ERR_SYSTEM;
	}
	st->lfd = fd;
	return SSI_TP_OK;
}

ssi_tp_err_t tp_p_connect(void *state, ssi_conn_t conn, const char *host,
			  uint16_t port, void **linkp)
{
	struct tcp_state *st = state;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res, *ai;
	struct tcp_link *l;
	char sport[8];
	int fd = -1, gai, saved = 0;

	snprintf(sport, sizeof(sport), "%u", port);
	gai = getaddrinfo(host, sport, &hints, &res);
	if (gai) {
		ssi_tp_core_errmsg(st->tp, "tcp: %s: %s", host, gai_strerror(gai));
		return SSI_TP_ERR_CONNECT;
	}
	/* the first address whose connect does not fail at once */
	for (ai = res; ai; ai = ai->ai_next) {
		fd = addr_socket(ai);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		tune(st, fd);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
		    errno == EINPROGRESS)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		ssi_tp_core_errmsg(st->tp, "tcp: connect %s:%u: %s", host, port,
				   strerror(saved));
		return saved == EMFILE || saved == ENFILE ? SSI_TP_ERR_SYSTEM
							  : SSI_TP_ERR_CONNECT;
	}
	l = link_new(st, fd);
	if (!l) {
		close(fd);
		return SSI_TP_ERR_NO_MEMORY;
	}
	l->conn = conn;
	l->connecting = 1;
	l->events = EPOLLOUT;
	snprintf(l->name, sizeof(l->name), "%.*s", (int)sizeof(l->name) - 1,
		 host);
	if (ssi_tp_core_watch(st->tp, &l->w, fd, EPOLLOUT, link_event)) {
		close(fd);
		free(l);
		return SSI_TP_ERR_SYSTEM;
	}
	*linkp = l;
	return SSI_TP_OK;
}
