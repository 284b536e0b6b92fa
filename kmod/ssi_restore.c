// SPDX-License-Identifier: GPL-2.0
/*
 * ssi_restore.c - SSI_IOC_RESTORE on the remote node: the calling helper
 * process turns itself into the process of an image.
 *
 * The order is the point of this file:
 *
 *  1. Everything is read and validated while the helper is still intact:
 *     header (release, vDSO identity and position), task, xstate, mm,
 *     files (each opened with the helper's credentials and compared by
 *     content), VMAs (each probed against mmap_min_addr), rlimits.  If the
 *     image fd is a regular file, every page run is read and checked too.
 *     Any failure returns an error and a reason; the helper lives on.
 *  2. The point of no return: the helper's mappings except [vvar]/[vdso]
 *     are unmapped, the image's VMAs are mapped (vm_mmap), pages filled,
 *     mm fields, signal dispositions, limits, rseq/futex registrations and
 *     fs/gs base set.  A failure from here on kills the helper.
 *  3. Registers, FPU state, signal mask and sigaltstack are not written by
 *     hand.  A struct rt_sigframe is built on the restored stack (below the
 *     red zone, as signal delivery would) and the ioctl returns into a
 *     syscall instruction inside the vDSO with ax = __NR_rt_sigreturn.  The
 *     kernel's own rt_sigreturn then validates and loads everything,
 *     xstate included (as CRIU's restorer does); a malformed xstate cannot
 *     fault inside the kernel, and was refused in step 1 anyway.
 *
 * SSI_IOC_RETURN runs the same steps in a frozen deputy, in its own
 * context (ssi_dump.c's verdict): the process comes back home into the
 * task that kept its pid, fds and credentials.  The deputy kept its [vvar]
 * and [vdso] where the process had them, which is where the image wants
 * them.
 *
 * The vDSO cannot be moved from a module (no exported mremap), and
 * restored code holds pointers into it, so the helper mremap()s its [vvar]
 * and [vdso] to the image's addresses before the call (same kernel build:
 * same vDSO, checked by digest).
 */
#include <linux/capability.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/futex.h>
#include <linux/ioprio.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mmap_lock.h>
#include <linux/personality.h>
#include <linux/posix-timers.h>
#include <linux/ptrace.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>
#include <asm/fpu/types.h>
#include <asm/fsgsbase.h>
#include <asm/msr.h>
#include <asm/segment.h>
#include <asm/sigcontext.h>
#include <asm/sigframe.h>
#include <asm/syscall.h>
#include <asm/ucontext.h>
#include <asm/unistd.h>
#include <uapi/linux/sched/types.h>	/* struct sched_attr */

#include "ssi_internal.h"

/* Pages read (and written) per step while filling memory. */
#define SSI_RST_CHUNK		64
/* How long a restore waits for the helper's threads to park. */
#define SSI_PARK_TIMEOUT	(10 * HZ)

/* Limits that shape the address space; the others are ssid's business. */
static const int ssi_rst_rlimits[] = { RLIMIT_STACK, RLIMIT_DATA, RLIMIT_AS,
				       RLIMIT_CORE };

struct ssi_rst {
	struct ssi_img_reader r;
	struct ssi_img_env env;
	u32 flags;
	bool into_deputy;	/* SSI_IOC_RETURN: the deputy's threads */
	const bool *stop;	/* SSI_IOC_RETURN: its caller was killed */
	bool past_ponr;		/* the point of no return is crossed */

	/* The helper's own vDSO. */
	unsigned long vdso_start, vdso_end, vvar_start, vvar_end;
	unsigned long vdso_syscall;
	u8 vdso_digest[SSI_IMG_DIGEST_LEN];
	__u64 cpus[SSI_IMG_CPU_WORDS];	/* what this node gives the restorer */
	__u64 mems[SSI_IMG_NODE_WORDS];	/* the nodes its NUMA policies may name */

	struct ssi_img_header h;
	struct ssi_img_task t;
	struct ssi_img_mm m;
	void *xstate;
	void *fbuf;
	u32 *foffs;
	u32 nr_files;
	struct file **files;
	struct file **subst;	/* the restorer's files for some of @files */
	u32 nr_subst;
	struct ssi_img_vma *vmas;
	u32 nr_vmas;
	/* Pages whose NUMA policies the mappings take (struct ssi_carriers). */
	struct ssi_carriers car;
	u64 *car_copy;			/* SSI_IOC_RESTORE's copy of them */
	u32 *carrier_of;		/* per VMA: its carrier's index */

	/* Threads other than the leader: their state, and who becomes them. */
	u32 nr_others;			/* header.nr_threads - 1 */
	u8 *threads;			/* nr_others x (thread + XSAVE area) */
	struct ssi_img_siginfo *sigq;	/* SSI_SEC_SIGQUEUE */
	u32 nr_sigq;
	struct ssi_img_posix_timer *timers;	/* SSI_SEC_TIMERS */
	u32 nr_timers;
	void *ldt;			/* SSI_SEC_LDT: nr_ldt descriptors */
	u32 nr_ldt;
	struct ssi_parked **parked;	/* claimed helper threads */
	u32 nr_parked;
	/* SSI_IOC_RETURN: the deputy's frozen threads, in the image's order. */
	struct ssi_parked **given;
	u32 nr_given;

	loff_t pages_pos;	/* where PAGES starts, for the second pass */
	u64 pages_off;
	bool pages_hdr_read;	/* PAGES' section header is consumed already */
	u8 *buf;		/* SSI_RST_CHUNK pages */
};

/*
 * A helper thread waiting in SSI_IOC_RESTORE_THREAD, or a frozen deputy
 * thread to become one of the image's (SSI_IOC_RETURN).  Refcounted: the
 * thread holds one reference, the parking list (and then the restore that
 * claims it) the other, so that either may leave first; a deputy thread's
 * record has a third, its freezer's (ssi_dump.c).
 */
struct ssi_parked {
	refcount_t ref;
	struct task_struct *task;
	struct list_head node;		/* ssi_parked_list until claimed */
	bool claimed;			/* under ssi_park_lock */
	u32 index;			/* SSI_IOC_RESTORE_THREAD's: 0, or 1.. */
	int verdict;			/* SSI_PARK_*, then read by the thread */
	/* With SSI_PARK_GO: what to become. */
	struct ssi_img_thread img;
	void *xstate;
	unsigned long vdso_syscall;
};

enum {
	SSI_PARK_WAIT,
	SSI_PARK_GO,
	SSI_PARK_CANCEL,
};

static LIST_HEAD(ssi_parked_list);
static DEFINE_SPINLOCK(ssi_park_lock);
static DECLARE_WAIT_QUEUE_HEAD(ssi_park_wq);

/*
 * Parked-thread records (and their templates) come from a cache of their
 * own, so that a kernel booted with slub_debug=FZPU,ssi_parked (the lab)
 * checks exactly these for writes after free and double frees.
 */
static struct kmem_cache *ssi_parked_cache;

int ssi_restore_init(void)
{
	ssi_parked_cache = KMEM_CACHE(ssi_parked, 0);
	return ssi_parked_cache ? 0 : -ENOMEM;
}

void ssi_restore_exit(void)
{
	kmem_cache_destroy(ssi_parked_cache);
}

static struct ssi_parked *ssi_parked_alloc(void)
{
	return kmem_cache_zalloc(ssi_parked_cache, GFP_KERNEL);
}

static void ssi_parked_free(struct ssi_parked *p)
{
	kvfree(p->xstate);
	kmem_cache_free(ssi_parked_cache, p);
}

static void ssi_parked_put(struct ssi_parked *p)
{
	if (refcount_dec_and_test(&p->ref))
		ssi_parked_free(p);
}

static void ssi_parked_verdict(struct ssi_parked *p, int verdict)
{
	WRITE_ONCE(p->verdict, verdict);
	wake_up_all(&ssi_park_wq);
}

struct ssi_parked *ssi_return_thread_new(struct task_struct *task)
{
	struct ssi_parked *p = ssi_parked_alloc();

	if (!p)
		return NULL;
	refcount_set(&p->ref, 2);	/* the thread + its freezer */
	p->task = task;
	INIT_LIST_HEAD(&p->node);
	p->claimed = true;		/* never on the parking list */
	return p;
}

void ssi_return_thread_put(struct ssi_parked *p, bool cancel)
{
	if (cancel)
		ssi_parked_verdict(p, SSI_PARK_CANCEL);
	ssi_parked_put(p);
}

static int rst_fail(struct ssi_rst *rs, int err, u32 reason, u32 section,
		    const char *detail)
{
	return ssi_ir_fail(&rs->r, err, reason, section, rs->r.off, detail);
}

static int check_caller(struct ssi_rst *rs)
{
	struct mm_struct *mm = current->mm;
	unsigned int fsel, gsel;

	if (!mm || current->ptrace || !thread_group_leader(current))
		return rst_fail(rs, -EBUSY, SSI_R_CALLER, 0,
				"caller must be a thread-group leader, not traced");
	/* Every other thread of the helper shares the handlers, nobody else. */
	if (test_bit(MMF_MULTIPROCESS, &mm->flags) || current->vfork_done ||
	    refcount_read(&current->sighand->count) != get_nr_threads(current))
		return rst_fail(rs, -EBUSY, SSI_R_CALLER, 0,
				"caller shares its mm or signal handlers");
	/*
	 * in_compat_syscall() means something in a system call only: a
	 * deputy frozen on its way back from an interrupt, not from a call,
	 * has orig_ax -1, which in_x32_syscall() takes for an x32 call.
	 */
	if (!user_64bit_mode(current_pt_regs()) || test_thread_flag(TIF_ADDR32) ||
	    (syscall_get_nr(current, current_pt_regs()) >= 0 && in_compat_syscall()))
		return rst_fail(rs, -EINVAL, SSI_R_CALLER, 0,
				"caller is not a 64-bit process");
	/* Only the bases are restored; 64-bit code keeps null selectors. */
	savesegment(fs, fsel);
	savesegment(gs, gsel);
	if (fsel || gsel)
		return rst_fail(rs, -EINVAL, SSI_R_CALLER, 0,
				"caller has fs/gs selectors");
#ifdef CONFIG_IO_URING
	if (current->io_uring)
		return rst_fail(rs, -EBUSY, SSI_R_CALLER, 0, "caller uses io_uring");
#endif
	return 0;
}

