// SPDX-License-Identifier: GPL-2.0
/*
 * control_proto.c - control requests' validation, reply envelopes and
 * access rules.  The line framing and the line a JSON object is sent as
 * are libssiclient's (client/), which every client shares.
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
