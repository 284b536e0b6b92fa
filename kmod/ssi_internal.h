/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ssi_internal.h - declarations shared between the files of ssi.ko.
 * Nothing here is visible to user space: that is uapi/ssi.h.
 */
#ifndef SSI_INTERNAL_H
#define SSI_INTERNAL_H

#include "uapi/ssi.h"

/* ssi_dev.c */
int ssi_dev_init(void);
void ssi_dev_exit(void);

#endif /* SSI_INTERNAL_H */
