// SPDX-License-Identifier: GPL-2.0
/*
 * restore_helper.c - ssi-restore-helper: becomes a migrated process on the
 * remote node.  Fork+exec'd by ssid (remote_side.c); never run by hand.
 *
 *   ssi-restore-helper UID GID [GID,GID,...]
 *   ssi-restore-helper pidns-init      (the init of a guest's pid namespace:
 *                                       pidns_init.h)
 *   ssi-restore-helper stand-in UID GID [GID,GID,...]
 *                                      (the guest's parent there, with its
 *                                       home parent's id: parent_standin.h)
 *
 * Contract with ssid:
 *  - It runs in the guest's own pid namespace (guest_pidns.h), with the
 *    process's home pid there.  fd 3: the image (a memfd: a regular
 *    file, so the module checks the whole image before it changes
 *    anything); fd 4: the report socket; fd 6: a socket to the
 *    namespace's init, which gives its threads the image's home tids;
 *    nothing else is open.  Signals are at their defaults.
 *  - Before the point of no return the helper writes one line on fd 4:
 *      "OK\n"                           the image was verified here, and
 *                                       its threads 1 .. N-1 wait, with
 *                                       the image's tids (ssid finds them
 *                                       by their NSpid)
 *      "ERR REASON ERRNO DETAIL\n"      refused (enum ssi_reason, errno)
 *    and exits 1 after an ERR.  After "OK" it closes fd 4, so ssid sees EOF.
 *    Before those, for the files the image maps that are missing or
 *    different here (checked as the job user, as the restore opens them):
 *      "FETCH INDEX START END SIZE KIND DIGEST\n"  one per file (hex
 *                                       START END DIGEST: a mapping of it,
 *                                       its identity in the image)
 *      "WAIT\n"                         then it reads, for each, a struct
 *                                       file_fetch_reply with the copy's
 *                                       descriptor (SCM_RIGHTS) or the
 *                                       error why there is none; the
 *                                       restore maps the copies
 *                                       (struct ssi_restore's file_fds).
 *  - With SSI_TIMENS="MONO_NS BOOT_NS" in its environment it enters a new
 *    time namespace whose CLOCK_MONOTONIC and CLOCK_BOOTTIME are offset by
 *    those ns: the process's clocks go on from where they were at home.
 *  - With fd 7 open, it holds the process's own seccomp filters
 *    (seccomp_carry.h): the helper installs them on all its threads,
 *    oldest first, just before "OK", and checks that they let through
 *    the two calls it makes after "OK" (the seccomp() call for ssid's
 *    filter and SSI_IOC_RESTORE; its other threads are in their
 *    SSI_IOC_RESTORE_THREAD by then, which the filters never see): each
 *    is made once with the same arguments and a structure the kernel
 *    refuses with EFAULT after the filters have let it through.  Refused
 *    (ERR, reason SSI_R_SECCOMP) if not; a filter that kills or traps one
 *    of the helper's calls kills the helper, which ssid reports.
 *  - Then, with fds 0-2 closed, it installs the forwarding seccomp filter
 *    on all its threads (its listener becomes fd 0, which ssid takes with
 *    pidfd_getfd) and calls SSI_IOC_RESTORE, while its other threads wait
 *    in SSI_IOC_RESTORE_THREAD, each naming the image thread it becomes:
 *    the two ioctls the filter lets run locally.  On success that call
 *    does not return: this process is the image.
 *
 * Static and non-PIE (as kmod/tools/ssi-restore): its own few mappings stay
 * out of the way of the image's, and a fork of ssid (PIE, shared libs)
 * would collide with them.  The steps follow kmod/tools/ssi-restore.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/syscall.h>
#include <linux/seccomp.h>

#include "kmod/uapi/ssi.h"
#include "kmod/uapi/ssi_image.h"
#include "kmod/tools/ssi_dev_open.h"
#include "kmod/tools/vdso_move.h"
#include "forward/seccomp_filter.h"
#include "migrate/file_fetch.h"
#include "migrate/image_peek.h"
#include "migrate/pidns_init.h"
#include "migrate/ldt_make.h"
#include "migrate/mpol_make.h"
#include "migrate/parent_standin.h"
#include "migrate/ptimer_make.h"
#include "migrate/seccomp_carry.h"

#define IMG_FD		3
#define REPORT_FD	4
#define DEV_FD		5
#define PIDNS_FD	6
#define SECCOMP_FD	7

/* ssid's forwarding filter: on every thread, its listener killable */
#define OUR_FLAGS	(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_TSYNC | \
			 SECCOMP_FILTER_FLAG_TSYNC_ESRCH)

