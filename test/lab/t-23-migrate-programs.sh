#!/bin/bash
# test: real programs migrated mid-run (sha256sum of a big file, python3, gzip to stdout) give the same results as at home
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"

data=$SSI_LAB_WORK/mig.$$.data
mig_dirs+=("$data")
mkdir -p "$data"
head -c 48M /dev/urandom >"$data/big"
before=$(mig_pull_home_lines | wc -l)

# migrate TAG DELAY CMD...: start CMD, migrate it after DELAY seconds.
migrate() {
	local tag=$1 delay=$2
	shift 2
	mig_cmd "$tag" "$@"
	sleep "$delay"
	on "$home" "$ssictl" migrate "$pid" "$away" || fail "$tag: migrate $pid"
	mig_wait 300
}

migrate sha 0.3 sha256sum "$data/big"
[ "$status" = status=0 ] || fail "sha256sum: $status: $(cat "$dir/stderr")"
[ "$(cut -d' ' -f1 "$dir/stdout")" = "$(sha256sum "$data/big" | cut -d' ' -f1)" ] ||
	fail "sha256sum differs: $(cat "$dir/stdout")"
echo "sha256sum: same digest"

cat >"$data/t.py" <<'PY'
import os, sys, time
time.sleep(2)
s = sum(i * i for i in range(1000000))
print("sum", s, "pid", os.getpid() == int(sys.argv[1]) if len(sys.argv) > 1 else "")
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "py.out"), "w") as f:
    f.write("%d\n" % s)
sys.exit(5)
PY
migrate py 1 python3 "$data/t.py"
[ "$status" = status=5 ] || fail "python3: $status: $(cat "$dir/stderr")"
[ "$(cat "$dir/stdout")" = "sum 333332833333500000 pid " ] || fail "python3 printed: $(cat "$dir/stdout")"
[ "$(cat "$data/py.out")" = 333332833333500000 ] || fail "python3 wrote: $(cat "$data/py.out")"
echo "python3: same output, file and exit status"

head -c 12M "$data/big" >"$data/mid"
migrate gz 0.3 gzip -c "$data/mid"
[ "$status" = status=0 ] || fail "gzip: $status: $(cat "$dir/stderr")"
gzip -dc <"$dir/stdout" | cmp - "$data/mid" || fail "gzip output does not decompress to its input"
echo "gzip: output decompresses to the input"

after=$(mig_pull_home_lines | wc -l)
echo "pull-home calls logged on $away: $((after - before))"
if [ "$after" -gt "$before" ]; then
	mig_pull_home_lines | tail -n $((after - before))
fi
