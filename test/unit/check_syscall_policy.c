// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_syscall_policy.c - the syscall policy table and the seccomp filter
 * generated from it.
 *
 *  - every syscall the kernel headers define is named by the table;
 *  - forwarded entries' argument descriptors are well formed;
 *  - the generated BPF gives every number the table's verdict (run through
 *    a small interpreter of the opcodes the generator emits);
 *  - the filter, installed for real in a child, lets local calls through
 *    and turns the others into user notifications in order;
 *  - a received call waits killable only: a signal stays pending until
 *    the answer, which may be a restart code the child's kernel then acts
 *    on (SA_RESTART or not) as if it had run the call.
 */
#include <check.h>
#include <sys/prctl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/audit.h>
#include <linux/seccomp.h>

#include <signal.h>

#include "run_suite.h"
#include "ssid/forward/seccomp_filter.h"
#include "ssid/forward/syscall_policy.h"

#define UNISTD_H "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"
#define TEST_IOCTL_CMD 0xc030b501u

START_TEST(test_every_kernel_syscall_is_named)
{
	char line[256], name[128];
	unsigned int seen = 0;
	FILE *f = fopen(UNISTD_H, "r");
	long nr;

	ck_assert_msg(f, "cannot open %s: %s", UNISTD_H, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		const struct ssi_sc_entry *s;

		if (sscanf(line, "#define __NR_%127s %ld", name, &nr) != 2)
			continue;
		seen++;
		ck_assert_msg(nr <= SSI_SC_MAX, "%s (%ld) above SSI_SC_MAX", name, nr);
		s = ssi_sc_lookup(nr);
		ck_assert_msg(s->name, "syscall %s (%ld) is not in the table", name, nr);
		ck_assert_str_eq(s->name, name);
		ck_assert_msg(s->why && *s->why, "%s has no reason", name);
	}
	fclose(f);
	ck_assert_uint_gt(seen, 350);
}
END_TEST

START_TEST(test_unknown_numbers_pull_home)
{
	static const long odd[] = { -1, 335, 423, SSI_SC_MAX + 1, 0x40000000L, 100000 };
	size_t i;

	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		ck_assert_int_eq(ssi_sc_policy_of(odd[i]), SSI_SC_PULL_HOME);
		ck_assert_ptr_null(ssi_sc_lookup(odd[i])->name);
	}
}
END_TEST

START_TEST(test_known_decisions)
{
	ck_assert_int_eq(ssi_sc_policy_of(__NR_read), SSI_SC_FORWARD);
	ck_assert_int_eq(ssi_sc_policy_of(__NR_openat), SSI_SC_FORWARD);
	ck_assert_int_eq(ssi_sc_policy_of(__NR_uname), SSI_SC_FORWARD);
	ck_assert_int_eq(ssi_sc_policy_of(__NR_getpid), SSI_SC_LOCAL);
	ck_assert_int_eq(ssi_sc_policy_of(__NR_gettid), SSI_SC_LOCAL);
	ck_assert_int_eq(ssi_sc_policy_of(__NR_getppid), SSI_SC_CACHED);
	ck_assert_int_eq(ssi_sc_policy_of(__NR_brk), SSI_SC_LOCAL);
	ck_assert_int_eq(ssi_sc_policy_of(__NR_rt_sigreturn), SSI_SC_LOCAL);
	ck_assert_int_eq(ssi_sc_policy_of(__NR_restart_syscall), SSI_SC_LOCAL);
	ck_assert_int_eq(ssi_sc_policy_of(__NR_mmap), SSI_SC_LOCAL_IF);
	/* limits: read here, set at home (then here by the relay) */
	ck_assert_int_eq(ssi_sc_policy_of(__NR_prlimit64), SSI_SC_LOCAL_IF);
	ck_assert(ssi_sc_forwards(__NR_prlimit64));
	ck_assert_int_eq(ssi_sc_policy_of(__NR_setrlimit), SSI_SC_FORWARD);
	ck_assert(!ssi_sc_forwards(__NR_mmap));
	ck_assert_int_eq(ssi_sc_policy_of(__NR_fork), SSI_SC_PULL_HOME);
	ck_assert_int_eq(ssi_sc_policy_of(__NR_execve), SSI_SC_PULL_HOME);
	ck_assert_int_eq(ssi_sc_policy_of(__NR_clone3), SSI_SC_PULL_HOME);
	ck_assert_str_eq(ssi_sc_policy_name(SSI_SC_FORWARD), "forward");
	ck_assert_str_eq(ssi_sc_policy_name(SSI_SC_POLICY_COUNT), "invalid");
}
END_TEST

