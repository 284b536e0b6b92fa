/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vdso_move.h - a restore helper puts its own [vvar] and [vdso] where the
 * image had them.  Shared by ssid's ssi-restore-helper and the reference
 * kmod/tools/ssi-restore.
 */
#ifndef SSI_VDSO_MOVE_H
#define SSI_VDSO_MOVE_H

#include <stddef.h>

struct ssi_img_header;

/*
 * ssi_vdso_move - mremap this process's [vvar] and [vdso] to the image's
 * addresses (@h).  The module cannot move them, and restored code holds
 * pointers into the vDSO.  No vDSO function may be called afterwards: libc
 * still points at the old address.
 *
 * Return: 0 (also when they are already in place), or -1 with errno set
 * (ENOMEM when no scratch area could be mapped) and @err saying why.
 */
int ssi_vdso_move(const struct ssi_img_header *h, char *err, size_t errlen);

#endif /* SSI_VDSO_MOVE_H */
