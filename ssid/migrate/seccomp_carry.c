// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * seccomp_carry.c - check, encode and decode a process's seccomp filter
 * chain (see seccomp_carry.h).  Pure: the restore helper links it too.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <asm/prctl.h>
#include <linux/audit.h>
#include <linux/sched.h>
#include <linux/seccomp.h>

#include "kmod/stub/deputy_proto.h"
#include "migrate/seccomp_carry.h"

bool seccomp_prog_may_notify(const struct sock_filter *p, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++) {
		if (BPF_CLASS(p[i].code) != BPF_RET)
			continue;
		/* seccomp allows RET_K and RET_A; anything else: unknown */
		if (BPF_RVAL(p[i].code) != BPF_K)
			return true;
		if ((p[i].k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF)
			return true;
	}
	return false;
}

int seccomp_chain_check(const struct seccomp_chain *c, uint32_t extra, char *why, size_t len)
{
	uint64_t path = 0;
	uint32_t i;

	if (!c->n || c->n > SECCOMP_CARRY_MAX_FILTERS) {
		snprintf(why, len, "%u seccomp filters: more than the kernel takes", c->n);
		return c->n ? -E2BIG : -EINVAL;
	}
	for (i = 0; i < c->n; i++) {
		const struct seccomp_one *f = &c->f[i];

		if (!f->len || f->len > BPF_MAXINSNS) {
			snprintf(why, len, "seccomp filter %u has %u instructions (1 .. %u)", i,
				 f->len, BPF_MAXINSNS);
			return f->len ? -E2BIG : -EINVAL;
		}
		if (f->flags & ~(uint32_t)SECCOMP_FILTER_FLAG_LOG) {
			snprintf(why, len, "seccomp filter %u has flags 0x%x", i, f->flags);
			return -EINVAL;
		}
		if (seccomp_prog_may_notify(f->insns, f->len)) {
			snprintf(why, len, "a seccomp filter that notifies a listener (filter %u of %u)",
				 i + 1, c->n);
			return -EOPNOTSUPP;
		}
		/* each filter below the newest costs 4 more (kernel/seccomp.c) */
		path += f->len + (i + 1 < c->n || extra ? SECCOMP_CARRY_PENALTY : 0);
	}
	path += extra;
	if (path > SECCOMP_CARRY_MAX_PATH) {
		snprintf(why, len, "seccomp filters of %llu instructions%s: more than the kernel's %u",
			 (unsigned long long)path, extra ? " with ssid's own" : "",
			 SECCOMP_CARRY_MAX_PATH);
		return -E2BIG;
	}
	return 0;
}

size_t seccomp_chain_encoded_len(const struct seccomp_chain *c)
{
	return SECCOMP_CARRY_HDR_LEN + SECCOMP_CARRY_FILTER_HDR_LEN * (size_t)c->n +
	       SECCOMP_CARRY_INSN_LEN * (size_t)c->total;
}

static unsigned char *put32(unsigned char *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, 4);
	return p + 4;
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return be32toh(v);
}

size_t seccomp_chain_encode(const struct seccomp_chain *c, void *buf)
{
	unsigned char *p = buf;
	uint32_t i, j;

	*p++ = SECCOMP_CARRY_VERSION;
	*p++ = 0;
	*p++ = 0;
	*p++ = 0;
	p = put32(p, c->n);
	for (i = 0; i < c->n; i++) {
		p = put32(p, c->f[i].flags);
		p = put32(p, c->f[i].len);
		for (j = 0; j < c->f[i].len; j++) {
			const struct sock_filter *s = &c->f[i].insns[j];
			uint16_t code = htobe16(s->code);

			memcpy(p, &code, 2);
			p[2] = s->jt;
			p[3] = s->jf;
			p = put32(p + 4, s->k);
		}
	}
	return (size_t)(p - (unsigned char *)buf);
}

void seccomp_chain_free(struct seccomp_chain *c)
{
	free(c->f);
	free(c->insns);
	memset(c, 0, sizeof(*c));
}

