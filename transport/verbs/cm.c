// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cm.c - connection management of the "verbs" plugin with librdmacm:
 * listening, resolving and connecting, accepting, disconnects.  Every CM
 * event is copied and acknowledged before it is acted on, so destroying
 * an id never waits for an unacknowledged event.
 *
 * Initiator: resolve address -> resolve route -> set up QP -> connect ->
 * ESTABLISHED (tell the core).  Acceptor: CONNECT_REQUEST -> set up QP ->
 * accept -> ESTABLISHED (announce the link to the core).  Both exchange a
 * struct vb_priv as CM private data: receive depth and buffer size.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "verbs.h"

#define CM_BUDGET	32

struct cm_ev {
	enum rdma_cm_event_type type;
	int status;
	struct rdma_cm_id *id;
	uint8_t priv[256];
	uint8_t priv_len;
	uint8_t initiator_depth, responder_resources;
};

static void addr_name(struct sockaddr *sa, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";
	uint16_t port = 0;

	if (sa && sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((struct sockaddr_in *)sa)->sin_addr, host,
			  sizeof(host));
		port = ntohs(((struct sockaddr_in *)sa)->sin_port);
	} else if (sa && sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)sa)->sin6_addr,
			  host, sizeof(host));
		port = ntohs(((struct sockaddr_in6 *)sa)->sin6_port);
	}
	snprintf(buf, len, "%s:%u", host, port);
}

void vb_conn_param(struct vb_link *l, struct rdma_conn_param *p,
		   struct vb_priv *priv)
{
	memset(priv, 0, sizeof(*priv));
	priv->magic = htonl(VB_PRIV_MAGIC);
	priv->version = VB_PRIV_VERSION;
	priv->depth = htonl(l->st->depth);
	priv->msg_size = htonl(l->st->msg_size);
	memset(p, 0, sizeof(*p));
	p->private_data = priv;
	p->private_data_len = sizeof(*priv);
	p->initiator_depth = (uint8_t)l->rd_max;
	p->responder_resources = (uint8_t)l->rd_max;
	/*
	 * Not 7: soft-RoCE takes a retry count of 7 as "retry for ever"
	 * (rxe_comp.c), so a QP whose peer stops answering (gone, wedged,
	 * or dropping a retried READ it keeps no resource for) would
	 * wait without end and the connection never fail.  Six
	 * timeouts in a row without any progress (about 15 s with
	 * RoCE's default ACK timeout) fail the work request instead.
	 */
	p->retry_count = 6;
	p->rnr_retry_count = 7;	/* never needed: credits prevent RNR */
}

int vb_priv_check(struct vb_link *l, const void *data, uint8_t len)
{
	struct vb_priv p;
	uint32_t depth, size;

	if (!data || len < sizeof(p)) {
		vb_fail(l, SSI_TP_ERR_PROTOCOL, "peer sent no connection "
			"parameters (not an ssi transport?)");
		return -1;
	}
	memcpy(&p, data, sizeof(p));
	depth = ntohl(p.depth);
	size = ntohl(p.msg_size);
	if (ntohl(p.magic) != VB_PRIV_MAGIC || p.version != VB_PRIV_VERSION ||
	    depth < 4 || depth > 4096 || size < 256 || size > (1u << 24)) {
		vb_fail(l, SSI_TP_ERR_PROTOCOL, "bad connection parameters "
			"(magic 0x%08x version %u depth %u size %u)",
			ntohl(p.magic), p.version, depth, size);
		return -1;
	}
	l->peer_depth = depth;
	/* our send buffers are our msg_size, the peer's receive buffers its */
	l->send_max = size < l->st->msg_size ? size : l->st->msg_size;
	l->credits = depth;
	return 0;
}

static struct vb_link *link_new(struct vb_state *st)
{
	struct vb_link *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->st = st;
	l->cc_w.fd = -1;
	l->ctltail = &l->ctlq;
	l->txtail = &l->txq;
	l->rxtail = &l->rxq;
	return l;
}

