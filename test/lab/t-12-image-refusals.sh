#!/bin/bash
# test: ssi.ko refuses every broken image (truncated, flipped, fields out of range with valid CRCs) on another node without a kernel warning
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

# Good images of test/zdtm/file_map and test/zdtm/threads are dumped on the
# home node; on the other node test/zdtm/mutate-run.sh feeds each of
# kmod/tools/ssi-mutate's 130-160 mutations of each to the real restore as
# an unprivileged helper, from a
# file (refused before anything changes, with the expected errno and
# reason) and through a pipe (page damage ends the helper with SIGKILL).
# run-all scans the consoles afterwards: no oops, no warning.
zdtm_setup refusals

for t in file_map threads; do
	on "$home" "$zdtm/zdtm-run.sh" dump "$t" "$dir" || fail "dump of $t failed"
	# The unbroken image is accepted (verify only) on the other node.
	on "$away" "$SSI_SRCDIR/kmod/tools/ssi-restore" -n "$dir/$t.img" ||
		fail "the good $t image is refused on $away"
	on "$away" "$zdtm/mutate-run.sh" "$dir/$t.img" "$dir" ||
		fail "some broken $t images were not refused as they must be"
done
