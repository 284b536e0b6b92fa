// SPDX-License-Identifier: GPL-2.0
/*
 * pkeys: protection keys made before the move are the same after it,
 * where the process runs.  Keys allocated with pkey_alloc (one denying
 * writes from the start), one freed after it was put on a mapping (the
 * mapping keeps it), and the execute-only key the kernel takes for an
 * mprotect(PROT_EXEC) mapping.  Every round checks:
 *  - PKRU (rdpkru) is what it was;
 *  - a write through the write-denied key and a read of the
 *    execute-only page fault with SEGV_PKUERR and that key in si_pkey;
 *    denying access to a key with pkey_set (WRPKRU) makes its page fault
 *    too, and allowing it again makes it readable;
 *  - the allocation is the same: pkey_alloc gives the freed key back (the
 *    lowest one free), pkey_mprotect puts it on its mapping again and
 *    pkey_free frees it; all three run where the process is (no pull
 *    home).
 * /proc/self/smaps names each mapping's key before the move and after the
 * last round.  On a CPU without protection keys it says so and exits 0
 * (both runs).
 */
#include "zs.h"

#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#ifndef SEGV_PKUERR
#define SEGV_PKUERR 4
#endif
#ifndef PKEY_DISABLE_ACCESS
#define PKEY_DISABLE_ACCESS 1
#define PKEY_DISABLE_WRITE 2
#endif

static sigjmp_buf jb;
static volatile int fault_code, fault_key;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	fault_code = si->si_code;
#ifdef si_pkey
	fault_key = (int)si->si_pkey;
#else
	fault_key = -1;
#endif
	siglongjmp(jb, 1);
}

static unsigned int rdpkru(void)
{
	unsigned int eax, edx, ecx = 0;

	asm volatile(".byte 0x0f,0x01,0xee" : "=a"(eax), "=d"(edx) : "c"(ecx));
	return eax;
}

static void wrpkru(unsigned int pkru)
{
	asm volatile(".byte 0x0f,0x01,0xef" : : "a"(pkru), "c"(0), "d"(0));
}

/* Touch @p (write if @write); 0, or the fault's code with its key in *@key. */
static int touch(volatile char *p, int write, int *key)
{
	fault_code = 0;
	if (!sigsetjmp(jb, 1)) {
		if (write)
			*p = 1;
		else
			(void)*p;
		return 0;
	}
	*key = fault_key;
	return fault_code;
}

/*
 * The ProtectionKey smaps shows for the mapping at @addr, or -1.  Read
 * when no move can come between its reads (doc/state.md: a /proc text
 * read across a move): the rounds check the keys through the faults.
 */
static int smaps_key(void *addr)
{
	char line[256], perms[8];
	unsigned long lo, hi, a = (unsigned long)addr;
	int in = 0, key = -1;
	FILE *f = fopen("/proc/self/smaps", "r");

	zs_check(f != NULL, "/proc/self/smaps: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3)
			in = a >= lo && a < hi;
		else if (in && sscanf(line, "ProtectionKey: %d", &key) == 1)
			break;
	}
	fclose(f);
	return key;
}

