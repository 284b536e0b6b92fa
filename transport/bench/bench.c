// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench.c - the transport side of the benchmark (server handler, client
 * measurements) and the report.  Prints, never asserts: the goals
 * (RTT <= 1.1x plain, throughput >= 0.9x plain) are shown beside the
 * ratios.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "bench_int.h"

#define SSI_BENCH_T_START	0xfb06	/* resets the server's count */
#define MAX_STREAMS		64

/* ------------------------------------------------------------------------ */
/* Server                                                                   */

/* Per connection: bytes received since START, and our CPU time then. */
struct stream {
	ssi_conn_t conn;
	uint64_t bytes;
	uint64_t cpu0;
};

static struct stream streams[MAX_STREAMS];

static struct stream *stream_of(ssi_conn_t conn)
{
	int i, free_slot = -1;

	for (i = 0; i < MAX_STREAMS; i++) {
		if (streams[i].conn == conn)
			return &streams[i];
		if (!streams[i].conn && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		free_slot = (int)((uintptr_t)conn % MAX_STREAMS);
	streams[free_slot].conn = conn;
	streams[free_slot].bytes = 0;
	streams[free_slot].cpu0 = thread_cpu_ns();
	return &streams[free_slot];
}

int ssi_bench_handle(ssi_conn_t conn, const struct ssi_tp_msg *msg)
{
	struct iovec v;
	struct stream *st;
	uint64_t reply[2];

	switch (msg->type) {
	case SSI_BENCH_T_ECHO:
		v.iov_base = (void *)msg->data;
		v.iov_len = msg->len;
		ssi_conn_send(conn, SSI_BENCH_T_ECHO_REPLY, &v, 1);
		return 1;
	case SSI_BENCH_T_ECHO_BULK: {
		void *b = msg->bulk_len ?
			  ssi_tp_bulk_alloc(ssi_conn_tp(conn), msg->bulk_len) : NULL;

		v.iov_base = (void *)msg->data;
		v.iov_len = msg->len;
		if (!b) {
			ssi_conn_send(conn, SSI_BENCH_T_BULK_REPLY, &v, 1);
			return 1;
		}
		memcpy(b, msg->bulk, msg->bulk_len);
		if (ssi_conn_send_bulk(conn, SSI_BENCH_T_BULK_REPLY, &v, 1, b,
				       msg->bulk_len))
			ssi_tp_bulk_free(ssi_conn_tp(conn), b);
		return 1;
	}
	case SSI_BENCH_T_START:
		st = stream_of(conn);
		st->bytes = 0;
		st->cpu0 = thread_cpu_ns();
		return 1;
	case SSI_BENCH_T_DATA:
		stream_of(conn)->bytes += msg->len + msg->bulk_len;
		return 1;
	case SSI_BENCH_T_END:		/* answer bytes and CPU ns used */
		st = stream_of(conn);
		reply[0] = st->bytes;
		reply[1] = thread_cpu_ns() - st->cpu0;
		v.iov_base = reply;
		v.iov_len = sizeof(reply);
		ssi_conn_send(conn, SSI_BENCH_T_DONE, &v, 1);
		st->bytes = 0;
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Client                                                                   */

struct client {
	ssi_tp_t tp;
	ssi_conn_t conn;
	int connected, closed, replies, writable, done;
	ssi_tp_err_t reason;
	char why[160];			/* the step that failed, and why */
	uint64_t done_bytes, done_cpu;
	FILE *out;
	int verbose;
	int keep;			/* copy replies (check mode) */
	uint8_t *data, *bulk;
	size_t len, bulk_len;
	int aligned;
	/* the watchdog: what we wait for, since when the peer last answered */
	char waiting[128];
	double progress_at, stall_s;
	const volatile sig_atomic_t *stop;
};

static double now_s(void);

/* The peer answered (or the connection changed): the watchdog restarts. */
static void progress(struct client *c)
{
	c->progress_at = now_s();
}

static void cl_connect(ssi_conn_t conn, const char *peer, void *arg)
{
	((struct client *)arg)->connected = 1;
	progress(arg);
}

static void cl_message(ssi_conn_t conn, const struct ssi_tp_msg *msg,
		       void *arg)
{
	struct client *c = arg;

	progress(c);
	if (msg->type == SSI_BENCH_T_ECHO_REPLY ||
	    msg->type == SSI_BENCH_T_BULK_REPLY) {
		if (c->keep) {
			free(c->data);
			free(c->bulk);
			c->data = malloc(msg->len + 1);
			c->bulk = malloc(msg->bulk_len + 1);
			if (c->data && msg->len)
				memcpy(c->data, msg->data, msg->len);
			if (c->bulk && msg->bulk_len)
				memcpy(c->bulk, msg->bulk, msg->bulk_len);
			c->len = msg->len;
			c->bulk_len = msg->bulk_len;
			c->aligned = ((uintptr_t)msg->bulk & 4095) == 0;
		}
		c->replies++;
	} else if (msg->type == SSI_BENCH_T_DONE && msg->len == 16) {
		memcpy(&c->done_bytes, msg->data, 8);
		memcpy(&c->done_cpu, (const uint8_t *)msg->data + 8, 8);
		c->done = 1;
	}
}

static void cl_writable(ssi_conn_t conn, void *arg)
{
	((struct client *)arg)->writable = 1;
	progress(arg);
}

static void cl_close(ssi_conn_t conn, ssi_tp_err_t reason, void *arg)
{
	struct client *c = arg;

	c->closed = 1;
	c->reason = reason;
	c->conn = NULL;
	progress(c);
}

static void cl_log(int prio, const char *msg, void *arg)
{
	struct client *c = arg;

	if (prio <= LOG_WARNING || c->verbose)
		fprintf(c->out, "  [transport] %s\n", msg);
}

static const struct ssi_tp_callbacks client_cbs = {
	.on_connect = cl_connect,
	.on_message = cl_message,
	.on_writable = cl_writable,
	.on_close = cl_close,
	.log = cl_log,
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * Says what we waited for and where the connection stands, once the
 * watchdog or a signal gave up on it (the caller then destroys the
 * endpoint, which disconnects and tears the RDMA objects down in order).
 */
static void give_up(struct client *c, const char *why)
{
	char state[512] = "gone";

	if (c->conn)
		ssi_conn_describe(c->conn, state, sizeof(state));
	snprintf(c->why, sizeof(c->why), "%s waiting for %s", why, c->waiting);
	fprintf(c->out, "bench: %s waiting for %s; connection: %s\n", why,
		c->waiting, state);
	fflush(c->out);
}

/*
 * One dispatch round of at most a second.  Returns -1 if the endpoint
 * failed, a signal asked us to stop, or the peer has not answered for
 * stall_s seconds (the last two reported by give_up()), else 0.
 */
static int pump(struct client *c)
{
	char why[64];

	if (ssi_tp_dispatch(c->tp, 1000)) {
		snprintf(c->why, sizeof(c->why), "dispatch: %s",
			 ssi_tp_errmsg(c->tp));
		return -1;
	}
	if (c->stop && *c->stop) {
		give_up(c, "interrupted");
		return -1;
	}
	if (c->stall_s > 0 && now_s() - c->progress_at > c->stall_s) {
		snprintf(why, sizeof(why), "no answer for %.0f s", c->stall_s);
		give_up(c, why);
		return -1;
	}
	return 0;
}

/* Starts a wait for [what] (printf-style): the watchdog's clock too. */
static void waiting(struct client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void waiting(struct client *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->waiting, sizeof(c->waiting), fmt, ap);
	va_end(ap);
	progress(c);
}

/* Dispatches until [*flag] is set or the connection is gone. */
static int wait_for(struct client *c, int *flag)
{
	while (!*flag && !c->closed)
		if (pump(c))
			return -1;
	return *flag ? 0 : -1;
}

/* Sends one control message, waiting out a full send queue: after a
 * stream the queue is often at its high-water mark. */
static int send_ctl(struct client *c, uint16_t type, const struct iovec *v,
		    int n)
{
	ssi_tp_err_t err;

	while ((err = ssi_conn_send(c->conn, type, v, n)) == SSI_TP_ERR_AGAIN) {
		c->writable = 0;
		waiting(c, "room in the send queue to send type 0x%04x",
			(unsigned int)type);
		if (wait_for(c, &c->writable))
			return -1;
	}
	if (err)
		snprintf(c->why, sizeof(c->why), "send of type %u: %s",
			 (unsigned int)type, ssi_tp_strerror(err));
	return err ? -1 : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct lat {
	double p50, p99, mean;
};

static void lat_stats(double *t, int n, struct lat *l)
{
	double sum = 0;
	int i;

	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	for (i = 0; i < n; i++)
		sum += t[i];
	l->p50 = t[n / 2] * 1e6;
	l->p99 = t[(int)(n * 0.99)] * 1e6;
	l->mean = sum / n * 1e6;
}

static int rtt_tp(struct client *c, size_t size, int iters, struct lat *l)
{
	char *buf = calloc(1, size);
	struct iovec v = { buf, size };
	double *t = malloc(sizeof(*t) * (size_t)iters), t0;
	int i, warm = iters / 10 + 1, want;

	if (!buf || !t)
		goto fail;
	for (i = -warm; i < iters; i++) {
		want = c->replies + 1;
		t0 = now_s();
		if (send_ctl(c, SSI_BENCH_T_ECHO, &v, 1))
			goto fail;
		waiting(c, "the echo of round trip %d of %zu bytes", i, size);
		while (c->replies < want && !c->closed)
			if (pump(c))
				goto fail;
		if (c->closed)
			goto fail;
		if (i >= 0)
			t[i] = now_s() - t0;
	}
	lat_stats(t, iters, l);
	free(buf);
	free(t);
	return 0;
fail:
	free(buf);
	free(t);
	return -1;
}

/* Plain ping-pong; with [epoll], both ends wait in epoll_wait() first. */
static int rtt_plain(const char *host, uint16_t port, size_t size, int iters,
		     int epoll, struct lat *l)
{
	char *buf = calloc(1, size);
	double *t = malloc(sizeof(*t) * (size_t)iters), t0;
	int i, warm = iters / 10 + 1, fd = -1, epfd = -1, err;

	if (!buf || !t)
		goto fail;
	fd = plain_connect(host, port, epoll ? 'e' : 'E', size);
	if (fd < 0 || (epoll && (epfd = plain_epoll(fd)) < 0))
		goto fail;
	for (i = -warm; i < iters; i++) {
		t0 = now_s();
		err = plain_write_full(fd, buf, size);
		if (!err)
			err = epoll ? plain_read_epoll(epfd, fd, buf, size)
				    : plain_read_full(fd, buf, size);
		if (err)
			goto fail;
		if (i >= 0)
			t[i] = now_s() - t0;
	}
	lat_stats(t, iters, l);
	close(fd);
	if (epfd >= 0)
		close(epfd);
	free(buf);
	free(t);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	if (epfd >= 0)
		close(epfd);
	free(buf);
	free(t);
	return -1;
}

/*
 * A stream's rates: by the wall clock, and "CPU-bound": bytes over the
 * larger of the two ends' CPU time, what the pair would reach with a core
 * each.  The second is robust against other load on a shared machine.
 */
struct rate {
	double wall, cpu;
};

static double cpu_bound(uint64_t bytes, uint64_t a_ns, uint64_t b_ns)
{
	uint64_t ns = a_ns > b_ns ? a_ns : b_ns;

	return ns ? (double)bytes / ((double)ns * 1e-9) : 0;
}

/* Streams [size]-byte messages for [secs]. */
static int stream_tp(struct client *c, size_t size, double secs, int bulk,
		     struct rate *r)
{
	char *buf = calloc(1, size);
	struct iovec v = { buf, size };
	uint64_t sent = 0, cpu0 = thread_cpu_ns();
	double t0, end;
	ssi_tp_err_t err;
	void *b;

	if (!buf)
		return -1;
	c->done = 0;
	if (send_ctl(c, SSI_BENCH_T_START, NULL, 0))
		goto fail;
	t0 = now_s();
	end = t0 + secs;
	while (now_s() < end) {
		if (bulk) {
			b = ssi_tp_bulk_alloc(c->tp, size);
			if (!b) {
				snprintf(c->why, sizeof(c->why),
					 "stream %zu: bulk_alloc failed", size);
				goto fail;
			}
			err = ssi_conn_send_bulk(c->conn, SSI_BENCH_T_DATA, NULL,
						 0, b, size);
			if (err)
				ssi_tp_bulk_free(c->tp, b);
		} else {
			err = ssi_conn_send(c->conn, SSI_BENCH_T_DATA, &v, 1);
		}
		if (err == SSI_TP_ERR_AGAIN) {
			c->writable = 0;
			waiting(c, "room in the send queue (stream %zu%s)", size,
				bulk ? " bulk" : "");
			if (wait_for(c, &c->writable))
				goto fail;
			continue;
		}
		if (err) {
			snprintf(c->why, sizeof(c->why), "stream %zu%s: send: %s",
				 size, bulk ? " bulk" : "", ssi_tp_strerror(err));
			goto fail;
		}
		sent += size;
		ssi_tp_dispatch(c->tp, 0);
	}
	v.iov_base = &sent;
	v.iov_len = sizeof(sent);
	if (send_ctl(c, SSI_BENCH_T_END, &v, 1))
		goto fail;
	waiting(c, "the server's count of stream %zu%s", size, bulk ? " bulk" : "");
	if (wait_for(c, &c->done) || c->done_bytes != sent) {
		snprintf(c->why, sizeof(c->why),
			 "stream %zu%s: end: sent %llu, server counted %llu",
			 size, bulk ? " bulk" : "", (unsigned long long)sent,
			 (unsigned long long)c->done_bytes);
		goto fail;
	}
	r->wall = (double)sent / (now_s() - t0);
	r->cpu = cpu_bound(sent, thread_cpu_ns() - cpu0, c->done_cpu);
	free(buf);
	return 0;
fail:
	free(buf);
	return -1;
}

static int stream_plain(const char *host, uint16_t port, size_t size,
			double secs, struct rate *r)
{
	char *buf = calloc(1, size);
	uint64_t sent = 0, got[2], cpu0 = thread_cpu_ns();
	double t0, end;
	int fd;

	if (!buf)
		return -1;
	fd = plain_connect(host, port, 'S', 0);
	if (fd < 0) {
		free(buf);
		return -1;
	}
	t0 = now_s();
	end = t0 + secs;
	while (now_s() < end) {
		if (plain_write_full(fd, buf, size))
			goto fail;
		sent += size;
	}
	shutdown(fd, SHUT_WR);
	if (plain_read_full(fd, got, sizeof(got)) || got[0] != sent)
		goto fail;
	r->wall = (double)sent / (now_s() - t0);
	r->cpu = cpu_bound(sent, thread_cpu_ns() - cpu0, got[1]);
	close(fd);
	free(buf);
	return 0;
fail:
	close(fd);
	free(buf);
	return -1;
}

static const char *size_str(size_t size, char *buf, size_t len)
{
	if (size >= (1 << 20) && size % (1 << 20) == 0)
		snprintf(buf, len, "%zuMiB", size >> 20);
	else if (size >= 1024 && size % 1024 == 0)
		snprintf(buf, len, "%zuKiB", size >> 10);
	else
		snprintf(buf, len, "%zuB", size);
	return buf;
}

static void row(FILE *out, const char *what, size_t size, double tp,
		double plain, int lower_better)
{
	char sz[32], goal[16] = "";
	double ratio = plain > 0 && tp > 0 ? tp / plain : 0;

	if (lower_better > 0)
		snprintf(goal, sizeof(goal), "<= 1.10");
	else if (lower_better < 0)
		snprintf(goal, sizeof(goal), ">= 0.90");
	size_str(size, sz, sizeof(sz));
	if (plain > 0)
		fprintf(out, "%-22s %7s %12.1f %12.1f %8.3f   %s%s\n", what, sz,
			tp, plain, ratio, goal,
			!goal[0] ? "" :
			(lower_better > 0 ? ratio <= 1.10 : ratio >= 0.90) ?
			"  ok" : "  MISSED");
	else
		fprintf(out, "%-22s %7s %12.1f %12s %8s\n", what, sz, tp, "-", "-");
}

/* Creates the client's endpoint and connects it to the server. */
static int client_open(struct client *c, const struct ssi_bench_cfg *cfg)
{
	struct ssi_tp_config tc;
	ssi_tp_err_t err;

	c->verbose = cfg->verbose;
	c->stall_s = cfg->stall_seconds ? cfg->stall_seconds : 60;
	c->stop = cfg->stop;
	ssi_tp_config_init(&tc);
	tc.plugin = cfg->plugin;
	tc.plugin_dir = cfg->plugin_dir;
	tc.plugin_opts = cfg->plugin_opts;
	tc.node_name = cfg->node_name;
	tc.munge_socket = cfg->munge_socket;
	tc.protect = cfg->protect;
	tc.max_payload = 8 << 20;
	tc.sndq_max = 4 << 20;		/* a streaming sender's window */
	tc.cb = &client_cbs;
	tc.cb_arg = c;
	err = ssi_tp_create(&tc, &c->tp);
	if (err) {
		fprintf(c->out, "bench: cannot create a %s endpoint: %s\n",
			cfg->plugin, ssi_tp_strerror(err));
		return -1;
	}
	err = ssi_tp_connect(c->tp, cfg->host, cfg->port, NULL, NULL, &c->conn);
	waiting(c, "the connection to %s:%u", cfg->host, cfg->port);
	if (err || wait_for(c, &c->connected)) {
		fprintf(c->out, "bench: cannot connect to %s:%u: %s %s\n",
			cfg->host, cfg->port,
			ssi_tp_strerror(err ? err : c->reason),
			ssi_tp_errmsg(c->tp));
		ssi_tp_destroy(c->tp);
		return -1;
	}
	return 0;
}

static void fill(uint8_t *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 12));
}

/* Sends one pattern message and checks the echo.  Returns 0 if equal. */
static int check_one(struct client *c, size_t inl, size_t bulk,
		     unsigned int seed, FILE *out)
{
	uint8_t *a = malloc(inl + 1), *b = NULL, *want = malloc(bulk + 1);
	struct iovec v[2] = { { a, inl / 3 }, { a + inl / 3, inl - inl / 3 } };
	int want_replies = c->replies + 1, rc = -1;
	ssi_tp_err_t err;

	if (!a || !want)
		goto out;
	fill(a, inl, seed);
	fill(want, bulk, seed + 1);
	if (bulk) {
		b = ssi_tp_bulk_alloc(c->tp, bulk);
		if (!b)
			goto out;
		memcpy(b, want, bulk);
		err = ssi_conn_send_bulk(c->conn, SSI_BENCH_T_ECHO_BULK, v, 2, b,
					 bulk);
		if (err)
			ssi_tp_bulk_free(c->tp, b);
	} else {
		err = ssi_conn_send(c->conn, SSI_BENCH_T_ECHO_BULK, v, 2);
	}
	if (err) {
		fprintf(out, "check: send inline %zu bulk %zu: %s\n", inl, bulk,
			ssi_tp_strerror(err));
		goto out;
	}
	waiting(c, "the echo of inline %zu bulk %zu", inl, bulk);
	while (c->replies < want_replies && !c->closed)
		if (pump(c))
			goto out;
	if (c->closed) {
		fprintf(out, "check: connection closed: %s\n",
			ssi_tp_strerror(c->reason));
		goto out;
	}
	if (c->len != inl || c->bulk_len != bulk ||
	    (inl && memcmp(c->data, a, inl)) ||
	    (bulk && (memcmp(c->bulk, want, bulk) || !c->aligned))) {
		fprintf(out, "check: inline %zu bulk %zu: echo differs (got "
			"inline %zu bulk %zu%s)\n", inl, bulk, c->len,
			c->bulk_len, bulk && !c->aligned ? ", unaligned" : "");
		goto out;
	}
	rc = 0;
out:
	free(a);
	free(want);
	return rc;
}

/*
 * Destroys the endpoint while the server is still fetching several bulk
 * messages: teardown must be prompt and leave the peer able to serve the
 * next client (the test that runs the check scans the consoles too).
 */
static int abort_in_flight(struct client *c, FILE *out)
{
	const size_t size = 1 << 20;
	double t0, took;
	ssi_tp_err_t err;
	void *b;
	int i;

	for (i = 0; i < 8; i++) {
		b = ssi_tp_bulk_alloc(c->tp, size);
		if (!b)
			break;
		memset(b, i, size);
		err = ssi_conn_send_bulk(c->conn, SSI_BENCH_T_ECHO_BULK, NULL, 0,
					 b, size);
		if (err) {
			ssi_tp_bulk_free(c->tp, b);
			break;
		}
	}
	ssi_tp_dispatch(c->tp, 0);
	t0 = now_s();
	ssi_tp_destroy(c->tp);
	c->tp = NULL;
	took = now_s() - t0;
	fprintf(out, "check: endpoint destroyed with %d bulk echoes in flight "
		"in %.3f s\n", i, took);
	return took > 5.0 ? -1 : 0;
}

int ssi_bench_check(const struct ssi_bench_cfg *cfg, FILE *out)
{
	/* boundaries of the tcp receive buffer (256 KiB), the verbs message
	 * size (16 KiB, with 24- and 48-byte overheads) and READ chunk
	 * (256 KiB), a bulk part of several chunks, odd sizes */
	static const size_t sizes[] = {
		0, 1, 100, 4095, 4096, 16312, 16336, 16360, 16384, 16385,
		65536, 262119, 262144, 262145, 262144 + 4096, 1 << 20,
		(4 << 20) + 5,
	};
	static const size_t big_inline[] = { 16384, 20000, 300000 };
	struct client c = { .out = out, .keep = 1 };
	size_t i, j, n = sizeof(sizes) / sizeof(sizes[0]);
	unsigned int seed = 1;
	int checks = 0;

	if (client_open(&c, cfg))
		return -1;
	for (i = 0; i < n; i++) {		/* inline only */
		if (check_one(&c, sizes[i], 0, seed++, out))
			goto fail;
		checks++;
	}
	for (i = 1; i < n; i++) {		/* bulk, small inline part */
		for (j = 0; j < 2; j++) {
			if (check_one(&c, j ? 40 : 0, sizes[i], seed++, out))
				goto fail;
			checks++;
		}
	}
	for (i = 0; i < 3; i++) {		/* bulk, large inline part */
		for (j = 1; j < n; j += 5) {
			if (check_one(&c, big_inline[i], sizes[j], seed++, out))
				goto fail;
			checks++;
		}
	}
	fprintf(out, "check: %d echoes over %s verified byte for byte\n",
		checks, cfg->plugin);
	if (abort_in_flight(&c, out))
		goto fail;
	free(c.data);
	free(c.bulk);
	return 0;
fail:
	ssi_tp_destroy(c.tp);
	free(c.data);
	free(c.bulk);
	return -1;
}

static const char *const protect_name[] = {
	[SSI_TP_PROTECT_NONE] = "none",
	[SSI_TP_PROTECT_INTEGRITY] = "integrity",
	[SSI_TP_PROTECT_ENCRYPT] = "encrypt",
};

int ssi_bench_protect(const struct ssi_bench_cfg *cfg, FILE *out)
{
	static const size_t sizes[] = { 256 << 10, 4 << 20 };
	struct client c[3] = { { .out = out }, { .out = out }, { .out = out } };
	struct ssi_bench_cfg one = *cfg;
	int runs = cfg->runs > 0 ? cfg->runs : 3;
	double secs = cfg->stream_seconds > 0 ? cfg->stream_seconds : 1.0;
	size_t i;
	int m, n = 0, r, bulk, rc = -1;

	for (m = 0; m < 3; m++, n++) {
		one.protect = (enum ssi_tp_protect)m;
		if (client_open(&c[m], &one))
			goto out;
		if (ssi_conn_protection(c[m].conn) != (enum ssi_tp_protect)m) {
			fprintf(out, "bench: asked for frame protection %s, got "
				"%s: run the server with -s none\n",
				protect_name[m],
				protect_name[ssi_conn_protection(c[m].conn)]);
			n++;
			goto out;
		}
	}
	fprintf(out, "ssi-tp-bench: plugin %s, server %s port %u, frame "
		"protection against none, stream %.1f s x best of %d\n",
		cfg->plugin, cfg->host, cfg->port, secs, runs);
	fprintf(out, "%-22s %7s %12s %12s %8s   %s\n", "measure", "size",
		"protected", "none", "ratio", "goal");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (bulk = 0; bulk < 2; bulk++) {
			double best[3] = { 0, 0, 0 };
			struct rate x;

			for (r = 0; r < runs; r++) {	/* interleaved */
				for (m = 0; m < 3; m++) {
					if (stream_tp(&c[m], sizes[i], secs, bulk,
						      &x)) {
						fprintf(out, "bench: %s\n",
							c[m].why);
						goto out;
					}
					if (x.wall > best[m])
						best[m] = x.wall;
				}
			}
			for (m = 1; m < 3; m++) {
				char what[32];

				snprintf(what, sizeof(what), "%s%s (MB/s)",
					 protect_name[m], bulk ? " bulk" : "");
				row(out, what, sizes[i], best[m] / 1e6,
				    best[0] / 1e6, -1);
			}
		}
	}
	rc = 0;
out:
	for (m = 0; m < n && m < 3; m++)
		ssi_tp_destroy(c[m].tp);
	return rc;
}

int ssi_bench_run(const struct ssi_bench_cfg *cfg, FILE *out)
{
	static const size_t rtt_sizes[] = { 64, 4096 };
	static const size_t stream_sizes[] = { 64 << 10, 256 << 10, 1 << 20,
					       4 << 20 };
	struct client c = { .out = out };
	int iters = cfg->rtt_iters > 0 ? cfg->rtt_iters : 20000;
	int runs = cfg->runs > 0 ? cfg->runs : 3;
	double secs = cfg->stream_seconds > 0 ? cfg->stream_seconds : 1.0;
	struct lat lt, lp = { 0, 0, 0 }, le = { 0, 0, 0 };
	size_t i;
	int r;

	if (client_open(&c, cfg))
		return -1;
	fprintf(out, "ssi-tp-bench: plugin %s, server %s port %u (plain %u), "
		"%d round trips per size, stream %.1f s x best of %d\n",
		cfg->plugin, cfg->host, cfg->port, cfg->plain_port, iters, secs,
		runs);
	fprintf(out, "%-22s %7s %12s %12s %8s   %s\n", "measure", "size",
		"transport", "plain", "ratio", "goal");

	for (i = 0; i < sizeof(rtt_sizes) / sizeof(rtt_sizes[0]); i++) {
		if (cfg->plain_port &&
		    (rtt_plain(cfg->host, cfg->plain_port, rtt_sizes[i], iters,
			       0, &lp) ||
		     rtt_plain(cfg->host, cfg->plain_port, rtt_sizes[i], iters,
			       1, &le)))
			goto fail;
		if (rtt_tp(&c, rtt_sizes[i], iters, &lt))
			goto fail;
		row(out, "RTT p50 (us)", rtt_sizes[i], lt.p50, lp.p50, 1);
		row(out, "RTT mean (us)", rtt_sizes[i], lt.mean, lp.mean, 0);
		row(out, "RTT p99 (us)", rtt_sizes[i], lt.p99, lp.p99, 0);
		row(out, "RTT p50 vs epoll", rtt_sizes[i], lt.p50, le.p50, 0);
	}
	for (i = 0; i < sizeof(stream_sizes) / sizeof(stream_sizes[0]); i++) {
		struct rate bt = { 0, 0 }, bb = { 0, 0 }, bp = { 0, 0 }, x;

		for (r = 0; r < runs; r++) {	/* best of, interleaved */
			if (cfg->plain_port) {
				if (stream_plain(cfg->host, cfg->plain_port,
						 stream_sizes[i], secs, &x))
					goto fail;
				bp.wall = x.wall > bp.wall ? x.wall : bp.wall;
				bp.cpu = x.cpu > bp.cpu ? x.cpu : bp.cpu;
			}
			if (stream_tp(&c, stream_sizes[i], secs, 0, &x))
				goto fail;
			bt.wall = x.wall > bt.wall ? x.wall : bt.wall;
			bt.cpu = x.cpu > bt.cpu ? x.cpu : bt.cpu;
			if (stream_tp(&c, stream_sizes[i], secs, 1, &x))
				goto fail;
			bb.wall = x.wall > bb.wall ? x.wall : bb.wall;
			bb.cpu = x.cpu > bb.cpu ? x.cpu : bb.cpu;
		}
		row(out, "stream (MB/s)", stream_sizes[i], bt.wall / 1e6,
		    bp.wall / 1e6, -1);
		row(out, "stream bulk (MB/s)", stream_sizes[i], bb.wall / 1e6,
		    bp.wall / 1e6, -1);
		row(out, "stream cpu-bound", stream_sizes[i], bt.cpu / 1e6,
		    bp.cpu / 1e6, -1);
		row(out, "stream bulk cpu-bound", stream_sizes[i], bb.cpu / 1e6,
		    bp.cpu / 1e6, -1);
	}
	ssi_tp_destroy(c.tp);
	return 0;
fail:
	fprintf(out, "bench: measurement failed (%s%s%s%s)\n",
		c.why[0] ? c.why : "", c.why[0] ? "; " : "",
		c.closed ? "connection closed: " : "errno: ",
		c.closed ? ssi_tp_strerror(c.reason) : strerror(errno));
	ssi_tp_destroy(c.tp);
	return -1;
}
