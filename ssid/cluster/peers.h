/* SPDX-License-Identifier: GPL-2.0 */
/*
 * peers.h - membership: one transport endpoint, a connection to every
 * configured peer, heartbeats carrying the load vector, up/down by timeout,
 * reconnection with backoff, and echo probes for the RTT.
 *
 * A node is "up" from the first valid heartbeat received from it until
 * HeartbeatTimeout passes without one; everything else is "down".  Each
 * ssid connects to every other node and sends its heartbeats on that
 * connection (or on the peer's connection to it while its own is not
 * established), so a node is seen up only if it passed the transport's
 * mutual munge authentication.
 */
#ifndef SSID_PEERS_H
#define SSID_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/conf.h"
#include "cluster/load.h"

struct loop;
struct sampler;
struct peers;

enum peer_state {
	PEER_DOWN = 0,
	PEER_UP,
};

/* A snapshot of one node, for the control socket. */
struct peer_info {
	const char *name;		/* owned by the configuration */
	const char *addr;
	uint16_t port;
	bool self;
	enum peer_state state;
	bool have_load;			/* a heartbeat was ever received */
	struct load_vector load;
	int64_t rtt_us;			/* smoothed probe RTT, -1: unknown */
	int64_t heard_ms_ago;		/* since the last heartbeat, -1: never */
	int64_t state_ms;		/* time in the current state */
	bool conn_out;			/* our connection to it is established */
	bool conn_in;			/* its connection to us is established */
	const char *frames;		/* "authenticated", "encrypted", or ""
					 * with no connection (wire-protocol.md) */
	uint64_t incarnation;		/* its start time (ns since the epoch) */
	uint64_t heartbeats;		/* heartbeats received from it */
	uint64_t refused;		/* connections refused (auth, protocol) */
	const char *last_error;		/* "" or why the last attempt failed */
	const char *kernel;		/* its release, "" before its hello */
	uint64_t vdso;			/* its vDSO fingerprint (node_id.h) */
	const char *mig_refusal;	/* "" or why no process may move
					 * between it and this node */
};

/*
 * peers_create - start membership.
 * @conf:    the configuration; must outlive the result.
 * @self:    index of this node in conf->nodes.
 * @loop:    the event loop the transport's fd is added to.
 * @sampler: measures this node's load at each heartbeat; must outlive it.
 * @err:     reason on failure (plugin missing, cannot listen, ...).
 * Listens on this node's Addr and Port and starts connecting to the others.
 * Returns the new state or NULL.  Free with peers_destroy().
 */
struct peers *peers_create(const struct ssi_conf *conf, int self,
			   struct loop *loop, struct sampler *sampler,
			   char *err, size_t errlen);

/*
 * peers_destroy - close every connection (callbacks of pending pings run
 * with -ESHUTDOWN first), stop listening, free @p.  NULL is fine.
 */
void peers_destroy(struct peers *p);

/*
 * peers_timer - do what is due at @now_ms (monotonic): heartbeats, down
 * detection, reconnects, ping timeouts.  Returns the next deadline.  Cheap
 * when nothing is due; main.c calls it on every loop iteration.
 */
uint64_t peers_timer(struct peers *p, uint64_t now_ms);

/* peers_count - number of configured nodes, this one included. */
size_t peers_count(const struct peers *p);

/* peers_find - index of the node called @name, or -1. */
int peers_find(const struct peers *p, const char *name);

/* peers_self - index of this node. */
int peers_self(const struct peers *p);

/*
 * peers_info - fill @out with node @idx as of @now_ms.  Pointers in @out
 * stay valid until the next call into peers or the loop.
 */
void peers_info(const struct peers *p, int idx, uint64_t now_ms,
		struct peer_info *out);

/*
 * Result of one echo: @rtt_us >= 0 on success, else a negative errno:
 * -ETIMEDOUT (no reply within SSI_PING_TIMEOUT_MS), -ENOTCONN (the node is
 * not connected), -ESHUTDOWN (ssid is stopping).
 */
typedef void (*peers_ping_cb)(void *arg, int64_t rtt_us);

