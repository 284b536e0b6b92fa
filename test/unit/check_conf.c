// SPDX-License-Identifier: GPL-2.0
/*
 * check_conf.c - the ssi.conf(5) parser on good and bad files.  Every bad
 * file must be refused with "FILE:LINE: reason", the line being the one
 * at fault.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run_suite.h"
#include "ssid/daemon/conf.h"
#include "ssid/daemon/conf_reload.h"
#include "ssid/common/log.h"
#include "ssid/migrate/admission.h"

static char err[1024];

/* Parse @text as the file "t.conf". */
static struct ssi_conf *parse(const char *text)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	struct ssi_conf *c;

	ck_assert_ptr_nonnull(fp);
	err[0] = '\0';
	c = conf_parse(fp, "t.conf", err, sizeof(err));
	fclose(fp);
	return c;
}

/* @text must be refused at @line with a reason containing @reason. */
static void refuse(const char *text, int line, const char *reason)
{
	struct ssi_conf *c = parse(text);
	char prefix[64];

	ck_assert_msg(c == NULL, "accepted: %s", text);
	snprintf(prefix, sizeof(prefix), "t.conf:%d: ", line);
	ck_assert_msg(!strncmp(err, prefix, strlen(prefix)),
		      "'%s' does not start with '%s' for: %s", err, prefix,
		      text);
	ck_assert_msg(strstr(err, reason), "'%s' lacks '%s'", err, reason);
	/* a reason, not just a location */
	ck_assert_uint_gt(strlen(err), strlen(prefix) + 5);
}

#define NODES "NodeName=n1 Addr=10.0.0.1\nNodeName=n2 Addr=10.0.0.2\n"

START_TEST(test_minimal_defaults)
{
	struct ssi_conf *c = parse("NodeName=n1 Addr=10.0.0.1\n");

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(c->transport, "tcp");
	ck_assert_uint_eq(c->port, SSI_DEFAULT_PORT);
	ck_assert_uint_eq(c->hb_interval_ms, SSI_HEARTBEAT_INTERVAL_MS);
	ck_assert_uint_eq(c->hb_timeout_ms, SSI_HEARTBEAT_TIMEOUT_MS);
	ck_assert_str_eq(c->control_socket, SSI_CONTROL_SOCKET);
	ck_assert_str_eq(c->pid_file, SSI_PID_FILE);
	ck_assert_ptr_null(c->munge_socket);
	ck_assert_ptr_null(c->slurm_user);
	ck_assert_int_eq(c->nice, SSI_NICE);
	ck_assert(!c->encrypt);		/* frames authenticated, in clear */
	ck_assert_int_eq(c->log_level, LOG_NOTICE);
	ck_assert_uint_eq(c->slurm_poll_ms, SSI_SLURM_POLL_MS);
	ck_assert_uint_eq(c->nnodes, 1);
	ck_assert_uint_eq(c->nodes[0].port, SSI_DEFAULT_PORT);
	ck_assert_int_eq(c->nodes[0].line, 1);
	conf_free(c);
}
END_TEST

