// SPDX-License-Identifier: GPL-2.0
/*
 * ssictl.c - the command line of slurm-ssi: talks to the local ssid over
 * its control socket (one JSON request, one JSON reply; see ssid(8)) and
 * prints the answer as a table or, with --json, as JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "config.h"
#include "client/policy.h"
#include "client/ssiclient.h"
#include "cli/migrate_progress.h"
#include "cli/mon.h"
#include "cli/reply_field.h"
#ifdef HAVE_LIBSLURM
#include "cli/ssictl_slurm.h"
#endif
#include "common/defaults.h"

struct ctl {
	const char *socket;
	bool json;
	int count;		/* ping -c */
	int timeout_ms;
};

static const char *prog = "ssictl";

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: %s [OPTION]... COMMAND\n"
"Query and control the local ssid.\n"
"\n"
"Commands:\n"
"  show nodes             every node: state, cpus, load, free memory, RTT\n"
"  show node NAME         one node in detail\n"
"  ping NAME              echo through the transport, print the RTT\n"
"  show tasks             registered tasks (yours, or all for root)\n"
"  show jobs              Slurm jobs with registered tasks on any node: each\n"
"                         task's pid, home, where it runs now, its pid there\n"
"  show procs             migrated processes: from here, and guests here\n"
"  show metrics           this node's counters, in the Prometheus text format\n"
"  mon [every=SECONDS] [count=N]\n"
"                         a live view: every node's load, memory and guests,\n"
"                         the processes migrated here and on the move (q quits)\n"
"  rebalance [partition=P] [dryrun]\n"
"                         plan moves of every node's tasks over the loads,\n"
"                         print them, and carry them out one at a time\n"
"  evacuate node=N [dryrun]\n"
"                         drain N in Slurm and move every task off it: guests\n"
"                         home, its own tasks to the least loaded nodes\n"
"  migrate PID NODE|home  move a running process to NODE (its IO stays home),\n"
"                         or bring it back home\n"
"  migrate jobid=J[.S] [task=T] node=N|home\n"
"                         the same for the tasks of a Slurm job (any node's)\n"
"  register PID [job=J] [step=S] [task=T] [policy=auto|manual]\n"
"                         register a task with ssid\n"
"  unregister PID         forget a registered task\n"
"  version                ssid's version and protocol\n"
"  whoami                 how ssid sees you (uid, administrator or not)\n"
"  balancer [pause|resume]\n"
"                         this node's automatic balancer: running or paused,\n"
"                         its settings; pause or resume it (root or SlurmUser)\n"
"  loglevel LEVEL         set ssid's log level (root or SlurmUser)\n"
"  shutdown               stop ssid (root or SlurmUser)\n"
"  request JSON           send one raw request line, print the raw reply\n"
"\n"
"Options:\n"
"  -s, --socket=PATH      ssid's control socket (default " SSI_CONTROL_SOCKET ")\n"
"  -j, --json             print the result as JSON\n"
"  -c, --count=N          probes for ping (default %d, at most %d)\n"
"  -h, --help             print this help\n"
"  -V, --version          print ssictl's version\n"
"\n"
"See ssictl(1).\n", prog, SSI_PING_COUNT, SSI_PING_COUNT_MAX);
}

static void __attribute__((format(printf, 1, 2), noreturn))
die(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	fprintf(stderr, "%s: ", prog);
	errno = saved;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_FAILURE);
}

/* ----------------------------------------------------------- transport */

/*
 * End the program for a failure to talk to ssid (not an error reply),
 * in ssictl's words.
 */
static void __attribute__((noreturn)) die_transport(const struct ssiclient *sc)
{
	if (sc->err == SSICLIENT_E_TIMEOUT)
		die("no reply from ssid within %d ms", sc->timeout_ms);
	if (sc->err == SSICLIENT_E_CONNECT &&
	    (sc->errnum == ENOENT || sc->errnum == ECONNREFUSED))
		die("%s (is ssid running? see -s)", sc->msg);
	die("%s", sc->msg);
}

static void ctl_init(const struct ctl *c, struct ssiclient *sc)
{
	ssiclient_init(sc, c->socket, c->timeout_ms);
	sc->reply_max = SSICTL_REPLY_MAX;
}

/*
 * One request (@req, consumed), one reply.  Returns the reply (its
 * "result" in *@result) or NULL when ssid answered an error, described in
 * @err as "MESSAGE (CODE)".  Failures to talk to ssid end the program.
 */
static json_object *try_call(const struct ctl *c, json_object *req,
			     json_object **result, char *err, size_t errlen)
{
	struct ssiclient sc;
	json_object *reply;
	ssiclient_err_t rc;

	ctl_init(c, &sc);
	rc = ssiclient_call(&sc, req, &reply);
	json_object_put(req);
	if (rc == SSICLIENT_REFUSED) {
		snprintf(err, errlen, "%s (%s)", sc.ssid_message, sc.ssid_code);
		return NULL;
	}
	if (rc)
		die_transport(&sc);
	*result = ssiclient_result(reply);
	return reply;
}

/* As try_call(); an error reply ends the program. */
static json_object *call(const struct ctl *c, json_object *req,
			 json_object **result)
{
	char err[600];
	json_object *reply = try_call(c, req, result, err, sizeof(err));

	if (!reply) {
		fprintf(stderr, "%s: %s\n", prog, err);
		exit(EXIT_FAILURE);
	}
	return reply;
}

static json_object *request(const char *op)
{
	json_object *r = json_object_new_object();

	if (!r)
		die("out of memory");
	json_object_object_add(r, "op", json_object_new_string(op));
	return r;
}

