// SPDX-License-Identifier: GPL-2.0
/*
 * conf.c - the ssi.conf(5) parser.
 *
 * Slurm's syntax: one "Key=Value" per line, keys case-insensitive, '#'
 * starts a comment, and node lines carry several pairs:
 *	NodeName=n1 Addr=10.0.0.1 [Port=7071]
 * Stricter than Slurm where Slurm is silently lenient: an unknown key, a
 * key given twice, a truncated line or a value out of range is an error
 * that names the file and line, never a guess.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>

#include "common/log.h"
#include "daemon/conf.h"

struct parse {
	struct ssi_conf *conf;
	const char *name;	/* file name for messages */
	int line;		/* current line, 1-based */
	char *err;
	size_t errlen;
	size_t cap;		/* allocated entries in conf->nodes */
};

/* Record "NAME:LINE: reason" and return -1, so callers can `return perr()`. */
static int __attribute__((format(printf, 3, 4)))
perr_at(struct parse *p, int line, const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%d: %s", p->name, line, reason);
	return -1;
}

#define perr(p, ...) perr_at((p), (p)->line, __VA_ARGS__)

int conf_parse_duration(const char *s, unsigned int *ms)
{
	unsigned long long v;
	char *end;
	unsigned int mult = 1000;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (!strcasecmp(end, "ms"))
		mult = 1;
	else if (*end && strcasecmp(end, "s"))
		return -1;
	if (v > UINT_MAX / mult)
		return -1;
	*ms = (unsigned int)v * mult;
	return 0;
}

/* A decimal number without sign in [min, max]. */
static int parse_uint(struct parse *p, const char *key, const char *val,
		      unsigned long min, unsigned long max, unsigned int *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)val[0]))
		return perr(p, "%s=%s: not a number", key, val);
	errno = 0;
	v = strtoul(val, &end, 10);
	if (*end)
		return perr(p, "%s=%s: not a number", key, val);
	if (errno || v < min || v > max)
		return perr(p, "%s=%s: out of range [%lu, %lu]", key, val,
			    min, max);
	*out = (unsigned int)v;
	return 0;
}

static int parse_port(struct parse *p, const char *key, const char *val,
		      uint16_t *port)
{
	unsigned int v;

	if (parse_uint(p, key, val, 1, 65535, &v))
		return -1;
	*port = (uint16_t)v;
	return 0;
}

static int parse_hb(struct parse *p, const char *key, const char *val,
		    unsigned int *ms)
{
	if (conf_parse_duration(val, ms))
		return perr(p, "%s=%s: not a duration (seconds, or milliseconds with an \"ms\" suffix)",
			    key, val);
	if (*ms < SSI_HEARTBEAT_MIN_MS || *ms > SSI_HEARTBEAT_MAX_MS)
		return perr(p, "%s=%s: out of range [%ums, %ums]", key, val,
			    SSI_HEARTBEAT_MIN_MS, SSI_HEARTBEAT_MAX_MS);
	return 0;
}

static int parse_path(struct parse *p, const char *key, const char *val,
		      size_t max, char **out)
{
	if (val[0] != '/')
		return perr(p, "%s=%s: must be an absolute path", key, val);
	if (strlen(val) >= max)
		return perr(p, "%s=%s: longer than %zu characters", key, val,
			    max - 1);
	free(*out);
	*out = strdup(val);
	if (!*out)
		return perr(p, "out of memory");
	return 0;
}

int conf_valid_node_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > SSI_NODE_NAME_MAX || s[0] == '-' || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
			return 0;
	return 1;
}

/* An IPv4 or IPv6 literal, or something that can be a DNS host name. */
static int valid_addr(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];
	size_t i, n = strlen(s);

	if (n == 0 || n > SSI_ADDR_MAX)
		return 0;
	if (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1)
		return 1;
	/* All digits and dots but not an IPv4 address: a typo, not a name. */
	if (strspn(s, "0123456789.") == n)
		return 0;
	if (s[0] == '-' || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-.", s[i]))
			return 0;
	return 1;
}

static int valid_user(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 32 || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
			return 0;
	return 1;
}

/* ------------------------------------------------------------ global keys */