/* A peer asks to connect. */
static void on_request(struct vb_state *st, struct cm_ev *ev)
{
	struct rdma_conn_param param;
	struct vb_priv priv;
	struct vb_link *l;

	l = link_new(st);
	if (!l) {
		rdma_reject(ev->id, NULL, 0);
		rdma_destroy_id(ev->id);
		return;
	}
	l->id = ev->id;
	l->id->context = l;
	l->state = VB_CONNECTING;
	addr_name(rdma_get_peer_addr(l->id), l->name, sizeof(l->name));
	if (vb_priv_check(l, ev->priv, ev->priv_len))
		goto reject;		/* vb_fail ended it: free below */
	if (vb_link_setup(l)) {
		ssi_tp_core_log(st->tp, LOG_ERR, "%s", ssi_tp_errmsg(st->tp));
		goto reject;
	}
	/* READs we may issue: what the initiator lets us, and vice versa */
	if (ev->responder_resources < l->rd_max)
		l->rd_max = ev->responder_resources ? ev->responder_resources : 1;
	vb_conn_param(l, &param, &priv);
	if (ev->initiator_depth < param.responder_resources)
		param.responder_resources = ev->initiator_depth;
	if (rdma_accept(l->id, &param)) {
		ssi_tp_core_log(st->tp, LOG_ERR, "verbs: rdma_accept %s: %s",
				l->name, strerror(errno));
		goto reject;
	}
	return;
reject:
	rdma_reject(l->id, NULL, 0);
	vb_link_drop(l);
}

/* ESTABLISHED: the QP can carry traffic both ways. */
static void on_established(struct vb_link *l, struct cm_ev *ev)
{
	ssi_conn_t conn;

	if (l->initiator) {
		if (vb_priv_check(l, ev->priv, ev->priv_len))
			return;
		if (ev->responder_resources && ev->responder_resources < l->rd_max)
			l->rd_max = ev->responder_resources;
		l->state = VB_UP;
		if (ssi_tp_core_connected(l->conn))
			return;
	} else {
		l->state = VB_UP;
		conn = ssi_tp_core_accept(l->st->tp, l, l->name);
		if (!conn) {
			vb_link_end(l);
			return;
		}
		l->conn = conn;
	}
	vb_cq_drain(l);		/* receives that came before this event */
}

static void on_event(struct vb_state *st, struct cm_ev *ev)
{
	struct rdma_conn_param param;
	struct vb_priv priv;
	struct vb_link *l;

	if (ev->type == RDMA_CM_EVENT_CONNECT_REQUEST) {
		on_request(st, ev);
		return;
	}
	l = ev->id->context;
	if (!l || (void *)l == (void *)st || l->state == VB_ENDED)
		return;		/* the listener's, or a link on its way out */

	switch (ev->type) {
	case RDMA_CM_EVENT_ADDR_RESOLVED:
		if (rdma_resolve_route(l->id, VB_RESOLVE_MS))
			vb_fail(l, SSI_TP_ERR_CONNECT, "rdma_resolve_route: %s",
				strerror(errno));
		break;
	case RDMA_CM_EVENT_ROUTE_RESOLVED:
		if (vb_link_setup(l)) {
			vb_fail(l, SSI_TP_ERR_CONNECT, "%s", ssi_tp_errmsg(st->tp));
			break;
		}
		vb_conn_param(l, &param, &priv);
		if (rdma_connect(l->id, &param)) {
			vb_fail(l, SSI_TP_ERR_CONNECT, "rdma_connect: %s",
				strerror(errno));
			break;
		}
		l->state = VB_CONNECTING;
		break;
	case RDMA_CM_EVENT_ESTABLISHED:
		on_established(l, ev);
		break;
	case RDMA_CM_EVENT_ADDR_ERROR:
	case RDMA_CM_EVENT_ROUTE_ERROR:
	case RDMA_CM_EVENT_CONNECT_ERROR:
	case RDMA_CM_EVENT_UNREACHABLE:
	case RDMA_CM_EVENT_REJECTED:
		vb_fail(l, SSI_TP_ERR_CONNECT, "%s (status %d)",
			rdma_event_str(ev->type), ev->status);
		break;
	case RDMA_CM_EVENT_DISCONNECTED:
		vb_fail(l, SSI_TP_ERR_PEER_CLOSED, "disconnected by peer");
		break;
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
		vb_fail(l, SSI_TP_ERR_SYSTEM, "RDMA device removed");
		break;
	default:
		break;		/* TIMEWAIT_EXIT, ADDR_CHANGE, ... */
	}
}

