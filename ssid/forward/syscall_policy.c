// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * syscall_policy.c - THE table: what every x86-64 system call does when
 * the process that makes it runs away from its home node.
 *
 *   local      runs on the remote node (memory, signals, timers, CPU)
 *   forward    runs at home in the deputy (fds, file system, pids, node)
 *   cached     answered by ssid from the home values (getppid)
 *   local-if   local when its arguments say so, else pull-home
 *   pull-home  the process migrates home and the call runs there
 *
 * Principles:
 *  - What describes memory and CPU lives where the process runs; what
 *    describes fds, the file system view, credentials and the process tree
 *    lives at home, where the deputy keeps them for Slurm and the parent.
 *  - All fds live at home: the remote process has none of its own.
 *  - Anything the relay cannot marshal yet, and anything that changes
 *    state which must stay consistent on both sides (credentials, rlimits,
 *    namespaces), is pull-home: slower, never wrong.  Numbers the table
 *    does not name are pull-home too.
 *  - exit/exit_group run locally: ssid reaps the remote process (its
 *    child) and sends the exact wait status home, which also covers death
 *    by a signal.
 *
 * Forwarded entries describe each argument (syscall_policy.h): values are
 * copied, pointers are copied in, out or both.  NULL pointers stay NULL.
 */
#include <stddef.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/futex.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <mqueue.h>
#include <utime.h>

#include "forward/syscall_policy.h"

/* Kernel layouts that glibc's types do not match. */
struct k_statx_buf { unsigned char b[256]; };	/* struct statx */
struct k_mq_attr { long v[8]; };		/* struct mq_attr */

/* Argument descriptors. */
#define V		{ SSI_ARG_VAL, 0, 0 }
#define FD		{ SSI_ARG_FD, 0, 0 }
#define STR		{ SSI_ARG_IN_STR, 0, 0 }
#define INB(l)		{ SSI_ARG_IN_BUF, l, 0 }
#define OUTB(l)		{ SSI_ARG_OUT_BUF, l, 0 }
#define OUTB_LENP(l)	{ SSI_ARG_OUT_BUF_LENP, l, 0 }
#define INF(t)		{ SSI_ARG_IN_FIXED, 0, sizeof(t) }
#define OUTF(t)		{ SSI_ARG_OUT_FIXED, 0, sizeof(t) }
#define IOF(t)		{ SSI_ARG_INOUT_FIXED, 0, sizeof(t) }
#define INIOV(l)	{ SSI_ARG_IN_IOV, l, 0 }
#define OUTIOV(l)	{ SSI_ARG_OUT_IOV, l, 0 }
#define INARR(l, t)	{ SSI_ARG_IN_ARRAY, l, sizeof(t) }
#define IOARR(l, t)	{ SSI_ARG_INOUT_ARRAY, l, sizeof(t) }
#define OUTARR(l, t)	{ SSI_ARG_OUT_ARRAY_RET, l, sizeof(t) }
#define CUST		{ SSI_ARG_CUSTOM, 0, 0 }

