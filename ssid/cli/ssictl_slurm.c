// SPDX-License-Identifier: GPL-2.0
/*
 * ssictl_slurm.c - what ssictl asks Slurm (see ssictl_slurm.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

#include <json-c/json.h>

#include "cli/ssictl_slurm.h"

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

int ssictl_drain_node(const char *name, const char *reason, char *err, size_t errlen)
{
	update_node_msg_t msg;

	slurm_init_update_node_msg(&msg);
	msg.node_names = (char *)name;
	msg.node_state = NODE_STATE_DRAIN;
	msg.reason = (char *)reason;
	msg.reason_uid = getuid();
	if (slurm_update_node(&msg)) {
		snprintf(err, errlen, "cannot drain %s in Slurm: %s", name,
			 slurm_strerror(slurm_get_errno()));
		return -1;
	}
	return 0;
}

const char *ssictl_step_name(int64_t step, char *buf, size_t len)
{
	if (step < 0)
		return "-";
	switch (step) {
	case SLURM_BATCH_SCRIPT:
		return "batch";
	case SLURM_EXTERN_CONT:
		return "extern";
	case SLURM_INTERACTIVE_STEP:
		return "interactive";
	default:
		snprintf(buf, len, "%lld", (long long)step);
		return buf;
	}
}

static json_object *str_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

json_object *ssictl_job_info(uint32_t job_id, char *err, size_t errlen)
{
	job_info_msg_t *jobs = NULL;
	job_step_info_response_msg_t *steps = NULL;
	slurm_job_info_t *j;
	json_object *o, *so;
	char buf[32];
	uint32_t i;

	if (slurm_load_job(&jobs, job_id, SHOW_ALL) || !jobs->record_count) {
		snprintf(err, errlen, "job %u: %s", job_id,
			 jobs ? "unknown to slurmctld" :
			 slurm_strerror(slurm_get_errno()));
		if (jobs)
			slurm_free_job_info_msg(jobs);
		return NULL;
	}
	j = &jobs->job_array[0];
	o = json_object_new_object();
	json_object_object_add(o, "name", str_or_null(j->name));
	json_object_object_add(o, "user", str_or_null(j->user_name));
	json_object_object_add(o, "uid", json_object_new_int64(j->user_id));
	json_object_object_add(o, "partition", str_or_null(j->partition));
	json_object_object_add(o, "nodes", str_or_null(j->nodes));
	so = json_object_new_object();
	/* step names are a nicety: a job without steps (yet) has none */
	if (!slurm_get_job_steps(0, job_id, NO_VAL, &steps, SHOW_ALL) && steps) {
		for (i = 0; i < steps->job_step_count; i++) {
			job_step_info_t *s = &steps->job_steps[i];

			json_object_object_add(so, ssictl_step_name(s->step_id.step_id,
								    buf, sizeof(buf)),
					       str_or_null(s->name));
		}
		slurm_free_job_step_info_response_msg(steps);
	}
	json_object_object_add(o, "steps", so);
	slurm_free_job_info_msg(jobs);
	return o;
}
