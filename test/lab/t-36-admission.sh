#!/bin/bash
# test: the receiving node decides what it takes in from its own ssi.conf (Migrate=no, IncomingMemory): an offer beyond it is refused with the reason, the process goes on at home losing nothing, and the node takes processes again once its file allows it
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"

conf=/tmp/ssi-admission.$$.conf
# seen STATE: $home sees $away's ssid as STATE (up, down) within 20 s.
seen() {
	local i
	for ((i = 0; i < 200; i++)); do
		on "$home" "$ssictl" --json show nodes 2>/dev/null |
			jq -e --arg n "$away" --arg s "$1" '.nodes[] | select(.name == $n) | .state == $s' \
				>/dev/null && return 0
		sleep 0.1
	done
	fail "$home does not see $away $1"
}
# ssid on $away with its own copy of the lab's file, changed by SED.
ssid_with() {
	on "$away" pkill -f '/ssid -D -f ' || true
	seen down
	on "$away" sh -c "sed '$1' /etc/ssi/ssi.conf >$conf"
	restart_ssid "$away" "$conf"
	seen up
}
back_to_lab_ssid() {
	if on "$away" pkill -f "/ssid -D -f $conf"; then
		seen down
		restart_ssid "$away"
		seen up
	fi
	on "$away" rm -f "$conf"
}
trap 'back_to_lab_ssid; mig_cleanup' EXIT

# refused WHY: migrating $pid to $away fails naming WHY; the process runs on.
refused() {
	local out
	out=$(on "$home" "$ssictl" migrate "$pid" "$away" 2>&1) &&
		fail "migrated although $away's file says no: $out"
	echo "refused: $out"
	grep -q -- "$1" <<<"$out" || fail "the refusal does not say '$1': $out"
	on "$home" test -d "/proc/$pid" || fail "pid $pid is gone after the refusal"
}

# refused_with SED MIB STATUS WHY: with $away's file changed by SED, a
# process of MIB MiB is refused naming WHY, then ends with STATUS at home,
# its memory intact.
refused_with() {
	ssid_with "$1"
	mig_start "case$3" "$2" "$3"
	refused "$4"
	mig_finish
	[ "$status" = "status=$3" ] || fail "exit $status after the refusal ($4)"
	grep -qx "memory intact (0 bad words of $(($2 * 131072)))" "$dir/stdout" ||
		fail "$(cat "$dir/stdout")"
}

# Its own Migrate=no, although every other node's file lets it take processes.
refused_with "s/^\(NodeName=$away .*\)\$/\1 Migrate=no/" 4 5 "Migrate=no in its $conf"
# An image beyond 1% of its available memory (some 13 MiB on a lab node).
refused_with '$a IncomingMemory=1' 64 6 "IncomingMemory=1"

# Back to the lab's file: it takes processes again.
back_to_lab_ssid
mig_start again 4 7
on "$home" "$ssictl" migrate "$pid" "$away" >/dev/null || fail "$away takes no process any more"
mig_finish
[ "$status" = status=7 ] || fail "exit $status once taken again"
echo "with the lab's file again: migrated, exit 7"
