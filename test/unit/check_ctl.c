// SPDX-License-Identifier: GPL-2.0
/*
 * check_ctl.c - the control protocol: line framing (including over-long
 * and split lines), request validation, reply envelopes, access rules.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run_suite.h"
#include "ssid/client/linebuf.h"
#include "ssid/client/ssiclient.h"
#include "ssid/control/control_proto.h"
#include "ssid/common/defaults.h"
#include "ssid/control/task_registry.h"

/* ------------------------------------------------------------- framing */

START_TEST(test_lines_split_and_joined)
{
	struct linebuf lb;
	char *line;
	size_t len;

	linebuf_init(&lb, 100);
	ck_assert_int_eq(linebuf_next(&lb, &line, &len), 0);
	ck_assert_int_eq(linebuf_append(&lb, "{\"op\":", 6), 0);
	ck_assert_int_eq(linebuf_next(&lb, &line, &len), 0);
	ck_assert_int_eq(linebuf_append(&lb, "1}\r\nab\n\nc", 9), 0);
	ck_assert_int_eq(linebuf_next(&lb, &line, &len), 1);
	ck_assert_str_eq(line, "{\"op\":1}");
	ck_assert_uint_eq(len, 8);
	ck_assert_int_eq(linebuf_next(&lb, &line, &len), 1);
	ck_assert_str_eq(line, "ab");
	ck_assert_int_eq(linebuf_next(&lb, &line, &len), 1);
	ck_assert_str_eq(line, "");
	ck_assert_int_eq(linebuf_next(&lb, &line, &len), 0);
	ck_assert_uint_eq(linebuf_pending(&lb), 1);
	ck_assert_int_eq(linebuf_rest(&lb, &line, &len), 1);
	ck_assert_str_eq(line, "c");
	ck_assert_int_eq(linebuf_rest(&lb, &line, &len), 0);
	linebuf_free(&lb);
}
END_TEST

START_TEST(test_lines_too_long)
{
	struct linebuf lb;
	char big[300], *line;
	size_t len;

	memset(big, 'x', sizeof(big));
	linebuf_init(&lb, 100);
	/* a long line that arrives with its newline */
	ck_assert_int_eq(linebuf_append(&lb, big, 150), 0);
	ck_assert_int_eq(linebuf_append(&lb, "\nok\n", 4), 0);
	ck_assert_int_eq(linebuf_next(&lb, &line, &len), -E2BIG);
	ck_assert_int_eq(linebuf_next(&lb, &line, &len), 1);
	ck_assert_str_eq(line, "ok");
	/* a long line that arrives in pieces: reported once, skipped */
	ck_assert_int_eq(linebuf_append(&lb, big, 101), 0);
	ck_assert_int_eq(linebuf_next(&lb, &line, &len), -E2BIG);
	ck_assert_int_eq(linebuf_next(&lb, &line, &len), 0);
	ck_assert_int_eq(linebuf_append(&lb, big, 300), 0);
	ck_assert_int_eq(linebuf_next(&lb, &line, &len), 0);
	ck_assert_uint_eq(linebuf_pending(&lb), 0);
	ck_assert_int_eq(linebuf_append(&lb, "tail\nnext\n", 10), 0);
	ck_assert_int_eq(linebuf_next(&lb, &line, &len), 1);
	ck_assert_str_eq(line, "next");
	/* exactly the maximum is fine */
	ck_assert_int_eq(linebuf_append(&lb, big, 100), 0);
	ck_assert_int_eq(linebuf_append(&lb, "\n", 1), 0);
	ck_assert_int_eq(linebuf_next(&lb, &line, &len), 1);
	ck_assert_uint_eq(len, 100);
	linebuf_free(&lb);
}
END_TEST

START_TEST(test_lines_many)
{
	struct linebuf lb;
	char *line;
	size_t len;
	int i, n = 0;

	/* many small appends: the buffer compacts instead of growing */
	linebuf_init(&lb, 64);
	for (i = 0; i < 10000; i++) {
		ck_assert_int_eq(linebuf_append(&lb, "{\"op\":\"x\"}\n", 11), 0);
		while (linebuf_next(&lb, &line, &len) == 1) {
			ck_assert_str_eq(line, "{\"op\":\"x\"}");
			n++;
		}
	}
	ck_assert_int_eq(n, 10000);
	ck_assert_uint_le(lb.cap, 1024);
	linebuf_free(&lb);
}
END_TEST

