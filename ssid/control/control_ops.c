// SPDX-License-Identifier: GPL-2.0
/*
 * control_ops.c - the control operations (see control_ops.h, and doc/ssid.8
 * for the requests and replies).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "client/policy.h"
#include "control/control_server.h"
#include "control/control_ops.h"
#include "control/control_proto.h"
#include "common/log.h"
#include "common/metrics.h"
#include "cluster/balancer.h"
#include "cluster/cluster_view.h"
#include "slurm/slurm_view.h"
#include "migrate/migrate.h"
#include "migrate/move_request.h"
#include "daemon/loop.h"
#include "dsm/segments.h"
#include "cluster/peers.h"
#include "control/task_registry.h"

struct op {
	const char *name;
	enum ctl_access access;
	void (*run)(struct ctlops *ops, struct ctl_client *cl,
		    json_object *req, json_object *id);
};

/* ----------------------------------------------------------- arguments */

/* A required string argument, or an error reply (returns NULL). */
static const char *arg_string(struct ctl_client *cl, json_object *req,
			      json_object *id, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(req, key, &v) ||
	    !json_object_is_type(v, json_type_string)) {
		ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_REQUEST,
				 "missing \"%s\" (a string)", key));
		return NULL;
	}
	return json_object_get_string(v);
}

/* An optional integer argument in [min, max]; -1 after an error reply. */
static int arg_int(struct ctl_client *cl, json_object *req, json_object *id,
		   const char *key, int min, int max, int dflt, int *out)
{
	json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(req, key, &v)) {
		*out = dflt;
		return 0;
	}
	if (!json_object_is_type(v, json_type_int)) {
		ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_REQUEST,
				 "\"%s\" must be an integer", key));
		return -1;
	}
	n = json_object_get_int64(v);
	if (n < min || n > max) {
		ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_REQUEST,
				 "\"%s\" must be in [%d, %d]", key, min, max));
		return -1;
	}
	*out = (int)n;
	return 0;
}

/* An optional id (an integer >= 0, or absent: -1); -1 after an error reply. */
static int arg_id(struct ctl_client *cl, json_object *req, json_object *id,
		  const char *key, int64_t *out)
{
	json_object *v;

	*out = -1;
	if (!json_object_object_get_ex(req, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0 ||
	    json_object_get_int64(v) > UINT32_MAX) {
		ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_REQUEST,
				 "\"%s\" must be an integer in [0, %u]", key,
				 UINT32_MAX));
		return -1;
	}
	*out = json_object_get_int64(v);
	return 0;
}

/* The index of the node named by "node", or -1 after an error reply. */
static int arg_node(struct ctlops *ops, struct ctl_client *cl,
		    json_object *req, json_object *id)
{
	const char *name = arg_string(cl, req, id, "node");
	int idx;

	if (!name)
		return -1;
	idx = peers_find(ops->peers, name);
	if (idx < 0)
		ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_NONODE,
				 "no node '%.64s' in %s", name,
				 ops->conf->path));
	return idx;
}

/*
 * An optional "policy": a job's --ssi-migratable, "auto" or "manual", or
 * also "none" if @none.  0 when absent, 1 with *@out set when given; -1
 * after an error reply.
 */
static int arg_policy(struct ctl_client *cl, json_object *req, json_object *id,
		      bool none, enum ssi_policy *out)
{
	json_object *v;

	if (!json_object_object_get_ex(req, "policy", &v))
		return 0;
	if (!json_object_is_type(v, json_type_string) ||
	    ssi_policy_from_name(json_object_get_string(v), out) ||
	    (!none && *out == SSI_POLICY_NONE)) {
		ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_REQUEST, none ?
				 "\"policy\" must be \"none\", \"auto\" or \"manual\"" :
				 "\"policy\" must be \"auto\" or \"manual\""));
		return -1;
	}
	return 1;
}

/* A registered task's "policy": what its job asked for. */
static json_object *task_policy(bool auto_move)
{
	return json_object_new_string(ssi_policy_name(auto_move ? SSI_POLICY_AUTO :
						      SSI_POLICY_MANUAL));
}

/* ---------------------------------------------------------------- views */

static void add_u64(json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

static void add_i64_or_null(json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, v < 0 ? NULL : json_object_new_int64(v));
}

static json_object *node_json(struct ctlops *ops, int idx, uint64_t now)
{
	json_object *o = json_object_new_object();
	struct peer_info pi;
	const struct load_vector *l = &pi.load;
	const char *slurm;

	peers_info(ops->peers, idx, now, &pi);
	json_object_object_add(o, "name", json_object_new_string(pi.name));
	json_object_object_add(o, "addr", json_object_new_string(pi.addr));
	json_object_object_add(o, "port", json_object_new_int(pi.port));
	json_object_object_add(o, "self", json_object_new_boolean(pi.self));
	json_object_object_add(o, "state",
			       json_object_new_string(peers_state_name(pi.state)));
	add_u64(o, "state_ms", (uint64_t)pi.state_ms);
	if (pi.have_load) {
		add_u64(o, "cores", l->cores);
		add_u64(o, "cpus", l->pus);
		add_u64(o, "numa", l->numa);
		add_u64(o, "runnable", l->runnable);
		json_object_object_add(o, "cpu_percent",
			json_object_new_double(l->cpu_permille / 10.0));
		json_object_object_add(o, "load",
			json_object_new_double(l->loadavg_centi / 100.0));
		add_u64(o, "load_score", load_score(l));
		add_u64(o, "mem_total_kb", l->mem_total_kb);
		add_u64(o, "mem_free_kb", l->mem_free_kb);
	} else {
		static const char *const unknown[] = {
			"cores", "cpus", "numa", "runnable", "cpu_percent",
			"load", "load_score", "mem_total_kb", "mem_free_kb",
		};
		size_t i;

		for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
			json_object_object_add(o, unknown[i], NULL);
	}
	add_u64(o, "guests", l->guests);
	add_u64(o, "deputies", l->deputies);
	add_i64_or_null(o, "rtt_us", pi.rtt_us);
	add_i64_or_null(o, "heard_ms_ago", pi.heard_ms_ago);
	json_object_object_add(o, "connected_out",
			       json_object_new_boolean(pi.conn_out));
	json_object_object_add(o, "connected_in",
			       json_object_new_boolean(pi.conn_in));
	json_object_object_add(o, "frames", pi.frames[0] ?
			       json_object_new_string(pi.frames) : NULL);
	add_u64(o, "heartbeats", pi.heartbeats);
	add_u64(o, "refused", pi.refused);
	json_object_object_add(o, "last_error",
			       json_object_new_string(pi.last_error));
	add_u64(o, "incarnation", pi.incarnation);
	json_object_object_add(o, "kernel", pi.kernel[0] ?
			       json_object_new_string(pi.kernel) : NULL);
	if (pi.kernel[0]) {
		char fp[17];

		snprintf(fp, sizeof(fp), "%016llx", (unsigned long long)pi.vdso);
		json_object_object_add(o, "vdso", json_object_new_string(fp));
	} else {
		json_object_object_add(o, "vdso", NULL);
	}
	json_object_object_add(o, "migration_refused",
			       json_object_new_string(pi.mig_refusal));
	slurm = slurm_view_node_state(ops->slurm, idx);
	json_object_object_add(o, "slurm_state", slurm ? json_object_new_string(slurm) : NULL);
	return o;
}

