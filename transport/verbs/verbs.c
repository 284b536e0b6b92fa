// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * verbs.c - the "verbs" transport plugin: entry points and the send path.
 *
 * A frame that fits the peer's receive buffer travels in one SEND (copied
 * into a registered send buffer).  A larger one travels as an RTS: its
 * header (and inline part, if that fits) in a SEND plus a descriptor of
 * registered memory that the receiver pulls with RDMA READ and releases
 * with a FIN.  Bulk buffers are registered once (cached with the buffer),
 * so bulk data is never copied by the sender.
 *
 * Flow control: each side posts [depth] receive buffers; a SEND needs a
 * credit, credits come back in the immediate data of every message (or a
 * CREDIT message when half of them are owed), the last credit is kept for
 * such a CREDIT message.  No message is ever sent without a receive buffer
 * waiting for it, so RNR retries never happen.
 *
 * Options (plugin_opts): msg_size=BYTES (16384), depth=N (64),
 * rd_max=N (16, also bounded by the device), read_chunk=BYTES (262144:
 * larger transfers are READ in pieces of this size).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>

#include "verbs.h"

const char plugin_name[] = "RDMA verbs transport (RC, librdmacm)";
const char plugin_type[] = "transport/verbs";
const uint32_t plugin_version = SSI_TP_PLUGIN_VERSION;

static void put_be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ------------------------------------------------------------------------ */
/* Link lifetime                                                            */

static void link_free(struct ssi_tp_deferred *d)
{
	vb_link_destroy(ssi_container_of(d, struct vb_link, free_d));
}

void vb_link_drop(struct vb_link *l)
{
	if (l->state == VB_ENDED)
		return;
	l->state = VB_ENDED;
	l->conn = NULL;
	ssi_tp_core_unwatch(l->st->tp, &l->cc_w);
	/*
	 * The QP goes now, the rest of the link later.  The core may release
	 * bulk buffers as soon as this returns, and soft-RoCE's responder
	 * keeps a reference on the MR the peer was reading until the QP is
	 * destroyed: deregistering first stalls ibv_dereg_mr() for 50 s and
	 * warns on the console.
	 */
	if (l->id && l->id->qp)
		rdma_destroy_qp(l->id);
	ssi_tp_core_defer(l->st->tp, &l->free_d, link_free);
}

void vb_link_end(struct vb_link *l)
{
	if (l->state == VB_UP || (l->state == VB_CONNECTING && l->initiator))
		rdma_disconnect(l->id);		/* the peer learns at once */
	vb_link_drop(l);
}

void vb_fail(struct vb_link *l, ssi_tp_err_t reason, const char *fmt, ...)
{
	ssi_conn_t conn = l->conn;
	char why[256];
	va_list ap;

	if (l->state == VB_ENDED)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	vb_link_end(l);
	if (conn)
		ssi_tp_core_closed(conn, reason, "%s", why);
	else
		ssi_tp_core_log(l->st->tp, LOG_WARNING, "verbs: %s: %s",
				l->name, why);
}

/* ------------------------------------------------------------------------ */
/* Memory registration of bulk buffers                                      */

struct vb_mr {
	struct ibv_pd *pd;
	struct ibv_mr *mr;
};

struct ibv_mr *vb_bulk_mr(struct vb_link *l, struct ssi_tp_bulk *b)
{
	struct vb_mr *m = b->priv;

	if (m && m->pd == l->dev->pd)
		return m->mr;
	if (m) {				/* another device: re-register */
		ibv_dereg_mr(m->mr);
	} else {
		m = calloc(1, sizeof(*m));
		if (!m)
			goto fail;
		b->priv = m;
	}
	m->pd = l->dev->pd;
	m->mr = ibv_reg_mr(m->pd, ssi_tp_core_bulk_data(b), b->size,
			   IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_READ);
	if (m->mr)
		return m->mr;
	free(m);
	b->priv = NULL;
fail:
	vb_fail(l, SSI_TP_ERR_NO_MEMORY, "cannot register %zu bytes: %s",
		b->size, strerror(errno));
	return NULL;
}

