// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * segments.c - this node's DSM segments (see segments.h).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "transport/ssi_transport.h"
#include "common/log.h"
#include "common/metrics.h"
#include "daemon/loop.h"
#include "dsm/page_traffic.h"
#include "dsm/segments.h"

#define DSM_PAGE_SIZE		MSG_DSM_PAGE	/* the kernel's and the wire's */
#define DSM_ID_HOME_SHIFT	48
#define DSM_ID_COUNT_MASK	((1ULL << DSM_ID_HOME_SHIFT) - 1)
#define DSM_REQS_BATCH		64		/* requests read from a channel at once */
/*
 * Passes over /proc at an export before giving up on mappers that keep
 * appearing: a pass finds the children forked meanwhile, and only a
 * process forking without end outruns this many.
 */
#define DSM_WRAP_PASSES_MAX	16
#define DSM_SHARED_ANON_PATH	"/dev/zero (deleted)"
#define DSM_SYSV_PATH		"/SYSV"	/* then the key, in hex */

/* One segment here: home's (@traffic) or a copy of another node's. */
struct dsm_seg {
	struct dsm_seg *next;
	struct dsm_segments *s;
	struct loop_handler h;		/* h.fd: its channel, -1 once closed */
	uint64_t id, size;
	uint32_t npages;
	int home;			/* its home's node index */
	unsigned int users;		/* dsm_segments_copy_get()s not put */
	int err;			/* closed: why (-EHOSTDOWN, -EIO), else 0 */
	struct dsm_home *traffic;	/* home's directory and its actions */
	dev_t dev;			/* home's: the shared memory it is over */
	ino_t ino;
};

/* A message waiting for its node's connection to take it. */
struct dsm_out {
	struct dsm_out *next;
	uint16_t type;
	struct msg_dsm m;		/* m.data points at @data when it carries content */
	unsigned char data[];
};

struct dsm_outbox {
	struct dsm_out *head, *last;
};

struct dsm_segments {
	int self;
	bool takes_part;		/* @self is a node the directory can name */
	const struct dsm_kernel_ops *k;
	void *karg;
	dsm_send_fn send;
	void *sarg;
	struct loop *loop;
	uint64_t count;			/* the last home segment's id, below its home */
	struct dsm_seg *segs;
	struct dsm_outbox out[DSM_DIR_NODES_MAX];
};

static int id_home(uint64_t id)
{
	return (int)(id >> DSM_ID_HOME_SHIFT) - 1;
}

static const char *type_name(uint16_t type)
{
	/* as ssid(8) names them (and no "FAIL" for a log scan to take for a failure) */
	static const char *const names[] = { "ask", "revoke", "revoked", "grant", "fail",
					     "wake", "drop" };

	if (type < SSID_MSG_DSM_MIN || type > SSID_MSG_DSM_MAX)
		return "?";
	return names[type - SSID_MSG_DSM_MIN];
}

/* ------------------------------------------------------------ sending */

/*
 * Hands @m to the peers: false if its node's connection is full, so that
 * it waits in the outbox.  Otherwise it is sent, or dropped and logged.
 */
static bool handed_over(struct dsm_segments *s, int node, uint16_t type,
			const struct msg_dsm *m)
{
	int rc = s->send(s->sarg, node, type, m);

	if (rc == -EAGAIN)
		return false;
	if (rc == -ENOTCONN)
		log_debug("DSM %s of segment %#" PRIx64 " to node %d dropped: not connected",
			  type_name(type), m->seg, node);
	else if (rc)
		log_err("DSM %s of segment %#" PRIx64 " to node %d dropped: %s", type_name(type),
			m->seg, node, strerror(-rc));
	return true;
}

static void outbox_flush(struct dsm_segments *s, int node)
{
	struct dsm_outbox *o = &s->out[node];
	struct dsm_out *e;

	while ((e = o->head) && handed_over(s, node, e->type, &e->m)) {
		o->head = e->next;
		free(e);
	}
	if (!o->head)
		o->last = NULL;
}

