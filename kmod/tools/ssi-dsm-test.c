// SPDX-License-Identifier: GPL-2.0
/*
 * ssi-dsm-test - drive ssi.ko's DSM segments (SSI_IOC_DSM_OPEN) for real:
 * children map a segment and touch it, this process holds the channels
 * and carries out what ssid's directory (ssid/dsm/directory.c) decides,
 * as ssid will between nodes.
 *
 *   ssi-dsm-test basic     a read asks and waits for a grant; a write to a
 *                          page held to read asks again; a revoked page is
 *                          asked for again and shows the new content; a
 *                          writer revoked to READ reads on without asking;
 *                          the kernel's own accesses (write(2) from, read(2)
 *                          into a page not held) wait the same way; a
 *                          waiter killed goes; a page lost (SSI_DSM_FAIL)
 *                          and a closed channel give SIGBUS; bad arguments
 *                          are refused
 *   ssi-dsm-test counter [N]  two segments stand for two nodes: a child on
 *                          each adds 1 N times to one word with an atomic
 *                          instruction, pausing now and then, while this
 *                          process moves the page between them (single
 *                          writer: 20 moves at least), and both read a
 *                          second page many times (multiple readers: one
 *                          request each); no update is lost
 *   ssi-dsm-test home [N]  the same with one copy at home, made over shared
 *                          anonymous memory (SSI_DSM_HOME) whose mapping
 *                          in a process is wrapped (SSI_DSM_WRAP), and a
 *                          child it forks afterwards adding too: no update
 *                          is lost, home's mappers ask for the page like
 *                          any copy, and home's memory holds the total once
 *                          its pages are home; bad home segments and bad
 *                          wraps are refused
 *   ssi-dsm-test late      a home segment over a memfd: a mapping made
 *                          afterwards through a file opened afterwards,
 *                          and through one opened before and given to
 *                          SSI_DSM_WRAP_FILE, asks for a page another copy
 *                          wrote and reads what it wrote; one home segment
 *                          per memory while it lives, another once it
 *                          ended, none over a copy's; bad file wraps are
 *                          refused
 *   ssi-dsm-test perm      as a user without CAP_SYS_ADMIN: EPERM for a
 *                          segment, and for a wrap on root's channel
 *
 * Prints one line per check; exit 0 when all pass, 1 at the first that
 * fails, 2 when it cannot run.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "ssi_tool.h"
#include "dsm/directory.h"

#define REQ_WAIT_MS	5000	/* a request is there by then, or never */
#define QUIET_MS	300	/* no request within this: none comes */
/* A copy granted to write keeps the page this long at least: progress. */
#define HOLD_NS		2000000

static long pg;

static void __attribute__((noreturn, format(printf, 1, 2))) fail(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(1);
}

static void pass(const char *what)
{
	printf("ok - %s\n", what);
	fflush(stdout);
}

static int dsm_open(int dev, uint64_t size, int *chan)
{
	struct ssi_dsm_open o = { .size = size, .flags = SSI_DSM_CLOEXEC };

	if (ioctl(dev, SSI_IOC_DSM_OPEN, &o))
		return -errno;
	*chan = o.fd;
	return 0;
}

/* The next request within @ms, or 0 with access 0 if none. */
static struct ssi_dsm_req next_req(int chan, int ms)
{
	struct pollfd p = { .fd = chan, .events = POLLIN };
	struct ssi_dsm_req r = { 0 };

	if (poll(&p, 1, ms) == 1 && read(chan, &r, sizeof(r)) != sizeof(r))
		fail("read of the channel: %s", strerror(errno));
	return r;
}

static void expect_req(int chan, uint64_t page, uint32_t access, const char *why)
{
	struct ssi_dsm_req r = next_req(chan, REQ_WAIT_MS);

	if (r.page != page || r.access != access)
		fail("%s: request page %llu access %u, want page %llu access %u", why,
		     (unsigned long long)r.page, r.access, (unsigned long long)page, access);
}

static void expect_quiet(int chan, const char *why)
{
	struct ssi_dsm_req r = next_req(chan, QUIET_MS);

	if (r.access)
		fail("%s: an unexpected request, page %llu access %u", why,
		     (unsigned long long)r.page, r.access);
}

static int page_op(int chan, unsigned long cmd, uint64_t page, uint32_t access, void *data)
{
	struct ssi_dsm_page a = { .page = page, .access = access,
				  .data = (uintptr_t)data };

	return ioctl(chan, cmd, &a) ? -errno : 0;
}

static void grant(int chan, uint64_t page, uint32_t access, void *data)
{
	if (page_op(chan, SSI_DSM_GRANT, page, access, data))
		fail("grant of page %llu: %s", (unsigned long long)page, strerror(errno));
}

