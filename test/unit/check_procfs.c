// SPDX-License-Identifier: GPL-2.0
/*
 * check_procfs.c - ssid's /proc reader (ssid/common/procfs.c): the fields
 * of /proc/PID/stat past a comm with blanks and parentheses, the lines of
 * /proc/PID/status, and the files of this very process.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "ssid/common/procfs.h"
#include "run_suite.h"

START_TEST(test_stat_fields)
{
	uint64_t v;

	ck_assert_int_eq(procfs_stat_u64("42 (sleep) S 1 42 42 0 -1 4194304 "
		"100 0 0 0 0 0 0 0 20 0 1 0 987654 1234 56 18446744073709551615",
		22, &v), 0);
	ck_assert_uint_eq(v, 987654);
	ck_assert_int_eq(procfs_stat_u64("42 (sleep) S 1 42 42 0 -1 4194304 "
		"100 0 0 0 0 0 0 0 20 0 1 0 987654 1234 56 18446744073709551615",
		25, &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	/* comm with blanks and parentheses */
	ck_assert_int_eq(procfs_stat_u64("7 (a) b (c)) R 1 7 7 0 -1 0 0 0 0 0 "
		"0 0 0 0 20 0 1 0 55 0 0\n", 22, &v), 0);
	ck_assert_uint_eq(v, 55);
	ck_assert_int_eq(procfs_stat_u64("7 (x) R 1 2 3", 22, &v), -1);
	ck_assert_int_eq(procfs_stat_u64("7 (x) R 1 2 3\n", 7, &v), -1);
	ck_assert_int_eq(procfs_stat_u64("no paren", 22, &v), -1);
	ck_assert_int_eq(procfs_stat_u64("7 (x) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 "
		"20 0 1 0 x5", 22, &v), -1);
	/* field 8 (tty_pgrp) is -1: not an unsigned number */
	ck_assert_int_eq(procfs_stat_u64("7 (x) R 1 7 7 0 -1 0", 8, &v), -1);
	ck_assert_ptr_null(procfs_stat_field("7 (x) R", 2));
	ck_assert_str_eq(procfs_stat_field("7 (x) R 1", 4), "1");
}
END_TEST

START_TEST(test_stat_state)
{
	ck_assert_int_eq(procfs_stat_state("42 (sleep) S 1 42"), 'S');
	ck_assert_int_eq(procfs_stat_state("7 (a) R (b)) R 1 7"), 'R');
	ck_assert_int_eq(procfs_stat_state("7 (x)"), 0);
	ck_assert_int_eq(procfs_stat_state("no paren"), 0);
}
END_TEST

START_TEST(test_status_lines)
{
	const char *text = "Name:\tmy prog\nUmask:\t0022\nPPid:\t17\n"
			   "Uid:\t1000\t0\t0\t0\nGid:\t5\n"
			   "SigBlk:\t0000000000010000\nGroups:\t\n";
	uint64_t v;
	uid_t uid;

	ck_assert_int_eq(procfs_status_uid(text, &uid), 0);
	ck_assert_uint_eq(uid, 1000);
	ck_assert_int_eq(procfs_status_u64(text, "PPid", 10, &v), 0);
	ck_assert_uint_eq(v, 17);
	ck_assert_int_eq(procfs_status_u64(text, "SigBlk", 16, &v), 0);
	ck_assert_uint_eq(v, 0x10000);
	ck_assert_int_eq(strncmp(procfs_status_value(text, "Name"), "my prog\n", 8), 0);
	ck_assert_str_eq(procfs_status_value(text, "Groups"), "\n");
	/* a key is a whole line's key, not a prefix or a value */
	ck_assert_ptr_null(procfs_status_value(text, "Sig"));
	ck_assert_ptr_null(procfs_status_value(text, "prog"));
	ck_assert_int_eq(procfs_status_u64(text, "Groups", 10, &v), -1);

	ck_assert_int_eq(procfs_status_uid("Name:\tx\nGid:\t5\n", &uid), -1);
	ck_assert_int_eq(procfs_status_uid("Uid:\tabc\n", &uid), -1);
	ck_assert_int_eq(procfs_status_uid("Uid:\t4294967295\t0\n", &uid), -1);
	ck_assert_int_eq(procfs_status_uid("Uid:\t-1\t0\n", &uid), -1);

	/* all four ids of a line, or nothing */
	{
		uint64_t ids[4];

		ck_assert_int_eq(procfs_status_ids(text, "Uid", ids), 0);
		ck_assert(ids[0] == 1000 && ids[1] == 0 && ids[2] == 0 && ids[3] == 0);
		ck_assert_int_eq(procfs_status_ids(text, "Gid", ids), -1);	/* one id */
		ck_assert_int_eq(procfs_status_ids("Uid:\t1\t2\t3\tx\n", "Uid", ids), -1);
		ck_assert_int_eq(procfs_status_ids("Uid:\t1\t2\t3\t4294967295\n", "Uid", ids),
				 -1);
		ck_assert_int_eq(procfs_status_ids("Gid:\t7 8\t9\t10\nUid:\t0\n", "Gid", ids), 0);
		ck_assert(ids[0] == 7 && ids[1] == 8 && ids[2] == 9 && ids[3] == 10);
	}
}
END_TEST

