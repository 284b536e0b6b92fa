// SPDX-License-Identifier: GPL-2.0
/*
 * ssi_rusage.c - what getrusage(2), times(2) and the CPU clocks count,
 * across a move.
 *
 * The kernel sums a process's counters from its live threads and from
 * the signal struct, which keeps what its exited threads used (and, in
 * the c* fields, what its children waited for used).  As ssi_itimer.c
 * does for the CPU clock, the restore writes into those signal fields the
 * image's totals less what the threads that become the process have
 * counted already, so that the sums are the image's (u64 and unsigned
 * long arithmetic: a difference below zero wraps and the sum is still
 * right).  getrusage() scales user and system time to the CPU clock and
 * never reports less than it did: the pair it last reported travels too.
 *
 * Each thread then takes its own counters (RUSAGE_THREAD, its CPU clock)
 * in its own context, before it returns to user space, moving the
 * difference out of the signal struct in the same write section of its
 * stats_lock: the process's sums never jump, whichever thread gets there
 * first.  Only the thread itself, with interrupts off, writes its
 * counters (the tick and the scheduler account current on its own CPU);
 * a reader of its clock on another CPU may, while it runs, fold in the
 * last few ns under the runqueue lock a module cannot take, so the write
 * is checked and made again if such a fold lost it.
 *
 * The children's counters travel to the remote node, where a process has
 * no children (they live at home): getrusage(RUSAGE_CHILDREN) is answered
 * at home, times() reads the counters as they were at the move.  Coming
 * home, the deputy's are the true ones and are kept.
 *
 * While the process runs away, its home node sees its deputy: ssid
 * charges the deputy with what the process uses there (SSI_IOC_CHARGE),
 * so that its parent's wait4(), Slurm's accounting and ps at home count
 * it.  Coming home, the image's counters replace the charged ones.
 */
#include <linux/capability.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/task_io_accounting_ops.h>
#include <linux/uaccess.h>

#include "ssi_internal.h"

void ssi_counts_add(struct ssi_counts *s, struct task_struct *t)
{
	s->utime += t->utime;
	s->stime += t->stime;
	s->runtime += t->se.sum_exec_runtime;
	s->nvcsw += t->nvcsw;
	s->nivcsw += t->nivcsw;
	s->min_flt += t->min_flt;
	s->maj_flt += t->maj_flt;
	s->inblock += task_io_get_inblock(t);
	s->oublock += task_io_get_oublock(t);
}

void ssi_counts_threads(struct task_struct *task, struct ssi_counts *s)
{
	struct task_struct *t;

	memset(s, 0, sizeof(*s));
	rcu_read_lock();
	for_each_thread(task, t)
		ssi_counts_add(s, t);
	rcu_read_unlock();
}

/* A frozen thread's own counters into its image. */
void ssi_rusage_thread_save(struct task_struct *t, struct ssi_img_thread *img)
{
	struct ssi_img_rusage *ru = &img->ru;
	struct ssi_counts c = {};
	unsigned long flags;

	ssi_counts_add(&c, t);
	img->cputime_ns = c.runtime;
	ru->utime_ns = c.utime;
	ru->stime_ns = c.stime;
	ru->nvcsw = c.nvcsw;
	ru->nivcsw = c.nivcsw;
	ru->minflt = c.min_flt;
	ru->majflt = c.maj_flt;
	ru->inblock = c.inblock;
	ru->oublock = c.oublock;
	raw_spin_lock_irqsave(&t->prev_cputime.lock, flags);
	ru->prev_utime_ns = t->prev_cputime.utime;
	ru->prev_stime_ns = t->prev_cputime.stime;
	raw_spin_unlock_irqrestore(&t->prev_cputime.lock, flags);
}

