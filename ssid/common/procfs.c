// SPDX-License-Identifier: GPL-2.0
/*
 * procfs.c - reading a process's /proc files (see procfs.h).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/procfs.h"

int procfs_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	/* an fd's fdinfo, opened before the fd closed, reads ENOENT after */
	if (n < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	buf[n] = '\0';
	return 0;
}

int procfs_fd_link(pid_t pid, int fd, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	n = readlink(path, buf, len - 1);
	if (n <= 0 || n == (ssize_t)len - 1)
		return -1;	/* unreadable, or longer than the caller wants */
	buf[n] = '\0';
	return 0;
}

int procfs_fdinfo(pid_t pid, int fd, char *text, size_t len, unsigned int *flags)
{
	char path[64];
	const char *v;
	int rc;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	rc = procfs_read_file(path, text, len);
	if (rc)
		return rc;
	v = procfs_status_value(text, "flags");
	return v && sscanf(v, "%o", flags) == 1 ? 0 : -EIO;
}

int procfs_read(pid_t pid, const char *file, char *buf, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	return procfs_read_file(path, buf, len);
}

const char *procfs_stat_field(const char *text, unsigned int n)
{
	const char *s = strrchr(text, ')');
	unsigned int field;

	if (!s || n < 3)
		return NULL;
	s++;
	for (field = 3;; field++) {
		while (*s == ' ')
			s++;
		if (!*s || *s == '\n')
			return NULL;
		if (field == n)
			return s;
		while (*s && *s != ' ' && *s != '\n')
			s++;
	}
}

char procfs_stat_state(const char *text)
{
	const char *s = strrchr(text, ')');

	/* exactly one blank after the comm: the state is never missing */
	if (!s || s[1] != ' ' || !isalpha((unsigned char)s[2]))
		return 0;
	return s[2];
}

/* A number in @base at @s, ended by a blank, a newline or the end. */
static int parse_u64(const char *s, int base, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (!s || !isxdigit((unsigned char)*s) ||
	    (base == 10 && !isdigit((unsigned char)*s)))
		return -1;
	errno = 0;
	x = strtoull(s, &end, base);
	if (errno || (*end && *end != ' ' && *end != '\t' && *end != '\n'))
		return -1;
	*v = x;
	return 0;
}

int procfs_stat_u64(const char *text, unsigned int n, uint64_t *v)
{
	return parse_u64(procfs_stat_field(text, n), 10, v);
}

const char *procfs_status_value(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *s = text;

	while (s) {
		if (!strncmp(s, key, klen) && s[klen] == ':') {
			s += klen + 1;
			return s + strspn(s, " \t");
		}
		s = strchr(s, '\n');
		if (s)
			s++;
	}
	return NULL;
}

int procfs_status_u64(const char *text, const char *key, int base, uint64_t *v)
{
	return parse_u64(procfs_status_value(text, key), base, v);
}

/* @fn for each number named in /proc/@pid/@dir (tids, fds), @min and up. */
static int each_number(pid_t pid, const char *dir, long min,
		       int (*fn)(int n, void *arg), void *arg)
{
	char path[64], *end;
	struct dirent *e;
	int rc = 0;
	long n;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, dir);
	d = opendir(path);
	if (!d)
		return -ESRCH;
	while (!rc && (e = readdir(d))) {
		n = strtol(e->d_name, &end, 10);
		if (end == e->d_name || *end || n < min || n > INT32_MAX)
			continue;	/* "." and ".." */
		rc = fn((int)n, arg);
	}
	closedir(d);
	return rc;
}

int procfs_each_thread(pid_t pid, int (*fn)(pid_t tid, void *arg), void *arg)
{
	return each_number(pid, "task", 1, fn, arg);
}

int procfs_each_fd(pid_t pid, int (*fn)(int fd, void *arg), void *arg)
{
	return each_number(pid, "fd", 0, fn, arg);
}

int procfs_each_timer(pid_t pid, int (*fn)(int id, int clock, void *arg), void *arg)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	FILE *f;
	int id = -1, clock, rc = 0;

	snprintf(path, sizeof(path), "/proc/%d/timers", (int)pid);
	f = fopen(path, "re");
	if (!f && errno == ENOENT) {
		/* a kernel without CONFIG_CHECKPOINT_RESTORE has no such file */
		snprintf(path, sizeof(path), "/proc/%d", (int)pid);
		return access(path, F_OK) ? -ESRCH : 0;
	}
	if (!f)
		return -errno;
	/* each timer: "ID: n", "signal: ...", "notify: ...", "ClockID: n" */
	while (!rc && getline(&line, &cap, f) > 0) {
		if (sscanf(line, "ID: %d", &id) == 1)
			continue;
		if (sscanf(line, "ClockID: %d", &clock) == 1 && id >= 0)
			rc = fn(id, clock, arg);
	}
	free(line);
	fclose(f);
	return rc;
}

struct thread_count {
	pid_t pid;
	uint32_t threads, runnable;
};

static int count_thread(pid_t tid, void *arg)
{
	struct thread_count *c = arg;
	char path[64], stat[512];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)c->pid, (int)tid);
	if (procfs_read_file(path, stat, sizeof(stat)))
		return 0;	/* it ended meanwhile */
	c->threads++;
	if (procfs_stat_state(stat) == 'R')
		c->runnable++;
	return 0;
}

int procfs_threads(pid_t pid, uint32_t *threads, uint32_t *runnable)
{
	struct thread_count c = { .pid = pid };
	int rc = procfs_each_thread(pid, count_thread, &c);

	*threads = c.threads;
	*runnable = c.runnable;
	return rc ? rc : c.threads ? 0 : -ESRCH;
}

int procfs_status_uid(const char *text, uid_t *uid)
{
	uint64_t v;

	/* (uid_t)-1 is no uid: setresuid() reads it as "unchanged" */
	if (procfs_status_u64(text, "Uid", 10, &v) || v > (uid_t)-2)
		return -1;
	*uid = (uid_t)v;
	return 0;
}

int procfs_status_ids(const char *text, const char *key, uint64_t ids[4])
{
	const char *s = procfs_status_value(text, key);
	int i;

	for (i = 0; i < 4; i++) {
		if (parse_u64(s, 10, &ids[i]) || ids[i] > (uid_t)-2)
			return -1;
		s += strspn(s, "0123456789");
		s += strspn(s, " \t");
	}
	return 0;
}

bool procfs_thread_gone(pid_t pid, pid_t tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)pid, (int)tid);
	return access(path, F_OK) && errno == ENOENT;
}

pid_t procfs_ns_tid(pid_t pid, pid_t tid)
{
	char path[64], status[2048];
	const char *v;
	long id = 0;
	char *end;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid, (int)tid);
	if (procfs_read_file(path, status, sizeof(status)))
		return 0;
	v = procfs_status_value(status, "NSpid");
	/* one id per namespace level, the innermost last */
	while (v && *v && *v != '\n') {
		long x = strtol(v, &end, 10);

		if (end == v)
			return 0;
		id = x;
		v = end + strspn(end, " \t");
	}
	return id > 0 && id <= INT32_MAX ? (pid_t)id : 0;
}
