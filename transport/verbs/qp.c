// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qp.c - verbs objects of the "verbs" plugin: protection domains per
 * device, and per link a completion channel, CQ, RC QP and registered
 * message buffers (created in that order, destroyed in reverse); posting
 * SENDs and RDMA READs; the completion handler and the receive path.
 *
 * Everything a peer sends is validated before use: the immediate data's
 * kind and credits, each message's length against what its kind and the
 * frame header say, descriptors against the header's lengths.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>

#include "verbs.h"

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* ------------------------------------------------------------------------ */
/* Devices                                                                  */

int vb_dev_get(struct vb_state *st, struct ibv_context *verbs,
	       struct vb_dev **devp)
{
	struct vb_dev *d;

	for (d = st->devs; d; d = d->next) {
		if (d->verbs == verbs) {
			*devp = d;
			return 0;
		}
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -1;
	d->verbs = verbs;
	if (ibv_query_device(verbs, &d->attr)) {
		ssi_tp_core_errmsg(st->tp, "verbs: ibv_query_device: %s",
				   strerror(errno));
		free(d);
		return -1;
	}
	d->pd = ibv_alloc_pd(verbs);
	if (!d->pd) {
		ssi_tp_core_errmsg(st->tp, "verbs: ibv_alloc_pd: %s",
				   strerror(errno));
		free(d);
		return -1;
	}
	d->next = st->devs;
	st->devs = d;
	*devp = d;
	return 0;
}

void vb_devs_free(struct vb_state *st)
{
	struct vb_dev *d;
	int err;

	while ((d = st->devs)) {
		st->devs = d->next;
		err = ibv_dealloc_pd(d->pd);
		if (err)	/* bulk buffers still held by the user */
			ssi_tp_core_log(st->tp, LOG_WARNING, "verbs: "
					"ibv_dealloc_pd: %s", strerror(err));
		free(d);
	}
}

/* ------------------------------------------------------------------------ */
/* Link setup and teardown                                                  */

static uint8_t *slot_buf(struct vb_link *l, struct vb_slot *s)
{
	return l->buf + (size_t)s->idx * l->st->msg_size;
}

static int post_recv(struct vb_link *l, struct vb_slot *s)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)slot_buf(l, s),
		.length = l->st->msg_size,
		.lkey = l->buf_mr->lkey,
	};
	struct ibv_recv_wr wr = { .wr_id = (uintptr_t)s, .sg_list = &sge,
				  .num_sge = 1 }, *bad;

	if (l->state == VB_ENDED)	/* the QP is gone */
		return -1;
	return ibv_post_recv(l->id->qp, &wr, &bad);
}

static void cq_event(struct ssi_tp_watch *w, uint32_t events);

