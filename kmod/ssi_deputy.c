// SPDX-License-Identifier: GPL-2.0
/*
 * ssi_deputy.c - turn a dumped, frozen task into the deputy of its migrated
 * self.
 *
 * After SSI_IOC_DEPUTY the home task keeps what makes it the process at
 * home (pid, parent, fds, cwd, credentials, signal handlers' owner) and
 * loses its user memory: the deputy stub (kmod/stub/, embedded here) runs
 * in its place and executes the system calls the remote process forwards.
 * The stub's entry contract is in kmod/stub/deputy_proto.h.
 *
 * Runs in the target's own context (ssi_dump_work(), on the DEPUTY
 * verdict), so every mm, fd and signal operation is on current.  Nothing
 * of the task is changed until every new mapping exists: a failure before
 * that leaves it frozen and intact, to be resumed at home.
 *
 * A multi-threaded process keeps its threads: the leader maps a seat (an
 * area, a stack, a channel fd) for each, and each thread then enters the
 * stub in its own context (ssi_dump_thread_work()) with its seat's index,
 * so that a thread blocked in a forwarded call holds up no other.
 */
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/ptrace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/shmem_fs.h>
#include <linux/signal.h>
#include <linux/sort.h>
#include <asm/ptrace.h>

#include "ssi_internal.h"

/* The stub blob, embedded by ssi_stub_blob.S. */
extern const u8 ssi_stub_blob[];
extern const u8 ssi_stub_blob_end[];

/* One shmem copy of the blob, mapped read-only and executable into every
 * deputy: no page of the module's memory is exposed, and no mapping is
 * ever writable and executable at once. */
static struct file *stub_file;
static size_t stub_len;

int ssi_deputy_init(void)
{
	size_t len = ssi_stub_blob_end - ssi_stub_blob;
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	if (!len || len > SSI_DEPUTY_STUB_MAX)
		return -EINVAL;
	f = shmem_file_setup("ssi-deputy-stub", PAGE_ALIGN(len), VM_NORESERVE);
	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_write(f, ssi_stub_blob, len, &pos);
	if (n != (ssize_t)len) {
		fput(f);
		return n < 0 ? (int)n : -EIO;
	}
	stub_file = f;
	stub_len = len;
	return 0;
}

void ssi_deputy_exit(void)
{
	if (stub_file)
		fput(stub_file);
	stub_file = NULL;
}

bool ssi_deputy_mm_is(struct mm_struct *mm)
{
	struct vm_area_struct *vma;
	VMA_ITERATOR(vmi, mm, 0);

	mmap_assert_locked(mm);
	for_each_vma(vmi, vma)
		if (vma->vm_file && file_inode(vma->vm_file) == file_inode(stub_file))
			return true;
	return false;
}

bool ssi_deputy_is(struct task_struct *task)
{
	struct mm_struct *mm = get_task_mm(task);
	bool found = false;

	if (!mm)
		return false;
	if (!mmap_read_lock_killable(mm)) {
		found = ssi_deputy_mm_is(mm);
		mmap_read_unlock(mm);
	}
	mmput(mm);
	return found;
}

struct keep {
	unsigned long start, end;
};

