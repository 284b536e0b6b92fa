/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ssiclient.h - libssiclient: talking to ssid over its control socket
 * (protocol: doc/ssid.8, CONTROL SOCKET), for every client there is:
 * ssictl, the SPANK plugin in slurmstepd, select/ssi in slurmctld.
 *
 * One request, one reply line, all within a deadline.  The library never
 * prints, never exits, never raises SIGPIPE and never blocks past the
 * deadline; it links nothing but json-c and libc and is built PIC, so
 * the plugins Slurm dlopens carry it.  Every call ends in one of three
 * outcomes:
 *   SSICLIENT_OK        ssid answered {"ok": true, "result": ...}
 *   SSICLIENT_REFUSED   ssid answered {"ok": false, "error": {code, message}}
 *   any SSICLIENT_E_*   no answer: cannot connect, timeout, closed,
 *                       malformed or over-long reply, ...
 * and leaves the details in the struct ssiclient it was given.
 *
 * The line framing (linebuf.h) and the policy names (policy.h) are the
 * other two parts of the library.
 */
#ifndef SSI_CLIENT_SSICLIENT_H
#define SSI_CLIENT_SSICLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "client/linebuf.h"

/* The longest reply a client reads unless told otherwise: select/ssi's
 * node table of a big cluster fits.
 */
#define SSICLIENT_REPLY_MAX	(4u << 20)

typedef enum ssiclient_err {
	SSICLIENT_OK = 0,	/* ssid answered "ok": true */
	SSICLIENT_REFUSED,	/* ssid answered an error: ssid_code, ssid_message */
	SSICLIENT_E_CONNECT,	/* socket path, socket(2) or connect(2): errnum */
	SSICLIENT_E_TIMEOUT,	/* the deadline passed */
	SSICLIENT_E_IO,		/* send(2), recv(2) or poll(2) failed: errnum */
	SSICLIENT_E_CLOSED,	/* ssid closed the connection without a reply */
	SSICLIENT_E_TOOLONG,	/* the reply line exceeds reply_max */
	SSICLIENT_E_MALFORMED,	/* the reply is not a JSON object with "ok" */
	SSICLIENT_E_NOMEM,
} ssiclient_err_t;

/*
 * One conversation with ssid.  The caller allocates it (the stack is
 * fine), sets it up with ssiclient_init() and reads the public members;
 * the rest is the library's.
 */
struct ssiclient {
	/* set by ssiclient_init(); may be changed before ssiclient_connect() */
	const char *path;	/* the socket; not copied */
	int timeout_ms;		/* from ssiclient_connect() to the reply */
	size_t reply_max;	/* longest reply line accepted */

	/* the outcome of the last call */
	ssiclient_err_t err;
	int errnum;		/* the errno behind SSICLIENT_E_CONNECT or _IO */
	char ssid_code[64];	/* SSICLIENT_REFUSED: ssid's error code */
	char ssid_message[512];	/* SSICLIENT_REFUSED: ssid's error message */
	char msg[640];		/* what happened, for a log or a person:
				 * "ssid refused: <ssid_message>", or the
				 * failure ("cannot reach ssid at ...")
				 */

	/* private */
	int fd;
	uint64_t deadline_ms;
	struct linebuf in;
};

/*
 * ssiclient_init - set up @c to talk to the ssid listening on @path,
 * allowing @timeout_ms for a whole conversation, and replies of up to
 * SSICLIENT_REPLY_MAX bytes.  Nothing is allocated or connected yet.
 * @path must stay valid while @c is used.
 */
void ssiclient_init(struct ssiclient *c, const char *path, int timeout_ms);

/*
 * ssiclient_connect - connect to @c->path; the deadline, @c->timeout_ms
 * from now, starts here.
 * Return: SSICLIENT_OK, SSICLIENT_E_CONNECT (@c->errnum: ENOENT or
 * ECONNREFUSED when nobody listens there, i.e. ssid is not running;
 * ENAMETOOLONG for a path too long for a socket) or SSICLIENT_E_TIMEOUT.
 * On failure @c holds nothing to close (ssiclient_close() is harmless).
 */
ssiclient_err_t ssiclient_connect(struct ssiclient *c);

/*
 * ssiclient_send - send @req (not consumed: the caller still puts it) as
 * one request line.
 * ssiclient_send_line - send @line as it is (a raw request: `ssictl
 * request`), followed by a newline.  It must not contain one itself.
 * Return: SSICLIENT_OK, SSICLIENT_E_TIMEOUT, SSICLIENT_E_IO (@c->errnum,
 * e.g. EPIPE when ssid went away: no SIGPIPE is raised) or
 * SSICLIENT_E_NOMEM.
 */
ssiclient_err_t ssiclient_send(struct ssiclient *c, json_object *req);
ssiclient_err_t ssiclient_send_line(struct ssiclient *c, const char *line);

/*
 * ssiclient_recv_line - wait, until the deadline, for the next reply line.
 * @line, @len: the line, NUL-terminated, without its newline.  It belongs
 *              to @c and stays valid until the next call on @c.
 * Return: SSICLIENT_OK, SSICLIENT_E_TIMEOUT, SSICLIENT_E_CLOSED,
 * SSICLIENT_E_TOOLONG (over @c->reply_max), SSICLIENT_E_IO or
 * SSICLIENT_E_NOMEM.
 */
ssiclient_err_t ssiclient_recv_line(struct ssiclient *c, char **line,
				    size_t *len);

/*
 * ssiclient_parse_reply - make sense of reply line @line (NUL-terminated).
 * @reply: SSICLIENT_OK: the whole reply object, which the caller puts
 *         (its "result" through ssiclient_result()).  NULL otherwise.
 * Return: SSICLIENT_OK; SSICLIENT_REFUSED with @c->ssid_code and
 * @c->ssid_message ("?" and "unknown error" when ssid gave none);
 * SSICLIENT_E_MALFORMED (not a JSON object with an "ok" member; @c->msg
 * quotes the start of it).
 */
ssiclient_err_t ssiclient_parse_reply(struct ssiclient *c, const char *line,
				      json_object **reply);

/*
 * ssiclient_result - the "result" of a reply from ssiclient_parse_reply()
 * or ssiclient_call(): a reference borrowed from @reply (NULL when it has
 * none).
 */
json_object *ssiclient_result(json_object *reply);

/*
 * ssiclient_close - close the connection and free what @c holds; @c may
 * be connected again.  Harmless on a closed or never connected @c.
 */
void ssiclient_close(struct ssiclient *c);

/*
 * ssiclient_call - the whole conversation: connect, send @req (not
 * consumed), read and parse the reply, close.
 * @reply: as ssiclient_parse_reply(); may be NULL when the caller needs
 *         only the outcome.
 * Return: as ssiclient_connect(), ssiclient_send(), ssiclient_recv_line()
 * and ssiclient_parse_reply(); the details are in @c.
 */
ssiclient_err_t ssiclient_call(struct ssiclient *c, json_object *req,
			       json_object **reply);

/*
 * ssiclient_line - @obj as the one line it is sent as: plain JSON and a
 * '\n' (the daemon's replies too).  Returns a string the caller frees,
 * its length in *@len, or NULL without memory.
 */
char *ssiclient_line(json_object *obj, size_t *len);

#endif /* SSI_CLIENT_SSICLIENT_H */
