#!/bin/bash
# test: every node runs the lab's kernel (uname -r is the detected version)
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

: "${SSI_LAB_KVER:?}"
for n in $SSI_LAB_NODES; do
	r=$(on "$n" uname -r) || fail "exec on $n failed"
	echo "$n: $r"
	[ "$r" = "$SSI_LAB_KVER" ] || fail "$n runs $r, expected $SSI_LAB_KVER"
done