/* The lab's template (contrib/ssi-lab renders etc/ssi.conf.in) uses these. */
START_TEST(test_full_file)
{
	struct ssi_conf *c = parse(
		"# slurm-ssi\n"
		"\n"
		"Transport=tcp   # the default\n"
		"port=7075\n"
		"HeartbeatInterval=1\n"
		"HEARTBEATTIMEOUT=5\n"
		"ControlSocket=/tmp/x/ssid.sock\n"
		"PidFile=/tmp/x/ssid.pid\n"
		"MungeSocket=/tmp/x/munge.sock\n"
		"SlurmUser=slurm\n"
		"BalanceInterval=500ms\n"
		"BalanceThreshold=300\n"
		"BalanceHysteresis=50\n"
		"BalanceCandidates=2\n"
		"Nice=-20\n"
		"MaxIncoming=2\n"
		"IncomingMemory=25\n"
		"MemoryLowWater=10\n"
		"Protect=Encrypt\n"
		"SlurmPollInterval=30\n"
		"\t NodeName=n1   Addr=10.251.0.1\r\n"
		"NodeName=n2 NodeAddr=fd00::2 Port=7080\n"
		"NodeName=node-3.cluster Addr=node3.example.org Migrate=no\n");

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->port, 7075);
	ck_assert_uint_eq(c->hb_interval_ms, 1000);
	ck_assert_uint_eq(c->hb_timeout_ms, 5000);
	ck_assert_str_eq(c->control_socket, "/tmp/x/ssid.sock");
	ck_assert_str_eq(c->pid_file, "/tmp/x/ssid.pid");
	ck_assert_str_eq(c->munge_socket, "/tmp/x/munge.sock");
	ck_assert_str_eq(c->slurm_user, "slurm");
	ck_assert_uint_eq(c->balance_interval_ms, 500);
	ck_assert_uint_eq(c->balance_threshold, 300);
	ck_assert_uint_eq(c->balance_hysteresis, 50);
	ck_assert_uint_eq(c->balance_candidates, 2);
	ck_assert_int_eq(c->nice, -20);
	ck_assert_uint_eq(c->max_incoming, 2);
	ck_assert_uint_eq(c->incoming_memory_pct, 25);
	ck_assert_uint_eq(c->mem_low_water_pct, 10);
	ck_assert(c->encrypt);
	ck_assert_uint_eq(c->slurm_poll_ms, 30000);
	ck_assert_uint_eq(c->nnodes, 3);
	ck_assert_str_eq(c->nodes[0].name, "n1");
	ck_assert_str_eq(c->nodes[0].addr, "10.251.0.1");
	ck_assert_uint_eq(c->nodes[0].port, 7075);	/* global, set later */
	ck_assert_int_eq(c->nodes[0].line, 21);
	ck_assert_str_eq(c->nodes[1].addr, "fd00::2");
	ck_assert_uint_eq(c->nodes[1].port, 7080);
	ck_assert(!c->nodes[1].no_migrate);
	ck_assert(c->nodes[2].no_migrate);
	ck_assert_str_eq(c->nodes[2].name, "node-3.cluster");
	ck_assert_int_eq(conf_node_index(c, "n2"), 1);
	ck_assert_int_eq(conf_node_index(c, "n9"), -1);
	ck_assert_ptr_eq(conf_find_node(c, "n1"), &c->nodes[0]);
	ck_assert_ptr_null(conf_find_node(c, "N1"));
	conf_free(c);
}
END_TEST

START_TEST(test_durations)
{
	unsigned int ms;

	ck_assert_int_eq(conf_parse_duration("3", &ms), 0);
	ck_assert_uint_eq(ms, 3000);
	ck_assert_int_eq(conf_parse_duration("250ms", &ms), 0);
	ck_assert_uint_eq(ms, 250);
	ck_assert_int_eq(conf_parse_duration("2s", &ms), 0);
	ck_assert_uint_eq(ms, 2000);
	ck_assert_int_eq(conf_parse_duration("", &ms), -1);
	ck_assert_int_eq(conf_parse_duration("-1", &ms), -1);
	ck_assert_int_eq(conf_parse_duration("1.5", &ms), -1);
	ck_assert_int_eq(conf_parse_duration("1m", &ms), -1);
	ck_assert_int_eq(conf_parse_duration("99999999999", &ms), -1);
	ck_assert_int_eq(conf_parse_duration("4294968", &ms), -1);
}
END_TEST

START_TEST(test_node_names)
{
	ck_assert(conf_valid_node_name("n1"));
	ck_assert(conf_valid_node_name("node_7-a.b"));
	ck_assert(!conf_valid_node_name(""));
	ck_assert(!conf_valid_node_name("-n1"));
	ck_assert(!conf_valid_node_name("n 1"));
	ck_assert(!conf_valid_node_name("n1/x"));
	ck_assert(!conf_valid_node_name(
		"a1234567890123456789012345678901234567890123456789012345678901234"));
}
END_TEST

/* ------------------------------------------------------------ bad files */

