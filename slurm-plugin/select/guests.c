// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * guests.c - select/ssi's view of migrated load (see guests.h).
 *
 * slurmctld calls job_test, job_begin and job_fini with its job and node
 * locks held, so nothing here waits for ssid on that path: a thread of
 * the plugin's own asks ssid for every node's guest count each
 * GUESTS_REFRESH_MS and sends the job events the scheduler queued; the
 * scheduler reads the last counts under a mutex held for a table walk.
 * The thread starts with the first call (slurmctld's: the clients that
 * load every select plugin, squeue or ssictl, never call these) and
 * stops in guests_fini().  A hung ssid then costs the scheduler nothing;
 * counts older than GUESTS_STALE_MS are not used.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* the thread's wait for ssid's answer (it holds no lock of slurmctld's) */
#define GUESTS_TIMEOUT_MS	2000
/* guest counts move with migrations, seconds apart: ask once a second */
#define GUESTS_REFRESH_MS	1000
/* counts this old are not used: ssid does not answer */
#define GUESTS_STALE_MS		10000
/* job events waiting to be sent; more are dropped (and said once) */
#define GUESTS_EVENTS_MAX	4096

struct guest_count {
	char name[SSI_NODE_NAME_MAX + 1];
	uint32_t guests;
};

struct job_event {
	uint32_t job;
	bool start;
	enum ssi_policy policy;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake;		/* start_thread() sets it up */
static bool wake_ready;
/* the last counts ssid gave, and when (0: none yet) */
static struct guest_count *counts;
static size_t ncounts;
static uint64_t fetched_ms;
/* events queued by the scheduler for the thread, oldest first */
static struct job_event events[GUESTS_EVENTS_MAX];
static size_t nevents, dropped;
static pthread_t thread;
static bool running, stopping, start_failed;
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
 * within GUESTS_TIMEOUT_MS or refused).  The thread's alone: no lock held.
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

/* show_nodes' "nodes" as a table (NULL, 0 when it has none). */
static struct guest_count *parse_counts(json_object *arr, size_t *n)
{
	size_t i, len = arr ? json_object_array_length(arr) : 0;
	struct guest_count *t = calloc(len ? len : 1, sizeof(*t));

	*n = 0;
	if (!t)
		return NULL;
	for (i = 0; i < len; i++) {
		json_object *o = json_object_array_get_idx(arr, i), *v, *g;
		const char *name;
		int64_t guests;

		if (!json_object_object_get_ex(o, "name", &v) ||
		    !json_object_object_get_ex(o, "guests", &g) ||
		    !json_object_is_type(g, json_type_int))
			continue;
		name = json_object_get_string(v);
		guests = json_object_get_int64(g);
		if (!name || strlen(name) > SSI_NODE_NAME_MAX || guests < 0 ||
		    guests > UINT32_MAX)
			continue;
		snprintf(t[*n].name, sizeof(t[*n].name), "%s", name);
		t[(*n)++].guests = (uint32_t)guests;
	}
	return t;
}

/* The thread: the guest counts afresh from ssid (none while it does not answer). */
static void refresh(void)
{
	json_object *req = json_object_new_object(), *reply, *arr = NULL;
	struct guest_count *t;
	size_t n;

	json_object_object_add(req, "op", json_object_new_string("show_nodes"));
	reply = ask_ssid(req);
	if (reply) {
		json_object_object_get_ex(ssiclient_result(reply), "nodes", &arr);
		t = parse_counts(arr, &n);
		json_object_put(reply);
	} else {
		t = NULL;	/* placing as cons_tres does, as set_state() said */
		n = 0;
	}
	slurm_mutex_lock(&lock);
	free(counts);
	counts = t;
	ncounts = n;
	fetched_ms = t ? clock_mono_ms() : 0;
	slurm_mutex_unlock(&lock);
	if (t)
		set_state(true, NULL);
}

/* The thread: one job event; false when ssid did not take it. */
static bool send_event(const struct job_event *e)
{
	json_object *req = json_object_new_object(), *reply;

	json_object_object_add(req, "op", json_object_new_string("job_event"));
	json_object_object_add(req, "event", json_object_new_string(e->start ? "start" : "end"));
	json_object_object_add(req, "job", json_object_new_int64(e->job));
	json_object_object_add(req, "policy", json_object_new_string(ssi_policy_name(e->policy)));
	reply = ask_ssid(req);
	json_object_put(reply);
	return reply != NULL;
}

static void *guests_thread(void *arg)
{
	static struct job_event batch[GUESTS_EVENTS_MAX];
	uint64_t next_ms = 0;
	size_t n, i;

	(void)arg;
	for (;;) {
		uint64_t now = clock_mono_ms();

		slurm_mutex_lock(&lock);
		while (!stopping && !nevents && now < next_ms) {
			struct timespec ts;
			uint64_t left = next_ms - now;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += (time_t)(left / 1000);
			ts.tv_nsec += (long)(left % 1000) * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&wake, &lock, &ts);
			now = clock_mono_ms();
		}
		if (stopping) {
			slurm_mutex_unlock(&lock);
			return NULL;
		}
		n = nevents;
		memcpy(batch, events, n * sizeof(*batch));
		nevents = 0;
		if (dropped) {
			error("select/ssi: %zu job events not sent to ssid (more than %u waiting)",
			      dropped, GUESTS_EVENTS_MAX);
			dropped = 0;
		}
		slurm_mutex_unlock(&lock);
		/* ssid that does not take one will not take the rest soon */
		for (i = 0; i < n; i++)
			if (!send_event(&batch[i]))
				break;
		/* the guests' cores may have changed hands: ask at once */
		if (n || now >= next_ms) {
			refresh();
			next_ms = clock_mono_ms() + GUESTS_REFRESH_MS;
		}
	}
}

