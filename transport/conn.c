// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conn.c - a connection's life: connect/accept, the mutual munge handshake
 * and its key exchange, sequence numbers, validation and authentication
 * (seal.h) of every incoming frame, sealing and sending, closing, and the
 * on_close contract (exactly once per handle the user holds).
 *
 * Connection memory is freed only from deferred work (the end of a dispatch
 * round), so no code running inside an event handler can be left holding
 * a dangling pointer, whatever the user's callbacks close.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "internal.h"

#define IOV_STACK	16

static const char *state_name(enum ssi_conn_state s)
{
	static const char *const names[] = {
		"connecting", "awaiting HELLO", "awaiting HELLO_ACK",
		"established", "closing", "dead",
	};

	return (unsigned int)s < sizeof(names) / sizeof(names[0]) ?
		names[s] : "?";
}

struct ssi_conn *ssi_conn_new(struct ssi_tp *tp, int initiator)
{
	struct ssi_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->tp = tp;
	c->initiator = initiator;
	c->next = tp->conns;
	if (tp->conns)
		tp->conns->prev = c;
	tp->conns = c;
	return c;
}

static void conn_unlink_free(struct ssi_conn *c)
{
	struct ssi_tp *tp = c->tp;

	if (c->prev)
		c->prev->next = c->next;
	else
		tp->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	EVP_PKEY_free(c->kx);
	ssi_seal_free(&c->seal);
	free(c->expect_node);
	free(c);
}

static void free_deferred(struct ssi_tp_deferred *d)
{
	conn_unlink_free(ssi_container_of(d, struct ssi_conn, close_d));
}

/* Frees [c] once nothing refers to it any more. */
static void maybe_free(struct ssi_conn *c)
{
	if (c->state != CONN_DEAD || c->close_pending || c->doomed ||
	    (c->visible && !c->released))
		return;
	if (c->tp->destroying)
		return;		/* ssi_conn_shutdown() frees it */
	/* close_d is free again: on_close was delivered or never queued */
	c->doomed = 1;
	ssi_tp_core_defer(c->tp, &c->close_d, free_deferred);
}

static void end_link(struct ssi_conn *c)
{
	if (c->link) {
		c->tp->plugin.ops.close(c->link);
		c->link = NULL;
	}
	c->state = CONN_DEAD;
	c->deadline_ms = 0;
}

static void deliver_close(struct ssi_tp_deferred *d)
{
	struct ssi_conn *c = ssi_container_of(d, struct ssi_conn, close_d);

	c->close_pending = 0;
	if (!c->released) {
		c->released = 1;
		c->tp->cb->on_close(c, c->reason, c->tp->cb_arg);
	}
	maybe_free(c);
}

/* Queues on_close(reason) if the user holds [c] and has not had it yet. */
static void queue_close(struct ssi_conn *c, ssi_tp_err_t reason)
{
	if (!c->visible || c->released || c->close_pending)
		return;
	c->reason = reason;
	c->close_pending = 1;
	if (!c->tp->destroying)
		ssi_tp_core_defer(c->tp, &c->close_d, deliver_close);
}

void ssi_conn_fail(struct ssi_conn *c, ssi_tp_err_t reason)
{
	end_link(c);
	queue_close(c, reason);
	maybe_free(c);
}

/* Logs why [c] is being dropped: warnings for peers never authenticated. */
static void conn_log(struct ssi_conn *c, int prio, const char *what,
		     const char *why)
{
	ssi_tp_core_log(c->tp, prio, "transport: %s %s %s (%s): %s",
			what, c->initiator ? "to" : "from", c->peer,
			state_name(c->state), why);
}

void ssi_conn_tick(struct ssi_conn *c, int64_t now)
{
	if (!c->deadline_ms || now < c->deadline_ms)
		return;
	if (c->state == CONN_CLOSING) {
		conn_log(c, LOG_WARNING, "dropping unsent data", "close timed out");
		end_link(c);
		maybe_free(c);
		return;
	}
	conn_log(c, LOG_WARNING, "dropping connection", "handshake timed out");
	ssi_conn_fail(c, SSI_TP_ERR_TIMEOUT);
}

