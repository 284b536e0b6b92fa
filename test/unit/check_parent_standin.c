// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_parent_standin.c - a guest's parent stand-in (ssid/migrate/
 * parent_standin.c) without a pid namespace: the stand-in forks its child
 * when asked (this program again, run as "exit CODE" or "sleep"), hands
 * ssid's side the child's pidfd, keeps the ended child a zombie until
 * ssid's side has its siginfo and closes the socket, then reaps it; a
 * socket closed while the child runs ends the child.  The lab runs it for
 * real (t-31's proc_self: PPid in /proc/self/stat and status).
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "run_suite.h"
#include "migrate/parent_standin.h"

/* The state letter of @pid in /proc, or 0 if it has none. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	return p ? p[2] : 0;
}

/* A stand-in (a child of ours) whose child runs this program with @what. */
static void start(struct standin *s, const char *what)
{
	int cv[2];
	pid_t pid;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, cv), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char *argv[] = { "check_parent_standin", (char *)what, NULL };

		close(cv[0]);
		standin_serve(cv[1], argv);
	}
	close(cv[1]);
	s->pid = pid;
	s->ctl = cv[0];
}

START_TEST(test_child_ends_as_a_zombie_until_read)
{
	struct standin s;
	struct pollfd p;
	siginfo_t si;
	pid_t child;
	int pidfd;

	start(&s, "exit7");
	pidfd = standin_child(&s, &child);
	ck_assert_int_ge(pidfd, 0);
	ck_assert_int_gt(child, 0);
	p = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, 5000), 1);		/* ended */
	ck_assert_int_eq(standin_child_ended(&s, &si), 0);
	ck_assert_int_eq(si.si_code, CLD_EXITED);
	ck_assert_int_eq(si.si_status, 7);
	ck_assert_int_eq(si.si_pid, child);
	ck_assert_int_eq(proc_state(child), 'Z');	/* its counters still there */
	standin_end(&s);
	ck_assert_int_eq(s.pid, 0);
	ck_assert_int_eq(proc_state(child), 0);		/* reaped */
	close(pidfd);
}
END_TEST

START_TEST(test_closed_socket_ends_the_child)
{
	struct standin s;
	pid_t child;
	int pidfd;

	start(&s, "sleep");
	pidfd = standin_child(&s, &child);
	ck_assert_int_ge(pidfd, 0);
	ck_assert_int_eq(proc_state(child) == 'S' || proc_state(child) == 'R', 1);
	standin_end(&s);				/* returns: both gone */
	ck_assert_int_eq(proc_state(child), 0);
	close(pidfd);
}
END_TEST

START_TEST(test_socket_closed_before_the_fork)
{
	struct standin s;

	start(&s, "sleep");
	standin_end(&s);		/* the stand-in exits without a child */
	ck_assert_int_eq(s.ctl, -1);
}
END_TEST

static Suite *standin_suite(void)
{
	Suite *s = suite_create("parent_standin");
	TCase *tc = tcase_create("standin");

	tcase_add_test(tc, test_child_ends_as_a_zombie_until_read);
	tcase_add_test(tc, test_closed_socket_ends_the_child);
	tcase_add_test(tc, test_socket_closed_before_the_fork);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	/* the stand-in's child: this program again */
	if (argc == 2 && !strcmp(argv[1], "exit7"))
		return 7;
	if (argc == 2 && !strcmp(argv[1], "sleep")) {
		sleep(60);
		return 0;
	}
	return check_run(standin_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
