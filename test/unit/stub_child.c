// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stub_child.c - a child process that becomes a deputy by entering the
 * stub blob as ssi.ko does (see stub_child.h).
 */
#include <check.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "stub_child.h"

#ifndef STUB_BIN
#error "STUB_BIN must name kmod/stub/stub.bin"
#endif

#define STACK_LEN	(64u << 10)

static void *load_stub(void)
{
	struct stat st;
	void *p;
	int fd = open(STUB_BIN, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		return NULL;
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

/* In the child: become the deputy.  Never returns. */
static __attribute__((noreturn)) void enter_stub(int chan)
{
	void *entry = load_stub();
	void *area = mmap((void *)STUB_CHILD_AREA_ADDR, STUB_CHILD_AREA_LEN,
			  PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	char *stack = mmap(NULL, STACK_LEN, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	register long r_sp __asm__("r8");

	if (!entry || area == MAP_FAILED || stack == MAP_FAILED || chdir("/tmp"))
		_exit(120);
	/*
	 * 16-byte aligned top minus 8: as if stub_entry had been called, as
	 * the thread-group leader (index 0 in rcx: deputy_proto.h)
	 */
	r_sp = (long)(((uintptr_t)stack + STACK_LEN) & ~15UL) - 8;
	__asm__ volatile ("mov %%r8, %%rsp\n\tjmp *%%rax"
			  : : "r"(r_sp), "a"(entry), "D"((long)chan), "S"(area),
			      "d"((long)STUB_CHILD_AREA_LEN), "c"(0L)
			  : "memory");
	__builtin_unreachable();
}

pid_t stub_child_spawn(struct ssi_deputy *d)
{
	int sv[2];
	pid_t pid;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(sv[0]);
		enter_stub(sv[1]);
	}
	close(sv[1]);
	memset(d, 0, sizeof(*d));
	ck_assert_int_eq(ssi_deputy_attach(d, pid, sv[0], STUB_CHILD_AREA_ADDR,
					   STUB_CHILD_AREA_LEN, 5000), 0);
	ck_assert_int_gt(d->stub_chan, 1000);	/* moved out of the way */
	return pid;
}