int seccomp_chain_add(struct seccomp_chain *c, const struct sock_filter *p, uint32_t len,
		      uint32_t flags)
{
	struct seccomp_one *f;
	struct sock_filter *in;
	uint32_t i;

	if (len > SECCOMP_CARRY_MAX_PATH || c->total + len > SECCOMP_CARRY_MAX_PATH ||
	    c->n >= SECCOMP_CARRY_MAX_FILTERS)
		return -E2BIG;
	f = realloc(c->f, (c->n + 1) * sizeof(*f));
	if (!f)
		return -ENOMEM;
	c->f = f;
	in = realloc(c->insns, ((size_t)c->total + len) * sizeof(*in) ?: 1);
	if (!in)
		return -ENOMEM;
	c->insns = in;
	memcpy(in + c->total, p, (size_t)len * sizeof(*in));
	f[c->n].flags = flags;
	f[c->n].len = len;
	c->n++;
	c->total += len;
	/* the array may have moved: point every filter into it again */
	for (i = 0, len = 0; i < c->n; len += f[i].len, i++)
		f[i].insns = in + len;
	return 0;
}

bool seccomp_chain_equal(const struct seccomp_chain *a, const struct seccomp_chain *b)
{
	uint32_t i;

	if (a->n != b->n || a->total != b->total)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->f[i].flags != b->f[i].flags || a->f[i].len != b->f[i].len)
			return false;
	return !a->total || !memcmp(a->insns, b->insns, a->total * sizeof(*a->insns));
}

int seccomp_chain_decode(const void *buf, size_t len, struct seccomp_chain *c,
			 char *why, size_t whylen)
{
	const unsigned char *p = buf, *end = p + len;
	struct sock_filter *insns;
	uint32_t n, i, j, flen, total = 0;
	int rc;

	memset(c, 0, sizeof(*c));
	if (!buf || len < SECCOMP_CARRY_HDR_LEN || p[0] != SECCOMP_CARRY_VERSION ||
	    p[1] || p[2] || p[3]) {
		snprintf(why, whylen, "seccomp filters: not an encoding of version %u",
			 SECCOMP_CARRY_VERSION);
		return -EINVAL;
	}
	n = get32(p + 4);
	p += SECCOMP_CARRY_HDR_LEN;
	if (!n || n > SECCOMP_CARRY_MAX_FILTERS) {
		snprintf(why, whylen, "seccomp filters: %u filters", n);
		return -EINVAL;
	}
	/* first pass: the sizes, against the bytes there are */
	for (i = 0; i < n; i++) {
		if ((size_t)(end - p) < SECCOMP_CARRY_FILTER_HDR_LEN)
			goto short_;
		flen = get32(p + 4);
		p += SECCOMP_CARRY_FILTER_HDR_LEN;
		if (!flen || flen > BPF_MAXINSNS || total + flen > SECCOMP_CARRY_MAX_PATH) {
			snprintf(why, whylen, "seccomp filter %u: %u instructions", i, flen);
			return -EINVAL;
		}
		if ((size_t)(end - p) / SECCOMP_CARRY_INSN_LEN < flen)
			goto short_;
		p += (size_t)flen * SECCOMP_CARRY_INSN_LEN;
		total += flen;
	}
	if (p != end) {
		snprintf(why, whylen, "seccomp filters: %zu bytes after the last filter",
			 (size_t)(end - p));
		return -EINVAL;
	}
	c->f = calloc(n, sizeof(*c->f));
	c->insns = insns = calloc(total, sizeof(*insns));
	if (!c->f || !insns) {
		seccomp_chain_free(c);
		snprintf(why, whylen, "seccomp filters: out of memory");
		return -ENOMEM;
	}
	c->n = n;
	c->total = total;
	p = (const unsigned char *)buf + SECCOMP_CARRY_HDR_LEN;
	for (i = 0; i < n; i++) {
		c->f[i].flags = get32(p);
		c->f[i].len = get32(p + 4);
		c->f[i].insns = insns;
		p += SECCOMP_CARRY_FILTER_HDR_LEN;
		for (j = 0; j < c->f[i].len; j++, p += SECCOMP_CARRY_INSN_LEN) {
			uint16_t code;

			memcpy(&code, p, 2);
			insns[j].code = be16toh(code);
			insns[j].jt = p[2];
			insns[j].jf = p[3];
			insns[j].k = get32(p + 4);
		}
		insns += c->f[i].len;
	}
	rc = seccomp_chain_check(c, 0, why, whylen);
	if (rc)
		seccomp_chain_free(c);
	return rc;
short_:
	snprintf(why, whylen, "seccomp filters: %zu bytes, cut short", len);
	return -EINVAL;
}

