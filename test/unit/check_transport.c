// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_transport.c - libssitransport end to end: endpoints over the
 * "loopback" and "tcp" plugins, authenticated by a private munged that this
 * test starts (as root, like CI), plus a raw socket playing a hostile or
 * broken peer against a tcp endpoint (bad frames, wrong sequence numbers,
 * replayed and non-root credentials, silence, frames altered, injected or
 * sealed with the wrong keys).
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "run_suite.h"
#include "transport/auth.h"
#include "transport/frame.h"
#include "transport/seal.h"
#include "transport/ssi_transport.h"

#ifndef TP_PLUGIN_DIR
#error "TP_PLUGIN_DIR: the build tree's plugin directory"
#endif

static char mdir[64];
static char msock[128];

/* ------------------------------------------------------------------------ */
/* A private munged                                                         */

static int run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int munged_start(void)
{
	int i;

	snprintf(mdir, sizeof(mdir), "/tmp/ssi-tp-check.XXXXXX");
	if (!mkdtemp(mdir) || chmod(mdir, 0755))
		return -1;
	snprintf(msock, sizeof(msock), "%s/munge.sock", mdir);
	if (run("mungekey -c -k %s/key >/dev/null 2>&1 || "
		"(dd if=/dev/urandom of=%s/key bs=1 count=1024 2>/dev/null && "
		"chmod 600 %s/key)", mdir, mdir, mdir))
		return -1;
	if (run("munged --force --socket=%s --key-file=%s/key "
		"--pid-file=%s/munged.pid --log-file=%s/munged.log "
		"--seed-file=%s/munged.seed", msock, mdir, mdir, mdir, mdir))
		return -1;
	for (i = 0; i < 100 && access(msock, F_OK); i++)
		usleep(20000);
	return access(msock, F_OK);
}

static void munged_stop(void)
{
	run("munged --stop --socket=%s >/dev/null 2>&1", msock);
	run("rm -rf %s", mdir);
}

/* ------------------------------------------------------------------------ */
/* A recording endpoint                                                     */

struct rec {
	int connects, closes, writable, nmsg;
	ssi_conn_t conn;
	ssi_tp_err_t reason;
	char peer[256];
	uint16_t type;
	uint8_t *data, *bulk;
	size_t len, bulk_len;
	int bulk_aligned;
	uint64_t next_counter;
	int order_errors;
	int close_on_message;
	char log[16384];
};

static void on_connect(ssi_conn_t conn, const char *peer, void *arg)
{
	struct rec *r = arg;

	r->connects++;
	r->conn = conn;
	snprintf(r->peer, sizeof(r->peer), "%s", peer);
	ck_assert_str_eq(ssi_conn_peer(conn), peer);
}

static void on_message(ssi_conn_t conn, const struct ssi_tp_msg *m, void *arg)
{
	struct rec *r = arg;
	uint64_t counter;

	r->nmsg++;
	r->type = m->type;
	free(r->data);
	free(r->bulk);
	r->data = malloc(m->len + 1);
	memcpy(r->data, m->data ? m->data : "", m->len);
	r->len = m->len;
	r->bulk = NULL;
	r->bulk_len = m->bulk_len;
	if (m->bulk_len) {
		r->bulk = malloc(m->bulk_len);
		memcpy(r->bulk, m->bulk, m->bulk_len);
		r->bulk_aligned = ((uintptr_t)m->bulk & 4095) == 0;
	}
	if (m->type == 0x0101 && m->len == sizeof(counter)) {
		memcpy(&counter, m->data, sizeof(counter));
		if (counter != r->next_counter)
			r->order_errors++;
		r->next_counter = counter + 1;
	}
	if (r->close_on_message)
		ssi_conn_close(conn);
}

static void rec_done(struct rec *r)
{
	free(r->data);
	free(r->bulk);
	r->data = r->bulk = NULL;
}

static void on_writable(ssi_conn_t conn, void *arg)
{
	((struct rec *)arg)->writable++;
}

static void on_close(ssi_conn_t conn, ssi_tp_err_t reason, void *arg)
{
	struct rec *r = arg;

	r->closes++;
	r->reason = reason;
	if (r->conn == conn)
		r->conn = NULL;
}

static void on_log(int prio, const char *msg, void *arg)
{
	struct rec *r = arg;
	size_t n = strlen(r->log);

	snprintf(r->log + n, sizeof(r->log) - n, "%s\n", msg);
	if (getenv("TP_CHECK_LOG"))
		fprintf(stderr, "[%d] %s\n", prio, msg);
}

static const struct ssi_tp_callbacks cbs = {
	.on_connect = on_connect,
	.on_message = on_message,
	.on_writable = on_writable,
	.on_close = on_close,
	.log = on_log,
};

static const char *const plugins[] = { "loopback", "tcp" };

static ssi_tp_t mk_cfg(struct ssi_tp_config *cfg)
{
	ssi_tp_err_t err;
	ssi_tp_t tp;

	err = ssi_tp_create(cfg, &tp);
	ck_assert_msg(err == SSI_TP_OK, "ssi_tp_create: %s",
		      ssi_tp_strerror(err));
	return tp;
}

static void cfg_init(struct ssi_tp_config *cfg, const char *plugin,
		     const char *node, struct rec *r)
{
	memset(r, 0, sizeof(*r));
	ssi_tp_config_init(cfg);
	cfg->plugin = plugin;
	cfg->plugin_dir = TP_PLUGIN_DIR;
	cfg->node_name = node;
	cfg->munge_socket = msock;
	cfg->cb = &cbs;
	cfg->cb_arg = r;
}

