// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * seccomp_filter.c - turn the syscall policy table into a classic BPF
 * seccomp program.
 *
 * Shape of the program:
 *
 *   arch != x86-64                    -> KILL_PROCESS
 *   nr == ioctl && cmd == allowed     -> ALLOW          (restore helper)
 *   nr == X (each local-if entry)     -> ALLOW if (arg & mask) == want,
 *                                        else USER_NOTIF
 *   nr in a range of the table        -> a balanced binary search over the
 *                                        runs of equal verdicts: O(log n)
 *                                        compares, not one per syscall
 *
 * Only the migrated task runs this filter; nobody else pays for it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/seccomp.h>

#include "forward/seccomp_filter.h"
#include "forward/syscall_policy.h"

#define NR_OFF		offsetof(struct seccomp_data, nr)
#define ARCH_OFF	offsetof(struct seccomp_data, arch)
#define ARG_LO(i)	(offsetof(struct seccomp_data, args) + 8 * (i))
#define ARG_HI(i)	(ARG_LO(i) + 4)

/* Syscall numbers from here on are x32 (or garbage): never local. */
#define X32_BIT		0x40000000u

struct run {
	uint32_t lo;	/* first nr of the run */
	uint32_t ret;	/* SECCOMP_RET_ALLOW or SECCOMP_RET_USER_NOTIF */
};

struct emitter {
	struct sock_filter *insn;
	size_t len, cap;
	int err;
};

static void emit(struct emitter *e, struct sock_filter f)
{
	struct sock_filter *n;

	if (e->err)
		return;
	if (e->len == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 128;
		n = realloc(e->insn, e->cap * sizeof(*n));
		if (!n) {
			e->err = ENOMEM;
			return;
		}
		e->insn = n;
	}
	e->insn[e->len++] = f;
}

#define STMT(code, k)		((struct sock_filter)BPF_STMT(code, k))
#define JUMP(code, k, t, f)	((struct sock_filter)BPF_JUMP(code, k, t, f))

static uint32_t verdict_of(long nr)
{
	return ssi_sc_policy_of(nr) == SSI_SC_LOCAL ?
		SECCOMP_RET_ALLOW : SECCOMP_RET_USER_NOTIF;
}

/*
 * Emit a search over runs[lo..hi) (nr is in A).  Every run's numbers are
 * >= runs[i].lo and < runs[i+1].lo.  Returns the instructions emitted.
 */
static size_t emit_tree(struct emitter *e, const struct run *runs, size_t lo, size_t hi)
{
	size_t mid, start = e->len, jump_at, left;

	if (hi - lo == 1) {
		emit(e, STMT(BPF_RET | BPF_K, runs[lo].ret));
		return 1;
	}
	mid = lo + (hi - lo) / 2;
	jump_at = e->len;
	/* nr >= runs[mid].lo ? right half (patched below) : left half */
	emit(e, JUMP(BPF_JMP | BPF_JGE | BPF_K, runs[mid].lo, 0, 0));
	left = emit_tree(e, runs, lo, mid);
	if (left > 255)
		e->err = E2BIG;
	if (!e->err)
		e->insn[jump_at].jt = (uint8_t)left;
	emit_tree(e, runs, mid, hi);
	return e->len - start;
}

/*
 * Check one LOCAL_IF entry: 64-bit (arg & mask) == want, as two words;
 * local when it holds, or (SSI_SC_COND_ARG_NE) when it does not.
 */
static void emit_local_if(struct emitter *e, long nr, const struct ssi_sc_entry *s)
{
	uint32_t mlo = (uint32_t)s->cond_mask, mhi = (uint32_t)(s->cond_mask >> 32);
	uint32_t wlo = (uint32_t)s->cond_want, whi = (uint32_t)(s->cond_want >> 32);
	bool ne = s->cond == SSI_SC_COND_ARG_NE;
	uint32_t same = ne ? SECCOMP_RET_USER_NOTIF : SECCOMP_RET_ALLOW;
	uint32_t other = ne ? SECCOMP_RET_ALLOW : SECCOMP_RET_USER_NOTIF;

	/* 0: nr != this one -> skip the 9 instructions of this check */
	emit(e, JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 9));
	emit(e, STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(s->cond_arg)));
	emit(e, STMT(BPF_ALU | BPF_AND | BPF_K, mlo));
	emit(e, JUMP(BPF_JMP | BPF_JEQ | BPF_K, wlo, 1, 0));
	emit(e, STMT(BPF_RET | BPF_K, other));
	emit(e, STMT(BPF_LD | BPF_W | BPF_ABS, ARG_HI(s->cond_arg)));
	emit(e, STMT(BPF_ALU | BPF_AND | BPF_K, mhi));
	emit(e, JUMP(BPF_JMP | BPF_JEQ | BPF_K, whi, 0, 1));
	emit(e, STMT(BPF_RET | BPF_K, same));
	emit(e, STMT(BPF_RET | BPF_K, other));
}

