// SPDX-License-Identifier: GPL-2.0
/*
 * cpu_state WHAT: register state each thread keeps in the CPU, not in
 * memory, is the same after the move: the image must carry every
 * thread's FPU/vector state and segment bases, and the restore put them
 * back in the right thread.  Two threads, checked in step every round.
 *   fenv      the main thread rounds upward, with the x87 precision at
 *             53 bits; the other toward zero, x87 precision 24 bits, and
 *             MXCSR flush-to-zero and denormals-are-zero: fegetround(),
 *             MXCSR (less the sticky exception flags), the x87 control
 *             word, and quotients and a denormal product computed in each
 *             mode (bit for bit as at setup) show each thread still has
 *             its own.  Exceptions stay masked.
 *   vector    each thread loads xmm8..xmm15 and three x87 registers, adds
 *             and subtracts in two of the xmm ones for some milliseconds
 *             without touching memory, then stores them: all must be what
 *             that arithmetic gives.  The same with the ymm registers
 *             (AVX) where the CPU has them (AVX-512 is left out: the
 *             lab's emulated CPU gets it wrong unmigrated).  A round spends about as long in these loops as in
 *             its sleep: the move often freezes a thread inside one, with
 *             its values only in the registers.
 *   segments  the other thread points GS at a buffer (ARCH_SET_GS), the
 *             main thread too with WRGSBASE where the kernel allows it:
 *             loads through %gs, ARCH_GET_GS, and ARCH_GET_FS (glibc's
 *             thread pointer, read at setup; %fs:0 holds it too) read
 *             what they did, in each thread its own.
 */
#include "zs.h"

#include <fenv.h>
#include <pthread.h>
#include <time.h>
#include <xmmintrin.h>
#include <asm/prctl.h>
#include <sys/auxv.h>
#include <sys/syscall.h>

#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE	(1 << 1)	/* <asm/hwcap2.h>: the kernel allows WRGSBASE */
#endif

#define MXCSR_FLAGS	0x3f		/* bits 0-5: sticky exception flags */
#define MXCSR_DAZ	0x40
#define MXCSR_FTZ	0x8000



/* --- fenv --------------------------------------------------------------- */

struct fenv_state {
	int round;
	unsigned int mxcsr;
	unsigned short x87cw;
	double q[4];			/* 1/3, 2/3, -1/3, -2/3 in SSE */
	unsigned char lq[2][10];	/* 1/3, 2/3 on the x87 (80 bits) */
	float denorm;			/* a denormal times 1/2 */
};

static struct fenv_state fenv_want[2];

/* Volatile: computed when called, in this thread's modes, not folded. */
static volatile double one = 1.0, two = 2.0, three = 3.0;
static volatile long double lone = 1.0L, ltwo = 2.0L, lthree = 3.0L;
static volatile float tiny = 1e-40f, half = 0.5f;

static void fenv_read(struct fenv_state *s)
{
	long double l;

	memset(s, 0, sizeof(*s));
	s->round = fegetround();
	s->mxcsr = _mm_getcsr() & ~MXCSR_FLAGS;
	asm volatile("fnstcw %0" : "=m" (s->x87cw));
	s->q[0] = one / three;
	s->q[1] = two / three;
	s->q[2] = -one / three;
	s->q[3] = -two / three;
	l = lone / lthree;
	memcpy(s->lq[0], &l, 10);
	l = ltwo / lthree;
	memcpy(s->lq[1], &l, 10);
	s->denorm = tiny * half;
}

/* Which MXCSR bits this CPU takes (FXSAVE's MXCSR_MASK; 0: all but DAZ). */
static unsigned int mxcsr_mask(void)
{
	static unsigned char area[512] __attribute__((aligned(16)));
	unsigned int m;

	asm volatile("fxsave %0" : "=m" (area));
	memcpy(&m, area + 28, sizeof(m));
	return m ? m : 0xffbf;
}

static void fenv_setup(int who)
{
	unsigned short cw;

	zs_check(!fesetround(who ? FE_TOWARDZERO : FE_UPWARD), "fesetround");
	/* precision control, bits 8-9: 53 bits (10) in main, 24 bits (00) here */
	asm volatile("fnstcw %0" : "=m" (cw));
	cw = (cw & ~0x300) | (who ? 0x000 : 0x200);
	asm volatile("fldcw %0" : : "m" (cw));
	if (who)
		_mm_setcsr(_mm_getcsr() | ((MXCSR_FTZ | MXCSR_DAZ) & mxcsr_mask()));
	fenv_read(&fenv_want[who]);
}

