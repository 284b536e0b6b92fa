// SPDX-License-Identifier: GPL-2.0
/*
 * cluster_view.c - views of the whole cluster (see cluster_view.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "transport/ssi_transport.h"

#include "cluster/balancer.h"
#include "cluster/cluster_view.h"
#include "daemon/conf.h"
#include "control/control_proto.h"
#include "common/defaults.h"
#include "common/log.h"
#include "common/procfs.h"
#include "daemon/loop.h"
#include "migrate/migrate.h"
#include "cluster/peer_msg.h"
#include "cluster/peers.h"
#include "control/task_registry.h"

struct view_req {
	struct view_req *next;
	uint32_t id;
	cluster_view_cb cb;
	void *arg;
	uint64_t deadline;
	bool *waiting;			/* per node: asked, no answer yet */
	bool *answered;			/* per node */
	struct msg_task **recs;		/* per node: its answer */
	size_t *nrecs;
	bool truncated;
};

/* A MIGRATE_REQ this node sent for its client. */
struct asked_mig {
	struct asked_mig *next;
	uint32_t id;
	int idx;			/* the home node asked */
	migreq_cb cb;
	void *arg;
	uint64_t deadline;
};

/* A MIGRATE_REQ this node serves for a peer's client. */
struct served_mig {
	struct served_mig *next;
	struct cluster *c;
	int idx;			/* the asker */
	uint32_t id;
	void *handle;			/* move_request.c's */
};

struct cluster {
	const struct ssi_conf *conf;
	struct peers *peers;
	struct tasks *tasks;
	struct migrate *migrate;
	struct slurm_view *slurm;
	struct view_req *views;
	struct asked_mig *asked;
	struct served_mig *served;
	uint32_t next_id;
};

/* ------------------------------------------------------ this node's part */

/*
 * This node's records, as a TASKS_REPLY carries them: its registered tasks
 * and its guests.  Returns how many are in *@out (malloc'd), or -ENOMEM.
 */
static ssize_t local_records(struct cluster *c, struct msg_task **out,
			     bool *truncated)
{
	const char *self = c->conf->nodes[peers_self(c->peers)].name;
	size_t nt = tasks_count(c->tasks), np, i, n = 0, max;
	struct migrate_proc *procs = NULL;
	struct msg_task *v;
	uint32_t threads;

	np = migrate_procs(c->migrate, NULL, 0);
	if (np) {
		procs = calloc(np, sizeof(*procs));
		if (!procs)
			return -ENOMEM;
		np = migrate_procs(c->migrate, procs, np);
	}
	max = nt + np;
	*truncated = max > MSG_TASKS_REC_MAX;
	if (*truncated)
		max = MSG_TASKS_REC_MAX;
	v = calloc(max ? max : 1, sizeof(*v));
	if (!v) {
		free(procs);
		return -ENOMEM;
	}
	for (i = 0; i < nt && n < max; i++) {
		const struct task *t = tasks_at(c->tasks, i);
		const char *state = "home";
		const char *where = migrate_where(c->migrate, t->pid, &state);
		struct msg_task *r = &v[n++];

		r->kind = MSG_TASK_TASK;
		r->flags = t->auto_move ? MSG_TASK_AUTO : 0;
		r->pid = r->local_pid = (uint32_t)t->pid;
		r->uid = t->uid;
		r->job = t->job;
		r->step = t->step;
		r->task = t->task;
		snprintf(r->state, sizeof(r->state), "%s", state);
		snprintf(r->node, sizeof(r->node), "%s", where ? where : self);
		if (!where)
			procfs_threads(t->pid, &threads, &r->runnable);
	}
	for (i = 0; i < np && n < max; i++) {
		struct msg_task *r;

		/* guests only: our own migrated tasks are in the registry */
		if (strcmp(procs[i].where, self) || !strcmp(procs[i].home, self))
			continue;
		r = &v[n++];
		r->kind = MSG_TASK_GUEST;
		r->pid = (uint32_t)procs[i].pid;
		r->local_pid = (uint32_t)procs[i].local_pid;
		r->uid = procs[i].uid;
		r->job = r->step = r->task = -1;
		snprintf(r->state, sizeof(r->state), "%s", procs[i].state);
		snprintf(r->node, sizeof(r->node), "%s", procs[i].home);
		r->runnable = procs[i].runnable > 0 ? (uint32_t)procs[i].runnable : 0;
	}
	free(procs);
	*out = v;
	return (ssize_t)n;
}