void ssi_conn_shutdown(struct ssi_conn *c)
{
	end_link(c);
	if (c->visible && !c->released) {
		c->released = 1;
		c->tp->cb->on_close(c, c->close_pending ? c->reason
							: SSI_TP_ERR_SHUTDOWN,
				    c->tp->cb_arg);
	}
	conn_unlink_free(c);
}

static void set_deadline(struct ssi_conn *c)
{
	c->deadline_ms = ssi_tp_now_ms() + c->tp->handshake_timeout_ms;
	ssi_tp_arm_timer(c->tp);
}

/* ------------------------------------------------------------------------ */
/* Sending                                                                  */

/*
 * Sends one frame.  Once the connection is up its payload is sealed
 * (seal.h): a tag after the inline part, and with encryption the inline
 * part and the bulk replaced by their ciphertext, made in buffers of our
 * own so that the caller's stay as they were until the send succeeds.
 */
static ssi_tp_err_t send_frame(struct ssi_conn *c, uint16_t type,
			       uint64_t seq, const struct iovec *iov,
			       int iovcnt, size_t len,
			       struct ssi_tp_bulk *bulk, size_t bulk_len)
{
	struct iovec stack[IOV_STACK + 2], *v = stack;
	uint8_t hdr[SSI_FRAME_HDR_LEN], tag[SSI_SEAL_TAG_LEN];
	bool sealed = c->state == CONN_UP && c->seal.mode;
	bool enc = sealed && c->seal.mode == SSI_TP_PROTECT_ENCRYPT;
	size_t extra = sealed ? SSI_SEAL_TAG_LEN : 0;
	struct ssi_frame_hdr h = {
		.version = SSI_FRAME_VERSION,
		.flags = bulk ? SSI_FRAME_F_BULK : 0,
		.type = type,
		.length = (uint32_t)(len + extra + bulk_len),
		.bulk_off = bulk ? (uint32_t)(len + extra) : 0,
		.seq = seq,
	};
	struct ssi_tp_bulk *cbulk = NULL;
	ssi_tp_err_t err = SSI_TP_ERR_NO_MEMORY;
	uint8_t *ct = NULL;
	int n = 0;

	if (iovcnt > IOV_STACK) {
		v = malloc(sizeof(*v) * (size_t)(iovcnt + 2));
		if (!v)
			return SSI_TP_ERR_NO_MEMORY;
	}
	ssi_frame_encode_hdr(hdr, &h);
	if (enc && ((len && !(ct = malloc(len))) ||
		    (bulk && !(cbulk = ssi_tp_core_bulk_get(c->tp, bulk_len)))))
		goto out;
	if (sealed) {
		err = ssi_seal_frame(&c->seal.tx, enc, hdr, sizeof(hdr), seq,
				     iov, iovcnt, ct,
				     bulk ? ssi_tp_core_bulk_data(bulk) : NULL,
				     cbulk ? ssi_tp_core_bulk_data(cbulk) : NULL,
				     bulk_len, tag);
		if (err)
			goto out;
	}
	v[n].iov_base = hdr;
	v[n++].iov_len = sizeof(hdr);
	if (enc && len) {
		v[n].iov_base = ct;
		v[n++].iov_len = len;
	} else if (!enc && iovcnt) {
		memcpy(v + n, iov, sizeof(*v) * (size_t)iovcnt);
		n += iovcnt;
	}
	if (sealed) {
		v[n].iov_base = tag;
		v[n++].iov_len = sizeof(tag);
	}
	err = c->tp->plugin.ops.send(c->link, v, n,
				     SSI_FRAME_HDR_LEN + len + extra,
				     cbulk ? cbulk : bulk, bulk_len);
	if (!err && cbulk) {
		/* the caller's bulk is ours now, and its ciphertext is sent */
		ssi_tp_core_bulk_put(c->tp, bulk);
		cbulk = NULL;
	}
out:
	ssi_tp_core_bulk_put(c->tp, cbulk);
	free(ct);
	if (v != stack)
		free(v);
	return err;
}

