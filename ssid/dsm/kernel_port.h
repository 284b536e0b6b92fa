/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kernel_port.h - what ssid asks of ssi.ko's DSM segments (kmod/uapi/ssi.h:
 * SSI_IOC_DSM_OPEN, then the channel's read(2) and ioctls), behind an ops
 * table: the registry of segments (dsm/segments.h) calls the kernel only
 * through it, so that its unit test runs a model of the kernel's copies in
 * its place, three nodes in one process.
 */
#ifndef SSID_DSM_KERNEL_PORT_H
#define SSID_DSM_KERNEL_PORT_H

#include <stdint.h>
#include <sys/types.h>

#include "kmod/uapi/ssi.h"
#include "dsm/directory.h"

/*
 * Each op returns 0 (or the fd, or the count it names) or a negative
 * errno.  @chan is a channel one of the opens returned.
 */
struct dsm_kernel_ops {
	/*
	 * A segment of @size bytes (whole pages) named @id across the
	 * cluster, and its channel: non-blocking and close-on-exec, so that
	 * the loop reads it and no child of ssid inherits it.  open_home:
	 * over the shared memory @src is an fd of, every page writable here
	 * (home's copy); open_copy: a copy of its own, every page invalid.
	 */
	int (*open_home)(void *arg, int src, uint64_t size, uint64_t id);
	int (*open_copy)(void *arg, uint64_t size, uint64_t id);
	/* process @pid's mapping of home's segment that starts at @addr */
	int (*wrap)(void *arg, int chan, pid_t pid, uint64_t addr);
	/* mappings made through open file @fd (ssid's) of home's segment */
	int (*wrap_file)(void *arg, int chan, int fd);
	/* up to @n requests of the kernel's, not waiting: how many, 0 if none */
	int (*read_reqs)(void *arg, int chan, struct ssi_dsm_req *buf, unsigned int n);
	/* as struct dsm_copy_ops' (dsm/page_traffic.h), on @chan's copy */
	int (*grant)(void *arg, int chan, uint32_t page, enum dsm_access access, const void *data);
	int (*revoke)(void *arg, int chan, uint32_t page, enum dsm_access keep, void *out);
	int (*fail)(void *arg, int chan, uint32_t page);
	void (*close)(void *arg, int chan);
};

/* ssi.ko's, whose @arg is a struct dsm_kport. */
extern const struct dsm_kernel_ops dsm_kport_ops;

struct dsm_kport;

/*
 * dsm_kport_new - ssi.ko through /dev/ssi, opened at the first open_home
 * or open_copy (and again at the next one if that failed): ssid starts
 * and serves everything else on a node where ssi.ko is not loaded yet.
 * NULL: out of memory.
 */
struct dsm_kport *dsm_kport_new(void);
void dsm_kport_free(struct dsm_kport *k);

#endif /* SSID_DSM_KERNEL_PORT_H */