/* The helper's threads 1 .. N-1, each to become that thread of the image. */
static pid_t thread_tid[SSI_IMG_MAX_THREADS];
/* The image's tids, which the helper's threads take in the namespace. */
static int32_t image_tid[SSI_IMG_MAX_THREADS];
static struct ssi_img_mempolicy image_mpol[SSI_IMG_MAX_THREADS];
/* Pages holding the NUMA policies of the image's mappings (mpol_make.h). */
static uint64_t *carriers;
static uint32_t nr_carriers;
static atomic_uint threads_up;
/* A copy from home for each mapped file missing or different here, else -1. */
static int32_t file_fds[SSI_IMG_MAX_FILES];
static uint32_t nr_file_fds;

static void __attribute__((noreturn, format(printf, 3, 4)))
refuse(unsigned int reason, int err, const char *fmt, ...)
{
	char detail[160], line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	n = snprintf(line, sizeof(line), "ERR %u %d %s\n", reason, err, detail);
	if (write(REPORT_FD, line, (size_t)n) < 0)
		_exit(2);
	_exit(1);
}

static int parse_groups(const char *s, gid_t *g, int max)
{
	int n = 0;
	char *end;

	while (*s && n < max) {
		unsigned long v = strtoul(s, &end, 10);

		if (end == s || v >= UINT32_MAX)
			return -1;
		g[n++] = (gid_t)v;
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return -1;
	}
	return *s ? -1 : n;
}

/* "SECS NSECS" of a signed ns offset, as /proc/PID/timens_offsets wants:
 * the ns part in 0..999999999. */
static void split_ns(long long ns, long long *sec, long long *nsec)
{
	*sec = ns / 1000000000LL;
	*nsec = ns % 1000000000LL;
	if (*nsec < 0) {
		*nsec += 1000000000LL;
		*sec -= 1;
	}
}

/*
 * A new time namespace with the offsets of @spec ("MONO_NS BOOT_NS"), and
 * this process in it: the kernel maps the namespace's vvar page on the
 * next access, so the vDSO's clocks read home's time.  Offsets can only
 * be written before a task enters the namespace, hence the order.
 */
static void join_timens(const char *spec)
{
	long long mono, boot, ms, mn, bs, bn;
	char line[160];
	int fd, n;

	if (!spec)
		return;
	if (sscanf(spec, "%lld %lld", &mono, &boot) != 2)
		refuse(SSI_R_NONE, EINVAL, "bad SSI_TIMENS '%.40s'", spec);
	if (unshare(CLONE_NEWTIME))
		refuse(SSI_R_NONE, errno, "unshare(CLONE_NEWTIME): %s", strerror(errno));
	split_ns(mono, &ms, &mn);
	split_ns(boot, &bs, &bn);
	n = snprintf(line, sizeof(line), "monotonic %lld %lld\nboottime %lld %lld\n",
		     ms, mn, bs, bn);
	fd = open("/proc/self/timens_offsets", O_WRONLY);
	if (fd < 0 || write(fd, line, (size_t)n) != n)
		refuse(SSI_R_NONE, errno, "timens_offsets: %s", strerror(errno));
	close(fd);
	fd = open("/proc/self/ns/time_for_children", O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWTIME))
		refuse(SSI_R_NONE, errno, "entering the time namespace: %s",
		       strerror(errno));
	close(fd);
}

/*
 * Every resource limit of the image, set on the helper, which becomes the
 * process: those that shape memory (also set by the module), and those in
 * force where it runs (RLIMIT_CPU, MEMLOCK, SIGPENDING, NICE, RTPRIO,
 * RTTIME, NPROC for its threads...).  Those that concern fds, files and
 * children bind its deputy at home too, where they were all along.  As
 * root, before the credential change: a hard limit above ssid's is the
 * process's own, not a raise.
 */
