/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ssi_image.h - the process image format of slurm-ssi (SSI_IMG_VERSION).
 *
 * Written by ssi.ko on the home node (SSI_IOC_DUMP), carried by ssid over
 * the wire, read by ssi.ko on the remote node (SSI_IOC_RESTORE) and by
 * kmod/tools/ssi-img.  The prose specification is doc/image-format.md;
 * this header is its normative C form and the only definition of the
 * layout.
 *
 * An image is a byte stream (it may arrive through a pipe or a socket):
 *
 *   struct ssi_img_header                  fixed, checksummed
 *   section TASK    struct ssi_img_task     registers, signals, limits
 *   section XSTATE  raw XSAVE (UABI) area   FPU/SSE/AVX state
 *   section MM      struct ssi_img_mm       mm layout fields, auxv
 *   section FILES   struct ssi_img_file[]   identities of mapped files
 *   section VMAS    struct ssi_img_vma[]    address space layout
 *   section THREAD  struct ssi_img_thread   one per thread but the leader,
 *                   + its XSAVE area        (header.nr_threads - 1 of them)
 *   section PAGES   runs of pages           streamed, terminated by a 0 run
 *   section END     struct ssi_img_end      totals
 *
 * Every section starts with a struct ssi_img_section whose own CRC and
 * the CRC of its payload are checked before anything in it is used.  All
 * integers are in the byte order of the architecture named in the header
 * (little endian for x86-64, the only one so far).  CRCs are CRC-32C
 * (Castagnoli), initial value ~0, final xor ~0 (the iSCSI/ext4 variant:
 * crc32c("123456789") == 0xe3069283).
 *
 * Rules for changes: any change of layout or meaning bumps
 * SSI_IMG_VERSION; new optional data goes into a new section type with
 * SSI_SECF_OPTIONAL set, which older readers skip.  Reserved fields are
 * written as zero and a reader refuses non-zero ones.
 *
 * Changelog:
 *  1  initial: single-threaded x86-64 tasks, private mappings only.
 *  2  threads: per-thread state in struct ssi_img_thread (the leader's in
 *     ssi_img_task.leader, the others' in THREAD sections);
 *     header.nr_threads.
 *  3  itimers: ssi_img_task.itimer_real, itimer_virt, itimer_prof;
 *     ssi_img_task.sigpending (no reserved fields left).
 *  4  attributes: SSI_VMAF_* madvise and mlock bits, now restored;
 *     ssi_img_mm.flags (mlockall MCL_FUTURE, THP disabled) and .dumpable;
 *     ssi_img_thread.timer_slack_ns, .default_slack_ns, .pdeath_signal,
 *     .flags (no_new_privs).
 *  5  scheduling: ssi_img_thread.sched_policy, .sched_nice,
 *     .sched_priority, .ioprio; SSI_THRF_SCHED_RESET_ON_FORK;
 *     ssi_img_task.oom_score_adj, .oom_score_adj_min, .flags
 *     (SSI_TASKF_CHILD_SUBREAPER).
 *  6  pending signals: SSI_SEC_SIGQUEUE, every queued signal with its
 *     siginfo; ssi_img_task.sigpending holds realtime signals too.
 *  7  POSIX timers: SSI_SEC_TIMERS; ssi_img_task.posix_timer_next.
 *  8  LDT and protection keys: SSI_SEC_LDT; ssi_img_mm.pkeys and
 *     .pkey_exec_only; ssi_img_vma.pkey.  Timers on CPU-time clocks.
 *     Resource usage: ssi_img_task.ru_self, .ru_children.
 *  9  per-thread CPU clock and resource usage: ssi_img_thread.ru,
 *     .cputime_ns.
 * 10  CPU affinity: ssi_img_thread.cpus, SSI_THRF_CPUS_ANY.
 * 11  shared memory kept coherent across nodes: SSI_VMA_DSM, and the
 *     FILES records of kind SSI_DIGEST_DSM that name its segments.
 * 12  NUMA memory policy of each thread: ssi_img_thread.mempolicy; of
 *     each private mapping: ssi_img_vma.mpol_mode, .mpol_flags and
 *     .mpol_nodes (nodes 0..63), in what was pad and reserved.
 */
#ifndef _UAPI_LINUX_SSI_IMAGE_H
#define _UAPI_LINUX_SSI_IMAGE_H

#include <linux/types.h>

#define SSI_IMG_MAGIC		0x474d4953U	/* "SIMG" in a little-endian dump */
#define SSI_IMG_VERSION		12
#define SSI_IMG_ARCH_X86_64	62		/* ELF e_machine EM_X86_64 */

/* Bounds a reader enforces before allocating anything. */
#define SSI_IMG_MAX_VMAS	65536		/* > default vm.max_map_count */
#define SSI_IMG_MAX_FILES	1024
#define SSI_IMG_MAX_FILES_BYTES	(1U << 20)	/* whole FILES payload */
#define SSI_IMG_MAX_PATH	4096		/* PATH_MAX, NUL included */
#define SSI_IMG_MAX_XSTATE	(64U << 10)	/* UABI XSAVE with AMX is ~11 KiB */
#define SSI_IMG_MAX_RUN		512		/* pages per run: 2 MiB */
#define SSI_IMG_MAX_THREADS	1024
#define SSI_IMG_MAX_SIGQUEUE	1024		/* queued signals; more: refused */
#define SSI_IMG_MAX_TIMERS	4096		/* POSIX timers; more: refused */
#define SSI_IMG_MAX_LDT		8192		/* LDT_ENTRIES */
#define SSI_IMG_NR_PKEYS	16		/* x86 protection keys */
#define SSI_IMG_SIGINFO_LEN	48		/* sizeof(struct kernel_siginfo) */
#define SSI_IMG_AUXV_WORDS	64		/* >= the kernel's AT_VECTOR_SIZE */
#define SSI_IMG_NSIG		64
#define SSI_IMG_NRLIMIT		16
#define SSI_IMG_CPU_WORDS	16		/* CPUs 0..1023 in a thread's mask */
#define SSI_IMG_NODE_WORDS	16		/* NUMA nodes 0..1023 in a policy */
#define SSI_IMG_RELEASE_LEN	72		/* utsname release (65) padded */
#define SSI_IMG_DIGEST_LEN	32		/* room for SHA-256 */

/**
 * struct ssi_img_header - first 256 bytes of every image
 * @magic:	SSI_IMG_MAGIC.
 * @version:	SSI_IMG_VERSION.
 * @header_size: sizeof(struct ssi_img_header) of the writer.
 * @arch:	SSI_IMG_ARCH_*.
 * @page_size:	page size of the home node; must equal the reader's.
 * @flags:	none defined; must be 0.
 * @home_pid:	pid of the task on the home node (informational).
 * @dump_time_ns: CLOCK_REALTIME at the dump (informational).
 * @release:	utsname release of the home kernel, NUL-padded; the reader
 *		requires an exact match: a restored process keeps the kernel ABI
 *		it saw, so nodes must run the same kernel.
 * @vdso_digest: SHA-256 of the [vdso] pages of the dumped task.  Restored
 *		code may hold pointers into the vDSO (glibc caches them), so the
 *		remote vDSO must be byte-identical and at the same address.
 * @vdso_start, @vdso_end, @vvar_start, @vvar_end: where [vdso] and [vvar]
 *		are mapped in the task; 0 if absent.
 * @xfeatures:	XSAVE features valid in the task's UABI buffers.
 * @xstate_size: size of the XSTATE section payload (and of the XSAVE area
 *		in each THREAD section).
 * @nr_threads:	threads of the process, the leader included (>= 1).
 * @reserved:	must be zero.
 * @crc:	CRC-32C of the 256 header bytes with @crc taken as zero.
 */
struct ssi_img_header {
	__u32 magic;
	__u16 version;
	__u16 header_size;
	__u32 arch;
	__u32 page_size;
	__u32 flags;
	__s32 home_pid;
	__u64 dump_time_ns;
	char  release[SSI_IMG_RELEASE_LEN];
	__u8  vdso_digest[SSI_IMG_DIGEST_LEN];
	__u64 vdso_start;
	__u64 vdso_end;
	__u64 vvar_start;
	__u64 vvar_end;
	__u64 xfeatures;
	__u32 xstate_size;
	__u32 nr_threads;
	__u64 reserved[8];
	__u32 pad;
	__u32 crc;
};

/* Section types, in the order they must appear. */
enum ssi_img_section_type {
	SSI_SEC_TASK	= 1,
	SSI_SEC_XSTATE	= 2,
	SSI_SEC_MM	= 3,
	SSI_SEC_FILES	= 4,
	SSI_SEC_VMAS	= 5,
	SSI_SEC_PAGES	= 6,
	SSI_SEC_END	= 7,
	SSI_SEC_THREAD	= 8,	/* between VMAS and PAGES */
	SSI_SEC_SIGQUEUE = 9,	/* after the THREADs, before PAGES */
	SSI_SEC_TIMERS	= 10,	/* after SIGQUEUE, before PAGES */
	SSI_SEC_LDT	= 11,	/* after TIMERS, before PAGES */
};

/* A reader that does not know the type may skip the section. */
#define SSI_SECF_OPTIONAL	0x1U
#define SSI_SECF_MASK		SSI_SECF_OPTIONAL

/**
 * struct ssi_img_section - header in front of every section
 * @type:	enum ssi_img_section_type.
 * @flags:	SSI_SECF_*.
 * @size:	payload bytes following this header; 0 for PAGES, whose
 *		payload is a stream of runs ended by a run of 0 pages.
 * @count:	number of items in the payload (see each section).
 * @data_crc:	CRC-32C of the payload (0 for PAGES: every run has its own).
 * @reserved:	must be zero.
 * @crc:	CRC-32C of this header with @crc taken as zero.
 */
struct ssi_img_section {
	__u32 type;
	__u32 flags;
	__u64 size;
	__u32 count;
	__u32 data_crc;
	__u32 reserved;
	__u32 crc;
};

/*
 * User registers in the layout of struct user_regs_struct (x86-64), so
 * that ptrace-minded readers recognise them.  @orig_ax is always -1 in an
 * image: an interrupted system call has been turned back into "about to
 * execute the syscall instruction" (see enum ssi_img_restart).
 */
struct ssi_img_regs {
	__u64 r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	__u64 ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
	__u64 fs_base, gs_base, ds, es, fs, gs;
};

/* One signal's disposition, as in the kernel's struct sigaction. */
struct ssi_img_sigaction {
	__u64 handler;		/* SIG_DFL (0), SIG_IGN (1) or a user address */
	__u64 flags;		/* SA_* */
	__u64 restorer;
	__u64 mask;		/* signals 1..64 as bits 0..63 */
};

struct ssi_img_rlimit {
	__u64 cur;
	__u64 max;
};

/*
 * How the dump found a thread (ssi_img_thread.restart).  For the four
 * interrupted kinds the registers are rewound to re-execute the syscall
 * (ax = number, ip at the syscall instruction), and the kind keeps the
 * kernel's restart rule for the restorer: if a signal with a handler is
 * already pending when the task resumes, it behaves as if that signal had
 * interrupted the call (-EINTR for NOHAND and BLOCK, for SYS without
 * SA_RESTART), exactly as arch/x86 handle_signal() decides.
 */
enum ssi_img_restart {
	SSI_RESTART_NONE	= 0,	/* not in a system call */
	SSI_RESTART_DONE	= 1,	/* syscall finished: ax is its result */
	SSI_RESTART_SYS		= 2,	/* -ERESTARTSYS */
	SSI_RESTART_NOINTR	= 3,	/* -ERESTARTNOINTR */
	SSI_RESTART_NOHAND	= 4,	/* -ERESTARTNOHAND */
	SSI_RESTART_BLOCK	= 5,	/* -ERESTART_RESTARTBLOCK: re-executed from
					 * the start (the restart_block is the home
					 * kernel's); a relative timeout starts over */
};

/**
 * struct ssi_img_rusage - the counters of getrusage(2)
 * @utime_ns, @stime_ns: user and system CPU time as the kernel counts it
 *		(by ticks; getrusage() scales the pair to the CPU clock).
 * @prev_utime_ns, @prev_stime_ns: the pair getrusage() last reported
 *		(it never reports less); 0 for children.
 * @maxrss_kb:	the largest resident set, KiB.
 * @minflt, @majflt, @nvcsw, @nivcsw, @inblock, @oublock: as struct rusage.
 */
struct ssi_img_rusage {
	__u64 utime_ns, stime_ns;
	__u64 prev_utime_ns, prev_stime_ns;
	__u64 maxrss_kb;
	__u64 minflt, majflt;
	__u64 nvcsw, nivcsw;
	__u64 inblock, oublock;
};

/**
 * struct ssi_img_thread - the state of one thread
 * @regs:	user registers, normalised (see enum ssi_img_restart).
 * @sigmask:	blocked signals (the mask to return to if the thread sat in
 *		sigsuspend/ppoll/pselect with a temporary mask).
 * @altstack_sp, @altstack_size, @altstack_flags: sigaltstack (SS_* flags;
 *		SS_DISABLE when none).
 * @restart:	enum ssi_img_restart.
 * @rseq, @rseq_len, @rseq_sig: rseq(2) registration; @rseq 0 if none.
 * @clear_child_tid: set_tid_address(2) value.
 * @robust_list, @robust_list_len: set_robust_list(2) values.
 * @syscall_nr:	the interrupted or finished system call, -1 if none.
 * @home_tid:	the thread's id on the home node (informational).
 * @comm:	thread name, NUL-terminated.
 * @timer_slack_ns, @default_slack_ns: PR_SET_TIMERSLACK (0: keep).
 * @pdeath_signal: PR_SET_PDEATHSIG (0..64).
 * @flags:	SSI_THRF_*.
 * @sched_policy: SSI_SCHED_* (the values of <linux/sched.h>), the base
 *		policy (not one a priority-inheriting futex lent it).
 * @sched_nice:	-20..19 (it also weighs SCHED_BATCH and is kept, unused,
 *		under the realtime policies, as the kernel keeps it).
 * @sched_priority: 1..99 under SCHED_FIFO and SCHED_RR, else 0.
 * @ioprio:	ioprio_set(2) value (class << 13 | hint << 3 | level);
 *		0 (class NONE): follow the nice value, as never set.
 * @ru:		what getrusage(RUSAGE_THREAD) counts for the thread
 *		(@ru.maxrss_kb unused, 0: the thread's is the process's).
 * @cputime_ns:	the thread's CPU clock (CLOCK_THREAD_CPUTIME_ID), which
 *		goes on from there after the restore.
 * @cpus:	the CPUs it may run on (sched_setaffinity(2)), bit N of word
 *		N / 64 for CPU N; not empty.  With SSI_THRF_CPUS_ANY it could
 *		run on every CPU of its node: the node it goes to gives it its
 *		own (what it gives its own processes); else it is bound to
 *		these, and a node that cannot give it all of them refuses it.
 */
/*
 * A thread's NUMA memory policy (set_mempolicy(2)) as get_mempolicy(2)
 * reads it back: @mode (SSI_MPOL_*), @flags (SSI_MPOL_F_*, the mode
 * flags), @nodes (the nodes it names: the ones given when it has
 * SSI_MPOL_F_STATIC_NODES or SSI_MPOL_F_RELATIVE_NODES, else the ones in
 * force; none for DEFAULT and LOCAL).  The values are the kernel's
 * <linux/mempolicy.h> ABI.
 */
struct ssi_img_mempolicy {
	__u16 mode;
	__u16 flags;
	__u32 reserved;
	__u64 nodes[SSI_IMG_NODE_WORDS];
};

#define SSI_MPOL_DEFAULT	0
#define SSI_MPOL_PREFERRED	1
#define SSI_MPOL_BIND		2
#define SSI_MPOL_INTERLEAVE	3
#define SSI_MPOL_LOCAL		4
#define SSI_MPOL_PREFERRED_MANY	5
#define SSI_MPOL_MAX		5
#define SSI_MPOL_F_NUMA_BALANCING (1U << 13)
#define SSI_MPOL_F_RELATIVE_NODES (1U << 14)
#define SSI_MPOL_F_STATIC_NODES	(1U << 15)
#define SSI_MPOL_F_MASK		(SSI_MPOL_F_NUMA_BALANCING | SSI_MPOL_F_RELATIVE_NODES | \
				 SSI_MPOL_F_STATIC_NODES)

