/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * relay_remote.h - the remote half of the forwarding relay: the calls a
 * migrated process makes on this node that the policy table does not run
 * here, taken from its seccomp listener and settled.
 *
 *   cached    (getppid): answered with the home value (getpid and gettid
 *             run locally: the process's pid namespace gives its home ids);
 *   forward   marshalled (call_remote.h) and handed to the owner to send
 *             home; the reply is written back into the process and the
 *             notification answered;
 *   pull-home (and a call the relay cannot marshal): handed to the owner,
 *             which sends the process home (migrate/remote_side.c);
 *   here      a read, write or seek on an fd that holds one of the
 *             process's own /proc entries opened here (proc_self.h).
 *
 * A call in flight at home waits killable only (seccomp_filter.h), so a
 * signal for the process stays pending meanwhile: the relay looks for one
 * every RELAY_SIGNAL_POLL_MS and asks the owner to cancel the call at
 * home; the interrupted call is then answered with the restart code its
 * own kernel would have used, so SA_RESTART and the restart are exactly
 * native.
 *
 * The relay knows no peers and no messages: the owner moves the bytes.
 * Everything runs on ssid's event loop; nothing blocks.
 */
#ifndef SSID_RELAY_REMOTE_H
#define SSID_RELAY_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemon/loop.h"
#include "forward/proc_self.h"

struct relay_pending;

/* What the relay asks of its owner; every callback gets the owner's @arg. */
struct relay_remote_ops {
	/*
	 * send request @seq (@msg, @len: call_wire.h bytes) home, for the
	 * deputy thread @home_tid to run: 0 or -errno
	 */
	int (*send_request)(void *arg, uint64_t seq, uint32_t home_tid,
			    const void *msg, size_t len);
	/* ask home to give up request @seq of thread @home_tid: 0 or -errno */
	int (*send_cancel)(void *arg, uint64_t seq, uint32_t home_tid);
	/*
	 * Call @nr (notification @notif_id, of thread @tid) runs at home
	 * only: the owner sends the process home, or answers -ENOSYS
	 * (relay_remote_answer()).
	 */
	void (*pull_home)(void *arg, uint64_t notif_id, pid_t tid, int nr);
	/* the listener can no longer be watched: the owner kills the process */
	void (*lost)(void *arg);
	/*
	 * Thread @home_tid creates a thread (clone with CLONE_THREAD): ask
	 * home for its deputy thread; the answer comes through
	 * relay_remote_spawned().  0 or -errno.
	 */
	int (*send_spawn)(void *arg, uint32_t home_tid);
	/*
	 * The thread the process makes next gets tid @home_tid in its pid
	 * namespace (its home tid, as its memory knows it): 0 or -errno.
	 */
	int (*next_tid)(void *arg, uint32_t home_tid);
	/*
	 * The deputy thread @home_tid home started is thread @tid here now,
	 * or (@tid 0) stands for no thread: the clone made none.
	 */
	void (*spawn_done)(void *arg, uint32_t home_tid, pid_t tid);
};

struct relay_spawn;
struct relay_keep;

struct relay_remote {
	struct loop *loop;
	struct loop_handler listen_h;	/* the seccomp listener; fd -1: none */
	bool paused;			/* relay_remote_pause() */
	bool fds_due;			/* relay_remote_await_fds() */
	bool listening;			/* listener in the loop: neither */
	bool going_home;		/* an interrupted call restarts at home */
	bool called;			/* a call came: the process runs */
	pid_t pid;			/* the process on this node */
	uint32_t home_pid, home_ppid, home_tid;	/* the offer's */
	/* which thread here is which at home (relay_remote_set_threads) */
	uint32_t nthreads;
	pid_t *local_tids;
	uint32_t *home_tids;
	const char *home;		/* its home node, for the log */
	/* threads being made, one at a time: the one home is asked for, the rest */
	struct relay_spawn *spawn, *spawn_q;
	struct relay_pending *pend;	/* requests home, newest first */
	uint64_t seq;			/* of the last request sent */
	uint64_t sig_check_ms;		/* next look for signals, or LOOP_NEVER */
	uint64_t forwarded, bytes;	/* calls answered from home, bytes both ways */
	int procfd;			/* proc mount of its pid namespace; -1: none */
	int pidfd;			/* of the process, once needed; -1: none */
	struct proc_self_fds proc_fds;	/* its fds that hold such an entry here */
	struct relay_keep *keep;	/* such fds held since before the move, */
	uint32_t nkeep;			/* opened here at its next call */
	const struct relay_remote_ops *ops;
	void *arg;
};

/*
 * relay_remote_init - an idle relay for the process whose home pid, ppid
 * and tid are given, at node @home (kept, not copied).
 */
void relay_remote_init(struct relay_remote *r, struct loop *loop,
		       uint32_t home_pid, uint32_t home_ppid, uint32_t home_tid,
		       const char *home, const struct relay_remote_ops *ops,
		       void *arg);

/*
 * relay_remote_set_threads - the process's @n threads: @local[i] here is
 * @home[i] at home (copied).  A call is sent home for the deputy thread of
 * its caller.  Without a map (or for a thread
 * not in it) the leader's pid is its home tid, and other threads have
 * none (0).  Return: 0 or -ENOMEM.
 */
int relay_remote_set_threads(struct relay_remote *r, uint32_t n, const pid_t *local,
			     const uint32_t *home);

/*
 * relay_remote_add_thread - thread @local here is @home at home now (a
 * thread made after the move).  relay_remote_drop_thread - thread @local
 * ended.  Return: 0 or -ENOMEM; nothing.
 */
int relay_remote_add_thread(struct relay_remote *r, pid_t local, uint32_t home);
void relay_remote_drop_thread(struct relay_remote *r, pid_t local);

/* relay_remote_home_tid, _local_tid - translate a tid by the map; 0: none. */
uint32_t relay_remote_home_tid(const struct relay_remote *r, pid_t tid);
pid_t relay_remote_local_tid(const struct relay_remote *r, uint32_t home_tid);

/*
 * relay_remote_set_proc - open the process's own /proc entries here in
 * proc mount @procfd (copied) of its pid namespace (proc_self.h).
 * Return: 0 or -errno.
 */
int relay_remote_set_proc(struct relay_remote *r, int procfd);

/*
 * relay_remote_keep_proc - the process's fd @fd holds its entry @path
 * (proc_self.h; from the home node: checked) with @flags, read up to
 * @pos, with seq_file state @seq (NULL: none): open it here too, in that
 * state, at the process's next call (the seccomp listener can give it an
 * fd then only).  @path SIGNALFD_HERE: a signalfd of mask @pos
 * (signalfd_here.h), made here.  Return: 0, -EINVAL (@path is not an
 * entry served here), -ENOMEM.
 */
int relay_remote_keep_proc(struct relay_remote *r, int fd, int flags, uint64_t pos,
			   const struct seq_pos *seq, const char *path);

/*
 * relay_remote_proc_held - @cb for each fd whose entry is served here:
 * its flags, offset and seq_file state now (the home fd takes them when
 * it goes home).
 */
void relay_remote_proc_held(struct relay_remote *r,
			    void (*cb)(void *arg, int fd, int flags, uint64_t pos,
				       const struct seq_pos *seq, const char *path),
			    void *arg);

/*
 * relay_remote_listen - serve seccomp listener @fd (taken) of process
 * @pid.  Return: 0, or -errno (epoll; @fd is closed).
 */
int relay_remote_listen(struct relay_remote *r, pid_t pid, int fd);

/*
 * relay_remote_pause, relay_remote_resume - take the listener out of the
 * loop (new calls wait in the kernel, where a freeze interrupts them) and
 * put it back.  A resume that epoll refuses calls ops->lost.
 */
void relay_remote_pause(struct relay_remote *r);
void relay_remote_resume(struct relay_remote *r);

/*
 * relay_remote_await_fds, relay_remote_fds_known - no call of the process
 * is served before home's list of its fds served here (MIG_PROC_FDS) is:
 * a read of its signalfd sent home would wait there for ever.
 */
void relay_remote_await_fds(struct relay_remote *r);
void relay_remote_fds_known(struct relay_remote *r);

/*
 * relay_remote_answer - answer notification @id with @ret (a negative
 * value down to -4095 is an error).  relay_remote_answer_restart - answer
 * it, a call of thread @tid, with a restart code (-ERESTARTSYS ...), which
 * the thread acts on in its signal-delivery path: it makes the call again.
 * Return: 0, or -errno (-ENOENT: the process died meanwhile).
 */
int relay_remote_answer(struct relay_remote *r, uint64_t id, int64_t ret);
int relay_remote_answer_restart(struct relay_remote *r, uint64_t id, pid_t tid,
				int64_t code);

/*
 * relay_remote_reply - home answered request @seq with @data (@len bytes,
 * untrusted): write the results into the process and answer its call.
 * A reply to no pending request is ignored.
 */
void relay_remote_reply(struct relay_remote *r, uint64_t seq, const void *data,
			size_t len);

/*
 * relay_remote_cancel_all - ask home to give up every request in flight
 * (each once); their replies come as usual.
 */
void relay_remote_cancel_all(struct relay_remote *r);

/*
 * relay_remote_check_signals - a signal may be pending (one was just
 * relayed from home): cancel the calls in flight if it would have
 * interrupted them.
 */
void relay_remote_check_signals(struct relay_remote *r);

/* relay_remote_timer - the periodic look for signals; the next deadline. */
uint64_t relay_remote_timer(struct relay_remote *r, uint64_t now_ms);

/* relay_remote_busy - whether a request waits for its home. */
bool relay_remote_busy(const struct relay_remote *r);

/*
 * relay_remote_destroy - close the listener and forget the requests in
 * flight (their calls end with the process).
 */
void relay_remote_destroy(struct relay_remote *r);

/*
 * relay_remote_spawned - home's answer to ops->send_spawn: the new deputy
 * thread's tid, or -errno (the clone then fails with it).  The clone goes
 * on here (forward/clone_thread.h) and ops->spawn_done says how it ended;
 * then the next thread waiting to be made is asked for.
 */
void relay_remote_spawned(struct relay_remote *r, int32_t home_tid);

#endif /* SSID_RELAY_REMOTE_H */
