/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * segments.h - this node's DSM segments (doc/dsm.md, "The registry"): the
 * segments it is home of, each over shared memory of its own processes,
 * with its directory (dsm/page_traffic.h); the copies it holds of other
 * nodes' segments; each one's channel of ssi.ko's in the loop, its
 * requests served; the DSM peer messages, routed to the segment they name.
 *
 * A segment is named across the cluster by its id: its home's node index
 * (in ssi.conf, the same on every node) plus one, in the top 16 bits, and
 * a count of that home's ssid below (from 1): so any node knows where a
 * segment's home is from its id alone.  Only nodes 0 to
 * DSM_DIR_NODES_MAX - 1 can take part: a node beyond refuses to make or
 * hold a segment (-ERANGE, with a reason at export).
 *
 * The registry owns every channel it opens; a caller that keeps one beyond
 * the call that gave it dup()s it.  Messages to a node whose connection is
 * full wait in that node's outbox, in order, and go when the peers say it
 * is writable again.  What goes to a node with no connection is dropped,
 * as what was queued on a connection that closed is: the node's loss
 * follows (the lost hook), unless its connection comes back first
 * (doc/dsm.md, "The registry": left).
 *
 * Not thread-safe: everything runs in the loop's thread, and waits for
 * nothing but /proc (the export reads every process's maps).
 */
#ifndef SSID_DSM_SEGMENTS_H
#define SSID_DSM_SEGMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cluster/peer_msg.h"
#include "dsm/kernel_port.h"

struct dsm_segments;
struct loop;
struct ssi_tp_msg;

/*
 * Sends @type with @m to node @node: 0, or -EAGAIN when its connection
 * is full (then the writable hook follows), -ENOTCONN, another -errno.
 */
typedef int (*dsm_send_fn)(void *arg, int node, uint16_t type, const struct msg_dsm *m);

/*
 * dsm_segments_create - the registry of node @self (its index in
 * ssi.conf): the kernel through @k (@karg its argument: dsm_kport_ops and
 * a struct dsm_kport in ssid), the peers through @send.  Each channel is
 * watched in @loop; with @loop NULL (unit tests) the caller says when one
 * is readable, with dsm_segments_channel_ready().  NULL: out of memory.
 */
struct dsm_segments *dsm_segments_create(int self, const struct dsm_kernel_ops *k, void *karg,
					 dsm_send_fn send, void *sarg, struct loop *loop);

/* dsm_segments_destroy - close every channel, free @s.  NULL is fine. */
void dsm_segments_destroy(struct dsm_segments *s);

/* ---------------------------------------------------------------- home */

/*
 * dsm_segments_home - the home segment over the shared memory @src is an
 * fd of (a shmem file: its size rounded up to pages is the segment's);
 * the one already made over that file if there is one.  Its id into
 * *@id.  0, -ERANGE (this node cannot take part), -EINVAL (not shared
 * memory), -EFBIG (over SSI_DSM_SIZE_MAX), the kernel's -errno.
 */
int dsm_segments_home(struct dsm_segments *s, int src, uint64_t *id);

/*
 * dsm_segments_export - before process @pid is dumped: each of its shared
 * mappings of shared memory (anonymous, a tmpfs file, a memfd) gets its
 * home segment (dsm_segments_home()), and every mapping of that memory on
 * this node, of @pid or of any other process, is put under the segment's
 * coherence (SSI_DSM_WRAP), so that a copy elsewhere sees what they write
 * and they see what it writes; so are the mappings made later, through
 * files of it open now (SSI_DSM_WRAP_FILE) or opened later (the kernel's
 * part).  Other shared mappings (SysV shm, files of other file systems)
 * are left alone (the kernel's dump refuses them).
 * From the loop's thread, before the dump's starts.  0, or -errno with
 * the reason in @why (@len bytes).
 */
int dsm_segments_export(struct dsm_segments *s, pid_t pid, char *why, size_t len);

/* ---------------------------------------------------------------- copy */

/*
 * dsm_segments_copy_get - this node's channel of segment @id, @size bytes
 * (what the image of a process mapping it says), for the restore to map:
 * a copy, opened at the first get, or the segment itself on its home.
 * Counted: each get wants a dsm_segments_copy_put().  The fd (*@chan)
 * stays the registry's.  0, or -EINVAL (not an id, or not a size),
 * -ENOENT (an id of this node's that names no segment), -EEXIST (the
 * segment has another size), -EHOSTDOWN (its home was lost: the copy is
 * closed), -ERANGE (this node cannot take part), the kernel's -errno.
 */
int dsm_segments_copy_get(struct dsm_segments *s, uint64_t id, uint64_t size, int *chan);

/*
 * dsm_segments_copy_put - a user of segment @id's channel here is gone.
 * A copy with no user left is kept for now (handing its pages back to
 * home needs DSM_DROP, which is not served yet); one whose home is lost
 * is freed.
 */
void dsm_segments_copy_put(struct dsm_segments *s, uint64_t id);

/* --------------------------------------------------------------- peers */

/*
 * dsm_segments_msg - a DSM message (SSID_MSG_DSM_MIN..MAX) from node
 * @from: to home's directory of the segment it names (ASK, REVOKED) or to
 * this node's copy of it (REVOKE, GRANT, FAIL: from its home only).
 * Anything that does not fit is logged and dropped.
 */
void dsm_segments_msg(struct dsm_segments *s, int from, const struct ssi_tp_msg *msg);

/*
 * dsm_segments_node_lost - node @node went down or restarted: home's
 * directories drop its copies (pages it alone held to write are lost);
 * copies whose home it was are closed (what waits for them, or touches a
 * page not held, gets SIGBUS); its outbox is emptied.
 */
void dsm_segments_node_lost(struct dsm_segments *s, int node);

/* dsm_segments_writable - node @node takes messages again: its outbox goes. */
void dsm_segments_writable(struct dsm_segments *s, int node);

/* ---------------------------------------------------------------- loop */

/*
 * dsm_segments_channel_ready - channel @chan is readable: its requests are
 * served.  For a registry without a loop (tests): with one, it watches
 * its channels itself.
 */
void dsm_segments_channel_ready(struct dsm_segments *s, int chan);

/* dsm_segments_count - how many segments this node is home of, and copies it holds. */
void dsm_segments_count(const struct dsm_segments *s, unsigned int *homes,
			unsigned int *copies);

/* ----------------------------------------------------------- /proc maps */

/* One line of /proc/PID/maps, as much of it as the export and futexes need. */
struct dsm_maps_line {
	uint64_t start, end;
	bool shared;			/* MAP_SHARED ('s') */
	unsigned int major, minor;	/* the device of what it maps */
	uint64_t ino;
	bool shared_anon;		/* shared anonymous memory */
	bool sysv;			/* SysV shm */
};

/* dsm_maps_parse - @line (its newline optional) into @l: 0, or -1 if malformed. */
int dsm_maps_parse(const char *line, struct dsm_maps_line *l);

typedef int (*dsm_maps_fn)(const struct dsm_maps_line *l, pid_t pid, void *arg);

/*
 * dsm_maps_each - @fn for each mapping of process @pid until it returns
 * nonzero: that, 0, or -errno (-ENOENT: no such process) with the reason
 * in @why.
 */
int dsm_maps_each(pid_t pid, dsm_maps_fn fn, void *arg, char *why, size_t len);

#endif /* SSID_DSM_SEGMENTS_H */
