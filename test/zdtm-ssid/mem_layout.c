// SPDX-License-Identifier: GPL-2.0
/*
 * mem_layout WHAT: the memory map as the process sees it is the same
 * after the move, and the kernel where it runs treats it as the one
 * that built it did.
 *   brk       sbrk() grows the heap by 8 pages with a pattern: every
 *             round sbrk(0) is where it was, the pattern intact, the
 *             [heap] line of /proc/self/maps the same; then brk() grows
 *             it by a page (written and read back) and shrinks it again,
 *             after which that page is gone (mincore: ENOMEM).  brk()
 *             works from the start_brk and brk the kernel has, so those
 *             must have come with the process.
 *   stack     a recursion of 1280 frames of 4000 bytes grows the main
 *             thread's stack by some 5 MiB before the move; every round
 *             it recurses as deep again, each frame filling its buffer
 *             with a pattern the round chooses and hashing it on the way
 *             back: the hash, the frames' addresses and the address of a
 *             local of main() are as at setup.  Then the deeper half of
 *             the stack is unmapped, so that the next round grows it
 *             again wherever the process runs: its VMA must still be a
 *             growing-down one ("gd" in smaps), the upper half mapped.
 *   mprotect  four anonymous pages made read-only, PROT_NONE, read-write
 *             and read-only (between read-write ones), each with a
 *             pattern: every round the
 *             contents are intact (the PROT_NONE one opened for a moment
 *             with mprotect()), a store into a read-only page and a load
 *             from the PROT_NONE one fault (SIGSEGV, SEGV_ACCERR, at that
 *             address; the handler siglongjmp()s out), the read-write
 *             page takes a store, and /proc/self/maps gives each page
 *             its permissions.
 */
#include "zs.h"

#include <setjmp.h>
#include <sys/mman.h>

#define PAGE	4096UL

static int round_no;
static char maps[1 << 20];

/* /proc/self/maps or smaps (served where the process runs) into maps[]. */
static void read_maps(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n;

	zs_check(fd >= 0, "open %s: %s", path, strerror(errno));
	n = zs_read_to_eof(fd, maps, sizeof(maps) - 1);
	close(fd);
	maps[n] = '\0';
}

/*
 * "START-END " at the head of a maps line: 1 if there.  Not sscanf(): in
 * the brk run nothing may call malloc(), which moves the break too.
 */
static int parse_range(const char *p, unsigned long *lo, unsigned long *hi)
{
	unsigned long *v = lo;
	int digits = 0, d;

	for (*lo = *hi = 0;; p++) {
		d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;
		if (d >= 0) {
			*v = *v << 4 | d;
			digits++;
		} else if (*p == '-' && v == lo && digits) {
			v = hi;
			digits = 0;
		} else {
			return *p == ' ' && v == hi && digits;
		}
	}
}

