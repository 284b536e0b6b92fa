// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ssi_spank.c - SPANK plugin: `--ssi-migratable[=auto|manual]`.
 *
 * Where each callback runs (after spank.h's diagram):
 *
 *   sbatch/salloc (allocator)  srun (local)          slurmstepd (remote)
 *   -------------------------  -------------------   ----------------------
 *   slurm_spank_init           slurm_spank_init      slurm_spank_init
 *     register the option        register option       register the option
 *   option callback            option callback       option callback
 *     validate the value         validate              (value forwarded)
 *   slurm_spank_init_post_opt  ..._init_post_opt
 *     mark the job:              mark the job
 *     SPANK_SSI_MIGRATABLE       (job control env,
 *     in the job control env     seen by slurmctld)
 *                                                    task_post_fork
 *                                                      note the pid; at the
 *                                                      step's last task,
 *                                                      register them all
 *                                                      with ssid at once
 *                                                    task_exit / exit
 *                                                      deregister
 *
 * A job without the option is never touched.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <slurm/slurm.h>
#include <slurm/spank.h>

#include "client/policy.h"
#include "client/ssiclient.h"
#include "common/defaults.h"

SPANK_PLUGIN(ssi, 1);

static enum ssi_policy job_policy = SSI_POLICY_NONE;

/* plugstack.conf arguments: socket=PATH, timeout=MS */
static char ssid_socket[108] = SSI_CONTROL_SOCKET;
static int ssid_timeout_ms = SSI_SPANK_TIMEOUT_MS;
/*
 * ssid did not answer a registration in time (or could not be reached):
 * the step's later tasks are not asked at all (slurmstepd is one process
 * per step, and launches them one after the other), so a hung ssid costs
 * a step one timeout, not one per task; and the step says why once.
 */
static bool ssid_unreachable;

/* The step's tasks forked so far on this node, registered at the last. */
struct step_task {
	pid_t pid;
	uint32_t task;		/* its global task id */
};
static struct step_task *step_tasks;
static uint32_t nstep_tasks;

static int opt_migratable_cb(int val, const char *optarg, int remote)
{
	char err[160];

	/*
	 * sbatch passes its options to the job's sruns through the
	 * environment, where Slurm writes an option given without a value as
	 * the string "(null)": that is the option without a value.
	 */
	if (optarg && !strcmp(optarg, "(null)"))
		optarg = NULL;

	if (ssi_policy_parse(optarg, &job_policy, err, sizeof(err))) {
		slurm_error("ssi: %s", err);
		return -1;
	}
	return 0;
}

static struct spank_option opt_migratable = {
	.name		= "ssi-migratable",
	.arginfo	= "auto|manual",
	.usage		= "Allow slurm-ssi to migrate this job's tasks between nodes "
			  "while they run: 'auto' (default) lets the balancer move them, "
			  "'manual' only ssictl.",
	.has_arg	= 2,	/* optional argument */
	.val		= 0,
	.cb		= opt_migratable_cb,
};

static int parse_args(int ac, char **av)
{
	char *end;
	long v;
	int i;

	for (i = 0; i < ac; i++) {
		if (!strncmp(av[i], "socket=", 7) && av[i][7] &&
		    strlen(av[i] + 7) < sizeof(ssid_socket)) {
			strcpy(ssid_socket, av[i] + 7);
			continue;
		}
		if (!strncmp(av[i], "timeout=", 8)) {
			v = strtol(av[i] + 8, &end, 10);
			if (av[i][8] && !*end && v > 0 && v <= 60000) {
				ssid_timeout_ms = (int)v;
				continue;
			}
		}
		slurm_error("ssi: invalid plugstack.conf argument '%s' "
			    "(expected socket=PATH or timeout=MS, 1-60000)", av[i]);
		return -1;
	}
	return 0;
}

int slurm_spank_init(spank_t sp, int ac, char **av)
{
	spank_err_t rc;

	if (parse_args(ac, av))
		return -1;
	/* Every context the option can be given or seen in. */
	switch (spank_context()) {
	case S_CTX_ALLOCATOR:
	case S_CTX_LOCAL:
	case S_CTX_REMOTE:
		rc = spank_option_register(sp, &opt_migratable);
		if (rc != ESPANK_SUCCESS) {
			slurm_error("ssi: cannot register --%s: %s",
				    opt_migratable.name, spank_strerror(rc));
			return -1;
		}
		break;
	default:
		break;
	}
	return 0;
}

int slurm_spank_init_post_opt(spank_t sp, int ac, char **av)
{
	spank_context_t ctx = spank_context();
	spank_err_t rc;

	if (job_policy == SSI_POLICY_NONE)
		return 0;
	if (ctx != S_CTX_ALLOCATOR && ctx != S_CTX_LOCAL)
		return 0;
	/* Seen by slurmctld as SPANK_SSI_MIGRATABLE in the job's spank env. */
	rc = spank_job_control_setenv(sp, SSI_POLICY_ENV, ssi_policy_name(job_policy), 1);
	if (rc != ESPANK_SUCCESS) {
		slurm_error("ssi: cannot mark the job migratable: %s", spank_strerror(rc));
		return -1;
	}
	return 0;
}

/*
 * Tell the node's ssid that task @pid is gone, through @c.  Returns 0 when
 * ssid answered ok; -1 with a message in @c->msg when it could not be
 * asked, did not answer within ssid_timeout_ms (both set
 * ssid_unreachable), or refused.
 */
static int ssid_unregister(struct ssiclient *c, pid_t pid)
{
	json_object *req = json_object_new_object();
	ssiclient_err_t rc;

	json_object_object_add(req, "op", json_object_new_string("task_unregister"));
	json_object_object_add(req, "pid", json_object_new_int64(pid));
	ssiclient_init(c, ssid_socket, ssid_timeout_ms);
	rc = ssiclient_call(c, req, NULL);
	json_object_put(req);
	if (rc && rc != SSICLIENT_REFUSED)
		ssid_unreachable = true;
	return rc ? -1 : 0;
}

/*
 * Register @n tasks of step @job.@step with the node's ssid, in requests
 * of at most SSI_STEP_TASKS_MAX (one for any usual step).  A task ssid
 * could not register runs unmigratable, and the step's log says why.
 */
static void register_step(uint32_t job, uint32_t step, const struct step_task *t,
			  uint32_t n)
{
	uint32_t i, k, chunk;

	for (i = 0; i < n && !ssid_unreachable; i += chunk) {
		json_object *req = json_object_new_object(), *arr = json_object_new_array();
		json_object *reply = NULL, *failed;
		struct ssiclient c;
		ssiclient_err_t rc;

		chunk = n - i < SSI_STEP_TASKS_MAX ? n - i : SSI_STEP_TASKS_MAX;
		for (k = i; k < i + chunk; k++) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "pid", json_object_new_int64(t[k].pid));
			json_object_object_add(o, "task", json_object_new_int64(t[k].task));
			json_object_array_add(arr, o);
		}
		json_object_object_add(req, "op", json_object_new_string("step_register"));
		json_object_object_add(req, "job", json_object_new_int64(job));
		json_object_object_add(req, "step", json_object_new_int64(step));
		json_object_object_add(req, "policy",
				       json_object_new_string(ssi_policy_name(job_policy)));
		json_object_object_add(req, "tasks", arr);
		ssiclient_init(&c, ssid_socket, ssid_timeout_ms);
		rc = ssiclient_call(&c, req, &reply);
		json_object_put(req);
		if (rc) {
			if (rc != SSICLIENT_REFUSED)
				ssid_unreachable = true;
			slurm_info("ssi: the %u tasks of job %u.%u on this node run unmigratable: %s",
				   n - i, job, step, c.msg);
			json_object_put(reply);
			return;
		}
		if (json_object_object_get_ex(ssiclient_result(reply), "failed", &failed))
			for (k = 0; k < json_object_array_length(failed); k++) {
				json_object *o = json_object_array_get_idx(failed, k), *p, *e;

				if (json_object_object_get_ex(o, "pid", &p) &&
				    json_object_object_get_ex(o, "error", &e))
					slurm_info("ssi: pid %d of job %u.%u runs unmigratable: %s",
						   (int)json_object_get_int64(p), job, step,
						   json_object_get_string(e));
			}
		json_object_put(reply);
	}
	slurm_debug("ssi: %u tasks of job %u.%u registered with ssid", n, job, step);
}

