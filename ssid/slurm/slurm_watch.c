// SPDX-License-Identifier: GPL-2.0
/*
 * slurm_watch.c - ssi-slurm-watch, ssid's window on slurmctld.
 *
 * ssid runs it as a child, with a socket on fds 0 and 1, and never links
 * libslurm itself: a libslurm call waits for slurmctld (MessageTimeout,
 * seconds) and would stall ssid's event loop, its heartbeats and every
 * forwarded call with it.  Here a slow slurmctld delays only the answers.
 *
 * Usage: ssi-slurm-watch POLL_MS
 *
 * Every POLL_MS it loads Slurm's nodes and partitions (with their last
 * update times, so an unchanged cluster costs slurmctld almost nothing)
 * and writes one JSON line (slurm_view.h has the grammar):
 *   {"nodes": {"n1": {"state": "IDLE", "usable": true}, ...},
 *    "partitions": {"lab": ["n1", "n2"]}}          when anything changed
 *   {"unchanged": true}                             when nothing did
 *   {"error": "..."}                                when Slurm did not answer
 * and for each request line {"job": J} it reads, one answer:
 *   {"job": J, "partition": "lab"}  or  {"job": J, "error": "..."}
 * It ends when ssid closes its end.
 *
 * Which node states make a node usable is decided here, in one table
 * (unusable_flags[]), the only place that reads Slurm's state bits.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

#include <json-c/json.h>

#include "client/linebuf.h"

/* The longest request line ssid sends ({"job": J}): anything longer is bad. */
#define WATCH_REQUEST_MAX	256

static const char *const base_names[] = {
	[NODE_STATE_UNKNOWN] = "UNKNOWN", [NODE_STATE_DOWN] = "DOWN",
	[NODE_STATE_IDLE] = "IDLE", [NODE_STATE_ALLOCATED] = "ALLOCATED",
	[NODE_STATE_ERROR] = "ERROR", [NODE_STATE_MIXED] = "MIXED",
	[NODE_STATE_FUTURE] = "FUTURE",
};

/*
 * A node takes migrated work only in a base state that runs jobs (IDLE,
 * ALLOCATED, MIXED) and with none of these flags: what Slurm itself would
 * not start a new job on, or what an administrator set to empty it.
 */
static const struct {
	uint32_t flag;
	const char *name;
} unusable_flags[] = {
	{ NODE_STATE_DRAIN, "DRAIN" },
	{ NODE_STATE_FAIL, "FAIL" },
	{ NODE_STATE_NO_RESPOND, "NOT_RESPONDING" },
	{ NODE_STATE_POWERED_DOWN, "POWERED_DOWN" },
	{ NODE_STATE_POWERING_DOWN, "POWERING_DOWN" },
	{ NODE_STATE_POWERING_UP, "POWERING_UP" },
	{ NODE_STATE_POWER_DOWN, "POWER_DOWN" },
	{ NODE_STATE_REBOOT_REQUESTED, "REBOOT_REQUESTED" },
	{ NODE_STATE_REBOOT_ISSUED, "REBOOT_ISSUED" },
	{ NODE_STATE_MAINT, "MAINT" },
};

static json_object *node_state(uint32_t state)
{
	json_object *o = json_object_new_object();
	uint32_t base = state & NODE_STATE_BASE;
	char text[256];
	bool usable = base == NODE_STATE_IDLE || base == NODE_STATE_ALLOCATED ||
		      base == NODE_STATE_MIXED;
	size_t i, len;

	snprintf(text, sizeof(text), "%s", base < sizeof(base_names) / sizeof(base_names[0]) &&
		 base_names[base] ? base_names[base] : "UNKNOWN");
	for (i = 0; i < sizeof(unusable_flags) / sizeof(unusable_flags[0]); i++) {
		if (!(state & unusable_flags[i].flag))
			continue;
		usable = false;
		len = strlen(text);
		snprintf(text + len, sizeof(text) - len, "+%s", unusable_flags[i].name);
	}
	json_object_object_add(o, "state", json_object_new_string(text));
	json_object_object_add(o, "usable", json_object_new_boolean(usable));
	return o;
}

/* A partition's node list ("n[1-3],gpu7") as an array of names. */
static json_object *expand_nodes(const char *list)
{
	json_object *a = json_object_new_array();
	hostlist_t hl = slurm_hostlist_create(list ? list : "");
	char *h;

	if (!hl)
		return a;
	while ((h = slurm_hostlist_shift(hl))) {
		json_object_array_add(a, json_object_new_string(h));
		free(h);
	}
	slurm_hostlist_destroy(hl);
	return a;
}

static void emit(json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	fflush(stdout);
	json_object_put(o);
}

