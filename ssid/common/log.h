/* SPDX-License-Identifier: GPL-2.0 */
/*
 * log.h - ssid's log: to stderr (foreground, tests) or syslog (daemon),
 * filtered by a level that -v raises.  Safe to call before log_open():
 * messages then go to stderr at LOG_NOTICE.
 */
#ifndef SSID_LOG_H
#define SSID_LOG_H

#include <syslog.h>

/*
 * log_open - choose where messages go.
 * @ident:     program name shown with every message; kept by pointer, so it
 *             must outlive the log (argv[0] or a string literal).
 * @to_syslog: non-zero: syslog(3) with facility LOG_DAEMON; zero: stderr.
 * @level:     highest syslog priority logged (LOG_ERR .. LOG_DEBUG).
 */
void log_open(const char *ident, int to_syslog, int level);

/* log_set_level - change the filter at run time (clamped to LOG_ERR..LOG_DEBUG). */
void log_set_level(int level);

/* log_get_level - the current filter. */
int log_get_level(void);

/*
 * log_level_parse - the priority named @name (error, warning, notice,
 * info, debug; any case), or -1.  log_level_name - the name of @level
 * (clamped as log_set_level() does).  ssi.conf's LogLevel= and ssictl's
 * verbosity use these names.
 */
int log_level_parse(const char *name);
const char *log_level_name(int level);

/* log_close - flush and close syslog if it was opened; idempotent. */
void log_close(void);

/*
 * log_msg - log one message at @pri; %m works (glibc) and shows errno as it
 * was on entry.  A trailing newline is not needed.
 */
void log_msg(int pri, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * log_fatal - log at LOG_ERR and exit(EXIT_FAILURE).  Only for start-up:
 * once the event loop runs, problems are logged and survived.
 */
void log_fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...)	log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif /* SSID_LOG_H */
