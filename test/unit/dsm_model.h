/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dsm_model.h - DSM nodes in one process, for the tests that run a
 * cluster of them (check_dsm_traffic, check_dsm_segments): a model of
 * ssi.ko's copy of a segment on one node (per page a state, what its
 * processes asked for, whether it failed, the content; the channel's
 * rules of SSI_DSM_GRANT, SSI_DSM_REVOKE and SSI_DSM_FAIL), and the
 * network between the nodes, one FIFO per pair, each message kept as it
 * was sent and handed over in the wire format.
 *
 * And the workload both run: every node adds to a counter, the first word
 * of page 0, and reads page 1, which home fills with DSM_MODEL_FILL first;
 * the copies checked coherent at every step.
 */
#ifndef TEST_UNIT_DSM_MODEL_H
#define TEST_UNIT_DSM_MODEL_H

#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/peer_msg.h"
#include "dsm/directory.h"

#define DSM_MODEL_NODES	3
#define DSM_MODEL_PAGES	4
#define DSM_MODEL_QMAX	256
#define DSM_MODEL_FILL	0x42

struct dsm_model {
	uint8_t state[DSM_MODEL_PAGES];
	uint8_t asked[DSM_MODEL_PAGES];	/* what its processes asked for, not granted */
	bool failed[DSM_MODEL_PAGES];
	unsigned char page[DSM_MODEL_PAGES][MSG_DSM_PAGE];
};

static inline int dsm_model_revoke(struct dsm_model *c, uint32_t page, enum dsm_access keep,
				   void *out)
{
	ck_assert_uint_lt(page, DSM_MODEL_PAGES);
	ck_assert_int_le(keep, DSM_READ);
	if (out)
		memcpy(out, c->page[page], MSG_DSM_PAGE);
	if (c->state[page] > keep)
		c->state[page] = (uint8_t)keep;
	return 0;
}

static inline int dsm_model_grant(struct dsm_model *c, uint32_t page, enum dsm_access access,
				  const void *data)
{
	ck_assert_uint_lt(page, DSM_MODEL_PAGES);
	if (access == DSM_NONE) {
		ck_assert_ptr_nonnull(data);
		if (c->state[page] != DSM_NONE)
			return -EBUSY;
	}
	if (data)
		memcpy(c->page[page], data, MSG_DSM_PAGE);
	if (access != DSM_NONE) {
		c->state[page] = (uint8_t)access;
		if (c->asked[page] <= access)
			c->asked[page] = DSM_NONE;
	}
	return 0;
}

static inline int dsm_model_fail(struct dsm_model *c, uint32_t page)
{
	ck_assert_uint_lt(page, DSM_MODEL_PAGES);
	c->failed[page] = true;
	c->asked[page] = DSM_NONE;
	return 0;
}

/* ------------------------------------------------------------ the network */

struct dsm_model_msg {
	uint16_t type;
	struct msg_dsm m;
	unsigned char data[MSG_DSM_PAGE];
};

struct dsm_model_net {
	struct dsm_model_msg q[DSM_MODEL_NODES][DSM_MODEL_NODES][DSM_MODEL_QMAX];
	unsigned int head[DSM_MODEL_NODES][DSM_MODEL_NODES];
	unsigned int len[DSM_MODEL_NODES][DSM_MODEL_NODES];	/* [from][to] */
};

/* @m, its content copied (the sender reuses its buffer), from @from to @to. */
static inline void dsm_model_send(struct dsm_model_net *net, int from, int to, uint16_t type,
				  const struct msg_dsm *m)
{
	struct dsm_model_msg *q;

	ck_assert(to >= 0 && to < DSM_MODEL_NODES && to != from);
	ck_assert_uint_lt(net->len[from][to], DSM_MODEL_QMAX);
	q = &net->q[from][to][(net->head[from][to] + net->len[from][to]++) % DSM_MODEL_QMAX];
	q->type = type;
	q->m = *m;
	q->m.data = NULL;
	if ((m->flags & MSG_DSM_DATA) && m->data) {
		memcpy(q->data, m->data, MSG_DSM_PAGE);
		q->m.data = q->data;
	}
}

