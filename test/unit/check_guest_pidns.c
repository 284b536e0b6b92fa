// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_guest_pidns.c - a guest's pid namespace (ssid/migrate/
 * guest_pidns.c), for real: its init is the built ssi-restore-helper in
 * its pidns-init role.  A process forked into it gets the pid asked for,
 * a thread it makes later the tid asked for; ssid's own children stay in
 * ssid's namespace; ids the node cannot give are refused; an answer that
 * comes too late is dropped; closing ends the init.  The namespace's proc mount names the guest by its id there.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "run_suite.h"
#include "ssid/common/procfs.h"
#include "ssid/migrate/guest_pidns.h"
#include "ssid/migrate/pidns_init.h"

#define GUEST_PID	4242
#define GUEST_TID	5151

static void *report_tid(void *arg)
{
	*(pid_t *)arg = (pid_t)syscall(SYS_gettid);
	return NULL;
}

/* The guest: its pid, then (once the test says) a thread's tid. */
static int guest(int go)
{
	pthread_t t;
	pid_t tid = 0;
	char c;

	if (getpid() != GUEST_PID)
		return 1;
	if (read(go, &c, 1) != 1 || pthread_create(&t, NULL, report_tid, &tid) ||
	    pthread_join(t, NULL))
		return 2;
	return tid == GUEST_TID ? 0 : 3;
}

static void open_ns(struct guest_pidns *ns)
{
	int rc = guest_pidns_open(ns, HELPER_PATH);

	ck_assert_msg(!rc, "guest_pidns_open: %s", strerror(-rc));
	ck_assert_int_gt(ns->init, 0);
	ck_assert_int_eq(procfs_ns_tid(ns->init, ns->init), 1);
}

/* Its proc mount shows the guest as GUEST_PID, in the name and the text. */
static void proc_names_guest(const struct guest_pidns *ns)
{
	char path[32], text[4096], want[32];
	ssize_t n;
	int fd;

	ck_assert_int_ge(ns->procfd, 0);
	snprintf(path, sizeof(path), "%d/status", GUEST_PID);
	fd = openat(ns->procfd, path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	ck_assert_int_gt(n, 0);
	text[n] = '\0';
	snprintf(want, sizeof(want), "\nPid:\t%d\n", GUEST_PID);
	ck_assert_msg(strstr(text, want), "no %s in %s", want, text);
	/* nothing of ssid's namespace is there */
	snprintf(path, sizeof(path), "%d/status", (int)getpid());
	fd = openat(ns->procfd, path, O_RDONLY | O_CLOEXEC);
	ck_assert(fd < 0 || getpid() == GUEST_PID);
}

START_TEST(test_ids_are_the_ones_asked_for)
{
	struct guest_pidns ns;
	int go[2], st;
	pid_t pid;

	open_ns(&ns);
	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(guest_pidns_next(&ns, GUEST_PID), 0);
	pid = guest_pidns_fork(&ns);
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(guest(go[0]));
	ck_assert_int_eq(procfs_ns_tid(pid, pid), GUEST_PID);
	proc_names_guest(&ns);
	ck_assert_int_eq(guest_pidns_next(&ns, GUEST_TID), 0);
	ck_assert_int_eq(write(go[1], "g", 1), 1);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "guest status 0x%x", st);
	guest_pidns_close(&ns);
}
END_TEST

/* After a fork into the namespace, ssid's next children are its own again. */
START_TEST(test_ssid_children_stay_home)
{
	struct guest_pidns ns;
	pid_t pid;
	int st;

	open_ns(&ns);
	ck_assert_int_eq(guest_pidns_next(&ns, GUEST_PID), 0);
	pid = guest_pidns_fork(&ns);
	if (pid == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	pid = fork();
	if (pid == 0)
		_exit(0);
	ck_assert_int_eq(procfs_ns_tid(pid, pid), pid);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	guest_pidns_close(&ns);
}
END_TEST

START_TEST(test_out_of_range_refused)
{
	struct guest_pidns ns;

	open_ns(&ns);
	ck_assert_int_eq(guest_pidns_next(&ns, 1), -EINVAL);
	ck_assert_int_eq(guest_pidns_next(&ns, 0), -EINVAL);
	ck_assert_int_eq(guest_pidns_next(&ns, INT_MAX), -EINVAL);
	/* and it still answers */
	ck_assert_int_eq(guest_pidns_next(&ns, GUEST_PID), 0);
	guest_pidns_close(&ns);
}
END_TEST

/*
 * An answer that comes after the asker gave up waiting is dropped, never
 * taken for the next request's (a signal relayed would then not be sent
 * yet when ssid goes on, nor a refusal seen).
 */
START_TEST(test_late_answer_dropped)
{
	struct guest_pidns ns;

	open_ns(&ns);
	ck_assert_int_eq(kill(ns.init, SIGSTOP), 0);
	ck_assert_int_eq(guest_pidns_next(&ns, GUEST_PID), -EAGAIN);
	ck_assert_int_eq(kill(ns.init, SIGCONT), 0);
	/* the late answer (done) is not this one's (out of range) */
	ck_assert_int_eq(guest_pidns_next(&ns, 1), -EINVAL);
	ck_assert_int_eq(guest_pidns_next(&ns, GUEST_PID), 0);
	guest_pidns_close(&ns);
}
END_TEST

/*
 * The restore helper has a socket of its own: its requests and ssid's
 * (a signal relayed while it makes threads) never take each other's
 * answers, and ssid's goes on once the helper's is closed.
 */
START_TEST(test_helper_socket_of_its_own)
{
	struct guest_pidns ns;

	open_ns(&ns);
	ck_assert_int_ge(ns.helper_ctl, 0);
	ck_assert_int_eq(pidns_init_next(ns.helper_ctl, 1), -EINVAL);
	ck_assert_int_eq(guest_pidns_next(&ns, GUEST_PID), 0);
	ck_assert_int_eq(pidns_init_next(ns.helper_ctl, GUEST_TID), 0);
	guest_pidns_helper_done(&ns);
	ck_assert_int_eq(ns.helper_ctl, -1);
	ck_assert_int_eq(guest_pidns_next(&ns, 1), -EINVAL);
	ck_assert_int_eq(guest_pidns_next(&ns, GUEST_PID), 0);
	guest_pidns_close(&ns);
}
END_TEST

START_TEST(test_close_ends_init)
{
	struct guest_pidns ns;
	pid_t init;

	open_ns(&ns);
	init = ns.init;
	guest_pidns_close(&ns);
	ck_assert_int_eq(ns.init, 0);
	ck_assert_int_eq(ns.ctl, -1);
	/* reaped: the pid is no more */
	ck_assert_int_eq(kill(init, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(guest_pidns_next(&ns, GUEST_PID), -EBADF);
}
END_TEST

static Suite *guest_pidns_suite(void)
{
	Suite *s = suite_create("guest_pidns");
	TCase *tc = tcase_create("namespace");

	tcase_add_test(tc, test_ids_are_the_ones_asked_for);
	tcase_add_test(tc, test_ssid_children_stay_home);
	tcase_add_test(tc, test_out_of_range_refused);
	tcase_add_test(tc, test_late_answer_dropped);
	tcase_add_test(tc, test_helper_socket_of_its_own);
	tcase_add_test(tc, test_close_ends_init);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	int failed = check_run(guest_pidns_suite());

	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