static void outbox_clear(struct dsm_outbox *o)
{
	struct dsm_out *e;

	while ((e = o->head)) {
		o->head = e->next;
		free(e);
	}
	o->last = NULL;
}

/* A copy of @m, its content too (the caller's buffer is reused at once). */
static int outbox_add(struct dsm_outbox *o, uint16_t type, const struct msg_dsm *m)
{
	bool carries = m->data && (m->flags & MSG_DSM_DATA);
	struct dsm_out *e = malloc(sizeof(*e) + (carries ? DSM_PAGE_SIZE : 0));

	if (!e) {
		log_err("DSM %s of segment %#" PRIx64 " dropped: out of memory", type_name(type),
			m->seg);
		return -ENOMEM;
	}
	e->next = NULL;
	e->type = type;
	e->m = *m;
	if (carries) {
		memcpy(e->data, m->data, DSM_PAGE_SIZE);
		e->m.data = e->data;
	}
	if (o->last)
		o->last->next = e;
	else
		o->head = e;
	o->last = e;
	return 0;
}

/* In order: after what waits for @node already. */
static int send_msg(struct dsm_segments *s, int node, uint16_t type, const struct msg_dsm *m)
{
	if (node < 0 || node >= DSM_DIR_NODES_MAX)
		return -EINVAL;
	outbox_flush(s, node);
	if (!s->out[node].head && handed_over(s, node, type, m))
		return 0;
	return outbox_add(&s->out[node], type, m);
}

void dsm_segments_writable(struct dsm_segments *s, int node)
{
	if (node >= 0 && node < DSM_DIR_NODES_MAX)
		outbox_flush(s, node);
}

/* --------------------------------------------------- a segment's copy */

/* The page traffic's view of a segment's copy: its channel, and the peers. */
static int seg_revoke(void *arg, uint32_t page, enum dsm_access keep, void *out)
{
	struct dsm_seg *g = arg;

	metrics_add(METRIC_DSM_REVOKED, 1);
	return g->s->k->revoke(g->s->karg, g->h.fd, page, keep, out);
}

static int seg_grant(void *arg, uint32_t page, enum dsm_access access, const void *data)
{
	struct dsm_seg *g = arg;

	return g->s->k->grant(g->s->karg, g->h.fd, page, access, data);
}

static int seg_fail(void *arg, uint32_t page)
{
	struct dsm_seg *g = arg;

	metrics_add(METRIC_DSM_LOST, 1);
	return g->s->k->fail(g->s->karg, g->h.fd, page);
}

static int seg_send(void *arg, int node, uint16_t type, const struct msg_dsm *m)
{
	struct dsm_seg *g = arg;

	if (m->flags & MSG_DSM_DATA)
		metrics_add(METRIC_DSM_PAGES_SENT, 1);
	return send_msg(g->s, node, type, m);
}

static const struct dsm_copy_ops seg_copy_ops = {
	.revoke = seg_revoke,
	.grant = seg_grant,
	.fail = seg_fail,
	.send = seg_send,
};

/* -------------------------------------------------------- the registry */

static struct dsm_seg *seg_find(const struct dsm_segments *s, uint64_t id)
{
	struct dsm_seg *g;

	for (g = s->segs; g && g->id != id; g = g->next)
		;
	return g;
}

static void serve_request(struct dsm_seg *g, const struct ssi_dsm_req *r)
{
	int rc;

	metrics_add(r->access == DSM_WRITE ? METRIC_DSM_ASKED_WRITE : METRIC_DSM_ASKED_READ, 1);
	if (g->traffic)
		rc = dsm_home_local(g->traffic, (uint32_t)r->page, r->access);
	else
		rc = dsm_copy_local(&seg_copy_ops, g, g->home, g->id, (uint32_t)r->page,
				    r->access);
	if (rc)
		log_err("DSM segment %#" PRIx64 ": page %" PRIu64 " asked for here: %s", g->id,
			(uint64_t)r->page, strerror(-rc));
}

