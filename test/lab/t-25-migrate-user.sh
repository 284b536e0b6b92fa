#!/bin/bash
# test: a user migrates their own task of a Slurm job (not an unregistered process), only to usable nodes of the job's partition (not while Slurm drains it, not out of the partition); it runs remotely with their credentials, others' processes stay out of reach
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"

as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
# its directory and stdin made before mig_start, so that nobody can use them
dir=$SSI_LAB_WORK/mig.$$.user
mkdir -p "$dir"
chmod 777 "$dir"
head -c 100000 /dev/urandom >"$dir/stdin"
chmod 644 "$dir/stdin"
# Two Slurm jobs to register processes under, as slurmstepd would: one
# in the lab's partition (every node), one in a partition of $home alone.
part=t25p$$
jobs=()
slurm_cleanup() {
	# each step whether or not the test got that far (resume fails on a
	# node that is not drained, which is fine)
	[ "${#jobs[@]}" = 0 ] || slurm scancel "${jobs[@]}" >/dev/null 2>&1 || :
	slurm scontrol update nodename="$away" state=resume >/dev/null 2>&1 || :
	slurm scontrol delete partitionname="$part" >/dev/null 2>&1 || :
	[ -z "${other:-}" ] || on "$home" kill "$other" 2>/dev/null || :
	mig_cleanup
}
trap slurm_cleanup EXIT
job=$(slurm sbatch --parsable --chdir "$SSI_LAB_WORK" --wrap 'sleep 600') || fail "sbatch: $job"
jobs+=("$job")
slurm scontrol create partitionname="$part" nodes="$home" state=up ||
	fail "scontrol create partition $part"
job2=$(slurm sbatch --parsable -p "$part" --chdir "$SSI_LAB_WORK" --wrap 'sleep 600') ||
	fail "sbatch -p $part: $job2"
jobs+=("$job2")

# slurm_state NODE: Slurm's state of NODE as ssid on $home knows it
slurm_state() {
	on "$home" "$ssictl" --json show node "$1" | jq -r '.node.slurm_state'
}
# wait_slurm_state NODE REGEX: until ssid on $home has heard (SlurmPollInterval)
wait_slurm_state() {
	local st
	for ((i = 0; i < 300; i++)); do
		st=$(slurm_state "$1")
		[[ $st =~ $2 ]] && return 0
		sleep 0.1
	done
	fail "ssid on $home still sees $1 as '$st', not /$2/"
}

MIG_AS="${as_nobody[*]}" mig_start user 4 9
# a user moves only tasks of Slurm jobs, which slurmstepd (root) registers
out=$(on "$home" "${as_nobody[@]}" "$ssictl" migrate "$pid" "$away" 2>&1) &&
	fail "nobody migrated a process that is no job's task"
grep -q "not a registered task of a Slurm job" <<<"$out" || fail "refused, but: $out"
on "$home" "$ssictl" register "$pid" job="$job" step=0 task=0 >/dev/null || fail "register $pid"
# not to a node Slurm drains, though the job's partition has it
slurm scontrol update nodename="$away" state=drain reason=t-25 || fail "drain $away"
wait_slurm_state "$away" 'DRAIN'
out=$(on "$home" "${as_nobody[@]}" "$ssictl" migrate "$pid" "$away" 2>&1) &&
	fail "nobody migrated its task to $away, drained"
grep -q "may not go to $away: node $away is [A-Z]*+DRAIN in Slurm (permission_denied)" <<<"$out" ||
	fail "refused, but: $out"
echo "drained: $out"
slurm scontrol update nodename="$away" state=resume || fail "resume $away"
wait_slurm_state "$away" '^(IDLE|MIXED|ALLOCATED)$'
on "$home" "${as_nobody[@]}" "$ssictl" migrate "$pid" "$away" || fail "nobody could not migrate its own task"
procs=$(on "$away" "${as_nobody[@]}" "$ssictl" --json show procs)
lpid=$(jq --argjson p "$pid" '.procs[] | select(.pid == $p) | .local_pid' <<<"$procs")
[ -n "$lpid" ] || fail "nobody does not see its process on $away: $procs"
uids=$(on "$away" sed -n 's/^Uid:\s*//p' "/proc/$lpid/status")
gids=$(on "$away" sed -n 's/^Gid:\s*//p' "/proc/$lpid/status")
echo "on $away: pid $lpid, Uid: $uids, Gid: $gids"
[ "$(tr -s '\t ' ' ' <<<"$uids")" = "65534 65534 65534 65534" ] || fail "remote uids: $uids"
[ "$(tr -s '\t ' ' ' <<<"$gids")" = "65534 65534 65534 65534" ] || fail "remote gids: $gids"
mig_finish
[ "$status" = status=9 ] || fail "exit $status, expected 9"
# not out of its job's partition
other=$(on "$home" bash -c "setsid ${as_nobody[*]} sleep 600 </dev/null >/dev/null 2>&1 & echo \$!")
[ -n "$other" ] || fail "no process to register under job $job2"
on "$home" "$ssictl" register "$other" job="$job2" step=0 task=0 >/dev/null || fail "register $other"
# (its partition asked of slurmctld at registration: "try again" until known)
for ((i = 0; i < 50; i++)); do
	out=$(on "$home" "${as_nobody[@]}" "$ssictl" migrate "$other" "$away" 2>&1) &&
		fail "nobody migrated a task of job $job2 out of partition $part"
	[[ $out == *"not known yet"* ]] || break
	sleep 0.2
done
grep -q "may not go to $away: node $away is not in partition $part of job $job2" <<<"$out" ||
	fail "refused, but: $out"
echo "out of its partition: $out"
grep -qx 'memory intact (0 bad words of 524288)' "$dir/stdout" || fail "$(cat "$dir/stdout")"
[ "$(stat -c %U "$dir/out")" = nobody ] || fail "the file it wrote belongs to $(stat -c %U "$dir/out")"
echo "exit 9, memory intact, its file owned by nobody"
