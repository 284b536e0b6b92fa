/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ssi_tp_plugin.h - the interface between libssitransport (the core) and
 * its back-end plugins (transport_tcp.so, transport_verbs.so, ...).
 *
 * A plugin is a shared object loaded with dlopen() by name, Slurm style.
 * It exports three data symbols
 *	const char plugin_name[];	 human-readable, e.g. "TCP transport"
 *	const char plugin_type[];	 "transport/<name>"
 *	const uint32_t plugin_version;	 SSI_TP_PLUGIN_VERSION it was built with
 * and one function per member of struct ssi_tp_plugin_ops, named
 * "tp_p_<member>" (plugin.c keeps the symbol table parallel to the struct).
 *
 * Division of labour: the core owns connections (ssi_conn_t), framing,
 * sequence numbers, the handshake and every callback to the user; a plugin
 * owns "links" (its per-connection state) and moves whole frames.  A frame
 * handed to a plugin is [header + inline payload] as an iovec plus an
 * optional bulk buffer; a plugin hands received frames back the same way.
 *
 * Lifetime of a link: it ends exactly once, either because the core calls
 * tp_p_close(link) or because the plugin calls ssi_tp_core_closed(conn).
 * After either, neither side refers to the other any more.  tp_p_close()
 * may be called from inside an upcall made by the plugin for that same
 * link (a user callback closed the connection): the plugin must then stop
 * using the link's connection, and free the link's memory only later, with
 * ssi_tp_core_defer().  Every upcall that can run user callbacks returns
 * non-zero when the link was closed meanwhile.
 *
 * Bump SSI_TP_PLUGIN_VERSION on any change to this header.
 */
#ifndef SSI_TP_PLUGIN_H
#define SSI_TP_PLUGIN_H

#include <stdint.h>
#include <sys/uio.h>

#include "frame.h"
#include "ssi_transport.h"

#define SSI_TP_PLUGIN_VERSION	3

/* ------------------------------------------------------------------------ */
/* What a plugin implements                                                 */

struct ssi_tp_bulk;

struct ssi_tp_plugin_ops {
	ssi_tp_err_t (*init)(ssi_tp_t tp, const char *opts, void **statep);
	/*
	 *  Creates the plugin's state for endpoint [tp]; [opts] is the user's
	 *    "key=value,..." string or NULL (unknown keys: SSI_TP_ERR_BAD_ARG).
	 */
	void (*fini)(void *state);
	/*
	 *  Frees the state.  Every link has been closed before.
	 */
	ssi_tp_err_t (*listen)(void *state, const char *addr, uint16_t port,
			       uint16_t *bound);
	/*
	 *  Starts listening; sets [*bound] to the port actually bound.  New
	 *    links are announced with ssi_tp_core_accept().
	 */
	ssi_tp_err_t (*connect)(void *state, ssi_conn_t conn, const char *host,
				uint16_t port, void **linkp);
	/*
	 *  Starts connecting [conn] to [host]:[port] without blocking (name
	 *    resolution excepted); sets [*linkp].  Completion is announced
	 *    with ssi_tp_core_connected(), failure with ssi_tp_core_closed(),
	 *    both from an event handler, never from inside this call.
	 */
	ssi_tp_err_t (*send)(void *link, const struct iovec *iov, int iovcnt,
			     size_t len, struct ssi_tp_bulk *bulk,
			     size_t bulk_len);
	/*
	 *  Sends one frame: [iov] ([iovcnt] entries, [len] bytes in total) is
	 *    the header and inline payload, copied before returning if not
	 *    sent at once; [bulk] (may be NULL) holds [bulk_len] more bytes and
	 *    becomes the plugin's, to release with ssi_tp_core_bulk_put() once
	 *    sent.  A broken link is not an error here: the plugin drops the
	 *    frame, returns SSI_TP_OK and reports ssi_tp_core_closed() from an
	 *    event handler.  Errors are for local failures (SSI_TP_ERR_NO_MEMORY),
	 *    and leave [bulk] to the caller.
	 */
	size_t (*queued)(void *link);
	/*
	 *  Returns the bytes accepted by send() and not yet handed to the
	 *    network or the device.
	 */
	void (*close)(void *link);
	/*
	 *  Ends the link at once, discarding anything queued (see above).
	 */
	void (*bulk_release)(void *state, struct ssi_tp_bulk *bulk);
	/*
	 *  Optional.  Called before the core really frees a bulk buffer, so the
	 *    plugin can drop what it attached to bulk->priv (e.g. an RDMA MR).
	 */
	int (*describe)(void *link, char *buf, size_t len);
	/*
	 *  Optional.  Writes one line about the link's state for people
	 *    diagnosing a stall (credits, queues, transfers in flight) to
	 *    [buf] of [len] bytes, NUL-terminated; returns as snprintf().
	 */
};

/* ------------------------------------------------------------------------ */
/* Event loop services of the core                                          */

struct ssi_tp_watch {
	void (*fn)(struct ssi_tp_watch *w, uint32_t events);
	int fd;			/* -1 once unwatched */
};

ssi_tp_err_t ssi_tp_core_watch(ssi_tp_t tp, struct ssi_tp_watch *w, int fd,
			       uint32_t events,
			       void (*fn)(struct ssi_tp_watch *, uint32_t));
/*
 *  Adds [fd] to the endpoint's epoll set; [fn] is called from
 *    ssi_tp_dispatch() with the epoll events (level-triggered).
 */

ssi_tp_err_t ssi_tp_core_rewatch(ssi_tp_t tp, struct ssi_tp_watch *w,
				 uint32_t events);
