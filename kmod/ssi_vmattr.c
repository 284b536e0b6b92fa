// SPDX-License-Identifier: GPL-2.0
/*
 * ssi_vmattr.c - the attributes of a mapping that travel with it: what
 * madvise() and mlock() set on a VMA.  One table maps the image's
 * SSI_VMAF_* bits to vm_flags, both ways.
 *
 * madvise() and mlock() are not callable from a module (nor is the
 * split_vma() they use); the restore instead maps each VMA whole
 * (ssi_restore.c: those with attributes first, so that no fresh VMA
 * merges into one that must keep other flags) and sets its flags here
 * before anything else maps next to it.  A protection key is set the same
 * way (pkey_mprotect() is not callable either).
 */
#include <linux/ksm.h>
#include <linux/mm.h>
#include <linux/mman.h>

#include "ssi_internal.h"

static const struct {
	u32 img;
	unsigned long vm;
} vmattr[] = {
	{ SSI_VMAF_LOCKED,	VM_LOCKED },
	{ SSI_VMAF_LOCKONFAULT,	VM_LOCKONFAULT },
	{ SSI_VMAF_DONTCOPY,	VM_DONTCOPY },
	{ SSI_VMAF_WIPEONFORK,	VM_WIPEONFORK },
	{ SSI_VMAF_DONTDUMP,	VM_DONTDUMP },
	{ SSI_VMAF_HUGEPAGE,	VM_HUGEPAGE },
	{ SSI_VMAF_NOHUGEPAGE,	VM_NOHUGEPAGE },
	{ SSI_VMAF_SEQ_READ,	VM_SEQ_READ },
	{ SSI_VMAF_RAND_READ,	VM_RAND_READ },
	{ SSI_VMAF_MERGEABLE,	VM_MERGEABLE },
};

u32 ssi_vma_advice(unsigned long vm_flags)
{
	u32 img = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vmattr); i++)
		if (vm_flags & vmattr[i].vm)
			img |= vmattr[i].img;
	return img;
}

static unsigned long vm_flags_of(u32 img)
{
	unsigned long vm = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vmattr); i++)
		if (img & vmattr[i].img)
			vm |= vmattr[i].vm;
	return vm;
}

int ssi_vma_apply(struct mm_struct *mm, unsigned long start, unsigned long end,
		  u32 img, u32 pkey)
{
	struct vm_area_struct *vma;
	unsigned long want;
	int err = 0;

	if (mmap_write_lock_killable(mm))
		return -EINTR;
	vma = find_vma(mm, start);
	if (!vma || vma->vm_start != start || vma->vm_end != end) {
		err = -EINVAL;		/* merged: mapped out of order */
		goto out;
	}
	want = (vma->vm_flags & ~ssi_pkey_vm_flags(SSI_IMG_NR_PKEYS - 1)) |
	       vm_flags_of(img & ~SSI_VMAF_MERGEABLE);
	if (img & SSI_VMAF_MERGEABLE) {
		/* registers the mm with KSM, as MADV_MERGEABLE does */
		err = IS_ENABLED(CONFIG_KSM) ?
		      ksm_madvise(vma, start, end, MADV_MERGEABLE, &want) : -EOPNOTSUPP;
		if (err)
			goto out;
	}
	if ((want & VM_LOCKED) && !(vma->vm_flags & VM_LOCKED))
		mm->locked_vm += vma_pages(vma);
	/*
	 * As pkey_mprotect() does: the key is in the flags and the PTEs.
	 * vm_mmap() may have given an execute-only mapping a key of the
	 * restoring task's: the image's replaces it.
	 */
	want |= ssi_pkey_vm_flags(pkey);
	/*
	 * A shared mapping whose writes must be heard of (a DSM segment's:
	 * page_mkwrite) got write-protected PTEs from vm_mmap(), as
	 * vma_set_page_prot() (not exported) decides: it keeps them.
	 */
	if ((vma->vm_flags & VM_SHARED) &&
	    pgprot_val(vma->vm_page_prot) ==
	    pgprot_val(vm_get_page_prot(vma->vm_flags & ~VM_SHARED)))
		vma->vm_page_prot = vm_get_page_prot(want & ~VM_SHARED);
	else
		vma->vm_page_prot = vm_get_page_prot(want);
	vma->vm_flags = want;
out:
	mmap_write_unlock(mm);
	return err;
}

int ssi_vma_populate(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	struct vm_area_struct *vma;
	unsigned int gup = FOLL_TOUCH;
	long n = 0;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	vma = find_vma(mm, start);
	if (!vma || vma->vm_start > start || vma->vm_end < end) {
		n = -EINVAL;
		goto out;
	}
	/* as mlock() populates: write-fault private writable memory */
	if ((vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE)
		gup |= FOLL_WRITE;
	if (vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC))
		n = get_user_pages(start, (end - start) >> PAGE_SHIFT,
				   gup | FOLL_FORCE, NULL, NULL);
out:
	mmap_read_unlock(mm);
	return n < 0 ? (int)n : 0;
}