/* The readers on this process, whose every value the test knows. */
START_TEST(test_read_self)
{
	char text[4096];
	sigset_t set;
	uint64_t v;
	uid_t uid;

	ck_assert_int_eq(procfs_read(getpid(), "stat", text, sizeof(text)), 0);
	ck_assert_int_eq(procfs_stat_state(text), 'R');
	ck_assert_int_eq(procfs_stat_u64(text, 4, &v), 0);
	ck_assert_uint_eq(v, (uint64_t)getppid());

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	ck_assert_int_eq(procfs_read(getpid(), "status", text, sizeof(text)), 0);
	ck_assert_int_eq(procfs_status_uid(text, &uid), 0);
	ck_assert_uint_eq(uid, getuid());
	ck_assert_int_eq(procfs_status_u64(text, "SigBlk", 16, &v), 0);
	ck_assert(v & (1ull << (SIGUSR2 - 1)));
	sigprocmask(SIG_UNBLOCK, &set, NULL);

	/* a small buffer: cut, still a string */
	ck_assert_int_eq(procfs_read(getpid(), "status", text, 8), 0);
	ck_assert_uint_eq(strlen(text), 7);
	/* no such process: -ESRCH, an empty string */
	ck_assert_int_eq(procfs_read(-1, "stat", text, sizeof(text)), -ESRCH);
	ck_assert_str_eq(text, "");
}
END_TEST

/* An fd's link and fdinfo: what it is, its flags, the rest for the caller. */
START_TEST(test_fds)
{
	char link[64], text[512];
	unsigned int flags;
	uint64_t pos;
	int p[2];

	ck_assert_int_eq(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	ck_assert_int_eq(procfs_fd_link(getpid(), p[0], link, sizeof(link)), 0);
	ck_assert_msg(!strncmp(link, "pipe:[", 6), "link %s", link);
	/* longer than the buffer: refused, not cut */
	ck_assert_int_eq(procfs_fd_link(getpid(), p[0], link, 6), -1);
	ck_assert_int_eq(procfs_fd_link(getpid(), 9999, link, sizeof(link)), -1);
	ck_assert_int_eq(procfs_fdinfo(getpid(), p[1], text, sizeof(text), &flags), 0);
	ck_assert_uint_eq(flags & (O_ACCMODE | O_NONBLOCK | O_CLOEXEC),
			  O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	ck_assert_int_eq(procfs_status_u64(text, "pos", 10, &pos), 0);
	ck_assert_int_eq(procfs_fdinfo(getpid(), 9999, text, sizeof(text), &flags), -ESRCH);
	close(p[0]);
	close(p[1]);
}
END_TEST

struct timer_seen {
	int n, ids[4], clocks[4];
};

static int see_timer(int id, int clock, void *arg)
{
	struct timer_seen *t = arg;

	if (t->n < 4) {
		t->ids[t->n] = id;
		t->clocks[t->n] = clock;
	}
	t->n++;
	return 0;
}

/* Each POSIX timer with its clock; a CPU-time clock reads negative. */
START_TEST(test_timers)
{
	struct timer_seen seen = { 0 };
	timer_t mono, cpu;
	int i, found = 0;

	ck_assert_int_eq(timer_create(CLOCK_MONOTONIC, NULL, &mono), 0);
	ck_assert_int_eq(timer_create(CLOCK_PROCESS_CPUTIME_ID, NULL, &cpu), 0);
	ck_assert_int_eq(procfs_each_timer(getpid(), see_timer, &seen), 0);
	ck_assert_int_eq(seen.n, 2);
	for (i = 0; i < 2; i++) {
		if (seen.ids[i] == (int)(intptr_t)mono)
			found += seen.clocks[i] == CLOCK_MONOTONIC;
		if (seen.ids[i] == (int)(intptr_t)cpu)
			found += seen.clocks[i] < 0;
	}
	ck_assert_int_eq(found, 2);
	timer_delete(mono);
	timer_delete(cpu);
	seen.n = 0;
	ck_assert_int_eq(procfs_each_timer(getpid(), see_timer, &seen), 0);
	ck_assert_int_eq(seen.n, 0);
	ck_assert_int_eq(procfs_each_timer(0x3fffffff, see_timer, &seen), -ESRCH);
}
END_TEST

static Suite *procfs_suite(void)
{
	Suite *s = suite_create("procfs");
	TCase *parse = tcase_create("parse"), *read = tcase_create("read");

	tcase_add_test(parse, test_stat_fields);
	tcase_add_test(parse, test_stat_state);
	tcase_add_test(parse, test_status_lines);
	tcase_add_test(read, test_read_self);
	tcase_add_test(read, test_fds);
	tcase_add_test(read, test_timers);
	suite_add_tcase(s, parse);
	suite_add_tcase(s, read);
	return s;
}

int main(void)
{
	int failed = check_run(procfs_suite());

	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
