// SPDX-License-Identifier: GPL-2.0
/*
 * numa_mbind: each mapping's NUMA memory policy (mbind(2), as numpy's
 * allocator, libnuma's numa_alloc_onnode() and OpenMP runtimes make) reads
 * the same after the move: the mode, its flags and the node mask
 * get_mempolicy(MPOL_F_ADDR) reads at each range, and a range without one
 * still reads the default.  The ranges: an anonymous mapping bound whole,
 * one whose middle third alone is interleaved (the kernel splits it in
 * three), one preferring node 0 with static nodes, one LOCAL, and a
 * private mapping of this program's own file (its first page).  The lab's
 * nodes have one NUMA node, node 0, so every policy names node 0 only.
 * Every round the pages of each anonymous range are written anew, so that
 * they fault in under the policy where the process runs.
 */
#include "zs.h"

#include <fcntl.h>
#include <linux/mempolicy.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define PAGES		12
#define NODE_WORDS	16		/* nodes 0..1023, maxnode 1025 */

struct range {
	const char *what;
	char *at;
	size_t len;
	int mode;			/* with its flags; -1: none (the default) */
};

static struct range ranges[8];
static int nr_ranges;
static long page;

/* Give [@at, @at + @len) policy @mode on node 0 (none for LOCAL). */
static void bind_range(const char *what, char *at, size_t len, int mode)
{
	unsigned long node0 = (mode & ~MPOL_MODE_FLAGS) == MPOL_LOCAL ? 0 : 1;

	if (mode >= 0)
		zs_check(!syscall(SYS_mbind, at, len, mode, &node0, 65UL, 0U),
			 "mbind %s %#x: %s", what, mode, strerror(errno));
	ranges[nr_ranges++] = (struct range){ what, at, len, mode };
}

static char *map_anon(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	zs_check(p != MAP_FAILED, "mmap: %s", strerror(errno));
	return p;
}

/* Every page of @r reads @r's policy. */
static void check_range(const struct range *r)
{
	unsigned long nodes[NODE_WORDS];
	int want = r->mode < 0 ? MPOL_DEFAULT : r->mode;
	size_t off;
	int mode;

	for (off = 0; off < r->len; off += page) {
		memset(nodes, 0xff, sizeof(nodes));
		zs_check(!syscall(SYS_get_mempolicy, &mode, nodes, 1025UL, r->at + off,
				  MPOL_F_ADDR),
			 "round %d: get_mempolicy %s: %s", zs_round, r->what, strerror(errno));
		zs_check(mode == want, "round %d: %s page %zu: mode %#x, was %#x", zs_round,
			 r->what, off / page, mode, want);
		zs_check(nodes[0] == ((want & ~MPOL_MODE_FLAGS) == MPOL_DEFAULT ||
				      (want & ~MPOL_MODE_FLAGS) == MPOL_LOCAL ? 0UL : 1UL),
			 "round %d: %s page %zu: nodes %#lx", zs_round, r->what, off / page,
			 nodes[0]);
	}
}

int main(int argc, char **argv)
{
	char *a, *b, *c, *d, *f;
	int fd, i;

	page = sysconf(_SC_PAGESIZE);
	a = map_anon(PAGES * page);
	b = map_anon(PAGES * page);
	c = map_anon(PAGES * page);
	d = map_anon(PAGES * page);
	fd = open("/proc/self/exe", O_RDONLY);
	zs_check(fd >= 0, "open /proc/self/exe: %s", strerror(errno));
	f = mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0);
	zs_check(f != MAP_FAILED, "mmap of its own file: %s", strerror(errno));
	close(fd);

	bind_range("bound", a, PAGES * page, MPOL_BIND);
	bind_range("before the interleaved third", b, PAGES / 3 * page, -1);
	bind_range("interleaved third", b + PAGES / 3 * page, PAGES / 3 * page,
		   MPOL_INTERLEAVE);
	bind_range("after the interleaved third", b + 2 * PAGES / 3 * page,
		   PAGES / 3 * page, -1);
	bind_range("preferred, static", c, PAGES * page,
		   MPOL_PREFERRED | MPOL_F_STATIC_NODES);
	bind_range("local", d, PAGES * page, MPOL_LOCAL);
	bind_range("file, bound", f, page, MPOL_BIND);
	for (i = 0; i < nr_ranges; i++)
		check_range(&ranges[i]);

	zs_ready(getpid());
	for (zs_round = 1; zs_more(); zs_round++) {
		for (i = 0; i < nr_ranges; i++) {
			if (ranges[i].at != f) {
				/* fresh pages, faulted in where it runs now */
				zs_check(!madvise(ranges[i].at, ranges[i].len, MADV_DONTNEED),
					 "madvise: %s", strerror(errno));
				memset(ranges[i].at, 'a' + i, ranges[i].len);
			}
			check_range(&ranges[i]);
		}
		zs_check(f[1] == 'E' && f[2] == 'L' && f[3] == 'F', "its file's first page");
		usleep(20000);
	}
	zdtm_say("numa_mbind: %d ranges read their policies in every round\n", nr_ranges);
	return 0;
}
