#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# pty_run.py PROG [ARGS...] - run PROG with a pseudo-terminal as its stdin
# (no echo, 37 rows by 101 columns; stdout and stderr stay ours, so the
# output compares byte for byte) and feed it lines on request: PROG writes
# '?' to the tty for the next line and '!' when it is done.  Exits with
# PROG's status (128 + N if a signal N killed it), like a shell.
import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

master, slave = pty.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 37, 101, 0, 0))
attr = termios.tcgetattr(slave)
attr[3] &= ~termios.ECHO  # the lines must not come back as output
termios.tcsetattr(slave, termios.TCSANOW, attr)
# A session of its own: the pty is not its controlling tty, so setting
# its attributes never stops it with SIGTTOU.
child = subprocess.Popen(sys.argv[1:], stdin=slave, start_new_session=True)
os.close(slave)
n = 0
while True:
    try:
        c = os.read(master, 1)
    except OSError:  # EIO: PROG closed the tty (it ended)
        break
    if c == b"?":
        n += 1
        os.write(master, b"line %d of the tty\n" % n)
    elif c in (b"!", b""):
        break
rc = child.wait()
sys.exit(rc if rc >= 0 else 128 - rc)
