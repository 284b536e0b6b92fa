// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * image_threads.c - the tids a process image carries (see image_threads.h).
 */
#include <errno.h>
#include <stddef.h>
#include <unistd.h>

#include "kmod/uapi/ssi_image.h"
#include "migrate/image_threads.h"

static int read_at(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(fd, buf, len, (off_t)off);

	return n == (ssize_t)len ? 0 : -EIO;
}

int image_threads_read(int fd, int32_t *tids, uint32_t max)
{
	struct ssi_img_header h;
	struct ssi_img_section s;
	struct ssi_img_thread t;
	uint64_t off;
	uint32_t n = 1;
	int rc;

	rc = read_at(fd, &h, sizeof(h), 0);
	if (rc)
		return rc;
	if (h.magic != SSI_IMG_MAGIC || h.version != SSI_IMG_VERSION ||
	    h.header_size != sizeof(h) || !h.nr_threads ||
	    h.nr_threads > SSI_IMG_MAX_THREADS)
		return -EINVAL;
	if (h.nr_threads > max)
		return -E2BIG;
	tids[0] = h.home_pid;
	/* sections up to PAGES: the THREAD ones come last among them */
	for (off = h.header_size;;) {
		rc = read_at(fd, &s, sizeof(s), off);
		if (rc)
			return rc;
		if (s.type == SSI_SEC_PAGES || s.type == SSI_SEC_END)
			break;
		if (s.size > SSI_IMG_MAX_FILES_BYTES + (64U << 20))	/* VMAS at most */
			return -EINVAL;
		if (s.type == SSI_SEC_THREAD) {
			if (n >= h.nr_threads || s.size < sizeof(t))
				return -EINVAL;
			rc = read_at(fd, &t, sizeof(t), off + sizeof(s));
			if (rc)
				return rc;
			tids[n++] = t.home_tid;
		}
		off += sizeof(s) + s.size;
	}
	return n == h.nr_threads ? (int)n : -EINVAL;
}
