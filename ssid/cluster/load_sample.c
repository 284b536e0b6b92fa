// SPDX-License-Identifier: GPL-2.0
/*
 * load_sample.c - read this node's load from hwloc and /proc.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <hwloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/procfs.h"
#include "cluster/load_sample.h"

/* CPU demand of every task but ssid's, at one instant. */
struct demand {
	uint64_t mono_ns, ns;
	bool ok;
};

/*
 * The runnable count is averaged over the last second at least: on a
 * node of one CPU, the shell and client an administrator starts to ask for
 * a plan demand a few hundred milliseconds, which must not round up to a
 * task.  Until a second of samples exists, a quarter second will do.
 */
#define SAMPLE_WINDOW_NS	1000000000ull
#define SAMPLE_MIN_WINDOW_NS	250000000ull
#define SAMPLE_RING		16	/* demands kept: heartbeats of 1/8 s */

struct sampler {
	int stat_fd, loadavg_fd, meminfo_fd;
	int schedstat_fd, self_fd;	/* -1 on kernels without them */
	char *buf;		/* grows to fit the largest /proc file read */
	size_t cap;
	struct cpu_times prev;
	struct demand ring[SAMPLE_RING];	/* at the last sampler_take()s */
	unsigned int ring_next;
	uint32_t cores, pus, numa;
};

/* Read all of an open /proc file into s->buf, NUL-terminated. */
static int read_proc(struct sampler *s, int fd)
{
	size_t len = 0;
	ssize_t n;

	for (;;) {
		if (s->cap - len < 4096) {
			size_t cap = s->cap ? s->cap * 2 : 16384;
			char *b;

			if (cap > (64u << 20)) {
				errno = EFBIG;
				return -1;
			}
			b = realloc(s->buf, cap);
			if (!b)
				return -1;
			s->buf = b;
			s->cap = cap;
		}
		n = pread(fd, s->buf + len, s->cap - len - 1, (off_t)len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	s->buf[len] = '\0';
	return 0;
}

/*
 * Everything's time running or waiting so far, less ssid's own (it runs
 * to measure).  ok is false without /proc/schedstat.
 */
static struct demand read_demand(struct sampler *s)
{
	struct demand d = { 0 };
	uint64_t self = 0;

	d.mono_ns = clock_mono_ns();
	if (s->schedstat_fd < 0 || !d.mono_ns ||
	    read_proc(s, s->schedstat_fd) || load_parse_schedstat(s->buf, &d.ns))
		return d;
	if (s->self_fd >= 0 && !read_proc(s, s->self_fd) &&
	    !load_parse_task_schedstat(s->buf, &self) && self <= d.ns)
		d.ns -= self;
	d.ok = true;
	return d;
}

/*
 * The average runnable count up to @now, over the window from the newest
 * kept demand at least SAMPLE_WINDOW_NS older (or the oldest one, if
 * SAMPLE_MIN_WINDOW_NS older).  False without such a demand.
 */
static bool window_runnable(const struct sampler *s, const struct demand *now,
			    uint32_t *runnable)
{
	const struct demand *from = NULL, *d;
	unsigned int i;

	if (!now->ok)
		return false;
	for (i = 1; i <= SAMPLE_RING; i++) {
		d = &s->ring[(s->ring_next + SAMPLE_RING - i) % SAMPLE_RING];
		if (!d->ok || d->mono_ns > now->mono_ns || d->ns > now->ns ||
		    now->mono_ns - d->mono_ns < SAMPLE_MIN_WINDOW_NS)
			continue;
		from = d;
		if (now->mono_ns - d->mono_ns >= SAMPLE_WINDOW_NS)
			break;
	}
	if (!from)
		return false;
	*runnable = load_runnable_avg(now->ns - from->ns, now->mono_ns - from->mono_ns);
	return true;
}

/* The window's average, or procs_running's instant without /proc/schedstat. */
static uint32_t runnable_of(const struct sampler *s, const struct demand *d,
			    uint32_t procs_running)
{
	uint32_t avg;

	return window_runnable(s, d, &avg) ? avg : load_runnable(procs_running);
}

static void keep_demand(struct sampler *s, const struct demand *d)
{
	if (!d->ok)
		return;
	s->ring[s->ring_next] = *d;
	s->ring_next = (s->ring_next + 1) % SAMPLE_RING;
}

static int count_type(hwloc_topology_t t, hwloc_obj_type_t type)
{
	int n = hwloc_get_nbobjs_by_type(t, type);

	return n > 0 ? n : 1;
}

struct sampler *sampler_open(char *err, size_t errlen)
{
	struct sampler *s = calloc(1, sizeof(*s));
	hwloc_topology_t topo;
	struct demand d;
	int saved;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->stat_fd = s->loadavg_fd = s->meminfo_fd = -1;
	s->schedstat_fd = s->self_fd = -1;
	if (hwloc_topology_init(&topo) < 0) {
		snprintf(err, errlen, "hwloc_topology_init: %m");
		goto fail;
	}
	if (hwloc_topology_load(topo) < 0) {
		snprintf(err, errlen, "hwloc_topology_load: %m");
		hwloc_topology_destroy(topo);
		goto fail;
	}
	s->cores = (uint32_t)count_type(topo, HWLOC_OBJ_CORE);
	s->pus = (uint32_t)count_type(topo, HWLOC_OBJ_PU);
	s->numa = (uint32_t)count_type(topo, HWLOC_OBJ_NUMANODE);
	hwloc_topology_destroy(topo);

	s->stat_fd = open("/proc/stat", O_RDONLY | O_CLOEXEC);
	s->loadavg_fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
	s->meminfo_fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
	if (s->stat_fd < 0 || s->loadavg_fd < 0 || s->meminfo_fd < 0) {
		snprintf(err, errlen, "cannot open /proc: %m");
		goto fail;
	}
	/* optional: without them, runnable is procs_running's instant */
	s->schedstat_fd = open("/proc/schedstat", O_RDONLY | O_CLOEXEC);
	s->self_fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
	if (read_proc(s, s->stat_fd) ||
	    load_parse_stat(s->buf, &s->prev, NULL)) {
		snprintf(err, errlen, "cannot read /proc/stat: %s",
			 errno ? strerror(errno) : "unexpected format");
		goto fail;
	}
	d = read_demand(s);
	keep_demand(s, &d);
	return s;
fail:
	saved = errno;
	sampler_close(s);
	errno = saved ? saved : EINVAL;
	return NULL;
}

int sampler_take(struct sampler *s, struct load_vector *v)
{
	struct cpu_times now;
	struct demand d;
	uint32_t procs_running, la_running, centi;

	/* procs_running from /proc/stat is exact; loadavg's count is a
	 * sample of the same figure, only its average is used.
	 */
	uint64_t total, avail;

	errno = 0;
	if (read_proc(s, s->stat_fd) ||
	    load_parse_stat(s->buf, &now, &procs_running))
		goto fail;
	if (read_proc(s, s->loadavg_fd) ||
	    load_parse_loadavg(s->buf, &centi, &la_running))
		goto fail;
	if (read_proc(s, s->meminfo_fd) ||
	    load_parse_meminfo(s->buf, &total, &avail))
		goto fail;
	v->cpu_permille = load_cpu_permille(&s->prev, &now);
	s->prev = now;
	v->cores = s->cores;
	v->pus = s->pus;
	v->numa = s->numa;
	d = read_demand(s);
	v->runnable = runnable_of(s, &d, procs_running);
	keep_demand(s, &d);
	v->loadavg_centi = centi;
	v->mem_total_kb = total;
	v->mem_free_kb = avail;
	return 0;
fail:
	if (!errno)
		errno = EPROTO;
	return -1;
}

/* The state letter of /proc/@path's task, 0 if unknown. */
static char proc_state(const char *path)
{
	char text[1024];

	return procfs_read_file(path, text, sizeof(text)) ? 0 : procfs_stat_state(text);
}

/*
 * Runnable tasks that are not load: ssid's own threads (the reader among
 * them, at least 1) and @client, which asked and may still wait on a run
 * queue, preempted by ssid.
 */
static uint32_t not_load_running(pid_t client)
{
	char path[64];
	uint32_t n = 0;
	struct dirent *e;
	DIR *d = opendir("/proc/self/task");

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%.16s/stat", e->d_name);
		n += proc_state(path) == 'R';
	}
	if (d)
		closedir(d);
	if (!n)
		n = 1;
	if (client > 0 && client != getpid()) {
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)client);
		n += proc_state(path) == 'R';
	}
	return n;
}

