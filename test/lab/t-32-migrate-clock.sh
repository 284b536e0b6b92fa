#!/bin/bash
# test: a migrated process's CLOCK_MONOTONIC and CLOCK_BOOTTIME continue from home's (a time namespace on the remote node) and never run backwards, there or back home
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"

clockprog=$SSI_BUILDDIR/test/lab/ssi-clock-prog
[ -x "$clockprog" ] || fail "$clockprog is not built (make)"
mig_cmd clock "$clockprog" "$SSI_LAB_WORK/mig.$$.clock/go"
for ((i = 0; i < 100; i++)); do
	grep -q '^pid=' "$dir/stdout" 2>/dev/null && break
	sleep 0.1
done
on "$home" "$ssictl" migrate "$pid" "$away" >/dev/null || fail "migrate $pid $away"
lpid=$(on "$away" "$ssictl" --json show procs |
	jq -r --argjson p "$pid" '.procs[] | select(.pid == $p) | .local_pid')
[ -n "$lpid" ] || fail "$away does not list pid $pid"
# Its time namespace: home's clocks minus this node's, give or take the
# transfer (the process sees no time pass while it is frozen).
offs=$(on "$away" cat "/proc/$lpid/timens_offsets") || fail "no timens_offsets for $lpid"
echo "time namespace of pid $lpid on $away:" $offs
mono_here=$(on "$away" cut -d' ' -f1 /proc/uptime)
mono_home=$(on "$home" cut -d' ' -f1 /proc/uptime)
off=$(awk '$1 == "monotonic" { print $2 }' <<<"$offs")
[ -n "$off" ] || fail "no monotonic offset"
awk -v o="$off" -v a="$mono_home" -v b="$mono_here" 'BEGIN {
	d = a - b - o; if (d < 0) d = -d
	printf "home uptime %.2f s, %s %.2f s, offset %d s: off by %.2f s\n", a, "here", b, o, d
	exit !(d < 2)
}' || fail "the offset is not home's clock minus this node's"
sleep 1
on "$home" "$ssictl" migrate "$pid" home >/dev/null || fail "migrate $pid home"
sleep 1
touch "$dir/go"
mig_wait 60
cat "$dir/stdout"
[ "$status" = status=0 ] || fail "$status: its clocks ran backwards, or it failed: $(tail -n 1 "$dir/stdout")"
