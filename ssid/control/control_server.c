// SPDX-License-Identifier: GPL-2.0
/*
 * control_server.c - the control socket server (see control_server.h).
 *
 * Non-blocking throughout: a client that sends slowly, reads slowly or
 * sends garbage costs at most SSI_CTL_LINE_MAX of input buffer and
 * SSI_CTL_OUTQ_MAX of output, and never stalls the loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "client/linebuf.h"
#include "client/ssiclient.h"
#include "control/control_server.h"
#include "control/control_ops.h"
#include "control/control_proto.h"
#include "common/defaults.h"
#include "common/log.h"
#include "daemon/loop.h"

/* After EMFILE and friends, accepting resumes after this pause. */
#define ACCEPT_PAUSE_MS	1000

struct ctl_client {
	struct loop_handler h;		/* first: handler -> client */
	struct control *ctl;
	struct ctl_client *next;
	struct ucred cred;
	bool admin;
	struct linebuf in;
	char *out;			/* queued reply bytes */
	size_t out_len, out_off;
	bool eof;			/* the client will send nothing more */
	bool busy;			/* a request is being answered */
	bool deferred;			/* ... later, by ctl_client_reply */
	void (*cancel)(void *arg);	/* of a deferred request */
	void *cancel_arg;
	json_object *cur_id;		/* "id" of the request in hand */
	uint64_t last_active_ms;
	uint32_t events;		/* as registered with the loop */
};

struct control {
	struct loop_handler h;		/* the listening socket */
	struct loop *loop;
	struct ctlops *ops;
	uid_t admin_uid;
	char *path;
	struct ctl_client *clients;
	unsigned int nclients;
	bool accepting;
	uint64_t resume_ms;		/* when accepting resumes */
};

static void client_flush(struct ctl_client *cl);
static void client_process(struct ctl_client *cl);

/* ---------------------------------------------------------------- client */

uid_t ctl_client_uid(const struct ctl_client *cl)
{
	return cl->cred.uid;
}

pid_t ctl_client_pid(const struct ctl_client *cl)
{
	return cl->cred.pid;
}

bool ctl_client_admin(const struct ctl_client *cl)
{
	return cl->admin;
}

static void client_close(struct ctl_client *cl)
{
	struct control *c = cl->ctl;
	struct ctl_client **pp;

	for (pp = &c->clients; *pp; pp = &(*pp)->next) {
		if (*pp == cl) {
			*pp = cl->next;
			break;
		}
	}
	c->nclients--;
	if (cl->busy && cl->cancel)
		cl->cancel(cl->cancel_arg);
	loop_del(c->loop, &cl->h);
	close(cl->h.fd);
	linebuf_free(&cl->in);
	json_object_put(cl->cur_id);
	free(cl->out);
	log_debug("control: client pid %d uid %u disconnected",
		  (int)cl->cred.pid, (unsigned int)cl->cred.uid);
	free(cl);
}

/* Register the events the client's state calls for; close it if done. */
static void client_update(struct ctl_client *cl)
{
	uint32_t ev = 0;

	if (!cl->eof && !cl->busy && cl->out_len < SSI_CTL_OUTQ_MAX)
		ev |= EPOLLIN;
	if (cl->out_len > cl->out_off)
		ev |= EPOLLOUT;
	if (!ev && cl->eof && !cl->busy) {
		client_close(cl);
		return;
	}
	if (!ev) {
		/* waiting for a deferred reply with nothing to read or write:
		 * watch only for the client hanging up, edge-triggered, so
		 * that a hung-up socket neither spins the loop nor keeps a
		 * long request running for nobody
		 */
		ev = EPOLLRDHUP | EPOLLET;
	}
	if (ev != cl->events && loop_mod(cl->ctl->loop, &cl->h, ev))
		log_warn("control: epoll: %m");
	cl->events = ev;
}

void ctl_client_reply(struct ctl_client *cl, json_object *reply)
{
	size_t len;
	char *line = reply ? ssiclient_line(reply, &len) : NULL;
	bool deferred = cl->deferred;

	json_object_put(reply);
	json_object_put(cl->cur_id);
	cl->cur_id = NULL;
	cl->busy = false;
	cl->deferred = false;
	cl->cancel = NULL;
	cl->cancel_arg = NULL;
	if (!line) {
		log_err("control: out of memory for a reply; closing the client");
		cl->eof = true;
		cl->out_len = cl->out_off = 0;
		return;
	}
	if (cl->out_off == cl->out_len)
		cl->out_off = cl->out_len = 0;
	{
		char *o = realloc(cl->out, cl->out_len + len);

		if (!o) {
			free(line);
			cl->eof = true;
			return;
		}
		cl->out = o;
	}
	memcpy(cl->out + cl->out_len, line, len);
	cl->out_len += len;
	free(line);
	/* A deferred reply comes from another module's callback: only ask
	 * for EPOLLOUT here; writing and further requests go through the
	 * client's own handler, never re-entering the caller.
	 */
	if (deferred)
		client_update(cl);
}

