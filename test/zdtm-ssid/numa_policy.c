// SPDX-License-Identifier: GPL-2.0
/*
 * numa_policy WHAT: the NUMA memory policy (set_mempolicy(2)) of each of
 * the process's two threads reads the same after the move: the mode, its
 * mode flags and the whole node mask, as get_mempolicy(2) read them right
 * after they were set.  The kernel keeps the policy per thread: the node
 * that restores the process must give each thread its own, not the other
 * thread's, nor its restorer's.  The lab's nodes have one NUMA node,
 * node 0, so every policy names node 0 only.  WHAT gives the two threads
 * policies unlike each other's (main thread first):
 *   default    nothing set: MPOL_DEFAULT and no nodes, what a process
 *              starts with
 *   bind       MPOL_BIND|MPOL_F_STATIC_NODES; MPOL_INTERLEAVE
 *   preferred  MPOL_PREFERRED; MPOL_LOCAL
 *   many       MPOL_PREFERRED_MANY; MPOL_BIND|MPOL_F_RELATIVE_NODES
 *   set_away   bind's, then from round 3 on, every round, in turn
 *              MPOL_PREFERRED; MPOL_DEFAULT and bind's again, set by each
 *              thread where the process runs then (away, the first
 *              brings it home: ssid's syscall table)
 * Every round each thread also writes 64 KiB of fresh pages: they fault
 * in under its policy where it runs, and a policy the restore got wrong
 * can leave the fault nowhere to allocate from (SIGBUS, the OOM killer).
 * Raw syscalls: libnuma is not on the nodes.
 */
#include "zs.h"

#include <linux/mempolicy.h>
#include <sys/mman.h>
#include <sys/syscall.h>

/*
 * Nodes 0..1023, what the image carries.  set_mempolicy() reads maxnode - 1
 * bits (an off-by-one kept for the ABI), get_mempolicy() refuses a maxnode
 * below the kernel's nr_node_ids and fills ALIGN(maxnode - 1, 64) bits:
 * maxnode 1025 is all of the mask both ways.
 */
#define NODE_BITS	1024
#define NODE_WORDS	(NODE_BITS / (8 * sizeof(unsigned long)))
#define MAXNODE		((unsigned long)NODE_BITS + 1)

#define TOUCH_SIZE	(64 << 10)
#define SWITCH_ROUND	3	/* set_away's turns, from this round on */
#define NOTHING		(-1)	/* no set_mempolicy() */

struct policy {
	int mode;				/* with its mode flags */
	unsigned long nodes[NODE_WORDS];
};

static const struct variant {
	const char *what;
	int mode[2];	/* [0]: the main thread, [1]: the other */
	int then[2];	/* in turn with mode[], from round SWITCH_ROUND on */
} variants[] = {
	{ "default",	{ NOTHING, NOTHING },
			{ NOTHING, NOTHING } },
	{ "bind",	{ MPOL_BIND | MPOL_F_STATIC_NODES, MPOL_INTERLEAVE },
			{ NOTHING, NOTHING } },
	{ "preferred",	{ MPOL_PREFERRED, MPOL_LOCAL },
			{ NOTHING, NOTHING } },
	{ "many",	{ MPOL_PREFERRED_MANY, MPOL_BIND | MPOL_F_RELATIVE_NODES },
			{ NOTHING, NOTHING } },
	{ "set_away",	{ MPOL_BIND | MPOL_F_STATIC_NODES, MPOL_INTERLEAVE },
			{ MPOL_PREFERRED, MPOL_DEFAULT } },
};

static const struct variant *v;
static struct policy want[2];	/* each thread's own: only it reads or writes it */

/* The calling thread's: with no address, get_mempolicy() reads the task's. */
static void read_policy(struct policy *p)
{
	memset(p, 0, sizeof(*p));
	zs_check(!syscall(SYS_get_mempolicy, &p->mode, p->nodes, MAXNODE, NULL, 0UL),
		 "get_mempolicy: %s", strerror(errno));
}

/* The first mask word where @a and @b differ, -1 if none. */
static int mask_differs(const struct policy *a, const struct policy *b)
{
	unsigned int i;

	for (i = 0; i < NODE_WORDS; i++)
		if (a->nodes[i] != b->nodes[i])
			return i;
	return -1;
}

