// SPDX-License-Identifier: GPL-2.0
/*
 * move_request.c - one request to move a process of this node (see
 * move_request.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/conf.h"
#include "control/control_proto.h"
#include "common/clock.h"
#include "common/defaults.h"
#include "common/log.h"
#include "common/procfs.h"
#include "migrate/move_request.h"
#include "cluster/peers.h"
#include "control/task_registry.h"
#include "slurm/slurm_view.h"

struct migreq {
	struct migrate *m;
	const struct ssi_conf *conf;
	struct peers *peers;
	struct slurm_view *slurm;
	const struct tasks *tasks;
	migreq_cb cb;
	void *arg;
	void *handle;		/* migrate_start()'s or migrate_recall()'s */
	pid_t pid;
	int idx;		/* where it was asked to go */
	int64_t job;		/* a user's request: its Slurm job, else -1 */
	uid_t uid;
	int then_idx;		/* back home first, then on to this node */
	bool via_home;
	bool waiting;		/* for Slurm's answer: wait is linked */
	struct slurm_view_wait wait;
};

static void fail(struct migreq_result *res, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct migreq_result *res, const char *code, const char *fmt, ...)
{
	va_list ap;

	memset(res, 0, sizeof(*res));
	res->code = code;
	va_start(ap, fmt);
	vsnprintf(res->msg, sizeof(res->msg), fmt, ap);
	va_end(ap);
}

/*
 * A user moves only what ptrace would let them touch: a process whose
 * real, effective, saved and file system uids are all theirs, whose gids
 * agree the same way (no setuid or setgid program, not even one that
 * dropped its privilege for a while), and that is dumpable (procfs then
 * shows its entries as owned by it, else by root).  The caller's own
 * gid is not known across nodes; a process that is entirely the user's
 * and of one group is theirs.
 */
static int may_user_move(pid_t pid, uid_t uid, const char *status,
			 struct migreq_result *res)
{
	uint64_t uids[4], gids[4];
	char path[64];
	struct stat st;
	int i;

	if (procfs_status_ids(status, "Uid", uids) || procfs_status_ids(status, "Gid", gids)) {
		fail(res, CTL_E_NOPROC, "pid %d: cannot read its ids", (int)pid);
		return -1;
	}
	for (i = 0; i < 4; i++) {
		if (uids[i] != uid || gids[i] != gids[0]) {
			fail(res, CTL_E_PERM, "pid %d runs with ids other than its owner's "
			     "(uids %llu %llu %llu %llu, gids %llu %llu %llu %llu: a setuid or "
			     "setgid program); only an administrator may move it", (int)pid,
			     (unsigned long long)uids[0], (unsigned long long)uids[1],
			     (unsigned long long)uids[2], (unsigned long long)uids[3],
			     (unsigned long long)gids[0], (unsigned long long)gids[1],
			     (unsigned long long)gids[2], (unsigned long long)gids[3]);
			return -1;
		}
	}
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (stat(path, &st)) {
		fail(res, CTL_E_NOPROC, "pid %d: no such process", (int)pid);
		return -1;
	}
	if (st.st_uid != uid) {
		fail(res, CTL_E_PERM, "pid %d is not dumpable (PR_SET_DUMPABLE 0, or it "
		     "exec'd a program it may not read); only an administrator may move it",
		     (int)pid);
		return -1;
	}
	return 0;
}

/* May @uid (@admin) act on process @pid?  0, or -1 with @res filled. */
static int may_act_on(pid_t pid, uid_t uid, bool admin, struct migreq_result *res)
{
	char text[4096];
	uid_t owner;

	if (procfs_read(pid, "status", text, sizeof(text))) {
		fail(res, CTL_E_NOPROC, "pid %d: no such process", (int)pid);
		return -1;
	}
	if (procfs_status_uid(text, &owner)) {
		fail(res, CTL_E_NOPROC, "pid %d: cannot read its owner", (int)pid);
		return -1;
	}
	if (!ctlproto_may_see_task(admin, uid, owner)) {
		fail(res, CTL_E_PERM, "pid %d: not your process", (int)pid);
		return -1;
	}
	return admin ? 0 : may_user_move(pid, uid, text, res);
}

static void done(void *arg, const struct migrate_result *r)
{
	struct migreq *q = arg;
	struct migreq_result res = { 0 };
	char err[512];

	if (!r->err && q->then_idx >= 0) {
		/* Home again: the second hop is an ordinary migration. */
		int rc = migrate_start(q->m, r->pid, q->then_idx, done, q,
				       &q->handle, err, sizeof(err));

		q->then_idx = -1;
		q->via_home = true;
		if (!rc)
			return;
		fail(&res, CTL_E_MIGRATE, "pid %d came back home, but: %s",
		     (int)r->pid, err);
	} else if (r->err) {
		fail(&res, CTL_E_MIGRATE, "%s", r->msg);
	} else {
		res.r = *r;
		res.via_home = q->via_home;
	}
	q->cb(q->arg, &res);
	free(q);
}

/*
 * A user's task goes where Slurm lets its job run: 0, -EAGAIN (not known
 * yet), or -EPERM, the last two with @res saying why.
 */