enum key_id {
	K_CLUSTER_NAME, K_TRANSPORT, K_PORT, K_HB_INTERVAL, K_HB_TIMEOUT, K_CONTROL_SOCKET,
	K_PID_FILE, K_MUNGE_SOCKET, K_SLURM_USER, K_BAL_INTERVAL,
	K_BAL_THRESHOLD, K_BAL_HYSTERESIS, K_BAL_CANDIDATES, K_NICE,
	K_MAX_INCOMING, K_INCOMING_MEMORY, K_PROTECT, K_LOG_LEVEL,
	K_SLURM_POLL, K_MEM_LOW_WATER, K_NKEYS
};

static const char *const key_names[K_NKEYS] = {
	[K_CLUSTER_NAME] = "ClusterName",
	[K_TRANSPORT] = "Transport",
	[K_PORT] = "Port",
	[K_HB_INTERVAL] = "HeartbeatInterval",
	[K_HB_TIMEOUT] = "HeartbeatTimeout",
	[K_CONTROL_SOCKET] = "ControlSocket",
	[K_PID_FILE] = "PidFile",
	[K_MUNGE_SOCKET] = "MungeSocket",
	[K_SLURM_USER] = "SlurmUser",
	[K_BAL_INTERVAL] = "BalanceInterval",
	[K_BAL_THRESHOLD] = "BalanceThreshold",
	[K_BAL_HYSTERESIS] = "BalanceHysteresis",
	[K_BAL_CANDIDATES] = "BalanceCandidates",
	[K_NICE] = "Nice",
	[K_MAX_INCOMING] = "MaxIncoming",
	[K_INCOMING_MEMORY] = "IncomingMemory",
	[K_PROTECT] = "Protect",
	[K_LOG_LEVEL] = "LogLevel",
	[K_SLURM_POLL] = "SlurmPollInterval",
	[K_MEM_LOW_WATER] = "MemoryLowWater",
};

