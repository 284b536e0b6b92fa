// SPDX-License-Identifier: GPL-2.0
/*
 * ssi_dsm.c - DSM segments: this node's copy of a shared memory segment,
 * kept coherent page by page with the other nodes' copies (multiple
 * readers / single writer) by a directory that the holder of the
 * segment's channel runs (uapi/ssi.h, SSI_IOC_DSM_OPEN; doc/dsm.md).
 *
 * The copy lives in a shmem file of the module's, so that the page cache,
 * rmap and process-shared futex keys work on it as on any shared mapping.
 * A mapping of the channel becomes a mapping of that file whose vm_ops
 * are ours, wrapped around shmem's:
 *
 *  - .fault serves a page this node holds (READ, or WRITE for a write)
 *    through shmem's own fault; otherwise it asks the holder, drops
 *    mmap_lock and waits killably for the answer, then has the fault
 *    retried (VM_FAULT_RETRY).  The answer is a grant since the ask,
 *    counted per page: the holder may take the page back before the
 *    waiter runs, and the retried fault then asks again (waiting for the
 *    state alone would wait for ever).  The module never waits for the
 *    network holding mmap_lock.
 *  - .page_mkwrite exists, so shared pages are mapped read-only first and
 *    the first write to one comes here: that is what lets several nodes
 *    read a page at once.  page_mkwrite runs without the fault's retry
 *    flags, so it cannot wait: if the page is not WRITE it asks, zaps
 *    the page's mappings here and has the access made again, which then
 *    faults as a write to a page not present and waits in .fault.
 *  - no .map_pages: fault-around would map pages not held here.
 *
 * On a remote node the copy is a shmem file of the module's; at home it is
 * the shared memory itself (SSI_DSM_HOME: the shmem file the processes
 * map), and SSI_DSM_WRAP puts each of their mappings under the same
 * vm_ops: their vm_page_prot is made what mmap would have made it with
 * ours (write-protected, so that a write to a page comes to page_mkwrite)
 * and their PTEs made before stay valid, every page being WRITE at home
 * until a revocation zaps them.  A fork copies a wrapped mapping with its
 * vm_ops (and .open takes its reference).
 *
 * Revoking a page sets its state first, then zaps every mapping of it
 * under the page lock.  A fault checks the state again with the page
 * locked (shmem's fault returns it locked, and the PTE is made before the
 * page is unlocked), so either it sees the revocation or the revocation
 * waits for its PTE and zaps it.
 */
#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/pagemap.h>
#include <linux/poll.h>
#include <linux/refcount.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "ssi_internal.h"

struct ssi_dsm_seg {
	refcount_t ref;			/* the channel's, and one per VMA */
	struct ssi_modref *modref;	/* ssi.ko stays while the segment does */
	struct file *shm;		/* the pages of this node's copy */
	const struct vm_operations_struct *shmem_ops;
	pgoff_t npages;
	spinlock_t lock;		/* the fields below */
	u8 *state;			/* enum ssi_dsm_access, per page */
	u8 *asked;			/* the most a request not granted yet asks */
	u8 *queued;			/* the page is in @queue */
	u32 *granted_gen;		/* grants of the page so far */
	u8 *lost;			/* SSI_DSM_FAIL: no copy will come */
	u32 *queue;			/* pages asked for, not read by the holder */
	pgoff_t qhead, qlen;		/* a ring of npages: a page is in it once */
	bool closed;			/* the channel is gone */
	bool home;			/* @shm is the shared memory itself */
	struct list_head link;		/* in ssi_dsm_segs, once made */
	u64 id;				/* its name across the cluster, or 0 */
	wait_queue_head_t granted;	/* faulting tasks */
	wait_queue_head_t requests;	/* the holder */
};

static const struct vm_operations_struct ssi_dsm_vm_ops;
static void seg_unregister(struct ssi_dsm_seg *seg);

static void seg_free(struct ssi_dsm_seg *seg)
{
	kvfree(seg->state);
	kvfree(seg->asked);
	kvfree(seg->queued);
	kvfree(seg->granted_gen);
	kvfree(seg->lost);
	kvfree(seg->queue);
	kfree(seg);
}

