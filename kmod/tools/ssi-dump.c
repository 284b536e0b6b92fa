// SPDX-License-Identifier: GPL-2.0
/*
 * ssi-dump - drive SSI_IOC_DUMP (tests and manual use; ssid does this in
 * production).
 *
 *   ssi-dump [-t MS] [-T] [-k|-w] PID FILE|-
 *
 * Dumps PID into FILE (or stdout), prints statistics to stderr, then:
 *   default  resumes PID (it goes on at home as if nothing happened)
 *   -k       SIGKILLs PID (it was "moved": no deputy yet)
 *   -w       keeps PID frozen until a line or EOF arrives on stdin, then
 *            resumes it (closing /dev/ssi resumes it in any case)
 *   -t MS    give up if PID does not reach a safe point within MS ms
 *   -T       dump a multi-threaded process too (SSI_DUMP_THREADS)
 * Exit status: 0 dumped, 1 refused (reason printed), 2 usage error.
 */
#include <signal.h>
#include <time.h>

#include "ssi_tool.h"

int main(int argc, char **argv)
{
	struct ssi_dump d = { 0 };
	int c, fd, out, mode = 0;
	struct timespec t0, t1;

	prog_name = "ssi-dump";
	while ((c = getopt(argc, argv, "t:Tkw")) != -1) {
		switch (c) {
		case 't': d.timeout_ms = atoi(optarg); break;
		case 'T': d.flags |= SSI_DUMP_THREADS; break;
		case 'k': mode = 'k'; break;
		case 'w': mode = 'w'; break;
		default: goto usage;
		}
	}
	if (argc - optind != 2)
		goto usage;
	d.pid = atoi(argv[optind]);
	if (!strcmp(argv[optind + 1], "-"))
		out = 1;
	else
		out = open(argv[optind + 1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (out < 0)
		die("%s: %s", argv[optind + 1], strerror(errno));
	d.out_fd = out;

	fd = ssi_open_dev();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (ioctl(fd, SSI_IOC_DUMP, &d) < 0) {
		fprintf(stderr, "ssi-dump: pid %d: %s (%s: %s)\n", d.pid,
			strerror(errno), ssi_reason_name(d.reason), d.detail);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "ssi-dump: pid %d: %llu bytes, %llu pages, %llu vmas, "
		"frozen %.3f ms, ioctl %.3f ms\n", d.pid,
		(unsigned long long)d.bytes, (unsigned long long)d.pages,
		(unsigned long long)d.vmas, d.frozen_ns / 1e6,
		(t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	if (out != 1 && close(out) < 0)
		die("close: %s", strerror(errno));

	if (mode == 'k') {
		if (kill(d.pid, SIGKILL) < 0)
			die("kill %d: %s", d.pid, strerror(errno));
	} else if (mode == 'w') {
		char line[64];

		if (!fgets(line, sizeof(line), stdin))
			line[0] = 0;
	}
	if (mode != 'k') {
		struct ssi_resume r = { .pid = d.pid };

		if (ioctl(fd, SSI_IOC_RESUME, &r) < 0)
			die("SSI_IOC_RESUME %d: %s", d.pid, strerror(errno));
	}
	return 0;
usage:
	fprintf(stderr, "usage: ssi-dump [-t MS] [-T] [-k|-w] PID FILE|-\n");
	return 2;
}
