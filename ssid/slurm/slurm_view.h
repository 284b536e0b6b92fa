/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slurm_view.h - what ssid knows of Slurm: the state of each of its nodes
 * (may it take work?), the partitions, and the partition of each job whose
 * tasks are registered here.  It decides where a job's task may go:
 *
 *   a user's migration (not root's, not the SlurmUser's) of a task of a
 *   Slurm job goes only to a node of that job's partition that Slurm
 *   considers usable (slurm_watch.c's table: not DOWN, DRAIN, FAIL, not
 *   responding, powered down, in maintenance...); home is always allowed;
 *   the balancer (automatic or `ssictl rebalance`) sends tasks by the same
 *   rule, and no task to a node that is not usable.
 *
 * The knowledge comes from ssi-slurm-watch (slurm_watch.c), a child that
 * alone talks to slurmctld, every SlurmPollInterval; its lines are fed
 * here from the event loop.  While nothing is known, or when
 * SlurmPollInterval=0, users' migrations are refused with the reason and
 * the balancer moves nothing to where it cannot check (with
 * SlurmPollInterval=0 it balances as if Slurm had no opinion: the
 * administrator chose that).  A watcher that ends is started again.
 *
 * Node names are ssi.conf's, which must be Slurm's NodeNames.
 */
#ifndef SSID_SLURM_VIEW_H
#define SSID_SLURM_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ssi_conf;
struct loop;
struct slurm_view;

/*
 * slurm_view_create - an empty view of Slurm for @conf's nodes, or NULL
 * without memory.  With @loop, the watcher is started (and restarted) by
 * slurm_view_timer(); without, nothing runs and the view learns only what
 * slurm_view_feed() gives it (the unit tests).
 */
struct slurm_view *slurm_view_create(const struct ssi_conf *conf, struct loop *loop);

/* slurm_view_destroy - stop the watcher, free @v; NULL is fine. */
void slurm_view_destroy(struct slurm_view *v);

/* slurm_view_timer - start a watcher that is not running; the next deadline. */
uint64_t slurm_view_timer(struct slurm_view *v, uint64_t now_ms);

/*
 * slurm_view_feed - one line of the watcher (see slurm_watch.c for the
 * grammar).  Returns 0, or -EINVAL for a line that is not one (the view
 * is then unchanged).
 */
int slurm_view_feed(struct slurm_view *v, const char *line, uint64_t now_ms);

/*
 * slurm_view_want_job - ask for the partition of @job (a task of it was
 * registered), unless known or asked lately.  @job < 0: nothing.
 */
void slurm_view_want_job(struct slurm_view *v, int64_t job, uint64_t now_ms);

/*
 * slurm_view_may_place - may a user's migration send a task of @job (-1:
 * none) to node @idx?  0; -EPERM with the reason in @why; or -EAGAIN with
 * @why saying what is not known yet (slurmctld was asked: the node
 * states right after ssid started, or the partition of a job whose task
 * just registered), and slurm_view_wait() tells when to ask again.
 * @home: the task's home node, always allowed (-1: none, the node's state
 * alone).
 */
int slurm_view_may_place(struct slurm_view *v, int64_t job, int idx, int home,
			 uint64_t now_ms, char *why, size_t len);

/*
 * A request that got -EAGAIN waits for the answer instead of failing: a
 * user who runs `ssictl migrate` as their job starts should not have to
 * try again.  @cb is called once, from the loop (or from
 * slurm_view_feed()), when the view learns something or at @until_ms,
 * whichever comes first; it asks slurm_view_may_place() again and gives
 * up with its reason if that is still -EAGAIN at @until_ms.
 */
struct slurm_view_wait {
	struct slurm_view_wait *next;
	void (*cb)(struct slurm_view_wait *w, uint64_t now_ms);
	uint64_t until_ms;
	unsigned int round;	/* slurm_view.c's */
};

/* slurm_view_wait - call @w->cb as said above; @w stays valid until then. */
void slurm_view_wait(struct slurm_view *v, struct slurm_view_wait *w);

/* slurm_view_unwait - @w will not be called (its asker went away). */
void slurm_view_unwait(struct slurm_view *v, struct slurm_view_wait *w);

/*
 * slurm_view_balancer_may_place - may the balancer send a task of @job to
 * @idx?  As slurm_view_may_place(), except that with SlurmPollInterval=0
 * every node may take work, and that with @lenient a job whose partition
 * this node does not know (yet) is judged by the node's state alone: a
 * cluster-wide plan (`ssictl rebalance`, an administrator's) made on a
 * node that is not the tasks' home, which alone has asked for it.
 */
bool slurm_view_balancer_may_place(struct slurm_view *v, int64_t job, int idx,
				   int home, bool lenient, uint64_t now_ms);

/*
 * slurm_view_node_state - Slurm's state of node @idx ("IDLE",
 * "MIXED+DRAIN"), or NULL when not known.
 */
const char *slurm_view_node_state(const struct slurm_view *v, int idx);

#endif /* SSID_SLURM_VIEW_H */