/*
 * Remote context, once per task, in slurmstepd after the task's fork
 * (slurmstepd forks them all, calls this for each in order, then lets
 * them run): the tasks of a migratable step are noted, and registered
 * with the node's ssid at the last, in one request.  If ssid is not
 * there the tasks run all the same, unmigratable, and the step says why
 * once.
 */
int slurm_spank_task_post_fork(spank_t sp, int ac, char **av)
{
	uint32_t job = 0, step = 0, task = 0, local = 0, count = 0;
	pid_t pid = 0;

	if (job_policy == SSI_POLICY_NONE || ssid_unreachable)
		return 0;
	if (spank_get_item(sp, S_TASK_PID, &pid) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_JOB_ID, &job) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_JOB_STEPID, &step) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_TASK_GLOBAL_ID, &task) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_TASK_ID, &local) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_JOB_LOCAL_TASK_COUNT, &count) != ESPANK_SUCCESS ||
	    local >= count) {
		slurm_error("ssi: cannot read the task's ids; it will not migrate");
		return 0;
	}
	/*
	 * Only the tasks of ordinary steps: the batch script, the extern and
	 * interactive steps only start other steps and hold no computation.
	 */
	if (step > SLURM_MAX_NORMAL_STEP_ID)
		return 0;
	if (!step_tasks) {
		step_tasks = calloc(count, sizeof(*step_tasks));
		if (!step_tasks) {
			slurm_error("ssi: out of memory; the step's tasks will not migrate");
			ssid_unreachable = true;
			return 0;
		}
	}
	if (nstep_tasks < count)
		step_tasks[nstep_tasks++] = (struct step_task){ pid, task };
	if (local == count - 1) {
		register_step(job, step, step_tasks, nstep_tasks);
		free(step_tasks);
		step_tasks = NULL;
		nstep_tasks = 0;
	}
	return 0;
}

/* Remote context, when a task exits: ssid forgets it. */
int slurm_spank_task_exit(spank_t sp, int ac, char **av)
{
	struct ssiclient c;
	pid_t pid = 0;

	if (job_policy == SSI_POLICY_NONE || ssid_unreachable)
		return 0;
	if (spank_get_item(sp, S_TASK_PID, &pid) != ESPANK_SUCCESS)
		return 0;
	/* ssid forgets exited tasks by itself too: a failure here is harmless. */
	if (ssid_unregister(&c, pid))
		slurm_debug("ssi: unregistering pid %d: %s", (int)pid, c.msg);
	return 0;
}