static void op_show_nodes(struct ctlops *ops, struct ctl_client *cl,
			  json_object *req, json_object *id)
{
	json_object *res = json_object_new_object();
	json_object *arr = json_object_new_array();
	uint64_t now = clock_mono_ms();
	size_t i, n = peers_count(ops->peers);

	for (i = 0; i < n; i++)
		json_object_array_add(arr, node_json(ops, (int)i, now));
	json_object_object_add(res, "self", json_object_new_string(
		ops->conf->nodes[peers_self(ops->peers)].name));
	json_object_object_add(res, "nodes", arr);
	ctl_client_reply(cl, ctlproto_reply_ok(id, res));
}

static void op_show_node(struct ctlops *ops, struct ctl_client *cl,
			 json_object *req, json_object *id)
{
	json_object *res;
	int idx = arg_node(ops, cl, req, id);

	if (idx < 0)
		return;
	res = json_object_new_object();
	json_object_object_add(res, "node", node_json(ops, idx, clock_mono_ms()));
	ctl_client_reply(cl, ctlproto_reply_ok(id, res));
}

static void op_version(struct ctlops *ops, struct ctl_client *cl,
		       json_object *req, json_object *id)
{
	json_object *res = json_object_new_object();

	json_object_object_add(res, "protocol",
			       json_object_new_int(SSI_CTL_PROTO_VERSION));
	json_object_object_add(res, "version",
			       json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(res, "node", json_object_new_string(
		ops->conf->nodes[peers_self(ops->peers)].name));
	json_object_object_add(res, "transport",
			       json_object_new_string(ops->conf->transport));
	ctl_client_reply(cl, ctlproto_reply_ok(id, res));
}

static void op_whoami(struct ctlops *ops, struct ctl_client *cl,
		      json_object *req, json_object *id)
{
	json_object *res = json_object_new_object();

	add_u64(res, "uid", ctl_client_uid(cl));
	json_object_object_add(res, "pid",
			       json_object_new_int(ctl_client_pid(cl)));
	json_object_object_add(res, "admin",
			       json_object_new_boolean(ctl_client_admin(cl)));
	ctl_client_reply(cl, ctlproto_reply_ok(id, res));
}

/* ----------------------------------------------------------------- ping */

struct ping_req {
	struct ctlops *ops;
	struct ctl_client *cl;
	json_object *id;
	int idx;
	int count, done, received;
	uint32_t ping_id;
	int64_t rtt[SSI_PING_COUNT_MAX];
};

static void ping_finish(struct ping_req *pr)
{
	json_object *res = json_object_new_object();
	json_object *arr = json_object_new_array();
	int64_t min = -1, max = -1, sum = 0;
	int i;

	for (i = 0; i < pr->done; i++) {
		int64_t r = pr->rtt[i];

		json_object_array_add(arr, r < 0 ? NULL :
				      json_object_new_int64(r));
		if (r < 0)
			continue;
		sum += r;
		if (min < 0 || r < min)
			min = r;
		if (r > max)
			max = r;
	}
	json_object_object_add(res, "node", json_object_new_string(
		pr->ops->conf->nodes[pr->idx].name));
	json_object_object_add(res, "sent", json_object_new_int(pr->done));
	json_object_object_add(res, "received",
			       json_object_new_int(pr->received));
	json_object_object_add(res, "rtt_us", arr);
	add_i64_or_null(res, "min_us", min);
	add_i64_or_null(res, "avg_us", pr->received ? sum / pr->received : -1);
	add_i64_or_null(res, "max_us", max);
	ctl_client_reply(pr->cl, ctlproto_reply_ok(pr->id, res));
	json_object_put(pr->id);
	free(pr);
}

static void ping_done(void *arg, int64_t rtt_us);

/* Send the next probe; on failure finish with what we have. */
static int ping_next(struct ping_req *pr)
{
	int rc = peers_ping(pr->ops->peers, pr->idx, ping_done, pr,
			    &pr->ping_id);

	pr->ping_id = rc ? 0 : pr->ping_id;
	return rc;
}

static void ping_done(void *arg, int64_t rtt_us)
{
	struct ping_req *pr = arg;

	pr->ping_id = 0;
	if (rtt_us == -ESHUTDOWN) {
		ctl_client_reply(pr->cl, ctlproto_reply_err(pr->id,
				 CTL_E_INTERNAL, "ssid is shutting down"));
		json_object_put(pr->id);
		free(pr);
		return;
	}
	pr->rtt[pr->done++] = rtt_us;
	if (rtt_us >= 0)
		pr->received++;
	if (pr->done < pr->count && ping_next(pr) == 0)
		return;
	ping_finish(pr);
}

static void ping_cancel(void *arg)
{
	struct ping_req *pr = arg;

	if (pr->ping_id)
		peers_ping_cancel(pr->ops->peers, pr->ping_id);
	json_object_put(pr->id);
	free(pr);
}

static void op_ping(struct ctlops *ops, struct ctl_client *cl,
		    json_object *req, json_object *id)
{
	struct ping_req *pr;
	int idx, count, rc;

	idx = arg_node(ops, cl, req, id);
	if (idx < 0)
		return;
	if (arg_int(cl, req, id, "count", 1, SSI_PING_COUNT_MAX,
		    SSI_PING_COUNT, &count))
		return;
	if (idx == peers_self(ops->peers)) {
		ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_REQUEST,
				 "%s is this node", ops->conf->nodes[idx].name));
		return;
	}
	pr = calloc(1, sizeof(*pr));
	if (!pr) {
		ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_INTERNAL,
				 "out of memory"));
		return;
	}
	pr->ops = ops;
	pr->cl = cl;
	pr->id = json_object_get(id);
	pr->idx = idx;
	pr->count = count;
	rc = ping_next(pr);
	if (rc) {
		ctl_client_reply(cl, ctlproto_reply_err(id,
				 rc == -ENOTCONN ? CTL_E_NOTCONN : CTL_E_INTERNAL,
				 "cannot ping %s: %s", ops->conf->nodes[idx].name,
				 rc == -ENOTCONN ? "no authenticated connection" :
				 strerror(-rc)));
		json_object_put(pr->id);
		free(pr);
		return;
	}
	ctl_client_defer(cl, ping_cancel, pr);
}


