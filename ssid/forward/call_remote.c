// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * call_remote.c - marshal a trapped system call for its home node, driven
 * by the argument descriptors of the syscall policy table, and write the
 * results back when the reply comes.
 *
 * Offsets are tagged while the request is built: the area is [IN prefix]
 * [OUT-only space], and the prefix's final size is known only at the end,
 * so offsets into OUT-only space carry OUT_TAG until ssi_fwd_build()
 * resolves them.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <fcntl.h>
#include <termios.h>
#include <time.h>

#include "forward/call_remote.h"
#include "forward/futex_shared.h"

#define ALIGN8(x)	(((x) + 7) & ~(size_t)7)
#define OUT_TAG		0x80000000u
#define IOV_MAX_K	1024u	/* UIO_MAXIOV */

/* Sizes of kernel structures (x86-64) that user-space headers do not match. */
#define K_TERMIOS_SIZE	36	/* struct termios of TCGETS, not glibc's */
#define K_MSGHDR_SIZE	56	/* struct user_msghdr */
#define K_FLOCK_SIZE	32	/* struct flock */

/* ---------------------------------------------------------------------- */
/* Memory accessors                                                        */

static int process_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct iovec l = { buf, len }, r = { (void *)(uintptr_t)addr, len };

	return process_vm_readv(*(pid_t *)ctx, &l, 1, &r, 1, 0) == (ssize_t)len ? 0 : -EFAULT;
}

static int process_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	struct iovec l = { (void *)buf, len }, r = { (void *)(uintptr_t)addr, len };

	return process_vm_writev(*(pid_t *)ctx, &l, 1, &r, 1, 0) == (ssize_t)len ? 0 : -EFAULT;
}

static int self_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	memcpy(buf, (const void *)(uintptr_t)addr, len);
	return 0;
}

static int self_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	memcpy((void *)(uintptr_t)addr, buf, len);
	return 0;
}

const struct ssi_mem_ops ssi_mem_process = { process_read, process_write };
const struct ssi_mem_ops ssi_mem_self = { self_read, self_write };

/* ---------------------------------------------------------------------- */
/* Growing arrays                                                          */

static int grow(void **v, uint32_t *cap, uint32_t need, size_t elem)
{
	uint32_t n = *cap ? *cap : 8;
	void *nv;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	nv = realloc(*v, (size_t)n * elem);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = n;
	return 0;
}

/* Reserve @len bytes of IN prefix; returns its (untagged) offset or -errno. */
static int64_t in_reserve(struct ssi_fwd_pending *p, size_t len)
{
	size_t off = ALIGN8(p->in_len), end = off + len;
	uint8_t *n;

	if (end > SSI_FWD_AREA_MAX || end + p->out_len > SSI_FWD_AREA_MAX)
		return -E2BIG;
	if (end > p->in_cap) {
		size_t cap = p->in_cap ? p->in_cap : 256;

		while (cap < end)
			cap *= 2;
		n = realloc(p->in, cap);
		if (!n)
			return -ENOMEM;
		p->in = n;
		p->in_cap = cap;
	}
	if (end > p->in_len)
		memset(p->in + p->in_len, 0, end - p->in_len);
	p->in_len = end;
	return (int64_t)off;
}

/* Copy @len bytes at @addr of the process into a new IN segment. */
static int64_t in_copy(struct ssi_fwd_pending *p, uint64_t addr, size_t len,
		       const struct ssi_mem_ops *mem, void *ctx)
{
	int64_t off = in_reserve(p, len);

	if (off < 0 || !len)
		return off;
	if (mem->read(ctx, addr, p->in + off, len))
		return -EFAULT;
	return off;
}

/* Reserve @len bytes of OUT-only space; returns a tagged offset. */
static int64_t out_reserve(struct ssi_fwd_pending *p, size_t len)
{
	size_t off = ALIGN8(p->out_len);

	if (ALIGN8(p->in_len) + off + len > SSI_FWD_AREA_MAX)
		return -E2BIG;
	p->out_len = off + len;
	return (int64_t)(off | OUT_TAG);
}

