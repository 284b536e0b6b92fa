/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ssi_transport.h - libssitransport: authenticated, framed, ordered messages
 * between ssid daemons, over a back-end chosen by name at run time
 * ("tcp", "verbs", "loopback").
 *
 * This header is the whole contract between the transport and its users.
 * The wire format it produces is specified in doc/wire-protocol.md.
 *
 * Model
 *  - An endpoint (ssi_tp_t) loads one back-end plugin, may listen, and owns
 *    every connection (ssi_conn_t) made through it.
 *  - Every connection starts with a mutual munge handshake; the caller only
 *    ever sees connections whose peer has been authenticated, and learns the
 *    peer's node name in on_connect().
 *  - Messages are (type, payload) pairs, delivered whole and in order.  A
 *    message may carry a "bulk" part (page-sized data such as memory pages),
 *    which back-ends move without copying where they can (RDMA on verbs).
 *  - The endpoint plugs into the caller's event loop: poll ssi_tp_fd() for
 *    readability and call ssi_tp_dispatch(); all callbacks run from inside
 *    ssi_tp_dispatch() (or ssi_tp_destroy()), never from another thread and
 *    never from inside a send/connect/close call.
 *
 * Rules
 *  - The library never exits, never prints and never raises signals (it sets
 *    MSG_NOSIGNAL / ignores nothing globally).  Functions return an
 *    ssi_tp_err_t; ssi_tp_strerror() names it; a detailed message for the
 *    last failure on an endpoint is in ssi_tp_errmsg(); operational events
 *    (rejected peers, protocol violations) go to the caller's log callback.
 *  - Not thread-safe: one endpoint and all its connections are used by one
 *    thread at a time.  Independent endpoints may live in different threads.
 *  - Strings passed in are copied; strings and buffers handed out are owned
 *    by the library and valid for the duration stated at each function.
 */
#ifndef SSI_TRANSPORT_H
#define SSI_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Constants                                                                */

/* Version of the wire protocol spoken (doc/wire-protocol.md). */
#define SSI_TP_PROTO_VERSION		2

/*
 * Message types.  0x0000-0x00ff belong to the transport itself (handshake,
 * future keepalives) and are refused by ssi_conn_send(); the layer above owns
 * SSI_TP_TYPE_USER_MIN..0xffff.  Frames whose type is outside the ranges
 * the receiver knows are rejected (see ssi_tp_config.user_type_max).
 */
#define SSI_TP_TYPE_USER_MIN		0x0100

/* Default and hard upper bound of a message's payload (inline + bulk). */
#define SSI_TP_MAX_PAYLOAD_DEFAULT	(16u << 20)
#define SSI_TP_MAX_PAYLOAD_LIMIT	(256u << 20)

/* Default high-water mark of a connection's send queue, in bytes. */
#define SSI_TP_SNDQ_MAX_DEFAULT		(64u << 20)

/* Default time allowed for a connection's handshake. */
#define SSI_TP_HANDSHAKE_TIMEOUT_MS	10000

/*
 * Connections accepted and not authenticated yet (each costs a credential
 * decode and a buffer until its handshake ends or times out): at most
 * this many from one address, and in all; more are closed at once.
 */
#define SSI_TP_HALF_OPEN_PER_SOURCE	32
#define SSI_TP_HALF_OPEN_MAX		128

/*
 * Connections accepted from one address: a burst of this many, then this
 * many a second (each handshake costs a credential decode); beyond, they
 * are closed at once.  The last SSI_TP_ACCEPT_SOURCES addresses are kept.
 */
#define SSI_TP_ACCEPT_BURST		32
#define SSI_TP_ACCEPT_PER_SEC		16
#define SSI_TP_ACCEPT_SOURCES		64

/*
 * What protects the frames after the handshake (doc/wire-protocol.md,
 * "Frame protection").  A connection uses the stronger of its two ends'
 * settings, so neither end can be talked below its own.
 */
enum ssi_tp_protect {
	SSI_TP_PROTECT_NONE = 0,	/* no tag: for measuring the others
					 * only (ssi-tp-bench); never ssid */
	SSI_TP_PROTECT_INTEGRITY = 1,	/* Poly1305 tag on every frame */
	SSI_TP_PROTECT_ENCRYPT = 2,	/* and the payload encrypted */
};

