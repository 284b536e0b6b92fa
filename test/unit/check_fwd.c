// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_fwd.c - forwarded system calls end to end on one machine.
 *
 * A child closes every fd but 0-2, installs the remote-node seccomp filter
 * and then uses fds and paths it does not have: they exist in the test
 * process, which plays both ssid relays and the deputy.  For each trapped
 * call the test marshals the request from the child's memory
 * (call_remote.c), validates and lays it out as the home node would
 * (call_home.c), runs the real syscall in its own context, and writes the
 * results back into the child.  Any call that ran locally in the child
 * would fail with EBADF or ENOENT, so every success below was forwarded.
 *
 * Plus: malformed requests and replies are refused, and a bad pointer in
 * the child gets EFAULT without anything being forwarded.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/futex.h>
#include <linux/seccomp.h>

#include "run_suite.h"
#include "ssid/forward/call_home.h"
#include "ssid/forward/call_remote.h"
#include "ssid/forward/futex_shared.h"
#include "ssid/forward/seccomp_filter.h"

/* fds of the test process (the "home node") that the child uses blind */
static int home_file, home_pipe_r, home_pipe_w, home_sock;
/*
 * A word of memory the child shares with the test process, at the same
 * address in both (mapped before the fork), as a migrated process's DSM
 * copy is mapped where home's deputy keeps home's memory; and what the
 * futex calls run at home were.
 */
static uint32_t *shared_word;
static int home_futex_waits, home_futex_bitset_waits;
static char home_dir[] = "/tmp/ssi-fwd-XXXXXX";
static const char file_text[] = "the quick brown fox jumps over the lazy dog\n";
#define CACHED_PID 4242

/* ---------------------------------------------------------------------- */
/* Memory of the child, through process_vm_readv/writev as ssid does it.   */

/* ---------------------------------------------------------------------- */
/* The child: the "migrated process".  Exit status = first failed step.   */

#define STEP(n, cond) do { if (!(cond)) _exit(n); } while (0)