static int keep_cmp(const void *a, const void *b)
{
	const struct keep *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Unmap every user address except the @n ranges of @keep. */
static int unmap_all_but(struct keep *keep, int n)
{
	unsigned long from = 0;
	int i, err;

	sort(keep, n, sizeof(*keep), keep_cmp, NULL);
	for (i = 0; i <= n; i++) {
		unsigned long to = i < n ? keep[i].start : TASK_SIZE;

		if (to > from) {
			err = vm_munmap(from, to - from);
			if (err)
				return err;
		}
		if (i < n)
			from = keep[i].end;
	}
	return 0;
}

/* Undo what ssi_deputy_become() mapped and installed before its point of no return. */
static void unmap_new(struct ssi_deputy_plan *p)
{
	u32 i;

	for (i = 0; i < p->nr; i++) {
		struct ssi_deputy_seat *s = &p->seat[i];

		if (s->area)
			vm_munmap(s->area, p->area_len);
		if (s->stack)
			vm_munmap(s->stack, SSI_DEPUTY_STACK);
		if (s->fd >= 0)
			close_fd(s->fd);
		s->area = s->stack = 0;
		s->fd = -1;
	}
	if (p->code)
		vm_munmap(p->code, PAGE_ALIGN(stub_len));
	p->code = 0;
}

/* One seat's area, stack and channel fd, in the leader's mm and fd table. */
static int map_seat(struct ssi_deputy_plan *p, struct ssi_deputy_seat *s, u32 *reason)
{
	unsigned long a;
	int fd;

	a = vm_mmap(NULL, 0, p->area_len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, 0);
	if (IS_ERR_VALUE(a))
		return (int)a;
	s->area = a;
	a = vm_mmap(NULL, 0, SSI_DEPUTY_STACK, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (IS_ERR_VALUE(a))
		return (int)a;
	s->stack = a;
	fd = receive_fd(s->chan, O_CLOEXEC);
	if (fd < 0) {
		*reason = SSI_R_TARGET;	/* its fd table is full */
		return fd;
	}
	s->fd = fd;
	return 0;
}

/*
 * The mappings of shared memory under the DSM (home's own memory, kept
 * coherent with the process's copy away): the deputy keeps them where
 * they are, so that the futex calls on them the process forwards run at
 * home on home's memory, keyed as home's other processes key them.  The
 * task is frozen: its mappings stand still.
 */
static int dsm_ranges(unsigned long **ranges)
{
	struct mm_struct *mm = current->mm;
	int n, m = 0;

	*ranges = NULL;
	for (;;) {
		if (mmap_read_lock_killable(mm))
			return -EINTR;
		n = ssi_dsm_vma_ranges(mm, *ranges, m);
		mmap_read_unlock(mm);
		if (!n || (*ranges && n <= m))
			return n;
		kfree(*ranges);
		m = n;
		*ranges = kmalloc_array(2 * m, sizeof(**ranges), GFP_KERNEL);
		if (!*ranges)
			return -ENOMEM;
	}
}

int ssi_deputy_become(struct ssi_deputy_plan *p, u32 *reason)
{
	unsigned long vdso[4], *dsm;
	struct keep *keep;
	int err, n, ndsm;
	u32 i;

	*reason = SSI_R_NOMEM;
	if (!stub_file)
		return -ENODEV;
	for (i = 0; i < p->nr; i++)
		p->seat[i].fd = -1;
	ndsm = dsm_ranges(&dsm);
	if (ndsm < 0)
		return ndsm;
	keep = kmalloc_array(2 * p->nr + 3 + ndsm, sizeof(*keep), GFP_KERNEL);
	if (!keep) {
		kfree(dsm);
		return -ENOMEM;
	}
	p->code = vm_mmap(stub_file, 0, PAGE_ALIGN(stub_len), PROT_READ | PROT_EXEC,
			  MAP_PRIVATE, 0);
	if (IS_ERR_VALUE(p->code)) {
		err = (int)p->code;
		p->code = 0;
		goto out_unmap;
	}
	for (i = 0; i < p->nr; i++) {
		err = map_seat(p, &p->seat[i], reason);
		if (err)
			goto out_unmap;
	}
	err = ssi_vdso_ranges(vdso);
	if (err)
		goto out_unmap;

	/*
	 * Point of no return: the process's memory goes.  A failure from here
	 * on cannot give it back, so the task is killed (its remote self then
	 * loses its home and is killed too: nothing hangs).
	 */
	keep[0] = (struct keep){ p->code, p->code + PAGE_ALIGN(stub_len) };
	n = 1;
	for (i = 0; i < p->nr; i++) {
		keep[n++] = (struct keep){ p->seat[i].area, p->seat[i].area + p->area_len };
		keep[n++] = (struct keep){ p->seat[i].stack,
					   p->seat[i].stack + SSI_DEPUTY_STACK };
	}
	/*
	 * [vvar] and [vdso] stay where the process had them: the image that
	 * comes home (SSI_IOC_RETURN) expects its vDSO there, and a module
	 * cannot map it anew.
	 */
	if (vdso[1])
		keep[n++] = (struct keep){ vdso[0], vdso[1] };
	if (vdso[3])
		keep[n++] = (struct keep){ vdso[2], vdso[3] };
	for (i = 0; i < (u32)ndsm; i++)
		keep[n++] = (struct keep){ dsm[2 * i], dsm[2 * i + 1] };
	err = unmap_all_but(keep, n);
	kfree(keep);
	kfree(dsm);
	if (err) {
		pr_warn("ssi: deputy %d: unmapping failed (%d): killing it\n",
			task_pid_nr(current), err);
		force_sig(SIGKILL);
		*reason = SSI_R_NOMEM;
		return err;
	}
	ssi_cpu_itimers_park();
	ssi_deputy_enter(p, 0);
	*reason = 0;
	return 0;

out_unmap:
	kfree(keep);
	kfree(dsm);
	unmap_new(p);
	return err;
}

void ssi_deputy_enter(const struct ssi_deputy_plan *p, u32 i)
{
	const struct ssi_deputy_seat *s = &p->seat[i];
	struct pt_regs *regs = current_pt_regs();
	sigset_t all;

	/* User pointers the kernel would follow into memory that is gone. */
	current->rseq = NULL;
	current->rseq_sig = 0;
	current->robust_list = NULL;
	current->clear_child_tid = NULL;
	current->sas_ss_sp = 0;
	current->sas_ss_size = 0;
	current->sas_ss_flags = SS_DISABLE;

	/*
	 * Block every signal until the stub has installed its handlers: a
	 * pending one must reach the stub (and be forwarded), never a handler
	 * of the process that is no longer mapped.  A saved mask (the task
	 * was in ppoll/pselect/sigsuspend) must not be restored over it.
	 * SIGKILL and SIGSTOP cannot be blocked (ssid watches for the stop).
	 */
	sigfillset(&all);
	sigdelsetmask(&all, sigmask(SIGKILL) | sigmask(SIGSTOP));
	sigprocmask(SIG_SETMASK, &all, NULL);
	clear_restore_sigmask();

	/* Enter the stub as if called: 16-byte aligned stack top minus 8. */
	regs->ip = p->code;
	regs->sp = ((s->stack + SSI_DEPUTY_STACK) & ~15UL) - 8;
	regs->di = s->fd;
	regs->si = s->area;
	regs->dx = p->area_len;
	regs->cx = i;
	regs->ax = 0;
	regs->bx = regs->bp = regs->r8 = regs->r9 = 0;
	regs->r10 = regs->r11 = regs->r12 = regs->r13 = regs->r14 = regs->r15 = 0;
	regs->flags = X86_EFLAGS_IF | X86_EFLAGS_FIXED;
	/* not in a system call any more: no restart on the way out */
	regs->orig_ax = -1;
}
