#!/bin/bash
# test: ssid runs on every node with the lab's ssi.conf and sees every peer up
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

ssictl=$SSI_BUILDDIR/ssid/ssictl
if [ ! -x "$SSI_BUILDDIR/ssid/ssid" ] || [ ! -x "$ssictl" ]; then
	fail "ssid/ssictl not built in $SSI_BUILDDIR"
fi
read -ra nodes <<<"$SSI_LAB_NODES"
# the lab's nodes, and with select/ssi the controller's host "ctl" (an
# ssid that takes no process: ssi.conf(5), Migrate=no)
want=${#nodes[@]}
grep -q '^NodeName=ctl ' "/run/ssi-lab/$SSI_LAB_NAME/share/etc/ssi.conf" && want=$((want + 1))
for n in "${nodes[@]}"; do
	# Heartbeats are 1 s apart; give peers a few to find each other.
	for ((i = 0; i < 20; i++)); do
		out=$(on "$n" "$ssictl" show nodes 2>&1) || out=
		up=$(awk 'NR > 1 && $2 == "up"' <<<"$out" | wc -l)
		[ "$up" = "$want" ] && break
		sleep 1
	done
	echo "$n: $up of $want nodes up"
	[ "$up" = "$want" ] || fail "$n: ssictl show nodes: $out"
done
