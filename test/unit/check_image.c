// SPDX-License-Identifier: GPL-2.0
/*
 * check_image.c - the image format's layout and the module's validation
 * rules (kmod/ssi_imgcheck.c, the very code ssi.ko runs), on the host.
 *
 * A small valid image is built in memory; every rule is then broken one at
 * a time and the check must refuse it with the right reason.  The lab does
 * the same against the real restore ioctl (test/zdtm/mutate-run.sh).
 *
 * Build (until automake wires it): cc -I. -Ikmod -Ikmod/tools
 *   test/unit/check_image.c kmod/ssi_imgcheck.c kmod/tools/ssi_crc32c.c
 *   $(pkg-config --cflags --libs check)
 */
#include <check.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "run_suite.h"
#include "kmod/ssi_imgcheck.h"

#define PS	4096ULL
#define VVAR	0x7ffff7fc0000ULL
#define VDSO	(VVAR + 4 * PS)

static struct ssi_img_header hdr;
static struct ssi_img_task task;
static unsigned char xs[576];
static struct ssi_img_mm mm;
static unsigned char files[128];
static u64 files_size;
static struct ssi_img_vma vmas[4];
static struct ssi_img_err err;

static const struct ssi_img_env env = {
	.task_size	= (1ULL << 47) - PS,
	.page_size	= PS,
	.xstate_user_size = 576,
	.user_xfeatures	= 3,
	.mxcsr_mask	= 0xffff,
	.auxv_words	= 52,
	.user_cs	= SSI_X86_64_USER_CS,
	.user_ss	= SSI_X86_64_USER_SS,
	.release	= "6.1.0-test",
};

static void build(void)
{
	struct ssi_img_file *f = (void *)files;
	const char *path = "/bin/true";
	int i;

	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = SSI_IMG_MAGIC;
	hdr.version = SSI_IMG_VERSION;
	hdr.header_size = sizeof(hdr);
	hdr.arch = SSI_IMG_ARCH_X86_64;
	hdr.page_size = PS;
	strcpy(hdr.release, "6.1.0-test");
	hdr.vvar_start = VVAR;
	hdr.vvar_end = hdr.vdso_start = VDSO;
	hdr.vdso_end = VDSO + 2 * PS;
	hdr.xfeatures = 3;
	hdr.xstate_size = sizeof(xs);
	hdr.nr_threads = 1;
	ssi_img_seal(&hdr, sizeof(hdr), offsetof(struct ssi_img_header, crc));

	memset(&task, 0, sizeof(task));
	task.leader.regs.cs = SSI_X86_64_USER_CS;
	task.leader.regs.ss = SSI_X86_64_USER_SS;
	task.leader.regs.orig_ax = ~0ULL;
	task.leader.regs.ip = 0x401000;
	task.leader.regs.sp = 0x7ffffffde000;
	task.leader.altstack_flags = 2;	/* SS_DISABLE */
	task.leader.restart = SSI_RESTART_NOHAND;
	task.leader.syscall_nr = 34;
	strcpy(task.leader.comm, "t");
	task.leader.cpus[0] = 0x3;		/* CPUs 0 and 1, of any */
	task.leader.flags = SSI_THRF_CPUS_ANY;
	task.nr_rlimits = SSI_IMG_NRLIMIT;
	for (i = 0; i < SSI_IMG_NRLIMIT; i++)
		task.rlim[i].cur = task.rlim[i].max = ~0ULL;
	task.sigactions[9].handler = 0x401100;	/* SIGUSR1 */
	task.sigactions[9].flags = 0x04000000;	/* SA_RESTORER */
	task.sigactions[9].restorer = 0x401200;

	memset(xs, 0, sizeof(xs));
	xs[24] = 0x80;				/* MXCSR 0x1f80 */
	xs[25] = 0x1f;
	xs[512] = 3;				/* XSAVE header: x87 | SSE */

	memset(&mm, 0, sizeof(mm));
	mm.start_code = 0x400000;
	mm.end_code = 0x401000;
	mm.start_data = mm.end_data = 0x402000;
	mm.start_brk = mm.brk = 0x403000;
	mm.start_stack = 0x7ffffffde000;
	mm.arg_start = mm.arg_end = mm.env_start = mm.env_end = 0x7ffffffdf000;
	mm.nr_auxv = 4;
	mm.auxv[0] = 6;				/* AT_PAGESZ */
	mm.auxv[1] = PS;

	memset(files, 0, sizeof(files));
	f->path_len = strlen(path);
	f->rec_size = (sizeof(*f) + f->path_len + 1 + 7) & ~7U;
	f->size = 12345;
	f->digest_kind = SSI_DIGEST_BUILDID;
	f->digest_len = 20;
	memset(f->digest, 0xab, 20);
	memcpy(f + 1, path, f->path_len);
	files_size = f->rec_size;

	memset(vmas, 0, sizeof(vmas));
	vmas[0] = (struct ssi_img_vma){ .start = 0x400000, .end = 0x402000,
					.prot = 5, .kind = SSI_VMA_FILE };
	vmas[1] = (struct ssi_img_vma){ .start = 0x402000, .end = 0x404000,
					.prot = 3, .kind = SSI_VMA_HEAP };
	vmas[2] = (struct ssi_img_vma){ .start = VVAR, .end = VDSO, .prot = 1,
					.kind = SSI_VMA_VVAR };
	vmas[3] = (struct ssi_img_vma){ .start = VDSO, .end = VDSO + 2 * PS,
					.prot = 5, .kind = SSI_VMA_VDSO };
	memset(&err, 0, sizeof(err));
}

static int check_all(void)
{
	u32 offs[4];

	return ssi_img_check_header(&hdr, &env, &err) ?:
	       ssi_img_check_task(&task, &env, &err) ?:
	       ssi_img_check_xstate(xs, sizeof(xs), &hdr, &env, &err) ?:
	       ssi_img_check_mm(&mm, &env, &err) ?:
	       ssi_img_check_files(files, files_size, 1, offs, &err) ?:
	       ssi_img_check_vmas(vmas, 4, 1, &hdr, &env, &err) ?:
	       ssi_img_check_vma_files(vmas, 4, files, offs, &err);
}

static void reseal(void)
{
	ssi_img_seal(&hdr, sizeof(hdr), offsetof(struct ssi_img_header, crc));
}

/* Break one rule, expect the checks to refuse with @reason. */
#define REFUSED(want, ...) do {						\
	build();							\
	__VA_ARGS__;							\
	reseal();							\
	ck_assert_int_eq(check_all(), -EINVAL);				\
	ck_assert_msg(err.reason == (want), "%s: reason %s (%s), want %s", \
		      #__VA_ARGS__, ssi_reason_name(err.reason), err.detail, \
		      ssi_reason_name(want));				\
} while (0)

