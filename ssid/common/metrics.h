/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics.h - the counters an administrator graphs, kept by ssid and
 * written in the Prometheus text format (version 0.0.4, what
 * node_exporter's textfile collector and Prometheus itself read) by
 * `ssictl show metrics`.
 *
 * One process-wide set, like the log: every part of ssid counts its own
 * events here, and only the event loop's thread touches them.  Which
 * metrics there are, their names, types, labels and help texts: the one
 * table in metrics.c.
 */
#ifndef SSID_METRICS_H
#define SSID_METRICS_H

#include <stddef.h>
#include <stdint.h>

enum metric {
	METRIC_MIGRATED,		/* a process of this node left it */
	METRIC_MIGRATE_FAILED,		/* ... or stayed: refused, failed */
	METRIC_RETURNED,		/* brought home on request */
	METRIC_RETURN_FAILED,
	METRIC_PULLED_HOME,		/* came home for a call only home runs */
	METRIC_GUEST_TAKEN,		/* a process of another node runs here */
	METRIC_GUEST_REFUSED,		/* ... was refused or failed here */
	METRIC_IMAGE_BYTES_SENT,	/* image bytes sent, both ways */
	METRIC_FORWARDED_CALLS,		/* calls run at home for the away */
	METRIC_DSM_ASKED_READ,		/* a fault here needed a page from the directory */
	METRIC_DSM_ASKED_WRITE,		/* ... or write access to it */
	METRIC_DSM_PAGES_SENT,		/* shared memory pages' content sent */
	METRIC_DSM_REVOKED,		/* pages this node's copies gave up */
	METRIC_DSM_LOST,		/* pages lost with the node that held them */
	METRIC_COUNTERS
};

/* metrics_add - count @n more of @m. */
void metrics_add(enum metric m, uint64_t n);

/* metrics_freeze - a process of this node was frozen @ns to migrate. */
void metrics_freeze(uint64_t ns);

/* What is read at the time of asking. */
struct metrics_now {
	uint64_t guests, deputies;	/* processes here from elsewhere, away */
	uint64_t peers_up, peers;	/* other nodes connected, configured */
	uint64_t dsm_homes, dsm_copies;	/* shared memory segments here */
};

/*
 * metrics_render - every metric in the Prometheus text format into @buf
 * (@len bytes, NUL-terminated when @len > 0).  Return: the length of the
 * whole text (as snprintf: larger than @len - 1 when cut).
 */
size_t metrics_render(const struct metrics_now *now, char *buf, size_t len);

/* metrics_reset - every counter to zero (for tests). */
void metrics_reset(void);

#endif /* SSID_METRICS_H */
