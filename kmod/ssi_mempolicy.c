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

/*
 * @t's policy as get_mempolicy() reads it (do_get_mempolicy()): the nodes
 * it was given when they are kept as given, else the ones in force.
 * Return: 0, or -EOPNOTSUPP for a node an image cannot name.
 */
static int read_policy(struct task_struct *t, struct ssi_img_mempolicy *m)
{
	struct mempolicy *pol;
	nodemask_t nodes;
	int node;

	memset(m, 0, sizeof(*m));
	nodes_clear(nodes);
	if (!IS_ENABLED(CONFIG_NUMA))
		return 0;
	task_lock(t);		/* what guards ->mempolicy for other readers */
	pol = t->mempolicy;
	if (pol) {
		m->mode = pol->mode;
		m->flags = pol->flags & MPOL_MODE_FLAGS;
		if (pol->flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES))
			nodes = pol->w.user_nodemask;
		else if (pol->mode != MPOL_LOCAL)
			nodes = pol->nodes;
	}
	task_unlock(t);

	for_each_node_mask(node, nodes) {
		if (node >= SSI_IMG_NODE_WORDS * 64)
			return -EOPNOTSUPP;
		m->nodes[node / 64] |= 1ULL << (node % 64);
	}
	return 0;
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
