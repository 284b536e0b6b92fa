// SPDX-License-Identifier: GPL-2.0
/*
 * balancer.c - ssid's balancer (see balancer.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/balancer.h"
#include "daemon/conf.h"
#include "control/control_proto.h"
#include "common/log.h"
#include "common/procfs.h"
#include "daemon/loop.h"
#include "migrate/migrate.h"
#include "cluster/peers.h"
#include "cluster/load_sample.h"
#include "cluster/task_view.h"
#include "control/task_registry.h"
#include "slurm/slurm_view.h"
#include "migrate/move_request.h"
#include "migrate/usage.h"

static bool node_wanted(const struct balancer_filter *f, const char *name)
{
	size_t i;

	if (!f->nodes)
		return true;
	for (i = 0; i < f->nnodes; i++)
		if (!strcmp(f->nodes[i], name))
			return true;
	return false;
}

/*
 * Keep @k eligible nodes besides @self, drawn at random (reservoir): on a
 * large cluster each node looks at a few peers per round, and different
 * nodes at different ones, so they do not all pick the same idle node.
 */
static void draw_candidates(struct balance_node *n, size_t nn, int self,
			    unsigned int k)
{
	size_t i, seen = 0;
	int *keep = malloc(k * sizeof(*keep));
	unsigned int kept = 0;

	if (!keep)
		return;
	for (i = 0; i < nn; i++) {
		if ((int)i == self || !n[i].eligible)
			continue;
		seen++;
		if (kept < k)
			keep[kept++] = (int)i;
		else if ((size_t)rand() % seen < k)
			keep[(size_t)rand() % k] = (int)i;
		n[i].eligible = false;
	}
	for (i = 0; i < kept; i++)
		n[keep[i]].eligible = true;
	free(keep);
}

/*
 * Pids the automatic balancer moved lately.  A task registered at fork
 * (slurmstepd's task_post_fork, before the exec) or one that came back for
 * a call only home runs would otherwise be sent off again at once, and
 * come back again: it waits a few intervals.
 */
#define BALANCER_SETTLE		2	/* intervals after registering */
#define BALANCER_SETTLE_MOVED	6	/* intervals after a move */
#define BALANCER_RECENT	64
static struct {
	pid_t pid;
	uint64_t ms;
} recent[BALANCER_RECENT];
static unsigned int recent_next;

static bool settling(const struct task *t, uint64_t now, uint64_t interval)
{
	unsigned int i;

	if (now - t->registered_ms < BALANCER_SETTLE * interval)
		return true;
	for (i = 0; i < BALANCER_RECENT; i++)
		if (recent[i].pid == t->pid && recent[i].ms &&
		    now - recent[i].ms < BALANCER_SETTLE_MOVED * interval)
			return true;
	return false;
}

void balancer_plan_free(struct balancer_plan *p)
{
	free(p->nodes);
	free(p->before);
	free(p->tasks);
	free(p->moves);
	memset(p, 0, sizeof(*p));
}

/* The nodes of a plan, and room for @nt tasks and moves. */
static int plan_nodes(const struct balancer_ctx *c, const struct balancer_filter *f,
		      size_t nt, struct balancer_plan *out)
{
	size_t nn = c->conf->nnodes, i;
	uint64_t now = clock_mono_ms();

	memset(out, 0, sizeof(*out));
	out->nodes = calloc(nn, sizeof(*out->nodes));
	out->before = calloc(nn, sizeof(*out->before));
	out->tasks = calloc(nt ? nt : 1, sizeof(*out->tasks));
	out->moves = calloc(nt ? nt : 1, sizeof(*out->moves));
	if (!out->nodes || !out->before || !out->tasks || !out->moves) {
		balancer_plan_free(out);
		return -ENOMEM;
	}
	out->nn = nn;
	for (i = 0; i < nn; i++) {
		struct balance_node *n = &out->nodes[i];
		struct peer_info pi;

		peers_info(c->peers, (int)i, now, &pi);
		n->name = pi.name;
		n->load = pi.load;
		n->eligible = pi.have_load && node_wanted(f, pi.name) &&
			      !c->conf->nodes[i].no_migrate &&
			      (pi.self || (pi.state == PEER_UP && !pi.mig_refusal[0]));
		/* Slurm's word on the node itself, this one too (no home here) */
		n->closed = !slurm_view_balancer_may_place(c->slurm, -1, (int)i, -1,
							  false, now);
		if (pi.self && c->sampler)
			sampler_runnable(c->sampler, f->client, &n->load.runnable);
		out->before[i] = load_score(&n->load);
		n->low_water_kb = n->load.mem_total_kb * c->conf->mem_low_water_pct / 100;
	}
	if (f->candidates)
		draw_candidates(out->nodes, nn, peers_self(c->peers), f->candidates);
	return 0;
}

