// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_frame.c - libFuzzer target for everything that parses bytes from
 * the network before authentication is complete:
 *  - the input as a byte stream of frames, cut the way the tcp plugin cuts
 *    it (header first, then the payload it announces), each frame decoded
 *    again whole with its own sequence number;
 *  - the input as a handshake credential payload (ssi_auth_parse).
 * Invariants the decoder promises are checked; a violation aborts.
 *
 * Build and run: make -C transport fuzz   (needs clang)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "transport/auth.h"
#include "transport/frame.h"

static const struct ssi_frame_limits lim = {
	.max_payload = 1 << 20,
	.user_type_max = 0x01ff,
};

static void check_hdr(const struct ssi_frame_hdr *h)
{
	if (h->version != SSI_FRAME_VERSION || (h->flags & ~SSI_FRAME_F_MASK) ||
	    h->length > lim.max_payload || !ssi_frame_type_known(h->type, &lim))
		abort();
	if ((h->flags & SSI_FRAME_F_BULK) ? h->bulk_off >= h->length
					  : h->bulk_off != 0)
		abort();
	if (h->type < SSI_FRAME_T_USER_MIN && h->length > SSI_FRAME_HANDSHAKE_MAX)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ssi_auth_msg msg;
	struct ssi_frame_hdr h, h2;
	const uint8_t *payload;
	size_t off = 0, total;
	ssi_frame_err_t err;

	while (size - off >= SSI_FRAME_HDR_LEN) {
		err = ssi_frame_decode_hdr(data + off, size - off, &lim, &h);
		if (err)
			break;
		check_hdr(&h);
		total = SSI_FRAME_HDR_LEN + (size_t)h.length;
		if (total > size - off) {
			if (ssi_frame_decode(data + off, size - off, &lim, h.seq,
					     &h2, &payload) != SSI_FRAME_ETRUNC)
				abort();
			break;
		}
		if (ssi_frame_decode(data + off, total, &lim, h.seq, &h2,
				     &payload) != SSI_FRAME_OK ||
		    h.type != h2.type || h.flags != h2.flags ||
		    h.length != h2.length || h.bulk_off != h2.bulk_off ||
		    payload != data + off + SSI_FRAME_HDR_LEN)
			abort();
		if (ssi_frame_decode(data + off, total, &lim, h.seq + 1, &h2,
				     &payload) != SSI_FRAME_ESEQ)
			abort();
		off += total;
	}

	if (ssi_auth_parse(data, size, &msg, NULL, 0) == SSI_TP_OK) {
		if (!ssi_auth_name_ok(msg.from) ||
		    (msg.to[0] && !ssi_auth_name_ok(msg.to)) ||
		    msg.version != SSI_TP_PROTO_VERSION)
			abort();
	}
	return 0;
}
