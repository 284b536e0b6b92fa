/* SPDX-License-Identifier: GPL-2.0 */
/*
 * task_registry.h - the tasks registered with this ssid (by the SPANK
 * plugin for Slurm job steps, or by their owners): the processes ssid may
 * later migrate.  A task is identified by its pid and the process's start time,
 * so that a recycled pid is never mistaken for a registered task; tasks
 * whose process is gone are forgotten by tasks_timer().
 *
 * Pids are those of ssid's pid namespace.
 */
#ifndef SSID_TASK_REGISTRY_H
#define SSID_TASK_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct tasks;

struct task {
	pid_t pid;
	uid_t uid;		/* the process's real uid, read again by
				 * tasks_timer(): slurmstepd registers a task
				 * before it has become the job's user */
	uint64_t starttime;	/* /proc/PID/stat field 22, clock ticks */
	int64_t job, step, task;	/* Slurm ids, -1 when not given */
	bool auto_move;		/* the balancer may move it (policy auto);
				 * else only an administrator's command */
	uint64_t registered_ms;	/* monotonic */
};

/* tasks_create - an empty registry, or NULL without memory. */
struct tasks *tasks_create(void);

/* tasks_destroy - free @t; NULL is fine. */
void tasks_destroy(struct tasks *t);

/*
 * tasks_register - register (or update the ids of) process @pid.
 * @job/@step/@task: Slurm ids or -1.
 * @auto_move:       --ssi-migratable=auto: the balancer may move it.
 * @caller/@admin:   who asks: a non-administrator may only register a
 *                   process whose real uid is @caller, and not as a task
 *                   of a Slurm job (slurmstepd, root, does that).
 * @out:             on success, a copy of the entry.
 * Returns 0, -ESRCH (no such process), -EPERM (not the caller's),
 * -EACCES (a user naming a job), -ENOSPC (SSI_TASKS_MAX reached), -ENOMEM.
 */
int tasks_register(struct tasks *t, pid_t pid, int64_t job, int64_t step,
		   int64_t task, bool auto_move, uid_t caller, int admin,
		   uint64_t now_ms, struct task *out);

/*
 * tasks_unregister - forget @pid.  Returns 0, -ENOENT (not registered),
 * -EPERM (a non-administrator asking for another user's task).
 */
int tasks_unregister(struct tasks *t, pid_t pid, uid_t caller, int admin);

/*
 * tasks_job_of - the Slurm job of @pid when it is registered as a task of
 * one (and still the process that was registered), else -1.
 */
int64_t tasks_job_of(const struct tasks *t, pid_t pid);

/* tasks_count, tasks_at - iterate: entries 0 .. count-1, in pid order. */
size_t tasks_count(const struct tasks *t);
const struct task *tasks_at(const struct tasks *t, size_t i);

/*
 * tasks_timer - every SSI_TASKS_PRUNE_MS, forget tasks whose process has
 * exited (or whose pid now names another process).  Returns the next
 * deadline.
 */
uint64_t tasks_timer(struct tasks *t, uint64_t now_ms);

#endif /* SSID_TASK_REGISTRY_H */
