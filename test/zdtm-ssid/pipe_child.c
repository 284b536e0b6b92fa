// SPDX-License-Identifier: GPL-2.0
/*
 * pipe_child: the parent stays home, its child is migrated, and they talk
 * over two pipes: messages of up to 200 KB (more than a pipe holds, so
 * both sides block in turn) each answered with its length and digest.
 * The child's pipe ends live at home: after the move its reads and
 * writes are forwarded, and a read may wait at home for the parent.
 */
#include "zs.h"

#include <sys/wait.h>

struct msg {
	uint32_t seq, len;
};

struct answer {
	uint32_t seq, len, hash;
};

#define MAX_MSG (200 * 1024)

static int child(int in, int out, pid_t parent)
{
	static char buf[MAX_MSG];
	struct answer a;
	struct msg m;

	zs_check(getppid() == parent, "child: getppid() %d, parent %d", getppid(), parent);
	for (;;) {
		zs_check(zs_read_all(in, &m, sizeof(m)), "child: EOF instead of a message");
		if (!m.len)
			break;
		zs_check(m.len <= MAX_MSG, "child: message %u of %u bytes", m.seq, m.len);
		zs_check(zs_read_all(in, buf, m.len), "child: EOF inside message %u", m.seq);
		a = (struct answer){ m.seq, m.len, zs_hash(buf, m.len) };
		zs_write_all(out, &a, sizeof(a));
	}
	/* The parent closed its end after the last message. */
	zs_check(zs_read_all(in, &m, sizeof(m)) == 0, "child: data after the end");
	zdtm_say("pipe_child: child done, parent %s\n", getppid() == parent ? "same" : "changed");
	return 7;
}

int main(void)
{
	static char buf[MAX_MSG];
	int down[2], up[2], st;
	uint32_t seed = 1, seq, i;
	pid_t parent = getpid(), pid;
	struct answer a;
	struct msg m;

	if (pipe(down) || pipe(up))
		zs_fail("pipe: %s", strerror(errno));
	pid = fork();
	zs_check(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		close(down[1]);
		close(up[0]);
		return child(down[0], up[1], parent);
	}
	close(down[0]);
	close(up[1]);
	zs_ready(pid);

	for (seq = 1; zs_more(); seq++) {
		m.seq = seq;
		m.len = 1 + zs_rand(&seed) % MAX_MSG;
		for (i = 0; i < m.len; i++)
			buf[i] = zs_rand(&seed);
		zs_write_all(down[1], &m, sizeof(m));
		zs_write_all(down[1], buf, m.len);
		zs_check(zs_read_all(up[0], &a, sizeof(a)), "parent: EOF instead of answer %u", seq);
		zs_check(a.seq == seq && a.len == m.len && a.hash == zs_hash(buf, m.len),
			 "parent: answer %u/%u/%08x to message %u of %u bytes, digest %08x",
			 a.seq, a.len, a.hash, seq, m.len, zs_hash(buf, m.len));
	}
	m = (struct msg){ seq, 0 };
	zs_write_all(down[1], &m, sizeof(m));
	close(down[1]);
	zs_check(waitpid(pid, &st, 0) == pid, "waitpid: %s", strerror(errno));
	zs_check(WIFEXITED(st) && WEXITSTATUS(st) == 7, "child status %#x", st);
	zs_check(zs_read_all(up[0], &a, sizeof(a)) == 0, "parent: data after the child's end");
	zdtm_say("pipe_child: parent ok, child exited 7\n");
	return 60;
}