static void set_limits(void)
{
	static struct ssi_img_task t;
	struct rlimit r;
	int rc, i;

	rc = image_task_read(IMG_FD, &t);
	if (rc < 0 || t.nr_rlimits != SSI_IMG_NRLIMIT)
		refuse(SSI_R_TASK, rc < 0 ? -rc : EINVAL, "the image's limits cannot be read");
	for (i = 0; i < SSI_IMG_NRLIMIT; i++) {
		r.rlim_cur = t.rlim[i].cur;
		r.rlim_max = t.rlim[i].max;
		if (setrlimit(i, &r))
			refuse(SSI_R_RLIMIT, errno, "limit %d (%llu, %llu): %s", i,
			       (unsigned long long)r.rlim_cur, (unsigned long long)r.rlim_max,
			       strerror(errno));
	}
}

/*
 * A helper thread: say its tid, then wait to become image thread @arg.
 * It returns only if the restore was refused before its point of no
 * return (the leader dies of SIGSEGV then) or failed after it (SIGKILL).
 */
static void *park_thread(void *arg)
{
	struct ssi_restore_thread rt = { .index = (uint32_t)(uintptr_t)arg };

	thread_tid[rt.index] = (pid_t)syscall(SYS_gettid);
	atomic_fetch_add(&threads_up, 1);
	ioctl(DEV_FD, SSI_IOC_RESTORE_THREAD, &rt);
	syscall(SYS_exit, 0);	/* local under the filter: this thread only */
	return NULL;
}

/* The calling thread takes image thread @i's NUMA policy (mpol_make.h). */
static void take_mempolicy(uint32_t i)
{
	char why[160];
	int rc;

	rc = mpol_make(&image_mpol[i], why, sizeof(why));
	if (rc)
		refuse(SSI_R_NUMA, -rc, "thread %u: %s", i, why);
}

/*
 * Threads 1 .. @n - 1, all signals blocked as the caller's are: they wait
 * for the restore in SSI_IOC_RESTORE_THREAD.  Each has the tid of its
 * image thread (the namespace's init makes it the next), and its NUMA
 * policy, which it inherits from the caller; the caller takes the
 * leader's last.  Made after the credential change and the time
 * namespace, which want a single thread.
 */
static void start_threads(uint32_t n)
{
	pthread_attr_t attr;
	pthread_t t;
	uint32_t i;
	int rc;

	if (n <= 1) {
		take_mempolicy(0);
		return;
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 << 10);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (i = 1; i < n; i++) {
		rc = pidns_init_next(PIDNS_FD, image_tid[i]);
		if (rc)
			refuse(SSI_R_NONE, -rc, "tid %d for thread %u: %s", (int)image_tid[i],
			       i, strerror(-rc));
		take_mempolicy(i);
		rc = pthread_create(&t, &attr, park_thread, (void *)(uintptr_t)i);
		if (rc)
			refuse(SSI_R_NOMEM, rc, "creating thread %u of %u: %s", i, n,
			       strerror(rc));
		while (atomic_load(&threads_up) != i)
			sched_yield();
		if (thread_tid[i] != image_tid[i])
			refuse(SSI_R_NONE, EEXIST, "thread %u has tid %d, not %d", i,
			       (int)thread_tid[i], (int)image_tid[i]);
	}
	take_mempolicy(0);
}

/* The image's mappings' NUMA policies, each on a page for the restore. */
static void make_carriers(void)
{
	char why[160];
	int rc;

	rc = mpol_carriers_of_image(IMG_FD, &carriers, why, sizeof(why));
	if (rc < 0)
		refuse(rc == -ENOMEM ? SSI_R_NOMEM : SSI_R_NUMA, -rc, "%s", why);
	nr_carriers = (uint32_t)rc;
}

static int own_next_id(void *arg, uint32_t id)
{
	struct ssi_timer_id t = { .id = id };

	(void)arg;
	return ioctl(DEV_FD, SSI_IOC_TIMER_ID, &t) ? -errno : 0;
}

static int own_create(void *arg, int clock, const struct sigevent *sev, int *id)
{
	int kid;

	(void)arg;
	if (syscall(SYS_timer_create, clock, sev, &kid))
		return -errno;
	*id = kid;
	return 0;
}

