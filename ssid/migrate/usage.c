// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * usage.c - a migrated process's usage away from home, charged to its
 * deputy (usage.h).
 */
#include <errno.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kmod/uapi/ssi.h"

#include "common/procfs.h"
#include "migrate/usage.h"

int usage_read(pid_t pid, struct usage_sample *s, uint64_t *rss_kb)
{
	long tck = sysconf(_SC_CLK_TCK);
	uint64_t utime, stime, rss, hwm;
	char text[4096];

	/*
	 * utime 14, stime 15: clock ticks, scaled as getrusage() scales
	 * them; rss 24: pages
	 */
	if (tck <= 0 || procfs_read(pid, "stat", text, sizeof(text)) ||
	    procfs_stat_u64(text, 14, &utime) || procfs_stat_u64(text, 15, &stime) ||
	    procfs_stat_u64(text, 24, &rss))
		return -ESRCH;
	s->utime_ns = utime * (1000000000ULL / (uint64_t)tck);
	s->stime_ns = stime * (1000000000ULL / (uint64_t)tck);
	if (rss_kb)
		*rss_kb = rss * (uint64_t)(sysconf(_SC_PAGESIZE) / 1024);
	/* a zombie has no memory, and no VmHWM line */
	if (procfs_read(pid, "status", text, sizeof(text)) ||
	    procfs_status_u64(text, "VmHWM", 10, &hwm))
		hwm = 0;
	s->maxrss_kb = hwm;
	return 0;
}

int usage_account_start(struct usage_account *a, pid_t pid)
{
	*a = (struct usage_account){ 0 };
	return usage_read(pid, &a->base, NULL);
}

/* what @total - @base comes to beyond @charged (0 if nothing) */
static uint64_t grown(uint64_t total, uint64_t base, uint64_t *charged)
{
	uint64_t used = total > base ? total - base : 0, d = 0;

	if (used > *charged) {
		d = used - *charged;
		*charged = used;
	}
	return d;
}

bool usage_due(struct usage_account *a, const struct usage_sample *total,
	       struct usage_sample *due)
{
	due->utime_ns = grown(total->utime_ns, a->base.utime_ns, &a->charged.utime_ns);
	due->stime_ns = grown(total->stime_ns, a->base.stime_ns, &a->charged.stime_ns);
	due->maxrss_kb = 0;
	if (total->maxrss_kb > a->charged.maxrss_kb) {
		due->maxrss_kb = total->maxrss_kb;
		a->charged.maxrss_kb = total->maxrss_kb;
	}
	return due->utime_ns || due->stime_ns || due->maxrss_kb;
}

int usage_charge(int dev, pid_t pid, const struct usage_sample *due)
{
	struct ssi_charge c = {
		.pid = pid, .utime_ns = due->utime_ns, .stime_ns = due->stime_ns,
		.maxrss_kb = due->maxrss_kb,
	};

	if (c.utime_ns > SSI_CHARGE_CPU_MAX_NS || c.stime_ns > SSI_CHARGE_CPU_MAX_NS ||
	    c.maxrss_kb > SSI_CHARGE_RSS_MAX_KB)
		return -ERANGE;
	return ioctl(dev, SSI_IOC_CHARGE, &c) ? -errno : 0;
}
