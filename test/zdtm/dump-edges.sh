#!/bin/bash
# dump-edges.sh - SSI_IOC_DUMP's refusals and aborted dumps leave every
# task as it was (run on a node with ssi.ko loaded; the caller scans the
# console for kernel warnings afterwards).
#
#   dump-edges.sh DIR
#
# Each case starts a test/zdtm program, does something awkward to a dump
# of it, and checks the errno ssi-dump reports and that the program then
# finishes exactly as unmigrated (its own exit code).  Exit status: the
# number of failed cases.
set -uo pipefail

here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
tools=$(cd "$here/../../kmod/tools" && pwd)
dir=${1:?dir}
fails=0
# FIFOs on the node's own /tmp: a 9p share cannot hold one.
fifo=$(mktemp -u /tmp/dump-edges.fifo.XXXXXX)
trap 'rm -f "$fifo"' EXIT

# hold_dump: ssi-dump -w of $pid in the background, its stdin a FIFO kept
# open on fd 7 (closing fd 7 lets it resume the task); sets dumper.
hold_dump() {
	rm -f "$fifo"
	mkfifo "$fifo" || exit 1
	"$tools/ssi-dump" -w "$pid" "$dir/edge.img" <"$fifo" 2>"$dir/edge.dump" &
	dumper=$!
	exec 7>"$fifo"
	wait_frozen "$dir/edge.dump"
}

# run PROG ARGS...: start a zdtm program, wait until it is ready; sets pid.
run() {
	local ready=$dir/ready.$$
	rm -f "$ready"
	ZDTM_READY=$ready "$here/$1" "${@:2}" >"$dir/edge.out" 2>&1 &
	pid=$!
	for ((i = 0; i < 300; i++)); do
		[ -e "$ready" ] && break
		sleep 0.1
	done
	[ -e "$ready" ] || echo "edge: $1 never became ready"
	rm -f "$ready"
}

# finish CODE WHAT: let the program go on and check it ends with CODE.
finish() {
	local rc=0
	sleep 0.3
	kill -USR1 "$pid" 2>/dev/null
	wait "$pid" || rc=$?
	if [ "$rc" != "$1" ]; then
		echo "FAIL $2: the program ended with $rc, expected $1: $(cat "$dir/edge.out")"
		fails=$((fails + 1))
	else
		echo "ok $2"
	fi
}

# expect_err OUTPUT TEXT WHAT: ssi-dump refused with TEXT in its message.
expect_err() {
	if ! grep -q "$2" <<<"$1"; then
		echo "FAIL $3: expected '$2', got: $1"
		fails=$((fails + 1))
	fi
}

# wait_frozen FILE: until a backgrounded ssi-dump -w reported its dump.
wait_frozen() {
	for ((i = 0; i < 300; i++)); do
		grep -q "frozen" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "edge: the dump never finished: $(cat "$1")"
	return 1
}

# 1. A stopped task never reaches a safe point: the dump times out, the
#    task_work stays queued and is abandoned when the task continues.
run mem_pattern 1
kill -STOP "$pid"
out=$("$tools/ssi-dump" -t 500 "$pid" "$dir/edge.img" 2>&1)
expect_err "$out" "timed out" "stopped task"
kill -CONT "$pid"
finish 42 "stopped task: dump timed out, task goes on"

# 2. A frozen task cannot be dumped again (EBUSY); the first dump resumes it.
run sig_state
hold_dump
out=$("$tools/ssi-dump" "$pid" "$dir/edge2.img" 2>&1)
expect_err "$out" "busy" "second dump"
exec 7>&-
wait "$dumper"
finish 46 "second dump refused, first resumed"

# 3. Killed while frozen: it dies at once; resuming it finds nobody.
run mem_pattern 1
hold_dump
kill -9 "$pid"
rc=0
wait "$pid" || rc=$?
exec 7>&-
wait "$dumper"
if [ "$rc" != 137 ] || ! grep -q "No such process" "$dir/edge.dump"; then
	echo "FAIL killed while frozen: status $rc, dumper: $(cat "$dir/edge.dump")"
	fails=$((fails + 1))
else
	echo "ok killed while frozen: died at once, resume found nobody"
fi

# 3b. Killed at random moments while the dump runs (scancel during a
# migration): the dumper looks at a task whose signal handlers, timers
# and memory go away under it; it must fail cleanly, never oops.
killed=0
for ((round = 0; round < 30; round++)); do
	run sig_state
	"$tools/ssi-dump" "$pid" "$dir/edge.img" >/dev/null 2>"$dir/edge.dump" &
	dumper=$!
	sleep "0.0$((RANDOM % 10))"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	wait "$dumper" 2>/dev/null && killed=$((killed + 1))
done
echo "ok killed during 30 dumps ($killed finished their image first)"

# 4. The dumper dies while the task is frozen: closing /dev/ssi resumes it.
run mem_pattern 1
hold_dump
kill -9 "$dumper"
wait "$dumper" 2>/dev/null
exec 7>&-
finish 42 "dumper killed: task resumed"

# 5. A traced task is refused (a tracer's stops are not safe points).
run mem_pattern 1
strace -p "$pid" -o /dev/null 2>/dev/null &
tracer=$!
sleep 1
out=$("$tools/ssi-dump" "$pid" "$dir/edge.img" 2>&1)
expect_err "$out" "busy" "traced task"
kill "$tracer"
wait "$tracer" 2>/dev/null
finish 42 "traced task refused"

# 6. A thread id, a kernel thread, nobody: refused.
run threads
tid=
for t in /proc/"$pid"/task/*; do
	[ "${t##*/}" = "$pid" ] || { tid=${t##*/}; break; }
done
out=$("$tools/ssi-dump" -T "$tid" "$dir/edge.img" 2>&1)
expect_err "$out" "not supported" "thread id"
out=$("$tools/ssi-dump" "$pid" "$dir/edge.img" 2>&1)
expect_err "$out" "multi-threaded" "threads without -T"
finish 48 "thread id and missing -T refused"
out=$("$tools/ssi-dump" 2 "$dir/edge.img" 2>&1)
expect_err "$out" "Invalid argument" "kernel thread"
out=$("$tools/ssi-dump" 999999 "$dir/edge.img" 2>&1)
expect_err "$out" "No such process" "no such pid"
echo "ok refusals: thread id, no -T, kernel thread, no such pid"

rm -f "$dir"/edge*
echo "dump-edges: $fails failures"
exit "$fails"