/* Environment variable that overrides the plugin directory. */
#define SSI_TP_PLUGIN_DIR_ENV		"SSI_TRANSPORT_PLUGIN_DIR"

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */

typedef enum ssi_tp_err {
	SSI_TP_OK = 0,
	SSI_TP_ERR_SNAFU,		/* internal error: a bug */
	SSI_TP_ERR_BAD_ARG,		/* invalid argument from the caller */
	SSI_TP_ERR_NO_MEMORY,		/* out of memory */
	SSI_TP_ERR_PLUGIN,		/* plugin missing, unloadable, wrong version */
	SSI_TP_ERR_UNSUPPORTED,		/* the plugin cannot do this */
	SSI_TP_ERR_SYSTEM,		/* a system call failed (see ssi_tp_errmsg) */
	SSI_TP_ERR_AGAIN,		/* send queue full: retry after on_writable */
	SSI_TP_ERR_NOT_CONNECTED,	/* handshake not finished, or closing */
	SSI_TP_ERR_TOO_BIG,		/* payload larger than max_payload */
	SSI_TP_ERR_CONNECT,		/* connection refused, unreachable, ... */
	SSI_TP_ERR_MUNGE,		/* local munge failure (munged unreachable) */
	SSI_TP_ERR_AUTH,		/* peer failed authentication */
	SSI_TP_ERR_PROTOCOL,		/* peer violated the wire protocol */
	SSI_TP_ERR_VERSION,		/* peer speaks another protocol version */
	SSI_TP_ERR_TIMEOUT,		/* handshake did not finish in time */
	SSI_TP_ERR_PEER_CLOSED,		/* peer closed or reset the connection */
	SSI_TP_ERR_CLOSED,		/* closed locally with ssi_conn_close() */
	SSI_TP_ERR_SHUTDOWN,		/* endpoint destroyed */
	SSI_TP_ERR_LAST			/* not an error: the number of codes */
} ssi_tp_err_t;

const char *ssi_tp_strerror(ssi_tp_err_t err);
/*
 *  Returns a static string describing [err] (never NULL, also for values out
 *    of range).
 */

/* ------------------------------------------------------------------------ */
/* Handles, messages, callbacks, configuration                              */

typedef struct ssi_tp *ssi_tp_t;		/* an endpoint */
typedef struct ssi_conn *ssi_conn_t;		/* one authenticated connection */

/* A received message, valid only during the on_message() call. */
struct ssi_tp_msg {
	uint16_t type;		/* >= SSI_TP_TYPE_USER_MIN */
	const void *data;	/* inline payload (NULL when len == 0) */
	size_t len;		/* inline payload length */
	const void *bulk;	/* bulk payload, page-aligned (NULL if none) */
	size_t bulk_len;	/* bulk payload length (0 if none) */
};

/*
 * Callbacks, all invoked from ssi_tp_dispatch() (on_close also from
 * ssi_tp_destroy()).  [arg] is ssi_tp_config.cb_arg.  A callback may call any
 * function of this API, including ssi_conn_close() on any connection and
 * ssi_tp_connect(); it must not call ssi_tp_destroy() or ssi_tp_dispatch().
 */
