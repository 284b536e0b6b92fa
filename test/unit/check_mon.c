// SPDX-License-Identifier: GPL-2.0
/*
 * check_mon.c - the frames of `ssictl mon` (ssid/cli/mon.c) from show_nodes
 * and show_procs results: load bars, a node that is down, a process on the
 * move with its progress and one running away with its figures, the
 * terminal's width, and ssid not answering.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "run_suite.h"
#include "ssid/cli/mon.h"

static const char nodes_json[] =
	"{\"nodes\": ["
	"{\"name\": \"n1\", \"self\": true, \"state\": \"up\", \"cpus\": 4, \"load\": 2.0,"
	" \"mem_free_kb\": 2097152, \"guests\": 0, \"deputies\": 2},"
	"{\"name\": \"n2\", \"state\": \"up\", \"cpus\": 2, \"load\": 3.5,"
	" \"mem_free_kb\": 512000, \"guests\": 1, \"deputies\": 0},"
	"{\"name\": \"n3\", \"state\": \"down\", \"cpus\": 2}]}";

static const char procs_json[] =
	"{\"procs\": ["
	"{\"pid\": 7294, \"comm\": \"python3\", \"home\": \"n1\", \"where\": \"n2\","
	" \"state\": \"migrating\", \"forwarded\": 0, \"image_bytes\": 33554432,"
	" \"image_expected\": 134217728},"
	"{\"pid\": 7300, \"comm\": \"sleep\", \"home\": \"n1\", \"where\": \"n3\","
	" \"state\": \"running\", \"forwarded\": 42, \"cpu_ms\": 1500, \"rss_kb\": 2048}]}";

static char *frame(json_object *nodes, json_object *procs, const char *err,
		   double rate, int width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	mon_render(f, nodes, procs, err, rate, "12:00:00", width);
	fclose(f);
	return buf;
}

/* The line of @f that starts with @head (after spaces), or NULL: a copy. */
static const char *line_of(const char *f, const char *head)
{
	static char line[512];
	const char *p;

	for (p = f; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p + strspn(p, " "), head, strlen(head))) {
			snprintf(line, sizeof(line), "%.*s", (int)strcspn(p, "\n"), p);
			return line;
		}
	return NULL;
}

START_TEST(test_frame)
{
	json_object *nodes = json_tokener_parse(nodes_json);
	json_object *procs = json_tokener_parse(procs_json);
	const char *l;
	char *f;

	ck_assert_ptr_nonnull(nodes);
	ck_assert_ptr_nonnull(procs);
	f = frame(nodes, procs, NULL, 12.5, 0);
	ck_assert_msg(strstr(f, "3 nodes, 2 up") && strstr(f, "2 migrated here, 1 on the move") &&
		      strstr(f, "forwarded 12.5/s") && strstr(f, "12:00:00"), "%s", f);
	/* load 2 of 4 CPUs: half the bar; 3.5 of 2: full, overloaded */
	l = line_of(f, "n1*");
	ck_assert_msg(l && !strncmp(strchr(l, '['), "[##########..........]  2.00", 28), "%s", f);
	ck_assert_msg(strstr(l, " 2.0G "), "%s", l);
	l = line_of(f, "n2 ");
	ck_assert_msg(l && !strncmp(strchr(l, '['), "[###################+]  3.50", 28), "%s", f);
	/* a node that is down shows no figures */
	l = line_of(f, "n3 ");
	ck_assert_msg(l && strstr(l, "down") && !strchr(l, '['), "%s", f);
	/* on the move: its bar and sizes; running away: what it uses */
	l = line_of(f, "7294");
	ck_assert_msg(l && strstr(l, "migrating") && strstr(l, "32.0 of ~128.0 MiB") &&
		      strchr(l, '['), "%s", f);
	l = line_of(f, "7300");
	ck_assert_msg(l && strstr(l, "cpu 1.5s") && strstr(l, "rss 2.0M") &&
		      strstr(l, "42 calls"), "%s", f);
	free(f);
	json_object_put(nodes);
	json_object_put(procs);
}
END_TEST

START_TEST(test_width_and_errors)
{
	json_object *nodes = json_tokener_parse(nodes_json);
	json_object *procs = json_tokener_parse("{\"procs\": []}");
	const char *p;
	char *f;

	/* no line longer than the terminal */
	f = frame(nodes, procs, NULL, -1, 50);
	for (p = f; *p; p = strchr(p, '\n') + 1)
		ck_assert_int_le((int)(strchr(p, '\n') - p), 50);
	ck_assert_msg(strstr(f, "no migrated process here"), "%s", f);
	free(f);
	f = frame(nodes, procs, NULL, -1, 0);
	ck_assert_msg(strstr(f, "forwarded -"), "%s", f);	/* no rate yet */
	free(f);
	/* ssid gone: the header and why, nothing made up */
	f = frame(NULL, NULL, "cannot reach ssid at /run/ssid.sock", -1, 0);
	ck_assert_msg(strstr(f, "0 nodes") && strstr(f, "ssid: cannot reach ssid") &&
		      !strstr(f, "NODE"), "%s", f);
	free(f);
	json_object_put(nodes);
	json_object_put(procs);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mon");
	TCase *tc = tcase_create("frame");
	int failed;

	tcase_add_test(tc, test_frame);
	tcase_add_test(tc, test_width_and_errors);
	suite_add_tcase(s, tc);
	failed = check_run(s);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
