/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * page_traffic.h - a DSM segment's page traffic on one node: what home
 * does with its directory's actions, and what a node holding a copy does
 * with home's messages (doc/dsm.md, "Peer messages").
 *
 * Home runs the directory (dsm/directory.h).  An action for home itself
 * is done at once on its own copy (its channel: the kernel's copy is the
 * memory the processes map) and the directory is told; an action for
 * another node goes out as a message, and the directory hears of it when
 * the node answers.  A page's content goes only through home's copy: a
 * writer's comes back into it (while home itself may not use the page:
 * SSI_DSM_GRANT of content only), a grant's is read out of it.
 *
 * A node with a copy asks home for what its kernel asks it for, and does
 * what home's messages say on its own copy, answering each revocation.
 *
 * Neither does I/O itself: the kernel's copy and the peers are callbacks,
 * so the unit tests run a whole cluster in one process.
 */
#ifndef SSID_DSM_PAGE_TRAFFIC_H
#define SSID_DSM_PAGE_TRAFFIC_H

#include <stdint.h>

#include "cluster/peer_msg.h"
#include "dsm/directory.h"

struct dsm_copy_ops {
	/*
	 * This node's copy of the page (the channel's ioctls): give it up
	 * down to @keep, its content into @out if not NULL (@keep the state
	 * it has: the content only); give it @access, its content @data if
	 * not NULL (@access DSM_NONE: the content of a page that stays
	 * invalid here).  0 or a negative errno.
	 */
	int (*revoke)(void *arg, uint32_t page, enum dsm_access keep, void *out);
	int (*grant)(void *arg, uint32_t page, enum dsm_access access, const void *data);
	/* no copy of the page will come: what waits for it here gets SIGBUS */
	int (*fail)(void *arg, uint32_t page);
	/* @type with @m to node @node (home's, or a copy's: home) */
	int (*send)(void *arg, int node, uint16_t type, const struct msg_dsm *m);
};

/* ---------------------------------------------------------------- home */

struct dsm_home;

/*
 * dsm_home_new - segment @seg of @npages pages, made on this node, node
 * number @self (which holds every page to write).  NULL: out of memory,
 * or a number out of range.
 */
struct dsm_home *dsm_home_new(uint64_t seg, uint32_t npages, int self,
			      const struct dsm_copy_ops *ops, void *arg);
void dsm_home_free(struct dsm_home *h);

/* A process here asks for @access to @page (read from home's channel). */
int dsm_home_local(struct dsm_home *h, uint32_t page, enum dsm_access access);

/*
 * dsm_home_msg - node @from's DSM_ASK or DSM_REVOKED.  0, or -EPROTO for a
 * message that does not fit (a page out of range, a revocation not asked
 * for, a writer's without its content), -EIO if the copy failed here.
 */
int dsm_home_msg(struct dsm_home *h, int from, uint16_t type, const struct msg_dsm *m);

/* Node @node is gone: its copies dropped, what it alone held lost. */
int dsm_home_node_lost(struct dsm_home *h, int node);

/* The directory, for views (ssictl) and tests. */
const struct dsm_dir *dsm_home_dir(const struct dsm_home *h);

/* ---------------------------------------------------------------- copy */

/*
 * dsm_copy_local - this node's kernel asks for @access to @page of segment
 * @seg, whose home is node @home: the request goes there.
 * dsm_copy_msg - home's DSM_REVOKE, DSM_GRANT or DSM_FAIL for our copy,
 * done on it (a revocation answered with DSM_REVOKED).  0, -EPROTO for a
 * message that does not fit, or the copy's error.
 */
int dsm_copy_local(const struct dsm_copy_ops *ops, void *arg, int home, uint64_t seg,
		   uint32_t page, enum dsm_access access);
int dsm_copy_msg(const struct dsm_copy_ops *ops, void *arg, int home, uint16_t type,
		 const struct msg_dsm *m);

#endif