static int set_global(struct parse *p, enum key_id id, const char *key,
		      const char *val)
{
	struct ssi_conf *c = p->conf;
	struct sockaddr_un sun;
	size_t i;

	switch (id) {
	case K_CLUSTER_NAME:
		if (!conf_valid_node_name(val))
			return perr(p, "%s=%s: not a valid cluster name (1-%d of A-Z a-z 0-9 - _ .)",
				    key, val, SSI_NODE_NAME_MAX);
		free(c->cluster_name);
		c->cluster_name = strdup(val);
		return c->cluster_name ? 0 : perr(p, "out of memory");
	case K_TRANSPORT:
		for (i = 0; val[i]; i++)
			if (!islower((unsigned char)val[i]) &&
			    !isdigit((unsigned char)val[i]) && val[i] != '_')
				break;
		if (val[i] || i > 32)
			return perr(p, "%s=%s: not a transport plugin name (lower case letters, digits, '_')",
				    key, val);
		free(c->transport);
		c->transport = strdup(val);
		return c->transport ? 0 : perr(p, "out of memory");
	case K_PORT:
		return parse_port(p, key, val, &c->port);
	case K_HB_INTERVAL:
		return parse_hb(p, key, val, &c->hb_interval_ms);
	case K_HB_TIMEOUT:
		return parse_hb(p, key, val, &c->hb_timeout_ms);
	case K_CONTROL_SOCKET:
		return parse_path(p, key, val, sizeof(sun.sun_path),
				  &c->control_socket);
	case K_PID_FILE:
		return parse_path(p, key, val, PATH_MAX, &c->pid_file);
	case K_MUNGE_SOCKET:
		return parse_path(p, key, val, sizeof(sun.sun_path),
				  &c->munge_socket);
	case K_SLURM_USER:
		if (!valid_user(val))
			return perr(p, "%s=%s: not a user name", key, val);
		free(c->slurm_user);
		c->slurm_user = strdup(val);
		return c->slurm_user ? 0 : perr(p, "out of memory");
	case K_BAL_INTERVAL:
		if (conf_parse_duration(val, &c->balance_interval_ms) ||
		    c->balance_interval_ms < SSI_HEARTBEAT_MIN_MS)
			return perr(p, "%s=%s: not a duration of at least %ums",
				    key, val, SSI_HEARTBEAT_MIN_MS);
		return 0;
	case K_BAL_THRESHOLD:
		return parse_uint(p, key, val, 1, 100000,
				  &c->balance_threshold);
	case K_BAL_HYSTERESIS:
		return parse_uint(p, key, val, 0, 100000,
				  &c->balance_hysteresis);
	case K_BAL_CANDIDATES:
		return parse_uint(p, key, val, 1, SSI_NODES_MAX,
				  &c->balance_candidates);
	case K_NICE: {
		char *end;
		long v;

		errno = 0;
		v = strtol(val, &end, 10);
		if (!isdigit((unsigned char)val[val[0] == '-']) || *end || errno ||
		    v < -20 || v > 19)
			return perr(p, "%s=%s: not a nice value (-20 to 19)", key, val);
		c->nice = (int)v;
		return 0;
	}
	case K_MAX_INCOMING:
		return parse_uint(p, key, val, 1, 1024, &c->max_incoming);
	case K_INCOMING_MEMORY:
		return parse_uint(p, key, val, 1, 100, &c->incoming_memory_pct);
	case K_MEM_LOW_WATER:
		return parse_uint(p, key, val, 0, SSI_MEMORY_LOW_WATER_MAX,
				  &c->mem_low_water_pct);
	case K_PROTECT:
		/* no "none": every frame is authenticated (doc/wire-protocol.md) */
		if (!strcasecmp(val, "integrity"))
			c->encrypt = false;
		else if (!strcasecmp(val, "encrypt"))
			c->encrypt = true;
		else
			return perr(p, "%s=%s: must be integrity or encrypt",
				    key, val);
		return 0;
	case K_SLURM_POLL:
		/* 0: ssid does not follow Slurm (ssi.conf(5) says what then) */
		if (conf_parse_duration(val, &c->slurm_poll_ms) ||
		    (c->slurm_poll_ms && (c->slurm_poll_ms < SSI_SLURM_POLL_MIN_MS ||
					  c->slurm_poll_ms > SSI_SLURM_POLL_MAX_MS)))
			return perr(p, "%s=%s: not 0 nor a duration in [%us, %us]", key, val,
				    SSI_SLURM_POLL_MIN_MS / 1000, SSI_SLURM_POLL_MAX_MS / 1000);
		return 0;
	case K_LOG_LEVEL:
		c->log_level = log_level_parse(val);
		if (c->log_level < 0)
			return perr(p, "%s=%s: must be error, warning, notice, info or debug",
				    key, val);
		return 0;
	case K_NKEYS:
		break;
	}
	return perr(p, "internal error: key %d", id);
}

/* -------------------------------------------------------------- node lines */

static int add_node(struct parse *p, char **tok, int ntok)
{
	struct ssi_conf *c = p->conf;
	struct ssi_node node = { .line = p->line };
	bool have_addr = false, have_port = false;
	int i;

	for (i = 0; i < ntok; i++) {
		char *key = tok[i], *val = strchr(tok[i], '=') + 1;

		val[-1] = '\0';
		if (!strcasecmp(key, "NodeName")) {
			if (i != 0)
				return perr(p, "NodeName= given twice on one line");
			if (!strcasecmp(val, "DEFAULT"))
				return perr(p, "NodeName=DEFAULT is not supported; set the global Port= instead");
			if (!conf_valid_node_name(val))
				return perr(p, "NodeName=%s: not a valid node name (1-%d of A-Z a-z 0-9 - _ .)",
					    val, SSI_NODE_NAME_MAX);
			strcpy(node.name, val);
		} else if (!strcasecmp(key, "Addr") ||
			   !strcasecmp(key, "NodeAddr")) {
			if (have_addr)
				return perr(p, "%s= given twice for node %s",
					    key, node.name);
			if (!valid_addr(val))
				return perr(p, "%s=%s: not an IP address or host name",
					    key, val);
			strcpy(node.addr, val);
			have_addr = true;
		} else if (!strcasecmp(key, "Port")) {
			if (have_port)
				return perr(p, "Port= given twice for node %s",
					    node.name);
			if (parse_port(p, key, val, &node.port))
				return -1;
			have_port = true;
		} else if (!strcasecmp(key, "Migrate")) {
			if (strcasecmp(val, "yes") && strcasecmp(val, "no"))
				return perr(p, "Migrate=%s: must be yes or no", val);
			node.no_migrate = !strcasecmp(val, "no");
		} else {
			return perr(p, "unknown key '%s' on the line of node %s (known: NodeName, Addr, NodeAddr, Port, Migrate)",
				    key, node.name);
		}
	}
	if (!have_addr)
		return perr(p, "node %s has no Addr=", node.name);
	if (conf_find_node(c, node.name))
		return perr(p, "node %s defined twice, first on line %d",
			    node.name, conf_find_node(c, node.name)->line);
	if (c->nnodes >= SSI_NODES_MAX)
		return perr(p, "more than %d nodes", SSI_NODES_MAX);
	if (c->nnodes == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		struct ssi_node *n = realloc(c->nodes, cap * sizeof(*n));

		if (!n)
			return perr(p, "out of memory");
		c->nodes = n;
		p->cap = cap;
	}
	c->nodes[c->nnodes++] = node;
	return 0;
}

