// SPDX-License-Identifier: GPL-2.0
/*
 * check_slurm_view.c - what ssid knows of Slurm (ssid/slurm/slurm_view.c):
 * the watcher's lines, bad ones refused without changing the view, and
 * where a job's task may go (node states, partitions, home, nothing known,
 * SlurmPollInterval=0).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_suite.h"
#include "ssid/daemon/conf.h"
#include "ssid/slurm/slurm_view.h"

static char why[512];

static struct ssi_conf *conf(const char *extra)
{
	char text[1024], err[512];
	struct ssi_conf *c;
	FILE *fp;

	snprintf(text, sizeof(text),
		 "NodeName=n2 Addr=10.0.0.2\nNodeName=n1 Addr=10.0.0.1\n"
		 "NodeName=n3 Addr=10.0.0.3\nNodeName=n4 Addr=10.0.0.4\n%s", extra);
	fp = fmemopen(text, strlen(text), "r");
	ck_assert_ptr_nonnull(fp);
	c = conf_parse(fp, "t.conf", err, sizeof(err));
	fclose(fp);
	ck_assert_msg(c != NULL, "%s", err);
	return c;
}

/* ssi.conf's index of @name (n2 is 0, n1 is 1, ...) */
static int idx(const struct ssi_conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nnodes; i++)
		if (!strcmp(c->nodes[i].name, name))
			return (int)i;
	ck_abort_msg("no node %s", name);
	return -1;
}

static const char *view_line =
	"{\"nodes\": {\"n1\": {\"state\": \"IDLE\", \"usable\": true},"
	" \"n2\": {\"state\": \"MIXED\", \"usable\": true},"
	" \"n3\": {\"state\": \"IDLE+DRAIN\", \"usable\": false},"
	" \"gpu9\": {\"state\": \"IDLE\", \"usable\": true}},"
	" \"partitions\": {\"lab\": [\"n1\", \"n2\", \"n3\", \"gpu9\"], \"pair\": [\"n1\"]}}";