/* Kinds that take their length or count from another argument. */
static int kind_uses_len(int kind)
{
	switch (kind) {
	case SSI_ARG_IN_BUF: case SSI_ARG_OUT_BUF: case SSI_ARG_OUT_BUF_LENP:
	case SSI_ARG_IN_IOV: case SSI_ARG_OUT_IOV: case SSI_ARG_IN_ARRAY:
	case SSI_ARG_INOUT_ARRAY: case SSI_ARG_OUT_ARRAY_RET:
		return 1;
	}
	return 0;
}

START_TEST(test_forward_descriptors)
{
	long nr;

	for (nr = 0; nr <= SSI_SC_MAX; nr++) {
		const struct ssi_sc_entry *s = ssi_sc_lookup(nr);
		int i, custom = 0;

		if (s->policy == SSI_SC_LOCAL_IF)
			ck_assert_msg((s->cond == SSI_SC_COND_ARG_MASK ||
				       s->cond == SSI_SC_COND_ARG_NE) && s->cond_arg < 6,
				      "%s: bad condition", s->name);
		if (!ssi_sc_forwards(nr)) {
			ck_assert_msg(!s->custom, "%s: handler on a non-forwarded entry", s->name);
			continue;
		}
		ck_assert_msg(s->nargs <= 6, "%s: nargs %d", s->name, s->nargs);
		for (i = 0; i < 6; i++) {
			const struct ssi_sc_arg *a = &s->args[i];

			ck_assert_msg(a->kind < SSI_ARG_KIND_COUNT, "%s arg %d: kind", s->name, i);
			if (a->kind == SSI_ARG_CUSTOM) {
				custom = 1;
				continue;
			}
			if (i >= s->nargs) {
				ck_assert_msg(a->kind == SSI_ARG_VAL,
					      "%s: descriptor past nargs", s->name);
				continue;
			}
			if (kind_uses_len(a->kind)) {
				const struct ssi_sc_arg *l = &s->args[a->len];

				ck_assert_msg(a->len < s->nargs && a->len != i,
					      "%s arg %d: length index %d", s->name, i, a->len);
				if (a->kind == SSI_ARG_OUT_BUF_LENP)
					ck_assert_msg(l->kind == SSI_ARG_INOUT_FIXED &&
						      l->size == sizeof(socklen_t),
						      "%s arg %d: length pointer", s->name, i);
				else
					ck_assert_msg(l->kind == SSI_ARG_VAL,
						      "%s arg %d: length is not a value", s->name, i);
			}
			if (a->kind >= SSI_ARG_IN_FIXED && a->kind <= SSI_ARG_INOUT_FIXED)
				ck_assert_msg(a->size > 0, "%s arg %d: size 0", s->name, i);
			if (a->kind >= SSI_ARG_IN_ARRAY && a->kind <= SSI_ARG_OUT_ARRAY_RET)
				ck_assert_msg(a->size > 0, "%s arg %d: element size 0", s->name, i);
		}
		ck_assert_msg(custom == !!s->custom, "%s: custom handler mismatch", s->name);
	}
}
END_TEST

START_TEST(test_counts_cover_everything)
{
	unsigned int counts[SSI_SC_POLICY_COUNT], total = 0, named, i;

	named = ssi_sc_counts(counts);
	for (i = 0; i < SSI_SC_POLICY_COUNT; i++) {
		total += counts[i];
		printf("policy %-9s %u\n", ssi_sc_policy_name(i), counts[i]);
	}
	printf("named %u of %u numbers\n", named, SSI_SC_MAX + 1);
	ck_assert_uint_eq(total, SSI_SC_MAX + 1);
	ck_assert_uint_gt(counts[SSI_SC_FORWARD], 100);
	ck_assert_uint_gt(counts[SSI_SC_LOCAL], 50);
	ck_assert_uint_eq(counts[SSI_SC_CACHED], 1);
}
END_TEST

/*
 * Run a classic BPF seccomp program on @d.  Only the opcodes the
 * generator emits are accepted; anything else fails the test.
 */
