/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ssictl_slurm.h - what ssictl asks Slurm (libslurm): the nodes of a
 * partition, for `rebalance partition=P`; the names of jobs, their users
 * and steps, for `show jobs`; a node drained, for `evacuate`.
 */
#ifndef SSID_SSICTL_SLURM_H
#define SSID_SSICTL_SLURM_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/*
 * ssictl_partition_nodes - the node names of partition @name (from
 * slurmctld), in *@nodes (free each and the array).  Returns how many, or
 * -1 with the reason in @err.
 */
int ssictl_partition_nodes(const char *name, char ***nodes, char *err, size_t errlen);

/*
 * ssictl_job_info - what slurmctld says of job @job_id, as
 * {"name", "user", "partition", "nodes", "steps": {"STEP": "name", ...}}
 * ("STEP" as ssictl_step_name() writes it), or NULL if slurmctld does not
 * know the job (any more), with the reason in @err.
 */
json_object *ssictl_job_info(uint32_t job_id, char *err, size_t errlen);

/*
 * ssictl_drain_node - ask slurmctld to drain node @name with @reason
 * (Slurm's administrators only).  Returns 0, or -1 with the reason in @err.
 */
int ssictl_drain_node(const char *name, const char *reason, char *err, size_t errlen);

/*
 * ssictl_step_name - step id @step as Slurm writes it: "batch", "extern",
 * "interactive" for the special steps, else the number; "-" for -1.
 */
const char *ssictl_step_name(int64_t step, char *buf, size_t len);

#endif
