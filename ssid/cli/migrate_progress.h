/* SPDX-License-Identifier: GPL-2.0 */
/*
 * migrate_progress.h - `ssictl migrate` on a terminal: a line that shows
 * the image on its way (MiB sent of about how many, MiB/s, time left),
 * redrawn while ssid carries the migration out, then cleared for the
 * result line.  ssid answers the migrate request once, at the end; a
 * thread asks it for its migrated processes (show_procs: image_bytes,
 * image_expected) on a connection of its own meanwhile.
 */
#ifndef SSICTL_MIGRATE_PROGRESS_H
#define SSICTL_MIGRATE_PROGRESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct migrate_progress;

/*
 * migrate_progress_start - draw the progress of pid @pid's move to @to
 * ("home": its way back) on @fd, asking the ssid at @socket; NULL when
 * @fd is not a terminal (or without memory): nothing is drawn then.
 */
struct migrate_progress *migrate_progress_start(const char *socket, pid_t pid,
						const char *to, int fd);

/* migrate_progress_stop - stop drawing and clear the line; NULL is fine. */
void migrate_progress_stop(struct migrate_progress *p);

/*
 * migrate_progress_line - the line for @bytes of an image of about
 * @expected bytes (-1: not known) at @rate bytes per second (0: not known
 * yet), at most @width columns, into @buf: pure, for the tests.
 */
void migrate_progress_line(char *buf, size_t len, const char *what, int64_t bytes,
			   int64_t expected, double rate, int width);

#endif