START_TEST(test_layout)
{
	ck_assert_uint_eq(sizeof(struct ssi_img_header), 256);
	ck_assert_uint_eq(offsetof(struct ssi_img_header, crc), 252);
	ck_assert_uint_eq(sizeof(struct ssi_img_section), 32);
	ck_assert_uint_eq(sizeof(struct ssi_img_regs), 27 * 8);
	ck_assert_uint_eq(sizeof(struct ssi_img_thread), 712);
	ck_assert_uint_eq(offsetof(struct ssi_img_thread, cpus), 448);
	ck_assert_uint_eq(sizeof(struct ssi_img_task), 3280);
	ck_assert_uint_eq(offsetof(struct ssi_img_task, personality), 712);
	ck_assert_uint_eq(offsetof(struct ssi_img_task, rlim), 720);
	ck_assert_uint_eq(sizeof(struct ssi_img_mm), 640);
	ck_assert_uint_eq(sizeof(struct ssi_img_file), 72);
	ck_assert_uint_eq(sizeof(struct ssi_img_vma), 64);
	ck_assert_uint_eq(sizeof(struct ssi_img_pages), 24);
	ck_assert_uint_eq(sizeof(struct ssi_img_end), 64);
	ck_assert_uint_eq(sizeof(struct ssi_img_siginfo), 56);
	ck_assert_uint_eq(sizeof(struct ssi_img_posix_timer), 56);
	ck_assert_uint_eq(sizeof(struct ssi_timer_id), 24);
	ck_assert_uint_eq(_IOC_SIZE(SSI_IOC_TIMER_ID), sizeof(struct ssi_timer_id));
	ck_assert_uint_eq(sizeof(struct ssi_dump), 152);
	ck_assert_uint_eq(sizeof(struct ssi_resume), 32);
	ck_assert_uint_eq(sizeof(struct ssi_restore), 120);
	ck_assert_uint_eq(_IOC_SIZE(SSI_IOC_DUMP), sizeof(struct ssi_dump));
	ck_assert_uint_eq(_IOC_SIZE(SSI_IOC_RESUME), sizeof(struct ssi_resume));
	ck_assert_uint_eq(_IOC_SIZE(SSI_IOC_RESTORE), sizeof(struct ssi_restore));
	ck_assert_uint_eq(sizeof(struct ssi_restore_thread), 32);
	ck_assert_uint_eq(_IOC_SIZE(SSI_IOC_RESTORE_THREAD), sizeof(struct ssi_restore_thread));
	ck_assert_uint_eq(_IOC_DIR(SSI_IOC_DUMP), _IOC_READ | _IOC_WRITE);
	ck_assert_uint_eq(_IOC_DIR(SSI_IOC_RESUME), _IOC_WRITE);
	ck_assert_uint_eq(_IOC_DIR(SSI_IOC_RESTORE), _IOC_READ | _IOC_WRITE);
}
END_TEST

START_TEST(test_crc)
{
	ck_assert_uint_eq(ssi_crc32c(0, "123456789", 9), 0xe3069283);
	/* Chaining equals one pass. */
	ck_assert_uint_eq(ssi_crc32c(ssi_crc32c(0, "1234", 4), "56789", 5),
			  0xe3069283);
	ck_assert_uint_eq(ssi_crc32c(0, "", 0), 0);
}
END_TEST

START_TEST(test_valid)
{
	build();
	ck_assert_msg(check_all() == 0, "valid image refused: %s: %s",
		      ssi_reason_name(err.reason), err.detail);
	ck_assert_str_eq(ssi_reason_name(SSI_R_FILE_CHANGED), "file-changed");
	ck_assert_str_eq(ssi_reason_name(9999), "unknown");
}
END_TEST

START_TEST(test_header)
{
	REFUSED(SSI_R_MAGIC, hdr.magic ^= 1);
	REFUSED(SSI_R_MAGIC, hdr.version = SSI_IMG_VERSION + 1);
	REFUSED(SSI_R_MAGIC, hdr.version = 1);		/* no thread support */
	REFUSED(SSI_R_ARCH, hdr.arch = 3);
	REFUSED(SSI_R_ARCH, hdr.page_size = 8192);
	REFUSED(SSI_R_RELEASE, strcpy(hdr.release, "6.1.0-other"));
	REFUSED(SSI_R_MAGIC, hdr.release[sizeof(hdr.release) - 1] = 'x');
	REFUSED(SSI_R_RESERVED, hdr.reserved[7] = 1);
	REFUSED(SSI_R_VDSO, hdr.vvar_end = hdr.vdso_start - PS);
	REFUSED(SSI_R_VDSO, hdr.vdso_end = 1ULL << 50);
	REFUSED(SSI_R_XSTATE, hdr.xstate_size = 100);
	REFUSED(SSI_R_XSTATE, hdr.xfeatures = 7);	/* beyond the node's */
	REFUSED(SSI_R_MAGIC, hdr.nr_threads = 0);
	REFUSED(SSI_R_MAGIC, hdr.nr_threads = SSI_IMG_MAX_THREADS + 1);
	/* A header changed without resealing is a checksum failure. */
	build();
	hdr.home_pid = 77;
	ck_assert_int_eq(ssi_img_check_header(&hdr, &env, &err), -EINVAL);
	ck_assert_uint_eq(err.reason, SSI_R_CSUM);
}
END_TEST

START_TEST(test_section)
{
	struct ssi_img_section s = { .type = SSI_SEC_VMAS, .size = 4 * 64, .count = 4 };

	build();
	ssi_img_seal(&s, sizeof(s), offsetof(struct ssi_img_section, crc));
	ck_assert_int_eq(ssi_img_check_section(&s, SSI_SEC_VMAS, &hdr, &err), 0);
	ck_assert_int_eq(ssi_img_check_section(&s, SSI_SEC_FILES, &hdr, &err), -EINVAL);
	ck_assert_uint_eq(err.reason, SSI_R_SECTION);
	s.count = 0xffffffff;
	ssi_img_seal(&s, sizeof(s), offsetof(struct ssi_img_section, crc));
	ck_assert_int_eq(ssi_img_check_section(&s, SSI_SEC_VMAS, &hdr, &err), -EINVAL);
	ck_assert_uint_eq(err.reason, SSI_R_SECTION);
	s.count = 4;
	s.size = 1ULL << 62;
	ssi_img_seal(&s, sizeof(s), offsetof(struct ssi_img_section, crc));
	ck_assert_int_eq(ssi_img_check_section(&s, SSI_SEC_VMAS, &hdr, &err), -EINVAL);
	s.size = 4 * 64;
	s.flags = 2;
	ssi_img_seal(&s, sizeof(s), offsetof(struct ssi_img_section, crc));
	ck_assert_int_eq(ssi_img_check_section(&s, SSI_SEC_VMAS, &hdr, &err), -EINVAL);
	ck_assert_uint_eq(err.reason, SSI_R_RESERVED);
	s.flags = 0;
	s.crc ^= 1;
	ck_assert_int_eq(ssi_img_check_section(&s, SSI_SEC_VMAS, &hdr, &err), -EINVAL);
	ck_assert_uint_eq(err.reason, SSI_R_CSUM);
}
END_TEST