/* ---------------------------------------------------------------- tasks */

static json_object *task_json(struct ctlops *ops, const struct task *t,
			      uint64_t now)
{
	json_object *o = json_object_new_object();
	const char *state = "home";
	const char *where = ops->migrate ? migrate_where(ops->migrate, t->pid, &state) : NULL;

	if (!where)
		where = ops->conf->nodes[peers_self(ops->peers)].name;
	json_object_object_add(o, "pid", json_object_new_int(t->pid));
	add_u64(o, "uid", t->uid);
	add_i64_or_null(o, "job", t->job);
	add_i64_or_null(o, "step", t->step);
	add_i64_or_null(o, "task", t->task);
	json_object_object_add(o, "home", json_object_new_string(
		ops->conf->nodes[peers_self(ops->peers)].name));
	/* where it runs: here, or where it migrated */
	json_object_object_add(o, "node", json_object_new_string(where));
	json_object_object_add(o, "state", json_object_new_string(state));
	add_u64(o, "registered_ms_ago", now - t->registered_ms);
	json_object_object_add(o, "policy", task_policy(t->auto_move));
	return o;
}

/* The required "pid", or -1 after an error reply. */
static pid_t arg_pid(struct ctl_client *cl, json_object *req, json_object *id)
{
	json_object *v;
	int64_t pid;

	pid = 0;
	if (json_object_object_get_ex(req, "pid", &v) &&
	    json_object_is_type(v, json_type_int))
		pid = json_object_get_int64(v);
	if (pid <= 0 || pid > INT32_MAX) {
		ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_REQUEST,
				 "missing \"pid\" (a positive integer)"));
		return -1;
	}
	return (pid_t)pid;
}

/* Why the registry said @rc (a -errno of task_registry.h). */
static const char *task_error_text(int rc)
{
	return rc == -EPERM ? "not your process" :
	       rc == -EACCES ? "only root or the SlurmUser (slurmstepd, through "
			       "the SPANK plugin) registers a task of a Slurm job" :
	       rc == -ENOENT ? "not a registered task" : strerror(-rc);
}

static void task_error(struct ctl_client *cl, json_object *id, pid_t pid,
		       int rc)
{
	const char *code = CTL_E_INTERNAL;

	if (rc == -ESRCH)
		code = CTL_E_NOPROC;
	else if (rc == -EPERM || rc == -EACCES)
		code = CTL_E_PERM;
	else if (rc == -ENOENT)
		code = CTL_E_NOTASK;
	ctl_client_reply(cl, ctlproto_reply_err(id, code, "pid %d: %s",
			 (int)pid, task_error_text(rc)));
}

static void op_task_register(struct ctlops *ops, struct ctl_client *cl,
			     json_object *req, json_object *id)
{
	enum ssi_policy policy = SSI_POLICY_MANUAL;
	int64_t job, step, task;
	json_object *res;
	struct task t;
	pid_t pid;
	int rc;

	/* "policy": "auto" lets the balancer move it; "manual" (the default)
	 * leaves that to administrators' commands */
	pid = arg_pid(cl, req, id);
	if (pid < 0 || arg_id(cl, req, id, "job", &job) ||
	    arg_id(cl, req, id, "step", &step) ||
	    arg_id(cl, req, id, "task", &task) ||
	    arg_policy(cl, req, id, false, &policy) < 0)
		return;
	rc = tasks_register(ops->tasks, pid, job, step, task,
			    policy == SSI_POLICY_AUTO,
			    ctl_client_uid(cl), ctl_client_admin(cl),
			    clock_mono_ms(), &t);
	if (rc) {
		task_error(cl, id, pid, rc);
		return;
	}
	slurm_view_want_job(ops->slurm, job, clock_mono_ms());
	log_info("task %d (uid %u, job %lld.%lld task %lld) registered by uid %u",
		 (int)pid, (unsigned int)t.uid, (long long)job,
		 (long long)step, (long long)task,
		 (unsigned int)ctl_client_uid(cl));
	res = json_object_new_object();
	json_object_object_add(res, "task", task_json(ops, &t, clock_mono_ms()));
	ctl_client_reply(cl, ctlproto_reply_ok(id, res));
}

/*
 * @arr's entries, each {"pid": P, "task": T}: 0, or -1 after an error
 * reply naming the first bad one.  All are checked before any is used.
 */
