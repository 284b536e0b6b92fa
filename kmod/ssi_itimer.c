// SPDX-License-Identifier: GPL-2.0
/*
 * ssi_itimer.c - the process CPU clock and the itimers across a move.
 *
 * ITIMER_REAL stops for the freeze (what is left goes into the image) and
 * starts again where the process goes on: on the remote node, or at home
 * if the move is called off.  A deputy has none: its process's SIGALRM
 * comes from where the process runs.
 *
 * Arming a process CPU timer takes set_process_cpu_timer(), which is not
 * exported.  What a module can do safely is move the expiry of an itimer
 * that is already armed: the expiry cache (posix_cputimers nextevt) only
 * ever needs lowering, and a cache below the expiry merely makes the tick
 * look again.  So every task that may become the process arms both
 * ITIMER_VIRTUAL and ITIMER_PROF far out with setitimer(2) first ("parks"
 * them): the restore helper before SSI_IOC_RESTORE, the deputy (through
 * ssid) as soon as it serves.  The restore then sets them to what the
 * image carried, counted from the CPU time the process has here and now.
 * A task that becomes a deputy with its process's timers armed has them
 * moved far out at once (ssi_cpu_itimers_park()): they run on the remote
 * node, and must not fire here meanwhile.
 */
#include <linux/hrtimer.h>
#include <linux/posix-timers.h>
#include <linux/sched/cputime.h>
#include <linux/sched/signal.h>

#include "ssi_internal.h"

/* The process's current VIRT or PROF sample; siglock held, timers active. */
static u64 group_sample(struct signal_struct *sig, int clock)
{
	struct task_cputime_atomic *a = &sig->cputimer.cputime_atomic;
	u64 utime = atomic64_read(&a->utime);

	return clock == CPUCLOCK_VIRT ? utime : utime + atomic64_read(&a->stime);
}

static void save_one(struct signal_struct *sig, int clock, bool active,
		     struct ssi_img_itimer *out)
{
	const struct cpu_itimer *it = &sig->it[clock];
	u64 now;

	out->interval = min_t(u64, it->incr, SSI_IMG_ITIMER_MAX);
	out->value = 0;
	if (!it->expires || !active)
		return;
	now = group_sample(sig, clock);
	/*
	 * One about to fire fires at the next tick over there; what
	 * getitimer() would say of it here (a value it shows as 0 would
	 * read as disarmed).
	 */
	out->value = it->expires > now ? min_t(u64, it->expires - now, SSI_IMG_ITIMER_MAX)
				       : TICK_NSEC;
}

int ssi_cpu_itimers_save(struct task_struct *task, struct ssi_img_task *t)
{
	struct signal_struct *sig = task->signal;
	struct sighand_struct *sighand;
	unsigned long flags;
	bool active;

	sighand = ssi_lock_sighand(task, &flags);
	if (!sighand)
		return -ESRCH;
	active = READ_ONCE(sig->posix_cputimers.timers_active);
	save_one(sig, CPUCLOCK_VIRT, active, &t->itimer_virt);
	save_one(sig, CPUCLOCK_PROF, active, &t->itimer_prof);
	spin_unlock_irqrestore(&sighand->siglock, flags);
	return 0;
}

/* Returns false if @in is armed but the task had not parked the timer. */
static bool restore_one(struct signal_struct *sig, int clock, bool active,
			const struct ssi_img_itimer *in)
{
	struct cpu_itimer *it = &sig->it[clock];
	u64 *nextevt = &sig->posix_cputimers.bases[clock].nextevt;

	it->incr = in->interval;
	if (!in->value) {
		/* the tick finds nothing at the cached expiry, and moves on */
		it->expires = 0;
		return true;
	}
	if (!it->expires || !active) {
		it->expires = 0;
		return false;
	}
	it->expires = group_sample(sig, clock) + in->value;
	if (it->expires < *nextevt)
		*nextevt = it->expires;
	return true;
}