/*
 * peers_ping - send one echo request to node @idx through the transport.
 * @cb is called exactly once, later, from the loop (never from inside this
 * call) unless peers_ping_cancel() is called first.  @id_out receives a
 * handle for peers_ping_cancel().
 * Returns 0, -EINVAL for this node itself, -ENOTCONN when no authenticated
 * connection to the node exists, -EAGAIN when its send queue is full,
 * -ENOMEM.
 */
int peers_ping(struct peers *p, int idx, peers_ping_cb cb, void *arg,
	       uint32_t *id_out);

/* peers_ping_cancel - forget ping @id; its callback will not run. */
void peers_ping_cancel(struct peers *p, uint32_t id);

/* ------------------------------------------------------------ migration */

struct ssi_tp_msg;
struct iovec;

/*
 * The migration module's hooks, all called from the loop:
 * @msg:      a message of type SSID_MSG_MIG_OFFER..SSID_MSG_TYPE_MAX from
 *            node @idx (already authenticated and greeted; the payload is
 *            untrusted and valid only during the call);
 * @lost:     node @idx went down (heartbeat timeout) or restarted: what
 *            was in flight with it is gone;
 * @writable: a send to @idx that failed with -EAGAIN may be retried.
 * @counts:   this node's guests and deputies, for its load vector.
 */
struct peers_mig_hooks {
	void (*msg)(void *arg, int idx, const struct ssi_tp_msg *msg);
	void (*lost)(void *arg, int idx);
	void (*writable)(void *arg, int idx);
	void (*counts)(void *arg, uint32_t *guests, uint32_t *deputies);
	void *arg;
};

/* peers_set_mig_hooks - install @h (copied); NULL removes them. */
void peers_set_mig_hooks(struct peers *p, const struct peers_mig_hooks *h);

/*
 * peers_set_cluster_hook - @msg gets every message of type
 * SSID_MSG_CLUSTER_MIN..SSID_MSG_CLUSTER_MAX from node @idx, as the
 * migration hook does for its types (cluster_view.c); @msg NULL removes it.
 */
void peers_set_cluster_hook(struct peers *p,
			    void (*msg)(void *arg, int idx,
					const struct ssi_tp_msg *msg),
			    void *arg);

/*
 * The DSM registry's hooks (dsm/segments.h), all called from the loop:
 * @msg:      a message of type SSID_MSG_DSM_MIN..SSID_MSG_DSM_MAX from
 *            node @idx (authenticated and greeted; the payload is
 *            untrusted and valid only during the call);
 * @lost:     node @idx went down (heartbeat timeout) or restarted: what
 *            was in flight with it is gone;
 * @writable: a send to @idx that failed with -EAGAIN may be retried.
 */
struct peers_dsm_hooks {
	void (*msg)(void *arg, int idx, const struct ssi_tp_msg *msg);
	void (*lost)(void *arg, int idx);
	void (*writable)(void *arg, int idx);
	void *arg;
};

/* peers_set_dsm_hooks - install @h (copied); NULL removes them. */
void peers_set_dsm_hooks(struct peers *p, const struct peers_dsm_hooks *h);

/*
 * peers_send, peers_send_bulk - send one message to node @idx on its
 * current connection.  peers_send_bulk takes @bulk (from peers_bulk_alloc)
 * on success only.  Returns 0, -ENOTCONN, -EAGAIN (queue full: wait for
 * the writable hook), -E2BIG, -EINVAL.
 */
int peers_send(struct peers *p, int idx, uint16_t type,
	       const struct iovec *iov, int iovcnt);
int peers_send_bulk(struct peers *p, int idx, uint16_t type,
		    const struct iovec *iov, int iovcnt, void *bulk,
		    size_t bulk_len);
void *peers_bulk_alloc(struct peers *p, size_t len);
void peers_bulk_free(struct peers *p, void *buf);

/* peers_is_up - node @idx is up and has a greeted connection. */
bool peers_is_up(const struct peers *p, int idx);

/*
 * peers_mig_refusal - NULL if processes may move between node @idx and
 * this one as far as their kernels go, else the reason (from its hello).
 */
const char *peers_mig_refusal(const struct peers *p, int idx);

/* peers_node_name - the NodeName of @idx. */
const char *peers_node_name(const struct peers *p, int idx);

/* peers_state_name - "up" or "down". */
const char *peers_state_name(enum peer_state s);

#endif /* SSID_PEERS_H */
