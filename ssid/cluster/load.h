/* SPDX-License-Identifier: GPL-2.0 */
/*
 * load.h - a node's load vector and the arithmetic on it.
 *
 * Pure functions only: they parse text that the caller read from /proc and
 * compute deltas, percentages and comparisons, so the unit tests can feed
 * them any text.  Reading /proc and hwloc lives in load_sample.c.
 */
#ifndef SSID_LOAD_H
#define SSID_LOAD_H

#include <stdint.h>

/* The "cpu " line of /proc/stat: cumulative jiffies since boot. */
struct cpu_times {
	uint64_t user, nice, system, idle, iowait, irq, softirq, steal;
};

/* What one node tells the others every heartbeat. */
struct load_vector {
	uint32_t cores;		/* physical cores (hwloc) */
	uint32_t pus;		/* hardware threads (hwloc), >= 1 */
	uint32_t numa;		/* NUMA nodes (hwloc), >= 1 */
	uint32_t runnable;	/* tasks running or ready (averaged over the
				 * last interval), not counting ssid */
	uint32_t cpu_permille;	/* CPU busy over the last interval, 0..1000 */
	uint32_t loadavg_centi;	/* 1-minute load average x 100 */
	uint64_t mem_total_kb;	/* MemTotal */
	uint64_t mem_free_kb;	/* MemAvailable (what a new task can get) */
	uint32_t guests;	/* migrated-in tasks running here */
	uint32_t deputies;	/* tasks of this node running elsewhere */
};

/*
 * load_parse_stat - find the aggregate "cpu " line and "procs_running" in
 * the text of /proc/stat.
 * @text:     NUL-terminated contents.
 * @t:        filled with the cpu line (missing trailing fields, as on old
 *            kernels, read as 0).
 * @running:  filled with procs_running, or left alone if @running is NULL.
 * Returns 0, or -1 if the cpu line (or procs_running when asked for) is
 * missing or not numeric.
 */
int load_parse_stat(const char *text, struct cpu_times *t, uint32_t *running);

/*
 * load_parse_loadavg - parse /proc/loadavg ("0.52 0.58 0.59 2/345 6789").
 * @centi:   the 1-minute average x 100 (rounded down).
 * @running: the number before the '/', tasks currently runnable.
 * Returns 0 or -1 on malformed text.
 */
int load_parse_loadavg(const char *text, uint32_t *centi, uint32_t *running);

/*
 * load_parse_meminfo - MemTotal and MemAvailable (kB) from /proc/meminfo.
 * Kernels older than 3.14 lack MemAvailable: then MemFree + Buffers +
 * Cached is used.  Returns 0 or -1 if MemTotal or the free figure is missing.
 */
int load_parse_meminfo(const char *text, uint64_t *total_kb,
		       uint64_t *avail_kb);

/*
 * load_cpu_permille - CPU busy between two samples, in per-mille of all
 * CPUs: busy = everything except idle and iowait.  Returns 0 when no time
 * passed or a counter went backwards (CPU hot-unplug, a wrapped counter):
 * a wrong "idle" for one interval is harmless, a wrong "busy" is not.
 */
uint32_t load_cpu_permille(const struct cpu_times *prev,
			   const struct cpu_times *cur);

/*
 * load_runnable - runnable tasks other than the sampler itself.  The kernel
 * counts the reading task as running in procs_running; subtract it.
 */
uint32_t load_runnable(uint32_t procs_running);

/*
 * load_parse_schedstat - CPU demand from /proc/schedstat (version 15 and
 * later): the nanoseconds tasks spent running (field 7 of each "cpuN"
 * line) plus waiting on a run queue (field 8), summed over every CPU.
 * Returns 0, or -1 for another version or malformed text.
 */
int load_parse_schedstat(const char *text, uint64_t *demand_ns);

/*
 * load_parse_task_schedstat - the same for one task, from
 * /proc/PID/schedstat ("run_ns wait_ns timeslices").  Returns 0 or -1.
 */
int load_parse_task_schedstat(const char *text, uint64_t *demand_ns);

/*
 * load_runnable_avg - tasks running or ready on average over @wall_ns, in
 * which they demanded @demand_ns of CPU: the whole part, plus one if the
 * rest is 0.7 or more.  A CPU-bound task demands all the time (running or
 * waiting), 1.0, however busy the node; what runs now and then (the shell
 * and client an administrator started, a kworker) does not add up to a
 * task.  An instant's procs_running would count whatever ran just then,
 * and miss a task that just blocked.  0 when no time passed.
 */
uint32_t load_runnable_avg(uint64_t demand_ns, uint64_t wall_ns);

/*
 * load_runnable_present - of @avg tasks runnable on average over the last
 * window (load_runnable_avg()), as many as are runnable at this instant:
 * @procs_running less @not_load, the runnable tasks that are not the
 * node's load (ssid's own threads, the reader among them, and the client
 * asking for a plan).  On the node that plans, the shell and scontrol an
 * administrator ran just before asking still fill the window's tail, but
 * they have ended: only load both sustained and present is worth moving
 * work away from, or not towards.
 */
uint32_t load_runnable_present(uint32_t avg, uint32_t procs_running,
			       uint32_t not_load);

/*
 * load_score - the balancer's load figure: runnable tasks per hardware
 * thread in per-mille (1000 = one runnable task per thread); guests count
 * like any task since they are in procs_running.  Saturates at UINT32_MAX.
 */
uint32_t load_score(const struct load_vector *v);

/*
 * load_gap - score(@a) - score(@b): positive when @a is busier.
 */
int64_t load_gap(const struct load_vector *a, const struct load_vector *b);

/*
 * load_worth_moving - whether moving a process of @weight runnable threads
 * (1 for a single-threaded one) from @src to @dst pays: the gap exceeds
 * @threshold, and after the move (src loses @weight runnable tasks, dst
 * gains them) @dst would not be busier than @src by more than
 * @hysteresis, so the process would not just bounce back.
 */
int load_worth_moving(const struct load_vector *src,
		      const struct load_vector *dst, uint32_t threshold,
		      uint32_t hysteresis, uint32_t weight);

/*
 * load_move_runnable - the runnable counts once a process of @weight
 * runnable threads went from @src to @dst (neither below 0 nor beyond
 * UINT32_MAX).
 */
void load_move_runnable(struct load_vector *src, struct load_vector *dst,
			uint32_t weight);

/*
 * load_mem_free_percent - free memory as a whole percentage of the total
 * (0 when the total is unknown).
 */
uint32_t load_mem_free_percent(const struct load_vector *v);

#endif /* SSID_LOAD_H */
