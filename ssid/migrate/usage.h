/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * usage.h - what a migrated process uses away from home is counted at
 * home, on its deputy.
 *
 * At home the process is its deputy: its parent's wait4() (and so the
 * CPU time Slurm records for the task), ps and top, Slurm's
 * jobacct_gather read the deputy's counters, which see none of the work
 * done on the remote node.  So the remote node samples the process's
 * totals there (/proc/PID/stat, VmHWM) every MIG_USAGE_MS and once more
 * when it ends, and sends them home (MIG_USAGE); home charges the deputy
 * what they grew by (SSI_IOC_CHARGE).  The memory it holds there now
 * travels with them: the deputy shows it to home's readers of its memory
 * figures (ps, top, jobacct_gather), each report replacing the last.  The totals include what the
 * process had used before it left (the image carries its counters), and
 * the deputy's own counters already hold that: so what is charged is
 * counted from the deputy's counters when it took over.  Coming home,
 * the image's counters replace the deputy's, charges included.
 */
#ifndef SSID_USAGE_H
#define SSID_USAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* How often the remote node reports a running process's usage. */
#define MIG_USAGE_MS	1000

/*
 * What the process holds where it runs now (KiB), as its /proc/PID/status
 * there says; home's readers of the deputy's counters see it
 * (SSI_CHARGE_MEM).  @vm_kb 0: not known (a zombie has no memory).
 */
struct usage_mem {
	uint64_t anon_kb, file_kb, shmem_kb;	/* RssAnon, RssFile, RssShmem */
	uint64_t swap_kb;			/* VmSwap */
	uint64_t vm_kb, vm_peak_kb;		/* VmSize, VmPeak */
};

struct usage_sample {
	uint64_t utime_ns, stime_ns;	/* the process's, all threads */
	uint64_t maxrss_kb;		/* peak resident set (VmHWM); 0: unknown */
	struct usage_mem mem;		/* now */
};

/*
 * usage_read - process @pid's CPU times (also of a zombie), its peak
 * resident set and the memory it holds (0 once its memory is gone); if
 * @rss_kb is not NULL, its resident set now (0 once gone).
 * Return: 0, or -ESRCH.
 */
int usage_read(pid_t pid, struct usage_sample *s, uint64_t *rss_kb);

/* At home: what the deputy was charged, and from where it counts. */
struct usage_account {
	struct usage_sample base;	/* the deputy's when it took over */
	struct usage_sample charged;	/* totals charged up to now */
};

/*
 * usage_account_start - count from the counters of deputy @pid now.
 * Return: 0, or -ESRCH.
 */
int usage_account_start(struct usage_account *a, pid_t pid);

/*
 * usage_due - the remote node reports @total: @due gets what the deputy
 * has not been charged yet (times it grew by; the peak if higher; the
 * memory held if known and not the last shown), and @a counts it as
 * charged.  Return: whether anything is due.
 */
bool usage_due(struct usage_account *a, const struct usage_sample *total,
	       struct usage_sample *due);

/*
 * usage_charge - SSI_IOC_CHARGE deputy @pid with @due through /dev/ssi
 * open file @dev.  Return: 0, or -errno.
 */
int usage_charge(int dev, pid_t pid, const struct usage_sample *due);

#endif /* SSID_USAGE_H */
