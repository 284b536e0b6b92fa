/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cluster_view.h - views of the whole cluster from any node: the tasks
 * registered with every ssid, where each runs now and under which pid.
 *
 * A task's registry lives on its home node (the SPANK plugin registers it
 * there) and its guest record on the node it runs on; the asking ssid
 * sends TASKS_QUERY to every up peer, answers itself from its own
 * registry, and joins the answers (task_view.c).  Nodes that are down or
 * do not answer within SSI_CLUSTER_QUERY_MS are named in the view, so a
 * partial answer is never mistaken for the whole.
 */
#ifndef SSID_CLUSTER_VIEW_H
#define SSID_CLUSTER_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "migrate/move_request.h"
#include "cluster/task_view.h"

struct ssi_conf;
struct peers;
struct tasks;
struct migrate;
struct cluster;
struct slurm_view;

struct cluster_view {
	struct taskview_task *tasks;
	size_t n;
	const char **missing;		/* nodes that gave no answer */
	size_t nmissing;
	bool truncated;			/* a node had too many to send */
};

/*
 * Called once with the view, from the loop; the view is valid during the
 * call only.  @v is NULL when ssid ran out of memory or is stopping.
 */
typedef void (*cluster_view_cb)(void *arg, const struct cluster_view *v);

/*
 * cluster_create - answer peers' queries from now on (their requests to
 * move a task of this node checked against @slurm); NULL without memory.
 */
struct cluster *cluster_create(const struct ssi_conf *conf, struct peers *peers,
			       struct tasks *tasks, struct migrate *migrate,
			       struct slurm_view *slurm);

/* cluster_destroy - pending views are called back with NULL.  NULL is fine. */
void cluster_destroy(struct cluster *c);

/*
 * cluster_tasks - ask every up node.  @cb runs exactly once, later (never
 * from inside this call), unless cluster_forget(*@handle) comes first.
 * Returns 0 or -ENOMEM.
 */
int cluster_tasks(struct cluster *c, cluster_view_cb cb, void *arg,
		  void **handle);

/* cluster_forget - the asker went away: do not call it back. */
void cluster_forget(struct cluster *c, void *handle);

/*
 * cluster_migrate - ask node @home_idx to move its process @pid to node
 * @to_idx (@home_idx itself: bring it back), for a client @uid (@admin).
 * As migreq_start(): 0 and @cb later (a CTL_E_TIMEOUT result if the home
 * says nothing within SSICTL_MIGRATE_TIMEOUT_MS, CTL_E_NOTCONN as soon as
 * it is seen down), or -1 with *@res.
 */
int cluster_migrate(struct cluster *c, int home_idx, pid_t pid, int to_idx,
		    uid_t uid, bool admin, migreq_cb cb, void *arg, void **handle,
		    struct migreq_result *res);

/* cluster_forget_migrate - the client went away: no callback. */
void cluster_forget_migrate(struct cluster *c, void *handle);

/*
 * cluster_job_event - job @job started (@start) or ended: every up node's
 * balancer, this one's too, looks again within two heartbeats (the loads
 * show the change by then).
 */
void cluster_job_event(struct cluster *c, uint32_t job, bool start);

/* cluster_timer - finish views and requests whose time is up; the next deadline. */
uint64_t cluster_timer(struct cluster *c, uint64_t now_ms);

#endif /* SSID_CLUSTER_VIEW_H */
