/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ssi_tool.h - small helpers shared by the user-space tools in kmod/tools.
 */
#ifndef SSI_TOOL_H
#define SSI_TOOL_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ssi_imgcheck.h"
#include "ssi_dev_open.h"

static const char *prog_name = "ssi";

static inline void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* Open /dev/ssi and do the mandatory API handshake, or die saying why. */
static inline int ssi_open_dev(void)
{
	struct ssi_api api;
	int fd = ssi_dev_open(O_CLOEXEC, &api);

	if (fd < 0)
		die("/dev/%s (api %d): %s", SSI_DEVICE_NAME, SSI_API_VERSION,
		    strerror(errno));
	return fd;
}

static inline const char *ssi_section_name(unsigned int type)
{
	static const char *const names[] = {
		"header", "task", "xstate", "mm", "files", "vmas", "pages", "end",
		"thread", "sigqueue", "timers", "ldt",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

#endif /* SSI_TOOL_H */
