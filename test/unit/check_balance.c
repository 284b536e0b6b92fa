// SPDX-License-Identifier: GPL-2.0
/*
 * check_balance.c - the balancer's plan (ssid/cluster/balance_plan.c): spreading, the
 * threshold, no ping-pong, ineligible nodes and unmovable tasks left
 * alone, the move limit, nodes Slurm closed and jobs' partitions; moves
 * off a node short of memory.
 */
#include <check.h>
#include <stdlib.h>

#include "run_suite.h"
#include "ssid/cluster/balance_plan.h"

static const struct balance_params params = { .threshold = 250, .hysteresis = 100 };

static void node(struct balance_node *n, const char *name, uint32_t pus,
		 uint32_t runnable)
{
	*n = (struct balance_node){ .name = name, .eligible = true };
	n->load = (struct load_vector){ .cores = pus, .pus = pus, .numa = 1,
					.runnable = runnable };
}

static void task(struct balance_task *t, int id, int where)
{
	*t = (struct balance_task){ .pid = 100 + id, .job = 7, .step = 0,
				    .task = id, .where = where, .movable = true };
}

START_TEST(test_spread)
{
	struct balance_node n[3];
	struct balance_task t[3];
	struct balance_move m[8];
	size_t k;

	/* three busy tasks on one single-CPU node, two idle nodes */
	node(&n[0], "n1", 1, 3);
	node(&n[1], "n2", 1, 0);
	node(&n[2], "n3", 1, 0);
	for (k = 0; k < 3; k++)
		task(&t[k], (int)k, 0);
	ck_assert_uint_eq(balance_plan(n, 3, t, 3, &params, m, 8), 2);
	ck_assert_int_eq(m[0].from, 0);
	ck_assert_int_eq(m[0].to, 1);
	ck_assert_uint_eq(m[0].from_before, 3000);
	ck_assert_uint_eq(m[0].from_after, 2000);
	ck_assert_uint_eq(m[0].to_before, 0);
	ck_assert_uint_eq(m[0].to_after, 1000);
	ck_assert_int_eq(m[1].from, 0);
	ck_assert_int_eq(m[1].to, 2);
	ck_assert_uint_ne(m[0].task, m[1].task);
	ck_assert_uint_eq(n[0].load.runnable, 1);
	ck_assert_uint_eq(n[1].load.runnable, 1);
	ck_assert_uint_eq(n[2].load.runnable, 1);
}
END_TEST

/* A threaded task weighs its runnable threads: what moves, and how far. */
START_TEST(test_weight)
{
	struct balance_node n[2];
	struct balance_task t[2];
	struct balance_move m[4];

	/*
	 * Two 2-CPU nodes; on n1 an OpenMP task of 4 threads and a
	 * single-threaded one: moving the first only turns the gap round (0
	 * and 4), so the single-threaded one goes, and then nothing pays.
	 */
	node(&n[0], "n1", 2, 5);
	node(&n[1], "n2", 2, 0);
	task(&t[0], 0, 0);
	t[0].weight = 4;
	task(&t[1], 1, 0);
	t[1].weight = 1;
	ck_assert_uint_eq(balance_plan(n, 2, t, 2, &params, m, 4), 1);
	ck_assert_uint_eq(m[0].task, 1);
	ck_assert_uint_eq(n[0].load.runnable, 4);
	ck_assert_uint_eq(n[1].load.runnable, 1);
	/* two 2-thread tasks on one node of 2 CPUs: one goes, all 2 threads */
	node(&n[0], "n1", 2, 4);
	node(&n[1], "n2", 2, 0);
	task(&t[0], 0, 0);
	t[0].weight = 2;
	task(&t[1], 1, 0);
	t[1].weight = 2;
	ck_assert_uint_eq(balance_plan(n, 2, t, 2, &params, m, 4), 1);
	ck_assert_uint_eq(m[0].from_after, 1000);
	ck_assert_uint_eq(m[0].to_after, 1000);
}
END_TEST

