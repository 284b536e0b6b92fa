// SPDX-License-Identifier: GPL-2.0
/*
 * mon.c - `ssictl mon`, the live view (see mon.h).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "cli/migrate_progress.h"
#include "cli/mon.h"
#include "cli/reply_field.h"
#include "client/ssiclient.h"
#include "common/defaults.h"

/* The load bar: a node's load over its CPUs, full at one per CPU. */
#define LOAD_BAR	20
#define LOAD_BAR_NARROW	10	/* below MON_WIDE columns */
#define MON_WIDE	72
/* What a process on the move shows: its bar and sizes. */
#define DOING_WIDTH	56

/* "[#####.....]  0.52": @load of @cpus in a bar @w wide. */
static void load_bar(char *buf, size_t n, json_object *load, json_object *cpus, int w)
{
	double l = load ? json_object_get_double(load) : -1;
	double c = cpus ? json_object_get_double(cpus) : 0;
	int full = 0, i;
	char bar[LOAD_BAR + 1];

	if (l < 0 || c <= 0) {
		snprintf(buf, n, "%-*s", w + 8, "-");
		return;
	}
	full = l >= c ? w : (int)(l / c * w + 0.5);
	for (i = 0; i < w; i++)
		bar[i] = i < full ? (l > c && i == w - 1 ? '+' : '#') : '.';
	bar[w] = '\0';
	snprintf(buf, n, "[%s] %5.2f", bar, l);
}

/* Print @line cut to @width columns. */
static void put_line(FILE *out, const char *line, int width)
{
	fprintf(out, "%.*s\n", width > 0 ? width : (int)strlen(line), line);
}

static void render_nodes(FILE *out, json_object *nodes, int width, int bar_w)
{
	size_t i, n = nodes ? json_object_array_length(nodes) : 0;
	char line[512], bar[64], mem[32], name[80];

	snprintf(line, sizeof(line), "%-12s %-6s %-*s %5s %8s %6s %8s", "NODE", "STATE",
		 bar_w + 8, "LOAD", "CPUS", "MEMFREE", "GUESTS", "DEPUTIES");
	put_line(out, line, width);
	for (i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(nodes, i);
		json_object *self = jmember(o, "self");
		bool up = !strcmp(jstr(o, "state"), "up");

		snprintf(name, sizeof(name), "%s%s", jstr(o, "name"),
			 self && json_object_get_boolean(self) ? "*" : "");
		load_bar(bar, sizeof(bar), up ? jmember(o, "load") : NULL, jmember(o, "cpus"),
			 bar_w);
		fmt_kb(mem, sizeof(mem), up ? jmember(o, "mem_free_kb") : NULL);
		snprintf(line, sizeof(line), "%-12.64s %-6.6s %s %5s %8s %6s %8s", name,
			 jstr(o, "state"), bar, jstr(o, "cpus"), mem,
			 up ? jstr(o, "guests") : "-", up ? jstr(o, "deputies") : "-");
		put_line(out, line, width);
	}
}

/* What a migrated process is doing: its image's progress, or its figures. */
static void proc_doing(char *buf, size_t n, json_object *p)
{
	json_object *bytes = jmember(p, "image_bytes"), *cpu = jmember(p, "cpu_ms");
	char mem[32];

	if (bytes) {
		json_object *exp = jmember(p, "image_expected");

		migrate_progress_line(buf, n, "", json_object_get_int64(bytes),
				      exp ? json_object_get_int64(exp) : -1, 0, DOING_WIDTH);
		memmove(buf, buf + strspn(buf, " "), strlen(buf + strspn(buf, " ")) + 1);
	} else if (cpu) {
		fmt_kb(mem, sizeof(mem), jmember(p, "rss_kb"));
		snprintf(buf, n, "cpu %.1fs  rss %s  %s calls", json_object_get_int64(cpu) / 1000.0,
			 mem, jstr(p, "forwarded"));
	} else {
		snprintf(buf, n, "%s calls forwarded", jstr(p, "forwarded"));
	}
}

static void render_procs(FILE *out, json_object *procs, int width)
{
	size_t i, n = procs ? json_object_array_length(procs) : 0;
	char line[512], doing[256];

	if (!n) {
		put_line(out, "no migrated process here", width);
		return;
	}
	snprintf(line, sizeof(line), "%8s %-16s %-10s %-10s %-10s %s", "PID", "COMMAND",
		 "HOME", "WHERE", "STATE", "DOING");
	put_line(out, line, width);
	for (i = 0; i < n; i++) {
		json_object *p = json_object_array_get_idx(procs, i);

		proc_doing(doing, sizeof(doing), p);
		snprintf(line, sizeof(line), "%8s %-16.16s %-10.10s %-10.10s %-10.10s %s",
			 jstr(p, "pid"), jstr(p, "comm"), jstr(p, "home"), jstr(p, "where"),
			 jstr(p, "state"), doing);
		put_line(out, line, width);
	}
}

void mon_render(FILE *out, json_object *nodes, json_object *procs, const char *err,
		double calls_per_s, const char *when, int width)
{
	json_object *list = jmember(nodes, "nodes"), *plist = jmember(procs, "procs");
	size_t i, n = list ? json_object_array_length(list) : 0;
	size_t pn = plist ? json_object_array_length(plist) : 0;
	unsigned int up = 0, moving = 0;
	char line[512], rate[32];

	for (i = 0; i < n; i++)
		up += !strcmp(jstr(json_object_array_get_idx(list, i), "state"), "up");
	for (i = 0; i < pn; i++)
		moving += jmember(json_object_array_get_idx(plist, i), "image_bytes") != NULL;
	if (calls_per_s >= 0)
		snprintf(rate, sizeof(rate), "%.1f/s", calls_per_s);
	else
		snprintf(rate, sizeof(rate), "-");
	snprintf(line, sizeof(line), "slurm-ssi  %zu nodes, %u up   %u migrated here, %u on the move   forwarded %s   %s",
		 n, up, (unsigned int)pn, moving, rate, when);
	put_line(out, line, width);
	if (nodes) {
		fputc('\n', out);
		render_nodes(out, list, width,
			     width > 0 && width < MON_WIDE ? LOAD_BAR_NARROW : LOAD_BAR);
	}
	if (procs) {
		fputc('\n', out);
		render_procs(out, plist, width);
	}
	if (err) {
		fputc('\n', out);
		snprintf(line, sizeof(line), "ssid: %s", err);
		put_line(out, line, width);
	}
}

