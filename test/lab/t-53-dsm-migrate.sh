#!/bin/bash
# test: shared memory follows a migrated process: a parent at home and the child it forked, migrated away and back, add to one counter in MAP_SHARED|MAP_ANONYMOUS memory (the child going on from there to a third node), in a POSIX shm object and in a memfd (the parent mapping them again while the child is away); no add is lost; Python's multiprocessing RawArray carries a ping-pong between a parent and its child away and each reads the other's pages, and so do its semaphores (process-shared futexes: a wait away is woken from home and wakes home); a futex_waitv on private memory runs away, one on shared memory brings the process home, where a wake from home ends it; a SysV shm mapping is still refused with its reason
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"

counter=$SSI_BUILDDIR/test/lab/ssi-dsm-counter
[ -x "$counter" ] || fail "$counter is not built (make)"
adds=20000

# wait_line PATTERN [TIMEOUT_S]: until $dir/stdout has a line matching it
wait_line() {
	local t=${2:-120}
	for ((i = 0; i < t * 10; i++)); do
		grep -q "$1" "$dir/stdout" 2>/dev/null && return 0
		[ -f "$dir/status" ] && break
		sleep 0.1
	done
	fail "no line '$1' after ${t}s: $(cat "$dir/stdout" "$dir/stderr" 2>/dev/null)"
}

# running_on NODE: until NODE's ssid runs $child as a guest
running_on() {
	local procs lpid
	for ((i = 0; i < 100; i++)); do
		procs=$(on "$1" "$ssictl" --json show procs)
		lpid=$(jq -r --argjson p "$child" '.procs[] | select(.pid == $p and .state == "running") | .local_pid' <<<"$procs")
		[ -n "$lpid" ] && return 0
		sleep 0.1
	done
	fail "$1 does not run pid $child: $procs"
}

# counter_run KIND ADDS [HOP]: the counter program over KIND of shared
# memory, its child moved away in phase 2 and home for phase 3 (or from
# there straight on to node HOP, a copy's mapping moving on); no add lost
counter_run() {
	local kind=$1 n=$2 hop=${3:-} run_dir=$SSI_LAB_WORK/mig.$$.dsm-$1 out t0 t1 to=home
	mig_cmd "dsm-$kind" "$counter" "$run_dir" "$n" "$kind"
	[ "$dir" = "$run_dir" ] || fail "mig_cmd made $dir, not $run_dir"
	wait_line '^child='
	child=$(sed -n 's/^child=//p' "$dir/stdout")
	wait_line '^parent phase 1 done'
	wait_line '^child phase 1 done'

	# Away: the child's shared mapping becomes the segment's copy there.
	t0=$(date +%s%N)
	out=$(on "$home" "$ssictl" migrate "$child" "$away") || fail "$kind: ssictl migrate $child $away: $out"
	echo "$kind: $out"
	running_on "$away"
	touch "$dir/go2"
	wait_line '^parent phase 2 done'
	wait_line '^child phase 2 done'
	t1=$(date +%s%N)
	grep 'phase 2 done' "$dir/stdout"
	echo "$kind: phase 2 (parent on $home, child on $away, $n adds each): $(((t1 - t0) / 1000000)) ms with the move"

	# Home again: its mapping is home's own segment, still coherent with
	# the copy the other node keeps.  Or on to a third node, which takes
	# a copy of home's segment from home.
	[ -n "$hop" ] && to=$hop
	out=$(on "$home" "$ssictl" migrate "$child" "$to") || fail "$kind: ssictl migrate $child $to: $out"
	echo "$kind: $out"
	[ -z "$hop" ] || running_on "$hop"
	touch "$dir/go3"
	mig_wait 180
	cat "$dir/stdout"
	[ "$status" = status=0 ] || fail "$kind: the counter program says $status: $(cat "$dir/stdout" "$dir/stderr")"
	grep -q "^counter=$((6 * n)) expected=$((6 * n)) child's adds=$((3 * n)) page2=ok" "$dir/stdout" ||
		fail "$kind: the counter lost adds"
}

