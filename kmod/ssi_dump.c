// SPDX-License-Identifier: GPL-2.0
/*
 * ssi_dump.c - SSI_IOC_DUMP and SSI_IOC_RESUME on the home node: stopping
 * a task at a safe point and writing its image.
 *
 * The work is split between two contexts:
 *
 *  - the target, in its own context (task_work_add(TWA_SIGNAL) makes it run
 *    ssi_dump_work() on its way back to user mode).  It captures what only
 *    current can read reliably: its user registers and FPU state (through
 *    the same regsets a core dump uses), its signal state, rlimits, rseq and
 *    futex registrations.  Then it stays frozen in the kernel, killable,
 *    until a verdict arrives.
 *
 *  - the caller (ssid, root), which walks the frozen target's mm and
 *    writes the image to out_fd.  Writing from the caller rather than from
 *    the target keeps the consequences of I/O with the caller: an EPIPE
 *    raises SIGPIPE in ssid, not in the job; the file is written with
 *    ssid's credentials; the CPU time of streaming is ssid's; and killing
 *    ssid aborts the write.  Every thread of the target is frozen, so
 *    its mm does not change underneath.
 *
 * After a successful dump the target waits for a verdict: SSI_IOC_RESUME
 * (it goes on at home as if nothing happened), SSI_IOC_DEPUTY (it becomes
 * the deputy of its migrated self, ssi_deputy.c), SSI_IOC_RETURN (a frozen
 * deputy becomes its process again from the image its remote node sent
 * back, ssi_restore.c), SIGKILL, or the /dev/ssi file being closed
 * (resume: a dead ssid never strands a job).  SSI_DUMP_FREEZE_ONLY freezes
 * without writing an image, as a deputy is frozen before SSI_IOC_RETURN.
 *
 * Lifetime: a request is refcounted (caller + task_work, later the file's
 * frozen list takes over the caller's reference).  The task_work also
 * holds a module reference, dropped as the last thing the target does in
 * our code.
 */
#include <linux/auxvec.h>
#include <linux/capability.h>
#include <linux/completion.h>
#include <linux/dcache.h>
#include <linux/elf.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/futex.h>
#include <linux/highmem.h>
#include <linux/iocontext.h>
#include <linux/ioprio.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mmap_lock.h>
#include <linux/nsproxy.h>
#include <linux/mmu_context.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/ptrace.h>
#include <linux/refcount.h>
#include <linux/regset.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/prio.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/userfaultfd_k.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include <asm/fpu/types.h>
#include <asm/vdso.h>
#include <asm/segment.h>
#include <asm/user.h>
#include <asm/unaligned.h>

#include "ssi_internal.h"

/* Pages fetched per get_user_pages_remote() call and copied per run. */
#define SSI_DUMP_BATCH	64
/* Rounds of "freeze the threads created meanwhile" before giving up. */
#define SSI_DUMP_ROUNDS	16

enum ssi_dump_state {
	SSI_DS_QUEUED,		/* task_work queued, not run yet */
	SSI_DS_RUNNING,		/* the target is capturing its state */
	SSI_DS_FROZEN,		/* captured; the target waits for a verdict */
	SSI_DS_FAILED,		/* the target cannot be dumped; it went on */
	SSI_DS_ABANDONED,	/* the caller gave up before the target ran */
};

enum ssi_verdict {
	SSI_V_NONE,
	SSI_V_RESUME,		/* continue at home */
	SSI_V_DEPUTY,		/* become the deputy (ssi_deputy.c) */
	SSI_V_RETURN,		/* a deputy becomes its image (ssi_restore.c) */
};

struct ssi_dump_req {
	struct callback_head work;
	struct ssi_modref *modref;	/* the callback's, while queued or running */
	refcount_t ref;
	struct task_struct *task;
	pid_t pid;			/* as the caller named it */
	const void *caller_time_ns;	/* compared only: the caller's */
	u32 flags;			/* SSI_DUMP_* */
	atomic_t state;			/* enum ssi_dump_state */
	struct completion captured;	/* target -> caller */
	wait_queue_head_t wq;		/* caller -> target: @verdict set */
	int verdict;			/* enum ssi_verdict */
	bool left;			/* the target left ssi_dump_work() */

	/* Written by the target before completing @captured. */
	int err;
	u32 reason;
	const char *detail;
	struct ssi_img_task *img;
	void *xstate;
	u32 xstate_size;
	u64 xfeatures;
	u64 frozen_at;
	bool real_frozen;		/* ITIMER_REAL stopped, left in img */
	struct ssi_ptimers ptimers;	/* by the caller: stopped POSIX timers */
	const char *ptimer_why;		/* one that cannot travel */
	struct ssi_img_siginfo *sigq;	/* by the caller: queued signals */
	u32 nr_sigq;

	/*
	 * The other threads (SSI_DUMP_THREADS): each runs ssi_dump_thread_work()
	 * and waits on @wq like the leader.  @pending counts the threads, the
	 * leader included, that have not reported yet; the last completes
	 * @captured.  @threads is only changed by the caller, before queueing.
	 */
	struct list_head threads;
	u32 nr_threads;			/* on @threads */
	atomic_t pending;

	/*
	 * SSI_V_DEPUTY: the plan is set by the caller, filled in by the
	 * leader, which sets @deputy_go when the other threads may enter
	 * their seats; freed with the request.
	 */
	struct ssi_deputy_plan *deputy_plan;
	bool deputy_go;
	int deputy_err;
	u32 deputy_reason;
	/*
	 * SSI_V_RETURN: likewise.  @ret_given holds the freezer's reference
	 * to each named thread's record (image order), @ret_close_fds the
	 * stubs' channels, the leader's first, @ret_subst the caller's
	 * files standing in for mapped files (ssi_file_fds_get()).
	 */
	struct file *ret_in;
	struct file **ret_subst;
	struct ssi_carriers ret_car;	/* in the caller's mm, which is held */
	u32 ret_nr_subst;
	int *ret_close_fds;
	struct ssi_parked **ret_given;
	u32 ret_nr_given;
	struct ssi_return *ret_arg;
	int ret_err;
	/*
	 * The caller was killed while it waited: a target that returns
	 * gives up before its point of no return (its files' hashes can take
	 * long), so that the caller's wait ends soon.
	 */
	bool caller_killed;
	struct completion became;	/* target -> caller: answered, or left */

	struct list_head busy;		/* ssi_busy, under ssi_busy_lock */
	struct list_head node;		/* ssi_file.frozen, under its lock */
};

/* Another thread of a multi-threaded target; the leader is the request. */
struct ssi_dump_thread {
	struct callback_head work;
	struct ssi_modref *modref;	/* the callback's, while queued or running */
	struct ssi_dump_req *req;	/* holds a reference */
	struct task_struct *task;
	atomic_t state;			/* enum ssi_dump_state */
	int err;
	u32 reason;
	const char *detail;
	struct ssi_img_thread img;
	void *xstate;
	u32 seat;			/* SSI_V_DEPUTY: its seat in the plan */
	struct ssi_parked *ret_park;	/* SSI_V_RETURN: until it takes it */
	struct list_head node;		/* req->threads */
};

/* Tasks with a dump in progress or frozen: at most one request each. */
static LIST_HEAD(ssi_busy);
static DEFINE_SPINLOCK(ssi_busy_lock);

static void ssi_dump_put(struct ssi_dump_req *req)
{
	struct ssi_dump_thread *th, *tmp;

	if (!refcount_dec_and_test(&req->ref))
		return;
	list_for_each_entry_safe(th, tmp, &req->threads, node) {
		if (th->ret_park)
			ssi_return_thread_put(th->ret_park, true);
		put_task_struct(th->task);
		kvfree(th->xstate);
		kfree(th);
	}
	put_task_struct(req->task);
	kvfree(req->xstate);
	kvfree(req->sigq);
	ssi_ptimers_free(&req->ptimers);
	kfree(req->img);
	kfree(req->deputy_plan);
	kfree(req);
}

static bool ssi_busy_add(struct ssi_dump_req *req)
{
	struct ssi_dump_req *r;
	bool ok = true;

	spin_lock(&ssi_busy_lock);
	list_for_each_entry(r, &ssi_busy, busy)
		if (r->task == req->task)
			ok = false;
	if (ok)
		list_add(&req->busy, &ssi_busy);
	spin_unlock(&ssi_busy_lock);
	return ok;
}

static void ssi_busy_del(struct ssi_dump_req *req)
{
	spin_lock(&ssi_busy_lock);
	list_del_init(&req->busy);
	spin_unlock(&ssi_busy_lock);
}

static void ssi_dump_verdict(struct ssi_dump_req *req, int verdict)
{
	WRITE_ONCE(req->verdict, verdict);
	wake_up(&req->wq);
}

static int capture_fail(struct ssi_dump_req *req, int err, u32 reason,
			const char *detail)
{
	req->reason = reason;
	req->detail = detail;
	return err;
}

static const struct user_regset *find_regset(const struct user_regset_view *v,
					     unsigned int note)
{
	int i;

	for (i = 0; i < v->n; i++)
		if (v->regsets[i].core_note_type == note)
			return &v->regsets[i];
	return NULL;
}

/*
 * Turn the registers of a task stopped inside get_signal() into "about to
 * execute the syscall instruction" when a system call was interrupted.
 * task_work runs before arch_do_signal_or_restart() rewinds the syscall,
 * so ax may still hold an internal -ERESTART* code that user space must
 * never see.  The live registers are left alone: if the task is resumed
 * the kernel does its own rewinding.
 */
static void normalise_restart(struct ssi_img_thread *t)
{
	struct ssi_img_regs *r = &t->regs;
	long ax = (long)r->ax;

	if ((long)r->orig_ax < 0) {
		t->restart = SSI_RESTART_NONE;
		t->syscall_nr = -1;
		return;
	}
	t->syscall_nr = (s32)r->orig_ax;
	switch (ax) {
	case -ERESTARTSYS:
		t->restart = SSI_RESTART_SYS;
		break;
	case -ERESTARTNOINTR:
		t->restart = SSI_RESTART_NOINTR;
		break;
	case -ERESTARTNOHAND:
		t->restart = SSI_RESTART_NOHAND;
		break;
	case -ERESTART_RESTARTBLOCK:
		/*
		 * restart_block lives in the home kernel; the remote cannot run
		 * restart_syscall().  Re-execute the original call instead: an
		 * absolute timeout is exact, a relative one starts over.
		 */
		t->restart = SSI_RESTART_BLOCK;
		break;
	default:
		t->restart = SSI_RESTART_DONE;
		break;
	}
	if (t->restart != SSI_RESTART_DONE) {
		r->ax = r->orig_ax;
		r->ip -= 2;
	}
	r->orig_ax = ~0ULL;
}

