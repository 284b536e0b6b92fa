/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * deputy_driver.h - ssid's side of a deputy: the home task of a migrated
 * process, running the stub of kmod/stub/, driven over its channel.
 *
 * A forwarded call arrives from the remote node as an encoded request
 * (call_wire.h); ssi_deputy_call() checks it may run at home, places its
 * area in the deputy, has the stub run it and returns the encoded reply.
 */
#ifndef SSID_DEPUTY_DRIVER_H
#define SSID_DEPUTY_DRIVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "forward/call_home.h"

/*
 * Why asynchronous (and not a thread per deputy): a forwarded call may
 * block at home for ever (a read on an empty pipe), so ssid must not wait
 * for it; but the transport is not thread-safe and the stub runs one call
 * at a time anyway.  So a call is started (its area written, SYSCALL sent)
 * and the loop watches the channel: each event is either a SIGNAL, handed
 * to on_signal, or the RESULT that completes the call.  No thread, no
 * lock; one call in flight per deputy thread (each thread of a migrated
 * process has its own stub and channel; callers queue further requests).
 */
struct ssi_deputy_inflight {
	int busy;		/* a call is in flight */
	int stage;		/* close_range split: 1 = lower half running */
	void *req;		/* copy of the request (call points into it) */
	struct ssi_fwd_call call;
	uint8_t *area;
	uint64_t args[6];
	uint64_t seq;		/* of the SYSCALL command awaited */
};

struct ssi_deputy {
	pid_t pid;		/* the home pid the process keeps */
	pid_t tid;		/* the thread whose stub this is (pid: the leader) */
	int chan;		/* our end of the channel (SOCK_SEQPACKET) */
	long stub_chan;		/* the stub's end, as an fd number in the deputy */
	/*
	 * The fd numbers the process must not see: every thread's stub
	 * channel (the stubs put them at the top, one below the other).
	 * stub_chan alone unless ssi_deputy_hide() widened it.
	 */
	long hide_lo, hide_hi;
	uint64_t area_base;	/* where the stub's area is in the deputy */
	uint64_t area_len;
	uint64_t seq;
	uint64_t calls;		/* forwarded calls run */
	/* Called for each signal the home task received (siginfo: 128 bytes). */
	void (*on_signal)(struct ssi_deputy *d, int sig, const void *siginfo, void *arg);
	void *arg;
	struct ssi_deputy_inflight cur;
};

/*
 * ssi_deputy_attach - wait (up to @timeout_ms) for the stub's READY on
 * @chan and fill @d.  @d->on_signal/arg may be set before or after.
 * Return: 0, -ETIMEDOUT, -EPROTO (not a stub speaking our protocol), or
 * another -errno from the socket.
 */
int ssi_deputy_attach(struct ssi_deputy *d, pid_t pid, int chan, uint64_t area_base,
		      uint64_t area_len, int timeout_ms);

/*
 * ssi_deputy_attach_thread - as ssi_deputy_attach, for the stub of thread
 * @tid of the deputy @pid (a process that migrated with several threads:
 * each has its own channel and area, SSI_IOC_DEPUTY's struct
 * ssi_deputy_thread).  A cancel goes to that thread.
 */
int ssi_deputy_attach_thread(struct ssi_deputy *d, pid_t pid, pid_t tid, int chan,
			     uint64_t area_base, uint64_t area_len, int timeout_ms);

/*
 * ssi_deputy_hide - the channels of all the deputy's threads are the fd
 * numbers @lo..@hi: forwarded calls treat them as closed fds.
 */
void ssi_deputy_hide(struct ssi_deputy *d, long lo, long hi);

/*
 * ssi_deputy_call - run one forwarded call in the deputy.
 * @req, @len:	the encoded request from the remote node (untrusted).
 * @reply:	receives a malloc'ed encoded reply; free() it.
 * @rlen:	its length.
 *
 * Requests that may not run at home are answered, not run: a syscall the
 * policy table does not forward gets -ENOSYS; the channels' fd numbers are
 * treated as closed fds (-EBADF), and close_range() skips them.
 * Signals arriving meanwhile go to d->on_signal.
 * Return: 0 (a reply was produced), -EINVAL for a malformed request,
 * -EPIPE if the deputy is gone, or another -errno.
 */
int ssi_deputy_call(struct ssi_deputy *d, const void *req, size_t len,
		    void **reply, size_t *rlen);

/*
 * ssi_deputy_start - start one forwarded call (as ssi_deputy_call) without
 * waiting for it.
 * Return: 1 when the answer is known at once (@reply and @rlen set, as
 * ssi_deputy_call: refused syscall, the channel's fd); 0 when the call
 * runs: call ssi_deputy_event() whenever d->chan is readable until it
 * returns 1; -EBUSY if a call is already in flight; otherwise the errors
 * of ssi_deputy_call (nothing is in flight then).
 */
