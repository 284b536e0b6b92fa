#!/bin/bash
# test: POSIX timers travel: a process that has one migrates and its timer fires as in an unmigrated run; timer_create after the move runs where the process is (no pull-home); one on another process's CPU-time clock is refused with a clear reason and the process runs on at home (one on its own travels: test/zdtm-ssid/cpu_timer)
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"

data=$SSI_LAB_WORK/mig.$$.timer
mig_dirs+=("$data")
mkdir -p "$data"
# t.py GO EARLY: timer_create through ctypes (no Python module has it);
# EARLY=1 makes the timer before "ready", EARLY=2 too and also one on the
# CPU-time clock of its parent (never armed), else after GO appears.  The timer
# sends SIGALRM (a NULL sigevent), 50 ms after it is armed.
cat >"$data/t.py" <<'PY'
import ctypes, os, signal, sys, time
go, early = sys.argv[1], sys.argv[2] != "0"
rt = ctypes.CDLL("librt.so.1", use_errno=True)
class ts(ctypes.Structure):
    _fields_ = [("sec", ctypes.c_long), ("nsec", ctypes.c_long)]
class its(ctypes.Structure):
    _fields_ = [("interval", ts), ("value", ts)]
fired = []
signal.signal(signal.SIGALRM, lambda s, f: fired.append(s))
tid = ctypes.c_void_p()
def make():
    if rt.timer_create(1, None, ctypes.byref(tid)):   # CLOCK_MONOTONIC
        sys.exit("timer_create: %s" % os.strerror(ctypes.get_errno()))
if early:
    make()
if sys.argv[2] == "2":
    cpu = ctypes.c_void_p()
    # make_process_cpuclock(ppid, CPUCLOCK_SCHED): the parent's CPU clock
    if rt.timer_create(ctypes.c_int((~os.getppid() << 3) | 2), None, ctypes.byref(cpu)):
        sys.exit("timer_create: %s" % os.strerror(ctypes.get_errno()))
print("pid before=%d" % os.getpid(), flush=True)
while not os.path.exists(go):
    time.sleep(0.05)
if not early:
    make()
if rt.timer_settime(tid, 0, ctypes.byref(its(ts(0, 0), ts(0, 50000000))), None):
    sys.exit("timer_settime: %s" % os.strerror(ctypes.get_errno()))
while not fired:
    signal.pause()
rt.timer_delete(tid)
print("timer fired: signal", fired[0], flush=True)
print("pid after=%d" % os.getpid(), flush=True)
sys.exit(5)
PY

# run TAG MOVE EARLY: the script to its end (what it printed in $out);
# with MOVE=1 migrated (or refused, with EARLY=2) before go.
run() {
	mig_cmd "$1" python3 "$data/t.py" "$SSI_LAB_WORK/mig.$$.$1/go" "$3"
	for ((i = 0; i < 100; i++)); do
		grep -q '^pid before=' "$dir/stdout" 2>/dev/null && break
		sleep 0.1
	done
	if [ "$2" = 1 ] && [ "$3" = 2 ]; then
		! res=$(on "$home" "$ssictl" migrate "$pid" "$away" 2>&1) ||
			fail "a process with a POSIX timer on another's CPU clock was migrated: $res"
		echo "refused: $res"
		grep -q "POSIX timer on another process's CPU clock" <<<"$res" ||
			fail "the refusal does not say why: $res"
		on "$home" test -d "/proc/$pid" || fail "the refused process is gone"
	elif [ "$2" = 1 ]; then
		on "$home" "$ssictl" migrate "$pid" "$away" || fail "migrate $pid $away"
	fi
	touch "$dir/go"
	mig_wait 120
	out=$(sed -e 's/^pid \(before\|after\)=[0-9]*$/pid \1=P/' "$dir/stdout"; echo "--- $status")
}

run ref 0 0
ref=$out
echo "$ref"
grep -q "timer fired: signal 14" <<<"$ref" || fail "the unmigrated run's timer did not fire"
run cpu 1 2
[ "$out" = "$ref" ] || fail "the refused process's output differs: $out"
before=$(mig_pull_home_lines | wc -l)
run early 1 1
[ "$out" = "$ref" ] || { diff <(echo "$ref") <(echo "$out") || true; fail "the migrated timer's run differs"; }
run late 1 0
[ "$out" = "$ref" ] || { diff <(echo "$ref") <(echo "$out") || true; fail "the run that made its timer away differs"; }
after=$(mig_pull_home_lines | wc -l)
[ "$after" = "$before" ] || { mig_pull_home_lines | tail -n $((after - before)); fail "$away pulled a process with a timer home"; }
for n in "$home" "$away"; do
	left=$(on "$n" "$ssictl" --json show procs | jq '.procs | length')
	[ "$left" = 0 ] || fail "$n still lists $left migrated processes"
done
