// SPDX-License-Identifier: GPL-2.0
/*
 * load.c - parsing /proc text and the load arithmetic (see load.h).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/load.h"

/* Find @key at the start of a line of @text; returns what follows it. */
static const char *find_line(const char *text, const char *key)
{
	size_t n = strlen(key);
	const char *s = text;

	while (s && *s) {
		if (!strncmp(s, key, n))
			return s + n;
		s = strchr(s, '\n');
		if (s)
			s++;
	}
	return NULL;
}

/* Parse an unsigned decimal after optional blanks; -1 if none. */
static int next_u64(const char **sp, uint64_t *v)
{
	const char *s = *sp;
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	*sp = end;
	return 0;
}

int load_parse_stat(const char *text, struct cpu_times *t, uint32_t *running)
{
	uint64_t *f[] = { &t->user, &t->nice, &t->system, &t->idle,
			  &t->iowait, &t->irq, &t->softirq, &t->steal };
	const char *s = find_line(text, "cpu ");
	size_t i;
	uint64_t v;

	if (!s)
		return -1;
	memset(t, 0, sizeof(*t));
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (next_u64(&s, f[i])) {
			/* user, nice, system, idle exist on every kernel */
			if (i < 4)
				return -1;
			break;
		}
	}
	if (!running)
		return 0;
	s = find_line(text, "procs_running ");
	if (!s || next_u64(&s, &v) || v > UINT32_MAX)
		return -1;
	*running = (uint32_t)v;
	return 0;
}

int load_parse_schedstat(const char *text, uint64_t *demand_ns)
{
	const char *s = find_line(text, "version ");
	uint64_t v, f, sum = 0;
	int cpus = 0, i;

	if (!s || next_u64(&s, &v) || v < 15)
		return -1;
	for (s = text; (s = strstr(s, "\ncpu")); ) {
		s += 4;
		if (!isdigit((unsigned char)*s))
			continue;
		while (isdigit((unsigned char)*s))
			s++;
		/* yld_count, legacy, sched_count, sched_goidle, ttwu_count,
		 * ttwu_local, then rq_cpu_time and run_delay */
		for (i = 0; i < 8; i++) {
			if (next_u64(&s, &f))
				return -1;
			if (i >= 6)
				sum += f;
		}
		cpus++;
	}
	if (!cpus)
		return -1;
	*demand_ns = sum;
	return 0;
}

int load_parse_task_schedstat(const char *text, uint64_t *demand_ns)
{
	const char *s = text;
	uint64_t run, wait;

	if (next_u64(&s, &run) || next_u64(&s, &wait))
		return -1;
	*demand_ns = run + wait;
	return 0;
}

uint32_t load_runnable_avg(uint64_t demand_ns, uint64_t wall_ns)
{
	uint64_t n;

	if (!wall_ns)
		return 0;
	/* a task counts from 0.7 on: see load.h */
	n = (demand_ns + wall_ns / 10 * 3) / wall_ns;
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

uint32_t load_runnable_present(uint32_t avg, uint32_t procs_running,
			       uint32_t not_load)
{
	uint32_t now = procs_running > not_load ? procs_running - not_load : 0;

	return avg < now ? avg : now;
}

int load_parse_loadavg(const char *text, uint32_t *centi, uint32_t *running)
{
	const char *s = text;
	uint64_t whole, frac = 0, run;
	int digits = 0;

	if (next_u64(&s, &whole))
		return -1;
	if (*s == '.') {
		s++;
		/* two decimals as the kernel prints them; more are ignored */
		while (isdigit((unsigned char)*s)) {
			if (digits < 2)
				frac = frac * 10 + (uint64_t)(*s - '0');
			digits++;
			s++;
		}
		if (digits == 0)
			return -1;
		if (digits == 1)
			frac *= 10;
	}
	if (*s != ' ')
		return -1;
	/* skip the 5- and 15-minute averages */
	s = strchr(s + 1, ' ');
	if (s)
		s = strchr(s + 1, ' ');
	if (!s || next_u64(&s, &run) || *s != '/')
		return -1;
	if (whole > (UINT32_MAX - frac) / 100 || run > UINT32_MAX)
		return -1;
	*centi = (uint32_t)(whole * 100 + frac);
	*running = (uint32_t)run;
	return 0;
}

static int meminfo_kb(const char *text, const char *key, uint64_t *kb)
{
	const char *s = find_line(text, key);

	if (!s || next_u64(&s, kb))
		return -1;
	return 0;
}

int load_parse_meminfo(const char *text, uint64_t *total_kb,
		       uint64_t *avail_kb)
{
	uint64_t free_kb, buffers = 0, cached = 0;

	if (meminfo_kb(text, "MemTotal:", total_kb))
		return -1;
	if (!meminfo_kb(text, "MemAvailable:", avail_kb))
		return 0;
	if (meminfo_kb(text, "MemFree:", &free_kb))
		return -1;
	meminfo_kb(text, "Buffers:", &buffers);
	meminfo_kb(text, "Cached:", &cached);
	*avail_kb = free_kb + buffers + cached;
	if (*avail_kb > *total_kb)
		*avail_kb = *total_kb;
	return 0;
}

static uint64_t cpu_total(const struct cpu_times *t)
{
	return t->user + t->nice + t->system + t->idle + t->iowait + t->irq +
	       t->softirq + t->steal;
}

uint32_t load_cpu_permille(const struct cpu_times *prev,
			   const struct cpu_times *cur)
{
	uint64_t tp = cpu_total(prev), tc = cpu_total(cur);
	uint64_t ip = prev->idle + prev->iowait, ic = cur->idle + cur->iowait;
	uint64_t total, idle;

	if (tc <= tp || ic < ip)
		return 0;
	total = tc - tp;
	idle = ic - ip;
	if (idle >= total)
		return 0;
	/* (total - idle) * 1000 cannot overflow for any plausible interval */
	return (uint32_t)(((total - idle) * 1000 + total / 2) / total);
}

uint32_t load_runnable(uint32_t procs_running)
{
	return procs_running ? procs_running - 1 : 0;
}

uint32_t load_score(const struct load_vector *v)
{
	uint64_t pus = v->pus ? v->pus : 1;
	uint64_t s = (uint64_t)v->runnable * 1000 / pus;

	return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

int64_t load_gap(const struct load_vector *a, const struct load_vector *b)
{
	return (int64_t)load_score(a) - (int64_t)load_score(b);
}

int load_worth_moving(const struct load_vector *src,
		      const struct load_vector *dst, uint32_t threshold,
		      uint32_t hysteresis, uint32_t weight)
{
	struct load_vector s = *src, d = *dst;

	if (src->runnable == 0 || load_gap(src, dst) <= (int64_t)threshold)
		return 0;
	load_move_runnable(&s, &d, weight);
	return load_gap(&d, &s) <= (int64_t)hysteresis;
}

void load_move_runnable(struct load_vector *src, struct load_vector *dst,
			uint32_t weight)
{
	src->runnable = src->runnable > weight ? src->runnable - weight : 0;
	dst->runnable = dst->runnable < UINT32_MAX - weight ? dst->runnable + weight :
			UINT32_MAX;
}

uint32_t load_mem_free_percent(const struct load_vector *v)
{
	if (!v->mem_total_kb)
		return 0;
	if (v->mem_free_kb >= v->mem_total_kb)
		return 100;
	return (uint32_t)(v->mem_free_kb * 100 / v->mem_total_kb);
}