static int step_tasks_valid(struct ctl_client *cl, json_object *id, json_object *arr)
{
	size_t i, n = json_object_is_type(arr, json_type_array) ?
		      json_object_array_length(arr) : 0;

	if (!n || n > SSI_STEP_TASKS_MAX) {
		ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_REQUEST,
				 "\"tasks\" must be an array of 1 to %u {\"pid\", \"task\"}",
				 SSI_STEP_TASKS_MAX));
		return -1;
	}
	for (i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(arr, i), *p, *t;

		if (!json_object_object_get_ex(o, "pid", &p) ||
		    !json_object_is_type(p, json_type_int) ||
		    json_object_get_int64(p) <= 0 || json_object_get_int64(p) > INT32_MAX ||
		    !json_object_object_get_ex(o, "task", &t) ||
		    !json_object_is_type(t, json_type_int) ||
		    json_object_get_int64(t) < 0 || json_object_get_int64(t) > UINT32_MAX) {
			ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_REQUEST,
					 "\"tasks\"[%zu]: needs \"pid\" (a positive integer) "
					 "and \"task\" (an integer in [0, %u])", i, UINT32_MAX));
			return -1;
		}
	}
	return 0;
}

/*
 * The tasks of one Slurm job step on this node at once: slurmstepd's
 * SPANK plugin asks once per step, not once per task.  Each is registered
 * as task_register would; one that cannot be (it has exited) is listed
 * under "failed" with the reason, and the others are registered.
 */
static void op_step_register(struct ctlops *ops, struct ctl_client *cl,
			     json_object *req, json_object *id)
{
	enum ssi_policy policy = SSI_POLICY_MANUAL;
	json_object *arr = NULL, *res, *done, *failed;
	uint64_t now = clock_mono_ms();
	int64_t job, step;
	size_t i, n, ok = 0;

	if (arg_id(cl, req, id, "job", &job) || arg_id(cl, req, id, "step", &step) ||
	    arg_policy(cl, req, id, false, &policy) < 0)
		return;
	if (job < 0 || step < 0) {
		ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_REQUEST,
				 "missing \"job\" or \"step\""));
		return;
	}
	json_object_object_get_ex(req, "tasks", &arr);
	if (step_tasks_valid(cl, id, arr))
		return;
	done = json_object_new_array();
	failed = json_object_new_array();
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(arr, i), *p, *t;
		struct task e;
		int rc;

		json_object_object_get_ex(o, "pid", &p);
		json_object_object_get_ex(o, "task", &t);
		rc = tasks_register(ops->tasks, (pid_t)json_object_get_int64(p), job, step,
				    json_object_get_int64(t), policy == SSI_POLICY_AUTO,
				    ctl_client_uid(cl), ctl_client_admin(cl), now, &e);
		if (!rc) {
			json_object_array_add(done, task_json(ops, &e, now));
			ok++;
			continue;
		}
		o = json_object_new_object();
		json_object_object_add(o, "pid", json_object_get(p));
		json_object_object_add(o, "error", json_object_new_string(task_error_text(rc)));
		json_object_array_add(failed, o);
	}
	if (ok)
		slurm_view_want_job(ops->slurm, job, now);
	log_info("step %lld.%lld: %zu of %zu tasks registered by uid %u", (long long)job,
		 (long long)step, ok, n, (unsigned int)ctl_client_uid(cl));
	res = json_object_new_object();
	json_object_object_add(res, "tasks", done);
	json_object_object_add(res, "failed", failed);
	ctl_client_reply(cl, ctlproto_reply_ok(id, res));
}

static void op_task_unregister(struct ctlops *ops, struct ctl_client *cl,
			       json_object *req, json_object *id)
{
	pid_t pid = arg_pid(cl, req, id);
	int rc;

	if (pid < 0)
		return;
	rc = tasks_unregister(ops->tasks, pid, ctl_client_uid(cl),
			      ctl_client_admin(cl));
	if (rc) {
		task_error(cl, id, pid, rc);
		return;
	}
	log_info("task %d unregistered by uid %u", (int)pid,
		 (unsigned int)ctl_client_uid(cl));
	ctl_client_reply(cl, ctlproto_reply_ok(id, NULL));
}

/* ------------------------------------------------------ cluster views */

struct view_req {
	struct ctlops *ops;
	struct ctl_client *cl;
	json_object *id;
	void *handle;
};

static json_object *cluster_task_json(const struct taskview_task *t)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "pid", json_object_new_int(t->pid));
	add_i64_or_null(o, "local_pid", t->local_pid);
	add_u64(o, "uid", t->uid);
	add_i64_or_null(o, "job", t->job);
	add_i64_or_null(o, "step", t->step);
	add_i64_or_null(o, "task", t->task);
	json_object_object_add(o, "home", json_object_new_string(t->home));
	json_object_object_add(o, "node", json_object_new_string(t->node));
	json_object_object_add(o, "state", json_object_new_string(t->state));
	json_object_object_add(o, "policy", task_policy(t->auto_move));
	return o;
}

static void view_done(void *arg, const struct cluster_view *v)
{
	struct view_req *vr = arg;
	struct ctl_client *cl = vr->cl;
	json_object *res, *arr;
	size_t i;

	if (!v) {
		ctl_client_reply(cl, ctlproto_reply_err(vr->id, CTL_E_INTERNAL,
				 "no view of the cluster (out of memory, or stopping)"));
		goto out;
	}
	res = json_object_new_object();
	arr = json_object_new_array();
	for (i = 0; i < v->n; i++)
		if (ctlproto_may_see_task(ctl_client_admin(cl), ctl_client_uid(cl),
					  v->tasks[i].uid))
			json_object_array_add(arr, cluster_task_json(&v->tasks[i]));
	json_object_object_add(res, "tasks", arr);
	arr = json_object_new_array();
	for (i = 0; i < v->nmissing; i++)
		json_object_array_add(arr, json_object_new_string(v->missing[i]));
	json_object_object_add(res, "missing", arr);
	json_object_object_add(res, "truncated", json_object_new_boolean(v->truncated));
	ctl_client_reply(cl, ctlproto_reply_ok(vr->id, res));
out:
	json_object_put(vr->id);
	free(vr);
}