/* Slurm's word on a task of this node (slurm_view.h): its home knows its job. */
static bool may_go_here(void *arg, const struct balance_task *t, int to)
{
	const struct balancer_ctx *c = arg;

	return slurm_view_balancer_may_place(c->slurm, t->job, to, t->home, false,
					     clock_mono_ms());
}

/* The same for any node's task: a job this node has not heard of yet passes. */
static bool may_go_view(void *arg, const struct balance_task *t, int to)
{
	const struct balancer_ctx *c = arg;

	return slurm_view_balancer_may_place(c->slurm, t->job, to, t->home, true,
					     clock_mono_ms());
}

static void plan_moves(const struct balancer_ctx *c, struct balancer_plan *out,
		       bool (*may_go)(void *, const struct balance_task *, int))
{
	struct balance_params bp = { c->conf->balance_threshold,
				     c->conf->balance_hysteresis, may_go, (void *)c };

	out->nmoves = balance_plan(out->nodes, out->nn, out->tasks, out->nt, &bp,
				   out->moves, out->nt);
}

/*
 * What task @pid weighs: its runnable threads when it runs here (at least
 * 1: a task caught waiting still wants its CPU back); 1 when it runs
 * elsewhere, whose node knows (the cluster-wide plan asks it).
 */
static uint32_t weight_here(pid_t pid, const char *where)
{
	uint32_t threads, runnable;

	if (where || procfs_threads(pid, &threads, &runnable) || !runnable)
		return 1;
	return runnable;
}

/*
 * What task @pid holds in memory: its resident set here, or away (whose
 * node knows it now) what it held when it left, or its peak there since
 * if that is more.
 */
static uint64_t memory_of(const struct balancer_ctx *c, pid_t pid, const char *where)
{
	struct usage_sample s;
	uint64_t kb = 0;

	if (where)
		return migrate_memory_kb(c->migrate, pid);
	return usage_read(pid, &s, &kb) ? 0 : kb;
}

int balancer_plan(const struct balancer_ctx *c, const struct balancer_filter *f,
		  struct balancer_plan *out)
{
	size_t nt = tasks_count(c->tasks), i;
	int self = peers_self(c->peers);
	uint64_t now = clock_mono_ms();

	if (plan_nodes(c, f, nt, out))
		return -ENOMEM;
	for (i = 0; i < nt; i++) {
		const struct task *t = tasks_at(c->tasks, i);
		struct balance_task *b = &out->tasks[out->nt];
		const char *state = NULL;
		const char *where = migrate_where(c->migrate, t->pid, &state);

		if (!ctlproto_may_see_task(f->admin, f->uid, t->uid))
			continue;
		b->pid = t->pid;
		b->job = t->job;
		b->step = t->step;
		b->task = t->task;
		b->home = self;
		b->where = where ? peers_find(c->peers, where) : self;
		b->weight = weight_here(t->pid, where);
		if (f->memory)
			b->rss_kb = memory_of(c, t->pid, where);
		/* steady (here, or running there), and allowed to move */
		b->movable = (!where || !strcmp(state, "deputy")) && b->where >= 0 &&
			     (!f->auto_only || (t->auto_move &&
				!settling(t, now, c->conf->balance_interval_ms))) &&
			     (!f->here_only || b->where == self);
		out->nt++;
	}
	if (f->memory) {
		struct balance_params bp = { .may_go = may_go_here, .arg = (void *)c };

		out->nmoves = memory_plan(out->nodes, out->nn, out->tasks, out->nt, &bp,
					  out->moves, out->nt);
	} else {
		plan_moves(c, out, may_go_here);
	}
	return 0;
}

int balancer_plan_view(const struct balancer_ctx *c, const struct balancer_filter *f,
		       const struct taskview_task *t, size_t nt,
		       struct balancer_plan *out)
{
	int self = peers_self(c->peers);
	size_t i;

