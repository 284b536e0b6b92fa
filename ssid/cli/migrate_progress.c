// SPDX-License-Identifier: GPL-2.0
/*
 * migrate_progress.c - `ssictl migrate`'s progress line (see
 * migrate_progress.h).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <json-c/json.h>

#include "cli/migrate_progress.h"
#include "client/ssiclient.h"
#include "common/defaults.h"

/* Redrawn this often: smooth enough, and a small load on ssid. */
#define PROGRESS_POLL_MS	250
/* One question to ssid; a slow answer only skips a redraw. */
#define PROGRESS_ASK_MS		1000
/* Widest bar; the line fits the terminal. */
#define PROGRESS_BAR_MAX	30

struct migrate_progress {
	const char *socket;
	pid_t pid;
	char what[96];			/* "pid 123 to n2" */
	int fd;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
	bool drawn;
};

static double mib(int64_t b)
{
	return (double)b / 1048576.0;
}

void migrate_progress_line(char *buf, size_t len, const char *what, int64_t bytes,
			   int64_t expected, double rate, int width)
{
	char bar[PROGRESS_BAR_MAX + 3] = "", size[64], speed[32] = "", eta[32] = "";
	int bar_w, i, full;

	if (expected > 0)
		snprintf(size, sizeof(size), "%.1f of ~%.1f MiB", mib(bytes), mib(expected));
	else
		snprintf(size, sizeof(size), "%.1f MiB", mib(bytes));
	if (rate > 0)
		snprintf(speed, sizeof(speed), "  %.1f MiB/s", rate / 1048576.0);
	if (expected > 0 && bytes >= expected)
		snprintf(eta, sizeof(eta), "  restoring");
	else if (expected > 0 && rate > 0)
		snprintf(eta, sizeof(eta), "  ETA %.0f s", (double)(expected - bytes) / rate + 0.5);
	/* a bar in what the rest leaves of the line ("  [", "]") */
	bar_w = width - (int)(strlen(what) + strlen(size) + strlen(speed) + strlen(eta)) - 6;
	if (bar_w > PROGRESS_BAR_MAX)
		bar_w = PROGRESS_BAR_MAX;
	if (expected > 0 && bar_w >= 10) {
		full = bytes >= expected ? bar_w : (int)((double)bytes / (double)expected * bar_w);
		bar[0] = '[';
		for (i = 0; i < bar_w; i++)
			bar[i + 1] = i < full ? '#' : '.';
		bar[bar_w + 1] = ']';
		bar[bar_w + 2] = '\0';
	}
	snprintf(buf, len, "%s  %s%s%s%s%s", what, bar, bar[0] ? "  " : "", size, speed, eta);
	if (width > 0 && strlen(buf) > (size_t)width)
		buf[width] = '\0';
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Our process's image_bytes and image_expected from a show_procs reply. */
static bool find_proc(json_object *reply, pid_t pid, int64_t *bytes, int64_t *expected)
{
	json_object *procs, *p, *v;
	size_t i, n;

	if (!json_object_object_get_ex(ssiclient_result(reply), "procs", &procs))
		return false;
	n = json_object_array_length(procs);
	for (i = 0; i < n; i++) {
		p = json_object_array_get_idx(procs, i);
		if (!json_object_object_get_ex(p, "local_pid", &v) ||
		    json_object_get_int64(v) != pid ||
		    !json_object_object_get_ex(p, "state", &v) ||
		    (strcmp(json_object_get_string(v), "migrating") &&
		     strcmp(json_object_get_string(v), "returning")))
			continue;
		if (!json_object_object_get_ex(p, "image_bytes", &v) || !v)
			return false;
		*bytes = json_object_get_int64(v);
		*expected = json_object_object_get_ex(p, "image_expected", &v) && v ?
			    json_object_get_int64(v) : -1;
		return true;
	}
	return false;
}

static int term_width(int fd)
{
	struct winsize ws;

	return !ioctl(fd, TIOCGWINSZ, &ws) && ws.ws_col ? ws.ws_col : 80;
}

static void *run(void *arg)
{
	struct migrate_progress *p = arg;
	json_object *req = json_object_new_object(), *reply;
	double t0 = 0, rate = 0, t;
	int64_t b0 = 0, bytes, expected;
	struct ssiclient sc;
	struct timespec until;
	char line[512];

	json_object_object_add(req, "op", json_object_new_string("show_procs"));
	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		pthread_mutex_unlock(&p->lock);
		ssiclient_init(&sc, p->socket, PROGRESS_ASK_MS);
		sc.reply_max = SSICTL_REPLY_MAX;
		reply = NULL;
		if (!ssiclient_call(&sc, req, &reply) &&
		    find_proc(reply, p->pid, &bytes, &expected) && bytes > 0) {
			/* the rate over the whole stream so far, from the first sighting */
			t = now_s();
			if (!t0) {
				t0 = t;
				b0 = bytes;
			} else if (t > t0 + 0.2 && bytes > b0) {
				rate = (double)(bytes - b0) / (t - t0);
			}
			migrate_progress_line(line, sizeof(line), p->what, bytes, expected,
					      rate, term_width(p->fd) - 1);
			pthread_mutex_lock(&p->lock);
			if (!p->stop) {
				dprintf(p->fd, "\r%s\033[K", line);
				p->drawn = true;
			}
			pthread_mutex_unlock(&p->lock);
		}
		json_object_put(reply);
		pthread_mutex_lock(&p->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += PROGRESS_POLL_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		if (!p->stop)
			pthread_cond_timedwait(&p->cond, &p->lock, &until);
	}
	pthread_mutex_unlock(&p->lock);
	json_object_put(req);
	return NULL;
}

struct migrate_progress *migrate_progress_start(const char *socket, pid_t pid,
						const char *to, int fd)
{
	struct migrate_progress *p;

	if (!isatty(fd))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->socket = socket;
	p->pid = pid;
	p->fd = fd;
	if (!strcmp(to, "home"))
		snprintf(p->what, sizeof(p->what), "pid %d coming home", (int)pid);
	else
		snprintf(p->what, sizeof(p->what), "pid %d to %s", (int)pid, to);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	if (pthread_create(&p->thread, NULL, run, p)) {
		free(p);
		return NULL;
	}
	return p;
}

void migrate_progress_stop(struct migrate_progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->cond);
	if (p->drawn)
		dprintf(p->fd, "\r\033[K");
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
