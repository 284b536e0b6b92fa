// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_dsm_dir.c - the directory of a DSM segment (ssid/dsm/directory.c):
 * the transitions of doc/dsm.md one by one, requests that wait for a
 * transition, lost nodes, refused arguments; then a model run: four nodes
 * read and write one page at random while revocations and grants arrive
 * in any order a FIFO per node allows, checking at every step that there
 * is at most one writer and never a reader beside it, that every copy
 * read is the latest value, and that no write is lost.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "run_suite.h"
#include "dsm/directory.h"

static struct dsm_act out[DSM_DIR_ACTS_MAX];

static void is_act(const struct dsm_act *a, enum dsm_act_kind kind, int node,
		   enum dsm_access access, bool data)
{
	ck_assert_int_eq(a->kind, kind);
	ck_assert_int_eq(a->node, node);
	ck_assert_int_eq(a->access, access);
	ck_assert_int_eq(a->data, data);
}

static struct dsm_page_view view(struct dsm_dir *d, uint32_t page)
{
	struct dsm_page_view v;

	ck_assert_int_eq(dsm_dir_view(d, page, &v), 0);
	return v;
}

START_TEST(test_transitions)
{
	struct dsm_dir *d = dsm_dir_new(4, 0);
	struct dsm_page_view v;

	ck_assert_ptr_nonnull(d);
	v = view(d, 2);
	ck_assert(v.writer == 0 && !v.readers && !v.busy);	/* HOME */

	/* a read away: home keeps a copy to read, the content goes */
	ck_assert_int_eq(dsm_dir_request(d, 1, 2, DSM_READ, out), 1);
	is_act(&out[0], DSM_ACT_REVOKE, 0, DSM_READ, false);
	ck_assert(view(d, 2).busy);
	ck_assert_int_eq(dsm_dir_revoked(d, 0, 2, out), 1);
	is_act(&out[0], DSM_ACT_GRANT, 1, DSM_READ, true);
	v = view(d, 2);
	ck_assert(v.writer == -1 && v.readers == 0x3 && !v.busy);	/* SHARED */

	/* another reader: at once */
	ck_assert_int_eq(dsm_dir_request(d, 2, 2, DSM_READ, out), 1);
	is_act(&out[0], DSM_ACT_GRANT, 2, DSM_READ, true);
	/* a reader asking again (it crossed its grant): granted, no content */
	ck_assert_int_eq(dsm_dir_request(d, 2, 2, DSM_READ, out), 1);
	is_act(&out[0], DSM_ACT_GRANT, 2, DSM_READ, false);

	/* a reader writes: every other copy goes first, it keeps its own */
	ck_assert_int_eq(dsm_dir_request(d, 1, 2, DSM_WRITE, out), 2);
	is_act(&out[0], DSM_ACT_REVOKE, 0, DSM_NONE, false);
	is_act(&out[1], DSM_ACT_REVOKE, 2, DSM_NONE, false);
	ck_assert_int_eq(dsm_dir_revoked(d, 0, 2, out), 0);
	ck_assert_int_eq(dsm_dir_revoked(d, 0, 2, out), -1);	/* not awaited */
	ck_assert_int_eq(dsm_dir_revoked(d, 2, 2, out), 1);
	is_act(&out[0], DSM_ACT_GRANT, 1, DSM_WRITE, false);
	v = view(d, 2);
	ck_assert(v.writer == 1 && !v.readers);		/* OWNED(1) */

	/* home reads: the writer's content comes back, it keeps a copy;
	 * meanwhile node 3 asks to read, then to write: one request */
	ck_assert_int_eq(dsm_dir_request(d, 0, 2, DSM_READ, out), 1);
	is_act(&out[0], DSM_ACT_REVOKE, 1, DSM_READ, true);
	ck_assert_int_eq(dsm_dir_request(d, 3, 2, DSM_READ, out), 0);
	ck_assert_int_eq(dsm_dir_request(d, 3, 2, DSM_WRITE, out), 0);
	ck_assert_uint_eq(view(d, 2).queued, 1);
	ck_assert_int_eq(dsm_dir_revoked(d, 1, 2, out), 3);
	is_act(&out[0], DSM_ACT_GRANT, 0, DSM_READ, false);
	is_act(&out[1], DSM_ACT_REVOKE, 0, DSM_NONE, false);
	is_act(&out[2], DSM_ACT_REVOKE, 1, DSM_NONE, false);
	ck_assert_int_eq(dsm_dir_revoked(d, 1, 2, out), 0);
	ck_assert_int_eq(dsm_dir_revoked(d, 0, 2, out), 1);
	is_act(&out[0], DSM_ACT_GRANT, 3, DSM_WRITE, true);	/* it had none */
	ck_assert_int_eq(view(d, 2).writer, 3);

	/* home writes: its copy is the segment, the writer's content comes home */
	ck_assert_int_eq(dsm_dir_request(d, 0, 2, DSM_WRITE, out), 1);
	is_act(&out[0], DSM_ACT_REVOKE, 3, DSM_NONE, true);
	ck_assert_int_eq(dsm_dir_revoked(d, 3, 2, out), 1);
	is_act(&out[0], DSM_ACT_GRANT, 0, DSM_WRITE, false);

	/* the other pages never moved */
	ck_assert_int_eq(view(d, 0).writer, 0);
	dsm_dir_free(d);
}
END_TEST