struct ssi_img_thread {
	struct ssi_img_regs regs;
	__u64 sigmask;
	__u64 altstack_sp;
	__u64 altstack_size;
	__u32 altstack_flags;
	__u32 restart;
	__u64 rseq;
	__u32 rseq_len;
	__u32 rseq_sig;
	__u64 clear_child_tid;
	__u64 robust_list;
	__u64 robust_list_len;
	__s32 syscall_nr;
	__s32 home_tid;
	char  comm[16];
	__u64 timer_slack_ns;
	__u64 default_slack_ns;
	__s32 pdeath_signal;
	__u32 flags;
	__u32 sched_policy;
	__s32 sched_nice;
	__u32 sched_priority;
	__u32 ioprio;
	struct ssi_img_rusage ru;
	__u64 cputime_ns;
	__u64 cpus[SSI_IMG_CPU_WORDS];
	struct ssi_img_mempolicy mempolicy;
};

/* ssi_img_thread.flags */
#define SSI_THRF_NO_NEW_PRIVS	0x1U	/* prctl(PR_SET_NO_NEW_PRIVS) */
#define SSI_THRF_SCHED_RESET_ON_FORK 0x2U /* SCHED_RESET_ON_FORK */
#define SSI_THRF_CPUS_ANY	0x4U	/* not bound: @cpus held every CPU */
#define SSI_THRF_MASK		(SSI_THRF_NO_NEW_PRIVS | SSI_THRF_SCHED_RESET_ON_FORK | \
				 SSI_THRF_CPUS_ANY)

