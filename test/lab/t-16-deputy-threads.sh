#!/bin/bash
# test: every thread of a live 4-thread process becomes a thread of its deputy through ssi.ko, each served on its own channel, one blocked while the others run
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

tool=$SSI_BUILDDIR/test/lab/ssi-deputy-threads
[ -x "$tool" ] || fail "$tool is not built (make)"
out=$SSI_LAB_WORK/deputy-threads-out.$$
n=${SSI_LAB_NODES%% *}
on "$n" "$tool" "$out" || fail "ssi-deputy-threads failed on $n"
grep -qx 'written by thread 2 of the deputy' "$out" ||
	fail "the deputy's stdout did not get thread 2's forwarded write"
rm -f "$out"
