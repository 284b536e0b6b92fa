#!/bin/bash
# test: a job submitted without --ssi-migratable is never registered nor moved, by rebalance or the balancer
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"
# shellcheck source=test/lab/balance-lib.sh
. "$(dirname "$0")/balance-lib.sh"

bal_submit
[ -z "$(bal_tasks)" ] || fail "tasks of job $job were registered: $(bal_tasks)"
plan=$(on "$home" "$ssictl" rebalance dryrun) || fail "rebalance: $plan"
echo "$plan"
[[ $plan == "nothing to move"* ]] || fail "rebalance plans moves"
sleep 11	# two BalanceIntervals
for n in "${lab_nodes[@]}"; do
	[ "$(on "$n" "$ssictl" --json show procs | jq '.procs | length')" = 0 ] ||
		fail "$n lists migrated processes"
done
echo "job $job's three tasks stayed on $home"
bal_finish
