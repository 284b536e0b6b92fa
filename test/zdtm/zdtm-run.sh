#!/bin/bash
# zdtm-run.sh - run one zdtm program unmigrated, or dump / restore it, on
# the node this runs on (the lab's t-migrate tests call it through
# `ssi-lab exec`; it works the same on any machine with ssi.ko loaded).
#
#   zdtm-run.sh plain   NAME DIR   run NAME without migrating
#   zdtm-run.sh dump    NAME DIR   run NAME, dump it when ready, kill it
#   zdtm-run.sh restore NAME DIR [file|pipe|early]
#                                  restore DIR/NAME.img and let it finish:
#                                  from the file (whole image verified
#                                  first), through a pipe (streamed), or
#                                  with SIGUSR1 already pending while the
#                                  restore runs (early)
#   zdtm-run.sh compare NAME DIR   migrated output == unmigrated output?
#   zdtm-run.sh resumed NAME DIR   run NAME, dump it, resume it at home: its
#                                  output and status must be the unmigrated
#                                  ones (a dump is invisible to the task)
#
# Files in DIR: NAME.plain.{out,rc}, NAME.img, NAME.home.out, NAME.rst.{out,rc},
# NAME.migrated.out, NAME.resumed.{out,rc}.
# NAME.desc says what NAME needs (args, exit code, go signal, dump delay,
# expected restart kind of the leader, options for ssi-dump).  ZDTM_RESTORE_AS=UID:GID makes the restore helper
# drop to that user first, as ssid's helper drops to the job user.
# Exit status 0 on success; messages on stderr.
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
tools=$(cd "$here/../../kmod/tools" && pwd)
mode=${1:?mode} name=${2:?name} dir=${3:?dir}
desc=$here/$name.desc
[ -f "$desc" ] || { echo "zdtm-run: no $desc" >&2; exit 2; }
args='' exit='' go='' dump_delay='' restart='' dump_opts=
# shellcheck disable=SC1090
. "$desc"
prog=$here/$name
[ -x "$prog" ] || { echo "zdtm-run: $prog not built (make -C test/zdtm)" >&2; exit 2; }

# start: run the program in the background with its ready file; sets pid.
start() {
	local out=$1 ready
	ready=$(mktemp -u /tmp/zdtm-ready.XXXXXX)
	# shellcheck disable=SC2086
	ZDTM_READY=$ready "$prog" $args >"$out" 2>&1 &
	pid=$!
	for ((i = 0; i < 600; i++)); do
		[ -e "$ready" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	[ -e "$ready" ] || { echo "zdtm-run: $name never became ready" >&2; return 1; }
	rm -f "$ready"
	sleep "$dump_delay"
}

# finish PID RCFILE [nogo]: send the go signal if the test wants one (and
# nogo is not given), record the exit status.
finish() {
	local p=$1 rc=0
	if [ "$go" = usr1 ] && [ -z "${3:-}" ]; then
		# A restored helper takes the image's name; before that it
		# blocks every signal, after it the test is waiting again.
		while [ "$(cat "/proc/$p/comm" 2>/dev/null)" = ssi-restore ]; do
			sleep 0.1
		done
		sleep 0.3
		kill -USR1 "$p" 2>/dev/null || true
	fi
	wait "$p" || rc=$?
	echo "$rc" >"$2"
}

case $mode in
plain)
	start "$dir/$name.plain.out"
	finish "$pid" "$dir/$name.plain.rc"
	;;
dump)
	start "$dir/$name.home.out"
	# shellcheck disable=SC2086 # options, split on purpose
	if ! "$tools/ssi-dump" $dump_opts -k "$pid" "$dir/$name.img"; then
		kill -9 "$pid" 2>/dev/null || true
		exit 1
	fi
	wait "$pid" 2>/dev/null || true
	info=$("$tools/ssi-img" "$dir/$name.img") || { echo "$info" >&2; exit 1; }
	got=$(sed -n 's/^task: .* restart \([a-z]*\) .*/\1/p' <<<"$info")
	if [ "$restart" != any ] && [ "$got" != "$restart" ]; then
		echo "zdtm-run: $name dumped with restart '$got', expected '$restart'" >&2
		exit 1
	fi
	;;
restore)
	via=${4:-file} nogo=
	as=()
	[ -z "${ZDTM_RESTORE_AS:-}" ] || as=(-u "$ZDTM_RESTORE_AS")
	case $via in
	file) "$tools/ssi-restore" "${as[@]}" "$dir/$name.img" >"$dir/$name.rst.out" 2>&1 & ;;
	pipe)
		# shellcheck disable=SC2002 # a pipe, not a file, is the point
		cat "$dir/$name.img" | "$tools/ssi-restore" "${as[@]}" - >"$dir/$name.rst.out" 2>&1 &
		;;
	early)
		# Only meaningful for tests that wait for SIGUSR1.
		[ "$go" = usr1 ] || { echo "zdtm-run: $name has no go signal" >&2; exit 2; }
		"$tools/ssi-restore" "${as[@]}" -S 10 "$dir/$name.img" >"$dir/$name.rst.out" 2>&1 &
		nogo=1
		;;
	*) echo "zdtm-run: unknown restore source $via" >&2; exit 2 ;;
	esac
	finish "$!" "$dir/$name.rst.rc" $nogo
	;;
compare)
	# No process substitution: nodes may lack /dev/fd.
	cat "$dir/$name.home.out" "$dir/$name.rst.out" >"$dir/$name.migrated.out"
	if ! cmp -s "$dir/$name.migrated.out" "$dir/$name.plain.out"; then
		echo "zdtm-run: $name output differs; unmigrated:" >&2
		cat "$dir/$name.plain.out" >&2
		echo "zdtm-run: migrated:" >&2
		cat "$dir/$name.home.out" "$dir/$name.rst.out" >&2
		exit 1
	fi
	p=$(cat "$dir/$name.plain.rc") r=$(cat "$dir/$name.rst.rc")
	if [ "$p" != "$exit" ] || [ "$r" != "$exit" ]; then
		echo "zdtm-run: $name exit status unmigrated $p, migrated $r, expected $exit" >&2
		exit 1
	fi
	;;
resumed)
	start "$dir/$name.resumed.out"
	# shellcheck disable=SC2086 # options, split on purpose
	"$tools/ssi-dump" $dump_opts "$pid" "$dir/$name.resumed.img" || { kill -9 "$pid"; exit 1; }
	rm -f "$dir/$name.resumed.img"
	finish "$pid" "$dir/$name.resumed.rc"
	if ! cmp -s "$dir/$name.resumed.out" "$dir/$name.plain.out" ||
		[ "$(cat "$dir/$name.resumed.rc")" != "$(cat "$dir/$name.plain.rc")" ]; then
		echo "zdtm-run: $name dumped and resumed differs from unmigrated:" >&2
		cat "$dir/$name.resumed.out" "$dir/$name.resumed.rc" >&2
		exit 1
	fi
	;;
*)
	echo "zdtm-run: unknown mode $mode" >&2
	exit 2
	;;
esac