/* ----------------------------------------------------------------- a line */

#define MAX_TOKENS 16

static int parse_line(struct parse *p, char *line, int *seen)
{
	char *tok[MAX_TOKENS];
	char *s, *save = NULL;
	int ntok = 0, i;

	s = strchr(line, '#');
	if (s)
		*s = '\0';
	for (s = strtok_r(line, " \t\r\n", &save); s;
	     s = strtok_r(NULL, " \t\r\n", &save)) {
		if (ntok == MAX_TOKENS)
			return perr(p, "more than %d settings on one line",
				    MAX_TOKENS);
		tok[ntok++] = s;
	}
	if (ntok == 0)
		return 0;
	for (i = 0; i < ntok; i++) {
		char *eq = strchr(tok[i], '=');

		if (!eq)
			return perr(p, "'%s': expected Key=Value", tok[i]);
		if (eq == tok[i])
			return perr(p, "'%s': missing key before '='", tok[i]);
		if (eq[1] == '\0') {
			*eq = '\0';
			return perr(p, "%s= has an empty value", tok[i]);
		}
	}
	if (!strncasecmp(tok[0], "NodeName=", 9))
		return add_node(p, tok, ntok);

	{
		char *key = tok[0], *val = strchr(tok[0], '=') + 1;
		int id;

		val[-1] = '\0';
		for (id = 0; id < K_NKEYS; id++)
			if (!strcasecmp(key, key_names[id]))
				break;
		if (id == K_NKEYS) {
			if (!strcasecmp(key, "Addr") ||
			    !strcasecmp(key, "NodeAddr"))
				return perr(p, "%s= belongs on a NodeName= line",
					    key);
			return perr(p, "unknown key '%s'", key);
		}
		if (ntok > 1)
			return perr(p, "unexpected '%s' after %s= (one setting per line)",
				    tok[1], key_names[id]);
		if (seen[id])
			return perr(p, "%s= given twice, first on line %d",
				    key_names[id], seen[id]);
		seen[id] = p->line;
		return set_global(p, id, key_names[id], val);
	}
}

/* ---------------------------------------------------------- whole file */

static int set_defaults(struct ssi_conf *c)
{
	c->cluster_name = strdup("");
	c->transport = strdup("tcp");
	c->control_socket = strdup(SSI_CONTROL_SOCKET);
	c->pid_file = strdup(SSI_PID_FILE);
	c->port = SSI_DEFAULT_PORT;
	c->hb_interval_ms = SSI_HEARTBEAT_INTERVAL_MS;
	c->hb_timeout_ms = SSI_HEARTBEAT_TIMEOUT_MS;
	c->balance_interval_ms = SSI_BALANCE_INTERVAL_MS;
	c->balance_threshold = SSI_BALANCE_THRESHOLD;
	c->balance_hysteresis = SSI_BALANCE_HYSTERESIS;
	c->balance_candidates = SSI_BALANCE_CANDIDATES;
	c->nice = SSI_NICE;
	c->max_incoming = SSI_MAX_INCOMING;
	c->incoming_memory_pct = SSI_INCOMING_MEMORY_PCT;
	c->mem_low_water_pct = SSI_MEMORY_LOW_WATER_PCT;
	c->log_level = LOG_NOTICE;
	c->slurm_poll_ms = SSI_SLURM_POLL_MS;
	return c->cluster_name && c->transport && c->control_socket &&
	       c->pid_file ? 0 : -1;
}

