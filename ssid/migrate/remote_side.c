// SPDX-License-Identifier: GPL-2.0
/*
 * remote_side.c - the remote side of a migration (see migrate.h):
 *
 *   OFFER + IMAGE: the image lands in a memfd;
 *   complete: a pid namespace for the process (guest_pidns.h), then
 *     fork+exec ssi-restore-helper (restore_helper.c) into it, with the
 *     home pid there and the job user's credentials; its "OK" (image
 *     verified here, threads made with their home tids) is answered
 *     home with ACCEPTED, an "ERR" or its death with FAILED;
 *   running: its seccomp listener (fd 0 of the helper, taken with
 *     pidfd_getfd) goes to the relay (forward/relay_remote.h), which
 *     answers cached calls, sends forwarded ones home as FWD_REQ (answered
 *     on FWD_REP, cancelled with FWD_CANCEL when a signal would have
 *     interrupted them), and hands back pull-home ones: those send the
 *     process home (as RECALL does, below), where the call runs natively;
 *   exit: the pidfd becomes readable, waitid gives the exact status, which
 *     goes home as MIG_EXIT.
 *
 * RECALL (`ssictl migrate PID home` on the home node): new calls are held
 *   (the listener is paused), calls in flight finish, then the process is
 *   dumped and streamed home as BACK chunks (image_stream.c) and stays
 *   frozen; BACK_DONE 0 (it runs at home now) kills it here without an
 *   exit report, anything else resumes it.  A held call (not received) is
 *   interrupted by the freeze and restarts at home, natively; a call in
 *   flight is cancelled at home and made again, so it is held too.
 *
 * Home node lost (or ABORT): the process is killed and reaped.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "kmod/tools/ssi_dev_open.h"
#include "transport/ssi_transport.h"

#include "forward/relay_remote.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/procfs.h"
#include "daemon/loop.h"
#include "migrate/admission.h"
#include "migrate/file_fetch.h"
#include "migrate/guest_pidns.h"
#include "migrate/image_stream.h"
#include "migrate/image_peek.h"
#include "common/libexec.h"
#include "migrate/migrate_int.h"
#include "migrate/parent_standin.h"
#include "migrate/seccomp_carry.h"
#include "migrate/usage.h"
#include "cluster/peer_msg.h"
#include "cluster/peers.h"
#include "forward/syscall_policy.h"

#ifndef P_PIDFD
#define P_PIDFD		3
#endif
#define HELPER_NAME	"ssi-restore-helper"

enum remote_state {
	R_RECEIVING,		/* image arriving */
	R_VERIFYING,		/* helper checking the image */
	R_RUNNING,		/* restored (or restoring), served */
	R_DEAD,			/* exited; being cleaned up */
};

static const char *const state_names[] = {
	[R_RECEIVING] = "receiving", [R_VERIFYING] = "restoring",
	[R_RUNNING] = "running", [R_DEAD] = "exited",
};

struct mig_remote {
	struct mig_remote *next;
	struct migrate *m;
	int peer;
	struct msg_mig_offer offer;
	enum remote_state state;
	bool aborted;			/* home gave up: report nothing */
	int img;
	uint64_t received;
	pid_t pid;
	struct guest_pidns ns;		/* where its ids are its home ones */
	struct standin standin;		/* its parent there, with home's id */
	struct loop_handler pidfd_h;	/* -1 when none */
	struct loop_handler report_h;
	char report[512];		/* lines: "FETCH ...", "WAIT", "OK", "ERR ..." */
	size_t report_len;
	struct file_fetch files;	/* copies of files only home has */
	uint32_t nthreads;		/* of the image */
	uint32_t home_tids[MSG_MIG_THREADS_MAX]; /* at home, in image order */
	uint64_t thread_poll_ms;		/* next look for ended threads */
	uint64_t usage_ms;		/* next usage report home (usage.h) */
	struct usage_sample usage_sent;
	struct relay_remote relay;	/* its calls (forward/relay_remote.h) */
	uint64_t steal_deadline_ms, steal_next_ms;
	uint64_t pull_home, signals;
	uint64_t started_ms;
	uint64_t heard_ms;		/* R_RECEIVING: the last of its image */
	uint64_t avail_kb;		/* MemAvailable here when it was offered */
	uint64_t home_mono_ns, home_boot_ns;	/* its clocks when it froze */
	unsigned char *seccomp;		/* its own filters (MIG_SECCOMP), checked */
	size_t seccomp_len;
	bool restored;			/* seen running as the image */
	uint64_t warned[(SSI_SC_MAX + 64) / 64];	/* pull-home logged */

	/* going back home (RECALL, or a call only home can run) */
	bool recalling;			/* calls are held */
	bool pulled;			/* by the call held_id, not by home */
	bool held_released;		/* held_id answered with a restart */
	bool pull_failed;		/* then pull-home calls get ENOSYS */
	uint64_t held_id;		/* that call's notification */
	pid_t held_tid;			/* and its thread */
	bool back_sent;			/* image home, frozen: BACK_DONE? */
	uint64_t recall_deadline_ms;	/* for calls in flight to finish */
	int dev;			/* /dev/ssi that froze it, or -1 */
	struct mig_stream st;
};

static struct mig_remote *find(struct migrate *m, int idx, uint64_t id)
{
	struct mig_remote *g;

	for (g = m->guests; g; g = g->next)
		if (g->offer.id == id && g->peer == idx)
			return g;
	return NULL;
}

static const char *home_name(struct mig_remote *g)
{
	return peers_node_name(g->m->peers, g->peer);
}

static void unwatch(struct mig_remote *g, struct loop_handler *lh)
{
	if (lh->fd < 0)
		return;
	loop_del(g->m->loop, lh);
	close(lh->fd);
	lh->fd = -1;
}

static void free_guest(struct mig_remote *g)
{
	struct mig_remote **pp;

	for (pp = &g->m->guests; *pp; pp = &(*pp)->next) {
		if (*pp == g) {
			*pp = g->next;
			break;
		}
	}
	if (g->pidfd_h.fd >= 0) {
		/* still alive: a guest never outlives its record */
		syscall(SYS_pidfd_send_signal, g->pidfd_h.fd, SIGKILL, NULL, 0);
		if (!g->standin.pid)
			waitpid(g->pid, NULL, 0);
	}
	standin_end(&g->standin);	/* it reaps the guest */
	unwatch(g, &g->pidfd_h);
	unwatch(g, &g->report_h);
	guest_pidns_close(&g->ns);
	relay_remote_destroy(&g->relay);
	mig_stream_stop(&g->st);
	if (g->dev >= 0)
		close(g->dev);
	if (g->img >= 0)
		close(g->img);
	file_fetch_free(&g->files);
	free(g->seccomp);
	free(g);
}

/* A FAILED-shaped message: MIG_FAILED or MIG_BACK_FAILED. */
static void send_refusal(struct mig_remote *g, uint16_t type, unsigned int reason,
			 int err, const char *detail)
{
	unsigned char buf[MSG_MIG_FAILED_MAX];
	struct msg_mig_failed f = { .id = g->offer.id, .reason = reason, .err = err };
	struct iovec iov = { buf, 0 };

	snprintf(f.detail, sizeof(f.detail), "%s", detail);
	iov.iov_len = msg_encode_mig_failed(&f, buf);
	peers_send(g->m->peers, g->peer, type, &iov, 1);
}

