/* SPDX-License-Identifier: GPL-2.0 */
/*
 * parent_standin.h - the parent a migrated process has at home, stood in
 * for on the node where it runs.
 *
 * The kernel writes a task's PPid (/proc/PID/stat and status) as its real
 * parent's id in the pid namespace of the proc mount read: ssid, outside
 * the guest's namespace (guest_pidns.h), reads as 0 there.  Programs do
 * read it (psutil's Process.ppid(), a worker that watches its parent) and
 * take 0 for a parent gone.  So a guest's parent is a task of its own
 * namespace whose id there is the home parent's pid: ssi-restore-helper
 * run as "ssi-restore-helper stand-in UID GID [GROUPS]", forked by ssid
 * into the namespace with that id, which forks the restore helper (run as
 * "ssi-restore-helper UID GID [GROUPS]", its other fds as ssid gave them)
 * once ssid has set the process's home pid for it.  getppid() is answered
 * by ssid anyway (the syscall table); the PPid a process reads in /proc is
 * the home parent's at the move.
 *
 * The stand-in, not ssid, is the guest's parent then: it waits for the
 * guest's end without reaping it (WNOWAIT), so that ssid can read the
 * zombie's last counters, tells ssid the guest's siginfo, and reaps it
 * when ssid closes the control socket; then it exits, and ssid reaps it.
 * It dies with ssid (PR_SET_PDEATHSIG; a control socket closed early
 * ends it too), and the namespace's init then takes the guest, which dies
 * with the namespace.
 *
 * The control socket (SOCK_SEQPACKET; the stand-in's STANDIN_FD):
 *   ssid -> stand-in   one byte: fork the guest now (its id is set)
 *   stand-in -> ssid   struct standin_child, with the guest's pidfd
 *                      (SCM_RIGHTS) when err is 0
 *   stand-in -> ssid   the guest's siginfo_t, once it has ended
 *   ssid closes it     the stand-in reaps the guest and exits 0
 */
#ifndef SSID_PARENT_STANDIN_H
#define SSID_PARENT_STANDIN_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#define STANDIN_ARG	"stand-in"
#define STANDIN_FD	8

struct standin_child {
	int32_t err;		/* 0, or the errno of its fork */
	int32_t pid;		/* the guest's id in its namespace */
};

/* ssid's side of one stand-in; pid 0: none. */
struct standin {
	pid_t pid;		/* the stand-in, as ssid sees it */
	int ctl;		/* the control socket; -1: none */
};

/* standin_none - @s holds nothing. */
void standin_none(struct standin *s);

/*
 * standin_child - ask the stand-in @s (forked with @s->ctl's other end
 * as its STANDIN_FD) to fork the guest, and take the guest's pidfd.
 * Return: the pidfd, *@pid the guest's pid as ssid sees it; or -errno.
 */
int standin_child(struct standin *s, pid_t *pid);

/*
 * standin_child_ended - the guest's siginfo from the stand-in, which sends
 * it once the guest has ended (waited for up to 2 s).
 * Return: 0, or -errno (the stand-in is gone: the guest was killed).
 */
int standin_child_ended(struct standin *s, siginfo_t *si);

/*
 * standin_end - close the control socket (the stand-in reaps the guest,
 * killed first if it still runs) and reap the stand-in.  @s holds nothing
 * afterwards.
 */
void standin_end(struct standin *s);

/*
 * standin_serve - the stand-in's life, with the control socket on @ctl
 * and the guest's command line in @argv (its fds 3 and up as the
 * restore helper wants them): see above.  Never returns.
 */
void standin_serve(int ctl, char **argv) __attribute__((noreturn));

#endif /* SSID_PARENT_STANDIN_H */