/* Entries.  @n is the number of arguments, then one descriptor each. */
#define LOCAL(nr, w)							\
	[__NR_##nr] = { .name = #nr, .policy = SSI_SC_LOCAL, .why = w }
#define CACHED(nr, w)							\
	[__NR_##nr] = { .name = #nr, .policy = SSI_SC_CACHED, .why = w }
#define PULL(nr, w)							\
	[__NR_##nr] = { .name = #nr, .policy = SSI_SC_PULL_HOME, .why = w }
#define FWD(nr, n, w, ...)						\
	[__NR_##nr] = { .name = #nr, .policy = SSI_SC_FORWARD,		\
			.nargs = n, .args = { __VA_ARGS__ }, .why = w }
#define FWD_CUSTOM(nr, n, handler, w, ...)				\
	[__NR_##nr] = { .name = #nr, .policy = SSI_SC_FORWARD,		\
			.nargs = n, .args = { __VA_ARGS__ },		\
			.custom = handler, .why = w }
/* The same, for calls that a signal interrupts in their own way. */
#define FWD_I(nr, n, i, w, ...)						\
	[__NR_##nr] = { .name = #nr, .policy = SSI_SC_FORWARD,		\
			.nargs = n, .intr = SSI_SC_INTR_##i,		\
			.args = { __VA_ARGS__ }, .why = w }
#define FWD_CUSTOM_I(nr, n, i, handler, w, ...)				\
	[__NR_##nr] = { .name = #nr, .policy = SSI_SC_FORWARD,		\
			.nargs = n, .intr = SSI_SC_INTR_##i,		\
			.args = { __VA_ARGS__ },			\
			.custom = handler, .why = w }
#define LOCAL_IF(nr, arg, mask, want, w)				\
	[__NR_##nr] = { .name = #nr, .policy = SSI_SC_LOCAL_IF,	\
			.cond = SSI_SC_COND_ARG_MASK, .cond_arg = arg,	\
			.cond_mask = mask, .cond_want = want, .why = w }

/* Local unless (arg & mask) == want, which pulls the process home. */
#define LOCAL_UNLESS(nr, arg, mask, want, w)				\
	[__NR_##nr] = { .name = #nr, .policy = SSI_SC_LOCAL_IF,	\
			.cond = SSI_SC_COND_ARG_NE, .cond_arg = arg,	\
			.cond_mask = mask, .cond_want = want, .why = w }

/* Local when the condition holds, else forwarded as FWD() would be. */
#define LOCAL_IF_FWD(nr, arg, mask, want, w, n, ...)			\
	[__NR_##nr] = { .name = #nr, .policy = SSI_SC_LOCAL_IF,	\
			.cond = SSI_SC_COND_ARG_MASK, .cond_arg = arg,	\
			.cond_mask = mask, .cond_want = want,		\
			.otherwise = SSI_SC_FORWARD, .nargs = n,	\
			.args = { __VA_ARGS__ }, .why = w }

/* The same, marshalled by a handler of its own. */
#define LOCAL_IF_FWD_CUSTOM(nr, arg, mask, want, handler, w, n, ...)	\
	[__NR_##nr] = { .name = #nr, .policy = SSI_SC_LOCAL_IF,	\
			.cond = SSI_SC_COND_ARG_MASK, .cond_arg = arg,	\
			.cond_mask = mask, .cond_want = want,		\
			.otherwise = SSI_SC_FORWARD, .nargs = n,	\
			.args = { __VA_ARGS__ }, .custom = handler,	\
			.why = w }

/* Reasons shared by many entries. */
#define W_FD		"fds live at home"
#define W_FS		"the file system view (cwd, root, mounts) lives at home"
#define W_MEM		"memory lives where the process runs"
#define W_SIG		"signal state lives where the process runs"
#define W_TIME		"time and timers are read and armed where the process runs"
#define W_CPU		"scheduling concerns the CPU the process runs on"
#define W_CRED		"credentials must change on both sides at once"
#define W_PROC		"the process tree (children, groups, sessions) lives at home"
#define W_NEW		"creates a process or image: done at home"
#define W_PRIV		"node administration: done at home"
#define W_ENOSYS	"not implemented on x86-64: ENOSYS everywhere"
#define W_NYI		"not supported remotely yet"
#define W_IPC		"SysV IPC objects live at home"

static const struct ssi_sc_entry sc_table[SSI_SC_MAX + 1] = {
	/* Byte IO on fds. */
	FWD(read, 3, W_FD, FD, OUTB(2), V),
	FWD(write, 3, W_FD, FD, INB(2), V),
	FWD(pread64, 4, W_FD, FD, OUTB(2), V, V),
	FWD(pwrite64, 4, W_FD, FD, INB(2), V, V),
	FWD(readv, 3, W_FD, FD, OUTIOV(2), V),
	FWD(writev, 3, W_FD, FD, INIOV(2), V),
	FWD(preadv, 5, W_FD, FD, OUTIOV(2), V, V, V),
	FWD(pwritev, 5, W_FD, FD, INIOV(2), V, V, V),
	FWD(preadv2, 6, W_FD, FD, OUTIOV(2), V, V, V, V),
	FWD(pwritev2, 6, W_FD, FD, INIOV(2), V, V, V, V),
	FWD(lseek, 3, W_FD, FD, V, V),
	FWD(sendfile, 4, W_FD, FD, FD, IOF(off_t), V),
	FWD(splice, 6, W_FD, FD, IOF(loff_t), FD, IOF(loff_t), V, V),
	FWD(tee, 4, W_FD, FD, FD, V, V),
	FWD(copy_file_range, 6, W_FD, FD, IOF(loff_t), FD, IOF(loff_t), V, V),
	FWD(readahead, 3, W_FD, FD, V, V),
	FWD(fadvise64, 4, W_FD, FD, V, V, V),
	FWD(fallocate, 4, W_FD, FD, V, V, V),
	FWD(sync_file_range, 4, W_FD, FD, V, V, V),
	FWD(fsync, 1, W_FD, FD),
	FWD(fdatasync, 1, W_FD, FD),
	FWD(syncfs, 1, W_FD, FD),
	FWD(sync, 0, W_FD),
	FWD(ftruncate, 2, W_FD, FD, V),
	FWD(flock, 2, W_FD, FD, V),
	PULL(vmsplice, "maps user pages into a pipe at home: " W_NYI),

	/* Creating, duplicating and closing fds. */
	FWD(open, 3, W_FD, STR, V, V),
	FWD(openat, 4, W_FD, FD, STR, V, V),
	FWD(openat2, 4, W_FD, FD, STR, INB(3), V),
	FWD(creat, 2, W_FD, STR, V),
	FWD(close, 1, W_FD, FD),
	FWD(close_range, 3, W_FD, V, V, V),
	FWD(dup, 1, W_FD, FD),
	FWD(dup2, 2, W_FD, FD, FD),
	FWD(dup3, 3, W_FD, FD, FD, V),
	FWD(pipe, 1, W_FD, OUTF(int[2])),
	FWD(pipe2, 2, W_FD, OUTF(int[2]), V),
	FWD(eventfd, 1, W_FD, V),
	FWD(eventfd2, 2, W_FD, V, V),
	FWD(timerfd_create, 2, W_FD, V, V),
	FWD(timerfd_settime, 4, W_FD, FD, V, INF(struct itimerspec), OUTF(struct itimerspec)),
	FWD(timerfd_gettime, 2, W_FD, FD, OUTF(struct itimerspec)),
	FWD(memfd_create, 2, W_FD, STR, V),
	FWD(inotify_init, 0, W_FD),
	FWD(inotify_init1, 1, W_FD, V),
	FWD(inotify_add_watch, 3, W_FD, FD, STR, V),
	FWD(inotify_rm_watch, 2, W_FD, FD, V),
	FWD_CUSTOM(fcntl, 3, "fcntl", W_FD, FD, CUST, CUST),
	FWD_CUSTOM(ioctl, 3, "ioctl", W_FD, FD, CUST, CUST),
	PULL(signalfd, "reads the signals of the process, which arrive where it runs"),
	PULL(signalfd4, "reads the signals of the process, which arrive where it runs"),
	PULL(pidfd_getfd, "takes an fd from another process: " W_NYI),
	PULL(name_to_handle_at, W_NYI),
	PULL(open_by_handle_at, W_NYI),

	/* Readiness. */
	FWD_I(poll, 3, NOHAND, W_FD, IOARR(1, struct pollfd), V, V),
	FWD_I(ppoll, 5, NOHAND, W_FD, IOARR(1, struct pollfd), V, IOF(struct timespec),
	      INB(4), V),
	FWD_CUSTOM_I(select, 5, NOHAND, "select", W_FD, V, CUST, CUST, CUST, CUST),
	FWD_CUSTOM_I(pselect6, 6, NOHAND, "select", W_FD, V, CUST, CUST, CUST, CUST, CUST),
	FWD(epoll_create, 1, W_FD, V),
	FWD(epoll_create1, 1, W_FD, V),
	FWD(epoll_ctl, 4, W_FD, FD, V, FD, INF(struct epoll_event)),
	FWD_I(epoll_wait, 4, EINTR, W_FD, FD, OUTARR(2, struct epoll_event), V, V),
	FWD_I(epoll_pwait, 6, EINTR, W_FD, FD, OUTARR(2, struct epoll_event), V, V,
	      INB(5), V),
	FWD_I(epoll_pwait2, 6, EINTR, W_FD, FD, OUTARR(2, struct epoll_event), V,
	      INF(struct timespec), INB(5), V),
	LOCAL(epoll_ctl_old, W_ENOSYS),
	LOCAL(epoll_wait_old, W_ENOSYS),

	/* Sockets. */
	FWD(socket, 3, W_FD, V, V, V),
	FWD(socketpair, 4, W_FD, V, V, V, OUTF(int[2])),
	FWD(bind, 3, W_FD, FD, INB(2), V),
	FWD(listen, 2, W_FD, FD, V),
	FWD(connect, 3, W_FD, FD, INB(2), V),
	FWD(accept, 3, W_FD, FD, OUTB_LENP(2), IOF(socklen_t)),
	FWD(accept4, 4, W_FD, FD, OUTB_LENP(2), IOF(socklen_t), V),
	FWD(getsockname, 3, W_FD, FD, OUTB_LENP(2), IOF(socklen_t)),
	FWD(getpeername, 3, W_FD, FD, OUTB_LENP(2), IOF(socklen_t)),
	FWD(sendto, 6, W_FD, FD, INB(2), V, V, INB(5), V),
	FWD(recvfrom, 6, W_FD, FD, OUTB(2), V, V, OUTB_LENP(5), IOF(socklen_t)),
	FWD_CUSTOM(sendmsg, 3, "msghdr", W_FD, FD, CUST, V),
	FWD_CUSTOM(recvmsg, 3, "msghdr", W_FD, FD, CUST, V),
	PULL(sendmmsg, W_NYI),
	PULL(recvmmsg, W_NYI),
	FWD(shutdown, 2, W_FD, FD, V),
	FWD(setsockopt, 5, W_FD, FD, V, V, INB(4), V),
	FWD(getsockopt, 5, W_FD, FD, V, V, OUTB_LENP(4), IOF(socklen_t)),

	/* File system namespace. */
	FWD(stat, 2, W_FS, STR, OUTF(struct stat)),
	FWD(lstat, 2, W_FS, STR, OUTF(struct stat)),
	FWD(fstat, 2, W_FD, FD, OUTF(struct stat)),
	FWD(newfstatat, 4, W_FS, FD, STR, OUTF(struct stat), V),
	FWD(statx, 5, W_FS, FD, STR, V, V, OUTF(struct k_statx_buf)),
	FWD(statfs, 2, W_FS, STR, OUTF(struct statfs)),
	FWD(fstatfs, 2, W_FD, FD, OUTF(struct statfs)),
	FWD(access, 2, W_FS, STR, V),
	FWD(faccessat, 3, W_FS, FD, STR, V),
	FWD(faccessat2, 4, W_FS, FD, STR, V, V),
	FWD(getcwd, 2, W_FS, OUTB(1), V),
	FWD(chdir, 1, W_FS, STR),
	FWD(fchdir, 1, W_FS, FD),
	FWD(getdents, 3, W_FD, FD, OUTB(2), V),
	FWD(getdents64, 3, W_FD, FD, OUTB(2), V),
	FWD(truncate, 2, W_FS, STR, V),
	FWD(rename, 2, W_FS, STR, STR),
	FWD(renameat, 4, W_FS, FD, STR, FD, STR),
	FWD(renameat2, 5, W_FS, FD, STR, FD, STR, V),
	FWD(mkdir, 2, W_FS, STR, V),
	FWD(mkdirat, 3, W_FS, FD, STR, V),
	FWD(rmdir, 1, W_FS, STR),
	FWD(link, 2, W_FS, STR, STR),
	FWD(linkat, 5, W_FS, FD, STR, FD, STR, V),
	FWD(unlink, 1, W_FS, STR),
	FWD(unlinkat, 3, W_FS, FD, STR, V),
	FWD(symlink, 2, W_FS, STR, STR),
	FWD(symlinkat, 3, W_FS, STR, FD, STR),
	FWD(readlink, 3, W_FS, STR, OUTB(2), V),
	FWD(readlinkat, 4, W_FS, FD, STR, OUTB(3), V),
	FWD(mknod, 3, W_FS, STR, V, V),
	FWD(mknodat, 4, W_FS, FD, STR, V, V),
	FWD(chmod, 2, W_FS, STR, V),
	FWD(fchmod, 2, W_FD, FD, V),
	FWD(fchmodat, 3, W_FS, FD, STR, V),
	FWD(chown, 3, W_FS, STR, V, V),
	FWD(fchown, 3, W_FD, FD, V, V),
	FWD(lchown, 3, W_FS, STR, V, V),
	FWD(fchownat, 5, W_FS, FD, STR, V, V, V),
	FWD(utime, 2, W_FS, STR, INF(struct utimbuf)),
	FWD(utimes, 2, W_FS, STR, INF(struct timeval[2])),
	FWD(futimesat, 3, W_FS, FD, STR, INF(struct timeval[2])),
	FWD(utimensat, 4, W_FS, FD, STR, INF(struct timespec[2]), V),
	FWD(umask, 1, "the file creation mask applies to files created at home", V),
	FWD(setxattr, 5, W_FS, STR, STR, INB(3), V, V),
	FWD(lsetxattr, 5, W_FS, STR, STR, INB(3), V, V),
	FWD(fsetxattr, 5, W_FD, FD, STR, INB(3), V, V),
	FWD(getxattr, 4, W_FS, STR, STR, OUTB(3), V),
	FWD(lgetxattr, 4, W_FS, STR, STR, OUTB(3), V),
	FWD(fgetxattr, 4, W_FD, FD, STR, OUTB(3), V),
	FWD(listxattr, 3, W_FS, STR, OUTB(2), V),
	FWD(llistxattr, 3, W_FS, STR, OUTB(2), V),
	FWD(flistxattr, 3, W_FD, FD, OUTB(2), V),
	FWD(removexattr, 2, W_FS, STR, STR),
	FWD(lremovexattr, 2, W_FS, STR, STR),
	FWD(fremovexattr, 2, W_FD, FD, STR),
	FWD(mq_open, 4, W_FD, STR, V, V, INF(struct k_mq_attr)),
	FWD(mq_unlink, 1, W_FD, STR),
	FWD(mq_timedsend, 5, W_FD, FD, INB(2), V, V, INF(struct timespec)),
	FWD(mq_timedreceive, 5, W_FD, FD, OUTB(2), V, OUTF(unsigned int), INF(struct timespec)),
	FWD(mq_getsetattr, 3, W_FD, FD, INF(struct k_mq_attr), OUTF(struct k_mq_attr)),
	PULL(mq_notify, "notification goes to the process at home: " W_NYI),
	PULL(chroot, W_PRIV),
	PULL(pivot_root, W_PRIV),
	PULL(mount, W_PRIV),
	PULL(umount2, W_PRIV),
	PULL(open_tree, W_PRIV),
	PULL(move_mount, W_PRIV),
	PULL(fsopen, W_PRIV),
	PULL(fsconfig, W_PRIV),
	PULL(fsmount, W_PRIV),
	PULL(fspick, W_PRIV),
	PULL(mount_setattr, W_PRIV),
	PULL(quotactl, W_PRIV),
	PULL(quotactl_fd, W_PRIV),
	PULL(fanotify_init, W_PRIV),
	PULL(fanotify_mark, W_PRIV),

	/* Identity. */
	LOCAL(getpid, "its pid namespace there gives it its home ids"),
	LOCAL(gettid, "its pid namespace there gives it its home ids"),
	CACHED(getppid, "the parent is the home parent, outside its pid namespace there"),
	FWD(getpgrp, 0, W_PROC),
	FWD(getpgid, 1, W_PROC, V),
	FWD(getsid, 1, W_PROC, V),
	FWD(setpgid, 2, W_PROC, V, V),
	FWD(setsid, 0, W_PROC),
	FWD(uname, 1, "the node name is the home node's", OUTF(struct utsname)),
	LOCAL(getuid, "the remote runs with the same credentials"),
	LOCAL(geteuid, "the remote runs with the same credentials"),
	LOCAL(getgid, "the remote runs with the same credentials"),
	LOCAL(getegid, "the remote runs with the same credentials"),
	LOCAL(getresuid, "the remote runs with the same credentials"),
	LOCAL(getresgid, "the remote runs with the same credentials"),
	LOCAL(getgroups, "the remote runs with the same credentials"),
	LOCAL(capget, "the remote runs with the same credentials"),
	PULL(setuid, W_CRED),
	PULL(setgid, W_CRED),
	PULL(setreuid, W_CRED),
	PULL(setregid, W_CRED),
	PULL(setresuid, W_CRED),
	PULL(setresgid, W_CRED),
	PULL(setfsuid, W_CRED),
	PULL(setfsgid, W_CRED),
	PULL(setgroups, W_CRED),
	PULL(capset, W_CRED),
	PULL(personality, "changes how the process is executed: " W_NYI),

	/* Processes and signals between them. */
	PULL(fork, W_NEW),
	PULL(vfork, W_NEW),
	PULL(clone, W_NEW),
	PULL(clone3, W_NEW),
	PULL(execve, W_NEW),
	PULL(execveat, W_NEW),
	PULL(ptrace, "the tracer and tracee live at home"),
	PULL(process_vm_readv, "reads another process's memory: " W_NYI),
	PULL(process_vm_writev, "writes another process's memory: " W_NYI),
	PULL(process_madvise, W_NYI),
	PULL(process_mrelease, W_NYI),
	PULL(kcmp, W_NYI),
	PULL(unshare, "namespaces must be the same on both sides"),
	PULL(setns, "namespaces must be the same on both sides"),
	LOCAL(exit, "ssid reaps the remote and sends the wait status home"),
	LOCAL(exit_group, "ssid reaps the remote and sends the wait status home"),
	FWD(wait4, 4, W_PROC, V, OUTF(int), V, OUTF(struct rusage)),
	FWD(waitid, 5, W_PROC, V, V, OUTF(siginfo_t), V, OUTF(struct rusage)),
	FWD(kill, 2, "pids are home pids", V, V),
	FWD(tkill, 2, "pids are home pids", V, V),
	FWD(tgkill, 3, "pids are home pids", V, V, V),
	FWD(rt_sigqueueinfo, 3, "pids are home pids", V, V, INF(siginfo_t)),
	FWD(rt_tgsigqueueinfo, 4, "pids are home pids", V, V, V, INF(siginfo_t)),
	FWD(pidfd_open, 2, "pids are home pids", V, V),
	FWD(pidfd_send_signal, 4, W_FD, FD, V, INF(siginfo_t), V),

	/* Signal state of the process itself. */
	LOCAL(rt_sigaction, W_SIG),
	LOCAL(rt_sigprocmask, W_SIG),
	LOCAL(rt_sigreturn, W_SIG),
	LOCAL(rt_sigpending, W_SIG),
	LOCAL(rt_sigtimedwait, W_SIG),
	LOCAL(rt_sigsuspend, W_SIG),
	LOCAL(sigaltstack, W_SIG),
	LOCAL(pause, W_SIG),
	LOCAL(restart_syscall, "restarts the interrupted local call"),

	/* Memory. */
	LOCAL_IF(mmap, 3, MAP_ANONYMOUS | MAP_TYPE, MAP_ANONYMOUS | MAP_PRIVATE,
		 "private anonymous memory is local; file and shared mappings pull home"),
	LOCAL(mprotect, W_MEM),
	LOCAL(munmap, W_MEM),
	LOCAL(mremap, W_MEM),
	LOCAL(brk, W_MEM),
	LOCAL(madvise, W_MEM),
	LOCAL(mincore, W_MEM),
	LOCAL(msync, "only private mappings exist remotely: nothing to write back"),
	LOCAL(mlock, W_MEM),
	LOCAL(mlock2, W_MEM),
	LOCAL(munlock, W_MEM),
	LOCAL(mlockall, W_MEM),
	LOCAL(munlockall, W_MEM),
	LOCAL(mbind, "memory lives where the process runs (a mapping's policy is not carried: doc/state.md)"),
	/*
	 * A thread's policy travels out in the image and its deputy thread
	 * keeps it at home for the way back (kmod/ssi_mempolicy.c): set at
	 * home, where both then hold the same.
	 */
	PULL(set_mempolicy, "a thread's NUMA policy travels with it from its deputy thread, which keeps it for the way back: set at home"),
	LOCAL(get_mempolicy, W_MEM),
	LOCAL(set_mempolicy_home_node, W_MEM),
	LOCAL(migrate_pages, W_MEM),
	LOCAL(move_pages, W_MEM),
	LOCAL(pkey_mprotect, W_MEM),
	LOCAL(pkey_alloc, "the keys travel with the address space, both ways"),
	LOCAL(pkey_free, "the keys travel with the address space, both ways"),
	LOCAL(membarrier, W_MEM),
	/*
	 * A process-shared futex word in memory shared with home is keyed at
	 * home: such calls run there (forward/futex_shared.h decides, with
	 * the process's maps); a private one, or one in private memory, here.
	 */
	LOCAL_IF_FWD_CUSTOM(futex, 1, FUTEX_PRIVATE_FLAG, FUTEX_PRIVATE_FLAG, "futex",
			    "private futexes run here; a word in shared memory is keyed at home",
			    6, V, V, V, CUST, V, V),
	/*
	 * Its words are in an array the filter cannot read: every call asks
	 * ssid, which lets it run here unless a word is in memory shared
	 * with home (forward/futex_shared.h), which pulls the process home.
	 */
	LOCAL_IF(futex_waitv, 2, 0, 1,
		 "its words in private memory: here; one in shared memory pulls the process home"),
	LOCAL(set_robust_list, W_MEM),
	LOCAL(get_robust_list, W_MEM),
	LOCAL(set_tid_address, W_MEM),
	LOCAL(rseq, W_CPU),
	LOCAL(arch_prctl, "FS/GS bases are CPU state"),
	LOCAL(set_thread_area, "TLS is CPU state"),
	LOCAL(get_thread_area, "TLS is CPU state"),
	/*
	 * Reads (func 0 and 2) are local: the LDT travels with the address
	 * space.  A write pulls the process home: an LDT is made by the task
	 * that becomes the process, which a deputy coming home cannot do;
	 * it keeps the one it had.
	 */
	LOCAL_IF(modify_ldt, 0, 1, 0, "reading the LDT is local; a write pulls the process home, where the deputy keeps its LDT"),
	PULL(remap_file_pages, "file mappings live at home"),
	PULL(memfd_secret, W_NYI),
	PULL(userfaultfd, W_NYI),
	PULL(shmat, "SysV shared memory is coherent only at home"),
	LOCAL(shmdt, "no SysV segment is attached remotely: same EINVAL as home"),
	FWD(shmget, 3, W_IPC, V, V, V),
	PULL(shmctl, W_IPC ": " W_NYI),
	FWD(semget, 3, W_IPC, V, V, V),
	FWD(semop, 3, W_IPC, V, INARR(2, struct sembuf), V),
	FWD(semtimedop, 4, W_IPC, V, INARR(2, struct sembuf), V, INF(struct timespec)),
	PULL(semctl, W_IPC ": " W_NYI),
	FWD(msgget, 2, W_IPC, V, V),
	PULL(msgsnd, W_IPC ": " W_NYI),
	PULL(msgrcv, W_IPC ": " W_NYI),
	PULL(msgctl, W_IPC ": " W_NYI),

	/* Time, timers, sleeping. */
	LOCAL(nanosleep, W_TIME),
	LOCAL(clock_nanosleep, W_TIME),
	LOCAL(clock_gettime, W_TIME),
	LOCAL(clock_getres, W_TIME),
	LOCAL(gettimeofday, W_TIME),
	LOCAL(time, W_TIME),
	LOCAL(alarm, W_TIME),
	LOCAL(getitimer, W_TIME),
	LOCAL(setitimer, W_TIME),
	/*
	 * POSIX timers travel in the image (kmod/ssi_ptimer.c), but for those
	 * on a CPU-time or an alarm clock, which refuse the migration: one
	 * made away would keep the process from coming home.  A mask tells
	 * only CLOCK_REALTIME and CLOCK_MONOTONIC (0, 1) from the rest, so
	 * BOOTTIME and TAI ones, carried too, are made at home.
	 */
	LOCAL_IF(timer_create, 0, ~1ULL, 0,
		 "REALTIME and MONOTONIC timers run where the process runs and travel with it"),
	LOCAL(timer_settime, W_TIME),
	LOCAL(timer_gettime, W_TIME),
	LOCAL(timer_getoverrun, W_TIME),
	LOCAL(timer_delete, W_TIME),
	LOCAL(times, "CPU time is spent where the process runs (its children's as they were at the move)"),
	/* who < 0 (RUSAGE_CHILDREN): the children live, and are waited for, at home */
	LOCAL_IF_FWD(getrusage, 0, 0x80000000ULL, 0,
		     "the process's usage is counted where it runs, its children's at home",
		     2, V, OUTF(struct rusage)),
	PULL(settimeofday, W_PRIV),
	PULL(clock_settime, W_PRIV),
	PULL(adjtimex, W_PRIV),
	PULL(clock_adjtime, W_PRIV),

	/* CPU and scheduling. */
	LOCAL(sched_yield, W_CPU),
	LOCAL(sched_setparam, W_CPU),
	LOCAL(sched_getparam, W_CPU),
	/* policy & 4: SCHED_IDLE, which is carried, and SCHED_DEADLINE, which is not */
	LOCAL_IF(sched_setscheduler, 1, 4, 0,
		 "the thread's policy travels with it, but for SCHED_DEADLINE (and IDLE)"),
	LOCAL(sched_getscheduler, W_CPU),
	LOCAL(sched_get_priority_max, W_CPU),
	LOCAL(sched_get_priority_min, W_CPU),
	LOCAL(sched_rr_get_interval, W_CPU),
	LOCAL(sched_setaffinity, W_CPU),
	LOCAL(sched_getaffinity, W_CPU),
	PULL(sched_setattr, "its policy is in memory the filter cannot read: "
	     "SCHED_DEADLINE is not carried"),
	LOCAL(sched_getattr, W_CPU),
	LOCAL(getpriority, W_CPU),
	LOCAL(setpriority, W_CPU),
	LOCAL(ioprio_set, W_CPU),
	LOCAL(ioprio_get, W_CPU),
	LOCAL(getcpu, W_CPU),
	LOCAL(sysinfo, "describes the node the process runs on"),
	LOCAL(getrandom, "any node's entropy will do"),
	/*
	 * PR_SET_SECCOMP would put a filter (or strict mode) on it here alone:
	 * newer than ssid's, and lost on the way home, whose deputy never had
	 * it.  At home it is the process's, and travels (seccomp_carry.h).
	 */
	LOCAL_UNLESS(prctl, 0, 0xffffffffULL, PR_SET_SECCOMP,
		     "process attributes travel with the process; PR_SET_SECCOMP pulls it home, as seccomp does"),
	LOCAL(getrlimit, "rlimits travel with the process"),
	/*
	 * A limit binds at home (fds, files, children: the deputy) and where
	 * the process runs (CPU, memory, signals): set at home, where the
	 * kernel checks it, then here by the relay (relay_remote.c).
	 */
	LOCAL_IF_FWD(prlimit64, 2, ~0ULL, 0,
		     "reading limits is local; they bind at home and here: set at home, then here",
		     4, V, V, INF(struct rlimit), OUTF(struct rlimit)),
	FWD(setrlimit, 2, "limits bind at home and here: set at home, then here",
	    V, INF(struct rlimit)),
	PULL(seccomp, "a filter of the process's own would stack on ssid's"),

	/* Asynchronous IO and io_uring keep kernel state at home. */
	PULL(io_setup, W_NYI),
	PULL(io_destroy, W_NYI),
	PULL(io_getevents, W_NYI),
	PULL(io_submit, W_NYI),
	PULL(io_cancel, W_NYI),
	PULL(io_pgetevents, W_NYI),
	PULL(io_uring_setup, W_NYI),
	PULL(io_uring_enter, W_NYI),
	PULL(io_uring_register, W_NYI),

	/* Node administration and privileged interfaces. */
	PULL(syslog, W_PRIV),
	PULL(acct, W_PRIV),
	PULL(swapon, W_PRIV),
	PULL(swapoff, W_PRIV),
	PULL(reboot, W_PRIV),
	PULL(sethostname, W_PRIV),
	PULL(setdomainname, W_PRIV),
	PULL(iopl, W_PRIV),
	PULL(ioperm, W_PRIV),
	PULL(init_module, W_PRIV),
	PULL(finit_module, W_PRIV),
	PULL(delete_module, W_PRIV),
	PULL(kexec_load, W_PRIV),
	PULL(kexec_file_load, W_PRIV),
	PULL(bpf, W_PRIV),
	PULL(perf_event_open, W_PRIV),
	PULL(add_key, "keyrings belong to the session at home"),
	PULL(request_key, "keyrings belong to the session at home"),
	PULL(keyctl, "keyrings belong to the session at home"),
	PULL(landlock_create_ruleset, W_NYI),
	PULL(landlock_add_rule, W_NYI),
	PULL(landlock_restrict_self, W_NYI),
	PULL(lookup_dcookie, W_PRIV),
	PULL(vhangup, W_PRIV),
	PULL(ustat, W_NYI),
	PULL(sysfs, W_NYI),
	PULL(uselib, W_NYI),
	LOCAL(_sysctl, W_ENOSYS),
	LOCAL(create_module, W_ENOSYS),
	LOCAL(get_kernel_syms, W_ENOSYS),
	LOCAL(query_module, W_ENOSYS),
	LOCAL(nfsservctl, W_ENOSYS),
	LOCAL(getpmsg, W_ENOSYS),
	LOCAL(putpmsg, W_ENOSYS),
	LOCAL(afs_syscall, W_ENOSYS),
	LOCAL(tuxcall, W_ENOSYS),
	LOCAL(security, W_ENOSYS),
	LOCAL(vserver, W_ENOSYS),
};

static const struct ssi_sc_entry sc_unknown = {
	.name = NULL,
	.policy = SSI_SC_PULL_HOME,
	.why = "not in the table: pull-home",
};

const struct ssi_sc_entry *ssi_sc_lookup(long nr)
{
	if (nr < 0 || nr > SSI_SC_MAX || !sc_table[nr].name)
		return &sc_unknown;
	return &sc_table[nr];
}

bool ssi_sc_forwards(long nr)
{
	const struct ssi_sc_entry *e = ssi_sc_lookup(nr);

	return e->policy == SSI_SC_FORWARD ||
	       (e->policy == SSI_SC_LOCAL_IF && e->otherwise == SSI_SC_FORWARD);
}

enum ssi_sc_policy ssi_sc_policy_of(long nr)
{
	return ssi_sc_lookup(nr)->policy;
}

const char *ssi_sc_policy_name(enum ssi_sc_policy policy)
{
	static const char *const names[SSI_SC_POLICY_COUNT] = {
		[SSI_SC_PULL_HOME]	= "pull-home",
		[SSI_SC_LOCAL]		= "local",
		[SSI_SC_FORWARD]	= "forward",
		[SSI_SC_CACHED]		= "cached",
		[SSI_SC_LOCAL_IF]	= "local-if",
	};

	if ((unsigned int)policy >= SSI_SC_POLICY_COUNT)
		return "invalid";
	return names[policy];
}

int64_t ssi_sc_interrupted(long nr, int64_t home_ret)
{
	switch (ssi_sc_lookup(nr)->intr) {
	case SSI_SC_INTR_NOHAND:
		return -SSI_SC_ERESTARTNOHAND;
	case SSI_SC_INTR_EINTR:
		return -EINTR;
	default:
		/* -EINTR at home: a call that never restarts (SO_RCVTIMEO) */
		return home_ret == -EINTR ? -EINTR : -SSI_SC_ERESTARTSYS;
	}
}

unsigned int ssi_sc_counts(unsigned int counts[SSI_SC_POLICY_COUNT])
{
	unsigned int named = 0;
	long nr;

	for (nr = 0; nr < SSI_SC_POLICY_COUNT; nr++)
		counts[nr] = 0;
	for (nr = 0; nr <= SSI_SC_MAX; nr++) {
		counts[ssi_sc_policy_of(nr)]++;
		if (sc_table[nr].name)
			named++;
	}
	return named;
}