static void send_failed(struct mig_remote *g, unsigned int reason, int err,
			const char *detail)
{
	metrics_add(METRIC_GUEST_REFUSED, 1);
	send_refusal(g, SSID_MSG_MIG_FAILED, reason, err, detail);
	log_notice("migration of pid %d from %s refused: %s%s%s", (int)g->offer.pid,
		   home_name(g), err ? strerror(err) : "", detail[0] ? ": " : "", detail);
}

static void send_value(struct mig_remote *g, uint16_t type, int32_t value)
{
	int rc = mig_send_value(g->m, g->peer, g->offer.id, type, value);

	if (rc)
		log_warn("pid %d: message 0x%04x to %s lost: %s", (int)g->offer.pid,
			 type, home_name(g), strerror(-rc));
}

/* ------------------------------------------------------ going home */

/*
 * Accepted means verified; the restore itself follows.  The restore
 * ioctl gives the task the image's name past its point of no return, so
 * a task that no longer has the helper's name is the image (a freeze lands
 * once that ioctl returned).  Until then, a dump would take the helper.
 */
static bool is_restored(struct mig_remote *g)
{
	char comm[32];

	if (g->restored || g->relay.called)
		return true;
	if (g->state != R_RUNNING)
		return false;
	procfs_read(g->pid, "comm", comm, sizeof(comm));
	comm[strcspn(comm, "\n")] = '\0';
	if (!comm[0] || !strcmp(comm, "ssi-restore-hel"))
		return false;
	g->restored = true;
	return true;
}

/* The recall did not happen: the process goes on here, as it was. */
static void recall_refuse(struct mig_remote *g, int err, const char *why)
{
	mig_stream_stop(&g->st);
	if (g->dev >= 0)
		close(g->dev);		/* resumes it if it is frozen */
	g->dev = -1;
	g->recalling = g->relay.going_home = false;
	g->back_sent = false;
	if (g->pulled) {
		/* its call fails now (if the freeze interrupted it, it comes
		 * again and fails then), and so will the next ones */
		g->pulled = false;
		g->pull_failed = true;
		if (!g->held_released)
			relay_remote_answer(&g->relay, g->held_id, -ENOSYS);
		g->held_released = false;
	}
	send_refusal(g, SSID_MSG_MIG_BACK_FAILED, 0, err, why);
	log_notice("pid %d: not sent back to %s: %s; it goes on here",
		   (int)g->offer.pid, home_name(g), why);
	relay_remote_resume(&g->relay);
}

static void back_stream_done(struct mig_stream *s, int err, const char *why)
{
	struct mig_remote *g = (struct mig_remote *)((char *)s -
						     offsetof(struct mig_remote, st));

	if (err) {
		recall_refuse(g, err, why);
		return;
	}
	g->back_sent = true;
	log_info("pid %d: %llu bytes sent back to %s, frozen until it answers",
		 (int)g->offer.pid, (unsigned long long)s->sent, home_name(g));
}

/*
 * Its fds of /proc entries served here: home's take their offsets.  Sent
 * once the process is frozen (the first image bytes: back_frozen()): a
 * read served here that the relay let go before it paused moves an
 * offset until then.  Ahead of the image on the same connection, so home
 * has them before it takes the process back.
 */
static void send_proc_pos(struct mig_remote *g)
{
	static struct msg_mig_proc_fds m;
	static unsigned char buf[MSG_MIG_PROC_FDS_MAX_LEN];
	struct iovec iov = { buf, 0 };

	m.id = g->offer.id;
	m.n = 0;
	relay_remote_proc_held(&g->relay, msg_mig_proc_fds_add, &m);
	if (!m.n)
		return;
	iov.iov_len = msg_encode_mig_proc_fds(&m, buf);
	if (peers_send(g->m->peers, g->peer, SSID_MSG_MIG_PROC_POS, &iov, 1))
		log_warn("pid %d: its /proc fds keep home's offsets", (int)g->offer.pid);
}

/*
 * Home's list of its fds served here (its /proc entries, its signalfds):
 * made at its next call, which waited for the list.
 */
static void on_proc_fds(struct mig_remote *g, const struct msg_mig_proc_fds *mp)
{
	uint32_t i;

	for (i = 0; i < mp->n; i++)
		if (relay_remote_keep_proc(&g->relay, mp->fd[i].fd, (int)mp->fd[i].flags,
					   mp->fd[i].pos,
					   mp->fd[i].has_seq ? &mp->fd[i].seq : NULL,
					   mp->fd[i].path))
			log_warn("pid %d: fd %d (%s) stays served at home",
				 (int)g->offer.pid, mp->fd[i].fd, mp->fd[i].path);
	relay_remote_fds_known(&g->relay);
}

static void back_frozen(struct mig_stream *s)
{
	send_proc_pos((struct mig_remote *)((char *)s - offsetof(struct mig_remote, st)));
}

static void recall_dump(struct mig_remote *g)
{
	char err[200];
	int rc;

	g->dev = ssi_dev_open(O_CLOEXEC, NULL);
	if (g->dev < 0) {
		snprintf(err, sizeof(err), "/dev/ssi here: %s", strerror(errno));
		recall_refuse(g, errno, err);
		return;
	}
	rc = mig_stream_start(&g->st, g->m, g->peer, SSID_MSG_MIG_BACK, g->offer.id,
			      g->dev, g->pid, back_stream_done, err, sizeof(err));
	if (rc) {
		recall_refuse(g, rc, err);
		return;
	}
	g->st.frozen = back_frozen;
	/*
	 * The held call waits killable only, which the freeze does not
	 * interrupt: let it go with a restart.  The process makes it again,
	 * into the paused listener, where the freeze interrupts it; the
	 * image has it as a restart, and it runs at home.
	 */
	if (g->pulled && !g->held_released &&
	    !relay_remote_answer_restart(&g->relay, g->held_id, g->held_tid,
					 -SSI_SC_ERESTARTNOINTR))
		g->held_released = true;
}

/*
 * Dump it once it is the image (not the helper any more) and no call of
 * it waits for its home: the timer and each reply try again until
 * recall_deadline_ms.
 */
static void recall_try(struct mig_remote *g)
{
	if (g->recalling && !g->st.active && !g->back_sent && !relay_remote_busy(&g->relay) &&
	    is_restored(g))
		recall_dump(g);
}

/*
 * A call that only its home can run (policy pull-home, or an argument the
 * relay does not know): the process goes home, where that call runs again
 * natively.  It stays unanswered until the dump starts (recall_dump()).
 * If the process cannot go home, the call fails with ENOSYS, and so do the
 * later ones of this process (logged once per syscall).
 */
static void pull_home(struct mig_remote *g, uint64_t notif_id, pid_t tid, int nr)
{
	const struct ssi_sc_entry *e = ssi_sc_lookup(nr);
	const char *name = e->name ? e->name : "unnamed syscall";

	g->pull_home++;
	if (g->recalling)
		return;		/* on its way home already: the call waits */
	if (!g->pull_failed) {
		log_notice("pid %d from %s: %s (%d) runs at home only: sending it home",
			   (int)g->offer.pid, home_name(g), name, nr);
		g->pulled = true;
		g->held_released = false;
		g->held_id = notif_id;
		g->held_tid = tid;
		g->recalling = g->relay.going_home = true;
		g->recall_deadline_ms = clock_mono_ms() + MIG_RECALL_WAIT_MS;
		relay_remote_pause(&g->relay);
		/* other threads' calls blocked at home come back too */
		relay_remote_cancel_all(&g->relay);
		recall_try(g);
		return;
	}
	relay_remote_answer(&g->relay, notif_id, -ENOSYS);
	if (nr >= 0 && nr <= SSI_SC_MAX) {
		if (g->warned[nr / 64] & (1ULL << (nr % 64)))
			return;
		g->warned[nr / 64] |= 1ULL << (nr % 64);
	}
	log_notice("pid %d from %s: %s (%d) runs at home only, and it could not go home: ENOSYS",
		   (int)g->offer.pid, home_name(g), name, nr);
}

