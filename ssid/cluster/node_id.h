/* SPDX-License-Identifier: GPL-2.0 */
/*
 * node_id.h - what a process image depends on in the kernel it runs on.
 *
 * A process restored on another node keeps calling the vDSO it was built
 * against and keeps the kernel ABI it saw.  Nodes tell each other these at
 * the peer handshake, so a migration between unlike nodes is refused with
 * the reason before anything is frozen.
 */
#ifndef SSID_NODE_ID_H
#define SSID_NODE_ID_H

#include <stddef.h>
#include <stdint.h>

#define NODE_ID_RELEASE_MAX	64	/* as utsname.release, without the NUL */

struct node_id {
	char release[NODE_ID_RELEASE_MAX + 1];	/* uname -r */
	uint64_t vdso;		/* FNV-1a 64 of the vDSO's bytes; 0: none */
};

/* node_id_self - this node's identity; -1 with @err filled on failure. */
int node_id_self(struct node_id *id, char *err, size_t errlen);

/*
 * node_id_mismatch - 0 if a process can move between nodes @here and
 * @there, else 1 with the reason in @why (both values named).
 */
int node_id_mismatch(const struct node_id *here, const struct node_id *there,
		     char *why, size_t whylen);

#endif
