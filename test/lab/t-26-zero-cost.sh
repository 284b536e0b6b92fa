#!/bin/bash
# test: processes that never migrate pay nothing: a syscall loop with ssi.ko and ssid vs without, printed as a ratio
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

loop=$SSI_BUILDDIR/test/lab/ssi-syscall-loop
[ -x "$loop" ] || fail "$loop is not built (make)"
read -ra nodes <<<"$SSI_LAB_NODES"
n=${nodes[$((${#nodes[@]} - 1))]}
iters=100000

# One timing: the median of three runs, in ns per iteration.
timing() {
	local a b c
	a=$(on "$n" "$loop" $iters) && b=$(on "$n" "$loop" $iters) &&
		c=$(on "$n" "$loop" $iters) || fail "the loop failed on $n"
	printf '%s\n%s\n%s\n' "$a" "$b" "$c" | sort -g | sed -n 2p
}
stop_ssid() {
	local p
	p=$(ssid_pid "$n")
	[ -z "$p" ] || on "$n" kill "$p"
	for _ in $(seq 1 50); do
		[ -z "$(ssid_pid "$n")" ] && return 0
		sleep 0.1
	done
	fail "ssid on $n did not stop"
}
# Whatever happens, the node ends with ssi.ko and ssid as the lab started.
trap 'on "$n" test -d /sys/module/ssi || on "$n" insmod "$SSI_SRCDIR/kmod/ssi.ko";
      [ -n "$(ssid_pid "$n")" ] || restart_ssid "$n"' EXIT

# Three states, in rounds, so drift of the machine (TCG) hits all alike:
# ssi.ko and ssid (as deployed), ssi.ko alone, neither.
both=() mod=() none=()
for _ in 1 2 3; do
	both+=("$(timing)")
	stop_ssid
	mod+=("$(timing)")
	on "$n" rmmod ssi || fail "rmmod ssi on $n"
	none+=("$(timing)")
	on "$n" insmod "$SSI_SRCDIR/kmod/ssi.ko" || fail "insmod ssi.ko on $n"
	restart_ssid "$n"
done
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
b=$(median "${both[@]}") m=$(median "${mod[@]}") z=$(median "${none[@]}")
echo "syscall loop on $n (getppid + 64 B read + 64 B write), ns per iteration:"
echo "  ssi.ko loaded, ssid running: ${both[*]} (median $b)"
echo "  ssi.ko loaded, no ssid:      ${mod[*]} (median $m)"
echo "  neither:                     ${none[*]} (median $z)"
awk -v b="$b" -v m="$m" -v z="$z" 'BEGIN {
	printf "  module alone / neither       = %.3f (goal <= 1.01: the module installs no hooks)\n", m / z
	printf "  module and ssid / neither    = %.3f (ssid shares the node'"'"'s one vCPU)\n", b / z }'
