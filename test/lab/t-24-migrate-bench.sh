#!/bin/bash
# test: migration costs, printed as ratios (not asserted): freeze time vs streaming the same bytes, forwarded 64 B read vs transport RTT
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"

bench=$SSI_BUILDDIR/test/lab/ssi-migrate-bench
tpbench=$SSI_BUILDDIR/transport/ssi-tp-bench
[ -x "$bench" ] || fail "$bench is not built (make)"
mib=${SSI_MIGRATE_BENCH_MIB:-32}
iters=${SSI_MIGRATE_BENCH_ITERS:-300}

mig_cmd bench "$bench" "$mib" go "$iters"
for ((i = 0; i < 100; i++)); do
	grep -q '^pid before=' "$dir/stdout" 2>/dev/null && break
	sleep 0.1
done
res=$(on "$home" "$ssictl" --json migrate "$pid" "$away") || fail "migrate: $res"
touch "$dir/go"
mig_wait 300
[ "$status" = status=0 ] || fail "the benchmark program failed: $status"
bytes=$(jq .bytes <<<"$res")
frozen_us=$(jq .frozen_us <<<"$res")
dump_us=$(jq .dump_us <<<"$res")
read64=$(sed -n 's/^read64_us=//p' "$dir/stdout")
cached=$(sed -n 's/^cached_us=//p' "$dir/stdout")
local_us=$(sed -n 's/^local_us=//p' "$dir/stdout")
rtt=$(on "$away" "$ssictl" --json -c 20 ping "$home" | jq .avg_us)

# The raw transport: bulk streaming between the same two nodes, through
# the remote ssid's benchmark service (best rate over the sizes).
addr=$(on "$home" "$ssictl" --json show node "$away" | jq -r '.node.addr')
port=$(on "$home" "$ssictl" --json show node "$away" | jq -r '.node.port')
mbps=
if out=$(on "$home" timeout 120 "$tpbench" client "$addr" -P "$port" -Q 0 -n "$home:bench" \
	-i 100 -t 1 -r 1 2>&1); then
	mbps=$(awk '$1 == "stream" && $2 == "bulk" && $3 == "(MB/s)" { if ($5 > m) m = $5 } END { print m }' <<<"$out")
else
	echo "ssi-tp-bench: $(tail -n 2 <<<"$out")"
fi

awk -v b="$bytes" -v f="$frozen_us" -v d="$dump_us" -v r="$read64" -v c="$cached" \
	-v l="$local_us" -v rtt="$rtt" -v mbps="$mbps" 'BEGIN {
	printf "image %.1f MiB: frozen %.0f ms (dump %.0f ms)\n", b / 1048576, f / 1000, d / 1000
	if (mbps > 0) {
		s = b / (mbps * 1e6) * 1e6
		printf "raw transport bulk stream: %.1f MB/s -> %.0f ms for the same bytes; frozen/stream = %.1f\n", mbps, s / 1000, f / s
	} else {
		print "raw transport stream: not measured (ssi-tp-bench failed)"
	}
	printf "forwarded 64 B read: %.0f us; ssid ping RTT %.0f us; read/RTT = %.2f\n", r, rtt, r / rtt
	printf "cached getppid: %.0f us; local getrandom: %.2f us\n", c, l
}'
