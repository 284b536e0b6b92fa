// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * proc_self.c - which of a migrated process's own /proc entries are
 * served where it runs (see proc_self.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "common/procfs.h"
#include "forward/proc_self.h"

/*
 * The entries served where the process runs: what describes its memory,
 * its running image and its scheduling there.  Everything else under
 * /proc/PID (fd, fdinfo, cwd, root, exe, mountinfo, ns, net, cgroup,
 * attr, task/ as a directory ...) is read at home, where it lives.
 */
static const char *const served_here[] = {
	"auxv", "cmdline", "environ", "personality",
	"maps", "smaps", "smaps_rollup", "numa_maps", "pagemap", "mem",
	"clear_refs",
	"stat", "statm", "status", "limits", "io",
	"sched", "schedstat", "comm", "wchan", "stack", "syscall",
	"timerslack_ns", "oom_score", "oom_score_adj", "oom_adj",
};

const char *proc_self_served(size_t i)
{
	return i < sizeof(served_here) / sizeof(served_here[0]) ? served_here[i] : NULL;
}

static bool served(const char *entry, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(served_here) / sizeof(served_here[0]); i++)
		if (strlen(served_here[i]) == len && !memcmp(served_here[i], entry, len))
			return true;
	return false;
}

/* A decimal id with no sign, no leading zero, in 1..2^31-1; else 0. */
static uint32_t id_of(const char *s, size_t len)
{
	uint64_t v = 0;
	size_t i;

	if (!len || len > 10 || s[0] == '0')
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	return v <= 0x7fffffff ? (uint32_t)v : 0;
}

#define MAX_PARTS	5

bool proc_self_path(const char *path, uint32_t home_pid, uint32_t caller_tid,
		    bool (*is_thread)(const void *arg, uint32_t tid),
		    const void *arg, char out[PROC_SELF_PATH_MAX])
{
	const char *part[MAX_PARTS], *p = path;
	size_t len[MAX_PARTS];
	uint32_t tid = 0, id;
	int n = 0, at;

	if (*p != '/')
		return false;
	/* split into components, skipping empty ones and "." */
	while (*p) {
		const char *s;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		s = p;
		while (*p && *p != '/')
			p++;
		if (p - s == 1 && s[0] == '.')
			continue;
		if (p - s == 2 && s[0] == '.' && s[1] == '.')
			return false;
		if (n == MAX_PARTS)
			return false;
		part[n] = s;
		len[n++] = (size_t)(p - s);
	}
	/* proc, who, [task, tid,] entry */
	if ((n != 3 && n != 5) || len[0] != 4 || memcmp(part[0], "proc", 4))
		return false;
	if (len[1] == 4 && !memcmp(part[1], "self", 4)) {
		;	/* the process itself */
	} else if (len[1] == 11 && !memcmp(part[1], "thread-self", 11)) {
		if (n != 3 || !caller_tid)
			return false;
		tid = caller_tid;
	} else {
		id = id_of(part[1], len[1]);
		if (!id)
			return false;
		if (id != home_pid) {
			/* /proc/TID/...: a thread's own hidden directory */
			if (n != 3 || !is_thread(arg, id))
				return false;
			tid = id;
		}
	}
	if (n == 5) {
		if (len[2] != 4 || memcmp(part[2], "task", 4))
			return false;
		tid = id_of(part[3], len[3]);
		if (!tid || (tid != home_pid && !is_thread(arg, tid)))
			return false;
	}
	if (!served(part[n - 1], len[n - 1]))
		return false;
	if (tid)
		at = snprintf(out, PROC_SELF_PATH_MAX, "%u/task/%u/%.*s", home_pid,
			      tid, (int)len[n - 1], part[n - 1]);
	else
		at = snprintf(out, PROC_SELF_PATH_MAX, "%u/%.*s", home_pid,
			      (int)len[n - 1], part[n - 1]);
	return at > 0 && at < PROC_SELF_PATH_MAX;
}

