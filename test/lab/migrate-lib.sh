# shellcheck shell=bash
# test/lab/migrate-lib.sh - sourced by the t-2x-migrate-*.sh lab tests
# (after lib.sh): start ssi-migrate-prog on a node, migrate it, collect
# what it printed and its exit status as its parent shell saw it.
#
# Files of one run live in $SSI_LAB_WORK/mig.$$.TAG/ (shared by the host
# and the nodes): stdin, stdout, stderr, out (the file it writes), status.

ssictl=$SSI_BUILDDIR/ssid/ssictl
prog=$SSI_BUILDDIR/test/lab/ssi-migrate-prog
[ -x "$prog" ] || fail "$prog is not built (make)"
read -ra lab_nodes <<<"$SSI_LAB_NODES"
[ "${#lab_nodes[@]}" -ge 2 ] || fail "needs two nodes"
home=${lab_nodes[0]}
away=${lab_nodes[1]}
mig_dirs=()

mig_cleanup() {
	local d
	for d in "${mig_dirs[@]}"; do
		# a run that went wrong must not outlive the test
		[ -f "$d/pid" ] && on "$home" pkill -KILL -F "$d/pid" 2>/dev/null
		rm -rf "$d"
	done
	return 0
}
trap mig_cleanup EXIT

# mig_start TAG MIB EXITCODE [ENV=VAL...]: start the program on $home in
# the background (a shell that waits for it and writes its status); sets
# dir and pid.  Its stdin is $dir/stdin, which must exist.  $MIG_AS, if
# set, prefixes the program (e.g. setpriv to run it as another user).
mig_start() {
	local tag=$1 mib=$2 code=$3
	shift 3
	dir=$SSI_LAB_WORK/mig.$$.$tag
	mig_dirs+=("$dir")
	mkdir -p "$dir"
	[ -e "$dir/stdin" ] || head -c 300000 /dev/urandom >"$dir/stdin"
	cat >"$dir/run.sh" <<-SH
	#!/bin/bash
	cd "$dir"
	${MIG_AS:-} env $* "$prog" $mib "$dir/go" "$dir/out" $code <"$dir/stdin" >"$dir/stdout" 2>"$dir/stderr" &
	echo \$! >"$dir/pid.tmp"
	mv "$dir/pid.tmp" "$dir/pid"
	wait \$!
	echo "status=\$?" >"$dir/status.tmp"
	mv "$dir/status.tmp" "$dir/status"
	SH
	chmod +x "$dir/run.sh"
	on "$home" bash -c "setsid '$dir/run.sh' </dev/null >/dev/null 2>&1 &"
	for ((i = 0; i < 100; i++)); do
		grep -q '^pid before=' "$dir/stdout" 2>/dev/null && break
		sleep 0.1
	done
	grep -q '^pid before=' "$dir/stdout" 2>/dev/null || fail "$tag: the program did not start"
	pid=$(cat "$dir/pid")
}

# mig_against_ref TAG MIB EXITCODE: run the program unmigrated to its end
# (what it printed in $ref), then start it again as TAG with the same
# stdin; sets dir and pid like mig_start.
mig_against_ref() {
	mig_start ref "$2" "$3"
	mig_finish
	ref=$(mig_output)
	mkdir -p "$SSI_LAB_WORK/mig.$$.$1"
	cp "$dir/stdin" "$SSI_LAB_WORK/mig.$$.$1/stdin"
	mig_start "$1" "$2" "$3"
}

# mig_check_ref: after mig_finish, the run printed what $ref holds and
# getpid() gave the same pid before and after.
mig_check_ref() {
	local out before after
	out=$(mig_output)
	before=$(sed -n 's/^pid before=//p' "$dir/stdout")
	after=$(sed -n 's/^pid after=//p' "$dir/stdout")
	[ "$before" = "$after" ] || fail "getpid() changed: $before before, $after after"
	if [ "$ref" != "$out" ]; then
		diff <(echo "$ref") <(echo "$out") || true
		fail "the output differs from the unmigrated run's"
	fi
	echo "$out" | grep -E '^(memory|stdin|--- status)'
}

# mig_finish [TIMEOUT_S]: let the program go on (touch go) and wait for
# its status; sets status.
mig_finish() {
	local t=${1:-60}
	touch "$dir/go"
	for ((i = 0; i < t * 10; i++)); do
		[ -f "$dir/status" ] && break
		sleep 0.1
	done
	[ -f "$dir/status" ] || fail "no exit status after ${t}s: $(cat "$dir/stdout" 2>/dev/null)"
	status=$(cat "$dir/status")
	rm -f "$dir/pid"
}

# mig_output: stdout with the pid lines replaced, then the file and stderr.
mig_output() {
	sed -e 's/^pid before=[0-9]*$/pid before=P/' -e 's/^pid after=[0-9]*$/pid after=P/' "$dir/stdout"
	echo "--- out"
	cat "$dir/out"
	echo "--- stderr"
	cat "$dir/stderr"
	echo "--- $status"
}

# mig_cmd TAG CMD...: start any command on $home as mig_start does (stdin
# from $dir/stdin if it exists, else /dev/null); sets dir and pid.
mig_cmd() {
	local tag=$1 in
	shift
	dir=$SSI_LAB_WORK/mig.$$.$tag
	mig_dirs+=("$dir")
	mkdir -p "$dir"
	in=/dev/null
	[ -f "$dir/stdin" ] && in=$dir/stdin
	printf '#!/bin/bash\ncd %q\n' "$dir" >"$dir/run.sh"
	printf '%q ' "$@" >>"$dir/run.sh"
	cat >>"$dir/run.sh" <<-SH
	<"$in" >"$dir/stdout" 2>"$dir/stderr" &
	echo \$! >"$dir/pid.tmp"
	mv "$dir/pid.tmp" "$dir/pid"
	wait \$!
	echo "status=\$?" >"$dir/status.tmp"
	mv "$dir/status.tmp" "$dir/status"
	SH
	chmod +x "$dir/run.sh"
	on "$home" bash -c "setsid '$dir/run.sh' </dev/null >/dev/null 2>&1 &"
	for ((i = 0; i < 100; i++)); do
		[ -f "$dir/pid" ] && break
		sleep 0.1
	done
	[ -f "$dir/pid" ] || fail "$tag: did not start"
	pid=$(cat "$dir/pid")
}

# mig_wait [TIMEOUT_S]: wait for the status of the command in $dir.
mig_wait() {
	local t=${1:-120}
	for ((i = 0; i < t * 10; i++)); do
		[ -f "$dir/status" ] && break
		sleep 0.1
	done
	[ -f "$dir/status" ] || fail "no exit status after ${t}s"
	status=$(cat "$dir/status")
	rm -f "$dir/pid"
}

# mig_pull_home_lines: what $away's ssid logged about pull-home calls.
mig_pull_home_lines() {
	on "$away" sh -c 'share=$(sed -n "s/.*ssilab.share=\([^ ]*\).*/\1/p" /proc/cmdline)
		grep "runs at home only" "$share/log/ssid-$(hostname).log" || true'
}