/*
 * ssi_img_thread.sched_policy: the policies an image may carry.
 * SCHED_DEADLINE (6) is not one: its bandwidth is admitted per CPU set
 * and could be refused after the point of no return.
 */
#define SSI_SCHED_NORMAL	0
#define SSI_SCHED_FIFO		1
#define SSI_SCHED_RR		2
#define SSI_SCHED_BATCH		3
#define SSI_SCHED_IDLE		5
#define SSI_SCHED_NICE_MIN	(-20)
#define SSI_SCHED_NICE_MAX	19
#define SSI_SCHED_RT_PRIO_MAX	99
#define SSI_IOPRIO_CLASS_SHIFT	13
#define SSI_IOPRIO_CLASS_MAX	3	/* IOPRIO_CLASS_IDLE */

/* A CPU-time itimer (ns): what is left of it, and its interval. */
struct ssi_img_itimer {
	__u64 value;
	__u64 interval;
};

/*
 * The signals ssi_img_task.sigpending may hold: 1..64 (bit n - 1), less
 * SIGKILL (9) and SIGSTOP (19).
 */
#define SSI_IMG_SIGPENDING_MASK	(~0ULL & ~((1ULL << 8) | (1ULL << 18)))

/* Longest itimer value or interval an image may carry (about 146 years). */
#define SSI_IMG_ITIMER_MAX	(1ULL << 62)

