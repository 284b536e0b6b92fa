// SPDX-License-Identifier: GPL-2.0
/*
 * signalfd_state WHAT: a signalfd made before the move still reads the
 * process's signals after it.  The fd lives at home; once the process has
 * moved, the node it runs on installs an equivalent signalfd of its own,
 * and reads and polls of it run there.  Every signal used is blocked, as
 * signalfd wants: none ever goes to a handler, so no call may fail with
 * EINTR (a move that made one would be seen).
 *   self      a signalfd for SIGUSR1 and SIGRTMIN+2 (SFD_CLOEXEC), SIGUSR2
 *             blocked too: every round sigqueue()s SIGUSR1 once and
 *             SIGRTMIN+2 twice and kill()s SIGUSR2 to its own pid, then
 *             reads three records: SIGUSR1 first, the realtime ones in the
 *             order sent, each with SI_QUEUE, its pid and uid and the
 *             value.  SIGUSR2, outside the signalfd's mask, is still
 *             pending: sigtimedwait() takes it.  /proc/self/fdinfo shows
 *             the mask and O_CLOEXEC in every round.
 *   nonblock  SIGUSR1, SFD_NONBLOCK: while none is queued read() fails
 *             with EAGAIN and poll() and select() see nothing; once one
 *             is, poll(), select() and ppoll() see the fd readable and
 *             read() gets exactly it.  Then F_SETFL clears O_NONBLOCK (a
 *             blocking read() of a queued signal) and sets it again.
 *   child     SIGUSR1 and SIGCHLD: a child left at home (only the parent
 *             moves) sigqueue()s SIGUSR1 to its parent for each number
 *             the parent writes down a pipe; the parent reads it from the
 *             signalfd, with the child's pid and the number.  At EOF the
 *             child exits 7: the parent reads SIGCHLD (CLD_EXITED, status
 *             7), then waitpid() reaps the child.
 *   dup       SIGUSR1, the signalfd itself closed at once, only dups used:
 *             every round dup2() or F_DUPFD_CLOEXEC makes one at fd 40..44
 *             that reads a signal, shares O_NONBLOCK with the kept dup
 *             (one open file) and is closed; the kept dup reads one too
 *             and is replaced by a fresh dup of itself.
 *   mixed     SIGUSR1, and a pipe to itself: every round poll() finds
 *             neither ready, then waits for both, the signal and a byte
 *             written to the pipe, and both are read.  Away from home such a wait sends the process
 *             home (the pipe is home's, the signals are where it runs),
 *             where it stays.
 */
#include "zs.h"

#include <poll.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

/* Signal @sig as the kernel's masks (and fdinfo) hold it. */
#define BIT(sig)	(1ull << ((sig) - 1))

static sigset_t sigs_of(unsigned long long bits)
{
	sigset_t s;
	int sig;

	sigemptyset(&s);
	for (sig = 1; sig <= 64; sig++)
		if (bits & BIT(sig))
			sigaddset(&s, sig);
	return s;
}

/* A signalfd for @bits, with @blocked blocked first: it only sees pending ones. */
static int make_sfd(unsigned long long bits, unsigned long long blocked, int flags)
{
	sigset_t s = sigs_of(blocked);
	int fd;

	zs_check(!sigprocmask(SIG_BLOCK, &s, NULL), "sigprocmask: %s", strerror(errno));
	s = sigs_of(bits);
	fd = signalfd(-1, &s, flags);
	zs_check(fd >= 0, "signalfd: %s", strerror(errno));
	return fd;
}

/*
 * /proc/self/fdinfo/@fd: the mask, in render_sigset_t()'s 16 hex digits,
 * and the file flags (octal), of which @on must be set and @off clear.
 */
