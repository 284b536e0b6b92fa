#!/bin/bash
# test: a migration that cannot happen is refused with a clear reason and the process continues at home, losing nothing
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"

# A private mapping of a file deleted since it was mapped (a file that
# exists only at home travels: test/zdtm-ssid/map_local): refused, naming
# it, before anything moves.
map=/tmp/ssi-mig-map.$$
on "$home" sh -c "head -c 8192 /dev/urandom >$map"
mig_start local 4 3 SSI_TEST_MAP=$map
on "$home" rm -f "$map"
if out=$(on "$home" "$ssictl" migrate "$pid" "$away" 2>&1); then
	fail "migrating a process that maps a deleted file succeeded: $out"
fi
echo "refused: $out"
grep -q "continues on this node" <<<"$out" || fail "the refusal does not say the process stays: $out"
grep -qi "deleted file" <<<"$out" || fail "the refusal does not name the file problem: $out"
# Still running at home, not frozen: it finishes normally.
on "$home" test -d "/proc/$pid" || fail "pid $pid is gone after the refusal"
mig_finish
grep -qx 'memory intact (0 bad words of 524288)' "$dir/stdout" || fail "after the refusal: $(cat "$dir/stdout")"
[ "$status" = status=3 ] || fail "exit $status, expected 3"
on "$home" rm -f "$map"

# A thread in vfork (its child shares the memory until it execs or exits):
# refused at once, before the freeze, naming it; the process goes on.
mig_start vfork 1 0 SSI_TEST_VFORK=20
sleep 0.5	# the thread has vforked
t0=$SECONDS
if out=$(on "$home" "$ssictl" migrate "$pid" "$away" 2>&1); then
	fail "migrating a process with a thread in vfork succeeded: $out"
fi
echo "refused: $out"
grep -q "vfork" <<<"$out" || fail "the refusal does not name the vfork: $out"
[ $((SECONDS - t0)) -lt 5 ] || fail "the refusal took $((SECONDS - t0)) s: not before the freeze"
on "$home" test -d "/proc/$pid" || fail "pid $pid is gone after the refusal"
mig_finish
grep -qx 'memory intact (0 bad words of 131072)' "$dir/stdout" || fail "after the refusal: $(cat "$dir/stdout")"
[ "$status" = status=0 ] || fail "exit $status after the vfork refusal"

# Requests that cannot be served get clear errors.
mig_start errs 1 0
out=$(on "$home" "$ssictl" migrate "$pid" nosuchnode 2>&1) && fail "migrate to nosuchnode: $out"
echo "$out"
grep -q no_such_node <<<"$out" || fail "$out"
out=$(on "$home" "$ssictl" migrate "$pid" "$home" 2>&1) && fail "migrate to itself: $out"
echo "$out"
out=$(on "$home" "$ssictl" migrate 999999 "$away" 2>&1) && fail "migrate of no process: $out"
echo "$out"
grep -q no_such_process <<<"$out" || fail "$out"
# A user may not move another user's process (this one is root's).
out=$(on "$home" setpriv --reuid=65534 --regid=65534 --clear-groups "$ssictl" migrate "$pid" "$away" 2>&1) &&
	fail "nobody migrated root's process: $out"
echo "$out"
grep -q permission_denied <<<"$out" || fail "$out"
mig_finish
[ "$status" = status=0 ] || fail "exit $status after the refused requests"
for n in "$home" "$away"; do
	left=$(on "$n" "$ssictl" --json show procs | jq '.procs | length')
	[ "$left" = 0 ] || fail "$n still lists $left migrated processes"
done
