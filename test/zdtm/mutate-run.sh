#!/bin/bash
# mutate-run.sh - feed every mutation of a good image to the real restore
# (kmod/tools/ssi-mutate for the catalogue) and check each is refused the
# way it must be.  Runs on a node with ssi.ko loaded.
#
#   mutate-run.sh IMAGE DIR
#
# The helper runs as nobody, as ssid's helper runs as the job user.  From a
# file every mutation must be refused before anything changes: the helper
# returns (exit 1) with the expected errno and reason.  When the header is
# too broken for the helper to even move its vDSO (exit 2), the same image
# goes to the module in verify-only mode, which must refuse it alike.  Through a
# pipe, damage in the page runs is only found after the point of no return
# and must end the helper with SIGKILL; everything else is refused as from
# a file.  A helper that does not move its vDSO must be refused too.  The
# caller scans the console afterwards.  Exit status: number of failures.
set -uo pipefail

here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
tools=$(cd "$here/../../kmod/tools" && pwd)
img=${1:?image} dir=${2:?dir}
mut=$dir/mutated.img list=$dir/mutations.txt
as=(-u 65534:65534)
chmod 755 "$dir"
fails=0 n=0
# No process substitution: nodes may lack /dev/fd.
"$tools/ssi-mutate" -l "$img" >"$list" || { echo "FAIL: ssi-mutate -l $img"; exit 1; }
[ -s "$list" ] || { echo "FAIL: no mutations of $img"; exit 1; }
# The FIFO a mutation names as a mapped file (ssi-mutate.c's MUTATE_FIFO):
# a restore that opened it would block, so each restore has a time limit.
fifo=/tmp/ssi-mutate.fifo
rm -f "$fifo"
mkfifo -m 666 "$fifo" || { echo "FAIL: mkfifo $fifo"; exit 1; }
trap 'rm -f "$fifo"' EXIT
restore() {
	timeout -k 5 60 "$tools/ssi-restore" "$@"
}

strerr() {
	case $1 in
	EINVAL) echo "Invalid argument" ;;
	ENOENT) echo "No such file or directory" ;;
	ESTALE) echo "Stale file handle" ;;
	EPERM) echo "Operation not permitted" ;;
	*) echo "$1" ;;
	esac
}

# expect_refused OUTPUT ERRNO REASON WHAT
expect_refused() {
	local out=$1 e=$2 r=$3 what=$4
	if ! grep -q "refused: $(strerr "$e") (" <<<"$out" ||
		{ [ "$r" != "*" ] && ! grep -q "($r in " <<<"$out"; }; then
		echo "FAIL $what: expected $e/$r, got: $out"
		fails=$((fails + 1))
	fi
}

while IFS=$'\t' read -r i e r scope what; do
	n=$((n + 1))
	"$tools/ssi-mutate" "$img" "$i" "$mut" >/dev/null || { echo "FAIL ssi-mutate $i"; fails=$((fails + 1)); continue; }
	chmod 644 "$mut"
	rc=0
	out=$(restore "${as[@]}" "$mut" 2>&1) || rc=$?
	if [ $rc = 2 ]; then
		rc=0
		out=$(restore "${as[@]}" -n "$mut" 2>&1) || rc=$?
	fi
	if [ $rc != 1 ]; then
		echo "FAIL $i ($what) from a file: exit $rc: $out"
		fails=$((fails + 1))
	else
		expect_refused "$out" "$e" "$r" "$i ($what) from a file"
	fi

	rc=0
	# shellcheck disable=SC2002 # a pipe is the point
	out=$(cat "$mut" | restore "${as[@]}" - 2>&1) || rc=$?
	if [ $rc = 2 ]; then
		rc=0
		# shellcheck disable=SC2002
		out=$(cat "$mut" | restore "${as[@]}" -n - 2>&1) || rc=$?
	fi
	if [ "$scope" = pages ]; then
		# 137: killed by SIGKILL after the point of no return.  A damage
		# found before it (e.g. in the PAGES section's own header when the
		# image ends early) would also be acceptable as a refusal.
		if [ $rc != 137 ] && [ $rc != 1 ]; then
			echo "FAIL $i ($what) from a pipe: exit $rc, expected SIGKILL: $out"
			fails=$((fails + 1))
		fi
	elif [ $rc != 1 ]; then
		echo "FAIL $i ($what) from a pipe: exit $rc: $out"
		fails=$((fails + 1))
	else
		expect_refused "$out" "$e" "$r" "$i ($what) from a pipe"
	fi
done <"$list"

rc=0
out=$(restore "${as[@]}" -M "$img" 2>&1) || rc=$?
n=$((n + 1))
if [ $rc != 1 ] || ! grep -q "(vdso in header" <<<"$out"; then
	echo "FAIL helper with its vDSO elsewhere: exit $rc: $out"
	fails=$((fails + 1))
fi
rm -f "$mut" "$list"
echo "mutate-run: $n cases, $fails failures"
exit "$fails"