int ssi_rusage_save(struct task_struct *task, struct ssi_img_task *img)
{
	struct ssi_img_rusage *ru = &img->ru_self, *rc = &img->ru_children;
	struct signal_struct *sig = task->signal;
	struct sighand_struct *sighand;
	struct mm_struct *mm;
	unsigned long flags, maxrss;
	struct ssi_counts s;

	sighand = ssi_lock_sighand(task, &flags);
	if (!sighand)
		return -ESRCH;
	/* every thread is frozen: their counters stand still */
	ssi_counts_threads(task, &s);
	img->cputime_ns = sig->sum_sched_runtime + s.runtime;
	ru->utime_ns = sig->utime + s.utime;
	ru->stime_ns = sig->stime + s.stime;
	ru->nvcsw = sig->nvcsw + s.nvcsw;
	ru->nivcsw = sig->nivcsw + s.nivcsw;
	ru->minflt = sig->min_flt + s.min_flt;
	ru->majflt = sig->maj_flt + s.maj_flt;
	ru->inblock = sig->inblock + s.inblock;
	ru->oublock = sig->oublock + s.oublock;
	maxrss = sig->maxrss;
	raw_spin_lock(&sig->prev_cputime.lock);
	ru->prev_utime_ns = sig->prev_cputime.utime;
	ru->prev_stime_ns = sig->prev_cputime.stime;
	raw_spin_unlock(&sig->prev_cputime.lock);

	rc->utime_ns = sig->cutime;
	rc->stime_ns = sig->cstime;
	rc->nvcsw = sig->cnvcsw;
	rc->nivcsw = sig->cnivcsw;
	rc->minflt = sig->cmin_flt;
	rc->majflt = sig->cmaj_flt;
	rc->inblock = sig->cinblock;
	rc->oublock = sig->coublock;
	rc->maxrss_kb = (u64)sig->cmaxrss * (PAGE_SIZE / 1024);
	spin_unlock_irqrestore(&sighand->siglock, flags);

	mm = get_task_mm(task);
	if (mm) {
		setmax_mm_hiwater_rss(&maxrss, mm);
		mmput(mm);
	}
	ru->maxrss_kb = (u64)maxrss * (PAGE_SIZE / 1024);
	return 0;
}

void ssi_rusage_restore(const struct ssi_img_task *img, bool children)
{
	const struct ssi_img_rusage *ru = &img->ru_self, *rc = &img->ru_children;
	struct signal_struct *sig = current->signal;
	struct ssi_counts s;

	spin_lock_irq(&current->sighand->siglock);
	ssi_counts_threads(current, &s);
	write_seqlock(&sig->stats_lock);
	/*
	 * CLOCK_PROCESS_CPUTIME_ID, RLIMIT_CPU and the process CPU timers
	 * too; with process timers active (the parked itimers) the clock is
	 * read from the group's cputimer, which is set as well.
	 */
	sig->sum_sched_runtime = img->cputime_ns - s.runtime;
	if (READ_ONCE(sig->posix_cputimers.timers_active))
		atomic64_set(&sig->cputimer.cputime_atomic.sum_exec_runtime,
			     img->cputime_ns);
	sig->utime = ru->utime_ns - s.utime;
	sig->stime = ru->stime_ns - s.stime;
	sig->nvcsw = (unsigned long)ru->nvcsw - s.nvcsw;
	sig->nivcsw = (unsigned long)ru->nivcsw - s.nivcsw;
	sig->min_flt = (unsigned long)ru->minflt - s.min_flt;
	sig->maj_flt = (unsigned long)ru->majflt - s.maj_flt;
	sig->inblock = (unsigned long)ru->inblock - s.inblock;
	sig->oublock = (unsigned long)ru->oublock - s.oublock;
	/* getrusage() takes the larger of this and the mm's high-water mark */
	sig->maxrss = (unsigned long)(ru->maxrss_kb / (PAGE_SIZE / 1024));
	if (children) {
		sig->cutime = rc->utime_ns;
		sig->cstime = rc->stime_ns;
		sig->cnvcsw = (unsigned long)rc->nvcsw;
		sig->cnivcsw = (unsigned long)rc->nivcsw;
		sig->cmin_flt = (unsigned long)rc->minflt;
		sig->cmaj_flt = (unsigned long)rc->majflt;
		sig->cinblock = (unsigned long)rc->inblock;
		sig->coublock = (unsigned long)rc->oublock;
		sig->cmaxrss = (unsigned long)(rc->maxrss_kb / (PAGE_SIZE / 1024));
	}
	write_sequnlock(&sig->stats_lock);
	raw_spin_lock(&sig->prev_cputime.lock);
	sig->prev_cputime.utime = ru->prev_utime_ns;
	sig->prev_cputime.stime = ru->prev_stime_ns;
	raw_spin_unlock(&sig->prev_cputime.lock);
	spin_unlock_irq(&current->sighand->siglock);
}

/*
 * In the context of the thread that becomes @img's: its own counters made
 * the image's, the process's sums left as they are.
 */
