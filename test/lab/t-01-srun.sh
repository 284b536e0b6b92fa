#!/bin/bash
# test: srun -N<all> hostname runs one task on every node (distinct names)
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

read -ra nodes <<<"$SSI_LAB_NODES"
out=$(slurm srun -N"${#nodes[@]}" hostname) || fail "srun failed: $out"
echo "$out"
names=$(sort -u <<<"$out")
[ "$(wc -l <<<"$names")" = "${#nodes[@]}" ] ||
	fail "expected ${#nodes[@]} distinct host names"
for n in "${nodes[@]}"; do
	grep -qx "$n" <<<"$names" || fail "no task ran on $n"
done
