// SPDX-License-Identifier: GPL-2.0
/*
 * check_load.c - the load vector: parsing /proc text, CPU-use deltas and
 * percentages, the balancer's comparisons, and the heartbeat encoding
 * that carries the vector to the peers.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "run_suite.h"
#include "ssid/cluster/load.h"
#include "ssid/cluster/peer_msg.h"

static const char stat_text[] =
	"cpu  100 20 30 400 50 6 7 8 0 0\n"
	"cpu0 50 10 15 200 25 3 3 4 0 0\n"
	"cpu1 50 10 15 200 25 3 4 4 0 0\n"
	"intr 12345 0 0 0\n"
	"ctxt 999\n"
	"btime 1700000000\n"
	"processes 4242\n"
	"procs_running 3\n"
	"procs_blocked 1\n";

START_TEST(test_parse_stat)
{
	struct cpu_times t;
	uint32_t running = 0;

	ck_assert_int_eq(load_parse_stat(stat_text, &t, &running), 0);
	ck_assert_uint_eq(t.user, 100);
	ck_assert_uint_eq(t.nice, 20);
	ck_assert_uint_eq(t.system, 30);
	ck_assert_uint_eq(t.idle, 400);
	ck_assert_uint_eq(t.iowait, 50);
	ck_assert_uint_eq(t.irq, 6);
	ck_assert_uint_eq(t.softirq, 7);
	ck_assert_uint_eq(t.steal, 8);
	ck_assert_uint_eq(running, 3);
	/* cpu0 must not be taken for the aggregate line */
	ck_assert_int_eq(load_parse_stat("cpu0 1 2 3 4\ncpu  5 6 7 8\n", &t,
					 NULL), 0);
	ck_assert_uint_eq(t.user, 5);
	/* old kernels: only four fields */
	ck_assert_int_eq(load_parse_stat("cpu 1 2 3 4\n", &t, NULL), 0);
	ck_assert_uint_eq(t.idle, 4);
	ck_assert_uint_eq(t.iowait, 0);
}
END_TEST

START_TEST(test_parse_stat_bad)
{
	struct cpu_times t;
	uint32_t r;

	ck_assert_int_eq(load_parse_stat("", &t, NULL), -1);
	ck_assert_int_eq(load_parse_stat("cpu0 1 2 3 4\n", &t, NULL), -1);
	ck_assert_int_eq(load_parse_stat("cpu 1 2 x 4\n", &t, NULL), -1);
	ck_assert_int_eq(load_parse_stat("cpu 1 2 3 4\n", &t, &r), -1);
	ck_assert_int_eq(load_parse_stat("cpu 1 2 3 4\nprocs_running x\n",
					 &t, &r), -1);
	ck_assert_int_eq(load_parse_stat("cpu 1 2 3 4\nprocs_running 99999999999\n",
					 &t, &r), -1);
}
END_TEST

START_TEST(test_parse_loadavg)
{
	uint32_t centi, run;

	ck_assert_int_eq(load_parse_loadavg("0.52 0.58 0.59 2/345 12345\n",
					    &centi, &run), 0);
	ck_assert_uint_eq(centi, 52);
	ck_assert_uint_eq(run, 2);
	ck_assert_int_eq(load_parse_loadavg("12.05 1.00 0.00 17/900 1\n",
					    &centi, &run), 0);
	ck_assert_uint_eq(centi, 1205);
	ck_assert_uint_eq(run, 17);
	ck_assert_int_eq(load_parse_loadavg("3.5 1 1 1/1 1", &centi, &run), 0);
	ck_assert_uint_eq(centi, 350);
	ck_assert_int_eq(load_parse_loadavg("", &centi, &run), -1);
	ck_assert_int_eq(load_parse_loadavg("x 1 1 1/1 1", &centi, &run), -1);
	ck_assert_int_eq(load_parse_loadavg("1. 1 1 1/1 1", &centi, &run), -1);
	ck_assert_int_eq(load_parse_loadavg("1.0 1.0 1.0", &centi, &run), -1);
	ck_assert_int_eq(load_parse_loadavg("1.0 1.0 1.0 3 5", &centi, &run), -1);
}
END_TEST

START_TEST(test_parse_meminfo)
{
	uint64_t total, avail;

	ck_assert_int_eq(load_parse_meminfo(
		"MemTotal:       24576000 kB\n"
		"MemFree:         1000000 kB\n"
		"MemAvailable:   20000000 kB\n"
		"Buffers:          100 kB\n", &total, &avail), 0);
	ck_assert_uint_eq(total, 24576000);
	ck_assert_uint_eq(avail, 20000000);
	/* before 3.14: MemFree + Buffers + Cached, capped at the total */
	ck_assert_int_eq(load_parse_meminfo(
		"MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 10 kB\n"
		"Cached: 200 kB\nSwapCached: 5000 kB\n", &total, &avail), 0);
	ck_assert_uint_eq(avail, 310);
	ck_assert_int_eq(load_parse_meminfo(
		"MemTotal: 1000 kB\nMemFree: 900 kB\nCached: 900 kB\n",
		&total, &avail), 0);
	ck_assert_uint_eq(avail, 1000);
	ck_assert_int_eq(load_parse_meminfo("MemFree: 1 kB\n", &total, &avail),
			 -1);
	ck_assert_int_eq(load_parse_meminfo("MemTotal: 1 kB\n", &total, &avail),
			 -1);
}
END_TEST