/* ------------------------------------------------------------ requests */

static const char *code;
static char msg[256];

static int parse(const char *s, json_object **req)
{
	return ctlproto_parse_request(s, strlen(s), req, &code, msg,
				      sizeof(msg));
}

static void bad(const char *s, const char *want_code, const char *want_msg)
{
	json_object *req = (json_object *)1;

	ck_assert_msg(parse(s, &req) == -1, "accepted: %s", s);
	ck_assert_ptr_null(req);
	ck_assert_str_eq(code, want_code);
	ck_assert_msg(strstr(msg, want_msg), "'%s' lacks '%s' for %s", msg,
		      want_msg, s);
}

START_TEST(test_request_valid)
{
	json_object *req;

	ck_assert_int_eq(parse("{\"op\":\"show_nodes\"}", &req), 0);
	ck_assert_str_eq(ctlproto_op(req), "show_nodes");
	json_object_put(req);
	ck_assert_int_eq(parse("  {\"op\": \"ping\", \"id\": 7, \"node\": \"n2\"} \t", &req), 0);
	ck_assert_str_eq(ctlproto_op(req), "ping");
	json_object_put(req);
	ck_assert_int_eq(parse("{\"op\":\"x\",\"id\":\"abc\"}", &req), 0);
	json_object_put(req);
}
END_TEST

START_TEST(test_request_malformed)
{
	bad("", CTL_E_PARSE, "invalid JSON");
	bad("{", CTL_E_PARSE, "invalid JSON");
	bad("{\"op\":", CTL_E_PARSE, "invalid JSON");
	bad("hello", CTL_E_PARSE, "invalid JSON");
	bad("{'op':'x'}", CTL_E_PARSE, "invalid JSON");
	bad("{\"op\":\"x\"} {\"op\":\"y\"}", CTL_E_PARSE, "invalid JSON");
	bad("{\"op\":\"x\"}garbage", CTL_E_PARSE, "invalid JSON");
	bad("{\"op\":\"x\",}", CTL_E_PARSE, "invalid JSON");
	bad("{\"op\":\"\xff\xfe\"}", CTL_E_PARSE, "invalid JSON");
	bad("null", CTL_E_REQUEST, "must be a JSON object");
	bad("[1,2]", CTL_E_REQUEST, "must be a JSON object");
	bad("\"op\"", CTL_E_REQUEST, "must be a JSON object");
	bad("42", CTL_E_REQUEST, "must be a JSON object");
	bad("{}", CTL_E_REQUEST, "missing \"op\"");
	bad("{\"op\":3}", CTL_E_REQUEST, "missing \"op\"");
	bad("{\"op\":\"\"}", CTL_E_REQUEST, "missing \"op\"");
	bad("{\"op\":\"x\",\"id\":[1]}", CTL_E_REQUEST, "\"id\" must be");
	bad("{\"op\":\"x\",\"id\":{}}", CTL_E_REQUEST, "\"id\" must be");
}
END_TEST