static int slurm_allows(struct migreq *q, uint64_t now_ms, struct migreq_result *res)
{
	char err[256];
	int rc;

	if (q->job < 0)
		return 0;
	rc = slurm_view_may_place(q->slurm, q->job, q->idx, peers_self(q->peers),
				  now_ms, err, sizeof(err));
	if (rc)
		fail(res, CTL_E_PERM, "pid %d (job %lld) may not go to %s: %s",
		     (int)q->pid, (long long)q->job, peers_node_name(q->peers, q->idx), err);
	return rc;
}

/* Start the move that @q asks for: 0, or -1 with @res saying why. */
static int go(struct migreq *q, struct migreq_result *res)
{
	bool home = q->idx == peers_self(q->peers);
	const char *where, *state;
	char err[512];
	int rc;

	if (q->conf->nodes[q->idx].no_migrate) {
		fail(res, CTL_E_MIGRATE, "node %s takes no processes (Migrate=no in %s)",
		     q->conf->nodes[q->idx].name, q->conf->path);
		return -1;
	}
	/*
	 * Running elsewhere already: from there to another node goes through
	 * home (its deputy is here), as two migrations.
	 */
	where = home ? NULL : migrate_where(q->m, q->pid, &state);
	if (where && strcmp(where, peers_node_name(q->peers, q->idx))) {
		q->then_idx = q->idx;
		home = true;
	}
	if (home)
		rc = migrate_recall(q->m, q->pid, done, q, &q->handle, err, sizeof(err));
	else
		rc = migrate_start(q->m, q->pid, q->idx, done, q, &q->handle, err, sizeof(err));
	if (rc) {
		fail(res, rc == ESRCH && !home ? CTL_E_NOPROC :
		     rc == ENOTCONN ? CTL_E_NOTCONN : CTL_E_MIGRATE, "%s", err);
		return -1;
	}
	log_notice("migration of pid %d %s%s requested by uid %u", (int)q->pid,
		   home ? "back home" : "to ", home ? "" : peers_node_name(q->peers, q->idx),
		   (unsigned int)q->uid);
	return 0;
}

/*
 * After a wait of up to SSI_SLURM_WAIT_MS the pid may name another process
 * (the task ended, its pid was reused): it must still be the same user's
 * task of the same job.  0, or -1 with @res saying why.
 */
static int still_the_task(struct migreq *q, struct migreq_result *res)
{
	if (may_act_on(q->pid, q->uid, false, res))
		return -1;
	if (tasks_job_of(q->tasks, q->pid) != q->job) {
		fail(res, CTL_E_NOPROC, "pid %d is no longer a task of job %lld",
		     (int)q->pid, (long long)q->job);
		return -1;
	}
	return 0;
}

/* Slurm answered, or the wait is over: go, wait on, or give up. */
static void waited(struct slurm_view_wait *w, uint64_t now_ms)
{
	struct migreq *q = (struct migreq *)((char *)w - offsetof(struct migreq, wait));
	struct migreq_result res;
	int rc;

	q->waiting = false;
	rc = slurm_allows(q, now_ms, &res);
	if (rc == -EAGAIN && now_ms < q->wait.until_ms) {
		slurm_view_wait(q->slurm, &q->wait);
		q->waiting = true;
		return;
	}
	if (!rc && !still_the_task(q, &res) && !go(q, &res))
		return;
	q->cb(q->arg, &res);
	free(q);
}

int migreq_start(struct migrate *m, const struct ssi_conf *conf,
		 struct peers *peers, const struct tasks *tasks,
		 struct slurm_view *slurm, pid_t pid, int idx,
		 uid_t uid, bool admin, migreq_cb cb, void *arg, void **handle,
		 struct migreq_result *res)
{
	uint64_t now = clock_mono_ms();
	struct migreq *q;
	int64_t job;
	int rc;

	if (may_act_on(pid, uid, admin, res))
		return -1;
	job = admin ? -1 : tasks_job_of(tasks, pid);
	if (!admin && job < 0) {
		fail(res, CTL_E_PERM, "pid %d is not a registered task of a Slurm job: users "
		     "move only those (root and the SlurmUser move any process)", (int)pid);
		return -1;
	}
	q = calloc(1, sizeof(*q));
	if (!q) {
		fail(res, CTL_E_INTERNAL, "out of memory");
		return -1;
	}
	*q = (struct migreq){ .m = m, .conf = conf, .peers = peers, .slurm = slurm,
			      .tasks = tasks, .cb = cb, .arg = arg, .pid = pid, .idx = idx, .job = job,
			      .uid = uid, .then_idx = -1 };
	rc = slurm_allows(q, now, res);
	if (rc == -EAGAIN) {
		/* asked of slurmctld already: the answer decides, soon */
		q->wait.cb = waited;
		q->wait.until_ms = now + SSI_SLURM_WAIT_MS;
		slurm_view_wait(slurm, &q->wait);
		q->waiting = true;
		log_info("migration of pid %d waits for Slurm: %s", (int)pid, res->msg);
	} else if (rc || go(q, res)) {
		free(q);
		return -1;
	}
	*handle = q;
	return 0;
}

void migreq_forget(struct migrate *m, void *handle)
{
	struct migreq *q = handle;

	if (q->waiting)
		slurm_view_unwait(q->slurm, &q->wait);
	else
		migrate_forget(m, q->handle);
	free(q);
}
