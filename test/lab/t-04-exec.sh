#!/bin/bash
# test: exec returns the command's exit status, stdout and stderr apart
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=${SSI_LAB_NODES%% *}

rc=0
on "$n" sh -c 'echo out; echo err >&2; exit 7' >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 7 ] || fail "exit status $rc, expected 7"
[ "$(cat "$tmp/out")" = out ] || fail "stdout was '$(cat "$tmp/out")', expected 'out'"
[ "$(cat "$tmp/err")" = err ] || fail "stderr was '$(cat "$tmp/err")', expected 'err'"
echo "exit 7, stdout 'out', stderr 'err': as expected"

rc=0
on "$n" sh -c 'kill -TERM $$' || rc=$?
[ "$rc" = 143 ] || fail "killed by SIGTERM gave $rc, expected 143"
# Commands start with default signal dispositions (bash would hand
# SIGINT/SIGQUIT ignored to background daemons such as the agent).
rc=0
on "$n" sh -c 'kill -INT $$' || rc=$?
[ "$rc" = 130 ] || fail "SIGINT gave $rc, expected 130 (SIGINT ignored on the node?)"
rc=0
on "$n" /nonexistent/command 2>/dev/null || rc=$?
[ "$rc" = 127 ] || fail "missing command gave $rc, expected 127"
[ "$(echo hello | lab exec -i "$n" -- cat)" = hello ] || fail "exec -i does not forward stdin"
[ -z "$(echo hello | on "$n" cat)" ] || fail "exec without -i forwarded stdin"
echo "SIGTERM 143, SIGINT 130, missing command 127, -i forwards stdin: as expected"