/* Find the helper's [vvar]/[vdso] and describe this node in rs->env. */
static int local_env(struct ssi_rst *rs)
{
	struct mm_struct *mm = current->mm;
	struct fpstate *fps = current->thread.fpu.fpstate;
	unsigned long r[4];
	int err;

	if (ssi_vdso_ranges(r))
		return rst_fail(rs, -EINTR, SSI_R_INTR, 0, "interrupted");
	rs->vdso_start = r[0];
	rs->vdso_end = r[1];
	rs->vvar_start = r[2];
	rs->vvar_end = r[3];
	if (!rs->vdso_start || !rs->vvar_start)
		return rst_fail(rs, -EINVAL, SSI_R_VDSO, 0, "caller has no vDSO");

	err = ssi_vdso_digest(mm, rs->vdso_start, rs->vdso_end, rs->vdso_digest,
			      &rs->vdso_syscall);
	if (err)
		return rst_fail(rs, err, SSI_R_VDSO, 0, "cannot read the vDSO");
	if (!rs->vdso_syscall)
		return rst_fail(rs, -EINVAL, SSI_R_VDSO, 0,
				"no syscall instruction in the vDSO");

	rs->env.task_size = TASK_SIZE;
	rs->env.page_size = PAGE_SIZE;
	rs->env.xstate_user_size = fps->user_size;
	rs->env.user_xfeatures = fps->user_xfeatures;
	rs->env.mxcsr_mask = mxcsr_feature_mask;
	rs->env.auxv_words = AT_VECTOR_SIZE;
	rs->env.user_cs = __USER_CS;
	rs->env.user_ss = __USER_DS;
	rs->env.release = init_utsname()->release;
	rs->env.vdso_digest = rs->vdso_digest;
	/* coming home, the deputy's threads decide (ssi_affinity.c) */
	if (!rs->into_deputy) {
		ssi_cpus_usable(rs->cpus);
		rs->env.cpus = rs->cpus;
		ssi_mems_usable(rs->mems);
		rs->env.mems = rs->mems;
	}
	return 0;
}

/* Read a fixed-size section into @buf and validate its framing. */
static int read_section(struct ssi_rst *rs, u32 type, void *buf, u64 size)
{
	struct ssi_img_section s;
	int err;

	err = ssi_ir_section(&rs->r, type, &rs->h, &s);
	if (err)
		return err;
	if (s.size != size)
		return rst_fail(rs, -EINVAL, SSI_R_SECTION, type, "section size");
	return ssi_ir_payload(&rs->r, &s, buf);
}

/* Run a pure check; on failure record where the item started. */
static int checked(struct ssi_rst *rs, int err, u32 section, u64 at)
{
	if (err) {
		rs->r.err.section = section;
		rs->r.err.offset = at;
	}
	return err;
}

/* A THREAD section's payload: the thread's state and its XSAVE area. */
static size_t thread_rec_size(const struct ssi_rst *rs)
{
	return sizeof(struct ssi_img_thread) + rs->h.xstate_size;
}

/* The image's thread @i, the leader first. */
static const struct ssi_img_thread *thread_at(const struct ssi_rst *rs, u32 i)
{
	if (!i)
		return &rs->t.leader;
	return (const void *)(rs->threads + (i - 1) * thread_rec_size(rs));
}

static s32 image_tid(const struct ssi_rst *rs, u32 i)
{
	return thread_at(rs, i)->home_tid;
}

/*
 * SSI_SEC_SIGQUEUE and SSI_SEC_TIMERS, after the threads whose tids they
 * name.
 */
static int read_sigqueue_timers(struct ssi_rst *rs)
{
	struct ssi_img_section s, ts;
	s32 *tids;
	u64 at = rs->r.off, tat;
	u32 i;
	int err;

	err = ssi_ir_section(&rs->r, SSI_SEC_SIGQUEUE, &rs->h, &s);
	if (err)
		return err;
	rs->nr_sigq = s.count;
	rs->sigq = kvmalloc(s.size ?: 1, GFP_KERNEL);
	tids = kmalloc_array(rs->h.nr_threads, sizeof(*tids), GFP_KERNEL);
	if (!rs->sigq || !tids) {
		kfree(tids);
		return rst_fail(rs, -ENOMEM, SSI_R_NOMEM, SSI_SEC_SIGQUEUE, "no memory");
	}
	for (i = 0; i < rs->h.nr_threads; i++)
		tids[i] = image_tid(rs, i);
	err = ssi_ir_payload(&rs->r, &s, rs->sigq);
	if (!err)
		err = checked(rs, ssi_img_check_sigqueue(rs->sigq, rs->nr_sigq, tids,
							 rs->h.nr_threads, &rs->r.err),
			      SSI_SEC_SIGQUEUE, at);
	tat = rs->r.off;
	if (!err)
		err = ssi_ir_section(&rs->r, SSI_SEC_TIMERS, &rs->h, &ts);
	if (!err) {
		rs->nr_timers = ts.count;
		rs->timers = kvmalloc(ts.size ?: 1, GFP_KERNEL);
		err = rs->timers ? ssi_ir_payload(&rs->r, &ts, rs->timers) :
		      rst_fail(rs, -ENOMEM, SSI_R_NOMEM, SSI_SEC_TIMERS, "no memory");
	}
	if (!err)
		err = checked(rs, ssi_img_check_timers(rs->timers, rs->nr_timers, tids,
						       rs->h.nr_threads, &rs->r.err),
			      SSI_SEC_TIMERS, tat);
	kfree(tids);
	return err;
}

/* SSI_SEC_LDT: compared with the LDT the caller made (match_ldt()). */
static int read_ldt(struct ssi_rst *rs)
{
	struct ssi_img_section s;
	int err;

	err = ssi_ir_section(&rs->r, SSI_SEC_LDT, &rs->h, &s);
	if (err)
		return err;
	rs->ldt = kvmalloc(s.size ?: 1, GFP_KERNEL);
	if (!rs->ldt)
		return rst_fail(rs, -ENOMEM, SSI_R_NOMEM, SSI_SEC_LDT, "no memory");
	rs->nr_ldt = s.count;
	return ssi_ir_payload(&rs->r, &s, rs->ldt);
}

/*
 * The LDT is the image's: made by the caller before the restore (a
 * module cannot make one, ssi_mmctx.c), kept by a deputy.
 */
static int match_ldt(struct ssi_rst *rs)
{
	if (ssi_ldt_matches(current->mm, rs->ldt, rs->nr_ldt))
		return 0;
	rst_fail(rs, -EINVAL, SSI_R_TASK, SSI_SEC_LDT, "");
	snprintf(rs->r.err.detail, sizeof(rs->r.err.detail),
		 "the LDT is not made as the image has it (%u descriptors)",
		 rs->nr_ldt);
	return -EINVAL;
}

/*
 * The process's POSIX timers are the image's: made by the caller before
 * the restore (ssi_ptimer.c), each with its id, clock and sigevent.
 */
/*
 * Each thread of the restorer holds the NUMA policy of the image thread it
 * becomes, which it set itself (ssi_mempolicy.c).  Coming home, the
 * deputy's threads keep their own.
 */
static int match_mempolicies(struct ssi_rst *rs)
{
	u32 i;

	if (rs->into_deputy)
		return 0;
	if (!ssi_mempolicy_matches(current, &rs->t.leader.mempolicy))
		return rst_fail(rs, -EINVAL, SSI_R_NUMA, SSI_SEC_TASK,
				"the leader's NUMA policy is not the image's");
	for (i = 0; i < rs->nr_parked; i++)
		if (!ssi_mempolicy_matches(rs->parked[i]->task, &rs->parked[i]->img.mempolicy))
			return rst_fail(rs, -EINVAL, SSI_R_NUMA, SSI_SEC_THREAD,
					"a thread's NUMA policy is not the image's");
	return 0;
}

static int match_timers(struct ssi_rst *rs)
{
	s32 bad_id;
	int err = ssi_ptimers_match(rs->timers, rs->nr_timers, &bad_id);

	if (err == -ENOMEM)
		return rst_fail(rs, err, SSI_R_NOMEM, SSI_SEC_TIMERS, "no memory");
	if (err) {
		rst_fail(rs, err, SSI_R_TASK, SSI_SEC_TIMERS, "");
		snprintf(rs->r.err.detail, sizeof(rs->r.err.detail),
			 "POSIX timer %d is not made as the image has it", bad_id);
	}
	return err;
}