bool proc_self_valid(const char *rel, uint32_t home_pid,
		     bool (*is_thread)(const void *arg, uint32_t tid),
		     const void *arg)
{
	char path[PROC_SELF_PATH_MAX + 8], again[PROC_SELF_PATH_MAX];

	if (snprintf(path, sizeof(path), "/proc/%s", rel) >= (int)sizeof(path))
		return false;
	return proc_self_path(path, home_pid, 0, is_thread, arg, again) &&
	       !strcmp(again, rel);
}

/* Fd @fd of @pid holds an entry served where it runs: which (into @rel). */
static bool holds_entry(pid_t pid, int fd, uint32_t home_pid,
			bool (*is_thread)(const void *arg, uint32_t tid),
			const void *targ, char rel[PROC_SELF_PATH_MAX])
{
	char target[PROC_SELF_PATH_MAX + 16];

	/* one longer is not one of those */
	return !procfs_fd_link(pid, fd, target, sizeof(target)) &&
	       proc_self_path(target, home_pid, 0, is_thread, targ, rel);
}

int proc_self_set_pos(int pidfd, pid_t pid, uint32_t home_pid,
		      bool (*is_thread)(const void *arg, uint32_t tid),
		      const void *targ, int fd, uint64_t pos,
		      const struct seq_pos *seq, const char *path)
{
	char rel[PROC_SELF_PATH_MAX];
	int file, err;

	if (!holds_entry(pid, fd, home_pid, is_thread, targ, rel) || strcmp(rel, path))
		return -ESTALE;
	file = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (file < 0)
		return -errno;
	err = seq_pos_set(file, pos, seq);
	close(file);
	return err;
}

/* "pos:" and "flags:" (octal) of /proc/PID/fdinfo/FD. */
static int fdinfo(pid_t pid, int fd, uint64_t *pos, int *flags)
{
	char text[512];
	unsigned int f;
	int rc;

	rc = procfs_fdinfo(pid, fd, text, sizeof(text), &f);
	if (rc)
		return rc;
	if (procfs_status_u64(text, "pos", 10, pos))
		return -EIO;
	*flags = (int)f & (O_ACCMODE | O_NONBLOCK | O_CLOEXEC);
	return 0;
}

struct held {
	pid_t pid;
	uint32_t home_pid;
	bool (*is_thread)(const void *arg, uint32_t tid);
	const void *targ;
	void (*cb)(void *arg, int fd, int flags, uint64_t pos,
		   const struct seq_pos *seq, const char *path);
	void *arg;
	int pidfd;
	struct seq_pos seq;
};

static int held_fd(int fd, void *arg)
{
	struct held *h = arg;
	char rel[PROC_SELF_PATH_MAX];
	uint64_t pos = 0;
	int flags = 0, file, seq = 0;

	if (!holds_entry(h->pid, fd, h->home_pid, h->is_thread, h->targ, rel) ||
	    fdinfo(h->pid, fd, &pos, &flags))
		return 0;
	file = h->pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, h->pidfd, fd, 0);
	if (file >= 0) {
		seq = seq_pos_get(file, &pos, &h->seq);
		close(file);
	}
	h->cb(h->arg, fd, flags, pos, seq > 0 ? &h->seq : NULL, rel);
	return 0;
}

int proc_self_held(pid_t pid, uint32_t home_pid,
		   bool (*is_thread)(const void *arg, uint32_t tid), const void *targ,
		   void (*cb)(void *arg, int fd, int flags, uint64_t pos,
			      const struct seq_pos *seq, const char *path),
		   void *arg)
{
	struct held *h = malloc(sizeof(*h));
	int rc;

	if (!h)
		return -ENOMEM;
	*h = (struct held){ .pid = pid, .home_pid = home_pid, .is_thread = is_thread,
			    .targ = targ, .cb = cb, .arg = arg,
			    .pidfd = (int)syscall(SYS_pidfd_open, pid, 0) };
	rc = procfs_each_fd(pid, held_fd, h);
	if (h->pidfd >= 0)
		close(h->pidfd);
	free(h);
	return rc;
}

