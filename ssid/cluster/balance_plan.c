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
		mv->task = (size_t)t;
		mv->from = src;
		mv->to = dst;
		mv->from_before = load_score(&nodes[src].load);
		mv->to_before = load_score(&nodes[dst].load);
		load_move_runnable(&nodes[src].load, &nodes[dst].load, weight_of(&tasks[t]));
		mv->from_after = load_score(&nodes[src].load);
		mv->to_after = load_score(&nodes[dst].load);
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
		mv->task = i;
		mv->from = from;
		mv->to = to;
		mv->from_before = load_score(&nodes[from].load);
		mv->to_before = load_score(&nodes[to].load);
		load_move_runnable(&nodes[from].load, &nodes[to].load, weight_of(t));
		mv->from_after = load_score(&nodes[from].load);
		mv->to_after = load_score(&nodes[to].load);
		n++;
	}
	return n;
}
