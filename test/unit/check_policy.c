// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_policy.c - the --ssi-migratable argument parser, the lookup
 * select/ssi does in a job's SPANK environment, and the names on the
 * control socket (libssiclient's policy.c).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "run_suite.h"
#include "ssid/client/policy.h"

START_TEST(test_parse_values)
{
	enum ssi_policy p = SSI_POLICY_NONE;
	char err[128];

	ck_assert_int_eq(ssi_policy_parse(NULL, &p, err, sizeof(err)), 0);
	ck_assert_int_eq(p, SSI_POLICY_AUTO);
	ck_assert_int_eq(ssi_policy_parse("", &p, err, sizeof(err)), 0);
	ck_assert_int_eq(p, SSI_POLICY_AUTO);
	ck_assert_int_eq(ssi_policy_parse("manual", &p, err, sizeof(err)), 0);
	ck_assert_int_eq(p, SSI_POLICY_MANUAL);
	ck_assert_int_eq(ssi_policy_parse("auto", &p, err, sizeof(err)), 0);
	ck_assert_int_eq(p, SSI_POLICY_AUTO);
}
END_TEST

START_TEST(test_parse_rejects)
{
	static const char *const bad[] = { "yes", "AUTO", "auto ", "manual,auto", "none" };
	enum ssi_policy p = SSI_POLICY_MANUAL;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		ck_assert_int_eq(ssi_policy_parse(bad[i], &p, err, sizeof(err)), -1);
		ck_assert_msg(strstr(err, bad[i]) && strstr(err, "'auto' or 'manual'"),
			      "unclear message for '%s': %s", bad[i], err);
		ck_assert_int_eq(p, SSI_POLICY_MANUAL);	/* untouched */
	}
	/* No buffer for the message is allowed. */
	ck_assert_int_eq(ssi_policy_parse("x", &p, NULL, 0), -1);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(ssi_policy_name(SSI_POLICY_NONE), "none");
	ck_assert_str_eq(ssi_policy_name(SSI_POLICY_AUTO), "auto");
	ck_assert_str_eq(ssi_policy_name(SSI_POLICY_MANUAL), "manual");
	ck_assert_str_eq(ssi_policy_name((enum ssi_policy)42), "none");
}
END_TEST

START_TEST(test_from_name)
{
	static const char *const bad[] = { "", "AUTO", "auto ", "yes", "(null)" };
	enum ssi_policy p = SSI_POLICY_MANUAL;
	size_t i;

	/* every name ssi_policy_name() gives, "none" too */
	for (i = SSI_POLICY_NONE; i <= SSI_POLICY_MANUAL; i++) {
		ck_assert_int_eq(ssi_policy_from_name(ssi_policy_name((enum ssi_policy)i), &p), 0);
		ck_assert_int_eq(p, (enum ssi_policy)i);
	}
	p = SSI_POLICY_MANUAL;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(ssi_policy_from_name(bad[i], &p), -1);
		ck_assert_int_eq(p, SSI_POLICY_MANUAL);	/* untouched */
	}
	ck_assert_int_eq(ssi_policy_from_name(NULL, &p), -1);
}
END_TEST

START_TEST(test_from_env)
{
	char *env[] = { "SPANK_OTHER=1", "SPANK_SSI_MIGRATABLE=manual", NULL };
	char *env_auto[] = { "SPANK_SSI_MIGRATABLE=auto" };
	char *env_bad[] = { "SPANK_SSI_MIGRATABLE=bogus", NULL };
	char *env_empty[] = { "SPANK_SSI_MIGRATABLE=", NULL };
	char *env_prefix[] = { "SPANK_SSI_MIGRATABLEX=auto", NULL };
	/* as the job record in slurmctld holds it */
	char *env_job[] = { "OTHER=1", "SSI_MIGRATABLE=auto", NULL };
	char *env_job_prefix[] = { "SSI_MIGRATABLE_X=manual", NULL };

	ck_assert_int_eq(ssi_policy_from_env(env, 2), SSI_POLICY_MANUAL);
	/* count bounds the scan: the match is beyond it */
	ck_assert_int_eq(ssi_policy_from_env(env, 1), SSI_POLICY_NONE);
	/* not NULL-terminated, exact count */
	ck_assert_int_eq(ssi_policy_from_env(env_auto, 1), SSI_POLICY_AUTO);
	ck_assert_int_eq(ssi_policy_from_env(env_bad, 1), SSI_POLICY_NONE);
	ck_assert_int_eq(ssi_policy_from_env(env_empty, 1), SSI_POLICY_NONE);
	ck_assert_int_eq(ssi_policy_from_env(env_prefix, 1), SSI_POLICY_NONE);
	ck_assert_int_eq(ssi_policy_from_env(NULL, 5), SSI_POLICY_NONE);
	ck_assert_int_eq(ssi_policy_from_env(env_job, 2), SSI_POLICY_AUTO);
	ck_assert_int_eq(ssi_policy_from_env(env_job_prefix, 1), SSI_POLICY_NONE);
}
END_TEST

static Suite *policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_parse_values);
	tcase_add_test(tc, test_parse_rejects);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_from_name);
	tcase_add_test(tc, test_from_env);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	int failed = check_run(policy_suite());

	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