static void fdinfo_check(int fd, unsigned long long bits, int on, int off, const char *what)
{
	char path[64], buf[1024], want[24], *p;
	unsigned long flags;
	size_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY);
	zs_check(f >= 0, "round %d, %s: open fdinfo: %s", zs_round, what, strerror(errno));
	n = zs_read_to_eof(f, buf, sizeof(buf) - 1);
	close(f);
	buf[n] = 0;
	snprintf(want, sizeof(want), "%016llx\n", bits);
	p = strstr(buf, "\nsigmask:\t");
	zs_check(p && !strncmp(p + 10, want, 17), "round %d, %s: fdinfo sigmask %.16s, want %.16s",
		 zs_round, what, p ? p + 10 : "missing", want);
	p = strstr(buf, "\nflags:\t");
	zs_check(p, "round %d, %s: no flags in fdinfo", zs_round, what);
	flags = strtoul(p + 8, NULL, 8);
	zs_check((flags & on) == (unsigned long)on && !(flags & off),
		 "round %d, %s: fdinfo flags 0%lo, want 0%o set and 0%o clear", zs_round, what,
		 flags, on, off);
}

static void queue(pid_t pid, int sig, int value)
{
	union sigval v = { .sival_int = value };

	zs_check(!sigqueue(pid, sig, v), "round %d: sigqueue %d: %s", zs_round, sig,
		 strerror(errno));
}

/* @n records from @fd, however many each read() returns. */
static void sfd_read(int fd, struct signalfd_siginfo *si, int n, const char *what)
{
	size_t got = 0, want = n * sizeof(*si);
	ssize_t r;

	while (got < want) {
		r = read(fd, (char *)si + got, want - got);
		zs_check(r > 0 && r % sizeof(*si) == 0, "round %d, %s: read of the signalfd: %zd, %s",
			 zs_round, what, r, r < 0 ? strerror(errno) : "no error");
		got += r;
	}
}

/* @si is @signo sigqueue()d by @pid (of our uid) with @value. */
static void queued_check(const struct signalfd_siginfo *si, int signo, pid_t pid, int value,
			 const char *what)
{
	zs_check(si->ssi_signo == (uint32_t)signo && si->ssi_code == SI_QUEUE &&
		 si->ssi_pid == (uint32_t)pid && si->ssi_uid == getuid() && si->ssi_int == value,
		 "round %d, %s: signal %u code %d pid %u uid %u value %d status %d, "
		 "want %d %d %d %d %d", zs_round, what, si->ssi_signo, si->ssi_code,
		 si->ssi_pid, si->ssi_uid, si->ssi_int, si->ssi_status, signo, SI_QUEUE,
		 (int)pid, (int)getuid(), value);
}

/* Nothing queued for nonblocking @fd: EAGAIN, and not ready to poll() or select(). */
static void empty_check(int fd, const char *what)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct timeval tv = { 0, 0 };
	struct signalfd_siginfo si;
	fd_set rd;
	ssize_t n;
	int r;

	n = read(fd, &si, sizeof(si));
	zs_check(n < 0 && errno == EAGAIN, "round %d, %s: read of an empty signalfd: %zd, %s",
		 zs_round, what, n, n < 0 ? strerror(errno) : "no error");
	r = poll(&pfd, 1, 0);
	zs_check(r == 0, "round %d, %s: poll of an empty signalfd: %d, revents %#x", zs_round,
		 what, r, pfd.revents);
	FD_ZERO(&rd);
	FD_SET(fd, &rd);
	r = select(fd + 1, &rd, NULL, NULL, &tv);
	zs_check(r == 0, "round %d, %s: select of an empty signalfd: %d", zs_round, what, r);
}