START_TEST(test_request_depth)
{
	char deep[200];
	int i, n = 0;

	/* 20 levels of nesting: beyond the limit of 16 */
	n += sprintf(deep + n, "{\"op\":\"x\",\"a\":");
	for (i = 0; i < 20; i++)
		deep[n++] = '[';
	for (i = 0; i < 20; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	deep[n] = '\0';
	bad(deep, CTL_E_PARSE, "invalid JSON");
}
END_TEST

/* ------------------------------------------------------------- replies */

START_TEST(test_replies)
{
	json_object *id = json_object_new_int(7), *r, *res;
	size_t len;
	char *line;

	res = json_object_new_object();
	json_object_object_add(res, "x", json_object_new_string("a/b\nc"));
	r = ctlproto_reply_ok(id, res);
	line = ssiclient_line(r, &len);
	ck_assert_str_eq(line, "{\"id\":7,\"ok\":true,\"result\":{\"x\":\"a/b\\nc\"}}\n");
	ck_assert_uint_eq(len, strlen(line));
	/* one line: the only newline is the terminator */
	ck_assert_ptr_eq(strchr(line, '\n'), line + len - 1);
	free(line);
	json_object_put(r);

	r = ctlproto_reply_err(NULL, CTL_E_PARSE, "bad %s", "thing");
	line = ssiclient_line(r, &len);
	ck_assert_str_eq(line, "{\"ok\":false,\"error\":{\"code\":\"parse_error\",\"message\":\"bad thing\"}}\n");
	free(line);
	json_object_put(r);

	r = ctlproto_reply_ok(id, NULL);
	line = ssiclient_line(r, &len);
	ck_assert_str_eq(line, "{\"id\":7,\"ok\":true,\"result\":{}}\n");
	free(line);
	json_object_put(r);
	json_object_put(id);
}
END_TEST

/* ------------------------------------------------------- authorisation */

START_TEST(test_access)
{
	const uid_t none = (uid_t)-1, slurm = 64030;

	ck_assert(ctlproto_is_admin(0, none));
	ck_assert(!ctlproto_is_admin(1000, none));
	ck_assert(!ctlproto_is_admin(none, none));
	ck_assert(ctlproto_is_admin(slurm, slurm));
	ck_assert(!ctlproto_is_admin(1000, slurm));

	ck_assert(ctlproto_may(CTL_ANYONE, 1000, none));
	ck_assert(!ctlproto_may(CTL_ADMIN, 1000, none));
	ck_assert(ctlproto_may(CTL_ADMIN, 0, none));
	ck_assert(ctlproto_may(CTL_ADMIN, slurm, slurm));

	ck_assert(ctlproto_may_see_task(ctlproto_is_admin(1000, none), 1000, 1000));
	ck_assert(!ctlproto_may_see_task(ctlproto_is_admin(1000, none), 1000, 1001));
	ck_assert(ctlproto_may_see_task(ctlproto_is_admin(0, none), 0, 1001));
	ck_assert(ctlproto_may_see_task(ctlproto_is_admin(slurm, slurm), slurm, 1001));
	ck_assert(!ctlproto_may_see_task(ctlproto_is_admin(slurm, none), slurm, 1001));
}
END_TEST


/* --------------------------------------------------------------- tasks */

START_TEST(test_tasks_registry)
{
	struct tasks *t = tasks_create();
	struct task e;
	pid_t child;
	int status;
	uid_t me = getuid();

	ck_assert_ptr_nonnull(t);
	/* its owner may register it, but not as a job's task */
	ck_assert_int_eq(tasks_register(t, getpid(), -1, -1, -1, false, me, 0, 50, &e), 0);
	ck_assert_int_eq(e.job, -1);
	ck_assert_int_eq(tasks_job_of(t, getpid()), -1);
	ck_assert_int_eq(tasks_register(t, getpid(), 7, 0, 1, true, me, 0, 60, &e), -EACCES);
	/* as an administrator (slurmstepd); then the ids are updated in place */
	ck_assert_int_eq(tasks_register(t, getpid(), 7, 0, 1, true, me, 1, 100, &e), 0);
	ck_assert_int_eq(e.pid, getpid());
	ck_assert_uint_eq(e.uid, me);
	ck_assert_int_eq(e.job, 7);
	ck_assert(e.auto_move);
	ck_assert_int_eq(tasks_job_of(t, getpid()), 7);
	ck_assert_int_eq(tasks_job_of(t, getppid()), -1);
	ck_assert_int_eq(tasks_register(t, getpid(), 7, 0, 2, false, me, 1, 200, &e), 0);
	ck_assert_int_eq(e.task, 2);
	ck_assert(!e.auto_move);
	ck_assert_uint_eq(e.registered_ms, 50);
	ck_assert_uint_eq(tasks_count(t), 1);
	/* someone else's process: only for administrators */
	ck_assert_int_eq(tasks_register(t, getpid(), -1, -1, -1, false, me + 1, 0, 0,
					&e), -EPERM);
	ck_assert_int_eq(tasks_unregister(t, getpid(), me + 1, 0), -EPERM);
	/* no such process */
	ck_assert_int_eq(tasks_register(t, 0, -1, -1, -1, false, me, 1, 0, &e), -ESRCH);
	ck_assert_int_eq(tasks_register(t, 0x7ffffff0, -1, -1, -1, false, me, 1, 0, &e),
			 -ESRCH);
	/* a child, kept sorted; pruned once it has exited */
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		pause();
		_exit(0);
	}
	ck_assert_int_eq(tasks_register(t, child, 1, 2, 3, false, me, 1, 0, &e), 0);
	ck_assert_uint_eq(tasks_count(t), 2);
	ck_assert_int_lt(tasks_at(t, 0)->pid, tasks_at(t, 1)->pid);
	ck_assert_ptr_null(tasks_at(t, 2));
	tasks_timer(t, 1000);
	ck_assert_uint_eq(tasks_count(t), 2);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	/* not before the prune period */
	tasks_timer(t, 1001);
	ck_assert_uint_eq(tasks_count(t), 2);
	tasks_timer(t, 1000 + SSI_TASKS_PRUNE_MS);
	ck_assert_uint_eq(tasks_count(t), 1);
	ck_assert_int_eq(tasks_at(t, 0)->pid, getpid());
	ck_assert_int_eq(tasks_unregister(t, getpid(), me, 0), 0);
	ck_assert_int_eq(tasks_unregister(t, getpid(), me, 0), -ENOENT);
	ck_assert_uint_eq(tasks_count(t), 0);
	tasks_destroy(t);
}
END_TEST

