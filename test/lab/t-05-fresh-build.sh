#!/bin/bash
# test: a file rewritten in the build tree on the host is seen fresh on every node
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

# The build tree is mounted with cache=none in the guests so that a rebuilt
# ssi.ko or ssid is what the next insmod/exec sees.  Rewrite a file in place
# (same inode, same size: the case a page cache would get wrong).
f=$SSI_BUILDDIR/.ssi-lab-fresh-probe.$$
trap 'rm -f "$f"' EXIT
echo one >"$f"
for n in $SSI_LAB_NODES; do
	[ "$(on "$n" cat "$f")" = one ] || fail "$n does not see the file"
done
echo two >"$f"
for n in $SSI_LAB_NODES; do
	got=$(on "$n" cat "$f")
	[ "$got" = two ] || fail "$n still sees '$got' after the host rewrote the file"
done
echo "every node saw the rewrite at once"
