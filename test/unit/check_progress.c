// SPDX-License-Identifier: GPL-2.0
/*
 * check_progress.c - the line `ssictl migrate` redraws on a terminal
 * (ssid/cli/migrate_progress.c): sizes, bar, rate and time left, what is
 * left out while not known, and the terminal's width.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "run_suite.h"
#include "ssid/cli/migrate_progress.h"

static char line[512];

START_TEST(test_line)
{
	/* a quarter of about 64 MiB at 8 MiB/s: 6 s left */
	migrate_progress_line(line, sizeof(line), "pid 77 to n2", 16 << 20, 64 << 20,
			      8 << 20, 100);
	ck_assert_str_eq(line, "pid 77 to n2  [#######.......................]"
			 "  16.0 of ~64.0 MiB  8.0 MiB/s  ETA 6 s");
	/* no rate yet: no speed, no time left */
	migrate_progress_line(line, sizeof(line), "pid 77 to n2", 1 << 20, 64 << 20, 0, 100);
	ck_assert_msg(!strstr(line, "MiB/s") && !strstr(line, "ETA"), "%s", line);
	ck_assert_msg(strstr(line, "1.0 of ~64.0 MiB"), "%s", line);
	/* more than expected (it grew): full bar, the target restores */
	migrate_progress_line(line, sizeof(line), "pid 77 to n2", 70 << 20, 64 << 20,
			      8 << 20, 100);
	ck_assert_msg(strstr(line, "[##############################]") &&
		      strstr(line, "restoring"), "%s", line);
	/* size not known (coming home): bytes and rate only */
	migrate_progress_line(line, sizeof(line), "pid 77 coming home", 3 << 20, -1,
			      1 << 20, 100);
	ck_assert_str_eq(line, "pid 77 coming home  3.0 MiB  1.0 MiB/s");
}
END_TEST

START_TEST(test_width)
{
	/* a narrow terminal: no bar, and never longer than it */
	migrate_progress_line(line, sizeof(line), "pid 77 to n2", 16 << 20, 64 << 20,
			      8 << 20, 55);
	ck_assert_msg(!strchr(line, '['), "%s", line);
	ck_assert_uint_le(strlen(line), 55);
	migrate_progress_line(line, sizeof(line), "pid 77 to n2", 16 << 20, 64 << 20,
			      8 << 20, 20);
	ck_assert_uint_eq(strlen(line), 20);
	/* an 80-column one has room for a bar */
	migrate_progress_line(line, sizeof(line), "pid 12345 to node-17", 16 << 20,
			      64 << 20, 8 << 20, 79);
	ck_assert_msg(strchr(line, '['), "%s", line);
	ck_assert_uint_le(strlen(line), 79);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("progress");
	TCase *tc = tcase_create("line");
	int failed;

	tcase_add_test(tc, test_line);
	tcase_add_test(tc, test_width);
	suite_add_tcase(s, tc);
	failed = check_run(s);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