/* Why a thread cannot be dumped, for the caller. */
struct ssi_cap_err {
	u32 reason;
	const char *detail;
};

static int cap_fail(struct ssi_cap_err *ce, int err, u32 reason,
		    const char *detail)
{
	ce->reason = reason;
	ce->detail = detail;
	return err;
}

/*
 * The thread's scheduling class, nice value and io priority: set by the
 * process (or by Slurm for it), kept by the kernel per thread.  The base
 * policy, not one a PI futex lends.  SCHED_DEADLINE is refused: its
 * bandwidth is admitted per CPU set and could fail after the point of no
 * return.
 */
static int capture_sched(struct ssi_img_thread *t, struct ssi_cap_err *ce)
{
	BUILD_BUG_ON(SSI_SCHED_NORMAL != SCHED_NORMAL || SSI_SCHED_FIFO != SCHED_FIFO ||
		     SSI_SCHED_RR != SCHED_RR || SSI_SCHED_BATCH != SCHED_BATCH ||
		     SSI_SCHED_IDLE != SCHED_IDLE);
	BUILD_BUG_ON(SSI_SCHED_RT_PRIO_MAX != MAX_RT_PRIO - 1 ||
		     SSI_IOPRIO_CLASS_SHIFT != IOPRIO_CLASS_SHIFT);

	if (current->policy == SCHED_DEADLINE)
		return cap_fail(ce, -EOPNOTSUPP, SSI_R_TARGET, "uses SCHED_DEADLINE");
	t->sched_policy = current->policy;
	t->sched_nice = task_nice(current);
	t->sched_priority = current->rt_priority;
	if (current->sched_reset_on_fork)
		t->flags |= SSI_THRF_SCHED_RESET_ON_FORK;
	task_lock(current);
	t->ioprio = current->io_context ? current->io_context->ioprio : 0;
	task_unlock(current);
	return 0;
}

/*
 * What only the thread itself can read reliably, in its own context:
 * registers, FPU state, blocked mask, sigaltstack, rseq and futex
 * registrations.  *@xstate is allocated here (*@xsize bytes).
 */
/*
 * A task of another time namespace (a guest: ssid restored it in one)
 * caught inside the vDSO may be reading its namespace's vvar page, which
 * a task restored in the caller's namespace (its deputy, at home) does
 * not have: the read would fault with SIGBUS.  One stopped in a system
 * call (orig_ax >= 0: interrupts and exceptions set -1) made from the
 * vDSO is in a fallback (clock_gettime() of a CPU clock, say), which
 * only returns after the call: it reads no vvar page any more, and a
 * program that reads a CPU clock in a loop can still move.
 */
static bool in_foreign_vdso(const void *caller_time_ns)
{
	struct pt_regs *regs = current_pt_regs();
	struct mm_struct *mm = current->mm;
	unsigned long start = (unsigned long)mm->context.vdso;

	if (current->nsproxy->time_ns == caller_time_ns || (long)regs->orig_ax >= 0)
		return false;
	return mm->context.vdso_image && regs->ip >= start &&
	       regs->ip - start < mm->context.vdso_image->size;
}

static int capture_thread(struct ssi_img_thread *t, void **xstate, u32 *xsize,
			  const void *caller_time_ns, struct ssi_cap_err *ce)
{
	struct pt_regs *regs = current_pt_regs();
	const struct user_regset_view *view;
	const struct user_regset *rs_gen, *rs_xs;
	struct user_regs_struct ur;
	sigset_t *mask;
	int err;

	BUILD_BUG_ON(sizeof(ur) != sizeof(struct ssi_img_regs));
	BUILD_BUG_ON(sizeof(current->comm) != sizeof(t->comm));

	if (current->flags & PF_EXITING)
		return cap_fail(ce, -ESRCH, SSI_R_TARGET, "task is exiting");
	if (!user_64bit_mode(regs) || test_thread_flag(TIF_ADDR32))
		return cap_fail(ce, -EOPNOTSUPP, SSI_R_TARGET, "not a 64-bit task");
	/* A tracer may run us from a syscall-entry stop: ax is not a result. */
	if (current->ptrace)
		return cap_fail(ce, -EBUSY, SSI_R_TARGET, "task is traced");
	/* the caller tries again a moment later */
	if (in_foreign_vdso(caller_time_ns))
		return cap_fail(ce, -EAGAIN, SSI_R_TARGET,
				"inside the vDSO of its time namespace");
#ifdef CONFIG_IO_URING
	/* io_uring runs task_work inside its syscall: registers mid-call. */
	if (current->io_uring)
		return cap_fail(ce, -EOPNOTSUPP, SSI_R_TARGET, "task uses io_uring");
#endif

	view = task_user_regset_view(current);
	rs_gen = find_regset(view, NT_PRSTATUS);
	rs_xs = find_regset(view, NT_X86_XSTATE);
	if (!rs_gen || !rs_xs || rs_gen->n * rs_gen->size != sizeof(ur))
		return cap_fail(ce, -EOPNOTSUPP, SSI_R_TARGET, "no XSAVE regset");
	*xsize = rs_xs->n * rs_xs->size;
	if (*xsize < 576 || *xsize > SSI_IMG_MAX_XSTATE || (*xsize & 7))
		return cap_fail(ce, -EOPNOTSUPP, SSI_R_XSTATE,
				"unsupported XSAVE size");
	*xstate = kvzalloc(*xsize, GFP_KERNEL);
	if (!*xstate)
		return cap_fail(ce, -ENOMEM, SSI_R_NOMEM, "no memory");

	/*
	 * The regsets are what core dumps use on current: they read fs/gs
	 * base from the CPU and save live FPU registers to memory first.
	 */
	err = regset_get(current, rs_gen, sizeof(ur), &ur);
	if (err < 0)
		return cap_fail(ce, err, SSI_R_TASK, "cannot read registers");
	err = regset_get(current, rs_xs, *xsize, *xstate);
	if (err < 0)
		return cap_fail(ce, err, SSI_R_XSTATE, "cannot read xstate");

	/*
	 * Our notification interrupts a sleep like a signal does.  Calls that
	 * restart (-ERESTART*) hide that; calls that report -EINTR instead
	 * (sigtimedwait, epoll_wait, semtimedop, ...) would show the
	 * application an EINTR no signal caused.  With no signal pending the
	 * interruption was ours: make the call start over, in the live
	 * registers (for a resume at home) and in the image, as NOHAND (a
	 * signal that arrives by the time it runs again interrupts it).
	 */
	if ((long)ur.orig_ax >= 0 && (long)ur.ax == -EINTR && !task_sigpending(current)) {
		regs->ax = regs->orig_ax;
		regs->ip -= 2;
		ur.ax = (unsigned long)-ERESTARTNOHAND;
	}
	memcpy(&t->regs, &ur, sizeof(ur));
	normalise_restart(t);
	t->home_tid = task_pid_vnr(current);

	spin_lock_irq(&current->sighand->siglock);
	/* Inside sigsuspend/ppoll/pselect: the real mask is the saved one. */
	mask = test_restore_sigmask() ? &current->saved_sigmask : &current->blocked;
	t->sigmask = mask->sig[0];
	spin_unlock_irq(&current->sighand->siglock);

	if (current->sas_ss_size) {
		t->altstack_sp = current->sas_ss_sp;
		t->altstack_size = current->sas_ss_size;
		t->altstack_flags = current->sas_ss_flags & SS_AUTODISARM;
	} else {
		t->altstack_flags = SS_DISABLE;
	}
#ifdef CONFIG_RSEQ
	if (current->rseq) {
		t->rseq = (unsigned long)current->rseq;
		t->rseq_len = 32;	/* the only size a 6.1 kernel accepts */
		t->rseq_sig = current->rseq_sig;
	}
#endif
	t->clear_child_tid = (unsigned long)current->clear_child_tid;
#ifdef CONFIG_FUTEX
	if (current->robust_list) {
		t->robust_list = (unsigned long)current->robust_list;
		t->robust_list_len = sizeof(struct robust_list_head);
	}
#endif
	__get_task_comm(t->comm, sizeof(t->comm), current);
	t->timer_slack_ns = current->timer_slack_ns;
	t->default_slack_ns = current->default_timer_slack_ns;
	t->pdeath_signal = current->pdeath_signal;
	if (task_no_new_privs(current))
		t->flags |= SSI_THRF_NO_NEW_PRIVS;
	err = ssi_cpus_capture(t);
	if (err == -EOPNOTSUPP)
		return cap_fail(ce, err, SSI_R_AFFINITY,
				"bound to a CPU numbered beyond what an image names");
	if (err)
		return cap_fail(ce, err, SSI_R_NOMEM, "no memory");
	if (ssi_mempolicy_capture(t))
		return cap_fail(ce, -EOPNOTSUPP, SSI_R_NUMA,
				"a NUMA policy names a node beyond what an image names");
	return capture_sched(t, ce);
}

static int ssi_dump_capture(struct ssi_dump_req *req)
{
	struct mm_struct *mm = current->mm;
	struct ssi_cap_err ce = {};
	struct ssi_img_task *t;
	int err;

	BUILD_BUG_ON(_NSIG != SSI_IMG_NSIG);
	BUILD_BUG_ON(SSI_IMG_SIGPENDING_MASK !=
		     (~0ULL & ~(u64)(sigmask(SIGKILL) | sigmask(SIGSTOP))));
	BUILD_BUG_ON(sizeof(kernel_siginfo_t) != SSI_IMG_SIGINFO_LEN);
	BUILD_BUG_ON(RLIM_NLIMITS != SSI_IMG_NRLIMIT);

	/* Threads that appeared since the caller looked are found afterwards. */
	if (get_nr_threads(current) != 1 && !(req->flags & SSI_DUMP_THREADS))
		return capture_fail(req, -EOPNOTSUPP, SSI_R_TARGET,
				    "multi-threaded task");
	/* task_work runs in do_exit() too, after exit_mm() */
	if (!mm)
		return capture_fail(req, -ESRCH, SSI_R_TARGET, "exiting");
	if (test_bit(MMF_MULTIPROCESS, &mm->flags) || current->vfork_done)
		return capture_fail(req, -EOPNOTSUPP, SSI_R_TARGET,
				    "mm shared with another process");

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	req->img = t;
	if (!t)
		return capture_fail(req, -ENOMEM, SSI_R_NOMEM, "no memory");
	err = capture_thread(&t->leader, &req->xstate, &req->xstate_size,
			     req->caller_time_ns, &ce);
	if (err)
		return capture_fail(req, err, ce.reason, ce.detail);
	req->xfeatures = current->thread.fpu.fpstate->user_xfeatures;
	return 0;
}

