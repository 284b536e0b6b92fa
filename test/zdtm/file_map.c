// SPDX-License-Identifier: GPL-2.0
/* file_map: private file mappings keep their copied-on-write pages (also read-only ones) and re-read untouched pages from the file. */
#include <sys/mman.h>
#include <sys/stat.h>

#include "zdtm.h"

int main(int argc, char **argv)
{
	long ps = sysconf(_SC_PAGESIZE);
	char *rw, *ro, *file;
	struct stat st;
	int fd, i;

	/* Our own executable: the same file on every node of the lab. */
	fd = open("/proc/self/exe", O_RDONLY);
	if (fd < 0 || fstat(fd, &st) || st.st_size < 4 * ps)
		return 2;
	file = malloc(4 * ps);
	if (!file || pread(fd, file, 4 * ps, 0) != 4 * ps)
		return 2;
	rw = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ro = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (rw == MAP_FAILED || ro == MAP_FAILED)
		return 2;
	close(fd);
	memset(rw + ps, 0xa5, ps);		/* COW page 1, keep 0, 2, 3 */
	memset(ro + 2 * ps, 0x5a, 100);		/* COW page 2, then read-only */
	if (mprotect(ro, 4 * ps, PROT_READ))
		return 2;
	(void)rw[3 * ps];			/* present but not copied */

	zdtm_init();
	zdtm_ready();
	zdtm_wait_pause();

	for (i = 0; i < 4; i++) {
		int cow = i == 1;

		if (cow ? memchr_inv_check(rw + i * ps, 0xa5, ps) :
			  memcmp(rw + i * ps, file + i * ps, ps)) {
			zdtm_say("file_map: FAIL rw page %d\n", i);
			return 1;
		}
	}
	if (memcmp(ro, file, 2 * ps) || memcmp(ro + 3 * ps, file + 3 * ps, ps) ||
	    memchr_inv_check(ro + 2 * ps, 0x5a, 100) ||
	    memcmp(ro + 2 * ps + 100, file + 2 * ps + 100, ps - 100)) {
		zdtm_say("file_map: FAIL ro mapping\n");
		return 1;
	}
	zdtm_say("file_map: ok\n");
	return 47;
}