static void child_main(const struct sock_fprog *prog)
{
	char buf[256], buf2[64];
	struct stat st;
	struct utsname un;
	struct iovec iov[2];
	struct msghdr mh;
	int p[2], sv[2], ep, n;
	struct epoll_event ev;
	struct pollfd pfd;
	fd_set rfds;
	struct sockaddr_un sun;
	socklen_t slen;

	/* Keep only the standard fds: every other one exists at home only. */
	syscall(__NR_close_range, 3, ~0U, 0);
	if (ssi_seccomp_install(prog, 0) < 0)
		_exit(100);

	STEP(1, syscall(__NR_getppid) == CACHED_PID);
	STEP(2, write(home_pipe_w, "hello", 5) == 5);
	n = (int)read(home_file, buf, sizeof(buf));
	STEP(3, n == (int)strlen(file_text) && !memcmp(buf, file_text, n));
	STEP(4, fstat(home_file, &st) == 0 && st.st_size == (off_t)strlen(file_text));
	STEP(5, syscall(__NR_getcwd, buf, sizeof(buf)) > 0 && !strcmp(buf, home_dir));
	/* readv scatters into two buffers */
	STEP(6, lseek(home_file, 4, SEEK_SET) == 4);
	iov[0].iov_base = buf2;
	iov[0].iov_len = 6;
	iov[1].iov_base = buf;
	iov[1].iov_len = 5;
	STEP(7, readv(home_file, iov, 2) == 11 && !memcmp(buf2, "quick ", 6) &&
		!memcmp(buf, "brown", 5));
	/* new fds are created at home */
	STEP(8, pipe(p) == 0 && p[0] > 2 && p[1] > 2);
	iov[0].iov_base = "ab";
	iov[0].iov_len = 2;
	iov[1].iov_base = "cde";
	iov[1].iov_len = 3;
	STEP(9, writev(p[1], iov, 2) == 5);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	pfd.revents = 0;
	STEP(10, poll(&pfd, 1, 1000) == 1 && (pfd.revents & POLLIN));
	STEP(11, ioctl(p[0], FIONREAD, &n) == 0 && n == 5);
	STEP(12, read(p[0], buf, sizeof(buf)) == 5 && !memcmp(buf, "abcde", 5));
	STEP(13, (fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY);
	/* paths resolve at home */
	STEP(14, mkdir("sub", 0700) == 0);
	n = openat(AT_FDCWD, "sub/f", O_CREAT | O_WRONLY, 0600);
	STEP(15, n > 2 && write(n, "xyz", 3) == 3 && close(n) == 0);
	STEP(16, stat("sub/f", &st) == 0 && st.st_size == 3);
	STEP(17, unlink("sub/f") == 0 && rmdir("sub") == 0);
	STEP(18, access("sub", F_OK) == -1 && errno == ENOENT);
	STEP(19, uname(&un) == 0 && !strcmp(un.nodename, "ssi-home-node"));
	/* sockets, msghdr */
	STEP(20, socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	memset(&mh, 0, sizeof(mh));
	iov[0].iov_base = "mig";
	iov[0].iov_len = 3;
	iov[1].iov_base = "rated";
	iov[1].iov_len = 5;
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	STEP(21, sendmsg(sv[0], &mh, 0) == 8);
	memset(buf, 0, sizeof(buf));
	iov[0].iov_base = buf;
	iov[0].iov_len = 4;
	iov[1].iov_base = buf2;
	iov[1].iov_len = 10;
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	mh.msg_flags = -1;
	STEP(22, recvmsg(sv[1], &mh, 0) == 8 && !memcmp(buf, "migr", 4) &&
		 !memcmp(buf2, "ated", 4) && mh.msg_flags == 0);
	slen = sizeof(sun);
	memset(&sun, 0, sizeof(sun));
	STEP(23, getsockname(home_sock, (struct sockaddr *)&sun, &slen) == 0 &&
		 sun.sun_family == AF_UNIX && !strcmp(sun.sun_path, "sock") &&
		 slen == offsetof(struct sockaddr_un, sun_path) + 5);
	/* select and epoll on home fds */
	STEP(24, write(p[1], "!", 1) == 1);
	FD_ZERO(&rfds);
	FD_SET(p[0], &rfds);
	FD_SET(home_pipe_r, &rfds);
	STEP(25, select(p[0] + 1, &rfds, NULL, NULL, NULL) >= 1 && FD_ISSET(p[0], &rfds));
	ep = epoll_create1(0);
	ev.events = EPOLLIN;
	ev.data.u64 = 0x1122334455667788ULL;
	STEP(26, ep > 2 && epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
	memset(&ev, 0, sizeof(ev));
	STEP(27, epoll_wait(ep, &ev, 1, 1000) == 1 && ev.data.u64 == 0x1122334455667788ULL);
	/* errors come back as errors, bad pointers fault locally */
	STEP(28, read(999, buf, 1) == -1 && errno == EBADF);
	STEP(29, syscall(__NR_write, p[1], 16L, 10L) == -1 && errno == EFAULT);
	STEP(30, open("/nonexistent/x", O_RDONLY) == -1 && errno == ENOENT);
	/*
	 * Futexes: a private one, and a shared one in private memory, run
	 * here (nobody at home could wake them); one in shared memory at home,
	 * where home reads the word (7 is not what it holds: EAGAIN); an
	 * absolute CLOCK_MONOTONIC deadline crosses as the time left.
	 */
	n = 5;
	STEP(31, syscall(__NR_futex, &n, FUTEX_WAIT_PRIVATE, 6, NULL, NULL, 0) == -1 &&
		 errno == EAGAIN);
	STEP(32, syscall(__NR_futex, &n, FUTEX_WAKE, 1, NULL, NULL, 0) == 0);
	STEP(33, syscall(__NR_futex, shared_word, FUTEX_WAIT, 7, NULL, NULL, 0) == -1 &&
		 errno == EAGAIN);
	STEP(34, syscall(__NR_futex, shared_word, FUTEX_WAKE, 1, NULL, NULL, 0) == 0);
	{
		struct timespec t0, t1, dl;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		dl = t0;
		dl.tv_nsec += 30000000;
		if (dl.tv_nsec >= 1000000000) {
			dl.tv_sec++;
			dl.tv_nsec -= 1000000000;
		}
		STEP(35, syscall(__NR_futex, shared_word, FUTEX_WAIT_BITSET, *shared_word, &dl,
				 NULL, FUTEX_BITSET_MATCH_ANY) == -1 && errno == ETIMEDOUT);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		STEP(36, (t1.tv_sec - t0.tv_sec) * 1000000000L + t1.tv_nsec - t0.tv_nsec >=
			 30000000L);
	}
	_exit(0);
}

/* ---------------------------------------------------------------------- */
/* The relays and the deputy, all in the test process.                    */

static int find_listener(pid_t pid)
{
	char dir[64], path[384], link[128];
	int pidfd, fd = -1, tries;
	struct dirent *de;
	ssize_t n;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	ck_assert_int_ge(pidfd, 0);
	for (tries = 0; tries < 500 && fd < 0; tries++) {
		d = opendir(dir);
		ck_assert_ptr_nonnull(d);
		while ((de = readdir(d)) && fd < 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = 0;
			if (!strcmp(link, "anon_inode:seccomp notify"))
				fd = (int)syscall(SYS_pidfd_getfd, pidfd, atoi(de->d_name), 0);
		}
		closedir(d);
		if (fd < 0)
			usleep(10000);
	}
	close(pidfd);
	return fd;
}

/* Home: validate, lay out, execute as the deputy would, reply. */
static void *home_execute(const void *req, size_t len, size_t *rlen)
{
	struct ssi_fwd_call call;
	uint64_t args[6];
	uint8_t *area;
	char err[128];
	int64_t ret;
	void *rep;

	ck_assert_msg(ssi_fwd_parse(req, len, &call, err, sizeof(err)) == 0, "parse: %s", err);
	area = calloc(1, call.req->area_len + 8);
	ck_assert_ptr_nonnull(area);
	ssi_fwd_materialize(&call, area, (uint64_t)(uintptr_t)area, args);
	if (call.req->nr == __NR_futex) {
		home_futex_waits += (args[1] & FUTEX_CMD_MASK) == FUTEX_WAIT;
		home_futex_bitset_waits += (args[1] & FUTEX_CMD_MASK) == FUTEX_WAIT_BITSET;
	}
	if (call.req->nr == __NR_uname) {
		/* the home node's name, without changing this machine's */
		ret = syscall(__NR_uname, args[0]);
		strcpy(((struct utsname *)(uintptr_t)args[0])->nodename, "ssi-home-node");
	} else {
		ret = syscall(call.req->nr, args[0], args[1], args[2], args[3], args[4], args[5]);
	}
	if (ret < 0)
		ret = -errno;
	*rlen = ssi_fwd_reply_build(&call, ret, area, NULL, 0);
	rep = malloc(*rlen);
	ck_assert_uint_eq(ssi_fwd_reply_build(&call, ret, area, rep, *rlen), *rlen);
	free(area);
	return rep;
}

static bool addr_shared(void *ctx, uint64_t addr)
{
	return futex_addr_shared(*(pid_t *)ctx, addr);
}

static void relay_one(int listener, pid_t pid, int *forwarded)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	struct ssi_fwd_pending p;
	uint64_t args[6];
	int64_t ret;
	size_t rlen;
	void *rep;
	int err, i;

	memset(&req, 0, sizeof(req));
	ck_assert_int_eq(ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req), 0);
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	for (i = 0; i < 6; i++)
		args[i] = req.data.args[i];

	switch (ssi_sc_policy_of(req.data.nr)) {
	case SSI_SC_CACHED:
		resp.val = CACHED_PID;
		break;
	case SSI_SC_LOCAL_IF:
		ck_assert_int_eq(req.data.nr, __NR_futex);
		if (futex_where(args, addr_shared, &pid) != FUTEX_RUN_HOME) {
			resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
			break;
		}
		__attribute__((fallthrough));	/* run at home */
	case SSI_SC_FORWARD:
		memset(&p, 0, sizeof(p));
		err = ssi_fwd_build(&p, req.data.nr, args, &ssi_mem_process, &pid);
		/* the arguments were read: is the notification still alive? */
		ck_assert_int_eq(ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req.id), 0);
		if (err) {
			ck_assert_msg(err != -ENOSYS, "%s not marshallable",
				      ssi_sc_lookup(req.data.nr)->name);
			resp.error = err;
		} else {
			rep = home_execute(p.msg, p.msg_len, &rlen);
			ck_assert_int_eq(ssi_fwd_apply(&p, rep, rlen, &ret, &ssi_mem_process, &pid), 0);
			free(rep);
			if (ret < 0)
				resp.error = (int)ret;
			else
				resp.val = ret;
			(*forwarded)++;
		}
		ssi_fwd_pending_free(&p);
		break;
	default:
		ck_abort_msg("unexpected notification for %s (%d)",
			     ssi_sc_lookup(req.data.nr)->name ?: "?", req.data.nr);
	}
	ck_assert_int_eq(ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0);
}