static void answer_query(struct cluster *c, int idx, const struct ssi_tp_msg *msg)
{
	struct msg_tasks_query q;
	struct msg_tasks_reply r = { 0 };
	unsigned char hdr[MSG_TASKS_REPLY_HDR_LEN], *body;
	struct msg_task *recs;
	struct iovec iov[2];
	bool truncated;
	ssize_t n;
	size_t i;
	int rc;

	if (msg_decode_tasks_query(msg->data, msg->len, &q)) {
		log_warn("node %s: malformed tasks query", peers_node_name(c->peers, idx));
		return;
	}
	n = local_records(c, &recs, &truncated);
	if (n < 0)
		return;		/* the asker lists us as silent */
	body = malloc((size_t)n * MSG_TASK_REC_LEN + 1);
	if (!body) {
		free(recs);
		return;
	}
	for (i = 0; i < (size_t)n; i++)
		msg_encode_task(&recs[i], body + i * MSG_TASK_REC_LEN);
	free(recs);
	r.id = q.id;
	r.flags = truncated ? MSG_TASKS_TRUNCATED : 0;
	r.count = (uint32_t)n;
	iov[0] = (struct iovec){ hdr, msg_encode_tasks_reply(&r, hdr) };
	iov[1] = (struct iovec){ body, (size_t)n * MSG_TASK_REC_LEN };
	rc = peers_send(c->peers, idx, SSID_MSG_TASKS_REPLY, iov, 2);
	if (rc)
		log_info("node %s: tasks reply not sent: %s",
			 peers_node_name(c->peers, idx), strerror(-rc));
	free(body);
}

/* ------------------------------------------------------------ the asker */

static void view_free(struct cluster *c, struct view_req *v)
{
	size_t i;

	for (i = 0; i < c->conf->nnodes; i++)
		free(v->recs[i]);
	free(v->recs);
	free(v->nrecs);
	free(v->waiting);
	free(v->answered);
	free(v);
}

static void view_unlink(struct cluster *c, struct view_req *v)
{
	struct view_req **pp;

	for (pp = &c->views; *pp; pp = &(*pp)->next) {
		if (*pp == v) {
			*pp = v->next;
			return;
		}
	}
}

/* Join what came, call the asker back, free @v (already unlinked). */
static void view_finish(struct cluster *c, struct view_req *v)
{
	size_t nn = c->conf->nnodes, i, ns = 0;
	struct taskview_source *src = calloc(nn, sizeof(*src));
	const char **missing = calloc(nn, sizeof(*missing));
	struct cluster_view out = { .missing = missing,
				    .truncated = v->truncated };

	if (!src || !missing) {
		v->cb(v->arg, NULL);
		goto out;
	}
	for (i = 0; i < nn; i++) {
		if (!v->answered[i]) {
			missing[out.nmissing++] = c->conf->nodes[i].name;
			continue;
		}
		src[ns].node = c->conf->nodes[i].name;
		src[ns].recs = v->recs[i];
		src[ns].n = v->nrecs[i];
		ns++;
	}
	if (taskview_join(src, ns, &out.tasks, &out.n)) {
		v->cb(v->arg, NULL);
		goto out;
	}
	v->cb(v->arg, &out);
	free(out.tasks);
out:
	free(src);
	free(missing);
	view_free(c, v);
}

static void take_reply(struct cluster *c, int idx, const struct ssi_tp_msg *msg)
{
	struct msg_tasks_reply r;
	struct view_req *v;
	uint32_t i;

	if (msg_decode_tasks_reply(msg->data, msg->len, &r)) {
		log_warn("node %s: malformed tasks reply", peers_node_name(c->peers, idx));
		return;
	}
	for (v = c->views; v && v->id != r.id; v = v->next)
		;
	if (!v || !v->waiting[idx])
		return;		/* late: that view is finished */
	v->recs[idx] = calloc(r.count ? r.count : 1, sizeof(**v->recs));
	if (!v->recs[idx])
		return;
	for (i = 0; i < r.count; i++) {
		if (msg_decode_task(&r, i, &v->recs[idx][v->nrecs[idx]])) {
			log_warn("node %s: bad task record %u in its reply",
				    peers_node_name(c->peers, idx), i);
			continue;
		}
		v->nrecs[idx]++;
	}
	v->truncated |= r.flags & MSG_TASKS_TRUNCATED;
	v->waiting[idx] = false;
	v->answered[idx] = true;
	for (i = 0; i < c->conf->nnodes; i++)
		if (v->waiting[i])
			return;
	view_unlink(c, v);
	view_finish(c, v);
}

/* ------------------------------------------------- migrations for peers */