START_TEST(test_no_ping_pong)
{
	struct balance_node n[2];
	struct balance_task t[1];
	struct balance_move m[4];

	/* one task on one of two nodes: moving it only turns the gap round */
	node(&n[0], "n1", 1, 1);
	node(&n[1], "n2", 1, 0);
	task(&t[0], 0, 0);
	ck_assert_uint_eq(balance_plan(n, 2, t, 1, &params, m, 4), 0);
	/* below the threshold: nothing either */
	node(&n[0], "n1", 8, 2);
	node(&n[1], "n2", 8, 1);
	ck_assert_uint_eq(balance_plan(n, 2, t, 1, &params, m, 4), 0);
	/* two tasks on a 2-CPU node next to an idle 2-CPU node: one moves */
	node(&n[0], "n1", 2, 4);
	node(&n[1], "n2", 2, 0);
	ck_assert_uint_eq(balance_plan(n, 2, t, 1, &params, m, 4), 1);
}
END_TEST

START_TEST(test_eligibility)
{
	struct balance_node n[3];
	struct balance_task t[4];
	struct balance_move m[8];
	size_t k;

	node(&n[0], "n1", 1, 4);
	node(&n[1], "n2", 1, 0);
	node(&n[2], "n3", 1, 0);
	n[1].eligible = false;		/* down, other kernel, other partition */
	for (k = 0; k < 4; k++)
		task(&t[k], (int)k, 0);
	t[0].movable = false;		/* manual, or mid-migration */
	t[1].movable = false;
	ck_assert_uint_eq(balance_plan(n, 3, t, 4, &params, m, 8), 2);
	for (k = 0; k < 2; k++) {
		ck_assert_int_eq(m[k].to, 2);
		ck_assert_uint_ge(m[k].task, 2);
	}
	/* the limit */
	node(&n[0], "n1", 1, 4);
	node(&n[2], "n3", 1, 0);
	ck_assert_uint_eq(balance_plan(n, 3, t, 4, &params, m, 1), 1);
	/* nothing movable, no node, no task */
	t[2].movable = t[3].movable = false;
	ck_assert_uint_eq(balance_plan(n, 3, t, 4, &params, m, 8), 0);
	ck_assert_uint_eq(balance_plan(n, 0, t, 0, &params, m, 8), 0);
}
END_TEST

/* Job 8 may use n1 and n2 only (its partition). */
static bool job8_not_n3(void *arg, const struct balance_task *t, int to)
{
	(void)arg;
	return t->job != 8 || to != 2;
}

/* Slurm's word: a closed node gives but takes nothing; a job stays in its partition. */
START_TEST(test_slurm)
{
	struct balance_params p = params;
	struct balance_node n[3];
	struct balance_task t[4];
	struct balance_move m[8];
	size_t k;

	node(&n[0], "n1", 1, 4);
	node(&n[1], "n2", 1, 0);
	node(&n[2], "n3", 1, 0);
	n[1].closed = true;		/* drained in Slurm */
	for (k = 0; k < 4; k++)
		task(&t[k], (int)k, 0);
	ck_assert_uint_eq(balance_plan(n, 3, t, 4, &p, m, 8), 2);
	ck_assert_int_eq(m[0].to, 2);
	ck_assert_int_eq(m[1].to, 2);
	/* a closed node still gives its tasks away */
	node(&n[0], "n1", 1, 0);
	node(&n[1], "n2", 1, 4);
	node(&n[2], "n3", 1, 0);
	n[1].closed = true;
	for (k = 0; k < 4; k++)
		task(&t[k], (int)k, 1);
	ck_assert_uint_eq(balance_plan(n, 3, t, 4, &p, m, 8), 2);
	for (k = 0; k < 2; k++)
		ck_assert_int_ne(m[k].to, 1);
	/* job 8's tasks never go to n3; job 7's do */
	node(&n[0], "n1", 1, 4);
	node(&n[1], "n2", 1, 4);
	node(&n[2], "n3", 1, 0);
	for (k = 0; k < 4; k++) {
		task(&t[k], (int)k, k < 2 ? 0 : 1);
		t[k].job = 8;
	}
	p.may_go = job8_not_n3;
	ck_assert_uint_eq(balance_plan(n, 3, t, 4, &p, m, 8), 0);
	t[3].job = 7;
	ck_assert_uint_eq(balance_plan(n, 3, t, 4, &p, m, 8), 1);
	ck_assert_uint_eq(m[0].task, 3);
	ck_assert_int_eq(m[0].to, 2);
}
END_TEST

