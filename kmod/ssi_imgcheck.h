/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ssi_imgcheck.h - pure validation of image items (uapi/ssi_image.h).
 *
 * ssi_imgcheck.c is compiled twice: into ssi.ko, where it guards every
 * byte of an image before the kernel acts on it, and into user space
 * (ssi-img, unit tests), so that the tool and the tests apply exactly the
 * kernel's rules.  It therefore uses nothing but fixed-width integers,
 * memcmp/memchr_inv/snprintf and ssi_crc32c(), which each side provides.
 *
 * Every check returns 0 or -EINVAL and, on failure, fills an
 * struct ssi_img_err with an enum ssi_reason and a human-readable detail.
 * The caller (the stream reader) adds the section and the byte offset.
 */
#ifndef SSI_IMGCHECK_H
#define SSI_IMGCHECK_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/types.h>
/* The kernel's names, on the uapi types the image structs are made of. */
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;

static inline void *memchr_inv(const void *p, int c, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != (unsigned char)c)
			return (void *)(s + i);
	return NULL;
}
#endif

#include "uapi/ssi.h"
#include "uapi/ssi_image.h"

/**
 * ssi_crc32c() - CRC-32C as the image format defines it
 * @crc:	CRC of the preceding bytes (0 to start).
 * Return:	CRC of the preceding bytes followed by @p[0..@len).
 * Provided by ssi_image.c in the module and by tools/ssi_crc32c.c.
 */
u32 ssi_crc32c(u32 crc, const void *p, size_t len);

struct ssi_img_err {
	u32 reason;		/* enum ssi_reason */
	u32 section;		/* enum ssi_img_section_type, 0: header */
	u64 offset;		/* image offset of the item */
	char detail[SSI_DETAIL_LEN];
};

/*
 * What the reading node is like.  Zero/NULL members are not checked, so
 * that ssi-img can check an image away from any particular node.
 */
struct ssi_img_env {
	u64 task_size;		/* user addresses must be below this */
	u32 page_size;
	u32 xstate_user_size;	/* this node's UABI XSAVE size */
	u64 user_xfeatures;	/* XSAVE features this node's tasks may use */
	u32 mxcsr_mask;		/* valid MXCSR bits */
	u32 auxv_words;		/* room in mm->saved_auxv */
	u64 user_cs, user_ss;	/* __USER_CS, __USER_DS */
	const char *release;	/* utsname release */
	const u8 *vdso_digest;	/* SHA-256 of this node's vDSO */
	const __u64 *cpus;	/* SSI_IMG_CPU_WORDS: the CPUs this node gives
				 * a bound thread; NULL: not checked */
	const __u64 *mems;	/* SSI_IMG_NODE_WORDS: the NUMA nodes a policy
				 * may name here; NULL: not checked */
};

/*
 * What every x86-64 node has in common: an image checked away from a node
 * (ssi-img) is held to these.  TASK_SIZE_MAX with 5-level paging is the
 * largest user address space; segment selectors and page size are ABI.
 */
#define SSI_X86_64_TASK_SIZE_MAX	((1ULL << 56) - 4096)
#define SSI_X86_64_USER_CS		0x33ULL
#define SSI_X86_64_USER_SS		0x2bULL
#define SSI_X86_64_MXCSR_MASK		0xffffU	/* bits 16..31 are reserved */
#define SSI_X86_64_PAGE_SIZE		4096U

/* The two fields of ssi_img_file that are found by record offset. */
static inline const char *ssi_img_file_path(const struct ssi_img_file *f)
{
	return (const char *)(f + 1);
}

int ssi_img_check_header(const struct ssi_img_header *h,
			 const struct ssi_img_env *env, struct ssi_img_err *e);
int ssi_img_check_section(const struct ssi_img_section *s, u32 want,
			  const struct ssi_img_header *h,
			  struct ssi_img_err *e);
int ssi_img_check_thread(const struct ssi_img_thread *t,
			 const struct ssi_img_env *env, struct ssi_img_err *e);
