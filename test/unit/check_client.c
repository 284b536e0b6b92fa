// SPDX-License-Identifier: GPL-2.0
/*
 * check_client.c - libssiclient (ssid/client/ssiclient.h), the control
 * socket's client, against tiny AF_UNIX servers run in a thread: an ok
 * reply, an error reply, a server that never answers (the deadline is
 * kept), one that closes, over-long and malformed replies, no socket.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "run_suite.h"
#include "ssid/client/ssiclient.h"
#include "ssid/common/clock.h"

#define FLOOD_BYTES	300000

/* What the test server does with the one connection it accepts. */
enum behaviour {
	ANSWER,		/* read a request line, write @reply */
	SILENT,		/* read the request, then wait until the client leaves */
	CLOSE,		/* read the request, close without a word */
	FLOOD,		/* read the request, write FLOOD_BYTES and no newline */
	ECHO_RAW,	/* read a line, write it back as the reply */
};

struct server {
	char path[108];
	int lfd;
	enum behaviour how;
	const char *reply;
	char request[4096];	/* the request line as received */
	pthread_t thread;
};

/* Read up to the first newline (included) into @s->request. */
static void read_request(struct server *s, int fd)
{
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(s->request) - 1) {
		n = read(fd, s->request + got, 1);
		if (n <= 0)
			break;
		got++;
		if (s->request[got - 1] == '\n')
			break;
	}
	s->request[got] = '\0';
}

static void write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static void *serve(void *arg)
{
	struct server *s = arg;
	char buf[256], *big;
	int fd = accept(s->lfd, NULL, NULL);

	if (fd < 0)
		return NULL;
	read_request(s, fd);
	switch (s->how) {
	case ANSWER:
		write_all(fd, s->reply, strlen(s->reply));
		break;
	case SILENT:
		/* until the client gives up and closes */
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		break;
	case CLOSE:
		break;
	case FLOOD:
		big = malloc(FLOOD_BYTES);
		memset(big, 'x', FLOOD_BYTES);
		write_all(fd, big, FLOOD_BYTES);
		free(big);
		break;
	case ECHO_RAW:
		write_all(fd, s->request, strlen(s->request));
		break;
	}
	close(fd);
	return NULL;
}