static void take_back(int chan, uint64_t page, uint32_t access, void *out)
{
	if (page_op(chan, SSI_DSM_REVOKE, page, access, out))
		fail("revoke of page %llu: %s", (unsigned long long)page, strerror(errno));
}

/* ------------------------------------------------------------ a mapper */

struct cmd {
	char op;		/* r: read, w: write, a: add 1, s: syscall */
	uint32_t page;
	uint64_t val;
};

struct mapper {
	pid_t pid;
	int to, from;
};

static uint64_t *word(char *map, uint32_t page)
{
	return (uint64_t *)(map + page * pg);
}

/* Do what the parent says, answer a value each time. */
static void __attribute__((noreturn)) mapper_loop(char *map, int in, int out)
{
	struct cmd c;
	uint64_t v;
	int p[2];

	while (read(in, &c, sizeof(c)) == sizeof(c)) {
		switch (c.op) {
		case 'r':
			v = __atomic_load_n(word(map, c.page), __ATOMIC_SEQ_CST);
			break;
		case 'w':
			__atomic_store_n(word(map, c.page), c.val, __ATOMIC_SEQ_CST);
			v = c.val;
			break;
		case 's':
			/* the kernel reads the page (write(2) from it), then
			 * writes it (read(2) into it) */
			if (pipe(p) || write(p[1], word(map, c.page), 8) != 8 ||
			    read(p[0], &v, 8) != 8)
				_exit(3);
			if (write(p[1], &c.val, 8) != 8 || read(p[0], word(map, c.page), 8) != 8)
				_exit(3);
			close(p[0]);
			close(p[1]);
			break;
		default:
			_exit(0);
		}
		if (write(out, &v, sizeof(v)) != sizeof(v))
			_exit(3);
	}
	_exit(0);
}

static struct mapper mapper_start(int chan, size_t size)
{
	struct mapper m;
	int a[2], b[2];
	char *map;

	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, chan, 0);
	if (map == MAP_FAILED)
		fail("mmap of the channel: %s", strerror(errno));
	if (pipe(a) || pipe(b))
		die("pipe: %s", strerror(errno));
	m.pid = fork();
	if (m.pid < 0)
		die("fork: %s", strerror(errno));
	if (m.pid == 0) {
		close(a[1]);
		close(b[0]);
		close(chan);	/* the mapping alone: the channel is the parent's */
		mapper_loop(map, a[0], b[1]);
	}
	close(a[0]);
	close(b[1]);
	munmap(map, size);	/* the child's mapping is its own */
	m.to = a[1];
	m.from = b[0];
	return m;
}

static void tell(struct mapper *m, char op, uint32_t page, uint64_t val)
{
	struct cmd c = { op, page, val };

	if (write(m->to, &c, sizeof(c)) != sizeof(c))
		fail("the mapper is gone");
}

/* The mapper's answer within @ms; false if none came. */
static bool answer(struct mapper *m, int ms, uint64_t *v)
{
	struct pollfd p = { .fd = m->from, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && read(m->from, v, sizeof(*v)) == sizeof(*v);
}

static uint64_t must_answer(struct mapper *m, const char *why)
{
	uint64_t v;

	if (!answer(m, REQ_WAIT_MS, &v))
		fail("%s: the mapper did not answer", why);
	return v;
}

static int reap(pid_t pid, int ms)
{
	int st, i;

	for (i = 0; i < ms / 10; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return st;
		usleep(10000);
	}
	fail("pid %d did not end within %d ms", (int)pid, ms);
}

/* ------------------------------------------------------------ basic */

static void check_refused(int dev)
{
	struct ssi_dsm_open bad[] = {
		{ .size = 0 }, { .size = 100 }, { .size = SSI_DSM_SIZE_MAX + 4096 },
		{ .size = 4096, .flags = 4 },
		{ .size = 4096, .pad = 1 }, { .size = 4096, .src = 3 },
	};
	char *map;
	size_t i;
	int chan;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!ioctl(dev, SSI_IOC_DSM_OPEN, &bad[i]) || errno != EINVAL)
			fail("DSM_OPEN case %zu: not EINVAL (%s)", i, strerror(errno));
	if (dsm_open(dev, 2 * pg, &chan))
		fail("DSM_OPEN: %s", strerror(errno));
	map = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, chan, 0);
	if (map != MAP_FAILED || errno != EINVAL)
		fail("a private mapping of a segment: not EINVAL");
	map = mmap(NULL, 3 * pg, PROT_READ, MAP_SHARED, chan, 0);
	if (map != MAP_FAILED || errno != EINVAL)
		fail("a mapping beyond the segment: not EINVAL");
	map = mmap(NULL, pg, PROT_READ, MAP_SHARED, chan, 2 * pg);
	if (map != MAP_FAILED || errno != EINVAL)
		fail("a mapping at its end: not EINVAL");
	if (page_op(chan, SSI_DSM_GRANT, 2, SSI_DSM_READ, NULL) != -EINVAL ||
	    page_op(chan, SSI_DSM_GRANT, 0, SSI_DSM_INVALID, NULL) != -EINVAL ||
	    page_op(chan, SSI_DSM_GRANT, 0, 3, NULL) != -EINVAL ||
	    page_op(chan, SSI_DSM_REVOKE, 0, SSI_DSM_WRITE, NULL) != -EINVAL ||
	    page_op(chan, SSI_DSM_GRANT, 0, SSI_DSM_READ, (void *)8) != -EFAULT)
		fail("a bad grant or revoke was not refused");
	close(chan);
	pass("bad sizes, flags, mappings, pages and states are refused");
}