void ctl_client_defer(struct ctl_client *cl, void (*cancel)(void *arg),
		      void *arg)
{
	cl->deferred = true;
	cl->cancel = cancel;
	cl->cancel_arg = arg;
}

static void client_request(struct ctl_client *cl, char *line, size_t len)
{
	char msg[256];
	const char *code;
	json_object *req, *id = NULL;

	cl->busy = true;
	if (ctlproto_parse_request(line, len, &req, &code, msg, sizeof(msg))) {
		log_info("control: bad request from pid %d uid %u: %s",
			 (int)cl->cred.pid, (unsigned int)cl->cred.uid, msg);
		ctl_client_reply(cl, ctlproto_reply_err(NULL, code, "%s", msg));
		return;
	}
	if (json_object_object_get_ex(req, "id", &id))
		cl->cur_id = json_object_get(id);
	ctlops_handle(cl->ctl->ops, cl, req, cl->cur_id);
	json_object_put(req);
}

/* Answer every complete line, in order, until one is deferred. */
static void client_process(struct ctl_client *cl)
{
	char *line;
	size_t len;
	int rc;

	while (!cl->busy && cl->out_len < SSI_CTL_OUTQ_MAX) {
		rc = linebuf_next(&cl->in, &line, &len);
		if (rc == 0 && cl->eof)
			rc = linebuf_rest(&cl->in, &line, &len);
		if (rc == 0)
			break;
		if (rc == -E2BIG) {
			log_info("control: request from pid %d longer than %d bytes",
				 (int)cl->cred.pid, SSI_CTL_LINE_MAX);
			cl->busy = true;
			ctl_client_reply(cl, ctlproto_reply_err(NULL,
				CTL_E_TOOLONG, "request longer than %d bytes",
				SSI_CTL_LINE_MAX));
			continue;
		}
		if (len == 0 || strspn(line, " \t") == len)
			continue;	/* blank lines are keep-alives */
		client_request(cl, line, len);
	}
	client_flush(cl);
}

static void client_flush(struct ctl_client *cl)
{
	ssize_t n;

	while (cl->out_off < cl->out_len) {
		n = send(cl->h.fd, cl->out + cl->out_off,
			 cl->out_len - cl->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			/* EPIPE, ECONNRESET: the client is gone */
			log_debug("control: pid %d: send: %m",
				  (int)cl->cred.pid);
			cl->out_off = cl->out_len = 0;
			cl->eof = true;
			linebuf_free(&cl->in);
			break;
		}
		cl->out_off += (size_t)n;
		cl->last_active_ms = clock_mono_ms();
	}
	if (cl->out_off == cl->out_len)
		cl->out_off = cl->out_len = 0;
	client_update(cl);
}

static void client_read(struct ctl_client *cl)
{
	char buf[16384];
	ssize_t n;
	int reads = 0;

	/* bounded, so one chatty client cannot starve the others */
	while (reads++ < 8 && !cl->eof) {
		n = recv(cl->h.fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				log_debug("control: pid %d: recv: %m",
					  (int)cl->cred.pid);
				cl->eof = true;
			}
			break;
		}
		if (n == 0) {
			cl->eof = true;
			break;
		}
		cl->last_active_ms = clock_mono_ms();
		if (linebuf_append(&cl->in, buf, (size_t)n)) {
			log_err("control: out of memory; closing a client");
			cl->eof = true;
			linebuf_free(&cl->in);
			break;
		}
		/* stop reading once a full line is here: it is answered
		 * before more input is taken in
		 */
		if (memchr(buf, '\n', (size_t)n))
			break;
	}
}

