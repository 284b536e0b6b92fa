/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ssi_internal.h - declarations shared between the files of ssi.ko.
 * Nothing here is visible to user space: that is uapi/ssi.h and
 * uapi/ssi_image.h.
 */
#ifndef SSI_INTERNAL_H
#define SSI_INTERNAL_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/posix-timers.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/types.h>

#include "uapi/ssi.h"
#include "uapi/ssi_image.h"
#include "ssi_imgcheck.h"

struct file;
struct mm_struct;

/* Exported by arch/x86/kernel/fpu/init.c, declared only in a private header. */
extern unsigned int mxcsr_feature_mask;

/*
 * One open /dev/ssi.  @frozen lists the dump requests (ssi_dump.c) whose
 * task this file froze and has not resumed yet; closing the file resumes
 * them.  Lock order: ssi_file.lock, then ssi_dump.c's busy lock.
 */
struct ssi_file {
	bool api_done;		/* SSI_IOC_API succeeded on this file */
	struct mutex lock;	/* protects @frozen */
	struct list_head frozen;
};

/* ssi_dev.c */
int ssi_dev_init(void);
void ssi_dev_exit(void);

/* ssi_dump.c */
long ssi_dump_ioctl(struct ssi_file *sf, struct ssi_dump __user *uarg);
long ssi_resume_ioctl(struct ssi_file *sf, struct ssi_resume __user *uarg);
void ssi_dump_release(struct ssi_file *sf);

long ssi_deputy_ioctl(struct ssi_file *sf, struct ssi_become_deputy __user *uarg);
long ssi_return_ioctl(struct ssi_file *sf, struct ssi_return __user *uarg);

/* The task of pid @nr in the caller's pid namespace, with a reference; or NULL. */
static inline struct task_struct *ssi_get_task(pid_t nr)
{
	struct pid *pid = find_get_pid(nr);
	struct task_struct *task = get_pid_task(pid, PIDTYPE_PID);

	put_pid(pid);
	return task;
}

/*
 * ssi_lock_sighand() - @task's sighand with its siglock taken (irqsave),
 * or NULL once @task has exited (a frozen task a SIGKILL ends clears
 * task->sighand while the caller still looks at it).  The caller holds a
 * reference to @task; as lock_task_sighand(), which is not exported:
 * sighand is SLAB_TYPESAFE_BY_RCU, and a locked one that is still the
 * task's stays so until unlocked.
 */
static inline struct sighand_struct *ssi_lock_sighand(struct task_struct *task,
						      unsigned long *flags)
{
	struct sighand_struct *sighand;

	rcu_read_lock();
	for (;;) {
		sighand = rcu_dereference(task->sighand);
		if (!sighand)
			break;
		spin_lock_irqsave(&sighand->siglock, *flags);
		if (sighand == rcu_access_pointer(task->sighand))
			break;
		spin_unlock_irqrestore(&sighand->siglock, *flags);
	}
	rcu_read_unlock();
	return sighand;
}

/*
 * ssi_vmattr.c: ssi_vma_advice() - the SSI_VMAF_* bits of madvise() and
 * mlock() state in @vm_flags.  ssi_vma_apply() - give the VMA mapped at
 * exactly [@start, @end) the state of image bits @img and protection key
 * @pkey (takes the mmap lock).  ssi_vma_populate() - fault in a locked
 * VMA's pages, as mlock() does.  Both return 0 or -errno.
 */
u32 ssi_vma_advice(unsigned long vm_flags);
int ssi_vma_apply(struct mm_struct *mm, unsigned long start, unsigned long end,
		  u32 img, u32 pkey);
int ssi_vma_populate(struct mm_struct *mm, unsigned long start, unsigned long end);

/*
 * ssi_mmctx.c: the LDT and protection keys of an address space.
 * ssi_pkeys_save() - the allocated keys into @m; ssi_pkeys_here() -
 * whether this CPU has the keys @pkeys allocated and @vma_pkeys on
 * mappings (bit n: key n); ssi_pkeys_restore() - @m's keys allocated in
 * @mm (mmap lock held for writing);
 * ssi_pkey_vm_flags() - the vm_flags bits of key @pkey.
 * ssi_ldt_save() - a copy of @mm's LDT, kvfree() it (NULL, 0: none);
 * 0 or -ENOMEM.  ssi_ldt_matches() - whether @mm's LDT is @nr descriptors
 * equal to @entries.
 */
