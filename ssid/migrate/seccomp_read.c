// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * seccomp_read.c - read a process's seccomp filters with ptrace
 * (seccomp_chain_read(), seccomp_carry.h).
 *
 * The only public way: PTRACE_SECCOMP_GET_FILTER and _GET_METADATA on a
 * thread in a ptrace stop, which the kernel allows a tracer with
 * CAP_SYS_ADMIN that runs under no seccomp filter itself (ssid, root).
 * The tracer is a child of ssid made for this and gone when it is done,
 * so that ssid's own waits never see a ptrace stop, and a tracer that
 * dies detaches its tracees by itself.  It seizes each thread
 * (PTRACE_SEIZE: no SIGSTOP is sent, no group stop is started),
 * interrupts it (PTRACE_INTERRUPT: a call in progress restarts when it
 * goes on, one that would report EINTR is made to restart too), reads
 * its chain and lets it go (PTRACE_DETACH).  It writes
 * the leader's chain, encoded, on a pipe, or why not; its parent waits
 * for it a bounded time.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <linux/ptrace.h>
#include <linux/seccomp.h>

#include "common/procfs.h"
#include "migrate/seccomp_carry.h"

/* The whole read, threads included; a thread stops for far less. */
#define READ_TIMEOUT_MS	3000

/* The exit codes of the reader: a refusal with its text, or a failure. */
#define EXIT_REFUSED	3
#define EXIT_FAILED	4

struct reader {
	pid_t pid;
	struct seccomp_chain leader, cur;
	uint32_t threads;
	char why[200];
};

/* One thread's chain into @c, the thread in a ptrace stop. */
static int chain_of(pid_t tid, struct seccomp_chain *c, char *why, size_t len)
{
	static struct sock_filter buf[BPF_MAXINSNS];
	unsigned long i;
	long n;
	int rc;

	for (i = 0;; i++) {
		struct seccomp_metadata md = { .filter_off = i };

		n = ptrace(PTRACE_SECCOMP_GET_FILTER, tid, (void *)i, NULL);
		if (n < 0 && errno == ENOENT)
			return 0;
		if (n <= 0 || n > BPF_MAXINSNS ||
		    ptrace(PTRACE_SECCOMP_GET_FILTER, tid, (void *)i, buf) != n) {
			snprintf(why, len, "reading seccomp filter %lu of thread %d: %s", i,
				 (int)tid, n < 0 ? strerror(errno) : "bad length");
			return -EIO;
		}
		if (ptrace(PTRACE_SECCOMP_GET_METADATA, tid, (void *)sizeof(md), &md) < 0) {
			snprintf(why, len, "reading the flags of seccomp filter %lu of thread %d: %s",
				 i, (int)tid, strerror(errno));
			return -EIO;
		}
		/* SECCOMP_FILTER_FLAG_LOG is the one flag that is the filter's */
		rc = seccomp_chain_add(c, buf, (uint32_t)n,
				       (uint32_t)md.flags & SECCOMP_FILTER_FLAG_LOG);
		if (rc) {
			snprintf(why, len, "seccomp filters of thread %d: %s", (int)tid,
				 rc == -E2BIG ? "more than the kernel takes" : strerror(-rc));
			return rc == -E2BIG ? -EOPNOTSUPP : rc;
		}
	}
}

/*
 * The interruption made a call that reports EINTR instead of restarting
 * (epoll_wait, sigtimedwait, semtimedop, ...) fail with an EINTR no
 * signal caused.  With none pending the interruption was ours: make the
 * call start over, as the module does for its own (ssi_dump.c
 * capture_thread()).  @tid is in its ptrace stop.
 */
static void restart_interrupted(pid_t tid)
{
	struct user_regs_struct regs;
	uint64_t pnd = 1, shd = 1;
	char text[4096];

	if (ptrace(PTRACE_GETREGS, tid, NULL, &regs) ||
	    (long)regs.orig_rax < 0 || (long)regs.rax != -EINTR)
		return;
	if (procfs_read(tid, "status", text, sizeof(text)) ||
	    procfs_status_u64(text, "SigPnd", 16, &pnd) ||
	    procfs_status_u64(text, "ShdPnd", 16, &shd) || pnd || shd)
		return;
	regs.rax = regs.orig_rax;
	regs.rip -= 2;		/* syscall and int $0x80 are both 2 bytes */
	ptrace(PTRACE_SETREGS, tid, NULL, &regs);
}

