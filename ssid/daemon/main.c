// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - ssid, the per-node daemon of slurm-ssi.
 *
 * Shape (as munged's): a flat list of start-up steps, any of which may end
 * the program with a message; then one event loop; then teardown in the
 * reverse order.  Signals are read from a signalfd in the loop, so no code
 * runs in signal context at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "daemon/conf.h"
#include "daemon/conf_reload.h"
#include "cluster/balancer.h"
#include "cluster/cluster_view.h"
#include "slurm/slurm_view.h"
#include "control/control_server.h"
#include "control/control_ops.h"
#include "common/defaults.h"
#include "common/log.h"
#include "daemon/loop.h"
#include "dsm/segments.h"
#include "migrate/file_fetch.h"
#include "migrate/migrate.h"
#include "cluster/peers.h"
#include "cluster/load_sample.h"
#include "control/task_registry.h"

struct opts {
	const char *conf_path;
	const char *node;
	bool foreground;
	bool syslog;
	bool test_only;
	int verbose;
};

struct ssid {
	struct opts opt;
	struct ssi_conf *conf;
	int self;
	uid_t admin_uid;
	int daemon_pipe;		/* write end, -1 when not daemonising */
	struct loop *loop;
	struct loop_handler sig_h;
	struct sampler *sampler;
	struct peers *peers;
	struct dsm_kport *kport;
	struct dsm_segments *dsm;	/* this node's DSM segments */
	struct tasks *tasks;
	struct migrate *migrate;
	struct balancer_ctx bal;
	struct ctlops ops;
	struct cluster *cluster;
	struct slurm_view *slurm;
	struct control *control;
	bool pid_written;
	bool stop;
};

static void usage(FILE *fp, const char *prog)
{
	fprintf(fp,
"Usage: %s [OPTION]...\n"
"The slurm-ssi node daemon: membership, load and the control socket.\n"
"\n"
"  -f, --config=FILE   configuration file (default " SSI_CONF_PATH ")\n"
"  -n, --node=NAME     this node's NodeName (default: the host name)\n"
"  -D, --foreground    do not daemonise; log to stderr (for systemd)\n"
"  -S, --syslog        log to syslog even in the foreground\n"
"  -t, --test-config   check the configuration and exit\n"
"  -v, --verbose       log one level more than LogLevel= (repeat: more)\n"
"  -V, --version       print the version and exit\n"
"  -h, --help          print this help and exit\n"
"\n"
"See ssid(8) and ssi.conf(5).\n", prog);
}

static void parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "node", required_argument, NULL, 'n' },
		{ "foreground", no_argument, NULL, 'D' },
		{ "syslog", no_argument, NULL, 'S' },
		{ "test-config", no_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	o->conf_path = SSI_CONF_PATH;
	while ((c = getopt_long(argc, argv, "f:n:DStvVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->conf_path = optarg;
			break;
		case 'n':
			o->node = optarg;
			break;
		case 'D':
			o->foreground = true;
			break;
		case 'S':
			o->syslog = true;
			break;
		case 't':
			o->test_only = true;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'V':
			printf("ssid (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			exit(EXIT_SUCCESS);
		case 'h':
			usage(stdout, argv[0]);
			exit(EXIT_SUCCESS);
		default:
			usage(stderr, argv[0]);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0],
			argv[optind]);
		usage(stderr, argv[0]);
		exit(2);
	}
}

/* Which node am I: -n, else the host name, else its first label. */
static int find_self(const struct ssi_conf *conf, const char *node,
		     char *err, size_t errlen)
{
	char host[256] = "";
	char *dot;
	int idx;

	if (node) {
		idx = conf_node_index(conf, node);
		if (idx < 0)
			snprintf(err, errlen, "-n %s: no such NodeName in %s",
				 node, conf->path);
		return idx;
	}
	if (gethostname(host, sizeof(host) - 1)) {
		snprintf(err, errlen, "gethostname: %m");
		return -1;
	}
	idx = conf_node_index(conf, host);
	if (idx >= 0)
		return idx;
	dot = strchr(host, '.');
	if (dot) {
		*dot = '\0';
		idx = conf_node_index(conf, host);
		if (idx >= 0)
			return idx;
	}
	snprintf(err, errlen, "this host (%s) is not a NodeName in %s; use -n NAME",
		 host, conf->path);
	return -1;
}

static uid_t resolve_admin(const struct ssi_conf *conf)
{
	struct passwd *pw;

	if (!conf->slurm_user)
		return (uid_t)-1;
	errno = 0;
	pw = getpwnam(conf->slurm_user);
	if (!pw)
		log_fatal("%s: SlurmUser=%s: %s", conf->path, conf->slurm_user,
			  errno ? strerror(errno) : "no such user");
	return pw->pw_uid;
}

/* --------------------------------------------------------- daemon mode */

/*
 * Fork twice; the original process waits on a pipe until the daemon says
 * start-up went well (one byte) or dies (EOF), and exits accordingly, so
 * `ssid` without -D fails visibly when the daemon cannot start.
 */
static void daemonize_init(struct ssid *d)
{
	int pfd[2];
	pid_t pid;
	char c = 0;

	if (pipe2(pfd, O_CLOEXEC))
		log_fatal("pipe: %m");
	pid = fork();
	if (pid < 0)
		log_fatal("fork: %m");
	if (pid > 0) {
		close(pfd[1]);
		/* reap the intermediate child (it exits at once), then wait
		 * for the daemon's word or its death (EOF)
		 */
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		while (read(pfd[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(c == 'R' ? EXIT_SUCCESS : EXIT_FAILURE);
	}
	close(pfd[0]);
	if (setsid() < 0)
		log_fatal("setsid: %m");
	pid = fork();
	if (pid < 0)
		log_fatal("fork: %m");
	if (pid > 0)
		_exit(EXIT_SUCCESS);
	d->daemon_pipe = pfd[1];
	umask(022);
}

static void daemonize_fini(struct ssid *d)
{
	int fd;

	if (d->daemon_pipe < 0)
		return;
	if (chdir("/"))
		log_fatal("chdir /: %m");
	fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		log_fatal("/dev/null: %m");
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
	if (write(d->daemon_pipe, "R", 1) != 1)
		log_warn("cannot tell the parent that start-up is complete: %m");
	close(d->daemon_pipe);
	d->daemon_pipe = -1;
}

static void write_pidfile(struct ssid *d)
{
	FILE *fp;

	if (d->opt.foreground)
		return;
	fp = fopen(d->conf->pid_file, "we");
	if (!fp)
		log_fatal("PidFile %s: %m", d->conf->pid_file);
	fprintf(fp, "%d\n", (int)getpid());
	if (fclose(fp))
		log_fatal("PidFile %s: %m", d->conf->pid_file);
	d->pid_written = true;
}

/*
 * Tell systemd (Type=notify) that we are ready, if it asked: one datagram
 * "READY=1" to $NOTIFY_SOCKET.  No libsystemd needed for that.
 */
static void notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof(sa.sun_path))
		return;
	strcpy(sa.sun_path, path);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, "READY=1", 7, MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   len) < 0)
		log_warn("sd_notify: %m");
	close(fd);
}

