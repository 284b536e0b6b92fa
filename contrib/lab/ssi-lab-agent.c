/*
 * ssi-lab-agent - run commands in a lab VM from the host.
 *
 * The lab has no ssh (not installed, and a key setup would be slower than
 * the whole boot).  One small binary does both ends:
 *
 *   ssi-lab-agent serve ADDR PORT TOKENFILE
 *       In the guest: accept connections on the lab network, run one command
 *       per connection, stream its stdout and stderr back separately, then
 *       its exit status.
 *
 *   ssi-lab-agent exec [-n NETNS] [-i] [-t SECS] ADDR PORT TOKENFILE -- CMD...
 *       On the host: enter the lab's network namespace (a path such as
 *       /run/netns/ssilab-NAME; setns is much cheaper than `ip netns exec`),
 *       connect, send the command, copy its stdout to fd 1 and its stderr to
 *       fd 2, and exit with its status.  -i forwards our stdin (otherwise the
 *       command gets /dev/null, so `while read ...; do exec ...; done < f`
 *       works as expected).  -t bounds the connect, not the command.
 *
 * Exit status of `exec`: the command's (128+N when killed by signal N, as a
 * shell reports it); 255 when the agent could not be reached or the
 * connection broke, like ssh.
 *
 * Wire format, both directions: frames of [type:u8][len:u32 big-endian][data].
 *   client -> server: 'T' token, 'D' cwd, 'A' one argv element (repeated),
 *                     'G' go, then 'I' stdin bytes ('I' with len 0 = EOF)
 *   server -> client: 'O' stdout bytes, 'E' stderr bytes,
 *                     'X' 4-byte big-endian exit status (last frame)
 * The token (a per-lab secret in a root-only file on the lab share) keeps
 * job processes of ordinary users in the lab from getting root on the nodes.
 *
 * If the client goes away before the command ends (Ctrl-C, a test's
 * timeout), the server kills the command's process group: no orphans.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_FRAME	(1u << 20)	/* refuse anything larger: garbage */
#define MAX_ARGS	4096
#define IO_CHUNK	65536
#define TOKEN_MAX	256
/* After the command exits, keep copying output that its background children
 * still write for this long after the last byte; then report the exit status
 * anyway, so `exec n1 -- sh -c 'daemon &'` does not hang like ssh would. */
#define DRAIN_QUIET_MS	300
#define DRAIN_MAX_MS	2000

static const char *prog = "ssi-lab-agent";

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(255);
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return -1;	/* EOF in the middle of a frame */
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int send_frame(int fd, char type, const void *data, uint32_t len)
{
	unsigned char hdr[5];
	uint32_t be = htonl(len);

	hdr[0] = (unsigned char)type;
	memcpy(hdr + 1, &be, 4);
	if (write_all(fd, hdr, sizeof(hdr)) < 0)
		return -1;
	return len ? write_all(fd, data, len) : 0;
}

/* Reads one frame; *data is malloc'd and NUL-terminated (for strings). */
static int recv_frame(int fd, char *type, char **data, uint32_t *len)
{
	unsigned char hdr[5];
	uint32_t be;

	if (read_all(fd, hdr, sizeof(hdr)) < 0)
		return -1;
	memcpy(&be, hdr + 1, 4);
	*type = (char)hdr[0];
	*len = ntohl(be);
	if (*len > MAX_FRAME)
		return -1;
	*data = malloc(*len + 1);
	if (!*data)
		return -1;
	if (*len && read_all(fd, *data, *len) < 0) {
		free(*data);
		return -1;
	}
	(*data)[*len] = '\0';
	return 0;
}

static char *read_token(const char *path)
{
	static char tok[TOKEN_MAX];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		die("cannot read token %s: %s", path, strerror(errno));
	n = fread(tok, 1, sizeof(tok) - 1, f);
	fclose(f);
	while (n > 0 && (tok[n - 1] == '\n' || tok[n - 1] == '\r'))
		n--;
	tok[n] = '\0';
	if (n == 0)
		die("empty token in %s", path);
	return tok;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* ------------------------------------------------------------------ server */

static int status_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 255;
}

