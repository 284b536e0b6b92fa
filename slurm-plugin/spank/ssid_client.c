// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ssid_client.c - one request on ssid's control socket, with a deadline.
 *
 * slurmstepd calls this while it starts tasks, slurmctld (select/ssi)
 * while it places jobs: a slow or dead ssid must cost at most the
 * timeout, and the job runs anyway (unmigratable, or placed as cons_tres
 * would).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <json-c/json.h>

#include "ssid_client.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Wait for @events on @fd until @deadline; 0 when ready, -1 on timeout. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	long long left;
	int r;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return -1;
		r = poll(&p, 1, (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

/* Replies to select/ssi carry a node table: room for a big cluster. */
#define REPLY_MAX	(4u << 20)

int ssid_call(const char *sock, int timeout_ms, json_object *req,
	      json_object **result, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	long long deadline = now_ms() + timeout_ms;
	char *reply = NULL;
	const char *line;
	size_t len, got = 0, sent = 0, cap = 0;
	json_object *rep = NULL, *v, *m;
	int fd, rc = -1;

	if (result)
		*result = NULL;

	if (strlen(sock) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", sock);
		return -1;
	}
	strcpy(sun.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		if (errno != EINPROGRESS) {
			snprintf(err, errlen, "cannot reach ssid at %s: %s", sock,
				 strerror(errno));
			goto out;
		}
		if (wait_fd(fd, POLLOUT, deadline))
			goto timeout;
	}
	line = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	len = strlen(line);
	while (sent <= len) {
		const char *p = sent < len ? line + sent : "\n";
		size_t n = sent < len ? len - sent : 1;
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(fd, POLLOUT, deadline))
				goto timeout;
			continue;
		}
		if (w < 0) {
			snprintf(err, errlen, "ssid at %s: %s", sock, strerror(errno));
			goto out;
		}
		sent += (size_t)w;
		if (sent == len + 1)
			break;
	}
	while (!got || !memchr(reply, '\n', got)) {
		ssize_t r;

		if (got + 1 >= cap) {
			char *nr = cap < REPLY_MAX ? realloc(reply, cap ? 2 * cap : 4096) : NULL;

			if (!nr) {
				snprintf(err, errlen, "ssid's reply is too long");
				goto out;
			}
			reply = nr;
			cap = cap ? 2 * cap : 4096;
		}
		if (wait_fd(fd, POLLIN, deadline))
			goto timeout;
		r = recv(fd, reply + got, cap - 1 - got, 0);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0) {
			snprintf(err, errlen, "ssid closed the connection");
			goto out;
		}
		got += (size_t)r;
	}
	reply[got] = 0;
	rep = json_tokener_parse(reply);
	if (!rep || !json_object_object_get_ex(rep, "ok", &v)) {
		snprintf(err, errlen, "ssid's reply is not valid");
		goto out;
	}
	if (!json_object_get_boolean(v)) {
		if (json_object_object_get_ex(rep, "error", &v) &&
		    json_object_object_get_ex(v, "message", &m))
			snprintf(err, errlen, "ssid refused: %s", json_object_get_string(m));
		else
			snprintf(err, errlen, "ssid refused the request");
		goto out;
	}
	if (result && json_object_object_get_ex(rep, "result", &v))
		*result = json_object_get(v);
	rc = 0;
	goto out;
timeout:
	snprintf(err, errlen, "ssid at %s did not answer within %d ms", sock, timeout_ms);
out:
	json_object_put(rep);
	free(reply);
	close(fd);
	return rc;
}

int ssid_task_register(const char *sock, int timeout_ms, pid_t pid, uint32_t job,
		       uint32_t step, uint32_t task, const char *policy,
		       char *err, size_t errlen)
{
	json_object *req = json_object_new_object();
	int rc;

	json_object_object_add(req, "op", json_object_new_string("task_register"));
	json_object_object_add(req, "pid", json_object_new_int64(pid));
	json_object_object_add(req, "job", json_object_new_int64(job));
	json_object_object_add(req, "step", json_object_new_int64(step));
	json_object_object_add(req, "task", json_object_new_int64(task));
	json_object_object_add(req, "policy", json_object_new_string(policy));
	rc = ssid_call(sock, timeout_ms, req, NULL, err, errlen);
	json_object_put(req);
	return rc;
}

int ssid_task_unregister(const char *sock, int timeout_ms, pid_t pid, char *err,
			 size_t errlen)
{
	json_object *req = json_object_new_object();
	int rc;

	json_object_object_add(req, "op", json_object_new_string("task_unregister"));
	json_object_object_add(req, "pid", json_object_new_int64(pid));
	rc = ssid_call(sock, timeout_ms, req, NULL, err, errlen);
	json_object_put(req);
	return rc;
}