static uint32_t bpf_run(const struct sock_fprog *p, const struct seccomp_data *d)
{
	const uint8_t *data = (const uint8_t *)d;
	uint32_t a = 0;
	size_t pc = 0;

	while (pc < p->len) {
		const struct sock_filter *f = &p->filter[pc];

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			ck_assert_uint_le(f->k + 4, sizeof(*d));
			memcpy(&a, data + f->k, 4);
			pc++;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= f->k;
			pc++;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += 1 + (a == f->k ? f->jt : f->jf);
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += 1 + (a >= f->k ? f->jt : f->jf);
			break;
		case BPF_RET | BPF_K:
			return f->k;
		default:
			ck_abort_msg("unexpected BPF opcode 0x%x at %zu", f->code, pc);
		}
	}
	ck_abort_msg("BPF program fell off its end");
	return 0;
}

START_TEST(test_filter_verdicts_match_table)
{
	struct ssi_seccomp_opts opts = { .allow_ioctl_cmd = { TEST_IOCTL_CMD } };
	struct seccomp_data d = { .arch = AUDIT_ARCH_X86_64 };
	struct sock_fprog prog;
	long nr;

	ck_assert_int_eq(ssi_seccomp_build(&opts, &prog), 0);
	printf("filter: %u instructions\n", prog.len);
	for (nr = 0; nr <= SSI_SC_MAX + 20; nr++) {
		enum ssi_sc_policy p = ssi_sc_policy_of(nr);
		uint32_t want = p == SSI_SC_LOCAL ? SECCOMP_RET_ALLOW : SECCOMP_RET_USER_NOTIF;

		if (p == SSI_SC_LOCAL_IF)
			continue;	/* argument-dependent: below */
		d.nr = (int)nr;
		ck_assert_msg(bpf_run(&prog, &d) == want, "nr %ld (%s): wrong verdict",
			      nr, ssi_sc_lookup(nr)->name ?: "?");
	}

	/* mmap: private anonymous local, anything else notified */
	d.nr = __NR_mmap;
	d.args[3] = MAP_PRIVATE | MAP_ANONYMOUS;
	ck_assert_uint_eq(bpf_run(&prog, &d), SECCOMP_RET_ALLOW);
	d.args[3] = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED;
	ck_assert_uint_eq(bpf_run(&prog, &d), SECCOMP_RET_ALLOW);
	d.args[3] = MAP_SHARED | MAP_ANONYMOUS;
	ck_assert_uint_eq(bpf_run(&prog, &d), SECCOMP_RET_USER_NOTIF);
	d.args[3] = MAP_PRIVATE;
	ck_assert_uint_eq(bpf_run(&prog, &d), SECCOMP_RET_USER_NOTIF);
	d.args[3] = MAP_SHARED_VALIDATE | MAP_ANONYMOUS;
	ck_assert_uint_eq(bpf_run(&prog, &d), SECCOMP_RET_USER_NOTIF);
	/* prlimit64: reading (new == NULL) local, setting notified */
	d.nr = __NR_prlimit64;
	d.args[2] = 0;
	ck_assert_uint_eq(bpf_run(&prog, &d), SECCOMP_RET_ALLOW);
	d.args[2] = 0x7fff00001000ULL;
	ck_assert_uint_eq(bpf_run(&prog, &d), SECCOMP_RET_USER_NOTIF);
	d.args[2] = 1ULL << 40;		/* only the high word set */
	ck_assert_uint_eq(bpf_run(&prog, &d), SECCOMP_RET_USER_NOTIF);
	/* prctl: local but PR_SET_SECCOMP, which pulls the process home */
	d.nr = __NR_prctl;
	d.args[0] = PR_SET_NAME;
	ck_assert_uint_eq(bpf_run(&prog, &d), SECCOMP_RET_ALLOW);
	d.args[0] = PR_SET_SECCOMP;
	ck_assert_uint_eq(bpf_run(&prog, &d), SECCOMP_RET_USER_NOTIF);
	d.args[0] = PR_SET_SECCOMP | (1ULL << 32);	/* an int: the high word is not looked at */
	ck_assert_uint_eq(bpf_run(&prog, &d), SECCOMP_RET_USER_NOTIF);
	ck_assert(!ssi_sc_forwards(__NR_prctl));
	d.args[0] = PR_GET_SECCOMP;	/* the kernel answers: 2, ssid's filter */
	ck_assert_uint_eq(bpf_run(&prog, &d), SECCOMP_RET_ALLOW);
	/* the restore ioctl runs locally, other ioctls are forwarded */
	d.nr = __NR_ioctl;
	d.args[1] = TEST_IOCTL_CMD;
	ck_assert_uint_eq(bpf_run(&prog, &d), SECCOMP_RET_ALLOW);
	d.args[1] = 0x5401;	/* TCGETS */
	ck_assert_uint_eq(bpf_run(&prog, &d), SECCOMP_RET_USER_NOTIF);
	/* x32 and foreign architectures */
	d.nr = 0x40000000 | __NR_getuid;
	ck_assert_uint_eq(bpf_run(&prog, &d), SECCOMP_RET_USER_NOTIF);
	d.nr = __NR_getuid;
	d.arch = AUDIT_ARCH_I386;
	ck_assert_uint_eq(bpf_run(&prog, &d), SECCOMP_RET_KILL_PROCESS);
	ssi_seccomp_free(&prog);

	/* a process without filters of its own reads mode 0, as at home */
	opts.mode_none = true;
	ck_assert_int_eq(ssi_seccomp_build(&opts, &prog), 0);
	d.arch = AUDIT_ARCH_X86_64;
	d.nr = __NR_prctl;
	d.args[0] = PR_GET_SECCOMP;
	ck_assert_uint_eq(bpf_run(&prog, &d), SECCOMP_RET_ERRNO | 0);
	d.args[0] = PR_SET_NAME;
	ck_assert_uint_eq(bpf_run(&prog, &d), SECCOMP_RET_ALLOW);
	d.args[0] = PR_SET_SECCOMP;
	ck_assert_uint_eq(bpf_run(&prog, &d), SECCOMP_RET_USER_NOTIF);
	d.nr = __NR_getuid;
	ck_assert_uint_eq(bpf_run(&prog, &d), SECCOMP_RET_ALLOW);
	ssi_seccomp_free(&prog);
}
END_TEST

