// SPDX-License-Identifier: GPL-2.0
/*
 * ssi_ptimer.c - the process's POSIX timers (timer_create) across a move.
 *
 * Going: once every thread is frozen, each timer is stopped (its hrtimer
 * cancelled) and described in SSI_SEC_TIMERS: id, clock, sigevent,
 * interval, time left, overrun.  Stopped, a timer left with the deputy
 * never fires at home while its process runs elsewhere; a migration that
 * fails starts each again where it stood.  A periodic timer whose signal
 * is pending has its first period after the freeze described, as the
 * signal's dequeue would re-arm it; the signal (relayed by the deputy, or
 * in SSI_SEC_SIGQUEUE) reports the overruns of the periods passed since it
 * was sent, which that dequeue would have added (pending_next()), and no
 * longer re-arms anything.
 *
 * Coming: a module cannot make a k_itimer (do_timer_create() is static,
 * its hash table too).  So the task that becomes the process - the
 * restore helper, or the deputy coming home, driven by ssid - makes the
 * image's timers with timer_create(2) itself, each with its id
 * (SSI_IOC_TIMER_ID sets the per-process counter the kernel takes ids
 * from), and parks each armed one far out with timer_settime(2), its
 * interval and its mode (absolute CLOCK_REALTIME or not) as in the image:
 * that sets what only the kernel's posix-timers code can set (the hrtimer's
 * callback and base).  Before its point of no return the restore checks
 * that the process's timers are exactly the image's
 * (ssi_ptimers_match()); after it, it moves each one's expiry to the
 * image's (ssi_ptimers_arm()), as ssi_itimer.c moves parked CPU itimers.
 *
 * A timer on a CPU-time clock (the process's or one of its threads') is
 * carried the same way, in ns of its clock: arming one takes
 * arm_timer(), which is not exported, so as ssi_itimer.c does for the
 * CPU itimers only the expiry of a timer already queued is moved (its
 * base's cached next expiry only ever needs lowering).  Going, each is
 * parked far out, so that the deputy's own CPU time never fires it; the
 * restore moves the parked one the task made to the image's time left,
 * counted from the image's value of its clock (ssi_rusage.c sets the
 * process's and each thread's clock going on from there).  A timer on
 * another process's CPU clock, or on an alarm clock (it wakes the node
 * from suspend), refuses the dump.
 *
 * Locking: the list of a process's timers changes under its siglock
 * (timer_create, timer_delete, exit_itimers); an hrtimer callback takes a
 * timer's it_lock and then the siglock, so the siglock is never held
 * while an it_lock is taken: the timers are gathered under the siglock
 * inside an RCU read section (a k_itimer is freed after a grace period),
 * then each is locked alone and checked to still be the process's.
 */
#include <linux/hrtimer.h>
#include <linux/pid_namespace.h>
#include <linux/posix-timers.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ssi_internal.h"

/* What a stopped timer needs to start again where it stood. */
struct ssi_ptimer_saved {
	timer_t id;
	bool queued;		/* its hrtimer, or its CPU timer, was queued */
	ktime_t expires;	/* on its hrtimer's base, or its CPU clock */
	int requeue;		/* it_requeue_pending before the freeze */
	int frozen_requeue;	/* ... and after: a changed one was re-armed */
	int added;		/* overruns put in its pending signal: see pending_next() */
};

/* Gathered timers, valid inside the RCU read section they were taken in. */
struct ptimer_list {
	struct k_itimer **k;
	u32 n, max;
};

static bool is_none(const struct k_itimer *k)
{
	return (k->it_sigev_notify & ~SIGEV_THREAD_ID) == SIGEV_NONE;
}

/* A timer on a CPU-time clock: the kernel's encoding of those is negative. */
static bool is_cpu(const struct k_itimer *k)
{
	return k->it_clock < 0;
}

