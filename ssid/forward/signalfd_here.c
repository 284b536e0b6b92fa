// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * signalfd_here.c - a migrated process's signalfds read its signals where
 * it runs (see signalfd_here.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/syscall.h>

#include "common/procfs.h"
#include "forward/signalfd_here.h"

#define LINK_SIGNALFD	"anon_inode:[signalfd]"
#define LINK_EPOLL	"anon_inode:[eventpoll]"

static bool link_is(pid_t pid, int fd, const char *want)
{
	char link[64];

	return !procfs_fd_link(pid, fd, link, sizeof(link)) && !strcmp(link, want);
}

/* A signalfd's flags and mask, from its fdinfo. */
static int signalfd_info(pid_t pid, int fd, int *flags, uint64_t *mask)
{
	char text[512];
	unsigned int f;
	int rc;

	rc = procfs_fdinfo(pid, fd, text, sizeof(text), &f);
	if (rc)
		return rc;
	if (procfs_status_u64(text, "sigmask", 16, mask))
		return -EIO;
	*flags = (int)f & (O_NONBLOCK | O_CLOEXEC);
	return 0;
}

/*
 * Does epoll set @epfd of @pid watch one of @fds (@n)?  Its fdinfo has a
 * line per watched fd ("tfd: N events: ..."), by the number it was added
 * under, however many there are.  Return: that fd, or -1.
 */
static int epoll_watching(pid_t pid, int epfd, const int *fds, unsigned int n)
{
	char path[64], *line = NULL;
	int tfd, found = -1;
	size_t cap = 0;
	unsigned int i;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, epfd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (found < 0 && getline(&line, &cap, f) > 0) {
		if (sscanf(line, "tfd: %d", &tfd) != 1)
			continue;
		for (i = 0; i < n; i++)
			if (fds[i] == tfd)
				found = tfd;
	}
	free(line);
	fclose(f);
	return found;
}

struct scan {
	pid_t pid;
	int *sfd;		/* its signalfds */
	unsigned int n, cap;
	int watched, epfd;	/* one an epoll set watches, and the set */
};

static int note_signalfd(int fd, void *arg)
{
	struct scan *s = arg;
	int *more;

	if (!link_is(s->pid, fd, LINK_SIGNALFD))
		return 0;
	if (s->n == s->cap) {
		more = realloc(s->sfd, (s->cap ? 2 * s->cap : 8) * sizeof(*more));
		if (!more)
			return -ENOMEM;
		s->sfd = more;
		s->cap = s->cap ? 2 * s->cap : 8;
	}
	s->sfd[s->n++] = fd;
	return 0;
}

/* An epoll set's readiness is home's: it would never see one ready. */
static int find_watcher(int fd, void *arg)
{
	struct scan *s = arg;

	if (!link_is(s->pid, fd, LINK_EPOLL))
		return 0;
	s->watched = epoll_watching(s->pid, fd, s->sfd, s->n);
	s->epfd = fd;
	return s->watched >= 0;
}

int signalfd_held(pid_t pid, unsigned int max,
		  void (*cb)(void *arg, int fd, int flags, uint64_t mask,
			     const struct seq_pos *none, const char *name),
		  void *arg, char *err, size_t errlen)
{
	struct scan s = { .pid = pid, .watched = -1 };
	unsigned int i;
	uint64_t mask;
	int rc, flags;

	rc = procfs_each_fd(pid, note_signalfd, &s);
	if (!rc && s.n > max) {
		snprintf(err, errlen, "pid %d has %u signalfds, more than the %u carried",
			 (int)pid, s.n, max);
		rc = EOPNOTSUPP;
	}
	if (!rc && s.n && procfs_each_fd(pid, find_watcher, &s) > 0) {
		snprintf(err, errlen, "pid %d has a signalfd watched by an epoll (fd %d in fd %d), which is not carried yet",
			 (int)pid, s.watched, s.epfd);
		rc = EOPNOTSUPP;
	}
	for (i = 0; !rc && i < s.n; i++) {
		rc = signalfd_info(pid, s.sfd[i], &flags, &mask);
		if (rc == -ESRCH) {
			rc = 0;		/* closed meanwhile: it does not move */
			continue;
		}
		if (rc) {
			snprintf(err, errlen, "pid %d: fd %d (a signalfd) cannot be read: %s",
				 (int)pid, s.sfd[i], strerror(-rc));
			rc = EOPNOTSUPP;
			break;
		}
		cb(arg, s.sfd[i], flags, mask, NULL, SIGNALFD_HERE);
	}
	free(s.sfd);
	return rc;
}

int signalfd_open(uint64_t mask, int flags)
{
	/* the raw call: glibc's sigset_t refuses its own signals 32 and 33 */
	return (int)syscall(SYS_signalfd4, -1, &mask, sizeof(mask),
			    (flags & O_NONBLOCK) | O_CLOEXEC);
}

static bool is_signalfd(const struct proc_self_fds *s, int fd)
{
	const char *name = proc_self_fds_path(s, fd);

	return name && !strcmp(name, SIGNALFD_HERE);
}

/* Fold fd @fd into what a wait involves. */
static void involve(const struct proc_self_fds *s, int fd, bool *signalfd, bool *home)
{
	if (fd < 0)
		return;		/* poll skips it */
	if (is_signalfd(s, fd))
		*signalfd = true;
	else if (!proc_self_fds_has(s, fd))
		*home = true;
}

enum signalfd_wait signalfd_wait(const struct proc_self_fds *s,
				 const struct ssi_fwd_pending *p, int nr)
{
	const uint64_t *a = p->req.args;
	bool signalfd = false, home = false;
	const struct pollfd *pfd;
	const uint8_t *set;
	uint64_t i, n, bytes;
	int k;

	if (!s->n)
		return SIGNALFD_WAIT_NONE;
	switch (nr) {
	case __NR_poll:
	case __NR_ppoll:
		n = a[1];
		pfd = n ? ssi_fwd_in_arg(p, 0, n * sizeof(*pfd)) : NULL;
		for (i = 0; pfd && i < n; i++)
			involve(s, pfd[i].fd, &signalfd, &home);
		break;
	case __NR_select:
	case __NR_pselect6:
		n = (uint32_t)a[0];
		bytes = ((n + 63) / 64) * 8;
		for (k = 1; k <= 3; k++) {
			set = n ? ssi_fwd_in_arg(p, k, bytes) : NULL;
			for (i = 0; set && i < n; i++)
				if (set[i / 8] & (1u << (i % 8)))
					involve(s, (int)i, &signalfd, &home);
		}
		break;
	case __NR_epoll_ctl:
		/* adding it to a set whose readiness is home's */
		if ((a[1] == EPOLL_CTL_ADD || a[1] == EPOLL_CTL_MOD) &&
		    is_signalfd(s, (int)(unsigned int)a[2]))
			return SIGNALFD_WAIT_HOME;
		return SIGNALFD_WAIT_NONE;
	default:
		return SIGNALFD_WAIT_NONE;
	}
	if (!signalfd)
		return SIGNALFD_WAIT_NONE;
	return home ? SIGNALFD_WAIT_HOME : SIGNALFD_WAIT_HERE;
}
