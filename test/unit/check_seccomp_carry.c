// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_seccomp_carry.c - a process's own seccomp filters, carried with
 * it (ssid/migrate/seccomp_carry.h): the scan for filters that notify a
 * listener, the kernel's limits, the encoding and its refusal of
 * malformed bytes, and (as root, which ssid is) the ptrace read of a
 * real child's chain, which leaves the child's blocked call running.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/audit.h>
#include <linux/seccomp.h>

#include "run_suite.h"
#include "ssid/migrate/seccomp_carry.h"

#define RET(k)		((struct sock_filter)BPF_STMT(BPF_RET | BPF_K, (k)))
#define LD_NR		((struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, \
					offsetof(struct seccomp_data, nr)))
#define JEQ(k, t, f)	((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f)))

/* getppid -> ERRNO(@err), else ALLOW */
static void errno_filter(struct sock_filter f[4], unsigned int err)
{
	f[0] = LD_NR;
	f[1] = JEQ(__NR_getppid, 0, 1);
	f[2] = RET(SECCOMP_RET_ERRNO | err);
	f[3] = RET(SECCOMP_RET_ALLOW);
}

START_TEST(test_may_notify)
{
	struct sock_filter f[4];

	errno_filter(f, EPERM);
	ck_assert(!seccomp_prog_may_notify(f, 4));
	f[2] = RET(SECCOMP_RET_USER_NOTIF);
	ck_assert(seccomp_prog_may_notify(f, 4));
	/* the action with data bits: still USER_NOTIF to the kernel */
	f[2] = RET(SECCOMP_RET_USER_NOTIF | 7);
	ck_assert(seccomp_prog_may_notify(f, 4));
	/* the accumulator's value is not known: it may be USER_NOTIF */
	f[2] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
	ck_assert(seccomp_prog_may_notify(f, 4));
	/* KILL_PROCESS (0x80000000) is not USER_NOTIF (0x7fc00000) */
	f[2] = RET(SECCOMP_RET_KILL_PROCESS);
	ck_assert(!seccomp_prog_may_notify(f, 4));
}
END_TEST

static void chain_of(struct seccomp_chain *c, unsigned int n, uint32_t len)
{
	static struct sock_filter p[BPF_MAXINSNS];
	uint32_t i;

	for (i = 0; i + 1 < len; i++)
		p[i] = LD_NR;
	p[len - 1] = RET(SECCOMP_RET_ALLOW);
	memset(c, 0, sizeof(*c));
	for (i = 0; i < n; i++)
		ck_assert_int_eq(seccomp_chain_add(c, p, len, i & 1 ? SECCOMP_FILTER_FLAG_LOG : 0), 0);
}

START_TEST(test_round_trip)
{
	struct seccomp_chain c = { 0 }, d;
	struct sock_filter f[4];
	unsigned char *buf;
	char why[200];
	size_t len;

	errno_filter(f, EPERM);
	ck_assert_int_eq(seccomp_chain_add(&c, f, 4, 0), 0);
	errno_filter(f, EACCES);
	f[2].jt = 3;	/* any bytes: the kernel judges the program */
	ck_assert_int_eq(seccomp_chain_add(&c, f, 4, SECCOMP_FILTER_FLAG_LOG), 0);
	ck_assert_int_eq(seccomp_chain_check(&c, 0, why, sizeof(why)), 0);
	len = seccomp_chain_encoded_len(&c);
	ck_assert_uint_eq(len, 8 + 2 * 8 + 8 * 8);
	buf = malloc(len);
	ck_assert_uint_eq(seccomp_chain_encode(&c, buf), len);
	ck_assert_int_eq(seccomp_chain_decode(buf, len, &d, why, sizeof(why)), 0);
	ck_assert(seccomp_chain_equal(&c, &d));
	ck_assert_uint_eq(d.f[1].flags, SECCOMP_FILTER_FLAG_LOG);
	ck_assert_uint_eq(d.f[1].insns[2].k, SECCOMP_RET_ERRNO | EACCES);
	ck_assert_uint_eq(d.f[1].insns[2].jt, 3);
	/* oldest first: the first filter is the EPERM one */
	ck_assert_uint_eq(d.f[0].insns[2].k, SECCOMP_RET_ERRNO | EPERM);
	d.f[1].insns[2].k ^= 1;
	ck_assert(!seccomp_chain_equal(&c, &d));
	seccomp_chain_free(&d);
	free(buf);
	seccomp_chain_free(&c);
}
END_TEST