int vb_link_setup(struct vb_link *l)
{
	struct vb_state *st = l->st;
	struct ibv_qp_init_attr qa;
	uint32_t i, depth = st->depth;
	size_t size;
	int err;

	if (vb_dev_get(st, l->id->verbs, &l->dev))
		return -1;
	l->rd_max = st->rd_max;
	if ((uint32_t)l->dev->attr.max_qp_init_rd_atom < l->rd_max)
		l->rd_max = (uint32_t)l->dev->attr.max_qp_init_rd_atom;
	if ((uint32_t)l->dev->attr.max_qp_rd_atom < l->rd_max)
		l->rd_max = (uint32_t)l->dev->attr.max_qp_rd_atom;
	if (l->rd_max == 0) {
		ssi_tp_core_errmsg(st->tp, "verbs: device cannot do RDMA READ");
		return -1;
	}
	l->sq_max = depth + l->rd_max + 2;

	l->cc = ibv_create_comp_channel(l->id->verbs);
	if (!l->cc)
		goto fail_errno;
	if (fcntl(l->cc->fd, F_SETFL, fcntl(l->cc->fd, F_GETFL) | O_NONBLOCK))
		goto fail_errno;
	l->cq = ibv_create_cq(l->id->verbs, (int)(l->sq_max + depth), l, l->cc,
			      0);
	if (!l->cq)
		goto fail_errno;
	err = ibv_req_notify_cq(l->cq, 0);
	if (err) {
		errno = err;
		goto fail_errno;
	}

	memset(&qa, 0, sizeof(qa));
	qa.send_cq = l->cq;
	qa.recv_cq = l->cq;
	qa.qp_type = IBV_QPT_RC;
	qa.sq_sig_all = 0;
	qa.cap.max_send_wr = l->sq_max;
	qa.cap.max_recv_wr = depth;
	qa.cap.max_send_sge = 2;	/* a READ scatters into head + bulk */
	qa.cap.max_recv_sge = 1;
	qa.cap.max_inline_data = 64;
	if (rdma_create_qp(l->id, l->dev->pd, &qa)) {
		qa.cap.max_inline_data = 0;	/* not every device inlines */
		if (rdma_create_qp(l->id, l->dev->pd, &qa))
			goto fail_errno;
	}
	l->max_inline = qa.cap.max_inline_data;

	size = (size_t)2 * depth * st->msg_size;
	if (posix_memalign((void **)&l->buf, 4096, size))
		goto fail_nomem;
	l->buf_mr = ibv_reg_mr(l->dev->pd, l->buf, size, IBV_ACCESS_LOCAL_WRITE);
	if (!l->buf_mr)
		goto fail_errno;
	l->slots = calloc(2 * depth, sizeof(*l->slots));
	for (l->sq_mask = 1; l->sq_mask < l->sq_max; l->sq_mask <<= 1)
		;
	l->sq = calloc(l->sq_mask--, sizeof(*l->sq));
	if (!l->slots || !l->sq)
		goto fail_nomem;
	for (i = 0; i < 2 * depth; i++) {
		l->slots[i].idx = (int)i;
		if (i < depth) {
			if (post_recv(l, &l->slots[i]))
				goto fail_errno;
		} else {
			l->slots[i].next = l->tx_free;
			l->tx_free = &l->slots[i];
		}
	}
	if (ssi_tp_core_watch(st->tp, &l->cc_w, l->cc->fd, EPOLLIN, cq_event))
		return -1;
	return 0;
fail_nomem:
	errno = ENOMEM;
fail_errno:
	ssi_tp_core_errmsg(st->tp, "verbs: setting up a queue pair: %s",
			   strerror(errno));
	return -1;
}

static void rxe_free(struct vb_link *l, struct vb_rxe *e)
{
	ssi_tp_t tp = l->st->tp;

	if (e->head_b)
		ssi_tp_core_bulk_put(tp, e->head_b);
	else
		free(e->head);
	ssi_tp_core_bulk_put(tp, e->bulk);
	free(e);
}

static void txe_free(struct vb_link *l, struct vb_txe *e)
{
	ssi_tp_core_bulk_put(l->st->tp, e->bulk);
	free(e->data);
	free(e);
}

static void txq_free(struct vb_link *l, struct vb_txe **q)
{
	struct vb_txe *e;

	while ((e = *q)) {
		*q = e->next;
		txe_free(l, e);
	}
}

void vb_link_destroy(struct vb_link *l)
{
	struct vb_rxe *r;

	ssi_tp_core_unwatch(l->st->tp, &l->cc_w);
	if (l->id && l->id->qp)
		rdma_destroy_qp(l->id);
	if (l->cq) {
		if (l->cq_events)
			ibv_ack_cq_events(l->cq, (unsigned int)l->cq_events);
		ibv_destroy_cq(l->cq);
	}
	if (l->cc)
		ibv_destroy_comp_channel(l->cc);
	if (l->buf_mr)
		ibv_dereg_mr(l->buf_mr);
	free(l->buf);
	free(l->slots);
	free(l->sq);
	txq_free(l, &l->ctlq);
	txq_free(l, &l->txq);
	txq_free(l, &l->outst);
	while ((r = l->rxq)) {
		l->rxq = r->next;
		rxe_free(l, r);
	}
	if (l->id)
		rdma_destroy_id(l->id);
	free(l);
}

