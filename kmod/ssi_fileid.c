// SPDX-License-Identifier: GPL-2.0
/*
 * ssi_fileid.c - content identity of mapped files and of the vDSO.
 *
 * Nodes have their own root file systems: the same libc.so has another
 * device and inode number on every node, so a file is identified by its
 * content: the ELF build-id when the file has one
 * (cheap: a few hundred bytes are read), else a SHA-256 of the whole file.
 * Size is compared too; mtime is only recorded.
 */
#include <linux/elf.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/stat.h>
#include <crypto/sha2.h>

#include "ssi_internal.h"

#define SSI_MAX_PHNUM		128
#ifndef NT_GNU_BUILD_ID
#define NT_GNU_BUILD_ID		3	/* include/linux/buildid.h is not in 6.1 */
#endif
#define SSI_MAX_NOTES		(16U << 10)
#define SSI_HASH_CHUNK		(64U << 10)
/* Beyond this a whole-file hash per migration is too slow to be useful. */
#define SSI_HASH_MAX		(1ULL << 30)

static int read_exact(struct file *file, void *buf, size_t len, loff_t pos)
{
	ssize_t n = kernel_read(file, buf, len, &pos);

	if (n < 0)
		return n;
	return n == len ? 0 : -ENODATA;
}

/* NT_GNU_BUILD_ID in the notes of one PT_NOTE segment (ssi_imgcheck.c). */
static int find_build_id(const u8 *notes, u64 size, u64 align,
			 struct ssi_img_file *id)
{
	u32 len = ssi_note_build_id(notes, size, align, id->digest);

	if (!len)
		return -ENOENT;
	id->digest_kind = SSI_DIGEST_BUILDID;
	id->digest_len = len;
	return 0;
}

/* Everything read from the file is bounded by its size: it is not trusted. */
static int file_build_id(struct file *file, u64 fsize, struct ssi_img_file *id)
{
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	u8 *notes = NULL;
	u64 phsize;
	int i, err;

	if (fsize < sizeof(eh))
		return -ENOENT;
	err = read_exact(file, &eh, sizeof(eh), 0);
	if (err)
		return err;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_phentsize != sizeof(*ph) || !eh.e_phnum ||
	    eh.e_phnum > SSI_MAX_PHNUM)
		return -ENOENT;
	phsize = (u64)eh.e_phnum * sizeof(*ph);
	if (eh.e_phoff > fsize || phsize > fsize - eh.e_phoff)
		return -ENOENT;

	ph = kmalloc(phsize, GFP_KERNEL);
	if (!ph)
		return -ENOMEM;
	err = read_exact(file, ph, phsize, eh.e_phoff);
	if (err)
		goto out;

	err = -ENOENT;
	for (i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_NOTE || ph[i].p_filesz < sizeof(Elf64_Nhdr) ||
		    ph[i].p_filesz > SSI_MAX_NOTES || ph[i].p_offset > fsize ||
		    ph[i].p_filesz > fsize - ph[i].p_offset)
			continue;
		kfree(notes);
		notes = kmalloc(ph[i].p_filesz, GFP_KERNEL);
		if (!notes) {
			err = -ENOMEM;
			break;
		}
		err = read_exact(file, notes, ph[i].p_filesz, ph[i].p_offset);
		if (err)
			break;
		/* Notes are 4-aligned, or 8-aligned in an 8-aligned segment. */
		err = find_build_id(notes, ph[i].p_filesz,
				    ph[i].p_align == 8 ? 8 : 4, id);
		if (!err)
			break;
	}
out:
	kfree(notes);
	kfree(ph);
	return err;
}