/*
 * send_sig_info(), which the restore and the deputy's relay queue signals
 * with, queues a signal below SIGRTMIN once per thread (the relay puts
 * one sent to the process on the thread it picks); a POSIX timer's own
 * sigqueue is queued beside a relayed one of that timer all the same
 * (send_sigqueue() does not look).  So the image holds one such signal per
 * timer: a second one's expirations go in the overrun of the first, and
 * it is left out.
 */
static bool merged_timer_signal(struct ssi_dump_req *req, const kernel_siginfo_t *info)
{
	kernel_siginfo_t had;
	u32 i;

	if (info->si_code != SI_TIMER || info->si_signo >= SIGRTMIN)
		return false;
	memset(&had, 0, sizeof(had));
	for (i = 0; i < req->nr_sigq; i++) {
		memcpy(&had, req->sigq[i].info, sizeof(req->sigq[i].info));
		if (had.si_code != SI_TIMER || had.si_signo != info->si_signo ||
		    had.si_tid != info->si_tid)
			continue;
		had.si_overrun = min_t(s64, (s64)max(had.si_overrun, 0) + 1 +
				       max(info->si_overrun, 0), INT_MAX);
		memcpy(req->sigq[i].info, &had, sizeof(req->sigq[i].info));
		return true;
	}
	return false;
}

/*
 * The signals queued on @p (the process's, @tid 0, or a thread's), in
 * queue order, after those already in @req.  Under the siglock.
 * Return: false if there are more than the image holds.
 */
static bool capture_queue(struct ssi_dump_req *req, struct sigpending *p, u32 tid)
{
	struct ssi_img_siginfo *r;
	struct sigqueue *q;

	list_for_each_entry(q, &p->list, list) {
		if (sig_kernel_only(q->info.si_signo))
			continue;	/* SIGKILL, SIGSTOP: as sigpending leaves them */
		if (merged_timer_signal(req, &q->info))
			continue;
		if (req->nr_sigq == SSI_IMG_MAX_SIGQUEUE)
			return false;
		r = &req->sigq[req->nr_sigq++];
		r->tid = tid;
		r->reserved = 0;
		memcpy(r->info, &q->info, sizeof(r->info));
	}
	return true;
}

/*
 * Every signal queued on the process and its threads, with its siginfo,
 * each thread's by its tid as it knows it.  Under the siglock.
 */
static bool capture_sigqueues(struct ssi_dump_req *req)
{
	struct task_struct *task = req->task, *th;

	req->nr_sigq = 0;
	if (!capture_queue(req, &task->signal->shared_pending, 0))
		return false;
	for_each_thread(task, th) {
		if (th->flags & PF_EXITING)
			continue;	/* not in the image; its queue goes with it */
		if (!capture_queue(req, &th->pending,
				   task_pid_nr_ns(th, task_active_pid_ns(th))))
			return false;
	}
	return true;
}

/*
 * Process-wide state, read by the caller once every thread is frozen (a
 * thread still running could change a disposition or a limit until then).
 */
static int capture_process(struct ssi_dump_req *req)
{
	struct task_struct *task = req->task;
	struct ssi_img_task *t = req->img;
	struct sighand_struct *sighand;
	unsigned long flags;
	bool fits;
	int i, err;

	if (!req->sigq) {
		req->sigq = kvmalloc_array(SSI_IMG_MAX_SIGQUEUE, sizeof(*req->sigq),
					   GFP_KERNEL);
		if (!req->sigq)
			return -ENOMEM;
	}
	/*
	 * A SIGKILL ends the frozen process whenever it comes: each look at
	 * its sighand may find it gone (the task itself is held).
	 */
	sighand = ssi_lock_sighand(task, &flags);
	if (!sighand)
		return -ESRCH;
	for (i = 0; i < _NSIG; i++) {
		const struct sigaction *sa = &sighand->action[i].sa;

		t->sigactions[i].handler = (unsigned long)sa->sa_handler;
		t->sigactions[i].flags = sa->sa_flags;
		t->sigactions[i].restorer = (unsigned long)sa->sa_restorer;
		t->sigactions[i].mask = sa->sa_mask.sig[0];
	}
	spin_unlock_irqrestore(&sighand->siglock, flags);

	t->personality = task->personality;
	t->oom_score_adj = task->signal->oom_score_adj;
	t->oom_score_adj_min = task->signal->oom_score_adj_min;
	if (task->signal->is_child_subreaper)
		t->flags |= SSI_TASKF_CHILD_SUBREAPER;
	/* Every thread is frozen: their counters stand still. */
	{
		struct ssi_dump_thread *th;

		ssi_rusage_thread_save(task, &t->leader);
		list_for_each_entry(th, &req->threads, node)
			if (atomic_read(&th->state) == SSI_DS_FROZEN)
				ssi_rusage_thread_save(th->task, &th->img);
	}
	if (ssi_rusage_save(task, t) || ssi_cpu_itimers_save(task, t) ||
	    ssi_real_itimer_freeze(task, &t->itimer_real))
		return -ESRCH;
	req->real_frozen = true;
	err = ssi_ptimers_freeze(task, &req->ptimers, &t->posix_timer_next, &req->ptimer_why);
	if (err)
		return err;
	sighand = ssi_lock_sighand(task, &flags);
	if (!sighand)
		return -ESRCH;
	t->sigpending = (task->pending.signal.sig[0] |
			 task->signal->shared_pending.signal.sig[0]) & SSI_IMG_SIGPENDING_MASK;
	fits = capture_sigqueues(req);
	spin_unlock_irqrestore(&sighand->siglock, flags);
	if (!fits)
		return -E2BIG;
	task_lock(task->group_leader);
	for (i = 0; i < RLIM_NLIMITS; i++) {
		t->rlim[i].cur = task->signal->rlim[i].rlim_cur;
		t->rlim[i].max = task->signal->rlim[i].rlim_max;
	}
	task_unlock(task->group_leader);
	t->nr_rlimits = RLIM_NLIMITS;
	return 0;
}

/* A thread (the leader or another) has captured its state or given up. */
static void ssi_dump_arrived(struct ssi_dump_req *req)
{
	if (atomic_dec_and_test(&req->pending))
		complete(&req->captured);
}

/*
 * What wakes a frozen thread other than the leader: a verdict it acts on.
 * DEPUTY only once the leader has prepared its seat (a leader that fails
 * before its point of no return puts the verdict back to NONE); RETURN
 * while its record is there to take.
 */
static bool thread_woken(struct ssi_dump_req *req, struct ssi_dump_thread *th)
{
	int v = READ_ONCE(req->verdict);

	if (v == SSI_V_DEPUTY)
		return smp_load_acquire(&req->deputy_go);
	if (v == SSI_V_RETURN)
		return READ_ONCE(th->ret_park);
	return v != SSI_V_NONE;
}

/*
 * task_work callback of a thread other than the leader.  It freezes like
 * the leader, enters its seat of the deputy stub on DEPUTY, becomes its
 * image thread on RETURN (or stays frozen if the leader's restore is
 * refused), leaves on RESUME, or when killed.
 */
static void ssi_dump_thread_work(struct callback_head *cb)
{
	struct ssi_dump_thread *th = container_of(cb, struct ssi_dump_thread, work);
	struct ssi_dump_req *req = th->req;
	struct ssi_modref *modref;
	struct ssi_cap_err ce = {};
	u32 xsize = 0;

	if (READ_ONCE(req->verdict) != SSI_V_NONE ||
	    atomic_cmpxchg(&th->state, SSI_DS_QUEUED, SSI_DS_RUNNING) !=
	    SSI_DS_QUEUED) {
		ssi_dump_arrived(req);
		goto out;		/* the caller gave up */
	}
	th->err = capture_thread(&th->img, &th->xstate, &xsize, req->caller_time_ns, &ce);
	if (!th->err && xsize != req->xstate_size)
		th->err = cap_fail(&ce, -EOPNOTSUPP, SSI_R_XSTATE,
				   "threads with different XSAVE sizes");
	if (th->err) {
		th->reason = ce.reason;
		th->detail = ce.detail;
		atomic_set(&th->state, SSI_DS_FAILED);
		ssi_dump_arrived(req);
		goto out;
	}
	atomic_set(&th->state, SSI_DS_FROZEN);
	ssi_dump_arrived(req);
	for (;;) {
		struct ssi_parked *p;
		int v;

		wait_event_state(req->wq, thread_woken(req, th),
				 (TASK_KILLABLE | TASK_FREEZABLE | TASK_NOLOAD));
		v = READ_ONCE(req->verdict);
		if (fatal_signal_pending(current))
			break;
		if (v == SSI_V_DEPUTY) {
			if (th->seat)
				ssi_deputy_enter(req->deputy_plan, th->seat);
			break;
		}
		if (v != SSI_V_RETURN)
			break;
		p = xchg(&th->ret_park, NULL);
		if (p && ssi_return_thread_become(p) != -ECANCELED)
			break;
		/* refused: still the deputy's thread, frozen */
	}
out:
	modref = th->modref;	/* @th goes with the last reference to @req */
	ssi_dump_put(req);
	ssi_modref_put(modref);
}

