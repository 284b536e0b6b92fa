/* SPDX-License-Identifier: GPL-2.0 */
/*
 * balance_plan.h - the balancer's plan: which registered tasks to move where.
 *
 * Pure: the caller gathers the nodes' load vectors (heartbeats) and its
 * tasks, and carries the moves out (ssictl rebalance, or ssid's automatic
 * balancer).  Greedy: the busiest node that has a movable task gives the
 * first of its tasks whose move to the idlest node that may take it (not
 * closed, and allowed by may_go: the job's partition) pays
 * (load_worth_moving(): beyond the threshold, and the move does not just
 * turn the gap around, so nothing ping-pongs; by its weight, a 4-thread
 * OpenMP task weighs 4); both loads are updated and the next move is
 * sought.  A node none of whose tasks pays to move is passed over for the
 * next busiest.  A task moves at most once per plan.
 */
#ifndef SSID_BALANCE_PLAN_H
#define SSID_BALANCE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cluster/load.h"

struct balance_node {
	const char *name;
	struct load_vector load;	/* runnable is updated by the plan */
	bool eligible;			/* may give or take tasks */
	bool closed;			/* gives, but takes none (Slurm
					 * does not let it: slurm_view.h) */
	uint64_t low_water_kb;		/* MemoryLowWater of its memory:
					 * below it, tasks move off; 0: none */
};

struct balance_task {
	pid_t pid;
	int64_t job, step, task;	/* Slurm ids, -1 if none */
	int where;			/* index of the node it runs on */
	int home;			/* index of its home node (its deputy's) */
	uint32_t weight;		/* runnable threads (at least 1): what
					 * it weighs on a node's CPUs */
	bool movable;			/* its policy and state allow it */
	uint64_t rss_kb;		/* its resident memory (an estimate
					 * for one away: memory_plan) */
};

struct balance_move {
	size_t task;			/* index in the task array */
	int from, to;			/* node indexes */
	uint32_t from_before, from_after;	/* load scores (load_score) */
	uint32_t to_before, to_after;
};

struct balance_params {
	uint32_t threshold;		/* BalanceThreshold, per-mille */
	uint32_t hysteresis;		/* BalanceHysteresis, per-mille */
	/* may task @t go to node @to (its job's partition)?  NULL: yes */
	bool (*may_go)(void *arg, const struct balance_task *t, int to);
	void *arg;
};

/*
 * balance_plan - up to @max moves into @out, in order; returns how many.
 * @nodes' runnable counts end as the plan leaves them.
 */
size_t balance_plan(struct balance_node *nodes, size_t nn,
		    const struct balance_task *tasks, size_t nt,
		    const struct balance_params *p,
		    struct balance_move *out, size_t max);

/*
 * evacuate_plan - empty node @from: each movable task running there goes,
 * whatever the loads: one away from home goes home (its deputy is there:
 * the cheapest move, and always allowed), one at home on @from to the
 * idlest node that may take it (eligible, not closed, may_go; loads are
 * updated as the plan goes, so tasks spread).  A task no node may take
 * is left out (the caller tells it from the moves).  Up to @max moves into
 * @out; returns how many.
 */
size_t evacuate_plan(struct balance_node *nodes, size_t nn,
		     const struct balance_task *tasks, size_t nt, int from,
		     const struct balance_params *p,
		     struct balance_move *out, size_t max);

/*
 * memory_plan - move tasks off the nodes whose available memory
 * (load.mem_free_kb) is below their low_water_kb, before the OOM killer
 * acts.  The node furthest below gives first, its largest tasks first,
 * until it is above again: a task away from home goes home if home keeps
 * its own low water with it there (the cheapest move, and always
 * allowed), else to the node with the most memory available that may
 * take it (eligible, not closed, may_go) and keeps its low water with it.
 * A task that fits nowhere stays.  Nodes' mem_free_kb end as the plan
 * leaves them; a task moves at most once.  Up to @max moves into @out;
 * returns how many.
 */
size_t memory_plan(struct balance_node *nodes, size_t nn,
		   const struct balance_task *tasks, size_t nt,
		   const struct balance_params *p,
		   struct balance_move *out, size_t max);

#endif
