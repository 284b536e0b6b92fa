/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pidns_init.h - the init (pid 1) of a guest's pid namespace, and how to
 * ask it for the id of the next task made there (see guest_pidns.h).
 *
 * Only a task inside a pid namespace may set the id the next one made
 * there gets (/proc/sys/kernel/ns_last_pid, with CAP_SYS_ADMIN): ssid and
 * the restore helper's threads are made from outside, or without root,
 * so they ask the namespace's init over a SOCK_SEQPACKET socket:
 *
 *   request  int32 id      the next task made in the namespace gets @id
 *   answer   int32 errno   0, or why not (EINVAL: @id is out of range)
 *
 * Compiled into ssid and into ssi-restore-helper, which is that init
 * when run as "ssi-restore-helper pidns-init" with the socket on fd 0.
 */
#ifndef SSID_PIDNS_INIT_H
#define SSID_PIDNS_INIT_H

#include <sys/types.h>

#define PIDNS_INIT_ARG	"pidns-init"

/*
 * pidns_init_serve - the init's life: answer requests on @ctl until ssid
 * closes it, then exit; the kernel then kills whatever is left in the
 * namespace.  Never returns.
 */
void pidns_init_serve(int ctl) __attribute__((noreturn));

/* pidns_init_ask - the next task made in @ctl's namespace gets @id: 0 or -errno. */
int pidns_init_ask(int ctl, pid_t id);

#endif /* SSID_PIDNS_INIT_H */
