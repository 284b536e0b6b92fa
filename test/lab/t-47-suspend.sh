#!/bin/bash
# test: scontrol suspend stops a job's migrated tasks where they run (no progress), scontrol resume continues them, and the job completes normally
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"
# shellcheck source=test/lab/balance-lib.sh
. "$(dirname "$0")/balance-lib.sh"

# Slurm suspends with SIGSTOP to each task (proctrack/linuxproc): here the
# deputies at home, which cannot catch it; ssid sees them stopped and
# stops their remote selves.  SIGCONT on resume is caught and relayed.

# cpu: "pid cpu_ms" of each task of $job that runs away, from its node.
cpu() {
	local p n
	bal_tasks | while read -r p n; do
		[ "$n" != "$home" ] || continue
		echo "$p $(on "$n" "$ssictl" --json show procs |
			jq --argjson p "$p" '.procs[] | select(.pid == $p) | .cpu_ms')"
	done
}

# state PID: its state letter at home
state() {
	on "$home" sh -c "sed 's/.*) //' /proc/$1/stat | cut -d' ' -f1"
}

bal_submit --ssi-migratable=manual
sleep 2
on "$home" "$ssictl" rebalance >/dev/null || fail "rebalance"
moved=$(bal_tasks | awk -v h="$home" '$2 != h' | wc -l)
[ "$moved" -ge 1 ] || fail "nothing moved: $(bal_tasks)"
c0=$(cpu)
sleep 1
[ "$(cpu)" != "$c0" ] || fail "the moved tasks do not run: $c0"

slurm scontrol suspend "$job" || fail "scontrol suspend"
for ((i = 0; i < 50; i++)); do
	stopped=0
	for p in $(bal_tasks | cut -d' ' -f1); do
		[ "$(state "$p")" = T ] && stopped=$((stopped + 1))
	done
	[ "$stopped" = 3 ] && break
	sleep 0.1
done
[ "$stopped" = 3 ] || fail "suspended, only $stopped of 3 tasks are stopped at home"
sleep 1		# the stop is relayed within MIG_STOP_POLL_MS
c1=$(cpu)
sleep 2
c2=$(cpu)
[ "$c1" = "$c2" ] || fail "suspended, the moved tasks still run: $c1 -> $c2"
echo "suspended: 3 tasks stopped at home, $moved moved ones make no progress where they run"

slurm scontrol resume "$job" || fail "scontrol resume"
for ((i = 0; i < 50; i++)); do
	[ "$(cpu)" != "$c2" ] && break
	sleep 0.1
done
[ "$(cpu)" != "$c2" ] || fail "resumed, the moved tasks do not run again"
echo "resumed: the moved tasks run again"
bal_finish
bal_nothing_left
