// SPDX-License-Identifier: GPL-2.0
/*
 * ssi_mempolicy.c - a thread's NUMA memory policy (set_mempolicy(2),
 * numactl --membind/--interleave, Slurm's --mem-bind), across a move.
 *
 * The kernel keeps it per task, and a module can read it but not make
 * one (mpol_new() is not exported).  So the image carries it as
 * get_mempolicy(2) reads it back, the restorer's threads set it on
 * themselves with set_mempolicy(2) before the restore, and the restore
 * checks that each holds exactly its image thread's (the same pattern as
 * the LDT: ssid/migrate/ldt_make.h).  Its node numbers name memory of
 * the node it was set on: the node it goes to must have every node a
 * policy names in force (SSI_R_NUMA otherwise, before anything is built).
 *
 * Coming home, the deputy's threads kept theirs: any set_mempolicy() made
 * away brings the process home first (ssid's syscall table), so the
 * deputy's is the process's, and the image's is not used.
 */
#include <linux/cpuset.h>
#include <linux/mempolicy.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/string.h>

#include "ssi_internal.h"

static_assert(SSI_MPOL_PREFERRED == MPOL_PREFERRED && SSI_MPOL_BIND == MPOL_BIND &&
	      SSI_MPOL_INTERLEAVE == MPOL_INTERLEAVE && SSI_MPOL_LOCAL == MPOL_LOCAL &&
	      SSI_MPOL_PREFERRED_MANY == MPOL_PREFERRED_MANY &&
	      SSI_MPOL_MAX + 1 == MPOL_MAX);
static_assert(SSI_MPOL_F_MASK == MPOL_MODE_FLAGS &&
	      SSI_MPOL_F_STATIC_NODES == MPOL_F_STATIC_NODES &&
	      SSI_MPOL_F_RELATIVE_NODES == MPOL_F_RELATIVE_NODES);

/* A policy as get_mempolicy() reads it, copied out under its lock. */
struct pview {
	unsigned short mode, flags;
	nodemask_t nodes;
};

/*
 * @pol (NULL: the default) as do_get_mempolicy() reads it: the nodes it
 * was given when they are kept as given, else the ones in force.
 */
static void pview_of(const struct mempolicy *pol, struct pview *pv)
{
	pv->mode = 0;
	pv->flags = 0;
	nodes_clear(pv->nodes);
	if (!IS_ENABLED(CONFIG_NUMA) || !pol)
		return;
#ifdef CONFIG_NUMA
	pv->mode = pol->mode;
	pv->flags = pol->flags & MPOL_MODE_FLAGS;
	if (pol->flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES))
		pv->nodes = pol->w.user_nodemask;
	else if (pol->mode != MPOL_LOCAL)
		pv->nodes = pol->nodes;
#endif
}

/* @pv's nodes as @nwords image words; -E2BIG: one beyond them. */
static int pview_words(const struct pview *pv, __u64 *words, int nwords)
{
	int node;

	memset(words, 0, nwords * sizeof(*words));
	for_each_node_mask(node, pv->nodes) {
		if (node >= nwords * 64)
			return -E2BIG;
		words[node / 64] |= 1ULL << (node % 64);
	}
	return 0;
}

static int read_policy(struct task_struct *t, struct ssi_img_mempolicy *m)
{
	struct pview pv;

	memset(m, 0, sizeof(*m));
#ifdef CONFIG_NUMA
	task_lock(t);		/* what guards ->mempolicy for other readers */
	pview_of(t->mempolicy, &pv);
	task_unlock(t);
#else
	pview_of(NULL, &pv);
#endif
	m->mode = pv.mode;
	m->flags = pv.flags;
	return pview_words(&pv, m->nodes, SSI_IMG_NODE_WORDS) ? -EOPNOTSUPP : 0;
}

int ssi_mempolicy_capture(struct ssi_img_thread *t)
{
	return read_policy(current, &t->mempolicy);
}

bool ssi_mempolicy_matches(struct task_struct *task, const struct ssi_img_mempolicy *m)
{
	struct ssi_img_mempolicy have;

	return !read_policy(task, &have) && !memcmp(&have, m, sizeof(have));
}

/*
 * A mapping's policy (mbind(2)), under the mmap lock: only a private
 * mapping's own; one whose object keeps it (tmpfs, vm_ops->get_policy)
 * is the object's, which stays where it is.
 */
static const struct mempolicy *vma_own_policy(struct vm_area_struct *vma)
{
#ifdef CONFIG_NUMA
	if (!(vma->vm_ops && vma->vm_ops->get_policy))
		return vma->vm_policy;
#endif
	return NULL;
}

int ssi_vma_mempolicy_capture(struct vm_area_struct *vma, struct ssi_img_vma *v)
{
	const struct mempolicy *pol = vma_own_policy(vma);
	struct pview pv;

	if (!pol)
		return 0;
#ifdef CONFIG_NUMA
	if (pol->home_node != NUMA_NO_NODE)
		return -EOPNOTSUPP;
#endif
	pview_of(pol, &pv);
	v->mpol_mode = pv.mode;
	v->mpol_flags = pv.flags;
	return pview_words(&pv, &v->mpol_nodes, 1);
}

bool ssi_vma_mempolicy_matches(struct vm_area_struct *vma, const struct ssi_img_vma *v)
{
	struct ssi_img_vma have = { 0 };

	return !ssi_vma_mempolicy_capture(vma, &have) && have.mpol_mode == v->mpol_mode &&
	       have.mpol_flags == v->mpol_flags && have.mpol_nodes == v->mpol_nodes;
}

/*
 * The nodes a policy set by current may name and have in force: those of
 * its cpuset that have memory (mpol_set_nodemask()).
 */
void ssi_mems_usable(__u64 *words)
{
	nodemask_t mems;
	int node;

	memset(words, 0, SSI_IMG_NODE_WORDS * sizeof(*words));
	nodes_and(mems, cpuset_current_mems_allowed, node_states[N_MEMORY]);
	for_each_node_mask(node, mems)
		if (node < SSI_IMG_NODE_WORDS * 64)
			words[node / 64] |= 1ULL << (node % 64);
}