void ssi_cpu_itimers_restore(const struct ssi_img_task *t)
{
	struct signal_struct *sig = current->signal;
	unsigned long soft;
	bool active, ok;

	spin_lock_irq(&current->sighand->siglock);
	active = READ_ONCE(sig->posix_cputimers.timers_active);
	ok = restore_one(sig, CPUCLOCK_VIRT, active, &t->itimer_virt);
	ok &= restore_one(sig, CPUCLOCK_PROF, active, &t->itimer_prof);
	/*
	 * RLIMIT_CPU shares the PROF expiry cache (update_rlimit_cpu() would
	 * lower it); the limits were written directly.  The PROF clock is
	 * this task's, so the limit counts from the move.
	 */
	soft = READ_ONCE(sig->rlim[RLIMIT_CPU].rlim_cur);
	if (active && soft != RLIM_INFINITY) {
		u64 *nextevt = &sig->posix_cputimers.bases[CPUCLOCK_PROF].nextevt;
		u64 softns = (u64)min_t(unsigned long, soft, U32_MAX) * NSEC_PER_SEC;

		if (softns < *nextevt)
			*nextevt = softns;
	}
	spin_unlock_irq(&current->sighand->siglock);
	if (!ok)
		pr_info_ratelimited("ssi: pid %d: a CPU-time itimer was not parked, it stops here\n",
				    task_tgid_nr(current));
}

/*
 * current becomes a deputy: the process's CPU-time itimers run on the
 * remote node now, so here they must not fire (the stub would relay
 * SIGVTALRM and SIGPROF that the process never earned there).  An armed
 * one is moved far out, one-shot, as ssid's setitimer() would park it;
 * one that is not armed stays so until ssid parks it.
 */
void ssi_cpu_itimers_park(void)
{
	struct signal_struct *sig = current->signal;
	int clock;

	spin_lock_irq(&current->sighand->siglock);
	if (READ_ONCE(sig->posix_cputimers.timers_active)) {
		for (clock = CPUCLOCK_PROF; clock <= CPUCLOCK_VIRT; clock++) {
			struct cpu_itimer *it = &sig->it[clock];

			if (!it->expires)
				continue;
			/* a later expiry: the cached one below it only makes the tick look again */
			it->expires = group_sample(sig, clock) + SSI_ITIMER_PARK_SEC * NSEC_PER_SEC;
			it->incr = 0;
		}
	}
	spin_unlock_irq(&current->sighand->siglock);
}

/*
 * Stop ITIMER_REAL of @task for the freeze; @out gets what was left of it
 * (0: not armed, or a one-shot that just fired: its SIGALRM is pending
 * and goes with the process).  Every thread of @task is frozen, so no
 * setitimer() races with this, and it_real_fn() does not need the siglock.
 */
int ssi_real_itimer_freeze(struct task_struct *task, struct ssi_img_itimer *out)
{
	struct signal_struct *sig = task->signal;
	struct hrtimer *timer = &sig->real_timer;
	struct sighand_struct *sighand;
	unsigned long flags;
	ktime_t left;

	out->value = 0;
	/*
	 * No interval while frozen: dequeueing a SIGALRM (a deputy relaying
	 * one that kill() sent) would start the timer again.
	 */
	sighand = ssi_lock_sighand(task, &flags);
	if (!sighand)
		return -ESRCH;
	out->interval = min_t(u64, ktime_to_ns(sig->it_real_incr), SSI_IMG_ITIMER_MAX);
	sig->it_real_incr = 0;
	spin_unlock_irqrestore(&sighand->siglock, flags);
	if (hrtimer_cancel(timer) <= 0) {
		/*
		 * A periodic one that fired waits for its SIGALRM to be
		 * dequeued (from the shared queue) to start the next period;
		 * a relayed or requeued SIGALRM would not start it: start it
		 * over there.
		 */
		out->value = out->interval;
		return 0;
	}
	left = ktime_sub(hrtimer_get_expires(timer), timer->base->get_time());
	/* as getitimer() says of one about to fire */
	out->value = left > 0 ? min_t(u64, ktime_to_ns(left), SSI_IMG_ITIMER_MAX)
			      : NSEC_PER_USEC;
	return 0;
}

/*
 * Arm current's ITIMER_REAL with @in (as setitimer() would), less
 * @elapsed_ns that already passed, but no sooner than @min_ns from now.
 */
void ssi_real_itimer_thaw(const struct ssi_img_itimer *in, u64 elapsed_ns, u64 min_ns)
{
	struct signal_struct *sig = current->signal;
	u64 left = in->value > elapsed_ns ? in->value - elapsed_ns : 0;

	hrtimer_cancel(&sig->real_timer);
	spin_lock_irq(&current->sighand->siglock);
	sig->it_real_incr = ns_to_ktime(in->interval);
	if (in->value)
		hrtimer_start(&sig->real_timer, ns_to_ktime(max(left, min_ns)),
			      HRTIMER_MODE_REL);
	spin_unlock_irq(&current->sighand->siglock);
}