/* two CPUs of a 6.1 kernel; its domain lines are skipped */
static const char schedstat_text[] =
	"version 15\n"
	"timestamp 4294930579\n"
	"cpu0 0 0 0 0 0 0 1000 200 13\n"
	"domain0 3 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18\n"
	"cpu1 0 0 5 6 7 8 30 70 14\n"
	"domain0 3 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18\n";

START_TEST(test_parse_schedstat)
{
	uint64_t d = 0;

	ck_assert_int_eq(load_parse_schedstat(schedstat_text, &d), 0);
	ck_assert_uint_eq(d, 1000 + 200 + 30 + 70);
	ck_assert_int_eq(load_parse_task_schedstat("123 456 7\n", &d), 0);
	ck_assert_uint_eq(d, 579);
	/* the fields moved in other versions; no cpu line; short lines */
	ck_assert_int_eq(load_parse_schedstat("version 14\ncpu0 0 0 0 0 0 0 1 2 3\n", &d), -1);
	ck_assert_int_eq(load_parse_schedstat("timestamp 1\ncpu0 0 0 0 0 0 0 1 2\n", &d), -1);
	ck_assert_int_eq(load_parse_schedstat("version 15\ntimestamp 1\n", &d), -1);
	ck_assert_int_eq(load_parse_schedstat("version 15\ncpu0 0 0 0 0 0 0 1\n", &d), -1);
	ck_assert_int_eq(load_parse_task_schedstat("123\n", &d), -1);
	ck_assert_int_eq(load_parse_task_schedstat("", &d), -1);
}
END_TEST

START_TEST(test_runnable_avg)
{
	/* three CPU-bound tasks on one CPU for a second: one runs, two wait */
	ck_assert_uint_eq(load_runnable_avg(3000000000ull, 1000000000ull), 3);
	/* an agent that ran 40 ms of the second is not a task */
	ck_assert_uint_eq(load_runnable_avg(40000000ull, 1000000000ull), 0);
	/* nor one that ran 600 ms of it; a task from 0.7 on */
	ck_assert_uint_eq(load_runnable_avg(600000000ull, 1000000000ull), 0);
	ck_assert_uint_eq(load_runnable_avg(2700000000ull, 1000000000ull), 3);
	ck_assert_uint_eq(load_runnable_avg(2690000000ull, 1000000000ull), 2);
	ck_assert_uint_eq(load_runnable_avg(5, 0), 0);
	ck_assert_uint_eq(load_runnable_avg(UINT64_MAX / 2, 1), UINT32_MAX);
}
END_TEST

START_TEST(test_runnable_present)
{
	/* the admin's scontrol filled the window and has ended: only the
	 * reader runs now */
	ck_assert_uint_eq(load_runnable_present(1, 1, 1), 0);
	/* ... or the reader and the client that asked, preempted by ssid */
	ck_assert_uint_eq(load_runnable_present(1, 2, 2), 0);
	/* three CPU-bound tasks and the reader */
	ck_assert_uint_eq(load_runnable_present(3, 4, 1), 3);
	/* a task that started a moment ago is not yet sustained */
	ck_assert_uint_eq(load_runnable_present(2, 4, 1), 2);
	ck_assert_uint_eq(load_runnable_present(0, 0, 1), 0);
	ck_assert_uint_eq(load_runnable_present(5, 1, 3), 0);
	ck_assert_uint_eq(load_runnable_present(UINT32_MAX, UINT32_MAX, 1),
			  UINT32_MAX - 1);
}
END_TEST