static void basic(int dev)
{
	size_t size = 4 * pg;
	char *data = malloc(pg), *out = malloc(pg);
	struct mapper m, k;
	uint64_t v;
	int chan, st;

	check_refused(dev);
	if (dsm_open(dev, size, &chan))
		fail("DSM_OPEN: %s", strerror(errno));
	m = mapper_start(chan, size);

	/* a read of a page not held: asks, waits, reads what was granted */
	memset(data, 0xa1, pg);
	tell(&m, 'r', 0, 0);
	expect_req(chan, 0, SSI_DSM_READ, "first read");
	if (answer(&m, QUIET_MS, &v))
		fail("the read went on before the grant");
	grant(chan, 0, SSI_DSM_READ, data);
	if (must_answer(&m, "read after grant") != 0xa1a1a1a1a1a1a1a1ULL)
		fail("read %#llx, not the page granted", (unsigned long long)v);
	pass("a read asks for the page and waits for it");

	/* a write to a page held to read: asks for it to write */
	tell(&m, 'w', 0, 0x5a);
	expect_req(chan, 0, SSI_DSM_WRITE, "write of a READ page");
	if (answer(&m, QUIET_MS, &v))
		fail("the write went on before the grant");
	grant(chan, 0, SSI_DSM_WRITE, NULL);
	must_answer(&m, "write after grant");
	tell(&m, 'w', 0, 0x5b);		/* held to write now: no request */
	must_answer(&m, "second write");
	expect_quiet(chan, "a write to a WRITE page");
	pass("the first write to a page held to read asks for it to write");

	/* revoked: its content comes out; read again, it is asked for anew */
	take_back(chan, 0, SSI_DSM_INVALID, out);
	if (*(uint64_t *)out != 0x5b || out[8] != (char)0xa1)
		fail("revoked content %#llx, not what the mapper wrote",
		     (unsigned long long)*(uint64_t *)out);
	memset(data, 0x77, pg);
	tell(&m, 'r', 0, 0);
	expect_req(chan, 0, SSI_DSM_READ, "read after revoke");
	grant(chan, 0, SSI_DSM_READ, data);
	if ((v = must_answer(&m, "read after re-grant")) != 0x7777777777777777ULL)
		fail("read %#llx after revoke and grant: a stale copy", (unsigned long long)v);
	pass("a revoked page gives its content and is asked for again");

	/* a writer made a reader: reads on without asking, asks to write */
	tell(&m, 'w', 0, 0x99);
	expect_req(chan, 0, SSI_DSM_WRITE, "write again");
	grant(chan, 0, SSI_DSM_WRITE, NULL);
	must_answer(&m, "write again");
	take_back(chan, 0, SSI_DSM_READ, out);
	if (*(uint64_t *)out != 0x99)
		fail("downgraded content %#llx", (unsigned long long)*(uint64_t *)out);
	tell(&m, 'r', 0, 0);
	if (must_answer(&m, "read of a READ page") != 0x99)
		fail("read after downgrade");
	expect_quiet(chan, "a read of a page still held to read");
	tell(&m, 'w', 0, 0x9a);
	expect_req(chan, 0, SSI_DSM_WRITE, "write after downgrade");
	grant(chan, 0, SSI_DSM_WRITE, NULL);
	must_answer(&m, "write after downgrade");
	pass("a writer revoked to READ keeps reading and asks to write again");

	/* the kernel's own access to a page not held waits the same way */
	memset(data, 0x31, pg);
	tell(&m, 's', 1, 0x4242);
	expect_req(chan, 1, SSI_DSM_READ, "write(2) from the page");
	grant(chan, 1, SSI_DSM_READ, data);
	expect_req(chan, 1, SSI_DSM_WRITE, "read(2) into the page");
	grant(chan, 1, SSI_DSM_WRITE, NULL);
	if ((v = must_answer(&m, "system calls")) != 0x3131313131313131ULL)
		fail("write(2) took %#llx from the page", (unsigned long long)v);
	take_back(chan, 1, SSI_DSM_INVALID, out);
	if (*(uint64_t *)out != 0x4242)
		fail("read(2) put %#llx into the page", (unsigned long long)*(uint64_t *)out);
	pass("system calls that touch a page not held wait for it too");

	/* a waiter killed ends at once */
	k = mapper_start(chan, size);
	tell(&k, 'r', 2, 0);
	expect_req(chan, 2, SSI_DSM_READ, "the read of a waiter to be killed");
	kill(k.pid, SIGKILL);
	st = reap(k.pid, 2000);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
		fail("the killed waiter ended with status %#x", st);
	pass("a task waiting for a page is killed at once");

	/* a page lost: its waiter and later accesses get SIGBUS, until a grant */
	if (page_op(chan, SSI_DSM_FAIL, 2, SSI_DSM_READ, NULL) != -EINVAL ||
	    page_op(chan, SSI_DSM_FAIL, 2, 0, data) != -EINVAL ||
	    page_op(chan, SSI_DSM_FAIL, 4, 0, NULL) != -EINVAL)
		fail("a bad SSI_DSM_FAIL was not refused");
	k = mapper_start(chan, size);
	tell(&k, 'r', 2, 0);		/* asked for already, by the killed one */
	if (answer(&k, QUIET_MS, &v))
		fail("a read of a page not held was answered");
	if (page_op(chan, SSI_DSM_FAIL, 2, 0, NULL))
		fail("SSI_DSM_FAIL: %s", strerror(errno));
	st = reap(k.pid, 2000);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGBUS)
		fail("a waiter for a page lost ended with status %#x", st);
	k = mapper_start(chan, size);
	tell(&k, 'r', 2, 0);
	st = reap(k.pid, 2000);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGBUS)
		fail("a read of a page lost ended with status %#x", st);
	expect_quiet(chan, "a page lost is not asked for");
	memset(data, 0x27, pg);
	grant(chan, 2, SSI_DSM_READ, data);
	k = mapper_start(chan, size);
	tell(&k, 'r', 2, 0);
	if ((v = must_answer(&k, "a page lost, then granted")) != 0x2727272727272727ULL)
		fail("a page granted after its loss reads %#llx", (unsigned long long)v);
	tell(&k, 'q', 0, 0);
	reap(k.pid, 2000);
	pass("a page lost fails its waiter and later accesses with SIGBUS, until a grant");

	/* the channel closed: a wait ends with SIGBUS, held pages stay */
	tell(&m, 'r', 3, 0);
	expect_req(chan, 3, SSI_DSM_READ, "a read left waiting");
	close(chan);
	st = reap(m.pid, 2000);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGBUS)
		fail("a waiter on a closed channel ended with status %#x", st);
	pass("a closed channel ends a waiting access with SIGBUS");
	free(data);
	free(out);
}

