/* SPDX-License-Identifier: GPL-2.0 */
/*
 * migrate.h - moving a running process to another node and serving it
 * there: the home side (dump, image transfer, the deputy, exit, recall)
 * in home_side.c, the remote side (image reception, restore helper, exit,
 * recall) in remote_side.c; each owns one relay of forwarded calls per
 * process (forward/relay_home.h, forward/relay_remote.h) and moves its
 * bytes.  The peer messages are in peer_msg.h; what happens to each
 * syscall is in syscall_policy.c; doc/forwarding.md tells the whole path.
 */
#ifndef SSID_MIGRATE_H
#define SSID_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct dsm_segments;
struct loop;
struct peers;
struct migrate;
struct ssi_conf;

/* migrate_create - hook into @peers; NULL without memory. */
struct migrate *migrate_create(const struct ssi_conf *conf, struct peers *peers,
			       struct loop *loop);

/*
 * migrate_set_dsm - the node's DSM segments (dsm/segments.h): shared
 * anonymous memory of a process leaving is exported to them, and the
 * restore maps the copies of the segments an image names.  Without them
 * a process with shared memory is refused by the dump.
 */
void migrate_set_dsm(struct migrate *m, struct dsm_segments *dsm);

/*
 * migrate_destroy - end everything: guests are killed and reaped, deputies
 * end as if SIGKILLed, frozen processes are resumed.  NULL is fine.
 */
void migrate_destroy(struct migrate *m);

/* migrate_timer - timeouts and retries; returns the next deadline. */
uint64_t migrate_timer(struct migrate *m, uint64_t now_ms);

/* What a finished (or failed) migration reports to its requester. */
struct migrate_result {
	int err;		/* 0, or a positive errno */
	char msg[256];		/* why it failed, "" on success */
	pid_t pid;
	const char *node;	/* where it runs now */
	bool home;		/* it came back home (migrate_recall) */
	pid_t remote_pid;
	uint64_t bytes, pages, vmas;
	uint64_t dump_ns;	/* the module's freeze-to-written time */
	uint64_t transfer_ns;	/* image sent until accepted */
	uint64_t frozen_ns;	/* dump start until the remote runs it */
};

typedef void (*migrate_done_cb)(void *arg, const struct migrate_result *r);

/*
 * migrate_start - move process @pid to node @node_idx.  @cb is called
 * exactly once, from the loop (never from inside this call), unless
 * migrate_forget() comes first.  On any failure before the remote node
 * runs the process, the process continues at home untouched.
 * Returns 0 with *@handle set, or a positive errno with @err filled
 * (ESRCH, EBUSY: already migrated, ENOTCONN: node not up, EINVAL, and the
 * module's refusals: its reason is in @err).
 */
int migrate_start(struct migrate *m, pid_t pid, int node_idx,
		  migrate_done_cb cb, void *arg, void **handle,
		  char *err, size_t errlen);

/*
 * migrate_recall - bring process @pid of this node, running elsewhere,
 * back home: it runs here natively again, same pid.  Like migrate_start
 * for @cb and @handle; on failure it goes on where it was.  Returns 0, or
 * ESRCH (not migrated), EBUSY (not running remotely right now) with @err.
 */
int migrate_recall(struct migrate *m, pid_t pid, migrate_done_cb cb, void *arg,
		   void **handle, char *err, size_t errlen);

/* migrate_busy - a process of this node is leaving or coming back. */
bool migrate_busy(struct migrate *m);

/* migrate_counts - processes here from other nodes, and of this node away. */
void migrate_counts(struct migrate *m, uint32_t *guests, uint32_t *deputies);

/* migrate_forget - the requester went away: do not call its callback. */
void migrate_forget(struct migrate *m, void *handle);

/*
 * migrate_where - where process @pid of this node runs, if it migrated:
 * the node's name (and *@state: "migrating" or "deputy"), else NULL.
 */
const char *migrate_where(struct migrate *m, pid_t pid, const char **state);

/*
 * migrate_memory_kb - what process @pid of this node, away, holds in
 * memory as far as home knows: its resident set when it left, or its peak
 * there since (MIG_USAGE) if that is more; 0 if it is not away.
 */
uint64_t migrate_memory_kb(struct migrate *m, pid_t pid);

/* One migrated process, as `ssictl show procs` shows it. */
struct migrate_proc {
	pid_t pid;		/* the home pid (what the process sees) */
	pid_t local_pid;	/* its pid on this node */
	uid_t uid;
	char comm[16];
	const char *home, *where;
	const char *state;	/* "migrating", "deputy", "receiving",
				 * "restoring", "running", "exited" */
	uint64_t forwarded;	/* forwarded syscalls */
	uint64_t bytes;		/* forwarded request + reply bytes */
	uint64_t pull_home;	/* calls that needed pull-home (-ENOSYS) */
	uint64_t signals;	/* signals relayed */
	uint64_t age_ms;
	int64_t threads;	/* its threads (home: its deputy's) */
	/* what it uses here, remote side only (-1: unknown) */
	int64_t runnable;	/* threads running or ready to */
	int64_t cpu_ms;		/* user + system CPU time */
	int64_t rss_kb;		/* resident memory */
	/* its image on the move (-1: not moving, or not known) */
	int64_t image_bytes;	/* sent (leaving) or received (coming back) */
	int64_t image_expected;	/* about its total, leaving: its memory */
};

/*
 * migrate_procs - fill up to @max entries of @out; returns how many there
 * are in total.  Strings are valid until the next loop iteration.
 */
size_t migrate_procs(struct migrate *m, struct migrate_proc *out, size_t max);

#endif /* SSID_MIGRATE_H */
