/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * syscall_policy.h - what happens to each x86-64 system call made by a
 * process that runs away from its home node.
 *
 * The table itself is syscall_policy.c: the ONE place that decides it.
 * The seccomp filter (seccomp_filter.c) is generated from it, and the
 * forwarding relay marshals arguments with the descriptors it holds.
 */
#ifndef SSID_SYSCALL_POLICY_H
#define SSID_SYSCALL_POLICY_H

#include <stdbool.h>
#include <stdint.h>

/* Highest syscall number the table knows (x86-64, Linux 6.1). */
#define SSI_SC_MAX		450

/*
 * What the remote node does with a syscall.  The order matters only for
 * ssi_sc_policy_name().
 */
enum ssi_sc_policy {
	/*
	 * Migrate the process back home and re-execute the syscall there.
	 * The default for every number the table does not name, so nothing
	 * unknown ever fails for being remote.
	 */
	SSI_SC_PULL_HOME = 0,
	/* Runs on the remote node, as if the process had never moved. */
	SSI_SC_LOCAL,
	/* Executed at home by the deputy; results and buffers come back. */
	SSI_SC_FORWARD,
	/* Answered by ssid from the home values it keeps (getppid). */
	SSI_SC_CACHED,
	/*
	 * Runs locally when its arguments say so (checked in the seccomp
	 * filter itself), else pulls home or is forwarded (.otherwise); see
	 * ssi_sc_entry.cond.
	 */
	SSI_SC_LOCAL_IF,
	SSI_SC_POLICY_COUNT
};

/* Conditions of SSI_SC_LOCAL_IF entries, evaluated on the arguments. */
enum ssi_sc_cond {
	SSI_SC_COND_NONE = 0,
	/* arg[k] & mask == want: e.g. mmap flags MAP_ANONYMOUS, !MAP_SHARED */
	SSI_SC_COND_ARG_MASK,
	/* arg[k] & mask != want: e.g. every prctl but PR_SET_SECCOMP */
	SSI_SC_COND_ARG_NE,
};

/*
 * How one argument of a forwarded syscall crosses to the deputy.  Values
 * (fds, flags, sizes) are copied as they are; pointers are described so
 * the relay copies the memory they point to from the remote process to
 * home (IN), from home back to the remote process (OUT), or both.
 */
enum ssi_arg_kind {
	SSI_ARG_VAL = 0,	/* plain integer (flags, size, pid): copied as is */
	SSI_ARG_FD,		/* a file descriptor: copied as is; names a home fd */
	SSI_ARG_IN_STR,		/* NUL-terminated string, at most PATH_MAX */
	SSI_ARG_IN_BUF,		/* arg[len] bytes read by the kernel */
	SSI_ARG_OUT_BUF,	/* up to arg[len] bytes written; a non-negative
				 * return value says how many (read, getcwd) */
	SSI_ARG_OUT_BUF_LENP,	/* bytes written, capacity in the socklen_t
				 * that arg[len] points to (accept, getsockopt);
				 * that socklen_t is an INOUT_FIXED argument */
	SSI_ARG_IN_FIXED,	/* a struct of .size bytes, read */
	SSI_ARG_OUT_FIXED,	/* a struct of .size bytes, written */
	SSI_ARG_INOUT_FIXED,	/* a struct of .size bytes, both */
	SSI_ARG_IN_IOV,		/* struct iovec[arg[len]] whose buffers are read */
	SSI_ARG_OUT_IOV,	/* struct iovec[arg[len]]; return value bytes
				 * are scattered back into them */
	SSI_ARG_IN_ARRAY,	/* arg[len] elements of .size bytes, read */
	SSI_ARG_INOUT_ARRAY,	/* arg[len] elements of .size bytes, both */
	SSI_ARG_OUT_ARRAY_RET,	/* up to arg[len] elements of .size bytes;
				 * the return value says how many (epoll_wait) */
	SSI_ARG_CUSTOM,		/* marshalled by the entry's named handler */
	SSI_ARG_KIND_COUNT
};

struct ssi_sc_arg {
	uint8_t kind;		/* enum ssi_arg_kind */
	uint8_t len;		/* index of the argument holding the length
				 * or count, where the kind uses one */
	uint16_t size;		/* bytes of a FIXED struct / ARRAY element */
};

