/* SPDX-License-Identifier: GPL-2.0 */
/*
 * move_request.h - one request to move a process of this node, from whoever
 * asks: ssictl on this node's control socket, or another node's ssid on
 * behalf of its ssictl (cluster_view.c, MIGRATE_REQ).  The asker's uid is
 * checked against the process's owner (administrators may move any), and
 * a process that runs on another node already goes there through home:
 * two migrations, since its deputy is here.
 */
#ifndef SSID_MOVE_REQUEST_H
#define SSID_MOVE_REQUEST_H

#include <stdbool.h>
#include <sys/types.h>

#include "migrate/migrate.h"

struct peers;
struct slurm_view;
struct ssi_conf;
struct tasks;

struct migreq_result {
	const char *code;	/* NULL: done; else a CTL_E_* error code */
	char msg[512];		/* why, when it failed */
	struct migrate_result r;	/* when done (r.node valid in the callback) */
	bool via_home;		/* it went through home on its way */
};

/* Called exactly once, from the loop, unless migreq_forget() came first. */
typedef void (*migreq_cb)(void *arg, const struct migreq_result *res);

/*
 * migreq_start - move process @pid of this node to node @idx (this node:
 * bring it back home), asked by @uid (@admin: root or SlurmUser).  A
 * user moves only a task of a Slurm job registered in @tasks, whose ids
 * are all theirs and that is dumpable, and only to a node where @slurm
 * says the job may go (slurm/slurm_view.h); what Slurm has not said yet
 * (a job just registered) is waited for, at most SSI_SLURM_WAIT_MS.
 * Returns 0 with *@handle set and @cb to come, or -1 with *@res saying
 * why (no such process, not the asker's, a node the job may not use, a
 * Migrate=no node, the migration refused at once).
 */
int migreq_start(struct migrate *m, const struct ssi_conf *conf,
		 struct peers *peers, const struct tasks *tasks,
		 struct slurm_view *slurm, pid_t pid, int idx,
		 uid_t uid, bool admin, migreq_cb cb, void *arg, void **handle,
		 struct migreq_result *res);

/* migreq_forget - the asker went away: finish without calling it back. */
void migreq_forget(struct migrate *m, void *handle);

#endif /* SSID_MOVE_REQUEST_H */