/* The task whose CPU clock @k counts (RCU read lock held), or NULL. */
static struct task_struct *cpu_target(const struct k_itimer *k)
{
	return pid_task(k->it.cpu.pid, CPUCLOCK_PERTHREAD(k->it_clock) ?
			PIDTYPE_PID : PIDTYPE_TGID);
}

/*
 * @k's CPU clock now, as the tick compares it with the expiry: a thread's
 * own counts, or the process's group cputimer while its timers are active
 * (which one queued timer makes them), else the sum the group would start
 * from.  Siglock of @p held; @p not running (frozen, or current).
 */
static u64 cpu_sample(const struct k_itimer *k, struct task_struct *p)
{
	struct signal_struct *sig = p->signal;
	struct task_cputime_atomic *a = &sig->cputimer.cputime_atomic;
	struct ssi_counts c;
	u64 u, st, rt;

	if (CPUCLOCK_PERTHREAD(k->it_clock)) {
		u = p->utime;
		st = p->stime;
		rt = p->se.sum_exec_runtime;
	} else if (READ_ONCE(sig->posix_cputimers.timers_active)) {
		u = atomic64_read(&a->utime);
		st = atomic64_read(&a->stime);
		rt = atomic64_read(&a->sum_exec_runtime);
	} else {
		ssi_counts_threads(p, &c);
		u = sig->utime + c.utime;
		st = sig->stime + c.stime;
		rt = sig->sum_sched_runtime + c.runtime;
	}
	return ssi_cpuclock_pick(CPUCLOCK_WHICH(k->it_clock), u, st, rt);
}

/*
 * Move CPU timer @k's expiry to @exp (siglock held): a queued one is
 * queued again in its base, whose cached next expiry is lowered if need
 * be (a cache below every expiry only makes the tick look again).
 */
static void cpu_move(struct k_itimer *k, u64 exp)
{
	struct cpu_timer *c = &k->it.cpu;
	struct timerqueue_head *head = c->head;
	struct posix_cputimer_base *base;

	if (!head) {
		cpu_timer_setexpires(c, exp);	/* SIGEV_NONE: read, never fires */
		return;
	}
	cpu_timer_dequeue(c);
	cpu_timer_setexpires(c, exp);
	cpu_timer_enqueue(head, c);
	base = container_of(head, struct posix_cputimer_base, tqhead);
	if (exp < base->nextevt)
		base->nextevt = exp;
}

/* The timers of @task: their number (may be above l->max), or -ESRCH. */
static int gather(struct task_struct *task, struct ptimer_list *l)
{
	struct sighand_struct *sighand;
	struct k_itimer *k;
	unsigned long flags;

	l->n = 0;
	sighand = ssi_lock_sighand(task, &flags);
	if (!sighand)
		return -ESRCH;
	list_for_each_entry(k, &task->signal->posix_timers, list) {
		if (l->n < l->max)
			l->k[l->n] = k;
		l->n++;
	}
	spin_unlock_irqrestore(&sighand->siglock, flags);
	return 0;
}

/*
 * rcu_read_lock() and gather @task's timers into @l, allocated here; the
 * caller frees l->k after rcu_read_unlock().  Frozen, a process makes no
 * timers; a thread resumed early might: then try again.
 */
static int gather_locked(struct task_struct *task, struct ptimer_list *l)
{
	int err, tries;

	l->max = 0;
	l->k = NULL;
	err = gather(task, l);
	for (tries = 0; !err && tries < 4; tries++) {
		kvfree(l->k);
		l->max = l->n + 4;
		l->k = kvmalloc_array(l->max, sizeof(*l->k), GFP_KERNEL);
		if (!l->k)
			return -ENOMEM;
		rcu_read_lock();
		err = gather(task, l);
		if (!err && l->n <= l->max)
			return 0;
		rcu_read_unlock();
	}
	kvfree(l->k);
	l->k = NULL;
	return err ?: -EAGAIN;
}