static void print_json(json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_SPACED |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* ------------------------------------------------------------ printing */

/* A command used wrongly: like die(), with status 2. */
static void __attribute__((noreturn)) bad_usage(const char *what)
{
	fprintf(stderr, "%s: usage: %s %s\n", prog, prog, what);
	exit(2);
}

static void fmt_us(char *buf, size_t n, json_object *v)
{
	int64_t us;

	if (!v) {
		snprintf(buf, n, "-");
		return;
	}
	us = json_object_get_int64(v);
	if (us < 1000)
		snprintf(buf, n, "%lldus", (long long)us);
	else if (us < 1000000)
		snprintf(buf, n, "%.1fms", us / 1000.0);
	else
		snprintf(buf, n, "%.1fs", us / 1000000.0);
}

static void fmt_num(char *buf, size_t n, json_object *v, const char *fmt)
{
	if (!v)
		snprintf(buf, n, "-");
	else if (json_object_is_type(v, json_type_double))
		snprintf(buf, n, fmt, json_object_get_double(v));
	else
		snprintf(buf, n, "%s", json_object_get_string(v));
}

#define NCOLS 9
/* a cell holds a node name (64) and its "*" */
#define CELL 72

static void print_nodes(json_object *res)
{
	static const char *const head[NCOLS] = {
		"NODE", "STATE", "CPUS", "LOAD", "CPU%", "MEMFREE", "GUESTS",
		"DEPUTIES", "RTT"
	};
	json_object *nodes = jmember(res, "nodes");
	size_t i, j, n = nodes ? json_object_array_length(nodes) : 0;
	char (*cell)[NCOLS][CELL] = calloc(n ? n : 1, sizeof(*cell));
	int width[NCOLS];

	if (!cell)
		die("out of memory");
	for (j = 0; j < NCOLS; j++)
		width[j] = (int)strlen(head[j]);
	for (i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(nodes, i);
		json_object *self = jmember(o, "self");

		snprintf(cell[i][0], CELL, "%s%s", jstr(o, "name"),
			 self && json_object_get_boolean(self) ? "*" : "");
		snprintf(cell[i][1], CELL, "%s", jstr(o, "state"));
		fmt_num(cell[i][2], CELL, jmember(o, "cpus"), "%g");
		fmt_num(cell[i][3], CELL, jmember(o, "load"), "%.2f");
		fmt_num(cell[i][4], CELL, jmember(o, "cpu_percent"), "%.1f");
		fmt_kb(cell[i][5], CELL, jmember(o, "mem_free_kb"));
		fmt_num(cell[i][6], CELL, jmember(o, "guests"), "%g");
		fmt_num(cell[i][7], CELL, jmember(o, "deputies"), "%g");
		fmt_us(cell[i][8], CELL, jmember(o, "rtt_us"));
		for (j = 0; j < NCOLS; j++)
			if ((int)strlen(cell[i][j]) > width[j])
				width[j] = (int)strlen(cell[i][j]);
	}
	/* names and states to the left, numbers to the right (so no
	 * padding after the last column)
	 */
	for (j = 0; j < NCOLS; j++)
		printf(j < 2 ? "%-*s%s" : "%*s%s", width[j], head[j],
		       j + 1 < NCOLS ? "  " : "\n");
	for (i = 0; i < n; i++)
		for (j = 0; j < NCOLS; j++)
			printf(j < 2 ? "%-*s%s" : "%*s%s", width[j], cell[i][j],
			       j + 1 < NCOLS ? "  " : "\n");
	free(cell);
}

static void print_node(json_object *node)
{
	char mem[32], tot[32], rtt[32];
	json_object *heard = jmember(node, "heard_ms_ago");

	fmt_kb(mem, sizeof(mem), jmember(node, "mem_free_kb"));
	fmt_kb(tot, sizeof(tot), jmember(node, "mem_total_kb"));
	fmt_us(rtt, sizeof(rtt), jmember(node, "rtt_us"));
	printf("NodeName=%s Addr=%s Port=%s%s\n", jstr(node, "name"),
	       jstr(node, "addr"), jstr(node, "port"),
	       json_object_get_boolean(jmember(node, "self")) ? " (this node)" : "");
	printf("   State=%s For=%.1fs LastHeard=%s%s Heartbeats=%s\n",
	       jstr(node, "state"),
	       json_object_get_int64(jmember(node, "state_ms")) / 1000.0,
	       heard ? json_object_get_string(heard) : "never",
	       heard ? "ms" : "", jstr(node, "heartbeats"));
	printf("   Cores=%s CPUs=%s NUMA=%s\n", jstr(node, "cores"),
	       jstr(node, "cpus"), jstr(node, "numa"));
	printf("   Runnable=%s Load=%s CPU%%=%s LoadScore=%s\n",
	       jstr(node, "runnable"), jstr(node, "load"),
	       jstr(node, "cpu_percent"), jstr(node, "load_score"));
	printf("   MemFree=%s MemTotal=%s\n", mem, tot);
	printf("   Guests=%s Deputies=%s\n", jstr(node, "guests"),
	       jstr(node, "deputies"));
	printf("   RTT=%s ConnectedOut=%s ConnectedIn=%s Frames=%s Refused=%s\n",
	       rtt, jstr(node, "connected_out"), jstr(node, "connected_in"),
	       jstr(node, "frames"), jstr(node, "refused"));
	printf("   Kernel=%s vDSO=%s\n", jstr(node, "kernel"), jstr(node, "vdso"));
	if (jmember(node, "slurm_state"))
		printf("   SlurmState=%s\n", jstr(node, "slurm_state"));
	if (*jstr(node, "migration_refused"))
		printf("   MigrationRefused=%s\n", jstr(node, "migration_refused"));
	if (*jstr(node, "last_error"))
		printf("   LastError=%s\n", jstr(node, "last_error"));
}

static void print_tasks(json_object *res)
{
	json_object *tasks = jmember(res, "tasks");
	size_t i, n = tasks ? json_object_array_length(tasks) : 0;

	printf("%8s %8s %10s %6s %6s %-6s %-10s %-6s\n", "PID", "UID", "JOBID",
	       "STEP", "TASK", "POLICY", "NODE", "STATE");
	for (i = 0; i < n; i++) {
		json_object *t = json_object_array_get_idx(tasks, i);

		printf("%8s %8s %10s %6s %6s %-6s %-10s %-6s\n", jstr(t, "pid"),
		       jstr(t, "uid"), jmember(t, "job") ? jstr(t, "job") : "-",
		       jmember(t, "step") ? jstr(t, "step") : "-",
		       jmember(t, "task") ? jstr(t, "task") : "-",
		       jstr(t, "policy"), jstr(t, "node"), jstr(t, "state"));
	}
}

static void print_procs(json_object *res)
{
	json_object *procs = jmember(res, "procs");
	size_t i, n = procs ? json_object_array_length(procs) : 0;

	printf("%8s %8s %-16s %-10s %-10s %-9s %7s %8s %10s %9s %8s %7s\n", "PID",
	       "LOCALPID", "COMMAND", "HOME", "WHERE", "STATE", "THREADS", "SYSCALLS",
	       "BYTES", "PULLHOME", "CPU", "RSS");
	for (i = 0; i < n; i++) {
		json_object *t = json_object_array_get_idx(procs, i);
		json_object *cpu = jmember(t, "cpu_ms");
		char cbuf[32], rbuf[32], tbuf[48];

		if (cpu)
			snprintf(cbuf, sizeof(cbuf), "%.1fs",
				 json_object_get_int64(cpu) / 1000.0);
		else
			snprintf(cbuf, sizeof(cbuf), "-");
		fmt_kb(rbuf, sizeof(rbuf), jmember(t, "rss_kb"));
		/* runnable/all where it runs; all alone at home */
		if (jmember(t, "runnable") && jmember(t, "threads"))
			snprintf(tbuf, sizeof(tbuf), "%s/%s", jstr(t, "runnable"),
				 jstr(t, "threads"));
		else
			snprintf(tbuf, sizeof(tbuf), "%s", jstr(t, "threads"));
		printf("%8s %8s %-16s %-10s %-10s %-9s %7s %8s %10s %9s %8s %7s\n",
		       jstr(t, "pid"), jstr(t, "local_pid"), jstr(t, "comm"),
		       jstr(t, "home"), jstr(t, "where"), jstr(t, "state"), tbuf,
		       jstr(t, "forwarded"), jstr(t, "bytes"), jstr(t, "pull_home"),
		       cbuf, rbuf);
	}
}

/* ------------------------------------------------------------ show jobs */

static int64_t id_of(json_object *o, const char *k)
{
	json_object *v = jmember(o, k);

	return v ? json_object_get_int64(v) : -1;
}

/* By job, step, task, then home and pid: the order squeue would list. */
static int task_order(const void *a, const void *b)
{
	json_object *x = *(json_object *const *)a, *y = *(json_object *const *)b;
	static const char *const keys[] = { "job", "step", "task" };
	size_t i;
	int c;

	for (i = 0; i < 3; i++)
		if (id_of(x, keys[i]) != id_of(y, keys[i]))
			return id_of(x, keys[i]) < id_of(y, keys[i]) ? -1 : 1;
	c = strcmp(jstr(x, "home"), jstr(y, "home"));
	if (c)
		return c;
	return id_of(x, "pid") < id_of(y, "pid") ? -1 : id_of(x, "pid") > id_of(y, "pid");
}

static const char *step_name(int64_t step, char *buf, size_t len)
{
#ifdef HAVE_LIBSLURM
	return ssictl_step_name(step, buf, len);
#else
	if (step < 0)
		return "-";
	snprintf(buf, len, "%lld", (long long)step);
	return buf;
#endif
}

/*
 * Add what Slurm says of each task's job to it: "job_name", "user",
 * "partition", "step_name" (null where unknown).  One slurmctld query
 * per job; a job slurmctld does not answer for keeps nulls, and the
 * first such failure is reported on stderr.
 */
static void add_slurm_info(json_object **v, size_t n)
{
	json_object *info = NULL;
	int64_t last = -2;
	bool warned = false;
	size_t i;

	for (i = 0; i < n; i++) {
		int64_t job = id_of(v[i], "job");
		const char *user = NULL;
		char buf[32], err[300];
		json_object *steps;

		if (job != last) {
			json_object_put(info);
			info = NULL;
			last = job;
#ifdef HAVE_LIBSLURM
			if (job >= 0)
				info = ssictl_job_info((uint32_t)job, err, sizeof(err));
			if (job >= 0 && !info && !warned) {
				fprintf(stderr, "%s: %s\n", prog, err);
				warned = true;
			}
#else
			(void)err;
			(void)warned;
#endif
		}
		json_object_object_add(v[i], "job_name",
				       json_object_get(jmember(info, "name")));
		json_object_object_add(v[i], "partition",
				       json_object_get(jmember(info, "partition")));
		steps = jmember(info, "steps");
		json_object_object_add(v[i], "step_name", json_object_get(
			jmember(steps, step_name(id_of(v[i], "step"), buf, sizeof(buf)))));
		if (jmember(info, "user")) {
			user = jstr(info, "user");
		} else {
			struct passwd *pw = getpwuid((uid_t)id_of(v[i], "uid"));

			user = pw ? pw->pw_name : NULL;
		}
		json_object_object_add(v[i], "user", user ? json_object_new_string(user) : NULL);
	}
	json_object_put(info);
}

/* Name on stderr the nodes of a cluster view that did not answer. */
static void warn_missing(json_object *missing, const char *what)
{
	size_t i;

	for (i = 0; missing && i < json_object_array_length(missing); i++)
		fprintf(stderr, "%s: no answer from node %s: its tasks are not %s\n",
			prog, json_object_get_string(json_object_array_get_idx(missing, i)),
			what);
}

#define JCOLS 11

/*
 * show jobs: every node's registered tasks (ssid asks its peers) joined
 * with slurmctld's names, one line per task.  Nodes that did not answer
 * are named on stderr: their tasks are missing from the table.
 */
static int cmd_show_jobs(struct ctl *c)
{
	static const char *const head[JCOLS] = {
		"JOBID", "STEP", "TASK", "NAME", "USER", "PID", "HOME", "NODE",
		"LOCALPID", "STATE", "POLICY"
	};
	json_object *req = request("show_tasks"), *reply, *res, *tasks, *missing;
	json_object **v;
	size_t i, j, n;
	char (*cell)[JCOLS][CELL];
	int width[JCOLS];

	json_object_object_add(req, "cluster", json_object_new_boolean(1));
	reply = call(c, req, &res);
	tasks = jmember(res, "tasks");
	missing = jmember(res, "missing");
	n = tasks ? json_object_array_length(tasks) : 0;
	v = calloc(n ? n : 1, sizeof(*v));
	cell = calloc(n ? n : 1, sizeof(*cell));
	if (!v || !cell)
		die("out of memory");
	for (i = 0; i < n; i++)
		v[i] = json_object_array_get_idx(tasks, i);
	qsort(v, n, sizeof(*v), task_order);
	add_slurm_info(v, n);
	warn_missing(missing, "shown");
	if (json_object_get_boolean(jmember(res, "truncated")))
		fprintf(stderr, "%s: a node has more tasks than it can list: some are not shown\n",
			prog);
	if (c->json) {
		json_object *out = json_object_new_object(), *arr = json_object_new_array();

		for (i = 0; i < n; i++)
			json_object_array_add(arr, json_object_get(v[i]));
		json_object_object_add(out, "tasks", arr);
		json_object_object_add(out, "missing", json_object_get(missing));
		print_json(out);
		json_object_put(out);
		goto out;
	}
	for (j = 0; j < JCOLS; j++)
		width[j] = (int)strlen(head[j]);
	for (i = 0; i < n; i++) {
		json_object *t = v[i];
		char sbuf[32];

		snprintf(cell[i][0], CELL, "%s", jmember(t, "job") ? jstr(t, "job") : "-");
		snprintf(cell[i][1], CELL, "%s", step_name(id_of(t, "step"), sbuf, sizeof(sbuf)));
		snprintf(cell[i][2], CELL, "%s", jmember(t, "task") ? jstr(t, "task") : "-");
		snprintf(cell[i][3], CELL, "%s", jmember(t, "step_name") ? jstr(t, "step_name") :
			 jmember(t, "job_name") ? jstr(t, "job_name") : "-");
		snprintf(cell[i][4], CELL, "%s", jmember(t, "user") ? jstr(t, "user") : jstr(t, "uid"));
		snprintf(cell[i][5], CELL, "%s", jstr(t, "pid"));
		snprintf(cell[i][6], CELL, "%s", jstr(t, "home"));
		snprintf(cell[i][7], CELL, "%s", jstr(t, "node"));
		snprintf(cell[i][8], CELL, "%s", jmember(t, "local_pid") ? jstr(t, "local_pid") : "-");
		snprintf(cell[i][9], CELL, "%s", jstr(t, "state"));
		snprintf(cell[i][10], CELL, "%s", jstr(t, "policy"));
		for (j = 0; j < JCOLS; j++)
			if ((int)strlen(cell[i][j]) > width[j])
				width[j] = (int)strlen(cell[i][j]);
	}
	for (j = 0; j < JCOLS; j++)
		printf("%-*s%s", j + 1 < JCOLS ? width[j] : 0, head[j],
		       j + 1 < JCOLS ? "  " : "\n");
	for (i = 0; i < n; i++)
		for (j = 0; j < JCOLS; j++)
			printf("%-*s%s", j + 1 < JCOLS ? width[j] : 0, cell[i][j],
			       j + 1 < JCOLS ? "  " : "\n");
out:
	free(cell);
	free(v);
	json_object_put(reply);
	return EXIT_SUCCESS;
}

/* ------------------------------------------------------------ commands */

/* One line for a migrate result: where it runs now, and what it cost. */
static void print_migrated(json_object *res)
{
	double mib = json_object_get_uint64(jmember(res, "bytes")) / 1048576.0;
	double xfer_s = json_object_get_uint64(jmember(res, "transfer_us")) / 1e6;

	if (json_object_get_boolean(jmember(res, "home"))) {
		printf("pid %s is back home on %s: %.1f MiB, %.1f MiB/s, away from its CPU %.0f ms\n",
		       jstr(res, "pid"), jstr(res, "node"), mib,
		       xfer_s > 0 ? mib / xfer_s : 0.0,
		       json_object_get_uint64(jmember(res, "frozen_us")) / 1000.0);
	} else {
		printf("pid %s migrated to %s (pid %s there)%s: %s pages, %.1f MiB, %.1f MiB/s, frozen %.0f ms (dump %.0f ms)\n",
		       jstr(res, "pid"), jstr(res, "node"), jstr(res, "remote_pid"),
		       json_object_get_boolean(jmember(res, "via_home")) ? " through home" : "",
		       jstr(res, "pages"), mib, xfer_s > 0 ? mib / xfer_s : 0.0,
		       json_object_get_uint64(jmember(res, "frozen_us")) / 1000.0,
		       json_object_get_uint64(jmember(res, "dump_us")) / 1000.0);
	}
}

/*
 * migrate jobid=J[.S] [task=T] node=N|home, in scontrol's grammar: the
 * tasks of job J (step S, task T) registered with any node's ssid, each
 * moved by its home as `migrate PID N` run there would.  Exit 1 if one
 * could not be.
 */
static int cmd_migrate_job(struct ctl *c, int argc, char **argv)
{
	const char *use = "migrate jobid=J[.S] [task=T] node=N|home";
	long long job = -1, step = -1, task = -1;
	json_object *reply, *res, *tasks, *req, *r2, *res2;
	const char *node = NULL;
	char err[600], *end;
	size_t i, n;
	int moved = 0, failed = 0;

	for (i = 0; i < (size_t)argc; i++) {
		errno = 0;
		if (!strncmp(argv[i], "jobid=", 6)) {
			job = strtoll(argv[i] + 6, &end, 10);
			if (*end == '.')
				step = strtoll(end + 1, &end, 10);
			if (errno || *end || job < 0 || (step < 0 && strchr(argv[i], '.')))
				bad_usage(use);
		} else if (!strncmp(argv[i], "task=", 5)) {
			task = strtoll(argv[i] + 5, &end, 10);
			if (errno || *end || task < 0)
				bad_usage(use);
		} else if (!strncmp(argv[i], "node=", 5) && argv[i][5]) {
			node = argv[i] + 5;
		} else {
			bad_usage(use);
		}
	}
	if (job < 0 || !node)
		bad_usage(use);
	req = request("show_tasks");
	json_object_object_add(req, "cluster", json_object_new_boolean(1));
	reply = call(c, req, &res);
	tasks = jmember(res, "tasks");
	n = tasks ? json_object_array_length(tasks) : 0;
	c->timeout_ms = SSICTL_MIGRATE_TIMEOUT_MS;
	for (i = 0; i < n; i++) {
		json_object *t = json_object_array_get_idx(tasks, i);

		if (json_object_get_int64(jmember(t, "job")) != job || !jmember(t, "job") ||
		    (step >= 0 && (!jmember(t, "step") ||
				   json_object_get_int64(jmember(t, "step")) != step)) ||
		    (task >= 0 && (!jmember(t, "task") ||
				   json_object_get_int64(jmember(t, "task")) != task)))
			continue;
		req = request("migrate");
		json_object_object_add(req, "pid", json_object_new_int(
			(int)json_object_get_int64(jmember(t, "pid"))));
		json_object_object_add(req, "node", json_object_new_string(node));
		json_object_object_add(req, "home", json_object_new_string(jstr(t, "home")));
		r2 = try_call(c, req, &res2, err, sizeof(err));
		if (!r2) {
			failed++;
			printf("job %lld task %s (pid %s): %s\n", job,
			       jmember(t, "task") ? jstr(t, "task") : "-", jstr(t, "pid"), err);
			continue;
		}
		moved++;
		if (c->json)
			print_json(res2);
		else
			print_migrated(res2);
		json_object_put(r2);
	}
	json_object_put(reply);
	if (!moved && !failed)
		die("no task of job %lld%s%s registered with any node's ssid", job,
		    step >= 0 ? " (that step)" : "", task >= 0 ? " with that task id" : "");
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int cmd_migrate(struct ctl *c, int argc, char **argv)
{
	struct migrate_progress *progress = NULL;
	json_object *req, *reply, *res;
	char *end, err[600];
	long pid;

	if (argc >= 1 && !strncmp(argv[0], "jobid=", 6))
		return cmd_migrate_job(c, argc, argv);
	if (argc != 2)
		bad_usage("migrate PID NODE|home");
	errno = 0;
	pid = strtol(argv[0], &end, 10);
	if (errno || *end || pid <= 0 || pid > INT32_MAX)
		bad_usage("migrate PID NODE|home  (PID: a process id)");
	req = request("migrate");
	json_object_object_add(req, "pid", json_object_new_int((int)pid));
	json_object_object_add(req, "node", json_object_new_string(argv[1]));
	/* a big image over a slow link takes a while */
	c->timeout_ms = SSICTL_MIGRATE_TIMEOUT_MS;
	if (!c->json)
		progress = migrate_progress_start(c->socket, (pid_t)pid, argv[1],
						  STDOUT_FILENO);
	reply = try_call(c, req, &res, err, sizeof(err));
	migrate_progress_stop(progress);
	if (!reply) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return EXIT_FAILURE;
	}
	if (c->json)
		print_json(res);
	else
		print_migrated(res);
	json_object_put(reply);
	return EXIT_SUCCESS;
}

/* A load score (per-mille of a CPU per CPU) as "1.25". */
static double load_of(json_object *o, const char *key)
{
	return json_object_get_uint64(jmember(o, key)) / 1000.0;
}

static const char *ids_of(json_object *mv, char *buf, size_t len)
{
	if (!jmember(mv, "job"))
		return "-";
	snprintf(buf, len, "%s.%s", jstr(mv, "job"),
		 jmember(mv, "step") ? jstr(mv, "step") : "-");
	return buf;
}

/*
 * Print @res, a plan ("moves", "nodes") of ssid's, as a table (as JSON
 * with -j; an empty one not at all with @quiet); unless @dryrun, carry it
 * out one migration at a time (each line as `migrate` prints it), each by
 * the task's home.  Returns how many moves failed; *@n how many there were.
 */
static int run_plan(struct ctl *c, json_object *res, bool dryrun, bool quiet, size_t *n)
{
	json_object *req, *moves = jmember(res, "moves"), *nodes = jmember(res, "nodes");
	json_object *r2, *res2;
	char err[600], ids[64];
	size_t i;
	int failed = 0;

	*n = moves ? json_object_array_length(moves) : 0;
	if (quiet && !*n) {
		/* nothing to say */
	} else if (c->json) {
		print_json(res);
	} else if (!*n) {
		printf("nothing to move; loads:");
		for (i = 0; nodes && i < json_object_array_length(nodes); i++) {
			json_object *nd = json_object_array_get_idx(nodes, i);

			if (json_object_get_boolean(jmember(nd, "eligible")))
				printf(" %s %.2f", jstr(nd, "name"), load_of(nd, "load_before"));
		}
		printf("\n");
	} else {
		printf("%-12s %-6s %-8s %-8s %-8s %-16s %-16s\n", "JOB.STEP", "TASK",
		       "PID", "FROM", "TO", "LOAD FROM", "LOAD TO");
		for (i = 0; i < *n; i++) {
			json_object *mv = json_object_array_get_idx(moves, i);
			char lf[32], lt[32];

			snprintf(lf, sizeof(lf), "%.2f->%.2f", load_of(mv, "from_load_before"),
				 load_of(mv, "from_load_after"));
			snprintf(lt, sizeof(lt), "%.2f->%.2f", load_of(mv, "to_load_before"),
				 load_of(mv, "to_load_after"));
			printf("%-12s %-6s %-8s %-8s %-8s %-16s %-16s\n",
			       ids_of(mv, ids, sizeof(ids)),
			       jmember(mv, "task") ? jstr(mv, "task") : "-", jstr(mv, "pid"),
			       jstr(mv, "from"), jstr(mv, "to"), lf, lt);
		}
	}
	if (dryrun || !*n)
		return 0;
	c->timeout_ms = SSICTL_MIGRATE_TIMEOUT_MS;
	for (i = 0; i < *n; i++) {
		json_object *mv = json_object_array_get_idx(moves, i);

		req = request("migrate");
		json_object_object_add(req, "pid", json_object_new_int(
			(int)json_object_get_int64(jmember(mv, "pid"))));
		json_object_object_add(req, "node", json_object_new_string(jstr(mv, "to")));
		/* the task's home makes the move, wherever ssictl runs */
		json_object_object_add(req, "home", json_object_new_string(jstr(mv, "home")));
		r2 = try_call(c, req, &res2, err, sizeof(err));
		if (!r2) {
			failed++;
			printf("%s task %s (pid %s) not moved to %s: %s\n",
			       ids_of(mv, ids, sizeof(ids)),
			       jmember(mv, "task") ? jstr(mv, "task") : "-",
			       jstr(mv, "pid"), jstr(mv, "to"), err);
			continue;
		}
		if (c->json)
			print_json(res2);
		else
			print_migrated(res2);
		json_object_put(r2);
	}
	if (!c->json)
		printf("%zu of %zu moves done\n", *n - (size_t)failed, *n);
	return failed;
}

/*
 * rebalance [partition=P] [dryrun]: ssid's plan for every node's tasks,
 * printed and carried out by run_plan().  Exit 1 if any move failed.
 */
static int cmd_rebalance(struct ctl *c, int argc, char **argv)
{
	const char *use = "rebalance [partition=P] [dryrun]";
	json_object *req, *reply, *res;
	bool dryrun = false;
	const char *part = NULL;
	size_t i, n;
	int failed;

	for (i = 0; i < (size_t)argc; i++) {
		if (!strcmp(argv[i], "dryrun"))
			dryrun = true;
		else if (!strncmp(argv[i], "partition=", 10) && argv[i][10])
			part = argv[i] + 10;
		else
			bad_usage(use);
	}
	req = request("rebalance");
	if (part) {
#ifdef HAVE_LIBSLURM
		char **names, err[600];
		int k, nn = ssictl_partition_nodes(part, &names, err, sizeof(err));
		json_object *arr;

		if (nn < 0)
			die("%s", err);
		arr = json_object_new_array();
		for (k = 0; k < nn; k++) {
			json_object_array_add(arr, json_object_new_string(names[k]));
			free(names[k]);
		}
		free(names);
		json_object_object_add(req, "nodes", arr);
#else
		die("partition=%s: this ssictl was built without libslurm", part);
#endif
	}
	reply = call(c, req, &res);
	warn_missing(jmember(res, "missing"), "in the plan");
	failed = run_plan(c, res, dryrun, false, &n);
	json_object_put(reply);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Rounds of evacuate: a task some balancer sent before it heard of the drain. */
#define EVACUATE_ROUNDS	3

/*
 * evacuate node=N [dryrun]: drain N in Slurm (reason "ssictl evacuate"),
 * so that neither Slurm nor any balancer gives it work, then move every
 * task off it (ssid's evacuate plan, carried out by run_plan()), again
 * while a round finds more; say which stay and why.  Exit 1 if a move
 * failed or a task stays on N.
 */
static int cmd_evacuate(struct ctl *c, int argc, char **argv)
{
	const char *use = "evacuate node=N [dryrun]";
	json_object *req, *reply, *res, *node, *staying = NULL, *last = NULL;
	const char *name = NULL, *state;
	bool dryrun = false;
	size_t i, n, left = 0;
	int failed = 0, round;

	for (i = 0; i < (size_t)argc; i++) {
		if (!strcmp(argv[i], "dryrun"))
			dryrun = true;
		else if (!strncmp(argv[i], "node=", 5) && argv[i][5])
			name = argv[i] + 5;
		else
			bad_usage(use);
	}
	if (!name)
		bad_usage(use);
	req = request("show_node");
	json_object_object_add(req, "node", json_object_new_string(name));
	reply = call(c, req, &res);
	node = jmember(res, "node");
	state = jmember(node, "slurm_state") ? jstr(node, "slurm_state") : NULL;
	if (dryrun) {
		/* nothing changed */
	} else if (state && (strstr(state, "DRAIN") || strstr(state, "DOWN"))) {
		printf("%s is %s in Slurm already\n", name, state);
	} else {
#ifdef HAVE_LIBSLURM
		char err[600];

		if (ssictl_drain_node(name, "ssictl evacuate", err, sizeof(err)))
			die("%s (evacuating a node Slurm would give new work makes no sense)",
			    err);
		printf("%s drained in Slurm (reason: ssictl evacuate); after the "
		       "maintenance: scontrol update nodename=%s state=resume\n", name, name);
#else
		fprintf(stderr, "%s: this ssictl was built without libslurm: %s is not "
			"drained, and balancers may still send it tasks\n", prog, name);
#endif
	}
	json_object_put(reply);
	for (round = 0; round < EVACUATE_ROUNDS; round++) {
		req = request("rebalance");
		json_object_object_add(req, "evacuate", json_object_new_string(name));
		reply = call(c, req, &res);
		if (!round)
			warn_missing(jmember(res, "missing"), "in the plan");
		/* a later round only when it finds more */
		failed += run_plan(c, res, dryrun, round > 0, &n);
		json_object_put(last);
		last = reply;
		staying = jmember(res, "staying");
		if (dryrun || !n)
			break;
	}
	for (i = 0; staying && i < json_object_array_length(staying); i++) {
		json_object *t = json_object_array_get_idx(staying, i);
		char ids[64];

		if (!strcmp(jstr(t, "node"), name))
			left++;
		if (!c->json)
			printf("stays: %s task %s (pid %s, home %s, on %s): %s\n",
			       ids_of(t, ids, sizeof(ids)),
			       jmember(t, "task") ? jstr(t, "task") : "-", jstr(t, "pid"),
			       jstr(t, "home"), jstr(t, "node"), jstr(t, "why"));
	}
	json_object_put(last);
	return failed || (left && !dryrun) ? EXIT_FAILURE : EXIT_SUCCESS;
}

static void print_metrics(json_object *res)
{
	fputs(jstr(res, "text"), stdout);
}

/* show procs|tasks|metrics: op @op ("show_procs"), printed by @print or as JSON. */
static int show_list(struct ctl *c, int argc, const char *op,
		     void (*print)(json_object *res))
{
	json_object *reply, *res;

	if (argc > 1) {
		char usage[32];

		snprintf(usage, sizeof(usage), "show %s", op + 5);
		bad_usage(usage);
	}
	reply = call(c, request(op), &res);
	if (c->json)
		print_json(res);
	else
		print(res);
	json_object_put(reply);
	return EXIT_SUCCESS;
}

static int cmd_show(struct ctl *c, int argc, char **argv)
{
	json_object *req, *reply, *res;
	const char *what = argc > 0 ? argv[0] : NULL;

	if (what && !strcmp(what, "procs"))
		return show_list(c, argc, "show_procs", print_procs);
	if (what && !strcmp(what, "metrics"))
		return show_list(c, argc, "show_metrics", print_metrics);
	if (what && (!strcmp(what, "jobs") || !strcmp(what, "job"))) {
		if (argc > 1)
			bad_usage("show jobs");
		return cmd_show_jobs(c);
	}
	if (what && !strcmp(what, "tasks"))
		return show_list(c, argc, "show_tasks", print_tasks);
	if (!what || (strcmp(what, "nodes") && strcmp(what, "node")))
		bad_usage("show nodes | show node NAME | show tasks | show jobs | show procs | "
			  "show metrics");
	if (argc > 2)
		bad_usage("show nodes | show node NAME");
	if (argc == 1 && !strcmp(what, "node"))
		bad_usage("show node NAME");
	if (argc == 2) {
		/* scontrol accepts both "show node n1" and "show nodes n1" */
		req = request("show_node");
		json_object_object_add(req, "node",
				       json_object_new_string(argv[1]));
		reply = call(c, req, &res);
		if (c->json)
			print_json(res);
		else
			print_node(jmember(res, "node"));
	} else {
		reply = call(c, request("show_nodes"), &res);
		if (c->json)
			print_json(res);
		else
			print_nodes(res);
	}
	json_object_put(reply);
	return EXIT_SUCCESS;
}

static int cmd_ping(struct ctl *c, int argc, char **argv)
{
	json_object *req, *reply, *res, *arr;
	char a[32], b[32], d[32], r[32];
	int received, sent;
	size_t i;

	if (argc != 1)
		bad_usage("ping NAME [-c COUNT]");
	req = request("ping");
	json_object_object_add(req, "node", json_object_new_string(argv[0]));
	json_object_object_add(req, "count", json_object_new_int(c->count));
	c->timeout_ms += c->count * SSI_PING_TIMEOUT_MS;
	reply = call(c, req, &res);
	received = json_object_get_int(jmember(res, "received"));
	sent = json_object_get_int(jmember(res, "sent"));
	if (c->json) {
		print_json(res);
	} else {
		arr = jmember(res, "rtt_us");
		for (i = 0; arr && i < json_object_array_length(arr); i++) {
			json_object *v = json_object_array_get_idx(arr, i);

			fmt_us(r, sizeof(r), v);
			if (v)
				printf("reply from %s: seq=%zu rtt=%s\n",
				       argv[0], i + 1, r);
			else
				printf("no reply from %s: seq=%zu (timeout)\n",
				       argv[0], i + 1);
		}
		fmt_us(a, sizeof(a), jmember(res, "min_us"));
		fmt_us(b, sizeof(b), jmember(res, "avg_us"));
		fmt_us(d, sizeof(d), jmember(res, "max_us"));
		printf("%s: %d sent, %d received, rtt min/avg/max %s/%s/%s\n",
		       argv[0], sent, received, a, b, d);
	}
	json_object_put(reply);
	return received > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int cmd_simple(struct ctl *c, const char *op, json_object *req)
{
	json_object *reply, *res;

	reply = call(c, req ? req : request(op), &res);
	if (c->json || strcmp(op, "shutdown"))
		print_json(res);
	json_object_put(reply);
	return EXIT_SUCCESS;
}

/* balancer [pause|resume]: one line, Slurm's Key=Value style. */
static int cmd_balancer(struct ctl *c, int argc, char **argv)
{
	const char *use = "balancer [pause|resume]";
	const char *op = "balancer";
	json_object *reply, *res;

	if (argc > 1)
		bad_usage(use);
	if (argc && !strcmp(argv[0], "pause"))
		op = "balancer_pause";
	else if (argc && !strcmp(argv[0], "resume"))
		op = "balancer_resume";
	else if (argc)
		bad_usage(use);
	reply = call(c, request(op), &res);
	if (c->json)
		print_json(res);
	else
		printf("Balancer=%s BalanceInterval=%lldms BalanceThreshold=%lld "
		       "BalanceHysteresis=%lld BalanceCandidates=%lld LogLevel=%s\n",
		       json_object_get_string(jmember(res, "state")),
		       (long long)json_object_get_int64(jmember(res, "interval_ms")),
		       (long long)json_object_get_int64(jmember(res, "threshold")),
		       (long long)json_object_get_int64(jmember(res, "hysteresis")),
		       (long long)json_object_get_int64(jmember(res, "candidates")),
		       json_object_get_string(jmember(res, "log_level")));
	json_object_put(reply);
	return EXIT_SUCCESS;
}

/* A positive decimal that fits @max, or bad_usage(). */
static long long number(const char *s, long long max, const char *what)
{
	long long v;
	char *end;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || end == s || v < 0 || v > max)
		bad_usage(what);
	return v;
}

static int cmd_mon(struct ctl *c, int argc, char **argv)
{
	static const char what[] = "mon [every=SECONDS] [count=N]";
	struct mon_opts o = {
		.socket = c->socket,
		.timeout_ms = c->timeout_ms,
		.every_s = MON_EVERY_DEFAULT,
	};
	char *end;
	int i;

	if (c->json)
		bad_usage("mon (a view, not JSON: see show nodes, show procs)");
	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "every=", 6)) {
			errno = 0;
			o.every_s = strtod(argv[i] + 6, &end);
			if (errno || *end || end == argv[i] + 6 || !(o.every_s >= MON_EVERY_MIN) ||
			    o.every_s > MON_EVERY_MAX)
				bad_usage(what);
		} else if (!strncmp(argv[i], "count=", 6)) {
			o.count = (long)number(argv[i] + 6, 1000000, what);
			if (!o.count)
				bad_usage(what);
		} else {
			bad_usage(what);
		}
	}
	return mon_run(&o);
}

