/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mpol_make.h - giving a thread the NUMA memory policy of an image thread
 * (ssi_img_thread.mempolicy) before the restore: a module cannot make a
 * policy (kmod/ssi_mempolicy.c), so each thread of the restore helper sets
 * its own with set_mempolicy(2), and the restore checks it.
 *
 * The kernel keeps of the nodes given only those it can use here (unless
 * the policy keeps them as given): the policy is read back and must be
 * the image's, so a node missing here refuses the move before anything is
 * built, rather than binding the process to other nodes than it chose.
 */
#ifndef SSID_MPOL_MAKE_H
#define SSID_MPOL_MAKE_H

#include <stddef.h>
#include <stdint.h>

#include "kmod/uapi/ssi_image.h"

/*
 * mpol_make - the calling thread's NUMA policy set to @m (threads it
 * creates afterwards inherit it).
 * Return: 0, or -errno with @why (@len bytes) saying what failed or how
 * the policy reads back here.
 */
int mpol_make(const struct ssi_img_mempolicy *m, char *why, size_t len);

/*
 * mpol_carriers_make - a mapping's NUMA policy cannot be made by the
 * module either: for each of the @n mappings @v of an image that has one
 * (mpol_mode), in order, the calling process maps a page of its own, a
 * carrier, outside every one of @v, and gives it that policy with
 * mbind(2); the restore moves each carrier's policy to its mapping
 * (struct ssi_restore's mpol_carriers) and unmaps them.
 * Return: the number of carriers, their addresses in *@addrs (malloc'ed,
 * NULL when none), or -errno with @why saying which policy failed.
 */
int mpol_carriers_make(const struct ssi_img_vma *v, uint32_t n, uint64_t **addrs,
		       char *why, size_t len);

/*
 * mpol_carriers_of_image - mpol_carriers_make() for the mappings of the
 * image in @fd (read with pread).
 */
int mpol_carriers_of_image(int fd, uint64_t **addrs, char *why, size_t len);

/*
 * mpol_carriers_free - the @n carriers @addrs made, unmapped (a restore
 * into a deputy leaves them to its caller), and the array freed.
 */
void mpol_carriers_free(uint64_t *addrs, uint32_t n);

#endif /* SSID_MPOL_MAKE_H */