static int read_meta(struct ssi_rst *rs)
{
	struct ssi_img_reader *r = &rs->r;
	struct ssi_img_section s;
	u32 i;
	u64 at;
	int err;

	BUILD_BUG_ON(sizeof(struct ssi_img_header) != 256);
	BUILD_BUG_ON(sizeof(struct ssi_img_section) != 32);
	BUILD_BUG_ON(sizeof(struct ssi_img_task) != 3280);
	BUILD_BUG_ON(sizeof(struct ssi_img_posix_timer) != 56);
	BUILD_BUG_ON(sizeof(struct ssi_img_thread) != 712);
	BUILD_BUG_ON(sizeof(struct ssi_img_mm) != 640);
	BUILD_BUG_ON(sizeof(struct ssi_img_file) != 72);
	BUILD_BUG_ON(sizeof(struct ssi_img_vma) != 64);
	BUILD_BUG_ON(sizeof(struct ssi_img_pages) != 24);
	BUILD_BUG_ON(sizeof(struct ssi_img_end) != 64);

	err = ssi_ir_read(r, &rs->h, sizeof(rs->h));
	if (!err)
		err = checked(rs, ssi_img_check_header(&rs->h, &rs->env, &r->err),
			      0, 0);
	if (err)
		return err;
	if (!(rs->flags & SSI_RESTORE_VERIFY_ONLY) &&
	    (rs->h.vdso_start != rs->vdso_start || rs->h.vdso_end != rs->vdso_end ||
	     rs->h.vvar_start != rs->vvar_start || rs->h.vvar_end != rs->vvar_end)) {
		rs->r.err.offset = 0;
		snprintf(r->err.detail, sizeof(r->err.detail),
			 "vdso at %lx, image's at %llx", rs->vdso_start,
			 (unsigned long long)rs->h.vdso_start);
		r->err.reason = SSI_R_VDSO;
		return -EINVAL;
	}

	at = r->off;
	err = read_section(rs, SSI_SEC_TASK, &rs->t, sizeof(rs->t));
	if (!err)
		err = checked(rs, ssi_img_check_task(&rs->t, &rs->env, &r->err),
			      SSI_SEC_TASK, at);
	if (err)
		return err;

	at = r->off;
	rs->xstate = kvzalloc(rs->h.xstate_size, GFP_KERNEL);
	if (!rs->xstate)
		return rst_fail(rs, -ENOMEM, SSI_R_NOMEM, SSI_SEC_XSTATE, "no memory");
	err = read_section(rs, SSI_SEC_XSTATE, rs->xstate, rs->h.xstate_size);
	if (!err)
		err = checked(rs, ssi_img_check_xstate(rs->xstate, rs->h.xstate_size,
						       &rs->h, &rs->env, &r->err),
			      SSI_SEC_XSTATE, at);
	if (err)
		return err;

	at = r->off;
	err = read_section(rs, SSI_SEC_MM, &rs->m, sizeof(rs->m));
	if (!err)
		err = checked(rs, ssi_img_check_mm(&rs->m, &rs->env, &r->err),
			      SSI_SEC_MM, at);
	if (err)
		return err;

	at = r->off;
	err = ssi_ir_section(r, SSI_SEC_FILES, &rs->h, &s);
	if (err)
		return err;
	rs->nr_files = s.count;
	rs->fbuf = kvmalloc(s.size ?: 1, GFP_KERNEL);
	rs->foffs = kcalloc(s.count ?: 1, sizeof(*rs->foffs), GFP_KERNEL);
	rs->files = kcalloc(s.count ?: 1, sizeof(*rs->files), GFP_KERNEL);
	if (!rs->fbuf || !rs->foffs || !rs->files)
		return rst_fail(rs, -ENOMEM, SSI_R_NOMEM, SSI_SEC_FILES, "no memory");
	err = ssi_ir_payload(r, &s, rs->fbuf);
	if (!err)
		err = checked(rs, ssi_img_check_files(rs->fbuf, s.size, s.count,
						      rs->foffs, &r->err),
			      SSI_SEC_FILES, at);
	if (err)
		return err;

	at = r->off;
	err = ssi_ir_section(r, SSI_SEC_VMAS, &rs->h, &s);
	if (err)
		return err;
	rs->nr_vmas = s.count;
	rs->vmas = kvmalloc(s.size, GFP_KERNEL);
	if (!rs->vmas)
		return rst_fail(rs, -ENOMEM, SSI_R_NOMEM, SSI_SEC_VMAS, "no memory");
	err = ssi_ir_payload(r, &s, rs->vmas);
	if (!err)
		err = checked(rs, ssi_img_check_vmas(rs->vmas, rs->nr_vmas,
						     rs->nr_files, &rs->h,
						     &rs->env, &r->err) ?:
				  ssi_img_check_vma_files(rs->vmas, rs->nr_vmas, rs->fbuf,
							  rs->foffs, &r->err),
			      SSI_SEC_VMAS, at);
	if (err)
		return err;

	rs->nr_others = rs->h.nr_threads - 1;
	if (rs->nr_others) {
		rs->threads = kvmalloc_array(rs->nr_others, thread_rec_size(rs),
					     GFP_KERNEL);
		if (!rs->threads)
			return rst_fail(rs, -ENOMEM, SSI_R_NOMEM, SSI_SEC_THREAD,
					"no memory");
	}
	for (i = 0; i < rs->nr_others; i++) {
		u8 *rec = rs->threads + i * thread_rec_size(rs);

		at = r->off;
		err = read_section(rs, SSI_SEC_THREAD, rec, thread_rec_size(rs));
		if (!err)
			err = checked(rs, ssi_img_check_thread((void *)rec, &rs->env,
							       &r->err),
				      SSI_SEC_THREAD, at);
		if (!err)
			err = checked(rs, ssi_img_check_xstate(rec + sizeof(struct ssi_img_thread),
							       rs->h.xstate_size, &rs->h,
							       &rs->env, &r->err),
				      SSI_SEC_THREAD, at);
		if (err)
			return err;
	}
	err = read_sigqueue_timers(rs);
	return err ? err : read_ldt(rs);
}

/*
 * The PAGES section header too is checked before the point of no return,
 * even from a stream: a missing or extra THREAD section shows here.
 */
static int read_pages_header(struct ssi_rst *rs)
{
	struct ssi_img_section s;
	int err;

	rs->pages_pos = rs->r.pos;
	rs->pages_off = rs->r.off;
	err = ssi_ir_section(&rs->r, SSI_SEC_PAGES, &rs->h, &s);
	rs->pages_hdr_read = !err;
	return err;
}

/* Go back to the start of PAGES (regular files only). */
static void rewind_pages(struct ssi_rst *rs)
{
	rs->r.pos = rs->pages_pos;
	rs->r.off = rs->pages_off;
	rs->pages_hdr_read = false;
}

/*
 * @path (from the image: untrusted) opened for reading, if it is a
 * regular file.  Looked up once without opening (O_PATH), so that a FIFO
 * cannot block the restore and a device is never opened; then that very
 * inode is opened, not the path again.
 */
static struct file *open_regular(const char *path)
{
	struct file *p, *f;

	p = filp_open(path, O_PATH | O_LARGEFILE, 0);
	if (IS_ERR(p))
		return p;
	if (!S_ISREG(file_inode(p)->i_mode))
		f = ERR_PTR(-EINVAL);
	else
		f = dentry_open(&p->f_path, O_RDONLY | O_LARGEFILE, current_cred());
	fput(p);
	return f;
}

/*
 * A segment record: the restorer supplies this node's copy of it (its
 * channel), never a path; the copy must be of that segment and size.
 */
static int take_segment(struct ssi_rst *rs, u32 i)
{
	const struct ssi_img_file *want = rs->fbuf + rs->foffs[i];
	struct file *f = i < rs->nr_subst ? rs->subst[i] : NULL;
	u64 want_id, id, size;

	memcpy(&want_id, want->digest, sizeof(want_id));
	rs->r.err.offset = i;
	rs->r.err.section = SSI_SEC_FILES;
	if (!f) {
		rs->r.err.reason = SSI_R_FILE_OPEN;
		snprintf(rs->r.err.detail, sizeof(rs->r.err.detail),
			 "no copy of shared memory segment %llx supplied",
			 (unsigned long long)want_id);
		return -ENOENT;
	}
	if (!ssi_dsm_file_segment(f, &id, &size) || id != want_id || size != want->size) {
		rs->r.err.reason = SSI_R_FILE_CHANGED;
		snprintf(rs->r.err.detail, sizeof(rs->r.err.detail),
			 "the copy supplied is not shared memory segment %llx",
			 (unsigned long long)want_id);
		return -ESTALE;
	}
	rs->files[i] = get_file(f);
	return 0;
}

/*
 * Open every mapped file as the helper (so the job user's permissions
 * apply) and compare its content identity with the image's.
 */
static int open_files(struct ssi_rst *rs)
{
	u32 i;
	int err;

	if (rs->nr_subst > rs->nr_files)
		return rst_fail(rs, -EINVAL, SSI_R_FILE_OPEN, SSI_SEC_FILES,
				"more files supplied than the image maps");
	for (i = 0; i < rs->nr_files; i++) {
		const struct ssi_img_file *want = rs->fbuf + rs->foffs[i];
		struct ssi_img_file have = {};
		struct file *f;

		if (want->digest_kind == SSI_DIGEST_DSM) {
			err = take_segment(rs, i);
			if (err)
				return err;
			continue;
		}
		/* a copy of the content, fetched by the restorer: checked too */
		if (i < rs->nr_subst && rs->subst[i])
			f = get_file(rs->subst[i]);
		else
			f = open_regular(ssi_img_file_path(want));
		if (IS_ERR(f)) {
			err = PTR_ERR(f);
			rs->r.err.offset = i;
			snprintf(rs->r.err.detail, sizeof(rs->r.err.detail),
				 "%d opening %.48s", err, ssi_img_file_path(want));
			rs->r.err.reason = SSI_R_FILE_OPEN;
			rs->r.err.section = SSI_SEC_FILES;
			return err;
		}
		rs->files[i] = f;
		err = ssi_file_identity(f, &have, rs->stop);
		if (err == -EINTR)
			return rst_fail(rs, err, SSI_R_INTR, SSI_SEC_FILES,
					"interrupted");
		if (err || have.size != want->size ||
		    have.digest_kind != want->digest_kind ||
		    have.digest_len != want->digest_len ||
		    memcmp(have.digest, want->digest, SSI_IMG_DIGEST_LEN)) {
			snprintf(rs->r.err.detail, sizeof(rs->r.err.detail),
				 "%s: %.48s", i < rs->nr_subst && rs->subst[i] ?
				 "the copy supplied differs" : "differs here",
				 ssi_img_file_path(want));
			rs->r.err.reason = SSI_R_FILE_CHANGED;
			rs->r.err.section = SSI_SEC_FILES;
			rs->r.err.offset = i;
			return -ESTALE;
		}
	}
	return 0;
}

/*
 * The carriers of the mappings' NUMA policies (struct ssi_restore): one
 * per mapping that has one, in order, each a page of its own holding
 * exactly that policy; in the restoring task's mm, outside every mapping
 * of the image, so that it outlives the unmapping until its mapping takes
 * its policy (take_policy()); coming home, in the caller's.
 */
static int check_carriers(struct ssi_rst *rs)
{
	struct mm_struct *mm = rs->car.mm;
	bool own = mm == current->mm;
	u32 i, k = 0, at = 0;
	int err = 0;

	for (i = 0; i < rs->nr_vmas; i++)
		k += rs->vmas[i].mpol_mode != 0;
	if (k != rs->car.nr)
		return rst_fail(rs, -EINVAL, SSI_R_NUMA, SSI_SEC_VMAS,
				"not one NUMA policy carrier per mapping with a policy");
	if (!k)
		return 0;
	rs->carrier_of = kvmalloc_array(rs->nr_vmas, sizeof(*rs->carrier_of), GFP_KERNEL);
	if (!rs->carrier_of)
		return rst_fail(rs, -ENOMEM, SSI_R_NOMEM, SSI_SEC_VMAS, "no memory");
	if (mmap_read_lock_killable(mm))
		return rst_fail(rs, -EINTR, SSI_R_INTR, SSI_SEC_VMAS, "interrupted");
	for (i = 0, k = 0; i < rs->nr_vmas && !err; i++) {
		const struct ssi_img_vma *v = &rs->vmas[i];
		struct vm_area_struct *c;
		u64 a;

		if (!v->mpol_mode)
			continue;
		a = rs->car.addr[k];
		/* sorted, as the image's mappings are: one walk finds overlaps */
		while (at < rs->nr_vmas && rs->vmas[at].end <= a)
			at++;
		c = a & ~PAGE_MASK ? NULL : vma_lookup(mm, a);
		if (!c || c->vm_start != a || c->vm_end != a + PAGE_SIZE ||
		    !vma_is_anonymous(c) || (c->vm_flags & VM_SHARED) ||
		    (k && a <= rs->car.addr[k - 1]) ||
		    (own && at < rs->nr_vmas && rs->vmas[at].start < a + PAGE_SIZE) ||
		    !ssi_vma_mempolicy_matches(c, v))
			err = -EINVAL;
		rs->carrier_of[i] = k++;
	}
	mmap_read_unlock(mm);
	if (err)
		return rst_fail(rs, err, SSI_R_NUMA, SSI_SEC_VMAS,
				"a NUMA policy carrier is not a page of its own with the policy");
	return 0;
}