void vb_cm_event(struct ssi_tp_watch *w, uint32_t events)
{
	struct vb_state *st = ssi_container_of(w, struct vb_state, ec_w);
	struct rdma_cm_event *e;
	struct cm_ev ev;
	int i;

	for (i = 0; i < CM_BUDGET; i++) {
		if (rdma_get_cm_event(st->ec, &e)) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				ssi_tp_core_log(st->tp, LOG_ERR, "verbs: "
						"rdma_get_cm_event: %s",
						strerror(errno));
			return;
		}
		memset(&ev, 0, sizeof(ev));
		ev.type = e->event;
		ev.status = e->status;
		ev.id = e->id;
		if (e->id && e->id->ps == RDMA_PS_TCP &&
		    (e->event == RDMA_CM_EVENT_CONNECT_REQUEST ||
		     e->event == RDMA_CM_EVENT_ESTABLISHED)) {
			ev.priv_len = e->param.conn.private_data_len;
			if (e->param.conn.private_data && ev.priv_len)
				memcpy(ev.priv, e->param.conn.private_data,
				       ev.priv_len);
			ev.initiator_depth = e->param.conn.initiator_depth;
			ev.responder_resources =
				e->param.conn.responder_resources;
		}
		rdma_ack_cm_event(e);
		on_event(st, &ev);
	}
}

static struct addrinfo *resolve(struct vb_state *st, const char *host,
				uint16_t port, int passive)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV |
					      (passive ? AI_PASSIVE : 0) };
	struct addrinfo *res;
	char sport[8];
	int gai;

	snprintf(sport, sizeof(sport), "%u", port);
	gai = getaddrinfo(host && *host ? host : NULL, sport, &hints, &res);
	if (gai) {
		ssi_tp_core_errmsg(st->tp, "verbs: %s: %s", host ? host : "*",
				   gai_strerror(gai));
		return NULL;
	}
	return res;
}

ssi_tp_err_t vb_cm_listen(struct vb_state *st, const char *addr,
			  uint16_t port, uint16_t *bound)
{
	struct sockaddr_in any = { .sin_family = AF_INET,
				   .sin_port = htons(port) };
	struct addrinfo *res = NULL;
	struct sockaddr *sa = (struct sockaddr *)&any;

	if (addr && *addr) {
		res = resolve(st, addr, port, 1);
		if (!res)
			return SSI_TP_ERR_BAD_ARG;
		sa = res->ai_addr;
	}
	if (rdma_create_id(st->ec, &st->listen_id, st, RDMA_PS_TCP)) {
		ssi_tp_core_errmsg(st->tp, "verbs: rdma_create_id: %s",
				   strerror(errno));
		goto fail;
	}
	if (rdma_bind_addr(st->listen_id, sa) || rdma_listen(st->listen_id, 64)) {
		ssi_tp_core_errmsg(st->tp, "verbs: listen on %s:%u: %s",
				   addr && *addr ? addr : "*", port,
				   strerror(errno));
		rdma_destroy_id(st->listen_id);
		st->listen_id = NULL;
		goto fail;
	}
	*bound = ntohs(rdma_get_src_port(st->listen_id));
	if (res)
		freeaddrinfo(res);
	return SSI_TP_OK;
fail:
	if (res)
		freeaddrinfo(res);
	return SSI_TP_ERR_SYSTEM;
}

ssi_tp_err_t vb_cm_connect(struct vb_state *st, struct vb_link *l,
			   const char *host, uint16_t port)
{
	struct addrinfo *res = resolve(st, host, port, 0);

	if (!res)
		return SSI_TP_ERR_CONNECT;
	if (rdma_create_id(st->ec, &l->id, l, RDMA_PS_TCP)) {
		ssi_tp_core_errmsg(st->tp, "verbs: rdma_create_id: %s",
				   strerror(errno));
		freeaddrinfo(res);
		return SSI_TP_ERR_SYSTEM;
	}
	if (rdma_resolve_addr(l->id, NULL, res->ai_addr, VB_RESOLVE_MS)) {
		ssi_tp_core_errmsg(st->tp, "verbs: resolving %s:%u: %s", host,
				   port, strerror(errno));
		freeaddrinfo(res);
		return SSI_TP_ERR_CONNECT;
	}
	freeaddrinfo(res);
	l->state = VB_RESOLVING;
	return SSI_TP_OK;
}