static ssi_tp_err_t send_user(struct ssi_conn *c, uint16_t type,
			      const struct iovec *iov, int iovcnt,
			      struct ssi_tp_bulk *bulk, size_t bulk_len)
{
	struct ssi_tp *tp = c->tp;
	size_t len = 0;
	ssi_tp_err_t err;
	int i;

	if (c->state != CONN_UP || !c->link || c->released)
		return SSI_TP_ERR_NOT_CONNECTED;
	if (type < SSI_TP_TYPE_USER_MIN || iovcnt < 0 ||
	    iovcnt > SSI_TP_IOV_MAX || (iovcnt && !iov))
		return SSI_TP_ERR_BAD_ARG;
	for (i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > tp->max_payload - len)
			return SSI_TP_ERR_TOO_BIG;
		if (iov[i].iov_len && !iov[i].iov_base)
			return SSI_TP_ERR_BAD_ARG;
		len += iov[i].iov_len;
	}
	if (bulk_len > tp->max_payload - len)
		return SSI_TP_ERR_TOO_BIG;
	/*
	 * sndq_max is the backpressure of bulk streams; a message without
	 * bulk (a control message: an abort, a signal, a forwarded call's
	 * reply) still queues behind them up to twice that, so that a stream
	 * filling the queue does not make every other message on the
	 * connection fail.
	 */
	if (tp->plugin.ops.queued(c->link) >= (bulk ? tp->sndq_max : 2 * tp->sndq_max)) {
		c->want_writable = 1;
		return SSI_TP_ERR_AGAIN;
	}
	err = send_frame(c, type, c->tx_seq, iov, iovcnt, len, bulk, bulk_len);
	if (err == SSI_TP_OK)
		c->tx_seq++;
	return err;
}

ssi_tp_err_t ssi_conn_send(ssi_conn_t c, uint16_t type,
			   const struct iovec *iov, int iovcnt)
{
	return send_user(c, type, iov, iovcnt, NULL, 0);
}

ssi_tp_err_t ssi_conn_send_bulk(ssi_conn_t c, uint16_t type,
				const struct iovec *iov, int iovcnt,
				void *bulk, size_t bulk_len)
{
	struct ssi_tp_bulk *b = bulk ? ssi_tp_core_bulk_of(c->tp, bulk) : NULL;

	if (!b || bulk_len == 0 || bulk_len > b->size)
		return SSI_TP_ERR_BAD_ARG;
	return send_user(c, type, iov, iovcnt, b, bulk_len);
}

/* A fresh nonce and key exchange key for our credential. */
static ssi_tp_err_t fresh_kx(struct ssi_conn *c)
{
	ssi_tp_err_t err = ssi_auth_nonce(c->nonce);

	if (!err)
		err = ssi_seal_kx_new(&c->kx, c->kx_pub);
	if (err)
		conn_log(c, LOG_ERR, "cannot authenticate connection",
			 "no random nonce or key exchange key");
	return err;
}

/*
 * Sends a handshake frame (@type) carrying a munge credential of @kind
 * from this node to @to (NULL: whoever answers) with our nonce and key
 * exchange key (fresh_kx()), and @echo (the peer's nonce, which an ACK
 * returns) or none.
 */
