// SPDX-License-Identifier: GPL-2.0
/*
 * ssiclient.c - libssiclient's transport (see ssiclient.h): one request
 * on ssid's control socket and its reply, within a deadline.
 *
 * slurmstepd calls this while it starts tasks, slurmctld (select/ssi)
 * while it places jobs with its locks held: a slow or dead ssid must cost
 * them at most the timeout.  So the socket is non-blocking, every wait is
 * a poll(2) bounded by the deadline, and sends use MSG_NOSIGNAL.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "client/ssiclient.h"
#include "common/clock.h"

/* How long to wait before trying again when ssid's listen backlog is full. */
#define CONNECT_RETRY_MS	10

static ssiclient_err_t __attribute__((format(printf, 3, 4)))
fail(struct ssiclient *c, ssiclient_err_t err, const char *fmt, ...)
{
	va_list ap;

	c->err = err;
	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	return err;
}

/* Record errno's failure: in @what, or (NULL) in reaching ssid. */
static ssiclient_err_t fail_errno(struct ssiclient *c, ssiclient_err_t err,
				  const char *what)
{
	c->errnum = errno;
	if (!what)
		return fail(c, err, "cannot reach ssid at %s: %s", c->path,
			    strerror(c->errnum));
	return fail(c, err, "%s: %s", what, strerror(c->errnum));
}

static ssiclient_err_t timeout(struct ssiclient *c)
{
	return fail(c, SSICLIENT_E_TIMEOUT, "ssid at %s did not answer within %d ms",
		    c->path, c->timeout_ms);
}

static void reset(struct ssiclient *c)
{
	c->err = SSICLIENT_OK;
	c->errnum = 0;
	c->ssid_code[0] = '\0';
	c->ssid_message[0] = '\0';
	c->msg[0] = '\0';
}

/*
 * Wait for @events on the socket until the deadline.  Returns 0 when
 * ready, else the failure (recorded in @c).
 */
static ssiclient_err_t wait_fd(struct ssiclient *c, short events)
{
	struct pollfd p = { .fd = c->fd, .events = events };
	uint64_t now;
	int r;

	for (;;) {
		now = clock_mono_ms();
		if (now >= c->deadline_ms)
			return timeout(c);
		r = poll(&p, 1, (int)(c->deadline_ms - now));
		if (r > 0)
			return SSICLIENT_OK;
		if (r < 0 && errno != EINTR)
			return fail_errno(c, SSICLIENT_E_IO, "poll");
	}
}

void ssiclient_init(struct ssiclient *c, const char *path, int timeout_ms)
{
	memset(c, 0, sizeof(*c));
	c->path = path;
	c->timeout_ms = timeout_ms;
	c->reply_max = SSICLIENT_REPLY_MAX;
	c->fd = -1;
	linebuf_init(&c->in, c->reply_max);
}

void ssiclient_close(struct ssiclient *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	linebuf_free(&c->in);
}

ssiclient_err_t ssiclient_connect(struct ssiclient *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	ssiclient_err_t rc;

	ssiclient_close(c);
	reset(c);
	c->deadline_ms = clock_mono_ms() + (uint64_t)(c->timeout_ms > 0 ? c->timeout_ms : 0);
	linebuf_init(&c->in, c->reply_max);
	if (strlen(c->path) >= sizeof(sa.sun_path)) {
		c->errnum = ENAMETOOLONG;
		return fail(c, SSICLIENT_E_CONNECT, "%s: path too long for a socket",
			    c->path);
	}
	strcpy(sa.sun_path, c->path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return fail_errno(c, SSICLIENT_E_CONNECT, "socket");
	for (;;) {
		if (!connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)))
			return SSICLIENT_OK;
		if (errno == EINPROGRESS || errno == EINTR) {
			int e = 0;
			socklen_t elen = sizeof(e);

			rc = wait_fd(c, POLLOUT);
			if (!rc && getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &elen))
				e = errno;
			if (!rc && e) {
				errno = e;
				rc = fail_errno(c, SSICLIENT_E_CONNECT, NULL);
			}
			break;
		}
		if (errno != EAGAIN) {
			rc = fail_errno(c, SSICLIENT_E_CONNECT, NULL);
			break;
		}
		/* AF_UNIX: ssid's listen backlog is full; it drains it soon */
		if (clock_mono_ms() + CONNECT_RETRY_MS > c->deadline_ms) {
			rc = timeout(c);
			break;
		}
		poll(NULL, 0, CONNECT_RETRY_MS);
	}
	if (rc) {
		close(c->fd);
		c->fd = -1;
	}
	return rc;
}