/*
 * What @mode (NOTHING: the default a process starts with) reads back as:
 * node 0 alone, or no nodes for DEFAULT and LOCAL, which take none.
 */
static void policy_of(struct policy *p, int mode)
{
	int base = mode == NOTHING ? MPOL_DEFAULT : mode & ~MPOL_MODE_FLAGS;

	memset(p, 0, sizeof(*p));
	p->mode = mode == NOTHING ? MPOL_DEFAULT : mode;
	if (base != MPOL_DEFAULT && base != MPOL_LOCAL)
		p->nodes[0] = 1;
}

/*
 * Set @mode in the calling thread (NOTHING: leave it), and keep what it
 * reads back as the thread's want.  That must be what was asked for: a
 * set that did nothing would otherwise pass, compared with itself.
 */
static void set_policy(int who, int mode)
{
	struct policy p;
	int i;

	policy_of(&p, mode);
	if (mode != NOTHING)
		/* EINVAL for MPOL_PREFERRED_MANY too: the nodes' 6.1 has it */
		zs_check(!syscall(SYS_set_mempolicy, mode, p.nodes, MAXNODE),
			 "round %d, thread %d: set_mempolicy %#x: %s", zs_round, who,
			 mode, strerror(errno));
	read_policy(&want[who]);
	i = mask_differs(&want[who], &p);
	zs_check(want[who].mode == p.mode && i < 0,
		 "round %d, thread %d: set %#x with mask word 0 %#lx, reads back %#x, "
		 "mask word %d %#lx", zs_round, who, p.mode, p.nodes[0], want[who].mode,
		 i < 0 ? 0 : i, want[who].nodes[i < 0 ? 0 : i]);
}

/*
 * Fresh pages, faulted in where it runs now under the thread's policy.
 * Not malloc(): its 64 KiB would come back from the thread's arena, still
 * faulted in, every round after the first.
 */
static void touch_memory(int who)
{
	char *p = mmap(NULL, TOUCH_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	zs_check(p != MAP_FAILED, "round %d, thread %d: mmap: %s", zs_round, who,
		 strerror(errno));
	memset(p, 'a' + who, TOUCH_SIZE);
	zs_check(!memchr_inv_check(p, 'a' + who, TOUCH_SIZE),
		 "round %d, thread %d: fresh pages do not read back what was written",
		 zs_round, who);
	zs_check(!munmap(p, TOUCH_SIZE), "round %d, thread %d: munmap: %s", zs_round,
		 who, strerror(errno));
}

static void check_policy(int who)
{
	struct policy got;
	int i;

	read_policy(&got);
	i = mask_differs(&got, &want[who]);
	if (got.mode != want[who].mode || i >= 0) {
		if (i < 0)
			i = 0;
		zs_fail("round %d, thread %d: mode %#x, mask word %d %#lx; was %#x, %#lx",
			zs_round, who, got.mode, i, got.nodes[i], want[who].mode,
			want[who].nodes[i]);
	}
	/*
	 * set_away: a set_mempolicy() every round from SWITCH_ROUND on, the
	 * two policies in turn, each compared the round after: whenever the
	 * driver moves the process (zs.h does not say when), the policy it
	 * carries was set where it ran last.  zs.h runs check() in each
	 * thread once a round, between barriers, with the same zs_round in
	 * all; a thread may change its own policy here, as nothing else reads
	 * it, and want[who] is the thread's own.
	 */
	if (v->then[who] != NOTHING && zs_round >= SWITCH_ROUND)
		set_policy(who, (zs_round - SWITCH_ROUND) % 2 ? v->mode[who] : v->then[who]);
	touch_memory(who);
}

/*
 * Each thread's own.  The other thread starts with a copy of the main
 * thread's (clone() copies it), so each sets its own over that.
 */
static void setup(int who)
{
	set_policy(who, v->mode[who]);
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	unsigned int i;

	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		if (!strcmp(what, variants[i].what))
			v = &variants[i];
	if (!v)
		zs_fail("usage: numa_policy default|bind|preferred|many|set_away");
	zs_in_step(2, setup, check_policy);
	zs_in_step_join();
	zdtm_say("numa_policy %s: the same in both threads in every round\n", what);
	return 0;
}
