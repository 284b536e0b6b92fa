/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seal.h - protection of every frame after the handshake
 * (doc/wire-protocol.md, "Frame protection").
 *
 * Each side of a handshake puts a fresh X25519 public key into its munge
 * credential, so the keys are bound to the node names, nonces and uid the
 * credential vouches for.  Both sides derive, with HKDF-SHA256 over the
 * X25519 secret, one ChaCha20-Poly1305 (RFC 8439) key and nonce salt per
 * direction.  Every later frame carries a 16-byte Poly1305 tag over its
 * header and payload (integrity), and with encryption its payload is the
 * ChaCha20 ciphertext.  The 96-bit nonce is the direction's salt and the
 * frame's sequence number, which the receiver checks in order: a
 * replayed, reordered, dropped, altered or transplanted frame fails.
 *
 * Why not AES-256-GCM: measured with libcrypto on the lab's host, an
 * authenticate-only pass (what every frame costs by default) runs at
 * 10.3 GB/s with Poly1305 against 6.4 GB/s with GHASH, encryption at the
 * same speed (3.4 and 3.6 GB/s); in the lab's emulated CPUs Poly1305 is
 * 2.5 times faster still.  OpenSSL's libcrypto does the cryptography.
 */
#ifndef SSI_SEAL_H
#define SSI_SEAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <openssl/evp.h>

#include "ssi_transport.h"

#define SSI_SEAL_KX_LEN		32	/* an X25519 public key */
#define SSI_SEAL_TAG_LEN	16	/* a Poly1305 tag */
#define SSI_SEAL_NONCE_LEN	16	/* == SSI_AUTH_NONCE_LEN */

/* One direction of a connection. */
struct ssi_seal_dir {
	EVP_CIPHER_CTX *ctx;		/* ChaCha20-Poly1305, key set */
	uint8_t salt[4];		/* first 4 bytes of every nonce */
};

/* What a connection's two directions use. */
struct ssi_seal {
	enum ssi_tp_protect mode;	/* negotiated; NONE: no tags */
	struct ssi_seal_dir tx, rx;
};

/* What both sides of a handshake said, in the same order on both. */
struct ssi_seal_transcript {
	const char *name_i, *name_a;	/* initiator's, acceptor's name */
	const uint8_t *nonce_i, *nonce_a;	/* SSI_SEAL_NONCE_LEN each */
	const uint8_t *kx_i, *kx_a;	/* SSI_SEAL_KX_LEN each */
	enum ssi_tp_protect mode;	/* the stronger of the two asked */
};

ssi_tp_err_t ssi_seal_kx_new(EVP_PKEY **priv, uint8_t pub[SSI_SEAL_KX_LEN]);
/*
 *  Makes a fresh X25519 key pair: [*priv] (free with EVP_PKEY_free()) and
 *    its public key in [pub].  Returns SSI_TP_OK or SSI_TP_ERR_SYSTEM.
 */

ssi_tp_err_t ssi_seal_derive(struct ssi_seal *s, EVP_PKEY *priv,
			     int initiator,
			     const struct ssi_seal_transcript *t,
			     char *why, size_t whylen);
/*
 *  Derives [s]'s keys from our [priv] and the peer's public key in [t]
 *    (kx_a if we are the [initiator], else kx_i).  A peer key that gives
 *    an all-zero secret (a small-order point) is SSI_TP_ERR_AUTH.
 *  Returns SSI_TP_OK, or an error with a reason in [why]; [s] is then
 *    empty (ssi_seal_free() is harmless on it).  [why] must not be NULL.
 */

void ssi_seal_free(struct ssi_seal *s);
/*
 *  Frees [s]'s cipher contexts and wipes its keys; [s] may be all zero.
 */

ssi_tp_err_t ssi_seal_frame(struct ssi_seal_dir *d, int encrypt,
			    const uint8_t *hdr, size_t hdr_len, uint64_t seq,
			    const struct iovec *iov, int iovcnt,
			    uint8_t *inl_out, const void *bulk,
			    void *bulk_out, size_t bulk_len,
			    uint8_t tag[SSI_SEAL_TAG_LEN]);
/*
 *  Protects one frame of sequence number [seq] whose encoded header is
 *    [hdr] ([hdr_len] bytes, authenticated as they are): the inline
 *    payload is the [iovcnt] buffers of [iov], then [bulk_len] bytes at
 *    [bulk].  Without [encrypt] everything is authenticated only and
 *    [inl_out]/[bulk_out] are unused; with it the inline ciphertext goes
 *    to [inl_out] and the bulk's to [bulk_out] (may equal [bulk]).
 *    Writes the tag to [tag].
 *  Returns SSI_TP_OK or SSI_TP_ERR_SYSTEM (libcrypto failed).
 */

int ssi_seal_open(struct ssi_seal_dir *d, int decrypt,
		  const uint8_t *hdr, size_t hdr_len, uint64_t seq,
		  uint8_t *inl, size_t inl_len, uint8_t *bulk, size_t bulk_len,
		  const uint8_t tag[SSI_SEAL_TAG_LEN]);
/*
 *  Checks one received frame against [tag], as sealed by the peer with
 *    sequence number [seq]; with [decrypt] the inline payload and the bulk
 *    are decrypted in place (and must not be used unless this succeeds).
 *  Returns 0 if the frame is authentic, -1 if not (or libcrypto failed).
 */

#endif /* SSI_SEAL_H */