/*
 * How a forwarded call ends when a signal interrupts it (signal(7)): what
 * the remote process's kernel is told, so that it restarts the call or
 * returns EINTR exactly as it would have if the call had run there.
 */
enum ssi_sc_intr {
	/* ERESTARTSYS: restarted under SA_RESTART or without a handler */
	SSI_SC_INTR_RESTARTSYS = 0,
	/* ERESTARTNOHAND: EINTR after a handler, restarted without one
	 * (poll, select: a timeout starts over) */
	SSI_SC_INTR_NOHAND,
	/* EINTR, never restarted, not even after a stop (epoll_wait) */
	SSI_SC_INTR_EINTR,
};

/* The kernel's restart codes (512..516), which user space never sees. */
#define SSI_SC_ERESTARTSYS	512
#define SSI_SC_ERESTARTNOINTR	513
#define SSI_SC_ERESTARTNOHAND	514
#define SSI_SC_ERESTART_MAX	516

struct ssi_sc_entry {
	const char *name;	/* NULL: not named by the table (pull-home) */
	uint8_t policy;		/* enum ssi_sc_policy */
	uint8_t nargs;		/* arguments the syscall takes */
	uint8_t intr;		/* SSI_SC_FORWARD: enum ssi_sc_intr */
	/*
	 * SSI_SC_LOCAL_IF: local when (arg[cond_arg] & cond_mask) == cond_want
	 * (SSI_SC_COND_ARG_MASK), or != (SSI_SC_COND_ARG_NE)
	 */
	uint8_t cond;		/* enum ssi_sc_cond */
	/*
	 * SSI_SC_LOCAL_IF: the policy when the condition fails: 0 (pull-home)
	 * or SSI_SC_FORWARD (marshalled by args[], as a FORWARD entry).
	 */
	uint8_t otherwise;
	uint8_t cond_arg;
	uint64_t cond_mask;
	uint64_t cond_want;
	struct ssi_sc_arg args[6];
	/*
	 * SSI_ARG_CUSTOM marshalling (ioctl, fcntl, msghdr, poll sets, ...):
	 * the relay's handler of this name does the work.
	 */
	const char *custom;
	/* Why this policy: the table documents itself (check_syscall_policy
	 * requires a reason for every entry). */
	const char *why;
};

/*
 * ssi_sc_lookup - the table entry of syscall @nr.
 * Return: the entry; for numbers the table does not name (including
 * negative and > SSI_SC_MAX), a static PULL_HOME entry whose name is NULL.
 * Never NULL.
 */
const struct ssi_sc_entry *ssi_sc_lookup(long nr);

/* ssi_sc_policy_of - shorthand for ssi_sc_lookup(nr)->policy. */
enum ssi_sc_policy ssi_sc_policy_of(long nr);

/*
 * ssi_sc_forwards - whether a call @nr may be forwarded home: a FORWARD
 * entry, or a LOCAL_IF one forwarded when its condition fails.
 */
bool ssi_sc_forwards(long nr);

/* ssi_sc_policy_name - "pull-home", "local", "forward", "cached", "local-if". */
const char *ssi_sc_policy_name(enum ssi_sc_policy policy);

/*
 * ssi_sc_interrupted - the return value the remote process's kernel must
 * see for forwarded call @nr that a signal interrupted at home with
 * @home_ret: -SSI_SC_ERESTARTSYS (it would have restarted there, or never
 * ran) or -EINTR.  Either a -ERESTART* code or -EINTR, per the entry's
 * ssi_sc_intr; a -EINTR at home stays -EINTR unless the call is NOHAND.
 */
int64_t ssi_sc_interrupted(long nr, int64_t home_ret);

/*
 * ssi_sc_counts - how many of the numbers 0..SSI_SC_MAX have each policy.
 * @counts:	SSI_SC_POLICY_COUNT entries, filled in.
 * Return: the number of syscalls the table names explicitly.
 */
unsigned int ssi_sc_counts(unsigned int counts[SSI_SC_POLICY_COUNT]);

#endif /* SSID_SYSCALL_POLICY_H */