/*
 * slurmstepd registers a task before the task becomes the job's user: the
 * registry reads its owner again soon after, and its owner may unregister
 * it at once.  Needs root (to change a child's uid); skipped otherwise.
 */
START_TEST(test_tasks_owner)
{
	struct tasks *t = tasks_create();
	int go[2], done[2];
	struct task e;
	pid_t child;
	char c = 0;

	if (geteuid() != 0) {
		tasks_destroy(t);
		return;
	}
	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(done), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		if (read(go[0], &c, 1) != 1 || setgid(65534) || setuid(65534) ||
		    write(done[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	tasks_timer(t, 4000);	/* pruned: the next one is due at 6000 */
	ck_assert_int_eq(tasks_register(t, child, 9, 0, 0, false, 0, 1, 5000, &e), 0);
	ck_assert_uint_eq(e.uid, 0);
	ck_assert_int_eq(write(go[1], &c, 1), 1);
	ck_assert_int_eq(read(done[0], &c, 1), 1);
	/* read again at the first timer after SSI_TASKS_OWNER_MS */
	tasks_timer(t, 5000 + SSI_TASKS_OWNER_MS);
	ck_assert_uint_eq(tasks_at(t, 0)->uid, 65534);
	/* another registration; its owner unregisters it before the timer */
	ck_assert_int_eq(tasks_register(t, child, 9, 0, 0, false, 0, 1, 6000, &e), 0);
	ck_assert_int_eq(tasks_unregister(t, child, 65533, 0), -EPERM);
	ck_assert_int_eq(tasks_unregister(t, child, 65534, 0), 0);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
	tasks_destroy(t);
}
END_TEST

static Suite *ctl_suite(void)
{
	Suite *s = suite_create("ctl");
	TCase *frame = tcase_create("framing");
	TCase *req = tcase_create("requests");
	TCase *rep = tcase_create("replies");
	TCase *tasks = tcase_create("tasks");

	tcase_add_test(frame, test_lines_split_and_joined);
	tcase_add_test(frame, test_lines_too_long);
	tcase_add_test(frame, test_lines_many);
	tcase_add_test(req, test_request_valid);
	tcase_add_test(req, test_request_malformed);
	tcase_add_test(req, test_request_depth);
	tcase_add_test(rep, test_replies);
	tcase_add_test(rep, test_access);
	suite_add_tcase(s, frame);
	suite_add_tcase(s, req);
	tcase_add_test(tasks, test_tasks_registry);
	tcase_add_test(tasks, test_tasks_owner);
	suite_add_tcase(s, rep);
	suite_add_tcase(s, tasks);
	return s;
}

int main(void)
{
	int failed = check_run(ctl_suite());

	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