/* ------------------------------------------------------------ counter */

/*
 * Channels 0 and 1 stand for the copies of two nodes; ssid's directory
 * (ssid/dsm/directory.c) decides, this process carries its actions out
 * as ssid will: revocations and grants on the channels, content through
 * home's copy.  Home is node 0 itself (its copy the shared memory) or,
 * for two remote copies, node 2: this process's buffer.
 */
#define VHOME	2

struct dir {
	struct dsm_dir *dir;
	int chan[2];
	int home;			/* 0, or VHOME */
	uint8_t st[2][2];		/* [node][page]: what the kernel has */
	char *store[2];			/* home's copy when home is VHOME */
	char *buf;
	unsigned int asked[2][2];
	uint64_t since[2][2];		/* when it was granted to write */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Let the writer @y of page @p use it a while before it loses it. */
static void held_enough(struct dir *d, int y, int p)
{
	uint64_t t = now_ns();

	if (d->st[y][p] == SSI_DSM_WRITE && t < d->since[y][p] + HOLD_NS)
		usleep((useconds_t)((d->since[y][p] + HOLD_NS - t) / 1000));
}

/* A writer's content into home's copy, which stays invalid there. */
static void put_home(struct dir *d, int p)
{
	if (d->home == VHOME)
		memcpy(d->store[p], d->buf, pg);
	else if (page_op(d->chan[0], SSI_DSM_GRANT, p, SSI_DSM_INVALID, d->buf))
		fail("content of page %d into home's copy: %s", p, strerror(errno));
}

/* Home's copy of page @p into d->buf, its state there unchanged. */
static void get_home(struct dir *d, int p)
{
	if (d->home == VHOME)
		memcpy(d->buf, d->store[p], pg);
	else
		take_back(d->chan[0], p, d->st[0][p], d->buf);
}

static void apply(struct dir *d, const struct dsm_act *acts, int n)
{
	struct dsm_act more[DSM_DIR_ACTS_MAX];
	int i, m;

	if (n < 0)
		fail("the directory refused an input");
	for (i = 0; i < n; i++) {
		const struct dsm_act *a = &acts[i];
		int x = a->node, p = (int)a->page;

		switch (a->kind) {
		case DSM_ACT_REVOKE:
			if (x != VHOME) {
				held_enough(d, x, p);
				take_back(d->chan[x], p, a->access, a->data ? d->buf : NULL);
				d->st[x][p] = (uint8_t)a->access;
				if (a->data)
					put_home(d, p);
			}
			m = dsm_dir_revoked(d->dir, x, p, more);
			apply(d, more, m);
			break;
		case DSM_ACT_GRANT:
			if (x == VHOME)
				break;
			if (a->data)
				get_home(d, p);
			grant(d->chan[x], p, a->access, a->data ? d->buf : NULL);
			d->st[x][p] = (uint8_t)a->access;
			if (a->access == DSM_WRITE)
				d->since[x][p] = now_ns();
			break;
		case DSM_ACT_FAIL:
			fail("page %d is lost", p);
		}
	}
}

static void serve(struct dir *d, int x, const struct ssi_dsm_req *r)
{
	struct dsm_act acts[DSM_DIR_ACTS_MAX];

	d->asked[x][r->page]++;
	apply(d, acts, dsm_dir_request(d->dir, x, (uint32_t)r->page, r->access, acts));
}

/* Home reads every page: a writer's content goes back to home's copy. */
static void pages_home(struct dir *d)
{
	struct dsm_act acts[DSM_DIR_ACTS_MAX];
	int p;

	for (p = 0; p < 2; p++)
		apply(d, acts, dsm_dir_request(d->dir, d->home, p, DSM_READ, acts));
}

static void dir_init(struct dir *d, int home)
{
	int p;

	d->home = home;
	d->dir = dsm_dir_new(2, home);
	d->buf = calloc(1, pg);
	for (p = 0; p < 2; p++)
		d->store[p] = calloc(1, pg);
	if (!d->dir || !d->buf || !d->store[0] || !d->store[1])
		die("out of memory");
	if (home == 0)
		d->st[0][0] = d->st[0][1] = SSI_DSM_WRITE;
}

static void dir_fini(struct dir *d)
{
	dsm_dir_free(d->dir);
	free(d->buf);
	free(d->store[0]);
	free(d->store[1]);
	close(d->chan[0]);
	close(d->chan[1]);
}

static void __attribute__((noreturn)) adder(char *map, long n, int reads, int go, int forks)
{
	pid_t child = 0;
	char c;
	long i;
	int st;

	if (go >= 0 && read(go, &c, 1) != 1)
		_exit(5);
	if (forks && (child = fork()) < 0)
		_exit(6);
	for (i = 0; i < n; i++) {
		/* now and then a pause: the other copy takes the page meanwhile */
		if (i % 64 == 0)
			usleep(50);
		__atomic_fetch_add(word(map, 0), 1, __ATOMIC_SEQ_CST);
		if (i % (n / reads + 1) == 0 &&
		    __atomic_load_n(word(map, 1), __ATOMIC_SEQ_CST) != 0x4242424242424242ULL)
			_exit(4);
	}
	if (child > 0 && (waitpid(child, &st, 0) != child || !WIFEXITED(st) ||
			  WEXITSTATUS(st)))
		_exit(7);
	_exit(0);
}

/* Serve both copies' requests until the adders @pid[0], @pid[1] end. */
static void run_dir(struct dir *d, pid_t *pid)
{
	int i, st, left = 2;

	while (left) {
		struct pollfd p[2] = { { .fd = d->chan[0], .events = POLLIN },
				       { .fd = d->chan[1], .events = POLLIN } };
		struct ssi_dsm_req r;

		if (poll(p, 2, 100) > 0)
			for (i = 0; i < 2; i++)
				if ((p[i].revents & POLLIN) &&
				    read(d->chan[i], &r, sizeof(r)) == sizeof(r))
					serve(d, i, &r);
		for (i = 0; i < 2; i++)
			if (pid[i] && waitpid(pid[i], &st, WNOHANG) == pid[i]) {
				if (!WIFEXITED(st) || WEXITSTATUS(st))
					fail("adder %d ended with status %#x", i, st);
				pid[i] = 0;
				left--;
			}
	}
}

static void counter(int dev, long n)
{
	struct dir d = { 0 };
	pid_t pid[2];
	uint64_t total;
	int i;

	dir_init(&d, VHOME);
	for (i = 0; i < 2; i++)
		if (dsm_open(dev, 2 * pg, &d.chan[i]))
			fail("DSM_OPEN: %s", strerror(errno));
	memset(d.store[1], 0x42, pg);
	for (i = 0; i < 2; i++) {
		char *map = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED,
				 d.chan[i], 0);

		if (map == MAP_FAILED)
			fail("mmap: %s", strerror(errno));
		pid[i] = fork();
		if (pid[i] == 0) {
			close(d.chan[0]);
			close(d.chan[1]);
			adder(map, n, 100, -1, 0);
		}
		munmap(map, 2 * pg);
	}
	run_dir(&d, pid);
	pages_home(&d);
	total = *(uint64_t *)d.store[0];
	printf("# %ld adds each, page 0 asked for %u + %u times, page 1 %u + %u times\n",
	       n, d.asked[0][0], d.asked[1][0], d.asked[0][1], d.asked[1][1]);
	if (total != 2 * (uint64_t)n)
		fail("the counter is %llu, not %ld: an update was lost",
		     (unsigned long long)total, 2 * n);
	pass("atomic adds on one word from two copies lose no update");
	if (d.asked[0][0] + d.asked[1][0] < 20)
		fail("the page went between the copies %u times only: not a test of it",
		     d.asked[0][0] + d.asked[1][0]);
	if (d.asked[0][1] != 1 || d.asked[1][1] != 1)
		fail("a page both only read was asked for %u and %u times, not once each",
		     d.asked[0][1], d.asked[1][1]);
	pass("a page only read is held by both copies at once");
	dir_fini(&d);
}