static void kill_group(pid_t pid)
{
	int i;

	kill(-pid, SIGTERM);
	for (i = 0; i < 20; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			break;
		usleep(100000);
	}
	kill(-pid, SIGKILL);
}

/* One connection, in its own process. */
static void serve_one(int sock, const char *token)
{
	char *argv[MAX_ARGS + 1];
	int argc = 0, want_stdin = 0, ok_token = 0;
	char *cwd = NULL;
	int out[2], err[2], in[2] = { -1, -1 };
	pid_t pid;
	int st = 0, exited = 0, out_open = 1, err_open = 1, sock_open = 1;
	long last_data = 0, exit_time = 0;
	char buf[IO_CHUNK];

	for (;;) {
		char type, *data;
		uint32_t len;

		if (recv_frame(sock, &type, &data, &len) < 0)
			_exit(1);
		if (type == 'T') {
			ok_token = strcmp(data, token) == 0;
			free(data);
		} else if (type == 'D') {
			cwd = data;
		} else if (type == 'A' && argc < MAX_ARGS) {
			argv[argc++] = data;
		} else if (type == 'G') {
			want_stdin = len == 1 && data[0] == 'i';
			free(data);
			break;
		} else {
			free(data);
			_exit(1);
		}
	}
	argv[argc] = NULL;
	if (!ok_token) {
		const char msg[] = "ssi-lab-agent: bad token\n";

		send_frame(sock, 'E', msg, sizeof(msg) - 1);
		st = htonl(255);
		send_frame(sock, 'X', &st, 4);
		_exit(1);
	}
	if (argc == 0) {
		st = htonl(0);
		send_frame(sock, 'X', &st, 4);
		_exit(0);
	}
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 ||
	    (want_stdin && pipe2(in, O_CLOEXEC) < 0))
		_exit(1);

	pid = fork();
	if (pid < 0)
		_exit(1);
	if (pid == 0) {
		sigset_t none;
		int nul, sig;

		/* Own session: killing the group on disconnect reaches every
		 * process the command started, and none of them inherits our
		 * socket (CLOEXEC). */
		setsid();
		/* The command starts as from a login: every signal at its
		 * default, none blocked.  (Ignored signals survive exec, and
		 * our own parent may have been started with some ignored.) */
		for (sig = 1; sig < NSIG; sig++)
			signal(sig, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (want_stdin) {
			dup2(in[0], 0);
		} else {
			nul = open("/dev/null", O_RDONLY);
			if (nul >= 0)
				dup2(nul, 0);
		}
		dup2(out[1], 1);
		dup2(err[1], 2);
		if (!cwd || chdir(cwd) < 0)
			if (chdir("/") < 0)
				_exit(127);
		execvp(argv[0], argv);
		dprintf(2, "%s: %s\n", argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(out[1]);
	close(err[1]);
	if (want_stdin)
		close(in[0]);

	while (out_open || err_open) {
		struct pollfd p[3];
		int np = 0, i_out = -1, i_err = -1, i_sock = -1, timeout = -1;

		if (out_open) {
			p[np] = (struct pollfd){ .fd = out[0], .events = POLLIN };
			i_out = np++;
		}
		if (err_open) {
			p[np] = (struct pollfd){ .fd = err[0], .events = POLLIN };
			i_err = np++;
		}
		if (sock_open) {
			p[np] = (struct pollfd){ .fd = sock, .events = POLLIN };
			i_sock = np++;
		}
		if (!exited) {
			if (waitpid(pid, &st, WNOHANG) == pid) {
				exited = 1;
				exit_time = last_data = now_ms();
			} else {
				timeout = 100;	/* poll for the exit */
			}
		}
		if (exited) {
			long left = DRAIN_QUIET_MS - (now_ms() - last_data);

			if (now_ms() - exit_time >= DRAIN_MAX_MS)
				left = 0;
			if (left <= 0)
				break;
			timeout = (int)left;
		}
		if (poll(p, (nfds_t)np, timeout) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (i_out >= 0 && p[i_out].revents) {
			ssize_t n = read(out[0], buf, sizeof(buf));

			if (n > 0) {
				if (send_frame(sock, 'O', buf, (uint32_t)n) < 0)
					goto gone;
				last_data = now_ms();
			} else if (n == 0 || errno != EINTR) {
				out_open = 0;
			}
		}
		if (i_err >= 0 && p[i_err].revents) {
			ssize_t n = read(err[0], buf, sizeof(buf));

			if (n > 0) {
				if (send_frame(sock, 'E', buf, (uint32_t)n) < 0)
					goto gone;
				last_data = now_ms();
			} else if (n == 0 || errno != EINTR) {
				err_open = 0;
			}
		}
		if (i_sock >= 0 && p[i_sock].revents) {
			char type, *data;
			uint32_t len;

			if (recv_frame(sock, &type, &data, &len) < 0)
				goto gone;	/* client went away */
			if (type == 'I' && in[1] >= 0) {
				if (len == 0 || write_all(in[1], data, len) < 0) {
					close(in[1]);
					in[1] = -1;
				}
			}
			free(data);
		}
	}
	if (!exited)
		waitpid(pid, &st, 0);
	st = htonl((uint32_t)status_code(st));
	send_frame(sock, 'X', &st, 4);
	_exit(0);
gone:
	if (!exited)
		kill_group(pid);
	_exit(1);
}

static __attribute__((noreturn)) void do_serve(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	const char *token;
	int ls, one = 1;

	if (argc != 4)
		die("usage: serve ADDR PORT TOKENFILE");
	token = read_token(argv[3]);
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1)
		die("bad address %s", argv[1]);
	sa.sin_port = htons((uint16_t)atoi(argv[2]));
	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0)
		die("socket: %s", strerror(errno));
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind %s:%s: %s", argv[1], argv[2], strerror(errno));
	if (listen(ls, 64) < 0)
		die("listen: %s", strerror(errno));
	/* Children are reaped by the kernel; each connection handler waits
	 * for its own command with the default disposition restored. */
	signal(SIGCHLD, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "%s: listening on %s:%s\n", prog, argv[1], argv[2]);
	for (;;) {
		int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
		pid_t pid;

		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED ||
			    errno == EMFILE || errno == ENFILE ||
			    errno == ENOMEM || errno == ENOBUFS) {
				if (errno != EINTR && errno != ECONNABORTED)
					usleep(100000);	/* shed load */
				continue;
			}
			die("accept: %s", strerror(errno));
		}
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		pid = fork();
		if (pid == 0) {
			close(ls);
			signal(SIGCHLD, SIG_DFL);
			serve_one(c, token);
		}
		close(c);
	}
}

