// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ssi-return-check - on a lab node: a process comes back into its deputy
 * through ssi.ko (SSI_IOC_RETURN), without ssid.
 *
 *   ssi-return-check PROG DIR
 *
 * Runs "PROG 8 DIR/go DIR/out 5" (ssi-migrate-prog) with stdin DIR/stdin
 * and stdout DIR/stdout, and once it printed its pid:
 *  - dumps it into a memfd (its image, as a remote node would send back)
 *    and turns it into a deputy, which serves a forwarded getcwd;
 *  - checks the refusals: SSI_IOC_RETURN on a deputy that is not frozen,
 *    a freeze-only dump with an out_fd, an image that is not one (the
 *    deputy stays frozen and, resumed, serves calls again);
 *  - with SSI_TEST_MAP=FILE (which the process maps: ssi-migrate-prog),
 *    kills the caller of SSI_IOC_RETURN while the deputy hashes FILE
 *    (the image's mapped file, checked before the point of no return):
 *    the caller dies at once, the hash stops, the deputy stays frozen
 *    and intact (resumed, it serves calls again);
 *  - freezes the deputy (SSI_DUMP_FREEZE_ONLY) and returns the image into
 *    it: the stub's channel closes, and the process, created go, finishes
 *    at home with exit status 5 (its output is compared by the test with
 *    an unmigrated run).
 * Prints one line per check; exits 0 only if all passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kmod/uapi/ssi.h"
#include "ssid/forward/deputy_driver.h"
#include "lab_tool.h"

static void wait_printed(const char *path)
{
	char buf[256];
	int i, fd;
	ssize_t n;

	for (i = 0; i < 300; i++) {
		fd = open(path, O_RDONLY);
		n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = 0;
			if (strstr(buf, "pid before="))
				return;
		}
		usleep(100000);
	}
}

