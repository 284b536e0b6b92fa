// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * futex_shared.c - which futex calls run at home, and how they get there
 * (futex_shared.h).
 */
#include <linux/futex.h>

#include "dsm/segments.h"
#include "forward/futex_shared.h"

#define FUTEX_CMD(op)	((op) & FUTEX_CMD_MASK)

/* Operations whose fifth argument is a second futex word. */
static bool two_words(uint64_t op)
{
	switch (FUTEX_CMD(op)) {
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
	case FUTEX_WAKE_OP:
	case FUTEX_WAIT_REQUEUE_PI:
	case FUTEX_CMP_REQUEUE_PI:
		return true;
	}
	return false;
}

bool futex_timeout_arg(uint64_t op)
{
	switch (FUTEX_CMD(op)) {
	case FUTEX_WAIT:
	case FUTEX_LOCK_PI:
	case FUTEX_WAIT_BITSET:
	case FUTEX_WAIT_REQUEUE_PI:
	case FUTEX_LOCK_PI2:
		return true;
	}
	return false;
}

/* An absolute timeout on CLOCK_MONOTONIC (FUTEX_LOCK_PI's is on CLOCK_REALTIME). */
static bool monotonic_deadline(uint64_t op)
{
	switch (FUTEX_CMD(op)) {
	case FUTEX_WAIT_BITSET:
	case FUTEX_WAIT_REQUEUE_PI:
	case FUTEX_LOCK_PI2:
		return !(op & FUTEX_CLOCK_REALTIME);
	}
	return false;
}

bool futex_relative(uint64_t op, uint64_t val3)
{
	return FUTEX_CMD(op) == FUTEX_WAIT_BITSET && monotonic_deadline(op) &&
	       (uint32_t)val3 == FUTEX_BITSET_MATCH_ANY;
}

enum futex_where futex_where(const uint64_t args[6],
			     bool (*shared)(void *ctx, uint64_t addr), void *ctx)
{
	uint64_t op = args[1];
	bool first;

	if (op & FUTEX_PRIVATE_FLAG)
		return FUTEX_RUN_HERE;
	first = shared(ctx, args[0]);
	if (two_words(op) && shared(ctx, args[4]) != first)
		return FUTEX_RUN_PULL;
	if (!first)
		return FUTEX_RUN_HERE;
	if (futex_timeout_arg(op) && args[3] && monotonic_deadline(op) &&
	    !futex_relative(op, args[5]))
		return FUTEX_RUN_PULL;
	return FUTEX_RUN_HOME;
}

enum futex_where futex_waitv_where(const struct futex_waitv *w, uint64_t n,
				   bool (*shared)(void *ctx, uint64_t addr), void *ctx)
{
	uint64_t i;

	if (!n || n > FUTEX_WAITV_MAX)
		return FUTEX_RUN_PULL;
	for (i = 0; i < n; i++)
		if (!(w[i].flags & FUTEX_PRIVATE_FLAG) && shared(ctx, w[i].uaddr))
			return FUTEX_RUN_PULL;
	return FUTEX_RUN_HERE;
}

struct holder {
	uint64_t addr;
	bool shared;	/* the mapping that holds @addr is */
};

static int holds(const struct dsm_maps_line *l, pid_t pid, void *arg)
{
	struct holder *f = arg;

	(void)pid;
	if (f->addr < l->start || f->addr >= l->end)
		return 0;
	f->shared = l->shared;
	return 1;
}

bool futex_addr_shared(pid_t pid, uint64_t addr)
{
	struct holder f = { addr, false };
	char why[96];

	dsm_maps_each(pid, holds, &f, why, sizeof(why));
	return f.shared;
}
