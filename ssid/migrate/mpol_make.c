// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mpol_make.c - a thread's NUMA policy from its image (mpol_make.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

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