static int file_sha256(struct file *file, struct ssi_img_file *id, const bool *stop)
{
	struct sha256_state sha;
	loff_t pos = 0;
	u64 total = 0;
	ssize_t n;
	u8 *buf;
	int err = 0;

	buf = kvmalloc(SSI_HASH_CHUNK, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	sha256_init(&sha);
	for (;;) {
		n = kernel_read(file, buf, SSI_HASH_CHUNK, &pos);
		if (n <= 0) {
			err = n;
			break;
		}
		total += n;
		if (total > SSI_HASH_MAX) {
			err = -EFBIG;
			break;
		}
		sha256_update(&sha, buf, n);
		if (fatal_signal_pending(current) || (stop && READ_ONCE(*stop))) {
			err = -EINTR;
			break;
		}
		cond_resched();
	}
	if (!err) {
		sha256_final(&sha, id->digest);
		id->digest_kind = SSI_DIGEST_SHA256;
		id->digest_len = SHA256_DIGEST_SIZE;
	}
	kvfree(buf);
	return err;
}

/**
 * ssi_file_identity() - fill size, mtime, mode and digest of a file
 * @file:	open for reading.
 * @id:		out; path_len and rec_size are not touched.
 * @stop:	NULL, or once true (it is read while the file is hashed) the
 *		hash gives up as for a fatal signal.
 * Return: 0, or -EINVAL if @file is not a regular file, -EINTR, or an I/O
 * error.
 */
int ssi_file_identity(struct file *file, struct ssi_img_file *id, const bool *stop)
{
	struct kstat st;
	int err;

	err = vfs_getattr(&file->f_path, &st, STATX_BASIC_STATS,
			  AT_STATX_SYNC_AS_STAT);
	if (err)
		return err;
	if (!S_ISREG(st.mode) || !(file->f_mode & FMODE_READ))
		return -EINVAL;
	id->size = st.size;
	id->mtime_sec = st.mtime.tv_sec;
	id->mtime_nsec = st.mtime.tv_nsec;
	id->mode = st.mode;
	memset(id->digest, 0, sizeof(id->digest));

	err = file_build_id(file, st.size, id);
	if (err == -ENOENT || err == -ENODATA)
		err = file_sha256(file, id, stop);
	return err;
}

/**
 * ssi_vdso_ranges() - where current maps [vdso] and [vvar]
 * @r:		out: r[0], r[1] the vDSO's start and end, r[2], r[3] the vvar
 *		area's; zeros for what is not mapped.
 *
 * Returns 0, or -EINTR if a fatal signal interrupted the wait for the lock.
 */
int ssi_vdso_ranges(unsigned long r[4])
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	VMA_ITERATOR(vmi, mm, 0);

	memset(r, 0, 4 * sizeof(*r));
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	for_each_vma(vmi, vma) {
		const char *name;

		if (vma->vm_file || !vma->vm_ops || !vma->vm_ops->name)
			continue;
		name = vma->vm_ops->name(vma);
		if (name && !strcmp(name, "[vdso]")) {
			r[0] = vma->vm_start;
			r[1] = vma->vm_end;
		} else if (name && !strcmp(name, "[vvar]")) {
			r[2] = vma->vm_start;
			r[3] = vma->vm_end;
		}
	}
	mmap_read_unlock(mm);
	return 0;
}

/**
 * ssi_vdso_digest() - SHA-256 of the vDSO, and a syscall instruction in it
 * @mm:		the address space (the dump target's or current's).
 * @start:	first byte of [vdso].
 * @end:	end of [vdso].
 * @digest:	out.
 * @syscall_insn: out, may be NULL: address of a 0f 05 byte pair, or 0.
 *
 * The vDSO text is the same for every process on a node, so the digest
 * identifies the kernel build's vDSO.  The syscall instruction is where a
 * restored task executes rt_sigreturn (ssi_restore.c): any 0f 05 byte pair
 * in an executable page decodes as syscall when jumped to.
 */
