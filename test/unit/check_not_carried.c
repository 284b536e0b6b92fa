// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_not_carried.c - what ssid refuses to move before the freeze
 * (ssid/migrate/not_carried.c): seccomp strict mode (from its status
 * text; filters travel), a userfaultfd among its fds, a POSIX timer on
 * a CPU-time clock, nothing for a plain process (a real child).
 * Signalfds, carried unless an epoll set watches one: check_signalfd_here.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "run_suite.h"
#include "ssid/migrate/not_carried.h"

/* A child that runs until the test is done. */
static pid_t holder(int *done)
{
	int p[2], q[2];
	pid_t pid;
	char c;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(pipe(q), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[1]);	/* the parent's close is the end */
		if (write(q[1], "r", 1) != 1 || read(p[0], &c, 1) < 0)
			_exit(2);
		_exit(0);
	}
	ck_assert_int_eq(read(q[0], &c, 1), 1);
	close(q[0]);
	close(q[1]);
	close(p[0]);
	*done = p[1];
	return pid;
}

static void release(pid_t pid, int done)
{
	int st;

	close(done);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

START_TEST(test_plain_process_moves)
{
	char err[256] = "";
	int done;
	pid_t pid = holder(&done);

	ck_assert_int_eq(not_carried(pid, "Name:\tx\nSeccomp:\t0\n", err, sizeof(err)), 0);
	release(pid, done);
}
END_TEST

START_TEST(test_userfaultfd_refused)
{
	char err[256] = "";
	int ufd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);

	ck_assert_msg(ufd >= 0, "userfaultfd: %s", strerror(errno));
	ck_assert_int_eq(not_carried(getpid(), "Seccomp:\t0\n", err, sizeof(err)), EOPNOTSUPP);
	ck_assert_msg(strstr(err, "a userfaultfd") && strstr(err, "continues on this node"),
		      "reason: %s", err);
	close(ufd);
	ck_assert_int_eq(not_carried(getpid(), "Seccomp:\t0\n", err, sizeof(err)), 0);
}
END_TEST

START_TEST(test_cpu_timer_refused)
{
	/* make_process_cpuclock(ppid, CPUCLOCK_SCHED): the parent's CPU clock */
	clockid_t parents = (clockid_t)((~(unsigned int)getppid()) << 3 | 2);
	char err[256] = "";
	timer_t cpu, mono, other;

	/* its own CPU clocks travel (kmod/ssi_ptimer.c) */
	ck_assert_int_eq(timer_create(CLOCK_MONOTONIC, NULL, &mono), 0);
	ck_assert_int_eq(timer_create(CLOCK_PROCESS_CPUTIME_ID, NULL, &cpu), 0);
	ck_assert_int_eq(not_carried(getpid(), "Seccomp:\t0\n", err, sizeof(err)), 0);
	ck_assert_int_eq(timer_create(parents, NULL, &other), 0);
	ck_assert_int_eq(not_carried(getpid(), "Seccomp:\t0\n", err, sizeof(err)), EOPNOTSUPP);
	ck_assert_msg(strstr(err, "has a POSIX timer on another process's CPU clock") &&
		      strstr(err, "continues on this node"), "reason: %s", err);
	ck_assert_int_eq(timer_delete(other), 0);
	ck_assert_int_eq(not_carried(getpid(), "Seccomp:\t0\n", err, sizeof(err)), 0);
	ck_assert_int_eq(timer_delete(cpu), 0);
	ck_assert_int_eq(timer_delete(mono), 0);
}
END_TEST

/* Filters travel (check_seccomp_carry); strict mode does not. */
START_TEST(test_seccomp_refused)
{
	char err[256] = "";

	ck_assert_int_eq(not_carried(getpid(), "Seccomp:\t2\n", err, sizeof(err)), 0);
	ck_assert_int_eq(not_carried(getpid(), "Seccomp:\t1\n", err, sizeof(err)), EOPNOTSUPP);
	ck_assert_msg(strstr(err, "seccomp strict mode") && strstr(err, "continues on this node"),
		      "reason: %s", err);
}
END_TEST

static Suite *not_carried_suite(void)
{
	Suite *s = suite_create("not_carried");
	TCase *tc = tcase_create("refusals");

	tcase_add_test(tc, test_plain_process_moves);
	tcase_add_test(tc, test_userfaultfd_refused);
	tcase_add_test(tc, test_seccomp_refused);
	tcase_add_test(tc, test_cpu_timer_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	int failed = check_run(not_carried_suite());

	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