/* A 32-bit word of @d at byte @off (seccomp_data is read in words). */
static int load_word(const struct seccomp_data *d, uint32_t off, uint32_t *v)
{
	if (off & 3 || off > sizeof(*d) - 4)
		return -1;
	memcpy(v, (const char *)d + off, 4);
	return 0;
}

uint32_t seccomp_prog_run(const struct sock_filter *p, uint32_t len,
			  const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 }, pc = 0;

	while (pc < len) {
		const struct sock_filter *f = &p[pc++];
		uint32_t src = BPF_SRC(f->code) == BPF_X ? x : f->k;

		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
		case BPF_LDX: {
			uint32_t v;

			switch (BPF_MODE(f->code)) {
			case BPF_ABS:
				if (load_word(d, f->k, &v))
					return SECCOMP_RET_KILL_PROCESS;
				break;
			case BPF_IMM:
				v = f->k;
				break;
			case BPF_MEM:
				if (f->k >= BPF_MEMWORDS)
					return SECCOMP_RET_KILL_PROCESS;
				v = mem[f->k];
				break;
			case BPF_LEN:
				v = sizeof(*d);
				break;
			default:
				return SECCOMP_RET_KILL_PROCESS;
			}
			if (BPF_CLASS(f->code) == BPF_LD)
				a = v;
			else
				x = v;
			break;
		}
		case BPF_ST:
		case BPF_STX:
			if (f->k >= BPF_MEMWORDS)
				return SECCOMP_RET_KILL_PROCESS;
			mem[f->k] = BPF_CLASS(f->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			switch (BPF_OP(f->code)) {
			case BPF_ADD: a += src; break;
			case BPF_SUB: a -= src; break;
			case BPF_MUL: a *= src; break;
			case BPF_DIV:
				if (!src)
					return SECCOMP_RET_KILL_PROCESS;
				a /= src;
				break;
			case BPF_MOD:
				if (!src)
					return SECCOMP_RET_KILL_PROCESS;
				a %= src;
				break;
			case BPF_AND: a &= src; break;
			case BPF_OR: a |= src; break;
			case BPF_XOR: a ^= src; break;
			case BPF_LSH: a = src < 32 ? a << src : 0; break;
			case BPF_RSH: a = src < 32 ? a >> src : 0; break;
			case BPF_NEG: a = -a; break;
			default: return SECCOMP_RET_KILL_PROCESS;
			}
			break;
		case BPF_JMP: {
			bool t;

			if (BPF_OP(f->code) == BPF_JA) {
				if (f->k >= len - pc)
					return SECCOMP_RET_KILL_PROCESS;
				pc += f->k;
				break;
			}
			switch (BPF_OP(f->code)) {
			case BPF_JEQ: t = a == src; break;
			case BPF_JGT: t = a > src; break;
			case BPF_JGE: t = a >= src; break;
			case BPF_JSET: t = a & src; break;
			default: return SECCOMP_RET_KILL_PROCESS;
			}
			pc += t ? f->jt : f->jf;
			break;
		}
		case BPF_RET:
			return BPF_RVAL(f->code) == BPF_A ? a : f->k;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		}
	}
	return SECCOMP_RET_KILL_PROCESS;	/* ran off the end */
}

