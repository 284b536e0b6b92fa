#!/bin/bash
# test: ssictl show jobs, run on any node, maps a Slurm job's tasks to their home, the node they run on now and their pid there, with slurmctld's names; users see only their own
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"
# shellcheck source=test/lab/balance-lib.sh
. "$(dirname "$0")/balance-lib.sh"

bal_submit --ssi-migratable=manual
res=$(on "$home" "$ssictl" migrate "jobid=$job.0" task=1 "node=$away") || fail "migrate task 1: $res"
echo "$res"
# its pid on $away, as $away's ssid knows its guest
moved=$(bal_tasks | awk -v a="$away" '$2 == a { print $1 }')
[ -n "$moved" ] || fail "task 1 did not move to $away: $(bal_tasks)"
guest=$(on "$away" "$ssictl" --json show procs |
	jq -r --argjson p "$moved" --arg h "$home" '.procs[] | select(.pid == $p and .home == $h) | .local_pid')
[ -n "$guest" ] || fail "$away does not list pid $moved of $home as its guest"
on "$away" kill -0 "$guest" || fail "pid $guest is not running on $away"

# the same answer from every node, including one that hosts no task
for n in "${lab_nodes[@]}"; do
	js=$(on "$n" "$ssictl" --json show jobs) || fail "show jobs on $n: $js"
	rows=$(jq -r --argjson j "$job" '.tasks[] | select(.job == $j and .step == 0) |
		"\(.task) \(.pid) \(.home) \(.node) \(.local_pid) \(.state) \(.job_name) \(.step_name) \(.user)"' <<<"$js")
	# the first row, without a pipe: `echo | head` under pipefail dies of
	# SIGPIPE now and then, silently
	echo "$n: ${rows%%$'\n'*}"
	[ "$(wc -l <<<"$rows")" = 3 ] || fail "$n: expected 3 tasks of step $job.0: $rows"
	while read -r task pid h node lpid state jname sname user; do
		[ "$h" = "$home" ] || fail "$n: task $task's home is $h, not $home"
		[ "$jname" = wrap ] || fail "$n: job name '$jname', slurmctld says wrap"
		[ "$sname" = python3 ] || fail "$n: step name '$sname', slurmctld says python3"
		[ "$user" = root ] || fail "$n: user '$user'"
		if [ "$pid" = "$moved" ]; then
			[ "$task" = 1 ] || fail "$n: pid $pid is task $task, but task 1 moved"
			[ "$node" = "$away" ] && [ "$lpid" = "$guest" ] && [ "$state" = migrated ] ||
				fail "$n: task 1: node $node pid $lpid $state, expected $away $guest migrated"
		else
			[ "$node" = "$home" ] && [ "$lpid" = "$pid" ] && [ "$state" = home ] ||
				fail "$n: task $task: node $node pid $lpid $state, expected $home $pid home"
		fi
	done <<<"$rows"
	[ "$(jq '.missing | length' <<<"$js")" = 0 ] || fail "$n: nodes did not answer: $js"
done

# the table: one line per task, the moved one on $away under its pid there
table=$(on "${lab_nodes[2]:-$away}" "$ssictl" show jobs) || fail "show jobs: $table"
echo "$table"
head -n 1 <<<"$table" | grep -q '^JOBID *STEP *TASK *NAME *USER *PID *HOME *NODE *LOCALPID *STATE *POLICY$' ||
	fail "unexpected table header"
grep -Eq "^$job +0 +1 +python3 +root +$moved +$home +$away +$guest +migrated +manual\$" <<<"$table" ||
	fail "no table line for task 1 on $away"

# another user sees none of root's tasks (nobody owns no job here)
js=$(on "$away" setpriv --reuid=65534 --regid=65534 --clear-groups "$ssictl" --json show jobs) ||
	fail "show jobs as nobody: $js"
[ "$(jq '.tasks | length' <<<"$js")" = 0 ] || fail "nobody sees root's tasks: $js"

bal_finish
bal_nothing_left
