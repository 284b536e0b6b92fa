// SPDX-License-Identifier: GPL-2.0
/*
 * ssi-restore - reference restore helper: becomes the process of an image.
 *
 *   ssi-restore [-n] [-u UID:GID] [-F INDEX=PATH]... IMAGE|-
 *
 * What ssid's helper does, in the order it must be done:
 *  1. open /dev/ssi (root) and do the API handshake;
 *  2. read the image header to learn where the image's [vvar]/[vdso] are;
 *  3. drop to the job user (-u), keeping the /dev/ssi fd;
 *  4. mremap its own [vvar] and [vdso] to the image's addresses (the module
 *     cannot move them; restored code holds pointers into the vDSO);
 *  5. block signals; for an image of N threads start N - 1 threads that
 *     wait in SSI_IOC_RESTORE_THREAD;
 *  6. call SSI_IOC_RESTORE, which does not return on success: this process
 *     continues as the image, with this process's pid, credentials and
 *     open fds (stdout, stderr, ...), its threads as the image's threads.
 * What it does not do: POSIX timers, an LDT, its threads' NUMA policies
 * and pages carrying its mappings' (ssid's helper makes them: a module
 * cannot); an image with a mapping's NUMA policy is refused here (reason
 * numa: no carrier), one with a thread's policy unless the threads
 * happen to hold it.
 * -n only verifies (SSI_RESTORE_VERIFY_ONLY): every check, no change.
 * -S SIG sends SIG to itself just before the ioctl (tests: a signal that
 * is pending while the image is restored).  -M leaves the vDSO where it
 * is and does not read the header (tests: the module must refuse).
 * -F INDEX=PATH: PATH (opened here, before -u) stands in for the image's
 * mapped file INDEX (ssi-img's [INDEX]), as ssid's copy of a file that
 * is missing or different here (struct ssi_restore's @file_fds).
 * Exit status 2 means this helper could not prepare (e.g. the header is
 * too broken to say where the vDSO goes); the module was not asked.
 * From a pipe, the header is read here and fed back to the module through
 * a second pipe by a copier process.  This binary is static and non-PIE so
 * that its own few mappings stay out of the way of the image's vDSO.
 * Exit status (when it returns): 0 verified, 1 refused, 2 other error.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "ssi_tool.h"
#include "vdso_move.h"

static int dev_fd;

/* A helper thread: becomes one of the image's threads, or comes back. */
static void *park(void *unused)
{
	struct ssi_restore_thread rt = { 0 };

	if (ioctl(dev_fd, SSI_IOC_RESTORE_THREAD, &rt) < 0 && errno != ECANCELED)
		fprintf(stderr, "ssi-restore: SSI_IOC_RESTORE_THREAD: %s\n",
			strerror(errno));
	return NULL;
}

/* Feed @hdr and then the rest of stdin into a pipe; return its read end. */
static int refeed(const struct ssi_img_header *hdr)
{
	int p[2];
	pid_t pid;

	if (pipe(p) < 0)
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		/* Grandchild copies, so that the restored task has no child. */
		if (fork() != 0)
			_exit(0);
		/*
		 * It outlives us when the image kills or replaces us: it
		 * must hold nothing but stdin and the pipe (an open /dev/ssi
		 * would keep the module loaded for as long as it waits).
		 */
		if (p[1] != 3 && dup2(p[1], 3) != 3)
			_exit(1);
		p[1] = 3;
		close_range(4, ~0U, 0);
		if (write(p[1], hdr, sizeof(*hdr)) == sizeof(*hdr)) {
			char buf[1 << 16];
			ssize_t n;

			while ((n = read(0, buf, sizeof(buf))) > 0)
				if (write(p[1], buf, n) != n)
					break;
		}
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	close(p[1]);
	return p[0];
}