static void fenv_check(int who)
{
	struct fenv_state s, *w = &fenv_want[who];

	fenv_read(&s);
	zs_check(s.round == w->round && s.mxcsr == w->mxcsr && s.x87cw == w->x87cw,
		 "round %d, thread %d: rounding %#x MXCSR %#x x87 control %#x; was %#x %#x %#x",
		 zs_round, who, s.round, s.mxcsr, s.x87cw, w->round, w->mxcsr, w->x87cw);
	zs_check(!memcmp(s.q, w->q, sizeof(s.q)) && !memcmp(s.lq, w->lq, sizeof(s.lq)),
		 "round %d, thread %d: a quotient rounds otherwise (%a %a %a %a)", zs_round,
		 who, s.q[0], s.q[1], s.q[2], s.q[3]);
	zs_check(!memcmp(&s.denorm, &w->denorm, sizeof(s.denorm)),
		 "round %d, thread %d: a denormal product is %a, was %a", zs_round, who,
		 s.denorm, w->denorm);
}

static void run_fenv(void)
{
	zs_in_step(2, fenv_setup, fenv_check);
	zs_in_step_join();
	/* the two threads' modes differ: each thread's own was checked */
	zs_check(memcmp(fenv_want[0].q, fenv_want[1].q, sizeof(fenv_want[0].q)),
		 "both threads' quotients round alike");
	zdtm_say("cpu_state fenv: the same in both threads in every round\n");
}

/* --- vector ------------------------------------------------------------- */

/*
 * One block of registers, in and out.  Loop: paddd of the last register
 * into the first, psubd of the one before last from the second; the rest
 * only held.  All xmm (and ymm) registers are caller-saved: the
 * whole load, loop and store is one asm statement, clobbering them.
 */
struct vregs {
	uint32_t sse[8][4];		/* xmm8..15 */
	unsigned char x87[3][16];	/* st(0..2), 10 bytes each */
	uint32_t avx[8][8];		/* ymm8..15 */
};

static unsigned long spin_n;		/* iterations: some milliseconds' worth */
static int has_avx;
static struct vregs vec_in[2];

static void spin_sse(const struct vregs *in, struct vregs *out, unsigned long n)
{
	asm volatile("movdqu 0x00(%[in]), %%xmm8\n\t"
		     "movdqu 0x10(%[in]), %%xmm9\n\t"
		     "movdqu 0x20(%[in]), %%xmm10\n\t"
		     "movdqu 0x30(%[in]), %%xmm11\n\t"
		     "movdqu 0x40(%[in]), %%xmm12\n\t"
		     "movdqu 0x50(%[in]), %%xmm13\n\t"
		     "movdqu 0x60(%[in]), %%xmm14\n\t"
		     "movdqu 0x70(%[in]), %%xmm15\n\t"
		     "fldt 0x80(%[in])\n\t"
		     "fldt 0x90(%[in])\n\t"
		     "fldt 0xa0(%[in])\n\t"
		     "1:\n\t"
		     "paddd %%xmm15, %%xmm8\n\t"
		     "psubd %%xmm14, %%xmm9\n\t"
		     "dec %[n]\n\t"
		     "jnz 1b\n\t"
		     "fstpt 0xa0(%[out])\n\t"
		     "fstpt 0x90(%[out])\n\t"
		     "fstpt 0x80(%[out])\n\t"
		     "movdqu %%xmm8, 0x00(%[out])\n\t"
		     "movdqu %%xmm9, 0x10(%[out])\n\t"
		     "movdqu %%xmm10, 0x20(%[out])\n\t"
		     "movdqu %%xmm11, 0x30(%[out])\n\t"
		     "movdqu %%xmm12, 0x40(%[out])\n\t"
		     "movdqu %%xmm13, 0x50(%[out])\n\t"
		     "movdqu %%xmm14, 0x60(%[out])\n\t"
		     "movdqu %%xmm15, 0x70(%[out])\n\t"
		     : [n] "+r" (n)
		     : [in] "r" (in), [out] "r" (out)
		     : "memory", "cc", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
		       "xmm14", "xmm15", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)",
		       "st(6)", "st(7)");
}