/* ------------------------------------------------------------------------ */
/* Posting                                                                  */

int vb_can_send(struct vb_link *l, enum vb_kind kind)
{
	/* the last credit is kept for returning credits: both sides
	 * starving each other is then impossible */
	return l->tx_free && l->sq_used < l->sq_max &&
	       l->credits >= (kind == VB_K_CREDIT ? 1u : 2u);
}

int vb_post_send(struct vb_link *l, enum vb_kind kind,
		 const struct iovec *iov, int iovcnt)
{
	struct vb_slot *s = l->tx_free;
	struct ibv_send_wr wr, *bad;
	struct ibv_sge sge;
	uint32_t ret = l->credits_to_return;
	size_t n;
	uint8_t *p;
	int i, err;

	if (l->state == VB_ENDED)	/* the QP is gone */
		return -1;
	if (ret > VB_CREDIT_MASK)
		ret = VB_CREDIT_MASK;
	for (i = 0, n = 0; i < iovcnt; i++)
		n += iov[i].iov_len;
	if (n > l->send_max) {		/* a bug of ours, never the peer's */
		vb_fail(l, SSI_TP_ERR_SNAFU, "message of %zu bytes for %u-byte "
			"buffers", n, l->send_max);
		return -1;
	}
	p = slot_buf(l, s);
	for (i = 0; i < iovcnt; i++) {
		/* an empty one may have no base (memcpy's is never NULL) */
		if (!iov[i].iov_len)
			continue;
		memcpy(p, iov[i].iov_base, iov[i].iov_len);
		p += iov[i].iov_len;
	}
	sge.addr = (uintptr_t)slot_buf(l, s);
	sge.length = (uint32_t)(p - slot_buf(l, s));
	sge.lkey = l->buf_mr->lkey;
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = VB_SQ_TAG | l->sq_tail;
	wr.opcode = IBV_WR_SEND_WITH_IMM;
	wr.imm_data = htonl((uint32_t)kind << 24 | ret);
	/* signal now and then, and always when this takes the last slot
	 * or the last send-queue entry: something must free them */
	if (++l->unsignaled >= VB_SIGNAL_EVERY || !s->next ||
	    l->sq_used + 1 >= l->sq_max) {
		wr.send_flags = IBV_SEND_SIGNALED;
		l->unsignaled = 0;
	}
	if (sge.length <= l->max_inline)
		wr.send_flags |= IBV_SEND_INLINE;
	wr.sg_list = &sge;
	wr.num_sge = sge.length ? 1 : 0;
	err = ibv_post_send(l->id->qp, &wr, &bad);
	if (err) {
		vb_fail(l, SSI_TP_ERR_SYSTEM, "ibv_post_send: %s", strerror(err));
		return -1;
	}
	l->tx_free = s->next;
	l->credits--;
	l->credits_to_return -= ret;
	l->sq[l->sq_tail & l->sq_mask] = (struct vb_sqe){ VB_WR_SEND, s, NULL };
	l->sq_tail++;
	l->sq_used++;
	return 0;
}

/*
 * Posts the next READ of [e]: at most rd_chunk bytes, scattered into the
 * rest of the head and the bulk buffer.  Large transfers go in chunks so
 * that a lost packet costs one chunk's retry, not a whole transfer's (soft
 * RoCE retries a READ from the lost packet after a timeout).  Returns -1
 * if the link failed, else 0.
 */
