/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * call_remote.h - the remote side of a forwarded system call: read the
 * arguments out of the migrated process, encode the request, and later
 * write the results back into the process.
 */
#ifndef SSID_CALL_REMOTE_H
#define SSID_CALL_REMOTE_H

#include <stddef.h>
#include <stdint.h>

#include "forward/call_wire.h"
#include "forward/syscall_policy.h"

/*
 * How the relay reaches the migrated process's memory (process_vm_readv/
 * writev in ssid; something else in tests).  Both return 0 when all @len
 * bytes were transferred, else -EFAULT.
 */
struct ssi_mem_ops {
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t len);
	int (*write)(void *ctx, uint64_t addr, const void *buf, size_t len);
};

/*
 * ssi_mem_process: the memory of another process through
 * process_vm_readv/writev; ctx points to its pid_t.  What the relay uses
 * on the remote node (the caller needs ptrace access: ssid is root).
 * ssi_mem_self: the caller's own memory; ctx is unused (tests, and calls
 * whose arguments ssid builds itself).
 */
extern const struct ssi_mem_ops ssi_mem_process;
extern const struct ssi_mem_ops ssi_mem_self;

/* Where the bytes of one OUT segment go in the process (in order). */
struct ssi_fwd_dest {
	uint32_t out;		/* index of the OUT segment */
	uint32_t len;		/* bytes of the segment for this destination */
	uint64_t addr;		/* in the migrated process */
};

/* A request being built or in flight; opaque apart from msg/msg_len. */
struct ssi_fwd_pending {
	uint8_t *msg;		/* encoded request (ssi_fwd_req ...) */
	size_t msg_len;

	/* building state */
	uint8_t *in;		/* the IN prefix of the area */
	size_t in_len, in_cap;
	size_t out_len;		/* OUT-only space after the prefix */
	uint32_t *relocs;	/* tagged offsets of u64 slots */
	uint32_t nrelocs, relocs_cap;
	struct ssi_fwd_out *outs;
	uint32_t nouts, outs_cap;
	struct ssi_fwd_dest *dests;
	uint32_t ndests, dests_cap;
	struct ssi_fwd_req req;
};

/*
 * ssi_fwd_build - encode a forwarded call.
 * @p:		zero-initialised; on success holds the request in msg/msg_len
 *		and what ssi_fwd_apply() needs.  Free with ssi_fwd_pending_free()
 *		in every case.
 * @nr:		syscall number; its table entry must be SSI_SC_FORWARD.
 * @args:	the six arguments as the process passed them.
 * @mem, @ctx:	access to the process's memory.
 *
 * Return: 0; or a negative errno the process should get as the syscall's
 * result without anything being forwarded (-EFAULT for a bad pointer,
 * -EINVAL for counts the kernel would refuse, -ENAMETOOLONG);
 * or -ENOSYS when the relay cannot marshal this call (an ioctl or fcntl
 * command it does not know): the caller pulls the process home instead.
 * Buffers longer than SSI_FWD_IO_MAX are shortened, so read/write-like
 * calls return short counts, which callers of these calls must handle.
 */
int ssi_fwd_build(struct ssi_fwd_pending *p, long nr, const uint64_t args[6],
		  const struct ssi_mem_ops *mem, void *ctx);

/*
 * ssi_fwd_apply - validate a reply and write its OUT segments back.
 * @reply, @len: the encoded reply as received.
 * @ret:	receives the syscall's return value.
 *
 * Return: 0, -EPROTO for a malformed reply (nothing written), or -EFAULT
 * if the process's memory could not be written (@ret is then -EFAULT too).
 */
int ssi_fwd_apply(const struct ssi_fwd_pending *p, const void *reply, size_t len,
		  int64_t *ret, const struct ssi_mem_ops *mem, void *ctx);

void ssi_fwd_pending_free(struct ssi_fwd_pending *p);

/*
 * ssi_fwd_in_arg - the @len bytes of pointer argument @i as the request
 * carries them (what home's kernel reads), or NULL if it carries none
 * (a NULL pointer, a shorter argument).
 */
const void *ssi_fwd_in_arg(const struct ssi_fwd_pending *p, int i, size_t len);

/* Longest buffer one forwarded read/write-like call moves. */
#define SSI_FWD_IO_MAX		(4u << 20)

#endif /* SSID_CALL_REMOTE_H */