START_TEST(test_cpu_permille)
{
	struct cpu_times a = { .user = 100, .system = 50, .idle = 800,
			       .iowait = 50 };
	struct cpu_times b = a;

	/* 100 jiffies pass, 25 busy (user 20, system 5), 75 idle */
	b.user += 20;
	b.system += 5;
	b.idle += 70;
	b.iowait += 5;
	ck_assert_uint_eq(load_cpu_permille(&a, &b), 250);
	/* all busy, all idle, nothing passed */
	b = a;
	b.user += 7;
	b.steal += 3;
	ck_assert_uint_eq(load_cpu_permille(&a, &b), 1000);
	b = a;
	b.idle += 10;
	ck_assert_uint_eq(load_cpu_permille(&a, &b), 0);
	ck_assert_uint_eq(load_cpu_permille(&a, &a), 0);
	/* counters that go backwards (hot-unplug) read as idle */
	b = a;
	b.idle -= 100;
	b.user += 500;
	ck_assert_uint_eq(load_cpu_permille(&a, &b), 0);
	ck_assert_uint_eq(load_cpu_permille(&b, &a), 0);
	/* rounding: 1 busy of 3 is 333.3 per mille, 2 of 3 is 666.7 */
	b = a;
	b.user += 1;
	b.idle += 2;
	ck_assert_uint_eq(load_cpu_permille(&a, &b), 333);
	b = a;
	b.user += 2;
	b.idle += 1;
	ck_assert_uint_eq(load_cpu_permille(&a, &b), 667);
	/* big counters (years of uptime on many CPUs) do not overflow */
	a.user = 1ull << 50;
	a.idle = 1ull << 50;
	b = a;
	b.user += 1000000;
	b.idle += 3000000;
	ck_assert_uint_eq(load_cpu_permille(&a, &b), 250);
}
END_TEST

START_TEST(test_runnable_and_mem)
{
	struct load_vector v = { .mem_total_kb = 1000, .mem_free_kb = 250 };

	ck_assert_uint_eq(load_runnable(0), 0);
	ck_assert_uint_eq(load_runnable(1), 0);
	ck_assert_uint_eq(load_runnable(5), 4);
	ck_assert_uint_eq(load_mem_free_percent(&v), 25);
	v.mem_free_kb = 2000;
	ck_assert_uint_eq(load_mem_free_percent(&v), 100);
	v.mem_total_kb = 0;
	ck_assert_uint_eq(load_mem_free_percent(&v), 0);
}
END_TEST

START_TEST(test_score_and_compare)
{
	struct load_vector a = { .pus = 4, .runnable = 6 };
	struct load_vector b = { .pus = 8, .runnable = 2 };
	struct load_vector z = { .pus = 0, .runnable = 3 };

	ck_assert_uint_eq(load_score(&a), 1500);
	ck_assert_uint_eq(load_score(&b), 250);
	ck_assert_uint_eq(load_score(&z), 3000);	/* pus 0 read as 1 */
	ck_assert_int_eq(load_gap(&a, &b), 1250);
	ck_assert_int_eq(load_gap(&b, &a), -1250);
	a.runnable = UINT32_MAX;
	a.pus = 1;
	ck_assert_uint_eq(load_score(&a), UINT32_MAX);
}
END_TEST

START_TEST(test_worth_moving)
{
	struct load_vector busy = { .pus = 2, .runnable = 4 };	/* 2000 */
	struct load_vector idle = { .pus = 2, .runnable = 0 };	/* 0 */
	struct load_vector one = { .pus = 2, .runnable = 1 };	/* 500 */
	struct load_vector small = { .pus = 1, .runnable = 1 };	/* 1000 */

	ck_assert(load_worth_moving(&busy, &idle, 250, 100, 1));
	/* never towards the busier node, never with nothing to move */
	ck_assert(!load_worth_moving(&idle, &busy, 250, 100, 1));
	ck_assert(!load_worth_moving(&idle, &idle, 0, 0, 1));
	/* gap 500 is not above a threshold of 500 */
	ck_assert(!load_worth_moving(&one, &idle, 500, 1000, 1));
	ck_assert(load_worth_moving(&one, &idle, 499, 1000, 1));
	/* one task from 2 CPUs to an idle 1-CPU node: gap 1000 > 250, but
	 * afterwards dst (1000) is busier than src (500) by 500: only with
	 * enough hysteresis */
	busy.runnable = 2;
	ck_assert(!load_worth_moving(&busy, &(struct load_vector){ .pus = 1 },
				     250, 100, 1));
	ck_assert(load_worth_moving(&busy, &(struct load_vector){ .pus = 1 },
				    250, 500, 1));
	/* the reverse of a just-made move does not pay: no ping-pong */
	ck_assert(!load_worth_moving(&small, &one, 250, 100, 1));
	/*
	 * By weight: from 4 runnable on 2 CPUs to an idle pair, a 2-thread
	 * process pays (2 and 2 after), a 4-thread one only turns the gap
	 * around (0 and 4), a weight beyond the runnable count too.
	 */
	busy.runnable = 4;
	ck_assert(load_worth_moving(&busy, &idle, 250, 100, 2));
	ck_assert(!load_worth_moving(&busy, &idle, 250, 100, 4));
	ck_assert(!load_worth_moving(&busy, &idle, 250, 100, 9));
}
END_TEST

/* ------------------------------------------------------- wire encoding */

