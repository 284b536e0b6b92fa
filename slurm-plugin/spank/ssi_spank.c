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
 *                                                      register pid with ssid
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
 * Ask the node's ssid for @op about task @pid (with @job, @step, @task
 * when @job is not NULL), through @c.  Returns 0 when ssid answered ok;
 * -1 with a message in @c->msg when it could not be asked, did not answer
 * within ssid_timeout_ms (both set ssid_unreachable), or refused.
 */
static int ssid_task_request(struct ssiclient *c, const char *op, pid_t pid,
			     const uint32_t *job, uint32_t step, uint32_t task)
{
	json_object *req = json_object_new_object();
	ssiclient_err_t rc;

	json_object_object_add(req, "op", json_object_new_string(op));
	json_object_object_add(req, "pid", json_object_new_int64(pid));
	if (job) {
		json_object_object_add(req, "job", json_object_new_int64(*job));
		json_object_object_add(req, "step", json_object_new_int64(step));
		json_object_object_add(req, "task", json_object_new_int64(task));
		json_object_object_add(req, "policy",
				       json_object_new_string(ssi_policy_name(job_policy)));
	}
	ssiclient_init(c, ssid_socket, ssid_timeout_ms);
	rc = ssiclient_call(c, req, NULL);
	json_object_put(req);
	if (rc && rc != SSICLIENT_REFUSED)
		ssid_unreachable = true;
	return rc ? -1 : 0;
}

/*
 * Remote context, once per task, in slurmstepd after the task's fork: a
 * task of a migratable step is registered with the node's ssid.  If ssid
 * is not there the task runs all the same, unmigratable, and the step
 * says why once.
 */
int slurm_spank_task_post_fork(spank_t sp, int ac, char **av)
{
	uint32_t job = 0, step = 0, task = 0;
	struct ssiclient c;
	pid_t pid = 0;

	if (job_policy == SSI_POLICY_NONE || ssid_unreachable)
		return 0;
	if (spank_get_item(sp, S_TASK_PID, &pid) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_JOB_ID, &job) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_JOB_STEPID, &step) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_TASK_GLOBAL_ID, &task) != ESPANK_SUCCESS) {
		slurm_error("ssi: cannot read the task's ids; it will not migrate");
		return 0;
	}
	/*
	 * Only the tasks of ordinary steps: the batch script, the extern and
	 * interactive steps only start other steps and hold no computation.
	 */
	if (step > SLURM_MAX_NORMAL_STEP_ID)
		return 0;
	if (ssid_task_request(&c, "task_register", pid, &job, step, task)) {
		slurm_info("ssi: task %u of job %u.%u%s runs unmigratable: %s", task, job,
			   step, ssid_unreachable ? " and the step's later ones" : "", c.msg);
		return 0;
	}
	slurm_debug("ssi: task %u (pid %d) of job %u.%u registered with ssid",
		    task, (int)pid, job, step);
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
	if (ssid_task_request(&c, "task_unregister", pid, NULL, 0, 0))
		slurm_debug("ssi: unregistering pid %d: %s", (int)pid, c.msg);
	return 0;
}
