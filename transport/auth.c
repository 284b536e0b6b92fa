// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * auth.c - handshake credential payloads: codec, checks, munge wrappers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "auth.h"
#include "frame.h"

static void say(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || !whylen)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

int ssi_auth_name_ok(const char *name)
{
	size_t i;

	for (i = 0; name[i]; i++) {
		if (i >= SSI_AUTH_NAME_MAX)
			return 0;
		if (name[i] <= 0x20 || name[i] >= 0x7f)
			return 0;
	}
	return i > 0;
}

static uint8_t *put_name(uint8_t *p, const char *name)
{
	size_t n = strlen(name);

	*p++ = (uint8_t)n;
	memcpy(p, name, n);
	return p + n;
}

size_t ssi_auth_encode(const struct ssi_auth_msg *msg, uint8_t *buf,
		       size_t cap)
{
	uint8_t *p = buf;
	size_t need;

	if (!ssi_auth_name_ok(msg->from) ||
	    (msg->to[0] && !ssi_auth_name_ok(msg->to)))
		return 0;
	need = SSI_AUTH_HDR_LEN + 2 + strlen(msg->from) + strlen(msg->to);
	if (cap < need)
		return 0;
	p[0] = (uint8_t)(SSI_AUTH_MAGIC >> 24);
	p[1] = (uint8_t)(SSI_AUTH_MAGIC >> 16);
	p[2] = (uint8_t)(SSI_AUTH_MAGIC >> 8);
	p[3] = (uint8_t)SSI_AUTH_MAGIC;
	p[4] = msg->version;
	p[5] = msg->kind;
	p[6] = msg->protect;
	p[7] = 0;
	memcpy(p + 8, msg->nonce, SSI_AUTH_NONCE_LEN);
	memcpy(p + 8 + SSI_AUTH_NONCE_LEN, msg->echo, SSI_AUTH_NONCE_LEN);
	memcpy(p + 8 + 2 * SSI_AUTH_NONCE_LEN, msg->kx, SSI_AUTH_KX_LEN);
	p = put_name(p + SSI_AUTH_HDR_LEN, msg->from);
	p = put_name(p, msg->to);
	return (size_t)(p - buf);
}

/* Reads a length-prefixed name at [*off]; empty names allowed if [empty]. */
static int get_name(const uint8_t *p, size_t len, size_t *off, char *out,
		    int empty)
{
	size_t n;

	if (*off >= len)
		return -1;
	n = p[(*off)++];
	if (n > len - *off)
		return -1;
	memcpy(out, p + *off, n);
	out[n] = '\0';
	*off += n;
	if (n == 0)
		return empty ? 0 : -1;
	/* rejects embedded NULs (strlen shorter) and unprintable bytes */
	return strlen(out) == n && ssi_auth_name_ok(out) ? 0 : -1;
}