static void seg_put(struct ssi_dsm_seg *seg)
{
	struct ssi_modref *modref = seg->modref;

	if (!refcount_dec_and_test(&seg->ref))
		return;
	seg_unregister(seg);
	fput(seg->shm);
	seg_free(seg);
	ssi_modref_put(modref);
}

/* Ask the holder for @access to page @pg, unless asked already; seg->lock held. */
static void ask_locked(struct ssi_dsm_seg *seg, pgoff_t pg, u8 access)
{
	if (seg->asked[pg] >= access)
		return;
	seg->asked[pg] = access;
	if (seg->queued[pg])
		return;		/* the holder reads what it asks by then */
	seg->queued[pg] = 1;
	seg->queue[(seg->qhead + seg->qlen) % seg->npages] = (u32)pg;
	seg->qlen++;
	wake_up_interruptible(&seg->requests);
}

/*
 * A waiter's answer: a grant of the page since it asked, even one taken
 * back before the waiter ran (it then faults and asks again), or no
 * holder any more.
 */
static bool answered(struct ssi_dsm_seg *seg, pgoff_t pg, u8 access, u32 gen)
{
	return READ_ONCE(seg->granted_gen[pg]) != gen ||
	       READ_ONCE(seg->state[pg]) >= access || READ_ONCE(seg->closed) ||
	       READ_ONCE(seg->lost[pg]);
}

/*
 * The page is not held here as @access needs: ask, and wait for it
 * without mmap_lock.  Returns what the fault returns.
 */
static vm_fault_t wait_for_page(struct vm_fault *vmf, struct ssi_dsm_seg *seg,
				pgoff_t pg, u8 access)
{
	u32 gen;

	spin_lock(&seg->lock);
	if (seg->closed || seg->lost[pg]) {
		spin_unlock(&seg->lock);
		return VM_FAULT_SIGBUS;
	}
	ask_locked(seg, pg, access);
	gen = seg->granted_gen[pg];
	spin_unlock(&seg->lock);
	/* ptrace and other GUP without retry: no waiting on the network here */
	if (!(vmf->flags & FAULT_FLAG_ALLOW_RETRY))
		return VM_FAULT_SIGBUS;
	if (vmf->flags & FAULT_FLAG_RETRY_NOWAIT)
		return VM_FAULT_RETRY;		/* mmap_lock kept, as asked */
	refcount_inc(&seg->ref);		/* the VMA may go with the lock */
	mmap_read_unlock(vmf->vma->vm_mm);
	wait_event_killable(seg->granted, answered(seg, pg, access, gen));
	seg_put(seg);
	return VM_FAULT_RETRY;
}

static vm_fault_t ssi_dsm_fault(struct vm_fault *vmf)
{
	struct ssi_dsm_seg *seg = vmf->vma->vm_private_data;
	u8 access = vmf->flags & FAULT_FLAG_WRITE ? SSI_DSM_WRITE : SSI_DSM_READ;
	pgoff_t pg = vmf->pgoff;
	vm_fault_t ret;

	if (pg >= seg->npages)
		return VM_FAULT_SIGBUS;
	if (READ_ONCE(seg->state[pg]) < access)
		return wait_for_page(vmf, seg, pg, access);
	ret = seg->shmem_ops->fault(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))
		return ret;
	if (!(ret & VM_FAULT_LOCKED)) {
		lock_page(vmf->page);
		ret |= VM_FAULT_LOCKED;
	}
	/* revoked since: drop the page, the access faults again and asks */
	if (READ_ONCE(seg->state[pg]) < SSI_DSM_READ) {
		unlock_page(vmf->page);
		put_page(vmf->page);
		vmf->page = NULL;
		return VM_FAULT_NOPAGE;
	}
	return ret;
}

static void zap_page(struct ssi_dsm_seg *seg, pgoff_t pg)
{
	unmap_mapping_range(seg->shm->f_mapping, (loff_t)pg << PAGE_SHIFT, PAGE_SIZE, 1);
}