int ssi_deputy_start(struct ssi_deputy *d, const void *req, size_t len,
		     void **reply, size_t *rlen);

/*
 * ssi_deputy_event - take one event from the channel without blocking.
 * A SIGNAL goes to d->on_signal.  Return: 1 when the call in flight
 * completed (@reply and @rlen as ssi_deputy_call); 0 after an event that did
 * not complete it; -EAGAIN when there was nothing to read; -EPIPE if the
 * deputy is gone; -EPROTO for an event that makes no sense.  After an
 * error nothing is in flight any more.
 */
int ssi_deputy_event(struct ssi_deputy *d, void **reply, size_t *rlen);

/*
 * ssi_deputy_park_itimers - arm the deputy's ITIMER_VIRTUAL and ITIMER_PROF
 * far out (SSI_ITIMER_PARK_SEC), with no call in flight: the remote node
 * runs the process's, and a return home sets them to those (a module can
 * only move an armed CPU timer).  Waits up to @timeout_ms for each.
 * Return: 0, -EBUSY, or the errors of ssi_deputy_call.
 */
int ssi_deputy_park_itimers(struct ssi_deputy *d, int timeout_ms);

/*
 * ssi_deputy_make_timers - the POSIX timers of the image the process comes
 * home with, made in the deputy (ptimer_make.h): the deputy's own (the
 * process's when it left, stopped since) are deleted, then each of @p is
 * made under its id (SSI_IOC_TIMER_ID on @dev, an open /dev/ssi) and
 * parked, for SSI_IOC_RETURN to check and arm.  With no call in flight;
 * waits up to @timeout_ms for each call.
 * Return: 0, or -errno with @why (@len bytes) saying what failed.
 */
struct ssi_img_posix_timer;
int ssi_deputy_make_timers(struct ssi_deputy *d, int dev, const struct ssi_img_posix_timer *p,
			   uint32_t n, int timeout_ms, char *why, size_t len);

/* The stack of a deputy thread ssid starts: as the module's (ssi_internal.h). */
#define SSI_DEPUTY_SEAT_STACK	(64UL << 10)

/* A deputy thread's place in the deputy: what ssi_deputy_spawn() needs and gives. */
struct ssi_deputy_seat {
	uint32_t index;		/* IN: its stub's channel goes index-th from the top */
	uint64_t area;		/* IN/OUT: its area (SSI_DEPUTY_AREA_DEFAULT bytes)
				 * and stack, or 0 for new ones */
	uint64_t stack;
	pid_t tid;		/* OUT: the new thread */
	int chan;		/* OUT: ssid's end of its channel */
};

/*
 * ssi_deputy_spawn - start one more thread in the deputy, for a thread the
 * remote process created: map its area and stack in the deputy (unless
 * @seat names those of a thread that ended), pass it a new channel, and
 * have the idle stub of @d clone it (deputy_proto.h, SPAWN).  The new
 * thread's READY is for ssi_deputy_attach_thread() on @seat->chan.
 * Return: 0, -EBUSY (a call is in flight in @d), or -errno (nothing new
 * is left in the deputy; new mappings are undone).
 */
int ssi_deputy_spawn(struct ssi_deputy *d, struct ssi_deputy_seat *seat, int timeout_ms);

/* ssi_deputy_abandon - forget the call in flight (the deputy is gone). */
void ssi_deputy_abandon(struct ssi_deputy *d);

/*
 * ssi_deputy_cancel - ask the stub to give up the call in flight (a signal
 * interrupted it on the remote node): its RESULT then comes at once, with
 * -ERESTARTSYS (512) if it had not completed and the kernel would restart
 * it, -EINTR if the kernel does not restart it, or its own result if it had
 * completed.  A cancel that arrives before the call blocks is lost: call
 * again until the RESULT comes.  Return: 0 (also when nothing is in
 * flight), or -errno.
 */
int ssi_deputy_cancel(struct ssi_deputy *d);

/*
 * ssi_deputy_poll - read one event that arrived while no call was running
 * (a signal: the channel fd is readable).  Return: 0, -EAGAIN when there
 * was none, -EPIPE if the deputy is gone.
 */
int ssi_deputy_poll(struct ssi_deputy *d);

/*
 * ssi_deputy_finish - end the deputy with the remote's wait status
 * (as waitpid() reported it): it exits with the same code or dies of the
 * same signal (without a core file), so its parent sees what it would
 * have seen.  Return: 0 when sent, or -errno.
 */
int ssi_deputy_finish(struct ssi_deputy *d, int wstatus);

/*
 * ssi_deputy_end_thread - end this thread of the deputy alone (its remote
 * thread exited); its stub closes its channel end and exits, the other
 * threads go on.  Return: 0 when sent, -EBUSY with a call in flight, or
 * -errno.
 */
int ssi_deputy_end_thread(struct ssi_deputy *d);

#endif /* SSID_DEPUTY_DRIVER_H */
