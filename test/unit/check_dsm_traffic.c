// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_dsm_traffic.c - a DSM segment's page traffic (ssid/dsm/page_traffic.c)
 * over a cluster in one process: home (node 0) runs the directory on its own
 * copy, two nodes hold copies; each node's kernel copy is a model of
 * ssi.ko's (a state and the content per page, its grant and revoke rules),
 * messages go through queues, one FIFO per pair of nodes, delivered in any
 * order those allow.  Every node adds to a counter on page 0 and reads
 * page 1; at every step there is at most one writer and never a reader
 * beside it, every copy that may be read holds the latest count, and at
 * the end home's memory holds every add.  Then a node is lost holding
 * page 0 to write: the page is lost for home's own processes too, and the
 * page it only read is not.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "run_suite.h"
#include "dsm/page_traffic.h"

#define NODES	3
#define PAGES	2
#define QMAX	256
#define SEG	0x5e6ULL

struct node {
	int id;
	uint8_t state[PAGES];
	uint8_t asked[PAGES];		/* what its kernel asked for, not granted */
	bool failed[PAGES];
	unsigned char page[PAGES][MSG_DSM_PAGE];
};

struct msg {
	uint16_t type;
	struct msg_dsm m;
	unsigned char data[MSG_DSM_PAGE];
};

static struct node nodes[NODES];
static struct msg queue[NODES][NODES][QMAX];	/* [from][to] */
static unsigned int qhead[NODES][NODES], qlen[NODES][NODES];
static struct dsm_home *home;
static uint64_t adds;

static uint64_t counter(const struct node *n)
{
	uint64_t v;

	memcpy(&v, n->page[0], sizeof(v));
	return v;
}

/* ssi.ko's channel ioctls on node @arg's copy */
static int k_revoke(void *arg, uint32_t page, enum dsm_access keep, void *out)
{
	struct node *n = arg;

	ck_assert_uint_lt(page, PAGES);
	ck_assert_int_le(keep, DSM_READ);
	if (out)
		memcpy(out, n->page[page], MSG_DSM_PAGE);
	if (n->state[page] > keep)
		n->state[page] = (uint8_t)keep;
	return 0;
}

static int k_grant(void *arg, uint32_t page, enum dsm_access access, const void *data)
{
	struct node *n = arg;

	ck_assert_uint_lt(page, PAGES);
	if (access == DSM_NONE) {
		ck_assert_ptr_nonnull(data);
		if (n->state[page] != DSM_NONE)
			return -EBUSY;
	}
	if (data)
		memcpy(n->page[page], data, MSG_DSM_PAGE);
	if (access != DSM_NONE) {
		n->state[page] = (uint8_t)access;
		if (n->asked[page] <= access)
			n->asked[page] = DSM_NONE;
	}
	return 0;
}

static int k_fail(void *arg, uint32_t page)
{
	struct node *n = arg;

	n->failed[page] = true;
	n->asked[page] = DSM_NONE;
	return 0;
}

static int q_send(void *arg, int to, uint16_t type, const struct msg_dsm *m)
{
	struct node *n = arg;
	struct msg *q;

	ck_assert_int_ne(to, n->id);
	ck_assert_uint_lt(qlen[n->id][to], QMAX);
	q = &queue[n->id][to][(qhead[n->id][to] + qlen[n->id][to]++) % QMAX];
	q->type = type;
	q->m = *m;
	if ((m->flags & MSG_DSM_DATA) && m->data) {
		memcpy(q->data, m->data, MSG_DSM_PAGE);
		q->m.data = q->data;
	} else {
		q->m.data = NULL;
	}
	return 0;
}

static const struct dsm_copy_ops ops = { k_revoke, k_grant, k_fail, q_send };

/* Through the wire format, as a peer would get it. */
static void deliver(int from, int to)
{
	static unsigned char wire[MSG_DSM_LEN + MSG_DSM_PAGE];
	struct msg *q = &queue[from][to][qhead[from][to]];
	struct msg_dsm m;
	size_t len;

	qhead[from][to] = (qhead[from][to] + 1) % QMAX;
	qlen[from][to]--;
	len = msg_encode_dsm(q->type, &q->m, wire);
	ck_assert_int_eq(msg_decode_dsm(q->type, wire, len, &m), 0);
	if (to == 0)
		ck_assert_int_eq(dsm_home_msg(home, from, q->type, &m), 0);
	else
		ck_assert_int_eq(dsm_copy_msg(&ops, &nodes[to], 0, q->type, &m), 0);
}

/* Node @i's kernel asks for what its process needs of @page, once. */
static void want(int i, uint32_t page, enum dsm_access access)
{
	struct node *n = &nodes[i];

	if (n->state[page] >= access || n->asked[page] >= access)
		return;
	n->asked[page] = (uint8_t)access;
	if (i == 0)
		ck_assert_int_eq(dsm_home_local(home, page, access), 0);
	else
		ck_assert_int_eq(dsm_copy_local(&ops, n, 0, SEG, page, access), 0);
}

static void check_coherent(void)
{
	int i, p, writers, readers;

	for (p = 0; p < PAGES; p++) {
		writers = readers = 0;
		for (i = 0; i < NODES; i++) {
			writers += nodes[i].state[p] == DSM_WRITE;
			readers += nodes[i].state[p] == DSM_READ;
		}
		ck_assert_int_le(writers, 1);
		ck_assert(!writers || !readers);
	}
	for (i = 0; i < NODES; i++)
		if (nodes[i].state[0] >= DSM_READ)
			ck_assert_uint_eq(counter(&nodes[i]), adds);
	for (i = 0; i < NODES; i++)
		if (nodes[i].state[1] >= DSM_READ)
			ck_assert_uint_eq(nodes[i].page[1][100], 0x42);
}