static ssi_tp_err_t send_cred(struct ssi_conn *c, uint16_t type, uint8_t kind,
			      const char *to, const uint8_t *echo)
{
	struct ssi_auth_msg m;
	char why[256];
	struct iovec v;
	ssi_tp_err_t err;
	char *cred;

	memset(&m, 0, sizeof(m));
	m.version = SSI_TP_PROTO_VERSION;
	m.kind = kind;
	snprintf(m.from, sizeof(m.from), "%s", c->tp->node_name);
	if (to)
		snprintf(m.to, sizeof(m.to), "%s", to);
	if (echo)
		memcpy(m.echo, echo, sizeof(m.echo));
	memcpy(m.nonce, c->nonce, sizeof(m.nonce));
	memcpy(m.kx, c->kx_pub, sizeof(m.kx));
	m.protect = (uint8_t)c->tp->protect;
	err = ssi_auth_seal(c->tp->munge, &m, &cred, why, sizeof(why));
	if (err) {
		conn_log(c, LOG_ERR, "cannot authenticate connection", why);
		return err;
	}
	v.iov_base = cred;
	v.iov_len = strlen(cred);
	if (v.iov_len > SSI_FRAME_HANDSHAKE_MAX) {
		conn_log(c, LOG_ERR, "cannot authenticate connection",
			 "munge credential too long");
		free(cred);
		return SSI_TP_ERR_MUNGE;
	}
	err = send_frame(c, type, 0, &v, 1, v.iov_len, NULL, 0);
	free(cred);
	return err;
}

/* ------------------------------------------------------------------------ */
/* Connecting and accepting                                                 */

ssi_tp_err_t ssi_tp_connect(ssi_tp_t tp, const char *host, uint16_t port,
			    const char *expect_node, void *data,
			    ssi_conn_t *connp)
{
	struct ssi_conn *c;
	ssi_tp_err_t err;

	*connp = NULL;
	if (!host || !*host || (expect_node && !ssi_auth_name_ok(expect_node)) ||
	    tp->destroying)
		return SSI_TP_ERR_BAD_ARG;
	c = ssi_conn_new(tp, 1);
	if (!c)
		return SSI_TP_ERR_NO_MEMORY;
	if (expect_node && !(c->expect_node = strdup(expect_node))) {
		conn_unlink_free(c);
		return SSI_TP_ERR_NO_MEMORY;
	}
	snprintf(c->peer, sizeof(c->peer), "%s", host);
	c->data = data;
	c->state = CONN_CONNECTING;
	tp->errmsg[0] = '\0';
	err = tp->plugin.ops.connect(tp->plugin.state, c, host, port, &c->link);
	if (err) {
		conn_unlink_free(c);
		return err;
	}
	c->visible = 1;
	set_deadline(c);
	*connp = c;
	return SSI_TP_OK;
}

/* The address part of a link's peer name ("10.0.0.1:7070", "[fe80::1]:7070"). */
static size_t addr_len(const char *peer)
{
	const char *colon = strrchr(peer, ':');

	return colon ? (size_t)(colon - peer) : strlen(peer);
}

/*
 * Take one of @peer's accept tokens (SSI_TP_ACCEPT_*); false if it has
 * none left.  An address not seen lately takes the slot of the one seen
 * least lately, with a full bucket.
 */
static bool accept_token(ssi_tp_t tp, const char *peer, size_t n, int64_t now)
{
	struct ssi_tp_source *s = NULL, *oldest = &tp->sources[0];
	unsigned int i;

	for (i = 0; i < SSI_TP_ACCEPT_SOURCES && !s; i++) {
		struct ssi_tp_source *e = &tp->sources[i];

		if (strlen(e->addr) == n && !strncmp(e->addr, peer, n))
			s = e;
		else if (e->at_ms < oldest->at_ms)
			oldest = e;
	}
	if (!s) {
		s = oldest;
		snprintf(s->addr, sizeof(s->addr), "%.*s", (int)n, peer);
		s->tokens = SSI_TP_ACCEPT_BURST;
		s->at_ms = now;
	}
	s->tokens += (double)(now - s->at_ms) * SSI_TP_ACCEPT_PER_SEC / 1000;
	if (s->tokens > SSI_TP_ACCEPT_BURST)
		s->tokens = SSI_TP_ACCEPT_BURST;
	s->at_ms = now;
	if (s->tokens < 1)
		return false;
	s->tokens -= 1;
	return true;
}