static void send_rep(struct cluster *c, int idx, uint32_t id,
		     const struct migreq_result *q)
{
	struct msg_migrate_rep rep = { .id = id };
	unsigned char buf[MSG_MIGRATE_REP_LEN];
	struct iovec iov = { buf, 0 };
	int rc;

	if (q->code) {
		snprintf(rep.code, sizeof(rep.code), "%s", q->code);
		/* the reason may be cut: the wire carries 200 bytes */
		snprintf(rep.msg, sizeof(rep.msg), "%.200s", q->msg);
		rep.pid = 1;	/* unused, but a valid pid */
	} else {
		rep.flags = (q->r.home ? MSG_MIGRATE_HOME : 0) |
			    (q->via_home ? MSG_MIGRATE_VIA_HOME : 0);
		rep.pid = (uint32_t)q->r.pid;
		rep.remote_pid = (uint32_t)q->r.remote_pid;
		rep.bytes = q->r.bytes;
		rep.pages = q->r.pages;
		rep.vmas = q->r.vmas;
		rep.dump_ns = q->r.dump_ns;
		rep.transfer_ns = q->r.transfer_ns;
		rep.frozen_ns = q->r.frozen_ns;
		snprintf(rep.node, sizeof(rep.node), "%s", q->r.node);
	}
	iov.iov_len = msg_encode_migrate_rep(&rep, buf);
	rc = peers_send(c->peers, idx, SSID_MSG_MIGRATE_REP, &iov, 1);
	if (rc)
		log_notice("node %s: migration result not sent: %s",
			   peers_node_name(c->peers, idx), strerror(-rc));
}

static void served_done(void *arg, const struct migreq_result *q)
{
	struct served_mig *sm = arg, **pp;
	struct cluster *c = sm->c;

	send_rep(c, sm->idx, sm->id, q);
	for (pp = &c->served; *pp; pp = &(*pp)->next) {
		if (*pp == sm) {
			*pp = sm->next;
			break;
		}
	}
	free(sm);
}

static void serve_migrate(struct cluster *c, int idx, const struct ssi_tp_msg *msg)
{
	struct msg_migrate_req req;
	struct migreq_result res;
	struct served_mig *sm;
	int to;

	if (msg_decode_migrate_req(msg->data, msg->len, &req)) {
		log_warn("node %s: malformed migrate request", peers_node_name(c->peers, idx));
		return;
	}
	to = peers_find(c->peers, req.node);
	sm = calloc(1, sizeof(*sm));
	if (to < 0 || !sm) {
		memset(&res, 0, sizeof(res));
		res.code = to < 0 ? CTL_E_NONODE : CTL_E_INTERNAL;
		snprintf(res.msg, sizeof(res.msg), to < 0 ? "no node '%s' in %s" :
			 "out of memory on %s", to < 0 ? req.node : "the home node",
			 c->conf->path);
		send_rep(c, idx, req.id, &res);
		free(sm);
		return;
	}
	log_info("node %s asks for pid %d to move to %s, for uid %u",
		 peers_node_name(c->peers, idx), (int)req.pid, req.node,
		 (unsigned int)req.uid);
	sm->c = c;
	sm->idx = idx;
	sm->id = req.id;
	if (migreq_start(c->migrate, c->conf, c->peers, c->tasks, c->slurm, (pid_t)req.pid,
			 to, req.uid,
			 req.flags & MSG_MIGRATE_ADMIN, served_done, sm,
			 &sm->handle, &res)) {
		send_rep(c, idx, req.id, &res);
		free(sm);
		return;
	}
	sm->next = c->served;
	c->served = sm;
}

static struct asked_mig *asked_take(struct cluster *c, uint32_t id, int idx)
{
	struct asked_mig **pp, *a;

	for (pp = &c->asked; (a = *pp); pp = &a->next) {
		if (a->id == id && (idx < 0 || a->idx == idx)) {
			*pp = a->next;
			return a;
		}
	}
	return NULL;
}

static void take_migrate_rep(struct cluster *c, int idx, const struct ssi_tp_msg *msg)
{
	struct msg_migrate_rep rep;
	struct migreq_result res = { 0 };
	struct asked_mig *a;

	if (msg_decode_migrate_rep(msg->data, msg->len, &rep)) {
		log_warn("node %s: malformed migrate reply", peers_node_name(c->peers, idx));
		return;
	}
	a = asked_take(c, rep.id, idx);
	if (!a)
		return;		/* its client went away */
	if (rep.code[0]) {
		res.code = rep.code;
		snprintf(res.msg, sizeof(res.msg), "%s", rep.msg);
	} else {
		res.r.pid = (pid_t)rep.pid;
		res.r.node = rep.node;
		res.r.home = rep.flags & MSG_MIGRATE_HOME;
		res.r.remote_pid = (pid_t)rep.remote_pid;
		res.r.bytes = rep.bytes;
		res.r.pages = rep.pages;
		res.r.vmas = rep.vmas;
		res.r.dump_ns = rep.dump_ns;
		res.r.transfer_ns = rep.transfer_ns;
		res.r.frozen_ns = rep.frozen_ns;
		res.via_home = rep.flags & MSG_MIGRATE_VIA_HOME;
	}
	a->cb(a->arg, &res);
	free(a);
}