int vb_post_read(struct vb_link *l, struct vb_rxe *e)
{
	size_t in_head = e->head_len - SSI_FRAME_HDR_LEN - e->carried;
	size_t off = e->rd_posted, n, part;
	struct ibv_send_wr wr, *bad;
	struct ibv_sge sge[2];
	struct ibv_mr *mr;
	int k = 0, err;

	if (l->state == VB_ENDED)	/* the QP is gone */
		return -1;
	n = e->rlen - off;
	if (n > l->st->rd_chunk)
		n = l->st->rd_chunk;
	memset(&wr, 0, sizeof(wr));
	wr.wr.rdma.remote_addr = e->raddr + off;
	wr.wr.rdma.rkey = e->rkey;
	if (off < in_head) {			/* this chunk starts in the head */
		mr = vb_bulk_mr(l, e->head_b);
		if (!mr)
			return -1;
		part = in_head - off < n ? in_head - off : n;
		sge[k].addr = (uintptr_t)e->head + SSI_FRAME_HDR_LEN +
			      e->carried + off;
		sge[k].length = (uint32_t)part;
		sge[k++].lkey = mr->lkey;
		off += part;
	}
	if (off < e->rd_posted + n) {		/* and/or in the bulk part */
		mr = vb_bulk_mr(l, e->bulk);
		if (!mr)
			return -1;
		sge[k].addr = (uintptr_t)ssi_tp_core_bulk_data(e->bulk) +
			      (off - in_head);
		sge[k].length = (uint32_t)(e->rd_posted + n - off);
		sge[k++].lkey = mr->lkey;
	}
	wr.wr_id = VB_SQ_TAG | l->sq_tail;
	wr.opcode = IBV_WR_RDMA_READ;
	wr.send_flags = IBV_SEND_SIGNALED;
	wr.sg_list = sge;
	wr.num_sge = k;
	err = ibv_post_send(l->id->qp, &wr, &bad);
	if (err) {
		vb_fail(l, SSI_TP_ERR_SYSTEM, "RDMA READ: %s", strerror(err));
		return -1;
	}
	e->rd_posted += (uint32_t)n;
	e->rd_pending++;
	l->rd_used++;
	l->sq[l->sq_tail & l->sq_mask] = (struct vb_sqe){ VB_WR_READ, NULL, e };
	l->sq_tail++;
	l->sq_used++;
	return 0;
}

