// SPDX-License-Identifier: GPL-2.0
/*
 * peers.c - membership over libssitransport (see peers.h).
 *
 * Per node we keep at most two authenticated connections: ours to it
 * ("out", made by ssi_tp_connect with the node's name as the expected
 * identity) and its to us ("in", accepted, identified by the transport's
 * munge handshake).  All state changes happen in transport callbacks, run
 * from ssi_tp_dispatch(), or in peers_timer(); both run on the loop thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "transport/ssi_transport.h"
#include "transport/bench/bench.h"

#include "common/log.h"
#include "daemon/loop.h"
#include "cluster/peer_msg.h"
#include "cluster/peers.h"
#include "cluster/load_sample.h"

struct peer {
	struct peers *owner;
	const struct ssi_node *node;
	int idx;
	enum peer_state state;
	uint64_t state_since_ms;

	ssi_conn_t out;			/* ours, NULL when none */
	bool out_ready;			/* out passed the handshake */
	bool out_hello;			/* its hello arrived on out */
	bool out_refused;		/* we closed out: wrong cluster */
	ssi_conn_t in;			/* its, NULL when none */
	bool in_hello;			/* its hello arrived on in */
	uint64_t next_connect_ms;	/* when to try out again */
	unsigned int backoff_ms;
	ssi_tp_err_t last_err;		/* of the last failed attempt */
	char last_error[160];

	uint64_t last_heard_ms;
	bool have_load;
	struct load_vector load;
	uint64_t incarnation;
	uint64_t heartbeats;
	uint64_t refused;
	int64_t srtt_us;		/* -1 until the first probe returns */
	struct node_id id;		/* from its hello */
	char mig_refusal[160];		/* why it cannot take or give ours */
};

struct ping {
	struct ping *next;
	uint32_t id;
	int idx;
	uint64_t t0_ns;
	uint64_t deadline_ms;
	peers_ping_cb cb;		/* NULL for heartbeat probes */
	void *arg;
};

struct peers {
	const struct ssi_conf *conf;
	struct loop *loop;
	struct sampler *sampler;
	ssi_tp_t tp;
	struct loop_handler tp_h;
	int self;
	struct peer *peer;		/* conf->nnodes entries */
	uint64_t incarnation;
	uint32_t hb_seq;
	uint64_t next_hb_ms;
	struct load_vector self_load;
	bool have_self_load;
	struct node_id id;		/* this node's */
	struct ping *pings;
	uint32_t next_ping_id;
	bool stopping;
	struct peers_mig_hooks mig;
	struct peers_dsm_hooks dsm;
	/* cluster-wide queries (cluster_view.c) */
	void (*cluster_msg)(void *arg, int idx, const struct ssi_tp_msg *msg);
	void *cluster_arg;
};

/*
 * Connection data of a benchmark client ("NODE:bench", e.g. ssi-tp-bench
 * run on a cluster node): it is served the transport benchmark's messages
 * and nothing else, and never counts for membership.
 */
static char bench_conn;

/* Is @name "NODE:bench" for a configured NODE? */
static bool is_bench_client(const struct ssi_conf *conf, const char *name)
{
	char node[SSI_NODE_NAME_MAX + 1];
	const char *colon = strrchr(name, ':');

	if (!colon || strcmp(colon, ":bench") ||
	    (size_t)(colon - name) > SSI_NODE_NAME_MAX)
		return false;
	memcpy(node, name, (size_t)(colon - name));
	node[colon - name] = '\0';
	return conf_node_index(conf, node) >= 0;
}

/* What was in flight with node @idx is gone: tell those who sent it. */
static void node_lost(struct peers *p, int idx)
{
	if (p->mig.lost)
		p->mig.lost(p->mig.arg, idx);
	if (p->dsm.lost)
		p->dsm.lost(p->dsm.arg, idx);
}

const char *peers_state_name(enum peer_state s)
{
	return s == PEER_UP ? "up" : "down";
}

static void set_state(struct peer *pr, enum peer_state s, uint64_t now,
		      const char *why)
{
	struct peers *p = pr->owner;

	if (pr->state == s)
		return;
	pr->state = s;
	pr->state_since_ms = now;
	log_notice("node %s is %s (%s)", pr->node->name, peers_state_name(s),
		   why);
	if (s == PEER_DOWN)
		node_lost(p, pr->idx);
}

