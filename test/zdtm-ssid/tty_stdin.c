// SPDX-License-Identifier: GPL-2.0
/*
 * tty_stdin: stdin is a pseudo-terminal at home (pty_run.py holds the
 * master).  Each round asks for a line by writing '?' to the tty and
 * reads it in canonical mode, checks the window size and FIONREAD, and
 * changes an attribute and reads it back.  Migrated, every one of these
 * is a forwarded read, write or ioctl on the home node's tty.
 */
#include "zs.h"

#include <sys/ioctl.h>
#include <termios.h>

int main(void)
{
	struct winsize ws, want = { .ws_row = 37, .ws_col = 101 };
	struct termios t, back;
	char line[128], expect[128];
	const char *name;
	unsigned round;
	int n, avail;

	zs_check(isatty(0), "stdin is no tty: %s", strerror(errno));
	zs_check(!tcgetattr(0, &t) && !(t.c_lflag & ECHO) && (t.c_lflag & ICANON),
		 "tty attributes: lflag %#x", (unsigned)t.c_lflag);
	zs_ready(getpid());

	for (round = 1; zs_more(); round++) {
		zs_write_all(0, "?", 1);
		n = read(0, line, sizeof(line));
		snprintf(expect, sizeof(expect), "line %u of the tty\n", round);
		zs_check(n == (int)strlen(expect) && !memcmp(line, expect, n),
			 "round %u: read %d bytes: %.*s", round, n, n > 0 ? n : 0, line);
		zs_check(!ioctl(0, FIONREAD, &avail) && avail == 0, "round %u: FIONREAD %d", round, avail);
		zs_check(!ioctl(0, TIOCGWINSZ, &ws) && ws.ws_row == want.ws_row &&
			 ws.ws_col == want.ws_col, "round %u: window %ux%u, want %ux%u", round,
			 ws.ws_row, ws.ws_col, want.ws_row, want.ws_col);
		want.ws_col = 80 + round % 40;
		zs_check(!ioctl(0, TIOCSWINSZ, &want), "TIOCSWINSZ: %s", strerror(errno));
		zs_check(!tcgetattr(0, &t), "tcgetattr: %s", strerror(errno));
		t.c_lflag ^= ECHOCTL;
		t.c_cc[VKILL] = 'A' + round % 26;
		zs_check(!tcsetattr(0, TCSANOW, &t) && !tcgetattr(0, &back) &&
			 back.c_lflag == t.c_lflag && back.c_cc[VKILL] == t.c_cc[VKILL],
			 "round %u: tcsetattr did not take", round);
	}
	name = ttyname(0);
	zs_check(name && !strncmp(name, "/dev/pts/", 9), "ttyname: %s", name ? name : strerror(errno));
	zs_write_all(0, "!", 1);
	zdtm_say("tty_stdin: ok, lines, window size and attributes of the tty\n");
	return 66;
}
