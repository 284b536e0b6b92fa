#!/bin/bash
# test: soft-RoCE: rxe0 on every node, and RC ping-pong between two nodes
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

read -ra nodes <<<"$SSI_LAB_NODES"
for n in "${nodes[@]}"; do
	out=$(on "$n" ibv_devices) || fail "$n: ibv_devices failed"
	grep -qw rxe0 <<<"$out" || fail "$n: no rxe0 in ibv_devices"
	out=$(on "$n" rdma link show rxe0/1) || fail "$n: rdma link show failed"
	grep -q 'state ACTIVE' <<<"$out" || fail "$n: rxe0 not ACTIVE"
done
echo "rxe0 active on ${nodes[*]}"
[ ${#nodes[@]} -ge 2 ] || exit 0

# ~2 ms per iteration under TCG; 200 iterations take well under a second.
srv=${nodes[0]} cli=${nodes[1]}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
on "$srv" timeout 60 ibv_rc_pingpong -d rxe0 -g 1 -n 200 >"$tmp" 2>&1 &
spid=$!
ok=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
	sleep 0.5
	if on "$cli" timeout 60 ibv_rc_pingpong -d rxe0 -g 1 -n 200 "$srv"; then
		ok=1
		break
	fi
done
wait "$spid" || ok=0
sed 's/^/server: /' "$tmp"
[ $ok = 1 ] || fail "ibv_rc_pingpong $cli -> $srv failed"
