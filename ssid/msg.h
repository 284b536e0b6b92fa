/* SPDX-License-Identifier: GPL-2.0 */
/*
 * msg.h - the messages ssid daemons exchange through the transport.
 *
 * The transport delivers (type, payload) pairs whole, in order, from an
 * authenticated peer.  Payloads here are fixed layouts in network byte
 * order, each starting with a one-byte version.  A receiver accepts a
 * payload of its version that is at least as long as the layout it knows
 * and ignores trailing bytes (room for fields appended later without a
 * version bump); anything shorter or of another version is refused.
 * Documented in doc/ssid.8 (PEER MESSAGES).
 */
#ifndef SSID_MSG_H
#define SSID_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "defaults.h"
#include "load.h"

#define SSID_MSG_VERSION	1

/* Message types: the transport reserves those below 0x0100. */
enum ssid_msg_type {
	SSID_MSG_HEARTBEAT = 0x0100,	/* load vector, every interval */
	SSID_MSG_PING = 0x0101,		/* echo request */
	SSID_MSG_PONG = 0x0102,		/* echo reply: the ping's fields back */
	SSID_MSG_HELLO = 0x0103,	/* first on every connection: cluster */
	SSID_MSG_TYPE_MAX = SSID_MSG_HELLO
};

/*
 * Highest type the transport delivers to ssid: its own, and those of the
 * transport benchmark (0xfb01..0xfb06, transport/bench/bench.h), served to
 * benchmark clients only.  Anything above is refused by the transport.
 */
#define SSID_MSG_TYPE_ACCEPT_MAX	0xfbff

struct msg_heartbeat {
	uint64_t incarnation;	/* sender's start time (ns, realtime):
				 * changes when the peer restarts */
	uint32_t seq;		/* increments by one per heartbeat */
	uint32_t interval_ms;	/* the sender's HeartbeatInterval */
	struct load_vector load;
};

struct msg_ping {
	uint32_t id;		/* chosen by the sender, echoed */
	uint32_t flags;		/* echoed; MSG_PING_* */
	uint64_t t_ns;		/* sender's monotonic clock, echoed */
};

struct msg_hello {
	char cluster[SSI_NODE_NAME_MAX + 1];	/* ClusterName, "" if unset */
};

#define MSG_PING_PROBE	0x1	/* a heartbeat RTT probe, not ssictl's */

/* Encoded sizes (version 1). */
#define MSG_HEARTBEAT_LEN	(4 + 8 + 4 + 4 + 6 * 4 + 2 * 8 + 2 * 4)
#define MSG_PING_LEN		(4 + 4 + 4 + 8)
#define MSG_HELLO_MAX		(4 + 2 + SSI_NODE_NAME_MAX)

/*
 * msg_encode_heartbeat, msg_encode_ping - write @m into @buf, which must
 * hold MSG_HEARTBEAT_LEN / MSG_PING_LEN bytes.  Return the length written.
 */
size_t msg_encode_heartbeat(const struct msg_heartbeat *m, void *buf);
size_t msg_encode_ping(const struct msg_ping *m, void *buf);
/* msg_encode_hello - @buf holds MSG_HELLO_MAX bytes; returns the length. */
size_t msg_encode_hello(const struct msg_hello *m, void *buf);

/*
 * msg_decode_heartbeat, msg_decode_ping - parse @len bytes at @buf into @m.
 * Return 0, or -1 if the version is not SSID_MSG_VERSION, the payload is
 * too short, or a field is out of range (pus or numa of 0, free memory
 * above total, CPU use above 1000 per mille).  @m is undefined on error.
 */
int msg_decode_heartbeat(const void *buf, size_t len, struct msg_heartbeat *m);
int msg_decode_ping(const void *buf, size_t len, struct msg_ping *m);
/* msg_decode_hello - also -1 for a name that is too long or not printable. */
int msg_decode_hello(const void *buf, size_t len, struct msg_hello *m);

#endif /* SSID_MSG_H */
