// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * relay_remote.c - the remote half of the forwarding relay (see
 * relay_remote.h): a migrated process's seccomp notifications, settled
 * here or sent home.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "kmod/tools/ssi_dev_open.h"

#include "common/log.h"
#include "common/procfs.h"
#include "forward/seccomp_filter.h"
#include "forward/call_remote.h"
#include "forward/clone_thread.h"
#include "forward/futex_shared.h"
#include "forward/relay_remote.h"
#include "forward/signalfd_here.h"
#include "forward/syscall_policy.h"

/*
 * How often a process whose call runs at home is checked for a signal
 * that would interrupt it (those relayed from home are seen at once).
 */
#define RELAY_SIGNAL_POLL_MS	20
/* How long a clone that makes a thread may take once it goes on. */
#define RELAY_CLONE_TIMEOUT_MS	5000

struct relay_pending {
	struct relay_pending *next;
	uint64_t seq;
	uint64_t notif_id;
	pid_t tid;			/* the thread that made the call, here */
	uint32_t home_tid;		/* and at home, whose deputy runs it */
	int nr;
	bool cancelling;		/* its cancel was sent */
	/* an open of one of its own /proc entries: where it is here, and how */
	char proc_path[PROC_SELF_PATH_MAX];
	int proc_flags;
	uint64_t close_gen;		/* a close of one: which install of it */
	struct ssi_fwd_pending p;
};

void relay_remote_init(struct relay_remote *r, struct loop *loop,
		       uint32_t home_pid, uint32_t home_ppid, uint32_t home_tid,
		       const char *home, const struct relay_remote_ops *ops,
		       void *arg)
{
	memset(r, 0, sizeof(*r));
	r->loop = loop;
	r->listen_h.fd = -1;
	r->home_pid = home_pid;
	r->home_ppid = home_ppid;
	r->home_tid = home_tid;
	r->home = home;
	r->sig_check_ms = LOOP_NEVER;
	r->ops = ops;
	r->arg = arg;
	r->procfd = -1;
	r->pidfd = -1;
}