/*
 * Most CPU time (ns) an image's counters may hold, each (about 146 years):
 * the kernel adds a process's or a thread's user and system time and
 * divides by the sum (cputime_adjust()), which must not wrap.
 */
#define SSI_IMG_CPUTIME_MAX	(1ULL << 62)

/**
 * struct ssi_img_task - payload of SSI_SEC_TASK (count 1)
 * @leader:	the thread-group leader's state.
 * @personality: personality(2) value.
 * @nr_rlimits:	SSI_IMG_NRLIMIT; @rlim is indexed by RLIMIT_*.
 * @sigactions:	signal n is at index n - 1.
 * @cputime_ns:	CPU time the process used so far (its CLOCK_PROCESS_CPUTIME_ID),
 *		which goes on from there after the restore.
 * @itimer_real: ITIMER_REAL (and alarm()): time left until it fires when
 *		the process was frozen (0: disarmed), and its interval, in ns.
 * @itimer_virt, @itimer_prof: ITIMER_VIRTUAL and ITIMER_PROF: CPU time
 *		left until they fire (0: disarmed) and their interval, in ns.
 * @sigpending:	signals (bit n - 1) pending on the process or its leader
 *		when it was frozen, SIGKILL and SIGSTOP excepted.  A process
 *		coming home gets those SSI_SEC_SIGQUEUE has no record of again,
 *		as sent by the kernel (the kernel keeps a standard signal
 *		without its siginfo when it has no memory for one); one going
 *		away leaves them with its deputy, which relays them.
 * @oom_score_adj, @oom_score_adj_min: /proc/PID/oom_score_adj and the
 *		floor an unprivileged write may not go below (-1000..1000).
 * @flags:	SSI_TASKF_*.
 * @ru_self, @ru_children: what getrusage(2) counts for the process and
 *		for its children waited for (times(2) too).
 * @posix_timer_next: the id the process's next timer_create(2) tries
 *		first (the kernel's per-process counter, 0..INT_MAX).
 * @reserved:	zero.
 */
