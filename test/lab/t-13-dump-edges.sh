#!/bin/bash
# test: a dump is invisible to a task resumed at home, and aborted or refused dumps (timeout, busy, killed, dumper killed, traced, bad pids) leave every task as it was
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

# On one node: test/zdtm/dump-edges.sh, then every test/zdtm program dumped
# and resumed at home must print and exit exactly as when not dumped.
zdtm_setup edges
n=$home

on "$n" "$zdtm/dump-edges.sh" "$dir" || fail "some aborted or refused dumps did not leave the task as it was"
for desc in "$zdtm"/*.desc; do
	t=$(basename "$desc" .desc)
	on "$n" "$zdtm/zdtm-run.sh" plain "$t" "$dir" || fail "$t: unmigrated run failed"
	on "$n" "$zdtm/zdtm-run.sh" resumed "$t" "$dir" || fail "$t: dumped and resumed at home, it behaved differently"
	echo "$t dumped and resumed at home: $(cat "$dir/$t.resumed.out")"
done
