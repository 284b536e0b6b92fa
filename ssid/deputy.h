/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * deputy.h - ssid's side of a deputy: the home task of a migrated process,
 * running the stub of kmod/stub/, driven over its channel.
 *
 * A forwarded call arrives from the remote node as an encoded request
 * (fwd_proto.h); ssi_deputy_call() checks it may run at home, places its
 * area in the deputy, has the stub run it and returns the encoded reply.
 */
#ifndef SSI_DEPUTY_H
#define SSI_DEPUTY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ssi_deputy {
	pid_t pid;		/* the home pid the process keeps */
	int chan;		/* our end of the channel (SOCK_SEQPACKET) */
	long stub_chan;		/* the stub's end, as an fd number in the deputy */
	uint64_t area_base;	/* where the stub's area is in the deputy */
	uint64_t area_len;
	uint64_t seq;
	uint64_t calls;		/* forwarded calls run */
	/* Called for each signal the home task received (siginfo: 128 bytes). */
	void (*on_signal)(struct ssi_deputy *d, int sig, const void *siginfo, void *arg);
	void *arg;
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
 * ssi_deputy_call - run one forwarded call in the deputy.
 * @req, @len:	the encoded request from the remote node (untrusted).
 * @reply:	receives a malloc'ed encoded reply; free() it.
 * @rlen:	its length.
 *
 * Requests that may not run at home are answered, not run: a syscall the
 * policy table does not forward gets -ENOSYS; the channel's fd number is
 * treated as a closed fd (-EBADF), and close_range() skips it.
 * Signals arriving meanwhile go to d->on_signal.
 * Return: 0 (a reply was produced), -EINVAL for a malformed request,
 * -EPIPE if the deputy is gone, or another -errno.
 */
int ssi_deputy_call(struct ssi_deputy *d, const void *req, size_t len,
		    void **reply, size_t *rlen);

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

#endif /* SSI_DEPUTY_H */