/* ----------------------------------------------------------- the fds */

const char *proc_self_fds_path(const struct proc_self_fds *s, int fd)
{
	uint32_t i;

	for (i = 0; i < s->n; i++)
		if (s->fd[i].fd == fd)
			return s->fd[i].path;
	return NULL;
}

uint64_t proc_self_fds_gen(const struct proc_self_fds *s, int fd)
{
	uint32_t i;

	for (i = 0; i < s->n; i++)
		if (s->fd[i].fd == fd)
			return s->fd[i].gen;
	return 0;
}

bool proc_self_fds_has(const struct proc_self_fds *s, int fd)
{
	return proc_self_fds_path(s, fd) != NULL;
}

int proc_self_fds_add(struct proc_self_fds *s, int fd, const char *path)
{
	struct proc_self_fd *f = NULL;
	uint32_t i;

	for (i = 0; i < s->n && !f; i++)
		if (s->fd[i].fd == fd)
			f = &s->fd[i];
	if (!f) {
		if (s->n == s->cap) {
			uint32_t cap = s->cap ? 2 * s->cap : 8;

			f = realloc(s->fd, cap * sizeof(*f));
			if (!f)
				return -ENOMEM;
			s->fd = f;
			s->cap = cap;
		}
		f = &s->fd[s->n++];
		f->fd = fd;
	}
	f->gen = ++s->gen;
	snprintf(f->path, sizeof(f->path), "%s", path);
	return 0;
}

bool proc_self_fds_drop(struct proc_self_fds *s, int fd)
{
	uint32_t i;

	for (i = 0; i < s->n; i++)
		if (s->fd[i].fd == fd) {
			s->fd[i] = s->fd[--s->n];
			return true;
		}
	return false;
}

uint32_t proc_self_fds_drop_range(struct proc_self_fds *s, unsigned int lo,
				  unsigned int hi)
{
	uint32_t i = 0, dropped = 0;

	while (i < s->n) {
		unsigned int fd = (unsigned int)s->fd[i].fd;

		if (fd >= lo && fd <= hi) {
			s->fd[i] = s->fd[--s->n];
			dropped++;
		} else {
			i++;
		}
	}
	return dropped;
}

void proc_self_fds_free(struct proc_self_fds *s)
{
	free(s->fd);
	memset(s, 0, sizeof(*s));
}

bool proc_self_runs_here(const struct proc_self_fds *s, int nr,
			 const uint64_t args[6])
{
	switch (nr) {
	case __NR_read:
	case __NR_write:
	case __NR_pread64:
	case __NR_pwrite64:
	case __NR_readv:
	case __NR_writev:
	case __NR_preadv:
	case __NR_pwritev:
	case __NR_preadv2:
	case __NR_pwritev2:
	case __NR_lseek:
		/* the kernel takes the fd as an unsigned int */
		return s->n && proc_self_fds_has(s, (int)(unsigned int)args[0]);
	default:
		return false;
	}
}

int proc_self_dup_source(int nr, const uint64_t args[6], bool *cloexec)
{
	*cloexec = false;
	switch (nr) {
	case __NR_dup:
	case __NR_dup2:
		return (int)(unsigned int)args[0];
	case __NR_dup3:
		*cloexec = (args[2] & O_CLOEXEC) != 0;
		return (int)(unsigned int)args[0];
	case __NR_fcntl:
		if ((unsigned int)args[1] == F_DUPFD_CLOEXEC)
			*cloexec = true;
		else if ((unsigned int)args[1] != F_DUPFD)
			return -1;
		return (int)(unsigned int)args[0];
	default:
		return -1;
	}
}