static void run_self(void)
{
	int rt2 = SIGRTMIN + 2, sig[3] = { SIGUSR1, rt2, rt2 }, i, r, sfd;
	unsigned long long bits = BIT(SIGUSR1) | BIT(rt2);
	sigset_t usr2 = sigs_of(BIT(SIGUSR2)), pend;
	struct timespec ts = { 5, 0 };
	struct signalfd_siginfo si[3];
	pid_t pid = getpid();
	siginfo_t info;

	sfd = make_sfd(bits, bits | BIT(SIGUSR2), SFD_CLOEXEC);
	fdinfo_check(sfd, bits, O_CLOEXEC, 0, "setup");
	zs_ready(pid);
	while (zs_more()) {
		zs_round++;
		for (i = 0; i < 3; i++)
			queue(pid, sig[i], zs_round * 3 + i);
		zs_check(!kill(pid, SIGUSR2), "round %d: kill: %s", zs_round, strerror(errno));
		/* the lowest number first, then the realtime queue in order */
		sfd_read(sfd, si, 3, "self");
		for (i = 0; i < 3; i++)
			queued_check(&si[i], sig[i], pid, zs_round * 3 + i, "self");
		zs_check(!sigpending(&pend) && sigismember(&pend, SIGUSR2) &&
			 !sigismember(&pend, SIGUSR1) && !sigismember(&pend, rt2),
			 "round %d: pending after the read: SIGUSR2 %d, SIGUSR1 %d, SIGRTMIN+2 %d",
			 zs_round, sigismember(&pend, SIGUSR2), sigismember(&pend, SIGUSR1),
			 sigismember(&pend, rt2));
		memset(&info, 0, sizeof(info));
		r = sigtimedwait(&usr2, &info, &ts);
		zs_check(r == SIGUSR2 && info.si_signo == SIGUSR2 && info.si_code == SI_USER &&
			 info.si_pid == pid, "round %d: sigtimedwait: %d (%s), code %d pid %d",
			 zs_round, r, r < 0 ? strerror(errno) : "ok", info.si_code,
			 (int)info.si_pid);
		fdinfo_check(sfd, bits, O_CLOEXEC, 0, "self");
		zs_check(fcntl(sfd, F_GETFD) == FD_CLOEXEC, "round %d: FD_CLOEXEC lost", zs_round);
		usleep(20000);
	}
	zdtm_say("signalfd_state self: SIGUSR1 then SIGRTMIN+2 twice read with their values, "
		 "SIGUSR2 left pending, in every round\n");
}

static void run_nonblock(void)
{
	struct pollfd pfd = { .events = POLLIN };
	struct timespec ts = { 5, 0 };
	struct signalfd_siginfo si[2];
	struct timeval tv;
	pid_t pid = getpid();
	int sfd, fl, r;
	fd_set rd;

	pfd.fd = sfd = make_sfd(BIT(SIGUSR1), BIT(SIGUSR1), SFD_NONBLOCK);
	fdinfo_check(sfd, BIT(SIGUSR1), O_NONBLOCK, O_CLOEXEC, "setup");
	zs_ready(pid);
	while (zs_more()) {
		zs_round++;
		empty_check(sfd, "before");
		queue(pid, SIGUSR1, zs_round);
		r = poll(&pfd, 1, 5000);
		zs_check(r == 1 && pfd.revents == POLLIN, "round %d: poll, a signal queued: %d, "
			 "revents %#x", zs_round, r, pfd.revents);
		FD_ZERO(&rd);
		FD_SET(sfd, &rd);
		tv = (struct timeval){ 5, 0 };
		r = select(sfd + 1, &rd, NULL, NULL, &tv);
		zs_check(r == 1 && FD_ISSET(sfd, &rd), "round %d: select, a signal queued: %d",
			 zs_round, r);
		pfd.revents = 0;
		r = ppoll(&pfd, 1, &ts, NULL);
		zs_check(r == 1 && pfd.revents == POLLIN, "round %d: ppoll, a signal queued: %d, "
			 "revents %#x", zs_round, r, pfd.revents);
		/* room for two, one queued: one comes */
		r = read(sfd, si, sizeof(si));
		zs_check(r == sizeof(si[0]), "round %d: read of the signalfd: %d, %s", zs_round,
			 r, r < 0 ? strerror(errno) : "no error");
		queued_check(&si[0], SIGUSR1, pid, zs_round, "nonblock");
		empty_check(sfd, "after");

		fl = fcntl(sfd, F_GETFL);
		zs_check(fl >= 0 && !fcntl(sfd, F_SETFL, fl & ~O_NONBLOCK) &&
			 !(fcntl(sfd, F_GETFL) & O_NONBLOCK), "round %d: O_NONBLOCK not cleared",
			 zs_round);
		fdinfo_check(sfd, BIT(SIGUSR1), 0, O_NONBLOCK, "blocking");
		/* queued before the read: it returns at once */
		queue(pid, SIGUSR1, -zs_round);
		sfd_read(sfd, si, 1, "blocking");
		queued_check(&si[0], SIGUSR1, pid, -zs_round, "blocking");
		zs_check(!fcntl(sfd, F_SETFL, fl | O_NONBLOCK) && (fcntl(sfd, F_GETFL) & O_NONBLOCK),
			 "round %d: O_NONBLOCK not set again", zs_round);
		fdinfo_check(sfd, BIT(SIGUSR1), O_NONBLOCK, 0, "nonblocking again");
		empty_check(sfd, "nonblocking again");
		usleep(20000);
	}
	zdtm_say("signalfd_state nonblock: EAGAIN and not ready while empty, ready to poll, "
		 "select and ppoll once queued, O_NONBLOCK cleared and set, in every round\n");
}