static void emit_error(const char *what)
{
	json_object *o = json_object_new_object();
	char msg[256];

	snprintf(msg, sizeof(msg), "cannot read Slurm's %s: %s", what,
		 slurm_strerror(slurm_get_errno()));
	json_object_object_add(o, "error", json_object_new_string(msg));
	emit(o);
}

static node_info_msg_t *nodes;
static partition_info_msg_t *parts;

/* Load what changed since the last poll and say so. */
static void poll_slurm(void)
{
	node_info_msg_t *n = NULL;
	partition_info_msg_t *p = NULL;
	json_object *o, *no, *po;
	bool changed = false;
	uint32_t i;
	int rc;

	rc = slurm_load_node(nodes ? nodes->last_update : 0, &n, SHOW_ALL);
	if (rc && slurm_get_errno() != SLURM_NO_CHANGE_IN_DATA) {
		emit_error("nodes");
		return;
	}
	if (!rc) {
		slurm_free_node_info_msg(nodes);
		nodes = n;
		changed = true;
	}
	rc = slurm_load_partitions(parts ? parts->last_update : 0, &p, SHOW_ALL);
	if (rc && slurm_get_errno() != SLURM_NO_CHANGE_IN_DATA) {
		emit_error("partitions");
		return;
	}
	if (!rc) {
		slurm_free_partition_info_msg(parts);
		parts = p;
		changed = true;
	}
	o = json_object_new_object();
	if (!changed) {
		json_object_object_add(o, "unchanged", json_object_new_boolean(1));
		emit(o);
		return;
	}
	no = json_object_new_object();
	for (i = 0; i < nodes->record_count; i++)
		if (nodes->node_array[i].name)
			json_object_object_add(no, nodes->node_array[i].name,
					       node_state(nodes->node_array[i].node_state));
	po = json_object_new_object();
	for (i = 0; i < parts->record_count; i++)
		if (parts->partition_array[i].name)
			json_object_object_add(po, parts->partition_array[i].name,
					       expand_nodes(parts->partition_array[i].nodes));
	json_object_object_add(o, "nodes", no);
	json_object_object_add(o, "partitions", po);
	emit(o);
}

/* One request line: the partition of a job. */
static void answer(const char *line)
{
	json_object *req = json_tokener_parse(line), *j, *o;
	job_info_msg_t *jobs = NULL;
	int64_t job;
	char msg[256];

	if (!req || !json_object_object_get_ex(req, "job", &j) ||
	    !json_object_is_type(j, json_type_int) ||
	    (job = json_object_get_int64(j)) <= 0 || job > UINT32_MAX) {
		json_object_put(req);
		return;		/* ssid sends nothing else: ignore */
	}
	json_object_put(req);
	o = json_object_new_object();
	json_object_object_add(o, "job", json_object_new_int64(job));
	if (slurm_load_job(&jobs, (uint32_t)job, SHOW_ALL) || !jobs->record_count) {
		snprintf(msg, sizeof(msg), "job %lld: %s", (long long)job,
			 jobs ? "unknown to slurmctld" : slurm_strerror(slurm_get_errno()));
		json_object_object_add(o, "error", json_object_new_string(msg));
	} else {
		json_object_object_add(o, "partition", json_object_new_string(
			jobs->job_array[0].partition ? jobs->job_array[0].partition : ""));
	}
	if (jobs)
		slurm_free_job_info_msg(jobs);
	emit(o);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	struct pollfd pfd = { .fd = 0, .events = POLLIN };
	struct linebuf lb;
	uint64_t next = 0, now;
	long poll_ms;
	char buf[4096], *line, *end;
	size_t len;
	ssize_t n;
	int rc;

	if (argc != 2 || (poll_ms = strtol(argv[1], &end, 10)) <= 0 || *end) {
		fprintf(stderr, "usage: %s POLL_MS (run by ssid)\n", argv[0]);
		return 2;
	}
	linebuf_init(&lb, WATCH_REQUEST_MAX);
	for (;;) {
		now = now_ms();
		if (now >= next) {
			poll_slurm();
			next = now_ms() + (uint64_t)poll_ms;
			continue;
		}
		rc = poll(&pfd, 1, (int)(next - now));
		if (rc < 0 && errno != EINTR)
			return 1;
		if (rc <= 0)
			continue;
		n = read(0, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;		/* ssid is gone */
		if (linebuf_append(&lb, buf, (size_t)n))
			return 1;
		while ((rc = linebuf_next(&lb, &line, &len)) != 0)
			if (rc > 0)
				answer(line);
	}
	linebuf_free(&lb);
	slurm_free_node_info_msg(nodes);
	slurm_free_partition_info_msg(parts);
	return 0;
}
