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
 * It never waits for ssid: the counts are those the plugin's thread got
 * last, about a second old (NULL when it has none of the last 10 s).
 */
bitstr_t *guests_exclude_cores(bitstr_t *exc);

/*
 * guests_job_event - tell ssid that @job_ptr started (@start) or ended,
 * and its migration policy (from its SPANK environment), so that every
 * node's balancer looks again at once (freed cores get migrated tasks,
 * busy ones are relieved).  Queued for the plugin's thread: it never
 * waits for ssid.  Best effort: dropped while ssid does not answer.
 */
void guests_job_event(job_record_t *job_ptr, bool start);

/* guests_fini - stop the thread (it may finish a call to ssid first). */
void guests_fini(void);

#endif /* SSI_SELECT_GUESTS_H */
