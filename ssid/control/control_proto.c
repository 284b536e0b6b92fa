// SPDX-License-Identifier: GPL-2.0
/*
 * control_proto.c - control protocol framing, envelopes and access rules.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/control_proto.h"

#define CTL_JSON_DEPTH	16
#define CTL_OP_MAX	64
#define CTL_ID_MAX	128

/* --------------------------------------------------------------- framing */

void linebuf_init(struct linebuf *lb, size_t max)
{
	memset(lb, 0, sizeof(*lb));
	lb->max = max;
}

void linebuf_free(struct linebuf *lb)
{
	free(lb->buf);
	linebuf_init(lb, lb->max);
}

size_t linebuf_pending(const struct linebuf *lb)
{
	return lb->len - lb->start;
}

int linebuf_append(struct linebuf *lb, const void *data, size_t n)
{
	const char *d = data;

	if (lb->discarding) {
		const char *nl = memchr(d, '\n', n);

		if (!nl)
			return 0;
		lb->discarding = false;
		n -= (size_t)(nl + 1 - d);
		d = nl + 1;
	}
	if (lb->start == lb->len)
		lb->start = lb->len = 0;
	if (lb->cap - lb->len < n + 1) {
		char *b;
		size_t cap;

		/* compact first: consumed lines leave room at the front */
		if (lb->start) {
			memmove(lb->buf, lb->buf + lb->start,
				lb->len - lb->start);
			lb->len -= lb->start;
			lb->start = 0;
		}
		if (lb->cap - lb->len < n + 1) {
			cap = lb->cap ? lb->cap : 1024;
			while (cap - lb->len < n + 1)
				cap *= 2;
			b = realloc(lb->buf, cap);
			if (!b)
				return -ENOMEM;
			lb->buf = b;
			lb->cap = cap;
		}
	}
	memcpy(lb->buf + lb->len, d, n);
	lb->len += n;
	return 0;
}

static int take(struct linebuf *lb, size_t end, size_t next, char **line,
		size_t *len)
{
	char *s = lb->buf + lb->start;
	size_t n = end - lb->start;

	lb->start = next;
	if (n > lb->max)
		return -E2BIG;
	if (n && s[n - 1] == '\r')
		n--;
	s[n] = '\0';
	*line = s;
	*len = n;
	return 1;
}

int linebuf_next(struct linebuf *lb, char **line, size_t *len)
{
	char *s, *nl;
	size_t n = lb->len - lb->start;

	if (!n)
		return 0;
	s = lb->buf + lb->start;
	nl = memchr(s, '\n', n);
	if (nl)
		return take(lb, (size_t)(nl - lb->buf), (size_t)(nl - lb->buf) + 1,
			    line, len);
	if (n > lb->max) {
		/* no newline yet and already too long: drop what we have
		 * and the rest of the line as it arrives
		 */
		lb->start = lb->len = 0;
		lb->discarding = true;
		return -E2BIG;
	}
	return 0;
}

int linebuf_rest(struct linebuf *lb, char **line, size_t *len)
{
	int rc = linebuf_next(lb, line, len);

	if (rc || lb->len == lb->start)
		return rc;
	/* append has always kept one spare byte for the NUL */
	return take(lb, lb->len, lb->len, line, len);
}

/* ------------------------------------------------------------- requests */

static int fail(const char **code, const char *c, char *msg, size_t msglen,
		const char *fmt, const char *arg)
{
	*code = c;
	snprintf(msg, msglen, fmt, arg);
	return -1;
}

