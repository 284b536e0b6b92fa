// SPDX-License-Identifier: GPL-2.0
/*
 * map_local: private mappings of a file that exists only on the home node
 * (made in the working directory, in the node's own /tmp): the remote
 * node has no such file, so its content travels with the process.  Every
 * round, pages never touched read the file, the page written before the
 * move keeps its bytes, a page written after the move keeps those, and a
 * second, read-only mapping of the same file at another offset reads the
 * file too.  The file's last page is partial (zeros past its end).
 */
#include "zs.h"

#include <sys/mman.h>

#define FILE_LEN	(4 * 4096 + 100)

static unsigned char pattern(long i)
{
	return i < FILE_LEN ? (unsigned char)(i * 13 + i / 4099) : 0;
}

/* Every byte of @map (@len bytes from file offset @off) as it must be. */
static void check(const unsigned char *map, long off, long len, int cow1, int cow3,
		  unsigned int round)
{
	long i;

	for (i = 0; i < len; i++) {
		long at = off + i, page = at / 4096;
		unsigned char want = pattern(at);

		if (cow1 && page == 1)
			want = 0xa5;
		else if (cow3 && page == 3)
			want = 0x3c;
		zs_check(map[i] == want, "round %u: byte %ld of the file reads %#x, not %#x",
			 round, at, map[i], want);
	}
}

int main(void)
{
	static unsigned char buf[FILE_LEN];
	unsigned char *rw, *ro;
	unsigned int round;
	long i;
	int fd;

	for (i = 0; i < FILE_LEN; i++)
		buf[i] = pattern(i);
	fd = open("mapped", O_RDWR | O_CREAT | O_TRUNC, 0644);
	zs_check(fd >= 0, "open: %s", strerror(errno));
	zs_write_all(fd, buf, FILE_LEN);
	rw = mmap(NULL, 5 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ro = mmap(NULL, 2 * 4096, PROT_READ, MAP_PRIVATE, fd, 4096);
	zs_check(rw != MAP_FAILED && ro != MAP_FAILED, "mmap: %s", strerror(errno));
	close(fd);
	memset(rw + 4096, 0xa5, 4096);		/* copied on write at home */
	(void)rw[2 * 4096];			/* present, not copied */
	zs_ready(getpid());

	for (round = 1; zs_more(); round++) {
		check(rw, 0, 5 * 4096, 1, round > 1, round);
		check(ro, 4096, 2 * 4096, 0, 0, round);
		memset(rw + 3 * 4096, 0x3c, 4096);	/* from round 2 on: copied */
		usleep(20000);
	}
	zdtm_say("map_local: ok\n");
	return 78;
}
