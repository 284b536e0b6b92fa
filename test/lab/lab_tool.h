/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lab_tool.h - what the lab's C check tools share: one line per check,
 * and running one syscall in a deputy as ssid does for a remote process
 * (buffers in the calling process).
 */
#ifndef SSI_TEST_LAB_TOOL_H
#define SSI_TEST_LAB_TOOL_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ssid/forward/deputy_driver.h"

/* Checks that failed so far. */
extern int failures;

/* Prints "ok: ..." or "FAILED: ..." and counts the failures. */
#define CHECK(cond, ...)						\
	do {								\
		if (cond) {						\
			printf("ok: ");					\
		} else {						\
			printf("FAILED: ");				\
			failures++;					\
		}							\
		printf(__VA_ARGS__);					\
		putchar('\n');						\
	} while (0)

/*
 * The thread ids of @pid, the leader first, then the others in the order
 * /proc/PID/task lists them: the kernel's thread list, the order in which
 * a dump writes them.  Waits (2 s at most) for @max of them.  Returns how
 * many were found.
 */
int lab_read_tids(pid_t pid, pid_t *out, int max);

/* Returns the syscall's result (a negative errno on failure). */
int64_t fwd_self(struct ssi_deputy *d, long nr, uint64_t a0, uint64_t a1, uint64_t a2);

#endif