/* Checks that need this node's state and change nothing. */
static int check_local(struct ssi_rst *rs)
{
	u64 locked = 0, limit;
	u32 i, vma_pkeys = 0;

	for (i = 0; i < ARRAY_SIZE(ssi_rst_rlimits); i++) {
		int res = ssi_rst_rlimits[i];

		if (rs->t.rlim[res].max > rlimit_max(res) &&
		    !capable(CAP_SYS_RESOURCE))
			return rst_fail(rs, -EPERM, SSI_R_RLIMIT, SSI_SEC_TASK,
					"hard limit above the caller's");
	}
	for (i = 0; i < rs->nr_vmas; i++) {
		const struct ssi_img_vma *v = &rs->vmas[i];
		unsigned long addr;

		if (v->kind == SSI_VMA_VDSO || v->kind == SSI_VMA_VVAR)
			continue;
		if (v->flags & SSI_VMAF_LOCKED)
			locked += (v->end - v->start) >> PAGE_SHIFT;
		vma_pkeys |= 1U << v->pkey;
		if ((v->flags & SSI_VMAF_MERGEABLE) && !IS_ENABLED(CONFIG_KSM))
			return rst_fail(rs, -EOPNOTSUPP, SSI_R_VMAS, SSI_SEC_VMAS,
					"MADV_MERGEABLE memory and no KSM here");
		/* Non-destructive: mmap_min_addr, LSMs, address limits. */
		addr = get_unmapped_area(NULL, v->start, v->end - v->start, 0,
					 MAP_FIXED | MAP_PRIVATE);
		if (addr != v->start) {
			rs->r.err.offset = i;
			snprintf(rs->r.err.detail, sizeof(rs->r.err.detail),
				 "vma %u at %llx not mappable here", i,
				 (unsigned long long)v->start);
			rs->r.err.reason = SSI_R_VMAS;
			rs->r.err.section = SSI_SEC_VMAS;
			return IS_ERR_VALUE(addr) ? (long)addr : -EINVAL;
		}
	}
	/* as mlock() checks, with the limit the process will have */
	limit = rs->t.rlim[RLIMIT_MEMLOCK].cur;
	if (locked && limit != RLIM64_INFINITY && locked > limit >> PAGE_SHIFT &&
	    !capable(CAP_IPC_LOCK))
		return rst_fail(rs, -EPERM, SSI_R_RLIMIT, SSI_SEC_VMAS,
				"locked memory beyond RLIMIT_MEMLOCK");
	if (!ssi_pkeys_here(rs->m.pkeys, vma_pkeys))
		return rst_fail(rs, -EOPNOTSUPP, SSI_R_MM, SSI_SEC_MM,
				"protection keys, which this node's CPU has not");
	return 0;
}

/* Write restored bytes; read-only private mappings go through COW. */
static int poke(unsigned long addr, const void *buf, size_t len, bool writable)
{
	if (writable && !copy_to_user((void __user *)addr, buf, len))
		return 0;
	if (access_process_vm(current, addr, (void *)buf, len,
			      FOLL_FORCE | FOLL_WRITE) == len)
		return 0;
	return -EFAULT;
}

/* The PAGES and END sections; with @apply the data is written to memory. */
static int read_pages(struct ssi_rst *rs, bool apply)
{
	struct ssi_img_reader *r = &rs->r;
	struct ssi_img_runs runs = {
		.vmas = rs->vmas,
		.nr_vmas = rs->nr_vmas,
		.page_size = PAGE_SIZE,
	};
	struct ssi_img_section s;
	struct ssi_img_end end;
	int err;

	if (!rs->pages_hdr_read) {
		err = ssi_ir_section(r, SSI_SEC_PAGES, &rs->h, &s);
		if (err)
			return err;
	}
	rs->pages_hdr_read = false;
	for (;;) {
		const struct ssi_img_vma *vma;
		struct ssi_img_pages ph;
		unsigned long addr;
		u64 at = r->off;
		u32 left, crc = 0;

		err = ssi_ir_read(r, &ph, sizeof(ph));
		if (err)
			return err;
		err = ssi_img_check_run(&runs, &ph, &vma, &r->err);
		if (err < 0)
			return checked(rs, err, SSI_SEC_PAGES, at);
		if (err == 1)
			break;

		addr = ph.addr;
		for (left = ph.nr_pages; left; ) {
			u32 n = min_t(u32, left, SSI_RST_CHUNK);
			size_t len = (size_t)n << PAGE_SHIFT;

			err = ssi_ir_read(r, rs->buf, len);
			if (err)
				return err;
			crc = ssi_crc32c(crc, rs->buf, len);
			if (apply && poke(addr, rs->buf, len, vma->prot & PROT_WRITE))
				return ssi_ir_fail(r, -EFAULT, SSI_R_PAGES,
						   SSI_SEC_PAGES, at,
						   "cannot write page");
			addr += len;
			left -= n;
		}
		if (crc != ph.data_crc)
			return ssi_ir_fail(r, -EINVAL, SSI_R_CSUM, SSI_SEC_PAGES,
					   at, "page data checksum");
		if (fatal_signal_pending(current))
			return rst_fail(rs, -EINTR, SSI_R_INTR, SSI_SEC_PAGES,
					"interrupted");
		cond_resched();
	}

	err = read_section(rs, SSI_SEC_END, &end, sizeof(end));
	if (!err)
		err = checked(rs, ssi_img_check_end(&end, &runs,
						    r->off - sizeof(end) -
						    sizeof(struct ssi_img_section),
						    &r->err),
			      SSI_SEC_END, r->off - sizeof(end));
	return err;
}

/* --- past the point of no return --- */

/*
 * Whether the flags vm_mmap() gives VMA @v must be changed: madvise() or
 * mlock() state, a protection key, or an execute-only mapping, which
 * vm_mmap() gives a key of its own (the image's may differ).
 */
static bool has_attributes(const struct ssi_img_vma *v)
{
	return (v->flags & ~SSI_VMAF_GROWSDOWN) || v->pkey || v->prot == PROT_EXEC ||
	       v->mpol_mode;
}

#ifdef CONFIG_NUMA
/*
 * Whether @vma is image VMA @v, just mapped, policy-less, able to hold one
 * of its own (a file whose object keeps policies, tmpfs, is refused).
 */
static bool takes_policy(struct vm_area_struct *vma, const struct ssi_img_vma *v)
{
	return vma && vma->vm_start == v->start && vma->vm_end == v->end &&
	       !vma->vm_policy && !(vma->vm_ops && vma->vm_ops->set_policy);
}

/* The policy carrier @a of @mm holds for @v, taken from it (NULL if none). */
static struct mempolicy *carrier_policy(struct mm_struct *mm, u64 a,
					const struct ssi_img_vma *v)
{
	struct vm_area_struct *c = vma_lookup(mm, a);
	struct mempolicy *pol = NULL;

	if (c && c->vm_start == a && ssi_vma_mempolicy_matches(c, v)) {
		pol = c->vm_policy;
		c->vm_policy = NULL;
	}
	return pol;
}

/*
 * VMA @i, just mapped, takes the NUMA policy of its carrier, which is left
 * with none: the policy object moves, owned by one VMA at a time.  From
 * the caller's mm (coming home) under one mmap lock at a time: taken,
 * then given, or given back.
 */
static int take_policy(struct ssi_rst *rs, u32 i)
{
	const struct ssi_img_vma *v = &rs->vmas[i];
	struct mm_struct *mm = current->mm, *cmm = rs->car.mm;
	u64 a = rs->car.addr[rs->carrier_of[i]];
	struct vm_area_struct *vma;
	struct mempolicy *pol;

	if (cmm == mm) {
		if (mmap_write_lock_killable(mm))
			return -EINTR;
		vma = vma_lookup(mm, v->start);
		pol = takes_policy(vma, v) ? carrier_policy(mm, a, v) : NULL;
		if (pol)
			vma->vm_policy = pol;
		mmap_write_unlock(mm);
		return pol ? 0 : -EINVAL;
	}
	if (mmap_write_lock_killable(cmm))
		return -EINTR;
	pol = carrier_policy(cmm, a, v);
	mmap_write_unlock(cmm);
	if (!pol)
		return -EINVAL;
	mmap_write_lock(mm);
	vma = vma_lookup(mm, v->start);
	if (takes_policy(vma, v)) {
		vma->vm_policy = pol;
		pol = NULL;
	}
	mmap_write_unlock(mm);
	if (!pol)
		return 0;
	mmap_write_lock(cmm);		/* back where it was: not lost */
	vma = vma_lookup(cmm, a);
	if (vma && vma->vm_start == a && !vma->vm_policy) {
		vma->vm_policy = pol;
		pol = NULL;
	}
	mmap_write_unlock(cmm);
	if (pol)
		pr_warn_ratelimited("ssi: a NUMA policy carrier of pid %d went away\n",
				    task_pid_nr(current));
	return -EINVAL;
}
#else
static int take_policy(struct ssi_rst *rs, u32 i)
{
	return -EINVAL;
}
#endif

/* Map image VMA @i whole, with its attributes. */
static int map_vma(struct ssi_rst *rs, u32 i)
{
	const struct ssi_img_vma *v = &rs->vmas[i];
	unsigned long len = v->end - v->start, addr;
	int err;

	if (v->kind == SSI_VMA_FILE)
		addr = vm_mmap(rs->files[v->file], v->start, len, v->prot,
			       MAP_PRIVATE | MAP_FIXED, v->pgoff << PAGE_SHIFT);
	else if (v->kind == SSI_VMA_DSM)	/* the segment's copy here */
		addr = vm_mmap(rs->files[v->file], v->start, len, v->prot,
			       MAP_SHARED | MAP_FIXED, v->pgoff << PAGE_SHIFT);
	else	/* the heap too: brk() later extends a plain anon VMA */
		addr = vm_mmap(NULL, v->start, len, v->prot,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
			       (v->flags & SSI_VMAF_GROWSDOWN ? MAP_GROWSDOWN : 0), 0);
	if (addr != v->start)
		err = IS_ERR_VALUE(addr) ? (long)addr : -EINVAL;
	else
		err = has_attributes(v) ?
		      ssi_vma_apply(current->mm, v->start, v->end, v->flags, v->pkey) : 0;
	if (!err && v->mpol_mode)
		err = take_policy(rs, i);
	if (err) {
		rs->r.err.offset = i;
		snprintf(rs->r.err.detail, sizeof(rs->r.err.detail),
			 "mapping vma %u failed: %d", i, err);
		rs->r.err.reason = SSI_R_VMAS;
		rs->r.err.section = SSI_SEC_VMAS;
	}
	return err;
}

