#!/bin/bash
# test: ssictl migrate moves a running process to another node: same memory, output, file, stdin, pid and exit status as an unmigrated run; ssictl show metrics counts it
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"

mib=16
# The reference (the same program, not migrated), then the migrated run.
mig_against_ref moved $mib 7
on "$home" "$ssictl" register "$pid" job=1 step=0 task=0 >/dev/null || fail "register $pid"
# on a terminal (script(1) gives it one), ssictl draws the image's
# progress until the result line
out=$(on "$home" script -qec "$ssictl migrate $pid $away" /dev/null) ||
	fail "ssictl migrate $pid $away: $out"
line=$(tr '\r' '\n' <<<"$out" | sed 's/\x1b\[K//g' | grep "migrated to") || fail "no result line: $out"
echo "$line"
progress=$(tr '\r' '\n' <<<"$out" | sed 's/\x1b\[K//g' | grep -c "^pid $pid to $away  .* of ~.* MiB") ||
	fail "no progress line on the terminal: $(od -c <<<"$out" | head -20)"
echo "progress drawn $progress times, then: $line"
# It runs on $away now: its ssid lists it, with a local pid, running (it
# says "restoring" while the helper, past its verification, restores it).
for ((i = 0; i < 50; i++)); do
	procs=$(on "$away" "$ssictl" --json show procs)
	lpid=$(jq -r --argjson p "$pid" '.procs[] | select(.pid == $p and .state == "running") | .local_pid' <<<"$procs")
	[ -n "$lpid" ] && break
	sleep 0.1
done
[ -n "$lpid" ] || fail "$away does not list pid $pid as running: $procs"
comm=$(on "$away" cat "/proc/$lpid/comm") || fail "no process $lpid on $away"
echo "on $away: pid $lpid ($comm), home $home pid $pid"
[ "$comm" = ssi-migrate-pro ] || fail "process $lpid on $away is '$comm'"
home_state=$(on "$home" "$ssictl" --json show procs | jq -r --argjson p "$pid" '.procs[] | select(.pid == $p) | .state')
[ "$home_state" = deputy ] || fail "$home shows pid $pid as '$home_state', not deputy"
task=$(on "$home" "$ssictl" --json show tasks | jq -c --argjson p "$pid" '.tasks[] | select(.pid == $p) | [.node, .state]')
[ "$task" = "[\"$away\",\"deputy\"]" ] || fail "show tasks on $home says $task"
echo "show tasks on $home: the task runs on $away (deputy here)"
mig_finish
mig_check_ref
# The administrator's counters say so (ssictl show metrics).
metric() {	# metric NODE SAMPLE: its value in NODE's metrics
	on "$1" "$ssictl" show metrics | awk -v s="$2" '$1 == s { print $2 }'
}
m=$(metric "$home" 'ssi_migrations_total{result="ok"}')
f=$(metric "$home" ssi_migration_freeze_seconds_count)
c=$(metric "$home" ssi_forwarded_calls_total)
g=$(metric "$away" 'ssi_guests_received_total{result="ok"}')
echo "metrics: $home migrated $m and froze $f, ran $c forwarded calls; $away took in $g"
for v in "${m:-0}" "${f:-0}" "${c:-0}" "${g:-0}"; do
	[ "$v" -ge 1 ] || fail "ssictl show metrics does not count the migration"
done
# Nothing left behind on either node.
sleep 0.5
for n in "$home" "$away"; do
	left=$(on "$n" "$ssictl" --json show procs | jq '.procs | length')
	[ "$left" = 0 ] || fail "$n still lists $left migrated processes"
done
