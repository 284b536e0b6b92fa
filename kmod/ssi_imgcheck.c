// SPDX-License-Identifier: GPL-2.0
/*
 * ssi_imgcheck.c - pure validation of image items, shared by ssi.ko and
 * user space (see ssi_imgcheck.h for why).
 *
 * The rules here are the image format's rules (doc/image-format.md).  They
 * are deliberately strict: an image is produced by our own dumper, so
 * anything unusual is corruption or an attack, and refusing it costs a
 * migration, while accepting it could cost the node.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#else
#include <stdarg.h>
#include <stdio.h>
#endif

#include "ssi_imgcheck.h"

#ifndef __printf
#define __printf(a, b) __attribute__((format(printf, a, b)))
#endif

typedef unsigned long long ull;

/*
 * ABI constants of x86-64 Linux the checks need, spelled out here because
 * the kernel and user-space headers that define them cannot both be
 * included by this file.
 */
#define SSI_SIGKILL		9
#define SSI_SIGSTOP		19
#define SSI_SA_KNOWN		0xdc000807ULL	/* UAPI_SA_FLAGS | SA_RESTORER */
#define SSI_SS_DISABLE		2U
#define SSI_SS_AUTODISARM	(1U << 31)
#define SSI_MINSIGSTKSZ		2048
#define SSI_PER_MASK		0xffU		/* personality type: PER_LINUX only */
#define SSI_PER_FLAGS		0x77e0000U	/* UNAME26 .. STICKY_TIMEOUTS, without
						 * ADDR_LIMIT_32BIT/3GB (compat) */
#define SSI_ROBUST_LIST_LEN	24		/* sizeof(struct robust_list_head) */
#define SSI_RSEQ_LEN		32		/* sizeof(struct rseq), v0 */
#define SSI_XSAVE_HDR_OFF	512
#define SSI_XSAVE_MIN		(512 + 64)
#define SSI_MXCSR_OFF		24
#define SSI_DSM_PAGE		4096ULL		/* a segment's pages: 4 KiB, never huge */