static vm_fault_t ssi_dsm_page_mkwrite(struct vm_fault *vmf)
{
	struct ssi_dsm_seg *seg = vmf->vma->vm_private_data;
	pgoff_t pg = vmf->pgoff;

	lock_page(vmf->page);
	if (READ_ONCE(seg->state[pg]) == SSI_DSM_WRITE)
		return VM_FAULT_LOCKED;
	unlock_page(vmf->page);
	spin_lock(&seg->lock);
	if (seg->lost[pg]) {
		spin_unlock(&seg->lock);
		return VM_FAULT_SIGBUS;
	}
	if (!seg->closed)
		ask_locked(seg, pg, SSI_DSM_WRITE);
	spin_unlock(&seg->lock);
	/* made again, the access is a write fault on a page not present */
	zap_page(seg, pg);
	return VM_FAULT_NOPAGE;
}

static void ssi_dsm_vm_open(struct vm_area_struct *vma)
{
	struct ssi_dsm_seg *seg = vma->vm_private_data;

	refcount_inc(&seg->ref);
}

static void ssi_dsm_vm_close(struct vm_area_struct *vma)
{
	seg_put(vma->vm_private_data);
}

#ifdef CONFIG_NUMA
/* mbind(2) on the mapping sets shmem's shared policy, as without us */
static int ssi_dsm_set_policy(struct vm_area_struct *vma, struct mempolicy *new)
{
	struct ssi_dsm_seg *seg = vma->vm_private_data;

	return seg->shmem_ops->set_policy ? seg->shmem_ops->set_policy(vma, new) : 0;
}

static struct mempolicy *ssi_dsm_get_policy(struct vm_area_struct *vma, unsigned long addr)
{
	struct ssi_dsm_seg *seg = vma->vm_private_data;

	return seg->shmem_ops->get_policy ? seg->shmem_ops->get_policy(vma, addr) : NULL;
}
#endif

static const struct vm_operations_struct ssi_dsm_vm_ops = {
	.open		= ssi_dsm_vm_open,
	.close		= ssi_dsm_vm_close,
	.fault		= ssi_dsm_fault,
	.page_mkwrite	= ssi_dsm_page_mkwrite,
#ifdef CONFIG_NUMA
	.set_policy	= ssi_dsm_set_policy,
	.get_policy	= ssi_dsm_get_policy,
#endif
};

/*
 * shmem's vm_ops, learnt from the first mapping of the segment's file
 * (shmem does not export them); every later one must have the same.
 */
static int learn_shmem_ops(struct ssi_dsm_seg *seg, const struct vm_operations_struct *ops)
{
	const struct vm_operations_struct *old = cmpxchg(&seg->shmem_ops, NULL, ops);

	return !ops || !ops->fault || (old && old != ops) ? -EINVAL : 0;
}

/* @vma maps pages of the segment only. */
static bool within_segment(const struct ssi_dsm_seg *seg, struct vm_area_struct *vma)
{
	return vma->vm_pgoff < seg->npages && vma_pages(vma) <= seg->npages - vma->vm_pgoff;
}

/* @vma's faults through the segment from now on; its mm's mmap_lock held for writing. */
static void wrap_vma(struct ssi_dsm_seg *seg, struct vm_area_struct *vma)
{
	/* coherence page by page, so never a huge page */
	vma->vm_flags |= VM_NOHUGEPAGE | VM_DONTEXPAND;
	vma->vm_ops = &ssi_dsm_vm_ops;
	vma->vm_private_data = seg;
	refcount_inc(&seg->ref);
}

/* ------------------------------------------------- interposed mappings */

/*
 * Home's memory may be mapped again after the segment is made over it:
 * a /dev/shm file opened by name, a memfd's fd kept open, a file received
 * over a socket, /proc/PID/map_files.  Such a mapping must be under the
 * segment's coherence from its first access, or it reads pages that are
 * stale while another node writes them and its writes are lost.  So while
 * a home segment lives, its inode's i_fop is shmem's file operations with
 * our mmap, which maps as shmem does and then wraps the mapping: every
 * file opened from then on has them.  Files open before are given them by
 * SSI_DSM_WRAP_FILE (ssid finds them in /proc/PID/fd).  This touches the
 * inodes of exported segments only: no other file sees any of it.
 */
static DEFINE_SPINLOCK(ssi_dsm_segs_lock);
static LIST_HEAD(ssi_dsm_segs);			/* every segment here */
static const struct file_operations *ssi_dsm_shmem_fops;	/* shmem's own */
static struct file_operations ssi_dsm_shm_fops;	/* theirs, our mmap */