struct ssi_img_mm;
void ssi_pkeys_save(struct mm_struct *mm, struct ssi_img_mm *m);
bool ssi_pkeys_here(u32 pkeys, u32 vma_pkeys);
void ssi_pkeys_restore(struct mm_struct *mm, const struct ssi_img_mm *m);
unsigned long ssi_pkey_vm_flags(u32 pkey);
int ssi_ldt_save(struct mm_struct *mm, void **entries, u32 *nr);
bool ssi_ldt_matches(struct mm_struct *mm, const void *entries, u32 nr);

/*
 * ssi_affinity.c: a thread's CPU affinity.  ssi_cpus_capture() - current's
 * into @t (-EOPNOTSUPP: bound to a CPU an image cannot name);
 * ssi_cpus_usable() - the CPUs this node gives current, as image words;
 * ssi_cpus_restore() - in the restored thread: @t's, when bound.
 */
int ssi_cpus_capture(struct ssi_img_thread *t);
void ssi_cpus_usable(__u64 *words);
void ssi_cpus_restore(const struct ssi_img_thread *t);

/*
 * ssi_mempolicy.c: a thread's NUMA memory policy.  ssi_mempolicy_capture()
 * - current's into @t (-EOPNOTSUPP: a node an image cannot name);
 * ssi_mempolicy_matches() - whether @task holds @m; ssi_mems_usable() -
 * the nodes a policy current sets may name here, as image words.
 */
int ssi_mempolicy_capture(struct ssi_img_thread *t);
bool ssi_mempolicy_matches(struct task_struct *task, const struct ssi_img_mempolicy *m);
void ssi_mems_usable(__u64 *words);
/*
 * A mapping's policy, under the mmap lock: ssi_vma_mempolicy_capture() -
 * into @v (-E2BIG: a node beyond 63, -EOPNOTSUPP: a home node);
 * ssi_vma_mempolicy_matches() - whether @vma holds @v's.
 */
int ssi_vma_mempolicy_capture(struct vm_area_struct *vma, struct ssi_img_vma *v);
bool ssi_vma_mempolicy_matches(struct vm_area_struct *vma, const struct ssi_img_vma *v);

/* ssi_itimer.c */
struct task_struct;
int ssi_cpu_itimers_save(struct task_struct *task, struct ssi_img_task *t);
void ssi_cpu_itimers_restore(const struct ssi_img_task *t);
void ssi_cpu_itimers_park(void);

/*
 * ssi_rusage.c: what a task has used.  ssi_counts_add() - add @t's own
 * counters to @s; ssi_counts_threads() - @s the sum over @task's live
 * threads (the signal struct holds the rest).  ssi_rusage_save() -
 * @task's (frozen) getrusage() counters, CPU clock and its children's
 * counters into @img; 0 or -ESRCH.  ssi_rusage_thread_save() - frozen
 * thread @t's own into @img.  ssi_rusage_restore() - current's sums made
 * @img's, the children's too if @children.  ssi_rusage_thread_restore()
 * - in each thread, after that: its own made @img's.
 */
struct ssi_counts {
	u64 utime, stime, runtime;
	unsigned long nvcsw, nivcsw, min_flt, maj_flt, inblock, oublock;
};

/* What CPU clock @which (CPUCLOCK_VIRT, _PROF, _SCHED) reads of these. */
static inline u64 ssi_cpuclock_pick(int which, u64 utime, u64 stime, u64 runtime)
{
	switch (which) {
	case CPUCLOCK_VIRT:
		return utime;
	case CPUCLOCK_PROF:
		return utime + stime;
	default:
		return runtime;
	}
}
void ssi_counts_add(struct ssi_counts *s, struct task_struct *t);
void ssi_counts_threads(struct task_struct *task, struct ssi_counts *s);
int ssi_rusage_save(struct task_struct *task, struct ssi_img_task *img);
void ssi_rusage_thread_save(struct task_struct *t, struct ssi_img_thread *img);
void ssi_rusage_restore(const struct ssi_img_task *img, bool children);
void ssi_rusage_thread_restore(const struct ssi_img_thread *img);
long ssi_charge_ioctl(struct ssi_charge __user *uarg);

/*
 * ssi_memshow.c - the memory a migrated process holds away, shown in its
 * deputy's counters at home: set with each SSI_CHARGE_MEM charge, taken
 * off when the process comes home (in its context, before its memory is
 * replaced) or the deputy's mm goes.
 */
int ssi_memshow_set(struct task_struct *deputy, const struct ssi_charge *a);
void ssi_memshow_drop(struct mm_struct *mm);
void ssi_memshow_exit(void);
long ssi_seq_get_ioctl(struct ssi_seq_pos __user *uarg);
long ssi_seq_set_ioctl(struct ssi_seq_pos __user *uarg);
long ssi_dsm_open_ioctl(struct ssi_dsm_open __user *uarg);
bool ssi_dsm_vma_segment(struct vm_area_struct *vma, u64 *id, u64 *size);
bool ssi_dsm_file_segment(struct file *f, u64 *id, u64 *size);
/*
 * ssi_dsm_vma_ranges - the mappings of segments in @mm (its mmap_lock
 * held): the first @max as start, end pairs in @ranges.  Return: how many
 * there are.
 */