/*
 * ssi_img_check_sigqueue - the @n records of SSI_SEC_SIGQUEUE: signals the
 * kernel can queue, each on the process or on one of the image's threads
 * (@tids: their home tids, @nr_tids of them).
 */
int ssi_img_check_sigqueue(const struct ssi_img_siginfo *q, u32 n,
			   const __s32 *tids, u32 nr_tids, struct ssi_img_err *e);
/*
 * ssi_img_check_timers - the @n records of SSI_SEC_TIMERS: timers
 * timer_create(2) and timer_settime(2) can make, with distinct ids, each
 * SIGEV_THREAD_ID one aimed at one of the image's threads (@tids).
 */
int ssi_img_check_timers(const struct ssi_img_posix_timer *p, u32 n,
			 const __s32 *tids, u32 nr_tids, struct ssi_img_err *e);
int ssi_img_check_task(const struct ssi_img_task *t,
		       const struct ssi_img_env *env, struct ssi_img_err *e);
int ssi_img_check_xstate(const void *xs, u32 size,
			 const struct ssi_img_header *h,
			 const struct ssi_img_env *env, struct ssi_img_err *e);
int ssi_img_check_mm(const struct ssi_img_mm *m,
		     const struct ssi_img_env *env, struct ssi_img_err *e);
/*
 * @offs receives the byte offset of each of the @count records (the
 * caller sizes it from the section's count, bounded by SSI_IMG_MAX_FILES).
 */
int ssi_img_check_files(const void *buf, u64 size, u32 count, u32 *offs,
			struct ssi_img_err *e);
int ssi_img_check_vmas(const struct ssi_img_vma *v, u32 n, u32 nfiles,
		       const struct ssi_img_header *h,
		       const struct ssi_img_env *env, struct ssi_img_err *e);
/*
 * ssi_img_check_vma_files - after both checks above: each file mapping
 * refers to a file record, each segment mapping to a segment record
 * (SSI_DIGEST_DSM) and lies within the segment.
 */
int ssi_img_check_vma_files(const struct ssi_img_vma *v, u32 n, const void *files,
			    const u32 *offs, struct ssi_img_err *e);

/* Walks the PAGES section; one per reader. */
struct ssi_img_runs {
	const struct ssi_img_vma *vmas;
	u32 nr_vmas;
	u32 cur;		/* VMA index the last run was in */
	u64 next;		/* lowest address the next run may start at */
	u64 nr_pages;
	u64 nr_runs;
	u32 page_size;
};

/*
 * ssi_img_check_run() - validate one run header (not its data)
 * Return: 1 if it is the terminating run, 0 if valid (*@vma is the VMA it
 * lies in), -EINVAL otherwise.
 */
int ssi_img_check_run(struct ssi_img_runs *rs, const struct ssi_img_pages *p,
		      const struct ssi_img_vma **vma, struct ssi_img_err *e);
int ssi_img_check_end(const struct ssi_img_end *end,
		      const struct ssi_img_runs *rs, u64 image_bytes,
		      struct ssi_img_err *e);

/*
 * ssi_img_seal() - store into the u32 at @crc_off the CRC of the @size
 * bytes at @p (that u32 taken as zero): header, section header, run.
 */
void ssi_img_seal(void *p, size_t size, size_t crc_off);

const char *ssi_reason_name(u32 reason);

/*
 * ssi_vmaf_name() - the name of one SSI_VMAF_* bit (@flag) without the
 * prefix ("LOCKED"), or NULL for a bit the format does not define.
 */
const char *ssi_vmaf_name(u32 flag);

/*
 * ssi_note_build_id() - the NT_GNU_BUILD_ID in the @size bytes of ELF
 * notes at @notes (one PT_NOTE segment of a mapped file, read from the
 * file: untrusted), each note padded to @align (4 or 8).  Nothing is read
 * outside @notes, whatever the sizes the notes claim.
 * Return: the id's length (1..SSI_IMG_DIGEST_LEN, copied to @digest), or
 * 0 if there is none.
 */
u32 ssi_note_build_id(const u8 *notes, u64 size, u64 align, u8 *digest);

#endif /* SSI_IMGCHECK_H */
