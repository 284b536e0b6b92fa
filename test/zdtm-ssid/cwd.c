// SPDX-License-Identifier: GPL-2.0
/*
 * cwd: the working directory is the home task's, so after the move
 * chdir, fchdir, getcwd and relative paths still act at home: each round
 * goes down d1/d2/d3 and back, through an fd of d1 and the absolute
 * start, renames d1 while inside it (getcwd follows the new name) and
 * reads a file created relative to d3 before the move.
 */
#include "zs.h"

#include <limits.h>
#include <sys/stat.h>

static char start[PATH_MAX];

/* getcwd() must be the start directory followed by @rel. */
static void cwd_is(const char *rel, unsigned round)
{
	char cwd[PATH_MAX], want[PATH_MAX + 16];

	snprintf(want, sizeof(want), "%s%s", start, rel);
	zs_check(getcwd(cwd, sizeof(cwd)), "round %u: getcwd: %s", round, strerror(errno));
	zs_check(!strcmp(cwd, want), "round %u: getcwd is .%s, expected .%s", round,
		 cwd + (strncmp(cwd, start, strlen(start)) ? 0 : strlen(start)), rel);
}

int main(void)
{
	char buf[32];
	unsigned round;
	int d1, fd;

	zs_check(getcwd(start, sizeof(start)), "getcwd: %s", strerror(errno));
	if (mkdir("d1", 0755) || mkdir("d1/d2", 0755) || mkdir("d1/d2/d3", 0755))
		zs_fail("mkdir: %s", strerror(errno));
	d1 = open("d1", O_RDONLY | O_DIRECTORY);
	fd = open("d1/d2/d3/note", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	zs_check(d1 >= 0 && fd >= 0, "open: %s", strerror(errno));
	zs_write_all(fd, "written at home", 15);
	close(fd);
	zs_ready(getpid());

	for (round = 1; zs_more(); round++) {
		zs_check(!chdir("d1/d2/d3"), "round %u: chdir d1/d2/d3: %s", round, strerror(errno));
		cwd_is("/d1/d2/d3", round);
		fd = open("note", O_RDONLY);
		zs_check(fd >= 0 && zs_read_all(fd, buf, 15) && !memcmp(buf, "written at home", 15),
			 "round %u: note read relative to d3", round);
		close(fd);
		zs_check(!chdir("../.."), "round %u: chdir ../..: %s", round, strerror(errno));
		cwd_is("/d1", round);
		zs_check(!chdir("d2") && !rename("../../d1", "../../e1"), "round %u: rename: %s",
			 round, strerror(errno));
		cwd_is("/e1/d2", round);
		zs_check(!rename("../../e1", "../../d1"), "round %u: rename back: %s", round,
			 strerror(errno));
		zs_check(!chdir(start), "round %u: chdir start: %s", round, strerror(errno));
		cwd_is("", round);
		zs_check(!fchdir(d1), "round %u: fchdir: %s", round, strerror(errno));
		cwd_is("/d1", round);
		zs_check(!chdir(".."), "round %u: chdir ..: %s", round, strerror(errno));
		cwd_is("", round);
	}
	zdtm_say("cwd: ok, chdir, fchdir, rename and relative paths at home\n");
	return 67;
}
