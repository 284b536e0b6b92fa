// SPDX-License-Identifier: GPL-2.0
/*
 * vdso_move.c - move this process's [vvar][vdso] to the image's addresses.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* mremap() */
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "../uapi/ssi_image.h"
#include "vdso_move.h"

struct range {
	unsigned long start, end;
};

static int __attribute__((format(printf, 4, 5)))
fail(char *err, size_t errlen, int e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	errno = e;
	return -1;
}

/* Where [vvar] and [vdso] are now (zero if absent); -1 if unreadable. */
static int find_vdso(struct range *vvar, struct range *vdso)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;

		if (sscanf(line, "%lx-%lx", &s, &e) != 2)
			continue;
		if (strstr(line, "[vvar]"))
			*vvar = (struct range){ s, e };
		else if (strstr(line, "[vdso]"))
			*vdso = (struct range){ s, e };
	}
	fclose(f);
	return 0;
}

/*
 * The first mapping that overlaps @want and is not inside @skip, into @hit
 * (empty if none); -1 if unreadable.
 */
static int find_collision(const struct range *want, const struct range *skip,
			  char *hit, size_t hitlen)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		return -1;
	hit[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;

		if (sscanf(line, "%lx-%lx", &s, &e) != 2 ||
		    (s >= skip->start && e <= skip->end) ||
		    s >= want->end || want->start >= e)
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(hit, hitlen, "%.*s", (int)(hitlen - 1), line);
		break;
	}
	fclose(f);
	return 0;
}

static int move(unsigned long from, unsigned long len, unsigned long to,
		char *err, size_t errlen)
{
	void *p = mremap((void *)from, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
			 (void *)to);

	if (p == MAP_FAILED)
		return fail(err, errlen, errno, "mremap %lx -> %lx: %s", from, to,
			    strerror(errno));
	return 0;
}

/*
 * Through a scratch area, so that an overlap of the old and new positions
 * is harmless.
 */
int ssi_vdso_move(const struct ssi_img_header *h, char *err, size_t errlen)
{
	struct range vvar = { 0 }, vdso = { 0 }, scratch, want;
	unsigned long vvar_len, vdso_len;
	char hit[160];
	void *p;

	if (find_vdso(&vvar, &vdso))
		return fail(err, errlen, errno, "/proc/self/maps: %s", strerror(errno));
	if (vvar.start == h->vvar_start && vdso.start == h->vdso_start)
		return 0;
	vvar_len = vvar.end - vvar.start;
	vdso_len = vdso.end - vdso.start;
	if (!vdso.start || !vvar.start || vvar_len != h->vvar_end - h->vvar_start ||
	    vdso_len != h->vdso_end - h->vdso_start)
		return fail(err, errlen, EINVAL,
			    "this node's vDSO/vvar sizes differ from the image's");
	p = mmap(NULL, vvar_len + vdso_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return fail(err, errlen, ENOMEM, "mmap: %s", strerror(errno));
	scratch = (struct range){ (unsigned long)p, (unsigned long)p + vvar_len + vdso_len };
	if (scratch.start < h->vdso_end && h->vvar_start < scratch.end)
		return fail(err, errlen, EBUSY, "scratch area overlaps the image's vDSO");
	if (move(vvar.start, vvar_len, scratch.start, err, errlen) ||
	    move(vdso.start, vdso_len, scratch.start + vvar_len, err, errlen))
		return -1;
	want = (struct range){ h->vvar_start, h->vdso_end };
	if (find_collision(&want, &scratch, hit, sizeof(hit)))
		return fail(err, errlen, errno, "/proc/self/maps: %s", strerror(errno));
	if (hit[0])
		return fail(err, errlen, EBUSY, "the image's vDSO address is taken here: %s",
			    hit);
	if (move(scratch.start, vvar_len, h->vvar_start, err, errlen) ||
	    move(scratch.start + vvar_len, vdso_len, h->vdso_start, err, errlen))
		return -1;
	return 0;
}
