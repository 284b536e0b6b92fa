/* SPDX-License-Identifier: GPL-2.0 */
/*
 * admission.h - what this node takes in: the one place that decides
 * whether a process offered by another node may be restored here.
 */
#ifndef SSID_ADMISSION_H
#define SSID_ADMISSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ssi_conf;

/* What an offer is judged on. */
struct admission {
	const struct ssi_conf *conf;
	int self;			/* this node's index in conf->nodes */
	unsigned int arriving;		/* offers taken and not running yet,
					 * this one not counted */
	uint64_t image_bytes;		/* announced, or arrived so far */
	bool streaming;			/* image_bytes is what arrived so far */
	uint64_t mem_available_kb;	/* MemAvailable here when offered */
};

/*
 * admission_check - may this node take the process?
 * Returns 0, or an errno (EPERM: Migrate=no here; EBUSY: MaxIncoming
 * migrations arriving already; ENOMEM: the image would fill more than
 * IncomingMemory percent of the available memory) with @why set.
 */
int admission_check(const struct admission *a, char *why, size_t len);

/* admission_mem_available_kb - MemAvailable of this node, 0 if unknown. */
uint64_t admission_mem_available_kb(void);

#endif /* SSID_ADMISSION_H */