START_TEST(test_policy)
{
	struct ssi_conf *c = conf("");
	struct slurm_view *v = slurm_view_create(c, NULL);
	int n1 = idx(c, "n1"), n2 = idx(c, "n2"), n3 = idx(c, "n3"), n4 = idx(c, "n4");

	ck_assert_ptr_nonnull(v);
	/* nothing known yet: users refused, the balancer too; home always */
	ck_assert_int_eq(slurm_view_may_place(v, 5, n1, n2, 10, why, sizeof(why)), -EAGAIN);
	ck_assert_msg(strstr(why, "not known yet"), "%s", why);
	ck_assert(!slurm_view_balancer_may_place(v, 5, n1, n2, false, 10));
	ck_assert_int_eq(slurm_view_may_place(v, 5, n2, n2, 10, why, sizeof(why)), 0);
	ck_assert_int_eq(slurm_view_feed(v, "{\"error\": \"cannot read Slurm's nodes: "
					 "Unable to contact slurm controller\"}", 20), 0);
	ck_assert_int_eq(slurm_view_may_place(v, 5, n1, n2, 30, why, sizeof(why)), -EPERM);
	ck_assert_msg(strstr(why, "Unable to contact"), "%s", why);
	ck_assert_ptr_null(slurm_view_node_state(v, n1));

	ck_assert_int_eq(slurm_view_feed(v, view_line, 40), 0);
	ck_assert_str_eq(slurm_view_node_state(v, n3), "IDLE+DRAIN");
	ck_assert_ptr_null(slurm_view_node_state(v, n4));
	/* nodes: a drained one, one Slurm does not have */
	ck_assert_int_eq(slurm_view_may_place(v, -1, n1, n2, 50, why, sizeof(why)), 0);
	ck_assert_int_eq(slurm_view_may_place(v, -1, n3, n2, 50, why, sizeof(why)), -EPERM);
	ck_assert_str_eq(why, "node n3 is IDLE+DRAIN in Slurm");
	ck_assert_int_eq(slurm_view_may_place(v, -1, n4, n2, 50, why, sizeof(why)), -EPERM);
	ck_assert_str_eq(why, "n4 is not a node of Slurm");
	ck_assert(!slurm_view_balancer_may_place(v, -1, n3, n2, false, 50));
	/* no home: the node's state alone, whichever node asks */
	ck_assert(!slurm_view_balancer_may_place(v, -1, n3, -1, false, 50));
	ck_assert(slurm_view_balancer_may_place(v, -1, n1, -1, false, 50));
	/* a job: asked first, then its partition decides */
	ck_assert_int_eq(slurm_view_may_place(v, 5, n1, n2, 60, why, sizeof(why)), -EAGAIN);
	ck_assert_msg(strstr(why, "partition of job 5 is not known yet"), "%s", why);
	ck_assert(!slurm_view_balancer_may_place(v, 5, n1, n2, false, 60));
	/* a plan of any node's tasks judges a job it does not know by the node */
	ck_assert(slurm_view_balancer_may_place(v, 5, n1, n2, true, 60));
	ck_assert(!slurm_view_balancer_may_place(v, 5, n3, n2, true, 60));
	ck_assert_int_eq(slurm_view_feed(v, "{\"job\": 5, \"partition\": \"pair\"}", 70), 0);
	ck_assert_int_eq(slurm_view_may_place(v, 5, n1, n2, 80, why, sizeof(why)), 0);
	ck_assert(slurm_view_balancer_may_place(v, 5, n1, n2, false, 80));
	/* n2 is its home: allowed though not in "pair" */
	ck_assert_int_eq(slurm_view_may_place(v, 5, n2, n2, 80, why, sizeof(why)), 0);
	ck_assert_int_eq(slurm_view_may_place(v, 5, n1, n3, 80, why, sizeof(why)), 0);
	slurm_view_want_job(v, 6, 90);
	ck_assert_int_eq(slurm_view_feed(v, "{\"job\": 6, \"partition\": \"lab\"}", 95), 0);
	ck_assert_int_eq(slurm_view_may_place(v, 6, n2, n1, 100, why, sizeof(why)), 0);
	ck_assert_int_eq(slurm_view_may_place(v, 5, n2, n1, 100, why, sizeof(why)), -EPERM);
	ck_assert_str_eq(why, "node n2 is not in partition pair of job 5");
	/* a job slurmctld does not know */
	slurm_view_want_job(v, 7, 110);
	ck_assert_int_eq(slurm_view_feed(v, "{\"job\": 7, \"error\": \"job 7: Invalid job "
					 "id specified\"}", 120), 0);
	ck_assert_int_eq(slurm_view_may_place(v, 7, n1, n2, 130, why, sizeof(why)), -EPERM);
	ck_assert_str_eq(why, "the partition of job 7 is not known: job 7: Invalid job id specified");
	/* an answer for a job nobody asked about changes nothing */
	ck_assert_int_eq(slurm_view_feed(v, "{\"job\": 99, \"partition\": \"lab\"}", 130), 0);
	/* slurmctld gone: what it said last holds */
	ck_assert_int_eq(slurm_view_feed(v, "{\"error\": \"cannot read Slurm's nodes\"}", 140), 0);
	ck_assert_int_eq(slurm_view_may_place(v, 5, n1, n2, 150, why, sizeof(why)), 0);
	ck_assert_int_eq(slurm_view_feed(v, "{\"unchanged\": true}", 160), 0);
	/* n3 resumed */
	ck_assert_int_eq(slurm_view_feed(v, "{\"nodes\": {\"n3\": {\"state\": \"IDLE\", "
					 "\"usable\": true}}, \"partitions\": {\"lab\": [\"n3\"]}}",
					 170), 0);
	ck_assert_int_eq(slurm_view_may_place(v, 6, n3, n1, 180, why, sizeof(why)), 0);
	/* n1 is in no node list any more: not Slurm's */
	ck_assert_int_eq(slurm_view_may_place(v, 6, n1, n3, 180, why, sizeof(why)), -EPERM);
	ck_assert_str_eq(why, "n1 is not a node of Slurm");
	slurm_view_destroy(v);
	conf_free(c);
}
END_TEST