struct ssi_img_task {
	struct ssi_img_thread leader;
	__u32 personality;
	__u32 nr_rlimits;
	struct ssi_img_rlimit rlim[SSI_IMG_NRLIMIT];
	struct ssi_img_sigaction sigactions[SSI_IMG_NSIG];
	__u64 cputime_ns;
	struct ssi_img_itimer itimer_real;
	struct ssi_img_itimer itimer_virt;
	struct ssi_img_itimer itimer_prof;
	__u64 sigpending;
	__s16 oom_score_adj;
	__s16 oom_score_adj_min;
	__u32 flags;
	__u32 posix_timer_next;
	__u32 reserved;
	struct ssi_img_rusage ru_self;
	struct ssi_img_rusage ru_children;
};

/* ssi_img_task.flags */
#define SSI_TASKF_CHILD_SUBREAPER 0x1U	/* prctl(PR_SET_CHILD_SUBREAPER) */
#define SSI_TASKF_MASK		SSI_TASKF_CHILD_SUBREAPER
#define SSI_OOM_SCORE_ADJ_MAX	1000

/**
 * struct ssi_img_siginfo - one record of SSI_SEC_SIGQUEUE (count = records,
 * 0 or more; the section is always there)
 * A signal queued on the process, or on one of its threads, when it froze,
 * in the order of its queue.  A process coming home has them queued again
 * with their siginfo (its remote copy is discarded); one going away leaves
 * them with its deputy, which relays them.
 * @tid:	the home tid of the thread it is queued on; 0: the process.
 * @reserved:	zero.
 * @info:	the head of its siginfo_t, as rt_sigqueueinfo(2) takes it
 *		(si_signo, si_errno, si_code, then the union).
 */
