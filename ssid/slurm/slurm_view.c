// SPDX-License-Identifier: GPL-2.0
/*
 * slurm_view.c - what ssid knows of Slurm (see slurm_view.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <json-c/json.h>

#include "client/linebuf.h"
#include "common/defaults.h"
#include "common/libexec.h"
#include "common/log.h"
#include "daemon/conf.h"
#include "daemon/loop.h"
#include "slurm/slurm_view.h"

#define WATCH_NAME	"ssi-slurm-watch"
#define STATE_MAX	64

struct sv_name {
	const char *name;		/* ssi.conf's */
	size_t idx;
};

struct sv_node {
	bool known;			/* a node of Slurm */
	bool usable;
	char state[STATE_MAX];
};

struct sv_part {
	char *name;
	bool *member;			/* by ssi.conf node index */
};

enum sv_job_state { J_ASKED, J_KNOWN, J_FAILED };

struct sv_job {
	int64_t id;
	enum sv_job_state st;
	uint64_t at_ms;			/* asked, or failed */
	uint64_t used_ms;
	char *partition;		/* J_KNOWN */
	char *err;			/* J_FAILED */
};

struct slurm_view {
	const struct ssi_conf *conf;
	struct loop *loop;
	size_t nn;
	struct sv_name *by_name;	/* ssi.conf's nodes sorted by name */
	struct sv_node *nodes;
	struct sv_part *parts;
	size_t nparts;
	bool have_view;
	char error[256];		/* the watcher's last error, "" if none */
	struct sv_job *jobs;
	size_t njobs;
	struct slurm_view_wait *waiters;
	unsigned int wait_round;	/* see wake() */
	/* the watcher */
	pid_t pid;
	struct loop_handler h;		/* fd -1 when not running */
	struct linebuf lb;
	uint64_t start_ms;		/* when to (re)start it */
	bool missing_logged;
};

/* ------------------------------------------------------------ node names */

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct sv_name *)a)->name, ((const struct sv_name *)b)->name);
}

/* The ssi.conf index of node @name, or -1. */
static long node_index(const struct slurm_view *v, const char *name)
{
	const struct sv_name key = { .name = name };
	const struct sv_name *n = bsearch(&key, v->by_name, v->nn, sizeof(key), cmp_name);

	return n ? (long)n->idx : -1;
}

/* ------------------------------------------------------------------ view */

static void free_parts(struct sv_part *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].member);
	}
	free(p);
}

static int feed_nodes(struct slurm_view *v, json_object *no, struct sv_node *out)
{
	size_t i;

	if (!json_object_is_type(no, json_type_object))
		return -EINVAL;
	for (i = 0; i < v->nn; i++) {
		json_object *n, *st, *us;
		const char *s;

		if (!json_object_object_get_ex(no, v->conf->nodes[i].name, &n))
			continue;
		if (!json_object_object_get_ex(n, "state", &st) ||
		    !json_object_is_type(st, json_type_string) ||
		    !json_object_object_get_ex(n, "usable", &us) ||
		    !json_object_is_type(us, json_type_boolean))
			return -EINVAL;
		s = json_object_get_string(st);
		if (!*s || strlen(s) >= STATE_MAX)
			return -EINVAL;
		out[i].known = true;
		out[i].usable = json_object_get_boolean(us);
		snprintf(out[i].state, sizeof(out[i].state), "%s", s);
	}
	return 0;
}

