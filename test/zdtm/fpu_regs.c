// SPDX-License-Identifier: GPL-2.0
/* fpu_regs: all 16 xmm registers (whole ymm with AVX) keep their values across a migration taken while spinning in user space. */
#include <cpuid.h>
#include <stdint.h>

#include "zdtm.h"

static uint8_t want[16][32] __attribute__((aligned(32)));
static uint8_t got[16][32] __attribute__((aligned(32)));

static int have_avx(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_AVX) || !(c & bit_OSXSAVE))
		return 0;
	/* The OS enables the AVX state (XCR0 bits 1 and 2). */
	__asm__ volatile("xgetbv" : "=a"(a), "=d"(d) : "c"(0));
	return (a & 6) == 6;
}

/* Load, spin until SIGUSR1, store: no C code runs in between. */
static void spin_avx(void)
{
	__asm__ volatile(
		"vmovdqa 0*32(%[w]), %%ymm0\n\t"  "vmovdqa 1*32(%[w]), %%ymm1\n\t"
		"vmovdqa 2*32(%[w]), %%ymm2\n\t"  "vmovdqa 3*32(%[w]), %%ymm3\n\t"
		"vmovdqa 4*32(%[w]), %%ymm4\n\t"  "vmovdqa 5*32(%[w]), %%ymm5\n\t"
		"vmovdqa 6*32(%[w]), %%ymm6\n\t"  "vmovdqa 7*32(%[w]), %%ymm7\n\t"
		"vmovdqa 8*32(%[w]), %%ymm8\n\t"  "vmovdqa 9*32(%[w]), %%ymm9\n\t"
		"vmovdqa 10*32(%[w]), %%ymm10\n\t" "vmovdqa 11*32(%[w]), %%ymm11\n\t"
		"vmovdqa 12*32(%[w]), %%ymm12\n\t" "vmovdqa 13*32(%[w]), %%ymm13\n\t"
		"vmovdqa 14*32(%[w]), %%ymm14\n\t" "vmovdqa 15*32(%[w]), %%ymm15\n\t"
		"1: cmpl $0, %[go]\n\t"
		"je 1b\n\t"
		"vmovdqa %%ymm0, 0*32(%[g])\n\t"  "vmovdqa %%ymm1, 1*32(%[g])\n\t"
		"vmovdqa %%ymm2, 2*32(%[g])\n\t"  "vmovdqa %%ymm3, 3*32(%[g])\n\t"
		"vmovdqa %%ymm4, 4*32(%[g])\n\t"  "vmovdqa %%ymm5, 5*32(%[g])\n\t"
		"vmovdqa %%ymm6, 6*32(%[g])\n\t"  "vmovdqa %%ymm7, 7*32(%[g])\n\t"
		"vmovdqa %%ymm8, 8*32(%[g])\n\t"  "vmovdqa %%ymm9, 9*32(%[g])\n\t"
		"vmovdqa %%ymm10, 10*32(%[g])\n\t" "vmovdqa %%ymm11, 11*32(%[g])\n\t"
		"vmovdqa %%ymm12, 12*32(%[g])\n\t" "vmovdqa %%ymm13, 13*32(%[g])\n\t"
		"vmovdqa %%ymm14, 14*32(%[g])\n\t" "vmovdqa %%ymm15, 15*32(%[g])\n\t"
		"vzeroupper\n\t"
		:
		: [w] "r"(want), [g] "r"(got), [go] "m"(zdtm_go)
		: "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
		  "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
		  "xmm14", "xmm15");
}

static void spin_sse(void)
{
	__asm__ volatile(
		"movdqa 0*32(%[w]), %%xmm0\n\t"  "movdqa 1*32(%[w]), %%xmm1\n\t"
		"movdqa 2*32(%[w]), %%xmm2\n\t"  "movdqa 3*32(%[w]), %%xmm3\n\t"
		"movdqa 4*32(%[w]), %%xmm4\n\t"  "movdqa 5*32(%[w]), %%xmm5\n\t"
		"movdqa 6*32(%[w]), %%xmm6\n\t"  "movdqa 7*32(%[w]), %%xmm7\n\t"
		"movdqa 8*32(%[w]), %%xmm8\n\t"  "movdqa 9*32(%[w]), %%xmm9\n\t"
		"movdqa 10*32(%[w]), %%xmm10\n\t" "movdqa 11*32(%[w]), %%xmm11\n\t"
		"movdqa 12*32(%[w]), %%xmm12\n\t" "movdqa 13*32(%[w]), %%xmm13\n\t"
		"movdqa 14*32(%[w]), %%xmm14\n\t" "movdqa 15*32(%[w]), %%xmm15\n\t"
		"1: cmpl $0, %[go]\n\t"
		"je 1b\n\t"
		"movdqa %%xmm0, 0*32(%[g])\n\t"  "movdqa %%xmm1, 1*32(%[g])\n\t"
		"movdqa %%xmm2, 2*32(%[g])\n\t"  "movdqa %%xmm3, 3*32(%[g])\n\t"
		"movdqa %%xmm4, 4*32(%[g])\n\t"  "movdqa %%xmm5, 5*32(%[g])\n\t"
		"movdqa %%xmm6, 6*32(%[g])\n\t"  "movdqa %%xmm7, 7*32(%[g])\n\t"
		"movdqa %%xmm8, 8*32(%[g])\n\t"  "movdqa %%xmm9, 9*32(%[g])\n\t"
		"movdqa %%xmm10, 10*32(%[g])\n\t" "movdqa %%xmm11, 11*32(%[g])\n\t"
		"movdqa %%xmm12, 12*32(%[g])\n\t" "movdqa %%xmm13, 13*32(%[g])\n\t"
		"movdqa %%xmm14, 14*32(%[g])\n\t" "movdqa %%xmm15, 15*32(%[g])\n\t"
		:
		: [w] "r"(want), [g] "r"(got), [go] "m"(zdtm_go)
		: "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
		  "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
		  "xmm14", "xmm15");
}

int main(void)
{
	int avx = have_avx(), width = avx ? 32 : 16, r, b;

	for (r = 0; r < 16; r++)
		for (b = 0; b < 32; b++)
			want[r][b] = (uint8_t)(r * 37 + b * 11 + 5);
	zdtm_init();
	zdtm_ready();
	if (avx)
		spin_avx();
	else
		spin_sse();
	for (r = 0; r < 16; r++)
		if (memcmp(want[r], got[r], width)) {
			zdtm_say("fpu_regs: FAIL register %d\n", r);
			return 1;
		}
	/* The same line either way, so runs on other CPUs compare equal. */
	zdtm_say("fpu_regs: 16 vector registers ok\n");
	return 44;
}