START_TEST(test_syntax_errors)
{
	refuse(NODES "Port\n", 3, "expected Key=Value");
	refuse(NODES "Port = 7070\n", 3, "expected Key=Value");
	refuse(NODES "=7070\n", 3, "missing key");
	refuse(NODES "Port=\n", 3, "empty value");
	refuse("Frobnicate=1\n" NODES, 1, "unknown key 'Frobnicate'");
	refuse(NODES "Port=7070 HeartbeatInterval=1\n", 3, "one setting per line");
	refuse(NODES "Addr=10.0.0.3\n", 3, "belongs on a NodeName= line");
	refuse("Port=1\nPort=2\n" NODES, 2, "given twice, first on line 1");
	refuse("NodeName=n1 Addr=a Addr=b\n", 1, "given twice");
	refuse("NodeName=n1 Addr=a Port=1 Port=2\n", 1, "given twice");
	refuse("NodeName=n1 NodeName=n2 Addr=a\n", 1, "given twice");
	refuse("NodeName=n1 Addr=a Weight=3\n", 1, "unknown key 'Weight'");
	refuse("NodeName=n1 Addr=a Migrate=maybe\n", 1, "Migrate=maybe: must be yes or no");
	refuse("Protect=none\nNodeName=n1 Addr=a\n", 1,
	       "Protect=none: must be integrity or encrypt");
	refuse("NodeName=n1 a b c d e f g h i j k l m n o p q\n", 1,
	       "settings on one line");
	refuse(NODES "Port=1\x01\n", 3, "control character 0x01");
	refuse("SlurmPollInterval=500ms\n" NODES, 1,
	       "SlurmPollInterval=500ms: not 0 nor a duration in [1s, 3600s]");
	refuse("SlurmPollInterval=2h\n" NODES, 1, "SlurmPollInterval=2h: not 0");
}
END_TEST

START_TEST(test_long_line)
{
	char text[SSI_CONF_LINE_MAX + 64];
	char ok[SSI_CONF_LINE_MAX + 64];
	struct ssi_conf *c;

	/* exactly the maximum is fine (a comment), one more is not */
	memset(ok, '#', SSI_CONF_LINE_MAX);
	strcpy(ok + SSI_CONF_LINE_MAX, "\n" NODES);
	c = parse(ok);
	ck_assert_msg(c != NULL, "%s", err);
	conf_free(c);
	memset(text, '#', SSI_CONF_LINE_MAX + 1);
	strcpy(text + SSI_CONF_LINE_MAX + 1, "\n" NODES);
	refuse(text, 1, "longer than");
}
END_TEST

START_TEST(test_nul_byte)
{
	static const char text[] = "NodeName=n1 Addr=a\nPort=7\0000\n";
	FILE *fp = fmemopen((void *)text, sizeof(text) - 1, "r");
	struct ssi_conf *c = conf_parse(fp, "t.conf", err, sizeof(err));

	fclose(fp);
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(err, "t.conf:2: control character 0x00"), "%s",
		      err);
}
END_TEST

START_TEST(test_value_errors)
{
	refuse(NODES "Port=0\n", 3, "out of range");
	refuse(NODES "Port=65536\n", 3, "out of range");
	refuse(NODES "Port=70x\n", 3, "not a number");
	refuse(NODES "Port=-1\n", 3, "not a number");
	refuse(NODES "Port=99999999999999999999999\n", 3, "out of range");
	refuse(NODES "Transport=TCP\n", 3, "not a transport plugin name");
	refuse(NODES "Transport=../x\n", 3, "not a transport plugin name");
	refuse(NODES "HeartbeatInterval=fast\n", 3, "not a duration");
	refuse(NODES "HeartbeatInterval=50ms\n", 3, "out of range");
	refuse(NODES "HeartbeatTimeout=601\n", 3, "out of range");
	refuse(NODES "ControlSocket=run/ssid.sock\n", 3, "absolute path");
	refuse(NODES "ControlSocket=/a/very/long/path/that/does/not/fit/into/sun_path/of/a/unix/socket/which/is/one/hundred/and/eight/bytes/long/at/most\n",
	       3, "longer than 107");
	refuse(NODES "PidFile=ssid.pid\n", 3, "absolute path");
	refuse(NODES "MungeSocket=munge\n", 3, "absolute path");
	refuse(NODES "SlurmUser=-x\n", 3, "not a user name");
	refuse(NODES "SlurmUser=a:b\n", 3, "not a user name");
	refuse(NODES "BalanceInterval=10ms\n", 3, "not a duration");
	refuse(NODES "BalanceThreshold=0\n", 3, "out of range");
	refuse(NODES "BalanceCandidates=0\n", 3, "out of range");
	refuse(NODES "Nice=-21\n", 3, "not a nice value (-20 to 19)");
	refuse(NODES "Nice=20\n", 3, "not a nice value");
	refuse(NODES "Nice=+5\n", 3, "not a nice value");
	refuse(NODES "Nice=-\n", 3, "not a nice value");
	refuse(NODES "Nice=5x\n", 3, "not a nice value");
	refuse(NODES "MaxIncoming=0\n", 3, "out of range [1, 1024]");
	refuse(NODES "IncomingMemory=101\n", 3, "out of range [1, 100]");
	refuse(NODES "MemoryLowWater=91\n", 3, "out of range [0, 90]");
	refuse(NODES "MemoryLowWater=-1\n", 3, "not a number");
	refuse(NODES "LogLevel=loud\n", 3, "must be error, warning, notice, info or debug");
}
END_TEST