ssi_tp_err_t ssi_auth_parse(const void *buf, size_t len,
			    struct ssi_auth_msg *msg,
			    char *why, size_t whylen)
{
	const uint8_t *p = buf;
	size_t off = SSI_AUTH_HDR_LEN;
	uint32_t magic;

	if (len < SSI_AUTH_HDR_LEN) {
		say(why, whylen, "credential payload truncated (%zu bytes)", len);
		return SSI_TP_ERR_PROTOCOL;
	}
	magic = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3];
	if (magic != SSI_AUTH_MAGIC) {
		say(why, whylen, "credential payload has bad magic 0x%08x", magic);
		return SSI_TP_ERR_PROTOCOL;
	}
	msg->version = p[4];
	if (msg->version != SSI_TP_PROTO_VERSION) {
		say(why, whylen, "peer speaks protocol version %u, we speak %u",
		    msg->version, SSI_TP_PROTO_VERSION);
		return SSI_TP_ERR_VERSION;
	}
	msg->kind = p[5];
	if (msg->kind != SSI_AUTH_HELLO && msg->kind != SSI_AUTH_HELLO_ACK) {
		say(why, whylen, "unknown credential kind %u", msg->kind);
		return SSI_TP_ERR_PROTOCOL;
	}
	msg->protect = p[6];
	if (msg->protect > SSI_TP_PROTECT_ENCRYPT) {
		say(why, whylen, "unknown frame protection %u", msg->protect);
		return SSI_TP_ERR_PROTOCOL;
	}
	if (p[7]) {
		say(why, whylen, "credential payload reserved byte not zero");
		return SSI_TP_ERR_PROTOCOL;
	}
	memcpy(msg->nonce, p + 8, SSI_AUTH_NONCE_LEN);
	memcpy(msg->echo, p + 8 + SSI_AUTH_NONCE_LEN, SSI_AUTH_NONCE_LEN);
	memcpy(msg->kx, p + 8 + 2 * SSI_AUTH_NONCE_LEN, SSI_AUTH_KX_LEN);
	if (get_name(p, len, &off, msg->from, 0)) {
		say(why, whylen, "credential payload: bad sender name");
		return SSI_TP_ERR_PROTOCOL;
	}
	if (get_name(p, len, &off, msg->to, 1)) {
		say(why, whylen, "credential payload: bad receiver name");
		return SSI_TP_ERR_PROTOCOL;
	}
	if (off != len) {
		say(why, whylen, "credential payload: %zu trailing bytes",
		    len - off);
		return SSI_TP_ERR_PROTOCOL;
	}
	return SSI_TP_OK;
}

ssi_tp_err_t ssi_auth_check(const struct ssi_auth_msg *msg, uint8_t kind,
			    uid_t uid, uid_t want_uid, const char *self,
			    const uint8_t *my_nonce, const char *expect_from,
			    char *why, size_t whylen)
{
	if (msg->kind != kind) {
		say(why, whylen, "expected credential kind %u, got %u",
		    kind, msg->kind);
		return SSI_TP_ERR_AUTH;
	}
	if (uid != want_uid) {
		say(why, whylen, "credential of %s is for uid %u, need uid %u",
		    msg->from, (unsigned int)uid, (unsigned int)want_uid);
		return SSI_TP_ERR_AUTH;
	}
	if (kind == SSI_AUTH_HELLO ? (msg->to[0] && strcmp(msg->to, self))
				   : strcmp(msg->to, self)) {
		say(why, whylen, "credential of %s is addressed to '%s', we are '%s'",
		    msg->from, msg->to, self);
		return SSI_TP_ERR_AUTH;
	}
	if (kind == SSI_AUTH_HELLO_ACK &&
	    memcmp(msg->echo, my_nonce, SSI_AUTH_NONCE_LEN)) {
		say(why, whylen, "credential of %s does not echo our nonce",
		    msg->from);
		return SSI_TP_ERR_AUTH;
	}
	if (expect_from && strcmp(msg->from, expect_from)) {
		say(why, whylen, "peer authenticated as '%s', expected '%s'",
		    msg->from, expect_from);
		return SSI_TP_ERR_AUTH;
	}
	return SSI_TP_OK;
}

uint64_t ssi_auth_seq0(const uint8_t nonce[SSI_AUTH_NONCE_LEN])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | nonce[i];
	return v;
}

ssi_tp_err_t ssi_auth_nonce(uint8_t nonce[SSI_AUTH_NONCE_LEN])
{
	size_t got = 0;
	ssize_t n;

	while (got < SSI_AUTH_NONCE_LEN) {
		n = getrandom(nonce + got, SSI_AUTH_NONCE_LEN - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return SSI_TP_ERR_SYSTEM;
		}
		got += (size_t)n;
	}
	return SSI_TP_OK;
}

