/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * verbs.h - the "verbs" transport plugin: RC queue pairs set up with
 * librdmacm, frames in SEND_WITH_IMM messages, large payloads pulled by
 * the receiver with RDMA READ.  doc/wire-protocol.md, "6.2 verbs",
 * describes what travels on the QP.
 *
 * Files: verbs.c (plugin entry points, send path), cm.c (connection
 * manager events), qp.c (verbs objects, completions, receive path).
 *
 * Object ownership: the plugin state owns the CM event channel, the
 * listening id and one vb_dev (protection domain) per RDMA device; each
 * link owns its cm_id, QP, CQ, completion channel and message buffers.
 * Created in dependency order, destroyed in reverse (vb_link_destroy).
 */
#ifndef SSI_TP_VERBS_H
#define SSI_TP_VERBS_H

#include <stdint.h>
#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include "transport/ssi_tp_plugin.h"

/* Carrier message kinds, in the top 8 bits of the immediate data; the low
 * 24 bits return receive credits. */
enum vb_kind {
	VB_K_FRAME = 1,		/* a whole frame */
	VB_K_RTS = 2,		/* frame head + descriptor of data to READ */
	VB_K_FIN = 3,		/* u64 cookie: READ done, buffer released */
	VB_K_CREDIT = 4,	/* credits only */
};

#define VB_PRIV_MAGIC		0x53534956u	/* "SSIV", CM private data */
#define VB_PRIV_VERSION		1
#define VB_DESC_LEN		24		/* u64 addr, u32 rkey, u32 len,
						 * u64 cookie */
#define VB_CREDIT_MASK		0x00ffffffu

/* Defaults, overridable with plugin_opts. */
#define VB_MSG_SIZE		16384	/* receive buffer: largest SEND */
#define VB_DEPTH		64	/* receive buffers per link */
#define VB_RD_MAX		16	/* RDMA READs in flight per link */
#define VB_RD_CHUNK		(256u << 10)	/* largest single READ */
#define VB_RESOLVE_MS		5000

/* CM private data (both directions), big-endian. */
struct vb_priv {
	uint32_t magic;
	uint8_t version;
	uint8_t pad[3];
	uint32_t depth;		/* receive buffers posted */
	uint32_t msg_size;	/* bytes each can take */
} __attribute__((packed));

/*
 * Work request ids: a receive's is a pointer to its slot; a send-queue
 * WR's is VB_SQ_TAG | its position in the send-queue ring.  SENDs are
 * signaled only every VB_SIGNAL_EVERY (or when send slots run out): an RC
 * send queue completes in order, so a completion retires every earlier
 * unsignaled WR too.
 */
enum vb_wr_kind { VB_WR_RECV = 1, VB_WR_SEND, VB_WR_READ };
#define VB_SQ_TAG		(1ull << 63)
#define VB_SIGNAL_EVERY		16

struct vb_sqe {			/* one posted send-queue WR */
	uint8_t kind;			/* VB_WR_SEND or VB_WR_READ */
	struct vb_slot *slot;
	struct vb_rxe *rxe;
};

struct vb_slot {		/* a receive or send buffer */
	int idx;
	struct vb_slot *next;	/* free list (send slots) */
};

/*
 * A frame waiting to be delivered in order (receiver side).  Its payload
 * is an inline part of I bytes and a bulk part of B bytes (B = 0 without
 * SSI_FRAME_F_BULK); an RTS carries the header and the first [carried]
 * inline bytes, and one RDMA READ brings the other I - carried + B bytes
 * into [head] (behind what was carried) and [bulk].
 */
struct vb_rxe {
	struct vb_rxe *next;
	int ready;			/* complete, may be delivered */
	uint32_t rd_posted;		/* bytes asked for by READs so far */
	uint32_t rd_pending;		/* READs in flight */
	uint8_t *head;			/* header + inline part */
	struct ssi_tp_bulk *head_b;	/* head's buffer if READ into */
	size_t head_len;		/* 24 + I */
	size_t carried;
	struct ssi_tp_bulk *bulk;	/* bulk part, page-aligned */
	size_t bulk_len;		/* B */
	uint64_t raddr;
	uint32_t rkey, rlen;
	uint64_t cookie;		/* to send back in FIN */
};

