/* SPDX-License-Identifier: GPL-2.0 */
/*
 * migrate_int.h - state shared by migrate.c, home_side.c and
 * remote_side.c.  Not for other modules: they use migrate.h.
 */
#ifndef SSID_MIGRATE_INT_H
#define SSID_MIGRATE_INT_H

#include <time.h>

#include "common/clock.h"
#include "migrate/migrate.h"

struct dsm_segments;
struct ssi_tp_msg;
struct mig_home;
struct mig_remote;

struct migrate {
	const struct ssi_conf *conf;
	struct peers *peers;
	struct loop *loop;
	struct dsm_segments *dsm;	/* shared memory across nodes, or NULL */
	struct mig_home *homes;		/* processes of this node elsewhere */
	struct mig_remote *guests;	/* processes of other nodes here */
	uint64_t next_id;
};

/* Largest bulk part of one MIG_IMAGE message. */
#define MIG_CHUNK		(4u << 20)
/*
 * Offer sent until the remote node must have accepted or refused (counted
 * again from each chunk of a mapped file it asked for: file_fetch.h).
 */
#define MIG_ACCEPT_TIMEOUT_MS	60000
/* After the remote exit, how long a forwarded call may keep the deputy. */
#define MIG_END_GRACE_MS	2000
/* How long a deputy stub may take to start a thread (mmap, channel, clone). */
#define MIG_SPAWN_TIMEOUT_MS	5000
/* How often a deputy's state is checked for SIGSTOP. */
#define MIG_STOP_POLL_MS	250
/* How long a recalled process may stay in a forwarded call before the
 * recall is refused (it would have to be interrupted). */
#define MIG_RECALL_WAIT_MS	10000
/* How long the home node waits for a recalled image, and the remote node
 * for the home's verdict on it. */
#define MIG_RECALL_TIMEOUT_MS	120000
/*
 * How often the remote node looks for threads of a guest that ended (no
 * pidfd for a thread in Linux 6.1): their deputy threads at home end too.
 */
#define MIG_THREAD_POLL_MS	100
/* How long the remote node tries to take the helper's seccomp listener. */
#define MIG_STEAL_TIMEOUT_MS	10000

/* migrate.c: the name of an enum ssi_reason, for messages */
const char *mig_reason_name(unsigned int r);
/* migrate.c: send a MIG_VALUE-shaped message of migration @id to node @idx */
int mig_send_value(struct migrate *m, int idx, uint64_t id, uint16_t type,
		   int32_t value);

/* home_side.c */
void mig_home_msg(struct migrate *m, int idx, const struct ssi_tp_msg *msg);
void mig_home_lost(struct migrate *m, int idx);
void mig_home_writable(struct migrate *m, int idx);
uint64_t mig_home_timer(struct migrate *m, uint64_t now);
void mig_home_destroy_all(struct migrate *m);
size_t mig_home_procs(struct migrate *m, struct migrate_proc *out, size_t max,
		      size_t n);

/* remote_side.c */
void mig_remote_msg(struct migrate *m, int idx, const struct ssi_tp_msg *msg);
void mig_remote_lost(struct migrate *m, int idx);
void mig_remote_writable(struct migrate *m, int idx);
uint64_t mig_remote_timer(struct migrate *m, uint64_t now);
void mig_remote_destroy_all(struct migrate *m);
size_t mig_remote_procs(struct migrate *m, struct migrate_proc *out,
			size_t max, size_t n);

#endif /* SSID_MIGRATE_INT_H */
