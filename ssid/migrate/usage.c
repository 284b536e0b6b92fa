// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * usage.c - a migrated process's usage away from home, charged to its
 * deputy (usage.h).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kmod/uapi/ssi.h"

#include "common/procfs.h"
#include "migrate/usage.h"

int usage_read(pid_t pid, struct usage_sample *s, uint64_t *rss_kb)
{
	long tck = sysconf(_SC_CLK_TCK);
	static const struct {
		const char *key;
		size_t off;
	} held[] = {
		{ "RssAnon", offsetof(struct usage_mem, anon_kb) },
		{ "RssFile", offsetof(struct usage_mem, file_kb) },
		{ "RssShmem", offsetof(struct usage_mem, shmem_kb) },
		{ "VmSwap", offsetof(struct usage_mem, swap_kb) },
		{ "VmSize", offsetof(struct usage_mem, vm_kb) },
		{ "VmPeak", offsetof(struct usage_mem, vm_peak_kb) },
	};
	uint64_t utime, stime, rss, hwm;
	char text[4096];
	size_t i;

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
	/* a zombie has no memory, and no Vm or Rss lines */
	memset(&s->mem, 0, sizeof(s->mem));
	if (procfs_read(pid, "status", text, sizeof(text)) ||
	    procfs_status_u64(text, "VmHWM", 10, &hwm))
		hwm = 0;
	s->maxrss_kb = hwm;
	for (i = 0; hwm && i < sizeof(held) / sizeof(held[0]); i++) {
		if (procfs_status_u64(text, held[i].key, 10,
				      (uint64_t *)((char *)&s->mem + held[i].off))) {
			memset(&s->mem, 0, sizeof(s->mem));
			break;
		}
	}
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
	memset(&due->mem, 0, sizeof(due->mem));
	if (total->mem.vm_kb && memcmp(&total->mem, &a->charged.mem, sizeof(total->mem))) {
		due->mem = total->mem;
		a->charged.mem = total->mem;
	}
	return due->utime_ns || due->stime_ns || due->maxrss_kb || due->mem.vm_kb;
}

int usage_charge(int dev, pid_t pid, const struct usage_sample *due)
{
	const struct usage_mem *m = &due->mem;
	struct ssi_charge c = {
		.pid = pid, .flags = m->vm_kb ? SSI_CHARGE_MEM : 0,
		.utime_ns = due->utime_ns, .stime_ns = due->stime_ns,
		.maxrss_kb = due->maxrss_kb,
		.rss_anon_kb = m->anon_kb, .rss_file_kb = m->file_kb,
		.rss_shmem_kb = m->shmem_kb, .swap_kb = m->swap_kb,
		.vm_kb = m->vm_kb, .vm_peak_kb = m->vm_peak_kb,
	};
	const uint64_t kb[] = { c.maxrss_kb, c.rss_anon_kb, c.rss_file_kb,
				c.rss_shmem_kb, c.swap_kb, c.vm_kb, c.vm_peak_kb };
	size_t i;

	if (c.utime_ns > SSI_CHARGE_CPU_MAX_NS || c.stime_ns > SSI_CHARGE_CPU_MAX_NS)
		return -ERANGE;
	for (i = 0; i < sizeof(kb) / sizeof(kb[0]); i++)
		if (kb[i] > SSI_CHARGE_RSS_MAX_KB)
			return -ERANGE;
	return ioctl(dev, SSI_IOC_CHARGE, &c) ? -errno : 0;
}