static void view_cancel(void *arg)
{
	struct view_req *vr = arg;

	cluster_forget(vr->ops->cluster, vr->handle);
	json_object_put(vr->id);
	free(vr);
}

/* show_tasks with "cluster": true: every node's tasks, answered later. */
static void show_cluster_tasks(struct ctlops *ops, struct ctl_client *cl,
			       json_object *id)
{
	struct view_req *vr = calloc(1, sizeof(*vr));

	if (!vr || cluster_tasks(ops->cluster, view_done, vr, &vr->handle)) {
		free(vr);
		ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_INTERNAL,
				 "out of memory"));
		return;
	}
	vr->ops = ops;
	vr->cl = cl;
	vr->id = json_object_get(id);
	ctl_client_defer(cl, view_cancel, vr);
}

static void op_show_tasks(struct ctlops *ops, struct ctl_client *cl,
			  json_object *req, json_object *id)
{
	json_object *res, *arr, *v;
	uint64_t now = clock_mono_ms();
	size_t i;

	if (json_object_object_get_ex(req, "cluster", &v)) {
		if (!json_object_is_type(v, json_type_boolean)) {
			ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_REQUEST,
					 "\"cluster\" must be true or false"));
			return;
		}
		if (json_object_get_boolean(v)) {
			show_cluster_tasks(ops, cl, id);
			return;
		}
	}
	res = json_object_new_object();
	arr = json_object_new_array();

	for (i = 0; i < tasks_count(ops->tasks); i++) {
		const struct task *t = tasks_at(ops->tasks, i);

		if (ctlproto_may_see_task(ctl_client_admin(cl),
					  ctl_client_uid(cl), t->uid))
			json_object_array_add(arr, task_json(ops, t, now));
	}
	json_object_object_add(res, "tasks", arr);
	ctl_client_reply(cl, ctlproto_reply_ok(id, res));
}

/* ------------------------------------------------------------ migration */

struct migrate_req {
	struct ctlops *ops;
	struct ctl_client *cl;
	json_object *id;
	void *handle;
	bool remote;		/* asked of the home node (cluster_view.c) */
};

static void migrate_done(void *arg, const struct migreq_result *q)
{
	struct migrate_req *mr = arg;
	const struct migrate_result *r = &q->r;
	json_object *res;

	if (q->code) {
		ctl_client_reply(mr->cl, ctlproto_reply_err(mr->id, q->code, "%s", q->msg));
	} else {
		res = json_object_new_object();
		json_object_object_add(res, "pid", json_object_new_int(r->pid));
		json_object_object_add(res, "node", json_object_new_string(r->node));
		json_object_object_add(res, "home",
				       json_object_new_boolean(r->home));
		json_object_object_add(res, "remote_pid",
				       json_object_new_int(r->remote_pid));
		add_u64(res, "bytes", r->bytes);
		add_u64(res, "pages", r->pages);
		add_u64(res, "vmas", r->vmas);
		add_u64(res, "dump_us", r->dump_ns / 1000);
		add_u64(res, "transfer_us", r->transfer_ns / 1000);
		add_u64(res, "frozen_us", r->frozen_ns / 1000);
		json_object_object_add(res, "via_home",
				       json_object_new_boolean(q->via_home));
		ctl_client_reply(mr->cl, ctlproto_reply_ok(mr->id, res));
	}
	json_object_put(mr->id);
	free(mr);
}

static void migrate_cancel(void *arg)
{
	struct migrate_req *mr = arg;

	if (mr->remote)
		cluster_forget_migrate(mr->ops->cluster, mr->handle);
	else
		migreq_forget(mr->ops->migrate, mr->handle);
	json_object_put(mr->id);
	free(mr);
}

/*
 * migrate: "pid" to "node" (or "home").  With "home", the name of another
 * node, the pid is that node's and the request goes to its ssid, which
 * checks it as if the client had asked there.
 */
static void op_migrate(struct ctlops *ops, struct ctl_client *cl,
		       json_object *req, json_object *id)
{
	struct migreq_result res;
	struct migrate_req *mr;
	json_object *h;
	const char *node;
	pid_t pid;
	int idx, home_idx, self = peers_self(ops->peers), rc;

	pid = arg_pid(cl, req, id);
	if (pid < 0)
		return;
	node = arg_string(cl, req, id, "node");
	if (!node)
		return;
	home_idx = self;
	if (json_object_object_get_ex(req, "home", &h)) {
		home_idx = json_object_is_type(h, json_type_string) ?
			   peers_find(ops->peers, json_object_get_string(h)) : -1;
		if (home_idx < 0) {
			ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_NONODE,
					 "\"home\" must name a node of %s", ops->conf->path));
			return;
		}
	}
	/* "home", or the home node's name: bring a migrated process back */
	idx = !strcmp(node, "home") ? home_idx : arg_node(ops, cl, req, id);
	if (idx < 0)
		return;
	mr = calloc(1, sizeof(*mr));
	if (!mr) {
		ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_INTERNAL,
				 "out of memory"));
		return;
	}
	mr->ops = ops;
	mr->cl = cl;
	mr->remote = home_idx != self;
	if (mr->remote)
		rc = cluster_migrate(ops->cluster, home_idx, pid, idx,
				     ctl_client_uid(cl), ctl_client_admin(cl),
				     migrate_done, mr, &mr->handle, &res);
	else
		rc = migreq_start(ops->migrate, ops->conf, ops->peers, ops->tasks, ops->slurm,
				  pid, idx,
				  ctl_client_uid(cl), ctl_client_admin(cl),
				  migrate_done, mr, &mr->handle, &res);
	if (rc) {
		ctl_client_reply(cl, ctlproto_reply_err(id, res.code, "%s", res.msg));
		free(mr);
		return;
	}
	mr->id = json_object_get(id);
	ctl_client_defer(cl, migrate_cancel, mr);
}

static json_object *id_or_null(int64_t v)
{
	return v < 0 ? NULL : json_object_new_int64(v);
}

