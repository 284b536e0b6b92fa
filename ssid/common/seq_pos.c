// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * seq_pos.c - where a read of a /proc text file stands (see seq_pos.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kmod/tools/ssi_dev_open.h"
#include "common/seq_pos.h"

_Static_assert(SEQ_POS_TEXT_MAX == SSI_SEQ_PENDING_MAX, "one bound");

/* SSI_IOC_SEQ_GET or SET on a /dev/ssi of its own: 0 or -errno. */
static int seq_ioctl(unsigned long cmd, struct ssi_seq_pos *a)
{
	int dev = ssi_dev_open(O_CLOEXEC, NULL), rc;

	if (dev < 0)
		return -errno;
	rc = ioctl(dev, cmd, a) ? -errno : 0;
	close(dev);
	return rc;
}

int seq_pos_get(int file, uint64_t *pos, struct seq_pos *sp)
{
	struct ssi_seq_pos a = { .fd = file, .data = (uintptr_t)sp->text };
	off_t off;
	int rc;

	rc = seq_ioctl(SSI_IOC_SEQ_GET, &a);
	if (!rc) {
		*pos = (uint64_t)a.pos;
		sp->read_pos = a.read_pos;
		sp->index = a.index;
		sp->len = a.len;
		return 1;
	}
	/* not a seq_file (EINVAL), too much pending (E2BIG), no ssi.ko here */
	off = lseek(file, 0, SEEK_CUR);
	if (off < 0)
		return -errno;
	*pos = (uint64_t)off;
	return 0;
}

int seq_pos_set(int file, uint64_t pos, const struct seq_pos *sp)
{
	struct ssi_seq_pos a = { .fd = file, .pos = (int64_t)pos };

	if (pos > INT64_MAX)
		return -EINVAL;
	if (!sp)
		return lseek(file, (off_t)pos, SEEK_SET) == (off_t)pos ? 0 : -errno;
	if (sp->len > SEQ_POS_TEXT_MAX)
		return -EINVAL;
	a.read_pos = sp->read_pos;
	a.index = sp->index;
	a.len = sp->len;
	a.data = (uintptr_t)sp->text;
	return seq_ioctl(SSI_IOC_SEQ_SET, &a);
}
