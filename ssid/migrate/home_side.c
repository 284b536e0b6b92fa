// SPDX-License-Identifier: GPL-2.0
/*
 * home_side.c - the home side of a migration (see migrate.h):
 *
 *   migrate_start: OFFER to the remote node; the image is dumped and
 *     streamed as IMAGE chunks (image_stream.c); the task stays frozen
 *     after the dump;
 *   ACCEPTED: SSI_IOC_DEPUTY: the home task is now the deputy, every
 *     thread of it driven by its own relay (forward/relay_home.h): FWD_REQ
 *     runs in the deputy thread of the thread that made the call (one at
 *     a time per thread, queued), FWD_REP goes back; signals the stubs
 *     catch go to the remote node as MIG_SIGNAL (for the process, or for
 *     one thread when they were sent to one); MIG_THREADS says which
 *     remote thread is which home thread;
 *   MIG_EXIT: the deputy ends with the remote's wait status.
 *   migrate_recall: RECALL; the remote dumps it (once no call of it is in
 *     flight) and streams it back as BACK chunks into a memfd; the deputy
 *     is frozen and becomes the process again (SSI_IOC_RETURN, each deputy
 *     thread the image's thread of the same home tid; deputy threads
 *     whose remote thread ended end first); BACK_DONE
 *     tells the remote (0: drop your copy; an errno: resume it).
 *
 * Failure rules: before ACCEPTED every failure (FAILED, timeout, node
 * lost, SSI_IOC_DEPUTY refused) resumes the task at home, untouched.
 * After it, losing the remote node closes the channel: the stub dies of
 * SIGKILL, so Slurm sees a failed task and nothing hangs; the deputy dying
 * at home (SIGKILL to the home pid) kills the remote process (MIG_ABORT).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <linux/kcmp.h>

#include "kmod/uapi/ssi.h"
#include "kmod/tools/ssi_dev_open.h"
#include "transport/ssi_transport.h"

#include "forward/proc_self.h"
#include "forward/relay_home.h"
#include "forward/signalfd_here.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/procfs.h"
#include "daemon/loop.h"
#include "dsm/segments.h"
#include "migrate/file_fetch.h"
#include "migrate/image_stream.h"
#include "migrate/image_peek.h"
#include "migrate/mpol_make.h"
#include "migrate/not_carried.h"
#include "migrate/seccomp_carry.h"
#include "migrate/usage.h"
#include "forward/seccomp_filter.h"
#include "migrate/migrate_int.h"
#include "cluster/peer_msg.h"
#include "cluster/peers.h"

enum home_state {
	H_SENDING,		/* image being dumped and streamed out */
	H_WAIT_ACCEPT,		/* image sent, remote restoring */
	H_DEPUTY,		/* the remote runs it; we serve its calls */
	H_RECALLING,		/* called back: its image is coming home */
	H_ENDING,		/* exit sent to the stub; waiting for EOF */
};

static const char *const state_names[] = {
	[H_SENDING] = "migrating", [H_WAIT_ACCEPT] = "migrating",
	[H_DEPUTY] = "deputy", [H_RECALLING] = "returning",
	[H_ENDING] = "exited",
};

static const struct relay_home_ops relay_ops;

/*
 * One thread of the deputy.  Allocated one by one: the loop holds a
 * pointer to each relay's channel handler, and threads come and go.
 */
struct home_thread {
	struct relay_home relay;	/* forward/relay_home.h */
	/* started by ssid (SPAWN) for a thread made there: its place, or 0 */
	struct ssi_deputy_seat seat;
};

struct mig_home {
	struct mig_home *next;
	struct migrate *m;
	uint64_t id;
	pid_t pid;
	struct msg_mig_offer offer;
	int peer;
	enum home_state state;
	int dev;			/* /dev/ssi that froze it */
	uint32_t seccomp_n;		/* its own seccomp filters, as sent */
	struct mig_stream st;		/* dumping and streaming the image */
	uint64_t expect_bytes;		/* its resident memory at the start:
					 * about what the image will weigh */
	uint64_t t0_ns;
	uint64_t deadline_ms;
	pid_t remote_pid;
	struct migrate_result res;

	/* the deputy: its frozen threads, the leader first */
	uint32_t nthreads;
	struct home_thread **threads;	/* the leader first */
	struct ssi_deputy_seat *seats;	/* of spawned threads that ended, to reuse */
	uint32_t nseats;
	int pidfd;			/* of the deputy, for the last SIGKILL */
	uint64_t signals;
	uint64_t started_ms;
	bool stopped;			/* SIGSTOP relayed, not yet continued */
	uint64_t next_stop_check_ms;
	bool early_exit;		/* MIG_EXIT overtook ACCEPTED */
	int early_status;
	struct usage_account usage;	/* charged to the deputy (usage.h) */
	struct usage_sample early_usage; /* MIG_USAGE that overtook ACCEPTED */
	bool has_early_usage;

	/* mapped files the remote node had no copy of (file_fetch.h) */
	struct file_serve files;

	/* coming back (H_RECALLING) */
	int back_img;			/* memfd, -1 */
	uint64_t back_recv;		/* image bytes received */
	uint64_t recall_ns;		/* when RECALL was sent */

	migrate_done_cb cb;
	void *cb_arg;
	bool asked;			/* a move or recall not counted yet */
	bool asked_back;		/* that one is a recall */
};

static struct mig_home *find(struct migrate *m, int idx, uint64_t id)
{
	struct mig_home *h;

	for (h = m->homes; h; h = h->next)
		if (h->id == id && h->peer == idx)
			return h;
	return NULL;
}