START_TEST(test_task)
{
	/* armed itimers up to the bound are fine */
	build();
	task.itimer_real = (struct ssi_img_itimer){ SSI_IMG_ITIMER_MAX, 1000 };
	task.itimer_virt = (struct ssi_img_itimer){ 1, SSI_IMG_ITIMER_MAX };
	task.itimer_prof = (struct ssi_img_itimer){ 5000000, 5000000 };
	task.sigpending = 1ULL << 13 | 1ULL << 33 | 1ULL << 63;	/* SIGALRM, realtime ones */
	reseal();
	ck_assert_int_eq(check_all(), 0);

	REFUSED(SSI_R_TASK, task.leader.regs.cs = 0x10);
	REFUSED(SSI_R_TASK, task.leader.regs.fs = 0x2b);
	REFUSED(SSI_R_TASK, task.leader.regs.ip = 1ULL << 47);
	REFUSED(SSI_R_TASK, task.leader.regs.gs_base = ~0ULL);
	REFUSED(SSI_R_TASK, task.leader.regs.orig_ax = 1);
	REFUSED(SSI_R_TASK, task.leader.sigmask = 1ULL << 18);		/* SIGSTOP */
	REFUSED(SSI_R_TASK, task.sigactions[8].handler = 0x401100);	/* SIGKILL */
	REFUSED(SSI_R_TASK, task.sigactions[9].flags |= 0x400);
	REFUSED(SSI_R_TASK, task.sigactions[9].restorer = 1ULL << 48);
	REFUSED(SSI_R_TASK, task.leader.altstack_flags = 0);	/* enabled, size 0 */
	REFUSED(SSI_R_TASK, task.leader.altstack_flags = 0; task.leader.altstack_size = 8192;
		task.leader.altstack_sp = (1ULL << 47) - 4096);
	REFUSED(SSI_R_TASK, task.personality = 0x0800000);	/* ADDR_LIMIT_32BIT */
	REFUSED(SSI_R_TASK, task.leader.rseq = 0x10010; task.leader.rseq_len = 32);
	REFUSED(SSI_R_TASK, task.leader.rseq_sig = 1);
	REFUSED(SSI_R_TASK, task.leader.robust_list = 0x10000; task.leader.robust_list_len = 16);
	REFUSED(SSI_R_TASK, task.leader.restart = 6);
	REFUSED(SSI_R_TASK, task.leader.restart = SSI_RESTART_NONE);	/* with a syscall */
	REFUSED(SSI_R_TASK, memset(task.leader.comm, 'a', 16));
	REFUSED(SSI_R_TASK, task.rlim[3].cur = 5; task.rlim[3].max = 4);
	REFUSED(SSI_R_TASK, task.nr_rlimits = 15);
	REFUSED(SSI_R_TASK, task.itimer_real.value = SSI_IMG_ITIMER_MAX + 1);
	REFUSED(SSI_R_TASK, task.itimer_virt.interval = SSI_IMG_ITIMER_MAX + 1);
	REFUSED(SSI_R_TASK, task.itimer_prof.value = ~0ULL);
	REFUSED(SSI_R_TASK, task.sigpending = 1ULL << 8);	/* SIGKILL */
	REFUSED(SSI_R_RESERVED, task.leader.flags = 8);
	REFUSED(SSI_R_TASK, task.leader.pdeath_signal = 65);
	REFUSED(SSI_R_TASK, task.leader.pdeath_signal = -1);
	/* scheduling state sched_setattr() would refuse, or SCHED_DEADLINE */
	REFUSED(SSI_R_TASK, task.leader.sched_policy = 6);
	REFUSED(SSI_R_TASK, task.leader.sched_policy = 4);
	REFUSED(SSI_R_TASK, task.leader.sched_policy = SSI_SCHED_FIFO);	/* priority 0 */
	REFUSED(SSI_R_TASK, task.leader.sched_policy = SSI_SCHED_RR;
		task.leader.sched_priority = 100);
	REFUSED(SSI_R_TASK, task.leader.sched_priority = 1);	/* SCHED_NORMAL */
	REFUSED(SSI_R_TASK, task.leader.sched_nice = 20);
	REFUSED(SSI_R_TASK, task.leader.sched_nice = -21);
	REFUSED(SSI_R_TASK, task.leader.ioprio = 4 << SSI_IOPRIO_CLASS_SHIFT);
	REFUSED(SSI_R_TASK, task.leader.ioprio = 0x10000);
	REFUSED(SSI_R_RESERVED, task.flags = 2);
	REFUSED(SSI_R_TASK, task.oom_score_adj = 1001);
	REFUSED(SSI_R_TASK, task.oom_score_adj_min = -1001);
	/* prctl state any process may have */
	build();
	task.leader.flags = SSI_THRF_NO_NEW_PRIVS;
	task.leader.pdeath_signal = 64;
	task.leader.timer_slack_ns = 1;
	task.leader.default_slack_ns = ~0ULL;
	reseal();
	ck_assert_int_eq(check_all(), 0);
	/* scheduling state at its bounds */
	build();
	task.leader.sched_policy = SSI_SCHED_FIFO;
	task.leader.sched_priority = 99;
	task.leader.sched_nice = -20;
	task.leader.flags = SSI_THRF_SCHED_RESET_ON_FORK;
	task.leader.ioprio = 3 << SSI_IOPRIO_CLASS_SHIFT | 7;
	task.flags = SSI_TASKF_CHILD_SUBREAPER;
	task.oom_score_adj = -1000;
	task.oom_score_adj_min = -1000;
	reseal();
	ck_assert_int_eq(check_all(), 0);
	build();
	task.leader.sched_policy = SSI_SCHED_IDLE;
	task.leader.sched_nice = 19;
	reseal();
	ck_assert_int_eq(check_all(), 0);
}
END_TEST

/* A THREAD section: the same rules as the leader's state, and its size. */
START_TEST(test_thread)
{
	struct ssi_img_section s = { .type = SSI_SEC_THREAD,
				     .size = sizeof(struct ssi_img_thread) + sizeof(xs),
				     .count = 1 };
	struct ssi_img_thread th;

	build();
	th = task.leader;
	ck_assert_int_eq(ssi_img_check_thread(&th, &env, &err), 0);
	th.regs.ss = 0x10;
	ck_assert_int_eq(ssi_img_check_thread(&th, &env, &err), -EINVAL);
	ck_assert_uint_eq(err.reason, SSI_R_TASK);
	th = task.leader;
	th.clear_child_tid = 0x10002;			/* misaligned */
	ck_assert_int_eq(ssi_img_check_thread(&th, &env, &err), -EINVAL);

	ssi_img_seal(&s, sizeof(s), offsetof(struct ssi_img_section, crc));
	ck_assert_int_eq(ssi_img_check_section(&s, SSI_SEC_THREAD, &hdr, &err), 0);
	s.size -= 8;
	ssi_img_seal(&s, sizeof(s), offsetof(struct ssi_img_section, crc));
	ck_assert_int_eq(ssi_img_check_section(&s, SSI_SEC_THREAD, &hdr, &err), -EINVAL);
	ck_assert_uint_eq(err.reason, SSI_R_SECTION);
}
END_TEST

