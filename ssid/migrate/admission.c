// SPDX-License-Identifier: GPL-2.0
/*
 * admission.c - what this node takes in (see admission.h).
 *
 * The receiving node decides for itself: another node's view of this
 * one (its copy of ssi.conf, its idea of our load) is not a permission.
 * Every offer is checked when it arrives and again as its image grows,
 * since an image may be streamed without a size announced.
 */
#include <errno.h>
#include <stdio.h>

#include "cluster/load.h"
#include "common/procfs.h"
#include "daemon/conf.h"
#include "migrate/admission.h"

int admission_check(const struct admission *a, char *why, size_t len)
{
	const struct ssi_conf *c = a->conf;
	uint64_t cap_kb;

	if (c->nodes[a->self].no_migrate) {
		snprintf(why, len, "node %s takes no processes (Migrate=no in its %s)",
			 c->nodes[a->self].name, c->path);
		return EPERM;
	}
	if (a->arriving >= c->max_incoming) {
		snprintf(why, len, "node %s has %u migrations arriving already (MaxIncoming=%u)",
			 c->nodes[a->self].name, a->arriving, c->max_incoming);
		return EBUSY;
	}
	cap_kb = a->mem_available_kb * c->incoming_memory_pct / 100;
	if (a->mem_available_kb && a->image_bytes / 1024 > cap_kb) {
		snprintf(why, len, "node %s: an image of %s%llu MiB is more than %u%% of its "
			 "available memory (%llu MiB; IncomingMemory=%u)", c->nodes[a->self].name,
			 a->streaming ? "at least " : "",
			 (unsigned long long)(a->image_bytes >> 20), c->incoming_memory_pct,
			 (unsigned long long)(a->mem_available_kb >> 10), c->incoming_memory_pct);
		return ENOMEM;
	}
	return 0;
}

uint64_t admission_mem_available_kb(void)
{
	char text[8192];
	uint64_t total, avail;

	if (procfs_read_file("/proc/meminfo", text, sizeof(text)) ||
	    load_parse_meminfo(text, &total, &avail))
		return 0;
	return avail;
}
