// SPDX-License-Identifier: GPL-2.0
/* mem_pattern: N MiB of anonymous memory, heap, bss and stack keep their contents across a migration. */
#include <stdint.h>
#include <sys/mman.h>

#include "zdtm.h"

static uint64_t bss[4096];			/* .bss */
static uint64_t data[512] = { 1 };		/* .data */

static uint64_t pat(uint64_t i, uint64_t seed)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ULL ^ seed;

	x ^= x >> 29;
	return x * 0xbf58476d1ce4e5b9ULL;
}

static uint64_t fill(uint64_t *p, size_t n, uint64_t seed)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += p[i] = pat(i, seed);
	return sum;
}

static long check(const uint64_t *p, size_t n, uint64_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != pat(i, seed))
			return (long)i;
	return -1;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 16;
	size_t words = mib << 17, hwords = 3000;
	uint64_t stack[1024], sum = 0, *big, *heap;
	char *sparse;
	long bad;

	zdtm_init();
	big = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* Touched only every 64th page: the image must skip the rest. */
	sparse = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	heap = malloc(hwords * sizeof(*heap));	/* small: from brk */
	if (big == MAP_FAILED || sparse == MAP_FAILED || !heap)
		return 2;
	sum += fill(big, words, 1);
	sum += fill(bss, 4096, 2);
	sum += fill(data, 512, 3);
	sum += fill(stack, 1024, 4);
	sum += fill(heap, hwords, 5);
	for (size_t off = 0; off < (64 << 20); off += 64 << 12)
		sparse[off] = (char)(off >> 18);

	zdtm_ready();
	zdtm_wait_pause();

	if ((bad = check(big, words, 1)) >= 0 || (bad = check(bss, 4096, 2)) >= 0 ||
	    (bad = check(data, 512, 3)) >= 0 || (bad = check(stack, 1024, 4)) >= 0 ||
	    (bad = check(heap, hwords, 5)) >= 0) {
		zdtm_say("mem_pattern: FAIL at word %ld\n", bad);
		return 1;
	}
	for (size_t off = 0; off < (64 << 20); off += 4096)
		if (sparse[off] != ((off % (64 << 12)) ? 0 : (char)(off >> 18))) {
			zdtm_say("mem_pattern: FAIL sparse at %zu\n", off);
			return 1;
		}
	zdtm_say("mem_pattern: %zu MiB ok, sum %016llx\n", mib,
		 (unsigned long long)sum);
	return 42;
}