/*
 * Lock @k if it is still a timer of @sig, its hrtimer not in its callback
 * (*@cancelled as hrtimer_try_to_cancel() says); a CPU timer is only
 * locked (*@cancelled 0): it fires in its process's own context, which is
 * frozen or current.
 */
static bool lock_stopped(struct k_itimer *k, struct signal_struct *sig,
			 unsigned long *flags, int *cancelled)
{
	for (;;) {
		spin_lock_irqsave(&k->it_lock, *flags);
		if (k->it_signal != sig) {
			spin_unlock_irqrestore(&k->it_lock, *flags);
			return false;
		}
		*cancelled = 0;
		if (is_cpu(k))
			return true;
		*cancelled = hrtimer_try_to_cancel(&k->it.real.timer);
		if (*cancelled >= 0)
			return true;
		spin_unlock_irqrestore(&k->it_lock, *flags);
		cpu_relax();	/* posix_timer_fn() runs; it takes it_lock */
	}
}

/* How many whole @iv take @exp past @now: 0 if it is past already. */
static u64 periods_to_pass(u64 exp, u64 now, u64 iv)
{
	return exp > now || !iv ? 0 : div64_u64(now - exp, iv) + 1;
}

/* @exp moved on by whole @iv until after @now (timer_gettime's forward). */
static ktime_t forward(ktime_t exp, ktime_t now, ktime_t iv)
{
	if (exp > now || iv <= 0)
		return exp;
	return ktime_add_ns(exp, periods_to_pass(exp, now, iv) * ktime_to_ns(iv));
}

/*
 * @k, periodic, fired at @exp and waits for its signal's dequeue, which
 * would re-arm it (posixtimer_rearm()) and report in the signal's
 * si_overrun every whole period passed since.  Frozen, no dequeue re-arms
 * it any more (freeze_one()): the signal, still queued here, reports the
 * periods passed up to @now itself, wherever it is taken (the deputy
 * relays it, or it travels in SSI_SEC_SIGQUEUE), and @k goes on from its
 * first period after @now; @r's overrun is what timer_getoverrun() says
 * after that dequeue.  Siglock held.
 */
static u64 pending_next(struct k_itimer *k, struct ssi_img_posix_timer *r,
			struct ssi_ptimer_saved *s, u64 exp, u64 now, u64 iv)
{
	u64 periods = periods_to_pass(exp, now, iv) ?: 1;
	struct sigqueue *q = k->sigq;
	s64 n = k->it_overrun + (s64)min_t(u64, periods, INT_MAX);

	if (!list_empty(&q->list)) {
		s->added = clamp_t(s64, n, 0, INT_MAX - max(q->info.si_overrun, 0));
		q->info.si_overrun += s->added;
		r->overrun = s->added;
	}
	return exp + periods * iv;
}

/* Why @k, a timer of @task, cannot travel, or NULL (RCU read lock held). */
static const char *not_carried(const struct k_itimer *k, struct task_struct *task)
{
	struct task_struct *p;

	switch (k->it_clock) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
		return NULL;
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		return "has a POSIX timer on an alarm clock";
	}
	if (!is_cpu(k) || CPUCLOCK_WHICH(k->it_clock) >= CPUCLOCK_MAX)
		return "has a POSIX timer on a clock it cannot carry";
	p = cpu_target(k);
	if (!p || !same_thread_group(p, task))
		return "has a POSIX timer on another process's CPU clock";
	return NULL;
}

/*
 * The clock of @k as the image has it: the process's own with pid 0, a
 * thread's with its tid in @ns (the home tid, wherever it runs).
 */
static s32 image_clock(const struct k_itimer *k, struct pid_namespace *ns)
{
	int which = CPUCLOCK_WHICH(k->it_clock);

	if (!is_cpu(k))
		return k->it_clock;
	if (CPUCLOCK_PERTHREAD(k->it_clock))
		return make_thread_cpuclock(pid_nr_ns(k->it.cpu.pid, ns), which);
	return make_process_cpuclock(0, which);
}