/* The live home segment over @inode, with a reference, or NULL. */
static struct ssi_dsm_seg *home_of(struct inode *inode)
{
	struct ssi_dsm_seg *seg, *found = NULL;

	spin_lock(&ssi_dsm_segs_lock);
	list_for_each_entry(seg, &ssi_dsm_segs, link)
		if (seg->home && file_inode(seg->shm) == inode && !READ_ONCE(seg->closed) &&
		    refcount_inc_not_zero(&seg->ref)) {
			found = seg;
			break;
		}
	spin_unlock(&ssi_dsm_segs_lock);
	return found;
}

static int ssi_dsm_shm_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ssi_dsm_seg *seg;
	int err = 0;

	/*
	 * A private mapping is the process's own from its first write; what
	 * it reads before is home's copy (doc/dsm.md says so).  A shared one
	 * of a file opened read-only has VM_MAYSHARE alone: it reads the
	 * memory as it changes, so it is wrapped too.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return ssi_dsm_shmem_fops->mmap(file, vma);
	seg = home_of(file_inode(file));
	if (!seg)
		return ssi_dsm_shmem_fops->mmap(file, vma);
	/* the segment's size is the file's when it was made */
	if (!within_segment(seg, vma))
		err = -EINVAL;
	if (!err)
		err = ssi_dsm_shmem_fops->mmap(file, vma);
	if (!err)
		err = learn_shmem_ops(seg, vma->vm_ops);
	/* mmap write-protects it after this: writes are notified */
	if (!err)
		wrap_vma(seg, vma);
	seg_put(seg);
	return err;
}

/*
 * @seg joins this node's segments.  A home's inode opens with
 * ssi_dsm_shm_fops from now on (shmem's file operations are learnt from
 * the first: shmem does not export them).  Memory with a segment over it
 * takes no home: -EBUSY over a home's, -EEXIST over a copy's (a process
 * that moved here maps it: its image names that segment already).
 */
static int seg_register(struct ssi_dsm_seg *seg)
{
	struct inode *inode = file_inode(seg->shm);
	const struct file_operations *fops = READ_ONCE(inode->i_fop);
	struct ssi_dsm_seg *other;
	int err = 0;

	spin_lock(&ssi_dsm_segs_lock);
	list_for_each_entry(other, &ssi_dsm_segs, link)
		if (file_inode(other->shm) == inode)
			err = other->home ? -EBUSY : -EEXIST;
	if (!err && seg->home && !ssi_dsm_shmem_fops && fops && fops->mmap) {
		ssi_dsm_shmem_fops = fops;
		ssi_dsm_shm_fops = *fops;
		ssi_dsm_shm_fops.owner = THIS_MODULE;
		ssi_dsm_shm_fops.mmap = ssi_dsm_shm_mmap;
		/*
		 * shmem's places a mapping for huge pages, and checks it is
		 * called for its own files; ours are never huge
		 */
		ssi_dsm_shm_fops.get_unmapped_area = NULL;
	}
	/* shmem's, or ours left by a segment over it that just ended */
	if (!err && seg->home && fops != ssi_dsm_shmem_fops && fops != &ssi_dsm_shm_fops)
		err = -EOPNOTSUPP;
	if (!err) {
		if (seg->home)
			WRITE_ONCE(inode->i_fop, &ssi_dsm_shm_fops);
		list_add(&seg->link, &ssi_dsm_segs);
	}
	spin_unlock(&ssi_dsm_segs_lock);
	return err;
}

/* The segment ends: opens of a home's memory are shmem's alone again. */
static void seg_unregister(struct ssi_dsm_seg *seg)
{
	struct inode *inode = file_inode(seg->shm);

	spin_lock(&ssi_dsm_segs_lock);
	if (!list_empty(&seg->link)) {
		list_del_init(&seg->link);
		if (seg->home && inode->i_fop == &ssi_dsm_shm_fops)
			WRITE_ONCE(inode->i_fop, ssi_dsm_shmem_fops);
	}
	spin_unlock(&ssi_dsm_segs_lock);
}