/* Lines that are not the watcher's grammar change nothing. */
START_TEST(test_bad_lines)
{
	static const char *const bad[] = {
		"", "not json", "[]", "{}", "{\"nodes\": {}}",
		"{\"nodes\": [], \"partitions\": {}}",
		"{\"nodes\": {\"n1\": {\"state\": \"IDLE\"}}, \"partitions\": {}}",
		"{\"nodes\": {\"n1\": {\"state\": 3, \"usable\": true}}, \"partitions\": {}}",
		"{\"nodes\": {\"n1\": {\"state\": \"\", \"usable\": true}}, \"partitions\": {}}",
		"{\"nodes\": {\"n1\": {\"state\": \"IDLE\", \"usable\": \"yes\"}}, \"partitions\": {}}",
		"{\"nodes\": {}, \"partitions\": {\"lab\": \"n1\"}}",
		"{\"nodes\": {}, \"partitions\": {\"lab\": [1]}}",
		"{\"nodes\": {}, \"partitions\": {\"\": []}}",
		"{\"job\": \"5\", \"partition\": \"lab\"}",
		"{\"job\": 5}",
		"{\"job\": 5, \"partition\": \"\"}",
		"{\"error\": 5}",
	};
	struct ssi_conf *c = conf("");
	struct slurm_view *v = slurm_view_create(c, NULL);
	int n1 = idx(c, "n1"), n2 = idx(c, "n2");
	size_t i;

	ck_assert_int_eq(slurm_view_feed(v, view_line, 10), 0);
	slurm_view_want_job(v, 5, 20);
	ck_assert_int_eq(slurm_view_feed(v, "{\"job\": 5, \"partition\": \"pair\"}", 30), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(slurm_view_feed(v, bad[i], 40) == -EINVAL, "accepted: %s", bad[i]);
	ck_assert_str_eq(slurm_view_node_state(v, n1), "IDLE");
	ck_assert_int_eq(slurm_view_may_place(v, 5, n1, n2, 50, why, sizeof(why)), 0);
	slurm_view_destroy(v);
	conf_free(c);
}
END_TEST

struct waiter {
	struct slurm_view_wait w;
	int calls;
	uint64_t at;
};

static void woken(struct slurm_view_wait *w, uint64_t now_ms)
{
	struct waiter *x = (struct waiter *)w;

	x->calls++;
	x->at = now_ms;
}

/*
 * A request that finds something not known yet waits: each waiter is
 * called once when the view learns something, and one that went away
 * (unwaited) never.
 */
START_TEST(test_wait)
{
	struct ssi_conf *c = conf("");
	struct slurm_view *v = slurm_view_create(c, NULL);
	int n1 = idx(c, "n1"), n2 = idx(c, "n2");
	struct waiter a = { .w = { .cb = woken, .until_ms = 1000 } };
	struct waiter b = { .w = { .cb = woken, .until_ms = 1000 } };

	ck_assert_int_eq(slurm_view_may_place(v, 5, n1, n2, 10, why, sizeof(why)), -EAGAIN);
	slurm_view_wait(v, &a.w);
	slurm_view_wait(v, &b.w);
	slurm_view_unwait(v, &b.w);
	ck_assert_int_eq(slurm_view_feed(v, view_line, 20), 0);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_int_eq(a.at, 20);
	ck_assert_int_eq(b.calls, 0);
	/* the nodes are known now; job 5's partition is asked */
	ck_assert_int_eq(slurm_view_may_place(v, 5, n1, n2, 30, why, sizeof(why)), -EAGAIN);
	ck_assert_str_eq(why, "the partition of job 5 is not known yet (slurmctld was asked)");
	slurm_view_wait(v, &a.w);
	slurm_view_wait(v, &b.w);
	/* a line that is not the grammar wakes nobody */
	ck_assert_int_eq(slurm_view_feed(v, "{\"job\": 5}", 40), -EINVAL);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_int_eq(slurm_view_feed(v, "{\"job\": 5, \"partition\": \"pair\"}", 50), 0);
	ck_assert_int_eq(a.calls, 2);
	ck_assert_int_eq(b.calls, 1);
	ck_assert_int_eq(slurm_view_may_place(v, 5, n1, n2, 60, why, sizeof(why)), 0);
	/* called once: the next line finds nobody waiting */
	ck_assert_int_eq(slurm_view_feed(v, "{\"unchanged\": true}", 70), 0);
	ck_assert_int_eq(a.calls, 2);
	slurm_view_destroy(v);
	conf_free(c);
}
END_TEST

/* SlurmPollInterval=0: users refused with the reason, the balancer free. */
START_TEST(test_not_followed)
{
	struct ssi_conf *c = conf("SlurmPollInterval=0\n");
	struct slurm_view *v = slurm_view_create(c, NULL);
	int n1 = idx(c, "n1"), n2 = idx(c, "n2");

	ck_assert_int_eq(slurm_view_may_place(v, 5, n1, n2, 10, why, sizeof(why)), -EPERM);
	ck_assert_msg(strstr(why, "SlurmPollInterval=0 in t.conf"), "%s", why);
	ck_assert_int_eq(slurm_view_may_place(v, 5, n2, n2, 10, why, sizeof(why)), 0);
	ck_assert(slurm_view_balancer_may_place(v, 5, n1, n2, false, 10));
	slurm_view_destroy(v);
	conf_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("slurm_view");
	TCase *tc = tcase_create("view");
	int failed;

	tcase_add_test(tc, test_policy);
	tcase_add_test(tc, test_bad_lines);
	tcase_add_test(tc, test_not_followed);
	tcase_add_test(tc, test_wait);
	suite_add_tcase(s, tc);
	failed = check_run(s);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