/*
 * Going: @k (it_lock held) is a CPU timer of frozen @task.  Its time left
 * in @r (ns of its clock), its expiry in @s; a queued one is parked far
 * out.  The armed-or-not cases are freeze_one()'s.
 */
static void freeze_cpu(struct k_itimer *k, struct task_struct *task,
		       struct ssi_img_posix_timer *r, struct ssi_ptimer_saved *s)
{
	struct sighand_struct *sighand;
	struct task_struct *p;
	unsigned long flags;
	u64 now, exp, iv = r->interval;

	sighand = ssi_lock_sighand(task, &flags);
	if (!sighand)
		return;
	rcu_read_lock();
	p = cpu_target(k);
	if (!p)
		goto out;
	now = cpu_sample(k, p);
	exp = cpu_timer_getexpires(&k->it.cpu);
	s->queued = k->it.cpu.head != NULL;
	s->expires = (ktime_t)exp;
	if (!exp) {
		goto out;		/* disarmed */
	} else if (is_none(k)) {
		if (exp <= now && iv)
			exp = forward(exp, now, iv);
		if (exp <= now)
			goto out;	/* an expired one-shot reads 0 */
	} else if (s->queued) {
		/*
		 * Due but not fired: the tick only queues the expiry for the
		 * task's return to user space, which the freeze runs first.
		 * It fires at once where it lands, its overruns counted from
		 * there: moved on by whole periods, this one would be lost.
		 */
		exp = max(exp, now + 1);
	} else if (iv && (s->requeue & REQUEUE_PENDING)) {
		exp = pending_next(k, r, s, exp, now, iv);
	} else {
		goto out;		/* a one-shot that fired */
	}
	r->expires = exp - now;
	/* the deputy's CPU time must not fire it while the process is away */
	if (s->queued)
		cpu_move(k, now + SSI_ITIMER_PARK_SEC * NSEC_PER_SEC);
out:
	rcu_read_unlock();
	spin_unlock_irqrestore(&sighand->siglock, flags);
}

/* Stop @k of @task (it_lock held, hrtimer cancelled) and describe it in @r. */
static void freeze_one(struct k_itimer *k, int cancelled, struct task_struct *task,
		       struct ssi_img_posix_timer *r, struct ssi_ptimer_saved *s)
{
	struct pid_namespace *ns = task_active_pid_ns(task);
	struct hrtimer *h = &k->it.real.timer;
	ktime_t now, iv = k->it_interval, exp;
	bool none = is_none(k);
	unsigned long flags;

	memset(r, 0, sizeof(*r));
	r->id = k->it_id;
	r->clock = image_clock(k, ns);
	r->notify = k->it_sigev_notify;
	r->signo = k->sigq->info.si_signo;
	r->value = (unsigned long)k->sigq->info.si_value.sival_ptr;
	if (k->it_sigev_notify & SIGEV_THREAD_ID)
		r->tid = pid_nr_ns(k->it_pid, ns);
	r->interval = iv > 0 ? ktime_to_ns(iv) : 0;
	r->overrun = clamp_t(s64, k->it_overrun_last, -1, INT_MAX);

	s->id = k->it_id;
	s->requeue = k->it_requeue_pending;
	if (!is_cpu(k)) {
		s->queued = cancelled == 1;
		s->expires = hrtimer_get_expires(h);
	}
	/* a pending signal of it, relayed or dequeued elsewhere, re-arms nothing */
	if (k->it_requeue_pending & REQUEUE_PENDING)
		k->it_requeue_pending = (k->it_requeue_pending + 2) & ~REQUEUE_PENDING;
	s->frozen_requeue = k->it_requeue_pending;