/* The line of maps[] for the mapping that holds @addr; NULL if none. */
static const char *mapping_of(unsigned long addr, unsigned long *lo, unsigned long *hi)
{
	const char *p;

	for (p = maps; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (parse_range(p, lo, hi) && *lo <= addr && addr < *hi)
			return p;
	return NULL;
}

/* --- brk ---------------------------------------------------------------- */

#define HEAP_PAGES	8

static void heap_fill(unsigned char *p, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = zs_rand(&seed);
}

/* The [heap] line's range. */
static void heap_range(unsigned long *lo, unsigned long *hi)
{
	const char *p;

	read_maps("/proc/self/maps");
	p = strstr(maps, "[heap]");
	zs_check(p, "round %d: no [heap] in /proc/self/maps", round_no);
	while (p > maps && p[-1] != '\n')
		p--;
	zs_check(parse_range(p, lo, hi), "round %d: a [heap] line unread", round_no);
}

static void run_brk(void)
{
	static unsigned char want[HEAP_PAGES * PAGE], page[PAGE];
	unsigned long lo, hi, want_lo, want_hi;
	unsigned char *heap, *top, *more;
	unsigned char vec;

	/*
	 * Nothing here calls malloc(), which would move the break too.  The
	 * heap starts on a page: whole pages come and go.
	 */
	top = sbrk(0);
	zs_check(sbrk((PAGE - (unsigned long)top % PAGE) % PAGE) != (void *)-1, "sbrk: %s",
		 strerror(errno));
	heap = sbrk(HEAP_PAGES * PAGE);
	zs_check(heap != (void *)-1, "sbrk: %s", strerror(errno));
	heap_fill(heap, HEAP_PAGES * PAGE, 12345);
	memcpy(want, heap, sizeof(want));
	top = sbrk(0);
	zs_check(top == heap + HEAP_PAGES * PAGE, "the break is not after the pages it added");
	heap_range(&want_lo, &want_hi);
	zs_check(want_hi == (unsigned long)top, "[heap] does not end at the break");
	zs_ready(getpid());
	while (zs_more()) {
		round_no++;
		zs_check(sbrk(0) == top, "round %d: the break moved", round_no);
		zs_check(!memcmp(heap, want, sizeof(want)), "round %d: the heap's pattern changed",
			 round_no);
		heap_range(&lo, &hi);
		zs_check(lo == want_lo && hi == want_hi,
			 "round %d: [heap] is %#lx bytes from %+ld, was %#lx", round_no, hi - lo,
			 (long)(lo - want_lo), want_hi - want_lo);
		/* one page more, where it runs now, and back */
		more = sbrk(PAGE);
		zs_check(more == top, "round %d: sbrk(+1 page): %s", round_no,
			 more == (void *)-1 ? strerror(errno) : "not at the break");
		zs_check(sbrk(0) == top + PAGE, "round %d: the break did not grow", round_no);
		heap_fill(more, PAGE, round_no);
		heap_fill(page, PAGE, round_no);
		zs_check(!memcmp(more, page, PAGE) && !mincore(more, PAGE, &vec),
			 "round %d: the new heap page does not hold what was written", round_no);
		zs_check(sbrk(-(long)PAGE) != (void *)-1 && sbrk(0) == top,
			 "round %d: sbrk(-1 page): %s", round_no, strerror(errno));
		zs_check(mincore(top, PAGE, &vec) && errno == ENOMEM,
			 "round %d: the page given back is still mapped", round_no);
		usleep(20000);
	}
	zdtm_say("mem_layout brk: the heap the same in every round, and brk() grows "
		 "and shrinks it\n");
}

/* --- stack -------------------------------------------------------------- */

#define FRAME	4000
#define DEPTH	1280

static unsigned long frame_at[2];	/* the buffers at depth DEPTH / 2 and DEPTH */

static unsigned char frame_byte(int depth, int i, uint32_t seed)
{
	return (depth * 31 + i) ^ seed;
}

/* Fill a frame, go deeper, hash this frame on the way back. */
static __attribute__((noinline)) uint32_t dive(int depth, uint32_t seed)
{
	volatile unsigned char buf[FRAME];
	uint32_t h;
	int i;

	for (i = 0; i < FRAME; i += 64)	/* a store in every page */
		buf[i] = frame_byte(depth, i, seed);
	if (depth == DEPTH / 2)
		frame_at[0] = (unsigned long)buf;
	if (depth == DEPTH) {
		frame_at[1] = (unsigned long)buf;
		h = seed;
	} else {
		h = dive(depth + 1, seed);
	}
	for (i = 0; i < FRAME; i += 64)
		h = (h ^ buf[i]) * 16777619u;
	return h;
}

/* What dive(1, @seed) returns, without a stack. */
static uint32_t dive_hash(uint32_t seed)
{
	uint32_t h = seed;
	int depth, i;

	for (depth = DEPTH; depth >= 1; depth--)
		for (i = 0; i < FRAME; i += 64)
			h = (h ^ frame_byte(depth, i, seed)) * 16777619u;
	return h;
}

/* Does the smaps entry of the mapping that holds @addr have VmFlags "gd"? */
static int grows_down(unsigned long addr)
{
	unsigned long lo, hi;
	const char *p, *end;

	read_maps("/proc/self/smaps");
	p = mapping_of(addr, &lo, &hi);
	p = p ? strstr(p, "VmFlags:") : NULL;
	if (!p)
		return 0;
	end = strchr(p, '\n');
	p = strstr(p, " gd");
	return p && (!end || p < end);
}

static void run_stack(void)
{
	volatile int local = 0;
	unsigned long local_at = (unsigned long)&local, want[2], cut_lo, cut_hi;
	unsigned char vec;
	uint32_t seed;

	zs_check(dive(1, 1) == dive_hash(1), "the frames do not hash as they should at setup");
	want[0] = frame_at[0];
	want[1] = frame_at[1];
	zs_check(grows_down(want[1]), "the deepest frame is not on a growing-down mapping");
	/* the deeper half, less a page that holds frame DEPTH / 2 too */
	cut_lo = (want[1] & ~(PAGE - 1)) - 64 * 1024;
	cut_hi = want[0] & ~(PAGE - 1);
	zs_ready(getpid());
	while (zs_more()) {
		round_no++;
		zs_check((unsigned long)&local == local_at, "round %d: main's local moved",
			 round_no);
		seed = round_no * 2654435761u;
		zs_check(dive(1, seed) == dive_hash(seed), "round %d: the frames do not hash as "
			 "they should", round_no);
		zs_check(frame_at[0] == want[0] && frame_at[1] == want[1],
			 "round %d: the frames are %+ld and %+ld bytes from where they were",
			 round_no, (long)(frame_at[0] - want[0]), (long)(frame_at[1] - want[1]));
		zs_check(grows_down(want[1]), "round %d: the stack is not a growing-down mapping",
			 round_no);
		/* unmapped, the deeper half must grow again in the next round */
		zs_check(!munmap((void *)cut_lo, cut_hi - cut_lo), "round %d: munmap: %s",
			 round_no, strerror(errno));
		zs_check(mincore((void *)(want[1] & ~(PAGE - 1)), PAGE, &vec) && errno == ENOMEM,
			 "round %d: the deepest frame's page is still mapped", round_no);
		zs_check(!mincore((void *)cut_hi, PAGE, &vec) && grows_down(cut_hi),
			 "round %d: the upper half of the stack is gone", round_no);
		usleep(20000);
	}
	zdtm_say("mem_layout stack: %d frames deep, the same in every round\n", DEPTH);
}

/* --- mprotect ----------------------------------------------------------- */

static const int page_prot[4] = { PROT_READ, PROT_NONE, PROT_READ | PROT_WRITE, PROT_READ };
static const char *const page_perms[4] = { "r--p", "---p", "rw-p", "r--p" };

static sigjmp_buf fault_jmp;
static void *volatile fault_addr;
static volatile int fault_code;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	fault_addr = si->si_addr;
	fault_code = si->si_code;
	siglongjmp(fault_jmp, 1);
}