/* task_work callback: runs in the target, from get_signal() (or exit). */
static void ssi_dump_work(struct callback_head *cb)
{
	struct ssi_dump_req *req = container_of(cb, struct ssi_dump_req, work);
	struct ssi_modref *modref;
	bool became = false;
	int err;

	if (atomic_cmpxchg(&req->state, SSI_DS_QUEUED, SSI_DS_RUNNING) !=
	    SSI_DS_QUEUED) {
		ssi_dump_arrived(req);
		goto out;		/* the caller gave up */
	}

	err = ssi_dump_capture(req);
	if (err) {
		req->err = err;
		atomic_set(&req->state, SSI_DS_FAILED);
		ssi_dump_arrived(req);
		goto out;
	}
	req->frozen_at = ktime_get_ns();
	atomic_set(&req->state, SSI_DS_FROZEN);
	ssi_dump_arrived(req);

	/*
	 * Frozen.  Killable so that SIGKILL always works, freezable so that
	 * suspend does not fail on us, NOLOAD so that a frozen job does not
	 * inflate the load average the balancer reads.
	 */
	for (;;) {
		int v;

		wait_event_state(req->wq, READ_ONCE(req->verdict) != SSI_V_NONE,
				 (TASK_KILLABLE | TASK_FREEZABLE | TASK_NOLOAD));
		v = READ_ONCE(req->verdict);
		if (fatal_signal_pending(current) ||
		    (v != SSI_V_DEPUTY && v != SSI_V_RETURN))
			break;
		if (v == SSI_V_DEPUTY) {
			err = req->deputy_err =
				ssi_deputy_become(req->deputy_plan, &req->deputy_reason);
			/* the other threads take their seats */
			if (!err) {
				smp_store_release(&req->deputy_go, true);
				wake_up(&req->wq);
			}
		} else
			err = req->ret_err =
				ssi_restore_return(req->ret_in, req->ret_close_fds,
						   req->ret_nr_given + 1, req->ret_given,
						   req->ret_nr_given, req->ret_subst,
						   req->ret_nr_subst, &req->ret_car,
						   req->ret_arg, &req->caller_killed);
		if (!err) {
			became = true;
			complete(&req->became);
			break;		/* on the way out to the stub or image */
		}
		/* Still frozen and intact: wait for the next verdict. */
		WRITE_ONCE(req->verdict, SSI_V_NONE);
		complete(&req->became);
	}
	/* going on here after all: its alarm goes on too */
	if (!became && req->real_frozen && !fatal_signal_pending(current)) {
		ssi_real_itimer_thaw(&req->img->itimer_real,
				     ktime_get_ns() - req->frozen_at, NSEC_PER_USEC);
		ssi_ptimers_thaw(&req->ptimers);
	}
out:
	ssi_busy_del(req);
	WRITE_ONCE(req->left, true);
	complete_all(&req->became);	/* a DEPUTY caller must not wait for us */
	modref = req->modref;
	ssi_dump_put(req);
	ssi_modref_put(modref);
}

/* ---- the caller's side: walking the frozen mm and writing the image ---- */

struct ssi_dump_ctx {
	struct ssi_dump_req *req;
	struct mm_struct *mm;
	struct ssi_img_header hdr;
	struct ssi_img_mm imm;
	struct ssi_img_vma *vmas;
	bool *scan;			/* VMA may hold anonymous pages */
	u32 nr_vmas;
	struct file *files[SSI_IMG_MAX_FILES];
	/* a DSM segment's record: its id (else 0) and size */
	u64 seg_id[SSI_IMG_MAX_FILES], seg_size[SSI_IMG_MAX_FILES];
	u32 nr_files;
	void *fbuf;			/* FILES payload */
	u64 fsize;
	void *ldt;			/* LDT payload: nr_ldt descriptors */
	u32 nr_ldt;
	u64 nr_pages, nr_runs;
	u64 bytes;
	u32 reason;
	const char *detail;
};

static int dump_fail(struct ssi_dump_ctx *c, int err, u32 reason,
		     const char *detail)
{
	c->reason = reason;
	c->detail = detail;
	return err;
}

static int file_index(struct ssi_dump_ctx *c, struct file *f, u32 *idx)
{
	u32 i;

	for (i = 0; i < c->nr_files; i++)
		if (file_inode(c->files[i]) == file_inode(f)) {
			*idx = i;
			return 0;
		}
	if (c->nr_files == SSI_IMG_MAX_FILES)
		return dump_fail(c, -EOPNOTSUPP, SSI_R_MAPPING,
				 "too many mapped files");
	c->files[c->nr_files] = get_file(f);
	*idx = c->nr_files++;
	return 0;
}

/*
 * A mapping of a DSM segment: its pages are the segment's, which the
 * restorer maps from this node's copy there (SSI_VMA_DSM); only a
 * segment ssid named (exported) can be found there.
 */
static int classify_dsm(struct ssi_dump_ctx *c, struct vm_area_struct *vma,
			struct ssi_img_vma *v, u64 id, u64 size)
{
	int err;

	if (!id)
		return dump_fail(c, -EOPNOTSUPP, SSI_R_MAPPING,
				 "shared memory segment with no cluster name");
	/* populating it would wait for the network in the restore */
	if (vma->vm_flags & VM_LOCKED)
		return dump_fail(c, -EOPNOTSUPP, SSI_R_MAPPING, "locked shared memory");
	err = file_index(c, vma->vm_file, &v->file);
	if (err)
		return err;
	c->seg_id[v->file] = id;
	c->seg_size[v->file] = size;
	v->kind = SSI_VMA_DSM;
	v->pgoff = vma->vm_pgoff;
	return 0;
}

/* Under mmap_read_lock(c->mm). */
static int classify_vma(struct ssi_dump_ctx *c, struct vm_area_struct *vma,
			struct ssi_img_vma *v, bool *seen_heap)
{
	struct mm_struct *mm = c->mm;
	unsigned long f = vma->vm_flags;
	const char *name = NULL;
	u64 seg_id, seg_size;
	int err;

	if (vma->vm_ops && vma->vm_ops->name)
		name = vma->vm_ops->name(vma);

	v->start = vma->vm_start;
	v->end = vma->vm_end;
	v->vm_flags = f;
	v->prot = (f & VM_READ ? PROT_READ : 0) | (f & VM_WRITE ? PROT_WRITE : 0) |
		  (f & VM_EXEC ? PROT_EXEC : 0);
	if (f & VM_GROWSDOWN)
		v->flags |= SSI_VMAF_GROWSDOWN;

	if (name && !vma->vm_file && !strcmp(name, "[vdso]")) {
		v->kind = SSI_VMA_VDSO;
		return 0;
	}
	if (name && !vma->vm_file && !strcmp(name, "[vvar]")) {
		v->kind = SSI_VMA_VVAR;
		return 0;
	}
	v->flags |= ssi_vma_advice(f);
	if (ssi_dsm_vma_segment(vma, &seg_id, &seg_size))
		return classify_dsm(c, vma, v, seg_id, seg_size);
	/*
	 * A shared file mapping that can never be written (the file was
	 * opened read-only, as glibc maps gconv-modules.cache) shows the same
	 * bytes as a private read-only one: carry it as one.
	 */
	if (vma->vm_file && (f & VM_MAYSHARE) && !(f & (VM_SHARED | VM_MAYWRITE))) {
		f &= ~VM_MAYSHARE;
		v->vm_flags = f;
	}
	/* Shared memory would need coherence between nodes: not supported. */
	if (f & (VM_SHARED | VM_MAYSHARE))
		return dump_fail(c, -EOPNOTSUPP, SSI_R_MAPPING, "shared mapping");
	if (f & (VM_IO | VM_PFNMAP | VM_MIXEDMAP | VM_HUGETLB))
		return dump_fail(c, -EOPNOTSUPP, SSI_R_MAPPING,
				 "device or hugetlb mapping");
	if (userfaultfd_armed(vma))
		return dump_fail(c, -EOPNOTSUPP, SSI_R_MAPPING,
				 "userfaultfd-registered mapping");
	v->pkey = (u32)vma_pkey(vma);
	err = ssi_vma_mempolicy_capture(vma, v);
	if (err == -E2BIG)
		return dump_fail(c, -EOPNOTSUPP, SSI_R_NUMA,
				 "a mapping's NUMA policy names a node beyond 63");
	if (err)
		return dump_fail(c, err, SSI_R_NUMA,
				 "a mapping's NUMA policy has a home node");
	if (vma->vm_file) {
		if (d_unlinked(vma->vm_file->f_path.dentry))
			return dump_fail(c, -EOPNOTSUPP, SSI_R_MAPPING,
					 "mapping of a deleted file");
		/*
		 * A memfd or another file of a kernel-internal mount has no
		 * path another node could open (its dentry is its own root,
		 * so it does not look deleted); nor has anything but a
		 * regular file content to compare there.
		 */
		if ((vma->vm_file->f_path.mnt->mnt_flags & MNT_INTERNAL) ||
		    !S_ISREG(file_inode(vma->vm_file)->i_mode))
			return dump_fail(c, -EOPNOTSUPP, SSI_R_MAPPING,
					 "mapping of a file with no path (memfd, shared memory)");
		err = file_index(c, vma->vm_file, &v->file);
		if (err)
			return err;
		v->kind = SSI_VMA_FILE;
		v->pgoff = vma->vm_pgoff;
		return 0;
	}
	if (vma->vm_ops)	/* another special mapping, e.g. [uprobes] */
		return dump_fail(c, -EOPNOTSUPP, SSI_R_MAPPING, "special mapping");

	/* The same tests /proc/PID/maps uses for [stack] and [heap]. */
	if (vma->vm_start <= mm->start_stack && vma->vm_end >= mm->start_stack)
		v->kind = SSI_VMA_STACK;
	else if (!*seen_heap && vma->vm_start <= mm->brk &&
		 vma->vm_end >= mm->start_brk && mm->brk > mm->start_brk)
		v->kind = SSI_VMA_HEAP;
	else
		v->kind = SSI_VMA_ANON;
	if (v->kind == SSI_VMA_HEAP)
		*seen_heap = true;
	return 0;
}

