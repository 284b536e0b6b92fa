/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * image_memfd.h - a small process image in a memfd, for the tests of what
 * ssid reads in one before a restore (ssid/migrate/image_peek.c): a
 * header, an empty section of type @first, the section under test of
 * @count records of @size bytes (left out when @type is 0), and END.
 */
#ifndef TEST_UNIT_IMAGE_MEMFD_H
#define TEST_UNIT_IMAGE_MEMFD_H

#include <check.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/mman.h>

#include "kmod/uapi/ssi_image.h"

static inline int image_memfd(uint32_t first, uint32_t type, const void *rec,
			      uint32_t count, size_t size)
{
	struct ssi_img_header h = {
		.magic = SSI_IMG_MAGIC, .version = SSI_IMG_VERSION,
		.header_size = sizeof(h), .nr_threads = 1, .home_pid = 100,
	};
	struct ssi_img_section s = { .type = first };
	int fd = memfd_create("img", MFD_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, &h, sizeof(h)), sizeof(h));
	ck_assert_int_eq(write(fd, &s, sizeof(s)), sizeof(s));
	if (type) {
		s.type = type;
		s.count = count;
		s.size = count * size;
		ck_assert_int_eq(write(fd, &s, sizeof(s)), sizeof(s));
		ck_assert_int_eq(write(fd, rec, s.size), (ssize_t)s.size);
	}
	s = (struct ssi_img_section){ .type = SSI_SEC_END };
	ck_assert_int_eq(write(fd, &s, sizeof(s)), sizeof(s));
	return fd;
}

#endif /* TEST_UNIT_IMAGE_MEMFD_H */
