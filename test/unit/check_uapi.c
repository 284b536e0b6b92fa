// SPDX-License-Identifier: GPL-2.0
/*
 * check_uapi.c - the UAPI header as user space compiles it: structs must
 * have the layout the module asserts with BUILD_BUG_ON, and the ioctl
 * numbers must encode the struct sizes (a mismatch would make every
 * ioctl fail with -ENOTTY at run time instead of at build time).
 */
#include <check.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "run_suite.h"
#include "kmod/uapi/ssi.h"

START_TEST(test_api_struct_layout)
{
	ck_assert_uint_eq(sizeof(struct ssi_api), 48);
	ck_assert_uint_eq(offsetof(struct ssi_api, api), 0);
	ck_assert_uint_eq(offsetof(struct ssi_api, features), 8);
	ck_assert_uint_eq(offsetof(struct ssi_api, reserved), 16);
	ck_assert_uint_eq(sizeof(struct ssi_api) % 8, 0);
}
END_TEST

START_TEST(test_api_ioctl_encoding)
{
	ck_assert_uint_eq(_IOC_SIZE(SSI_IOC_API), sizeof(struct ssi_api));
	ck_assert_uint_eq(_IOC_TYPE(SSI_IOC_API), SSI_IOC_MAGIC);
	ck_assert_uint_eq(_IOC_DIR(SSI_IOC_API), _IOC_READ | _IOC_WRITE);
}
END_TEST

static Suite *uapi_suite(void)
{
	Suite *s = suite_create("uapi");
	TCase *tc = tcase_create("layout");

	tcase_add_test(tc, test_api_struct_layout);
	tcase_add_test(tc, test_api_ioctl_encoding);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	int failed = check_run(uapi_suite());

	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
