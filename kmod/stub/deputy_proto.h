/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * deputy_proto.h - what ssid and the deputy stub say to each other.
 *
 * After a process migrates, its home task runs the deputy stub (stub.c,
 * embedded in ssi.ko, which maps it and enters it; see "Entry" below).
 * ssid on the home node drives the stub over a SOCK_SEQPACKET unix socket,
 * the channel: one message per record, so a signal handler's message
 * never interleaves with a reply.
 *
 *   ssid -> stub   struct ssi_dep_cmd      (SYSCALL, EXIT, EXIT_THREAD, KILL,
 *                                           SPAWN)
 *   stub -> ssid   struct ssi_dep_event    (READY, RESULT, SIGNAL)
 *
 * Forwarded calls: ssid writes the call's data area into the stub's area
 * (process_vm_writev at area_base), sends SYSCALL with the final arguments,
 * the stub runs the real system call with the real restart semantics and
 * answers RESULT; ssid reads the OUT segments back (process_vm_readv).
 *
 * Signals sent to the home pid are caught by the stub (every catchable
 * signal, SA_SIGINFO | SA_RESTART) and sent as SIGNAL with their siginfo.
 *
 * Cancelling the call in flight (a signal interrupted it on the remote
 * node): ssid queues SSI_DEP_CANCEL_SIG to the deputy with si_code
 * SI_QUEUE and si_int SSI_DEP_MAGIC.  The stub never relays that one.  If
 * the kernel was about to restart the call, or had not started it, the
 * stub makes it return -SSI_DEP_ERESTARTSYS instead; a call the kernel
 * does not restart after a handler returns -EINTR by itself; a call that
 * completed keeps its result.  Exactly one RESULT answers each SYSCALL.
 * A cancel that lands before the call blocks is lost: ssid sends it again
 * until the RESULT comes.
 *
 * Entry (the module's contract, and the test's): the stub's first byte is
 * its entry point; every thread of the deputy enters it with
 *   rdi = its channel fd, rsi = its area base, rdx = area length,
 *   rcx = its index (0 for the thread-group leader, then 1, 2, ... in the
 *         order SSI_IOC_DEPUTY named the other threads),
 *   rsp = 16-byte aligned top of its private stack, minus 8 (as after a
 *         call).
 * Thread i moves its channel to the i-th highest fd RLIMIT_NOFILE allows
 * (announced in READY) so that the process's own fd numbers stay free for
 * forwarded calls.  Each thread has its own channel: one blocked in a
 * forwarded call holds up no other; a signal is reported on the channel
 * of the thread that took it.
 *
 * A thread the remote process creates after the move gets a deputy thread
 * of its own: ssid maps its area and stack and passes its channel into the
 * deputy (ordinary SYSCALLs: mmap, recvmsg with SCM_RIGHTS), then SPAWN
 * makes the stub clone a thread that enters the stub under the contract
 * above (args: channel fd, area, area length, index, stack, stack length)
 * and answers RESULT with its tid.  The new thread says READY on its own
 * channel.
 *
 * Native endianness and layout: the stub and ssid run on the same node.
 */
#ifndef SSI_DEPUTY_PROTO_H
#define SSI_DEPUTY_PROTO_H

#include <linux/types.h>

#define SSI_DEP_MAGIC		0x53534450u	/* "SSDP" */
#define SSI_DEP_CANCEL_SIG	64		/* SIGRTMAX: queued, never merged */
#define SSI_DEP_ERESTARTSYS	512		/* the kernel's ERESTARTSYS */

enum ssi_dep_cmd_op {
	SSI_DEP_SYSCALL = 1,	/* run nr(args); answer RESULT */
	SSI_DEP_EXIT,		/* exit_group(value) */
	SSI_DEP_KILL,		/* die of signal value, without a core file */
	SSI_DEP_EXIT_THREAD,	/* this thread ends (exit), the others go on */
	SSI_DEP_SPAWN,		/* a new deputy thread; answer RESULT (its tid) */
};

struct ssi_dep_cmd {
	__u32 magic;
	__u32 op;		/* enum ssi_dep_cmd_op */
	__u64 seq;		/* echoed in RESULT */
	__u64 nr;		/* SYSCALL: syscall number */
	__u64 args[6];		/* SYSCALL: final arguments (area addresses);
				 * SPAWN: chan, area, area length, index,
				 * stack, stack length */
	__s64 value;		/* EXIT: status; KILL: signal number */
};

enum ssi_dep_event_type {
	SSI_DEP_READY = 1,	/* the stub runs; value = channel fd it moved to */
	SSI_DEP_RESULT,		/* a SYSCALL finished; value = return value */
	SSI_DEP_SIGNAL,		/* a signal arrived; siginfo holds it */
	SSI_DEP_ERROR,		/* a malformed command; value = -errno */
};

struct ssi_dep_event {
	__u32 magic;
	__u32 type;		/* enum ssi_dep_event_type */
	__u64 seq;		/* RESULT: the command's seq */
	__s64 value;
	__u8 siginfo[128];	/* SIGNAL: the siginfo_t the stub received */
};

#endif /* SSI_DEPUTY_PROTO_H */
