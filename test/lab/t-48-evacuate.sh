#!/bin/bash
# test: ssictl evacuate (through contrib/scontrol, on a third node) drains a node in Slurm and empties it: a migrated task goes home, tasks at home go to usable nodes only; the job completes with the right output
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"
# shellcheck source=test/lab/balance-lib.sh
. "$(dirname "$0")/balance-lib.sh"

[ "${#lab_nodes[@]}" -ge 3 ] || fail "needs three nodes"
admin=${lab_nodes[2]}
# whatever happens, no node stays drained for the next test
trap 'for n in "${lab_nodes[@]}"; do slurm scontrol update nodename="$n" state=resume >/dev/null 2>&1 || :; done; bal_cleanup' EXIT

# where_is PID: the node a task of $job runs on now
where_is() { bal_tasks | awk -v p="$1" '$1 == p { print $2 }'; }
reason_of() { slurm scontrol show node "$1" | sed -n 's/.*Reason=\(.*\) \[.*/\1/p'; }

bal_submit --ssi-migratable=manual
read -r guest _ < <(bal_tasks | head -1)
on "$home" "$ssictl" migrate "$guest" "$away" >/dev/null || fail "migrate $guest to $away"
[ "$(where_is "$guest")" = "$away" ] || fail "$guest is not on $away: $(bal_tasks)"

# $away: its one guest goes home
res=$(on "$admin" env SSICTL="$ssictl" "$SSI_SRCDIR/contrib/scontrol" evacuate node="$away") ||
	fail "evacuate $away: $res"
echo "$res"
[ "$(reason_of "$away")" = "ssictl evacuate" ] || fail "$away not drained by evacuate: $(reason_of "$away")"
[ "$(where_is "$guest")" = "$home" ] || fail "$guest did not go home: $(bal_tasks)"
[ "$(on "$away" "$ssictl" --json show procs | jq '.procs | length')" = 0 ] ||
	fail "$away still runs migrated processes"

# $home: its three tasks leave, for $admin only ($away is drained, which
# $admin's ssid hears within SlurmPollInterval); a dry run first changes
# nothing
for ((i = 0; i < 300; i++)); do
	on "$admin" "$ssictl" --json show node "$away" | jq -e '.node.slurm_state | test("DRAIN")' \
		>/dev/null && break
	sleep 0.1
done
plan=$(on "$admin" "$ssictl" evacuate node="$home" dryrun) || fail "dryrun: $plan"
grep -q "^$job\.0 " <<<"$plan" || fail "the dry run plans nothing: $plan"
[ "$(bal_tasks | awk -v h="$home" '$2 == h' | wc -l)" = 3 ] || fail "the dry run moved something"
slurm scontrol show node "$home" | grep -q "State=[A-Z]*+DRAIN" && fail "the dry run drained $home"
res=$(on "$admin" "$ssictl" evacuate node="$home") || fail "evacuate $home: $res"
echo "$res"
bal_tasks
[ "$(bal_tasks | awk -v a="$admin" '$2 == a' | wc -l)" = 3 ] ||
	fail "job $job's tasks are not all on $admin: $(bal_tasks)"
grep -q "stays: .*on $admin): runs elsewhere; its deputy stays on the node" <<<"$res" ||
	fail "evacuate does not say the deputies stay on $home"

for n in "$home" "$away"; do
	slurm scontrol update nodename="$n" state=resume || fail "resume $n"
done
bal_finish
bal_nothing_left