START_TEST(test_forwarded_calls)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX, .sun_path = "sock" };
	struct sock_fprog prog;
	int listener, status, forwarded = 0, pp[2];
	char buf[16], cwd[256];
	pid_t pid;

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_ptr_nonnull(mkdtemp(home_dir));
	ck_assert_int_eq(chdir(home_dir), 0);
	home_file = open("file", O_CREAT | O_RDWR | O_TRUNC, 0600);
	ck_assert_int_ge(home_file, 0);
	ck_assert_int_eq(write(home_file, file_text, strlen(file_text)), strlen(file_text));
	ck_assert_int_eq(lseek(home_file, 0, SEEK_SET), 0);
	ck_assert_int_eq(pipe(pp), 0);
	home_pipe_r = pp[0];
	home_pipe_w = pp[1];
	home_sock = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(home_sock, (struct sockaddr *)&sun,
			      offsetof(struct sockaddr_un, sun_path) + 5), 0);
	ck_assert_int_eq(ssi_seccomp_build(NULL, &prog), 0);
	shared_word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(shared_word, MAP_FAILED);

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		child_main(&prog);
	listener = find_listener(pid);
	ck_assert_int_ge(listener, 0);
	for (;;) {
		struct pollfd pfd = { .fd = listener, .events = POLLIN };

		ck_assert_int_eq(poll(&pfd, 1, 10000), 1);
		if (pfd.revents & POLLHUP)
			break;	/* the child is gone */
		relay_one(listener, pid, &forwarded);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "step %d failed in the migrated child (status 0x%x)",
		      WEXITSTATUS(status), status);
	printf("forwarded %d calls\n", forwarded);
	ck_assert_int_ge(forwarded, 33);
	/* the shared futex calls ran here, the deadline as a relative wait */
	ck_assert_int_eq(home_futex_waits, 2);
	ck_assert_int_eq(home_futex_bitset_waits, 0);
	munmap(shared_word, 4096);
	/* what the child wrote into a home fd arrived at home */
	ck_assert_int_eq(read(home_pipe_r, buf, sizeof(buf)), 5);
	ck_assert_int_eq(memcmp(buf, "hello", 5), 0);

	close(listener);
	ssi_seccomp_free(&prog);
	unlink("sock");
	unlink("file");
	ck_assert_int_eq(chdir(cwd), 0);
	ck_assert_int_eq(rmdir(home_dir), 0);
}
END_TEST