static struct dsm_act emitted[DSM_DIR_ACTS_MAX * 4];
static int nemitted;

static void collect(void *arg, const struct dsm_act *a)
{
	(void)arg;
	emitted[nemitted++] = *a;
}

START_TEST(test_lost)
{
	struct dsm_dir *d = dsm_dir_new(2, 0);

	/* node 2 writes page 0 alone; node 1 reads page 1 */
	ck_assert_int_eq(dsm_dir_request(d, 2, 0, DSM_WRITE, out), 1);
	ck_assert_int_eq(dsm_dir_revoked(d, 0, 0, out), 1);
	is_act(&out[0], DSM_ACT_GRANT, 2, DSM_WRITE, true);
	ck_assert_int_eq(dsm_dir_request(d, 1, 1, DSM_READ, out), 1);
	ck_assert_int_eq(dsm_dir_revoked(d, 0, 1, out), 1);
	/* node 1 asks for page 0, waits on node 2, which is lost */
	ck_assert_int_eq(dsm_dir_request(d, 1, 0, DSM_READ, out), 1);
	is_act(&out[0], DSM_ACT_REVOKE, 2, DSM_READ, true);
	nemitted = 0;
	dsm_dir_node_lost(d, 2, collect, NULL);
	ck_assert_int_eq(nemitted, 1);
	is_act(&emitted[0], DSM_ACT_FAIL, 1, DSM_READ, false);
	ck_assert(view(d, 0).lost);
	ck_assert_int_eq(dsm_dir_request(d, 0, 0, DSM_WRITE, out), 1);
	is_act(&out[0], DSM_ACT_FAIL, 0, DSM_WRITE, false);
	/* page 1 is not affected */
	ck_assert(!view(d, 1).lost && view(d, 1).readers == 0x3);

	/* a requester lost mid-way: the others' copies still go, nobody gets it */
	nemitted = 0;
	ck_assert_int_eq(dsm_dir_request(d, 3, 1, DSM_WRITE, out), 2);
	ck_assert_int_eq(dsm_dir_request(d, 1, 1, DSM_WRITE, out), 0);	/* waits */
	dsm_dir_node_lost(d, 3, collect, NULL);
	ck_assert_int_eq(nemitted, 0);
	ck_assert_int_eq(dsm_dir_revoked(d, 0, 1, out), 0);
	/* node 1's copy was revoked for node 3: it gets one back, with content */
	ck_assert_int_eq(dsm_dir_revoked(d, 1, 1, out), 1);
	is_act(&out[0], DSM_ACT_GRANT, 1, DSM_WRITE, true);
	dsm_dir_free(d);
}
END_TEST

START_TEST(test_refused)
{
	struct dsm_dir *d = dsm_dir_new(2, 1);

	ck_assert_ptr_null(dsm_dir_new(0, 0));
	ck_assert_ptr_null(dsm_dir_new(DSM_DIR_PAGES_MAX + 1, 0));
	ck_assert_ptr_null(dsm_dir_new(1, DSM_DIR_NODES_MAX));
	ck_assert_int_eq(dsm_dir_request(d, 0, 2, DSM_READ, out), -1);
	ck_assert_int_eq(dsm_dir_request(d, -1, 0, DSM_READ, out), -1);
	ck_assert_int_eq(dsm_dir_request(d, DSM_DIR_NODES_MAX, 0, DSM_READ, out), -1);
	ck_assert_int_eq(dsm_dir_request(d, 0, 0, DSM_NONE, out), -1);
	ck_assert_int_eq(dsm_dir_request(d, 0, 0, 7, out), -1);
	ck_assert_int_eq(dsm_dir_revoked(d, 0, 0, out), -1);
	nemitted = 0;
	dsm_dir_node_lost(d, 1, collect, NULL);		/* home: the directory itself */
	ck_assert_int_eq(view(d, 0).writer, 1);
	dsm_dir_free(d);
	dsm_dir_free(NULL);
}
END_TEST

