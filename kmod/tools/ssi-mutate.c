// SPDX-License-Identifier: GPL-2.0
/*
 * ssi-mutate - derive broken images from a good one (tests of the
 * restorer's validation).
 *
 *   ssi-mutate -l IMAGE           list the mutations this image allows
 *   ssi-mutate IMAGE N OUT        write mutation N of IMAGE to OUT
 *
 * Each mutation prints one line: "N<TAB>ERRNO<TAB>REASON<TAB>SCOPE<TAB>what".
 * ERRNO is the error the restore ioctl must fail with, REASON the ssi_reason
 * name it must report ("*" when any refusal is right, e.g. a flipped byte
 * may break a checksum or a check before it).  SCOPE is "format" when
 * ssi-img must refuse the image too, "node" when only a node can tell
 * (kernel release, vDSO, files, address limits) and "pages" when the
 * damage lies in a page run: refused before any change when the image is
 * read from a file, fatal for the helper when streamed (SIGKILL).
 * Three kinds: truncations, flipped bytes (caught by the CRCs), and field
 * changes with every CRC recomputed (caught by the checks themselves).
 * Exit status: 0, 3 if N is past the last mutation, 2 on errors.
 */
#include <sys/stat.h>

#include "ssi_tool.h"
#include "ssi_imgparse.h"

#define KERNEL_ADDR	0xffff800000000000ULL	/* >= TASK_SIZE everywhere */

static u8 *img, *buf;
static size_t len, outlen;
static struct ssi_ip ip;

static struct ssi_ip_sec *sec(u32 type)
{
	struct ssi_ip_sec *e = ssi_ip_find(&ip, type);

	if (!e)
		die("image has no section %u", type);
	return e;
}

static void parse(void)
{
	if (ssi_ip_parse(&ip, img, len))
		die("not a complete image");
	if (ip.nr_secs != 9 + (int)ip.nr_threads || ip.nr_runs < 3)
		die("need a complete image with at least 3 page runs");
}

/* Recompute the CRCs that cover a changed field. */
static void reseal_header(void)
{
	ssi_ip_seal_header(buf);
}

static void reseal_sec(struct ssi_ip_sec *e)
{
	ssi_ip_seal_sec(buf, e);
}

static void reseal_run(const struct ssi_ip_run *r)
{
	ssi_ip_seal_run(buf, r, false, ip.page_size);
}

#define HDR		((struct ssi_img_header *)buf)
#define SEC(t)		((struct ssi_img_section *)(buf + sec(t)->hoff))
#define TASK		((struct ssi_img_task *)(buf + sec(SSI_SEC_TASK)->poff))
#define LEAD		(&TASK->leader)
#define THREAD1		((struct ssi_img_thread *)(buf + sec(SSI_SEC_THREAD)->poff))
#define MM		((struct ssi_img_mm *)(buf + sec(SSI_SEC_MM)->poff))
#define VMA(i)		((struct ssi_img_vma *)(buf + sec(SSI_SEC_VMAS)->poff) + (i))
#define FILE0		((struct ssi_img_file *)(buf + sec(SSI_SEC_FILES)->poff))
/* A FIFO mutate-run.sh makes on the node: opening it must not block. */
#define MUTATE_FIFO	"/tmp/ssi-mutate.fifo"

/* @f's path made @path (no longer than it was: the record keeps its size). */
static void set_path(struct ssi_img_file *f, const char *path)
{
	char *p = (char *)(f + 1);
	size_t n = strlen(path);

	if (n > f->path_len)
		die("a path of %zu bytes to replace by %zu", (size_t)f->path_len, n);
	memset(p, 0, f->path_len);
	memcpy(p, path, n);
	f->path_len = (__u32)n;
}
#define XS		(buf + sec(SSI_SEC_XSTATE)->poff)
#define RUN(i)		((struct ssi_img_pages *)(buf + ip.runs[i].hoff))
#define END		((struct ssi_img_end *)(buf + sec(SSI_SEC_END)->poff))
#define NVMAS		(SEC(SSI_SEC_VMAS)->count)
/* From the pristine image: mutations must not depend on earlier ones. */
#define HDR_THREADS	(((struct ssi_img_header *)img)->nr_threads)

