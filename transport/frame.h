/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * frame.h - encoder and decoder of the transport's frame header
 * (doc/wire-protocol.md, "Frames").  Pure functions: no allocation, no
 * I/O, so the decoder can be fuzzed on its own.
 *
 * Every frame is a 24-byte header in network byte order (big-endian)
 * followed by [length] payload bytes.  With SSI_FRAME_F_BULK the payload is
 * an inline part of [bulk_off] bytes followed by the bulk part.  After the
 * handshake the inline part ends with a 16-byte tag (seal.h).
 */
#ifndef SSI_FRAME_H
#define SSI_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define SSI_FRAME_MAGIC		0x53534954u	/* "SSIT" */
#define SSI_FRAME_VERSION	2
#define SSI_FRAME_HDR_LEN	24

/* Flag bits; every other bit must be zero. */
#define SSI_FRAME_F_BULK	0x01
#define SSI_FRAME_F_MASK	SSI_FRAME_F_BULK

/* Transport-owned frame types (the rest of 0x0000-0x00ff is unassigned). */
#define SSI_FRAME_T_HELLO	0x0001	/* initiator's munge credential */
#define SSI_FRAME_T_HELLO_ACK	0x0002	/* acceptor's munge credential */
#define SSI_FRAME_T_USER_MIN	0x0100	/* == SSI_TP_TYPE_USER_MIN */

/* Largest payload of a transport-owned (handshake) frame. */
#define SSI_FRAME_HANDSHAKE_MAX	4096

struct ssi_frame_hdr {
	uint8_t version;
	uint8_t flags;
	uint16_t type;
	uint32_t length;	/* payload bytes after the header */
	uint32_t bulk_off;	/* BULK: inline length; else 0 */
	uint64_t seq;
};

/* What the receiver accepts. */
struct ssi_frame_limits {
	uint32_t max_payload;		/* largest [length] */
	uint16_t user_type_max;		/* highest user type known */
};

typedef enum ssi_frame_err {
	SSI_FRAME_OK = 0,
	SSI_FRAME_ETRUNC,	/* fewer bytes than the header/frame needs */
	SSI_FRAME_EMAGIC,	/* not a frame of ours */
	SSI_FRAME_EVERSION,	/* another protocol version */
	SSI_FRAME_EFLAGS,	/* unknown flag bits */
	SSI_FRAME_ETYPE,	/* unknown type */
	SSI_FRAME_ETOOBIG,	/* length above the limit */
	SSI_FRAME_EBULK,	/* inconsistent bulk_off */
	SSI_FRAME_ELENGTH,	/* bytes after the end of the frame */
	SSI_FRAME_ESEQ,		/* out-of-sequence frame */
} ssi_frame_err_t;

void ssi_frame_encode_hdr(uint8_t out[SSI_FRAME_HDR_LEN],
			  const struct ssi_frame_hdr *hdr);
/*
 *  Writes [hdr] (with the magic) into [out] in wire order.  Does not
 *    validate [hdr]: the sender builds headers only from checked values.
 */

ssi_frame_err_t ssi_frame_decode_hdr(const void *buf, size_t len,
				     const struct ssi_frame_limits *lim,
				     struct ssi_frame_hdr *hdr);
/*
 *  Decodes and validates the header at the start of [buf] ([len] bytes
 *    available, which may be more or less than one frame).  Checks, in this
 *    order: enough bytes for a header, magic, version, flags, type, length
 *    against [lim], bulk consistency.  Does not check the sequence number.
 *  Returns SSI_FRAME_OK and fills [hdr], or the first violation found
 *    ([hdr] is then unspecified).
 */

ssi_frame_err_t ssi_frame_decode(const void *buf, size_t len,
				 const struct ssi_frame_limits *lim,
				 uint64_t expect_seq,
				 struct ssi_frame_hdr *hdr,
				 const uint8_t **payload);
/*
 *  Decodes one complete frame occupying exactly [len] bytes of [buf]:
 *    ssi_frame_decode_hdr(), then SSI_FRAME_ETRUNC if the payload is cut
 *    short, SSI_FRAME_ELENGTH if bytes follow it, SSI_FRAME_ESEQ if its
 *    sequence number is not [expect_seq].
 *  Returns SSI_FRAME_OK, fills [hdr] and points [*payload] into [buf].
 */

const char *ssi_frame_strerror(ssi_frame_err_t err);
/*
 *  Returns a static description of [err].
 */

int ssi_frame_type_known(uint16_t type, const struct ssi_frame_limits *lim);
/*
 *  Returns 1 if a frame of [type] is acceptable under [lim], else 0.
 */

#endif /* SSI_FRAME_H */
