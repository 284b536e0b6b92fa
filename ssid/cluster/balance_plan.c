// SPDX-License-Identifier: GPL-2.0
/*
 * balance_plan.c - the balancer's plan (see balance_plan.h).
 */
#include <stdlib.h>

#include "cluster/balance_plan.h"

/* The first task on node @n that may still move, or -1. */
static long movable_on(const struct balance_task *tasks, size_t nt,
		       const bool *moved, int n)
{
	size_t i;

	for (i = 0; i < nt; i++)
		if (tasks[i].where == n && tasks[i].movable && !moved[i])
			return (long)i;
	return -1;
}

static uint32_t weight_of(const struct balance_task *t)
{
	return t->weight ? t->weight : 1;
}

/* Task @ti (@t) goes from node @from to @to: in *@mv, and in the loads. */
static void record(struct balance_node *nodes, const struct balance_task *t, size_t ti,
		   int from, int to, struct balance_move *mv)
{
	mv->task = ti;
	mv->from = from;
	mv->to = to;
	mv->from_before = load_score(&nodes[from].load);
	mv->to_before = load_score(&nodes[to].load);
	load_move_runnable(&nodes[from].load, &nodes[to].load, weight_of(t));
	mv->from_after = load_score(&nodes[from].load);
	mv->to_after = load_score(&nodes[to].load);
}

/* The idlest node that may take @t away from @src, or -1. */
static int idlest_for(const struct balance_node *nodes, size_t nn,
		      const struct balance_task *t, int src,
		      const struct balance_params *p)
{
	int dst = -1;
	size_t i;

	for (i = 0; i < nn; i++) {
		if (!nodes[i].eligible || nodes[i].closed || (int)i == src ||
		    (p->may_go && !p->may_go(p->arg, t, (int)i)))
			continue;
		if (dst < 0 || load_score(&nodes[i].load) < load_score(&nodes[dst].load))
			dst = (int)i;
	}
	return dst;
}

/*
 * The first task of @src whose move to the idlest node that may take it
 * pays by its weight, with that node in *@dst; or -1.
 */
static long worth_on(const struct balance_node *nodes, size_t nn,
		     const struct balance_task *tasks, size_t nt, const bool *moved,
		     int src, const struct balance_params *p, int *dst)
{
	size_t i;

	for (i = 0; i < nt; i++) {
		if (tasks[i].where != src || !tasks[i].movable || moved[i])
			continue;
		*dst = idlest_for(nodes, nn, &tasks[i], src, p);
		if (*dst >= 0 &&
		    load_worth_moving(&nodes[src].load, &nodes[*dst].load, p->threshold,
				      p->hysteresis, weight_of(&tasks[i])))
			return (long)i;
	}
	return -1;
}

size_t balance_plan(struct balance_node *nodes, size_t nn,
		    const struct balance_task *tasks, size_t nt,
		    const struct balance_params *p,
		    struct balance_move *out, size_t max)
{
	bool *moved = calloc(nt ? nt : 1, sizeof(*moved));
	/* a node none of whose tasks pays to move: loads only rise elsewhere */
	bool *spent = calloc(nn ? nn : 1, sizeof(*spent));
	size_t n = 0, i;

	if (!moved || !spent)
		goto out;
	while (n < max) {
		struct balance_move *mv = &out[n];
		int src = -1, dst = -1;
		long t;

		for (i = 0; i < nn; i++) {
			if (!nodes[i].eligible || spent[i] ||
			    movable_on(tasks, nt, moved, (int)i) < 0)
				continue;
			if (src < 0 || load_score(&nodes[i].load) >
				       load_score(&nodes[src].load))
				src = (int)i;
		}
		if (src < 0)
			break;
		t = worth_on(nodes, nn, tasks, nt, moved, src, p, &dst);
		if (t < 0) {
			spent[src] = true;
			continue;
		}
		moved[t] = true;
		record(nodes, &tasks[t], (size_t)t, src, dst, mv);
		n++;
	}
out:
	free(moved);
	free(spent);
	return n;
}