/* Call with @lock held: the thread runs, unless it could not start. */
static void start_thread(void)
{
	int rc;

	if (running || stopping || start_failed)
		return;
	if (!wake_ready) {
		/* the thread's deadlines are on the monotonic clock */
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&wake, &ca);
		pthread_condattr_destroy(&ca);
		wake_ready = true;
	}
	rc = pthread_create(&thread, NULL, guests_thread, NULL);
	if (rc) {
		error("select/ssi: cannot start its thread: %s; placing jobs as select/cons_tres does",
		      strerror(rc));
		start_failed = true;
		return;
	}
	running = true;
}

bitstr_t *guests_exclude_cores(bitstr_t *exc)
{
	bitstr_t *out = NULL;
	size_t i;

	slurm_mutex_lock(&lock);
	start_thread();
	if (!fetched_ms || clock_mono_ms() - fetched_ms > GUESTS_STALE_MS) {
		slurm_mutex_unlock(&lock);
		return NULL;
	}
	for (i = 0; i < ncounts; i++) {
		uint32_t first, end, g = counts[i].guests;
		node_record_t *node;

		if (!g)
			continue;
		/* ssid's nodes are Slurm's, plus maybe the controller's host */
		node = find_node_record2(counts[i].name);
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
	struct job_event e = {
		.job = job_ptr->job_id, .start = start,
		/* what sbatch --ssi-migratable asked for (ssi_spank.c marks the job) */
		.policy = ssi_policy_from_env(job_ptr->spank_job_env,
					      job_ptr->spank_job_env_size),
	};

	slurm_mutex_lock(&lock);
	start_thread();
	if (!running) {
		slurm_mutex_unlock(&lock);
		return;
	}
	if (nevents < GUESTS_EVENTS_MAX)
		events[nevents++] = e;
	else
		dropped++;
	pthread_cond_signal(&wake);
	slurm_mutex_unlock(&lock);
}

void guests_fini(void)
{
	slurm_mutex_lock(&lock);
	stopping = true;
	if (wake_ready)
		pthread_cond_signal(&wake);
	slurm_mutex_unlock(&lock);
	if (running)
		pthread_join(thread, NULL);
	slurm_mutex_lock(&lock);
	running = false;
	stopping = false;
	free(counts);
	counts = NULL;
	ncounts = 0;
	fetched_ms = 0;
	nevents = 0;
	slurm_mutex_unlock(&lock);
}