/* ------------------------------------------------------------ home */

static int wrap(int chan, pid_t pid, const void *addr)
{
	struct ssi_dsm_wrap w = { .pid = pid, .addr = (uintptr_t)addr };

	return ioctl(chan, SSI_DSM_WRAP, &w) ? -errno : 0;
}

static int home_open(int dev, int src, uint64_t size, int *chan)
{
	struct ssi_dsm_open o = { .size = size, .flags = SSI_DSM_CLOEXEC | SSI_DSM_HOME,
				  .src = src };

	if (ioctl(dev, SSI_IOC_DSM_OPEN, &o))
		return -errno;
	*chan = o.fd;
	return 0;
}

/* Home segments over what is not shared memory of their size, bad wraps. */
static void home_refused(int dev, int src, char *map, int remote)
{
	char *priv = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int chan, null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (home_open(dev, src, pg, &chan) != -EINVAL ||
	    home_open(dev, src, 3 * pg, &chan) != -EINVAL ||
	    home_open(dev, null, pg, &chan) != -EINVAL ||
	    home_open(dev, -1, 2 * pg, &chan) != -EBADF)
		fail("a home segment of another size, or over what is not shared memory, "
		     "was not refused");
	close(null);
	if (home_open(dev, src, 2 * pg, &chan))
		fail("DSM_OPEN over shared memory: %s", strerror(errno));
	if (wrap(chan, 0, map) != -EINVAL || wrap(chan, 0x3fffffff, map) != -ESRCH ||
	    wrap(chan, getpid(), map + pg) != -EINVAL || wrap(chan, getpid(), priv) != -EINVAL ||
	    wrap(remote, getpid(), map) != -EINVAL)
		fail("a bad wrap was not refused");
	close(chan);
	munmap(priv, pg);
	pass("bad home segments and wraps are refused");
}