	if (is_cpu(k)) {
		freeze_cpu(k, task, r, s);
		return;
	}
	now = hrtimer_cb_get_time(h);
	exp = s->expires;
	if (none) {
		/* never queued: timer_gettime() reads its expiry */
		if (!exp)
			return;
		exp = iv ? forward(exp, now, iv) : exp;
		if (exp <= now)
			return;		/* an expired one-shot reads 0 */
	} else if (k->it_active) {
		exp = max_t(ktime_t, exp, ktime_add_ns(now, 1));
	} else if (iv && (s->requeue & REQUEUE_PENDING)) {
		struct sighand_struct *sighand = ssi_lock_sighand(task, &flags);

		if (!sighand)
			return;		/* killed: the image is never used */
		exp = ns_to_ktime(pending_next(k, r, s, ktime_to_ns(exp), ktime_to_ns(now),
					       ktime_to_ns(iv)));
		spin_unlock_irqrestore(&sighand->siglock, flags);
	} else {
		return;			/* disarmed, or a one-shot that fired */
	}
	if (k->it_clock == CLOCK_REALTIME && h->base->clockid == CLOCK_REALTIME) {
		r->flags = SSI_PTIMER_ABS_REALTIME;
		r->expires = ktime_to_ns(exp);
	} else {
		r->expires = ktime_to_ns(ktime_sub(exp, now));
	}
}

int ssi_ptimers_freeze(struct task_struct *task, struct ssi_ptimers *p, u32 *next_id,
		       const char **why)
{
	struct signal_struct *sig = task->signal;
	struct sighand_struct *sighand;
	struct ptimer_list l;
	unsigned long flags;
	u32 i;
	int err;

	p->n = 0;
	err = gather_locked(task, &l);
	if (err)
		return err;
	for (i = 0; i < l.n && !*why; i++)
		*why = not_carried(l.k[i], task);	/* it_clock never changes */
	if (l.n > SSI_IMG_MAX_TIMERS && !*why)
		*why = "more POSIX timers than an image holds";
	rcu_read_unlock();
	if (*why) {
		kvfree(l.k);
		return -EOPNOTSUPP;
	}
	p->img = kvcalloc(l.n ?: 1, sizeof(*p->img), GFP_KERNEL);
	p->saved = kvcalloc(l.n ?: 1, sizeof(*p->saved), GFP_KERNEL);
	if (!p->img || !p->saved) {
		kvfree(l.k);
		return -ENOMEM;
	}
	/* Again, for the pointers: frozen, the process has the same timers. */
	kvfree(l.k);
	err = gather_locked(task, &l);
	if (err)
		return err;
	for (i = 0; i < l.n && i < SSI_IMG_MAX_TIMERS; i++) {
		int cancelled;

		if (!lock_stopped(l.k[i], sig, &flags, &cancelled))
			continue;	/* deleted meanwhile: the process exits */
		freeze_one(l.k[i], cancelled, task, &p->img[p->n], &p->saved[p->n]);
		p->n++;
		spin_unlock_irqrestore(&l.k[i]->it_lock, flags);
	}
	rcu_read_unlock();
	kvfree(l.k);
	sighand = ssi_lock_sighand(task, &flags);
	if (!sighand)
		return -ESRCH;
	*next_id = sig->next_posix_timer_id & INT_MAX;
	spin_unlock_irqrestore(&sighand->siglock, flags);
	return 0;
}

/* A parked CPU timer of current (it_lock held) back at @exp. */
static void cpu_unpark(struct k_itimer *k, u64 exp)
{
	spin_lock(&current->sighand->siglock);
	if (k->it.cpu.head)
		cpu_move(k, exp);
	spin_unlock(&current->sighand->siglock);
}

/*
 * A CPU timer of current (it_lock held; parked: checked) moved to @left
 * ns of its clock (@clock, as the image names it) after the image's value
 * of that clock, which @image_clock gives where the restore carries it:
 * the process's CPU clock goes on from there and a thread takes its own
 * on itself, maybe after this; the CPU time used since counts on both.
 * Else (the process's PROF and VIRT clocks) from its value now.
 */
