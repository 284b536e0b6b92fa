/* SPDX-License-Identifier: GPL-2.0 */
/*
 * conf_reload.h - what a re-read ssi.conf(5) changes in a running ssid
 * (SIGHUP).
 */
#ifndef SSID_CONF_RELOAD_H
#define SSID_CONF_RELOAD_H

#include <stddef.h>

struct ssi_conf;

/*
 * conf_reload - copy into @live, the configuration in force, the keys of
 * @fresh that take effect at once (conf_reload.c's table).  @applied gets
 * the names of those whose value changed, @later the names of the other
 * keys whose value differs: they take effect when ssid restarts.  Both are
 * space-separated, "" for none, truncated to their sizes.
 */
void conf_reload(struct ssi_conf *live, const struct ssi_conf *fresh, char *applied,
		 size_t applied_len, char *later, size_t later_len);

#endif /* SSID_CONF_RELOAD_H */
