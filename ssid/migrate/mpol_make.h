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

#include "kmod/uapi/ssi_image.h"

/*
 * mpol_make - the calling thread's NUMA policy set to @m (threads it
 * creates afterwards inherit it).
 * Return: 0, or -errno with @why (@len bytes) saying what failed or how
 * the policy reads back here.
 */
int mpol_make(const struct ssi_img_mempolicy *m, char *why, size_t len);

#endif /* SSID_MPOL_MAKE_H */