/* Checks that need the whole file: relations between keys, the node set. */
static int validate(struct parse *p, const int *seen)
{
	struct ssi_conf *c = p->conf;
	size_t i, j;

	if (c->nnodes == 0)
		return perr(p, "no NodeName= lines: at least one node is needed");
	if (c->hb_timeout_ms <= c->hb_interval_ms) {
		int line = seen[K_HB_TIMEOUT] ? seen[K_HB_TIMEOUT] :
			   seen[K_HB_INTERVAL];

		return perr_at(p, line, "HeartbeatTimeout (%ums) must be greater than HeartbeatInterval (%ums)",
			       c->hb_timeout_ms, c->hb_interval_ms);
	}
	for (i = 0; i < c->nnodes; i++) {
		if (!c->nodes[i].port)
			c->nodes[i].port = c->port;
	}
	for (i = 0; i < c->nnodes; i++) {
		for (j = 0; j < i; j++) {
			if (strcmp(c->nodes[i].addr, c->nodes[j].addr) ||
			    c->nodes[i].port != c->nodes[j].port)
				continue;
			return perr_at(p, c->nodes[i].line,
				       "node %s has the address %s port %u of node %s (line %d)",
				       c->nodes[i].name, c->nodes[i].addr,
				       c->nodes[i].port, c->nodes[j].name,
				       c->nodes[j].line);
		}
	}
	return 0;
}

struct ssi_conf *conf_parse(FILE *fp, const char *name, char *err,
			    size_t errlen)
{
	struct parse p = { .name = name, .err = err, .errlen = errlen };
	int seen[K_NKEYS] = { 0 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	p.conf = calloc(1, sizeof(*p.conf));
	if (p.conf)
		p.conf->path = strdup(name);
	if (!p.conf || !p.conf->path || set_defaults(p.conf)) {
		snprintf(err, errlen, "%s: out of memory", name);
		goto fail;
	}
	errno = 0;
	while ((len = getline(&line, &cap, fp)) >= 0) {
		ssize_t i;

		p.line++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if ((size_t)len > SSI_CONF_LINE_MAX) {
			perr(&p, "line longer than %d characters",
			     SSI_CONF_LINE_MAX);
			goto fail;
		}
		for (i = 0; i < len; i++) {
			unsigned char ch = line[i];

			if (ch == '\0' || (ch < 0x20 && ch != '\t' &&
					   ch != '\n' && ch != '\r') ||
			    ch == 0x7f) {
				perr(&p, "control character 0x%02x in column %zd",
				     ch, i + 1);
				goto fail;
			}
		}
		if (parse_line(&p, line, seen))
			goto fail;
		errno = 0;
	}
	if (ferror(fp) || errno) {
		perr(&p, "read error after this line: %s",
		     strerror(errno ? errno : EIO));
		goto fail;
	}
	if (validate(&p, seen))
		goto fail;
	free(line);
	return p.conf;
fail:
	free(line);
	conf_free(p.conf);
	return NULL;
}

struct ssi_conf *conf_load(const char *path, char *err, size_t errlen)
{
	struct ssi_conf *c;
	FILE *fp = fopen(path, "re");

	if (!fp) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 strerror(errno));
		return NULL;
	}
	c = conf_parse(fp, path, err, errlen);
	fclose(fp);
	return c;
}

void conf_free(struct ssi_conf *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->cluster_name);
	free(c->transport);
	free(c->control_socket);
	free(c->pid_file);
	free(c->munge_socket);
	free(c->slurm_user);
	free(c->nodes);
	free(c);
}

int conf_node_index(const struct ssi_conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nnodes; i++)
		if (!strcmp(c->nodes[i].name, name))
			return (int)i;
	return -1;
}

const struct ssi_node *conf_find_node(const struct ssi_conf *c,
				      const char *name)
{
	int i = conf_node_index(c, name);

	return i < 0 ? NULL : &c->nodes[i];
}