int ssi_dsm_vma_ranges(struct mm_struct *mm, unsigned long *ranges, int max);
int ssi_real_itimer_freeze(struct task_struct *task, struct ssi_img_itimer *out);
void ssi_real_itimer_thaw(const struct ssi_img_itimer *in, u64 elapsed_ns, u64 min_ns);

/*
 * ssi_ptimer.c: the process's POSIX timers.  ssi_ptimers_freeze() - stop
 * every timer of frozen @task and describe each in p->img (-EOPNOTSUPP
 * with *@why for one that cannot travel); *@next_id gets the id its next
 * timer_create() tries.  ssi_ptimers_thaw() - in the task, after a
 * resume: start them again where they stood.  ssi_ptimers_match() -
 * current's timers are exactly @img's, made as ssi_ptimer.c says (else
 * -EINVAL, *@bad_id one that is not).  ssi_ptimers_arm() - past the point
 * of no return: each fires when @img says (no sooner than @min_ns from
 * now; a CPU timer counts from the image's value of its clock, which
 * @image_clock gives, false for a clock it does not carry), and the next
 * timer_create() tries @next_id.
 */
struct ssi_ptimer_saved;
struct ssi_ptimers {
	struct ssi_img_posix_timer *img;
	struct ssi_ptimer_saved *saved;
	u32 n;
};
int ssi_ptimers_freeze(struct task_struct *task, struct ssi_ptimers *p, u32 *next_id,
		       const char **why);
void ssi_ptimers_thaw(struct ssi_ptimers *p);
void ssi_ptimers_free(struct ssi_ptimers *p);
int ssi_ptimers_match(const struct ssi_img_posix_timer *img, u32 n, s32 *bad_id);
void ssi_ptimers_arm(const struct ssi_img_posix_timer *img, u32 n, u32 next_id,
		     u64 min_ns, bool (*image_clock)(const void *ctx, s32 clock, u64 *v),
		     const void *ctx);
long ssi_timer_id_ioctl(struct ssi_timer_id __user *uarg);

/* ssi_signal.c */
long ssi_signal_ioctl(struct ssi_signal __user *uarg);

/* ssi_deputy.c: the frozen task becomes the deputy stub */
#define SSI_DEPUTY_STACK	(64UL << 10)
#define SSI_DEPUTY_STUB_MAX	(64UL << 10)
/*
 * ssi_modref.c - the module reference a task_work callback holds: taken
 * with ssi_modref_get() (NULL: no memory) before task_work_add(); given
 * back by the callback, as its last act, with ssi_modref_put(), which
 * drops it from a workqueue the module's exit drains; or, when the
 * callback will never run (task_work_add failed), at once with
 * ssi_modref_drop() by the caller (an ioctl: its file pins the module).
 */
struct ssi_modref;
struct ssi_modref *ssi_modref_get(void);
void ssi_modref_put(struct ssi_modref *r);
void ssi_modref_drop(struct ssi_modref *r);
int ssi_modref_init(void);
void ssi_modref_exit(void);

int ssi_deputy_init(void);
void ssi_deputy_exit(void);
/* Does @task run the deputy stub (is it a deputy of this module)? */
bool ssi_deputy_is(struct task_struct *task);
/* The same of @mm, whose mmap_lock the caller holds. */
bool ssi_deputy_mm_is(struct mm_struct *mm);

/* What one thread of the deputy runs on: prepared by the leader. */
struct ssi_deputy_seat {
	struct file *chan;	/* the caller's channel socket (its reference) */
	unsigned long area;	/* area_len bytes */
	unsigned long stack;	/* SSI_DEPUTY_STACK bytes */
	int fd;			/* the channel in the deputy */
};

/* Seat 0 is the leader's, then the other threads' in the caller's order. */
struct ssi_deputy_plan {
	unsigned long code;	/* the stub */
	u64 area_len;
	u32 nr;
	struct ssi_deputy_seat seat[];
};

/*
 * In the leader's context, every other thread frozen: map the stub and a
 * seat for every thread, drop the process's memory, enter seat 0.  On
 * failure *reason is set; see uapi/ssi.h.
 */
int ssi_deputy_become(struct ssi_deputy_plan *p, u32 *reason);
/* In the context of the thread of seat @i, once the leader succeeded. */
void ssi_deputy_enter(const struct ssi_deputy_plan *p, u32 i);

