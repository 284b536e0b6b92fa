#!/bin/bash
# test: sbatch -N2 in the shared work directory completes and its output reaches the host
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

: "${SSI_LAB_WORK:?}"
read -ra nodes <<<"$SSI_LAB_NODES"
[ ${#nodes[@]} -ge 2 ] || fail "needs 2 nodes"
dir=$(mktemp -d "$SSI_LAB_WORK/t-07.XXXXXX")
trap 'rm -rf "$dir"' EXIT
out=$(slurm sbatch --parsable -N2 --chdir="$dir" -o "$dir/out" \
	--wrap 'srun -l hostname') || fail "sbatch: $out"
job=${out%%;*}
echo "job $job"
for ((i = 0; i < 120; i++)); do
	state=$(slurm scontrol show job "$job" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
	case "$state" in
	COMPLETED) break ;;
	PENDING|CONFIGURING|RUNNING|COMPLETING|"") sleep 0.5 ;;
	*) fail "job $job ended $state: $(cat "$dir/out" 2>/dev/null)" ;;
	esac
done
[ "$state" = COMPLETED ] || fail "job $job still $state after 60 s"
cat "$dir/out"
[ "$(grep -cE '^[01]: n[0-9]+$' "$dir/out")" = 2 ] || fail "expected 2 task lines in the output"
[ "$(awk '{ print $2 }' "$dir/out" | sort -u | wc -l)" = 2 ] || fail "tasks did not run on 2 nodes"
