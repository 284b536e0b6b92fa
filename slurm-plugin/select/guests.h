/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guests.h - what select/ssi knows of migrated load, through the ssid of
 * the controller's host (its control socket: $SSI_CONTROL_SOCKET, else
 * /run/ssi/ssid.sock): how many guests (processes migrated in) each node
 * runs, and where it reports jobs' starts and ends.
 *
 * Without a reachable ssid every function here does nothing, and says so
 * once in slurmctld's log: select/ssi is then cons_tres.
 */
#ifndef SSI_SELECT_GUESTS_H
#define SSI_SELECT_GUESTS_H

#include <stdbool.h>

#include "src/common/bitstring.h"
#include "src/slurmctld/slurmctld.h"

/*
 * guests_exclude_cores - the cores job_test must leave alone: those of
 * @exc (may be NULL: none), plus on every node that runs G guests its last
 * min(G, cores) cores (cons_tres hands cores out from the first, so the
 * last ones are those a guest competes for).  Returns a new full-system
 * core bitmap (FREE_NULL_BITMAP it), or NULL when no node runs guests or
 * ssid is unreachable: then @exc is what cons_tres gets, unchanged.
 * The guest counts are at most a second old.
 */
bitstr_t *guests_exclude_cores(bitstr_t *exc);

/*
 * guests_job_event - tell ssid that @job_ptr started (@start) or ended,
 * and its migration policy (from its SPANK environment), so that every
 * node's balancer looks again at once (freed cores get migrated tasks,
 * busy ones are relieved).  Best effort, short timeout.
 */
void guests_job_event(job_record_t *job_ptr, bool start);

#endif /* SSI_SELECT_GUESTS_H */
