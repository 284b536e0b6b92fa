// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * directory.c - the directory of a DSM segment (directory.h).
 *
 * Per page: the writer (or none), the readers, whether it is lost, and
 * while a transition is in flight the request it serves, the nodes whose
 * revocation is not acknowledged yet and the requests that wait.  The
 * transition state is allocated only for pages that have one.
 */
#include <stdlib.h>
#include <string.h>

#include "dsm/directory.h"

struct waiting_req {
	int node;
	enum dsm_access access;
};

struct transition {
	int node;			/* served when it ends; -1: it left */
	enum dsm_access access;
	bool had_copy;			/* @node's copy was valid */
	int kept_reader;		/* the writer revoked to READ, or -1 */
	uint64_t waiting;		/* revocations not acknowledged */
	bool busy;			/* @waiting is not empty */
	unsigned int nq;
	struct waiting_req q[DSM_DIR_NODES_MAX];
};

struct page_state {
	uint64_t readers;
	int8_t writer;			/* -1: nobody writes */
	bool lost;
	struct transition *t;		/* NULL: none, nothing queued */
};

struct dsm_dir {
	uint32_t npages;
	int home;
	struct page_state *p;
};

static uint64_t bit(int node)
{
	return 1ULL << node;
}

struct dsm_dir *dsm_dir_new(uint32_t npages, int home)
{
	struct dsm_dir *d;
	uint32_t i;

	if (!npages || npages > DSM_DIR_PAGES_MAX || home < 0 || home >= DSM_DIR_NODES_MAX)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->p = calloc(npages, sizeof(*d->p));
	if (!d->p) {
		free(d);
		return NULL;
	}
	d->npages = npages;
	d->home = home;
	for (i = 0; i < npages; i++)
		d->p[i].writer = (int8_t)home;
	return d;
}

void dsm_dir_free(struct dsm_dir *d)
{
	uint32_t i;

	if (!d)
		return;
	for (i = 0; i < d->npages; i++)
		free(d->p[i].t);
	free(d->p);
	free(d);
}

static struct dsm_act *act(struct dsm_act *out, int *n, enum dsm_act_kind kind, int node,
			   uint32_t page, enum dsm_access access, bool data)
{
	struct dsm_act *a = &out[(*n)++];

	*a = (struct dsm_act){ kind, node, page, access, data };
	return a;
}

/* A transition, made if it is not there; NULL: out of memory. */
static struct transition *trans_of(struct page_state *p)
{
	if (!p->t) {
		p->t = calloc(1, sizeof(*p->t));
		if (p->t)
			p->t->node = -1;
	}
	return p->t;
}

static void drop_if_idle(struct page_state *p)
{
	if (p->t && !p->t->busy && !p->t->nq) {
		free(p->t);
		p->t = NULL;
	}
}

/*
 * Serve @node's request for @access now (no transition in flight).
 * Returns false if it needs memory it cannot have (nothing changed).
 */
static bool start(struct dsm_dir *d, uint32_t page, int node, enum dsm_access access,
		  struct dsm_act *out, int *n)
{
	struct page_state *p = &d->p[page];
	uint64_t targets;
	struct transition *t;
	int i;

	if (p->lost) {
		act(out, n, DSM_ACT_FAIL, node, page, access, false);
		return true;
	}
	if (p->writer == node || (access == DSM_READ && (p->readers & bit(node)))) {
		/* it holds it already (a request that crossed a grant) */
		act(out, n, DSM_ACT_GRANT, node, page,
		    p->writer == node ? DSM_WRITE : DSM_READ, false);
		return true;
	}
	if (access == DSM_READ && p->writer < 0) {
		p->readers |= bit(node);
		act(out, n, DSM_ACT_GRANT, node, page, DSM_READ, node != d->home);
		return true;
	}
	/* the others give their copies up first: the writer only to READ for a read */
	if (access == DSM_READ)
		targets = bit(p->writer);
	else
		targets = (p->readers | (p->writer >= 0 ? bit(p->writer) : 0)) & ~bit(node);
	if (!targets) {
		/* nobody else holds it: @node writes it now */
		act(out, n, DSM_ACT_GRANT, node, page, DSM_WRITE,
		    node != d->home && !(p->readers & bit(node)));
		p->writer = (int8_t)node;
		p->readers = 0;
		return true;
	}
	t = trans_of(p);
	if (!t)
		return false;
	t->node = node;
	t->access = access;
	/* home's copy is the segment: valid once a writer's content is back */
	t->had_copy = node == d->home || (p->readers & bit(node));
	t->kept_reader = access == DSM_READ ? p->writer : -1;
	t->waiting = targets;
	t->busy = true;
	for (i = 0; i < DSM_DIR_NODES_MAX; i++)
		if (targets & bit(i))
			act(out, n, DSM_ACT_REVOKE, i, page,
			    access == DSM_READ ? DSM_READ : DSM_NONE,
			    i == p->writer && i != d->home);
	return true;
}