/*
 *  Changes the events [w] waits for.
 */

void ssi_tp_core_unwatch(ssi_tp_t tp, struct ssi_tp_watch *w);
/*
 *  Removes [w] (call before closing its fd).  Events already collected for
 *    [w] in the current dispatch round are dropped; [w]'s memory must stay
 *    valid until deferred work runs (free it with ssi_tp_core_defer()).
 */

struct ssi_tp_deferred {
	struct ssi_tp_deferred *next;
	void (*fn)(struct ssi_tp_deferred *d);
};

void ssi_tp_core_defer(ssi_tp_t tp, struct ssi_tp_deferred *d,
		       void (*fn)(struct ssi_tp_deferred *));
/*
 *  Runs [fn]([d]) at the end of the current (or the next) dispatch round,
 *    or at ssi_tp_destroy(), outside of any event handler.  [d] is embedded
 *    in the caller's object; do not defer the same [d] twice.
 */

void ssi_tp_core_log(ssi_tp_t tp, int priority, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 *  Logs through the user's log callback (syslog priorities).
 */

void ssi_tp_core_errmsg(ssi_tp_t tp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 *  Sets the text ssi_tp_errmsg() returns; call before failing a call.
 */

/* ------------------------------------------------------------------------ */
/* Upcalls: a plugin reports link events                                    */

ssi_conn_t ssi_tp_core_accept(ssi_tp_t tp, void *link, const char *peer_addr);
/*
 *  A link was accepted from [peer_addr] (printable, for logs).  Returns
 *    the connection the link now belongs to, or NULL if the core refuses
 *    it (the plugin then frees the link itself).
 */

int ssi_tp_core_connected(ssi_conn_t conn);
/*
 *  The link of an outgoing connection is established: the core starts the
 *    handshake (and may send on the link from inside this call).  Returns
 *    non-zero if the link was closed meanwhile.
 */

int ssi_tp_core_check_hdr(ssi_conn_t conn, const void *hdr,
			  struct ssi_frame_hdr *out);
/*
 *  Validates the SSI_FRAME_HDR_LEN bytes at [hdr] as the next frame of
 *    [conn] before its payload is received, and decodes them into [out].
 *  Returns 0, or non-zero when the frame is invalid: the core has logged
 *    it and closed the link (it is closed, as if by tp_p_close()).
 */

int ssi_tp_core_recv(ssi_conn_t conn, void *frame, size_t len,
		     void *bulk, size_t bulk_len);
/*
 *  Delivers one frame: [frame] holds the header and inline payload ([len]
 *    bytes), [bulk] the bulk payload (NULL/0 for frames without one).  The
 *    buffers stay the plugin's, but the core may overwrite their bytes
 *    (it decrypts in place).  Returns non-zero if the link was closed
 *    meanwhile (bad frame, or the user closed the connection).
 */

int ssi_tp_core_sent(ssi_conn_t conn);
/*
 *  The link's send queue shrank (the core may tell the user it can send
 *    again, or finish a graceful close).  Call it after the plugin's own
 *    state is consistent: the user may send from inside.  Returns non-zero
 *    if the link was closed meanwhile.
 */

void ssi_tp_core_closed(ssi_conn_t conn, ssi_tp_err_t reason,
			const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 *  The link failed or the peer closed it ([reason], with a printf-style
 *    description for the log).  The core never uses the link again.
 */

/* ------------------------------------------------------------------------ */
/* Bulk buffers                                                             */

/* Header kept in the page before every bulk buffer. */
struct ssi_tp_bulk {
	uint32_t magic;
	uint32_t cls;			/* size class (log2 of pages) */
	size_t size;			/* usable bytes */
	void *priv;			/* the plugin's (e.g. RDMA MR) */
	struct ssi_tp_bulk *next;	/* core's cache list */
	ssi_tp_t tp;
};

struct ssi_tp_bulk *ssi_tp_core_bulk_get(ssi_tp_t tp, size_t len);
/*
 *  Returns a bulk buffer of at least [len] bytes (data at
 *    ssi_tp_core_bulk_data()), or NULL.
 */

void ssi_tp_core_bulk_put(ssi_tp_t tp, struct ssi_tp_bulk *bulk);
/*
 *  Returns [bulk] to the cache (or frees it).  [bulk] may be NULL.
 */

void *ssi_tp_core_bulk_data(struct ssi_tp_bulk *bulk);
struct ssi_tp_bulk *ssi_tp_core_bulk_of(ssi_tp_t tp, void *data);
/*
 *  Convert between a bulk header and its page-aligned data; _of() returns
 *    NULL if [data] is not a live bulk buffer of [tp].
 */

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

const struct ssi_frame_limits *ssi_tp_core_limits(ssi_tp_t tp);
/*
 *  Returns the limits frames of [tp] are checked against, for plugins
 *    that validate lengths before handing a frame to the core.
 */

int ssi_tp_core_opt(const char *opts, const char *key, char *val,
		    size_t vallen);
/*
 *  Looks [key] up in the "key=value,..." string [opts].  Returns 1 and
 *    copies the value into [val], 0 if absent, -1 if too long.
 */

int ssi_tp_core_opts_check(ssi_tp_t tp, const char *opts,
			   const char *const *keys);
/*
 *  Returns 0 if every key in [opts] is one of the NULL-terminated [keys],
 *    else logs and sets the errmsg and returns -1.
 */

#define ssi_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#endif /* SSI_TP_PLUGIN_H */