struct ssi_tp_callbacks {
	void (*on_connect)(ssi_conn_t conn, const char *peer_node, void *arg);
	/*
	 *  Required.  [conn] finished the mutual handshake: the peer proved,
	 *    through munge, that it runs as the configured peer uid on node
	 *    [peer_node] (also ssi_conn_peer()).  Called for connections made
	 *    with ssi_tp_connect() and for accepted ones; only from here on can
	 *    messages be sent on [conn].  To refuse the peer (e.g. not a
	 *    cluster member), call ssi_conn_close(conn) here.
	 */
	void (*on_message)(ssi_conn_t conn, const struct ssi_tp_msg *msg,
			   void *arg);
	/*
	 *  Required.  A message arrived on [conn].  [msg] and the buffers it
	 *    points to are valid until the callback returns; copy what you keep.
	 */
	void (*on_writable)(ssi_conn_t conn, void *arg);
	/*
	 *  Optional.  After an ssi_conn_send*() on [conn] failed with
	 *    SSI_TP_ERR_AGAIN, called once when the send queue has drained
	 *    (ssi_conn_queued() == 0), so what is sent next goes straight from
	 *    the caller's buffers to the network instead of being copied.
	 */
	void (*on_close)(ssi_conn_t conn, ssi_tp_err_t reason, void *arg);
	/*
	 *  Required.  The last callback for [conn]; the handle is freed when it
	 *    returns, so free the connection's user data here.  Called exactly
	 *    once for every connection returned by ssi_tp_connect() (even if it
	 *    never reached on_connect: [reason] says why) and for every accepted
	 *    connection that reached on_connect.  [reason] is SSI_TP_ERR_CLOSED
	 *    after ssi_conn_close(), SSI_TP_ERR_SHUTDOWN from ssi_tp_destroy(),
	 *    otherwise the error that ended the connection.  An acceptor
	 *    hangs up on a credential it refuses, so an initiator whose peer
	 *    hangs up during the handshake gets SSI_TP_ERR_AUTH (the reason
	 *    is in the peer's log).  Accepted connections that fail the
	 *    handshake are logged, never shown.
	 */
	void (*log)(int priority, const char *msg, void *arg);
	/*
	 *  Optional.  A log line (no trailing newline) with a syslog(3)
	 *    [priority] (LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG).  Without
	 *    it the library is silent.
	 */
};

/*
 * Endpoint configuration.  Initialise with ssi_tp_config_init(), then set
 * what you need; fields left at their defaults are fine unless marked
 * "required".  The structure and its strings are copied by ssi_tp_create().
 */
struct ssi_tp_config {
	const char *plugin;		/* required: "tcp", "verbs", "loopback" */
	const char *plugin_dir;		/* NULL: $SSI_TRANSPORT_PLUGIN_DIR, else
					 * the install directory */
	const char *plugin_opts;	/* NULL, or "key=value,..." for the
					 * plugin (see doc/wire-protocol.md) */
	const char *node_name;		/* required: our node name, as peers
					 * know us (max 255 bytes) */
	uid_t peer_uid;			/* uid peers' credentials must carry
					 * (default 0: root) */
	const char *munge_socket;	/* NULL: munge's default socket */
	size_t max_payload;		/* largest message accepted and sent,
					 * inline + bulk (default
					 * SSI_TP_MAX_PAYLOAD_DEFAULT) */
	size_t sndq_max;		/* send-queue high-water mark in bytes
					 * (default SSI_TP_SNDQ_MAX_DEFAULT) */
	int handshake_timeout_ms;	/* default SSI_TP_HANDSHAKE_TIMEOUT_MS */
	enum ssi_tp_protect protect;	/* default SSI_TP_PROTECT_INTEGRITY */
	uint16_t user_type_max;		/* highest message type the caller
					 * understands; frames with a higher
					 * type are rejected (default 0xffff) */
	const struct ssi_tp_callbacks *cb;	/* required; not copied: must
						 * outlive the endpoint */
	void *cb_arg;			/* passed to every callback */
};

void ssi_tp_config_init(struct ssi_tp_config *cfg);
/*
 *  Fills [cfg] with the defaults above (all pointers NULL, peer_uid 0,
 *    protect SSI_TP_PROTECT_INTEGRITY).
 */

/* ------------------------------------------------------------------------ */
/* Endpoint                                                                 */

ssi_tp_err_t ssi_tp_create(const struct ssi_tp_config *cfg, ssi_tp_t *tpp);
/*
 *  Creates an endpoint from [cfg]: loads the plugin
 *    "<plugin_dir>/transport_<plugin>.so" (checking its API version) and
 *    starts it.  Does not listen and does not contact munged yet.
 *  Returns SSI_TP_OK and sets [*tpp], or an error with [*tpp] set to NULL
 *    (the reason is also sent to cfg->cb->log if set).
 *  The caller destroys the endpoint with ssi_tp_destroy().
 */