static ssi_tp_t mk(const char *plugin, const char *node, struct rec *r)
{
	struct ssi_tp_config cfg;

	cfg_init(&cfg, plugin, node, r);
	return mk_cfg(&cfg);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#define PUMP_UNTIL(a, b, cond) do {					\
	int64_t end_ = now_ms() + 5000;					\
	while (!(cond) && now_ms() < end_) {				\
		ssi_tp_dispatch((a), (b) ? 1 : 10);			\
		if (b)							\
			ssi_tp_dispatch((b), 1);			\
	}								\
	ck_assert_msg((cond), "timed out waiting for: %s", #cond);	\
} while (0)

static void pump_for(ssi_tp_t a, ssi_tp_t b, int ms)
{
	int64_t end = now_ms() + ms;

	while (now_ms() < end) {
		ssi_tp_dispatch(a, 1);
		if (b)
			ssi_tp_dispatch(b, 1);
	}
}

/* A listens as "nA", B connects to it as "nB"; both sides authenticated. */
static ssi_conn_t pair(ssi_tp_t a, struct rec *ra, ssi_tp_t b,
		       struct rec *rb, const char *expect)
{
	ssi_conn_t c;

	ck_assert_int_eq(ssi_tp_listen(a, "127.0.0.1", 0), SSI_TP_OK);
	ck_assert_uint_ne(ssi_tp_port(a), 0);
	ck_assert_int_eq(ssi_tp_connect(b, "127.0.0.1", ssi_tp_port(a), expect,
					rb, &c), SSI_TP_OK);
	ck_assert_ptr_nonnull(c);
	PUMP_UNTIL(a, b, ra->connects == 1 && rb->connects == 1);
	ck_assert_ptr_eq(rb->conn, c);
	return c;
}

static ssi_tp_err_t send_str(ssi_conn_t c, uint16_t type, const char *s)
{
	struct iovec v = { (void *)s, strlen(s) };

	return ssi_conn_send(c, type, &v, 1);
}

/* ------------------------------------------------------------------------ */
/* Endpoint to endpoint                                                     */

START_TEST(test_handshake_messages)
{
	struct rec ra, rb;
	ssi_tp_t a = mk(plugins[_i], "nA", &ra);
	ssi_tp_t b = mk(plugins[_i], "nB", &rb);
	struct iovec v[3] = { { "one,", 4 }, { "", 0 }, { "two", 3 } };
	ssi_conn_t c;

	ck_assert_str_eq(ssi_tp_node_name(a), "nA");
	ck_assert_str_eq(ssi_tp_plugin_name(a), plugins[_i]);
	c = pair(a, &ra, b, &rb, "nA");
	ck_assert_str_eq(ra.peer, "nB");
	ck_assert_str_eq(rb.peer, "nA");
	ck_assert_int_eq(ssi_conn_is_initiator(c), 1);
	ck_assert_int_eq(ssi_conn_is_initiator(ra.conn), 0);
	ck_assert_ptr_eq(ssi_conn_data(c), &rb);
	ck_assert_ptr_null(ssi_conn_data(ra.conn));
	ssi_conn_set_data(ra.conn, &ra);
	ck_assert_ptr_eq(ssi_conn_data(ra.conn), &ra);
	ck_assert_ptr_eq(ssi_conn_tp(c), b);

	ck_assert_int_eq(ssi_conn_send(c, 0x0100, v, 3), SSI_TP_OK);
	PUMP_UNTIL(a, b, ra.nmsg == 1);
	ck_assert_uint_eq(ra.type, 0x0100);
	ck_assert_uint_eq(ra.len, 7);
	ck_assert_mem_eq(ra.data, "one,two", 7);
	ck_assert_uint_eq(ra.bulk_len, 0);

	ck_assert_int_eq(ssi_conn_send(ra.conn, 0xffff, NULL, 0), SSI_TP_OK);
	PUMP_UNTIL(a, b, rb.nmsg == 1);
	ck_assert_uint_eq(rb.type, 0xffff);
	ck_assert_uint_eq(rb.len, 0);

	ssi_tp_destroy(b);
	ssi_tp_destroy(a);
	ck_assert_int_eq(ra.closes, 1);
	ck_assert_int_eq(rb.closes, 1);
	ck_assert_int_eq(rb.reason, SSI_TP_ERR_SHUTDOWN);
	rec_done(&ra);
	rec_done(&rb);
}
END_TEST

START_TEST(test_ordering)
{
	struct rec ra, rb;
	ssi_tp_t a = mk(plugins[_i], "nA", &ra);
	ssi_tp_t b = mk(plugins[_i], "nB", &rb);
	ssi_conn_t c = pair(a, &ra, b, &rb, NULL);
	uint64_t i;
	struct iovec v = { &i, sizeof(i) };

	for (i = 0; i < 5000; i++) {
		ck_assert_int_eq(ssi_conn_send(c, 0x0101, &v, 1), SSI_TP_OK);
		if (i % 500 == 0)
			ssi_tp_dispatch(a, 0);
	}
	PUMP_UNTIL(a, b, ra.nmsg == 5000);
	ck_assert_int_eq(ra.order_errors, 0);
	ck_assert_uint_eq(ra.next_counter, 5000);
	ssi_tp_destroy(b);
	ssi_tp_destroy(a);
	rec_done(&ra);
	rec_done(&rb);
}
END_TEST

/*
 * Bulk messages of every size class from B to A, with A and B asking for
 * frame protections [pa] and [pb].
 */
static void bulk_round_trip(const char *plugin, enum ssi_tp_protect pa,
			    enum ssi_tp_protect pb)
{
	struct rec ra, rb;
	struct ssi_tp_config cfg;
	ssi_tp_t a, b;
	ssi_conn_t c;
	static const size_t sizes[] = { 1, 4096, 4097, 65536, 3 << 20 };
	struct iovec v = { "pages", 5 };
	uint8_t *buf, junk[8192];
	size_t s, i;

	cfg_init(&cfg, plugin, "nA", &ra);
	cfg.protect = pa;
	a = mk_cfg(&cfg);
	cfg_init(&cfg, plugin, "nB", &rb);
	cfg.protect = pb;
	b = mk_cfg(&cfg);
	c = pair(a, &ra, b, &rb, NULL);
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		buf = ssi_tp_bulk_alloc(b, sizes[s]);
		ck_assert_ptr_nonnull(buf);
		ck_assert_uint_eq((uintptr_t)buf & 4095, 0);
		for (i = 0; i < sizes[s]; i++)
			buf[i] = (uint8_t)(i * 7 + s);
		ck_assert_int_eq(ssi_conn_send_bulk(c, 0x0200, &v, s % 2,
						    buf, sizes[s]), SSI_TP_OK);
		PUMP_UNTIL(a, b, ra.nmsg == (int)s + 1);
		ck_assert_uint_eq(ra.type, 0x0200);
		ck_assert_uint_eq(ra.len, s % 2 ? 5 : 0);
		ck_assert_uint_eq(ra.bulk_len, sizes[s]);
		ck_assert(ra.bulk_aligned);
		/* one assertion, not one per byte (each costs a write) */
		for (i = 0; i < sizes[s] && ra.bulk[i] == (uint8_t)(i * 7 + s);
		     i++)
			;
		ck_assert_msg(i == sizes[s], "size %zu: bulk byte %zu differs",
			      sizes[s], i);
	}
	/* misuse */
	ck_assert_int_eq(ssi_conn_send_bulk(c, 0x0200, NULL, 0, junk, 10),
			 SSI_TP_ERR_BAD_ARG);
	buf = ssi_tp_bulk_alloc(b, 100);
	ck_assert_int_eq(ssi_conn_send_bulk(c, 0x0200, NULL, 0, buf, 8192),
			 SSI_TP_ERR_BAD_ARG);
	ck_assert_int_eq(ssi_conn_send_bulk(c, 0x0200, NULL, 0, buf, 0),
			 SSI_TP_ERR_BAD_ARG);
	ck_assert_int_eq(ssi_conn_send_bulk(c, 0x0200, NULL, 0, buf + 1, 10),
			 SSI_TP_ERR_BAD_ARG);
	ssi_tp_bulk_free(b, buf);
	ssi_tp_bulk_free(b, NULL);
	ck_assert_ptr_null(ssi_tp_bulk_alloc(b, 0));
	ck_assert_ptr_null(ssi_tp_bulk_alloc(b, SSI_TP_MAX_PAYLOAD_DEFAULT + 1));
	ssi_tp_destroy(b);
	ssi_tp_destroy(a);
	rec_done(&ra);
	rec_done(&rb);
}

START_TEST(test_bulk)
{
	bulk_round_trip(plugins[_i], SSI_TP_PROTECT_INTEGRITY,
			SSI_TP_PROTECT_INTEGRITY);
}
END_TEST

/* Either side asking for encryption gets it; neither asking, no tags. */
START_TEST(test_bulk_protections)
{
	bulk_round_trip(plugins[_i], SSI_TP_PROTECT_NONE,
			SSI_TP_PROTECT_ENCRYPT);
	bulk_round_trip(plugins[_i], SSI_TP_PROTECT_ENCRYPT,
			SSI_TP_PROTECT_INTEGRITY);
	bulk_round_trip(plugins[_i], SSI_TP_PROTECT_NONE, SSI_TP_PROTECT_NONE);
}
END_TEST

START_TEST(test_big_message)
{
	struct rec ra, rb;
	struct ssi_tp_config cfg;
	ssi_tp_t a, b;
	ssi_conn_t c;
	size_t max = 1 << 20, i;
	uint8_t *big = malloc(max + 1);
	struct iovec v = { big, max };

	cfg_init(&cfg, plugins[_i], "nA", &ra);
	cfg.max_payload = max;
	cfg.protect = SSI_TP_PROTECT_ENCRYPT;	/* the tag fits on top */
	a = mk_cfg(&cfg);
	cfg_init(&cfg, plugins[_i], "nB", &rb);
	cfg.max_payload = max;
	b = mk_cfg(&cfg);
	c = pair(a, &ra, b, &rb, NULL);
	for (i = 0; i <= max; i++)
		big[i] = (uint8_t)(i ^ (i >> 8));
	ck_assert_int_eq(ssi_conn_send(c, 0x0100, &v, 1), SSI_TP_OK);
	v.iov_len = max + 1;
	ck_assert_int_eq(ssi_conn_send(c, 0x0100, &v, 1), SSI_TP_ERR_TOO_BIG);
	PUMP_UNTIL(a, b, ra.nmsg == 1);
	ck_assert_uint_eq(ra.len, max);
	ck_assert_mem_eq(ra.data, big, max);
	free(big);
	ssi_tp_destroy(b);
	ssi_tp_destroy(a);
	rec_done(&ra);
	rec_done(&rb);
}
END_TEST