void tp_p_bulk_release(void *state, struct ssi_tp_bulk *b)
{
	struct vb_mr *m = b->priv;

	if (!m)
		return;
	ibv_dereg_mr(m->mr);
	free(m);
	b->priv = NULL;
}

/* ------------------------------------------------------------------------ */
/* Sending                                                                  */

static void txe_append(struct vb_txe ***tail, struct vb_txe *e)
{
	e->next = NULL;
	**tail = e;
	*tail = &e->next;
}

int vb_queue_ctl(struct vb_link *l, enum vb_kind kind, uint64_t cookie)
{
	struct vb_txe *e = calloc(1, sizeof(*e));

	if (!e || (kind == VB_K_FIN && !(e->data = malloc(8)))) {
		free(e);
		vb_fail(l, SSI_TP_ERR_NO_MEMORY, "out of memory");
		return -1;
	}
	e->kind = kind;
	if (kind == VB_K_FIN) {
		put_be64(e->data, cookie);
		e->len = 8;
	}
	txe_append(&l->ctltail, e);
	return 0;
}

/* Posts what the credits and slots allow.  Returns 1 if frames left the
 * send queue (the caller may tell the core), 0 if not, -1 on failure. */
int vb_push(struct vb_link *l)
{
	struct vb_txe *e;
	struct ibv_mr *mr;
	struct iovec v;
	uint8_t *d;
	int moved = 0;

	if (l->state != VB_UP)
		return 0;
	while ((e = l->ctlq) && vb_can_send(l, e->kind)) {
		v.iov_base = e->data;
		v.iov_len = e->len;
		if (vb_post_send(l, e->kind, &v, 1))
			return -1;
		l->ctlq = e->next;
		if (!l->ctlq)
			l->ctltail = &l->ctlq;
		free(e->data);
		free(e);
	}
	while ((e = l->txq) && vb_can_send(l, e->kind)) {
		if (e->kind == VB_K_RTS) {
			mr = vb_bulk_mr(l, e->bulk);
			if (!mr)
				return -1;
			d = e->data + e->len;
			put_be64(d, (uintptr_t)ssi_tp_core_bulk_data(e->bulk));
			put_be32(d + 8, mr->rkey);
			put_be32(d + 12, (uint32_t)e->bulk_len);
			e->cookie = l->st->next_cookie++;
			put_be64(d + 16, e->cookie);
		}
		v.iov_base = e->data;
		v.iov_len = e->len + (e->kind == VB_K_RTS ? VB_DESC_LEN : 0);
		if (vb_post_send(l, e->kind, &v, 1))
			return -1;
		l->txq = e->next;
		if (!l->txq)
			l->txtail = &l->txq;
		if (e->kind == VB_K_RTS) {	/* until the peer's FIN */
			e->next = l->outst;
			l->outst = e;
		} else {
			l->queued -= e->weight;
			free(e->data);
			free(e);
			moved = 1;
		}
	}
	/* owe the peer half its buffers and nothing to carry them: say so */
	if (l->credits_to_return >= l->st->depth / 2 && vb_can_send(l, VB_K_CREDIT) &&
	    vb_post_send(l, VB_K_CREDIT, NULL, 0))
		return -1;
	return moved;
}

/* Copies [count] bytes of [iov], starting [skip] bytes in, to [out]. */
static void gather(uint8_t *out, const struct iovec *iov, int iovcnt,
		   size_t skip, size_t count)
{
	size_t n;
	int i;

	for (i = 0; i < iovcnt && count; i++) {
		n = iov[i].iov_len;
		if (skip >= n) {
			skip -= n;
			continue;
		}
		n -= skip;
		if (n > count)
			n = count;
		memcpy(out, (const uint8_t *)iov[i].iov_base + skip, n);
		out += n;
		count -= n;
		skip = 0;
	}
}