static void report(struct mig_home *h, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A move or a recall asked of this node ended (metrics.h). */
static void count_asked(struct mig_home *h, int err)
{
	if (!h->asked)
		return;
	h->asked = false;
	if (h->asked_back) {
		metrics_add(err ? METRIC_RETURN_FAILED : METRIC_RETURNED, 1);
		return;
	}
	metrics_add(err ? METRIC_MIGRATE_FAILED : METRIC_MIGRATED, 1);
	if (!err)
		metrics_freeze(h->res.frozen_ns);
}

/* Tell the requester (once) how it went. */
static void report(struct mig_home *h, int err, const char *fmt, ...)
{
	migrate_done_cb cb = h->cb;
	va_list ap;

	count_asked(h, err);
	h->cb = NULL;
	h->res.err = err;
	va_start(ap, fmt);
	vsnprintf(h->res.msg, sizeof(h->res.msg), fmt, ap);
	va_end(ap);
	if (cb)
		cb(h->cb_arg, &h->res);
}

static void send_value(struct mig_home *h, uint16_t type, int32_t value)
{
	mig_send_value(h->m, h->peer, h->id, type, value);
}

static void free_relays(struct mig_home *h)
{
	uint32_t i;

	for (i = 0; i < h->nthreads; i++) {
		relay_home_destroy(&h->threads[i]->relay);
		free(h->threads[i]);
	}
	free(h->threads);
	free(h->seats);
	h->threads = NULL;
	h->seats = NULL;
	h->nthreads = h->nseats = 0;
}

/* The deputy thread @tid (0: the leader), or NULL. */
static struct home_thread *thread_of(struct mig_home *h, uint32_t tid)
{
	uint32_t i;

	for (i = 0; i < h->nthreads; i++)
		if (h->threads[i]->relay.tid == (pid_t)tid || (!tid && !i))
			return h->threads[i];
	return NULL;
}

/* The relay of deputy thread @tid (0: the leader's), or NULL. */
static struct relay_home *relay_of(struct mig_home *h, uint32_t tid)
{
	struct home_thread *t = thread_of(h, tid);

	return t ? &t->relay : NULL;
}

/* A new thread of the deputy, with an idle relay, at the end of the list. */
static struct home_thread *add_thread(struct mig_home *h, pid_t tid)
{
	struct home_thread **v, *t;

	v = realloc(h->threads, (h->nthreads + 1) * sizeof(*v));
	if (!v)
		return NULL;
	h->threads = v;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	relay_home_init(&t->relay, h->m->loop, h->pid, tid,
			peers_node_name(h->m->peers, h->peer), &relay_ops, h);
	h->threads[h->nthreads++] = t;
	return t;
}

static void free_home(struct mig_home *h)
{
	struct mig_home **pp;

	if (h->cb || h->asked)	/* a recall in progress when the node or deputy went */
		report(h, ECONNRESET, "pid %d: its deputy or its node is gone",
		       (int)h->pid);

	for (pp = &h->m->homes; *pp; pp = &(*pp)->next) {
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	}
	free_relays(h);
	mig_stream_stop(&h->st);
	file_serve_free(&h->files);
	if (h->back_img >= 0)
		close(h->back_img);
	if (h->pidfd >= 0)
		close(h->pidfd);
	if (h->dev >= 0)
		close(h->dev);	/* resumes it if it is still frozen */
	free(h);
}

/* Before ACCEPTED: the task continues at home; tell the remote to drop it. */
static void fail_and_resume(struct mig_home *h, int err, const char *why)
{
	struct ssi_resume r = { .pid = h->pid };
	bool ended = false;

	mig_stream_stop(&h->st);
	/* a dump that failed has resumed the task itself */
	if (!h->st.dump_err && ioctl(h->dev, SSI_IOC_RESUME, &r)) {
		ended = errno == ESRCH;		/* killed meanwhile (scancel) */
		if (!ended)
			log_err("pid %d: SSI_IOC_RESUME: %m (closing /dev/ssi resumes it)",
				(int)h->pid);
	}
	send_value(h, SSID_MSG_MIG_ABORT, 0);
	log_notice("migration of pid %d to %s failed: %s; it %s", (int)h->pid,
		   peers_node_name(h->m->peers, h->peer), why,
		   ended ? "was killed meanwhile" : "continues here");
	report(h, err, "%s; pid %d %s", why, (int)h->pid,
	       ended ? "was killed meanwhile" : "continues on this node");
	free_home(h);
}

/* ---------------------------------------------------------- the image */

static int cmp_tid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

struct tid_list {
	pid_t leader;
	pid_t tids[MSG_MIG_THREADS_MAX];
	uint32_t n;
};

static int list_tid(pid_t tid, void *arg)
{
	struct tid_list *l = arg;

	if (tid == l->leader)
		return 0;
	if (l->n == MSG_MIG_THREADS_MAX)
		return E2BIG;
	l->tids[l->n++] = tid;
	return 0;
}

/*
 * The threads frozen with the process (it cannot make new ones now), the
 * leader first, each with an idle relay: requests may queue for them
 * before SSI_IOC_DEPUTY makes them deputy threads.
 */
static int frozen_threads(struct mig_home *h)
{
	static struct tid_list l;
	uint32_t i;
	int rc;

	l.leader = l.tids[0] = h->pid;
	l.n = 1;
	rc = procfs_each_thread(h->pid, list_tid, &l);
	if (rc)
		return rc < 0 ? -rc : rc;
	qsort(l.tids + 1, l.n - 1, sizeof(l.tids[0]), cmp_tid);
	for (i = 0; i < l.n; i++) {
		if (!add_thread(h, l.tids[i])) {
			free_relays(h);
			return ENOMEM;
		}
	}
	return 0;
}

/* ------------------------------------------- its own /proc entries */

static bool is_home_thread(const void *arg, uint32_t tid)
{
	return tid && thread_of((struct mig_home *)arg, tid) != NULL;
}

/*
 * Its fds served where it runs, read while it is frozen: its signalfds
 * (forward/signalfd_here.h), which must all be there, then those that
 * hold one of its own /proc entries (forward/proc_self.h), which may be
 * left out.  The remote node waits for the list.  Return: 0, or an
 * errno with @why.
 */
static int send_proc_fds(struct mig_home *h, char *why, size_t whylen)
{
	static struct msg_mig_proc_fds m;
	static unsigned char buf[MSG_MIG_PROC_FDS_MAX_LEN];
	struct iovec iov = { buf, 0 };
	int rc;

	m.id = h->id;
	m.n = 0;
	rc = signalfd_held(h->pid, MSG_MIG_PROC_FDS_MAX, msg_mig_proc_fds_add, &m,
			   why, whylen);
	if (rc < 0)
		snprintf(why, whylen, "its fds cannot be listed: %s", strerror(-rc));
	if (rc)
		return rc < 0 ? -rc : rc;
	proc_self_held(h->pid, (uint32_t)h->pid, is_home_thread, h, msg_mig_proc_fds_add, &m);
	iov.iov_len = msg_encode_mig_proc_fds(&m, buf);
	rc = peers_send(h->m->peers, h->peer, SSID_MSG_MIG_PROC_FDS, &iov, 1);
	if (rc)
		snprintf(why, whylen, "its fds cannot be sent: %s", strerror(-rc));
	return -rc;
}

/* On its way back: its home fds of those entries take the offsets of there. */
static void on_proc_pos(struct mig_home *h, const struct msg_mig_proc_fds *mp)
{
	uint32_t i;
	int rc;

	for (i = 0; i < mp->n && h->pidfd >= 0; i++) {
		rc = proc_self_set_pos(h->pidfd, h->pid, (uint32_t)h->pid, is_home_thread,
				       h, mp->fd[i].fd, mp->fd[i].pos,
				       mp->fd[i].has_seq ? &mp->fd[i].seq : NULL,
				       mp->fd[i].path);
		if (rc)
			log_warn("pid %d: fd %d (/proc/%s) keeps its offset at home: %s",
				 (int)h->pid, mp->fd[i].fd, mp->fd[i].path, strerror(-rc));
	}
}

/*
 * Its filters were read before the freeze (seccomp_chain_read()): frozen
 * now, has every thread still as many as were sent?  One installed in
 * between would otherwise be left behind.
 */
static int seccomp_count_one(pid_t tid, void *arg)
{
	const struct mig_home *h = arg;
	char file[48], text[4096];
	uint64_t n;

	snprintf(file, sizeof(file), "task/%d/status", (int)tid);
	if (procfs_read(h->pid, file, text, sizeof(text)))
		return 0;	/* gone: its deputy thread says so */
	if (procfs_status_u64(text, "Seccomp_filters", 10, &n))
		return 0;	/* a kernel before 5.9: nothing to compare */
	return n != h->seccomp_n;
}

static bool seccomp_unchanged(struct mig_home *h)
{
	return procfs_each_thread(h->pid, seccomp_count_one, h) <= 0;
}

/* The image is out (or could not be): wait for the remote's answer. */
static void stream_done(struct mig_stream *s, int err, const char *why)
{
	struct mig_home *h = (struct mig_home *)((char *)s -
						 offsetof(struct mig_home, st));
	char fds_why[200];

	if (err) {
		fail_and_resume(h, err, why);
		return;
	}
	err = frozen_threads(h);
	if (err) {
		fail_and_resume(h, err, "its threads cannot be listed");
		return;
	}
	if (!seccomp_unchanged(h)) {
		fail_and_resume(h, EAGAIN, "it changed its seccomp filters while it was being moved");
		return;
	}
	err = send_proc_fds(h, fds_why, sizeof(fds_why));
	if (err) {
		fail_and_resume(h, err, fds_why);
		return;
	}
	h->res.bytes = s->dump.bytes;
	h->res.pages = s->dump.pages;
	h->res.vmas = s->dump.vmas;
	h->res.dump_ns = s->dump.frozen_ns;
	h->state = H_WAIT_ACCEPT;
	h->deadline_ms = clock_mono_ms() + MIG_ACCEPT_TIMEOUT_MS;
	log_info("pid %d (%s, uid %u): %llu bytes, %llu pages streamed to %s in %llu us",
		 (int)h->pid, h->offer.comm, h->offer.uid,
		 (unsigned long long)s->dump.bytes, (unsigned long long)s->dump.pages,
		 peers_node_name(h->m->peers, h->peer),
		 (unsigned long long)s->dump.frozen_ns / 1000);
}

/* Send what the remote asked for of its mapped files, as far as it goes. */
static void serve_files(struct mig_home *h)
{
	int rc = file_serve_pump(&h->files, h->m->peers, h->peer, h->id);

	if (rc && rc != -EAGAIN) {
		log_warn("pid %d: sending its mapped files to %s: %s", (int)h->pid,
			 peers_node_name(h->m->peers, h->peer), strerror(-rc));
		return;
	}
	/* a large file takes its time: the wait ends only when nothing moves */
	h->deadline_ms = clock_mono_ms() + MIG_ACCEPT_TIMEOUT_MS;
}

/* MIG_FILE_REQ: a file it maps is missing or different there. */
static void on_file_req(struct mig_home *h, const struct msg_mig_file_req *r)
{
	int rc;

	if (h->state != H_WAIT_ACCEPT) {
		log_warn("pid %d: %s asked for a mapped file while it is not restoring it",
			 (int)h->pid, peers_node_name(h->m->peers, h->peer));
		return;
	}
	rc = file_serve_add(&h->files, h->pid, r);
	if (rc) {
		log_warn("pid %d: %s asked for its mapped file %u: %s", (int)h->pid,
			 peers_node_name(h->m->peers, h->peer), r->index, strerror(-rc));
		return;
	}
	log_info("pid %d: %s has no copy of its mapped file %u: sending it", (int)h->pid,
		 peers_node_name(h->m->peers, h->peer), r->index);
	serve_files(h);
}

void mig_home_writable(struct migrate *m, int idx)
{
	struct mig_home *h, *next;

	for (h = m->homes; h; h = next) {
		next = h->next;
		if (h->peer == idx && h->state == H_SENDING)
			mig_stream_writable(&h->st);	/* may free h */
		else if (h->peer == idx && h->state == H_WAIT_ACCEPT && h->files.n)
			serve_files(h);
	}
}

/* ------------------------------------------------------------- start */

struct vfork_check {
	pid_t pid;
	char *err;
	size_t errlen;
};

/* Does thread @tid have a child that shares its memory?  EBUSY then. */
static int thread_in_vfork(pid_t tid, void *arg)
{
	struct vfork_check *v = arg;
	char path[64], list[4096], *p, *end;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)v->pid, (int)tid);
	if (procfs_read_file(path, list, sizeof(list)))
		return 0;
	for (p = list;; p = end) {
		long c = strtol(p, &end, 10);

		if (end == p)
			return 0;
		if (c > 0 && !syscall(SYS_kcmp, v->pid, (pid_t)c, KCMP_VM, 0, 0)) {
			snprintf(v->err, v->errlen, "pid %d: thread %d is in vfork (its child %ld shares its memory until it execs or exits); it continues on this node",
				 (int)v->pid, (int)tid, c);
			return EBUSY;
		}
	}
}