	if (plan_nodes(c, f, nt, out))
		return -ENOMEM;
	for (i = 0; i < nt; i++) {
		struct balance_task *b = &out->tasks[out->nt];

		if (!ctlproto_may_see_task(f->admin, f->uid, t[i].uid))
			continue;
		b->pid = t[i].pid;
		b->job = t[i].job;
		b->step = t[i].step;
		b->task = t[i].task;
		b->home = peers_find(c->peers, t[i].home);
		b->where = peers_find(c->peers, t[i].node);
		b->weight = t[i].runnable ? t[i].runnable : 1;
		/* at home or settled elsewhere; not on its way anywhere */
		b->movable = b->home >= 0 && b->where >= 0 &&
			     (!strcmp(t[i].state, "home") || !strcmp(t[i].state, "migrated")) &&
			     (!f->auto_only || t[i].auto_move) &&
			     (!f->here_only || b->where == self);
		out->nt++;
	}
	if (f->evacuate > 0 && (size_t)f->evacuate <= out->nn) {
		struct balance_params bp = { .may_go = may_go_view, .arg = (void *)c };

		out->nodes[f->evacuate - 1].closed = true;
		out->nmoves = evacuate_plan(out->nodes, out->nn, out->tasks, out->nt,
					    f->evacuate - 1, &bp, out->moves, out->nt);
	} else {
		plan_moves(c, out, may_go_view);
	}
	return 0;
}

/* ------------------------------------------------------------- automatic */

static uint64_t next_ms;
static bool paused;

void balancer_kick(uint64_t at_ms)
{
	if (at_ms < next_ms)
		next_ms = at_ms;
}

void balancer_pause(bool on)
{
	paused = on;
}

bool balancer_paused(void)
{
	return paused;
}


static void auto_done(void *arg, const struct migreq_result *res)
{
	if (res->code)
		log_notice("balancer: pid %d not moved: %s", (int)(intptr_t)arg, res->msg);
	else if (res->r.home)
		log_notice("balancer: pid %d runs at home again", (int)res->r.pid);
	else
		log_notice("balancer: pid %d now runs on %s", (int)res->r.pid, res->r.node);
}

/*
 * The automatic balancer's plan: first this node's tasks, wherever they
 * run, off nodes short of memory (before the OOM killer acts there); else
 * tasks running here to less loaded nodes.
 */
static int auto_plan(const struct balancer_ctx *c, struct balancer_plan *p)
{
	struct balancer_filter f = { .admin = true, .auto_only = true, .memory = true };
	const struct balance_move *mv;
	const struct balance_node *from;

	if (c->conf->mem_low_water_pct) {
		if (balancer_plan(c, &f, p))
			return -ENOMEM;
		if (p->nmoves) {
			mv = &p->moves[0];
			from = &p->nodes[mv->from];
			log_notice("balancer: %s has %llu MiB available, below its low water of %llu MiB: "
				   "moving pid %d (%llu MiB) to %s",
				   from->name, (unsigned long long)(from->load.mem_free_kb -
								     p->tasks[mv->task].rss_kb) >> 10,
				   (unsigned long long)from->low_water_kb >> 10,
				   (int)p->tasks[mv->task].pid,
				   (unsigned long long)p->tasks[mv->task].rss_kb >> 10,
				   p->nodes[mv->to].name);
			return 0;
		}
		balancer_plan_free(p);
	}
	f = (struct balancer_filter){ .admin = true, .auto_only = true, .here_only = true,
				      .candidates = c->conf->balance_candidates };
	if (balancer_plan(c, &f, p))
		return -ENOMEM;
	if (p->nmoves) {
		mv = &p->moves[0];
		log_info("balancer: load %u here, %u on %s: moving pid %d (job %lld.%lld task %lld)",
			 mv->from_before, mv->to_before, p->nodes[mv->to].name,
			 (int)p->tasks[mv->task].pid, (long long)p->tasks[mv->task].job,
			 (long long)p->tasks[mv->task].step,
			 (long long)p->tasks[mv->task].task);
	}
	return 0;
}

uint64_t balancer_timer(const struct balancer_ctx *c, uint64_t now)
{
	struct balancer_plan p;
	const struct balance_move *mv;
	struct migreq_result res;
	void *handle;
	pid_t pid;

	if (now < next_ms)
		return next_ms;
	next_ms = now + c->conf->balance_interval_ms;
	/* one at a time: the loads must show the last move first */
	if (paused || migrate_busy(c->migrate) || auto_plan(c, &p))
		return next_ms;
	if (p.nmoves) {
		mv = &p.moves[0];
		pid = p.tasks[mv->task].pid;
		recent[recent_next].pid = pid;
		recent[recent_next].ms = now;
		recent_next = (recent_next + 1) % BALANCER_RECENT;
		/* home, or on through home, for a task away (move_request.h) */
		if (migreq_start(c->migrate, c->conf, c->peers, c->tasks, c->slurm, pid, mv->to,
				 0, true, auto_done, (void *)(intptr_t)pid, &handle, &res))
			log_notice("balancer: pid %d not moved: %s", (int)pid, res.msg);
	}
	balancer_plan_free(&p);
	return next_ms;
}