static int add_reloc(struct ssi_fwd_pending *p, uint32_t slot, uint64_t target)
{
	if (p->nrelocs >= SSI_FWD_RELOCS_MAX)
		return -E2BIG;
	if (grow((void **)&p->relocs, &p->relocs_cap, p->nrelocs + 1, sizeof(*p->relocs)))
		return -ENOMEM;
	memcpy(p->in + slot, &target, 8);	/* tagged; resolved at the end */
	p->relocs[p->nrelocs++] = slot;
	return 0;
}

/* A new OUT segment; returns its index or -errno. */
static int add_out(struct ssi_fwd_pending *p, uint32_t off, uint32_t cap, uint8_t mode,
		   uint16_t elem, uint32_t ref)
{
	struct ssi_fwd_out *o;

	if (p->nouts >= SSI_FWD_OUTS_MAX)
		return -E2BIG;
	if (grow((void **)&p->outs, &p->outs_cap, p->nouts + 1, sizeof(*p->outs)))
		return -ENOMEM;
	o = &p->outs[p->nouts];
	memset(o, 0, sizeof(*o));
	o->off = off;
	o->cap = cap;
	o->mode = mode;
	o->elem = elem;
	o->ref = ref;
	return (int)p->nouts++;
}

static int add_dest(struct ssi_fwd_pending *p, int out, uint64_t addr, uint32_t len)
{
	if (grow((void **)&p->dests, &p->dests_cap, p->ndests + 1, sizeof(*p->dests)))
		return -ENOMEM;
	p->dests[p->ndests].out = (uint32_t)out;
	p->dests[p->ndests].len = len;
	p->dests[p->ndests].addr = addr;
	p->ndests++;
	return 0;
}

/* An OUT segment written back to one place in the process. */
static int out_to(struct ssi_fwd_pending *p, uint32_t off, uint32_t cap, uint8_t mode,
		  uint16_t elem, uint32_t ref, uint64_t addr)
{
	int o = add_out(p, off, cap, mode, elem, ref);

	return o < 0 ? o : add_dest(p, o, addr, cap);
}

static void set_ptr_arg(struct ssi_fwd_pending *p, int i, uint32_t off)
{
	p->req.args[i] = off;
	p->req.ptr_mask |= 1u << i;
}

/* ---------------------------------------------------------------------- */
/* Argument kinds                                                          */

static int64_t copy_string(struct ssi_fwd_pending *p, uint64_t addr,
			   const struct ssi_mem_ops *mem, void *ctx)
{
	char buf[PATH_MAX];
	size_t got = 0;

	/* Page by page: a string may end just before an unmapped page. */
	while (got < sizeof(buf)) {
		size_t chunk = 4096 - ((addr + got) & 4095);
		char *nul;

		if (chunk > sizeof(buf) - got)
			chunk = sizeof(buf) - got;
		if (mem->read(ctx, addr + got, buf + got, chunk))
			return -EFAULT;
		nul = memchr(buf + got, 0, chunk);
		if (nul) {
			int64_t off = in_reserve(p, (size_t)(nul - buf) + 1);

			if (off >= 0)
				memcpy(p->in + off, buf, (size_t)(nul - buf) + 1);
			return off;
		}
		got += chunk;
	}
	return -ENAMETOOLONG;
}

/*
 * iovec arrays: @n entries at @addr.  IN: their data is copied into the
 * prefix; OUT: one OUT-only region holds them all, written back (RET_BYTES)
 * by scattering in order.  Either way a new iovec array in the prefix
 * points at the area.  Returns the array's offset.
 */
