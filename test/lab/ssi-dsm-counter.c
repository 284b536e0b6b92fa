// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ssi-dsm-counter - shared anonymous memory between a parent and the
 * child it forks, for the lab test t-53: the child migrates while both
 * add to one counter in it.
 *
 *   ssi-dsm-counter DIR ADDS [anon|shm|memfd]
 *
 * Maps 4 pages of shared memory, fills page 3, forks and prints
 * "child=PID".  The memory: MAP_SHARED | MAP_ANONYMOUS (anon, the
 * default), a POSIX shm object (shm, shm_open: a file of /dev/shm) or a
 * memfd, their fd kept open.  With shm or memfd the parent maps the
 * memory a second time when phase 2 starts (the child is away by then)
 * and adds through that view from then on: shm_open by name again (a
 * file opened after the memory was exported), or the memfd's fd opened
 * before (an open file the export found).  Then, in three phases, each of the two adds 1 to the
 * counter on page 0 ADDS times (an atomic add, as a lock or a reference
 * count does) and stores its count so far in its own word of page 1 (a
 * plain store the other one reads); after phase N each prints "parent|child
 * phase N done" with the time its adds took, and waits for the file
 * DIR/goN+1.  Once in phase 2 the
 * child reads page 3 (the parent's, written before the fork) and fills
 * page 2, which the parent reads at the end.  The parent waits for the
 * child and prints "counter=C expected=E ..." and exits 0 only if every
 * add is there and every page holds what was written to it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE		4096
#define PHASES		3
#define PARENT_FILL	0xa5
#define CHILD_FILL	0x5a

enum kind { ANON, SHM, MEMFD };

static enum kind kind;
static int mem_fd = -1;		/* shm's or memfd's */
static char shm_name[64];

struct page1 {
	uint64_t done[2];	/* adds made so far: [0] parent, [1] child */
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void wait_for(const char *dir, int phase)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	char path[4096];

	snprintf(path, sizeof(path), "%s/go%d", dir, phase);
	while (access(path, F_OK) != 0)
		nanosleep(&ts, NULL);
}

static bool filled(const unsigned char *p, unsigned char c)
{
	size_t i;

	for (i = 0; i < PAGE; i++)
		if (p[i] != c)
			return false;
	return true;
}

static unsigned char *map_fd(int fd)
{
	unsigned char *mem = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (mem == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	return mem;
}

static unsigned char *map_memory(void)
{
	unsigned char *mem;

	switch (kind) {
	case SHM:
		snprintf(shm_name, sizeof(shm_name), "/ssi-dsm-counter.%d", (int)getpid());
		mem_fd = shm_open(shm_name, O_CREAT | O_EXCL | O_RDWR, 0600);
		break;
	case MEMFD:
		mem_fd = memfd_create("ssi-dsm-counter", 0);
		break;
	case ANON:
		mem = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			   -1, 0);
		if (mem == MAP_FAILED) {
			perror("mmap");
			exit(2);
		}
		return mem;
	}
	if (mem_fd < 0 || ftruncate(mem_fd, 4 * PAGE)) {
		perror("shm_open, memfd_create or ftruncate");
		exit(2);
	}
	return map_fd(mem_fd);
}

/* The same memory mapped again, while the child is away. */
static unsigned char *second_view(void)
{
	unsigned char *mem;
	int fd;

	if (kind == MEMFD)
		return map_fd(mem_fd);
	fd = shm_open(shm_name, O_RDWR, 0);
	if (fd < 0) {
		perror("shm_open again");
		exit(2);
	}
	mem = map_fd(fd);
	close(fd);
	return mem;
}

/* Phases of one of the two; returns what it found wrong (0: nothing). */
static int run(const char *dir, unsigned char *mem, long adds, int who)
{
	const char *name = who ? "child" : "parent";
	struct page1 *p1;
	uint64_t *counter;
	int phase, bad = 0;
	double t0;
	long i;

	for (phase = 1; phase <= PHASES; phase++) {
		if (phase > 1)
			wait_for(dir, phase);
		if (!who && phase == 2 && kind != ANON) {
			mem = second_view();
			printf("parent: adds through a second mapping from now on\n");
		}
		counter = (uint64_t *)mem;
		p1 = (struct page1 *)(mem + PAGE);
		if (who && phase == 2) {
			if (!filled(mem + 3 * PAGE, PARENT_FILL)) {
				printf("child: page 3 does not hold the parent's bytes\n");
				bad = 1;
			}
			memset(mem + 2 * PAGE, CHILD_FILL, PAGE);
		}
		t0 = now_ms();
		for (i = 0; i < adds; i++) {
			__atomic_fetch_add(counter, 1, __ATOMIC_SEQ_CST);
			__atomic_store_n(&p1->done[who], p1->done[who] + 1, __ATOMIC_RELEASE);
		}
		printf("%s phase %d done: counter %llu, the other's %llu, adds took %.1f ms\n",
		       name, phase, (unsigned long long)__atomic_load_n(counter, __ATOMIC_SEQ_CST),
		       (unsigned long long)__atomic_load_n(&p1->done[!who], __ATOMIC_ACQUIRE),
		       now_ms() - t0);
		fflush(stdout);
	}
	return bad;
}

int main(int argc, char **argv)
{
	unsigned char *mem;
	uint64_t want, got;
	long adds;
	pid_t child;
	int st, bad;

	if (argc < 3 || argc > 4 || (adds = atol(argv[2])) <= 0 ||
	    (argc == 4 && strcmp(argv[3], "anon") && strcmp(argv[3], "shm") &&
	     strcmp(argv[3], "memfd"))) {
		fprintf(stderr, "usage: %s DIR ADDS [anon|shm|memfd]\n", argv[0]);
		return 2;
	}
	if (argc == 4)
		kind = !strcmp(argv[3], "shm") ? SHM : !strcmp(argv[3], "memfd") ? MEMFD : ANON;
	mem = map_memory();
	memset(mem + 3 * PAGE, PARENT_FILL, PAGE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	child = fork();
	if (child < 0) {
		perror("fork");
		return 2;
	}
	if (!child)
		return run(argv[1], mem, adds, 1);
	printf("child=%d\n", (int)child);
	bad = run(argv[1], mem, adds, 0);
	if (waitpid(child, &st, 0) != child || !WIFEXITED(st) || WEXITSTATUS(st)) {
		printf("child ended with status %#x\n", st);
		bad = 1;
	}
	want = 2ULL * PHASES * (uint64_t)adds;
	got = *(uint64_t *)mem;
	printf("counter=%llu expected=%llu child's adds=%llu page2=%s\n",
	       (unsigned long long)got, (unsigned long long)want,
	       (unsigned long long)((struct page1 *)(mem + PAGE))->done[1],
	       filled(mem + 2 * PAGE, CHILD_FILL) ? "ok" : "bad");
	if (kind == SHM)
		shm_unlink(shm_name);
	if (got != want || !filled(mem + 2 * PAGE, CHILD_FILL) ||
	    ((struct page1 *)(mem + PAGE))->done[1] != (uint64_t)PHASES * adds)
		bad = 1;
	return bad;
}
