#!/bin/bash
# test: every node has ssi.ko loaded from the build tree (/sys/module/ssi, /dev/ssi)
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

[ -f "$SSI_SRCDIR/kmod/ssi.ko" ] || fail "kmod/ssi.ko is not built (make -C kmod)"
for n in $SSI_LAB_NODES; do
	on "$n" test -d /sys/module/ssi || fail "$n: /sys/module/ssi missing"
	on "$n" test -c /dev/ssi || fail "$n: /dev/ssi missing or not a character device"
	echo "$n: ssi.ko loaded, /dev/ssi present"
done
