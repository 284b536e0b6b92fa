// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_home: a TCP server at home (the parent, on 127.0.0.1) and a client
 * (its migrated child).  The client's sockets are forwarded, so after the
 * move 127.0.0.1 is still the home node's: it keeps talking on the
 * connection it opened at home and opens new ones every few rounds.
 * Messages go up to 300 KB each way (the server answers each one with the
 * bytes inverted once it has all of it, so neither side can deadlock).
 */
#include "zs.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

struct hdr {
	uint32_t seq, len;	/* len 0: end of connection, ~0: quit */
};

#define MAX_MSG (300 * 1024)
#define QUIT 0xffffffffu

static char buf[MAX_MSG], want[MAX_MSG];

/* One connection: answer each message until the client ends it. */
static int serve(int c)
{
	struct hdr h;
	uint32_t i;

	for (;;) {
		zs_check(zs_read_all(c, &h, sizeof(h)), "server: EOF without an end message");
		if (h.len == 0 || h.len == QUIT)
			return h.len == QUIT;
		zs_check(h.len <= MAX_MSG, "server: message %u of %u bytes", h.seq, h.len);
		zs_check(zs_read_all(c, buf, h.len), "server: EOF inside message %u", h.seq);
		for (i = 0; i < h.len; i++)
			buf[i] = ~buf[i];
		zs_write_all(c, &h, sizeof(h));
		zs_write_all(c, buf, h.len);
	}
}

static int dial(const struct sockaddr_in *srv)
{
	struct sockaddr_in me, peer;
	socklen_t len = sizeof(me);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	zs_check(s >= 0, "client: socket: %s", strerror(errno));
	zs_check(!connect(s, (const struct sockaddr *)srv, sizeof(*srv)),
		 "client: connect to 127.0.0.1:%d: %s", ntohs(srv->sin_port), strerror(errno));
	zs_check(!getsockname(s, (struct sockaddr *)&me, &len) &&
		 me.sin_addr.s_addr == htonl(INADDR_LOOPBACK), "client: getsockname");
	len = sizeof(peer);
	zs_check(!getpeername(s, (struct sockaddr *)&peer, &len) &&
		 peer.sin_port == srv->sin_port, "client: getpeername");
	return s;
}

static void send_end(int s, uint32_t how)
{
	struct hdr h = { 0, how };

	zs_write_all(s, &h, sizeof(h));
	close(s);
}

static int client(const struct sockaddr_in *srv)
{
	uint32_t seed = 7, seq, i, n;
	int s = dial(srv);
	struct hdr h;

	for (seq = 1; zs_more(); seq++) {
		if (seq % 3 == 0) {
			send_end(s, 0);
			s = dial(srv);
		}
		for (n = zs_rand(&seed) % 4 + 1; n; n--) {
			h = (struct hdr){ seq, 1 + zs_rand(&seed) % MAX_MSG };
			for (i = 0; i < h.len; i++)
				want[i] = zs_rand(&seed);
			zs_write_all(s, &h, sizeof(h));
			zs_write_all(s, want, h.len);
			zs_check(zs_read_all(s, &h, sizeof(h)), "client: EOF instead of answer %u", seq);
			zs_check(h.seq == seq && zs_read_all(s, buf, h.len), "client: answer %u", h.seq);
			for (i = 0; i < h.len; i++)
				zs_check((char)~buf[i] == want[i], "client: byte %u of answer %u", i, seq);
		}
	}
	send_end(s, QUIT);
	zdtm_say("tcp_home: client done\n");
	return 0;
}

int main(void)
{
	struct sockaddr_in srv = { .sin_family = AF_INET };
	socklen_t len = sizeof(srv);
	int l, c, st, one = 1;
	pid_t pid;

	srv.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (struct sockaddr *)&srv, sizeof(srv)) || listen(l, 8) ||
	    getsockname(l, (struct sockaddr *)&srv, &len))
		zs_fail("server: listen on 127.0.0.1: %s", strerror(errno));
	pid = fork();
	zs_check(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		close(l);
		return client(&srv);
	}
	zs_ready(pid);
	do {
		c = accept(l, NULL, NULL);
		zs_check(c >= 0, "server: accept: %s", strerror(errno));
	} while (!serve(c) && !close(c));
	zs_check(waitpid(pid, &st, 0) == pid, "waitpid: %s", strerror(errno));
	zs_check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "client status %#x", st);
	zdtm_say("tcp_home: server ok, client exited 0\n");
	return 61;
}