START_TEST(test_node_errors)
{
	refuse("NodeName=n1\n", 1, "node n1 has no Addr=");
	refuse("NodeName=-x Addr=a\n", 1, "not a valid node name");
	refuse("NodeName=DEFAULT Port=7\n", 1, "DEFAULT is not supported");
	refuse("NodeName=n1 Addr=10.0.0.256\n", 1, "not an IP address or host name");
	refuse("NodeName=n1 Addr=host_name\n", 1, "not an IP address or host name");
	refuse("NodeName=n1 Addr=-host\n", 1, "not an IP address or host name");
	refuse("NodeName=n1 Addr=a Port=0\n", 1, "out of range");
	refuse("# c\nNodeName=n1 Addr=a\n\nNodeName=n1 Addr=b\n", 4,
	       "node n1 defined twice, first on line 2");
	refuse("NodeName=n1 Addr=10.0.0.1\nNodeName=n2 Addr=10.0.0.1\n", 2,
	       "node n2 has the address 10.0.0.1 port 7070 of node n1 (line 1)");
	/* a per-node port makes a shared address fine */
	{
		struct ssi_conf *c = parse("NodeName=n1 Addr=127.0.0.1\n"
					   "NodeName=n2 Addr=127.0.0.1 Port=7071\n");

		ck_assert_msg(c != NULL, "%s", err);
		conf_free(c);
	}
	/* ... unless the global Port= given later makes them collide */
	refuse("NodeName=n1 Addr=127.0.0.1\n"
	       "NodeName=n2 Addr=127.0.0.1 Port=7071\nPort=7071\n", 2,
	       "of node n1");
}
END_TEST

START_TEST(test_file_errors)
{
	struct ssi_conf *c;

	/* no nodes: reported at the last line */
	refuse("# nothing\nPort=7070\n", 2, "no NodeName= lines");
	refuse("", 0, "no NodeName= lines");
	/* relations between keys: the line of the later key */
	refuse("HeartbeatTimeout=2\nHeartbeatInterval=2\n" NODES, 1,
	       "must be greater than HeartbeatInterval");
	refuse(NODES "HeartbeatInterval=6\n", 3,
	       "HeartbeatTimeout (5000ms) must be greater");
	/* an unreadable file names the file and why */
	c = conf_load("/nonexistent/ssi.conf", err, sizeof(err));
	ck_assert_ptr_null(c);
	ck_assert_str_eq(err, "/nonexistent/ssi.conf: cannot open: No such file or directory");
}
END_TEST

START_TEST(test_load_file)
{
	char path[] = "/tmp/check_conf.XXXXXX";
	int fd = mkstemp(path);
	struct ssi_conf *c;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, NODES "Port=x\n", strlen(NODES) + 7),
			 (ssize_t)strlen(NODES) + 7);
	close(fd);
	c = conf_load(path, err, sizeof(err));
	ck_assert_ptr_null(c);
	ck_assert_msg(!strncmp(err, path, strlen(path)) &&
		      !strncmp(err + strlen(path), ":3: Port=x: not a number", 24),
		      "%s", err);
	unlink(path);
}
END_TEST

