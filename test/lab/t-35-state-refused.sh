#!/bin/bash
# test: kernel state not carried yet (a seccomp filter of its own that notifies a listener, or that forbids or kills the restore on the target or a call of its deputy at home, seccomp strict mode in one of its threads, a signalfd watched by an epoll, a memfd mapping, a userfaultfd, SCHED_DEADLINE) is refused before the freeze with a reason that names it, and the process runs on at home untouched; made after the move, it pulls the process home, where it works; so do an LDT written, a seccomp filter made with prctl and a NUMA policy set after the move
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"

sprog=$SSI_BUILDDIR/test/lab/ssi-state-prog
[ -x "$sprog" ] || fail "$sprog is not built (make)"

# run STATE WHEN MOVE: the program to its end; $out is what it printed
# (pids masked) and its status.  With MOVE=1 a migration is tried once it
# is ready: refused when WHEN=early (the refusal in $res).
run() {
	local state=$1 when=$2 move=$3
	mig_cmd "$state-$when-$move" "$sprog" "$state" "$when" \
		"$SSI_LAB_WORK/mig.$$.$state-$when-$move/go"
	for ((i = 0; i < 100; i++)); do
		grep -q '^ready' "$dir/stdout" 2>/dev/null && break
		sleep 0.1
	done
	grep -q '^ready' "$dir/stdout" || fail "$state $when: the program did not start"
	res=
	if [ "$move" = 1 ] && [ "$when" = early ]; then
		! res=$(on "$home" "$ssictl" migrate "$pid" "$away" 2>&1) ||
			fail "$state: a process with it was migrated: $res"
		on "$home" test -d "/proc/$pid" || fail "$state: the refused process is gone"
	elif [ "$move" = 1 ]; then
		on "$home" "$ssictl" migrate "$pid" "$away" >/dev/null ||
			fail "$state: migrate $pid $away"
	fi
	touch "$dir/go"
	mig_wait 120
	out=$(sed -e 's/^pid \(before\|after\)=[0-9]*$/pid \1=P/' "$dir/stdout"; cat "$dir/status")
}

# made_late STATE MADE REF: STATE made (MADE: how) after the move pulls
# the process home, where the run ends as REF, the unmigrated run.
made_late() {
	local state=$1 made=$2 ref=$3 before after
	before=$(mig_pull_home_lines | wc -l)
	run "$state" late 1
	[ "$out" = "$ref" ] || fail "$state: the run $made after the move differs: $out"
	after=$(mig_pull_home_lines | wc -l)
	[ "$after" -gt "$before" ] || fail "$state: $away did not log a pull-home"
	echo "$state $made after the move: pulled home, $(grep "^$state" <<<"$out")"
}

# STATE: the words the refusal must have
for spec in "seccomp_notif:a seccomp filter that notifies a listener" \
	"seccomp_no_restore:its own seccomp filters forbid the restore" \
	"seccomp_kill_restore:under the process's own seccomp filters, died of signal 31" \
	"seccomp_deputy:forbids a call its deputy makes at home (recvfrom" \
	"signalfd_epoll:signalfd watched by an epoll" "memfd:memfd" \
	"userfaultfd:userfaultfd" "deadline:SCHED_DEADLINE"; do
	state=${spec%%:*}
	why=${spec#*:}
	run "$state" early 0
	ref=$out
	if grep -q "unsupported" <<<"$ref"; then
		echo "$state: not on these nodes (skipped): $ref"
		continue
	fi
	grep -q "^$state ok" <<<"$ref" || fail "$state: the unmigrated run failed: $ref"
	run "$state" early 1
	echo "$state refused: $res"
	grep -q "$why" <<<"$res" || fail "$state: the refusal does not name it: $res"
	[ "$out" = "$ref" ] || fail "$state: the refused process's run differs: $out"
	made_late "$state" made "$ref"
done

# Seccomp filters travel (test/zdtm-ssid/seccomp_filter*), strict mode
# does not; made away it cannot be (prctl runs there, in filter mode).
run seccomp_strict early 0
ref=$out
grep -q "^seccomp_strict ok" <<<"$ref" || fail "seccomp_strict: the unmigrated run failed: $ref"
run seccomp_strict early 1
echo "seccomp_strict refused: $res"
grep -q "seccomp strict mode" <<<"$res" || fail "seccomp_strict: the refusal does not name it: $res"
[ "$out" = "$ref" ] || fail "seccomp_strict: the refused process's run differs: $out"

# pulled_home STATE MADE: STATE carried when made before the move, but
# made after it (MADE: how), it pulls the process home, where it works.
pulled_home() {
	run "$1" early 0
	grep -q "^$1 ok" <<<"$out" || fail "$1: the unmigrated run failed: $out"
	made_late "$1" "$2" "$out"
}

# A filter made away with prctl(PR_SET_SECCOMP), as with seccomp(),
# pulls the process home: there it would be newer than ssid's, and lost
# on the way back (the deputy never had it).
pulled_home seccomp_prctl made

# An LDT travels (test/zdtm-ssid/ldt*), but one written away pulls the
# process home: only the task that becomes the process can make one.
pulled_home ldt written

# A thread's NUMA policy travels (test/zdtm-ssid/numa_policy*), but one
# set away pulls the process home, where its deputy thread keeps it for
# the way back.
pulled_home mempolicy set
