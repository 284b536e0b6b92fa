// SPDX-License-Identifier: GPL-2.0
/*
 * task_registry.c - the registry of tasks (see task_registry.h): a sorted
 * array, small (one entry per local task of a migratable job step).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/defaults.h"
#include "common/procfs.h"
#include "control/task_registry.h"

struct tasks {
	struct task *v;
	size_t n, cap;
	uint64_t next_prune_ms;
};

static int proc_identity(pid_t pid, uint64_t *starttime, uid_t *uid)
{
	char buf[4096];
	int rc;

	rc = procfs_read(pid, "stat", buf, sizeof(buf));
	if (rc)
		return rc;
	if (procfs_stat_u64(buf, 22, starttime))
		return -ESRCH;	/* a zombie's truncated stat: as good as gone */
	if (!uid)
		return 0;
	rc = procfs_read(pid, "status", buf, sizeof(buf));
	if (rc)
		return rc;
	return procfs_status_uid(buf, uid) ? -ESRCH : 0;
}

struct tasks *tasks_create(void)
{
	return calloc(1, sizeof(struct tasks));
}

void tasks_destroy(struct tasks *t)
{
	if (!t)
		return;
	free(t->v);
	free(t);
}

/* Index of @pid, or where it would go (with *found = 0). */
static size_t find(const struct tasks *t, pid_t pid, int *found)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (t->v[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < t->n && t->v[lo].pid == pid;
	return lo;
}

/*
 * slurmstepd registers a task between its fork and its setuid: its owner
 * is read again (tasks_timer()) once slurmstepd has let its tasks go on.
 */
static void look_again(struct tasks *t, uint64_t now_ms)
{
	if (t->next_prune_ms > now_ms + SSI_TASKS_OWNER_MS)
		t->next_prune_ms = now_ms + SSI_TASKS_OWNER_MS;
}

int tasks_register(struct tasks *t, pid_t pid, int64_t job, int64_t step,
		   int64_t task, bool auto_move, uid_t caller, int admin,
		   uint64_t now_ms, struct task *out)
{
	struct task e = { .pid = pid, .job = job, .step = step, .task = task,
			  .auto_move = auto_move, .registered_ms = now_ms };
	size_t i;
	int found, rc;

	if (pid <= 0)
		return -ESRCH;
	rc = proc_identity(pid, &e.starttime, &e.uid);
	if (rc)
		return rc;
	if (!admin && e.uid != caller)
		return -EPERM;
	/* a user's word that a process is a job's task would be its own pass */
	if (!admin && job >= 0)
		return -EACCES;
	i = find(t, pid, &found);
	if (found) {
		/* same process: new ids; a recycled pid: a new entry */
		if (t->v[i].starttime == e.starttime)
			e.registered_ms = t->v[i].registered_ms;
		t->v[i] = e;
		*out = e;
		look_again(t, now_ms);
		return 0;
	}
	if (t->n >= SSI_TASKS_MAX)
		return -ENOSPC;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct task *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	memmove(&t->v[i + 1], &t->v[i], (t->n - i) * sizeof(*t->v));
	t->v[i] = e;
	t->n++;
	*out = e;
	look_again(t, now_ms);
	return 0;
}

int tasks_unregister(struct tasks *t, pid_t pid, uid_t caller, int admin)
{
	int found;
	size_t i = find(t, pid, &found);

	if (!found)
		return -ENOENT;
	if (!admin && t->v[i].uid != caller) {
		uint64_t st;
		uid_t uid;

		/* its owner now (tasks_timer() may not have looked yet) */
		if (proc_identity(pid, &st, &uid) || st != t->v[i].starttime ||
		    uid != caller)
			return -EPERM;
	}
	memmove(&t->v[i], &t->v[i + 1], (t->n - i - 1) * sizeof(*t->v));
	t->n--;
	return 0;
}

size_t tasks_count(const struct tasks *t)
{
	return t->n;
}

int64_t tasks_job_of(const struct tasks *t, pid_t pid)
{
	uint64_t starttime;
	uid_t uid;
	size_t i;
	int found;

	if (pid <= 0)
		return -1;
	i = find(t, pid, &found);
	if (!found || t->v[i].job < 0)
		return -1;
	/* the registered process, not one that was given its pid since */
	return !proc_identity(pid, &starttime, &uid) && starttime == t->v[i].starttime ?
	       t->v[i].job : -1;
}

const struct task *tasks_at(const struct tasks *t, size_t i)
{
	return i < t->n ? &t->v[i] : NULL;
}

uint64_t tasks_timer(struct tasks *t, uint64_t now)
{
	size_t i = 0;
	uint64_t st;

	if (now < t->next_prune_ms)
		return t->next_prune_ms;
	t->next_prune_ms = now + SSI_TASKS_PRUNE_MS;
	while (i < t->n) {
		uid_t uid;

		if (proc_identity(t->v[i].pid, &st, &uid) == 0 &&
		    st == t->v[i].starttime) {
			t->v[i++].uid = uid;
			continue;
		}
		memmove(&t->v[i], &t->v[i + 1],
			(t->n - i - 1) * sizeof(*t->v));
		t->n--;
	}
	return t->next_prune_ms;
}
