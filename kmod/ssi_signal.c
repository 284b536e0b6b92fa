// SPDX-License-Identifier: GPL-2.0
/*
 * ssi_signal.c - SSI_IOC_SIGNAL on the remote node: a signal the home pid
 * received reaches the migrated process with the same siginfo.
 *
 * The deputy's stub catches the signal with SA_SIGINFO and ssid carries
 * the siginfo over; from user space ssid could only send it as its own
 * (kill: si_pid would be ssid's, si_code SI_USER) or as a queued signal
 * with a forged si_code, which rt_sigqueueinfo refuses.  send_sig_info()
 * takes the siginfo as given: the sender's pid and uid as the home node
 * saw them, si_value, and the codes of signals the kernel sent at home
 * (SIGCHLD's CLD_*, SIGPIPE, ...).  The caller must be in the target's
 * pid namespace (ssid has the namespace's init call this): from an
 * ancestor namespace the kernel sends si_pid 0.
 *
 * SSI_SIGNAL_KICK (no signal) lets ssid answer a seccomp notification of a
 * migrated process with a restart code when no signal is pending: see
 * uapi/ssi.h.
 */
#include <linux/capability.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/task_work.h>
#include <linux/uaccess.h>

#include "ssi_internal.h"

struct ssi_kick {
	struct callback_head work;
	struct ssi_modref *ref;
};

/* The kick's task_work: its only effect was to be queued. */
static void ssi_kick_work(struct callback_head *work)
{
	struct ssi_kick *k = container_of(work, struct ssi_kick, work);
	struct ssi_modref *ref = k->ref;

	kfree(k);
	ssi_modref_put(ref);
}

static long ssi_kick(struct task_struct *task)
{
	struct ssi_kick *k;

	k = kmalloc(sizeof(*k), GFP_KERNEL);
	if (!k)
		return -ENOMEM;
	k->ref = ssi_modref_get();
	if (!k->ref) {
		kfree(k);
		return -ENOMEM;
	}
	init_task_work(&k->work, ssi_kick_work);
	if (task_work_add(task, &k->work, TWA_SIGNAL)) {
		ssi_modref_drop(k->ref);
		kfree(k);
		return -ESRCH;		/* exiting */
	}
	return 0;
}

/*
 * The thread of @leader's process that a process-directed @sig would wake
 * (as the kernel's wants_signal()): the first that does not block it and
 * is not exiting, else the leader.  Returned with a reference.
 */
static struct task_struct *receiver(struct task_struct *leader, int sig)
{
	struct task_struct *t, *pick = leader;

	/*
	 * The masks are read without the siglock (__lock_task_sighand is
	 * not exported): a thread changing its mask just now may be passed
	 * over or picked, as it could be natively by a signal an instant
	 * earlier or later.
	 */
	rcu_read_lock();
	for_each_thread(leader, t) {
		if (!(READ_ONCE(t->flags) & PF_EXITING) && !sigismember(&t->blocked, sig)) {
			pick = t;
			break;
		}
	}
	get_task_struct(pick);
	rcu_read_unlock();
	return pick;
}

long ssi_signal_ioctl(struct ssi_signal __user *uarg)
{
	struct kernel_siginfo info;
	struct task_struct *task;
	struct ssi_signal arg;
	long err;

	BUILD_BUG_ON(sizeof(arg) != 16 + SSI_SIGINFO_LEN + 16);
	BUILD_BUG_ON(sizeof(info) > SSI_SIGINFO_LEN);
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if ((arg.flags & ~(SSI_SIGNAL_KICK | SSI_SIGNAL_THREAD)) || arg.pad ||
	    memchr_inv(arg.reserved, 0, sizeof(arg.reserved)))
		return -EINVAL;
	if (arg.flags & SSI_SIGNAL_KICK) {
		if (arg.signo)
			return -EINVAL;
		task = ssi_get_task(arg.pid);
		if (!task)
			return -ESRCH;
		err = ssi_kick(task);
		put_task_struct(task);
		return err;
	}
	/* SIGKILL and SIGSTOP need no siginfo: ssid sends them itself. */
	if (!valid_signal(arg.signo) || arg.signo == 0 || sig_kernel_only(arg.signo))
		return -EINVAL;
	/* The head of a user siginfo_t is a kernel_siginfo. */
	memcpy(&info, arg.siginfo, sizeof(info));
	if (info.si_signo != arg.signo || info.si_errno)
		return -EINVAL;

	task = ssi_get_task(arg.pid);
	if (!task)
		return -ESRCH;
	if (!(arg.flags & SSI_SIGNAL_THREAD)) {
		struct task_struct *t;

		if (!thread_group_leader(task)) {
			put_task_struct(task);
			return -ESRCH;
		}
		t = receiver(task, arg.signo);
		put_task_struct(task);
		task = t;
	}
	err = send_sig_info(arg.signo, &info, task);
	put_task_struct(task);
	return err;
}
