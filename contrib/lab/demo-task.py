#!/usr/bin/env python3
"""One CPU-bound task of the demo job: count the primes below a bound.

Task T (SLURM_PROCID) counts the primes below 100000 * (T + 1) by trial
division, which keeps one CPU busy for a while, then prints the count.
It says "started" once its imports are done, so the demo migrates it in
its compute loop.  The counts are known (9592, 17984, 25997, ...), so the
output shows at a glance that migration changed nothing.

With DEMO_UNTIL=PATH in the environment it counts again and again until
PATH exists (the lab tests decide when the work ends), then prints.
With DEMO_BOUND=N every task counts the primes below N: equal work for
each, as the makespan benchmark wants.
"""
import os
import socket
import sys

task = int(os.environ.get("SLURM_PROCID", "0"))
bound = int(os.environ.get("DEMO_BOUND", 100000 * (task + 1)))
print(f"task {task}: started, pid {os.getpid()}", flush=True)


def is_prime(n):
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


until = os.environ.get("DEMO_UNTIL")
while True:
    count = sum(1 for n in range(bound) if is_prime(n))
    if not until or os.path.exists(until):
        break
print(f"task {task}: {count} primes below {bound} "
      f"(home node {socket.gethostname()}, pid {os.getpid()})", flush=True)
sys.exit(0)