/* The connection to send on: ours if established, else the peer's. */
static ssi_conn_t send_conn(struct peer *pr)
{
	if (pr->out && pr->out_ready && pr->out_hello)
		return pr->out;
	return pr->in && pr->in_hello ? pr->in : NULL;
}

/* Refuse what @pr sent on @conn: say it once per reason, then close. */
static void refuse(struct peer *pr, ssi_conn_t conn, const char *why)
{
	if (strcmp(pr->last_error, why))
		log_warn("refusing node %s: %s", pr->node->name, why);
	snprintf(pr->last_error, sizeof(pr->last_error), "%s", why);
	pr->refused++;
	if (conn == pr->out)
		pr->out_refused = true;
	ssi_conn_close(conn);
}

static void send_hello(struct peers *p, ssi_conn_t conn)
{
	unsigned char buf[MSG_HELLO_MAX];
	struct msg_hello m;
	struct iovec iov = { buf, 0 };
	ssi_tp_err_t e;

	snprintf(m.cluster, sizeof(m.cluster), "%s", p->conf->cluster_name);
	m.id = p->id;
	iov.iov_len = msg_encode_hello(&m, buf);
	e = ssi_conn_send(conn, SSID_MSG_HELLO, &iov, 1);
	if (e != SSI_TP_OK) {
		log_warn("cannot greet %s: %s", ssi_conn_peer(conn),
			 ssi_tp_strerror(e));
		ssi_conn_close(conn);
	}
}

static void recv_hello(struct peers *p, struct peer *pr, ssi_conn_t conn,
		       const struct ssi_tp_msg *msg)
{
	struct msg_hello m;
	char why[160];

	if (msg_decode_hello(msg->data, msg->len, &m)) {
		refuse(pr, conn, "invalid hello message");
		return;
	}
	if (strcmp(m.cluster, p->conf->cluster_name)) {
		snprintf(why, sizeof(why),
			 "it belongs to cluster '%s', this node to '%s'",
			 m.cluster, p->conf->cluster_name);
		refuse(pr, conn, why);
		return;
	}
	/* Unlike nodes still share load; only migration between them is
	 * refused, with this reason. */
	pr->id = m.id;
	if (node_id_mismatch(&p->id, &m.id, why, sizeof(why))) {
		if (strcmp(why, pr->mig_refusal))
			log_warn("node %s cannot exchange processes with this "
				 "node: %s", pr->node->name, why);
		snprintf(pr->mig_refusal, sizeof(pr->mig_refusal), "%s", why);
	} else {
		pr->mig_refusal[0] = '\0';
	}
	if (conn == pr->out) {
		pr->out_hello = true;
		pr->last_error[0] = '\0';
	} else {
		pr->in_hello = true;
	}
}

static int send_ping(struct peers *p, struct peer *pr, struct ping *pg,
		     uint32_t flags)
{
	unsigned char buf[MSG_PING_LEN];
	struct msg_ping m = { .id = pg->id, .flags = flags, .t_ns = pg->t0_ns };
	struct iovec iov = { buf, msg_encode_ping(&m, buf) };
	ssi_conn_t c = send_conn(pr);
	ssi_tp_err_t e;

	if (!c)
		return -ENOTCONN;
	e = ssi_conn_send(c, SSID_MSG_PING, &iov, 1);
	if (e == SSI_TP_ERR_AGAIN)
		return -EAGAIN;
	if (e != SSI_TP_OK)
		return -ENOTCONN;
	(void)p;
	return 0;
}

static struct ping *ping_new(struct peers *p, int idx, uint64_t now_ms,
			     uint64_t timeout_ms)
{
	struct ping *pg = calloc(1, sizeof(*pg));

	if (!pg)
		return NULL;
	pg->id = ++p->next_ping_id;
	if (!pg->id)
		pg->id = ++p->next_ping_id;
	pg->idx = idx;
	pg->t0_ns = clock_mono_ns();
	pg->deadline_ms = now_ms + timeout_ms;
	return pg;
}

/* ---------------------------------------------------------- heartbeats */