/* The index of the first VMA of a kind. */
/* @f made a record of a shared memory segment of @size bytes, id 0x5e6 */
static void make_segment(struct ssi_img_file *f, u64 size)
{
	f->digest_kind = SSI_DIGEST_DSM;
	f->digest_len = 8;
	memset(f->digest, 0, sizeof(f->digest));
	f->digest[0] = 0xe6;
	f->digest[1] = 0x05;
	f->size = size;
}

static u32 vma_of(u32 kind)
{
	u32 i;

	for (i = 0; i < NVMAS; i++)
		if (VMA(i)->kind == kind)
			return i;
	die("no vma of kind %u", kind);
}

struct mut {
	const char *errno_name, *reason, *scope;
	char what[96];
};

/* Damage in PAGES or END is found only after the point of no return when streamed. */
#define SCOPE(t) (ip.secs[t].type == SSI_SEC_PAGES || ip.secs[t].type == SSI_SEC_END ? \
		  "pages" : "format")

#define M(e, r, s, ...) do {						\
	if (k++ == n) {							\
		m->errno_name = e; m->reason = r; m->scope = s;		\
		snprintf(m->what, sizeof(m->what), __VA_ARGS__);	\
		goto apply;						\
	}								\
} while (0)

/*
 * Mutation @n: fills @m and applies it to buf/outlen, or returns -1.
 * The M() lines are the catalogue; after "apply:" the same order is
 * replayed by the switch on @n's kind.
 */
