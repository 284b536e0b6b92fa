/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * directory.h - the directory of a DSM segment, kept by its home node:
 * who holds each page, and what must happen for a node to read or write
 * it (multiple readers / single writer; doc/dsm.md, "Page states").
 *
 * Pure: it decides, it does nothing.  Each input (a node asks for a page,
 * a node acknowledges giving one up, a node is lost) returns the actions
 * that follow, which ssid carries out: revoke a node's copy (locally at
 * home, through its peer elsewhere), grant a node the page, tell a node
 * it cannot have it.  A page in transition (revocations not acknowledged
 * yet) takes no other request: those wait in its queue, in order of
 * arrival, one per node (the most it asked for), and are served when the
 * transition ends.
 *
 * Nodes are numbers below DSM_DIR_NODES_MAX; home's own copy is the
 * segment itself (its page cache), so home is a node like the others
 * except that its copy is where a revoked writer's content goes back
 * and where a grant's content comes from.
 */
#ifndef SSID_DSM_DIRECTORY_H
#define SSID_DSM_DIRECTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DSM_DIR_NODES_MAX	64	/* a node set is a 64-bit mask */
#define DSM_DIR_PAGES_MAX	(1u << 22)	/* 16 GiB of 4 KiB pages */
/*
 * The most actions one input can lead to: the grant that ends a
 * transition, one more for each request that waited, and the revocations
 * of the transition the last of them starts.
 */
#define DSM_DIR_ACTS_MAX	(2 * DSM_DIR_NODES_MAX + 1)

enum dsm_access {
	DSM_NONE = 0,
	DSM_READ = 1,
	DSM_WRITE = 2,
};

enum dsm_act_kind {
	DSM_ACT_REVOKE,		/* @node gives its copy up, down to @access */
	DSM_ACT_GRANT,		/* @node may now @access the page */
	DSM_ACT_FAIL,		/* @node cannot have the page: it was lost */
};

struct dsm_act {
	enum dsm_act_kind kind;
	int node;
	uint32_t page;
	enum dsm_access access;	/* REVOKE: what it keeps; GRANT: what it gets */
	/*
	 * REVOKE: its content must come back to home's copy (it was the
	 * writer).  GRANT: the content goes with it, from home's copy (the
	 * node has no valid copy).
	 */
	bool data;
};

struct dsm_dir;

/*
 * dsm_dir_new - the directory of a segment of @npages pages made at node
 * @home, which holds every page to write.  NULL: out of memory or a
 * number out of range.
 */
struct dsm_dir *dsm_dir_new(uint32_t npages, int home);
void dsm_dir_free(struct dsm_dir *d);

/*
 * dsm_dir_request - node @node asks for @access to page @page.  Fills up
 * to DSM_DIR_ACTS_MAX actions into @out; returns how many, or -1 if an
 * argument is out of range.
 */
int dsm_dir_request(struct dsm_dir *d, int node, uint32_t page, enum dsm_access access,
		    struct dsm_act *out);

/*
 * dsm_dir_revoked - node @node did the REVOKE of page @page it was told
 * (its content, if asked for, is in home's copy now).  Returns the
 * actions that follow, as dsm_dir_request(); -1 if no such revocation
 * was awaited.
 */
int dsm_dir_revoked(struct dsm_dir *d, int node, uint32_t page, struct dsm_act *out);

/*
 * dsm_dir_node_lost - node @node is gone: its copies are dropped; a page
 * it held alone to write is lost (every later request of it fails);
 * transitions waiting for it go on without it.  Calls @emit for each
 * action that follows (any page).
 */
void dsm_dir_node_lost(struct dsm_dir *d, int node,
		       void (*emit)(void *arg, const struct dsm_act *a), void *arg);

/* What the directory says of page @page: for tests and `ssictl`. */
struct dsm_page_view {
	int writer;		/* the node holding it to write, or -1 */
	uint64_t readers;	/* the nodes holding it to read */
	bool lost, busy;
	unsigned int queued;	/* requests waiting for the transition */
};

int dsm_dir_view(const struct dsm_dir *d, uint32_t page, struct dsm_page_view *v);

#endif /* SSID_DSM_DIRECTORY_H */
