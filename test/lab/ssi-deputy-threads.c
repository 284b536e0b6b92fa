// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ssi-deputy-threads - on a lab node: a process of four threads becomes a
 * deputy through ssi.ko, every thread running the stub on its own channel,
 * and ssid's deputy code drives each.
 *
 *   ssi-deputy-threads OUTFILE
 *
 * Starts a child whose leader and three more threads sleep, with a pipe
 * at fd 10 and its stdout on OUTFILE, freezes and dumps it with
 * SSI_DUMP_THREADS, checks that SSI_IOC_DEPUTY refuses a thread list
 * that is not exactly the frozen threads (leaving it frozen and intact),
 * then turns it into a deputy with one channel per thread and:
 *  - every thread's stub announces itself on its own channel, with its
 *    own high channel fd and area;
 *  - a forwarded readlink of /proc/thread-self in each names that thread:
 *    the call runs in the thread it was sent to;
 *  - a forwarded read of the empty pipe blocks in one thread while a
 *    forwarded write runs in another; data into the pipe ends the read;
 *  - tgkill to one thread comes back on that thread's channel only;
 *  - one thread ends alone (EXIT_THREAD), the others go on serving;
 *  - the process ends with exit status 5: its parent sees exactly 5.
 * Prints one line per check; exits 0 only if all passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kmod/tools/ssi_dev_open.h"
#include "ssid/forward/call_remote.h"
#include "lab_tool.h"

#define NTHREADS	4	/* the leader and three more */
#define PIPE_FD		10	/* the child's read end of the pipe */

static pid_t tids[NTHREADS];
static int sig_on[NTHREADS];	/* SIGUSR2 seen on thread i's channel */

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* The child: tells its tids on @report, then every thread sleeps. */
static void child(int report)
{
	pthread_t t;
	pid_t tid;
	int i;

	tid = (pid_t)syscall(SYS_gettid);
	if (write(report, &tid, sizeof(tid)) != sizeof(tid))
		_exit(126);
	for (i = 1; i < NTHREADS; i++)
		if (pthread_create(&t, NULL, sleeper, &report))
			_exit(126);
	close(report);
	for (;;)
		pause();
}

static void on_signal(struct ssi_deputy *d, int sig, const void *info, void *arg)
{
	(void)d;
	(void)info;
	if (sig == SIGUSR2)
		sig_on[(intptr_t)arg]++;
}

/* Start a forwarded call in @d without waiting; 0 when in flight. */
static int start(struct ssi_deputy *d, struct ssi_fwd_pending *p, long nr,
		 uint64_t a0, uint64_t a1, uint64_t a2)
{
	uint64_t args[6] = { a0, a1, a2 };
	void *rep;
	size_t rlen;
	int err;

	memset(p, 0, sizeof(*p));
	err = ssi_fwd_build(p, nr, args, &ssi_mem_self, NULL);
	if (!err)
		err = ssi_deputy_start(d, p->msg, p->msg_len, &rep, &rlen);
	return err;
}

/* Wait up to @ms for the call in flight in @d; its result, or -ETIMEDOUT. */
static int64_t finish(struct ssi_deputy *d, struct ssi_fwd_pending *p, int ms)
{
	int64_t ret = -ETIMEDOUT;
	void *rep;
	size_t rlen;
	int rc;

	for (; ms > 0; ms -= 10) {
		struct pollfd pfd = { .fd = d->chan, .events = POLLIN };

		if (poll(&pfd, 1, 10) <= 0)
			continue;
		rc = ssi_deputy_event(d, &rep, &rlen);
		if (rc == 1) {
			rc = ssi_fwd_apply(p, rep, rlen, &ret, &ssi_mem_self, NULL);
			free(rep);
			if (rc)
				ret = rc;
			break;
		}
		if (rc < 0 && rc != -EAGAIN) {
			ret = rc;
			break;
		}
	}
	ssi_fwd_pending_free(p);
	return ret;
}