static void server_start(struct server *s, enum behaviour how, const char *reply)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(s, 0, sizeof(*s));
	s->how = how;
	s->reply = reply;
	snprintf(s->path, sizeof(s->path), "/tmp/check_client.%d.sock", (int)getpid());
	unlink(s->path);
	strcpy(sa.sun_path, s->path);
	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(s->lfd, 0);
	ck_assert_int_eq(bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(s->lfd, 4), 0);
	ck_assert_int_eq(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void server_stop(struct server *s)
{
	pthread_join(s->thread, NULL);
	close(s->lfd);
	unlink(s->path);
}

static json_object *request(const char *op)
{
	json_object *r = json_object_new_object();

	json_object_object_add(r, "op", json_object_new_string(op));
	return r;
}

START_TEST(test_ok)
{
	struct server s;
	struct ssiclient c;
	json_object *req = request("show_nodes"), *reply = NULL, *res;

	server_start(&s, ANSWER, "{\"ok\": true, \"result\": {\"nodes\": [1, 2]}}\n");
	ssiclient_init(&c, s.path, 2000);
	ck_assert_int_eq(ssiclient_call(&c, req, &reply), SSICLIENT_OK);
	server_stop(&s);
	/* one line of plain JSON */
	ck_assert_str_eq(s.request, "{\"op\":\"show_nodes\"}\n");
	ck_assert_ptr_nonnull(reply);
	res = ssiclient_result(reply);
	ck_assert_ptr_nonnull(res);
	ck_assert_int_eq(json_object_array_length(json_object_object_get(res, "nodes")), 2);
	ck_assert_str_eq(c.msg, "");
	json_object_put(reply);
	json_object_put(req);
}
END_TEST

START_TEST(test_ok_without_result)
{
	struct server s;
	struct ssiclient c;
	json_object *req = request("shutdown"), *reply = NULL;

	/* the last line may lack its newline when the server closes after it */
	server_start(&s, ANSWER, "{\"id\": 3, \"ok\": true}");
	ssiclient_init(&c, s.path, 2000);
	ck_assert_int_eq(ssiclient_call(&c, req, &reply), SSICLIENT_OK);
	server_stop(&s);
	ck_assert_ptr_null(ssiclient_result(reply));
	json_object_put(reply);
	/* the outcome alone */
	server_start(&s, ANSWER, "{\"ok\": true, \"result\": {}}\n");
	ck_assert_int_eq(ssiclient_call(&c, req, NULL), SSICLIENT_OK);
	server_stop(&s);
	json_object_put(req);
}
END_TEST

/*
 * One request to a server that behaves as @how (@reply: what ANSWER
 * writes), through @c with @timeout_ms and, if not 0, @reply_max.
 * Returns the outcome, the details in @c; a reply only comes with
 * SSICLIENT_OK.  @c->path is gone on return.
 */
static ssiclient_err_t call_once(struct ssiclient *c, enum behaviour how,
				 const char *reply, int timeout_ms, size_t reply_max)
{
	json_object *req = request("show_nodes"), *r = (json_object *)1;
	ssiclient_err_t rc;
	struct server s;

	server_start(&s, how, reply);
	ssiclient_init(c, s.path, timeout_ms);
	if (reply_max)
		c->reply_max = reply_max;
	rc = ssiclient_call(c, req, &r);
	server_stop(&s);
	ck_assert_int_eq(c->err, rc);
	if (rc)
		ck_assert_ptr_null(r);
	json_object_put(r);
	json_object_put(req);
	return rc;
}

START_TEST(test_refused)
{
	struct ssiclient c;

	ck_assert_int_eq(call_once(&c, ANSWER, "{\"ok\": false, \"error\": {\"code\": "
				   "\"no_such_node\", \"message\": \"no node 'n9' in "
				   "/etc/ssi/ssi.conf\"}}\n", 2000, 0), SSICLIENT_REFUSED);
	ck_assert_str_eq(c.ssid_code, "no_such_node");
	ck_assert_str_eq(c.ssid_message, "no node 'n9' in /etc/ssi/ssi.conf");
	ck_assert_str_eq(c.msg, "ssid refused: no node 'n9' in /etc/ssi/ssi.conf");

	/* an error without details */
	ck_assert_int_eq(call_once(&c, ANSWER, "{\"ok\": false}\n", 2000, 0),
			 SSICLIENT_REFUSED);
	ck_assert_str_eq(c.ssid_code, "?");
	ck_assert_str_eq(c.ssid_message, "unknown error");
}
END_TEST

START_TEST(test_deadline)
{
	struct ssiclient c;
	uint64_t t0 = clock_mono_ms(), took;

	ck_assert_int_eq(call_once(&c, SILENT, NULL, 300, 0), SSICLIENT_E_TIMEOUT);
	took = clock_mono_ms() - t0;
	ck_assert_msg(took >= 300 && took < 1300, "waited %llu ms for a 300 ms deadline",
		      (unsigned long long)took);
	ck_assert_msg(strstr(c.msg, "/tmp/check_client.") &&
		      strstr(c.msg, " did not answer within 300 ms"),
		      "unclear message: %s", c.msg);
}
END_TEST

START_TEST(test_closed)
{
	struct ssiclient c;

	ck_assert_int_eq(call_once(&c, CLOSE, NULL, 2000, 0), SSICLIENT_E_CLOSED);
	ck_assert_str_eq(c.msg, "ssid closed the connection without a reply");
}
END_TEST

START_TEST(test_too_long)
{
	struct ssiclient c;

	ck_assert_int_eq(call_once(&c, FLOOD, NULL, 2000, FLOOD_BYTES / 3),
			 SSICLIENT_E_TOOLONG);
	ck_assert_str_eq(c.msg, "reply from ssid too long");
}
END_TEST

START_TEST(test_malformed)
{
	static const char *const bad[] = {
		"not json\n", "[1, 2]\n", "{\"result\": {}}\n", "{\"ok\": true\n", "\n",
	};
	struct ssiclient c;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(call_once(&c, ANSWER, bad[i], 2000, 0),
				 SSICLIENT_E_MALFORMED);
		ck_assert_msg(!strncmp(c.msg, "ssid sent a malformed reply: ", 29),
			      "unclear message: %s", c.msg);
	}
}
END_TEST