static void send_heartbeats(struct peers *p, uint64_t now)
{
	unsigned char buf[MSG_HEARTBEAT_LEN];
	struct msg_heartbeat hb;
	struct iovec iov = { buf, 0 };
	size_t i;

	if (sampler_take(p->sampler, &p->self_load))
		log_warn("cannot measure the load: %m");
	else
		p->have_self_load = true;
	if (p->mig.counts)
		p->mig.counts(p->mig.arg, &p->self_load.guests,
			      &p->self_load.deputies);
	hb.incarnation = p->incarnation;
	hb.seq = ++p->hb_seq;
	hb.interval_ms = p->conf->hb_interval_ms;
	hb.load = p->self_load;
	iov.iov_len = msg_encode_heartbeat(&hb, buf);

	for (i = 0; i < p->conf->nnodes; i++) {
		struct peer *pr = &p->peer[i];
		ssi_conn_t c = send_conn(pr);
		struct ping *pg;
		ssi_tp_err_t e;

		if ((int)i == p->self || !c)
			continue;
		e = ssi_conn_send(c, SSID_MSG_HEARTBEAT, &iov, 1);
		if (e != SSI_TP_OK) {
			log_debug("heartbeat to %s not sent: %s",
				  pr->node->name, ssi_tp_strerror(e));
			continue;
		}
		/* An RTT probe with every heartbeat; it expires unanswered
		 * at the next one, so at most one per peer is in flight.
		 */
		pg = ping_new(p, (int)i, now, p->conf->hb_interval_ms);
		if (!pg)
			continue;
		if (send_ping(p, pr, pg, MSG_PING_PROBE)) {
			free(pg);
			continue;
		}
		pg->next = p->pings;
		p->pings = pg;
	}
}

static void recv_heartbeat(struct peers *p, struct peer *pr, ssi_conn_t conn,
			   const struct ssi_tp_msg *msg)
{
	struct msg_heartbeat hb;
	uint64_t now = clock_mono_ms();

	if (msg_decode_heartbeat(msg->data, msg->len, &hb)) {
		log_warn("node %s sent an invalid heartbeat (%zu bytes): closing its connection",
			 pr->node->name, msg->len);
		ssi_conn_close(conn);
		return;
	}
	if (pr->incarnation && hb.incarnation != pr->incarnation) {
		log_info("node %s restarted", pr->node->name);
		node_lost(p, pr->idx);
	}
	pr->incarnation = hb.incarnation;
	pr->load = hb.load;
	pr->have_load = true;
	pr->last_heard_ms = now;
	pr->heartbeats++;
	set_state(pr, PEER_UP, now, "heartbeat received");
	(void)p;
}

/* ---------------------------------------------------------------- pings */

/* Decode a PING or PONG (@what); an invalid one closes the connection. */
static int decode_ping(struct peer *pr, ssi_conn_t conn,
		       const struct ssi_tp_msg *msg, const char *what,
		       struct msg_ping *m)
{
	if (!msg_decode_ping(msg->data, msg->len, m))
		return 0;
	log_warn("node %s sent an invalid %s: closing its connection",
		 pr->node->name, what);
	ssi_conn_close(conn);
	return -1;
}

static void recv_ping(struct peer *pr, ssi_conn_t conn,
		      const struct ssi_tp_msg *msg)
{
	struct iovec iov = { (void *)msg->data, msg->len };
	struct msg_ping m;
	ssi_tp_err_t e;

	if (decode_ping(pr, conn, msg, "ping", &m))
		return;
	/* Echo the payload as received: the sender knows its own layout. */
	e = ssi_conn_send(conn, SSID_MSG_PONG, &iov, 1);
	if (e != SSI_TP_OK)
		log_debug("pong to %s not sent: %s", pr->node->name,
			  ssi_tp_strerror(e));
}

static void recv_pong(struct peers *p, struct peer *pr, ssi_conn_t conn,
		      const struct ssi_tp_msg *msg)
{
	struct ping **pp, *pg;
	struct msg_ping m;
	int64_t rtt;

	if (decode_ping(pr, conn, msg, "pong", &m))
		return;
	for (pp = &p->pings; (pg = *pp); pp = &pg->next)
		if (pg->id == m.id && pg->idx == pr->idx)
			break;
	if (!pg || pg->t0_ns != m.t_ns)
		return;		/* expired, cancelled or not ours: ignore */
	*pp = pg->next;
	rtt = (int64_t)((clock_mono_ns() - pg->t0_ns) / 1000);
	if (pr->srtt_us < 0)
		pr->srtt_us = rtt;
	else
		pr->srtt_us += (rtt - pr->srtt_us) / (1 << SSI_RTT_EWMA_SHIFT);
	if (pg->cb)
		pg->cb(pg->arg, rtt);
	free(pg);
}