static void cpu_arm(struct k_itimer *k, s32 clock, u64 left,
		    bool (*image_clock)(const void *, s32, u64 *), const void *ctx)
{
	struct task_struct *p;
	u64 base;
	bool known = image_clock(ctx, clock, &base);

	spin_lock(&current->sighand->siglock);
	rcu_read_lock();
	p = cpu_target(k);
	if (p)
		cpu_move(k, (known ? base : cpu_sample(k, p)) + left);
	rcu_read_unlock();
	spin_unlock(&current->sighand->siglock);
}

void ssi_ptimers_thaw(struct ssi_ptimers *p)
{
	struct signal_struct *sig = current->signal;
	struct ptimer_list l;
	unsigned long flags;
	u32 i, j;

	if (!p->n || gather_locked(current, &l))
		return;
	for (i = 0; i < l.n; i++) {
		struct k_itimer *k = l.k[i];
		int cancelled;

		for (j = 0; j < p->n && p->saved[j].id != k->it_id; j++)
			;
		if (j == p->n || !lock_stopped(k, sig, &flags, &cancelled))
			continue;
		/* untouched since the freeze (timer_settime() moves it_requeue_pending) */
		if (k->it_requeue_pending == p->saved[j].frozen_requeue && !cancelled) {
			k->it_requeue_pending = p->saved[j].requeue;
			/* its signal's dequeue counts those periods again */
			if (p->saved[j].added) {
				spin_lock(&current->sighand->siglock);
				if (!list_empty(&k->sigq->list))
					k->sigq->info.si_overrun -= p->saved[j].added;
				spin_unlock(&current->sighand->siglock);
			}
			if (p->saved[j].queued && is_cpu(k))
				cpu_unpark(k, p->saved[j].expires);
			else if (p->saved[j].queued)
				hrtimer_start(&k->it.real.timer, p->saved[j].expires,
					      HRTIMER_MODE_ABS);
		}
		spin_unlock_irqrestore(&k->it_lock, flags);
	}
	rcu_read_unlock();
	kvfree(l.k);
}

void ssi_ptimers_free(struct ssi_ptimers *p)
{
	kvfree(p->img);
	kvfree(p->saved);
	p->img = NULL;
	p->saved = NULL;
	p->n = 0;
}

static const struct ssi_img_posix_timer *record_of(const struct ssi_img_posix_timer *img,
						   u32 n, timer_t id)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (img[i].id == id)
			return &img[i];
	return NULL;
}

/* What of @k (locked) is not as @r describes it, made and parked as the top says. */
static const char *differs(const struct k_itimer *k, const struct ssi_img_posix_timer *r)
{
	const struct hrtimer *h = &k->it.real.timer;

	if (k->it_clock != r->clock)
		return "clock";
	if (k->it_sigev_notify != r->notify)
		return "notification";
	if (!is_none(k) && k->sigq->info.si_signo != r->signo)
		return "signal";
	if ((unsigned long)k->sigq->info.si_value.sival_ptr != r->value)
		return "value";
	if ((k->it_sigev_notify & SIGEV_THREAD_ID) &&
	    pid_nr_ns(k->it_pid, task_active_pid_ns(current)) != r->tid)
		return "thread";
	if (!r->expires)
		return NULL;
	if (ktime_to_ns(k->it_interval) != r->interval)
		return "interval";
	if (is_cpu(k))
		return k->it.cpu.head || (is_none(k) && k->it.cpu.node.expires) ?
		       NULL : "not parked";
	if (!hrtimer_get_expires(h))
		return "not parked";
	if ((h->base->clockid == CLOCK_REALTIME) != !!(r->flags & SSI_PTIMER_ABS_REALTIME))
		return "absolute or not";
	return NULL;
}

