// SPDX-License-Identifier: GPL-2.0
/*
 * ssictl_slurm.c - what ssictl asks Slurm (see ssictl_slurm.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

#include "ssictl_slurm.h"

int ssictl_partition_nodes(const char *name, char ***nodes, char *err, size_t errlen)
{
	partition_info_msg_t *msg = NULL;
	hostlist_t hl = NULL;
	char **v = NULL, *h = NULL;
	int n = -1, cap = 0;
	uint32_t i;

	*nodes = NULL;
	if (slurm_load_partitions(0, &msg, SHOW_ALL)) {
		snprintf(err, errlen, "cannot read Slurm's partitions: %s",
			 slurm_strerror(slurm_get_errno()));
		return -1;
	}
	for (i = 0; i < msg->record_count; i++)
		if (msg->partition_array[i].name &&
		    !strcmp(msg->partition_array[i].name, name))
			break;
	if (i == msg->record_count) {
		snprintf(err, errlen, "no partition '%s' in Slurm", name);
		goto out;
	}
	hl = slurm_hostlist_create(msg->partition_array[i].nodes ?
				   msg->partition_array[i].nodes : "");
	if (!hl) {
		snprintf(err, errlen, "partition %s: bad node list", name);
		goto out;
	}
	n = 0;
	while ((h = slurm_hostlist_shift(hl))) {
		if (n == cap) {
			char **nv = realloc(v, (size_t)(cap ? 2 * cap : 16) * sizeof(*v));

			if (!nv) {
				free(h);
				break;
			}
			v = nv;
			cap = cap ? 2 * cap : 16;
		}
		/* libslurm's string: free()able, but ours are strdup()ed */
		v[n] = strdup(h);
		free(h);
		if (!v[n])
			break;
		n++;
	}
	if (h) {		/* stopped early: out of memory */
		while (n > 0)
			free(v[--n]);
		snprintf(err, errlen, "out of memory");
		n = -1;
	}
out:
	if (hl)
		slurm_hostlist_destroy(hl);
	slurm_free_partition_info_msg(msg);
	if (n < 0) {
		free(v);
		return -1;
	}
	*nodes = v;
	return n;
}