/*
 * Evacuating n1: whatever the loads, a guest goes home, a task at home
 * goes to the idlest node that may take it, spreading; what nothing may
 * take stays; the other nodes' tasks are not touched.
 */
START_TEST(test_evacuate)
{
	struct balance_params p = params;
	struct balance_node n[4];
	struct balance_task t[6];
	struct balance_move m[8];
	size_t k;

	node(&n[0], "n1", 4, 1);
	node(&n[1], "n2", 4, 3);
	node(&n[2], "n3", 4, 0);
	node(&n[3], "n4", 4, 0);
	n[0].closed = true;		/* the node being emptied */
	n[3].closed = true;		/* drained in Slurm */
	for (k = 0; k < 6; k++)
		task(&t[k], (int)k, 0);
	t[0].home = 1;			/* a guest from n2: home, though n2 is busier */
	t[1].home = t[2].home = t[3].home = 0;	/* at home on n1 */
	t[4].home = 0;
	t[4].where = 2;			/* n1's task away on n3: stays there */
	t[5].home = 0;
	t[5].movable = false;		/* on its way somewhere */
	ck_assert_uint_eq(evacuate_plan(n, 4, t, 6, 0, &p, m, 8), 4);
	ck_assert_uint_eq(m[0].task, 0);
	ck_assert_int_eq(m[0].to, 1);
	/* n3 (idle) gets the first, then n2 and n3 share */
	ck_assert_uint_eq(m[1].task, 1);
	ck_assert_int_eq(m[1].to, 2);
	for (k = 1; k < 4; k++) {
		ck_assert_int_eq(m[k].from, 0);
		ck_assert_int_ne(m[k].to, 3);
		ck_assert_int_ne(m[k].to, 0);
	}
	ck_assert_uint_eq(n[0].load.runnable, 0);
	/* a job that may go nowhere else stays */
	node(&n[0], "n1", 4, 1);
	node(&n[1], "n2", 4, 0);
	node(&n[2], "n3", 4, 0);
	n[0].closed = true;
	task(&t[0], 0, 0);
	t[0].home = 0;
	t[0].job = 8;
	p.may_go = job8_not_n3;
	n[1].closed = true;
	ck_assert_uint_eq(evacuate_plan(n, 3, t, 1, 0, &p, m, 8), 0);
	n[1].closed = false;
	ck_assert_uint_eq(evacuate_plan(n, 3, t, 1, 0, &p, m, 8), 1);
	ck_assert_int_eq(m[0].to, 1);
	/* the limit */
	node(&n[0], "n1", 4, 3);
	for (k = 0; k < 3; k++) {
		task(&t[k], (int)k, 0);
		t[k].home = 0;
	}
	ck_assert_uint_eq(evacuate_plan(n, 3, t, 3, 0, &p, m, 2), 2);
}
END_TEST

/* Memory in MiB, for readability: kB in the vectors. */
static void mem(struct balance_node *n, uint64_t total_mib, uint64_t free_mib,
		uint64_t low_mib)
{
	n->load.mem_total_kb = total_mib << 10;
	n->load.mem_free_kb = free_mib << 10;
	n->low_water_kb = low_mib << 10;
}

/*
 * A node below its low water gives its largest tasks that fit elsewhere
 * (keeping that node's low water), until it is above; a guest goes home
 * if home has room; what fits nowhere, or may not move, stays; nodes
 * above their low water (or without one) give nothing.
 */