/* ------------------------------------------------------------ the loop */

static volatile sig_atomic_t mon_stop, mon_resized;
static struct termios saved_tio;
static bool raw_tty;

static void on_signal(int sig)
{
	if (sig == SIGWINCH)
		mon_resized = 1;
	else
		mon_stop = 1;
}

static void screen_leave(void)
{
	if (raw_tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	raw_tty = false;
	fputs("\033[?25h\033[?1049l", stdout);
	fflush(stdout);
}

/* The alternate screen, no cursor; keys one at a time, not echoed. */
static void screen_enter(void)
{
	struct termios t;

	if (isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &saved_tio)) {
		t = saved_tio;
		t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		raw_tty = !tcsetattr(STDIN_FILENO, TCSANOW, &t);
	}
	fputs("\033[?1049h\033[?25l", stdout);
	atexit(screen_leave);
}

/* One request; its reply (the caller puts it) or NULL with @err set. */
static json_object *ask(const struct mon_opts *o, const char *op, char *err, size_t errlen)
{
	json_object *req = json_object_new_object(), *reply = NULL;
	struct ssiclient sc;

	if (!req) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	json_object_object_add(req, "op", json_object_new_string(op));
	ssiclient_init(&sc, o->socket, o->timeout_ms);
	sc.reply_max = SSICTL_REPLY_MAX;
	if (ssiclient_call(&sc, req, &reply)) {
		snprintf(err, errlen, "%s", sc.msg);
		json_object_put(reply);
		reply = NULL;
	}
	json_object_put(req);
	return reply;
}

/* ssi_forwarded_calls_total of a show_metrics reply; -1 if not there. */
static double forwarded_total(json_object *reply)
{
	const char *text = jstr(ssiclient_result(reply), "text"), *p;
	static const char name[] = "ssi_forwarded_calls_total ";

	for (p = text; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, name, sizeof(name) - 1))
			return strtod(p + sizeof(name) - 1, NULL);
	return -1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Copy frame @f to the screen in place: each line cleared to its end. */
static void draw(const char *f, bool tty)
{
	const char *p;

	if (!tty) {
		fputs(f, stdout);
		fputc('\n', stdout);
		fflush(stdout);
		return;
	}
	fputs("\033[H", stdout);
	for (p = f; *p; p++) {
		if (*p == '\n')
			fputs("\033[K", stdout);
		fputc(*p, stdout);
	}
	fputs("\033[J", stdout);
	fflush(stdout);
}

/* Wait @s seconds (for a key if @keys): false once q or a signal says stop. */
static bool wait_key(double s, bool keys)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	double end = now_s() + s;
	char c;

	while (!mon_stop && !mon_resized) {
		double left = end - now_s();

		if (left <= 0)
			return true;
		if (poll(&pfd, keys ? 1 : 0, (int)(left * 1000) + 1) <= 0)
			continue;	/* timeout or a signal: look again */
		if (read(STDIN_FILENO, &c, 1) != 1) {
			keys = false;	/* no more keys: time alone ends the wait */
			continue;
		}
		if (c == 'q' || c == 'Q')
			return false;
	}
	mon_resized = 0;
	return !mon_stop;
}

int mon_run(const struct mon_opts *o)
{
	struct sigaction sa = { .sa_handler = on_signal };
	bool tty = isatty(STDOUT_FILENO);
	double last_calls = -1, last_t = 0;
	char err[700], when[32];
	long frames = 0;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
	if (tty)
		screen_enter();
	while (!mon_stop) {
		json_object *nodes, *procs = NULL, *metrics = NULL;
		struct winsize ws;
		double calls = -1, rate = -1, t;
		time_t wall = time(NULL);
		char *frame = NULL;
		size_t len = 0;
		FILE *f;
		int width = 0;

		err[0] = '\0';
		nodes = ask(o, "show_nodes", err, sizeof(err));
		if (nodes)
			procs = ask(o, "show_procs", err, sizeof(err));
		if (procs)
			metrics = ask(o, "show_metrics", err, sizeof(err));
		t = now_s();
		if (metrics)
			calls = forwarded_total(metrics);
		if (calls >= 0 && last_calls >= 0 && t > last_t && calls >= last_calls)
			rate = (calls - last_calls) / (t - last_t);
		last_calls = calls;
		last_t = t;
		strftime(when, sizeof(when), "%H:%M:%S", localtime(&wall));
		if (tty && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col)
			width = ws.ws_col;
		f = open_memstream(&frame, &len);
		if (!f)
			return EXIT_FAILURE;
		mon_render(f, nodes ? ssiclient_result(nodes) : NULL,
			   procs ? ssiclient_result(procs) : NULL,
			   err[0] ? err : NULL, rate, when, width);
		fclose(f);
		draw(frame, tty);
		free(frame);
		json_object_put(nodes);
		json_object_put(procs);
		json_object_put(metrics);
		if (o->count && ++frames >= o->count)
			break;
		if (!wait_key(o->every_s, raw_tty))
			break;
	}
	return EXIT_SUCCESS;
}
