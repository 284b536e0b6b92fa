#!/bin/bash
# test: every test/zdtm program dumped by ssi.ko on one node and restored on another (file, pipe, signal pending) prints and exits exactly as unmigrated
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

# Kernel mechanics only (no ssid): kmod/tools/ssi-dump on the home node,
# the image through the shared work directory, kmod/tools/ssi-restore as
# an unprivileged helper on the other node.  Each program checks its own
# state (memory, registers, FPU, signals, mappings) after the move;
# test/zdtm/zdtm-run.sh compares output and exit status with an
# unmigrated run on the same home node.
zdtm_setup zdtm

fails=0 runs=0
for desc in "$zdtm"/*.desc; do
	t=$(basename "$desc" .desc)
	on "$home" "$zdtm/zdtm-run.sh" plain "$t" "$dir" || { echo "$t: unmigrated run failed"; fails=$((fails + 1)); continue; }
	vias="file pipe"
	grep -q '^go=usr1' "$desc" && vias="file pipe early"
	for via in $vias; do
		runs=$((runs + 1))
		rm -f "$dir/$t".img "$dir/$t".home.out "$dir/$t".rst.* "$dir/$t".migrated.out
		if on "$home" "$zdtm/zdtm-run.sh" dump "$t" "$dir" 2>"$dir/err" &&
			on "$away" env ZDTM_RESTORE_AS=65534:65534 "$zdtm/zdtm-run.sh" restore "$t" "$dir" "$via" 2>>"$dir/err" &&
			on "$away" "$zdtm/zdtm-run.sh" compare "$t" "$dir" 2>>"$dir/err"; then
			echo "$t ($via, $home -> $away): $(cat "$dir/$t.rst.out")"
		else
			echo "$t ($via): FAILED"
			sed 's/^/    /' "$dir/err" "$dir/$t.rst.out" 2>/dev/null
			fails=$((fails + 1))
		fi
	done
done
[ "$fails" = 0 ] || fail "$fails of $runs migrations went wrong"
echo "$runs migrations, output and exit status as unmigrated"
