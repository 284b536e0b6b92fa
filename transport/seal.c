// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * seal.c - key exchange, key derivation and the AEAD of frames (seal.h).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>

#include "seal.h"

#define KEY_LEN		32		/* ChaCha20 */
#define SALT_LEN	4
#define IV_LEN		12
#define DIR_LEN		(KEY_LEN + SALT_LEN)
#define LABEL		"slurm-ssi transport v2 frame keys"

/* libcrypto takes int lengths: feed it at most this much at a time. */
#define CHUNK		(1 << 30)

ssi_tp_err_t ssi_seal_kx_new(EVP_PKEY **priv, uint8_t pub[SSI_SEAL_KX_LEN])
{
	size_t len = SSI_SEAL_KX_LEN;

	*priv = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	if (!*priv)
		return SSI_TP_ERR_SYSTEM;
	if (EVP_PKEY_get_raw_public_key(*priv, pub, &len) != 1 ||
	    len != SSI_SEAL_KX_LEN) {
		EVP_PKEY_free(*priv);
		*priv = NULL;
		return SSI_TP_ERR_SYSTEM;
	}
	return SSI_TP_OK;
}

/* The X25519 secret of @priv and @peer_pub into @secret; -1 if none. */
static int kx_secret(EVP_PKEY *priv, const uint8_t *peer_pub,
		     uint8_t secret[SSI_SEAL_KX_LEN])
{
	static const uint8_t zero[SSI_SEAL_KX_LEN];
	size_t len = SSI_SEAL_KX_LEN;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *peer;
	int ok = 0;

	peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer_pub,
					   SSI_SEAL_KX_LEN);
	if (peer)
		ctx = EVP_PKEY_CTX_new(priv, NULL);
	if (ctx && EVP_PKEY_derive_init(ctx) == 1 &&
	    EVP_PKEY_derive_set_peer(ctx, peer) == 1 &&
	    EVP_PKEY_derive(ctx, secret, &len) == 1 && len == SSI_SEAL_KX_LEN)
		ok = 1;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer);
	/* a small-order peer key makes everyone's secret zero */
	if (ok && !CRYPTO_memcmp(secret, zero, sizeof(zero)))
		ok = 0;
	return ok ? 0 : -1;
}

/*
 * HKDF-SHA256: the secret as key material, both nonces as salt, and as
 * info everything else both sides said, so that the keys belong to this
 * handshake between these two names and no other.
 */
static int hkdf(const uint8_t *secret, const struct ssi_seal_transcript *t,
		uint8_t *out, size_t outlen)
{
	uint8_t salt[2 * SSI_SEAL_NONCE_LEN];
	uint8_t info[sizeof(LABEL) + 2 * 256 + 2 * SSI_SEAL_KX_LEN + 1];
	size_t ni = strlen(t->name_i) + 1, na = strlen(t->name_a) + 1, n = 0;
	EVP_PKEY_CTX *ctx;
	int ok;

	if (ni > 256 || na > 256)
		return -1;
	memcpy(salt, t->nonce_i, SSI_SEAL_NONCE_LEN);
	memcpy(salt + SSI_SEAL_NONCE_LEN, t->nonce_a, SSI_SEAL_NONCE_LEN);
	memcpy(info + n, LABEL, sizeof(LABEL));
	n += sizeof(LABEL);
	memcpy(info + n, t->name_i, ni);
	n += ni;
	memcpy(info + n, t->name_a, na);
	n += na;
	memcpy(info + n, t->kx_i, SSI_SEAL_KX_LEN);
	n += SSI_SEAL_KX_LEN;
	memcpy(info + n, t->kx_a, SSI_SEAL_KX_LEN);
	n += SSI_SEAL_KX_LEN;
	info[n++] = (uint8_t)t->mode;

	ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
	ok = ctx && EVP_PKEY_derive_init(ctx) == 1 &&
	     EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) == 1 &&
	     EVP_PKEY_CTX_set1_hkdf_salt(ctx, salt, sizeof(salt)) == 1 &&
	     EVP_PKEY_CTX_set1_hkdf_key(ctx, secret, SSI_SEAL_KX_LEN) == 1 &&
	     EVP_PKEY_CTX_add1_hkdf_info(ctx, info, (int)n) == 1 &&
	     EVP_PKEY_derive(ctx, out, &outlen) == 1;
	EVP_PKEY_CTX_free(ctx);
	return ok ? 0 : -1;
}