/*
 * CPU affinity: never empty; a bound thread only where every one of its
 * CPUs is given (env.cpus), a free one anywhere; unchecked without env.cpus.
 */
START_TEST(test_affinity)
{
	struct ssi_img_env here = env;
	struct ssi_img_thread th;
	__u64 given[SSI_IMG_CPU_WORDS] = { 0x5 };	/* CPUs 0 and 2 */

	build();
	here.cpus = given;
	th = task.leader;
	th.home_tid = 4250;
	ck_assert_int_eq(ssi_img_check_thread(&th, &here, &err), 0);	/* free */
	th.flags &= ~SSI_THRF_CPUS_ANY;
	ck_assert_int_eq(ssi_img_check_thread(&th, &env, &err), 0);	/* unchecked */
	ck_assert_int_eq(ssi_img_check_thread(&th, &here, &err), -EINVAL);
	ck_assert_uint_eq(err.reason, SSI_R_AFFINITY);
	ck_assert_str_eq(err.detail, "thread 4250: bound to CPU 1, not given here");
	th.cpus[0] = 0x4;
	ck_assert_int_eq(ssi_img_check_thread(&th, &here, &err), 0);
	th.cpus[0] = 0;
	th.cpus[SSI_IMG_CPU_WORDS - 1] = 1ULL << 63;			/* CPU 1023 */
	ck_assert_int_eq(ssi_img_check_thread(&th, &here, &err), -EINVAL);
	ck_assert_str_eq(err.detail, "thread 4250: bound to CPU 1023, not given here");
	given[SSI_IMG_CPU_WORDS - 1] = 1ULL << 63;
	ck_assert_int_eq(ssi_img_check_thread(&th, &here, &err), 0);
	memset(th.cpus, 0, sizeof(th.cpus));
	th.flags |= SSI_THRF_CPUS_ANY;
	ck_assert_int_eq(ssi_img_check_thread(&th, &here, &err), -EINVAL);
	ck_assert_uint_eq(err.reason, SSI_R_TASK);
	th = task.leader;
	th.flags |= 0x8;						/* unknown flag */
	ck_assert_int_eq(ssi_img_check_thread(&th, &here, &err), -EINVAL);
	ck_assert_uint_eq(err.reason, SSI_R_RESERVED);
}
END_TEST

/*
 * NUMA policy: one set_mempolicy() can make; the nodes in force all
 * usable here (env.mems), those kept as given anything; unchecked
 * without env.mems.
 */
START_TEST(test_mempolicy)
{
	struct ssi_img_env here = env;
	struct ssi_img_thread th;
	__u64 usable[SSI_IMG_NODE_WORDS] = { 0x1 };	/* node 0 */

	build();
	here.mems = usable;
	th = task.leader;
	th.home_tid = 4251;
	ck_assert_int_eq(ssi_img_check_thread(&th, &here, &err), 0);	/* default */
	th.mempolicy.mode = SSI_MPOL_BIND;
	th.mempolicy.nodes[0] = 0x3;
	ck_assert_int_eq(ssi_img_check_thread(&th, &env, &err), 0);	/* unchecked */
	ck_assert_int_eq(ssi_img_check_thread(&th, &here, &err), -EINVAL);
	ck_assert_uint_eq(err.reason, SSI_R_NUMA);
	ck_assert_str_eq(err.detail, "thread 4251: NUMA policy names node 1, not usable here");
	th.mempolicy.flags = SSI_MPOL_F_STATIC_NODES;		/* kept as given */
	ck_assert_int_eq(ssi_img_check_thread(&th, &here, &err), 0);
	th.mempolicy.flags = SSI_MPOL_F_NUMA_BALANCING;
	th.mempolicy.nodes[0] = 0x1;
	ck_assert_int_eq(ssi_img_check_thread(&th, &here, &err), 0);
	th.mempolicy.mode = SSI_MPOL_INTERLEAVE;		/* balancing binds only */
	ck_assert_int_eq(ssi_img_check_thread(&th, &here, &err), -EINVAL);
	ck_assert_uint_eq(err.reason, SSI_R_TASK);
	th.mempolicy.flags = SSI_MPOL_F_STATIC_NODES | SSI_MPOL_F_RELATIVE_NODES;
	ck_assert_int_eq(ssi_img_check_thread(&th, &here, &err), -EINVAL);
	th.mempolicy.flags = 1;					/* an internal flag */
	ck_assert_int_eq(ssi_img_check_thread(&th, &here, &err), -EINVAL);
	th.mempolicy.flags = 0;
	th.mempolicy.mode = SSI_MPOL_MAX + 1;
	ck_assert_int_eq(ssi_img_check_thread(&th, &here, &err), -EINVAL);
	th.mempolicy.mode = SSI_MPOL_LOCAL;			/* takes no nodes */
	ck_assert_int_eq(ssi_img_check_thread(&th, &here, &err), -EINVAL);
	th.mempolicy.nodes[0] = 0;
	ck_assert_int_eq(ssi_img_check_thread(&th, &here, &err), 0);
	th.mempolicy.mode = SSI_MPOL_PREFERRED;			/* takes some */
	ck_assert_int_eq(ssi_img_check_thread(&th, &here, &err), -EINVAL);
	th.mempolicy.nodes[SSI_IMG_NODE_WORDS - 1] = 1ULL << 63;	/* node 1023 */
	ck_assert_int_eq(ssi_img_check_thread(&th, &here, &err), -EINVAL);
	ck_assert_str_eq(err.detail, "thread 4251: NUMA policy names node 1023, not usable here");
	th.mempolicy.reserved = 1;
	ck_assert_int_eq(ssi_img_check_thread(&th, &env, &err), -EINVAL);
	ck_assert_uint_eq(err.reason, SSI_R_RESERVED);

	/* a mapping's, nodes 0..63: the same rules */
	vmas[1].mpol_mode = SSI_MPOL_INTERLEAVE;
	vmas[1].mpol_nodes = 0x5;
	ck_assert_int_eq(ssi_img_check_vmas(vmas, 4, 1, &hdr, &env, &err), 0);
	ck_assert_int_eq(ssi_img_check_vmas(vmas, 4, 1, &hdr, &here, &err), -EINVAL);
	ck_assert_uint_eq(err.reason, SSI_R_NUMA);
	ck_assert_str_eq(err.detail, "vma 1: NUMA policy names node 2, not usable here");
	vmas[1].mpol_flags = SSI_MPOL_F_RELATIVE_NODES;
	ck_assert_int_eq(ssi_img_check_vmas(vmas, 4, 1, &hdr, &here, &err), 0);
}
END_TEST

