// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_dsm_segments.c - the registry of a node's DSM segments
 * (ssid/dsm/segments.c): three nodes' registries in one process, each on a
 * model of ssi.ko (per channel: dsm_model.h's copy, and the requests its
 * processes queue), their messages in one FIFO per pair of nodes,
 * delivered through the wire format in any order those allow.
 *
 * Node 0 is home of a segment over a memfd, nodes 1 and 2 hold copies:
 * every add to a counter reaches home's memory; what comes from a node
 * that is not the segment's home, what does not decode, what names no
 * segment here is dropped; messages to a full connection wait in order
 * and go when it is writable; a lost home closes its copies, a lost
 * holder's only copy is lost.  The export runs over this process's real
 * /proc: every mapper of its shared anonymous memory is wrapped, nothing
 * else.  And the parser of /proc/PID/maps lines.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run_suite.h"
#include "dsm_model.h"
#include "transport/ssi_transport.h"
#include "dsm/segments.h"

#define NODES	DSM_MODEL_NODES
#define PAGES	DSM_MODEL_PAGES
#define CHANS	4			/* channels per node's model */
#define REQS	16
#define WRAPS	16
#define MEMFDS	4
#define PG	MSG_DSM_PAGE
#define SIZE	((uint64_t)PAGES * PG)
#define ID(home, n)	((uint64_t)((home) + 1) << 48 | (n))

/* ------------------------------------------------------ a model of ssi.ko */

struct kchan {
	bool open, closed, home;
	uint64_t id;
	struct dsm_model k;
	struct ssi_dsm_req req[REQS];	/* what its processes asked for, not read yet */
	unsigned int nreq;
};

struct wrap {
	pid_t pid;
	uint64_t addr;
};

struct node {
	int id;
	struct dsm_segments *s;
	struct kchan chan[CHANS];
	unsigned int opens;
	struct wrap wrap[WRAPS];
	unsigned int nwrap;
	int wrap_err;			/* what every wrap answers */
	unsigned int nwrap_file;	/* open files of home's memory wrapped */
	int home_err;			/* what a home segment's open answers */
};

static struct node nodes[NODES];
static struct dsm_model_cluster cl;
static int link_err[NODES][NODES];		/* what a send answers: 0 sends */
static unsigned int tries[NODES][NODES];
static int memfds[MEMFDS];
static unsigned int nmemfds;

static int chan_fd(const struct node *n, int i)
{
	return 1000 * (n->id + 1) + i;
}

static struct kchan *kc(struct node *n, int fd)
{
	int i = fd - 1000 * (n->id + 1);

	ck_assert(i >= 0 && i < CHANS);
	ck_assert(n->chan[i].open);
	return &n->chan[i];
}

static int k_open(struct node *n, uint64_t size, uint64_t id, bool home)
{
	int i;

	ck_assert_uint_le(size, SIZE);
	ck_assert_uint_eq(size % PG, 0);
	for (i = 0; i < CHANS && (n->chan[i].open || n->chan[i].closed); i++)
		;
	ck_assert_int_lt(i, CHANS);
	n->chan[i] = (struct kchan){ .open = true, .home = home, .id = id };
	if (home)
		memset(n->chan[i].k.state, DSM_WRITE, sizeof(n->chan[i].k.state));
	n->opens++;
	return chan_fd(n, i);
}

static int k_open_home(void *arg, int src, uint64_t size, uint64_t id)
{
	struct node *n = arg;

	return n->home_err ? n->home_err : k_open(n, size, id, true);
}

static int k_open_copy(void *arg, uint64_t size, uint64_t id)
{
	return k_open(arg, size, id, false);
}

static int k_wrap(void *arg, int chan, pid_t pid, uint64_t addr)
{
	struct node *n = arg;

	ck_assert(kc(n, chan)->home);
	if (n->wrap_err)
		return n->wrap_err;
	ck_assert_uint_lt(n->nwrap, WRAPS);
	n->wrap[n->nwrap++] = (struct wrap){ pid, addr };
	return 0;
}

static int k_wrap_file(void *arg, int chan, int fd)
{
	struct node *n = arg;
	struct stat st;

	ck_assert(kc(n, chan)->home);
	ck_assert_int_eq(fstat(fd, &st), 0);	/* ssid's own fd of it */
	n->nwrap_file++;
	return 0;
}

