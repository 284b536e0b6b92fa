// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_proc_self.c - which paths name a migrated process's own /proc
 * entries served where it runs (ssid/forward/proc_self.c), the set of
 * fds that hold one, and which calls on them run there.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "run_suite.h"
#include "ssid/forward/proc_self.h"

#define PID	4242U
#define TID	4250U	/* its other thread */

static bool thread_of(const void *arg, uint32_t tid)
{
	(void)arg;
	return tid == TID;
}

/* @path served here as @want ("" for: not served). */
static void expect(const char *path, uint32_t caller, const char *want)
{
	char out[PROC_SELF_PATH_MAX] = "";
	bool here = proc_self_path(path, PID, caller, thread_of, NULL, out);

	ck_assert_msg(here == (want[0] != '\0'), "%s: served here %d", path, here);
	if (here)
		ck_assert_str_eq(out, want);
}

START_TEST(test_paths_served_here)
{
	expect("/proc/self/maps", PID, "4242/maps");
	expect("/proc/self/cmdline", TID, "4242/cmdline");
	expect("//proc/./self//environ", PID, "4242/environ");
	expect("/proc/4242/status", PID, "4242/status");
	expect("/proc/thread-self/comm", TID, "4242/task/4250/comm");
	expect("/proc/self/task/4250/stat", PID, "4242/task/4250/stat");
	expect("/proc/4242/task/4242/sched", PID, "4242/task/4242/sched");
	expect("/proc/4250/smaps_rollup", PID, "4242/task/4250/smaps_rollup");
	expect("/proc/self/mem", PID, "4242/mem");
	expect("/proc/self/pagemap", PID, "4242/pagemap");
}
END_TEST

START_TEST(test_paths_read_at_home)
{
	expect("/proc/self/fd/3", PID, "");		/* fds live at home */
	expect("/proc/self/mountinfo", PID, "");
	expect("/proc/self/cwd", PID, "");
	expect("/proc/self/task", PID, "");
	expect("/proc/self", PID, "");
	expect("/proc/1/maps", PID, "");		/* another process */
	expect("/proc/4243/maps", PID, "");
	expect("/proc/04242/maps", PID, "");		/* not how proc names it */
	expect("/proc/self/task/4251/maps", PID, "");	/* not one of its threads */
	expect("/proc/4250/task/4250/maps", PID, "");
	expect("/proc/self/../1/maps", PID, "");	/* ".." is not followed */
	expect("/proc/thread-self/comm", 0, "");
	expect("proc/self/maps", PID, "");		/* relative */
	expect("/sys/self/maps", PID, "");
	expect("/proc/self/maps/x", PID, "");
	expect("/proc/99999999999/maps", PID, "");
}
END_TEST

START_TEST(test_paths_from_a_peer)
{
	ck_assert(proc_self_valid("4242/maps", PID, thread_of, NULL));
	ck_assert(proc_self_valid("4242/task/4250/comm", PID, thread_of, NULL));
	ck_assert(!proc_self_valid("4243/maps", PID, thread_of, NULL));
	ck_assert(!proc_self_valid("4242/fd/3", PID, thread_of, NULL));
	ck_assert(!proc_self_valid("self/maps", PID, thread_of, NULL));
	ck_assert(!proc_self_valid("4242//maps", PID, thread_of, NULL));
	ck_assert(!proc_self_valid("4242/../1/maps", PID, thread_of, NULL));
	ck_assert(!proc_self_valid("", PID, thread_of, NULL));
}
END_TEST

static bool no_threads(const void *arg, uint32_t tid)
{
	(void)arg;
	(void)tid;
	return false;
}

struct held {
	int n, fd, flags;
	uint64_t pos;
	bool seq;
	char path[PROC_SELF_PATH_MAX];
};

static void held_cb(void *arg, int fd, int flags, uint64_t pos,
		    const struct seq_pos *seq, const char *path)
{
	struct held *h = arg;

	h->n++;
	h->fd = fd;
	h->flags = flags;
	h->pos = pos;
	h->seq = seq != NULL;
	snprintf(h->path, sizeof(h->path), "%s", path);
}

