/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seccomp_filter.h - the seccomp program a migrated process runs under on a
 * remote node, generated from the syscall policy table.
 *
 * Verdicts: local syscalls are allowed; everything else (forward, cached,
 * pull-home, local-if whose condition fails, unknown numbers, x32) goes to
 * ssid as a user notification.  A non-x86-64 syscall ABI kills the process:
 * an image is x86-64 only.
 */
#ifndef SSID_SECCOMP_FILTER_H
#define SSID_SECCOMP_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>

#define SSI_SECCOMP_IOCTLS	2

struct ssi_seccomp_opts {
	/*
	 * ioctl requests allowed to run locally whatever the fd: the restore
	 * helper's SSI_IOC_RESTORE and SSI_IOC_RESTORE_THREAD, made after the
	 * filter is installed (by all of its threads: the filter is
	 * synchronised).  0 ends the list.  (A process of the job that
	 * issues one of these exact request numbers itself would get the
	 * local answer: EBADF or ENOTTY.)
	 */
	uint32_t allow_ioctl_cmd[SSI_SECCOMP_IOCTLS];
	/*
	 * The process has no seccomp filter of its own: prctl(PR_GET_SECCOMP)
	 * answers 0, as it does at home, and not the mode of ssid's filter
	 * (2), which the kernel would say (the filter answers it itself).
	 */
	bool mode_none;
};

/*
 * ssi_seccomp_build - generate the filter.
 * @opts:	options, or NULL for none.
 * @prog:	receives the program (sock_fprog.filter is malloc'ed; free it
 *		with ssi_seccomp_free()).
 *
 * Return: 0, or -1 with errno set (ENOMEM; E2BIG if a jump would not fit
 * in BPF's 8-bit offsets, which would be a bug in the table's shape).
 */
int ssi_seccomp_build(const struct ssi_seccomp_opts *opts, struct sock_fprog *prog);

/* ssi_seccomp_free - free what ssi_seccomp_build() allocated. */
void ssi_seccomp_free(struct sock_fprog *prog);

/*
 * ssi_seccomp_install - install @prog on the calling thread with
 * SECCOMP_FILTER_FLAG_NEW_LISTENER and @flags; sets no_new_privs first.
 * Return: the listener fd, or -1 with errno set.
 *
 * A migrated process's filter has SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV:
 * once ssid has received a call, only a fatal signal ends its wait.  Any
 * other signal stays pending: ssid sees it, cancels the call at home and
 * answers with the restart code the call would have had here, so the
 * kernel delivers the signal and restarts the call, or not, exactly as
 * natively.  (A call not received yet is interrupted as usual.)
 */
int ssi_seccomp_install(const struct sock_fprog *prog, unsigned int flags);

/*
 * ssi_seccomp_set - the seccomp() call of ssi_seccomp_install() alone,
 * no_new_privs already set: the restore helper makes no other call
 * between checking that the process's own filters let this one through
 * and making it (restore_helper.c).
 */
int ssi_seccomp_set(const struct sock_fprog *prog, unsigned int flags);

/*
 * ssi_seccomp_continue - let the call of notification @id on @listener run
 * as it was made (SECCOMP_USER_NOTIF_FLAG_CONTINUE): a call the filter
 * stopped that the node where the process runs serves after all.
 * Return: 0, or -errno (ENOENT: the caller is gone or was interrupted).
 */
int ssi_seccomp_continue(int listener, uint64_t id);

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV	(1UL << 5)	/* Linux 5.19 */
#endif

#endif /* SSID_SECCOMP_FILTER_H */