int main(int argc, char **argv)
{
	struct ssi_dump dump;
	struct ssi_become_deputy dep = { 0 };
	struct ssi_deputy_thread th[NTHREADS - 1];
	struct ssi_deputy d[NTHREADS];
	struct ssi_fwd_pending blocked, p;
	int dev, img, out, status, report[2], pfd[2], sv[NTHREADS][2], i, n;
	char buf[64], want[64], text[] = "written by thread 2 of the deputy\n";
	pid_t pid, leader;
	int64_t r;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTFILE\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	out = open(argv[1], O_CREAT | O_TRUNC | O_WRONLY, 0644);
	dev = ssi_dev_open(O_CLOEXEC, NULL);
	if (out < 0 || dev < 0 || pipe(report) || pipe(pfd)) {
		perror("setup (/dev/ssi, SSI_IOC_API, OUTFILE, pipes)");
		return 1;
	}

	pid = fork();
	if (pid == 0) {
		dup2(out, 1);
		dup2(pfd[0], PIPE_FD);
		close(report[0]);
		child(report[1]);
	}
	close(report[1]);
	close(pfd[0]);
	if (read(report[0], &leader, sizeof(leader)) != sizeof(leader) || leader != pid) {
		fprintf(stderr, "the child did not start\n");
		kill(pid, SIGKILL);
		return 1;
	}
	n = lab_read_tids(pid, tids, NTHREADS);
	CHECK(n == NTHREADS, "the child runs %d threads", n);
	usleep(200000);		/* let every thread reach pause() */

	img = memfd_create("image", MFD_CLOEXEC);
	CHECK(lab_freeze(dev, pid, img, SSI_DUMP_THREADS, &dump) == 0,
	      "dump of %d threads: %llu bytes (%s)", n, (unsigned long long)dump.bytes, dump.detail);

	lab_deputy_channels(sv, th, tids, NTHREADS);

	/* Refusals: the list must be exactly the other frozen threads. */
	dep.pid = pid;
	dep.chan_fd = sv[0][1];
	CHECK(ioctl(dev, SSI_IOC_DEPUTY, &dep) == -1 && errno == EINVAL,
	      "no thread list for a frozen process of %d threads is refused", n);
	dep.threads = (uintptr_t)th;
	dep.nr_threads = NTHREADS - 2;
	CHECK(ioctl(dev, SSI_IOC_DEPUTY, &dep) == -1 && errno == EINVAL,
	      "a list missing a thread is refused");
	dep.nr_threads = NTHREADS - 1;
	th[1].tid = tids[2];
	th[2].tid = tids[2];
	CHECK(ioctl(dev, SSI_IOC_DEPUTY, &dep) == -1 && errno == EINVAL,
	      "a list naming a thread twice is refused");
	th[2].tid = pid;
	CHECK(ioctl(dev, SSI_IOC_DEPUTY, &dep) == -1 && errno == EINVAL,
	      "a list naming the leader is refused");
	th[1].tid = tids[2];
	th[2].tid = tids[3];
	th[0].chan_fd = img;
	CHECK(ioctl(dev, SSI_IOC_DEPUTY, &dep) == -1 && errno == ENOTSOCK,
	      "a thread's channel that is not a socket is refused");
	th[0].chan_fd = sv[1][1];
	CHECK(lab_read_tids(pid, tids, NTHREADS) == NTHREADS && kill(pid, 0) == 0,
	      "after the refusals every thread is still there");

	CHECK(ioctl(dev, SSI_IOC_DEPUTY, &dep) == 0, "pid %d became a deputy of %d threads",
	      pid, n);
	for (i = 0; i < NTHREADS; i++) {
		uint64_t area = i ? th[i - 1].area_addr : dep.area_addr;

		r = lab_deputy_attach(&d[i], i, sv, tids, &dep, th);
		d[i].on_signal = on_signal;
		d[i].arg = (void *)(intptr_t)i;
		CHECK(r == 0 && area, "thread %d (tid %d): its stub announced itself, channel at fd %ld, area at 0x%llx",
		      i, tids[i], d[i].stub_chan, (unsigned long long)area);
	}
	CHECK(d[0].stub_chan > d[1].stub_chan && d[1].stub_chan > d[2].stub_chan &&
	      d[2].stub_chan > d[3].stub_chan, "every thread has its own channel fd, highest first");

	for (i = 0; i < NTHREADS; i++) {
		memset(buf, 0, sizeof(buf));
		snprintf(want, sizeof(want), "%d/task/%d", pid, tids[i]);
		r = fwd_self(&d[i], __NR_readlink, (uintptr_t)"/proc/thread-self",
			     (uintptr_t)buf, sizeof(buf) - 1);
		CHECK(r > 0 && !strcmp(buf, want), "a call sent to thread %d runs in it (%s)", i, buf);
	}

	/* One thread blocked at home holds up no other. */
	r = start(&d[1], &blocked, __NR_read, PIPE_FD, (uintptr_t)buf, sizeof(buf));
	CHECK(r == 0, "thread 1: a forwarded read of the empty pipe is in flight");
	r = fwd_self(&d[2], __NR_write, 1, (uintptr_t)text, strlen(text));
	CHECK(r == (int64_t)strlen(text), "thread 2: a forwarded write ran meanwhile");
	r = start(&d[3], &p, __NR_poll, (uintptr_t)&(struct pollfd){ .fd = -1 }, 0, 50);
	CHECK(r == 0 && finish(&d[3], &p, 5000) == 0, "thread 3: a forwarded 50 ms poll ran meanwhile");
	CHECK(d[1].cur.busy, "thread 1 still waits in its read");
	CHECK(write(pfd[1], "ping", 4) == 4 && finish(&d[1], &blocked, 5000) == 4,
	      "data into the pipe ends thread 1's read with 4 bytes");

	/* A signal to one thread comes back on that thread's channel. */
	syscall(SYS_tgkill, pid, tids[2], SIGUSR2);
	for (i = 0; i < 300 && !sig_on[2]; i++) {
		for (int j = 0; j < NTHREADS; j++)
			ssi_deputy_poll(&d[j]);
		usleep(10000);
	}
	for (int j = 0; j < NTHREADS; j++)
		ssi_deputy_poll(&d[j]);
	CHECK(sig_on[2] == 1 && !sig_on[0] && !sig_on[1] && !sig_on[3],
	      "tgkill to thread 2 came back on its channel only (%d %d %d %d)",
	      sig_on[0], sig_on[1], sig_on[2], sig_on[3]);

	/* One thread ends alone; the others go on. */
	CHECK(ssi_deputy_end_thread(&d[3]) == 0, "thread 3 was told to end");
	for (i = 0; i < 200; i++) {
		snprintf(buf, sizeof(buf), "/proc/%d/task/%d", pid, tids[3]);
		if (access(buf, F_OK))
			break;
		usleep(10000);
	}
	CHECK(i < 200, "thread 3 is gone");
	memset(buf, 0, sizeof(buf));
	r = fwd_self(&d[0], __NR_readlink, (uintptr_t)"/proc/thread-self", (uintptr_t)buf,
		     sizeof(buf) - 1);
	CHECK(r > 0, "the leader still serves (%s)", buf);

	ssi_deputy_finish(&d[1], 5 << 8);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 5,
	      "exit_group from thread 1: the parent sees exit status 5 (status 0x%x)", status);
	for (i = 0; i < NTHREADS; i++)
		close(d[i].chan);
	close(dev);
	printf("%d failed\n", failures);
	return failures ? 1 : 0;
}