static int feed_parts(struct slurm_view *v, json_object *po, struct sv_part **out,
		      size_t *nout)
{
	struct sv_part *p;
	size_t n = 0, i;

	if (!json_object_is_type(po, json_type_object))
		return -EINVAL;
	p = calloc((size_t)json_object_object_length(po) + 1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	json_object_object_foreach(po, key, val) {
		if (!json_object_is_type(val, json_type_array) || !*key ||
		    strlen(key) > SSI_NODE_NAME_MAX)
			goto bad;
		p[n].name = strdup(key);
		p[n].member = calloc(v->nn ? v->nn : 1, sizeof(bool));
		n++;
		if (!p[n - 1].name || !p[n - 1].member) {
			free_parts(p, n);
			return -ENOMEM;
		}
		for (i = 0; i < json_object_array_length(val); i++) {
			json_object *e = json_object_array_get_idx(val, i);
			long idx;

			if (!json_object_is_type(e, json_type_string))
				goto bad;
			idx = node_index(v, json_object_get_string(e));
			if (idx >= 0)
				p[n - 1].member[idx] = true;
		}
	}
	*out = p;
	*nout = n;
	return 0;
bad:
	free_parts(p, n);
	return -EINVAL;
}

static struct sv_job *find_job(struct slurm_view *v, int64_t id)
{
	size_t i;

	for (i = 0; i < v->njobs; i++)
		if (v->jobs[i].id == id)
			return &v->jobs[i];
	return NULL;
}

static int feed_job(struct slurm_view *v, json_object *o, json_object *jo, uint64_t now)
{
	json_object *part, *err;
	struct sv_job *j;
	const char *s;
	char *copy;

	if (!json_object_is_type(jo, json_type_int))
		return -EINVAL;
	j = find_job(v, json_object_get_int64(jo));
	if (!j)
		return 0;	/* forgotten meanwhile */
	if (json_object_object_get_ex(o, "partition", &part) &&
	    json_object_is_type(part, json_type_string)) {
		s = json_object_get_string(part);
		if (!*s || strlen(s) > SSI_NODE_NAME_MAX)
			return -EINVAL;
		copy = strdup(s);
		if (!copy)
			return -ENOMEM;
		free(j->partition);
		free(j->err);
		j->err = NULL;
		j->partition = copy;
		j->st = J_KNOWN;
		return 0;
	}
	if (!json_object_object_get_ex(o, "error", &err) ||
	    !json_object_is_type(err, json_type_string))
		return -EINVAL;
	copy = strndup(json_object_get_string(err), 200);
	if (!copy)
		return -ENOMEM;
	free(j->err);
	j->err = copy;
	j->st = J_FAILED;
	j->at_ms = now;
	return 0;
}

static void log_node_changes(struct slurm_view *v, const struct sv_node *fresh)
{
	size_t i;

	for (i = 0; i < v->nn; i++) {
		const struct sv_node *a = &v->nodes[i], *b = &fresh[i];

		if (v->have_view && a->usable == b->usable && !strcmp(a->state, b->state))
			continue;
		if (!b->known)
			log_info("Slurm: %s is not one of its nodes", v->conf->nodes[i].name);
		else if (!v->have_view || a->usable != b->usable)
			log_notice("Slurm: node %s is %s: %s", v->conf->nodes[i].name,
				   b->state, b->usable ? "takes migrated tasks" :
				   "takes no migrated task");
	}
}

/*
 * Call the waiters whose time came (@all: every one, the view learnt
 * something), each unlinked before its callback.  Those added meanwhile
 * (a callback that waits again) belong to the next round; the list is
 * searched afresh after each call since a callback may unwait others.
 */
static void wake(struct slurm_view *v, bool all, uint64_t now_ms)
{
	struct slurm_view_wait **p, *w;

	v->wait_round++;
	for (;;) {
		for (p = &v->waiters; *p; p = &(*p)->next)
			if ((*p)->round != v->wait_round && (all || now_ms >= (*p)->until_ms))
				break;
		w = *p;
		if (!w)
			return;
		*p = w->next;
		w->next = NULL;
		w->cb(w, now_ms);
	}
}

void slurm_view_wait(struct slurm_view *v, struct slurm_view_wait *w)
{
	w->round = v->wait_round;
	w->next = v->waiters;
	v->waiters = w;
}

void slurm_view_unwait(struct slurm_view *v, struct slurm_view_wait *w)
{
	struct slurm_view_wait **p;

	for (p = &v->waiters; *p; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			w->next = NULL;
			return;
		}
}

int slurm_view_feed(struct slurm_view *v, const char *line, uint64_t now_ms)
{
	json_object *o = json_tokener_parse(line), *x, *no, *po;
	struct sv_node *nodes = NULL;
	struct sv_part *parts = NULL;
	size_t nparts = 0;
	int rc = -EINVAL;

	if (!o || !json_object_is_type(o, json_type_object))
		goto out;
	if (json_object_object_get_ex(o, "job", &x)) {
		rc = feed_job(v, o, x, now_ms);
		goto out;
	}
	if (json_object_object_get_ex(o, "unchanged", &x)) {
		rc = 0;
		if (v->have_view && v->error[0])
			log_notice("Slurm: slurmctld answers again");
		if (v->have_view)
			v->error[0] = '\0';
		goto out;
	}
	if (json_object_object_get_ex(o, "error", &x)) {
		if (!json_object_is_type(x, json_type_string))
			goto out;
		if (strcmp(v->error, json_object_get_string(x)))
			log_warn("Slurm: %s%s", json_object_get_string(x),
				 v->have_view ? " (what it said last holds)" : "");
		snprintf(v->error, sizeof(v->error), "%s", json_object_get_string(x));
		rc = 0;
		goto out;
	}
	if (!json_object_object_get_ex(o, "nodes", &no) ||
	    !json_object_object_get_ex(o, "partitions", &po))
		goto out;
	nodes = calloc(v->nn ? v->nn : 1, sizeof(*nodes));
	if (!nodes) {
		rc = -ENOMEM;
		goto out;
	}
	rc = feed_nodes(v, no, nodes);
	if (!rc)
		rc = feed_parts(v, po, &parts, &nparts);
	if (rc)
		goto out;
	log_node_changes(v, nodes);
	if (v->error[0] && v->have_view)
		log_notice("Slurm: slurmctld answers again");
	v->error[0] = '\0';
	free(v->nodes);
	v->nodes = nodes;
	nodes = NULL;
	free_parts(v->parts, v->nparts);
	v->parts = parts;
	v->nparts = nparts;
	v->have_view = true;
out:
	free(nodes);
	json_object_put(o);
	if (!rc)
		wake(v, true, now_ms);
	return rc;
}

/* --------------------------------------------------------------- watcher */

static void watcher_stop(struct slurm_view *v, uint64_t now_ms)
{
	if (v->h.fd >= 0) {
		loop_del(v->loop, &v->h);
		close(v->h.fd);
		v->h.fd = -1;
	}
	if (v->pid > 0) {
		kill(v->pid, SIGKILL);
		waitpid(v->pid, NULL, 0);
		v->pid = 0;
	}
	linebuf_free(&v->lb);
	linebuf_init(&v->lb, SSI_SLURM_LINE_MAX);
	v->start_ms = now_ms + SSI_SLURM_RETRY_MS;
	/* asked of the watcher that is gone: ask the next one */
	for (size_t i = 0; i < v->njobs; i++)
		if (v->jobs[i].st == J_ASKED)
			v->jobs[i].at_ms = 0;
}

static void watcher_ready(struct loop_handler *h, uint32_t events)
{
	struct slurm_view *v = (struct slurm_view *)((char *)h -
						     offsetof(struct slurm_view, h));
	uint64_t now = clock_mono_ms();
	char buf[65536], *line;
	size_t len;
	ssize_t n;
	int rc;

	(void)events;
	for (;;) {
		n = read(h->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0 || linebuf_append(&v->lb, buf, (size_t)n)) {
			log_warn("Slurm: %s ended; starting it again in %u s", WATCH_NAME,
				 SSI_SLURM_RETRY_MS / 1000);
			watcher_stop(v, now);
			return;
		}
		while ((rc = linebuf_next(&v->lb, &line, &len)) != 0) {
			if (rc < 0)
				log_warn("Slurm: a line of %s longer than %u bytes, ignored",
					 WATCH_NAME, SSI_SLURM_LINE_MAX);
			else if (slurm_view_feed(v, line, now))
				log_warn("Slurm: %s said what ssid does not understand: %.100s",
					 WATCH_NAME, line);
		}
	}
}

static void __attribute__((noreturn)) exec_watcher(const char *path, int fd,
						   unsigned int poll_ms)
{
	char arg[16], *argv[] = { WATCH_NAME, arg, NULL };
	sigset_t none;

	snprintf(arg, sizeof(arg), "%u", poll_ms);
	if (dup2(fd, 0) != 0 || dup2(fd, 1) != 1)
		_exit(126);
	syscall(__NR_close_range, 3, ~0U, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	execv(path, argv);
	_exit(127);
}

static void watcher_start(struct slurm_view *v, uint64_t now_ms)
{
	char path[512];
	int sv[2];
	pid_t pid;

	v->start_ms = now_ms + SSI_SLURM_RETRY_MS;
	if (libexec_find(WATCH_NAME, "SSI_SLURM_WATCH", path, sizeof(path))) {
		snprintf(v->error, sizeof(v->error), "no %.200s (%s)", path, strerror(errno));
		if (!v->missing_logged)
			log_warn("Slurm: %s: users' migrations are refused and the "
				 "balancer moves nothing", v->error);
		v->missing_logged = true;
		return;
	}
	v->missing_logged = false;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		log_warn("Slurm: socketpair: %m");
		return;
	}
	pid = fork();
	if (pid == 0)
		exec_watcher(path, sv[1], v->conf->slurm_poll_ms);
	close(sv[1]);
	if (pid < 0 || fcntl(sv[0], F_SETFL, O_NONBLOCK)) {
		log_warn("Slurm: cannot start %s: %m", path);
		close(sv[0]);
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		return;
	}
	v->pid = pid;
	v->h.fd = sv[0];
	v->h.cb = watcher_ready;
	if (loop_add(v->loop, &v->h, EPOLLIN)) {
		log_warn("Slurm: epoll: %m");
		watcher_stop(v, now_ms);
		return;
	}
	log_info("Slurm: %s started (pid %d), every %u ms", path, (int)pid,
		 v->conf->slurm_poll_ms);
}

/* Ask the watcher for @j's partition; without one, it is asked when it starts. */
static void ask(struct slurm_view *v, struct sv_job *j, uint64_t now_ms)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "{\"job\": %lld}\n", (long long)j->id);

	j->st = J_ASKED;
	j->at_ms = 0;
	if (v->h.fd < 0 || write(v->h.fd, line, (size_t)n) != n)
		return;		/* asked again by slurm_view_timer() */
	j->at_ms = now_ms;
}

