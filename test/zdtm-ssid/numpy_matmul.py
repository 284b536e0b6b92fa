#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""numpy_matmul: python3 with numpy (Debian's, on OpenBLAS's pthread build)
migrated while it multiplies matrices: OpenBLAS starts its threads when
numpy is imported (one per CPU), so with more than one CPU the process
moves with several threads, which go on computing on the remote node.
Every product must equal the one computed before the move.  The
protocol is zs.h's: the ready file, rounds until the stop file, then
five more.  NUMPY_MIN_THREADS=N makes fewer than N threads a failure."""
import os
import sys

import numpy as np


def ready(pid):
    path = os.environ.get("ZDTM_READY")
    if not path:
        return
    with open(path + ".tmp", "w") as f:
        f.write("%d\n" % pid)
    os.rename(path + ".tmp", path)


def stopped():
    path = os.environ.get("ZDTM_STOP")
    return not path or os.path.exists(path)


def main():
    rng = np.random.default_rng(12345)
    a = rng.standard_normal((256, 256))
    b = rng.standard_normal((256, 256))
    ref = a @ b
    threads = len(os.listdir("/proc/self/task"))
    want = int(os.environ.get("NUMPY_MIN_THREADS", "1"))
    if threads < want:
        print("numpy_matmul: FAIL %d thread(s), not %d: is OpenBLAS's pthread build "
              "numpy's BLAS, and does the node have %d CPUs?" % (threads, want, want))
        return 1
    ready(os.getpid())
    tail = -1
    while tail != 0:
        if tail < 0 and stopped():
            tail = 5
        if tail > 0:
            tail -= 1
        c = a @ b
        if not np.allclose(c, ref, rtol=1e-12, atol=1e-12):
            print("numpy_matmul: FAIL a product differs by %g" % np.abs(c - ref).max())
            return 1
    print("numpy_matmul: every product matched, with %s" %
          ("several threads" if threads > 1 else "one thread"))
    return 64


if __name__ == "__main__":
    sys.exit(main())
