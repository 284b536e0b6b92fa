/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mon.h - `ssictl mon`: a live view of the cluster, in the spirit of
 * openMosix's mosmon.  Per node: its state, a load bar, CPUs, free
 * memory, guests and deputies; this node's migrated processes, those on
 * the move with their progress; the calls it forwarded per second.  On a
 * terminal it takes the whole screen (the alternate one, so the shell's
 * comes back) and redraws in place, plain ANSI, so it works over ssh and
 * in tmux; q or a signal ends it.  Elsewhere it prints one frame after
 * another.  Each frame is three requests to the local ssid (show_nodes,
 * show_procs, show_metrics); ssid going away shows as a line of the
 * frame, and the monitor goes on asking.
 */
#ifndef SSICTL_MON_H
#define SSICTL_MON_H

#include <stdio.h>

#include <json-c/json.h>

struct mon_opts {
	const char *socket;
	int timeout_ms;		/* each request */
	double every_s;		/* between frames */
	long count;		/* frames; 0: until q or a signal */
};

/* Frames between MON_EVERY_MIN and MON_EVERY_MAX seconds apart. */
#define MON_EVERY_DEFAULT	2.0
#define MON_EVERY_MIN		0.1
#define MON_EVERY_MAX		3600.0

/* mon_run - the monitor on stdout; returns the exit status. */
int mon_run(const struct mon_opts *o);

/*
 * mon_render - one frame into @out, at most @width columns a line: the
 * results of show_nodes (@nodes) and show_procs (@procs), either NULL
 * with @err saying why; @calls_per_s forwarded calls a second here (< 0:
 * not known yet); @when, the time it shows.  Pure, for the tests.
 */
void mon_render(FILE *out, json_object *nodes, json_object *procs, const char *err,
		double calls_per_s, const char *when, int width);

#endif