static int k_read_reqs(void *arg, int chan, struct ssi_dsm_req *buf, unsigned int max)
{
	struct kchan *c = kc(arg, chan);
	unsigned int n = c->nreq < max ? c->nreq : max;

	memcpy(buf, c->req, n * sizeof(*buf));
	memmove(c->req, c->req + n, (c->nreq - n) * sizeof(*buf));
	c->nreq -= n;
	return (int)n;
}

static int k_revoke(void *arg, int chan, uint32_t page, enum dsm_access keep, void *out)
{
	return dsm_model_revoke(&kc(arg, chan)->k, page, keep, out);
}

static int k_grant(void *arg, int chan, uint32_t page, enum dsm_access access, const void *data)
{
	return dsm_model_grant(&kc(arg, chan)->k, page, access, data);
}

static int k_fail(void *arg, int chan, uint32_t page)
{
	return dsm_model_fail(&kc(arg, chan)->k, page);
}

static void k_close(void *arg, int chan)
{
	struct kchan *c = kc(arg, chan);

	c->open = false;
	c->closed = true;
}

static const struct dsm_kernel_ops kops = {
	.open_home = k_open_home, .open_copy = k_open_copy, .wrap = k_wrap,
	.wrap_file = k_wrap_file, .read_reqs = k_read_reqs, .grant = k_grant,
	.revoke = k_revoke, .fail = k_fail, .close = k_close,
};

/* ----------------------------------------------------------- the network */

/* The peers, whose link from @arg to @to answers link_err[][]. */
static int q_send(void *arg, int to, uint16_t type, const struct msg_dsm *m)
{
	struct node *n = arg;

	ck_assert(to >= 0 && to < NODES);
	tries[n->id][to]++;
	if (link_err[n->id][to])
		return link_err[n->id][to];
	dsm_model_send(&cl.net, n->id, to, type, m);
	return 0;
}

/* @len bytes of @wire, as peers hand a message of @type from @from to @to. */
static void arrive(int from, int to, uint16_t type, const void *wire, size_t len)
{
	struct ssi_tp_msg msg = { .type = type, .data = wire, .len = len };

	dsm_segments_msg(nodes[to].s, from, &msg);
}

static void send_raw(int from, int to, uint16_t type, const struct msg_dsm *m)
{
	static unsigned char wire[MSG_DSM_LEN + PG];

	arrive(from, to, type, wire, msg_encode_dsm(type, m, wire));
}

static void deliver(int from, int to)
{
	static unsigned char wire[MSG_DSM_LEN + PG];
	uint16_t type;
	size_t len = dsm_model_next(&cl.net, from, to, wire, &type);

	arrive(from, to, type, wire, len);
}

static unsigned int queued(void)
{
	return dsm_model_queued(&cl.net);
}

static void drain(void)
{
	int i, j;

	while (queued())
		for (i = 0; i < NODES; i++)
			for (j = 0; j < NODES; j++)
				if (cl.net.len[i][j])
					deliver(i, j);
}

/* ------------------------------------------------------------- the nodes */

static void setup(void)
{
	int i;

	memset(nodes, 0, sizeof(nodes));
	memset(&cl.net, 0, sizeof(cl.net));
	memset(link_err, 0, sizeof(link_err));
	memset(tries, 0, sizeof(tries));
	nmemfds = 0;
	cl.adds = 0;
	for (i = 0; i < NODES; i++) {
		nodes[i].id = i;
		nodes[i].s = dsm_segments_create(i, &kops, &nodes[i], q_send, &nodes[i], NULL);
		ck_assert_ptr_nonnull(nodes[i].s);
	}
}

/* Every channel the registries opened is closed with them. */
static void teardown(void)
{
	int i, c;

	for (i = 0; i < NODES; i++) {
		dsm_segments_destroy(nodes[i].s);
		for (c = 0; c < CHANS; c++)
			ck_assert(!nodes[i].chan[c].open);
	}
	while (nmemfds)
		close(memfds[--nmemfds]);
}

/* Node @node's home segment over a new memfd of @bytes; its channel in *@chan. */
static uint64_t make_home(int node, off_t bytes, int *chan)
{
	int fd = memfd_create("dsm-test", MFD_CLOEXEC);
	unsigned int opens = nodes[node].opens;
	uint64_t id, size = ((uint64_t)bytes + PG - 1) / PG * PG;

	ck_assert_int_ge(fd, 0);
	ck_assert_uint_lt(nmemfds, MEMFDS);
	memfds[nmemfds++] = fd;		/* the inode stays: the kernel's channel holds it */
	ck_assert_int_eq(ftruncate(fd, bytes), 0);
	ck_assert_int_eq(dsm_segments_home(nodes[node].s, fd, &id), 0);
	ck_assert_uint_eq(nodes[node].opens, opens + 1);
	ck_assert_int_eq(dsm_segments_copy_get(nodes[node].s, id, size, chan), 0);
	return id;
}