static __printf(3, 4) int bad(struct ssi_img_err *e, u32 reason,
			      const char *fmt, ...)
{
	va_list ap;

	e->reason = reason;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool is_zero(const void *p, size_t n)
{
	return !memchr_inv(p, 0, n);
}

/* [start, start + len) lies below @limit without wrapping. */
static bool range_ok(u64 start, u64 len, u64 limit)
{
	return start <= limit && len <= limit - start;
}

/* CRC of @size bytes at @p whose u32 at @crc_off is taken as zero. */
static u32 crc_with_hole(const void *p, size_t size, size_t crc_off)
{
	static const u32 zero;
	u32 crc;

	crc = ssi_crc32c(0, p, crc_off);
	crc = ssi_crc32c(crc, &zero, sizeof(zero));
	return ssi_crc32c(crc, (const u8 *)p + crc_off + sizeof(u32),
			  size - crc_off - sizeof(u32));
}

void ssi_img_seal(void *p, size_t size, size_t crc_off)
{
	u32 crc = crc_with_hole(p, size, crc_off);

	memcpy((u8 *)p + crc_off, &crc, sizeof(crc));
}

int ssi_img_check_header(const struct ssi_img_header *h,
			 const struct ssi_img_env *env, struct ssi_img_err *e)
{
	u64 vdso_len, vvar_len;

	if (h->magic != SSI_IMG_MAGIC)
		return bad(e, SSI_R_MAGIC, "bad magic %#x", h->magic);
	if (h->version != SSI_IMG_VERSION)
		return bad(e, SSI_R_MAGIC, "image version %u, reader %u",
			   h->version, SSI_IMG_VERSION);
	if (h->header_size != sizeof(*h))
		return bad(e, SSI_R_MAGIC, "header size %u", h->header_size);
	if (h->crc != crc_with_hole(h, sizeof(*h),
				    offsetof(struct ssi_img_header, crc)))
		return bad(e, SSI_R_CSUM, "header checksum");
	if (h->arch != SSI_IMG_ARCH_X86_64)
		return bad(e, SSI_R_ARCH, "architecture %u", h->arch);
	if (env->page_size && h->page_size != env->page_size)
		return bad(e, SSI_R_ARCH, "page size %u", h->page_size);
	if (!h->page_size || (h->page_size & (h->page_size - 1)))
		return bad(e, SSI_R_ARCH, "page size %u", h->page_size);
	if (h->flags || h->pad || !is_zero(h->reserved, sizeof(h->reserved)))
		return bad(e, SSI_R_RESERVED, "header reserved fields");
	if (!h->nr_threads || h->nr_threads > SSI_IMG_MAX_THREADS)
		return bad(e, SSI_R_MAGIC, "%u threads", h->nr_threads);
	if (!memchr(h->release, 0, sizeof(h->release)) ||
	    !is_zero(h->release + strlen(h->release),
		     sizeof(h->release) - strlen(h->release)))
		return bad(e, SSI_R_MAGIC, "release not NUL-padded");
	if (env->release && strcmp(h->release, env->release))
		return bad(e, SSI_R_RELEASE, "kernel %.40s here %.16s",
			   h->release, env->release);
	if (env->vdso_digest &&
	    memcmp(h->vdso_digest, env->vdso_digest, SSI_IMG_DIGEST_LEN))
		return bad(e, SSI_R_VDSO, "vDSO content differs");

	/* [vvar] directly precedes [vdso], as arch/x86 maps them. */
	vdso_len = h->vdso_end - h->vdso_start;
	vvar_len = h->vvar_end - h->vvar_start;
	if (h->vdso_start >= h->vdso_end || h->vvar_start >= h->vvar_end ||
	    h->vvar_end != h->vdso_start ||
	    ((h->vdso_start | h->vdso_end | h->vvar_start) & (h->page_size - 1)) ||
	    vdso_len > (1U << 20) || vvar_len > (1U << 20) ||
	    (env->task_size && h->vdso_end > env->task_size))
		return bad(e, SSI_R_VDSO, "vdso %llx-%llx vvar %llx-%llx",
			   (ull)h->vdso_start, (ull)h->vdso_end,
			   (ull)h->vvar_start, (ull)h->vvar_end);
	if (h->xstate_size < SSI_XSAVE_MIN || h->xstate_size > SSI_IMG_MAX_XSTATE ||
	    (h->xstate_size & 7))
		return bad(e, SSI_R_XSTATE, "xstate size %u", h->xstate_size);
	/* x87 and SSE are part of every x86-64 XSAVE feature set. */
	if ((h->xfeatures & 3) != 3)
		return bad(e, SSI_R_XSTATE, "xfeatures %#llx", (ull)h->xfeatures);
	if (env->user_xfeatures && (h->xfeatures & ~env->user_xfeatures))
		return bad(e, SSI_R_XSTATE, "xfeatures %#llx, here %#llx",
			   (ull)h->xfeatures, (ull)env->user_xfeatures);
	return 0;
}

int ssi_img_check_section(const struct ssi_img_section *s, u32 want,
			  const struct ssi_img_header *h, struct ssi_img_err *e)
{
	if (s->crc != crc_with_hole(s, sizeof(*s),
				    offsetof(struct ssi_img_section, crc)))
		return bad(e, SSI_R_CSUM, "section header checksum");
	if (s->reserved || (s->flags & ~SSI_SECF_MASK))
		return bad(e, SSI_R_RESERVED, "section reserved fields");
	if (s->type != want)
		return bad(e, SSI_R_SECTION, "section type %u, expected %u",
			   s->type, want);

	switch (s->type) {
	case SSI_SEC_TASK:
		if (s->size != sizeof(struct ssi_img_task) || s->count != 1)
			goto size;
		break;
	case SSI_SEC_XSTATE:
		if (s->size != h->xstate_size || s->count != 1)
			goto size;
		break;
	case SSI_SEC_MM:
		if (s->size != sizeof(struct ssi_img_mm) || s->count != 1)
			goto size;
		break;
	case SSI_SEC_FILES:
		if (s->count > SSI_IMG_MAX_FILES ||
		    s->size > SSI_IMG_MAX_FILES_BYTES || (s->size & 7) ||
		    s->size < (u64)s->count * sizeof(struct ssi_img_file))
			goto size;
		break;
	case SSI_SEC_VMAS:
		if (!s->count || s->count > SSI_IMG_MAX_VMAS ||
		    s->size != (u64)s->count * sizeof(struct ssi_img_vma))
			goto size;
		break;
	case SSI_SEC_PAGES:
		/* Streamed: the runs carry their own sizes and checksums. */
		if (s->size || s->count || s->data_crc)
			goto size;
		break;
	case SSI_SEC_END:
		if (s->size != sizeof(struct ssi_img_end) || s->count != 1)
			goto size;
		break;
	case SSI_SEC_THREAD:
		if (s->size != sizeof(struct ssi_img_thread) + (u64)h->xstate_size ||
		    s->count != 1)
			goto size;
		break;
	case SSI_SEC_SIGQUEUE:
		if (s->count > SSI_IMG_MAX_SIGQUEUE ||
		    s->size != (u64)s->count * sizeof(struct ssi_img_siginfo))
			goto size;
		break;
	case SSI_SEC_TIMERS:
		if (s->count > SSI_IMG_MAX_TIMERS ||
		    s->size != (u64)s->count * sizeof(struct ssi_img_posix_timer))
			goto size;
		break;
	case SSI_SEC_LDT:	/* 8-byte descriptors, compared, never used */
		if (s->count > SSI_IMG_MAX_LDT || s->size != (u64)s->count * 8)
			goto size;
		break;
	default:
		return bad(e, SSI_R_SECTION, "unknown section %u", s->type);
	}
	return 0;
size:
	return bad(e, SSI_R_SECTION, "section %u: size %llu count %u",
		   s->type, (ull)s->size, s->count);
}

static int check_regs(const struct ssi_img_regs *r,
		      const struct ssi_img_env *env, struct ssi_img_err *e)
{
	/* 64-bit user segments only; fs/gs live in fs_base/gs_base. */
	if ((env->user_cs && r->cs != env->user_cs) ||
	    (env->user_ss && r->ss != env->user_ss) ||
	    r->ds || r->es || r->fs || r->gs)
		return bad(e, SSI_R_TASK, "segments cs %llx ss %llx",
			   (ull)r->cs, (ull)r->ss);
	if (r->orig_ax != ~0ULL)
		return bad(e, SSI_R_TASK, "orig_ax %llx not normalised",
			   (ull)r->orig_ax);
	if (env->task_size && (r->ip >= env->task_size ||
			       r->fs_base >= env->task_size ||
			       r->gs_base >= env->task_size))
		return bad(e, SSI_R_TASK, "ip %llx fs %llx gs %llx",
			   (ull)r->ip, (ull)r->fs_base, (ull)r->gs_base);
	return 0;
}

/* What sched_setattr() and set_task_ioprio() take without a question. */
static int check_sched(const struct ssi_img_thread *t, struct ssi_img_err *e)
{
	bool rt = t->sched_policy == SSI_SCHED_FIFO || t->sched_policy == SSI_SCHED_RR;

	switch (t->sched_policy) {
	case SSI_SCHED_NORMAL:
	case SSI_SCHED_FIFO:
	case SSI_SCHED_RR:
	case SSI_SCHED_BATCH:
	case SSI_SCHED_IDLE:
		break;
	default:
		return bad(e, SSI_R_TASK, "scheduling policy %u", t->sched_policy);
	}
	if (rt ? t->sched_priority < 1 || t->sched_priority > SSI_SCHED_RT_PRIO_MAX
	       : t->sched_priority != 0)
		return bad(e, SSI_R_TASK, "priority %u under policy %u",
			   t->sched_priority, t->sched_policy);
	if (t->sched_nice < SSI_SCHED_NICE_MIN || t->sched_nice > SSI_SCHED_NICE_MAX)
		return bad(e, SSI_R_TASK, "nice %d", t->sched_nice);
	if (t->ioprio > 0xffff || t->ioprio >> SSI_IOPRIO_CLASS_SHIFT > SSI_IOPRIO_CLASS_MAX)
		return bad(e, SSI_R_TASK, "io priority %#x", t->ioprio);
	return 0;
}

/* The head of a siginfo_t: what ssi_img_siginfo.info holds. */
struct ssi_siginfo_head {
	__s32 signo;
	__s32 errno_;
	__s32 code;
};

/* The errno a siginfo may carry (seccomp's SIGSYS puts its data there). */
#define SSI_SIGINFO_ERRNO_MAX	4095

int ssi_img_check_sigqueue(const struct ssi_img_siginfo *q, u32 n,
			   const __s32 *tids, u32 nr_tids, struct ssi_img_err *e)
{
	struct ssi_siginfo_head h;
	u32 i, k;

	for (i = 0; i < n; i++) {
		memcpy(&h, q[i].info, sizeof(h));
		if (q[i].reserved)
			return bad(e, SSI_R_RESERVED, "queued signal %u: reserved field", i);
		if (h.signo < 1 || h.signo > SSI_IMG_NSIG || h.signo == SSI_SIGKILL ||
		    h.signo == SSI_SIGSTOP)
			return bad(e, SSI_R_TASK, "queued signal %u: signal %d", i, h.signo);
		if (h.errno_ < -SSI_SIGINFO_ERRNO_MAX || h.errno_ > SSI_SIGINFO_ERRNO_MAX)
			return bad(e, SSI_R_TASK, "queued signal %u: errno %d", i, h.errno_);
		if (!q[i].tid)
			continue;
		for (k = 0; k < nr_tids && tids[k] != (__s32)q[i].tid; k++)
			;
		if (k == nr_tids)
			return bad(e, SSI_R_TASK, "queued signal %u: no thread %u", i,
				   q[i].tid);
	}
	return 0;
}

/* Latest a time a timer carries may be: KTIME_MAX, some 292 years. */
#define SSI_PTIMER_NS_MAX	0x7fffffffffffffffULL
#define SSI_INT_MAX		0x7fffffff

int ssi_img_check_timers(const struct ssi_img_posix_timer *p, u32 n,
			 const __s32 *tids, u32 nr_tids, struct ssi_img_err *e)
{
	u32 i, k;

	for (i = 0; i < n; i++) {
		bool none = p[i].notify == SSI_SIGEV_NONE;

		if (p[i].id < 0)
			return bad(e, SSI_R_TASK, "POSIX timer %u: id %d", i, p[i].id);
		for (k = 0; k < i; k++)
			if (p[k].id == p[i].id)
				return bad(e, SSI_R_TASK, "POSIX timer id %d twice", p[i].id);
		switch (p[i].clock) {
		case SSI_CLOCK_REALTIME:
		case SSI_CLOCK_MONOTONIC:
		case SSI_CLOCK_BOOTTIME:
		case SSI_CLOCK_TAI:
			break;
		default:
			if (p[i].clock >= 0 ||
			    SSI_CPUCLOCK_WHICH(p[i].clock) > SSI_CPUCLOCK_WHICH_MAX)
				goto clock;
			if (!(p[i].clock & SSI_CPUCLOCK_PERTHREAD)) {
				if (SSI_CPUCLOCK_PID(p[i].clock))	/* another process's */
					goto clock;
				break;
			}
			for (k = 0; k < nr_tids && tids[k] != SSI_CPUCLOCK_PID(p[i].clock); k++)
				;
			if (k == nr_tids || !SSI_CPUCLOCK_PID(p[i].clock))
				goto clock;
		}
		/* the kernel takes SIGEV_THREAD for SIGEV_SIGNAL (glibc never sends it) */
		if (p[i].notify != SSI_SIGEV_SIGNAL && !none &&
		    p[i].notify != SSI_SIGEV_THREAD &&
		    p[i].notify != (SSI_SIGEV_SIGNAL | SSI_SIGEV_THREAD_ID))
			return bad(e, SSI_R_TASK, "POSIX timer %d: notify %d", p[i].id,
				   p[i].notify);
		if (!none && (p[i].signo < 1 || p[i].signo > SSI_IMG_NSIG ||
			      p[i].signo == SSI_SIGKILL || p[i].signo == SSI_SIGSTOP))
			return bad(e, SSI_R_TASK, "POSIX timer %d: signal %d", p[i].id,
				   p[i].signo);
		if (p[i].flags & ~SSI_PTIMER_FLAGS ||
		    (p[i].flags & SSI_PTIMER_ABS_REALTIME && p[i].clock != SSI_CLOCK_REALTIME))
			return bad(e, SSI_R_TASK, "POSIX timer %d: flags %#x", p[i].id,
				   p[i].flags);
		if (p[i].expires > SSI_PTIMER_NS_MAX || p[i].interval > SSI_PTIMER_NS_MAX ||
		    p[i].overrun < -1 || p[i].overrun > SSI_INT_MAX)
			return bad(e, SSI_R_TASK, "POSIX timer %d: times out of range",
				   p[i].id);
		if (p[i].notify & SSI_SIGEV_THREAD_ID) {
			for (k = 0; k < nr_tids && tids[k] != p[i].tid; k++)
				;
			if (k == nr_tids || !p[i].tid)
				return bad(e, SSI_R_TASK, "POSIX timer %d: no thread %d",
					   p[i].id, p[i].tid);
		} else if (p[i].tid) {
			return bad(e, SSI_R_TASK, "POSIX timer %d: tid %d", p[i].id,
				   p[i].tid);
		}
	}
	return 0;
clock:
	return bad(e, SSI_R_TASK, "POSIX timer %d: clock %d", p[i].id, p[i].clock);
}

/* @ru's and @clock's CPU times within SSI_IMG_CPUTIME_MAX. */
static int check_cputimes(const struct ssi_img_rusage *ru, u64 clock, const char *whose,
			  struct ssi_img_err *e)
{
	if (ru->utime_ns > SSI_IMG_CPUTIME_MAX || ru->stime_ns > SSI_IMG_CPUTIME_MAX ||
	    ru->prev_utime_ns > SSI_IMG_CPUTIME_MAX || ru->prev_stime_ns > SSI_IMG_CPUTIME_MAX ||
	    clock > SSI_IMG_CPUTIME_MAX)
		return bad(e, SSI_R_TASK, "%s CPU time beyond %llu ns", whose,
			   (ull)SSI_IMG_CPUTIME_MAX);
	return 0;
}

/*
 * A thread's CPUs: some; if it is bound to them, all given to it here
 * (the first one missing is named).
 */
static int check_cpus(const struct ssi_img_thread *t, const struct ssi_img_env *env,
		      struct ssi_img_err *e)
{
	u64 missing;
	int i;

	if (is_zero(t->cpus, sizeof(t->cpus)))
		return bad(e, SSI_R_TASK, "no CPU in its affinity mask");
	if ((t->flags & SSI_THRF_CPUS_ANY) || !env->cpus)
		return 0;
	for (i = 0; i < SSI_IMG_CPU_WORDS; i++) {
		missing = t->cpus[i] & ~env->cpus[i];
		if (missing)
			return bad(e, SSI_R_AFFINITY,
				   "thread %d: bound to CPU %d, not given here",
				   t->home_tid, i * 64 + __builtin_ctzll(missing));
	}
	return 0;
}

/*
 * A NUMA policy (of @who): one set_mempolicy(2) or mbind(2) can make
 * (mpol_new()), else @reason; whose @nwords words of @nodes are all
 * usable here when they are the ones in force (with STATIC or RELATIVE
 * nodes the kernel keeps those given, and uses what it can).
 */
static int check_policy(unsigned int mode, unsigned int flags, const __u64 *nodes,
			int nwords, const struct ssi_img_env *env, u32 reason, const char *who,
			struct ssi_img_err *e)
{
	bool none = is_zero(nodes, nwords * sizeof(*nodes));
	u64 missing;
	int i;

	if (mode > SSI_MPOL_MAX || (flags & ~SSI_MPOL_F_MASK))
		return bad(e, reason, "%s: NUMA policy mode %u flags %#x", who, mode, flags);
	if ((flags & SSI_MPOL_F_STATIC_NODES) && (flags & SSI_MPOL_F_RELATIVE_NODES))
		return bad(e, reason, "%s: NUMA policy with static and relative nodes", who);
	if ((flags & SSI_MPOL_F_NUMA_BALANCING) && mode != SSI_MPOL_BIND)
		return bad(e, reason, "%s: NUMA balancing without MPOL_BIND", who);
	if (mode == SSI_MPOL_DEFAULT || mode == SSI_MPOL_LOCAL) {
		if (flags || !none)
			return bad(e, reason, "%s: NUMA policy mode %u with nodes or flags",
				   who, mode);
		return 0;
	}
	if (none)
		return bad(e, reason, "%s: NUMA policy mode %u without nodes", who, mode);
	if (!env->mems || (flags & (SSI_MPOL_F_STATIC_NODES | SSI_MPOL_F_RELATIVE_NODES)))
		return 0;
	for (i = 0; i < nwords; i++) {
		missing = nodes[i] & ~env->mems[i];
		if (missing)
			return bad(e, SSI_R_NUMA, "%s: NUMA policy names node %d, not usable here",
				   who, i * 64 + __builtin_ctzll(missing));
	}
	return 0;
}

static int check_mempolicy(const struct ssi_img_thread *t, const struct ssi_img_env *env,
			   struct ssi_img_err *e)
{
	const struct ssi_img_mempolicy *m = &t->mempolicy;
	char who[24];

	snprintf(who, sizeof(who), "thread %d", t->home_tid);
	if (m->reserved)
		return bad(e, SSI_R_RESERVED, "%s: NUMA policy reserved word", who);
	return check_policy(m->mode, m->flags, m->nodes, SSI_IMG_NODE_WORDS, env, SSI_R_TASK,
			    who, e);
}

int ssi_img_check_thread(const struct ssi_img_thread *t,
			 const struct ssi_img_env *env, struct ssi_img_err *e)
{
	u64 limit = env->task_size ? env->task_size : ~0ULL;
	u64 stopkill = (1ULL << (SSI_SIGKILL - 1)) | (1ULL << (SSI_SIGSTOP - 1));
	int err;

	err = check_regs(&t->regs, env, e);
	if (err)
		return err;
	if (t->flags & ~SSI_THRF_MASK)
		return bad(e, SSI_R_RESERVED, "thread flags %#x", t->flags);
	/* 0 (none) or a signal the kernel can send */
	if (t->pdeath_signal < 0 || t->pdeath_signal > SSI_IMG_NSIG)
		return bad(e, SSI_R_TASK, "parent-death signal %d", t->pdeath_signal);
	if (t->sigmask & stopkill)
		return bad(e, SSI_R_TASK, "SIGKILL/SIGSTOP blocked");
	err = check_sched(t, e);
	if (!err)
		err = check_cpus(t, env, e);
	if (!err)
		err = check_mempolicy(t, env, e);
	if (err)
		return err;
	err = check_cputimes(&t->ru, t->cputime_ns, "thread", e);
	if (err)
		return err;

	if (t->altstack_flags & ~(SSI_SS_DISABLE | SSI_SS_AUTODISARM))
		return bad(e, SSI_R_TASK, "altstack flags %#x", t->altstack_flags);
	if (t->altstack_flags & SSI_SS_DISABLE) {
		if (t->altstack_sp || t->altstack_size ||
		    t->altstack_flags != SSI_SS_DISABLE)
			return bad(e, SSI_R_TASK, "disabled altstack not empty");
	} else if (t->altstack_size < SSI_MINSIGSTKSZ ||
		   !range_ok(t->altstack_sp, t->altstack_size, limit)) {
		return bad(e, SSI_R_TASK, "altstack %llx+%llx",
			   (ull)t->altstack_sp, (ull)t->altstack_size);
	}

	if (t->rseq) {
		if ((t->rseq & 31) || t->rseq_len != SSI_RSEQ_LEN ||
		    !range_ok(t->rseq, t->rseq_len, limit))
			return bad(e, SSI_R_TASK, "rseq %llx len %u",
				   (ull)t->rseq, t->rseq_len);
	} else if (t->rseq_len || t->rseq_sig) {
		return bad(e, SSI_R_TASK, "rseq fields without rseq");
	}
	if (t->clear_child_tid >= limit || (t->clear_child_tid & 3))
		return bad(e, SSI_R_TASK, "clear_child_tid %llx",
			   (ull)t->clear_child_tid);
	if (t->robust_list ? (t->robust_list_len != SSI_ROBUST_LIST_LEN ||
			      !range_ok(t->robust_list, t->robust_list_len, limit))
			   : t->robust_list_len != 0)
		return bad(e, SSI_R_TASK, "robust list %llx len %llu",
			   (ull)t->robust_list, (ull)t->robust_list_len);

	if (t->restart > SSI_RESTART_BLOCK || t->syscall_nr < -1 ||
	    (t->restart == SSI_RESTART_NONE) != (t->syscall_nr == -1))
		return bad(e, SSI_R_TASK, "restart %u syscall %d",
			   t->restart, t->syscall_nr);
	if (!memchr(t->comm, 0, sizeof(t->comm)) ||
	    !is_zero(t->comm + strlen(t->comm),
		     sizeof(t->comm) - strlen(t->comm)))
		return bad(e, SSI_R_TASK, "comm not NUL-padded");
	return 0;
}

int ssi_img_check_task(const struct ssi_img_task *t,
		       const struct ssi_img_env *env, struct ssi_img_err *e)
{
	u64 limit = env->task_size ? env->task_size : ~0ULL;
	int i, err;

	err = ssi_img_check_thread(&t->leader, env, e);
	if (err)
		return err;
	if (t->itimer_real.value > SSI_IMG_ITIMER_MAX ||
	    t->itimer_real.interval > SSI_IMG_ITIMER_MAX ||
	    t->itimer_virt.value > SSI_IMG_ITIMER_MAX ||
	    t->itimer_virt.interval > SSI_IMG_ITIMER_MAX ||
	    t->itimer_prof.value > SSI_IMG_ITIMER_MAX ||
	    t->itimer_prof.interval > SSI_IMG_ITIMER_MAX)
		return bad(e, SSI_R_TASK, "itimer beyond %llu ns",
			   (unsigned long long)SSI_IMG_ITIMER_MAX);
	err = check_cputimes(&t->ru_self, t->cputime_ns, "process", e);
	if (!err)
		err = check_cputimes(&t->ru_children, 0, "children's", e);
	if (err)
		return err;
	if (t->sigpending & ~SSI_IMG_SIGPENDING_MASK)
		return bad(e, SSI_R_TASK, "pending signals %#llx",
			   (unsigned long long)t->sigpending);
	if (t->reserved)
		return bad(e, SSI_R_RESERVED, "task reserved field");
	if (t->posix_timer_next > SSI_INT_MAX)
		return bad(e, SSI_R_TASK, "next POSIX timer id %u", t->posix_timer_next);
	if (t->flags & ~SSI_TASKF_MASK)
		return bad(e, SSI_R_RESERVED, "task flags %#x", t->flags);
	if (t->oom_score_adj < -SSI_OOM_SCORE_ADJ_MAX ||
	    t->oom_score_adj > SSI_OOM_SCORE_ADJ_MAX ||
	    t->oom_score_adj_min < -SSI_OOM_SCORE_ADJ_MAX ||
	    t->oom_score_adj_min > SSI_OOM_SCORE_ADJ_MAX)
		return bad(e, SSI_R_TASK, "oom_score_adj %d min %d",
			   t->oom_score_adj, t->oom_score_adj_min);

	if ((t->personality & SSI_PER_MASK) ||
	    (t->personality & ~(SSI_PER_MASK | SSI_PER_FLAGS)))
		return bad(e, SSI_R_TASK, "personality %#x", t->personality);

	if (t->nr_rlimits != SSI_IMG_NRLIMIT)
		return bad(e, SSI_R_TASK, "%u rlimits", t->nr_rlimits);
	for (i = 0; i < SSI_IMG_NRLIMIT; i++)
		if (t->rlim[i].cur > t->rlim[i].max)
			return bad(e, SSI_R_TASK, "rlimit %d: %llu > %llu", i,
				   (ull)t->rlim[i].cur, (ull)t->rlim[i].max);

	for (i = 0; i < SSI_IMG_NSIG; i++) {
		const struct ssi_img_sigaction *sa = &t->sigactions[i];
		int sig = i + 1;

		if (sa->flags & ~SSI_SA_KNOWN)
			return bad(e, SSI_R_TASK, "signal %d flags %#llx", sig,
				   (ull)sa->flags);
		if (sa->handler >= limit || sa->restorer >= limit)
			return bad(e, SSI_R_TASK, "signal %d handler %llx", sig,
				   (ull)sa->handler);
		if ((sig == SSI_SIGKILL || sig == SSI_SIGSTOP) &&
		    (sa->handler || sa->flags || sa->restorer || sa->mask))
			return bad(e, SSI_R_TASK, "signal %d not default", sig);
	}
	return 0;
}

int ssi_img_check_xstate(const void *xs, u32 size,
			 const struct ssi_img_header *h,
			 const struct ssi_img_env *env, struct ssi_img_err *e)
{
	const u8 *p = xs;
	u64 hdr[8];
	u32 mxcsr;

	if (size != h->xstate_size || size < SSI_XSAVE_MIN)
		return bad(e, SSI_R_XSTATE, "size %u", size);
	/*
	 * Components are laid out at fixed offsets up to the node's UABI
	 * size; a smaller image cannot hold this node's state.
	 */
	if (env->xstate_user_size && size < env->xstate_user_size)
		return bad(e, SSI_R_XSTATE, "size %u, here %u", size,
			   env->xstate_user_size);

	memcpy(&mxcsr, p + SSI_MXCSR_OFF, sizeof(mxcsr));
	if (env->mxcsr_mask && (mxcsr & ~env->mxcsr_mask))
		return bad(e, SSI_R_XSTATE, "mxcsr %#x", mxcsr);

	/* The checks of the kernel's validate_user_xstate_header(). */
	memcpy(hdr, p + SSI_XSAVE_HDR_OFF, sizeof(hdr));
	if (hdr[0] & ~h->xfeatures)
		return bad(e, SSI_R_XSTATE, "xfeatures %#llx beyond %#llx",
			   (ull)hdr[0], (ull)h->xfeatures);
	if (env->user_xfeatures && (hdr[0] & ~env->user_xfeatures))
		return bad(e, SSI_R_XSTATE, "xfeatures %#llx, here %#llx",
			   (ull)hdr[0], (ull)env->user_xfeatures);
	if (hdr[1])
		return bad(e, SSI_R_XSTATE, "compacted format");
	if (!is_zero(&hdr[2], sizeof(hdr) - 2 * sizeof(hdr[0])))
		return bad(e, SSI_R_XSTATE, "XSAVE header reserved bytes");
	return 0;
}

int ssi_img_check_mm(const struct ssi_img_mm *m,
		     const struct ssi_img_env *env, struct ssi_img_err *e)
{
	u64 limit = env->task_size ? env->task_size : ~0ULL;
	const u64 *f = &m->start_code;
	u32 i, max;

	if (m->pad || !is_zero(m->reserved, sizeof(m->reserved)) ||
	    (m->flags & ~SSI_MMF_MASK))
		return bad(e, SSI_R_RESERVED, "mm reserved fields");
	if ((m->flags & SSI_MMF_LOCK_ONFAULT) && !(m->flags & SSI_MMF_LOCK_FUTURE))
		return bad(e, SSI_R_MM, "MCL_ONFAULT without MCL_FUTURE");
	if (m->dumpable > SSI_IMG_DUMPABLE_MAX)
		return bad(e, SSI_R_MM, "dumpable %u", m->dumpable);
	/* no keys (a CPU without them), or the default key and others */
	if (m->pkeys >> SSI_IMG_NR_PKEYS || (m->pkeys && !(m->pkeys & 1)) ||
	    (m->pkey_exec_only && (m->pkey_exec_only >= SSI_IMG_NR_PKEYS ||
				    !(m->pkeys & (1U << m->pkey_exec_only)))))
		return bad(e, SSI_R_MM, "protection keys %#x, execute-only %u",
			   m->pkeys, m->pkey_exec_only);
	/* start_code .. env_end are 11 consecutive u64s. */
	for (i = 0; i < 11; i++)
		if (f[i] >= limit)
			return bad(e, SSI_R_MM, "mm field %u: %llx", i, (ull)f[i]);
	/* The ordering prctl(PR_SET_MM_MAP) insists on. */
	if (m->start_code > m->end_code || m->start_data > m->end_data ||
	    m->start_brk > m->brk || m->arg_start > m->arg_end ||
	    m->env_start > m->env_end)
		return bad(e, SSI_R_MM, "mm ranges out of order");

	max = env->auxv_words ? env->auxv_words : SSI_IMG_AUXV_WORDS;
	if (max > SSI_IMG_AUXV_WORDS)
		max = SSI_IMG_AUXV_WORDS;
	if (m->nr_auxv < 2 || m->nr_auxv > max || (m->nr_auxv & 1))
		return bad(e, SSI_R_MM, "%u auxv words", m->nr_auxv);
	for (i = 0; i + 2 < m->nr_auxv; i += 2)
		if (m->auxv[i] == 0)
			return bad(e, SSI_R_MM, "AT_NULL at auxv word %u", i);
	if (m->auxv[m->nr_auxv - 2] != 0 || m->auxv[m->nr_auxv - 1] != 0)
		return bad(e, SSI_R_MM, "auxv not terminated");
	if (!is_zero(&m->auxv[m->nr_auxv],
		     (SSI_IMG_AUXV_WORDS - m->nr_auxv) * sizeof(m->auxv[0])))
		return bad(e, SSI_R_MM, "auxv tail not zero");
	return 0;
}

/* A segment record's id (SSI_DIGEST_DSM), as the dump wrote it: LE. */
static u64 dsm_id(const struct ssi_img_file *f)
{
	u64 id;

	memcpy(&id, f->digest, sizeof(id));
	return id;
}

int ssi_img_check_files(const void *buf, u64 size, u32 count, u32 *offs,
			struct ssi_img_err *e)
{
	const u8 *p = buf;
	u64 off = 0;
	u32 i;

	for (i = 0; i < count; i++) {
		struct ssi_img_file f;
		const char *path;
		u64 need;

		if (size - off < sizeof(f))
			return bad(e, SSI_R_FILES, "file %u truncated", i);
		memcpy(&f, p + off, sizeof(f));
		need = sizeof(f) + (u64)f.path_len + 1;
		if (f.path_len < 1 || f.path_len >= SSI_IMG_MAX_PATH ||
		    f.rec_size < need || (f.rec_size & 7) ||
		    f.rec_size > size - off)
			return bad(e, SSI_R_FILES, "file %u: record %u path %u",
				   i, f.rec_size, f.path_len);
		path = (const char *)p + off + sizeof(f);
		if (path[0] != '/' || memchr(path, 0, f.path_len) ||
		    !is_zero(path + f.path_len, f.rec_size - sizeof(f) - f.path_len))
			return bad(e, SSI_R_FILES, "file %u: bad path", i);
		switch (f.digest_kind) {
		case SSI_DIGEST_BUILDID:
			if (f.digest_len < 1 || f.digest_len > SSI_IMG_DIGEST_LEN)
				goto digest;
			break;
		case SSI_DIGEST_SHA256:
			if (f.digest_len != 32)
				goto digest;
			break;
		case SSI_DIGEST_DSM:
			if (f.digest_len != sizeof(u64) || !dsm_id(&f))
				goto digest;
			if (!f.size || f.size > SSI_DSM_SIZE_MAX || (f.size & (SSI_DSM_PAGE - 1)))
				return bad(e, SSI_R_FILES, "file %u: segment size %llx",
					   i, (ull)f.size);
			break;
		default:
			goto digest;
		}
		if (!is_zero(f.digest + f.digest_len,
			     SSI_IMG_DIGEST_LEN - f.digest_len))
			goto digest;
		offs[i] = (u32)off;
		off += f.rec_size;
		continue;
digest:
		return bad(e, SSI_R_FILES, "file %u: digest kind %u len %u",
			   i, f.digest_kind, f.digest_len);
	}
	if (off != size)
		return bad(e, SSI_R_FILES, "%llu stray bytes", (ull)(size - off));
	return 0;
}

/* A mapping's NUMA policy: a private one's (a shared one's is its object's). */
static int check_vma_policy(const struct ssi_img_vma *v, u32 i, const struct ssi_img_env *env,
			    struct ssi_img_err *e)
{
	char who[16];

	snprintf(who, sizeof(who), "vma %u", i);
	if (v->mpol_mode && (v->kind == SSI_VMA_VDSO || v->kind == SSI_VMA_VVAR ||
			     v->kind == SSI_VMA_DSM))
		return bad(e, SSI_R_VMAS, "%s: NUMA policy on kind %u", who, v->kind);
	return check_policy(v->mpol_mode, v->mpol_flags, &v->mpol_nodes, 1, env, SSI_R_VMAS,
			    who, e);
}

int ssi_img_check_vmas(const struct ssi_img_vma *v, u32 n, u32 nfiles,
		       const struct ssi_img_header *h,
		       const struct ssi_img_env *env, struct ssi_img_err *e)
{
	u64 limit = env->task_size ? env->task_size : ~0ULL;
	u64 pmask = h->page_size - 1;
	unsigned int seen_vdso = 0, seen_vvar = 0, seen_heap = 0, seen_stack = 0;
	u64 prev_end = 0;
	u32 i;
	int err;

	for (i = 0; i < n; i++, v++) {
		err = check_vma_policy(v, i, env, e);
		if (err)
			return err;
		if (v->pkey >= SSI_IMG_NR_PKEYS ||
		    (v->pkey && (v->kind == SSI_VMA_VDSO || v->kind == SSI_VMA_VVAR)))
			return bad(e, SSI_R_VMAS, "vma %u: protection key %u on kind %u",
				   i, v->pkey, v->kind);
		if (v->start >= v->end || ((v->start | v->end) & pmask) ||
		    v->end > limit || v->start < prev_end)
			return bad(e, SSI_R_VMAS, "vma %u: %llx-%llx after %llx",
				   i, (ull)v->start, (ull)v->end, (ull)prev_end);
		if ((v->prot & ~SSI_PROT_MASK) || (v->flags & ~SSI_VMAF_MASK))
			return bad(e, SSI_R_VMAS, "vma %u: prot %#x flags %#x",
				   i, v->prot, v->flags);
		/* pairs madvise() and mlock2() never make */
		if (((v->flags & SSI_VMAF_LOCKONFAULT) && !(v->flags & SSI_VMAF_LOCKED)) ||
		    (v->flags & (SSI_VMAF_HUGEPAGE | SSI_VMAF_NOHUGEPAGE)) ==
		    (SSI_VMAF_HUGEPAGE | SSI_VMAF_NOHUGEPAGE) ||
		    (v->flags & (SSI_VMAF_SEQ_READ | SSI_VMAF_RAND_READ)) ==
		    (SSI_VMAF_SEQ_READ | SSI_VMAF_RAND_READ) ||
		    ((v->flags & SSI_VMAF_WIPEONFORK) && v->kind != SSI_VMA_ANON &&
		     v->kind != SSI_VMA_HEAP && v->kind != SSI_VMA_STACK) ||
		    ((v->flags & SSI_VMAF_LOCKED) && v->kind == SSI_VMA_DSM) ||
		    ((v->flags & ~SSI_VMAF_GROWSDOWN) &&
		     (v->kind == SSI_VMA_VDSO || v->kind == SSI_VMA_VVAR)))
			return bad(e, SSI_R_VMAS, "vma %u: flags %#x on kind %u",
				   i, v->flags, v->kind);
		if (v->kind == SSI_VMA_FILE || v->kind == SSI_VMA_DSM) {
			/* pgoff is shifted into a byte offset by the restorer. */
			if (v->file >= nfiles || v->pgoff >= (1ULL << 40))
				return bad(e, SSI_R_VMAS, "vma %u: file %u pgoff %llx",
					   i, v->file, (ull)v->pgoff);
		} else if (v->file || v->pgoff) {
			return bad(e, SSI_R_VMAS, "vma %u: file fields on kind %u",
				   i, v->kind);
		}
		switch (v->kind) {
		case SSI_VMA_ANON:
		case SSI_VMA_FILE:
		case SSI_VMA_DSM:
			break;
		case SSI_VMA_HEAP:
			seen_heap++;
			break;
		case SSI_VMA_STACK:
			seen_stack++;
			break;
		case SSI_VMA_VDSO:
			seen_vdso++;
			if (v->start != h->vdso_start || v->end != h->vdso_end)
				return bad(e, SSI_R_VMAS, "vma %u: vdso not at header's", i);
			break;
		case SSI_VMA_VVAR:
			seen_vvar++;
			if (v->start != h->vvar_start || v->end != h->vvar_end)
				return bad(e, SSI_R_VMAS, "vma %u: vvar not at header's", i);
			break;
		default:
			return bad(e, SSI_R_VMAS, "vma %u: kind %u", i, v->kind);
		}
		prev_end = v->end;
	}
	if (seen_vdso != 1 || seen_vvar != 1 || seen_heap > 1 || seen_stack > 1)
		return bad(e, SSI_R_VMAS, "vdso %u vvar %u heap %u stack %u",
			   seen_vdso, seen_vvar, seen_heap, seen_stack);
	return 0;
}

int ssi_img_check_vma_files(const struct ssi_img_vma *v, u32 n, const void *files,
			    const u32 *offs, struct ssi_img_err *e)
{
	const u8 *p = files;
	struct ssi_img_file f;
	u32 i;

	for (i = 0; i < n; i++, v++) {
		if (v->kind != SSI_VMA_FILE && v->kind != SSI_VMA_DSM)
			continue;
		memcpy(&f, p + offs[v->file], sizeof(f));
		if ((f.digest_kind == SSI_DIGEST_DSM) != (v->kind == SSI_VMA_DSM))
			return bad(e, SSI_R_VMAS, "vma %u: kind %u on file %u of kind %u",
				   i, v->kind, v->file, f.digest_kind);
		if (v->kind == SSI_VMA_DSM &&
		    (v->pgoff > f.size / SSI_DSM_PAGE ||
		     (v->end - v->start) / SSI_DSM_PAGE > f.size / SSI_DSM_PAGE - v->pgoff))
			return bad(e, SSI_R_VMAS, "vma %u: pages %llx+%llx of a segment of %llx",
				   i, (ull)v->pgoff, (ull)((v->end - v->start) / SSI_DSM_PAGE),
				   (ull)(f.size / SSI_DSM_PAGE));
	}
	return 0;
}

int ssi_img_check_run(struct ssi_img_runs *rs, const struct ssi_img_pages *p,
		      const struct ssi_img_vma **vma, struct ssi_img_err *e)
{
	u64 len;

	if (p->crc != crc_with_hole(p, sizeof(*p),
				    offsetof(struct ssi_img_pages, crc)))
		return bad(e, SSI_R_CSUM, "run header checksum");
	if (p->reserved)
		return bad(e, SSI_R_RESERVED, "run reserved field");
	if (!p->nr_pages) {
		if (p->addr || p->data_crc)
			return bad(e, SSI_R_PAGES, "bad terminating run");
		return 1;
	}
	if (p->nr_pages > SSI_IMG_MAX_RUN || (p->addr & (rs->page_size - 1)) ||
	    p->addr < rs->next)
		return bad(e, SSI_R_PAGES, "run %llx+%u after %llx",
			   (ull)p->addr, p->nr_pages, (ull)rs->next);
	len = (u64)p->nr_pages * rs->page_size;

	/* Runs are sorted, so the VMA cursor only moves forward. */
	while (rs->cur < rs->nr_vmas && rs->vmas[rs->cur].end <= p->addr)
		rs->cur++;
	if (rs->cur == rs->nr_vmas || p->addr < rs->vmas[rs->cur].start ||
	    len > rs->vmas[rs->cur].end - p->addr)
		return bad(e, SSI_R_PAGES, "run %llx+%u outside any vma",
			   (ull)p->addr, p->nr_pages);
	if (rs->vmas[rs->cur].kind == SSI_VMA_VDSO ||
	    rs->vmas[rs->cur].kind == SSI_VMA_VVAR ||
	    rs->vmas[rs->cur].kind == SSI_VMA_DSM)
		return bad(e, SSI_R_PAGES, "run %llx in vdso/vvar/segment", (ull)p->addr);

	*vma = &rs->vmas[rs->cur];
	rs->next = p->addr + len;
	rs->nr_pages += p->nr_pages;
	rs->nr_runs++;
	return 0;
}

int ssi_img_check_end(const struct ssi_img_end *end,
		      const struct ssi_img_runs *rs, u64 image_bytes,
		      struct ssi_img_err *e)
{
	if (!is_zero(end->reserved, sizeof(end->reserved)))
		return bad(e, SSI_R_RESERVED, "end reserved fields");
	if (end->nr_pages != rs->nr_pages || end->nr_runs != rs->nr_runs ||
	    end->image_bytes != image_bytes)
		return bad(e, SSI_R_END, "totals %llu/%llu/%llu, read %llu/%llu/%llu",
			   (ull)end->nr_pages, (ull)end->nr_runs,
			   (ull)end->image_bytes, (ull)rs->nr_pages,
			   (ull)rs->nr_runs, (ull)image_bytes);
	return 0;
}

const char *ssi_reason_name(u32 reason)
{
	static const char *const names[SSI_R_MAX] = {
		[SSI_R_NONE]		= "none",
		[SSI_R_IO]		= "io",
		[SSI_R_TRUNCATED]	= "truncated",
		[SSI_R_MAGIC]		= "magic",
		[SSI_R_ARCH]		= "arch",
		[SSI_R_RELEASE]		= "release",
		[SSI_R_VDSO]		= "vdso",
		[SSI_R_CSUM]		= "checksum",
		[SSI_R_SECTION]		= "section",
		[SSI_R_RESERVED]	= "reserved",
		[SSI_R_TASK]		= "task",
		[SSI_R_XSTATE]		= "xstate",
		[SSI_R_MM]		= "mm",
		[SSI_R_FILES]		= "files",
		[SSI_R_FILE_OPEN]	= "file-open",
		[SSI_R_FILE_CHANGED]	= "file-changed",
		[SSI_R_VMAS]		= "vmas",
		[SSI_R_PAGES]		= "pages",
		[SSI_R_END]		= "end",
		[SSI_R_RLIMIT]		= "rlimit",
		[SSI_R_CALLER]		= "caller",
		[SSI_R_TARGET]		= "target",
		[SSI_R_MAPPING]		= "mapping",
		[SSI_R_NOMEM]		= "nomem",
		[SSI_R_INTR]		= "interrupted",
		[SSI_R_SECCOMP]		= "seccomp",
		[SSI_R_AFFINITY]	= "affinity",
		[SSI_R_NUMA]		= "numa",
	};

	return reason < SSI_R_MAX && names[reason] ? names[reason] : "unknown";
}

const char *ssi_vmaf_name(u32 flag)
{
#define VMAF(n) { SSI_VMAF_##n, #n }
	static const struct {
		u32 flag;
		const char *name;
	} names[] = {
		VMAF(GROWSDOWN), VMAF(LOCKED), VMAF(LOCKONFAULT), VMAF(DONTCOPY),
		VMAF(WIPEONFORK), VMAF(DONTDUMP), VMAF(HUGEPAGE), VMAF(NOHUGEPAGE),
		VMAF(SEQ_READ), VMAF(RAND_READ), VMAF(MERGEABLE),
	};
#undef VMAF
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].flag == flag)
			return names[i].name;
	return NULL;
}

/* An ELF note header (Elf64_Nhdr: elf.h is not for both sides). */
struct ssi_nhdr {
	u32 namesz, descsz, type;
};

#define SSI_NT_GNU_BUILD_ID	3

u32 ssi_note_build_id(const u8 *notes, u64 size, u64 align, u8 *digest)
{
	u64 off = 0;

	/* off may pass size: a last note's padding need not fit */
	while (off <= size && size - off >= sizeof(struct ssi_nhdr)) {
		struct ssi_nhdr nh;
		u64 name = off + sizeof(nh), desc, next;

		memcpy(&nh, notes + off, sizeof(nh));
		desc = name + (((u64)nh.namesz + align - 1) & ~(align - 1));
		next = desc + (((u64)nh.descsz + align - 1) & ~(align - 1));
		if (desc > size || nh.descsz > size - desc)
			break;
		if (nh.type == SSI_NT_GNU_BUILD_ID && nh.namesz == 4 &&
		    !memcmp(notes + name, "GNU", 4) && nh.descsz >= 1 &&
		    nh.descsz <= SSI_IMG_DIGEST_LEN) {
			memcpy(digest, notes + desc, nh.descsz);
			return nh.descsz;
		}
		off = next;
	}
	return 0;
}