/* ------------------------------------------------------------ the model */

#define NODES	4
#define QMAX	64

struct node {
	enum dsm_access has;
	long copy;		/* its copy's value (home: the segment itself) */
	bool asked;
	struct dsm_act q[QMAX];	/* messages to it, in order */
	int nq;
};

static struct node nodes[NODES];
static long truth, home_copy, writes;

static void send(const struct dsm_act *a)
{
	struct node *n = &nodes[a->node];

	ck_assert_int_lt(n->nq, QMAX);
	n->q[n->nq++] = *a;
}

static void send_all(const struct dsm_act *a, int n)
{
	int i;

	ck_assert_int_ge(n, 0);
	for (i = 0; i < n; i++)
		send(&a[i]);
}

static long copy_of(int i)
{
	return i == 0 ? home_copy : nodes[i].copy;
}

static void check_invariants(void)
{
	int i, writers = 0, readers = 0;

	for (i = 0; i < NODES; i++) {
		writers += nodes[i].has == DSM_WRITE;
		readers += nodes[i].has == DSM_READ;
		if (nodes[i].has)
			ck_assert_msg(copy_of(i) == truth, "node %d holds %ld, the value is %ld",
				      i, copy_of(i), truth);
	}
	ck_assert_int_le(writers, 1);
	ck_assert(!writers || !readers);
}

/* Node @i takes the first message sent to it. */
static void deliver(struct dsm_dir *d, int i)
{
	struct node *n = &nodes[i];
	struct dsm_act a = n->q[0], acts[DSM_DIR_ACTS_MAX];

	memmove(n->q, n->q + 1, --n->nq * sizeof(n->q[0]));
	switch (a.kind) {
	case DSM_ACT_REVOKE:
		if (a.data) {
			ck_assert_int_eq(n->has, DSM_WRITE);
			home_copy = n->copy;
		}
		if (n->has > a.access)
			n->has = a.access;
		send_all(acts, dsm_dir_revoked(d, i, a.page, acts));
		break;
	case DSM_ACT_GRANT:
		if (a.data)
			n->copy = home_copy;
		else
			ck_assert_msg(copy_of(i) == truth, "node %d granted without content, "
				      "its copy stale", i);
		n->has = a.access;
		n->asked = false;
		break;
	case DSM_ACT_FAIL:
		ck_abort_msg("a page was lost with no node lost");
	}
}

START_TEST(test_model)
{
	struct dsm_dir *d = dsm_dir_new(1, 0);
	struct dsm_act acts[DSM_DIR_ACTS_MAX];
	unsigned int seed = 12345 + (unsigned int)_i * 7919, step;
	int i;

	memset(nodes, 0, sizeof(nodes));
	nodes[0].has = DSM_WRITE;
	truth = home_copy = writes = 0;
	for (step = 0; step < 200000; step++) {
		i = rand_r(&seed) % NODES;
		if (rand_r(&seed) % 2 && nodes[i].nq) {
			deliver(d, i);
		} else if (nodes[i].has == DSM_WRITE && rand_r(&seed) % 3) {
			if (i == 0)
				home_copy++;
			else
				nodes[i].copy++;
			truth++;
			writes++;
		} else if (nodes[i].has == DSM_READ && rand_r(&seed) % 2) {
			ck_assert_int_eq(copy_of(i), truth);
		} else if (!nodes[i].asked && nodes[i].has != DSM_WRITE) {
			nodes[i].asked = true;
			send_all(acts, dsm_dir_request(d, i, 0,
				 rand_r(&seed) % 2 ? DSM_WRITE : DSM_READ, acts));
		}
		check_invariants();
	}
	ck_assert_int_gt(writes, 1000);
	dsm_dir_free(d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dsm_dir");
	TCase *tc = tcase_create("directory");
	int failed;

	tcase_add_test(tc, test_transitions);
	tcase_add_test(tc, test_lost);
	tcase_add_test(tc, test_refused);
	tcase_add_loop_test(tc, test_model, 0, 4);	/* four seeds */
	suite_add_tcase(s, tc);
	failed = check_run(s);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
