#!/bin/bash
# test: --ssi-migratable is validated at submission and registers a step's tasks with ssid
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

ssictl=$SSI_BUILDDIR/ssid/ssictl
n=${SSI_LAB_NODES%% *}

# A bad value is refused at submission, with the value and the accepted ones.
if out=$(slurm sbatch --ssi-migratable=bogus --chdir "$SSI_LAB_WORK" --wrap true 2>&1); then
	fail "sbatch accepted --ssi-migratable=bogus: $out"
fi
grep -q "invalid --ssi-migratable value 'bogus'" <<<"$out" ||
	fail "no clear message for a bad value: $out"
echo "bad value refused: ${out%%$'\n'*}"
# and listed by sbatch --help (ssi_spank(8))
help=$(slurm sbatch --help)
grep -q -- "--ssi-migratable=auto|manual" <<<"$help" || fail "sbatch --help does not list --ssi-migratable"

# tasks_of JOBID: the pids ssid on $n has registered for that job.
tasks_of() {
	on "$n" "$ssictl" show tasks --json |
		jq -r --argjson j "$1" '.tasks[] | select(.job == $j) | .pid'
}
wait_job_running() {
	for _ in $(seq 1 50); do
		[ "$(slurm squeue -h -j "$1" -o %T)" = RUNNING ] && return 0
		sleep 0.2
	done
	fail "job $1 never ran"
}

# A migratable step: its task is registered with the node's ssid.
job=$(slurm sbatch --parsable --ssi-migratable -w "$n" --chdir "$SSI_LAB_WORK" \
	--wrap 'srun sleep 6')
wait_job_running "$job"
pids=""
for _ in $(seq 1 40); do
	pids=$(tasks_of "$job")
	[ -n "$pids" ] && break
	sleep 0.25
done
[ -n "$pids" ] || fail "job $job (--ssi-migratable): no task registered with ssid on $n"
echo "job $job: ssid on $n registered pid(s) $(echo $pids)"
# Only ordinary steps: the batch script's step (4294967291) is not a task.
special=$(on "$n" "$ssictl" show tasks --json |
	jq -r --argjson j "$job" '.tasks[] | select(.job == $j and .step > 4294967280) | .pid')
[ -z "$special" ] || fail "job $job: the batch step was registered (pid $special)"

# A step without the option: never registered.
plain=$(slurm sbatch --parsable -w "$n" --chdir "$SSI_LAB_WORK" --wrap 'srun sleep 3')
wait_job_running "$plain"
sleep 1.5
[ -z "$(tasks_of "$plain")" ] || fail "job $plain without --ssi-migratable was registered"
echo "job $plain (no option): nothing registered"

for j in "$job" "$plain"; do
	for _ in $(seq 1 60); do
		[ -z "$(slurm squeue -h -j "$j" 2>/dev/null)" ] && break
		sleep 0.25
	done
done

# A hung ssid (stopped: its socket still takes connections, nothing
# answers) costs a step one registration timeout, not one per task.
# srun waits for its step's end, so a step of 6 tasks times out at most
# once (about a second) on top of what it takes with ssid well.
step_ms() {
	local t0
	t0=$(date +%s%N)
	slurm srun --ssi-migratable -w "$n" -n6 --overcommit true ||
		fail "srun -n6 with ssid ${1:-running} failed"
	echo $((($(date +%s%N) - t0) / 1000000))
}
log=$SSI_LAB_WORK/../share/log/ssid-$n.log
on "$n" "$ssictl" loglevel info >/dev/null || fail "ssictl loglevel info"
before=$(grep -cE "(tasks|\)) registered by uid" "$log" || :)
base=$(step_ms)
on "$n" "$ssictl" loglevel notice >/dev/null || fail "ssictl loglevel notice"
# one request for the step's 6 tasks, not one per task
regs=$(grep -E "(tasks|\)) registered by uid" "$log" | tail -n +$((before + 1)))
grep -Eq "step [0-9]+\.[0-9]+: 6 of 6 tasks registered by uid 0$" <<<"$regs" &&
	[ "$(wc -l <<<"$regs")" = 1 ] || fail "the 6 tasks were not registered in one request: $regs"
echo "registered in one request: ${regs##*: }"
spid=$(ssid_pid "$n")
[ -n "$spid" ] || fail "no ssid on $n"
trap 'on "$n" kill -CONT "$spid" 2>/dev/null || :' EXIT
on "$n" kill -STOP "$spid"
hung=$(step_ms stopped)
on "$n" kill -CONT "$spid"
echo "a step of 6 migratable tasks: ${base} ms, ${hung} ms with ssid hung"
[ "$hung" -lt $((base + 3000)) ] ||
	fail "a step with ssid hung took ${hung} ms (${base} ms with ssid well): one timeout per task?"
