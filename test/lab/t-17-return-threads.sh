#!/bin/bash
# test: a process of five threads dumped into a deputy of five threads comes back into it (SSI_IOC_RETURN), each thread into its own, and finishes at home exactly as if never moved
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"

tool=$SSI_BUILDDIR/test/lab/ssi-return-threads
[ -x "$tool" ] || fail "$tool is not built (make)"
zdtm_setup return-threads
prog=$zdtm/threads

# The reference: the same program, never dumped, ended by the same SIGUSR1.
on "$home" "$zdtm/zdtm-run.sh" plain threads "$dir" || fail "the unmigrated run failed"
[ "$(cat "$dir/threads.plain.rc")" = 48 ] || fail "the unmigrated run exited $(cat "$dir/threads.plain.rc"), not 48"

on "$home" "$tool" "$prog" "$dir/returned.out" || fail "ssi-return-threads failed on $home"
diff "$dir/threads.plain.out" "$dir/returned.out" ||
	fail "the returned process's output differs from the unmigrated run's"
echo "returned process: $(cat "$dir/returned.out")"