/* ------------------------------------------------------------- signals */

/*
 * SIGHUP: read ssi.conf again and apply what takes effect at once
 * (conf_reload.c); a file that does not parse changes nothing.
 */
static void reload_conf(struct ssid *d)
{
	char err[1024], applied[512], later[512];
	struct ssi_conf *fresh = conf_load(d->conf->path, err, sizeof(err));

	if (!fresh) {
		log_err("SIGHUP: %s; the configuration in force is kept", err);
		return;
	}
	conf_reload(d->conf, fresh, applied, sizeof(applied), later, sizeof(later));
	conf_free(fresh);
	log_set_level(d->conf->log_level + d->opt.verbose);
	if (*applied)
		log_notice("SIGHUP: %s read again: %s applied", d->conf->path, applied);
	else
		log_notice("SIGHUP: %s read again: no change that applies now", d->conf->path);
	if (*later)
		log_warn("SIGHUP: %s changed in %s: takes effect when ssid restarts", later,
			 d->conf->path);
}

static void signal_ready(struct loop_handler *h, uint32_t events)
{
	struct ssid *d = (struct ssid *)((char *)h - offsetof(struct ssid, sig_h));
	struct signalfd_siginfo si;

	while (read(h->fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_notice("%s from pid %u: stopping",
				   strsignal((int)si.ssi_signo), si.ssi_pid);
			d->stop = true;
			break;
		case SIGHUP:
			reload_conf(d);
			break;
		}
	}
}