/*
 * Why a connection from @peer is refused before its handshake: an
 * unauthenticated peer may hold only so many (SSI_TP_HALF_OPEN_*), and
 * open only so many a second (SSI_TP_ACCEPT_*).  NULL: it is not.
 */
static const char *half_open_refusal(ssi_tp_t tp, const char *peer, int64_t now)
{
	unsigned int all = 0, same = 0;
	size_t n = addr_len(peer);
	struct ssi_conn *c;

	for (c = tp->conns; c; c = c->next) {
		if (c->state != CONN_AWAIT_HELLO)
			continue;
		all++;
		if (addr_len(c->peer) == n && !strncmp(c->peer, peer, n))
			same++;
	}
	if (same >= SSI_TP_HALF_OPEN_PER_SOURCE)
		return "too many unauthenticated connections from it";
	if (all >= SSI_TP_HALF_OPEN_MAX)
		return "too many unauthenticated connections";
	if (!accept_token(tp, peer, n, now))
		return "too many connections from it a second";
	return NULL;
}

ssi_conn_t ssi_tp_core_accept(ssi_tp_t tp, void *link, const char *peer_addr)
{
	struct ssi_conn *c;
	int64_t now = ssi_tp_now_ms();
	const char *why;

	if (tp->destroying)
		return NULL;
	why = half_open_refusal(tp, peer_addr, now);
	if (why) {
		/* once a second at most: the flood must not flood the log too */
		if (now - tp->half_open_logged_ms >= 1000) {
			tp->half_open_logged_ms = now;
			ssi_tp_core_log(tp, LOG_WARNING, "transport: refusing connection "
					"from %s: %s", peer_addr, why);
		}
		return NULL;
	}
	c = ssi_conn_new(tp, 0);
	if (!c) {
		ssi_tp_core_log(tp, LOG_ERR, "transport: out of memory, "
				"refusing connection from %s", peer_addr);
		return NULL;
	}
	c->link = link;
	c->state = CONN_AWAIT_HELLO;
	snprintf(c->peer, sizeof(c->peer), "%s", peer_addr);
	set_deadline(c);
	ssi_tp_core_log(tp, LOG_DEBUG, "transport: connection from %s",
			peer_addr);
	return c;
}

int ssi_tp_core_connected(ssi_conn_t c)
{
	ssi_tp_err_t err;

	if (c->state != CONN_CONNECTING || !c->link)
		return !c->link;
	err = fresh_kx(c);
	if (!err)
		err = send_cred(c, SSI_FRAME_T_HELLO, SSI_AUTH_HELLO,
				c->expect_node, NULL);
	if (err) {
		ssi_conn_fail(c, err);
		return 1;
	}
	c->state = CONN_AWAIT_ACK;
	return !c->link;
}

/*
 * The keys of [c]'s frames from what both credentials said: the peer's
 * ([in]) and ours (c->nonce, c->kx).  Our key exchange key is dropped.
 */
static ssi_tp_err_t derive_keys(struct ssi_conn *c, const struct ssi_auth_msg *in,
				bool acceptor, char *why, size_t whylen)
{
	struct ssi_seal_transcript t = {
		.mode = c->tp->protect > in->protect ? c->tp->protect
						     : (enum ssi_tp_protect)in->protect,
	};
	ssi_tp_err_t err;

	if (acceptor) {
		t.name_i = in->from;
		t.nonce_i = in->nonce;
		t.kx_i = in->kx;
		t.name_a = c->tp->node_name;
		t.nonce_a = c->nonce;
		t.kx_a = c->kx_pub;
	} else {
		t.name_i = c->tp->node_name;
		t.nonce_i = c->nonce;
		t.kx_i = c->kx_pub;
		t.name_a = in->from;
		t.nonce_a = in->nonce;
		t.kx_a = in->kx;
	}
	err = ssi_seal_derive(&c->seal, c->kx, !acceptor, &t, why, whylen);
	EVP_PKEY_free(c->kx);
	c->kx = NULL;
	return err;
}

