#!/bin/bash
# test: on nodes of 2 CPUs, CPU affinity travels per thread: threads bound to CPUs of their own keep them away, back home and wherever they run (test/zdtm-ssid/sched_affinity, compared with an unmigrated run); a process bound to a CPU the target's ssid may not give is refused by the target before it builds anything, with a reason that names the CPU, runs on at home, and migrates once that CPU is given
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"

cpus=$(on "$home" nproc)
[ "$cpus" -ge 2 ] || fail "$home has $cpus CPU: this test wants a lab of 2 CPUs per node (the smp tier)"

# 1. Bound threads, migrated at a random moment, there and back.
zs=$SSI_SRCDIR/test/zdtm-ssid
make -s -C "$zs" >/dev/null || fail "cannot build test/zdtm-ssid"
for t in sched_affinity_bound sched_affinity_bound_back sched_affinity_free; do
	delay=0.$((RANDOM % 900 + 100))
	on "$home" env SSICTL="$ssictl" "$zs/zdtm-ssid-run.sh" "$t" "$away" "$delay" ||
		fail "$t migrated after ${delay}s differs from its unmigrated run"
done

# 2. The target's ssid may use CPU 0 only (what a guest gets is what ssid
# has): a process bound to CPU 1 is refused, and stays at home, bound.
spid=$(ssid_pid "$away")
[ -n "$spid" ] || fail "no ssid on $away"
all=$(on "$away" taskset -p "$spid" | sed 's/.*: //')
on "$away" taskset -a -p 1 "$spid" >/dev/null || fail "taskset of ssid on $away"
mig_cmd bound1 taskset -c 1 sleep 300
res=$(on "$home" "$ssictl" migrate "$pid" "$away" 2>&1) &&
	{ on "$away" taskset -a -p "$all" "$spid" >/dev/null; fail "migrated although bound to CPU 1: $res"; }
echo "bound to CPU 1, ssid of $away on CPU 0: $res"
grep -q "bound to CPU 1, not given here" <<<"$res" ||
	{ on "$away" taskset -a -p "$all" "$spid" >/dev/null; fail "the refusal does not name the CPU: $res"; }
mask=$(on "$home" taskset -p "$pid" | sed 's/.*: //')
[ "$mask" = 2 ] || fail "the refused process is not bound to CPU 1 any more at home: $mask"

# 3. CPU 1 given again: the same process moves, bound to CPU 1 there.
on "$away" taskset -a -p "$all" "$spid" >/dev/null || fail "taskset of ssid on $away"
res=$(on "$home" "$ssictl" migrate "$pid" "$away" 2>&1) || fail "migrate once CPU 1 is given: $res"
n=$(on "$away" "$ssictl" --json show procs |
	jq -r --argjson p "$pid" '.procs[] | select(.pid == $p) | .local_pid')
[ -n "$n" ] || fail "$away does not run pid $pid"
mask=$(on "$away" taskset -p "$n" | sed 's/.*: //')
[ "$mask" = 2 ] || fail "pid $pid runs on $away with mask $mask, not CPU 1's"
echo "pid $pid runs on $away as pid $n, bound to CPU 1 (mask $mask)"
on "$home" kill "$pid"
mig_finish 30