/*
 * Is a thread of @pid in vfork()?  Then a child of it shares its memory
 * until that child execs or exits (kcmp KCMP_VM says), and the thread
 * waits killable only, which no freeze interrupts: refuse now, before the
 * freeze, naming the thread and the child.  Children are listed per
 * thread in /proc/PID/task/TID/children.
 */
static int in_vfork(pid_t pid, char *err, size_t errlen)
{
	struct vfork_check v = { pid, err, errlen };
	int rc = procfs_each_thread(pid, thread_in_vfork, &v);

	return rc == EBUSY ? EBUSY : 0;	/* gone: the dump says so */
}

/*
 * Credentials and identity from /proc/PID/status; and in *@rss_kb its
 * resident memory, about what its image will weigh (the dump writes the
 * pages it has: only for a progress bar, the stream says the real size).
 */
static int read_status(pid_t pid, struct msg_mig_offer *o, uint64_t *seccomp,
		       uint64_t *rss_kb, char *err, size_t errlen)
{
	char text[4096];
	const char *p;
	uint64_t ppid = 0, uid, gid, threads = 0;
	int rc = procfs_read(pid, "status", text, sizeof(text));

	if (rc) {
		snprintf(err, errlen, "pid %d: %s", (int)pid, strerror(-rc));
		return -rc;
	}
	p = procfs_status_value(text, "Name");
	if (p)
		snprintf(o->comm, sizeof(o->comm), "%.*s", (int)strcspn(p, "\n"), p);
	procfs_status_u64(text, "PPid", 10, &ppid);
	procfs_status_u64(text, "Threads", 10, &threads);
	*seccomp = 0;
	procfs_status_u64(text, "Seccomp", 10, seccomp);
	*rss_kb = 0;
	procfs_status_u64(text, "VmRSS", 10, rss_kb);
	o->ppid = (uint32_t)ppid;
	o->ngroups = 0;
	for (p = procfs_status_value(text, "Groups"); p && *p && *p != '\n' &&
	     o->ngroups < MSG_MIG_GROUPS_MAX; p += strspn(p, " \t")) {
		char *end;

		o->groups[o->ngroups++] = (uint32_t)strtoul(p, &end, 10);
		if (end == p)
			break;
		p = end;
	}
	if (procfs_status_u64(text, "Uid", 10, &uid) || uid >= UINT32_MAX ||
	    procfs_status_u64(text, "Gid", 10, &gid) || gid >= UINT32_MAX) {
		snprintf(err, errlen, "pid %d: cannot read its credentials", (int)pid);
		return EIO;
	}
	o->uid = (uint32_t)uid;
	o->gid = (uint32_t)gid;
	if (threads > MSG_MIG_THREADS_MAX) {
		snprintf(err, errlen, "pid %d has %u threads; at most %u migrate",
			 (int)pid, (unsigned int)threads, MSG_MIG_THREADS_MAX);
		return E2BIG;
	}
	rc = not_carried(pid, text, err, errlen);
	return rc ? rc : in_vfork(pid, err, errlen);
}

static int send_offer(struct mig_home *h)
{
	static unsigned char buf[MSG_MIG_OFFER_MAX];
	struct iovec iov = { buf, msg_encode_mig_offer(&h->offer, buf) };

	return peers_send(h->m->peers, h->peer, SSID_MSG_MIG_OFFER, &iov, 1);
}

/* Instructions of ssid's own filter, which goes on top of theirs there. */
static uint32_t own_filter_len(void)
{
	struct ssi_seccomp_opts o = {
		.allow_ioctl_cmd = { SSI_IOC_RESTORE, SSI_IOC_RESTORE_THREAD },
	};
	struct sock_fprog prog;
	uint32_t len;

	if (ssi_seccomp_build(&o, &prog))
		return BPF_MAXINSNS;	/* the most it can be */
	len = prog.len;
	ssi_seccomp_free(&prog);
	return len;
}

/* Or of the seccomp modes of its threads: 1 strict, 2 filters. */
static int thread_seccomp_mode(pid_t tid, void *arg)
{
	uint64_t *mode = arg, m = 0;
	char text[4096];

	/* /proc/TID is the thread's, though the listing shows only processes */
	if (!procfs_read(tid, "status", text, sizeof(text)) &&
	    !procfs_status_u64(text, "Seccomp", 10, &m))
		*mode |= m == 1 ? 1 : m ? 2 : 0;
	return 0;
}

/*
 * Its own seccomp filters (seccomp_carry.h): read before the freeze and
 * encoded into @blob (@len), or refused.  None: 0 and no @blob.
 */
static int read_seccomp(struct mig_home *h, uint64_t mode, unsigned char **blob, size_t *len,
			char *err, size_t errlen)
{
	struct seccomp_chain c;
	char why[200];
	int rc;

	*blob = NULL;
	*len = 0;
	/* the mode is each thread's: the leader's may not be the others' */
	procfs_each_thread(h->pid, thread_seccomp_mode, &mode);
	if (mode & 1) {
		snprintf(err, errlen, "pid %d has a thread in seccomp strict mode, which is not carried; it continues on this node",
			 (int)h->pid);
		return EOPNOTSUPP;
	}
	if (!mode)
		return 0;
	rc = seccomp_chain_read(h->pid, own_filter_len(), &c, err, errlen);
	if (rc)
		return rc;
	/* its deputy runs under them at home */
	rc = -seccomp_chain_deputy_check(&c, h->pid, why, sizeof(why));
	if (rc) {
		seccomp_chain_free(&c);
		snprintf(err, errlen, "pid %d has %s, which cannot be carried; it continues on this node",
			 (int)h->pid, why);
		return rc;
	}
	*len = seccomp_chain_encoded_len(&c);
	*blob = malloc(*len);
	if (!*blob) {
		seccomp_chain_free(&c);
		snprintf(err, errlen, "out of memory");
		return ENOMEM;
	}
	seccomp_chain_encode(&c, *blob);
	h->seccomp_n = c.n;
	log_info("pid %d: %u seccomp filter(s) of its own, %u instructions, go with it",
		 (int)h->pid, c.n, c.total);
	seccomp_chain_free(&c);
	return 0;
}

/* MIG_SECCOMP: its filters, after the offer and before the image. */
static int send_seccomp(struct mig_home *h, const unsigned char *blob, size_t len)
{
	unsigned char hdr[MSG_MIG_SECCOMP_HDR_LEN];
	struct msg_mig_seccomp m = { .id = h->id };
	struct iovec iov[2] = { { hdr, msg_encode_mig_seccomp(&m, hdr) },
				{ (void *)blob, len } };

	return peers_send(h->m->peers, h->peer, SSID_MSG_MIG_SECCOMP, iov, 2);
}

