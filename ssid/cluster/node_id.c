// SPDX-License-Identifier: GPL-2.0
/*
 * node_id.c - this node's kernel release and vDSO fingerprint (node_id.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/utsname.h>

#include "cluster/node_id.h"

/*
 * The vDSO's extent comes from /proc/self/maps rather than its ELF headers:
 * the mapping is what a restored process finds, headers and all.  Every
 * process of a node maps the same bytes, so ssid's own copy is the node's.
 */
static int vdso_range(unsigned long *lo, unsigned long *hi)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "re");
	int found = 0;

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f))
		if (strstr(line, "[vdso]") &&
		    sscanf(line, "%lx-%lx", lo, hi) == 2 && *hi > *lo)
			found = 1;
	fclose(f);
	return found ? 0 : -1;
}

int node_id_self(struct node_id *id, char *err, size_t errlen)
{
	const unsigned char *p;
	unsigned long lo, hi;
	struct utsname u;
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a 64 offset basis */

	memset(id, 0, sizeof(*id));
	if (uname(&u)) {
		snprintf(err, errlen, "uname: %s", strerror(errno));
		return -1;
	}
	snprintf(id->release, sizeof(id->release), "%s", u.release);
	if (vdso_range(&lo, &hi))
		return 0;		/* no vDSO: matches only another without */
	if (getauxval(AT_SYSINFO_EHDR) != lo) {
		snprintf(err, errlen, "the [vdso] of /proc/self/maps is not "
			 "AT_SYSINFO_EHDR");
		return -1;
	}
	for (p = (const unsigned char *)lo; p < (const unsigned char *)hi; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	id->vdso = h;
	return 0;
}

int node_id_mismatch(const struct node_id *here, const struct node_id *there,
		     char *why, size_t whylen)
{
	if (strcmp(here->release, there->release)) {
		snprintf(why, whylen, "kernel release %s there, %s here",
			 there->release, here->release);
		return 1;
	}
	if (here->vdso != there->vdso) {
		snprintf(why, whylen, "vDSO %016" PRIx64 " there, %016" PRIx64
			 " here (same release, other build)", there->vdso,
			 here->vdso);
		return 1;
	}
	return 0;
}