static int cmd_register(struct ctl *c, int argc, char **argv, bool reg)
{
	static const char *const what[] = {
		"register PID [job=J] [step=S] [task=T] [policy=auto|manual]",
		"unregister PID"
	};
	json_object *req, *reply, *res;
	int i;

	if (argc < 1 || (!reg && argc != 1))
		bad_usage(what[!reg]);
	req = request(reg ? "task_register" : "task_unregister");
	json_object_object_add(req, "pid", json_object_new_int64(
		number(argv[0], INT32_MAX, what[!reg])));
	for (i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		enum ssi_policy p;

		if (reg && !strncmp(argv[i], "policy=", 7) &&
		    !ssi_policy_from_name(argv[i] + 7, &p) && p != SSI_POLICY_NONE) {
			json_object_object_add(req, "policy",
					       json_object_new_string(ssi_policy_name(p)));
			continue;
		}
		if (!eq || (strncmp(argv[i], "job=", 4) &&
			    strncmp(argv[i], "step=", 5) &&
			    strncmp(argv[i], "task=", 5)))
			bad_usage(what[0]);
		*eq = '\0';
		json_object_object_add(req, argv[i], json_object_new_int64(
			number(eq + 1, UINT32_MAX, what[0])));
	}
	reply = call(c, req, &res);
	if (c->json)
		print_json(res);
	json_object_put(reply);
	return EXIT_SUCCESS;
}

