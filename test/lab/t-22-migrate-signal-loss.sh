#!/bin/bash
# test: a signal to the home pid reaches the migrated process; losing the remote node ends the deputy as if SIGKILLed, nothing hangs
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"

# SIGSTOP (Slurm's suspend) cannot be caught by the deputy: ssid sees the
# deputy stopped and stops the remote process; SIGCONT is relayed.  The
# program loops on access() (forwarded) and nanosleep (local): stopped,
# it is either stopped there (T) or waits (killable: D) in an access() its
# stopped deputy does not run; either way it makes no progress: neither
# its CPU time nor its forwarded calls move.
remote_state() {
	on "$away" sh -c "sed 's/.*) //' /proc/$1/stat | cut -d' ' -f1"
}
# progress: its forwarded calls and CPU time as the remote node counts them
progress() {
	on "$away" "$ssictl" --json show procs |
		jq -r --argjson p "$pid" '.procs[] | select(.pid == $p) | "\(.forwarded) \(.cpu_ms)"'
}
mig_start stop 1 0
on "$home" "$ssictl" migrate "$pid" "$away" || fail "migrate"
lpid=$(on "$away" "$ssictl" --json show procs | jq --argjson p "$pid" '.procs[] | select(.pid == $p) | .local_pid')
p0=$(progress)
sleep 0.5
[ "$(progress)" != "$p0" ] || fail "pid $lpid on $away makes no progress before SIGSTOP"
on "$home" kill -STOP "$pid"
for ((i = 0; i < 30; i++)); do
	[ "$(on "$home" sh -c "sed 's/.*) //' /proc/$pid/stat | cut -d' ' -f1")" = T ] && break
	sleep 0.1
done
sleep 0.5	# relayed within MIG_STOP_POLL_MS
p1=$(progress) st1=$(remote_state "$lpid")
sleep 1
p2=$(progress)
[ "$p1" = "$p2" ] || fail "SIGSTOP to the home pid did not stop pid $lpid on $away ($p1 -> $p2, state $st1)"
case $st1 in
T | D) ;;
*) fail "stopped, pid $lpid on $away is in state $st1" ;;
esac
on "$home" kill -CONT "$pid"
for ((i = 0; i < 30; i++)); do
	[ "$(progress)" != "$p2" ] && break
	sleep 0.1
done
[ "$(progress)" != "$p2" ] || fail "SIGCONT to the home pid did not continue pid $lpid on $away"
[ "$(remote_state "$lpid")" != T ] || fail "continued, pid $lpid on $away is still stopped"
echo "stopped at home, pid $lpid on $away was in state $st1 and made no progress"
echo "SIGSTOP and SIGCONT to the home pid stop and continue pid $lpid on $away"
mig_finish
[ "$status" = status=0 ] || fail "after stop/continue: $status"

# SIGTERM to the home pid: the deputy relays it, the remote process dies
# of it, and the parent at home sees exactly that.
mig_start sig 2 0
on "$home" "$ssictl" migrate "$pid" "$away" || fail "migrate"
on "$home" kill -TERM "$pid"
for ((i = 0; i < 100; i++)); do
	[ -f "$dir/status" ] && break
	sleep 0.1
done
[ -f "$dir/status" ] || fail "SIGTERM to the home pid did not end the migrated process"
status=$(cat "$dir/status")
echo "after SIGTERM: $status"
[ "$status" = status=143 ] || fail "expected status=143 (SIGTERM), got $status"
rm -f "$dir/pid"
sigs=$(on "$away" "$ssictl" --json show procs | jq '.procs | length')
[ "$sigs" = 0 ] || fail "$away still lists the process"

# Killed while a forwarded read waits at home (stdin: a FIFO whose writer
# never writes): the deputy cannot take the exit until the read returns,
# so after a grace period ssid kills it: the parent sees SIGKILL (not the
# exact SIGTERM: that needs the stub to take EXIT during a call), and
# nothing hangs.
dir=$SSI_LAB_WORK/mig.$$.blocked
mig_dirs+=("$dir")
mkdir -p "$dir"
mkfifo "$dir/stdin"
on "$home" bash -c "setsid sleep 300 >'$dir/stdin' </dev/null 2>/dev/null & echo \$! >'$dir/writer'"
mig_start blocked 1 0
on "$home" "$ssictl" migrate "$pid" "$away" || fail "migrate"
touch "$dir/go"
sleep 1
on "$home" kill -TERM "$pid"
for ((i = 0; i < 100; i++)); do
	[ -f "$dir/status" ] && break
	sleep 0.1
done
on "$home" kill "$(cat "$dir/writer")" || true
[ -f "$dir/status" ] || fail "killed during a forwarded read: the deputy hangs"
status=$(cat "$dir/status")
echo "killed during a forwarded read at home: $status"
[ "$status" = status=137 ] || [ "$status" = status=143 ] || fail "expected SIGKILL or SIGTERM, got $status"
rm -f "$dir/pid"

# The remote node's ssid dies: its guest dies with it, the home node
# notices (connection, heartbeats) and the deputy ends as if SIGKILLed.
# ssid_pid and restart_ssid come from lib.sh.
mig_start loss 2 0
on "$home" "$ssictl" migrate "$pid" "$away" || fail "migrate"
spid=$(ssid_pid "$away")
[ -n "$spid" ] || fail "cannot find ssid on $away"
lpid=$(on "$away" "$ssictl" --json show procs | jq --argjson p "$pid" '.procs[] | select(.pid == $p) | .local_pid')
on "$away" kill -KILL "$spid"
for ((i = 0; i < 200; i++)); do
	[ -f "$dir/status" ] && break
	sleep 0.1
done
restart_ssid "$away"
[ -f "$dir/status" ] || fail "the deputy did not end within 20 s of losing $away"
status=$(cat "$dir/status")
echo "after losing ssid on $away: $status"
[ "$status" = status=137 ] || fail "expected status=137 (SIGKILL), got $status"
rm -f "$dir/pid"
on "$away" test ! -d "/proc/$lpid" || fail "the guest $lpid outlived ssid on $away"
# Peers up again before the next test.
for ((i = 0; i < 30; i++)); do
	up=$(on "$home" "$ssictl" show nodes | awk 'NR > 1 && $2 == "up"' | wc -l)
	[ "$up" -ge 2 ] && break
	sleep 1
done