/* What @pid has read (rchar of /proc/PID/io), -1 if unknown. */
static long long read_bytes(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/io", (int)pid);
	fd = open(path, O_RDONLY);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strstr(buf, "rchar: ");
	return p ? strtoll(p + 7, NULL, 10) : -1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * SSI_IOC_RETURN of frozen deputy @pid from a child that is killed once
 * the deputy has read @after bytes more (it hashes the image's files
 * before its point of no return): the child must die at once (ssid
 * killed or stopped while a process comes home), the deputy stop reading
 * long before it read all of @file, and stay frozen and intact.
 */
static void killed_return(int dev, pid_t pid, int img, long stub_chan, const char *file,
			  struct ssi_deputy *d)
{
	struct ssi_return ret = { .pid = pid, .in_fd = img, .close_fd = (int)stub_chan };
	long long before, now, t0, waited, after = 4 << 20;
	struct ssi_dump dump;
	char cwd[256];
	struct stat st;
	pid_t caller;
	int i, status;

	CHECK(stat(file, &st) == 0 && st.st_size > 4 * after, "%s: %lld bytes", file,
	      (long long)st.st_size);
	CHECK(lab_freeze(dev, pid, -1, SSI_DUMP_FREEZE_ONLY, &dump) == 0,
	      "the deputy froze for a return whose caller is killed");
	lseek(img, 0, SEEK_SET);
	before = read_bytes(pid);
	caller = fork();
	if (caller == 0)
		_exit(ioctl(dev, SSI_IOC_RETURN, &ret) ? 1 : 0);
	for (i = 0; i < 60000 && (now = read_bytes(pid)) >= 0 && now - before < after; i++)
		usleep(1000);
	now = read_bytes(pid);
	CHECK(now - before >= after, "the deputy hashes %s (read %lld bytes)", file, now - before);
	t0 = now_ms();
	kill(caller, SIGKILL);
	CHECK(waitpid(caller, &status, 0) == caller && WIFSIGNALED(status),
	      "the caller of SSI_IOC_RETURN was killed (status 0x%x)", status);
	waited = now_ms() - t0;
	CHECK(waited < 2000, "it died %lld ms after SIGKILL", waited);
	now = read_bytes(pid);
	usleep(200000);
	CHECK(read_bytes(pid) == now && now - before < st.st_size,
	      "the deputy stopped hashing (read %lld of the file's %lld bytes)", now - before,
	      (long long)st.st_size);
	CHECK(ioctl(dev, SSI_IOC_RESUME, &(struct ssi_resume){ .pid = pid }) == 0,
	      "the deputy, still frozen, resumes");
	memset(cwd, 0, sizeof(cwd));
	CHECK(fwd_self(d, __NR_getcwd, (uintptr_t)cwd, sizeof(cwd), 0) > 0,
	      "and serves calls again (%s)", cwd);
}

int main(int argc, char **argv)
{
	struct ssi_api api = { .api = SSI_API_VERSION };
	struct ssi_dump dump;
	struct ssi_become_deputy dep = { 0 };
	struct ssi_return ret = { 0 };
	struct ssi_deputy d = { 0 };
	char path[4096], cwd[256], c;
	int dev, img, junk, sv[2], status, in, out;
	pid_t pid;

	if (argc != 3) {
		fprintf(stderr, "usage: %s PROG DIR\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	dev = open("/dev/ssi", O_RDWR);
	if (dev < 0 || ioctl(dev, SSI_IOC_API, &api)) {
		perror("/dev/ssi, SSI_IOC_API");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/stdin", argv[2]);
	in = open(path, O_RDONLY);
	snprintf(path, sizeof(path), "%s/stdout", argv[2]);
	out = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (in < 0 || out < 0 || chdir(argv[2])) {
		perror(argv[2]);
		return 1;
	}

	pid = fork();
	if (pid == 0) {
		dup2(in, 0);
		dup2(out, 1);
		execl(argv[1], argv[1], "8", "go", "out", "5", (char *)NULL);
		_exit(127);
	}
	wait_printed(path);

	img = memfd_create("image", MFD_CLOEXEC);
	CHECK(lab_freeze(dev, pid, img, 0, &dump) == 0, "dump: %llu bytes (%s)",
	      (unsigned long long)dump.bytes, dump.detail);
	socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
	dep.pid = pid;
	dep.chan_fd = sv[1];
	CHECK(ioctl(dev, SSI_IOC_DEPUTY, &dep) == 0, "pid %d became a deputy", pid);
	close(sv[1]);
	CHECK(ssi_deputy_attach(&d, pid, sv[0], dep.area_addr, SSI_DEPUTY_AREA_DEFAULT,
				5000) == 0, "the stub announced itself (channel at fd %ld)",
	      d.stub_chan);
	memset(cwd, 0, sizeof(cwd));
	CHECK(fwd_self(&d, __NR_getcwd, (uintptr_t)cwd, sizeof(cwd), 0) > 0 && !strcmp(cwd, argv[2]),
	      "the deputy serves a forwarded getcwd (%s)", cwd);

	/* Refusals. */
	lseek(img, 0, SEEK_SET);
	ret.pid = pid;
	ret.in_fd = img;
	ret.close_fd = (int)d.stub_chan;
	CHECK(ioctl(dev, SSI_IOC_RETURN, &ret) == -1 && errno == ESRCH,
	      "a deputy this file has not frozen is refused");
	CHECK(lab_freeze(dev, pid, img, SSI_DUMP_FREEZE_ONLY, &dump) == -1 && errno == EINVAL,
	      "a freeze-only dump with an out_fd is refused");
	CHECK(lab_freeze(dev, pid, -1, SSI_DUMP_FREEZE_ONLY, &dump) == 0 && dump.bytes == 0,
	      "the deputy froze, nothing written");
	junk = memfd_create("junk", MFD_CLOEXEC);
	if (ftruncate(junk, 8192))
		perror("ftruncate");
	ret.in_fd = junk;
	CHECK(ioctl(dev, SSI_IOC_RETURN, &ret) == -1 && errno == EINVAL &&
	      ret.reason == SSI_R_MAGIC, "an image that is not one is refused: %s", ret.detail);
	ret.in_fd = img;
	ret.close_fd = -2;
	CHECK(ioctl(dev, SSI_IOC_RETURN, &ret) == -1 && errno == EINVAL,
	      "a bad channel fd is refused");
	CHECK(ioctl(dev, SSI_IOC_RESUME, &(struct ssi_resume){ .pid = pid }) == 0,
	      "the refused deputy resumes");
	memset(cwd, 0, sizeof(cwd));
	CHECK(fwd_self(&d, __NR_getcwd, (uintptr_t)cwd, sizeof(cwd), 0) > 0 && !strcmp(cwd, argv[2]),
	      "and serves calls again (%s)", cwd);

	if (getenv("SSI_TEST_MAP"))
		killed_return(dev, pid, img, d.stub_chan, getenv("SSI_TEST_MAP"), &d);

	/* The real thing. */
	CHECK(lab_freeze(dev, pid, -1, SSI_DUMP_FREEZE_ONLY, &dump) == 0, "the deputy froze again");
	memset(&ret, 0, sizeof(ret));
	ret.pid = pid;
	ret.in_fd = img;
	ret.close_fd = (int)d.stub_chan;
	CHECK(ioctl(dev, SSI_IOC_RETURN, &ret) == 0, "the image returned into the deputy (%s)",
	      ret.detail);
	CHECK(read(d.chan, &c, 1) == 0, "the stub's channel was closed in the process");
	if (close(open("go", O_CREAT | O_WRONLY, 0644)))
		perror("go");
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 5,
	      "the process finished at home with exit status 5 (status 0x%x)", status);
	close(d.chan);
	close(dev);
	printf("%d failed\n", failures);
	return failures ? 1 : 0;
}
