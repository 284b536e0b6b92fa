/* SPDX-License-Identifier: GPL-2.0 */
/*
 * task_view.h - the cluster's tasks, joined: every node answers a tasks
 * query with its registered tasks (where each runs now) and its guests
 * (whose home they are, and their pid there); the join says of each task
 * its home, the node it runs on and its pid on that node.
 *
 * Pure: cluster_view.c gathers the records, the unit tests feed any.
 */
#ifndef SSID_TASK_VIEW_H
#define SSID_TASK_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cluster/peer_msg.h"

/* What one node answered: its name and its records. */
struct taskview_source {
	const char *node;
	const struct msg_task *recs;
	size_t n;
};

struct taskview_task {
	pid_t pid;		/* the home pid (what the task sees) */
	pid_t local_pid;	/* its pid on @node, -1 if that node did not say */
	uid_t uid;
	int64_t job, step, task;	/* -1 if none */
	bool auto_move;
	const char *home;	/* pointers into the sources' names/records */
	const char *node;	/* where it runs now */
	const char *state;	/* "home", "migrating", "migrated", ... */
	uint32_t runnable;	/* its runnable threads where it runs (0: unknown) */
};

/*
 * taskview_join - one entry per TASK record of @src (@nsrc sources), in
 * source order, into *@out (malloc'd, caller frees; NULL when there are
 * none) and *@n.  A task that runs away from home takes its local pid from
 * the GUEST record of the node it runs on whose home and pid match; its
 * home's state "deputy" reads "migrated".  Returns 0 or -ENOMEM.
 */
int taskview_join(const struct taskview_source *src, size_t nsrc,
		  struct taskview_task **out, size_t *n);

#endif /* SSID_TASK_VIEW_H */
