#!/bin/bash
# zdtm-ssid-run.sh NAME AWAY DELAY - run the test/zdtm-ssid program NAME
# twice on this node (its home): unmigrated, then migrated by ssid to the
# node AWAY DELAY seconds into its busy phase.  Both runs must print the
# same (stdout and stderr, byte for byte) and exit with the status NAME.desc
# names.  One line on success; on a difference, what differs, and exit 1.
# test/lab/t-31-zdtm-ssid.sh calls it through `ssi-lab exec`.
#
# NAME.desc (sourced; $here is this directory) sets:
#   exit=   the program's exit status
#   where=  where the migrated process must be after its move: away (it
#           runs there, forwarded: nothing it did pulled it home) or home
#           (a call only home can run pulled it back) or back (it runs
#           there, then `ssictl migrate PID home` brings it back, where it
#           does its last rounds) or hop (it runs there, then `ssictl
#           migrate PID $ZDTM_HOP` moves it on to that third node, through
#           home, where it does its last rounds)
#   prog=   the program, default NAME; args= its arguments
#   wrap=   a command that starts it (pty_run.py: a tty on stdin)
#   alone=yes  t-31 runs it with no other program beside it: it counts
#           CPU-time timer expirations, which come with the ticks, and a
#           TCG node's ticks come late when the host is loaded
#
# The protocol (zs.h): the program writes the pid to migrate into
# $ZDTM_READY once its state is built, works in rounds until $ZDTM_STOP
# exists, then does a few more rounds and exits.
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
name=${1:?name} away=${2:?node} delay=${3:?delay}
ssictl=${SSICTL:-$here/../../ssid/ssictl}
prog=$name args='' exit='' where=away wrap=''
# shellcheck disable=SC1090
. "$here/$name.desc"
base=$(mktemp -d "/tmp/zdtm-ssid.$name.XXXXXX")
pid=
cleanup() {
	# a run that went wrong must not outlive the test (its session)
	if [ -n "$pid" ]; then
		disown "$pid" 2>/dev/null || true	# no "Killed" notice from bash
		kill -KILL -- "-$pid" 2>/dev/null || true
	fi
	rm -rf "$base"
}
trap cleanup EXIT

# die MSG: the failure, and the end of what the migrated run printed
die() {
	echo "$name: FAIL: $*"
	if [ -n "${base:-}" ] && [ -e "$base/moved/stdout" ]; then
		echo "    the migrated run printed:"
		tail -c 600 "$base/moved/stdout" "$base/moved/stderr" | sed 's/^/    /'
	fi
	exit 1
}
[ -x "$here/$prog" ] || die "$here/$prog is not built (make -C test/zdtm-ssid)"

# start TAG: start the program in $base/TAG (its working directory), in a
# session of its own, and wait for it to be ready; sets pid (the process
# this shell started) and mpid (the one to migrate).
start() {
	local d=$base/$1 i
	mkdir "$d"
	# shellcheck disable=SC2086 # wrap and args are split on purpose
	(cd "$d" && ZDTM_READY=$d/ready ZDTM_STOP=$d/stop exec setsid $wrap "$here/$prog" $args \
		</dev/null >"$d/stdout" 2>"$d/stderr") &
	pid=$!
	for ((i = 0; i < 300; i++)); do
		[ -e "$d/ready" ] && break
		[ -d "/proc/$pid" ] || break
		sleep 0.1
	done
	[ -e "$d/ready" ] || die "the $1 run never became ready: $(cat "$d/stdout" "$d/stderr")"
	mpid=$(cat "$d/ready")
}

# state PID: how this node's ssid sees PID ("deputy n2"), empty if not at all.
state() {
	"$ssictl" --json show procs |
		jq -r --argjson p "$1" '.procs[] | select(.pid == $p) | "\(.state) \(.where)"'
}

# finish TAG: touch the stop file and wait for the end (30 s at most); sets rc.
finish() {
	local d=$base/$1 i st=
	touch "$d/stop"
	# Not `wait` alone: a hung run would hang the test.  Bash reaps it
	# (and keeps the status for wait) or it is a zombie for a moment.
	for ((i = 0; i < 300; i++)); do
		st=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || st=
		[ -z "$st" ] || [ "$st" = Z ] && break
		sleep 0.1
	done
	if [ -n "$st" ] && [ "$st" != Z ]; then
		echo "$name: the $1 run did not end within 30 s (ssid: $(state "$mpid")); killed"
		kill -KILL -- "-$pid" 2>/dev/null || true
	fi
	rc=0
	wait "$pid" || rc=$?
	pid=
}

start ref
finish ref
ref_rc=$rc

start moved
sleep "$delay"
if ! line=$("$ssictl" migrate "$mpid" "$away" 2>&1); then
	# A refused migration must leave the process running here.
	sleep 0.2
	[ -d "/proc/$mpid" ] && left="it still runs here" || left="the process is gone"
	die "ssictl migrate $mpid $away after ${delay}s: $line; $left"
fi
# Let it run some rounds where it is now, then look where that is.
sleep 0.5
now=$(state "$mpid")
if [ "$where" = home ]; then
	for ((i = 0; i < 200; i++)); do
		[ -z "$now" ] && break
		sleep 0.1
		now=$(state "$mpid")
	done
	[ -z "$now" ] || die "not pulled home within 20 s (ssid: $now)"
	at="pulled home"
else
	[ "$now" = "deputy $away" ] || die "pid $mpid is not running on $away (ssid: '$now'): pulled home, or ended?"
	at="ran on $away"
fi
if [ "$where" = hop ]; then
	hop=${ZDTM_HOP:?where=hop needs a third node in ZDTM_HOP}
	line=$("$ssictl" migrate "$mpid" "$hop" 2>&1) || die "ssictl migrate $mpid $hop: $line"
	sleep 0.5
	now=$(state "$mpid")
	[ "$now" = "deputy $hop" ] || die "pid $mpid is not running on $hop (ssid: '$now'): pulled home, or ended?"
	at+=", hopped to $hop"
fi
if [ "$where" = back ]; then
	line=$("$ssictl" migrate "$mpid" home 2>&1) || die "ssictl migrate $mpid home: $line"
	sleep 0.5
	now=$(state "$mpid")
	[ -z "$now" ] || die "pid $mpid is not back home (ssid: '$now')"
	at+=", came back home"
fi
finish moved

for f in stdout stderr; do
	if ! cmp -s "$base/ref/$f" "$base/moved/$f"; then
		diff -u --label "unmigrated $f" --label "migrated $f" "$base/ref/$f" "$base/moved/$f" || true
		die "$f differs from the unmigrated run's (migrated after ${delay}s)"
	fi
done
[ "$ref_rc" = "$exit" ] || die "the unmigrated run exited $ref_rc, not $exit: $(cat "$base/ref/stdout")"
[ "$rc" = "$exit" ] || die "the migrated run exited $rc, not $exit (migrated after ${delay}s)"
echo "$name: migrated after ${delay}s, $at: same output, exit status $rc (${SECONDS}s)"