void ssi_rusage_thread_restore(const struct ssi_img_thread *img)
{
	const struct ssi_img_rusage *ru = &img->ru;
	struct task_struct *me = current;
	struct signal_struct *sig = me->signal;
	struct ssi_counts was = {};
	int tries;

	spin_lock_irq(&me->sighand->siglock);
	write_seqlock(&sig->stats_lock);
	ssi_counts_add(&was, me);
	/* what this thread takes on, the exited threads' part gives up */
	sig->sum_sched_runtime += was.runtime - img->cputime_ns;
	sig->utime += was.utime - ru->utime_ns;
	sig->stime += was.stime - ru->stime_ns;
	sig->nvcsw += was.nvcsw - (unsigned long)ru->nvcsw;
	sig->nivcsw += was.nivcsw - (unsigned long)ru->nivcsw;
	sig->min_flt += was.min_flt - (unsigned long)ru->minflt;
	sig->maj_flt += was.maj_flt - (unsigned long)ru->majflt;
	sig->inblock += was.inblock - (unsigned long)ru->inblock;
	sig->oublock += was.oublock - (unsigned long)ru->oublock;
	me->utime = ru->utime_ns;
	me->stime = ru->stime_ns;
	me->nvcsw = (unsigned long)ru->nvcsw;
	me->nivcsw = (unsigned long)ru->nivcsw;
	me->min_flt = (unsigned long)ru->minflt;
	me->maj_flt = (unsigned long)ru->majflt;
#ifdef CONFIG_TASK_IO_ACCOUNTING
	/* what task_io_get_inblock() and _oublock() read, in 512-byte blocks */
	me->ioac.read_bytes = ru->inblock << 9;
	me->ioac.write_bytes = ru->oublock << 9;
#endif
	/*
	 * The runtime only grows: a fold that lost this write leaves less
	 * than it.  The slice the scheduler measures starts here as well.
	 */
	for (tries = 0; tries < 3; tries++) {
		WRITE_ONCE(me->se.sum_exec_runtime, img->cputime_ns);
		me->se.prev_sum_exec_runtime = img->cputime_ns;
		smp_mb();
		if (READ_ONCE(me->se.sum_exec_runtime) >= img->cputime_ns)
			break;
	}
	write_sequnlock(&sig->stats_lock);
	raw_spin_lock(&me->prev_cputime.lock);
	me->prev_cputime.utime = ru->prev_utime_ns;
	me->prev_cputime.stime = ru->prev_stime_ns;
	raw_spin_unlock(&me->prev_cputime.lock);
	spin_unlock_irq(&me->sighand->siglock);
}

/* Without SSI_CHARGE_MEM the memory figures are zero; with it, in range. */
static bool charge_mem_valid(const struct ssi_charge *a)
{
	const u64 kb[] = { a->rss_anon_kb, a->rss_file_kb, a->rss_shmem_kb,
			   a->swap_kb, a->vm_kb, a->vm_peak_kb };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kb); i++)
		if (!(a->flags & SSI_CHARGE_MEM) ? kb[i] != 0 : kb[i] > SSI_CHARGE_RSS_MAX_KB)
			return false;
	return true;
}

long ssi_charge_ioctl(struct ssi_charge __user *uarg)
{
	struct sighand_struct *sighand;
	struct task_struct *task;
	struct signal_struct *sig;
	struct ssi_charge a;
	unsigned long flags;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.pid <= 0 || (a.flags & ~SSI_CHARGE_MEM) || a.reserved[0] || a.reserved[1] ||
	    a.utime_ns > SSI_CHARGE_CPU_MAX_NS || a.stime_ns > SSI_CHARGE_CPU_MAX_NS ||
	    a.maxrss_kb > SSI_CHARGE_RSS_MAX_KB || !charge_mem_valid(&a))
		return -EINVAL;
	task = ssi_get_task(a.pid);
	if (!task)
		return -ESRCH;
	if (!thread_group_leader(task) || !ssi_deputy_is(task)) {
		put_task_struct(task);
		return -EINVAL;
	}
	sighand = ssi_lock_sighand(task, &flags);
	if (!sighand) {
		put_task_struct(task);
		return -ESRCH;
	}
	sig = task->signal;
	/* as __exit_signal() adds an exited thread's, under the same locks */
	write_seqlock(&sig->stats_lock);
	sig->utime += a.utime_ns;
	sig->stime += a.stime_ns;
	sig->sum_sched_runtime += a.utime_ns + a.stime_ns;
	write_sequnlock(&sig->stats_lock);
	sig->maxrss = max_t(unsigned long, sig->maxrss,
			    (unsigned long)(a.maxrss_kb / (PAGE_SIZE / 1024)));
	spin_unlock_irqrestore(&sighand->siglock, flags);
	err = (a.flags & SSI_CHARGE_MEM) ? ssi_memshow_set(task, &a) : 0;
	put_task_struct(task);
	return err;
}