/*
 * Everything but [vvar][vdso], which are adjacent (checked), and the NUMA
 * policy carriers (sorted, outside the image's mappings: checked).
 */
static int unmap_helper(struct ssi_rst *rs)
{
	unsigned long lo = 0, keep_lo, keep_hi;
	u32 k = 0, nr = rs->car.mm == current->mm ? rs->car.nr : 0;
	bool vdso_kept = false;
	int err;

	for (;;) {
		if (k < nr && (vdso_kept || rs->car.addr[k] < rs->vvar_start)) {
			keep_lo = rs->car.addr[k++];
			keep_hi = keep_lo + PAGE_SIZE;
		} else if (!vdso_kept) {
			keep_lo = rs->vvar_start;
			keep_hi = rs->vdso_end;
			vdso_kept = true;
		} else {
			keep_lo = keep_hi = TASK_SIZE;
		}
		if (keep_lo > lo) {
			err = vm_munmap(lo, keep_lo - lo);
			if (err)
				return err;
		}
		if (keep_lo == TASK_SIZE)
			return 0;
		lo = keep_hi;
	}
}

static int replace_mm(struct ssi_rst *rs)
{
	int pass, err;
	u32 i;

	err = unmap_helper(rs);
	if (err)
		return rst_fail(rs, err, SSI_R_VMAS, SSI_SEC_VMAS, "munmap failed");
	/*
	 * A deputy's counters its own again, before they count the image's;
	 * its stub is gone, so no charge shows anything in them any more.
	 */
	if (rs->into_deputy)
		ssi_memshow_drop(current->mm);
	/* a deputy's mlockall() must not lock what the image does not */
	if (mmap_write_lock_killable(current->mm))
		return rst_fail(rs, -EINTR, SSI_R_INTR, SSI_SEC_VMAS, "interrupted");
	current->mm->def_flags &= VM_LOCKED_CLEAR_MASK;
	mmap_write_unlock(current->mm);

	/*
	 * VMAs with attributes first, each given them at once: a VMA just
	 * mapped has plain flags, so it never merges into one that has
	 * others, and none mapped later merges into it (ssi_vmattr.c).
	 */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < rs->nr_vmas; i++) {
			const struct ssi_img_vma *v = &rs->vmas[i];

			if (v->kind == SSI_VMA_VDSO || v->kind == SSI_VMA_VVAR ||
			    has_attributes(v) != !pass)
				continue;
			err = map_vma(rs, i);
			if (err)
				return err;
		}
	}
	/* the carriers here, their policies given away; the caller's: its own */
	for (i = 0; rs->car.mm == current->mm && i < rs->car.nr; i++) {
		err = vm_munmap(rs->car.addr[i], PAGE_SIZE);
		if (err)
			return rst_fail(rs, err, SSI_R_VMAS, SSI_SEC_VMAS, "munmap failed");
	}
	return 0;
}

/* After the pages: what mlock() made resident, resident again. */
static int populate_locked(struct ssi_rst *rs)
{
	u32 i;
	int err;

	for (i = 0; i < rs->nr_vmas; i++) {
		const struct ssi_img_vma *v = &rs->vmas[i];

		if ((v->flags & (SSI_VMAF_LOCKED | SSI_VMAF_LOCKONFAULT)) != SSI_VMAF_LOCKED)
			continue;
		err = ssi_vma_populate(current->mm, v->start, v->end);
		if (err)
			return rst_fail(rs, err, SSI_R_VMAS, SSI_SEC_VMAS,
					"cannot populate a locked vma");
	}
	return 0;
}

static int set_mm_fields(struct ssi_rst *rs)
{
	struct mm_struct *mm = current->mm;
	const struct ssi_img_mm *m = &rs->m;

	if (mmap_write_lock_killable(mm))
		return rst_fail(rs, -EINTR, SSI_R_INTR, SSI_SEC_MM, "interrupted");
	mm->start_code = m->start_code;
	mm->end_code = m->end_code;
	mm->start_data = m->start_data;
	mm->end_data = m->end_data;
	mm->start_brk = m->start_brk;
	mm->brk = m->brk;
	mm->start_stack = m->start_stack;
	spin_lock(&mm->arg_lock);
	mm->arg_start = m->arg_start;
	mm->arg_end = m->arg_end;
	mm->env_start = m->env_start;
	mm->env_end = m->env_end;
	spin_unlock(&mm->arg_lock);
	memset(mm->saved_auxv, 0, sizeof(mm->saved_auxv));
	memcpy(mm->saved_auxv, m->auxv, m->nr_auxv * sizeof(m->auxv[0]));
	/* mlockall(MCL_FUTURE [| MCL_ONFAULT]) */
	mm->def_flags &= VM_LOCKED_CLEAR_MASK;
	if (m->flags & SSI_MMF_LOCK_FUTURE)
		mm->def_flags |= VM_LOCKED;
	if (m->flags & SSI_MMF_LOCK_ONFAULT)
		mm->def_flags |= VM_LOCKONFAULT;
	if (m->flags & SSI_MMF_NO_THP)
		set_bit(MMF_DISABLE_THP, &mm->flags);
	else
		clear_bit(MMF_DISABLE_THP, &mm->flags);
	ssi_pkeys_restore(mm, m);
	mmap_write_unlock(mm);
	/*
	 * As set_dumpable() (not exported): the helper's credential drop
	 * reset it to suid_dumpable, which the process never asked for.
	 */
	set_mask_bits(&mm->flags, MMF_DUMPABLE_MASK, m->dumpable);
	return 0;
}

static void set_rlimits(struct ssi_rst *rs)
{
	u32 i;

	task_lock(current->group_leader);
	for (i = 0; i < ARRAY_SIZE(ssi_rst_rlimits); i++) {
		int res = ssi_rst_rlimits[i];

		current->signal->rlim[res].rlim_cur = rs->t.rlim[res].cur;
		current->signal->rlim[res].rlim_max = rs->t.rlim[res].max;
	}
	task_unlock(current->group_leader);
}

/* The deputy's thread that is the image's thread of home tid @tid. */
static struct task_struct *thread_of(pid_t tid)
{
	struct task_struct *th;

	for_each_thread(current, th)
		if (task_pid_vnr(th) == tid)
			return th;
	return NULL;
}

/*
 * Where a signal queued on the process goes: to the first thread, the
 * leader first, whose image mask lets it through (the thread the kernel
 * would have woken), else to the leader.  Only thread-directed sending is
 * open to a module, as for the signals the deputy relays (ssi_signal.c).
 */
static struct task_struct *process_receiver(const struct ssi_rst *rs, int sig)
{
	const struct ssi_img_thread *t;
	struct task_struct *th;
	u32 i;

	if (!(rs->t.leader.sigmask & (1ULL << (sig - 1))))
		return current;
	for (i = 0; i < rs->nr_others; i++) {
		t = (const void *)(rs->threads + i * thread_rec_size(rs));
		if (t->sigmask & (1ULL << (sig - 1)))
			continue;
		th = thread_of(t->home_tid);
		if (th)
			return th;
	}
	return current;
}

/*
 * Coming home, the remote copy with its pending signals is discarded:
 * queue each again, with its siginfo, in its queue's order (going away,
 * the deputy keeps and relays them).  Pending signals the kernel kept
 * without a siginfo (it had no memory for one) come as sent by the
 * kernel.  Every thread blocks them all until its rt_sigreturn: they stay
 * queued (set_process_state()).
 */
static void requeue_signals(const struct ssi_rst *rs)
{
	u64 queued = 0;
	u32 i;

	rcu_read_lock();
	for (i = 0; i < rs->nr_sigq; i++) {
		const struct ssi_img_siginfo *q = &rs->sigq[i];
		struct task_struct *to;
		kernel_siginfo_t info;

		memcpy(&info, q->info, sizeof(info));
		/* the timer goes on from its next period (ssi_ptimers_arm) */
		if (info.si_code == SI_TIMER)
			info.si_sys_private = 0;
		to = q->tid ? thread_of(q->tid) : process_receiver(rs, info.si_signo);
		if (!to)
			to = current;	/* the checker saw the thread: cannot be */
		send_sig_info(info.si_signo, &info, to);
		queued |= 1ULL << (info.si_signo - 1);
	}
	rcu_read_unlock();
	for (i = 1; i <= SSI_IMG_NSIG; i++)
		if ((rs->t.sigpending & ~queued) & (1ULL << (i - 1)))
			kill_pid(task_tgid(current), i, 1);
}

/* The image's thread whose home tid is @tid, or NULL. */
static const struct ssi_img_thread *image_thread(const struct ssi_rst *rs, s32 tid)
{
	u32 i;

	for (i = 0; i <= rs->nr_others; i++)
		if (image_tid(rs, i) == tid)
			return thread_at(rs, i);
	return NULL;
}

/*
 * The image's value of CPU clock @clock (a process's, pid 0, or a
 * thread's by home tid), where the restore carries it: the process's CPU
 * time, each thread's three.  The process's PROF and VIRT are its group
 * cputimer's, which the restore leaves as it finds them.
 */
static bool image_clock(const void *ctx, s32 clock, u64 *v)
{
	const struct ssi_rst *rs = ctx;
	const struct ssi_img_thread *t;

	if (!CPUCLOCK_PERTHREAD(clock)) {
		*v = rs->t.cputime_ns;
		return CPUCLOCK_WHICH(clock) == CPUCLOCK_SCHED;
	}
	t = image_thread(rs, CPUCLOCK_PID(clock));
	if (!t)
		return false;
	*v = ssi_cpuclock_pick(CPUCLOCK_WHICH(clock), t->ru.utime_ns, t->ru.stime_ns,
			       t->cputime_ns);
	return true;
}