/* Stop @tid (seized), read its chain, let it go exactly as it was. */
static int read_thread(pid_t tid, void *arg)
{
	struct reader *r = arg;
	int st, sig = 0, rc;

	if (ptrace(PTRACE_SEIZE, tid, NULL, NULL)) {
		if (errno == ESRCH)
			return 0;	/* ended meanwhile */
		snprintf(r->why, sizeof(r->why), "cannot trace thread %d to read its seccomp filters: %s",
			 (int)tid, strerror(errno));
		return -EPERM;
	}
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) ||
	    waitpid(tid, &st, __WALL) != tid) {
		snprintf(r->why, sizeof(r->why), "cannot stop thread %d: %s", (int)tid,
			 strerror(errno));
		return -EIO;
	}
	if (!WIFSTOPPED(st))
		return 0;	/* it ended: nothing to read, nothing to let go */
	/* a signal's stop came first: it is given back on detach */
	if (st >> 16 != PTRACE_EVENT_STOP && WSTOPSIG(st) != SIGTRAP)
		sig = WSTOPSIG(st);
	r->cur.n = r->cur.total = 0;
	rc = chain_of(tid, &r->cur, r->why, sizeof(r->why));
	if (!sig)
		restart_interrupted(tid);
	ptrace(PTRACE_DETACH, tid, NULL, (void *)(long)sig);
	if (rc)
		return rc;
	if (!r->threads++) {
		/* the first is the leader (reader_main()): the others match it */
		r->leader = r->cur;
		memset(&r->cur, 0, sizeof(r->cur));
		return 0;
	}
	if (!seccomp_chain_equal(&r->leader, &r->cur)) {
		snprintf(r->why, sizeof(r->why),
			 "threads with different seccomp filters (thread %d's differ from the leader's)",
			 (int)tid);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int read_other_thread(pid_t tid, void *arg)
{
	const struct reader *r = arg;

	return tid == r->pid ? 0 : read_thread(tid, arg);
}

static void __attribute__((noreturn)) reader_main(pid_t pid, int out)
{
	struct reader r = { .pid = pid };
	unsigned char *buf;
	size_t len, off = 0;
	ssize_t n;
	int rc;

	/* the leader first: the chain that goes is the one that is compared */
	rc = read_thread(pid, &r);
	if (!rc)
		rc = procfs_each_thread(pid, read_other_thread, &r);
	if (rc) {
		n = write(out, r.why, strlen(r.why));
		_exit(rc == -EOPNOTSUPP ? EXIT_REFUSED : EXIT_FAILED);
	}
	if (!r.threads)
		_exit(EXIT_FAILED);
	len = seccomp_chain_encoded_len(&r.leader);
	buf = malloc(len);
	if (!buf)
		_exit(EXIT_FAILED);
	seccomp_chain_encode(&r.leader, buf);
	while (off < len) {
		n = write(out, buf + off, len - off);
		if (n <= 0)
			_exit(EXIT_FAILED);
		off += (size_t)n;
	}
	_exit(0);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int seccomp_chain_read(pid_t pid, uint32_t extra, struct seccomp_chain *c, char *err,
		       size_t errlen)
{
	uint64_t deadline = now_ms() + READ_TIMEOUT_MS;
	unsigned char *buf = NULL, *nb;
	size_t len = 0, cap = 0;
	struct pollfd pfd;
	char why[200];
	ssize_t n = 1;
	pid_t child;
	int p[2], st = -1, rc;

	memset(c, 0, sizeof(*c));
	if (pipe2(p, O_CLOEXEC)) {
		snprintf(err, errlen, "pid %d: reading its seccomp filters: pipe: %s", (int)pid,
			 strerror(errno));
		return errno;
	}
	child = fork();
	if (child < 0) {
		rc = errno;
		close(p[0]);
		close(p[1]);
		snprintf(err, errlen, "pid %d: reading its seccomp filters: fork: %s", (int)pid,
			 strerror(rc));
		return rc;
	}
	if (!child) {
		close(p[0]);
		reader_main(pid, p[1]);
	}
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	while (n > 0) {
		uint64_t now = now_ms();

		if (now >= deadline || poll(&pfd, 1, (int)(deadline - now)) == 0) {
			n = -1;
			errno = ETIMEDOUT;
			break;
		}
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			nb = cap <= SECCOMP_CARRY_MAX_LEN + 4096 ? realloc(buf, cap) : NULL;
			if (!nb) {
				n = -1;
				errno = E2BIG;
				break;
			}
			buf = nb;
		}
		n = read(p[0], buf + len, cap - len);
		if (n > 0)
			len += (size_t)n;
		else if (n < 0 && errno == EINTR)
			n = 1;
	}
	rc = errno;
	close(p[0]);
	if (n < 0)
		kill(child, SIGKILL);	/* its tracees are let go as it dies */
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;	/* st stays -1 (a failure) if it cannot be had */
	if (n < 0) {
		snprintf(err, errlen, "pid %d: reading its seccomp filters: %s", (int)pid,
			 strerror(rc));
		free(buf);
		return rc;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		rc = WIFEXITED(st) && WEXITSTATUS(st) == EXIT_REFUSED ? EOPNOTSUPP : EIO;
		snprintf(err, errlen, "pid %d %s%.*s; it continues on this node", (int)pid,
			 rc == EOPNOTSUPP ? "has " : "cannot be moved: ", (int)len,
			 len ? (char *)buf : "its seccomp filters cannot be read");
		free(buf);
		return rc;
	}
	rc = seccomp_chain_decode(buf, len, c, why, sizeof(why));
	free(buf);
	if (!rc)
		rc = seccomp_chain_check(c, extra, why, sizeof(why));
	if (rc) {
		seccomp_chain_free(c);
		snprintf(err, errlen, "pid %d has %s, which cannot be carried; it continues on this node",
			 (int)pid, why);
		return -rc;
	}
	return 0;
}