static void on_recall(struct mig_remote *g)
{
	if (g->recalling)
		return;		/* pulled home already: that image comes */
	if (g->state != R_RUNNING || g->relay.listen_h.fd < 0) {
		send_refusal(g, SSID_MSG_MIG_BACK_FAILED, 0, EBUSY,
			     "it is not running here yet");
		return;
	}
	log_info("pid %d: %s calls it back", (int)g->offer.pid, home_name(g));
	g->recalling = g->relay.going_home = true;
	g->recall_deadline_ms = clock_mono_ms() + MIG_RECALL_WAIT_MS;
	relay_remote_pause(&g->relay);		/* new calls wait in the kernel */
	relay_remote_cancel_all(&g->relay);	/* a call blocked at home comes back */
	recall_try(g);
}

static void on_back_done(struct mig_remote *g, int32_t value)
{
	if (!g->recalling || (value == 0 && !g->back_sent))
		return;
	if (value == 0) {
		log_notice("pid %d went back home to %s (%llu calls forwarded from here)",
			   (int)g->offer.pid, home_name(g),
			   (unsigned long long)g->relay.forwarded);
		g->aborted = true;	/* it lives on at home: no exit report */
		free_guest(g);
		return;
	}
	g->back_sent = false;
	recall_refuse(g, value > 0 ? value : EIO, "its home node did not take the image");
}

void mig_remote_writable(struct migrate *m, int idx)
{
	struct mig_remote *g, *next;

	for (g = m->guests; g; g = next) {
		next = g->next;
		if (g->peer == idx && g->st.active)
			mig_stream_writable(&g->st);	/* may free g */
	}
}

/* MIG_THREADS: thread @tids[i] here is @home[i] at home. */
static int send_threads(struct mig_remote *g, uint32_t n, const pid_t *tids,
			const uint32_t *home)
{
	static struct msg_mig_threads mt;
	static unsigned char buf[MSG_MIG_THREADS_LEN(MSG_MIG_THREADS_MAX)];
	struct iovec iov = { buf, 0 };
	uint32_t i;

	mt.id = g->offer.id;
	mt.n = n;
	for (i = 0; i < n; i++) {
		mt.home[i] = (int32_t)home[i];
		mt.remote[i] = tids[i];
	}
	iov.iov_len = msg_encode_mig_threads(&mt, buf);
	return peers_send(g->m->peers, g->peer, SSID_MSG_MIG_THREADS, &iov, 1) ? -1 : 0;
}

/* ------------------------------------------------------------- relay */

/* FWD_REQ or FWD_CANCEL, for request @seq of thread @home_tid. */
static int send_fwd(struct mig_remote *g, uint16_t type, uint64_t seq,
		    uint32_t home_tid, const void *msg, size_t len)
{
	unsigned char hdr[MSG_FWD_HDR_LEN];
	struct msg_fwd f = { .id = g->offer.id, .seq = seq, .tid = home_tid };
	struct iovec iov[2] = { { hdr, msg_encode_fwd(&f, hdr) }, { (void *)msg, len } };

	return peers_send(g->m->peers, g->peer, type, iov, len ? 2 : 1);
}

static int relay_send_request(void *arg, uint64_t seq, uint32_t home_tid,
			      const void *msg, size_t len)
{
	return send_fwd(arg, SSID_MSG_FWD_REQ, seq, home_tid, msg, len);
}

static int relay_send_cancel(void *arg, uint64_t seq, uint32_t home_tid)
{
	return send_fwd(arg, SSID_MSG_FWD_CANCEL, seq, home_tid, NULL, 0);
}

static void relay_pull_home(void *arg, uint64_t notif_id, pid_t tid, int nr)
{
	pull_home(arg, notif_id, tid, nr);
}

static void relay_lost(void *arg)
{
	struct mig_remote *g = arg;

	syscall(SYS_pidfd_send_signal, g->pidfd_h.fd, SIGKILL, NULL, 0);
}

static int relay_send_spawn(void *arg, uint32_t home_tid)
{
	struct mig_remote *g = arg;

	return mig_send_value(g->m, g->peer, g->offer.id, SSID_MSG_MIG_SPAWN,
			      (int32_t)home_tid);
}

/* The thread a clone makes next has tid @home_tid in the process's namespace. */
static int relay_next_tid(void *arg, uint32_t home_tid)
{
	struct mig_remote *g = arg;

	return guest_pidns_next(&g->ns, (pid_t)home_tid);
}

/* Home learns which thread here its new deputy thread stands for, or that it stands for none. */
static void relay_spawn_done(void *arg, uint32_t home_tid, pid_t tid)
{
	struct mig_remote *g = arg;

	if (tid)
		send_threads(g, 1, &tid, &home_tid);
	else
		send_value(g, SSID_MSG_MIG_THREAD_END, (int32_t)home_tid);
}

static const struct relay_remote_ops relay_ops = {
	.send_request = relay_send_request,
	.send_cancel = relay_send_cancel,
	.pull_home = relay_pull_home,
	.lost = relay_lost,
	.send_spawn = relay_send_spawn,
	.next_tid = relay_next_tid,
	.spawn_done = relay_spawn_done,
};

/* Take the helper's seccomp listener (its fd 0 once installed). */
static void try_steal(struct mig_remote *g, uint64_t now)
{
	char link[64];
	int fd;

	fd = (int)syscall(SYS_pidfd_getfd, g->pidfd_h.fd, 0, 0);
	if (fd >= 0) {
		if (!procfs_fd_link(getpid(), fd, link, sizeof(link)) &&
		    !strcmp(link, "anon_inode:seccomp notify")) {
			fcntl(fd, F_SETFD, FD_CLOEXEC);
			if (relay_remote_listen(&g->relay, g->pid, fd)) {
				log_err("pid %d: epoll: %m", (int)g->offer.pid);
				syscall(SYS_pidfd_send_signal, g->pidfd_h.fd, SIGKILL, NULL, 0);
			}
			g->steal_next_ms = LOOP_NEVER;
			return;
		}
		close(fd);
	}
	if (now >= g->steal_deadline_ms) {
		log_err("pid %d: the helper's seccomp listener never appeared; killing it",
			(int)g->offer.pid);
		syscall(SYS_pidfd_send_signal, g->pidfd_h.fd, SIGKILL, NULL, 0);
		g->steal_next_ms = LOOP_NEVER;
		return;
	}
	g->steal_next_ms = now + 2;
}

/* ------------------------------------------------------------- helper */