static int cmd_request(struct ctl *c, int argc, char **argv)
{
	struct ssiclient sc;
	size_t len;
	char *answer;

	if (argc != 1)
		bad_usage("request JSON");
	ctl_init(c, &sc);
	if (ssiclient_connect(&sc) || ssiclient_send_line(&sc, argv[0]) ||
	    ssiclient_recv_line(&sc, &answer, &len))
		die_transport(&sc);
	puts(answer);
	ssiclient_close(&sc);
	return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl c = {
		.socket = SSI_CONTROL_SOCKET,
		.count = SSI_PING_COUNT,
		.timeout_ms = SSICTL_TIMEOUT_MS,
	};
	const char *env = getenv("SSI_CONTROL_SOCKET");
	const char *cmd;
	char *end;
	int opt;

	if (env && *env)
		c.socket = env;
	while ((opt = getopt_long(argc, argv, "s:jc:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			c.socket = optarg;
			break;
		case 'j':
			c.json = true;
			break;
		case 'c':
			errno = 0;
			c.count = (int)strtol(optarg, &end, 10);
			if (errno || *end || c.count < 1 ||
			    c.count > SSI_PING_COUNT_MAX) {
				fprintf(stderr, "%s: -c %s: not a count in [1, %d]\n",
					prog, optarg, SSI_PING_COUNT_MAX);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("ssictl (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind++];
	argc -= optind;
	argv += optind;

	if (!strcmp(cmd, "show"))
		return cmd_show(&c, argc, argv);
	if (!strcmp(cmd, "ping"))
		return cmd_ping(&c, argc, argv);
	if (!strcmp(cmd, "migrate"))
		return cmd_migrate(&c, argc, argv);
	if (!strcmp(cmd, "evacuate"))
		return cmd_evacuate(&c, argc, argv);
	if (!strcmp(cmd, "rebalance"))
		return cmd_rebalance(&c, argc, argv);
	if (!strcmp(cmd, "request"))
		return cmd_request(&c, argc, argv);
	if (!strcmp(cmd, "mon"))
		return cmd_mon(&c, argc, argv);
	if (!strcmp(cmd, "balancer"))
		return cmd_balancer(&c, argc, argv);
	if (!strcmp(cmd, "register") || !strcmp(cmd, "unregister"))
		return cmd_register(&c, argc, argv, !strcmp(cmd, "register"));
	if (!strcmp(cmd, "version") || !strcmp(cmd, "whoami") ||
	    !strcmp(cmd, "shutdown")) {
		if (argc)
			bad_usage(cmd);
		return cmd_simple(&c, cmd, NULL);
	}
	if (!strcmp(cmd, "loglevel")) {
		json_object *req;

		if (argc != 1)
			bad_usage("loglevel error|warning|notice|info|debug");
		req = request("set_verbosity");
		json_object_object_add(req, "level",
				       json_object_new_string(argv[0]));
		return cmd_simple(&c, "set_verbosity", req);
	}
	fprintf(stderr, "%s: unknown command '%s'\n", prog, cmd);
	usage(stderr);
	return 2;
}