/*
 * Closes @g's channel for good, @err saying why: its mappers here get
 * SIGBUS where they need a page not held, instead of waiting for ever.
 */
static void seg_close(struct dsm_seg *g, int err)
{
	if (g->h.fd < 0)
		return;
	if (g->s->loop)
		loop_del(g->s->loop, &g->h);
	g->s->k->close(g->s->karg, g->h.fd);
	g->h.fd = -1;
	g->err = err;
}

/* Everything the kernel asks for on @g's channel, until it has no more. */
static void seg_serve(struct dsm_seg *g)
{
	struct ssi_dsm_req r[DSM_REQS_BATCH];
	int n, i;

	while ((n = g->s->k->read_reqs(g->s->karg, g->h.fd, r, DSM_REQS_BATCH)) > 0)
		for (i = 0; i < n; i++)
			serve_request(g, &r[i]);
	if (n < 0) {
		log_err("DSM segment %#" PRIx64 ": its channel cannot be read (%s): closed",
			g->id, strerror(-n));
		seg_close(g, -EIO);
	}
}

static void channel_readable(struct loop_handler *h, uint32_t events)
{
	seg_serve((struct dsm_seg *)((char *)h - offsetof(struct dsm_seg, h)));
}

void dsm_segments_channel_ready(struct dsm_segments *s, int chan)
{
	struct dsm_seg *g;

	for (g = s->segs; g; g = g->next)
		if (g->h.fd == chan && chan >= 0)
			seg_serve(g);
}

/* A segment over channel @chan, not in the registry yet; NULL: @chan closed. */
static struct dsm_seg *seg_new(struct dsm_segments *s, uint64_t id, uint64_t size, int chan)
{
	struct dsm_seg *g = calloc(1, sizeof(*g));

	if (!g) {
		s->k->close(s->karg, chan);
		return NULL;
	}
	g->s = s;
	g->h.fd = chan;
	g->h.cb = channel_readable;
	g->id = id;
	g->size = size;
	g->npages = (uint32_t)(size / DSM_PAGE_SIZE);
	g->home = id_home(id);
	return g;
}

static void seg_free(struct dsm_seg *g)
{
	seg_close(g, 0);
	dsm_home_free(g->traffic);
	free(g);
}

/* @g into the registry and its channel into the loop: 0, or -errno (@g freed). */
static int seg_add(struct dsm_segments *s, struct dsm_seg *g)
{
	int err;

	if (s->loop && loop_add(s->loop, &g->h, EPOLLIN)) {
		err = -errno;
		seg_free(g);
		return err;
	}
	g->next = s->segs;
	s->segs = g;
	return 0;
}

static void seg_remove(struct dsm_segments *s, struct dsm_seg *g)
{
	struct dsm_seg **pp;

	for (pp = &s->segs; *pp != g; pp = &(*pp)->next)
		;
	*pp = g->next;
	seg_free(g);
}

struct dsm_segments *dsm_segments_create(int self, const struct dsm_kernel_ops *k, void *karg,
					 dsm_send_fn send, void *sarg, struct loop *loop)
{
	struct dsm_segments *s = malloc(sizeof(*s));

	if (!s)
		return NULL;
	*s = (struct dsm_segments){ .self = self, .k = k, .karg = karg, .send = send,
				    .sarg = sarg, .loop = loop };
	s->takes_part = self >= 0 && self < DSM_DIR_NODES_MAX;
	if (!s->takes_part)
		log_warn("this node is node %d of the configuration: shared memory across nodes "
			 "takes the first %d only, so no process mapping shared memory moves to "
			 "or from here", self, DSM_DIR_NODES_MAX);
	return s;
}

void dsm_segments_destroy(struct dsm_segments *s)
{
	struct dsm_seg *g;
	int i;

	if (!s)
		return;
	while ((g = s->segs)) {
		s->segs = g->next;
		seg_free(g);
	}
	for (i = 0; i < DSM_DIR_NODES_MAX; i++)
		outbox_clear(&s->out[i]);
	free(s);
}

