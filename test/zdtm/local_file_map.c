// SPDX-License-Identifier: GPL-2.0
/*
 * local_file_map PATH: a private mapping of a file that exists only on
 * the node it starts on (PATH, made here, in node-local /tmp): its
 * untouched pages read the file, its copied-on-write page keeps its own
 * bytes.  No .desc: t-18-mapped-copy.sh restores it elsewhere from a copy
 * of the file that it supplies (ssi-restore -F), which zdtm-run.sh
 * does not do.
 */
#include <sys/mman.h>

#include "zdtm.h"

#define NPAGES 4

static unsigned char pattern(long i)
{
	return (unsigned char)(i * 7 + i / 4093);
}

int main(int argc, char **argv)
{
	long ps = sysconf(_SC_PAGESIZE), i;
	unsigned char *buf, *map;
	int fd;

	if (argc != 2)
		return 2;
	buf = malloc(NPAGES * ps);
	if (!buf)
		return 2;
	for (i = 0; i < NPAGES * ps; i++)
		buf[i] = pattern(i);
	fd = open(argv[1], O_RDWR | O_CREAT | O_EXCL, 0644);
	if (fd < 0 || write(fd, buf, NPAGES * ps) != NPAGES * ps)
		return 2;
	map = mmap(NULL, NPAGES * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return 2;
	close(fd);
	memset(map + ps, 0xa5, ps);	/* page 1 copied on write */
	(void)map[2 * ps];		/* page 2 present, not copied; 0, 3 not */

	zdtm_init();
	zdtm_ready();
	zdtm_wait_pause();

	for (i = 0; i < NPAGES * ps; i++) {
		unsigned char want = i / ps == 1 ? 0xa5 : pattern(i);

		if (map[i] != want) {
			zdtm_say("local_file_map: FAIL byte %ld is %#x, not %#x\n", i,
				 map[i], want);
			return 1;
		}
	}
	zdtm_say("local_file_map: ok\n");
	return 48;
}
