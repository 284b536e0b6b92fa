#!/bin/bash
# test: ssictl mon, driven in tmux on a node, shows every node with a load bar and a migration in progress (its bar and sizes), then the process away; q ends it and gives the terminal back; without a terminal it prints the frames asked for
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"

dir=$SSI_LAB_WORK/mon.$$
sess=ssi-mon-$$
cleanup() {
	on "$home" tmux kill-session -t "$sess" >/dev/null 2>&1 || true
	on "$home" pkill -KILL -f "$dir/" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
mkdir -p "$dir"
# 200 MiB to move: seconds of image on the wire, for the monitor to show
cat >"$dir/big.py" <<'PY'
import os, sys, time
block = bytearray(200 << 20)
for i in range(0, len(block), 4096):
    block[i] = 1
open(sys.argv[1] + ".tmp", "w").write(str(os.getpid()))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    time.sleep(0.2)
PY
on "$home" bash -c "setsid python3 '$dir/big.py' '$dir/pid' </dev/null >'$dir/out' 2>&1 &"
for ((i = 0; i < 300; i++)); do
	[ -s "$dir/pid" ] && break
	sleep 0.1
done
pid=$(cat "$dir/pid" 2>/dev/null) || fail "the process did not start: $(cat "$dir/out")"

# screen: what the monitor shows now
screen() { on "$home" tmux capture-pane -p -t "$sess"; }
on "$home" tmux new-session -d -s "$sess" -x 120 -y 30 "$ssictl mon every=0.3" ||
	fail "tmux cannot start ssictl mon"
for ((i = 0; i < 50; i++)); do
	grep -q "^$home\\*" <<<"$(screen)" && break
	sleep 0.2
done
shown=$(screen)
for n in $SSI_LAB_NODES; do
	grep -qE "^$n\\*? +up +\\[[#.+]+\\] +[0-9.]+ " <<<"$shown" ||
		fail "mon shows no load bar of $n:"$'\n'"$shown"
done

on "$home" bash -c "setsid '$ssictl' migrate $pid $away </dev/null >'$dir/migrate.out' 2>&1 &"
moving='' away_line=''
for ((i = 0; i < 600; i++)); do
	shown=$(screen)
	line=$(grep -E "^ *$pid .* migrating " <<<"$shown" || true)
	if [ -z "$moving" ] && grep -qE '[0-9.]+ of ~[0-9.]+ MiB' <<<"$line"; then
		moving=$line
	fi
	away_line=$(grep -E "^ *$pid .* $away +deputy " <<<"$shown" || true)
	[ -n "$away_line" ] && break
	sleep 0.2
done
[ -n "$moving" ] || fail "mon never showed pid $pid on the move:"$'\n'"$shown"$'\n'"$(cat "$dir/migrate.out")"
[ -n "$away_line" ] || fail "mon never showed pid $pid away on $away:"$'\n'"$shown"$'\n'"$(cat "$dir/migrate.out")"
echo "on the move: $(tr -s ' ' <<<"$moving")"
echo "then: $(tr -s ' ' <<<"$away_line")"
grep -q "^pid $pid migrated to $away" "$dir/migrate.out" || fail "migrate: $(cat "$dir/migrate.out")"

# q: the monitor ends, the session with it
on "$home" tmux send-keys -t "$sess" q
for ((i = 0; i < 30; i++)); do
	on "$home" tmux has-session -t "$sess" 2>/dev/null || break
	sleep 0.1
done
! on "$home" tmux has-session -t "$sess" 2>/dev/null || fail "q did not end ssictl mon"

# no terminal: the frames asked for, then the end
out=$(on "$home" "$ssictl" mon count=2 every=0.2) || fail "ssictl mon count=2: $out"
[ "$(grep -cE '^slurm-ssi  [0-9]+ nodes, [0-9]+ up ' <<<"$out")" = 2 ] ||
	fail "not two frames:"$'\n'"$out"
grep -qE "^ *$pid .* $away +deputy " <<<"$out" || fail "no line of pid $pid:"$'\n'"$out"
echo "$(grep -c . <<<"$out") lines in two frames without a terminal"
