#!/bin/bash
# test: ssi.ko refuses every broken image (truncated, flipped, fields out of range with valid CRCs) on another node without a kernel warning
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

# A good image of test/zdtm/file_map is dumped on the home node; on the
# other node test/zdtm/mutate-run.sh feeds each of kmod/tools/ssi-mutate's
# ~130 mutations to the real restore as an unprivileged helper, from a
# file (refused before anything changes, with the expected errno and
# reason) and through a pipe (page damage ends the helper with SIGKILL).
# run-all scans the consoles afterwards: no oops, no warning.
zdtm=$SSI_SRCDIR/test/zdtm
if ! make -s -C "$zdtm" >/dev/null || ! make -s -C "$SSI_SRCDIR/kmod/tools" >/dev/null; then
	fail "cannot build test/zdtm and kmod/tools"
fi
read -ra nodes <<<"$SSI_LAB_NODES"
[ "${#nodes[@]}" -ge 2 ] || fail "needs two nodes"
home=${nodes[0]} away=${nodes[1]}
dir=$SSI_LAB_WORK/refusals.$$
mkdir -p "$dir"
trap 'rm -rf "$dir"' EXIT

on "$home" "$zdtm/zdtm-run.sh" dump file_map "$dir" || fail "dump of file_map failed"
# The unbroken image is accepted (verify only) on the other node.
on "$away" "$SSI_SRCDIR/kmod/tools/ssi-restore" -n "$dir/file_map.img" ||
	fail "the good image is refused on $away"
on "$away" "$zdtm/mutate-run.sh" "$dir/file_map.img" "$dir" || fail "some broken images were not refused as they must be"
