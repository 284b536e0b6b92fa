/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest_pidns.h - each process that runs here away from home lives in a
 * pid namespace of its own, where its pid and tids are its home ones.
 *
 * Why: a process keeps its ids in its memory and hands them to the
 * kernel: glibc's struct pthread holds each thread's tid, and
 * pthread_setaffinity_np(), pthread_setschedparam() pass it on; the word
 * of a PI mutex holds its owner's tid (FUTEX_LOCK_PI looks the owner up
 * by it), and so does a robust mutex's (the kernel marks it
 * FUTEX_OWNER_DIED when a thread with that tid ends).  The remote kernel
 * must read those ids as the process does: in the namespace it does.
 *
 * The namespace's init (pid 1) is ssi-restore-helper run as
 * "ssi-restore-helper pidns-init" (pidns_init.h): it holds the namespace
 * and sets the id the next task made in it gets.  Only ssid (the guest,
 * and a stand-in of its home parent: parent_standin.h) and the guest
 * make tasks there (its threads: a fork runs at home), one at a time, so
 * the next is exactly the one asked for.  Closing the namespace (or ssid's death)
 * ends init, and the kernel kills whatever is left in it.
 */
#ifndef SSID_GUEST_PIDNS_H
#define SSID_GUEST_PIDNS_H

#include <sys/types.h>

#include "kmod/uapi/ssi.h"

struct guest_pidns {
	pid_t init;	/* its init, as ssid sees it; 0: none */
	int ctl;	/* ssid's requests to init (pidns_init.h); -1: none */
	int helper_ctl;	/* the restore helper's, a socket of its own; -1: none */
	int nsfd;	/* /proc/INIT/ns/pid; -1: none */
	int procfd;	/* a proc mount of it (pidns_init_proc()); -1: none */
};

/* guest_pidns_none - @ns holds nothing (for guest_pidns_close()). */
void guest_pidns_none(struct guest_pidns *ns);

/*
 * guest_pidns_open - a new pid namespace with its init, @helper run as
 * "HELPER pidns-init", and a proc mount of it (none if the kernel
 * refuses one: the process's /proc entries are then read at home).
 * Return: 0, or -errno (@ns then holds nothing).
 */
int guest_pidns_open(struct guest_pidns *ns, const char *helper);

/*
 * guest_pidns_next - the next task made in @ns gets id @id (a pid or tid
 * there).  Return: 0, or -errno (EINVAL: out of this node's pid range).
 */
int guest_pidns_next(const struct guest_pidns *ns, pid_t id);

/*
 * guest_pidns_signal - SSI_IOC_SIGNAL with @sig (its pid an id in @ns)
 * sent from inside @ns, so that the process sees the sender's pid the
 * siginfo holds.  Return: 0, or -errno (the module's answer).
 */
int guest_pidns_signal(const struct guest_pidns *ns, const struct ssi_signal *sig);

/*
 * guest_pidns_fork - fork() into @ns: the child, ssid's, is in the
 * namespace (with the id guest_pidns_next() asked for).  Return: as
 * fork(), -errno on failure.
 */
pid_t guest_pidns_fork(const struct guest_pidns *ns);

/*
 * guest_pidns_helper_done - ssid's copy of the restore helper's socket to
 * init closed, once the helper has its own (after the fork): the init
 * stops serving it when the helper ends.
 */
void guest_pidns_helper_done(struct guest_pidns *ns);

/*
 * guest_pidns_close - end @ns: its init exits, and the kernel kills what
 * is left in it.  The guest must have been reaped (init waits for it).
 */
void guest_pidns_close(struct guest_pidns *ns);

#endif /* SSID_GUEST_PIDNS_H */
