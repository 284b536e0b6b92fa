/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench_int.h - shared between the benchmark's files. */
#ifndef SSI_TP_BENCH_INT_H
#define SSI_TP_BENCH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "bench.h"

uint64_t thread_cpu_ns(void);
int plain_read_full(int fd, void *buf, size_t len);
int plain_write_full(int fd, const void *buf, size_t len);
int plain_read_epoll(int epfd, int fd, void *buf, size_t len);
int plain_epoll(int fd);
int plain_connect(const char *host, uint16_t port, char cmd, uint64_t arg);

#endif
