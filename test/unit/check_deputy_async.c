// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_deputy_async.c - the asynchronous deputy API (ssi_deputy_start /
 * ssi_deputy_event) that ssid's event loop uses: a forwarded call that
 * blocks at home never blocks the caller, signals arrive while it waits,
 * and the deputy's death ends it.  The stub is the real one
 * (kmod/stub/stub.bin), entered in a forked child as check_deputy.c does.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "run_suite.h"
#include "ssid/forward/deputy_driver.h"
#include "ssid/forward/call_remote.h"
#include "stub_child.h"

static int pipe_r, pipe_w;

static int nsigs, last_sig;

static void on_signal(struct ssi_deputy *d, int sig, const void *info, void *arg)
{
	last_sig = sig;
	nsigs++;
}

static pid_t spawn(struct ssi_deputy *d)
{
	int p[2];
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pipe_r = p[0];
	pipe_w = p[1];
	pid = stub_child_spawn(d);
	d->on_signal = on_signal;
	nsigs = 0;
	return pid;
}

/* Wait up to @ms for the channel; then one event. */
static int event(struct ssi_deputy *d, int ms, void **rep, size_t *rlen)
{
	struct pollfd pfd = { .fd = d->chan, .events = POLLIN };

	if (poll(&pfd, 1, ms) == 0)
		return -EAGAIN;
	return ssi_deputy_event(d, rep, rlen);
}

START_TEST(test_blocking_read_does_not_block)
{
	struct ssi_fwd_pending p = { 0 };
	struct ssi_deputy d;
	char buf[16] = "";
	uint64_t args[6] = { 0, (uintptr_t)buf, sizeof(buf) };
	void *rep = NULL;
	size_t rlen;
	int64_t ret;
	int status;
	pid_t pid = spawn(&d);

	args[0] = (uint64_t)pipe_r;
	ck_assert_int_eq(ssi_fwd_build(&p, __NR_read, args, &ssi_mem_self, NULL), 0);
	ck_assert_int_eq(ssi_deputy_start(&d, p.msg, p.msg_len, &rep, &rlen), 0);
	ck_assert(d.cur.busy);
	/* the pipe is empty: nothing comes, and we are free meanwhile */
	ck_assert_int_eq(event(&d, 200, &rep, &rlen), -EAGAIN);
	ck_assert_int_eq(ssi_deputy_start(&d, p.msg, p.msg_len, &rep, &rlen), -EBUSY);
	/* a signal to the deputy arrives while the call waits */
	ck_assert_int_eq(kill(pid, SIGUSR1), 0);
	ck_assert_int_eq(event(&d, 5000, &rep, &rlen), 0);
	ck_assert_int_eq(last_sig, SIGUSR1);
	ck_assert(d.cur.busy);
	/* data at home: the call completes */
	ck_assert_int_eq(write(pipe_w, "home", 4), 4);
	ck_assert_int_eq(event(&d, 5000, &rep, &rlen), 1);
	ck_assert(!d.cur.busy);
	ck_assert_int_eq(ssi_fwd_apply(&p, rep, rlen, &ret, &ssi_mem_self, NULL), 0);
	ck_assert_int_eq(ret, 4);
	ck_assert_int_eq(memcmp(buf, "home", 4), 0);
	free(rep);
	ssi_fwd_pending_free(&p);

	ck_assert_int_eq(ssi_deputy_finish(&d, 3 << 8), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 3);
	close(d.chan);
	close(pipe_r);
	close(pipe_w);
}
END_TEST

/* Cancel the call in flight until its RESULT comes; return its value. */
static int64_t cancel_until_done(struct ssi_deputy *d, struct ssi_fwd_pending *p)
{
	void *rep = NULL;
	size_t rlen;
	int64_t ret;
	int r;

	do {
		ck_assert_int_eq(ssi_deputy_cancel(d), 0);
		r = event(d, 20, &rep, &rlen);
	} while (r == -EAGAIN || r == 0);
	ck_assert_int_eq(r, 1);
	ck_assert(!d->cur.busy);
	ck_assert_int_eq(ssi_fwd_apply(p, rep, rlen, &ret, &ssi_mem_self, NULL), 0);
	free(rep);
	return ret;
}