/* Queued signals: on the process or a thread of the image, never KILL/STOP. */
START_TEST(test_sigqueue)
{
	struct ssi_img_section s = { .type = SSI_SEC_SIGQUEUE, .count = 2,
				     .size = 2 * sizeof(struct ssi_img_siginfo) };
	const int32_t tids[2] = { 4242, 4250 };
	struct ssi_img_siginfo q[2];
	siginfo_t si;

	memset(q, 0, sizeof(q));
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGRTMIN + 1;
	si.si_code = SI_QUEUE;
	si.si_pid = 4000;
	si.si_value.sival_int = 7;
	memcpy(q[0].info, &si, sizeof(q[0].info));
	si.si_signo = SIGUSR1;
	si.si_code = SI_TKILL;
	memcpy(q[1].info, &si, sizeof(q[1].info));
	q[1].tid = 4250;
	ck_assert_int_eq(ssi_img_check_sigqueue(q, 2, tids, 2, &err), 0);
	ck_assert_int_eq(ssi_img_check_sigqueue(q, 0, tids, 2, &err), 0);
	q[1].tid = 4251;				/* no such thread */
	ck_assert_int_eq(ssi_img_check_sigqueue(q, 2, tids, 2, &err), -EINVAL);
	ck_assert_uint_eq(err.reason, SSI_R_TASK);
	q[1].tid = 0;
	q[1].reserved = 1;
	ck_assert_int_eq(ssi_img_check_sigqueue(q, 2, tids, 2, &err), -EINVAL);
	ck_assert_uint_eq(err.reason, SSI_R_RESERVED);
	q[1].reserved = 0;
	si.si_signo = SIGKILL;
	memcpy(q[1].info, &si, sizeof(q[1].info));
	ck_assert_int_eq(ssi_img_check_sigqueue(q, 2, tids, 2, &err), -EINVAL);
	si.si_signo = 65;
	memcpy(q[1].info, &si, sizeof(q[1].info));
	ck_assert_int_eq(ssi_img_check_sigqueue(q, 2, tids, 2, &err), -EINVAL);
	si.si_signo = SIGUSR2;
	si.si_errno = 5000;
	memcpy(q[1].info, &si, sizeof(q[1].info));
	ck_assert_int_eq(ssi_img_check_sigqueue(q, 2, tids, 2, &err), -EINVAL);

	ssi_img_seal(&s, sizeof(s), offsetof(struct ssi_img_section, crc));
	ck_assert_int_eq(ssi_img_check_section(&s, SSI_SEC_SIGQUEUE, &hdr, &err), 0);
	s.count = 3;					/* more than its size holds */
	ssi_img_seal(&s, sizeof(s), offsetof(struct ssi_img_section, crc));
	ck_assert_int_eq(ssi_img_check_section(&s, SSI_SEC_SIGQUEUE, &hdr, &err), -EINVAL);
	s.count = SSI_IMG_MAX_SIGQUEUE + 1;
	s.size = (uint64_t)s.count * sizeof(struct ssi_img_siginfo);
	ssi_img_seal(&s, sizeof(s), offsetof(struct ssi_img_section, crc));
	ck_assert_int_eq(ssi_img_check_section(&s, SSI_SEC_SIGQUEUE, &hdr, &err), -EINVAL);
	ck_assert_uint_eq(err.reason, SSI_R_SECTION);
}
END_TEST

START_TEST(test_timers)
{
	struct ssi_img_section s = { .type = SSI_SEC_TIMERS, .count = 2,
				     .size = 2 * sizeof(struct ssi_img_posix_timer) };
	const int32_t tids[2] = { 4242, 4250 };
	struct ssi_img_posix_timer p[2];

	memset(p, 0, sizeof(p));
	p[0].id = 3;
	p[0].clock = SSI_CLOCK_MONOTONIC;
	p[0].notify = SSI_SIGEV_SIGNAL;
	p[0].signo = SIGRTMIN + 1;
	p[0].expires = 20000000;
	p[0].interval = 20000000;
	p[1].id = 7;
	p[1].clock = SSI_CLOCK_REALTIME;
	p[1].notify = SSI_SIGEV_SIGNAL | SSI_SIGEV_THREAD_ID;
	p[1].signo = SIGUSR1;
	p[1].tid = 4250;
	p[1].flags = SSI_PTIMER_ABS_REALTIME;
	p[1].overrun = -1;
	ck_assert_int_eq(ssi_img_check_timers(p, 2, tids, 2, &err), 0);
	ck_assert_int_eq(ssi_img_check_timers(p, 0, tids, 2, &err), 0);
	p[1].tid = 4251;				/* no such thread */
	ck_assert_int_eq(ssi_img_check_timers(p, 2, tids, 2, &err), -EINVAL);
	ck_assert_uint_eq(err.reason, SSI_R_TASK);
	p[1].tid = 4250;
	p[1].id = 3;					/* the same id twice */
	ck_assert_int_eq(ssi_img_check_timers(p, 2, tids, 2, &err), -EINVAL);
	p[1].id = -1;
	ck_assert_int_eq(ssi_img_check_timers(p, 2, tids, 2, &err), -EINVAL);
	p[1].id = 7;
	p[1].clock = 2;					/* CLOCK_PROCESS_CPUTIME_ID */
	ck_assert_int_eq(ssi_img_check_timers(p, 2, tids, 2, &err), -EINVAL);
	/* CPU-time clocks, as the dump writes them (~pid << 3 | thread | which) */
	p[0].clock = (int32_t)(~0U << 3) | 2;			/* the process's, SCHED */
	ck_assert_int_eq(ssi_img_check_timers(p, 1, tids, 2, &err), 0);
	p[0].clock = (int32_t)(~0U << 3) | 0;			/* the process's, PROF */
	ck_assert_int_eq(ssi_img_check_timers(p, 1, tids, 2, &err), 0);
	p[0].clock = (int32_t)(~0U << 3) | 3;			/* no such clock */
	ck_assert_int_eq(ssi_img_check_timers(p, 1, tids, 2, &err), -EINVAL);
	p[0].clock = (int32_t)((~4242U) << 3) | 2;	/* another process's */
	ck_assert_int_eq(ssi_img_check_timers(p, 1, tids, 2, &err), -EINVAL);
	p[0].clock = (int32_t)((~4250U) << 3) | 4 | 2;	/* thread 4250's */
	ck_assert_int_eq(ssi_img_check_timers(p, 1, tids, 2, &err), 0);
	p[0].clock = (int32_t)((~4251U) << 3) | 4 | 2;	/* no such thread */
	ck_assert_int_eq(ssi_img_check_timers(p, 1, tids, 2, &err), -EINVAL);
	p[0].clock = (int32_t)(~0U << 3) | 4 | 2;			/* "this thread": which one? */
	ck_assert_int_eq(ssi_img_check_timers(p, 1, tids, 2, &err), -EINVAL);
	p[0].clock = SSI_CLOCK_MONOTONIC;
	p[1].clock = SSI_CLOCK_MONOTONIC;		/* absolute on another clock */
	ck_assert_int_eq(ssi_img_check_timers(p, 2, tids, 2, &err), -EINVAL);
	p[1].clock = SSI_CLOCK_REALTIME;
	p[1].signo = SIGKILL;
	ck_assert_int_eq(ssi_img_check_timers(p, 2, tids, 2, &err), -EINVAL);
	p[1].notify = SSI_SIGEV_NONE;			/* sends nothing: any signo */
	p[1].tid = 0;
	ck_assert_int_eq(ssi_img_check_timers(p, 2, tids, 2, &err), 0);
	p[1].notify = SSI_SIGEV_THREAD;			/* the kernel's SIGEV_SIGNAL */
	ck_assert_int_eq(ssi_img_check_timers(p, 2, tids, 2, &err), -EINVAL);
	p[1].signo = SIGUSR1;
	ck_assert_int_eq(ssi_img_check_timers(p, 2, tids, 2, &err), 0);
	p[1].notify = 3;
	ck_assert_int_eq(ssi_img_check_timers(p, 2, tids, 2, &err), -EINVAL);
	p[1].notify = SSI_SIGEV_SIGNAL;
	p[1].tid = 4242;				/* a tid without THREAD_ID */
	ck_assert_int_eq(ssi_img_check_timers(p, 2, tids, 2, &err), -EINVAL);
	p[1].tid = 0;
	p[1].overrun = -2;
	ck_assert_int_eq(ssi_img_check_timers(p, 2, tids, 2, &err), -EINVAL);
	p[1].overrun = 0;
	p[1].expires = 1ULL << 63;
	ck_assert_int_eq(ssi_img_check_timers(p, 2, tids, 2, &err), -EINVAL);
	p[1].expires = 0;
	p[1].flags = 2;
	ck_assert_int_eq(ssi_img_check_timers(p, 2, tids, 2, &err), -EINVAL);

	ssi_img_seal(&s, sizeof(s), offsetof(struct ssi_img_section, crc));
	ck_assert_int_eq(ssi_img_check_section(&s, SSI_SEC_TIMERS, &hdr, &err), 0);
	s.count = SSI_IMG_MAX_TIMERS + 1;
	s.size = (uint64_t)s.count * sizeof(struct ssi_img_posix_timer);
	ssi_img_seal(&s, sizeof(s), offsetof(struct ssi_img_section, crc));
	ck_assert_int_eq(ssi_img_check_section(&s, SSI_SEC_TIMERS, &hdr, &err), -EINVAL);
	ck_assert_uint_eq(err.reason, SSI_R_SECTION);
}
END_TEST

