# shellcheck shell=bash
# test/lab/balance-lib.sh - sourced by the balancing lab tests (after
# lib.sh and migrate-lib.sh): a Slurm job of three CPU-bound tasks
# (contrib/lab/demo-task.py) that all start on $home, and where they run.

job=
# a job that went wrong must not hold the node for the next test
bal_cleanup() {
	[ -z "$job" ] || slurm scancel "$job" 2>/dev/null || true
	mig_cleanup
}
trap bal_cleanup EXIT

# bal_submit [SBATCH-OPTION...]: submit the job; sets job, out and go,
# and waits until its three tasks said they started.
bal_submit() {
	local d=$SSI_LAB_WORK/bal.$$
	mig_dirs+=("$d")
	mkdir -p "$d"
	cp "$SSI_SRCDIR/contrib/lab/demo-task.py" "$d/"
	go=$d/go
	# they compute until bal_finish creates $go
	job=$(slurm sbatch --parsable "$@" -w "$home" -n3 --overcommit --chdir "$d" \
		-o "$d/job-%j.out" --export=ALL,DEMO_UNTIL="$go" \
		--wrap "srun -n3 --overcommit python3 $d/demo-task.py")
	[ -n "$job" ] || fail "sbatch failed"
	out=$d/job-$job.out
	for ((i = 0; i < 300; i++)); do
		[ "$(grep -c ': started' "$out" 2>/dev/null)" = 3 ] && return 0
		sleep 0.2
	done
	fail "job $job: its tasks did not start"
}

# bal_tasks: "pid node" of each registered task of $job on $home.
bal_tasks() {
	on "$home" "$ssictl" --json show tasks |
		jq -r --argjson j "$job" '.tasks[] | select(.job == $j and .step < 4294967280) | "\(.pid) \(.node)"'
}

# bal_finish [LINE...]: let the tasks end (create $go) and wait for $job;
# it must have completed, its output ($out) holding each LINE (default:
# every task's right count of primes).
bal_finish() {
	local state expect
	[ $# -gt 0 ] || set -- "9592 primes below 100000" "17984 primes below 200000" \
		"25997 primes below 300000"
	touch "$go"
	for ((i = 0; i < 900; i++)); do
		[ -z "$(slurm squeue -h -j "$job" 2>/dev/null)" ] && break
		sleep 1
	done
	state=$(slurm scontrol show job "$job" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
	cat "$out"
	[ "$state" = COMPLETED ] || fail "job $job ended $state"
	for expect in "$@"; do
		grep -q "$expect" "$out" || fail "the job's output lacks '$expect'"
	done
	echo "job $job: $state, ExitCode=$(slurm scontrol show job "$job" |
		sed -n 's/.* ExitCode=\([0-9:]*\).*/\1/p'), every count right"
}

# bal_nothing_left: no migrated process on any node, no stray task.
bal_nothing_left() {
	local n left
	sleep 1
	for n in "${lab_nodes[@]}"; do
		left=$(on "$n" "$ssictl" --json show procs | jq '.procs | length')
		[ "$left" = 0 ] || fail "$n still lists $left migrated processes"
		! on "$n" pgrep -f "demo-task.py" >/dev/null || fail "a task of job $job still runs on $n"
	done
}