/* ------------------------------------------------------------------ client */

static int connect_timeout(const char *addr, const char *port, int secs)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	long deadline = now_ms() + secs * 1000L;
	int s, one = 1, soerr = 0;
	socklen_t sl = sizeof(soerr);
	struct pollfd p;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		die("bad address %s", addr);
	sa.sin_port = htons((uint16_t)atoi(port));
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0)
		die("socket: %s", strerror(errno));
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno != EINPROGRESS)
			die("connect %s:%s: %s", addr, port, strerror(errno));
		p = (struct pollfd){ .fd = s, .events = POLLOUT };
		for (;;) {
			long left = deadline - now_ms();
			int r;

			if (left <= 0)
				die("connect %s:%s: timed out", addr, port);
			r = poll(&p, 1, (int)left);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				die("poll: %s", strerror(errno));
			if (r > 0)
				break;
		}
		getsockopt(s, SOL_SOCKET, SO_ERROR, &soerr, &sl);
		if (soerr)
			die("connect %s:%s: %s", addr, port, strerror(soerr));
	}
	fcntl(s, F_SETFL, fcntl(s, F_GETFL) & ~O_NONBLOCK);
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return s;
}

static int do_exec(int argc, char **argv)
{
	const char *netns = NULL, *token;
	int want_stdin = 0, secs = 10, s, i, opt, in_open;
	char cwd[4096];

	optind = 1;
	while ((opt = getopt(argc, argv, "+n:it:")) != -1) {
		switch (opt) {
		case 'n': netns = optarg; break;
		case 'i': want_stdin = 1; break;
		case 't': secs = atoi(optarg); break;
		default: die("usage: exec [-n NETNS] [-i] [-t SECS] ADDR PORT TOKENFILE -- CMD...");
		}
	}
	if (argc - optind < 3)
		die("usage: exec [-n NETNS] [-i] [-t SECS] ADDR PORT TOKENFILE -- CMD...");
	if (netns) {
		int fd = open(netns, O_RDONLY | O_CLOEXEC);

		if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
			die("cannot enter network namespace %s: %s", netns,
			    strerror(errno));
		close(fd);
	}
	signal(SIGPIPE, SIG_IGN);
	s = connect_timeout(argv[optind], argv[optind + 1], secs);
	token = read_token(argv[optind + 2]);
	if (send_frame(s, 'T', token, (uint32_t)strlen(token)) < 0)
		die("send: %s", strerror(errno));
	/* The caller's directory: the guest's root is the host's root, so a
	 * path in the build tree means the same thing there.  The server
	 * falls back to / when it does not exist in the guest. */
	if (getcwd(cwd, sizeof(cwd)))
		send_frame(s, 'D', cwd, (uint32_t)strlen(cwd));
	i = optind + 3;
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	for (; i < argc; i++)
		if (send_frame(s, 'A', argv[i], (uint32_t)strlen(argv[i])) < 0)
			die("send: %s", strerror(errno));
	if (send_frame(s, 'G', want_stdin ? "i" : "", want_stdin ? 1 : 0) < 0)
		die("send: %s", strerror(errno));

	in_open = want_stdin;
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = s, .events = POLLIN },
			{ .fd = 0, .events = POLLIN },
		};
		int r = poll(p, in_open ? 2 : 1, -1);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		if (in_open && p[1].revents) {
			char buf[IO_CHUNK];
			ssize_t n = read(0, buf, sizeof(buf));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				in_open = 0;
				n = 0;
			}
			if (send_frame(s, 'I', buf, (uint32_t)n) < 0)
				die("connection lost");
		}
		if (p[0].revents) {
			char type, *data;
			uint32_t len, code;

			if (recv_frame(s, &type, &data, &len) < 0)
				die("connection lost before the command's exit status");
			switch (type) {
			case 'O':
			case 'E':
				/* Our reader went away (`exec ... | head`): end
				 * as a shell pipeline would, by SIGPIPE; closing
				 * the connection kills the remote command. */
				if (write_all(type == 'O' ? 1 : 2, data, len) < 0) {
					if (errno == EPIPE)
						return 128 + SIGPIPE;
					die("write %s: %s", type == 'O' ? "stdout" : "stderr",
					    strerror(errno));
				}
				break;
			case 'X':
				if (len != 4)
					die("bad exit frame");
				memcpy(&code, data, 4);
				return (int)ntohl(code);
			default:
				die("bad frame type 0x%02x", (unsigned char)type);
			}
			free(data);
		}
	}
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "serve") == 0)
		do_serve(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "exec") == 0)
		return do_exec(argc - 1, argv + 1);
	fprintf(stderr,
		"usage: %s serve ADDR PORT TOKENFILE\n"
		"       %s exec [-n NETNS] [-i] [-t SECS] ADDR PORT TOKENFILE -- CMD...\n",
		prog, prog);
	return 255;
}
