// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ssi-return-threads - on a lab node: a process of five threads comes back
 * into its deputy of five threads through ssi.ko (SSI_IOC_RETURN), without
 * ssid.
 *
 *   ssi-return-threads PROG OUTFILE
 *
 * Runs PROG (test/zdtm/threads: one thread spinning with live vector
 * registers, one in a futex wait, one in nanosleep, one in sigtimedwait)
 * with stdout OUTFILE and, once it is ready:
 *  - dumps it with SSI_DUMP_THREADS into a memfd (its image, as a remote
 *    node would send it back) and turns every thread into a thread of its
 *    deputy; each serves a forwarded call;
 *  - freezes the deputy (SSI_DUMP_FREEZE_ONLY | SSI_DUMP_THREADS) and
 *    checks the refusals: no thread list, a thread named twice, an image
 *    that is not one; the deputy stays frozen and intact and, resumed,
 *    every thread serves calls again;
 *  - freezes it again and returns the image into it, each image thread
 *    into the deputy thread that was it: every stub's channel closes, and
 *    the process, sent SIGUSR1, checks its threads' TLS, names, masks,
 *    futex wakeups and joins at home and exits 48.
 * Prints one line per check; exits 0 only if all passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kmod/tools/ssi_dev_open.h"
#include "lab_tool.h"

#define NTHREADS	5

/* Every thread of the deputy runs a forwarded call in itself. */
static int all_serve(struct ssi_deputy *d, const pid_t *tids, pid_t pid)
{
	char buf[64], want[64];
	int i, ok = 0;

	for (i = 0; i < NTHREADS; i++) {
		memset(buf, 0, sizeof(buf));
		snprintf(want, sizeof(want), "%d/task/%d", pid, tids[i]);
		if (fwd_self(&d[i], __NR_readlink, (uintptr_t)"/proc/thread-self",
			     (uintptr_t)buf, sizeof(buf) - 1) > 0 && !strcmp(buf, want))
			ok++;
	}
	return ok;
}

int main(int argc, char **argv)
{
	struct ssi_become_deputy dep = { 0 };
	struct ssi_deputy_thread dt[NTHREADS - 1];
	struct ssi_return_thread rt[NTHREADS - 1];
	struct ssi_return ret = { 0 };
	struct ssi_resume res = { 0 };
	struct ssi_dump dump;
	struct ssi_deputy d[NTHREADS];
	int dev, img, junk, out, status, sv[NTHREADS][2], i, n;
	char ready[64], path[64];
	pid_t pid, tids[NTHREADS];

	if (argc != 3) {
		fprintf(stderr, "usage: %s PROG OUTFILE\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	out = open(argv[2], O_CREAT | O_TRUNC | O_WRONLY, 0644);
	dev = ssi_dev_open(O_CLOEXEC, NULL);
	snprintf(ready, sizeof(ready), "/tmp/ssi-return-threads.%d", (int)getpid());
	if (out < 0 || dev < 0) {
		perror("setup (/dev/ssi, OUTFILE)");
		return 1;
	}

	pid = fork();
	if (pid == 0) {
		dup2(out, 1);
		dup2(out, 2);
		setenv("ZDTM_READY", ready, 1);
		execl(argv[1], argv[1], (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 300 && access(ready, F_OK); i++)
		usleep(100000);
	unlink(ready);
	n = lab_read_tids(pid, tids, NTHREADS);
	CHECK(n == NTHREADS, "the program is ready with %d threads", n);
	usleep(300000);		/* into their futex wait, nanosleep, sigtimedwait */

	img = memfd_create("image", MFD_CLOEXEC);
	CHECK(lab_freeze(dev, pid, img, SSI_DUMP_THREADS, &dump) == 0, "dumped with its %d threads",
	      n);
	lab_deputy_channels(sv, dt, tids, NTHREADS);
	dep.pid = pid;
	dep.chan_fd = sv[0][1];
	dep.threads = (uintptr_t)dt;
	dep.nr_threads = NTHREADS - 1;
	CHECK(ioctl(dev, SSI_IOC_DEPUTY, &dep) == 0, "pid %d became a deputy of %d threads",
	      pid, n);
	for (i = 0; i < NTHREADS; i++)
		lab_deputy_attach(&d[i], i, sv, tids, &dep, dt);
	CHECK(all_serve(d, tids, pid) == NTHREADS, "every thread of the deputy serves its calls");

	/* Refusals leave the deputy frozen and intact. */
	CHECK(lab_freeze(dev, pid, -1, SSI_DUMP_FREEZE_ONLY | SSI_DUMP_THREADS, &dump) == 0,
	      "the deputy froze with its threads");
	for (i = 1; i < NTHREADS; i++)
		rt[i - 1] = (struct ssi_return_thread){ .tid = tids[i],
							.close_fd = (int)d[i].stub_chan };
	ret.pid = pid;
	ret.in_fd = img;
	ret.close_fd = (int)d[0].stub_chan;
	CHECK(ioctl(dev, SSI_IOC_RETURN, &ret) == -1 && errno == EINVAL,
	      "a return without its thread list is refused");
	ret.threads = (uintptr_t)rt;
	ret.nr_threads = NTHREADS - 1;
	rt[3].tid = tids[1];
	CHECK(ioctl(dev, SSI_IOC_RETURN, &ret) == -1 && errno == EINVAL,
	      "a list naming a thread twice is refused");
	rt[3].tid = tids[4];
	junk = memfd_create("junk", MFD_CLOEXEC);
	if (ftruncate(junk, 65536))
		perror("ftruncate");
	ret.in_fd = junk;
	CHECK(ioctl(dev, SSI_IOC_RETURN, &ret) == -1, "an image that is not one is refused: %s",
	      ret.detail);
	res.pid = pid;
	CHECK(ioctl(dev, SSI_IOC_RESUME, &res) == 0, "the refused deputy resumes");
	CHECK(all_serve(d, tids, pid) == NTHREADS, "and every thread serves calls again");

	CHECK(lab_freeze(dev, pid, -1, SSI_DUMP_FREEZE_ONLY | SSI_DUMP_THREADS, &dump) == 0,
	      "the deputy froze again");
	ret.in_fd = img;
	lseek(img, 0, SEEK_SET);
	memset(ret.detail, 0, sizeof(ret.detail));
	CHECK(ioctl(dev, SSI_IOC_RETURN, &ret) == 0, "the image of %d threads returned into the deputy (%s)",
	      n, ret.detail);
	for (i = 0; i < 100 && lab_read_tids(pid, tids, NTHREADS) != NTHREADS; i++)
		usleep(10000);
	CHECK(lab_read_tids(pid, tids, NTHREADS) == NTHREADS, "the process has its %d threads",
	      NTHREADS);
	for (i = 0, n = 0; i < NTHREADS; i++) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%ld", pid, d[i].stub_chan);
		n += access(path, F_OK) != 0;
	}
	CHECK(n == NTHREADS, "every stub's channel was closed in the process (%d of %d)", n,
	      NTHREADS);

	usleep(300000);
	kill(pid, SIGUSR1);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 48,
	      "the process finished at home with exit status 48 (status 0x%x)", status);
	for (i = 0; i < NTHREADS; i++)
		close(d[i].chan);
	close(dev);
	printf("%d failed\n", failures);
	return failures ? 1 : 0;
}
