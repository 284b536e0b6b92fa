// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_deputy.c - the deputy stub, run for real, driven by ssid's deputy
 * code.
 *
 * A forked child maps the stub blob (kmod/stub/stub.bin, the very bytes
 * ssi.ko embeds), an area and a stack, and enters it with the registers
 * of the entry contract (deputy_proto.h), as the module does after a dump.
 * From then on the child is a deputy: it owns "home" fds and a cwd, and
 * the test sends it forwarded calls built by call_remote.c.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "run_suite.h"
#include "kmod/stub/deputy_proto.h"
#include "kmod/uapi/ssi.h"
#include "ssid/forward/deputy_driver.h"
#include "ssid/forward/call_remote.h"
#include "stub_child.h"


static int pipe_r, pipe_w, slow_r, slow_w;

/* Forward nr(args) through the deputy; returns the syscall's result. */
static int64_t fwd(struct ssi_deputy *d, long nr, uint64_t a0, uint64_t a1, uint64_t a2,
		   uint64_t a3)
{
	struct ssi_fwd_pending p = { 0 };
	uint64_t args[6] = { a0, a1, a2, a3, 0, 0 };
	void *rep;
	size_t rlen;
	int64_t ret;
	int err;

	err = ssi_fwd_build(&p, nr, args, &ssi_mem_self, NULL);
	if (err) {
		ssi_fwd_pending_free(&p);
		return err;
	}
	ck_assert_int_eq(ssi_deputy_call(d, p.msg, p.msg_len, &rep, &rlen), 0);
	ck_assert_int_eq(ssi_fwd_apply(&p, rep, rlen, &ret, &ssi_mem_self, NULL), 0);
	free(rep);
	ssi_fwd_pending_free(&p);
	return ret;
}

static int last_sig, nsigs;
static int32_t last_value;

static void on_signal(struct ssi_deputy *d, int sig, const void *info, void *arg)
{
	const siginfo_t *si = info;

	last_sig = sig;
	last_value = si->si_value.sival_int;
	nsigs++;
}

static void setup(void)
{
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	pipe_r = p[0];
	pipe_w = p[1];
	ck_assert_int_eq(pipe(p), 0);
	slow_r = p[0];
	slow_w = p[1];
}

START_TEST(test_calls_run_in_the_deputy)
{
	struct ssi_deputy d;
	char buf[256];
	pid_t pid;
	int status;

	setup();
	pid = stub_child_spawn(&d);
	ck_assert_int_eq(fwd(&d, __NR_write, pipe_w, (uintptr_t)"hello", 5, 0), 5);
	ck_assert_int_eq(read(pipe_r, buf, sizeof(buf)), 5);
	ck_assert_int_eq(memcmp(buf, "hello", 5), 0);
	ck_assert_int_eq(write(pipe_w, "world", 5), 5);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(fwd(&d, __NR_read, pipe_r, (uintptr_t)buf, sizeof(buf), 0), 5);
	ck_assert_str_eq(buf, "world");
	/* the deputy's cwd, not ours */
	ck_assert_int_gt(fwd(&d, __NR_getcwd, (uintptr_t)buf, sizeof(buf), 0, 0), 0);
	ck_assert_str_eq(buf, "/tmp");
	/* errors come back as errors */
	ck_assert_int_eq(fwd(&d, __NR_read, 777, (uintptr_t)buf, 1, 0), -EBADF);
	ck_assert_uint_ge(d.calls, 4);

	ck_assert_int_eq(ssi_deputy_finish(&d, 7 << 8), 0);	/* exited 7 */
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 7);
	close(d.chan);
}
END_TEST

