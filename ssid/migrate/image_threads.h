/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * image_threads.h - which thread is which in a process image: the tids
 * its THREAD sections carry (ssi_img_thread.home_tid: the thread's id on
 * the node that dumped it), in the order the restore gives them to the
 * restoring threads.  ssid uses them to pair each thread of a migrated
 * process with its deputy thread at home.
 *
 * The image is untrusted here: only bounds are checked (the module checks
 * the rest, CRCs included, when it restores it); a wrong tid makes the
 * caller refuse, never read out of bounds.
 */
#ifndef SSID_IMAGE_THREADS_H
#define SSID_IMAGE_THREADS_H

#include <stdint.h>
#include <sys/types.h>

/*
 * image_threads_read - the dumping node's tids of the image in @fd (read
 * with pread from offset 0): @tids[0] the leader's (header.home_pid), then
 * one per THREAD section in order.  @max: room in @tids.
 * Return: the number of threads (header.nr_threads, >= 1), or -errno:
 * -EIO (short read), -EINVAL (not an image, or sections that do not add
 * up to nr_threads), -E2BIG (more than @max).
 */
int image_threads_read(int fd, int32_t *tids, uint32_t max);

#endif /* SSID_IMAGE_THREADS_H */
