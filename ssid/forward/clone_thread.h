/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * clone_thread.h - a migrated process makes a thread on the remote node.
 *
 * clone() and clone3() with CLONE_THREAD trap to ssid (seccomp user
 * notification).  Home starts the thread's deputy thread first and tells
 * its tid; then the clone goes on here for real, and the new thread must
 * see, and be seen by, the home tid from its first instruction: the
 * creator's return value and the words CLONE_PARENT_SETTID and
 * CLONE_CHILD_SETTID wrote (glibc's pthread_t holds one) are rewritten
 * before either thread runs on.
 *
 * Why ptrace, for the few microseconds of the clone: a seccomp supervisor
 * that lets a call continue never sees its result, and the kernel writes
 * the new tid before the call returns.  Traced with PTRACE_O_TRACECLONE,
 * the creator stops inside the clone once the thread exists
 * (PTRACE_EVENT_CLONE, which names it) and again at the syscall's exit,
 * and the new thread starts stopped.  Nothing else of the process is
 * traced, and only while its clone runs.
 */
#ifndef SSID_CLONE_THREAD_H
#define SSID_CLONE_THREAD_H

#include <stdint.h>
#include <sys/types.h>
#include <linux/seccomp.h>

struct clone_thread {
	uint64_t flags;
	uint64_t parent_tid;	/* where CLONE_PARENT_SETTID writes the tid, or 0 */
	uint64_t child_tid;	/* where CLONE_CHILD_SETTID writes it, or 0 */
};

/*
 * clone_thread_args - read the flags and tid pointers of notification @n,
 * a clone() or clone3() of process @pid.  Return: 1 when it makes a thread
 * (CLONE_THREAD), 0 when not, -errno when its arguments cannot be read
 * (the caller re-checks that the notification is still valid).
 */
int clone_thread_args(pid_t pid, const struct seccomp_notif *n, struct clone_thread *ct);

/*
 * clone_thread_run - let clone notification @n (on @listener) go on, and
 * make the thread it creates known as @home_tid (see above).
 * Return: 1 and *@made = its tid here when a thread was made; 0 when the
 * clone went on but made none (it failed, a signal made the kernel
 * restart it, or the process died); -errno when the creator cannot be
 * traced: @n is then still unanswered.  Waits at most @timeout_ms.
 */
int clone_thread_run(int listener, const struct seccomp_notif *n,
		     const struct clone_thread *ct, pid_t home_tid, pid_t *made,
		     int timeout_ms);

#endif /* SSID_CLONE_THREAD_H */
