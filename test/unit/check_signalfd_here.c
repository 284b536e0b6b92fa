// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_signalfd_here.c - a migrated process's signalfds
 * (ssid/forward/signalfd_here.c): home lists each with its flags and
 * mask, refuses one an epoll set watches (and not_carried() says so
 * before the freeze), and a wait that involves one runs where the
 * process runs only when every fd it waits for is served there.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/syscall.h>

#include "run_suite.h"
#include "ssid/forward/signalfd_here.h"
#include "ssid/migrate/not_carried.h"

struct seen {
	int n, fd[4], flags[4];
	uint64_t mask[4];
};

static void note(void *arg, int fd, int flags, uint64_t mask,
		 const struct seq_pos *none, const char *name)
{
	struct seen *s = arg;

	ck_assert_str_eq(name, SIGNALFD_HERE);
	ck_assert_ptr_null(none);
	ck_assert_int_lt(s->n, 4);
	s->fd[s->n] = fd;
	s->flags[s->n] = flags;
	s->mask[s->n++] = mask;
}

/* bit N-1: signal N; 32 and 64 too, which glibc's sigset_t keeps out */
#define MASK	((1ULL << (SIGUSR1 - 1)) | (1ULL << 31) | (1ULL << 63))

START_TEST(test_held_flags_and_mask)
{
	uint64_t mask = MASK;
	struct seen s = { 0 };
	char err[256] = "";
	int a, b, i;

	a = (int)syscall(SYS_signalfd4, -1, &mask, sizeof(mask), O_NONBLOCK);
	b = signalfd_open(1ULL << (SIGTERM - 1), O_NONBLOCK | O_CLOEXEC);
	ck_assert_int_ge(a, 0);
	ck_assert_int_ge(b, 0);
	ck_assert_int_eq(signalfd_held(getpid(), 4, note, &s, err, sizeof(err)), 0);
	ck_assert_int_eq(s.n, 2);
	for (i = 0; i < 2; i++) {
		if (s.fd[i] == a) {
			/* the kernel drops SIGKILL and SIGSTOP only */
			ck_assert_uint_eq(s.mask[i], MASK);
			ck_assert_int_eq(s.flags[i], O_NONBLOCK);
		} else {
			ck_assert_int_eq(s.fd[i], b);
			ck_assert_uint_eq(s.mask[i], 1ULL << (SIGTERM - 1));
			/* signalfd_open() makes it close-on-exec */
			ck_assert_int_eq(s.flags[i], O_NONBLOCK | O_CLOEXEC);
		}
	}
	s.n = 0;
	ck_assert_int_eq(signalfd_held(getpid(), 1, note, &s, err, sizeof(err)), EOPNOTSUPP);
	ck_assert_msg(strstr(err, "2 signalfds, more than the 1"), "reason: %s", err);
	ck_assert_int_eq(s.n, 0);
	close(a);
	close(b);
}
END_TEST

START_TEST(test_epoll_refused)
{
	struct epoll_event ev = { .events = EPOLLIN };
	char err[256] = "", want[64];
	struct seen s = { 0 };
	int sfd, ep, other;

	sfd = signalfd_open(1ULL << (SIGUSR2 - 1), 0);
	ep = epoll_create1(EPOLL_CLOEXEC);
	other = epoll_create1(EPOLL_CLOEXEC);	/* watches something else */
	ck_assert_int_ge(sfd, 0);
	ck_assert_int_ge(ep, 0);
	ck_assert_int_ge(other, 0);
	ck_assert_int_eq(epoll_ctl(other, EPOLL_CTL_ADD, ep, &ev), 0);
	ck_assert_int_eq(not_carried(getpid(), "Seccomp:\t0\n", err, sizeof(err)), 0);
	ck_assert_int_eq(epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev), 0);
	ck_assert_int_eq(signalfd_held(getpid(), 4, note, &s, err, sizeof(err)), EOPNOTSUPP);
	snprintf(want, sizeof(want), "(fd %d in fd %d)", sfd, ep);
	ck_assert_msg(strstr(err, "a signalfd watched by an epoll") && strstr(err, want),
		      "reason: %s", err);
	ck_assert_int_eq(not_carried(getpid(), "Seccomp:\t0\n", err, sizeof(err)), EOPNOTSUPP);
	ck_assert_msg(strstr(err, "watched by an epoll") && strstr(err, "continues on this node"),
		      "reason: %s", err);
	close(ep);		/* no set watches it any more */
	ck_assert_int_eq(not_carried(getpid(), "Seccomp:\t0\n", err, sizeof(err)), 0);
	close(other);
	close(sfd);
}
END_TEST

/* A set that watches hundreds of fds: its fdinfo is long, all of it is read. */
START_TEST(test_epoll_big_set)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int efd[300], sfd, ep, i;
	char err[256] = "";
	struct seen s = { 0 };

	ep = epoll_create1(EPOLL_CLOEXEC);
	ck_assert_int_ge(ep, 0);
	for (i = 0; i < 300; i++) {
		efd[i] = eventfd(0, EFD_CLOEXEC);
		ck_assert_int_ge(efd[i], 0);
		ck_assert_int_eq(epoll_ctl(ep, EPOLL_CTL_ADD, efd[i], &ev), 0);
	}
	sfd = signalfd_open(1ULL << (SIGUSR2 - 1), 0);
	ck_assert_int_ge(sfd, 0);
	ck_assert_int_eq(signalfd_held(getpid(), 4, note, &s, err, sizeof(err)), 0);
	ck_assert_int_eq(epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev), 0);
	ck_assert_int_eq(signalfd_held(getpid(), 4, note, &s, err, sizeof(err)), EOPNOTSUPP);
	ck_assert_msg(strstr(err, "watched by an epoll"), "reason: %s", err);
	for (i = 0; i < 300; i++)
		close(efd[i]);
	close(ep);
	close(sfd);
}
END_TEST

