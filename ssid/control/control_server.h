/* SPDX-License-Identifier: GPL-2.0 */
/*
 * control_server.h - the control socket: a listening AF_UNIX stream socket, its
 * clients, their credentials (SO_PEERCRED) and the line framing.  What a
 * request does is in control_ops.c.
 */
#ifndef SSID_CONTROL_SERVER_H
#define SSID_CONTROL_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

struct loop;
struct control;
struct ctl_client;
struct ctlops;

/*
 * control_create - bind @path (mode 0666: every local user may connect;
 * what they may do is decided per request from their credentials), after
 * removing a stale socket left by a dead ssid.  Refuses to start when
 * another ssid answers on @path.  Creates the parent directory (0755) if
 * missing.
 * @ops:       what runs the requests; must outlive the result.
 * @admin_uid: uid besides root allowed administrative ops, or (uid_t)-1.
 * Returns NULL with @err set on failure.
 */
struct control *control_create(const char *path, struct loop *loop,
			       struct ctlops *ops, uid_t admin_uid,
			       char *err, size_t errlen);

/*
 * control_destroy - close every client (cancelling deferred requests),
 * close and unlink the socket, free @c.  NULL is fine.
 */
void control_destroy(struct control *c);

/*
 * control_timer - close idle clients, resume accepting after EMFILE.
 * Returns the next deadline.
 */
uint64_t control_timer(struct control *c, uint64_t now_ms);

/* --- for control_ops.c --------------------------------------------------- */

/* The credentials of @cl, from SO_PEERCRED at accept time. */
uid_t ctl_client_uid(const struct ctl_client *cl);
pid_t ctl_client_pid(const struct ctl_client *cl);
bool ctl_client_admin(const struct ctl_client *cl);

/*
 * ctl_client_reply - queue @reply (takes ownership) as the answer to the
 * request being handled on @cl.  Exactly one reply per request: either
 * while ctlops_handle() runs, or later for a deferred request.
 */
void ctl_client_reply(struct ctl_client *cl, json_object *reply);

/*
 * ctl_client_defer - the request on @cl will be answered later; if the
 * client goes away first, @cancel(@arg) is called (and no reply is sent).
 * Requests after a deferred one wait until it is answered.
 */
void ctl_client_defer(struct ctl_client *cl, void (*cancel)(void *arg),
		      void *arg);

#endif /* SSID_CONTROL_SERVER_H */
