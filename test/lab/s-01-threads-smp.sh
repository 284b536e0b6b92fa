#!/bin/bash
# test: on nodes of 2 CPUs, threaded workloads migrate as units: numpy on OpenBLAS (2 threads) and an OpenMP loop migrated mid-run, as unmigrated; a Slurm job of 2 OpenMP tasks with --cpus-per-task=2 that all start on one node is spread by ssictl rebalance and completes with the right output
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"
# shellcheck source=test/lab/balance-lib.sh
. "$(dirname "$0")/balance-lib.sh"

cpus=$(on "$home" nproc)
[ "$cpus" -ge 2 ] || fail "$home has $cpus CPU: this test wants a lab of 2 CPUs per node (the smp tier)"

# 1. Threaded programs migrated at a random moment, compared with an
# unmigrated run (test/zdtm-ssid): numpy must really run its BLAS with
# several threads here.
zs=$SSI_SRCDIR/test/zdtm-ssid
make -s -C "$zs" >/dev/null || fail "cannot build test/zdtm-ssid"
for t in numpy_matmul omp_loop; do
	delay=0.$((RANDOM % 900 + 100))
	on "$home" env SSICTL="$ssictl" NUMPY_MIN_THREADS=2 "$zs/zdtm-ssid-run.sh" "$t" "$away" "$delay" ||
		fail "$t migrated after ${delay}s differs from its unmigrated run"
done

# 2. A Slurm job of two OpenMP tasks, two CPUs each, all on $home, until
# $go exists; ssictl rebalance moves one of them, with its team.
prog=$SSI_BUILDDIR/test/lab/ssi-omp-task
[ -x "$prog" ] || fail "$prog is not built (make)"
d=$SSI_LAB_WORK/omp.$$
mig_dirs+=("$d")
mkdir -p "$d"
go=$d/go
job=$(slurm sbatch --parsable --ssi-migratable=manual -w "$home" -n2 -c2 --overcommit \
	--chdir "$d" -o "$d/job-%j.out" --export=ALL,OMP_NUM_THREADS=2 \
	--wrap "srun -n2 -c2 --overcommit $prog $go")
[ -n "$job" ] || fail "sbatch failed"
out=$d/job-$job.out
for ((i = 0; i < 300; i++)); do
	[ "$(grep -c ': started' "$out" 2>/dev/null)" = 2 ] && break
	sleep 0.2
done
[ "$(grep -c ': started, pid [0-9]*, 2 threads' "$out")" = 2 ] ||
	fail "job $job: its two tasks did not start with 2 threads each: $(cat "$out" 2>/dev/null)"
[ "$(bal_tasks | wc -l)" = 2 ] || fail "job $job: expected 2 registered tasks: $(bal_tasks)"
sleep 2		# a heartbeat or two with the load
part=$(slurm scontrol show job "$job" | sed -n 's/.* Partition=\([^ ]*\).*/\1/p')
res=$(on "$home" "$ssictl" rebalance "partition=$part") || fail "rebalance: $res"
echo "$res"
moved=$(bal_tasks | awk -v h="$home" '$2 != h { print $1 }')
[ -n "$moved" ] || fail "rebalance moved none of job $job's tasks: $(bal_tasks)"
for p in $moved; do
	# the remote node runs it with its team: two threads at least there
	n=$(on "$away" "$ssictl" --json show procs |
		jq -r --argjson p "$p" '.procs[] | select(.pid == $p) | .local_pid')
	[ -n "$n" ] || fail "$away does not run pid $p"
	th=$(on "$away" sh -c "ls /proc/$n/task | wc -l")
	[ "$th" -ge 2 ] || fail "pid $p runs on $away with $th thread(s)"
	echo "pid $p runs on $away as pid $n with $th threads"
done
bal_finish "task 0: 9592 primes below 100000, 2 threads" \
	"task 1: 17984 primes below 200000, 2 threads"
bal_nothing_left