uint64_t slurm_view_timer(struct slurm_view *v, uint64_t now_ms)
{
	uint64_t next = now_ms + SSI_SLURM_RETRY_MS;
	struct slurm_view_wait *w;
	size_t i;

	if (!v->loop || !v->conf->slurm_poll_ms)
		return LOOP_NEVER;
	if (v->h.fd < 0 && now_ms >= v->start_ms)
		watcher_start(v, now_ms);
	wake(v, false, now_ms);
	for (w = v->waiters; w; w = w->next)
		if (w->until_ms < next)
			next = w->until_ms;
	if (v->h.fd < 0)
		return v->start_ms < next ? v->start_ms : next;
	/* not asked yet (no watcher then), or no answer for a long while */
	for (i = 0; i < v->njobs; i++)
		if (v->jobs[i].st == J_ASKED && (!v->jobs[i].at_ms ||
		    now_ms - v->jobs[i].at_ms > SSI_SLURM_RETRY_MS * 6))
			ask(v, &v->jobs[i], now_ms);
	return next;
}

/* ------------------------------------------------------------------ jobs */

static void job_free(struct sv_job *j)
{
	free(j->partition);
	free(j->err);
}

/* @id's entry, made (the least recently used one going) if new. */
static struct sv_job *job_entry(struct slurm_view *v, int64_t id, uint64_t now_ms)
{
	struct sv_job *j = find_job(v, id);
	size_t i, lru = 0;

