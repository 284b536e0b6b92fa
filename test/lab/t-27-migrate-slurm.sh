#!/bin/bash
# test: the task of a migratable Slurm step is migrated with ssictl; its output reaches the job's file and Slurm sees its exit code
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"

dir=$SSI_LAB_WORK/mig.$$.slurm
mig_dirs+=("$dir")
mkdir -p "$dir"
job=$(slurm sbatch --parsable --ssi-migratable -w "$home" --chdir "$dir" --output="$dir/job.out" \
	--wrap "srun $prog 4 $dir/go $dir/out 7; rc=\$?; echo srun-exit=\$rc; exit \$rc")
[ -n "$job" ] || fail "sbatch failed"
pid=
for ((i = 0; i < 100; i++)); do
	pid=$(on "$home" "$ssictl" --json show tasks |
		jq -r --argjson j "$job" '.tasks[] | select(.job == $j and .step < 4294967280) | .pid')
	[ -n "$pid" ] && grep -q '^pid before=' "$dir/job.out" 2>/dev/null && break
	sleep 0.2
done
[ -n "$pid" ] || fail "job $job: its task was not registered on $home"
echo "job $job: task pid $pid on $home"
on "$home" "$ssictl" migrate "$pid" "$away" || fail "migrate the task of job $job"
state=$(on "$home" "$ssictl" --json show tasks | jq -r --argjson p "$pid" '.tasks[] | select(.pid == $p) | "\(.node) \(.state)"')
[ "$state" = "$away deputy" ] || fail "show tasks: '$state'"
touch "$dir/go"
for ((i = 0; i < 300; i++)); do
	[ -z "$(slurm squeue -h -j "$job" 2>/dev/null)" ] && break
	sleep 0.2
done
[ -z "$(slurm squeue -h -j "$job" 2>/dev/null)" ] || fail "job $job did not end"
cat "$dir/job.out"
grep -qx "pid after=$pid" "$dir/job.out" || fail "the task did not see its home pid"
grep -qx 'memory intact (0 bad words of 524288)' "$dir/job.out" || fail "memory"
grep -qx 'a line written in pieces' "$dir/job.out" || fail "stdout through slurmstepd"
grep -qx 'srun-exit=7' "$dir/job.out" || fail "srun did not see exit code 7"
ec=$(slurm scontrol show job "$job" | sed -n 's/.* ExitCode=\([0-9:]*\).*/\1/p')
echo "scontrol: ExitCode=$ec"
[ "$ec" = 7:0 ] || fail "Slurm's ExitCode=$ec, expected 7:0"