int cluster_migrate(struct cluster *c, int home_idx, pid_t pid, int to_idx,
		    uid_t uid, bool admin, migreq_cb cb, void *arg, void **handle,
		    struct migreq_result *res)
{
	struct msg_migrate_req req = { .pid = (uint32_t)pid, .uid = uid,
				       .flags = admin ? MSG_MIGRATE_ADMIN : 0 };
	unsigned char buf[MSG_MIGRATE_REQ_LEN];
	struct iovec iov = { buf, 0 };
	struct asked_mig *a;

	memset(res, 0, sizeof(*res));
	a = calloc(1, sizeof(*a));
	if (!a) {
		res->code = CTL_E_INTERNAL;
		snprintf(res->msg, sizeof(res->msg), "out of memory");
		return -1;
	}
	req.id = a->id = ++c->next_id;
	snprintf(req.node, sizeof(req.node), "%s", c->conf->nodes[to_idx].name);
	iov.iov_len = msg_encode_migrate_req(&req, buf);
	if (!peers_is_up(c->peers, home_idx) ||
	    peers_send(c->peers, home_idx, SSID_MSG_MIGRATE_REQ, &iov, 1)) {
		res->code = CTL_E_NOTCONN;
		snprintf(res->msg, sizeof(res->msg), "pid %d lives on %s, which is not connected",
			 (int)pid, c->conf->nodes[home_idx].name);
		free(a);
		return -1;
	}
	a->idx = home_idx;
	a->cb = cb;
	a->arg = arg;
	a->deadline = clock_mono_ms() + SSICTL_MIGRATE_TIMEOUT_MS;
	a->next = c->asked;
	c->asked = a;
	*handle = a;
	return 0;
}

void cluster_forget_migrate(struct cluster *c, void *handle)
{
	struct asked_mig *a = handle;

	free(asked_take(c, a->id, -1));
}

/* ------------------------------------------------------------ job events */

/* Loads show a job's start or end by the next heartbeat; give it two. */
static void kick(struct cluster *c)
{
	balancer_kick(clock_mono_ms() + 2 * (uint64_t)c->conf->hb_interval_ms);
}

void cluster_job_event(struct cluster *c, uint32_t job, bool start)
{
	struct msg_job_event ev = { job, start ? MSG_JOB_START : MSG_JOB_END };
	unsigned char buf[MSG_JOB_EVENT_LEN];
	struct iovec iov = { buf, msg_encode_job_event(&ev, buf) };
	size_t i;

	for (i = 0; i < c->conf->nnodes; i++)
		if ((int)i != peers_self(c->peers) && peers_is_up(c->peers, (int)i))
			peers_send(c->peers, (int)i, SSID_MSG_JOB_EVENT, &iov, 1);
	kick(c);
}

static void take_job_event(struct cluster *c, int idx, const struct ssi_tp_msg *msg)
{
	struct msg_job_event ev;

	if (msg_decode_job_event(msg->data, msg->len, &ev)) {
		log_warn("node %s: malformed job event", peers_node_name(c->peers, idx));
		return;
	}
	log_info("node %s: job %u %s", peers_node_name(c->peers, idx), ev.job,
		 ev.event == MSG_JOB_START ? "started" : "ended");
	kick(c);
}

static void on_msg(void *arg, int idx, const struct ssi_tp_msg *msg)
{
	struct cluster *c = arg;

	switch (msg->type) {
	case SSID_MSG_TASKS_QUERY:
		answer_query(c, idx, msg);
		break;
	case SSID_MSG_TASKS_REPLY:
		take_reply(c, idx, msg);
		break;
	case SSID_MSG_MIGRATE_REQ:
		serve_migrate(c, idx, msg);
		break;
	case SSID_MSG_MIGRATE_REP:
		take_migrate_rep(c, idx, msg);
		break;
	case SSID_MSG_JOB_EVENT:
		take_job_event(c, idx, msg);
		break;
	default:
		break;
	}
}