	if (j)
		goto found;
	if (v->njobs == SSI_SLURM_JOBS_MAX) {
		for (i = 1; i < v->njobs; i++)
			if (v->jobs[i].used_ms < v->jobs[lru].used_ms)
				lru = i;
		j = &v->jobs[lru];
		job_free(j);
	} else {
		struct sv_job *nj = realloc(v->jobs, (v->njobs + 1) * sizeof(*nj));

		if (!nj)
			return NULL;
		v->jobs = nj;
		j = &v->jobs[v->njobs++];
	}
	memset(j, 0, sizeof(*j));
	j->id = id;
	ask(v, j, now_ms);
found:
	j->used_ms = now_ms;
	return j;
}

/* @job's entry (NULL: none, or no memory), asked again if it failed a while ago. */
static struct sv_job *want(struct slurm_view *v, int64_t job, uint64_t now_ms)
{
	struct sv_job *j;

	if (job < 0 || !v->conf->slurm_poll_ms)
		return NULL;
	j = job_entry(v, job, now_ms);
	if (j && j->st == J_FAILED && now_ms - j->at_ms >= SSI_SLURM_RETRY_MS)
		ask(v, j, now_ms);
	return j;
}

void slurm_view_want_job(struct slurm_view *v, int64_t job, uint64_t now_ms)
{
	want(v, job, now_ms);
}

/* ---------------------------------------------------------------- policy */

static const struct sv_part *find_part(const struct slurm_view *v, const char *name)
{
	size_t i;

	for (i = 0; i < v->nparts; i++)
		if (!strcmp(v->parts[i].name, name))
			return &v->parts[i];
	return NULL;
}

