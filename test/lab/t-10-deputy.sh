#!/bin/bash
# test: a live process becomes a deputy through ssi.ko and is driven as ssid drives it
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

tool=$SSI_BUILDDIR/test/lab/ssi-deputy-check
[ -x "$tool" ] || fail "$tool is not built (make)"
out=$SSI_LAB_WORK/deputy-out.$$
n=${SSI_LAB_NODES%% *}
on "$n" "$tool" "$out" || fail "ssi-deputy-check failed on $n"
grep -qx 'written by the deputy' "$out" || fail "the deputy's stdout did not get the forwarded write"
rm -f "$out"