/*
 * The child, at home for good: a SIGUSR1 to its parent per number read,
 * exit 7 at EOF.  It prints nothing (a failure shows as another status,
 * which the parent reports) and dies with its parent, not to outlive a
 * failed run.
 */
static void child(int in, pid_t parent)
{
	ssize_t n;
	int v;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(2);
	for (;;) {
		n = read(in, &v, sizeof(v));
		if (!n)
			_exit(7);
		if (n != sizeof(v) || sigqueue(parent, SIGUSR1, (union sigval){ .sival_int = v }))
			_exit(3);
	}
}

static void run_child(void)
{
	unsigned long long bits = BIT(SIGUSR1) | BIT(SIGCHLD);
	struct signalfd_siginfo si;
	pid_t pid = getpid(), kid;
	int p[2], sfd, st;

	sfd = make_sfd(bits, bits, 0);
	/* a child dead early: EPIPE reported, not a silent death by SIGPIPE */
	signal(SIGPIPE, SIG_IGN);
	zs_check(!pipe(p), "pipe: %s", strerror(errno));
	kid = fork();
	zs_check(kid >= 0, "fork: %s", strerror(errno));
	if (!kid) {
		close(sfd);
		close(p[1]);
		child(p[0], pid);
	}
	close(p[0]);
	zs_ready(pid);		/* the parent moves */
	while (zs_more()) {
		zs_round++;
		zs_write_all(p[1], &zs_round, sizeof(zs_round));
		sfd_read(sfd, &si, 1, "child");
		queued_check(&si, SIGUSR1, kid, zs_round, "child");
		usleep(20000);
	}
	close(p[1]);
	sfd_read(sfd, &si, 1, "end");
	zs_check(si.ssi_signo == SIGCHLD && si.ssi_code == CLD_EXITED &&
		 si.ssi_pid == (uint32_t)kid && si.ssi_status == 7,
		 "end: signal %u code %d pid %u status %d, want %d %d %d 7", si.ssi_signo,
		 si.ssi_code, si.ssi_pid, si.ssi_status, SIGCHLD, CLD_EXITED, (int)kid);
	/* SIGCHLD read is not the child reaped: waitpid() still finds it */
	zs_check(waitpid(kid, &st, 0) == kid, "waitpid: %s", strerror(errno));
	zs_check(WIFEXITED(st) && WEXITSTATUS(st) == 7, "child status %#x", st);
	zdtm_say("signalfd_state child: the child's SIGUSR1 with its value in every round, "
		 "then SIGCHLD, exited 7\n");
}

