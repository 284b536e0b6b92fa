/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seccomp_carry.h - a process's own seccomp filters, carried with it.
 *
 * ssi.ko cannot read seccomp filters (the kernel exports nothing for it),
 * so ssid does: at home, before the freeze, it reads each thread's chain
 * with ptrace (seccomp_chain_read(), migrate/seccomp_read.c), sends it to
 * the target beside the image (MIG_SECCOMP, doc/wire-protocol.md), where
 * the restore helper installs it, oldest first, before ssid's own
 * forwarding filter: ssid's is the newest, and theirs keep their meaning
 * (the kernel runs every filter and takes the strictest answer).
 *
 * The encoding (network byte order), which the home node makes and the
 * target, ssid and the helper alike, checks with seccomp_chain_decode():
 *
 *   u8 version (1), u8[3] zero
 *   u32 number of filters, 1 .. SECCOMP_CARRY_MAX_FILTERS
 *   per filter, oldest first:
 *     u32 flags          SECCOMP_FILTER_FLAG_LOG or 0
 *     u32 len            instructions, 1 .. BPF_MAXINSNS
 *     len x { u16 code, u8 jt, u8 jf, u32 k }
 *
 * and nothing after.  Only what can be carried is accepted: what the
 * kernel would accept on install (BPF_MAXINSNS per filter, and its
 * MAX_INSNS_PER_PATH of 32768 for the chain, counting 4 more per filter
 * below the newest: kernel/seccomp.c, seccomp_attach_filter()), and no
 * filter that may answer SECCOMP_RET_USER_NOTIF: its listener stays at
 * home with whoever holds it.
 */
#ifndef SSID_SECCOMP_CARRY_H
#define SSID_SECCOMP_CARRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/filter.h>

#define SECCOMP_CARRY_VERSION		1
/* kernel/seccomp.c: MAX_INSNS_PER_PATH, and its penalty per filter */
#define SECCOMP_CARRY_MAX_PATH		32768u
#define SECCOMP_CARRY_PENALTY		4u
/* the most filters a path can hold: one instruction each, plus penalty */
#define SECCOMP_CARRY_MAX_FILTERS	(SECCOMP_CARRY_MAX_PATH / (1 + SECCOMP_CARRY_PENALTY) + 1)
#define SECCOMP_CARRY_HDR_LEN		8u
#define SECCOMP_CARRY_FILTER_HDR_LEN	8u
#define SECCOMP_CARRY_INSN_LEN		8u
/* the longest valid encoding */
#define SECCOMP_CARRY_MAX_LEN		(SECCOMP_CARRY_HDR_LEN + \
	SECCOMP_CARRY_FILTER_HDR_LEN * (size_t)SECCOMP_CARRY_MAX_FILTERS + \
	SECCOMP_CARRY_INSN_LEN * (size_t)SECCOMP_CARRY_MAX_PATH)

struct seccomp_one {
	uint32_t flags;			/* SECCOMP_FILTER_FLAG_LOG or 0 */
	uint32_t len;			/* instructions */
	struct sock_filter *insns;	/* into the chain's @insns */
};

/* A thread's filters, oldest first (index 0, as ptrace numbers them). */
struct seccomp_chain {
	uint32_t n;
	struct seccomp_one *f;		/* @n of them */
	struct sock_filter *insns;	/* all, one filter after another */
	uint32_t total;			/* instructions in @insns */
};

/*
 * seccomp_prog_may_notify - whether classic BPF program @p (@len
 * instructions) can return SECCOMP_RET_USER_NOTIF: a constant return of
 * that action, or a return of the accumulator, whose value is not known.
 */
bool seccomp_prog_may_notify(const struct sock_filter *p, uint32_t len);

/*
 * seccomp_chain_check - whether @c can be carried and installed again
 * (see above), with @extra more instructions on top (ssid's own filter,
 * the newest; 0 for none).
 * Return: 0, or -EINVAL (malformed), -E2BIG (over the kernel's limits),
 * -EOPNOTSUPP (a filter that notifies a listener), with @why.
 */
int seccomp_chain_check(const struct seccomp_chain *c, uint32_t extra, char *why, size_t len);

/* seccomp_chain_encoded_len - the bytes seccomp_chain_encode() writes. */
size_t seccomp_chain_encoded_len(const struct seccomp_chain *c);

/* seccomp_chain_encode - @c into @buf of seccomp_chain_encoded_len() bytes. */
size_t seccomp_chain_encode(const struct seccomp_chain *c, void *buf);

/*
 * seccomp_chain_decode - @len bytes at @buf into @c (allocated: free it
 * with seccomp_chain_free()), checked with seccomp_chain_check(@c, 0).
 * Return: 0, or -EINVAL, -E2BIG, -EOPNOTSUPP or -ENOMEM with @why; @c is
 * then empty.
 */
int seccomp_chain_decode(const void *buf, size_t len, struct seccomp_chain *c,
			 char *why, size_t whylen);

/*
 * seccomp_chain_add - append a filter of @len instructions @p with @flags
 * (the newest so far).  Return: 0 or -ENOMEM.
 */
int seccomp_chain_add(struct seccomp_chain *c, const struct sock_filter *p, uint32_t len,
		      uint32_t flags);

/*
 * seccomp_prog_run - what classic BPF program @p (@len instructions, as
 * the kernel accepted it) returns for @d; SECCOMP_RET_KILL_PROCESS for
 * what the kernel would not run (a jump or a load out of range).
 * seccomp_chain_run - the answer of the whole chain: the kernel's, the
 * action of highest precedence (lowest, as a signed value), the newest
 * filter's among equal ones.
 */
struct seccomp_data;
uint32_t seccomp_prog_run(const struct sock_filter *p, uint32_t len,
			  const struct seccomp_data *d);
uint32_t seccomp_chain_run(const struct seccomp_chain *c, const struct seccomp_data *d);

/*
 * seccomp_chain_deputy_check - whether @c lets through the calls the
 * deputy stub makes for itself at home (kmod/stub/stub.c: its channel,
 * signal handlers, limits, threads), with the arguments it makes them
 * with as far as they are known (pointers and the channel's number are
 * stand-ins), for process @pid.  The deputy runs under the process's
 * filters: a call they do not allow would break it.
 * Return: 0, or -EOPNOTSUPP with the call named in @why.
 */
int seccomp_chain_deputy_check(const struct seccomp_chain *c, pid_t pid, char *why, size_t len);

/* seccomp_chain_equal - same filters, instruction for instruction, same flags. */
bool seccomp_chain_equal(const struct seccomp_chain *a, const struct seccomp_chain *b);

void seccomp_chain_free(struct seccomp_chain *c);

/*
 * seccomp_chain_read - the filters of process @pid (all its threads'
 * chains must be the same: their leader's is returned in @c), read with
 * ptrace in a short-lived child of the caller, which needs CAP_SYS_ADMIN
 * and no seccomp filter of its own.  The threads stop for the moment it
 * takes (PTRACE_SEIZE + PTRACE_INTERRUPT), and go on as they were: a call
 * interrupted restarts.  @extra as for seccomp_chain_check().
 * Return: 0, or a positive errno with the reason in @err (@errlen bytes).
 */
int seccomp_chain_read(pid_t pid, uint32_t extra, struct seccomp_chain *c, char *err,
		       size_t errlen);

#endif /* SSID_SECCOMP_CARRY_H */
