#!/bin/bash
# test: a user migrates their own task of a Slurm job (not an unregistered process); it runs remotely with their credentials, others' processes stay out of reach
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"

as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
# its directory and stdin made before mig_start, so that nobody can use them
dir=$SSI_LAB_WORK/mig.$$.user
mkdir -p "$dir"
chmod 777 "$dir"
head -c 100000 /dev/urandom >"$dir/stdin"
chmod 644 "$dir/stdin"
MIG_AS="${as_nobody[*]}" mig_start user 4 9
# a user moves only tasks of Slurm jobs, which slurmstepd (root) registers
out=$(on "$home" "${as_nobody[@]}" "$ssictl" migrate "$pid" "$away" 2>&1) &&
	fail "nobody migrated a process that is no job's task"
grep -q "not a registered task of a Slurm job" <<<"$out" || fail "refused, but: $out"
on "$home" "$ssictl" register "$pid" job=25 step=0 task=0 >/dev/null || fail "register $pid"
on "$home" "${as_nobody[@]}" "$ssictl" migrate "$pid" "$away" || fail "nobody could not migrate its own task"
procs=$(on "$away" "${as_nobody[@]}" "$ssictl" --json show procs)
lpid=$(jq --argjson p "$pid" '.procs[] | select(.pid == $p) | .local_pid' <<<"$procs")
[ -n "$lpid" ] || fail "nobody does not see its process on $away: $procs"
uids=$(on "$away" sed -n 's/^Uid:\s*//p' "/proc/$lpid/status")
gids=$(on "$away" sed -n 's/^Gid:\s*//p' "/proc/$lpid/status")
echo "on $away: pid $lpid, Uid: $uids, Gid: $gids"
[ "$(tr -s '\t ' ' ' <<<"$uids")" = "65534 65534 65534 65534" ] || fail "remote uids: $uids"
[ "$(tr -s '\t ' ' ' <<<"$gids")" = "65534 65534 65534 65534" ] || fail "remote gids: $gids"
mig_finish
[ "$status" = status=9 ] || fail "exit $status, expected 9"
grep -qx 'memory intact (0 bad words of 524288)' "$dir/stdout" || fail "$(cat "$dir/stdout")"
[ "$(stat -c %U "$dir/out")" = nobody ] || fail "the file it wrote belongs to $(stat -c %U "$dir/out")"
echo "exit 9, memory intact, its file owned by nobody"
