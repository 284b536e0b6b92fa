// SPDX-License-Identifier: GPL-2.0
/*
 * ssi_rusage.c - what getrusage(2) and times(2) count, across a move.
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
 * The children's counters travel to the remote node, where a process has
 * no children (they live at home): getrusage(RUSAGE_CHILDREN) is answered
 * at home, times() reads the counters as they were at the move.  Coming
 * home, the deputy's are the true ones and are kept.
 *
 * What the kernel counts per thread (RUSAGE_THREAD, the thread CPU
 * clock) counts from the move: a module cannot set a live thread's
 * counters behind the scheduler's back.
 */
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/task_io_accounting_ops.h>

#include "ssi_internal.h"

/* Per thread: what accumulate_thread_rusage() and the CPU times add. */
struct sums {
	u64 utime, stime;
	unsigned long nvcsw, nivcsw, min_flt, maj_flt;
	unsigned long inblock, oublock;
};

static void thread_sums(struct task_struct *task, struct sums *s)
{
	struct task_struct *t;

	memset(s, 0, sizeof(*s));
	rcu_read_lock();
	for_each_thread(task, t) {
		s->utime += t->utime;
		s->stime += t->stime;
		s->nvcsw += t->nvcsw;
		s->nivcsw += t->nivcsw;
		s->min_flt += t->min_flt;
		s->maj_flt += t->maj_flt;
		s->inblock += task_io_get_inblock(t);
		s->oublock += task_io_get_oublock(t);
	}
	rcu_read_unlock();
}

int ssi_rusage_save(struct task_struct *task, struct ssi_img_task *img)
{
	struct ssi_img_rusage *ru = &img->ru_self, *rc = &img->ru_children;
	struct signal_struct *sig = task->signal;
	struct sighand_struct *sighand;
	struct mm_struct *mm;
	unsigned long flags, maxrss;
	struct sums s;

	sighand = ssi_lock_sighand(task, &flags);
	if (!sighand)
		return -ESRCH;
	/* every thread is frozen: their counters stand still */
	thread_sums(task, &s);
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
	struct sums s;

	spin_lock_irq(&current->sighand->siglock);
	thread_sums(current, &s);
	write_seqlock(&sig->stats_lock);
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
