// SPDX-License-Identifier: GPL-2.0
/*
 * proc_self: the process's own /proc entries describe the process, where
 * it runs: the same command line, environment and auxiliary vector as
 * before the move; its pid and thread names in status, stat and comm
 * (under /proc/self, /proc/PID, /proc/thread-self, /proc/self/task/TID
 * and /proc/TID); its parent's pid in status and stat, as getppid() says
 * (ps and psutil read it there); its real memory in maps, smaps_rollup and statm; its
 * own bytes through /proc/self/mem, read and written at an address;
 * an fd of such an entry duplicated, rewound and read on after the
 * original is closed.  Each round opens them afresh; two fds opened
 * before the move are kept: smaps_rollup, read with pread, and cmdline,
 * read one byte a round, so that its offset must travel with it.
 */
#include "zs.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#define AREA_LEN	(4 << 20)	/* touched: its RSS shows in the texts */
#define BIG		(1 << 16)

static char cmdline[BIG], environ_text[BIG], auxv[4096];
static size_t cmdline_len, environ_len, auxv_len;
static pid_t worker_tid;
static volatile int worker_stop;

/* The whole of @path (at most @cap bytes); its length. */
static size_t slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n;

	zs_check(fd >= 0, "open %s: %s", path, strerror(errno));
	n = zs_read_to_eof(fd, buf, cap);
	zs_check(n < cap, "%s: longer than %zu bytes", path, cap);
	close(fd);
	return n;
}

/* The text of @path, NUL-terminated, in a static buffer. */
static const char *text_of(const char *path)
{
	static char buf[BIG];
	size_t n = slurp(path, buf, sizeof(buf) - 1);

	buf[n] = '\0';
	return buf;
}

/* The number after "@key:" in a status-like text; -1 if absent. */
static long long field(const char *text, const char *key)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), "\n%s:", key);
	p = strstr(text, k);
	return p ? strtoll(p + strlen(k), NULL, 10) : -1;
}

static void *worker(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "zs-worker");
	__atomic_store_n(&worker_tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	while (!worker_stop)
		usleep(10000);
	return NULL;
}

static void check_same(int round, const char *path, const char *want, size_t len)
{
	static char now[BIG];
	size_t n = slurp(path, now, sizeof(now));

	zs_check(n == len && !memcmp(now, want, len),
		 "round %d: %s differs from before (%zu bytes, was %zu)", round,
		 path, n, len);
}

/* The parent's pid, field 4 of a stat text; -1 if it has none. */
static int stat_ppid(const char *text)
{
	const char *p = strrchr(text, ')');
	int ppid = -1;

	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

static void check_ids(int round)
{
	char path[64], want[64];
	pid_t pid = getpid(), ppid = getppid();

	zs_check(field(text_of("/proc/self/status"), "Pid") == pid,
		 "round %d: /proc/self/status: Pid is not %d", round, (int)pid);
	/* its parent at home, as ps and psutil read it */
	zs_check(field(text_of("/proc/self/status"), "PPid") == ppid,
		 "round %d: /proc/self/status: PPid %lld, not %d", round,
		 field(text_of("/proc/self/status"), "PPid"), (int)ppid);
	zs_check(stat_ppid(text_of("/proc/self/stat")) == ppid,
		 "round %d: /proc/self/stat: parent %d, not %d", round,
		 stat_ppid(text_of("/proc/self/stat")), (int)ppid);
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	snprintf(want, sizeof(want), "%d (proc_self) ", (int)pid);
	zs_check(!strncmp(text_of(path), want, strlen(want)),
		 "round %d: %s does not start with \"%s\"", round, path, want);
	zs_check(!strcmp(text_of("/proc/thread-self/comm"), "proc_self\n"),
		 "round %d: /proc/thread-self/comm is %s", round,
		 text_of("/proc/thread-self/comm"));
	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)worker_tid);
	zs_check(!strcmp(text_of(path), "zs-worker\n"), "round %d: %s is %s", round,
		 path, text_of(path));
	snprintf(path, sizeof(path), "/proc/%d/status", (int)worker_tid);
	zs_check(field(text_of(path), "Pid") == worker_tid &&
		 field(text_of(path), "Tgid") == pid && field(text_of(path), "PPid") == ppid,
		 "round %d: %s: not thread %d of %d, child of %d", round, path,
		 (int)worker_tid, (int)pid, (int)ppid);
}