/* Each mapping's key, as smaps shows it. */
static void check_smaps(const char *when, char *const *m, const int *k, int n)
{
	int i;

	for (i = 0; i < n; i++)
		zs_check(smaps_key(m[i]) == k[i], "%s: smaps shows key %d on mapping %d, made %d",
			 when, smaps_key(m[i]), i, k[i]);
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_NODEFER };
	char *a, *b, *c, *x;
	int k1, k2, k3, kx, key, code, round = 0;
	unsigned int pkru;

	k1 = (int)syscall(SYS_pkey_alloc, 0, 0);
	if (k1 < 0 && (errno == ENOSPC || errno == EINVAL || errno == ENOSYS)) {
		zdtm_say("pkeys: this CPU has no protection keys\n");
		zs_ready(getpid());
		while (zs_more())
			usleep(20000);
		return 0;
	}
	zs_check(k1 > 0, "pkey_alloc: %s", strerror(errno));
	k2 = (int)syscall(SYS_pkey_alloc, 0, PKEY_DISABLE_WRITE);
	k3 = (int)syscall(SYS_pkey_alloc, 0, 0);
	zs_check(k2 > 0 && k3 > 0, "pkey_alloc: %s", strerror(errno));
	a = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	zs_check(a != MAP_FAILED, "mmap: %s", strerror(errno));
	b = a + 4096;
	c = a + 2 * 4096;
	x = a + 3 * 4096;
	memset(a, 7, 4 * 4096);
	zs_check(!syscall(SYS_pkey_mprotect, a, 4096, PROT_READ | PROT_WRITE, k1) &&
		 !syscall(SYS_pkey_mprotect, b, 4096, PROT_READ | PROT_WRITE, k2) &&
		 !syscall(SYS_pkey_mprotect, c, 4096, PROT_READ | PROT_WRITE, k3),
		 "pkey_mprotect: %s", strerror(errno));
	zs_check(!mprotect(x, 4096, PROT_EXEC), "mprotect PROT_EXEC: %s", strerror(errno));
	zs_check(!syscall(SYS_pkey_free, k3), "pkey_free: %s", strerror(errno));
	sigaction(SIGSEGV, &sa, NULL);
	kx = smaps_key(x);
	zs_check(kx > 0 && kx != k1 && kx != k2 && kx != k3,
		 "the execute-only mapping has key %d (k1 %d k2 %d k3 %d)", kx, k1, k2, k3);
	pkru = rdpkru();
	{
		char *const m[] = { a, b, c, x };
		const int k[] = { k1, k2, k3, kx };

		check_smaps("before", m, k, 4);
		zs_ready(getpid());
	}
	while (zs_more()) {
		round++;
		zs_check(rdpkru() == pkru, "round %d: PKRU %#x, was %#x", round, rdpkru(), pkru);
		zs_check(!touch(a, 1, &key) && !touch(c, 1, &key) && !touch(b, 0, &key),
			 "round %d: an allowed access faulted (code %d key %d)", round,
			 fault_code, fault_key);
		code = touch(b, 1, &key);
		zs_check(code == SEGV_PKUERR && key == k2,
			 "round %d: a write through key %d: code %d key %d", round, k2, code, key);
		code = touch(x, 0, &key);
		zs_check(code == SEGV_PKUERR && key == kx,
			 "round %d: a read of the execute-only page: code %d key %d", round, code, key);
		wrpkru(pkru | PKEY_DISABLE_ACCESS << (2 * k1) | PKEY_DISABLE_ACCESS << (2 * k3));
		code = touch(a, 0, &key);
		zs_check(code == SEGV_PKUERR && key == k1,
			 "round %d: a read through key %d denied: code %d key %d", round, k1, code, key);
		code = touch(c, 0, &key);
		wrpkru(pkru);
		zs_check(code == SEGV_PKUERR && key == k3,
			 "round %d: a read through freed key %d denied: code %d key %d", round, k3,
			 code, key);
		zs_check(!touch(a, 0, &key) && !touch(c, 0, &key),
			 "round %d: keys %d and %d allowed again, a page faults", round, k1, k3);
		key = (int)syscall(SYS_pkey_alloc, 0, 0);
		zs_check(key == k3, "round %d: pkey_alloc gave %d, the lowest free is %d", round,
			 key, k3);
		zs_check(!syscall(SYS_pkey_mprotect, c, 4096, PROT_READ | PROT_WRITE, key),
			 "round %d: pkey_mprotect: %s", round, strerror(errno));
		zs_check(!syscall(SYS_pkey_free, key), "round %d: pkey_free %d: %s", round, key,
			 strerror(errno));
		usleep(20000);
	}
	{
		char *const m[] = { a, b, c, x };
		const int k[] = { k1, k2, k3, kx };

		check_smaps("after", m, k, 4);
	}
	zdtm_say("pkeys: 3 keys allocated and freed, an execute-only one, the same in every round\n");
	return 0;
}
