// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kernel_port.c - ssi.ko's DSM segments through /dev/ssi (see kernel_port.h;
 * kmod/tools/ssi-dsm-test.c drives the same ioctls in the lab).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kmod/tools/ssi_dev_open.h"
#include "dsm/kernel_port.h"

/* the directory's states are the channel's, passed through as they are */
_Static_assert((int)DSM_NONE == SSI_DSM_INVALID && (int)DSM_READ == SSI_DSM_READ &&
	       (int)DSM_WRITE == SSI_DSM_WRITE, "one set of page states");

struct dsm_kport {
	int dev;			/* /dev/ssi, -1 until the first open */
};

struct dsm_kport *dsm_kport_new(void)
{
	struct dsm_kport *k = malloc(sizeof(*k));

	if (k)
		k->dev = -1;
	return k;
}

void dsm_kport_free(struct dsm_kport *k)
{
	if (!k)
		return;
	if (k->dev >= 0)
		close(k->dev);
	free(k);
}

static int kport_open(void *arg, uint64_t size, uint64_t id, uint32_t flags, int src)
{
	struct dsm_kport *k = arg;
	struct ssi_dsm_open o = { .size = size, .flags = SSI_DSM_CLOEXEC | flags, .src = src,
				  .id = id };

	if (k->dev < 0)
		k->dev = ssi_dev_open(O_CLOEXEC, NULL);
	if (k->dev < 0 || ioctl(k->dev, SSI_IOC_DSM_OPEN, &o))
		return -errno;
	/* the loop reads every channel: a read must never wait */
	if (fcntl(o.fd, F_SETFL, O_NONBLOCK)) {
		int err = errno;

		close(o.fd);
		return -err;
	}
	return o.fd;
}

static int kport_open_home(void *arg, int src, uint64_t size, uint64_t id)
{
	return kport_open(arg, size, id, SSI_DSM_HOME, src);
}

static int kport_open_copy(void *arg, uint64_t size, uint64_t id)
{
	return kport_open(arg, size, id, 0, 0);
}

static int kport_wrap(void *arg, int chan, pid_t pid, uint64_t addr)
{
	struct ssi_dsm_wrap w = { .pid = pid, .addr = addr };

	return ioctl(chan, SSI_DSM_WRAP, &w) ? -errno : 0;
}

static int kport_wrap_file(void *arg, int chan, int fd)
{
	struct ssi_dsm_wrap_file w = { .fd = fd };

	return ioctl(chan, SSI_DSM_WRAP_FILE, &w) ? -errno : 0;
}

static int kport_read_reqs(void *arg, int chan, struct ssi_dsm_req *buf, unsigned int n)
{
	ssize_t len = read(chan, buf, n * sizeof(*buf));

	if (len < 0)
		return errno == EAGAIN ? 0 : -errno;
	return (int)((size_t)len / sizeof(*buf));
}

static int page_op(int chan, unsigned long cmd, uint32_t page, enum dsm_access access,
		   const void *data)
{
	struct ssi_dsm_page a = { .page = page, .access = access, .data = (uintptr_t)data };

	return ioctl(chan, cmd, &a) ? -errno : 0;
}

static int kport_grant(void *arg, int chan, uint32_t page, enum dsm_access access,
		       const void *data)
{
	return page_op(chan, SSI_DSM_GRANT, page, access, data);
}

static int kport_revoke(void *arg, int chan, uint32_t page, enum dsm_access keep, void *out)
{
	return page_op(chan, SSI_DSM_REVOKE, page, keep, out);
}

static int kport_fail(void *arg, int chan, uint32_t page)
{
	return page_op(chan, SSI_DSM_FAIL, page, DSM_NONE, NULL);
}

static void kport_close(void *arg, int chan)
{
	close(chan);
}

const struct dsm_kernel_ops dsm_kport_ops = {
	.open_home = kport_open_home,
	.open_copy = kport_open_copy,
	.wrap = kport_wrap,
	.wrap_file = kport_wrap_file,
	.read_reqs = kport_read_reqs,
	.grant = kport_grant,
	.revoke = kport_revoke,
	.fail = kport_fail,
	.close = kport_close,
};