START_TEST(test_cancel_blocked_calls)
{
	struct ssi_fwd_pending p = { 0 };
	struct ssi_deputy d;
	struct pollfd pfd;
	char buf[16] = "";
	uint64_t args[6] = { 0, (uintptr_t)buf, sizeof(buf) };
	void *rep = NULL;
	size_t rlen;
	int64_t ret;
	int status;
	pid_t pid = spawn(&d);

	/* a read the kernel restarts after a handler: -ERESTARTSYS */
	args[0] = (uint64_t)pipe_r;
	ck_assert_int_eq(ssi_fwd_build(&p, __NR_read, args, &ssi_mem_self, NULL), 0);
	ck_assert_int_eq(ssi_deputy_start(&d, p.msg, p.msg_len, &rep, &rlen), 0);
	ck_assert_int_eq(event(&d, 100, &rep, &rlen), -EAGAIN);
	ck_assert_int_eq(cancel_until_done(&d, &p), -512);
	ssi_fwd_pending_free(&p);
	ck_assert_int_eq(nsigs, 0);	/* the cancel is not a signal of the process */

	/* poll is never restarted after a handler: -EINTR */
	pfd = (struct pollfd){ .fd = pipe_r, .events = POLLIN };
	memset(args, 0, sizeof(args));
	args[0] = (uintptr_t)&pfd;
	args[1] = 1;
	args[2] = (uint64_t)-1;
	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(ssi_fwd_build(&p, __NR_poll, args, &ssi_mem_self, NULL), 0);
	ck_assert_int_eq(ssi_deputy_start(&d, p.msg, p.msg_len, &rep, &rlen), 0);
	ck_assert_int_eq(event(&d, 100, &rep, &rlen), -EAGAIN);
	ck_assert_int_eq(cancel_until_done(&d, &p), -EINTR);
	ssi_fwd_pending_free(&p);

	/* the pipe's data was not consumed: the next read gets all of it */
	ck_assert_int_eq(write(pipe_w, "home", 4), 4);
	memset(&p, 0, sizeof(p));
	args[0] = (uint64_t)pipe_r;
	args[1] = (uintptr_t)buf;
	args[2] = sizeof(buf);
	ck_assert_int_eq(ssi_fwd_build(&p, __NR_read, args, &ssi_mem_self, NULL), 0);
	ck_assert_int_eq(ssi_deputy_call(&d, p.msg, p.msg_len, &rep, &rlen), 0);
	ck_assert_int_eq(ssi_fwd_apply(&p, rep, rlen, &ret, &ssi_mem_self, NULL), 0);
	ck_assert_int_eq(ret, 4);
	ck_assert_int_eq(memcmp(buf, "home", 4), 0);
	free(rep);
	ssi_fwd_pending_free(&p);

	/* nothing in flight: a cancel is a no-op; the process's own SIGRTMAX
	 * (not ssid's cancel) is relayed like any signal */
	ck_assert_int_eq(ssi_deputy_cancel(&d), 0);
	ck_assert_int_eq(kill(pid, SIGRTMAX), 0);
	pfd = (struct pollfd){ .fd = d.chan, .events = POLLIN };
	ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
	ck_assert_int_eq(ssi_deputy_poll(&d), 0);
	ck_assert_int_eq(nsigs, 1);
	ck_assert_int_eq(last_sig, SIGRTMAX);

	ck_assert_int_eq(ssi_deputy_finish(&d, 5 << 8), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 5);
	close(d.chan);
	close(pipe_r);
	close(pipe_w);
}
END_TEST

START_TEST(test_close_range_in_two_stages)
{
	struct ssi_fwd_pending p = { 0 };
	struct ssi_deputy d;
	uint64_t args[6] = { 3, ~0U, 0 };
	void *rep = NULL;
	size_t rlen;
	int64_t ret;
	int r, status;
	pid_t pid = spawn(&d);

	/* [3, ~0] spans the channel: two SYSCALLs behind one start */
	ck_assert_int_eq(ssi_fwd_build(&p, __NR_close_range, args, &ssi_mem_self, NULL), 0);
	ck_assert_int_eq(ssi_deputy_start(&d, p.msg, p.msg_len, &rep, &rlen), 0);
	while ((r = event(&d, 5000, &rep, &rlen)) == 0)
		;
	ck_assert_int_eq(r, 1);
	ck_assert_int_eq(ssi_fwd_apply(&p, rep, rlen, &ret, &ssi_mem_self, NULL), 0);
	ck_assert_int_eq(ret, 0);
	free(rep);
	ssi_fwd_pending_free(&p);
	/* the channel survived: the deputy still answers (its pipe is closed) */
	{
		char buf[4];

		memset(&p, 0, sizeof(p));
		args[0] = (uint64_t)pipe_r;
		args[1] = (uintptr_t)buf;
		args[2] = sizeof(buf);
		ck_assert_int_eq(ssi_fwd_build(&p, __NR_read, args, &ssi_mem_self, NULL), 0);
		ck_assert_int_eq(ssi_deputy_call(&d, p.msg, p.msg_len, &rep, &rlen), 0);
		ck_assert_int_eq(ssi_fwd_apply(&p, rep, rlen, &ret, &ssi_mem_self, NULL), 0);
		ck_assert_int_eq(ret, -EBADF);
		free(rep);
		ssi_fwd_pending_free(&p);
	}
	ck_assert_int_eq(ssi_deputy_finish(&d, 0), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(d.chan);
	close(pipe_r);
	close(pipe_w);
}
END_TEST

START_TEST(test_deputy_dies_during_a_call)
{
	struct ssi_fwd_pending p = { 0 };
	struct ssi_deputy d;
	char buf[8];
	uint64_t args[6] = { 0, (uintptr_t)buf, sizeof(buf) };
	void *rep = NULL;
	size_t rlen;
	int r;
	pid_t pid = spawn(&d);

	args[0] = (uint64_t)pipe_r;
	ck_assert_int_eq(ssi_fwd_build(&p, __NR_read, args, &ssi_mem_self, NULL), 0);
	ck_assert_int_eq(ssi_deputy_start(&d, p.msg, p.msg_len, &rep, &rlen), 0);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	while ((r = event(&d, 5000, &rep, &rlen)) == 0)
		;
	ck_assert_int_eq(r, -EPIPE);
	ck_assert(!d.cur.busy);
	waitpid(pid, NULL, 0);
	ssi_fwd_pending_free(&p);
	close(d.chan);
	close(pipe_r);
	close(pipe_w);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("deputy_async");
	TCase *tc = tcase_create("async");
	int failed;

	tcase_add_test(tc, test_blocking_read_does_not_block);
	tcase_add_test(tc, test_cancel_blocked_calls);
	tcase_add_test(tc, test_close_range_in_two_stages);
	tcase_add_test(tc, test_deputy_dies_during_a_call);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	failed = check_run(s);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