/* Posts the READs that wait for a slot, in order. */
static int post_reads(struct vb_link *l)
{
	struct vb_rxe *e;

	for (e = l->rxq; e; e = e->next) {
		while (!e->ready && e->rd_posted < e->rlen) {
			if (l->rd_used >= l->rd_max || l->sq_used >= l->sq_max)
				return 0;
			if (vb_post_read(l, e))
				return -1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Receiving                                                                */

/* Delivers ready frames from the head of the queue. */
void vb_deliver(struct vb_link *l)
{
	struct vb_rxe *e;
	int gone;

	while (l->state == VB_UP && (e = l->rxq) && e->ready) {
		l->rxq = e->next;
		if (!l->rxq)
			l->rxtail = &l->rxq;
		gone = ssi_tp_core_recv(l->conn, e->head, e->head_len,
					e->bulk ? ssi_tp_core_bulk_data(e->bulk)
						: NULL, e->bulk_len);
		rxe_free(l, e);
		if (gone)
			return;
	}
}

static void rxe_append(struct vb_link *l, struct vb_rxe *e)
{
	e->next = NULL;
	*l->rxtail = e;
	l->rxtail = &e->next;
}

/* Decodes the frame header at [buf] under the endpoint's limits; on error
 * the core logs it and closes the link.  Returns 0 if valid. */
static int head_ok(struct vb_link *l, const uint8_t *buf, size_t len,
		   struct ssi_frame_hdr *h)
{
	if (len >= SSI_FRAME_HDR_LEN &&
	    ssi_frame_decode_hdr(buf, len, ssi_tp_core_limits(l->st->tp), h) ==
	    SSI_FRAME_OK)
		return 0;
	if (len < SSI_FRAME_HDR_LEN)
		vb_fail(l, SSI_TP_ERR_PROTOCOL, "message shorter than a frame "
			"header");
	else
		ssi_tp_core_check_hdr(l->conn, buf, h);	/* logs, closes */
	return -1;
}

static int recv_frame(struct vb_link *l, uint8_t *buf, size_t len)
{
	struct ssi_frame_hdr h;
	struct vb_rxe *e;
	size_t inl;

	if (head_ok(l, buf, len, &h))
		return -1;
	if (len - SSI_FRAME_HDR_LEN != h.length) {
		vb_fail(l, SSI_TP_ERR_PROTOCOL, "frame of %u bytes in a "
			"message of %zu", h.length, len - SSI_FRAME_HDR_LEN);
		return -1;
	}
	inl = h.flags & SSI_FRAME_F_BULK ? h.bulk_off : h.length;
	e = calloc(1, sizeof(*e));
	if (!e)
		goto nomem;
	e->ready = 1;
	e->head_len = SSI_FRAME_HDR_LEN + inl;
	e->bulk_len = h.length - inl;
	if (!l->rxq && !e->bulk_len) {		/* in order: no copy */
		free(e);
		ssi_tp_core_recv(l->conn, buf, len, NULL, 0);
		return 0;
	}
	e->head = malloc(e->head_len);
	if (!e->head)
		goto nomem;
	memcpy(e->head, buf, e->head_len);
	if (e->bulk_len) {			/* page-aligned for the user */
		e->bulk = ssi_tp_core_bulk_get(l->st->tp, e->bulk_len);
		if (!e->bulk)
			goto nomem;
		memcpy(ssi_tp_core_bulk_data(e->bulk), buf + e->head_len,
		       e->bulk_len);
	}
	rxe_append(l, e);
	vb_deliver(l);
	return 0;
nomem:
	if (e)
		rxe_free(l, e);
	vb_fail(l, SSI_TP_ERR_NO_MEMORY, "out of memory for a frame");
	return -1;
}

static int recv_rts(struct vb_link *l, const uint8_t *buf, size_t len)
{
	struct ssi_frame_hdr h;
	const uint8_t *d;
	struct vb_rxe *e;
	size_t head, inl, bulk;

	if (len < SSI_FRAME_HDR_LEN + VB_DESC_LEN) {
		vb_fail(l, SSI_TP_ERR_PROTOCOL, "RTS of %zu bytes", len);
		return -1;
	}
	head = len - VB_DESC_LEN;
	if (head_ok(l, buf, head, &h))
		return -1;
	inl = h.flags & SSI_FRAME_F_BULK ? h.bulk_off : h.length;
	bulk = h.length - inl;
	d = buf + head;
	e = calloc(1, sizeof(*e));
	if (!e)
		goto nomem;
	e->carried = head - SSI_FRAME_HDR_LEN;
	e->head_len = SSI_FRAME_HDR_LEN + inl;
	e->bulk_len = bulk;
	e->raddr = get_be64(d);
	e->rkey = get_be32(d + 8);
	e->rlen = get_be32(d + 12);
	e->cookie = get_be64(d + 16);
	/* the READ fetches exactly what the header says is missing */
	if (e->carried > inl || e->rlen == 0 ||
	    (uint64_t)e->rlen != (uint64_t)(inl - e->carried) + bulk) {
		free(e);
		vb_fail(l, SSI_TP_ERR_PROTOCOL, "RTS descriptor of %u bytes for "
			"a frame missing %zu", get_be32(d + 12),
			inl - (inl < head - SSI_FRAME_HDR_LEN ? inl :
			       head - SSI_FRAME_HDR_LEN) + bulk);
		return -1;
	}
	if (e->carried < inl) {			/* READ into the head too */
		e->head_b = ssi_tp_core_bulk_get(l->st->tp, e->head_len);
		if (!e->head_b)
			goto nomem;
		e->head = ssi_tp_core_bulk_data(e->head_b);
	} else {
		e->head = malloc(e->head_len);
		if (!e->head)
			goto nomem;
	}
	memcpy(e->head, buf, head);
	if (bulk) {
		e->bulk = ssi_tp_core_bulk_get(l->st->tp, bulk);
		if (!e->bulk)
			goto nomem;
	}
	rxe_append(l, e);
	return post_reads(l);
nomem:
	if (e)
		rxe_free(l, e);
	vb_fail(l, SSI_TP_ERR_NO_MEMORY, "out of memory for a frame");
	return -1;
}

/* FIN: the peer has READ an RTS's data; release it. */
static int recv_fin(struct vb_link *l, const uint8_t *buf, size_t len)
{
	struct vb_txe **pp, *e;
	uint64_t cookie;

	if (len != 8) {
		vb_fail(l, SSI_TP_ERR_PROTOCOL, "FIN of %zu bytes", len);
		return -1;
	}
	cookie = get_be64(buf);
	for (pp = &l->outst; (e = *pp); pp = &e->next) {
		if (e->cookie == cookie) {
			*pp = e->next;
			l->queued -= e->weight;
			txe_free(l, e);
			return 1;
		}
	}
	vb_fail(l, SSI_TP_ERR_PROTOCOL, "FIN for unknown transfer %llu",
		(unsigned long long)cookie);
	return -1;
}

/* Returns -1 if the link failed, 1 if the send queue shrank, else 0. */
static int recv_msg(struct vb_link *l, struct vb_slot *s, struct ibv_wc *wc)
{
	uint8_t *buf = slot_buf(l, s);
	uint32_t imm, kind, credits;
	size_t len = wc->byte_len;
	int r = 0;

	if (!(wc->wc_flags & IBV_WC_WITH_IMM) || len > l->st->msg_size) {
		vb_fail(l, SSI_TP_ERR_PROTOCOL, "message without immediate data");
		return -1;
	}
	imm = ntohl(wc->imm_data);
	kind = imm >> 24;
	credits = imm & VB_CREDIT_MASK;
	if (credits > l->peer_depth - l->credits) {
		vb_fail(l, SSI_TP_ERR_PROTOCOL, "peer returned %u credits, "
			"owes %u", credits, l->peer_depth - l->credits);
		return -1;
	}
	l->credits += credits;
	if (l->state != VB_UP && kind != VB_K_CREDIT) {
		vb_fail(l, SSI_TP_ERR_PROTOCOL, "message before the connection "
			"was established");
		return -1;
	}
	switch (kind) {
	case VB_K_CREDIT:
		if (len) {
			vb_fail(l, SSI_TP_ERR_PROTOCOL, "CREDIT with data");
			return -1;
		}
		break;
	case VB_K_FRAME:
		r = recv_frame(l, buf, len);
		break;
	case VB_K_RTS:
		r = recv_rts(l, buf, len);
		break;
	case VB_K_FIN:
		r = recv_fin(l, buf, len);
		break;
	default:
		vb_fail(l, SSI_TP_ERR_PROTOCOL, "unknown message kind %u", kind);
		return -1;
	}
	if (r < 0 || l->state == VB_ENDED)
		return -1;
	if (post_recv(l, s)) {
		vb_fail(l, SSI_TP_ERR_SYSTEM, "ibv_post_recv failed");
		return -1;
	}
	l->credits_to_return++;
	return r;
}

/* ------------------------------------------------------------------------ */
/* Completions                                                              */

static const char *wr_name(uint8_t kind)
{
	return kind == VB_WR_RECV ? "receive" : kind == VB_WR_SEND ? "send"
								   : "RDMA READ";
}

/* A READ chunk of [e] is done.  Returns -1 if the link ended, else 0. */
static int read_done(struct vb_link *l, struct vb_rxe *e)
{
	l->rd_used--;
	if (--e->rd_pending || e->rd_posted < e->rlen)
		return post_reads(l);	/* the slot just freed */
	e->ready = 1;
	if (vb_queue_ctl(l, VB_K_FIN, e->cookie))
		return -1;
	vb_deliver(l);
	if (l->state == VB_ENDED || post_reads(l))
		return -1;
	return 0;
}

/* The send-queue WR at [pos] completed: retire it and every earlier,
 * unsignaled one.  Returns -1 if the link ended, else 0. */
static int sq_done(struct vb_link *l, uint32_t pos)
{
	struct vb_sqe q;

	if ((uint32_t)(pos - l->sq_head) >= l->sq_tail - l->sq_head) {
		vb_fail(l, SSI_TP_ERR_SNAFU, "completion of unknown work request");
		return -1;
	}
	while (l->sq_head != pos + 1) {
		q = l->sq[l->sq_head & l->sq_mask];
		l->sq_head++;
		l->sq_used--;
		if (q.kind == VB_WR_SEND) {
			q.slot->next = l->tx_free;
			l->tx_free = q.slot;
		} else if (l->sq_head - 1 == pos && read_done(l, q.rxe)) {
			return -1;
		}
	}
	return 0;
}

/* Returns -1 if the link ended, 1 if the send queue shrank, else 0. */
static int completion(struct vb_link *l, struct ibv_wc *wc)
{
	struct vb_slot *s = (struct vb_slot *)(uintptr_t)wc->wr_id;
	int sq = !!(wc->wr_id & VB_SQ_TAG);
	uint8_t kind;

	if (wc->status != IBV_WC_SUCCESS) {
		kind = sq ? l->sq[(uint32_t)wc->wr_id & l->sq_mask].kind
			  : VB_WR_RECV;
		vb_fail(l, wc->status == IBV_WC_WR_FLUSH_ERR ?
			SSI_TP_ERR_PEER_CLOSED : SSI_TP_ERR_SYSTEM,
			"%s failed: %s", wr_name(kind),
			ibv_wc_status_str(wc->status));
		return -1;
	}
	if (sq)
		return sq_done(l, (uint32_t)wc->wr_id);
	return recv_msg(l, s, wc);
}

static void cq_event(struct ssi_tp_watch *w, uint32_t events)
{
	struct vb_link *l = ssi_container_of(w, struct vb_link, cc_w);
	struct ibv_cq *cq;
	void *ctx;

	if (l->state == VB_ENDED)
		return;
	while (ibv_get_cq_event(l->cc, &cq, &ctx) == 0) {
		if (++l->cq_events >= 256) {
			ibv_ack_cq_events(l->cq, (unsigned int)l->cq_events);
			l->cq_events = 0;
		}
	}
	/* An acceptor may see the first receive before its ESTABLISHED
	 * event: completions wait in the CQ, vb_cq_drain() runs then. */
	if (l->state != VB_UP)
		return;
	vb_cq_drain(l);
}

void vb_cq_drain(struct vb_link *l)
{
	struct ibv_wc wc[16];
	int i, n, shrank = 0, r;

	/* re-arm first, then drain: nothing completes unseen */
	if (ibv_req_notify_cq(l->cq, 0)) {
		vb_fail(l, SSI_TP_ERR_SYSTEM, "ibv_req_notify_cq failed");
		return;
	}
	while ((n = ibv_poll_cq(l->cq, 16, wc)) > 0) {
		for (i = 0; i < n; i++) {
			r = completion(l, &wc[i]);
			if (r < 0 || l->state == VB_ENDED)
				return;
			shrank |= r;
		}
	}
	if (n < 0) {
		vb_fail(l, SSI_TP_ERR_SYSTEM, "ibv_poll_cq failed");
		return;
	}
	shrank |= vb_push(l);
	if (l->state == VB_UP && shrank)
		ssi_tp_core_sent(l->conn);
}