/* Addresses below 0x10000 are "shared" for test_futex_where. */
static bool low_shared(void *ctx, uint64_t addr)
{
	(void)ctx;
	return addr < 0x10000;
}

START_TEST(test_futex_where)
{
	const uint64_t S = 0x1000, P = 0x20000, ANY = FUTEX_BITSET_MATCH_ANY;
	const struct {
		uint64_t args[6];
		enum futex_where want;
	} c[] = {
		{ { S, FUTEX_WAIT_PRIVATE, 0, 0, 0, 0 }, FUTEX_RUN_HERE },
		{ { P, FUTEX_WAIT, 0, 0, 0, 0 }, FUTEX_RUN_HERE },
		{ { S, FUTEX_WAIT, 0, 0, 0, 0 }, FUTEX_RUN_HOME },
		{ { S, FUTEX_WAIT, 0, 0x7000, 0, 0 }, FUTEX_RUN_HOME },	/* relative */
		{ { S, FUTEX_WAKE, 1, 0, 0, 0 }, FUTEX_RUN_HOME },
		/* two words: both shared, both private, or the process goes home */
		{ { S, FUTEX_CMP_REQUEUE, 1, 1, S + 4, 0 }, FUTEX_RUN_HOME },
		{ { P, FUTEX_CMP_REQUEUE, 1, 1, P + 4, 0 }, FUTEX_RUN_HERE },
		{ { S, FUTEX_WAKE_OP, 1, 1, P, 0 }, FUTEX_RUN_PULL },
		{ { P, FUTEX_REQUEUE, 1, 1, S, 0 }, FUTEX_RUN_PULL },
		/* a monotonic deadline: made relative, or the process goes home */
		{ { S, FUTEX_WAIT_BITSET, 0, 0x7000, 0, ANY }, FUTEX_RUN_HOME },
		{ { S, FUTEX_WAIT_BITSET, 0, 0x7000, 0, 1 }, FUTEX_RUN_PULL },
		{ { S, FUTEX_WAIT_BITSET, 0, 0, 0, 1 }, FUTEX_RUN_HOME },
		{ { S, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 0, 0x7000, 0, 1 }, FUTEX_RUN_HOME },
		{ { S, FUTEX_LOCK_PI, 0, 0x7000, 0, 0 }, FUTEX_RUN_HOME },	/* realtime */
		{ { S, FUTEX_LOCK_PI2, 0, 0x7000, 0, 0 }, FUTEX_RUN_PULL },
		{ { S, FUTEX_WAIT_REQUEUE_PI, 0, 0x7000, S + 4, 0 }, FUTEX_RUN_PULL },
		{ { S, FUTEX_WAIT_REQUEUE_PI, 0, 0, S + 4, 0 }, FUTEX_RUN_HOME },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		ck_assert_msg(futex_where(c[i].args, low_shared, NULL) == c[i].want,
			      "case %zu: op 0x%llx", i, (unsigned long long)c[i].args[1]);
	ck_assert(futex_relative(FUTEX_WAIT_BITSET, ANY));
	ck_assert(!futex_relative(FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, ANY));
	ck_assert(!futex_relative(FUTEX_WAIT, ANY));
	ck_assert(futex_timeout_arg(FUTEX_LOCK_PI) && !futex_timeout_arg(FUTEX_CMP_REQUEUE));
}
END_TEST

/* futex_waitv: here unless a word it waits on is shared; a bad count goes home. */
START_TEST(test_futex_waitv_where)
{
	struct futex_waitv w[3] = {
		{ .uaddr = 0x20000, .flags = FUTEX_32 },
		{ .uaddr = 0x1000, .flags = FUTEX_32 | FUTEX_PRIVATE_FLAG },
		{ .uaddr = 0x30000, .flags = FUTEX_32 },
	};

	ck_assert_int_eq(futex_waitv_where(w, 3, low_shared, NULL), FUTEX_RUN_HERE);
	w[2].uaddr = 0x2000;		/* shared, not private */
	ck_assert_int_eq(futex_waitv_where(w, 3, low_shared, NULL), FUTEX_RUN_PULL);
	ck_assert_int_eq(futex_waitv_where(w, 2, low_shared, NULL), FUTEX_RUN_HERE);
	ck_assert_int_eq(futex_waitv_where(w, 0, low_shared, NULL), FUTEX_RUN_PULL);
	ck_assert_int_eq(futex_waitv_where(w, FUTEX_WAITV_MAX + 1, low_shared, NULL),
			 FUTEX_RUN_PULL);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Malformed input on both sides.                                         */

START_TEST(test_parse_rejects_malformed)
{
	struct ssi_fwd_pending p = { 0 };
	struct ssi_fwd_call call;
	char buf[64], err[128];
	uint64_t args[6] = { 3, (uint64_t)(uintptr_t)buf, sizeof(buf) };
	uint8_t *m;
	size_t i;

	ck_assert_int_eq(ssi_fwd_build(&p, __NR_read, args, &ssi_mem_self, NULL), 0);
	ck_assert_int_eq(ssi_fwd_parse(p.msg, p.msg_len, &call, err, sizeof(err)), 0);
	m = malloc(p.msg_len);

	/* every truncation is refused */
	for (i = 0; i < p.msg_len; i++)
		ck_assert_int_eq(ssi_fwd_parse(p.msg, i, &call, err, sizeof(err)), -EINVAL);
	/* an area bigger than allowed, a prefix bigger than the area */
	memcpy(m, p.msg, p.msg_len);
	((struct ssi_fwd_req *)m)->area_len = SSI_FWD_AREA_MAX + 1;
	ck_assert_int_eq(ssi_fwd_parse(m, p.msg_len, &call, err, sizeof(err)), -EINVAL);
	memcpy(m, p.msg, p.msg_len);
	((struct ssi_fwd_req *)m)->in_len = ((struct ssi_fwd_req *)m)->area_len + 8;
	ck_assert_int_eq(ssi_fwd_parse(m, p.msg_len, &call, err, sizeof(err)), -EINVAL);
	/* a pointer argument outside the area */
	memcpy(m, p.msg, p.msg_len);
	((struct ssi_fwd_req *)m)->args[1] = 1u << 30;
	ck_assert_int_eq(ssi_fwd_parse(m, p.msg_len, &call, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "outside"));
	/* an out segment beyond the area */
	memcpy(m, p.msg, p.msg_len);
	((struct ssi_fwd_out *)(m + sizeof(struct ssi_fwd_req)))->cap = 1u << 30;
	ck_assert_int_eq(ssi_fwd_parse(m, p.msg_len, &call, err, sizeof(err)), -EINVAL);
	/* reserved fields */
	memcpy(m, p.msg, p.msg_len);
	((struct ssi_fwd_req *)m)->flags = 1;
	ck_assert_int_eq(ssi_fwd_parse(m, p.msg_len, &call, err, sizeof(err)), -EINVAL);
	free(m);
	ssi_fwd_pending_free(&p);
}
END_TEST

START_TEST(test_apply_rejects_malformed)
{
	struct ssi_fwd_pending p = { 0 };
	struct ssi_fwd_call call;
	char buf[64], err[128];
	uint64_t args[6] = { 3, (uint64_t)(uintptr_t)buf, sizeof(buf) };
	uint8_t area[256], rep[256];
	size_t n, i;
	int64_t ret = 12345;

	ck_assert_int_eq(ssi_fwd_build(&p, __NR_read, args, &ssi_mem_self, NULL), 0);
	ck_assert_int_eq(ssi_fwd_parse(p.msg, p.msg_len, &call, err, sizeof(err)), 0);
	memset(area, 'z', sizeof(area));
	n = ssi_fwd_reply_build(&call, 10, area, rep, sizeof(rep));
	ck_assert_uint_gt(n, 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(ssi_fwd_apply(&p, rep, i, &ret, &ssi_mem_self, NULL), -EPROTO);
	ck_assert_int_eq(ret, 12345);	/* nothing taken from a bad reply */
	/* a segment longer than the buffer the process gave */
	((uint64_t *)(rep + sizeof(struct ssi_fwd_reply)))[0] = sizeof(buf) + 8;
	ck_assert_int_eq(ssi_fwd_apply(&p, rep, n, &ret, &ssi_mem_self, NULL), -EPROTO);
	ssi_fwd_reply_build(&call, 10, area, rep, sizeof(rep));
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(ssi_fwd_apply(&p, rep, n, &ret, &ssi_mem_self, NULL), 0);
	ck_assert_int_eq(ret, 10);
	ck_assert_int_eq(memcmp(buf, "zzzzzzzzzz", 10), 0);
	ck_assert_int_eq(buf[10], 0);	/* only ret bytes written */
	ssi_fwd_pending_free(&p);
}
END_TEST

START_TEST(test_build_limits)
{
	struct ssi_fwd_pending p = { 0 };
	uint64_t args[6] = { 3, 0, 1ULL << 40 };
	static char big[64];

	/* unknown ioctl: cannot marshal -> pull home */
	args[1] = 0x12345678;
	args[2] = (uint64_t)(uintptr_t)big;
	ck_assert_int_eq(ssi_fwd_build(&p, __NR_ioctl, args, &ssi_mem_self, NULL), -ENOSYS);
	ssi_fwd_pending_free(&p);
	/* not a forwarded syscall */
	ck_assert_int_eq(ssi_fwd_build(&p, __NR_mmap, args, &ssi_mem_self, NULL), -ENOSYS);
	ssi_fwd_pending_free(&p);
	/* a huge read is shortened, not refused */
	args[1] = (uint64_t)(uintptr_t)big;
	args[2] = 1ULL << 40;
	ck_assert_int_eq(ssi_fwd_build(&p, __NR_read, args, &ssi_mem_self, NULL), 0);
	ck_assert_uint_eq(((struct ssi_fwd_req *)p.msg)->args[2], SSI_FWD_IO_MAX);
	ssi_fwd_pending_free(&p);
	/* too many iovecs: EINVAL like the kernel */
	args[2] = 5000;
	ck_assert_int_eq(ssi_fwd_build(&p, __NR_writev, args, &ssi_mem_self, NULL), -EINVAL);
	ssi_fwd_pending_free(&p);
}
END_TEST

/* A limit set away: the bytes home checks are the ones the relay sets here. */
START_TEST(test_limit_bytes)
{
	struct ssi_fwd_pending p = { 0 };
	struct rlimit want = { 777, 4096 };
	const struct rlimit *got;
	uint64_t args[6] = { 0, RLIMIT_NOFILE, (uint64_t)(uintptr_t)&want, 0 };

	ck_assert_int_eq(ssi_fwd_build(&p, __NR_prlimit64, args, &ssi_mem_self, NULL), 0);
	got = ssi_fwd_in_arg(&p, 2, sizeof(*got));
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(got->rlim_cur, 777);
	ck_assert_uint_eq(got->rlim_max, 4096);
	/* the value arguments, and an argument shorter than asked, carry none */
	ck_assert_ptr_null(ssi_fwd_in_arg(&p, 1, sizeof(*got)));
	ck_assert_ptr_null(ssi_fwd_in_arg(&p, 2, sizeof(*got) + 1));
	ck_assert_ptr_null(ssi_fwd_in_arg(&p, 6, 1));
	ssi_fwd_pending_free(&p);
	/* setrlimit too; a NULL limit carries nothing */
	args[0] = RLIMIT_CPU;
	args[1] = (uint64_t)(uintptr_t)&want;
	ck_assert_int_eq(ssi_fwd_build(&p, __NR_setrlimit, args, &ssi_mem_self, NULL), 0);
	ck_assert_ptr_nonnull(ssi_fwd_in_arg(&p, 1, sizeof(want)));
	ssi_fwd_pending_free(&p);
	args[1] = 0;
	ck_assert_int_eq(ssi_fwd_build(&p, __NR_setrlimit, args, &ssi_mem_self, NULL), 0);
	ck_assert_ptr_null(ssi_fwd_in_arg(&p, 1, sizeof(want)));
	ssi_fwd_pending_free(&p);
}
END_TEST

static Suite *fwd_suite(void)
{
	Suite *s = suite_create("fwd");
	TCase *tc = tcase_create("relay");
	TCase *tm = tcase_create("malformed");

	tcase_add_test(tc, test_forwarded_calls);
	tcase_add_test(tc, test_futex_where);
	tcase_add_test(tc, test_futex_waitv_where);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tcase_add_test(tm, test_parse_rejects_malformed);
	tcase_add_test(tm, test_apply_rejects_malformed);
	tcase_add_test(tm, test_build_limits);
	tcase_add_test(tm, test_limit_bytes);
	suite_add_tcase(s, tm);
	return s;
}

int main(void)
{
	int failed = check_run(fwd_suite());

	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