static int copy_get(int node, uint64_t id)
{
	int chan = -1;

	ck_assert_int_eq(dsm_segments_copy_get(nodes[node].s, id, SIZE, &chan), 0);
	return chan;
}

/* Node @node's processes want @access to @page of channel @chan: asked once. */
static void inject(int node, int chan, uint32_t page, enum dsm_access access)
{
	struct kchan *c = kc(&nodes[node], chan);

	if (c->k.state[page] >= access || c->k.asked[page] >= access)
		return;
	c->k.asked[page] = (uint8_t)access;
	ck_assert_uint_lt(c->nreq, REQS);
	c->req[c->nreq++] = (struct ssi_dsm_req){ .page = page, .access = access };
}

static void want(int node, int chan, uint32_t page, enum dsm_access access)
{
	inject(node, chan, page, access);
	dsm_segments_channel_ready(nodes[node].s, chan);
}

static void counts(int node, unsigned int homes, unsigned int copies)
{
	unsigned int h, c;

	dsm_segments_count(nodes[node].s, &h, &c);
	ck_assert_uint_eq(h, homes);
	ck_assert_uint_eq(c, copies);
}

/* --------------------------------------------------------- the cluster */

static int chans[NODES];		/* each node's channel of the segment */
static uint64_t seg;

static void cluster(void)
{
	setup();
	seg = make_home(0, 3 * PG + 1, &chans[0]);	/* rounded up to PAGES */
	memset(kc(&nodes[0], chans[0])->k.page[1], DSM_MODEL_FILL, PG);
	chans[1] = copy_get(1, seg);
	chans[2] = copy_get(2, seg);
}

static struct dsm_model *model(int node)
{
	return &kc(&nodes[node], chans[node])->k;
}

static void want_seg(int node, uint32_t page, enum dsm_access access)
{
	want(node, chans[node], page, access);
}

START_TEST(test_counter)
{
	int k;

	srand(2000 + (unsigned int)_i);
	cluster();
	cl.copy = model;
	cl.want = want_seg;
	cl.deliver = deliver;
	for (k = 0; k < 20000; k++) {
		dsm_model_step(&cl);
		dsm_model_check(&cl);
	}
	drain();
	/* home reads its memory: every add is in it */
	model(0)->asked[0] = DSM_NONE;
	want(0, chans[0], 0, DSM_READ);
	drain();
	ck_assert_uint_ge(model(0)->state[0], DSM_READ);
	ck_assert_uint_eq(dsm_model_counter(model(0)), cl.adds);
	ck_assert_uint_gt(cl.adds, 1000);
	teardown();
}
END_TEST

/* ------------------------------------------------------ ids and channels */