START_TEST(test_channel_is_invisible)
{
	struct ssi_deputy d;
	pid_t pid;
	int status;

	setup();
	pid = stub_child_spawn(&d);
	ck_assert_int_eq(fwd(&d, __NR_close, (uint64_t)d.stub_chan, 0, 0, 0), -EBADF);
	ck_assert_int_eq(fwd(&d, __NR_dup2, 0, (uint64_t)d.stub_chan, 0, 0), -EBADF);
	ck_assert_int_eq(fwd(&d, __NR_fcntl, (uint64_t)d.stub_chan, F_GETFD, 0, 0), -EBADF);
	/* closing every fd from 3 up keeps the channel and closes the rest */
	ck_assert_int_eq(fwd(&d, __NR_close_range, 3, ~0U, 0, 0), 0);
	ck_assert_int_eq(fwd(&d, __NR_write, pipe_w, (uintptr_t)"x", 1, 0), -EBADF);
	ck_assert_int_eq(fwd(&d, __NR_write, 2, (uintptr_t)"", 0, 0), 0);
	/* the remote may only ask for what the table forwards */
	{
		struct ssi_fwd_pending p = { 0 };
		uint64_t args[6] = { 1, (uintptr_t)"x", 1 };
		void *rep;
		size_t rlen;
		int64_t ret;

		ck_assert_int_eq(ssi_fwd_build(&p, __NR_write, args, &ssi_mem_self, NULL), 0);
		((struct ssi_fwd_req *)p.msg)->nr = __NR_execve;
		ck_assert_int_eq(ssi_deputy_call(&d, p.msg, p.msg_len, &rep, &rlen), 0);
		ck_assert_int_eq(ssi_fwd_apply(&p, rep, rlen, &ret, &ssi_mem_self, NULL), 0);
		ck_assert_int_eq(ret, -ENOSYS);
		free(rep);
		/* and a malformed request is refused before reaching the deputy */
		ck_assert_int_eq(ssi_deputy_call(&d, p.msg, p.msg_len - 1, &rep, &rlen), -EINVAL);
		ssi_fwd_pending_free(&p);
	}
	ck_assert_int_eq(ssi_deputy_finish(&d, 0), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(d.chan);
}
END_TEST

START_TEST(test_signals_reach_ssid)
{
	struct ssi_deputy d;
	union sigval v = { .sival_int = 31337 };
	char buf[16];
	pid_t pid, helper;
	int status;

	setup();
	pid = stub_child_spawn(&d);
	d.on_signal = on_signal;
	nsigs = 0;

	/* a signal while idle: poll picks it up with its siginfo */
	ck_assert_int_eq(sigqueue(pid, SIGUSR1, v), 0);
	for (int i = 0; i < 100 && ssi_deputy_poll(&d) == -EAGAIN; i++)
		usleep(10000);
	ck_assert_int_eq(nsigs, 1);
	ck_assert_int_eq(last_sig, SIGUSR1);
	ck_assert_int_eq(last_value, 31337);

	/*
	 * A signal during a blocked forwarded read: reported at once, and the
	 * read is restarted at home (SA_RESTART), completing with the data.
	 */
	helper = fork();
	ck_assert_int_ge(helper, 0);
	if (helper == 0) {
		union sigval v2 = { .sival_int = 2 };

		usleep(100000);
		sigqueue(pid, SIGUSR2, v2);
		usleep(100000);
		_exit(write(slow_w, "late", 4) == 4 ? 0 : 1);
	}
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(fwd(&d, __NR_read, slow_r, (uintptr_t)buf, sizeof(buf), 0), 4);
	ck_assert_str_eq(buf, "late");
	ck_assert_int_eq(nsigs, 2);
	ck_assert_int_eq(last_sig, SIGUSR2);
	ck_assert_int_eq(waitpid(helper, &status, 0), helper);

	/* the remote died of SIGSEGV: so does the deputy, without a core */
	ck_assert_int_eq(ssi_deputy_finish(&d, SIGSEGV), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(WTERMSIG(status), SIGSEGV);
	ck_assert(!WCOREDUMP(status));
	close(d.chan);
}
END_TEST

START_TEST(test_ssid_gone_kills_deputy)
{
	struct ssi_deputy d;
	struct ssi_dep_cmd junk;
	struct ssi_dep_event ev;
	pid_t pid;
	int status;

	setup();
	pid = stub_child_spawn(&d);
	/* a malformed command gets an error, the stub carries on */
	memset(&junk, 0x5a, sizeof(junk));
	ck_assert_int_eq(send(d.chan, &junk, sizeof(junk), 0), sizeof(junk));
	ck_assert_int_eq(recv(d.chan, &ev, sizeof(ev), 0), sizeof(ev));
	ck_assert_int_eq(ev.type, SSI_DEP_ERROR);
	ck_assert_int_eq(fwd(&d, __NR_write, pipe_w, (uintptr_t)"ok", 2, 0), 2);
	/* ssid (or the remote node) is lost: the deputy ends as if SIGKILLed */
	close(d.chan);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(WTERMSIG(status), SIGKILL);
}
END_TEST

static bool task_exists(pid_t pid, pid_t tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)pid, (int)tid);
	return access(path, F_OK) == 0;
}

/*
 * A deputy thread started for a thread created on the remote node: it runs
 * calls of its own while the first one is blocked, in the same process (fd
 * table, cwd), its channel sits one below the first one's and is hidden,
 * it ends alone, and its seat serves the next one.
 */