/* Something to send (sender side), in order. */
struct vb_txe {
	struct vb_txe *next;
	enum vb_kind kind;
	uint8_t *data;			/* what goes in the SEND; an RTS
					 * has VB_DESC_LEN bytes spare */
	size_t len;
	struct ssi_tp_bulk *bulk;	/* RTS: the data the peer READs */
	size_t bulk_len;
	uint64_t cookie;
	size_t weight;			/* bytes counted by queued() */
};

struct vb_dev {
	struct vb_dev *next;
	struct ibv_context *verbs;
	struct ibv_pd *pd;
	struct ibv_device_attr attr;
};

struct vb_state {
	ssi_tp_t tp;
	struct rdma_event_channel *ec;
	struct ssi_tp_watch ec_w;
	struct rdma_cm_id *listen_id;
	struct vb_dev *devs;
	uint32_t msg_size, depth, rd_max, rd_chunk;
	uint64_t next_cookie;
};

enum vb_link_state {
	VB_RESOLVING,		/* initiator: address, then route */
	VB_CONNECTING,		/* rdma_connect / rdma_accept issued */
	VB_UP,
	VB_ENDED,		/* conn gone; resources wait for deferred */
};

struct vb_link {
	struct vb_state *st;
	ssi_conn_t conn;		/* NULL until accepted / once ended */
	struct rdma_cm_id *id;
	struct vb_dev *dev;
	enum vb_link_state state;
	int initiator;
	char name[64];

	struct ibv_comp_channel *cc;
	struct ibv_cq *cq;
	struct ssi_tp_watch cc_w;
	int cq_events;			/* unacked CQ events */

	/* buffers: depth receive slots then depth send slots */
	uint8_t *buf;
	struct ibv_mr *buf_mr;
	struct vb_slot *slots;		/* 2 * depth */
	struct vb_slot *tx_free;
	uint32_t max_inline;

	/* flow control */
	uint32_t peer_depth;
	uint32_t send_max;		/* largest SEND: min(ours, peer's) */
	uint32_t credits;		/* SENDs the peer can take */
	uint32_t credits_to_return;
	uint32_t sq_used, sq_max;
	struct vb_sqe *sq;		/* ring of posted WRs */
	uint32_t sq_mask;		/* ring size - 1 (a power of 2) */
	uint32_t sq_head, sq_tail;	/* oldest in flight, next */
	uint32_t unsignaled;
	uint32_t rd_used, rd_max;

	/* sender */
	struct vb_txe *ctlq, **ctltail;	/* FIN, CREDIT: ahead of frames */
	struct vb_txe *txq, **txtail;	/* frames */
	struct vb_txe *outst;		/* RTS sent, waiting for FIN */
	size_t queued;

	/* receiver */
	struct vb_rxe *rxq, **rxtail;

	struct ssi_tp_deferred free_d;
};

/* verbs.c */
int vb_push(struct vb_link *l);
void vb_fail(struct vb_link *l, ssi_tp_err_t reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vb_queue_ctl(struct vb_link *l, enum vb_kind kind, uint64_t cookie);
struct ibv_mr *vb_bulk_mr(struct vb_link *l, struct ssi_tp_bulk *b);
void vb_link_end(struct vb_link *l);
void vb_link_drop(struct vb_link *l);

/* qp.c */
int vb_dev_get(struct vb_state *st, struct ibv_context *verbs,
	       struct vb_dev **devp);
void vb_devs_free(struct vb_state *st);
int vb_link_setup(struct vb_link *l);
void vb_link_destroy(struct vb_link *l);
int vb_can_send(struct vb_link *l, enum vb_kind kind);
int vb_post_send(struct vb_link *l, enum vb_kind kind,
		 const struct iovec *iov, int iovcnt);
int vb_post_read(struct vb_link *l, struct vb_rxe *e);
void vb_conn_param(struct vb_link *l, struct rdma_conn_param *p,
		   struct vb_priv *priv);
void vb_deliver(struct vb_link *l);
void vb_cq_drain(struct vb_link *l);
int vb_priv_check(struct vb_link *l, const void *data, uint8_t len);

/* cm.c */
void vb_cm_event(struct ssi_tp_watch *w, uint32_t events);
ssi_tp_err_t vb_cm_listen(struct vb_state *st, const char *addr,
			  uint16_t port, uint16_t *bound);
ssi_tp_err_t vb_cm_connect(struct vb_state *st, struct vb_link *l,
			   const char *host, uint16_t port);

#endif /* SSI_TP_VERBS_H */
