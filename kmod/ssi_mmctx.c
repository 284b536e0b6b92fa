// SPDX-License-Identifier: GPL-2.0
/*
 * ssi_mmctx.c - the x86 part of an address space that travels with it:
 * the LDT (modify_ldt(2)) and the protection keys (pkey_alloc(2)).
 *
 * Protection keys are plain fields of mm->context and bits of vm_flags:
 * the dump reads them, the restore writes them (ssi_vmattr.c gives each
 * VMA its key).  The PKRU register that grants or denies each key is
 * per-thread FPU state and travels in the XSAVE area with the rest.
 *
 * An LDT is different: it is allocated, and with PTI mapped into the
 * user page tables, by code a module cannot call (arch/x86/kernel/ldt.c).
 * The task that becomes the process makes it itself with modify_ldt(2)
 * before the restore (ssid's restore helper, from SSI_SEC_LDT); the
 * restore only checks, byte for byte and before the point of no return,
 * that it is the image's.  A deputy keeps its LDT while the process is
 * away (modify_ldt pulls the process home), so the way home finds it
 * equal too.
 */
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mmu_context.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/desc.h>
#include <asm/pkeys.h>

#include "ssi_internal.h"

void ssi_pkeys_save(struct mm_struct *mm, struct ssi_img_mm *m)
{
	s16 exec_only;

	m->pkeys = 0;
	m->pkey_exec_only = 0;
#ifdef CONFIG_X86_INTEL_MEMORY_PROTECTION_KEYS
	if (!arch_pkeys_enabled())
		return;
	m->pkeys = READ_ONCE(mm->context.pkey_allocation_map);
	exec_only = READ_ONCE(mm->context.execute_only_pkey);
	m->pkey_exec_only = exec_only > 0 ? (u32)exec_only : 0;
#endif
}

bool ssi_pkeys_here(u32 pkeys, u32 vma_pkeys)
{
	/* the image's keys, allocated or on a mapping, are all this CPU's */
	return !((pkeys | vma_pkeys) & ~1U) ||
	       (u32)arch_max_pkey() >= SSI_IMG_NR_PKEYS;
}

void ssi_pkeys_restore(struct mm_struct *mm, const struct ssi_img_mm *m)
{
	mmap_assert_write_locked(mm);
#ifdef CONFIG_X86_INTEL_MEMORY_PROTECTION_KEYS
	/* a home CPU without keys: this node's default stays */
	if (!m->pkeys || !arch_pkeys_enabled())
		return;
	mm->context.pkey_allocation_map = (u16)m->pkeys;
	mm->context.execute_only_pkey = m->pkey_exec_only ? (s16)m->pkey_exec_only : -1;
#endif
}

unsigned long ssi_pkey_vm_flags(u32 pkey)
{
	/* what mmap() and pkey_mprotect() put in vm_flags (0 without keys) */
	return arch_calc_vm_prot_bits(0, pkey);
}

int ssi_ldt_save(struct mm_struct *mm, void **entries, u32 *nr)
{
	int err = 0;

	*entries = NULL;
	*nr = 0;
#ifdef CONFIG_MODIFY_LDT_SYSCALL
	down_read(&mm->context.ldt_usr_sem);
	if (mm->context.ldt && mm->context.ldt->nr_entries) {
		u32 n = mm->context.ldt->nr_entries;

		*entries = kvmalloc_array(n, LDT_ENTRY_SIZE, GFP_KERNEL);
		if (*entries) {
			memcpy(*entries, mm->context.ldt->entries,
			       (size_t)n * LDT_ENTRY_SIZE);
			*nr = n;
		} else {
			err = -ENOMEM;
		}
	}
	up_read(&mm->context.ldt_usr_sem);
#endif
	return err;
}

bool ssi_ldt_matches(struct mm_struct *mm, const void *entries, u32 nr)
{
	bool same = !nr;

#ifdef CONFIG_MODIFY_LDT_SYSCALL
	down_read(&mm->context.ldt_usr_sem);
	if (mm->context.ldt)
		same = mm->context.ldt->nr_entries == nr &&
		       !memcmp(mm->context.ldt->entries, entries,
			       (size_t)nr * LDT_ENTRY_SIZE);
	up_read(&mm->context.ldt_usr_sem);
#endif
	return same;
}