/* In the child: fds 3 (image) and 4 (report), defaults, exec. */
static void __attribute__((noreturn))
exec_helper(struct mig_remote *g, const char *path, int img, int rep, int ns, int sec,
	    int standin)
{
	char uid[16], gid[16], *groups, *argv[6] = { HELPER_NAME, uid, gid, NULL, NULL, NULL };
	char timens[80], *envp[] = { "PATH=/usr/bin:/bin", NULL, NULL };
	char **args = argv + 1;
	size_t i, off = 0;
	sigset_t none;
	int a, b, c, d, e, sig;

	/* above 8 first, so that dup2 never clobbers another one */
	a = fcntl(img, F_DUPFD, 10);
	b = fcntl(rep, F_DUPFD, 10);
	c = fcntl(ns, F_DUPFD, 10);
	d = sec >= 0 ? fcntl(sec, F_DUPFD, 10) : -1;
	e = standin >= 0 ? fcntl(standin, F_DUPFD, 10) : -1;
	if (a < 0 || b < 0 || c < 0 || dup2(a, 3) != 3 || dup2(b, 4) != 4 ||
	    dup2(c, 6) != 6 || (sec >= 0 && (d < 0 || dup2(d, 7) != 7)) ||
	    (standin >= 0 && (e < 0 || dup2(e, STANDIN_FD) != STANDIN_FD)))
		_exit(126);
	close(5);
	if (sec < 0)
		close(7);
	/* fd 7: its own seccomp filters, when it has some; 8: a stand-in's */
	syscall(__NR_close_range, STANDIN_FD + (standin >= 0), ~0U, 0);
	for (sig = 1; sig < 65; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	/* the job's process runs at the default nice, not at ssid's */
	setpriority(PRIO_PROCESS, 0, 0);
	/*
	 * The process's clocks continue from where they stopped at home:
	 * the helper puts itself in a time namespace with these offsets.
	 */
	if (g->home_mono_ns && g->home_boot_ns) {
		snprintf(timens, sizeof(timens), "SSI_TIMENS=%lld %lld",
			 (long long)(g->home_mono_ns - clock_mono_ns()),
			 (long long)(g->home_boot_ns - clock_ns(CLOCK_BOOTTIME)));
		envp[1] = timens;
	}
	/* the stand-in of its home parent runs it: "stand-in UID GID [GROUPS]" */
	if (standin >= 0) {
		memmove(argv + 2, argv + 1, 3 * sizeof(*argv));
		argv[1] = STANDIN_ARG;
		args = argv + 2;
	}
	snprintf(uid, sizeof(uid), "%u", g->offer.uid);
	snprintf(gid, sizeof(gid), "%u", g->offer.gid);
	groups = malloc(12 * (g->offer.ngroups + 1));
	if (groups && g->offer.ngroups) {
		for (i = 0; i < g->offer.ngroups; i++)
			off += (size_t)sprintf(groups + off, "%s%u", i ? "," : "",
					       g->offer.groups[i]);
		args[2] = groups;
	}
	execve(path, argv, envp);
	_exit(127);
}

static void report_ready(struct loop_handler *lh, uint32_t events);
static void pidfd_ready(struct loop_handler *lh, uint32_t events);

/* Its own seccomp filters in a memfd for the helper (its fd 7), or -1. */
static int seccomp_memfd(struct mig_remote *g)
{
	int fd;

	if (!g->seccomp)
		return -1;
	fd = memfd_create("ssi-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (mig_image_store(fd, 0, g->seccomp, g->seccomp_len)) {
		close(fd);
		return -EIO;
	}
	return fd;
}

/*
 * The restore helper, forked into the guest's namespace with the
 * process's home pid: by a stand-in of its home parent, which has that
 * parent's id there (parent_standin.h), when the namespace can hold it;
 * else by ssid (its PPid there reads 0).
 * Return: its pid, as ssid sees it, and its pidfd in *@pidfd; or -errno
 * (a stand-in made is ended by free_guest()).
 */
static pid_t fork_guest(struct mig_remote *g, const char *path, int rep, int sec, int *pidfd)
{
	pid_t ppid = (pid_t)g->offer.ppid, pid;
	int cv[2], rc;

	*pidfd = -1;
	if (ppid > 1 && ppid != (pid_t)g->offer.pid && !guest_pidns_next(&g->ns, ppid) &&
	    !socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, cv)) {
		pid = guest_pidns_fork(&g->ns);
		if (pid == 0)
			exec_helper(g, path, g->img, rep, g->ns.helper_ctl, sec, cv[1]);
		close(cv[1]);
		if (pid < 0) {
			close(cv[0]);
			return pid;
		}
		g->standin.pid = pid;
		g->standin.ctl = cv[0];
		rc = guest_pidns_next(&g->ns, (pid_t)g->home_tids[0]);
		if (!rc)
			rc = standin_child(&g->standin, &pid);
		if (rc < 0)
			return rc;
		*pidfd = rc;
		return pid;
	}
	rc = guest_pidns_next(&g->ns, (pid_t)g->home_tids[0]);
	if (rc)
		return rc;
	pid = guest_pidns_fork(&g->ns);
	if (pid == 0)
		exec_helper(g, path, g->img, rep, g->ns.helper_ctl, sec, -1);
	if (pid < 0)
		return pid;
	*pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (*pidfd < 0) {
		rc = -errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return rc;
	}
	return pid;
}

static void start_helper(struct mig_remote *g)
{
	char path[600];
	int sv[2], pidfd, rc, sec;
	pid_t pid;

	if (libexec_find(HELPER_NAME, "SSI_RESTORE_HELPER", path, sizeof(path))) {
		send_failed(g, 0, ENOENT, "no " HELPER_NAME " on this node");
		free_guest(g);
		return;
	}
	rc = guest_pidns_open(&g->ns, path);
	if (!rc)
		rc = guest_pidns_next(&g->ns, (pid_t)g->home_tids[0]);
	if (rc) {
		send_failed(g, 0, -rc, rc == -EINVAL ?
			    "its home pid is beyond this node's pid_max" :
			    "cannot make a pid namespace for it");
		free_guest(g);
		return;
	}
	if (g->ns.procfd >= 0 && (rc = relay_remote_set_proc(&g->relay, g->ns.procfd)))
		log_warn("pid %u: its /proc entries are read at home: %s",
			 g->offer.pid, strerror(-rc));
	sec = seccomp_memfd(g);
	if (g->seccomp && sec < 0) {
		send_failed(g, SSI_R_SECCOMP, -sec, "keeping its seccomp filters for the restore");
		free_guest(g);
		return;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		send_failed(g, 0, errno, "socketpair");
		if (sec >= 0)
			close(sec);
		free_guest(g);
		return;
	}
	pid = fork_guest(g, path, sv[1], sec, &pidfd);
	close(sv[1]);
	if (sec >= 0)
		close(sec);
	if (pid < 0) {
		send_failed(g, 0, -pid, "fork");
		close(sv[0]);
		free_guest(g);		/* its stand-in too, if it had one */
		return;
	}
	guest_pidns_helper_done(&g->ns);
	/* the helper holds the image now; the restore frees it */
	close(g->img);
	g->img = -1;
	g->pid = pid;
	g->report_h.fd = sv[0];
	g->report_h.cb = report_ready;
	fcntl(pidfd, F_SETFD, FD_CLOEXEC);
	g->pidfd_h.fd = pidfd;
	if (loop_add(g->m->loop, &g->report_h, EPOLLIN)) {
		send_failed(g, 0, errno, "epoll");
		close(sv[0]);
		g->report_h.fd = -1;
		free_guest(g);		/* kills and reaps it */
		return;
	}
	g->pidfd_h.cb = pidfd_ready;
	loop_add(g->m->loop, &g->pidfd_h, EPOLLIN);
	g->state = R_VERIFYING;
	log_info("pid %d (%s) from %s: image of %llu bytes received; restoring as pid %d",
		 (int)g->offer.pid, g->offer.comm, home_name(g),
		 (unsigned long long)g->offer.image_size, (int)pid);
}