int cluster_tasks(struct cluster *c, cluster_view_cb cb, void *arg,
		  void **handle)
{
	size_t nn = c->conf->nnodes, i;
	int self = peers_self(c->peers);
	struct view_req *v = calloc(1, sizeof(*v));
	struct msg_tasks_query q;
	unsigned char buf[MSG_TASKS_QUERY_LEN];
	struct iovec iov = { buf, 0 };
	bool asked = false, truncated;
	ssize_t n;

	if (!v)
		return -ENOMEM;
	v->waiting = calloc(nn, sizeof(*v->waiting));
	v->answered = calloc(nn, sizeof(*v->answered));
	v->recs = calloc(nn, sizeof(*v->recs));
	v->nrecs = calloc(nn, sizeof(*v->nrecs));
	if (!v->waiting || !v->answered || !v->recs || !v->nrecs)
		goto nomem;
	n = local_records(c, &v->recs[self], &truncated);
	if (n < 0)
		goto nomem;
	v->nrecs[self] = (size_t)n;
	v->answered[self] = true;
	v->truncated = truncated;
	v->id = ++c->next_id;
	v->cb = cb;
	v->arg = arg;
	q.id = v->id;
	iov.iov_len = msg_encode_tasks_query(&q, buf);
	for (i = 0; i < nn; i++) {
		if ((int)i == self || !peers_is_up(c->peers, (int)i))
			continue;
		if (peers_send(c->peers, (int)i, SSID_MSG_TASKS_QUERY, &iov, 1))
			continue;
		v->waiting[i] = true;
		asked = true;
	}
	/* nobody to wait for: the timer answers on the next loop turn */
	v->deadline = clock_mono_ms() + (asked ? SSI_CLUSTER_QUERY_MS : 0);
	v->next = c->views;
	c->views = v;
	*handle = v;
	return 0;
nomem:
	view_free(c, v);
	return -ENOMEM;
}

void cluster_forget(struct cluster *c, void *handle)
{
	struct view_req *v = handle;

	view_unlink(c, v);
	view_free(c, v);
}

uint64_t cluster_timer(struct cluster *c, uint64_t now)
{
	uint64_t next = LOOP_NEVER;
	struct view_req *v, *due;
	struct asked_mig *a;
	struct migreq_result res;

	/* a home that went down will not answer: no need to wait for it */
	for (;;) {
		bool up = true;

		for (a = c->asked; a; a = a->next) {
			up = peers_is_up(c->peers, a->idx);
			if (a->deadline <= now || !up)
				break;
		}
		if (!a)
			break;
		asked_take(c, a->id, -1);
		memset(&res, 0, sizeof(res));
		res.code = up ? CTL_E_TIMEOUT : CTL_E_NOTCONN;
		snprintf(res.msg, sizeof(res.msg), "%s %s before it said how the migration went",
			 c->conf->nodes[a->idx].name, up ? "took too long" : "went down");
		a->cb(a->arg, &res);
		free(a);
	}
	for (a = c->asked; a; a = a->next)
		if (a->deadline < next)
			next = a->deadline;

	for (;;) {
		for (due = c->views; due && due->deadline > now; due = due->next)
			;
		if (!due)
			break;
		view_unlink(c, due);
		view_finish(c, due);
	}
	for (v = c->views; v; v = v->next)
		if (v->deadline < next)
			next = v->deadline;
	return next;
}

/* ------------------------------------------------------------ lifecycle */

struct cluster *cluster_create(const struct ssi_conf *conf, struct peers *peers,
			       struct tasks *tasks, struct migrate *migrate,
			       struct slurm_view *slurm)
{
	struct cluster *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->conf = conf;
	c->peers = peers;
	c->tasks = tasks;
	c->migrate = migrate;
	c->slurm = slurm;
	peers_set_cluster_hook(peers, on_msg, c);
	return c;
}

void cluster_destroy(struct cluster *c)
{
	struct migreq_result res = { .code = CTL_E_INTERNAL, .msg = "ssid is stopping" };
	struct served_mig *sm;
	struct asked_mig *a;
	struct view_req *v;

	if (!c)
		return;
	peers_set_cluster_hook(c->peers, NULL, NULL);
	while ((sm = c->served)) {
		c->served = sm->next;
		migreq_forget(c->migrate, sm->handle);
		free(sm);
	}
	while ((a = c->asked)) {
		c->asked = a->next;
		a->cb(a->arg, &res);
		free(a);
	}
	while ((v = c->views)) {
		c->views = v->next;
		v->cb(v->arg, NULL);
		view_free(c, v);
	}
	free(c);
}