void ssi_tp_destroy(ssi_tp_t tp);
/*
 *  Closes every connection of [tp] (calling on_close with
 *    SSI_TP_ERR_SHUTDOWN for each one that was handed out; unsent data is
 *    discarded), stops listening, unloads the plugin and frees [tp].
 *    [tp] may be NULL.  Must not be called from a callback.
 */

ssi_tp_err_t ssi_tp_listen(ssi_tp_t tp, const char *addr, uint16_t port);
/*
 *  Starts accepting connections on [addr] (a numeric IPv4/IPv6 address or a
 *    host name; NULL or "" for any address) and [port] (0: the kernel picks
 *    one, see ssi_tp_port()).  For "loopback", [addr] is a name in the
 *    process.  At most one listener per endpoint.
 *  Returns SSI_TP_OK, or an error (details in ssi_tp_errmsg()).
 */

uint16_t ssi_tp_port(ssi_tp_t tp);
/*
 *  Returns the port [tp] listens on, or 0 if it does not listen.
 */

int ssi_tp_fd(ssi_tp_t tp);
/*
 *  Returns a file descriptor that becomes readable (level-triggered) when
 *    ssi_tp_dispatch() has work to do.  Add it to your epoll/poll set with
 *    EPOLLIN/POLLIN.  Owned by [tp]: do not read, write or close it.
 */

ssi_tp_err_t ssi_tp_dispatch(ssi_tp_t tp, int timeout_ms);
/*
 *  Does the pending work of [tp]: accepts, connects, handshakes, sends
 *    queued data, receives, and invokes the callbacks.  Waits up to
 *    [timeout_ms] for something to happen (0: do not wait; -1: wait until
 *    something happens), so a simple program can loop on it alone.
 *  Errors on single connections are reported through on_close, not here.
 *  Returns SSI_TP_OK, or an error if the endpoint itself failed
 *    (e.g. its epoll descriptor), which the caller should treat as fatal
 *    for [tp].
 */

const char *ssi_tp_node_name(ssi_tp_t tp);
/*
 *  Returns our node name as configured; owned by [tp].
 */

const char *ssi_tp_plugin_name(ssi_tp_t tp);
/*
 *  Returns the name of the loaded plugin ("tcp", ...); owned by [tp].
 */

const char *ssi_tp_errmsg(ssi_tp_t tp);
/*
 *  Returns a description of the last failure of a call on [tp] or on one of
 *    its connections (e.g. "connect 10.0.0.2:7020: Connection refused"),
 *    or "" if none; owned by [tp], valid until the next call on [tp].
 */

/* ------------------------------------------------------------------------ */
/* Connections                                                              */

ssi_tp_err_t ssi_tp_connect(ssi_tp_t tp, const char *host, uint16_t port,
			    const char *expect_node, void *data,
			    ssi_conn_t *connp);
/*
 *  Starts a connection to [host]:[port] (numeric address or host name; for
 *    "loopback" the name given to ssi_tp_listen()).  Non-blocking: the
 *    result comes later as on_connect (success) or on_close (failure).
 *    If [expect_node] is not NULL, the peer must authenticate as that node
 *    name, else the connection fails with SSI_TP_ERR_AUTH.
 *    [data] becomes the connection's user data (ssi_conn_data()).
 *  Returns SSI_TP_OK and sets [*connp] (on_close will follow exactly
 *    once), or an error with [*connp] set to NULL and no callback.
 */

ssi_tp_err_t ssi_conn_send(ssi_conn_t conn, uint16_t type,
			   const struct iovec *iov, int iovcnt);
/*
 *  Sends one message of [type] (>= SSI_TP_TYPE_USER_MIN) whose payload is
 *    the concatenation of the [iovcnt] buffers in [iov] (iovcnt may be 0).
 *    The data is written out or copied before the call returns: the caller
 *    may reuse the buffers at once.  Messages on a connection arrive in the
 *    order they were sent.
 *  Returns SSI_TP_OK when the message is sent or queued;
 *    SSI_TP_ERR_AGAIN when the send queue is above sndq_max (nothing was
 *      queued; on_writable follows); for a message without bulk data
 *      (ssi_conn_send), above twice sndq_max: control messages pass a
 *      bulk stream that holds the queue at sndq_max;
 *    SSI_TP_ERR_NOT_CONNECTED before on_connect or after close;
 *    SSI_TP_ERR_TOO_BIG, SSI_TP_ERR_BAD_ARG for bad arguments.
 *  A transport failure is not returned here: it closes the connection and
 *    is reported through on_close.
 */

