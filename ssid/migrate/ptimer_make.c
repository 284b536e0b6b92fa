// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ptimer_make.c - making the POSIX timers of an image (see ptimer_make.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "kmod/uapi/ssi.h"
#include "migrate/ptimer_make.h"

void ptimer_sigevent(const struct ssi_img_posix_timer *r, struct sigevent *sev)
{
	memset(sev, 0, sizeof(*sev));
	sev->sigev_value.sival_ptr = (void *)(uintptr_t)r->value;
	sev->sigev_signo = r->signo;
	sev->sigev_notify = r->notify;
	if (r->notify & SSI_SIGEV_THREAD_ID)
		sev->_sigev_un._tid = r->tid;
}

static void ns_to_ts(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / 1000000000ULL);
	ts->tv_nsec = (long)(ns % 1000000000ULL);
}

/* Armed far out, as the image's interval and mode say; 0 flags: relative. */
static int park(const struct ssi_img_posix_timer *r, struct itimerspec *its)
{
	struct timespec now;

	memset(its, 0, sizeof(*its));
	ns_to_ts(r->interval, &its->it_interval);
	its->it_value.tv_sec = SSI_ITIMER_PARK_SEC;
	if (!(r->flags & SSI_PTIMER_ABS_REALTIME))
		return 0;
	/* not the vDSO: the restore helper has moved it where glibc does not look */
	syscall(SYS_clock_gettime, CLOCK_REALTIME, &now);
	its->it_value.tv_sec += now.tv_sec;
	return TIMER_ABSTIME;
}

int ptimers_make(const struct ssi_img_posix_timer *p, uint32_t n,
		 const struct ptimer_ops *ops, char *why, size_t len)
{
	struct itimerspec its;
	struct sigevent sev;
	uint32_t i;
	int id, flags, err;

	for (i = 0; i < n; i++) {
		ptimer_sigevent(&p[i], &sev);
		err = ops->next_id(ops->arg, (uint32_t)p[i].id);
		if (!err)
			err = ops->create(ops->arg, p[i].clock, &sev, &id);
		if (!err && id != p[i].id)
			err = -EEXIST;
		if (err) {
			snprintf(why, len, "POSIX timer %d (clock %d): timer_create: %s",
				 p[i].id, p[i].clock, strerror(-err));
			return err;
		}
		if (!p[i].expires)
			continue;
		flags = park(&p[i], &its);
		err = ops->settime(ops->arg, id, flags, &its);
		if (err) {
			snprintf(why, len, "POSIX timer %d: timer_settime: %s", p[i].id,
				 strerror(-err));
			return err;
		}
	}
	return 0;
}
