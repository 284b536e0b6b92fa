/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench.h - transport benchmark: round-trip latency and streaming
 * throughput through libssitransport, measured beside a plain TCP socket
 * between the same two hosts in the same run.
 *
 * Server side: an endpoint whose on_message passes every message to
 * ssi_bench_handle() (ssid can do the same for its own endpoint), plus a
 * plain socket server (ssi_bench_plain_start()).  Client side:
 * ssi_bench_run() creates its own endpoint, connects, measures and prints.
 */
#ifndef SSI_TP_BENCH_H
#define SSI_TP_BENCH_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "transport/ssi_transport.h"

/* Message types used by the benchmark (in the user range, at the top). */
#define SSI_BENCH_T_ECHO	0xfb01	/* echo the payload back */
#define SSI_BENCH_T_ECHO_REPLY	0xfb02
#define SSI_BENCH_T_DATA	0xfb03	/* stream data, counted */
#define SSI_BENCH_T_END		0xfb04	/* u64 bytes sent; answer DONE */
#define SSI_BENCH_T_DONE	0xfb05	/* u64 bytes received */
#define SSI_BENCH_T_ECHO_BULK	0xfb07	/* echo inline and bulk parts */
#define SSI_BENCH_T_BULK_REPLY	0xfb08

struct ssi_bench_cfg {
	/* the client's endpoint */
	const char *plugin;		/* "tcp", "verbs" */
	const char *plugin_dir;		/* NULL: default */
	const char *plugin_opts;
	const char *node_name;
	const char *munge_socket;	/* NULL: munge's default */
	enum ssi_tp_protect protect;	/* frame protection asked (0: none) */
	/* the server */
	const char *host;
	uint16_t port;			/* transport port */
	uint16_t plain_port;		/* plain socket server; 0: skip */
	/* what to run */
	int rtt_iters;			/* per size (default 20000) */
	double stream_seconds;		/* per size and run (default 1.0) */
	int runs;			/* throughput: best of N (default 3) */
	int verbose;			/* print every transport log line */
	int stall_seconds;		/* give up after this long without an
					 * answer (default 60; < 0: never) */
	const volatile sig_atomic_t *stop;	/* set by a signal: give up,
						 * tearing down cleanly */
};

int ssi_bench_handle(ssi_conn_t conn, const struct ssi_tp_msg *msg);
/*
 *  Serves the benchmark's messages on [conn] (echo, stream counting).
 *  Returns 1 if [msg] was one of them, 0 otherwise (the caller handles it).
 */

int ssi_bench_plain_start(const char *addr, uint16_t port, uint16_t *bound);
/*
 *  Starts the plain socket server in a thread, listening on [addr] (NULL:
 *    any) and [port] (0: any; the port is stored in [*bound]).
 *  Returns 0, or -1 with errno set.
 */

int ssi_bench_run(const struct ssi_bench_cfg *cfg, FILE *out);
/*
 *  Runs every measurement against the server and prints a table with the
 *    transport's figures, the plain socket's, and their ratios to [out].
 *  Returns 0, or -1 after printing why to [out].
 */

int ssi_bench_protect(const struct ssi_bench_cfg *cfg, FILE *out);
/*
 *  Streams through three connections to the same server, asking for no
 *    frame protection, integrity and encryption, and prints each one's
 *    throughput beside the unprotected one's (goal >= 0.90).  The server
 *    must ask for none itself (`server -s none`), else every connection
 *    gets its protection; that is reported as an error.
 *  Returns 0, or -1 after printing why to [out].
 */

int ssi_bench_check(const struct ssi_bench_cfg *cfg, FILE *out);
/*
 *  Correctness, not speed: sends pattern-filled messages of every size
 *    class that takes a different path in a plugin (empty, around the verbs
 *    message size, chunk boundaries, several MiB; inline, bulk, bulk with
 *    a large inline part) and checks the server's echo byte for byte.
 *  Returns 0 if every echo matched, or -1 after printing the first
 *    mismatch to [out].
 */

#endif /* SSI_TP_BENCH_H */