/*
 * The peer's credential: its HELLO (@acceptor: then answered with our
 * HELLO_ACK) or its HELLO_ACK to ours.  Checked, it makes the connection
 * up with the keys both derive; else the connection fails.  Returns as
 * the frame handlers do.
 */
static int got_cred(struct ssi_conn *c, const void *cred, size_t len, bool acceptor)
{
	struct ssi_tp *tp = c->tp;
	struct ssi_auth_msg in;
	ssi_tp_err_t err;
	char why[512];
	uid_t uid;

	err = ssi_auth_open(tp->munge, cred, len, &in, &uid, why, sizeof(why));
	if (!err)
		err = ssi_auth_check(&in, acceptor ? SSI_AUTH_HELLO : SSI_AUTH_HELLO_ACK,
				     uid, tp->peer_uid, tp->node_name,
				     acceptor ? NULL : c->nonce,
				     acceptor ? NULL : c->expect_node, why, sizeof(why));
	if (err) {
		conn_log(c, err == SSI_TP_ERR_MUNGE ? LOG_ERR : LOG_WARNING,
			 "rejecting connection", why);
		ssi_conn_fail(c, err);
		return 1;
	}
	snprintf(c->peer, sizeof(c->peer), "%s", in.from);
	/* the acceptor's keys first: a peer whose key is bad gets no ACK */
	err = acceptor ? fresh_kx(c) : SSI_TP_OK;
	if (!err) {
		err = derive_keys(c, &in, acceptor, why, sizeof(why));
		if (err)
			conn_log(c, LOG_WARNING, "rejecting connection", why);
	}
	if (!err && acceptor)
		err = send_cred(c, SSI_FRAME_T_HELLO_ACK, SSI_AUTH_HELLO_ACK,
				in.from, in.nonce);
	if (err) {
		ssi_conn_fail(c, err);
		return 1;
	}
	if (acceptor)
		c->visible = 1;
	c->tx_seq = ssi_auth_seq0(in.nonce);
	c->rx_seq = ssi_auth_seq0(c->nonce);
	c->state = CONN_UP;
	c->deadline_ms = 0;
	ssi_tp_core_log(tp, LOG_INFO, "transport: connection %s %s authenticated%s",
			acceptor ? "from" : "to", c->peer,
			c->seal.mode == SSI_TP_PROTECT_ENCRYPT ? ", frames encrypted" :
			c->seal.mode ? "" : ", frames NOT protected");
	tp->cb->on_connect(c, c->peer, tp->cb_arg);
	return !c->link;
}

/* ------------------------------------------------------------------------ */
/* Receiving                                                                */

/* Rejects a frame that is well-formed but wrong for [c] now. */
static int frame_fits(struct ssi_conn *c, const struct ssi_frame_hdr *h)
{
	const char *why = NULL;
	char buf[128];

	switch (c->state) {
	case CONN_AWAIT_HELLO:
		if (h->type != SSI_FRAME_T_HELLO || h->seq != 0)
			why = "expected a HELLO frame with sequence 0";
		break;
	case CONN_AWAIT_ACK:
		if (h->type != SSI_FRAME_T_HELLO_ACK || h->seq != 0)
			why = "expected a HELLO_ACK frame with sequence 0";
		break;
	case CONN_UP:
		if (h->type < SSI_FRAME_T_USER_MIN) {
			why = "handshake frame after the handshake";
		} else if (h->seq != c->rx_seq) {
			snprintf(buf, sizeof(buf), "%s: got %llu, expected %llu",
				 ssi_frame_strerror(SSI_FRAME_ESEQ),
				 (unsigned long long)h->seq,
				 (unsigned long long)c->rx_seq);
			why = buf;
		}
		break;
	case CONN_CLOSING:
		return 0;	/* dropped unread */
	default:
		why = "frame before the connection is up";
		break;
	}
	if (!why)
		return 0;
	conn_log(c, LOG_WARNING, "protocol violation, closing connection", why);
	ssi_conn_fail(c, SSI_TP_ERR_PROTOCOL);
	return -1;
}