static int own_settime(void *arg, int id, int flags, const struct itimerspec *its)
{
	(void)arg;
	return syscall(SYS_timer_settime, id, flags, its, NULL) ? -errno : 0;
}

/*
 * The image's POSIX timers, made here for the restore to check and arm
 * (ptimer_make.h): after the threads, which SIGEV_THREAD_ID ones name,
 * and with every signal blocked (one parked timer fires in 10 years).
 */
static void make_timers(void)
{
	static const struct ptimer_ops ops = {
		.next_id = own_next_id, .create = own_create, .settime = own_settime,
	};
	struct ssi_img_posix_timer *p;
	char why[160];
	int n, rc;

	n = image_timers_read(IMG_FD, &p);
	if (n < 0)
		refuse(SSI_R_SECTION, -n, "the image's POSIX timers cannot be read");
	rc = ptimers_make(p, (uint32_t)n, &ops, why, sizeof(why));
	free(p);
	if (rc)
		refuse(rc == -ENOMEM || rc == -EAGAIN ? SSI_R_NOMEM : SSI_R_TASK, -rc, "%s", why);
}

/* The process's own seccomp filters (fd 7), or none. */
static struct seccomp_chain user_filters;

static void read_user_filters(void)
{
	unsigned char *buf;
	struct stat st;
	char why[200];
	int rc;

	if (fcntl(SECCOMP_FD, F_GETFD) < 0)
		return;
	if (fstat(SECCOMP_FD, &st) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > SECCOMP_CARRY_MAX_LEN)
		refuse(SSI_R_SECCOMP, EINVAL, "its seccomp filters: %lld bytes",
		       (long long)st.st_size);
	buf = malloc((size_t)st.st_size);
	if (!buf)
		refuse(SSI_R_NOMEM, ENOMEM, "reading its seccomp filters");
	if (pread(SECCOMP_FD, buf, (size_t)st.st_size, 0) != st.st_size)
		refuse(SSI_R_SECCOMP, EIO, "reading its seccomp filters: %s", strerror(errno));
	close(SECCOMP_FD);
	rc = seccomp_chain_decode(buf, (size_t)st.st_size, &user_filters, why, sizeof(why));
	free(buf);
	if (rc)
		refuse(SSI_R_SECCOMP, -rc, "%s", why);
}

/*
 * Is helper thread @name (of /proc/self/task) in its ioctl?  Then the
 * filters about to be installed never see that call: a thread's call is
 * checked as it starts.  (Its syscall file: the call's number first.)
 */
static bool parked(const char *name)
{
	char path[300], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%s/syscall", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return strtol(buf, NULL, 10) == SYS_ioctl;
}

/* How many threads but this one are in their ioctl. */
static uint32_t nr_parked(void)
{
	char self[64];
	const char *me;
	struct dirent *d;
	uint32_t n = 0;
	ssize_t len;
	DIR *dir;

	/*
	 * /proc is the node's, not the guest namespace's: its numbers are
	 * not the helper's tids.  "PID/task/TID" of this thread:
	 */
	len = readlink("/proc/thread-self", self, sizeof(self) - 1);
	if (len <= 0)
		return 0;
	self[len] = '\0';
	me = strrchr(self, '/') + 1;
	dir = opendir("/proc/self/task");
	if (!dir)
		return 0;
	while ((d = readdir(dir)))
		n += d->d_name[0] != '.' && strcmp(d->d_name, me) && parked(d->d_name);
	closedir(dir);
	return n;
}

/* Every other helper thread in its ioctl, or a refusal after a while. */
static void wait_parked(uint32_t n)
{
	uint32_t tries;

	for (tries = 0; n > 1 && nr_parked() != n - 1; tries++) {
		if (tries == 2000)
			refuse(SSI_R_NONE, ETIMEDOUT, "its %u threads never all waited for the restore",
			       n);
		usleep(1000);
	}
}

/*
 * Its own filters on every thread of the helper, oldest first, in force
 * from here on for every call the helper and then the process make:
 * ssid's, installed after "OK", is the newest, so theirs keep their
 * meaning (the kernel takes the strictest answer of all).  Then a probe
 * of each call left after "OK", with its very arguments (the same
 * @ours, the same @r), that the kernel refuses with EFAULT once the
 * filters have let it through, before it changes anything.
 */