uint32_t seccomp_chain_run(const struct seccomp_chain *c, const struct seccomp_data *d)
{
	uint32_t ret = SECCOMP_RET_ALLOW, i;

	/* as seccomp_run_filters(): newest first, an older one wins if stricter */
	for (i = c->n; i-- > 0;) {
		uint32_t cur = seccomp_prog_run(c->f[i].insns, c->f[i].len, d);

		if ((int32_t)(cur & SECCOMP_RET_ACTION_FULL) <
		    (int32_t)(ret & SECCOMP_RET_ACTION_FULL))
			ret = cur;
	}
	return ret;
}

/* Stand-ins: an address on a stack, the channel's first fd and its moved one. */
#define PTR	0x7ffc00001000ULL
#define CHAN	3
#define HIGH	1023

int seccomp_chain_deputy_check(const struct seccomp_chain *c, pid_t pid, char *why, size_t len)
{
	/* kmod/stub/stub.c, call by call */
	const struct {
		const char *name;
		int nr;
		uint64_t args[6];
	} calls[] = {
		{ "recvfrom", __NR_recvfrom, { CHAN, PTR, sizeof(struct ssi_dep_cmd) } },
		{ "recvfrom", __NR_recvfrom, { HIGH, PTR, sizeof(struct ssi_dep_cmd) } },
		{ "sendto", __NR_sendto, { CHAN, PTR, sizeof(struct ssi_dep_event), MSG_NOSIGNAL } },
		{ "sendto", __NR_sendto, { HIGH, PTR, sizeof(struct ssi_dep_event), MSG_NOSIGNAL } },
		{ "arch_prctl", __NR_arch_prctl, { ARCH_SET_FS, PTR } },
		{ "prlimit64", __NR_prlimit64, { 0, RLIMIT_NOFILE, 0, PTR } },
		{ "prlimit64", __NR_prlimit64, { 0, RLIMIT_CORE, PTR, 0 } },
		{ "dup3", __NR_dup3, { CHAN, HIGH, O_CLOEXEC } },
		{ "close", __NR_close, { CHAN } },
		{ "rt_sigprocmask", __NR_rt_sigprocmask, { SIG_SETMASK, PTR, 0, 8 } },
		{ "rt_sigprocmask", __NR_rt_sigprocmask, { SIG_SETMASK, PTR, PTR, 8 } },
		{ "getpid", __NR_getpid, { 0 } },
		{ "gettid", __NR_gettid, { 0 } },
		{ "tgkill", __NR_tgkill, { (uint64_t)pid, (uint64_t)pid, SIGSEGV } },
		{ "rt_sigreturn", __NR_rt_sigreturn, { 0 } },
		{ "clone", __NR_clone, { CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
					 CLONE_THREAD | CLONE_SYSVSEM, PTR } },
		{ "exit", __NR_exit, { 0 } },
		{ "exit_group", __NR_exit_group, { 0 } },
	};
	struct seccomp_data d;
	uint32_t i, ret;
	int sig;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]) + 64; i++) {
		memset(&d, 0, sizeof(d));
		d.arch = AUDIT_ARCH_X86_64;
		if (i < sizeof(calls) / sizeof(calls[0])) {
			d.nr = calls[i].nr;
			memcpy(d.args, calls[i].args, sizeof(d.args));
		} else {
			/* its handler for every signal but SIGKILL and SIGSTOP */
			sig = (int)(i - sizeof(calls) / sizeof(calls[0])) + 1;
			if (sig == SIGKILL || sig == SIGSTOP)
				continue;
			d.nr = __NR_rt_sigaction;
			d.args[0] = (uint64_t)sig;
			d.args[1] = PTR;
			d.args[3] = 8;
		}
		ret = seccomp_chain_run(c, &d) & SECCOMP_RET_ACTION_FULL;
		if (ret == SECCOMP_RET_ALLOW || ret == SECCOMP_RET_LOG)
			continue;
		snprintf(why, len, "a seccomp filter that forbids a call its deputy makes at home (%s, action %#x)",
			 i < sizeof(calls) / sizeof(calls[0]) ? calls[i].name : "rt_sigaction", ret);
		return -EOPNOTSUPP;
	}
	return 0;
}
