// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ssi-tp-bench - measure libssitransport against a plain TCP socket.
 *
 *   ssi-tp-bench server [options]        serve on PORT (transport) and
 *                                        PLAIN_PORT (plain socket)
 *   ssi-tp-bench client HOST [options]   measure against a server
 *   ssi-tp-bench local [options]         fork a server on 127.0.0.1 and
 *                                        measure against it
 *   ssi-tp-bench check HOST [options]    verify echoes of every size class
 *   ssi-tp-bench local-check [options]   the same against a local server
 *   ssi-tp-bench protect HOST [options]  frame protection against none
 *                                        (the server runs with -s none)
 *   ssi-tp-bench local-protect [options] the same against a local server
 * Options: -p PLUGIN (tcp)  -P PORT (7077)  -Q PLAIN_PORT (7078; 0: skip)
 *   -l ADDR (server: listen address)  -n NODE (hostname)  -m MUNGE_SOCKET
 *   -d PLUGIN_DIR  -o PLUGIN_OPTS  -i RTT_ITERS (20000)  -t SECONDS (1)
 *   -r RUNS (3)  -s none|integrity|encrypt (frame protection asked; the
 *   stronger of both ends' applies; default integrity)  -T STALL_SECONDS (60: the client gives up when the server
 *   has not answered for that long, saying what it waited for; 0: never)
 * SIGTERM and SIGINT make every mode stop cleanly (the endpoint destroyed,
 * RDMA objects torn down in order) rather than leave that to the kernel.
 * Needs munged (root credentials), as every transport connection does.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/wait.h>

#include "bench.h"

static int verbose;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

/* SIGTERM and SIGINT set [stop]; blocking calls return EINTR. */
static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

static void srv_connect(ssi_conn_t conn, const char *peer, void *arg)
{
	if (verbose)
		fprintf(stderr, "server: %s connected\n", peer);
}

static void srv_message(ssi_conn_t conn, const struct ssi_tp_msg *msg,
			void *arg)
{
	if (!ssi_bench_handle(conn, msg))
		fprintf(stderr, "server: unexpected message type 0x%04x\n",
			msg->type);
}

static void srv_close(ssi_conn_t conn, ssi_tp_err_t reason, void *arg)
{
	if (verbose)
		fprintf(stderr, "server: %s gone: %s\n", ssi_conn_peer(conn),
			ssi_tp_strerror(reason));
}

static void srv_log(int prio, const char *msg, void *arg)
{
	if (prio <= LOG_WARNING || verbose)
		fprintf(stderr, "server: %s\n", msg);
}

static const struct ssi_tp_callbacks srv_cbs = {
	.on_connect = srv_connect,
	.on_message = srv_message,
	.on_close = srv_close,
	.log = srv_log,
};

struct opts {
	struct ssi_bench_cfg b;
	const char *listen;
	char host[256];
};

/* Runs the server until a signal stops it; reports the bound ports on
 * [report_fd]. */
static int server(struct opts *o, int report_fd)
{
	struct ssi_tp_config cfg;
	uint16_t ports[2];
	ssi_tp_err_t err;
	ssi_tp_t tp;

	ssi_tp_config_init(&cfg);
	cfg.plugin = o->b.plugin;
	cfg.plugin_dir = o->b.plugin_dir;
	cfg.plugin_opts = o->b.plugin_opts;
	cfg.node_name = o->b.node_name;
	cfg.munge_socket = o->b.munge_socket;
	cfg.protect = o->b.protect;
	cfg.max_payload = 8 << 20;
	cfg.cb = &srv_cbs;
	err = ssi_tp_create(&cfg, &tp);
	if (!err)
		err = ssi_tp_listen(tp, o->listen, o->b.port);
	if (err) {
		fprintf(stderr, "server: %s: %s\n", ssi_tp_strerror(err),
			tp ? ssi_tp_errmsg(tp) : "");
		return 1;
	}
	ports[0] = ssi_tp_port(tp);
	ports[1] = 0;
	if (o->b.plain_port != 0 || report_fd >= 0) {
		if (ssi_bench_plain_start(o->listen, report_fd >= 0 ? 0 :
					  o->b.plain_port, &ports[1])) {
			fprintf(stderr, "server: plain socket: %s\n",
				strerror(errno));
			return 1;
		}
	}
	if (report_fd >= 0) {
		if (write(report_fd, ports, sizeof(ports)) != sizeof(ports))
			return 1;
		close(report_fd);
	} else {
		fprintf(stderr, "server: transport port %u, plain port %u\n",
			ports[0], ports[1]);
	}
	while (!stop) {		/* a second at most: a signal may come
				 * just before epoll_wait() */
		err = ssi_tp_dispatch(tp, 1000);
		if (err) {
			fprintf(stderr, "server: %s\n", ssi_tp_errmsg(tp));
			ssi_tp_destroy(tp);
			return 1;
		}
	}
	ssi_tp_destroy(tp);
	return 0;
}

