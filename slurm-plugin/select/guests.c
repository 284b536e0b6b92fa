// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * guests.c - select/ssi's view of migrated load (see guests.h).
 *
 * slurmctld calls job_test with its job and node locks held: every call
 * to ssid here is bounded by GUESTS_TIMEOUT_MS, and the node table it
 * answers is cached for GUESTS_REFRESH_MS, so a busy scheduler asks at
 * most once a second.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/*
 * Slurm's own names for what both libslurmfull (slurmctld) and libslurm
 * (its clients, which load every select plugin too) export: log_var is
 * slurm_log_var, bit_or slurm_bit_or... as Slurm's plugins do.
 */
#include "src/common/slurm_xlator.h"

#include "src/common/log.h"
#include "src/common/node_conf.h"

#include "client/policy.h"
#include "client/ssiclient.h"
#include "common/clock.h"
#include "common/defaults.h"
#include "guests.h"

/* job_test waits this long at most for ssid (it holds slurmctld's locks) */
#define GUESTS_TIMEOUT_MS	300
/* guest counts move with migrations, seconds apart: ask once a second */
#define GUESTS_REFRESH_MS	1000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static json_object *nodes;		/* show_nodes' "nodes", or NULL */
static uint64_t fetched_ms;
static enum { UNKNOWN, REACHABLE, UNREACHABLE } state = UNKNOWN;

static const char *sock_path(void)
{
	const char *s = getenv("SSI_CONTROL_SOCKET");

	return s && *s ? s : SSI_CONTROL_SOCKET;
}

/* Log when ssid becomes reachable or not: once per change, not per job. */
static void set_state(bool ok, const char *err)
{
	if (ok && state != REACHABLE)
		info("select/ssi: ssid at %s reachable: cores busy with migrated processes are kept from new jobs",
		     sock_path());
	else if (!ok && state != UNREACHABLE)
		error("select/ssi: %s: placing jobs as select/cons_tres does until ssid answers",
		      err);
	state = ok ? REACHABLE : UNREACHABLE;
}

/*
 * Send @req (consumed) to ssid.  Returns the reply, which the caller puts
 * (NULL with set_state(false) when ssid could not be asked, did not answer
 * within GUESTS_TIMEOUT_MS or refused).  Call with @lock held.
 */
static json_object *ask_ssid(json_object *req)
{
	json_object *reply;
	struct ssiclient c;

	ssiclient_init(&c, sock_path(), GUESTS_TIMEOUT_MS);
	ssiclient_call(&c, req, &reply);
	json_object_put(req);
	if (!reply)
		set_state(false, c.msg);
	return reply;
}

/* Call with @lock held. */
static void refresh(void)
{
	uint64_t now = clock_mono_ms();
	json_object *req, *reply, *arr;

	if (fetched_ms && now - fetched_ms < GUESTS_REFRESH_MS)
		return;
	fetched_ms = now;
	req = json_object_new_object();
	json_object_object_add(req, "op", json_object_new_string("show_nodes"));
	reply = ask_ssid(req);
	json_object_put(nodes);
	nodes = NULL;
	if (!reply)
		return;
	if (json_object_object_get_ex(ssiclient_result(reply), "nodes", &arr))
		nodes = json_object_get(arr);
	json_object_put(reply);
	set_state(true, NULL);
}

bitstr_t *guests_exclude_cores(bitstr_t *exc)
{
	bitstr_t *out = NULL;
	size_t i, n;

	slurm_mutex_lock(&lock);
	refresh();
	n = nodes ? json_object_array_length(nodes) : 0;
	for (i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(nodes, i), *v;
		node_record_t *node;
		uint32_t first, end, g;

		if (!json_object_object_get_ex(o, "guests", &v) ||
		    !(g = (uint32_t)json_object_get_int64(v)) ||
		    !json_object_object_get_ex(o, "name", &v))
			continue;
		/* ssid's nodes are Slurm's, plus maybe the controller's host */
		node = find_node_record2((char *)json_object_get_string(v));
		if (!node)
			continue;
		if (!out) {
			out = cr_create_cluster_core_bitmap(1);
			if (exc)
				bit_or(out, exc);
		}
		first = cr_get_coremap_offset(node->index);
		end = cr_get_coremap_offset(node->index + 1);
		if (g > end - first)
			g = end - first;
		if (g)
			bit_nset(out, end - g, end - 1);
		debug("select/ssi: %s runs %u guests: its last %u cores are kept from new jobs",
		      node->name, g, g);
	}
	slurm_mutex_unlock(&lock);
	return out;
}

void guests_job_event(job_record_t *job_ptr, bool start)
{
	json_object *req;

	slurm_mutex_lock(&lock);
	/* ssid was down a moment ago: the next refresh will tell */
	if (state == UNREACHABLE) {
		slurm_mutex_unlock(&lock);
		return;
	}
	req = json_object_new_object();
	json_object_object_add(req, "op", json_object_new_string("job_event"));
	json_object_object_add(req, "event", json_object_new_string(start ? "start" : "end"));
	json_object_object_add(req, "job", json_object_new_int64(job_ptr->job_id));
	/* what sbatch --ssi-migratable asked for (ssi_spank.c marks the job) */
	json_object_object_add(req, "policy", json_object_new_string(ssi_policy_name(
		ssi_policy_from_env(job_ptr->spank_job_env, job_ptr->spank_job_env_size))));
	json_object_put(ask_ssid(req));
	/* the guests' cores may have changed hands: ask again next time */
	fetched_ms = 0;
	slurm_mutex_unlock(&lock);
}