/* The process-wide state: signal dispositions, personality, CPU time. */
static void set_process_state(struct ssi_rst *rs)
{
	const struct ssi_img_task *t = &rs->t;
	struct task_struct *th;
	int i;

	spin_lock_irq(&current->sighand->siglock);
	/*
	 * Every thread blocks all it can until its rt_sigreturn installs the
	 * image's mask (set_thread_state() for itself; the others wait in
	 * claim_threads()).  The deputy's threads block nothing: a signal
	 * queued below, or sent meanwhile, would find one of them and, under
	 * the image's dispositions, a default action that kills the process
	 * although the image blocks it.
	 */
	for_each_thread(current, th) {
		sigfillset(&th->blocked);
		sigdelsetmask(&th->blocked, sigmask(SIGKILL) | sigmask(SIGSTOP));
	}
	recalc_sigpending();	/* the others' TIF_SIGPENDING may stay: harmless */
	for (i = 0; i < _NSIG; i++) {
		struct sigaction *sa = &current->sighand->action[i].sa;

		if (i + 1 == SIGKILL || i + 1 == SIGSTOP)
			continue;
		sa->sa_handler = (__sighandler_t)(unsigned long)t->sigactions[i].handler;
		sa->sa_flags = t->sigactions[i].flags;
		sa->sa_restorer = (__sigrestore_t)(unsigned long)t->sigactions[i].restorer;
		sa->sa_mask.sig[0] = t->sigactions[i].mask &
				     ~(sigmask(SIGKILL) | sigmask(SIGSTOP));
	}
	spin_unlock_irq(&current->sighand->siglock);
	current->personality = t->personality;
	/*
	 * The process's own, not the restorer's (ssid may protect itself
	 * from the OOM killer; the process must not inherit that).  A
	 * subreaper matters where the children are, at home, but the
	 * process reads it wherever it runs.
	 */
	current->signal->oom_score_adj = t->oom_score_adj;
	current->signal->oom_score_adj_min = t->oom_score_adj_min;
	current->signal->is_child_subreaper = !!(t->flags & SSI_TASKF_CHILD_SUBREAPER);
	/* a deputy's children counters are the true ones: its children are its */
	ssi_rusage_restore(t, !rs->into_deputy);
	ssi_cpu_itimers_restore(t);
	/*
	 * Not sooner than 10 ms: a task restored inside sigsuspend() or
	 * pause() executes the call again after rt_sigreturn, and a SIGALRM
	 * handled before it gets there would leave it waiting for ever.  The
	 * timer is late by the time frozen anyway.
	 */
	ssi_real_itimer_thaw(&t->itimer_real, 0, 10 * NSEC_PER_MSEC);
	ssi_ptimers_arm(rs->timers, rs->nr_timers, t->posix_timer_next, 10 * NSEC_PER_MSEC,
			image_clock, rs);
	if (rs->into_deputy)
		requeue_signals(rs);
}

/*
 * The scheduling class, nice value and io priority the thread had (the
 * image checker took only values these calls accept).  Without checks:
 * the process held them at home by right, and the restorer's own (ssid's
 * helper) are not the process's.
 */
static void restore_sched(const struct ssi_img_thread *t)
{
	struct sched_attr attr = {
		.size		= sizeof(attr),
		.sched_policy	= t->sched_policy,
		.sched_priority	= t->sched_priority,
		.sched_nice	= t->sched_nice,
	};
	int err;

	if (t->flags & SSI_THRF_SCHED_RESET_ON_FORK)
		attr.sched_flags |= SCHED_FLAG_RESET_ON_FORK;
	err = sched_setattr_nocheck(current, &attr);
	/* under a realtime policy the nice value is kept, not applied */
	if (!err && attr.sched_priority)
		set_user_nice(current, t->sched_nice);
	if (!err && (t->ioprio || current->io_context))
		err = set_task_ioprio(current, t->ioprio);
	if (err)
		pr_warn_ratelimited("ssi: pid %d: scheduling state not restored (%d)\n",
				    task_pid_nr(current), err);
}

/* Everything of one thread that rt_sigreturn does not restore; in its context. */
static void set_thread_state(const struct ssi_img_thread *t)
{
	sigset_t all;

	/*
	 * Until rt_sigreturn installs the image's mask, nothing but SIGKILL
	 * and SIGSTOP, which are left out as set_current_blocked() would: a
	 * dump caught before rt_sigreturn runs must see a mask an image can
	 * carry (it then resumes at the rt_sigreturn, frame and all).
	 */
	sigfillset(&all);
	sigdelsetmask(&all, sigmask(SIGKILL) | sigmask(SIGSTOP));
	sigprocmask(SIG_SETMASK, &all, NULL);

	task_lock(current);
	strscpy_pad(current->comm, t->comm, sizeof(current->comm));
	task_unlock(current);

	/* prctl state: timer slack, parent-death signal, no_new_privs */
	if (t->timer_slack_ns)
		current->timer_slack_ns = t->timer_slack_ns;
	if (t->default_slack_ns)
		current->default_timer_slack_ns = t->default_slack_ns;
	current->pdeath_signal = t->pdeath_signal;
	/*
	 * The restore helper set no_new_privs for its seccomp filter; the
	 * process did not, maybe.  Clearing it gains nothing here: an
	 * execve never runs on this node (it goes home), and at home the
	 * deputy kept its own.
	 */
	if (t->flags & SSI_THRF_NO_NEW_PRIVS)
		task_set_no_new_privs(current);
	else
		clear_bit(PFA_NO_NEW_PRIVS, &current->atomic_flags);

	restore_sched(t);
	ssi_cpus_restore(t);
	ssi_rusage_thread_restore(t);

	/*
	 * The helper's registrations point into its own TLS, which is gone;
	 * leaving them would let the kernel write into restored memory.
	 */
#ifdef CONFIG_RSEQ
	current->rseq = (struct rseq __user *)(unsigned long)t->rseq;
	current->rseq_sig = t->rseq_sig;
	current->rseq_event_mask = 0;
	rseq_set_notify_resume(current);
#endif
	current->clear_child_tid = (int __user *)(unsigned long)t->clear_child_tid;
#ifdef CONFIG_FUTEX
	current->robust_list =
		(struct robust_list_head __user *)(unsigned long)t->robust_list;
#ifdef CONFIG_COMPAT
	current->compat_robust_list = NULL;
#endif
#endif

	/*
	 * As arch_prctl(ARCH_SET_FS/GS) does for current (the selectors are
	 * null, checked).  Both the CPU and thread are written: with FSGSBASE
	 * the context switch saves the CPU's value, without it the thread's.
	 * In the kernel the user's GS base is the inactive one.
	 */
	preempt_disable();
	x86_fsbase_write_cpu(t->regs.fs_base);
	current->thread.fsbase = t->regs.fs_base;
	wrmsrl(MSR_KERNEL_GS_BASE, t->regs.gs_base);
	current->thread.gsbase = t->regs.gs_base;
	preempt_enable();
}

/*
 * The image's task sat in an interrupted syscall and is set up to execute
 * it again.  If a signal with a handler is already pending (it arrived
 * while the helper had everything blocked), the kernel would have run the
 * handler *instead* of restarting the call in some cases; re-executing
 * would then swallow the wakeup (a handler that sets a flag before pause()
 * re-blocks).  Apply arch/x86 handle_signal()'s rule to the signal that
 * will be delivered first (synchronous ones, then the lowest number).
 * Returns true if the call must return -EINTR instead of restarting.
 */
static bool pending_interrupts_call(const struct ssi_img_thread *t)
{
	const u64 sync = sigmask(SIGSEGV) | sigmask(SIGBUS) | sigmask(SIGILL) |
			 sigmask(SIGTRAP) | sigmask(SIGFPE) | sigmask(SIGSYS);
	u64 pending, m, order[2];
	bool interrupts = false;
	int i, sig;

	if (t->restart != SSI_RESTART_SYS && t->restart != SSI_RESTART_NOHAND &&
	    t->restart != SSI_RESTART_BLOCK)
		return false;
	spin_lock_irq(&current->sighand->siglock);
	pending = current->pending.signal.sig[0] |
		  current->signal->shared_pending.signal.sig[0];
	spin_unlock_irq(&current->sighand->siglock);
	pending &= ~t->sigmask;

	order[0] = pending & sync;
	order[1] = pending & ~sync;
	/* The image's dispositions are installed by now. */
	spin_lock_irq(&current->sighand->siglock);
	for (i = 0; i < 2; i++) {
		for (m = order[i]; m; m &= m - 1) {
			const struct sigaction *sa;

			sig = __ffs64(m) + 1;
			sa = &current->sighand->action[sig - 1].sa;
			/* SIG_IGN is dropped, SIG_DFL ends or stops the task. */
			if (sa->sa_handler == SIG_DFL || sa->sa_handler == SIG_IGN)
				continue;
			interrupts = t->restart != SSI_RESTART_SYS ||
				     !(sa->sa_flags & SA_RESTART);
			goto out;
		}
	}
out:
	spin_unlock_irq(&current->sighand->siglock);
	return interrupts;
}

/*
 * Build the signal frame rt_sigreturn will consume and point the helper's
 * return at the vDSO's syscall instruction.  Returns the value the ioctl
 * must return: it becomes ax, the syscall number.
 */
static long enter_thread(const struct ssi_img_thread *t, const void *xstate,
			 unsigned long vdso_syscall)
{
	const struct ssi_img_regs *ir = &t->regs;
	struct fpstate *fps = current->thread.fpu.fpstate;
	u32 usize = fps->user_size;
	struct pt_regs *regs = current_pt_regs();
	struct _fpx_sw_bytes *sw;
	struct rt_sigframe *f;
	struct sigcontext *sc;
	unsigned long fp_addr, frame;
	u8 *xbuf;
	int err = 0;

	xbuf = kvzalloc(usize + FP_XSTATE_MAGIC2_SIZE, GFP_KERNEL);
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!xbuf || !f) {
		err = -ENOMEM;
		goto out;
	}

	/*
	 * The image's XSAVE area (checked: at least usize bytes, features a
	 * subset of this task's), with the software bytes that tell
	 * rt_sigreturn its extent, as a signal frame carries them.
	 */
	memcpy(xbuf, xstate, usize);
	sw = (struct _fpx_sw_bytes *)(xbuf + offsetof(struct fxregs_state,
						      sw_reserved));
	memset(sw, 0, sizeof(*sw));
	sw->magic1 = FP_XSTATE_MAGIC1;
	sw->extended_size = usize + FP_XSTATE_MAGIC2_SIZE;
	sw->xfeatures = fps->user_xfeatures;
	sw->xstate_size = usize;
	*(u32 *)(xbuf + usize) = FP_XSTATE_MAGIC2;

	/* Below the 128-byte red zone; XRSTOR needs 64-byte alignment. */
	fp_addr = round_down(ir->sp - 128 - (usize + FP_XSTATE_MAGIC2_SIZE), 64);
	frame = round_down(fp_addr - sizeof(*f), 16) - 8;

	f->uc.uc_flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	f->uc.uc_stack.ss_sp = (void __user *)(unsigned long)t->altstack_sp;
	f->uc.uc_stack.ss_flags = t->altstack_flags;
	f->uc.uc_stack.ss_size = t->altstack_size;
	f->uc.uc_sigmask.sig[0] = t->sigmask;
	sc = &f->uc.uc_mcontext;
	sc->r8 = ir->r8;
	sc->r9 = ir->r9;
	sc->r10 = ir->r10;
	sc->r11 = ir->r11;
	sc->r12 = ir->r12;
	sc->r13 = ir->r13;
	sc->r14 = ir->r14;
	sc->r15 = ir->r15;
	sc->di = ir->di;
	sc->si = ir->si;
	sc->bp = ir->bp;
	sc->bx = ir->bx;
	sc->dx = ir->dx;
	sc->ax = ir->ax;
	sc->cx = ir->cx;
	sc->sp = ir->sp;
	sc->ip = ir->ip;
	if (pending_interrupts_call(t)) {
		/* Undo the rewind: the call returns -EINTR, the handler runs. */
		sc->ax = -EINTR;
		sc->ip = ir->ip + 2;
	}
	sc->flags = ir->flags;
	sc->cs = __USER_CS;
	sc->ss = __USER_DS;
	sc->fpstate = fp_addr;

	if (copy_to_user((void __user *)fp_addr, xbuf, usize + FP_XSTATE_MAGIC2_SIZE) ||
	    copy_to_user((void __user *)frame, f, sizeof(*f))) {
		err = -EFAULT;	/* no room for the frame below sp */
		goto out;
	}

	/* rt_sigreturn finds its frame at sp - 8, as after a handler's ret. */
	regs->ip = vdso_syscall;
	regs->sp = frame + 8;