START_TEST(test_send_errors)
{
	struct rec ra, rb;
	ssi_tp_t a = mk(plugins[_i], "nA", &ra);
	ssi_tp_t b = mk(plugins[_i], "nB", &rb);
	struct iovec v = { "x", 1 };
	ssi_conn_t c;

	ck_assert_int_eq(ssi_tp_listen(a, "127.0.0.1", 0), SSI_TP_OK);
	ck_assert_int_eq(ssi_tp_listen(a, "127.0.0.1", 0), SSI_TP_ERR_BAD_ARG);
	ck_assert_int_eq(ssi_tp_connect(b, "127.0.0.1", ssi_tp_port(a), NULL,
					NULL, &c), SSI_TP_OK);
	/* not yet authenticated */
	ck_assert_int_eq(ssi_conn_send(c, 0x0100, &v, 1),
			 SSI_TP_ERR_NOT_CONNECTED);
	PUMP_UNTIL(a, b, rb.connects == 1 && ra.connects == 1);
	ck_assert_int_eq(ssi_conn_send(c, 0x00ff, &v, 1), SSI_TP_ERR_BAD_ARG);
	ck_assert_int_eq(ssi_conn_send(c, SSI_FRAME_T_HELLO, &v, 1),
			 SSI_TP_ERR_BAD_ARG);
	ck_assert_int_eq(ssi_conn_send(c, 0x0100, NULL, 1), SSI_TP_ERR_BAD_ARG);
	ck_assert_int_eq(ssi_conn_send(c, 0x0100, &v, -1), SSI_TP_ERR_BAD_ARG);
	ck_assert_int_eq(ssi_conn_send(c, 0x0100, &v, 1), SSI_TP_OK);
	ck_assert_int_eq(ssi_tp_connect(b, "", 1, NULL, NULL, &c),
			 SSI_TP_ERR_BAD_ARG);
	ck_assert_int_eq(ssi_tp_connect(b, "x", 1, "bad name", NULL, &c),
			 SSI_TP_ERR_BAD_ARG);
	ck_assert_ptr_null(c);
	ssi_tp_destroy(b);
	ssi_tp_destroy(a);
	rec_done(&ra);
	rec_done(&rb);
}
END_TEST

START_TEST(test_close)
{
	struct rec ra, rb;
	ssi_tp_t a = mk(plugins[_i], "nA", &ra);
	ssi_tp_t b = mk(plugins[_i], "nB", &rb);
	ssi_conn_t c = pair(a, &ra, b, &rb, NULL);

	ssi_conn_close(c);
	ck_assert_int_eq(rb.closes, 0);		/* never from inside close */
	ck_assert_int_eq(send_str(c, 0x0100, "x"), SSI_TP_ERR_NOT_CONNECTED);
	ssi_conn_close(c);			/* harmless */
	PUMP_UNTIL(a, b, rb.closes == 1 && ra.closes == 1);
	ck_assert_int_eq(rb.reason, SSI_TP_ERR_CLOSED);
	ck_assert_int_eq(ra.reason, SSI_TP_ERR_PEER_CLOSED);
	pump_for(a, b, 50);
	ck_assert_int_eq(rb.closes, 1);
	ck_assert_int_eq(ra.closes, 1);
	ssi_tp_destroy(b);
	ssi_tp_destroy(a);
	ck_assert_int_eq(rb.closes, 1);
	ck_assert_int_eq(ra.closes, 1);
	rec_done(&ra);
	rec_done(&rb);
}
END_TEST

/* Messages sent just before ssi_conn_close() still arrive. */
START_TEST(test_close_flushes)
{
	struct rec ra, rb;
	ssi_tp_t a = mk(plugins[_i], "nA", &ra);
	ssi_tp_t b = mk(plugins[_i], "nB", &rb);
	ssi_conn_t c = pair(a, &ra, b, &rb, NULL);
	static uint8_t chunk[256 << 10];
	struct iovec v = { chunk, sizeof(chunk) };
	int i;

	for (i = 0; i < 64; i++)		/* 16 MiB: beyond socket buffers */
		ck_assert_int_eq(ssi_conn_send(c, 0x0100, &v, 1), SSI_TP_OK);
	ck_assert_int_eq(send_str(c, 0x0102, "last"), SSI_TP_OK);
	ssi_conn_close(c);
	PUMP_UNTIL(a, b, ra.closes == 1);
	ck_assert_int_eq(ra.nmsg, 65);
	ck_assert_uint_eq(ra.type, 0x0102);
	ck_assert_int_eq(rb.closes, 1);
	ssi_tp_destroy(b);
	ssi_tp_destroy(a);
	rec_done(&ra);
	rec_done(&rb);
}
END_TEST

/* A callback closes the connection while frames are still arriving. */
START_TEST(test_close_in_callback)
{
	struct rec ra, rb;
	ssi_tp_t a = mk(plugins[_i], "nA", &ra);
	ssi_tp_t b = mk(plugins[_i], "nB", &rb);
	ssi_conn_t c = pair(a, &ra, b, &rb, NULL);
	int i;

	ra.close_on_message = 1;
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(send_str(c, 0x0100, "burst"), SSI_TP_OK);
	PUMP_UNTIL(a, b, ra.closes == 1 && rb.closes == 1);
	ck_assert_int_eq(ra.nmsg, 1);
	ck_assert_int_eq(ra.reason, SSI_TP_ERR_CLOSED);
	ck_assert_int_eq(rb.reason, SSI_TP_ERR_PEER_CLOSED);
	ssi_tp_destroy(b);
	ssi_tp_destroy(a);
	rec_done(&ra);
	rec_done(&rb);
}
END_TEST

START_TEST(test_destroy_live)
{
	struct rec ra, rb;
	ssi_tp_t a = mk(plugins[_i], "nA", &ra);
	ssi_tp_t b = mk(plugins[_i], "nB", &rb);

	pair(a, &ra, b, &rb, NULL);
	ck_assert_int_eq(send_str(rb.conn, 0x0100, "unsent?"), SSI_TP_OK);
	ssi_tp_destroy(a);
	ck_assert_int_eq(ra.closes, 1);
	ck_assert_int_eq(ra.reason, SSI_TP_ERR_SHUTDOWN);
	PUMP_UNTIL(b, NULL, rb.closes == 1);
	ck_assert_int_eq(rb.reason, SSI_TP_ERR_PEER_CLOSED);
	ssi_tp_destroy(b);
	rec_done(&ra);
	rec_done(&rb);
}
END_TEST

START_TEST(test_many)
{
	struct rec ra, rb;
	ssi_tp_t a = mk(plugins[_i], "nA", &ra);
	ssi_tp_t b = mk(plugins[_i], "nB", &rb);
	ssi_conn_t c[20];
	int i;

	ck_assert_int_eq(ssi_tp_listen(a, NULL, 0), SSI_TP_OK);
	for (i = 0; i < 20; i++)
		ck_assert_int_eq(ssi_tp_connect(b, _i ? "localhost" : "loopback",
						ssi_tp_port(a), "nA", NULL, &c[i]),
				 SSI_TP_OK);
	PUMP_UNTIL(a, b, ra.connects == 20 && rb.connects == 20);
	for (i = 0; i < 20; i++)
		ck_assert_int_eq(send_str(c[i], 0x0100, "hi"), SSI_TP_OK);
	PUMP_UNTIL(a, b, ra.nmsg == 20);
	for (i = 0; i < 20; i += 2)
		ssi_conn_close(c[i]);
	PUMP_UNTIL(a, b, ra.closes == 10 && rb.closes == 10);
	ssi_tp_destroy(b);
	PUMP_UNTIL(a, NULL, ra.closes == 20);
	ssi_tp_destroy(a);
	ck_assert_int_eq(rb.closes, 20);
	rec_done(&ra);
	rec_done(&rb);
}
END_TEST