static void install_user_filters(struct sock_fprog *ours, unsigned int ours_flags,
				 struct ssi_restore *r)
{
	struct sock_filter *keep = ours->filter;
	unsigned short keep_len = ours->len;
	uint32_t i;
	long rc;

	for (i = 0; i < user_filters.n; i++) {
		struct sock_fprog f = {
			.len = (unsigned short)user_filters.f[i].len,
			.filter = user_filters.f[i].insns,
		};

		rc = syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
			     SECCOMP_FILTER_FLAG_TSYNC | user_filters.f[i].flags, &f);
		if (rc)
			refuse(SSI_R_SECCOMP, rc < 0 ? errno : ESRCH,
			       "installing its seccomp filter %u of %u: %s", i + 1, user_filters.n,
			       rc < 0 ? strerror(errno) : "a thread cannot take it");
	}
	/* not NULL, which the kernel refuses before it reads: not an address */
	ours->filter = (struct sock_filter *)8;
	ours->len = 1;
	rc = ssi_seccomp_set(ours, ours_flags);
	ours->filter = keep;
	ours->len = keep_len;
	if (rc >= 0 || errno != EFAULT)
		refuse(SSI_R_SECCOMP, rc >= 0 ? EEXIST : errno,
		       "its own seccomp filters forbid installing ssid's (seccomp: %s)",
		       rc >= 0 ? "installed" : strerror(errno));
	memset(r, 0, sizeof(*r));
	r->in_fd = IMG_FD;
	r->file_fds = 8;	/* not an address: refused before the restore starts */
	r->nr_file_fds = 1;
	rc = ioctl(DEV_FD, SSI_IOC_RESTORE, r);
	if (rc >= 0 || errno != EFAULT)
		refuse(SSI_R_SECCOMP, rc >= 0 ? EEXIST : errno,
		       "its own seccomp filters forbid the restore (SSI_IOC_RESTORE: %s)",
		       rc >= 0 ? "ran" : strerror(errno));
}

/* The image's LDT, made here for the restore to check (ldt_make.h). */
static void make_ldt(void)
{
	uint64_t *d;
	char why[160];
	int n, rc;

	n = image_ldt_read(IMG_FD, &d);
	if (n < 0)
		refuse(SSI_R_SECTION, -n, "the image's LDT cannot be read");
	rc = ldt_make(d, (uint32_t)n, why, sizeof(why));
	free(d);
	if (rc)
		refuse(rc == -ENOMEM ? SSI_R_NOMEM : SSI_R_TASK, -rc, "%s", why);
}

/* Is @path here the file @want of the image (what the restore checks)? */
static bool same_here(const char *path, const struct ssi_img_file *want)
{
	struct ssi_file_id id = { 0 };
	struct stat st;
	bool same;

	/* never open a FIFO or a device: they are not the file either */
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return false;
	id.fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (id.fd < 0)
		return false;
	if (ioctl(DEV_FD, SSI_IOC_FILE_ID, &id))
		same = errno == EFBIG;	/* too big to tell: the restore says */
	else
		same = id.size == want->size && id.digest_kind == want->digest_kind &&
		       id.digest_len == want->digest_len &&
		       !memcmp(id.digest, want->digest, want->digest_len);
	close(id.fd);
	return same;
}

/* One reply of ssid (file_fetch.h): the copy of a file, or why none. */
static void take_copy(const struct image_files *l)
{
	struct file_fetch_reply r;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &r, sizeof(r) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int fd = -1;

	if (recvmsg(REPORT_FD, &mh, MSG_CMSG_CLOEXEC) != (ssize_t)sizeof(r))
		refuse(SSI_R_FILE_OPEN, EIO, "no answer from ssid about the mapped files");
	cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	if (r.index >= l->n || file_fds[r.index] != -2 || (!r.err && fd < 0))
		refuse(SSI_R_FILE_OPEN, EPROTO, "ssid answered for a file not asked for");
	if (r.err)
		refuse(SSI_R_FILE_OPEN, r.err, "%.60s is not here and home sent no copy: %s",
		       l->f[r.index].path, strerror(r.err));
	/* above the fds of the contract: 0 must stay free for the listener */
	file_fds[r.index] = fcntl(fd, F_DUPFD_CLOEXEC, PIDNS_FD + 1);
	if (file_fds[r.index] < 0)
		refuse(SSI_R_NOMEM, errno, "keeping the copy of %.60s: %s", l->f[r.index].path,
		       strerror(errno));
	close(fd);
}

