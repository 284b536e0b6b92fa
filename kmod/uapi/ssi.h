/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ssi.h - the one interface between ssi.ko and user space (ssid, ssictl,
 * tests).  Included by the module and by user space alike.
 *
 * ABI rules (as userfaultfd's UFFDIO_API):
 *  - user space calls SSI_IOC_API first; the module answers with its
 *    version and the feature bits it supports and rejects unknown ones;
 *  - every struct is 64-bit aligned, padded explicitly, and has reserved
 *    fields that must be zero; sizes are asserted at build time;
 *  - SSI_API_VERSION is bumped on any incompatible change (changelog below).
 *
 * Changelog:
 *  1  initial: API handshake.
 */
#ifndef _UAPI_LINUX_SSI_H
#define _UAPI_LINUX_SSI_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define SSI_DEVICE_NAME		"ssi"
#define SSI_API_VERSION		1

/* Feature bits a caller may request in ssi_api.features. */
#define SSI_FEATURE_MASK	0ULL

/**
 * struct ssi_api - SSI_IOC_API argument
 * @api:	IN: the SSI_API_VERSION the caller was built with.
 *		OUT: the module's SSI_API_VERSION.
 * @features:	IN: features the caller wants; unknown bits -> -EINVAL.
 *		OUT: every feature the module supports.
 * @reserved:	must be zero.
 */
struct ssi_api {
	__u32 api;
	__u32 pad;
	__u64 features;
	__u64 reserved[4];
};

#define SSI_IOC_MAGIC		0xB5
#define SSI_IOC_API		_IOWR(SSI_IOC_MAGIC, 0x00, struct ssi_api)

#endif /* _UAPI_LINUX_SSI_H */