int peers_ping(struct peers *p, int idx, peers_ping_cb cb, void *arg,
	       uint32_t *id_out)
{
	struct ping *pg;
	int rc;

	if (idx < 0 || (size_t)idx >= p->conf->nnodes || idx == p->self)
		return -EINVAL;
	pg = ping_new(p, idx, clock_mono_ms(), SSI_PING_TIMEOUT_MS);
	if (!pg)
		return -ENOMEM;
	rc = send_ping(p, &p->peer[idx], pg, 0);
	if (rc) {
		free(pg);
		return rc;
	}
	pg->cb = cb;
	pg->arg = arg;
	pg->next = p->pings;
	p->pings = pg;
	*id_out = pg->id;
	return 0;
}

void peers_ping_cancel(struct peers *p, uint32_t id)
{
	struct ping **pp, *pg;

	for (pp = &p->pings; (pg = *pp); pp = &pg->next) {
		if (pg->id == id) {
			*pp = pg->next;
			free(pg);
			return;
		}
	}
}

/* Expire pings due at @now; returns the earliest remaining deadline. */
static uint64_t expire_pings(struct peers *p, uint64_t now)
{
	struct ping **pp = &p->pings, *pg;
	uint64_t next = LOOP_NEVER;

	while ((pg = *pp)) {
		if (pg->deadline_ms > now) {
			if (pg->cb && pg->deadline_ms < next)
				next = pg->deadline_ms;
			pp = &pg->next;
			continue;
		}
		*pp = pg->next;
		if (pg->cb)
			pg->cb(pg->arg, -ETIMEDOUT);
		free(pg);
	}
	return next;
}

/* ------------------------------------------------------ transport events */

static bool is_refusal(ssi_tp_err_t e)
{
	return e == SSI_TP_ERR_AUTH || e == SSI_TP_ERR_PROTOCOL ||
	       e == SSI_TP_ERR_VERSION || e == SSI_TP_ERR_MUNGE;
}

/* @pr's own connection to us said hello and @pr was heard lately. */
static bool in_alive(const struct peers *p, const struct peer *pr)
{
	return pr->in_hello && pr->state == PEER_UP &&
	       clock_mono_ms() - pr->last_heard_ms < p->conf->hb_timeout_ms;
}

static void on_connect(ssi_conn_t conn, const char *peer_node, void *arg)
{
	struct peers *p = arg;
	int idx = conf_node_index(p->conf, peer_node);
	struct peer *pr;

	if (ssi_conn_is_initiator(conn)) {
		pr = ssi_conn_data(conn);
		pr->out_ready = true;
		pr->out_hello = false;
		pr->out_refused = false;
		pr->last_err = SSI_TP_OK;
		log_info("connected to %s (%s:%u)", pr->node->name,
			 pr->node->addr, pr->node->port);
		send_hello(p, conn);
		return;
	}
	if (idx < 0 && is_bench_client(p->conf, peer_node)) {
		log_info("benchmark client %s connected", peer_node);
		ssi_conn_set_data(conn, &bench_conn);
		return;
	}
	if (idx < 0 || idx == p->self) {
		log_warn("refusing a connection from node '%s': %s",
			 peer_node, idx < 0 ? "not a NodeName of the configuration"
					    : "it claims to be this node");
		ssi_conn_close(conn);
		return;
	}
	pr = &p->peer[idx];
	if (pr->in && in_alive(p, pr)) {
		/*
		 * Any root holding the munge key may claim any name: a
		 * second claim must not cut off the node that is talking.  A
		 * node whose ssid really restarted closed its connection
		 * (or goes silent) first, and connects again at its retry.
		 */
		log_warn("refusing a second connection from node %s: its "
			 "connection is alive (heard %llu ms ago)", pr->node->name,
			 (unsigned long long)(clock_mono_ms() - pr->last_heard_ms));
		ssi_conn_close(conn);
		return;
	}
	if (pr->in) {
		log_info("node %s connected again; closing its silent previous connection",
			 pr->node->name);
		ssi_conn_set_data(pr->in, NULL);
		ssi_conn_close(pr->in);
	}
	pr->in = conn;
	pr->in_hello = false;
	ssi_conn_set_data(conn, pr);
	log_info("accepted a connection from %s", pr->node->name);
	send_hello(p, conn);
}

