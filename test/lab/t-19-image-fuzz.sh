#!/bin/bash
# test: ssi.ko survives 100 000 mutated images (verify-only as root and nobody, real restores as nobody, returns into a frozen process) and random ioctls as root and nobody without a kernel warning
# timeout: 1500
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

# Good images of test/zdtm/file_map and test/zdtm/threads are dumped on the
# home node, as t-12 dumps them; on the other nodes kmod/tools/ssi-image-fuzz
# derives SSI_FUZZ_IMAGES structure-aware mutations of them (CRCs
# recomputed, fields at edge values, sections swapped, duplicated,
# dropped, truncated) and feeds them to the module: most in verify-only
# mode, SSI_FUZZ_RESTORES to the real restore (ssi-restore as nobody),
# SSI_FUZZ_RETURNS to SSI_IOC_RETURN; then SSI_FUZZ_IOCTLS random ioctls
# as root and as many as nobody.  run-all scans the consoles afterwards:
# no oops, no warning.  Under TCG, both nodes at it on the 2-core host,
# each verifies 750-950 images a second as root and 500 as nobody when
# the host is otherwise idle (the test takes 100 s), 350-400 and 200
# while another lab runs (207 s).  By hand, millions (5 000 000: 1 to 2.5
# hours):
#   SSI_FUZZ_IMAGES=5000000 SSI_LAB_TEST_TIMEOUT=20000 \
#     test/lab/run-all --tier tcp --only 't-19-*'
# SSI_FUZZ_SEED repeats a run; the image a crash stopped at is printed
# (from the progress file), and "ssi-image-fuzz -s SEED -f K -W OUT
# IMAGES..." writes it for a reproducer.
zdtm_setup imgfuzz

images=${SSI_FUZZ_IMAGES:-100000}
restores=${SSI_FUZZ_RESTORES:-200}
returns=${SSI_FUZZ_RETURNS:-2000}
ioctls=${SSI_FUZZ_IOCTLS:-100000}
seed=${SSI_FUZZ_SEED:-$(date +%s)}

for t in file_map threads; do
	on "$home" "$zdtm/zdtm-run.sh" dump "$t" "$dir" || fail "dump of $t failed"
	chmod 644 "$dir/$t.img"
done
# The file the file_map image maps, readable by nobody.
chmod -R a+rX "$dir"
# Every node but home fuzzes a share, at once (each VM is one host thread).
read -ra nodes <<<"$SSI_LAB_NODES"
fuzzers=("${nodes[@]:1}")
n=${#fuzzers[@]}
echo "seed $seed: $images images, $restores restores, $returns returns, 2 x $ioctls ioctls on ${fuzzers[*]}"
# Node-local: the progress file is shared memory, which the shared
# directory cannot be; the copies of the images' mapped files (-L) spare
# every verification the 9p root's latency (3 times faster), and their
# paths must not be longer than the originals'.
progress=/tmp/fz$$.progress local=/tmp/fz$$
# ssi.ko's users on each node before: the fuzzer must leave none behind
# (a process left holding /dev/ssi keeps the module from unloading)
users() { on "$1" awk '$1 == "ssi" { print $3 }' /proc/modules; }
declare -A before
for node in "${fuzzers[@]}"; do before[$node]=$(users "$node"); done
pids=()
for i in "${!fuzzers[@]}"; do
	# node i's images are numbered from i * 10^12: none made twice
	# shellcheck disable=SC2016 # expanded on the node
	on "${fuzzers[$i]}" sh -c 'mkdir -m 755 "$1" && shift && exec "$@"' - "$local" \
		"$SSI_SRCDIR/kmod/tools/ssi-image-fuzz" -s "$seed" -L "$local" \
		-f $((i * 1000000000000)) -n $((images / n)) -r $((restores / n)) \
		-R $((returns / n)) -i $((ioctls / n)) -p "$progress" \
		"$dir/file_map.img" "$dir/threads.img" >"$dir/fuzz-${fuzzers[$i]}.out" 2>&1 &
	pids+=($!)
done
failed=()
for i in "${!fuzzers[@]}"; do
	rc=0
	wait "${pids[$i]}" || rc=$?
	node=${fuzzers[$i]}
	echo "--- $node:"
	cat "$dir/fuzz-$node.out"
	if [ $rc != 0 ]; then
		k=$(on "$node" od -An -tu8 -N8 "$progress" 2>/dev/null | tr -d ' ') || true
		failed+=("$node: exit $rc at image ${k:-?}; ssi-image-fuzz -s $seed -f ${k:-K} -W OUT [-S 0 if a return] file_map.img threads.img writes it")
	fi
	on "$node" rm -rf "$progress" "$local" || true
done
[ ${#failed[@]} = 0 ] || fail "ssi-image-fuzz (seed $seed): ${failed[*]}"
for node in "${fuzzers[@]}"; do
	for ((i = 0; i < 100; i++)); do
		[ "$(users "$node")" = "${before[$node]}" ] && break
		sleep 0.1
	done
	[ "$(users "$node")" = "${before[$node]}" ] || {
		on "$node" ps -eo pid,ppid,user,stat,comm,args | grep -v ' \[' | tail -n 20
		fail "$node: ssi.ko has $(users "$node") users after the fuzzer, ${before[$node]} before"
	}
done