void *ssi_tp_bulk_alloc(ssi_tp_t tp, size_t len);
/*
 *  Returns a page-aligned buffer of at least [len] bytes that [tp]'s
 *    back-end can transfer without copying (registered for RDMA on verbs),
 *    or NULL on failure (len 0 or above max_payload, out of memory).
 *  Free it with ssi_tp_bulk_free(), or hand it to ssi_conn_send_bulk().
 *  Allocation is cheap after the first few calls (buffers are cached).
 */

void ssi_tp_bulk_free(ssi_tp_t tp, void *buf);
/*
 *  Returns [buf] (from ssi_tp_bulk_alloc() on the same [tp]) to the
 *    library.  [buf] may be NULL.
 */

ssi_tp_err_t ssi_conn_send_bulk(ssi_conn_t conn, uint16_t type,
				const struct iovec *iov, int iovcnt,
				void *bulk, size_t bulk_len);
/*
 *  Sends one message of [type] with an inline part (the [iov] buffers,
 *    copied as in ssi_conn_send(); typically a small header describing the
 *    pages) and a bulk part: [bulk_len] bytes at [bulk], which must be a
 *    buffer returned by ssi_tp_bulk_alloc() on the same endpoint, of at
 *    least [bulk_len] bytes.  Batch pages into one bulk message (up to
 *    max_payload) rather than sending one page per message.
 *  On SSI_TP_OK the library owns [bulk] and frees it once sent: the caller
 *    must not touch it again.  On any error the caller still owns it.
 *  Returns as ssi_conn_send().  The receiver gets the bulk part in
 *    msg->bulk / msg->bulk_len, page-aligned.
 */

void ssi_conn_close(ssi_conn_t conn);
/*
 *  Closes [conn]: no more messages are delivered on it, messages already
 *    queued are still sent (best effort, bounded by the handshake timeout),
 *    then the connection is shut down.  on_close(conn, SSI_TP_ERR_CLOSED)
 *    follows from a later ssi_tp_dispatch() (never from inside this call);
 *    until then [conn] stays a valid handle on which sends fail with
 *    SSI_TP_ERR_NOT_CONNECTED.  Closing twice is harmless.
 */

size_t ssi_conn_queued(ssi_conn_t conn);
/*
 *  Returns the number of bytes accepted by ssi_conn_send*() but not yet
 *    handed to the network on [conn].
 */

const char *ssi_conn_describe(ssi_conn_t conn, char *buf, size_t len);
/*
 *  Writes one line about [conn]'s state to [buf] ([len] bytes, truncated
 *    and NUL-terminated) and returns [buf]: the connection's state, the
 *    bytes queued, and what the plugin shows of its link (verbs: credits,
 *    send queue, RDMA READs in flight).  For people diagnosing a stall;
 *    the format may change.
 */

const char *ssi_conn_peer(ssi_conn_t conn);
/*
 *  Returns the authenticated node name of [conn]'s peer, or the address
 *    given to ssi_tp_connect() before on_connect; owned by [conn], valid
 *    until on_close returns.
 */

int ssi_conn_is_initiator(ssi_conn_t conn);
/*
 *  Returns 1 if [conn] was made with ssi_tp_connect(), 0 if accepted.
 */

enum ssi_tp_protect ssi_conn_protection(ssi_conn_t conn);
/*
 *  Returns the protection [conn]'s frames have (the stronger of what both
 *    ends asked for); SSI_TP_PROTECT_NONE before on_connect.
 */

void *ssi_conn_data(ssi_conn_t conn);
void ssi_conn_set_data(ssi_conn_t conn, void *data);
/*
 *  Get/set the caller's pointer for [conn] (NULL initially for accepted
 *    connections).  The library never dereferences or frees it.
 */

ssi_tp_t ssi_conn_tp(ssi_conn_t conn);
/*
 *  Returns the endpoint [conn] belongs to.
 */

#ifdef __cplusplus
}
#endif

#endif /* SSI_TRANSPORT_H */
