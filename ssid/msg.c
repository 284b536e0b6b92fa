// SPDX-License-Identifier: GPL-2.0
/*
 * msg.c - encode and validate ssid's peer messages (see msg.h).
 */
#include <endian.h>
#include <string.h>

#include "msg.h"

/* A cursor over a buffer; every put/get is bounds-checked by the callers'
 * fixed lengths, get_* additionally against the received length.
 */
struct cur {
	unsigned char *p;
	const unsigned char *end;
};

static void put32(struct cur *c, uint32_t v)
{
	v = htobe32(v);
	memcpy(c->p, &v, 4);
	c->p += 4;
}

static void put64(struct cur *c, uint64_t v)
{
	v = htobe64(v);
	memcpy(c->p, &v, 8);
	c->p += 8;
}

static uint32_t get32(struct cur *c)
{
	uint32_t v;

	memcpy(&v, c->p, 4);
	c->p += 4;
	return be32toh(v);
}

static uint64_t get64(struct cur *c)
{
	uint64_t v;

	memcpy(&v, c->p, 8);
	c->p += 8;
	return be64toh(v);
}

/* Version byte and three reserved bytes (zero when sent, ignored). */
static void put_version(struct cur *c)
{
	c->p[0] = SSID_MSG_VERSION;
	c->p[1] = c->p[2] = c->p[3] = 0;
	c->p += 4;
}

static int get_version(struct cur *c, size_t need)
{
	if ((size_t)(c->end - c->p) < need || c->p[0] != SSID_MSG_VERSION)
		return -1;
	c->p += 4;
	return 0;
}

size_t msg_encode_heartbeat(const struct msg_heartbeat *m, void *buf)
{
	struct cur c = { buf, NULL };
	const struct load_vector *l = &m->load;

	put_version(&c);
	put64(&c, m->incarnation);
	put32(&c, m->seq);
	put32(&c, m->interval_ms);
	put32(&c, l->cores);
	put32(&c, l->pus);
	put32(&c, l->numa);
	put32(&c, l->runnable);
	put32(&c, l->cpu_permille);
	put32(&c, l->loadavg_centi);
	put64(&c, l->mem_total_kb);
	put64(&c, l->mem_free_kb);
	put32(&c, l->guests);
	put32(&c, l->deputies);
	return (size_t)(c.p - (unsigned char *)buf);
}

int msg_decode_heartbeat(const void *buf, size_t len, struct msg_heartbeat *m)
{
	struct cur c = { (unsigned char *)buf, (const unsigned char *)buf + len };
	struct load_vector *l = &m->load;

	if (!buf || get_version(&c, MSG_HEARTBEAT_LEN))
		return -1;
	m->incarnation = get64(&c);
	m->seq = get32(&c);
	m->interval_ms = get32(&c);
	l->cores = get32(&c);
	l->pus = get32(&c);
	l->numa = get32(&c);
	l->runnable = get32(&c);
	l->cpu_permille = get32(&c);
	l->loadavg_centi = get32(&c);
	l->mem_total_kb = get64(&c);
	l->mem_free_kb = get64(&c);
	l->guests = get32(&c);
	l->deputies = get32(&c);
	if (!l->pus || !l->numa || l->cores > l->pus ||
	    l->cpu_permille > 1000 || l->mem_free_kb > l->mem_total_kb ||
	    !m->interval_ms)
		return -1;
	return 0;
}

size_t msg_encode_ping(const struct msg_ping *m, void *buf)
{
	struct cur c = { buf, NULL };

	put_version(&c);
	put32(&c, m->id);
	put32(&c, m->flags);
	put64(&c, m->t_ns);
	return (size_t)(c.p - (unsigned char *)buf);
}

int msg_decode_ping(const void *buf, size_t len, struct msg_ping *m)
{
	struct cur c = { (unsigned char *)buf, (const unsigned char *)buf + len };

	if (!buf || get_version(&c, MSG_PING_LEN))
		return -1;
	m->id = get32(&c);
	m->flags = get32(&c);
	m->t_ns = get64(&c);
	return 0;
}

size_t msg_encode_hello(const struct msg_hello *m, void *buf)
{
	struct cur c = { buf, NULL };
	size_t n = strnlen(m->cluster, SSI_NODE_NAME_MAX);

	put_version(&c);
	c.p[0] = (unsigned char)(n >> 8);
	c.p[1] = (unsigned char)n;
	memcpy(c.p + 2, m->cluster, n);
	c.p += 2 + n;
	return (size_t)(c.p - (unsigned char *)buf);
}

int msg_decode_hello(const void *buf, size_t len, struct msg_hello *m)
{
	struct cur c = { (unsigned char *)buf, (const unsigned char *)buf + len };
	size_t n, i;

	if (!buf || get_version(&c, 4 + 2))
		return -1;
	n = (size_t)c.p[0] << 8 | c.p[1];
	c.p += 2;
	if (n > SSI_NODE_NAME_MAX || (size_t)(c.end - c.p) < n)
		return -1;
	for (i = 0; i < n; i++)
		if (c.p[i] <= ' ' || c.p[i] >= 0x7f)
			return -1;
	memcpy(m->cluster, c.p, n);
	m->cluster[n] = '\0';
	return 0;
}