static void run_dup(void)
{
	struct signalfd_siginfo si;
	pid_t pid = getpid();
	int sfd, d, e, want;

	sfd = make_sfd(BIT(SIGUSR1), BIT(SIGUSR1), 0);
	d = dup(sfd);
	zs_check(d >= 0 && !close(sfd), "dup or close of the signalfd: %s", strerror(errno));
	zs_ready(pid);
	while (zs_more()) {
		zs_round++;
		/* odd rounds dup2() (no FD_CLOEXEC), even ones F_DUPFD_CLOEXEC */
		want = 40 + zs_round % 5;
		e = zs_round & 1 ? dup2(d, want) : fcntl(d, F_DUPFD_CLOEXEC, want);
		zs_check(e == want, "round %d: dup of fd %d to %d: %d, %s", zs_round, d, want, e,
			 strerror(errno));
		zs_check(fcntl(e, F_GETFD) == (zs_round & 1 ? 0 : FD_CLOEXEC),
			 "round %d: new dup's FD_CLOEXEC wrong", zs_round);
		fdinfo_check(e, BIT(SIGUSR1), 0, O_NONBLOCK, "new dup");
		queue(pid, SIGUSR1, zs_round * 2);
		sfd_read(e, &si, 1, "new dup");
		queued_check(&si, SIGUSR1, pid, zs_round * 2, "new dup");
		/* one open file: O_NONBLOCK set through one dup holds for the other */
		zs_check(!fcntl(e, F_SETFL, O_NONBLOCK) && (fcntl(d, F_GETFL) & O_NONBLOCK),
			 "round %d: O_NONBLOCK set on the new dup, not on the kept one", zs_round);
		empty_check(d, "kept dup nonblocking");
		zs_check(!fcntl(d, F_SETFL, 0) && !(fcntl(e, F_GETFL) & O_NONBLOCK),
			 "round %d: O_NONBLOCK cleared on the kept dup, not on the new one", zs_round);
		zs_check(!close(e), "round %d: close: %s", zs_round, strerror(errno));
		zs_check(fcntl(e, F_GETFD) < 0 && errno == EBADF, "round %d: fd %d open after close",
			 zs_round, e);
		queue(pid, SIGUSR1, zs_round * 2 + 1);
		sfd_read(d, &si, 1, "kept dup");
		queued_check(&si, SIGUSR1, pid, zs_round * 2 + 1, "kept dup");
		/* and the kept one replaced by a fresh dup of itself */
		e = dup(d);
		zs_check(e >= 0 && !close(d), "round %d: dup or close of fd %d: %s", zs_round, d,
			 strerror(errno));
		d = e;
		usleep(20000);
	}
	zdtm_say("signalfd_state dup: every dup read its signal and shared the file flags, "
		 "in every round\n");
}

static void run_mixed(void)
{
	struct pollfd pfd[2] = { { .events = POLLIN }, { .events = POLLIN } };
	struct signalfd_siginfo si;
	pid_t pid = getpid();
	int p[2], r;
	char c;

	pfd[0].fd = make_sfd(BIT(SIGUSR1), BIT(SIGUSR1), 0);
	zs_check(!pipe(p), "pipe: %s", strerror(errno));
	pfd[1].fd = p[0];
	zs_ready(pid);
	while (zs_more()) {
		zs_round++;
		/*
		 * Nothing ready yet: this wait is where it goes home (a signal
		 * pending then would come home without its siginfo, a known
		 * gap of doc/state.md).
		 */
		r = poll(pfd, 2, 0);
		zs_check(r == 0, "round %d: poll of the signalfd and the pipe, none ready: %d",
			 zs_round, r);
		queue(pid, SIGUSR1, zs_round);
		zs_write_all(p[1], "x", 1);
		r = poll(pfd, 2, 5000);
		zs_check(r == 2 && pfd[0].revents == POLLIN && pfd[1].revents == POLLIN,
			 "round %d: poll of the signalfd and the pipe: %d, revents %#x %#x",
			 zs_round, r, pfd[0].revents, pfd[1].revents);
		sfd_read(pfd[0].fd, &si, 1, "mixed");
		queued_check(&si, SIGUSR1, pid, zs_round, "mixed");
		zs_check(read(p[0], &c, 1) == 1 && c == 'x', "round %d: read of the pipe", zs_round);
		usleep(20000);
	}
	zdtm_say("signalfd_state mixed: the signal and the pipe ready to one poll, in every round\n");
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";

	if (!strcmp(what, "self"))
		run_self();
	else if (!strcmp(what, "nonblock"))
		run_nonblock();
	else if (!strcmp(what, "child"))
		run_child();
	else if (!strcmp(what, "dup"))
		run_dup();
	else if (!strcmp(what, "mixed"))
		run_mixed();
	else
		zs_fail("usage: signalfd_state self|nonblock|child|dup|mixed");
	return 0;
}
