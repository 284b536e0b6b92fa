#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""ssi-dsm-mp DIR ROUNDS [sem] - Python's multiprocessing sharing memory
across nodes, for the lab test t-53.

The parent makes a multiprocessing.RawArray (the module's heap: a file of
/dev/shm, unlinked at once, its fd kept, mapped shared), starts a child
with the fork start method and prints "child=PID".  Once the file DIR/go
exists the two play ping-pong on one page: the parent stores round i in
a[0], the child waits for it and stores i in a[1], the parent waits for
that, ROUNDS times, with plain stores and loads, as Python code does.
With "sem" they wait for each other with two multiprocessing.Semaphores
instead (POSIX semaphores in shared memory of their own, sem_wait and
sem_post: process-shared futexes), the child storing the round it was
let through.  The parent prints "rounds=N last=V took T ms" and exits 0
only if the child saw every round and exited 0.  Run unmigrated, it
behaves the same.
"""
import multiprocessing
import os
import sys
import time


def wait_for(path):
    while not os.path.exists(path):
        time.sleep(0.05)


def until(a, i, want):
    """Until a[i] == want; yields so the node's ssid gets the CPU."""
    while a[i] != want:
        os.sched_yield()


def child(a, go, rounds):
    wait_for(go)
    for i in range(1, rounds + 1):
        until(a, 0, i)
        a[1] = i


def sem_child(a, go, rounds, ping, pong):
    wait_for(go)
    for i in range(1, rounds + 1):
        ping.acquire()
        a[1] = a[0]
        pong.release()


def main():
    if len(sys.argv) not in (3, 4) or int(sys.argv[2]) <= 0 or \
            sys.argv[3:] not in ([], ["sem"]):
        print("usage: ssi-dsm-mp DIR ROUNDS [sem]", file=sys.stderr)
        return 2
    go, rounds = os.path.join(sys.argv[1], "go"), int(sys.argv[2])
    sem = sys.argv[3:] == ["sem"]
    multiprocessing.set_start_method("fork")
    a = multiprocessing.RawArray("q", 512)      # one page of 8-byte words
    if sem:
        ping, pong = multiprocessing.Semaphore(0), multiprocessing.Semaphore(0)
        p = multiprocessing.Process(target=sem_child, args=(a, go, rounds, ping, pong))
    else:
        p = multiprocessing.Process(target=child, args=(a, go, rounds))
    p.start()
    print(f"child={p.pid}", flush=True)
    wait_for(go)
    t0 = time.monotonic()
    for i in range(1, rounds + 1):
        a[0] = i
        if sem:
            ping.release()
            pong.acquire()
            if a[1] != i:
                break
        else:
            until(a, 1, i)
    took = (time.monotonic() - t0) * 1e3
    p.join()
    print(f"rounds={rounds} last={a[1]} took {took:.1f} ms", flush=True)
    return 0 if p.exitcode == 0 and a[1] == rounds else 1


if __name__ == "__main__":
    sys.exit(main())
