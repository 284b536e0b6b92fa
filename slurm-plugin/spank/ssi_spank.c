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
#include <stdio.h>
#include <string.h>

#include <slurm/spank.h>

#include "policy.h"

SPANK_PLUGIN(ssi, 1);

static enum ssi_policy job_policy = SSI_POLICY_NONE;

static int opt_migratable_cb(int val, const char *optarg, int remote)
{
	char err[160];

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

int slurm_spank_init(spank_t sp, int ac, char **av)
{
	spank_err_t rc;
	int i;

	for (i = 0; i < ac; i++) {
		slurm_error("ssi: unknown plugstack.conf argument '%s'", av[i]);
		return -1;
	}
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