/* Find the child's seccomp listener the way ssid does: by its fd link. */
static int steal_listener(pid_t pid)
{
	char dir[64], path[384], link[128];
	struct dirent *de;
	int pidfd, fd = -1;
	ssize_t n;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	ck_assert_int_ge(pidfd, 0);
	for (int tries = 0; tries < 500 && fd < 0; tries++) {
		d = opendir(dir);
		ck_assert_ptr_nonnull(d);
		while ((de = readdir(d)) && fd < 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = 0;
			if (strcmp(link, "anon_inode:seccomp notify"))
				continue;
			fd = (int)syscall(SYS_pidfd_getfd, pidfd, atoi(de->d_name), 0);
		}
		closedir(d);
		if (fd < 0)
			usleep(10000);
	}
	close(pidfd);
	return fd;
}

START_TEST(test_filter_in_kernel)
{
	struct ssi_seccomp_opts opts = { .allow_ioctl_cmd = { TEST_IOCTL_CMD },
					 .mode_none = true };
	/* Notifications in order; the allowed ioctl between 2 and 3 makes none. */
	static const int expect[] = { __NR_getppid, __NR_mmap, __NR_write, __NR_ioctl };
	static const long answer[] = { 4242, -EPERM, 1, 77 };
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	struct sock_fprog prog;
	int listener, status, seen = 0;
	pid_t pid;

	ck_assert_int_eq(ssi_seccomp_build(&opts, &prog), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int bad = 0;
		void *p;

		if (ssi_seccomp_install(&prog, 0) < 0)
			_exit(100);
		/* From here every non-local call waits for the parent. */
		if (syscall(__NR_getppid) != 4242)		/* cached: answered */
			bad |= 1;
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)				/* local */
			bad |= 2;
		if (mmap(NULL, 4096, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0) != MAP_FAILED ||
		    errno != EPERM)				/* notified, refused */
			bad |= 4;
		if (write(1, "x", 1) != 1)			/* forwarded: answered */
			bad |= 8;
		syscall(__NR_sched_yield);			/* local */
		if (ioctl(999, TEST_IOCTL_CMD, 0) != -1 || errno != EBADF)
			bad |= 16;				/* allowed: local EBADF */
		if (ioctl(999, 0x5401, 0) != 77)		/* forwarded: answered */
			bad |= 32;
		if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 0)	/* no filter of its own */
			bad |= 64;
		_exit(bad);
	}
	listener = steal_listener(pid);
	ck_assert_int_ge(listener, 0);
	while (seen < (int)(sizeof(expect) / sizeof(expect[0]))) {
		struct pollfd pfd = { .fd = listener, .events = POLLIN };

		ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
		memset(&req, 0, sizeof(req));
		ck_assert_int_eq(ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req), 0);
		ck_assert_int_eq(req.pid, pid);
		ck_assert_int_eq(req.data.nr, expect[seen]);
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		if (answer[seen] < 0)
			resp.error = (int)answer[seen];
		else
			resp.val = answer[seen];
		ck_assert_int_eq(ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0);
		seen++;
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child saw wrong results: status 0x%x", status);
	close(listener);
	ssi_seccomp_free(&prog);
}
END_TEST