static int collect_mm(struct ssi_dump_ctx *c)
{
	struct mm_struct *mm = c->mm;
	struct vm_area_struct *vma;
	bool seen_heap = false;
	u32 n = 0, i;
	int err = 0;

	if (mmap_read_lock_killable(mm))
		return dump_fail(c, -EINTR, SSI_R_INTR, "interrupted");

	if (mm->map_count > SSI_IMG_MAX_VMAS) {
		err = dump_fail(c, -EOPNOTSUPP, SSI_R_MAPPING, "too many VMAs");
		goto out;
	}
	c->vmas = kvcalloc(mm->map_count, sizeof(*c->vmas), GFP_KERNEL);
	c->scan = kvcalloc(mm->map_count, sizeof(*c->scan), GFP_KERNEL);
	if (!c->vmas || !c->scan) {
		err = dump_fail(c, -ENOMEM, SSI_R_NOMEM, "no memory");
		goto out;
	}

	{
		VMA_ITERATOR(vmi, mm, 0);

		for_each_vma(vmi, vma) {
			if (n == mm->map_count) {
				err = dump_fail(c, -EAGAIN, SSI_R_TARGET,
						"address space changed");
				goto out;
			}
			err = classify_vma(c, vma, &c->vmas[n], &seen_heap);
			if (err)
				goto out;
			if (c->vmas[n].kind == SSI_VMA_VDSO) {
				c->hdr.vdso_start = vma->vm_start;
				c->hdr.vdso_end = vma->vm_end;
			} else if (c->vmas[n].kind == SSI_VMA_VVAR) {
				c->hdr.vvar_start = vma->vm_start;
				c->hdr.vvar_end = vma->vm_end;
			} else {
				/*
				 * No anon_vma: no page was ever written; a
				 * segment's pages are the segment's.
				 */
				c->scan[n] = vma->anon_vma && c->vmas[n].kind != SSI_VMA_DSM;
			}
			n++;
		}
	}
	c->nr_vmas = n;

	c->imm.start_code = mm->start_code;
	c->imm.end_code = mm->end_code;
	c->imm.start_data = mm->start_data;
	c->imm.end_data = mm->end_data;
	c->imm.start_brk = mm->start_brk;
	c->imm.brk = mm->brk;
	c->imm.start_stack = mm->start_stack;
	spin_lock(&mm->arg_lock);
	c->imm.arg_start = mm->arg_start;
	c->imm.arg_end = mm->arg_end;
	c->imm.env_start = mm->env_start;
	c->imm.env_end = mm->env_end;
	spin_unlock(&mm->arg_lock);

	BUILD_BUG_ON(AT_VECTOR_SIZE > SSI_IMG_AUXV_WORDS);
	for (i = 0; i + 1 < AT_VECTOR_SIZE; i += 2) {
		c->imm.auxv[i] = mm->saved_auxv[i];
		c->imm.auxv[i + 1] = mm->saved_auxv[i + 1];
		if (mm->saved_auxv[i] == AT_NULL)
			break;
	}
	if (i + 1 >= AT_VECTOR_SIZE) {	/* unterminated: terminate it */
		i = AT_VECTOR_SIZE - 2;
		c->imm.auxv[i] = c->imm.auxv[i + 1] = 0;
	}
	c->imm.nr_auxv = i + 2;
	if (mm->def_flags & VM_LOCKED)
		c->imm.flags |= SSI_MMF_LOCK_FUTURE;
	if (mm->def_flags & VM_LOCKONFAULT)
		c->imm.flags |= SSI_MMF_LOCK_ONFAULT;
	if (test_bit(MMF_DISABLE_THP, &mm->flags))
		c->imm.flags |= SSI_MMF_NO_THP;
	c->imm.dumpable = get_dumpable(mm);
	ssi_pkeys_save(mm, &c->imm);
	err = ssi_ldt_save(mm, &c->ldt, &c->nr_ldt);
	if (err)
		dump_fail(c, err, SSI_R_NOMEM, "no memory");
out:
	mmap_read_unlock(mm);
	return err;
}

/* The FILES payload: identity and path of each mapped file. */
static int build_files(struct ssi_dump_ctx *c)
{
	char *pathbuf;
	u64 size = 0;
	u32 i;
	int err = 0;

	pathbuf = kmalloc(PATH_MAX, GFP_KERNEL);
	c->fbuf = kvzalloc(SSI_IMG_MAX_FILES_BYTES, GFP_KERNEL);
	if (!pathbuf || !c->fbuf) {
		err = dump_fail(c, -ENOMEM, SSI_R_NOMEM, "no memory");
		goto out;
	}
	for (i = 0; i < c->nr_files; i++) {
		struct ssi_img_file id = {};
		char *path;
		u32 len;

		/* The path as ssid (the caller) sees it; helpers open it so. */
		path = d_path(&c->files[i]->f_path, pathbuf, PATH_MAX);
		if (IS_ERR(path)) {
			err = dump_fail(c, PTR_ERR(path), SSI_R_MAPPING,
					"unnamed mapped file");
			goto out;
		}
		len = strlen(path);
		if (!len || path[0] != '/' || len >= SSI_IMG_MAX_PATH) {
			err = dump_fail(c, -EOPNOTSUPP, SSI_R_MAPPING,
					"mapped file outside the file system");
			goto out;
		}
		if (c->seg_id[i]) {
			/* a segment: named by its id, not by content */
			id.size = c->seg_size[i];
			id.digest_kind = SSI_DIGEST_DSM;
			id.digest_len = sizeof(c->seg_id[i]);
			put_unaligned_le64(c->seg_id[i], id.digest);
		} else {
			err = ssi_file_identity(c->files[i], &id, NULL);
		}
		if (err) {
			dump_fail(c, err, err == -EINTR ? SSI_R_INTR : SSI_R_IO,
				  "cannot identify a mapped file");
			goto out;
		}
		id.path_len = len;
		id.rec_size = ALIGN(sizeof(id) + len + 1, 8);
		if (id.rec_size > SSI_IMG_MAX_FILES_BYTES - size) {
			err = dump_fail(c, -EOPNOTSUPP, SSI_R_MAPPING,
					"mapped file names too long");
			goto out;
		}
		memcpy(c->fbuf + size, &id, sizeof(id));
		memcpy(c->fbuf + size + sizeof(id), path, len);
		size += id.rec_size;
	}
	c->fsize = size;
out:
	kfree(pathbuf);
	return err;
}

static int write_run(struct ssi_img_writer *w, struct ssi_dump_ctx *c,
		     unsigned long addr, u32 nr, const u8 *data)
{
	struct ssi_img_pages ph = {
		.addr = addr,
		.nr_pages = nr,
		.data_crc = ssi_crc32c(0, data, (size_t)nr << PAGE_SHIFT),
	};
	int err;

	ssi_img_seal(&ph, sizeof(ph), offsetof(struct ssi_img_pages, crc));
	err = ssi_iw_write(w, &ph, sizeof(ph));
	if (!err)
		err = ssi_iw_write(w, data, (size_t)nr << PAGE_SHIFT);
	c->nr_pages += nr;
	c->nr_runs++;
	return err;
}

/*
 * The pages worth sending: in anonymous memory every page that is present
 * and not all zero (FOLL_DUMP skips holes and the zero page without
 * faulting anything in); in private file mappings only the pages that
 * were copied on write (PageAnon) — the rest is in the file.
 */
static int dump_vma_pages(struct ssi_img_writer *w, struct ssi_dump_ctx *c,
			  const struct ssi_img_vma *v, struct page **pages,
			  u8 *data)
{
	bool keep[SSI_DUMP_BATCH];
	unsigned long addr = v->start;
	long got, i, j;
	int err;

	while (addr < v->end) {
		long nr = min_t(long, SSI_DUMP_BATCH, (v->end - addr) >> PAGE_SHIFT);

		if (fatal_signal_pending(current))
			return dump_fail(c, -EINTR, SSI_R_INTR, "interrupted");
		if (mmap_read_lock_killable(c->mm))
			return dump_fail(c, -EINTR, SSI_R_INTR, "interrupted");
		got = get_user_pages_remote(c->mm, addr, nr, FOLL_FORCE | FOLL_DUMP,
					    pages, NULL, NULL);
		if (got <= 0) {
			mmap_read_unlock(c->mm);
			if (got == -ENOMEM)
				return dump_fail(c, -ENOMEM, SSI_R_NOMEM, "no memory");
			if (got == -EINTR)
				return dump_fail(c, -EINTR, SSI_R_INTR, "interrupted");
			addr += PAGE_SIZE;	/* a hole or the zero page */
			continue;
		}
		for (i = 0; i < got; i++) {
			u8 *p = kmap_local_page(pages[i]);

			if (v->kind == SSI_VMA_FILE)
				keep[i] = PageAnon(pages[i]);
			else
				keep[i] = memchr_inv(p, 0, PAGE_SIZE) != NULL;
			if (keep[i])
				memcpy(data + (i << PAGE_SHIFT), p, PAGE_SIZE);
			kunmap_local(p);
			put_page(pages[i]);
		}
		mmap_read_unlock(c->mm);

		for (i = 0; i < got; i = j) {
			if (!keep[i]) {
				j = i + 1;
				continue;
			}
			for (j = i; j < got && keep[j]; j++)
				;
			err = write_run(w, c, addr + (i << PAGE_SHIFT), j - i,
					data + (i << PAGE_SHIFT));
			if (err)
				return dump_fail(c, err, SSI_R_IO, "write error");
		}
		addr += got << PAGE_SHIFT;
		cond_resched();
	}
	return 0;
}

static int dump_pages(struct ssi_img_writer *w, struct ssi_dump_ctx *c)
{
	struct ssi_img_pages end = {};
	struct page **pages;
	u8 *data;
	u32 i;
	int err = 0;

	pages = kmalloc_array(SSI_DUMP_BATCH, sizeof(*pages), GFP_KERNEL);
	data = vmalloc(SSI_DUMP_BATCH << PAGE_SHIFT);
	if (!pages || !data) {
		err = dump_fail(c, -ENOMEM, SSI_R_NOMEM, "no memory");
		goto out;
	}
	err = ssi_iw_section(w, SSI_SEC_PAGES, NULL, 0, 0);
	for (i = 0; !err && i < c->nr_vmas; i++)
		if (c->scan[i])
			err = dump_vma_pages(w, c, &c->vmas[i], pages, data);
	if (!err) {
		ssi_img_seal(&end, sizeof(end), offsetof(struct ssi_img_pages, crc));
		err = ssi_iw_write(w, &end, sizeof(end));
	}
out:
	vfree(data);
	kfree(pages);
	return err;
}

/*
 * The image must pass the same checks the restorer applies; finding out
 * here gives ssid a reason at home instead of a refusal on the remote.
 */
static int self_check(struct ssi_dump_ctx *c)
{
	struct ssi_img_env env = {
		.task_size	= TASK_SIZE_MAX,
		.page_size	= PAGE_SIZE,
		.user_cs	= __USER_CS,
		.user_ss	= __USER_DS,
		.mxcsr_mask	= mxcsr_feature_mask,
		.auxv_words	= AT_VECTOR_SIZE,
	};
	struct ssi_img_err e = {};
	struct ssi_dump_thread *th;
	u32 *offs;
	int err;

	err = ssi_img_check_header(&c->hdr, &env, &e);
	if (!err)
		err = ssi_img_check_task(c->req->img, &env, &e);
	if (!err)
		err = ssi_img_check_xstate(c->req->xstate, c->req->xstate_size,
					   &c->hdr, &env, &e);
	if (!err)
		err = ssi_img_check_mm(&c->imm, &env, &e);
	if (!err) {
		offs = kcalloc(max(c->nr_files, 1U), sizeof(*offs), GFP_KERNEL);
		if (!offs)
			return dump_fail(c, -ENOMEM, SSI_R_NOMEM, "no memory");
		err = ssi_img_check_files(c->fbuf, c->fsize, c->nr_files, offs, &e);
		if (!err)
			err = ssi_img_check_vmas(c->vmas, c->nr_vmas, c->nr_files,
						 &c->hdr, &env, &e);
		if (!err)
			err = ssi_img_check_vma_files(c->vmas, c->nr_vmas, c->fbuf, offs, &e);
		kfree(offs);
	}
	list_for_each_entry(th, &c->req->threads, node) {
		if (err)
			break;
		if (atomic_read(&th->state) != SSI_DS_FROZEN)
			continue;
		err = ssi_img_check_thread(&th->img, &env, &e);
		if (!err)
			err = ssi_img_check_xstate(th->xstate, c->req->xstate_size,
						   &c->hdr, &env, &e);
	}
	if (err) {
		pr_info_ratelimited("ssi: dump of %d refused: %s: %s\n",
				    c->req->pid, ssi_reason_name(e.reason),
				    e.detail);
		return dump_fail(c, -EOPNOTSUPP, e.reason,
				 "state not representable (see dmesg)");
	}
	return 0;
}