/* Encodes @c, lets @mangle spoil the bytes, decodes: the error. */
static int decode_mangled(const struct seccomp_chain *c, void (*mangle)(unsigned char *, size_t *),
			  char *why, size_t whylen)
{
	size_t len = seccomp_chain_encoded_len(c);
	unsigned char *buf = calloc(1, len + 64);
	struct seccomp_chain d;
	int rc;

	seccomp_chain_encode(c, buf);
	if (mangle)
		mangle(buf, &len);
	rc = seccomp_chain_decode(buf, len, &d, why, whylen);
	if (!rc)
		seccomp_chain_free(&d);
	else
		ck_assert_uint_eq(d.n, 0);	/* nothing left to free */
	free(buf);
	return rc;
}

static void bad_version(unsigned char *b, size_t *len) { b[0] = 2; }
static void bad_reserved(unsigned char *b, size_t *len) { b[3] = 1; }
static void no_filters(unsigned char *b, size_t *len) { b[7] = 0; }
static void many_filters(unsigned char *b, size_t *len) { b[4] = 0x7f; }
static void cut_header(unsigned char *b, size_t *len) { *len = 7; }
static void cut_filter(unsigned char *b, size_t *len) { *len -= 1; }
static void trailing(unsigned char *b, size_t *len) { *len += 8; }
static void zero_len(unsigned char *b, size_t *len) { b[12] = b[13] = b[14] = b[15] = 0; }
static void huge_len(unsigned char *b, size_t *len) { b[13] = 0x10; }	/* 0x100004 */
static void bad_flags(unsigned char *b, size_t *len) { b[11] |= 4; }
/* the first instruction of the first filter becomes RET USER_NOTIF */
static void notify(unsigned char *b, size_t *len)
{
	b[16] = 0;
	b[17] = BPF_RET | BPF_K;
	b[20] = 0x7f;
	b[21] = 0xc0;
	b[22] = b[23] = 0;
}