static inline const struct dsm_model_msg *dsm_model_peek(const struct dsm_model_net *net,
							 int from, int to)
{
	ck_assert_uint_gt(net->len[from][to], 0);
	return &net->q[from][to][net->head[from][to]];
}

/*
 * The next message from @from to @to, taken off its queue: its bytes on
 * the wire into @wire (MSG_DSM_LEN + MSG_DSM_PAGE), their length
 * returned, its type into *@type.
 */
static inline size_t dsm_model_next(struct dsm_model_net *net, int from, int to, void *wire,
				    uint16_t *type)
{
	const struct dsm_model_msg *q = dsm_model_peek(net, from, to);

	net->head[from][to] = (net->head[from][to] + 1) % DSM_MODEL_QMAX;
	net->len[from][to]--;
	*type = q->type;
	return msg_encode_dsm(q->type, &q->m, wire);
}

static inline unsigned int dsm_model_queued(const struct dsm_model_net *net)
{
	unsigned int n = 0;
	int i, j;

	for (i = 0; i < DSM_MODEL_NODES; i++)
		for (j = 0; j < DSM_MODEL_NODES; j++)
			n += net->len[i][j];
	return n;
}

/* ------------------------------------------------------------ the workload */

/* A test's cluster, as the workload sees it. */
struct dsm_model_cluster {
	struct dsm_model_net net;
	uint64_t adds;				/* counted by dsm_model_step() */
	struct dsm_model *(*copy)(int node);	/* node @node's copy */
	/* node @node's kernel asks for what its process needs of @page, once */
	void (*want)(int node, uint32_t page, enum dsm_access access);
	void (*deliver)(int from, int to);	/* the next message, handed over */
};

static inline uint64_t dsm_model_counter(const struct dsm_model *c)
{
	uint64_t v;

	memcpy(&v, c->page[0], sizeof(v));
	return v;
}

/*
 * The copies are coherent: at most one writer of a page and never a
 * reader beside it, and every copy that may be read holds the latest
 * count and page 1's content.
 */
static inline void dsm_model_check(const struct dsm_model_cluster *cl)
{
	int i, p, writers, readers;
	struct dsm_model *c;

	for (p = 0; p < DSM_MODEL_PAGES; p++) {
		writers = readers = 0;
		for (i = 0; i < DSM_MODEL_NODES; i++) {
			writers += cl->copy(i)->state[p] == DSM_WRITE;
			readers += cl->copy(i)->state[p] == DSM_READ;
		}
		ck_assert_int_le(writers, 1);
		ck_assert(!writers || !readers);
	}
	for (i = 0; i < DSM_MODEL_NODES; i++) {
		c = cl->copy(i);
		if (c->state[0] >= DSM_READ)
			ck_assert_uint_eq(dsm_model_counter(c), cl->adds);
		if (c->state[1] >= DSM_READ)
			ck_assert_uint_eq(c->page[1][100], DSM_MODEL_FILL);
	}
}

/*
 * One step: a node's process runs (adds to the counter if its copy may be
 * written, or reads page 1), or a queued message arrives.
 */
static inline void dsm_model_step(struct dsm_model_cluster *cl)
{
	int i = rand() % DSM_MODEL_NODES, j = rand() % DSM_MODEL_NODES;
	struct dsm_model *c = cl->copy(i);
	uint64_t v;

	if (rand() % 2 && cl->net.len[i][j]) {
		cl->deliver(i, j);
		return;
	}
	if (rand() % 3) {
		cl->want(i, 0, DSM_WRITE);
		if (c->state[0] == DSM_WRITE) {
			v = dsm_model_counter(c) + 1;
			memcpy(c->page[0], &v, sizeof(v));
			cl->adds++;
		}
	} else {
		cl->want(i, 1, DSM_READ);
	}
}

#endif /* TEST_UNIT_DSM_MODEL_H */