struct rebalance_req {
	struct ctlops *ops;
	struct ctl_client *cl;
	json_object *id;
	void *handle;
	char **names;		/* "nodes", or NULL: every node */
	size_t n;
	int evacuate;		/* 1 + the index of the node to empty, or 0 */
};

static void rebalance_free(struct rebalance_req *rr)
{
	size_t i;

	for (i = 0; i < rr->n; i++)
		free(rr->names[i]);
	free(rr->names);
	json_object_put(rr->id);
	free(rr);
}

static json_object *plan_json(const struct balancer_plan *p,
			      const struct cluster_view *v)
{
	json_object *res = json_object_new_object(), *arr, *o;
	size_t i;

	arr = json_object_new_array();
	for (i = 0; i < p->nn; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(p->nodes[i].name));
		json_object_object_add(o, "eligible",
				       json_object_new_boolean(p->nodes[i].eligible));
		add_u64(o, "load_before", p->before[i]);
		add_u64(o, "load_after", load_score(&p->nodes[i].load));
		json_object_array_add(arr, o);
	}
	json_object_object_add(res, "nodes", arr);
	arr = json_object_new_array();
	for (i = 0; i < p->nmoves; i++) {
		const struct balance_move *mv = &p->moves[i];
		const struct balance_task *t = &p->tasks[mv->task];

		o = json_object_new_object();
		json_object_object_add(o, "pid", json_object_new_int(t->pid));
		json_object_object_add(o, "job", id_or_null(t->job));
		json_object_object_add(o, "step", id_or_null(t->step));
		json_object_object_add(o, "task", id_or_null(t->task));
		json_object_object_add(o, "home", json_object_new_string(p->nodes[t->home].name));
		json_object_object_add(o, "from", json_object_new_string(p->nodes[mv->from].name));
		json_object_object_add(o, "to", json_object_new_string(p->nodes[mv->to].name));
		add_u64(o, "from_load_before", mv->from_before);
		add_u64(o, "from_load_after", mv->from_after);
		add_u64(o, "to_load_before", mv->to_before);
		add_u64(o, "to_load_after", mv->to_after);
		json_object_array_add(arr, o);
	}
	json_object_object_add(res, "moves", arr);
	add_u64(res, "tasks", p->nt);
	arr = json_object_new_array();
	for (i = 0; i < v->nmissing; i++)
		json_object_array_add(arr, json_object_new_string(v->missing[i]));
	json_object_object_add(res, "missing", arr);
	return res;
}

/*
 * Evacuating node @from: the tasks of the plan that stay on it or depend
 * on it, and why (the plan's moves take the others away).
 */
static json_object *staying_json(const struct balancer_plan *p, int from)
{
	json_object *arr = json_object_new_array(), *o;
	const char *why;
	size_t i, k;

	for (i = 0; i < p->nt; i++) {
		const struct balance_task *t = &p->tasks[i];

		for (k = 0; k < p->nmoves && p->moves[k].task != i; k++)
			;
		if (k < p->nmoves || (t->where != from && t->home != from))
			continue;
		if (t->where != from)
			why = "runs elsewhere; its deputy stays on the node";
		else if (!t->movable)
			why = "on its way somewhere, or its home or node is not known";
		else
			why = "no node may take it";
		o = json_object_new_object();
		json_object_object_add(o, "pid", json_object_new_int(t->pid));
		json_object_object_add(o, "job", id_or_null(t->job));
		json_object_object_add(o, "step", id_or_null(t->step));
		json_object_object_add(o, "task", id_or_null(t->task));
		json_object_object_add(o, "home", t->home >= 0 ?
				       json_object_new_string(p->nodes[t->home].name) : NULL);
		json_object_object_add(o, "node", t->where >= 0 ?
				       json_object_new_string(p->nodes[t->where].name) : NULL);
		json_object_object_add(o, "why", json_object_new_string(why));
		json_object_array_add(arr, o);
	}
	return arr;
}

static void rebalance_view(void *arg, const struct cluster_view *v)
{
	struct rebalance_req *rr = arg;
	struct ctl_client *cl = rr->cl;
	struct balancer_filter f = { .admin = ctl_client_admin(cl),
				     .uid = ctl_client_uid(cl),
				     .nodes = (const char *const *)rr->names,
				     .nnodes = rr->n,
				     .client = ctl_client_pid(cl),
				     .evacuate = rr->evacuate };
	struct balancer_plan p;
	json_object *res;

	if (!v || balancer_plan_view(rr->ops->bal, &f, v->tasks, v->n, &p)) {
		ctl_client_reply(cl, ctlproto_reply_err(rr->id, CTL_E_INTERNAL,
				 "no plan (out of memory, or stopping)"));
	} else {
		res = plan_json(&p, v);
		if (rr->evacuate)
			json_object_object_add(res, "staying",
					       staying_json(&p, rr->evacuate - 1));
		ctl_client_reply(cl, ctlproto_reply_ok(rr->id, res));
		balancer_plan_free(&p);
	}
	rebalance_free(rr);
}

static void rebalance_cancel(void *arg)
{
	struct rebalance_req *rr = arg;

	cluster_forget(rr->ops->cluster, rr->handle);
	rebalance_free(rr);
}

/*
 * The balancer's plan for the tasks of every node the client may move
 * (all for administrators), over "nodes" if given; each move names the
 * task's home.  ssictl rebalance prints it and carries it out move by
 * move with "migrate".
 */