/* One THREAD section per frozen thread other than the leader. */
static int write_threads(struct ssi_img_writer *w, struct ssi_dump_ctx *c)
{
	size_t size = sizeof(struct ssi_img_thread) + c->req->xstate_size;
	struct ssi_dump_thread *th;
	u8 *buf;
	int err = 0;

	if (list_empty(&c->req->threads))
		return 0;
	buf = kvmalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	list_for_each_entry(th, &c->req->threads, node) {
		if (atomic_read(&th->state) != SSI_DS_FROZEN)
			continue;
		memcpy(buf, &th->img, sizeof(th->img));
		memcpy(buf + sizeof(th->img), th->xstate, c->req->xstate_size);
		err = ssi_iw_section(w, SSI_SEC_THREAD, buf, size, 1);
		if (err)
			break;
	}
	kvfree(buf);
	return err;
}

static int ssi_dump_write(struct ssi_dump_ctx *c, struct file *out)
{
	struct ssi_dump_req *req = c->req;
	struct ssi_img_header *h = &c->hdr;
	struct ssi_dump_thread *th;
	struct ssi_img_writer w;
	struct ssi_img_end end = {};
	int err;

	c->mm = get_task_mm(req->task);
	if (!c->mm)
		return dump_fail(c, -ESRCH, SSI_R_TARGET, "task has no mm");
	err = capture_process(req);
	if (err == -ENOMEM)
		return dump_fail(c, err, SSI_R_NOMEM, "no memory");
	if (err == -E2BIG)
		return dump_fail(c, -EOPNOTSUPP, SSI_R_TARGET,
				 "more signals queued than an image holds");
	if (err == -EOPNOTSUPP)
		return dump_fail(c, err, SSI_R_TARGET, req->ptimer_why);
	if (err)
		return dump_fail(c, -ESRCH, SSI_R_TARGET, "task is gone");
	h->nr_threads = 1;
	list_for_each_entry(th, &req->threads, node)
		if (atomic_read(&th->state) == SSI_DS_FROZEN)
			h->nr_threads++;

	err = collect_mm(c);
	if (!err)
		err = build_files(c);
	if (err)
		return err;
	if (!c->hdr.vdso_start || !c->hdr.vvar_start)
		return dump_fail(c, -EOPNOTSUPP, SSI_R_VDSO, "task has no vDSO");
	err = ssi_vdso_digest(c->mm, h->vdso_start, h->vdso_end, h->vdso_digest,
			      NULL);
	if (err)
		return dump_fail(c, err, SSI_R_VDSO, "cannot read the vDSO");

	h->magic = SSI_IMG_MAGIC;
	h->version = SSI_IMG_VERSION;
	h->header_size = sizeof(*h);
	h->arch = SSI_IMG_ARCH_X86_64;
	h->page_size = PAGE_SIZE;
	h->home_pid = req->pid;
	h->dump_time_ns = ktime_get_real_ns();
	strscpy(h->release, init_utsname()->release, sizeof(h->release));
	h->xfeatures = req->xfeatures;
	h->xstate_size = req->xstate_size;
	ssi_img_seal(h, sizeof(*h), offsetof(struct ssi_img_header, crc));

	err = self_check(c);
	if (err)
		return err;

	err = ssi_iw_init(&w, out);
	if (err)
		return dump_fail(c, err, SSI_R_NOMEM, "no memory");
	err = ssi_iw_write(&w, h, sizeof(*h));
	if (!err)
		err = ssi_iw_section(&w, SSI_SEC_TASK, req->img, sizeof(*req->img), 1);
	if (!err)
		err = ssi_iw_section(&w, SSI_SEC_XSTATE, req->xstate,
				     req->xstate_size, 1);
	if (!err)
		err = ssi_iw_section(&w, SSI_SEC_MM, &c->imm, sizeof(c->imm), 1);
	if (!err)
		err = ssi_iw_section(&w, SSI_SEC_FILES, c->fbuf, c->fsize,
				     c->nr_files);
	if (!err)
		err = ssi_iw_section(&w, SSI_SEC_VMAS, c->vmas,
				     (u64)c->nr_vmas * sizeof(*c->vmas), c->nr_vmas);
	if (!err)
		err = write_threads(&w, c);
	if (!err)
		err = ssi_iw_section(&w, SSI_SEC_SIGQUEUE, req->sigq,
				     (u64)req->nr_sigq * sizeof(*req->sigq), req->nr_sigq);
	if (!err)
		err = ssi_iw_section(&w, SSI_SEC_TIMERS, req->ptimers.img,
				     (u64)req->ptimers.n * sizeof(*req->ptimers.img),
				     req->ptimers.n);
	if (!err)
		err = ssi_iw_section(&w, SSI_SEC_LDT, c->ldt,
				     (u64)c->nr_ldt * LDT_ENTRY_SIZE, c->nr_ldt);
	if (err) {
		dump_fail(c, err, err == -EINTR ? SSI_R_INTR : SSI_R_IO,
			  "write error");
		goto out;
	}
	err = dump_pages(&w, c);
	if (err)
		goto out;
	end.nr_pages = c->nr_pages;
	end.nr_runs = c->nr_runs;
	end.image_bytes = w.off;
	err = ssi_iw_section(&w, SSI_SEC_END, &end, sizeof(end), 1);
	if (!err)
		err = ssi_iw_flush(&w);
	if (err)
		dump_fail(c, err, err == -EINTR ? SSI_R_INTR : SSI_R_IO,
			  "write error");
out:
	if (!err) {
		c->reason = SSI_R_NONE;
		c->bytes = w.off;
	}
	ssi_iw_destroy(&w);
	return err;
}

static void ssi_dump_ctx_free(struct ssi_dump_ctx *c)
{
	u32 i;

	for (i = 0; i < c->nr_files; i++)
		fput(c->files[i]);
	if (c->mm)
		mmput(c->mm);
	kvfree(c->fbuf);
	kvfree(c->ldt);
	kvfree(c->scan);
	kvfree(c->vmas);
	kvfree(c);
}

/*
 * Queue the capture on every thread of the target not yet asked (the
 * leader is always asked first).  Returns how many were queued, or -ENOMEM.
 * A thread that is exiting cannot be queued: it is simply not part of the
 * image, as if it had exited just before the dump.
 */
static int queue_new_threads(struct ssi_dump_req *req)
{
	struct ssi_dump_thread *th, *tmp;
	struct task_struct *t;
	LIST_HEAD(fresh);
	LIST_HEAD(batch);
	int n, want, queued = 0;

	rcu_read_lock();
	want = get_nr_threads(req->task);
	rcu_read_unlock();
	want = min_t(int, want, SSI_IMG_MAX_THREADS);
	for (n = 0; n < want; n++) {
		th = kzalloc(sizeof(*th), GFP_KERNEL);
		if (!th)
			break;
		list_add(&th->node, &fresh);
	}

	/* Pair each unknown thread with one of the new structures. */
	rcu_read_lock();
	for_each_thread(req->task, t) {
		bool known = t == req->task;

		list_for_each_entry(th, &req->threads, node)
			if (th->task == t)
				known = true;
		if (known || list_empty(&fresh))
			continue;
		th = list_first_entry(&fresh, struct ssi_dump_thread, node);
		get_task_struct(t);
		th->task = t;
		th->req = req;
		atomic_set(&th->state, SSI_DS_QUEUED);
		init_task_work(&th->work, ssi_dump_thread_work);
		list_move_tail(&th->node, &batch);
		queued++;
	}
	rcu_read_unlock();
	list_for_each_entry_safe(th, tmp, &fresh, node)
		kfree(th);
	if (!queued)
		return n < want ? -ENOMEM : 0;

	/* A bias of one, so that @captured completes only after all queued. */
	reinit_completion(&req->captured);
	atomic_inc(&req->pending);
	list_for_each_entry(th, &batch, node) {
		refcount_inc(&req->ref);
		atomic_inc(&req->pending);
		th->modref = ssi_modref_get();
		if (!th->modref || task_work_add(th->task, &th->work, TWA_SIGNAL)) {
			/* exiting (or no memory): not in the image */
			th->err = th->modref ? -ESRCH : -ENOMEM;
			atomic_set(&th->state, SSI_DS_FAILED);
			if (th->modref)
				ssi_modref_drop(th->modref);
			ssi_dump_arrived(req);
			ssi_dump_put(req);
		}
	}
	list_splice_tail(&batch, &req->threads);
	req->nr_threads += queued;
	ssi_dump_arrived(req);
	return queued;
}

/* How many threads other than the leader are frozen. */
static u32 frozen_threads(struct ssi_dump_req *req)
{
	struct ssi_dump_thread *th;
	u32 n = 0;

	list_for_each_entry(th, &req->threads, node)
		if (atomic_read(&th->state) == SSI_DS_FROZEN)
			n++;
	return n;
}

/* The frozen thread of @req (not the leader) whose tid, as the caller sees it, is @tid. */
static struct ssi_dump_thread *frozen_thread(struct ssi_dump_req *req, pid_t tid)
{
	struct ssi_dump_thread *th;

	list_for_each_entry(th, &req->threads, node)
		if (atomic_read(&th->state) == SSI_DS_FROZEN && task_pid_vnr(th->task) == tid)
			return th;
	return NULL;
}

/* A thread that could not be captured fails the dump, unless it exited. */
static int threads_failed(struct ssi_dump_req *req, struct ssi_dump *arg)
{
	struct ssi_dump_thread *th;

	list_for_each_entry(th, &req->threads, node) {
		if (atomic_read(&th->state) != SSI_DS_FAILED || th->err == -ESRCH)
			continue;
		arg->reason = th->reason;
		strscpy(arg->detail, th->detail, sizeof(arg->detail));
		return th->err;
	}
	return 0;
}

/* @sf holds @req's frozen task (again): its list takes the reference. */
static void give_back(struct ssi_file *sf, struct ssi_dump_req *req)
{
	mutex_lock(&sf->lock);
	list_add_tail(&req->node, &sf->frozen);
	mutex_unlock(&sf->lock);
}