counter_run anon "$adds" "${lab_nodes[2]:-}"

# The traffic shows in each node's metrics: home made the segment and
# sent pages, the node away holds a copy and faulted for pages.
metric() { awk -v m="$2" '$1 == m { print $2 }' <<<"$1"; }
mh=$(on "$home" "$ssictl" show metrics) || fail "ssictl show metrics on $home"
ma=$(on "$away" "$ssictl" show metrics) || fail "ssictl show metrics on $away"
grep '^ssi_dsm' <<<"$mh" | sed "s/^/$home: /"
grep '^ssi_dsm' <<<"$ma" | sed "s/^/$away: /"
[ "$(metric "$mh" 'ssi_dsm_segments{role="home"}')" -ge 1 ] || fail "$home shows no home segment"
[ "$(metric "$mh" ssi_dsm_pages_sent_total)" -ge 1 ] || fail "$home shows no page sent"
[ "$(metric "$ma" 'ssi_dsm_segments{role="copy"}')" -ge 1 ] || fail "$away shows no copy"
[ "$(metric "$ma" 'ssi_dsm_faults_total{access="write"}')" -ge 1 ] || fail "$away shows no fault"

# What coherence across nodes costs (printed, not asserted): the same
# adds with both processes at home (phase 1) and with the child away
# (phase 2, the counter's page moving between the nodes).
adds_ms() { sed -n "s/^$1 phase $2 done: .*adds took \([0-9.]*\) ms$/\1/p" "$dir/stdout"; }
awk -v p1="$(adds_ms parent 1)" -v c1="$(adds_ms child 1)" -v p2="$(adds_ms parent 2)" \
	-v c2="$(adds_ms child 2)" -v n="$adds" 'BEGIN {
	home = p1 > c1 ? p1 : c1; away = p2 > c2 ? p2 : c2
	printf "bench: %d atomic adds each on one shared page: both at home %.1f ms, " \
		"one away %.1f ms: %.1fx\n", n, home, away, (home > 0 ? away / home : 0) }'

# A POSIX shm object (a file of /dev/shm, which the parent opens by name
# again while the child is away) and a memfd (which the parent maps again
# through the fd it opened before the move) follow the child the same way.
counter_run shm $((adds / 4))
on "$home" sh -c '! ls /dev/shm/ssi-dsm-counter.* 2>/dev/null' || fail "the shm object was left behind"
counter_run memfd $((adds / 4))

# mp_pingpong WHAT ROUNDS [sem]: test/lab/ssi-dsm-mp.py's ping-pong, the
# child migrated to $away once the program is ready, every round checked;
# then the same rounds with both at home, for the ratio (printed, not
# asserted).
mp_pingpong() {
	local what=$1 rounds=$2 tag=mp${3:-} child out away_ms home_ms ref
	shift 2
	mig_cmd "$tag" "$SSI_SRCDIR/test/lab/ssi-dsm-mp.py" "$SSI_LAB_WORK/mig.$$.$tag" "$rounds" "$@"
	wait_line '^child='
	child=$(sed -n 's/^child=//p' "$dir/stdout")
	out=$(on "$home" "$ssictl" migrate "$child" "$away") || fail "$what: ssictl migrate $child $away: $out"
	echo "$what: $out"
	running_on "$away"
	touch "$dir/go"
	mig_wait 180
	cat "$dir/stdout"
	[ "$status" = status=0 ] || fail "$what: the program says $status: $(cat "$dir/stdout" "$dir/stderr")"
	grep -q "^rounds=$rounds last=$rounds " "$dir/stdout" || fail "$what: a round was lost"
	away_ms=$(sed -n 's/^rounds=.* took \([0-9.]*\) ms$/\1/p' "$dir/stdout")
	ref=$SSI_LAB_WORK/mig.$$.$tag-ref
	mkdir -p "$ref"
	touch "$ref/go"
	home_ms=$(on "$home" "$SSI_SRCDIR/test/lab/ssi-dsm-mp.py" "$ref" "$rounds" "$@" |
		sed -n 's/^rounds=.* took \([0-9.]*\) ms$/\1/p')
	awk -v h="$home_ms" -v a="$away_ms" -v n="$rounds" -v w="$what" 'BEGIN {
		printf "bench: %d ping-pong rounds of Python %s: both at home " \
			"%.1f ms, one away %.1f ms: %.0fx\n", n, w, h, a, (h > 0 ? a / h : 0) }'
}

