#!/bin/bash
# test: a node short of memory (MemoryLowWater) gets its migratable task (policy auto, 200 MiB) moved by the automatic balancer to a node with room before the OOM killer acts; a memory hog that is no Slurm task stays and is not killed; the task's memory is intact where it lands and its job completes
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"
# shellcheck source=test/lab/balance-lib.sh
. "$(dirname "$0")/balance-lib.sh"

d=$SSI_LAB_WORK/mem.$$
mig_dirs+=("$d")
mkdir -p "$d"
go=$d/go
conf=/etc/ssi/ssi.conf
low=25		# per cent: well above what the OOM killer needs
cleanup() {
	[ -z "$job" ] || slurm scancel "$job" 2>/dev/null || true
	touch "$d/hog-stop" "$go" 2>/dev/null
	on "$home" sh -c "sed -i '/^MemoryLowWater=/d' $conf && pkill -HUP -x ssid" || true
	mig_cleanup
}
trap cleanup EXIT

# The low water set on $home, applied at once by SIGHUP.
on "$home" sh -c "echo MemoryLowWater=$low >>$conf && pkill -HUP -x ssid" ||
	fail "cannot set MemoryLowWater on $home"
log=$SSI_LAB_WORK/../share/log/ssid-$home.log
for ((i = 0; i < 50; i++)); do
	grep -q "SIGHUP.*MemoryLowWater" "$log" 2>/dev/null && break
	sleep 0.1
done
grep "SIGHUP.*MemoryLowWater" "$log" | tail -1 || fail "ssid on $home did not apply MemoryLowWater=$low"

# A task of 200 MiB that sleeps (no load to balance) until $d/go exists,
# then checks its memory.
cat >"$d/mem-task.py" <<'EOF'
import hashlib, os, time
mib = 200
buf = bytearray(os.urandom(1 << 20)) * mib
want = hashlib.sha256(buf).hexdigest()
print(f"mem task: started, pid {os.getpid()}, {mib} MiB", flush=True)
while not os.path.exists(os.environ["MEM_UNTIL"]):
    time.sleep(0.2)
ok = hashlib.sha256(buf).hexdigest() == want
print(f"mem task: {mib} MiB {'intact' if ok else 'CHANGED'}", flush=True)
EOF
job=$(slurm sbatch --parsable --ssi-migratable=auto -w "$home" -n1 --chdir "$d" \
	-o "$d/job-%j.out" --export=ALL,MEM_UNTIL="$go" \
	--wrap "srun -n1 python3 $d/mem-task.py")
[ -n "$job" ] || fail "sbatch failed"
out=$d/job-$job.out
for ((i = 0; i < 300; i++)); do
	grep -q ': started' "$out" 2>/dev/null && break
	sleep 0.2
done
grep -q ': started' "$out" || fail "job $job: its task did not start"
sleep 12	# settled, and not moved for its load
[ "$(bal_tasks | awk '{ print $2 }')" = "$home" ] || fail "the task moved with memory to spare: $(bal_tasks)"

# A hog (not Slurm's, not migratable) takes $home below its low water
# (to 20 % available), and holds it until $d/hog-stop exists.
cat >"$d/hog.py" <<'EOF'
import os, sys, time
def meminfo(key):
    for line in open("/proc/meminfo"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) >> 10
target = meminfo("MemTotal") * int(sys.argv[1]) // 100
chunks = []
while meminfo("MemAvailable") > target:
    chunks.append(bytearray(16 << 20))
    for i in range(0, 16 << 20, 4096):
        chunks[-1][i] = 1
print(f"hog: holding {16 * len(chunks)} MiB, {meminfo('MemAvailable')} MiB available", flush=True)
while not os.path.exists(sys.argv[2]):
    time.sleep(0.2)
EOF
on "$home" sh -c "setsid python3 $d/hog.py 20 $d/hog-stop >$d/hog.out 2>&1 </dev/null &"
for ((i = 0; i < 150; i++)); do
	grep -q '^hog: holding' "$d/hog.out" 2>/dev/null && break
	sleep 0.2
done
cat "$d/hog.out"
grep -q '^hog: holding' "$d/hog.out" || fail "the hog did not start"
t0=$SECONDS
for ((i = 0; i < 60; i++)); do
	where=$(bal_tasks | awk '{ print $2 }')
	[ -n "$where" ] && [ "$where" != "$home" ] && break
	sleep 1
done
if [ -z "$where" ] || [ "$where" = "$home" ]; then
	fail "the task was not moved off $home short of memory: $(bal_tasks)"
fi
echo "measured: moved to $where $((SECONDS - t0)) s after the hog took $home below its low water"
grep -h "below its low water" "$log" | tail -1 || fail "ssid on $home did not log why it moved the task"
on "$home" pgrep -f "hog.py" >/dev/null || fail "the hog is gone (killed?)"
! on "$home" sh -c "dmesg | grep -q 'Out of memory'" || fail "the OOM killer acted on $home"
sleep 10	# it stays away while the hog holds on
[ "$(bal_tasks | awk '{ print $2 }')" = "$where" ] || fail "the task did not stay on $where: $(bal_tasks)"

touch "$d/hog-stop"
bal_finish "mem task: 200 MiB intact"
job=