static void home(int dev, long n)
{
	char *map = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct dir d = { 0 };
	char path[64], c = 'g';
	int src, go[2];
	pid_t pid[2];
	uint64_t total;

	if (map == MAP_FAILED || pipe(go))
		die("mmap or pipe: %s", strerror(errno));
	memset(map + pg, 0x42, pg);
	snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx", (unsigned long)map,
		 (unsigned long)map + 2 * pg);
	src = open(path, O_RDWR | O_CLOEXEC);
	if (src < 0)
		fail("open %s: %s", path, strerror(errno));
	if (dsm_open(dev, 2 * pg, &d.chan[1]))
		fail("DSM_OPEN: %s", strerror(errno));
	home_refused(dev, src, map, d.chan[1]);

	/* node 0 is home: its copy is the memory itself, every page held */
	if (home_open(dev, src, 2 * pg, &d.chan[0]))
		fail("DSM_OPEN over shared memory: %s", strerror(errno));
	dir_init(&d, 0);
	pid[0] = fork();
	if (pid[0] == 0) {
		close(d.chan[0]);
		close(d.chan[1]);
		close(go[1]);
		adder(map, n, 100, go[0], 1);	/* forks once wrapped */
	}
	munmap(map, 2 * pg);		/* the child's mapping is its own */
	if (wrap(d.chan[0], pid[0], map) || wrap(d.chan[0], pid[0], map))
		fail("wrap of the home child's mapping, or the same again: %s", strerror(errno));
	map = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, d.chan[1], 0);
	if (map == MAP_FAILED)
		fail("mmap: %s", strerror(errno));
	pid[1] = fork();
	if (pid[1] == 0) {
		close(d.chan[0]);
		close(d.chan[1]);
		adder(map, n, 100, -1, 0);
	}
	munmap(map, 2 * pg);
	if (write(go[1], &c, 1) != 1)
		die("pipe: %s", strerror(errno));
	run_dir(&d, pid);

	/* home reads every page: its memory is the segment */
	pages_home(&d);
	if (pread(src, &total, sizeof(total), 0) != sizeof(total))
		fail("pread of home's memory: %s", strerror(errno));
	printf("# %ld adds by each of 3, page 0 asked for %u (home) + %u times, "
	       "page 1 %u + %u times\n", n, d.asked[0][0], d.asked[1][0], d.asked[0][1],
	       d.asked[1][1]);
	if (total != 3 * (uint64_t)n)
		fail("home's counter is %llu, not %ld: an update was lost",
		     (unsigned long long)total, 3 * n);
	pass("atomic adds at home, by a child forked after the wrap and on another copy "
	     "lose no update");
	if (d.asked[0][0] < 10)
		fail("home's mappers asked for page 0 %u times only: not under coherence",
		     d.asked[0][0]);
	if (d.asked[0][1] != 0 || d.asked[1][1] != 1)
		fail("page 1, only read, was asked for %u (home) and %u times, not 0 and 1",
		     d.asked[0][1], d.asked[1][1]);
	pass("home's wrapped mappers ask like any copy; a page only read is held by both");
	dir_fini(&d);
	close(src);
}

