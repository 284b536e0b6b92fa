/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ssi_dev_open.h - open /dev/ssi and do the API handshake that every
 * other ioctl requires first (SSI_IOC_API, kmod/uapi/ssi.h).  The one way
 * user space opens the device: ssid (both sides of a migration), its
 * restore helper, and the tools here.  Header-only, since the restore
 * helpers are static programs that link no library of ours.
 */
#ifndef SSI_DEV_OPEN_H
#define SSI_DEV_OPEN_H

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../uapi/ssi.h"

/*
 * ssi_dev_open - open /dev/ssi with O_RDWR | @flags (O_CLOEXEC, or 0 for
 * a descriptor that must survive exec) and ask for SSI_API_VERSION.
 * @api: if not NULL, receives the handshake's answer (api->api is the
 *       module's version once it answered).
 * Return: the descriptor, or -1 with errno set (ENOENT: ssi.ko is not
 * loaded; EINVAL from SSI_IOC_API: the module speaks another API).
 */
static inline int ssi_dev_open(int flags, struct ssi_api *api)
{
	struct ssi_api a = { .api = SSI_API_VERSION };
	int fd = open("/dev/" SSI_DEVICE_NAME, O_RDWR | flags);
	int err;

	if (fd < 0)
		goto out;
	if (ioctl(fd, SSI_IOC_API, &a)) {
		err = errno;
		close(fd);
		errno = err;
		fd = -1;
	}
out:
	if (api)
		*api = a;
	return fd;
}

#endif /* SSI_DEV_OPEN_H */
