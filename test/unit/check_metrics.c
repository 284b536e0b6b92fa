// SPDX-License-Identifier: GPL-2.0
/*
 * check_metrics.c - ssid's counters in the Prometheus text format
 * (ssid/common/metrics.c): each family once with its HELP and TYPE, the
 * samples counted, the freeze-time histogram cumulative, and a text cut
 * short by a small buffer still NUL-terminated with its full length told.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_suite.h"
#include "ssid/common/metrics.h"

static char text[16384];

static void render(void)
{
	struct metrics_now now = { .guests = 2, .deputies = 1, .peers_up = 3, .peers = 4,
				   .dsm_homes = 5, .dsm_copies = 6 };
	size_t n = metrics_render(&now, text, sizeof(text));

	ck_assert_uint_lt(n, sizeof(text));
	ck_assert_uint_eq(n, strlen(text));
}

static void has(const char *line)
{
	char want[256];

	snprintf(want, sizeof(want), "\n%s\n", line);
	ck_assert_msg(strstr(text, want), "no line '%s' in:\n%s", line, text);
}

static unsigned int count(const char *s)
{
	unsigned int n = 0;
	const char *p = text;

	while ((p = strstr(p, s))) {
		n++;
		p += strlen(s);
	}
	return n;
}

START_TEST(test_render)
{
	metrics_reset();
	metrics_add(METRIC_MIGRATED, 3);
	metrics_add(METRIC_MIGRATE_FAILED, 1);
	metrics_add(METRIC_FORWARDED_CALLS, 1000);
	metrics_add(METRIC_IMAGE_BYTES_SENT, 1 << 20);
	metrics_add(METRIC_DSM_ASKED_READ, 7);
	metrics_add(METRIC_DSM_PAGES_SENT, 8);
	metrics_freeze(20000000);	/* 20 ms */
	metrics_freeze(700000000);	/* 0.7 s */
	metrics_freeze(90000000000ULL);	/* beyond the last bound */
	render();
	ck_assert(!strncmp(text, "# HELP ssi_migrations_total ", 28));
	has("# TYPE ssi_migrations_total counter");
	has("ssi_migrations_total{result=\"ok\"} 3");
	has("ssi_migrations_total{result=\"failed\"} 1");
	has("ssi_returns_total{result=\"ok\"} 0");
	has("ssi_forwarded_calls_total 1000");
	has("ssi_image_sent_bytes_total 1048576");
	has("# TYPE ssi_migration_freeze_seconds histogram");
	has("ssi_migration_freeze_seconds_bucket{le=\"0.01\"} 0");
	has("ssi_migration_freeze_seconds_bucket{le=\"0.05\"} 1");
	has("ssi_migration_freeze_seconds_bucket{le=\"0.5\"} 1");
	has("ssi_migration_freeze_seconds_bucket{le=\"1\"} 2");
	has("ssi_migration_freeze_seconds_bucket{le=\"60\"} 2");
	has("ssi_migration_freeze_seconds_bucket{le=\"+Inf\"} 3");
	has("ssi_migration_freeze_seconds_sum 90.720000");
	has("ssi_migration_freeze_seconds_count 3");
	has("# TYPE ssi_guests gauge");
	has("ssi_guests 2");
	has("ssi_deputies 1");
	has("ssi_peers_up 3");
	has("ssi_peers 4");
	has("# TYPE ssi_dsm_faults_total counter");
	has("ssi_dsm_faults_total{access=\"read\"} 7");
	has("ssi_dsm_faults_total{access=\"write\"} 0");
	has("ssi_dsm_pages_sent_total 8");
	has("# TYPE ssi_dsm_segments gauge");
	has("ssi_dsm_segments{role=\"home\"} 5");
	has("ssi_dsm_segments{role=\"copy\"} 6");
	ck_assert_uint_eq(count("# TYPE ssi_dsm_faults_total "), 1);
	/* one HELP and one TYPE per family, the text ends with a newline */
	ck_assert_uint_eq(count("# TYPE "), count("# HELP "));
	ck_assert_uint_eq(count("# TYPE ssi_migrations_total "), 1);
	ck_assert_uint_eq(count("# TYPE ssi_guests_received_total "), 1);
	ck_assert_int_eq(text[strlen(text) - 1], '\n');
	metrics_reset();
	render();
	has("ssi_migrations_total{result=\"ok\"} 0");
	has("ssi_migration_freeze_seconds_count 0");
}
END_TEST

START_TEST(test_cut)
{
	struct metrics_now now = { 0 };
	size_t full = metrics_render(&now, NULL, 0);
	char small[64];

	ck_assert_uint_gt(full, sizeof(small));
	ck_assert_uint_eq(metrics_render(&now, small, sizeof(small)), full);
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("text");
	int failed;

	tcase_add_test(tc, test_render);
	tcase_add_test(tc, test_cut);
	suite_add_tcase(s, tc);
	failed = check_run(s);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