static int wrap_file(int chan, int fd)
{
	struct ssi_dsm_wrap_file w = { .fd = fd };

	return ioctl(chan, SSI_DSM_WRAP_FILE, &w) ? -errno : 0;
}

/* A new open file of what @fd is, as another process's open(2) makes. */
static int reopen(int fd)
{
	char path[64];
	int f;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	f = open(path, O_RDWR | O_CLOEXEC);
	if (f < 0)
		fail("open %s: %s", path, strerror(errno));
	return f;
}

/*
 * Page @p written by the remote copy's mapper @r, then read by home's
 * mapper @m: that asks home's channel (it is under coherence), and reads
 * the remote's value once the directory brought the page back.
 */
static void written_away(int home_chan, int remote, struct mapper *r, struct mapper *m,
			 uint32_t p, uint64_t val, const char *what)
{
	char *buf = malloc(pg);
	struct ssi_dsm_req q;

	if (!buf)
		die("out of memory");

	tell(r, 'w', p, val);
	/* the store may read the page first (TCG's do): a read copy, then */
	q = next_req(remote, REQ_WAIT_MS);
	if (q.page == p && q.access == SSI_DSM_READ) {
		take_back(home_chan, p, SSI_DSM_READ, buf);
		grant(remote, p, SSI_DSM_READ, buf);
		q = next_req(remote, REQ_WAIT_MS);
	}
	if (q.page != p || q.access != SSI_DSM_WRITE)
		fail("the remote copy's write: request page %llu access %u, want page %u "
		     "access %u", (unsigned long long)q.page, q.access, p, SSI_DSM_WRITE);
	take_back(home_chan, p, SSI_DSM_INVALID, buf);
	grant(remote, p, SSI_DSM_WRITE, buf);
	if (must_answer(r, "the remote write") != val)
		fail("the remote copy's write did not happen");
	tell(m, 'r', p, 0);
	expect_req(home_chan, p, SSI_DSM_READ, what);
	take_back(remote, p, SSI_DSM_READ, buf);
	grant(home_chan, p, SSI_DSM_READ, buf);
	if (must_answer(m, what) != val)
		fail("%s: read stale content", what);
	free(buf);
}

/* The memory of copy @chan, as a process that moved here maps it, takes no home. */
static void copy_refused(int dev, int chan)
{
	char *map = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, chan, 0);
	char path[64];
	int src, home_chan;

	if (map == MAP_FAILED)
		fail("mmap of the channel: %s", strerror(errno));
	snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx", (unsigned long)map,
		 (unsigned long)map + 2 * pg);
	src = open(path, O_RDWR | O_CLOEXEC);
	if (src < 0)
		fail("open %s: %s", path, strerror(errno));
	if (home_open(dev, src, 2 * pg, &home_chan) != -EEXIST)
		fail("a home segment over a copy's memory was not refused with EEXIST");
	close(src);
	munmap(map, 2 * pg);
}

