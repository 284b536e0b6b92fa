#!/bin/bash
# test: what a migrated process uses away from home is counted at home: its parent's wait4() gets the CPU time and peak memory it used on the other node (what Slurm's accounting records), its /proc/PID/stat at home (ps, top, jobacct_gather) grows while it runs there, its memory figures at home (status, statm, stat, ps) are what it holds there and its own again once home, and sstat shows both for a migrated Slurm task
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
# and spins 3 s more (or as many as its second argument says: 5 here):
# work done only on the node it was moved to.
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
    os.execvp("python3", ["python3", sys.argv[1] + "/child.py", sys.argv[1] + "/go", "5"])
with open(sys.argv[1] + "/pid.tmp", "w") as f:
    f.write(str(pid))
os.rename(sys.argv[1] + "/pid.tmp", sys.argv[1] + "/pid")
_, st, ru = os.wait4(pid, 0)
print("status %d cpu %.2f maxrss %d" % (st, ru.ru_utime + ru.ru_stime, ru.ru_maxrss))
PY
# start_py SCRIPT WHAT: run $dir/SCRIPT $dir on $home, in the background;
# pid gets what it writes into $dir/pid.
start_py() {
	rm -f "$dir/pid"
	on "$home" bash -c "setsid python3 '$dir/$1' '$dir' </dev/null >'$dir/out' 2>&1 &"
	for ((i = 0; i < 100; i++)); do
		[ -s "$dir/pid" ] && break
		sleep 0.1
	done
	pid=$(cat "$dir/pid" 2>/dev/null) || fail "$2 did not start: $(cat "$dir/out")"
}
start_py parent.py "the child"
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
during=$(cputime "$pid") || fail "pid $pid ended before its 5 s of work"
echo "/proc/$pid/stat at home while it runs on $away: $before then $during ticks, 1.5 s apart"
[ "$during" -gt "$before" ] || fail "its CPU time at home did not grow: $before then $during ticks"

# The 96 MiB it holds on $away, as home's readers of its memory figures
# see them: /proc/PID/status, statm, stat (ps, top, jobacct_gather).
# status_kb KEY: the KiB of line KEY of its /proc/PID/status at home
status_kb() {
	awk -v k="$1:" '$1 == k { print $2 }' <<<"$status"
}
want=$((96 * 1024))
for ((i = 0; i < 40; i++)); do
	status=$(on "$home" cat "/proc/$pid/status") || fail "pid $pid ended before its 5 s of work"
	[ "$(status_kb VmRSS)" -ge "$want" ] && break
	sleep 0.1
done
rss=$(status_kb VmRSS) anon=$(status_kb RssAnon) hwm=$(status_kb VmHWM)
size=$(status_kb VmSize) peak=$(status_kb VmPeak)
echo "/proc/$pid/status at home: VmRSS $rss RssAnon $anon VmHWM $hwm VmSize $size VmPeak $peak (KiB)"
[ "$rss" -ge "$want" ] || fail "VmRSS at home is $rss KiB: not the 96 MiB it holds on $away"
[ "$anon" -ge "$want" ] || fail "RssAnon at home is $anon KiB: not the 96 MiB it holds on $away"
[ "$hwm" -ge "$rss" ] || fail "VmHWM $hwm KiB is below VmRSS $rss KiB"
[ "$size" -ge "$rss" ] || fail "VmSize $size KiB is below VmRSS $rss KiB"
[ "$peak" -ge "$size" ] || fail "VmPeak $peak KiB is below VmSize $size KiB"
page_kb=$(($(on "$home" getconf PAGESIZE) / 1024))
read -r vsz_pages rss_pages _ < <(on "$home" cat "/proc/$pid/statm")
stat_rss=$(on "$home" cat "/proc/$pid/stat" | sed 's/.*) //' | awk '{ print $22 }')
ps_rss=$(on "$home" ps -o rss= -p "$pid" | tr -d ' ')
echo "at home: statm $vsz_pages $rss_pages pages, stat rss $stat_rss pages, ps rss $ps_rss KiB"
[ $((rss_pages * page_kb)) -ge "$want" ] || fail "/proc/$pid/statm says $rss_pages resident pages at home"
[ $((stat_rss * page_kb)) -ge "$want" ] || fail "/proc/$pid/stat says $stat_rss resident pages at home"
[ "$ps_rss" -ge "$want" ] || fail "ps says $ps_rss KiB resident at home"
# killing the deputy would free none of it: home's OOM killer passes it over
oom=$(on "$home" cat "/proc/$pid/oom_score")
[ "$oom" = 0 ] || fail "its oom_score at home is $oom: the OOM killer there would take it for 96 MiB it could free"
for ((i = 0; i < 300; i++)); do
	grep -q '^status' "$dir/out" && break
	sleep 0.1
done
read -r _ status _ cpu _ maxrss < <(grep '^status' "$dir/out") ||
	fail "no line from the parent: $(cat "$dir/out")"