/*
 * The image's mapped files that are missing or different here: ask ssid
 * for a copy of each from home (file_fetch.h).
 */
static void fetch_files(void)
{
	struct image_files l;
	uint32_t i, j, need = 0;
	int rc;

	rc = image_files_read(IMG_FD, &l);
	if (rc)
		refuse(SSI_R_FILES, -rc, "the image's mapped files cannot be read");
	for (i = 0; i < l.n; i++) {
		const struct ssi_img_file *id = l.f[i].id;

		file_fds[i] = -1;
		if (same_here(l.f[i].path, id) || !l.f[i].end)
			continue;
		dprintf(REPORT_FD, "FETCH %u %llx %llx %llu %u ", i,
			(unsigned long long)l.f[i].start, (unsigned long long)l.f[i].end,
			(unsigned long long)id->size, id->digest_kind);
		for (j = 0; j < id->digest_len && j < SSI_IMG_DIGEST_LEN; j++)
			dprintf(REPORT_FD, "%02x", id->digest[j]);
		dprintf(REPORT_FD, "\n");
		file_fds[i] = -2;	/* asked for */
		nr_file_fds = i + 1;
		need++;
	}
	if (need) {
		if (write(REPORT_FD, "WAIT\n", 5) != 5)
			_exit(2);
		for (i = 0; i < need; i++)
			take_copy(&l);
	}
	image_files_free(&l);
}