int relay_remote_set_proc(struct relay_remote *r, int procfd)
{
	int fd = fcntl(procfd, F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (r->procfd >= 0)
		close(r->procfd);
	r->procfd = fd;
	return 0;
}

int relay_remote_set_threads(struct relay_remote *r, uint32_t n, const pid_t *local,
			     const uint32_t *home)
{
	pid_t *l = calloc(n ? n : 1, sizeof(*l));
	uint32_t *h = calloc(n ? n : 1, sizeof(*h));

	if (!l || !h) {
		free(l);
		free(h);
		return -ENOMEM;
	}
	memcpy(l, local, n * sizeof(*l));
	memcpy(h, home, n * sizeof(*h));
	free(r->local_tids);
	free(r->home_tids);
	r->local_tids = l;
	r->home_tids = h;
	r->nthreads = n;
	return 0;
}

uint32_t relay_remote_home_tid(const struct relay_remote *r, pid_t tid)
{
	uint32_t i;

	for (i = 0; i < r->nthreads; i++)
		if (r->local_tids[i] == tid)
			return r->home_tids[i];
	return tid == r->pid ? r->home_tid : 0;
}

pid_t relay_remote_local_tid(const struct relay_remote *r, uint32_t home_tid)
{
	uint32_t i;

	for (i = 0; i < r->nthreads; i++)
		if (r->home_tids[i] == home_tid)
			return r->local_tids[i];
	return home_tid == r->home_tid ? r->pid : 0;
}

/* A clone that makes a thread, waiting for its deputy thread at home. */
struct relay_spawn {
	struct relay_spawn *next;
	struct seccomp_notif n;
	struct clone_thread ct;
};

int relay_remote_add_thread(struct relay_remote *r, pid_t local, uint32_t home)
{
	pid_t *l = realloc(r->local_tids, (r->nthreads + 1) * sizeof(*l));
	uint32_t *h;

	if (!l)
		return -ENOMEM;
	r->local_tids = l;
	h = realloc(r->home_tids, (r->nthreads + 1) * sizeof(*h));
	if (!h)
		return -ENOMEM;
	r->home_tids = h;
	l[r->nthreads] = local;
	h[r->nthreads] = home;
	r->nthreads++;
	return 0;
}

void relay_remote_drop_thread(struct relay_remote *r, pid_t local)
{
	uint32_t i;

	for (i = 0; i < r->nthreads; i++) {
		if (r->local_tids[i] != local)
			continue;
		r->nthreads--;
		memmove(&r->local_tids[i], &r->local_tids[i + 1],
			(r->nthreads - i) * sizeof(r->local_tids[0]));
		memmove(&r->home_tids[i], &r->home_tids[i + 1],
			(r->nthreads - i) * sizeof(r->home_tids[0]));
		return;
	}
}

static void pending_free(struct relay_pending *p)
{
	ssi_fwd_pending_free(&p->p);
	free(p);
}

/* ------------------------------------------------------ notifications */

int relay_remote_answer(struct relay_remote *r, uint64_t id, int64_t ret)
{
	struct seccomp_notif_resp resp = { .id = id };

	if (ret < 0 && ret >= -4095)
		resp.error = (int32_t)ret;
	else
		resp.val = ret;
	if (!ioctl(r->listen_h.fd, SECCOMP_IOCTL_NOTIF_SEND, &resp))
		return 0;
	if (errno != ENOENT)
		log_debug("pid %u: NOTIF_SEND: %m", r->home_pid);
	return -errno;
}

/*
 * A -ERESTART* answer is acted on in the process's signal-delivery path,
 * which it takes only with something pending: kick it there (no signal is
 * sent) before such an answer, else the code would reach user space.
 */
static int kick(struct relay_remote *r, pid_t tid)
{
	struct ssi_signal k = { .pid = tid, .flags = SSI_SIGNAL_KICK };
	int dev = ssi_dev_open(O_CLOEXEC, NULL), rc;

	if (dev < 0)
		return -errno;
	rc = ioctl(dev, SSI_IOC_SIGNAL, &k) ? -errno : 0;
	close(dev);
	if (rc)
		log_warn("pid %u: SSI_SIGNAL_KICK: %s", r->home_pid, strerror(-rc));
	return rc;
}

int relay_remote_answer_restart(struct relay_remote *r, uint64_t id, pid_t tid,
				int64_t code)
{
	int rc = kick(r, tid);

	return rc ? rc : relay_remote_answer(r, id, code);
}

/* Send request @p home (again, under a new seq) and keep it pending. */
static int send_request(struct relay_remote *r, struct relay_pending *p)
{
	int err;

	p->seq = ++r->seq;
	p->cancelling = false;
	err = r->ops->send_request(r->arg, p->seq, p->home_tid, p->p.msg, p->p.msg_len);
	if (err) {
		log_warn("pid %u: cannot forward %s to %s: %s", r->home_pid,
			 ssi_sc_lookup(p->nr)->name, r->home, strerror(-err));
		return err;
	}
	r->bytes += p->p.msg_len;
	p->next = r->pend;
	r->pend = p;
	if (r->sig_check_ms == LOOP_NEVER)
		r->sig_check_ms = clock_mono_ms() + RELAY_SIGNAL_POLL_MS;
	return 0;
}

/* ------------------------------------------- its own /proc entries */

static bool is_thread(const void *arg, uint32_t home_tid)
{
	return relay_remote_local_tid(arg, home_tid) != 0;
}

/* The NUL-terminated string argument @i as the request carries it. */
static const char *in_string(const struct ssi_fwd_pending *p, int i)
{
	const char *s = ssi_fwd_in_arg(p, i, 1);

	if (!s || !memchr(s, '\0', p->in_len - p->req.args[i]))
		return NULL;
	return s;
}

/*
 * An open of one of the process's own /proc entries that are served here
 * (proc_self.h): remember which, to open it here too once home did.
 */
static void note_proc_open(struct relay_remote *r, struct relay_pending *p)
{
	const struct open_how *how;
	const char *path;
	uint64_t flags;

	if (r->procfd < 0)
		return;
	switch (p->nr) {
	case __NR_open:
		path = in_string(&p->p, 0);
		flags = p->p.req.args[1];
		break;
	case __NR_openat:
		path = in_string(&p->p, 1);
		flags = p->p.req.args[2];
		break;
	case __NR_openat2:
		path = in_string(&p->p, 1);
		how = ssi_fwd_in_arg(&p->p, 2, sizeof(*how));
		if (!how)
			return;
		flags = how->flags;
		break;
	default:
		return;
	}
	if (!path || (flags & (O_PATH | O_DIRECTORY | O_CREAT | O_TMPFILE)))
		return;
	if (proc_self_path(path, r->home_pid, p->home_tid, is_thread, r, p->proc_path))
		p->proc_flags = (int)(flags & (O_ACCMODE | O_NONBLOCK | O_CLOEXEC));
}

/*
 * Put @file into the process as fd @fd (what home gave), while its call
 * @p waits; it runs here from now on.
 */
static int install_here(struct relay_remote *r, uint64_t notif_id, int file,
			int fd, bool cloexec, const char *path)
{
	struct seccomp_notif_addfd a = {
		.id = notif_id,
		.flags = SECCOMP_ADDFD_FLAG_SETFD,
		.srcfd = (uint32_t)file,
		.newfd = (uint32_t)fd,
		.newfd_flags = cloexec ? O_CLOEXEC : 0,
	};

	if (ioctl(r->listen_h.fd, SECCOMP_IOCTL_NOTIF_ADDFD, &a) < 0) {
		log_warn("pid %u: fd %d stays served at home: ADDFD: %m",
			 r->home_pid, fd);
		return -1;
	}
	if (proc_self_fds_add(&r->proc_fds, fd, path)) {
		log_warn("pid %u: fd %d stays served at home: out of memory",
			 r->home_pid, fd);
		return -1;
	}
	return 0;
}

/*
 * Home has entry @path open as @fd (@flags, read up to @pos): open it here
 * too, into the process, while its call @notif_id waits.
 */
static void open_here(struct relay_remote *r, uint64_t notif_id, int fd,
		      int flags, uint64_t pos, const struct seq_pos *seq,
		      const char *path)
{
	int file = openat(r->procfd, path, (flags & (O_ACCMODE | O_NONBLOCK)) |
			  O_CLOEXEC | O_NOFOLLOW | O_NOCTTY), rc;

	if (file < 0) {
		log_debug("pid %u: /proc/%s stays served at home: %m", r->home_pid, path);
		return;
	}
	rc = pos || seq ? seq_pos_set(file, pos, seq) : 0;
	if (rc)
		log_warn("pid %u: /proc/%s: its read cannot go on at %llu here: %s",
			 r->home_pid, path, (unsigned long long)pos, strerror(-rc));
	install_here(r, notif_id, file, fd, flags & O_CLOEXEC, path);
	close(file);
}

/* The process's pidfd, opened once needed; -1 if it cannot be. */
static int process_pidfd(struct relay_remote *r)
{
	if (r->pidfd < 0)
		r->pidfd = (int)syscall(SYS_pidfd_open, r->pid, 0);
	return r->pidfd;
}

/* Home duplicated @src, one of those served here, as @fd: here too. */
static void dup_here(struct relay_remote *r, const struct relay_pending *p,
		     int src, int fd, bool cloexec)
{
	char path[PROC_SELF_PATH_MAX];
	int file;

	/* a copy: adding @fd to the set may move the set's memory */
	snprintf(path, sizeof(path), "%s", proc_self_fds_path(&r->proc_fds, src));
	file = process_pidfd(r) < 0 ? -1 :
	       (int)syscall(SYS_pidfd_getfd, r->pidfd, src, 0);
	if (file < 0) {
		log_warn("pid %u: fd %d stays served at home: %m", r->home_pid, fd);
		return;
	}
	install_here(r, p->notif_id, file, fd, cloexec, path);
	close(file);
}

/*
 * Home's kernel succeeded with @p (result @ret): mirror what it did to
 * the fds served here.  Return: whether the call must run here too (a
 * close_range over them: it then closes the files here; O_NONBLOCK set
 * on one), the notification answered with CONTINUE instead of @ret.
 *
 * A close of one is not run here: once home closed the number, another
 * thread's open may get it there and have it installed here before this
 * thread, let go, would close it (and its reply may even come first).
 * The number stops being served here, on the install it was asked of
 * only; the file stays in the process here, unused (calls on the number
 * go home), until an install of the number replaces it.
 */
static bool proc_after(struct relay_remote *r, const struct relay_pending *p,
		       int64_t ret)
{
	const uint64_t *a = p->p.req.args;
	bool cloexec;
	int src;

	if (ret < 0)
		return false;
	if (p->proc_path[0]) {
		open_here(r, p->notif_id, (int)ret, p->proc_flags, 0, NULL, p->proc_path);
		return false;
	}
	if (!r->proc_fds.n)
		return false;
	switch (p->nr) {
	case __NR_close:
		if (p->close_gen &&
		    proc_self_fds_gen(&r->proc_fds, (int)(unsigned int)a[0]) == p->close_gen)
			proc_self_fds_drop(&r->proc_fds, (int)(unsigned int)a[0]);
		return false;
	case __NR_fcntl:
		/* O_NONBLOCK binds where it is read (a signalfd's reads) */
		if ((unsigned int)a[1] == F_SETFL)
			return proc_self_fds_has(&r->proc_fds, (int)(unsigned int)a[0]);
		break;		/* F_DUPFD: below */
	case __NR_ioctl:
		return (unsigned int)a[1] == FIONBIO &&
		       proc_self_fds_has(&r->proc_fds, (int)(unsigned int)a[0]);
	case __NR_close_range:
		if (a[2] & CLOSE_RANGE_CLOEXEC)
			return false;
		return proc_self_fds_drop_range(&r->proc_fds, (unsigned int)a[0],
						(unsigned int)a[1]) != 0;
	}
	src = proc_self_dup_source(p->nr, a, &cloexec);
	if (src < 0 || src == (int)ret)
		return false;
	if (proc_self_fds_has(&r->proc_fds, src))
		dup_here(r, p, src, (int)ret, cloexec);
	else
		proc_self_fds_drop(&r->proc_fds, (int)ret);	/* dup2 over it */
	return false;
}

struct relay_keep {
	int fd, flags;
	uint64_t pos;
	struct seq_pos *seq;	/* NULL: @pos alone */
	char path[PROC_SELF_PATH_MAX];
};

int relay_remote_keep_proc(struct relay_remote *r, int fd, int flags, uint64_t pos,
			   const struct seq_pos *seq, const char *path)
{
	struct seq_pos *copy = NULL;
	struct relay_keep *k;

	if (fd < 0 || (strcmp(path, SIGNALFD_HERE) &&
			!proc_self_valid(path, r->home_pid, is_thread, r)))
		return -EINVAL;
	if (seq) {
		copy = malloc(sizeof(*copy));
		if (!copy)
			return -ENOMEM;
		*copy = *seq;
	}
	k = realloc(r->keep, (r->nkeep + 1) * sizeof(*k));
	if (!k) {
		free(copy);
		return -ENOMEM;
	}
	r->keep = k;
	k = &r->keep[r->nkeep++];
	k->fd = fd;
	k->flags = flags;
	k->pos = pos;
	k->seq = copy;
	snprintf(k->path, sizeof(k->path), "%s", path);
	return 0;
}

/* A signalfd home holds as @fd (@flags, @mask): one of its own here. */
static void signalfd_here(struct relay_remote *r, uint64_t notif_id, int fd,
			  int flags, uint64_t mask)
{
	int file = signalfd_open(mask, flags), rc = -1;

	if (file >= 0) {
		rc = install_here(r, notif_id, file, fd, flags & O_CLOEXEC, SIGNALFD_HERE);
		close(file);
	}
	if (rc) {
		/* its reads would wait at home for signals that never come */
		log_err("pid %u: fd %d, a signalfd, cannot be made here; killing it",
			r->home_pid, fd);
		kill(r->pid, SIGKILL);
	}
}

/* The fds held since before the move, put in while call @notif_id waits. */
static void open_kept(struct relay_remote *r, uint64_t notif_id)
{
	const struct relay_keep *k;
	uint32_t i;

	for (i = 0; i < r->nkeep; i++) {
		k = &r->keep[i];
		if (!strcmp(k->path, SIGNALFD_HERE))
			signalfd_here(r, notif_id, k->fd, k->flags, k->pos);
		else if (r->procfd >= 0)
			open_here(r, notif_id, k->fd, k->flags, k->pos, k->seq, k->path);
		free(k->seq);
	}
	free(r->keep);
	r->keep = NULL;
	r->nkeep = 0;
}

void relay_remote_proc_held(struct relay_remote *r,
			    void (*cb)(void *arg, int fd, int flags, uint64_t pos,
				       const struct seq_pos *seq, const char *path),
			    void *arg)
{
	static struct seq_pos seq;
	uint32_t i;

	if (r->proc_fds.n && process_pidfd(r) < 0)
		return;
	for (i = 0; i < r->proc_fds.n; i++) {
		const struct proc_self_fd *f = &r->proc_fds.fd[i];
		uint64_t pos;
		int file, flags, has_seq;

		if (!strcmp(f->path, SIGNALFD_HERE))
			continue;	/* no offset; home's has its mask and flags */
		file = (int)syscall(SYS_pidfd_getfd, r->pidfd, f->fd, 0);
		if (file < 0)
			continue;
		has_seq = seq_pos_get(file, &pos, &seq);
		flags = fcntl(file, F_GETFL);
		close(file);
		if (has_seq >= 0 && flags >= 0)
			cb(arg, f->fd, flags & (O_ACCMODE | O_NONBLOCK), pos,
			   has_seq ? &seq : NULL, f->path);
	}
}

/* A read, write or seek on an fd served here. */
static bool runs_here(const struct relay_remote *r, const struct seccomp_notif *n)
{
	uint64_t args[6];
	int i;

	if (!r->proc_fds.n)
		return false;
	for (i = 0; i < 6; i++)
		args[i] = n->data.args[i];
	return proc_self_runs_here(&r->proc_fds, n->data.nr, args);
}

/* ----------------------------------------------------- sent home */

static void forward(struct relay_remote *r, const struct seccomp_notif *n)
{
	struct relay_pending *p = calloc(1, sizeof(*p));
	uint64_t args[6];
	int i, err;

	if (!p) {
		relay_remote_answer(r, n->id, -ENOMEM);
		return;
	}
	for (i = 0; i < 6; i++)
		args[i] = n->data.args[i];
	p->nr = n->data.nr;
	p->tid = (pid_t)n->pid;
	p->home_tid = relay_remote_home_tid(r, p->tid);
	err = ssi_fwd_build(&p->p, n->data.nr, args, &ssi_mem_process, &r->pid);
	/* the arguments were read: is the notification still the same call? */
	if (ioctl(r->listen_h.fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &n->id))
		goto drop;
	if (err == -ENOSYS) {		/* an argument only home understands */
		r->ops->pull_home(r->arg, n->id, (pid_t)n->pid, n->data.nr);
		goto drop;
	}
	if (err) {
		relay_remote_answer(r, n->id, err);
		goto drop;
	}
	switch (signalfd_wait(&r->proc_fds, &p->p, p->nr)) {
	case SIGNALFD_WAIT_HERE:
		ssi_seccomp_continue(r->listen_h.fd, n->id);
		goto drop;
	case SIGNALFD_WAIT_HOME:
		r->ops->pull_home(r->arg, n->id, (pid_t)n->pid, n->data.nr);
		goto drop;
	case SIGNALFD_WAIT_NONE:
		break;
	}
	p->notif_id = n->id;
	note_proc_open(r, p);
	if (p->nr == __NR_close)
		p->close_gen = proc_self_fds_gen(&r->proc_fds, (int)(unsigned int)p->p.req.args[0]);
	if (send_request(r, p)) {
		relay_remote_answer(r, n->id, -EIO);
		goto drop;
	}
	return;
drop:
	pending_free(p);
}

/*
 * Is a signal pending for thread @tid of @pid (its own, or the process's)
 * that it does not block?  Then it would have interrupted a call that ran
 * here.  (Ignored signals are never pending.)
 */
static bool signal_wanted(pid_t pid, pid_t tid)
{
	uint64_t pnd = 0, shd = 0, blk = 0;
	char text[4096], file[48];

	snprintf(file, sizeof(file), "task/%d/status", (int)tid);
	if (procfs_read(pid, file, text, sizeof(text)))
		return false;
	procfs_status_u64(text, "SigPnd", 16, &pnd);
	procfs_status_u64(text, "ShdPnd", 16, &shd);
	procfs_status_u64(text, "SigBlk", 16, &blk);
	return ((pnd | shd) & ~blk) != 0;
}

/* Ask home to give up request @p (once). */
static void cancel_one(struct relay_remote *r, struct relay_pending *p)
{
	if (!p->cancelling && !r->ops->send_cancel(r->arg, p->seq, p->home_tid))
		p->cancelling = true;
}

void relay_remote_cancel_all(struct relay_remote *r)
{
	struct relay_pending *p;

	for (p = r->pend; p; p = p->next)
		cancel_one(r, p);
}

void relay_remote_check_signals(struct relay_remote *r)
{
	struct relay_pending *p;

	r->sig_check_ms = r->pend ? clock_mono_ms() + RELAY_SIGNAL_POLL_MS : LOOP_NEVER;
	for (p = r->pend; p; p = p->next)
		if (!p->cancelling && signal_wanted(r->pid, p->tid))
			cancel_one(r, p);
}

/* --------------------------------------------------- making threads */

/* Ask home for the deputy thread of the next clone in line. */
static void spawn_next(struct relay_remote *r)
{
	struct relay_spawn *s;
	int err;

	while (!r->spawn && (s = r->spawn_q)) {
		r->spawn_q = s->next;
		s->next = NULL;
		/* it may have died, or been interrupted, while it waited */
		if (r->listen_h.fd < 0 ||
		    ioctl(r->listen_h.fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &s->n.id)) {
			free(s);
			continue;
		}
		err = r->ops->send_spawn(r->arg, relay_remote_home_tid(r, (pid_t)s->n.pid));
		if (err) {
			log_warn("pid %u: cannot ask %s for a new thread: %s", r->home_pid,
				 r->home, strerror(-err));
			relay_remote_answer(r, s->n.id, -EAGAIN);
			free(s);
			continue;
		}
		r->spawn = s;
	}
}

/*
 * A clone or clone3: if it makes a thread, the thread runs here, with a
 * deputy thread at home (clone_thread.h).  Return: true if taken, false
 * for a clone that makes a process (it runs at home: pull-home).
 */
static bool spawn_begin(struct relay_remote *r, const struct seccomp_notif *n)
{
	struct relay_spawn *s = calloc(1, sizeof(*s)), **tail;

	if (!s)
		return false;
	s->n = *n;
	if (clone_thread_args(r->pid, n, &s->ct) != 1 ||
	    ioctl(r->listen_h.fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &n->id)) {
		free(s);
		return false;
	}
	for (tail = &r->spawn_q; *tail; tail = &(*tail)->next)
		;
	*tail = s;
	spawn_next(r);
	return true;
}

void relay_remote_spawned(struct relay_remote *r, int32_t home_tid)
{
	struct relay_spawn *s = r->spawn;
	pid_t made = 0, ns_tid;
	int rc;

	if (!s)
		return;
	r->spawn = NULL;
	if (home_tid <= 0) {
		relay_remote_answer(r, s->n.id, home_tid < 0 && home_tid >= -4095 ?
				    home_tid : -EAGAIN);
	} else if (r->listen_h.fd < 0) {
		r->ops->spawn_done(r->arg, (uint32_t)home_tid, 0);
	} else if ((rc = r->ops->next_tid(r->arg, (uint32_t)home_tid))) {
		log_warn("pid %u: no tid %d for a new thread here: %s", r->home_pid,
			 (int)home_tid, strerror(-rc));
		relay_remote_answer(r, s->n.id, -EAGAIN);
		r->ops->spawn_done(r->arg, (uint32_t)home_tid, 0);
	} else {
		rc = clone_thread_run(r->listen_h.fd, &s->n, &s->ct, home_tid, &made,
				      RELAY_CLONE_TIMEOUT_MS);
		if (rc < 0) {
			/* it cannot be traced here (a debugger): home makes it */
			log_info("pid %u: thread %d cannot be traced (%s): its clone runs at home",
				 r->home_pid, (int)s->n.pid, strerror(-rc));
			r->ops->spawn_done(r->arg, (uint32_t)home_tid, 0);
			r->ops->pull_home(r->arg, s->n.id, (pid_t)s->n.pid, s->n.data.nr);
		} else if (rc == 1 && (ns_tid = procfs_ns_tid(r->pid, made)) &&
			   ns_tid != home_tid) {
			/*
			 * Someone else made a task in its namespace: cannot be.
			 * (No tid read: the thread is gone already, maybe with
			 * the whole process, by an exit() it made at once.)
			 */
			log_err("pid %u: its new thread %d has not tid %d; killing it",
				r->home_pid, (int)made, (int)home_tid);
			r->ops->lost(r->arg);
		} else if (rc == 1 && relay_remote_add_thread(r, made, (uint32_t)home_tid)) {
			log_err("pid %u: out of memory for thread %d; killing it", r->home_pid,
				(int)made);
			r->ops->lost(r->arg);
		} else {
			r->ops->spawn_done(r->arg, (uint32_t)home_tid, rc == 1 ? made : 0);
		}
	}
	free(s);
	spawn_next(r);
}

static void unwatch(struct relay_remote *r)
{
	if (r->listen_h.fd < 0)
		return;
	if (r->listening)
		loop_del(r->loop, &r->listen_h);
	r->listening = false;
	close(r->listen_h.fd);
	r->listen_h.fd = -1;
}

static bool addr_shared(void *ctx, uint64_t addr)
{
	return futex_addr_shared(((const struct relay_remote *)ctx)->pid, addr);
}

/* A futex call that is not private: here, at home, or home first (futex_shared.h). */
static void futex_call(struct relay_remote *r, const struct seccomp_notif *n)
{
	uint64_t args[6];
	int i;

	for (i = 0; i < 6; i++)
		args[i] = n->data.args[i];
	switch (futex_where(args, addr_shared, r)) {
	case FUTEX_RUN_HERE:
		ssi_seccomp_continue(r->listen_h.fd, n->id);
		break;
	case FUTEX_RUN_HOME:
		forward(r, n);
		break;
	case FUTEX_RUN_PULL:
		r->ops->pull_home(r->arg, n->id, (pid_t)n->pid, n->data.nr);
		break;
	}
}

/*
 * futex_waitv: the filter cannot look into its array of words, so every
 * call comes here; run here unless one is in shared memory (futex_shared.h).
 */
static void futex_waitv_call(struct relay_remote *r, const struct seccomp_notif *n)
{
	static struct futex_waitv w[FUTEX_WAITV_MAX];
	uint64_t nr = n->data.args[1];
	enum futex_where where = FUTEX_RUN_PULL;

	if (nr && nr <= FUTEX_WAITV_MAX &&
	    !ssi_mem_process.read(&r->pid, n->data.args[0], w, nr * sizeof(w[0])))
		where = futex_waitv_where(w, nr, addr_shared, r);
	if (where == FUTEX_RUN_HERE)
		ssi_seccomp_continue(r->listen_h.fd, n->id);
	else
		r->ops->pull_home(r->arg, n->id, (pid_t)n->pid, n->data.nr);
}

static void listener_ready(struct loop_handler *lh, uint32_t events)
{
	struct relay_remote *r = (struct relay_remote *)((char *)lh -
					offsetof(struct relay_remote, listen_h));
	struct seccomp_notif n;
	int nr;

	if (events & (EPOLLHUP | EPOLLERR)) {
		/* no task uses the filter any more: the owner's pidfd tells the rest */
		unwatch(r);
		return;
	}
	memset(&n, 0, sizeof(n));
	if (ioctl(lh->fd, SECCOMP_IOCTL_NOTIF_RECV, &n))
		return;		/* ENOENT: gone before we looked */
	r->called = true;	/* the restore helper makes no call after the filter */
	if (r->nkeep)
		open_kept(r, n.id);
	nr = n.data.nr;
	switch (ssi_sc_policy_of(nr)) {
	case SSI_SC_CACHED:
		relay_remote_answer(r, n.id, (int64_t)r->home_ppid);	/* getppid */
		break;
	case SSI_SC_FORWARD:
		if (runs_here(r, &n))
			ssi_seccomp_continue(r->listen_h.fd, n.id);
		else
			forward(r, &n);
		break;
	default:
		if ((nr == __NR_clone || nr == __NR_clone3) && spawn_begin(r, &n))
			break;
		if (nr == __NR_futex) {
			futex_call(r, &n);
			break;
		}
		if (nr == __NR_futex_waitv) {
			futex_waitv_call(r, &n);
			break;
		}
		if (ssi_sc_forwards(nr)) {	/* local-if whose condition failed */
			forward(r, &n);
			break;
		}
		/* pull-home, or local-if whose condition failed */
		r->ops->pull_home(r->arg, n.id, (pid_t)n.pid, nr);
		break;
	}
}

/* The listener is in the loop unless paused or waiting for home's fds. */
static int listen_update(struct relay_remote *r)
{
	bool want = r->listen_h.fd >= 0 && !r->paused && !r->fds_due;

	if (want == r->listening)
		return 0;
	if (!want) {
		loop_del(r->loop, &r->listen_h);
		r->listening = false;
		return 0;
	}
	if (loop_add(r->loop, &r->listen_h, EPOLLIN))
		return -errno;
	r->listening = true;
	return 0;
}

int relay_remote_listen(struct relay_remote *r, pid_t pid, int fd)
{
	int err;

	r->pid = pid;
	r->listen_h.fd = fd;
	r->listen_h.cb = listener_ready;
	r->paused = false;
	r->listening = false;
	err = listen_update(r);
	if (err) {
		close(fd);
		r->listen_h.fd = -1;
	}
	return err;
}

void relay_remote_pause(struct relay_remote *r)
{
	if (r->paused || r->listen_h.fd < 0)
		return;
	r->paused = true;
	listen_update(r);
}

/* Back in the loop if nothing else holds it out; lost if it cannot be. */
static void listen_again(struct relay_remote *r)
{
	if (!listen_update(r))
		return;
	log_err("pid %u: epoll: %m; killing it", r->home_pid);
	close(r->listen_h.fd);
	r->listen_h.fd = -1;
	r->ops->lost(r->arg);
}

void relay_remote_resume(struct relay_remote *r)
{
	if (!r->paused)
		return;
	r->paused = false;
	listen_again(r);
}

void relay_remote_await_fds(struct relay_remote *r)
{
	r->fds_due = true;
	listen_update(r);
}

void relay_remote_fds_known(struct relay_remote *r)
{
	if (!r->fds_due)
		return;
	r->fds_due = false;
	listen_again(r);
}

/* ------------------------------------------------------------ replies */

/*
 * A limit the process set on itself (setrlimit; prlimit64 of its own pid
 * or one of its tids) binds here too: once home's kernel took it, set
 * it here to the bytes home checked, as root (a raise home allowed).
 */
static void mirror_limit(struct relay_remote *r, const struct relay_pending *p)
{
	const uint64_t *a = p->p.req.args;
	const struct rlimit *want;
	int argi = 1;

	if (p->nr == __NR_prlimit64) {
		pid_t who = (pid_t)a[0];

		if (who && (uint32_t)who != r->home_pid && !relay_remote_local_tid(r, (uint32_t)who))
			return;		/* another process's: at home only */
		argi = 2;
	} else if (p->nr != __NR_setrlimit) {
		return;
	}
	want = ssi_fwd_in_arg(&p->p, argi, sizeof(*want));
	if (want && prlimit(r->pid, (int)a[argi - 1], want, NULL))
		log_warn("pid %u: limit %d set at home, not here: %m", r->home_pid,
			 (int)a[argi - 1]);
}

void relay_remote_reply(struct relay_remote *r, uint64_t seq, const void *data,
			size_t len)
{
	struct relay_pending **pp, *p;
	int64_t ret = -EIO;

	for (pp = &r->pend; (p = *pp); pp = &p->next)
		if (p->seq == seq)
			break;
	if (!p)
		return;
	*pp = p->next;
	r->bytes += len;
	r->forwarded++;
	if (ssi_fwd_apply(&p->p, data, len, &ret, &ssi_mem_process, &r->pid) == -EPROTO) {
		log_warn("pid %u: malformed reply from %s: EIO", r->home_pid, r->home);
		ret = -EIO;
	}
	if (ret == -EINTR || ret == -SSI_SC_ERESTARTSYS) {
		/*
		 * A signal stopped it at home: ours (a cancel) or one the home
		 * pid got, which comes here as MIG_SIGNAL.  If a signal waits
		 * here, the kernel here delivers it and restarts the call or
		 * not, as it would have; if none does (it is blocked here, or
		 * not here yet), the call goes on as if nothing happened.
		 */
		if (signal_wanted(r->pid, p->tid))
			ret = ssi_sc_interrupted(p->nr, ret);
		else if (r->going_home)
			ret = -SSI_SC_ERESTARTNOINTR;	/* it runs again at home */
		else if (!send_request(r, p))
			return;
	}
	if (!ret)
		mirror_limit(r, p);
	if (r->listen_h.fd >= 0) {
		if (proc_after(r, p, ret))
			ssi_seccomp_continue(r->listen_h.fd, p->notif_id);
		else if (ret >= -SSI_SC_ERESTART_MAX && ret <= -SSI_SC_ERESTARTSYS)
			relay_remote_answer_restart(r, p->notif_id, p->tid, ret);
		else
			relay_remote_answer(r, p->notif_id, ret);
	}
	pending_free(p);
}

uint64_t relay_remote_timer(struct relay_remote *r, uint64_t now_ms)
{
	if (now_ms >= r->sig_check_ms)
		relay_remote_check_signals(r);
	return r->sig_check_ms;
}

bool relay_remote_busy(const struct relay_remote *r)
{
	return r->pend || r->spawn || r->spawn_q;
}

void relay_remote_destroy(struct relay_remote *r)
{
	struct relay_pending *p;
	struct relay_spawn *s;

	unwatch(r);
	while ((p = r->pend)) {
		r->pend = p->next;
		pending_free(p);
	}
	free(r->spawn);
	r->spawn = NULL;
	while ((s = r->spawn_q)) {
		r->spawn_q = s->next;
		free(s);
	}
	free(r->local_tids);
	free(r->home_tids);
	r->local_tids = NULL;
	r->home_tids = NULL;
	r->nthreads = 0;
	r->sig_check_ms = LOOP_NEVER;
	proc_self_fds_free(&r->proc_fds);
	while (r->nkeep)
		free(r->keep[--r->nkeep].seq);
	free(r->keep);
	r->keep = NULL;
	r->nkeep = 0;
	if (r->procfd >= 0)
		close(r->procfd);
	if (r->pidfd >= 0)
		close(r->pidfd);
	r->procfd = -1;
	r->pidfd = -1;
}