static int ssi_dump_do(struct ssi_file *sf, struct ssi_dump *arg)
{
	struct ssi_dump_req *req;
	struct ssi_dump_ctx *c = NULL;
	struct task_struct *task;
	unsigned long deadline;
	const char *why = NULL;
	struct file *out;
	long left;
	int round, err;

	if (arg->flags & SSI_DUMP_FREEZE_ONLY) {
		out = NULL;
		if (arg->out_fd != -1)
			return -EINVAL;
	} else {
		out = fget(arg->out_fd);
		if (!out)
			return -EBADF;
		err = -EBADF;
		if (!(out->f_mode & FMODE_WRITE))
			goto out_file;
	}

	task = ssi_get_task(arg->pid);
	err = -ESRCH;
	if (!task)
		goto out_file;
	err = -EINVAL;
	arg->reason = SSI_R_TARGET;
	why = "the caller itself or a kernel thread";
	if (same_thread_group(task, current) ||
	    (task->flags & (PF_KTHREAD | PF_IO_WORKER)))
		goto out_task;
	err = -EOPNOTSUPP;
	why = "not a process (thread-group leader)";
	if (!thread_group_leader(task))
		goto out_task;
	why = "multi-threaded task";
	if (!(arg->flags & SSI_DUMP_THREADS) && get_nr_threads(task) != 1)
		goto out_task;
	err = -EBUSY;
	why = "task is traced";
	if (task->ptrace)
		goto out_task;
	why = NULL;

	err = -ENOMEM;
	arg->reason = SSI_R_NOMEM;
	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		goto out_task;
	refcount_set(&req->ref, 2);	/* caller + task_work */
	req->task = task;		/* takes over our task reference */
	req->pid = arg->pid;
	req->caller_time_ns = current->nsproxy->time_ns;
	req->flags = arg->flags;
	atomic_set(&req->state, SSI_DS_QUEUED);
	atomic_set(&req->pending, 1);
	INIT_LIST_HEAD(&req->threads);
	init_completion(&req->captured);
	init_completion(&req->became);
	init_waitqueue_head(&req->wq);
	INIT_LIST_HEAD(&req->node);
	init_task_work(&req->work, ssi_dump_work);

	arg->reason = SSI_R_TARGET;
	if (!ssi_busy_add(req)) {
		err = -EBUSY;
		goto out_req2;
	}
	req->modref = ssi_modref_get();
	err = req->modref ? task_work_add(task, &req->work, TWA_SIGNAL) : -ENOMEM;
	if (err) {
		if (req->modref)
			ssi_modref_drop(req->modref);
		ssi_busy_del(req);
		err = err == -ENOMEM ? -ENOMEM : -ESRCH;
		goto out_req2;
	}

	deadline = arg->timeout_ms ? jiffies + msecs_to_jiffies(arg->timeout_ms) : 0;
	for (round = 0; ; round++) {
		long timeout = MAX_SCHEDULE_TIMEOUT;

		if (deadline)
			timeout = max_t(long, (long)(deadline - jiffies), 1);
		left = wait_for_completion_killable_timeout(&req->captured, timeout);
		if (left <= 0) {
			err = left ? -EINTR : -ETIMEDOUT;
			arg->reason = SSI_R_INTR;
			/*
			 * Nobody waits for threads still on their way: whoever
			 * has not captured yet skips it, whoever has leaves.
			 */
			atomic_cmpxchg(&req->state, SSI_DS_QUEUED, SSI_DS_ABANDONED);
			goto out_resume;
		}
		if (atomic_read(&req->state) == SSI_DS_FAILED) {
			err = req->err;
			arg->reason = req->reason;
			strscpy(arg->detail, req->detail, sizeof(arg->detail));
			goto out_resume;
		}
		err = threads_failed(req, arg);
		if (err)
			goto out_resume;
		if (!(req->flags & SSI_DUMP_THREADS))
			break;
		/* Threads created meanwhile by threads not frozen yet. */
		err = queue_new_threads(req);
		if (err < 0) {
			arg->reason = SSI_R_NOMEM;
			goto out_resume;
		}
		if (!err)
			break;
		if (round == SSI_DUMP_ROUNDS) {
			err = -EAGAIN;
			arg->reason = SSI_R_TARGET;
			strscpy(arg->detail, "threads keep appearing", sizeof(arg->detail));
			goto out_resume;
		}
	}

	if (out) {
		c = kvzalloc(sizeof(*c), GFP_KERNEL);
		if (!c) {
			err = -ENOMEM;
			arg->reason = SSI_R_NOMEM;
			goto out_resume;
		}
		c->req = req;
		err = ssi_dump_write(c, out);
		if (err) {
			arg->reason = c->reason;
			if (c->detail)
				strscpy(arg->detail, c->detail, sizeof(arg->detail));
			goto out_resume;
		}
		arg->bytes = c->bytes;
		arg->pages = c->nr_pages;
		arg->vmas = c->nr_vmas;
		ssi_dump_ctx_free(c);
		fput(out);
	}
	arg->reason = SSI_R_NONE;
	arg->frozen_ns = ktime_get_ns() - req->frozen_at;

	/* The file's frozen list takes over the caller's reference. */
	give_back(sf, req);
	return 0;

out_resume:
	/* Every thread that froze, or will, goes on at home. */
	ssi_dump_verdict(req, SSI_V_RESUME);
	goto out_req;
out_req2:
	ssi_dump_put(req);	/* the task_work's reference, never queued */
out_req:
	if (c)
		ssi_dump_ctx_free(c);
	ssi_dump_put(req);
	if (out)
		fput(out);
	return err;
out_task:
	if (why)
		strscpy(arg->detail, why, sizeof(arg->detail));
	put_task_struct(task);
out_file:
	if (out)
		fput(out);
	return err;
}

long ssi_dump_ioctl(struct ssi_file *sf, struct ssi_dump __user *uarg)
{
	struct ssi_dump arg;
	long err;

	BUILD_BUG_ON(sizeof(arg) != 152);
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if ((arg.flags & ~SSI_DUMP_FLAGS) || arg.pad ||
	    memchr_inv(arg.reserved, 0, sizeof(arg.reserved)))
		return -EINVAL;
	arg.bytes = arg.pages = arg.vmas = arg.frozen_ns = 0;
	arg.reason = SSI_R_NONE;
	memset(arg.detail, 0, sizeof(arg.detail));

	err = ssi_dump_do(sf, &arg);
	if (err && !arg.detail[0])
		strscpy(arg.detail, ssi_reason_name(arg.reason), sizeof(arg.detail));
	if (copy_to_user(uarg, &arg, sizeof(arg)))
		return err ?: -EFAULT;
	return err;
}

/* Take the frozen request of @pid off @sf's list (the caller owns it then). */
static struct ssi_dump_req *take_frozen(struct ssi_file *sf, pid_t pid)
{
	struct ssi_dump_req *req, *found = NULL;

	mutex_lock(&sf->lock);
	list_for_each_entry(req, &sf->frozen, node) {
		if (req->pid == pid) {
			list_del_init(&req->node);
			found = req;
			break;
		}
	}
	mutex_unlock(&sf->lock);
	return found;
}

long ssi_resume_ioctl(struct ssi_file *sf, struct ssi_resume __user *uarg)
{
	struct ssi_dump_req *found;
	struct ssi_resume arg;
	bool left;

	BUILD_BUG_ON(sizeof(arg) != 32);
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || memchr_inv(arg.reserved, 0, sizeof(arg.reserved)))
		return -EINVAL;

	found = take_frozen(sf, arg.pid);
	if (!found)
		return -ESRCH;
	left = READ_ONCE(found->left);	/* killed while frozen? */
	ssi_dump_verdict(found, SSI_V_RESUME);
	ssi_dump_put(found);
	return left ? -ESRCH : 0;
}

/*
 * Give the frozen target of @req @verdict and wait for its answer in
 * *@result.  Returns 0 when it took the verdict, 1 when it refused and is
 * still frozen and intact, -1 when it left (killed while frozen, or failed
 * past a point of no return).
 */
static int verdict_answered(struct ssi_dump_req *req, int verdict,
			    const int *result)
{
	reinit_completion(&req->became);
	WRITE_ONCE(req->caller_killed, false);
	smp_mb();	/* reinit before reading @left: see ssi_dump_work() */
	if (READ_ONCE(req->left))
		return -1;
	ssi_dump_verdict(req, verdict);
	/*
	 * The target is in the kernel, woken by us, and answers once it has
	 * done what it can do before its point of no return; returning, that
	 * includes hashing the image's files.  The caller's buffers are the
	 * target's until then: killed, it asks the target to give up and
	 * waits for that answer.
	 */
	if (wait_for_completion_killable(&req->became)) {
		WRITE_ONCE(req->caller_killed, true);
		wait_for_completion(&req->became);
	}
	if (READ_ONCE(req->verdict) == verdict && !*result)
		return 0;
	return READ_ONCE(req->left) ? -1 : 1;
}

/* The plan's channel files go back to the caller's side: the deputy has its own. */
static void put_plan_chans(struct ssi_deputy_plan *p)
{
	u32 i;

	for (i = 0; i < p->nr; i++) {
		if (p->seat[i].chan)
			fput(p->seat[i].chan);
		p->seat[i].chan = NULL;
	}
}

static struct file *get_chan(int fd, int *err)
{
	struct file *f = fget(fd);

	*err = 0;
	if (!f) {
		*err = -EBADF;
	} else if (!S_ISSOCK(file_inode(f)->i_mode)) {
		fput(f);
		f = NULL;
		*err = -ENOTSOCK;
	}
	return f;
}

/*
 * Give every frozen thread of @req but the leader the seat @ut names for
 * it: each exactly once, sharing the leader's fd table (the leader
 * installs every channel).  -EINVAL when the list is not exactly them.
 */
static int seat_threads(struct ssi_dump_req *req, struct ssi_deputy_plan *p,
			const struct ssi_deputy_thread *ut, u32 n)
{
	struct ssi_dump_thread *th;
	u32 i;
	int err;

	if (n != frozen_threads(req))
		return -EINVAL;
	list_for_each_entry(th, &req->threads, node)
		th->seat = 0;
	for (i = 0; i < n; i++) {
		if (ut[i].area_addr || ut[i].reserved)
			return -EINVAL;
		th = frozen_thread(req, ut[i].tid);
		if (!th || th->seat)
			return -EINVAL;	/* not a frozen thread, or named twice */
		th->seat = i + 1;
		p->seat[i + 1].chan = get_chan(ut[i].chan_fd, &err);
		if (!p->seat[i + 1].chan)
			return err;
	}
	list_for_each_entry(th, &req->threads, node) {
		bool same;

		if (!th->seat)
			continue;
		task_lock(th->task);
		same = th->task->files == req->task->files;
		task_unlock(th->task);
		if (!same)
			return -EOPNOTSUPP;
	}
	return 0;
}