START_TEST(test_ldt_section)
{
	struct ssi_img_section s = { .type = SSI_SEC_LDT, .count = 3, .size = 24 };

	ssi_img_seal(&s, sizeof(s), offsetof(struct ssi_img_section, crc));
	ck_assert_int_eq(ssi_img_check_section(&s, SSI_SEC_LDT, &hdr, &err), 0);
	s.size = 25;	/* not whole descriptors */
	ssi_img_seal(&s, sizeof(s), offsetof(struct ssi_img_section, crc));
	ck_assert_int_eq(ssi_img_check_section(&s, SSI_SEC_LDT, &hdr, &err), -EINVAL);
	ck_assert_uint_eq(err.reason, SSI_R_SECTION);
	s.count = SSI_IMG_MAX_LDT + 1;	/* more than LDT_ENTRIES */
	s.size = (uint64_t)s.count * 8;
	ssi_img_seal(&s, sizeof(s), offsetof(struct ssi_img_section, crc));
	ck_assert_int_eq(ssi_img_check_section(&s, SSI_SEC_LDT, &hdr, &err), -EINVAL);
	ck_assert_uint_eq(err.reason, SSI_R_SECTION);
}
END_TEST

START_TEST(test_xstate)
{
	REFUSED(SSI_R_XSTATE, xs[512] = 7);		/* AVX not in the header */
	REFUSED(SSI_R_XSTATE, xs[520] = 1);		/* xcomp_bv */
	REFUSED(SSI_R_XSTATE, xs[575] = 1);		/* header reserved */
	REFUSED(SSI_R_XSTATE, xs[26] = 1);		/* MXCSR bit 16 */
}
END_TEST

START_TEST(test_mm)
{
	REFUSED(SSI_R_MM, mm.env_end = 1ULL << 47);
	REFUSED(SSI_R_MM, mm.end_code = mm.start_code - 1);
	REFUSED(SSI_R_MM, mm.nr_auxv = 3);
	REFUSED(SSI_R_MM, mm.nr_auxv = 54);		/* > the node's 52 */
	REFUSED(SSI_R_MM, mm.auxv[3] = 1);		/* AT_NULL pair not zero */
	REFUSED(SSI_R_MM, mm.nr_auxv = 6; mm.auxv[2] = 0; mm.auxv[4] = 9);
	REFUSED(SSI_R_MM, mm.auxv[10] = 1);		/* tail not zero */
	REFUSED(SSI_R_RESERVED, mm.reserved[1] = 1);
	REFUSED(SSI_R_MM, mm.pkeys = 0x2);			/* no default key */
	REFUSED(SSI_R_MM, mm.pkeys = 0x10001);			/* key 16 */
	REFUSED(SSI_R_MM, mm.pkeys = 0x3; mm.pkey_exec_only = 2);	/* not allocated */
	REFUSED(SSI_R_MM, mm.pkeys = 0; mm.pkey_exec_only = 1);
	REFUSED(SSI_R_RESERVED, mm.pad = 1);
	REFUSED(SSI_R_RESERVED, mm.flags = 8);
	REFUSED(SSI_R_MM, mm.flags = SSI_MMF_LOCK_ONFAULT);	/* without FUTURE */
	REFUSED(SSI_R_MM, mm.dumpable = 3);
	build();
	mm.flags = SSI_MMF_MASK;
	mm.dumpable = 2;
	mm.pkeys = 0x8005;
	mm.pkey_exec_only = 15;
	reseal();
	ck_assert_int_eq(check_all(), 0);
}
END_TEST

START_TEST(test_files)
{
	struct ssi_img_file *f = (void *)files;
	u32 offs[2];

#define FILES_REFUSED(...) do {						\
	build();							\
	__VA_ARGS__;							\
	ck_assert_int_eq(ssi_img_check_files(files, files_size, 1, offs, &err), -EINVAL); \
	ck_assert_uint_eq(err.reason, SSI_R_FILES);			\
} while (0)
	FILES_REFUSED(f->path_len = 0);
	FILES_REFUSED(f->path_len = 5000);
	FILES_REFUSED(f->rec_size = 1U << 30);
	FILES_REFUSED(f->rec_size += 1);
	FILES_REFUSED(((char *)(f + 1))[0] = 'b');
	FILES_REFUSED(((char *)(f + 1))[3] = 0);
	FILES_REFUSED(((char *)(f + 1))[f->path_len + 1] = 'x');	/* padding */
	FILES_REFUSED(f->digest_kind = 0);
	FILES_REFUSED(f->digest_kind = SSI_DIGEST_SHA256);		/* len 20 */
	FILES_REFUSED(f->digest[31] = 1);				/* beyond len */
	FILES_REFUSED(files_size += 8);					/* stray bytes */
	build();
	ck_assert_int_eq(ssi_img_check_files(files, files_size, 2, offs, &err), -EINVAL);
}
END_TEST

