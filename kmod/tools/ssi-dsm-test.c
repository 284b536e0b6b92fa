// SPDX-License-Identifier: GPL-2.0
/*
 * ssi-dsm-test - drive ssi.ko's DSM segments (SSI_IOC_DSM_OPEN) for real:
 * children map a segment and touch it, this process holds the channel
 * and plays the directory, as ssid will between nodes.
 *
 *   ssi-dsm-test basic     a read asks and waits for a grant; a write to a
 *                          page held to read asks again; a revoked page is
 *                          asked for again and shows the new content; a
 *                          writer revoked to READ reads on without asking;
 *                          the kernel's own accesses (write(2) from, read(2)
 *                          into a page not held) wait the same way; a
 *                          waiter killed goes; a closed channel gives
 *                          SIGBUS; bad arguments are refused
 *   ssi-dsm-test counter [N]  two segments stand for two nodes: a child on
 *                          each adds 1 N times to one word with an atomic
 *                          instruction, pausing now and then, while this
 *                          process moves the page between them (single
 *                          writer: 20 moves at least), and both read a
 *                          second page many times (multiple readers: one
 *                          request each); no update is lost
 *   ssi-dsm-test perm      as a user without CAP_SYS_ADMIN: EPERM
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
		{ .size = 4096, .flags = 2 }, { .size = 4096, .reserved = { 1 } },
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
 * Two segments stand for the copies of two nodes; this process is the
 * directory of both pages: who holds what, and home's copy of each.
 */
struct dir {
	int chan[2];
	uint8_t st[2][2];	/* [node][page] */
	char *home[2];
	unsigned int asked[2][2];
	uint64_t since[2][2];	/* when it was granted to write */
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

static void serve(struct dir *d, int x, const struct ssi_dsm_req *r)
{
	int y = !x, p = (int)r->page;

	d->asked[x][p]++;
	held_enough(d, y, p);
	if (r->access == SSI_DSM_READ) {
		if (d->st[y][p] == SSI_DSM_WRITE) {
			take_back(d->chan[y], p, SSI_DSM_READ, d->home[p]);
			d->st[y][p] = SSI_DSM_READ;
		}
		grant(d->chan[x], p, SSI_DSM_READ, d->st[x][p] ? NULL : d->home[p]);
		if (!d->st[x][p])
			d->st[x][p] = SSI_DSM_READ;
		return;
	}
	if (d->st[y][p]) {
		take_back(d->chan[y], p, SSI_DSM_INVALID,
		       d->st[y][p] == SSI_DSM_WRITE ? d->home[p] : NULL);
		d->st[y][p] = SSI_DSM_INVALID;
	}
	grant(d->chan[x], p, SSI_DSM_WRITE, d->st[x][p] ? NULL : d->home[p]);
	d->st[x][p] = SSI_DSM_WRITE;
	d->since[x][p] = now_ns();
}

static void __attribute__((noreturn)) adder(char *map, long n, int reads)
{
	long i;

	for (i = 0; i < n; i++) {
		/* now and then a pause: the other copy takes the page meanwhile */
		if (i % 64 == 0)
			usleep(50);
		__atomic_fetch_add(word(map, 0), 1, __ATOMIC_SEQ_CST);
		if (i % (n / reads + 1) == 0 &&
		    __atomic_load_n(word(map, 1), __ATOMIC_SEQ_CST) != 0x4242424242424242ULL)
			_exit(4);
	}
	_exit(0);
}

static void counter(int dev, long n)
{
	struct dir d = { 0 };
	pid_t pid[2];
	int i, st, left = 2;
	uint64_t total;

	for (i = 0; i < 2; i++) {
		d.home[i] = calloc(1, pg);
		if (dsm_open(dev, 2 * pg, &d.chan[i]))
			fail("DSM_OPEN: %s", strerror(errno));
	}
	memset(d.home[1], 0x42, pg);
	for (i = 0; i < 2; i++) {
		char *map = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED,
				 d.chan[i], 0);

		if (map == MAP_FAILED)
			fail("mmap: %s", strerror(errno));
		pid[i] = fork();
		if (pid[i] == 0) {
			close(d.chan[0]);
			close(d.chan[1]);
			adder(map, n, 100);
		}
		munmap(map, 2 * pg);
	}
	while (left) {
		struct pollfd p[2] = { { .fd = d.chan[0], .events = POLLIN },
				       { .fd = d.chan[1], .events = POLLIN } };
		struct ssi_dsm_req r;

		if (poll(p, 2, 100) > 0)
			for (i = 0; i < 2; i++)
				if ((p[i].revents & POLLIN) &&
				    read(d.chan[i], &r, sizeof(r)) == sizeof(r))
					serve(&d, i, &r);
		for (i = 0; i < 2; i++)
			if (pid[i] && waitpid(pid[i], &st, WNOHANG) == pid[i]) {
				if (!WIFEXITED(st) || WEXITSTATUS(st))
					fail("adder %d ended with status %#x", i, st);
				pid[i] = 0;
				left--;
			}
	}
	for (i = 0; i < 2; i++)
		if (d.st[i][0] == SSI_DSM_WRITE)
			take_back(d.chan[i], 0, SSI_DSM_INVALID, d.home[0]);
	total = *(uint64_t *)d.home[0];
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
	close(d.chan[0]);
	close(d.chan[1]);
}

int main(int argc, char **argv)
{
	int dev;

	prog_name = "ssi-dsm-test";
	pg = sysconf(_SC_PAGESIZE);
	if (argc < 2)
		die("usage: ssi-dsm-test basic | counter [N] | perm");
	dev = ssi_open_dev();
	if (!strcmp(argv[1], "basic")) {
		basic(dev);
	} else if (!strcmp(argv[1], "counter")) {
		counter(dev, argc > 2 ? atol(argv[2]) : 20000);
	} else if (!strcmp(argv[1], "perm")) {
		int chan;

		/* an fd of root's in the hands of a user, as the restore helper's */
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			die("cannot become nobody: %s", strerror(errno));
		if (dsm_open(dev, pg, &chan) != -EPERM)
			fail("DSM_OPEN without CAP_SYS_ADMIN: not EPERM");
		pass("a segment needs CAP_SYS_ADMIN");
	} else {
		die("unknown test %s", argv[1]);
	}
	return 0;
}