size_t evacuate_plan(struct balance_node *nodes, size_t nn,
		     const struct balance_task *tasks, size_t nt, int from,
		     const struct balance_params *p,
		     struct balance_move *out, size_t max)
{
	size_t n = 0, i;
	int to;

	for (i = 0; i < nt && n < max; i++) {
		const struct balance_task *t = &tasks[i];
		struct balance_move *mv = &out[n];

		if (t->where != from || !t->movable)
			continue;
		to = t->home != from && t->home >= 0 && (size_t)t->home < nn ? t->home :
		     idlest_for(nodes, nn, t, from, p);
		if (to < 0)
			continue;
		record(nodes, t, i, from, to, mv);
		n++;
	}
	return n;
}

/* What @n lacks below its low water, in kB; 0 when it has enough. */
static uint64_t mem_short(const struct balance_node *n)
{
	return n->low_water_kb > n->load.mem_free_kb ?
	       n->low_water_kb - n->load.mem_free_kb : 0;
}

/* Does @n keep its low water with @kb more in use? */
static bool mem_room(const struct balance_node *n, uint64_t kb)
{
	return n->load.mem_free_kb >= kb && n->load.mem_free_kb - kb >= n->low_water_kb;
}

/* Where task @t (on pressed node @src) goes for memory, or -1. */
static int mem_dest(const struct balance_node *nodes, size_t nn,
		    const struct balance_task *t, int src,
		    const struct balance_params *p)
{
	int dst = -1;
	size_t i;

	if (t->home != src && t->home >= 0 && (size_t)t->home < nn &&
	    mem_room(&nodes[t->home], t->rss_kb))
		return t->home;
	for (i = 0; i < nn; i++) {
		if (!nodes[i].eligible || nodes[i].closed || (int)i == src ||
		    !mem_room(&nodes[i], t->rss_kb) ||
		    (p->may_go && !p->may_go(p->arg, t, (int)i)))
			continue;
		if (dst < 0 || nodes[i].load.mem_free_kb > nodes[dst].load.mem_free_kb)
			dst = (int)i;
	}
	return dst;
}

size_t memory_plan(struct balance_node *nodes, size_t nn,
		   const struct balance_task *tasks, size_t nt,
		   const struct balance_params *p,
		   struct balance_move *out, size_t max)
{
	bool *moved = calloc(nt ? nt : 1, sizeof(*moved));
	/* a pressed node none of whose tasks fits elsewhere */
	bool *spent = calloc(nn ? nn : 1, sizeof(*spent));
	size_t n = 0, i;

	if (!moved || !spent)
		goto out;
	while (n < max) {
		long best = -1;
		int src = -1, dst = -1;

		for (i = 0; i < nn; i++)
			if (!spent[i] && mem_short(&nodes[i]) &&
			    (src < 0 || mem_short(&nodes[i]) > mem_short(&nodes[src])))
				src = (int)i;
		if (src < 0)
			break;
		/* its largest task that fits somewhere */
		for (i = 0; i < nt; i++) {
			int to;

			if (tasks[i].where != src || !tasks[i].movable || moved[i] ||
			    (best >= 0 && tasks[i].rss_kb <= tasks[best].rss_kb))
				continue;
			to = mem_dest(nodes, nn, &tasks[i], src, p);
			if (to >= 0) {
				best = (long)i;
				dst = to;
			}
		}
		if (best < 0) {
			spent[src] = true;
			continue;
		}
		moved[best] = true;
		record(nodes, &tasks[best], (size_t)best, src, dst, &out[n]);
		nodes[src].load.mem_free_kb += tasks[best].rss_kb;
		nodes[dst].load.mem_free_kb -= tasks[best].rss_kb;
		n++;
	}
out:
	free(moved);
	free(spent);
	return n;
}
