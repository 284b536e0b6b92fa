// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plain.c - the benchmark's baseline: the same exchanges over a plain TCP
 * socket (TCP_NODELAY, blocking I/O, kernel-autotuned buffers, no framing
 * beyond a 9-byte command), server and client.
 *
 * Commands, one per connection: 'E' + u64 size: echo size-byte messages
 * until EOF; 'e': the same, but waiting in epoll_wait() before each read,
 * as an event loop does; 'S' + u64 0: read until EOF, answer with the u64
 * byte count and the u64 nanoseconds of CPU the reading thread used.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>

#include "bench_int.h"

#define STREAM_BUF	(4u << 20)

uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int plain_read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* As plain_read_full(), waiting in epoll_wait() whenever the socket is
 * empty ([fd] is non-blocking and in [epfd]). */
int plain_read_epoll(int epfd, int fd, void *buf, size_t len)
{
	struct epoll_event ev;
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		if (epoll_wait(epfd, &ev, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (;;) {
			n = read(fd, (char *)buf + got, len - got);
			if (n > 0) {
				got += (size_t)n;
				if (got == len)
					break;
				continue;
			}
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				break;
			return -1;
		}
	}
	return 0;
}

int plain_epoll(int fd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int epfd = epoll_create1(EPOLL_CLOEXEC);

	if (epfd < 0)
		return -1;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) ||
	    epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev)) {
		close(epfd);
		return -1;
	}
	return epfd;
}

int plain_write_full(int fd, const void *buf, size_t len)
{
	size_t put = 0;
	ssize_t n;

	while (put < len) {
		n = send(fd, (const char *)buf + put, len - put, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		put += (size_t)n;
	}
	return 0;
}

static void nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void serve(int fd)
{
	uint8_t cmd[9];
	uint64_t arg, total = 0;
	uint8_t *buf;
	ssize_t n;

	if (plain_read_full(fd, cmd, sizeof(cmd)))
		return;
	memcpy(&arg, cmd + 1, sizeof(arg));
	if (cmd[0] == 'E' && arg > 0 && arg <= STREAM_BUF) {
		buf = malloc(arg);
		while (buf && !plain_read_full(fd, buf, arg) &&
		       !plain_write_full(fd, buf, arg))
			;
		free(buf);
	} else if (cmd[0] == 'e' && arg > 0 && arg <= 65536) {
		int epfd = plain_epoll(fd);

		buf = malloc(arg);
		while (buf && epfd >= 0 && !plain_read_epoll(epfd, fd, buf, arg) &&
		       !plain_write_full(fd, buf, arg))
			;
		free(buf);
		if (epfd >= 0)
			close(epfd);
	} else if (cmd[0] == 'S') {
		uint64_t reply[2], cpu0 = thread_cpu_ns();

		buf = malloc(STREAM_BUF);
		while (buf && (n = read(fd, buf, STREAM_BUF)) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				break;
			total += (uint64_t)n;
		}
		free(buf);
		reply[0] = total;
		reply[1] = thread_cpu_ns() - cpu0;
		plain_write_full(fd, reply, sizeof(reply));
	}
}

static void *server_thread(void *arg)
{
	int lfd = (int)(intptr_t)arg, fd;

	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return NULL;
		}
		nodelay(fd);
		serve(fd);
		close(fd);
	}
}

int ssi_bench_plain_start(const char *addr, uint16_t port, uint16_t *bound)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in s4 = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	socklen_t len;
	pthread_t th;
	int fd, one = 1, zero = 0;

	if (addr && *addr && inet_pton(AF_INET, addr, &s4.sin_addr) == 1) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&s4, sizeof(s4)))
			goto fail;
	} else {
		if (addr && *addr && inet_pton(AF_INET6, addr, &s6.sin6_addr) != 1) {
			errno = EINVAL;
			return -1;
		}
		fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		if (bind(fd, (struct sockaddr *)&s6, sizeof(s6)))
			goto fail;
	}
	len = sizeof(s6);
	if (listen(fd, 8) || getsockname(fd, (struct sockaddr *)&s6, &len))
		goto fail;
	*bound = ntohs(s6.sin6_port);	/* same offset in sockaddr_in */
	if (pthread_create(&th, NULL, server_thread, (void *)(intptr_t)fd))
		goto fail;
	pthread_detach(th);
	return 0;
fail:
	close(fd);
	return -1;
}

int plain_connect(const char *host, uint16_t port, char cmd, uint64_t arg)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	uint8_t buf[9];
	char sport[8];
	int fd = -1;

	snprintf(sport, sizeof(sport), "%u", port);
	if (getaddrinfo(host, sport, &hints, &res))
		return -1;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return -1;
	nodelay(fd);
	buf[0] = (uint8_t)cmd;
	memcpy(buf + 1, &arg, sizeof(arg));
	if (plain_write_full(fd, buf, sizeof(buf))) {
		close(fd);
		return -1;
	}
	return fd;
}
