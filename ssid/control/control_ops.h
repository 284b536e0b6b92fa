/* SPDX-License-Identifier: GPL-2.0 */
/*
 * control_ops.h - what control requests do: the table of operations, who may
 * run each, and their replies.  The socket side is control_server.c.
 */
#ifndef SSID_CONTROL_OPS_H
#define SSID_CONTROL_OPS_H

#include <json-c/json.h>

#include "daemon/conf.h"

struct dsm_segments;

struct ctl_client;
struct peers;
struct tasks;
struct migrate;
struct cluster;
struct slurm_view;

/* Everything the operations need, filled in by main.c. */
struct balancer_ctx;

struct ctlops {
	const struct ssi_conf *conf;
	struct peers *peers;
	struct tasks *tasks;
	struct migrate *migrate;
	struct slurm_view *slurm;
	const struct balancer_ctx *bal;
	struct cluster *cluster;
	struct dsm_segments *dsm;	/* may be NULL */
	/* ask the daemon to stop after this loop iteration */
	void (*shutdown)(void *arg);
	void *shutdown_arg;
};

/*
 * ctlops_handle - run request @req (valid per ctlproto_parse_request())
 * from @cl, whose "id" is @id (may be NULL).  Answers with
 * ctl_client_reply(), now or later (ctl_client_defer()).  Unknown ops and
 * ops the client may not run get an error reply.  Never fails otherwise.
 */
void ctlops_handle(struct ctlops *ops, struct ctl_client *cl,
		   json_object *req, json_object *id);

#endif /* SSID_CONTROL_OPS_H */