int migrate_start(struct migrate *m, pid_t pid, int idx, migrate_done_cb cb,
		  void *arg, void **handle, char *err, size_t errlen)
{
	struct mig_home *h;
	unsigned char *blob = NULL;
	size_t blob_len = 0;
	uint64_t seccomp, rss_kb = 0;
	int rc;

	if (!peers_is_up(m->peers, idx)) {
		snprintf(err, errlen, "node %s is not up", peers_node_name(m->peers, idx));
		return ENOTCONN;
	}
	if (peers_mig_refusal(m->peers, idx)) {
		snprintf(err, errlen, "node %s cannot run this node's processes: %s",
			 peers_node_name(m->peers, idx),
			 peers_mig_refusal(m->peers, idx));
		return EXDEV;
	}
	if (pid == getpid() || pid == 1) {
		snprintf(err, errlen, "pid %d cannot migrate", (int)pid);
		return EINVAL;
	}
	for (h = m->homes; h; h = h->next) {
		if (h->pid == pid) {
			snprintf(err, errlen, "pid %d is already migrated (to %s)",
				 (int)pid, peers_node_name(m->peers, h->peer));
			return EBUSY;
		}
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return ENOMEM;
	}
	h->m = m;
	h->pid = pid;
	h->peer = idx;
	h->dev = -1;
	h->pidfd = -1;
	h->back_img = -1;
	h->id = ++m->next_id;
	h->started_ms = clock_mono_ms();
	rc = read_status(pid, &h->offer, &seccomp, &rss_kb, err, errlen);
	h->expect_bytes = rss_kb * 1024;
	if (!rc)
		rc = read_seccomp(h, seccomp, &blob, &blob_len, err, errlen);
	if (rc)
		goto fail;
	/* its shared memory becomes segments the target maps copies of */
	if (m->dsm) {
		rc = -dsm_segments_export(m->dsm, pid, err, errlen);
		if (rc)
			goto fail;
	}
	h->offer.seccomp_len = (uint32_t)blob_len;
	h->offer.id = h->id;
	h->offer.pid = (uint32_t)pid;
	h->offer.tid = (uint32_t)pid;
	h->dev = ssi_dev_open(O_CLOEXEC, NULL);
	if (h->dev < 0) {
		rc = errno;
		snprintf(err, errlen, "/dev/ssi: %s (is ssi.ko loaded, API %u?)",
			 strerror(rc), SSI_API_VERSION);
		goto fail;
	}
	h->res.pid = pid;
	h->res.node = peers_node_name(m->peers, idx);
	h->offer.image_size = 0;	/* streamed: the last chunk says */
	rc = -send_offer(h);
	if (!rc && blob)
		rc = -send_seccomp(h, blob, blob_len);
	if (rc) {
		snprintf(err, errlen, "cannot send the offer to %s: %s",
			 peers_node_name(m->peers, idx), strerror(rc));
		if (blob)
			send_value(h, SSID_MSG_MIG_ABORT, 0);
		goto fail;
	}
	h->t0_ns = clock_mono_ns();
	rc = mig_stream_start(&h->st, m, idx, SSID_MSG_MIG_IMAGE, h->id, h->dev,
			      pid, stream_done, err, errlen);
	if (rc) {
		send_value(h, SSID_MSG_MIG_ABORT, 0);
		goto fail;
	}
	free(blob);
	h->state = H_SENDING;
	h->cb = cb;
	h->cb_arg = arg;
	h->asked = true;
	h->next = m->homes;
	m->homes = h;
	*handle = h;
	log_info("pid %d (%s, uid %u): dumping and streaming to %s",
		 (int)pid, h->offer.comm, h->offer.uid, peers_node_name(m->peers, idx));
	return 0;
fail:
	free(blob);
	if (h->dev >= 0)
		close(h->dev);
	free(h);
	return rc;
}

void migrate_forget(struct migrate *m, void *handle)
{
	struct mig_home *h;

	for (h = m->homes; h; h = h->next)
		if (h == handle)
			h->cb = NULL;
}

/* ---------------------------------------------------------- the deputy */

/*
 * Relay signal @sig (with its 128-byte siginfo) to the remote process, or
 * to the remote self of deputy thread @tid (0: the process's).
 */
static void send_signal(struct mig_home *h, pid_t tid, int sig, const void *siginfo)
{
	unsigned char buf[MSG_MIG_SIGNAL_LEN];
	struct msg_mig_signal s = { .id = h->id, .signo = (uint32_t)sig,
				    .tid = (uint32_t)tid };
	struct iovec iov = { buf, 0 };

	if (sig < 1 || sig > 64)
		return;
	memcpy(s.siginfo, siginfo, sizeof(s.siginfo));
	iov.iov_len = msg_encode_mig_signal(&s, buf);
	h->signals++;
	if (peers_send(h->m->peers, h->peer, SSID_MSG_MIG_SIGNAL, &iov, 1))
		log_warn("pid %d: signal %d not relayed to %s", (int)h->pid, sig,
			 peers_node_name(h->m->peers, h->peer));
}

static void relay_reply(void *arg, uint64_t seq, const void *rep, size_t len)
{
	struct mig_home *h = arg;
	unsigned char hdr[MSG_FWD_HDR_LEN];
	struct msg_fwd f = { .id = h->id, .seq = seq };
	struct iovec iov[2] = { { hdr, msg_encode_fwd(&f, hdr) }, { (void *)rep, len } };
	int rc;

	metrics_add(METRIC_FORWARDED_CALLS, 1);
	rc = peers_send(h->m->peers, h->peer, SSID_MSG_FWD_REP, iov, 2);
	if (rc)
		log_warn("pid %d: reply to %s lost: %s", (int)h->pid,
			 peers_node_name(h->m->peers, h->peer), strerror(-rc));
}

/* The deputy is gone (or must go): end this migration. */
static void deputy_gone(struct mig_home *h, const char *why)
{
	if (h->state == H_DEPUTY) {
		log_notice("pid %d: deputy ended (%s); killing its remote self on %s",
			   (int)h->pid, why, peers_node_name(h->m->peers, h->peer));
		send_value(h, SSID_MSG_MIG_ABORT, 0);
	} else {
		log_info("pid %d: deputy ended", (int)h->pid);
	}
	free_home(h);
}

static void relay_signal(void *arg, pid_t tid, int sig, const void *siginfo)
{
	siginfo_t si;

	/* tgkill/tkill/pthread_kill at home: for that thread there too */
	memcpy(&si, siginfo, sizeof(si) < MSG_MIG_SIGINFO_LEN ? sizeof(si) :
	       MSG_MIG_SIGINFO_LEN);
	send_signal(arg, si.si_code == SI_TKILL ? tid : 0, sig, siginfo);
}

static void relay_gone(void *arg, const char *why)
{
	deputy_gone(arg, why);
}

static const struct relay_home_ops relay_ops = {
	.reply = relay_reply,
	.signal = relay_signal,
	.gone = relay_gone,
};

static void on_exit_msg(struct mig_home *h, int wstatus);

/* The remote node says what the process has used there: charge the deputy. */
static void on_usage(struct mig_home *h, const struct usage_sample *total)
{
	struct usage_sample due;
	int rc;

	if (h->state == H_SENDING || h->state == H_WAIT_ACCEPT) {
		h->early_usage = *total;	/* see on_fwd_req */
		h->has_early_usage = true;
		return;
	}
	if (h->state != H_DEPUTY || !usage_due(&h->usage, total, &due))
		return;
	rc = usage_charge(h->dev, h->pid, &due);
	if (rc)
		log_warn("pid %d: charging its deputy %llu ms of CPU time used on %s: %s",
			 (int)h->pid, (unsigned long long)(due.utime_ns + due.stime_ns) / 1000000,
			 peers_node_name(h->m->peers, h->peer), strerror(-rc));
}

/*
 * Every frozen thread becomes a deputy thread with its own channel
 * (SSI_IOC_DEPUTY).  Return: 0, or an errno with the task still frozen
 * and intact (unless the ioctl failed past its point of no return).
 */
static int become_deputy(struct mig_home *h, uint64_t *areas)
{
	struct ssi_become_deputy bd = { .pid = h->pid };
	struct ssi_deputy_thread *dt;
	int (*sv)[2];
	uint32_t i, n = h->nthreads;
	int rc = 0;

	sv = calloc(n, sizeof(*sv));
	dt = calloc(n, sizeof(*dt));
	if (!sv || !dt) {
		free(sv);
		free(dt);
		return ENOMEM;
	}
	for (i = 0; i < n; i++)
		sv[i][0] = sv[i][1] = -1;
	for (i = 0; i < n && !rc; i++)
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv[i]))
			rc = errno;
	if (!rc) {
		bd.chan_fd = sv[0][1];
		for (i = 1; i < n; i++) {
			dt[i - 1].tid = h->threads[i]->relay.tid;
			dt[i - 1].chan_fd = sv[i][1];
		}
		bd.threads = (uint64_t)(uintptr_t)dt;
		bd.nr_threads = n - 1;
		if (ioctl(h->dev, SSI_IOC_DEPUTY, &bd))
			rc = errno;
	}
	for (i = 0; i < n; i++) {
		if (sv[i][1] >= 0)
			close(sv[i][1]);
		if (rc && sv[i][0] >= 0)
			close(sv[i][0]);
		h->threads[i]->relay.dep.chan = rc ? -1 : sv[i][0];	/* taken by attach */
		areas[i] = i ? dt[i - 1].area_addr : bd.area_addr;
	}
	free(sv);
	free(dt);
	return rc;
}

/*
 * Hide every live stub channel from the process: the fd numbers from the
 * lowest to the highest (the stubs put them at the top, one below the
 * other; a gap left by a thread that ended stays hidden).
 */
static void hide_channels(struct mig_home *h)
{
	long lo = LONG_MAX, hi = -1, n = 0;
	uint32_t i;

	for (i = 0; i < h->nthreads; i++) {
		const struct ssi_deputy *d = &h->threads[i]->relay.dep;

		if (d->chan < 0)
			continue;
		lo = d->stub_chan < lo ? d->stub_chan : lo;
		hi = d->stub_chan > hi ? d->stub_chan : hi;
		n++;
	}
	if (hi - lo + 1 != n)
		log_info("pid %d: its %ld stub channels are not together (fds %ld..%ld): the fds between are hidden too",
			 (int)h->pid, n, lo, hi);
	for (i = 0; i < h->nthreads; i++)
		ssi_deputy_hide(&h->threads[i]->relay.dep, lo, hi);
}

