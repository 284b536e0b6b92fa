#!/bin/bash
# test: SelectType=select/ssi loads in slurmctld, places ordinary jobs as cons_tres would, keeps new jobs off the cores of a node busy with a migrated-in guest, reports job starts and ends to ssid, with ssid hung (SIGSTOP) schedules without waiting for it, and without ssid places as cons_tres and says so once
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

# A lab of its own, booted with --select select/ssi (the default, as the
# tier's lab; its own because it stops the controller host's ssid): three
# nodes of one core each, and an ssid on the controller's host that
# select/ssi asks (ssi.conf(5), Migrate=no).
L=${SSI_LAB_NAME}-sel
ssictl=$SSI_BUILDDIR/ssid/ssictl
lon() { local n=$1; shift; "$SSI_LAB" exec --name "$L" "$n" -- "$@"; }
lslurm() { "$SSI_LAB" slurm --name "$L" -- "$@"; }
jobs=()
cleanup() {
	[ ${#jobs[@]} = 0 ] || lslurm scancel "${jobs[@]}" 2>/dev/null || true
	"$SSI_LAB" down --name "$L" >/dev/null 2>&1 || true
}
trap cleanup EXIT
up=$("$SSI_LAB" up --name "$L" --nodes 3 --select select/ssi 2>&1) || fail "up --select select/ssi: $up"
work=$(sed -n 's/^workdir=//p' <<<"$up")
state=/run/ssi-lab/$L
sock=$state/ctl/ssid.sock

sel=$(lslurm scontrol show config | sed -n 's/^SelectType *= *//p')
[ "$sel" = select/ssi ] || fail "slurmctld runs SelectType=$sel"
# job events are logged at info
"$ssictl" -s "$sock" loglevel info >/dev/null || fail "no ssid on the controller's host"

# probe: a one-task job without a node list; prints the node it got
probe() {
	local j n
	j=$(lslurm sbatch --parsable -n1 -o /dev/null --wrap "sleep 300") || fail "sbatch"
	jobs+=("$j")
	for ((i = 0; i < 100; i++)); do
		n=$(lslurm squeue -h -j "$j" -o '%T %N')
		[ "${n%% *}" = RUNNING ] && break
		sleep 0.2
	done
	[ "${n%% *}" = RUNNING ] || fail "probe job $j: $n"
	lslurm scancel "$j"
	for ((i = 0; i < 100; i++)); do
		[ -z "$(lslurm squeue -h -j "$j")" ] && break
		sleep 0.2
	done
	echo "${n#* } $j"
}

# A migratable job whose three tasks all start on n1 (its core, overcommitted).
cp "$SSI_SRCDIR/contrib/lab/demo-task.py" "$work/"
go=$work/go.$$
job=$(lslurm sbatch --parsable --ssi-migratable=manual -w n1 -n3 --overcommit \
	--chdir "$work" -o "$work/sel-%j.out" --export=ALL,DEMO_UNTIL="$go" \
	--wrap "srun -n3 --overcommit python3 $work/demo-task.py") || fail "sbatch"
jobs+=("$job")
for ((i = 0; i < 300; i++)); do
	[ "$(grep -c ': started' "$work/sel-$job.out" 2>/dev/null)" = 3 ] && break
	sleep 0.2
done
[ "$(grep -c ': started' "$work/sel-$job.out" 2>/dev/null)" = 3 ] || fail "job $job did not start"

# No guests anywhere: cons_tres's choice, the first idle node.
read -r where j <<<"$(probe)"
echo "no guests: probe job $j ran on $where"
[ "$where" = n2 ] || fail "without guests the probe ran on $where, cons_tres picks n2"
grep -q "job $j started, ssi-migratable=none" "$state/log/ssid-ctl.log" &&
	grep -q "job $j ended" "$state/log/ssid-ctl.log" ||
	fail "select/ssi did not report job $j's start and end to ssid"
# the migratable job's policy, from its SPANK environment
grep -q "job $job started, ssi-migratable=manual" "$state/log/ssid-ctl.log" ||
	fail "select/ssi did not report job $job as --ssi-migratable=manual: $(grep "job $job " "$state/log/ssid-ctl.log")"

# One of its tasks runs on n2 now: n2's only core is a guest's.
res=$(lon n1 "$ssictl" migrate "jobid=$job.0" task=1 node=n2) || fail "migrate: $res"
echo "$res"
for ((i = 0; i < 50; i++)); do
	g=$("$ssictl" -s "$sock" --json show nodes | jq '.nodes[] | select(.name == "n2") | .guests')
	[ "$g" = 1 ] && break
	sleep 0.2
done
[ "$g" = 1 ] || fail "the controller's ssid does not see n2's guest"
sleep 1.2	# select/ssi's guest counts are up to a second old
read -r where j <<<"$(probe)"
echo "a guest on n2: probe job $j ran on $where"
[ "$where" = n3 ] || fail "with a guest on n2 the probe ran on $where, not n3"

# A hung ssid (SIGSTOP: it accepts connections and never answers) costs
# the scheduler nothing: select/ssi's own thread waits for it, job_test,
# job_begin and job_fini do not; its counts are dropped when it does not
# answer, so jobs are placed as cons_tres places them.
ms() { echo $(( $(date +%s%N) / 1000000 )); }
t0=$(ms)
for k in 1 2 3; do probe >/dev/null; done
answering=$(( $(ms) - t0 ))
cpids=$(pgrep -f -- "-f $state/ctl/ssi.conf") || fail "no ssid process for the controller's host"
kill -STOP $cpids
sleep 4		# its next call (2 s at most) times out: the counts go
t0=$(ms)
wheres=
for k in 1 2 3; do
	read -r where j <<<"$(probe)"
	wheres+=" $where"
done
hung=$(( $(ms) - t0 ))
kill -CONT $cpids
echo "3 probe jobs submitted, run and cancelled: ${answering} ms with ssid answering, ${hung} ms with ssid hung; hung/answering = $(awk -v a="$answering" -v h="$hung" 'BEGIN { printf "%.2f", h / a }')"
[ "$wheres" = " n2 n2 n2" ] || fail "with ssid hung the probes ran on$wheres; cons_tres picks n2"
said0=$(grep -c "select/ssi: .*placing jobs as select/cons_tres does" "$state/log/slurmctld.log")
[ "$said0" = 1 ] || fail "slurmctld's log says $said0 times that ssid does not answer"
for ((i = 0; i < 50; i++)); do
	[ "$(grep -c "select/ssi: ssid at .* reachable" "$state/log/slurmctld.log")" -ge 2 ] && break
	sleep 0.2
done

# Without ssid: cons_tres's choice again, and slurmctld's log says so once.
"$ssictl" -s "$sock" shutdown >/dev/null || true
for ((i = 0; i < 50; i++)); do
	[ -S "$sock" ] || break
	sleep 0.1
done
sleep 1.2
read -r where j <<<"$(probe)"
read -r where2 j2 <<<"$(probe)"
echo "ssid gone: probe jobs ran on $where and $where2"
[ "$where" = n2 ] && [ "$where2" = n2 ] || fail "without ssid the probes ran on $where, $where2; cons_tres picks n2"
said=$(grep -c "select/ssi: .*placing jobs as select/cons_tres does" "$state/log/slurmctld.log")
[ "$said" = 2 ] || fail "slurmctld's log says $((said - 1)) times that ssid is unreachable"

touch "$go"
for ((i = 0; i < 600; i++)); do
	[ -z "$(lslurm squeue -h -j "$job")" ] && break
	sleep 1
done
st=$(lslurm scontrol show job "$job" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
[ "$st" = COMPLETED ] || fail "job $job ended $st"
grep -q "17984 primes below 200000" "$work/sel-$job.out" || fail "task 1's count is wrong: $(cat "$work/sel-$job.out")"
jobs=()