START_TEST(test_ids)
{
	uint64_t id, again, other;
	int chan, home_chan, fd;

	setup();
	id = make_home(0, SIZE, &home_chan);
	ck_assert_uint_eq(id, ID(0, 1));
	/* the same memory, through another fd: the same segment */
	fd = dup(memfds[0]);
	ck_assert_int_eq(dsm_segments_home(nodes[0].s, fd, &again), 0);
	close(fd);
	ck_assert_uint_eq(again, id);
	ck_assert_uint_eq(nodes[0].opens, 1);
	other = make_home(2, PG, &chan);
	ck_assert_uint_eq(other, ID(2, 1));
	ck_assert_uint_eq(make_home(0, PG, &chan), ID(0, 2));
	counts(0, 2, 0);

	/* copies: one per node and segment, counted; home's is the segment */
	chan = copy_get(1, id);
	ck_assert_int_eq(copy_get(1, id), chan);
	ck_assert(!kc(&nodes[1], chan)->home);
	ck_assert_uint_eq(kc(&nodes[1], chan)->id, id);
	ck_assert_uint_eq(nodes[1].opens, 1);
	ck_assert_int_eq(copy_get(0, id), home_chan);
	ck_assert_int_eq(dsm_segments_copy_get(nodes[1].s, id, 2 * PG, &chan), -EEXIST);
	ck_assert_int_eq(dsm_segments_copy_get(nodes[0].s, ID(0, 9), SIZE, &chan), -ENOENT);
	ck_assert_int_eq(dsm_segments_copy_get(nodes[1].s, 0, SIZE, &chan), -EINVAL);
	ck_assert_int_eq(dsm_segments_copy_get(nodes[1].s, ID(0, 0), SIZE, &chan), -EINVAL);
	ck_assert_int_eq(dsm_segments_copy_get(nodes[1].s, ID(DSM_DIR_NODES_MAX, 1), SIZE,
					       &chan), -EINVAL);
	ck_assert_int_eq(dsm_segments_copy_get(nodes[1].s, ID(2, 1), 0, &chan), -EINVAL);
	ck_assert_int_eq(dsm_segments_copy_get(nodes[1].s, ID(2, 1), PG + 1, &chan), -EINVAL);
	ck_assert_int_eq(dsm_segments_copy_get(nodes[1].s, ID(2, 1), SSI_DSM_SIZE_MAX + PG,
					       &chan), -EINVAL);
	counts(1, 0, 1);
	/* a copy nobody uses stays (nothing takes its pages back yet) */
	dsm_segments_copy_put(nodes[1].s, id);
	dsm_segments_copy_put(nodes[1].s, id);
	dsm_segments_copy_put(nodes[1].s, id);		/* one too many: ignored */
	dsm_segments_copy_put(nodes[1].s, ID(1, 5));	/* never got */
	counts(1, 0, 1);
	ck_assert(kc(&nodes[1], chan)->open);
	/* not a file, an empty one, a device */
	ck_assert_int_eq(dsm_segments_home(nodes[0].s, -1, &again), -EBADF);
	fd = memfd_create("dsm-test", MFD_CLOEXEC);
	ck_assert_int_eq(dsm_segments_home(nodes[0].s, fd, &again), -EINVAL);
	close(fd);
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ck_assert_int_eq(dsm_segments_home(nodes[0].s, fd, &again), -EINVAL);
	close(fd);
	ck_assert_uint_eq(nodes[0].opens, 2);
	teardown();
}
END_TEST

/* A node beyond what a directory can name makes and holds nothing. */
START_TEST(test_node_beyond)
{
	struct dsm_segments *s = dsm_segments_create(DSM_DIR_NODES_MAX, &kops, &nodes[0],
						     q_send, &nodes[0], NULL);
	char why[200] = "";
	uint64_t id;
	int chan, fd = memfd_create("dsm-test", MFD_CLOEXEC);

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(ftruncate(fd, PG), 0);
	ck_assert_int_eq(dsm_segments_home(s, fd, &id), -ERANGE);
	ck_assert_int_eq(dsm_segments_copy_get(s, ID(0, 1), PG, &chan), -ERANGE);
	ck_assert_int_eq(dsm_segments_export(s, getpid(), why, sizeof(why)), -ERANGE);
	ck_assert_ptr_nonnull(strstr(why, "first 64"));
	close(fd);
	dsm_segments_destroy(s);
}
END_TEST

/* ---------------------------------------------------- what is dropped */

/* Only a segment's home may revoke, grant or fail a page of a copy. */
START_TEST(test_not_from_home)
{
	unsigned char page[PG];
	struct msg_dsm m = { .page = 1, .value = DSM_WRITE, .flags = MSG_DSM_DATA,
			     .data = page };
	struct dsm_model *c;

	cluster();
	m.seg = seg;
	memset(page, 0x66, sizeof(page));
	c = model(1);
	send_raw(2, 1, SSID_MSG_DSM_GRANT, &m);
	ck_assert_int_eq(c->state[1], DSM_NONE);
	ck_assert_int_eq(c->page[1][0], 0);
	m = (struct msg_dsm){ .seg = seg, .page = 1, .value = EHOSTDOWN };
	send_raw(2, 1, SSID_MSG_DSM_FAIL, &m);
	ck_assert(!c->failed[1]);
	/* from home, but a page beyond the segment */
	m.page = PAGES;
	send_raw(0, 1, SSID_MSG_DSM_FAIL, &m);
	ck_assert_uint_eq(queued(), 0);
	/* and from home it is done */
	m = (struct msg_dsm){ .seg = seg, .page = 1, .value = EHOSTDOWN };
	send_raw(0, 1, SSID_MSG_DSM_FAIL, &m);
	ck_assert(c->failed[1]);
	teardown();
}
END_TEST

