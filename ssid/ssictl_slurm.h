/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ssictl_slurm.h - what ssictl asks Slurm (libslurm): the nodes of a
 * partition, for `rebalance partition=P`.
 */
#ifndef SSID_SSICTL_SLURM_H
#define SSID_SSICTL_SLURM_H

#include <stddef.h>

/*
 * ssictl_partition_nodes - the node names of partition @name (from
 * slurmctld), in *@nodes (free each and the array).  Returns how many, or
 * -1 with the reason in @err.
 */
int ssictl_partition_nodes(const char *name, char ***nodes, char *err, size_t errlen);

#endif