int ctlproto_parse_request(const char *line, size_t len, json_object **req,
			   const char **code, char *msg, size_t msglen)
{
	struct json_tokener *tok;
	json_object *obj, *op, *id;
	enum json_tokener_error jerr;
	size_t end;

	*req = NULL;
	if (len > (size_t)INT32_MAX)
		return fail(code, CTL_E_PARSE, msg, msglen, "%s", "too long");
	tok = json_tokener_new_ex(CTL_JSON_DEPTH);
	if (!tok)
		return fail(code, CTL_E_INTERNAL, msg, msglen, "%s",
			    "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
				    JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, line, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (!obj && jerr == json_tokener_continue) {
		/* a bare number or literal may go on: a NUL ends it */
		obj = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		end = len;
	}
	json_tokener_free(tok);
	if (jerr == json_tokener_continue) {
		json_object_put(obj);
		return fail(code, CTL_E_PARSE, msg, msglen, "%s",
			    "invalid JSON: unexpected end of line");
	}
	if (!obj && jerr == json_tokener_success) {
		/* "null" parses to a NULL object */
		return fail(code, CTL_E_REQUEST, msg, msglen, "%s",
			    "the request must be a JSON object");
	}
	if (jerr != json_tokener_success) {
		json_object_put(obj);
		return fail(code, CTL_E_PARSE, msg, msglen, "invalid JSON: %s",
			    json_tokener_error_desc(jerr));
	}
	for (; end < len; end++) {
		if (!strchr(" \t\r", line[end])) {
			json_object_put(obj);
			return fail(code, CTL_E_PARSE, msg, msglen, "%s",
				    "invalid JSON: data after the object");
		}
	}
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return fail(code, CTL_E_REQUEST, msg, msglen, "%s",
			    "the request must be a JSON object");
	}
	if (json_object_object_get_ex(obj, "id", &id) &&
	    !json_object_is_type(id, json_type_int) &&
	    !json_object_is_type(id, json_type_double) &&
	    !(json_object_is_type(id, json_type_string) &&
	      json_object_get_string_len(id) <= CTL_ID_MAX)) {
		json_object_put(obj);
		return fail(code, CTL_E_REQUEST, msg, msglen, "%s",
			    "\"id\" must be a number or a short string");
	}
	if (!json_object_object_get_ex(obj, "op", &op) ||
	    !json_object_is_type(op, json_type_string) ||
	    json_object_get_string_len(op) < 1 ||
	    json_object_get_string_len(op) > CTL_OP_MAX) {
		json_object_put(obj);
		return fail(code, CTL_E_REQUEST, msg, msglen, "%s",
			    "missing \"op\" (a string naming the operation)");
	}
	*req = obj;
	return 0;
}

const char *ctlproto_op(json_object *req)
{
	json_object *op;

	if (!json_object_object_get_ex(req, "op", &op))
		return "";
	return json_object_get_string(op);
}

/* --------------------------------------------------------------- replies */

static json_object *envelope(json_object *id, bool ok)
{
	json_object *r = json_object_new_object();

	if (!r)
		return NULL;
	if (id)
		json_object_object_add(r, "id", json_object_get(id));
	json_object_object_add(r, "ok", json_object_new_boolean(ok));
	return r;
}

json_object *ctlproto_reply_ok(json_object *id, json_object *result)
{
	json_object *r = envelope(id, true);

	if (!r) {
		json_object_put(result);
		return NULL;
	}
	json_object_object_add(r, "result",
			       result ? result : json_object_new_object());
	return r;
}

json_object *ctlproto_reply_err(json_object *id, const char *code,
				const char *fmt, ...)
{
	json_object *r = envelope(id, false), *e;
	char buf[512];
	va_list ap;

	if (!r)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	e = json_object_new_object();
	json_object_object_add(e, "code", json_object_new_string(code));
	json_object_object_add(e, "message", json_object_new_string(buf));
	json_object_object_add(r, "error", e);
	return r;
}

char *ctlproto_line(json_object *obj, size_t *len)
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

/* ------------------------------------------------------- authorisation */

bool ctlproto_is_admin(uid_t uid, uid_t admin_uid)
{
	return uid == 0 || (admin_uid != (uid_t)-1 && uid == admin_uid);
}

bool ctlproto_may(enum ctl_access access, uid_t uid, uid_t admin_uid)
{
	return access == CTL_ANYONE || ctlproto_is_admin(uid, admin_uid);
}

bool ctlproto_may_see_task(bool admin, uid_t uid, uid_t owner)
{
	return admin || uid == owner;
}