/* Wait for each stub; hide all their channels from the process. */
static int attach_relays(struct mig_home *h, const uint64_t *areas, const char **what)
{
	uint32_t i;
	int rc = 0;

	for (i = 0; i < h->nthreads; i++) {
		int chan = h->threads[i]->relay.dep.chan;
		int r;

		h->threads[i]->relay.dep.chan = -1;
		r = relay_home_attach(&h->threads[i]->relay, chan, areas[i], what);
		if (r && !rc)
			rc = r;
	}
	if (!rc)
		hide_channels(h);
	return rc;
}

/* Start what queued in each thread's relay.  Return: -1 if the deputy went. */
static int run_relays(struct mig_home *h)
{
	uint32_t i;

	for (i = 0; i < h->nthreads; i++)
		if (relay_home_run(&h->threads[i]->relay))
			return -1;
	return 0;
}

static void on_accepted(struct mig_home *h, const struct msg_mig_value *v)
{
	uint64_t *areas;
	const char *what;
	int rc;

	if (h->state != H_WAIT_ACCEPT) {
		log_warn("pid %d: %s accepted a migration not yet sent; killing it there",
			 (int)h->pid, peers_node_name(h->m->peers, h->peer));
		fail_and_resume(h, EPROTO, "the remote node accepted before the image was complete");
		return;
	}
	h->remote_pid = v->value;
	areas = calloc(h->nthreads, sizeof(*areas));
	if (!areas) {
		fail_and_resume(h, ENOMEM, "out of memory");
		return;
	}
	rc = become_deputy(h, areas);
	if (rc) {
		free(areas);
		/* still frozen and intact, unless past its point of no return */
		fail_and_resume(h, rc, "SSI_IOC_DEPUTY refused");
		return;
	}
	h->pidfd = (int)syscall(SYS_pidfd_open, h->pid, 0);
	if (h->pidfd >= 0)
		fcntl(h->pidfd, F_SETFD, FD_CLOEXEC);
	rc = attach_relays(h, areas, &what);
	free(areas);
	h->state = H_DEPUTY;
	/* what it used before it left is the deputy's already */
	if (usage_account_start(&h->usage, h->pid))
		log_warn("pid %d: its deputy's counters cannot be read", (int)h->pid);
	h->res.frozen_ns = clock_mono_ns() - h->t0_ns;
	h->res.transfer_ns = clock_mono_ns() - h->t0_ns;
	h->res.remote_pid = h->remote_pid;
	if (rc) {
		report(h, -rc, "%s: %s", what, strerror(-rc));
		deputy_gone(h, "attach failed");
		return;
	}
	log_notice("pid %d (%s, %u thread%s) migrated to %s (pid %d there): %llu bytes, frozen %llu ms",
		   (int)h->pid, h->offer.comm, h->nthreads, h->nthreads == 1 ? "" : "s",
		   peers_node_name(h->m->peers, h->peer),
		   (int)h->remote_pid, (unsigned long long)h->st.sent,
		   (unsigned long long)h->res.frozen_ns / 1000000);
	report(h, 0, "%s", "");
	if (h->has_early_usage)
		on_usage(h, &h->early_usage);
	if (run_relays(h))
		return;
	if (h->early_exit)
		on_exit_msg(h, h->early_status);
}

static void on_fwd_req(struct mig_home *h, const struct msg_fwd *f)
{
	/*
	 * Before ACCEPTED is handled (the peer may have switched between its
	 * two connections, which do not order against each other), queue:
	 * on_accepted runs the queue.  After the end, nobody waits for it.
	 */
	struct relay_home *r = relay_of(h, f->tid);

	if (h->state == H_ENDING)
		return;
	if (!r) {
		log_warn("pid %d: a call from %s for thread %u, which it does not have: refused",
			 (int)h->pid, peers_node_name(h->m->peers, h->peer), f->tid);
		relay_reply(h, f->seq, NULL, 0);
		return;
	}
	relay_home_request(r, f->seq, f->data, f->len);
	if (h->state == H_DEPUTY || h->state == H_RECALLING)
		relay_home_run(r);
}

static void on_exit_msg(struct mig_home *h, int wstatus)
{
	uint32_t i;
	int rc;

	if (h->state == H_SENDING || h->state == H_WAIT_ACCEPT) {
		h->early_exit = true;	/* see on_fwd_req */
		h->early_status = wstatus;
		return;
	}
	if (h->state == H_RECALLING) {
		report(h, ESRCH, "pid %d ended on %s before it could come back",
		       (int)h->pid, peers_node_name(h->m->peers, h->peer));
		close(h->back_img);
		h->back_img = -1;
		h->state = H_DEPUTY;
	}
	if (h->state != H_DEPUTY)
		return;
	log_info("pid %d: its remote self on %s ended (status 0x%x); ending the deputy",
		 (int)h->pid, peers_node_name(h->m->peers, h->peer), wstatus);
	/*
	 * A call still running at home (the process was killed remotely
	 * while its read of a pipe waited here) keeps the stub from seeing
	 * EXIT until it returns: cancel it first.  If it still does not
	 * return (a sleep no signal interrupts), SIGKILL the deputy after
	 * MIG_END_GRACE_MS: its parent then sees SIGKILL instead of the
	 * exact status, but nothing hangs.
	 */
	for (i = 0; i < h->nthreads; i++)
		relay_home_cancel_current(&h->threads[i]->relay);
	/* the leader's stub ends them all (exit_group) */
	rc = ssi_deputy_finish(&h->threads[0]->relay.dep, wstatus);
	h->state = H_ENDING;
	h->deadline_ms = clock_mono_ms() + MIG_END_GRACE_MS;
	if (rc)
		deputy_gone(h, "exit not delivered");
}

/* ------------------------------------------------------- coming back */

