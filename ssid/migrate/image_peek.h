/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * image_peek.h - what ssid reads in a process image before the module
 * restores it:
 *  - which thread is which: the tids its THREAD sections carry
 *    (ssi_img_thread.home_tid: the thread's id in its pid namespace, which
 *    is its home tid wherever it ran), in the order the restore gives them
 *    to the restoring threads.  ssid pairs each thread of a migrated
 *    process with its deputy thread at home by them, and the restore
 *    helper makes its threads with them;
 *  - the process's resource limits (the TASK section), which the restore
 *    helper sets on itself before it becomes the process;
 *  - its POSIX timers, its LDT and its threads' NUMA policies, which the
 *    tasks that become the process make before the restore
 *    (ptimer_make.h, ldt_make.h, mpol_make.h);
 *  - its mapped files (FILES) and, for each, one mapping of it (VMAS):
 *    the restore helper checks them here first, and asks ssid for a copy
 *    of those that are missing or different (file_fetch.h).
 *
 * The image is untrusted here: only bounds are checked (the module checks
 * the rest, CRCs included, when it restores it); a wrong value makes the
 * caller refuse, never read out of bounds.
 */
#ifndef SSID_IMAGE_PEEK_H
#define SSID_IMAGE_PEEK_H

#include <stdint.h>
#include <sys/types.h>

#include "kmod/uapi/ssi_image.h"

/*
 * image_threads_read - the tids of the image in @fd (read with pread from
 * offset 0): @tids[0] the leader's (header.home_pid), then one per THREAD
 * section in order.  @max: room in @tids.
 * Return: the number of threads (header.nr_threads, >= 1), or -errno:
 * -EIO (short read), -EINVAL (not an image, or sections that do not add
 * up to nr_threads), -E2BIG (more than @max).
 */
int image_threads_read(int fd, int32_t *tids, uint32_t max);

/*
 * image_task_read - the TASK section of the image in @fd into @t.
 * Return: 0, or -errno: -EIO (short read), -EINVAL (not an image, no
 * TASK section, or one of another size).
 */
int image_task_read(int fd, struct ssi_img_task *t);

/*
 * image_mempolicies_read - the NUMA policy of each thread of the image in
 * @fd, in image_threads_read()'s order, into @mpol (room for @max).
 * Return: the number of threads, or -errno as image_threads_read().
 */
int image_mempolicies_read(int fd, struct ssi_img_mempolicy *mpol, uint32_t max);

/*
 * image_timers_read - the POSIX timers of the image in @fd (SSI_SEC_TIMERS)
 * into *@out, malloc'ed (free() it; NULL when there are none).  Their
 * values are the module's to check: made with them, a wrong one makes the
 * restore refuse.
 * Return: their number, or -errno: -EIO, -EINVAL (no such section, or one
 * of the wrong size), -ENOMEM.
 */
int image_timers_read(int fd, struct ssi_img_posix_timer **out);

/*
 * image_ldt_read - the LDT of the image in @fd (SSI_SEC_LDT, raw 8-byte
 * descriptors) into *@out, malloc'ed (free() it; NULL when it has none).
 * Return: the number of descriptors, or -errno: -EIO, -EINVAL (no such
 * section, or one of the wrong size), -ENOMEM.
 */
int image_ldt_read(int fd, uint64_t **out);

/*
 * image_vmas_read - the mappings of the image in @fd (SSI_SEC_VMAS) into
 * *@out, malloc'ed (free() it; NULL when it has none).
 * Return: their number, or -errno as image_ldt_read().
 */
int image_vmas_read(int fd, struct ssi_img_vma **out);

/* One mapped file of an image: its FILES record and one mapping of it. */
struct image_file {
	const char *path;		/* NUL-terminated, in the list's payload */
	const struct ssi_img_file *id;	/* size, digest (path_len, rec_size) */
	uint64_t start, end;		/* the first VMA that maps it; 0 if none */
};

struct image_files {
	uint32_t n;
	struct image_file *f;
	void *payload;			/* the FILES section */
};

/*
 * image_files_read - the mapped files of the image in @fd, in FILES order
 * (the restore's file index), each with its first mapping.
 * Return: 0 (free with image_files_free()), or -errno: -EIO, -EINVAL (no
 * FILES or VMAS section, records that do not add up, a path not
 * NUL-terminated, a VMA naming no file), -ENOMEM.
 */
int image_files_read(int fd, struct image_files *out);
void image_files_free(struct image_files *l);

#endif /* SSID_IMAGE_PEEK_H */