void dsm_segments_count(const struct dsm_segments *s, unsigned int *homes,
			unsigned int *copies)
{
	const struct dsm_seg *g;

	*homes = *copies = 0;
	for (g = s->segs; g; g = g->next)
		if (g->traffic)
			++*homes;
		else
			++*copies;
}

/* ---------------------------------------------------------------- home */

static struct dsm_seg *seg_over(const struct dsm_segments *s, dev_t dev, ino_t ino)
{
	struct dsm_seg *g;

	for (g = s->segs; g && !(g->traffic && g->dev == dev && g->ino == ino); g = g->next)
		;
	return g;
}

/* The home segment over @src into *@out: made, or found (see dsm_segments_home()). */
static int home_segment(struct dsm_segments *s, int src, struct dsm_seg **out)
{
	uint64_t id, size;
	struct dsm_seg *g;
	struct stat st;
	int chan, rc;

	if (!s->takes_part)
		return -ERANGE;
	if (fstat(src, &st))
		return -errno;
	*out = seg_over(s, st.st_dev, st.st_ino);
	if (*out)
		return (*out)->err;
	if (!S_ISREG(st.st_mode) || st.st_size <= 0)
		return -EINVAL;
	size = ((uint64_t)st.st_size + DSM_PAGE_SIZE - 1) / DSM_PAGE_SIZE * DSM_PAGE_SIZE;
	if (size > SSI_DSM_SIZE_MAX)
		return -EFBIG;
	id = (uint64_t)(s->self + 1) << DSM_ID_HOME_SHIFT | (s->count + 1);
	chan = s->k->open_home(s->karg, src, size, id);
	if (chan < 0)
		return chan;
	g = seg_new(s, id, size, chan);
	if (!g)
		return -ENOMEM;
	g->traffic = dsm_home_new(id, g->npages, s->self, &seg_copy_ops, g);
	if (!g->traffic) {
		seg_free(g);
		return -ENOMEM;
	}
	g->dev = st.st_dev;
	g->ino = st.st_ino;
	rc = seg_add(s, g);
	if (rc)
		return rc;
	s->count++;
	*out = g;
	log_info("DSM segment %#" PRIx64 ": made here, %" PRIu32 " pages", id, g->npages);
	return 0;
}

int dsm_segments_home(struct dsm_segments *s, int src, uint64_t *id)
{
	struct dsm_seg *g;
	int rc = home_segment(s, src, &g);

	if (!rc)
		*id = g->id;
	return rc;
}

/* ---------------------------------------------------------------- copy */

static int copy_open(struct dsm_segments *s, uint64_t id, uint64_t size, struct dsm_seg **out)
{
	int chan = s->k->open_copy(s->karg, size, id);
	int rc;

	if (chan < 0)
		return chan;
	*out = seg_new(s, id, size, chan);
	if (!*out)
		return -ENOMEM;
	rc = seg_add(s, *out);
	if (!rc)
		log_info("DSM segment %#" PRIx64 " of node %d: a copy here", id, id_home(id));
	return rc;
}

int dsm_segments_copy_get(struct dsm_segments *s, uint64_t id, uint64_t size, int *chan)
{
	int home = id_home(id), rc;
	struct dsm_seg *g;

	if (!s->takes_part)
		return -ERANGE;
	if (home < 0 || home >= DSM_DIR_NODES_MAX || !(id & DSM_ID_COUNT_MASK) || !size ||
	    size % DSM_PAGE_SIZE || size > SSI_DSM_SIZE_MAX)
		return -EINVAL;
	g = seg_find(s, id);
	if (!g && home == s->self)
		return -ENOENT;
	if (!g) {
		rc = copy_open(s, id, size, &g);
		if (rc)
			return rc;
	} else if (g->err) {
		return g->err;
	} else if (g->size != size) {
		return -EEXIST;
	}
	g->users++;
	*chan = g->h.fd;
	return 0;
}