START_TEST(test_heartbeat_roundtrip)
{
	struct msg_heartbeat in = {
		.incarnation = 0x0123456789abcdefull, .seq = 77,
		.interval_ms = 1000,
		.load = { .cores = 2, .pus = 4, .numa = 1, .runnable = 3,
			  .cpu_permille = 999, .loadavg_centi = 1234,
			  .mem_total_kb = 1ull << 40, .mem_free_kb = 12345,
			  .guests = 5, .deputies = 6 },
	}, out;
	unsigned char buf[MSG_HEARTBEAT_LEN + 8];
	size_t n = msg_encode_heartbeat(&in, buf);

	ck_assert_uint_eq(n, MSG_HEARTBEAT_LEN);
	ck_assert_uint_eq(buf[0], SSID_MSG_VERSION);
	/* network byte order: the incarnation's first byte is 0x01 */
	ck_assert_uint_eq(buf[4], 0x01);
	ck_assert_int_eq(msg_decode_heartbeat(buf, n, &out), 0);
	ck_assert_mem_eq(&in.load, &out.load, sizeof(in.load));
	ck_assert_uint_eq(out.incarnation, in.incarnation);
	ck_assert_uint_eq(out.seq, 77);
	ck_assert_uint_eq(out.interval_ms, 1000);
	/* trailing bytes from a newer sender are ignored */
	memset(buf + n, 0xee, 8);
	ck_assert_int_eq(msg_decode_heartbeat(buf, n + 8, &out), 0);
}
END_TEST

START_TEST(test_heartbeat_invalid)
{
	struct msg_heartbeat in = {
		.interval_ms = 1000,
		.load = { .cores = 1, .pus = 1, .numa = 1,
			  .mem_total_kb = 10, .mem_free_kb = 5 },
	}, out;
	unsigned char buf[MSG_HEARTBEAT_LEN];
	size_t n = msg_encode_heartbeat(&in, buf), i;

	ck_assert_int_eq(msg_decode_heartbeat(buf, n, &out), 0);
	ck_assert_int_eq(msg_decode_heartbeat(NULL, 0, &out), -1);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(msg_decode_heartbeat(buf, i, &out), -1);
	buf[0] = 2;
	ck_assert_int_eq(msg_decode_heartbeat(buf, n, &out), -1);

#define BAD(field, value) do {						\
		struct msg_heartbeat m = in;				\
		m.field = value;					\
		msg_encode_heartbeat(&m, buf);				\
		ck_assert_msg(msg_decode_heartbeat(buf, n, &out) == -1,	\
			      #field " = " #value " accepted");		\
	} while (0)
	BAD(load.pus, 0);
	BAD(load.numa, 0);
	BAD(load.cores, 2);
	BAD(load.cpu_permille, 1001);
	BAD(load.mem_free_kb, 11);
	BAD(interval_ms, 0);
#undef BAD
}
END_TEST

START_TEST(test_ping_roundtrip)
{
	struct msg_ping in = { .id = 9, .flags = MSG_PING_PROBE,
			       .t_ns = 123456789012ull }, out;
	unsigned char buf[MSG_PING_LEN];
	size_t n = msg_encode_ping(&in, buf), i;

	ck_assert_uint_eq(n, MSG_PING_LEN);
	ck_assert_int_eq(msg_decode_ping(buf, n, &out), 0);
	ck_assert_uint_eq(out.id, 9);
	ck_assert_uint_eq(out.flags, MSG_PING_PROBE);
	ck_assert_uint_eq(out.t_ns, 123456789012ull);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(msg_decode_ping(buf, i, &out), -1);
	buf[0] = 0;
	ck_assert_int_eq(msg_decode_ping(buf, n, &out), -1);
}
END_TEST

static Suite *load_suite(void)
{
	Suite *s = suite_create("load");
	TCase *parse = tcase_create("parse");
	TCase *arith = tcase_create("arithmetic");
	TCase *wire = tcase_create("wire");

	tcase_add_test(parse, test_parse_stat);
	tcase_add_test(parse, test_parse_stat_bad);
	tcase_add_test(parse, test_parse_loadavg);
	tcase_add_test(parse, test_parse_meminfo);
	tcase_add_test(parse, test_parse_schedstat);
	tcase_add_test(arith, test_runnable_avg);
	tcase_add_test(arith, test_runnable_present);
	tcase_add_test(arith, test_cpu_permille);
	tcase_add_test(arith, test_runnable_and_mem);
	tcase_add_test(arith, test_score_and_compare);
	tcase_add_test(arith, test_worth_moving);
	tcase_add_test(wire, test_heartbeat_roundtrip);
	tcase_add_test(wire, test_heartbeat_invalid);
	tcase_add_test(wire, test_ping_roundtrip);
	suite_add_tcase(s, parse);
	suite_add_tcase(s, arith);
	suite_add_tcase(s, wire);
	return s;
}

int main(void)
{
	int failed = check_run(load_suite());

	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
