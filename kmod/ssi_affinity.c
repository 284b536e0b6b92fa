// SPDX-License-Identifier: GPL-2.0
/*
 * ssi_affinity.c - the CPUs a thread may run on, across a move.
 *
 * A thread is either bound (sched_setaffinity(2), taskset, a Slurm step's
 * cpuset) to some of its node's CPUs, or free to run on every one.  A free
 * thread stays free where it lands: it gets what that node gives the
 * restorer (ssid's own CPUs), as any process started there would.  A bound
 * one keeps exactly its CPU numbers, which the node it goes to must give
 * it, all of them, or refuse the move (SSI_R_AFFINITY, checked with the
 * image before anything is built).
 *
 * Coming home, the deputy's thread knows what home allows it: a mask the
 * process set away is taken there only if it is within the deputy's own
 * (set_cpus_allowed_ptr() does not ask the cpuset, as sched_setaffinity()
 * would, and home's cgroup limits are the admin's); else the thread keeps
 * the mask it left with.
 */
#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/sched.h>

#include "ssi_internal.h"

/* CPU @cpu's bit in an image mask. */
static inline void img_set(__u64 *words, unsigned int cpu)
{
	words[cpu / 64] |= 1ULL << (cpu % 64);
}

/*
 * Current's mask as sched_getaffinity() reads it (its allowed CPUs that
 * are active); SSI_THRF_CPUS_ANY when that is every active CPU.  Bound to
 * a CPU beyond what an image holds: -EOPNOTSUPP.
 */
int ssi_cpus_capture(struct ssi_img_thread *t)
{
	cpumask_var_t m;
	unsigned long flags;
	unsigned int cpu;
	bool any;

	if (!alloc_cpumask_var(&m, GFP_KERNEL))
		return -ENOMEM;
	raw_spin_lock_irqsave(&current->pi_lock, flags);
	cpumask_and(m, &current->cpus_mask, cpu_active_mask);
	any = cpumask_subset(cpu_active_mask, &current->cpus_mask);
	raw_spin_unlock_irqrestore(&current->pi_lock, flags);

	memset(t->cpus, 0, sizeof(t->cpus));
	for_each_cpu(cpu, m) {
		if (cpu >= SSI_IMG_CPU_WORDS * 64) {
			if (any)
				break;
			free_cpumask_var(m);
			return -EOPNOTSUPP;
		}
		img_set(t->cpus, cpu);
	}
	free_cpumask_var(m);
	if (any)
		t->flags |= SSI_THRF_CPUS_ANY;
	return 0;
}

/* What this node gives the restorer, for the image check (ssi_img_env). */
void ssi_cpus_usable(__u64 *words)
{
	unsigned long flags;
	unsigned int cpu;

	memset(words, 0, SSI_IMG_CPU_WORDS * sizeof(*words));
	raw_spin_lock_irqsave(&current->pi_lock, flags);
	for_each_cpu_and(cpu, &current->cpus_mask, cpu_active_mask) {
		if (cpu >= SSI_IMG_CPU_WORDS * 64)
			break;
		img_set(words, cpu);
	}
	raw_spin_unlock_irqrestore(&current->pi_lock, flags);
}

/* In the thread's own context: bound to the image's CPUs (see the top). */
void ssi_cpus_restore(const struct ssi_img_thread *t)
{
	cpumask_var_t m;
	unsigned int cpu;
	int err;

	if (t->flags & SSI_THRF_CPUS_ANY)
		return;
	if (!zalloc_cpumask_var(&m, GFP_KERNEL)) {
		pr_warn_ratelimited("ssi: pid %d: CPU affinity not restored (no memory)\n",
				    task_pid_nr(current));
		return;
	}
	for (cpu = 0; cpu < SSI_IMG_CPU_WORDS * 64 && cpu < nr_cpu_ids; cpu++)
		if (t->cpus[cpu / 64] & (1ULL << (cpu % 64)))
			cpumask_set_cpu(cpu, m);
	/* a deputy's cpuset may not hold what the process chose away */
	if (cpumask_subset(m, &current->cpus_mask) && !cpumask_empty(m)) {
		err = set_cpus_allowed_ptr(current, m);
		if (err)
			pr_warn_ratelimited("ssi: pid %d: CPU affinity not restored (%d)\n",
					    task_pid_nr(current), err);
	}
	free_cpumask_var(m);
}