struct ssi_img_siginfo {
	__u32 tid;
	__u32 reserved;
	__u8  info[SSI_IMG_SIGINFO_LEN];
};

/*
 * The clocks a carried POSIX timer may count: hrtimer ones (<time.h>), or
 * a CPU-time clock as the kernel encodes it (negative: ~pid << 3, the
 * per-thread bit, which of PROF, VIRT, SCHED), normalised by the dump:
 * the process's own clock with pid 0, a thread's with its home tid.
 */
#define SSI_CLOCK_REALTIME	0
#define SSI_CLOCK_MONOTONIC	1
#define SSI_CLOCK_BOOTTIME	7
#define SSI_CLOCK_TAI		11
#define SSI_CPUCLOCK_PERTHREAD	4
#define SSI_CPUCLOCK_WHICH(c)	((c) & 3)	/* 0 PROF, 1 VIRT, 2 SCHED */
#define SSI_CPUCLOCK_PID(c)	((__s32)~((c) >> 3))
#define SSI_CPUCLOCK_WHICH_MAX	2

/* How it notifies (the kernel's sigev_notify; SIGEV_THREAD is glibc's). */
#define SSI_SIGEV_SIGNAL	0
#define SSI_SIGEV_NONE		1
#define SSI_SIGEV_THREAD	2	/* from a raw syscall: as SIGNAL */
#define SSI_SIGEV_THREAD_ID	4

/* ssi_img_posix_timer.flags */
#define SSI_PTIMER_ABS_REALTIME	0x1U	/* armed with TIMER_ABSTIME on CLOCK_REALTIME */
#define SSI_PTIMER_FLAGS	SSI_PTIMER_ABS_REALTIME

/**
 * struct ssi_img_posix_timer - one record of SSI_SEC_TIMERS (count =
 * records, 0 or more; the section is always there), in no order
 * A timer the process made with timer_create(2).  Those on an alarm
 * clock or on another process's CPU-time clock are not carried: the dump
 * is refused.
 * @id:		its id (timer_t; si_timerid), 0..INT_MAX, unique.
 * @clock:	SSI_CLOCK_*.
 * @notify:	SSI_SIGEV_SIGNAL (or SSI_SIGEV_THREAD, which the kernel
 *		takes for it), SSI_SIGEV_NONE, or SSI_SIGEV_SIGNAL |
 *		SSI_SIGEV_THREAD_ID.
 * @signo:	sigev_signo (1..64 but SIGKILL and SIGSTOP, or anything
 *		with SSI_SIGEV_NONE, which sends nothing).
 * @tid:	with SSI_SIGEV_THREAD_ID the home tid of the thread it
 *		signals, one of the image's; else 0.
 * @flags:	SSI_PTIMER_*.
 * @value:	sigev_value.
 * @expires:	0: disarmed; else ns until it fires (as timer_gettime(2)
 *		says, at the freeze; on a CPU-time clock, ns of that clock),
 *		or with SSI_PTIMER_ABS_REALTIME the
 *		CLOCK_REALTIME it fires at.  A periodic timer whose signal is
 *		pending at the freeze has its next period here (the signal
 *		is in SSI_SEC_SIGQUEUE).
 * @interval:	its period in ns; 0: one-shot.
 * @overrun:	what timer_getoverrun(2) returns (-1 .. INT_MAX).
 */
struct ssi_img_posix_timer {
	__s32 id;
	__s32 clock;
	__s32 notify;
	__s32 signo;
	__s32 tid;
	__u32 flags;
	__u64 value;
	__u64 expires;
	__u64 interval;
	__s64 overrun;
};

