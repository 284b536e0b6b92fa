// SPDX-License-Identifier: GPL-2.0
/*
 * task_view.c - the cluster's tasks, joined (see task_view.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/task_view.h"

/* Home @home's task @pid as guest of source @s, or NULL. */
static const struct msg_task *guest_of(const struct taskview_source *s, const char *home,
				       uint32_t pid)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->recs[i].kind == MSG_TASK_GUEST && s->recs[i].pid == pid &&
		    !strcmp(s->recs[i].node, home))
			return &s->recs[i];
	return NULL;
}

static const struct taskview_source *source_of(const struct taskview_source *src,
					       size_t nsrc, const char *node)
{
	size_t i;

	for (i = 0; i < nsrc; i++)
		if (!strcmp(src[i].node, node))
			return &src[i];
	return NULL;
}

int taskview_join(const struct taskview_source *src, size_t nsrc,
		  struct taskview_task **out, size_t *n)
{
	size_t i, j, k = 0, total = 0;
	struct taskview_task *v;

	*out = NULL;
	*n = 0;
	for (i = 0; i < nsrc; i++)
		for (j = 0; j < src[i].n; j++)
			total += src[i].recs[j].kind == MSG_TASK_TASK;
	if (!total)
		return 0;
	v = calloc(total, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < nsrc; i++) {
		for (j = 0; j < src[i].n; j++) {
			const struct msg_task *r = &src[i].recs[j];
			struct taskview_task *t = &v[k];
			const struct taskview_source *there;
			const struct msg_task *g;

			if (r->kind != MSG_TASK_TASK)
				continue;
			t->pid = (pid_t)r->pid;
			t->uid = r->uid;
			t->job = r->job;
			t->step = r->step;
			t->task = r->task;
			t->auto_move = r->flags & MSG_TASK_AUTO;
			t->home = src[i].node;
			t->node = r->node;
			t->state = r->state;
			if (!strcmp(r->node, src[i].node)) {
				t->local_pid = (pid_t)r->local_pid;
				t->runnable = r->runnable;
			} else {
				there = source_of(src, nsrc, r->node);
				g = there ? guest_of(there, src[i].node, r->pid) : NULL;
				t->local_pid = g ? (pid_t)g->local_pid : -1;
				t->runnable = g ? g->runnable : 0;
				if (!strcmp(r->state, "deputy"))
					t->state = "migrated";
			}
			k++;
		}
	}
	*out = v;
	*n = k;
	return 0;
}
