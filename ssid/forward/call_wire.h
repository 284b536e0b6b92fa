/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * call_wire.h - a forwarded system call as it travels from the remote node
 * (where the migrated process made it) to its home node (where the deputy
 * executes it), and its result on the way back.
 *
 * The home side knows nothing of syscall semantics: it receives a data
 * AREA to place at some address in the deputy, a list of u64 slots in the
 * area that hold area offsets to turn into addresses (nested pointers such
 * as iov_base), the six arguments (pointer arguments as area offsets), and
 * a list of OUT segments whose bytes it sends back after the call.  All the
 * knowledge is on the remote side, in the syscall policy table.
 *
 * Encoding: little-endian, fixed-size records, 8-byte aligned:
 *
 *   request = ssi_fwd_req, u32 relocs[nrelocs] (padded to 8),
 *             ssi_fwd_out outs[nouts], area prefix[in_len]
 *   reply   = ssi_fwd_reply, then for each out segment in request order:
 *             u64 len, bytes[len] (padded to 8)
 *
 * The area is laid out as [IN and INOUT data][OUT-only space]: only the
 * prefix in_len is sent; the home side zero-fills the rest.  Both sides
 * validate every offset and length against area_len before use.
 */
#ifndef SSID_CALL_WIRE_H
#define SSID_CALL_WIRE_H

#include <stdint.h>

/* Largest data area of one forwarded call. */
#define SSI_FWD_AREA_MAX	(8u << 20)
/* Bounds on the lists, far above what any syscall needs. */
#define SSI_FWD_RELOCS_MAX	2048u	/* e.g. one per iovec: IOV_MAX 1024 */
#define SSI_FWD_OUTS_MAX	64u

struct ssi_fwd_req {
	uint32_t nr;		/* syscall number (x86-64) */
	uint32_t flags;		/* reserved, 0 */
	uint64_t args[6];	/* values; where ptr_mask has bit i, an area offset */
	uint8_t ptr_mask;	/* bit i: args[i] is an area offset */
	uint8_t pad[3];
	uint32_t nrelocs;	/* u64 slots of the area holding area offsets */
	uint32_t nouts;		/* OUT segments sent back */
	uint32_t area_len;	/* bytes of area the home side provides */
	uint32_t in_len;	/* bytes of area carried in this request */
	uint32_t pad2;
};

/* How many bytes of an OUT segment go back. */
enum ssi_fwd_out_mode {
	SSI_FWD_OUT_ALL = 0,	/* cap bytes, whenever the call succeeded */
	SSI_FWD_OUT_RET_BYTES,	/* min(ret, cap) bytes when ret >= 0 */
	SSI_FWD_OUT_RET_ELEMS,	/* min(ret * elem, cap) bytes when ret >= 0 */
	SSI_FWD_OUT_LENP,	/* min(*(u32 *)(area + ref), cap) bytes */
	SSI_FWD_OUT_ALWAYS,	/* cap bytes, even when the call failed
				 * (select's sets are defined only on success,
				 * but a struct that is INOUT stays readable) */
	SSI_FWD_OUT_MODE_COUNT
};

struct ssi_fwd_out {
	uint32_t off;		/* area offset */
	uint32_t cap;		/* at most this many bytes */
	uint8_t mode;		/* enum ssi_fwd_out_mode */
	uint8_t pad;
	uint16_t elem;		/* element size (RET_ELEMS) */
	uint32_t ref;		/* LENP: area offset of the u32 byte count */
};

struct ssi_fwd_reply {
	int64_t ret;		/* the syscall's return value (-errno on error) */
	uint32_t nouts;		/* equals the request's nouts */
	uint32_t pad;
};

#endif /* SSID_CALL_WIRE_H */
