/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pidns_init.h - the init (pid 1) of a guest's pid namespace, and what it
 * does for ssid and the restore helper (see guest_pidns.h).
 *
 * Two things only a task inside a pid namespace can do:
 *  - set the id the next task made there gets (/proc/sys/kernel/
 *    ns_last_pid, with CAP_SYS_ADMIN): ssid and the restore helper's
 *    threads make tasks there from outside, or without root;
 *  - send a signal with a siginfo whose sender pid the process sees: the
 *    kernel clears si_pid in a signal sent from an ancestor namespace,
 *    and a migrated process must see its home sender's pid;
 *  - make a proc mount of the namespace (proc takes the pid namespace of
 *    the task that makes it), where the process's entries have its home
 *    ids as names and in their texts (forward/proc_self.h).
 * So they ask the namespace's init, over a SOCK_SEQPACKET socket: one
 * struct pidns_req, answered by one struct pidns_answer (an errno, 0:
 * done, and the request's @seq), with an fd for PIDNS_PROC.  The asker
 * waits a bounded time (a receive timeout); an answer that comes after
 * the asker gave up is known by its @seq and dropped, so that it is
 * never taken for the next request's.
 *
 * Compiled into ssid and into ssi-restore-helper, which is that init
 * when run as "ssi-restore-helper pidns-init" with the socket on fd 0.
 */
#ifndef SSID_PIDNS_INIT_H
#define SSID_PIDNS_INIT_H

#include <stdint.h>
#include <sys/types.h>

#include "kmod/uapi/ssi.h"

#define PIDNS_INIT_ARG	"pidns-init"

enum pidns_op {
	PIDNS_NEXT_ID = 1,	/* the next task made gets @id (EINVAL: out of range) */
	PIDNS_SIGNAL = 2,	/* SSI_IOC_SIGNAL with @sig, whose pid is an id there */
	PIDNS_PROC = 3,		/* a detached proc mount of the namespace */
};

struct pidns_req {
	uint32_t op;
	uint32_t seq;			/* echoed in the answer */
	int32_t id;
	struct ssi_signal sig;
};

struct pidns_answer {
	int32_t err;
	uint32_t seq;
};

/*
 * pidns_init_serve - the init's life: answer requests on @ctl (ssid's)
 * and on @helper_ctl (the restore helper's, until the helper closes it)
 * until ssid closes @ctl, then exit; the kernel then kills whatever is
 * left in the namespace.  Never returns.
 */
void pidns_init_serve(int ctl, int helper_ctl) __attribute__((noreturn));

/* pidns_init_next - the next task made in @ctl's namespace gets @id: 0 or -errno. */
int pidns_init_next(int ctl, pid_t id);

/*
 * pidns_init_signal - @sig (SSI_IOC_SIGNAL's argument, its pid an id in
 * the namespace) sent from inside @ctl's namespace: 0 or -errno.
 */
int pidns_init_signal(int ctl, const struct ssi_signal *sig);

/*
 * pidns_init_proc - a proc mount of @ctl's namespace, not attached
 * anywhere (open entries with openat() on it): the fd, or -errno.
 */
int pidns_init_proc(int ctl);

#endif /* SSID_PIDNS_INIT_H */