START_TEST(test_no_socket)
{
	struct ssiclient c;
	json_object *req = request("version"), *reply = (json_object *)1;
	char path[108], longpath[200];

	snprintf(path, sizeof(path), "/tmp/check_client.%d.none", (int)getpid());
	unlink(path);
	ssiclient_init(&c, path, 2000);
	ck_assert_int_eq(ssiclient_call(&c, req, &reply), SSICLIENT_E_CONNECT);
	ck_assert_ptr_null(reply);
	/* what ssictl turns into "is ssid running?" */
	ck_assert_int_eq(c.errnum, ENOENT);
	ck_assert_msg(!strncmp(c.msg, "cannot reach ssid at ", 21) && strstr(c.msg, path),
		      "unclear message: %s", c.msg);

	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	ssiclient_init(&c, longpath, 2000);
	ck_assert_int_eq(ssiclient_call(&c, req, NULL), SSICLIENT_E_CONNECT);
	ck_assert_int_eq(c.errnum, ENAMETOOLONG);
	json_object_put(req);
}
END_TEST

/* A socket nobody listens on any more: ECONNREFUSED, ssid is gone. */
START_TEST(test_refused_connection)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ssiclient c;
	json_object *req = request("version");
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "/tmp/check_client.%d.dead", (int)getpid());
	unlink(sa.sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	ssiclient_init(&c, sa.sun_path, 2000);
	ck_assert_int_eq(ssiclient_call(&c, req, NULL), SSICLIENT_E_CONNECT);
	ck_assert_int_eq(c.errnum, ECONNREFUSED);
	unlink(sa.sun_path);
	json_object_put(req);
}
END_TEST

/* The steps one by one, as `ssictl request` takes them: a raw line. */
START_TEST(test_raw_line)
{
	struct server s;
	struct ssiclient c;
	char *line;
	size_t len;

	server_start(&s, ECHO_RAW, NULL);
	ssiclient_init(&c, s.path, 2000);
	ck_assert_int_eq(ssiclient_connect(&c), SSICLIENT_OK);
	ck_assert_int_eq(ssiclient_send_line(&c, "{\"op\": \"version\", \"id\": \"a\"}"),
			 SSICLIENT_OK);
	ck_assert_int_eq(ssiclient_recv_line(&c, &line, &len), SSICLIENT_OK);
	ck_assert_str_eq(line, "{\"op\": \"version\", \"id\": \"a\"}");
	ck_assert_uint_eq(len, strlen(line));
	ssiclient_close(&c);
	ssiclient_close(&c);	/* harmless twice */
	server_stop(&s);
}
END_TEST

/* Sending to a server that went away: an error, not SIGPIPE. */
START_TEST(test_no_sigpipe)
{
	struct server s;
	struct ssiclient c;
	json_object *req = json_object_new_object();
	char *big = malloc(1 << 20);
	ssiclient_err_t rc;
	int i;

	signal(SIGPIPE, SIG_DFL);
	memset(big, 'y', (1 << 20) - 1);
	big[(1 << 20) - 1] = '\0';
	json_object_object_add(req, "op", json_object_new_string(big));
	server_start(&s, CLOSE, NULL);
	ssiclient_init(&c, s.path, 2000);
	ck_assert_int_eq(ssiclient_connect(&c), SSICLIENT_OK);
	/* the server reads the first 4 KiB of the 1 MiB line and closes:
	 * the rest finds nobody to read it
	 */
	for (i = 0, rc = SSICLIENT_OK; i < 8 && !rc; i++)
		rc = ssiclient_send(&c, req);
	server_stop(&s);
	ck_assert_int_eq(rc, SSICLIENT_E_IO);
	ck_assert_msg(c.errnum == EPIPE || c.errnum == ECONNRESET, "errno %d", c.errnum);
	ssiclient_close(&c);
	json_object_put(req);
	free(big);
}
END_TEST

static Suite *client_suite(void)
{
	Suite *s = suite_create("ssiclient");
	TCase *tc = tcase_create("call");

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_ok);
	tcase_add_test(tc, test_ok_without_result);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_deadline);
	tcase_add_test(tc, test_closed);
	tcase_add_test(tc, test_too_long);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_no_socket);
	tcase_add_test(tc, test_refused_connection);
	tcase_add_test(tc, test_raw_line);
	tcase_add_test(tc, test_no_sigpipe);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	int failed = check_run(client_suite());

	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