/* The revocations are all done: the new state, and the grant. */
static void finish(struct dsm_dir *d, uint32_t page, struct dsm_act *out, int *n)
{
	struct page_state *p = &d->p[page];
	struct transition *t = p->t;

	t->busy = false;
	if (t->access == DSM_READ) {
		p->writer = -1;
		if (t->kept_reader >= 0 && !p->lost)
			p->readers |= bit(t->kept_reader);
	} else {
		p->writer = -1;
		p->readers = 0;
	}
	if (t->node < 0)
		return;			/* the node that asked is gone */
	if (p->lost) {
		act(out, n, DSM_ACT_FAIL, t->node, page, t->access, false);
		return;
	}
	if (t->access == DSM_READ) {
		p->readers |= bit(t->node);
		act(out, n, DSM_ACT_GRANT, t->node, page, DSM_READ, t->node != d->home);
	} else {
		p->writer = (int8_t)t->node;
		act(out, n, DSM_ACT_GRANT, t->node, page, DSM_WRITE,
		    t->node != d->home && !t->had_copy);
	}
}

/* Serve what waits, in order, until one starts a transition. */
static void run_queue(struct dsm_dir *d, uint32_t page, struct dsm_act *out, int *n)
{
	struct page_state *p = &d->p[page];

	/* each waiting node once: at most DSM_DIR_ACTS_MAX actions in all */
	while (p->t && !p->t->busy && p->t->nq) {
		struct waiting_req r = p->t->q[0];

		memmove(p->t->q, p->t->q + 1, --p->t->nq * sizeof(p->t->q[0]));
		start(d, page, r.node, r.access, out, n);	/* p->t is there */
	}
	drop_if_idle(p);
}

static bool valid(const struct dsm_dir *d, int node, uint32_t page)
{
	return d && page < d->npages && node >= 0 && node < DSM_DIR_NODES_MAX;
}

int dsm_dir_request(struct dsm_dir *d, int node, uint32_t page, enum dsm_access access,
		    struct dsm_act *out)
{
	struct page_state *p;
	struct transition *t;
	unsigned int i;
	int n = 0;

	if (!valid(d, node, page) || (access != DSM_READ && access != DSM_WRITE))
		return -1;
	p = &d->p[page];
	if (!p->t || !p->t->busy) {
		if (!start(d, page, node, access, out, &n))
			return -1;
		return n;
	}
	t = p->t;
	for (i = 0; i < t->nq; i++)
		if (t->q[i].node == node) {
			if (t->q[i].access < access)
				t->q[i].access = access;
			return 0;
		}
	t->q[t->nq++] = (struct waiting_req){ node, access };
	return 0;
}

int dsm_dir_revoked(struct dsm_dir *d, int node, uint32_t page, struct dsm_act *out)
{
	struct page_state *p;
	int n = 0;

	if (!valid(d, node, page))
		return -1;
	p = &d->p[page];
	if (!p->t || !p->t->busy || !(p->t->waiting & bit(node)))
		return -1;
	p->t->waiting &= ~bit(node);
	if (p->t->waiting)
		return 0;
	finish(d, page, out, &n);
	run_queue(d, page, out, &n);
	return n;
}

void dsm_dir_node_lost(struct dsm_dir *d, int node,
		       void (*emit)(void *arg, const struct dsm_act *a), void *arg)
{
	struct dsm_act out[DSM_DIR_ACTS_MAX];
	uint32_t page;
	int n, i;

	if (!d || node < 0 || node >= DSM_DIR_NODES_MAX || node == d->home)
		return;
	for (page = 0; page < d->npages; page++) {
		struct page_state *p = &d->p[page];
		struct transition *t = p->t;
		unsigned int j = 0;

		p->readers &= ~bit(node);
		if (p->writer == node) {
			p->writer = -1;
			p->lost = true;		/* the only valid copy went with it */
		}
		if (!t)
			continue;
		if (t->kept_reader == node)
			t->kept_reader = -1;
		if (t->node == node)
			t->node = -1;
		while (j < t->nq)
			if (t->q[j].node == node)
				memmove(t->q + j, t->q + j + 1, (--t->nq - j) * sizeof(t->q[0]));
			else
				j++;
		n = 0;
		if (t->busy && (t->waiting & bit(node))) {
			t->waiting &= ~bit(node);
			if (!t->waiting)
				finish(d, page, out, &n);
		}
		run_queue(d, page, out, &n);
		for (i = 0; i < n; i++)
			emit(arg, &out[i]);
	}
}

int dsm_dir_view(const struct dsm_dir *d, uint32_t page, struct dsm_page_view *v)
{
	const struct page_state *p;

	if (!d || page >= d->npages)
		return -1;
	p = &d->p[page];
	v->writer = p->writer;
	v->readers = p->readers;
	v->lost = p->lost;
	v->busy = p->t && p->t->busy;
	v->queued = p->t ? p->t->nq : 0;
	return 0;
}