START_TEST(test_decode_refuses_malformed)
{
	struct seccomp_chain c;
	char why[200];

	chain_of(&c, 2, 4);
	ck_assert_int_eq(decode_mangled(&c, NULL, why, sizeof(why)), 0);
	ck_assert_int_eq(decode_mangled(&c, bad_version, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(decode_mangled(&c, bad_reserved, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(decode_mangled(&c, no_filters, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(decode_mangled(&c, many_filters, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(decode_mangled(&c, cut_header, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(decode_mangled(&c, cut_filter, why, sizeof(why)), -EINVAL);
	ck_assert_msg(strstr(why, "cut short"), "why: %s", why);
	ck_assert_int_eq(decode_mangled(&c, trailing, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(decode_mangled(&c, zero_len, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(decode_mangled(&c, huge_len, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(decode_mangled(&c, bad_flags, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(decode_mangled(&c, notify, why, sizeof(why)), -EOPNOTSUPP);
	ck_assert_msg(strstr(why, "a seccomp filter that notifies a listener"), "why: %s", why);
	seccomp_chain_free(&c);
	ck_assert_int_eq(seccomp_chain_decode(NULL, 0, &c, why, sizeof(why)), -EINVAL);
}
END_TEST

/* kernel/seccomp.c: 32768 instructions a path, 4 more for each filter below the newest */
START_TEST(test_kernel_limits)
{
	struct seccomp_chain c;
	char why[200];

	/* 8 x 4096 + 7 x 4 = 32796: the kernel refused the eighth */
	chain_of(&c, 8, BPF_MAXINSNS);
	ck_assert_int_eq(seccomp_chain_check(&c, 0, why, sizeof(why)), -E2BIG);
	seccomp_chain_free(&c);
	/* 7 x 4096 + 6 x 4 fits; under ssid's, each of the 7 costs 4 more */
	chain_of(&c, 7, BPF_MAXINSNS);
	ck_assert_int_eq(seccomp_chain_check(&c, 0, why, sizeof(why)), 0);
	ck_assert_int_eq(seccomp_chain_check(&c, 32768 - 7 * 4096 - 7 * 4, why, sizeof(why)), 0);
	ck_assert_int_eq(seccomp_chain_check(&c, 32768 - 7 * 4096 - 7 * 4 + 1, why, sizeof(why)),
			 -E2BIG);
	ck_assert_msg(strstr(why, "with ssid's own"), "why: %s", why);
	seccomp_chain_free(&c);
	/* the most filters a path holds: one instruction each */
	chain_of(&c, SECCOMP_CARRY_MAX_FILTERS, 1);
	ck_assert_int_eq(seccomp_chain_check(&c, 0, why, sizeof(why)), 0);
	ck_assert_int_eq(decode_mangled(&c, NULL, why, sizeof(why)), 0);
	seccomp_chain_free(&c);
}
END_TEST

static struct seccomp_data call(int nr, uint64_t a0)
{
	struct seccomp_data d = { .nr = nr, .arch = AUDIT_ARCH_X86_64, .args = { a0 } };

	return d;
}

/* The interpreter against the kernel: the same answers for the same calls. */
START_TEST(test_run)
{
	struct sock_filter f[4], alu[] = {
		/* A = nr * 2 + 1; mem[3] = A; X = 7; A = mem[3] & X; JSET 4 ? RET A : RET 9 */
		LD_NR,
		BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, 2),
		BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 1),
		BPF_STMT(BPF_ST, 3),
		BPF_STMT(BPF_LDX | BPF_IMM, 7),
		BPF_STMT(BPF_LD | BPF_MEM, 3),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_X, 0),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 4, 0, 1),
		BPF_STMT(BPF_RET | BPF_A, 0),
		RET(9),
	}, bad[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2), RET(SECCOMP_RET_ALLOW) };
	struct seccomp_data d = call(__NR_getppid, 0);

	errno_filter(f, EPERM);
	ck_assert_uint_eq(seccomp_prog_run(f, 4, &d), SECCOMP_RET_ERRNO | EPERM);
	d.nr = __NR_getpid;
	ck_assert_uint_eq(seccomp_prog_run(f, 4, &d), SECCOMP_RET_ALLOW);
	d.nr = 2;	/* 5 & 7 = 5: bit 4 set */
	ck_assert_uint_eq(seccomp_prog_run(alu, 10, &d), 5);
	d.nr = 1;	/* 3 & 7 = 3 */
	ck_assert_uint_eq(seccomp_prog_run(alu, 10, &d), 9);
	/* unaligned load, running off the end: what the kernel never runs */
	ck_assert_uint_eq(seccomp_prog_run(bad, 2, &d), SECCOMP_RET_KILL_PROCESS);
	ck_assert_uint_eq(seccomp_prog_run(f, 2, &d), SECCOMP_RET_KILL_PROCESS);
}
END_TEST

START_TEST(test_chain_precedence)
{
	struct seccomp_chain c = { 0 };
	struct sock_filter f[4];
	struct seccomp_data d = call(__NR_getppid, 0);

	errno_filter(f, EPERM);
	ck_assert_int_eq(seccomp_chain_add(&c, f, 4, 0), 0);
	errno_filter(f, EACCES);
	ck_assert_int_eq(seccomp_chain_add(&c, f, 4, 0), 0);
	/* two errnos: the newest's */
	ck_assert_uint_eq(seccomp_chain_run(&c, &d), SECCOMP_RET_ERRNO | EACCES);
	/* an older kill beats a newer errno */
	c.f[0].insns[2] = RET(SECCOMP_RET_KILL_PROCESS);
	ck_assert_uint_eq(seccomp_chain_run(&c, &d), SECCOMP_RET_KILL_PROCESS);
	d.nr = __NR_getpid;
	ck_assert_uint_eq(seccomp_chain_run(&c, &d), SECCOMP_RET_ALLOW);
	seccomp_chain_free(&c);
}
END_TEST

/* An allowlist that forgets the deputy's own calls is refused. */
START_TEST(test_deputy_calls)
{
	struct seccomp_chain c = { 0 };
	struct sock_filter f[4], allow[] = {
		LD_NR,
		JEQ(__NR_read, 3, 0),
		JEQ(__NR_write, 2, 0),
		JEQ(__NR_exit_group, 1, 0),
		RET(SECCOMP_RET_KILL_PROCESS),
		RET(SECCOMP_RET_ALLOW),
	};
	char why[200] = "";

	errno_filter(f, EPERM);
	ck_assert_int_eq(seccomp_chain_add(&c, f, 4, 0), 0);
	ck_assert_int_eq(seccomp_chain_deputy_check(&c, 42, why, sizeof(why)), 0);
	ck_assert_int_eq(seccomp_chain_add(&c, allow, 6, 0), 0);
	ck_assert_int_eq(seccomp_chain_deputy_check(&c, 42, why, sizeof(why)), -EOPNOTSUPP);
	ck_assert_msg(strstr(why, "forbids a call its deputy makes at home (recvfrom"), "why: %s", why);
	seccomp_chain_free(&c);
	/* rt_sigaction of one signal alone */
	f[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					    offsetof(struct seccomp_data, args[0]));
	f[1] = JEQ(SIGUSR2, 0, 1);
	f[2] = RET(SECCOMP_RET_TRAP);
	f[3] = RET(SECCOMP_RET_ALLOW);
	ck_assert_int_eq(seccomp_chain_add(&c, f, 4, 0), 0);
	ck_assert_int_eq(seccomp_chain_deputy_check(&c, 42, why, sizeof(why)), -EOPNOTSUPP);
	ck_assert_msg(strstr(why, "rt_sigaction"), "why: %s", why);
	seccomp_chain_free(&c);
}
END_TEST

/* ------------------------------------------------- reading a real chain */

static int install(unsigned int err, unsigned int flags, uint32_t ret)
{
	struct sock_filter f[4];
	struct sock_fprog p = { 4, f };

	errno_filter(f, err);
	if (ret)
		f[2] = RET(ret);
	return (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, flags, &p);
}

static int go_pipe[2];

static void *other_thread(void *arg)
{
	/* a filter of its own: the chains of the two threads differ */
	if (arg && install(EIO, 0, 0))
		_exit(5);
	pause();
	return NULL;
}

/*
 * A child with filters (@kind: 0 two, the second logged; 1 a thread whose
 * chain differs; 2 one that notifies; 3 one, and it waits in epoll_wait()
 * first, a call that reports EINTR when interrupted), blocked in read()
 * until the test writes "x": it exits 0 if that read (or epoll_wait),
 * stopped by the reader, got it.
 */
static pid_t child_with_filters(int kind)
{
	int ready[2];
	pthread_t t;
	pid_t pid;
	char c;

	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_eq(pipe(go_pipe), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || install(EPERM, 0, 0) ||
		    (kind == 0 && install(EACCES, SECCOMP_FILTER_FLAG_LOG, 0)) ||
		    (kind == 2 && install(0, 0, SECCOMP_RET_USER_NOTIF) < 0) ||
		    pthread_create(&t, NULL, other_thread, kind == 1 ? "" : NULL))
			_exit(3);
		usleep(10000);
		if (write(ready[1], "r", 1) != 1)
			_exit(4);
		if (kind == 3) {
			struct epoll_event ev = { .events = EPOLLIN };
			int ep = epoll_create1(0);

			if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, go_pipe[0], &ev) ||
			    epoll_wait(ep, &ev, 1, 20000) != 1)
				_exit(8);
		}
		/* both filters match: the newest one's errno wins */
		if (read(go_pipe[0], &c, 1) != 1 || c != 'x')
			_exit(6);
		_exit(syscall(__NR_getppid) == -1 && errno == (kind == 0 ? EACCES : EPERM) ? 0 : 7);
	}
	close(ready[1]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	close(ready[0]);
	close(go_pipe[0]);
	return pid;
}

static void finish_child(pid_t pid)
{
	int st;

	/* a child that failed early is gone: its status says why */
	signal(SIGPIPE, SIG_IGN);
	if (write(go_pipe[1], "x", 1) != 1)
		ck_assert_int_eq(errno, EPIPE);
	close(go_pipe[1]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status 0x%x", st);
}

START_TEST(test_read_chain)
{
	struct seccomp_chain c;
	char err[300] = "";
	pid_t pid = child_with_filters(0);
	int rc = seccomp_chain_read(pid, 0, &c, err, sizeof(err));

	ck_assert_msg(rc == 0, "read: %s", err);
	ck_assert_uint_eq(c.n, 2);
	ck_assert_uint_eq(c.f[0].insns[2].k, SECCOMP_RET_ERRNO | EPERM);
	ck_assert_uint_eq(c.f[0].flags, 0);
	ck_assert_uint_eq(c.f[1].insns[2].k, SECCOMP_RET_ERRNO | EACCES);
	ck_assert_uint_eq(c.f[1].flags, SECCOMP_FILTER_FLAG_LOG);
	seccomp_chain_free(&c);
	finish_child(pid);
}
END_TEST

/* The reader's stop does not make the child's epoll_wait() fail with EINTR. */
START_TEST(test_read_restarts_eintr)
{
	struct seccomp_chain c;
	char err[300] = "";
	pid_t pid = child_with_filters(3);
	int rc;

	usleep(50000);		/* into epoll_wait() */
	rc = seccomp_chain_read(pid, 0, &c, err, sizeof(err));
	ck_assert_msg(rc == 0, "read: %s", err);
	ck_assert_uint_eq(c.n, 1);
	seccomp_chain_free(&c);
	finish_child(pid);
}
END_TEST

START_TEST(test_read_refusals)
{
	struct seccomp_chain c;
	char err[300] = "";
	pid_t pid = child_with_filters(1);

	ck_assert_int_eq(seccomp_chain_read(pid, 0, &c, err, sizeof(err)), EOPNOTSUPP);
	ck_assert_msg(strstr(err, "threads with different seccomp filters"), "err: %s", err);
	finish_child(pid);
	pid = child_with_filters(2);
	ck_assert_int_eq(seccomp_chain_read(pid, 0, &c, err, sizeof(err)), EOPNOTSUPP);
	ck_assert_msg(strstr(err, "a seccomp filter that notifies a listener") &&
		      strstr(err, "continues on this node"), "err: %s", err);
	finish_child(pid);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("seccomp_carry");
	TCase *tc = tcase_create("encoding");
	TCase *rd = tcase_create("ptrace");

	/* the longest chain a path holds, built a filter at a time: slow under ASan */
	tcase_set_timeout(tc, 60);

	tcase_add_test(tc, test_may_notify);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_decode_refuses_malformed);
	tcase_add_test(tc, test_kernel_limits);
	tcase_add_test(tc, test_run);
	tcase_add_test(tc, test_chain_precedence);
	tcase_add_test(tc, test_deputy_calls);
	suite_add_tcase(s, tc);
	tcase_add_test(rd, test_read_chain);
	tcase_add_test(rd, test_read_refusals);
	tcase_add_test(rd, test_read_restarts_eintr);
	suite_add_tcase(s, rd);
	return check_run(s) ? 1 : 0;
}