int ssi_tp_core_check_hdr(ssi_conn_t c, const void *hdr,
			  struct ssi_frame_hdr *out)
{
	ssi_frame_err_t ferr;
	char why[128];

	if (!c->link)
		return -1;
	ferr = ssi_frame_decode_hdr(hdr, SSI_FRAME_HDR_LEN, &c->tp->lim, out);
	if (ferr) {
		if (ferr == SSI_FRAME_EVERSION)
			snprintf(why, sizeof(why), "peer speaks protocol version "
				 "%u, we speak %u", ((const uint8_t *)hdr)[4],
				 SSI_FRAME_VERSION);
		else
			snprintf(why, sizeof(why), "%s", ssi_frame_strerror(ferr));
		conn_log(c, LOG_WARNING, "bad frame, closing connection", why);
		ssi_conn_fail(c, ferr == SSI_FRAME_EVERSION ? SSI_TP_ERR_VERSION
							    : SSI_TP_ERR_PROTOCOL);
		return -1;
	}
	return frame_fits(c, out);
}

/*
 * Checks a frame's tag (and decrypts it in place); false if it is not
 * what the peer sent, and then [c] has failed.  [*inl] loses the tag.
 */
static bool frame_authentic(struct ssi_conn *c, const struct ssi_frame_hdr *h,
			    uint8_t *frame, size_t *inl, void *bulk,
			    size_t bulk_len)
{
	uint8_t *data = frame + SSI_FRAME_HDR_LEN;

	if (!c->seal.mode)
		return true;
	if (*inl < SSI_SEAL_TAG_LEN) {
		conn_log(c, LOG_WARNING, "protocol violation, closing connection",
			 "frame too short for its tag");
		ssi_conn_fail(c, SSI_TP_ERR_PROTOCOL);
		return false;
	}
	*inl -= SSI_SEAL_TAG_LEN;
	if (ssi_seal_open(&c->seal.rx, c->seal.mode == SSI_TP_PROTECT_ENCRYPT,
			  frame, SSI_FRAME_HDR_LEN, h->seq, data, *inl, bulk,
			  bulk_len, data + *inl)) {
		conn_log(c, LOG_WARNING, "closing connection",
			 "a frame failed authentication (altered, injected or replayed)");
		ssi_conn_fail(c, SSI_TP_ERR_AUTH);
		return false;
	}
	return true;
}

int ssi_tp_core_recv(ssi_conn_t c, void *frame, size_t len,
		     void *bulk, size_t bulk_len)
{
	struct ssi_frame_hdr h;
	struct ssi_tp_msg msg;
	size_t inl;

	if (ssi_tp_core_check_hdr(c, frame, &h))
		return 1;
	inl = h.flags & SSI_FRAME_F_BULK ? h.bulk_off : h.length;
	if (len - SSI_FRAME_HDR_LEN != inl || h.length - inl != bulk_len ||
	    (bulk_len && !bulk)) {
		/* the plugin cut the frame wrongly: a bug, not the peer */
		conn_log(c, LOG_ERR, "closing connection", "frame length mismatch");
		ssi_conn_fail(c, SSI_TP_ERR_SNAFU);
		return 1;
	}
	switch (c->state) {
	case CONN_AWAIT_HELLO:
	case CONN_AWAIT_ACK:
		return got_cred(c, (const uint8_t *)frame + SSI_FRAME_HDR_LEN, inl,
				c->state == CONN_AWAIT_HELLO);
	case CONN_UP:
		break;
	default:
		return !c->link;	/* closing: dropped */
	}
	if (!frame_authentic(c, &h, frame, &inl, bulk, bulk_len))
		return 1;
	c->rx_seq++;
	msg.type = h.type;
	msg.data = inl ? (const uint8_t *)frame + SSI_FRAME_HDR_LEN : NULL;
	msg.len = inl;
	msg.bulk = bulk_len ? bulk : NULL;
	msg.bulk_len = bulk_len;
	c->tp->cb->on_message(c, &msg, c->tp->cb_arg);
	return !c->link;
}