int ssi_seccomp_build(const struct ssi_seccomp_opts *opts, struct sock_fprog *prog)
{
	struct run runs[SSI_SC_MAX + 2];
	struct emitter e = { 0 };
	size_t nruns = 0;
	long nr;
	int i;

	/* Architecture: x86-64 only. */
	emit(&e, STMT(BPF_LD | BPF_W | BPF_ABS, ARCH_OFF));
	emit(&e, JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0));
	emit(&e, STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));

	emit(&e, STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF));
	/* x32 numbers (and anything above) are never local. */
	emit(&e, JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_BIT, 0, 1));
	emit(&e, STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF));

	for (i = 0; opts && i < SSI_SECCOMP_IOCTLS && opts->allow_ioctl_cmd[i]; i++) {
		emit(&e, JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 4));
		emit(&e, STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(1)));
		emit(&e, JUMP(BPF_JMP | BPF_JEQ | BPF_K, opts->allow_ioctl_cmd[i], 0, 1));
		emit(&e, STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
		emit(&e, STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF));
	}

	if (opts && opts->mode_none) {
		/* prctl(PR_GET_SECCOMP): "errno 0" makes it return 0 */
		emit(&e, JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_prctl, 0, 3));
		emit(&e, STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(0)));
		emit(&e, JUMP(BPF_JMP | BPF_JEQ | BPF_K, PR_GET_SECCOMP, 0, 1));
		emit(&e, STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 0));
		emit(&e, STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF));
	}

	for (nr = 0; nr <= SSI_SC_MAX; nr++) {
		const struct ssi_sc_entry *s = ssi_sc_lookup(nr);

		if (s->policy != SSI_SC_LOCAL_IF)
			continue;
		emit_local_if(&e, nr, s);
		/* the check clobbered A: reload nr for the next one */
		emit(&e, STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF));
	}

	/* Runs of equal verdicts over 0..SSI_SC_MAX, then "above the table". */
	for (nr = 0; nr <= SSI_SC_MAX; nr++) {
		uint32_t v = verdict_of(nr);

		if (nruns && runs[nruns - 1].ret == v)
			continue;
		runs[nruns].lo = (uint32_t)nr;
		runs[nruns].ret = v;
		nruns++;
	}
	if (runs[nruns - 1].ret != SECCOMP_RET_USER_NOTIF) {
		runs[nruns].lo = SSI_SC_MAX + 1;
		runs[nruns].ret = SECCOMP_RET_USER_NOTIF;
		nruns++;
	}
	emit_tree(&e, runs, 0, nruns);

	if (!e.err && e.len > BPF_MAXINSNS)
		e.err = E2BIG;
	if (e.err) {
		free(e.insn);
		errno = e.err;
		return -1;
	}
	prog->filter = e.insn;
	prog->len = (unsigned short)e.len;
	return 0;
}

void ssi_seccomp_free(struct sock_fprog *prog)
{
	free(prog->filter);
	prog->filter = NULL;
	prog->len = 0;
}

int ssi_seccomp_set(const struct sock_fprog *prog, unsigned int flags)
{
	return (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
			    SECCOMP_FILTER_FLAG_NEW_LISTENER | flags, prog);
}

int ssi_seccomp_install(const struct sock_fprog *prog, unsigned int flags)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return ssi_seccomp_set(prog, flags);
}

int ssi_seccomp_continue(int listener, uint64_t id)
{
	struct seccomp_notif_resp resp = {
		.id = id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE,
	};

	return ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) ? -errno : 0;
}
