#!/bin/bash
# test: zdtm-ssid: one program per behaviour (pipes, TCP, epoll, SA_RESTART, sigaltstack, itimers, a tty, cwd, clocks, large IO, O_APPEND, locks, signals to itself, signals interrupting forwarded calls, fatal signals seen by the parent, pull-home, processes of several threads, the kernel state of a process and of its threads: signals, registers, scheduling, prctl, memory layout and attributes, /proc, its own seccomp filters, mapped files that exist only at home) migrated through ssid at a random moment: output and exit status as unmigrated
# Some 120 programs of about 6 s each (two runs, a migration), two at a
# time but for the few that must run alone: about the default 600 s.
# timeout: 1200
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"

# Each program of test/zdtm-ssid runs on a home node twice, unmigrated
# and then migrated to an away node by ssid after a random delay within
# its busy phase (zdtm-ssid-run.sh, on the node: no round trip through the
# host per step).  With three nodes two streams of programs run at once,
# each home being the other's hop node (n1 -> n2, hop n3; n3 -> n2, hop
# n1): most of a program's time is waiting, and the two halve the
# test's.  Every delay is printed; to replay one program with it:
#   ZDTM_SSID_ONLY="NAME..." ZDTM_SSID_DELAY=SECONDS bash test/lab/t-31-zdtm-ssid.sh
zs=$SSI_SRCDIR/test/zdtm-ssid
make -s -C "$zs" >/dev/null || fail "cannot build test/zdtm-ssid"
only=${ZDTM_SSID_ONLY:-}
pulled=$(mig_pull_home_lines | wc -l)
out=$SSI_LAB_WORK/t-31.$$
mkdir -p "$out"

# stream K HOME HOP PROGRAM...: each program from HOME to $away, hopping
# to HOP; in $out/K.log what it printed, in $out/K.{failed,gaps} the names.
# A .desc with gap="WHY" names a behaviour not carried over yet: the
# program must still fail (when it passes, the gap is closed and its
# gap= line must go), and the run says so; it fails nothing else.
stream() {
	local k=$1 h=$2 hop=$3 t desc gap ms delay
	shift 3
	: >"$out/$k.failed"
	: >"$out/$k.gaps"
	for t in "$@"; do
		desc=$zs/$t.desc
		gap=$(sed -n 's/^gap="\(.*\)"$/\1/p' "$desc")
		ms=$((RANDOM % 1500))
		delay=${ZDTM_SSID_DELAY:-$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))}
		if on "$h" env SSICTL="$ssictl" ZDTM_HOP="$hop" "$zs/zdtm-ssid-run.sh" "$t" "$away" "$delay"; then
			[ -z "$gap" ] && continue
			echo "$t" >>"$out/$k.failed"
			echo "    $t passes: its known gap ($gap) is closed; remove gap= from $t.desc"
		elif [ -n "$gap" ]; then
			echo "$t" >>"$out/$k.gaps"
			echo "    known gap, as expected: $gap"
		else
			echo "$t" >>"$out/$k.failed"
			echo "    replay: ZDTM_SSID_ONLY=$t ZDTM_SSID_DELAY=$delay"
		fi
	done >"$out/$k.log" 2>&1
}

# Those whose .desc says alone=yes run last, one at a time.
progs=() alone=()
for desc in "$zs"/*.desc; do
	t=$(basename "$desc" .desc)
	[ -z "$only" ] || [[ " $only " == *" $t "* ]] || continue
	if grep -qx 'alone=yes' "$desc"; then
		alone+=("$t")
	else
		progs+=("$t")
	fi
done
runs=$((${#progs[@]} + ${#alone[@]}))
[ "$runs" -gt 0 ] || fail "no program matches ZDTM_SSID_ONLY=$only"
streams=()
if [ "${#lab_nodes[@]}" -ge 3 ] && [ "${#progs[@]}" -gt 1 ]; then
	half=$(((${#progs[@]} + 1) / 2))
	stream 0 "$home" "${lab_nodes[2]}" "${progs[@]:0:half}" &
	stream 1 "${lab_nodes[2]}" "$home" "${progs[@]:half}" &
	wait
	streams=(0 1)
elif [ "${#progs[@]}" -gt 0 ]; then
	stream 0 "$home" "${lab_nodes[2]:-}" "${progs[@]}"
	streams=(0)
fi
if [ "${#alone[@]}" -gt 0 ]; then
	stream 2 "$home" "${lab_nodes[2]:-}" "${alone[@]}"
	streams+=(2)
fi
failed=() gaps=()
for k in "${streams[@]}"; do
	cat "$out/$k.log"
	mapfile -t -O "${#failed[@]}" failed <"$out/$k.failed"
	mapfile -t -O "${#gaps[@]}" gaps <"$out/$k.gaps"
done

# What $away sent home by itself (the pull_home programs; any other is a
# surprise, and zdtm-ssid-run.sh has already failed it).
now=$(mig_pull_home_lines | wc -l)
echo "pull-home calls logged on $away: $((now - pulled))"
[ "$now" -le "$pulled" ] || mig_pull_home_lines | tail -n $((now - pulled))

# Nothing left behind, whatever failed.
for n in "${lab_nodes[@]}"; do
	left=$(on "$n" "$ssictl" --json show procs | jq '.procs | length')
	[ "$left" = 0 ] || fail "$n still lists $left migrated processes"
done
[ "${#failed[@]}" = 0 ] || fail "${#failed[@]} of $runs programs differ when migrated: ${failed[*]}"
echo "$runs programs migrated at random moments: output and exit status as unmigrated${gaps[*]:+, but the known gaps of ${gaps[*]}}"