__attribute__((target("avx")))
static void spin_avx(const uint32_t *in, uint32_t *out, unsigned long n)
{
	asm volatile("vmovdqu 0x00(%[in]), %%ymm8\n\t"
		     "vmovdqu 0x20(%[in]), %%ymm9\n\t"
		     "vmovdqu 0x40(%[in]), %%ymm10\n\t"
		     "vmovdqu 0x60(%[in]), %%ymm11\n\t"
		     "vmovdqu 0x80(%[in]), %%ymm12\n\t"
		     "vmovdqu 0xa0(%[in]), %%ymm13\n\t"
		     "vmovdqu 0xc0(%[in]), %%ymm14\n\t"
		     "vmovdqu 0xe0(%[in]), %%ymm15\n\t"
		     "1:\n\t"
		     "vpaddd %%ymm15, %%ymm8, %%ymm8\n\t"
		     "vpsubd %%ymm14, %%ymm9, %%ymm9\n\t"
		     "dec %[n]\n\t"
		     "jnz 1b\n\t"
		     "vmovdqu %%ymm8, 0x00(%[out])\n\t"
		     "vmovdqu %%ymm9, 0x20(%[out])\n\t"
		     "vmovdqu %%ymm10, 0x40(%[out])\n\t"
		     "vmovdqu %%ymm11, 0x60(%[out])\n\t"
		     "vmovdqu %%ymm12, 0x80(%[out])\n\t"
		     "vmovdqu %%ymm13, 0xa0(%[out])\n\t"
		     "vmovdqu %%ymm14, 0xc0(%[out])\n\t"
		     "vmovdqu %%ymm15, 0xe0(%[out])\n\t"
		     "vzeroupper\n\t"
		     : [n] "+r" (n)
		     : [in] "r" (in), [out] "r" (out)
		     : "memory", "cc", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
		       "xmm14", "xmm15");
}

/* What @n rounds of the loop make of @in: lanes of 32 bits, wrapping. */
static void vec_expect(const struct vregs *in, struct vregs *want, unsigned long n)
{
	uint32_t k = (uint32_t)n;
	int l;

	*want = *in;
	for (l = 0; l < 4; l++) {
		want->sse[0][l] += k * in->sse[7][l];
		want->sse[1][l] -= k * in->sse[6][l];
	}
	for (l = 0; l < 8; l++) {
		want->avx[0][l] += k * in->avx[7][l];
		want->avx[1][l] -= k * in->avx[6][l];
	}
}

/* All the kinds of registers this CPU has, @n rounds each. */
static void vec_spin(const struct vregs *in, struct vregs *out, unsigned long n)
{
	*out = *in;	/* what a kind the CPU lacks keeps */
	spin_sse(in, out, n);
	if (has_avx)
		spin_avx(in->avx[0], out->avx[0], n);
}

static void vec_setup(int who)
{
	uint32_t seed = who ? 0x5eed0002 : 0x5eed0001;
	long double x87[3] = { 1.0L / 3.0L, -2.718281828459045235L, 1e300L * 1e300L };
	struct vregs *in = &vec_in[who];
	uint32_t *w;
	size_t i;

	memset(in, 0, sizeof(*in));
	for (w = in->sse[0]; w < in->sse[0] + 32; w++)
		*w = zs_rand(&seed) << 8 | zs_rand(&seed);
	for (w = in->avx[0]; w < in->avx[0] + 64; w++)
		*w = zs_rand(&seed) << 8 | zs_rand(&seed);
	for (i = 0; i < 3; i++) {
		x87[i] += who;
		memcpy(in->x87[i], &x87[i], 10);
	}
}

static void vec_check(int who)
{
	struct vregs out, want;

	vec_spin(&vec_in[who], &out, spin_n);
	vec_expect(&vec_in[who], &want, spin_n);
	zs_check(!memcmp(out.sse, want.sse, sizeof(out.sse)),
		 "round %d, thread %d: xmm8..15 do not hold what they should", zs_round, who);
	zs_check(!memcmp(out.x87, want.x87, sizeof(out.x87)),
		 "round %d, thread %d: st(0..2) do not hold what they should", zs_round, who);
	zs_check(!memcmp(out.avx, want.avx, sizeof(out.avx)),
		 "round %d, thread %d: ymm8..15 do not hold what they should", zs_round, who);
}

/* Iterations for about 5 ms of each loop here (the CPU's speed is not printed). */
static unsigned long vec_calibrate(void)
{
	struct timespec a, b;
	struct vregs out;
	unsigned long n = 1000000;
	double s;

	clock_gettime(CLOCK_MONOTONIC, &a);
	spin_sse(&vec_in[0], &out, n);
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	if (s > 0)
		n = (unsigned long)(n * 0.005 / s);
	return n < 100000 ? 100000 : n > 50000000 ? 50000000 : n;
}

