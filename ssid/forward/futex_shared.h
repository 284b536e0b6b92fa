/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * futex_shared.h - futex calls on memory shared across nodes run at home.
 *
 * A futex that is not process-private is keyed by the memory it is in:
 * (inode, page offset) for shared memory.  Away from home, a process's
 * shared memory is this node's copy of home's (the DSM, doc/dsm.md), a
 * file of its own: a FUTEX_WAKE made at home on home's memory could not
 * reach a waiter here, nor one made here a waiter at home.  So such a
 * call is run at home by the process's deputy, which keeps home's
 * mappings of that memory where the process has them (ssi.ko,
 * ssi_deputy.c): the waiters of a word all wait on home's key, and home's
 * processes, which know nothing of the move, wake them as always.  The
 * deputy's read of the word (a wait compares it) is a coherent access
 * like any other at home: it sees the process's last store here.
 *
 * Private futexes (FUTEX_PRIVATE_FLAG: threads of one process, which all
 * run here) run here; the seccomp filter never asks for them.
 */
#ifndef SSID_FUTEX_SHARED_H
#define SSID_FUTEX_SHARED_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/futex.h>

enum futex_where {
	FUTEX_RUN_HERE,		/* its words are in private memory */
	FUTEX_RUN_HOME,		/* forwarded: its words are in shared memory */
	FUTEX_RUN_PULL,		/* the process goes home first: see futex_where() */
};

/*
 * futex_where - where futex(@args) of a process away runs: home if every
 * word it names (uaddr, and uaddr2 for the requeue and wake-op
 * operations) is in shared memory (@shared(@ctx, address)), here if none
 * is.  The process is pulled home for a call that mixes both, and for a
 * wait on shared memory with an absolute CLOCK_MONOTONIC timeout that
 * cannot be made relative (a bitset other than FUTEX_BITSET_MATCH_ANY,
 * FUTEX_WAIT_REQUEUE_PI, FUTEX_LOCK_PI2): monotonic clocks of two nodes
 * do not agree.
 */
enum futex_where futex_where(const uint64_t args[6],
			     bool (*shared)(void *ctx, uint64_t addr), void *ctx);

/*
 * futex_waitv_where - where futex_waitv(@w, @n, ...) of a process away
 * runs: here if none of the words it waits on is in shared memory (one
 * with FUTEX_PRIVATE_FLAG never is), else the process goes home first: a
 * wake at home could not reach a waiter here, and the call's absolute
 * deadline may be on CLOCK_MONOTONIC, which two nodes do not agree on.
 * Pull-home for a bad count too (the kernel's EINVAL is home's to give).
 */
enum futex_where futex_waitv_where(const struct futex_waitv *w, uint64_t n,
				   bool (*shared)(void *ctx, uint64_t addr), void *ctx);

/* futex_timeout_arg - does the operation in @op take a timeout in arg 3? */
bool futex_timeout_arg(uint64_t op);

/*
 * futex_relative - a FUTEX_WAIT_BITSET with an absolute CLOCK_MONOTONIC
 * timeout and FUTEX_BITSET_MATCH_ANY, which must become a FUTEX_WAIT
 * with the time left (@now: CLOCK_MONOTONIC here) to run at home?
 */
bool futex_relative(uint64_t op, uint64_t val3);

/*
 * futex_addr_shared - is @addr in a shared mapping of process @pid (on
 * a node the process is away on, those are its DSM copies)?
 */
bool futex_addr_shared(pid_t pid, uint64_t addr);

#endif /* SSID_FUTEX_SHARED_H */
