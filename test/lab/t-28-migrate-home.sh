#!/bin/bash
# test: ssictl migrate PID home brings a migrated process back (it runs natively at home again), and n1 -> n2 -> n3 keeps n1 its home: same pid, output and exit status as an unmigrated run
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"

mig_against_ref back 16 9

# Not migrated yet: there is nothing to bring back.
if out=$(on "$home" "$ssictl" migrate "$pid" home 2>&1); then
	fail "migrate home of a process that never left succeeded: $out"
fi
echo "refused while at home: $out"
[[ $out == *"has not migrated"* ]] || fail "unexpected refusal: $out"

line=$(on "$home" "$ssictl" migrate "$pid" "$away") || fail "ssictl migrate $pid $away: $line"
echo "$line"
# Forwarded calls happen while it is away (it polls for the go file).
sleep 1
line=$(on "$home" "$ssictl" migrate "$pid" home) || fail "ssictl migrate $pid home: $line"
echo "$line"
[[ $line == "pid $pid is back home on $home:"* ]] || fail "unexpected answer: $line"

# Home again: no deputy, no guest; the process is itself, not the stub.
for n in "$home" "$away"; do
	left=$(on "$n" "$ssictl" --json show procs | jq '.procs | length')
	[ "$left" = 0 ] || fail "$n still lists $left migrated processes"
done
comm=$(on "$home" cat "/proc/$pid/comm") || fail "pid $pid is gone from $home"
[ "$comm" = ssi-migrate-pro ] || fail "pid $pid on $home is '$comm'"
on "$home" grep -q ssi-migrate-prog "/proc/$pid/maps" || fail "pid $pid does not map its program"
echo "pid $pid runs natively on $home again ($comm)"

# It can leave again, and come back again.
line=$(on "$home" "$ssictl" migrate "$pid" "$away") || fail "second migration: $line"
line=$(on "$home" "$ssictl" migrate "$pid" "$home") || fail "second return (by node name): $line"
echo "$line"

# n1 -> n2 -> n3, the home staying n1 (the second hop goes through it).
[ "${#lab_nodes[@]}" -ge 3 ] || fail "needs three nodes"
third=${lab_nodes[2]}
line=$(on "$home" "$ssictl" migrate "$pid" "$away") || fail "to $away: $line"
sleep 0.5
line=$(on "$home" "$ssictl" migrate "$pid" "$third") || fail "from $away to $third: $line"
echo "$line"
[[ $line == "pid $pid migrated to $third (pid "*") through home:"* ]] || fail "unexpected answer: $line"
where=$(on "$home" "$ssictl" --json show procs | jq -r --argjson p "$pid" '.procs[] | select(.pid == $p) | [.where, .state] | join(" ")')
[ "$where" = "$third deputy" ] || fail "$home says pid $pid is '$where'"
left=$(on "$away" "$ssictl" --json show procs | jq '.procs | length')
[ "$left" = 0 ] || fail "$away still lists $left migrated processes"
echo "pid $pid runs on $third, its deputy on $home, nothing on $away"

mig_finish
mig_check_ref