static int64_t do_iov(struct ssi_fwd_pending *p, uint64_t addr, uint64_t n, int out,
		      const struct ssi_mem_ops *mem, void *ctx)
{
	struct iovec *iov;
	uint64_t total = 0;
	int64_t arr, data = 0;
	uint64_t i;
	int o = -1, err = 0;

	if (n > IOV_MAX_K)
		return -EINVAL;
	iov = calloc(n ? n : 1, sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	if (n && mem->read(ctx, addr, iov, n * sizeof(*iov))) {
		free(iov);
		return -EFAULT;
	}
	/* Clamp the total as read(2)/write(2) would return short. */
	for (i = 0; i < n; i++) {
		if (iov[i].iov_len > SSI_FWD_IO_MAX - total)
			iov[i].iov_len = SSI_FWD_IO_MAX - total;
		total += iov[i].iov_len;
	}
	arr = in_reserve(p, n * sizeof(*iov));
	if (arr < 0) {
		err = (int)arr;
		goto out;
	}
	if (out) {
		data = out_reserve(p, total);
		if (data < 0) {
			err = (int)data;
			goto out;
		}
		o = add_out(p, (uint32_t)data, (uint32_t)total, SSI_FWD_OUT_RET_BYTES, 0, 0);
		if (o < 0) {
			err = o;
			goto out;
		}
	}
	for (i = 0; i < n && !err; i++) {
		uint64_t pos;
		uint64_t slot = (uint64_t)arr + i * sizeof(struct iovec);
		uint64_t len = iov[i].iov_len;

		if (out) {
			/* consecutive parts of the OUT region, scattered back in order */
			pos = (uint64_t)data;
			err = add_dest(p, o, (uint64_t)(uintptr_t)iov[i].iov_base, (uint32_t)len);
			data += (int64_t)len;
		} else {
			int64_t d = in_copy(p, (uint64_t)(uintptr_t)iov[i].iov_base, len, mem, ctx);

			if (d < 0) {
				err = (int)d;
				break;
			}
			pos = (uint64_t)d;
		}
		if (!err)
			err = add_reloc(p, (uint32_t)slot, pos);
		if (!err)
			memcpy(p->in + slot + 8, &len, 8);
	}
out:
	free(iov);
	return err ? err : arr;
}

static int do_arg(struct ssi_fwd_pending *p, const struct ssi_sc_entry *e, int i,
		  const uint64_t args[6], int64_t argoff[6],
		  const struct ssi_mem_ops *mem, void *ctx)
{
	const struct ssi_sc_arg *a = &e->args[i];
	uint64_t v = args[i], len = args[a->len];
	int64_t off;

	if (a->kind == SSI_ARG_VAL || a->kind == SSI_ARG_FD)
		return 0;
	if (!v)		/* NULL stays NULL: the kernel at home decides */
		return 0;
	switch (a->kind) {
	case SSI_ARG_IN_STR:
		off = copy_string(p, v, mem, ctx);
		break;
	case SSI_ARG_IN_BUF:
		if (len > SSI_FWD_IO_MAX)
			p->req.args[a->len] = len = SSI_FWD_IO_MAX;
		off = in_copy(p, v, len, mem, ctx);
		break;
	case SSI_ARG_OUT_BUF:
		if (len > SSI_FWD_IO_MAX)
			p->req.args[a->len] = len = SSI_FWD_IO_MAX;
		off = out_reserve(p, len);
		if (off >= 0)
			off = out_to(p, (uint32_t)off, (uint32_t)len, SSI_FWD_OUT_RET_BYTES,
				     0, 0, v) ?: off;
		break;
	case SSI_ARG_OUT_BUF_LENP: {
		uint32_t cap;

		/* the socklen_t was copied in by its own INOUT_FIXED argument */
		if (!args[a->len] || argoff[a->len] < 0)
			return -EFAULT;
		memcpy(&cap, p->in + argoff[a->len], 4);
		if ((int32_t)cap < 0)
			return -EINVAL;
		if (cap > SSI_FWD_IO_MAX)
			cap = SSI_FWD_IO_MAX;
		off = out_reserve(p, cap);
		if (off >= 0)
			off = out_to(p, (uint32_t)off, cap, SSI_FWD_OUT_LENP, 0,
				     (uint32_t)argoff[a->len], v) ?: off;
		break;
	}
	case SSI_ARG_IN_FIXED:
		off = in_copy(p, v, a->size, mem, ctx);
		break;
	case SSI_ARG_OUT_FIXED:
		off = out_reserve(p, a->size);
		if (off >= 0)
			off = out_to(p, (uint32_t)off, a->size, SSI_FWD_OUT_ALL, 0, 0, v) ?: off;
		break;
	case SSI_ARG_INOUT_FIXED:
		off = in_copy(p, v, a->size, mem, ctx);
		if (off >= 0)
			off = out_to(p, (uint32_t)off, a->size, SSI_FWD_OUT_ALL, 0, 0, v) ?: off;
		break;
	case SSI_ARG_IN_IOV:
		off = do_iov(p, v, len, 0, mem, ctx);
		break;
	case SSI_ARG_OUT_IOV:
		off = do_iov(p, v, len, 1, mem, ctx);
		break;
	case SSI_ARG_IN_ARRAY:
	case SSI_ARG_INOUT_ARRAY:
		if (len > SSI_FWD_AREA_MAX / a->size)
			return -EINVAL;
		off = in_copy(p, v, len * a->size, mem, ctx);
		if (off >= 0 && a->kind == SSI_ARG_INOUT_ARRAY)
			off = out_to(p, (uint32_t)off, (uint32_t)(len * a->size),
				     SSI_FWD_OUT_ALL, 0, 0, v) ?: off;
		break;
	case SSI_ARG_OUT_ARRAY_RET:
		if ((int64_t)len <= 0)
			return 0;	/* the kernel at home returns EINVAL */
		if (len > SSI_FWD_IO_MAX / a->size)
			p->req.args[a->len] = len = SSI_FWD_IO_MAX / a->size;
		off = out_reserve(p, len * a->size);
		if (off >= 0)
			off = out_to(p, (uint32_t)off, (uint32_t)(len * a->size),
				     SSI_FWD_OUT_RET_ELEMS, a->size, 0, v) ?: off;
		break;
	default:
		return -ENOSYS;
	}
	if (off < 0)
		return (int)off;
	argoff[i] = off;
	set_ptr_arg(p, i, (uint32_t)off);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Calls with a handler of their own                                       */

/* ioctl requests the relay knows: argument direction and size. */
static int ioctl_shape(unsigned int cmd, int *dir, uint32_t *size)
{
	switch (cmd) {
	case TCGETS:					*dir = 2; *size = K_TERMIOS_SIZE; return 0;
	case TCSETS: case TCSETSW: case TCSETSF:	*dir = 1; *size = K_TERMIOS_SIZE; return 0;
	case TIOCGWINSZ:				*dir = 2; *size = 8; return 0;
	case TIOCSWINSZ:				*dir = 1; *size = 8; return 0;
	case FIONREAD: case TIOCOUTQ: case TIOCGPGRP:	*dir = 2; *size = 4; return 0;
	case TIOCSPGRP: case FIONBIO: case FIOASYNC:	*dir = 1; *size = 4; return 0;
	case FIOCLEX: case FIONCLEX: case TCFLSH: case TCXONC: case TCSBRK:
	case TIOCSCTTY: case TIOCNOTTY:			*dir = 0; *size = 0; return 0;
	}
	return -ENOSYS;
}

/* fcntl commands the relay knows: 0 value, 1 in, 2 out, 3 in+out struct. */
static int fcntl_shape(unsigned int cmd, int *dir, uint32_t *size)
{
	*size = 0;
	switch (cmd) {
	case F_DUPFD: case F_GETFD: case F_SETFD: case F_GETFL: case F_SETFL:
	case F_SETOWN: case F_GETOWN: case F_SETSIG: case F_GETSIG:
	case F_SETLEASE: case F_GETLEASE: case F_NOTIFY: case F_DUPFD_CLOEXEC:
	case F_SETPIPE_SZ: case F_GETPIPE_SZ: case F_ADD_SEALS: case F_GET_SEALS:
		*dir = 0;
		return 0;
	case F_GETLK: case F_OFD_GETLK:
		*dir = 3; *size = K_FLOCK_SIZE;
		return 0;
	case F_SETLK: case F_SETLKW: case F_OFD_SETLK: case F_OFD_SETLKW:
		*dir = 1; *size = K_FLOCK_SIZE;
		return 0;
	case F_GETOWN_EX:
		*dir = 2; *size = 8;
		return 0;
	case F_SETOWN_EX:
		*dir = 1; *size = 8;
		return 0;
	}
	return -ENOSYS;
}

/* ioctl(fd, cmd, arg) and fcntl(fd, cmd, arg): arg per the shape tables. */
static int do_shaped(struct ssi_fwd_pending *p, int dir, uint32_t size, const uint64_t args[6],
		     const struct ssi_mem_ops *mem, void *ctx)
{
	int64_t off;

	if (!size || !args[2])
		return 0;	/* a value, or NULL: the kernel at home decides */
	if (dir == 2)
		off = out_reserve(p, size);
	else
		off = in_copy(p, args[2], size, mem, ctx);
	if (off >= 0 && dir >= 2)
		off = out_to(p, (uint32_t)off, size, SSI_FWD_OUT_ALL, 0, 0, args[2]) ?: off;
	if (off < 0)
		return (int)off;
	set_ptr_arg(p, 2, (uint32_t)off);
	return 0;
}

/* select(nfds, r, w, e, tv) and pselect6(nfds, r, w, e, ts, sigdata). */
static int do_select(struct ssi_fwd_pending *p, int pselect, const uint64_t args[6],
		     const struct ssi_mem_ops *mem, void *ctx)
{
	int64_t nfds = (int32_t)args[0], off;
	uint32_t setlen;
	int i, err;

	if (nfds < 0 || nfds > 65536)
		return -EINVAL;
	setlen = (uint32_t)(((nfds + 63) / 64) * 8);
	for (i = 1; i <= 3; i++) {
		if (!args[i] || !setlen)
			continue;
		off = in_copy(p, args[i], setlen, mem, ctx);
		if (off >= 0)
			off = out_to(p, (uint32_t)off, setlen, SSI_FWD_OUT_ALL, 0, 0, args[i]) ?: off;
		if (off < 0)
			return (int)off;
		set_ptr_arg(p, i, (uint32_t)off);
	}
	if (args[4]) {
		/* Linux updates the timeout on return, also when interrupted. */
		off = in_copy(p, args[4], 16, mem, ctx);
		if (off >= 0)
			off = out_to(p, (uint32_t)off, 16, SSI_FWD_OUT_ALWAYS, 0, 0, args[4]) ?: off;
		if (off < 0)
			return (int)off;
		set_ptr_arg(p, 4, (uint32_t)off);
	}
	if (pselect && args[5]) {
		/* struct { const sigset_t *ss; size_t ss_len; } */
		uint64_t sd[2];
		int64_t sdoff, ssoff;

		if (mem->read(ctx, args[5], sd, sizeof(sd)))
			return -EFAULT;
		if (sd[0] && sd[1] != 8)
			return -EINVAL;
		sdoff = in_reserve(p, sizeof(sd));
		if (sdoff < 0)
			return (int)sdoff;
		memcpy(p->in + sdoff + 8, &sd[1], 8);
		if (sd[0]) {
			ssoff = in_copy(p, sd[0], 8, mem, ctx);
			if (ssoff < 0)
				return (int)ssoff;
			err = add_reloc(p, (uint32_t)sdoff, (uint64_t)ssoff);
			if (err)
				return err;
		}
		set_ptr_arg(p, 5, (uint32_t)sdoff);
	}
	return 0;
}

/*
 * sendmsg/recvmsg(fd, msg, flags).  struct user_msghdr: name@0, namelen@8,
 * iov@16, iovlen@24, control@32, controllen@40, flags@48.  Received fds
 * (SCM_RIGHTS) are installed at home, where every fd of the process lives.
 */
static int do_msghdr(struct ssi_fwd_pending *p, int recv, const uint64_t args[6],
		     const struct ssi_mem_ops *mem, void *ctx)
{
	uint8_t m[K_MSGHDR_SIZE];
	uint64_t name, iov, iovlen, control, controllen;
	uint32_t namelen;
	int64_t moff, off;
	int err;

	if (!args[1])
		return 0;
	if (mem->read(ctx, args[1], m, sizeof(m)))
		return -EFAULT;
	memcpy(&name, m + 0, 8);
	memcpy(&namelen, m + 8, 4);
	memcpy(&iov, m + 16, 8);
	memcpy(&iovlen, m + 24, 8);
	memcpy(&control, m + 32, 8);
	memcpy(&controllen, m + 40, 8);
	if ((int32_t)namelen < 0 || controllen > INT_MAX)
		return -EINVAL;
	if (namelen > 128)
		namelen = 128;		/* sizeof(struct sockaddr_storage) */
	if (controllen > 65536)
		return -ENOBUFS;

	moff = in_reserve(p, sizeof(m));
	if (moff < 0)
		return (int)moff;
	memcpy(p->in + moff, m, sizeof(m));
	memcpy(p->in + moff + 8, &namelen, 4);
	set_ptr_arg(p, 1, (uint32_t)moff);

	if (name) {
		off = recv ? out_reserve(p, namelen) : in_copy(p, name, namelen, mem, ctx);
		if (off < 0)
			return (int)off;
		err = add_reloc(p, (uint32_t)moff, (uint64_t)off);
		if (!err && recv)
			err = out_to(p, (uint32_t)off, namelen, SSI_FWD_OUT_LENP, 0,
				     (uint32_t)moff + 8, name);
		if (err)
			return err;
	}
	if (iov) {
		off = do_iov(p, iov, iovlen, recv, mem, ctx);
		if (off < 0)
			return (int)off;
		err = add_reloc(p, (uint32_t)moff + 16, (uint64_t)off);
		if (err)
			return err;
	}
	if (control) {
		off = recv ? out_reserve(p, controllen) : in_copy(p, control, controllen, mem, ctx);
		if (off < 0)
			return (int)off;
		err = add_reloc(p, (uint32_t)moff + 32, (uint64_t)off);
		if (!err && recv)
			err = out_to(p, (uint32_t)off, (uint32_t)controllen, SSI_FWD_OUT_LENP, 0,
				     (uint32_t)moff + 40, control);
		if (err)
			return err;
	}
	if (recv) {
		/* Only the lengths and flags the kernel updates go back. */
		err = out_to(p, (uint32_t)moff + 8, 4, SSI_FWD_OUT_ALL, 0, 0, args[1] + 8);
		if (!err)
			err = out_to(p, (uint32_t)moff + 40, 8, SSI_FWD_OUT_ALL, 0, 0, args[1] + 40);
		if (!err)
			err = out_to(p, (uint32_t)moff + 48, 4, SSI_FWD_OUT_ALL, 0, 0, args[1] + 48);
		if (err)
			return err;
	}
	return 0;
}

/*
 * futex(uaddr, op, val, timeout or val2, uaddr2, val3), one that runs at
 * home (futex_shared.h): its words are used in place, in the deputy's
 * mappings of the same memory; a timeout crosses as a copy, and an
 * absolute CLOCK_MONOTONIC one as the time left (this node's monotonic
 * clock is not home's), the call becoming the FUTEX_WAIT it is then.
 */
static int do_futex(struct ssi_fwd_pending *p, const uint64_t args[6],
		    const struct ssi_mem_ops *mem, void *ctx)
{
	struct timespec ts, now;
	int64_t off, ns;

	if (!futex_timeout_arg(args[1]) || !args[3])
		return 0;
	if (mem->read(ctx, args[3], &ts, sizeof(ts)))
		return -EFAULT;
	if (futex_relative(args[1], args[5])) {
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
			return -EINVAL;
		clock_gettime(CLOCK_MONOTONIC, &now);
		ns = (ts.tv_sec - now.tv_sec) * 1000000000LL + (ts.tv_nsec - now.tv_nsec);
		if (ns < 0)
			ns = 0;
		ts.tv_sec = ns / 1000000000LL;
		ts.tv_nsec = ns % 1000000000LL;
		p->req.args[1] = FUTEX_WAIT;
	}
	off = in_reserve(p, sizeof(ts));
	if (off < 0)
		return (int)off;
	memcpy(p->in + off, &ts, sizeof(ts));
	set_ptr_arg(p, 3, (uint32_t)off);
	return 0;
}

static int do_custom(struct ssi_fwd_pending *p, const struct ssi_sc_entry *e,
		     const uint64_t args[6], const struct ssi_mem_ops *mem, void *ctx)
{
	uint32_t size;
	int dir;

	if (!strcmp(e->custom, "ioctl")) {
		if (ioctl_shape((unsigned int)args[1], &dir, &size))
			return -ENOSYS;
		return do_shaped(p, dir, size, args, mem, ctx);
	}
	if (!strcmp(e->custom, "fcntl")) {
		if (fcntl_shape((unsigned int)args[1], &dir, &size))
			return -ENOSYS;
		return do_shaped(p, dir, size, args, mem, ctx);
	}
	if (!strcmp(e->custom, "select"))
		return do_select(p, !strcmp(e->name, "pselect6"), args, mem, ctx);
	if (!strcmp(e->custom, "msghdr"))
		return do_msghdr(p, !strcmp(e->name, "recvmsg"), args, mem, ctx);
	if (!strcmp(e->custom, "futex"))
		return do_futex(p, args, mem, ctx);
	return -ENOSYS;
}

/* ---------------------------------------------------------------------- */

/* Turn a tagged offset into a final one. */
static uint64_t resolve(uint64_t off, size_t prefix)
{
	return (off & OUT_TAG) ? prefix + (off & ~(uint64_t)OUT_TAG) : off;
}

static int encode(struct ssi_fwd_pending *p)
{
	size_t prefix = ALIGN8(p->in_len), relocs_sz, outs_sz;
	uint32_t i;
	uint8_t *m;

	if (in_reserve(p, 0) < 0 || prefix + p->out_len > SSI_FWD_AREA_MAX)
		return -E2BIG;
	for (i = 0; i < 6; i++)
		if (p->req.ptr_mask & (1u << i))
			p->req.args[i] = resolve(p->req.args[i], prefix);
	for (i = 0; i < p->nrelocs; i++) {
		uint64_t v;

		memcpy(&v, p->in + p->relocs[i], 8);
		v = resolve(v, prefix);
		memcpy(p->in + p->relocs[i], &v, 8);
	}
	for (i = 0; i < p->nouts; i++) {
		p->outs[i].off = (uint32_t)resolve(p->outs[i].off, prefix);
		p->outs[i].ref = (uint32_t)resolve(p->outs[i].ref, prefix);
	}
	p->req.nrelocs = p->nrelocs;
	p->req.nouts = p->nouts;
	p->req.in_len = (uint32_t)p->in_len;
	p->req.area_len = (uint32_t)(prefix + ALIGN8(p->out_len));

	relocs_sz = ALIGN8((size_t)p->nrelocs * 4);
	outs_sz = (size_t)p->nouts * sizeof(struct ssi_fwd_out);
	p->msg_len = sizeof(p->req) + relocs_sz + outs_sz + p->in_len;
	m = calloc(1, p->msg_len);
	if (!m)
		return -ENOMEM;
	memcpy(m, &p->req, sizeof(p->req));
	if (p->nrelocs)
		memcpy(m + sizeof(p->req), p->relocs, (size_t)p->nrelocs * 4);
	if (p->nouts)
		memcpy(m + sizeof(p->req) + relocs_sz, p->outs, outs_sz);
	if (p->in_len)
		memcpy(m + sizeof(p->req) + relocs_sz + outs_sz, p->in, p->in_len);
	p->msg = m;
	return 0;
}

const void *ssi_fwd_in_arg(const struct ssi_fwd_pending *p, int i, size_t len)
{
	uint64_t off;

	if (i < 0 || i > 5 || !(p->req.ptr_mask & (1u << i)))
		return NULL;
	off = p->req.args[i];
	if (off > p->in_len || len > p->in_len - off)
		return NULL;
	return p->in + off;
}

int ssi_fwd_build(struct ssi_fwd_pending *p, long nr, const uint64_t args[6],
		  const struct ssi_mem_ops *mem, void *ctx)
{
	const struct ssi_sc_entry *e = ssi_sc_lookup(nr);
	int64_t argoff[6] = { -1, -1, -1, -1, -1, -1 };
	int i, err = 0, pass;

	if (!ssi_sc_forwards(nr))
		return -ENOSYS;
	p->req.nr = (uint32_t)nr;
	for (i = 0; i < 6; i++)
		p->req.args[i] = args[i];

	if (e->custom) {
		err = do_custom(p, e, args, mem, ctx);
	} else {
		/* Pass 0: everything but LENP, whose capacity comes from pass 0. */
		for (pass = 0; pass < 2 && !err; pass++) {
			for (i = 0; i < e->nargs && !err; i++) {
				int lenp = e->args[i].kind == SSI_ARG_OUT_BUF_LENP;

				if (lenp == pass)
					err = do_arg(p, e, i, args, argoff, mem, ctx);
			}
		}
	}
	if (!err)
		err = encode(p);
	return err;
}

int ssi_fwd_apply(const struct ssi_fwd_pending *p, const void *reply, size_t len,
		  int64_t *ret, const struct ssi_mem_ops *mem, void *ctx)
{
	const uint8_t *r = reply;
	struct ssi_fwd_reply rep;
	size_t pos, seg_pos[SSI_FWD_OUTS_MAX];
	uint64_t seg_len[SSI_FWD_OUTS_MAX], done[SSI_FWD_OUTS_MAX] = { 0 };
	uint32_t i;

	if (len < sizeof(rep))
		return -EPROTO;
	memcpy(&rep, r, sizeof(rep));
	if (rep.nouts != p->nouts || rep.pad)
		return -EPROTO;
	/* Validate the whole reply before writing anything. */
	pos = sizeof(rep);
	for (i = 0; i < p->nouts; i++) {
		if (len - pos < 8)
			return -EPROTO;
		memcpy(&seg_len[i], r + pos, 8);
		if (seg_len[i] > p->outs[i].cap || ALIGN8(seg_len[i]) > len - pos - 8)
			return -EPROTO;
		seg_pos[i] = pos + 8;
		pos += 8 + ALIGN8(seg_len[i]);
	}
	if (pos != len)
		return -EPROTO;

	*ret = rep.ret;
	for (i = 0; i < p->ndests; i++) {
		const struct ssi_fwd_dest *d = &p->dests[i];
		uint64_t n, avail = seg_len[d->out] - done[d->out];

		n = d->len < avail ? d->len : avail;
		if (n && mem->write(ctx, d->addr, r + seg_pos[d->out] + done[d->out], n)) {
			*ret = -EFAULT;
			return -EFAULT;
		}
		done[d->out] += n;
	}
	return 0;
}

void ssi_fwd_pending_free(struct ssi_fwd_pending *p)
{
	free(p->msg);
	free(p->in);
	free(p->relocs);
	free(p->outs);
	free(p->dests);
	memset(p, 0, sizeof(*p));
}
