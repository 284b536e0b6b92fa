// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_dsm_traffic.c - a DSM segment's page traffic (ssid/dsm/page_traffic.c)
 * over a cluster in one process: home (node 0) runs the directory on its own
 * copy, two nodes hold copies; each node's kernel copy is a model of
 * ssi.ko's (dsm_model.h: a state and the content per page, its grant and
 * revoke rules), messages go through queues, one FIFO per pair of nodes,
 * delivered in any order those allow.  Every node adds to a counter on
 * page 0 and reads page 1; at every step there is at most one writer and
 * never a reader beside it, every copy that may be read holds the latest
 * count, and at the end home's memory holds every add.  Then a node is lost holding
 * page 0 to write: the page is lost for home's own processes too, and the
 * page it only read is not.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "run_suite.h"
#include "dsm_model.h"
#include "dsm/page_traffic.h"

#define NODES	DSM_MODEL_NODES
#define PAGES	2
#define SEG	0x5e6ULL

struct node {
	int id;
	struct dsm_model k;
};

static struct node nodes[NODES];
static struct dsm_model_cluster cl;
static struct dsm_home *home;

/* ssi.ko's channel ioctls on node @arg's copy */
static int k_revoke(void *arg, uint32_t page, enum dsm_access keep, void *out)
{
	struct node *n = arg;

	return dsm_model_revoke(&n->k, page, keep, out);
}

static int k_grant(void *arg, uint32_t page, enum dsm_access access, const void *data)
{
	struct node *n = arg;

	return dsm_model_grant(&n->k, page, access, data);
}

static int k_fail(void *arg, uint32_t page)
{
	struct node *n = arg;

	return dsm_model_fail(&n->k, page);
}

static int q_send(void *arg, int to, uint16_t type, const struct msg_dsm *m)
{
	struct node *n = arg;

	dsm_model_send(&cl.net, n->id, to, type, m);
	return 0;
}

static const struct dsm_copy_ops ops = { k_revoke, k_grant, k_fail, q_send };

/* Through the wire format, as a peer would get it. */
static void deliver(int from, int to)
{
	static unsigned char wire[MSG_DSM_LEN + MSG_DSM_PAGE];
	struct msg_dsm m;
	uint16_t type;
	size_t len = dsm_model_next(&cl.net, from, to, wire, &type);

	ck_assert_int_eq(msg_decode_dsm(type, wire, len, &m), 0);
	if (to == 0)
		ck_assert_int_eq(dsm_home_msg(home, from, type, &m), 0);
	else
		ck_assert_int_eq(dsm_copy_msg(&ops, &nodes[to], 0, type, &m), 0);
}

/* Node @i's kernel asks for what its process needs of @page, once. */
static void want(int i, uint32_t page, enum dsm_access access)
{
	struct dsm_model *k = &nodes[i].k;

	if (k->state[page] >= access || k->asked[page] >= access)
		return;
	k->asked[page] = (uint8_t)access;
	if (i == 0)
		ck_assert_int_eq(dsm_home_local(home, page, access), 0);
	else
		ck_assert_int_eq(dsm_copy_local(&ops, &nodes[i], 0, SEG, page, access), 0);
}

static struct dsm_model *copy(int i)
{
	return &nodes[i].k;
}

static bool drain(void)
{
	bool any = false;
	int i, j;

	for (i = 0; i < NODES; i++)
		for (j = 0; j < NODES; j++)
			while (cl.net.len[i][j]) {
				deliver(i, j);
				dsm_model_check(&cl);
				any = true;
			}
	return any;
}

static void setup(void)
{
	int i;

	memset(nodes, 0, sizeof(nodes));
	memset(&cl.net, 0, sizeof(cl.net));
	cl.adds = 0;
	cl.copy = copy;
	cl.want = want;
	cl.deliver = deliver;
	for (i = 0; i < NODES; i++)
		nodes[i].id = i;
	nodes[0].k.state[0] = nodes[0].k.state[1] = DSM_WRITE;
	memset(nodes[0].k.page[1], DSM_MODEL_FILL, MSG_DSM_PAGE);
	home = dsm_home_new(SEG, PAGES, 0, &ops, &nodes[0]);
	ck_assert_ptr_nonnull(home);
}

START_TEST(test_cluster)
{
	int k;

	srand(1000 + (unsigned int)_i);
	setup();
	for (k = 0; k < 20000; k++) {
		dsm_model_step(&cl);
		dsm_model_check(&cl);
	}
	while (drain())
		;
	/* home reads its memory: every add is in it */
	nodes[0].k.asked[0] = DSM_NONE;
	want(0, 0, DSM_READ);
	while (drain())
		;
	ck_assert_uint_ge(nodes[0].k.state[0], DSM_READ);
	ck_assert_uint_eq(dsm_model_counter(&nodes[0].k), cl.adds);
	ck_assert_uint_gt(cl.adds, 1000);
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
	ck_assert_int_eq(nodes[2].k.state[0], DSM_WRITE);
	ck_assert_int_eq(nodes[2].k.state[1], DSM_READ);
	ck_assert_int_eq(dsm_home_node_lost(home, 2), 0);
	memset(nodes[2].k.state, DSM_NONE, sizeof(nodes[2].k.state));	/* it is gone */
	want(0, 0, DSM_READ);
	ck_assert(nodes[0].k.failed[0]);
	want(0, 1, DSM_WRITE);
	ck_assert_int_eq(nodes[0].k.state[1], DSM_WRITE);
	ck_assert(!nodes[0].k.failed[1]);
	/* node 1 asks for the lost page: told it failed */
	want(1, 0, DSM_READ);
	while (drain())
		;
	ck_assert(nodes[1].k.failed[0]);
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
	ck_assert_uint_eq(cl.net.len[0][1], 1);
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
