/* SPDX-License-Identifier: GPL-2.0 */
/*
 * control_proto.h - ssid's side of the control socket protocol: request
 * validation, reply envelopes, who may do what.  The clients' side (and
 * the line framing both use) is libssiclient, client/ssiclient.h.
 *
 * One JSON object per line in each direction (newline-delimited JSON; a
 * request or reply never contains a raw newline, json-c escapes them).
 *   request: {"op": "show_nodes", "id": 7, ...arguments}
 *   reply:   {"id": 7, "ok": true, "result": {...}}
 *            {"id": 7, "ok": false, "error": {"code": "...", "message": "..."}}
 * "id" is optional and echoed as given (a number or a string).  Replies come
 * in request order.  The full description is in doc/ssid.8 (CONTROL SOCKET).
 *
 * Everything here is pure (no I/O) so that it can be unit-tested.
 */
#ifndef SSID_CONTROL_PROTO_H
#define SSID_CONTROL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <json-c/json.h>

#define SSI_CTL_PROTO_VERSION	1

/* Error codes of replies (the "code" member). */
#define CTL_E_PARSE	"parse_error"		/* not JSON */
#define CTL_E_REQUEST	"bad_request"		/* JSON, but not a valid request */
#define CTL_E_UNKNOWN	"unknown_op"		/* no such "op" */
#define CTL_E_PERM	"permission_denied"	/* op needs an administrator */
#define CTL_E_TOOLONG	"too_long"		/* line over SSI_CTL_LINE_MAX */
#define CTL_E_NONODE	"no_such_node"
#define CTL_E_NOTCONN	"not_connected"
#define CTL_E_TIMEOUT	"timeout"
#define CTL_E_NOPROC	"no_such_process"
#define CTL_E_NOTASK	"no_such_task"
#define CTL_E_MIGRATE	"migration_failed"	/* the process stays home */
#define CTL_E_INTERNAL	"internal_error"

/* ------------------------------------------------------------- requests */

/*
 * ctlproto_parse_request - parse one request line.
 * @line/@len: the line (need not be NUL-terminated).
 * @req:       on success, the request object (caller puts it).
 * @code:      on failure, CTL_E_PARSE or CTL_E_REQUEST.
 * @msg:       on failure, a human-readable reason.
 * Valid: a JSON object (nesting depth at most 16, valid UTF-8, nothing but
 * white space after it) with a string member "op" of 1-64 characters and
 * an optional "id" that is a number or a string of at most 128 bytes.
 * Returns 0 or -1.
 */
int ctlproto_parse_request(const char *line, size_t len, json_object **req,
			   const char **code, char *msg, size_t msglen);

/* ctlproto_op - the "op" of a request parsed by ctlproto_parse_request(). */
const char *ctlproto_op(json_object *req);

/* --------------------------------------------------------------- replies */

/*
 * ctlproto_reply_ok - {"id": @id, "ok": true, "result": @result}.
 * Takes ownership of @result (may be NULL for {}), takes a new reference
 * on @id (may be NULL: no "id" member).  Returns NULL only without memory.
 */
json_object *ctlproto_reply_ok(json_object *id, json_object *result);

/*
 * ctlproto_reply_err - {"id": @id, "ok": false, "error": {"code": @code,
 * "message": ...}}.  As ctlproto_reply_ok() for @id.
 */
json_object *ctlproto_reply_err(json_object *id, const char *code,
				const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------- authorisation */

/* Who may run an op. */
enum ctl_access {
	CTL_ANYONE,	/* read-only views: any local user */
	CTL_ADMIN,	/* changes the daemon: root or SlurmUser */
};

/*
 * ctlproto_is_admin - whether a peer with @uid (from SO_PEERCRED) is an
 * administrator: root, or @admin_uid ((uid_t)-1: nobody but root).
 */
bool ctlproto_is_admin(uid_t uid, uid_t admin_uid);

/*
 * ctlproto_may - whether @uid may run an op needing @access.
 */
bool ctlproto_may(enum ctl_access access, uid_t uid, uid_t admin_uid);

/*
 * ctlproto_may_see_task - whether a client (@admin as ctlproto_is_admin()
 * said, with @uid) may see or act on a task owned by @owner:
 * administrators see all, users their own.
 */
bool ctlproto_may_see_task(bool admin, uid_t uid, uid_t owner);

#endif /* SSID_CONTROL_PROTO_H */
