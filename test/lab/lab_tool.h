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

#include "kmod/uapi/ssi.h"
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

/*
 * SSI_IOC_DUMP of @pid with SSI_DUMP_* @flags into @out_fd (-1 with
 * SSI_DUMP_FREEZE_ONLY), 10 s to reach a safe point; @dump gets the
 * answer.  Returns what the ioctl returns.
 */
int lab_freeze(int dev, pid_t pid, int out_fd, unsigned int flags, struct ssi_dump *dump);

/*
 * The channels of a deputy of @n threads (@tids, the leader first): a
 * socketpair @sv[i] for each thread, and in @th the SSI_IOC_DEPUTY list of
 * the others, their ends @sv[i][1].
 */
void lab_deputy_channels(int (*sv)[2], struct ssi_deputy_thread *th, const pid_t *tids,
			 int n);

/*
 * After SSI_IOC_DEPUTY (@dep, with the list @th): close the deputy's end
 * of thread @i's channel and attach @d to thread @i's stub.  Returns what
 * ssi_deputy_attach_thread() returns.
 */
int lab_deputy_attach(struct ssi_deputy *d, int i, int (*sv)[2], const pid_t *tids,
		      const struct ssi_become_deputy *dep, const struct ssi_deputy_thread *th);

/* Returns the syscall's result (a negative errno on failure). */
int64_t fwd_self(struct ssi_deputy *d, long nr, uint64_t a0, uint64_t a1, uint64_t a2);

#endif