/*
 * After "OK": which thread here is which home thread.  In the guest's
 * pid namespace each has its home tid (its NSpid); ssid knows them by
 * their tids here.
 */
struct pairing {
	struct mig_remote *g;
	pid_t local[MSG_MIG_THREADS_MAX];
	uint32_t found;
};

static int pair_one(pid_t tid, void *arg)
{
	struct pairing *p = arg;
	pid_t id = procfs_ns_tid(p->g->pid, tid);
	uint32_t i;

	for (i = 0; i < p->g->nthreads; i++) {
		if (p->g->home_tids[i] != (uint32_t)id || p->local[i])
			continue;
		p->local[i] = tid;
		p->found++;
		return 0;
	}
	log_err("pid %d: thread %d here (%d in its namespace) is none of its image's",
		(int)p->g->offer.pid, (int)tid, (int)id);
	return -1;
}

static int pair_threads(struct mig_remote *g)
{
	static struct pairing p;

	memset(&p, 0, sizeof(p));
	p.g = g;
	if (procfs_each_thread(g->pid, pair_one, &p) || p.found != g->nthreads) {
		log_err("pid %d: %u of its %u threads found here", (int)g->offer.pid,
			p.found, g->nthreads);
		return -1;
	}
	if (relay_remote_set_threads(&g->relay, g->nthreads, p.local, g->home_tids))
		return -1;
	return send_threads(g, g->nthreads, p.local, g->home_tids);
}

/* The helper's copies have all come (or failed): hand them over. */
static void files_done(struct mig_remote *g)
{
	int rc = file_fetch_give(&g->files, g->report_h.fd);

	/* a helper left without its answers refuses, and says so */
	if (rc)
		log_warn("pid %d: handing the copies of its files to the helper: %s",
			 (int)g->offer.pid, strerror(-rc));
	else
		log_notice("pid %d: %u mapped file(s) it has no copy of here, copied from %s",
			   (int)g->offer.pid, g->files.n, home_name(g));
}

static void on_file_data(struct mig_remote *g, const struct msg_mig_file_data *d,
			 const struct ssi_tp_msg *msg)
{
	int rc = file_fetch_data(&g->files, d, msg->bulk, msg->bulk ? msg->bulk_len : 0);

	if (rc == -EPROTO) {
		log_warn("pid %d: %s sent file data not asked for: killing the restore",
			 (int)g->offer.pid, home_name(g));
		syscall(SYS_pidfd_send_signal, g->pidfd_h.fd, SIGKILL, NULL, 0);
		return;
	}
	if (rc < 0)
		log_warn("pid %d: writing the copy of its file %u: %s", (int)g->offer.pid,
			 d->index, strerror(-rc));
	if (g->files.n && g->files.done == g->files.n && g->state == R_VERIFYING)
		files_done(g);
}

/* A "FETCH" or "WAIT" line of the helper (file_fetch.h); false: kill it. */
static bool fetch_line(struct mig_remote *g, const char *line)
{
	char tag[64];
	int rc;

	if (!strncmp(line, "FETCH ", 6))
		return !file_fetch_want(&g->files, line + 6);
	if (strcmp(line, "WAIT") || g->files.asked || !g->files.n)
		return false;
	snprintf(tag, sizeof(tag), "%s.%d.%llx", home_name(g), (int)g->offer.pid,
		 (unsigned long long)g->offer.id);
	rc = file_fetch_ask(&g->files, g->m->peers, g->peer, g->offer.id, tag, g->m->dsm);
	if (rc) {
		log_warn("pid %d: asking %s for its files: %s", (int)g->offer.pid,
			 home_name(g), strerror(-rc));
		return false;
	}
	log_info("pid %d: %u mapped file(s) or shared memory segment(s) not here as such: "
		 "%u taken here, the rest asked of %s", (int)g->offer.pid, g->files.n,
		 g->files.done, home_name(g));
	/* segments only: nothing to wait for */
	if (g->files.done == g->files.n)
		files_done(g);
	return true;
}

/*
 * What the helper says: "FETCH ..." lines and "WAIT" (it needs copies of
 * files), then "OK" or "ERR reason errno detail".
 */
static void report_ready(struct loop_handler *lh, uint32_t events)
{
	struct mig_remote *g = (struct mig_remote *)((char *)lh -
						     offsetof(struct mig_remote, report_h));
	char *nl;
	ssize_t n;

	n = read(lh->fd, g->report + g->report_len, sizeof(g->report) - 1 - g->report_len);
	if (n > 0) {
		g->report_len += (size_t)n;
		g->report[g->report_len] = '\0';
	}
	while (n > 0 && (nl = strchr(g->report, '\n')) &&
	       (!strncmp(g->report, "FETCH ", 6) || !strncmp(g->report, "WAIT\n", 5))) {
		*nl = '\0';
		if (!fetch_line(g, g->report)) {
			log_warn("pid %d: the restore helper said '%.80s': killing it",
				 (int)g->offer.pid, g->report);
			syscall(SYS_pidfd_send_signal, g->pidfd_h.fd, SIGKILL, NULL, 0);
			unwatch(g, &g->report_h);
			return;
		}
		g->report_len -= (size_t)(nl + 1 - g->report);
		memmove(g->report, nl + 1, g->report_len + 1);
	}
	if (n > 0 && !strchr(g->report, '\n') && g->report_len < sizeof(g->report) - 1)
		return;		/* a line being written */
	unwatch(g, &g->report_h);
	if (!strncmp(g->report, "OK", 2) && g->state == R_VERIFYING) {
		if (pair_threads(g)) {
			/* the helper's exit (killed here) is reported home */
			syscall(SYS_pidfd_send_signal, g->pidfd_h.fd, SIGKILL, NULL, 0);
			return;
		}
		g->state = R_RUNNING;
		/* threads made here end too, in a process of one */
		g->thread_poll_ms = clock_mono_ms() + MIG_THREAD_POLL_MS;
		g->usage_ms = clock_mono_ms() + MIG_USAGE_MS;
		g->steal_deadline_ms = clock_mono_ms() + MIG_STEAL_TIMEOUT_MS;
		try_steal(g, clock_mono_ms());
		send_value(g, SSID_MSG_MIG_ACCEPTED, g->pid);
		metrics_add(METRIC_GUEST_TAKEN, 1);
		log_notice("pid %d (%s) from %s runs here as pid %d", (int)g->offer.pid,
			   g->offer.comm, home_name(g), (int)g->pid);
	}
	/* an ERR line is sent home when the helper's exit is seen */
}

/*
 * What the process has used here, home if it changed (usage.h).  Not
 * while the helper still runs in its place (its counters are not the
 * process's), nor once it is on its way home.
 */