static void on_message(ssi_conn_t conn, const struct ssi_tp_msg *msg,
		       void *arg)
{
	struct peers *p = arg;
	struct peer *pr = ssi_conn_data(conn);

	if (!pr)
		return;		/* a replaced connection: ignore its tail */
	if ((void *)pr == &bench_conn) {
		if (!ssi_bench_handle(conn, msg))
			ssi_conn_close(conn);
		return;
	}
	if (msg->type == SSID_MSG_HELLO) {
		recv_hello(p, pr, conn, msg);
		return;
	}
	if (!(conn == pr->out ? pr->out_hello : pr->in_hello)) {
		refuse(pr, conn, "message before hello");
		return;
	}
	switch (msg->type) {
	case SSID_MSG_HEARTBEAT:
		recv_heartbeat(p, pr, conn, msg);
		break;
	case SSID_MSG_PING:
		recv_ping(pr, conn, msg);
		break;
	case SSID_MSG_PONG:
		recv_pong(p, pr, conn, msg);
		break;
	case SSID_MSG_MIG_OFFER ... SSID_MSG_TYPE_MAX:
		if (p->mig.msg)
			p->mig.msg(p->mig.arg, pr->idx, msg);
		break;
	case SSID_MSG_CLUSTER_MIN ... SSID_MSG_CLUSTER_MAX:
		if (p->cluster_msg)
			p->cluster_msg(p->cluster_arg, pr->idx, msg);
		break;
	case SSID_MSG_DSM_MIN ... SSID_MSG_DSM_MAX:
		if (p->dsm.msg)
			p->dsm.msg(p->dsm.arg, pr->idx, msg);
		break;
	default:
		log_debug("node %s: ignoring message type 0x%04x",
			  pr->node->name, msg->type);
		break;
	}
}

static void on_close(ssi_conn_t conn, ssi_tp_err_t reason, void *arg)
{
	struct peers *p = arg;
	struct peer *pr = ssi_conn_data(conn);
	uint64_t now = clock_mono_ms();
	int pri;

	if (!pr)
		return;
	if ((void *)pr == &bench_conn) {
		log_info("benchmark client %s gone: %s", ssi_conn_peer(conn),
			 ssi_tp_strerror(reason));
		return;
	}
	if (conn == pr->in) {
		pr->in = NULL;
		pr->in_hello = false;
		log_info("connection from %s closed: %s", pr->node->name,
			 ssi_tp_strerror(reason));
		return;
	}
	if (conn != pr->out)
		return;
	pr->out = NULL;
	if (p->stopping)
		return;
	if (pr->out_ready && !pr->out_refused) {
		log_info("connection to %s closed: %s", pr->node->name,
			 ssi_tp_strerror(reason));
		pr->backoff_ms = 0;
		pr->last_error[0] = '\0';
	}
	if (is_refusal(reason))
		pr->refused++;
	if (!pr->out_ready) {
		/* Say it once per kind of failure; repeats go to debug. */
		pri = reason == pr->last_err ? LOG_DEBUG :
		      is_refusal(reason) ? LOG_WARNING : LOG_INFO;
		log_msg(pri, "connection to %s (%s:%u) failed: %s%s%s",
			pr->node->name, pr->node->addr, pr->node->port,
			is_refusal(reason) ? "refused: " : "",
			ssi_tp_strerror(reason),
			reason == SSI_TP_ERR_AUTH ? " (different munge key, or not the node it should be?)" : "");
		snprintf(pr->last_error, sizeof(pr->last_error), "%s",
			 ssi_tp_strerror(reason));
	}
	pr->last_err = reason;
	pr->out_ready = false;
	pr->out_hello = false;
	pr->backoff_ms = pr->backoff_ms ? 2 * pr->backoff_ms :
			 SSI_RECONNECT_MIN_MS;
	if (pr->backoff_ms > SSI_RECONNECT_MAX_MS)
		pr->backoff_ms = SSI_RECONNECT_MAX_MS;
	/* up to a quarter of jitter so that restarted nodes do not all
	 * reconnect in the same millisecond
	 */
	pr->next_connect_ms = now + pr->backoff_ms +
			      (uint64_t)(rand() % (pr->backoff_ms / 4 + 1));
}

