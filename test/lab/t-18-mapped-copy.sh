#!/bin/bash
# test: a private mapping of a file that exists only on the dumping node is refused elsewhere by its path, and restored there from a copy of the file that the restorer supplies (ssi-restore -F); a copy whose content differs, a directory or more copies than files are refused
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

# Kernel mechanics (no ssid): what ssid's restore helper does with a file
# it fetched from home.  local_file_map makes its file in the home node's
# own /tmp; the away node has no such file.
zdtm_setup mapped-copy
tools=$SSI_SRCDIR/kmod/tools
prog=$zdtm/local_file_map
local=/tmp/ssi-mapped-copy.$$
img=$dir/img
rpid=
trap 'rm -rf "$dir"; on "$home" rm -f "$local"; [ -z "$rpid" ] || on "$away" kill -KILL "$rpid" 2>/dev/null || true' EXIT
on "$away" test ! -e "$local" || fail "$away has $local already"

ready=$dir/ready
on "$home" sh -c "ZDTM_READY=$ready $prog $local >$dir/home.out 2>&1 & echo \$! >$dir/pid"
for ((i = 0; i < 100; i++)); do
	[ -e "$ready" ] && break
	sleep 0.1
done
[ -e "$ready" ] || fail "local_file_map never became ready: $(cat "$dir/home.out")"
pid=$(cat "$dir/pid")
on "$home" "$tools/ssi-dump" -k "$pid" "$img" || fail "ssi-dump of $pid"
on "$home" cp "$local" "$dir/copy"
on "$home" rm -f "$local"
idx=$(on "$home" "$tools/ssi-img" "$img" | sed -n "s|^  \[\([0-9]*\)\] $local .*|\1|p")
[ -n "$idx" ] || fail "the image maps no $local: $(on "$home" "$tools/ssi-img" "$img" | grep -A30 '^files')"
echo "the image maps $local as file $idx"

# The copy has the identity the image recorded; one byte changed has not.
want=$(on "$home" "$tools/ssi-img" "$img" | sed -n "s|^  \[$idx\] $local ||p")
have=$(on "$away" "$tools/ssi-fileid" "$dir/copy" | sed "s|^$dir/copy ||")
[ "$have" = "$want" ] || fail "ssi-fileid of the copy: '$have', the image: '$want'"
echo "ssi-fileid of the copy on $away: $have (as in the image)"
cp "$dir/copy" "$dir/bad"
printf 'X' | dd of="$dir/bad" bs=1 seek=5000 conv=notrunc status=none
chmod 644 "$dir/copy" "$dir/bad"

# restore ARGS...: ssi-restore on $away as nobody; its stderr in $dir/err.
restore() {
	on "$away" "$tools/ssi-restore" -u 65534:65534 "$@" "$img" >"$dir/err" 2>&1
}
expect_refused() {
	local what=$1 words=$2
	shift 2
	if restore "$@"; then
		fail "$what: restored"
	fi
	grep -q -- "$words" "$dir/err" || fail "$what: not '$words': $(cat "$dir/err")"
	echo "$what: refused ($(sed -n 's/^ssi-restore: refused: //p' "$dir/err"))"
}
expect_refused "by its path" "(file-open in"
expect_refused "a copy that differs" "the copy supplied differs"  -F "$idx=$dir/bad"
expect_refused "a directory for it" "Bad file descriptor" -F "$idx=/"
expect_refused "more copies than files" "more files supplied" -F "1000=$dir/copy"

# The copy: restored, the go signal, then the pages as before the move.
on "$away" sh -c "$tools/ssi-restore -u 65534:65534 -F $idx=$dir/copy $img >$dir/rst.out 2>&1 & echo \$! >$dir/rpid"
rpid=$(cat "$dir/rpid")
for ((i = 0; i < 100; i++)); do
	c=$(on "$away" cat "/proc/$rpid/comm" 2>/dev/null) || break
	[ "$c" = local_file_map ] && break
	sleep 0.1
done
[ "$c" = local_file_map ] || fail "not restored: $(cat "$dir/rst.out")"
maps=$(on "$away" grep -c "$dir/copy" "/proc/$rpid/maps") || true
[ "${maps:-0}" -ge 1 ] || fail "the restored process does not map the copy"
on "$away" kill -USR1 "$rpid"
for ((i = 0; i < 100; i++)); do
	on "$away" test -e "/proc/$rpid" || break
	sleep 0.1
done
rpid=
out=$(cat "$dir/rst.out")
[ "$out" = "local_file_map: ok" ] || fail "after the restore: $out"
echo "restored from the copy on $away: $out (its maps name the copy: a gap of doc/state.md)"
