// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ldt_make.c - the LDT of an image, made with modify_ldt(2) (see
 * ldt_make.h).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "migrate/ldt_make.h"

/* modify_ldt(2) func: write one entry, "new mode" (empty entries allowed) */
#define LDT_WRITE	0x11

static unsigned int bits(uint64_t d, unsigned int lo, unsigned int n)
{
	return (unsigned int)((d >> lo) & ((1ULL << n) - 1));
}

int ldt_user_desc(uint64_t d, unsigned int index, struct user_desc *u)
{
	unsigned int type = bits(d, 40, 4);

	memset(u, 0, sizeof(*u));
	u->entry_number = index;
	if (!d) {	/* LDT_empty(): what clears an entry */
		u->read_exec_only = 1;
		u->seg_not_present = 1;
		return 0;
	}
	/*
	 * fill_ldt() makes only code/data segments (S) of privilege 3 with
	 * the accessed bit set and L clear; conforming code only not present.
	 */
	if (!bits(d, 44, 1) || bits(d, 45, 2) != 3 || !(type & 1) ||
	    bits(d, 53, 1) || ((type >> 2) == 3 && bits(d, 47, 1)))
		return -EINVAL;
	u->base_addr = bits(d, 16, 24) | bits(d, 56, 8) << 24;
	u->limit = bits(d, 0, 16) | bits(d, 48, 4) << 16;
	u->read_exec_only = !(type & 2);
	u->contents = type >> 2;
	u->seg_not_present = !bits(d, 47, 1);
	u->useable = bits(d, 52, 1);
	u->seg_32bit = bits(d, 54, 1);
	u->limit_in_pages = bits(d, 55, 1);
	return 0;
}

int ldt_make(const uint64_t *d, uint32_t n, char *why, size_t len)
{
	struct user_desc u;
	uint32_t i;

	for (i = 0; i < n; i++) {
		/* an empty entry before others: made by the later ones */
		if (!d[i] && i + 1 < n)
			continue;
		if (ldt_user_desc(d[i], i, &u)) {
			snprintf(why, len, "LDT entry %u (%#llx) is not one "
				 "modify_ldt makes", i, (unsigned long long)d[i]);
			return -EINVAL;
		}
		if (syscall(SYS_modify_ldt, LDT_WRITE, &u, sizeof(u))) {
			int err = errno;

			snprintf(why, len, "LDT entry %u: modify_ldt: %s", i,
				 strerror(err));
			return -err;
		}
	}
	return 0;
}
