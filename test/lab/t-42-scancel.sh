#!/bin/bash
# test: scancel of a job whose tasks run on other nodes ends every remote process and every deputy; nothing is left on any node
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"
# shellcheck source=test/lab/balance-lib.sh
. "$(dirname "$0")/balance-lib.sh"

bal_submit --ssi-migratable=manual
sleep 2
on "$home" "$ssictl" rebalance >/dev/null || fail "rebalance"
[ "$(bal_tasks | awk -v h="$home" '$2 != h' | wc -l)" -ge 2 ] || fail "not moved: $(bal_tasks)"
slurm scancel "$job"
for ((i = 0; i < 60; i++)); do
	[ -z "$(slurm squeue -h -j "$job" 2>/dev/null)" ] && break
	sleep 0.5
done
[ -z "$(slurm squeue -h -j "$job" 2>/dev/null)" ] || fail "job $job did not end"
echo "job $job: $(slurm scontrol show job "$job" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')"
bal_nothing_left
echo "no guest, deputy or task of job $job left on ${lab_nodes[*]}"