/* The fds served where the process runs: 5 a signalfd, 6 a /proc entry. */
static void served(struct proc_self_fds *s)
{
	memset(s, 0, sizeof(*s));
	ck_assert_int_eq(proc_self_fds_add(s, 5, SIGNALFD_HERE), 0);
	ck_assert_int_eq(proc_self_fds_add(s, 6, "4242/stat"), 0);
}

static enum signalfd_wait wait_of(const struct proc_self_fds *s, long nr,
				  const uint64_t args[6])
{
	struct ssi_fwd_pending p = { 0 };
	enum signalfd_wait w;

	ck_assert_int_eq(ssi_fwd_build(&p, nr, args, &ssi_mem_self, NULL), 0);
	w = signalfd_wait(s, &p, (int)nr);
	ssi_fwd_pending_free(&p);
	return w;
}

START_TEST(test_poll_where)
{
	struct pollfd pfd[3] = { { 5, POLLIN, 0 }, { 6, POLLIN, 0 }, { -1, 0, 0 } };
	uint64_t a[6] = { (uintptr_t)pfd, 3, 0 };
	struct proc_self_fds s;

	served(&s);
	ck_assert_int_eq(wait_of(&s, __NR_poll, a), SIGNALFD_WAIT_HERE);
	pfd[2].fd = 7;			/* one served at home */
	ck_assert_int_eq(wait_of(&s, __NR_poll, a), SIGNALFD_WAIT_HOME);
	ck_assert_int_eq(wait_of(&s, __NR_ppoll, a), SIGNALFD_WAIT_HOME);
	pfd[0].fd = 8;			/* no signalfd: as any call */
	ck_assert_int_eq(wait_of(&s, __NR_poll, a), SIGNALFD_WAIT_NONE);
	a[1] = 0;
	ck_assert_int_eq(wait_of(&s, __NR_poll, a), SIGNALFD_WAIT_NONE);
	proc_self_fds_free(&s);
	pfd[0].fd = 5;
	a[1] = 1;			/* nothing served here */
	ck_assert_int_eq(wait_of(&s, __NR_poll, a), SIGNALFD_WAIT_NONE);
}
END_TEST

START_TEST(test_select_where)
{
	fd_set r, w;
	uint64_t a[6] = { 7, (uintptr_t)&r, (uintptr_t)&w, 0, 0, 0 };
	struct proc_self_fds s;

	served(&s);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(5, &r);
	FD_SET(6, &w);
	ck_assert_int_eq(wait_of(&s, __NR_select, a), SIGNALFD_WAIT_HERE);
	a[0] = 6;			/* nfds leaves 6 out: 5 alone */
	ck_assert_int_eq(wait_of(&s, __NR_select, a), SIGNALFD_WAIT_HERE);
	FD_SET(2, &w);
	ck_assert_int_eq(wait_of(&s, __NR_pselect6, a), SIGNALFD_WAIT_HOME);
	FD_CLR(5, &r);
	ck_assert_int_eq(wait_of(&s, __NR_select, a), SIGNALFD_WAIT_NONE);
	proc_self_fds_free(&s);
}
END_TEST

START_TEST(test_epoll_ctl_where)
{
	struct epoll_event ev = { .events = EPOLLIN };
	uint64_t a[6] = { 9, EPOLL_CTL_ADD, 5, (uintptr_t)&ev, 0, 0 };
	struct proc_self_fds s;

	served(&s);
	ck_assert_int_eq(wait_of(&s, __NR_epoll_ctl, a), SIGNALFD_WAIT_HOME);
	a[1] = EPOLL_CTL_MOD;
	ck_assert_int_eq(wait_of(&s, __NR_epoll_ctl, a), SIGNALFD_WAIT_HOME);
	a[1] = EPOLL_CTL_DEL;
	ck_assert_int_eq(wait_of(&s, __NR_epoll_ctl, a), SIGNALFD_WAIT_NONE);
	a[1] = EPOLL_CTL_ADD;
	a[2] = 6;			/* a /proc entry: home says EPERM */
	ck_assert_int_eq(wait_of(&s, __NR_epoll_ctl, a), SIGNALFD_WAIT_NONE);
	proc_self_fds_free(&s);
}
END_TEST

static Suite *signalfd_here_suite(void)
{
	Suite *s = suite_create("signalfd_here");
	TCase *tc = tcase_create("signalfd");

	tcase_add_test(tc, test_held_flags_and_mask);
	tcase_add_test(tc, test_epoll_refused);
	tcase_add_test(tc, test_epoll_big_set);
	tcase_add_test(tc, test_poll_where);
	tcase_add_test(tc, test_select_where);
	tcase_add_test(tc, test_epoll_ctl_where);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	int failed = check_run(signalfd_here_suite());

	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