START_TEST(test_vmas)
{
	REFUSED(SSI_R_VMAS, vmas[0].end = vmas[0].start);
	REFUSED(SSI_R_VMAS, vmas[0].start += 1);
	REFUSED(SSI_R_VMAS, vmas[1].start = 0x401000);		/* overlap */
	REFUSED(SSI_R_VMAS, vmas[0].prot = 8);
	REFUSED(SSI_R_VMAS, vmas[0].flags = 4);
	REFUSED(SSI_R_VMAS, vmas[0].file = 1);
	REFUSED(SSI_R_VMAS, vmas[0].pgoff = 1ULL << 40);
	REFUSED(SSI_R_VMAS, vmas[1].pgoff = 1);			/* anon with pgoff */
	REFUSED(SSI_R_VMAS, vmas[1].kind = 0);
	REFUSED(SSI_R_VMAS, vmas[3].kind = SSI_VMA_ANON);	/* no vdso */
	REFUSED(SSI_R_VMAS, vmas[2].kind = SSI_VMA_VDSO);	/* two, wrong place */
	REFUSED(SSI_R_VMAS, vmas[0].kind = SSI_VMA_HEAP; vmas[0].file = 0);
	/* a mapping's NUMA policy: one mbind() can make, not on the vDSO */
	REFUSED(SSI_R_VMAS, vmas[2].mpol_mode = SSI_MPOL_MAX + 1);
	REFUSED(SSI_R_VMAS, vmas[2].mpol_mode = SSI_MPOL_BIND);		/* no nodes */
	REFUSED(SSI_R_VMAS, vmas[2].mpol_mode = SSI_MPOL_LOCAL; vmas[2].mpol_nodes = 1);
	REFUSED(SSI_R_VMAS, vmas[2].mpol_mode = SSI_MPOL_BIND; vmas[2].mpol_nodes = 1;
		vmas[2].mpol_flags = 1);
	REFUSED(SSI_R_VMAS, vmas[3].mpol_mode = SSI_MPOL_LOCAL);		/* vdso */
	REFUSED(SSI_R_VMAS, vmas[1].pkey = 16);
	REFUSED(SSI_R_VMAS, vmas[3].pkey = 1);				/* vdso */
	/* attributes: what madvise() and mlock2() can make, together */
	build();
	vmas[1].flags = SSI_VMAF_LOCKED | SSI_VMAF_LOCKONFAULT | SSI_VMAF_DONTCOPY |
			SSI_VMAF_WIPEONFORK | SSI_VMAF_DONTDUMP | SSI_VMAF_HUGEPAGE |
			SSI_VMAF_SEQ_READ | SSI_VMAF_MERGEABLE;
	vmas[0].flags = SSI_VMAF_LOCKED | SSI_VMAF_NOHUGEPAGE | SSI_VMAF_RAND_READ;
	vmas[1].pkey = 15;	/* a key freed since stays on its mappings */
	reseal();
	ck_assert_int_eq(check_all(), 0);
	REFUSED(SSI_R_VMAS, vmas[1].flags = SSI_VMAF_HUGEPAGE | SSI_VMAF_NOHUGEPAGE);
	REFUSED(SSI_R_VMAS, vmas[1].flags = SSI_VMAF_SEQ_READ | SSI_VMAF_RAND_READ);
	REFUSED(SSI_R_VMAS, vmas[0].flags = SSI_VMAF_WIPEONFORK);	/* a file */
	REFUSED(SSI_R_VMAS, vmas[3].flags = SSI_VMAF_DONTDUMP);		/* vdso */
	REFUSED(SSI_R_VMAS, vmas[2].flags = SSI_VMAF_LOCKED);		/* vvar */
	REFUSED(SSI_R_VMAS, vmas[1].flags = SSI_VMAF_MASK + 1);
	build();
	ck_assert_int_eq(ssi_img_check_vmas(vmas, 4, 1, &hdr,
			 &(struct ssi_img_env){ .task_size = VDSO }, &err), -EINVAL);
}
END_TEST

/* The file record made one of a segment of @pages pages, mapped by vmas[0]. */
static void make_segment(u64 id, u64 pages)
{
	struct ssi_img_file *f = (void *)files;

	f->digest_kind = SSI_DIGEST_DSM;
	f->digest_len = sizeof(id);
	memset(f->digest, 0, sizeof(f->digest));
	memcpy(f->digest, &id, sizeof(id));
	f->size = pages * PS;
	vmas[0].kind = SSI_VMA_DSM;
	vmas[0].prot = PROT_READ | PROT_WRITE;
}

START_TEST(test_segments)
{
	build();
	make_segment(0x1000000000001ULL, 4);
	reseal();
	ck_assert_int_eq(check_all(), 0);
	build();
	make_segment(0x1000000000001ULL, 2);
	vmas[0].pgoff = 0;
	vmas[0].flags = SSI_VMAF_DONTCOPY | SSI_VMAF_DONTDUMP | SSI_VMAF_NOHUGEPAGE;
	reseal();
	ck_assert_int_eq(check_all(), 0);
	/* the record */
	REFUSED(SSI_R_FILES, make_segment(0, 4));
	REFUSED(SSI_R_FILES, make_segment(7, 4); ((struct ssi_img_file *)files)->digest_len = 7);
	REFUSED(SSI_R_FILES, make_segment(7, 4); ((struct ssi_img_file *)files)->size = 100);
	REFUSED(SSI_R_FILES, make_segment(7, 0));
	REFUSED(SSI_R_FILES, make_segment(7, (SSI_DSM_SIZE_MAX / PS) + 1));
	REFUSED(SSI_R_FILES, make_segment(7, 4); ((struct ssi_img_file *)files)->digest[9] = 1);
	/* its mappings: within it, of the right kind, never locked */
	REFUSED(SSI_R_VMAS, make_segment(7, 4); vmas[0].pgoff = 3);
	REFUSED(SSI_R_VMAS, make_segment(7, 4); vmas[0].pgoff = 5);
	REFUSED(SSI_R_VMAS, make_segment(7, 1));
	REFUSED(SSI_R_VMAS, make_segment(7, 4); vmas[0].kind = SSI_VMA_FILE);
	REFUSED(SSI_R_VMAS, vmas[0].kind = SSI_VMA_DSM);
	REFUSED(SSI_R_VMAS, make_segment(7, 4); vmas[0].flags = SSI_VMAF_LOCKED);
	REFUSED(SSI_R_VMAS, make_segment(7, 4); vmas[0].flags = SSI_VMAF_WIPEONFORK);
}
END_TEST

static struct ssi_img_pages run(u64 addr, u32 nr)
{
	struct ssi_img_pages p = { .addr = addr, .nr_pages = nr };

	ssi_img_seal(&p, sizeof(p), offsetof(struct ssi_img_pages, crc));
	return p;
}