static void on_writable(ssi_conn_t conn, void *arg)
{
	struct peers *p = arg;
	struct peer *pr = ssi_conn_data(conn);

	if (!pr || (void *)pr == &bench_conn)
		return;
	if (p->mig.writable)
		p->mig.writable(p->mig.arg, pr->idx);
	if (p->dsm.writable)
		p->dsm.writable(p->dsm.arg, pr->idx);
}

static void on_log(int priority, const char *msg, void *arg)
{
	/* the library's lines already start with "transport: " */
	log_msg(priority, "%s", msg);
}

static const struct ssi_tp_callbacks callbacks = {
	.on_connect = on_connect,
	.on_message = on_message,
	.on_writable = on_writable,
	.on_close = on_close,
	.log = on_log,
};

static void tp_ready(struct loop_handler *h, uint32_t events)
{
	struct peers *p = (struct peers *)((char *)h -
					   offsetof(struct peers, tp_h));
	ssi_tp_err_t e = ssi_tp_dispatch(p->tp, 0);

	if (e != SSI_TP_OK)
		log_err("transport dispatch failed: %s: %s",
			ssi_tp_strerror(e), ssi_tp_errmsg(p->tp));
}

/* --------------------------------------------------------------- timers */

static void try_connect(struct peers *p, struct peer *pr, uint64_t now)
{
	ssi_tp_err_t e;

	e = ssi_tp_connect(p->tp, pr->node->addr, pr->node->port,
			   pr->node->name, pr, &pr->out);
	if (e == SSI_TP_OK) {
		pr->out_ready = false;
		log_debug("connecting to %s (%s:%u)", pr->node->name,
			  pr->node->addr, pr->node->port);
		return;
	}
	pr->out = NULL;
	if (e != pr->last_err)
		log_warn("cannot connect to %s: %s: %s", pr->node->name,
			 ssi_tp_strerror(e), ssi_tp_errmsg(p->tp));
	pr->last_err = e;
	snprintf(pr->last_error, sizeof(pr->last_error), "%s",
		 ssi_tp_strerror(e));
	pr->backoff_ms = SSI_RECONNECT_MAX_MS;
	pr->next_connect_ms = now + pr->backoff_ms;
}

uint64_t peers_timer(struct peers *p, uint64_t now)
{
	uint64_t next, d;
	size_t i;

	if (now >= p->next_hb_ms) {
		send_heartbeats(p, now);
		p->next_hb_ms = now + p->conf->hb_interval_ms;
	}
	next = p->next_hb_ms;
	for (i = 0; i < p->conf->nnodes; i++) {
		struct peer *pr = &p->peer[i];

		if ((int)i == p->self)
			continue;
		if (pr->state == PEER_UP) {
			d = pr->last_heard_ms + p->conf->hb_timeout_ms;
			if (now >= d) {
				char why[64];

				snprintf(why, sizeof(why),
					 "no heartbeat for %u ms",
					 p->conf->hb_timeout_ms);
				set_state(pr, PEER_DOWN, now, why);
				pr->srtt_us = -1;
			} else if (d < next) {
				next = d;
			}
		}
		if (!pr->out) {
			if (now >= pr->next_connect_ms)
				try_connect(p, pr, now);
			if (!pr->out && pr->next_connect_ms < next)
				next = pr->next_connect_ms;
		}
	}
	d = expire_pings(p, now);
	return d < next ? d : next;
}

/* ------------------------------------------------------------- lifetime */

