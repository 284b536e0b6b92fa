// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * page_traffic.c - a DSM segment's page traffic on one node (see
 * page_traffic.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dsm/page_traffic.h"

/* The errno a lost page's requester is told (a node holding it went down). */
#define DSM_LOST_ERRNO	EHOSTDOWN

struct dsm_home {
	uint64_t seg;
	uint32_t npages;
	int self;
	struct dsm_dir *dir;
	const struct dsm_copy_ops *ops;
	void *arg;
	uint8_t *here;			/* per page: home's copy's state */
	int err;			/* the first failure of home's copy */
	unsigned char buf[MSG_DSM_PAGE];
};

struct dsm_home *dsm_home_new(uint64_t seg, uint32_t npages, int self,
			      const struct dsm_copy_ops *ops, void *arg)
{
	struct dsm_home *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	*h = (struct dsm_home){ .seg = seg, .npages = npages, .self = self, .ops = ops,
				.arg = arg };
	h->dir = dsm_dir_new(npages, self);
	h->here = h->dir ? malloc(npages) : NULL;
	if (!h->here) {
		dsm_home_free(h);
		return NULL;
	}
	memset(h->here, DSM_WRITE, npages);
	return h;
}

void dsm_home_free(struct dsm_home *h)
{
	if (!h)
		return;
	dsm_dir_free(h->dir);
	free(h->here);
	free(h);
}

const struct dsm_dir *dsm_home_dir(const struct dsm_home *h)
{
	return h->dir;
}

static void copy_failed(struct dsm_home *h, int rc)
{
	if (rc && !h->err)
		h->err = -EIO;
}

static void tell(struct dsm_home *h, int node, uint16_t type, uint32_t page, uint32_t value,
		 uint32_t flags, const void *data)
{
	struct msg_dsm m = { .seg = h->seg, .page = page, .value = value, .flags = flags,
			     .data = data };

	/* a node that cannot be told is lost, which the caller hears of */
	h->ops->send(h->arg, node, type, &m);
}

static void apply(struct dsm_home *h, const struct dsm_act *acts, int n);

static void apply_one(struct dsm_home *h, const struct dsm_act *a)
{
	struct dsm_act more[DSM_DIR_ACTS_MAX];
	uint32_t p = a->page;

	switch (a->kind) {
	case DSM_ACT_REVOKE:
		if (a->node != h->self) {
			tell(h, a->node, SSID_MSG_DSM_REVOKE, p, a->access,
			     a->data ? MSG_DSM_DATA : 0, NULL);
			return;
		}
		/* home's copy: done now (home's content never travels back) */
		copy_failed(h, h->ops->revoke(h->arg, p, a->access, NULL));
		if (h->here[p] > a->access)
			h->here[p] = (uint8_t)a->access;
		apply(h, more, dsm_dir_revoked(h->dir, h->self, p, more));
		return;
	case DSM_ACT_GRANT:
		if (a->node == h->self) {
			copy_failed(h, h->ops->grant(h->arg, p, a->access, NULL));
			h->here[p] = (uint8_t)a->access;
			return;
		}
		/* the content from home's copy, its state there unchanged */
		if (a->data)
			copy_failed(h, h->ops->revoke(h->arg, p, h->here[p], h->buf));
		tell(h, a->node, SSID_MSG_DSM_GRANT, p, a->access, a->data ? MSG_DSM_DATA : 0,
		     h->buf);
		return;
	case DSM_ACT_FAIL:
		if (a->node == h->self)
			copy_failed(h, h->ops->fail(h->arg, p));
		else
			tell(h, a->node, SSID_MSG_DSM_FAIL, p, DSM_LOST_ERRNO, 0, NULL);
		return;
	}
}

static void apply(struct dsm_home *h, const struct dsm_act *acts, int n)
{
	int i;

	for (i = 0; i < n; i++)
		apply_one(h, &acts[i]);
}

/* What the caller is told: home's copy's first failure, once. */
static int result(struct dsm_home *h, int rc)
{
	int err = h->err;

	h->err = 0;
	return rc ? rc : err;
}