START_TEST(test_backpressure)
{
	struct rec ra, rb;
	struct ssi_tp_config cfg;
	static uint8_t chunk[16 << 10];
	struct iovec v = { chunk, sizeof(chunk) };
	ssi_tp_t a, b;
	ssi_conn_t c;
	ssi_tp_err_t err;
	int sent = 0;

	a = mk(plugins[_i], "nA", &ra);
	cfg_init(&cfg, plugins[_i], "nB", &rb);
	cfg.sndq_max = 64 << 10;
	b = mk_cfg(&cfg);
	c = pair(a, &ra, b, &rb, NULL);
	/* A does not read: B's queue fills up */
	while ((err = ssi_conn_send(c, 0x0100, &v, 1)) == SSI_TP_OK) {
		ck_assert_int_lt(++sent, 100000);
		ssi_tp_dispatch(b, 0);
	}
	ck_assert_int_eq(err, SSI_TP_ERR_AGAIN);
	ck_assert_uint_ge(ssi_conn_queued(c), cfg.sndq_max);
	ck_assert_int_eq(rb.writable, 0);
	PUMP_UNTIL(a, b, rb.writable == 1);
	ck_assert_uint_lt(ssi_conn_queued(c), cfg.sndq_max / 2 + 1);
	ck_assert_int_eq(ssi_conn_send(c, 0x0100, &v, 1), SSI_TP_OK);
	PUMP_UNTIL(a, b, ra.nmsg == sent + 1);
	ck_assert_int_eq(rb.writable, 1);
	ssi_tp_destroy(b);
	ssi_tp_destroy(a);
	rec_done(&ra);
	rec_done(&rb);
}
END_TEST

/*
 * A bulk stream holds the queue at sndq_max; a control message (no bulk)
 * still goes out behind it, up to twice that, in order.
 */
START_TEST(test_backpressure_control)
{
	struct rec ra, rb;
	struct ssi_tp_config cfg;
	static uint8_t word[8];
	struct iovec v = { word, sizeof(word) };
	ssi_tp_t a, b;
	ssi_conn_t c;
	ssi_tp_err_t err;
	int sent = 0;
	void *buf;

	a = mk(plugins[_i], "nA", &ra);
	cfg_init(&cfg, plugins[_i], "nB", &rb);
	cfg.sndq_max = 64 << 10;
	b = mk_cfg(&cfg);
	c = pair(a, &ra, b, &rb, NULL);
	/* A does not read: bulk messages fill B's queue to sndq_max */
	for (;;) {
		buf = ssi_tp_bulk_alloc(b, 16 << 10);
		ck_assert_ptr_nonnull(buf);
		err = ssi_conn_send_bulk(c, 0x0200, NULL, 0, buf, 16 << 10);
		if (err != SSI_TP_OK)
			break;
		ck_assert_int_lt(++sent, 100000);
		ssi_tp_dispatch(b, 0);
	}
	ssi_tp_bulk_free(b, buf);
	ck_assert_int_eq(err, SSI_TP_ERR_AGAIN);
	ck_assert_uint_ge(ssi_conn_queued(c), cfg.sndq_max);
	/* the control message is queued behind them, and the next bulk is not */
	ck_assert_int_eq(ssi_conn_send(c, 0x0300, &v, 1), SSI_TP_OK);
	buf = ssi_tp_bulk_alloc(b, 16 << 10);
	ck_assert_int_eq(ssi_conn_send_bulk(c, 0x0200, NULL, 0, buf, 16 << 10),
			 SSI_TP_ERR_AGAIN);
	ssi_tp_bulk_free(b, buf);
	/* it arrives last, after every bulk message */
	PUMP_UNTIL(a, b, ra.nmsg == sent + 1);
	ck_assert_uint_eq(ra.type, 0x0300);
	ck_assert_uint_eq(ra.len, sizeof(word));
	ssi_tp_destroy(b);
	ssi_tp_destroy(a);
	rec_done(&ra);
	rec_done(&rb);
}
END_TEST

START_TEST(test_connect_refused)
{
	struct rec rb;
	ssi_tp_t b = mk(plugins[_i], "nB", &rb);
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t slen = sizeof(sin);
	ssi_conn_t c;
	int fd;

	/* a port nobody listens on */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);
	close(fd);
	ck_assert_int_eq(ssi_tp_connect(b, "127.0.0.1", ntohs(sin.sin_port),
					NULL, NULL, &c), SSI_TP_OK);
	PUMP_UNTIL(b, NULL, rb.closes == 1);
	ck_assert_int_eq(rb.reason, SSI_TP_ERR_CONNECT);
	ck_assert_int_eq(rb.connects, 0);
	ssi_tp_destroy(b);
	ck_assert_int_eq(rb.closes, 1);
	rec_done(&rb);
}
END_TEST

START_TEST(test_expect_mismatch)
{
	struct rec ra, rb;
	ssi_tp_t a = mk(plugins[_i], "nA", &ra);
	ssi_tp_t b = mk(plugins[_i], "nB", &rb);
	ssi_conn_t c;

	ck_assert_int_eq(ssi_tp_listen(a, "127.0.0.1", 0), SSI_TP_OK);
	ck_assert_int_eq(ssi_tp_connect(b, "127.0.0.1", ssi_tp_port(a), "nX",
					NULL, &c), SSI_TP_OK);
	PUMP_UNTIL(a, b, rb.closes == 1);
	ck_assert_int_eq(rb.reason, SSI_TP_ERR_AUTH);
	ck_assert_int_eq(rb.connects, 0);
	/* the HELLO named nX: A refuses a credential meant for another node */
	ck_assert_int_eq(ra.connects, 0);
	ck_assert_ptr_nonnull(strstr(ra.log, "addressed to 'nX'"));
	ssi_tp_destroy(b);
	ssi_tp_destroy(a);
	rec_done(&ra);
	rec_done(&rb);
}
END_TEST

START_TEST(test_uid_mismatch)
{
	struct rec ra, rb;
	struct ssi_tp_config cfg;
	ssi_tp_t a, b;
	ssi_conn_t c;

	cfg_init(&cfg, plugins[_i], "nA", &ra);
	cfg.peer_uid = 4242;
	a = mk_cfg(&cfg);
	b = mk(plugins[_i], "nB", &rb);
	ck_assert_int_eq(ssi_tp_listen(a, "127.0.0.1", 0), SSI_TP_OK);
	ck_assert_int_eq(ssi_tp_connect(b, "127.0.0.1", ssi_tp_port(a), NULL,
					NULL, &c), SSI_TP_OK);
	PUMP_UNTIL(a, b, rb.closes == 1);
	ck_assert_int_eq(rb.reason, SSI_TP_ERR_AUTH);
	ck_assert_int_eq(rb.connects, 0);
	ck_assert_int_eq(ra.connects, 0);
	ck_assert_int_eq(ra.closes, 0);		/* never shown to A's user */
	ck_assert_ptr_nonnull(strstr(ra.log, "need uid 4242"));
	ssi_tp_destroy(b);
	ssi_tp_destroy(a);
	rec_done(&ra);
	rec_done(&rb);
}
END_TEST