static void report_usage(struct mig_remote *g)
{
	unsigned char buf[MSG_MIG_USAGE_MEM_LEN];
	struct msg_mig_usage u = { .id = g->offer.id };
	struct usage_sample s;
	struct iovec iov;

	if (g->aborted || g->recalling || !is_restored(g) || usage_read(g->pid, &s, NULL))
		return;
	if (s.maxrss_kb < g->usage_sent.maxrss_kb)
		s.maxrss_kb = g->usage_sent.maxrss_kb;	/* a zombie has none */
	if (!memcmp(&s, &g->usage_sent, sizeof(s)))
		return;
	u.utime_ns = s.utime_ns;
	u.stime_ns = s.stime_ns;
	u.maxrss_kb = s.maxrss_kb;
	u.anon_kb = s.mem.anon_kb;
	u.file_kb = s.mem.file_kb;
	u.shmem_kb = s.mem.shmem_kb;
	u.swap_kb = s.mem.swap_kb;
	u.vm_kb = s.mem.vm_kb;
	u.vm_peak_kb = s.mem.vm_peak_kb;
	iov = (struct iovec){ buf, msg_encode_mig_usage(&u, buf) };
	if (!peers_send(g->m->peers, g->peer, SSID_MSG_MIG_USAGE, &iov, 1))
		g->usage_sent = s;
}

static int wait_status(const siginfo_t *si)
{
	switch (si->si_code) {
	case CLD_EXITED:
		return (si->si_status & 0xff) << 8;
	case CLD_KILLED:
		return si->si_status & 0x7f;
	case CLD_DUMPED:
		return (si->si_status & 0x7f) | 0x80;
	default:
		return -1;
	}
}

static void pidfd_ready(struct loop_handler *lh, uint32_t events)
{
	struct mig_remote *g = (struct mig_remote *)((char *)lh -
						     offsetof(struct mig_remote, pidfd_h));
	siginfo_t si;
	int st;

	/* its last counters, read from the zombie before it is reaped */
	if (g->state == R_RUNNING)
		report_usage(g);
	memset(&si, 0, sizeof(si));
	if (g->standin.pid) {
		/* its parent there waited for it; the counters are read: reap */
		if (standin_child_ended(&g->standin, &si)) {
			/* the stand-in is gone, and the namespace's init reaped it */
			log_warn("pid %d: its exit status is lost with its parent's stand-in",
				 (int)g->offer.pid);
			si.si_code = CLD_KILLED;
			si.si_status = SIGKILL;
		}
		standin_end(&g->standin);
	} else if (waitid((idtype_t)P_PIDFD, (id_t)lh->fd, &si, WEXITED | WNOHANG) ||
		   !si.si_pid) {
		return;
	}
	st = wait_status(&si);
	unwatch(g, &g->pidfd_h);
	if (g->report_h.fd >= 0)
		report_ready(&g->report_h, EPOLLIN);	/* take a last ERR line */
	if (g->aborted) {
		log_info("pid %d (from %s) ended after an abort", (int)g->offer.pid,
			 home_name(g));
	} else if (g->state == R_VERIFYING) {
		unsigned int reason = 0;
		int err = 0, off = 0;

		if (sscanf(g->report, "ERR %u %d %n", &reason, &err, &off) >= 2 && off) {
			g->report[strcspn(g->report, "\n")] = '\0';
			send_failed(g, reason, err > 0 && err < 4096 ? err : EIO,
				    g->report + off);
		} else if (g->seccomp && st >= 0 && (st & 0x7f) && (st & 0x7f) != 0x7f) {
			char d[160];

			/* SIGSYS: a filter's KILL or TRAP; SIGKILL: ours, or a kill */
			snprintf(d, sizeof(d), "the restore helper, under the process's own seccomp filters, died of signal %d%s",
				 st & 0x7f, (st & 0x7f) == SIGSYS ?
				 " (SIGSYS: they forbid a call the restore makes)" : "");
			send_failed(g, SSI_R_SECCOMP, EPERM, d);
		} else {
			char d[64];

			snprintf(d, sizeof(d), "the restore helper ended (status 0x%x)", st);
			send_failed(g, 0, EIO, d);
		}
	} else if (st >= 0) {
		log_notice("pid %d (from %s) ended here: status 0x%x; %llu calls forwarded",
			   (int)g->offer.pid, home_name(g), st,
			   (unsigned long long)g->relay.forwarded);
		send_value(g, SSID_MSG_MIG_EXIT, st);
	}
	free_guest(g);
}

/*
 * Threads of the process that ended here (pthread_exit): home ends their
 * deputy threads (THREAD_END).  The leader is not looked at: a leader
 * that ended stays a zombie until the last thread does.
 */
static void poll_threads(struct mig_remote *g, uint64_t now)
{
	struct relay_remote *r = &g->relay;
	uint32_t i = 0;

	g->thread_poll_ms = now + MIG_THREAD_POLL_MS;
	while (i < r->nthreads) {
		pid_t tid = r->local_tids[i];
		uint32_t home = r->home_tids[i];

		if (tid == g->pid || !procfs_thread_gone(g->pid, tid)) {
			i++;
			continue;
		}
		send_value(g, SSID_MSG_MIG_THREAD_END, (int32_t)home);
		relay_remote_drop_thread(r, tid);
	}
}

/* ---------------------------------------------------------- messages */

/* Offers taken whose process does not run yet: their images use memory. */
static unsigned int guests_arriving(const struct migrate *m)
{
	const struct mig_remote *g;
	unsigned int n = 0;

	for (g = m->guests; g; g = g->next)
		n += g->state == R_RECEIVING || g->state == R_VERIFYING;
	return n;
}

/*
 * admission_check() of @g's image at @bytes (@streaming: what arrived so
 * far); refused and freed if not.
 */
static bool admitted(struct mig_remote *g, unsigned int arriving, uint64_t bytes,
		     bool streaming)
{
	struct admission a = {
		.conf = g->m->conf, .self = peers_self(g->m->peers), .arriving = arriving,
		.image_bytes = bytes, .streaming = streaming,
		.mem_available_kb = g->avail_kb,
	};
	char why[256];
	int err = admission_check(&a, why, sizeof(why));

	if (!err)
		return true;
	send_failed(g, 0, err, why);
	free_guest(g);
	return false;
}

static void on_offer(struct migrate *m, int idx, const struct msg_mig_offer *o)
{
	struct mig_remote *g;
	unsigned int arriving;

	if (find(m, idx, o->id)) {
		log_warn("node %s offered migration %llu twice: ignored",
			 peers_node_name(m->peers, idx), (unsigned long long)o->id);
		return;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		struct mig_remote tmp = { .m = m, .peer = idx, .offer = *o };

		send_failed(&tmp, 0, ENOMEM, "out of memory");
		return;
	}
	g->m = m;
	g->peer = idx;
	g->offer = *o;
	g->pidfd_h.fd = g->report_h.fd = -1;
	guest_pidns_none(&g->ns);
	standin_none(&g->standin);
	relay_remote_init(&g->relay, m->loop, o->pid, o->ppid, o->tid,
			  peers_node_name(m->peers, idx), &relay_ops, g);
	relay_remote_await_fds(&g->relay);	/* MIG_PROC_FDS follows the image */
	g->dev = -1;
	g->steal_next_ms = LOOP_NEVER;
	g->thread_poll_ms = LOOP_NEVER;
	g->usage_ms = LOOP_NEVER;
	g->started_ms = clock_mono_ms();
	g->heard_ms = g->started_ms;
	g->img = memfd_create("ssi-image", MFD_CLOEXEC);
	arriving = guests_arriving(m);
	g->next = m->guests;
	m->guests = g;
	if (peers_mig_refusal(m->peers, idx)) {	/* its ssid should know */
		send_failed(g, 0, EXDEV,
			    peers_mig_refusal(m->peers, idx));
		free_guest(g);
		return;
	}
	if (g->img < 0) {
		send_failed(g, 0, errno, "memfd_create");
		free_guest(g);
		return;
	}
	/*
	 * Read once: the image fills memory as it arrives, and must not
	 * shrink its own allowance (nor cost a read of meminfo per chunk).
	 */
	g->avail_kb = admission_mem_available_kb();
	if (!admitted(g, arriving, o->image_size, false))
		return;
	log_info("node %s offers pid %d (%s, uid %u): %llu bytes",
		 home_name(g), (int)o->pid, o->comm, o->uid,
		 (unsigned long long)o->image_size);
}

