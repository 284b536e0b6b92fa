// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_ldt_make.c - the LDT of an image as the restore helper makes it
 * (ssid/migrate/ldt_make.c, image_peek.c): every descriptor modify_ldt(2)
 * can make comes back from the struct user_desc found for it, anything
 * else is refused, and the LDT section is read from an image.  The lab
 * makes real LDTs (t-31's ldt programs).
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "image_memfd.h"
#include "run_suite.h"
#include "migrate/image_peek.h"
#include "migrate/ldt_make.h"

/* What the kernel's fill_ldt() and write_ldt() make of @u (x86-64). */
static uint64_t kernel_desc(const struct user_desc *u)
{
	uint64_t d = 0, type;

	if (!u->base_addr && !u->limit && !u->contents && u->read_exec_only &&
	    !u->seg_32bit && !u->limit_in_pages && u->seg_not_present &&
	    !u->useable && !u->lm)
		return 0;			/* LDT_empty() */
	type = (uint64_t)(u->read_exec_only ^ 1) << 1 | (uint64_t)u->contents << 2 | 1;
	d |= u->limit & 0xffffULL;
	d |= (uint64_t)(u->base_addr & 0xffffff) << 16;
	d |= type << 40;
	d |= 1ULL << 44;			/* S: code or data */
	d |= 3ULL << 45;			/* DPL 3 */
	d |= (uint64_t)(u->seg_not_present ^ 1) << 47;
	d |= (uint64_t)((u->limit >> 16) & 0xf) << 48;
	d |= (uint64_t)u->useable << 52;
	d |= (uint64_t)u->seg_32bit << 54;
	d |= (uint64_t)u->limit_in_pages << 55;
	d |= (uint64_t)(u->base_addr >> 24) << 56;
	return d;
}

START_TEST(test_every_made_descriptor_comes_back)
{
	struct user_desc u, back;
	unsigned int i;

	srandom(7);
	for (i = 0; i < 100000; i++) {
		memset(&u, 0, sizeof(u));
		u.entry_number = (unsigned int)random() % 8192;
		u.base_addr = (unsigned int)random() ^ (unsigned int)random() << 16;
		u.limit = (unsigned int)random() & 0xfffff;
		u.seg_32bit = random() & 1;
		u.contents = random() & 3;
		u.read_exec_only = random() & 1;
		u.limit_in_pages = random() & 1;
		u.seg_not_present = random() & 1;
		u.useable = random() & 1;
		if (u.contents == 3 && !u.seg_not_present)
			continue;		/* write_ldt() refuses it */
		ck_assert_int_eq(ldt_user_desc(kernel_desc(&u), u.entry_number, &back), 0);
		ck_assert_uint_eq(kernel_desc(&back), kernel_desc(&u));
		ck_assert_uint_eq(back.entry_number, u.entry_number);
	}
	/* the empty entry */
	ck_assert_int_eq(ldt_user_desc(0, 5, &back), 0);
	ck_assert_uint_eq(kernel_desc(&back), 0);
	ck_assert_uint_eq(back.entry_number, 5);
}
END_TEST

START_TEST(test_what_modify_ldt_cannot_make_is_refused)
{
	struct user_desc u = { .limit = 0xfffff, .seg_32bit = 1, .limit_in_pages = 1 };
	uint64_t d = kernel_desc(&u), out;
	struct user_desc back;

	ck_assert_int_eq(ldt_user_desc(d, 0, &back), 0);
	out = d & ~(1ULL << 44);			/* a system descriptor */
	ck_assert_int_eq(ldt_user_desc(out, 0, &back), -EINVAL);
	out = d & ~(3ULL << 45);			/* DPL 0 */
	ck_assert_int_eq(ldt_user_desc(out, 0, &back), -EINVAL);
	out = d | 1ULL << 53;				/* 64-bit code */
	ck_assert_int_eq(ldt_user_desc(out, 0, &back), -EINVAL);
	out = d & ~(1ULL << 40);			/* not accessed */
	ck_assert_int_eq(ldt_user_desc(out, 0, &back), -EINVAL);
	out = d | 0xcULL << 40;				/* present conforming code */
	ck_assert_int_eq(ldt_user_desc(out, 0, &back), -EINVAL);
}
END_TEST

START_TEST(test_read_from_image)
{
	const uint64_t ldt[3] = { 0, 0x00cff3000000ffffULL, 0 };
	uint64_t *d;
	int fd = image_memfd(SSI_SEC_TIMERS, SSI_SEC_LDT, ldt, 3, sizeof(*ldt));

	ck_assert_int_eq(image_ldt_read(fd, &d), 3);
	ck_assert_int_eq(memcmp(d, ldt, sizeof(ldt)), 0);
	free(d);
	close(fd);
	fd = image_memfd(SSI_SEC_TIMERS, SSI_SEC_LDT, ldt, 0, sizeof(*ldt));
	ck_assert_int_eq(image_ldt_read(fd, &d), 0);
	ck_assert_ptr_null(d);
	close(fd);
	fd = image_memfd(SSI_SEC_TIMERS, 0, NULL, 0, 0);	/* no LDT section */
	ck_assert_int_eq(image_ldt_read(fd, &d), -EINVAL);
	close(fd);
}
END_TEST

static Suite *ldt_suite(void)
{
	Suite *s = suite_create("ldt_make");
	TCase *tc = tcase_create("make");

	tcase_add_test(tc, test_every_made_descriptor_comes_back);
	tcase_add_test(tc, test_what_modify_ldt_cannot_make_is_refused);
	tcase_add_test(tc, test_read_from_image);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(ldt_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
