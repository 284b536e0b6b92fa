// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mpol_make.c - a thread's NUMA policy from its image (mpol_make.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/mempolicy.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "migrate/image_peek.h"
#include "migrate/mpol_make.h"

/*
 * The node mask's size in bits, plus one: both calls read maxnode - 1
 * bits (get_nodes(), copy_nodes_to_user()); get_mempolicy() wants it at
 * least the kernel's number of nodes, which is at most 1024.
 */
#define MAXNODE		(SSI_IMG_NODE_WORDS * 64 + 1)

_Static_assert(sizeof(unsigned long) == sizeof(__u64), "image node words are longs");

int mpol_make(const struct ssi_img_mempolicy *m, char *why, size_t len)
{
	unsigned long nodes[SSI_IMG_NODE_WORDS];
	int want = m->mode | m->flags, mode = -1;

	memcpy(nodes, m->nodes, sizeof(nodes));
	if (syscall(SYS_set_mempolicy, want, nodes, MAXNODE)) {
		int err = errno;

		snprintf(why, len, "set_mempolicy(mode %u flags %#x nodes %#llx...): %s",
			 m->mode, m->flags, (unsigned long long)m->nodes[0], strerror(err));
		return -err;
	}
	memset(nodes, 0, sizeof(nodes));
	if (syscall(SYS_get_mempolicy, &mode, nodes, MAXNODE, NULL, 0)) {
		int err = errno;

		snprintf(why, len, "get_mempolicy: %s", strerror(err));
		return -err;
	}
	if (mode != want || memcmp(nodes, m->nodes, sizeof(nodes))) {
		snprintf(why, len, "NUMA policy %#x of nodes %#llx... is %#x of %#llx... here",
			 want, (unsigned long long)m->nodes[0], mode, (unsigned long long)nodes[0]);
		return -EINVAL;
	}
	return 0;
}

/* The lowest and highest address a carrier may take (47-bit user space). */
#define CARRIER_LOW	(1ULL << 20)
#define CARRIER_HIGH	(1ULL << 46)

/*
 * @size bytes mapped in a hole of the image's layout @v (sorted, as an
 * image's are), a guard page from its neighbours, where nothing of the
 * caller's is either.  Return: the address, or MAP_FAILED.
 */
static void *map_in_hole(const struct ssi_img_vma *v, uint32_t n, uint64_t size)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), lo = CARRIER_LOW, hi, at[2];
	uint32_t i;
	int j;

	for (i = 0; i <= n; lo = v[i++].end + page) {
		hi = i < n ? v[i].start : CARRIER_HIGH;
		if (hi <= lo || hi - lo < size + page)
			continue;
		/* either end of the hole: the caller's own mappings may sit in it */
		at[0] = lo;
		at[1] = hi - page - size;
		for (j = 0; j < 2; j++) {
			void *p = mmap((void *)(uintptr_t)at[j], size, PROT_READ,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

			if (p == (void *)(uintptr_t)at[j])
				return p;
			if (p != MAP_FAILED)
				munmap(p, size);	/* a kernel without NOREPLACE */
		}
	}
	return MAP_FAILED;
}

/* One mapping of 2 pages per carrier from the first: map_in_hole()'s. */
void mpol_carriers_free(uint64_t *addrs, uint32_t n)
{
	if (n)
		munmap((void *)(uintptr_t)addrs[0], 2ULL * n * (uint64_t)sysconf(_SC_PAGESIZE));
	free(addrs);
}

int mpol_carriers_make(const struct ssi_img_vma *v, uint32_t n, uint64_t **addrs,
		       char *why, size_t len)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), *a;
	unsigned long nodes[SSI_IMG_NODE_WORDS], got[SSI_IMG_NODE_WORDS];
	uint32_t i, k = 0;
	char *base;
	int mode;

	*addrs = NULL;
	for (i = 0; i < n; i++)
		k += v[i].mpol_mode != 0;
	if (!k)
		return 0;
	a = calloc(k, sizeof(*a));
	/* every other page: two carriers of one policy would merge */
	base = a ? map_in_hole(v, n, 2ULL * k * page) : MAP_FAILED;
	if (base == MAP_FAILED) {
		free(a);
		snprintf(why, len, "no room for %u NUMA policy carriers", k);
		return -ENOMEM;
	}
	for (i = 0, k = 0; i < n; i++) {
		unsigned long want = v[i].mpol_nodes;
		void *at = base + 2ULL * k * page;

		if (!v[i].mpol_mode)
			continue;
		a[k++] = (uintptr_t)at;
		if (syscall(SYS_mbind, at, page, v[i].mpol_mode | v[i].mpol_flags, &want,
			    65UL, 0U)) {
			int err = errno;

			snprintf(why, len, "mbind(mode %u flags %#x nodes %#lx) for vma %u: %s",
				 v[i].mpol_mode, v[i].mpol_flags, want, i, strerror(err));
			mpol_carriers_free(a, k);
			return -err;
		}
		memset(nodes, 0, sizeof(nodes));
		nodes[0] = want;	/* what it must read back as */
		memset(got, 0xff, sizeof(got));
		if (syscall(SYS_get_mempolicy, &mode, got, MAXNODE, at, MPOL_F_ADDR) ||
		    mode != (v[i].mpol_mode | v[i].mpol_flags) ||
		    memcmp(got, nodes, sizeof(got))) {
			snprintf(why, len, "vma %u: NUMA policy %#x of nodes %#lx is %#x of %#lx here",
				 i, v[i].mpol_mode | v[i].mpol_flags, want, mode, got[0]);
			mpol_carriers_free(a, k);
			return -EINVAL;
		}
	}
	*addrs = a;
	return (int)k;
}

int mpol_carriers_of_image(int fd, uint64_t **addrs, char *why, size_t len)
{
	struct ssi_img_vma *v;
	int n;

	*addrs = NULL;
	n = image_vmas_read(fd, &v);
	if (n < 0) {
		snprintf(why, len, "the image's mappings cannot be read: %s", strerror(-n));
		return n;
	}
	n = mpol_carriers_make(v, (uint32_t)n, addrs, why, len);
	free(v);
	return n;
}