static int mutate(int n, struct mut *m)
{
	static const size_t tr_hdr[] = { 0, 1, 100, 255 };
	int k = 0, i, t;

	memcpy(buf, img, len);
	outlen = len;

	/* 1. Truncations. */
	for (i = 0; i < 4; i++)
		M("EINVAL", "truncated", "format", "truncated at %zu (header)", tr_hdr[i]);
	for (t = 0; t < ip.nr_secs; t++) {
		M("EINVAL", "truncated", SCOPE(t),
		  "truncated inside the %s section header", ssi_section_name(ip.secs[t].type));
		M("EINVAL", "truncated", SCOPE(t),
		  "truncated inside the %s payload", ssi_section_name(ip.secs[t].type));
	}
	M("EINVAL", "truncated", "pages", "truncated inside a run header");
	M("EINVAL", "truncated", "pages", "truncated inside run data");

	/* 2. Flipped bytes: every CRC-covered area. */
	M("EINVAL", "*", "format", "flipped header magic");
	M("EINVAL", "*", "format", "flipped header release");
	M("EINVAL", "*", "format", "flipped header crc");
	for (t = 0; t < ip.nr_secs; t++) {
		M("EINVAL", "*", SCOPE(t), "flipped %s section header",
		  ssi_section_name(ip.secs[t].type));
		if (ip.secs[t].size) {
			M("EINVAL", "*", SCOPE(t), "flipped first %s payload byte",
			  ssi_section_name(ip.secs[t].type));
			M("EINVAL", "*", SCOPE(t), "flipped last %s payload byte",
			  ssi_section_name(ip.secs[t].type));
		}
	}
	M("EINVAL", "*", "pages", "flipped first run header");
	M("EINVAL", "*", "pages", "flipped first byte of the first run's data");
	M("EINVAL", "*", "pages", "flipped last byte of the last run's data");
	M("EINVAL", "*", "pages", "flipped terminating run");

	/* 3. Field changes, every CRC recomputed. */
	M("EINVAL", "magic", "format", "header version %d", SSI_IMG_VERSION + 1);
	M("EINVAL", "magic", "format", "header size 512");
	M("EINVAL", "arch", "format", "architecture 3");
	M("EINVAL", "arch", "format", "page size 8192");
	M("EINVAL", "reserved", "format", "header flags 1");
	M("EINVAL", "reserved", "format", "header reserved word");
	M("EINVAL", "release", "node", "kernel release 6.1.0-99-amd64");
	M("EINVAL", "vdso", "node", "vDSO digest changed");
	M("EINVAL", "vdso", "format", "vdso at a kernel address");
	M("EINVAL", "vdso", "format", "vdso end before start");
	M("EINVAL", "xstate", "format", "xstate size 4 GiB - 8");
	M("EINVAL", "xstate", "format", "xstate size 0");
	M("EINVAL", "xstate", "format", "xfeatures without x87/SSE");
	M("EINVAL", "magic", "format", "header nr_threads 0");
	M("EINVAL", "magic", "format", "header nr_threads 2000");
	M("EINVAL", "section", "format", "header nr_threads one more than sections");
	if (HDR_THREADS > 1) {
		M("EINVAL", "section", "format", "header nr_threads one less than sections");
		M("EINVAL", "task", "format", "thread cs = kernel code segment");
		M("EINVAL", "task", "format", "thread ip at a kernel address");
		M("EINVAL", "xstate", "format", "thread XSAVE header: compacted format");
		M("EINVAL", "section", "format", "thread section size - 8");
	}

	M("EINVAL", "section", "format", "task section size + 8");
	M("EINVAL", "section", "format", "task and xstate sections swapped types");
	M("EINVAL", "reserved", "format", "unknown section flag");
	M("EINVAL", "section", "format", "vma count 0");
	M("EINVAL", "section", "format", "vma count 2^32-1");
	M("EINVAL", "section", "format", "vma section size 2^60");
	M("EINVAL", "section", "format", "files section size 2^40");
	M("EINVAL", "section", "pages", "pages section size 4096");
	M("EINVAL", "section", "format", "sigqueue section count one more than its records");
	M("EINVAL", "section", "format", "timers section count one more than its records");
	M("EINVAL", "section", "format", "LDT section count one more than its descriptors");
	M("EINVAL", "section", "pages", "END section type 99");

	M("EINVAL", "task", "format", "cs = kernel code segment");
	M("EINVAL", "task", "format", "ss = 0");
	M("EINVAL", "task", "format", "ds = 0x2b");
	M("EINVAL", "task", "format", "ip at a kernel address");
	M("EINVAL", "task", "format", "fs_base at a kernel address");
	M("EINVAL", "task", "format", "orig_ax not normalised");
	M("EINVAL", "task", "format", "SIGKILL blocked");
	M("EINVAL", "task", "format", "SIGKILL has a handler");
	M("EINVAL", "task", "format", "handler at a kernel address");
	M("EINVAL", "task", "format", "unknown sigaction flag");
	M("EINVAL", "task", "format", "altstack wraps the address space");
	M("EINVAL", "task", "format", "altstack flags 0x10");
	M("EINVAL", "task", "format", "rseq misaligned");
	M("EINVAL", "task", "format", "robust list length 7");
	M("EINVAL", "task", "format", "restart kind 9");
	M("EINVAL", "task", "format", "comm without NUL");
	M("EINVAL", "task", "format", "17 rlimits");
	M("EINVAL", "task", "format", "rlimit cur > max");
	M("EINVAL", "task", "format", "personality PER_SVR4");
	M("EINVAL", "task", "format", "ITIMER_PROF interval beyond 2^62 ns");
	M("EINVAL", "task", "format", "process system CPU time beyond 2^62 ns");
	M("EINVAL", "task", "format", "thread user CPU time beyond 2^62 ns");
	M("EINVAL", "task", "format", "children's user CPU time beyond 2^62 ns");
	M("EINVAL", "task", "format", "SCHED_DEADLINE");
	M("EINVAL", "task", "format", "SCHED_FIFO priority 100");
	M("EINVAL", "task", "format", "nice 20");
	M("EINVAL", "task", "format", "io priority class 4");
	M("EINVAL", "task", "format", "oom_score_adj 1001");
	M("EINVAL", "task", "format", "empty CPU affinity mask");
	M("EINVAL", "affinity", "node", "bound to CPU 1023");
	M("EINVAL", "task", "format", "NUMA policy mode 6");
	M("EINVAL", "reserved", "format", "NUMA policy reserved word");
	M("EINVAL", "numa", "node", "NUMA policy binding node 1023");

	M("EINVAL", "xstate", "format", "XSAVE header: feature beyond the header's");
	M("EINVAL", "xstate", "format", "XSAVE header: compacted format");
	M("EINVAL", "xstate", "format", "XSAVE header: reserved bytes");
	M("EINVAL", "xstate", "format", "MXCSR reserved bits");

	M("EINVAL", "mm", "format", "start_code at a kernel address");
	M("EINVAL", "mm", "format", "start_code > end_code");
	M("EINVAL", "mm", "format", "brk < start_brk");
	M("EINVAL", "mm", "format", "1000 auxv words");
	M("EINVAL", "mm", "format", "odd number of auxv words");
	M("EINVAL", "mm", "format", "auxv not terminated");
	M("EINVAL", "reserved", "format", "mm reserved word");
	M("EINVAL", "mm", "format", "protection keys without the default key");

	M("EINVAL", "files", "format", "file path length 2^31");
	M("EINVAL", "files", "format", "file record size not aligned");
	M("EINVAL", "files", "format", "relative file path");
	M("EINVAL", "files", "format", "digest kind 9");
	M("EINVAL", "files", "format", "digest length 0");
	M("ENOENT", "file-open", "node", "file path that does not exist");
	M("EINVAL", "file-open", "node", "file path that is a device");
	M("EINVAL", "file-open", "node", "file path that is a FIFO (" MUTATE_FIFO ")");
	M("ESTALE", "file-changed", "node", "file digest changed");
	M("ESTALE", "file-changed", "node", "file size changed");
	M("EINVAL", "files", "format", "shared memory segment of 100 bytes");
	M("EINVAL", "vmas", "format", "file mapping of a shared memory segment");
	M("ENOENT", "file-open", "node", "shared memory segment with no copy supplied");

	M("EINVAL", "vmas", "format", "vma end at a kernel address");
	M("EINVAL", "vmas", "format", "vma start > end");
	M("EINVAL", "vmas", "format", "vmas overlap");
	M("EINVAL", "vmas", "format", "vma not page aligned");
	M("EINVAL", "vmas", "format", "vma prot 8");
	M("EINVAL", "vmas", "format", "vma kind 9");
	M("EINVAL", "vmas", "format", "segment mapping of a file");
	M("EINVAL", "vmas", "format", "file index past the table");
	M("EINVAL", "vmas", "format", "pgoff 2^50");
	M("EINVAL", "vmas", "format", "second vdso");
	M("EINVAL", "vmas", "format", "vdso vma not at the header's vdso");
	M("EPERM", "vmas", "node", "vma at address 0 (mmap_min_addr)");
	M("EINVAL", "vmas", "format", "vma NUMA policy mode 6");
	M("EINVAL", "numa", "node", "vma NUMA policy binding node 63");
	M("EINVAL", "numa", "node", "vma NUMA policy without its carrier");
	M("EINVAL", "vmas", "format", "vma protection key 16");

	M("EINVAL", "pages", "pages", "run outside every vma");
	M("EINVAL", "pages", "pages", "run inside the vdso");
	M("EINVAL", "pages", "pages", "runs overlap");
	M("EINVAL", "pages", "pages", "run address not page aligned");
	M("EINVAL", "pages", "pages", "run of 513 pages");
	M("EINVAL", "pages", "pages", "terminating run with an address");
	M("EINVAL", "reserved", "pages", "run reserved word");
	M("EINVAL", "end", "pages", "END page count off by one");
	M("EINVAL", "end", "pages", "END image size off by one");
	M("EINVAL", "reserved", "pages", "END reserved word");
	return -1;

apply:
	k = 0;
	/* Replay the catalogue's order to find what mutation n does. */
#define IS() (k++ == n)
	for (i = 0; i < 4; i++)
		if (IS()) { outlen = tr_hdr[i]; return 0; }
	for (t = 0; t < ip.nr_secs; t++) {
		if (IS()) { outlen = ip.secs[t].hoff + 7; return 0; }
		if (IS()) {
			outlen = ip.secs[t].poff + (ip.secs[t].size ? ip.secs[t].size / 2 : 3);
			return 0;
		}
	}
	if (IS()) { outlen = ip.runs[1].hoff + 5; return 0; }
	if (IS()) { outlen = ip.runs[1].doff + 100; return 0; }

	if (IS()) { buf[0] ^= 0x40; return 0; }
	if (IS()) { buf[offsetof(struct ssi_img_header, release)] ^= 0x01; return 0; }
	if (IS()) { buf[offsetof(struct ssi_img_header, crc)] ^= 0x40; return 0; }
	for (t = 0; t < ip.nr_secs; t++) {
		if (IS()) { buf[ip.secs[t].hoff + 9] ^= 0x40; return 0; }
		if (ip.secs[t].size) {
			if (IS()) { buf[ip.secs[t].poff] ^= 0x40; return 0; }
			if (IS()) { buf[ip.secs[t].poff + ip.secs[t].size - 1] ^= 0x40; return 0; }
		}
	}
	if (IS()) { buf[ip.runs[0].hoff] ^= 0x40; return 0; }
	if (IS()) { buf[ip.runs[0].doff] ^= 0x40; return 0; }
	if (IS()) {
		buf[ip.runs[ip.nr_runs - 1].doff + (size_t)ip.runs[ip.nr_runs - 1].nr * ip.page_size - 1] ^= 0x40;
		return 0;
	}
	if (IS()) { buf[ip.runs[ip.nr_runs].hoff + 2] ^= 0x40; return 0; }

	if (IS()) { HDR->version = SSI_IMG_VERSION + 1; goto hdr; }
	if (IS()) { HDR->header_size = 512; goto hdr; }
	if (IS()) { HDR->arch = 3; goto hdr; }
	if (IS()) { HDR->page_size = 8192; goto hdr; }
	if (IS()) { HDR->flags = 1; goto hdr; }
	if (IS()) { HDR->reserved[3] = 1; goto hdr; }
	if (IS()) {
		memset(HDR->release, 0, sizeof(HDR->release));
		strcpy(HDR->release, "6.1.0-99-amd64");
		goto hdr;
	}
	if (IS()) { HDR->vdso_digest[5] ^= 1; goto hdr; }
	if (IS()) {
		u64 vl = HDR->vvar_end - HDR->vvar_start, dl = HDR->vdso_end - HDR->vdso_start;

		HDR->vvar_start = KERNEL_ADDR;
		HDR->vvar_end = HDR->vdso_start = KERNEL_ADDR + vl;
		HDR->vdso_end = KERNEL_ADDR + vl + dl;
		goto hdr;
	}
	if (IS()) { HDR->vdso_end = HDR->vdso_start - 4096; goto hdr; }
	if (IS()) { HDR->xstate_size = 0xfffffff8U; goto hdr; }
	if (IS()) { HDR->xstate_size = 0; goto hdr; }
	if (IS()) { HDR->xfeatures &= ~3ULL; goto hdr; }
	if (IS()) { HDR->nr_threads = 0; goto hdr; }
	if (IS()) { HDR->nr_threads = 2000; goto hdr; }
	if (IS()) { HDR->nr_threads += 1; goto hdr; }
	if (HDR_THREADS > 1) {
		if (IS()) { HDR->nr_threads -= 1; goto hdr; }
		if (IS()) { THREAD1->regs.cs = 0x10; goto thread; }
		if (IS()) { THREAD1->regs.ip = KERNEL_ADDR; goto thread; }
		if (IS()) {
			*(u64 *)((u8 *)THREAD1 + sizeof(struct ssi_img_thread) + 520) = 1ULL << 63;
			goto thread;
		}
		if (IS()) { SEC(SSI_SEC_THREAD)->size -= 8; reseal_sec(sec(SSI_SEC_THREAD)); return 0; }
	}

	if (IS()) { SEC(SSI_SEC_TASK)->size += 8; reseal_sec(sec(SSI_SEC_TASK)); return 0; }
	if (IS()) {
		SEC(SSI_SEC_TASK)->type = SSI_SEC_XSTATE;
		SEC(SSI_SEC_XSTATE)->type = SSI_SEC_TASK;
		reseal_sec(sec(SSI_SEC_TASK));
		reseal_sec(sec(SSI_SEC_XSTATE));
		return 0;
	}
	if (IS()) { SEC(SSI_SEC_MM)->flags = 0x80; reseal_sec(sec(SSI_SEC_MM)); return 0; }
	if (IS()) { SEC(SSI_SEC_VMAS)->count = 0; reseal_sec(sec(SSI_SEC_VMAS)); return 0; }
	if (IS()) { SEC(SSI_SEC_VMAS)->count = ~0U; reseal_sec(sec(SSI_SEC_VMAS)); return 0; }
	if (IS()) { SEC(SSI_SEC_VMAS)->size = 1ULL << 60; reseal_sec(sec(SSI_SEC_VMAS)); return 0; }
	if (IS()) { SEC(SSI_SEC_FILES)->size = 1ULL << 40; reseal_sec(sec(SSI_SEC_FILES)); return 0; }
	if (IS()) { SEC(SSI_SEC_PAGES)->size = 4096; reseal_sec(sec(SSI_SEC_PAGES)); return 0; }
	if (IS()) { SEC(SSI_SEC_SIGQUEUE)->count += 1; reseal_sec(sec(SSI_SEC_SIGQUEUE)); return 0; }
	if (IS()) { SEC(SSI_SEC_TIMERS)->count += 1; reseal_sec(sec(SSI_SEC_TIMERS)); return 0; }
	if (IS()) { SEC(SSI_SEC_LDT)->count += 1; reseal_sec(sec(SSI_SEC_LDT)); return 0; }
	if (IS()) { SEC(SSI_SEC_END)->type = 99; reseal_sec(sec(SSI_SEC_END)); return 0; }

	if (IS()) { LEAD->regs.cs = 0x10; goto task; }
	if (IS()) { LEAD->regs.ss = 0; goto task; }
	if (IS()) { LEAD->regs.ds = 0x2b; goto task; }
	if (IS()) { LEAD->regs.ip = KERNEL_ADDR; goto task; }
	if (IS()) { LEAD->regs.fs_base = KERNEL_ADDR; goto task; }
	if (IS()) { LEAD->regs.orig_ax = 0; goto task; }
	if (IS()) { LEAD->sigmask |= 1ULL << 8; goto task; }
	if (IS()) { TASK->sigactions[8].handler = 0x1000; goto task; }
	if (IS()) { TASK->sigactions[9].handler = KERNEL_ADDR; goto task; }
	if (IS()) { TASK->sigactions[9].flags |= 0x100; goto task; }
	if (IS()) {
		LEAD->altstack_flags = 0;
		LEAD->altstack_sp = 0x7fff00000000ULL;
		LEAD->altstack_size = ~0ULL - 0x1000;
		goto task;
	}
	if (IS()) { LEAD->altstack_flags = 0x10; goto task; }
	if (IS()) {
		if (!LEAD->rseq) {
			LEAD->rseq = 0x10000;
			LEAD->rseq_len = 32;
		}
		LEAD->rseq += 4;
		goto task;
	}
	if (IS()) { LEAD->robust_list = 0x10000; LEAD->robust_list_len = 7; goto task; }
	if (IS()) { LEAD->restart = 9; goto task; }
	if (IS()) { memset(LEAD->comm, 'x', sizeof(LEAD->comm)); goto task; }
	if (IS()) { TASK->nr_rlimits = 17; goto task; }
	if (IS()) { TASK->rlim[3].cur = 10; TASK->rlim[3].max = 5; goto task; }
	if (IS()) { TASK->personality = 0x0004; goto task; }
	if (IS()) { TASK->itimer_prof.interval = SSI_IMG_ITIMER_MAX + 1; goto task; }
	if (IS()) { TASK->ru_self.stime_ns = ~0ULL - 5; goto task; }
	if (IS()) { LEAD->ru.utime_ns = SSI_IMG_CPUTIME_MAX + 1; goto task; }
	if (IS()) { TASK->ru_children.utime_ns = ~0ULL; goto task; }
	if (IS()) { TASK->leader.sched_policy = 6; goto task; }
	if (IS()) {
		TASK->leader.sched_policy = SSI_SCHED_FIFO;
		TASK->leader.sched_priority = 100;
		goto task;
	}
	if (IS()) { TASK->leader.sched_nice = 20; goto task; }
	if (IS()) { TASK->leader.ioprio = 4 << SSI_IOPRIO_CLASS_SHIFT; goto task; }
	if (IS()) { TASK->oom_score_adj = 1001; goto task; }
	if (IS()) { memset(LEAD->cpus, 0, sizeof(LEAD->cpus)); goto task; }
	if (IS()) {
		memset(LEAD->cpus, 0, sizeof(LEAD->cpus));
		LEAD->cpus[SSI_IMG_CPU_WORDS - 1] = 1ULL << 63;
		LEAD->flags &= ~SSI_THRF_CPUS_ANY;
		goto task;
	}
	if (IS()) { LEAD->mempolicy.mode = SSI_MPOL_MAX + 1; goto task; }
	if (IS()) { LEAD->mempolicy.reserved = 1; goto task; }
	if (IS()) {
		memset(&LEAD->mempolicy, 0, sizeof(LEAD->mempolicy));
		LEAD->mempolicy.mode = SSI_MPOL_BIND;
		LEAD->mempolicy.nodes[SSI_IMG_NODE_WORDS - 1] = 1ULL << 63;
		goto task;
	}

	if (IS()) { *(u64 *)(XS + 512) |= 1ULL << 62; goto xs; }
	if (IS()) { *(u64 *)(XS + 520) = 1ULL << 63 | 3; goto xs; }
	if (IS()) { *(u64 *)(XS + 560) = 1; goto xs; }
	if (IS()) { *(u32 *)(XS + 24) = 0xffffffffU; goto xs; }

	if (IS()) { MM->start_code = KERNEL_ADDR; goto mm; }
	if (IS()) { MM->start_code = MM->end_code + 4096; goto mm; }
	if (IS()) { MM->brk = MM->start_brk - 1; goto mm; }
	if (IS()) { MM->nr_auxv = 1000; goto mm; }
	if (IS()) { MM->nr_auxv -= 1; goto mm; }
	if (IS()) { MM->auxv[MM->nr_auxv - 2] = 6; goto mm; }
	if (IS()) { MM->reserved[0] = 1; goto mm; }
	if (IS()) { MM->pkeys = 0x2; goto mm; }

	if (IS()) { FILE0->path_len = 1U << 31; goto files; }
	if (IS()) { FILE0->rec_size += 4; goto files; }
	if (IS()) { ((char *)(FILE0 + 1))[0] = 'x'; goto files; }
	if (IS()) { FILE0->digest_kind = 9; goto files; }
	if (IS()) { FILE0->digest_len = 0; goto files; }
	if (IS()) { ((char *)(FILE0 + 1))[1] = 'Q'; goto files; }
	if (IS()) { set_path(FILE0, "/dev/null"); goto files; }
	if (IS()) { set_path(FILE0, MUTATE_FIFO); goto files; }
	if (IS()) { FILE0->digest[0] ^= 1; goto files; }
	if (IS()) { FILE0->size += 1; goto files; }
	if (IS()) { make_segment(FILE0, 100); goto files; }
	if (IS()) { make_segment(FILE0, 1ULL << 34); goto files; }
	if (IS()) {
		u32 i;

		make_segment(FILE0, 1ULL << 34);
		for (i = 0; i < NVMAS; i++)
			if (VMA(i)->kind == SSI_VMA_FILE && VMA(i)->file == 0)
				VMA(i)->kind = SSI_VMA_DSM;
		reseal_sec(sec(SSI_SEC_VMAS));
		goto files;
	}

	if (IS()) { VMA(0)->end = KERNEL_ADDR; goto vmas; }
	if (IS()) { VMA(0)->start = VMA(0)->end + 4096; goto vmas; }
	if (IS()) { VMA(1)->start = VMA(0)->start; goto vmas; }
	if (IS()) { VMA(0)->start += 12; goto vmas; }
	if (IS()) { VMA(0)->prot = 8; goto vmas; }
	if (IS()) { VMA(0)->kind = 9; goto vmas; }
	if (IS()) { VMA(vma_of(SSI_VMA_FILE))->kind = SSI_VMA_DSM; goto vmas; }
	if (IS()) { VMA(vma_of(SSI_VMA_FILE))->file = 1000; goto vmas; }
	if (IS()) { VMA(vma_of(SSI_VMA_FILE))->pgoff = 1ULL << 50; goto vmas; }
	if (IS()) { VMA(vma_of(SSI_VMA_VVAR))->kind = SSI_VMA_VDSO; goto vmas; }
	if (IS()) {
		u32 v = vma_of(SSI_VMA_VDSO);

		VMA(v)->end += 4096;
		goto vmas;
	}
	if (IS()) {
		/* A first VMA at 0: valid format, below mmap_min_addr. */
		VMA(0)->start = 0;
		goto vmas;
	}
	if (IS()) { VMA(0)->mpol_mode = SSI_MPOL_MAX + 1; goto vmas; }
	if (IS()) {
		VMA(0)->mpol_mode = SSI_MPOL_BIND;
		VMA(0)->mpol_nodes = 1ULL << 63;
		goto vmas;
	}
	if (IS()) {
		VMA(0)->mpol_mode = SSI_MPOL_BIND;
		VMA(0)->mpol_nodes = 1;
		goto vmas;
	}
	if (IS()) { VMA(0)->pkey = 16; goto vmas; }

	if (IS()) { RUN(0)->addr = 0x1000; goto run0; }
	if (IS()) { RUN(0)->addr = HDR->vdso_start; goto run0; }
	if (IS()) { RUN(1)->addr = RUN(0)->addr; reseal_run(&ip.runs[1]); return 0; }
	if (IS()) { RUN(0)->addr += 8; goto run0; }
	if (IS()) { RUN(0)->nr_pages = 513; goto run0; }
	if (IS()) { RUN(ip.nr_runs)->addr = 0x1000; reseal_run(&ip.runs[ip.nr_runs]); return 0; }
	if (IS()) { RUN(0)->reserved = 1; goto run0; }
	if (IS()) { END->nr_pages += 1; goto end; }
	if (IS()) { END->image_bytes += 1; goto end; }
	if (IS()) { END->reserved[0] = 1; goto end; }
	die("catalogue and replay disagree at %d", n);
hdr:
	reseal_header();
	return 0;
thread:
	reseal_sec(sec(SSI_SEC_THREAD));
	return 0;
task:
	reseal_sec(sec(SSI_SEC_TASK));
	return 0;
xs:
	reseal_sec(sec(SSI_SEC_XSTATE));
	return 0;
mm:
	reseal_sec(sec(SSI_SEC_MM));
	return 0;
files:
	reseal_sec(sec(SSI_SEC_FILES));
	return 0;
vmas:
	reseal_sec(sec(SSI_SEC_VMAS));
	return 0;
run0:
	reseal_run(&ip.runs[0]);
	return 0;
end:
	reseal_sec(sec(SSI_SEC_END));
	return 0;
}