static void client_ready(struct loop_handler *h, uint32_t events)
{
	struct ctl_client *cl = (struct ctl_client *)h;

	if (cl->busy && (events & (EPOLLHUP | EPOLLERR))) {
		/* gone for good (a half-close is only EPOLLRDHUP): drop the
		 * deferred request
		 */
		log_debug("control: client pid %d hung up during a request",
			  (int)cl->cred.pid);
		client_close(cl);
		return;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		client_read(cl);
	client_process(cl);
}

/* -------------------------------------------------------------- listener */

static void listener_ready(struct loop_handler *h, uint32_t events)
{
	struct control *c = (struct control *)h;
	struct ctl_client *cl;
	socklen_t len;
	int fd;

	for (;;) {
		fd = accept4(c->h.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED ||
			    errno == EPROTO)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			/* EMFILE, ENFILE, ENOBUFS, ENOMEM: shed load */
			log_warn("control: accept: %m; pausing for %d ms",
				 ACCEPT_PAUSE_MS);
			loop_del(c->loop, &c->h);
			c->accepting = false;
			c->resume_ms = clock_mono_ms() + ACCEPT_PAUSE_MS;
			return;
		}
		if (c->nclients >= SSI_CTL_CLIENTS_MAX) {
			log_warn("control: more than %d clients; refusing one",
				 SSI_CTL_CLIENTS_MAX);
			close(fd);
			continue;
		}
		cl = calloc(1, sizeof(*cl));
		if (!cl) {
			close(fd);
			continue;
		}
		len = sizeof(cl->cred);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cl->cred, &len)) {
			log_warn("control: SO_PEERCRED: %m; refusing a client");
			close(fd);
			free(cl);
			continue;
		}
		cl->h.fd = fd;
		cl->h.cb = client_ready;
		cl->ctl = c;
		cl->admin = ctlproto_is_admin(cl->cred.uid, c->admin_uid);
		cl->last_active_ms = clock_mono_ms();
		cl->events = EPOLLIN;
		linebuf_init(&cl->in, SSI_CTL_LINE_MAX);
		if (loop_add(c->loop, &cl->h, EPOLLIN)) {
			log_warn("control: epoll: %m; refusing a client");
			close(fd);
			free(cl);
			continue;
		}
		cl->next = c->clients;
		c->clients = cl;
		c->nclients++;
		log_debug("control: client pid %d uid %u%s connected",
			  (int)cl->cred.pid, (unsigned int)cl->cred.uid,
			  cl->admin ? " (admin)" : "");
	}
}

uint64_t control_timer(struct control *c, uint64_t now)
{
	struct ctl_client *cl, *next;
	uint64_t deadline = LOOP_NEVER, d;

	if (!c->accepting) {
		if (now >= c->resume_ms) {
			if (loop_add(c->loop, &c->h, EPOLLIN) == 0)
				c->accepting = true;
			else
				c->resume_ms = now + ACCEPT_PAUSE_MS;
		}
		if (!c->accepting)
			deadline = c->resume_ms;
	}
	for (cl = c->clients; cl; cl = next) {
		next = cl->next;
		if (cl->busy)
			continue;
		d = cl->last_active_ms + SSI_CTL_IDLE_MS;
		if (now >= d) {
			log_info("control: closing idle client pid %d",
				 (int)cl->cred.pid);
			client_close(cl);
		} else if (d < deadline) {
			deadline = d;
		}
	}
	return deadline;
}

/* Is something answering on @path?  1 yes, 0 no (stale or absent). */
static int socket_alive(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, rc;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	strcpy(sa.sun_path, path);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return rc == 0;
}

struct control *control_create(const char *path, struct loop *loop,
			       struct ctlops *ops, uid_t admin_uid,
			       char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct control *c;
	struct stat st;
	char *dir;
	mode_t old;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s: path too long for a socket", path);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	dir = strdup(path);
	if (c)
		c->path = strdup(path);
	if (!c || !c->path || !dir) {
		if (c)
			free(c->path);
		free(c);
		free(dir);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->loop = loop;
	c->ops = ops;
	c->admin_uid = admin_uid;
	c->h.fd = -1;
	c->h.cb = listener_ready;

	if (mkdir(dirname(dir), 0755) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %m", dir);
		free(dir);
		goto fail;
	}
	free(dir);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a socket",
				 path);
			goto fail;
		}
		if (socket_alive(path)) {
			snprintf(err, errlen, "%s: another ssid is running",
				 path);
			goto fail;
		}
		unlink(path);
	}
	c->h.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			 0);
	if (c->h.fd < 0) {
		snprintf(err, errlen, "socket: %m");
		goto fail;
	}
	strcpy(sa.sun_path, path);
	/* bind creates the inode with the umask: make it 0666 directly */
	old = umask(0);
	if (bind(c->h.fd, (struct sockaddr *)&sa, sizeof(sa))) {
		umask(old);
		snprintf(err, errlen, "bind %s: %m", path);
		goto fail;
	}
	umask(old);
	if (listen(c->h.fd, 64)) {
		snprintf(err, errlen, "listen %s: %m", path);
		unlink(path);
		goto fail;
	}
	if (loop_add(loop, &c->h, EPOLLIN)) {
		snprintf(err, errlen, "epoll: %m");
		unlink(path);
		goto fail;
	}
	c->accepting = true;
	log_info("control socket %s", path);
	return c;
fail:
	if (c->h.fd >= 0)
		close(c->h.fd);
	free(c->path);
	free(c);
	return NULL;
}

void control_destroy(struct control *c)
{
	if (!c)
		return;
	while (c->clients)
		client_close(c->clients);
	if (c->accepting)
		loop_del(c->loop, &c->h);
	close(c->h.fd);
	unlink(c->path);
	free(c->path);
	free(c);
}
