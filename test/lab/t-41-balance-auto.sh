#!/bin/bash
# test: with --ssi-migratable=auto, ssid's balancer spreads a job's CPU-bound tasks by itself within a few BalanceIntervals, and stops there (no ping-pong); paused (ssictl balancer pause) it moves nothing until resumed
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"
# shellcheck source=test/lab/balance-lib.sh
. "$(dirname "$0")/balance-lib.sh"

# Paused first: two intervals with every task at home, then resumed.
trap 'on "$home" "$ssictl" balancer resume >/dev/null 2>&1; bal_cleanup' EXIT
on "$home" "$ssictl" balancer pause || fail "ssictl balancer pause"
bal_submit --ssi-migratable=auto
sleep 12
[ "$(bal_tasks | awk -v h="$home" '$2 != h' | wc -l)" = 0 ] ||
	fail "the paused balancer moved a task: $(bal_tasks)"
echo "paused for two intervals: every task still on $home"
on "$home" "$ssictl" balancer resume || fail "ssictl balancer resume"
# BalanceInterval is 5 s: one move per interval, two moves to make
for ((i = 0; i < 60; i++)); do
	[ "$(bal_tasks | awk -v h="$home" '$2 != h' | wc -l)" -ge 2 ] && break
	sleep 1
done
[ "$(bal_tasks | awk -v h="$home" '$2 != h' | wc -l)" -ge 2 ] ||
	fail "the balancer did not spread job $job: $(bal_tasks)"
sleep 6		# a move may still be on its way
echo "spread after about ${i} s:"
bal_tasks
before=$(bal_tasks | sort)
sleep 12	# two more intervals: balanced stays balanced
[ "$(bal_tasks | sort)" = "$before" ] || fail "the balancer kept moving: $(bal_tasks)"
grep -h "balancer:" "$SSI_LAB_WORK/../share/log/ssid-$home.log" | tail -n 3
bal_finish
bal_nothing_left
