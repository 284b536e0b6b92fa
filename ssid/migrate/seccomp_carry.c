// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * seccomp_carry.c - check, encode and decode a process's seccomp filter
 * chain (see seccomp_carry.h).  Pure: the restore helper links it too.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/seccomp.h>

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