ssi_tp_err_t ssi_auth_seal(munge_ctx_t ctx, const struct ssi_auth_msg *msg,
			   char **cred, char *why, size_t whylen)
{
	uint8_t buf[SSI_AUTH_MSG_MAX];
	munge_err_t merr;
	size_t len;

	*cred = NULL;
	len = ssi_auth_encode(msg, buf, sizeof(buf));
	if (!len) {
		say(why, whylen, "invalid node name in credential");
		return SSI_TP_ERR_BAD_ARG;
	}
	merr = munge_encode(cred, ctx, buf, (int)len);
	if (merr != EMUNGE_SUCCESS) {
		say(why, whylen, "munge_encode: %s",
		    munge_ctx_strerror(ctx) ?: munge_strerror(merr));
		free(*cred);
		*cred = NULL;
		return SSI_TP_ERR_MUNGE;
	}
	return SSI_TP_OK;
}

/* Errors that say "this credential is bad", as opposed to "munge is down". */
static int munge_err_is_cred(munge_err_t e)
{
	switch (e) {
	case EMUNGE_BAD_ARG:
	case EMUNGE_BAD_LENGTH:
	case EMUNGE_BAD_CRED:
	case EMUNGE_BAD_VERSION:
	case EMUNGE_BAD_CIPHER:
	case EMUNGE_BAD_MAC:
	case EMUNGE_BAD_ZIP:
	case EMUNGE_BAD_REALM:
	case EMUNGE_CRED_INVALID:
	case EMUNGE_CRED_EXPIRED:
	case EMUNGE_CRED_REWOUND:
	case EMUNGE_CRED_REPLAYED:
	case EMUNGE_CRED_UNAUTHORIZED:
		return 1;
	default:
		return 0;
	}
}

ssi_tp_err_t ssi_auth_open(munge_ctx_t ctx, const void *cred, size_t len,
			   struct ssi_auth_msg *msg, uid_t *uid,
			   char *why, size_t whylen)
{
	munge_err_t merr;
	munge_ctx_t dctx;
	ssi_tp_err_t err;
	void *payload = NULL;
	char *text;
	int plen = 0;
	gid_t gid;

	if (len == 0 || len > SSI_FRAME_HANDSHAKE_MAX) {
		say(why, whylen, "credential length %zu out of range", len);
		return SSI_TP_ERR_PROTOCOL;
	}
	if (memchr(cred, '\0', len)) {
		say(why, whylen, "credential contains a NUL byte");
		return SSI_TP_ERR_PROTOCOL;
	}
	text = malloc(len + 1);
	if (!text) {
		say(why, whylen, "out of memory");
		return SSI_TP_ERR_NO_MEMORY;
	}
	memcpy(text, cred, len);
	text[len] = '\0';
	/*
	 * munge_decode() stores what it decoded (cipher, MAC, ...) in the
	 * context it is given, and a refused credential can leave values
	 * there that make the next munge_encode() fail ("Invalid MAC type").
	 * Decode on a private copy so the endpoint's context stays as
	 * configured.
	 */
	dctx = munge_ctx_copy(ctx);
	if (!dctx) {
		free(text);
		say(why, whylen, "munge_ctx_copy: out of memory");
		return SSI_TP_ERR_NO_MEMORY;
	}
	merr = munge_decode(text, dctx, &payload, &plen, uid, &gid);
	free(text);
	if (merr != EMUNGE_SUCCESS) {
		say(why, whylen, "munge_decode: %s",
		    munge_ctx_strerror(dctx) ?: munge_strerror(merr));
		munge_ctx_destroy(dctx);
		free(payload);
		return munge_err_is_cred(merr) ? SSI_TP_ERR_AUTH
					       : SSI_TP_ERR_MUNGE;
	}
	munge_ctx_destroy(dctx);
	if (plen < 0) {
		free(payload);
		say(why, whylen, "munge_decode: negative payload length");
		return SSI_TP_ERR_PROTOCOL;
	}
	err = ssi_auth_parse(payload, (size_t)plen, msg, why, whylen);
	free(payload);
	return err;
}
