/* SPDX-License-Identifier: GPL-2.0 */
/*
 * conf.h - ssi.conf(5): parse, validate, look up.
 *
 * The parser is pure: it reads a stream and fills a struct, it never logs
 * and never exits, so that ssid, ssictl and the unit tests share it.  Every
 * error names the file, the line and the reason in one message:
 *	"/etc/ssi/ssi.conf:7: HeartbeatTimeout must be greater than ..."
 */
#ifndef SSID_CONF_H
#define SSID_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/defaults.h"

struct ssi_node {
	char name[SSI_NODE_NAME_MAX + 1];
	char addr[SSI_ADDR_MAX + 1];
	uint16_t port;		/* the node's Port=, else the global Port= */
	bool no_migrate;	/* Migrate=no: runs ssid, never a task (e.g.
				 * the Slurm controller's host, for select/ssi) */
	int line;		/* where it was defined, for later messages */
};

struct ssi_conf {
	char *path;			/* the file it came from */
	char *cluster_name;		/* "" unless ClusterName= is set */
	char *transport;		/* plugin name, "tcp" by default */
	uint16_t port;			/* global Port= */
	unsigned int hb_interval_ms;
	unsigned int hb_timeout_ms;
	char *control_socket;
	char *pid_file;
	char *munge_socket;		/* NULL: libmunge's default socket */
	char *slurm_user;		/* NULL: only root administers */
	unsigned int balance_interval_ms;
	unsigned int balance_threshold;	/* per-mille of a CPU, per CPU */
	unsigned int balance_hysteresis;
	unsigned int balance_candidates;
	unsigned int slurm_poll_ms;	/* 0: ssid does not follow Slurm */
	int nice;			/* ssid's own, -20..19 */
	unsigned int max_incoming;	/* migrations arriving at once */
	unsigned int incoming_memory_pct; /* of MemAvailable, per image */
	unsigned int mem_low_water_pct;	/* of MemTotal: MemoryLowWater */
	bool encrypt;			/* Protect=encrypt, else integrity */
	int log_level;			/* LogLevel=, a syslog priority */
	size_t nnodes;
	struct ssi_node *nodes;		/* in file order */
};

/*
 * conf_parse - parse ssi.conf text from @fp.
 * @fp:     the stream, read to its end; not closed.
 * @name:   the file name to put in error messages.
 * @err:    buffer for "NAME:LINE: reason" when parsing fails.
 * @errlen: its size (messages are truncated to fit).
 *
 * Returns a new configuration (free with conf_free()) or NULL with @err set.
 * Unset keys get the values of defaults.h.
 */
struct ssi_conf *conf_parse(FILE *fp, const char *name, char *err,
			    size_t errlen);

/*
 * conf_load - open @path and conf_parse() it.  An unreadable file gives
 * "PATH: reason" (there is no line to name); otherwise as conf_parse().
 */
struct ssi_conf *conf_load(const char *path, char *err, size_t errlen);

/* conf_free - free @conf and everything it owns; NULL is fine. */
void conf_free(struct ssi_conf *conf);

/*
 * conf_find_node - the node called @name (exact, case-sensitive as host
 * names are compared by Slurm), or NULL.  Points into @conf.
 */
const struct ssi_node *conf_find_node(const struct ssi_conf *conf,
				      const char *name);

/*
 * conf_node_index - index of the node called @name in conf->nodes, or -1.
 */
int conf_node_index(const struct ssi_conf *conf, const char *name);

/*
 * conf_parse_duration - parse "N" (seconds) or "Nms" (milliseconds) into
 * milliseconds.  Returns 0, or -1 if @s is not such a number or the result
 * would exceed UINT_MAX.  Exposed for the unit tests.
 */
int conf_parse_duration(const char *s, unsigned int *ms);

/*
 * conf_valid_node_name - non-zero if @s is a valid NodeName: 1 to
 * SSI_NODE_NAME_MAX characters of [A-Za-z0-9_-], not starting with '-'.
 */
int conf_valid_node_name(const char *s);

#endif /* SSID_CONF_H */
