/* SPDX-License-Identifier: GPL-2.0 */
/*
 * run_suite.h - what every check program's main() ends with: run the
 * suite (CK_VERBOSITY from the environment, as `make check` sets it).
 */
#ifndef SSI_RUN_SUITE_H
#define SSI_RUN_SUITE_H

#include <check.h>

/* Runs @s (taking it) and returns how many of its tests failed. */
static inline int check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed;
}

#endif