ssi_tp_err_t tp_p_send(void *link, const struct iovec *iov, int iovcnt,
		       size_t len, struct ssi_tp_bulk *bulk, size_t bulk_len)
{
	struct vb_link *l = link;
	ssi_tp_t tp = l->st->tp;
	size_t total = len + bulk_len, head;
	struct ssi_tp_bulk *b;
	struct vb_txe *e;

	if (l->state == VB_ENDED) {
		ssi_tp_core_bulk_put(tp, bulk);
		return SSI_TP_OK;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return SSI_TP_ERR_NO_MEMORY;
	e->weight = total;
	if (total <= l->send_max) {
		/* one SEND, bulk part included */
		e->kind = VB_K_FRAME;
		e->len = total;
		e->data = malloc(total ? total : 1);
		if (!e->data)
			goto nomem;
		gather(e->data, iov, iovcnt, 0, len);
		if (bulk_len)
			memcpy(e->data + len, ssi_tp_core_bulk_data(bulk), bulk_len);
		ssi_tp_core_bulk_put(tp, bulk);
	} else {
		e->kind = VB_K_RTS;
		/* carry the inline part if it fits beside the descriptor */
		head = len + VB_DESC_LEN <= l->send_max ? len
						       : SSI_FRAME_HDR_LEN;
		e->len = head;
		e->data = malloc(head + VB_DESC_LEN);
		if (!e->data)
			goto nomem;
		gather(e->data, iov, iovcnt, 0, head);
		if (head == len && bulk) {		/* zero copy */
			e->bulk = bulk;
			e->bulk_len = bulk_len;
		} else {
			/* the rest of the payload in one registered buffer */
			b = ssi_tp_core_bulk_get(tp, total - head);
			if (!b)
				goto nomem;
			gather(ssi_tp_core_bulk_data(b), iov, iovcnt, head,
			       len - head);
			if (bulk_len)
				memcpy((uint8_t *)ssi_tp_core_bulk_data(b) +
				       len - head, ssi_tp_core_bulk_data(bulk),
				       bulk_len);
			ssi_tp_core_bulk_put(tp, bulk);
			e->bulk = b;
			e->bulk_len = total - head;
		}
	}
	txe_append(&l->txtail, e);
	l->queued += e->weight;
	vb_push(l);			/* never calls back into the core */
	return SSI_TP_OK;
nomem:
	free(e->data);
	free(e);
	return SSI_TP_ERR_NO_MEMORY;
}

int tp_p_describe(void *link, char *buf, size_t len)
{
	static const char *const states[] = { "resolving", "connecting", "up",
					      "ended" };
	struct vb_link *l = link;
	unsigned int ctl = 0, tx = 0, outst = 0, rx = 0, slots = 0;
	struct vb_slot *s;
	struct vb_txe *t;
	struct vb_rxe *r;

	for (t = l->ctlq; t; t = t->next)
		ctl++;
	for (t = l->txq; t; t = t->next)
		tx++;
	for (t = l->outst; t; t = t->next)
		outst++;
	for (r = l->rxq; r; r = r->next)
		rx++;
	for (s = l->tx_free; s; s = s->next)
		slots++;
	r = l->rxq;
	return snprintf(buf, len, "verbs link %s: credits %u of %u (owed back "
			"%u), send slots free %u, send queue %u of %u, READs "
			"%u of %u; to send %u control %u frames, %u RTS "
			"awaiting FIN, %u frames to deliver%s",
			(unsigned int)l->state < 4 ? states[l->state] : "?",
			l->credits, l->peer_depth, l->credits_to_return, slots,
			l->sq_used, l->sq_max, l->rd_used, l->rd_max, ctl, tx,
			outst, rx, r && !r->ready ? " (first one being READ)" : "");
}

size_t tp_p_queued(void *link)
{
	return ((struct vb_link *)link)->queued;
}

void tp_p_close(void *link)
{
	vb_link_end(link);
}

/* ------------------------------------------------------------------------ */
/* Plugin state                                                             */

static int opt_u32(ssi_tp_t tp, const char *opts, const char *key,
		   uint32_t min, uint32_t max, uint32_t *val)
{
	char buf[32], *end;
	unsigned long v;
	int r;

	r = ssi_tp_core_opt(opts, key, buf, sizeof(buf));
	if (r == 0)
		return 0;
	errno = 0;
	v = r > 0 ? strtoul(buf, &end, 10) : 0;
	if (r < 0 || errno || *end || v < min || v > max) {
		ssi_tp_core_errmsg(tp, "verbs: option %s must be %u..%u", key,
				   min, max);
		return -1;
	}
	*val = (uint32_t)v;
	return 0;
}

ssi_tp_err_t tp_p_init(ssi_tp_t tp, const char *opts, void **statep)
{
	static const char *const keys[] = { "msg_size", "depth", "rd_max",
					    "read_chunk", NULL };
	struct vb_state *st;
	int fl;

	if (ssi_tp_core_opts_check(tp, opts, keys))
		return SSI_TP_ERR_BAD_ARG;
	st = calloc(1, sizeof(*st));
	if (!st)
		return SSI_TP_ERR_NO_MEMORY;
	st->tp = tp;
	st->msg_size = VB_MSG_SIZE;
	st->depth = VB_DEPTH;
	st->rd_max = VB_RD_MAX;
	st->rd_chunk = VB_RD_CHUNK;
	st->next_cookie = 1;
	st->ec_w.fd = -1;
	if (opt_u32(tp, opts, "msg_size", 256, 1u << 24, &st->msg_size) ||
	    opt_u32(tp, opts, "depth", 4, 4096, &st->depth) ||
	    opt_u32(tp, opts, "rd_max", 1, 256, &st->rd_max) ||
	    opt_u32(tp, opts, "read_chunk", 4096, 1u << 30, &st->rd_chunk)) {
		free(st);
		return SSI_TP_ERR_BAD_ARG;
	}
	st->ec = rdma_create_event_channel();
	if (!st->ec) {
		ssi_tp_core_errmsg(tp, "verbs: rdma_create_event_channel: %s "
				   "(no RDMA device?)", strerror(errno));
		free(st);
		return SSI_TP_ERR_SYSTEM;
	}
	fl = fcntl(st->ec->fd, F_GETFL);
	if (fl < 0 || fcntl(st->ec->fd, F_SETFL, fl | O_NONBLOCK) ||
	    ssi_tp_core_watch(tp, &st->ec_w, st->ec->fd, EPOLLIN, vb_cm_event)) {
		ssi_tp_core_errmsg(tp, "verbs: event channel: %s", strerror(errno));
		rdma_destroy_event_channel(st->ec);
		free(st);
		return SSI_TP_ERR_SYSTEM;
	}
	*statep = st;
	return SSI_TP_OK;
}

void tp_p_fini(void *state)
{
	struct vb_state *st = state;

	ssi_tp_core_unwatch(st->tp, &st->ec_w);
	if (st->listen_id)
		rdma_destroy_id(st->listen_id);
	vb_devs_free(st);
	rdma_destroy_event_channel(st->ec);
	free(st);
}

ssi_tp_err_t tp_p_listen(void *state, const char *addr, uint16_t port,
			 uint16_t *bound)
{
	return vb_cm_listen(state, addr, port, bound);
}

ssi_tp_err_t tp_p_connect(void *state, ssi_conn_t conn, const char *host,
			  uint16_t port, void **linkp)
{
	struct vb_state *st = state;
	struct vb_link *l;
	ssi_tp_err_t err;

	l = calloc(1, sizeof(*l));
	if (!l)
		return SSI_TP_ERR_NO_MEMORY;
	l->st = st;
	l->conn = conn;
	l->initiator = 1;
	l->cc_w.fd = -1;
	l->ctltail = &l->ctlq;
	l->txtail = &l->txq;
	l->rxtail = &l->rxq;
	snprintf(l->name, sizeof(l->name), "%.50s:%u", host, port);
	err = vb_cm_connect(st, l, host, port);
	if (err) {
		if (l->id)
			rdma_destroy_id(l->id);
		free(l);
		return err;
	}
	*linkp = l;
	return SSI_TP_OK;
}