/*
 * Looks at the instant's count: the least of a few, a couple of
 * milliseconds apart, in which ssid sleeps.  A kernel thread or the client
 * that was runnable at one look has run and blocked by the next; a
 * CPU-bound task is runnable at every one.
 */
#define PRESENT_LOOKS		3
#define PRESENT_GAP_NS		2000000

int sampler_runnable(struct sampler *s, pid_t client, uint32_t *runnable)
{
	struct timespec gap = { 0, PRESENT_GAP_NS };
	struct cpu_times now;
	struct demand d = read_demand(s);
	uint32_t procs_running, avg = 0, r;
	int i;

	for (i = 0; i < PRESENT_LOOKS; i++) {
		if (i)
			nanosleep(&gap, NULL);
		errno = 0;
		if (read_proc(s, s->stat_fd) ||
		    load_parse_stat(s->buf, &now, &procs_running)) {
			if (!errno)
				errno = EPROTO;
			return -1;
		}
		if (!i)
			avg = runnable_of(s, &d, procs_running);
		r = load_runnable_present(avg, procs_running, not_load_running(client));
		if (!i || r < *runnable)
			*runnable = r;
	}
	return 0;
}

void sampler_close(struct sampler *s)
{
	if (!s)
		return;
	if (s->stat_fd >= 0)
		close(s->stat_fd);
	if (s->loadavg_fd >= 0)
		close(s->loadavg_fd);
	if (s->meminfo_fd >= 0)
		close(s->meminfo_fd);
	if (s->schedstat_fd >= 0)
		close(s->schedstat_fd);
	if (s->self_fd >= 0)
		close(s->self_fd);
	free(s->buf);
	free(s);
}