void dsm_segments_copy_put(struct dsm_segments *s, uint64_t id)
{
	struct dsm_seg *g = seg_find(s, id);

	if (!g || !g->users) {
		log_warn("DSM segment %#" PRIx64 " let go of more often than taken: ignored", id);
		return;
	}
	/* a live copy stays: its pages go back to home with DSM_DROP, later */
	if (!--g->users && g->err && !g->traffic)
		seg_remove(s, g);
}

/* --------------------------------------------------------------- peers */

/* A message of @from's for @g, whose channel is closed: nothing to do it on. */
static bool seg_closed(const struct dsm_seg *g, int from, uint16_t type)
{
	if (!g->err)
		return false;
	log_debug("node %d sent DSM %s for segment %#" PRIx64 ", closed: dropped", from,
		  type_name(type), g->id);
	return true;
}

/* Node @from's ASK or REVOKED: for home's directory of the segment. */
static void home_msg(struct dsm_segments *s, int from, uint16_t type, const struct msg_dsm *m)
{
	struct dsm_seg *g = seg_find(s, m->seg);
	int rc;

	if (!g || !g->traffic) {
		log_warn("node %d sent DSM %s for segment %#" PRIx64 ", not one made here: dropped",
			 from, type_name(type), m->seg);
		return;
	}
	if (seg_closed(g, from, type))
		return;
	rc = dsm_home_msg(g->traffic, from, type, m);
	if (rc == -EPROTO)
		log_warn("node %d sent DSM %s for page %" PRIu64 " of segment %#" PRIx64
			 ", which does not fit its directory: dropped", from, type_name(type),
			 m->page, m->seg);
	else if (rc)
		log_err("DSM segment %#" PRIx64 ": home's copy failed at %s of page %" PRIu64
			" from node %d: %s", m->seg, type_name(type), m->page, from, strerror(-rc));
}

/* Node @from's REVOKE, GRANT or FAIL: for this node's copy, if @from is its home. */
static void copy_msg(struct dsm_segments *s, int from, uint16_t type, const struct msg_dsm *m)
{
	struct dsm_seg *g = seg_find(s, m->seg);
	int rc;

	if (!g || g->traffic) {
		log_warn("node %d sent DSM %s for segment %#" PRIx64 ", of which no copy is here: "
			 "dropped", from, type_name(type), m->seg);
		return;
	}
	if (from != g->home || m->page >= g->npages) {
		log_warn("node %d sent DSM %s for page %" PRIu64 " of segment %#" PRIx64
			 " (home node %d, %" PRIu32 " pages): dropped", from, type_name(type),
			 m->page, m->seg, g->home, g->npages);
		return;
	}
	if (seg_closed(g, from, type))
		return;
	rc = dsm_copy_msg(&seg_copy_ops, g, g->home, type, m);
	if (rc)
		log_err("DSM segment %#" PRIx64 ": %s of page %" PRIu64 " failed here: %s", m->seg,
			type_name(type), m->page, strerror(-rc));
}

void dsm_segments_msg(struct dsm_segments *s, int from, const struct ssi_tp_msg *msg)
{
	struct msg_dsm m;

	if (msg_decode_dsm(msg->type, msg->data, msg->len, &m)) {
		log_warn("node %d sent a malformed DSM message (type 0x%04x, %zu bytes): dropped",
			 from, msg->type, msg->len);
		return;
	}
	switch (msg->type) {
	case SSID_MSG_DSM_ASK:
	case SSID_MSG_DSM_REVOKED:
		home_msg(s, from, msg->type, &m);
		return;
	case SSID_MSG_DSM_REVOKE:
	case SSID_MSG_DSM_GRANT:
	case SSID_MSG_DSM_FAIL:
		copy_msg(s, from, msg->type, &m);
		return;
	}
	/* futex wakes and copies given up: steps 2 and 1 of doc/dsm.md, left */
	log_debug("node %d sent DSM %s for segment %#" PRIx64 ": not served yet, ignored", from,
		  type_name(msg->type), m.seg);
}