enum { RUN, CHECK, PROTECT };

/* The measuring modes: against a server at HOST, or one forked here. */
static const struct mode {
	const char *name;
	int what;
	int local;
} modes[] = {
	{ "client", RUN, 0 },
	{ "check", CHECK, 0 },
	{ "protect", PROTECT, 0 },
	{ "local", RUN, 1 },
	{ "local-check", CHECK, 1 },
	{ "local-protect", PROTECT, 1 },
	{ NULL, 0, 0 },
};

static int measure(struct opts *o, int what)
{
	switch (what) {
	case CHECK:
		return ssi_bench_check(&o->b, stdout) ? 1 : 0;
	case PROTECT:
		return ssi_bench_protect(&o->b, stdout) ? 1 : 0;
	default:
		return ssi_bench_run(&o->b, stdout) ? 1 : 0;
	}
}

static int local(struct opts *o, int what)
{
	uint16_t ports[2];
	int p[2], rc, st;
	pid_t pid;

	if (pipe(p))
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		close(p[0]);
		o->listen = "127.0.0.1";
		o->b.port = 0;
		if (what == PROTECT)
			o->b.protect = SSI_TP_PROTECT_NONE;
		_exit(server(o, p[1]));
	}
	close(p[1]);
	if (read(p[0], ports, sizeof(ports)) != sizeof(ports)) {
		fprintf(stderr, "local: the server did not start\n");
		waitpid(pid, &st, 0);
		return 1;
	}
	close(p[0]);
	o->b.host = "127.0.0.1";
	o->b.port = ports[0];
	o->b.plain_port = ports[1];
	rc = measure(o, what);
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	return rc;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: ssi-tp-bench server|client HOST|check HOST|protect HOST|\n"
		"       local|local-check|local-protect\n"
		"       [-p PLUGIN] [-P PORT]\n"
		"       [-Q PLAIN_PORT] [-l ADDR] [-n NODE] [-m MUNGE_SOCKET]\n"
		"       [-d PLUGIN_DIR] [-o PLUGIN_OPTS] [-i ITERS] [-t SECONDS]\n"
		"       [-r RUNS] [-s none|integrity|encrypt] [-T STALL_SECONDS] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o = { .b = { .plugin = "tcp", .port = 7077,
				 .plain_port = 7078,
				 .protect = SSI_TP_PROTECT_INTEGRITY } };
	const struct mode *m;
	const char *mode;
	int c;

	if (argc < 2)
		usage();
	mode = argv[1];
	argv++;
	argc--;
	for (m = modes; m->name && strcmp(m->name, mode); m++)
		;
	if (!m->name && strcmp(mode, "server"))
		usage();
	if (m->name && !m->local) {
		if (argc < 2)
			usage();
		o.b.host = argv[1];
		argv++;
		argc--;
	}
	while ((c = getopt(argc, argv, "p:P:Q:l:n:m:d:o:i:t:r:s:T:v")) != -1) {
		switch (c) {
		case 'p': o.b.plugin = optarg; break;
		case 'P': o.b.port = (uint16_t)atoi(optarg); break;
		case 'Q': o.b.plain_port = (uint16_t)atoi(optarg); break;
		case 'l': o.listen = optarg; break;
		case 'n': o.b.node_name = optarg; break;
		case 'm': o.b.munge_socket = optarg; break;
		case 'd': o.b.plugin_dir = optarg; break;
		case 'o': o.b.plugin_opts = optarg; break;
		case 'i': o.b.rtt_iters = atoi(optarg); break;
		case 't': o.b.stream_seconds = atof(optarg); break;
		case 'r': o.b.runs = atoi(optarg); break;
		case 's':
			if (!strcmp(optarg, "none"))
				o.b.protect = SSI_TP_PROTECT_NONE;
			else if (!strcmp(optarg, "integrity"))
				o.b.protect = SSI_TP_PROTECT_INTEGRITY;
			else if (!strcmp(optarg, "encrypt"))
				o.b.protect = SSI_TP_PROTECT_ENCRYPT;
			else
				usage();
			break;
		case 'T': o.b.stall_seconds = atoi(optarg) ? atoi(optarg) : -1;
			  break;
		case 'v': verbose = 1; o.b.verbose = 1; break;
		default: usage();
		}
	}
	if (!o.b.node_name) {
		if (gethostname(o.host, sizeof(o.host) - 1))
			strcpy(o.host, "bench");
		o.b.node_name = o.host;
	}
	signal(SIGPIPE, SIG_IGN);
	catch_signals();
	o.b.stop = &stop;
	if (!strcmp(mode, "server"))
		return server(&o, -1);
	return m->local ? local(&o, m->what) : measure(&o, m->what);
}
