// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_ptimer_make.c - the POSIX timers of an image as user space makes
 * them before a restore (ssid/migrate/ptimer_make.c, image_peek.c): each
 * under its id, with the image's clock and sigevent, an armed one parked
 * with its interval and mode, and the TIMERS section read from an image.
 * The calls go to a recorder here; the lab makes real ones (t-31, t-34).
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "image_memfd.h"
#include "run_suite.h"
#include "kmod/uapi/ssi.h"
#include "migrate/image_peek.h"
#include "migrate/ptimer_make.h"

/* What the recorder saw, call by call. */
static struct call {
	char op;		/* 'n'ext id, 'c'reate, 's'ettime */
	int id, clock, flags;
	struct sigevent sev;
	struct itimerspec its;
} calls[32];
static int ncalls, next, fail_create_id = -1;

static int rec_next_id(void *arg, uint32_t id)
{
	(void)arg;
	calls[ncalls++] = (struct call){ .op = 'n', .id = (int)id };
	next = (int)id;
	return 0;
}

static int rec_create(void *arg, int clock, const struct sigevent *sev, int *id)
{
	(void)arg;
	calls[ncalls++] = (struct call){ .op = 'c', .clock = clock, .sev = *sev };
	*id = next == fail_create_id ? next + 1 : next;	/* that id was taken */
	next++;
	return 0;
}

static int rec_settime(void *arg, int id, int flags, const struct itimerspec *its)
{
	(void)arg;
	calls[ncalls++] = (struct call){ .op = 's', .id = id, .flags = flags, .its = *its };
	return 0;
}

static const struct ptimer_ops rec = {
	.next_id = rec_next_id, .create = rec_create, .settime = rec_settime,
};

static struct ssi_img_posix_timer timers[3] = {
	{ .id = 4, .clock = SSI_CLOCK_MONOTONIC, .notify = SSI_SIGEV_SIGNAL, .signo = 35,
	  .value = 0x1234, .expires = 5000000, .interval = 20000000 },
	{ .id = 9, .clock = SSI_CLOCK_REALTIME, .notify = SSI_SIGEV_SIGNAL | SSI_SIGEV_THREAD_ID,
	  .signo = 10, .tid = 4242, .flags = SSI_PTIMER_ABS_REALTIME,
	  .expires = 1700000000000000000ULL },
	{ .id = 12, .clock = SSI_CLOCK_BOOTTIME, .notify = SSI_SIGEV_NONE },	/* disarmed */
};

START_TEST(test_made_under_their_ids)
{
	struct timespec now;
	char why[160] = "";

	ncalls = 0;
	fail_create_id = -1;
	ck_assert_int_eq(ptimers_make(timers, 3, &rec, why, sizeof(why)), 0);
	ck_assert_int_eq(ncalls, 8);	/* n c s, n c s, n c */
	ck_assert(calls[0].op == 'n' && calls[0].id == 4);
	ck_assert(calls[1].op == 'c' && calls[1].clock == SSI_CLOCK_MONOTONIC);
	ck_assert_int_eq(calls[1].sev.sigev_notify, SIGEV_SIGNAL);
	ck_assert_int_eq(calls[1].sev.sigev_signo, 35);
	ck_assert_ptr_eq(calls[1].sev.sigev_value.sival_ptr, (void *)0x1234);
	/* parked far out, relative, with its interval */
	ck_assert(calls[2].op == 's' && calls[2].id == 4 && calls[2].flags == 0);
	ck_assert_int_eq(calls[2].its.it_value.tv_sec, SSI_ITIMER_PARK_SEC);
	ck_assert_int_eq(calls[2].its.it_interval.tv_sec, 0);
	ck_assert_int_eq(calls[2].its.it_interval.tv_nsec, 20000000);
	/* aimed at its thread; parked absolute on CLOCK_REALTIME */
	ck_assert(calls[4].op == 'c' && calls[4].sev.sigev_notify == SIGEV_THREAD_ID);
	ck_assert_int_eq(calls[4].sev._sigev_un._tid, 4242);
	ck_assert(calls[5].op == 's' && calls[5].id == 9 && calls[5].flags == TIMER_ABSTIME);
	clock_gettime(CLOCK_REALTIME, &now);
	ck_assert_int_ge(calls[5].its.it_value.tv_sec, now.tv_sec + SSI_ITIMER_PARK_SEC - 5);
	/* a disarmed one is made, not armed */
	ck_assert(calls[6].op == 'n' && calls[6].id == 12);
	ck_assert(calls[7].op == 'c' && calls[7].clock == SSI_CLOCK_BOOTTIME);
	ck_assert_int_eq(calls[7].sev.sigev_notify, SIGEV_NONE);
}
END_TEST

START_TEST(test_taken_id_refused)
{
	char why[160] = "";

	ncalls = 0;
	fail_create_id = 9;
	ck_assert_int_eq(ptimers_make(timers, 3, &rec, why, sizeof(why)), -EEXIST);
	ck_assert_msg(strstr(why, "POSIX timer 9"), "why: %s", why);
	ck_assert_int_eq(ncalls, 5);	/* nothing after the failing create */
}
END_TEST

START_TEST(test_read_from_image)
{
	struct ssi_img_posix_timer *p;
	int fd = image_memfd(SSI_SEC_SIGQUEUE, SSI_SEC_TIMERS, timers, 3, sizeof(*timers));

	ck_assert_int_eq(image_timers_read(fd, &p), 3);
	ck_assert_int_eq(memcmp(p, timers, sizeof(timers)), 0);
	free(p);
	close(fd);
	fd = image_memfd(SSI_SEC_SIGQUEUE, SSI_SEC_TIMERS, timers, 0, sizeof(*timers));
	ck_assert_int_eq(image_timers_read(fd, &p), 0);
	ck_assert_ptr_null(p);
	close(fd);
	fd = image_memfd(SSI_SEC_SIGQUEUE, 0, NULL, 0, 0);	/* no TIMERS section */
	ck_assert_int_eq(image_timers_read(fd, &p), -EINVAL);
	close(fd);
}
END_TEST

static Suite *ptimer_suite(void)
{
	Suite *s = suite_create("ptimer_make");
	TCase *tc = tcase_create("make");

	tcase_add_test(tc, test_made_under_their_ids);
	tcase_add_test(tc, test_taken_id_refused);
	tcase_add_test(tc, test_read_from_image);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(ptimer_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