static long ssi_dsm_wrap_file(struct ssi_dsm_seg *seg, const void __user *uarg)
{
	const struct file_operations *shmem_fops = READ_ONCE(ssi_dsm_shmem_fops);
	struct ssi_dsm_wrap_file a;
	struct file *f;
	long err = 0;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (!seg->home || a.pad)
		return -EINVAL;
	f = fget(a.fd);
	if (!f)
		return -EBADF;
	if (file_inode(f) != file_inode(seg->shm))
		err = -EINVAL;
	else if (f->f_op == &ssi_dsm_shm_fops)
		err = 0;
	else if (f->f_op != shmem_fops)
		err = -EOPNOTSUPP;	/* SysV shm's files */
	else {
		/* the file's, as for one opened with them: __fput puts it */
		__module_get(THIS_MODULE);
		if (cmpxchg(&f->f_op, shmem_fops, &ssi_dsm_shm_fops) != shmem_fops)
			module_put(THIS_MODULE);	/* another caller's swap won */
	}
	fput(f);
	return err;
}

/* ------------------------------------------------------------ the channel */

static int ssi_dsm_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ssi_dsm_seg *seg = file->private_data;
	int err;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (!within_segment(seg, vma))
		return -EINVAL;
	/* a mapping of the segment's shmem file, with shmem's vm_ops ... */
	vma_set_file(vma, seg->shm);
	err = seg->shm->f_op->mmap(seg->shm, vma);
	if (err)
		return err;
	if (WARN_ON_ONCE(learn_shmem_ops(seg, vma->vm_ops)))
		return -EINVAL;
	/* ... under ours (mmap sets vm_page_prot for them after this) */
	wrap_vma(seg, vma);
	return 0;
}

