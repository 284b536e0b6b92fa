// SPDX-License-Identifier: GPL-2.0
/*
 * o_append: the migrated process (the parent) and its child, which stays
 * home, append 32-byte records to one file at the same time: the parent
 * through two O_APPEND descriptions, after an lseek to 0 and with pwrite
 * at offset 0 (which Linux appends too), the child through its own.  In
 * the end every record is whole, none is lost or overwritten, and each
 * writer's records are in order.
 */
#include "zs.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#define REC 32

static void record(char *r, char who, unsigned seq)
{
	snprintf(r, REC + 1, "%c %08u ....................\n", who, seq % 100000000u);
}

/* A millisecond between records: the file stays small however long. */
static void pace(void)
{
	struct timespec ms = { 0, 1000000 };

	nanosleep(&ms, NULL);
}

/* The child: append until the stop file, then tell the parent how many. */
static int child(int out)
{
	int fd = open("log", O_WRONLY | O_APPEND);
	char r[REC + 1];
	unsigned n;

	zs_check(fd >= 0, "child: open: %s", strerror(errno));
	for (n = 0; zs_more(); n++) {
		record(r, 'C', n);
		zs_write_all(fd, r, REC);
		pace();
	}
	zs_write_all(out, &n, sizeof(n));
	return 0;
}

int main(void)
{
	unsigned n, cn, next[2] = { 0, 0 };
	int a, b, p[2], st;
	char r[REC + 1];
	char *buf, *rec;
	struct stat sb;
	pid_t pid;
	ssize_t w;

	a = open("log", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	b = open("log", O_WRONLY | O_APPEND);
	zs_check(a >= 0 && b >= 0 && !pipe(p), "open: %s", strerror(errno));
	pid = fork();
	zs_check(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		close(p[0]);
		return child(p[1]);
	}
	close(p[1]);
	zs_ready(getpid());

	for (n = 0; zs_more(); n++) {
		record(r, 'P', n);
		switch (n % 3) {
		case 0:
			zs_write_all(a, r, REC);
			break;
		case 1:
			zs_check(lseek(b, 0, SEEK_SET) == 0, "lseek: %s", strerror(errno));
			zs_write_all(b, r, REC);
			break;
		case 2:
			w = pwrite(a, r, REC, 0);
			zs_check(w == REC, "pwrite: %zd (%s)", w, strerror(errno));
			break;
		}
		pace();
	}
	zs_check(zs_read_all(p[0], &cn, sizeof(cn)), "the child did not say how many it wrote");
	zs_check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st),
		 "child status %#x", st);
	close(a);
	/* In one read: a forwarded read per record would take minutes. */
	a = open("log", O_RDONLY);
	zs_check(a >= 0 && !fstat(a, &sb) && sb.st_size % REC == 0, "log: %s, size %lld",
		 strerror(errno), (long long)sb.st_size);
	buf = malloc(sb.st_size + 1);
	zs_check(buf && zs_read_all(a, buf, sb.st_size) == (size_t)sb.st_size, "log: read");
	for (rec = buf; rec < buf + sb.st_size; rec += REC) {
		int who = rec[0] == 'C';

		record(r, rec[0], next[who]);
		zs_check(!memcmp(rec, r, REC), "record %.*s, expected %.*s", REC - 1, rec, REC - 1, r);
		next[who]++;
	}
	zs_check(next[0] == n && next[1] == cn, "%u of %u parent and %u of %u child records",
		 next[0], n, next[1], cn);
	zdtm_say("o_append: ok, every record of both writers whole and in order\n");
	return 70;
}
