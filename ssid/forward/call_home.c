// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * call_home.c - validate a forwarded call, place its data where the deputy
 * will use it, and collect what the call wrote.
 *
 * The request comes from another node: nothing in it is trusted until
 * ssi_fwd_parse() has checked it against the message and area sizes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "forward/call_home.h"

#define ALIGN8(x)	(((x) + 7) & ~(size_t)7)

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* [off, off + len) lies inside an area of area_len bytes. */
static int in_area(uint64_t off, uint64_t len, uint32_t area_len)
{
	return off <= area_len && len <= area_len - off;
}

int ssi_fwd_parse(const void *msg, size_t len, struct ssi_fwd_call *call,
		  char *err, size_t errlen)
{
	const uint8_t *p = msg;
	const struct ssi_fwd_req *r = msg;
	size_t relocs_sz, outs_sz, need;
	uint32_t i;

	if (len < sizeof(*r))
		return fail(err, errlen, "request of %zu bytes is shorter than its header", len);
	if (r->flags || r->pad2 || r->pad[0] || r->pad[1] || r->pad[2])
		return fail(err, errlen, "reserved fields are not zero");
	if (r->nr > 1023)
		return fail(err, errlen, "syscall number %u out of range", r->nr);
	if (r->area_len > SSI_FWD_AREA_MAX || r->in_len > r->area_len)
		return fail(err, errlen, "area %u / prefix %u out of range",
			    r->area_len, r->in_len);
	if (r->nrelocs > SSI_FWD_RELOCS_MAX || r->nouts > SSI_FWD_OUTS_MAX)
		return fail(err, errlen, "%u relocations / %u outs: too many",
			    r->nrelocs, r->nouts);
	relocs_sz = ALIGN8((size_t)r->nrelocs * sizeof(uint32_t));
	outs_sz = (size_t)r->nouts * sizeof(struct ssi_fwd_out);
	need = sizeof(*r) + relocs_sz + outs_sz + r->in_len;
	if (len != need)
		return fail(err, errlen, "request is %zu bytes, its header says %zu", len, need);

	call->req = r;
	call->relocs = (const uint32_t *)(p + sizeof(*r));
	call->outs = (const struct ssi_fwd_out *)(p + sizeof(*r) + relocs_sz);
	call->in = p + sizeof(*r) + relocs_sz + outs_sz;

	for (i = 0; i < 6; i++)
		if ((r->ptr_mask & (1u << i)) && r->args[i] > r->area_len)
			return fail(err, errlen, "argument %u points outside the area", i);
	if (r->ptr_mask & 0xc0)
		return fail(err, errlen, "pointer mask names arguments 6-7");
	for (i = 0; i < r->nrelocs; i++) {
		uint64_t slot = call->relocs[i], target;

		/* slots hold data carried in the request: inside the prefix */
		if ((slot & 7) || !in_area(slot, 8, r->in_len))
			return fail(err, errlen, "relocation %u at %llu is not a slot of the prefix",
				    i, (unsigned long long)slot);
		memcpy(&target, call->in + slot, 8);
		if (target > r->area_len)
			return fail(err, errlen, "relocation %u points outside the area", i);
	}
	for (i = 0; i < r->nouts; i++) {
		const struct ssi_fwd_out *o = &call->outs[i];

		if (o->mode >= SSI_FWD_OUT_MODE_COUNT || o->pad)
			return fail(err, errlen, "out %u: bad mode %u", i, o->mode);
		if (!in_area(o->off, o->cap, r->area_len))
			return fail(err, errlen, "out %u outside the area", i);
		if (o->mode == SSI_FWD_OUT_RET_ELEMS && !o->elem)
			return fail(err, errlen, "out %u: element size 0", i);
		if (o->mode == SSI_FWD_OUT_LENP && !in_area(o->ref, 4, r->area_len))
			return fail(err, errlen, "out %u: length reference outside the area", i);
	}
	return 0;
}

void ssi_fwd_materialize(const struct ssi_fwd_call *call, uint8_t *area,
			 uint64_t base, uint64_t args[6])
{
	const struct ssi_fwd_req *r = call->req;
	uint32_t i;

	memcpy(area, call->in, r->in_len);
	memset(area + r->in_len, 0, r->area_len - r->in_len);
	for (i = 0; i < r->nrelocs; i++) {
		uint64_t v;

		memcpy(&v, area + call->relocs[i], 8);
		v += base;
		memcpy(area + call->relocs[i], &v, 8);
	}
	for (i = 0; i < 6; i++)
		args[i] = (r->ptr_mask & (1u << i)) ? base + r->args[i] : r->args[i];
}

/* Bytes of OUT segment @o that go back for return value @ret. */
static uint32_t out_bytes(const struct ssi_fwd_out *o, int64_t ret, const uint8_t *area)
{
	uint64_t n;
	uint32_t v;

	if (ret < 0 && o->mode != SSI_FWD_OUT_ALWAYS)
		return 0;
	switch (o->mode) {
	case SSI_FWD_OUT_RET_BYTES:
		n = (uint64_t)ret;
		break;
	case SSI_FWD_OUT_RET_ELEMS:
		n = (uint64_t)ret * o->elem;
		break;
	case SSI_FWD_OUT_LENP:
		memcpy(&v, area + o->ref, 4);
		n = v;
		break;
	default:
		n = o->cap;
		break;
	}
	return n < o->cap ? (uint32_t)n : o->cap;
}

size_t ssi_fwd_reply_build(const struct ssi_fwd_call *call, int64_t ret,
			   const uint8_t *area, void *buf, size_t buflen)
{
	const struct ssi_fwd_req *r = call->req;
	struct ssi_fwd_reply rep = { .ret = ret, .nouts = r->nouts };
	size_t size = sizeof(rep), pos;
	uint32_t i, n;

	for (i = 0; i < r->nouts; i++)
		size += 8 + ALIGN8(out_bytes(&call->outs[i], ret, area));
	if (!buf)
		return size;
	if (buflen < size)
		return 0;
	memcpy(buf, &rep, sizeof(rep));
	pos = sizeof(rep);
	for (i = 0; i < r->nouts; i++) {
		uint8_t *b = buf;
		uint64_t hdr;

		n = out_bytes(&call->outs[i], ret, area);
		hdr = n;
		memcpy(b + pos, &hdr, 8);
		memcpy(b + pos + 8, area + call->outs[i].off, n);
		memset(b + pos + 8 + n, 0, ALIGN8(n) - n);
		pos += 8 + ALIGN8(n);
	}
	return size;
}
