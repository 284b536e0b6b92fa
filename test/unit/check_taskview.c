// SPDX-License-Identifier: GPL-2.0
/*
 * check_taskview.c - the cluster's tasks: the TASKS_QUERY/TASKS_REPLY
 * records on the wire (ssid/cluster/peer_msg.c) and their join (ssid/cluster/task_view.c),
 * which says of each task its home, where it runs and its pid there.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_suite.h"
#include "ssid/cluster/peer_msg.h"
#include "ssid/cluster/task_view.h"

static struct msg_task rec(enum msg_task_kind kind, uint32_t pid,
			   uint32_t local_pid, int64_t job, int64_t task,
			   const char *state, const char *node)
{
	struct msg_task r = { .kind = kind, .pid = pid, .local_pid = local_pid,
			      .uid = 1000, .job = job, .step = job < 0 ? -1 : 0,
			      .task = task };

	snprintf(r.state, sizeof(r.state), "%s", state);
	snprintf(r.node, sizeof(r.node), "%s", node);
	return r;
}

START_TEST(test_wire)
{
	static unsigned char buf[MSG_TASKS_REPLY_HDR_LEN + 3 * MSG_TASK_REC_LEN];
	struct msg_tasks_query q = { 77 }, q2;
	struct msg_tasks_reply r = { .id = 77, .count = 3 }, r2;
	struct msg_task in[3], out;
	size_t n, i;

	n = msg_encode_tasks_query(&q, buf);
	ck_assert_uint_eq(n, MSG_TASKS_QUERY_LEN);
	ck_assert_int_eq(msg_decode_tasks_query(buf, n, &q2), 0);
	ck_assert_uint_eq(q2.id, 77);
	ck_assert_int_eq(msg_decode_tasks_query(buf, n - 1, &q2), -1);

	in[0] = rec(MSG_TASK_TASK, 4242, 4242, 12, 0, "deputy", "n2");
	in[0].flags = MSG_TASK_AUTO;
	in[1] = rec(MSG_TASK_GUEST, 99, 3131, -1, -1, "running", "n3");
	in[1].runnable = 4;
	/* a name of exactly SSI_NODE_NAME_MAX characters has no NUL on the wire */
	in[2] = rec(MSG_TASK_TASK, 7, 7, 0x1fffffffffLL, 5, "home", "");
	memset(in[2].node, 'x', SSI_NODE_NAME_MAX);
	n = msg_encode_tasks_reply(&r, buf);
	ck_assert_uint_eq(n, MSG_TASKS_REPLY_HDR_LEN);
	for (i = 0; i < 3; i++)
		n += msg_encode_task(&in[i], buf + n);
	ck_assert_uint_eq(n, sizeof(buf));
	ck_assert_int_eq(msg_decode_tasks_reply(buf, n, &r2), 0);
	ck_assert_uint_eq(r2.count, 3);
	ck_assert_int_eq(msg_decode_task(&r2, 0, &out), 0);
	ck_assert_uint_eq(out.pid, 4242);
	ck_assert_uint_eq(out.flags, MSG_TASK_AUTO);
	ck_assert_int_eq(out.job, 12);
	ck_assert_int_eq(out.step, 0);
	ck_assert_str_eq(out.state, "deputy");
	ck_assert_str_eq(out.node, "n2");
	ck_assert_int_eq(msg_decode_task(&r2, 1, &out), 0);
	ck_assert_int_eq(out.kind, MSG_TASK_GUEST);
	ck_assert_uint_eq(out.local_pid, 3131);
	ck_assert_uint_eq(out.runnable, 4);
	ck_assert_int_eq(out.job, -1);
	ck_assert_int_eq(out.task, -1);
	ck_assert_int_eq(msg_decode_task(&r2, 2, &out), 0);
	ck_assert_int_eq(out.job, 0x1fffffffffLL);
	ck_assert_uint_eq(strlen(out.node), SSI_NODE_NAME_MAX);
	ck_assert_int_eq(msg_decode_task(&r2, 3, &out), -1);

	/* fewer bytes than the count says */
	ck_assert_int_eq(msg_decode_tasks_reply(buf, n - 1, &r2), -1);
	/* a record with an unknown kind, no pid or a bad node name */
	in[0].kind = 3;
	msg_encode_task(&in[0], buf + MSG_TASKS_REPLY_HDR_LEN);
	ck_assert_int_eq(msg_decode_tasks_reply(buf, n, &r2), 0);
	ck_assert_int_eq(msg_decode_task(&r2, 0, &out), -1);
	in[0].kind = MSG_TASK_TASK;
	in[0].pid = 0;
	msg_encode_task(&in[0], buf + MSG_TASKS_REPLY_HDR_LEN);
	ck_assert_int_eq(msg_decode_task(&r2, 0, &out), -1);
	in[0].pid = 1;
	strcpy(in[0].node, "n 2");
	msg_encode_task(&in[0], buf + MSG_TASKS_REPLY_HDR_LEN);
	ck_assert_int_eq(msg_decode_task(&r2, 0, &out), -1);
	/* a count beyond MSG_TASKS_REC_MAX is refused before the length */
	r.count = MSG_TASKS_REC_MAX + 1;
	msg_encode_tasks_reply(&r, buf);
	ck_assert_int_eq(msg_decode_tasks_reply(buf, sizeof(buf), &r2), -1);
}
END_TEST