static void recall_failed(struct mig_home *h, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The process stays where it is; the deputy serves it as before. */
static void recall_failed(struct mig_home *h, int err, const char *fmt, ...)
{
	char why[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (h->back_img >= 0)
		close(h->back_img);
	h->back_img = -1;
	h->state = H_DEPUTY;
	log_notice("pid %d does not come back from %s: %s", (int)h->pid,
		   peers_node_name(h->m->peers, h->peer), why);
	report(h, err, "%s; pid %d goes on on %s", why, (int)h->pid,
	       peers_node_name(h->m->peers, h->peer));
	run_relays(h);
}

/*
 * MIG_THREADS: our threads run there (a thread made there has its deputy
 * thread now).  There they have our tids in the process's pid namespace.
 */
static void on_threads(struct mig_home *h, const struct msg_mig_threads *mt)
{
	uint32_t i;

	for (i = 0; i < mt->n; i++) {
		if (!thread_of(h, (uint32_t)mt->home[i]))
			log_warn("pid %d: %s names thread %d, which is not ours",
				 (int)h->pid, peers_node_name(h->m->peers, h->peer),
				 (int)mt->home[i]);
	}
}

/*
 * THREAD_END: that thread ended on the remote node (pthread_exit): its
 * deputy thread ends too, so the process's threads are the same at home
 * (/proc/PID/task, signals to it).  The leader's stays: a thread group
 * whose leader ended lives on until its last thread does.
 */
static void on_thread_end(struct mig_home *h, int32_t tid)
{
	struct relay_home *r = relay_of(h, (uint32_t)tid);
	int rc;

	if (!r || r == &h->threads[0]->relay || r->end_asked || h->state != H_DEPUTY)
		return;
	rc = relay_home_end_thread(r);
	if (rc)
		log_warn("pid %d: deputy thread %d does not end: %s", (int)h->pid,
			 (int)tid, strerror(-rc));
}

/*
 * Forget the deputy threads that ended as they were told (their task is
 * gone); keep the seats of those ssid started, for the next ones.
 */
static void reap_threads(struct mig_home *h)
{
	uint32_t i = 1;

	while (i < h->nthreads) {
		struct home_thread *t = h->threads[i];
		struct ssi_deputy_seat *v;

		if (!t->relay.ending || t->relay.dep.chan >= 0 ||
		    !procfs_thread_gone(h->pid, t->relay.tid)) {
			i++;
			continue;
		}
		if (t->seat.area) {
			v = realloc(h->seats, (h->nseats + 1) * sizeof(*v));
			if (v) {
				h->seats = v;
				h->seats[h->nseats++] = t->seat;
			}
		}
		relay_home_destroy(&t->relay);
		free(t);
		memmove(&h->threads[i], &h->threads[i + 1],
			(h->nthreads - i - 1) * sizeof(h->threads[0]));
		h->nthreads--;
	}
}

/* The lowest stub channel index no thread of the deputy uses. */
static uint32_t free_index(struct mig_home *h)
{
	uint32_t idx, i;

	for (idx = 0;; idx++) {
		for (i = 0; i < h->nthreads; i++)
			if ((long)h->threads[i]->relay.dep.stub_chan ==
			    h->threads[0]->relay.dep.stub_chan - (long)idx)
				break;
		if (i == h->nthreads)
			return idx;
	}
}

/*
 * SPAWN: the remote process makes a thread (clone with CLONE_THREAD) in
 * its thread @creator, which waits there until we answer.  Its deputy
 * thread starts now, cloned by the creator's idle stub, with a relay of
 * its own; SPAWNED tells its home tid, or -errno (the clone then fails
 * there with that error, as it would for lack of resources).
 */
static void on_spawn(struct mig_home *h, int32_t creator)
{
	struct home_thread *c = thread_of(h, (uint32_t)creator), *t;
	struct ssi_deputy_seat seat = { 0 };
	const char *what = "";
	int rc;

	/* recalling: the remote sends the image once this clone is over */
	if ((h->state != H_DEPUTY && h->state != H_RECALLING) || !c || c->relay.end_asked) {
		send_value(h, SSID_MSG_MIG_SPAWNED, -ESRCH);
		return;
	}
	reap_threads(h);
	if (h->nthreads >= MSG_MIG_THREADS_MAX) {
		send_value(h, SSID_MSG_MIG_SPAWNED, -EAGAIN);
		return;
	}
	if (h->nseats)
		seat = h->seats[--h->nseats];
	/* the channel of index i is the i-th below the leader's (deputy_proto.h) */
	seat.index = free_index(h);
	rc = ssi_deputy_spawn(&c->relay.dep, &seat, MIG_SPAWN_TIMEOUT_MS);
	if (rc) {
		log_warn("pid %d: no deputy thread for a new thread of %d on %s: %s",
			 (int)h->pid, (int)creator, peers_node_name(h->m->peers, h->peer),
			 strerror(-rc));
		if (seat.area)
			h->seats[h->nseats++] = seat;	/* its slot is still there */
		send_value(h, SSID_MSG_MIG_SPAWNED, rc == -EBUSY ? -EAGAIN : rc);
		return;
	}
	t = add_thread(h, seat.tid);
	if (!t) {
		close(seat.chan);	/* its stub sees EOF and ends the deputy: as ENOMEM */
		deputy_gone(h, "out of memory for a new thread");
		return;
	}
	t->seat = seat;
	rc = relay_home_attach(&t->relay, seat.chan, seat.area, &what);
	if (rc) {
		log_warn("pid %d: new deputy thread %d: %s: %s", (int)h->pid, (int)seat.tid,
			 what, strerror(-rc));
		deputy_gone(h, "a new deputy thread did not start");
		return;
	}
	hide_channels(h);
	log_info("pid %d: thread %d made a thread on %s: deputy thread %d", (int)h->pid,
		 (int)creator, peers_node_name(h->m->peers, h->peer), (int)seat.tid);
	send_value(h, SSID_MSG_MIG_SPAWNED, seat.tid);
}

/*
 * The image coming back names its threads (@tids, @n, the leader first)
 * by the tids they have in their pid namespace there: ours (the leader
 * by its pid there, as the dump was asked).  Fill @rt with the deputy thread each becomes and
 * mark those in @named.  Return: 0, or EPROTO for a thread that is not one
 * of ours, or one named twice.
 */
static int name_return_threads(struct mig_home *h, const int32_t *tids, uint32_t n,
			       struct ssi_return_thread *rt, bool *named)
{
	uint32_t i, j;

	if (tids[0] != h->remote_pid)
		return EPROTO;
	named[0] = true;
	for (i = 1; i < n; i++) {
		for (j = 1; j < h->nthreads; j++)
			/* a tid given again here: the live one */
			if (h->threads[j]->relay.tid == tids[i] && !h->threads[j]->relay.end_asked)
				break;
		if (j == h->nthreads || named[j])
			return EPROTO;
		named[j] = true;
		rt[i - 1].tid = h->threads[j]->relay.tid;
		rt[i - 1].close_fd = (int)h->threads[j]->relay.dep.stub_chan;
	}
	return 0;
}

/*
 * Deputy threads whose remote thread ended (they are not in the image)
 * end now, before the freeze: SSI_IOC_RETURN wants exactly the image's.
 */
static int end_unnamed_threads(struct mig_home *h, const bool *named)
{
	uint32_t i;
	int tries;

	for (i = 1; i < h->nthreads; i++) {
		pid_t tid = h->threads[i]->relay.tid;

		if (named[i])
			continue;
		if (!h->threads[i]->relay.ending && relay_home_end_thread(&h->threads[i]->relay))
			return EBUSY;
		for (tries = 0; tries < 200 && !procfs_thread_gone(h->pid, tid); tries++)
			usleep(10000);
		if (!procfs_thread_gone(h->pid, tid))
			return ETIMEDOUT;
		log_info("pid %d: deputy thread %d ended, as its thread on %s had",
			 (int)h->pid, (int)h->threads[i]->relay.tid,
			 peers_node_name(h->m->peers, h->peer));
	}
	return 0;
}

/*
 * The image's POSIX timers, made in the deputy for SSI_IOC_RETURN (its
 * stub is idle: see back_home()).  Return: 0, or an errno once the recall
 * has been failed.
 */
static int make_home_timers(struct mig_home *h)
{
	struct ssi_img_posix_timer *p;
	char why[160] = "";
	int n, rc;

	n = image_timers_read(h->back_img, &p);
	rc = n < 0 ? -n : -ssi_deputy_make_timers(&h->threads[0]->relay.dep, h->dev, p,
						    (uint32_t)n, 5000, why, sizeof(why));
	free(p);
	if (rc) {
		send_value(h, SSID_MSG_MIG_BACK_DONE, rc);
		recall_failed(h, rc, "its POSIX timers cannot be made here: %s",
			      why[0] ? why : strerror(rc));
	}
	return rc;
}

/* The whole image is here: the deputy becomes the process again. */
static uint64_t *carriers_of(const struct ssi_return *r)
{
	return (uint64_t *)(uintptr_t)r->mpol_carriers;
}

/*
 * The NUMA policies of the image's mappings, each on a page of ssid's for
 * SSI_IOC_RETURN to move into the deputy (mpol_make.h).  Return: 0, or
 * an errno after the recall is reported failed.
 */
static int make_carriers(struct mig_home *h, struct ssi_return *r)
{
	uint64_t *addrs;
	char why[160];
	int k;

	k = mpol_carriers_of_image(h->back_img, &addrs, why, sizeof(why));
	if (k < 0) {
		send_value(h, SSID_MSG_MIG_BACK_DONE, -k);
		recall_failed(h, -k, "its mappings' NUMA policies cannot be made here: %s", why);
		return -k;
	}
	r->mpol_carriers = (uint64_t)(uintptr_t)addrs;
	r->nr_mpol_carriers = (uint32_t)k;
	return 0;
}

static void back_home(struct mig_home *h)
{
	struct ssi_dump fz = { .pid = h->pid, .out_fd = -1,
			       .flags = SSI_DUMP_FREEZE_ONLY | SSI_DUMP_THREADS,
			       .timeout_ms = 5000 };
	struct ssi_return r = { .pid = h->pid, .in_fd = h->back_img,
				.close_fd = (int)h->threads[0]->relay.dep.stub_chan };
	static struct ssi_return_thread rt[MSG_MIG_THREADS_MAX];
	static int32_t tids[MSG_MIG_THREADS_MAX];
	static int32_t file_fds[SSI_IMG_MAX_FILES];
	static bool named[MSG_MIG_THREADS_MAX];
	struct ssi_resume rs = { .pid = h->pid };
	struct migrate_result res;
	migrate_done_cb cb;
	void *cb_arg;
	int rc, n;

	n = image_threads_read(h->back_img, tids, MSG_MIG_THREADS_MAX);
	memset(named, 0, sizeof(named));
	rc = n < 0 ? -n : name_return_threads(h, tids, (uint32_t)n, rt, named);
	if (rc) {
		send_value(h, SSID_MSG_MIG_BACK_DONE, rc);
		recall_failed(h, rc, "its image names threads it does not have here");
		return;
	}
	rc = end_unnamed_threads(h, named);
	if (rc) {
		send_value(h, SSID_MSG_MIG_BACK_DONE, rc);
		recall_failed(h, rc, "a deputy thread of a thread gone there does not end: %s",
			      strerror(rc));
		return;
	}
	rc = make_home_timers(h);
	if (rc)
		return;
	r.threads = (uint64_t)(uintptr_t)rt;
	r.nr_threads = (uint32_t)n - 1;
	/* files it maps there from copies: the originals it left with */
	n = file_serve_originals(&h->files, h->back_img, file_fds, h->m->dsm);
	if (n < 0) {
		send_value(h, SSID_MSG_MIG_BACK_DONE, -n);
		recall_failed(h, -n, "its image's mapped files or shared memory cannot be given "
			      "back here: %s", strerror(-n));
		return;
	}
	r.file_fds = (uint64_t)(uintptr_t)file_fds;
	r.nr_file_fds = (uint32_t)n;
	rc = make_carriers(h, &r);
	if (rc)
		return;
	/* No call runs in a stub: the remote sent its image only after
	 * every call it forwarded was answered. */
	if (ioctl(h->dev, SSI_IOC_DUMP, &fz)) {
		rc = errno;
		mpol_carriers_free(carriers_of(&r), r.nr_mpol_carriers);
		send_value(h, SSID_MSG_MIG_BACK_DONE, rc);
		recall_failed(h, rc, "its deputy cannot be frozen: %s (%s)",
			      strerror(rc), fz.detail);
		return;
	}
	rc = lseek(h->back_img, 0, SEEK_SET) || ioctl(h->dev, SSI_IOC_RETURN, &r) ? errno : 0;
	mpol_carriers_free(carriers_of(&r), r.nr_mpol_carriers);
	if (rc) {
		if (ioctl(h->dev, SSI_IOC_RESUME, &rs)) {
			/* killed past the point of no return: nothing to go on */
			send_value(h, SSID_MSG_MIG_ABORT, 0);
			report(h, rc, "pid %d died coming back: %s (%s: %s)", (int)h->pid,
			       strerror(rc), mig_reason_name(r.reason), r.detail);
			free_home(h);
			return;
		}
		send_value(h, SSID_MSG_MIG_BACK_DONE, rc);
		recall_failed(h, rc, "this node refused its image: %s (%s: %s)",
			      strerror(rc), mig_reason_name(r.reason), r.detail);
		return;
	}
	send_value(h, SSID_MSG_MIG_BACK_DONE, 0);
	h->res.bytes = h->back_recv;
	h->res.home = true;
	h->res.remote_pid = h->pid;
	h->res.node = peers_node_name(h->m->peers, peers_self(h->m->peers));
	h->res.frozen_ns = h->res.transfer_ns = clock_mono_ns() - h->recall_ns;
	h->res.dump_ns = 0;
	h->res.pages = h->res.vmas = 0;
	log_notice("pid %d (%s) is back from %s: %llu bytes, %llu ms after the recall",
		   (int)h->pid, h->offer.comm, peers_node_name(h->m->peers, h->peer),
		   (unsigned long long)h->back_recv,
		   (unsigned long long)h->res.frozen_ns / 1000000);
	if (!h->asked)
		metrics_add(METRIC_PULLED_HOME, 1);
	count_asked(h, 0);
	/* Forgotten before the requester hears of it: it may move it again. */
	cb = h->cb;
	cb_arg = h->cb_arg;
	res = h->res;
	h->cb = NULL;
	free_home(h);		/* the channel is closed in the process */
	if (cb)
		cb(cb_arg, &res);
}

static void on_back(struct mig_home *h, const struct msg_mig_image *mi,
		    const struct ssi_tp_msg *msg)
{
	size_t len = msg->bulk ? msg->bulk_len : 0;
	int rc;

	if (mi->offset != h->back_recv || len > MSG_MIG_IMAGE_MAX - h->back_recv) {
		send_value(h, SSID_MSG_MIG_BACK_DONE, EPROTO);
		recall_failed(h, EPROTO, "its image came out of order");
		return;
	}
	rc = mig_image_store(h->back_img, h->back_recv, msg->bulk, len);
	if (rc) {
		send_value(h, SSID_MSG_MIG_BACK_DONE, rc);
		recall_failed(h, rc, "storing its image: %s", strerror(rc));
		return;
	}
	h->back_recv += len;
	if (mi->flags & MSG_MIG_IMAGE_LAST)
		back_home(h);
}

/* Ready for the image coming home: H_RECALLING.  Returns 0 or an errno. */
static int recall_begin(struct mig_home *h)
{
	h->back_img = memfd_create("ssi-image-back", MFD_CLOEXEC);
	if (h->back_img < 0)
		return errno;
	h->back_recv = 0;
	memset(&h->res, 0, sizeof(h->res));
	h->res.pid = h->pid;
	h->recall_ns = clock_mono_ns();
	h->deadline_ms = clock_mono_ms() + MIG_RECALL_TIMEOUT_MS;
	h->state = H_RECALLING;
	return 0;
}

int migrate_recall(struct migrate *m, pid_t pid, migrate_done_cb cb, void *arg,
		   void **handle, char *err, size_t errlen)
{
	struct mig_home *h;
	int rc;

	for (h = m->homes; h; h = h->next)
		if (h->pid == pid)
			break;
	if (!h) {
		snprintf(err, errlen, "pid %d has not migrated: it runs on this node", (int)pid);
		return ESRCH;
	}
	if (h->state != H_DEPUTY || h->cb) {
		snprintf(err, errlen, "pid %d is %s, not running on %s", (int)pid,
			 state_names[h->state], peers_node_name(m->peers, h->peer));
		return EBUSY;
	}
	rc = recall_begin(h);
	if (rc) {
		snprintf(err, errlen, "memfd_create: %s", strerror(rc));
		return rc;
	}
	send_value(h, SSID_MSG_MIG_RECALL, 0);
	h->cb = cb;
	h->cb_arg = arg;
	h->asked = true;
	h->asked_back = true;
	*handle = h;
	log_info("pid %d (%s): calling it back from %s", (int)pid, h->offer.comm,
		 peers_node_name(m->peers, h->peer));
	return 0;
}

/*
 * A message of a migration this node does not have (it failed here, and
 * the abort that said so was lost, or ssid restarted): whatever runs or
 * restores there for it is nobody's, so tell that node to end it.
 */
static void abort_unknown(struct migrate *m, int idx, uint64_t id, uint16_t type)
{
	log_notice("%s sent message 0x%04x of migration %llu, which this node does "
		   "not have: aborting it there", peers_node_name(m->peers, idx), type,
		   (unsigned long long)id);
	mig_send_value(m, idx, id, SSID_MSG_MIG_ABORT, 0);
}

void mig_home_msg(struct migrate *m, int idx, const struct ssi_tp_msg *msg)
{
	const char *node = peers_node_name(m->peers, idx);
	struct msg_mig_failed fm;
	struct msg_mig_image mi;
	struct msg_mig_value v;
	struct msg_mig_usage mu;
	static struct msg_mig_threads mt;
	static struct msg_mig_proc_fds mp;
	struct msg_mig_file_req fr;
	struct msg_fwd f;
	struct mig_home *h;

	switch (msg->type) {
	case SSID_MSG_MIG_ACCEPTED:
		if (msg_decode_mig_value(msg->data, msg->len, &v))
			goto bad;
		h = find(m, idx, v.id);
		if (!h)
			abort_unknown(m, idx, v.id, msg->type);
		else if (h->state != H_DEPUTY)
			on_accepted(h, &v);
		return;
	case SSID_MSG_MIG_FAILED:
		if (msg_decode_mig_failed(msg->data, msg->len, &fm))
			goto bad;
		h = find(m, idx, fm.id);
		if (!h)
			return;
		if (h->state == H_SENDING || h->state == H_WAIT_ACCEPT) {
			char why[320];

			snprintf(why, sizeof(why), "%s refused it: %s%s%s%s", node,
				 fm.err ? strerror(fm.err) : "",
				 fm.reason ? " (" : "", fm.reason ? mig_reason_name(fm.reason) : "",
				 fm.reason ? ")" : "");
			if (fm.detail[0]) {
				size_t n = strlen(why);

				snprintf(why + n, sizeof(why) - n, ": %s", fm.detail);
			}
			fail_and_resume(h, fm.err ? fm.err : EIO, why);
		}
		return;
	case SSID_MSG_FWD_REQ:
	case SSID_MSG_FWD_CANCEL:
		if (msg_decode_fwd(msg->data, msg->len, &f))
			goto bad;
		h = find(m, idx, f.id);
		if (!h && msg->type == SSID_MSG_FWD_REQ)
			abort_unknown(m, idx, f.id, msg->type);
		else if (h && msg->type == SSID_MSG_FWD_REQ)
			on_fwd_req(h, &f);
		else if (h && relay_of(h, f.tid))
			relay_home_cancel(relay_of(h, f.tid), f.seq);
		return;
	case SSID_MSG_MIG_PROC_POS:
		if (msg_decode_mig_proc_fds(msg->data, msg->len, &mp))
			goto bad;
		h = find(m, idx, mp.id);
		if (h)
			on_proc_pos(h, &mp);
		else
			abort_unknown(m, idx, mp.id, msg->type);
		return;
	case SSID_MSG_MIG_FILE_REQ:
		if (msg_decode_mig_file_req(msg->data, msg->len, &fr))
			goto bad;
		h = find(m, idx, fr.id);
		if (h)
			on_file_req(h, &fr);
		else
			abort_unknown(m, idx, fr.id, msg->type);
		return;
	case SSID_MSG_MIG_THREADS:
		if (msg_decode_mig_threads(msg->data, msg->len, &mt))
			goto bad;
		h = find(m, idx, mt.id);
		if (h)
			on_threads(h, &mt);
		else
			abort_unknown(m, idx, mt.id, msg->type);
		return;
	case SSID_MSG_MIG_THREAD_END:
	case SSID_MSG_MIG_SPAWN:
		if (msg_decode_mig_value(msg->data, msg->len, &v) || v.value <= 0)
			goto bad;
		h = find(m, idx, v.id);
		if (!h && msg->type == SSID_MSG_MIG_SPAWN)
			abort_unknown(m, idx, v.id, msg->type);
		else if (h && msg->type == SSID_MSG_MIG_THREAD_END)
			on_thread_end(h, v.value);
		else if (h)
			on_spawn(h, v.value);
		return;
	case SSID_MSG_MIG_USAGE:
		if (msg_decode_mig_usage(msg->data, msg->len, &mu))
			goto bad;
		h = find(m, idx, mu.id);
		if (h) {	/* else it came home, or ended: nothing to charge */
			struct usage_sample s = {
				mu.utime_ns, mu.stime_ns, mu.maxrss_kb,
				{ mu.anon_kb, mu.file_kb, mu.shmem_kb, mu.swap_kb,
				  mu.vm_kb, mu.vm_peak_kb },
			};

			on_usage(h, &s);
		}
		return;
	case SSID_MSG_MIG_EXIT:
		if (msg_decode_mig_exit(msg->data, msg->len, &v))
			goto bad;
		h = find(m, idx, v.id);
		if (h)
			on_exit_msg(h, v.value);
		return;
	case SSID_MSG_MIG_BACK:
		if (msg_decode_mig_image(msg->data, msg->len, &mi))
			goto bad;
		h = find(m, idx, mi.id);
		if (!h && mi.offset == 0)
			abort_unknown(m, idx, mi.id, msg->type);
		if (h && h->state == H_DEPUTY && mi.offset == 0) {
			/* it made a call only home can run (pull-home) */
			int rc = recall_begin(h);

			log_info("pid %d comes home from %s for a call only home runs",
				 (int)h->pid, node);
			if (rc) {
				send_value(h, SSID_MSG_MIG_BACK_DONE, rc);
				return;
			}
		}
		if (h && h->state == H_RECALLING)
			on_back(h, &mi, msg);
		return;
	case SSID_MSG_MIG_BACK_FAILED:
		if (msg_decode_mig_failed(msg->data, msg->len, &fm))
			goto bad;
		h = find(m, idx, fm.id);
		if (h && h->state == H_RECALLING)
			recall_failed(h, fm.err ? fm.err : EIO, "%s did not send it: %s%s%s",
				      node, fm.err ? strerror(fm.err) : "",
				      fm.detail[0] ? ": " : "", fm.detail);
		return;
	}
	return;
bad:
	log_warn("node %s sent an invalid message 0x%04x (%zu bytes): ignored",
		 node, msg->type, msg->len);
}

void mig_home_lost(struct migrate *m, int idx)
{
	struct mig_home *h, *next;

	for (h = m->homes; h; h = next) {
		next = h->next;
		if (h->peer != idx)
			continue;
		if (h->state == H_SENDING || h->state == H_WAIT_ACCEPT) {
			fail_and_resume(h, ECONNRESET, "the node was lost");
		} else {
			/* closing the channel: the stub dies of SIGKILL */
			log_notice("pid %d: node %s lost; its deputy ends as if killed",
				   (int)h->pid, peers_node_name(m->peers, idx));
			free_home(h);
		}
	}
}

/*
 * SIGSTOP cannot be caught, so the stub cannot report it (Slurm's
 * suspend sends it): look at the deputy's state now and then, and stop
 * the remote process too.  SIGCONT is caught and relayed by the stub.
 */
static void check_stopped(struct mig_home *h, uint64_t now)
{
	char buf[512], state;

	h->next_stop_check_ms = now + MIG_STOP_POLL_MS;
	if (procfs_read(h->pid, "stat", buf, sizeof(buf)))
		return;
	state = procfs_stat_state(buf);
	if (state == 'T' && !h->stopped) {
		unsigned char info[MSG_MIG_SIGINFO_LEN] = { 0 };

		h->stopped = true;
		log_info("pid %d: its deputy is stopped; stopping its remote self", (int)h->pid);
		send_signal(h, 0, SIGSTOP, info);
	} else if (state && state != 'T' && state != 't') {
		h->stopped = false;
	}
}

uint64_t mig_home_timer(struct migrate *m, uint64_t now)
{
	struct mig_home *h, *next;
	uint64_t d = LOOP_NEVER, relay_wake;
	uint32_t i;

	for (h = m->homes; h; h = next) {
		next = h->next;
		for (i = 0; i < h->nthreads; i++) {
			relay_wake = relay_home_timer(&h->threads[i]->relay, now);
			if (relay_wake < d)
				d = relay_wake;
		}
		if (h->state == H_DEPUTY) {
			if (now >= h->next_stop_check_ms)
				check_stopped(h, now);
			if (h->next_stop_check_ms < d)
				d = h->next_stop_check_ms;
			continue;
		}
		if (h->state == H_RECALLING) {
			if (now < h->deadline_ms) {
				d = h->deadline_ms < d ? h->deadline_ms : d;
			} else {
				send_value(h, SSID_MSG_MIG_BACK_DONE, ETIMEDOUT);
				recall_failed(h, ETIMEDOUT, "its image did not arrive in %d s",
					      MIG_RECALL_TIMEOUT_MS / 1000);
			}
			continue;
		}
		if (h->state != H_WAIT_ACCEPT && h->state != H_ENDING)
			continue;
		if (now < h->deadline_ms) {
			if (h->deadline_ms < d)
				d = h->deadline_ms;
			continue;
		}
		if (h->state == H_WAIT_ACCEPT) {
			fail_and_resume(h, ETIMEDOUT, "no answer from the node");
			continue;
		}
		log_warn("pid %d: its deputy is still in a forwarded call %d ms after the remote exit; killing it",
			 (int)h->pid, MIG_END_GRACE_MS);
		if (h->pidfd >= 0)
			syscall(SYS_pidfd_send_signal, h->pidfd, SIGKILL, NULL, 0);
		h->deadline_ms = LOOP_NEVER;
	}
	return d;
}

void mig_home_destroy_all(struct migrate *m)
{
	while (m->homes) {
		struct mig_home *h = m->homes;

		if (h->state == H_SENDING || h->state == H_WAIT_ACCEPT)
			fail_and_resume(h, ESHUTDOWN, "ssid is stopping");
		else
			free_home(h);
	}
}

size_t mig_home_procs(struct migrate *m, struct migrate_proc *out, size_t max,
		      size_t n)
{
	struct mig_home *h;
	uint64_t now = clock_mono_ms();
	uint32_t i;

	for (h = m->homes; h; h = h->next, n++) {
		struct migrate_proc *p = &out[n];

		if (n >= max)
			continue;
		memset(p, 0, sizeof(*p));
		p->pid = h->pid;
		p->local_pid = h->pid;
		p->uid = h->offer.uid;
		snprintf(p->comm, sizeof(p->comm), "%s", h->offer.comm);
		p->home = peers_node_name(m->peers, peers_self(m->peers));
		p->where = peers_node_name(m->peers, h->peer);
		p->state = state_names[h->state];
		for (i = 0; i < h->nthreads; i++) {
			p->forwarded += h->threads[i]->relay.forwarded;
			p->bytes += h->threads[i]->relay.bytes;
		}
		p->signals = h->signals;
		p->age_ms = now - h->started_ms;
		p->cpu_ms = p->rss_kb = p->runnable = -1;	/* the remote node knows */
		p->image_bytes = p->image_expected = -1;
		if (h->state == H_SENDING || h->state == H_WAIT_ACCEPT) {
			p->image_bytes = (int64_t)h->st.sent;
			/* all sent: its real size; before, its memory's */
			p->image_expected = (int64_t)(h->state == H_WAIT_ACCEPT ?
						      h->st.sent : h->expect_bytes);
		} else if (h->state == H_RECALLING) {
			p->image_bytes = (int64_t)h->back_recv;
		}
		for (i = 0; i < h->nthreads; i++)
			p->threads += !h->threads[i]->relay.ending;
	}
	return n;
}

bool migrate_busy(struct migrate *m)
{
	struct mig_home *h;

	for (h = m->homes; h; h = h->next)
		if (h->state != H_DEPUTY && h->state != H_ENDING)
			return true;
	return false;
}

uint64_t migrate_memory_kb(struct migrate *m, pid_t pid)
{
	struct mig_home *h;

	for (h = m->homes; h; h = h->next)
		if (h->pid == pid)
			return h->expect_bytes / 1024 > h->usage.charged.maxrss_kb ?
			       h->expect_bytes / 1024 : h->usage.charged.maxrss_kb;
	return 0;
}

const char *migrate_where(struct migrate *m, pid_t pid, const char **state)
{
	struct mig_home *h;

	for (h = m->homes; h; h = h->next) {
		if (h->pid == pid) {
			*state = state_names[h->state];
			return peers_node_name(m->peers, h->peer);
		}
	}
	return NULL;
}