out:
	kfree(f);
	kvfree(xbuf);
	return err ? err : __NR_rt_sigreturn;
}

static int match_file(const void *p, struct file *file, unsigned int fd)
{
	return file == p ? fd + 1 : 0;
}

/* The restored process must not keep the root-only device, nor the image. */
static void close_helper_fds(struct ssi_rst *rs, struct file *devfile, int in_fd)
{
	u32 i;
	int fd;

	close_fd(in_fd);
	while ((fd = iterate_fd(current->files, 0, match_file, devfile)) > 0)
		close_fd(fd - 1);
	/* the copies it supplied: mapped now, they are the helper's no more */
	for (i = 0; i < rs->nr_subst; i++)
		while (rs->subst[i] &&
		       (fd = iterate_fd(current->files, 0, match_file, rs->subst[i])) > 0)
			close_fd(fd - 1);
}

/* Claim the deputy's threads (frozen, named by the caller) as claim_threads() does the helper's. */
static int claim_given(struct ssi_rst *rs)
{
	u32 i;

	if (get_nr_threads(current) != rs->nr_given + 1)
		return rst_fail(rs, -EBUSY, SSI_R_CALLER, SSI_SEC_THREAD,
				"the deputy has threads not named");
	for (i = 0; i < rs->nr_given; i++)
		if (!same_thread_group(rs->given[i]->task, current))
			return rst_fail(rs, -EINVAL, SSI_R_CALLER, SSI_SEC_THREAD,
					"a named thread is not the deputy's");
	for (i = 0; i < rs->nr_given; i++) {
		struct ssi_parked *p = rs->given[i], *tpl = rs->parked[i];

		refcount_inc(&p->ref);	/* the claimer's, put by release_threads() */
		p->img = tpl->img;
		swap(p->xstate, tpl->xstate);
		p->vdso_syscall = tpl->vdso_syscall;
		rs->parked[i] = p;
		ssi_parked_free(tpl);
	}
	rs->nr_parked = rs->nr_given;
	return 0;
}

/*
 * Under ssi_park_lock, with exactly nr_others helper threads parked: either
 * none names the image thread it becomes (index 0: arrival order), or each
 * names a different one in 1..nr_others.  A template is unclaimed until
 * then, so a slot seen twice is found by marking the templates.
 */
static bool parked_indexes_valid(struct ssi_rst *rs)
{
	struct ssi_parked *p;
	u32 with = 0, i;
	bool ok = true;

	list_for_each_entry(p, &ssi_parked_list, node) {
		if (!same_thread_group(p->task, current) || !p->index)
			continue;
		with++;
		if (p->index > rs->nr_others || rs->parked[p->index - 1]->claimed) {
			ok = false;
			break;
		}
		rs->parked[p->index - 1]->claimed = true;	/* seen */
	}
	for (i = 0; i < rs->nr_others; i++)
		rs->parked[i]->claimed = false;
	return ok && (with == 0 || with == rs->nr_others);
}

/*
 * Wait (killable, bounded) until every other thread of the helper waits in
 * SSI_IOC_RESTORE_THREAD, then claim them and give each the state it will
 * become.  Only then is the point of no return crossed: a helper thread
 * that never arrives costs a refusal, not a half-restored process.
 */
static int claim_threads(struct ssi_rst *rs)
{
	unsigned long deadline = jiffies + SSI_PARK_TIMEOUT;
	struct ssi_parked *p, *tmp;
	u32 i, n;

	if (rs->into_deputy && rs->nr_others != rs->nr_given)
		return rst_fail(rs, -EINVAL, SSI_R_CALLER, SSI_SEC_THREAD,
				"the image's threads are not the deputy's");
	if (!rs->nr_others) {
		if (get_nr_threads(current) != 1)
			return rst_fail(rs, -EBUSY, SSI_R_CALLER, 0,
					"single-threaded image, helper has threads");
		return 0;
	}
	rs->parked = kcalloc(rs->nr_others, sizeof(*rs->parked), GFP_KERNEL);
	if (!rs->parked)
		return rst_fail(rs, -ENOMEM, SSI_R_NOMEM, SSI_SEC_THREAD, "no memory");
	for (i = 0; i < rs->nr_others; i++) {
		/* Prepared before claiming: nothing to allocate afterwards. */
		p = ssi_parked_alloc();
		if (p)
			p->xstate = kvmalloc(rs->h.xstate_size, GFP_KERNEL);
		if (!p || !p->xstate) {
			if (p)
				ssi_parked_free(p);
			return rst_fail(rs, -ENOMEM, SSI_R_NOMEM, SSI_SEC_THREAD,
					"no memory");
		}
		memcpy(&p->img, rs->threads + i * thread_rec_size(rs), sizeof(p->img));
		memcpy(p->xstate, rs->threads + i * thread_rec_size(rs) +
		       sizeof(p->img), rs->h.xstate_size);
		p->vdso_syscall = rs->vdso_syscall;
		rs->parked[i] = p;	/* a template until claimed */
	}
	if (rs->into_deputy)
		return claim_given(rs);

	for (;;) {
		spin_lock(&ssi_park_lock);
		n = 0;
		list_for_each_entry(p, &ssi_parked_list, node)
			if (same_thread_group(p->task, current))
				n++;
		if (n == rs->nr_others && get_nr_threads(current) == n + 1)
			break;		/* still holding the lock */
		spin_unlock(&ssi_park_lock);
		if (n > rs->nr_others || get_nr_threads(current) > rs->nr_others + 1)
			return rst_fail(rs, -EBUSY, SSI_R_CALLER, 0,
					"helper has more threads than the image");
		if (time_after(jiffies, deadline))
			return rst_fail(rs, -ETIMEDOUT, SSI_R_CALLER, 0,
					"helper threads did not arrive");
		if (schedule_timeout_killable(HZ / 50) && fatal_signal_pending(current))
			return rst_fail(rs, -EINTR, SSI_R_INTR, 0, "interrupted");
	}
	if (!parked_indexes_valid(rs)) {
		spin_unlock(&ssi_park_lock);
		return rst_fail(rs, -EINVAL, SSI_R_CALLER, SSI_SEC_THREAD,
				"helper threads' indexes do not name each image thread once");
	}
	/*
	 * Claim: the templates' contents move into the waiting threads'
	 * records, each into the slot of its index (in arrival order when
	 * none has one).  The count above, under the same lock, makes
	 * exactly nr_others of them ours; the bound guards the array all the
	 * same.
	 */
	i = 0;
	list_for_each_entry_safe(p, tmp, &ssi_parked_list, node) {
		struct ssi_parked *tpl;
		u32 slot;

		if (!same_thread_group(p->task, current))
			continue;
		if (i >= rs->nr_others)
			break;
		slot = p->index ? p->index - 1 : i;
		i++;
		tpl = rs->parked[slot];
		list_del_init(&p->node);
		p->claimed = true;
		p->img = tpl->img;
		swap(p->xstate, tpl->xstate);
		p->vdso_syscall = tpl->vdso_syscall;
		rs->parked[slot] = p;	/* the list's reference is ours now */
		ssi_parked_free(tpl);
	}
	spin_unlock(&ssi_park_lock);
	rs->nr_parked = i;
	return 0;
}

/* A refused restore sends the helper's waiting threads back to it. */
static void cancel_parked_group(void)
{
	struct ssi_parked *p;

	spin_lock(&ssi_park_lock);
	list_for_each_entry(p, &ssi_parked_list, node)
		if (same_thread_group(p->task, current))
			WRITE_ONCE(p->verdict, SSI_PARK_CANCEL);
	spin_unlock(&ssi_park_lock);
	wake_up_all(&ssi_park_wq);
}

/*
 * Tell every claimed thread to go (become its image) or to give up, and
 * drop our reference: the thread may free its record at once, so no
 * pointer to it stays behind.
 */
static void release_threads(struct ssi_rst *rs, int verdict)
{
	u32 i;

	for (i = 0; i < rs->nr_parked; i++) {
		ssi_parked_verdict(rs->parked[i], verdict);
		ssi_parked_put(rs->parked[i]);
		rs->parked[i] = NULL;
	}
	rs->nr_parked = 0;
}

static void ssi_rst_free(struct ssi_rst *rs)
{
	u32 i;

	/*
	 * Claimed threads not released yet go back to the helper; what is
	 * left are templates of a claim that never happened.
	 */
	release_threads(rs, SSI_PARK_CANCEL);
	for (i = 0; rs->parked && i < rs->nr_others; i++)
		if (rs->parked[i])
			ssi_parked_free(rs->parked[i]);
	kfree(rs->parked);
	kvfree(rs->threads);
	kvfree(rs->sigq);
	kvfree(rs->timers);
	kvfree(rs->ldt);

	for (i = 0; rs->files && i < rs->nr_files; i++)
		if (rs->files[i])
			fput(rs->files[i]);
	kfree(rs->files);
	ssi_file_fds_put(rs->subst, rs->nr_subst);
	kfree(rs->foffs);
	kvfree(rs->fbuf);
	kvfree(rs->vmas);
	kvfree(rs->car_copy);
	kvfree(rs->carrier_of);
	kvfree(rs->xstate);
	vfree(rs->buf);
	kvfree(rs);
}

/*
 * Turn current into the process of the image on rs->r: steps 1 to 3 of
 * the comment at the top.  Returns the value ax must hold on the way out
 * to user space (> 0), 0 if the image was only verified, or an error:
 * with rs->past_ponr false current is untouched and rs->r.err says why,
 * else current has been killed.
 */