static void signals_init(struct ssid *d)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		log_fatal("sigprocmask: %m");
	d->sig_h.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sig_h.fd < 0)
		log_fatal("signalfd: %m");
	d->sig_h.cb = signal_ready;
	if (loop_add(d->loop, &d->sig_h, EPOLLIN))
		log_fatal("epoll: %m");
}

static void request_shutdown(void *arg)
{
	struct ssid *d = arg;

	d->stop = true;
}

/* ----------------------------------------------------------------- DSM */

/* A DSM message to node @node, on the wire as cluster/peer_msg.h says. */
static int dsm_send(void *arg, int node, uint16_t type, const struct msg_dsm *m)
{
	unsigned char buf[MSG_DSM_LEN + MSG_DSM_PAGE];
	struct iovec iov = { buf, msg_encode_dsm(type, m, buf) };

	return peers_send(arg, node, type, &iov, 1);
}

static void dsm_msg(void *arg, int idx, const struct ssi_tp_msg *msg)
{
	dsm_segments_msg(arg, idx, msg);
}

static void dsm_lost(void *arg, int idx)
{
	dsm_segments_node_lost(arg, idx);
}

static void dsm_writable(void *arg, int idx)
{
	dsm_segments_writable(arg, idx);
}

/* The registry of this node's DSM segments, on ssi.ko and the peers. */
static void dsm_init(struct ssid *d)
{
	struct peers_dsm_hooks h = { .msg = dsm_msg, .lost = dsm_lost,
				     .writable = dsm_writable };

	d->kport = dsm_kport_new();
	if (d->kport)
		d->dsm = dsm_segments_create(peers_self(d->peers), &dsm_kport_ops,
					     d->kport, dsm_send, d->peers, d->loop);
	if (!d->dsm)
		log_fatal("out of memory");
	h.arg = d->dsm;
	peers_set_dsm_hooks(d->peers, &h);
}

static void dsm_fini(struct ssid *d)
{
	peers_set_dsm_hooks(d->peers, NULL);
	dsm_segments_destroy(d->dsm);
	dsm_kport_free(d->kport);
}

/* ---------------------------------------------------------------- main */