static ssiclient_err_t send_all(struct ssiclient *c, const char *buf, size_t len)
{
	ssiclient_err_t rc;
	ssize_t n;

	while (len) {
		n = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			rc = wait_fd(c, POLLOUT);
			if (rc)
				return rc;
			continue;
		}
		if (n < 0)
			return fail_errno(c, SSICLIENT_E_IO, "send to ssid");
		buf += n;
		len -= (size_t)n;
	}
	return SSICLIENT_OK;
}

ssiclient_err_t ssiclient_send_line(struct ssiclient *c, const char *line)
{
	ssiclient_err_t rc;

	reset(c);
	rc = send_all(c, line, strlen(line));
	return rc ? rc : send_all(c, "\n", 1);
}

ssiclient_err_t ssiclient_send(struct ssiclient *c, json_object *req)
{
	ssiclient_err_t rc;
	size_t len;
	char *line;

	reset(c);
	line = ssiclient_line(req, &len);
	if (!line)
		return fail(c, SSICLIENT_E_NOMEM, "out of memory");
	rc = send_all(c, line, len);
	free(line);
	return rc;
}

ssiclient_err_t ssiclient_recv_line(struct ssiclient *c, char **line,
				    size_t *len)
{
	char buf[16384];
	ssiclient_err_t rc;
	ssize_t n;
	int r;

	reset(c);
	for (;;) {
		r = linebuf_next(&c->in, line, len);
		if (r == 1)
			return SSICLIENT_OK;
		if (r < 0)
			return fail(c, SSICLIENT_E_TOOLONG, "reply from ssid too long");
		rc = wait_fd(c, POLLIN);
		if (rc)
			return rc;
		n = recv(c->fd, buf, sizeof(buf), 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return fail_errno(c, SSICLIENT_E_IO, "receive from ssid");
		if (n == 0) {
			r = linebuf_rest(&c->in, line, len);
			if (r == 1)
				return SSICLIENT_OK;
			if (r < 0)
				return fail(c, SSICLIENT_E_TOOLONG, "reply from ssid too long");
			return fail(c, SSICLIENT_E_CLOSED,
				    "ssid closed the connection without a reply");
		}
		if (linebuf_append(&c->in, buf, (size_t)n))
			return fail(c, SSICLIENT_E_NOMEM, "out of memory");
	}
}

/* A string member of @o, or @dflt. */
static const char *string_of(json_object *o, const char *key, const char *dflt)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return dflt;
	return json_object_get_string(v);
}

ssiclient_err_t ssiclient_parse_reply(struct ssiclient *c, const char *line,
				      json_object **reply)
{
	json_object *r, *ok, *e = NULL;

	reset(c);
	*reply = NULL;
	r = json_tokener_parse(line);
	if (!r || !json_object_is_type(r, json_type_object) ||
	    !json_object_object_get_ex(r, "ok", &ok)) {
		json_object_put(r);
		return fail(c, SSICLIENT_E_MALFORMED,
			    "ssid sent a malformed reply: %.200s", line);
	}
	if (!json_object_get_boolean(ok)) {
		json_object_object_get_ex(r, "error", &e);
		snprintf(c->ssid_code, sizeof(c->ssid_code), "%s",
			 string_of(e, "code", "?"));
		snprintf(c->ssid_message, sizeof(c->ssid_message), "%s",
			 string_of(e, "message", "unknown error"));
		json_object_put(r);
		return fail(c, SSICLIENT_REFUSED, "ssid refused: %s", c->ssid_message);
	}
	*reply = r;
	return SSICLIENT_OK;
}

json_object *ssiclient_result(json_object *reply)
{
	json_object *v;

	if (!reply || !json_object_object_get_ex(reply, "result", &v))
		return NULL;
	return v;
}

ssiclient_err_t ssiclient_call(struct ssiclient *c, json_object *req,
			       json_object **reply)
{
	json_object *r = NULL;
	ssiclient_err_t rc;
	size_t len;
	char *line;

	rc = ssiclient_connect(c);
	if (!rc)
		rc = ssiclient_send(c, req);
	if (!rc)
		rc = ssiclient_recv_line(c, &line, &len);
	if (!rc)
		rc = ssiclient_parse_reply(c, line, &r);
	ssiclient_close(c);
	if (reply)
		*reply = r;
	else
		json_object_put(r);
	return rc;
}

char *ssiclient_line(json_object *obj, size_t *len)
{
	const char *s;
	size_t n;
	char *line;

	s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s)
		return NULL;
	n = strlen(s);
	line = malloc(n + 2);
	if (!line)
		return NULL;
	memcpy(line, s, n);
	line[n] = '\n';
	line[n + 1] = '\0';
	*len = n + 1;
	return line;
}