START_TEST(test_munge_down)
{
	struct rec rb;
	struct ssi_tp_config cfg;
	ssi_tp_t b;
	ssi_conn_t c;
	struct rec ra;
	ssi_tp_t a = mk(plugins[_i], "nA", &ra);

	cfg_init(&cfg, plugins[_i], "nB", &rb);
	cfg.munge_socket = "/nonexistent/munge.sock";
	b = mk_cfg(&cfg);
	ck_assert_int_eq(ssi_tp_listen(a, "127.0.0.1", 0), SSI_TP_OK);
	ck_assert_int_eq(ssi_tp_connect(b, "127.0.0.1", ssi_tp_port(a), NULL,
					NULL, &c), SSI_TP_OK);
	PUMP_UNTIL(a, b, rb.closes == 1);
	ck_assert_int_eq(rb.reason, SSI_TP_ERR_MUNGE);
	ck_assert_ptr_nonnull(strstr(rb.log, "munge_encode"));
	ssi_tp_destroy(b);
	ssi_tp_destroy(a);
	rec_done(&ra);
	rec_done(&rb);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Configuration and plugin loading                                         */

START_TEST(test_create_errors)
{
	struct ssi_tp_config cfg;
	struct rec r;
	ssi_tp_t tp;

	cfg_init(&cfg, "nosuchplugin", "n", &r);
	ck_assert_int_eq(ssi_tp_create(&cfg, &tp), SSI_TP_ERR_PLUGIN);
	ck_assert_ptr_null(tp);
	ck_assert_ptr_nonnull(strstr(r.log, "transport_nosuchplugin.so"));
	cfg.plugin = "../tcp";
	ck_assert_int_eq(ssi_tp_create(&cfg, &tp), SSI_TP_ERR_BAD_ARG);
	cfg.plugin = "tcp";
	cfg.plugin_dir = "/nonexistent";
	ck_assert_int_eq(ssi_tp_create(&cfg, &tp), SSI_TP_ERR_PLUGIN);
	cfg.plugin_dir = TP_PLUGIN_DIR;
	cfg.node_name = "bad name";
	ck_assert_int_eq(ssi_tp_create(&cfg, &tp), SSI_TP_ERR_BAD_ARG);
	cfg.node_name = "n";
	cfg.cb = NULL;
	ck_assert_int_eq(ssi_tp_create(&cfg, &tp), SSI_TP_ERR_BAD_ARG);
	cfg.cb = &cbs;
	cfg.max_payload = SSI_TP_MAX_PAYLOAD_LIMIT + 1;
	ck_assert_int_eq(ssi_tp_create(&cfg, &tp), SSI_TP_ERR_BAD_ARG);
	cfg.max_payload = SSI_TP_MAX_PAYLOAD_DEFAULT;
	cfg.user_type_max = 0x00ff;
	ck_assert_int_eq(ssi_tp_create(&cfg, &tp), SSI_TP_ERR_BAD_ARG);
	cfg.user_type_max = 0xffff;
	cfg.plugin_opts = "frobnicate=1";
	ck_assert_int_eq(ssi_tp_create(&cfg, &tp), SSI_TP_ERR_BAD_ARG);
	cfg.plugin_opts = "sndbuf=lots";
	ck_assert_int_eq(ssi_tp_create(&cfg, &tp), SSI_TP_ERR_BAD_ARG);
	cfg.plugin_opts = "sndbuf=4194304,rcvbuf=4194304,keepidle=5";
	ck_assert_int_eq(ssi_tp_create(&cfg, &tp), SSI_TP_OK);
	ssi_tp_destroy(tp);
	/* the environment variable */
	cfg.plugin_dir = NULL;
	setenv(SSI_TP_PLUGIN_DIR_ENV, TP_PLUGIN_DIR, 1);
	cfg.plugin_opts = NULL;
	ck_assert_int_eq(ssi_tp_create(&cfg, &tp), SSI_TP_OK);
	ck_assert_int_ge(ssi_tp_fd(tp), 0);
	ck_assert_int_eq(ssi_tp_listen(tp, "not-a-host.invalid", 0),
			 SSI_TP_ERR_BAD_ARG);
	ck_assert_str_ne(ssi_tp_errmsg(tp), "");
	ssi_tp_destroy(tp);
	ssi_tp_destroy(NULL);
}
END_TEST

START_TEST(test_strerror)
{
	int e;

	for (e = 0; e < SSI_TP_ERR_LAST; e++)
		ck_assert_str_ne(ssi_tp_strerror(e), "Unknown error");
	ck_assert_str_eq(ssi_tp_strerror(SSI_TP_ERR_LAST), "Unknown error");
	ck_assert_str_eq(ssi_tp_strerror(-1), "Unknown error");
}
END_TEST

/* ------------------------------------------------------------------------ */
/* munge through munged                                                     */

static munge_ctx_t ctx_on(const char *sock)
{
	munge_ctx_t ctx = munge_ctx_create();

	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(munge_ctx_set(ctx, MUNGE_OPT_SOCKET, sock),
			 EMUNGE_SUCCESS);
	return ctx;
}

static struct ssi_auth_msg hello_msg(const char *from, const char *to)
{
	struct ssi_auth_msg m;

	memset(&m, 0, sizeof(m));
	m.version = SSI_TP_PROTO_VERSION;
	m.kind = SSI_AUTH_HELLO;
	ck_assert_int_eq(ssi_auth_nonce(m.nonce), SSI_TP_OK);
	snprintf(m.from, sizeof(m.from), "%s", from);
	snprintf(m.to, sizeof(m.to), "%s", to);
	return m;
}

START_TEST(test_munge_seal_open)
{
	munge_ctx_t ctx = ctx_on(msock), bad = ctx_on("/nonexistent/sock");
	struct ssi_auth_msg m = hello_msg("n1", "n2"), out;
	char why[512], *cred;
	uid_t uid = 1;

	ck_assert_int_eq(ssi_auth_seal(ctx, &m, &cred, why, sizeof(why)),
			 SSI_TP_OK);
	ck_assert_int_eq(ssi_auth_open(ctx, cred, strlen(cred), &out, &uid,
				       why, sizeof(why)), SSI_TP_OK);
	ck_assert_uint_eq(uid, getuid());
	ck_assert_str_eq(out.from, "n1");
	ck_assert_mem_eq(out.nonce, m.nonce, SSI_AUTH_NONCE_LEN);
	/* munged's replay cache */
	ck_assert_int_eq(ssi_auth_open(ctx, cred, strlen(cred), &out, &uid,
				       why, sizeof(why)), SSI_TP_ERR_AUTH);
	ck_assert_msg(strcasestr(why, "replay") != NULL, "why: %s", why);
	free(cred);
	/* forged and truncated credentials */
	ck_assert_int_eq(ssi_auth_open(ctx, "MUNGE:AAAA:", 11, &out, &uid,
				       why, sizeof(why)), SSI_TP_ERR_AUTH);
	ck_assert_int_eq(ssi_auth_open(ctx, "x\0y", 3, &out, &uid,
				       why, sizeof(why)), SSI_TP_ERR_PROTOCOL);
	ck_assert_int_eq(ssi_auth_open(ctx, "", 0, &out, &uid,
				       why, sizeof(why)), SSI_TP_ERR_PROTOCOL);
	/* refusing credentials leaves the context able to encode */
	ck_assert_msg(ssi_auth_seal(ctx, &m, &cred, why, sizeof(why)) == SSI_TP_OK,
		      "seal after refusals: %s", why);
	ck_assert_int_eq(ssi_auth_open(ctx, cred, strlen(cred), &out, &uid,
				       why, sizeof(why)), SSI_TP_OK);
	free(cred);
	/* munged unreachable: our problem, not the peer's */
	ck_assert_int_eq(ssi_auth_seal(bad, &m, &cred, why, sizeof(why)),
			 SSI_TP_ERR_MUNGE);
	ck_assert_ptr_null(cred);
	munge_ctx_destroy(ctx);
	munge_ctx_destroy(bad);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* A raw socket as the peer of a tcp endpoint                               */

static int raw_connect(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

static void raw_write_frame(int fd, const struct ssi_frame_hdr *h,
			    const void *p, size_t n)
{
	uint8_t hdr[SSI_FRAME_HDR_LEN];

	ssi_frame_encode_hdr(hdr, h);
	ck_assert_int_eq(write(fd, hdr, sizeof(hdr)), sizeof(hdr));
	if (n)
		ck_assert_int_eq(write(fd, p, n), (ssize_t)n);
}

/* A frame as it is before the handshake ends: no tag. */
static void raw_frame(int fd, uint16_t type, uint64_t seq, const void *p,
		      size_t n)
{
	struct ssi_frame_hdr h = { .version = SSI_FRAME_VERSION, .type = type,
				   .length = (uint32_t)n, .seq = seq };

	raw_write_frame(fd, &h, p, n);
}

/* Reads up to [cap] bytes from [fd] while A runs; returns 0 on EOF. */
static ssize_t raw_read(int fd, ssi_tp_t a, void *buf, size_t cap)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int64_t end = now_ms() + 5000;

	while (now_ms() < end) {
		ssi_tp_dispatch(a, 1);
		if (poll(&pfd, 1, 0) == 1)
			return read(fd, buf, cap);
	}
	ck_abort_msg("raw peer: nothing to read");
	return -1;
}

static void raw_expect_eof(int fd, ssi_tp_t a)
{
	uint8_t buf[4096];
	ssize_t n;

	while ((n = raw_read(fd, a, buf, sizeof(buf))) > 0)
		;
	ck_assert_int_le(n, 0);
	close(fd);
}

/* Reads one whole frame from [fd] into [buf] ([cap] bytes); its length. */
static size_t raw_read_frame(int fd, ssi_tp_t a, uint8_t *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n;

	while (got < SSI_FRAME_HDR_LEN ||
	       got < SSI_FRAME_HDR_LEN + ((uint32_t)buf[8] << 24 |
					  (uint32_t)buf[9] << 16 |
					  (uint32_t)buf[10] << 8 | buf[11])) {
		n = raw_read(fd, a, buf + got, cap - got);
		if (n <= 0)
			return 0;
		got += (size_t)n;
	}
	return got;
}

/* The raw peer's side of a connection once its handshake is done. */
struct raw_peer {
	uint64_t tx_seq;		/* the sequence number A expects */
	uint64_t rx_seq;		/* the one A sends next */
	struct ssi_seal seal;		/* our keys */
};

/*
 * Does the initiator's half of the handshake by hand, asking for
 * [protect]; returns the first sequence number A expects (UINT64_MAX if
 * A refused), the keys in [*rp] if not NULL, the credential sent in
 * [*credp].
 */
static uint64_t raw_handshake_p(int fd, ssi_tp_t a, munge_ctx_t ctx,
				const char *cred_in, char **credp,
				enum ssi_tp_protect protect,
				struct raw_peer *rp)
{
	struct ssi_auth_msg m = hello_msg("raw", ""), ack;
	struct ssi_frame_limits lim = { 1 << 20, 0xffff };
	struct ssi_seal_transcript t;
	struct ssi_frame_hdr h;
	uint8_t buf[8192];
	char why[512], *cred;
	EVP_PKEY *kx;
	size_t got;
	uid_t uid;

	ck_assert_int_eq(ssi_seal_kx_new(&kx, m.kx), SSI_TP_OK);
	m.protect = (uint8_t)protect;
	if (cred_in) {
		cred = strdup(cred_in);
	} else {
		ck_assert_int_eq(ssi_auth_seal(ctx, &m, &cred, why, sizeof(why)),
				 SSI_TP_OK);
	}
	raw_frame(fd, SSI_FRAME_T_HELLO, 0, cred, strlen(cred));
	if (credp)
		*credp = cred;
	else
		free(cred);
	got = raw_read_frame(fd, a, buf, sizeof(buf));
	if (!got) {
		EVP_PKEY_free(kx);
		return UINT64_MAX;		/* rejected */
	}
	ck_assert_int_eq(ssi_frame_decode_hdr(buf, got, &lim, &h), SSI_FRAME_OK);
	ck_assert_uint_eq(h.type, SSI_FRAME_T_HELLO_ACK);
	ck_assert_int_eq(ssi_auth_open(ctx, buf + SSI_FRAME_HDR_LEN, h.length,
				       &ack, &uid, why, sizeof(why)), SSI_TP_OK);
	ck_assert_str_eq(ack.to, "raw");
	ck_assert_mem_eq(ack.echo, m.nonce, SSI_AUTH_NONCE_LEN);
	if (rp) {
		t.name_i = "raw";
		t.name_a = ack.from;
		t.nonce_i = m.nonce;
		t.nonce_a = ack.nonce;
		t.kx_i = m.kx;
		t.kx_a = ack.kx;
		t.mode = protect > ack.protect ? protect
					       : (enum ssi_tp_protect)ack.protect;
		ck_assert_int_eq(ssi_seal_derive(&rp->seal, kx, 1, &t, why,
						 sizeof(why)), SSI_TP_OK);
		rp->tx_seq = ssi_auth_seq0(ack.nonce);
		rp->rx_seq = ssi_auth_seq0(m.nonce);
	}
	EVP_PKEY_free(kx);
	return ssi_auth_seq0(ack.nonce);
}

static uint64_t raw_handshake(int fd, ssi_tp_t a, munge_ctx_t ctx,
			      const char *cred_in, char **credp)
{
	return raw_handshake_p(fd, a, ctx, cred_in, credp,
			       SSI_TP_PROTECT_INTEGRITY, NULL);
}

/*
 * Sends a user frame as the raw peer, sealed with [rp]'s keys and its
 * next sequence number; [flip] >= 0 flips that byte of the frame on the
 * wire after sealing (an attacker on the path).
 */
static void raw_sealed(int fd, struct raw_peer *rp, uint16_t type,
		       const char *text, long flip)
{
	size_t n = strlen(text);
	struct ssi_frame_hdr h = { .version = SSI_FRAME_VERSION, .type = type,
				   .length = (uint32_t)(n + SSI_SEAL_TAG_LEN),
				   .seq = rp->tx_seq++ };
	int enc = rp->seal.mode == SSI_TP_PROTECT_ENCRYPT;
	uint8_t frame[SSI_FRAME_HDR_LEN + 256 + SSI_SEAL_TAG_LEN];
	struct iovec v = { .iov_base = (void *)text, .iov_len = n };
	uint8_t *p = frame + SSI_FRAME_HDR_LEN;

	ck_assert_uint_le(n, 256);
	ssi_frame_encode_hdr(frame, &h);
	if (!enc)
		memcpy(p, text, n);
	ck_assert_int_eq(ssi_seal_frame(&rp->seal.tx, enc, frame,
					SSI_FRAME_HDR_LEN, h.seq, &v, 1, p,
					NULL, NULL, 0, p + n), SSI_TP_OK);
	n += SSI_FRAME_HDR_LEN + SSI_SEAL_TAG_LEN;
	if (flip >= 0)
		frame[flip] ^= 0x01;
	ck_assert_int_eq(write(fd, frame, n), (ssize_t)n);
}

struct raw_env {
	struct rec ra;
	ssi_tp_t a;
	munge_ctx_t ctx;
};

static void raw_setup(struct raw_env *e, int timeout_ms)
{
	struct ssi_tp_config cfg;

	cfg_init(&cfg, "tcp", "nA", &e->ra);
	if (timeout_ms)
		cfg.handshake_timeout_ms = timeout_ms;
	cfg.max_payload = 1 << 20;
	e->a = mk_cfg(&cfg);
	ck_assert_int_eq(ssi_tp_listen(e->a, "127.0.0.1", 0), SSI_TP_OK);
	e->ctx = ctx_on(msock);
}

static void raw_teardown(struct raw_env *e)
{
	ssi_tp_destroy(e->a);
	munge_ctx_destroy(e->ctx);
	free(e->ra.data);
	free(e->ra.bulk);
}

START_TEST(test_raw_sequence)
{
	struct raw_peer rp;
	struct raw_env e;
	int fd;

	raw_setup(&e, 0);
	fd = raw_connect(ssi_tp_port(e.a));
	ck_assert(raw_handshake_p(fd, e.a, e.ctx, NULL, NULL,
				  SSI_TP_PROTECT_INTEGRITY, &rp) != UINT64_MAX);
	PUMP_UNTIL(e.a, NULL, e.ra.connects == 1);
	ck_assert_str_eq(e.ra.peer, "raw");
	raw_sealed(fd, &rp, 0x0100, "ok", -1);
	raw_sealed(fd, &rp, 0x0100, "ok", -1);
	PUMP_UNTIL(e.a, NULL, e.ra.nmsg == 2);
	ck_assert_uint_eq(e.ra.len, 2);
	rp.tx_seq--;
	raw_sealed(fd, &rp, 0x0100, "replayed", -1);	/* seq reused */
	raw_expect_eof(fd, e.a);
	PUMP_UNTIL(e.a, NULL, e.ra.closes == 1);
	ck_assert_int_eq(e.ra.nmsg, 2);
	ck_assert_int_eq(e.ra.reason, SSI_TP_ERR_PROTOCOL);
	ck_assert_ptr_nonnull(strstr(e.ra.log, "out-of-sequence"));
	ssi_seal_free(&rp.seal);
	raw_teardown(&e);
}
END_TEST

/*
 * An attacker on the path changes one bit of a frame after the
 * handshake: in the header, the payload or the tag.  Each is refused and
 * nothing of it is delivered; the frames before it were.
 */
START_TEST(test_raw_altered_frame)
{
	static const long flips[] = {
		7,				/* type 0x0100 -> 0x0101 */
		23,				/* sequence number */
		SSI_FRAME_HDR_LEN,		/* first payload byte */
		SSI_FRAME_HDR_LEN + 5,		/* last payload byte */
		SSI_FRAME_HDR_LEN + 6,		/* first tag byte */
		SSI_FRAME_HDR_LEN + 6 + 15,	/* last tag byte */
	};
	enum ssi_tp_protect modes[] = { SSI_TP_PROTECT_INTEGRITY,
					SSI_TP_PROTECT_ENCRYPT };
	struct raw_peer rp;
	struct raw_env e;
	size_t i, m;
	int fd;

	raw_setup(&e, 0);
	for (m = 0; m < 2; m++) {
		for (i = 0; i < sizeof(flips) / sizeof(flips[0]); i++) {
			free(e.ra.data);
			free(e.ra.bulk);
			memset(&e.ra, 0, sizeof(e.ra));
			fd = raw_connect(ssi_tp_port(e.a));
			ck_assert(raw_handshake_p(fd, e.a, e.ctx, NULL, NULL,
						  modes[m], &rp) != UINT64_MAX);
			raw_sealed(fd, &rp, 0x0100, "before", -1);
			raw_sealed(fd, &rp, 0x0100, "uid=0!", flips[i]);
			raw_expect_eof(fd, e.a);
			PUMP_UNTIL(e.a, NULL, e.ra.closes == 1);
			ck_assert_msg(e.ra.nmsg == 1, "mode %zu flip %ld: %d "
				      "messages", m, flips[i], e.ra.nmsg);
			ck_assert_mem_eq(e.ra.data, "before", 6);
			ck_assert_msg(e.ra.reason == (flips[i] == 23 ?
					SSI_TP_ERR_PROTOCOL : SSI_TP_ERR_AUTH),
				      "mode %zu flip %ld: reason %d", m,
				      flips[i], e.ra.reason);
			ck_assert_msg(strstr(e.ra.log, flips[i] == 23 ?
					     "out-of-sequence" :
					     "failed authentication"),
				      "log: %s", e.ra.log);
			ssi_seal_free(&rp.seal);
		}
	}
	raw_teardown(&e);
}
END_TEST

/*
 * Frames injected by someone who saw the handshake but has no keys: an
 * untagged frame with the right sequence number, and a frame sealed with
 * the keys of another connection.  Both refused.
 */
START_TEST(test_raw_injected_frame)
{
	struct raw_peer rp, other;
	struct raw_env e;
	int fd, fd2;

	raw_setup(&e, 0);
	fd = raw_connect(ssi_tp_port(e.a));
	ck_assert(raw_handshake_p(fd, e.a, e.ctx, NULL, NULL,
				  SSI_TP_PROTECT_INTEGRITY, &rp) != UINT64_MAX);
	raw_frame(fd, 0x0100, rp.tx_seq, "MIG_OFFER as uid 0, tagless", 27);
	raw_expect_eof(fd, e.a);
	PUMP_UNTIL(e.a, NULL, e.ra.closes == 1);
	ck_assert_int_eq(e.ra.nmsg, 0);
	ck_assert_int_eq(e.ra.reason, SSI_TP_ERR_AUTH);
	ssi_seal_free(&rp.seal);

	memset(&e.ra, 0, sizeof(e.ra));
	fd = raw_connect(ssi_tp_port(e.a));
	fd2 = raw_connect(ssi_tp_port(e.a));
	ck_assert(raw_handshake_p(fd, e.a, e.ctx, NULL, NULL,
				  SSI_TP_PROTECT_INTEGRITY, &rp) != UINT64_MAX);
	ck_assert(raw_handshake_p(fd2, e.a, e.ctx, NULL, NULL,
				  SSI_TP_PROTECT_INTEGRITY, &other) !=
		  UINT64_MAX);
	other.tx_seq = rp.tx_seq;	/* the right number, the wrong key */
	raw_sealed(fd, &other, 0x0100, "transplanted", -1);
	raw_expect_eof(fd, e.a);
	PUMP_UNTIL(e.a, NULL, e.ra.closes == 1);
	ck_assert_int_eq(e.ra.nmsg, 0);
	ck_assert_int_eq(e.ra.reason, SSI_TP_ERR_AUTH);
	close(fd2);
	ssi_seal_free(&rp.seal);
	ssi_seal_free(&other.seal);
	raw_teardown(&e);
}
END_TEST

/*
 * What A sends is readable on the wire with integrity only, and not with
 * encryption (asked by either side); both verify with the peer's keys.
 */
START_TEST(test_raw_encrypted_on_wire)
{
	static const char secret[] = "a job's private page: 0123456789";
	uint8_t buf[4096];
	struct ssi_frame_limits lim = { 1 << 20, 0xffff };
	struct raw_peer rp;
	struct raw_env e;
	struct ssi_frame_hdr h;
	struct iovec v = { .iov_base = (void *)secret,
			   .iov_len = sizeof(secret) };
	size_t got, inl;
	int m, fd;

	raw_setup(&e, 0);
	for (m = SSI_TP_PROTECT_INTEGRITY; m <= SSI_TP_PROTECT_ENCRYPT; m++) {
		memset(&e.ra, 0, sizeof(e.ra));
		fd = raw_connect(ssi_tp_port(e.a));
		ck_assert(raw_handshake_p(fd, e.a, e.ctx, NULL, NULL, m, &rp) !=
			  UINT64_MAX);
		PUMP_UNTIL(e.a, NULL, e.ra.connects == 1);
		ck_assert_int_eq(ssi_conn_protection(e.ra.conn), m);
		ck_assert_int_eq(ssi_conn_send(e.ra.conn, 0x0100, &v, 1),
				 SSI_TP_OK);
		got = raw_read_frame(fd, e.a, buf, sizeof(buf));
		ck_assert_uint_eq(got, SSI_FRAME_HDR_LEN + sizeof(secret) +
				  SSI_SEAL_TAG_LEN);
		ck_assert_int_eq(ssi_frame_decode_hdr(buf, got, &lim, &h),
				 SSI_FRAME_OK);
		ck_assert_uint_eq(h.seq, rp.rx_seq);
		inl = h.length - SSI_SEAL_TAG_LEN;
		ck_assert_int_eq(memcmp(buf + SSI_FRAME_HDR_LEN, secret,
					sizeof(secret)) != 0,
				 m == SSI_TP_PROTECT_ENCRYPT);
		ck_assert_int_eq(ssi_seal_open(&rp.seal.rx,
					       m == SSI_TP_PROTECT_ENCRYPT,
					       buf, SSI_FRAME_HDR_LEN, h.seq,
					       buf + SSI_FRAME_HDR_LEN, inl,
					       NULL, 0,
					       buf + SSI_FRAME_HDR_LEN + inl),
				 0);
		ck_assert_mem_eq(buf + SSI_FRAME_HDR_LEN, secret,
				 sizeof(secret));
		close(fd);
		PUMP_UNTIL(e.a, NULL, e.ra.closes == 1);
		ssi_seal_free(&rp.seal);
	}
	raw_teardown(&e);
}
END_TEST

/* A HELLO whose key exchange value is a small-order point: no ACK. */
START_TEST(test_raw_bad_key_exchange)
{
	struct ssi_auth_msg m = hello_msg("raw", "");
	struct raw_env e;
	char why[256], *cred;
	int fd;

	raw_setup(&e, 0);
	memset(m.kx, 0, sizeof(m.kx));
	ck_assert_int_eq(ssi_auth_seal(e.ctx, &m, &cred, why, sizeof(why)),
			 SSI_TP_OK);
	fd = raw_connect(ssi_tp_port(e.a));
	ck_assert(raw_handshake(fd, e.a, e.ctx, cred, NULL) == UINT64_MAX);
	close(fd);
	ck_assert_msg(strstr(e.ra.log, "key exchange value is invalid") != NULL,
		      "log: %s", e.ra.log);
	ck_assert_int_eq(e.ra.connects, 0);
	free(cred);
	raw_teardown(&e);
}
END_TEST

START_TEST(test_raw_handshake_frame_again)
{
	struct raw_env e;
	uint64_t seq;
	int fd;

	raw_setup(&e, 0);
	fd = raw_connect(ssi_tp_port(e.a));
	seq = raw_handshake(fd, e.a, e.ctx, NULL, NULL);
	ck_assert(seq != UINT64_MAX);
	raw_frame(fd, SSI_FRAME_T_HELLO, seq, "x", 1);
	raw_expect_eof(fd, e.a);
	PUMP_UNTIL(e.a, NULL, e.ra.closes == 1);
	ck_assert_int_eq(e.ra.reason, SSI_TP_ERR_PROTOCOL);
	raw_teardown(&e);
}
END_TEST

START_TEST(test_raw_replayed_hello)
{
	struct raw_env e;
	char *cred;
	int fd;

	raw_setup(&e, 0);
	fd = raw_connect(ssi_tp_port(e.a));
	ck_assert(raw_handshake(fd, e.a, e.ctx, NULL, &cred) != UINT64_MAX);
	close(fd);
	/* the same credential again, on a new connection */
	fd = raw_connect(ssi_tp_port(e.a));
	ck_assert(raw_handshake(fd, e.a, e.ctx, cred, NULL) == UINT64_MAX);
	close(fd);
	ck_assert_msg(strcasestr(e.ra.log, "replay") != NULL, "log: %s",
		      e.ra.log);
	ck_assert_int_eq(e.ra.connects, 1);
	free(cred);
	raw_teardown(&e);
}
END_TEST

START_TEST(test_raw_not_root)
{
	struct raw_env e;
	struct passwd *pw = getpwnam("nobody");
	struct ssi_auth_msg m = hello_msg("raw", "");
	char buf[4096] = "", why[256];
	int p[2], fd, st;
	ssize_t n;
	pid_t pid;

	ck_assert_ptr_nonnull(pw);
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	if (pid == 0) {			/* a credential minted by "nobody" */
		munge_ctx_t ctx = ctx_on(msock);
		char *cred;

		int rc = 1;

		if (!setgid(pw->pw_gid) && !setuid(pw->pw_uid) &&
		    !ssi_auth_seal(ctx, &m, &cred, why, sizeof(why))) {
			rc = write(p[1], cred, strlen(cred)) > 0 ? 0 : 1;
			free(cred);
		}
		munge_ctx_destroy(ctx);
		_exit(rc);
	}
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';

	raw_setup(&e, 0);
	fd = raw_connect(ssi_tp_port(e.a));
	ck_assert(raw_handshake(fd, e.a, e.ctx, buf, NULL) == UINT64_MAX);
	close(fd);
	ck_assert_msg(strstr(e.ra.log, "need uid 0") != NULL, "log: %s",
		      e.ra.log);
	ck_assert_int_eq(e.ra.connects, 0);
	raw_teardown(&e);
}
END_TEST

/* Garbage in place of the first frame: rejected and logged, never shown. */
START_TEST(test_raw_bad_frames)
{
	static const struct {
		uint8_t hdr[SSI_FRAME_HDR_LEN];
		const char *log;
	} cases[] = {
		{ "GET / HTTP/1.1\r\nHost: xx", "bad frame magic" },
		{ { 'S', 'S', 'I', 'T', 1, 0, 0, 1 }, "protocol version 1" },
		{ { 'S', 'S', 'I', 'T', 2, 0, 0x00, 0x77 }, "unknown frame type" },
		{ { 'S', 'S', 'I', 'T', 2, 0, 0, 1, 0x7f }, "frame too large" },
		{ { 'S', 'S', 'I', 'T', 2, 0x80, 0, 1 }, "unknown frame flags" },
		{ { 'S', 'S', 'I', 'T', 2, 0, 1, 0 }, "expected a HELLO" },
		{ { 'S', 'S', 'I', 'T', 2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
		    0, 0, 0, 0, 0, 0, 0, 9 }, "expected a HELLO" },
	};
	struct raw_env e;
	size_t i;
	int fd;

	raw_setup(&e, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e.ra.log[0] = '\0';
		fd = raw_connect(ssi_tp_port(e.a));
		ck_assert_int_eq(write(fd, cases[i].hdr, SSI_FRAME_HDR_LEN),
				 SSI_FRAME_HDR_LEN);
		raw_expect_eof(fd, e.a);
		ck_assert_msg(strstr(e.ra.log, cases[i].log) != NULL,
			      "case %zu: log: %s", i, e.ra.log);
	}
	/* a HELLO whose credential is garbage */
	fd = raw_connect(ssi_tp_port(e.a));
	raw_frame(fd, SSI_FRAME_T_HELLO, 0, "MUNGE:garbage:", 14);
	raw_expect_eof(fd, e.a);
	ck_assert_ptr_nonnull(strstr(e.ra.log, "munge_decode"));
	ck_assert_int_eq(e.ra.connects, 0);
	ck_assert_int_eq(e.ra.closes, 0);
	raw_teardown(&e);
}
END_TEST

START_TEST(test_raw_silent_peer)
{
	struct raw_env e;
	int64_t t0 = now_ms();
	int fd;

	raw_setup(&e, 300);
	fd = raw_connect(ssi_tp_port(e.a));
	ck_assert_int_eq(write(fd, "SSI", 3), 3);	/* a partial header */
	raw_expect_eof(fd, e.a);
	ck_assert_int_ge(now_ms() - t0, 250);
	ck_assert_ptr_nonnull(strstr(e.ra.log, "handshake timed out"));
	raw_teardown(&e);
}
END_TEST

/* ------------------------------------------------------------------------ */

static Suite *transport_suite(void)
{
	Suite *s = suite_create("transport");
	int n = sizeof(plugins) / sizeof(plugins[0]);
	TCase *tc;

	tc = tcase_create("endpoints");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_handshake_messages, 0, n);
	tcase_add_loop_test(tc, test_ordering, 0, n);
	tcase_add_loop_test(tc, test_bulk, 0, n);
	tcase_add_loop_test(tc, test_bulk_protections, 0, n);
	tcase_add_loop_test(tc, test_big_message, 0, n);
	tcase_add_loop_test(tc, test_send_errors, 0, n);
	tcase_add_loop_test(tc, test_close, 0, n);
	tcase_add_loop_test(tc, test_close_flushes, 0, n);
	tcase_add_loop_test(tc, test_close_in_callback, 0, n);
	tcase_add_loop_test(tc, test_destroy_live, 0, n);
	tcase_add_loop_test(tc, test_many, 0, n);
	tcase_add_loop_test(tc, test_backpressure, 0, n);
	tcase_add_loop_test(tc, test_backpressure_control, 0, n);
	tcase_add_loop_test(tc, test_connect_refused, 1, n);	/* tcp */
	tcase_add_loop_test(tc, test_expect_mismatch, 0, n);
	tcase_add_loop_test(tc, test_uid_mismatch, 0, n);
	tcase_add_loop_test(tc, test_munge_down, 0, n);
	suite_add_tcase(s, tc);

	tc = tcase_create("setup");
	tcase_add_test(tc, test_create_errors);
	tcase_add_test(tc, test_strerror);
	tcase_add_test(tc, test_munge_seal_open);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile peer");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_raw_sequence);
	tcase_add_test(tc, test_raw_altered_frame);
	tcase_add_test(tc, test_raw_injected_frame);
	tcase_add_test(tc, test_raw_encrypted_on_wire);
	tcase_add_test(tc, test_raw_bad_key_exchange);
	tcase_add_test(tc, test_raw_handshake_frame_again);
	tcase_add_test(tc, test_raw_replayed_hello);
	tcase_add_test(tc, test_raw_not_root);
	tcase_add_test(tc, test_raw_bad_frames);
	tcase_add_test(tc, test_raw_silent_peer);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	int failed;

	if (munged_start()) {
		fprintf(stderr, "check_transport: cannot start a private munged "
			"in %s (is munge installed? are we root?)\n", mdir);
		munged_stop();
		return EXIT_FAILURE;
	}
	failed = check_run(transport_suite());
	munged_stop();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
