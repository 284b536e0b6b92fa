#!/bin/bash
# test: a process killed (scancel, SIGKILL) while its image streams to another node leaves nothing behind: the migration fails with the reason, the remote node drops what arrived, and neither node lists it a few seconds later
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"

bench=$SSI_BUILDDIR/test/lab/ssi-migrate-bench
[ -x "$bench" ] || fail "$bench is not built (make)"
# Large enough that the stream fills the connection's send queue (64 MiB)
# for a while: the abort then queues behind image bytes.
mib=${SSI_KILL_STREAM_MIB:-256}

mig_cmd kill "$bench" "$mib" go 10
for ((i = 0; i < 600; i++)); do
	grep -q '^pid before=' "$dir/stdout" 2>/dev/null && break
	sleep 0.1
done
grep -q '^pid before=' "$dir/stdout" || fail "the program did not fill its memory"

on "$home" "$ssictl" migrate "$pid" "$away" >"$dir/migrate.out" 2>&1 &
mpid=$!
arrived=0
for ((i = 0; i < 600; i++)); do
	procs=$(on "$away" "$ssictl" --json show procs)
	arrived=$(jq '[.procs[] | select(.state == "receiving") | .image_bytes // 0] | add // 0' <<<"$procs")
	[ "$arrived" -gt 0 ] && break
	sleep 0.1
done
[ "$arrived" -gt 0 ] || fail "no image arrived on $away: $(cat "$dir/migrate.out")"
on "$home" kill -KILL "$pid"
echo "killed pid $pid at home with $((arrived >> 20)) MiB of its image on $away"
wait "$mpid" || :	# failed, or done if the kill came after the last byte
echo "ssictl: $(cat "$dir/migrate.out")"
mig_wait 30
[ "$status" = status=137 ] || fail "the killed process ended with $status"

# Nothing of it on either node, soon (not after the remote's 60 s stall
# timeout, which is only for an abort that never comes).
for n in "$home" "$away"; do
	for ((i = 0; i < 100; i++)); do
		left=$(on "$n" "$ssictl" --json show procs | jq '.procs | length')
		[ "$left" = 0 ] && break
		sleep 0.1
	done
	[ "$left" = 0 ] || fail "$n still lists $left migrated processes 10 s after the kill"
done
echo "nothing left on $home or $away"
