#!/bin/bash
# test: migration costs, printed as ratios (not asserted): authenticated and encrypted frames vs unprotected ones, freeze time for 1-256 MiB vs streaming the same bytes, forwarded 64 B read vs transport RTT, a 4-thread process's freeze vs a 1-thread one's, 4 threads' forwarded reads vs 1 thread's, the freeze with a mapped file copied from home vs with the file already there
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"

bench=$SSI_BUILDDIR/test/lab/ssi-migrate-bench
tpbench=$SSI_BUILDDIR/transport/ssi-tp-bench
[ -x "$bench" ] || fail "$bench is not built (make)"
read -ra sizes <<<"${SSI_MIGRATE_BENCH_MIB:-1 16 64 256}"
iters=${SSI_MIGRATE_BENCH_ITERS:-300}

# The raw transport first: bulk streaming between the same two nodes,
# through the remote ssid's benchmark service (best rate over the sizes).
addr=$(on "$home" "$ssictl" --json show node "$away" | jq -r '.node.addr')
port=$(on "$home" "$ssictl" --json show node "$away" | jq -r '.node.port')
mbps=
if out=$(on "$home" timeout 120 "$tpbench" client "$addr" -P "$port" -Q 0 -n "$home:bench" \
	-i 100 -t 1 -r 1 2>&1); then
	mbps=$(awk '$1 == "stream" && $2 == "bulk" && $3 == "(MB/s)" { if ($5 > m) m = $5 } END { print m }' <<<"$out")
	echo "raw transport bulk stream $home -> $away: $mbps MB/s"
else
	echo "raw transport stream: not measured (ssi-tp-bench: $(tail -n 2 <<<"$out"))"
fi
rtt=$(on "$away" "$ssictl" --json -c 20 ping "$home" | jq .avg_us)

# What authenticating (ssid's default) and encrypting frames cost, against
# unprotected frames, between the same nodes: a server that asks for none.
on "$away" timeout -k 5 60 "$tpbench" server -P 7079 -Q 0 -s none >/dev/null 2>&1 &
tpsrv=$!
sleep 1
on "$home" timeout -k 5 50 "$tpbench" protect "$addr" -P 7079 -t 0.5 -r 1 -T 20 ||
	echo "frame protection: not measured"
on "$away" pkill -f "ssi-tp-bench server -P 7079" || true
wait $tpsrv 2>/dev/null

# One process per size: it fills its memory, is migrated, and (on a go)
# measures forwarded reads on the remote node.
for mib in "${sizes[@]}"; do
	mig_cmd "bench$mib" "$bench" "$mib" go "$iters"
	for ((i = 0; i < 600; i++)); do
		grep -q '^pid before=' "$dir/stdout" 2>/dev/null && break
		sleep 0.1
	done
	res=$(on "$home" "$ssictl" --json migrate "$pid" "$away" 2>&1) || fail "migrate ${mib} MiB: $res"
	touch "$dir/go"
	mig_wait 300
	[ "$status" = status=0 ] || fail "the benchmark program (${mib} MiB) failed: $status"
	awk -v b="$(jq .bytes <<<"$res")" -v f="$(jq .frozen_us <<<"$res")" \
		-v d="$(jq .dump_us <<<"$res")" -v mib="$mib" -v mbps="$mbps" 'BEGIN {
		printf "RSS %3d MiB: image %.1f MiB, frozen %.0f ms (dump %.0f ms)", mib,
			b / 1048576, f / 1000, d / 1000
		if (mbps > 0) {
			s = b / (mbps * 1e6) * 1e6
			printf "; raw stream %.0f ms; frozen/stream = %.2f (goal <= 1.1)", s / 1000, f / s
		}
		printf "\n"
	}'
done

