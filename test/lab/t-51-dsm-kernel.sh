#!/bin/bash
# test: DSM segments in ssi.ko, driven for real by kmod/tools/ssi-dsm-test (the directory a user-space process): reads and writes of pages not held ask and wait without mmap_lock, revoked pages are asked for again and never read stale, the kernel's own accesses wait the same way, a killed waiter goes at once, a page lost (its waiter, later accesses until a grant) and a closed channel give SIGBUS; two copies standing for two nodes add to one word with atomic instructions and lose no update, and both hold a page they only read at once; so do a home copy made over shared anonymous memory, whose mapping in a process is wrapped (and a child it forks afterwards), and a remote copy, home's memory holding the total at the end; a home segment over a memfd puts under coherence the mappings made afterwards, through a file opened afterwards or one opened before and wrapped; bad home segments and wraps are refused; a user gets EPERM
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

tool=$SSI_SRCDIR/kmod/tools/ssi-dsm-test
make -s -C "$SSI_SRCDIR/kmod/tools" ssi-dsm-test >/dev/null || fail "cannot build $tool"
node=${SSI_LAB_NODES##* }
for t in basic "counter 20000" "home 20000" late perm; do
	# shellcheck disable=SC2086 # the test's name and its argument
	out=$(on "$node" timeout 120 "$tool" $t 2>&1) || fail "ssi-dsm-test $t on $node:"$'\n'"$out"
	echo "$out"
done
