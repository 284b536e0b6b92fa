#!/bin/bash
# test: the transport's verbs plugin over soft-RoCE: every size class echoed intact (frames authenticated, and encrypted), and its speed beside plain TCP and against unprotected frames
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

read -ra nodes <<<"$SSI_LAB_NODES"
[ ${#nodes[@]} -ge 2 ] || fail "needs 2 nodes"
srv=${nodes[0]} cli=${nodes[1]}
bench=$SSI_BUILDDIR/transport/ssi-tp-bench
plugins=$SSI_BUILDDIR/transport/.libs
[ -x "$bench" ] || fail "$bench is not built"
log=$SSI_LAB_WORK/r-02.server

# The server runs until the check and the benchmark are done, then is
# stopped.  Every step has its own deadline, so a hang fails in minutes,
# not at the runner's: the client gives up by itself when the server has
# not answered for -T seconds, saying what it waited for and where the
# connection stood; `timeout` is the backstop (SIGTERM: the bench tears
# its RDMA objects down in order; -k: SIGKILL if even that hangs).
# The server asks for no frame protection: each client's choice applies.
on "$srv" timeout -k 5 300 "$bench" server -p verbs -d "$plugins" -P 7077 -Q 7078 -s none -v \
	>"$log" 2>&1 &
spid=$!
trap 'kill $spid 2>/dev/null; on_for 30 "$srv" pkill -f "ssi-tp-bench server" || true' EXIT

# on_for SECONDS NODE CMD...: `on`, bounded on the host too: a node whose
# network died (its virtio-net TX queue stalled once) never answers, and
# the timeout inside the node then cannot report back.
on_for() {
	local t=$1
	shift
	timeout -k 5 "$t" "$SSI_LAB" exec "$1" -- "${@:2}"
}

# the server's side of a failure: its log (connections and why they ended)
server_log() {
	echo "server log (last 20 lines):"
	tail -n 20 "$log" | sed 's/^/  /'
}

# The checks run verbose: a connection that ends says why (the verbs
# work request and its completion status), not only "System call failed".
# Retried only while the server may still be starting (its CM listener
# comes up a moment after the command is sent), and for 60 s at most.
ok=0
start=$SECONDS
while :; do
	sleep 0.5
	if on_for 100 "$cli" timeout -k 5 90 "$bench" check "$srv" -p verbs -d "$plugins" -P 7077 -Q 7078 \
		-T 30 -v >"$SSI_LAB_WORK/r-02.check" 2>&1; then
		ok=1
		break
	fi
	grep -q "cannot connect" "$SSI_LAB_WORK/r-02.check" || break
	[ $((SECONDS - start)) -lt 60 ] || break
done
cat "$SSI_LAB_WORK/r-02.check"
[ $ok = 1 ] || { server_log; fail "ssi-tp-bench check over verbs ($cli -> $srv) failed"; }
# the same with encrypted frames: bulk ciphertext moved by RDMA READ
on_for 100 "$cli" timeout -k 5 90 "$bench" check "$srv" -p verbs -d "$plugins" -P 7077 -Q 7078 \
	-s encrypt -T 30 -v || { server_log; fail "ssi-tp-bench check over verbs with encrypted frames failed"; }

# A benchmark prints, it does not assert: verbs beside plain TCP, same run.
on_for 130 "$cli" timeout -k 5 120 "$bench" client "$srv" -p verbs -d "$plugins" -P 7077 -Q 7078 \
	-i 300 -t 1 -r 1 -T 30 || echo "(benchmark did not complete; not a failure)"
on_for 130 "$cli" timeout -k 5 120 "$bench" protect "$srv" -p verbs -d "$plugins" -P 7077 \
	-t 0.5 -r 1 -T 30 || echo "(protection benchmark did not complete; not a failure)"
