/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * signalfd_here.h - a migrated process's signalfds read its signals
 * where it runs.
 *
 * A signalfd reads the pending signals of the task that reads it, not of
 * the one that made it.  At home it is the deputy's fd, and the deputy
 * keeps no signal: each one it gets goes on to the process, where it
 * runs (ssid's MIG_SIGNAL), and the signals the process raises itself
 * are there too.  So the remote node makes a signalfd of the same mask
 * and flags and installs it in the process under the number home gave
 * (the fd set of proc_self.h, under the name SIGNALFD_HERE): reads run
 * there, natively, on the process's own signals.  Its flags follow
 * fcntl(F_SETFL) and FIONBIO, which run at home and there.  A wait on it
 * runs there when every fd it waits for is served there; one that mixes
 * it with fds served at home, and epoll_ctl() adding it to an epoll set
 * (whose readiness is home's), send the process home, where the fd reads
 * the process again.  An epoll set that already watches one is refused
 * before the freeze.  A signalfd made or changed after the move
 * (signalfd, signalfd4) sends the process home.  Home's fd is the one
 * that stays: mask and flags follow it, and it is the process's again
 * once it is back.
 */
#ifndef SSID_SIGNALFD_HERE_H
#define SSID_SIGNALFD_HERE_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "forward/call_remote.h"
#include "forward/proc_self.h"

/* The name a signalfd has in the fd set and in MIG_PROC_FDS. */
#define SIGNALFD_HERE	"signalfd"

/*
 * signalfd_held - call @cb(@arg, fd, flags, mask, NULL, SIGNALFD_HERE) for each
 * signalfd of process @pid (O_NONBLOCK | O_CLOEXEC of its flags; mask:
 * bit N-1 for signal N, as signalfd4() takes it).
 * Return: 0; -errno if its fds cannot be listed; EOPNOTSUPP with a
 * reason in @err if one cannot be served where it runs: an epoll set of
 * the process watches it, or it has more than @max.
 */
int signalfd_held(pid_t pid, unsigned int max,
		  void (*cb)(void *arg, int fd, int flags, uint64_t mask,
			     const struct seq_pos *none, const char *name),
		  void *arg, char *err, size_t errlen);

/* A new signalfd of @mask, O_NONBLOCK if @flags has it, close-on-exec. */
int signalfd_open(uint64_t mask, int flags);

/* Where a call that may wait on a signalfd served here runs. */
enum signalfd_wait {
	SIGNALFD_WAIT_NONE,	/* it involves none: as any call */
	SIGNALFD_WAIT_HERE,	/* every fd it involves is served here */
	SIGNALFD_WAIT_HOME,	/* it mixes one with fds served at home */
};

/*
 * signalfd_wait - @p, built for forwarding (its fd arrays in its IN
 * area): poll, ppoll, select, pselect6 and epoll_ctl, against the fds
 * served here @s.
 */
enum signalfd_wait signalfd_wait(const struct proc_self_fds *s,
				 const struct ssi_fwd_pending *p, int nr);
#endif /* SSID_SIGNALFD_HERE_H */