static unsigned int pages_lost(const struct dsm_seg *g)
{
	const struct dsm_dir *dir = dsm_home_dir(g->traffic);
	struct dsm_page_view v;
	unsigned int n = 0;
	uint32_t p;

	for (p = 0; p < g->npages; p++)
		n += !dsm_dir_view(dir, p, &v) && v.lost;
	return n;
}

/* Home's directory of @g without node @node: what it alone held is lost. */
static void home_node_lost(struct dsm_seg *g, int node)
{
	unsigned int before = pages_lost(g), lost;
	int rc = dsm_home_node_lost(g->traffic, node);

	if (rc)
		log_err("DSM segment %#" PRIx64 ": dropping node %d from its directory: %s", g->id,
			node, strerror(-rc));
	lost = pages_lost(g) - before;
	if (lost)
		log_warn("DSM segment %#" PRIx64 ": node %d is lost with the only copy of %u "
			 "pages: they are lost (SIGBUS where they are touched)", g->id, node, lost);
}

void dsm_segments_node_lost(struct dsm_segments *s, int node)
{
	struct dsm_seg *g, *next;

	if (node < 0 || node >= DSM_DIR_NODES_MAX || node == s->self)
		return;
	outbox_clear(&s->out[node]);
	for (g = s->segs; g; g = next) {
		next = g->next;
		if (g->err)
			continue;
		if (g->traffic) {
			home_node_lost(g, node);
		} else if (g->home == node) {
			log_warn("DSM segment %#" PRIx64 ": its home, node %d, is lost: the copy "
				 "here is closed (SIGBUS where a page not held is touched)", g->id,
				 node);
			seg_close(g, -EHOSTDOWN);
			if (!g->users)
				seg_remove(s, g);
		}
	}
}

/* ----------------------------------------------------------- /proc maps */

static bool is_path(const char *p, const char *want)
{
	size_t n = strlen(want);

	return !strncmp(p, want, n) && (!p[n] || !strcmp(p + n, "\n"));
}

int dsm_maps_parse(const char *line, struct dsm_maps_line *l)
{
	char perms[5];
	uint64_t off;
	int path = -1;

	memset(l, 0, sizeof(*l));
	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %" SCNu64 " %n",
		   &l->start, &l->end, perms, &off, &l->major, &l->minor, &l->ino, &path) != 7 ||
	    path < 0 || l->start >= l->end || strlen(perms) != 4 ||
	    (perms[3] != 's' && perms[3] != 'p'))
		return -1;
	l->shared = perms[3] == 's';
	l->shared_anon = l->shared && is_path(line + path, DSM_SHARED_ANON_PATH);
	l->sysv = l->shared && !strncmp(line + path, DSM_SYSV_PATH, strlen(DSM_SYSV_PATH));
	return 0;
}

int dsm_maps_each(pid_t pid, dsm_maps_fn fn, void *arg, char *why, size_t len)
{
	struct dsm_maps_line l;
	char path[32], *line = NULL;
	size_t cap = 0;
	int rc = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f) {
		rc = -errno;
		snprintf(why, len, "%s: %s", path, strerror(-rc));
		return rc;
	}
	while (!rc && getline(&line, &cap, f) > 0)
		if (!dsm_maps_parse(line, &l))
			rc = fn(&l, pid, arg);
	if (!rc && ferror(f)) {
		rc = -EIO;
		snprintf(why, len, "%s: cannot be read", path);
	}
	free(line);
	fclose(f);
	return rc;
}

/* What an export puts under a segment's coherence: its mappers found so far. */
struct wrap_scan {
	struct dsm_seg *g;
	struct mapper {
		pid_t pid;
		uint64_t start;
	} *done;
	size_t n, cap;
	bool found_new;
	char *why;
	size_t len;
};