struct peers *peers_create(const struct ssi_conf *conf, int self,
			   struct loop *loop, struct sampler *sampler,
			   char *err, size_t errlen)
{
	const struct ssi_node *me = &conf->nodes[self];
	struct ssi_tp_config cfg;
	struct peers *p;
	ssi_tp_err_t e;
	size_t i;

	p = calloc(1, sizeof(*p));
	if (p)
		p->peer = calloc(conf->nnodes, sizeof(*p->peer));
	if (!p || !p->peer) {
		free(p);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->conf = conf;
	p->loop = loop;
	p->sampler = sampler;
	p->self = self;
	p->incarnation = clock_ns(CLOCK_REALTIME);
	srand((unsigned int)(p->incarnation ^ (uint64_t)self));
	for (i = 0; i < conf->nnodes; i++) {
		p->peer[i].owner = p;
		p->peer[i].node = &conf->nodes[i];
		p->peer[i].idx = (int)i;
		p->peer[i].srtt_us = -1;
		p->peer[i].state_since_ms = clock_mono_ms();
	}
	p->peer[self].state = PEER_UP;
	if (node_id_self(&p->id, err, errlen)) {
		free(p->peer);
		free(p);
		return NULL;
	}
	p->peer[self].id = p->id;

	ssi_tp_config_init(&cfg);
	cfg.plugin = conf->transport;
	cfg.node_name = me->name;
	cfg.munge_socket = conf->munge_socket;
	cfg.handshake_timeout_ms = SSI_CONNECT_TIMEOUT_MS;
	cfg.protect = conf->encrypt ? SSI_TP_PROTECT_ENCRYPT
				    : SSI_TP_PROTECT_INTEGRITY;
	cfg.user_type_max = SSID_MSG_TYPE_ACCEPT_MAX;
	cfg.cb = &callbacks;
	cfg.cb_arg = p;
	e = ssi_tp_create(&cfg, &p->tp);
	if (e != SSI_TP_OK) {
		snprintf(err, errlen, "transport '%s': %s", conf->transport,
			 ssi_tp_strerror(e));
		goto fail;
	}
	e = ssi_tp_listen(p->tp, me->addr, me->port);
	if (e != SSI_TP_OK) {
		snprintf(err, errlen, "cannot listen on %s port %u: %s: %s",
			 me->addr, me->port, ssi_tp_strerror(e),
			 ssi_tp_errmsg(p->tp));
		goto fail;
	}
	p->tp_h.fd = ssi_tp_fd(p->tp);
	p->tp_h.cb = tp_ready;
	if (loop_add(loop, &p->tp_h, EPOLLIN)) {
		snprintf(err, errlen, "epoll: %m");
		goto fail;
	}
	log_info("listening on %s port %u (transport %s, frames %s), %zu other node%s",
		 me->addr, me->port, ssi_tp_plugin_name(p->tp),
		 conf->encrypt ? "encrypted" : "authenticated",
		 conf->nnodes - 1, conf->nnodes == 2 ? "" : "s");
	return p;
fail:
	if (p->tp)
		ssi_tp_destroy(p->tp);
	free(p->peer);
	free(p);
	return NULL;
}

void peers_destroy(struct peers *p)
{
	struct ping *pg;

	if (!p)
		return;
	p->stopping = true;
	while ((pg = p->pings)) {
		p->pings = pg->next;
		if (pg->cb)
			pg->cb(pg->arg, -ESHUTDOWN);
		free(pg);
	}
	loop_del(p->loop, &p->tp_h);
	ssi_tp_destroy(p->tp);
	free(p->peer);
	free(p);
}

/* ---------------------------------------------------------- introspection */

size_t peers_count(const struct peers *p)
{
	return p->conf->nnodes;
}

int peers_find(const struct peers *p, const char *name)
{
	return conf_node_index(p->conf, name);
}

int peers_self(const struct peers *p)
{
	return p->self;
}

/* What protects @conn's frames, in words; "" without @conn. */
static const char *frames_name(ssi_conn_t conn)
{
	if (!conn)
		return "";
	return ssi_conn_protection(conn) == SSI_TP_PROTECT_ENCRYPT ?
	       "encrypted" : "authenticated";
}

void peers_info(const struct peers *p, int idx, uint64_t now,
		struct peer_info *out)
{
	const struct peer *pr = &p->peer[idx];

	memset(out, 0, sizeof(*out));
	out->name = pr->node->name;
	out->addr = pr->node->addr;
	out->port = pr->node->port;
	out->self = idx == p->self;
	out->state = pr->state;
	out->state_ms = (int64_t)(now - pr->state_since_ms);
	/* a down node's last RTT says nothing about it now */
	out->rtt_us = out->self || pr->state != PEER_UP ? -1 : pr->srtt_us;
	if (out->self) {
		out->have_load = p->have_self_load;
		out->load = p->self_load;
		out->heard_ms_ago = 0;
		out->incarnation = p->incarnation;
		out->last_error = "";
		out->frames = "";
		out->kernel = p->id.release;
		out->vdso = p->id.vdso;
		out->mig_refusal = "";
		return;
	}
	out->have_load = pr->have_load;
	out->load = pr->load;
	out->heard_ms_ago = pr->heartbeats ?
			    (int64_t)(now - pr->last_heard_ms) : -1;
	out->conn_out = pr->out && pr->out_ready;
	out->conn_in = pr->in != NULL;
	out->frames = frames_name(out->conn_out ? pr->out : pr->in);
	out->incarnation = pr->incarnation;
	out->heartbeats = pr->heartbeats;
	out->refused = pr->refused;
	out->last_error = pr->last_error;
	out->kernel = pr->id.release;
	out->vdso = pr->id.vdso;
	out->mig_refusal = pr->mig_refusal;
}

/* ------------------------------------------------------------ migration */

void peers_set_mig_hooks(struct peers *p, const struct peers_mig_hooks *h)
{
	if (h)
		p->mig = *h;
	else
		memset(&p->mig, 0, sizeof(p->mig));
}

void peers_set_dsm_hooks(struct peers *p, const struct peers_dsm_hooks *h)
{
	if (h)
		p->dsm = *h;
	else
		memset(&p->dsm, 0, sizeof(p->dsm));
}

void peers_set_cluster_hook(struct peers *p,
			    void (*msg)(void *arg, int idx,
					const struct ssi_tp_msg *msg),
			    void *arg)
{
	p->cluster_msg = msg;
	p->cluster_arg = arg;
}

static int tp_errno(ssi_tp_err_t e)
{
	switch (e) {
	case SSI_TP_OK:
		return 0;
	case SSI_TP_ERR_AGAIN:
		return -EAGAIN;
	case SSI_TP_ERR_TOO_BIG:
		return -E2BIG;
	case SSI_TP_ERR_BAD_ARG:
		return -EINVAL;
	default:
		return -ENOTCONN;
	}
}

/* The connection a message to node @idx goes on; NULL with *@err set. */
static ssi_conn_t conn_to(struct peers *p, int idx, int *err)
{
	ssi_conn_t c;

	if (idx < 0 || (size_t)idx >= p->conf->nnodes || idx == p->self) {
		*err = -EINVAL;
		return NULL;
	}
	c = send_conn(&p->peer[idx]);
	*err = c ? 0 : -ENOTCONN;
	return c;
}

int peers_send(struct peers *p, int idx, uint16_t type,
	       const struct iovec *iov, int iovcnt)
{
	int err;
	ssi_conn_t c = conn_to(p, idx, &err);

	return c ? tp_errno(ssi_conn_send(c, type, iov, iovcnt)) : err;
}

int peers_send_bulk(struct peers *p, int idx, uint16_t type,
		    const struct iovec *iov, int iovcnt, void *bulk,
		    size_t bulk_len)
{
	int err;
	ssi_conn_t c = conn_to(p, idx, &err);

	return c ? tp_errno(ssi_conn_send_bulk(c, type, iov, iovcnt, bulk,
					       bulk_len)) : err;
}

void *peers_bulk_alloc(struct peers *p, size_t len)
{
	return ssi_tp_bulk_alloc(p->tp, len);
}

void peers_bulk_free(struct peers *p, void *buf)
{
	ssi_tp_bulk_free(p->tp, buf);
}

bool peers_is_up(const struct peers *p, int idx)
{
	if (idx < 0 || (size_t)idx >= p->conf->nnodes || idx == p->self)
		return false;
	return p->peer[idx].state == PEER_UP &&
	       send_conn((struct peer *)&p->peer[idx]) != NULL;
}

const char *peers_mig_refusal(const struct peers *p, int idx)
{
	if (idx < 0 || (size_t)idx >= p->conf->nnodes || idx == p->self ||
	    !p->peer[idx].mig_refusal[0])
		return NULL;
	return p->peer[idx].mig_refusal;
}

const char *peers_node_name(const struct peers *p, int idx)
{
	return p->conf->nodes[idx].name;
}