/*
 * 0, or -EPERM or -EAGAIN with @why: the rule of slurm_view.h once Slurm
 * is followed.
 * @lenient: a job whose partition is not known here passes (the node
 * must still be usable).
 */
static int check(struct slurm_view *v, int64_t job, int idx, uint64_t now_ms,
		 bool lenient, char *why, size_t len)
{
	const char *name = v->conf->nodes[idx].name;
	const struct sv_part *p;
	struct sv_job *j;

	if (!v->have_view && v->error[0]) {
		snprintf(why, len, "Slurm's node states are not known: %s", v->error);
		return -EPERM;
	}
	if (!v->have_view) {
		snprintf(why, len, "Slurm's node states are not known yet "
			 "(slurmctld was asked)");
		return -EAGAIN;
	}
	if (!v->nodes[idx].known) {
		snprintf(why, len, "%s is not a node of Slurm", name);
		return -EPERM;
	}
	if (!v->nodes[idx].usable) {
		snprintf(why, len, "node %s is %s in Slurm", name, v->nodes[idx].state);
		return -EPERM;
	}
	if (job < 0)
		return 0;
	j = want(v, job, now_ms);
	if (lenient && (!j || j->st != J_KNOWN))
		return 0;
	if (!j) {
		snprintf(why, len, "out of memory");
		return -EPERM;
	}
	if (j->st == J_ASKED) {
		snprintf(why, len, "the partition of job %lld is not known yet "
			 "(slurmctld was asked)", (long long)job);
		return -EAGAIN;
	}
	if (j->st == J_FAILED) {
		snprintf(why, len, "the partition of job %lld is not known: %s",
			 (long long)job, j->err);
		return -EPERM;
	}
	p = find_part(v, j->partition);
	if (!p || !p->member[idx]) {
		snprintf(why, len, "node %s is not in partition %s of job %lld", name,
			 j->partition, (long long)job);
		return -EPERM;
	}
	return 0;
}

int slurm_view_may_place(struct slurm_view *v, int64_t job, int idx, int home,
			 uint64_t now_ms, char *why, size_t len)
{
	if (idx == home)
		return 0;
	if (!v->conf->slurm_poll_ms) {
		snprintf(why, len, "ssid does not follow Slurm (SlurmPollInterval=0 in %s), "
			 "so cannot tell which nodes the job may use", v->conf->path);
		return -EPERM;
	}
	return check(v, job, idx, now_ms, false, why, len);
}

bool slurm_view_balancer_may_place(struct slurm_view *v, int64_t job, int idx,
				   int home, bool lenient, uint64_t now_ms)
{
	char why[256];

	if (idx == home || !v->conf->slurm_poll_ms)
		return true;
	return !check(v, job, idx, now_ms, lenient, why, sizeof(why));
}

const char *slurm_view_node_state(const struct slurm_view *v, int idx)
{
	return v->have_view && v->nodes[idx].known ? v->nodes[idx].state : NULL;
}

/* ------------------------------------------------------------- lifetime */

struct slurm_view *slurm_view_create(const struct ssi_conf *conf, struct loop *loop)
{
	struct slurm_view *v = calloc(1, sizeof(*v));
	size_t i;

	if (!v)
		return NULL;
	v->conf = conf;
	v->loop = loop;
	v->nn = conf->nnodes;
	v->h.fd = -1;
	linebuf_init(&v->lb, SSI_SLURM_LINE_MAX);
	v->by_name = calloc(v->nn ? v->nn : 1, sizeof(*v->by_name));
	v->nodes = calloc(v->nn ? v->nn : 1, sizeof(*v->nodes));
	if (!v->by_name || !v->nodes) {
		slurm_view_destroy(v);
		return NULL;
	}
	for (i = 0; i < v->nn; i++)
		v->by_name[i] = (struct sv_name){ conf->nodes[i].name, i };
	qsort(v->by_name, v->nn, sizeof(*v->by_name), cmp_name);
	return v;
}

void slurm_view_destroy(struct slurm_view *v)
{
	size_t i;

	if (!v)
		return;
	if (v->loop)
		watcher_stop(v, 0);
	linebuf_free(&v->lb);
	for (i = 0; i < v->njobs; i++)
		job_free(&v->jobs[i]);
	free(v->jobs);
	free_parts(v->parts, v->nparts);
	free(v->nodes);
	free(v->by_name);
	free(v);
}