int ssi_ptimers_match(const struct ssi_img_posix_timer *img, u32 n, s32 *bad_id)
{
	struct signal_struct *sig = current->signal;
	struct ptimer_list l;
	unsigned long flags;
	u32 i;
	int err;

	*bad_id = -1;
	err = gather_locked(current, &l);
	if (err)
		return err;
	for (i = 0; i < l.n && !err; i++) {
		const struct ssi_img_posix_timer *r = record_of(img, n, l.k[i]->it_id);
		const char *what = "not in the image";

		spin_lock_irqsave(&l.k[i]->it_lock, flags);
		if (l.k[i]->it_signal == sig && (!r || (what = differs(l.k[i], r)))) {
			*bad_id = l.k[i]->it_id;
			err = -EINVAL;
		}
		spin_unlock_irqrestore(&l.k[i]->it_lock, flags);
		if (err)
			pr_warn_ratelimited("ssi: pid %d: POSIX timer %d: %s differs from its image\n",
					    task_pid_nr(current), *bad_id, what);
	}
	rcu_read_unlock();
	kvfree(l.k);
	/* distinct ids in both: as many is the same set */
	if (!err && l.n != n) {
		for (i = 0; i < n && *bad_id < 0; i++)
			*bad_id = img[i].id;	/* one of them is missing */
		err = -EINVAL;
	}
	return err;
}

void ssi_ptimers_arm(const struct ssi_img_posix_timer *img, u32 n, u32 next_id,
		     u64 min_ns, bool (*image_clock)(const void *ctx, s32 clock, u64 *v),
		     const void *ctx)
{
	struct signal_struct *sig = current->signal;
	struct ptimer_list l;
	unsigned long flags;
	u32 i;

	if (!gather_locked(current, &l)) {
		for (i = 0; i < l.n; i++) {
			struct k_itimer *k = l.k[i];
			const struct ssi_img_posix_timer *r = record_of(img, n, k->it_id);
			struct hrtimer *h = &k->it.real.timer;
			ktime_t now, soonest, exp;
			int cancelled;

			if (!r || !lock_stopped(k, sig, &flags, &cancelled))
				continue;
			k->it_overrun_last = r->overrun;
			if (r->expires && is_cpu(k)) {
				/* CPU time left: the freeze took none of it */
				cpu_arm(k, r->clock, r->expires, image_clock, ctx);
			} else if (r->expires) {
				now = hrtimer_cb_get_time(h);
				soonest = ktime_add_ns(now, is_none(k) ? 0 : min_ns);
				exp = r->flags & SSI_PTIMER_ABS_REALTIME ?
				      ns_to_ktime(r->expires) : ktime_add_ns(now, r->expires);
				exp = max_t(ktime_t, exp, soonest);
				if (is_none(k)) {
					hrtimer_set_expires(h, exp);
				} else {
					hrtimer_start(h, exp, HRTIMER_MODE_ABS);
					k->it_active = 1;
				}
			}
			spin_unlock_irqrestore(&k->it_lock, flags);
		}
		rcu_read_unlock();
		kvfree(l.k);
	}
	spin_lock_irq(&current->sighand->siglock);
	sig->next_posix_timer_id = next_id;
	spin_unlock_irq(&current->sighand->siglock);
}

long ssi_timer_id_ioctl(struct ssi_timer_id __user *uarg)
{
	struct sighand_struct *sighand;
	struct ssi_timer_id a;
	struct task_struct *task;
	unsigned long flags;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.reserved[0] || a.reserved[1] || a.id > INT_MAX || a.pid < 0)
		return -EINVAL;
	if (!a.pid) {
		task = get_task_struct(current);
	} else {
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		task = ssi_get_task(a.pid);
		if (!task)
			return -ESRCH;
	}
	sighand = ssi_lock_sighand(task, &flags);
	if (sighand) {
		task->signal->next_posix_timer_id = a.id;
		spin_unlock_irqrestore(&sighand->siglock, flags);
	}
	put_task_struct(task);
	return sighand ? 0 : -ESRCH;
}
