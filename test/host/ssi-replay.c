// SPDX-License-Identifier: GPL-2.0
/*
 * ssi-replay.c - host-test tool: prove that a transport handshake
 * credential cannot be replayed.
 *
 * It seals one genuine HELLO credential through munged (as ssid's
 * transport does: from NODE to PEER with a fresh nonce), sends it to
 * HOST:PORT and expects a HELLO_ACK (the credential is good), then sends
 * the very same bytes on new connections to each further HOST:PORT and
 * expects each to be refused (closed without a HELLO_ACK).
 *
 * Usage: ssi-replay MUNGE_SOCKET FROM TO HOST PORT [HOST PORT]...
 * Prints one line per attempt: "accepted HOST:PORT" or "refused HOST:PORT";
 * exits 0 if the first was accepted and all the others refused, 1 if not,
 * 2 on a usage or local error.
 *
 * Uses the transport's own handshake encoder (auth.h, frame.h; exported
 * by libssitransport) so that it speaks exactly what ssid speaks.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <munge.h>

#include "transport/auth.h"
#include "transport/frame.h"
#include "transport/seal.h"

static int dial(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai, *a;
	int fd = -1, rc;

	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc) {
		fprintf(stderr, "ssi-replay: %s: %s\n", host, gai_strerror(rc));
		exit(2);
	}
	for (a = ai; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd < 0) {
		fprintf(stderr, "ssi-replay: connect %s:%s: %m\n", host, port);
		exit(2);
	}
	return fd;
}

/* 1 if the peer answered with a HELLO_ACK frame, 0 if it closed. */
static int try_once(const char *host, const char *port, const void *frame,
		    size_t len)
{
	unsigned char hdr[SSI_FRAME_HDR_LEN];
	struct pollfd pfd;
	size_t got = 0;
	ssize_t n;
	int fd = dial(host, port);

	if (write(fd, frame, len) != (ssize_t)len) {
		close(fd);
		return 0;	/* reset before we could even send */
	}
	while (got < sizeof(hdr)) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 10000) <= 0) {
			fprintf(stderr, "ssi-replay: %s:%s: no answer in 10 s\n",
				host, port);
			exit(2);
		}
		n = read(fd, hdr + got, sizeof(hdr) - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	/* bytes 6-7 of the header are the frame type */
	return got == sizeof(hdr) &&
	       ((hdr[6] << 8) | hdr[7]) == SSI_FRAME_T_HELLO_ACK;
}

int main(int argc, char **argv)
{
	struct ssi_auth_msg m;
	struct ssi_frame_hdr h;
	EVP_PKEY *kx = NULL;
	munge_ctx_t ctx;
	char why[256], *cred;
	unsigned char *frame;
	size_t clen;
	int i, ok = 1;

	if (argc < 6 || (argc - 4) % 2) {
		fprintf(stderr, "usage: ssi-replay MUNGE_SOCKET FROM TO HOST PORT [HOST PORT]...\n");
		return 2;
	}
	ctx = munge_ctx_create();
	if (!ctx || munge_ctx_set(ctx, MUNGE_OPT_SOCKET, argv[1]) != EMUNGE_SUCCESS) {
		fprintf(stderr, "ssi-replay: munge context\n");
		return 2;
	}
	memset(&m, 0, sizeof(m));
	m.version = SSI_TP_PROTO_VERSION;
	m.kind = SSI_AUTH_HELLO;
	m.protect = SSI_TP_PROTECT_INTEGRITY;
	snprintf(m.from, sizeof(m.from), "%s", argv[2]);
	snprintf(m.to, sizeof(m.to), "%s", argv[3]);
	why[0] = '\0';
	if (ssi_auth_nonce(m.nonce) || ssi_seal_kx_new(&kx, m.kx) ||
	    ssi_auth_seal(ctx, &m, &cred, why, sizeof(why))) {
		fprintf(stderr, "ssi-replay: cannot seal a credential: %s\n", why);
		return 2;
	}
	clen = strlen(cred);
	memset(&h, 0, sizeof(h));
	h.version = SSI_FRAME_VERSION;
	h.type = SSI_FRAME_T_HELLO;
	h.length = (uint32_t)clen;
	frame = malloc(SSI_FRAME_HDR_LEN + clen);
	if (!frame)
		return 2;
	ssi_frame_encode_hdr(frame, &h);
	memcpy(frame + SSI_FRAME_HDR_LEN, cred, clen);

	for (i = 4; i < argc; i += 2) {
		int acc = try_once(argv[i], argv[i + 1], frame,
				   SSI_FRAME_HDR_LEN + clen);

		printf("%s %s:%s\n", acc ? "accepted" : "refused", argv[i],
		       argv[i + 1]);
		fflush(stdout);
		if (acc != (i == 4))
			ok = 0;
	}
	free(frame);
	free(cred);
	EVP_PKEY_free(kx);
	munge_ctx_destroy(ctx);
	return ok ? 0 : 1;
}
