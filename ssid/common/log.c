// SPDX-License-Identifier: GPL-2.0
/*
 * log.c - stderr or syslog, with a level filter.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

static const char *log_ident = "ssid";
static int log_to_syslog;
static int log_level = LOG_NOTICE;

static const char *const log_names[] = {
	[LOG_EMERG] = "emerg",	[LOG_ALERT] = "alert",
	[LOG_CRIT] = "crit",	[LOG_ERR] = "error",
	[LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",	[LOG_DEBUG] = "debug",
};

void log_open(const char *ident, int to_syslog, int level)
{
	if (ident) {
		const char *slash = strrchr(ident, '/');

		log_ident = slash ? slash + 1 : ident;
	}
	log_close();
	log_to_syslog = to_syslog;
	if (to_syslog)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_set_level(level);
}

void log_set_level(int level)
{
	if (level < LOG_ERR)
		level = LOG_ERR;
	if (level > LOG_DEBUG)
		level = LOG_DEBUG;
	log_level = level;
}

int log_get_level(void)
{
	return log_level;
}

int log_level_parse(const char *name)
{
	int lvl;

	for (lvl = LOG_ERR; lvl <= LOG_DEBUG; lvl++)
		if (!strcasecmp(name, log_names[lvl]))
			return lvl;
	return -1;
}

const char *log_level_name(int level)
{
	return log_names[level < LOG_ERR ? LOG_ERR : level > LOG_DEBUG ? LOG_DEBUG : level];
}

void log_close(void)
{
	if (log_to_syslog)
		closelog();
	log_to_syslog = 0;
}

static void log_vmsg(int pri, const char *fmt, va_list ap)
{
	char buf[1024];
	struct timespec ts;
	struct tm tm;
	int saved = errno;

	if (pri > log_level)
		return;
	errno = saved;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (log_to_syslog) {
		syslog(pri, "%s", buf);
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		fprintf(stderr, "%02d:%02d:%02d.%03ld %s[%d]: %s: %s\n",
			tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
			log_ident, (int)getpid(), log_names[pri & LOG_PRIMASK],
			buf);
	}
	errno = saved;
}

void log_msg(int pri, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(pri, fmt, ap);
	va_end(ap);
}

void log_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_ERR, fmt, ap);
	va_end(ap);
	log_close();
	exit(EXIT_FAILURE);
}
