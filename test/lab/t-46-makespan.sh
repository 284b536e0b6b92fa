#!/bin/bash
# test: makespan benchmark: a migratable job whose CPU-bound tasks all start on one node, without rebalancing, with ssictl rebalance and with the auto balancer, beside the ideal even spread, as ratios (goal: rebalanced <= 1.15x ideal); prints, asserts only that every run computes right
# timeout: 1800
# (full form: five jobs of about a minute each on an idle host, several
# times that on a busy one; short form: four of about 20 s)
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

# A lab of its own with as many single-vCPU nodes as the host has cores
# (two at least), so that the nodes do not share a core and the ideal is
# really the work divided by the nodes.
nn=$(nproc)
[ "$nn" -ge 2 ] || nn=2
L=${SSI_LAB_NAME}-mk
ssictl=$SSI_BUILDDIR/ssid/ssictl
lon() { local n=$1; shift; "$SSI_LAB" exec --name "$L" "$n" -- "$@"; }
lslurm() { "$SSI_LAB" slurm --name "$L" -- "$@"; }
job=
cleanup() {
	[ -z "$job" ] || lslurm scancel "$job" 2>/dev/null || true
	"$SSI_LAB" down --name "$L" >/dev/null 2>&1 || true
}
trap cleanup EXIT
up=$("$SSI_LAB" up --name "$L" --nodes "$nn" --cpus 1 2>&1) || fail "up: $up"
work=$(sed -n 's/^workdir=//p' <<<"$up")
cp "$SSI_SRCDIR/contrib/lab/demo-task.py" "$work/"

# Two tasks per node, each counting the primes below a million: about 20 s
# of one TCG vCPU, long beside a migration (about a second) and the
# heartbeats the plan needs (two).  That is the full form (SSI_BENCH=full,
# the figures of doc/performance.md, where the ideal runs twice).  CI's
# short form counts below a quarter of a million, about a tenth of the
# time, and runs the ideal once: it proves the benchmark works, while a
# migration weighs more in its ratios than in the full form's.
k=$((2 * nn))
if [ "${SSI_BENCH:-short}" = full ]; then
	bound=1000000 expect="78498 primes below 1000000"
else
	bound=250000 expect="22044 primes below 250000"
fi

# run NAME POLICY SBATCH-OPTIONS... : submit, wait until every task said
# it started, run "$during" if set, wait for the end; sets makespan (s,
# srun's start to its end, measured on the node running the batch script).
run() {
	local name=$1 policy=$2 out st
	shift 2
	job=$(lslurm sbatch --parsable --ssi-migratable="$policy" "$@" -n"$k" --overcommit \
		--chdir "$work" -o "$work/mk-%j.out" --export=ALL,DEMO_BOUND=$bound \
		--wrap "t0=\$(date +%s.%N); srun -n$k --overcommit python3 $work/demo-task.py; rc=\$?
			echo \"makespan \$(echo \"\$(date +%s.%N) - \$t0\" | bc)\"; exit \$rc") ||
		fail "$name: sbatch"
	out=$work/mk-$job.out
	for ((i = 0; i < 600; i++)); do
		[ "$(grep -c ': started' "$out" 2>/dev/null)" = "$k" ] && break
		sleep 0.1
	done
	[ "$(grep -c ': started' "$out" 2>/dev/null)" = "$k" ] || fail "$name: job $job's tasks did not start"
	[ -z "${during:-}" ] || eval "$during"
	for ((i = 0; i < 3000; i++)); do
		[ -z "$(lslurm squeue -h -j "$job")" ] && break
		sleep 0.2
	done
	st=$(lslurm scontrol show job "$job" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
	[ "$st" = COMPLETED ] || fail "$name: job $job ended $st: $(cat "$out")"
	[ "$(grep -c "$expect" "$out")" = "$k" ] || fail "$name: wrong counts: $(cat "$out")"
	# the ideal must really be two tasks per node
	[ "$name" != ideal ] || [ "$(grep "$expect" "$out" | sed 's/.*home node \([^,]*\),.*/\1/' | sort | uniq -c |
		awk '$1 != 2' | wc -l)" = 0 ] || fail "ideal: not two tasks per node: $(cat "$out")"
	makespan=$(sed -n 's/^makespan //p' "$out")
	[ -n "$makespan" ] || fail "$name: no makespan in $out"
	job=
}

during=
# The ideal runs first and last, and the faster counts: other work on the
# host (another lab) that slows one run must not flatter the ratios.
run ideal manual -N"$nn"	# Slurm spreads the tasks in blocks: two per node
ideal=$makespan
run imbalanced manual -w n1
none=$makespan
# the administrator's command on n1 a second after the tasks started:
# the runnable counts are averages over that long
during='sleep 1; lon n1 "$ssictl" rebalance >/dev/null || fail "rebalance failed"'
run rebalance manual -w n1
reb=$makespan
during=
run auto auto -w n1
auto=$makespan
ideal2=$ideal
if [ "${SSI_BENCH:-short}" = full ]; then
	run ideal manual -N"$nn"
	ideal2=$makespan
fi

awk -v full="${SSI_BENCH:-short}" -v b="$bound" -v i1="$ideal" -v i2="$ideal2" -v n="$none" -v r="$reb" -v a="$auto" -v k="$k" -v nn="$nn" 'BEGIN {
	i = i1 < i2 ? i1 : i2
	printf "makespan of %d CPU-bound tasks (primes below %d) on %d single-vCPU nodes (all starting on n1 unless spread):\n", k, b, nn
	printf "  ideal even spread          %6.1f s  1.00x", i
	if (full == "full")
		printf " (runs: %.1f s first, %.1f s last)", i1, i2
	printf "\n"
	printf "  all on n1, no rebalancing  %6.1f s  %.2fx\n", n, n / i
	printf "  all on n1, ssictl rebalance%6.1f s  %.2fx (goal <= 1.15)\n", r, r / i
	printf "  all on n1, auto balancer   %6.1f s  %.2fx\n", a, a / i
}'
