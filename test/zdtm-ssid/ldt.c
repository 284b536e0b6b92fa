// SPDX-License-Identifier: GPL-2.0
/*
 * ldt: an LDT made with modify_ldt before the move (data and code
 * segments, 32-bit, byte- and page-granular, read-only expand-down, one
 * not present, with empty entries between them) is the same after it,
 * where the process runs: modify_ldt(0) reads all 8192 entries back byte
 * for byte (a read runs locally; the kernel zero-fills past the LDT), and the CPU itself agrees on every selector: LAR's
 * access rights, LSL's limit, VERR and VERW (instructions that look the
 * descriptor up in the LDT the CPU uses, without loading a segment).
 */
#include "zs.h"

#include <asm/ldt.h>
#include <sys/syscall.h>

#define N_ENTRIES	7	/* 0..6, the odd ones empty */

static const struct user_desc made[] = {
	{ .entry_number = 0, .base_addr = 0x12345000, .limit = 0xfff, .seg_32bit = 1,
	  .contents = MODIFY_LDT_CONTENTS_DATA, .useable = 1 },
	{ .entry_number = 2, .base_addr = 0, .limit = 0xfffff, .seg_32bit = 1,
	  .contents = MODIFY_LDT_CONTENTS_CODE, .read_exec_only = 0,
	  .limit_in_pages = 1 },
	{ .entry_number = 4, .base_addr = 0x7000000, .limit = 0x1ff, .seg_32bit = 1,
	  .contents = MODIFY_LDT_CONTENTS_STACK, .read_exec_only = 1 },
	{ .entry_number = 6, .base_addr = 0x100000, .limit = 0x10, .seg_32bit = 1,
	  .contents = MODIFY_LDT_CONTENTS_DATA, .seg_not_present = 1 },
};

/* What the CPU says of selector @sel. */
struct seen {
	unsigned int lar, lsl;
	int lar_ok, lsl_ok, readable, writable;
};

static void cpu_view(unsigned int sel, struct seen *s)
{
	unsigned char zf;

	s->lar = s->lsl = 0;
	asm volatile("lar %2, %0; setz %1" : "+r"(s->lar), "=qm"(zf) : "r"(sel) : "cc");
	s->lar_ok = zf;
	asm volatile("lsl %2, %0; setz %1" : "+r"(s->lsl), "=qm"(zf) : "r"(sel) : "cc");
	s->lsl_ok = zf;
	asm volatile("verr %w1; setz %0" : "=qm"(zf) : "r"(sel) : "cc");
	s->readable = zf;
	asm volatile("verw %w1; setz %0" : "=qm"(zf) : "r"(sel) : "cc");
	s->writable = zf;
	if (!s->lar_ok)
		s->lar = 0;
	if (!s->lsl_ok)
		s->lsl = 0;
}

static unsigned long long ldt[8192];

static int read_ldt(void)
{
	memset(ldt, 0, sizeof(ldt));
	return (int)syscall(SYS_modify_ldt, 0, ldt, sizeof(ldt));
}

int main(void)
{
	static unsigned long long was[8192];
	struct seen want[N_ENTRIES], now;
	unsigned int i;
	int round = 0, n;

	for (i = 0; i < sizeof(made) / sizeof(made[0]); i++)
		zs_check(!syscall(SYS_modify_ldt, 0x11, &made[i], sizeof(made[i])),
			 "modify_ldt entry %u: %s", made[i].entry_number, strerror(errno));
	n = read_ldt();
	zs_check(n == (int)sizeof(ldt), "the LDT read back is %d bytes: %s", n,
		 strerror(errno));
	for (i = 0; i < 8; i++)
		zs_check(!ldt[i] == (i & 1 || i == 7), "entry %u reads %#llx", i, ldt[i]);
	memcpy(was, ldt, sizeof(was));
	for (i = 0; i < N_ENTRIES; i++)
		cpu_view(i << 3 | 7, &want[i]);
	/* what the descriptors say, as the CPU reads them */
	zs_check(want[0].lar_ok && want[0].lsl == 0xfff && want[0].readable && want[0].writable,
		 "entry 0 as the CPU sees it: lar %d limit %#x r %d w %d", want[0].lar_ok,
		 want[0].lsl, want[0].readable, want[0].writable);
	zs_check(want[2].lsl == 0xffffffff && want[2].readable && !want[2].writable,
		 "entry 2 as the CPU sees it: limit %#x r %d w %d", want[2].lsl,
		 want[2].readable, want[2].writable);
	zs_check(want[4].lsl == 0x1ff && want[4].readable && !want[4].writable,
		 "entry 4 as the CPU sees it: limit %#x r %d w %d", want[4].lsl,
		 want[4].readable, want[4].writable);
	zs_check(want[6].lar_ok && !(want[6].lar & 0x8000),
		 "entry 6 as the CPU sees it: lar %d %#x (present?)", want[6].lar_ok, want[6].lar);
	zs_check(!want[1].lar_ok && !want[3].lar_ok && !want[5].lar_ok,
		 "an empty entry is valid to the CPU");
	zs_ready(getpid());
	while (zs_more()) {
		round++;
		n = read_ldt();
		zs_check(n == (int)sizeof(ldt) && !memcmp(ldt, was, sizeof(was)),
			 "round %d: the LDT read back (%d bytes) differs from the one made",
			 round, n);
		for (i = 0; i < N_ENTRIES; i++) {
			cpu_view(i << 3 | 7, &now);
			zs_check(!memcmp(&now, &want[i], sizeof(now)),
				 "round %d: selector %#x: lar %d %#x lsl %d %#x r %d w %d, "
				 "was lar %d %#x lsl %d %#x r %d w %d", round, i << 3 | 7,
				 now.lar_ok, now.lar, now.lsl_ok, now.lsl, now.readable,
				 now.writable, want[i].lar_ok, want[i].lar, want[i].lsl_ok,
				 want[i].lsl, want[i].readable, want[i].writable);
		}
		usleep(20000);
	}
	zdtm_say("ldt: %d descriptors, the same to modify_ldt and to the CPU in every round\n",
		 N_ENTRIES);
	return 0;
}