static void on_image(struct mig_remote *g, const struct msg_mig_image *mi,
		     const struct ssi_tp_msg *msg)
{
	size_t len = msg->bulk ? msg->bulk_len : 0;
	uint64_t limit = g->offer.image_size ? g->offer.image_size : MSG_MIG_IMAGE_MAX;
	bool last = mi->flags & MSG_MIG_IMAGE_LAST;
	int rc;

	if (g->state != R_RECEIVING || mi->offset != g->received ||
	    len > limit - g->received ||
	    (last && g->offer.image_size && g->received + len != g->offer.image_size)) {
		send_failed(g, 0, EPROTO, "image data out of order or beyond its size");
		free_guest(g);
		return;
	}
	rc = mig_image_store(g->img, g->received, msg->bulk, len);
	if (rc) {
		send_failed(g, 0, rc, "storing the image");
		free_guest(g);
		return;
	}
	g->received += len;
	g->heard_ms = clock_mono_ms();
	/* a streamed image announces no size: it is checked as it grows */
	if (!g->offer.image_size && !admitted(g, 0, g->received, true))
		return;
	if (last) {
		int32_t tids[MSG_MIG_THREADS_MAX];
		int n = image_threads_read(g->img, tids, MSG_MIG_THREADS_MAX);
		uint32_t i;

		if (n < 0 || tids[0] != (int32_t)g->offer.pid) {
			send_failed(g, 0, n < 0 ? -n : EPROTO,
				    "the image's threads cannot be read");
			free_guest(g);
			return;
		}
		if (g->offer.seccomp_len && !g->seccomp) {
			send_failed(g, SSI_R_SECCOMP, EPROTO,
				    "its seccomp filters, announced, did not come before its image");
			free_guest(g);
			return;
		}
		g->nthreads = (uint32_t)n;
		for (i = 0; i < g->nthreads; i++)
			g->home_tids[i] = (uint32_t)tids[i];
		g->offer.image_size = g->received;
		g->home_mono_ns = mi->mono_ns;
		g->home_boot_ns = mi->boot_ns;
		start_helper(g);
	}
}

/*
 * MIG_SECCOMP: its own filters, checked here as the helper will check
 * them again (seccomp_carry.h), kept for it.
 */
static void on_seccomp(struct mig_remote *g, const struct msg_mig_seccomp *ms)
{
	struct seccomp_chain c;
	char why[200];
	int rc;

	if (g->state != R_RECEIVING || g->seccomp || ms->len != g->offer.seccomp_len) {
		send_failed(g, SSI_R_SECCOMP, EPROTO, "seccomp filters not announced by its offer");
		free_guest(g);
		return;
	}
	rc = seccomp_chain_decode(ms->data, ms->len, &c, why, sizeof(why));
	if (rc) {
		send_failed(g, SSI_R_SECCOMP, -rc, why);
		free_guest(g);
		return;
	}
	seccomp_chain_free(&c);
	g->seccomp = malloc(ms->len);
	if (!g->seccomp) {
		send_failed(g, SSI_R_NOMEM, ENOMEM, "keeping its seccomp filters");
		free_guest(g);
		return;
	}
	memcpy(g->seccomp, ms->data, ms->len);
	g->seccomp_len = ms->len;
}

/*
 * A signal its home pid received: with the same siginfo (the sender's pid
 * and uid at home, si_value, si_code) through the module, sent by the
 * init of its pid namespace (the kernel clears the sender's pid of a
 * signal from outside), else by number.
 */
static void deliver_signal(struct mig_remote *g, const struct msg_mig_signal *s)
{
	struct ssi_signal sig = { .pid = (int32_t)g->offer.pid, .signo = (int32_t)s->signo };
	pid_t here = g->pid;
	int rc;

	if (s->tid) {
		/* for one thread (tgkill at home): the same thread here */
		here = relay_remote_local_tid(&g->relay, s->tid);
		sig.pid = (int32_t)s->tid;
		sig.flags = SSI_SIGNAL_THREAD;
		if (!here) {
			log_info("pid %d: signal %u for thread %u, which is gone: dropped",
				 (int)g->offer.pid, s->signo, s->tid);
			return;
		}
	}

	_Static_assert(sizeof(sig.siginfo) == MSG_MIG_SIGINFO_LEN, "siginfo sizes");
	memcpy(sig.siginfo, s->siginfo, sizeof(sig.siginfo));
	rc = guest_pidns_signal(&g->ns, &sig);
	if (!rc)
		return;
	/* asked, not answered in time: the init sends it when it runs */
	if (rc == -EAGAIN) {
		log_warn("pid %d: signal %u: the namespace's init is slow to send it",
			 (int)g->offer.pid, s->signo);
		return;
	}
	log_debug("pid %d: signal %u with its siginfo: %s; by number", (int)g->offer.pid,
		  s->signo, strerror(-rc));
	if (s->tid && syscall(SYS_tgkill, g->pid, here, (int)s->signo))
		log_warn("pid %d: signal %u: %m", (int)g->offer.pid, s->signo);
	else if (!s->tid &&
		 syscall(SYS_pidfd_send_signal, g->pidfd_h.fd, (int)s->signo, NULL, 0))
		log_warn("pid %d: signal %u: %m", (int)g->offer.pid, s->signo);
}