static int handled;

static void on_usr1(int sig)
{
	handled++;
}

/*
 * A child blocks in a "forwarded" read; SIGUSR1 arrives after the parent
 * received the notification.  It must stay in the call until answered,
 * and then act on the answer: with SA_RESTART, -ERESTARTSYS runs the
 * handler and restarts the read (a second notification, answered 3);
 * without, it runs the handler and returns EINTR.
 */
static void killable_child(int restart)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = restart ? SA_RESTART : 0 };
	struct sock_fprog prog;
	char buf[8];
	ssize_t n;

	sigaction(SIGUSR1, &sa, NULL);
	if (ssi_seccomp_build(NULL, &prog))
		_exit(100);
	close(0);	/* the listener becomes fd 0, as in the restore helper */
	if (ssi_seccomp_install(&prog, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) != 0)
		_exit(101);
	n = read(77, buf, sizeof(buf));
	if (restart && (n != 3 || handled != 1))
		_exit(1);
	if (!restart && (n != -1 || errno != EINTR || handled != 1))
		_exit(2);
	_exit(0);
}

static void recv_notif(int fd, struct seccomp_notif *req, int nr)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
	memset(req, 0, sizeof(*req));
	ck_assert_int_eq(ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req), 0);
	ck_assert_int_eq(req->data.nr, nr);
}

static void send_answer(int fd, uint64_t id, int err, int64_t val)
{
	struct seccomp_notif_resp resp = { .id = id, .error = err, .val = val };

	ck_assert_int_eq(ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0);
}

static void killable_case(int restart)
{
	struct seccomp_notif req;
	int fwd, status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		killable_child(restart);
	fwd = steal_listener(pid);
	ck_assert_int_ge(fwd, 0);
	recv_notif(fwd, &req, __NR_read);
	ck_assert_int_eq(kill(pid, SIGUSR1), 0);
	usleep(100000);
	/* still waiting for us: the signal did not cut the call short */
	ck_assert_int_eq(ioctl(fwd, SECCOMP_IOCTL_NOTIF_ID_VALID, &req.id), 0);
	send_answer(fwd, req.id, -SSI_SC_ERESTARTSYS, 0);
	if (restart) {
		recv_notif(fwd, &req, __NR_read);	/* restarted */
		send_answer(fwd, req.id, 0, 3);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child (SA_RESTART %d): status 0x%x", restart, status);
	close(fwd);
}

START_TEST(test_forwarded_calls_wait_killable)
{
	killable_case(1);
	killable_case(0);
}
END_TEST

START_TEST(test_interrupted_codes)
{
	ck_assert_int_eq(ssi_sc_interrupted(__NR_read, -SSI_SC_ERESTARTSYS), -SSI_SC_ERESTARTSYS);
	ck_assert_int_eq(ssi_sc_interrupted(__NR_recvfrom, -EINTR), -EINTR);
	ck_assert_int_eq(ssi_sc_interrupted(__NR_poll, -EINTR), -SSI_SC_ERESTARTNOHAND);
	ck_assert_int_eq(ssi_sc_interrupted(__NR_pselect6, -SSI_SC_ERESTARTSYS),
			 -SSI_SC_ERESTARTNOHAND);
	ck_assert_int_eq(ssi_sc_interrupted(__NR_epoll_wait, -SSI_SC_ERESTARTSYS), -EINTR);
	ck_assert_int_eq(ssi_sc_interrupted(__NR_epoll_pwait2, -EINTR), -EINTR);
}
END_TEST

static Suite *policy_suite(void)
{
	Suite *s = suite_create("syscall_policy");
	TCase *tc = tcase_create("table");
	TCase *tf = tcase_create("filter");

	tcase_add_test(tc, test_every_kernel_syscall_is_named);
	tcase_add_test(tc, test_unknown_numbers_pull_home);
	tcase_add_test(tc, test_known_decisions);
	tcase_add_test(tc, test_forward_descriptors);
	tcase_add_test(tc, test_counts_cover_everything);
	tcase_add_test(tc, test_interrupted_codes);
	suite_add_tcase(s, tc);
	tcase_add_test(tf, test_filter_verdicts_match_table);
	tcase_add_test(tf, test_filter_in_kernel);
	tcase_add_test(tf, test_forwarded_calls_wait_killable);
	tcase_set_timeout(tf, 30);
	suite_add_tcase(s, tf);
	return s;
}

int main(void)
{
	int failed = check_run(policy_suite());

	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
