// SPDX-License-Identifier: GPL-2.0
/* sleep_restart: a task dumped inside nanosleep (-ERESTART_RESTARTBLOCK) sleeps again after the restore, then goes on. */
#include <errno.h>
#include <time.h>

#include "zdtm.h"

int main(int argc, char **argv)
{
	struct timespec req = { argc > 1 ? atoi(argv[1]) : 4, 0 }, rem = { 0, 0 };
	int r;

	zdtm_ready();
	r = nanosleep(&req, &rem);
	zdtm_say("sleep_restart: nanosleep returned %d errno %d\n", r,
		 r ? errno : 0);
	return r ? 1 : 45;
}