START_TEST(test_spawned_thread_serves_calls)
{
	struct ssi_deputy d, t;
	struct ssi_deputy_seat seat = { .index = 1 };
	struct ssi_fwd_pending slow = { 0 };
	uint64_t args[6] = { 0 };
	char buf[256], c;
	void *rep;
	size_t rlen;
	pid_t pid;
	int i, status;

	setup();
	pid = stub_child_spawn(&d);
	ck_assert_int_eq(ssi_deputy_spawn(&d, &seat, 5000), 0);
	ck_assert_int_gt(seat.tid, pid);
	ck_assert(task_exists(pid, seat.tid));
	ck_assert_uint_ne(seat.area, 0);
	ck_assert_uint_ne(seat.stack, 0);
	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(ssi_deputy_attach_thread(&t, pid, seat.tid, seat.chan, seat.area,
						  SSI_DEPUTY_AREA_DEFAULT, 5000), 0);
	ck_assert_int_eq(t.stub_chan, d.stub_chan - 1);
	ssi_deputy_hide(&d, t.stub_chan, d.stub_chan);
	ssi_deputy_hide(&t, t.stub_chan, d.stub_chan);

	/* the leader blocks in a read at home; the new thread goes on */
	args[0] = (uint64_t)slow_r;
	args[1] = (uintptr_t)buf;
	args[2] = 1;
	ck_assert_int_eq(ssi_fwd_build(&slow, __NR_read, args, &ssi_mem_self, NULL), 0);
	ck_assert_int_eq(ssi_deputy_start(&d, slow.msg, slow.msg_len, &rep, &rlen), 0);
	ck_assert_int_eq(fwd(&t, __NR_write, pipe_w, (uintptr_t)"spawned", 7, 0), 7);
	ck_assert_int_eq(read(pipe_r, buf, sizeof(buf)), 7);
	ck_assert_int_gt(fwd(&t, __NR_getcwd, (uintptr_t)buf, sizeof(buf), 0, 0), 0);
	ck_assert_str_eq(buf, "/tmp");
	ck_assert_int_eq(fwd(&t, __NR_close, (uint64_t)d.stub_chan, 0, 0, 0), -EBADF);
	ck_assert_int_eq(write(slow_w, "x", 1), 1);
	for (i = 0; i < 500; i++) {
		int r = ssi_deputy_event(&d, &rep, &rlen);

		if (r == 1)
			break;
		ck_assert(r == 0 || r == -EAGAIN);
		usleep(10000);
	}
	ck_assert_int_lt(i, 500);
	free(rep);
	ssi_fwd_pending_free(&slow);

	/* it ends alone; its seat serves the next thread */
	ck_assert_int_eq(ssi_deputy_end_thread(&t), 0);
	ck_assert_int_eq(recv(t.chan, &c, 1, 0), 0);
	for (i = 0; i < 500 && task_exists(pid, seat.tid); i++)
		usleep(10000);
	ck_assert(!task_exists(pid, seat.tid));
	close(t.chan);
	{
		struct ssi_deputy_seat again = seat;

		ck_assert_int_eq(ssi_deputy_spawn(&d, &again, 5000), 0);
		ck_assert_uint_eq(again.area, seat.area);
		ck_assert_uint_eq(again.stack, seat.stack);
		ck_assert_int_ne(again.tid, seat.tid);
		memset(&t, 0, sizeof(t));
		ck_assert_int_eq(ssi_deputy_attach_thread(&t, pid, again.tid, again.chan,
							  again.area, SSI_DEPUTY_AREA_DEFAULT,
							  5000), 0);
		ck_assert_int_eq(fwd(&t, __NR_write, pipe_w, (uintptr_t)"again", 5, 0), 5);
	}

	/* an exit_group from the leader's stub ends every thread */
	ck_assert_int_eq(ssi_deputy_finish(&d, 3 << 8), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 3);
	close(d.chan);
	close(t.chan);
}
END_TEST

static Suite *deputy_suite(void)
{
	Suite *s = suite_create("deputy");
	TCase *tc = tcase_create("stub");

	tcase_add_test(tc, test_calls_run_in_the_deputy);
	tcase_add_test(tc, test_channel_is_invisible);
	tcase_add_test(tc, test_signals_reach_ssid);
	tcase_add_test(tc, test_ssid_gone_kills_deputy);
	tcase_add_test(tc, test_spawned_thread_serves_calls);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	int failed = check_run(deputy_suite());

	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