/*
 * SSI_SEC_LDT (count = descriptors, 0..SSI_IMG_MAX_LDT; the section is
 * always there): the process's LDT (modify_ldt(2)), entry 0 first, each
 * the 8-byte x86 segment descriptor that modify_ldt(0, ...) reads.  The
 * task that becomes the process makes it before the restore, which
 * checks it byte for byte; the module never writes an LDT.
 */

/*
 * SSI_SEC_THREAD (count 1): a struct ssi_img_thread followed by the
 * thread's XSAVE area (header.xstate_size bytes, as in SSI_SEC_XSTATE).
 * One section per thread other than the leader, in no particular order.
 */

/*
 * SSI_SEC_XSTATE (count 1): the task's FPU/vector state in the standard
 * (non-compacted) XSAVE layout that ptrace's NT_X86_XSTATE uses: 512-byte
 * legacy area, 64-byte XSAVE header, extended components at their CPUID
 * offsets.  Its size is ssi_img_header.xstate_size.
 */

/**
 * struct ssi_img_mm - payload of SSI_SEC_MM (count 1)
 * Fields as in struct mm_struct (and prctl(PR_SET_MM_MAP)).
 * @nr_auxv:	number of words used in @auxv (id/value pairs, AT_NULL pair
 *		included).
 * @pkeys:	the protection keys allocated (pkey_alloc(2)): bit n for key
 *		n, bit 0 (the default key) always; 0 if the home CPU has none.
 * @pkey_exec_only: the key the kernel gave execute-only mappings
 *		(mprotect(PROT_EXEC)), one of @pkeys; 0 if none (key 0 never
 *		is).
 * @reserved:	must be zero.
 */
struct ssi_img_mm {
	__u64 start_code, end_code, start_data, end_data;
	__u64 start_brk, brk, start_stack;
	__u64 arg_start, arg_end, env_start, env_end;
	__u32 nr_auxv;
	__u32 flags;
	__u64 auxv[SSI_IMG_AUXV_WORDS];
	__u32 dumpable;
	__u32 pad;
	__u32 pkeys;
	__u32 pkey_exec_only;
	__u64 reserved[2];
};

/* ssi_img_mm.flags */
#define SSI_MMF_LOCK_FUTURE	0x1U	/* mlockall(MCL_FUTURE) */
#define SSI_MMF_LOCK_ONFAULT	0x2U	/* ... | MCL_ONFAULT */
#define SSI_MMF_NO_THP		0x4U	/* prctl(PR_SET_THP_DISABLE) */
#define SSI_MMF_MASK		(SSI_MMF_LOCK_FUTURE | SSI_MMF_LOCK_ONFAULT | \
				 SSI_MMF_NO_THP)
#define SSI_IMG_DUMPABLE_MAX	2	/* SUID_DUMP_ROOT */

enum ssi_img_digest_kind {
	SSI_DIGEST_BUILDID	= 1,	/* ELF NT_GNU_BUILD_ID, 1..32 bytes */
	SSI_DIGEST_SHA256	= 2,	/* SHA-256 of the whole file */
	SSI_DIGEST_DSM		= 3,	/* not a file: a DSM segment, its id
					 * (struct ssi_dsm_open), 8 bytes LE */
};

/**
 * struct ssi_img_file - one record of SSI_SEC_FILES (count = records)
 * Identity of a file that private mappings refer to.  Nodes have their own
 * root file systems, so identity is content (digest + size), never dev/ino.
 * A record of kind SSI_DIGEST_DSM names a DSM segment instead, which
 * SSI_VMA_DSM mappings refer to: @size is the segment's, @path what
 * /proc/PID/maps showed for it (e.g. "/dev/zero (deleted)"), the restorer
 * supplies this node's copy of it (never opened by path).
 * @rec_size:	bytes of this record including the path; a multiple of 8.
 * @path_len:	strlen(path); the path follows this struct, NUL-terminated,
 *		zero-padded to @rec_size.
 * @size:	file size at the dump.
 * @mtime_sec, @mtime_nsec: modification time (recorded, not compared: a
 *		package installed on two nodes has equal content, maybe not
 *		equal mtime).
 * @digest_kind: enum ssi_img_digest_kind.
 * @digest_len: bytes used in @digest.
 * @mode:	st_mode (informational).
 */
struct ssi_img_file {
	__u32 rec_size;
	__u32 path_len;
	__u64 size;
	__s64 mtime_sec;
	__u32 mtime_nsec;
	__u32 digest_kind;
	__u32 digest_len;
	__u32 mode;
	__u8  digest[SSI_IMG_DIGEST_LEN];
};