START_TEST(test_runs)
{
	struct ssi_img_runs rs = { .vmas = vmas, .nr_vmas = 4, .page_size = PS };
	const struct ssi_img_vma *v;
	struct ssi_img_pages p;
	struct ssi_img_end end = { 0 };

	build();
	p = run(0x400000, 1);
	ck_assert_int_eq(ssi_img_check_run(&rs, &p, &v, &err), 0);
	ck_assert_ptr_eq(v, &vmas[0]);
	p = run(0x400000, 1);					/* overlap */
	ck_assert_int_eq(ssi_img_check_run(&rs, &p, &v, &err), -EINVAL);
	p = run(0x401000, 2);					/* crosses a vma */
	ck_assert_int_eq(ssi_img_check_run(&rs, &p, &v, &err), -EINVAL);
	p = run(0x403000, 1);
	ck_assert_int_eq(ssi_img_check_run(&rs, &p, &v, &err), 0);
	ck_assert_ptr_eq(v, &vmas[1]);
	p = run(0x500000, 1);					/* in no vma */
	ck_assert_int_eq(ssi_img_check_run(&rs, &p, &v, &err), -EINVAL);
	p = run(VDSO, 1);
	ck_assert_int_eq(ssi_img_check_run(&rs, &p, &v, &err), -EINVAL);
	p = run(VDSO + 2 * PS + 12, 1);
	ck_assert_int_eq(ssi_img_check_run(&rs, &p, &v, &err), -EINVAL);
	p = run(VDSO + 2 * PS, SSI_IMG_MAX_RUN + 1);
	ck_assert_int_eq(ssi_img_check_run(&rs, &p, &v, &err), -EINVAL);
	p = run(0x1000, 0);					/* bad terminator */
	ck_assert_int_eq(ssi_img_check_run(&rs, &p, &v, &err), -EINVAL);
	p = run(0, 0);
	p.crc ^= 1;
	ck_assert_int_eq(ssi_img_check_run(&rs, &p, &v, &err), -EINVAL);
	ck_assert_uint_eq(err.reason, SSI_R_CSUM);
	p = run(0, 0);
	ck_assert_int_eq(ssi_img_check_run(&rs, &p, &v, &err), 1);

	end.nr_pages = 2;
	end.nr_runs = 2;
	end.image_bytes = 1000;
	ck_assert_int_eq(ssi_img_check_end(&end, &rs, 1000, &err), 0);
	ck_assert_int_eq(ssi_img_check_end(&end, &rs, 1001, &err), -EINVAL);
	end.nr_pages = 3;
	ck_assert_int_eq(ssi_img_check_end(&end, &rs, 1000, &err), -EINVAL);
	ck_assert_uint_eq(err.reason, SSI_R_END);

	/* a segment's pages are never in the image */
	build();
	make_segment(7, 4);
	rs = (struct ssi_img_runs){ .vmas = vmas, .nr_vmas = 4, .page_size = PS };
	p = run(0x400000, 1);
	ck_assert_int_eq(ssi_img_check_run(&rs, &p, &v, &err), -EINVAL);
	ck_assert_uint_eq(err.reason, SSI_R_PAGES);
}
END_TEST

/*
 * @len bytes of notes placed to end exactly where a PROT_NONE page
 * starts: a read past them faults, so the test catches it even without
 * a sanitizer.
 */
static u8 *notes_at_guard(const void *notes, size_t len, void **map)
{
	long pg = sysconf(_SC_PAGESIZE);
	u8 *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(m, MAP_FAILED);
	ck_assert_int_eq(mprotect(m + pg, pg, PROT_NONE), 0);
	memcpy(m + pg - len, notes, len);
	*map = m;
	return m + pg - len;
}

/* One note: header, name padded to 4, desc padded to 4 (unless @short_pad). */
static size_t put_note(u8 *p, u32 type, const char *name, u32 namesz,
		       const u8 *desc, u32 descsz, int short_pad)
{
	u32 h[3] = { namesz, descsz, type };
	size_t off = sizeof(h);

	memcpy(p, h, sizeof(h));
	memcpy(p + off, name, namesz);
	off += (namesz + 3) & ~3U;
	memcpy(p + off, desc, descsz);
	off += short_pad ? descsz : (descsz + 3) & ~3U;
	return off;
}

START_TEST(test_build_id_note)
{
	static const u8 id[20] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6,
				   7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	u8 buf[256], digest[SSI_IMG_DIGEST_LEN], *n;
	size_t len;
	void *map;

	/* another note, then the build id */
	len = put_note(buf, 1, "GNU", 4, id, 16, 0);
	len += put_note(buf + len, 3, "GNU", 4, id, sizeof(id), 0);
	n = notes_at_guard(buf, len, &map);
	ck_assert_uint_eq(ssi_note_build_id(n, len, 4, digest), sizeof(id));
	ck_assert_int_eq(memcmp(digest, id, sizeof(id)), 0);
	munmap(map, 2 * sysconf(_SC_PAGESIZE));

	/*
	 * A last note whose desc ends unpadded at the end of the segment:
	 * the next note would start past it, and nothing may be read there.
	 */
	len = put_note(buf, 1, "XY", 3, id, 5, 1);
	n = notes_at_guard(buf, len, &map);
	ck_assert_uint_eq(ssi_note_build_id(n, len, 4, digest), 0);
	munmap(map, 2 * sysconf(_SC_PAGESIZE));

	/* sizes that claim more than there is, or wrap */
	len = put_note(buf, 3, "GNU", 4, id, sizeof(id), 0);
	((u32 *)buf)[1] = 0xfffffffc;
	n = notes_at_guard(buf, len, &map);
	ck_assert_uint_eq(ssi_note_build_id(n, len, 4, digest), 0);
	ck_assert_uint_eq(ssi_note_build_id(n, len, 8, digest), 0);
	munmap(map, 2 * sysconf(_SC_PAGESIZE));
	((u32 *)buf)[0] = 0xffffffff;
	((u32 *)buf)[1] = 20;
	n = notes_at_guard(buf, len, &map);
	ck_assert_uint_eq(ssi_note_build_id(n, len, 4, digest), 0);
	munmap(map, 2 * sysconf(_SC_PAGESIZE));
	/* less than a header */
	n = notes_at_guard(buf, 8, &map);
	ck_assert_uint_eq(ssi_note_build_id(n, 8, 4, digest), 0);
	munmap(map, 2 * sysconf(_SC_PAGESIZE));
}
END_TEST

static Suite *image_suite(void)
{
	Suite *s = suite_create("image");
	TCase *tc = tcase_create("checks");

	tcase_add_test(tc, test_layout);
	tcase_add_test(tc, test_crc);
	tcase_add_test(tc, test_valid);
	tcase_add_test(tc, test_header);
	tcase_add_test(tc, test_section);
	tcase_add_test(tc, test_task);
	tcase_add_test(tc, test_thread);
	tcase_add_test(tc, test_affinity);
	tcase_add_test(tc, test_mempolicy);
	tcase_add_test(tc, test_sigqueue);
	tcase_add_test(tc, test_timers);
	tcase_add_test(tc, test_xstate);
	tcase_add_test(tc, test_mm);
	tcase_add_test(tc, test_ldt_section);
	tcase_add_test(tc, test_files);
	tcase_add_test(tc, test_vmas);
	tcase_add_test(tc, test_segments);
	tcase_add_test(tc, test_runs);
	tcase_add_test(tc, test_build_id_note);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	int failed = check_run(image_suite());

	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