int main(int argc, char **argv)
{
	static gid_t groups[1024];
	struct ssi_api api;
	struct ssi_restore r = { 0 };
	struct ssi_img_header h;
	struct sock_fprog prog;
	unsigned long uid, gid;
	sigset_t all;
	int dev, ngroups = 0, listener, rc;
	char detail[160];

	if (argc == 2 && !strcmp(argv[1], PIDNS_INIT_ARG))
		pidns_init_serve(0, 1);
	if (argc >= 2 && !strcmp(argv[1], STANDIN_ARG)) {
		argv[1] = argv[0];	/* the guest's command line: the rest */
		standin_serve(STANDIN_FD, argv + 1);
	}
	if (argc < 3 || argc > 4)
		refuse(SSI_R_NONE, EINVAL, "usage: ssi-restore-helper UID GID [GROUPS]");
	uid = strtoul(argv[1], NULL, 10);
	gid = strtoul(argv[2], NULL, 10);
	if (argc == 4) {
		ngroups = parse_groups(argv[3], groups, 1024);
		if (ngroups < 0)
			refuse(SSI_R_NONE, EINVAL, "bad group list");
	}
	/* nothing on 0-2: the seccomp listener must become fd 0 */
	close(0);
	close(1);
	close(2);
	dev = ssi_dev_open(O_CLOEXEC, &api);
	if (dev < 0)
		refuse(SSI_R_NONE, errno, "/dev/ssi: %s (module API %u, ours %u)",
		       strerror(errno), api.api, SSI_API_VERSION);
	if (dup2(dev, DEV_FD) != DEV_FD)
		refuse(SSI_R_NONE, errno, "dup2: %s", strerror(errno));
	close(dev);
	read_user_filters();	/* before fd 7 is used for anything else */
	if (pread(IMG_FD, &h, sizeof(h), 0) != sizeof(h))
		refuse(SSI_R_TRUNCATED, EIO, "cannot read the image header");
	if (h.magic != SSI_IMG_MAGIC)
		refuse(SSI_R_MAGIC, EINVAL, "not an image");
	rc = image_threads_read(IMG_FD, image_tid, SSI_IMG_MAX_THREADS);
	if (rc < 0)
		refuse(SSI_R_MAGIC, -rc, "the image's threads cannot be read");
	if (image_mempolicies_read(IMG_FD, image_mpol, SSI_IMG_MAX_THREADS) != rc)
		refuse(SSI_R_MAGIC, EINVAL, "the image's NUMA policies cannot be read");
	if (getpid() != image_tid[0])
		refuse(SSI_R_NONE, EEXIST, "pid %d in its namespace, not %d",
		       (int)getpid(), (int)image_tid[0]);

	join_timens(getenv("SSI_TIMENS"));	/* needs root: before the drop */
	set_limits();				/* so may this */
	if (setgroups((size_t)ngroups, groups) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		refuse(SSI_R_NONE, errno, "taking the credentials %lu:%lu: %s", uid, gid,
		       strerror(errno));
	/*
	 * Dies with ssid (set after the credential change, which clears it):
	 * a guest nobody serves any more must not linger.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() == 1)
		refuse(SSI_R_NONE, ESRCH, "ssid is gone");
	if (ssi_vdso_move(&h, detail, sizeof(detail)))
		refuse(errno == ENOMEM ? SSI_R_NOMEM : SSI_R_VDSO, errno, "%s", detail);

	fetch_files();
	make_carriers();
	r.in_fd = IMG_FD;
	r.flags = SSI_RESTORE_VERIFY_ONLY;
	r.file_fds = (uintptr_t)file_fds;
	r.nr_file_fds = nr_file_fds;
	r.mpol_carriers = (uintptr_t)carriers;
	r.nr_mpol_carriers = nr_carriers;
	if (ioctl(DEV_FD, SSI_IOC_RESTORE, &r))
		refuse(r.reason, errno, "%s (section %u, offset %llu)", r.detail,
		       r.section, (unsigned long long)r.offset);

	{
		struct ssi_seccomp_opts o = {
			.allow_ioctl_cmd = { SSI_IOC_RESTORE, SSI_IOC_RESTORE_THREAD },
			.mode_none = !user_filters.n,
		};

		if (ssi_seccomp_build(&o, &prog))
			refuse(SSI_R_NOMEM, errno, "building the seccomp filter: %s",
			       strerror(errno));
	}
	if (user_filters.n &&
	    (rc = seccomp_chain_check(&user_filters, prog.len, detail, sizeof(detail))))
		refuse(SSI_R_SECCOMP, -rc, "%s", detail);
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	{
		/* for the restore to set to the image's (uapi/ssi.h) */
		struct itimerval park = { .it_value = { .tv_sec = SSI_ITIMER_PARK_SEC } };

		if (setitimer(ITIMER_VIRTUAL, &park, NULL) ||
		    setitimer(ITIMER_PROF, &park, NULL))
			refuse(SSI_R_NONE, errno, "parking the CPU-time itimers: %s",
			       strerror(errno));
	}
	start_threads(h.nr_threads);
	make_timers();
	make_ldt();
	close(PIDNS_FD);
	/* for ours and for theirs; after "OK", no call but the probed ones */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		refuse(SSI_R_NONE, errno, "no_new_privs: %s", strerror(errno));
	if (user_filters.n) {
		/* its threads' ioctls are made: the filters do not judge them */
		wait_parked(h.nr_threads);
		install_user_filters(&prog, OUR_FLAGS, &r);
	}
	if (write(REPORT_FD, "OK\n", 3) != 3)
		_exit(2);
	close(REPORT_FD);

	/* From here on every syscall but the one ioctl goes to ssid. */
	/*
	 * Past "OK" the home node has made the process its deputy: a failure
	 * now must look like a crash of the process (ssid reports the wait
	 * status home), never like a clean exit.
	 */
	listener = ssi_seccomp_set(&prog, OUR_FLAGS);
	if (listener != 0)
		syscall(__NR_kill, getpid(), SIGKILL);	/* no filter: local */
	memset(&r, 0, sizeof(r));
	r.in_fd = IMG_FD;
	r.file_fds = (uintptr_t)file_fds;
	r.nr_file_fds = nr_file_fds;
	r.mpol_carriers = (uintptr_t)carriers;
	r.nr_mpol_carriers = nr_carriers;
	ioctl(DEV_FD, SSI_IOC_RESTORE, &r);
	/* refused after it verified the same image: die of SIGSEGV */
	*(volatile int *)0 = 0;
	_exit(4);
}
