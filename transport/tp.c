// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tp.c - the endpoint: creation and teardown, the epoll reactor that
 * drives plugins, deferred work, deadlines, logging and error strings.
 *
 * Init order: copy config -> epoll -> eventfd (kick) -> timerfd -> munge
 * context -> plugin load -> plugin init.  Teardown in reverse.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>

#include "internal.h"

static const char *const err_str[SSI_TP_ERR_LAST] = {
	[SSI_TP_OK] = "Success",
	[SSI_TP_ERR_SNAFU] = "Internal error",
	[SSI_TP_ERR_BAD_ARG] = "Invalid argument",
	[SSI_TP_ERR_NO_MEMORY] = "Out of memory",
	[SSI_TP_ERR_PLUGIN] = "Transport plugin unavailable",
	[SSI_TP_ERR_UNSUPPORTED] = "Not supported by the transport plugin",
	[SSI_TP_ERR_SYSTEM] = "System call failed",
	[SSI_TP_ERR_AGAIN] = "Send queue full",
	[SSI_TP_ERR_NOT_CONNECTED] = "Connection not established",
	[SSI_TP_ERR_TOO_BIG] = "Message too large",
	[SSI_TP_ERR_CONNECT] = "Connection failed",
	[SSI_TP_ERR_MUNGE] = "Munge failure",
	[SSI_TP_ERR_AUTH] = "Authentication failed",
	[SSI_TP_ERR_PROTOCOL] = "Protocol violation by peer",
	[SSI_TP_ERR_VERSION] = "Protocol version mismatch",
	[SSI_TP_ERR_TIMEOUT] = "Handshake timed out",
	[SSI_TP_ERR_PEER_CLOSED] = "Connection closed by peer",
	[SSI_TP_ERR_CLOSED] = "Connection closed",
	[SSI_TP_ERR_SHUTDOWN] = "Endpoint shut down",
};

const char *ssi_tp_strerror(ssi_tp_err_t err)
{
	if ((unsigned int)err >= SSI_TP_ERR_LAST || !err_str[err])
		return "Unknown error";
	return err_str[err];
}

void ssi_tp_config_init(struct ssi_tp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->peer_uid = 0;
	cfg->max_payload = SSI_TP_MAX_PAYLOAD_DEFAULT;
	cfg->sndq_max = SSI_TP_SNDQ_MAX_DEFAULT;
	cfg->handshake_timeout_ms = SSI_TP_HANDSHAKE_TIMEOUT_MS;
	cfg->protect = SSI_TP_PROTECT_INTEGRITY;
	cfg->user_type_max = 0xffff;
}

void ssi_tp_core_log(ssi_tp_t tp, int priority, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!tp->cb || !tp->cb->log)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tp->cb->log(priority, buf, tp->cb_arg);
}

void ssi_tp_core_errmsg(ssi_tp_t tp, const char *fmt, ...)
{
	char buf[sizeof(tp->errmsg)];
	va_list ap;

	/* via a copy: an argument may be tp->errmsg itself */
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	memcpy(tp->errmsg, buf, sizeof(buf));
}

int64_t ssi_tp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------------ */
/* Reactor                                                                  */

ssi_tp_err_t ssi_tp_core_watch(ssi_tp_t tp, struct ssi_tp_watch *w, int fd,
			       uint32_t events,
			       void (*fn)(struct ssi_tp_watch *, uint32_t))
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	w->fn = fn;
	w->fd = fd;
	if (epoll_ctl(tp->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		ssi_tp_core_errmsg(tp, "epoll_ctl add: %s", strerror(errno));
		w->fd = -1;
		return SSI_TP_ERR_SYSTEM;
	}
	return SSI_TP_OK;
}