/* Does a store (@write) or a load at @p fault, at @p, for its protection? */
static int faults(unsigned char *p, int write)
{
	fault_addr = NULL;
	if (!sigsetjmp(fault_jmp, 1)) {
		if (write)
			*(volatile unsigned char *)p = 0x5a;
		else
			(void)*(volatile unsigned char *)p;
		return 0;
	}
	zs_check(fault_addr == p && fault_code == SEGV_ACCERR,
		 "round %d: a fault at %+ld from the address, si_code %d", round_no,
		 (long)((unsigned char *)fault_addr - p), fault_code);
	return 1;
}

static void run_mprotect(void)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	static unsigned char want[4][PAGE];
	unsigned long lo, hi;
	unsigned char *area;
	const char *line;
	int i;

	sigemptyset(&sa.sa_mask);
	zs_check(!sigaction(SIGSEGV, &sa, NULL), "sigaction: %s", strerror(errno));
	/*
	 * A read-write page either side, where the test pages' protections
	 * differ: no neighbour merges with the first or last test page.
	 */
	area = mmap(NULL, 6 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	zs_check(area != MAP_FAILED, "mmap: %s", strerror(errno));
	area += PAGE;
	heap_fill(area, 4 * PAGE, 777);
	memcpy(want, area, sizeof(want));
	for (i = 0; i < 4; i++)
		zs_check(!mprotect(area + i * PAGE, PAGE, page_prot[i]), "mprotect: %s",
			 strerror(errno));
	zs_ready(getpid());
	while (zs_more()) {
		round_no++;
		zs_check(!memcmp(area, want[0], PAGE) && !memcmp(area + 2 * PAGE, want[2], PAGE) &&
			 !memcmp(area + 3 * PAGE, want[3], PAGE),
			 "round %d: a readable page's pattern changed", round_no);
		zs_check(faults(area, 1) && faults(area + 3 * PAGE + 100, 1),
			 "round %d: a store into a read-only page did not fault", round_no);
		zs_check(faults(area + PAGE + 200, 0) && faults(area + PAGE, 1),
			 "round %d: the PROT_NONE page did not fault", round_no);
		zs_check(!faults(area + 2 * PAGE + 300, 1), "round %d: the read-write page faulted",
			 round_no);
		want[2][300] = 0x5a;
		zs_check(!mprotect(area + PAGE, PAGE, PROT_READ), "round %d: mprotect: %s",
			 round_no, strerror(errno));
		zs_check(!memcmp(area + PAGE, want[1], PAGE),
			 "round %d: the PROT_NONE page's pattern changed", round_no);
		zs_check(!mprotect(area + PAGE, PAGE, PROT_NONE), "round %d: mprotect: %s",
			 round_no, strerror(errno));
		read_maps("/proc/self/maps");
		for (i = 0; i < 4; i++) {
			line = mapping_of((unsigned long)area + i * PAGE, &lo, &hi);
			zs_check(line && lo == (unsigned long)area + i * PAGE &&
				 hi == (unsigned long)area + (i + 1) * PAGE &&
				 !strncmp(strchr(line, ' ') + 1, page_perms[i], 4),
				 "round %d: page %d is not a mapping of its own with %s", round_no,
				 i, page_perms[i]);
		}
		usleep(20000);
	}
	zdtm_say("mem_layout mprotect: each page keeps its protection and pattern "
		 "in every round\n");
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";

	if (!strcmp(what, "brk"))
		run_brk();
	else if (!strcmp(what, "stack"))
		run_stack();
	else if (!strcmp(what, "mprotect"))
		run_mprotect();
	else
		zs_fail("usage: mem_layout brk|stack|mprotect");
	return 0;
}
