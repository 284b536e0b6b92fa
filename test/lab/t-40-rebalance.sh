#!/bin/bash
# test: ssictl rebalance, run on a node that hosts none of the job's tasks, spreads a Slurm job's CPU-bound tasks that all started on one node; the job completes with the right output and exit code
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"
# shellcheck source=test/lab/balance-lib.sh
. "$(dirname "$0")/balance-lib.sh"

# manual: only the administrator's command moves them
bal_submit --ssi-migratable=manual
[ "$(bal_tasks | wc -l)" = 3 ] || fail "job $job: expected 3 registered tasks: $(bal_tasks)"
sleep 2		# a heartbeat or two with the load
part=$(slurm scontrol show job "$job" | sed -n 's/.* Partition=\([^ ]*\).*/\1/p')
# the plan covers every node's tasks: an administrator runs it anywhere,
# here on the last node, which hosts none of them
admin=${lab_nodes[-1]}
[ "$admin" != "$home" ] || fail "needs a node besides $home"
# through contrib/scontrol, the optional wrapper in scontrol's grammar
plan=$(on "$admin" env SSICTL="$ssictl" "$SSI_SRCDIR/contrib/scontrol" rebalance "partition=$part" dryrun) ||
	fail "scontrol rebalance dryrun: $plan"
shown=$(on "$admin" env SSICTL="$ssictl" "$SSI_SRCDIR/contrib/scontrol" show partition "$part") ||
	fail "scontrol show partition: $shown"
grep -q "PartitionName=$part" <<<"$shown" ||
	fail "the wrapper did not hand 'show partition' to the real scontrol"
echo "$plan"
# heartbeats count whatever else runs on $home too: two moves at least
[ "$(grep -c "^$job\.0 " <<<"$plan")" -ge 2 ] || fail "the plan does not move two of job $job's tasks"
[ "$(bal_tasks | awk -v h="$home" '$2 == h' | wc -l)" = 3 ] || fail "dryrun moved something"
# a second of the administrator's own work just before, which has ended
# when the plan is made: it is no task, and $admin stays a target
on "$admin" timeout 1 sh -c 'while :; do :; done' || true
res=$(on "$admin" "$ssictl" rebalance "partition=$part") || fail "rebalance on $admin: $res"
echo "$res"
bal_tasks
[ "$(bal_tasks | awk -v h="$home" '$2 != h' | wc -l)" -ge 2 ] || fail "job $job's tasks were not spread"
[ "$(bal_tasks | awk '{ print $2 }' | sort -u | wc -l)" -ge 2 ] || fail "all on one node"
bal_finish
bal_nothing_left