echo "its parent's wait4(): status $status, CPU time $cpu s, peak resident set $maxrss KiB"
[ "$status" = 0 ] || fail "it ended with status $status"
# at least the 5 s it spun away, beyond what it had used when it left
awk -v c="$cpu" -v b="$before" -v t="$(on "$home" getconf CLK_TCK)" \
	'BEGIN { exit !(c >= b / t + 4.9) }' ||
	fail "wait4() counts $cpu s of CPU time: not the 5 s it spun on $away (it had $before ticks when it left)"
[ "$maxrss" -ge $((96 * 1024)) ] || fail "wait4() says its peak was $maxrss KiB: not the 96 MiB it filled on $away"

# Coming home, the deputy's counters are the process's own again: what it
# holds at home (the 96 MiB, now here), and nothing more once it frees it.
# A process ended away leaves its deputy's counters as the kernel wants
# them (a "Bad rss-counter state" on the console fails the test).
rm -f "$dir/go"
cat >"$dir/back.py" <<'PY'
import os, sys, time
with open(sys.argv[1] + "/pid.tmp", "w") as f:
    f.write(str(os.getpid()))
os.rename(sys.argv[1] + "/pid.tmp", sys.argv[1] + "/pid")
while not os.path.exists(sys.argv[1] + "/go"):
    time.sleep(0.05)
block = b"\x01" * (96 << 20)
while not os.path.exists(sys.argv[1] + "/free"):
    time.sleep(0.05)
del block
while not os.path.exists(sys.argv[1] + "/end"):
    time.sleep(0.05)
PY
start_py back.py back.py
line=$(on "$home" "$ssictl" migrate "$pid" "$away" 2>&1) || fail "ssictl migrate $pid $away: $line"
touch "$dir/go"
for ((i = 0; i < 50; i++)); do
	status=$(on "$home" cat "/proc/$pid/status") || fail "back.py ended: $(cat "$dir/out")"
	[ "$(status_kb VmRSS)" -ge "$want" ] && break
	sleep 0.1
done
[ "$(status_kb VmRSS)" -ge "$want" ] || fail "back.py's VmRSS at home is $(status_kb VmRSS) KiB while it holds 96 MiB on $away"
line=$(on "$home" "$ssictl" migrate "$pid" "$home" 2>&1) || fail "ssictl migrate $pid $home: $line"
status=$(on "$home" cat "/proc/$pid/status")
home_rss=$(status_kb VmRSS)
echo "back.py home again: VmRSS $home_rss KiB, oom_score $(on "$home" cat "/proc/$pid/oom_score")"
[ "$home_rss" -ge "$want" ] || fail "home again, its VmRSS is $home_rss KiB: not the 96 MiB it holds"
[ "$home_rss" -lt $((want * 2)) ] || fail "home again, its VmRSS is $home_rss KiB: what was shown of it away is counted twice"
[ "$(on "$home" cat "/proc/$pid/oom_score")" -gt 0 ] || fail "home again, the OOM killer still passes it over"
touch "$dir/free"
for ((i = 0; i < 50; i++)); do
	status=$(on "$home" cat "/proc/$pid/status")
	[ "$(status_kb VmRSS)" -lt "$want" ] && break
	sleep 0.1
done
echo "back.py freed its 96 MiB at home: VmRSS $(status_kb VmRSS) KiB"
[ "$(status_kb VmRSS)" -lt "$want" ] || fail "it freed its 96 MiB at home, and VmRSS is still $(status_kb VmRSS) KiB"
# away once more, and it ends there with its memory shown at home
line=$(on "$home" "$ssictl" migrate "$pid" "$away" 2>&1) || fail "ssictl migrate $pid $away: $line"
rm -f "$dir/free"
touch "$dir/end"
for ((i = 0; i < 100; i++)); do
	on "$home" test -e "/proc/$pid" || break
	sleep 0.1
done
on "$home" test -e "/proc/$pid" && fail "back.py did not end on $away"

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
# and the 96 MiB it filled there (MaxRSS: K, M or G)
maxrss=$(slurm sstat -n -P -j "$job.0" -o MaxRSS) || fail "sstat -j $job.0: $maxrss"
kb=$(awk '{ v = $1 + 0; u = substr($1, length($1)); if (u == "M") v *= 1024; else if (u == "G") v *= 1048576; print int(v) }' <<<"$maxrss")
echo "job $job: sstat says its task's MaxRSS is $maxrss ($kb KiB)"
[ "$kb" -ge "$want" ] || fail "sstat says MaxRSS $maxrss: not the 96 MiB its task filled on $away"
for ((i = 0; i < 300; i++)); do
	[ -z "$(slurm squeue -h -j "$job" 2>/dev/null)" ] && break
	sleep 0.2
done
st=$(slurm scontrol show job "$job" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
[ "$st" = COMPLETED ] || fail "job $job ended $st: $(cat "$dir/job.out")"
