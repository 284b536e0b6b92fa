/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * internal.h - the core's own structures, shared by tp.c, conn.c, bulk.c,
 * plugin.c.  Not seen by plugins or users.
 */
#ifndef SSI_TP_INTERNAL_H
#define SSI_TP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <munge.h>

#include "auth.h"
#include "frame.h"
#include "seal.h"
#include "ssi_tp_plugin.h"
#include "ssi_transport.h"

#define SSI_TP_BULK_CLASSES	20	/* 4 KiB .. 2 GiB */
#define SSI_TP_BULK_CACHE_PER	8	/* cached buffers per class, */
#define SSI_TP_BULK_CACHE_BYTES	(32u << 20)	/* or up to this many bytes */
#define SSI_TP_TICK_MS		200	/* deadline check period */
#define SSI_TP_IOV_MAX		1022	/* UIO_MAXIOV minus header and tag */

struct ssi_tp_plugin {
	void *handle;				/* dlopen() */
	struct ssi_tp_plugin_ops ops;
	void *state;				/* ops.init() */
};

struct ssi_tp {
	/* configuration, copied */
	char *node_name;
	char *plugin_name;
	uid_t peer_uid;
	size_t max_payload;
	size_t sndq_max;
	int handshake_timeout_ms;
	enum ssi_tp_protect protect;		/* what we ask for */
	int64_t half_open_logged_ms;		/* last refusal logged */
	/* accepts by source address (SSI_TP_ACCEPT_*): tokens left, refilled */
	struct ssi_tp_source {
		char addr[64];			/* "" : free */
		double tokens;
		int64_t at_ms;			/* tokens counted up to */
	} sources[SSI_TP_ACCEPT_SOURCES];
	struct ssi_frame_limits lim;
	const struct ssi_tp_callbacks *cb;
	void *cb_arg;

	struct ssi_tp_plugin plugin;
	munge_ctx_t munge;

	int epfd;
	int kickfd;				/* eventfd: deferred work */
	int timerfd;				/* deadlines */
	struct ssi_tp_watch kick_w;
	struct ssi_tp_watch timer_w;
	int timer_armed;
	int kicked;

	struct ssi_conn *conns;			/* every live conn */
	struct ssi_tp_deferred *deferred;	/* LIFO, run in order */
	int in_dispatch;
	int destroying;

	struct ssi_tp_bulk *bulk_cache[SSI_TP_BULK_CLASSES];
	unsigned int bulk_cached[SSI_TP_BULK_CLASSES];

	uint16_t port;
	char errmsg[512];
};

enum ssi_conn_state {
	CONN_CONNECTING,	/* initiator, link not up yet */
	CONN_AWAIT_HELLO,	/* acceptor, waiting for the HELLO */
	CONN_AWAIT_ACK,		/* initiator, HELLO sent */
	CONN_UP,		/* authenticated */
	CONN_CLOSING,		/* user closed, flushing the send queue */
	CONN_DEAD,		/* link gone */
};

struct ssi_conn {
	struct ssi_tp *tp;
	struct ssi_conn *prev, *next;
	void *link;			/* plugin's, NULL once ended */
	enum ssi_conn_state state;
	int initiator;
	int visible;			/* the user holds the handle */
	int close_pending;		/* on_close queued */
	int released;			/* on_close delivered */
	int want_writable;
	int doomed;			/* free queued */
	ssi_tp_err_t reason;		/* for on_close */
	int64_t deadline_ms;		/* 0: none */
	uint64_t tx_seq;
	uint64_t rx_seq;
	uint8_t nonce[SSI_AUTH_NONCE_LEN];
	EVP_PKEY *kx;			/* our key exchange key, until UP */
	uint8_t kx_pub[SSI_SEAL_KX_LEN];
	struct ssi_seal seal;		/* frame protection once UP */
	char *expect_node;
	void *data;
	struct ssi_tp_deferred close_d;	/* delivers on_close */
	char peer[SSI_AUTH_NAME_MAX + 1];
};

/* tp.c */
int64_t ssi_tp_now_ms(void);
void ssi_tp_arm_timer(struct ssi_tp *tp);
void ssi_tp_kick(struct ssi_tp *tp);

/* conn.c */
struct ssi_conn *ssi_conn_new(struct ssi_tp *tp, int initiator);
void ssi_conn_fail(struct ssi_conn *conn, ssi_tp_err_t reason);
void ssi_conn_tick(struct ssi_conn *conn, int64_t now);
void ssi_conn_shutdown(struct ssi_conn *conn);

/* bulk.c */
void ssi_tp_bulk_cache_drain(struct ssi_tp *tp);

/* plugin.c */
ssi_tp_err_t ssi_tp_plugin_load(struct ssi_tp *tp, const char *dir,
				const char *name);
void ssi_tp_plugin_unload(struct ssi_tp *tp);

#endif /* SSI_TP_INTERNAL_H */
