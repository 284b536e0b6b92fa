// SPDX-License-Identifier: GPL-2.0
/*
 * libexec.c - where ssid finds the programs it runs (see libexec.h).
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/libexec.h"

#ifndef SSI_LIBEXECDIR
#define SSI_LIBEXECDIR "/usr/local/libexec"
#endif

int libexec_find(const char *name, const char *env, char *path, size_t len)
{
	const char *set = getenv(env);
	char exe[512], *dir;
	ssize_t n;

	if (set && set[0]) {
		snprintf(path, len, "%s", set);
		return access(path, X_OK);
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		dir = dirname(exe);
		snprintf(path, len, "%s/%s", dir, name);
		if (!access(path, X_OK))
			return 0;
		/* libtool's .libs/lt-ssid in a build tree */
		snprintf(path, len, "%s/../%s", dir, name);
		if (!access(path, X_OK))
			return 0;
	}
	snprintf(path, len, "%s/%s", SSI_LIBEXECDIR, name);
	return access(path, X_OK);
}