/* What does not decode, or names no segment here, changes nothing. */
START_TEST(test_dropped)
{
	unsigned char wire[MSG_DSM_LEN + PG];
	struct msg_dsm m = { .page = 0, .value = DSM_WRITE };
	size_t len;

	cluster();
	m.seg = seg;
	len = msg_encode_dsm(SSID_MSG_DSM_ASK, &m, wire);
	arrive(1, 0, SSID_MSG_DSM_ASK, wire, len - 1);		/* short */
	wire[0] = 9;						/* a version not known */
	arrive(1, 0, SSID_MSG_DSM_ASK, wire, len);
	m.value = 3;						/* no such access */
	send_raw(1, 0, SSID_MSG_DSM_ASK, &m);
	/* content announced (flags, big-endian at byte 4), not there */
	m = (struct msg_dsm){ .seg = seg, .page = 0, .value = DSM_READ };
	len = msg_encode_dsm(SSID_MSG_DSM_GRANT, &m, wire);
	wire[7] = MSG_DSM_DATA;
	arrive(0, 1, SSID_MSG_DSM_GRANT, wire, len);
	/* a segment home never made, a copy never taken */
	m = (struct msg_dsm){ .seg = ID(0, 7), .page = 0, .value = DSM_WRITE };
	send_raw(1, 0, SSID_MSG_DSM_ASK, &m);
	m.seg = ID(2, 3);
	send_raw(2, 1, SSID_MSG_DSM_GRANT, &m);
	/* a home's message to the wrong node */
	m = (struct msg_dsm){ .seg = seg, .page = 0, .value = DSM_NONE };
	send_raw(1, 0, SSID_MSG_DSM_REVOKE, &m);
	/* not served yet */
	m = (struct msg_dsm){ .seg = seg, .page = 8, .value = 1 };
	send_raw(1, 0, SSID_MSG_DSM_WAKE, &m);
	m = (struct msg_dsm){ .seg = seg };
	send_raw(1, 0, SSID_MSG_DSM_DROP, &m);
	ck_assert_uint_eq(queued(), 0);
	ck_assert_int_eq(model(0)->state[0], DSM_WRITE);
	ck_assert_int_eq(model(1)->state[0], DSM_NONE);
	/* the directory is as it was: a real ask is served */
	want(1, chans[1], 0, DSM_WRITE);
	drain();
	ck_assert_int_eq(model(1)->state[0], DSM_WRITE);
	ck_assert_int_eq(model(0)->state[0], DSM_NONE);
	teardown();
}
END_TEST

/* ----------------------------------------------------------- the outbox */

static void is_ask(int from, int to, uint32_t page, enum dsm_access access)
{
	const struct dsm_model_msg *q = dsm_model_peek(&cl.net, from, to);

	ck_assert_uint_eq(q->type, SSID_MSG_DSM_ASK);
	ck_assert_uint_eq(q->m.page, page);
	ck_assert_uint_eq(q->m.value, access);
	deliver(from, to);
}

START_TEST(test_outbox)
{
	struct dsm_model *c;

	cluster();
	c = model(1);
	link_err[1][0] = -EAGAIN;
	/* two requests read at once: each tried, both kept */
	inject(1, chans[1], 0, DSM_WRITE);
	inject(1, chans[1], 1, DSM_READ);
	dsm_segments_channel_ready(nodes[1].s, chans[1]);
	ck_assert_uint_eq(kc(&nodes[1], chans[1])->nreq, 0);
	ck_assert_uint_eq(tries[1][0], 2);
	ck_assert_uint_eq(queued(), 0);
	/* the link takes messages again: the next one goes after them */
	link_err[1][0] = 0;
	want(1, chans[1], 2, DSM_READ);
	ck_assert_uint_eq(cl.net.len[1][0], 3);
	is_ask(1, 0, 0, DSM_WRITE);
	is_ask(1, 0, 1, DSM_READ);
	is_ask(1, 0, 2, DSM_READ);
	/* full again, then writable: what waited goes, in order */
	link_err[1][0] = -EAGAIN;
	want(1, chans[1], 3, DSM_READ);
	want(1, chans[1], 2, DSM_WRITE);
	link_err[1][0] = 0;
	ck_assert_uint_eq(cl.net.len[1][0], 0);
	dsm_segments_writable(nodes[1].s, 0);
	ck_assert_uint_eq(cl.net.len[1][0], 2);
	is_ask(1, 0, 3, DSM_READ);
	is_ask(1, 0, 2, DSM_WRITE);
	drain();
	ck_assert_int_eq(c->state[0], DSM_WRITE);
	ck_assert_int_eq(c->state[1], DSM_READ);
	ck_assert_int_eq(c->state[2], DSM_WRITE);
	ck_assert_int_eq(c->state[3], DSM_READ);
	teardown();
}
END_TEST

