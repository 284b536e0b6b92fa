/* SPDX-License-Identifier: GPL-2.0 */
/*
 * load_sample.h - measure this node's load vector: hwloc for the topology
 * (once, at start-up), /proc/stat, /proc/schedstat, /proc/loadavg and
 * /proc/meminfo every interval.
 */
#ifndef SSID_LOAD_SAMPLE_H
#define SSID_LOAD_SAMPLE_H

#include "cluster/load.h"

struct sampler;

/*
 * sampler_open - discover the topology and take a first CPU sample so the
 * first sampler_take() has a delta.  The /proc files stay open (pread from
 * offset 0 each time).  Returns NULL with errno set; @err gets a reason.
 */
struct sampler *sampler_open(char *err, size_t errlen);

/*
 * sampler_take - fill @v with the current load vector; CPU use is over the
 * time since the previous call.  guests and deputies are left as they are
 * (the caller owns them).  Returns 0, or -1 with errno set if /proc could
 * not be read or parsed; @v then keeps its previous figures.
 */
int sampler_take(struct sampler *s, struct load_vector *v);

/*
 * sampler_runnable - this node's runnable tasks up to now, for a plan made
 * between two heartbeats: as sampler_take() counts them (averaged over the
 * last second or more), but no more than are runnable now (the least of
 * a few looks over some milliseconds), not counting ssid's threads nor
 * @client (the process that asked for the plan; 0 if none):
 * load_runnable_present().  Returns 0, or -1 with errno set.
 */
int sampler_runnable(struct sampler *s, pid_t client, uint32_t *runnable);

/* sampler_close - free @s; NULL is fine. */
void sampler_close(struct sampler *s);

#endif /* SSID_LOAD_SAMPLE_H */