int main(int argc, char **argv)
{
	struct ssid d = { .daemon_pipe = -1, .sig_h.fd = -1 };
	char err[1024];
	int rc = EXIT_SUCCESS;

	log_open(argv[0], 0, LOG_NOTICE);
	parse_args(&d.opt, argc, argv);
	log_set_level(LOG_NOTICE + d.opt.verbose);

	d.conf = conf_load(d.opt.conf_path, err, sizeof(err));
	if (!d.conf && d.opt.test_only) {
		/* a checker's output: the bare compiler-style message */
		fprintf(stderr, "%s\n", err);
		return EXIT_FAILURE;
	}
	if (!d.conf)
		log_fatal("%s", err);
	log_set_level(d.conf->log_level + d.opt.verbose);
	d.self = find_self(d.conf, d.opt.node, err, sizeof(err));
	if (d.opt.test_only) {
		printf("%s: OK, %zu node%s, transport %s%s%s\n", d.conf->path,
		       d.conf->nnodes, d.conf->nnodes == 1 ? "" : "s",
		       d.conf->transport, d.self >= 0 ? ", this node " : "",
		       d.self >= 0 ? d.conf->nodes[d.self].name : "");
		conf_free(d.conf);
		return EXIT_SUCCESS;
	}
	if (d.self < 0)
		log_fatal("%s", err);
	d.admin_uid = resolve_admin(d.conf);
	/* before any thread: they inherit it (see SSI_NICE) */
	if (setpriority(PRIO_PROCESS, 0, d.conf->nice))
		log_warn("cannot set Nice=%d: %m", d.conf->nice);

	if (!d.opt.foreground)
		daemonize_init(&d);
	d.loop = loop_create();
	if (!d.loop)
		log_fatal("epoll: %m");
	signals_init(&d);
	d.sampler = sampler_open(err, sizeof(err));
	if (!d.sampler)
		log_fatal("load sampling: %s", err);
	d.peers = peers_create(d.conf, d.self, d.loop, d.sampler, err,
			       sizeof(err));
	if (!d.peers)
		log_fatal("%s", err);
	dsm_init(&d);
	d.tasks = tasks_create();
	if (!d.tasks)
		log_fatal("out of memory");
	d.migrate = migrate_create(d.conf, d.peers, d.loop);
	if (!d.migrate)
		log_fatal("out of memory");
	migrate_set_dsm(d.migrate, d.dsm);
	d.slurm = slurm_view_create(d.conf, d.loop);
	if (!d.slurm)
		log_fatal("out of memory");
	d.cluster = cluster_create(d.conf, d.peers, d.tasks, d.migrate, d.slurm);
	if (!d.cluster)
		log_fatal("out of memory");
	d.ops.cluster = d.cluster;
	d.ops.conf = d.conf;
	d.ops.migrate = d.migrate;
	d.ops.dsm = d.dsm;
	d.ops.peers = d.peers;
	d.ops.tasks = d.tasks;
	d.ops.slurm = d.slurm;
	d.bal = (struct balancer_ctx){ d.conf, d.peers, d.tasks, d.migrate,
				       d.sampler, d.slurm };
	d.ops.bal = &d.bal;
	d.ops.shutdown = request_shutdown;
	d.ops.shutdown_arg = &d;
	d.control = control_create(d.conf->control_socket, d.loop, &d.ops,
				   d.admin_uid, err, sizeof(err));
	if (!d.control)
		log_fatal("control socket: %s", err);
	/*
	 * The only ssid here now (a second one fails above): no guest
	 * outlives the ssid that served it, nor do its mapped-file copies.
	 */
	file_fetch_purge();
	write_pidfile(&d);
	if (!d.opt.foreground || d.opt.syslog)
		log_open(argv[0], 1, log_get_level());
	daemonize_fini(&d);
	notify_ready();
	log_notice("ssid %s started: node %s, %zu nodes, transport %s, heartbeat %u/%u ms",
		   PACKAGE_VERSION, d.conf->nodes[d.self].name,
		   d.conf->nnodes, d.conf->transport, d.conf->hb_interval_ms,
		   d.conf->hb_timeout_ms);

	while (!d.stop) {
		uint64_t now = clock_mono_ms();
		uint64_t t1 = peers_timer(d.peers, now);
		uint64_t t2 = control_timer(d.control, now);
		uint64_t t3 = tasks_timer(d.tasks, now);
		uint64_t t4 = migrate_timer(d.migrate, now);
		uint64_t t5 = balancer_timer(&d.bal, now);
		uint64_t t6 = cluster_timer(d.cluster, now);
		uint64_t t7 = slurm_view_timer(d.slurm, now);

		if (t7 < t6)
			t6 = t7;
		if (t5 < t4)
			t4 = t5;
		if (t6 < t4)
			t4 = t6;
		if (t2 < t1)
			t1 = t2;
		if (t3 < t1)
			t1 = t3;
		if (t4 < t1)
			t1 = t4;
		if (loop_wait(d.loop, t1) < 0) {
			log_err("epoll_wait: %m");
			rc = EXIT_FAILURE;
			break;
		}
	}

	if (d.pid_written)
		unlink(d.conf->pid_file);
	control_destroy(d.control);
	cluster_destroy(d.cluster);
	slurm_view_destroy(d.slurm);
	tasks_destroy(d.tasks);
	migrate_destroy(d.migrate);
	dsm_fini(&d);
	peers_destroy(d.peers);
	sampler_close(d.sampler);
	loop_del(d.loop, &d.sig_h);
	close(d.sig_h.fd);
	loop_destroy(d.loop);
	log_notice("ssid stopped");
	conf_free(d.conf);
	log_close();
	return rc;
}