int main(int argc, char **argv)
{
	struct mut m;
	struct stat st;
	FILE *f;
	int n;

	prog_name = "ssi-mutate";
	if (argc == 3 && !strcmp(argv[1], "-l")) {
		n = -1;
	} else if (argc == 4) {
		n = atoi(argv[2]);
	} else {
		fprintf(stderr, "usage: ssi-mutate -l IMAGE | ssi-mutate IMAGE N OUT\n");
		return 2;
	}
	f = fopen(argv[argc == 3 ? 2 : 1], "rb");
	if (!f || fstat(fileno(f), &st))
		die("%s: %s", argv[argc == 3 ? 2 : 1], strerror(errno));
	len = st.st_size;
	img = malloc(len);
	buf = malloc(len);
	if (!img || !buf || fread(img, 1, len, f) != len)
		die("cannot read the image");
	fclose(f);
	parse();

	if (n < 0) {
		for (n = 0; !mutate(n, &m); n++)
			printf("%d\t%s\t%s\t%s\t%s\n", n, m.errno_name, m.reason,
			       m.scope, m.what);
		return 0;
	}
	if (mutate(n, &m))
		return 3;
	f = fopen(argv[3], "wb");
	if (!f || fwrite(buf, 1, outlen, f) != outlen || fclose(f))
		die("%s: %s", argv[3], strerror(errno));
	printf("%d\t%s\t%s\t%s\t%s\n", n, m.errno_name, m.reason, m.scope, m.what);
	return 0;
}
