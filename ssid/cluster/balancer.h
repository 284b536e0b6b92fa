/* SPDX-License-Identifier: GPL-2.0 */
/*
 * balancer.h - ssid's balancer: a plan over the cluster's load for the
 * tasks registered here (ssictl rebalance asks for one and carries it
 * out), and the automatic balancer that moves tasks of policy auto by
 * itself, one migration at a time, every BalanceInterval.
 *
 * The automatic balancer of a node moves only the tasks registered with
 * it (its home tasks): their deputies are here, and so is the decision.
 * An administrator's plan (ssictl rebalance) covers every node's tasks,
 * from the cluster view (cluster_view.h); each move is then made by the task's
 * home.
 */
#ifndef SSID_BALANCER_H
#define SSID_BALANCER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cluster/balance_plan.h"

struct ssi_conf;
struct peers;
struct tasks;
struct migrate;

struct sampler;

struct balancer_ctx {
	const struct ssi_conf *conf;
	struct peers *peers;
	struct tasks *tasks;
	struct migrate *migrate;
	struct sampler *sampler;	/* this node's runnable count at plan time */
	struct slurm_view *slurm;	/* where a job's tasks may go */
};

/* Who plans: which nodes count, whose tasks, which policies. */
struct balancer_filter {
	const char *const *nodes;	/* NULL: every node, else these */
	size_t nnodes;
	bool admin;			/* all tasks, else @uid's only */
	uid_t uid;
	bool auto_only;			/* policy auto only (the automatic one) */
	bool here_only;			/* tasks running on this node only */
	unsigned int candidates;	/* 0: every other node; else that many,
					 * drawn at random (BalanceCandidates) */
	pid_t client;			/* who asked (not load), or 0 */
	int evacuate;			/* balancer_plan_view(): 1 + the index
					 * of a node to empty (evacuate_plan()),
					 * or 0: balance */
	bool memory;			/* balancer_plan(): moves off nodes
					 * short of memory (memory_plan()) */
};

struct balancer_plan {
	size_t nn, nt, nmoves;
	struct balance_node *nodes;	/* conf->nnodes, loads as planned */
	uint32_t *before;		/* each node's load score before */
	struct balance_task *tasks;
	struct balance_move *moves;
};

/*
 * balancer_plan - plan over the current heartbeats, this node's runnable
 * count brought up to date (sampler_runnable()): a plan asked for just
 * after work started here must see it.  Eligible nodes are up (or this
 * node), have sent a load vector, run this node's kernel and pass @f.
 * Returns 0 or -ENOMEM; free with balancer_plan_free().
 */
int balancer_plan(const struct balancer_ctx *c, const struct balancer_filter *f,
		  struct balancer_plan *out);
void balancer_plan_free(struct balancer_plan *p);

struct taskview_task;

/*
 * balancer_plan_view - as balancer_plan(), over the @nt tasks of every node
 * in @t (a cluster view): a task may move if it runs at home or steadily
 * on another node, and its home and node are known.  With @f->evacuate,
 * the plan empties that node instead (evacuate_plan()), which takes none.
 */
int balancer_plan_view(const struct balancer_ctx *c, const struct balancer_filter *f,
		       const struct taskview_task *t, size_t nt,
		       struct balancer_plan *out);

/*
 * balancer_timer - the automatic balancer: every conf->balance_interval_ms,
 * with no migration of this node in progress, the first move of an
 * auto-only plan of this node's tasks is started.  Returns the next
 * deadline.
 */
uint64_t balancer_timer(const struct balancer_ctx *c, uint64_t now_ms);

/*
 * balancer_pause - stop (@paused) or restart the automatic balancer of
 * this node (ssictl balancer pause|resume): while paused it moves
 * nothing; ssictl rebalance and migrate still work.  Not kept across a
 * restart of ssid.  balancer_paused - whether it is.
 */
void balancer_pause(bool paused);
bool balancer_paused(void);

/*
 * balancer_kick - a job started or ended somewhere (select/ssi says so
 * through the controller's ssid): run the automatic balancer's next round
 * at @at_ms at the latest, rather than a whole BalanceInterval later, so
 * that freed cores are used soon and busy ones are relieved.
 */
void balancer_kick(uint64_t at_ms);

#endif