static int dir_init(struct ssi_seal_dir *d, const uint8_t *km)
{
	d->ctx = EVP_CIPHER_CTX_new();
	if (!d->ctx ||
	    EVP_EncryptInit_ex(d->ctx, EVP_chacha20_poly1305(), NULL, NULL,
			       NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(d->ctx, EVP_CTRL_AEAD_SET_IVLEN, IV_LEN,
				NULL) != 1 ||
	    EVP_EncryptInit_ex(d->ctx, NULL, NULL, km, NULL) != 1)
		return -1;
	memcpy(d->salt, km + KEY_LEN, SALT_LEN);
	return 0;
}

ssi_tp_err_t ssi_seal_derive(struct ssi_seal *s, EVP_PKEY *priv,
			     int initiator,
			     const struct ssi_seal_transcript *t,
			     char *why, size_t whylen)
{
	uint8_t secret[SSI_SEAL_KX_LEN], km[2 * DIR_LEN];
	const uint8_t *i2a = km, *a2i = km + DIR_LEN;
	ssi_tp_err_t err = SSI_TP_OK;

	memset(s, 0, sizeof(*s));
	if (kx_secret(priv, initiator ? t->kx_a : t->kx_i, secret)) {
		OPENSSL_cleanse(secret, sizeof(secret));
		snprintf(why, whylen, "peer's key exchange value is invalid");
		return SSI_TP_ERR_AUTH;
	}
	if (hkdf(secret, t, km, sizeof(km))) {
		snprintf(why, whylen, "key derivation failed");
		err = SSI_TP_ERR_SYSTEM;
	} else if (dir_init(&s->tx, initiator ? i2a : a2i) ||
		   dir_init(&s->rx, initiator ? a2i : i2a)) {
		snprintf(why, whylen, "ChaCha20-Poly1305 unavailable");
		err = SSI_TP_ERR_SYSTEM;
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(km, sizeof(km));
	if (err) {
		ssi_seal_free(s);
		return err;
	}
	s->mode = t->mode;
	return SSI_TP_OK;
}

void ssi_seal_free(struct ssi_seal *s)
{
	EVP_CIPHER_CTX_free(s->tx.ctx);	/* also wipes the key schedule */
	EVP_CIPHER_CTX_free(s->rx.ctx);
	memset(s, 0, sizeof(*s));
}

static void make_iv(const struct ssi_seal_dir *d, uint64_t seq,
		    uint8_t iv[IV_LEN])
{
	int i;

	memcpy(iv, d->salt, SALT_LEN);
	for (i = 0; i < 8; i++)
		iv[SALT_LEN + i] = (uint8_t)(seq >> (56 - 8 * i));
}

/*
 * Runs @len bytes at @in through @ctx: as additional data when @out is
 * NULL, else en/decrypted to @out (which may be @in).
 */
static int feed(EVP_CIPHER_CTX *ctx, int enc, uint8_t *out,
		const uint8_t *in, size_t len)
{
	int n;

	while (len) {
		int part = len > CHUNK ? CHUNK : (int)len;

		if ((enc ? EVP_EncryptUpdate(ctx, out, &n, in, part)
			 : EVP_DecryptUpdate(ctx, out, &n, in, part)) != 1)
			return -1;
		/* a stream cipher: all that goes in comes out at once */
		if (out && n != part)
			return -1;
		in += part;
		if (out)
			out += part;
		len -= (size_t)part;
	}
	return 0;
}

ssi_tp_err_t ssi_seal_frame(struct ssi_seal_dir *d, int encrypt,
			    const uint8_t *hdr, size_t hdr_len, uint64_t seq,
			    const struct iovec *iov, int iovcnt,
			    uint8_t *inl_out, const void *bulk,
			    void *bulk_out, size_t bulk_len,
			    uint8_t tag[SSI_SEAL_TAG_LEN])
{
	uint8_t iv[IV_LEN], *out = encrypt ? inl_out : NULL;
	int i, n;

	make_iv(d, seq, iv);
	if (EVP_EncryptInit_ex(d->ctx, NULL, NULL, NULL, iv) != 1 ||
	    feed(d->ctx, 1, NULL, hdr, hdr_len))
		return SSI_TP_ERR_SYSTEM;
	for (i = 0; i < iovcnt; i++) {
		if (feed(d->ctx, 1, out, iov[i].iov_base, iov[i].iov_len))
			return SSI_TP_ERR_SYSTEM;
		if (out)
			out += iov[i].iov_len;
	}
	if (bulk_len && feed(d->ctx, 1, encrypt ? bulk_out : NULL, bulk,
			     bulk_len))
		return SSI_TP_ERR_SYSTEM;
	if (EVP_EncryptFinal_ex(d->ctx, iv, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(d->ctx, EVP_CTRL_AEAD_GET_TAG,
				SSI_SEAL_TAG_LEN, tag) != 1)
		return SSI_TP_ERR_SYSTEM;
	return SSI_TP_OK;
}

int ssi_seal_open(struct ssi_seal_dir *d, int decrypt,
		  const uint8_t *hdr, size_t hdr_len, uint64_t seq,
		  uint8_t *inl, size_t inl_len, uint8_t *bulk, size_t bulk_len,
		  const uint8_t tag[SSI_SEAL_TAG_LEN])
{
	uint8_t iv[IV_LEN], t[SSI_SEAL_TAG_LEN];
	int n;

	make_iv(d, seq, iv);
	memcpy(t, tag, sizeof(t));	/* the tag may sit in what we decrypt */
	if (EVP_DecryptInit_ex(d->ctx, NULL, NULL, NULL, iv) != 1 ||
	    feed(d->ctx, 0, NULL, hdr, hdr_len) ||
	    feed(d->ctx, 0, decrypt ? inl : NULL, inl, inl_len) ||
	    (bulk_len && feed(d->ctx, 0, decrypt ? bulk : NULL, bulk,
			      bulk_len)) ||
	    EVP_CIPHER_CTX_ctrl(d->ctx, EVP_CTRL_AEAD_SET_TAG,
				SSI_SEAL_TAG_LEN, t) != 1 ||
	    EVP_DecryptFinal_ex(d->ctx, iv, &n) != 1)
		return -1;
	return 0;
}