/* ssi_restore.c */
int ssi_restore_init(void);
void ssi_restore_exit(void);
long ssi_restore_ioctl(struct ssi_file *sf, struct file *devfile,
		       struct ssi_restore __user *uarg);
long ssi_restore_thread_ioctl(struct ssi_file *sf,
			      struct ssi_restore_thread __user *uarg);
/*
 * In the context of a frozen deputy's leader (SSI_IOC_RETURN): become the
 * process of the image on @in again, its other threads the deputy's
 * @given (one record each, in the image's order, from
 * ssi_return_thread_new()), and close the stubs' channels @close_fds;
 * @subst: ssi_file_fds_get()'s files standing in for its mapped files.
 * Once *@stop is set (read while it checks the image) it gives up before
 * the point of no return as if killed.
 * 0: current runs the image on its way out and so do the given threads.
 * Else @arg's reason fields say why, and current is untouched (the given
 * threads must be cancelled), or has been killed past the point of no
 * return.
 */
struct ssi_parked;
/*
 * Pages whose NUMA policies a restore gives the image's mappings (struct
 * ssi_restore's mpol_carriers), in @mm: the restoring task's own, or the
 * SSI_IOC_RETURN caller's.
 */
struct ssi_carriers {
	const u64 *addr;
	u32 nr;
	struct mm_struct *mm;
};

int ssi_restore_return(struct file *in, const int *close_fds, u32 nr_close,
		       struct ssi_parked **given, u32 nr_given,
		       struct file **subst, u32 nr_subst, const struct ssi_carriers *car,
		       struct ssi_return *arg, const bool *stop);
/* A record for frozen deputy thread @task to become an image's thread. */
struct ssi_parked *ssi_return_thread_new(struct task_struct *task);
/* The freezer's reference; @cancel: the return was refused, tell the thread. */
void ssi_return_thread_put(struct ssi_parked *p, bool cancel);
/*
 * In the context of the thread of @p: wait for the leader's verdict and
 * become the image's thread (> 0: on its way out), or -ECANCELED (still
 * the deputy's thread, frozen), or -EINTR (killed).  Drops the thread's
 * reference.
 */
long ssi_return_thread_become(struct ssi_parked *p);

/* ssi_image.c: image streams over a struct file */
void ssi_crc_init(void);

/*
 * Reads an image from a file, pipe or socket.  @off counts image bytes
 * consumed (for error reports and the END totals); @pos is the file
 * position for files that have one.
 */
struct ssi_img_reader {
	struct file *file;
	loff_t pos;
	bool seekable;		/* regular file: may be read twice */
	u64 off;
	struct ssi_img_err err;
};

void ssi_ir_init(struct ssi_img_reader *r, struct file *file);
int ssi_ir_read(struct ssi_img_reader *r, void *buf, size_t len);
/* Read a section header and check it against @want; errors filled in. */
int ssi_ir_section(struct ssi_img_reader *r, u32 want,
		   const struct ssi_img_header *h, struct ssi_img_section *s);
/* Read a section payload of s->size bytes into @buf and check its CRC. */
int ssi_ir_payload(struct ssi_img_reader *r, const struct ssi_img_section *s,
		   void *buf);
int ssi_ir_fail(struct ssi_img_reader *r, int err, u32 reason, u32 section,
		u64 offset, const char *detail);

struct ssi_img_writer {
	struct file *file;
	loff_t pos;
	bool has_pos;
	u64 off;		/* image bytes produced so far */
	u8 *buf;
	size_t fill;
};

int ssi_iw_init(struct ssi_img_writer *w, struct file *file);
void ssi_iw_destroy(struct ssi_img_writer *w);
int ssi_iw_write(struct ssi_img_writer *w, const void *p, size_t len);
int ssi_iw_flush(struct ssi_img_writer *w);
/* A whole section: header (CRCs filled in) and payload. */
int ssi_iw_section(struct ssi_img_writer *w, u32 type, const void *payload,
		   u64 size, u32 count);

/* ssi_fileid.c: content identity of mapped files */
int ssi_file_identity(struct file *file, struct ssi_img_file *id, const bool *stop);
struct file **ssi_file_fds_get(u64 ufds, u32 n);
void ssi_file_fds_put(struct file **files, u32 n);
long ssi_file_id_ioctl(struct ssi_file_id __user *uarg);
int ssi_vdso_ranges(unsigned long r[4]);
int ssi_vdso_digest(struct mm_struct *mm, unsigned long start,
		    unsigned long end, u8 digest[SSI_IMG_DIGEST_LEN],
		    unsigned long *syscall_insn);

#endif /* SSI_INTERNAL_H */
