// SPDX-License-Identifier: GPL-2.0
/*
 * ssi_memshow.c - a deputy shows its home node the memory its migrated
 * self holds away.
 *
 * ps, top, Slurm's jobacct_gather and any monitor at home read the
 * process's memory from its deputy's mm: the resident-set counters
 * (VmRSS and its parts, VmSwap; the rss of /proc/PID/stat and statm),
 * total_vm (VmSize, vsize) and the high-water marks (VmHWM, VmPeak).  The
 * deputy holds a few pages of stub.  So SSI_IOC_CHARGE with
 * SSI_CHARGE_MEM adds the remote node's figures to those counters, and
 * each later charge moves them to the new figures; the deputy's own page
 * faults keep counting on top, as before.
 *
 * What was added must be taken away before the mm is freed, or the kernel
 * finds its rss counters off ("BUG: Bad rss-counter state"): when the
 * process comes home (ssi_memshow_drop(), in its own context) and, for a
 * deputy that ends, in an mmu notifier's release, which exit_mmap() calls
 * before it unmaps anything.  The notifier is registered on that one mm
 * only (no cost to any other process) and holds a module reference until
 * it is freed.
 *
 * total_vm is what may_expand_vm() checks the deputy's own mappings (a
 * new deputy thread's stack) against RLIMIT_AS: it is shown only while
 * the deputy has no such limit.  The OOM killer would take the shown
 * figures for memory that killing the deputy frees at home: the mm is
 * marked MMF_OOM_SKIP while they are shown, as exit_mmap() marks a
 * memory already freed.
 */
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/mmu_notifier.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "ssi_internal.h"

struct memshow {
	struct mmu_notifier mn;
	struct list_head node;		/* in shows; off it once undone */
	struct ssi_modref *ref;		/* the module stays until it is freed */
	long added[NR_MM_COUNTERS];	/* pages added to each rss counter */
	unsigned long added_vm;		/* pages added to total_vm */
	bool oom_skip;			/* MMF_OOM_SKIP was set here */
};

/* Every memshow whose figures are added, by mm; its lock orders all changes. */
static LIST_HEAD(shows);
static DEFINE_MUTEX(shows_lock);

static unsigned long kb_pages(u64 kb)
{
	return (unsigned long)(kb / (PAGE_SIZE / 1024));
}

static struct memshow *find_show(struct mm_struct *mm)
{
	struct memshow *s;

	lockdep_assert_held(&shows_lock);
	list_for_each_entry(s, &shows, node)
		if (s->mn.mm == mm)
			return s;
	return NULL;
}

/*
 * Take @s's figures off @mm; @mm is alive (its caller holds it), or in
 * exit_mmap() (@dying: nothing else runs on it, and it is to stay
 * MMF_OOM_SKIP).
 */
static void undo(struct memshow *s, struct mm_struct *mm, bool dying)
{
	int i;

	lockdep_assert_held(&shows_lock);
	for (i = 0; i < NR_MM_COUNTERS; i++)
		atomic_long_sub(s->added[i], &mm->rss_stat.count[i]);
	if (dying) {
		mm->total_vm -= s->added_vm;
	} else {
		mmap_write_lock(mm);
		mm->total_vm -= s->added_vm;
		mmap_write_unlock(mm);
		if (s->oom_skip)
			clear_bit(MMF_OOM_SKIP, &mm->flags);
	}
	list_del_init(&s->node);
}

/* exit_mmap(), before it unmaps anything: the counters are the kernel's again. */
static void memshow_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct memshow *s = container_of(mn, struct memshow, mn);
	bool shown;

	mutex_lock(&shows_lock);
	shown = !list_empty(&s->node);
	if (shown)
		undo(s, mm, true);
	mutex_unlock(&shows_lock);
	if (shown)
		mmu_notifier_put(mn);	/* allowed here: mmu_notifier.c */
}

static struct mmu_notifier *memshow_alloc(struct mm_struct *mm)
{
	struct memshow *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return ERR_PTR(-ENOMEM);
	s->ref = ssi_modref_get();
	if (!s->ref) {
		kfree(s);
		return ERR_PTR(-ENOMEM);
	}
	INIT_LIST_HEAD(&s->node);
	return &s->mn;
}

static void memshow_free(struct mmu_notifier *mn)
{
	struct memshow *s = container_of(mn, struct memshow, mn);
	struct ssi_modref *ref = s->ref;

	kfree(s);
	ssi_modref_put(ref);	/* last: ssi_memshow_exit() waits for us */
}

static const struct mmu_notifier_ops memshow_ops = {
	.release = memshow_release,
	.alloc_notifier = memshow_alloc,
	.free_notifier = memshow_free,
};

int ssi_memshow_set(struct task_struct *deputy, const struct ssi_charge *a)
{
	long want[NR_MM_COUNTERS] = {
		[MM_FILEPAGES] = kb_pages(a->rss_file_kb),
		[MM_ANONPAGES] = kb_pages(a->rss_anon_kb),
		[MM_SWAPENTS] = kb_pages(a->swap_kb),
		[MM_SHMEMPAGES] = kb_pages(a->rss_shmem_kb),
	};
	struct mmu_notifier *mn;
	struct mm_struct *mm;
	struct memshow *s;
	unsigned long vm;
	int i, err = 0;

	mm = get_task_mm(deputy);
	if (!mm)
		return -ESRCH;
	vm = task_rlimit(deputy, RLIMIT_AS) == RLIM_INFINITY ? kb_pages(a->vm_kb) : 0;
	mutex_lock(&shows_lock);
	if (mmap_write_lock_killable(mm)) {
		err = -EINTR;
		goto out;
	}
	/* a process on its way home has no stub: nothing may show after its drop */
	if (!ssi_deputy_mm_is(mm)) {
		err = -EINVAL;
		goto out_unlock;
	}
	s = find_show(mm);
	if (!s) {
		mn = mmu_notifier_get_locked(&memshow_ops, mm);
		if (IS_ERR(mn)) {
			err = PTR_ERR(mn);
			goto out_unlock;
		}
		s = container_of(mn, struct memshow, mn);
		list_add(&s->node, &shows);
		s->oom_skip = !test_and_set_bit(MMF_OOM_SKIP, &mm->flags);
	}
	for (i = 0; i < NR_MM_COUNTERS; i++) {
		atomic_long_add(want[i] - s->added[i], &mm->rss_stat.count[i]);
		s->added[i] = want[i];
	}
	mm->total_vm += vm - s->added_vm;
	s->added_vm = vm;
	update_hiwater_rss(mm);
	mm->hiwater_rss = max(mm->hiwater_rss, kb_pages(a->maxrss_kb));
	update_hiwater_vm(mm);
	mm->hiwater_vm = max(mm->hiwater_vm, kb_pages(a->vm_peak_kb));
out_unlock:
	mmap_write_unlock(mm);
out:
	mutex_unlock(&shows_lock);
	mmput(mm);
	return err;
}

void ssi_memshow_drop(struct mm_struct *mm)
{
	struct memshow *s;

	mutex_lock(&shows_lock);
	s = find_show(mm);
	if (s)
		undo(s, mm, false);
	mutex_unlock(&shows_lock);
	if (s)
		mmu_notifier_put(&s->mn);
}

void ssi_memshow_exit(void)
{
	/* every notifier was put (each holds the module); their frees done */
	mmu_notifier_synchronize();
}