/* One step: a node's process runs, or a queued message arrives. */
static void step(void)
{
	int i = rand() % NODES, j = rand() % NODES;
	uint64_t v;

	if (rand() % 2 && qlen[i][j]) {
		deliver(i, j);
		return;
	}
	if (rand() % 3) {
		want(i, 0, DSM_WRITE);
		if (nodes[i].state[0] == DSM_WRITE) {
			v = counter(&nodes[i]) + 1;
			memcpy(nodes[i].page[0], &v, sizeof(v));
			adds++;
		}
	} else {
		want(i, 1, DSM_READ);
	}
}

static bool drain(void)
{
	bool any = false;
	int i, j;

	for (i = 0; i < NODES; i++)
		for (j = 0; j < NODES; j++)
			while (qlen[i][j]) {
				deliver(i, j);
				check_coherent();
				any = true;
			}
	return any;
}

static void setup(void)
{
	int i;

	memset(nodes, 0, sizeof(nodes));
	memset(qhead, 0, sizeof(qhead));
	memset(qlen, 0, sizeof(qlen));
	adds = 0;
	for (i = 0; i < NODES; i++)
		nodes[i].id = i;
	nodes[0].state[0] = nodes[0].state[1] = DSM_WRITE;
	memset(nodes[0].page[1], 0x42, MSG_DSM_PAGE);
	home = dsm_home_new(SEG, PAGES, 0, &ops, &nodes[0]);
	ck_assert_ptr_nonnull(home);
}

START_TEST(test_cluster)
{
	int k;

	srand(1000 + (unsigned int)_i);
	setup();
	for (k = 0; k < 20000; k++) {
		step();
		check_coherent();
	}
	while (drain())
		;
	/* home reads its memory: every add is in it */
	nodes[0].asked[0] = DSM_NONE;
	want(0, 0, DSM_READ);
	while (drain())
		;
	ck_assert_uint_ge(nodes[0].state[0], DSM_READ);
	ck_assert_uint_eq(counter(&nodes[0]), adds);
	ck_assert_uint_gt(adds, 1000);
	dsm_home_free(home);
}
END_TEST

/* A node lost with the only written copy: that page fails, others do not. */
START_TEST(test_lost)
{
	struct msg_dsm m = { .seg = SEG, .page = 0, .value = DSM_WRITE };

	setup();
	want(2, 0, DSM_WRITE);
	want(2, 1, DSM_READ);
	while (drain())
		;
	ck_assert_int_eq(nodes[2].state[0], DSM_WRITE);
	ck_assert_int_eq(nodes[2].state[1], DSM_READ);
	ck_assert_int_eq(dsm_home_node_lost(home, 2), 0);
	memset(nodes[2].state, DSM_NONE, sizeof(nodes[2].state));	/* it is gone */
	want(0, 0, DSM_READ);
	ck_assert(nodes[0].failed[0]);
	want(0, 1, DSM_WRITE);
	ck_assert_int_eq(nodes[0].state[1], DSM_WRITE);
	ck_assert(!nodes[0].failed[1]);
	/* node 1 asks for the lost page: told it failed */
	want(1, 0, DSM_READ);
	while (drain())
		;
	ck_assert(nodes[1].failed[0]);
	/* messages that do not fit */
	ck_assert_int_eq(dsm_home_msg(home, 0, SSID_MSG_DSM_ASK, &m), -EPROTO);
	m.seg = SEG + 1;
	ck_assert_int_eq(dsm_home_msg(home, 1, SSID_MSG_DSM_ASK, &m), -EPROTO);
	m.seg = SEG;
	m.page = PAGES;
	ck_assert_int_eq(dsm_home_msg(home, 1, SSID_MSG_DSM_ASK, &m), -EPROTO);
	m.page = 1;
	ck_assert_int_eq(dsm_home_msg(home, 1, SSID_MSG_DSM_REVOKED, &m), -EPROTO);
	ck_assert_int_eq(dsm_home_msg(home, 1, SSID_MSG_DSM_GRANT, &m), -EPROTO);
	ck_assert_int_eq(dsm_copy_msg(&ops, &nodes[1], 0, SSID_MSG_DSM_ASK, &m), -EPROTO);
	dsm_home_free(home);
}
END_TEST

/* A writer's revocation answered without its content is refused. */
START_TEST(test_writer_without_content)
{
	struct msg_dsm m = { .seg = SEG, .page = 0 };

	setup();
	want(1, 0, DSM_WRITE);
	while (drain())
		;
	want(2, 0, DSM_READ);
	deliver(2, 0);			/* the ask: node 1 is told to give it back */
	ck_assert_uint_eq(qlen[0][1], 1);
	ck_assert_int_eq(dsm_home_msg(home, 1, SSID_MSG_DSM_REVOKED, &m), -EPROTO);
	dsm_home_free(home);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dsm_traffic");
	TCase *tc = tcase_create("traffic");
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_cluster, 0, 4);
	tcase_add_test(tc, test_lost);
	tcase_add_test(tc, test_writer_without_content);
	suite_add_tcase(s, tc);
	failed = check_run(s);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