int ssi_tp_core_sent(ssi_conn_t c)
{
	struct ssi_tp *tp = c->tp;

	if (!c->link)
		return 1;
	if (c->state == CONN_CLOSING) {
		if (tp->plugin.ops.queued(c->link) == 0) {
			end_link(c);
			maybe_free(c);
			return 1;
		}
		return 0;
	}
	if (c->want_writable && c->state == CONN_UP && !c->released &&
	    tp->plugin.ops.queued(c->link) == 0) {
		c->want_writable = 0;
		if (tp->cb->on_writable)
			tp->cb->on_writable(c, tp->cb_arg);
	}
	return !c->link;
}

void ssi_tp_core_closed(ssi_conn_t c, ssi_tp_err_t reason, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (!c->link)
		return;
	c->link = NULL;
	/* an acceptor hangs up on credentials it refuses */
	if (c->state == CONN_AWAIT_ACK && reason == SSI_TP_ERR_PEER_CLOSED) {
		reason = SSI_TP_ERR_AUTH;
		snprintf(why, sizeof(why), "peer hung up during the handshake "
			 "(it refused our credential? see its log)");
	}
	if (c->state != CONN_CLOSING)
		conn_log(c, c->visible || reason != SSI_TP_ERR_PEER_CLOSED ?
			 LOG_INFO : LOG_DEBUG, "connection ended", why);
	c->state = CONN_DEAD;
	c->deadline_ms = 0;
	queue_close(c, reason);
	maybe_free(c);
}

/* ------------------------------------------------------------------------ */
/* User-facing accessors and close                                          */

void ssi_conn_close(ssi_conn_t c)
{
	struct ssi_tp *tp = c->tp;

	if (c->released || c->close_pending)
		return;
	if (c->state == CONN_UP && c->link &&
	    tp->plugin.ops.queued(c->link) > 0) {
		c->state = CONN_CLOSING;
		set_deadline(c);
	} else {
		end_link(c);
	}
	queue_close(c, SSI_TP_ERR_CLOSED);
	maybe_free(c);
}

size_t ssi_conn_queued(ssi_conn_t c)
{
	return c->link ? c->tp->plugin.ops.queued(c->link) : 0;
}

const char *ssi_conn_describe(ssi_conn_t c, char *buf, size_t len)
{
	const struct ssi_tp_plugin_ops *ops = &c->tp->plugin.ops;
	char link[384] = "";

	if (!buf || !len)
		return buf;
	if (c->link && ops->describe)
		ops->describe(c->link, link, sizeof(link));
	snprintf(buf, len, "%s, %zu bytes queued%s%s", state_name(c->state),
		 ssi_conn_queued(c), link[0] ? "; " : "", link);
	return buf;
}

const char *ssi_conn_peer(ssi_conn_t c)
{
	return c->peer;
}

int ssi_conn_is_initiator(ssi_conn_t c)
{
	return c->initiator;
}

enum ssi_tp_protect ssi_conn_protection(ssi_conn_t c)
{
	return c->state == CONN_UP || c->state == CONN_CLOSING ? c->seal.mode
							       : SSI_TP_PROTECT_NONE;
}

void *ssi_conn_data(ssi_conn_t c)
{
	return c->data;
}

void ssi_conn_set_data(ssi_conn_t c, void *data)
{
	c->data = data;
}

ssi_tp_t ssi_conn_tp(ssi_conn_t c)
{
	return c->tp;
}