enum ssi_img_vma_kind {
	SSI_VMA_ANON	= 1,	/* private anonymous */
	SSI_VMA_FILE	= 2,	/* private file mapping (ssi_img_vma.file) */
	SSI_VMA_HEAP	= 3,	/* the brk area [start_brk, brk) */
	SSI_VMA_STACK	= 4,	/* the main stack (grows down) */
	SSI_VMA_VDSO	= 5,	/* [vdso]: not restored, must already match */
	SSI_VMA_VVAR	= 6,	/* [vvar]: idem */
	SSI_VMA_DSM	= 7,	/* shared memory of a DSM segment (.file):
				 * its pages are the segment's, not in the
				 * image */
};

#define SSI_VMAF_GROWSDOWN	0x1U	/* MAP_GROWSDOWN */
#define SSI_VMAF_LOCKED		0x2U	/* mlock(): populated and locked */
#define SSI_VMAF_LOCKONFAULT	0x4U	/* mlock2(MLOCK_ONFAULT), with LOCKED */
#define SSI_VMAF_DONTCOPY	0x8U	/* MADV_DONTFORK */
#define SSI_VMAF_WIPEONFORK	0x10U	/* MADV_WIPEONFORK (anonymous only) */
#define SSI_VMAF_DONTDUMP	0x20U	/* MADV_DONTDUMP */
#define SSI_VMAF_HUGEPAGE	0x40U	/* MADV_HUGEPAGE */
#define SSI_VMAF_NOHUGEPAGE	0x80U	/* MADV_NOHUGEPAGE */
#define SSI_VMAF_SEQ_READ	0x100U	/* MADV_SEQUENTIAL */
#define SSI_VMAF_RAND_READ	0x200U	/* MADV_RANDOM */
#define SSI_VMAF_MERGEABLE	0x400U	/* MADV_MERGEABLE (KSM) */
#define SSI_VMAF_MASK		0x7ffU

#define SSI_PROT_MASK		0x7U	/* PROT_READ | PROT_WRITE | PROT_EXEC */

/**
 * struct ssi_img_vma - one record of SSI_SEC_VMAS (count = records)
 * Records are sorted by address and do not overlap.
 * @start, @end: page-aligned range [start, end).
 * @pgoff:	file offset in pages (SSI_VMA_FILE, SSI_VMA_DSM), else 0.
 * @vm_flags:	the home kernel's vm_flags (informational only).
 * @prot:	PROT_* bits.
 * @kind:	enum ssi_img_vma_kind.
 * @flags:	SSI_VMAF_*.
 * @file:	index into FILES for SSI_VMA_FILE (a file record) and
 *		SSI_VMA_DSM (a segment record), else 0.
 * @pkey:	its protection key (pkey_mprotect(2)), 0..15; 0 is the
 *		default.  It need not be allocated any more (pkey_free(2)
 *		leaves mappings with their key).
 * @pad, @reserved: must be zero.
 */
struct ssi_img_vma {
	__u64 start;
	__u64 end;
	__u64 pgoff;
	__u64 vm_flags;
	__u32 prot;
	__u32 kind;
	__u32 flags;
	__u32 file;
	__u32 pkey;
	__u16 mpol_mode;
	__u16 mpol_flags;
	__u64 mpol_nodes;
};

/**
 * struct ssi_img_pages - header of one run in SSI_SEC_PAGES
 * @nr_pages pages of data follow.  Runs are sorted by address, lie inside
 * one VMA each and do not overlap.  Pages not in any run are: never
 * touched or all-zero (anonymous memory: restored as zero-fill-on-demand)
 * or unmodified file pages (file mappings: read from the file again).
 * A run with @nr_pages == 0 and @addr == 0 ends the section.
 * @data_crc:	CRC-32C of the run's data.
 * @reserved:	must be zero.
 * @crc:	CRC-32C of this header with @crc taken as zero.
 */
struct ssi_img_pages {
	__u64 addr;
	__u32 nr_pages;
	__u32 data_crc;
	__u32 reserved;
	__u32 crc;
};

/**
 * struct ssi_img_end - payload of SSI_SEC_END (count 1)
 * @nr_pages, @nr_runs: totals of the PAGES section.
 * @image_bytes: bytes of the image before the END section header.
 * @reserved:	must be zero.
 */
struct ssi_img_end {
	__u64 nr_pages;
	__u64 nr_runs;
	__u64 image_bytes;
	__u64 reserved[5];
};

#endif /* _UAPI_LINUX_SSI_IMAGE_H */