START_TEST(test_join)
{
	/*
	 * Job 12's tasks 0-2 live on n1: task 1 runs on n2, task 2 on n3
	 * (which did not answer).  Job 13's task 0 lives on n2, at home.
	 * n2 also has a guest of n1 with pid 500 that is not registered
	 * (moved by pid): it must not become a task.
	 */
	struct msg_task n1[] = {
		rec(MSG_TASK_TASK, 100, 100, 12, 0, "home", "n1"),
		rec(MSG_TASK_TASK, 101, 101, 12, 1, "deputy", "n2"),
		rec(MSG_TASK_TASK, 102, 102, 12, 2, "deputy", "n3"),
	};
	struct msg_task n2[] = {
		rec(MSG_TASK_GUEST, 500, 9500, -1, -1, "running", "n1"),
		rec(MSG_TASK_GUEST, 101, 9101, -1, -1, "running", "n1"),
		rec(MSG_TASK_TASK, 101, 101, 13, 0, "home", "n2"),
	};
	struct taskview_source src[] = {
		{ "n1", n1, 3 }, { "n2", n2, 3 },
	};
	struct taskview_task *v;
	size_t n;

	n1[0].runnable = 2;
	n2[1].runnable = 3;
	ck_assert_int_eq(taskview_join(src, 2, &v, &n), 0);
	/* what a task weighs comes from the node it runs on */
	ck_assert_uint_eq(v[0].runnable, 2);
	ck_assert_uint_eq(v[1].runnable, 3);
	ck_assert_uint_eq(v[2].runnable, 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(v[0].pid, 100);
	ck_assert_str_eq(v[0].home, "n1");
	ck_assert_str_eq(v[0].node, "n1");
	ck_assert_int_eq(v[0].local_pid, 100);
	ck_assert_str_eq(v[0].state, "home");

	ck_assert_int_eq(v[1].pid, 101);
	ck_assert_int_eq(v[1].task, 1);
	ck_assert_str_eq(v[1].node, "n2");
	ck_assert_int_eq(v[1].local_pid, 9101);
	ck_assert_str_eq(v[1].state, "migrated");

	/* n3 did not answer: where it runs is known (from home), its pid not */
	ck_assert_str_eq(v[2].node, "n3");
	ck_assert_int_eq(v[2].local_pid, -1);
	ck_assert_str_eq(v[2].state, "migrated");

	/* the same pid at another home is another task */
	ck_assert_int_eq(v[3].pid, 101);
	ck_assert_int_eq(v[3].job, 13);
	ck_assert_str_eq(v[3].home, "n2");
	ck_assert_int_eq(v[3].local_pid, 101);
	free(v);

	ck_assert_int_eq(taskview_join(src, 0, &v, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(v);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("taskview");
	TCase *tc = tcase_create("cluster");

	tcase_add_test(tc, test_wire);
	tcase_add_test(tc, test_join);
	suite_add_tcase(s, tc);
	return check_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
