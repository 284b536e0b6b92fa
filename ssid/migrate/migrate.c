// SPDX-License-Identifier: GPL-2.0
/*
 * migrate.c - the migration module's glue: peer hooks, timers, listing
 * (see migrate.h).  Each message type has one direction, so it goes to
 * the home side or the remote side by type alone.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmod/uapi/ssi.h"
#include "transport/ssi_transport.h"

#include "common/log.h"
#include "daemon/loop.h"
#include "migrate/migrate_int.h"
#include "cluster/peer_msg.h"
#include "cluster/peers.h"

static const char *const reason_names[] = {
	"none", "io", "truncated", "magic", "arch", "release", "vdso", "csum",
	"section", "reserved", "task", "xstate", "mm", "files", "file_open",
	"file_changed", "vmas", "pages", "end", "rlimit", "caller", "target",
	"mapping", "nomem", "intr", "seccomp", "affinity", "numa",
};

_Static_assert(sizeof(reason_names) / sizeof(reason_names[0]) == SSI_R_MAX,
	       "a name for every enum ssi_reason");

const char *mig_reason_name(unsigned int r)
{
	return r < sizeof(reason_names) / sizeof(reason_names[0]) ?
	       reason_names[r] : "unknown";
}

int mig_send_value(struct migrate *m, int idx, uint64_t id, uint16_t type,
		   int32_t value)
{
	unsigned char buf[MSG_MIG_VALUE_LEN];
	struct msg_mig_value v = { .id = id, .value = value };
	struct iovec iov = { buf, msg_encode_mig_value(&v, buf) };

	return peers_send(m->peers, idx, type, &iov, 1);
}

static void hook_msg(void *arg, int idx, const struct ssi_tp_msg *msg)
{
	struct migrate *m = arg;

	switch (msg->type) {
	case SSID_MSG_MIG_OFFER:
	case SSID_MSG_MIG_IMAGE:
	case SSID_MSG_FWD_REP:
	case SSID_MSG_MIG_SIGNAL:
	case SSID_MSG_MIG_ABORT:
	case SSID_MSG_MIG_RECALL:
	case SSID_MSG_MIG_BACK_DONE:
	case SSID_MSG_MIG_SPAWNED:
	case SSID_MSG_MIG_PROC_FDS:
	case SSID_MSG_MIG_FILE_DATA:
	case SSID_MSG_MIG_SECCOMP:
		mig_remote_msg(m, idx, msg);
		break;
	case SSID_MSG_MIG_ACCEPTED:
	case SSID_MSG_MIG_FAILED:
	case SSID_MSG_FWD_REQ:
	case SSID_MSG_FWD_CANCEL:
	case SSID_MSG_MIG_EXIT:
	case SSID_MSG_MIG_BACK:
	case SSID_MSG_MIG_BACK_FAILED:
	case SSID_MSG_MIG_THREADS:
	case SSID_MSG_MIG_THREAD_END:
	case SSID_MSG_MIG_SPAWN:
	case SSID_MSG_MIG_PROC_POS:
	case SSID_MSG_MIG_FILE_REQ:
	case SSID_MSG_MIG_USAGE:
		mig_home_msg(m, idx, msg);
		break;
	default:
		log_debug("node %s: ignoring message type 0x%04x",
			  peers_node_name(m->peers, idx), msg->type);
	}
}

static void hook_lost(void *arg, int idx)
{
	struct migrate *m = arg;

	mig_home_lost(m, idx);
	mig_remote_lost(m, idx);
}

static void hook_writable(void *arg, int idx)
{
	mig_home_writable(arg, idx);
	mig_remote_writable(arg, idx);
}

void migrate_counts(struct migrate *m, uint32_t *guests, uint32_t *deputies)
{
	struct migrate_proc p[1];
	size_t homes = mig_home_procs(m, p, 0, 0);

	*deputies = (uint32_t)homes;
	*guests = (uint32_t)(mig_remote_procs(m, p, 0, homes) - homes);
}

static void hook_counts(void *arg, uint32_t *guests, uint32_t *deputies)
{
	migrate_counts(arg, guests, deputies);
}

struct migrate *migrate_create(const struct ssi_conf *conf, struct peers *peers,
			       struct loop *loop)
{
	struct migrate *m = calloc(1, sizeof(*m));
	struct peers_mig_hooks h = {
		.msg = hook_msg, .lost = hook_lost, .writable = hook_writable,
		.counts = hook_counts,
	};

	if (!m)
		return NULL;
	m->conf = conf;
	m->peers = peers;
	m->loop = loop;
	/* ids unique across restarts of this ssid, for the remote's logs */
	m->next_id = clock_mono_ns() << 8;
	h.arg = m;
	peers_set_mig_hooks(peers, &h);
	return m;
}

void migrate_set_dsm(struct migrate *m, struct dsm_segments *dsm)
{
	m->dsm = dsm;
}

void migrate_destroy(struct migrate *m)
{
	if (!m)
		return;
	mig_home_destroy_all(m);
	mig_remote_destroy_all(m);
	peers_set_mig_hooks(m->peers, NULL);
	free(m);
}

uint64_t migrate_timer(struct migrate *m, uint64_t now)
{
	uint64_t a = mig_home_timer(m, now), b = mig_remote_timer(m, now);

	return a < b ? a : b;
}

size_t migrate_procs(struct migrate *m, struct migrate_proc *out, size_t max)
{
	size_t n = mig_home_procs(m, out, max, 0);

	return mig_remote_procs(m, out, max, n);
}