int dsm_home_local(struct dsm_home *h, uint32_t page, enum dsm_access access)
{
	struct dsm_act acts[DSM_DIR_ACTS_MAX];
	int n = dsm_dir_request(h->dir, h->self, page, access, acts);

	if (n < 0)
		return -EINVAL;
	apply(h, acts, n);
	return result(h, 0);
}

int dsm_home_msg(struct dsm_home *h, int from, uint16_t type, const struct msg_dsm *m)
{
	struct dsm_act acts[DSM_DIR_ACTS_MAX];
	struct dsm_page_view v;
	int n;

	if (from == h->self || from < 0 || from >= DSM_DIR_NODES_MAX || m->seg != h->seg ||
	    m->page >= h->npages)
		return -EPROTO;
	switch (type) {
	case SSID_MSG_DSM_ASK:
		n = dsm_dir_request(h->dir, from, (uint32_t)m->page, m->value, acts);
		break;
	case SSID_MSG_DSM_REVOKED:
		/* a writer gives its content back: into home's copy first */
		if (dsm_dir_view(h->dir, (uint32_t)m->page, &v) || !v.busy)
			return -EPROTO;
		if (v.writer == from) {
			if (!m->data || h->here[m->page] != DSM_NONE)
				return -EPROTO;
			copy_failed(h, h->ops->grant(h->arg, (uint32_t)m->page, DSM_NONE,
						     m->data));
		}
		n = dsm_dir_revoked(h->dir, from, (uint32_t)m->page, acts);
		break;
	default:
		return -EPROTO;
	}
	if (n < 0)
		return result(h, -EPROTO);
	apply(h, acts, n);
	return result(h, 0);
}

/* dsm_dir_node_lost()'s actions, kept to be done once it is over. */
struct lost_acts {
	struct dsm_act *a;
	size_t n, cap;
	bool nomem;
};

static void keep_act(void *arg, const struct dsm_act *a)
{
	struct lost_acts *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct dsm_act *na = realloc(l->a, cap * sizeof(*na));

		if (!na) {
			l->nomem = true;
			return;
		}
		l->a = na;
		l->cap = cap;
	}
	l->a[l->n++] = *a;
}

int dsm_home_node_lost(struct dsm_home *h, int node)
{
	struct lost_acts l = { 0 };
	size_t i;

	if (node == h->self || node < 0 || node >= DSM_DIR_NODES_MAX)
		return -EINVAL;
	dsm_dir_node_lost(h->dir, node, keep_act, &l);
	for (i = 0; i < l.n; i++)
		apply_one(h, &l.a[i]);
	free(l.a);
	return result(h, l.nomem ? -ENOMEM : 0);
}

/* ---------------------------------------------------------------- copy */

int dsm_copy_local(const struct dsm_copy_ops *ops, void *arg, int home, uint64_t seg,
		   uint32_t page, enum dsm_access access)
{
	struct msg_dsm m = { .seg = seg, .page = page, .value = access };

	return ops->send(arg, home, SSID_MSG_DSM_ASK, &m);
}

int dsm_copy_msg(const struct dsm_copy_ops *ops, void *arg, int home, uint16_t type,
		 const struct msg_dsm *m)
{
	unsigned char buf[MSG_DSM_PAGE];
	struct msg_dsm back;
	int rc;

	switch (type) {
	case SSID_MSG_DSM_REVOKE:
		rc = ops->revoke(arg, (uint32_t)m->page, m->value,
				 (m->flags & MSG_DSM_DATA) ? buf : NULL);
		if (rc)
			return rc;
		back = (struct msg_dsm){ .seg = m->seg, .page = m->page, .flags = m->flags,
					 .data = buf };
		return ops->send(arg, home, SSID_MSG_DSM_REVOKED, &back);
	case SSID_MSG_DSM_GRANT:
		return ops->grant(arg, (uint32_t)m->page, m->value, m->data);
	case SSID_MSG_DSM_FAIL:
		return ops->fail(arg, (uint32_t)m->page);
	}
	return -EPROTO;
}