/*
 * A grant that waits keeps its content: home reads the next page's into
 * the same buffer at once.  What goes to a node not connected is dropped.
 */
START_TEST(test_outbox_content)
{
	struct dsm_model *h, *c;

	cluster();
	h = model(0);
	c = model(1);
	link_err[0][1] = -EAGAIN;
	want(1, chans[1], 1, DSM_READ);
	want(1, chans[1], 2, DSM_WRITE);
	deliver(1, 0);
	deliver(1, 0);
	ck_assert_uint_eq(cl.net.len[0][1], 0);
	ck_assert_int_eq(h->state[2], DSM_NONE);
	link_err[0][1] = 0;
	dsm_segments_writable(nodes[0].s, 1);
	ck_assert_uint_eq(cl.net.len[0][1], 2);
	ck_assert_uint_eq(dsm_model_peek(&cl.net, 0, 1)->m.page, 1);
	drain();
	ck_assert_int_eq(c->state[1], DSM_READ);
	ck_assert_int_eq(c->page[1][7], DSM_MODEL_FILL);
	ck_assert_int_eq(c->state[2], DSM_WRITE);
	link_err[1][0] = -ENOTCONN;
	want(1, chans[1], 3, DSM_WRITE);
	ck_assert_uint_eq(tries[1][0], 3);
	link_err[1][0] = 0;
	dsm_segments_writable(nodes[1].s, 0);
	ck_assert_uint_eq(queued(), 0);
	teardown();
}
END_TEST

/* ------------------------------------------------------------ node loss */

/* A lost home's copies close; a lost node's outbox goes with it. */
START_TEST(test_home_lost)
{
	int other_chan, chan;
	struct kchan *c;
	uint64_t other;

	cluster();
	other = make_home(2, SIZE, &chan);
	other_chan = copy_get(1, other);
	dsm_segments_copy_put(nodes[2].s, seg);		/* node 2 uses its copy no more */
	c = kc(&nodes[1], chans[1]);
	link_err[1][0] = -EAGAIN;
	want(1, chans[1], 0, DSM_WRITE);
	dsm_segments_node_lost(nodes[1].s, 0);
	ck_assert(!c->open && c->closed);
	ck_assert(kc(&nodes[1], other_chan)->open);
	link_err[1][0] = 0;
	dsm_segments_writable(nodes[1].s, 0);
	ck_assert_uint_eq(queued(), 0);		/* the ask died with home */
	/* held by a user still: later gets fail until it is let go */
	ck_assert_int_eq(dsm_segments_copy_get(nodes[1].s, seg, SIZE, &chan), -EHOSTDOWN);
	counts(1, 0, 2);
	dsm_segments_copy_put(nodes[1].s, seg);
	counts(1, 0, 1);
	/* home's messages for it now name no segment here */
	send_raw(0, 1, SSID_MSG_DSM_FAIL, &(struct msg_dsm){ .seg = seg, .value = EIO });
	/* a copy no one uses goes at once */
	dsm_segments_node_lost(nodes[2].s, 0);
	ck_assert(nodes[2].chan[0].closed);
	counts(2, 1, 0);
	teardown();
}
END_TEST

/* Home without a lost node: the page it alone held fails, the other does not. */
START_TEST(test_holder_lost)
{
	struct dsm_model *h, *c1;

	cluster();
	h = model(0);
	c1 = model(1);
	want(2, chans[2], 0, DSM_WRITE);
	want(2, chans[2], 1, DSM_READ);
	drain();
	ck_assert_int_eq(model(2)->state[0], DSM_WRITE);
	dsm_segments_node_lost(nodes[0].s, 2);
	want(0, chans[0], 0, DSM_READ);
	ck_assert(h->failed[0]);
	want(0, chans[0], 1, DSM_WRITE);
	ck_assert_int_eq(h->state[1], DSM_WRITE);
	ck_assert(!h->failed[1]);
	want(1, chans[1], 0, DSM_READ);
	drain();
	ck_assert(c1->failed[0]);
	/* no node beyond the directory's, nor this node itself, is lost */
	dsm_segments_node_lost(nodes[0].s, 0);
	dsm_segments_node_lost(nodes[0].s, DSM_DIR_NODES_MAX);
	dsm_segments_writable(nodes[0].s, -1);
	teardown();
}
END_TEST

