// SPDX-License-Identifier: GPL-2.0
/*
 * check_usage.c - what a process uses away from home, as the deputy is
 * charged it (ssid/migrate/usage.c): counted from the deputy's counters
 * when it took over, each growth once, the peak when it rises, the memory
 * held when it changes; and the counters read from /proc, of a live
 * process and of a zombie.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run_suite.h"
#include "ssid/migrate/usage.h"

#define MS	1000000ULL

START_TEST(test_due)
{
	struct usage_account a = { .base = { .utime_ns = 300 * MS, .stime_ns = 20 * MS, .maxrss_kb = 900 } };
	struct usage_sample t = { .utime_ns = 250 * MS, .stime_ns = 20 * MS }, d;

	/* the image's counters, less than the deputy's: nothing yet */
	ck_assert(!usage_due(&a, &t, &d));
	/* the peak away counts as soon as it is known */
	t.maxrss_kb = 1000;
	ck_assert(usage_due(&a, &t, &d));
	ck_assert_uint_eq(d.utime_ns, 0);
	ck_assert_uint_eq(d.stime_ns, 0);
	ck_assert_uint_eq(d.maxrss_kb, 1000);
	/* two seconds of work there */
	t.utime_ns = 2300 * MS;
	t.stime_ns = 30 * MS;
	ck_assert(usage_due(&a, &t, &d));
	ck_assert_uint_eq(d.utime_ns, 2000 * MS);
	ck_assert_uint_eq(d.stime_ns, 10 * MS);
	ck_assert_uint_eq(d.maxrss_kb, 0);
	/* the same report again (a resend): charged once */
	ck_assert(!usage_due(&a, &t, &d));
	/* user time scaled down a little, system time up: only the growth */
	t.utime_ns = 2290 * MS;
	t.stime_ns = 50 * MS;
	ck_assert(usage_due(&a, &t, &d));
	ck_assert_uint_eq(d.utime_ns, 0);
	ck_assert_uint_eq(d.stime_ns, 20 * MS);
	t.utime_ns = 2400 * MS;
	ck_assert(usage_due(&a, &t, &d));
	ck_assert_uint_eq(d.utime_ns, 100 * MS);
	ck_assert_uint_eq(a.charged.utime_ns, 2100 * MS);
	ck_assert_uint_eq(a.charged.stime_ns, 30 * MS);
}
END_TEST

/* The memory held there is shown as reported, once per change, never unknown. */
START_TEST(test_due_mem)
{
	struct usage_account a = { .base = { .utime_ns = 300 * MS, .stime_ns = 20 * MS, .maxrss_kb = 900 } };
	struct usage_sample t = { .utime_ns = 300 * MS, .stime_ns = 20 * MS }, d;

	t.mem = (struct usage_mem){ .anon_kb = 65536, .file_kb = 2048,
				    .vm_kb = 80000, .vm_peak_kb = 90000 };
	ck_assert(usage_due(&a, &t, &d));
	ck_assert_uint_eq(d.mem.anon_kb, 65536);
	ck_assert_uint_eq(d.mem.file_kb, 2048);
	ck_assert_uint_eq(d.mem.vm_kb, 80000);
	ck_assert_uint_eq(d.mem.vm_peak_kb, 90000);
	ck_assert_uint_eq(d.utime_ns + d.stime_ns, 0);
	/* unchanged: nothing due */
	ck_assert(!usage_due(&a, &t, &d));
	ck_assert_uint_eq(d.mem.vm_kb, 0);
	/* it freed memory: the smaller figures are due */
	t.mem.anon_kb = 1024;
	ck_assert(usage_due(&a, &t, &d));
	ck_assert_uint_eq(d.mem.anon_kb, 1024);
	ck_assert_uint_eq(d.mem.vm_kb, 80000);
	/* a zombie's (not known): the last shown stay, CPU time still counts */
	t.mem = (struct usage_mem){ 0 };
	t.utime_ns = 400 * MS;
	ck_assert(usage_due(&a, &t, &d));
	ck_assert_uint_eq(d.mem.vm_kb, 0);
	ck_assert_uint_eq(d.utime_ns, 100 * MS);
	ck_assert_uint_eq(a.charged.mem.anon_kb, 1024);
}
END_TEST

static void spin(unsigned int ms)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	do
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);
}

START_TEST(test_read)
{
	struct usage_sample live, dead;
	struct usage_account a;
	uint64_t rss = 0;
	int p[2], st;
	char c;
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		spin(300);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		spin(300);
		_exit(0);
	}
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	ck_assert_int_eq(usage_account_start(&a, pid), 0);
	ck_assert_int_eq(usage_read(pid, &live, &rss), 0);
	ck_assert_uint_ge(live.utime_ns + live.stime_ns, 200 * MS);
	ck_assert_uint_gt(live.maxrss_kb, 0);
	ck_assert_uint_gt(rss, 0);
	ck_assert_uint_le(rss, live.maxrss_kb);
	ck_assert_uint_gt(live.mem.vm_kb, 0);
	ck_assert_uint_ge(live.mem.vm_peak_kb, live.mem.vm_kb);
	ck_assert_uint_gt(live.mem.anon_kb + live.mem.file_kb, 0);
	ck_assert_uint_le(live.mem.anon_kb + live.mem.file_kb + live.mem.shmem_kb,
			  live.maxrss_kb);
	/* the zombie still has its counters, not its memory */
	ck_assert_int_eq(waitid(P_PID, pid, NULL, WEXITED | WNOWAIT), 0);
	ck_assert_int_eq(usage_read(pid, &dead, NULL), 0);
	ck_assert_uint_ge(dead.utime_ns + dead.stime_ns, 500 * MS);
	ck_assert_uint_eq(dead.maxrss_kb, 0);
	ck_assert_uint_eq(dead.mem.vm_kb, 0);
	ck_assert_uint_eq(dead.mem.anon_kb, 0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && !WEXITSTATUS(st));
	ck_assert_int_eq(usage_read(pid, &dead, NULL), -ESRCH);
	ck_assert_int_eq(usage_account_start(&a, pid), -ESRCH);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("usage");
	TCase *tc = tcase_create("charge");
	int failed;

	tcase_add_test(tc, test_due);
	tcase_add_test(tc, test_due_mem);
	tcase_add_test(tc, test_read);
	suite_add_tcase(s, tc);
	failed = check_run(s);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