/* The checks of SSI_DSM_WRAP on @vma; mmap_lock held. */
static int wrappable(struct ssi_dsm_seg *seg, struct vm_area_struct *vma, u64 addr)
{
	if (!vma || vma->vm_start != addr || !vma->vm_file ||
	    file_inode(vma->vm_file) != file_inode(seg->shm) || !(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_ops == &ssi_dsm_vm_ops)
		return vma->vm_private_data == seg ? -EALREADY : -EBUSY;
	if (!within_segment(seg, vma))
		return -EINVAL;
	/* SysV shm's vm_ops keep state of their own (step 3 of doc/dsm.md) */
	if (!vma->vm_ops || vma->vm_ops->open || vma->vm_ops->close || vma->vm_private_data)
		return -EOPNOTSUPP;
	return learn_shmem_ops(seg, vma->vm_ops);
}

static long ssi_dsm_wrap(struct ssi_dsm_seg *seg, const void __user *uarg)
{
	struct ssi_dsm_wrap a;
	struct task_struct *task;
	struct vm_area_struct *vma;
	struct mm_struct *mm;
	long err;

	/* another process's mappings: root's, even with root's channel in hand */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (!seg->home || a.pid <= 0 || a.pad || a.reserved)
		return -EINVAL;
	rcu_read_lock();
	task = pid_task(find_vpid(a.pid), PIDTYPE_PID);
	if (task)
		get_task_struct(task);
	rcu_read_unlock();
	if (!task)
		return -ESRCH;
	mm = get_task_mm(task);
	put_task_struct(task);
	if (!mm)
		return -ESRCH;
	if (mmap_write_lock_killable(mm)) {
		mmput(mm);
		return -EINTR;
	}
	vma = find_vma(mm, a.addr);
	err = wrappable(seg, vma, a.addr);
	if (!err) {
		wrap_vma(seg, vma);
		/* what mmap makes it with ours: write-protected, writes notified */
		WRITE_ONCE(vma->vm_page_prot, vm_get_page_prot(vma->vm_flags & ~VM_SHARED));
	}
	mmap_write_unlock(mm);
	mmput(mm);
	return err == -EALREADY ? 0 : err;
}

static ssize_t ssi_dsm_read(struct file *file, char __user *buf, size_t len, loff_t *off)
{
	struct ssi_dsm_seg *seg = file->private_data;
	struct ssi_dsm_req r = {};
	size_t done = 0;
	int err;

	if (len < sizeof(r))
		return -EINVAL;
	while (!done) {
		if (!READ_ONCE(seg->qlen) && (file->f_flags & O_NONBLOCK))
			return -EAGAIN;
		err = wait_event_interruptible(seg->requests, READ_ONCE(seg->qlen));
		if (err)
			return err;
		while (done + sizeof(r) <= len) {
			spin_lock(&seg->lock);
			if (!seg->qlen) {
				spin_unlock(&seg->lock);
				break;
			}
			r.page = seg->queue[seg->qhead];
			r.access = seg->asked[r.page];
			seg->queued[r.page] = 0;
			seg->qhead = (seg->qhead + 1) % seg->npages;
			seg->qlen--;
			spin_unlock(&seg->lock);
			/* granted between the ask and now: nothing to ask any more */
			if (!r.access)
				continue;
			if (copy_to_user(buf + done, &r, sizeof(r)))
				return done ? done : -EFAULT;
			done += sizeof(r);
		}
	}
	return done;
}

static __poll_t ssi_dsm_poll(struct file *file, poll_table *wait)
{
	struct ssi_dsm_seg *seg = file->private_data;

	poll_wait(file, &seg->requests, wait);
	return READ_ONCE(seg->qlen) ? EPOLLIN | EPOLLRDNORM : 0;
}

static long page_args(struct ssi_dsm_seg *seg, struct ssi_dsm_page *a,
		      const void __user *uarg)
{
	if (copy_from_user(a, uarg, sizeof(*a)))
		return -EFAULT;
	if (a->page >= seg->npages || a->pad || a->reserved || a->access > SSI_DSM_WRITE)
		return -EINVAL;
	return 0;
}

static long ssi_dsm_grant(struct ssi_dsm_seg *seg, const void __user *uarg)
{
	struct ssi_dsm_page a;
	struct page *page;
	void *text = NULL;
	long err;

	err = page_args(seg, &a, uarg);
	if (err)
		return err;
	/* INVALID: content only, for a copy that stays invalid (home's) */
	if (a.access == SSI_DSM_INVALID && !a.data)
		return -EINVAL;
	if (a.data) {
		/* read it before any lock: the source may itself fault */
		text = kmalloc(PAGE_SIZE, GFP_KERNEL);
		if (!text)
			return -ENOMEM;
		if (copy_from_user(text, u64_to_user_ptr(a.data), PAGE_SIZE)) {
			kfree(text);
			return -EFAULT;
		}
	}
	page = shmem_read_mapping_page_gfp(seg->shm->f_mapping, a.page,
					   mapping_gfp_mask(seg->shm->f_mapping));
	if (IS_ERR(page)) {
		kfree(text);
		return PTR_ERR(page);
	}
	lock_page(page);
	/* content only: nothing here may see the page meanwhile */
	if (a.access == SSI_DSM_INVALID && READ_ONCE(seg->state[a.page]) != SSI_DSM_INVALID)
		err = -EBUSY;
	/* the content before the state: a fault that sees the state waits for the page lock */
	if (text && !err) {
		memcpy_to_page(page, 0, text, PAGE_SIZE);
		set_page_dirty(page);
	}
	if (a.access != SSI_DSM_INVALID) {
		spin_lock(&seg->lock);
		seg->state[a.page] = (u8)a.access;
		seg->lost[a.page] = 0;
		seg->granted_gen[a.page]++;
		if (seg->asked[a.page] <= a.access)
			seg->asked[a.page] = 0;
		spin_unlock(&seg->lock);
	}
	unlock_page(page);
	put_page(page);
	kfree(text);
	if (a.access != SSI_DSM_INVALID)
		wake_up_all(&seg->granted);
	return err;
}

static long ssi_dsm_revoke(struct ssi_dsm_seg *seg, const void __user *uarg)
{
	struct ssi_dsm_page a;
	struct page *page;
	void *text = NULL;
	long err = 0;

	err = page_args(seg, &a, uarg);
	if (err)
		return err;
	if (a.access == SSI_DSM_WRITE)
		return -EINVAL;
	if (a.data) {
		text = kzalloc(PAGE_SIZE, GFP_KERNEL);
		if (!text)
			return -ENOMEM;
	}
	spin_lock(&seg->lock);
	if (seg->state[a.page] > a.access)
		seg->state[a.page] = (u8)a.access;
	spin_unlock(&seg->lock);
	/* the page lock orders this after a fault that saw the old state */
	page = find_lock_page(seg->shm->f_mapping, a.page);
	zap_page(seg, a.page);
	if (page) {
		if (text)
			memcpy_from_page(text, page, 0, PAGE_SIZE);
		unlock_page(page);
		put_page(page);
	}
	if (text && copy_to_user(u64_to_user_ptr(a.data), text, PAGE_SIZE))
		err = -EFAULT;
	kfree(text);
	return err;
}

static long ssi_dsm_fail(struct ssi_dsm_seg *seg, const void __user *uarg)
{
	struct ssi_dsm_page a;
	long err;

	err = page_args(seg, &a, uarg);
	if (err)
		return err;
	if (a.access || a.data)
		return -EINVAL;
	spin_lock(&seg->lock);
	seg->lost[a.page] = 1;
	seg->asked[a.page] = 0;
	spin_unlock(&seg->lock);
	wake_up_all(&seg->granted);
	return 0;
}

static long ssi_dsm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ssi_dsm_seg *seg = file->private_data;

	switch (cmd) {
	case SSI_DSM_GRANT:
		return ssi_dsm_grant(seg, (const void __user *)arg);
	case SSI_DSM_REVOKE:
		return ssi_dsm_revoke(seg, (const void __user *)arg);
	case SSI_DSM_WRAP:
		return ssi_dsm_wrap(seg, (const void __user *)arg);
	case SSI_DSM_FAIL:
		return ssi_dsm_fail(seg, (const void __user *)arg);
	case SSI_DSM_WRAP_FILE:
		return ssi_dsm_wrap_file(seg, (const void __user *)arg);
	}
	return -ENOTTY;
}

