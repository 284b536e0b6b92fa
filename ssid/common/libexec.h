/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libexec.h - where ssid finds the programs it runs (ssi-restore-helper,
 * ssi-slurm-watch): the path in an environment variable when set (the
 * tests), else beside ssid's own executable (a build tree, libtool's
 * .libs/ included), else the configured libexecdir.
 */
#ifndef SSID_LIBEXEC_H
#define SSID_LIBEXEC_H

#include <stddef.h>

/*
 * libexec_find - the path of program @name (overridden by environment
 * variable @env) into @path.  Returns 0 when it is executable, else -1
 * with errno set and @path the last place looked at.
 */
int libexec_find(const char *name, const char *env, char *path, size_t len);

#endif /* SSID_LIBEXEC_H */
