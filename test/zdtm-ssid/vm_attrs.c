// SPDX-License-Identifier: GPL-2.0
/*
 * vm_attrs ATTR: what madvise() or mlock() set on a mapping stays set
 * after the move, on that range only.  An 8 MiB anonymous mapping gets
 * ATTR on its middle 2 MiB (the kernel splits it in three VMAs); every
 * round reads /proc/self/smaps (served where the process runs): the
 * middle VMA's VmFlags has ATTR's mnemonic, its neighbours do not.
 * For the mlock ones, mincore() also tells what is resident: all of an
 * mlock()ed range (pages never touched too), what was touched of an
 * MLOCK_ONFAULT one; mlockall(MCL_CURRENT | MCL_FUTURE) keeps the area
 * locked and locks (and populates, unless MCL_ONFAULT) what the process
 * maps after the move.
 */
#include "zs.h"

#include <sys/mman.h>

#define LEN	(8UL << 20)
#define MID	(2UL << 20)

static const struct attr {
	const char *name, *mnemonic;
	int advice;		/* madvise(); -1: an mlock call */
} attrs[] = {
	{ "dontfork", "dc", MADV_DONTFORK },
	{ "wipeonfork", "wf", MADV_WIPEONFORK },
	{ "dontdump", "dd", MADV_DONTDUMP },
	{ "hugepage", "hg", MADV_HUGEPAGE },
	{ "nohugepage", "nh", MADV_NOHUGEPAGE },
	{ "sequential", "sr", MADV_SEQUENTIAL },
	{ "random", "rr", MADV_RANDOM },
	{ "mergeable", "mg", MADV_MERGEABLE },
	{ "mlock", "lo", -1 },
	{ "mlock_onfault", "lo", -1 },
	{ "mlockall", "lo", -1 },
	{ "mlockall_onfault", "lo", -1 },
};

static char smaps[1 << 20];

/* The VmFlags line of the smaps entry that starts at @start; NULL if none. */
static const char *vmflags_at(unsigned long start)
{
	char head[32];
	const char *p;
	int fd = open("/proc/self/smaps", O_RDONLY | O_CLOEXEC);
	size_t n;

	zs_check(fd >= 0, "open /proc/self/smaps: %s", strerror(errno));
	n = zs_read_to_eof(fd, smaps, sizeof(smaps) - 1);
	close(fd);
	smaps[n] = '\0';
	snprintf(head, sizeof(head), "%lx-", start);
	for (p = smaps; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, head, strlen(head)))
			return strstr(p, "VmFlags:");
	return NULL;
}

/* Does the VmFlags line @line (up to its end) hold mnemonic @m? */
static int has_flag(const char *line, const char *m)
{
	const char *end = strchr(line, '\n'), *p;

	for (p = line + 8; (p = strstr(p, m)) && (!end || p < end); p++)
		if (p[-1] == ' ' && (p[2] == ' ' || p[2] == '\n'))
			return 1;
	return 0;
}

/* How many of @len bytes at @p are resident. */
static size_t resident(const char *p, size_t len)
{
	static unsigned char vec[LEN / 4096];
	size_t i, n = 0, pages = len / 4096;

	zs_check(!mincore((void *)p, len, vec), "mincore: %s", strerror(errno));
	for (i = 0; i < pages; i++)
		n += vec[i] & 1;
	return n * 4096;
}

static void check_range(int round, const struct attr *a, char *area)
{
	const char *before = vmflags_at((unsigned long)area);
	const char *mid = vmflags_at((unsigned long)area + 2 * MID);
	const char *after = vmflags_at((unsigned long)area + 3 * MID);

	zs_check(mid != NULL, "round %d: no VMA starts at the middle range", round);
	zs_check(has_flag(mid, a->mnemonic), "round %d: the middle range lost \"%s\"",
		 round, a->mnemonic);
	zs_check(before && !has_flag(before, a->mnemonic) && after &&
		 !has_flag(after, a->mnemonic),
		 "round %d: \"%s\" spread beyond the middle range", round, a->mnemonic);
}

int main(int argc, char **argv)
{
	const struct attr *a = NULL;
	int round = 0;
	size_t i;
	char *area;

	for (i = 0; argc > 1 && i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (!strcmp(argv[1], attrs[i].name))
			a = &attrs[i];
	zs_check(a != NULL, "usage: vm_attrs ATTR");
	area = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	zs_check(area != MAP_FAILED, "mmap: %s", strerror(errno));
	/* residency counted in pages: no huge page fills the untouched half */
	if (!strcmp(a->name, "mlock_onfault"))
		zs_check(!madvise(area, LEN, MADV_NOHUGEPAGE), "madvise: %s", strerror(errno));
	/* the part after the middle range is touched, the middle half so */
	memset(area + 3 * MID, 1, MID);
	memset(area + 2 * MID, 2, MID / 2);
	if (a->advice >= 0)
		zs_check(!madvise(area + 2 * MID, MID, a->advice), "madvise %s: %s",
			 a->name, strerror(errno));
	else if (!strcmp(a->name, "mlock"))
		zs_check(!mlock(area + 2 * MID, MID), "mlock: %s", strerror(errno));
	else if (!strcmp(a->name, "mlock_onfault"))
		zs_check(!mlock2(area + 2 * MID, MID, MLOCK_ONFAULT), "mlock2: %s",
			 strerror(errno));
	else	/* and the middle range is read-only: a VMA of its own */
		zs_check(!mlockall(MCL_CURRENT | MCL_FUTURE |
				   (strstr(a->name, "onfault") ? MCL_ONFAULT : 0)) &&
			 !mprotect(area + 2 * MID, MID, PROT_READ),
			 "mlockall: %s", strerror(errno));
	zs_ready(getpid());
	while (zs_more()) {
		round++;
		if (strncmp(a->name, "mlockall", 8))
			check_range(round, a, area);
		else
			zs_check(has_flag(vmflags_at((unsigned long)area), "lo") &&
				 has_flag(vmflags_at((unsigned long)area + 2 * MID), "lo"),
				 "round %d: mlockall(MCL_CURRENT) memory is not locked", round);
		if (!strcmp(a->name, "mlock"))
			zs_check(resident(area + 2 * MID, MID) == MID,
				 "round %d: an mlock()ed range is not all resident", round);
		if (!strcmp(a->name, "mlock_onfault"))
			zs_check(resident(area + 2 * MID, MID) == MID / 2,
				 "round %d: %zu bytes of an MLOCK_ONFAULT range resident, "
				 "touched %lu", round, resident(area + 2 * MID, MID), MID / 2);
		if (!strncmp(a->name, "mlockall", 8)) {
			char *more = mmap(NULL, MID, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			size_t want = strstr(a->name, "onfault") ? 0 : MID;
			const char *f;

			zs_check(more != MAP_FAILED, "round %d: mmap: %s", round, strerror(errno));
			f = vmflags_at((unsigned long)more);
			zs_check(f && has_flag(f, "lo"),
				 "round %d: a mapping made under MCL_FUTURE is not locked", round);
			zs_check(resident(more, MID) == want,
				 "round %d: %zu bytes of a new mapping resident, want %zu",
				 round, resident(more, MID), want);
			munmap(more, MID);
		}
		usleep(20000);
	}
	zdtm_say("vm_attrs %s: the middle range keeps it in every round\n", a->name);
	return 0;
}