static void op_rebalance(struct ctlops *ops, struct ctl_client *cl,
			 json_object *req, json_object *id)
{
	struct rebalance_req *rr = calloc(1, sizeof(*rr));
	json_object *arg, *o;
	size_t i, n;

	if (!rr) {
		ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_INTERNAL, "out of memory"));
		return;
	}
	rr->ops = ops;
	rr->cl = cl;
	if (json_object_object_get_ex(req, "evacuate", &arg)) {
		int idx = json_object_is_type(arg, json_type_string) ?
			  peers_find(ops->peers, json_object_get_string(arg)) : -1;

		if (idx < 0) {
			ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_NONODE,
					 "\"evacuate\": no node '%.64s' in %s",
					 json_object_get_string(arg), ops->conf->path));
			rebalance_free(rr);
			return;
		}
		/* it moves everyone's tasks: an administrator's plan */
		if (!ctl_client_admin(cl)) {
			ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_PERM,
					 "evacuate needs root or the SlurmUser"));
			rebalance_free(rr);
			return;
		}
		rr->evacuate = idx + 1;
	}
	if (json_object_object_get_ex(req, "nodes", &arg)) {
		if (!json_object_is_type(arg, json_type_array)) {
			ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_REQUEST,
					 "\"nodes\" must be a list of node names"));
			rebalance_free(rr);
			return;
		}
		n = json_object_array_length(arg);
		rr->names = calloc(n ? n : 1, sizeof(*rr->names));
		for (i = 0; rr->names && i < n; i++, rr->n++) {
			o = json_object_array_get_idx(arg, i);
			if (!json_object_is_type(o, json_type_string) ||
			    peers_find(ops->peers, json_object_get_string(o)) < 0) {
				ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_NONODE,
						 "no node '%.64s' in %s",
						 json_object_get_string(o), ops->conf->path));
				rebalance_free(rr);
				return;
			}
			rr->names[i] = strdup(json_object_get_string(o));
			if (!rr->names[i])
				break;
		}
		if (!rr->names || rr->n < n) {
			ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_INTERNAL, "out of memory"));
			rebalance_free(rr);
			return;
		}
	}
	if (cluster_tasks(ops->cluster, rebalance_view, rr, &rr->handle)) {
		ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_INTERNAL, "out of memory"));
		rebalance_free(rr);
		return;
	}
	rr->id = json_object_get(id);
	ctl_client_defer(cl, rebalance_cancel, rr);
}

static void op_show_procs(struct ctlops *ops, struct ctl_client *cl,
			  json_object *req, json_object *id)
{
	json_object *res = json_object_new_object();
	json_object *arr = json_object_new_array();
	struct migrate_proc *p;
	size_t i, n, max = 4096;

	p = calloc(max, sizeof(*p));
	n = p ? migrate_procs(ops->migrate, p, max) : 0;
	for (i = 0; i < n && i < max; i++) {
		json_object *o;

		if (!ctlproto_may_see_task(ctl_client_admin(cl), ctl_client_uid(cl),
					   p[i].uid))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "pid", json_object_new_int(p[i].pid));
		json_object_object_add(o, "local_pid",
				       json_object_new_int(p[i].local_pid));
		add_u64(o, "uid", p[i].uid);
		json_object_object_add(o, "comm", json_object_new_string(p[i].comm));
		json_object_object_add(o, "home", json_object_new_string(p[i].home));
		json_object_object_add(o, "where", json_object_new_string(p[i].where));
		json_object_object_add(o, "state", json_object_new_string(p[i].state));
		add_u64(o, "forwarded", p[i].forwarded);
		add_u64(o, "bytes", p[i].bytes);
		add_u64(o, "pull_home", p[i].pull_home);
		add_u64(o, "signals", p[i].signals);
		add_u64(o, "age_ms", p[i].age_ms);
		add_i64_or_null(o, "threads", p[i].threads);
		add_i64_or_null(o, "runnable", p[i].runnable);
		add_i64_or_null(o, "cpu_ms", p[i].cpu_ms);
		add_i64_or_null(o, "rss_kb", p[i].rss_kb);
		add_i64_or_null(o, "image_bytes", p[i].image_bytes);
		add_i64_or_null(o, "image_expected", p[i].image_expected);
		json_object_array_add(arr, o);
	}
	free(p);
	json_object_object_add(res, "procs", arr);
	ctl_client_reply(cl, ctlproto_reply_ok(id, res));
}

/*
 * show_metrics: the counters of common/metrics.h, as the Prometheus text
 * ("text") that `ssictl show metrics` prints; node-wide figures, no
 * process named: anyone may read them.
 */
static void op_show_metrics(struct ctlops *ops, struct ctl_client *cl,
			    json_object *req, json_object *id)
{
	struct metrics_now now = { 0 };
	uint32_t guests, deputies;
	unsigned int homes = 0, copies = 0;
	size_t i, n = peers_count(ops->peers), len;
	json_object *res;
	char *text;

	migrate_counts(ops->migrate, &guests, &deputies);
	now.guests = guests;
	now.deputies = deputies;
	if (ops->dsm)
		dsm_segments_count(ops->dsm, &homes, &copies);
	now.dsm_homes = homes;
	now.dsm_copies = copies;
	for (i = 0; i < n; i++) {
		if ((int)i == peers_self(ops->peers))
			continue;
		now.peers++;
		now.peers_up += peers_is_up(ops->peers, (int)i);
	}
	len = metrics_render(&now, NULL, 0) + 1;
	text = malloc(len);
	if (!text) {
		ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_INTERNAL, "out of memory"));
		return;
	}
	metrics_render(&now, text, len);
	res = json_object_new_object();
	json_object_object_add(res, "text", json_object_new_string(text));
	free(text);
	ctl_client_reply(cl, ctlproto_reply_ok(id, res));
}

/* ------------------------------------------------------- administration */

/*
 * job_event: select/ssi in slurmctld reports that a job started or
 * ended ("event": "start"|"end", "job", and optionally "policy": what
 * its --ssi-migratable asked for, "none"|"auto"|"manual"); every node's
 * balancer looks again soon, so freed cores are used and busy ones
 * relieved.
 */
static void op_job_event(struct ctlops *ops, struct ctl_client *cl,
			 json_object *req, json_object *id)
{
	const char *ev = arg_string(cl, req, id, "event");
	enum ssi_policy policy = SSI_POLICY_NONE;
	int64_t job;
	int given = 0;

	if (!ev || arg_id(cl, req, id, "job", &job) ||
	    (given = arg_policy(cl, req, id, true, &policy)) < 0)
		return;
	if ((strcmp(ev, "start") && strcmp(ev, "end")) || job < 0) {
		ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_REQUEST,
				 "need \"event\": \"start\" or \"end\", and a \"job\""));
		return;
	}
	log_info("job %lld %s, ssi-migratable=%s (told by uid %u)", (long long)job,
		 !strcmp(ev, "start") ? "started" : "ended",
		 given ? ssi_policy_name(policy) : "unknown",
		 (unsigned int)ctl_client_uid(cl));
	cluster_job_event(ops->cluster, (uint32_t)job, !strcmp(ev, "start"));
	ctl_client_reply(cl, ctlproto_reply_ok(id, NULL));
}