ssi_tp_err_t ssi_tp_core_rewatch(ssi_tp_t tp, struct ssi_tp_watch *w,
				 uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	if (w->fd < 0)
		return SSI_TP_ERR_BAD_ARG;
	if (epoll_ctl(tp->epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0) {
		ssi_tp_core_errmsg(tp, "epoll_ctl mod: %s", strerror(errno));
		return SSI_TP_ERR_SYSTEM;
	}
	return SSI_TP_OK;
}

void ssi_tp_core_unwatch(ssi_tp_t tp, struct ssi_tp_watch *w)
{
	if (w->fd < 0)
		return;
	epoll_ctl(tp->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->fd = -1;
}

void ssi_tp_kick(struct ssi_tp *tp)
{
	uint64_t one = 1;

	if (tp->kicked || tp->in_dispatch)
		return;
	if (write(tp->kickfd, &one, sizeof(one)) == sizeof(one))
		tp->kicked = 1;
}

void ssi_tp_core_defer(ssi_tp_t tp, struct ssi_tp_deferred *d,
		       void (*fn)(struct ssi_tp_deferred *))
{
	d->fn = fn;
	d->next = tp->deferred;
	tp->deferred = d;
	ssi_tp_kick(tp);
}

/* Runs deferred work until none is left; work may defer more work. */
static void run_deferred(struct ssi_tp *tp)
{
	struct ssi_tp_deferred *list, *rev, *d;

	while ((list = tp->deferred)) {
		tp->deferred = NULL;
		for (rev = NULL; list; list = d) {	/* oldest first */
			d = list->next;
			list->next = rev;
			rev = list;
		}
		while (rev) {
			d = rev;
			rev = rev->next;
			d->fn(d);
		}
	}
}

static void kick_event(struct ssi_tp_watch *w, uint32_t events)
{
	struct ssi_tp *tp = ssi_container_of(w, struct ssi_tp, kick_w);
	uint64_t v;

	if (read(tp->kickfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		ssi_tp_core_log(tp, LOG_ERR, "eventfd read: %s", strerror(errno));
	tp->kicked = 0;
}

void ssi_tp_arm_timer(struct ssi_tp *tp)
{
	struct itimerspec its = {
		.it_interval = { 0, SSI_TP_TICK_MS * 1000000L },
		.it_value = { 0, SSI_TP_TICK_MS * 1000000L },
	};

	if (tp->timer_armed)
		return;
	if (timerfd_settime(tp->timerfd, 0, &its, NULL) == 0)
		tp->timer_armed = 1;
}

static void timer_event(struct ssi_tp_watch *w, uint32_t events)
{
	struct ssi_tp *tp = ssi_container_of(w, struct ssi_tp, timer_w);
	struct itimerspec off = { { 0, 0 }, { 0, 0 } };
	struct ssi_conn *c, *next;
	int64_t now = ssi_tp_now_ms();
	uint64_t ticks;
	int any = 0;

	if (read(tp->timerfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		ssi_tp_core_log(tp, LOG_ERR, "timerfd read: %s", strerror(errno));
	for (c = tp->conns; c; c = next) {
		next = c->next;
		ssi_conn_tick(c, now);
	}
	for (c = tp->conns; c; c = c->next)
		any |= c->deadline_ms != 0;
	if (!any && timerfd_settime(tp->timerfd, 0, &off, NULL) == 0)
		tp->timer_armed = 0;
}

/* ------------------------------------------------------------------------ */
/* Endpoint                                                                 */

static void tp_free(struct ssi_tp *tp)
{
	/* links' deferred frees return bulk buffers; the plugin releases
	 * what it attached to them while its state still exists */
	run_deferred(tp);
	ssi_tp_bulk_cache_drain(tp);
	if (tp->plugin.state)
		tp->plugin.ops.fini(tp->plugin.state);
	tp->plugin.state = NULL;
	run_deferred(tp);
	ssi_tp_plugin_unload(tp);
	if (tp->munge)
		munge_ctx_destroy(tp->munge);
	if (tp->timerfd >= 0)
		close(tp->timerfd);
	if (tp->kickfd >= 0)
		close(tp->kickfd);
	if (tp->epfd >= 0)
		close(tp->epfd);
	free(tp->node_name);
	free(tp->plugin_name);
	free(tp);
}

static ssi_tp_err_t create_fail(struct ssi_tp *tp, ssi_tp_err_t err,
				const char *what)
{
	if (what) {
		ssi_tp_core_errmsg(tp, "%s: %s", what, strerror(errno));
		ssi_tp_core_log(tp, LOG_ERR, "transport: %s", tp->errmsg);
	}
	tp_free(tp);
	return err;
}

ssi_tp_err_t ssi_tp_create(const struct ssi_tp_config *cfg, ssi_tp_t *tpp)
{
	struct ssi_tp *tp;
	ssi_tp_err_t err;
	munge_err_t merr;

	*tpp = NULL;
	if (!cfg || !cfg->cb || !cfg->cb->on_connect || !cfg->cb->on_message ||
	    !cfg->cb->on_close || !cfg->plugin || !cfg->node_name ||
	    !ssi_auth_name_ok(cfg->node_name) ||
	    cfg->max_payload == 0 || cfg->max_payload > SSI_TP_MAX_PAYLOAD_LIMIT ||
	    cfg->sndq_max == 0 || cfg->handshake_timeout_ms <= 0 ||
	    (unsigned int)cfg->protect > SSI_TP_PROTECT_ENCRYPT ||
	    cfg->user_type_max < SSI_TP_TYPE_USER_MIN)
		return SSI_TP_ERR_BAD_ARG;

	tp = calloc(1, sizeof(*tp));
	if (!tp)
		return SSI_TP_ERR_NO_MEMORY;
	tp->epfd = tp->kickfd = tp->timerfd = -1;
	tp->kick_w.fd = tp->timer_w.fd = -1;
	tp->cb = cfg->cb;
	tp->cb_arg = cfg->cb_arg;
	tp->peer_uid = cfg->peer_uid;
	tp->max_payload = cfg->max_payload;
	tp->sndq_max = cfg->sndq_max;
	tp->handshake_timeout_ms = cfg->handshake_timeout_ms;
	tp->protect = cfg->protect;
	/* a frame's payload may carry a tag on top of the message */
	tp->lim.max_payload = (uint32_t)cfg->max_payload + SSI_SEAL_TAG_LEN;
	tp->lim.user_type_max = cfg->user_type_max;
	tp->node_name = strdup(cfg->node_name);
	tp->plugin_name = strdup(cfg->plugin);
	if (!tp->node_name || !tp->plugin_name)
		return create_fail(tp, SSI_TP_ERR_NO_MEMORY, NULL);

	tp->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (tp->epfd < 0)
		return create_fail(tp, SSI_TP_ERR_SYSTEM, "epoll_create1");
	tp->kickfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (tp->kickfd < 0)
		return create_fail(tp, SSI_TP_ERR_SYSTEM, "eventfd");
	tp->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (tp->timerfd < 0)
		return create_fail(tp, SSI_TP_ERR_SYSTEM, "timerfd_create");
	if (ssi_tp_core_watch(tp, &tp->kick_w, tp->kickfd, EPOLLIN, kick_event) ||
	    ssi_tp_core_watch(tp, &tp->timer_w, tp->timerfd, EPOLLIN, timer_event))
		return create_fail(tp, SSI_TP_ERR_SYSTEM, NULL);

	tp->munge = munge_ctx_create();
	if (!tp->munge)
		return create_fail(tp, SSI_TP_ERR_NO_MEMORY, NULL);
	merr = EMUNGE_SUCCESS;
	if (cfg->munge_socket)
		merr = munge_ctx_set(tp->munge, MUNGE_OPT_SOCKET,
				     cfg->munge_socket);
	/* only the peer's service uid may decode our credentials */
	if (merr == EMUNGE_SUCCESS)
		merr = munge_ctx_set(tp->munge, MUNGE_OPT_UID_RESTRICTION,
				     cfg->peer_uid);
	if (merr != EMUNGE_SUCCESS) {
		ssi_tp_core_errmsg(tp, "munge_ctx_set: %s", munge_strerror(merr));
		return create_fail(tp, SSI_TP_ERR_MUNGE, NULL);
	}

	err = ssi_tp_plugin_load(tp, cfg->plugin_dir, cfg->plugin);
	if (err)
		return create_fail(tp, err, NULL);
	err = tp->plugin.ops.init(tp, cfg->plugin_opts, &tp->plugin.state);
	if (err) {
		tp->plugin.state = NULL;
		ssi_tp_core_log(tp, LOG_ERR, "transport %s: init: %s",
				cfg->plugin, tp->errmsg);
		return create_fail(tp, err, NULL);
	}
	*tpp = tp;
	return SSI_TP_OK;
}

void ssi_tp_destroy(ssi_tp_t tp)
{
	if (!tp)
		return;
	tp->destroying = 1;
	run_deferred(tp);
	while (tp->conns)
		ssi_conn_shutdown(tp->conns);
	run_deferred(tp);
	tp_free(tp);
}

ssi_tp_err_t ssi_tp_listen(ssi_tp_t tp, const char *addr, uint16_t port)
{
	ssi_tp_err_t err;

	if (tp->port) {
		ssi_tp_core_errmsg(tp, "already listening on port %u", tp->port);
		return SSI_TP_ERR_BAD_ARG;
	}
	tp->errmsg[0] = '\0';
	err = tp->plugin.ops.listen(tp->plugin.state, addr, port, &tp->port);
	if (err)
		tp->port = 0;
	return err;
}

uint16_t ssi_tp_port(ssi_tp_t tp)
{
	return tp->port;
}

int ssi_tp_fd(ssi_tp_t tp)
{
	return tp->epfd;
}

ssi_tp_err_t ssi_tp_dispatch(ssi_tp_t tp, int timeout_ms)
{
	struct epoll_event ev[64];
	struct ssi_tp_watch *w;
	int i, n;

	/* deferred work pending (e.g. on_close after ssi_conn_close) */
	if (tp->deferred)
		timeout_ms = 0;
	n = epoll_wait(tp->epfd, ev, 64, timeout_ms);
	if (n < 0) {
		if (errno == EINTR)
			return SSI_TP_OK;
		ssi_tp_core_errmsg(tp, "epoll_wait: %s", strerror(errno));
		return SSI_TP_ERR_SYSTEM;
	}
	tp->in_dispatch = 1;
	for (i = 0; i < n; i++) {
		w = ev[i].data.ptr;
		if (w->fd >= 0)		/* not unwatched meanwhile */
			w->fn(w, ev[i].events);
	}
	run_deferred(tp);
	tp->in_dispatch = 0;
	/* deferred by a callback after the round: keep the fd readable */
	if (tp->deferred)
		ssi_tp_kick(tp);
	return SSI_TP_OK;
}

const char *ssi_tp_node_name(ssi_tp_t tp)
{
	return tp->node_name;
}

const char *ssi_tp_plugin_name(ssi_tp_t tp)
{
	return tp->plugin_name;
}

const struct ssi_frame_limits *ssi_tp_core_limits(ssi_tp_t tp)
{
	return &tp->lim;
}

const char *ssi_tp_errmsg(ssi_tp_t tp)
{
	return tp->errmsg;
}