static long restore_current(struct ssi_rst *rs)
{
	long ret;
	int err;

	err = check_caller(rs);
	if (!err)
		err = local_env(rs);
	if (!err)
		err = read_meta(rs);
	if (!err)
		err = read_pages_header(rs);
	if (!err)
		err = open_files(rs);
	if (!err)
		err = check_local(rs);
	if (!err)
		err = check_carriers(rs);
	if (err)
		return err;

	if (rs->r.seekable || (rs->flags & SSI_RESTORE_VERIFY_ONLY)) {
		err = read_pages(rs, false);
		if (err || (rs->flags & SSI_RESTORE_VERIFY_ONLY))
			return err;
		rewind_pages(rs);
	}

	err = match_timers(rs);
	if (!err)
		err = match_ldt(rs);
	if (!err)
		err = claim_threads(rs);
	if (!err)
		err = match_mempolicies(rs);
	if (err)
		return err;

	/* ---- point of no return: the address space goes ---- */
	rs->past_ponr = true;
	set_rlimits(rs);
	err = replace_mm(rs);
	if (!err)
		err = read_pages(rs, true);
	if (!err)
		err = populate_locked(rs);
	if (!err)
		err = set_mm_fields(rs);
	if (err)
		goto fatal;
	set_process_state(rs);
	release_threads(rs, SSI_PARK_GO);
	set_thread_state(&rs->t.leader);
	ret = enter_thread(&rs->t.leader, rs->xstate, rs->vdso_syscall);
	if (ret > 0)
		return ret;
	err = rst_fail(rs, ret, SSI_R_TASK, SSI_SEC_TASK,
		       "no room for the signal frame below sp");
fatal:
	pr_warn_ratelimited("ssi: restore of pid %d failed after the point of no return: %s: %s\n",
			    task_pid_nr(current), ssi_reason_name(rs->r.err.reason),
			    rs->r.err.detail);
	force_sig(SIGKILL);
	return err;
}

static struct ssi_rst *rst_alloc(struct file *in, u32 flags)
{
	struct ssi_rst *rs = kvzalloc(sizeof(*rs), GFP_KERNEL);

	if (!rs)
		return NULL;
	rs->flags = flags;
	rs->car.mm = current->mm;
	rs->buf = vmalloc(SSI_RST_CHUNK << PAGE_SHIFT);
	if (!rs->buf) {
		kvfree(rs);
		return NULL;
	}
	ssi_ir_init(&rs->r, in);
	return rs;
}

/* The failure report of a refused restore, as both ioctls return it. */
static u32 rst_report(struct ssi_rst *rs, int err, u32 *section, u64 *offset,
		      char *detail)
{
	if (err && !rs->r.err.reason)
		rs->r.err.reason = err == -ENOMEM ? SSI_R_NOMEM : SSI_R_IO;
	*section = rs->r.err.section;
	*offset = rs->r.err.offset;
	memcpy(detail, rs->r.err.detail, SSI_DETAIL_LEN);
	detail[SSI_DETAIL_LEN - 1] = 0;
	return err ? rs->r.err.reason : SSI_R_NONE;
}

/* struct ssi_restore's mpol_carriers, checked by check_carriers(). */
static int copy_carriers(struct ssi_rst *rs, const struct ssi_restore *arg)
{
	u64 *c;

	if (!arg->nr_mpol_carriers)
		return 0;
	c = vmemdup_user(u64_to_user_ptr(arg->mpol_carriers),
			 array_size(arg->nr_mpol_carriers, sizeof(*c)));
	if (IS_ERR(c))
		return rst_fail(rs, PTR_ERR(c), PTR_ERR(c) == -ENOMEM ? SSI_R_NOMEM : SSI_R_NUMA,
				0, "cannot read the NUMA policy carriers");
	rs->car_copy = c;
	rs->car.addr = c;
	rs->car.nr = arg->nr_mpol_carriers;
	return 0;
}

long ssi_restore_ioctl(struct ssi_file *sf, struct file *devfile,
		       struct ssi_restore __user *uarg)
{
	struct ssi_restore arg;
	struct file **subst;
	struct ssi_rst *rs;
	struct file *in;
	long ret;

	BUILD_BUG_ON(sizeof(arg) != 120);
	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if ((arg.flags & ~SSI_RESTORE_FLAGS) || arg.nr_mpol_carriers > SSI_IMG_MAX_VMAS ||
	    memchr_inv(arg.reserved, 0, sizeof(arg.reserved)))
		return -EINVAL;
	subst = ssi_file_fds_get(arg.file_fds, arg.nr_file_fds);
	if (IS_ERR(subst))
		return PTR_ERR(subst);

	in = fget(arg.in_fd);
	if (!in || !(in->f_mode & FMODE_READ)) {
		ret = -EBADF;
		arg.reason = SSI_R_IO;
		goto early;
	}
	rs = rst_alloc(in, arg.flags);
	if (!rs) {
		ret = -ENOMEM;
		arg.reason = SSI_R_NOMEM;
		goto early;
	}
	rs->subst = subst;
	rs->nr_subst = arg.nr_file_fds;

	ret = copy_carriers(rs, &arg);
	if (!ret)
		ret = restore_current(rs);
	if (ret > 0)		/* on the way out into the image */
		close_helper_fds(rs, devfile, arg.in_fd);
	fput(in);
	if (ret > 0 || rs->past_ponr) {
		ssi_rst_free(rs);
		return ret;
	}
	if (ret)
		cancel_parked_group();
	arg.reason = rst_report(rs, (int)ret, &arg.section, &arg.offset,
				arg.detail);
	ssi_rst_free(rs);
	if (copy_to_user(uarg, &arg, sizeof(arg)))
		return ret ?: -EFAULT;
	return ret;

early:
	if (in)
		fput(in);
	ssi_file_fds_put(subst, arg.nr_file_fds);
	cancel_parked_group();
	arg.section = 0;
	arg.offset = 0;
	memset(arg.detail, 0, sizeof(arg.detail));
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : ret;
}

/* On the way out of the kernel, as the ioctl would have returned: see enter_thread(). */
static void return_to(long ret)
{
	struct pt_regs *regs = current_pt_regs();

	regs->ax = ret;
	regs->orig_ax = -1;	/* the stub's call is not restarted */
	clear_restore_sigmask();
}

/* Close the stub's channel @fd in the returned process, if it is a socket. */
static void close_chan(int fd)
{
	struct file *chan = fd >= 0 ? fget(fd) : NULL;

	if (!chan)
		return;
	if (S_ISSOCK(file_inode(chan)->i_mode))
		close_fd(fd);
	fput(chan);
}

int ssi_restore_return(struct file *in, const int *close_fds, u32 nr_close,
		       struct ssi_parked **given, u32 nr_given,
		       struct file **subst, u32 nr_subst, const struct ssi_carriers *car,
		       struct ssi_return *arg, const bool *stop)
{
	struct ssi_rst *rs;
	long ret;
	u32 i;

	rs = rst_alloc(in, 0);
	if (!rs) {
		arg->reason = SSI_R_NOMEM;
		return -ENOMEM;
	}
	/* the caller's until ssi_rst_free(): a reference each of our own */
	if (nr_subst) {
		rs->subst = kcalloc(nr_subst, sizeof(*rs->subst), GFP_KERNEL);
		if (!rs->subst) {
			ssi_rst_free(rs);
			arg->reason = SSI_R_NOMEM;
			return -ENOMEM;
		}
		for (i = 0; i < nr_subst; i++)
			rs->subst[i] = subst[i] ? get_file(subst[i]) : NULL;
		rs->nr_subst = nr_subst;
	}
	rs->into_deputy = true;
	rs->car = *car;
	rs->stop = stop;
	rs->given = given;
	rs->nr_given = nr_given;
	ret = restore_current(rs);
	if (ret > 0) {
		return_to(ret);
		for (i = 0; i < nr_close; i++)
			close_chan(close_fds[i]);
		ret = 0;
	} else if (!ret) {
		ret = -EINVAL;		/* cannot happen: no VERIFY_ONLY */
	}
	if (ret && !rs->past_ponr)
		arg->reason = rst_report(rs, (int)ret, &arg->section,
					 &arg->offset, arg->detail);
	ssi_rst_free(rs);
	return (int)ret;
}

/*
 * In the context of the thread of @p, its verdict given: on GO, become the
 * image's thread @p was given; returns what ax must hold on the way out
 * (the process is killed if that fails: the address space is the image's).
 * Drops the thread's reference to @p.
 */
static long parked_become(struct ssi_parked *p)
{
	long ret = -ECANCELED;

	if (READ_ONCE(p->verdict) == SSI_PARK_GO) {
		/* The address space is the image's now; become this thread of it. */
		set_thread_state(&p->img);
		ret = enter_thread(&p->img, p->xstate, p->vdso_syscall);
		if (ret < 0) {
			pr_warn_ratelimited("ssi: restore of thread %d failed: %ld\n",
					    task_pid_nr(current), ret);
			force_sig(SIGKILL);
		}
	}
	ssi_parked_put(p);
	return ret;
}

long ssi_restore_thread_ioctl(struct ssi_file *sf,
			      struct ssi_restore_thread __user *uarg)
{
	struct ssi_restore_thread arg;
	struct ssi_parked *p;
	long ret;

	BUILD_BUG_ON(sizeof(arg) != 32);
	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.index > SSI_IMG_MAX_THREADS ||
	    memchr_inv(arg.reserved, 0, sizeof(arg.reserved)))
		return -EINVAL;
	/* The leader calls SSI_IOC_RESTORE; only its other threads park. */
	if (!current->mm || thread_group_leader(current))
		return -EINVAL;

	p = ssi_parked_alloc();
	if (!p)
		return -ENOMEM;
	refcount_set(&p->ref, 2);	/* this thread + the list / its claimer */
	p->task = current;
	p->index = arg.index;
	INIT_LIST_HEAD(&p->node);
	spin_lock(&ssi_park_lock);
	list_add_tail(&p->node, &ssi_parked_list);
	spin_unlock(&ssi_park_lock);

	ret = wait_event_killable(ssi_park_wq,
				  READ_ONCE(p->verdict) != SSI_PARK_WAIT);
	spin_lock(&ssi_park_lock);
	if (!p->claimed) {
		list_del_init(&p->node);
		refcount_dec(&p->ref);		/* the list's */
	}
	spin_unlock(&ssi_park_lock);
	if (ret) {
		ssi_parked_put(p);
		return ret;
	}
	return parked_become(p);
}

long ssi_return_thread_become(struct ssi_parked *p)
{
	long ret = wait_event_killable(ssi_park_wq, READ_ONCE(p->verdict) != SSI_PARK_WAIT);

	if (ret) {
		ssi_parked_put(p);
		return ret;
	}
	ret = parked_become(p);
	if (ret > 0)
		return_to(ret);
	return ret;
}
