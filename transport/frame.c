// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * frame.c - frame header encoding and validation.
 *
 * Everything here reads untrusted bytes: each field is checked before the
 * next one is interpreted, lengths are compared without overflow, and no
 * input can make these functions read outside [buf, buf + len).
 */
#include <string.h>

#include "frame.h"

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static inline void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, v >> 32);
	put_be32(p + 4, (uint32_t)v);
}

static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

void ssi_frame_encode_hdr(uint8_t out[SSI_FRAME_HDR_LEN],
			  const struct ssi_frame_hdr *hdr)
{
	put_be32(out, SSI_FRAME_MAGIC);
	out[4] = hdr->version;
	out[5] = hdr->flags;
	put_be16(out + 6, hdr->type);
	put_be32(out + 8, hdr->length);
	put_be32(out + 12, hdr->bulk_off);
	put_be64(out + 16, hdr->seq);
}

int ssi_frame_type_known(uint16_t type, const struct ssi_frame_limits *lim)
{
	if (type == SSI_FRAME_T_HELLO || type == SSI_FRAME_T_HELLO_ACK)
		return 1;
	return type >= SSI_FRAME_T_USER_MIN && type <= lim->user_type_max;
}

ssi_frame_err_t ssi_frame_decode_hdr(const void *buf, size_t len,
				     const struct ssi_frame_limits *lim,
				     struct ssi_frame_hdr *hdr)
{
	const uint8_t *p = buf;

	if (len < SSI_FRAME_HDR_LEN)
		return SSI_FRAME_ETRUNC;
	if (get_be32(p) != SSI_FRAME_MAGIC)
		return SSI_FRAME_EMAGIC;
	hdr->version = p[4];
	if (hdr->version != SSI_FRAME_VERSION)
		return SSI_FRAME_EVERSION;
	hdr->flags = p[5];
	if (hdr->flags & ~SSI_FRAME_F_MASK)
		return SSI_FRAME_EFLAGS;
	hdr->type = get_be16(p + 6);
	if (!ssi_frame_type_known(hdr->type, lim))
		return SSI_FRAME_ETYPE;
	hdr->length = get_be32(p + 8);
	if (hdr->length > lim->max_payload)
		return SSI_FRAME_ETOOBIG;
	if (hdr->type < SSI_FRAME_T_USER_MIN &&
	    hdr->length > SSI_FRAME_HANDSHAKE_MAX)
		return SSI_FRAME_ETOOBIG;
	hdr->bulk_off = get_be32(p + 12);
	if (hdr->flags & SSI_FRAME_F_BULK) {
		/* Only user messages carry bulk data, and it is not empty. */
		if (hdr->type < SSI_FRAME_T_USER_MIN ||
		    hdr->bulk_off >= hdr->length)
			return SSI_FRAME_EBULK;
	} else if (hdr->bulk_off != 0) {
		return SSI_FRAME_EBULK;
	}
	hdr->seq = get_be64(p + 16);
	return SSI_FRAME_OK;
}

ssi_frame_err_t ssi_frame_decode(const void *buf, size_t len,
				 const struct ssi_frame_limits *lim,
				 uint64_t expect_seq,
				 struct ssi_frame_hdr *hdr,
				 const uint8_t **payload)
{
	ssi_frame_err_t err;

	err = ssi_frame_decode_hdr(buf, len, lim, hdr);
	if (err)
		return err;
	/* length <= max_payload <= 2^32, no overflow in size_t arithmetic */
	if (len - SSI_FRAME_HDR_LEN < hdr->length)
		return SSI_FRAME_ETRUNC;
	if (len - SSI_FRAME_HDR_LEN > hdr->length)
		return SSI_FRAME_ELENGTH;
	if (hdr->seq != expect_seq)
		return SSI_FRAME_ESEQ;
	*payload = (const uint8_t *)buf + SSI_FRAME_HDR_LEN;
	return SSI_FRAME_OK;
}

const char *ssi_frame_strerror(ssi_frame_err_t err)
{
	switch (err) {
	case SSI_FRAME_OK:
		return "success";
	case SSI_FRAME_ETRUNC:
		return "truncated frame";
	case SSI_FRAME_EMAGIC:
		return "bad frame magic";
	case SSI_FRAME_EVERSION:
		return "unsupported protocol version";
	case SSI_FRAME_EFLAGS:
		return "unknown frame flags";
	case SSI_FRAME_ETYPE:
		return "unknown frame type";
	case SSI_FRAME_ETOOBIG:
		return "frame too large";
	case SSI_FRAME_EBULK:
		return "inconsistent bulk offset";
	case SSI_FRAME_ELENGTH:
		return "trailing bytes after frame";
	case SSI_FRAME_ESEQ:
		return "out-of-sequence frame";
	}
	return "unknown frame error";
}