static bool wrapped_before(const struct wrap_scan *w, pid_t pid, uint64_t start)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (w->done[i].pid == pid && w->done[i].start == start)
			return true;
	return false;
}

static int remember_wrap(struct wrap_scan *w, pid_t pid, uint64_t start)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 16;
		struct mapper *d = realloc(w->done, cap * sizeof(*d));

		if (!d)
			return -ENOMEM;
		w->done = d;
		w->cap = cap;
	}
	w->done[w->n++] = (struct mapper){ pid, start };
	w->found_new = true;
	return 0;
}

/* A mapping of @w's segment by process @pid: wrapped, unless it was already. */
static int wrap_mapping(const struct dsm_maps_line *l, pid_t pid, void *arg)
{
	struct wrap_scan *w = arg;
	struct dsm_seg *g = w->g;
	int rc;

	if (!l->shared || l->major != major(g->dev) || l->minor != minor(g->dev) ||
	    l->ino != g->ino || wrapped_before(w, pid, l->start))
		return 0;
	rc = g->s->k->wrap(g->s->karg, g->h.fd, pid, l->start);
	/* gone meanwhile: exited (ESRCH) or unmapped (EINVAL) */
	if (rc == -ESRCH || rc == -EINVAL)
		return 0;
	if (!rc)
		rc = remember_wrap(w, pid, l->start);
	if (rc)
		snprintf(w->why, w->len, "pid %d maps the same shared memory at %#" PRIx64
			 ", which cannot be put under segment %#" PRIx64 ": %s", (int)pid,
			 l->start, g->id, strerror(-rc));
	return rc;
}

/*
 * @fn for each process of this node until it returns nonzero: that, 0,
 * or -errno with the reason in @why when /proc cannot be read.
 */
static int each_process(int (*fn)(pid_t pid, void *arg), void *arg, char *why, size_t len)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int rc = 0;

	if (!d) {
		rc = -errno;
		snprintf(why, len, "/proc: %s", strerror(-rc));
		return rc;
	}
	while (!rc && (e = readdir(d)))
		if (isdigit((unsigned char)e->d_name[0]))
			rc = fn(atoi(e->d_name), arg);
	closedir(d);
	return rc;
}

static int wrap_process(pid_t pid, void *arg)
{
	struct wrap_scan *w = arg;
	int rc = dsm_maps_each(pid, wrap_mapping, w, w->why, w->len);

	/*
	 * Passed over: a process that exited, and one whose mappings ssid
	 * may not read, privileged beyond it (the init of a sandbox the
	 * unit tests run in): no job's process is.
	 */
	if (rc == -EACCES)
		log_debug("DSM export: %s: passed over", w->why);
	return rc == -ENOENT || rc == -ESRCH || rc == -EACCES ? 0 : rc;
}

/* One pass over every process's mappings. */
static int wrap_pass(struct wrap_scan *w)
{
	return each_process(wrap_process, w, w->why, w->len);
}

/*
 * Every mapper of @g's memory here under its coherence.  Again until a
 * pass finds none new: a process forked before its parent was wrapped is
 * not (a fork after is: it copies the wrap).
 */
static int wrap_mappers(struct dsm_seg *g, char *why, size_t len)
{
	struct wrap_scan w = { .g = g, .why = why, .len = len };
	int pass, rc = 0;

	for (pass = 0; !rc && pass < DSM_WRAP_PASSES_MAX; pass++) {
		w.found_new = false;
		rc = wrap_pass(&w);
		if (!w.found_new)
			break;
	}
	if (!rc && w.found_new) {
		rc = -EBUSY;
		snprintf(why, len, "new processes kept mapping the memory of segment %#" PRIx64
			 " after %d passes over /proc", g->id, DSM_WRAP_PASSES_MAX);
	}
	free(w.done);
	return rc;
}