static int ssi_dsm_release(struct inode *inode, struct file *file)
{
	struct ssi_dsm_seg *seg = file->private_data;

	spin_lock(&seg->lock);
	seg->closed = true;
	spin_unlock(&seg->lock);
	wake_up_all(&seg->granted);
	seg_put(seg);
	return 0;
}

static const struct file_operations ssi_dsm_fops = {
	.owner		= THIS_MODULE,
	.read		= ssi_dsm_read,
	.poll		= ssi_dsm_poll,
	.unlocked_ioctl	= ssi_dsm_ioctl,
	.mmap		= ssi_dsm_mmap,
	.release	= ssi_dsm_release,
	.llseek		= noop_llseek,
};

/*
 * What an image records of a mapping of a segment (SSI_VMA_DSM): its id
 * and size.  ssi_dsm_vma_segment - @vma is one (its mm's mmap_lock held,
 * which keeps the segment: the VMA holds a reference).
 * ssi_dsm_file_segment - @f is a segment's channel, as the restorer
 * supplies one for a segment the image names.
 */
bool ssi_dsm_vma_segment(struct vm_area_struct *vma, u64 *id, u64 *size)
{
	struct ssi_dsm_seg *seg = vma->vm_private_data;

	if (vma->vm_ops != &ssi_dsm_vm_ops)
		return false;
	*id = seg->id;
	*size = (u64)seg->npages << PAGE_SHIFT;
	return true;
}

int ssi_dsm_vma_ranges(struct mm_struct *mm, unsigned long *ranges, int max)
{
	struct vm_area_struct *vma;
	VMA_ITERATOR(vmi, mm, 0);
	int n = 0;

	mmap_assert_locked(mm);
	for_each_vma(vmi, vma) {
		if (vma->vm_ops != &ssi_dsm_vm_ops)
			continue;
		if (n < max) {
			ranges[2 * n] = vma->vm_start;
			ranges[2 * n + 1] = vma->vm_end;
		}
		n++;
	}
	return n;
}

bool ssi_dsm_file_segment(struct file *f, u64 *id, u64 *size)
{
	struct ssi_dsm_seg *seg = f->private_data;

	if (f->f_op != &ssi_dsm_fops)
		return false;
	*id = seg->id;
	*size = (u64)seg->npages << PAGE_SHIFT;
	return true;
}

/*
 * The shared memory @fd names, for a home segment of @size bytes: a shmem
 * file (its pages are shmem's, as those of a file the module makes are)
 * of that size.
 */
static struct file *home_file(int fd, u64 size)
{
	static const struct address_space_operations *shmem_aops;
	struct file *f = fget(fd), *probe;