# Python's multiprocessing: a RawArray (its heap, a file of /dev/shm
# unlinked at once) shared with a child made by fork; the child, away,
# plays ping-pong with its parent on one page, plain stores and loads.
mp_pingpong "multiprocessing on one page" 200
# The same with multiprocessing's semaphores: the two wait for each other
# in sem_wait, process-shared futexes on memory of their own, the child's
# forwarded to home, where the parent's sem_post wakes it and its
# sem_post wakes the parent (without, the child sleeps for ever on its
# node's copy).
mp_pingpong "multiprocessing semaphores" 50 sem

# futex_waitv (test/lab/ssi-dsm-waitv.py): the seccomp filter cannot
# read the words it names, ssid does: a wait on private memory runs
# away; one naming a word of shared memory brings the process home, where
# its parent's FUTEX_WAKE ends it (away, the wake would never reach it).
pulls() { mig_pull_home_lines | grep -c futex_waitv || :; }
mig_cmd waitv "$SSI_SRCDIR/test/lab/ssi-dsm-waitv.py" "$SSI_LAB_WORK/mig.$$.waitv"
wait_line '^child='
child=$(sed -n 's/^child=//p' "$dir/stdout")
out=$(on "$home" "$ssictl" migrate "$child" "$away") || fail "futex_waitv: ssictl migrate $child $away: $out"
running_on "$away"
before=$(pulls)
touch "$dir/go"
wait_line '^private waitv'
grep -q '^private waitv ETIMEDOUT$' "$dir/stdout" ||
	fail "futex_waitv on private memory away: $(cat "$dir/stdout" "$dir/stderr")"
[ "$(pulls)" = "$before" ] || fail "a futex_waitv on private memory pulled the process home"
running_on "$away"
touch "$dir/shared"
for ((i = 0; i < 300; i++)); do
	[ "$(pulls)" -gt "$before" ] && break
	sleep 0.1
done
[ "$(pulls)" -gt "$before" ] || fail "a futex_waitv on shared memory did not bring the process home"
sleep 0.5
touch "$dir/wake"
mig_wait 60
cat "$dir/stdout"
grep -q '^shared waitv woken index=1$' "$dir/stdout" ||
	fail "futex_waitv on shared memory, at home: $(cat "$dir/stdout" "$dir/stderr")"
[ "$status" = status=0 ] || fail "futex_waitv: the program says $status"

# Shared memory that is not exported yet (SysV shm) is still refused.
mig_cmd sysv python3 -c 'import ctypes, time
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
i = libc.shmget(0, 4096, 0o1600)
assert i >= 0 and libc.shmat(i, None, 0) not in (None, 2**64 - 1)
libc.shmctl(i, 0, None)
print("mapped", flush=True); time.sleep(120)'
for ((i = 0; i < 100; i++)); do
	grep -q mapped "$dir/stdout" 2>/dev/null && break
	sleep 0.1
done
out=$(on "$home" "$ssictl" migrate "$pid" "$away" 2>&1) && fail "a SysV shm mapping migrated: $out"
echo "refused: $out"
grep -q "shared mapping" <<<"$out" || fail "the refusal does not say why: $out"
on "$home" kill "$pid" || fail "python3 (pid $pid) is gone"
mig_wait 30
