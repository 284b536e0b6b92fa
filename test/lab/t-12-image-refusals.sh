#!/bin/bash
# test: ssi.ko refuses every broken image (truncated, flipped, fields out of range with valid CRCs) on another node without a kernel warning
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

# Good images of test/zdtm/file_map and test/zdtm/threads are dumped on the
# home node; on another node test/zdtm/mutate-run.sh feeds each of
# kmod/tools/ssi-mutate's 130-190 mutations of each to the real restore as
# an unprivileged helper, from a
# file (refused before anything changes, with the expected errno and
# reason) and through a pipe (page damage ends the helper with SIGKILL).
# run-all scans the consoles afterwards: no oops, no warning.
# With a third node the two catalogues run at once, one per node: each
# case is a few process starts on a single TCG vCPU, seconds apiece.
zdtm_setup refusals

images=(file_map threads)
for t in "${images[@]}"; do
	mkdir -p "$dir/$t"
	on "$home" "$zdtm/zdtm-run.sh" dump "$t" "$dir/$t" || fail "dump of $t failed"
	# The unbroken image is accepted (verify only) on the other node.
	on "$away" "$SSI_SRCDIR/kmod/tools/ssi-restore" -n "$dir/$t/$t.img" ||
		fail "the good $t image is refused on $away"
done
# mutate I: the catalogue of image I on a node of its own when there is
# one (one FIFO per node, one vCPU), its status in $dir/T.rc
mutate() {
	local t=${images[$1]} n=${nodes[1 + $1 % (${#nodes[@]} - 1)]} rc=0
	on "$n" "$zdtm/mutate-run.sh" "$dir/$t/$t.img" "$dir/$t" >"$dir/$t.log" 2>&1 || rc=$?
	echo "$rc" >"$dir/$t.rc"
}
for i in "${!images[@]}"; do
	if [ "${#nodes[@]}" -ge 3 ]; then
		mutate "$i" &
	else
		mutate "$i"
	fi
done
wait
bad=()
for t in "${images[@]}"; do
	sed "s/^/$t: /" "$dir/$t.log"
	[ "$(cat "$dir/$t.rc")" = 0 ] || bad+=("$t")
done
[ "${#bad[@]}" = 0 ] || fail "some broken images of ${bad[*]} were not refused as they must be"
