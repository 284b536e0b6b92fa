// SPDX-License-Identifier: GPL-2.0
/*
 * conf_reload.c - what SIGHUP applies of a re-read ssi.conf(5).
 *
 * The keys of the table are read where they are used, every time (the
 * automatic balancer each round, the admission of each incoming
 * migration, the log filter), so a new value takes effect at once.
 * Every other key shaped what ssid set up when it started: its sockets,
 * connections and their protection, the node set, the administrator's
 * uid, the priority its threads inherited.  A change to one of those is
 * reported and waits for a restart; nothing is half applied.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "daemon/conf.h"
#include "daemon/conf_reload.h"

/* The keys SIGHUP applies: each an int-sized field of struct ssi_conf. */
static const struct live_key {
	const char *name;
	size_t off;
} live_keys[] = {
	{ "BalanceInterval",	offsetof(struct ssi_conf, balance_interval_ms) },
	{ "BalanceThreshold",	offsetof(struct ssi_conf, balance_threshold) },
	{ "BalanceHysteresis",	offsetof(struct ssi_conf, balance_hysteresis) },
	{ "BalanceCandidates",	offsetof(struct ssi_conf, balance_candidates) },
	{ "MaxIncoming",	offsetof(struct ssi_conf, max_incoming) },
	{ "IncomingMemory",	offsetof(struct ssi_conf, incoming_memory_pct) },
	{ "MemoryLowWater",	offsetof(struct ssi_conf, mem_low_water_pct) },
	{ "LogLevel",		offsetof(struct ssi_conf, log_level) },
};

_Static_assert(sizeof(((struct ssi_conf *)0)->balance_interval_ms) == sizeof(int) &&
	       sizeof(((struct ssi_conf *)0)->log_level) == sizeof(int),
	       "live keys are int-sized");

static void add_name(char *buf, size_t len, const char *name)
{
	size_t used = strlen(buf);

	if (used < len)
		snprintf(buf + used, len - used, "%s%s", used ? " " : "", name);
}

static bool str_differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b));
}

/* A node's port counts when a NodeName line sets it: else it is Port='s. */
static bool nodes_differ(const struct ssi_conf *a, const struct ssi_conf *b)
{
	size_t i;

	if (a->nnodes != b->nnodes)
		return true;
	for (i = 0; i < a->nnodes; i++) {
		const struct ssi_node *x = &a->nodes[i], *y = &b->nodes[i];
		bool own_port = x->port != a->port || y->port != b->port;

		if (strcmp(x->name, y->name) || strcmp(x->addr, y->addr) ||
		    (own_port && x->port != y->port) || x->no_migrate != y->no_migrate)
			return true;
	}
	return false;
}

void conf_reload(struct ssi_conf *live, const struct ssi_conf *fresh, char *applied,
		 size_t applied_len, char *later, size_t later_len)
{
	const struct {
		const char *name;
		bool differs;
	} fixed[] = {
		{ "ClusterName", str_differs(live->cluster_name, fresh->cluster_name) },
		{ "Transport", str_differs(live->transport, fresh->transport) },
		{ "Port", live->port != fresh->port },
		{ "HeartbeatInterval", live->hb_interval_ms != fresh->hb_interval_ms },
		{ "HeartbeatTimeout", live->hb_timeout_ms != fresh->hb_timeout_ms },
		{ "ControlSocket", str_differs(live->control_socket, fresh->control_socket) },
		{ "PidFile", str_differs(live->pid_file, fresh->pid_file) },
		{ "MungeSocket", str_differs(live->munge_socket, fresh->munge_socket) },
		{ "SlurmUser", str_differs(live->slurm_user, fresh->slurm_user) },
		{ "Nice", live->nice != fresh->nice },
		{ "Protect", live->encrypt != fresh->encrypt },
		{ "SlurmPollInterval", live->slurm_poll_ms != fresh->slurm_poll_ms },
		{ "NodeName", nodes_differ(live, fresh) },
	};
	size_t i;

	applied[0] = '\0';
	later[0] = '\0';
	for (i = 0; i < sizeof(live_keys) / sizeof(live_keys[0]); i++) {
		char *to = (char *)live + live_keys[i].off;
		const char *from = (const char *)fresh + live_keys[i].off;

		if (memcmp(to, from, sizeof(int))) {
			memcpy(to, from, sizeof(int));
			add_name(applied, applied_len, live_keys[i].name);
		}
	}
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (fixed[i].differs)
			add_name(later, later_len, fixed[i].name);
}