/* ------------------------------------------------------------ the export */

/* Did node 0's kernel wrap @pid's mapping at @addr, and how often? */
static unsigned int wrapped(pid_t pid, const void *addr)
{
	unsigned int i, n = 0;

	for (i = 0; i < nodes[0].nwrap; i++)
		n += nodes[0].wrap[i].pid == pid && nodes[0].wrap[i].addr == (uintptr_t)addr;
	return n;
}

static pid_t child_holding(int *go)
{
	pid_t pid;
	char c;

	ck_assert_int_eq(pipe(go), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		close(go[1]);
		_exit(read(go[0], &c, 1) < 0);
	}
	close(go[0]);
	return pid;
}

static void child_end(pid_t pid, int *go)
{
	int st;

	close(go[1]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
}

/*
 * Every mapper of this process's shared memory (anonymous, and a memfd;
 * itself and a child it forked) is wrapped once, and so is every open
 * file of the memfd (the process's and the child's); private memory is
 * not a segment.  Opening /proc/PID/map_files needs root: skipped
 * otherwise.
 */
START_TEST(test_export)
{
	char *shared, *priv, *mfd, why[256] = "";
	int fd, go[2];
	pid_t child;

	if (geteuid() != 0)
		return;
	setup();
	fd = memfd_create("dsm-test", MFD_CLOEXEC);
	shared = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	priv = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_int_eq(ftruncate(fd, PG), 0);
	mfd = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ck_assert(shared != MAP_FAILED && priv != MAP_FAILED && mfd != MAP_FAILED);
	child = child_holding(go);
	/* memory that is a copy of another node's segment: nothing to export */
	nodes[0].home_err = -EEXIST;
	ck_assert_msg(!dsm_segments_export(nodes[0].s, getpid(), why, sizeof(why)), "%s", why);
	counts(0, 0, 0);
	ck_assert_uint_eq(nodes[0].nwrap + nodes[0].nwrap_file, 0);
	nodes[0].home_err = 0;
	ck_assert_msg(!dsm_segments_export(nodes[0].s, getpid(), why, sizeof(why)), "%s", why);
	counts(0, 2, 0);
	ck_assert_uint_eq(nodes[0].nwrap, 4);
	ck_assert_uint_eq(wrapped(getpid(), shared), 1);
	ck_assert_uint_eq(wrapped(child, shared), 1);
	ck_assert_uint_eq(wrapped(getpid(), mfd), 1);
	ck_assert_uint_eq(wrapped(child, mfd), 1);
	ck_assert_uint_eq(nodes[0].nwrap_file, 2);
	/* again: the same segments, their mappers told again (the kernel says 0) */
	ck_assert_int_eq(dsm_segments_export(nodes[0].s, getpid(), why, sizeof(why)), 0);
	counts(0, 2, 0);
	ck_assert_uint_eq(nodes[0].nwrap, 8);
	ck_assert_uint_eq(nodes[0].opens, 2);
	/* files opened since are the kernel's to wrap: not looked for again */
	ck_assert_uint_eq(nodes[0].nwrap_file, 2);
	/* mappers gone meanwhile are passed over; a refusal is the export's */
	nodes[0].wrap_err = -ESRCH;
	ck_assert_int_eq(dsm_segments_export(nodes[0].s, getpid(), why, sizeof(why)), 0);
	ck_assert_uint_eq(nodes[0].nwrap, 8);
	nodes[0].wrap_err = -EOPNOTSUPP;
	ck_assert_int_eq(dsm_segments_export(nodes[0].s, getpid(), why, sizeof(why)),
			 -EOPNOTSUPP);
	ck_assert_ptr_nonnull(strstr(why, strerror(EOPNOTSUPP)));
	ck_assert_int_eq(dsm_segments_export(nodes[0].s, 0x3fffffff, why, sizeof(why)),
			 -ENOENT);
	child_end(child, go);
	munmap(shared, 2 * PG);
	munmap(priv, PG);
	munmap(mfd, PG);
	close(fd);
	teardown();
}
END_TEST

/* --------------------------------------------------------- maps lines */

START_TEST(test_maps_parse)
{
	struct dsm_maps_line l;

	ck_assert_int_eq(dsm_maps_parse("7f9dd71ba000-7f9dd71bc000 rw-s 00000000 00:01 267"
					"                        /dev/zero (deleted)\n", &l), 0);
	ck_assert_uint_eq(l.start, 0x7f9dd71ba000ULL);
	ck_assert_uint_eq(l.end, 0x7f9dd71bc000ULL);
	ck_assert(l.shared && l.shared_anon);
	ck_assert_uint_eq(l.major, 0);
	ck_assert_uint_eq(l.minor, 1);
	ck_assert_uint_eq(l.ino, 267);
	/* below 4 GiB, zero-padded; no newline */
	ck_assert_int_eq(dsm_maps_parse("00400000-00402000 rw-s 00000000 00:01 9 "
					"/dev/zero (deleted)", &l), 0);
	ck_assert_uint_eq(l.start, 0x400000);
	ck_assert(l.shared_anon);
	/* private anonymous memory, and a private /dev/zero */
	ck_assert_int_eq(dsm_maps_parse("7f00000000-7f00001000 rw-p 00000000 00:00 0 \n", &l), 0);
	ck_assert(!l.shared && !l.shared_anon);
	ck_assert_int_eq(dsm_maps_parse("7f00000000-7f00001000 rw-p 00000000 00:01 5 "
					"/dev/zero (deleted)\n", &l), 0);
	ck_assert(!l.shared_anon);
	/* SysV shm, a memfd, a file of /dev/shm: shared, not anonymous */
	ck_assert_int_eq(dsm_maps_parse("7f00000000-7f00001000 rw-s 00000000 00:01 32769 "
					"/SYSV00000000 (deleted)\n", &l), 0);
	ck_assert(l.shared && !l.shared_anon && l.sysv);
	ck_assert_int_eq(dsm_maps_parse("7f00000000-7f00001000 rw-s 00000000 00:01 1034 "
					"/memfd:dsm (deleted)\n", &l), 0);
	ck_assert(l.shared && !l.shared_anon && !l.sysv);
	ck_assert_int_eq(dsm_maps_parse("7f00000000-7f00001000 rw-p 00000000 00:01 32769 "
					"/SYSV00000000 (deleted)\n", &l), 0);
	ck_assert(!l.sysv);
	ck_assert_int_eq(dsm_maps_parse("7f00000000-7f00001000 r--s 00000000 fe:00 332280 "
					"/dev/zero (deleted) x\n", &l), 0);
	ck_assert_uint_eq(l.major, 0xfe);
	ck_assert(l.shared && !l.shared_anon);
	/* malformed */
	ck_assert_int_eq(dsm_maps_parse("", &l), -1);
	ck_assert_int_eq(dsm_maps_parse("garbage\n", &l), -1);
	ck_assert_int_eq(dsm_maps_parse("7f00000000-7f00001000 rw-s\n", &l), -1);
	ck_assert_int_eq(dsm_maps_parse("7f00000000-7f00001000 rw-s 00000000 00:01\n", &l), -1);
	ck_assert_int_eq(dsm_maps_parse("7f00001000-7f00000000 rw-s 00000000 00:01 1 "
					"/dev/zero (deleted)\n", &l), -1);
	ck_assert_int_eq(dsm_maps_parse("7f00000000-7f00001000 rw-q 00000000 00:01 1 "
					"/dev/zero (deleted)\n", &l), -1);
	ck_assert_int_eq(dsm_maps_parse("7f00000000-7f00001000 rw- 00000000 00:01 1\n", &l), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dsm_segments");
	TCase *tc = tcase_create("segments");
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_counter, 0, 4);
	tcase_add_test(tc, test_ids);
	tcase_add_test(tc, test_node_beyond);
	tcase_add_test(tc, test_not_from_home);
	tcase_add_test(tc, test_dropped);
	tcase_add_test(tc, test_outbox);
	tcase_add_test(tc, test_outbox_content);
	tcase_add_test(tc, test_home_lost);
	tcase_add_test(tc, test_holder_lost);
	tcase_add_test(tc, test_export);
	tcase_add_test(tc, test_maps_parse);
	suite_add_tcase(s, tc);
	failed = check_run(s);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
