// SPDX-License-Identifier: GPL-2.0
/*
 * proc_seq_read: /proc/self/maps, smaps and status are read half way;
 * then the process maps a page below the point where the reads stopped,
 * renames itself, and is ready (so every move finds them half read and
 * changed); the rest is read once the moves are over.
 *
 * A /proc text file is a seq_file: its next read returns what is left of
 * the records it made last, then goes on with the record after them (for
 * maps and smaps, the first mapping above the last one shown).  So on one
 * machine the rest has every line whole, once and in order; the new page
 * is not in it (it lies below), and the status text is the one made
 * before the rename.  A move that carried only the byte offset would
 * continue in a text made anew, with the new page's line and the longer
 * name in it, where the same offset falls a line or two bytes earlier
 * (and on another node, whose texts are not the same length anyway).
 */
#include "zs.h"
#include <sys/mman.h>
#include <sys/prctl.h>

#define NMAPS		24
#define LOW_ADDR	0x1000000UL	/* below the program and its heap */
#define TEXT_MAX	(1 << 20)

struct half {
	const char *path;
	int fd;
	size_t len;			/* read before the moves, then in all */
	char text[TEXT_MAX];
};

static struct half maps = { .path = "/proc/self/maps" },
		   smaps = { .path = "/proc/self/smaps" },
		   status = { .path = "/proc/self/status" };
static char whole[TEXT_MAX];

static size_t read_whole(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n;

	zs_check(fd >= 0, "open %s: %s", path, strerror(errno));
	n = zs_read_to_eof(fd, whole, sizeof(whole) - 1);
	close(fd);
	whole[n] = '\0';
	return n;
}

/* Offset in @text of the line that starts with @head; the program fails if none. */
static size_t line_at(const char *text, const char *head)
{
	const char *p;

	for (p = text; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, head, strlen(head)))
			return (size_t)(p - text);
	zs_fail("no line starts with \"%s\"", head);
}

/* Open @h and read it up to a few bytes into the line that starts with @head. */
static void read_half(struct half *h, const char *head)
{
	size_t want;

	read_whole(h->path);
	want = line_at(whole, head) + 5;
	h->fd = open(h->path, O_RDONLY | O_CLOEXEC);
	zs_check(h->fd >= 0, "open %s: %s", h->path, strerror(errno));
	h->len = zs_read_all(h->fd, h->text, want);
	zs_check(h->len == want, "%s: %zu bytes, not %zu", h->path, h->len, want);
}

static void read_rest(struct half *h)
{
	h->len += zs_read_to_eof(h->fd, h->text + h->len, sizeof(h->text) - 1 - h->len);
	h->text[h->len] = '\0';
	close(h->fd);
	zs_check(h->len && h->text[h->len - 1] == '\n', "%s: the last line is cut", h->path);
}

static int is_header(const char *line, unsigned long *start)
{
	unsigned long end;
	int n = 0;

	return sscanf(line, "%lx-%lx %*4s %n", start, &end, &n) == 2 && n > 0;
}

/*
 * Mapping lines (all of maps; the first of each smaps record) in order of
 * address, each mapping of @map once, the page at LOW_ADDR not; in smaps
 * every other line "Key: value" and every record ending in VmFlags.
 */
static void check_mappings(const struct half *h, char *const *map, int per_record)
{
	unsigned long start, last = 0;
	int seen[NMAPS] = { 0 }, headers = 0, flags = 0, i;
	const char *p;

	for (p = h->text; *p; p = strchr(p, '\n') + 1) {
		if (is_header(p, &start)) {
			zs_check(!headers || start > last,
				 "%s: %lx comes after %lx: a line twice, or out of order",
				 h->path, start, last);
			zs_check(start != LOW_ADDR,
				 "%s: the page mapped below the read point is shown", h->path);
			for (i = 0; i < NMAPS; i++)
				seen[i] += start == (unsigned long)map[i];
			last = start;
			headers++;
			continue;
		}
		zs_check(per_record, "%s: a broken line: %.40s", h->path, p);
		zs_check(strchr(p, ':') && strchr(p, ':') < strchr(p, '\n'),
			 "%s: a broken line: %.40s", h->path, p);
		flags += !strncmp(p, "VmFlags:", 8);
	}
	for (i = 0; i < NMAPS; i++)
		zs_check(seen[i] == 1, "%s: mapping %d (%p) shown %d times", h->path, i,
			 map[i], seen[i]);
	zs_check(!per_record || flags == headers, "%s: %d records, %d VmFlags lines",
		 h->path, headers, flags);
}

/* The same keys as @ref (a whole status text), in the same order. */
static void check_status(const struct half *h, const char *ref)
{
	const char *p = h->text, *q = ref;
	size_t k;

	for (; *p && *q; p = strchr(p, '\n') + 1, q = strchr(q, '\n') + 1) {
		k = strcspn(q, ":\n");
		zs_check(!strncmp(p, q, k + 1), "%s: \"%.*s\" where \"%.*s\" was",
			 h->path, (int)strcspn(p, "\n"), p, (int)k, q);
	}
	zs_check(!*p && !*q, "%s: not as many lines as a whole read", h->path);
	zs_check(strstr(h->text, "Name:\tproc_seq_read\n"),
		 "%s: the name is not the one it had when the text was made", h->path);
}

int main(void)
{
	static char status_ref[TEXT_MAX];
	char *map[NMAPS], head[32], *low, *area;
	int i;

	/* a page each, alternately writable, between guards: NMAPS lines */
	area = mmap(NULL, (NMAPS + 2) * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	zs_check(area != MAP_FAILED, "mmap: %s", strerror(errno));
	for (i = 0; i < NMAPS; i++) {
		map[i] = area + (i + 1) * 4096;
		zs_check(!mprotect(map[i], 4096, PROT_READ | (i % 2 ? PROT_WRITE : 0)),
			 "mprotect: %s", strerror(errno));
	}
	snprintf(head, sizeof(head), "%lx-", (unsigned long)map[NMAPS / 2]);
	read_half(&maps, head);
	read_half(&smaps, head);
	read_half(&status, "VmPeak:");
	memcpy(status_ref, whole, sizeof(status_ref));
	low = mmap((void *)LOW_ADDR, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		   MAP_FIXED_NOREPLACE, -1, 0);
	zs_check(low == (void *)LOW_ADDR, "mmap at %#lx: %s", LOW_ADDR, strerror(errno));
	zs_check(!prctl(PR_SET_NAME, "renamed-halfway"), "prctl: %s", strerror(errno));

	zs_ready(getpid());
	while (zs_more())
		usleep(20000);

	read_rest(&maps);
	read_rest(&smaps);
	read_rest(&status);
	check_mappings(&maps, map, 0);
	check_mappings(&smaps, map, 1);
	check_status(&status, status_ref);
	zdtm_say("proc_seq_read: maps, smaps and status read across the move as in one read\n");
	return 0;
}
