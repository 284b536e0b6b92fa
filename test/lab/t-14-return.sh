#!/bin/bash
# test: a process dumped into a deputy comes back into it (SSI_IOC_RETURN) and finishes at home exactly as if never moved; the caller of SSI_IOC_RETURN killed while the deputy hashes a large mapped file dies at once, the deputy intact
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

tool=$SSI_BUILDDIR/test/lab/ssi-return-check
prog=$SSI_BUILDDIR/test/lab/ssi-migrate-prog
[ -x "$tool" ] && [ -x "$prog" ] || fail "$tool or $prog is not built (make)"
n=${SSI_LAB_NODES%% *}
dir=$SSI_LAB_WORK/return.$$
mkdir -p "$dir/plain" "$dir/returned" "$dir/killed"
# A mapped file whose hash takes seconds: sparse, in the node's tmpfs.
big=/tmp/ssi-return-big.$$
trap 'rm -rf "$dir"; on "$n" rm -f "$big"' EXIT
head -c 200000 /dev/urandom >"$dir/stdin"
cp "$dir/stdin" "$dir/plain/stdin"
cp "$dir/stdin" "$dir/returned/stdin"
cp "$dir/stdin" "$dir/killed/stdin"

# The reference: the same program, never dumped.
touch "$dir/plain/go"
rc=0
on "$n" sh -c "cd '$dir/plain' && '$prog' 8 go out 5 <stdin >stdout" || rc=$?
[ $rc = 5 ] || fail "the unmigrated run exited $rc, not 5"

on "$n" "$tool" "$prog" "$dir/returned" || fail "ssi-return-check failed on $n"

cmp "$dir/plain/out" "$dir/returned/out" || fail "OUTFILE differs"
diff <(grep -v '^pid ' "$dir/plain/stdout") <(grep -v '^pid ' "$dir/returned/stdout") ||
	fail "stdout differs from the unmigrated run's"
before=$(sed -n 's/^pid before=//p' "$dir/returned/stdout")
after=$(sed -n 's/^pid after=//p' "$dir/returned/stdout")
[ -n "$before" ] && [ "$before" = "$after" ] || fail "pid before=$before, after=$after"
echo "returned process: pid $after kept; stdout and OUTFILE as unmigrated"

# ssid killed (or stopped) while a process comes home: its wait for the
# deputy, which hashes the image's mapped files before its point of no
# return, ends at once; the return after it brings the process home.
on "$n" truncate -s 256M "$big"
on "$n" env SSI_TEST_MAP="$big" "$tool" "$prog" "$dir/killed" ||
	fail "ssi-return-check with a killed SSI_IOC_RETURN caller failed on $n"
diff <(grep -v '^pid ' "$dir/plain/stdout") <(grep -v '^pid ' "$dir/killed/stdout") ||
	fail "stdout differs from the unmigrated run's after a killed return"
echo "killed return: its caller died at once, the process came home after it"
