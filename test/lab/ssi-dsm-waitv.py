#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""ssi-dsm-waitv DIR - futex_waitv(2) of a process away, for the lab test
t-53.

The parent maps a page of shared anonymous memory, forks a child and
prints "child=PID".  Once the file DIR/go exists the child waits with
futex_waitv on a word of private memory of its own, with a deadline
0.2 s ahead on CLOCK_MONOTONIC, and prints "private waitv ETIMEDOUT"
(a wait that runs where it is).  Once DIR/shared exists it waits with
futex_waitv on two words, one of them in the shared page (a wait its
parent at home must be able to end), and prints "shared waitv woken
index=I" when it returns.  The parent waits for DIR/wake, stores 1 in
the shared word and wakes it with FUTEX_WAKE, over and over until the
child is gone, then prints "status=S" and exits 0 only if the child did.
Run unmigrated, it behaves the same.
"""
import ctypes
import errno
import mmap
import os
import sys
import time

NR_FUTEX = 202
NR_FUTEX_WAITV = 449
FUTEX_WAKE = 1
FUTEX_32 = 2
FUTEX_PRIVATE_FLAG = 128
CLOCK_MONOTONIC = 1

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


class Waitv(ctypes.Structure):
    _fields_ = [("val", ctypes.c_uint64), ("uaddr", ctypes.c_uint64),
                ("flags", ctypes.c_uint32), ("reserved", ctypes.c_uint32)]


class Timespec(ctypes.Structure):
    _fields_ = [("sec", ctypes.c_long), ("nsec", ctypes.c_long)]


def wait_for(path):
    while not os.path.exists(path):
        time.sleep(0.05)


def waitv(words, deadline_s=None):
    """futex_waitv on (address, flags) pairs, each expected to hold 0."""
    arr = (Waitv * len(words))(*[Waitv(0, a, f, 0) for a, f in words])
    ts = None
    if deadline_s is not None:
        ts = Timespec(int(deadline_s), int((deadline_s % 1) * 1e9))
    r = libc.syscall(ctypes.c_long(NR_FUTEX_WAITV), arr, ctypes.c_uint(len(words)),
                     ctypes.c_uint(0), ctypes.byref(ts) if ts else None,
                     ctypes.c_int(CLOCK_MONOTONIC))
    return r, ctypes.get_errno() if r < 0 else 0


def main():
    d = sys.argv[1]
    page = mmap.mmap(-1, mmap.PAGESIZE, mmap.MAP_SHARED)
    word = ctypes.c_uint32.from_buffer(page, 64)
    shared = ctypes.addressof(word)
    pid = os.fork()
    if pid == 0:
        own = ctypes.c_uint32(0)
        wait_for(os.path.join(d, "go"))
        r, e = waitv([(ctypes.addressof(own), FUTEX_32 | FUTEX_PRIVATE_FLAG)],
                     time.clock_gettime(CLOCK_MONOTONIC) + 0.2)
        print("private waitv", errno.errorcode.get(e, r), flush=True)
        wait_for(os.path.join(d, "shared"))
        r, e = waitv([(ctypes.addressof(own), FUTEX_32), (shared, FUTEX_32)])
        print("shared waitv", "woken index=%d" % r if r >= 0 else errno.errorcode[e],
              flush=True)
        os._exit(0 if r == 1 else 1)
    print("child=%d" % pid, flush=True)
    wait_for(os.path.join(d, "wake"))
    word.value = 1
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        libc.syscall(ctypes.c_long(NR_FUTEX), ctypes.c_void_p(shared),
                     ctypes.c_int(FUTEX_WAKE), ctypes.c_int(1), None, None, None)
        time.sleep(0.1)
    code = os.waitstatus_to_exitcode(status)
    print("status=%d" % code, flush=True)
    sys.exit(0 if code == 0 else 1)


if __name__ == "__main__":
    main()