void mig_remote_msg(struct migrate *m, int idx, const struct ssi_tp_msg *msg)
{
	static struct msg_mig_offer o;
	struct msg_mig_image mi;
	struct msg_mig_signal s;
	struct msg_mig_value v;
	struct msg_fwd f;
	static struct msg_mig_proc_fds mp;
	struct msg_mig_seccomp ms;
	struct msg_mig_file_data fd;
	struct mig_remote *g;

	switch (msg->type) {
	case SSID_MSG_MIG_OFFER:
		if (msg_decode_mig_offer(msg->data, msg->len, &o))
			goto bad;
		on_offer(m, idx, &o);
		return;
	case SSID_MSG_MIG_IMAGE:
		if (msg_decode_mig_image(msg->data, msg->len, &mi))
			goto bad;
		g = find(m, idx, mi.id);
		if (g)
			on_image(g, &mi, msg);
		return;
	case SSID_MSG_FWD_REP:
		if (msg_decode_fwd(msg->data, msg->len, &f))
			goto bad;
		g = find(m, idx, f.id);
		if (g) {
			relay_remote_reply(&g->relay, f.seq, f.data, f.len);
			recall_try(g);		/* that call was what it waited for */
		}
		return;
	case SSID_MSG_MIG_SECCOMP:
		if (msg_decode_mig_seccomp(msg->data, msg->len, &ms))
			goto bad;
		g = find(m, idx, ms.id);
		if (g)
			on_seccomp(g, &ms);
		return;
	case SSID_MSG_MIG_PROC_FDS:
		if (msg_decode_mig_proc_fds(msg->data, msg->len, &mp))
			goto bad;
		g = find(m, idx, mp.id);
		if (g)
			on_proc_fds(g, &mp);
		return;
	case SSID_MSG_MIG_FILE_DATA:
		if (msg_decode_mig_file_data(msg->data, msg->len, &fd))
			goto bad;
		g = find(m, idx, fd.id);
		if (g && g->state == R_VERIFYING && g->pidfd_h.fd >= 0)
			on_file_data(g, &fd, msg);
		return;
	case SSID_MSG_MIG_SIGNAL:
		if (msg_decode_mig_signal(msg->data, msg->len, &s))
			goto bad;
		g = find(m, idx, s.id);
		if (!g || g->pidfd_h.fd < 0)
			return;
		g->signals++;
		deliver_signal(g, &s);
		relay_remote_check_signals(&g->relay);	/* may interrupt a call at home */
		return;
	case SSID_MSG_MIG_RECALL:
	case SSID_MSG_MIG_BACK_DONE:
	case SSID_MSG_MIG_SPAWNED:
		if (msg_decode_mig_value(msg->data, msg->len, &v))
			goto bad;
		g = find(m, idx, v.id);
		if (g && msg->type == SSID_MSG_MIG_RECALL) {
			on_recall(g);
		} else if (g && msg->type == SSID_MSG_MIG_SPAWNED) {
			relay_remote_spawned(&g->relay, v.value);
			recall_try(g);		/* that clone may be what it waited for */
		} else if (g) {
			on_back_done(g, v.value);
		}
		return;
	case SSID_MSG_MIG_ABORT:
		if (msg_decode_mig_value(msg->data, msg->len, &v))
			goto bad;
		g = find(m, idx, v.id);
		if (!g)
			return;
		log_notice("pid %d: %s aborted its migration; killing it here",
			   (int)g->offer.pid, home_name(g));
		g->aborted = true;
		if (g->pidfd_h.fd < 0)
			free_guest(g);
		else
			syscall(SYS_pidfd_send_signal, g->pidfd_h.fd, SIGKILL, NULL, 0);
		return;
	}
	return;
bad:
	log_warn("node %s sent an invalid message 0x%04x (%zu bytes): ignored",
		 peers_node_name(m->peers, idx), msg->type, msg->len);
}

void mig_remote_lost(struct migrate *m, int idx)
{
	struct mig_remote *g, *next;

	for (g = m->guests; g; g = next) {
		next = g->next;
		if (g->peer != idx)
			continue;
		log_notice("pid %d: home node %s lost; killing it here",
			   (int)g->offer.pid, home_name(g));
		g->aborted = true;
		free_guest(g);	/* kills and reaps */
	}
}

uint64_t mig_remote_timer(struct migrate *m, uint64_t now)
{
	struct mig_remote *g, *next;
	uint64_t d = LOOP_NEVER, relay_wake;

	for (g = m->guests; g; g = next) {
		next = g->next;
		if (g->steal_next_ms != LOOP_NEVER && g->pidfd_h.fd >= 0 &&
		    g->relay.listen_h.fd < 0 && now >= g->steal_next_ms)
			try_steal(g, now);
		if (g->steal_next_ms < d)
			d = g->steal_next_ms;
		relay_wake = relay_remote_timer(&g->relay, now);
		if (relay_wake < d)
			d = relay_wake;
		if (g->state == R_RECEIVING && now - g->heard_ms >= MIG_ACCEPT_TIMEOUT_MS) {
			/*
			 * Home gave up long ago (its own wait is as long), and
			 * its word was lost: nothing waits for this image.
			 */
			log_warn("pid %d: its image from %s stopped arriving %u s ago "
				 "(%llu bytes came); dropped", (int)g->offer.pid,
				 home_name(g), MIG_ACCEPT_TIMEOUT_MS / 1000,
				 (unsigned long long)g->received);
			send_failed(g, 0, ETIMEDOUT, "its image stopped arriving");
			free_guest(g);
			continue;
		}
		if (g->state == R_RECEIVING && g->heard_ms + MIG_ACCEPT_TIMEOUT_MS < d)
			d = g->heard_ms + MIG_ACCEPT_TIMEOUT_MS;
		if (g->pidfd_h.fd >= 0 && now >= g->thread_poll_ms)
			poll_threads(g, now);
		if (g->thread_poll_ms < d)
			d = g->thread_poll_ms;
		if (g->pidfd_h.fd >= 0 && now >= g->usage_ms) {
			report_usage(g);
			g->usage_ms = now + MIG_USAGE_MS;
		}
		if (g->usage_ms < d)
			d = g->usage_ms;
		if (!g->recalling || g->st.active || g->back_sent)
			continue;
		if (now >= g->recall_deadline_ms) {
			recall_refuse(g, EBUSY, relay_remote_busy(&g->relay) ?
				      "it stays in a forwarded call at home" :
				      "its restore here does not finish");
			continue;
		}
		recall_try(g);		/* the dump starts once it can */
		if (!g->st.active && now + 10 < d)
			d = now + 10;	/* restore or calls: look again soon */
	}
	return d;
}

void mig_remote_destroy_all(struct migrate *m)
{
	while (m->guests) {
		m->guests->aborted = true;
		free_guest(m->guests);
	}
}

/*
 * Accepted means verified; the restore itself follows.  Until the process
 * made a call, tell by its name whether the helper still runs.
 */
static const char *state_of(struct mig_remote *g)
{
	if (g->recalling)
		return "returning";
	if (g->state != R_RUNNING || is_restored(g))
		return state_names[g->state];
	return state_names[R_VERIFYING];
}

/* CPU time and resident memory of @pid (-1 each when gone). */
static void usage_of(pid_t pid, int64_t *cpu_ms, int64_t *rss_kb)
{
	struct usage_sample s;
	uint64_t rss;

	*cpu_ms = *rss_kb = -1;
	if (usage_read(pid, &s, &rss))
		return;
	*cpu_ms = (int64_t)((s.utime_ns + s.stime_ns) / 1000000);
	*rss_kb = (int64_t)rss;
}

/* Threads of @pid, and how many are runnable (-1 each when gone). */
static void threads_of(pid_t pid, int64_t *threads, int64_t *runnable)
{
	uint32_t t, r;

	*threads = *runnable = -1;
	if (procfs_threads(pid, &t, &r))
		return;
	*threads = t;
	*runnable = r;
}

size_t mig_remote_procs(struct migrate *m, struct migrate_proc *out,
			size_t max, size_t n)
{
	struct mig_remote *g;
	uint64_t now = clock_mono_ms();

	for (g = m->guests; g; g = g->next, n++) {
		struct migrate_proc *p = &out[n];

		if (n >= max)
			continue;
		memset(p, 0, sizeof(*p));
		p->pid = (pid_t)g->offer.pid;
		p->local_pid = g->pid;
		p->uid = g->offer.uid;
		snprintf(p->comm, sizeof(p->comm), "%s", g->offer.comm);
		p->home = home_name(g);
		p->where = peers_node_name(m->peers, peers_self(m->peers));
		p->state = state_of(g);
		p->forwarded = g->relay.forwarded;
		p->bytes = g->relay.bytes;
		p->pull_home = g->pull_home;
		p->signals = g->signals;
		p->age_ms = now - g->started_ms;
		usage_of(g->pid, &p->cpu_ms, &p->rss_kb);
		threads_of(g->pid, &p->threads, &p->runnable);
		p->image_bytes = g->state == R_RECEIVING ? (int64_t)g->received : -1;
		p->image_expected = -1;
	}
	return n;
}
