#!/bin/bash
# test: pull-home: a migrated process that forks and execs (python3's os.system) goes home by itself and the call runs there, with the output of an unmigrated run
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"

data=$SSI_LAB_WORK/mig.$$.pull
mig_dirs+=("$data")
mkdir -p "$data"
cat >"$data/t.py" <<'PY'
import os, sys, time
go = sys.argv[1]
print("pid before=%d" % os.getpid(), flush=True)
while not os.path.exists(go):
    time.sleep(0.05)
s = sum(i * i for i in range(300000))
print("sum", s, flush=True)
# fork + exec (posix_spawn): only the home node can do that
r = os.system("[ $PPID = %d ] && echo child of its parent on $(uname -n)" % os.getpid())
print("system returned", r, flush=True)
print("pid after=%d" % os.getpid(), flush=True)
sys.exit(4)
PY

# run TAG MOVE: the script to its end (what it printed in $out); with
# MOVE=1 migrated before go.
run() {
	mig_cmd "$1" python3 "$data/t.py" "$SSI_LAB_WORK/mig.$$.$1/go"
	for ((i = 0; i < 100; i++)); do
		grep -q '^pid before=' "$dir/stdout" 2>/dev/null && break
		sleep 0.1
	done
	if [ "$2" = 1 ]; then
		on "$home" "$ssictl" migrate "$pid" "$away" || fail "migrate $pid $away"
	fi
	touch "$dir/go"
	mig_wait 120
	out=$(sed -e 's/^pid \(before\|after\)=[0-9]*$/pid \1=P/' "$dir/stdout"; echo "--- $status")
}

run ref 0
ref=$out
before=$(mig_pull_home_lines | wc -l)
run moved 1
moved=$out
b=$(sed -n 's/^pid before=//p' "$dir/stdout")
a=$(sed -n 's/^pid after=//p' "$dir/stdout")
[ -n "$b" ] && [ "$b" = "$a" ] || fail "getpid() changed: $b, then $a"
if [ "$ref" != "$moved" ]; then
	diff <(echo "$ref") <(echo "$moved") || true
	fail "the migrated run's output differs from the unmigrated run's"
fi
grep "child of its parent on $home" <<<"$moved" || fail "the child did not run on $home"
after=$(mig_pull_home_lines | wc -l)
[ "$after" -gt "$before" ] || fail "$away did not log a pull-home"
mig_pull_home_lines | tail -n $((after - before))
for n in "$home" "$away"; do
	left=$(on "$n" "$ssictl" --json show procs | jq '.procs | length')
	[ "$left" = 0 ] || fail "$n still lists $left migrated processes"
done
echo "$moved" | tail -n 3