/*
 * The automatic balancer of this node: running or paused, and the knobs
 * in force (SIGHUP may have changed them).
 */
static json_object *balancer_state(const struct ctlops *ops)
{
	json_object *res = json_object_new_object();

	json_object_object_add(res, "state", json_object_new_string(balancer_paused() ?
								  "paused" : "running"));
	json_object_object_add(res, "interval_ms",
			       json_object_new_int64(ops->conf->balance_interval_ms));
	json_object_object_add(res, "threshold",
			       json_object_new_int64(ops->conf->balance_threshold));
	json_object_object_add(res, "hysteresis",
			       json_object_new_int64(ops->conf->balance_hysteresis));
	json_object_object_add(res, "candidates",
			       json_object_new_int64(ops->conf->balance_candidates));
	json_object_object_add(res, "log_level",
			       json_object_new_string(log_level_name(log_get_level())));
	return res;
}

static void op_balancer(struct ctlops *ops, struct ctl_client *cl,
			json_object *req, json_object *id)
{
	ctl_client_reply(cl, ctlproto_reply_ok(id, balancer_state(ops)));
}

static void set_balancer(struct ctlops *ops, struct ctl_client *cl, json_object *id,
			 bool pause)
{
	if (balancer_paused() != pause)
		log_notice("balancer %s by uid %u", pause ? "paused" : "resumed",
			   (unsigned int)ctl_client_uid(cl));
	balancer_pause(pause);
	ctl_client_reply(cl, ctlproto_reply_ok(id, balancer_state(ops)));
}

static void op_balancer_pause(struct ctlops *ops, struct ctl_client *cl,
			      json_object *req, json_object *id)
{
	set_balancer(ops, cl, id, true);
}

static void op_balancer_resume(struct ctlops *ops, struct ctl_client *cl,
			       json_object *req, json_object *id)
{
	set_balancer(ops, cl, id, false);
}

static void op_set_verbosity(struct ctlops *ops, struct ctl_client *cl,
			     json_object *req, json_object *id)
{
	const char *name = arg_string(cl, req, id, "level");
	json_object *res;
	int lvl;

	if (!name)
		return;
	lvl = log_level_parse(name);
	if (lvl < 0) {
		ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_REQUEST,
				 "\"level\" must be error, warning, notice, info or debug"));
		return;
	}
	log_set_level(lvl);
	log_notice("log level set to %s by uid %u", log_level_name(lvl),
		   (unsigned int)ctl_client_uid(cl));
	res = json_object_new_object();
	json_object_object_add(res, "level",
			       json_object_new_string(log_level_name(lvl)));
	ctl_client_reply(cl, ctlproto_reply_ok(id, res));
}

static void op_shutdown(struct ctlops *ops, struct ctl_client *cl,
			json_object *req, json_object *id)
{
	log_notice("shutdown requested by uid %u (pid %d)",
		   (unsigned int)ctl_client_uid(cl), (int)ctl_client_pid(cl));
	ctl_client_reply(cl, ctlproto_reply_ok(id, NULL));
	ops->shutdown(ops->shutdown_arg);
}

/* ----------------------------------------------------------- dispatching */

static const struct op op_table[] = {
	{ "version",		CTL_ANYONE,	op_version },
	{ "whoami",		CTL_ANYONE,	op_whoami },
	{ "show_nodes",		CTL_ANYONE,	op_show_nodes },
	{ "show_node",		CTL_ANYONE,	op_show_node },
	{ "ping",		CTL_ANYONE,	op_ping },
	/* users: their own tasks only (checked by the op) */
	{ "show_tasks",		CTL_ANYONE,	op_show_tasks },
	{ "task_register",	CTL_ANYONE,	op_task_register },
	{ "step_register",	CTL_ADMIN,	op_step_register },
	{ "task_unregister",	CTL_ANYONE,	op_task_unregister },
	/* users: their own processes only (checked by the op) */
	{ "migrate",		CTL_ANYONE,	op_migrate },
	{ "show_procs",		CTL_ANYONE,	op_show_procs },
	{ "show_metrics",	CTL_ANYONE,	op_show_metrics },
	/* users: a plan for their own tasks only */
	{ "rebalance",		CTL_ANYONE,	op_rebalance },
	{ "balancer",		CTL_ANYONE,	op_balancer },
	{ "balancer_pause",	CTL_ADMIN,	op_balancer_pause },
	{ "balancer_resume",	CTL_ADMIN,	op_balancer_resume },
	{ "job_event",		CTL_ADMIN,	op_job_event },
	{ "set_verbosity",	CTL_ADMIN,	op_set_verbosity },
	{ "shutdown",		CTL_ADMIN,	op_shutdown },
};

void ctlops_handle(struct ctlops *ops, struct ctl_client *cl,
		   json_object *req, json_object *id)
{
	const char *name = ctlproto_op(req);
	size_t i;

	for (i = 0; i < sizeof(op_table) / sizeof(op_table[0]); i++) {
		const struct op *op = &op_table[i];

		if (strcmp(name, op->name))
			continue;
		if (op->access == CTL_ADMIN && !ctl_client_admin(cl)) {
			log_info("control: uid %u may not run '%s'",
				 (unsigned int)ctl_client_uid(cl), name);
			ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_PERM,
					 "'%s' needs root or SlurmUser", name));
			return;
		}
		log_debug("control: uid %u runs '%s'",
			  (unsigned int)ctl_client_uid(cl), name);
		op->run(ops, cl, req, id);
		return;
	}
	ctl_client_reply(cl, ctlproto_reply_err(id, CTL_E_UNKNOWN,
			 "unknown op '%.64s'", name));
}