static void late(int dev)
{
	int mfd = memfd_create("ssi-dsm-late", MFD_CLOEXEC), early, later, other, chan, again;
	int remote, null = open("/dev/null", O_RDWR | O_CLOEXEC);
	struct mapper r, m1, m2;
	char c = 1;

	if (mfd < 0 || ftruncate(mfd, 2 * pg) || pwrite(mfd, &c, 1, 0) != 1)
		die("memfd: %s", strerror(errno));
	other = memfd_create("ssi-dsm-other", MFD_CLOEXEC);
	if (other < 0 || ftruncate(other, 2 * pg))
		die("memfd: %s", strerror(errno));
	early = reopen(mfd);		/* opened before the segment */
	if (home_open(dev, mfd, 2 * pg, &chan))
		fail("DSM_OPEN over a memfd: %s", strerror(errno));
	if (home_open(dev, mfd, 2 * pg, &again) != -EBUSY)
		fail("a second home segment over the same memory was not refused");
	if (wrap_file(chan, other) != -EINVAL || wrap_file(chan, null) != -EINVAL ||
	    wrap_file(chan, -1) != -EBADF)
		fail("a bad file wrap was not refused");
	if (dsm_open(dev, 2 * pg, &remote))
		fail("DSM_OPEN: %s", strerror(errno));
	copy_refused(dev, remote);
	r = mapper_start(remote, 2 * pg);
	pass("one home segment per memory, none over a copy; bad file wraps are refused");

	later = reopen(mfd);		/* opened after: mapped under coherence */
	m1 = mapper_start(later, 2 * pg);
	written_away(chan, remote, &r, &m1, 0, 7,
		     "a mapping made through a file opened after the segment");
	pass("a mapping through a file opened after the segment is under its coherence");

	if (wrap_file(chan, early) || wrap_file(chan, early))
		fail("SSI_DSM_WRAP_FILE, or the same again: %s", strerror(errno));
	m2 = mapper_start(early, 2 * pg);
	written_away(chan, remote, &r, &m2, 1, 9,
		     "a mapping made through a file opened before, then wrapped");
	pass("a mapping through a file opened before and wrapped is under its coherence");

	tell(&r, 'q', 0, 0);
	tell(&m1, 'q', 0, 0);
	tell(&m2, 'q', 0, 0);
	reap(r.pid, 5000);
	reap(m1.pid, 5000);
	reap(m2.pid, 5000);
	close(chan);
	close(remote);
	if (home_open(dev, mfd, 2 * pg, &again))
		fail("a home segment over memory whose segment ended: %s", strerror(errno));
	close(again);
	close(early);
	close(later);
	close(other);
	close(null);
	close(mfd);
	pass("the memory takes a new home segment once the last one ended");
}

int main(int argc, char **argv)
{
	int dev;

	prog_name = "ssi-dsm-test";
	pg = sysconf(_SC_PAGESIZE);
	if (argc < 2)
		die("usage: ssi-dsm-test basic | counter [N] | home [N] | late | perm");
	dev = ssi_open_dev();
	if (!strcmp(argv[1], "basic")) {
		basic(dev);
	} else if (!strcmp(argv[1], "counter")) {
		counter(dev, argc > 2 ? atol(argv[2]) : 20000);
	} else if (!strcmp(argv[1], "home")) {
		home(dev, argc > 2 ? atol(argv[2]) : 20000);
	} else if (!strcmp(argv[1], "late")) {
		late(dev);
	} else if (!strcmp(argv[1], "perm")) {
		char *map = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				 -1, 0);
		char path[64];
		int chan, src, home_chan;

		snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx",
			 (unsigned long)map, (unsigned long)map + pg);
		src = open(path, O_RDWR | O_CLOEXEC);
		if (src < 0 || home_open(dev, src, pg, &home_chan))
			fail("a home segment over %s: %s", path, strerror(errno));
		/* fds of root's in the hands of a user, as the restore helper's */
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			die("cannot become nobody: %s", strerror(errno));
		if (dsm_open(dev, pg, &chan) != -EPERM)
			fail("DSM_OPEN without CAP_SYS_ADMIN: not EPERM");
		if (wrap(home_chan, getpid(), map) != -EPERM ||
		    wrap_file(home_chan, src) != -EPERM)
			fail("SSI_DSM_WRAP(_FILE) without CAP_SYS_ADMIN: not EPERM");
		pass("a segment and a wrap need CAP_SYS_ADMIN");
	} else {
		die("unknown test %s", argv[1]);
	}
	return 0;
}
