/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ptimer_make.h - making the POSIX timers of an image in the task that
 * becomes the process: the restore helper on itself, ssid in a deputy
 * coming home (through its stub).  A module cannot make a timer, so each
 * is made with timer_create(2) under its id (SSI_IOC_TIMER_ID first) and
 * parked far out with its interval and mode; the restore checks them and
 * moves each to its time (kmod/ssi_ptimer.c).
 */
#ifndef SSID_PTIMER_MAKE_H
#define SSID_PTIMER_MAKE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "kmod/uapi/ssi_image.h"

/* The calls, made where the timers are to be (each returns 0 or -errno). */
struct ptimer_ops {
	int (*next_id)(void *arg, uint32_t id);
	int (*create)(void *arg, int clock, const struct sigevent *sev, int *id);
	int (*settime)(void *arg, int id, int flags, const struct itimerspec *its);
	void *arg;
};

/*
 * ptimers_make - the @n timers of @p, each with its id, clock and sigevent;
 * an armed one parked SSI_ITIMER_PARK_SEC out (absolute on CLOCK_REALTIME
 * when the image says so) with its interval.
 * Return: 0, or -errno with @why (@len bytes) saying which and what failed.
 */
int ptimers_make(const struct ssi_img_posix_timer *p, uint32_t n,
		 const struct ptimer_ops *ops, char *why, size_t len);

/* The sigevent timer_create(2) takes for @r (the kernel's layout). */
void ptimer_sigevent(const struct ssi_img_posix_timer *r, struct sigevent *sev);

#endif /* SSID_PTIMER_MAKE_H */
