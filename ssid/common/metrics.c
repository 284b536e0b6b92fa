// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metrics.c - ssid's counters and their Prometheus text (metrics.h).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/metrics.h"

static uint64_t counters[METRIC_COUNTERS];

/*
 * The freeze-time histogram's upper bounds (s): a migration freezes a
 * process from a few ms (a small one on a fast link) to tens of seconds
 * (gigabytes over a slow one).
 */
static const double freeze_le[] = { 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60 };
#define FREEZE_BUCKETS	(sizeof(freeze_le) / sizeof(freeze_le[0]))
static uint64_t freeze_bucket[FREEZE_BUCKETS], freeze_count, freeze_sum_ns;

/* THE table: each counter's family, its label, and the family's help. */
static const struct {
	const char *family;
	const char *label;	/* "name=\"value\"", or NULL */
	const char *help;
} counter_def[METRIC_COUNTERS] = {
	[METRIC_MIGRATED] = { "ssi_migrations_total", "result=\"ok\"",
		"Migrations of this node's processes to other nodes, by result" },
	[METRIC_MIGRATE_FAILED] = { "ssi_migrations_total", "result=\"failed\"", NULL },
	[METRIC_RETURNED] = { "ssi_returns_total", "result=\"ok\"",
		"Processes of this node brought back home on request, by result" },
	[METRIC_RETURN_FAILED] = { "ssi_returns_total", "result=\"failed\"", NULL },
	[METRIC_PULLED_HOME] = { "ssi_pull_home_total", NULL,
		"Processes of this node that came home for a call only home can run" },
	[METRIC_GUEST_TAKEN] = { "ssi_guests_received_total", "result=\"ok\"",
		"Processes of other nodes offered to this node, by result" },
	[METRIC_GUEST_REFUSED] = { "ssi_guests_received_total", "result=\"refused\"", NULL },
	[METRIC_IMAGE_BYTES_SENT] = { "ssi_image_sent_bytes_total", NULL,
		"Bytes of process images this node sent" },
	[METRIC_FORWARDED_CALLS] = { "ssi_forwarded_calls_total", NULL,
		"System calls of migrated processes of this node run at home" },
	[METRIC_DSM_ASKED_READ] = { "ssi_dsm_faults_total", "access=\"read\"",
		"Faults on shared memory of processes here that needed a page from "
		"another node, by access" },
	[METRIC_DSM_ASKED_WRITE] = { "ssi_dsm_faults_total", "access=\"write\"", NULL },
	[METRIC_DSM_PAGES_SENT] = { "ssi_dsm_pages_sent_total", NULL,
		"Pages of shared memory this node sent to other nodes" },
	[METRIC_DSM_REVOKED] = { "ssi_dsm_revocations_total", NULL,
		"Pages of shared memory this node gave up or stopped writing for another node" },
	[METRIC_DSM_LOST] = { "ssi_dsm_pages_lost_total", NULL,
		"Pages of shared memory lost here with the node that alone held them" },
};

void metrics_add(enum metric m, uint64_t n)
{
	if ((unsigned int)m < METRIC_COUNTERS)
		counters[m] += n;
}

void metrics_freeze(uint64_t ns)
{
	size_t i;

	/* each bucket counts what is at most its bound: cumulative */
	for (i = 0; i < FREEZE_BUCKETS; i++)
		if ((double)ns / 1e9 <= freeze_le[i])
			freeze_bucket[i]++;
	freeze_count++;
	freeze_sum_ns += ns;
}

void metrics_reset(void)
{
	memset(counters, 0, sizeof(counters));
	memset(freeze_bucket, 0, sizeof(freeze_bucket));
	freeze_count = freeze_sum_ns = 0;
}

struct out {
	char *buf;
	size_t len, used;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	size_t room = o->used < o->len ? o->len - o->used : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->used : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->used += (size_t)n;
}

static void gauge(struct out *o, const char *name, const char *help, uint64_t v)
{
	put(o, "# HELP %s %s\n# TYPE %s gauge\n%s %" PRIu64 "\n", name, help, name, name, v);
}

size_t metrics_render(const struct metrics_now *now, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	size_t i;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < METRIC_COUNTERS; i++) {
		const char *f = counter_def[i].family;

		if (counter_def[i].help)
			put(&o, "# HELP %s %s\n# TYPE %s counter\n", f, counter_def[i].help, f);
		if (counter_def[i].label)
			put(&o, "%s{%s} %" PRIu64 "\n", f, counter_def[i].label, counters[i]);
		else
			put(&o, "%s %" PRIu64 "\n", f, counters[i]);
	}
	put(&o, "# HELP ssi_migration_freeze_seconds How long a process of this node "
	    "was frozen to migrate\n# TYPE ssi_migration_freeze_seconds histogram\n");
	for (i = 0; i < FREEZE_BUCKETS; i++)	/* cumulative, as counted */
		put(&o, "ssi_migration_freeze_seconds_bucket{le=\"%g\"} %" PRIu64 "\n",
		    freeze_le[i], freeze_bucket[i]);
	put(&o, "ssi_migration_freeze_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n"
	    "ssi_migration_freeze_seconds_sum %.6f\n"
	    "ssi_migration_freeze_seconds_count %" PRIu64 "\n",
	    freeze_count, (double)freeze_sum_ns / 1e9, freeze_count);
	gauge(&o, "ssi_guests", "Processes of other nodes running on this node", now->guests);
	gauge(&o, "ssi_deputies", "Processes of this node running on other nodes",
	      now->deputies);
	gauge(&o, "ssi_peers_up", "Other nodes this node is connected to", now->peers_up);
	gauge(&o, "ssi_peers", "Other nodes in ssi.conf", now->peers);
	put(&o, "# HELP ssi_dsm_segments Shared memory segments on this node: made here "
	    "(home) or copies of other nodes'\n# TYPE ssi_dsm_segments gauge\n"
	    "ssi_dsm_segments{role=\"home\"} %" PRIu64 "\n"
	    "ssi_dsm_segments{role=\"copy\"} %" PRIu64 "\n", now->dsm_homes, now->dsm_copies);
	return o.used;
}