/*
 * Process @pid's open file @fd, if it is of @g's memory: mappings made
 * through it from now on are under @g's coherence (a file opened after
 * the segment was made is so from its open).  0 also when there is no
 * such file or process any more.
 */
static int wrap_file(struct dsm_seg *g, pid_t pid, int pidfd, int fd, char *why, size_t len)
{
	struct stat st;
	char path[64];
	int f, rc;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	if (stat(path, &st) || st.st_dev != g->dev || st.st_ino != g->ino)
		return 0;
	/* the same open file, shared with the process */
	f = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (f < 0)
		return errno == EBADF || errno == ESRCH ? 0 : -errno;
	rc = g->s->k->wrap_file(g->s->karg, g->h.fd, f);
	close(f);
	if (rc)
		snprintf(why, len, "pid %d has the shared memory of segment %#" PRIx64
			 " open (fd %d), which cannot be put under it: %s", (int)pid, g->id,
			 fd, strerror(-rc));
	return rc;
}

/* Process @pid's open files of @w->g's memory (see wrap_file()). */
static int wrap_process_files(pid_t pid, void *arg)
{
	struct wrap_scan *w = arg;
	struct dirent *f;
	char path[32];
	int rc = 0, pidfd;
	DIR *fds;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	fds = opendir(path);
	if (!fds)
		return 0;		/* gone, or a kernel thread's */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	while (!rc && pidfd >= 0 && (f = readdir(fds)))
		if (isdigit((unsigned char)f->d_name[0]))
			rc = wrap_file(w->g, pid, pidfd, atoi(f->d_name), w->why, w->len);
	if (pidfd >= 0)
		close(pidfd);
	closedir(fds);
	return rc;
}

/* Every open file of @g's memory on this node. */
static int wrap_files(struct dsm_seg *g, char *why, size_t len)
{
	struct wrap_scan w = { .g = g, .why = why, .len = len };

	return each_process(wrap_process_files, &w, why, len);
}

struct export {
	struct dsm_segments *s;
	char *why;
	size_t len;
};

/*
 * A mapping of the process exported: if of shared memory (shared
 * anonymous memory, a file of /dev/shm or another tmpfs, a memfd), a
 * segment.  SysV shm's mappings are not yet: the kernel's dump refuses
 * them, as it does a shared mapping of anything else.
 */
static int export_mapping(const struct dsm_maps_line *l, pid_t pid, void *arg)
{
	struct export *x = arg;
	uint64_t before = x->s->count;
	struct dsm_seg *g;
	struct statfs sf;
	char path[64];
	int fd, rc;

	if (!l->shared || l->sysv)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)pid,
		 l->start, l->end);
	if (!l->shared_anon && (statfs(path, &sf) || sf.f_type != TMPFS_MAGIC))
		return 0;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(x->why, x->len, "%s: %s", path, strerror(-rc));
		return rc;
	}
	rc = home_segment(x->s, fd, &g);
	close(fd);
	/* a copy of another node's segment: the process came from there */
	if (rc == -EEXIST)
		return 0;
	if (rc) {
		snprintf(x->why, x->len, "its shared memory at %#" PRIx64 " cannot be a DSM "
			 "segment: %s", l->start, strerror(-rc));
		return rc;
	}
	/*
	 * A file of it open before the segment was made (shared anonymous
	 * memory has none: only ssid opens it, through map_files)
	 */
	if (x->s->count != before && !l->shared_anon) {
		rc = wrap_files(g, x->why, x->len);
		if (rc)
			return rc;
	}
	return wrap_mappers(g, x->why, x->len);
}

int dsm_segments_export(struct dsm_segments *s, pid_t pid, char *why, size_t len)
{
	struct export x = { s, why, len };

	if (!s->takes_part) {
		snprintf(why, len, "this node is node %d of the configuration: shared memory "
			 "across nodes takes the first %d only", s->self, DSM_DIR_NODES_MAX);
		return -ERANGE;
	}
	return dsm_maps_each(pid, export_mapping, &x, why, len);
}
