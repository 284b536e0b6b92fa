#!/bin/bash
# test: what a migrated process uses away from home is counted at home: its parent's wait4() gets the CPU time and peak memory it used on the other node (what Slurm's accounting records), its /proc/PID/stat at home (ps, top, jobacct_gather) grows while it runs there, and sstat shows it for a migrated Slurm task
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"

dir=$SSI_LAB_WORK/usage.$$
cleanup() {
	# a run that went wrong must not outlive the test
	on "$home" pkill -KILL -f "$dir/" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
mkdir -p "$dir"
# The child spins (CPU time) until the file go exists, then fills 96 MiB
# and spins 3 s more (or as many as its second argument says): work done
# only on the node it was moved to.
cat >"$dir/child.py" <<'PY'
import os, sys, time
def spin(s):
    end = time.process_time() + s
    while time.process_time() < end:
        pass
while not os.path.exists(sys.argv[1]):
    spin(0.05)
block = b"\x01" * (96 << 20)
spin(float(sys.argv[2]) if len(sys.argv) > 2 else 3.0)
PY
# Its parent, at home, prints what wait4() says of it.
cat >"$dir/parent.py" <<'PY'
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp("python3", ["python3", sys.argv[1] + "/child.py", sys.argv[1] + "/go"])
with open(sys.argv[1] + "/pid.tmp", "w") as f:
    f.write(str(pid))
os.rename(sys.argv[1] + "/pid.tmp", sys.argv[1] + "/pid")
_, st, ru = os.wait4(pid, 0)
print("status %d cpu %.2f maxrss %d" % (st, ru.ru_utime + ru.ru_stime, ru.ru_maxrss))
PY
on "$home" bash -c "setsid python3 '$dir/parent.py' '$dir' </dev/null >'$dir/out' 2>&1 &"
for ((i = 0; i < 100; i++)); do
	[ -s "$dir/pid" ] && break
	sleep 0.1
done
pid=$(cat "$dir/pid" 2>/dev/null) || fail "the child did not start: $(cat "$dir/out")"
sleep 1
line=$(on "$home" "$ssictl" migrate "$pid" "$away" 2>&1) || fail "ssictl migrate $pid $away: $line"
echo "$line"

# cputime PID: user + system time of PID at home, in clock ticks
cputime() {
	on "$home" cat "/proc/$1/stat" | sed 's/.*) //' | awk '{ print $12 + $13 }'
}
before=$(cputime "$pid") || fail "no /proc/$pid/stat at home"
touch "$dir/go"
# the remote node reports every second
sleep 1.5
during=$(cputime "$pid") || fail "pid $pid ended before its 3 s of work"
echo "/proc/$pid/stat at home while it runs on $away: $before then $during ticks, 1.5 s apart"
[ "$during" -gt "$before" ] || fail "its CPU time at home did not grow: $before then $during ticks"
for ((i = 0; i < 300; i++)); do
	grep -q '^status' "$dir/out" && break
	sleep 0.1
done
read -r _ status _ cpu _ maxrss < <(grep '^status' "$dir/out") ||
	fail "no line from the parent: $(cat "$dir/out")"
echo "its parent's wait4(): status $status, CPU time $cpu s, peak resident set $maxrss KiB"
[ "$status" = 0 ] || fail "it ended with status $status"
# at least the 3 s it spun away, beyond what it had used when it left
awk -v c="$cpu" -v b="$before" -v t="$(on "$home" getconf CLK_TCK)" \
	'BEGIN { exit !(c >= b / t + 2.9) }' ||
	fail "wait4() counts $cpu s of CPU time: not the 3 s it spun on $away (it had $before ticks when it left)"
[ "$maxrss" -ge $((96 * 1024)) ] || fail "wait4() says its peak was $maxrss KiB: not the 96 MiB it filled on $away"

# Under Slurm: a step's task, migrated, is charged to its deputy, which is
# what sstat shows (jobacct_gather/linux reads /proc/PID/stat at home).
rm -f "$dir/go"
job=$(slurm sbatch --parsable --ssi-migratable -w "$home" --chdir "$dir" -o "$dir/job.out" \
	--wrap "srun python3 $dir/child.py $dir/go 5") || fail "sbatch"
pid=
for ((i = 0; i < 150; i++)); do
	pid=$(on "$home" "$ssictl" --json show tasks |
		jq -r --argjson j "$job" '.tasks[] | select(.job == $j and .step < 4294967280) | .pid')
	[ -n "$pid" ] && break
	sleep 0.2
done
[ -n "$pid" ] || fail "job $job: its task was not registered on $home"
sleep 1
line=$(on "$home" "$ssictl" migrate "$pid" "$away" 2>&1) || fail "ssictl migrate $pid $away: $line"
before=$(cputime "$pid") || fail "no /proc/$pid/stat at home"
touch "$dir/go"
# MinCPU of a step of one task: its CPU time, [[DD-]HH:]MM:SS, whole
# seconds; it must grow by 2 s beyond what the task had when it left,
# which only the charges of what it spins on $away can do (5 s of CPU:
# some 6 s under TCG; the reports come every second)
tck=$(on "$home" getconf CLK_TCK)
for ((i = 0; i < 8; i++)); do
	sleep 1
	cpu=$(slurm sstat -n -P -j "$job.0" -o MinCPU) || fail "sstat -j $job.0: $cpu"
	secs=$(awk -F'[-:]' '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }' <<<"$cpu")
	awk -v c="$secs" -v b="$before" -v t="$tck" 'BEGIN { exit !(c >= b / t + 2) }' && break
done
echo "job $job: sstat says its task used $cpu ($secs s) of CPU, $((i + 1)) s after go; it had $before ticks when it left"
awk -v c="$secs" -v b="$before" -v t="$tck" 'BEGIN { exit !(c >= b / t + 2) }' ||
	fail "sstat counts $cpu of CPU time: not what it spun on $away"
for ((i = 0; i < 300; i++)); do
	[ -z "$(slurm squeue -h -j "$job" 2>/dev/null)" ] && break
	sleep 0.2
done
st=$(slurm scontrol show job "$job" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
[ "$st" = COMPLETED ] || fail "job $job ended $st: $(cat "$dir/job.out")"
