#!/bin/bash
# test: multi-threaded images restored again and again on another node (threads, threads_churn): every restore ends as the unmigrated run, and ssi.ko's parked-thread records, checked by slub_debug, are never freed twice nor written after free
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

# Each multi-threaded restore claims the helper's parked threads and lets
# them go; the records of those threads are freed by whichever side lets
# go last.  The lab boots with slub_debug on their cache (contrib/ssi-lab),
# so a record written after it was freed, or freed twice, is reported on
# the console, which run-all scans after this test (a mere read of a freed
# record shows only under KASAN, which Debian's kernel does not have).
# One image restored RUNS times makes a race between the two sides likely
# to show.
RUNS=${SSI_THREAD_RESTORE_RUNS:-12}
zdtm_setup restore-loop

# The guard must be on, or a green run proves nothing.
[ "$(on "$away" cat /sys/kernel/slab/ssi_parked/poison 2>/dev/null)" = 1 ] ||
	fail "slub_debug is not on for ssi_parked on $away (see contrib/ssi-lab)"

for t in threads threads_churn; do
	on "$home" "$zdtm/zdtm-run.sh" plain "$t" "$dir" || fail "$t: unmigrated run failed"
	on "$home" "$zdtm/zdtm-run.sh" dump "$t" "$dir" 2>"$dir/err" ||
		fail "$t: dump failed: $(cat "$dir/err")"
	for ((i = 1; i <= RUNS; i++)); do
		rm -f "$dir/$t".rst.* "$dir/$t".migrated.out
		if ! on "$away" env ZDTM_RESTORE_AS=65534:65534 "$zdtm/zdtm-run.sh" restore "$t" "$dir" file 2>"$dir/err" ||
			! on "$away" "$zdtm/zdtm-run.sh" compare "$t" "$dir" 2>>"$dir/err"; then
			cat "$dir/err" "$dir/$t.rst.out" 2>/dev/null
			fail "$t: restore $i of $RUNS went wrong"
		fi
	done
	echo "$t: $RUNS restores on $away, each as unmigrated"
done