/* This process's own fds: one of /proc/self/status, read a little. */
START_TEST(test_held_fds_and_offsets)
{
	char want[PROC_SELF_PATH_MAX], buf[16];
	struct held h = { 0 };
	int fd = open("/proc/self/status", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(pidfd, 0);
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), sizeof(buf));
	ck_assert_int_eq(proc_self_held(getpid(), (uint32_t)getpid(), no_threads, NULL,
					held_cb, &h), 0);
	snprintf(want, sizeof(want), "%d/status", (int)getpid());
	ck_assert_int_eq(h.n, 1);
	ck_assert_int_eq(h.fd, fd);
	ck_assert_int_eq(h.flags, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ck_assert_uint_eq(h.pos, sizeof(buf));
	ck_assert(!h.seq);	/* no ssi.ko on a build host */
	ck_assert_str_eq(h.path, want);

	ck_assert_int_eq(proc_self_set_pos(pidfd, getpid(), (uint32_t)getpid(),
					   no_threads, NULL, fd, 3, NULL, want), 0);
	ck_assert_int_eq(lseek(fd, 0, SEEK_CUR), 3);
	ck_assert_int_eq(proc_self_set_pos(pidfd, getpid(), (uint32_t)getpid(),
					   no_threads, NULL, fd, 9, NULL, "1/status"), -ESTALE);
	ck_assert_int_eq(proc_self_set_pos(pidfd, getpid(), (uint32_t)getpid(),
					   no_threads, NULL, 0, 9, NULL, want), -ESTALE);
	ck_assert_int_eq(lseek(fd, 0, SEEK_CUR), 3);
	close(fd);
	close(pidfd);
}
END_TEST

START_TEST(test_fd_set)
{
	struct proc_self_fds s = { 0 };
	uint64_t gen;
	int fd;

	for (fd = 3; fd < 40; fd++)
		ck_assert_int_eq(proc_self_fds_add(&s, fd, "1/maps"), 0);
	gen = proc_self_fds_gen(&s, 7);
	ck_assert_uint_ne(gen, 0);
	/* installed again (another thread's open got the number): a new install */
	ck_assert_int_eq(proc_self_fds_add(&s, 7, "1/stat"), 0);	/* once only */
	ck_assert_str_eq(proc_self_fds_path(&s, 7), "1/stat");
	ck_assert_uint_gt(proc_self_fds_gen(&s, 7), gen);
	ck_assert_uint_eq(proc_self_fds_gen(&s, 2), 0);
	ck_assert_uint_eq(s.n, 37);
	ck_assert(proc_self_fds_drop(&s, 7));
	ck_assert(!proc_self_fds_drop(&s, 7));
	ck_assert(!proc_self_fds_has(&s, 7));
	ck_assert_uint_eq(proc_self_fds_gen(&s, 7), 0);
	ck_assert_uint_eq(proc_self_fds_drop_range(&s, 10, 19), 10);
	ck_assert(proc_self_fds_has(&s, 9) && proc_self_fds_has(&s, 20));
	ck_assert_uint_eq(proc_self_fds_drop_range(&s, 0, ~0U), 26);
	ck_assert_uint_eq(s.n, 0);
	proc_self_fds_free(&s);
}
END_TEST

START_TEST(test_calls_that_run_here)
{
	struct proc_self_fds s = { 0 };
	uint64_t a[6] = { 5, 0, F_DUPFD_CLOEXEC, 0, 0, 0 };
	bool cloexec;

	ck_assert(!proc_self_runs_here(&s, __NR_read, a));
	ck_assert_int_eq(proc_self_fds_add(&s, 5, "4242/maps"), 0);
	ck_assert(proc_self_runs_here(&s, __NR_read, a));
	ck_assert(proc_self_runs_here(&s, __NR_pread64, a));
	ck_assert(proc_self_runs_here(&s, __NR_lseek, a));
	ck_assert(proc_self_runs_here(&s, __NR_pwritev2, a));
	ck_assert(!proc_self_runs_here(&s, __NR_fstat, a));	/* at home */
	ck_assert(!proc_self_runs_here(&s, __NR_close, a));	/* both */
	a[0] = 5 | (1ULL << 32);	/* the kernel reads an unsigned int */
	ck_assert(proc_self_runs_here(&s, __NR_read, a));
	a[0] = 6;
	ck_assert(!proc_self_runs_here(&s, __NR_read, a));

	a[0] = 5;
	ck_assert_int_eq(proc_self_dup_source(__NR_dup, a, &cloexec), 5);
	ck_assert(!cloexec);
	a[1] = F_DUPFD_CLOEXEC;
	ck_assert_int_eq(proc_self_dup_source(__NR_fcntl, a, &cloexec), 5);
	ck_assert(cloexec);
	a[1] = F_GETFL;
	ck_assert_int_eq(proc_self_dup_source(__NR_fcntl, a, &cloexec), -1);
	a[2] = O_CLOEXEC;
	ck_assert_int_eq(proc_self_dup_source(__NR_dup3, a, &cloexec), 5);
	ck_assert(cloexec);
	ck_assert_int_eq(proc_self_dup_source(__NR_read, a, &cloexec), -1);
	proc_self_fds_free(&s);
}
END_TEST

static Suite *proc_self_suite(void)
{
	Suite *s = suite_create("proc_self");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_paths_served_here);
	tcase_add_test(tc, test_paths_read_at_home);
	tcase_add_test(tc, test_paths_from_a_peer);
	tcase_add_test(tc, test_held_fds_and_offsets);
	tcase_add_test(tc, test_fd_set);
	tcase_add_test(tc, test_calls_that_run_here);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(proc_self_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
