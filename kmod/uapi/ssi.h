/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ssi.h - the one interface between ssi.ko and user space (ssid, its
 * restore helper, the tools in kmod/tools, tests).  Included by the module and by user space alike.
 *
 * ABI rules (as userfaultfd's UFFDIO_API):
 *  - user space calls SSI_IOC_API first; the module answers with its
 *    version and the feature bits it supports and rejects unknown ones;
 *  - every struct is 64-bit aligned, padded explicitly, and has reserved
 *    fields that must be zero; sizes are asserted at build time;
 *  - SSI_API_VERSION is bumped on any incompatible change (changelog below).
 *
 * Changelog:
 *  1  initial: API handshake.
 *  2  SSI_IOC_DUMP, SSI_IOC_RESUME, SSI_IOC_RESTORE; image format v1
 *     (uapi/ssi_image.h).
 *  3  SSI_IOC_DEPUTY: a frozen task becomes the deputy of its migrated self.
 *  4  SSI_DUMP_THREADS, SSI_IOC_RESTORE_THREAD: multi-threaded processes;
 *     image format v2.
 *  5  SSI_DUMP_FREEZE_ONLY, SSI_IOC_RETURN: a process comes back home into
 *     its deputy; the deputy keeps its [vvar] and [vdso].  SSI_IOC_SIGNAL:
 *     a relayed signal with its siginfo.
 *  6  SSI_SIGNAL_KICK: send the task through its signal-delivery path once,
 *     with no signal (a seccomp restart code answered to it is acted on).
 *  7  image format v3 (CPU-time itimers); the restore sets parked itimers
 *     (SSI_ITIMER_PARK_SEC).
 *  8  SSI_IOC_DEPUTY serves every thread of a process frozen with
 *     SSI_DUMP_THREADS (struct ssi_deputy_thread: a channel and an area
 *     each); the stub's entry takes a thread index (deputy_proto.h).
 *     SSI_IOC_RETURN into a deputy of several threads (struct
 *     ssi_return_thread).
 *  9  struct ssi_restore_thread.index: a helper thread names the image
 *     thread it becomes.  SSI_SIGNAL_THREAD; a process-directed
 *     SSI_IOC_SIGNAL goes to a thread that does not block it; a kick may
 *     name any thread.
 * 10  the deputy stub's SSI_DEP_SPAWN (deputy_proto.h): ssid starts a
 *     deputy thread for a thread made on the remote node.
 * 11  image format v7 (POSIX timers); SSI_IOC_TIMER_ID: whatever task is
 *     to become a migrated process makes the image's timers first, each
 *     with its id, parked (SSI_ITIMER_PARK_SEC); the restore checks and
 *     arms them.
 * 12  mapped files the restorer supplies: struct ssi_restore's and struct
 *     ssi_return's @file_fds stand in for FILES entries whose path is
 *     missing or different here (a copy fetched from home); the content
 *     identity is checked as for a path.  SSI_IOC_FILE_ID: the content
 *     identity of an open file, as a FILES entry records it.
 * 13  SSI_IOC_CHARGE: the CPU time and peak memory a process uses on
 *     another node are charged to its deputy at home.
 * 14  SSI_IOC_SEQ_GET / SSI_IOC_SEQ_SET: where a read of a /proc text
 *     file stands, to go on reading it after a move where it stopped.
 * 15  SSI_IOC_DSM_OPEN: a DSM segment (shared memory kept coherent
 *     across nodes, multiple readers / single writer) and its channel.
 * 16  SSI_DSM_HOME: a segment over the shared memory it keeps coherent
 *     (the home node's copy); SSI_DSM_WRAP: a mapping of it made coherent;
 *     SSI_DSM_FAIL: a page lost.
 * 17  struct ssi_dsm_open's @id (was reserved): a segment's cluster-wide
 *     name.  A process mapping a segment with one migrates: its image
 *     (version 11) names the segment, and the restore maps the channel of
 *     this node's copy given in @file_fds in its place.
 * 18  A home segment's memory opened again (a /dev/shm file by name, a
 *     memfd through /proc) maps under the segment's coherence;
 *     SSI_DSM_WRAP_FILE does the same for a file opened before.
 *     SSI_DSM_HOME over memory that has a segment: EBUSY, or EEXIST
 *     for a copy's.
 * 19  SSI_CHARGE_MEM: struct ssi_charge's memory figures (was reserved)
 *     are what the process holds on another node now; home's readers of
 *     its deputy's /proc/PID/stat, statm and status see them.
 * 20  SSI_IOC_DEPUTY keeps the process's mappings of DSM segments where
 *     they are: its futex calls on shared memory run there, at home.
 * 21  Images (version 12) carry each thread's NUMA memory policy, which
 *     the restorer's threads hold when they call SSI_IOC_RESTORE and
 *     SSI_IOC_RESTORE_THREAD, and each private mapping's, which pages of
 *     the caller's carry to the restore (struct ssi_restore's and struct
 *     ssi_return's mpol_carriers); SSI_R_NUMA.
 */
#ifndef _UAPI_LINUX_SSI_H
#define _UAPI_LINUX_SSI_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define SSI_DEVICE_NAME		"ssi"
#define SSI_API_VERSION		21

/*
 * A module cannot arm a process CPU timer (set_process_cpu_timer() is not
 * exported), only move one that is armed.  So whatever task is to become
 * a migrated process (the restore helper, a deputy that may take its
 * process back) first arms ITIMER_VIRTUAL and ITIMER_PROF this far out
 * with setitimer(2): it "parks" them.  The restore then sets them to what
 * the image carries, or disarms them.
 */
#define SSI_ITIMER_PARK_SEC	(10L * 365 * 24 * 3600)

/* Feature bits a caller may request in ssi_api.features. */
#define SSI_FEATURE_MASK	0ULL

/**
 * struct ssi_api - SSI_IOC_API argument
 * @api:	IN: the SSI_API_VERSION the caller was built with.
 *		OUT: the module's SSI_API_VERSION.
 * @features:	IN: features the caller wants; unknown bits -> -EINVAL.
 *		OUT: every feature the module supports.
 * @reserved:	must be zero.
 */
struct ssi_api {
	__u32 api;
	__u32 pad;
	__u64 features;
	__u64 reserved[4];
};

/*
 * Why an operation was refused, beyond the errno: ssid logs it, ssi-img
 * prints its name (enum order is ABI; append only).
 */
enum ssi_reason {
	SSI_R_NONE = 0,
	SSI_R_IO,		/* reading or writing the image fd failed */
	SSI_R_TRUNCATED,	/* image ended early */
	SSI_R_MAGIC,		/* not an image / unknown version / bad header */
	SSI_R_ARCH,		/* other architecture or page size */
	SSI_R_RELEASE,		/* other kernel release */
	SSI_R_VDSO,		/* vDSO content or position differs */
	SSI_R_CSUM,		/* a checksum does not match */
	SSI_R_SECTION,		/* section missing, out of order, bad size */
	SSI_R_RESERVED,		/* a reserved field is not zero */
	SSI_R_TASK,		/* registers, signal state, limits invalid */
	SSI_R_XSTATE,		/* FPU/vector state invalid or unsupported */
	SSI_R_MM,		/* mm layout invalid */
	SSI_R_FILES,		/* file table invalid */
	SSI_R_FILE_OPEN,	/* a mapped file cannot be opened here */
	SSI_R_FILE_CHANGED,	/* a mapped file's identity differs here */
	SSI_R_VMAS,		/* VMA table invalid */
	SSI_R_PAGES,		/* page run invalid */
	SSI_R_END,		/* END section invalid or totals differ */
	SSI_R_RLIMIT,		/* a limit would be raised above the hard one */
	SSI_R_CALLER,		/* caller unsuitable (threads, shared mm, ...) */
	SSI_R_TARGET,		/* dump target unsuitable */
	SSI_R_MAPPING,		/* dump: a mapping kind not supported yet */
	SSI_R_NOMEM,
	SSI_R_INTR,		/* interrupted or timed out */
	SSI_R_SECCOMP,		/* ssid: the process's own seccomp filters
				 * cannot be installed, or forbid the restore */
	SSI_R_AFFINITY,		/* bound to CPUs this node does not give it */
	SSI_R_NUMA,		/* a NUMA policy names nodes not usable here */
	SSI_R_MAX
};

#define SSI_DETAIL_LEN		64

/**
 * struct ssi_dump - SSI_IOC_DUMP argument (home node, root only)
 * @pid:	IN: process to dump (its thread-group leader), in the caller's
 *		pid namespace.  For now a 64-bit, non-traced process with only
 *		private mappings; single-threaded unless SSI_DUMP_THREADS.
 * @out_fd:	IN: fd the image is written to (file, pipe or socket; must be
 *		blocking and have a reader: the caller's thread writes it).
 * @flags:	IN: SSI_DUMP_*.
 * @timeout_ms:	IN: how long to wait for the task to reach a safe point
 *		(0: no limit; the wait is always killable).
 * @bytes:	OUT: image bytes written.
 * @pages:	OUT: pages in the image.
 * @vmas:	OUT: VMAs in the image.
 * @frozen_ns:	OUT: from the task stopping to the image being written.
 * @reason:	OUT: enum ssi_reason when the ioctl fails.
 * @detail:	OUT: NUL-terminated human-readable detail of @reason.
 * @reserved:	must be zero.
 *
 * On success the task stays frozen (in the kernel, TASK_KILLABLE) until
 * SSI_IOC_RESUME on the same open file, until it is SIGKILLed, or until
 * that file is closed (which resumes it: a dead ssid never strands a task).
 * With SSI_DUMP_THREADS every thread freezes (threads created meanwhile
 * too) and is resumed with it, or becomes a thread of the deputy
 * (SSI_IOC_DEPUTY names each).  With SSI_DUMP_FREEZE_ONLY nothing is written
 * (@out_fd must be -1): the task is only frozen, e.g. a deputy before
 * SSI_IOC_RETURN.
 */
#define SSI_DUMP_THREADS	0x1U	/* a multi-threaded process is fine */
#define SSI_DUMP_FREEZE_ONLY	0x2U	/* freeze, write no image */
#define SSI_DUMP_FLAGS		(SSI_DUMP_THREADS | SSI_DUMP_FREEZE_ONLY)

struct ssi_dump {
	__s32 pid;
	__s32 out_fd;
	__u32 flags;
	__u32 timeout_ms;
	__u64 bytes;
	__u64 pages;
	__u64 vmas;
	__u64 frozen_ns;
	__u32 reason;
	__u32 pad;
	char  detail[SSI_DETAIL_LEN];
	__u64 reserved[4];
};

/**
 * struct ssi_resume - SSI_IOC_RESUME argument (root only)
 * @pid:	IN: a task frozen by SSI_IOC_DUMP through this open file.  It
 *		continues at home exactly where it was.
 * @flags:	IN: none defined yet; must be 0.
 * @reserved:	must be zero.
 */
struct ssi_resume {
	__s32 pid;
	__u32 flags;
	__u64 reserved[3];
};

/* Check the whole image (including every page run) and change nothing. */
#define SSI_RESTORE_VERIFY_ONLY	0x1U
#define SSI_RESTORE_FLAGS	SSI_RESTORE_VERIFY_ONLY

/**
 * struct ssi_restore - SSI_IOC_RESTORE argument (the helper, on itself)
 * @in_fd:	IN: fd the image is read from.  If it is a regular file the
 *		whole image is verified before anything is changed; from a
 *		pipe or socket the page runs can only be checked as they
 *		arrive, and a bad run after the point of no return kills the
 *		caller with SIGKILL.
 * @flags:	IN: SSI_RESTORE_*.
 * @reason:	OUT: enum ssi_reason when the ioctl fails.
 * @section:	OUT: section type the failure was found in (0: header).
 * @offset:	OUT: image byte offset of the offending item.
 * @detail:	OUT: NUL-terminated human-readable detail.
 * @file_fds:	IN: user address of @nr_file_fds __s32, or 0: entry i, when
 *		not -1, is an fd of a regular file open for reading that
 *		stands in for the image's mapped file i (FILES, in order)
 *		instead of its path; its content identity must be the
 *		entry's all the same.  For a file missing or different on
 *		this node whose content was fetched from where it is.
 * @nr_file_fds: IN: at most the image's number of mapped files.
 * @nr_mpol_carriers: IN: the number of the image's mappings that have a
 *		NUMA policy (ssi_img_vma.mpol_mode).
 * @mpol_carriers: IN: user address of @nr_mpol_carriers __u64: for each
 *		of those mappings, in order, the address of a page of the
 *		caller's, mapped alone (private, anonymous) outside every
 *		mapping of the image, whose policy (mbind(2)) is exactly the
 *		mapping's.  The restore moves each carrier's policy to its
 *		mapping and unmaps the carriers: a module cannot make a
 *		policy.  0 when there are none.
 * @reserved:	must be zero.
 *
 * The caller must be its thread-group leader, must not share its mm or
 * signal handlers with another process, and must have moved its [vvar]
 * and [vdso] to the image's addresses (mremap) before the call.  For an image of N threads, N - 1 other
 * threads of the helper must be waiting in SSI_IOC_RESTORE_THREAD (the
 * restore waits up to a few seconds for them to arrive); they become the
 * image's other threads.  On success the ioctl does not return: the
 * calling process continues as the image (same pid as the helper, its
 * credentials, fds, seccomp filter); the image fd, the /dev/ssi fd and
 * the @file_fds are closed.  Without SSI_RESTORE_VERIFY_ONLY and with a valid image the
 * helper's address space is gone; a failure after that point is fatal.
 */
struct ssi_restore {
	__s32 in_fd;
	__u32 flags;
	__u32 reason;
	__u32 section;
	__u64 offset;
	char  detail[SSI_DETAIL_LEN];
	__u64 file_fds;
	__u32 nr_file_fds;
	__u32 nr_mpol_carriers;
	__u64 mpol_carriers;
	__u64 reserved[1];
};

/**
 * struct ssi_restore_thread - SSI_IOC_RESTORE_THREAD argument
 * @flags:	IN: none defined yet; must be 0.
 * @index:	IN: the image thread this one becomes, 1 .. nr_threads - 1
 *		(THREAD sections in order), or 0 for "any": then the waiting
 *		threads become the image's in the order they arrived.  Either
 *		every waiting thread of the helper gives an index, each a
 *		different one, or none does; else the restore is refused.
 * @reserved:	must be zero.
 *
 * Called by a thread of the restore helper other than the one calling
 * SSI_IOC_RESTORE (any open /dev/ssi will do).  It waits, killable, until
 * that restore has rebuilt the address space, then becomes one of the
 * image's threads and does not return.  If the restore is refused before
 * its point of no return, it returns -ECANCELED and the thread is the
 * helper's again; if the restore fails after it, the process is killed.
 */
struct ssi_restore_thread {
	__u32 flags;
	__u32 index;
	__u64 reserved[3];
};

/* Bounds of the deputy's area (the data of one forwarded call). */
#define SSI_DEPUTY_AREA_MIN	(64ULL << 10)
#define SSI_DEPUTY_AREA_DEFAULT	((8ULL << 20) + (64ULL << 10))
#define SSI_DEPUTY_AREA_MAX	(64ULL << 20)

/**
 * struct ssi_deputy_thread - one thread of a multi-threaded deputy, other
 * than the leader (SSI_IOC_DEPUTY's @threads)
 * @tid:	IN: a thread frozen with the process (SSI_DUMP_THREADS), in
 *		the caller's pid namespace.
 * @chan_fd:	IN: its own channel, as @chan_fd of struct ssi_become_deputy.
 * @area_addr:	OUT: its own area (@area_len bytes) in the deputy.
 * @reserved:	must be zero.
 */
struct ssi_deputy_thread {
	__s32 tid;
	__s32 chan_fd;
	__u64 area_addr;
	__u64 reserved;
};

/**
 * struct ssi_become_deputy - SSI_IOC_DEPUTY argument (root only)
 * @pid:	IN: a task frozen by SSI_IOC_DUMP through this open file, whose
 *		image now runs on another node.
 * @chan_fd:	IN: a SOCK_SEQPACKET socket of the caller; the task gets its
 *		own descriptor of it as the stub's channel.
 * @area_len:	IN: bytes of the stub's data area (a page multiple within
 *		SSI_DEPUTY_AREA_MIN..MAX), or 0 for SSI_DEPUTY_AREA_DEFAULT.
 * @area_addr:	OUT: where the area is in the deputy (for process_vm_*).
 * @reason:	OUT: SSI_R_* when the ioctl fails.
 * @flags:	IN: none defined yet; must be 0.
 * @threads:	IN: user address of @nr_threads struct ssi_deputy_thread,
 *		one for each other thread frozen with the process, each
 *		named once (their @area_addr is written back).
 * @nr_threads:	IN: 0 for a single-threaded process.
 * @pad, @reserved: must be zero.
 *
 * The task loses its user memory and runs the deputy stub
 * (kmod/stub/deputy_proto.h), which announces itself on the channel.  It
 * keeps its pid, parent, fds, cwd and credentials, and its mappings of
 * DSM segments (home's shared memory, under coherence), where they are:
 * the process's futex calls on them run there.  Every other thread
 * runs the stub too, in its own context, on its own channel, area and
 * stack, with its own tid: the deputy has the process's threads, and
 * each can block in a forwarded call while the others serve theirs.  If
 * the ioctl fails the task is still frozen and intact (resume it with
 * SSI_IOC_RESUME), except after a failure past the point of no return,
 * when it has been killed.
 */
struct ssi_become_deputy {
	__s32 pid;
	__s32 chan_fd;
	__u64 area_len;
	__u64 area_addr;
	__u32 reason;
	__u32 flags;
	__u64 threads;
	__u32 nr_threads;
	__u32 pad;
	__u64 reserved[2];
};

/**
 * struct ssi_return_thread - one thread of a multi-threaded deputy coming
 * back (SSI_IOC_RETURN's @threads)
 * @tid:	IN: a thread of the deputy, frozen with it (SSI_DUMP_THREADS),
 *		in the caller's pid namespace.
 * @close_fd:	IN: its stub's channel, as a descriptor of the deputy, closed
 *		as @close_fd is (or -1).
 */
struct ssi_return_thread {
	__s32 tid;
	__s32 close_fd;
};

/**
 * struct ssi_return - SSI_IOC_RETURN argument (home node, root only)
 * @pid:	IN: a deputy frozen by SSI_IOC_DUMP through this open file.
 * @in_fd:	IN: fd of the process's image, as its remote node dumped it
 *		(read from its current position).
 * @close_fd:	IN: the stub's channel, as a descriptor of the deputy: it is
 *		closed in the deputy (it must be a socket), or -1.
 * @flags:	IN: none defined yet; must be 0.
 * @reason:	OUT: enum ssi_reason when the ioctl fails.
 * @section:	OUT: the image section at fault, 0 for the header.
 * @offset:	OUT: the image offset at fault.
 * @detail:	OUT: NUL-terminated human-readable detail of @reason.
 * @threads:	IN: user address of @nr_threads struct ssi_return_thread:
 *		entry i names the deputy thread that becomes the image's
 *		thread i + 1 (THREAD sections in order); every other frozen
 *		thread of the deputy, each once.
 * @nr_threads:	IN: 0 for a single-threaded deputy.
 * @file_fds, @nr_file_fds: IN: as in struct ssi_restore, descriptors of
 *		the caller (the original of a file the remote node mapped
 *		from its copy).
 * @mpol_carriers, @nr_mpol_carriers: IN: as in struct ssi_restore, pages
 *		of the caller's (not the deputy's: the caller unmaps them
 *		after the call, their policies given away).
 * @pad, @reserved: must be zero.
 *
 * The deputy, in its own context, becomes the process of the image again,
 * as SSI_IOC_RESTORE would (same checks; the image must have as many
 * threads as the deputy, and each named thread becomes its own), and
 * keeps its pid, parent, fds, cwd and credentials: the process runs at
 * home natively.  If the image is refused the deputy is still frozen and
 * intact (resume it with SSI_IOC_RESUME and it serves its remote self
 * again); after a failure past the point of no return it has been killed.
 */
struct ssi_return {
	__s32 pid;
	__s32 in_fd;
	__s32 close_fd;
	__u32 flags;
	__u32 reason;
	__u32 section;
	__u64 offset;
	char  detail[SSI_DETAIL_LEN];
	__u64 threads;
	__u32 nr_threads;
	__u32 nr_file_fds;
	__u64 file_fds;
	__u64 mpol_carriers;
	__u32 nr_mpol_carriers;
	__u32 pad;
	__u64 reserved[1];
};

/* Bytes of a siginfo_t (as in struct msg_mig_signal of ssid). */
#define SSI_SIGINFO_LEN		128

/**
 * struct ssi_signal - SSI_IOC_SIGNAL argument (root only)
 * @pid:	IN: process (thread-group leader) to signal, in the caller's
 *		pid namespace: a migrated process on the remote node; with
 *		SSI_SIGNAL_THREAD or SSI_SIGNAL_KICK, any thread of it.
 * @signo:	IN: 1..64, not SIGKILL or SIGSTOP; 0 with SSI_SIGNAL_KICK.
 * @flags:	IN: 0, SSI_SIGNAL_THREAD or SSI_SIGNAL_KICK.
 * @siginfo:	IN: the siginfo_t its deputy received at home; si_signo
 *		must be @signo and si_errno 0.  Delivered as it is.  Ignored
 *		with SSI_SIGNAL_KICK.
 * @reserved:	must be zero.
 *
 * SSI_SIGNAL_KICK sends no signal: the task passes through its
 * signal-delivery path once on its way back to user mode (a no-op
 * task_work queued with TWA_SIGNAL), where a -ERESTART* return value that
 * ssid answered to its seccomp notification restarts the call.  Without
 * that pass the code would reach user space.  A task in a killable-only
 * wait is not woken by it.
 *
 * Without SSI_SIGNAL_THREAD the signal is for the process (kill(2)): a
 * module cannot queue it on the process's shared queue (no exported
 * call takes a siginfo and PIDTYPE_TGID), so it goes to the thread the
 * kernel would wake for it: the first that does not block it (a thread in
 * sigwait() for it does not), else the leader.  With SSI_SIGNAL_THREAD it
 * is for thread @pid (tgkill(2)).
 */
#define SSI_SIGNAL_KICK		0x1u
#define SSI_SIGNAL_THREAD	0x2u

struct ssi_signal {
	__s32 pid;
	__s32 signo;
	__u32 flags;
	__u32 pad;
	__u8  siginfo[SSI_SIGINFO_LEN];
	__u64 reserved[2];
};


/**
 * struct ssi_timer_id - SSI_IOC_TIMER_ID argument
 * @pid:	IN: 0 for the caller's own process; else a process in the
 *		caller's pid namespace (root only: ssid, for a deputy).
 * @id:		IN: the id the process's next timer_create(2) takes
 *		(0 .. INT_MAX; the kernel moves on from there if that one is
 *		taken).
 * @reserved:	must be zero.
 *
 * A module cannot make a POSIX timer, and the kernel gives each timer of
 * a process the next free id of a per-process counter: so the restorer
 * makes an image's timers with timer_create(2) itself, setting the
 * counter to each one's id first.
 */
struct ssi_timer_id {
	__s32 pid;
	__u32 id;
	__u64 reserved[2];
};

/**
 * struct ssi_file_id - SSI_IOC_FILE_ID argument (any caller)
 * @fd:		IN: a regular file the caller has open for reading.
 * @digest_kind: OUT: enum ssi_digest_kind (uapi/ssi_image.h).
 * @digest_len:	OUT: bytes of @digest used.
 * @size:	OUT: the file's size.
 * @digest:	OUT: its ELF build-id, else the SHA-256 of its content.
 * @pad, @reserved: must be zero.
 *
 * The content identity the restore compares a mapped file with (FILES
 * entry), so that a restorer can tell beforehand which files it must
 * fetch.  A file of more than 1 GiB without a build-id has none (EFBIG).
 * Interrupted by a signal: EINTR.
 */
struct ssi_file_id {
	__s32 fd;
	__u32 digest_kind;
	__u32 digest_len;
	__u32 pad;
	__u64 size;
	__u8  digest[32];
	__u64 reserved[2];
};

/**
 * struct ssi_charge - SSI_IOC_CHARGE argument (root only)
 * @pid:	IN: a deputy (its thread-group leader) in the caller's pid
 *		namespace.
 * @flags:	IN: SSI_CHARGE_MEM, or 0.
 * @utime_ns:	IN: user CPU time its migrated self used on another node
 *		since the last charge, at most SSI_CHARGE_CPU_MAX_NS.
 * @stime_ns:	IN: system CPU time, likewise.
 * @maxrss_kb:	IN: the largest resident set it has had there (KiB), at
 *		most SSI_CHARGE_RSS_MAX_KB; 0 if not known.
 * @rss_anon_kb, @rss_file_kb, @rss_shmem_kb, @swap_kb:
 *		IN, with SSI_CHARGE_MEM: what it holds there now, as its
 *		/proc/PID/status there says (RssAnon, RssFile, RssShmem,
 *		VmSwap), each at most SSI_CHARGE_RSS_MAX_KB.
 * @vm_kb, @vm_peak_kb:
 *		IN, with SSI_CHARGE_MEM: its address space there now and
 *		at its largest (VmSize, VmPeak), likewise.
 * @reserved:	must be zero.
 *
 * The deputy is the process as its home node sees it: its parent waits
 * for it (wait4(2)'s rusage is what Slurm's accounting records), ps(1),
 * top(1) and Slurm's jobacct_gather read its /proc/PID/stat.  So what the
 * process uses away is added to the deputy's own counters, as the kernel
 * adds what an exited thread used: user and system time and the runtime
 * they are scaled to in the signal struct; and its high-water mark,
 * which getrusage(2) and wait4(2) report, becomes at least @maxrss_kb.
 *
 * With SSI_CHARGE_MEM the deputy's memory counters show, on top of the
 * deputy's own few pages, the figures given (each charge replaces the
 * last): VmRSS and its parts, VmSwap, VmHWM, VmPeak, and VmSize unless
 * an address-space limit (RLIMIT_AS) is set, which the deputy's own
 * mappings are checked against.  The OOM killer at home then passes the
 * deputy over: killing it would free nothing there.  The figures go when
 * the process comes home or the deputy's memory is torn down.
 * EINVAL: @pid is not a deputy, or a field is out of range.
 */
#define SSI_CHARGE_CPU_MAX_NS	(1ULL << 50)
#define SSI_CHARGE_RSS_MAX_KB	(1ULL << 40)
#define SSI_CHARGE_MEM		(1U << 0)

struct ssi_charge {
	__s32 pid;
	__u32 flags;
	__u64 utime_ns;
	__u64 stime_ns;
	__u64 maxrss_kb;
	__u64 rss_anon_kb;
	__u64 rss_file_kb;
	__u64 rss_shmem_kb;
	__u64 swap_kb;
	__u64 vm_kb;
	__u64 vm_peak_kb;
	__u64 reserved[2];
};

/**
 * struct ssi_seq_pos - SSI_IOC_SEQ_GET / SSI_IOC_SEQ_SET argument (root only)
 * @fd:		IN: an fd of the caller on a /proc file read through a
 *		seq_file (maps, smaps, status, stat, limits ...).
 * @len:	bytes at @data: OUT of GET, IN of SET; at most
 *		SSI_SEQ_PENDING_MAX.
 * @pos:	the file's offset (what lseek(fd, 0, SEEK_CUR) says).
 * @read_pos:	the offset the seq_file's last read ended at.
 * @index:	the seq_file's iterator: the record its next read starts
 *		with (an address for maps, smaps, numa_maps; 0 or 1 for a
 *		file of one record); -2..-1 are end markers.
 * @data:	a user pointer: the text of the last record(s) made that the
 *		reader has not consumed yet, which its next read returns first.
 * @reserved:	must be zero.
 *
 * A seq_file's next read does not continue at a byte offset of the text
 * as it would be made now: it returns what is left of the records it
 * made last, then goes on with the record @index names.  A process moved
 * in the middle of reading /proc/self/smaps must therefore find that
 * state in the file it reads on the other node, not an offset into a
 * text whose lines (its figures, the names of its files) are another
 * length there.  GET reads it from one file, SET writes it into another
 * of the same entry; both leave a file being read alone (they hold its
 * locks).  EINVAL: not such a file, or a field out of range; E2BIG
 * (GET): more is pending than SSI_SEQ_PENDING_MAX.
 */
#define SSI_SEQ_PENDING_MAX	4096

struct ssi_seq_pos {
	__s32 fd;
	__u32 len;
	__s64 pos;
	__s64 read_pos;
	__s64 index;
	__u64 data;
	__u64 reserved[2];
};

/**
 * struct ssi_dsm_open - SSI_IOC_DSM_OPEN argument (root only)
 * @size:	IN: the segment's size in bytes, a multiple of the page size,
 *		1 page to SSI_DSM_SIZE_MAX.
 * @fd:		OUT: the segment's channel, a new fd.
 * @flags:	IN: SSI_DSM_CLOEXEC, SSI_DSM_HOME.
 * @src:	IN: with SSI_DSM_HOME, an fd of the shared memory the segment
 *		is made over (a shmem file: shared anonymous memory through
 *		/proc/PID/map_files, a memfd, a file of /dev/shm); @size is its
 *		size rounded up to pages.  Else 0.
 * @id:		IN: the segment's name across the cluster, chosen by the holder
 *		(ssid): every node's copy of the segment has the same.  An
 *		image of a process mapping the segment names it (SSI_VMA_DSM),
 *		and the restore maps the copy with the same @id that it is
 *		given.  0: none; a process mapping such a segment cannot move.
 * @pad:	must be zero.
 *
 * A DSM segment is this node's copy of a shared memory segment whose
 * pages are kept coherent with the other nodes' copies by a directory
 * that the channel's holder (ssid) runs: each page is INVALID (no valid
 * copy here), READ (a copy others may hold too) or WRITE (the only valid
 * copy).  mmap(MAP_SHARED) of the channel maps the segment; a read of an
 * INVALID page, or a write of one that is not WRITE, waits (killably,
 * without mmap_lock) for the holder to grant the page, after asking for
 * it: read(2) of the channel returns struct ssi_dsm_req records, poll(2)
 * says when there are some.  The holder answers with SSI_DSM_GRANT and
 * takes pages back with SSI_DSM_REVOKE (every mapping of the page on this
 * node loses it, its content can be read out).  Once the channel is
 * closed, an access that needs the holder gets SIGBUS.  Pages are 4 KiB,
 * never huge; an access the kernel makes for another process that may not
 * wait (ptrace, a GUP without retry) to a page not held here fails with
 * EFAULT.
 *
 * Without SSI_DSM_HOME the copy is a new file of the module's, every page
 * INVALID: a remote node's copy.  With it the copy is @src itself, every
 * page WRITE: the home node's, where the memory was made.  Its mappings
 * made before (by the processes that share it) are the kernel's own
 * until SSI_DSM_WRAP puts each under the segment's coherence; a mapping
 * of the channel is under it from the start, as on a remote node, and so
 * is one made through a file of @src opened while the segment lives (or
 * given to SSI_DSM_WRAP_FILE).  Memory takes one segment: EBUSY if @src
 * is another home segment's memory, EEXIST if it is a copy's (a process
 * that moved here maps it).
 */
#define SSI_DSM_SIZE_MAX	(1ULL << 34)	/* 16 GiB */
#define SSI_DSM_CLOEXEC		1
#define SSI_DSM_HOME		2

struct ssi_dsm_open {
	__u64 size;
	__s32 fd;
	__u32 flags;
	__s32 src;
	__u32 pad;
	__u64 id;
};

/**
 * struct ssi_dsm_wrap - SSI_DSM_WRAP argument (on a home segment's channel)
 * @pid:	a process (in the caller's pid namespace) that maps the segment.
 * @pad:	must be zero.
 * @addr:	where the mapping starts in it (/proc/PID/maps' first address).
 * @reserved:	must be zero.
 *
 * The mapping (MAP_SHARED, of the segment's own file) is put under the
 * segment's coherence: its faults go through the segment from then on, as
 * a mapping of the channel's do, and so do those of the mappings a fork
 * copies from it.  0 if it is already; EINVAL for a mapping of something
 * else, or one that does not start at @addr; ESRCH if there is no such
 * process; EOPNOTSUPP for a kind of mapping not wrapped yet (SysV shm);
 * EPERM without CAP_SYS_ADMIN.
 */
struct ssi_dsm_wrap {
	__s32 pid;
	__u32 pad;
	__u64 addr;
	__u64 reserved;
};

/**
 * struct ssi_dsm_wrap_file - SSI_DSM_WRAP_FILE argument (on a home segment's channel)
 * @fd:		the caller's fd of an open file of the segment's memory: one
 *		another process opened before the segment was made, taken with
 *		pidfd_getfd(2) (the same open file, shared with that process).
 * @pad:	must be zero.
 *
 * A shared mapping made through that file from then on is under the
 * segment's coherence from its start, as one made through a file opened
 * after the segment was made is (the segment's inode opens so while it
 * lives).  0 if it already is; EINVAL for a file of other memory;
 * EOPNOTSUPP for a kind of file not wrapped (SysV shm's); EPERM without
 * CAP_SYS_ADMIN.
 */
struct ssi_dsm_wrap_file {
	__s32 fd;
	__u32 pad;
};

/* A page's state on this node, and what a request asks for. */
enum ssi_dsm_access {
	SSI_DSM_INVALID = 0,
	SSI_DSM_READ = 1,
	SSI_DSM_WRITE = 2,
};

/**
 * struct ssi_dsm_req - what read(2) of a channel returns, one per page
 * @page:	the page index in the segment.
 * @access:	SSI_DSM_READ or SSI_DSM_WRITE: what a task here waits for.
 * @pad:	zero.
 */
struct ssi_dsm_req {
	__u64 page;
	__u32 access;
	__u32 pad;
};

/**
 * struct ssi_dsm_page - SSI_DSM_GRANT and SSI_DSM_REVOKE argument
 * @page:	the page index in the segment.
 * @access:	GRANT: SSI_DSM_READ or SSI_DSM_WRITE, the page's state from
 *		now on, or SSI_DSM_INVALID with @data: the content of a page
 *		that stays INVALID here (EBUSY if it is not), as home's copy
 *		takes a writer's content back while another node is granted
 *		the page; REVOKE: SSI_DSM_INVALID or SSI_DSM_READ (a writer
 *		keeps a copy to read), or the state it has: its content out.
 * @pad:	must be zero.
 * @data:	a user pointer to one page: GRANT's new content (0: the
 *		page keeps the content it has here, e.g. a READ page made
 *		WRITE); REVOKE's out, the content it had (0: not wanted).
 * @reserved:	must be zero.
 */
struct ssi_dsm_page {
	__u64 page;
	__u32 access;
	__u32 pad;
	__u64 data;
	__u64 reserved;
};

#define SSI_IOC_MAGIC		0xB5
#define SSI_IOC_API		_IOWR(SSI_IOC_MAGIC, 0x00, struct ssi_api)
#define SSI_IOC_DUMP		_IOWR(SSI_IOC_MAGIC, 0x01, struct ssi_dump)
#define SSI_IOC_RESUME		_IOW(SSI_IOC_MAGIC, 0x02, struct ssi_resume)
#define SSI_IOC_RESTORE		_IOWR(SSI_IOC_MAGIC, 0x03, struct ssi_restore)
#define SSI_IOC_DEPUTY		_IOWR(SSI_IOC_MAGIC, 0x04, struct ssi_become_deputy)
#define SSI_IOC_RESTORE_THREAD	_IOW(SSI_IOC_MAGIC, 0x05, struct ssi_restore_thread)
#define SSI_IOC_RETURN		_IOWR(SSI_IOC_MAGIC, 0x06, struct ssi_return)
#define SSI_IOC_SIGNAL		_IOW(SSI_IOC_MAGIC, 0x07, struct ssi_signal)
#define SSI_IOC_TIMER_ID	_IOW(SSI_IOC_MAGIC, 0x08, struct ssi_timer_id)
#define SSI_IOC_FILE_ID		_IOWR(SSI_IOC_MAGIC, 0x09, struct ssi_file_id)
#define SSI_IOC_CHARGE		_IOW(SSI_IOC_MAGIC, 0x0a, struct ssi_charge)
#define SSI_IOC_SEQ_GET		_IOWR(SSI_IOC_MAGIC, 0x0b, struct ssi_seq_pos)
#define SSI_IOC_SEQ_SET		_IOW(SSI_IOC_MAGIC, 0x0c, struct ssi_seq_pos)
#define SSI_IOC_DSM_OPEN	_IOWR(SSI_IOC_MAGIC, 0x0d, struct ssi_dsm_open)
/* on a DSM channel */
#define SSI_DSM_GRANT		_IOW(SSI_IOC_MAGIC, 0x20, struct ssi_dsm_page)
#define SSI_DSM_REVOKE		_IOW(SSI_IOC_MAGIC, 0x21, struct ssi_dsm_page)
#define SSI_DSM_WRAP		_IOW(SSI_IOC_MAGIC, 0x22, struct ssi_dsm_wrap)
/*
 * SSI_DSM_FAIL: page @page is lost (the node that held it alone is gone):
 * an access that needs it gets SIGBUS (the kernel's own accesses EFAULT),
 * those waiting for it too, until a grant gives it again.  @access and
 * @data must be 0.
 */
#define SSI_DSM_FAIL		_IOW(SSI_IOC_MAGIC, 0x23, struct ssi_dsm_page)
#define SSI_DSM_WRAP_FILE	_IOW(SSI_IOC_MAGIC, 0x24, struct ssi_dsm_wrap_file)

#endif /* _UAPI_LINUX_SSI_H */