static void run_vector(void)
{
	__builtin_cpu_init();
	has_avx = __builtin_cpu_supports("avx");
	vec_setup(0);
	vec_setup(1);
	spin_n = vec_calibrate();
	/* vec_check as setup too: a first check before the move, the loop itself works */
	zs_in_step(2, vec_check, vec_check);
	zs_in_step_join();
	zdtm_say("cpu_state vector: the registers hold their values in both threads "
		 "in every round\n");
}

/* --- segments ----------------------------------------------------------- */

struct seg_state {
	unsigned long fs, gs, fs0;	/* ARCH_GET_FS, ARCH_GET_GS, %fs:0 */
	unsigned long gs_words[3];	/* %gs:0, %gs:8, %gs:4088 if GS is set */
	unsigned short fs_sel, gs_sel;
};

static struct seg_state seg_want[2];
static unsigned long gs_buf[2][512] __attribute__((aligned(4096)));

static unsigned long arch_get(int code)
{
	unsigned long v = 0;

	zs_check(!syscall(SYS_arch_prctl, code, &v), "arch_prctl %#x: %s", code,
		 strerror(errno));
	return v;
}

static void seg_read(struct seg_state *s)
{
	memset(s, 0, sizeof(*s));
	s->fs = arch_get(ARCH_GET_FS);
	s->gs = arch_get(ARCH_GET_GS);
	asm volatile("mov %%fs:0, %0" : "=r" (s->fs0));
	asm volatile("mov %%fs, %0" : "=r" (s->fs_sel));
	asm volatile("mov %%gs, %0" : "=r" (s->gs_sel));
	if (s->gs) {
		asm volatile("mov %%gs:0, %0" : "=r" (s->gs_words[0]));
		asm volatile("mov %%gs:8, %0" : "=r" (s->gs_words[1]));
		asm volatile("mov %%gs:4088, %0" : "=r" (s->gs_words[2]));
	}
}

static void seg_setup(int who)
{
	unsigned long *buf = gs_buf[who];
	uint32_t seed = who + 1;
	int i;

	for (i = 0; i < 512; i++)
		buf[i] = (unsigned long)zs_rand(&seed) << 32 | zs_rand(&seed);
	if (who)
		zs_check(!syscall(SYS_arch_prctl, ARCH_SET_GS, buf), "ARCH_SET_GS: %s",
			 strerror(errno));
	else if (getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE)
		/* only in the CPU: the kernel learns it at the next switch */
		asm volatile("wrgsbase %0" : : "r" (buf));
	seg_read(&seg_want[who]);
	zs_check(seg_want[who].fs == (unsigned long)pthread_self() &&
		 seg_want[who].fs0 == seg_want[who].fs,
		 "thread %d: FS is not glibc's thread pointer", who);
	if (seg_want[who].gs)
		zs_check(seg_want[who].gs == (unsigned long)buf && seg_want[who].gs_words[0] ==
			 buf[0] && seg_want[who].gs_words[1] == buf[1] &&
			 seg_want[who].gs_words[2] == buf[511],
			 "thread %d: GS does not point at the buffer set", who);
}

static void seg_check(int who)
{
	struct seg_state s, *w = &seg_want[who];

	seg_read(&s);
	zs_check(s.fs == w->fs && s.fs0 == w->fs0 && s.fs_sel == w->fs_sel,
		 "round %d, thread %d: FS base or selector changed", zs_round, who);
	zs_check(s.gs == w->gs && s.gs_sel == w->gs_sel,
		 "round %d, thread %d: GS base or selector changed (base %s)", zs_round, who,
		 s.gs ? "set" : "0");
	zs_check(!memcmp(s.gs_words, w->gs_words, sizeof(s.gs_words)),
		 "round %d, thread %d: loads through %%gs read other words", zs_round, who);
}

static void run_segments(void)
{
	zs_in_step(2, seg_setup, seg_check);
	zs_in_step_join();
	zs_check(seg_want[1].gs, "ARCH_SET_GS set no GS base");
	zdtm_say("cpu_state segments: FS and GS the same in both threads in every round\n");
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";

	if (!strcmp(what, "fenv"))
		run_fenv();
	else if (!strcmp(what, "vector"))
		run_vector();
	else if (!strcmp(what, "segments"))
		run_segments();
	else
		zs_fail("usage: cpu_state fenv|vector|segments");
	return 0;
}