/* What a node takes in (migrate/admission.c), decided by its own file. */
START_TEST(test_admission)
{
	struct ssi_conf *c = parse("MaxIncoming=2\nIncomingMemory=50\n" NODES
				   "NodeName=n3 Addr=10.0.0.3 Migrate=no\n");
	struct admission a = { .conf = c, .self = 1, .arriving = 1,
			       .image_bytes = 100 << 20, .mem_available_kb = 1 << 20 };
	char why[256] = "";

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_eq(admission_check(&a, why, sizeof(why)), 0);
	a.arriving = 2;
	ck_assert_int_eq(admission_check(&a, why, sizeof(why)), EBUSY);
	ck_assert_msg(strstr(why, "MaxIncoming=2"), "%s", why);
	a.arriving = 0;
	a.image_bytes = (512 << 20) + 4096;	/* just beyond half of 1 GiB */
	ck_assert_int_eq(admission_check(&a, why, sizeof(why)), ENOMEM);
	ck_assert_msg(strstr(why, "IncomingMemory=50"), "%s", why);
	a.image_bytes = 512 << 20;
	ck_assert_int_eq(admission_check(&a, why, sizeof(why)), 0);
	a.mem_available_kb = 0;			/* unknown: no memory cap */
	a.image_bytes = 1ULL << 40;
	ck_assert_int_eq(admission_check(&a, why, sizeof(why)), 0);
	a.self = 2;				/* its own Migrate=no */
	ck_assert_int_eq(admission_check(&a, why, sizeof(why)), EPERM);
	ck_assert_msg(strstr(why, "Migrate=no in its t.conf"), "%s", why);
	ck_assert_uint_gt(admission_mem_available_kb(), 0);
	conf_free(c);
}
END_TEST

/* SIGHUP: the live keys are applied and named, the others only named. */
START_TEST(test_reload)
{
	struct ssi_conf *live = parse(NODES "BalanceInterval=5\nPort=7000\n");
	struct ssi_conf *same = parse(NODES "BalanceInterval=5\nPort=7000\n");
	struct ssi_conf *fresh = parse(NODES "BalanceInterval=10\nBalanceThreshold=300\n"
				       "MaxIncoming=2\nLogLevel=debug\nPort=7001\n"
				       "Protect=encrypt\nNodeName=n3 Addr=10.0.0.3\n");
	char applied[256], later[256];

	ck_assert_msg(live && same && fresh, "%s", err);
	conf_reload(live, same, applied, sizeof(applied), later, sizeof(later));
	ck_assert_str_eq(applied, "");
	ck_assert_str_eq(later, "");
	conf_reload(live, fresh, applied, sizeof(applied), later, sizeof(later));
	ck_assert_str_eq(applied, "BalanceInterval BalanceThreshold MaxIncoming LogLevel");
	ck_assert_str_eq(later, "Port Protect NodeName");
	ck_assert_uint_eq(live->balance_interval_ms, 10000);
	ck_assert_uint_eq(live->balance_threshold, 300);
	ck_assert_uint_eq(live->max_incoming, 2);
	ck_assert_int_eq(live->log_level, LOG_DEBUG);
	/* what waits for a restart stays as it was */
	ck_assert_uint_eq(live->port, 7000);
	ck_assert(!live->encrypt);
	ck_assert_uint_eq(live->nnodes, 2);
	/* the nodes' ports follow Port=: that is one change, Port */
	conf_free(fresh);
	fresh = parse(NODES "BalanceInterval=10\nBalanceThreshold=300\nMaxIncoming=2\n"
		      "LogLevel=debug\nPort=7001\n");
	ck_assert_msg(fresh, "%s", err);
	conf_reload(live, fresh, applied, sizeof(applied), later, sizeof(later));
	ck_assert_str_eq(applied, "");
	ck_assert_str_eq(later, "Port");
	/* a short buffer is cut, never overrun */
	conf_reload(live, same, applied, 8, later, sizeof(later));
	ck_assert_uint_lt(strlen(applied), 8);
	conf_free(live);
	conf_free(same);
	conf_free(fresh);
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *good = tcase_create("good");
	TCase *bad = tcase_create("bad");

	tcase_add_test(good, test_minimal_defaults);
	tcase_add_test(good, test_full_file);
	tcase_add_test(good, test_durations);
	tcase_add_test(good, test_node_names);
	tcase_add_test(good, test_admission);
	tcase_add_test(good, test_reload);
	tcase_add_test(bad, test_syntax_errors);
	tcase_add_test(bad, test_long_line);
	tcase_add_test(bad, test_nul_byte);
	tcase_add_test(bad, test_value_errors);
	tcase_add_test(bad, test_node_errors);
	tcase_add_test(bad, test_file_errors);
	tcase_add_test(bad, test_load_file);
	suite_add_tcase(s, good);
	suite_add_tcase(s, bad);
	return s;
}

int main(void)
{
	int failed = check_run(conf_suite());

	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