	if (!f)
		return ERR_PTR(-EBADF);
	/* shmem does not export how to tell its files: by their pages' ops */
	if (!READ_ONCE(shmem_aops)) {
		probe = shmem_file_setup("ssi-dsm-probe", 0, VM_NORESERVE);
		if (IS_ERR(probe)) {
			fput(f);
			return probe;
		}
		WRITE_ONCE(shmem_aops, probe->f_mapping->a_ops);
		fput(probe);
	}
	if (f->f_mapping->a_ops != READ_ONCE(shmem_aops) ||
	    PAGE_ALIGN(i_size_read(file_inode(f))) != size) {
		fput(f);
		return ERR_PTR(-EINVAL);
	}
	return f;
}

long ssi_dsm_open_ioctl(struct ssi_dsm_open __user *uarg)
{
	struct ssi_dsm_seg *seg;
	struct ssi_dsm_open a;
	struct file *chan;
	int fd, err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (!a.size || a.size > SSI_DSM_SIZE_MAX || !PAGE_ALIGNED(a.size) ||
	    a.flags & ~(SSI_DSM_CLOEXEC | SSI_DSM_HOME) || a.pad ||
	    (!(a.flags & SSI_DSM_HOME) && a.src))
		return -EINVAL;
	seg = kzalloc(sizeof(*seg), GFP_KERNEL);
	if (!seg)
		return -ENOMEM;
	seg->npages = a.size >> PAGE_SHIFT;
	seg->state = kvzalloc(seg->npages, GFP_KERNEL_ACCOUNT);
	seg->asked = kvzalloc(seg->npages, GFP_KERNEL_ACCOUNT);
	seg->queued = kvzalloc(seg->npages, GFP_KERNEL_ACCOUNT);
	seg->granted_gen = kvcalloc(seg->npages, sizeof(*seg->granted_gen), GFP_KERNEL_ACCOUNT);
	seg->lost = kvzalloc(seg->npages, GFP_KERNEL_ACCOUNT);
	seg->queue = kvcalloc(seg->npages, sizeof(*seg->queue), GFP_KERNEL_ACCOUNT);
	seg->modref = ssi_modref_get();
	if (!seg->state || !seg->asked || !seg->queued || !seg->granted_gen || !seg->lost ||
	    !seg->queue || !seg->modref)
		goto nomem;
	seg->home = a.flags & SSI_DSM_HOME;
	seg->id = a.id;
	if (seg->home)
		seg->shm = home_file(a.src, a.size);
	else
		/*
		 * named as shared anonymous memory, the only kind exported so
		 * far, shows in /proc/PID/maps at home ("/dev/zero (deleted)")
		 */
		seg->shm = shmem_file_setup("dev/zero", a.size, VM_NORESERVE);
	if (IS_ERR(seg->shm)) {
		fd = PTR_ERR(seg->shm);
		goto fail;
	}
	/* home holds every page of what it made: the directory's HOME */
	if (seg->home)
		memset(seg->state, SSI_DSM_WRITE, seg->npages);
	refcount_set(&seg->ref, 1);
	INIT_LIST_HEAD(&seg->link);
	spin_lock_init(&seg->lock);
	init_waitqueue_head(&seg->granted);
	init_waitqueue_head(&seg->requests);
	fd = get_unused_fd_flags(a.flags & SSI_DSM_CLOEXEC ? O_CLOEXEC : 0);
	if (fd < 0) {
		fput(seg->shm);
		goto fail;
	}
	chan = anon_inode_getfile("[ssi-dsm]", &ssi_dsm_fops, seg, O_RDWR);
	if (IS_ERR(chan)) {
		put_unused_fd(fd);
		fput(seg->shm);
		fd = PTR_ERR(chan);
		goto fail;
	}
	/* the segment is the channel's from here: its release frees it */
	err = seg_register(seg);
	if (err) {
		put_unused_fd(fd);
		fput(chan);
		return err;
	}
	a.fd = fd;
	if (copy_to_user(uarg, &a, sizeof(a))) {
		put_unused_fd(fd);
		fput(chan);
		return -EFAULT;
	}
	fd_install(fd, chan);
	return 0;
nomem:
	fd = -ENOMEM;
fail:
	if (seg->modref)
		ssi_modref_drop(seg->modref);
	seg_free(seg);
	return fd;
}