int main(int argc, char **argv)
{
	struct ssi_restore r = { 0 };
	static int32_t file_fds[SSI_IMG_MAX_FILES];
	unsigned int nr_file_fds = 0, idx;
	char *path;
	struct ssi_img_header h;
	struct stat st;
	sigset_t all;
	int c, dev, in, verify = 0, early_sig = 0, no_move = 0;
	unsigned int uid = 0, gid = 0, drop = 0;
	char err[256];

	prog_name = "ssi-restore";
	while ((c = getopt(argc, argv, "nu:S:MF:")) != -1) {
		switch (c) {
		case 'F':
			idx = (unsigned int)strtoul(optarg, &path, 10);
			if (path == optarg || *path++ != '=' || idx >= SSI_IMG_MAX_FILES)
				goto usage;
			while (nr_file_fds <= idx)
				file_fds[nr_file_fds++] = -1;
			file_fds[idx] = open(path, O_RDONLY | O_CLOEXEC);
			if (file_fds[idx] < 0)
				die("%s: %s", path, strerror(errno));
			break;
		case 'n': verify = 1; break;
		case 'M': no_move = 1; break;
		case 'S': early_sig = atoi(optarg); break;
		case 'u':
			if (sscanf(optarg, "%u:%u", &uid, &gid) != 2)
				goto usage;
			drop = 1;
			break;
		default: goto usage;
		}
	}
	if (argc - optind != 1)
		goto usage;

	dev = dev_fd = ssi_open_dev();
	if (!strcmp(argv[optind], "-"))
		in = 0;
	else
		in = open(argv[optind], O_RDONLY);
	if (in < 0)
		die("%s: %s", argv[optind], strerror(errno));
	if (fstat(in, &st) < 0)
		die("fstat: %s", strerror(errno));
	/* The header says where the vDSO must go; nothing else needs it. */
	if (!verify && !no_move) {
		if (S_ISREG(st.st_mode)) {
			if (pread(in, &h, sizeof(h), lseek(in, 0, SEEK_CUR)) != sizeof(h))
				die("cannot read the image header");
		} else {
			if (read(in, &h, sizeof(h)) != sizeof(h))
				die("cannot read the image header");
			in = refeed(&h);
			if (dup2(open("/dev/null", O_RDONLY), 0) < 0)
				die("dup2: %s", strerror(errno));
		}
		if (h.magic != SSI_IMG_MAGIC)
			die("not an image");
	}

	if (drop && (setgroups(0, NULL) || setgid(gid) || setuid(uid)))
		die("dropping to %u:%u: %s", uid, gid, strerror(errno));
	/* setuid() made the mm non-dumpable; the job's process was not. */
	if (drop && prctl(PR_SET_DUMPABLE, 1))
		die("PR_SET_DUMPABLE: %s", strerror(errno));
	if (!verify && !no_move && ssi_vdso_move(&h, err, sizeof(err)))
		die("%s", err);

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	/* The threads inherit the blocked mask. */
	for (c = 1; !verify && !no_move && c < (int)h.nr_threads; c++) {
		pthread_t t;
		pthread_attr_t a;

		pthread_attr_init(&a);
		pthread_attr_setstacksize(&a, 64 << 10);
		if (pthread_create(&t, &a, park, NULL))
			die("pthread_create: %s", strerror(errno));
	}
	if (early_sig)
		kill(getpid(), early_sig);
	if (!verify) {
		/* for the restore to set to the image's (uapi/ssi.h) */
		struct itimerval p = { .it_value = { .tv_sec = SSI_ITIMER_PARK_SEC } };

		if (setitimer(ITIMER_VIRTUAL, &p, NULL) || setitimer(ITIMER_PROF, &p, NULL))
			die("parking the CPU-time itimers: %s", strerror(errno));
	}
	r.in_fd = in;
	r.flags = verify ? SSI_RESTORE_VERIFY_ONLY : 0;
	r.file_fds = (uintptr_t)file_fds;
	r.nr_file_fds = nr_file_fds;
	if (ioctl(dev, SSI_IOC_RESTORE, &r) < 0) {
		fprintf(stderr, "ssi-restore: refused: %s (%s in %s at %llu: %s)\n",
			strerror(errno), ssi_reason_name(r.reason),
			ssi_section_name(r.section), (unsigned long long)r.offset,
			r.detail);
		return 1;
	}
	if (!verify)
		die("SSI_IOC_RESTORE returned without restoring");
	fprintf(stderr, "ssi-restore: image verified\n");
	return 0;
usage:
	fprintf(stderr, "usage: ssi-restore [-n] [-u UID:GID] [-S SIG] [-M] [-F INDEX=PATH]... IMAGE|-\n");
	return 2;
}