long ssi_deputy_ioctl(struct ssi_file *sf, struct ssi_become_deputy __user *uarg)
{
	struct ssi_deputy_thread *ut = NULL;
	struct ssi_become_deputy arg;
	struct ssi_deputy_plan *p;
	struct ssi_dump_req *req;
	long err;
	int ferr;
	u32 i;

	BUILD_BUG_ON(sizeof(arg) != 64);
	BUILD_BUG_ON(sizeof(*ut) != 24);
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.pad || memchr_inv(arg.reserved, 0, sizeof(arg.reserved)) ||
	    arg.nr_threads >= SSI_IMG_MAX_THREADS || (arg.nr_threads && !arg.threads))
		return -EINVAL;
	if (!arg.area_len)
		arg.area_len = SSI_DEPUTY_AREA_DEFAULT;
	if (!PAGE_ALIGNED(arg.area_len) || arg.area_len < SSI_DEPUTY_AREA_MIN ||
	    arg.area_len > SSI_DEPUTY_AREA_MAX)
		return -EINVAL;
	if (arg.nr_threads) {
		ut = memdup_user(u64_to_user_ptr(arg.threads),
				 array_size(arg.nr_threads, sizeof(*ut)));
		if (IS_ERR(ut))
			return PTR_ERR(ut);
	}
	p = kzalloc(struct_size(p, seat, arg.nr_threads + 1), GFP_KERNEL);
	if (!p) {
		kfree(ut);
		return -ENOMEM;
	}
	p->nr = arg.nr_threads + 1;
	p->area_len = arg.area_len;
	p->seat[0].chan = get_chan(arg.chan_fd, &ferr);
	if (!p->seat[0].chan) {
		err = ferr;
		goto out_free;
	}
	req = take_frozen(sf, arg.pid);
	if (!req) {
		err = -ESRCH;
		goto out_free;
	}
	err = seat_threads(req, p, ut, arg.nr_threads);
	if (err) {
		give_back(sf, req);
		goto out_free;
	}

	kfree(req->deputy_plan);	/* of a DEPUTY refused before */
	req->deputy_plan = p;
	req->deputy_err = -ESRCH;	/* stays so if it dies before answering */
	switch (verdict_answered(req, SSI_V_DEPUTY, &req->deputy_err)) {
	case 0:
		arg.area_addr = p->seat[0].area;
		for (i = 1; i < p->nr; i++)
			ut[i - 1].area_addr = p->seat[i].area;
		arg.reason = 0;
		err = 0;
		goto out_put;
	case -1:
		err = req->deputy_err ?: -ESRCH;
		goto out_put;
	}
	/* Failed before the point of no return: still frozen, still ours. */
	err = req->deputy_err;
	arg.reason = req->deputy_reason;
	put_plan_chans(p);
	give_back(sf, req);
	kfree(ut);
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : err;

out_put:
	put_plan_chans(p);
	ssi_dump_put(req);
	if (!err && ut && copy_to_user(u64_to_user_ptr(arg.threads), ut,
				       array_size(arg.nr_threads, sizeof(*ut))))
		err = -EFAULT;
	kfree(ut);
	if (copy_to_user(uarg, &arg, sizeof(arg)))
		return err ?: -EFAULT;
	return err;

out_free:
	put_plan_chans(p);
	kfree(p);
	kfree(ut);
	return err;
}

/*
 * Name the deputy threads of @req that become the image's threads: @ut[i]
 * becomes thread i + 1.  Every frozen thread but the leader, each once;
 * -EINVAL otherwise, -ENOMEM.  Each named thread gets a record (its own
 * reference, taken when it wakes) and @req->ret_given the freezer's.
 */
static int name_return_threads(struct ssi_dump_req *req,
			       const struct ssi_return_thread *ut, u32 n)
{
	struct ssi_dump_thread *th;
	u32 i;

	if (n != frozen_threads(req))
		return -EINVAL;
	req->ret_given = kcalloc(n, sizeof(*req->ret_given), GFP_KERNEL);
	if (n && !req->ret_given)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		th = frozen_thread(req, ut[i].tid);
		if (!th || th->ret_park)
			return -EINVAL;	/* not a frozen thread, or named twice */
		req->ret_given[i] = ssi_return_thread_new(th->task);
		if (!req->ret_given[i])
			return -ENOMEM;
		req->ret_nr_given = i + 1;
		th->ret_park = req->ret_given[i];
	}
	return 0;
}

/*
 * Drop the freezer's references of name_return_threads().  @refused: the
 * leader is still the deputy's, so the threads are too: they get their
 * records' CANCEL, and those not taken yet are taken back.  Otherwise
 * every thread takes its own (it has its GO, or dies with the process).
 */
static void unname_return_threads(struct ssi_dump_req *req, bool refused)
{
	struct ssi_dump_thread *th;
	u32 i;

	list_for_each_entry(th, &req->threads, node) {
		struct ssi_parked *p = refused ? xchg(&th->ret_park, NULL) : NULL;

		if (p)
			ssi_return_thread_put(p, true);
	}
	for (i = 0; i < req->ret_nr_given; i++)
		ssi_return_thread_put(req->ret_given[i], refused);
	kfree(req->ret_given);
	req->ret_given = NULL;
	req->ret_nr_given = 0;
}

long ssi_return_ioctl(struct ssi_file *sf, struct ssi_return __user *uarg)
{
	struct ssi_return_thread *ut = NULL;
	struct ssi_carriers car = { 0 };
	struct ssi_return arg;
	struct ssi_dump_req *req;
	struct file **subst = NULL;
	int *close_fds = NULL;
	u64 *car_addr = NULL;
	struct file *in;
	long err;
	u32 i;

	BUILD_BUG_ON(sizeof(arg) != 144);
	BUILD_BUG_ON(sizeof(*ut) != 8);
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.close_fd < -1 || arg.pad ||
	    memchr_inv(arg.reserved, 0, sizeof(arg.reserved)) ||
	    arg.nr_threads >= SSI_IMG_MAX_THREADS || (arg.nr_threads && !arg.threads) ||
	    arg.nr_mpol_carriers > SSI_IMG_MAX_VMAS)
		return -EINVAL;
	arg.reason = SSI_R_NONE;
	arg.section = 0;
	arg.offset = 0;
	memset(arg.detail, 0, sizeof(arg.detail));
	if (arg.nr_threads) {
		ut = memdup_user(u64_to_user_ptr(arg.threads),
				 array_size(arg.nr_threads, sizeof(*ut)));
		if (IS_ERR(ut))
			return PTR_ERR(ut);
	}
	close_fds = kmalloc_array(arg.nr_threads + 1, sizeof(*close_fds), GFP_KERNEL);
	if (!close_fds) {
		kfree(ut);
		return -ENOMEM;
	}
	close_fds[0] = arg.close_fd;
	for (i = 0; i < arg.nr_threads; i++) {
		if (ut[i].close_fd < -1) {
			err = -EINVAL;
			goto out_free;
		}
		close_fds[i + 1] = ut[i].close_fd;
	}
	/* the caller's descriptors and NUMA policy carriers: taken here */
	subst = ssi_file_fds_get(arg.file_fds, arg.nr_file_fds);
	if (IS_ERR(subst)) {
		err = PTR_ERR(subst);
		subst = NULL;
		goto out_free;
	}
	if (arg.nr_mpol_carriers) {
		car_addr = vmemdup_user(u64_to_user_ptr(arg.mpol_carriers),
					array_size(arg.nr_mpol_carriers, sizeof(*car_addr)));
		if (IS_ERR(car_addr)) {
			err = PTR_ERR(car_addr);
			car_addr = NULL;
			goto out_free;
		}
		car.addr = car_addr;
		car.nr = arg.nr_mpol_carriers;
		car.mm = get_task_mm(current);
		if (!car.mm) {
			err = -ESRCH;
			goto out_free;
		}
	}
	in = fget(arg.in_fd);
	if (!in || !(in->f_mode & FMODE_READ)) {
		if (in)
			fput(in);
		err = -EBADF;
		goto out_free;
	}
	req = take_frozen(sf, arg.pid);
	if (!req) {
		fput(in);
		err = -ESRCH;
		goto out_free;
	}
	err = name_return_threads(req, ut, arg.nr_threads);
	if (err) {
		unname_return_threads(req, true);
		give_back(sf, req);
		fput(in);
		goto out_free;
	}

	req->ret_in = in;
	req->ret_subst = subst;
	req->ret_car = car;
	req->ret_nr_subst = arg.nr_file_fds;
	req->ret_close_fds = close_fds;
	req->ret_arg = &arg;	/* written by the target, read after @became */
	req->ret_err = -ESRCH;
	switch (verdict_answered(req, SSI_V_RETURN, &req->ret_err)) {
	case 0:
		err = 0;
		break;
	case -1:
		err = req->ret_err ?: -ESRCH;
		break;
	default:
		/* Refused before the point of no return: still frozen, ours. */
		err = req->ret_err;
		req->ret_arg = NULL;
		req->ret_close_fds = NULL;
		req->ret_subst = NULL;
		unname_return_threads(req, true);
		give_back(sf, req);
		fput(in);
		goto out_copy;
	}
	req->ret_arg = NULL;
	req->ret_close_fds = NULL;
	req->ret_subst = NULL;
	unname_return_threads(req, false);
	ssi_dump_put(req);
	fput(in);
out_copy:
	ssi_file_fds_put(subst, arg.nr_file_fds);
	if (car.mm)
		mmput(car.mm);
	kvfree(car_addr);
	kfree(close_fds);
	kfree(ut);
	if (err && !arg.reason)
		arg.reason = SSI_R_TARGET;
	if (err && !arg.detail[0])
		strscpy(arg.detail, ssi_reason_name(arg.reason), sizeof(arg.detail));
	if (copy_to_user(uarg, &arg, sizeof(arg)))
		return err ?: -EFAULT;
	return err;

out_free:
	ssi_file_fds_put(subst, arg.nr_file_fds);
	if (car.mm)
		mmput(car.mm);
	kvfree(car_addr);
	kfree(close_fds);
	kfree(ut);
	return err;
}

/* The file is going away: every task it froze goes on at home. */
void ssi_dump_release(struct ssi_file *sf)
{
	struct ssi_dump_req *req, *tmp;

	mutex_lock(&sf->lock);
	list_for_each_entry_safe(req, tmp, &sf->frozen, node) {
		list_del_init(&req->node);
		ssi_dump_verdict(req, SSI_V_RESUME);
		ssi_dump_put(req);
	}
	mutex_unlock(&sf->lock);
}