START_TEST(test_memory)
{
	struct balance_params p = params;
	struct balance_node n[3];
	struct balance_task t[5];
	struct balance_move m[8];
	size_t k;

	node(&n[0], "n1", 4, 4);
	node(&n[1], "n2", 4, 4);
	node(&n[2], "n3", 4, 1);
	mem(&n[0], 1024, 80, 150);	/* 70 MiB short */
	mem(&n[1], 1024, 400, 150);
	mem(&n[2], 1024, 600, 150);
	for (k = 0; k < 5; k++) {
		task(&t[k], (int)k, 0);
		t[k].home = 0;
	}
	t[0].rss_kb = 20 << 10;
	t[1].rss_kb = 500 << 10;	/* fits nowhere: 600 - 500 < 150 */
	t[2].rss_kb = 300 << 10;	/* the largest that fits: to n3 */
	t[3].rss_kb = 40 << 10;
	t[4].rss_kb = 900 << 10;
	t[4].movable = false;
	ck_assert_uint_eq(memory_plan(n, 3, t, 5, &p, m, 8), 1);
	ck_assert_uint_eq(m[0].task, 2);
	ck_assert_int_eq(m[0].from, 0);
	ck_assert_int_eq(m[0].to, 2);
	ck_assert_uint_eq(n[0].load.mem_free_kb, 380 << 10);
	ck_assert_uint_eq(n[2].load.mem_free_kb, 300 << 10);
	ck_assert_uint_eq(n[0].load.runnable, 3);

	/* above its low water, or without one: nothing moves */
	mem(&n[0], 1024, 160, 150);
	ck_assert_uint_eq(memory_plan(n, 3, t, 5, &p, m, 8), 0);
	mem(&n[0], 1024, 10, 0);
	ck_assert_uint_eq(memory_plan(n, 3, t, 5, &p, m, 8), 0);

	/* several moves while still short; the limit */
	mem(&n[0], 1024, 100, 150);
	mem(&n[1], 1024, 400, 150);
	mem(&n[2], 1024, 400, 150);
	t[2].rss_kb = 30 << 10;
	ck_assert_uint_eq(memory_plan(n, 3, t, 5, &p, m, 8), 2);
	ck_assert_uint_eq(m[0].task, 3);	/* 40 MiB, then 30: 170 free */
	ck_assert_uint_eq(m[1].task, 2);
	ck_assert_int_ne(m[0].to, m[1].to);	/* the one with more free each time */
	mem(&n[0], 1024, 100, 150);
	mem(&n[1], 1024, 400, 150);
	mem(&n[2], 1024, 400, 150);
	ck_assert_uint_eq(memory_plan(n, 3, t, 5, &p, m, 1), 1);

	/* a guest on a short node goes home, if home has room */
	mem(&n[0], 1024, 400, 150);
	mem(&n[1], 1024, 50, 150);
	mem(&n[2], 1024, 900, 150);
	task(&t[0], 0, 1);
	t[0].home = 0;
	t[0].rss_kb = 200 << 10;
	ck_assert_uint_eq(memory_plan(n, 3, t, 1, &p, m, 8), 1);
	ck_assert_int_eq(m[0].to, 0);
	mem(&n[0], 1024, 300, 150);	/* home too short: elsewhere */
	mem(&n[1], 1024, 50, 150);
	ck_assert_uint_eq(memory_plan(n, 3, t, 1, &p, m, 8), 1);
	ck_assert_int_eq(m[0].to, 2);

	/* nodes that may not take it: closed, ineligible, not the job's */
	mem(&n[0], 1024, 50, 150);
	mem(&n[1], 1024, 900, 150);
	mem(&n[2], 1024, 900, 150);
	task(&t[0], 0, 0);
	t[0].home = 0;
	t[0].job = 8;
	t[0].rss_kb = 100 << 10;
	n[1].closed = true;
	p.may_go = job8_not_n3;
	ck_assert_uint_eq(memory_plan(n, 3, t, 1, &p, m, 8), 0);
	n[1].closed = false;
	n[1].eligible = false;
	ck_assert_uint_eq(memory_plan(n, 3, t, 1, &p, m, 8), 0);
	n[1].eligible = true;
	ck_assert_uint_eq(memory_plan(n, 3, t, 1, &p, m, 8), 1);
	ck_assert_int_eq(m[0].to, 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("balance");
	TCase *tc = tcase_create("plan");
	int failed;

	tcase_add_test(tc, test_spread);
	tcase_add_test(tc, test_weight);
	tcase_add_test(tc, test_no_ping_pong);
	tcase_add_test(tc, test_eligibility);
	tcase_add_test(tc, test_slurm);
	tcase_add_test(tc, test_evacuate);
	tcase_add_test(tc, test_memory);
	suite_add_tcase(s, tc);
	failed = check_run(s);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