int ssi_vdso_digest(struct mm_struct *mm, unsigned long start,
		    unsigned long end, u8 digest[SSI_IMG_DIGEST_LEN],
		    unsigned long *syscall_insn)
{
	struct sha256_state sha;
	unsigned long addr;
	u8 prev = 0;
	int err = 0;

	if (syscall_insn)
		*syscall_insn = 0;
	sha256_init(&sha);
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	for (addr = start; addr < end; addr += PAGE_SIZE) {
		struct page *page;
		const u8 *p;
		long got;
		int i;

		got = get_user_pages_remote(mm, addr, 1, FOLL_FORCE, &page,
					    NULL, NULL);
		if (got != 1) {
			err = got < 0 ? (int)got : -EFAULT;
			break;
		}
		p = kmap_local_page(page);
		sha256_update(&sha, p, PAGE_SIZE);
		for (i = 0; syscall_insn && !*syscall_insn && i < PAGE_SIZE; i++) {
			if (prev == 0x0f && p[i] == 0x05)
				*syscall_insn = addr + i - 1;
			prev = p[i];
		}
		kunmap_local(p);
		put_page(page);
	}
	mmap_read_unlock(mm);
	if (!err)
		sha256_final(&sha, digest);
	return err;
}

/**
 * ssi_file_fds_get() - the files a restorer supplies for an image's
 * mapped files (struct ssi_restore's @file_fds), taken in its context
 * @ufds:	user address of @n __s32: an fd, or -1 for "by its path".
 * @n:		at most SSI_IMG_MAX_FILES.
 *
 * Each file must be regular and open for reading, or a DSM segment's
 * channel; whether its content (or segment) is the image's is for the
 * restore to check.  Returns an array of @n
 * entries (NULL for -1) to be given back with ssi_file_fds_put(), NULL
 * for @n == 0, or an ERR_PTR: -EINVAL, -EBADF, -EFAULT, -ENOMEM.
 */
struct file **ssi_file_fds_get(u64 ufds, u32 n)
{
	struct file **files;
	u64 seg_id, seg_size;
	s32 *fds;
	u32 i;
	int err = 0;

	if (!n)
		return NULL;
	if (n > SSI_IMG_MAX_FILES || !ufds)
		return ERR_PTR(-EINVAL);
	fds = memdup_user(u64_to_user_ptr(ufds), array_size(n, sizeof(*fds)));
	if (IS_ERR(fds))
		return ERR_CAST(fds);
	files = kcalloc(n, sizeof(*files), GFP_KERNEL);
	for (i = 0; files && i < n && !err; i++) {
		if (fds[i] == -1)
			continue;
		files[i] = fds[i] >= 0 ? fget(fds[i]) : NULL;
		if (!files[i])
			err = fds[i] >= 0 ? -EBADF : -EINVAL;
		else if ((!S_ISREG(file_inode(files[i])->i_mode) &&
			  !ssi_dsm_file_segment(files[i], &seg_id, &seg_size)) ||
			 !(files[i]->f_mode & FMODE_READ))
			err = -EBADF;
	}
	kfree(fds);
	if (!files)
		return ERR_PTR(-ENOMEM);
	if (err) {
		ssi_file_fds_put(files, n);
		return ERR_PTR(err);
	}
	return files;
}

void ssi_file_fds_put(struct file **files, u32 n)
{
	u32 i;

	for (i = 0; files && i < n; i++)
		if (files[i])
			fput(files[i]);
	kfree(files);
}

/* SSI_IOC_FILE_ID: what a FILES entry would record of an open file. */
long ssi_file_id_ioctl(struct ssi_file_id __user *uarg)
{
	struct ssi_img_file id = {};
	struct ssi_file_id arg;
	struct file *f;
	int err;

	BUILD_BUG_ON(sizeof(arg) != 72);
	BUILD_BUG_ON(sizeof(arg.digest) != SSI_IMG_DIGEST_LEN);
	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.pad || memchr_inv(arg.reserved, 0, sizeof(arg.reserved)))
		return -EINVAL;
	f = fget(arg.fd);
	if (!f)
		return -EBADF;
	err = ssi_file_identity(f, &id, NULL);
	fput(f);
	if (err)
		return err;
	arg.digest_kind = id.digest_kind;
	arg.digest_len = id.digest_len;
	arg.size = id.size;
	memcpy(arg.digest, id.digest, sizeof(arg.digest));
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}