/* Does a line of @maps map all of [@lo, @hi) rw-p (maybe merged with more)? */
static int maps_covers(const char *maps, unsigned long lo, unsigned long hi)
{
	unsigned long s, e;
	char perms[8];
	const char *p;

	for (p = maps; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
		if (sscanf(p, "%lx-%lx %7s", &s, &e, perms) == 3 && s <= lo &&
		    e >= hi && !strcmp(perms, "rw-p"))
			return 1;
	return 0;
}

/* The memory texts show this process's memory: the area, and its RSS. */
static void check_memory(int round, const char *area)
{
	long long pages_resident = -1;
	const char *statm;

	zs_check(maps_covers(text_of("/proc/self/maps"), (unsigned long)area,
			     (unsigned long)area + AREA_LEN),
		 "round %d: /proc/self/maps does not map %p rw-p", round, (void *)area);
	zs_check(field(text_of("/proc/self/smaps_rollup"), "Rss") >= AREA_LEN / 1024,
		 "round %d: /proc/self/smaps_rollup: Rss %lld kB, less than the area",
		 round, field(text_of("/proc/self/smaps_rollup"), "Rss"));
	statm = text_of("/proc/self/statm");
	zs_check(sscanf(statm, "%*d %lld", &pages_resident) == 1 &&
		 pages_resident * getpagesize() >= AREA_LEN,
		 "round %d: /proc/self/statm: %lld pages resident", round, pages_resident);
}

/* /proc/self/mem reads and writes this process's bytes. */
static void check_mem(int round, char *area)
{
	char got[64], put[64];
	off_t at = (off_t)(uintptr_t)(area + 4096 * (round % 64));
	int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);

	zs_check(fd >= 0, "round %d: open /proc/self/mem: %s", round, strerror(errno));
	snprintf(area + 4096 * (round % 64), 64, "round %d here", round);
	zs_check(pread(fd, got, sizeof(got), at) == sizeof(got) &&
		 !strcmp(got, area + 4096 * (round % 64)),
		 "round %d: /proc/self/mem does not read this process's memory", round);
	memset(put, 0, sizeof(put));
	snprintf(put, sizeof(put), "written through mem %d", round);
	zs_check(pwrite(fd, put, sizeof(put), at) == sizeof(put) &&
		 !strcmp(area + 4096 * (round % 64), put),
		 "round %d: /proc/self/mem does not write this process's memory", round);
	close(fd);
}

/* A duplicate shares the open file: its offset, and outlives the original. */
static void check_dup(int round)
{
	static char a[BIG], b[BIG];
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC), fd2;
	size_t n;

	zs_check(fd >= 0, "round %d: open: %s", round, strerror(errno));
	fd2 = fcntl(fd, F_DUPFD_CLOEXEC, 100);
	zs_check(fd2 >= 100, "round %d: F_DUPFD_CLOEXEC: %s", round, strerror(errno));
	zs_check(read(fd, a, 4) == 4, "round %d: read 4", round);
	n = zs_read_to_eof(fd2, a + 4, sizeof(a) - 4) + 4;	/* goes on from 4 */
	zs_check(n == cmdline_len && !memcmp(a, cmdline, n),
		 "round %d: a duplicate does not share the offset", round);
	close(fd);
	zs_check(lseek(fd2, 0, SEEK_SET) == 0, "round %d: lseek: %s", round,
		 strerror(errno));
	n = zs_read_to_eof(fd2, b, sizeof(b));
	zs_check(n == cmdline_len && !memcmp(b, cmdline, n),
		 "round %d: the duplicate reads otherwise once the original is closed",
		 round);
	close(fd2);
}

/* The fds held across the move. */
static void check_kept(int round, int rollup, int cmd)
{
	static char text[BIG];
	static size_t at;
	ssize_t n = pread(rollup, text, sizeof(text) - 1, 0);
	char c;

	zs_check(n > 0, "round %d: pread of a kept smaps_rollup: %s", round, strerror(errno));
	text[n] = '\0';
	zs_check(field(text, "Rss") >= AREA_LEN / 1024,
		 "round %d: a kept smaps_rollup: Rss %lld kB", round, field(text, "Rss"));
	if (at == cmdline_len) {
		zs_check(read(cmd, &c, 1) == 0, "round %d: a kept cmdline goes on past its end",
			 round);
		zs_check(lseek(cmd, 0, SEEK_SET) == 0, "round %d: lseek", round);
		at = 0;
	}
	zs_check(read(cmd, &c, 1) == 1 && c == cmdline[at],
		 "round %d: byte %zu of a kept cmdline is not the one there", round, at);
	at++;
}

int main(void)
{
	pthread_t t;
	char *area;
	int round = 0, rollup, cmd;

	prctl(PR_SET_NAME, "proc_self");
	area = mmap(NULL, AREA_LEN, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	zs_check(area != MAP_FAILED, "mmap: %s", strerror(errno));
	memset(area, 0x5a, AREA_LEN);
	zs_check(!pthread_create(&t, NULL, worker, NULL), "pthread_create");
	while (!__atomic_load_n(&worker_tid, __ATOMIC_ACQUIRE))
		usleep(1000);
	cmdline_len = slurp("/proc/self/cmdline", cmdline, sizeof(cmdline));
	environ_len = slurp("/proc/self/environ", environ_text, sizeof(environ_text));
	auxv_len = slurp("/proc/self/auxv", auxv, sizeof(auxv));
	rollup = open("/proc/self/smaps_rollup", O_RDONLY | O_CLOEXEC);
	cmd = open("/proc/self/cmdline", O_RDONLY);
	zs_check(rollup >= 0 && cmd >= 0, "open: %s", strerror(errno));
	zs_ready(getpid());
	while (zs_more()) {
		round++;
		check_same(round, "/proc/self/cmdline", cmdline, cmdline_len);
		check_same(round, "/proc/self/environ", environ_text, environ_len);
		check_same(round, "/proc/self/auxv", auxv, auxv_len);
		check_ids(round);
		check_memory(round, area);
		check_mem(round, area);
		check_dup(round);
		check_kept(round, rollup, cmd);
		usleep(20000);
	}
	worker_stop = 1;
	pthread_join(t, NULL);
	zdtm_say("proc_self: its own /proc entries describe it in every round\n");
	return 0;
}
