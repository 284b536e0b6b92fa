// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ssi-deputy-check - on a lab node: a live process becomes a deputy
 * through ssi.ko, and ssid's deputy code drives it.
 *
 *   ssi-deputy-check OUTFILE
 *
 * Starts /bin/sleep (dynamically linked, caught inside nanosleep) with its
 * stdout on OUTFILE, dumps it with SSI_IOC_DUMP, turns it into a deputy
 * with SSI_IOC_DEPUTY and then, as ssid would for its remote self:
 *  - forwards write(1, ...) and getcwd(): they run in the deputy's context
 *    (OUTFILE gets the text; the cwd is the one the process had);
 *  - sends the deputy a signal: it comes back on the channel with its
 *    siginfo;
 *  - ends it with exit status 7: its parent (this program) sees exactly 7.
 * Also: SSI_IOC_DEPUTY refuses bad arguments and leaves the task frozen.
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

#include "kmod/uapi/ssi.h"
#include "ssid/forward/deputy_driver.h"
#include "lab_tool.h"

static int got_sig;
static int32_t got_value;

static void on_signal(struct ssi_deputy *d, int sig, const void *info, void *arg)
{
	got_sig = sig;
	got_value = ((const siginfo_t *)info)->si_value.sival_int;
}

int main(int argc, char **argv)
{
	struct ssi_api api = { .api = SSI_API_VERSION };
	struct ssi_dump dump;
	struct ssi_become_deputy dep = { 0 };
	struct ssi_deputy d = { 0 };
	union sigval v = { .sival_int = 4711 };
	char cwd[256], text[] = "written by the deputy\n";
	int dev, img, sv[2], out, status;
	pid_t pid;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTFILE\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	out = open(argv[1], O_CREAT | O_TRUNC | O_WRONLY, 0644);
	dev = open("/dev/ssi", O_RDWR);
	if (out < 0 || dev < 0 || ioctl(dev, SSI_IOC_API, &api)) {
		perror("setup (/dev/ssi, SSI_IOC_API, OUTFILE)");
		return 1;
	}

	pid = fork();
	if (pid == 0) {
		dup2(out, 1);
		if (chdir("/var"))
			_exit(126);
		execl("/bin/sleep", "sleep", "600", (char *)NULL);
		_exit(127);
	}
	usleep(300000);		/* let it reach nanosleep */

	img = memfd_create("image", MFD_CLOEXEC);
	CHECK(lab_freeze(dev, pid, img, 0, &dump) == 0, "dump: %llu bytes, %llu pages, %llu vmas (%s)",
	      (unsigned long long)dump.bytes, (unsigned long long)dump.pages,
	      (unsigned long long)dump.vmas, dump.detail);

	/* Refusals leave the task frozen and intact. */
	socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
	dep.pid = pid;
	dep.chan_fd = img;
	CHECK(ioctl(dev, SSI_IOC_DEPUTY, &dep) == -1 && errno == ENOTSOCK,
	      "a channel that is not a socket is refused");
	dep.chan_fd = sv[1];
	dep.area_len = 4097;
	CHECK(ioctl(dev, SSI_IOC_DEPUTY, &dep) == -1 && errno == EINVAL,
	      "an area that is not a page multiple is refused");
	dep.area_len = 0;
	dep.pid = 1;
	CHECK(ioctl(dev, SSI_IOC_DEPUTY, &dep) == -1 && errno == ESRCH,
	      "a task this file did not freeze is refused");

	dep.pid = pid;
	CHECK(ioctl(dev, SSI_IOC_DEPUTY, &dep) == 0, "pid %d became a deputy, area at 0x%llx",
	      pid, (unsigned long long)dep.area_addr);
	close(sv[1]);
	CHECK(ssi_deputy_attach(&d, pid, sv[0], dep.area_addr, SSI_DEPUTY_AREA_DEFAULT, 5000) == 0,
	      "the stub announced itself (channel at fd %ld)", d.stub_chan);
	d.on_signal = on_signal;

	CHECK(fwd_self(&d, __NR_write, 1, (uintptr_t)text, strlen(text)) == (int64_t)strlen(text),
	      "a forwarded write ran on the deputy's stdout");
	memset(cwd, 0, sizeof(cwd));
	CHECK(fwd_self(&d, __NR_getcwd, (uintptr_t)cwd, sizeof(cwd), 0) > 0 && !strcmp(cwd, "/var"),
	      "a forwarded getcwd sees the deputy's cwd (%s)", cwd);
	CHECK(fwd_self(&d, __NR_read, 9999, (uintptr_t)cwd, 1) == -EBADF,
	      "a bad fd gives EBADF from the deputy");

	sigqueue(pid, SIGUSR1, v);
	for (int i = 0; i < 200 && !got_sig; i++) {
		ssi_deputy_poll(&d);
		usleep(10000);
	}
	CHECK(got_sig == SIGUSR1 && got_value == 4711,
	      "a signal sent to the home pid came back with its siginfo");

	ssi_deputy_finish(&d, 7 << 8);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 7,
	      "the parent sees the remote's exit status 7 (status 0x%x)", status);
	close(d.chan);
	close(dev);
	printf("%d failed\n", failures);
	return failures ? 1 : 0;
}