# The forwarded-call latencies of the last process.
awk -v r="$(sed -n 's/^read64_us=//p' "$dir/stdout")" \
	-v c="$(sed -n 's/^cached_us=//p' "$dir/stdout")" \
	-v l="$(sed -n 's/^local_us=//p' "$dir/stdout")" -v rtt="$rtt" 'BEGIN {
	printf "forwarded 64 B read: %.0f us; ssid ping RTT %.0f us; read/RTT = %.2f (goal <= 1.25)\n", r, rtt, r / rtt
	printf "cached getppid: %.0f us; local getrandom: %.2f us\n", c, l
}'

# Threads: the same memory with 1 and with 4 threads (the freeze must not
# grow with them), and forwarded 64 B reads by 1 thread, then by all 4 at
# once (each has its own deputy thread at home: they overlap).
tmib=${SSI_MIGRATE_BENCH_THREAD_MIB:-64}
declare -A frozen
for n in 1 4; do
	mig_cmd "threads$n" "$bench" "$tmib" go "$iters" "$n"
	for ((i = 0; i < 600; i++)); do
		grep -q '^pid before=' "$dir/stdout" 2>/dev/null && break
		sleep 0.1
	done
	res=$(on "$home" "$ssictl" --json migrate "$pid" "$away" 2>&1) || fail "migrate $n threads: $res"
	frozen[$n]=$(jq .frozen_us <<<"$res")
	touch "$dir/go"
	mig_wait 300
	[ "$status" = status=0 ] || fail "the benchmark program ($n threads) failed: $status"
done
awk -v f1="${frozen[1]}" -v f4="${frozen[4]}" -v mib="$tmib" \
	-v t1="$(sed -n 's/^read64_tput_1=//p' "$dir/stdout")" \
	-v t4="$(sed -n 's/^read64_tput_n=//p' "$dir/stdout")" 'BEGIN {
	printf "RSS %d MiB: frozen %.0f ms with 4 threads, %.0f ms with 1; 4/1 = %.2f (goal <= 1.05)\n",
		mib, f4 / 1000, f1 / 1000, f4 / f1
	printf "forwarded 64 B reads: %.0f/s by 4 threads at once, %.0f/s by 1; 4/1 = %.2f (goal >= 3)\n",
		t4, t1, t4 / t1
}'

# Mapped files that exist only at home (ssid/migrate/file_fetch.h): the
# freeze of a process mapping a file of the home node's /tmp, which the
# remote node copies from home meanwhile, against the same process when
# the remote node has the file already; the difference against streaming
# the same bytes.
fmib=${SSI_MIGRATE_BENCH_FILE_MIB:-16}
map=/tmp/ssi-bench-map.$$
copy=$SSI_LAB_WORK/bench-map.$$
on "$home" sh -c "head -c $((fmib << 20)) /dev/urandom >$map && cp $map $copy"
declare -A ffrozen
for how in copied present; do
	[ "$how" = copied ] || on "$away" cp "$copy" "$map"
	mig_start "file-$how" 4 0 SSI_TEST_MAP=$map
	res=$(on "$home" "$ssictl" --json migrate "$pid" "$away" 2>&1) || fail "migrate with the file $how: $res"
	ffrozen[$how]=$(jq .frozen_us <<<"$res")
	mig_finish
	[ "$status" = status=0 ] || fail "the program with the file $how: $status"
done
for n in "$home" "$away"; do on "$n" rm -f "$map"; done
rm -f "$copy"
awk -v c="${ffrozen[copied]}" -v p="${ffrozen[present]}" -v mib="$fmib" -v mbps="$mbps" 'BEGIN {
	printf "mapped %d MiB file only at home: frozen %.0f ms, %.0f ms when the remote node has it; copied/present = %.2f", mib, c / 1000, p / 1000, c / p
	if (mbps > 0) {
		s = mib * 1048576 / (mbps * 1e6) * 1e6
		printf "; the copy adds %.0f ms, raw stream %.0f ms: added/stream = %.2f (goal <= 1.1)", (c - p) / 1000, s / 1000, (c - p) / s
	}
	printf "\n"
}'
