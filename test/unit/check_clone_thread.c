// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_clone_thread.c - a thread made under ssid's seccomp supervision
 * (ssid/forward/clone_thread.c), for real: a child traps its clone() and
 * clone3() calls to the test, which lets them go on as ssid does on a
 * remote node, as if home had named each new thread HOME_TID + n.  The
 * child checks what it sees: the clone's return value, the words
 * CLONE_PARENT_SETTID and CLONE_CHILD_SETTID wrote, that the thread ran,
 * that CLONE_CHILD_CLEARTID still wakes a join, that pthread_create and
 * pthread_join work, and that a clone the kernel refuses fails as it
 * would unsupervised.
 */
#include <check.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "run_suite.h"
#include "ssid/forward/clone_thread.h"

#define HOME_TID	700000
#define THREAD_FLAGS	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
			 CLONE_THREAD | CLONE_SYSVSEM)

/* ----------------------------------------------------------- the child */

static volatile int ran;

/* No libc call that touches TLS: the thread shares its creator's. */
static int thread_fn(void *arg)
{
	ran = (int)(long)arg;
	return 0;
}

static void *pthread_fn(void *arg)
{
	return arg;
}

/* Trap clone and clone3 to a listener; send it to the parent on @sock. */
static int supervise(int sock)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
	union {
		struct cmsghdr c;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	char one = 1;
	struct iovec iov = { &one, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	int fd;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	/* as ssid's filter: once received, only a fatal signal ends a wait */
	fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			  SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
			  &prog);
	if (fd < 0)
		return -1;
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sock, &mh, 0) != 1)
		return -1;
	close(fd);
	return 0;
}

/* Exit status: 0, or the number of the check that failed. */
static int child_main(int sock)
{
	const size_t stack_len = 64 << 10;
	char *stack = mmap(NULL, stack_len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	pid_t ptid = 0, ctid = -1, v;
	pthread_t pt;
	void *res = NULL;
	int ret, i;

	if (stack == MAP_FAILED || supervise(sock))
		return 1;

	/* 1: clone(), as a runtime of its own makes threads (HOME_TID + 0) */
	ret = clone(thread_fn, stack + stack_len,
		    THREAD_FLAGS | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID |
		    CLONE_CHILD_CLEARTID, (void *)7L, &ptid, NULL, &ctid);
	if (ret != HOME_TID)
		return 2;
	if (ptid != HOME_TID)
		return 3;
	/* CHILD_SETTID wrote it before the thread ran, CLEARTID clears it at its end */
	for (i = 0; i < 5000; i++) {
		struct timespec ms = { 0, 1000000 };

		/* -1 until it starts, its tid while it runs, 0 once it ended */
		v = __atomic_load_n(&ctid, __ATOMIC_ACQUIRE);
		if (!v)
			break;
		if (v != HOME_TID && v != -1)
			return 4;
		syscall(SYS_futex, &ctid, FUTEX_WAIT, v, &ms, NULL, 0);
	}
	if (ctid != 0 || ran != 7)
		return 5;

	/* 2: pthread_create (glibc: clone3) and pthread_join (HOME_TID + 1) */
	if (pthread_create(&pt, NULL, pthread_fn, (void *)9L) ||
	    pthread_join(pt, &res) || res != (void *)9L)
		return 6;

	/* 3: a thread clone the kernel refuses (no CLONE_SIGHAND): as unsupervised */
	ret = clone(thread_fn, stack + stack_len, CLONE_VM | CLONE_THREAD, NULL);
	if (ret != -1 || errno != EINVAL)
		return 7;

	/* 4: a clone that makes a process is not the supervisor's to run here */
	ret = (int)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (ret == 0)
		_exit(0);
	if (ret != -ENOSYS && !(ret == -1 && errno == ENOSYS))
		return 8;
	return 0;
}

/* ---------------------------------------------------------- the parent */

static int recv_listener(int sock)
{
	union {
		struct cmsghdr c;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	char one;
	struct iovec iov = { &one, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	int fd;

	ck_assert_int_eq(recvmsg(sock, &mh, 0), 1);
	ck_assert_ptr_nonnull(CMSG_FIRSTHDR(&mh));
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof(int));
	return fd;
}

START_TEST(test_thread_made_under_supervision)
{
	struct seccomp_notif n;
	struct seccomp_notif_resp resp;
	struct clone_thread ct;
	int sv[2], listener, status, made_threads = 0, refused = 0, pulled = 0;
	pid_t pid, made;
	int rc;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(sv[0]);
		_exit(child_main(sv[1]));
	}
	close(sv[1]);
	listener = recv_listener(sv[0]);

	for (;;) {
		memset(&n, 0, sizeof(n));
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &n)) {
			/*
			 * ENOENT: withdrawn (a thread stopped to be let go is
			 * interrupted out of its next call, which it makes
			 * again), or the child is gone
			 */
			ck_assert_int_eq(errno, ENOENT);
			if (waitpid(pid, &status, WNOHANG) == pid)
				break;
			continue;
		}
		rc = clone_thread_args(pid, &n, &ct);
		if (rc != 1) {
			/* a new process: ssid pulls it home; here it gets ENOSYS */
			ck_assert_int_eq(rc, 0);
			memset(&resp, 0, sizeof(resp));
			resp.id = n.id;
			resp.error = -ENOSYS;
			ck_assert_int_eq(ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0);
			pulled++;
			continue;
		}
		if (n.data.nr == __NR_clone3)
			ck_assert(ct.parent_tid != 0);	/* glibc's pthread_t tid */
		made = 0;
		rc = clone_thread_run(listener, &n, &ct, HOME_TID + made_threads, &made, 5000);
		ck_assert_int_ge(rc, 0);
		if (rc) {
			ck_assert_int_gt(made, 0);
			made_threads++;
		} else {
			refused++;
		}
	}
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child failed check %d (status 0x%x)", WEXITSTATUS(status), status);
	ck_assert_int_eq(made_threads, 2);
	ck_assert_int_eq(refused, 1);
	ck_assert_int_eq(pulled, 1);
	close(listener);
	close(sv[0]);
}
END_TEST

static Suite *clone_thread_suite(void)
{
	Suite *s = suite_create("clone_thread");
	TCase *tc = tcase_create("supervised");

	tcase_add_test(tc, test_thread_made_under_supervision);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	int failed = check_run(clone_thread_suite());

	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
