// SPDX-License-Identifier: GPL-2.0
/*
 * file_lock: the migrated child holds record locks (F_SETLK), an open
 * file description lock (F_OFD_SETLK) and a flock, and waits in F_SETLKW
 * and flock for locks its parent (home) holds.  The locks belong to the
 * home task, so the parent sees them held by the child's pid, cannot take
 * them, and can once the child lets go; a blocked wait ends only when the
 * parent releases.  Commands and answers go over pipes.
 */
#include "zs.h"

#include <poll.h>
#include <sys/file.h>
#include <sys/wait.h>

static int lk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };

	return fcntl(fd, cmd, &fl);
}

/* What F_GETLK (or F_OFD_GETLK) says of a @type lock on [@start, +@len). */
static struct flock query(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };

	zs_check(!fcntl(fd, cmd, &fl), "F_GETLK: %s", strerror(errno));
	return fl;
}

static int child(int in, int out)
{
	int fd = open("lockf", O_RDWR), ofd = open("lockf", O_RDWR), fl = open("flockf", O_RDWR);
	char c;

	zs_check(fd >= 0 && ofd >= 0 && fl >= 0, "child: open: %s", strerror(errno));
	while (zs_read_all(in, &c, 1) && c != 'Q') {
		int r = 0;

		switch (c) {
		case 'L':	/* take all three */
			r = lk(fd, F_SETLK, F_WRLCK, 100, 100) || lk(ofd, F_OFD_SETLK, F_RDLCK, 300, 100) ||
			    flock(fl, LOCK_EX | LOCK_NB);
			break;
		case 'U':
			r = lk(fd, F_SETLK, F_UNLCK, 0, 0) || lk(ofd, F_OFD_SETLK, F_UNLCK, 0, 0) ||
			    flock(fl, LOCK_UN);
			break;
		case 'W':	/* wait for the parent's record lock */
			r = lk(fd, F_SETLKW, F_WRLCK, 0, 10);
			break;
		case 'F':	/* wait for the parent's flock */
			r = flock(fl, LOCK_EX);
			break;
		}
		zs_check(!r, "child: command %c: %s", c, strerror(errno));
		c += 'a' - 'A';
		zs_write_all(out, &c, 1);
	}
	zdtm_say("file_lock: child done\n");
	return 0;
}

static int down, up;

/* Send a command, wait for its answer. */
static void cmd(char c)
{
	char a;

	zs_write_all(down, &c, 1);
	zs_check(zs_read_all(up, &a, 1) && a == c + 'a' - 'A', "answer %c to %c", a, c);
}

/* Send @c, which must block on the parent's lock until unlock() runs. */
static void blocked(char c, int (*unlock)(int), int fd)
{
	struct pollfd p = { .fd = up, .events = POLLIN };
	int n;

	zs_write_all(down, &c, 1);
	n = poll(&p, 1, 50);
	zs_check(n == 0, "command %c did not wait for the parent's lock", c);
	zs_check(!unlock(fd), "unlock: %s", strerror(errno));
	zs_check(zs_read_all(up, &c, 1), "no answer after the unlock");
}

static int unlock_rec(int fd)
{
	return lk(fd, F_SETLK, F_UNLCK, 0, 10);
}

static int unlock_flock(int fd)
{
	return flock(fd, LOCK_UN);
}

int main(void)
{
	int dp[2], upp[2], fd, ofd, fl, st;
	unsigned round;
	struct flock q;
	pid_t pid;

	fd = open("lockf", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ofd = open("lockf", O_RDWR);	/* never closed: a close drops fd's record locks */
	fl = open("flockf", O_RDWR | O_CREAT | O_TRUNC, 0644);
	zs_check(fd >= 0 && ofd >= 0 && fl >= 0 && !ftruncate(fd, 4096) && !pipe(dp) && !pipe(upp),
		 "setting up: %s", strerror(errno));
	pid = fork();
	zs_check(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		close(dp[1]);
		close(upp[0]);
		return child(dp[0], upp[1]);
	}
	close(dp[0]);
	close(upp[1]);
	down = dp[1];
	up = upp[0];
	zs_ready(pid);

	for (round = 1; zs_more(); round++) {
		cmd('L');
		q = query(fd, F_GETLK, F_WRLCK, 150, 10);
		zs_check(q.l_type == F_WRLCK && q.l_start == 100 && q.l_len == 100 && q.l_pid == pid,
			 "round %u: F_GETLK: type %d [%lld,+%lld) pid %d, child %d", round, q.l_type,
			 (long long)q.l_start, (long long)q.l_len, q.l_pid, pid);
		q = query(ofd, F_OFD_GETLK, F_WRLCK, 350, 10);
		zs_check(q.l_type == F_RDLCK && q.l_start == 300 && q.l_pid == -1,
			 "round %u: F_OFD_GETLK: type %d pid %d", round, q.l_type, q.l_pid);
		zs_check(query(fd, F_GETLK, F_RDLCK, 350, 10).l_type == F_UNLCK,
			 "round %u: a read lock conflicts with a read lock", round);
		zs_check(flock(fl, LOCK_SH | LOCK_NB) && errno == EWOULDBLOCK,
			 "round %u: flock taken while the child holds it", round);
		cmd('U');
		zs_check(query(fd, F_GETLK, F_WRLCK, 0, 0).l_type == F_UNLCK &&
			 query(ofd, F_OFD_GETLK, F_WRLCK, 0, 0).l_type == F_UNLCK,
			 "round %u: record locks left after the unlock", round);
		zs_check(!flock(fl, LOCK_EX | LOCK_NB) && !flock(fl, LOCK_UN),
			 "round %u: flock after the unlock: %s", round, strerror(errno));

		zs_check(!lk(fd, F_SETLK, F_WRLCK, 0, 10), "F_SETLK: %s", strerror(errno));
		blocked('W', unlock_rec, fd);
		q = query(fd, F_GETLK, F_WRLCK, 0, 10);
		zs_check(q.l_type == F_WRLCK && q.l_pid == pid, "round %u: F_SETLKW did not take it", round);
		cmd('U');
		zs_check(!flock(fl, LOCK_EX), "flock: %s", strerror(errno));
		blocked('F', unlock_flock, fl);
		zs_check(flock(fl, LOCK_EX | LOCK_NB) && errno == EWOULDBLOCK,
			 "round %u: the blocked flock did not take it", round);
		cmd('U');
	}
	zs_write_all(down, "Q", 1);
	zs_check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st),
		 "child status %#x", st);
	zdtm_say("file_lock: parent ok, locks held, refused, waited for and released\n");
	return 71;
}
