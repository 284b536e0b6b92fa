/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * auth.h - the connection handshake's credential payload and its checks
 * (doc/wire-protocol.md, "Handshake").
 *
 * Each side sends one munge credential whose payload is an ssi_auth_msg:
 * HELLO from the initiator, HELLO_ACK from the acceptor (echoing the
 * initiator's nonce).  The codec and the checks are pure functions; only
 * ssi_auth_seal() and ssi_auth_open() talk to munged.
 */
#ifndef SSI_AUTH_H
#define SSI_AUTH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <munge.h>

#include "ssi_transport.h"

#define SSI_AUTH_MAGIC		0x53534941u	/* "SSIA" */
#define SSI_AUTH_NONCE_LEN	16
#define SSI_AUTH_KX_LEN		32	/* == SSI_SEAL_KX_LEN */
#define SSI_AUTH_NAME_MAX	255
#define SSI_AUTH_HDR_LEN	(8 + 2 * SSI_AUTH_NONCE_LEN + SSI_AUTH_KX_LEN)
#define SSI_AUTH_MSG_MAX	(SSI_AUTH_HDR_LEN + 2 + 2 * SSI_AUTH_NAME_MAX)

enum ssi_auth_kind {
	SSI_AUTH_HELLO = 1,
	SSI_AUTH_HELLO_ACK = 2,
};

struct ssi_auth_msg {
	uint8_t version;			/* SSI_TP_PROTO_VERSION */
	uint8_t kind;				/* enum ssi_auth_kind */
	uint8_t protect;			/* enum ssi_tp_protect asked */
	uint8_t nonce[SSI_AUTH_NONCE_LEN];	/* sender's fresh nonce */
	uint8_t echo[SSI_AUTH_NONCE_LEN];	/* ACK: initiator's nonce */
	uint8_t kx[SSI_AUTH_KX_LEN];		/* sender's X25519 public key */
	char from[SSI_AUTH_NAME_MAX + 1];	/* sender's node name */
	char to[SSI_AUTH_NAME_MAX + 1];		/* intended receiver, or "" */
};

int ssi_auth_name_ok(const char *name);
/*
 *  Returns 1 if [name] is a valid node name: 1..255 bytes, each a printable
 *    non-space ASCII character; else 0.
 */

size_t ssi_auth_encode(const struct ssi_auth_msg *msg, uint8_t *buf,
		       size_t cap);
/*
 *  Serialises [msg] into [buf] ([cap] bytes; SSI_AUTH_MSG_MAX always
 *    suffices).  Returns the length written, or 0 if [msg] is invalid
 *    (bad names) or [cap] too small.
 */

ssi_tp_err_t ssi_auth_parse(const void *buf, size_t len,
			    struct ssi_auth_msg *msg,
			    char *why, size_t whylen);
/*
 *  Parses [len] bytes at [buf] into [msg], rejecting a bad magic, a wrong
 *    version (SSI_TP_ERR_VERSION), an unknown kind or protection, a
 *    non-zero reserved byte, invalid names and any length mismatch
 *    (SSI_TP_ERR_PROTOCOL).
 *    On error, a reason is written to [why] (NUL-terminated).
 */

ssi_tp_err_t ssi_auth_check(const struct ssi_auth_msg *msg, uint8_t kind,
			    uid_t uid, uid_t want_uid, const char *self,
			    const uint8_t *my_nonce, const char *expect_from,
			    char *why, size_t whylen);
/*
 *  Decides whether a parsed credential payload [msg], decoded by munge as
 *    coming from [uid], is acceptable as a message of [kind] at node
 *    [self]: the uid must be [want_uid]; [msg]->to must be [self] (a HELLO
 *    may also leave it empty); for an ACK, [msg]->echo must equal
 *    [my_nonce] (our HELLO's nonce); if [expect_from] is not NULL,
 *    [msg]->from must equal it.
 *  Returns SSI_TP_OK, or SSI_TP_ERR_AUTH with a reason in [why].
 */

uint64_t ssi_auth_seq0(const uint8_t nonce[SSI_AUTH_NONCE_LEN]);
/*
 *  Returns the first sequence number of the direction whose receiver chose
 *    [nonce]: its first 8 bytes read big-endian.
 */

ssi_tp_err_t ssi_auth_nonce(uint8_t nonce[SSI_AUTH_NONCE_LEN]);
/*
 *  Fills [nonce] from getrandom(2).  Returns SSI_TP_OK or SSI_TP_ERR_SYSTEM.
 */

ssi_tp_err_t ssi_auth_seal(munge_ctx_t ctx, const struct ssi_auth_msg *msg,
			   char **cred, char *why, size_t whylen);
/*
 *  Encodes [msg] and wraps it in a munge credential through munged.
 *  Returns SSI_TP_OK and sets [*cred] (a NUL-terminated string the caller
 *    frees with free()), or SSI_TP_ERR_MUNGE / SSI_TP_ERR_BAD_ARG with a
 *    reason in [why].
 */

ssi_tp_err_t ssi_auth_open(munge_ctx_t ctx, const void *cred, size_t len,
			   struct ssi_auth_msg *msg, uid_t *uid,
			   char *why, size_t whylen);
/*
 *  Decodes the munge credential of [len] bytes at [cred] (not necessarily
 *    NUL-terminated) through munged and parses its payload into [msg];
 *    sets [*uid] to the credential's uid.  Expired, rewound, replayed and
 *    invalid credentials are SSI_TP_ERR_AUTH; munged being unreachable is
 *    SSI_TP_ERR_MUNGE; a bad payload is as ssi_auth_parse().
 *    [ctx] is only read: decoding happens on a copy of it.
 */

#endif /* SSI_AUTH_H */
